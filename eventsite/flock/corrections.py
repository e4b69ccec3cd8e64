"""The organiser's corrections to a speech timeline, kept by time so they outlive a re-listen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .timeline import SpeechTimeline, Turn


def apply_corrections(timeline: SpeechTimeline, corrections: Sequence[dict]) -> SpeechTimeline:
    """Re-apply the organiser's corrections, in order, to a (possibly re-listened) timeline.

    Corrections name times, not turn numbers, so they survive a re-listen that
    moves turn boundaries a little:

    - ``{"op": "assign", "start": s, "end": e, "speaker": i}``: speech between s and e is speaker i's;
    - ``{"op": "split", "at": t}`` (optionally ``"speaker": i`` for the part after t): one turn becomes two;
    - ``{"op": "merge", "at": t}``: the turns either side of t become one turn of the first's speaker.

    Keys other than those above (e.g. ``"by"``, who made it) are kept but not read.
    The result counts the corrections it has (``corrections_applied``), so a
    timeline stored with some corrections can later take just the newer ones.

    :raise ValueError: for an unknown op or a speaker index with no seat.
    """
    turns = list(timeline.turns)
    for correction in corrections:
        op = correction.get("op")
        speaker = correction.get("speaker")
        if speaker is not None and not -1 <= int(speaker) < len(timeline.speakers):
            raise ValueError(f"Speaker {speaker} has no seat on this panel.")
        if op == "assign":
            turns = _assign(turns, float(correction["start"]), float(correction["end"]), int(speaker))
        elif op == "split":
            turns = _split(turns, float(correction["at"]), speaker)
        elif op == "merge":
            turns = _merge(turns, float(correction["at"]))
        else:
            raise ValueError(f"Unknown correction {op!r}.")
    return replace(
        timeline,
        turns=turns,
        notes=list(timeline.notes),
        corrections_applied=timeline.corrections_applied + len(corrections),
    )


def _assign(turns: list[Turn], start: float, end: float, speaker: int) -> list[Turn]:
    out = []
    for turn in turns:
        if turn.end <= start or turn.start >= end:
            out.append(turn)
            continue
        if turn.start < start:
            out.append(replace(turn, end=start))
        out.append(Turn(max(turn.start, start), min(turn.end, end), speaker))
        if turn.end > end:
            out.append(replace(turn, start=end))
    return out


def _split(turns: list[Turn], at: float, speaker) -> list[Turn]:
    out = []
    for turn in turns:
        if turn.start < at < turn.end:
            out += [replace(turn, end=at), Turn(at, turn.end, turn.speaker if speaker is None else int(speaker))]
        else:
            out.append(turn)
    return out


def _merge(turns: list[Turn], at: float) -> list[Turn]:
    """Join the turn at ``at`` (or the one before a gap at ``at``) with the next one.

    When ``at`` is exactly where a turn starts (a boundary made by a split),
    that turn joins the one before it, so a split and a merge at the same time cancel.
    """
    starts = [k for k, t in enumerate(turns) if t.start <= at + 1e-6]
    if not starts:
        return turns
    i = starts[-1]
    if abs(turns[i].start - at) < 1e-6 and i > 0:
        i -= 1
    if i + 1 >= len(turns):
        return turns
    merged = Turn(turns[i].start, turns[i + 1].end, turns[i].speaker)
    return [*turns[:i], merged, *turns[i + 2 :]]
