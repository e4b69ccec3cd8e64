"""Who speaks when, as a speaker index per 10 ms frame, from the best evidence there is.

In order of trust: caption cues with WebVTT voices (a person typed the
names), one microphone channel per panelist (the loudest wins), chapters
linked to panelists (coarse but named), and last the voices themselves,
clustered with numpy into as many groups as there are seats. Every function
returns labels (seat index, or -1 for "nobody we can name") and plain notes.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np

from .activity import GATE_DB, RATE, FrameAnalysis, Segment, noise_floor

#: a speaker change shorter than this (seconds) is a cough or cross-talk, not a new turn
MIN_TURN = 0.3
#: seconds of speech per clustering window; long enough for a stable timbre, short enough to follow turns
WINDOW = 1.0
#: k-means restarts; the best of several seeded starts is stable on an hour of windows
RESTARTS = 8
#: copies of the log pitch in each window's features: its weight against the 12 cepstra
PITCH_WEIGHT = 4


def speakers_from_captions(
    cues: Sequence[tuple[float, float, str]], seats: Sequence[str], frames: int
) -> tuple[np.ndarray, list[str]]:
    """Labels from caption cues ``(start, end, voice)``, the voice matched to a seat by name.

    Names match without regard to case or extra spaces, then by a close
    spelling ("Dr Ana Lima" for "Ana Lima"); a voice that matches no seat
    is noted and its lines stay unknown (-1).
    """
    labels = np.full(frames, -1, dtype=np.int16)
    notes: list[str] = []
    seat_keys = [_name_key(name) for name in seats]
    unseated: list[str] = []
    for start, end, voice in cues:
        seat = match_seat(voice, seat_keys)
        if seat < 0 and voice and voice not in unseated:
            unseated.append(voice)
        labels[int(round(start * RATE)) : int(round(end * RATE))] = seat
    if unseated:
        names = ", ".join(unseated)
        notes.append(
            f"The captions name {names}, who {'is' if len(unseated) == 1 else 'are'} not seated on this panel; "
            "those lines are shown as an unknown speaker. Seat them or correct the captions."
        )
    return labels, notes


def match_seat(voice: str, seat_keys: Sequence[str]) -> int:
    """Index of the seat whose name (a ``_name_key``) matches ``voice``, or -1."""
    key = _name_key(voice)
    if not key:
        return -1
    if key in seat_keys:
        return seat_keys.index(key)
    # a title or a middle name more or less: one name contains the other as whole words
    for index, seat in enumerate(seat_keys):
        if seat and (f" {seat} " in f" {key} " or f" {key} " in f" {seat} "):
            return index
    close = difflib.get_close_matches(key, list(seat_keys), n=1, cutoff=0.85)
    return seat_keys.index(close[0]) if close else -1


def speakers_from_channels(levels_db: np.ndarray, seat_of_channel: Sequence[int]) -> np.ndarray:
    """Labels from per-channel loudness ``(frames, channels)``: the loudest microphone wins.

    Each channel is measured against its own noise floor, so a hot
    microphone does not win every frame. Cross-talk (the neighbours heard
    10-20 dB lower) loses to the speaker's own microphone; changes shorter
    than MIN_TURN are smoothed away.
    """
    if levels_db.size == 0:
        return np.zeros(0, dtype=np.int16)
    floors = np.array([noise_floor(levels_db[:, c]) for c in range(levels_db.shape[1])])
    above = levels_db - floors
    loudest = np.argmax(above, axis=1)
    active = above[np.arange(len(above)), loudest] > GATE_DB
    mapping = np.asarray(seat_of_channel, dtype=np.int16)
    labels = np.where(active, mapping[loudest], -1).astype(np.int16)
    return smooth_labels(labels, MIN_TURN)


def speakers_from_chapters(chapters: Sequence[tuple[float, int]], frames: int) -> np.ndarray:
    """Labels from chapters ``(start, seat)``: each chapter's speaker until the next chapter."""
    labels = np.full(frames, -1, dtype=np.int16)
    ordered = sorted(chapters)
    for (start, seat), following in zip(ordered, [*ordered[1:], (frames / RATE, -1)], strict=True):
        labels[int(round(start * RATE)) : int(round(following[0] * RATE))] = seat
    return labels


def cluster_voices(
    analysis: FrameAnalysis, segments: Sequence[Segment], count: int, frames: int
) -> tuple[np.ndarray, int]:
    """Labels from the voices themselves: k-means on timbre, ``count`` groups.

    Speech is cut into windows of about WINDOW seconds; each window is
    described by the mean and spread of its cepstra (the voice's timbre,
    independent of loudness). Groups are numbered by first appearance, so
    "Speaker 1" is whoever spoke first. Returns the labels and how many
    distinct voices the windows suggest (for the "more voices than seats" note).
    """
    labels = np.full(frames, -1, dtype=np.int16)
    windows = [w for seg in segments for w in _windows(seg)]
    if not windows or count < 1:
        return labels, 0
    floor = noise_floor(analysis.level_db)
    features = np.array([_voice_features(analysis, w, floor) for w in windows])
    features = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-6)
    k = min(count, len(windows))
    groups, inertia = _kmeans(features, k)
    # one more group than seats that explains much more: probably a voice nobody seated
    voices = k
    if len(windows) > 4 * (k + 1):
        _, more = _kmeans(features, k + 1)
        if more < 0.6 * inertia:
            voices = k + 1
    groups = _by_first_appearance(groups)
    for window, group in zip(windows, groups, strict=True):
        labels[int(round(window.start * RATE)) : int(round(window.end * RATE))] = group
    return smooth_labels(labels, MIN_TURN), voices


def smooth_labels(labels: np.ndarray, shortest: float) -> np.ndarray:
    """Runs of a speaker shorter than ``shortest`` seconds take the preceding speaker's label."""
    out = labels.copy()
    edges = np.flatnonzero(np.diff(out)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(out)]])
    for start, end in zip(starts, ends, strict=True):
        if end - start < shortest * RATE and out[start] >= 0:
            before = out[start - 1] if start > 0 else -1
            after = out[end] if end < len(out) else -1
            out[start:end] = before if before >= 0 else after if after >= 0 else out[start]
    return out


def _voice_features(analysis: FrameAnalysis, window: Segment, floor: float) -> np.ndarray:
    """Mean timbre of the window's audible frames plus its median pitch, weighted like four cepstra.

    Pitch is what tells voices apart most (on espeak voices it took window
    accuracy from about 0.5 to 0.9); the cepstra separate voices of similar pitch.
    """
    lo, hi = int(window.start * RATE), int(window.end * RATE)
    ceps = analysis.cepstra[lo:hi]
    voiced = ceps[analysis.level_db[lo:hi] > floor + GATE_DB]
    ceps = voiced if len(voiced) >= 10 else ceps
    pitch = analysis.pitch[lo:hi]
    pitch = pitch[pitch > 0]
    log_pitch = float(np.log(np.median(pitch))) if len(pitch) >= 5 else float(np.log(150.0))
    return np.concatenate([ceps.mean(axis=0), [log_pitch] * PITCH_WEIGHT])


def _windows(seg: Segment) -> list[Segment]:
    count = max(1, int(seg.duration / WINDOW))
    step = seg.duration / count
    return [Segment(seg.start + i * step, seg.start + (i + 1) * step) for i in range(count)]


def _kmeans(points: np.ndarray, k: int, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Best of RESTARTS k-means++ runs (seeded, so a re-listen gives the same groups)."""
    rng = np.random.default_rng(0)
    best: tuple[np.ndarray, float] | None = None
    for _ in range(RESTARTS):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            dist = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
            total = dist.sum()
            pick = rng.choice(len(points), p=dist / total) if total > 0 else rng.integers(len(points))
            centres.append(points[pick])
        centre = np.array(centres)
        for _ in range(iterations):
            dist = ((points[:, None, :] - centre[None, :, :]) ** 2).sum(axis=2)
            groups = dist.argmin(axis=1)
            moved = np.array([points[groups == g].mean(axis=0) if np.any(groups == g) else centre[g] for g in range(k)])
            if np.allclose(moved, centre):
                break
            centre = moved
        inertia = float(((points - centre[groups]) ** 2).sum())
        if best is None or inertia < best[1]:
            best = (groups, inertia)
    return best


def _by_first_appearance(groups: np.ndarray) -> np.ndarray:
    order: dict[int, int] = {}
    for g in groups.tolist():
        order.setdefault(g, len(order))
    return np.array([order[g] for g in groups.tolist()], dtype=np.int16)


def _name_key(name: str) -> str:
    return " ".join((name or "").casefold().replace(".", " ").split())
