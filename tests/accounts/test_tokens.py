"""API tokens: named, shown once, listed, expiring, revocable; refusals that say why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsite.accounts.models import ApiToken, Organiser, Role
from eventsite.accounts.tokens import create_token
from eventsite.database import utcnow
from eventsite.extensions import db
from tests.conftest import csrf_token

from .helpers import make_account, separate_browsers, signed_in
from .test_team import bearer_upload

pytestmark = pytest.mark.usefixtures(separate_browsers.__name__)

OLIVE = "olive@example.com"


def make_token_in_studio(client, name: str, days: str = "30"):
    page = client.get("/studio/tokens/").get_data(as_text=True)
    return client.post("/studio/tokens/", data={"csrf_token": csrf_token(page), "name": name, "days": days})


def test_make_use_list_and_revoke_a_token(app, app_ctx, make_panel):
    make_account(OLIVE)
    olive = signed_in(app, OLIVE)
    panel = make_panel()
    page = olive.get("/studio/tokens/")
    assert page.status_code == 200 and 'selected value="90"' in page.get_data(as_text=True)  # the default lifetime

    made = make_token_in_studio(olive, "Upload script on my laptop")
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token" value="([^"]+)" readonly', html).group(1)
    assert 'data-copy="new-token" hidden' in html  # the button appears with JavaScript; the field works without

    # Shown once: the list has its name and dates, never the token again.
    listing = olive.get("/studio/tokens/").get_data(as_text=True)
    assert token not in listing and "Upload script on my laptop" in listing
    row = db.session.scalar(sa.select(ApiToken))
    assert timedelta(days=29, hours=23) < row.expires_at - utcnow() <= timedelta(days=30)
    assert f"{row.expires_at:%-d %b %Y}" in listing and ">active<" in listing and "Never" in listing

    assert bearer_upload(app.test_client(), token, panel.id).status_code == 201
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None

    revoke = olive.post(
        f"/studio/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(listing)}, follow_redirects=True
    )
    assert "is revoked" in revoke.get_data(as_text=True) and ">revoked<" in revoke.get_data(as_text=True)
    refused = bearer_upload(app.test_client(), token, panel.id)
    assert refused.status_code == 401 and "was revoked on" in refused.get_data(as_text=True)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_unknown_tokens_are_refused_with_the_reason(app, app_ctx, make_panel):
    olive = db.session.get(Organiser, make_account(OLIVE))
    panel = make_panel()
    token = create_token(olive, "old script", days=7)
    row = db.session.scalar(sa.select(ApiToken))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    refused = bearer_upload(app.test_client(), token, panel.id)
    assert refused.status_code == 401 and "expired on" in refused.get_data(as_text=True)
    assert "make a new one in the studio" in refused.get_data(as_text=True)
    unknown = bearer_upload(app.test_client(), "not-a-token", panel.id)
    assert unknown.status_code == 401 and "not valid" in unknown.get_data(as_text=True)


def test_nobody_revokes_another_organisers_token_but_an_admin(app, app_ctx):
    olive = db.session.get(Organiser, make_account(OLIVE))
    create_token(olive, "hers")
    row = db.session.scalar(sa.select(ApiToken))
    make_account("otto@example.com")
    otto = signed_in(app, "otto@example.com")
    page = otto.get("/studio/tokens/").get_data(as_text=True)
    assert "hers" not in page
    assert otto.post(f"/studio/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(page)}).status_code == 404

    make_account("ada@example.com", role=Role.ADMIN)
    admin = signed_in(app, "ada@example.com")
    member = admin.get(f"/studio/team/{olive.id}/").get_data(as_text=True)
    assert "hers" in member
    admin.post(f"/studio/team/{olive.id}/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(member)})
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None


def test_create_token_command_takes_a_name_and_a_lifetime(app, app_ctx, runner):
    make_account(OLIVE)
    result = runner.invoke(args=["create-token", OLIVE, "--name", "nightly import", "--days", "7"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(sa.select(ApiToken))
    assert row.name == "nightly import" and row.token_hash == ApiToken.hash_token(result.output.strip())
    assert timedelta(days=6, hours=23) < row.expires_at - utcnow() <= timedelta(days=7)
    too_long = runner.invoke(args=["create-token", OLIVE, "--days", "99999"])
    assert too_long.exit_code != 0 and "--days" in too_long.output
