"""Studio moderation links land on the page of the discussion that shows the comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.extensions import db
from tests.conftest import csrf_token

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def old_thread(app, make_panel):
    """A panel whose discussion has three pages (2 threads a page); returns (panel, oldest thread)."""
    app.config.update(COMMENTS_PER_PAGE=2, COMMENT_ORDER="newest")
    panel = make_panel()
    made = []
    for n in range(5):
        comment = Comment(
            panel_id=panel.id,
            depth=1,
            author_name="Visitor",
            author_email="visitor@example.com",
            body_source=f"Thread {n}",
            body_html=render_comment(f"Thread {n}"),
            status=CommentStatus.APPROVED,
            created_at=START + timedelta(hours=n),
        )
        db.session.add(comment)
        made.append(comment)
    db.session.commit()
    return panel, made[0]


def test_queue_links_an_approved_comment_by_its_permalink(login, old_thread):
    panel, oldest = old_thread
    client = login()
    page = client.get("/studio/comments/?status=approved").get_data(as_text=True)
    assert f'href="/comments/{oldest.id}/"' in page
    # The permalink finds the last page, where the oldest thread is shown.
    target = client.get(f"/comments/{oldest.id}/").headers["Location"]
    assert target.endswith(f"?cpage=3#comment-{oldest.id}")
    assert f'id="comment-{oldest.id}"' in client.get(target).get_data(as_text=True)


def test_organiser_reply_lands_on_the_page_that_shows_it(login, old_thread):
    panel, oldest = old_thread
    client = login()
    form = client.get(f"/studio/comments/{oldest.id}/reply").get_data(as_text=True)
    response = client.post(
        f"/studio/comments/{oldest.id}/reply",
        data={"csrf_token": csrf_token(form), "body": "Thanks!", "badge": "Organiser"},
    )
    reply = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Thanks!")).one()
    assert response.headers["Location"] == f"/comments/{reply.id}/"
    landing = client.get(response.headers["Location"]).headers["Location"]
    assert landing.endswith(f"?cpage=3#comment-{reply.id}")
    assert "Thanks!" in client.get(landing).get_data(as_text=True)
