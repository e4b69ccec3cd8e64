"""Deleting a recording: its rows, its files, and any job still working on it."""

from __future__ import annotations

import time

from .. import search
from ..extensions import db
from ..jobs import active_job, cancel_job
from ..recordings.models import JobStatus, Recording
from ..recordings.player import ready_recording
from ..storage import media_store

#: How long a delete waits for a running job's worker to stop ffmpeg (it looks every second).
STOP_WAIT_SECONDS = 5.0


class RecordingBusy(Exception):
    """The recording's job is still stopping; the sentence says what to do."""


def is_current(recording: Recording) -> bool:
    """Whether the public player shows this recording (the panel's newest ready one)."""
    current = ready_recording(recording.panel)
    return current is not None and current.id == recording.id


def delete_recording(recording: Recording, *, wait_seconds: float = STOP_WAIT_SECONDS) -> None:
    """Delete ``recording`` with its renditions, captions, chapters and jobs, then its files.

    A queued job is cancelled at once; a running one is asked to stop and
    waited for, so no worker writes into a folder being removed. Files go
    after the rows: a file left behind by a crash is harmless, a row pointing
    at a missing file is not.

    :raise RecordingBusy: a running job had not stopped after ``wait_seconds``.
    """
    job = active_job(recording)
    if job is not None:
        cancel_job(job)
        deadline = time.monotonic() + wait_seconds
        while job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            if time.monotonic() > deadline:
                raise RecordingBusy("Its transcode is still stopping; try again in a few seconds.")
            time.sleep(0.2)
            db.session.refresh(job)
    panel = recording.panel
    folder = f"recordings/{recording.id}"
    keys = [recording.original_key] if not recording.original_key.startswith(folder + "/") else []
    db.session.delete(recording)
    db.session.commit()
    store = media_store()
    for key in [folder, *keys]:
        store.delete(key)
    search.reindex_panel(panel)
