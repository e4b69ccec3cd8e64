"""Transcript downloads under each panel's URL: ``transcript.txt``, ``.vtt``, ``.srt``."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from ..events.loader import load_panel
from ..events.models import Panel
from ..urls import panel_url
from . import formats
from .speakers import Speakers, panel_transcript

bp = Blueprint("transcripts", __name__)

#: Public panels' files may be cached a little; previews (organisers) never.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-store"


def _download(panel: Panel, body: str, mimetype: str, suffix: str) -> Response:
    response = Response(body, mimetype=mimetype)
    # Slugs are ASCII letters, digits and hyphens: safe inside the quotes.
    response.headers["Content-Disposition"] = f'attachment; filename="{panel.slug}{suffix}"'
    response.headers["Cache-Control"] = PUBLIC_CACHE if panel.is_public() else PRIVATE_CACHE
    return response


def _load(event_slug: str, slug: str, endpoint: str):
    panel = load_panel(event_slug, slug, endpoint=endpoint)
    cues = panel_transcript(panel)
    if not cues:
        abort(404)
    return panel, cues, Speakers.of(panel)


@bp.route("/events/<event_slug>/<slug>/transcript.txt")
def text(event_slug: str, slug: str):
    """The transcript as plain text in speaker turns.

    :raise 301: an old slug. :raise 404: no such panel, a draft, or no captions.
    """
    panel, cues, speakers = _load(event_slug, slug, "transcripts.text")
    header = [panel.title, panel.event.name, panel_url(panel)]
    return _download(panel, formats.as_text(cues, speakers.name, header), "text/plain", "-transcript.txt")


@bp.route("/events/<event_slug>/<slug>/transcript.vtt")
def webvtt(event_slug: str, slug: str):
    """The captions as WebVTT, with their ``<v>`` voices.

    :raise 301: an old slug. :raise 404: no such panel, a draft, or no captions.
    """
    panel, cues, _speakers = _load(event_slug, slug, "transcripts.webvtt")
    return _download(panel, formats.as_webvtt(cues), "text/vtt", ".vtt")


@bp.route("/events/<event_slug>/<slug>/transcript.srt")
def srt(event_slug: str, slug: str):
    """The captions as SubRip, each turn starting with its speaker's name.

    :raise 301: an old slug. :raise 404: no such panel, a draft, or no captions.
    """
    panel, cues, speakers = _load(event_slug, slug, "transcripts.srt")
    return _download(panel, formats.as_srt(cues, speakers.name), "application/x-subrip", ".srt")
