"""Refusals of line-based organiser input (caption files, pasted chapters)."""

from __future__ import annotations


class LineError(Exception):
    """Input we refuse, naming the line that made us refuse it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.message = f"Line {line}: {message}" if line else message
        super().__init__(self.message)
