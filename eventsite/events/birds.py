"""Each panelist's bird: the generated one, or the organiser's own artwork.

The drawing lives in ``eventsite.flock`` (pure); this module ties it to
panelists: which colour, which uploaded picture, and a cached PNG portrait
for the pages where the panelist appears (profile, line-up, chapters,
transcript).
"""

from __future__ import annotations

import hashlib
import logging

from ..flock.birds import BirdSpec, bird_portrait_png
from ..flock.birds_artwork import BirdArtworkError, load_custom_artwork
from ..storage import StorageError, media_store, person_key
from .models import Panelist

log = logging.getLogger(__name__)

#: Portrait sizes the pages ask for; anything else is refused (no cache flooding).
PORTRAIT_SIZES = (48, 96, 192, 256)


def bird_spec(panelist: Panelist) -> BirdSpec:
    """The bird of ``panelist``: their artwork with a generated beak, or a generated bird."""
    artwork = None
    if panelist.avatar_key:
        try:
            with media_store().open(panelist.avatar_key) as fh:
                artwork = load_custom_artwork(fh.read())
        except (StorageError, BirdArtworkError):
            # Checked at upload; a file gone bad since must not stop the flock.
            log.warning("bird artwork of panelist %s unreadable; drawing a bird instead", panelist.id)
    return BirdSpec(name=panelist.name, colour=panelist.bird_colour, artwork=artwork)


def bird_version(panelist: Panelist) -> str:
    """Changes whenever what the bird looks like changes (for cache keys and URLs)."""
    facts = f"{panelist.name}|{panelist.bird_colour}|{panelist.avatar_key}"
    return hashlib.sha256(facts.encode()).hexdigest()[:12]


def bird_portrait_key(panelist: Panelist, size: int) -> str:
    """The stored PNG of ``panelist``'s bird at ``size`` pixels, drawn once and kept."""
    key = person_key(panelist.id, f"bird-{bird_version(panelist)}-{size}.png")
    store = media_store()
    if not store.exists(key):
        store.save_bytes(key, bird_portrait_png(bird_spec(panelist), size))
    return key
