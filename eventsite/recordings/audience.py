"""Who may read a stored file: the rule ``/media/<key>``, nginx's media check and the
public copies on object storage all apply.

- ``people/<id>/…`` images are public once that person sits on a public panel
  (panelists are public people; people of unpublished panels are not yet).
- ``recordings/<id>/renditions/<set>/…`` (see :mod:`.rendition_sets`) is public once the recording's panel is
  public, only for the panel's current recording (the one the player shows;
  an older take or a replaced upload stays with the organisers), and only for
  the views every seated panelist agreed to (a "bird only" panelist keeps the
  camera's MP4s, HLS, poster and storyboard away from the public). With the
  panel's downloads off, whole files (MP4s, the sound) are not public either:
  the public streams over HLS. Otherwise only organisers see it, and everyone
  else gets 404 (not 403, which would tell that the file exists).
- ``recordings/<id>/clips/<view>/…`` (quote clips) follows the same rule
  (public panel, current recording, the view the key names agreed to).
- anything else under ``recordings/<id>/`` — the original above all — is
  for organisers only, whatever the panel's status.
- everything else (``uploads/``, a job's ``.work-…`` folder, the public copies
  themselves and the like) is never served.
"""

from __future__ import annotations

import enum
from pathlib import PurePosixPath

import sqlalchemy as sa

from ..database import row_id
from ..events.loader import panelist_is_public
from ..events.models import Panel
from ..extensions import db
from ..storage import PEOPLE_FOLDER, key_owner
from .current import current_recording_id
from .models import Recording
from .rendition_sets import relpath_in_set
from .view_files import is_progressive_file, view_of_file


class Audience(enum.Enum):
    PUBLIC = "public"
    ORGANISERS = "organisers"
    NOBODY = "nobody"


def media_audience(key: str) -> Audience:
    """Who may read the stored file ``key`` (see the module docstring)."""
    parts = PurePosixPath(key).parts
    if any(part.startswith(".") for part in parts):
        return Audience.NOBODY  # a job's work folder (storage.WORK_PREFIX) or a file being written
    folder, owner = key_owner(key) or (None, None)
    owner_id = row_id(owner)
    if owner_id is None:
        return Audience.NOBODY
    if folder == PEOPLE_FOLDER:
        return Audience.PUBLIC if panelist_is_public(owner_id) else Audience.ORGANISERS
    facts = recording_facts(owner_id)
    if facts is None:
        return Audience.NOBODY
    panel, is_current = facts
    return recording_file_audience(parts, panel, is_current)


def recording_facts(recording_id: int) -> tuple[Panel, bool] | None:
    """The recording's panel and whether it is the panel's current recording (None: no such recording).

    One query: this runs for every HLS segment a player fetches.
    """
    row = db.session.execute(
        sa.select(Panel, current_recording_id(Panel.id)).join(Recording).where(Recording.id == recording_id)
    ).first()
    if row is None:
        return None
    panel, current = row
    return panel, current == recording_id


def recording_file_audience(parts: tuple[str, ...], panel: Panel, is_current: bool) -> Audience:
    """Who may read the file ``recordings/<id>/…`` (its ``parts``) of a recording of ``panel``."""
    if not (is_current and panel.is_public()) or len(parts) < 4:
        return Audience.ORGANISERS
    if parts[2] == "renditions":
        relpath = relpath_in_set(parts[3:])
        streamable = panel.downloads_enabled or not is_progressive_file(relpath)
        if streamable and view_of_file(relpath) in panel.public_views():
            return Audience.PUBLIC
    # Quote clips (recordings/<id>/clips/<view>/<clip>/…): the same rule, for the view the key names.
    if parts[2] == "clips" and len(parts) > 4 and parts[3] in {view.value for view in panel.public_views()}:
        return Audience.PUBLIC
    return Audience.ORGANISERS
