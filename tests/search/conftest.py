"""A published panel with two seated panelists and voiced captions, for search and downloads."""

from __future__ import annotations

import pytest

from eventsite.recordings.captions import save_caption

#: Voiced WebVTT: Gemma by her full name, Andrew by his first name, one cue by
#: an unseated voice, and text that must be escaped on the page.
VOICED_VTT = b"""WEBVTT

00:00:00.000 --> 00:00:02.000
<v Gemma Went>Welcome everyone to this conversation about social media and the people in it.

00:00:02.000 --> 00:00:04.000
<v Gemma Went>Influence is earned through trust, not bought with followers.

00:00:04.000 --> 00:00:05.000
<v Andrew>Brands forget that & it shows: reach < trust.

00:00:05.000 --> 00:00:06.000
<v Mystery Guest>Pelicans are near the podium.
"""


@pytest.fixture
def said_panel(make_panel, make_panelist, add_ready_recording):
    """A published panel ("What is social influence?") whose transcript names its speakers."""
    panel = make_panel(abstract="Six people on **what influence** means online.")
    make_panelist("Gemma Went", panel=panel, headline="Founder, Likeminds", position=0)
    make_panelist("Andrew Gerrard", panel=panel, headline="Strategist", position=1)
    recording = add_ready_recording(panel, captions=False, chapters=None)
    save_caption(recording, "en", "English", VOICED_VTT)
    return panel


@pytest.fixture
def request_ctx(app, app_ctx):
    """A request context, for calling run_search directly (hits carry URLs)."""
    with app.test_request_context("/search"):
        yield
