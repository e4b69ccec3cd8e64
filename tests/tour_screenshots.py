"""Screenshots for the README's tour (docs/tour/*.png), taken from the test fixtures' panel:
run ``.venv/bin/python -m pytest tests/tour_screenshots.py -p no:cacheprovider`` after a change
to the pages they show. Not part of the suite (the file name does not start with ``test_``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events.models import Consent, SeatRole
from eventsite.extensions import db
from tests.browser_steps import sign_in
from tests.ready_panel import panel_path, wait_for_player

pytestmark = pytest.mark.browser

TOUR = Path(__file__).resolve().parent.parent / "docs" / "tour"


def save_small(page, name: str) -> None:
    """The first screen, in 256 colours: small enough to keep in git."""
    path = TOUR / f"{name}.png"
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.fixture
def tour_panel(ready_panel, make_panelist, make_organiser):
    ready_panel.abstract = "How a few voices shape what a crowd believes, and how to be one of them."
    ready_panel.credits = "Hosted by Likeminds\nVideo by Brass"
    ready_panel.venue = "Sala 2, Casa da Música"
    make_panelist("Azeem Azhar", panel=ready_panel, role=SeatRole.MODERATOR, position=1, consent=Consent.VIDEO,
                  headline="Founder, Exponential View")  # fmt: skip
    make_panelist("Gemma Went", panel=ready_panel, position=2, consent=Consent.CARTOON, headline="Growth coach")
    for n, (name, body) in enumerate([("Ana", "At 0:03 the point about trust landed."), ("Bo", "Slides anywhere?")]):
        db.session.add(
            Comment(panel_id=ready_panel.id, depth=1, author_name=name, author_email=f"{name.lower()}@example.com",
                    body_source=body, body_html=render_comment(body), status=CommentStatus.PENDING)
        )  # fmt: skip
    db.session.commit()
    make_organiser()
    return ready_panel


def test_watch_page(browser, live_server, tour_panel):
    for name, size in [
        ("watch-desktop", {"width": 1280, "height": 800}),
        ("watch-phone", {"width": 390, "height": 844}),
    ]:
        extra = {"has_touch": True, "is_mobile": True} if size["width"] < 500 else {}
        context = browser.new_context(base_url=live_server, viewport=size, **extra)
        page = context.new_page()
        page.goto(panel_path(tour_panel))
        wait_for_player(page)
        save_small(page, name)
        context.close()


def test_studio_panel_and_moderation_queue(page, tour_panel):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page)
    page.goto(f"/studio/panels/{tour_panel.id}/")
    save_small(page, "studio-panel")
    page.goto("/studio/comments/")
    save_small(page, "moderation-queue")
