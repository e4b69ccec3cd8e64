"""Who speaks on one mixed track: voice prints of the speech, grouped into voices, followed as turns.

1. The speech (segments from the voice-activity pass) is cut into windows of
   WINDOW seconds, a new one every STEP, and each gets a GE2E voice print
   (:mod:`.voices`).
2. The prints are centred (the room and the microphone are common to all of
   them) and grouped with k-means into as many voices as seats, or fewer
   while that grouping is loose (silhouette), so fewer voices than seats is
   found and said.
3. Turns follow the talk: each window's voice is decided with a switch cost
   (a Viterbi pass over the windows), so a change needs evidence over a
   stretch of speech rather than one window; the voices' centres are then
   re-estimated from those turns and the pass runs once more.
4. Windows whose best voice barely beats the next are reported as uncertain,
   so the studio can point the organiser at them.

Pure numpy: sound in, labels per 10 ms frame out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .activity import RATE, Segment
from .audio import SAMPLE_RATE
from .voices import voice_encoder

#: seconds of speech per voice print, and the step between prints (GE2E's partial is 1.6 s)
WINDOW, STEP = 1.5, 0.75
#: a stretch shorter than this (seconds) gets no print of its own; it takes its neighbours' voice
SHORTEST = 0.4
#: switch cost of the turn pass, in units of cosine similarity: a change of voice must be
#: better by this much, summed over the windows after it, than staying with the same voice
SWITCH_COST = 0.6
#: a grouping into k voices is kept (rather than k-1) when its silhouette is at least this. Both figures
#: were chosen on the real recordings of bench/real_speech.py (switch cost 0.2-1.0 and silhouette
#: 0.05-0.2 tried): 0.6 and 0.2 gave the AMI clips the fewest errors with the sample unchanged.
MIN_SILHOUETTE = 0.2
#: a window whose best voice beats the next by less than this (cosine) is uncertain
UNCERTAIN_MARGIN = 0.04
#: a change of voice moves to the strongest boundary between words within this many seconds of it
SNAP = 0.8
#: a sentence's end counts as this many seconds of pause when choosing where a voice changes
SENTENCE_END = 0.3
#: k-means restarts (seeded, so a re-listen gives the same voices)
RESTARTS = 8


@dataclass(frozen=True)
class Diarization:
    """Voice index per 10 ms frame (-1 outside speech), how many voices, and the uncertain stretches."""

    labels: np.ndarray
    voices: int
    uncertain: list[Segment]


def speech_windows(segments: Sequence[Segment]) -> list[Segment]:
    """Windows of about WINDOW seconds every STEP over the speech; a short segment is one window."""
    windows = []
    for seg in segments:
        if seg.duration < SHORTEST:
            continue
        if seg.duration <= WINDOW:
            windows.append(seg)
            continue
        count = int(np.ceil((seg.duration - WINDOW) / STEP)) + 1
        step = (seg.duration - WINDOW) / (count - 1)
        windows += [Segment(seg.start + i * step, seg.start + i * step + WINDOW) for i in range(count)]
    return windows


def voice_prints(
    blocks: Iterator[np.ndarray], windows: Sequence[Segment], cancel: Callable[[], bool] | None = None
) -> np.ndarray:
    """(windows, 256) voice prints, reading int16 blocks of 16 kHz sound once, in order."""
    encoder = voice_encoder()
    prints = np.zeros((len(windows), 256), dtype=np.float32)
    held = np.zeros(0, dtype=np.float32)
    held_from = 0  # sample index of held[0]
    index = 0
    for block in blocks:
        held = np.concatenate([held, block.astype(np.float32) / 32768.0])
        heard_to = held_from + len(held)
        batch_start = index
        while index < len(windows) and int(windows[index].end * SAMPLE_RATE) <= heard_to:
            index += 1
        if index > batch_start:
            mels = []
            for w in windows[batch_start:index]:
                lo, hi = int(w.start * SAMPLE_RATE) - held_from, int(w.end * SAMPLE_RATE) - held_from
                mels.append(encoder.mel_frames(held[max(lo, 0) : hi]))
            for offset, frames in enumerate(mels):
                prints[batch_start + offset] = encoder.embed_frames(frames)
        if cancel is not None and cancel():
            break
        # keep only what a later window may still need
        keep_from = int(windows[index].start * SAMPLE_RATE) if index < len(windows) else heard_to
        drop = min(max(keep_from - held_from, 0), len(held))
        held, held_from = held[drop:], held_from + drop
    return prints


def diarize(
    prints: np.ndarray,
    windows: Sequence[Segment],
    seats: int,
    frames: int,
    boundaries: Sequence[tuple[float, float]] = (),
) -> Diarization:
    """Labels per 10 ms frame from the windows' voice prints, at most ``seats`` voices.

    :param boundaries: ``(time, strength)`` of the places between words, when the words are
        known (``word_boundaries``): a change of voice moves to the strongest one near it.
    """
    labels = np.full(frames, -1, dtype=np.int16)
    if len(windows) == 0 or seats < 1:
        return Diarization(labels, 0, [])
    points = prints - prints.mean(axis=0)
    points /= np.linalg.norm(points, axis=1, keepdims=True) + 1e-9
    groups, voices = _count_and_group(points, seats)
    centres = _centres(points, groups, voices)
    for _ in range(2):
        groups, margin = _follow_turns(points @ centres.T)
        centres = _centres(points, groups, voices)
    groups = _by_first_appearance(groups)
    # each frame takes the voice of the window whose middle is nearest (windows overlap by half)
    middles = np.array([(w.start + w.end) / 2 for w in windows])
    for w in windows:
        span = np.arange(int(round(w.start * RATE)), min(int(round(w.end * RATE)), frames))
        times = (span + 0.5) / RATE
        after = np.clip(np.searchsorted(middles, times), 1, len(middles) - 1) if len(middles) > 1 else None
        if after is None:
            labels[span] = groups[0]
            continue
        nearest = np.where(times - middles[after - 1] <= middles[after] - times, after - 1, after)
        labels[span] = groups[nearest]
    if boundaries:
        _snap_changes(labels, boundaries)
    uncertain = _merge([w for w, m in zip(windows, margin, strict=True) if m < UNCERTAIN_MARGIN])
    return Diarization(labels, int(len(set(groups.tolist()))), uncertain)


def word_boundaries(words: Sequence[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """``(time, strength)`` between consecutive words: the pause's length, plus SENTENCE_END after a
    sentence's last word (Whisper's word times often touch, so a turn's end shows in its punctuation)."""
    out = []
    for (_a, end, text), (start, _b, _t) in zip(words, words[1:], strict=False):
        strength = max(0.0, start - end) + (SENTENCE_END if text.rstrip("\"')”’").endswith((".", "?", "!")) else 0.0)
        out.append(((end + max(start, end)) / 2, strength))
    return out


def _snap_changes(labels: np.ndarray, boundaries: Sequence[tuple[float, float]]) -> None:
    """Move each change of voice inside speech to the strongest word boundary within SNAP seconds."""
    changes = np.flatnonzero((labels[1:] != labels[:-1]) & (labels[1:] >= 0) & (labels[:-1] >= 0)) + 1
    for change in changes:
        at = change / RATE
        near = [(strength, -abs(t - at), t) for t, strength in boundaries if abs(t - at) <= SNAP and strength > 0]
        if not near:
            continue
        target = int(round(max(near)[2] * RATE))
        before, after = labels[change - 1], labels[change]
        if target < change:
            labels[target:change] = after
        else:
            labels[change:target] = before


def _count_and_group(points: np.ndarray, seats: int) -> tuple[np.ndarray, int]:
    """The number of voices (1..seats) and a grouping.

    The people seated on a panel nearly always all speak, so the count starts at the seats and
    comes down only while the grouping into that many voices is loose (silhouette below
    MIN_SILHOUETTE: a voice split in two, or someone who hardly spoke). Taking the tightest
    count instead found two voices for three on the espeak-ng panel and on AMI clips, where the
    silhouette of the true count was lower than that of one fewer but well above the floor.
    """
    if len(points) < 4 or seats < 2:
        return np.zeros(len(points), dtype=np.int64), 1
    for k in range(min(seats, len(points) // 2), 1, -1):
        groups = _kmeans(points, k)
        if _silhouette(points, groups) >= MIN_SILHOUETTE:
            return groups, k
    return np.zeros(len(points), dtype=np.int64), 1


def _follow_turns(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Viterbi over windows: the voice sequence with the best similarity minus SWITCH_COST per change."""
    n, k = similarity.shape
    score = similarity[0].copy()
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        stay = score
        switch = score.max() - SWITCH_COST
        came = np.where(stay >= switch, np.arange(k), int(score.argmax()))
        score = np.maximum(stay, switch) + similarity[t]
        back[t] = came
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    ordered = np.sort(similarity, axis=1)
    margin = ordered[:, -1] - ordered[:, -2] if k > 1 else np.ones(n)
    return path, margin


def _centres(points: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    centres = np.array([points[groups == g].mean(axis=0) if np.any(groups == g) else points[0] for g in range(k)])
    return centres / (np.linalg.norm(centres, axis=1, keepdims=True) + 1e-9)


def _kmeans(points: np.ndarray, k: int, iterations: int = 50) -> np.ndarray:
    """Best of RESTARTS spherical k-means++ runs on unit vectors (seeded)."""
    rng = np.random.default_rng(0)
    best, best_fit = None, -np.inf
    for _ in range(RESTARTS):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            distance = np.maximum(0, 1 - np.max(points @ np.array(centres).T, axis=1))
            total = distance.sum()
            centres.append(
                points[rng.choice(len(points), p=distance / total) if total > 0 else rng.integers(len(points))]
            )
        centre = np.array(centres)
        for _ in range(iterations):
            groups = (points @ centre.T).argmax(axis=1)
            moved = _centres(points, groups, k)
            if np.allclose(moved, centre):
                break
            centre = moved
        fit = float((points * centre[groups]).sum())
        if fit > best_fit:
            best, best_fit = groups, fit
    return best


def _silhouette(points: np.ndarray, groups: np.ndarray) -> float:
    """Mean silhouette with cosine distance; 0 when a grouping leaves a group empty or single."""
    distance = 1 - points @ points.T
    labels = sorted(set(groups.tolist()))
    if len(labels) < 2 or any(np.sum(groups == g) < 2 for g in labels):
        return 0.0
    scores = []
    for i, g in enumerate(groups):
        own = distance[i, groups == g]
        a = own.sum() / (len(own) - 1)
        b = min(distance[i, groups == h].mean() for h in labels if h != g)
        scores.append((b - a) / max(a, b, 1e-9))
    return float(np.mean(scores))


def _by_first_appearance(groups: np.ndarray) -> np.ndarray:
    order: dict[int, int] = {}
    for g in groups.tolist():
        order.setdefault(g, len(order))
    return np.array([order[g] for g in groups.tolist()], dtype=np.int16)


def _merge(spans: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            merged[-1] = Segment(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged
