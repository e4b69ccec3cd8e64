"""What can be done with organiser accounts: create, sign in, set a password."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..mail import normalise_email
from ..refusals import Refused
from .models import AccountLink, Organiser, Role
from .passwords import dummy_hash, hash_password, needs_rehash, verify_password
from .tokens import create_token, organiser_for_token  # noqa: F401  (the CLI and recordings import them from here)

#: Shortest password accepted (NIST SP 800-63B's minimum for chosen passwords).
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


class AccountError(Refused):
    """A request about accounts that cannot be done, in plain words."""


def check_password(password: str) -> None:
    """:raise AccountError: the password is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password can be at most {MAX_PASSWORD_LENGTH} characters long.")


def find_organiser(email: str) -> Organiser | None:
    """The account with this e-mail address (in any case), or None."""
    return db.session.scalar(sa.select(Organiser).where(Organiser.email == normalise_email(email)))


def create_organiser(
    email: str,
    name: str,
    password: str | None,
    role: Role = Role.ORGANISER,
    *,
    all_events: bool = True,
    event_ids: Iterable[int] = (),
) -> Organiser:
    """Create an organiser account; ``password=None`` makes an invited account that
    cannot sign in until a password is chosen through its link.

    :raise AccountError: if the e-mail is taken or the password is too short.
    """
    email = normalise_email(email)
    if password is not None:
        check_password(password)
    if find_organiser(email):
        raise AccountError(f"An organiser with the e-mail {email} already exists.")
    organiser = Organiser(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password) if password is not None else "",
        role=role,
        all_events=all_events,
    )
    organiser.events = list(db.session.scalars(sa.select(Event).where(Event.id.in_(list(event_ids)))))
    db.session.add(organiser)
    db.session.commit()
    return organiser


def authenticate(email: str, password: str) -> Organiser | None:
    """Return the active organiser for these credentials, or None.

    Every refusal costs one password check (an unknown address, an invited
    account without a password, a deactivated one), so the time taken does
    not tell which addresses have accounts. Upgrades the stored hash when the
    configured cost has risen.
    """
    organiser = find_organiser(email)
    if organiser is None or not organiser.has_password:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(organiser.password_hash, password) or not organiser.active:
        return None
    if needs_rehash(organiser.password_hash):
        organiser.password_hash = hash_password(password)
        db.session.commit()
    return organiser


def record_sign_in(organiser: Organiser) -> None:
    """Remember when ``organiser`` last signed in (shown to admins)."""
    organiser.last_login_at = utcnow()
    db.session.commit()


def set_password(organiser: Organiser, password: str) -> None:
    """Give ``organiser`` a new password and end every session signed in with the old one.

    :raise AccountError: see :func:`check_password`.
    """
    check_password(password)
    organiser.password_hash = hash_password(password)
    organiser.session_version += 1
    db.session.execute(
        sa.update(AccountLink)
        .where(AccountLink.organiser_id == organiser.id, AccountLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.session.commit()


def end_sessions(organiser: Organiser) -> None:
    """End every session and remember-me cookie of ``organiser`` (signing out).

    Sessions live in signed cookies, not on the server, so a copy of one
    (another browser, a stolen cookie) would outlive a plain sign-out;
    raising the version makes every copy stale. The cost: signing out on one
    device signs out the others too.
    """
    organiser.session_version += 1
    db.session.commit()


def load_session_user(user_id: str) -> Organiser | None:
    """The organiser a session (or remember-me cookie) names, if it still may be used.

    Sessions say ``"<id>.<session_version>"``; one from before versions
    (just ``"<id>"``) counts as version 0. A deactivated account, or a version
    older than the account's (the password changed), ends the session.
    """
    number, _, version = user_id.partition(".")
    version = version or "0"
    if not (number.isascii() and number.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(number) > 12 or len(version) > 12:
        return None
    organiser = db.session.get(Organiser, int(number))
    if organiser is None or not organiser.active or organiser.session_version != int(version):
        return None
    return organiser
