"""Fixtures for quote clips: a ready panel whose captions name their speakers."""

from __future__ import annotations

import pytest

from eventsite.clips.models import Clip
from eventsite.events.models import Consent
from eventsite.extensions import db
from eventsite.jobs import run_clip_job
from eventsite.recordings.captions import save_caption
from tests.conftest import csrf_token
from tests.ready_panel import panel_path

#: Three voiced cues over the 6 s recording of tests/ready_panel.py.
VOICED_VTT = b"""WEBVTT

00:00:00.000 --> 00:00:02.500
<v Gemma Went>Welcome to the panel.

00:00:02.500 --> 00:00:04.500
<v Azeem Azhar>Influence is about trust.

00:00:04.500 --> 00:00:06.000
<v Gemma Went>Thank you all.
"""


@pytest.fixture
def clip_settings(app):
    """Small clips keep the suite quick; the shapes' proportions are the same at any size."""
    app.config.update(CLIP_SHORT_SIDE=240, TRANSCODE_PRESET="ultrafast")


@pytest.fixture
def voiced_panel(clip_settings, make_panel, make_panelist, add_ready_recording):
    """A published panel with two seated panelists (both agreed to video) and voiced captions."""
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel, consent=Consent.VIDEO)
    make_panelist("Azeem Azhar", panel=panel, position=1, consent=Consent.VIDEO)
    recording = add_ready_recording(panel)
    save_caption(recording, "en", "English", VOICED_VTT)
    return panel


def clips_path(panel) -> str:
    return panel_path(panel) + "clips"


def form_token(client, panel) -> str:
    """A CSRF token of this client's session: from the panel page, or the sign-in form
    when the panel page has no form for this visitor."""
    for path in (panel_path(panel), "/login"):
        page = client.get(path).get_data(as_text=True)
        if 'name="csrf_token"' in page:
            return csrf_token(page)
    raise AssertionError("no page with a form")


def ask(client, panel, environ_overrides=None, **fields):
    """POST a clip request the way the panel page's form does (with its CSRF token)."""
    token = form_token(client, panel)
    data = {"start": "0:01", "end": "0:04", "view": "video", "shape": "vertical", "csrf_token": token}
    data.update(fields)
    return client.post(clips_path(panel), data=data, environ_overrides=environ_overrides or {})


def clip_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def render(clip_id: int) -> Clip:
    """Run the queued job in this process, as a worker would, and return the fresh row."""
    run_clip_job.call_local(clip_id)
    db.session.expire_all()
    return db.session.get(Clip, clip_id)


def clip_count() -> int:
    return db.session.scalar(db.select(db.func.count(Clip.id)))
