"""One speaker name per caption: the name a caption's text already starts with, found and taken off.

Caption text often carries its speaker twice over: as a WebVTT voice
(``<v Andrew Gerrard>``) and written in front of the words ("Andrew Gerrard:
We can measure…", as SRT files and transcribers write it). Whatever draws a
caption with a name in front (a burned-in flock caption, a quote clip's
plate) first takes off the name already written, so a viewer reads the name
once, and it is the name the picture shows (the lit bird, the clip's
speaker), not a stale one left in the text after a correction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: "Name:" or "Name Surname:" (up to four words, letters first) followed by the words
_WRITTEN_NAME = re.compile(r"\s*([^\W\d_][\w.'’-]*(?:\s+[^\W_][\w.'’-]*){0,3})\s*:\s+(?=\S)")


def split_speaker(text: str, names: Iterable[str]) -> tuple[str | None, str]:
    """(the speaker written at the start of ``text``, the words after it), or (None, ``text``).

    Only a name of ``names`` counts (the full name in any case, or its first
    word), so "Note: the figures…" or "Welcome: what is influence?" stay whole.
    """
    match = _WRITTEN_NAME.match(text)
    if match is None:
        return None, text
    written = _key(match.group(1))
    for name in names:
        key = _key(name)
        if key and (written == key or written == key.split()[0]):
            return match.group(1), text[match.end() :]
    return None, text


def _key(name: str) -> str:
    return " ".join(name.casefold().split())
