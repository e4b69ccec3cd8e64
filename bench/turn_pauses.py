"""Measure pauses inside one speaker's turn in real speech: the figures behind ``timeline.HOLD_PAUSE``.

    pip download --no-deps pyannote-audio==4.0.7 -d /tmp/pa && (cd /tmp/pa && unzip -oq *.whl)
    pip download --no-deps --no-binary :all: pyannote-audio==4.0.7 -d /tmp/pa && (cd /tmp/pa && tar xzf *.tar.gz)
    .venv/bin/python bench/turn_pauses.py /tmp/pa

Two measures, both on real recordings with human-made speaker turns:

- the pyannote sample (``pyannote/audio/sample``, 30 s, two people on a telephone line):
  silences inside each annotated turn (frames 20 dB under the turn's loud frames, at least
  80 ms long, not covered by the other voice), i.e. the pauses a highlight must hold through;
- the AMI meeting excerpts in pyannote's tests (``tests/data/debug.*.rttm``, 14 x 30 s):
  the silence between one speaker's consecutive turns with nobody speaking in between,
  i.e. how long a pause had to be before the annotators started a new turn of the same person.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite.flock.audio import frame_levels_db, read_pcm  # noqa: E402

#: a frame this far under the turn's loud frames (90th percentile) is silence (dB)
DROP_DB = 20.0
#: pauses shorter than this are the gaps between sounds of a word (s)
SHORTEST = 0.08


def rttm(path: Path) -> dict[str, list[tuple[float, float, str]]]:
    """Turns (start, end, speaker) per recording of an RTTM file."""
    turns: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "SPEAKER":
            start = float(parts[3])
            turns[parts[1]].append((start, start + float(parts[4]), parts[7]))
    return {uri: sorted(found) for uri, found in turns.items()}


def pauses_inside_turns(wav: Path, turns: list[tuple[float, float, str]]) -> list[float]:
    """Silences (seconds) inside each turn, where no other voice speaks."""
    level = frame_levels_db(read_pcm(wav))  # 10 ms frames
    found = []
    for start, end, who in turns:
        a, b = int(start * 100), int(end * 100)
        quiet = level[a:b] < np.percentile(level[a:b], 90) - DROP_DB
        for s, e, other in turns:
            if other != who and e > start and s < end:
                quiet[max(0, int(s * 100) - a) : max(0, int(e * 100) - a)] = False
        edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(int), [0]])))
        for s, e in zip(edges[::2], edges[1::2], strict=True):
            if s > 0 and e < len(quiet) and (e - s) / 100 >= SHORTEST:
                found.append((e - s) / 100)
    return found


def gaps_between_turns(turns: list[tuple[float, float, str]]) -> tuple[list[float], list[float]]:
    """(silences before the same speaker's next turn, silences before another speaker's), nobody between."""
    same, change = [], []
    for i, (_start, end, who) in enumerate(turns):
        later = [t for t in turns[i + 1 :] if t[0] >= end - 1e-6]
        if not later:
            continue
        nxt = min(later)
        if any(t[2] != who and t[0] < nxt[0] and t[1] > end for t in turns):
            continue  # someone else speaks across the gap
        (same if nxt[2] == who else change).append(nxt[0] - end)
    return same, change


def describe(name: str, values: list[float]) -> str:
    v = np.array(values)
    if not len(v):
        return f"{name}: none"
    p = np.percentile(v, [50, 90]).round(2)
    return f"{name}: n={len(v)}, min {v.min():.2f}, median {p[0]}, p90 {p[1]}, max {v.max():.2f} s"


def main(folder: Path) -> None:
    sample = next(folder.rglob("sample/sample.rttm"))
    turns = rttm(sample)["sample"]
    print(describe("pyannote sample, pauses inside a turn", pauses_inside_turns(sample.with_suffix(".wav"), turns)))
    same, change = [], []
    for path in sorted(folder.rglob("tests/data/debug.*.rttm")):
        for found in rttm(path).values():
            s, c = gaps_between_turns(found)
            same += s
            change += c
    print(describe("AMI excerpts, silence before the same speaker's next turn", same))
    print(describe("AMI excerpts, silence before another speaker's turn", change))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pa"))
