"""The watch page in Chromium at a laptop's 1280×800 and a phone's 390×844: the player with its
controls and the view switch in the first screen, a one-row header and a full-width seek bar on the
phone, and what the panel is and who speaks right under the video (axe on both)."""

from __future__ import annotations

import pytest

from eventsite.events.models import Consent, Seat
from eventsite.extensions import db
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for_player

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}

#: Top, bottom and width of what the tests measure, in CSS pixels of the first screen.
GEOMETRY = """() => {
  const box = (s) => { const e = document.querySelector(s); if (!e) return null;
    const b = e.getBoundingClientRect();
    const shown = b.width > 0 && getComputedStyle(e).display !== 'none';
    return {top: b.top, bottom: b.bottom, width: b.width, shown}; };
  return {header: box('.site-header'), controls: box('.plyr__controls'), progress: box('.plyr__progress'),
          volume: box('.plyr__volume input'), views: box('.player-version'), video: box('.plyr'),
          scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def watch_panel(ready_panel, make_panelist):
    """The ready panel with an abstract, credits and a panelist who agreed to the camera."""
    ready_panel.abstract = "How a few voices *shape* what a crowd believes."
    ready_panel.credits = "Hosted by Likeminds\nVideo by Brass"
    seat = Seat(panel=ready_panel, panelist=make_panelist(name="Gemma Went"), consent=Consent.VIDEO)
    db.session.add(seat)
    db.session.commit()
    return ready_panel


def open_at(browser, live_server, panel, size: dict):
    context = browser.new_context(base_url=live_server, **size)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(panel_path(panel))
    wait_for_player(page)
    return context, page


def test_the_whole_player_and_the_view_switch_fit_a_laptop_screen(browser, live_server, watch_panel):
    context, page = open_at(browser, live_server, watch_panel, DESKTOP)
    try:
        g = page.evaluate(GEOMETRY)
        assert g["controls"]["bottom"] <= 800, g  # the seek bar and buttons, not cut at the edge
        assert g["views"] and g["views"]["bottom"] <= 800, g  # "Watch as" without scrolling
        assert g["video"]["width"] >= 800, g  # still a big picture
        assert_no_axe_violations(page)
    finally:
        context.close()


def test_a_phone_gets_a_compact_header_and_a_full_width_seek_bar(browser, live_server, watch_panel):
    context, page = open_at(browser, live_server, watch_panel, PHONE)
    try:
        g = page.evaluate(GEOMETRY)
        assert g["header"]["bottom"] <= 64, g
        assert g["progress"]["width"] >= 0.85 * g["video"]["width"], g
        assert not (g["volume"] and g["volume"]["shown"]), g  # the device's buttons set the volume
        assert g["scrollWidth"] <= 390, g  # nothing wider than the phone
        assert g["views"] and g["views"]["bottom"] <= 844, g
        # Search is one tap away in the header.
        assert page.get_by_role("navigation", name="Site").get_by_role("link", name="Search").is_visible()
        assert_no_axe_violations(page)
    finally:
        context.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_what_it_is_and_who_speaks_come_right_under_the_video(browser, live_server, watch_panel, size):
    context, page = open_at(browser, live_server, watch_panel, size)
    try:
        tops = page.evaluate(
            """(selectors) => selectors.map((s) => { const e = document.querySelector(s);
                 return e ? e.getBoundingClientRect().top + window.scrollY : null; })""",
            [".player-area", ".prose", ".credits", "#people-heading", ".chapters", ".transcript", ".clip-request"],
        )
        player, abstract, credits, people, chapters, transcript, clips = tops
        assert None not in tops, tops
        assert player < abstract < credits < people < min(chapters, transcript, clips), tops
    finally:
        context.close()
