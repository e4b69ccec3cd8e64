"""Search follows the content: listeners on :mod:`eventsite.signals` that reindex.

No operation calls search; each announces what it changed and these keep
the index in step. They are connected when this module is imported (by the
search package itself), once per process: blinker keeps one connection per
receiver however many apps are built.
"""

from __future__ import annotations

from .. import signals
from . import index


@signals.event_saved.connect
def _event_saved(event) -> None:
    index.reindex_event(event)


@signals.panel_saved.connect
def _panel_saved(panel) -> None:
    index.reindex_panel(panel)


@signals.seat_saved.connect
def _seat_saved(seat) -> None:
    index.reindex_panel(seat.panel)


@signals.panelist_saved.connect
def _panelist_saved(panelist) -> None:
    index.reindex_panelist(panelist)


@signals.captions_changed.connect
@signals.recording_ready.connect
def _recording_changed(recording) -> None:
    index.reindex_panel(recording.panel)  # the transcript is part of the panel's entries


@signals.recording_deleted.connect
def _recording_deleted(panel) -> None:
    index.reindex_panel(panel)


@signals.deleting.connect
def _deleting(row) -> None:
    index.forget(row)


@signals.content_loaded.connect
def _content_loaded(_sender) -> None:
    index.reindex_all()
