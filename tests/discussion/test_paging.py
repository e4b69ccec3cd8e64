"""Pages of whole threads (WordPress's ?cpage=N), permalinks that find the page, constant queries."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.discussion.notifications import comment_url
from eventsite.discussion.paging import page_numbers, paging
from eventsite.events.models import PanelStatus
from eventsite.extensions import db

from .conftest import panel_url

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def threads(app_ctx, panel):
    """``threads(n)``: n top-level comments "Thread 1"…"Thread n", oldest first, each
    with a reply and a reply to that reply; returns the top-level comments."""

    def factory(count, target=None, replies=True):
        target = target or panel
        made = []
        for n in range(1, count + 1):
            at = START + timedelta(hours=n)
            root = _comment(target, f"Thread {n}", at)
            made.append(root)
            if replies:
                reply = _comment(target, f"Reply to {n}", at + timedelta(minutes=1), parent=root)
                _comment(target, f"Reply to reply {n}", at + timedelta(minutes=2), parent=reply)
        db.session.commit()
        return made

    return factory


def _comment(panel, body, at, parent=None, status=CommentStatus.APPROVED):
    comment = Comment(
        panel_id=panel.id,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        author_name="Visitor",
        author_email="visitor@example.com",
        body_source=body,
        body_html=render_comment(body),
        status=status,
        created_at=at,
    )
    db.session.add(comment)
    return comment


def bodies(html: str) -> list[str]:
    return re.findall(r'<div class="comment-content"><p>([^<]+)</p>', html)


def test_page_two_holds_threads_51_to_100_with_their_replies_without_javascript(client, panel, threads):
    threads(120)
    html = client.get(panel_url(panel) + "?cpage=2").get_data(as_text=True)
    shown = bodies(html)
    assert [b for b in shown if b.startswith("Thread")] == [f"Thread {n}" for n in range(51, 101)]
    # Replies stay with their thread, oldest first, nested under it.
    assert shown[:3] == ["Thread 51", "Reply to 51", "Reply to reply 51"]
    assert len(shown) == 150 and "Thread 50" not in shown and "Thread 101" not in shown
    # The heading counts every page.
    assert ">360 responses</span>" in html
    nav = re.search(r'<nav class="pagination comments-pagination" aria-label="Comment pages">(.*?)</nav>', html, re.S)
    assert nav, "no comment page navigation"
    links = nav.group(1)
    path = panel_url(panel)
    assert f'rel="prev" href="{path}#comments">← Older comments</a>' in links
    assert f'rel="next" href="{path}?cpage=3#comments">Newer comments →</a>' in links
    assert '<strong class="current" aria-current="page"><span class="visually-hidden">Page </span>2</strong>' in links
    assert f'href="{path}?cpage=3#comments"><span class="visually-hidden">Page </span>3</a>' in links
    # Links that reload the page (reply, cancel) come back to this page.
    assert re.search(r'href="\?cpage=2&amp;replytocom=\d+#respond"', html)
    assert f'href="{path}?cpage=2#respond"' in html


def test_page_one_is_the_default_and_out_of_range_pages_are_clamped(client, panel, threads):
    threads(120, replies=False)
    first = bodies(client.get(panel_url(panel)).get_data(as_text=True))
    assert first == [f"Thread {n}" for n in range(1, 51)]
    for junk in ("0", "-3", "abc"):
        assert bodies(client.get(panel_url(panel) + f"?cpage={junk}").get_data(as_text=True)) == first
    # Past the end → the last page (WordPress themes do this; core shows an empty list).
    last = client.get(panel_url(panel) + "?cpage=99").get_data(as_text=True)
    assert bodies(last) == [f"Thread {n}" for n in range(101, 121)]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>3<' in last
    assert 'rel="next"' not in last


def test_a_short_discussion_has_no_page_navigation(client, panel, threads):
    threads(3)
    html = client.get(panel_url(panel)).get_data(as_text=True)
    assert len(bodies(html)) == 9 and "comments-pagination" not in html


def test_per_page_zero_shows_every_thread(app, client, panel, threads):
    app.config["COMMENTS_PER_PAGE"] = 0
    threads(60, replies=False)
    html = client.get(panel_url(panel) + "?cpage=2").get_data(as_text=True)
    assert len(bodies(html)) == 60 and "comments-pagination" not in html


def test_newest_threads_first_keeps_replies_oldest_first(app, client, panel, threads):
    app.config.update(COMMENT_ORDER="newest", COMMENTS_PER_PAGE=2)
    made = threads(5)
    html = client.get(panel_url(panel)).get_data(as_text=True)
    assert bodies(html) == ["Thread 5", "Reply to 5", "Reply to reply 5", "Thread 4", "Reply to 4", "Reply to reply 4"]
    assert f'rel="next" href="{panel_url(panel)}?cpage=2#comments">Older comments →</a>' in html
    last = client.get(panel_url(panel) + "?cpage=3").get_data(as_text=True)
    assert bodies(last) == ["Thread 1", "Reply to 1", "Reply to reply 1"]
    assert 'rel="prev" href="' + panel_url(panel) + '?cpage=2#comments">← Newer comments</a>' in last
    # The oldest thread is on the last page.
    oldest = made[0].id
    assert client.get(f"/comments/{oldest}/").headers["Location"].endswith(f"?cpage=3#comment-{oldest}")


def test_permalink_redirects_to_the_page_of_the_comment(client, panel, threads):
    made = threads(150)
    reply = made[129].replies[0].replies[0]  # "Reply to reply 130": thread 130 is on page 3
    response = client.get(f"/comments/{reply.id}/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{panel_url(panel)}?cpage=3#comment-{reply.id}"
    assert "no-cache" in response.headers["Cache-Control"]
    # Page 1 needs no ?cpage=.
    assert client.get(f"/comments/{made[0].id}/").headers["Location"] == f"{panel_url(panel)}#comment-{made[0].id}"
    # And the page it names shows the comment.
    page = client.get(f"{panel_url(panel)}?cpage=3").get_data(as_text=True)
    assert f'id="comment-{reply.id}"' in page
    # Every link to a single comment uses it: the date link in the thread, mails.
    assert f'<a class="comment-permalink" href="/comments/{reply.id}/">' in page
    assert comment_url(reply) == f"http://localhost/comments/{reply.id}/"


def test_feed_entries_link_to_permalinks_and_keep_their_ids(client, panel, threads):
    made = threads(1, replies=False)
    feed = client.get(panel_url(panel) + "comments.atom").get_data(as_text=True)
    assert f'href="http://localhost/comments/{made[0].id}/"' in feed
    assert f"<id>http://localhost{panel_url(panel)}#comment-{made[0].id}</id>" in feed


def test_permalinks_of_comments_others_may_not_see_are_404(app, client, panel, make_panel, post_form, threads):
    threads(60, replies=False)
    post_form(client, panel, body="Held for now.")  # a first comment from Anne is held
    held = db.session.scalars(sa.select(Comment).where(Comment.body_source == "Held for now.")).one()
    assert held.status is CommentStatus.PENDING
    # Its author (signed cookie) is taken to it: the last page, where new threads go.
    response = client.get(f"/comments/{held.id}/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"?cpage=2#comment-{held.id}")
    assert "Held for now." in client.get(response.headers["Location"]).get_data(as_text=True)
    # Nobody else.
    assert app.test_client().get(f"/comments/{held.id}/").status_code == 404
    spam = _comment(panel, "Buy now", START, status=CommentStatus.SPAM)
    draft = make_panel(title="A draft", status=PanelStatus.DRAFT)
    hidden = _comment(draft, "On a draft", START)
    db.session.commit()
    for comment_id in (spam.id, hidden.id, 999_999):
        assert client.get(f"/comments/{comment_id}/").status_code == 404


def test_a_new_thread_posted_without_javascript_lands_on_its_page(client, panel, post_form, threads, approved_comment):
    threads(60, replies=False)
    approved_comment(email="anne@example.com")  # Anne is trusted: approved at once
    response = post_form(client, panel, body="The newest thread.")
    comment = db.session.scalars(sa.select(Comment).where(Comment.body_source == "The newest thread.")).one()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{panel_url(panel)}?cpage=2#comment-{comment.id}")
    json = post_form(client, panel, body="Another one.", json=True).get_json()
    assert json["page"] == 2 and json["url"].endswith(f"?cpage=2#comment-{json['id']}")


def test_answering_a_comment_on_a_later_page_without_javascript(client, panel, post_form, threads):
    made = threads(60, replies=False)
    target = made[55]
    # An old ?replytocom= link without ?cpage= still finds the comment's page.
    html = client.get(panel_url(panel) + f"?replytocom={target.id}").get_data(as_text=True)
    assert "Leave a Reply to" in html and f'name="parent_id" type="hidden" value="{target.id}"' in html
    assert "Thread 56" in bodies(html)


def test_query_count_does_not_grow_with_the_discussion(app, client, panel, make_panel, threads):
    big = make_panel(title="A busy panel")
    threads(4, replies=True)  # 12 comments
    threads(334, target=big)  # 1,002 comments
    statements = []

    def count(*args):
        statements.append(args[2])

    for target in (panel, big):
        client.get(panel_url(target))  # warm up
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = []
        for target in (panel, big, big):
            statements.clear()
            url = panel_url(target) + ("?cpage=5" if len(counts) == 2 else "")
            assert client.get(url).status_code == 200
            counts.append(len(statements))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] == counts[2], counts


def test_cached_comments_change_when_the_comment_does(app, client, panel, threads):
    made = threads(1, replies=False)
    assert "Thread 1" in client.get(panel_url(panel)).get_data(as_text=True)
    comment = made[0]
    comment.body_html = render_comment("Edited words")
    comment.edited_at = START + timedelta(days=1)
    db.session.commit()
    html = client.get(panel_url(panel)).get_data(as_text=True)
    assert "Edited words" in html and "(edited)" in html
    panel.comments_open = False
    db.session.commit()
    assert "comment-reply-link" not in client.get(panel_url(panel)).get_data(as_text=True)


def test_replies_know_their_thread(app_ctx, panel, threads):
    [root] = threads(1)
    reply = root.replies[0]
    assert root.thread_id is None and root.thread_key == root.id
    assert reply.thread_id == root.id and reply.replies[0].thread_id == root.id
    # Given only parent_id, as a form would.
    late = Comment(
        panel_id=panel.id, parent_id=reply.id, depth=3, author_name="A", author_email="a@example.com",
        body_source="x", body_html="x", status=CommentStatus.APPROVED,
    )  # fmt: skip
    db.session.add(late)
    db.session.commit()
    assert late.thread_id == root.id


@pytest.mark.parametrize(
    ("requested", "threads", "per_page", "page", "pages"),
    [(None, 0, 50, 1, 1), (2, 120, 50, 2, 3), (9, 120, 50, 3, 3), (-1, 120, 50, 1, 3), (3, 120, 0, 1, 1)],
)
def test_paging_arithmetic(requested, threads, per_page, page, pages):
    result = paging(requested, threads, per_page)
    assert (result.page, result.pages) == (page, pages)


def test_page_numbers_leave_gaps_like_wordpress():
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]
