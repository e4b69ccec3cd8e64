"""Who speaks, on real people: the two-person telephone call of the pyannote-audio package.

The timbre-and-pitch clustering used before gave 60.9 % of this speech to the
right person (a coin gives 50 %); GE2E voice prints, turns that need evidence
over a stretch and changes moved to the words' boundaries give about 90 %
(bench/real_speech.py has the figures).
"""

from __future__ import annotations

import numpy as np

from eventsite.flock.activity import Segment
from eventsite.flock.diarize import diarize, speech_windows
from eventsite.flock.listen import CLUSTERED_NOTE, build_timeline
from eventsite.flock.voices import voice_encoder
from eventsite.transcripts.recognise import recognise
from tests.real_speech import data_path, rttm_turns, sample_lines


def _share_right(timeline, truth) -> float:
    """Share of truly spoken 10 ms frames we named, given to the right person (best of both matchings)."""
    frames = int(timeline.duration * 100)
    ours, theirs = np.full(frames, -1), np.full(frames, -1)
    people = sorted({who for _s, _e, who in truth})
    for start, end, who in truth:
        theirs[int(start * 100) : int(end * 100)] = people.index(who)
    for turn in timeline.turns:
        ours[int(turn.start * 100) : int(turn.end * 100)] = turn.speaker
    both = (ours >= 0) & (theirs >= 0)
    straight = np.mean(ours[both] == theirs[both])
    return float(max(straight, np.mean(ours[both] == 1 - theirs[both])))


def test_two_real_voices_on_one_track_are_told_apart():
    """As the flock job listens: the words heard first, the voices' changes moved to their boundaries."""
    truth = rttm_turns(data_path("sample", "sample.rttm"))
    path = data_path("sample", "sample.wav")
    words = [(w.start, w.end, w.text) for w in recognise(path, 30.0, names=["Diane", "Sheila"])]
    timeline = build_timeline(path, ["Diane", "Sheila"], words=words)
    assert timeline.source == "clusters" and CLUSTERED_NOTE in timeline.notes
    assert {t.speaker for t in timeline.turns} == {0, 1}
    assert _share_right(timeline, truth) >= 0.88
    # Diane's "This is Diane in New Jersey." hands over to Sheila's "And I'm Sheila" at 14.1-14.5 s
    change = next(t.start for t in timeline.turns if t.start > 13 and t.speaker != timeline.speaker_at(13.0))
    assert 13.9 <= change <= 14.6, timeline.turns
    # whole turns: roughly as many as were taken (10 in the truth), not one-second flips
    assert 4 <= len(timeline.turns) <= 16, timeline.turns


def test_a_voice_print_is_the_same_for_the_same_person():
    lines = sample_lines()
    encoder = voice_encoder()
    wav = np.frombuffer(data_path("sample", "sample.wav").read_bytes()[44:], dtype=np.int16) / 32768.0
    prints = {}
    for line in lines:
        if line.end - line.start >= 1.5:
            prints.setdefault(line.speaker, []).append(
                encoder.embed(wav[int(line.start * 16000) : int(line.end * 16000)])
            )
    mean = np.mean([p for group in prints.values() for p in group], axis=0)
    centred = {who: [(p - mean) / np.linalg.norm(p - mean) for p in group] for who, group in prints.items()}
    diane, sheila = centred["Diane"], centred["Sheila"]
    same = np.mean([a @ b for i, a in enumerate(diane) for b in diane[i + 1 :]])
    other = np.mean([a @ b for a in diane for b in sheila])
    assert same > other + 0.2, (same, other)


def test_one_voice_is_not_split_between_seats():
    """Fewer voices than seats is found, not invented: one person heard, one bird speaks."""
    lines = [line for line in sample_lines() if line.speaker == "Sheila"]
    wav = np.frombuffer(data_path("sample", "sample.wav").read_bytes()[44:], dtype=np.int16) / 32768.0
    encoder = voice_encoder()
    segments = [Segment(line.start, line.end) for line in lines]
    windows = speech_windows(segments)
    prints = np.stack([encoder.embed(wav[int(w.start * 16000) : int(w.end * 16000)]) for w in windows])
    found = diarize(prints, windows, seats=3, frames=3000)
    assert found.voices == 1, found.voices
