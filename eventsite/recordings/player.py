"""What the player shows for a panel: the newest ready recording and its pieces.

Views call :func:`player_media` once and hand the result to their templates,
so the panel page, the embed page, the social cards and the JSON-LD all read
the same facts.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import m3u8
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import request, url_for
from markupsafe import escape

from ..events.models import Panel, Panelist, View
from ..extensions import db
from ..storage import media_store
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


#: Names offered in the player's switch, in this order.
VIEW_LABELS = {View.VIDEO: "Video", View.CARTOON: "Cartoon", View.FLOCK: "Feathered friends", View.AUDIO: "Audio only"}


def view_of_file(relpath: str) -> View:
    """Which view a file of a rendition set belongs to (``relpath`` under ``renditions/``).

    The media route uses this to refuse, to the public, every file of a view
    that a seated panelist did not agree to: the camera's poster and storyboard
    belong to "video" as much as its MP4s do.
    """
    first, _, rest = relpath.partition("/")
    if first == "flock":
        return View.FLOCK
    if first == "cartoon":
        return View.CARTOON
    if relpath in ("audio.m4a", "audio.mp3") or (first == "hls" and rest.startswith("audio/")):
        return View.AUDIO
    return View.VIDEO


#: Files of a rendition set that are a whole video or sound in one piece: the
#: downloads. HLS playlists and segments (their ``init.mp4`` included) live under ``hls/``.
PROGRESSIVE_SUFFIXES = (".mp4", ".m4v", ".m4a", ".mp3")


def is_progressive_file(relpath: str) -> bool:
    """Whether a file of a rendition set (``relpath`` under ``renditions/``) is one
    a visitor could save whole: an MP4 or audio file rather than part of a stream.

    With a panel's downloads off the public gets streams only, so these answer 404.
    """
    inside = relpath.removeprefix("flock/")
    return not inside.startswith("hls/") and inside.lower().endswith(PROGRESSIVE_SUFFIXES)


def current_recording_id(panel_id) -> sa.ScalarSelect:
    """SQL for the id of a panel's current recording (the one :func:`ready_recording`
    picks: the newest that is ready and has renditions); ``panel_id`` may be a column."""
    newer = so.aliased(Recording)
    has_files = sa.exists().where(Rendition.recording_id == newer.id)
    return (
        sa.select(sa.func.max(newer.id))
        .where(newer.panel_id == panel_id, newer.status == RecordingStatus.READY, has_files)
        .scalar_subquery()
    )


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

    @cached_property
    def hls_start(self) -> HlsStart | None:
        """Where hls.js will begin: the page preloads these playlists alongside the scripts."""
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


#: The tallest variant hls.js starts on (it adapts from there); 720p is what a bare <video> would get.
START_HEIGHT = 720


@dataclass(frozen=True)
class HlsStart:
    """The playlists a player fetches before its first segment: the master, the
    variant it starts on (``height``) and the audio rendition's playlist."""

    height: int | None
    urls: tuple[str, ...]


def hls_start(rendition_id: int, key: str) -> HlsStart | None:
    """The start of an HLS master's playback, or None when its playlist can't be read."""
    store = media_store()
    try:
        height, keys = _start_keys(store.location, rendition_id, key)
    except (OSError, ValueError):
        return None
    return HlsStart(height, tuple(media_url(k) for k in keys))


@lru_cache(maxsize=512)
def _start_keys(location: str, rendition_id: int, key: str) -> tuple[int | None, tuple[str, ...]]:
    """Read a master playlist once per rendition (its files never change): the
    start variant's height and the keys of the master and the playlists it needs."""
    with media_store().open(key) as handle:
        master = m3u8.loads(handle.read(256 * 1024).decode("utf-8", "replace"))
    variants = [(p.stream_info.resolution or (0, 0), p.uri) for p in master.playlists if p.uri]
    if not variants:
        raise ValueError(f"{key}: no variants")
    # hls.js caps to the player's size; begin at the tallest variant not above START_HEIGHT.
    fitting = [v for v in variants if v[0][1] <= START_HEIGHT] or [min(variants)]
    (_, height), uri = max(fitting)
    folder = posixpath.dirname(key)
    uris = [uri, *(m.uri for m in master.media if m.type == "AUDIO" and m.uri)]
    return height or None, (key, *(posixpath.normpath(posixpath.join(folder, u)) for u in uris))


def ready_recording(panel: Panel) -> Recording | None:
    """The newest recording of ``panel`` whose renditions are ready, if any."""
    return next((r for r in panel.recordings if r.status is RecordingStatus.READY and r.renditions), None)


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
    media.captions = captions_of(recording)
    media.chapters = chapters_of(recording)
    return media


def _choose_views(media: PlayerMedia, panel: Panel, requested: str | None) -> None:
    """Offer the views that exist and that every seated panelist agreed to, and
    make the main fields those of the opening view."""
    allowed = panel.public_views()
    made = {
        # An audio-only talk's "video" is a title card: once its birds exist, they are its picture.
        View.VIDEO: bool(media.mp4s or media.hls)
        and (bool((media.recording.probe or {}).get("video")) or RenditionKind.FLOCK not in media.flock),
        View.CARTOON: media.cartoon is not None,
        View.FLOCK: RenditionKind.FLOCK in media.flock,
        View.AUDIO: media.audio is not None,
    }
    media.views = [view for view in View if made[view] and view in allowed]
    media.camera = {"hls": media.hls, "mp4": media.mp4s[0] if media.mp4s else None}
    if View.CARTOON not in media.views:
        media.cartoon = None
    if View.AUDIO not in media.views:
        media.audio = None
    wanted = [v for v in (requested, panel.default_view) if v in {view.value for view in media.views}]
    media.view = View(wanted[0]) if wanted else (media.views[0] if media.views else View.VIDEO)
    flock_main = media.view is View.FLOCK or View.VIDEO not in media.views
    if flock_main:
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
