"""Parts of the watch page in Chromium at desktop and phone sizes (axe on each): a long
transcript's box says it scrolls, the search and clip fields are styled, the comment form's ticks sit
beside their words under one "Discussion" heading, and the reply form opens after a thread."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite.discussion.markup import render_comment
from eventsite.discussion.models import Comment, CommentStatus
from eventsite.extensions import db
from eventsite.recordings.captions import save_caption
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for_player

pytestmark = pytest.mark.browser

SIZES = [(1280, 800), (390, 844)]


def long_srt(lines: int = 30) -> bytes:
    """``lines`` cues of a fifth of a second each, inside the 6 s clip."""
    cues = []
    for n in range(lines):
        start, end = n * 0.2, n * 0.2 + 0.2
        stamp = lambda s: f"00:00:{int(s):02d},{int(round(s % 1 * 1000)):03d}"  # noqa: E731
        cues.append(f"{n + 1}\n{stamp(start)} --> {stamp(end)}\nLine {n + 1} of the talk.\n")
    return "\n".join(cues).encode()


def approved(panel, name: str, body: str, parent=None) -> Comment:
    comment = Comment(
        panel_id=panel.id, parent=parent, depth=2 if parent else 1, author_name=name,
        author_email=f"{name.lower()}@example.com", body_source=body, body_html=render_comment(body),
        status=CommentStatus.APPROVED,
    )  # fmt: skip
    db.session.add(comment)
    return comment


@pytest.fixture
def talk(ready_panel):
    """The ready panel with a 30-line transcript and a comment that has a reply."""
    save_caption(ready_panel.recordings[0], "en", "English", long_srt())
    first = approved(ready_panel, "Ana", "First!")
    db.session.flush()
    db.session.add(approved(ready_panel, "Bo", "Agreed.", parent=first))
    db.session.commit()
    return ready_panel, first


@pytest.mark.parametrize("size", SIZES, ids=["desktop", "phone"])
def test_a_long_transcript_says_that_it_scrolls(page, talk, size):
    panel, _ = talk
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(panel_path(panel))
    wait_for_player(page)
    box = page.locator("[data-transcript]")
    assert page.evaluate("b => b.scrollHeight > b.clientHeight", box.element_handle())  # it does scroll
    expect(page.locator("#transcript-scrolls")).to_have_text(
        "30 lines: scroll inside the box for the rest of the talk, or search it."
    )
    assert page.evaluate("b => getComputedStyle(b).borderTopStyle", box.element_handle()) == "solid"
    search = page.get_by_label("Search the transcript")
    assert page.evaluate("s => getComputedStyle(s).borderTopLeftRadius", search.element_handle()) == "6px"
    # the clip tool's fields match it, and "Start at the player's time" stays on one line
    start = page.locator(".clip-times input").first
    assert page.evaluate("s => getComputedStyle(s).borderTopLeftRadius", start.element_handle()) == "6px"
    now = page.get_by_role("button", name="Start at the player’s time")
    expect(now).to_be_visible()
    assert page.evaluate("b => getComputedStyle(b).whiteSpace", now.element_handle()) == "nowrap"
    assert now.bounding_box()["x"] + now.bounding_box()["width"] <= size[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)


@pytest.mark.parametrize("size", SIZES, ids=["desktop", "phone"])
def test_the_comment_form_reads_as_one_discussion(page, talk, size):
    panel, first = talk
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(panel_path(panel))
    expect(page.locator("#comments-title")).to_have_text("Discussion 2 responses")
    assert page.get_by_role("heading", name="Responses to").count() == 0
    tick_box = page.get_by_label("Notify me of replies by email").bounding_box()
    label_box = page.locator("#commentform label", has_text="Notify me of replies by email").bounding_box()
    assert tick_box["x"] + tick_box["width"] <= label_box["x"]  # beside its words, on the left
    assert abs(tick_box["y"] - label_box["y"]) < label_box["height"]  # on the same line

    page.locator(f"#comment-{first.id} a.comment-reply-link").first.click()
    respond = page.locator("#respond")
    expect(respond.get_by_role("heading")).to_contain_text("Leave a Reply to Ana")
    # The form comes after Bo's reply: the thread still reads in one piece.
    follows = page.evaluate(
        """() => {
          const reply = [...document.querySelectorAll('.comment')].find((c) => c.textContent.includes('Agreed.'));
          const form = document.getElementById('respond');
          return !!(reply.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert follows
    assert_no_axe_violations(page)
