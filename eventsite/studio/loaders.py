"""One loader per kind of studio object, for the signed-in organiser.

Each loads the row (404 when missing) and checks that the organiser may
manage its event (:mod:`eventsite.accounts.access`), answering 404 there too:
for an organiser limited to some events, another event's panel, recording or
comment does not exist. Every studio view that takes an id loads it here.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..accounts.access import can_manage_event, can_see_panelist
from ..accounts.models import Organiser
from ..discussion.models import Comment
from ..events.models import Event, Panel, Panelist, Seat
from ..extensions import db
from ..recordings.models import Caption, Chapter, Recording, RecordingJob


def organiser() -> Organiser:
    """The signed-in organiser (the studio's blueprints require one)."""
    return current_user._get_current_object()


def _managed(row, event_id: int | None):
    """``row`` if the organiser manages ``event_id``. :raise 404: no row, or another event's."""
    if row is None or not can_manage_event(organiser(), event_id):
        abort(404)
    return row


def event_or_404(event_id: int) -> Event:
    """:raise 404: no such event, or one this organiser does not manage."""
    event = db.session.get(Event, event_id)
    return _managed(event, event_id)


def panel_or_404(panel_id: int) -> Panel:
    """:raise 404: no such panel, or one of an event this organiser does not manage."""
    panel = db.session.get(Panel, panel_id)
    return _managed(panel, panel.event_id if panel else None)


def recording_or_404(recording_id: int) -> Recording:
    """:raise 404: no such recording, or one of another event's panel."""
    recording = db.session.get(Recording, recording_id)
    return _managed(recording, recording.panel.event_id if recording else None)


def job_or_404(job_id: int) -> RecordingJob:
    """:raise 404: no such job, or one working on another event's recording."""
    job = db.session.get(RecordingJob, job_id)
    return _managed(job, job.recording.panel.event_id if job else None)


def caption_or_404(caption_id: int) -> Caption:
    """:raise 404: no such caption track, or one of another event's recording."""
    caption = db.session.get(Caption, caption_id)
    return _managed(caption, db.session.get(Recording, caption.recording_id).panel.event_id if caption else None)


def chapter_or_404(chapter_id: int) -> Chapter:
    """:raise 404: no such chapter, or one of another event's recording."""
    chapter = db.session.get(Chapter, chapter_id)
    return _managed(chapter, db.session.get(Recording, chapter.recording_id).panel.event_id if chapter else None)


def seat_or_404(seat_id: int) -> Seat:
    """:raise 404: no such seat, or one on another event's panel."""
    seat = db.session.get(Seat, seat_id)
    return _managed(seat, seat.panel.event_id if seat else None)


def comment_or_404(comment_id: int) -> Comment:
    """:raise 404: no such comment, or one under another event's panel."""
    comment = db.session.get(Comment, comment_id)
    return _managed(comment, comment.panel.event_id if comment else None)


def person_or_404(person_id: int) -> Panelist:
    """:raise 404: no such panelist, or one this organiser may not see (see ``accounts.access.people_scope``)."""
    person = db.session.get(Panelist, person_id)
    if person is None or not can_see_panelist(organiser(), person.id):
        abort(404)
    return person


def require_every_event() -> None:
    """For site-wide pages (the list of blocked senders).

    :raise 404: the organiser is limited to some events.
    """
    if not organiser().manages_every_event:
        abort(404)


def require_admin() -> None:
    """For the team pages. :raise 404: not an admin (the pages do not exist for them)."""
    if not organiser().is_admin:
        abort(404)
