"""Where a rendition set lives in the media store, and how a new one replaces the old.

Each transcode publishes into a fresh prefix, ``recordings/<id>/renditions/<set>/``,
and each drawing of the birds into ``<set prefix>/flock/<flock>/``. Files are
uploaded (or, on the local store, renamed) under the new prefix first; the
set goes live by one database commit that points the recording's rendition
rows at it; only then is everything else below the parent prefix removed:
the previous set, and whatever a run that died before its commit left.

So a viewer never fetches a half-written set, every URL names one version of
a file (an old playlist never mixes with new segments in a cache), and the
same steps work on a local folder and on S3, which has no rename.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import PurePosixPath

from ..storage import RECORDINGS_FOLDER, MediaStore, StorageError, recording_key

log = logging.getLogger(__name__)

#: The name of one set: 12 lower-case hex digits, random.
SET_NAME = re.compile(r"[0-9a-f]{12}")
#: The flock's sets live below this folder of a rendition set.
FLOCK_FOLDER = "flock"


def _name() -> str:
    return secrets.token_hex(6)


def renditions_prefix(recording_id: int) -> str:
    """The parent of every rendition set of a recording."""
    return recording_key(recording_id, "renditions")


def new_set_prefix(recording_id: int) -> str:
    """A fresh, unused prefix for the next rendition set of a recording."""
    return f"{renditions_prefix(recording_id)}/{_name()}"


def set_prefix_of(key: str) -> str | None:
    """The set prefix a stored key belongs to (``recordings/3/renditions/<set>``), or None."""
    parts = PurePosixPath(key).parts
    if len(parts) > 4 and parts[0] == RECORDINGS_FOLDER and parts[2] == "renditions" and SET_NAME.fullmatch(parts[3]):
        return "/".join(parts[:4])
    return None


def relpath_in_set(parts: tuple[str, ...]) -> str:
    """A file's path inside its set, from the parts after ``renditions/``, with the
    set's and the flock's names taken out: ``hls/720p/seg1.m4s``, ``flock/flock.mp4``."""
    if parts and SET_NAME.fullmatch(parts[0]):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == FLOCK_FOLDER and SET_NAME.fullmatch(parts[1]):
        parts = (FLOCK_FOLDER, *parts[2:])
    return "/".join(parts)


def flock_parent(set_prefix: str) -> str:
    """Where the flock's versions of one rendition set live."""
    return f"{set_prefix}/{FLOCK_FOLDER}"


def new_flock_prefix(set_prefix: str) -> str:
    """A fresh prefix for the next drawing of the birds over one rendition set."""
    return f"{flock_parent(set_prefix)}/{_name()}"


def sweep(store: MediaStore, parent: str, keep: str) -> None:
    """Remove everything directly below ``parent`` except ``keep`` (a prefix below it).

    Called after the commit that made ``keep`` live; a failure here costs only
    disk space (the next publish sweeps again), so it is logged, not raised.
    """
    kept = keep[len(parent) + 1 :].split("/", 1)[0]
    try:
        for child in sorted(store.children(parent) - {kept}):
            store.delete(f"{parent}/{child}")
    except StorageError:
        log.exception("could not remove old files below %s; the next publish tries again", parent)
