"""Which jobs may be queued beside which: one rule (jobs.pipeline.WAITS_FOR) for every kind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.extensions import db
from eventsite.recordings.models import JobKind, JobStatus, RecordingJob
from eventsite.studio.recording_removal import RecordingBusy, delete_recording

PACKAGE = Path(jobs.__file__).resolve().parent.parent


def kinds_of(recording) -> list[JobKind]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(RecordingJob.kind).where(RecordingJob.recording_id == recording.id).order_by(RecordingJob.id)
        )
    )


def add_job(recording, kind: JobKind, status: JobStatus) -> RecordingJob:
    job = RecordingJob(recording_id=recording.id, kind=kind, status=status)
    db.session.add(job)
    db.session.commit()
    return job


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_no_flock_is_queued_while_a_transcode_would_replace_what_it_draws_over(app, ready_panel, status):
    recording = ready_panel.recordings[0]
    add_job(recording, JobKind.TRANSCODE, status)
    assert jobs.queue_flock(recording) is None
    assert kinds_of(recording) == [JobKind.TRANSCODE]


def test_a_flock_is_queued_once_the_transcode_has_ended(app, ready_panel):
    recording = ready_panel.recordings[0]
    add_job(recording, JobKind.TRANSCODE, JobStatus.SUCCEEDED)
    assert jobs.queue_flock(recording) is not None
    assert jobs.queue_flock(recording) is None  # one flock at a time
    assert kinds_of(recording) == [JobKind.TRANSCODE, JobKind.FLOCK]


def test_a_transcode_waits_for_a_running_flock(app, ready_panel):
    recording = ready_panel.recordings[0]
    add_job(recording, JobKind.FLOCK, JobStatus.RUNNING)
    with pytest.raises(jobs.JobRefused, match="already being processed"):
        jobs.queue_transcode(recording)


def test_deleting_stops_every_job_of_the_recording_not_just_one(app, ready_panel):
    recording = ready_panel.recordings[0]
    queued = add_job(recording, JobKind.ALIGN, JobStatus.QUEUED)
    running = add_job(recording, JobKind.FLOCK, JobStatus.RUNNING)
    with pytest.raises(RecordingBusy):
        delete_recording(recording, wait_seconds=0.3)  # no worker here stops the running flock
    db.session.expire_all()
    assert db.session.get(RecordingJob, queued.id).status is JobStatus.CANCELLED
    assert db.session.get(RecordingJob, running.id).cancel_requested
    assert recording.panel.recordings == [recording]


def _is_task(func: ast.AST) -> bool:
    """Decorated ``@queue.task(...)`` (not periodic: the queue itself runs those)."""
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "task"
        for d in getattr(func, "decorator_list", [])
    )


def test_every_queue_task_is_sent_from_the_enqueue_module_only():
    """Posters and mail too: a new way to queue work cannot skip the module that checks it
    (the runner re-sends lost rows through its table's ``deliver``, never by a task's name)."""
    trees = {path: ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}
    tasks = {f.name for tree in trees.values() for f in ast.walk(tree) if _is_task(f)}
    assert {"run_recording_job", "run_clip_job", "render_poster", "deliver_mail"} <= tasks
    senders = set()
    for path, tree in trees.items():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            target = call.func.value if isinstance(call.func, ast.Attribute) else call.func
            if isinstance(target, ast.Name) and target.id in tasks:
                senders.add(f"{path.relative_to(PACKAGE.parent)}: {target.id}")
    assert {s for s in senders if not s.startswith("eventsite/jobs/enqueue.py")} == set()
