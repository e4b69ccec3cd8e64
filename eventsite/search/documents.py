"""What the index holds for each event, panel, panelist and passage of a transcript.

Built from the same facts the public pages show: markdown as its plain words,
the panel page's transcript, speakers matched to the seated panelists.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..events.models import Event, Panel, Panelist, Seat
from ..recordings.captions import Cue
from ..rendering import render_markdown
from ..transcripts.speakers import Speakers, panel_transcript

#: Private-use characters that mark highlighted words in snippets; removed
#: from indexed text so nobody can smuggle a highlight in through a caption.
MARK_START, MARK_END = "\ue000", "\ue001"
#: Between the fields of a body (abstract, venue, each credit line…): both engines read it as
#: a space, and a snippet is cut from one field (snippets.py). clean() leaves none inside a field.
FIELD_BREAK = "\n"

#: A passage this short takes in the next cue of the same speaker, so a hit
#: reads as a sentence, not as "and that is".
SHORT_PASSAGE = 60
#: …but stops growing here, so one hit never becomes a paragraph.
LONG_PASSAGE = 240
#: Cues further apart than this (seconds) are not one passage.
MAX_GAP = 2.0


@dataclass
class Entry:
    """One row of the index."""

    kind: str  # "event", "panel", "person" or "said"
    title: str
    #: The text searched, its fields joined by :func:`fields`.
    body: str
    event_id: int | None = None
    panel_id: int | None = None
    panelist_id: int | None = None
    #: For "said": seconds into the recording where the passage starts.
    start: float | None = None
    #: For "said": the voice as the captions name it.
    speaker: str = ""

    def row(self) -> dict:
        return {
            "kind": self.kind,
            "title": clean(self.title),
            "body": fields(*self.body.split(FIELD_BREAK)),
            "event_id": self.event_id,
            "panel_id": self.panel_id,
            "panelist_id": self.panelist_id,
            "start": self.start,
            "speaker": clean(self.speaker),
        }


def clean(text: str) -> str:
    return " ".join((text or "").replace(MARK_START, "").replace(MARK_END, "").split())


def fields(*texts: str) -> str:
    """The non-empty texts, each cleaned, as the fields of one body."""
    return FIELD_BREAK.join(filter(None, (clean(text) for text in texts)))


def plain(markdown: str) -> str:
    """The words of a markdown text, without its markup."""
    return render_markdown(markdown).striptags() if markdown else ""


@dataclass
class Passage:
    """One or more neighbouring cues of one speaker."""

    start: float
    end: float
    voice: str
    text: str


def passages(cues: list[Cue]) -> list[Passage]:
    """Cues merged into passages: a short cue takes in the next one of the same voice."""
    out: list[Passage] = []
    for cue in cues:
        text = cue.plain_text.strip()
        if not text:
            continue
        last = out[-1] if out else None
        if (
            last is not None
            and len(last.text) < SHORT_PASSAGE
            and (cue.voice or last.voice) == last.voice
            and cue.start - last.end <= MAX_GAP
            and len(last.text) + len(text) < LONG_PASSAGE
        ):
            last.text += " " + text
            last.end = max(last.end, cue.end)
        else:
            out.append(Passage(cue.start, cue.end, cue.voice or (last.voice if last else ""), text))
    return out


def event_entry(event: Event) -> Entry:
    body = fields(event.place, event.host_organisation, plain(event.description))
    return Entry("event", event.name, body, event_id=event.id)


def person_entry(person: Panelist) -> Entry:
    return Entry("person", person.name, fields(person.headline, plain(person.bio)), panelist_id=person.id)


def panel_entries(panel: Panel, *, without: Seat | None = None) -> list[Entry]:
    """The panel's own entry (title; abstract, venue, credits and who sits on it)
    and one entry per passage of its transcript.

    :param without: a seat being deleted, left out already.
    """
    seats = [seat for seat in panel.seats if seat is not without]
    names = ", ".join(seat.panelist.name for seat in seats)
    body = fields(plain(panel.abstract), panel.venue, *panel.credit_lines, names)
    ids = {"event_id": panel.event_id, "panel_id": panel.id}
    entries = [Entry("panel", panel.title, body, **ids)]
    speakers = Speakers([seat.panelist for seat in seats])
    for passage in passages(panel_transcript(panel)):
        person = speakers.panelist(passage.voice)
        entries.append(
            Entry(
                "said",
                "",
                clean(passage.text),  # one field, however many lines its cues had
                panelist_id=person.id if person else None,
                start=passage.start,
                speaker=passage.voice,
                **ids,
            )
        )
    return entries
