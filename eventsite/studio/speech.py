"""The work behind the studio's speech timeline editor: who speaks when, corrected by an organiser.

The flock job stores the timeline it drew (with the corrections it knew of);
corrections made since are applied here for display, saved as time-keyed ops
in ``Recording.speech_corrections`` (so they survive a re-listen), and the
birds are queued to be drawn again. Voice samples for naming clustered
speakers are cut once with ffmpeg from the recording's own audio rendition and
kept beside it, for organisers only.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..events.birds import bird_spec
from ..events.models import Panelist
from ..extensions import db
from ..flock.birds import BirdSpec, design_bird
from ..flock.corrections import apply_corrections
from ..flock.listen import CLUSTERED_NOTE, representative_samples
from ..flock.timeline import SpeechTimeline, Turn
from ..jobs import queue_flock
from ..recordings.models import JobKind, JobStatus, Recording, RecordingJob, RenditionKind
from ..recordings.timeline import read_timeline
from ..storage import media_store, recording_key
from ..times import clock
from ..transcode import limits

#: the colour of turns nobody could be named for
UNKNOWN_COLOUR = "#8a8f98"
#: a split must leave at least this much (seconds) on either side
SHORTEST_PART = 0.2
#: the longest voice sample to play when naming a speaker (seconds)
SAMPLE_SECONDS = 6.0
#: ffmpeg gets this long to cut a sample of a few seconds
SAMPLE_TIMEOUT = 60


class SpeechEditError(ValueError):
    """A correction that cannot be made, in plain words."""


@dataclass
class Speaker:
    """One speaker of the timeline as the studio shows it."""

    index: int
    name: str
    colour: str
    panelist: Panelist | None = None


@dataclass
class SpeechEditor:
    """Everything the speech page shows, built once per request."""

    recording: Recording
    timeline: SpeechTimeline
    speakers: list[Speaker]
    #: corrections saved but not yet in the drawn flock video
    pending: int
    #: voices were clustered and nobody has named them yet ("Speaker 2")
    unnamed_voices: bool
    #: speaker index → (start, end) of a stretch to listen to
    samples: dict[int, tuple[float, float]] = field(default_factory=dict)

    def speaker(self, index: int) -> Speaker:
        """The speaker of a turn; the unknown speaker for -1 or an index past the seats."""
        if 0 <= index < len(self.speakers):
            return self.speakers[index]
        return Speaker(-1, "Unknown speaker", UNKNOWN_COLOUR)

    @property
    def ticks(self) -> list[tuple[float, str]]:
        """(percent along the strip, clock label) of the time axis's marks."""
        duration = max(self.timeline.duration, 0.001)
        step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800) if duration / s <= 8), 3600)
        return [(100 * t / duration, clock(t)) for t in range(0, int(duration) + 1, step)]

    def unsure(self, turn: Turn) -> bool:
        """Whether the voices were told apart with little confidence somewhere in ``turn``."""
        return any(start < turn.end and turn.start < end for start, end in self.timeline.uncertain)

    @property
    def unsure_turns(self) -> int:
        """How many turns to check first."""
        return sum(self.unsure(turn) for turn in self.timeline.turns)

    def percent(self, seconds: float) -> float:
        """Where ``seconds`` falls along the strip, in percent."""
        return round(100 * seconds / max(self.timeline.duration, 0.001), 3)


def speech_editor(recording: Recording) -> SpeechEditor | None:
    """The timeline as the organiser corrected it, or None before the birds were first drawn."""
    stored = read_timeline(recording)
    if stored is None:
        return None
    corrections = recording.speech_corrections or []
    timeline = stored
    if stored.corrections_applied < len(corrections):
        timeline = apply_corrections(stored, corrections[stored.corrections_applied :])
    named = any(c.get("by") == "naming" for c in corrections)
    unnamed = stored.source == "clusters" and not named
    seats = recording.panel.seats
    speakers = []
    for index, name in enumerate(timeline.speakers):
        seat = seats[index] if index < len(seats) and seats[index].panelist.name == name else None
        panelist = seat.panelist if seat else None
        spec = bird_spec(panelist) if panelist else BirdSpec(name)
        label = f"Speaker {index + 1}" if unnamed else name
        speakers.append(Speaker(index, label, "#{:02x}{:02x}{:02x}".format(*design_bird(spec).body), panelist))
    return SpeechEditor(
        recording=recording,
        timeline=timeline,
        speakers=speakers,
        pending=len(corrections) - min(stored.corrections_applied, len(corrections)),
        unnamed_voices=unnamed,
        samples=representative_samples(timeline, SAMPLE_SECONDS),
    )


def flock_notes(recording: Recording) -> list[str]:
    """What the newest finished flock job assumed, minus what the organiser has since settled."""
    job = latest_flock_job(recording)
    notes = list(job.notes or []) if job and job.status is JobStatus.SUCCEEDED else []
    if any(c.get("by") == "naming" for c in recording.speech_corrections or []):
        notes = [note for note in notes if note != CLUSTERED_NOTE]
    checked = set(recording.flock_notes_checked or [])
    return [note for note in notes if note not in checked]


def mark_notes_checked(recording: Recording) -> int:
    """The organiser has checked what the flock job asked: its notes stop showing. Returns how many.

    Kept by their words, so a redraw that notes the same thing again does not ask again,
    while anything new it notes still shows.
    """
    notes = flock_notes(recording)
    if notes:
        # a new list, so SQLAlchemy sees the JSON column change
        recording.flock_notes_checked = [*(recording.flock_notes_checked or []), *notes]
        db.session.commit()
    return len(notes)


def latest_flock_job(recording: Recording) -> RecordingJob | None:
    """The newest flock job of ``recording`` (jobs are ordered newest first)."""
    return next((job for job in recording.jobs if job.kind is JobKind.FLOCK), None)


def reassign_turn(recording: Recording, editor: SpeechEditor, start: float, end: float, speaker: int) -> str:
    """Give the speech between ``start`` and ``end`` to ``speaker``; returns what was done, in words."""
    turn = _turn(editor, start, end)
    if not -1 <= speaker < len(editor.speakers):
        raise SpeechEditError("Choose one of the panel's speakers.")
    _save(recording, [{"op": "assign", "start": turn.start, "end": turn.end, "speaker": speaker}])
    return f"The turn at {clock(turn.start)} is now {editor.speaker(speaker).name}'s."


def split_turn(recording: Recording, editor: SpeechEditor, start: float, end: float, at: float | None) -> str:
    """Cut a turn in two at ``at`` seconds."""
    turn = _turn(editor, start, end)
    if at is None:
        raise SpeechEditError("Write where to split, such as 1:02.5.")
    if not turn.start + SHORTEST_PART <= at <= turn.end - SHORTEST_PART:
        raise SpeechEditError(f"Split inside the turn: between {exact_time(turn.start)} and {exact_time(turn.end)}.")
    _save(recording, [{"op": "split", "at": round(at, 3)}])
    return f"The turn at {clock(turn.start)} is now two turns, split at {exact_time(at)}."


def merge_turn(recording: Recording, editor: SpeechEditor, start: float, end: float) -> str:
    """Join a turn with the one after it (the joined turn is the first one's speaker's)."""
    turn = _turn(editor, start, end)
    if editor.timeline.turns.index(turn) + 1 >= len(editor.timeline.turns):
        raise SpeechEditError("The last turn has no next turn to merge with.")
    # the turn's middle, not its start: a merge at a turn's start joins it with the one before
    _save(recording, [{"op": "merge", "at": round((turn.start + turn.end) / 2, 3)}])
    return f"The turn at {clock(turn.start)} and the next one are now one turn."


def name_voices(recording: Recording, editor: SpeechEditor, names: dict[int, int]) -> str:
    """Name clustered voices: every turn of voice v becomes seat ``names[v]``'s, all at once.

    Done as one assign per turn (keyed by time, like every correction), so two
    voices can swap names without the first renaming catching the second.
    """
    if any(not 0 <= seat < len(editor.speakers) for seat in names.values()):
        raise SpeechEditError("Choose a seated panelist for each voice.")
    ops = [
        {"op": "assign", "start": t.start, "end": t.end, "speaker": names[t.speaker], "by": "naming"}
        for t in editor.timeline.turns
        if t.speaker in names
    ]
    if not ops:
        raise SpeechEditError("There are no voices to name.")
    _save(recording, ops)
    return "The voices are named."


def redraw(recording: Recording) -> RecordingJob | None:
    """Queue the flock job again (None when one is already waiting or running)."""
    return queue_flock(recording)


def sample_clip(recording: Recording, editor: SpeechEditor, speaker: int) -> str:
    """The stored key of a few seconds of ``speaker``'s voice as AAC, cut once and kept for organisers.

    Cut from the recording's audio rendition (a file we made, so ffmpeg never
    opens the untrusted upload with a guessed demuxer).

    :raise SpeechEditError: no sample for that speaker, or no audio to cut from.
    """
    if speaker not in editor.samples:
        raise SpeechEditError("That speaker has no speech to play.")
    start, end = editor.samples[speaker]
    audio = next((r for r in recording.renditions if r.kind is RenditionKind.AUDIO), None)
    if audio is None:
        raise SpeechEditError("This recording has no sound to play a sample from.")
    store = media_store()
    key = recording_key(recording.id, "samples", f"{start:.3f}-{end:.3f}.m4a")
    if store.exists(key):
        return key
    with store.local_copy(audio.storage_key) as sound, tempfile.TemporaryDirectory() as scratch:
        part = Path(scratch) / "sample.m4a"
        argv = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file"]
        argv += ["-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", f"file:{sound}"]
        argv += ["-vn", "-ac", "1", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(part)]
        try:
            subprocess.run(  # noqa: PLW1509 (the limits are set between fork and exec, as for every ffmpeg run)
                argv,
                check=True,
                capture_output=True,
                timeout=SAMPLE_TIMEOUT,
                preexec_fn=limits.current().preexec(end - start),
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
            raise SpeechEditError("The sample could not be cut from the recording's sound.") from None
        store.adopt(part, key)
    return key


def exact_time(seconds: float) -> str:
    """A moment to a tenth of a second ("1:02.5"), truncated (so inside its turn), for split
    times the organiser can edit."""
    return clock(seconds, 1)


def _turn(editor: SpeechEditor, start: float, end: float) -> Turn:
    """The displayed turn a form was about; refuses forms from a page that has since changed."""
    for turn in editor.timeline.turns:
        if abs(turn.start - start) < 0.002 and abs(turn.end - end) < 0.002:
            return turn
    raise SpeechEditError("That turn has changed since the page was loaded; here is the timeline as it is now.")


def _save(recording: Recording, ops: list[dict]) -> None:
    # a new list, so SQLAlchemy sees the JSON column change
    recording.speech_corrections = [*(recording.speech_corrections or []), *ops]
    db.session.commit()
    queue_flock(recording)
