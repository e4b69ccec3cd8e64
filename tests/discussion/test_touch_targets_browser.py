"""Every control of the watch page and the embed is a target a finger can hit (WCAG 2.5.8, axe's
target-size, which Lighthouse's accessibility score counts): the seek bar and a comment's marker
on it at least 24 px, at a phone's and a laptop's size, and
at Lighthouse's phone's."""

import pytest

from tests.ready_panel import panel_path, wait_for, wait_for_player

pytestmark = pytest.mark.browser

SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    # Lighthouse's phone (a Moto G Power)
    "lighthouse": {
        "viewport": {"width": 412, "height": 823},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 1.75,
    },
}


@pytest.fixture
def panel(ready_panel):
    return ready_panel


def target_size_problems(page) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, { runOnly: ['target-size'] })")
    return [f"{n['target'][0]}: {n['failureSummary']}" for v in result["violations"] for n in v["nodes"]]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", ["panel", "embed"])
def test_the_seek_bar_and_its_comment_markers_are_big_enough_to_touch(
    browser, live_server, panel, approved_comment, size, where
):
    approved_comment(name="Anne", body="Trust is the point here.", video_time=2.0)
    context = browser.new_context(base_url=live_server, **SIZES[size])
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(panel_path(panel) if where == "panel" else f"/embed/{panel.event.slug}/{panel.slug}/")
        wait_for_player(page)
        if where == "panel":
            wait_for(page, "document.querySelectorAll('.plyr__progress .comment-marker').length === 1")
        problems = target_size_problems(page)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
