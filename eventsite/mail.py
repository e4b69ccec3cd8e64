"""Outgoing e-mail: SMTP when configured, otherwise written to the log.

Nothing is dropped silently: without ``SMTP_HOST`` each message is logged in
full (so a developer can follow the links in it), and when the SMTP server
refuses or cannot be reached the whole message is logged as an error, so an
operator can still deliver it by hand.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from . import signals

log = logging.getLogger("eventsite.mail")

#: RFC 5322's line limit (998), not the default's 78: folding a header word longer than 78
#: (a List-Unsubscribe URL with its token) makes it an RFC 2047 encoded-word, which mail
#: clients do not decode in List-Unsubscribe, so one-click unsubscribe broke.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def normalise_email(email: str | None) -> str:
    """An address as stored and compared everywhere (accounts, commenters, subscribers):
    trimmed and lower-cased."""
    return (email or "").strip().lower()


def build_message(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text message from ``MAIL_FROM`` with a date and a message id."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="eventsite")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)  # under the default policy, which keeps a plain body readable (not base64)
    message.policy = MAIL_POLICY  # the headers are written out under this one
    return message


def send_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> bool:
    """Send one message; True when handed to SMTP (or logged, when SMTP is off).

    Returns False when the SMTP server could not take it; the message is then
    in the error log rather than lost. Never raises for delivery problems,
    because a failed notification must not undo the comment that caused it.
    """
    try:
        message = build_message(to, subject, body, headers)
    except ValueError as exc:  # e.g. a line break smuggled into a header
        log.error("Could not build e-mail to %s (%s); subject %r, body:\n%s", to, exc, subject, body)
        return False
    config = current_app.config
    if not config.get("SMTP_HOST"):
        log.info("E-mail (SMTP_HOST not set, not sent):\n%s", message.as_string())
        return True
    try:
        _deliver(message, config)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("Could not send e-mail to %s (%s); the message was:\n%s", to, exc, message.as_string())
        return False
    log.info("E-mail sent to %s: %s", to, subject)
    return True


def queue_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> bool:
    """Hand one prepared message to a worker (``MAIL_QUEUE``), else send it now.

    Called during requests: a comment, a sign-up or a moderation click must
    not wait for an SMTP server (up to ``SMTP_TIMEOUT`` when it is slow).
    Returns True once the message is queued, or what :func:`send_mail` says.
    """
    if current_app.config.get("MAIL_QUEUE"):
        # The jobs package listens and queues it (mail sits below the jobs, so it only announces).
        answers = signals.mail_ready.send(
            current_app._get_current_object(), to=to, subject=subject, body=body, headers=dict(headers or {})
        )
        if any(queued for _listener, queued in answers):
            return True
    return send_mail(to, subject, body, headers)


def _deliver(message: EmailMessage, config) -> None:
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), int(config["SMTP_TIMEOUT"])
    security = (config.get("SMTP_SECURITY") or "none").lower()
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)
