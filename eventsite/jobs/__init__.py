"""Background jobs: the only bridge between ``eventsite.transcode`` and the database.

The ``TranscodeJob`` row is the truth; the queue only carries its id. A worker
claims a job with one conditional UPDATE (``queued → running``), so a second
delivery of the same id does nothing. While ffmpeg runs, a watcher thread
writes progress and a heartbeat every second and notices an organiser's
cancel. Whatever happens, the row ends ``succeeded``, ``failed`` or
``cancelled``. If the worker itself dies (SIGKILL, power cut) the heartbeat
goes stale and :func:`requeue_stale_jobs` hands the job to another worker.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from huey.storage import RedisStorage, SqliteStorage

from ..extensions import queue
from ..transcode import limits as transcode_limits
from . import runtime
from .housekeeping import housekeeping, requeue_stale_jobs
from .mail_jobs import deliver_mail
from .posters import choose_poster, queue_poster, render_poster
from .transcode_job import JobRefused, active_job, cancel_job, queue_transcode, run_transcode_job

__all__ = [
    "JobRefused",
    "active_job",
    "cancel_job",
    "choose_poster",
    "queue_poster",
    "render_poster",
    "deliver_mail",
    "housekeeping",
    "init_app",
    "queue_transcode",
    "requeue_stale_jobs",
    "run_transcode_job",
]


def _storage_for(url: str | None, instance_path: str):
    """(storage class, kwargs) for a queue URL; SQLite in the instance folder by default."""
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url and url.startswith("sqlite:///"):
        filename = url[len("sqlite:///") :]
    elif url:
        raise ValueError(f"EVENTSITE_QUEUE_URL must start with sqlite:/// or redis://, not {url!r}")
    else:
        filename = str(Path(instance_path) / "queue.db")
    return SqliteStorage, {"filename": filename}


def init_app(app: Flask) -> None:
    """Point the queue at the configured storage and remember the app for tasks."""
    runtime.app = app
    storage_class, kwargs = _storage_for(app.config.get("QUEUE_URL"), app.instance_path)
    queue.storage_class = storage_class
    queue.storage_kwargs = kwargs
    queue.storage = queue.create_storage()
    queue.immediate = bool(app.config.get("QUEUE_IMMEDIATE"))
    # every ffmpeg/ffprobe of this process (web upload checks included) gets these
    transcode_limits.configure(
        transcode_limits.ResourceLimits(
            address_space=int(app.config["FFMPEG_MEMORY_LIMIT"]),
            cpu_per_media_second=float(app.config["FFMPEG_CPU_PER_SECOND"]),
            timeout_max=float(app.config["TRANSCODE_TIMEOUT_MAX"]),
        )
    )
