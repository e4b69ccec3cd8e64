"""Snippets cut from one field, around the match, with the highlight kept whole."""

from __future__ import annotations

from eventsite.search.documents import FIELD_BREAK, MARK_END, MARK_START
from eventsite.search.snippets import snippet


def mark(word: str) -> str:
    return MARK_START + word + MARK_END


def test_the_field_with_the_match_alone():
    body = FIELD_BREAK.join(["Sala 2, Casa da Música", f"Hosted by {mark('Community')} Media Forum", "Video by Brass"])
    assert snippet(body) == f"Hosted by {mark('Community')} Media Forum"


def test_a_long_field_is_cut_around_the_first_match_with_ellipses():
    words = [f"w{i}" for i in range(100)]
    words[50] = mark("needle")
    out = snippet(" ".join(words), words=10)
    assert out == "…w42 w43 w44 w45 w46 w47 w48 w49 " + mark("needle") + " w51…"


def test_a_highlighted_phrase_cut_by_the_window_stays_balanced():
    words = [f"w{i}" for i in range(30)]
    words[15:17] = [MARK_START + "social", "influence" + MARK_END]
    out = snippet(" ".join(words), words=9)  # eight words before the match, then "social": the window ends there
    assert out == "…w7 w8 w9 w10 w11 w12 w13 w14 " + mark("social") + "…"


def test_a_title_only_match_shows_the_first_field():
    assert snippet(FIELD_BREAK.join(["", "An abstract.", "Sala 2"])) == "An abstract."
    assert snippet("") == ""
