"""The player in real Chromium: HLS, quality, captions, deep links, cartoon, no-JS, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for, wait_for_player

pytestmark = pytest.mark.browser


@pytest.fixture
def console(page):
    """Console errors, page errors and CSP reports of the tab (MSE blob: noise left out)."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "blob:" not in msg.text and "ERR_FILE_NOT_FOUND" not in msg.text
            else None
        ),
    )
    return problems


def open_player(page, path: str) -> None:
    page.goto(path)
    wait_for_player(page)


def choose_quality(page, label: str) -> None:
    """Settings → Quality → ``label`` in Plyr's menu.

    The clicks are dispatched to the buttons rather than made at their place on
    screen: Plyr hides its controls two seconds after the pointer last moved while
    playing, and on a busy machine that happens between one step and the next.
    """
    page.get_by_role("button", name="Settings").dispatch_event("click")
    page.get_by_role("menuitem", name="Quality").dispatch_event("click")
    page.get_by_role("menuitemradio", name=label).dispatch_event("click")


def play(page) -> None:
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime > 0.3")


def test_hls_playback_starts_and_advances(page, ready_panel, console):
    open_player(page, panel_path(ready_panel))
    assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")  # hls.js through MSE
    assert sorted(page.evaluate("eventsitePlayer.hls.levels.map(l => l.height)")) == [144, 240]
    play(page)
    first = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"eventsitePlayer.video.currentTime > {first + 0.5}")
    # The once-a-day view beacon went out when playback started.
    from eventsite.events.stats import total_views

    page.wait_for_timeout(200)
    assert total_views(ready_panel) == 1
    assert not console, console


def test_hls_video_waits_where_its_first_frame_is(page, ready_panel):
    """The HLS segments begin a few frames after 0 (the encoder's B-frame delay); a video left at 0
    would stall when played until hls.js's next gap check. The player steps into the buffer
    as the first media arrives (on play: a paused page loads none)."""
    open_player(page, panel_path(ready_panel))
    page.evaluate(
        "(v => v.addEventListener('seeking', () => { window.steppedTo = [v.currentTime, v.buffered.start(0)]; },"
        " { once: true }))(eventsitePlayer.video)"
    )
    page.get_by_role("button", name="Play", exact=True).first.dispatch_event("click")
    wait_for(page, "window.steppedTo !== undefined")
    stepped_to, buffer_start = page.evaluate("window.steppedTo")
    assert stepped_to == pytest.approx(buffer_start, abs=0.001) and 0 < stepped_to < 0.5  # a step, not a skip


def test_switching_quality_keeps_playing(page, ready_panel, console):
    open_player(page, panel_path(ready_panel))
    play(page)
    choose_quality(page, "144p")
    wait_for(page, "eventsitePlayer.hls.currentLevel >= 0")
    before = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"!eventsitePlayer.video.paused && eventsitePlayer.video.currentTime > {before + 0.5}")
    wait_for(page, "eventsitePlayer.hls.levels[eventsitePlayer.hls.currentLevel].height === 144")
    assert not console, console


def test_caption_track_shows_a_cue(page, ready_panel):
    open_player(page, panel_path(ready_panel))
    assert page.evaluate("eventsitePlayer.video.textTracks.length") == 1
    assert page.evaluate("eventsitePlayer.video.textTracks[0].language") == "en"
    page.locator(".plyr__controls button[data-plyr=captions]").click()
    play(page)
    expect(page.locator(".plyr__caption")).to_have_text("Welcome to the panel.")


def test_start_time_from_query_and_hash(page, ready_panel):
    open_player(page, panel_path(ready_panel, t="3"))
    play(page)
    assert 2.8 <= page.evaluate("eventsitePlayer.video.currentTime") < 4.5
    open_player(page, panel_path(ready_panel) + "#t=0m4s")
    play(page)
    assert 3.8 <= page.evaluate("eventsitePlayer.video.currentTime") < 5.5


def test_chapter_link_seeks_and_copy_link_names_the_time(page, ready_panel):
    open_player(page, panel_path(ready_panel))
    page.get_by_role("link", name="0:03 Influence").click()
    wait_for(page, "eventsitePlayer.video.currentTime >= 3")
    assert "t=3" in page.url
    page.get_by_role("button", name="Copy link at current time").click()
    expect(page.locator("[data-player-status]")).to_contain_text("?t=")


def test_transcript_search_filters_cues(page, ready_panel):
    open_player(page, panel_path(ready_panel))
    page.get_by_label("Search the transcript").fill("influence")
    expect(page.locator("[data-transcript] li:visible")).to_have_count(1)
    expect(page.locator("[data-transcript-count]")).to_have_text("1 of 3 lines match")


VOICED_VTT = b"""WEBVTT

00:00:00.000 --> 00:00:02.500
<v Gemma Went>Welcome to the panel.

00:00:02.500 --> 00:00:04.500
<v Azeem Azhar>Let us talk about influence.

00:00:04.500 --> 00:00:06.000
<v Gemma Went>Thank you all.
"""


def test_transcript_search_hides_the_turns_it_empties(page, make_panel, add_ready_recording):
    from eventsite.recordings.captions import save_caption

    panel = make_panel()
    recording = add_ready_recording(panel, captions=False)
    save_caption(recording, "en", "English", VOICED_VTT)
    open_player(page, panel_path(panel))
    turns = page.locator("[data-transcript] .transcript-turn")
    expect(turns).to_have_count(3)
    page.get_by_label("Search the transcript").fill("influence")
    # Only Azeem's turn still shows: Gemma's turns lost all their lines, so their names go too.
    expect(page.locator("[data-transcript] .transcript-turn:visible")).to_have_count(1)
    expect(page.locator("[data-transcript] .transcript-turn:visible")).to_contain_text("Azeem Azhar")
    page.get_by_label("Search the transcript").fill("")
    expect(page.locator("[data-transcript] .transcript-turn:visible")).to_have_count(3)


def test_captions_in_the_player_name_the_speaker(page, make_panel, add_ready_recording):
    from eventsite.recordings.captions import save_caption

    panel = make_panel()
    recording = add_ready_recording(panel, captions=False)
    save_caption(recording, "en", "English", VOICED_VTT)
    open_player(page, panel_path(panel) + "?t=3")
    page.evaluate("eventsitePlayer.plyr.captions.active = true; eventsitePlayer.plyr.currentTrack = 0")
    play(page)
    caption = page.locator(".plyr__caption span[title]")
    expect(caption).to_have_attribute("title", "Azeem Azhar")
    shown = caption.evaluate("(el) => getComputedStyle(el, '::before').content")
    assert shown == '"Azeem Azhar: "'


def test_cartoon_switch_changes_the_source(page, ready_panel, console):
    open_player(page, panel_path(ready_panel))
    play(page)
    switch = page.get_by_role("group", name="Watch as")  # the clip form has a "Show" group of its own
    switch.get_by_label("Cartoon", exact=True).check()
    wait_for(page, "eventsitePlayer.video.currentSrc.includes('/cartoon/')")
    before = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.3}")
    switch.get_by_label("Audio only").check()
    wait_for(page, "eventsitePlayer.video.currentSrc.endsWith('audio.m4a')")
    switch.get_by_role("radio", name="Video").check()
    wait_for(page, "eventsitePlayer.video.currentSrc.startsWith('blob:')")
    assert not console, console


def test_without_javascript_the_video_still_plays(browser, live_server, ready_panel):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(panel_path(ready_panel, t="2"))
        video = page.locator("video")
        sources = video.locator("source")
        assert sources.count() == 2
        assert all(src.get_attribute("type") == "video/mp4" for src in sources.all())
        assert sources.first.get_attribute("src").endswith("/mp4/240p.mp4#t=2")
        assert video.get_attribute("poster").endswith("poster.jpg")
        assert video.locator("track[kind=captions]").count() == 1
        # The browser picked an MP4 it can play and can fetch it.
        page.evaluate("v => v.play()", video.element_handle())
        page.wait_for_timeout(1500)
        assert page.evaluate("v => v.currentTime", video.element_handle()) > 2.3
        assert page.evaluate("v => v.currentSrc", video.element_handle()).endswith("240p.mp4#t=2")
        expect(page.locator("[data-player-tools]")).to_be_hidden()
    finally:
        context.close()


def test_panel_page_with_player_passes_axe(page, ready_panel):
    open_player(page, panel_path(ready_panel))
    assert_no_axe_violations(page)


def test_embed_page_plays_and_passes_axe(page, ready_panel, console):
    open_player(page, f"/embed/{ready_panel.event.slug}/{ready_panel.slug}/?t=3")
    play(page)
    assert page.evaluate("eventsitePlayer.video.currentTime") >= 2.8
    assert_no_axe_violations(page)
    assert not console, console


def test_keyboard_controls_the_player(page, ready_panel):
    open_player(page, panel_path(ready_panel))
    page.get_by_role("button", name="Play", exact=True).first.focus()
    page.keyboard.press("k")
    wait_for(page, "!eventsitePlayer.video.paused && eventsitePlayer.video.currentTime > 0.2")
    page.keyboard.press("k")
    wait_for(page, "eventsitePlayer.video.paused")
    page.keyboard.press("f")
    wait_for(page, "eventsitePlayer.plyr.fullscreen.active")


def test_hls_starts_from_the_playlists_the_page_preloaded(page, ready_panel, console):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_player(page, panel_path(ready_panel))
    preloads = page.eval_on_selector_all("link[rel=preload][as=fetch]", "links => links.map(l => l.href)")
    assert len(preloads) == 3 and preloads[0].endswith("/hls/master.m3u8")
    assert any(p.endswith("/audio/index.m3u8") for p in preloads)
    # hls.js begins on the variant the page named, so nothing is fetched twice.
    play(page)
    assert page.evaluate("eventsitePlayer.hls.levels[eventsitePlayer.hls.startLevel].height") == 240
    for url in preloads:
        assert requested.count(url) == 1, (url, requested)
    assert not console, console


def test_without_media_source_the_mp4_quality_menu_is_used(page, ready_panel, console):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script("window.MediaSource = undefined; window.ManagedMediaSource = undefined;")
    open_player(page, panel_path(ready_panel))
    assert page.evaluate("eventsitePlayer.hls") is None
    # A browser that cannot use hls.js never downloads it.
    assert not [url for url in requested if "hls.min.js" in url]
    play(page)
    assert page.evaluate("eventsitePlayer.video.currentSrc").endswith("240p.mp4")
    choose_quality(page, "144p")
    wait_for(page, "eventsitePlayer.video.currentSrc.endsWith('144p.mp4')")
    before = page.evaluate("eventsitePlayer.video.currentTime")
    wait_for(page, f"eventsitePlayer.video.currentTime > {before + 0.3}")
    assert not console, console


def test_studio_captions_and_chapters_page_passes_axe(page, ready_panel, make_organiser):
    make_organiser()
    page.goto(f"/studio/panels/{ready_panel.id}/media")
    page.get_by_label("Email").fill("organiser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Captions, chapters and downloads")
    expect(page.get_by_label("Chapter lines")).to_have_value("0:00 Welcome\n0:03 Influence")
    assert_no_axe_violations(page)


NAMED_VTT = b"""WEBVTT

00:00:00.000 --> 00:00:06.000
<v Azeem Azhar>Azeem Azhar: Let us talk about influence.
"""


def test_captions_sit_above_the_controls_and_name_the_speaker_once(page, make_panel, add_ready_recording):
    """Captions move above the controls while they show (the seek bar stays visible) and back
    down when they hide; a cue whose words already start with the voice's name shows it once.

    On a phone the seek bar takes a row of its own above the buttons, so the controls are twice
    as tall as Plyr's fixed 40 px lift allows for: that is the layout tested here."""
    from eventsite.recordings.captions import save_caption

    panel = make_panel()
    recording = add_ready_recording(panel, captions=False)
    save_caption(recording, "en", "English", NAMED_VTT)
    page.set_viewport_size({"width": 390, "height": 800})
    open_player(page, panel_path(panel) + "?t=1")
    page.evaluate("eventsitePlayer.plyr.captions.active = true; eventsitePlayer.plyr.currentTrack = 0")
    play(page)
    caption = page.locator(".plyr__caption span[title]")
    expect(caption).to_have_attribute("data-named", "")
    assert caption.evaluate("(el) => getComputedStyle(el, '::before').content") in ("none", "normal")
    expect(page.locator(".plyr__caption")).to_have_text("Azeem Azhar: Let us talk about influence.")

    def caption_bottom() -> float:
        return page.evaluate("document.querySelector('.plyr__caption').getBoundingClientRect().bottom")

    page.evaluate("eventsitePlayer.plyr.toggleControls(true)")
    wait_for(page, "!eventsitePlayer.plyr.elements.container.classList.contains('plyr--hide-controls')")
    page.wait_for_timeout(500)  # the 0.4 s transform transition
    # the controls' row: its buttons and the seek bar
    row_top = page.evaluate(
        "Math.min(...[...document.querySelectorAll('.plyr__controls > *')]"
        ".map((el) => el.getBoundingClientRect().top).filter((top) => top > 0))"
    )
    shown = caption_bottom()
    assert shown <= row_top, (shown, row_top)
    page.evaluate("eventsitePlayer.plyr.toggleControls(false)")
    wait_for(page, "eventsitePlayer.plyr.elements.container.classList.contains('plyr--hide-controls')")
    page.wait_for_timeout(500)
    assert caption_bottom() > shown + 20  # back down where the controls were
