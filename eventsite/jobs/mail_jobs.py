"""E-mail sent by a worker, so a slow or unreachable SMTP server never holds up a request.

The request renders the whole message (subject, body, headers with their
links) and ``mail.queue_mail`` announces it (``signals.mail_ready``);
:mod:`.enqueue` listens and queues those strings; the task only delivers them. When the SMTP
server cannot take a message the task fails and huey tries again later;
``send_mail`` has logged the full message each time, so nothing is lost even
after the last retry.
"""

from __future__ import annotations

from ..extensions import queue
from ..mail import send_mail
from . import runtime

#: a mail server that is down for a few minutes gets three more chances
RETRIES = 3
RETRY_DELAY_SECONDS = 120


class MailNotDelivered(Exception):
    """The SMTP server did not take the message; huey retries the task."""


@queue.task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def deliver_mail(to: str, subject: str, body: str, headers: dict[str, str]) -> None:
    """Send one prepared message from a worker.

    :raise MailNotDelivered: so the queue retries; the message is in the error log.
    """
    with runtime.app.app_context():
        if not send_mail(to, subject, body, headers):
            raise MailNotDelivered(f"The mail server did not take the message “{subject}”.")
