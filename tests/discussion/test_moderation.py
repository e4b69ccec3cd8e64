"""The moderation queue in the studio: access, tabs, bulk actions, replies with a badge, blocks."""

import re

import pytest
import sqlalchemy as sa

from eventsite.discussion.models import BlockKind, Comment, CommentBlock, CommentStatus
from eventsite.discussion.operations import post_comment
from eventsite.discussion.rules import Verdict
from eventsite.extensions import db
from tests.conftest import csrf_token

from .conftest import panel_url, submission


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/studio/comments/"),
        ("post", "/studio/comments/bulk"),
        ("get", "/studio/comments/1/reply"),
        ("post", "/studio/comments/1/block"),
        ("get", "/studio/comments/blocks"),
    ],
)
def test_queue_needs_an_organiser(client, method, path):
    response = getattr(client, method)(path)
    if method == "post":  # CSRF protection answers first
        assert response.status_code == 400
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_tabs_show_counts(login, panel, approved_comment):
    client = login()
    approved_comment(body="ok")
    approved_comment(body="held 1", status=CommentStatus.PENDING)
    approved_comment(body="held 2", status=CommentStatus.PENDING)
    approved_comment(body="junk", status=CommentStatus.SPAM)
    page = client.get("/studio/comments/").get_data(as_text=True)
    assert 'Pending <span class="count">(2)</span>' in page
    assert 'Approved <span class="count">(1)</span>' in page
    assert 'Spam <span class="count">(1)</span>' in page
    assert "held 1" in page and "junk" not in page
    assert "junk" in client.get("/studio/comments/?status=spam").get_data(as_text=True)
    assert client.get("/studio/comments/?status=nonsense").status_code == 404


def test_bulk_approve_with_one_csrf_form(login, panel, approved_comment):
    client = login()
    held = [approved_comment(body=f"held {n}", status=CommentStatus.PENDING) for n in range(3)]
    page = client.get("/studio/comments/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "action": "approve", "ids": [held[0].id, held[1].id]}
    response = client.post("/studio/comments/bulk?status=pending", data=data)
    assert response.status_code == 302
    statuses = db.session.scalars(sa.select(Comment.status).order_by(Comment.id)).all()
    assert statuses == [CommentStatus.APPROVED, CommentStatus.APPROVED, CommentStatus.PENDING]
    # Without the token nothing happens.
    client.post("/studio/comments/bulk", data={"action": "spam", "ids": [held[2].id]})
    db.session.refresh(held[2])
    assert held[2].status is CommentStatus.PENDING


def test_spam_trash_and_delete_permanently(login, panel, approved_comment):
    client = login()
    comment = approved_comment(body="bye", status=CommentStatus.PENDING)
    token = csrf_token(client.get("/studio/comments/").get_data(as_text=True))
    for action, expected in (("spam", CommentStatus.SPAM), ("trash", CommentStatus.TRASH)):
        client.post("/studio/comments/bulk", data={"csrf_token": token, "action": action, "ids": [comment.id]})
        db.session.refresh(comment)
        assert comment.status is expected
    client.post("/studio/comments/bulk", data={"csrf_token": token, "action": "delete", "ids": [comment.id]})
    db.session.expire_all()
    assert db.session.get(Comment, comment.id) is None


def test_organiser_reply_is_approved_with_a_badge_and_approves_the_parent(login, panel):
    client = login()
    held = post_comment(panel, submission(body="Is anyone there?"), "192.0.2.1").comment
    page = client.get(f"/studio/comments/{held.id}/reply").get_data(as_text=True)
    response = client.post(
        f"/studio/comments/{held.id}/reply",
        data={"csrf_token": csrf_token(page), "body": "We are!", "badge": "Organiser"},
    )
    assert response.status_code == 302
    reply = db.session.scalars(sa.select(Comment).where(Comment.body_source == "We are!")).one()
    db.session.refresh(held)
    assert reply.status is CommentStatus.APPROVED and reply.badge == "Organiser" and reply.parent_id == held.id
    assert held.status is CommentStatus.APPROVED
    public = client.application.test_client().get(panel_url(panel)).get_data(as_text=True)
    assert '<span class="badge">Organiser</span>' in public and "We are!" in public
    # "Panelist" is a verified panelist's own badge: organisers can't reply with it.
    assert 'value="Panelist"' not in page
    assert "organiser@example.com" not in public


def test_block_email_and_range_from_the_queue(login, panel):
    client = login()
    held = post_comment(panel, submission(email="pest@example.com", body="buy now"), "203.0.113.50").comment
    page = client.get("/studio/comments/").get_data(as_text=True)
    assert "Block e-mail" in page and "Block IP range" in page
    token = csrf_token(page)
    client.post(f"/studio/comments/{held.id}/block", data={"csrf_token": token, "kind": "network"})
    db.session.refresh(held)
    assert held.status is CommentStatus.SPAM
    # Same /24, different address and e-mail: still blocked. Another network: fine.
    assert post_comment(panel, submission(email="x@example.com"), "203.0.113.99").verdict is Verdict.SPAM
    assert post_comment(panel, submission(email="y@example.com"), "198.51.100.1").verdict is Verdict.HOLD
    client.post(f"/studio/comments/{held.id}/block", data={"csrf_token": token, "kind": "email"})
    assert post_comment(panel, submission(email="pest@example.com", body="again"), "192.0.2.1").verdict is Verdict.SPAM
    kinds = set(db.session.scalars(sa.select(CommentBlock.kind)))
    assert kinds == {BlockKind.NETWORK, BlockKind.EMAIL}


def test_blocks_page_adds_and_removes(login, panel):
    client = login()
    page = client.get("/studio/comments/blocks").get_data(as_text=True)
    token = csrf_token(page)
    bad = client.post("/studio/comments/blocks", data={"csrf_token": token, "kind": "ip_range", "value": "nope"})
    assert bad.status_code == 200 and "203.0.113.0/24" in bad.get_data(as_text=True)
    client.post("/studio/comments/blocks", data={"csrf_token": token, "kind": "ip_range", "value": "192.0.2.0/24"})
    block = db.session.scalars(sa.select(CommentBlock)).one()
    assert block.value == "192.0.2.0/24"
    assert post_comment(panel, submission(), "192.0.2.77").verdict is Verdict.SPAM
    page = client.get("/studio/comments/blocks").get_data(as_text=True)
    action = re.search(r'action="(/studio/comments/blocks/\d+/delete)"', page).group(1)
    client.post(action, data={"csrf_token": token})
    assert db.session.scalars(sa.select(CommentBlock)).all() == []
