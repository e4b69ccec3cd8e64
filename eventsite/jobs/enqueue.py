"""The one place jobs are queued (and cancelled): a row first, then its id on the queue.

Every kind is queued here: the ladder, the flock, draft captions, an
alignment, a quote clip, a poster frame, a mail. Each ``queue_*`` checks what must hold first (no
active job it must wait for, :data:`.pipeline.WAITS_FOR`; the settings; the
organiser's own captions) and creates the row; the queue only ever carries the row's id.
When the runner announces a finished job, :func:`_follow` queues the next
stage of the pipeline (:mod:`.pipeline`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import current_app

from .. import signals
from ..clips.models import Clip
from ..database import utcnow
from ..extensions import db
from ..recordings.models import JobKind, JobStatus, Recording, RecordingJob, RecordingStatus
from ..refusals import Refused
from ..storage import media_store, recording_key
from ..transcripts.job import CaptionJobRefused, is_english, organisers_captions
from ..transcripts.transcript_text import read_transcript
from .chunk_job import stop_chunks
from .mail_jobs import deliver_mail
from .pipeline import WAITS_FOR, next_stage
from .posters import poster_refusal, render_poster
from .tasks import run_clip_job, run_recording_job


class JobRefused(Refused):
    """A job request that cannot be done now, in plain words."""


def active_jobs(recording: Recording, kinds: Iterable[JobKind] = tuple(JobKind)) -> list[RecordingJob]:
    """The recording's queued or running jobs (of ``kinds``; of any kind, chunks too, by default), oldest first."""
    return list(
        db.session.scalars(
            sa.select(RecordingJob)
            .where(
                RecordingJob.recording_id == recording.id,
                RecordingJob.kind.in_(list(kinds)),
                RecordingJob.active_condition(),
            )
            .order_by(RecordingJob.id)
        )
    )


def waited_for(recording: Recording, kind: JobKind) -> RecordingJob | None:
    """The active job a new ``kind`` job of ``recording`` must wait for (:data:`.pipeline.WAITS_FOR`), if any."""
    return next(iter(active_jobs(recording, WAITS_FOR[kind])), None)


def _enqueue(recording: Recording, kind: JobKind, input_key: str | None = None) -> RecordingJob:
    job = RecordingJob(kind=kind, status=JobStatus.QUEUED, input_key=input_key)
    recording.jobs.append(job)
    if kind is JobKind.TRANSCODE and recording.status is not RecordingStatus.READY:
        recording.status = RecordingStatus.PROCESSING
    db.session.commit()
    run_recording_job(job.id)
    return job


def queue_transcode(recording: Recording) -> RecordingJob:
    """Queue the ladder for ``recording``.

    One job per recording at a time, so two runs never race to publish.

    :raise JobRefused: the recording already has a queued or running job.
    """
    if waited_for(recording, JobKind.TRANSCODE) is not None:
        raise JobRefused("This recording is already being processed.")
    return _enqueue(recording, JobKind.TRANSCODE)


def queue_flock(recording: Recording) -> RecordingJob | None:
    """Queue the flock job for ``recording``; None while a flock, or a ladder it would draw
    over, is waiting or running (the pipeline queues the flock after that ladder)."""
    if waited_for(recording, JobKind.FLOCK) is not None:
        return None
    return _enqueue(recording, JobKind.FLOCK)


def queue_auto_captions(recording: Recording) -> RecordingJob | None:
    """Queue draft captions for ``recording`` unless it needs none.

    None when turned off, not English, already captioned by an organiser, or already queued.
    """
    if not current_app.config["AUTO_CAPTIONS_ENABLED"] or not is_english(recording):
        return None
    if organisers_captions(recording) or waited_for(recording, JobKind.CAPTIONS):
        return None
    return _enqueue(recording, JobKind.CAPTIONS)


def queue_alignment(recording: Recording, text: str) -> RecordingJob:
    """Queue the alignment of a pasted transcript with ``recording``.

    :raise TranscriptError: the paste is empty or too large.
    :raise CaptionJobRefused: not English, or an alignment is already running.
    """
    read_transcript(text)  # refuse an empty or giant paste now, not in the worker
    if not is_english(recording):
        raise CaptionJobRefused(
            f"Alignment works for English speech only; this recording is marked as “{recording.language}”."
        )
    if waited_for(recording, JobKind.ALIGN):
        raise CaptionJobRefused("A transcript is already being aligned with this recording; wait for it or cancel it.")
    key = recording_key(recording.id, "transcripts", f"paste-{secrets.token_hex(6)}.txt")
    media_store().save_bytes(key, text.encode("utf-8"))
    return _enqueue(recording, JobKind.ALIGN, key)


def queue_clip(clip: Clip) -> None:
    """Hand a queued clip's id to the worker."""
    run_clip_job(clip.id)


def queue_poster(recording: Recording, seconds: float) -> None:
    """Check the organiser's choice now and take the frame in a worker.

    :raise JobRefused: no poster to replace yet, or a moment past the end.
    """
    if (why := poster_refusal(recording, seconds)) is not None:
        raise JobRefused(why)
    render_poster(recording.id, float(seconds))


@signals.mail_ready.connect
def _queue_mail(_app, to: str, subject: str, body: str, headers: dict[str, str]) -> bool:
    """``mail.queue_mail`` announced a message: hand it to a worker."""
    deliver_mail(to, subject, body, headers)
    return True


def cancel_job(job: RecordingJob) -> None:
    """Stop a job: a queued one at once, a running one within a second or so.

    A running job is only *asked* to stop (``cancel_requested``); its worker
    kills ffmpeg and writes the final state, so the row never claims
    "cancelled" while ffmpeg is still writing files.
    """
    cancelled = db.session.execute(
        sa.update(RecordingJob)
        .where(RecordingJob.id == job.id, RecordingJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=utcnow(), error="Cancelled by an organiser.")
    ).rowcount
    if not cancelled:
        db.session.execute(
            sa.update(RecordingJob)
            .where(RecordingJob.id == job.id, RecordingJob.status == JobStatus.RUNNING)
            .values(cancel_requested=True)
        )
    db.session.commit()
    stop_chunks(job.id)  # a long recording's chunks, wherever they run
    db.session.refresh(job)
    recording = job.recording
    if cancelled and recording.status is RecordingStatus.PROCESSING:
        recording.status = RecordingStatus.READY if recording.renditions else RecordingStatus.FAILED
        db.session.commit()


#: How each stage of the pipeline is queued.
STAGES: dict[JobKind, Callable[[Recording], RecordingJob | None]] = {
    JobKind.FLOCK: queue_flock,
    JobKind.CAPTIONS: queue_auto_captions,
}


@signals.original_stored.connect
def _start_pipeline(recording: Recording) -> None:
    """A new upload starts the pipeline (upload → transcode → flock → captions)."""
    queue_transcode(recording)


@signals.job_finished.connect
def _follow(row, status) -> None:
    """Queue what comes after a finished recording job (clips end their own pipeline)."""
    if not isinstance(row, RecordingJob):
        return
    following = next_stage(row.kind, status, current_app.config)
    if following is not None:
        STAGES[following](row.recording)
