"""Verified panelists: the studio's magic link, the badge nobody else can get, revoking it."""

import re

import sqlalchemy as sa

from eventsite.discussion.models import Comment, CommentStatus, PanelistAccess
from eventsite.discussion.moderation import Action, moderate
from eventsite.extensions import db
from tests.conftest import csrf_token

from .conftest import body_of, human_started, panel_url

PRIVATE = "gemma.private@example.org"
BADGE = '<span class="badge badge-panelist">Panelist</span>'


def send_link(client, person) -> None:
    page = client.get(f"/studio/people/{person.id}/comment-access").get_data(as_text=True)
    response = client.post(
        f"/studio/people/{person.id}/comment-access/link", data={"csrf_token": csrf_token(page), "email": PRIVATE}
    )
    assert response.status_code == 303


def magic_path(message) -> str:
    return re.search(r"http://localhost(/panelists/welcome/\S+)", body_of(message)).group(1)


def open_link(client, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def post_as_panelist(app, client, panel, body: str, **extra):
    page = client.get(panel_url(panel)).get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "started": human_started(app, client=client),
        "body": body,
        "company": "",
        **extra,
    }
    return client.post(panel_url(panel) + "comments", data=data)


def test_magic_link_badge_notifications_and_revoke(app, login, panel, make_panelist, inbox, post_form):
    organiser = login()
    gemma = make_panelist("Gemma Went", panel=panel)
    assert "comment-access" in organiser.get(f"/studio/people/{gemma.id}/edit").get_data(as_text=True)
    send_link(organiser, gemma)
    [message] = inbox.to(PRIVATE)
    path = magic_path(message)

    browser = app.test_client()
    opened = open_link(browser, path)
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/panelists/me")
    assert "HttpOnly" in opened.headers["Set-Cookie"]
    assert "Gemma Went" in browser.get("/panelists/me").get_data(as_text=True)
    # Single use: the same link, again or on another browser, is refused with a clear page.
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)

    # Her browser comments as her: no name fields, published at once, badge and bird.
    page = browser.get(panel_url(panel)).get_data(as_text=True)
    assert "Commenting as <strong>Gemma Went</strong>" in page and 'name="email"' not in page
    assert post_as_panelist(app, browser, panel, "Thanks for watching!").status_code == 303
    comment = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Thanks for watching!")).one()
    assert comment.status is CommentStatus.APPROVED and comment.panelist_id == gemma.id
    public = app.test_client().get(panel_url(panel)).get_data(as_text=True)
    assert BADGE in public and f"/people/{gemma.slug}/bird" in public and "avatar avatar-panelist" in public
    assert PRIVATE not in public and PRIVATE not in organiser.get(f"/studio/people/{gemma.id}/edit").get_data(
        as_text=True
    )

    # She asks to hear about new comments on her panels.
    me = browser.get("/panelists/me").get_data(as_text=True)
    browser.post("/panelists/me", data={"csrf_token": csrf_token(me), "notify": "y"})
    app.config["COMMENT_HOLD_FIRST"] = False
    stranger = app.test_client()
    post_form(stranger, panel, name="Rich", email="rich@example.com", body="A question for Gemma.")
    held = db.session.scalars(sa.select(Comment).where(Comment.body_source == "A question for Gemma.")).one()
    assert inbox.to(PRIVATE) == [message]  # held: nothing yet
    moderate([held.id], Action.APPROVE)
    moderate([held.id], Action.UNAPPROVE)
    moderate([held.id], Action.APPROVE)
    [_, news] = inbox.to(PRIVATE)
    assert "New comment" in news["Subject"] and "A question for Gemma." in body_of(news)
    assert "rich@example.com" not in news.as_string()

    # The organiser revokes: her browser is an ordinary visitor again, at once.
    access_page = organiser.get(f"/studio/people/{gemma.id}/comment-access").get_data(as_text=True)
    assert PRIVATE in access_page  # organisers see the address they entered
    organiser.post(f"/studio/people/{gemma.id}/comment-access/revoke", data={"csrf_token": csrf_token(access_page)})
    assert browser.get("/panelists/me").status_code == 403
    assert 'name="email"' in browser.get(panel_url(panel)).get_data(as_text=True)
    assert post_as_panelist(app, browser, panel, "Still me?").status_code == 400
    assert db.session.scalars(sa.select(PanelistAccess)).one().notify_new_comments is False


def test_typing_a_panelists_name_and_address_gets_no_badge(app, login, panel, make_panelist, inbox, post_form):
    organiser = login()
    gemma = make_panelist("Gemma Went", panel=panel)
    send_link(organiser, gemma)
    impostor = app.test_client()
    response = post_form(impostor, panel, json=True, name="Gemma Went", email=PRIVATE, body="I'm Gemma!")
    assert response.get_json()["status"] == "pending" and "badge" not in response.get_json()["html"]
    comment = db.session.scalars(sa.select(Comment).where(Comment.body_source == "I'm Gemma!")).one()
    assert comment.panelist_id is None and comment.badge == ""
    moderate([comment.id], Action.APPROVE)  # even once a moderator lets it through
    public = app.test_client().get(panel_url(panel)).get_data(as_text=True)
    assert "m Gemma!" in public and BADGE not in public and "avatar-panelist" not in public
    # Organisers can't hand the badge out either.
    reply_page = organiser.get(f"/studio/comments/{comment.id}/reply").get_data(as_text=True)
    assert 'value="Panelist"' not in reply_page


def test_expired_and_forged_magic_links_are_refused(app, login, panel, make_panelist, inbox):
    organiser = login()
    gemma = make_panelist("Gemma Went", panel=panel)
    send_link(organiser, gemma)
    app.config["PANELIST_LINK_HOURS"] = -1
    expired = app.test_client().get(magic_path(inbox.to(PRIVATE)[0]))
    assert expired.status_code == 410 and "This sign-in link has expired" in expired.get_data(as_text=True)
    forged = app.test_client().get("/panelists/welcome/WzEsImFiYyJd.forged")
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)


def test_studio_access_pages_need_an_organiser(client, panel, make_panelist):
    gemma = make_panelist("Gemma Went", panel=panel)
    response = client.get(f"/studio/people/{gemma.id}/comment-access")
    assert response.status_code in (302, 401)
