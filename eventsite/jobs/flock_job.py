"""The flock job: listen to a recording, then draw its panel as talking birds.

Queued after every successful transcode (the pipeline, :mod:`.pipeline`)
and by an organiser's "Draw the birds again" after correcting who speaks
(:func:`eventsite.jobs.enqueue.queue_flock`). The runner (:mod:`.runner`)
claims, watches and finishes the row; this module holds only what is
particular to the birds: gathering the panel's facts from the database for
the pure ``eventsite.flock`` layer, and storing what it made.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from .. import signals, transcode
from ..events.birds import bird_spec
from ..extensions import db
from ..flock.audio import ListenCancelled, ListenError, NoSound
from ..flock.birds import BirdSpec
from ..flock.corrections import apply_corrections
from ..flock.listen import build_timeline, cues_from_webvtt
from ..flock.render import render_flock
from ..flock.timeline import SpeechTimeline
from ..recordings import rendition_sets
from ..recordings.captions import captions_of
from ..recordings.models import (
    CaptionSource,
    Recording,
    RecordingJob,
    Rendition,
    RenditionKind,
)
from ..recordings.timeline import read_timeline
from ..storage import StorageError, media_store
from ..transcripts.recognise import recognise, recognises
from . import runtime

log = logging.getLogger(__name__)

#: Share of the job's progress bar spent listening (the rest is drawing).
LISTEN_SHARE = 0.3
TIMELINE_NAME = "timeline.json"
#: Further rounds of drawing when corrections keep arriving while the birds are drawn; past
#: them the studio offers "Draw the birds again" with the number of changes still to draw.
REDRAWS = 2
#: The flock's renditions as the renderer labels them → their kinds here.
FLOCK_KINDS = {
    "hls": RenditionKind.FLOCK_HLS,
    "mp4": RenditionKind.FLOCK,
    "poster": RenditionKind.FLOCK_POSTER,
    "storyboard": RenditionKind.FLOCK_STORYBOARD,
}
#: Background colours for events that have none of their own: a spring sky.
SKY = ("#8ecae6", "#f1faee")


def bird_specs(recording: Recording) -> list[BirdSpec]:
    """One bird per seated panelist, in seat order (left to right on the branch)."""
    return [bird_spec(seat.panelist) for seat in recording.panel.seats]


def _captions(recording: Recording) -> list[tuple[float, float, str]] | None:
    """Voiced cue times from the first caption track, when they can tell who speaks.

    The flock the player streams carries no captions of its own: the player draws
    the caption track (above its controls), so a burned-in copy would stack on it.
    """
    tracks = captions_of(recording)
    if not tracks:
        return None
    try:
        with media_store().open(tracks[0].storage_key) as fh:
            voiced = cues_from_webvtt(fh.read().decode("utf-8", "replace"))
    except StorageError:
        return None
    # Voices taken from an earlier timeline of ours (automatic captions, a transcript that named
    # nobody) are not evidence of who speaks.
    ours = tracks[0].source is CaptionSource.AUTOMATIC or tracks[0].voices_from_timeline
    trusted = not ours and any(v for _s, _e, v in voiced)
    return voiced if trusted else None


def _chapters(recording: Recording) -> list[tuple[float, int]] | None:
    seat_of = {seat.panelist_id: i for i, seat in enumerate(recording.panel.seats)}
    marks = [(c.start, seat_of[c.panelist_id]) for c in recording.chapters if c.panelist_id in seat_of]
    return marks or None


NO_SEATS_NOTE = (
    "Nobody is seated on this panel yet, so one bird named after the panel speaks for everyone. "
    "Seat the panelists and draw the birds again to give each of them a bird."
)


def make_flock(job: RecordingJob, watcher) -> list[str]:
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


def _listen_and_draw(job: RecordingJob, watcher, source: Path, work: Path, soundtrack: Path | None) -> list[str]:
    recording = job.recording
    panel = recording.panel
    info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
    names = [seat.panelist.name for seat in panel.seats] or [panel.title]
    voiced = _captions(recording)

    english = recognises(recording.language)

    def heard(fraction: float) -> None:  # recognition is about half of listening
        watcher.on_progress(transcode.Progress(fraction * LISTEN_SHARE * 0.5, None, None, None, 0.0))

    def listened(fraction: float) -> None:
        start = 0.5 if english else 0.0
        watcher.on_progress(transcode.Progress((start + (1 - start) * fraction) * LISTEN_SHARE, None, None, None, 0.0))

    try:
        # The words said, heard once: the beaks follow their phones, and the caption job reuses them.
        words = None
        if english:
            names_said = [seat.panelist.name for seat in panel.seats]
            words = [
                (w.start, w.end, w.text)
                for w in recognise(
                    source,
                    recording.duration_seconds or 0.0,
                    names=names_said,
                    title=panel.title,
                    on_progress=heard,
                    cancel=watcher.cancel.is_set,
                )
            ]
        timeline = build_timeline(
            source,
            names,
            captions=voiced,
            chapters=_chapters(recording),
            channels="auto",
            # Phones are heard for English only; other languages get loudness-driven beaks and a note.
            language=recording.language or "en",
            words=words,
            on_progress=listened,
            cancel=watcher.cancel.is_set,
        )
    except ListenCancelled:
        raise transcode.TranscodeCancelled("Cancelled by an organiser.") from None
    except NoSound as exc:  # a video without sound is a video: nothing to draw, nothing failed
        return [str(exc)]
    except ListenError as exc:
        raise transcode.TranscodeError(str(exc)) from None
    # The corrections current now; any saved while the birds are drawn are drawn in a further round.
    timeline = _with_newer_corrections(timeline, recording)

    def drawn(progress: transcode.Progress) -> None:
        share = LISTEN_SHARE + (1 - LISTEN_SHARE) * min(progress.fraction, 1.0)
        watcher.on_progress(transcode.Progress(share, progress.fps, progress.speed, progress.eta_seconds, 0.0))

    birds = bird_specs(recording) if panel.seats else [BirdSpec(panel.title)]
    for round_ in range(1 + REDRAWS):
        folder = work / f"flock-{round_}"
        result = render_flock(
            soundtrack or source,
            folder,
            timeline,
            birds,
            colours=SKY,
            title=panel.title,
            on_progress=drawn,
            cancel=watcher.cancel,
            # our own MP4 container, or the upload's probed demuxer
            audio_demuxer="mp4" if soundtrack else info.demuxer,
            audio_copy=soundtrack is not None,
            settings=runtime.transcode_settings(),
            style=panel.flock_style,
        )
        (folder / TIMELINE_NAME).write_text(timeline.to_json())
        store = media_store()
        set_prefix = _set_prefix(recording)
        prefix = rendition_sets.new_flock_prefix(set_prefix)
        store.publish_dir(folder, prefix)
        _store(recording, result.outputs, prefix)  # the new flock is live from here on
        rendition_sets.sweep(store, rendition_sets.flock_parent(set_prefix), prefix)
        signals.flock_drawn.send(recording)
        newer = _with_newer_corrections(timeline, recording)
        if newer is timeline:
            break
        timeline = newer  # an organiser corrected who speaks while we drew: draw those too
    if not panel.seats:
        # The one bird is the panel's own: say that, not "given to <the panel's title>, the only seat".
        return [NO_SEATS_NOTE, *(n for n in timeline.notes if not n.startswith("Everything said is given to"))]
    return list(timeline.notes)


def _with_newer_corrections(timeline: SpeechTimeline, recording: Recording) -> SpeechTimeline:
    """``timeline`` with the corrections saved since it was made, read fresh from the database
    (the studio saves them in its own transaction); ``timeline`` itself when there are none."""
    db.session.refresh(recording, ["speech_corrections"])
    newer = (recording.speech_corrections or [])[timeline.corrections_applied :]
    return apply_corrections(timeline, newer) if newer else timeline


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


__all__ = ["make_flock", "read_timeline"]
