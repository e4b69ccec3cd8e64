"""Housekeeping: jobs (and clips) whose worker died, lost queue messages, expired uploads,
public copies on object storage that a change hid."""

from __future__ import annotations

import logging

from huey import crontab

from ..extensions import queue
from ..recordings.public_copies import withdraw_everywhere
from ..recordings.upload_store import purge_expired_uploads, uploads_folder
from ..storage import StorageError
from . import runtime
from .runner import redeliver_lost, requeue_stale
from .tasks import TABLES

log = logging.getLogger(__name__)


def requeue_stale_jobs() -> int:
    """Hand every job whose worker died back to the queue, and send again those whose
    message was lost: recording jobs and clips alike, by the runner's one policy
    (attempt cap, backoff, redelivery). Returns how many were re-queued or re-sent.
    """
    return sum(requeue_stale(table) + redeliver_lost(table) for table in TABLES)


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


@queue.periodic_task(crontab(minute="*/10"), name="eventsite.public-copies")
def sweep_public_copies() -> None:
    """Every ten minutes: remove public copies the public may no longer see (the listeners
    withdraw them at once; this catches a withdrawal that failed or a change made by hand)."""
    with runtime.app.app_context():
        try:
            removed = withdraw_everywhere()
        except StorageError:
            log.exception("could not sweep the public copies; trying again in ten minutes")
            return
        if removed:
            log.warning("withdrew %s public cop(ies) the public may no longer see", removed)
