"""Upgrading a live site to roles: organisers keep every event and their sign-in, old tokens get an expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import flask_migrate
import sqlalchemy as sa

from eventsite.accounts.models import ApiToken, Organiser
from eventsite.accounts.operations import authenticate
from eventsite.extensions import db
from tests.conftest import PASSWORD


def test_existing_accounts_and_tokens_survive_the_upgrade(app, app_ctx):
    from eventsite.accounts.passwords import hash_password

    flask_migrate.downgrade(revision="e1a2b3c4d507")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO organiser (id, email, name, password_hash, role, created_at) "
                "VALUES (7, 'olive@example.com', 'Olive', :hash, 'organiser', :now)"
            ),
            {"hash": hash_password(PASSWORD), "now": datetime(2026, 1, 1)},
        )
        conn.execute(
            sa.text("INSERT INTO api_token (organiser_id, token_hash, created_at) VALUES (7, :hash, :now)"),
            {"hash": ApiToken.hash_token("old-token"), "now": datetime(2026, 1, 1)},
        )
    flask_migrate.upgrade()
    db.session.expire_all()

    olive = db.session.get(Organiser, 7)
    assert olive.active and olive.all_events and olive.session_version == 0 and olive.last_login_at is None
    assert authenticate("olive@example.com", PASSWORD) is not None
    token = db.session.scalar(sa.select(ApiToken))
    assert token.name and token.revoked_at is None
    assert timedelta(days=89) < token.expires_at - datetime.now(UTC) <= timedelta(days=90)
    # A session signed in before the upgrade ("7") still names her.
    from eventsite.accounts.operations import load_session_user

    assert load_session_user("7") is olive and load_session_user("7.0") is olive
    assert load_session_user("7.1") is None

    # And back down, with the rows still there.
    db.session.remove()
    flask_migrate.downgrade(revision="e1a2b3c4d507")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT email FROM organiser")).scalars().all() == ["olive@example.com"]
        assert conn.execute(sa.text("SELECT count(*) FROM api_token")).scalar() == 1
    flask_migrate.upgrade()
