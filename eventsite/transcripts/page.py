"""The transcript block of the panel page: cues grouped in speaker turns.

Built once per request by ``events.page.panel_page`` (templates never load
data): the same track the player shows first (English when there is one),
its cues grouped into turns of one voice, each turn with its seated
panelist (for the portrait or bird) when the voice names one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..recordings.captions import Cue
from ..recordings.models import Caption, CaptionSource
from ..recordings.player import PlayerMedia
from .speakers import Speakers


@dataclass
class TranscriptTurn:
    """Consecutive cues of one voice."""

    #: The name to show ("" when the captions name nobody).
    speaker: str
    #: The seated panelist the voice names, for the portrait and profile link.
    panelist: object | None
    cues: list[Cue] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.cues[0].start


@dataclass
class Transcript:
    caption: Caption
    turns: list[TranscriptTurn]

    @property
    def is_draft(self) -> bool:
        """Made by speech recognition and not yet checked by an organiser."""
        return self.caption.source is CaptionSource.AUTOMATIC

    @property
    def named(self) -> bool:
        """True when any turn names its speaker (otherwise the page shows a plain list)."""
        return any(turn.speaker for turn in self.turns)


def group_turns(cues: list[Cue], speakers: Speakers) -> list[TranscriptTurn]:
    """Cues grouped into turns; a cue without a voice continues the turn before it
    (captions often name the speaker on a turn's first cue only)."""
    turns: list[TranscriptTurn] = []
    for cue in cues:
        voice = cue.voice
        speaker = speakers.name(voice) if voice else (turns[-1].speaker if turns else "")
        if not turns or speaker != turns[-1].speaker:
            turns.append(TranscriptTurn(speaker, speakers.panelist(voice) if voice else None))
        turns[-1].cues.append(cue)
    return turns


def transcript_of(media: PlayerMedia | None) -> Transcript | None:
    """The panel page's transcript, or None without captions."""
    caption = media.transcript_caption if media is not None else None
    cues = media.transcript if caption is not None else []
    if not cues:
        return None
    return Transcript(caption, group_turns(cues, Speakers.of(media.panel)))
