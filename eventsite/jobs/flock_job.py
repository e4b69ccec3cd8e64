"""The flock job: listen to a recording, then draw its panel as talking birds.

Queued after every successful transcode (and by an organiser's "Draw the
birds again" after correcting who speaks). It runs through the same claim,
heartbeat and final-state machinery as the transcode (``transcode_job._run``
dispatches on ``TranscodeJob.kind``); this module holds only what is
particular to the birds: gathering the panel's facts from the database for
the pure ``eventsite.flock`` layer, and storing what it made.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import sqlalchemy as sa

from .. import transcode
from ..extensions import db
from ..flock.audio import ListenCancelled, ListenError
from ..flock.birds import BirdSpec
from ..flock.corrections import apply_corrections
from ..flock.listen import build_timeline, cues_from_webvtt
from ..flock.render import render_flock
from ..flock.timeline import SpeechTimeline
from ..recordings import rendition_sets
from ..recordings.captions import captions_of, read_cues
from ..recordings.models import (
    CaptionSource,
    JobKind,
    JobStatus,
    Recording,
    Rendition,
    RenditionKind,
    TranscodeJob,
)
from ..storage import StorageError, media_store
from . import runtime

log = logging.getLogger(__name__)

#: Share of the job's progress bar spent listening (the rest is drawing).
LISTEN_SHARE = 0.3
TIMELINE_NAME = "timeline.json"
#: The flock's renditions as the renderer labels them → their kinds here.
FLOCK_KINDS = {
    "hls": RenditionKind.FLOCK_HLS,
    "mp4": RenditionKind.FLOCK,
    "poster": RenditionKind.FLOCK_POSTER,
    "storyboard": RenditionKind.FLOCK_STORYBOARD,
}
#: Background colours for events that have none of their own: a spring sky.
SKY = ("#8ecae6", "#f1faee")


def queue_flock(recording: Recording) -> TranscodeJob | None:
    """Queue the flock job for ``recording`` unless one is already waiting or running."""
    from .transcode_job import run_transcode_job

    busy = db.session.scalar(
        sa.select(TranscodeJob.id).where(
            TranscodeJob.recording_id == recording.id,
            TranscodeJob.kind == JobKind.FLOCK,
            TranscodeJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    if busy:
        return None
    job = TranscodeJob(kind=JobKind.FLOCK, status=JobStatus.QUEUED)
    recording.jobs.append(job)
    db.session.commit()
    run_transcode_job(job.id)
    return job


def bird_specs(recording: Recording) -> list[BirdSpec]:
    """One bird per seated panelist, in seat order (left to right on the branch)."""
    from ..events.birds import bird_spec

    return [bird_spec(seat.panelist) for seat in recording.panel.seats]


def _captions(recording: Recording) -> tuple[list[tuple[float, float, str]] | None, list]:
    """(voiced cue times for who-speaks, burned-in captions) from the first caption track."""
    tracks = captions_of(recording)
    if not tracks:
        return None, []
    try:
        with media_store().open(tracks[0].storage_key) as fh:
            voiced = cues_from_webvtt(fh.read().decode("utf-8", "replace"))
    except StorageError:
        return None, []
    burned = []
    for (_start, _end, voice), cue in zip(voiced, read_cues(tracks[0]), strict=False):
        burned.append((cue.start, cue.end, f"{voice}: {cue.plain_text}" if voice else cue.plain_text))
    # Automatic captions took their voices from an earlier timeline of ours: not evidence of who speaks.
    trusted = tracks[0].source is not CaptionSource.AUTOMATIC and any(v for _s, _e, v in voiced)
    return (voiced if trusted else None), burned


def _chapters(recording: Recording) -> list[tuple[float, int]] | None:
    seat_of = {seat.panelist_id: i for i, seat in enumerate(recording.panel.seats)}
    marks = [(c.start, seat_of[c.panelist_id]) for c in recording.chapters if c.panelist_id in seat_of]
    return marks or None


def read_timeline(recording: Recording) -> SpeechTimeline | None:
    """The speech timeline the last flock job stored, if any."""
    key = next((r.storage_key for r in recording.renditions if r.kind is RenditionKind.TIMELINE), None)
    if key is None:
        return None
    try:
        with media_store().open(key) as fh:
            return SpeechTimeline.from_json(fh.read().decode())
    except (StorageError, ValueError, KeyError):
        return None


NO_SEATS_NOTE = (
    "Nobody is seated on this panel yet, so one bird named after the panel speaks for everyone. "
    "Seat the panelists and draw the birds again to give each of them a bird."
)


def make_flock(job: TranscodeJob, watcher) -> list[str]:
    """Listen, draw and publish the flock of ``job``'s recording; return the notes for the organiser.

    :raise TranscodeError: the recording could not be read or drawn (plain words).
    """
    recording = job.recording
    store = media_store()
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(store.local_copy(recording.original_key))
        soundtrack = None
        if (sound := _served_sound(recording)) is not None:
            try:
                soundtrack = stack.enter_context(store.local_copy(sound.storage_key))
            except StorageError as exc:  # encode the original's sound instead
                log.warning("recording %s: the flock encodes its own sound: %s", recording.id, exc)
        work = stack.enter_context(store.work_dir(rendition_sets.flock_parent(_set_prefix(recording))))
        return _listen_and_draw(job, watcher, source, work, soundtrack)


def _served_sound(recording: Recording) -> Rendition | None:
    """The transcoder's AAC sound (``audio.m4a``) of the live set: the flock copies it.

    Listening needs the original (one channel per panelist); the soundtrack does not,
    and the site's own AAC is what the other renditions play anyway.
    """
    return next((r for r in recording.renditions if r.kind == RenditionKind.AUDIO and r.label == "aac"), None)


def _set_prefix(recording: Recording) -> str:
    """The prefix of the recording's live rendition set (the flock is drawn over it)."""
    keys = (
        r.storage_key for r in recording.renditions if r.kind not in (*FLOCK_KINDS.values(), RenditionKind.TIMELINE)
    )
    found = next((p for p in map(rendition_sets.set_prefix_of, keys) if p), None)
    return found or rendition_sets.renditions_prefix(recording.id)  # a set from before sets had names


def _listen_and_draw(job: TranscodeJob, watcher, source: Path, work: Path, soundtrack: Path | None) -> list[str]:
    recording = job.recording
    panel = recording.panel
    info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
    names = [seat.panelist.name for seat in panel.seats] or [panel.title]
    voiced, burned = _captions(recording)

    def listened(fraction: float) -> None:
        watcher.on_progress(transcode.Progress(fraction * LISTEN_SHARE, None, None, None, 0.0))

    try:
        timeline = build_timeline(
            source,
            names,
            captions=voiced,
            chapters=_chapters(recording),
            channels="auto",
            # Phones are heard for English only; other languages get loudness-driven beaks and a note.
            language=recording.language or "en",
            on_progress=listened,
            cancel=watcher.cancel.is_set,
        )
    except ListenCancelled:
        raise transcode.TranscodeCancelled("Cancelled by an organiser.") from None
    except ListenError as exc:
        raise transcode.TranscodeError(str(exc)) from None
    if recording.speech_corrections:
        timeline = apply_corrections(timeline, recording.speech_corrections)

    def drawn(progress: transcode.Progress) -> None:
        share = LISTEN_SHARE + (1 - LISTEN_SHARE) * min(progress.fraction, 1.0)
        watcher.on_progress(transcode.Progress(share, progress.fps, progress.speed, progress.eta_seconds, 0.0))

    birds = bird_specs(recording) if panel.seats else [BirdSpec(panel.title)]
    folder = work / "flock"
    result = render_flock(
        soundtrack or source,
        folder,
        timeline,
        birds,
        colours=SKY,
        title=panel.title,
        captions=burned or None,
        on_progress=drawn,
        cancel=watcher.cancel,
        # our own MP4 container, or the upload's probed demuxer
        audio_demuxer="mp4" if soundtrack else info.demuxer,
        audio_copy=soundtrack is not None,
        settings=runtime.transcode_settings(),
    )
    (folder / TIMELINE_NAME).write_text(timeline.to_json())
    store = media_store()
    set_prefix = _set_prefix(recording)
    prefix = rendition_sets.new_flock_prefix(set_prefix)
    store.publish_dir(folder, prefix)
    _store(recording, result.outputs, prefix)  # the new flock is live from here on
    rendition_sets.sweep(store, rendition_sets.flock_parent(set_prefix), prefix)
    if not panel.seats:
        # The one bird is the panel's own: say that, not "given to <the panel's title>, the only seat".
        return [NO_SEATS_NOTE, *(n for n in timeline.notes if not n.startswith("Everything said is given to"))]
    return list(timeline.notes)


def _store(recording: Recording, outputs, base: str) -> None:
    """Replace the recording's flock rows with the set just published under ``base``."""
    for old in [r for r in recording.renditions if r.kind in (*FLOCK_KINDS.values(), RenditionKind.TIMELINE)]:
        recording.renditions.remove(old)
    db.session.flush()
    for out in outputs:
        recording.renditions.append(
            Rendition(
                kind=FLOCK_KINDS[out.kind],
                label="Feathered friends",
                width=out.width or None,
                height=out.height or None,
                bitrate=out.bitrate or None,
                storage_key=f"{base}/{out.relpath}",
                size_bytes=out.size_bytes,
            )
        )
    timeline_key = f"{base}/{TIMELINE_NAME}"
    size = media_store().size(timeline_key)
    recording.renditions.append(
        Rendition(kind=RenditionKind.TIMELINE, label="Speech timeline", storage_key=timeline_key, size_bytes=size)
    )
    db.session.commit()


__all__ = ["make_flock", "queue_flock", "read_timeline"]
