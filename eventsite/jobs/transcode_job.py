"""The ladder kind: transcode a recording's original into its rendition set.

It only does the work; the runner (:mod:`.runner`) claims the row, watches it
and finishes it, and the pipeline (:mod:`.pipeline`) queues what follows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from pathlib import Path

from .. import signals, transcode
from ..extensions import db
from ..recordings import rendition_sets
from ..recordings.models import Recording, RecordingJob, RecordingStatus, Rendition, RenditionKind
from ..storage import media_store
from . import runtime
from .chunk_job import ChunkWorkers, encode_in_chunks, forget_chunks, stop_chunks
from .ladder_plan import plan_for

#: share of the progress bar for the quick set (bench/publish.py: about 5% of the full ladder's time)
QUICK_SHARE = 0.05
#: the job's note while the quick set is live and the full ladder is being made
WATCHABLE_QUICK = "Watchable now (quick): the upload's own picture; full quality follows."
#: share of the progress bar for the first rung of an upload that must be encoded
FIRST_SHARE = 0.25
#: the job's note while that rung is live
WATCHABLE_FIRST = "Watchable now ({label}): the other sizes follow."


def make_renditions(job: RecordingJob, watcher, workers: ChunkWorkers | None = None) -> None:
    """Probe the original, run the one ffmpeg process, publish the new set atomically.

    A first upload that is already web-ready is published twice: at once as the
    quick set (its picture copied, transcode/quick.py, its AAC encoded fast), then as
    the full ladder with its own sound pass. One that must be encoded (and lasts
    FIRST_RUNG_MIN_SECONDS) is published first on the rung the player starts on, at the
    fast FIRST_RUNG_PRESET, the same way. Each set goes live in one commit, so the page shows the early set or the full
    one, never a half-made one.

    A long recording's ladder is shared out as chunks to every worker on the queue
    (chunk_job.py, with ``workers``) and joined; a short one is one ffmpeg run here.

    :raise TranscodeError: the original could not be read or transcoded (plain words).
    :raise TranscodeCancelled: an organiser cancelled the job.
    """
    recording = job.recording
    store = media_store()
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(store.local_copy(recording.original_key))
        info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
        work = stack.enter_context(store.work_dir(rendition_sets.renditions_prefix(recording.id)))
        plan = plan_for(recording, info, work)
        options = {
            "cancel": watcher.cancel,
            "timeout": runtime.app.config.get("TRANSCODE_TIMEOUT") or transcode.default_timeout(info.duration),
            "settings": runtime.transcode_settings(),
        }
        sound, start = None, 0.0
        # only while nothing is live: a re-transcode never trades a full set for a quick one
        if runtime.app.config["QUICK_PUBLISH"] and not recording.renditions and plan.video_index is not None:
            early, share, note, encoder = None, QUICK_SHARE, WATCHABLE_QUICK, options["settings"]
            if transcode.web_ready_refusal(info, plan) is None:
                early = transcode.plan_quick(info, plan)
            elif 0 < runtime.app.config["FIRST_RUNG_MIN_SECONDS"] <= info.duration:
                early, share = transcode.first_rung(plan), FIRST_SHARE
                note = WATCHABLE_FIRST.format(label=early.rungs[0].label)
                encoder = transcode.first_rung_settings(encoder)  # the full ladder replaces it: fast
            if early is not None:
                outputs = transcode.transcode(
                    source, work / "early", early, on_progress=_share(watcher, 0.0, share),
                    **{**options, "settings": encoder},
                )  # fmt: skip
                # the full ladder copies the first rung's sound (publishing moves the folder away); a
                # quick set's AAC was encoded fast, so the full ladder makes its own
                if early.has_audio and not early.copy_picture:
                    sound = shutil.copyfile(work / "early" / "audio.m4a", work / "early-sound.m4a")
                _publish(store, recording, work / "early", outputs)
                job.notes = [note]
                db.session.commit()  # watchable from here on
                start = share
        spans = ()
        if workers is not None:
            settings = options["settings"]
            spans = transcode.plan_chunks(plan, runtime.app.config["CHUNK_SECONDS"], settings.segment_seconds)
        if spans:
            try:
                outputs = encode_in_chunks(
                    job, watcher, source=source, work=work, plan=plan, spans=spans, sound=sound, workers=workers,
                    report=_share(watcher, start, 1.0 - start), notes=list(job.notes or []), stack=stack,
                    timeout=options["timeout"], settings=options["settings"],
                )  # fmt: skip
            except BaseException:
                stop_chunks(job.id)
                forget_chunks(store, job)
                raise
        else:
            outputs = transcode.transcode(
                source, work / "set", plan, on_progress=_share(watcher, start, 1.0 - start), sound=sound, **options
            )
        prefix = _publish(store, recording, work / "set", outputs)
        if spans:
            forget_chunks(store, job)
    # the work folder went first, so the sweep sees only sets
    rendition_sets.sweep(store, rendition_sets.renditions_prefix(recording.id), prefix)
    signals.recording_ready.send(recording)  # a new recording brings its own captions


def _publish(store, recording: Recording, folder: Path, outputs: list[transcode.RenditionOutput]) -> str:
    """Make ``folder`` the recording's live set in one commit; return its prefix."""
    prefix = rendition_sets.new_set_prefix(recording.id)
    store.publish_dir(folder, prefix)
    _store_outputs(recording, outputs, prefix)
    recording.status = RecordingStatus.READY
    db.session.commit()  # the new set is live from here on
    return prefix


def _share(watcher, start: float, share: float):
    """Progress of one set as its part of the job's bar."""
    return lambda p: watcher.on_progress(dataclasses.replace(p, fraction=start + share * p.fraction))


def _store_outputs(recording: Recording, outputs: list[transcode.RenditionOutput], base: str) -> None:
    """Replace the recording's rendition rows with the set just published under ``base``."""
    recording.renditions.clear()
    db.session.flush()
    for out in outputs:
        recording.renditions.append(
            Rendition(
                kind=RenditionKind(out.kind),
                label=out.label,
                width=out.width or None,
                height=out.height or None,
                bitrate=out.bitrate or None,
                storage_key=f"{base}/{out.relpath}",
                size_bytes=out.size_bytes,
            )
        )
