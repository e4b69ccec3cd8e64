"""The speech timeline: who speaks when, and the mouth shape of every frame.

This is the contract between the listening half of ``eventsite.flock``
(speech activity, phones, who speaks) and the drawing half (birds, the flock
video). It is plain data, saved as JSON beside the renditions, so the studio
can show and correct it and a re-render needs no second listen.
"""

from __future__ import annotations

import bisect
import enum
import json
from dataclasses import asdict, dataclass, field

#: Frames per second of the mouth track and of the flock video: a cartoon rate.
FLOCK_FPS = 12


class Mouth(enum.StrEnum):
    """Rhubarb Lip Sync's mouth shapes (after the Hanna-Barbera set)."""

    CLOSED = "A"  #: P, B, M
    SLIGHTLY_OPEN = "B"  #: most consonants (K, S, T, …), teeth showing
    OPEN = "C"  #: EH, AE
    WIDE = "D"  #: AA
    ROUNDED = "E"  #: AO, ER
    PUCKERED = "F"  #: UW, OW, W
    FV = "G"  #: F, V (teeth on lip)
    L = "H"  #: L (tongue up)
    REST = "X"  #: idle, not speaking


@dataclass(frozen=True)
class Turn:
    """One stretch of speech by one speaker."""

    start: float  #: seconds
    end: float  #: seconds
    speaker: int  #: index into ``SpeechTimeline.speakers``; -1 when nobody could be told


@dataclass
class SpeechTimeline:
    """Turns plus a per-frame mouth track for a whole recording."""

    duration: float
    #: The speakers' names in seat order (the birds on the branch, left to right).
    speakers: list[str]
    turns: list[Turn]
    #: One ``Mouth`` letter per frame at ``fps``; the shape of whoever speaks then.
    mouths: str
    fps: int = FLOCK_FPS
    #: How speakers were told apart: "captions", "channels", "chapters", "clusters", "single", "none".
    source: str = "none"
    #: Plain sentences for the organiser about what was assumed.
    notes: list[str] = field(default_factory=list)
    #: How many of the recording's corrections (``Recording.speech_corrections``, in order)
    #: this timeline already has, so the studio applies only the ones made since.
    corrections_applied: int = 0
    #: ``[start, end]`` stretches where the voices were told apart with little confidence, for the
    #: studio to point at (only when speakers were told apart by ear).
    uncertain: list[list[float]] = field(default_factory=list)
    #: ``[start, end, text]`` of every word heard (Whisper's draft), when words were heard:
    #: the beaks were drawn from them, and the caption job reuses them instead of listening again.
    words: list[list] = field(default_factory=list)

    def speaker_at(self, seconds: float) -> int:
        """Index of the speaker talking at ``seconds``, or -1 (silence or unknown)."""
        for turn in self.turns:
            if turn.start <= seconds < turn.end:
                return turn.speaker
        return -1

    def mouth_at_frame(self, frame: int) -> Mouth:
        """The mouth shape of frame ``frame`` (REST past the end)."""
        return Mouth(self.mouths[frame]) if 0 <= frame < len(self.mouths) else Mouth.REST

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SpeechTimeline:
        data = json.loads(text)
        data["turns"] = [Turn(**turn) for turn in data["turns"]]
        return cls(**data)


#: Seconds of silence between two turns of the same speaker that stay one turn to the eye: the
#: glow and the name pill hold and the bird does not hop again. Measured on real speech
#: (bench/turn_pauses.py; bench/RESULTS.md, "Steady turns"): the pauses inside one person's
#: turn in the pyannote sample are 0.08-0.23 s (p90 0.19 s), far under it, while the annotators
#: of the AMI meeting excerpts in pyannote's tests started a new turn of the same person only
#: after at least 1.06 s of silence (median 1.59 s). One second is also the "standard maximum"
#: silence after which listeners hear a lapse rather than a pause (Jefferson, 1989).
HOLD_PAUSE = 1.0


def held_turns(turns: list[Turn], max_pause: float = HOLD_PAUSE) -> list[Turn]:
    """The turns as a viewer should see them: a pause is not a turn change.

    Consecutive turns of one speaker less than ``max_pause`` apart become one
    turn; a different voice in between (even a short one) still starts a new turn.
    """
    held: list[Turn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        last = held[-1] if held else None
        if last is not None and last.speaker == turn.speaker and turn.start - last.end < max_pause:
            held[-1] = Turn(last.start, max(last.end, turn.end), turn.speaker)
        else:
            held.append(turn)
    return held


class LitSpeakers:
    """Who the flock lights when, asked for stretches of time.

    The lit bird is the speaker of the held turns (a later turn over an earlier
    one where they overlap). The flock paints its highlight from :attr:`lit`,
    and whatever names the speaker beside the birds (a caption's words) asks
    :meth:`during`, so the name is always the lit bird's.
    """

    def __init__(self, timeline: SpeechTimeline) -> None:
        #: non-overlapping stretches in time order, each with the one speaker lit then
        self.lit: list[Turn] = []
        for turn in held_turns(timeline.turns):
            if turn.speaker < 0:
                continue  # nobody to light: whoever was lit stays lit
            after: list[Turn] = []
            while self.lit and self.lit[-1].end > turn.start:
                last = self.lit.pop()
                if last.end > turn.end:
                    after.insert(0, Turn(turn.end, last.end, last.speaker))
                if last.start < turn.start:
                    self.lit.append(Turn(last.start, turn.start, last.speaker))
                    break
            self.lit += [turn, *after]
        self._ends = [t.end for t in self.lit]

    def during(self, start: float, end: float) -> int:
        """The speaker lit for most of ``start``..``end``; -1 when nobody is."""
        shares: dict[int, float] = {}
        for turn in self.lit[bisect.bisect_right(self._ends, start) :]:
            if turn.start >= end:
                break
            overlap = min(end, turn.end) - max(start, turn.start)
            if overlap > 0:
                shares[turn.speaker] = shares.get(turn.speaker, 0.0) + overlap
        return max(shares, key=shares.__getitem__) if shares else -1
