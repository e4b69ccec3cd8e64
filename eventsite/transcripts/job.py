"""The caption jobs: draft captions by recognition, and a pasted transcript aligned.

Both run through the one job runner (``eventsite.jobs.runner``: claim,
heartbeat, final state) and are queued by ``eventsite.jobs.enqueue``
(``queue_auto_captions``, ``queue_alignment``); this module holds what is
particular to captions: the panel's facts for the pure layers
(:mod:`.recognise`, :mod:`.align`), and what is stored after.

Organisers' captions are never overwritten by automatic ones. A complete
alignment is saved at once (the organiser asked for it); a partial one waits
as a result file until the organiser keeps or discards it, so nothing
half-done reaches the page unasked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import sqlalchemy as sa

from .. import transcode
from ..extensions import db
from ..flock.audio import ListenCancelled, ListenError, NoSound
from ..flock.timeline import LitSpeakers, SpeechTimeline
from ..recordings.captions import captions_of, save_caption
from ..recordings.models import Caption, CaptionSource, JobKind, Recording, RecordingJob
from ..recordings.timeline import read_timeline
from ..refusals import Refused
from ..storage import StorageError, media_store, recording_key
from ..times import clock, vtt_timestamp
from .align import Alignment, align_transcript
from .cueing import DraftCue, Word, build_cues
from .recognise import recognise, recognises
from .speakers import Speakers
from .transcript_text import TranscriptError, read_transcript

#: The caption tracks these jobs make.
LANGUAGE, LABEL, AUTOMATIC_LABEL = "en", "English", "English (automatic)"


class CaptionJobRefused(Refused):
    """A caption job that cannot start; ``str()`` is a sentence for the organiser."""


def is_english(recording: Recording) -> bool:
    """Whisper tiny.en knows English only: other languages get no automatic captions."""
    return recognises(recording.language)


def organisers_captions(recording: Recording) -> list[Caption]:
    """The recording's English captions that an organiser gave (never replaced by automatic ones)."""
    return [
        c
        for c in captions_of(recording)
        if c.language.split("-")[0] == "en" and c.source is not CaptionSource.AUTOMATIC
    ]


def latest_alignment(recording: Recording) -> RecordingJob | None:
    """The newest alignment job of ``recording``, if any."""
    return db.session.scalar(
        sa.select(RecordingJob)
        .where(RecordingJob.recording_id == recording.id, RecordingJob.kind == JobKind.ALIGN)
        .order_by(RecordingJob.id.desc())
        .limit(1)
    )


def result_key(job: RecordingJob) -> str:
    return recording_key(job.recording_id, "transcripts", f"result-{job.id}.json")


def read_result(job: RecordingJob) -> dict | None:
    """What an alignment job found: cues, whether it was complete, where it stopped, whether it was saved."""
    try:
        with media_store().open(result_key(job)) as fh:
            return json.loads(fh.read().decode("utf-8"))
    except (StorageError, ValueError):
        return None


def _write_result(job: RecordingJob, result: dict) -> None:
    media_store().save_bytes(result_key(job), json.dumps(result).encode("utf-8"))


# --- WebVTT from draft cues ---------------------------------------------------


def voice_name(name: str) -> str:
    """A name that is safe inside ``<v …>``: no markup characters, no line breaks."""
    return " ".join(name.replace("&", "and").replace("<", "").replace(">", "").split())[:100]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def draft_webvtt(cues: list[DraftCue]) -> bytes:
    """WebVTT for ``cues``, each naming its speaker with a ``<v>`` span."""
    blocks = ["WEBVTT"]
    for cue in cues:
        text = "\n".join(_escape(line) for line in cue.lines)
        voice = voice_name(cue.speaker)
        blocks.append(
            f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}\n" + (f"<v {voice}>{text}" if voice else text)
        )
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


# --- the jobs -----------------------------------------------------------------


def timeline_voices(timeline: SpeechTimeline | None, words: list[Word]) -> list[Word]:
    """Words without a speaker get the speaker the flock lights while they are said, when there is one."""
    if timeline is None or timeline.source == "none":
        return words
    lit = LitSpeakers(timeline)
    out = []
    for word in words:
        speaker = word.speaker
        if not speaker:
            index = lit.during(word.start, word.end)
            speaker = timeline.speakers[index] if 0 <= index < len(timeline.speakers) else ""
        out.append(Word(word.start, word.end, word.text, speaker))
    return out


def automatic_cues(timeline: SpeechTimeline | None, words: list[Word]) -> list[DraftCue]:
    """Draft captions' cues: the words heard, voiced from ``timeline``, each cue starting with a capital."""
    cues = build_cues(timeline_voices(timeline, words))
    return [DraftCue(c.start, c.end, (c.lines[0][:1].upper() + c.lines[0][1:], *c.lines[1:]), c.speaker) for c in cues]


def aligned_words(result: dict) -> list[Word]:
    """The words an alignment result timed (none in results from before they were kept)."""
    return [Word(start, end, text) for start, end, text in result.get("words", [])]


def _reporter(watcher) -> Callable[[float], None]:
    """Progress for the job monitor, with time left estimated from the pace so far."""
    began = time.monotonic()

    def report(fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        elapsed = time.monotonic() - began
        eta = elapsed / fraction * (1 - fraction) if fraction > 0.02 else None
        watcher.on_progress(transcode.Progress(fraction, None, None, eta, 0.0))

    return report


def _recognise(job: RecordingJob, watcher) -> list[str]:
    recording = job.recording
    if not is_english(recording):
        return [
            f"No automatic captions: the recording is marked as “{recording.language}”, and only English is recognised."
        ]
    if organisers_captions(recording):
        return ["No automatic captions: this recording already has captions from an organiser."]
    # The words the flock's listening already heard (same model, same prompt), else listen again.
    timeline = read_timeline(recording)
    words = [Word(a, b, text) for a, b, text in timeline.words] if timeline is not None else []
    if not words:
        with media_store().local_copy(recording.original_key) as source:
            words = recognise(
                source,
                recording.duration_seconds or 0.0,
                names=[seat.panelist.name for seat in recording.panel.seats],
                title=recording.panel.title,
                on_progress=_reporter(watcher),
                cancel=watcher.cancel.is_set,
            )
    db.session.refresh(recording)
    if organisers_captions(recording):  # an organiser uploaded captions while we listened
        return ["No automatic captions: an organiser added captions while the recording was being listened to."]
    if not words:
        return ["No automatic captions: no words were recognised in this recording."]
    if timeline is None or not timeline.words:
        timeline = read_timeline(recording)  # the birds may have been drawn while we listened
    cues = automatic_cues(timeline, words)
    vtt = draft_webvtt(cues)
    save_caption(recording, LANGUAGE, AUTOMATIC_LABEL, vtt, source=CaptionSource.AUTOMATIC, voices_from_timeline=True)
    return [f"Automatic captions: {len(words)} words recognised in {len(cues)} cues; a draft to check and edit."]


def _align(job: RecordingJob, watcher) -> list[str]:
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
            names=[seat.panelist.name for seat in recording.panel.seats],
            title=recording.panel.title,
            on_progress=_reporter(watcher),
            cancel=watcher.cancel.is_set,
        )
    named = any(t.speaker for t in turns)
    words = alignment.words if named else timeline_voices(read_timeline(recording), alignment.words)
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
        # kept so that cues voiced from the timeline can be voiced again after a correction
        "words": [] if named else [[w.start, w.end, w.text] for w in alignment.words],
        "saved": False,
    }
    if alignment.complete and cues:
        # a transcript that named nobody was voiced from the timeline: its names follow corrections
        save_caption(
            recording, LANGUAGE, LABEL, draft_webvtt(cues), source=CaptionSource.ALIGNED, voices_from_timeline=not named
        )
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
    return clock(seconds or 0.0)


def make_captions(job: RecordingJob, watcher) -> list[str]:
    """Run a CAPTIONS or ALIGN job; return the notes for the organiser.

    :raise TranscodeError: the recording could not be read (plain words).
    :raise TranscodeCancelled: an organiser cancelled the job.
    """
    try:
        return _recognise(job, watcher) if job.kind is JobKind.CAPTIONS else _align(job, watcher)
    except ListenCancelled:
        raise transcode.TranscodeCancelled("Cancelled by an organiser.") from None
    except NoSound as exc:  # nothing to caption is not a failure
        return [str(exc)]
    except ListenError as exc:
        raise transcode.TranscodeError(str(exc)) from None


def keep_partial(job: RecordingJob) -> Caption:
    """Save what a stopped alignment did align, as the English captions (the organiser accepted it).

    :raise CaptionJobRefused: there is no unsaved partial result.
    """
    result = read_result(job)
    if not result or result.get("saved") or not result.get("cues"):
        raise CaptionJobRefused("There is no aligned part left to keep; paste the transcript again.")
    cues = [DraftCue(c["start"], c["end"], tuple(c["lines"]), c["speaker"]) for c in result["cues"]]
    caption = save_caption(
        job.recording,
        LANGUAGE,
        LABEL,
        draft_webvtt(cues),
        source=CaptionSource.ALIGNED,
        voices_from_timeline=result.get("speakers_from") == "timeline",
    )
    result["saved"] = True
    _write_result(job, result)
    return caption


def discard_partial(job: RecordingJob) -> None:
    """Forget a stopped alignment's result (the organiser will paste a corrected transcript)."""
    media_store().delete(result_key(job))


__all__ = [
    "discard_partial",
    "CaptionJobRefused",
    "keep_partial",
    "latest_alignment",
    "make_captions",
    "organisers_captions",
    "read_result",
]
