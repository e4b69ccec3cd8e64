"""The table of job kinds, and the queue tasks that run them through the runner.

Each row table names the work for its rows; for a recording's jobs that is
the kind table below (PeerTube's one table of kinds to handlers). The kinds'
modules only do the work: :mod:`.runner` claims, watches and finishes.
"""

from __future__ import annotations

from ..clips.models import Clip
from ..extensions import queue
from ..recordings.models import JobKind, RecordingJob, RecordingStatus
from ..transcripts.job import make_captions
from . import runtime
from .chunk_job import ChunkWorkers, make_chunk
from .clip_job import make_clip
from .flock_job import make_flock
from .runner import JobTable, run
from .transcode_job import make_renditions


def _transcode(job: RecordingJob, watcher) -> None:
    """The ladder; a long recording's chunks go to the queue, and this worker takes its share."""
    workers = ChunkWorkers(deliver=run_recording_job, run_here=lambda chunk_id: run(RECORDING_JOBS, chunk_id))
    return make_renditions(job, watcher, workers)


#: What each kind of recording job runs.
KINDS = {
    JobKind.TRANSCODE: _transcode,
    JobKind.CHUNK: make_chunk,
    JobKind.FLOCK: make_flock,
    JobKind.CAPTIONS: make_captions,
    JobKind.ALIGN: make_captions,
}


def _work_on_recording(job: RecordingJob, watcher) -> list[str] | None:
    return KINDS[job.kind](job, watcher)


def _settle_recording(job: RecordingJob, status, notes: list[str] | None) -> None:
    """The job's notes; the recording stays ready if an older set is still live."""
    job.notes = notes or None
    if status is RecordingJob.SUCCEEDED:
        job.eta_seconds = 0.0
    elif job.kind is not JobKind.CHUNK:  # a lost chunk is its transcode's to settle
        recording = job.recording
        recording.status = RecordingStatus.READY if recording.renditions else RecordingStatus.FAILED


# Fixed names: huey finds a queued task by its module and this name, so renaming a function
# never strands the messages already queued ("eventsite.transcode" is from when the ladder
# was the only kind of recording job). Moving a task to another module would.
@queue.task(name="eventsite.transcode")
def run_recording_job(job_id: int) -> None:
    """Run one recording job (of any kind) by id (a queue task; safe to deliver twice)."""
    with runtime.app.app_context():
        run(RECORDING_JOBS, job_id)


@queue.task(name="eventsite.clip")
def run_clip_job(clip_id: int) -> None:
    """Render one clip by id (a queue task; safe to deliver twice)."""
    with runtime.app.app_context():
        run(CLIP_JOBS, clip_id)


RECORDING_JOBS = JobTable(
    name="job",
    model=RecordingJob,
    work=_work_on_recording,
    deliver=run_recording_job,
    doing="processing this recording",
    crashed="The worker stopped unexpectedly.",
    settle=_settle_recording,
)
CLIP_JOBS = JobTable(
    name="clip",
    model=Clip,
    work=make_clip,
    deliver=run_clip_job,
    doing="rendering this clip",
    crashed="Rendering stopped unexpectedly. Ask for the clip again.",
    progress_cap=0.99,
)
#: Every table of job rows, for housekeeping.
TABLES = (RECORDING_JOBS, CLIP_JOBS)
