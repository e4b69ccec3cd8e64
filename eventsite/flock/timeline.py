"""The speech timeline: who speaks when, and the mouth shape of every frame.

This is the contract between the listening half of ``eventsite.flock``
(speech activity, phones, who speaks) and the drawing half (birds, the flock
video). It is plain data, saved as JSON beside the renditions, so the studio
can show and correct it and a re-render needs no second listen.
"""

from __future__ import annotations

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
