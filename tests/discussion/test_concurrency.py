"""No comment is lost when many processes post at once to one SQLite file."""

import multiprocessing

import sqlalchemy as sa

from eventsite import create_app
from eventsite.config import TestingConfig
from eventsite.extensions import db

PROCESSES = 8
PER_PROCESS = 50


def make_app(url: str):
    return create_app(
        {"DATABASE_URL": url, "COMMENT_RATE_LIMIT": "100000 per minute", "COMMENT_HOLD_FIRST": True},
        config_class=TestingConfig,
    )


def post_many(url: str, panel_id: int, worker: int, barrier, results) -> None:
    """One process: its own app on the shared file, then 50 posts through the real operation."""
    from eventsite.discussion.operations import post_comment
    from eventsite.discussion.rules import Submission
    from eventsite.events.models import Panel

    app = make_app(url)
    errors = []
    with app.app_context():
        panel = db.session.get(Panel, panel_id)
        barrier.wait()
        for n in range(PER_PROCESS):
            sub = Submission(
                name=f"Worker {worker}",
                email=f"worker{worker}@example.com",
                body=f"Comment {n} from worker {worker}",
                form_age=60.0,
            )
            try:
                post_comment(panel, sub, f"10.0.{worker}.1")
            except Exception as exc:  # noqa: BLE001  (reported to the parent, not swallowed)
                errors.append(repr(exc))
    results.put((worker, errors))


def test_eight_processes_post_fifty_comments_each(tmp_path):
    from eventsite.discussion.models import Comment
    from eventsite.events.models import Event, Panel, PanelStatus

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    app = make_app(url)
    with app.app_context():
        db.create_all()
        event = Event(slug="e", name="E")
        panel = Panel(event=event, slug="p", title="P", status=PanelStatus.PUBLISHED)
        db.session.add_all([event, panel])
        db.session.commit()
        panel_id = panel.id
        db.engine.dispose()

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(target=post_many, args=(url, panel_id, worker, barrier, results)) for worker in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = dict(results.get(timeout=240) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert {worker: errors for worker, errors in reports.items() if errors} == {}
    with app.app_context():
        counts = db.session.execute(
            sa.select(Comment.author_email, sa.func.count(Comment.id)).group_by(Comment.author_email)
        ).all()
        assert sum(n for _email, n in counts) == PROCESSES * PER_PROCESS
        assert all(n == PER_PROCESS for _email, n in counts)
