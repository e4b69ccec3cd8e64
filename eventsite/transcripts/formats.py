"""Cues written as plain text in speaker turns, WebVTT and SubRip. Pure functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..recordings.captions import Cue, to_webvtt
from ..times import clock, vtt_timestamp


@dataclass
class Turn:
    """Consecutive cues of one speaker ("" when the captions name nobody)."""

    speaker: str
    start: float
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t)


def turns(cues: list[Cue], name_of: Callable[[str], str]) -> list[Turn]:
    """Group ``cues`` into turns; ``name_of`` turns a cue's voice into a display name.

    A cue without a voice continues the turn before it: captions often name
    the speaker on their first cue only.
    """
    out: list[Turn] = []
    for cue in cues:
        speaker = name_of(cue.voice) if cue.voice else (out[-1].speaker if out else "")
        if not out or speaker != out[-1].speaker:
            out.append(Turn(speaker, cue.start))
        out[-1].texts.append(cue.plain_text.strip())
    return out


def as_text(cues: list[Cue], name_of: Callable[[str], str], header: list[str]) -> str:
    """A readable transcript: ``header`` lines, then "Gemma Went (0:12): …" per turn."""
    blocks = ["\n".join(header)] if header else []
    for turn in turns(cues, name_of):
        who = f"{turn.speaker} ({clock(turn.start)})" if turn.speaker else f"({clock(turn.start)})"
        blocks.append(f"{who}: {turn.text}")
    return "\n\n".join(blocks) + "\n"


def as_webvtt(cues: list[Cue]) -> str:
    """WebVTT with the voices (``<v Gemma Went>``) as stored."""
    return to_webvtt(cues)


def srt_timestamp(seconds: float) -> str:
    """SubRip's form of a moment: WebVTT's with a decimal comma (``00:01:02,500``)."""
    return vtt_timestamp(seconds).replace(".", ",")


def as_srt(cues: list[Cue], name_of: Callable[[str], str]) -> str:
    """SubRip, which has no voices: the speaker's name starts each new turn ("Gemma Went: …")."""
    blocks = []
    speaker = ""
    for number, cue in enumerate(cues, 1):
        text = cue.plain_text.strip()
        if cue.voice and name_of(cue.voice) != speaker:
            speaker = name_of(cue.voice)
            text = f"{speaker}: {text}"
        blocks.append(f"{number}\n{srt_timestamp(cue.start)} --> {srt_timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def passthrough_name(voice: str) -> str:
    """Voices written as the captions name them (when no panel's seats are known)."""
    return voice.strip()
