"""Background jobs: one package, one runner, every kind.

The job row is the truth (a recording's ``RecordingJob`` of any kind, a
quote ``Clip``); the queue only carries its id.

- :mod:`.enqueue` is the one place jobs are queued and cancelled;
- :mod:`.tasks` holds the table of kinds and the queue tasks;
- :mod:`.runner` is the one lifecycle: claim (``queued → running`` in one
  conditional UPDATE, so a second delivery does nothing), a heartbeat and
  progress every second, the kind's work, and a final state written in a
  ``finally``; and the one policy for workers that die (stale heartbeat →
  re-queued with backoff up to ``JOB_MAX_ATTEMPTS``; lost messages re-sent);
- :mod:`.pipeline` is the order of a recording's jobs, as data;
- the kinds only do the work: :mod:`.transcode_job` (the ladder),
  :mod:`.flock_job`, :mod:`.clip_job`, ``eventsite.transcripts.job`` (captions,
  alignment), :mod:`.posters`, :mod:`.mail_jobs`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from huey.storage import RedisStorage, SqliteStorage

from ..extensions import queue
from ..transcode import limits as transcode_limits
from . import runtime
from .enqueue import (
    JobRefused,
    active_jobs,
    cancel_job,
    queue_alignment,
    queue_auto_captions,
    queue_clip,
    queue_flock,
    queue_poster,
    queue_transcode,
)
from .housekeeping import housekeeping, requeue_stale_jobs
from .mail_jobs import deliver_mail
from .posters import choose_poster, render_poster
from .tasks import run_clip_job, run_recording_job

__all__ = [
    "JobRefused",
    "active_jobs",
    "cancel_job",
    "choose_poster",
    "queue_poster",
    "render_poster",
    "deliver_mail",
    "housekeeping",
    "init_app",
    "queue_alignment",
    "queue_auto_captions",
    "queue_clip",
    "queue_flock",
    "queue_transcode",
    "requeue_stale_jobs",
    "run_clip_job",
    "run_recording_job",
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
