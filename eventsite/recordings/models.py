"""Recordings of panels, their renditions, transcode jobs, captions and chapters."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db
from ..job_rows import JobRow


class RecordingStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class RenditionKind(enum.StrEnum):
    HLS = "hls"
    MP4 = "mp4"
    AUDIO = "audio"
    POSTER = "poster"
    STORYBOARD = "storyboard"
    CARTOON = "cartoon"
    #: The feathered-friends video (see eventsite/flock): its MP4, HLS master,
    #: poster and storyboard, and the speech timeline it was drawn from (JSON).
    FLOCK = "flock"
    FLOCK_HLS = "flock_hls"
    FLOCK_POSTER = "flock_poster"
    FLOCK_STORYBOARD = "flock_storyboard"
    TIMELINE = "timeline"


class JobKind(enum.StrEnum):
    """What a :class:`RecordingJob` does; each kind's work is named in ``eventsite.jobs.tasks.KINDS``."""

    #: Transcode the original into the rendition ladder (the first stage after an upload).
    TRANSCODE = "transcode"
    #: Listen for who speaks when and draw the flock video; queued after each transcode.
    FLOCK = "flock"
    #: Draft captions by speech recognition (English only); queued after the flock.
    CAPTIONS = "captions"
    #: Time an organiser's pasted transcript against the recording (``input_key``).
    ALIGN = "align"
    #: One chunk of a long recording's ladder (``chunk``), for whichever worker is free; its
    #: ``parent`` transcode joins the chunks.
    CHUNK = "chunk"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CaptionSource(enum.StrEnum):
    """Where a caption track's words came from: what the panel page may claim about them."""

    UPLOADED = "uploaded"  #: an organiser's file
    AUTOMATIC = "automatic"  #: speech recognition, a draft nobody checked
    ALIGNED = "aligned"  #: an organiser's transcript, timed by forced alignment
    EDITED = "edited"  #: changed by an organiser in the caption editor


class Recording(db.Model):
    # Never reuse the id of a deleted recording: its id names a media folder.
    __table_args__ = {"sqlite_autoincrement": True}

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel.id"), index=True)
    #: Storage key of the untouched original upload.
    original_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    #: The uploader's file name, kept only for display.
    original_filename: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    size_bytes: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    #: The tus upload this original came from, so a client that resumes a
    #: finished upload learns it is complete instead of starting again.
    upload_id: so.Mapped[str | None] = so.mapped_column(sa.String(32), unique=True)
    duration_seconds: so.Mapped[float | None]
    #: The probe's findings (format, streams) as JSON, for the studio.
    probe: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    status: so.Mapped[RecordingStatus] = so.mapped_column(value_enum(RecordingStatus), default=RecordingStatus.UPLOADED)
    #: Where in the video the poster frame was taken (seconds).
    poster_time: so.Mapped[float | None]
    #: An organiser's corrections to the speech timeline (who speaks when), as
    #: eventsite.flock.corrections ops keyed by time, so they survive a re-listen.
    speech_corrections: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    #: The flock job's "please check" notes an organiser marked as checked (their texts).
    flock_notes_checked: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    #: BCP 47 tag of the spoken language; automatic captions and alignment are made for English only.
    language: so.Mapped[str] = so.mapped_column(sa.String(20), default="en", server_default="en")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    panel: so.Mapped["Panel"] = so.relationship(back_populates="recordings")  # noqa: F821
    renditions: so.Mapped[list[Rendition]] = so.relationship(
        back_populates="recording", cascade="all, delete-orphan", order_by="Rendition.height.desc()"
    )
    # Captions and chapters belong to the recording: deleting a recording (or its
    # panel, or its event) must take them along, not fail on a foreign key.
    captions: so.Mapped[list[Caption]] = so.relationship(cascade="all, delete-orphan")
    chapters: so.Mapped[list[Chapter]] = so.relationship(cascade="all, delete-orphan", order_by="Chapter.start")
    jobs: so.Mapped[list[RecordingJob]] = so.relationship(
        back_populates="recording", cascade="all, delete-orphan", order_by="RecordingJob.id.desc()"
    )

    @property
    def pipeline_jobs(self) -> list[RecordingJob]:
        """Its jobs, newest first, without the chunks a transcode shares out (they are that transcode's)."""
        return [job for job in self.jobs if job.parent_id is None]


class Rendition(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recording_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("recording.id"), index=True)
    kind: so.Mapped[RenditionKind] = so.mapped_column(value_enum(RenditionKind))
    #: Human label, e.g. "720p" or "audio".
    label: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    width: so.Mapped[int | None]
    height: so.Mapped[int | None]
    bitrate: so.Mapped[int | None]
    storage_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    size_bytes: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)

    recording: so.Mapped[Recording] = so.relationship(back_populates="renditions")


class RecordingJob(JobRow, db.Model):
    """The truth about one job on a recording (ladder, flock, captions, alignment); the queue only carries its id."""

    # The table keeps the name it had when the ladder was the only kind: renaming it
    # would rename its indexes, keys and PostgreSQL sequence for no reader's gain.
    __tablename__ = "transcode_job"

    QUEUED, RUNNING, SUCCEEDED = JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED
    FAILED, CANCELLED = JobStatus.FAILED, JobStatus.CANCELLED

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recording_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("recording.id"), index=True)
    #: What the job does: the ladder, the flock, draft captions or an alignment.
    kind: so.Mapped[JobKind] = so.mapped_column(
        value_enum(JobKind), default=JobKind.TRANSCODE, server_default="transcode"
    )
    status: so.Mapped[JobStatus] = so.mapped_column(value_enum(JobStatus), default=JobStatus.QUEUED, index=True)
    #: How many times a worker has started this job (capped by JOB_MAX_ATTEMPTS).
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    #: Set by an organiser's "Cancel"; the running worker sees it and stops ffmpeg.
    cancel_requested: so.Mapped[bool] = so.mapped_column(default=False)
    #: Fraction done, 0–1.
    progress: so.Mapped[float] = so.mapped_column(default=0.0)
    #: Encoding speed as a multiple of real time.
    speed: so.Mapped[float | None]
    eta_seconds: so.Mapped[float | None]
    #: Last sign of life from the worker; stale means the worker died.
    heartbeat_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: Plain-words reason shown to organisers when the job failed.
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: What a successful job assumed, for the organiser ("Speakers were told apart automatically…").
    notes: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    stderr_tail: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: Storage key of what the job works from besides the recording (an alignment's pasted transcript).
    input_key: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    #: The transcode a chunk belongs to (None for every other job).
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("transcode_job.id"), index=True)
    #: A chunk's frames: ``{"index": 3, "first_frame": 8100, "end_frame": 10800}`` (end None: to the end).
    chunk: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    recording: so.Mapped[Recording] = so.relationship(back_populates="jobs")
    #: declared so that deleting a recording's jobs removes the chunks before their transcode
    parent: so.Mapped[RecordingJob | None] = so.relationship(remote_side=[id])


class Caption(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recording_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("recording.id"), index=True)
    #: BCP 47 language tag, e.g. "en".
    language: so.Mapped[str] = so.mapped_column(sa.String(20))
    label: so.Mapped[str] = so.mapped_column(sa.String(80))
    #: Storage key of the WebVTT file.
    storage_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    #: Where the words came from; "automatic" ones are shown as a draft.
    source: so.Mapped[CaptionSource] = so.mapped_column(
        value_enum(CaptionSource), default=CaptionSource.UPLOADED, server_default="uploaded"
    )
    #: The cues' voices were taken from the speech timeline (automatic captions, a pasted transcript
    #: that named nobody), not written by an organiser: they follow corrections of who speaks.
    voices_from_timeline: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())


class Chapter(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recording_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("recording.id"), index=True)
    #: Start time in seconds.
    start: so.Mapped[float]
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: Who speaks in this chapter; cleared (not the chapter) if the panelist is deleted.
    panelist_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("panelist.id", ondelete="SET NULL"))
