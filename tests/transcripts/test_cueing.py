"""Timed words become cues a viewer can read: split at pauses and speakers, ≤ 7 s, ≤ 2 lines."""

from __future__ import annotations

import pytest

from eventsite.transcripts.cueing import LINE_CHARS, build_cues
from eventsite.transcripts.cueing import Word as W
from eventsite.transcripts.transcript_text import TranscriptError, read_transcript, spoken_tokens


def words(text: str, start: float = 0.0, step: float = 0.3, speaker: str = "") -> list[W]:
    return [W(start + i * step, start + i * step + 0.25, w, speaker) for i, w in enumerate(text.split())]


def test_a_pause_and_a_new_speaker_start_new_cues():
    said = words("Welcome to the panel.", 0.0) + words("Thank you for having me.", 3.0, speaker="Ben")
    said += words("It is a pleasure.", 5.0, speaker="Ben")
    cues = build_cues(said)
    assert [c.text for c in cues] == ["Welcome to the panel.", "Thank you for having me.", "It is a pleasure."]
    assert [c.speaker for c in cues] == ["", "Ben", "Ben"]


def test_long_speech_is_shared_out_in_readable_cues():
    monologue = words(" ".join(["influence"] * 8 + ["matters,"] + ["online"] * 40), step=0.32)
    cues = build_cues(monologue)
    assert len(cues) > 3
    for cue in cues:
        assert cue.end - cue.start <= 7.0 + 0.3
        assert len(cue.lines) <= 2 and all(len(line) <= LINE_CHARS + 12 for line in cue.lines)
    assert [w for c in cues for w in c.text.split()] == [w.text for w in monologue]  # nothing lost or doubled


def test_transcript_prefixes_name_seated_speakers_only():
    text = "Gemma Went: Influence is the ability to inspire.\nNote: this is\nstill Gemma.\n\nAndrew: Thank you."
    turns = read_transcript(text, lambda name: name in {"Gemma Went", "Andrew"})
    assert [(t.speaker, " ".join(t.words)) for t in turns] == [
        ("Gemma Went", "Influence is the ability to inspire. Note: this is still Gemma."),
        ("Andrew", "Thank you."),
    ]
    # A label used on several turns counts even when nobody by that name is seated.
    turns = read_transcript("Audience: Hello?\nAna: Yes.\nAudience: Thanks.", lambda name: name == "Ana")
    assert [t.speaker for t in turns] == ["Audience", "Ana", "Audience"]


def test_empty_and_giant_pastes_are_refused_in_plain_words():
    with pytest.raises(TranscriptError, match="empty"):
        read_transcript("  \n\n ")
    with pytest.raises(TranscriptError, match="larger than 500 kB"):
        read_transcript("word " * 120_000)


def test_written_words_become_spoken_dictionary_words():
    assert spoken_tokens("2019,") == ["two", "thousand", "nineteen"]
    assert spoken_tokens("Social-media") == ["social", "media"]
    assert spoken_tokens("Gemma’s") == ["gemma's"]
    assert spoken_tokens("—") == []
