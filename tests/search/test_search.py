"""Search across events, panels, people and what was said, on SQLite FTS5 or PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from eventsite import search
from eventsite.database import utcnow
from eventsite.events.models import PanelStatus
from eventsite.events.operations import publish_panel
from eventsite.extensions import db
from eventsite.recordings.captions import captions_of, delete_caption, save_caption
from eventsite.recordings.models import CaptionSource
from eventsite.search.results import run_search
from eventsite.studio import operations as studio
from tests.conftest import PASSWORD, csrf_token


def said(results) -> list:
    return next((g.hits for g in results.groups if g.kind == "said"), [])


def kinds(results) -> dict[str, int]:
    return {g.kind: g.total for g in results.groups if g.total}


def test_finds_panels_people_events_and_what_was_said(request_ctx, said_panel):
    search.reindex_all()  # events and people (panels were indexed by their operations)
    results = run_search("influence")
    assert kinds(results) == {"panel": 1, "said": 1}
    hit = said(results)[0]
    assert "<mark>Influence</mark> is earned through trust" in hit.snippet
    assert hit.speaker.name == "Gemma Went" and hit.speaker_name == "Gemma Went"
    assert hit.url == "http://localhost/events/social-media-week/what-is-social-influence/?t=2s"
    assert hit.clock == "0:02"
    assert kinds(run_search("Gemma")) == {"person": 1, "panel": 1}
    assert kinds(run_search("social media week")) == {"event": 1}
    assert kinds(run_search("social media")) == {"event": 1, "said": 1}  # said at 0:00


def test_stemming_and_first_name_voices(request_ctx, said_panel):
    hits = said(run_search("brand"))  # "Brands"
    assert len(hits) == 1 and hits[0].speaker.name == "Andrew Gerrard"  # <v Andrew>, the only seated Andrew
    guest = said(run_search("pelican"))[0]
    assert guest.speaker is None and guest.speaker_name == "Mystery Guest"


def test_the_results_page_shows_sentence_speaker_and_moment(client, said_panel):
    html = client.get("/search?q=trust").get_data(as_text=True)
    assert "What was said" in html
    assert re.search(r"<mark>trust</mark>", html)
    assert '<a href="/people/gemma-went/">Gemma Went</a>' in html
    assert 'href="http://localhost/events/social-media-week/what-is-social-influence/?t=2s"' in html
    # Text from captions is escaped, and only the engine's marks become HTML.
    html = client.get("/search?q=reach").get_data(as_text=True)
    assert "shows: <mark>reach</mark> &lt; <mark>trust</mark>" not in html  # "trust" was not searched for
    assert "&amp; it shows: <mark>reach</mark> &lt; trust" in html


def test_the_header_has_a_search_form_on_every_page(client, said_panel):
    for path in ("/", "/events/social-media-week/", "/people/gemma-went/", "/login", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        form = re.search(
            r'<form class="site-search" role="search" method="get" action="/search"[^>]*>(.*?)</form>', html, re.S
        )
        assert form, path
        assert '<label for="site-search-q"' in form.group(1) and 'name="q"' in form.group(1)


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '""',
        '"unbalanced',
        "NEAR(",
        "NEAR(trust followers, 2)",
        "trust NEAR followers",
        "*",
        "trust*",
        "-trust",
        "trust -followers",
        "AND",
        "OR NOT",
        "title:trust",
        "body:trust",
        "^trust",
        "(",
        ")",
        "{x}",
        "'; DROP TABLE panel; --",
        "trust OR 1=1",
        "%",
        "_",
        "\\",
        "a'b",
        "trust & followers | x",
        "!",
        ":*",
        "<script>alert(1)</script>",
        "\u00e9l\u00e8ve",
        "\U0001f426",
        "x" * 500,
        "trust " * 50,
        "\u200b",
        "\x00",
    ],
)
def test_hostile_queries_never_break_the_page(client, said_panel, typed):
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    for kind in ("said", "panel", "person", "event"):
        assert client.get("/search", query_string={"q": typed, "kind": kind, "page": "-3"}).status_code == 200


def test_operators_are_searched_as_words(request_ctx, said_panel):
    assert said(run_search("near"))[0].speaker_name == "Mystery Guest"  # NEAR is a word here, not an operator
    assert said(run_search('"NEAR the podium"'))
    assert said(run_search("trust -followers"))  # no exclusion: both words are in the sentence
    assert not said(run_search('"followers trust"'))  # a quoted phrase keeps its order


def test_drafts_unlisted_and_future_panels_are_never_found(request_ctx, said_panel, make_panel, add_ready_recording):
    for status in (PanelStatus.DRAFT, PanelStatus.UNLISTED, PanelStatus.SCHEDULED):
        publish_panel(said_panel, status, utcnow() + timedelta(days=1))
        assert run_search("influence").total == 0, status
        assert run_search("gemma").total == 0, status  # seated only on a hidden panel
        assert kinds(run_search("influence", include_unlisted=True)) == {"panel": 1, "said": 1}


def test_a_scheduled_panel_is_found_from_its_time_without_reindexing(request_ctx, said_panel):
    publish_panel(said_panel, PanelStatus.SCHEDULED, utcnow() + timedelta(hours=1))
    assert run_search("influence").total == 0
    # Time passes: nothing runs, nothing is reindexed.
    said_panel.publish_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert kinds(run_search("influence")) == {"panel": 1, "said": 1}


def test_unpublishing_removes_and_publishing_restores(request_ctx, said_panel):
    assert run_search("followers").total == 1
    publish_panel(said_panel, PanelStatus.DRAFT)
    assert run_search("followers").total == 0
    publish_panel(said_panel, PanelStatus.PUBLISHED)
    assert run_search("followers").total == 1


def test_drafts_are_searchable_by_organisers_only(client, login, said_panel):
    publish_panel(said_panel, PanelStatus.DRAFT)
    assert "Nothing matches" in client.get("/search?q=followers&drafts=1").get_data(as_text=True)
    login()
    html = client.get("/search?q=followers&drafts=1").get_data(as_text=True)
    assert "<mark>followers</mark>" in html
    assert "Nothing matches" in client.get("/search?q=followers").get_data(as_text=True)


def test_replacing_and_deleting_captions_updates_the_index(request_ctx, said_panel):
    recording = said_panel.recordings[0]
    save_caption(recording, "en", "English", b"1\n00:00:01,000 --> 00:00:03,000\nPelicans prefer podcasts.\n")
    assert run_search("followers").total == 0
    hit = said(run_search("podcasts"))[0]
    assert hit.start == 1.0 and hit.speaker is None
    delete_caption(captions_of(recording)[0])
    assert run_search("podcasts").total == 0


def test_title_slug_and_panelist_edits_follow(request_ctx, said_panel):
    data = {"title": "Who holds influence now?", "abstract": "", "comments_open": True, "cartoon_enabled": True}
    studio.save_panel(data, said_panel.event, said_panel)
    assert "panel" not in kinds(run_search("what is social"))
    hit = next(g for g in run_search("holds").groups if g.kind == "panel").hits[0]
    assert hit.url.endswith("/events/social-media-week/who-holds-influence-now/")
    assert said(run_search("followers"))[0].url.endswith("/who-holds-influence-now/?t=2s")
    andrew = said_panel.seats[1].panelist
    studio.save_panelist({"name": "Andrew Gerard", "headline": "Strategist"}, andrew, max_image_bytes=1)
    assert said(run_search("brands"))[0].speaker_name == "Andrew Gerard"  # <v Andrew>, by first name
    assert kinds(run_search("gerard")) == {"person": 1, "panel": 1}
    assert run_search("gerrard").total == 0


def test_deleting_a_panel_or_a_seat_takes_it_out(request_ctx, said_panel):
    studio.delete_row(said_panel.seats[1])  # Andrew leaves the panel
    hit = said(run_search("brands"))[0]
    assert hit.speaker is None and hit.speaker_name == "Andrew"
    assert run_search("gerrard").total == 0  # not in the panel's people, and on no listed panel
    studio.delete_row(said_panel)
    assert run_search("influence").total == 0
    assert db.session.execute(db.text("SELECT count(*) FROM search_entry WHERE panel_id IS NOT NULL")).scalar() == 0


def test_the_time_link_lands_on_the_cue(client, request_ctx, said_panel):
    hit = said(run_search("brands"))[0]
    assert hit.url.endswith("?t=4s")
    html = client.get(hit.url.removeprefix("http://localhost")).get_data(as_text=True)
    # The page's transcript has the cue at that moment, and the no-script player starts there.
    assert re.search(r'<li data-start="4.0"[^>]*>.*Brands forget that', html)
    assert "#t=4" in html


def test_no_results_speaks_plainly_and_suggests(client, said_panel):
    html = client.get("/search?q=trust+zeppelin").get_data(as_text=True)
    assert "Nothing matches <strong>trust zeppelin</strong>" in html
    assert re.search(r'<a href="/search\?q=trust">trust</a> <span class="meta">\(2 results\)', html)
    assert "Latest panels" in html and "What is social influence?" in html
    html = client.get("/search?q=%21%21%21").get_data(as_text=True)
    assert "has no letters or digits to search for" in html


def test_groups_are_paged(request_ctx, make_panel, add_ready_recording):
    panel = make_panel()
    lines = [
        f"{n}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\n"
        f"Topic number {n} is about pelicans, their long flights and their beaks.\n"
        for n in range(1, 26)
    ]
    save_caption(add_ready_recording(panel, captions=False, chapters=None), "en", "English", "\n".join(lines).encode())
    overview = run_search("pelicans")
    assert said(overview) and len(said(overview)) == 10 and kinds(overview)["said"] == 25
    second = run_search("pelicans", kind="said", page=2)
    assert (second.page, second.pages, len(said(second))) == (2, 2, 5)
    assert run_search("pelicans", kind="said", page=99).page == 2


def test_search_reindex_command_rebuilds_everything(runner, request_ctx, said_panel):
    db.session.execute(db.text("DELETE FROM search_entry"))
    db.session.commit()
    assert run_search("followers").total == 0
    result = runner.invoke(args=["search-reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 events, 1 panels, 2 people and 4 transcript passages" in result.output
    assert run_search("followers").total == 1


def test_the_search_page_without_a_query_invites_one(client):
    html = client.get("/search").get_data(as_text=True)
    assert "Type a few words" in html
    assert '<meta name="robots" content="noindex">' in html


def test_organisers_see_the_drafts_checkbox(client, login):
    assert "Include drafts" not in client.get("/search?q=x").get_data(as_text=True)
    login()
    assert "Include drafts" in client.get("/search?q=x").get_data(as_text=True)
    assert PASSWORD and csrf_token  # (the login fixture used the real form)


def test_what_automatic_captions_said_is_labelled_as_such(client, said_panel):
    """A draft from speech recognition quoted in search says so, as the player and transcript do."""
    assert "data-automatic" not in client.get("/search?q=trust").get_data(as_text=True)
    (caption,) = captions_of(said_panel.recordings[0])
    caption.source = CaptionSource.AUTOMATIC
    db.session.commit()
    html = client.get("/search?q=trust").get_data(as_text=True)
    assert html.count("data-automatic") == html.count('<blockquote class="said">') >= 1
    assert "automatic captions, not yet checked" in html


def test_a_snippet_comes_from_the_one_field_that_matched(client, request_ctx, make_panel, make_panelist):
    abstract = "Community radio, podcasts and local news: " + " ".join(f"word{i}" for i in range(60))
    panel = make_panel(
        title="Local voices",
        abstract=abstract,
        venue="Sala 2, Casa da Música",
        credits="Hosted by Community Media Forum\nVideo by Brass",
    )
    make_panelist("Rosa Lima", panel=panel, headline="Editor")
    search.reindex_all()
    hit = next(g.hits for g in run_search("forum").groups if g.kind == "panel")[0]
    assert (
        str(hit.snippet) == "Hosted by Community Media <mark>Forum</mark>"
    )  # not "…Sala 2, Casa da Música Hosted by…"
    hit = next(g.hits for g in run_search("brass").groups if g.kind == "panel")[0]
    assert str(hit.snippet) == "Video by <mark>Brass</mark>"
    # the field with the most matches wins, cut to a window around them
    hit = next(g.hits for g in run_search("community").groups if g.kind == "panel")[0]
    assert str(hit.snippet).startswith("<mark>Community</mark> radio, podcasts") and str(hit.snippet).endswith("…")
    assert "Sala" not in hit.snippet and "Hosted" not in hit.snippet
    # the results page shows it highlighted, escaped, once
    html = client.get("/search?q=forum").get_data(as_text=True)
    assert '<p class="search-snippet">Hosted by Community Media <mark>Forum</mark></p>' in html
