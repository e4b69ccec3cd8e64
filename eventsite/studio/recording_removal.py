"""Deleting a recording: its rows, its files, and any job still working on it."""

from __future__ import annotations

import time

from .. import signals
from ..extensions import db
from ..jobs import active_jobs, cancel_job
from ..recordings.current import ready_recording
from ..recordings.models import Recording
from ..refusals import Refused
from ..storage import media_store, recording_key

#: How long a delete waits for a running job's worker to stop ffmpeg (it looks every second).
STOP_WAIT_SECONDS = 5.0


class RecordingBusy(Refused):
    """The recording's job is still stopping; the sentence says what to do."""


def is_current(recording: Recording) -> bool:
    """Whether the public player shows this recording (the panel's newest ready one)."""
    current = ready_recording(recording.panel)
    return current is not None and current.id == recording.id


def delete_recording(recording: Recording, *, wait_seconds: float = STOP_WAIT_SECONDS) -> None:
    """Delete ``recording`` with its renditions, captions, chapters and jobs, then its files.

    Every queued job is cancelled at once; every running one is asked to stop and
    waited for, so no worker writes into a folder being removed. Files go
    after the rows: a file left behind by a crash is harmless, a row pointing
    at a missing file is not.

    :raise RecordingBusy: a running job had not stopped after ``wait_seconds``.
    """
    busy = active_jobs(recording)
    for job in busy:
        cancel_job(job)
    deadline = time.monotonic() + wait_seconds
    while any(job.is_active for job in busy):
        if time.monotonic() > deadline:
            raise RecordingBusy("Its processing is still stopping; try again in a few seconds.")
        time.sleep(0.2)
        for job in busy:
            db.session.refresh(job)
    panel = recording.panel
    folder = recording_key(recording.id)
    keys = [recording.original_key] if not recording.original_key.startswith(folder + "/") else []
    db.session.delete(recording)
    db.session.commit()
    store = media_store()
    for key in [folder, *keys]:
        store.delete(key)
    signals.recording_deleted.send(panel)
