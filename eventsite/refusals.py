"""One base for "we will not do that": a sentence for the person and the HTTP status.

Operations raise a subclass named for what was refused (``ClipRefused``,
``CommentRefused``, ``LinkRefused``…); views answer with ``refusal.message``
and ``refusal.status``. ``str(refusal)`` is the sentence too. No Flask here,
so pure rule modules can raise them.
"""

from __future__ import annotations


class Refused(Exception):
    """A request that cannot be done, in plain words, with the HTTP status to answer with."""

    #: The status a subclass answers with unless the raise says otherwise.
    status: int = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
