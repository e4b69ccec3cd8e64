"""Captions voiced from the speech timeline follow it: after every drawing, each word names the lit bird.

Automatic captions, and a pasted transcript that named nobody, took their
voices from the flock's timeline. When an organiser corrects who speaks, the
redraw lights other birds; these captions are cued again from their words and
the same corrected timeline the moment that drawing goes live
(``signals.flock_drawn``), so the player never names one bird while another
is lit. Captions whose names an organiser wrote, uploaded or edited keep them.
"""

from __future__ import annotations

import logging

from .. import signals
from ..flock.timeline import LitSpeakers, SpeechTimeline
from ..recordings.captions import Cue, captions_of, parse_captions, read_cues, save_caption, to_webvtt
from ..recordings.models import Caption, CaptionSource, JobKind, Recording
from ..recordings.timeline import read_timeline
from ..storage import StorageError
from .cueing import Word, build_cues
from .job import aligned_words, automatic_cues, draft_webvtt, read_result, timeline_voices, voice_name

log = logging.getLogger(__name__)


def revoice_captions(recording: Recording) -> int:
    """Cue the recording's timeline-voiced captions again from its drawn timeline; returns how many changed."""
    timeline = read_timeline(recording)
    if timeline is None or timeline.source == "none":
        return 0
    changed = 0
    for caption in captions_of(recording):
        if not caption.voices_from_timeline:
            continue
        cues = read_cues(caption)
        again = _cues_again(recording, caption, cues, timeline)
        if again != cues:
            data = to_webvtt(again).encode("utf-8")
            save_caption(
                recording, caption.language, caption.label, data, source=caption.source, voices_from_timeline=True
            )
            changed += 1
    return changed


def _cues_again(recording: Recording, caption: Caption, cues: list[Cue], timeline: SpeechTimeline) -> list[Cue]:
    """The caption's cues as its job would make them from ``timeline``: from the words when they are kept."""
    if caption.source is CaptionSource.AUTOMATIC and timeline.words:
        drafts = automatic_cues(timeline, [Word(a, b, text) for a, b, text in timeline.words])
        return parse_captions(draft_webvtt(drafts))
    words = _aligned_words(recording) if caption.source is CaptionSource.ALIGNED else []
    if words:
        return parse_captions(draft_webvtt(build_cues(timeline_voices(timeline, words))))
    # no word times kept: each cue is said by the bird lit for most of it
    lit = LitSpeakers(timeline)
    out = []
    for cue in cues:
        index = lit.during(cue.start, cue.end)
        known = 0 <= index < len(timeline.speakers)
        out.append(cue.revoiced(voice_name(timeline.speakers[index])) if known else cue)
    return out


def _aligned_words(recording: Recording) -> list[Word]:
    """The words of the newest alignment that was saved as the captions."""
    for job in recording.jobs:  # newest first
        if job.kind is JobKind.ALIGN and (result := read_result(job)) and result.get("saved"):
            return aligned_words(result)
    return []


@signals.flock_drawn.connect
def _flock_drawn(recording: Recording) -> None:
    """A new drawing is live: the captions name the birds it lights."""
    try:
        revoice_captions(recording)
    except StorageError as exc:  # the birds are drawn; the captions catch up at the next drawing
        log.warning("recording %s: captions not re-voiced: %s", recording.id, exc)
