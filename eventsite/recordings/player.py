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
from markupsafe import escape

from ..events.models import Panel, Panelist, View
from ..extensions import db
from ..times import clock, parse_time
from ..urls import panel_url
from .captions import Cue, public_captions_of, read_cues
from .chapters import chapter_spans, chapters_of
from .current import ready_recording
from .hls_start import HlsStart, hls_start
from .media_urls import media_url
from .models import Caption, CaptionSource, Chapter, Recording, Rendition, RenditionKind
from .opening import VIEW_LABELS, offered_views, opening_view, opens_on_flock


@dataclass
class PlayerMedia:
    """The ready recording of a panel, sorted into what the player needs.

    ``hls``, ``mp4s``, ``poster`` and ``storyboard`` are those of the view the
    player opens on (``view``): the camera's, or the flock's when the panel
    opens on the birds or a panelist agreed to nothing more. Downloads, Open
    Graph, JSON-LD and the sitemap read the same fields, so none of them can
    point at a view the public may not see.
    """

    panel: Panel
    recording: Recording
    hls: Rendition | None = None
    mp4s: list[Rendition] = field(default_factory=list)  # highest first
    audio: Rendition | None = None
    poster: Rendition | None = None
    storyboard: Rendition | None = None
    cartoon: Rendition | None = None
    #: The flock video's HLS master, MP4, poster and storyboard.
    flock: dict[RenditionKind, Rendition] = field(default_factory=dict)
    #: The views offered, in the switch's order; the first is never missing.
    views: list[View] = field(default_factory=list)
    #: The view the player opens on.
    view: View = View.VIDEO
    #: The camera's HLS master and top MP4, kept for the switch when the main fields hold the flock's.
    camera: dict = field(default_factory=dict)
    captions: list[Caption] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    #: Downloads off: no MP4 or audio file reaches the public, the views play from HLS only.
    streaming_only: bool = False
    #: The opening view's picture heights and top size, kept when ``mp4s`` is emptied for streaming only.
    heights: list[int] = field(default_factory=list)
    frame: tuple[int, int] | None = None

    @property
    def duration(self) -> float | None:
        return self.recording.duration_seconds

    @property
    def width(self) -> int:
        return (self.frame[0] if self.frame else None) or 640

    @property
    def height(self) -> int:
        return (self.frame[1] if self.frame else None) or 360

    @property
    def poster_url(self) -> str | None:
        return media_url(self.poster.storage_key) if self.poster else None

    @property
    def transcript_caption(self) -> Caption | None:
        """The track shown as the transcript and quoted by clips: the first (English when there is one)."""
        if not self.captions:
            return None
        return next((c for c in self.captions if c.language.split("-")[0] == "en"), self.captions[0])

    @property
    def transcript_is_draft(self) -> bool:
        """The transcript is automatic captions nobody has checked yet."""
        caption = self.transcript_caption
        return caption is not None and caption.source is CaptionSource.AUTOMATIC

    @cached_property
    def transcript(self) -> list[Cue]:
        """Cues of :attr:`transcript_caption`, read once per page."""
        caption = self.transcript_caption
        return read_cues(caption) if caption else []

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

    @cached_property
    def hls_start(self) -> HlsStart | None:
        """Where hls.js will begin: the player preloads these playlists alongside hls.js."""
        if self.hls is None:
            return None
        return hls_start(self.hls.id, self.hls.storage_key)

    def view_sources(self) -> dict[str, dict]:
        """For the switch: each offered view's HLS master and file, by view name."""
        camera, flock = self.camera, self.flock
        url = lambda r: media_url(r.storage_key) if r else None  # noqa: E731
        sources = {
            View.VIDEO: {"hls": url(camera.get("hls")), "file": url(camera.get("mp4")), "label": "the video"},
            View.CARTOON: {"hls": None, "file": url(self.cartoon), "label": "the cartoon version"},
            View.FLOCK: {
                "hls": url(flock.get(RenditionKind.FLOCK_HLS)),
                "file": url(flock.get(RenditionKind.FLOCK)),
                "label": "the feathered friends",
            },
            View.AUDIO: {"hls": None, "file": url(self.audio), "label": "the sound only"},
        }
        if self.streaming_only:
            # Browsers without MSE play the master playlist themselves (Safari does) or not at all.
            for source in sources.values():
                source["file"] = source["file"] or source["hls"]
        return {view.value: sources[view] for view in self.views}

    @property
    def view_choices(self) -> list[tuple[str, str]]:
        """(value, label) of each offered view, for the switch's radio buttons."""
        return [(view.value, VIEW_LABELS[view]) for view in self.views]

    def player_config(self) -> dict:
        """Settings for static/js/player.js, written into the page as JSON data."""
        return {
            "panelId": self.panel.id,
            "hls": media_url(self.hls.storage_key) if self.hls else None,
            "hlsStartHeight": self.hls_start.height if self.hls_start else None,
            # The playlists hls.js fetches first: preloaded alongside hls.js once it is sent for.
            "hlsStart": list(self.hls_start.urls) if self.hls_start else [],
            # Plyr's seek bar, time and chapter markers before play: a paused page loads no media.
            "duration": self.duration,
            "qualities": [{"height": h, "label": f"{h}p"} for h in self.heights],
            "view": self.view.value,
            "views": self.view_sources(),
            "cartoon": media_url(self.cartoon.storage_key) if self.cartoon else None,
            "audio": media_url(self.audio.storage_key) if self.audio else None,
            "storyboard": media_url(self.storyboard.storage_key) if self.storyboard else None,
            # Plyr builds its marker tooltips with innerHTML: a title is text, never markup.
            "chapters": [{"time": c.start, "label": str(escape(c.title))} for c in self.chapters],
            "beacon": url_for("events.count_view", panel_id=self.panel.id),
            # Links copied from an embed point at the panel page, not at the iframe.
            "shareUrl": panel_url(self.panel),
            "vendor": url_for("static", filename="vendor/"),
        }


def player_media(panel: Panel, requested: str | None = None) -> PlayerMedia | None:
    """The player's view of ``panel``; None while there is no ready recording.

    :param requested: the ``?view=`` of the link, if any; honoured when the
        panelists' consent allows it, else the panel's default view, else the
        first view that is both allowed and made.
    """
    recording = ready_recording(panel)
    if recording is None:
        return None
    media = PlayerMedia(panel=panel, recording=recording)
    flock_kinds = (RenditionKind.FLOCK, RenditionKind.FLOCK_HLS, RenditionKind.FLOCK_POSTER)
    for rendition in recording.renditions:
        if rendition.kind in (*flock_kinds, RenditionKind.FLOCK_STORYBOARD):
            media.flock.setdefault(rendition.kind, rendition)
            continue
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
    _choose_views(media, panel, requested)
    if not media.mp4s and media.hls is None and media.audio is None:
        return None
    top = media.mp4s[0] if media.mp4s else None
    media.frame = (top.width, top.height) if top and top.width and top.height else None
    media.heights = [r.height for r in media.mp4s if r.height]
    if not panel.downloads_enabled and not _stream_only(media, requested):
        return None
    media.captions = public_captions_of(recording)
    media.chapters = chapters_of(recording)
    return media


def _choose_views(media: PlayerMedia, panel: Panel, requested: str | None) -> None:
    """Offer the views that exist and that every seated panelist agreed to, and
    make the main fields those of the opening view."""
    present = {
        RenditionKind.MP4: media.mp4s,
        RenditionKind.HLS: media.hls,
        RenditionKind.CARTOON: media.cartoon,
        RenditionKind.AUDIO: media.audio,
    }
    kinds = {kind for kind, rendition in present.items() if rendition} | set(media.flock)
    camera_picture = bool((media.recording.probe or {}).get("video"))
    media.views = offered_views(kinds, camera_picture, panel.public_views())
    media.camera = {"hls": media.hls, "mp4": media.mp4s[0] if media.mp4s else None}
    if View.CARTOON not in media.views:
        media.cartoon = None
    if View.AUDIO not in media.views:
        media.audio = None
    media.view = opening_view(media.views, (requested, panel.default_view))
    if opens_on_flock(media.view, media.views):
        # The camera's pictures (poster and storyboard included) stay out of the page.
        media.hls = media.flock.get(RenditionKind.FLOCK_HLS)
        media.mp4s = [media.flock[RenditionKind.FLOCK]] if RenditionKind.FLOCK in media.flock else []
        media.poster = media.flock.get(RenditionKind.FLOCK_POSTER)
        media.storyboard = media.flock.get(RenditionKind.FLOCK_STORYBOARD)


def _stream_only(media: PlayerMedia, requested: str | None) -> bool:
    """Downloads off: take every whole file (MP4s, the cartoon, the sound) out of
    the player, keeping the views that stream over HLS; False when none does.

    The cartoon and audio-only views exist only as files, so they are not
    offered then; the media route answers 404 to the public for those files.
    """
    streams = {View.VIDEO: media.camera.get("hls"), View.FLOCK: media.flock.get(RenditionKind.FLOCK_HLS)}
    media.views = [view for view in media.views if streams.get(view) is not None]
    if not media.views:
        return False
    if media.view not in media.views:
        media.view = media.views[0]
        media.hls = streams[media.view]
        if media.view is View.FLOCK:
            media.poster = media.flock.get(RenditionKind.FLOCK_POSTER)
            media.storyboard = media.flock.get(RenditionKind.FLOCK_STORYBOARD)
    media.streaming_only = True
    media.mp4s, media.audio, media.cartoon = [], None, None
    media.camera = {**media.camera, "mp4": None}
    media.flock = {k: r for k, r in media.flock.items() if k is not RenditionKind.FLOCK}
    return True
