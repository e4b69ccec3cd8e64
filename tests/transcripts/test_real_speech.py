"""Whisper on real people: the two-person telephone sample from the pyannote-audio package.

Figures on real speech are reported in bench/RESULTS.md (bench/speech.py); here the
bar is what a viewer would notice: most words right, in order, at their times.
"""

from __future__ import annotations

import jiwer

from eventsite.transcripts.align import align_transcript
from eventsite.transcripts.cueing import build_cues
from eventsite.transcripts.recognise import recognise
from eventsite.transcripts.transcript_text import read_transcript

from ..real_speech import data_path, sample_lines

NORMALISE = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)


def test_real_voices_are_captioned_readably():
    lines = sample_lines()
    words = recognise(data_path("sample", "sample.wav"), 30.0, names=["Diane", "Sheila"], title="Home towns")
    reference = " ".join(line.text for line in lines)
    heard = " ".join(w.text for w in words)
    # PocketSphinx got 76.5 % of these words wrong; Whisper tiny.en 14.8-16 % (bench/RESULTS.md).
    wer = jiwer.wer(reference, heard, reference_transform=NORMALISE, hypothesis_transform=NORMALISE)
    assert wer <= 0.22, (wer, heard)
    assert "Diane in New Jersey" in heard and "Chicago" in heard, heard
    # punctuation and casing come with the words
    assert any(w.text.endswith((".", "?", ",")) for w in words) and any(w.text[:1].isupper() for w in words)
    # each word sits within the talk's lines (times a caption can be shown at)
    placed = sum(any(line.start - 0.5 <= w.start and w.end <= line.end + 0.5 for line in lines) for w in words)
    assert placed >= 0.9 * len(words), [(w.start, w.end, w.text) for w in words]
    cues = build_cues(words)
    assert all(c.end - c.start <= 7.0 and len(c.lines) <= 2 for c in cues)


def test_a_correct_transcript_of_real_voices_aligns_to_its_end():
    """PocketSphinx's forced alignment stopped at the first word of this call; the script is exact."""
    lines = sample_lines()
    text = "\n".join(f"{line.speaker}: {line.text}" for line in lines)
    turns = read_transcript(text, lambda name: name in ("Diane", "Sheila"))
    alignment = align_transcript(data_path("sample", "sample.wav"), turns, 30.0)
    assert alignment.complete and alignment.failed_at is None
    assert len(alignment.words) == alignment.total_words == sum(len(line.text.split()) for line in lines)
    i = 0
    for line in lines:
        words = alignment.words[i : i + len(line.text.split())]
        i += len(words)
        assert {w.speaker for w in words} == {line.speaker}
        assert abs(words[0].start - line.start) <= 0.6, (line, words[0])
        assert abs(words[-1].end - line.end) <= 0.6, (line, words[-1])
