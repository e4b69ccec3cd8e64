"""The caption jobs: draft captions by recognition, and a pasted transcript aligned.

Both run through the transcode job's claim, heartbeat and final-state
machinery (``jobs.transcode_job._run`` dispatches on ``TranscodeJob.kind``);
this module holds what is particular to captions: the panel's facts for the
pure layers (:mod:`.recognise`, :mod:`.align`), and what is stored after.

Organisers' captions are never overwritten by automatic ones. A complete
alignment is saved at once (the organiser asked for it); a partial one waits
as a result file until the organiser keeps or discards it, so nothing
half-done reaches the page unasked.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from .. import transcode
from ..extensions import db
from ..flock.audio import ListenCancelled, ListenError
from ..recordings.captions import captions_of, save_caption
from ..recordings.models import Caption, CaptionSource, JobKind, JobStatus, Recording, TranscodeJob
from ..storage import StorageError, media_store
from .align import Alignment, align_transcript
from .cueing import DraftCue, Word, build_cues
from .recognise import recognise
from .speakers import Speakers
from .transcript_text import TranscriptError, read_transcript

#: The caption tracks these jobs make.
LANGUAGE, LABEL, AUTOMATIC_LABEL = "en", "English", "English (automatic)"


class CaptionJobRefused(Exception):
    """A caption job that cannot start; ``str()`` is a sentence for the organiser."""


def is_english(recording: Recording) -> bool:
    """PocketSphinx ships a US-English model only: other languages get no automatic captions."""
    return (recording.language or "en").split("-")[0].lower() == "en"


def _active(recording: Recording, kind: JobKind) -> TranscodeJob | None:
    return db.session.scalar(
        sa.select(TranscodeJob).where(
            TranscodeJob.recording_id == recording.id,
            TranscodeJob.kind == kind,
            TranscodeJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )


def _organisers_captions(recording: Recording) -> list[Caption]:
    return [
        c
        for c in captions_of(recording)
        if c.language.split("-")[0] == "en" and c.source is not CaptionSource.AUTOMATIC
    ]


def _queue(recording: Recording, kind: JobKind, input_key: str | None = None) -> TranscodeJob:
    from ..jobs.transcode_job import run_transcode_job  # late: the job module imports this one

    job = TranscodeJob(kind=kind, status=JobStatus.QUEUED, input_key=input_key)
    recording.jobs.append(job)
    db.session.commit()
    run_transcode_job(job.id)
    return job


def queue_auto_captions(recording: Recording) -> TranscodeJob | None:
    """Queue draft captions for ``recording`` unless it needs none.

    None when turned off, not English, already captioned by an organiser, or already queued.
    """
    if not current_app.config.get("AUTO_CAPTIONS_ENABLED", True) or not is_english(recording):
        return None
    if _organisers_captions(recording) or _active(recording, JobKind.CAPTIONS):
        return None
    return _queue(recording, JobKind.CAPTIONS)


def queue_alignment(recording: Recording, text: str) -> TranscodeJob:
    """Queue the alignment of a pasted transcript with ``recording``.

    :raise TranscriptError: the paste is empty or too large.
    :raise CaptionJobRefused: not English, or an alignment is already running.
    """
    read_transcript(text)  # refuse an empty or giant paste now, not in the worker
    if not is_english(recording):
        raise CaptionJobRefused(
            f"Alignment works for English speech only; this recording is marked as “{recording.language}”."
        )
    if _active(recording, JobKind.ALIGN):
        raise CaptionJobRefused("A transcript is already being aligned with this recording; wait for it or cancel it.")
    key = f"recordings/{recording.id}/transcripts/paste-{secrets.token_hex(6)}.txt"
    media_store().save_bytes(key, text.encode("utf-8"))
    return _queue(recording, JobKind.ALIGN, key)


def latest_alignment(recording: Recording) -> TranscodeJob | None:
    """The newest alignment job of ``recording``, if any."""
    return db.session.scalar(
        sa.select(TranscodeJob)
        .where(TranscodeJob.recording_id == recording.id, TranscodeJob.kind == JobKind.ALIGN)
        .order_by(TranscodeJob.id.desc())
        .limit(1)
    )


def result_key(job: TranscodeJob) -> str:
    return f"recordings/{job.recording_id}/transcripts/result-{job.id}.json"


def read_result(job: TranscodeJob) -> dict | None:
    """What an alignment job found: cues, whether it was complete, where it stopped, whether it was saved."""
    try:
        with media_store().open(result_key(job)) as fh:
            return json.loads(fh.read().decode("utf-8"))
    except (StorageError, ValueError):
        return None


def _write_result(job: TranscodeJob, result: dict) -> None:
    media_store().save_bytes(result_key(job), json.dumps(result).encode("utf-8"))


# --- WebVTT from draft cues ---------------------------------------------------


def voice_name(name: str) -> str:
    """A name that is safe inside ``<v …>``: no markup characters, no line breaks."""
    return " ".join(name.replace("&", "and").replace("<", "").replace(">", "").split())[:100]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def draft_webvtt(cues: list[DraftCue]) -> bytes:
    """WebVTT for ``cues``, each naming its speaker with a ``<v>`` span."""
    from ..times import vtt_timestamp

    blocks = ["WEBVTT"]
    for cue in cues:
        text = "\n".join(_escape(line) for line in cue.lines)
        voice = voice_name(cue.speaker)
        blocks.append(
            f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}\n" + (f"<v {voice}>{text}" if voice else text)
        )
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


# --- the jobs -----------------------------------------------------------------


def _timeline_voices(recording: Recording, words: list[Word]) -> list[Word]:
    """Words without a speaker get the speech timeline's speaker at their middle, when there is one."""
    from ..jobs.flock_job import read_timeline  # late: the jobs package imports this module

    timeline = read_timeline(recording)
    if timeline is None or timeline.source == "none":
        return words
    out = []
    for word in words:
        speaker = word.speaker
        if not speaker:
            index = timeline.speaker_at((word.start + word.end) / 2)
            speaker = timeline.speakers[index] if 0 <= index < len(timeline.speakers) else ""
        out.append(Word(word.start, word.end, word.text, speaker))
    return out


def _reporter(watcher) -> Callable[[float], None]:
    """Progress for the job monitor, with time left estimated from the pace so far."""
    began = time.monotonic()

    def report(fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        elapsed = time.monotonic() - began
        eta = elapsed / fraction * (1 - fraction) if fraction > 0.02 else None
        watcher.on_progress(transcode.Progress(fraction, None, None, eta, 0.0))

    return report


def _recognise(job: TranscodeJob, watcher) -> list[str]:
    recording = job.recording
    if not is_english(recording):
        return [
            f"No automatic captions: the recording is marked as “{recording.language}”, and only English is recognised."
        ]
    if _organisers_captions(recording):
        return ["No automatic captions: this recording already has captions from an organiser."]
    with media_store().local_copy(recording.original_key) as source:
        words = recognise(
            source,
            recording.duration_seconds or 0.0,
            on_progress=_reporter(watcher),
            cancel=watcher.cancel.is_set,
        )
    db.session.refresh(recording)
    if _organisers_captions(recording):  # an organiser uploaded captions while we listened
        return ["No automatic captions: an organiser added captions while the recording was being listened to."]
    if not words:
        return ["No automatic captions: no words were recognised in this recording."]
    cues = build_cues(_timeline_voices(recording, words))
    cues = [DraftCue(c.start, c.end, (c.lines[0][:1].upper() + c.lines[0][1:], *c.lines[1:]), c.speaker) for c in cues]
    save_caption(recording, LANGUAGE, AUTOMATIC_LABEL, draft_webvtt(cues), source=CaptionSource.AUTOMATIC)
    return [f"Automatic captions: {len(words)} words recognised in {len(cues)} cues; a draft to check and edit."]


def _align(job: TranscodeJob, watcher) -> list[str]:
    recording = job.recording
    with media_store().open(job.input_key) as fh:
        text = fh.read().decode("utf-8")
    speakers = Speakers.of(recording.panel)
    try:
        turns = read_transcript(text, lambda prefix: speakers.panelist(prefix) is not None)
    except TranscriptError as exc:
        raise transcode.TranscodeError(str(exc)) from None
    for turn in turns:
        turn.speaker = speakers.name(turn.speaker) if turn.speaker else ""
    with media_store().local_copy(recording.original_key) as source:
        alignment: Alignment = align_transcript(
            source,
            turns,
            recording.duration_seconds or 0.0,
            on_progress=_reporter(watcher),
            cancel=watcher.cancel.is_set,
        )
    named = any(t.speaker for t in turns)
    words = alignment.words if named else _timeline_voices(recording, alignment.words)
    cues = build_cues(words)
    aligned = len(alignment.words)
    result = {
        "complete": alignment.complete,
        "failed_at": alignment.failed_at,
        "failed_words": alignment.failed_words,
        "aligned_words": aligned,
        "total_words": alignment.total_words,
        "notes": alignment.notes,
        "speakers_from": "transcript" if named else "timeline",
        "cues": [{"start": c.start, "end": c.end, "lines": list(c.lines), "speaker": c.speaker} for c in cues],
        "saved": False,
    }
    if alignment.complete and cues:
        save_caption(recording, LANGUAGE, LABEL, draft_webvtt(cues), source=CaptionSource.ALIGNED)
        result["saved"] = True
    _write_result(job, result)
    if alignment.complete:
        return [f"The transcript was aligned: {len(cues)} cues saved as the English captions.", *alignment.notes]
    return [
        f"Alignment stopped at {_clock(alignment.failed_at)}: the transcript and the recording stop matching at "
        f"“{alignment.failed_words}”. {aligned} of {alignment.total_words} words aligned; nothing was saved.",
        *alignment.notes,
    ]


def _clock(seconds: float | None) -> str:
    from ..times import clock

    return clock(seconds or 0.0)


def make_captions(job: TranscodeJob, watcher) -> list[str]:
    """Run a CAPTIONS or ALIGN job; return the notes for the organiser.

    :raise TranscodeError: the recording could not be read (plain words).
    :raise TranscodeCancelled: an organiser cancelled the job.
    """
    try:
        return _recognise(job, watcher) if job.kind is JobKind.CAPTIONS else _align(job, watcher)
    except ListenCancelled:
        raise transcode.TranscodeCancelled("Cancelled by an organiser.") from None
    except ListenError as exc:
        raise transcode.TranscodeError(str(exc)) from None


def keep_partial(job: TranscodeJob) -> Caption:
    """Save what a stopped alignment did align, as the English captions (the organiser accepted it).

    :raise CaptionJobRefused: there is no unsaved partial result.
    """
    result = read_result(job)
    if not result or result.get("saved") or not result.get("cues"):
        raise CaptionJobRefused("There is no aligned part left to keep; paste the transcript again.")
    cues = [DraftCue(c["start"], c["end"], tuple(c["lines"]), c["speaker"]) for c in result["cues"]]
    caption = save_caption(job.recording, LANGUAGE, LABEL, draft_webvtt(cues), source=CaptionSource.ALIGNED)
    result["saved"] = True
    _write_result(job, result)
    return caption


def discard_partial(job: TranscodeJob) -> None:
    """Forget a stopped alignment's result (the organiser will paste a corrected transcript)."""
    media_store().delete(result_key(job))


__all__ = [
    "discard_partial",
    "CaptionJobRefused",
    "keep_partial",
    "latest_alignment",
    "make_captions",
    "queue_alignment",
    "queue_auto_captions",
    "read_result",
]
