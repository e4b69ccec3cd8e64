"""Pages of a discussion, as WordPress makes them: whole top-level threads per page.

Plain arithmetic over counts, so it can be tested without a database. Page 1
is where a visitor lands: the oldest threads when the order is "oldest" (the
default), the newest when it is "newest". A page number past the end shows
the last page, so an old link still lands somewhere sensible after comments
were removed (WordPress core shows an empty list there; its themes clamp).
"""

from __future__ import annotations

from dataclasses import dataclass

OLDEST = "oldest"
NEWEST = "newest"


@dataclass(frozen=True)
class Paging:
    """Where a page sits among the discussion's pages."""

    page: int
    pages: int
    #: Threads per page; 0 means one page with every thread.
    per_page: int
    order: str
    #: Visible top-level threads on every page together.
    threads: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def is_paged(self) -> bool:
        return self.pages > 1

    @property
    def previous_label(self) -> str:
        """What the link to page − 1 leads to."""
        return "Newer comments" if self.order == NEWEST else "Older comments"

    @property
    def next_label(self) -> str:
        """What the link to page + 1 leads to."""
        return "Older comments" if self.order == NEWEST else "Newer comments"


def paging(requested: int | None, threads: int, per_page: int, order: str = OLDEST) -> Paging:
    """The page to show for a requested number (None, 0 or less → 1; past the end → last)."""
    pages = max(1, -(-threads // per_page)) if per_page > 0 else 1
    page = min(max(requested or 1, 1), pages)
    return Paging(page=page, pages=pages, per_page=per_page, order=order, threads=threads)


def page_of_position(position: int, per_page: int) -> int:
    """The page holding the thread with ``position`` threads before it (in page order)."""
    return position // per_page + 1 if per_page > 0 else 1


def page_numbers(page: int, pages: int, around: int = 2, ends: int = 1) -> list[int | None]:
    """Page numbers to link, with None where a gap is shown ("1 … 4 5 6 7 8 … 20").

    Like WordPress's ``paginate_links``: ``ends`` pages at each end and
    ``around`` on each side of the current one; a gap of one page is shown
    as that page rather than as "…".
    """
    shown = {n for n in range(1, pages + 1) if n <= ends or n > pages - ends or abs(n - page) <= around}
    numbers: list[int | None] = []
    previous = 0
    for n in sorted(shown):
        if n - previous == 2:
            numbers.append(n - 1)
        elif n - previous > 2:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers
