"""What admins do with the organisers' accounts: invite, change access, deactivate.

Two rules keep a site manageable: an admin never deactivates or demotes
themselves (another admin must), and the last active admin stays one.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..events.models import Event
from ..extensions import db
from . import links, tokens
from .models import Organiser, Role
from .operations import AccountError, create_organiser


def team() -> list[Organiser]:
    """Every account, active ones first, then by name (events loaded for the list)."""
    return list(
        db.session.scalars(
            sa.select(Organiser)
            .options(so.selectinload(Organiser.events))
            .order_by(Organiser.active.desc(), Organiser.name, Organiser.id)
        )
    )


def active_admins() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Organiser.id)).where(Organiser.role == Role.ADMIN, Organiser.active)
    )


def _events(event_ids: Iterable[int]) -> list[Event]:
    ids = sorted({int(i) for i in event_ids})
    return list(db.session.scalars(sa.select(Event).where(Event.id.in_(ids)))) if ids else []


def invite(
    email: str, name: str, role: Role, all_events: bool, event_ids: Iterable[int], invited_by: Organiser
) -> tuple[Organiser, bool]:
    """Create an account without a password and mail its owner the link to choose one.

    Returns the account and whether the mail went out.

    :raise AccountError: the address already has an account.
    """
    organiser = create_organiser(email, name, None, role, all_events=all_events, event_ids=event_ids)
    return organiser, links.send_invite(organiser, invited_by)


def resend_invite(organiser: Organiser, invited_by: Organiser) -> bool:
    """A fresh invitation link (the old one stops working).

    :raise AccountError: the account already has a password, or is deactivated.
    """
    if organiser.has_password:
        raise AccountError(f"{organiser.name} has already chosen a password; send a reset link instead.")
    if not organiser.active:
        raise AccountError(f"{organiser.name}'s account is deactivated; reactivate it first.")
    return links.send_invite(organiser, invited_by)


def send_reset(organiser: Organiser) -> bool:
    """Mail the owner a password-reset link; their current password keeps working until it is used.

    :raise AccountError: the account is deactivated.
    """
    if not organiser.active:
        raise AccountError(f"{organiser.name}'s account is deactivated; reactivate it first.")
    return links.send_reset(organiser)


def _check_not_last_admin(organiser: Organiser, what: str) -> None:
    if organiser.is_admin and organiser.active and active_admins() <= 1:
        raise AccountError(f"{organiser.name} is the only active admin, so they cannot be {what}.")


def change_access(organiser: Organiser, role: Role, all_events: bool, event_ids: Iterable[int], by: Organiser) -> None:
    """Set the role and the events an organiser manages.

    :raise AccountError: an admin changing their own role, or the last active admin losing the role.
    """
    if role is not organiser.role:
        if organiser.id == by.id:
            raise AccountError("You cannot change your own role; ask another admin.")
        if role is not Role.ADMIN:
            _check_not_last_admin(organiser, "made an organiser")
    organiser.role = role
    organiser.all_events = all_events
    organiser.events = _events(event_ids)
    db.session.commit()


def deactivate(organiser: Organiser, by: Organiser) -> None:
    """Close an account: no more sign-ins; its sessions, tokens and links stop at their next use.

    :raise AccountError: deactivating oneself, or the last active admin.
    """
    if organiser.id == by.id:
        raise AccountError("You cannot deactivate your own account; ask another admin.")
    _check_not_last_admin(organiser, "deactivated")
    organiser.active = False
    organiser.session_version += 1
    tokens.revoke_all(organiser)
    links.cancel_links(organiser)
    db.session.commit()


def reactivate(organiser: Organiser) -> None:
    """Open a deactivated account again: the old password works, old sessions and tokens do not."""
    organiser.active = True
    db.session.commit()
