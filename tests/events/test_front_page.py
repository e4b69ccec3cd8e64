"""The home and event pages look like a video site: cards with poster, duration, faces or birds, counts."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.events.cards import panel_cards
from eventsite.events.models import Consent, PanelStatus, View
from eventsite.events.stats import PanelViewDay
from eventsite.extensions import db
from eventsite.recordings.models import Rendition, RenditionKind
from eventsite.recordings.player import player_media
from tests.conftest import assert_no_axe_violations


def comment_on(panel, status=CommentStatus.APPROVED, **kwargs):
    db.session.add(
        Comment(
            panel_id=panel.id,
            author_name="Anne",
            author_email="anne@example.com",
            body_source="Hello",
            body_html="<p>Hello</p>",
            status=status,
            **kwargs,
        )
    )


def views_of(panel, *counts):
    for offset, views in enumerate(counts):
        db.session.add(PanelViewDay(panel_id=panel.id, day=date(2026, 1, 1 + offset), views=views))


def add_flock(recording):
    """Stand-in flock renditions (the poster and MP4 files of the camera), as the flock job would add them."""
    by_kind = {r.kind: r for r in recording.renditions}
    poster, mp4 = by_kind[RenditionKind.POSTER], next(r for r in recording.renditions if r.kind is RenditionKind.MP4)
    recording.renditions.append(Rendition(kind=RenditionKind.FLOCK_POSTER, storage_key=poster.storage_key + "#flock"))
    recording.renditions.append(Rendition(kind=RenditionKind.FLOCK, storage_key=mp4.storage_key + "#flock"))
    db.session.commit()


@pytest.fixture
def seated(make_panelist):
    def seat(panel, consent=Consent.VIDEO, names=("Gemma Went", "Andrew Gerrard")):
        return [make_panelist(name, panel=panel, position=i, consent=consent) for i, name in enumerate(names)]

    return seat


def card_html(html: str, title: str) -> str:
    cards = re.findall(r'<li class="video-card">.*?</li>\s*(?=<li class="video-card">|</ul>)', html, re.S)
    [card] = [c for c in cards if f">{title}</a>" in c]
    return card


def test_cards_show_poster_duration_panelists_and_counts(client, ready_panel, make_panel, seated):
    seated(ready_panel)
    views_of(ready_panel, 1200, 34)
    comment_on(ready_panel)
    comment_on(ready_panel)
    comment_on(ready_panel, status=CommentStatus.PENDING)
    comment_on(ready_panel, deleted=True)
    waiting = make_panel(title="Not recorded yet", event=ready_panel.event)
    db.session.commit()
    with client.application.test_request_context():
        poster_url = player_media(ready_panel).poster_url

    home = client.get("/").get_data(as_text=True)
    card = card_html(home, ready_panel.title)
    assert poster_url and f'src="{poster_url}"' in card
    assert '<time datetime="PT6S">0:06</time>' in card
    assert "Gemma Went and Andrew Gerrard" in card
    assert 'class="portrait portrait-bird"' in card  # no photos uploaded: their birds stand in
    assert "1,234 plays" in card and "2 comments" in card
    assert card.count("<a ") == 1  # one link per card, named by the title

    empty = card_html(home, waiting.title)
    assert "Coming soon" in empty and "0 plays" in empty and "0 comments" in empty and '<time datetime="PT' not in empty

    event_page = client.get(f"/events/{ready_panel.event.slug}/").get_data(as_text=True)
    assert 'class="video-grid"' in event_page
    assert f'src="{poster_url}"' in card_html(event_page, ready_panel.title)


@pytest.mark.parametrize(
    ("consent", "default_view", "flock", "birds"),
    [
        (Consent.VIDEO, View.VIDEO, False, False),
        (Consent.VIDEO, View.FLOCK, True, True),
        (Consent.VIDEO, View.FLOCK, False, False),  # no flock drawn yet: the camera
        (Consent.BIRD, View.VIDEO, True, True),  # a bird-only panelist: never the camera's poster
        (Consent.BIRD, View.VIDEO, False, True),
        (Consent.CARTOON, View.VIDEO, True, True),
    ],
)
def test_the_card_poster_is_the_players(app, ready_panel, seated, consent, default_view, flock, birds):
    seated(ready_panel, consent)
    ready_panel.default_view = default_view
    if flock:
        add_flock(ready_panel.recordings[0])
    db.session.commit()
    with app.test_request_context():
        media = player_media(ready_panel)
        [card] = panel_cards([ready_panel])
        assert card.poster_url == (media.poster_url if media else None)
        assert card.birds is birds


def test_queries_stay_constant_as_panels_grow(app, client, make_panel, make_event, add_ready_recording, seated):
    event = make_event()

    def add_panels(n):
        for _ in range(n):
            panel = make_panel(title=f"Panel {sa.func.random()}"[:40], event=event)
            add_ready_recording(panel, captions=True, chapters="0:00 Hello")
            seated(panel, names=(f"Person {panel.id} A", f"Person {panel.id} B"))
            views_of(panel, 3)
            comment_on(panel)
        db.session.commit()

    def count_queries(path):
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    add_panels(2)
    few = {path: count_queries(path) for path in ("/", f"/events/{event.slug}/")}
    add_panels(6)
    many = {path: count_queries(path) for path in ("/", f"/events/{event.slug}/")}
    assert many == few
    assert few["/"] <= 12, few


def test_unlisted_and_draft_panels_have_no_card(client, make_panel):
    make_panel(title="Hidden draft", status=PanelStatus.DRAFT)
    make_panel(title="Only by link", status=PanelStatus.UNLISTED)
    html = client.get("/").get_data(as_text=True)
    assert "Hidden draft" not in html and "Only by link" not in html


@pytest.mark.parametrize("width", [1280, 390])
def test_home_and_event_pages_pass_axe(page, ready_panel, make_panel, seated, width):
    seated(ready_panel)
    seated(make_panel(title="Measuring reach", event=ready_panel.event), Consent.BIRD, names=("Joanne Jacobs",))
    views_of(ready_panel, 12)
    comment_on(ready_panel)
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", f"/events/{ready_panel.event.slug}/"):
        page.goto(path)
        assert_no_axe_violations(page)
        page.screenshot(path=f"/tmp/front-{'home' if path == '/' else 'event'}-{width}.png", full_page=True)
    # Keyboard: Tab reaches each card's one link, named by the panel's title.
    page.goto("/")
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert ready_panel.title in names and "Measuring reach" in names
    # The whole card is the link's target: a click on the poster opens the panel.
    box = page.locator(".video-card-thumb").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/events/**/")
