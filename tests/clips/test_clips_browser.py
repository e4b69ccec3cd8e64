"""A quote clip in real Chromium: select words in the transcript, ask for a vertical clip, watch it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite import jobs
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for

pytestmark = pytest.mark.browser

SELECT_CUES = """([first, last]) => {
  const cues = document.querySelectorAll('[data-transcript] li');
  const range = document.createRange();
  range.setStart(cues[first], 0);
  range.setEnd(cues[last], cues[last].childNodes.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


@pytest.fixture
def rendering_at_once(app):
    """Render clips inside the request, as a demo site would: the clip page is ready on arrival."""
    app.config["QUEUE_IMMEDIATE"] = True
    jobs.init_app(app)


def test_select_a_passage_and_watch_the_vertical_clip(page, voiced_panel, rendering_at_once):
    page.set_viewport_size({"width": 1100, "height": 1400})
    page.goto(panel_path(voiced_panel))
    expect(page.get_by_role("heading", name="Make a clip")).to_be_visible()
    page.evaluate(SELECT_CUES, [1, 2])
    expect(page.get_by_label("Start")).to_have_value("0:02.5")
    expect(page.get_by_label("End", exact=True)).to_have_value("0:06")
    expect(page.locator("[data-clip-quote]")).to_have_text("“Influence is about trust. Thank you all.”")
    expect(page.locator("[data-clip-status]")).to_contain_text("(3.5 s) chosen")
    page.locator("[data-clip-request]").screenshot(path="/tmp/clips-request.png")

    page.get_by_label("Vertical (9:16)").check()
    page.get_by_role("button", name="Make the clip").click()
    page.wait_for_url("**/clips/*/")
    video = page.locator(".clip-player video")
    expect(video).to_be_visible()
    wait_for(page, "document.querySelector('.clip-player video').readyState >= 1", timeout=15)
    assert page.evaluate(
        "[document.querySelector('.clip-player video').videoWidth, "
        "document.querySelector('.clip-player video').videoHeight]"
    ) == [240, 426]
    page.evaluate("(() => { const v = document.querySelector('.clip-player video'); v.muted = true; v.play(); })()")
    wait_for(page, "document.querySelector('.clip-player video').currentTime > 0.5", timeout=15)
    expect(page.get_by_role("link", name="Download the clip")).to_be_visible()
    expect(page.locator(".clip-words")).to_contain_text("Azeem Azhar")
    link = page.get_by_role("link", name="Watch the whole panel from 0:02")
    assert link.get_attribute("href").endswith("/what-is-social-influence/?t=2s")
    page.screenshot(path="/tmp/clips-page.png", full_page=True)
    assert_no_axe_violations(page)


def test_without_javascript_the_form_still_makes_a_clip(browser, live_server, voiced_panel, rendering_at_once):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(panel_path(voiced_panel, t="1"))
        expect(page.get_by_label("Start")).to_have_value("0:01")
        page.get_by_label("End", exact=True).fill("0:03")
        page.get_by_label("Square (1:1)").check()
        page.locator("[data-clip-form]").get_by_label("Cartoon").check()
        page.get_by_role("button", name="Make the clip").click()
        page.wait_for_url("**/clips/*/")
        expect(page.locator(".clip-player video")).to_have_attribute("width", "240")
        expect(page.locator(".clip-page")).to_contain_text("Cartoon · Square (1:1)")
    finally:
        context.close()
