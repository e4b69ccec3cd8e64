"""Phones from known words: the beaks follow what was said, not what a phone recogniser guessed.

Where the words of a recording are known with their times (Whisper's draft,
an aligned transcript), each word is looked up in the CMU pronouncing
dictionary that ships with PocketSphinx (134,000 words) and its phones share
the word's time, vowels twice as long as consonants. Rhubarb Lip Sync reports
the same gain from dialogue text: free phone recognition mistakes one
consonant for another, the dictionary does not. A word the dictionary lacks
(a name, a coinage) is spelled out letter by letter into the nearest phones.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence

from pocketsphinx import get_model_path

from .mouths import Phone

#: CMU vowels (stress digits removed); they get twice a consonant's share of a word's time
VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
#: letters → a phone, for words the dictionary lacks; close enough for a beak
LETTERS = {
    **dict.fromkeys("bpm", "P"), **dict.fromkeys("fv", "F"), "l": "L", "w": "W", "r": "R",
    "a": "AE", "e": "EH", "i": "IH", "o": "AO", "u": "AH", "y": "IY", "h": "HH",
}  # fmt: skip


@functools.cache
def pronunciations() -> dict[str, tuple[str, ...]]:
    """The CMU dictionary: lower-case word → its first pronunciation's phones (about 0.3 s to load)."""
    path = os.path.join(get_model_path(), "en-us", "cmudict-en-us.dict")
    table: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            word, _, phones = line.strip().partition(" ")
            if word and "(" not in word:
                table[word] = tuple(re.sub(r"\d", "", p) for p in phones.split())
    return table


def phones_of(word: str) -> tuple[str, ...]:
    """The phones of one written word ("Hello?" → HH AH L OW; "Likeminds" spelled out)."""
    key = re.sub(r"[^a-z']", "", word.lower().replace("’", "'")).strip("'")
    if not key:
        return ()
    table = pronunciations()
    if key in table:
        return table[key]
    if key.endswith("'s") and key[:-2] in table:
        return (*table[key[:-2]], "Z")
    return tuple(LETTERS.get(letter, "T") for letter in key if letter != "'")


def phones_from_words(words: Sequence[tuple[float, float, str]]) -> list[Phone]:
    """Timed phones for timed words ``(start, end, text)``: each word's phones share its time."""
    phones: list[Phone] = []
    for start, end, text in words:
        parts = phones_of(text)
        if not parts or end <= start:
            continue
        weights = [2.0 if p in VOWELS else 1.0 for p in parts]
        total, at = sum(weights), start
        for phone, weight in zip(parts, weights, strict=True):
            step = (end - start) * weight / total
            phones.append(Phone(round(at, 3), round(at + step, 3), phone))
            at += step
    return phones
