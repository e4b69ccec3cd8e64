"""A hit's snippet: words of the one field that matched, around the match.

An entry's body is several fields (a panel's abstract, venue, each line of its
credits, who sits on it) kept apart by :data:`~.documents.FIELD_BREAK`. The
engines return the whole body with the matches marked; a snippet is cut from
the field with the most marks, so a result never reads "…Sala 2, Casa da
Música Hosted by Community Media Forum Video by…". Pure: text in, text out
(still with the engine's markers, for :func:`~.results.marked` to escape).
"""

from __future__ import annotations

from .documents import FIELD_BREAK, MARK_END, MARK_START

#: Words a snippet shows at most (FTS5's snippet() showed 40 tokens of running text).
SNIPPET_WORDS = 32
#: Words kept before the first match, so it reads in context.
LEAD_WORDS = 8
ELLIPSIS = "…"


def best_field(body_marked: str) -> str:
    """The field with the most matches; the first non-empty one when only the title matched."""
    fields = [f.strip() for f in (body_marked or "").split(FIELD_BREAK) if f.strip()]
    if not fields:
        return ""
    # max() keeps the first of equals: the earlier field (the abstract before the credits)
    return max(fields, key=lambda f: f.count(MARK_START))


def _balanced(words: list[str]) -> str:
    """``words`` joined, a highlighted phrase the window's end cuts closed there (a window
    starts before its first match, so never inside one)."""
    text = " ".join(words)
    return text + MARK_END if text.count(MARK_START) > text.count(MARK_END) else text


def snippet(body_marked: str, words: int = SNIPPET_WORDS) -> str:
    """Up to ``words`` words of the best field, from a little before its first match,
    with an ellipsis where the field goes on."""
    field = best_field(body_marked).split()
    if not field:
        return ""
    first = next((i for i, word in enumerate(field) if MARK_START in word), 0)
    start = max(0, min(first - LEAD_WORDS, len(field) - words))
    end = min(len(field), start + words)
    text = _balanced(field[start:end])
    return (ELLIPSIS if start > 0 else "") + text + (ELLIPSIS if end < len(field) else "")
