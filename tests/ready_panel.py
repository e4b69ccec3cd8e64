"""Fixtures (a pytest plugin, see tests/conftest.py): a panel with a real
transcoded 6-second clip, made once per module.

Transcoding runs through the real job layer once; each test then gets a copy
of the rendition set under its own media folder and fresh database rows, so
tests stay independent and the suite stays fast.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from eventsite import create_app, jobs
from eventsite.config import TestingConfig
from eventsite.events.models import Panel
from eventsite.extensions import db
from eventsite.recordings.captions import save_caption
from eventsite.recordings.chapters import replace_chapters
from eventsite.recordings.models import Recording, RecordingStatus, Rendition
from eventsite.recordings.operations import store_original
from tests.transcode.media import av_clip

SMALL_LADDER = {"TRANSCODE_LADDER": (240, 144), "CARTOON_HEIGHT": 144}

CAPTIONS_SRT = b"""1
00:00:00,000 --> 00:00:02,500
Welcome to the panel.

2
00:00:02,500 --> 00:00:04,500
Let us talk about influence.

3
00:00:04,500 --> 00:00:06,000
Thank you all.
"""


@dataclass
class Transcoded:
    renditions: Path
    rows: list[dict]
    duration: float


@pytest.fixture(scope="module")
def transcoded(tmp_path_factory) -> Transcoded:
    """A 6 s 320×240 clip transcoded by the real job layer (ladder 240/144, cartoon)."""
    folder = tmp_path_factory.mktemp("transcoded")
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}", "MEDIA_ROOT": str(folder / "media"), **SMALL_LADDER},
        config_class=TestingConfig,
    )
    with app.app_context():
        db.create_all()
        from eventsite.events.models import Event

        event = Event(slug="e", name="E")
        panel = Panel(event=event, slug="p", title="P")
        db.session.add(panel)
        db.session.commit()
        clip = av_clip(folder / "clip.mp4", "320x240", 6, 25)
        recording = store_original(clip, panel, "clip.mp4")
        jobs.run_recording_job.call_local(recording.jobs[0].id)
        db.session.expire_all()
        assert recording.status is RecordingStatus.READY
        prefix = f"recordings/{recording.id}/"
        rows = [
            {
                "kind": r.kind,
                "label": r.label,
                "width": r.width,
                "height": r.height,
                "bitrate": r.bitrate,
                "storage_key": r.storage_key.removeprefix(prefix),
                "size_bytes": r.size_bytes,
            }
            for r in recording.renditions
        ]
        source = folder / "media" / prefix / "renditions"
        duration = recording.duration_seconds
        db.session.remove()
        db.engine.dispose()
    return Transcoded(source, rows, duration)


@pytest.fixture
def add_ready_recording(app, transcoded):
    """Give a panel a ready recording: a copy of the module's rendition set."""
    # Tests that transcode again (poster choice, re-transcode) stay fast.
    app.config.update(SMALL_LADDER)

    def factory(
        panel: Panel, *, captions: bool = True, chapters: str | None = "0:00 Welcome\n0:03 Influence"
    ) -> Recording:
        recording = Recording(
            panel=panel,
            original_key="recordings/0/original.mp4",
            original_filename="clip.mp4",
            duration_seconds=transcoded.duration,
            status=RecordingStatus.READY,
        )
        db.session.add(recording)
        db.session.commit()
        prefix = f"recordings/{recording.id}/"
        shutil.copytree(transcoded.renditions, Path(app.config["MEDIA_ROOT"]) / prefix / "renditions")
        for row in transcoded.rows:
            recording.renditions.append(Rendition(**{**row, "storage_key": prefix + row["storage_key"]}))
        db.session.commit()
        if captions:
            save_caption(recording, "en", "English", CAPTIONS_SRT)
        if chapters:
            replace_chapters(recording, chapters)
        return recording

    return factory


@pytest.fixture
def ready_panel(make_panel, add_ready_recording) -> Panel:
    panel = make_panel()
    add_ready_recording(panel)
    return panel


def wait_for(page, expression: str, timeout: float = 10.0, interval: float = 0.05):
    """Poll ``expression`` in the page until it is truthy; return its value.

    Playwright's wait_for_function evaluates strings with eval(), which our
    CSP (rightly) forbids; page.evaluate goes through the debugger instead.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(interval * 1000)


def wait_for_player(page) -> None:
    """Until the player has its controls and its final source (hls.js attached, or the files kept),
    reaching for it as a visitor does (the pointer over it), which is what sends for hls.js.

    Plyr's controls go up before hls.js arrives (a press of play then plays the MP4s); a test of
    what hls.js does waits for it to take over.
    """
    wait_for(page, "window.eventsitePlayer !== undefined && !!eventsitePlayer.plyr")
    page.locator("[data-player]").hover()
    wait_for(page, "eventsitePlayer.settled")


def panel_path(panel: Panel, **query) -> str:
    from urllib.parse import urlencode

    path = f"/events/{panel.event.slug}/{panel.slug}/"
    return path + ("?" + urlencode(query) if query else "")
