"""Admins manage the organisers' accounts: invite, change role and events, deactivate, reactivate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventsite.accounts import team
from eventsite.accounts.models import Organiser, Role
from eventsite.accounts.operations import AccountError
from eventsite.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.recordings.helpers import TUS, metadata

from .helpers import link_in, make_account, post_with_token, separate_browsers, sign_in, signed_in

pytestmark = pytest.mark.usefixtures(separate_browsers.__name__)

ADMIN = "ada@example.com"
OLIVE = "olive@example.com"


@pytest.fixture
def admin(app, app_ctx):
    """A browser signed in as the site's admin."""
    make_account(ADMIN, role=Role.ADMIN, name="Ada Admin")
    return signed_in(app, ADMIN)


def account(email: str) -> Organiser:
    db.session.expire_all()
    return db.session.scalar(sa.select(Organiser).where(Organiser.email == email))


def test_invitation_to_first_sign_in(app, admin, inbox, make_event):
    mine = make_event("Social Media Week")
    make_event("Brighton Digital")
    form = admin.get("/studio/team/invite").get_data(as_text=True)
    assert "Brighton Digital" in form and "Social Media Week" in form
    response = admin.post(
        "/studio/team/invite",
        data={
            "csrf_token": csrf_token(form),
            "name": "Newt Newcomer",
            "email": "Newt@Example.com",
            "role": "organiser",
            "events": [str(mine.id)],
        },
    )
    assert response.status_code == 303
    listing = admin.get("/studio/team/").get_data(as_text=True)
    assert "newt@example.com" in listing and "invited" in listing and "link valid until" in listing

    [message] = inbox.to("newt@example.com")
    assert "Ada Admin invites you" in message.get_body(("plain",)).get_content()
    path = link_in(message)
    newt = app.test_client()
    page = newt.get(path)
    assert page.status_code == 200 and "Welcome, Newt Newcomer" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # Until the password is chosen, the account cannot sign in at all.
    assert sign_in(app.test_client(), "newt@example.com", "").status_code == 400

    short = newt.post(
        path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "password": "short", "confirm": "short"}
    )
    assert short.status_code == 400 and "at least 8 characters" in short.get_data(as_text=True)
    chosen = newt.post(
        path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "password": PASSWORD, "confirm": PASSWORD}
    )
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/studio/"
    studio = newt.get("/studio/").get_data(as_text=True)
    assert "Social Media Week" in studio and "Brighton Digital" not in studio  # limited to the chosen event

    # The link is spent; the password works from any browser.
    assert app.test_client().get(path).status_code == 410
    assert sign_in(app.test_client(), "newt@example.com").status_code == 302
    listing = admin.get("/studio/team/").get_data(as_text=True)
    assert "invited" not in listing and "Never" not in listing.split("newt@example.com")[1].split("</tr>")[0]


def test_an_address_with_an_account_cannot_be_invited_again(app, admin, inbox):
    make_account(OLIVE)
    response = post_with_token(
        admin, "/studio/team/invite", "/studio/team/invite", name="Olive", email=OLIVE, role="organiser", all_events="y"
    )
    assert response.status_code == 400 and "already exists" in response.get_data(as_text=True)
    assert inbox.messages == []


def team_routes(app) -> list[tuple[str, str]]:
    """(method, url) of every team page, from the URL map (a new one is checked the day it is added)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("studio.team"):
            url = rule.rule.replace("<int:organiser_id>", "1").replace("<int:token_id>", "1")
            routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_team_pages_do_not_exist_for_organisers(app, app_ctx):
    make_account(ADMIN, role=Role.ADMIN)
    make_account(OLIVE)
    olive = signed_in(app, OLIVE)
    token = csrf_token(olive.get("/studio/").get_data(as_text=True))
    routes = team_routes(app)
    assert len(routes) >= 7
    answers = {
        (m, u): olive.open(u, method=m, data={"csrf_token": token, "role": "admin"}).status_code for m, u in routes
    }
    assert set(answers.values()) == {404}, answers
    assert "/studio/team/" not in olive.get("/studio/").get_data(as_text=True)
    assert account(OLIVE).role is Role.ORGANISER


def bearer_upload(client, token: str, panel_id: int):
    """Start a tus upload with a bearer token: what a command-line client does first."""
    headers = TUS | {"Authorization": f"Bearer {token}", "Upload-Length": "10", "Upload-Metadata": metadata(panel_id)}
    return client.post("/uploads/", headers=headers)


def test_deactivation_ends_sessions_and_tokens_at_once(app, admin, make_panel):
    from eventsite.accounts.tokens import create_token

    olive_id = make_account(OLIVE)
    olive = signed_in(app, OLIVE)
    token = create_token(db.session.get(Organiser, olive_id), "laptop")
    panel = make_panel()
    assert olive.get("/studio/").status_code == 200
    assert bearer_upload(app.test_client(), token, panel.id).status_code == 201

    page = f"/studio/team/{olive_id}/"
    assert post_with_token(admin, page, f"/studio/team/{olive_id}/deactivate").status_code == 303
    assert "account is deactivated" in admin.get(page).get_data(as_text=True)

    # Her open session ends at its next request, her token too, and she cannot sign in again.
    response = olive.get("/studio/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    refused = bearer_upload(app.test_client(), token, panel.id)
    assert refused.status_code == 401
    assert "deactivated organiser account" in refused.get_data(as_text=True)
    wrong = sign_in(app.test_client(), OLIVE)
    assert wrong.status_code == 400 and "match an organiser account" in wrong.get_data(as_text=True)

    # Reactivated: her password works again; the old session and token stay dead.
    assert post_with_token(admin, page, f"/studio/team/{olive_id}/reactivate").status_code == 303
    assert olive.get("/studio/").status_code == 302
    assert sign_in(app.test_client(), OLIVE).status_code == 302
    again = bearer_upload(app.test_client(), token, panel.id)
    assert again.status_code == 401 and "revoked" in again.get_data(as_text=True)


def test_admins_keep_the_site_manageable(app, admin):
    me = account(ADMIN)
    page = f"/studio/team/{me.id}/"
    # Nobody deactivates or demotes themselves: another admin must.
    refused = admin.post(
        f"/studio/team/{me.id}/deactivate", data={"csrf_token": csrf_token(admin.get(page).get_data(as_text=True))}
    )
    assert "cannot deactivate your own account" in admin.get(refused.headers["Location"]).get_data(as_text=True)
    demoted = post_with_token(admin, page, page, role="organiser", all_events="y")
    assert demoted.status_code == 422 and "cannot change your own role" in demoted.get_data(as_text=True)
    assert account(ADMIN).active and account(ADMIN).role is Role.ADMIN
    # The last active admin stays one, whoever asks.
    olive = db.session.get(Organiser, make_account(OLIVE))
    with pytest.raises(AccountError, match="only active admin"):
        team.deactivate(account(ADMIN), by=olive)
    with pytest.raises(AccountError, match="only active admin"):
        team.change_access(account(ADMIN), Role.ORGANISER, True, [], by=olive)

    # With a second admin, one admin can deactivate the other.
    second = make_account("bea@example.com", role=Role.ADMIN)
    assert post_with_token(admin, page, f"/studio/team/{second}/deactivate").status_code == 303
    assert not account("bea@example.com").active


def test_role_and_events_change_what_an_organiser_sees(app, admin, make_event):
    mine, other = make_event("Social Media Week"), make_event("Brighton Digital")
    olive_id = make_account(OLIVE)
    olive = signed_in(app, OLIVE)
    assert "Brighton Digital" in olive.get("/studio/").get_data(as_text=True)

    page = f"/studio/team/{olive_id}/"
    form = admin.get(page).get_data(as_text=True)
    assert 'checked id="all_events"' in form  # she has every event so far
    saved = post_with_token(admin, page, page, role="organiser", events=[str(mine.id)])
    assert saved.status_code == 303
    studio = olive.get("/studio/").get_data(as_text=True)
    assert "Social Media Week" in studio and "Brighton Digital" not in studio
    assert olive.get(f"/studio/events/{other.id}/edit").status_code == 404
    assert "Social Media Week" in admin.get("/studio/team/").get_data(as_text=True)

    post_with_token(admin, page, page, role="admin", events=[str(mine.id)])
    assert olive.get("/studio/team/").status_code == 200  # admins manage accounts…
    assert "Brighton Digital" in olive.get("/studio/").get_data(as_text=True)  # …and every event


def test_admin_sends_a_reset_link(app, admin, inbox):
    olive_id = make_account(OLIVE)
    page = f"/studio/team/{olive_id}/"
    response = post_with_token(admin, page, f"/studio/team/{olive_id}/reset")
    assert "password-reset link was sent" in admin.get(response.headers["Location"]).get_data(as_text=True)
    [message] = inbox.to(OLIVE)
    path = link_in(message)
    assert "Choose a new password" in app.test_client().get(path).get_data(as_text=True)
    assert sign_in(app.test_client(), OLIVE).status_code == 302  # the old password works until the link is used


NEW_FORMS = [
    ("/studio/team/invite", {"name": "X", "email": "x@example.com", "role": "admin", "all_events": "y"}),
    ("/studio/team/{olive}/", {"role": "admin", "all_events": "y"}),
    ("/studio/team/{olive}/deactivate", {}),
    ("/studio/team/{olive}/reset", {}),
    ("/studio/team/{olive}/invite", {}),
    ("/studio/team/{olive}/tokens/{token}/revoke", {}),
    ("/studio/tokens/", {"name": "sneaky", "days": "90"}),
    ("/studio/tokens/{own_token}/revoke", {}),
    ("/login/forgot", {"email": OLIVE}),
    ("/password/{secret}", {"password": "a new password", "confirm": "a new password"}),
]


@pytest.mark.parametrize(("url", "data"), NEW_FORMS, ids=[url for url, _ in NEW_FORMS])
def test_every_new_form_needs_its_csrf_token(app, admin, inbox, url, data):
    from eventsite.accounts.links import issue_link
    from eventsite.accounts.models import ApiToken, LinkPurpose
    from eventsite.accounts.tokens import create_token

    olive = db.session.get(Organiser, make_account(OLIVE))
    create_token(olive, "hers")
    create_token(account(ADMIN), "mine")
    tokens = {t.organiser_id: t.id for t in db.session.scalars(sa.select(ApiToken))}
    secret = issue_link(olive, LinkPurpose.RESET)
    url = url.format(olive=olive.id, token=tokens[olive.id], own_token=tokens[account(ADMIN).id], secret=secret)

    def state():
        db.session.expire_all()
        rows = db.session.execute(
            sa.select(Organiser.email, Organiser.role, Organiser.active, Organiser.password_hash).order_by(Organiser.id)
        ).all()
        revoked = db.session.scalars(sa.select(ApiToken.revoked_at).order_by(ApiToken.id)).all()
        return rows, revoked, db.session.scalar(sa.select(sa.func.count(ApiToken.id)))

    before = state()
    response = admin.post(url, data=data)  # the same browser, but no token: a forged cross-site post
    assert response.status_code == 400 and "Please reload the page" in response.get_data(as_text=True)
    assert state() == before
    assert inbox.messages == []
