"""The player writes times as every other page does ("0:06", not Plyr's "00:06"), at desktop
and phone sizes, with the scripts loaded as modules (no console errors) and axe passing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsite.recordings.current import ready_recording
from eventsite.times import clock
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for, wait_for_player

from .test_player_browser import console  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_players_times_read_like_the_rest_of_the_site(page, ready_panel, console, size):  # noqa: F811
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(panel_path(ready_panel))
    wait_for_player(page)
    duration = page.locator(".plyr__time--duration")
    expect(duration).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(duration).to_have_text(clock(ready_recording(ready_panel).duration_seconds))  # "0:06"
    # media loads on play: seek there and play, then hold still to read the time
    page.evaluate("eventsitePlayer.seek(3)")
    wait_for(page, "eventsitePlayer.video.currentTime >= 3.2")
    page.evaluate("eventsitePlayer.video.pause()")
    expect(page.locator(".plyr__time--current")).to_have_text(re.compile(r"^0:0[3-6]$"))
    spoken = page.locator(".plyr__progress input[type=range]").get_attribute("aria-valuetext")
    assert re.search(r"\b0:0[3-6]\b", spoken) and "00:" not in spoken
    assert not console, console
    assert_no_axe_violations(page)
