"""The who-speaks page fits a phone and its preview is not pillarboxed (Chromium, axe)."""

from __future__ import annotations

import pytest

from tests.browser_steps import sign_in
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import wait_for
from tests.studio.test_speech_editor import app, flocked, spoken  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_who_speaks_page_fits_the_screen(flocked, page, make_organiser, size):  # noqa: F811
    panel, recording = flocked
    page.set_viewport_size({"width": size[0], "height": size[1]})
    make_organiser()
    sign_in(page)
    page.goto(f"/studio/recordings/{recording.id}/speech")
    wait_for(page, "document.getElementById('speech-player').readyState >= 1")
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= size[0], page.evaluate(
        """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
                 .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        size[0],
    )
    # The preview's box is the picture's shape: no black bars either side of it.
    box, ratio = page.evaluate(
        """() => { const v = document.getElementById('speech-player'); const b = v.getBoundingClientRect();
                   return [b.width / b.height, v.videoWidth / v.videoHeight || null]; }"""
    )
    if ratio:
        assert abs(box - ratio) < 0.05 * ratio, (box, ratio)
    assert_no_axe_violations(page)
