"""Failed sign-ins (and password-reset mails) counted per account, beside the per-address limit.

The per-address limit alone lets someone with many addresses (a botnet, a
cloud account) guess one organiser's password without end. Failures are
counted per e-mail address as typed (normalised), whether or not an account
has it, so the answer never tells which addresses are organisers. The counter
lives in Flask-Limiter's storage, so with ``RATELIMIT_STORAGE_URI=redis://…``
every web node sees the same count. Its key holds a hash, not the address.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from ..extensions import limiter
from .operations import normalise_email


def _item() -> RateLimitItem:
    return parse(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def _key(email: str) -> str:
    return "login-account:" + hashlib.sha256(normalise_email(email).encode()).hexdigest()


def minutes_blocked(email: str) -> int:
    """Whole minutes until ``email`` may try again; 0 when it may try now."""
    item = _item()
    if limiter.limiter.test(item, _key(email)):
        return 0
    reset_at = limiter.limiter.get_window_stats(item, _key(email)).reset_time
    return max(1, math.ceil((reset_at - time.time()) / 60))


def record_failure(email: str) -> None:
    """Count one wrong password (or unknown address) against ``email``."""
    limiter.limiter.hit(_item(), _key(email))


def blocked_message(minutes: int) -> str:
    """The plain answer once an account has had too many failures."""
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts for this account; try again in {minutes} {unit}."


def _reset_item() -> RateLimitItem:
    return parse(current_app.config["PASSWORD_RESET_ACCOUNT_RATE_LIMIT"])


def reset_mail_allowed(email: str) -> bool:
    """Count one "forgot your password?" request for ``email``; False once it has had its share.

    Counted for any address typed, like sign-in failures; over the limit the
    page answers exactly as before, but no more mail is sent, so nobody can
    use the form to flood an organiser's inbox.
    """
    key = "password-reset:" + hashlib.sha256(normalise_email(email).encode()).hexdigest()
    return limiter.limiter.hit(_reset_item(), key)
