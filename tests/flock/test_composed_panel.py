"""A panel of four real people, each recorded alone and put one after another with known turns
(tests/real_speech.compose_panel): a LibriVox reader of a sonnet, a LibriVox reader of Jane Austen,
the Montreal Forced Aligner's author and John F. Kennedy. What a visitor would notice: every turn
captioned, and each person one bird, the same bird when they speak again.
"""

from __future__ import annotations

import jiwer
import pytest

from eventsite.flock.listen import build_timeline
from eventsite.transcripts.recognise import recognise
from tests.real_speech import compose_panel, panel_pieces
from tests.transcripts.test_real_speech import NORMALISE

#: Seats named as a new organiser might leave them: no real names to steer Whisper.
SEATS = ["Person 1", "Person 2", "Person 3", "Person 4"]


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """The first six turns (59 s): sonnet, Austen, aligner, Kennedy, sonnet, Austen; heard once."""
    path = tmp_path_factory.mktemp("panel") / "panel.wav"
    lines, truth = compose_panel(path, pieces=panel_pieces()[:6])
    words = recognise(path, lines[-1].end, names=SEATS)
    timeline = build_timeline(path, SEATS, words=[(w.start, w.end, w.text) for w in words])
    return lines, truth, words, timeline


def test_every_turn_is_captioned_from_the_first_word(panel):
    """Whisper, prompted with the seats, once jumped straight to 20.5 s and left the first two
    turns (a sonnet, then Austen) without a caption; speech it skips is heard again alone."""
    lines, _truth, words, _timeline = panel
    for line in lines:
        heard = " ".join(w.text for w in words if line.start - 0.3 <= w.start < line.end + 0.3)
        wer = jiwer.wer(line.text, heard or "-", reference_transform=NORMALISE, hypothesis_transform=NORMALISE)
        assert wer <= 0.35, (line.speaker, line.start, heard)
    assert "fairest creatures" in " ".join(w.text for w in words)
    assert words[0].start < 1.0


def test_each_person_is_one_bird_and_the_same_bird_again(panel):
    lines, truth, _words, timeline = panel
    birds = []
    for start, end, person in truth:
        # the bird lit for most of this stretch of speech
        lit = [timeline.speaker_at(start + (end - start) * k / 10) for k in range(1, 10)]
        lit = [b for b in lit if b >= 0]
        assert lit, (person, start, end)
        birds.append((person, max(set(lit), key=lit.count)))
    by_person = {}
    for person, bird in birds:
        by_person.setdefault(person, []).append(bird)
    # mostly one bird per person...
    main_bird = {person: max(set(b), key=b.count) for person, b in by_person.items()}
    right = sum(bird == main_bird[person] for person, bird in birds)
    assert right >= 0.9 * len(birds), birds
    # ...and four people, four birds
    assert len(set(main_bird.values())) == 4, main_bird
