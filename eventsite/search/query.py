"""What a visitor typed, made safe for both engines.

Nothing typed reaches a database as syntax: the text is cut into words
(letters and digits, as both engines' tokenisers cut it), each typed word or
"quoted phrase" becomes a quoted phrase, and the phrases are joined by spaces,
which both FTS5 and ``websearch_to_tsquery`` read as AND. So ``NEAR``, ``OR``,
``*``, ``-``, ``:`` and unbalanced quotes are searched as the words they contain,
never obeyed, and never make a query fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest query read; longer input is cut (nobody types 200 characters into a search box).
MAX_QUERY_CHARS = 200
#: Most phrases used; more would only make every query slower and emptier.
MAX_TERMS = 8
_TYPED = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    """The phrases of a query; each phrase is one or more words that must be adjacent."""

    phrases: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.phrases)

    @property
    def text(self) -> str:
        """The query as the engines receive it: ``"social influence" "brands"``."""
        return " ".join(quote(p) for p in self.phrases)

    def words(self) -> list[str]:
        """The phrases as a person reads them: ``social influence``, ``brands``."""
        return [" ".join(p) for p in self.phrases]

    def only(self, phrase: tuple[str, ...]) -> SearchQuery:
        return SearchQuery((phrase,))


def quote(phrase: tuple[str, ...]) -> str:
    # The words hold letters and digits only, so no quote can end the phrase early.
    return '"' + " ".join(phrase) + '"'


def parse_query(typed: str | None) -> SearchQuery:
    """The phrases in ``typed``: quoted phrases kept together, other words one by one.

    A typed word with punctuation inside ("e-mail", "don't") stays one phrase
    of its parts, which is how the indexes stored it.
    """
    phrases: list[tuple[str, ...]] = []
    for quoted, bare in _TYPED.findall((typed or "")[:MAX_QUERY_CHARS]):
        words = tuple(w.lower() for w in _WORD.findall(quoted or bare))
        if words and words not in phrases:
            phrases.append(words)
    return SearchQuery(tuple(phrases[:MAX_TERMS]))
