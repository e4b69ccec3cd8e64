"""Screenshots for the README's tour (docs/tour/*.png), taken from the test fixtures' panel:
run ``.venv/bin/python -m pytest tests/tour_screenshots.py -p no:cacheprovider`` after a change
to the pages they show. Not part of the suite (the file name does not start with ``test_``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image

from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events.models import Consent, SeatRole
from eventsite.extensions import db
from eventsite.recordings.current import ready_recording
from eventsite.recordings.models import JobKind, JobStatus, RecordingJob, RenditionKind
from eventsite.transcode import probe
from tests.browser_steps import sign_in
from tests.ready_panel import panel_path, wait_for_player

pytestmark = pytest.mark.browser

TOUR = Path(__file__).resolve().parent.parent / "docs" / "tour"


def save_small(page, name: str, *, full_page: bool = False) -> None:
    """The first screen (or the whole page), in 256 colours: small enough to keep in git."""
    path = TOUR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.fixture
def tour_panel(ready_panel, make_panelist, make_organiser):
    ready_panel.abstract = "How a few voices shape what a crowd believes, and how to be one of them."
    ready_panel.credits = "Hosted by Likeminds\nVideo by Brass"
    ready_panel.venue = "Sala 2, Casa da Música"
    make_panelist("Azeem Azhar", panel=ready_panel, role=SeatRole.MODERATOR, position=1, consent=Consent.VIDEO,
                  headline="Founder, Exponential View")  # fmt: skip
    make_panelist("Gemma Went", panel=ready_panel, position=2, consent=Consent.CARTOON, headline="Growth coach")
    for n, (name, body) in enumerate([("Ana", "At 0:03 the point about trust landed."), ("Bo", "Slides anywhere?")]):
        db.session.add(
            Comment(panel_id=ready_panel.id, depth=1, author_name=name, author_email=f"{name.lower()}@example.com",
                    body_source=body, body_html=render_comment(body), status=CommentStatus.PENDING)
        )  # fmt: skip
    # the jobs an organiser sees after an upload: the ladder done, the birds being drawn, captions waiting
    recording = ready_recording(ready_panel)
    # the fixture's copy has no original of its own: show the largest MP4's facts in its place
    mp4 = max((r for r in recording.renditions if r.kind is RenditionKind.MP4), key=lambda r: r.height)
    path = Path(current_app.config["MEDIA_ROOT"]) / mp4.storage_key
    recording.original_filename = "what-is-social-influence.mp4"
    recording.size_bytes, recording.probe = path.stat().st_size, dataclasses.asdict(probe(path))
    db.session.add_all([
        RecordingJob(recording_id=recording.id, kind=JobKind.TRANSCODE, status=JobStatus.SUCCEEDED, progress=1.0),
        RecordingJob(recording_id=recording.id, kind=JobKind.FLOCK, status=JobStatus.RUNNING, progress=0.4,
                     eta_seconds=50),
        RecordingJob(recording_id=recording.id, kind=JobKind.CAPTIONS, status=JobStatus.QUEUED),
    ])  # fmt: skip
    db.session.commit()
    make_organiser()
    return ready_panel


def test_watch_page(browser, live_server, tour_panel):
    for name, size in [
        ("watch-desktop", {"width": 1280, "height": 800}),
        ("watch-phone", {"width": 390, "height": 844}),
    ]:
        extra = {"has_touch": True, "is_mobile": True} if size["width"] < 500 else {}
        context = browser.new_context(base_url=live_server, viewport=size, **extra)
        page = context.new_page()
        page.goto(panel_path(tour_panel))
        wait_for_player(page)
        page.evaluate("window.scrollTo(0, 0)")  # reaching for the player scrolled it: the first screen as it opens
        page.mouse.move(0, 0)
        save_small(page, name)
        context.close()


def test_studio_panel_and_moderation_queue(page, tour_panel):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page)
    page.goto(f"/studio/panels/{tour_panel.id}/")
    save_small(page, "studio-panel", full_page=True)  # the recordings' jobs and the seats with their consent
    page.goto("/studio/comments/")
    save_small(page, "moderation-queue")
