"""hls.js comes when the visitor reaches for the player, in real Chromium at a laptop's and a
phone's size: a page only read never downloads it (nor compiles it, a long task on a phone),
a pointer over the player or keyboard focus in it brings it before play, and a press of play
that comes first plays the page's MP4 at once, as before."""

from __future__ import annotations

import pytest

from tests.ready_panel import panel_path, wait_for
from tests.recordings.test_player_bandwidth_browser import SIZES, open_tab

pytestmark = pytest.mark.browser

HLS_ATTACHED = "!!eventsitePlayer.hls && eventsitePlayer.video.currentSrc.startsWith('blob:')"


def hls_requests(requested: list[str]) -> list[str]:
    return [url for url in requested if url.endswith("hls.min.js") or ".m3u8" in url]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", ["panel", "embed"])
def test_a_page_only_read_downloads_no_hls_js(browser, live_server, ready_panel, size, where):
    path = panel_path(ready_panel) if where == "panel" else f"/embed/{ready_panel.event.slug}/{ready_panel.slug}/"
    context, page, requested = open_tab(browser, live_server, path, size)
    try:
        page.wait_for_load_state("networkidle")
        page.mouse.wheel(0, 400)  # reading on, the pointer nowhere near the player
        page.wait_for_timeout(1000)
        assert hls_requests(requested) == [], hls_requests(requested)
        assert page.evaluate("eventsitePlayer.hls") is None
        assert page.evaluate("typeof window.Hls") == "undefined"
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_pointer_over_the_player_brings_hls_js_and_play_streams(browser, live_server, ready_panel, size):
    context, page, requested = open_tab(browser, live_server, panel_path(ready_panel), size)
    try:
        page.locator("[data-player]").hover()
        wait_for(page, HLS_ATTACHED)
        # The playlists hls.js starts on came with it, each fetched once.
        playlists = [url for url in requested if url.endswith(".m3u8")]
        assert any(url.endswith("/hls/master.m3u8") for url in playlists), requested
        assert len(playlists) == len(set(playlists)), playlists
        page.evaluate("eventsitePlayer.video.muted = true")
        page.get_by_role("button", name="Play", exact=True).first.click()
        wait_for(page, "eventsitePlayer.video.currentTime > 0.3")
        assert page.evaluate(HLS_ATTACHED)
        assert any(url.endswith(".m4s") for url in requested), requested
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_keyboard_focus_brings_hls_js_and_the_keyboard_plays(browser, live_server, ready_panel, size):
    context, page, requested = open_tab(browser, live_server, panel_path(ready_panel), size)
    try:
        page.evaluate("eventsitePlayer.video.muted = true")
        for _ in range(80):  # Tab from the top of the page until a control of the player has focus
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('.plyr__controls')"):
                break
        else:
            pytest.fail("Tab never reached the player's controls")
        wait_for(page, HLS_ATTACHED)
        page.keyboard.press("k")  # Plyr's play/pause key, on a focused player
        wait_for(page, "!eventsitePlayer.video.paused && eventsitePlayer.video.currentTime > 0.3")
        assert page.evaluate(HLS_ATTACHED)
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_press_of_play_before_hls_js_plays_the_mp4_and_keeps_it(browser, live_server, ready_panel, size):
    context, page, requested = open_tab(browser, live_server, panel_path(ready_panel), size)
    try:
        page.evaluate("eventsitePlayer.video.muted = true")
        button = page.get_by_role("button", name="Play", exact=True).first
        button.tap() if size == "phone" else button.click()  # no hover first: straight to play
        wait_for(page, "eventsitePlayer.video.currentTime > 0.5")
        assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/mp4/240p.mp4")
        # hls.js comes after the first frame (for a later switch of view) and leaves the video alone.
        wait_for(page, "eventsitePlayer.settled")
        assert any(url.endswith("hls.min.js") for url in requested)
        before = page.evaluate("eventsitePlayer.video.currentTime")
        wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.3}")
        assert page.evaluate("eventsitePlayer.hls") is None
        assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("/mp4/240p.mp4")
    finally:
        context.close()
