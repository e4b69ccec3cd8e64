"""Errors raised by the transcoding layer.

Every error carries ``message``, a sentence an organiser can read in the studio,
and ``detail``, the technical tail (usually ffmpeg's last stderr lines) kept for
whoever debugs the job. The job layer stores both on the ``RecordingJob`` row.
"""

from __future__ import annotations


class TranscodeError(Exception):
    """Converting a recording failed.

    :param message: plain words for organisers, e.g. "This file has no video or
        audio we can read."
    :param detail: technical detail (stderr tail), never shown to visitors.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ProbeError(TranscodeError):
    """The upload is not something we can (or will) convert."""


class TranscodeTimeout(TranscodeError):
    """ffmpeg ran past its wall-clock limit and was killed."""


class TranscodeCancelled(TranscodeError):
    """Someone cancelled the job; ffmpeg was killed and nothing was published."""
