"""“Forgot your password?” and the mailed links: same answer for everyone, single use, short-lived."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsite.accounts.links import issue_link
from eventsite.accounts.models import AccountLink, LinkPurpose, Organiser
from eventsite.database import utcnow
from eventsite.extensions import db
from tests.conftest import PASSWORD, csrf_token

from .helpers import link_in, make_account, separate_browsers, sign_in, signed_in

pytestmark = pytest.mark.usefixtures(separate_browsers.__name__)

OLIVE = "olive@example.com"
NEW_PASSWORD = "a brand new passphrase"


def forgot(client, email: str):
    """Ask for a reset link as a browser does, following the redirect; returns the final page."""
    page = client.get("/login/forgot")
    assert page.status_code == 200
    response = client.post(
        "/login/forgot", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "email": email}
    )
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"])


def choose(client, path: str, password: str = NEW_PASSWORD):
    page = client.get(path)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": password})


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, app_ctx, inbox):
    make_account(OLIVE)
    known = forgot(app.test_client(), "Olive@Example.com")
    unknown = forgot(app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert "If that address belongs to an organiser account" in known.get_data(as_text=True)
    assert [m["To"] for m in inbox.messages] == [OLIVE]
    assert "works once, for 1 hour" in inbox.messages[0].get_body(("plain",)).get_content()


def test_a_reset_link_works_once_and_signs_out_everywhere_else(app, app_ctx, inbox):
    make_account(OLIVE)
    elsewhere = signed_in(app, OLIVE)  # e.g. a laptop left signed in at the venue
    forgot(app.test_client(), OLIVE)
    path = link_in(inbox.to(OLIVE)[0])

    browser = app.test_client()
    # Opening the link (a mail scanner does) spends nothing.
    assert browser.get(path).status_code == 200 and browser.get(path).status_code == 200
    response = choose(browser, path)
    assert response.status_code == 303 and browser.get("/studio/").status_code == 200

    again = app.test_client().get(path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert elsewhere.get("/studio/").status_code == 302  # the old session ended
    assert sign_in(app.test_client(), OLIVE, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), OLIVE, NEW_PASSWORD).status_code == 302


def test_an_expired_link_changes_nothing(app, app_ctx):
    olive = db.session.get(Organiser, make_account(OLIVE))
    secret = issue_link(olive, LinkPurpose.RESET, now=utcnow() - timedelta(minutes=61))
    browser = app.test_client()
    page = browser.get(f"/password/{secret}")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    response = browser.post(f"/password/{secret}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code in (400, 410)
    assert sign_in(app.test_client(), OLIVE, PASSWORD).status_code == 302


def test_a_newer_link_replaces_the_older_one_and_invitations_last_a_week(app, app_ctx):
    olive = db.session.get(Organiser, make_account(OLIVE))
    first = issue_link(olive, LinkPurpose.RESET)
    second = issue_link(olive, LinkPurpose.RESET)
    assert app.test_client().get(f"/password/{first}").status_code == 410
    assert app.test_client().get(f"/password/{second}").status_code == 200
    issue_link(olive, LinkPurpose.INVITE)
    invite = db.session.scalars(sa.select(AccountLink).order_by(AccountLink.id.desc())).first()
    assert timedelta(days=6, hours=23) < invite.expires_at - invite.created_at <= timedelta(days=7)
    assert app.test_client().get("/password/not-a-link-we-sent").status_code == 404


def test_forgot_password_is_rate_limited_without_telling_anything(app, app_ctx, inbox):
    make_account(OLIVE)
    pages = {forgot(app.test_client(), OLIVE).get_data() for _ in range(4)}
    assert len(pages) == 1  # the fourth request reads exactly like the first…
    assert len(inbox.to(OLIVE)) == 3  # …but her inbox is not flooded (PASSWORD_RESET_ACCOUNT_RATE_LIMIT)

    # From one address, as many posts as sign-ins are allowed (LOGIN_RATE_LIMIT, 5 a minute in tests).
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    token = csrf_token(client.get("/login/forgot").get_data(as_text=True))
    codes = [
        client.post("/login/forgot", data={"csrf_token": token, "email": f"n{n}@example.com"}).status_code
        for n in range(6)
    ]
    assert codes == [303] * 5 + [429]


def test_a_deactivated_account_gets_no_link_and_its_links_stop(app, app_ctx, inbox):
    from eventsite.accounts import team

    olive = db.session.get(Organiser, make_account(OLIVE))
    admin = db.session.get(Organiser, make_account("ada@example.com", role=team.Role.ADMIN))
    secret = issue_link(olive, LinkPurpose.RESET)
    team.deactivate(olive, by=admin)
    page = app.test_client().get(f"/password/{secret}")
    assert page.status_code == 410
    forgot(app.test_client(), OLIVE)
    assert inbox.to(OLIVE) == []
