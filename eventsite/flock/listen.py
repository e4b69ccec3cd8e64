"""Listen to a panel once and write down its speech timeline.

``build_timeline`` is what the job calls: it decodes the recording twice
with ffmpeg (once for speech activity and voice measures, once for phones,
only in the stretches of speech), decides who speaks from the best evidence
given, and returns a ``SpeechTimeline`` with notes in plain words. It took
0.03-0.05x real time on one core in bench/speech.py (a 161 s synthetic
panel): two to three minutes for an hour. Sound is held a block at a time;
what grows with length are the 10 ms measures (about 25 MB per hour).
``apply_corrections`` re-applies the organiser's fixes, keyed by time, to
a fresh timeline after a re-listen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .activity import RATE, FrameAnalysis, Segment, analyse_frames, speech_segments
from .audio import AudioFacts, ListenCancelled, frame_levels_db, pcm_blocks, probe_audio
from .corrections import apply_corrections  # noqa: F401  (part of this module's interface for the job)
from .diarize import diarize, speech_windows, voice_prints, word_boundaries
from .mouths import hear_phones, hold_shapes, mouths_from_loudness, mouths_from_phones
from .speakers import (
    MIN_TURN,
    smooth_labels,
    speakers_from_captions,
    speakers_from_channels,
    speakers_from_chapters,
)
from .spoken_phones import phones_from_words
from .timeline import FLOCK_FPS, Mouth, SpeechTimeline, Turn

#: share of the progress bar per pass: activity, microphones, phones (phones are the slow part)
PROGRESS_SPLIT = (0.35, 0.1, 0.55)
#: below this median gap between the loudest microphone and the next (dB), channels are one room heard
#: twice (ordinary stereo), not one microphone per panelist (lapel microphones give 10-20)
CHANNEL_SEPARATION_DB = 6.0
#: the note every clustered timeline carries, so the studio asks for names; it says what was
#: assumed, because counting voices is not reliable enough to warn only when there are more
CLUSTERED_NOTE = (
    "Speakers were told apart automatically, one voice per seated panelist "
    "(anyone else who spoke is shown as one of them); name them in the studio."
)


def build_timeline(
    audio_path: str | Path,
    speakers: Sequence[str],
    *,
    captions: Sequence[tuple[float, float, str]] | None = None,
    chapters: Sequence[tuple[float, int]] | None = None,
    channels: str | Sequence[int] | None = None,
    language: str = "en",
    words: Sequence[tuple[float, float, str]] | None = None,
    on_progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SpeechTimeline:
    """Who speaks when, and every frame's mouth shape, for the recording at ``audio_path``.

    :param speakers: the seated panelists' names, in seat order.
    :param captions: cues ``(start, end, voice)``, e.g. from ``cues_from_webvtt``; trusted first.
    :param chapters: ``(start, seat index)`` for chapters linked to a panelist.
    :param channels: ``"auto"`` to use one channel per panelist when the file's channels
        really are separate microphones (channel i is seat i), a list giving the seat of
        each channel (-1 to ignore one), or None to listen to the mix only.
    :param language: the panel's language; phones are heard for English only, other
        languages get loudness-driven beaks.
    :param words: ``(start, end, text)`` of the words said, when known (recognised or aligned):
        the beaks then take the dictionary phones of those words instead of recognised phones.
    :param on_progress: called with 0..1 as the passes advance.
    :param cancel: polled between blocks; when it returns true, ``ListenCancelled`` is raised.
    :raise ListenError: when the file cannot be read as sound (plain-words message).
    """
    facts = probe_audio(audio_path)
    notes: list[str] = []
    report = on_progress or (lambda fraction: None)
    seconds = max(facts.duration, 0.01)
    split = PROGRESS_SPLIT

    def progress(base: float, share: float) -> Callable[[float], None]:
        return lambda done: report(min(1.0, base + share * min(1.0, done / seconds)))

    analysis = analyse_frames(pcm_blocks(audio_path, cancel=cancel, duration=seconds), progress(0.0, split[0]))
    duration = max(facts.duration, analysis.duration)
    segments = speech_segments(analysis)
    flock_frames = math.ceil(duration * FLOCK_FPS)
    if not segments:
        notes.append("No speech was heard (music or silence?), so the beaks stay closed.")
        report(1.0)
        return SpeechTimeline(duration, list(speakers), [], Mouth.REST.value * flock_frames, notes=notes)

    uncertain: list[Segment] = []
    labels, source = _who_speaks(
        audio_path, facts, analysis, segments, speakers, captions, chapters, channels, notes, uncertain, words, cancel
    )
    report(split[0] + split[1])
    turns = turns_from_labels(labels, segments)

    shapes = None
    if words:
        phones = phones_from_words(words)
        shapes = mouths_from_phones(phones, segments, flock_frames) if phones else None
    elif language.split("-")[0].lower() == "en":
        phones = hear_phones(
            pcm_blocks(audio_path, cancel=cancel, block_seconds=2.0, duration=seconds),
            segments,
            on_segment=progress(split[0] + split[1], split[2]),
        )
        if phones:
            shapes = mouths_from_phones(phones, segments, flock_frames)
        else:
            notes.append("No speech sounds could be made out, so the beaks follow the loudness of the voices.")
    else:
        notes.append(f"The panel is not in English ({language}), so the beaks follow the loudness of the voices.")
    if shapes is None:
        shapes = mouths_from_loudness(analysis, segments, flock_frames)
    report(1.0)
    return SpeechTimeline(
        duration,
        list(speakers),
        turns,
        hold_shapes(shapes),
        source=source,
        notes=notes,
        uncertain=[[round(u.start, 2), round(u.end, 2)] for u in uncertain],
        words=[[round(a, 3), round(b, 3), text] for a, b, text in words or ()],
    )


def turns_from_labels(labels: np.ndarray, segments: Sequence[Segment]) -> list[Turn]:
    """Turns that cover the speech segments, split where the speaker changes.

    Within a segment, frames nobody was named for take the nearest named
    speaker (a caption often ends a moment before the voice does); a segment
    with no name at all becomes a turn of speaker -1. Gaps stay silence.
    """
    turns: list[Turn] = []
    for seg in segments:
        lo, hi = int(round(seg.start * RATE)), int(round(seg.end * RATE))
        part = _fill_unknown(labels[lo:hi].copy())
        if len(part) == 0:
            continue
        part = smooth_labels(part, MIN_TURN)
        edges = np.flatnonzero(np.diff(part)) + 1
        starts = np.concatenate([[0], edges])
        ends = np.concatenate([edges, [len(part)]])
        for a, b in zip(starts, ends, strict=True):
            start = seg.start if a == 0 else (lo + a) / RATE
            end = seg.end if b == len(part) else (lo + b) / RATE
            turns.append(Turn(round(start, 3), round(end, 3), int(part[a])))
    return turns


def representative_samples(timeline: SpeechTimeline, longest: float = 6.0) -> dict[int, tuple[float, float]]:
    """For each speaker, a stretch of their speech to play ("this is Speaker 2"): their longest turn's middle."""
    best: dict[int, Turn] = {}
    for turn in timeline.turns:
        if turn.speaker >= 0 and (
            turn.speaker not in best or turn.end - turn.start > best[turn.speaker].end - best[turn.speaker].start
        ):
            best[turn.speaker] = turn
    samples = {}
    for speaker, turn in sorted(best.items()):
        middle, half = (turn.start + turn.end) / 2, min(longest, turn.end - turn.start) / 2
        samples[speaker] = (round(middle - half, 3), round(middle + half, 3))
    return samples


def cues_from_webvtt(text: str) -> list[tuple[float, float, str]]:
    """``(start, end, voice)`` of each cue of a WebVTT file; voice "" when the cue has no ``<v>``."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        timing = _VTT_TIMING.search(block)
        if not timing:
            continue
        voice = _VTT_VOICE.search(block[timing.end() :])
        cues.append((_vtt_seconds(timing[1]), _vtt_seconds(timing[2]), voice[1].strip() if voice else ""))
    return cues


_VTT_TIMING = re.compile(r"((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})")
_VTT_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")


def _vtt_seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(parts)))


def _who_speaks(
    path,
    facts: AudioFacts,
    analysis: FrameAnalysis,
    segments,
    speakers,
    captions,
    chapters,
    channels,
    notes: list[str],
    uncertain: list[Segment],
    words,
    cancel,
) -> tuple[np.ndarray, str]:
    """Labels per 10 ms frame and the source they came from, notes appended as decided."""
    frames = len(analysis.vad)
    if not speakers:
        notes.append("Nobody is seated on this panel, so no speaker is named.")
        return np.full(frames, -1, dtype=np.int16), "none"
    if captions:
        labels, caption_notes = speakers_from_captions(captions, speakers, frames)
        notes += caption_notes
        if np.any(labels >= 0):
            return labels, "captions"
        notes.append("No caption names a seated panelist, so the captions were not used to tell speakers apart.")
    mapping = _channel_seats(channels, facts.channels, len(speakers), notes)
    if mapping is not None:
        blocks = pcm_blocks(path, channels=facts.channels, cancel=cancel, duration=facts.duration)
        levels = np.concatenate([frame_levels_db(b) for b in blocks])
        active = levels[: len(analysis.vad)][analysis.vad[: len(levels)]]
        ordered = np.sort(active, axis=1) if len(active) else np.zeros((0, 2))
        separation = float(np.median(ordered[:, -1] - ordered[:, -2])) if len(ordered) else 0.0
        if channels != "auto" or separation >= CHANNEL_SEPARATION_DB:
            return _fit(speakers_from_channels(levels, mapping), frames), "channels"
        notes.append(
            "The recording's channels carry the same sound (a room, not one microphone per panelist), "
            "so the voices were told apart by ear."
        )
    if chapters:
        return speakers_from_chapters(chapters, frames), "chapters"
    if len(speakers) == 1:
        notes.append(
            f"Everything said is given to {speakers[0]}, the only seat on this panel; "
            "seat anyone else who speaks so they get a bird of their own."
        )
        return np.zeros(frames, dtype=np.int16), "single"
    windows = speech_windows(segments)
    blocks = pcm_blocks(path, cancel=cancel, duration=facts.duration)
    boundaries = word_boundaries(list(words)) if words else []
    found = diarize(voice_prints(blocks, windows, cancel), windows, len(speakers), frames, boundaries)
    if cancel is not None and cancel():
        raise ListenCancelled("Listening was cancelled.")
    notes.append(CLUSTERED_NOTE)
    if 0 < found.voices < len(speakers):
        notes.append(
            f"Only {found.voices} different voice{'s' if found.voices != 1 else ''} could be told apart for "
            f"{len(speakers)} seats, so {'some birds stay' if found.voices > 1 else 'one bird speaks'} "
            "throughout; check in the studio whether everyone spoke."
        )
    uncertain.extend(found.uncertain)
    return found.labels, "clusters"


def _channel_seats(channels, available: int, seats: int, notes: list[str]) -> list[int] | None:
    """The seat of each channel of the file, or None when channels are not to be used."""
    if channels is None or available < 2 or seats < 2:
        return None
    if channels == "auto":
        mapping = [i if i < seats else -1 for i in range(available)]
    else:
        mapping = [int(s) for s in channels][:available] + [-1] * max(0, available - len(channels))
    used = {s for s in mapping if s >= 0}
    if len(used) < seats:
        notes.append(
            f"There are microphone channels for {len(used)} of the {seats} seated panelists; "
            "speech of the others is given to the loudest microphone. Check their turns in the studio."
        )
    if available > len(used) and channels == "auto":
        notes.append(f"The recording has {available} channels for {seats} seats; the extra channels were ignored.")
    return mapping


def _fit(labels: np.ndarray, frames: int) -> np.ndarray:
    out = np.full(frames, -1, dtype=np.int16)
    out[: min(frames, len(labels))] = labels[:frames]
    return out


def _fill_unknown(part: np.ndarray) -> np.ndarray:
    known = np.flatnonzero(part >= 0)
    if len(known) == 0 or len(known) == len(part):
        return part
    nearest = known[np.clip(np.searchsorted(known, np.arange(len(part))), 0, len(known) - 1)]
    before = known[np.clip(np.searchsorted(known, np.arange(len(part))) - 1, 0, len(known) - 1)]
    pick = np.where(np.abs(before - np.arange(len(part))) <= np.abs(nearest - np.arange(len(part))), before, nearest)
    return part[pick]
