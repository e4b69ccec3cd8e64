"""One recording on many workers: the chunk kind, and the transcode that shares its ladder out.

A long recording's transcode (``transcode/chunks.plan_chunks``) makes a chunk job
per chunk and queues them all, so any free worker, on this machine or another
on the same queue, takes one. The transcode then encodes the sound once for the
whole recording and works through the queued chunks itself like any other
worker (each through the one runner, so it is claimed once, watched and
finished), waits for those others have, and joins them by stream copy into one
rendition set (``transcode.transcode(chunks=...)``).

What the runner's one policy gives every chunk: a chunk whose worker died goes
stale and is re-queued alone with backoff, up to the attempt cap, while the
transcode waits for it; a chunk that fails fails the transcode with its reason;
cancelling the transcode stops every chunk (``enqueue.cancel_job``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .. import transcode
from ..database import utcnow
from ..extensions import db
from ..recordings.models import JobKind, JobStatus, RecordingJob
from ..storage import MediaStore, media_store, recording_key
from ..transcode.chunked import encode_chunk
from ..transcode.chunks import ChunkSpan
from ..transcode.sound import make_sound
from . import runtime
from .ladder_plan import plan_for

#: seconds between the transcode's looks at its chunks while other workers encode them
POLL_SECONDS = 1.0
#: shares of the transcode's bar: the sound pass, the chunks, then the join and the rest
SOUND_SHARE, CHUNKS_SHARE = 0.03, 0.92


@dataclass(frozen=True)
class ChunkWorkers:
    """How the transcode hands chunks to the queue and takes one itself (given by the task table)."""

    #: put a chunk job's id on the queue
    deliver: Callable[[int], None]
    #: run a chunk job here, through the runner (nothing happens if another worker claimed it)
    run_here: Callable[[int], None]


def chunks_prefix(recording_id: int, job_id: int) -> str:
    """Where the chunks of one transcode are kept until they are joined (organisers only, never served)."""
    return recording_key(recording_id, "chunks", str(job_id))


def chunk_prefix(job: RecordingJob) -> str:
    """Where one chunk job publishes its folder."""
    return f"{chunks_prefix(job.recording_id, job.parent_id)}/{job.chunk['index']:05d}"


def make_chunk(job: RecordingJob, watcher) -> None:
    """The chunk kind: encode this chunk of the recording's ladder and keep it in the store."""
    recording = job.recording
    store = media_store()
    span = ChunkSpan(**job.chunk)
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(store.local_copy(recording.original_key))
        info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
        work = stack.enter_context(store.work_dir(chunks_prefix(recording.id, job.parent_id)))
        plan = plan_for(recording, info, work)
        encode_chunk(
            source,
            work / "chunk",
            plan,
            span,
            on_progress=watcher.on_progress,
            cancel=watcher.cancel,
            timeout=runtime.app.config.get("TRANSCODE_TIMEOUT") or transcode.default_timeout(span.duration(plan)),
            settings=runtime.transcode_settings(),
        )
        store.publish_dir(work / "chunk", chunk_prefix(job))


def chunk_rows(job: RecordingJob, spans: tuple[ChunkSpan, ...], workers: ChunkWorkers) -> list[RecordingJob]:
    """The transcode's chunk jobs, queued. A second attempt of the transcode keeps the
    chunks the first one finished (same cuts), and queues the others again."""
    rows = db.session.scalars(
        sa.select(RecordingJob).where(RecordingJob.parent_id == job.id).order_by(RecordingJob.id)
    ).all()
    wanted = [{"index": s.index, "first_frame": s.first_frame, "end_frame": s.end_frame} for s in spans]
    if [r.chunk for r in rows] != wanted:
        for row in rows:
            db.session.delete(row)
        rows = [
            RecordingJob(recording_id=job.recording_id, kind=JobKind.CHUNK, parent_id=job.id, chunk=c) for c in wanted
        ]
        db.session.add_all(rows)
    again = [r for r in rows if r.status in (JobStatus.FAILED, JobStatus.CANCELLED) or r.id is None]
    for row in again:
        row.status, row.cancel_requested, row.error, row.finished_at = JobStatus.QUEUED, False, None, None
    db.session.commit()
    for row in again:
        workers.deliver(row.id)
    return rows


def encode_in_chunks(
    job: RecordingJob,
    watcher,
    *,
    source: Path,
    work: Path,
    plan: transcode.Plan,
    spans: tuple[ChunkSpan, ...],
    sound: Path | None,
    workers: ChunkWorkers,
    report: Callable[[transcode.Progress], None],
    notes: list[str],
    stack: contextlib.ExitStack,
    timeout: float,
    settings: transcode.TranscodeSettings,
) -> list[transcode.RenditionOutput]:
    """Share the ladder out as chunks, take part in encoding them, and join them into ``work/set``.

    :param report: the job's progress, 0..1 of this set.
    :param notes: what the job already says (the quick set); "3 of 7 chunks done" follows it.
    :param stack: keeps the chunks' local copies until the set is joined.
    :raise TranscodeError: a chunk failed (its reason) or could not be fetched.
    :raise TranscodeCancelled: the transcode was cancelled; every chunk was stopped.
    """
    store = media_store()
    deadline = time.monotonic() + timeout
    rows = chunk_rows(job, spans, workers)
    ids = [r.id for r in rows]
    if sound is None and plan.has_audio:
        # the sound once for the whole recording, while other workers take the first chunks
        (work / "sound").mkdir()
        make_sound(source, work / "sound", plan, settings, timeout=lambda: _left(deadline), cancel=watcher.cancel)
        sound = work / "sound" / "audio.m4a"
    report(transcode.Progress(SOUND_SHARE, None, None, None, 0.0))
    started, told = time.monotonic(), -1
    while True:
        db.session.expire_all()
        if watcher.cancel.is_set() or db.session.get(RecordingJob, job.id).cancel_requested:
            raise transcode.TranscodeCancelled("The conversion was cancelled.")
        _left(deadline)
        chunks = db.session.scalars(sa.select(RecordingJob).where(RecordingJob.id.in_(ids))).all()
        lost = next((c for c in chunks if c.status in (JobStatus.FAILED, JobStatus.CANCELLED)), None)
        if lost is not None:
            number = lost.chunk["index"] + 1
            raise transcode.TranscodeError(f"Part {number} of {len(ids)}: {lost.error or lost.status.value}.", "")
        done = sum(c.status is JobStatus.SUCCEEDED for c in chunks)
        if done != told:
            db.session.get(RecordingJob, job.id).notes = [*notes, f"{done} of {len(ids)} chunks done."]
            db.session.commit()
            told = done
        share = sum(1.0 if c.status is JobStatus.SUCCEEDED else (c.progress or 0.0) for c in chunks) / len(ids)
        elapsed = time.monotonic() - started
        eta = elapsed * (1 - share) / share if share > 0 else None
        report(transcode.Progress(SOUND_SHARE + CHUNKS_SHARE * share, None, None, eta, 0.0))
        if done == len(ids):
            break
        now = utcnow()
        # a chunk re-queued after a lost worker is due again at its heartbeat_at (the backoff)
        ready = [c.id for c in chunks if c.status is JobStatus.QUEUED and (c.heartbeat_at or now) <= now]
        if ready:
            workers.run_here(ready[0])
        else:
            time.sleep(POLL_SECONDS)
    folders = _fetch_chunks(store, work / "chunks", [db.session.get(RecordingJob, i) for i in ids], stack)
    begin = SOUND_SHARE + CHUNKS_SHARE
    return transcode.transcode(
        source,
        work / "set",
        plan,
        sound=sound,
        chunks=folders,
        on_progress=lambda p: report(transcode.Progress(begin + (1 - begin) * p.fraction, None, None, None, 0.0)),
        cancel=watcher.cancel,
        timeout=_left(deadline),
        settings=settings,
    )


def _left(deadline: float) -> float:
    """Seconds left for the whole transcode; its limit covers waiting for the chunks too."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise transcode.TranscodeTimeout("Converting took longer than the time allowed for this recording.")
    return left


def _fetch_chunks(store: MediaStore, into: Path, chunks: list[RecordingJob], stack: contextlib.ExitStack) -> list[Path]:
    """A local folder per chunk (links to the store's local copies, which ``stack`` keeps)."""
    folders = []
    for chunk in chunks:
        prefix = chunk_prefix(chunk)
        folder = into / f"{chunk.chunk['index']:05d}"
        for key in store.iter_keys(prefix):
            local = stack.enter_context(store.local_copy(key))
            link = folder / key[len(prefix) + 1 :]
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(Path(local).resolve(), link)
        folder.mkdir(parents=True, exist_ok=True)
        folders.append(folder)
    return folders


def stop_chunks(job_id: int) -> None:
    """Stop every chunk of a transcode: queued ones at once, running ones within a second or so."""
    chunk_of = sa.and_(RecordingJob.parent_id == job_id, RecordingJob.kind == JobKind.CHUNK)
    db.session.rollback()
    db.session.execute(
        sa.update(RecordingJob)
        .where(chunk_of, RecordingJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=utcnow(), error="The transcode stopped.")
    )
    db.session.execute(
        sa.update(RecordingJob).where(chunk_of, RecordingJob.status == JobStatus.RUNNING).values(cancel_requested=True)
    )
    db.session.commit()


def forget_chunks(store: MediaStore, job: RecordingJob) -> None:
    """Remove a transcode's chunk folders once they are joined (or it ended without them)."""
    store.delete_prefix(chunks_prefix(job.recording_id, job.id))
