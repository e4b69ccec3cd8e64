"""Comments that can't be forged: trust comes from a followed link, never from a typed address."""

import re

import sqlalchemy as sa

from eventsite.discussion import tokens
from eventsite.discussion.models import Comment, CommenterAddress, CommentStatus
from eventsite.discussion.moderation import Action, moderate
from eventsite.extensions import db
from tests.conftest import csrf_token

from .conftest import body_of, confirm_addresses, panel_url

ANNE = "anne@example.com"


def link_in(message) -> str:
    """The confirmation link of a captured mail, as a path on the test site."""
    return (
        re.search(r"(http://localhost/comments/confirm/\S+)", body_of(message))
        .group(1)
        .removeprefix("http://localhost")
    )


def follow(client, path: str):
    """Open a mailed link and press its button, as a person does."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def shape(response) -> tuple:
    """What an observer of a post's answer sees, with the comment's own id and tokens blanked."""
    data = response.get_json()
    html = re.sub(r"\d+", "N", data.get("html", ""))
    html = re.sub(r'value="[^"]*"', 'value="X"', html)
    return response.status_code, sorted(data), data["status"], data["message"], html


def test_a_forged_address_is_held_and_indistinguishable_from_an_unknown_one(
    app, panel, post_form, approved_comment, inbox
):
    app.config["COMMENT_HOLD_FIRST"] = False  # even on a site that publishes first comments
    approved_comment(name="Anne", email=ANNE, body="Anne's real comment.", confirmed=True)
    confirm_addresses(ANNE)
    forger, stranger = app.test_client(), app.test_client()
    forged = post_form(forger, panel, json=True, name="Anne", email=ANNE, body="I am Anne, honestly.")
    unknown = post_form(
        stranger, panel, json=True, name="Anne", email="nobody@example.com", body="I am Anne, honestly."
    )
    # Same status, same keys, same words, same HTML (neutral avatar) apart from the comment's id.
    assert shape(forged) == shape(unknown)
    assert forged.get_json()["status"] == "pending"
    neutral = f"/avatars/{tokens.NEUTRAL_AVATAR_KEY}.svg"
    with app.test_request_context():
        annes_avatar = tokens.avatar_key(ANNE)
    assert neutral in forged.get_json()["html"] and annes_avatar not in forged.get_json()["html"]
    stored = db.session.scalars(sa.select(Comment).where(Comment.body_source == "I am Anne, honestly.")).all()
    assert [(c.status, c.confirmed) for c in stored] == [(CommentStatus.PENDING, False)] * 2
    # The same work was done for both: one mail each (only the owners can read them).
    assert len(inbox.to(ANNE)) == 1 and len(inbox.to("nobody@example.com")) == 1
    assert "already confirmed" in body_of(inbox.to(ANNE)[0])
    assert "confirm it here" in body_of(inbox.to("nobody@example.com")[0])
    # The public sees Anne's real comment with her picture, and neither forgery.
    public = app.test_client().get(panel_url(panel)).get_data(as_text=True)
    assert "Anne's real comment." in public and annes_avatar in public and "honestly" not in public


def test_confirm_link_flow_from_the_captured_mail(app, client, panel, post_form, inbox):
    response = post_form(client, panel, name="Newcomer", email="new@example.com", body="First words.")
    assert response.status_code == 303
    [message] = inbox.to("new@example.com")
    assert message["Subject"].startswith("Please confirm your comment")
    path = link_in(message)
    # A mail scanner opening the link changes nothing.
    assert b"Yes, this is my comment" in app.test_client().get(path).data
    first = db.session.scalars(sa.select(Comment)).one()
    assert not first.confirmed
    done = follow(client, path)
    assert done.status_code == 303 and done.headers["Location"].endswith(f"#comment-{first.id}")
    db.session.refresh(first)
    # Confirming proves the address; it approves nothing by itself (a first comment waits).
    assert first.confirmed and first.status is CommentStatus.PENDING
    assert db.session.scalars(sa.select(CommenterAddress.confirmed_at)).one() is not None
    assert "new@example.com" not in str(db.session.scalars(sa.select(CommenterAddress.email_hash)).all())
    moderate([first.id], Action.APPROVE)
    # This browser is now recognised: the next comment is published with the author's own avatar.
    post_form(client, panel, name="Newcomer", email="new@example.com", body="Second words.", json=True)
    second = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Second words.")).one()
    assert second.status is CommentStatus.APPROVED and second.confirmed
    with app.test_request_context():
        assert tokens.avatar_key("new@example.com") in client.get(panel_url(panel)).get_data(as_text=True)
    assert len(inbox.to("new@example.com")) == 1  # a recognised browser gets no mail
    # Another browser typing the same address is held again.
    post_form(app.test_client(), panel, name="Newcomer", email="new@example.com", body="Third words.")
    third = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Third words.")).one()
    assert third.status is CommentStatus.PENDING and not third.confirmed


def test_a_known_author_on_a_new_browser_is_published_once_she_follows_the_link(
    app, panel, post_form, approved_comment, inbox
):
    approved_comment(name="Anne", email=ANNE, confirmed=True)
    confirm_addresses(ANNE)
    phone = app.test_client()
    post_form(phone, panel, name="Anne", email=ANNE, body="From my phone.")
    held = db.session.scalars(sa.select(Comment).where(Comment.body_source == "From my phone.")).one()
    assert held.status is CommentStatus.PENDING
    follow(phone, link_in(inbox.to(ANNE)[0]))
    db.session.refresh(held)
    # Confirmed + previously approved → published.
    assert held.status is CommentStatus.APPROVED and held.confirmed
    assert "From my phone." in app.test_client().get(panel_url(panel)).get_data(as_text=True)


def test_used_expired_and_forged_links_are_refused_with_a_clear_page(app, client, panel, post_form, inbox):
    post_form(client, panel, name="Newcomer", email="new@example.com", body="Words.")
    path = link_in(inbox.to("new@example.com")[0])
    assert follow(client, path).status_code == 303
    token = csrf_token(client.get(panel_url(panel)).get_data(as_text=True))
    for again in (client.get(path), client.post(path, data={"csrf_token": token})):
        assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    post_form(client, panel, name="Other", email="other@example.com", body="Other words.")
    app.config["COMMENT_CONFIRM_HOURS"] = -1  # every link is past its age
    expired = client.get(link_in(inbox.to("other@example.com")[0]))
    assert expired.status_code == 410 and "This confirmation link has expired" in expired.get_data(as_text=True)
    assert not db.session.scalars(sa.select(Comment).where(Comment.body_source == "Other words.")).one().confirmed
    forged = client.get("/comments/confirm/WzEsImFiYyJd.forged")
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)
