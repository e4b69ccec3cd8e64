"""Posting without JavaScript, replies and depth, "awaiting moderation", editing and deleting."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsite.discussion import tokens
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.discussion.operations import delete_comment, edit_comment, post_comment
from eventsite.discussion.rules import CommentRefused
from eventsite.extensions import db
from tests.conftest import csrf_token

from .conftest import panel_url, submission


def only_comment() -> Comment:
    return db.session.scalars(sa.select(Comment)).one()


def test_no_js_post_redirects_to_the_comment_anchor(app, client, panel, post_form, approved_comment, confirmed_browser):
    approved_comment(email="anne@example.com")  # Anne is trusted...
    confirmed_browser(client, "anne@example.com")  # ...and this is her browser
    response = post_form(client, panel, body="Nice *panel*.", website="anne.example", notify="y")
    assert response.status_code == 303
    comment = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Nice *panel*.")).one()
    assert response.headers["Location"].endswith(panel_url(panel) + f"#comment-{comment.id}")
    assert comment.status is CommentStatus.APPROVED and comment.notify_replies
    assert comment.author_website == "https://anne.example"
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in page and "Nice <em>panel</em>." in page
    assert 'href="https://anne.example" rel="nofollow ugc noopener"' in page


def test_seed_page_wording(client, panel):
    page = client.get(panel_url(panel)).get_data(as_text=True)
    for words in (
        "Leave a Reply",
        ">Comment</label>",
        ">Name</label>",
        ">Email</label>",
        ">Website</label>",
        "Post Comment",
        "Your email address will not be published.",
        "Notify me of replies by email",
    ):
        assert words in page


def test_awaiting_moderation_only_for_its_author(app, client, panel, post_form):
    response = post_form(client, panel, body="Held for now.")
    comment_id = int(re.search(r"#comment-(\d+)", response.headers["Location"]).group(1))
    mine = client.get(panel_url(panel)).get_data(as_text=True)
    assert "Held for now." in mine and "Your comment is awaiting moderation." in mine
    other = app.test_client().get(panel_url(panel)).get_data(as_text=True)
    assert "Held for now." not in other and f"comment-{comment_id}" not in other
    # A forged cookie claiming the id shows nothing either.
    stranger = app.test_client()
    stranger.set_cookie(tokens.AUTHORSHIP_COOKIE, "W1sxLCJ4Il1d.forged")
    assert "Held for now." not in stranger.get(panel_url(panel)).get_data(as_text=True)
    # Once approved, everybody sees it and the notice goes away.
    db.session.get(Comment, comment_id).status = CommentStatus.APPROVED
    db.session.commit()
    mine = client.get(panel_url(panel)).get_data(as_text=True)
    assert "Held for now." in mine and "awaiting moderation" not in mine


def test_reply_link_and_replytocom_without_js(app, client, panel, post_form, approved_comment):
    anne = approved_comment(name="Anne", email="anne@example.com")
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert f'href="?replytocom={anne.id}#respond"' in page
    page = client.get(panel_url(panel) + f"?replytocom={anne.id}").get_data(as_text=True)
    assert "Leave a Reply to" in page and f'name="parent_id" type="hidden" value="{anne.id}"' in page
    post_form(client, panel, parent_id=str(anne.id), email="rich@example.com", name="Rich", body="A reply")
    reply = db.session.scalars(sa.select(Comment).where(Comment.body_source == "A reply")).one()
    assert reply.parent_id == anne.id and reply.depth == 2


def test_replies_deeper_than_the_limit_join_the_deepest_level(app, panel, approved_comment):
    app.config["COMMENT_MAX_DEPTH"] = 3
    top = approved_comment(body="level 1")
    second = approved_comment(body="level 2", parent=top)
    third = approved_comment(body="level 3", parent=second)
    result = post_comment(panel, submission(body="level 4?", parent_id=third.id), "192.0.2.1")
    assert result.comment.depth == 3 and result.comment.parent_id == second.id


def test_replying_to_a_comment_of_another_panel_is_refused(app, panel, make_panel, approved_comment):
    other = make_panel(title="Another panel")
    foreign = approved_comment(panel_id=other.id)
    with pytest.raises(CommentRefused):
        post_comment(panel, submission(parent_id=foreign.id), "192.0.2.1")


def test_json_post_returns_the_rendered_comment(app, client, panel, post_form, approved_comment, confirmed_browser):
    anne = approved_comment(email="anne@example.com")
    confirmed_browser(client, "anne@example.com")
    response = post_form(client, panel, json=True, body="Via fetch at 1:02", parent_id=str(anne.id))
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "approved" and data["parent_id"] == anne.id
    assert f'id="comment-{data["id"]}"' in data["html"] and 'href="?t=62#player"' in data["html"]
    assert tokens.AUTHORSHIP_COOKIE in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]


def test_video_time_is_stored_and_shown(app, client, panel, post_form, approved_comment):
    approved_comment(email="anne@example.com")
    post_form(client, panel, video_time="754.3", body="Right here")
    assert db.session.scalars(sa.select(Comment.video_time).where(Comment.body_source == "Right here")).one() == 754.3
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert 'href="?t=754#player"' in page and "at 12:34 in the video" in page


def test_csrf_is_required(client, panel, post_form):
    response = post_form(client, panel, csrf_token="nope")
    assert response.status_code == 400


# Editing and deleting ------------------------------------------------------


def test_author_edits_within_the_window_through_the_page(app, client, panel, post_form):
    post_form(client, panel, body="Frist!")
    comment = only_comment()
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" in page
    form = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/comments/{comment.id}/edit", data={"csrf_token": csrf_token(form), "token": token, "body": "First!"}
    )
    assert response.status_code == 303
    db.session.refresh(comment)
    assert comment.body_source == "First!" and comment.edited_at is not None
    # The cookie follows the new text, so the author still sees their pending comment.
    assert "First!" in client.get(panel_url(panel)).get_data(as_text=True)


def test_someone_elses_browser_cannot_open_the_editor(app, client, panel, post_form):
    post_form(client, panel, body="Mine")
    assert app.test_client().get(f"/comments/{only_comment().id}/edit").status_code == 403


def test_edit_refused_sixteen_minutes_later(app, panel):
    comment = post_comment(panel, submission(), "192.0.2.1").comment
    token = tokens.edit_token(comment)
    with pytest.raises(CommentRefused, match="15 minutes"):
        edit_comment(comment, token, "Changed", now=comment.created_at + timedelta(minutes=16))
    edit_comment(comment, token, "Changed", now=comment.created_at + timedelta(minutes=14))
    assert comment.body_source == "Changed"


def test_a_token_for_another_comment_is_refused(app, panel):
    mine = post_comment(panel, submission(body="mine"), "192.0.2.1").comment
    theirs = post_comment(panel, submission(body="theirs", email="b@example.com"), "192.0.2.2").comment
    with pytest.raises(CommentRefused):
        edit_comment(theirs, tokens.edit_token(mine), "hijacked")
    with pytest.raises(CommentRefused):
        delete_comment(theirs, tokens.edit_token(mine))
    with pytest.raises(CommentRefused):
        edit_comment(theirs, "garbage", "hijacked")


def test_an_old_token_cannot_edit_a_comment_that_reused_the_id(app, panel):
    old = post_comment(panel, submission(body="old"), "192.0.2.1").comment
    old_id, token = old.id, tokens.edit_token(old)
    delete_comment(old, token)
    new = post_comment(panel, submission(body="new", email="b@example.com"), "192.0.2.2").comment
    if new.id != old_id:  # SQLite reuses the id; PostgreSQL sequences don't, so force it
        db.session.execute(sa.update(Comment).where(Comment.id == new.id).values(id=old_id))
        db.session.commit()
        new = db.session.get(Comment, old_id)
    with pytest.raises(CommentRefused):
        edit_comment(new, token, "hijacked")


def test_deleting_a_comment_with_replies_leaves_a_placeholder(
    app, client, panel, post_form, approved_comment, confirmed_browser
):
    app.config["COMMENT_HOLD_FIRST"] = False
    confirmed_browser(client, "anne@example.com")
    post_form(client, panel, body="Parent text")
    parent = only_comment()
    approved_comment(body="A reply", parent=parent)
    page = client.get(panel_url(panel)).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(f"/comments/{parent.id}/delete", data={"csrf_token": csrf_token(page), "token": token})
    assert response.status_code == 303
    page = client.get(panel_url(panel)).get_data(as_text=True)
    assert "This comment was deleted." in page and "A reply" in page and "Parent text" not in page
    db.session.refresh(parent)
    assert parent.deleted and parent.author_email == ""


def test_deleting_the_last_reply_removes_the_placeholder(app, panel, approved_comment):
    parent = post_comment(panel, submission(body="p"), "192.0.2.1").comment
    parent_token = tokens.edit_token(parent)
    reply = post_comment(panel, submission(body="r", email="r@example.com"), "192.0.2.2").comment
    reply.parent, reply.depth = parent, 2
    db.session.commit()
    delete_comment(parent, parent_token)
    delete_comment(reply, tokens.edit_token(reply))
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_comment_without_replies_is_deleted_outright(app, panel):
    comment = post_comment(panel, submission(), "192.0.2.1").comment
    delete_comment(comment, tokens.edit_token(comment))
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_editor_page_closes_after_the_window(app, client, panel, post_form):
    post_form(client, panel, body="Typo hre")
    comment = only_comment()
    app.config["COMMENT_EDIT_MINUTES"] = 0  # the window has passed
    response = client.get(f"/comments/{comment.id}/edit")
    assert response.status_code == 403 and b"can&#39;t any more" in response.data
    assert f"/comments/{comment.id}/edit" not in client.get(panel_url(panel)).get_data(as_text=True)


def test_a_name_with_a_line_break_is_refused_in_plain_words(app, client, panel, post_form):
    response = post_form(client, panel, body="Hello", name="Eve\r\nBcc: victim@example.com")
    assert response.status_code == 400
    assert "Please write your name on one line." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_an_expired_form_says_what_to_do(app, client, panel):
    url = f"/events/{panel.event.slug}/{panel.slug}/comments"
    response = client.post(url, data={"body": "Late", "csrf_token": "stale"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
