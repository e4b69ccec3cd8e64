"""What every job row shares (a recording's ``RecordingJob``, a quote ``Clip``).

The row is the truth about a job; the queue carries only its id. Each model
names its own statuses (a clip ends ``ready``, a recording's job
``succeeded``); the rules that read them are written here once: when a job
counts as *active*, and when its worker counts as *lost* (stale heartbeat).
The runner (:mod:`eventsite.jobs.runner`) writes these rows; areas below it
(a clip request, a recording's removal) read them with the same rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

import sqlalchemy as sa
from flask import current_app

from .database import utcnow


def stale_cutoff(now: datetime | None = None) -> datetime:
    """Heartbeats older than this mean the worker died (``JOB_STALE_SECONDS``)."""
    return (now or utcnow()) - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])


class JobRow:
    """Mixed into a job model: its statuses, and the active and stale rules on them.

    The model has ``status``, ``attempts``, ``progress``, ``heartbeat_at``,
    ``error``, ``stderr_tail``, ``started_at`` and ``finished_at`` columns.
    """

    QUEUED: ClassVar
    RUNNING: ClassVar
    SUCCEEDED: ClassVar
    FAILED: ClassVar
    #: None for rows that cannot be cancelled (a cancelled render simply failed).
    CANCELLED: ClassVar = None

    @classmethod
    def active_condition(cls) -> sa.ColumnElement[bool]:
        """SQL: waiting for a worker, or being worked on."""
        return cls.status.in_([cls.QUEUED, cls.RUNNING])

    @classmethod
    def stale_condition(cls, now: datetime | None = None) -> sa.ColumnElement[bool]:
        """SQL: running, but the worker has not been heard from in ``JOB_STALE_SECONDS``."""
        return sa.and_(
            cls.status == cls.RUNNING, sa.or_(cls.heartbeat_at.is_(None), cls.heartbeat_at < stale_cutoff(now))
        )

    @property
    def is_active(self) -> bool:
        return self.status in (self.QUEUED, self.RUNNING)

    @property
    def is_stale(self) -> bool:
        """Running, with a heartbeat too old (the same rule as :meth:`stale_condition`)."""
        return self.status == self.RUNNING and (self.heartbeat_at is None or self.heartbeat_at < stale_cutoff())
