"""The panel's video plays before the player's scripts arrive, and keeps playing through the upgrade."""

from __future__ import annotations

import pytest

from tests.ready_panel import panel_path, wait_for, wait_for_player
from tests.recordings.test_player_browser import choose_quality

pytestmark = pytest.mark.browser


def hold(page, pattern: str):
    """Hold back the scripts matching ``pattern`` (a slow network); returns their release."""
    held = []
    page.route(pattern, lambda route: held.append(route))

    def release():
        for route in held:
            route.continue_()
        page.unroute(pattern)
        return [route.request.url for route in held]

    return release


@pytest.fixture
def held_scripts(page):
    """Hold back Plyr and hls.js until the test releases them."""
    return hold(page, "**/static/vendor/*.js")


@pytest.fixture
def held_hls(page):
    """Hold back hls.js alone (624 kB against Plyr's 113) until the test releases it."""
    return hold(page, "**/static/vendor/hls.min.js")


def test_video_plays_before_the_player_loads_and_keeps_playing(page, ready_panel, held_scripts):
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")  # "load" would wait for the held scripts
    # The visitor presses play on the page's own <video> while Plyr and hls.js are still on their way.
    page.locator("video").evaluate("v => { v.muted = true; return v.play(); }")
    wait_for(page, "document.querySelector('video').currentTime > 0.5")
    assert page.evaluate("window.eventsitePlayer") is None
    assert page.evaluate("document.querySelector('video').currentSrc").endswith("/mp4/240p.mp4")

    released = held_scripts()
    assert any(url.endswith("plyr.min.js") for url in released), released
    wait_for_player(page)
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


def test_a_started_video_gets_its_first_frame_before_the_player_builds(page, ready_panel):
    """Plyr's build and hls.js's compile are long tasks: they wait until a started video shows."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    release_video = hold(page, "**/mp4/*.mp4")  # the visitor's video is slow to come
    release_player = hold(page, "**/static/js/player.js")
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")
    page.locator("video").evaluate("v => { v.muted = true; v.play().catch(() => {}); }")
    release_player()  # the player arrives while the video is starting
    wait_for(page, "!!window.Plyr")  # player.js has run and Plyr is here...
    assert page.evaluate("window.eventsitePlayer") is None  # ...but not built on a video still starting
    assert not [url for url in requested if url.endswith("hls.min.js")]
    release_video()
    wait_for(page, "document.querySelector('video').currentTime > 0.3")
    wait_for_player(page)
    assert [url for url in requested if url.endswith("hls.min.js")]  # for a later switch of view
    assert page.evaluate("eventsitePlayer.hls") is None


def test_video_not_started_before_the_player_streams_through_hls(page, ready_panel, held_scripts):
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")  # "load" would wait for the held scripts
    page.wait_for_timeout(300)
    held_scripts()
    wait_for_player(page)
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
    wait_for_player(page)
    before = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.5}")
    assert page.evaluate("eventsitePlayer.hls") is None
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/hls/master.m3u8")


def test_controls_come_up_before_hls_js_and_a_press_plays_the_mp4_on(page, ready_panel, held_hls):
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")
    # Plyr's controls are up while hls.js is still on its way...
    wait_for(page, "window.eventsitePlayer && !!eventsitePlayer.plyr")
    assert page.evaluate("eventsitePlayer.hls") is None
    assert not page.evaluate("eventsitePlayer.settled")
    # ...their menu already offers the ladder...
    page.get_by_role("button", name="Settings").dispatch_event("click")
    page.get_by_role("menuitem", name="Quality").dispatch_event("click")
    assert page.get_by_role("menuitemradio").all_inner_texts() == ["Auto", "240p", "144p"]
    page.keyboard.press("Escape")
    # ...and their Play plays the page's own MP4 at once.
    page.evaluate("eventsitePlayer.video.muted = true")
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime > 0.5")
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/mp4/240p.mp4")

    # hls.js arriving later leaves the playing video alone: no start over, no second download.
    assert any(url.endswith("hls.min.js") for url in held_hls())
    wait_for_player(page)
    before = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.5}")
    assert page.evaluate("eventsitePlayer.hls") is None
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/mp4/240p.mp4")


def test_hls_js_is_fetched_once_the_controls_are_up(page, ready_panel):
    """Its compile is a long task: on a page with MP4s it must not hold up Plyr's controls."""
    page.add_init_script(
        """(() => {
          let player;
          Object.defineProperty(window, "eventsitePlayer", {
            configurable: true,
            get: () => player,
            set: (value) => { player = value; window.controlsUpAt = performance.now(); },
          });
        })();"""
    )
    page.goto(panel_path(ready_panel))
    wait_for_player(page)
    fetched_at = page.evaluate(
        "performance.getEntriesByType('resource').find((e) => e.name.endsWith('/hls.min.js')).startTime"
    )
    assert fetched_at >= page.evaluate("window.controlsUpAt")
    assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")  # and then it took over


def test_hls_js_arriving_after_the_controls_takes_over_a_video_not_started(page, ready_panel, held_hls):
    page.goto(panel_path(ready_panel), wait_until="domcontentloaded")
    wait_for(page, "window.eventsitePlayer && !!eventsitePlayer.plyr")
    # The viewer picks 144p before hls.js is here: hls.js starts on it.
    choose_quality(page, "144p")
    held_hls()
    wait_for_player(page)
    assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")  # hls.js through MSE
    page.evaluate("eventsitePlayer.video.muted = true")
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime > 0.3")
    assert page.evaluate("eventsitePlayer.hls.levels[eventsitePlayer.hls.currentLevel].height") == 144
    assert page.locator(".plyr video").count() == 1


def test_seek_bar_previews_load_when_the_viewer_reaches_for_the_player(page, ready_panel):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(panel_path(ready_panel))
    wait_for_player(page)
    page.wait_for_load_state("networkidle")
    # Nothing of the storyboard competes with the first frame...
    assert not [url for url in requested if "/storyboard/" in url]
    # ...and hovering the seek bar brings the previews.
    page.locator(".plyr__progress").hover()
    wait_for(page, "!!document.querySelector('.plyr__preview-thumb')")
    assert any(url.endswith("storyboard.vtt") for url in requested)
