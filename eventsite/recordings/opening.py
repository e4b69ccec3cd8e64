"""Which views a panel's recording offers and which one it opens on: one rule for
the player (:func:`eventsite.recordings.player.player_media`) and the panel cards
(:func:`eventsite.events.cards.opening_poster`), so a card's picture is the one the
player opens with.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ..events.models import View
from .models import RenditionKind

#: Names offered in the player's switch, in this order.
VIEW_LABELS = {View.VIDEO: "Video", View.CARTOON: "Cartoon", View.FLOCK: "Feathered friends", View.AUDIO: "Audio only"}


def offered_views(kinds: Collection[RenditionKind], camera_picture: bool, allowed: Collection[View]) -> list[View]:
    """The views that were made (``kinds``: the kinds of the recording's renditions) and that
    every seated panelist agreed to (``allowed``), in the switch's order.

    :param camera_picture: the original has a picture; an audio-only talk's "video" is a
        title card, and once its birds exist they are its picture instead.
    """
    made = {
        View.VIDEO: (RenditionKind.MP4 in kinds or RenditionKind.HLS in kinds)
        and (camera_picture or RenditionKind.FLOCK not in kinds),
        View.CARTOON: RenditionKind.CARTOON in kinds,
        View.FLOCK: RenditionKind.FLOCK in kinds,
        View.AUDIO: RenditionKind.AUDIO in kinds,
    }
    return [view for view in View if made[view] and view in allowed]


def opening_view(views: list[View], wanted: Iterable[str | None]) -> View:
    """The first of ``wanted`` (a link's ``?view=``, the panel's default) that is offered,
    else the first view offered (the camera when nothing is)."""
    offered = {view.value for view in views}
    chosen = next((w for w in wanted if w in offered), None)
    return View(chosen) if chosen else (views[0] if views else View.VIDEO)


def opens_on_flock(opening: View, views: list[View]) -> bool:
    """Whether the main picture is the flock's: it opens on the birds, or the camera is not offered."""
    return opening is View.FLOCK or View.VIDEO not in views
