"""The end card's link: broken only at its own boundaries (/ . ? & = -), never mid-word,
never shortened, inside the card at every shape and size; and the draft note."""

from __future__ import annotations

import pytest
from PIL import ImageDraw

from eventsite.clips import cards
from eventsite.clips.layout import plan_layout
from eventsite.clips.models import ClipShape

LONG_URL = "https://events.example.org/events/social-media-week-2026/what-is-social-influence-and-who-has-it/?t=1m02s"
SHORT_URL = "http://localhost/events/smw/influence/?t=1s"


def link_lines(laid) -> list[tuple[str, object]]:
    return [(text, face) for text, face, colour, _h in laid if colour == cards.ACCENT]


@pytest.mark.parametrize("short_side", [240, 720])
@pytest.mark.parametrize("shape", list(ClipShape))
@pytest.mark.parametrize("url", [LONG_URL, SHORT_URL])
def test_the_link_breaks_only_at_its_boundaries_and_fits(shape, short_side, url):
    layout = plan_layout(shape, short_side, 640, 360)
    laid, _size = cards.end_card_lines(layout, "What is social influence?", "Social Media Week", url)
    lines = link_lines(laid)
    assert "".join(text for text, _ in lines) == url  # whole: nothing cut, no ellipsis
    for text, _face in lines[:-1]:
        assert text[-1] in "/.?&=-", f"broken mid-word after {text!r}"
    width = cards._card_inner(layout).w
    draw = ImageDraw.Draw(cards.Image.new("RGB", (1, 1)))
    assert all(draw.textlength(text, font=face) <= width for text, face in lines)


def test_the_drawn_card_keeps_the_link_inside_its_margins():
    layout = plan_layout(ClipShape.VERTICAL, 240, 640, 360)
    image = cards.end_card(layout, "What is social influence?", "Social Media Week", LONG_URL, "eventsite")
    # the link is the only warm yellow on the card: where its pixels are
    pixels = image.load()
    xs = [
        x
        for x in range(layout.width)
        for y in range(layout.height)
        if pixels[x, y][0] > 200 and pixels[x, y][1] > 150 and pixels[x, y][2] < 140
    ]
    inner = cards._card_inner(layout)
    assert xs and min(xs) >= inner.x - 1 and max(xs) <= inner.x + inner.w + 1


def test_a_draft_clip_says_so_on_its_end_card():
    layout = plan_layout(ClipShape.SQUARE, 240, 640, 360)
    laid, _ = cards.end_card_lines(layout, "What is social influence?", "Social Media Week", SHORT_URL, draft=True)
    assert " ".join(text for text, *_ in laid).endswith(cards.DRAFT_NOTE)
    laid, _ = cards.end_card_lines(layout, "What is social influence?", "Social Media Week", SHORT_URL)
    assert cards.DRAFT_NOTE not in " ".join(text for text, *_ in laid)
