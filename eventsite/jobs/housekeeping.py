"""Housekeeping: jobs whose worker died, lost queue messages, expired uploads."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from huey import crontab

from ..database import utcnow
from ..extensions import db, queue
from ..recordings.models import JobStatus, RecordingStatus, TranscodeJob
from ..recordings.upload_store import purge_expired_uploads, uploads_folder
from . import runtime
from .transcode_job import run_transcode_job

log = logging.getLogger(__name__)


def requeue_stale_jobs() -> int:
    """Hand jobs whose worker died back to the queue, up to the retry cap.

    A running job whose heartbeat is older than ``JOB_STALE_SECONDS`` lost its
    worker. Retries wait 30 s, 2 min, 8 min… (backoff) so a file that crashes
    workers cannot keep them all busy. Returns how many jobs were re-queued.
    """
    cfg = runtime.app.config
    cutoff = utcnow() - timedelta(seconds=cfg["JOB_STALE_SECONDS"])
    stale = db.session.scalars(
        sa.select(TranscodeJob).where(TranscodeJob.status == JobStatus.RUNNING, TranscodeJob.heartbeat_at < cutoff)
    ).all()
    requeued = 0
    for job in stale:
        if job.attempts >= cfg["JOB_MAX_ATTEMPTS"]:
            job.status, job.finished_at = JobStatus.FAILED, utcnow()
            job.error = f"The worker stopped while processing this recording {job.attempts} times; giving up."
            if not job.recording.renditions:
                job.recording.status = RecordingStatus.FAILED
            continue
        delay = cfg["JOB_RETRY_DELAY"] * 4 ** (job.attempts - 1)
        # heartbeat_at of a queued job is when it is due, so _redeliver_lost_jobs waits for it.
        job.status, job.heartbeat_at = JobStatus.QUEUED, utcnow() + timedelta(seconds=delay)
        db.session.commit()
        run_transcode_job.schedule((job.id,), delay=delay)
        requeued += 1
    db.session.commit()
    return requeued + _redeliver_lost_jobs()


def _redeliver_lost_jobs() -> int:
    """Send queued jobs again whose queue message was lost (e.g. Redis restarted without persistence).

    A job still queued long after it was created or re-queued may have no message
    left in the queue; a second message is harmless because workers claim jobs
    with a conditional UPDATE.
    """
    cutoff = utcnow() - timedelta(seconds=10 * runtime.app.config["JOB_STALE_SECONDS"])
    lost = db.session.scalars(
        sa.select(TranscodeJob.id).where(
            TranscodeJob.status == JobStatus.QUEUED,
            sa.func.coalesce(TranscodeJob.heartbeat_at, TranscodeJob.created_at) < cutoff,
        )
    ).all()
    for job_id in lost:
        db.session.execute(sa.update(TranscodeJob).where(TranscodeJob.id == job_id).values(heartbeat_at=utcnow()))
        db.session.commit()
        run_transcode_job(job_id)
    return len(lost)


@queue.periodic_task(crontab(minute="*"), name="eventsite.housekeeping")
def housekeeping() -> None:
    """Every minute: re-queue jobs of dead workers, purge expired partial uploads."""
    with runtime.app.app_context():
        count = requeue_stale_jobs()
        if count:
            log.warning("re-queued %s job(s) whose worker stopped", count)
        removed = purge_expired_uploads(uploads_folder(), runtime.app.config["UPLOAD_EXPIRES_SECONDS"])
        if removed:
            log.info("purged %s expired partial upload(s)", removed)
