"""What watching costs, in real Chromium at a laptop's and a phone's size: a page nobody
plays fetches no media (only the small playlists), and a played video buffers what smooth
playback needs ahead of it, not the whole talk."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import current_app

from eventsite import create_app, jobs
from eventsite.config import TestingConfig
from eventsite.events.models import Event, Panel
from eventsite.extensions import db
from eventsite.recordings.models import Recording, RecordingStatus, Rendition
from eventsite.recordings.operations import store_original
from tests.ready_panel import panel_path, wait_for, wait_for_player
from tests.transcode.media import av_clip

pytestmark = pytest.mark.browser

SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
}

#: Segments, init segments, MP4 and audio files: the bytes of the talk itself (playlists,
#: captions and the poster are not).
MEDIA = re.compile(r"/media/.*\.(m4s|mp4|m4a|mp3)$")


def media_requests(requested: list[str]) -> list[str]:
    return [url for url in requested if MEDIA.search(url.split("?")[0].split("#")[0])]


def open_tab(browser, live_server, path: str, size: str):
    """A tab of ``size`` on ``path`` with Plyr's controls up, and the list of every URL it requests."""
    context = browser.new_context(base_url=live_server, **SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path)
    wait_for(page, "window.eventsitePlayer !== undefined && !!eventsitePlayer.plyr")
    return context, page, requested


def open_counting(browser, live_server, path: str, size: str):
    """open_tab, then the player reached for and settled (wait_for_player)."""
    context, page, requested = open_tab(browser, live_server, path, size)
    wait_for_player(page)
    return context, page, requested


def press_play(page) -> None:
    page.get_by_role("button", name="Play", exact=True).first.dispatch_event("click")
    wait_for(page, "eventsitePlayer.video.currentTime > 0.3")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", ["panel", "embed"])
def test_a_paused_page_fetches_no_media_until_play(browser, live_server, ready_panel, size, where):
    path = panel_path(ready_panel) if where == "panel" else f"/embed/{ready_panel.event.slug}/{ready_panel.slug}/"
    context, page, requested = open_counting(browser, live_server, path, size)
    try:
        assert page.evaluate("eventsitePlayer.video.currentSrc").startswith("blob:")  # hls.js is ready
        page.wait_for_timeout(1500)  # what a page that loads media on its own would have begun meanwhile
        assert media_requests(requested) == [], media_requests(requested)
        assert page.evaluate("eventsitePlayer.video.buffered.length") == 0
        # The seek bar knows the length all the same: its chapter marker (0:03) is there to seek to.
        assert page.locator(".plyr__progress__marker").count() == 1
        press_play(page)
        assert any(url.endswith(".m4s") for url in media_requests(requested)), requested
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("how", ["link", "seek bar"])
def test_starting_at_a_time_fetches_only_from_there(browser, live_server, ready_panel, size, how):
    """A ?t= link, or the seek bar moved while paused, starts there, and only from there."""
    path = panel_path(ready_panel, t="4.5") if how == "link" else panel_path(ready_panel)
    context, page, requested = open_counting(browser, live_server, path, size)
    try:
        if how == "seek bar":
            page.evaluate("eventsitePlayer.plyr.currentTime = 4.5")
        page.wait_for_timeout(1000)
        assert media_requests(requested) == []
        press_play(page)
        assert page.evaluate("eventsitePlayer.video.currentTime") >= 4.3
        # The first 4 s segment of the picture is not needed to start at 4.5 s.
        assert not [url for url in media_requests(requested) if "/hls/240p/seg000" in url], requested
    finally:
        context.close()


@pytest.fixture(scope="module")
def long_talk(tmp_path_factory):
    """A 64 s recording (16 segments of 4 s), one small rung, transcoded by the real job layer."""
    folder = tmp_path_factory.mktemp("long")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
            "MEDIA_ROOT": str(folder / "media"),
            "TRANSCODE_LADDER": (144,),
            "CARTOON_HEIGHT": 144,
        },
        config_class=TestingConfig,
    )
    with app.app_context():
        db.create_all()
        panel = Panel(event=Event(slug="e", name="E"), slug="p", title="P")
        db.session.add(panel)
        db.session.commit()
        recording = store_original(av_clip(folder / "long.mp4", "192x144", 64, 15), panel, "long.mp4")
        jobs.run_recording_job.call_local(recording.jobs[0].id)
        db.session.expire_all()
        assert recording.status is RecordingStatus.READY
        rows = [
            {c: getattr(r, c) for c in ("kind", "label", "width", "height", "bitrate", "size_bytes")}
            | {"storage_key": r.storage_key.removeprefix(f"recordings/{recording.id}/")}
            for r in recording.renditions
        ]
        source = folder / "media" / f"recordings/{recording.id}" / "renditions"
        duration = recording.duration_seconds
        db.session.remove()
        db.engine.dispose()
    return source, rows, duration


def test_a_played_video_buffers_ahead_only_what_smooth_playback_needs(browser, live_server, make_panel, long_talk):
    source, rows, duration = long_talk
    panel = make_panel()
    recording = Recording(
        panel=panel, original_key="x", original_filename="long.mp4", duration_seconds=duration,
        status=RecordingStatus.READY,
    )  # fmt: skip
    db.session.add(recording)
    db.session.commit()
    prefix = f"recordings/{recording.id}/"
    shutil.copytree(source, Path(current_app.config["MEDIA_ROOT"]) / prefix / "renditions")
    for row in rows:
        recording.renditions.append(Rendition(**{**row, "storage_key": prefix + row["storage_key"]}))
    db.session.commit()

    context, page, requested = open_counting(browser, live_server, panel_path(panel), "desktop")
    try:
        press_play(page)
        page.evaluate("eventsitePlayer.video.pause()")
        page.wait_for_timeout(3000)  # hls.js fills its forward buffer while paused
        ahead = page.evaluate("(v => v.buffered.end(v.buffered.length - 1) - v.currentTime)(eventsitePlayer.video)")
        segments = [url for url in media_requests(requested) if url.endswith(".m4s")]
        # 64 s of talk in 16 + 16 segments: the buffer stops about half a minute ahead.
        assert ahead <= 36, (ahead, segments)
        assert len(segments) <= 20, segments
    finally:
        context.close()
