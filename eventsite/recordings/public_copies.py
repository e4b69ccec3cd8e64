"""Public copies on object storage: what a bucket policy may open to everyone.

With ``EVENTSITE_MEDIA_PUBLIC_URL`` set, published media is fetched from the
bucket (or a CDN in front of it) without the app. A policy cannot ask the app
who may see a file, and a rendition's key follows from any other of its set
(the camera's from the flock's), so the files themselves stay private and the
policy opens only ``public/`` (:data:`eventsite.storage.PUBLIC_FOLDER`), which
holds a copy of each file the public may see *now*:

- a copy is made when ``/media/<key>`` first sends a visitor to a public file
  (one server-side copy), so publishing, a time-scheduled publication, a
  consent given or downloads turned on need no job;
- copies are withdrawn as soon as a change is committed that may hide them
  (a panel unpublished or edited, downloads off, a consent narrowed, a newer
  recording current), by the listeners below, and a copy goes with its file
  whenever the store deletes one (an old rendition set, a deleted clip or
  recording), and is dropped when its file is written again (a chosen poster);
  the worker's housekeeping sweeps every recording as well, in case a
  withdrawal failed;
- a copy made while the change that hides it is being committed is checked
  again after it exists: either that check sees the change and removes it, or
  the change's withdrawal, which lists the copies after its commit, finds it.

HLS playlists and storyboard VTT files are never copied: they come through the
app, so each segment they name comes to ``/media/`` and is checked there too.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

import sqlalchemy as sa

from .. import signals
from ..events.models import Panel
from ..extensions import db
from ..storage import RECORDINGS_FOLDER, StorageError, media_store, public_copy_key, recording_key
from .audience import Audience, media_audience, recording_facts, recording_file_audience
from .models import Recording

log = logging.getLogger(__name__)

#: Stored text files that name other stored files by relative URL (HLS playlists, storyboard VTT):
#: served by the app, never from a public copy.
NAMES_OTHER_FILES = (".m3u8", ".vtt")


class NoLongerPublic(Exception):
    """The file stopped being public while its copy was made (the copy is gone again)."""


def public_copy_url(key: str) -> str | None:
    """The URL of a public copy of ``key``, made now if missing; None when the store has no
    public URL, and for files served through the app.

    Call only for a ``key`` whose audience is public.

    :raise StorageError: ``key`` is missing.
    :raise NoLongerPublic: a change committed meanwhile hid ``key``.
    """
    store = media_store()
    url = store.url_for_public(key)
    if url is None or key.endswith(NAMES_OTHER_FILES) or not key.startswith(RECORDINGS_FOLDER + "/"):
        return None
    target = public_copy_key(key)
    if store.exists(target):
        return url
    store.copy(key, target)
    db.session.rollback()  # end this request's read, so the check below sees any commit made meanwhile
    if media_audience(key) is not Audience.PUBLIC:
        store.delete(target)
        raise NoLongerPublic(key)
    return url


def withdraw_recording(recording_id: int) -> int:
    """Remove the public copies of a recording's files that the public may no longer see; how many went."""
    facts = recording_facts(recording_id)
    if facts is None:  # the recording is gone: none of its copies is public
        return media_store().delete_prefix(public_copy_key(recording_key(recording_id)))
    panel, is_current = facts

    def still_public(key: str) -> bool:
        return recording_file_audience(PurePosixPath(key).parts, panel, is_current) is Audience.PUBLIC

    return media_store().withdraw_public_copies(recording_key(recording_id), still_public)


def withdraw_panel(panel: Panel) -> int:
    """Withdraw what a change to ``panel`` hid, from each of its recordings; log a storage failure
    (the housekeeping sweep tries again) rather than fail the change already committed."""
    try:
        return sum(withdraw_recording(recording_id) for recording_id in _recording_ids(panel.id))
    except StorageError:
        log.exception("could not withdraw the public copies of panel %s; the housekeeping sweep tries again", panel.id)
        return 0


def withdraw_everywhere() -> int:
    """Sweep every recording that has public copies (the housekeeping's safety net); how many went."""
    store = media_store()
    folder = public_copy_key(RECORDINGS_FOLDER)
    recording_ids = {int(name) for name in store.children(folder) if name.isdigit()}
    return sum(withdraw_recording(recording_id) for recording_id in sorted(recording_ids))


def _recording_ids(panel_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(Recording.id).where(Recording.panel_id == panel_id)))


@signals.panel_saved.connect
def _panel_saved(panel) -> None:
    withdraw_panel(panel)  # unpublished, scheduled later, downloads off


@signals.seat_saved.connect
def _seat_saved(seat) -> None:
    withdraw_panel(seat.panel)  # a new seat or a narrower consent


@signals.recording_ready.connect
def _recording_ready(recording) -> None:
    withdraw_panel(recording.panel)  # the older recording is no longer the current one


__all__ = ["NAMES_OTHER_FILES", "NoLongerPublic", "public_copy_url", "withdraw_everywhere", "withdraw_panel"]
