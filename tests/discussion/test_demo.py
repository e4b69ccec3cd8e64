"""The seed page's thread in the demo content."""

import sqlalchemy as sa

from eventsite.demo import demo_panel, seed_demo, seed_demo_thread
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.extensions import db


def test_seed_demo_adds_the_thread_once(app, app_ctx, client):
    assert seed_demo() is True
    assert seed_demo() is False
    assert seed_demo_thread(demo_panel()) is True
    assert seed_demo_thread(demo_panel()) is False
    comments = db.session.scalars(sa.select(Comment).order_by(Comment.created_at)).all()
    assert [c.author_name for c in comments] == ["Anne", "Gemma Went", "Rich", "Gemma Went"]
    anne, gemma_to_anne, rich, gemma_to_rich = comments
    assert gemma_to_anne.parent_id == anne.id and gemma_to_rich.parent_id == rich.id
    assert gemma_to_anne.body_source.startswith("Thanks Anne, and I agree")
    assert gemma_to_rich.body_source.startswith("Interesting thoughts Rich")
    assert {c.badge for c in (gemma_to_anne, gemma_to_rich)} == {"Panelist"}
    assert {c.status for c in comments} == {CommentStatus.APPROVED}
    page = client.get("/events/social-media-week/what-is-social-influence/").get_data(as_text=True)
    assert ">4 responses</span>" in page and page.count('<span class="badge badge-panelist">Panelist</span>') == 2
    # Anne and Rich confirmed their addresses; Gemma answers as the verified panelist.
    assert all(c.confirmed for c in comments)
    assert gemma_to_anne.panelist_id is not None and "avatar avatar-panelist" in page


def test_seed_demo_adds_the_thread_to_an_older_demo_install(app, app_ctx):
    seed_demo()
    seed_demo_thread(demo_panel())
    db.session.execute(sa.delete(Comment).where(Comment.parent_id.is_not(None)))
    db.session.execute(sa.delete(Comment))
    db.session.commit()
    assert seed_demo_thread(demo_panel()) is True
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 4
