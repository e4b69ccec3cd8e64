"""Real espeak-ng speech through real PocketSphinx: recognition heard, alignment placed.

Figures here are for formant-synthesised speech, far easier to time than a
real room and harder to recognise than a real voice: recognition is scored
loosely (known words heard), alignment within ±0.3 s of espeak-ng's lines.
"""

from __future__ import annotations

import re

import pytest

from eventsite.flock.audio import ListenCancelled
from eventsite.transcripts.align import align_transcript
from eventsite.transcripts.recognise import recognise
from eventsite.transcripts.transcript_text import read_transcript

from .conftest import SCRIPT, SEATS, TOLERANCE, transcript_text


def _plain(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_recognition_hears_known_words_at_their_times(spoken):
    words = recognise(spoken.mixed, spoken.duration)
    heard = {w.text.lower() for w in words}
    known = {w for _s, line in SCRIPT for w in _plain(line) if len(w) >= 5}
    assert len(heard & known) >= 4, (sorted(heard & known), [w.text for w in words])
    for word in words:
        assert 0 <= word.start < word.end <= spoken.duration + 0.1
        # every word falls inside one of the spoken lines (none invented in the pauses)
        assert any(c.start - 0.3 <= word.start and word.end <= c.end + 0.3 for c in spoken.cues), word


def test_recognition_stops_when_cancelled(spoken):
    with pytest.raises(ListenCancelled):
        recognise(spoken.mixed, spoken.duration, cancel=lambda: True)


def _lines(alignment, script):
    """The aligned words of each script line, in order."""
    out, i = [], 0
    for _speaker, line in script:
        n = len(line.split())
        out.append(alignment.words[i : i + n])
        i += n
    return out


def test_a_transcript_with_speaker_names_aligns_within_tolerance(spoken):
    turns = read_transcript(transcript_text(), lambda name: name in SEATS)
    alignment = align_transcript(spoken.mixed, turns, spoken.duration)
    assert alignment.complete and alignment.failed_at is None
    assert len(alignment.words) == alignment.total_words
    for truth, words in zip(spoken.cues, _lines(alignment, SCRIPT), strict=True):
        assert abs(words[0].start - truth.start) <= TOLERANCE, (truth.text, words[0])
        assert abs(words[-1].end - truth.end) <= TOLERANCE, (truth.text, words[-1])
        assert {w.speaker for w in words} == {SEATS[truth.speaker]}
        assert " ".join(w.text for w in words) == truth.text  # written words kept, punctuation and all


def test_plain_text_without_names_aligns_too(spoken):
    text = " ".join(line for _s, line in SCRIPT)
    alignment = align_transcript(spoken.mixed, read_transcript(text), spoken.duration)
    assert alignment.complete
    for truth, words in zip(spoken.cues, _lines(alignment, SCRIPT), strict=True):
        assert abs(words[0].start - truth.start) <= TOLERANCE
        assert abs(words[-1].end - truth.end) <= TOLERANCE


def test_a_transcript_that_stops_matching_says_where_and_keeps_what_aligned(spoken):
    wrong = "The quarterly revenue figures for the northern region exceeded every forecast made by analysts."
    script = SCRIPT[:3] + [(0, wrong)]
    alignment = align_transcript(spoken.mixed, read_transcript(transcript_text(script)), spoken.duration)
    assert not alignment.complete
    assert alignment.failed_words.startswith("The quarterly revenue")
    # It stopped where the wrong turn should have started: after line 3, before line 4.
    assert spoken.cues[2].end - 0.5 <= alignment.failed_at <= spoken.cues[3].start + 0.5
    kept = _lines(alignment, SCRIPT[:3])
    assert len(alignment.words) == sum(len(line.split()) for _s, line in SCRIPT[:3])
    for truth, words in zip(spoken.cues[:3], kept, strict=True):
        assert abs(words[0].start - truth.start) <= TOLERANCE
