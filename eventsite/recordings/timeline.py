"""The speech timeline a flock job stored beside a recording's renditions."""

from __future__ import annotations

from ..flock.timeline import SpeechTimeline
from ..storage import StorageError, media_store
from .models import Recording, RenditionKind


def read_timeline(recording: Recording) -> SpeechTimeline | None:
    """The speech timeline the last flock job stored, if any."""
    key = next((r.storage_key for r in recording.renditions if r.kind is RenditionKind.TIMELINE), None)
    if key is None:
        return None
    try:
        with media_store().open(key) as fh:
            return SpeechTimeline.from_json(fh.read().decode())
    except (StorageError, ValueError, KeyError):
        return None
