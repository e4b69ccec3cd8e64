"""The posting rules, as plain functions over plain data.

:func:`judge` decides what happens to a new comment from facts the caller
has already looked up, so every rule can be tested without a request or a
database. The order follows WordPress: closed → bot → too long → flood →
duplicate → verified panelist (approved) → blocked (spam) → moderation
(held) → approved.

Trust comes from proof, never from what was typed: an address counts as
"previously approved" only when the browser proved it owns the address
(``Facts.confirmed``), and the "Panelist" badge only from a browser a
panelist's magic link signed in (``Submission.panelist_id``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from limits import parse as parse_rate

from ..refusals import Refused
from .markup import count_links


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    SPAM = "spam"
    #: A bot: say "thanks" and store nothing.
    DISCARD = "discard"


class CommentRefused(Refused):
    """A comment that is not accepted, with words for the visitor and an HTTP status."""


@dataclass(frozen=True)
class Policy:
    """The organisers' settings, read once from the app config."""

    max_depth: int = 5
    max_length: int = 5000
    max_links: int = 2
    hold_first: bool = True
    moderation_words: tuple[str, ...] = ()
    block_words: tuple[str, ...] = ()
    min_submit_seconds: float = 3
    #: a form shown longer ago than this is refused (0: no limit)
    max_form_seconds: float = 24 * 3600
    rate_count: int = 5
    rate_seconds: int = 60
    close_after_days: int = 0
    edit_minutes: int = 15
    #: Top-level threads per page of the discussion; 0 shows every thread on one page.
    per_page: int = 50
    #: "oldest" or "newest" thread first; replies are always oldest first.
    order: str = "oldest"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        rate = parse_rate(str(config.get("COMMENT_RATE_LIMIT") or "5 per minute"))
        return cls(
            max_depth=max(1, int(config["COMMENT_MAX_DEPTH"])),
            max_length=int(config["COMMENT_MAX_LENGTH"]),
            max_links=int(config["COMMENT_MAX_LINKS"]),
            hold_first=bool(config["COMMENT_HOLD_FIRST"]),
            moderation_words=word_list(config.get("COMMENT_MODERATION_WORDS")),
            block_words=word_list(config.get("COMMENT_BLOCK_WORDS")),
            min_submit_seconds=float(config["COMMENT_MIN_SUBMIT_SECONDS"]),
            max_form_seconds=float(config["COMMENT_FORM_MAX_AGE"]),
            rate_count=rate.amount,
            rate_seconds=rate.get_expiry(),
            close_after_days=int(config["COMMENT_CLOSE_AFTER_DAYS"]),
            edit_minutes=int(config["COMMENT_EDIT_MINUTES"]),
            per_page=max(0, int(config["COMMENTS_PER_PAGE"])),
            order="newest" if str(config["COMMENT_ORDER"]).strip().lower() == "newest" else "oldest",
        )


def word_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Words from a list, or from a string separated by commas or new lines."""
    if not value:
        return ()
    items = re.split(r"[,\n]", value) if isinstance(value, str) else value
    return tuple(word.strip().lower() for word in items if word and word.strip())


@dataclass
class Submission:
    """What a visitor sent, already trimmed by the form."""

    name: str
    email: str
    body: str
    website: str = ""
    parent_id: int | None = None
    video_time: float | None = None
    notify: bool = False
    #: Seconds since the form was shown (None: token missing or forged).
    form_age: float | None = None
    #: The hidden field only bots fill in.
    honeypot: str = ""
    #: Set by the view when this browser holds a grant for a panelist seated
    #: on the panel: the comment is theirs, published with the badge.
    panelist_id: int | None = None
    #: Set by the view when this browser's signed cookie names the address
    #: (it followed a confirmation link for it). Checked against the
    #: database in :func:`queries.sender_facts`.
    proven: bool = False


@dataclass
class Facts:
    """What the database says about this sender, looked up by the caller."""

    recent_from_ip: int = 0
    duplicate: bool = False
    #: The address was confirmed and this browser proved it owns it.
    confirmed: bool = False
    #: The address has an approved comment (counts only when ``confirmed``).
    trusted_email: bool = False
    blocked: bool = False
    reasons: list[str] = field(default_factory=list)


def comments_closed(comments_open: bool, published_at: datetime | None, now: datetime, policy: Policy) -> bool:
    """True when a panel takes no more comments (closed by hand, or by age)."""
    if not comments_open:
        return True
    if policy.close_after_days and published_at is not None:
        return now - published_at > timedelta(days=policy.close_after_days)
    return False


FORM_TOO_OLD = (
    "This form is too old, please reload the page. Your comment is still in the form: post it again to send it."
)


def check_form_age(sub: Submission, policy: Policy) -> None:
    """:raise CommentRefused: the form was shown longer ago than the policy allows.

    A signed form time never expired, so one harvested token "aged" for a
    week passed the too-fast check for every bot that reused it.
    """
    if policy.max_form_seconds and sub.form_age is not None and sub.form_age > policy.max_form_seconds:
        raise CommentRefused(FORM_TOO_OLD, 400)


def looks_like_bot(sub: Submission, policy: Policy) -> bool:
    """Honeypot filled, or the form came back faster than a person types."""
    if sub.honeypot.strip():
        return True
    return sub.form_age is None or sub.form_age < policy.min_submit_seconds


def matching_words(sub: Submission, words: Iterable[str]) -> list[str]:
    """The listed words found in the comment, name, e-mail or website (case-insensitive)."""
    haystack = "\n".join([sub.body, sub.name, sub.email, sub.website]).lower()
    return [word for word in words if word in haystack]


def check_length(sub: Submission, policy: Policy) -> None:
    """:raise CommentRefused: empty or longer than the limit."""
    if not sub.body.strip():
        raise CommentRefused("Please write a comment.")
    if len(sub.body) > policy.max_length:
        raise CommentRefused(
            f"Your comment is {len(sub.body):,} characters long; the limit is {policy.max_length:,}. Please shorten it."
        )


def judge(sub: Submission, facts: Facts, policy: Policy) -> Verdict:
    """Decide what to do with a visitor's comment.

    :raise CommentRefused: too long, too many comments from this address, or a
        duplicate; the visitor sees the message and can fix it.
    """
    check_form_age(sub, policy)
    if looks_like_bot(sub, policy):
        return Verdict.DISCARD
    check_length(sub, policy)
    if facts.recent_from_ip >= policy.rate_count:
        raise CommentRefused(
            "You're commenting faster than we allow. Please wait a minute and try again; "
            "your text is still in the form.",
            429,
        )
    if facts.duplicate:
        raise CommentRefused("Looks like you already said that.", 409)
    if sub.panelist_id is not None:
        return Verdict.APPROVE
    if facts.blocked or matching_words(sub, policy.block_words):
        return Verdict.SPAM
    return moderation_verdict(sub, facts, policy)


def moderation_verdict(sub: Submission, facts: Facts, policy: Policy) -> Verdict:
    """Hold or approve a comment that passed the spam checks (also used after edits)."""
    if matching_words(sub, policy.moderation_words):
        facts.reasons.append("moderation word")
    if policy.max_links and count_links(sub.body) >= policy.max_links:
        facts.reasons.append("links")
    if not facts.confirmed:
        # Whatever the address: anyone can type anne@example.com.
        facts.reasons.append("unconfirmed address")
    elif policy.hold_first and not facts.trusted_email:
        facts.reasons.append("first comment")
    return Verdict.HOLD if facts.reasons else Verdict.APPROVE
