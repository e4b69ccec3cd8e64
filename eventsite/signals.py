"""What changed, announced: operations send these; whatever must follow listens.

An operation writes and commits, then says what it changed
(``signals.panel_saved.send(panel)``). Search keeps its index in step by
listening (:mod:`eventsite.search.listeners`); a new write path that sends
the right signal needs to know nothing of search, and a low module never
imports the areas that follow it (Indico's way; blinker ships with Flask).

The sender is the row that changed. Signals named ``*_saved`` and the
recording and caption ones are sent *after* the commit; ``deleting`` is sent
*before* the delete, in the same transaction, while the row can still be read.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: An event was created or edited (sender: the Event).
event_saved = _signals.signal("event-saved")
#: A panel was created, edited, published, unpublished or scheduled (sender: the Panel).
panel_saved = _signals.signal("panel-saved")
#: A panelist was seated, or their role, order or consent changed (sender: the Seat).
seat_saved = _signals.signal("seat-saved")
#: A panelist was created or edited (sender: the Panelist; their panels name them).
panelist_saved = _signals.signal("panelist-saved")
#: A recording's captions were saved, replaced or deleted (sender: the Recording).
captions_changed = _signals.signal("captions-changed")
#: A recording's new rendition set went live (sender: the Recording).
recording_ready = _signals.signal("recording-ready")
#: A recording's feathered friends were drawn and went live (sender: the Recording; after the commit).
flock_drawn = _signals.signal("flock-drawn")
#: A recording and its files were removed (sender: its Panel, the recording row is gone).
recording_deleted = _signals.signal("recording-deleted")
#: An event, panel, panelist or seat is about to be deleted (sender: the row; before the commit).
deleting = _signals.signal("deleting")
#: Many rows were written at once outside the operations (the demo's seed; sender: None).
content_loaded = _signals.signal("content-loaded")
#: A job row reached its final state (sender: the RecordingJob or Clip; ``status``: that state).
job_finished = _signals.signal("job-finished")
#: A prepared message should go out through a worker (sender: the app; ``to``, ``subject``,
#: ``body``, ``headers``). A listener that queued it returns True; with none, mail sends at once.
mail_ready = _signals.signal("mail-ready")
#: A new original was stored for a recording (sender: the Recording; after the commit).
original_stored = _signals.signal("original-stored")
