"""The panel's video plays before the player's scripts arrive, and keeps playing through the upgrade."""

from __future__ import annotations

import pytest

from tests.ready_panel import panel_path, wait_for
from tests.recordings.test_player_browser import choose_quality

pytestmark = pytest.mark.browser


@pytest.fixture
def held_scripts(page):
    """Hold back Plyr and hls.js (a slow network) until the test releases them."""
    held = []
    page.route("**/static/vendor/*.js", lambda route: held.append(route))

    def release():
        for route in held:
            route.continue_()
        page.unroute("**/static/vendor/*.js")
        return [route.request.url for route in held]

    return release


def test_video_plays_before_the_player_loads_and_keeps_playing(page, ready_panel, held_scripts):
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")  # "load" would wait for the held scripts
    # The visitor presses play on the page's own <video> while Plyr and hls.js are still on their way.
    page.locator("video").evaluate("v => { v.muted = true; return v.play(); }")
    wait_for(page, "document.querySelector('video').currentTime > 0.5")
    assert page.evaluate("window.eventsitePlayer") is None
    assert page.evaluate("document.querySelector('video').currentSrc").endswith("/mp4/240p.mp4")

    released = held_scripts()
    assert any(url.endswith("plyr.min.js") for url in released), released
    wait_for(page, "window.eventsitePlayer && !!window.eventsitePlayer.plyr")
    before = page.evaluate("eventsitePlayer.video.currentTime")
    # Plyr wrapped the playing video in place: same file, no jump back to the start, no pause.
    wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.5}")
    assert page.evaluate("eventsitePlayer.hls") is None
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/mp4/240p.mp4")
    assert page.locator(".plyr video").count() == 1
    # Its quality menu offers the MP4s, and a switch keeps the viewer's place (paused there: the clip is short).
    page.evaluate("eventsitePlayer.video.pause(); eventsitePlayer.video.currentTime = 1.5")
    choose_quality(page, "144p")
    wait_for(page, "eventsitePlayer.video.currentSrc.endsWith('144p.mp4') && eventsitePlayer.video.readyState >= 1")
    wait_for(page, "Math.abs(eventsitePlayer.video.currentTime - 1.5) < 0.2")


def test_video_not_started_before_the_player_streams_through_hls(page, ready_panel, held_scripts):
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")  # "load" would wait for the held scripts
    page.wait_for_timeout(300)
    held_scripts()
    wait_for(page, "window.eventsitePlayer && !!window.eventsitePlayer.plyr")
    assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")  # hls.js through MSE
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime > 0.3")


def test_streaming_only_video_started_natively_keeps_playing(page, ready_panel, held_scripts):
    from eventsite.extensions import db

    ready_panel.downloads_enabled = False  # no MP4s: the page offers the HLS master, which Chromium plays itself
    db.session.commit()
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")  # "load" would wait for the held scripts
    page.locator("video").evaluate("v => { v.muted = true; return v.play(); }")
    wait_for(page, "document.querySelector('video').currentTime > 0.5")
    assert page.evaluate("document.querySelector('video').currentSrc").endswith("/hls/master.m3u8")

    held_scripts()
    wait_for(page, "window.eventsitePlayer && !!window.eventsitePlayer.plyr")
    before = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.5}")
    assert page.evaluate("eventsitePlayer.hls") is None
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/hls/master.m3u8")


def test_seek_bar_previews_load_when_the_viewer_reaches_for_the_player(page, ready_panel):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(panel_path(ready_panel))
    wait_for(page, "window.eventsitePlayer && !!window.eventsitePlayer.plyr")
    page.wait_for_load_state("networkidle")
    # Nothing of the storyboard competes with the first frame...
    assert not [url for url in requested if "/storyboard/" in url]
    # ...and hovering the seek bar brings the previews.
    page.locator(".plyr__progress").hover()
    wait_for(page, "!!document.querySelector('.plyr__preview-thumb')")
    assert any(url.endswith("storyboard.vtt") for url in requested)
