"""A synthetic three-voice panel with known turns, and the scores a viewer would notice."""

from __future__ import annotations

import numpy as np

from eventsite.flock.synth import SpokenCue
from eventsite.flock.timeline import SpeechTimeline

SEATS = ["Ana Lima", "Ben Okafor", "Chloé Martin"]
VOICES = ["en+m3", "en-us+f2", "en-gb-scotland+m1"]
#: (speaker, line); pauses vary so turn changes happen at short and long gaps
SCRIPT = [
    (0, "Welcome everyone. Today we talk about bird songs in the city, and why they are getting louder."),
    (1, "Thank you. In my research, robins sing earlier in the morning when the traffic is heavy."),
    (2, "That matches what we found in Glasgow. The sparrows changed their pitch over ten years."),
    (0, "Is that a problem for the birds?"),
    (1, "Sometimes. A higher song carries less far, so fewer females hear it."),
    (2, "But some species adapt quickly. Blackbirds are very flexible singers."),
    (0, "Let us take a question from the audience."),
    (1, "Before that, one short point: quiet parks help every species we studied."),
]
GAPS = [0.8, 0.5, 1.2, 0.6, 0.9, 0.7, 1.0, 0.0]
STEP = 0.01


def truth_speakers(cues: list[SpokenCue], duration: float) -> np.ndarray:
    """Speaker index per 10 ms frame (-1 silence) from the true cues."""
    truth = np.full(int(np.ceil(duration / STEP)), -1, dtype=int)
    for cue in cues:
        truth[int(round(cue.start / STEP)) : int(round(cue.end / STEP))] = cue.speaker
    return truth


def timeline_speakers(timeline: SpeechTimeline, frames: int) -> np.ndarray:
    """Speaker index per 10 ms frame (-2 outside every turn) from a timeline."""
    out = np.full(frames, -2, dtype=int)
    for turn in timeline.turns:
        out[int(round(turn.start / STEP)) : int(round(turn.end / STEP))] = turn.speaker
    return out


def activity_accuracy(timeline: SpeechTimeline, cues: list[SpokenCue], duration: float) -> float:
    """Share of 10 ms frames where "someone speaks" agrees with the truth."""
    truth = truth_speakers(cues, duration)
    found = timeline_speakers(timeline, len(truth))
    return float(np.mean((truth >= 0) == (found != -2)))


def attribution_accuracy(timeline: SpeechTimeline, cues: list[SpokenCue], duration: float) -> float:
    """Share of detected speech time (true speech the timeline also covers) given to the right speaker."""
    truth = truth_speakers(cues, duration)
    found = timeline_speakers(timeline, len(truth))
    both = (truth >= 0) & (found != -2)
    return float(np.mean(truth[both] == found[both])) if both.any() else 0.0


def lip_sync_figures(timeline: SpeechTimeline, cues: list[SpokenCue]) -> tuple[float, float]:
    """(share of silent frames with a closed or resting beak, shape changes per second of speech)."""
    fps = timeline.fps
    speech = np.zeros(len(timeline.mouths), dtype=bool)
    for cue in cues:
        speech[int(cue.start * fps) : int(np.ceil(cue.end * fps))] = True
    mouths = np.array(list(timeline.mouths))
    closed = float(np.mean(np.isin(mouths[~speech], ["X", "A"]))) if (~speech).any() else 1.0
    changes = sum(
        int(
            np.count_nonzero(
                mouths[int(c.start * fps) + 1 : int(c.end * fps)] != mouths[int(c.start * fps) : int(c.end * fps) - 1]
            )
        )
        for c in cues
    )
    seconds = sum(c.end - c.start for c in cues)
    return closed, changes / seconds
