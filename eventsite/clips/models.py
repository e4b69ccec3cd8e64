"""Quote clips: a short stretch of a panel's recording, cut and captioned for social media."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..database import UTCDateTime, utcnow, value_enum
from ..events.models import View
from ..extensions import db
from ..job_rows import JobRow


class ClipShape(enum.StrEnum):
    """The frame a clip is made for: where it will be posted decides it."""

    #: 1:1, for feeds that show square posts best.
    SQUARE = "square"
    #: 9:16, for stories and short-video apps held upright.
    VERTICAL = "vertical"
    #: 16:9, like the panel's own video.
    WIDE = "wide"

    @property
    def label(self) -> str:
        return SHAPE_LABELS[self]


SHAPE_LABELS = {
    ClipShape.VERTICAL: "Vertical (9:16)",
    ClipShape.SQUARE: "Square (1:1)",
    ClipShape.WIDE: "Wide (16:9)",
}

#: Views a clip can be cut from (the sound alone makes no video clip).
CLIP_VIEWS = (View.VIDEO, View.CARTOON, View.FLOCK)


class ClipStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class Clip(JobRow, db.Model):
    """One rendered (or rendering) clip; the row is the job's truth, the queue carries its id.

    Identical requests (same recording, times, view and shape) share one row,
    so a quote shared widely is rendered once.
    """

    __table_args__ = (sa.UniqueConstraint("recording_id", "start_ms", "end_ms", "view", "shape"),)
    QUEUED, RUNNING, SUCCEEDED, FAILED = ClipStatus.QUEUED, ClipStatus.RUNNING, ClipStatus.READY, ClipStatus.FAILED

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: The recording cut from; deleting it (or its panel) deletes its clips.
    recording_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("recording.id", ondelete="CASCADE"), index=True)
    #: The stretch, in whole milliseconds of the recording: integers, so the
    #: unique key compares exactly (floats from two forms might not).
    start_ms: so.Mapped[int]
    end_ms: so.Mapped[int]
    view: so.Mapped[View] = so.mapped_column(value_enum(View))
    shape: so.Mapped[ClipShape] = so.mapped_column(value_enum(ClipShape))
    #: The cues of the stretch when it was asked for, as burned into the picture:
    #: ``[{"start", "end", "speaker", "text"}]`` in recording seconds, with
    #: ``"automatic": true`` on cues of automatic captions nobody had checked.
    quote: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    #: The panel page at the clip's moment, written on the end card.
    card_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    status: so.Mapped[ClipStatus] = so.mapped_column(value_enum(ClipStatus), default=ClipStatus.QUEUED, index=True)
    #: How many times a worker has started rendering this clip.
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    #: Fraction rendered, 0–1.
    progress: so.Mapped[float] = so.mapped_column(default=0.0)
    #: Last sign of life from the rendering worker; stale means it died.
    heartbeat_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: Plain-words reason shown on the clip page when rendering failed.
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    stderr_tail: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: Storage keys of the published MP4 and poster; set only once both are in place.
    video_key: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    poster_key: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    width: so.Mapped[int | None]
    height: so.Mapped[int | None]
    #: Length of the published MP4 (the quote plus its end card), in seconds.
    duration_seconds: so.Mapped[float | None]
    size_bytes: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    recording: so.Mapped["Recording"] = so.relationship()  # noqa: F821

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000

    @property
    def length(self) -> float:
        """Seconds of the recording the clip quotes (without its end card)."""
        return (self.end_ms - self.start_ms) / 1000

    @property
    def quote_is_draft(self) -> bool:
        """The quoted words are unchecked automatic captions (frozen when the clip was asked
        for: checking the captions later does not change what the clip shows)."""
        return any(cue.get("automatic") for cue in self.quote or [])

    @property
    def is_ready(self) -> bool:
        return self.status is ClipStatus.READY and bool(self.video_key)

    def __repr__(self) -> str:
        return f"<Clip {self.id} {self.view.value} {self.shape.value} {self.start_ms}-{self.end_ms}>"
