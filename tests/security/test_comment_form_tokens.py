"""The comment form's time token expires and belongs to one session; edits pass the block words."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.extensions import db
from tests.conftest import csrf_token
from tests.discussion import conftest as discussion
from tests.discussion.conftest import human_started, panel_url

# the discussion tests' fixtures: posting the real form, and one CSRF token per client (autouse)
post_form = discussion.post_form
separate_csrf_tokens = discussion.separate_csrf_tokens


def comment_data(page: str, started: str, body: str = "Influence is about trust.") -> dict:
    return {
        "csrf_token": csrf_token(page),
        "started": started,
        "name": "Anne",
        "email": "anne@example.com",
        "website": "",
        "body": body,
        "parent_id": "",
        "video_time": "",
        "company": "",
    }


def stored() -> list[Comment]:
    with db.session.no_autoflush:
        return db.session.scalars(sa.select(Comment)).all()


def test_a_form_shown_over_a_day_ago_is_refused_and_the_text_kept(app, app_ctx, client, make_panel):
    panel = make_panel()
    page = client.get(panel_url(panel)).get_data(as_text=True)
    old = human_started(app, seconds_ago=25 * 3600, client=client)
    body = "Written yesterday, posted today."
    response = client.post(panel_url(panel) + "comments", data=comment_data(page, old, body))
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "This form is too old, please reload the page." in text
    assert body in text  # nothing typed is lost
    assert stored() == []
    # the page came back with a fresh form time: posting the same text again works
    fresh = re.search(r'name="started" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    app.config["COMMENT_MIN_SUBMIT_SECONDS"] = 0
    again = client.post(panel_url(panel) + "comments", data=comment_data(response.get_data(as_text=True), fresh, body))
    assert again.status_code == 303
    assert [c.body_source for c in stored()] == [body]


def test_a_form_time_from_another_session_does_not_count(app, app_ctx, client, make_panel):
    """A bot farm loading the page in one session cannot age tokens for others."""
    panel = make_panel()
    harvester = app.test_client()
    harvester.get(panel_url(panel))
    harvested = human_started(app, seconds_ago=60, client=harvester)

    page = client.get(panel_url(panel)).get_data(as_text=True)
    response = client.post(panel_url(panel) + "comments", data=comment_data(page, harvested))
    assert response.status_code == 303  # bots get no hint...
    assert stored() == []  # ...and nothing is stored
    # the same age from this session's own form time is a person
    own = human_started(app, seconds_ago=60, client=client)
    assert client.post(panel_url(panel) + "comments", data=comment_data(page, own)).status_code == 303
    assert len(stored()) == 1


def test_an_edit_that_adds_a_blocked_word_is_treated_like_a_new_comment(app, app_ctx, client, make_panel, post_form):
    app.config["COMMENT_BLOCK_WORDS"] = "cheap pills"
    panel = make_panel()
    post_form(client, panel, body="A fair point about trust.")
    (comment,) = stored()
    comment.status = CommentStatus.APPROVED  # an organiser approved it
    db.session.commit()
    form = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/comments/{comment.id}/edit",
        data={"csrf_token": csrf_token(form), "token": token, "body": "Buy CHEAP PILLS here."},
    )
    assert response.status_code == 303
    db.session.refresh(comment)
    assert comment.status is CommentStatus.SPAM  # where a new comment with the word goes
    assert "CHEAP PILLS" not in app.test_client().get(panel_url(panel)).get_data(as_text=True)
