"""URL slugs: made from names, unique, and stable when a name changes."""

from __future__ import annotations

import sqlalchemy as sa
from slugify import slugify

from ..extensions import db
from .models import Event, Panel, Panelist, SlugRedirect

MAX_SLUG = 80
#: What each model's old slugs are filed under (SlugRedirect.kind).
KINDS = {Event: "event", Panel: "panel", Panelist: "panelist"}


def make_slug(text: str) -> str:
    """``"What is social influence?"`` → ``"what-is-social-influence"``."""
    return slugify(text, max_length=MAX_SLUG, word_boundary=True) or "untitled"


def _taken(model, slug: str, *, exclude_id: int | None, event_id: int | None) -> bool:
    query = sa.select(model.id).where(model.slug == slug)
    if model is Panel:
        query = query.where(Panel.event_id == event_id)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def unique_slug(model, text: str, *, exclude_id: int | None = None, event_id: int | None = None) -> str:
    """A slug for ``text`` not yet used by another row of ``model``.

    Panels are unique per event; events and panelists site-wide. Clashes get
    ``-2``, ``-3``… appended.
    """
    base = make_slug(text)
    slug, n = base, 2
    while _taken(model, slug, exclude_id=exclude_id, event_id=event_id):
        slug = f"{base[: MAX_SLUG - len(str(n)) - 1]}-{n}"
        n += 1
    return slug


def _kind(obj) -> tuple[str, int]:
    return KINDS[type(obj)], obj.event_id if isinstance(obj, Panel) else 0


def rename(obj: Event | Panel | Panelist, new_text: str) -> None:
    """Give ``obj`` a slug for ``new_text``, remembering the old one.

    The old slug keeps redirecting to ``obj``, so shared links never break.
    """
    model = type(obj)
    new_slug = unique_slug(model, new_text, exclude_id=obj.id, event_id=getattr(obj, "event_id", None))
    if new_slug == obj.slug:
        return
    kind, scope = _kind(obj)
    db.session.execute(
        sa.delete(SlugRedirect).where(
            SlugRedirect.kind == kind, SlugRedirect.scope_id == scope, SlugRedirect.old_slug == new_slug
        )
    )
    db.session.add(SlugRedirect(kind=kind, scope_id=scope, old_slug=obj.slug, target_id=obj.id))
    obj.slug = new_slug


def _redirect_target(kind: str, old_slug: str, scope_id: int = 0) -> int | None:
    """The id an old slug now points to, or None."""
    return db.session.scalar(
        sa.select(SlugRedirect.target_id).where(
            SlugRedirect.kind == kind, SlugRedirect.scope_id == scope_id, SlugRedirect.old_slug == old_slug
        )
    )


def find(
    model: type[Event | Panel | Panelist], slug: str, *, event_id: int | None = None, options=()
) -> tuple[Event | Panel | Panelist | None, bool]:
    """``(row, moved)``: the ``model`` row whose slug is ``slug``, else the one an old slug of it
    now points to (``moved`` is then True), else ``(None, False)``.

    Every route that names an event, a panel or a person by slug follows old slugs this
    way; the caller checks access first, then redirects when ``moved``.

    :param event_id: a panel's event (panel slugs are unique per event).
    :param options: loader options for the row (e.g. its seats).
    """
    query = sa.select(model).where(model.slug == slug)
    if event_id is not None:
        query = query.where(model.event_id == event_id)
    found = db.session.scalar(query.options(*options))
    if found is not None:
        return found, False
    target = _redirect_target(KINDS[model], slug, event_id or 0)
    moved = db.session.get(model, target, options=options) if target else None
    return moved, moved is not None
