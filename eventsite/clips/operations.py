"""Asking for a clip: check the request, reuse an identical clip, or queue a new one.

Every refusal is a :class:`ClipRefused` with a sentence for the visitor and
an HTTP status, raised before anything is written, so a bad request stores
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..events.models import Panel, View
from ..extensions import db
from ..flock.captions import split_speaker
from ..recordings.captions import Cue
from ..recordings.current import ready_recording
from ..recordings.models import Recording, Rendition, RenditionKind
from ..recordings.opening import VIEW_LABELS
from ..recordings.player import PlayerMedia, player_media
from ..refusals import Refused
from ..times import clock, parse_time, url_time
from ..transcripts.speakers import Speakers
from ..urls import panel_url
from .models import CLIP_VIEWS, Clip, ClipShape, ClipStatus

#: The longest clip anyone can ask for, in seconds (social video is short).
MAX_CLIP_SECONDS = 60.0
#: The shortest: less than this is a blink, not a quote.
MIN_CLIP_SECONDS = 1.0
#: Ends this far past the recording's end are forgiven (cue times are rounded).
END_TOLERANCE = 0.25


class ClipRefused(Refused):
    """A clip request we will not make, in plain words, with its HTTP status."""


@dataclass
class ClipChoices:
    """What the "Make a clip" form offers for one panel."""

    panel: Panel
    #: (value, label) of the views a clip may show: made, and agreed to by every panelist.
    views: list[tuple[str, str]] = field(default_factory=list)
    shapes: list[tuple[str, str]] = field(default_factory=list)
    duration: float = 0.0
    #: Prefilled times (from ``?t=``), as the form shows them.
    start: str = "0:00"
    end: str = "0:15"
    max_seconds: int = int(MAX_CLIP_SECONDS)


def clip_views(media: PlayerMedia) -> list[View]:
    """The views of ``media`` a clip may show: offered to the public and made into a video."""
    return [view for view in media.views if view in CLIP_VIEWS]


def clip_choices(panel: Panel, media: PlayerMedia | None, start: float | None = None) -> ClipChoices | None:
    """The form's choices for ``panel``, or None when no clip can be made of it now."""
    if media is None or not media.duration:
        return None
    views = clip_views(media)
    if not views:
        return None
    start = start if start is not None and 0 <= start < media.duration else 0.0
    end = min(media.duration, start + 15)
    return ClipChoices(
        panel=panel,
        views=[(v.value, VIEW_LABELS[v]) for v in views],
        shapes=[(s.value, s.label) for s in (ClipShape.VERTICAL, ClipShape.SQUARE, ClipShape.WIDE)],
        duration=media.duration,
        start=clock(start),
        # the recording's own end with its fraction ("1:05.48"): truncated, so never past it
        end=clock(end) if end < media.duration else clock(end, 2, trim=True),
    )


def parse_clip_time(raw: str | None, which: str) -> float:
    """Seconds from a form's time field.

    :raise ClipRefused: empty, unreadable or negative.
    """
    text = (raw or "").strip()
    if not text:
        raise ClipRefused(f"Give the {which} time of the clip, like 1:02 or 62.")
    if text.startswith("-"):
        raise ClipRefused(f"The {which} time can't be negative.")
    seconds = parse_time(text)
    if seconds is None:
        raise ClipRefused(f"“{text[:20]}” is not a time we can read; write the {which} like 1:02 or 62.")
    return seconds


def source_rendition(recording: Recording, view: View) -> Rendition | None:
    """The MP4 of ``recording`` a clip of ``view`` is cut from.

    For the camera's video, the smallest rung at least 720 high: a clip is at
    most 720 on its short side, and a smaller source decodes faster.
    """
    kind = {View.FLOCK: RenditionKind.FLOCK, View.CARTOON: RenditionKind.CARTOON}.get(view)
    if kind is not None:
        return next((r for r in recording.renditions if r.kind is kind), None)
    mp4s = sorted((r for r in recording.renditions if r.kind is RenditionKind.MP4), key=lambda r: r.height or 0)
    return next((r for r in mp4s if (r.height or 0) >= 720), mp4s[-1] if mp4s else None)


def quote_of(panel: Panel, cues: list[Cue], start: float, end: float, *, automatic: bool = False) -> list[dict]:
    """The cues of ``start``–``end`` as the clip will burn them, with speakers named.

    :param automatic: the cues are unchecked automatic captions (each cue says so).
    """
    speakers = Speakers.of(panel)
    seated = [seat.panelist.name for seat in panel.seats]
    quote = []
    for cue in cues:
        if not (cue.end > start and cue.start < end and cue.plain_text.strip()):
            continue
        # the plate names the speaker once: a name the words already start with comes off
        written, words = split_speaker(cue.plain_text.strip(), [*seated, cue.voice])
        speaker = speakers.name(cue.voice) or speakers.name(written or "")
        said = {"start": cue.start, "end": cue.end, "speaker": speaker, "text": words.strip()}
        quote.append({**said, "automatic": True} if automatic else said)
    return quote


@dataclass(frozen=True)
class ClipRequest:
    """A checked request: every field valid for its panel."""

    panel: Panel
    media: PlayerMedia
    start: float
    end: float
    view: View
    shape: ClipShape


def check_request(panel: Panel, form: dict, *, organiser: bool) -> ClipRequest:
    """Check a clip request against the panel, its recording and its panelists' consent.

    The caller has already checked that this visitor may see ``panel``.

    :raise ClipRefused: clips turned off, no video, a bad time, view or shape.
    """
    if not panel.clips_enabled and not organiser:
        raise ClipRefused("The organisers have turned clip-making off for this panel.", 403)
    media = player_media(panel)
    if media is None or not media.duration:
        raise ClipRefused("This panel has no video to make a clip from yet.", 409)
    start = parse_clip_time(form.get("start"), "start")
    end = parse_clip_time(form.get("end"), "end")
    if end <= start:
        raise ClipRefused("The clip must end after it starts: the end time is not later than the start.")
    length = end - start
    if length > MAX_CLIP_SECONDS:
        raise ClipRefused(
            f"A clip can be at most {MAX_CLIP_SECONDS:g} seconds long; this one would be {length:.0f} seconds."
        )
    if length < MIN_CLIP_SECONDS:
        raise ClipRefused(f"A clip must be at least {MIN_CLIP_SECONDS:g} second long.")
    if end > media.duration + END_TOLERANCE:
        raise ClipRefused(
            f"The recording is only {clock(media.duration)} long; the clip would end at {clock(end)}. "
            "Choose times within the recording."
        )
    end = min(end, media.duration)
    try:
        view = View(form.get("view") or "")
    except ValueError:
        raise ClipRefused("Choose which version of the video the clip shows.") from None
    if view not in CLIP_VIEWS:
        raise ClipRefused(f"A clip can't be made of the {VIEW_LABELS[view].lower()} version.")
    if view not in panel.public_views():
        raise ClipRefused(f"The panelists did not agree to be shown as “{VIEW_LABELS[view]}”, so no clip can show it.")
    if view not in clip_views(media) or source_rendition(media.recording, view) is None:
        raise ClipRefused(f"The “{VIEW_LABELS[view]}” version of this panel hasn't been made (yet).", 409)
    try:
        shape = ClipShape(form.get("shape") or "")
    except ValueError:
        raise ClipRefused("Choose the clip's shape: vertical, square or wide.") from None
    return ClipRequest(panel, media, start, end, view, shape)


def _same(req: ClipRequest):
    return sa.select(Clip).where(
        Clip.recording_id == req.media.recording.id,
        Clip.start_ms == round(req.start * 1000),
        Clip.end_ms == round(req.end * 1000),
        Clip.view == req.view,
        Clip.shape == req.shape,
    )


def request_clip(req: ClipRequest) -> tuple[Clip, bool]:
    """The clip for ``req``: an identical one if it exists, else a new queued one.

    A failed clip, or one whose worker died, is queued again rather than
    handed back broken. Returns ``(clip, queued)``; ``queued`` is True when
    this call left a render waiting, and the caller hands it to the queue
    (``jobs.queue_clip``).
    """
    clip = db.session.scalar(_same(req))
    if clip is not None:
        if clip.status is ClipStatus.FAILED or clip.is_stale:
            clip.status, clip.error, clip.progress = ClipStatus.QUEUED, None, 0.0
            db.session.commit()
            return clip, True
        return clip, False
    clip = Clip(
        recording_id=req.media.recording.id,
        start_ms=round(req.start * 1000),
        end_ms=round(req.end * 1000),
        view=req.view,
        shape=req.shape,
        quote=quote_of(req.panel, req.media.transcript, req.start, req.end, automatic=req.media.transcript_is_draft),
        card_url=panel_url(req.panel, t=url_time(req.start)),
        status=ClipStatus.QUEUED,
    )
    db.session.add(clip)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Someone asked for the same clip a moment earlier: theirs is ours.
        db.session.rollback()
        return db.session.scalars(_same(req)).one(), False
    return clip, True


def clips_of(panel: Panel) -> list[Clip]:
    """Every clip of the panel's recordings, newest first (for the studio)."""
    return list(
        db.session.scalars(
            sa.select(Clip).join(Recording).where(Recording.panel_id == panel.id).order_by(Clip.id.desc())
        )
    )


def clip_is_public(clip: Clip) -> bool:
    """Anyone may see the clip: its panel is public, its recording still the one
    the panel shows, and its view still agreed to (the media route's rule too)."""
    panel = clip.recording.panel
    if not panel.is_public() or clip.view not in panel.public_views():
        return False
    current = ready_recording(panel)
    return current is not None and current.id == clip.recording_id
