"""Which seated panelist a caption voice names, and which captions a panel shows."""

from __future__ import annotations

from ..events.models import Panel, Panelist
from ..recordings.captions import Cue, public_captions_of, read_cues
from ..recordings.current import ready_recording


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


class Speakers:
    """A panel's voices → panelists: the full name (any case or spacing), or a
    first name that only one seated panelist has (``<v Gemma>``)."""

    def __init__(self, panelists: list[Panelist]) -> None:
        self._by_name = {_key(p.name): p for p in panelists}
        first: dict[str, list[Panelist]] = {}
        for person in panelists:
            if person.name.split():
                first.setdefault(_key(person.name.split()[0]), []).append(person)
        self._by_first = {name: people[0] for name, people in first.items() if len(people) == 1}

    @classmethod
    def of(cls, panel: Panel) -> Speakers:
        return cls([seat.panelist for seat in panel.seats])

    def panelist(self, voice: str) -> Panelist | None:
        """The panelist ``voice`` names, or None (an unseated voice, or nobody)."""
        key = _key(voice)
        if not key:
            return None
        return self._by_name.get(key) or self._by_first.get(key)

    def name(self, voice: str) -> str:
        """How to write the speaker of a cue: the panelist's name, else the voice as written."""
        person = self.panelist(voice)
        return person.name if person else voice.strip()


def panel_transcript(panel: Panel) -> list[Cue]:
    """The cues the panel page shows as its transcript: the first caption track
    (English when there is one) of the newest ready recording; [] without one."""
    recording = ready_recording(panel)
    captions = public_captions_of(recording) if recording else []
    if not captions:
        return []
    first = next((c for c in captions if c.language.split("-")[0] == "en"), captions[0])
    return read_cues(first)
