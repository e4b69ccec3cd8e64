"""Comments on the timeline in Chromium: seek-bar markers (hover, click, keyboard) and the heat strip."""

import pytest

from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def panel(ready_panel):
    """The discussion fixtures' panel, with a real transcoded 6-second recording."""
    return ready_panel


def test_seek_bar_markers_hover_click_and_keyboard(app, page, panel, approved_comment):
    early = approved_comment(name="Anne", body="Trust is *the* point here.\n\nSecond paragraph.", video_time=1.5)
    written = approved_comment(name="Rich", body="At 0:04 Azeem nails it.")
    eve = approved_comment(name="Eve", body="<img src=x onerror=alert(1)> sneaky", video_time=3.0)
    approved_comment(name="Nobody", body="No moment in this one.")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(panel_path(panel))
    wait_for(page, "() => document.querySelectorAll('.plyr__progress .comment-marker').length === 3")
    assert page.locator(".comment-heat .comment-heat-bar").count() > 0
    assert "most comments around" in page.get_attribute(".comment-heat", "aria-label")
    assert_no_axe_violations(page)

    # Hover shows the first line, as text.
    marker = page.locator(f".comment-marker[data-comment-id='{early.id}']")
    marker.hover()
    tip = page.locator(".comment-marker-tip")
    assert tip.is_visible()
    assert "Trust is the point here." in tip.inner_text() and "Second paragraph" not in tip.inner_text()
    page.locator(f".comment-marker[data-comment-id='{eve.id}']").hover()
    assert "<img src=x onerror=alert(1)> sneaky" in tip.inner_text()
    assert page.locator(".comment-marker-tip img").count() == 0 and dialogs == []
    # Hovering the seek bar made Plyr draw its preview thumbnails: still no violations.
    assert_no_axe_violations(page)

    # Click seeks to the moment and brings the comment into view.
    page.locator(f".comment-marker[data-comment-id='{written.id}']").click()
    wait_for(page, "() => Math.abs(document.querySelector('video').currentTime - 4) < 0.5")
    wait_for(
        page,
        f"""() => {{ const r = document.getElementById('comment-{written.id}').getBoundingClientRect();
                     return r.top >= 0 && r.bottom <= window.innerHeight; }}""",
    )

    # Keyboard: markers are buttons with a full label; Enter seeks.
    label = marker.get_attribute("aria-label")
    assert label.startswith("Comment by Anne at 0:01: Trust is the point here.")
    marker.focus()
    page.keyboard.press("Enter")
    wait_for(page, "() => Math.abs(document.querySelector('video').currentTime - 1.5) < 0.5")
    page.evaluate("() => { document.querySelector('video').pause(); window.scrollTo(0, 0); }")
    page.set_viewport_size({"width": 1280, "height": 900})
    marker.hover()
    assert page.locator(".comment-marker-tip").is_visible()
    page.screenshot(path="/tmp/comment-markers.png")


def test_no_markers_without_moments(page, panel, approved_comment):
    approved_comment(body="Nothing timed.")
    page.goto(panel_path(panel))
    wait_for(page, "() => document.querySelector('.plyr__progress') !== null")
    assert page.locator("#comment-moments").count() == 0
    assert page.locator(".comment-marker").count() == 0
