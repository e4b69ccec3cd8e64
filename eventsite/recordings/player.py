"""What the player shows for a panel: the newest ready recording and its pieces.

Views call :func:`player_media` once and hand the result to their templates,
so the panel page, the embed page, the social cards and the JSON-LD all read
the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from flask import request, url_for

from ..events.models import Panel, Panelist
from ..extensions import db
from ..times import clock, parse_time
from ..urls import panel_url
from .captions import Cue, captions_of, read_cues
from .chapters import chapter_spans, chapters_of
from .models import Caption, Chapter, Recording, RecordingStatus, Rendition, RenditionKind


def media_url(key: str, *, external: bool = False) -> str:
    """URL of a stored file under the media route."""
    return url_for("media.media", key=key, _external=external)


def caption_url(caption: Caption, *, external: bool = False) -> str:
    return url_for("media.caption_file", caption_id=caption.id, _external=external)


@dataclass
class PlayerMedia:
    """The ready recording of a panel, sorted into what the player needs."""

    panel: Panel
    recording: Recording
    hls: Rendition | None = None
    mp4s: list[Rendition] = field(default_factory=list)  # highest first
    audio: Rendition | None = None
    poster: Rendition | None = None
    storyboard: Rendition | None = None
    cartoon: Rendition | None = None
    captions: list[Caption] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        return self.recording.duration_seconds

    @property
    def width(self) -> int:
        top = self.mp4s[0] if self.mp4s else None
        return (top.width if top and top.width else None) or 640

    @property
    def height(self) -> int:
        top = self.mp4s[0] if self.mp4s else None
        return (top.height if top and top.height else None) or 360

    @property
    def poster_url(self) -> str | None:
        return media_url(self.poster.storage_key) if self.poster else None

    @cached_property
    def transcript(self) -> list[Cue]:
        """Cues of the first caption track (English when there is one), read once per page."""
        if not self.captions:
            return []
        first = next((c for c in self.captions if c.language.split("-")[0] == "en"), self.captions[0])
        return read_cues(first)

    @cached_property
    def chapter_list(self) -> list[dict]:
        """Chapters with their end, display time and panelist (all loaded in one query)."""
        ids = {c.panelist_id for c in self.chapters if c.panelist_id}
        people = {p.id: p for p in db.session.scalars(sa.select(Panelist).where(Panelist.id.in_(ids)))} if ids else {}
        return [
            {
                "chapter": chapter,
                "end": end,
                "clock": clock(chapter.start),
                "seconds": int(chapter.start),
                "panelist": people.get(chapter.panelist_id),
            }
            for chapter, end in chapter_spans(self.chapters, self.duration)
        ]

    def start_time(self) -> float | None:
        """The ``?t=`` of the request, so even the no-script player starts there (media fragment)."""
        start = parse_time(request.args.get("t", ""))
        if start is None or (self.duration and start >= self.duration):
            return None
        return start

    def player_config(self) -> dict:
        """Settings for static/js/player.js, written into the page as JSON data."""
        return {
            "panelId": self.panel.id,
            "hls": media_url(self.hls.storage_key) if self.hls else None,
            "qualities": [{"height": r.height, "label": r.label} for r in self.mp4s if r.height],
            "cartoon": media_url(self.cartoon.storage_key) if self.cartoon else None,
            "audio": media_url(self.audio.storage_key) if self.audio else None,
            "storyboard": media_url(self.storyboard.storage_key) if self.storyboard else None,
            "chapters": [{"time": c.start, "label": c.title} for c in self.chapters],
            "beacon": url_for("events.count_view", panel_id=self.panel.id),
            # Links copied from an embed point at the panel page, not at the iframe.
            "shareUrl": panel_url(self.panel),
            "vendor": url_for("static", filename="vendor/"),
        }


def ready_recording(panel: Panel) -> Recording | None:
    """The newest recording of ``panel`` whose renditions are ready, if any."""
    return next((r for r in panel.recordings if r.status is RecordingStatus.READY and r.renditions), None)


def player_media(panel: Panel) -> PlayerMedia | None:
    """The player's view of ``panel``; None while there is no ready recording."""
    recording = ready_recording(panel)
    if recording is None:
        return None
    media = PlayerMedia(panel=panel, recording=recording)
    for rendition in recording.renditions:
        kind = rendition.kind
        if kind is RenditionKind.MP4:
            media.mp4s.append(rendition)
        elif kind is RenditionKind.HLS:
            media.hls = media.hls or rendition
        elif kind is RenditionKind.AUDIO:
            media.audio = media.audio or rendition
        elif kind is RenditionKind.POSTER:
            media.poster = media.poster or rendition
        elif kind is RenditionKind.STORYBOARD:
            media.storyboard = media.storyboard or rendition
        elif kind is RenditionKind.CARTOON:
            media.cartoon = media.cartoon or rendition
    media.mp4s.sort(key=lambda r: r.height or 0, reverse=True)
    if not media.mp4s and media.hls is None and media.audio is None:
        return None
    media.captions = captions_of(recording)
    media.chapters = chapters_of(recording)
    return media
