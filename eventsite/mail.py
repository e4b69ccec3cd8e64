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
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

log = logging.getLogger("eventsite.mail")


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
    message.set_content(body)
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
    if not current_app.config.get("MAIL_QUEUE"):
        return send_mail(to, subject, body, headers)
    # imported here: the jobs package imports the feature areas that call us
    from .jobs.mail_jobs import deliver_mail

    deliver_mail(to, subject, body, dict(headers or {}))
    return True


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
