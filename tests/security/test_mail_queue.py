"""A slow mail server never delays a comment: mail goes through the job queue."""

from __future__ import annotations

import asyncio
import email
import time
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from eventsite.extensions import queue
from eventsite.jobs.mail_jobs import deliver_mail
from tests.conftest import csrf_token
from tests.discussion.conftest import free_port, human_started, panel_url

SMTP_DELAY = 3.0


class SlowInbox:
    """An SMTP server that takes three seconds to accept each message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        await asyncio.sleep(SMTP_DELAY)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


@pytest.fixture
def slow_inbox(app):
    handler = SlowInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=10,
        MAIL_QUEUE=True,
        COMMENT_RATE_LIMIT="1000 per minute",
    )
    yield handler
    controller.stop()


def run_mail_tasks() -> int:
    """What a worker does: take the queued tasks and run them."""
    ran = 0
    while (task := queue.dequeue()) is not None:
        assert task.name.endswith("deliver_mail"), task.name
        queue.execute(task)
        ran += 1
    return ran


def test_a_comment_returns_before_a_slow_smtp_server_answers(app, client, make_panel, slow_inbox):
    panel = make_panel()
    page = client.get(panel_url(panel))
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "started": human_started(app, client=client),
        "name": "Anne",
        "email": "anne@example.com",
        "website": "",
        "body": "Influence is about trust.",
        "parent_id": "",
        "video_time": "",
        "company": "",
    }
    started = time.monotonic()
    response = client.post(panel_url(panel) + "comments", data=data)
    took = time.monotonic() - started
    assert response.status_code in (200, 302, 303)
    assert took < 1.5, f"the comment waited {took:.1f} s for the mail server"
    assert slow_inbox.messages == []  # not sent during the request...

    assert run_mail_tasks() == 1  # ...but by the worker
    (message,) = slow_inbox.messages
    assert message["To"] == "anne@example.com"
    assert "Please confirm your comment" in message["Subject"]


def test_mail_the_server_refused_is_retried_later(app, app_ctx, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", MAIL_QUEUE=True)
    deliver_mail("someone@example.com", "Hello", "Keep me", {})
    task = queue.dequeue()
    queue.execute(task)
    # nobody listens on that port: the whole message is logged and a retry is scheduled
    assert "Keep me" in caplog.text
    assert len(queue.scheduled()) == 1
