"""The one job lifecycle: claim the row, heartbeat while the kind works, always finish it.

Every job row (:class:`eventsite.job_rows.JobRow`: a recording's
``RecordingJob`` of any kind, a quote ``Clip``) runs through :func:`run`:

1. **claim** the row from queued to running in one conditional UPDATE, so a
   second delivery of the same id does nothing;
2. a :class:`Watcher` thread writes progress and a heartbeat every second and
   turns an organiser's cancel into an event;
3. the kind does its work (:mod:`.tasks` says which function for which row);
4. :func:`finish`, in a ``finally``, writes the final state whatever happened,
   then announces it (``signals.job_finished``) so the pipeline can follow.

One policy for workers that die (:func:`requeue_stale`): a running row whose
heartbeat is stale goes back to the queue after a growing delay, up to
``JOB_MAX_ATTEMPTS``; a queued row whose message was lost is sent again
(:func:`redeliver_lost`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from .. import signals, transcode
from ..database import utcnow
from ..extensions import db
from . import runtime

log = logging.getLogger(__name__)
_HOST = socket.gethostname()

CANCELLED_MESSAGE = "Cancelled by an organiser."


def _nothing(_row, _status, _notes) -> None:
    return None


@dataclass(frozen=True)
class JobTable:
    """A table of job rows and what the runner needs to know to run one of them."""

    #: Named in the log ("job 12", "clip 3").
    name: str
    #: The model, a :class:`~eventsite.job_rows.JobRow`.
    model: type
    #: The work: ``work(row, watcher)`` returns the notes for the organiser (or None).
    work: Callable[[Any, Watcher], list[str] | None]
    #: The queue task that runs one row by id (``deliver(row_id)``, ``deliver.schedule``).
    deliver: Any
    #: What a lost worker was doing, for the giving-up message ("processing this recording").
    doing: str
    #: What a crashed worker leaves as the error.
    crashed: str
    #: Called with the row, its final status and the notes, before the final commit.
    settle: Callable[[Any, Any, list[str] | None], None] = _nothing
    #: The highest progress a running row shows (1.0 is written only by :func:`finish`).
    progress_cap: float = 1.0


def claim(model, row_id: int) -> bool:
    """Move a row from queued to running in one conditional UPDATE; False if another
    worker has it or it is no longer queued."""
    now = utcnow()
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == model.QUEUED)
        .values(
            status=model.RUNNING,
            attempts=model.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            error=None,
            stderr_tail=None,
        )
    )
    db.session.commit()
    return result.rowcount == 1


class Watcher(threading.Thread):
    """Writes progress and a heartbeat every second; turns a cancel request into an event.

    The first progress report is written at once rather than at the next beat,
    so the studio shows movement as soon as ffmpeg has any. Progress is kept
    here and written by this thread, so ffmpeg's reader never waits on the database.
    """

    def __init__(self, app: Flask, table: JobTable, row_id: int, interval: float = 1.0) -> None:
        super().__init__(daemon=True, name=f"{table.name}-{row_id}-watcher")
        self.app, self.table, self.row_id, self.interval = app, table, row_id, interval
        self.cancel = threading.Event()
        self.stop = threading.Event()
        self._wake = threading.Event()
        self.latest: transcode.Progress | None = None
        columns = table.model.__table__.c
        self._reports_speed = "speed" in columns
        self._can_cancel = "cancel_requested" in columns

    def on_progress(self, progress: transcode.Progress) -> None:
        first = self.latest is None
        self.latest = progress
        if first:
            self._wake.set()

    def finish(self) -> None:
        self.stop.set()
        self._wake.set()
        self.join()

    def run(self) -> None:
        with self.app.app_context():
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                if self.stop.is_set():
                    return
                self.beat()

    def beat(self) -> None:
        model = self.table.model
        values: dict = {"heartbeat_at": utcnow()}
        if (p := self.latest) is not None:
            values["progress"] = min(p.fraction, self.table.progress_cap)
            if self._reports_speed:
                values.update(speed=p.speed, eta_seconds=p.eta_seconds)
        try:
            db.session.execute(sa.update(model).where(model.id == self.row_id).values(**values))
            db.session.commit()
            if self._can_cancel and db.session.scalar(sa.select(model.cancel_requested).where(model.id == self.row_id)):
                self.cancel.set()
        except sa.exc.OperationalError:
            db.session.rollback()  # a busy database must not kill the job; the next beat retries
        finally:
            db.session.remove()


def run(table: JobTable, row_id: int) -> None:
    """Claim row ``row_id`` of ``table``, do its work, and always leave it in a final state."""
    model = table.model
    if not claim(model, row_id):
        log.info("%s %s is not queued any more; skipping this delivery", table.name, row_id)
        return
    row = db.session.get(model, row_id)
    # Which node ran what: with several workers this is where an operator looks.
    what = f"{row.kind.value}, recording {row.recording_id}" if hasattr(row, "kind") else f"{table.name}"
    log.info("%s %s (%s) started on %s pid %s", table.name, row_id, what, _HOST, os.getpid())
    status, error, detail, notes = model.FAILED, table.crashed, None, None
    watcher = Watcher(runtime.app, table, row_id)
    watcher.start()
    try:
        notes = table.work(row, watcher)
        status, error = model.SUCCEEDED, None
    except transcode.TranscodeCancelled:
        status, error = model.CANCELLED or model.FAILED, CANCELLED_MESSAGE
    except transcode.TranscodeError as exc:
        error, detail = exc.message, exc.detail
    except Exception:  # noqa: BLE001  (any bug must still end the row in a final state)
        log.exception("%s %s crashed", table.name, row_id)
    finally:
        watcher.finish()
        finish(table, row_id, status, error, detail, notes)


def finish(table: JobTable, row_id: int, status, error: str | None, detail: str | None, notes=None) -> None:
    """Write the final state, then announce it (the pipeline follows a finished job)."""
    db.session.rollback()  # drop whatever a failure left half-done; successes committed already
    row = db.session.get(table.model, row_id)
    row.status, row.error, row.stderr_tail, row.finished_at = status, error, detail, utcnow()
    if status is table.model.SUCCEEDED:
        row.progress = 1.0
    table.settle(row, status, notes)
    db.session.commit()
    signals.job_finished.send(row, status=status)


def retry_delay(attempts: int) -> float:
    """Seconds before a lost job runs again: 30 s, 2 min, 8 min… (``JOB_RETRY_DELAY`` × 4ⁿ),
    so a file that crashes workers cannot keep them all busy."""
    return runtime.app.config["JOB_RETRY_DELAY"] * 4 ** max(attempts - 1, 0)


def requeue_stale(table: JobTable) -> int:
    """Hand rows whose worker died back to the queue, up to the attempt cap; returns how many.

    A row at the cap fails with a plain sentence (and settles like any failed job).
    """
    model = table.model
    cap = runtime.app.config["JOB_MAX_ATTEMPTS"]
    requeued = 0
    for row in db.session.scalars(sa.select(model).where(model.stale_condition())).all():
        if row.attempts >= cap:
            row.status, row.finished_at = model.FAILED, utcnow()
            row.error = f"The worker stopped while {table.doing} {row.attempts} times; giving up."
            table.settle(row, model.FAILED, None)
            db.session.commit()
            continue
        delay = retry_delay(row.attempts)
        # Conditional, in case the worker was only slow and finishes now. heartbeat_at
        # of a queued row is when it is due, so redeliver_lost waits for it.
        moved = db.session.execute(
            sa.update(model)
            .where(model.id == row.id, model.status == model.RUNNING)
            .values(status=model.QUEUED, heartbeat_at=utcnow() + timedelta(seconds=delay))
        ).rowcount
        db.session.commit()
        if moved:
            table.deliver.schedule((row.id,), delay=delay)
            requeued += 1
    return requeued


def redeliver_lost(table: JobTable) -> int:
    """Send queued rows again whose queue message was lost (e.g. Redis restarted without persistence).

    A row still queued long after it was created or re-queued may have no message
    left in the queue; a second message is harmless because :func:`claim` is conditional.
    """
    model = table.model
    cutoff = utcnow() - timedelta(seconds=10 * runtime.app.config["JOB_STALE_SECONDS"])
    lost = db.session.scalars(
        sa.select(model.id).where(
            model.status == model.QUEUED, sa.func.coalesce(model.heartbeat_at, model.created_at) < cutoff
        )
    ).all()
    for row_id in lost:
        db.session.execute(sa.update(model).where(model.id == row_id).values(heartbeat_at=utcnow()))
        db.session.commit()
        table.deliver(row_id)
    return len(lost)
