"""The order a recording's jobs follow each other in, written as data.

Upload → transcode (the video is watchable first) → flock (the birds are
drawn over the ladder's set; a failure to draw never costs the video) →
draft captions (after the flock, whose speech timeline names who speaks).
A stage can be switched off by a setting; an *optional* stage's failure does
not stop the stages after it. :func:`next_stage` is pure; the enqueue module
acts on it when the runner announces a finished job.

:data:`WAITS_FOR` is the other half of the order: which jobs of the same
recording a new job must not run beside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..recordings.models import JobKind, JobStatus


@dataclass(frozen=True)
class Stage:
    kind: JobKind
    #: The setting that turns this stage on (None: always on).
    setting: str | None = None
    #: A failure here still lets the later stages run.
    optional: bool = False


PIPELINE: tuple[Stage, ...] = (
    Stage(JobKind.TRANSCODE),
    Stage(JobKind.FLOCK, setting="FLOCK_ENABLED", optional=True),
    Stage(JobKind.CAPTIONS),
)


#: Which active (queued or running) jobs of the same recording keep a new job of each kind
#: from being queued. The ladder waits for every other job: one run at a time publishes a
#: set, and a new set replaces the one the flock draws over. So the flock waits for a ladder
#: under way too (the pipeline queues the flock when that ladder ends). Captions and
#: alignments read only the original: they wait only for another of their own kind. (A long
#: recording's chunks are queued by their transcode, never on their own.)
WAITS_FOR: Mapping[JobKind, frozenset[JobKind]] = {
    JobKind.TRANSCODE: frozenset(JobKind),
    JobKind.FLOCK: frozenset({JobKind.TRANSCODE, JobKind.FLOCK}),
    JobKind.CAPTIONS: frozenset({JobKind.CAPTIONS}),
    JobKind.ALIGN: frozenset({JobKind.ALIGN}),
}


def next_stage(kind: JobKind, status: JobStatus, config: Mapping) -> JobKind | None:
    """The kind of job to queue after a ``kind`` job ended ``status``; None when nothing follows.

    A cancelled job stops the pipeline (the organiser stopped it); kinds outside
    the pipeline (an alignment asked for by hand) are followed by nothing.
    """
    kinds = [stage.kind for stage in PIPELINE]
    if kind not in kinds:
        return None
    index = kinds.index(kind)
    carries_on = status is JobStatus.SUCCEEDED or (status is JobStatus.FAILED and PIPELINE[index].optional)
    if not carries_on:
        return None
    return next((s.kind for s in PIPELINE[index + 1 :] if s.setting is None or config.get(s.setting)), None)
