"""The moderation queue's row actions (Approve / Reply / Spam / Trash), its select-all box,
timestamps that open the panel at that moment, and replies that come back to the queue;
in Chromium at desktop and phone sizes with axe, and over HTTP."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.extensions import db
from tests.browser_steps import sign_in
from tests.conftest import assert_no_axe_violations, csrf_token


@pytest.fixture
def held(make_panel):
    """Three comments waiting for moderation; the first names a moment of the video."""
    panel = make_panel("What is social influence?")
    bodies = ["At 0:14 she nails it.", "Great panel.", "Buy cheap watches"]
    comments = []
    for n, body in enumerate(bodies):
        comment = Comment(
            panel_id=panel.id, depth=1, author_name=f"Visitor {n}", author_email=f"v{n}@example.com",
            body_source=body, body_html=render_comment(body), status=CommentStatus.PENDING,
        )  # fmt: skip
        db.session.add(comment)
        comments.append(comment)
    db.session.commit()
    return panel, comments


def status_of(comment_id: int) -> CommentStatus:
    db.session.expire_all()
    return db.session.get(Comment, comment_id).status


def test_a_row_action_changes_that_comment_only_and_stays_on_the_tab(login, held):
    panel, comments = held
    client = login()
    page = client.get("/studio/comments/").text
    response = client.post(
        f"/studio/comments/{comments[2].id}/moderate?status=pending",
        data={"csrf_token": csrf_token(page), "row_action": "spam", "action": "approve", "ids": [comments[0].id]},
    )
    assert response.headers["Location"] == "/studio/comments/?status=pending"
    assert [status_of(c.id) for c in comments] == [CommentStatus.PENDING, CommentStatus.PENDING, CommentStatus.SPAM]
    assert "Comment by Visitor 2 marked as spam." in client.get(response.headers["Location"]).text


def test_an_unknown_row_action_changes_nothing(login, held):
    panel, comments = held
    client = login()
    token = csrf_token(client.get("/studio/comments/").text)
    response = client.post(f"/studio/comments/{comments[0].id}/moderate", data={"csrf_token": token, "row_action": "x"})
    assert "nothing changed" in client.get(response.headers["Location"]).text
    assert status_of(comments[0].id) is CommentStatus.PENDING


def test_timestamps_in_the_queue_open_the_panel_at_that_moment(login, held):
    panel, comments = held
    page = login().get("/studio/comments/").text
    assert f'href="/events/{panel.event.slug}/{panel.slug}/?t=14#player"' in page
    assert 'href="?t=' not in page  # a relative link would reload the queue


def test_a_reply_from_the_queue_comes_back_to_the_queue(login, held):
    panel, comments = held
    client = login()
    form = client.get(f"/studio/comments/{comments[1].id}/reply?status=pending").text
    response = client.post(
        f"/studio/comments/{comments[1].id}/reply?status=pending",
        data={"csrf_token": csrf_token(form), "body": "Thank you!", "badge": "Organiser"},
    )
    reply = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Thank you!")).one()
    assert response.headers["Location"] == f"/studio/comments/?status=pending&replied={reply.id}"
    queue = client.get(response.headers["Location"]).text
    assert f'href="/comments/{reply.id}/">see it in the discussion' in queue


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_moderating_from_the_rows(page, make_organiser, held, size):
    panel, comments = held
    page.set_viewport_size({"width": size[0], "height": size[1]})
    make_organiser()
    sign_in(page)
    page.goto("/studio/comments/")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)

    everything = page.get_by_label("Select every comment on this page")
    everything.check()
    expect(page.locator("input[name=ids]:checked")).to_have_count(3)
    everything.uncheck()
    expect(page.locator("input[name=ids]:checked")).to_have_count(0)

    page.get_by_role("button", name="Approve the comment by Visitor 1").click()
    expect(page.locator(".flash-success")).to_have_text("Comment by Visitor 1 approved.")
    page.get_by_role("button", name="Trash the comment by Visitor 2").click()
    expect(page.locator(".flash-success")).to_have_text("Comment by Visitor 2 moved to the trash.")
    assert [status_of(c.id) for c in comments] == [
        CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.TRASH,
    ]  # fmt: skip

    page.get_by_role("link", name="0:14").click()
    expect(page).to_have_url(re.compile(rf"/events/{panel.event.slug}/{panel.slug}/\?t=14#player$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What is social influence?")

    page.go_back()
    page.get_by_role("link", name="Reply to Visitor 0").click()
    assert_no_axe_violations(page)  # the reply page
    page.get_by_label("Your reply").fill("Thanks for watching closely.")
    page.get_by_role("button", name="Publish reply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments")
    expect(page.get_by_role("status").filter(has_text="Your reply is live")).to_be_visible()
