"""Transcript downloads: text in speaker turns, WebVTT with voices, SubRip; same visibility as the page."""

from __future__ import annotations

from eventsite.events.models import PanelStatus
from eventsite.events.operations import publish_panel
from eventsite.recordings.captions import parse_captions
from eventsite.studio import operations as studio
from eventsite.transcripts.formats import as_srt, as_text, passthrough_name, turns

BASE = "/events/social-media-week/what-is-social-influence"


def test_plain_text_in_speaker_turns(client, said_panel):
    response = client.get(f"{BASE}/transcript.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="what-is-social-influence-transcript.txt"'
    text = response.get_data(as_text=True)
    assert text.startswith("What is social influence?\nSocial Media Week\nhttp://localhost" + BASE + "/\n\n")
    # Gemma's two cues are one turn; <v Andrew> is written as the seated Andrew.
    assert (
        "Gemma Went (0:00): Welcome everyone to this conversation about social media and the people in it. "
        "Influence is earned through trust, not bought with followers.\n\n"
        "Andrew Gerrard (0:04): Brands forget that & it shows: reach < trust.\n\n"
        "Mystery Guest (0:05): Pelicans are near the podium.\n"
    ) in text


def test_webvtt_keeps_the_voices(client, said_panel):
    response = client.get(f"{BASE}/transcript.vtt")
    assert response.status_code == 200 and response.mimetype == "text/vtt"
    assert response.headers["Content-Disposition"] == 'attachment; filename="what-is-social-influence.vtt"'
    body = response.get_data()
    assert body.startswith(b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Gemma Went>Welcome")
    assert b"<v Andrew>Brands forget that &amp; it shows: reach &lt; trust." in body
    cues = parse_captions(body)  # and it reads back as the same captions
    assert [c.voice for c in cues] == ["Gemma Went", "Gemma Went", "Andrew", "Mystery Guest"]


def test_srt_names_each_new_speaker(client, said_panel):
    response = client.get(f"{BASE}/transcript.srt")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="what-is-social-influence.srt"'
    text = response.get_data(as_text=True)
    assert text.startswith("1\n00:00:00,000 --> 00:00:02,000\nGemma Went: Welcome everyone")
    assert "2\n00:00:02,000 --> 00:00:04,000\nInfluence is earned" in text  # same speaker: no name again
    assert "3\n00:00:04,000 --> 00:00:05,000\nAndrew Gerrard: Brands forget that & it shows: reach < trust." in text
    assert [c.start for c in parse_captions(response.get_data())] == [0.0, 2.0, 4.0, 5.0]


def test_the_panel_page_links_the_three_files(client, said_panel):
    html = client.get(f"{BASE}/").get_data(as_text=True)
    for name in ("transcript.txt", "transcript.vtt", "transcript.srt"):
        assert f'href="{BASE}/{name}" download' in html


def test_old_slugs_redirect_and_drafts_are_hidden(client, login, said_panel):
    studio.save_panel({"title": "Who holds influence now?"}, said_panel.event, said_panel)
    response = client.get(f"{BASE}/transcript.srt")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/events/social-media-week/who-holds-influence-now/transcript.srt")
    publish_panel(said_panel, PanelStatus.DRAFT)
    for name in ("transcript.txt", "transcript.vtt", "transcript.srt"):
        assert client.get(f"{BASE}/{name}").status_code == 404
        assert client.get(f"/events/social-media-week/who-holds-influence-now/{name}").status_code == 404
    login()
    response = client.get("/events/social-media-week/who-holds-influence-now/transcript.txt")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"


def test_a_panel_without_captions_has_no_transcript_files(client, make_panel, add_ready_recording):
    panel = make_panel(title="Silent film")
    add_ready_recording(panel, captions=False, chapters=None)
    assert client.get(f"/events/{panel.event.slug}/silent-film/transcript.txt").status_code == 404
    assert "transcript.txt" not in client.get(f"/events/{panel.event.slug}/silent-film/").get_data(as_text=True)


def test_turns_continue_through_unvoiced_cues():
    cues = parse_captions(b"WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>One.\n\n00:01.000 --> 00:02.000\nTwo.\n\n"
                          b"00:02.000 --> 00:03.000\n<v Bo>Three.\n")  # fmt: skip
    assert [(t.speaker, t.text) for t in turns(cues, passthrough_name)] == [("Ann", "One. Two."), ("Bo", "Three.")]
    assert as_text(cues, passthrough_name, []) == "Ann (0:00): One. Two.\n\nBo (0:02): Three.\n"
    assert as_srt(cues, passthrough_name).count("Ann: ") == 1
    unvoiced = parse_captions(b"1\n00:01:02,500 --> 00:01:04,000\nNobody named.\n")
    assert as_text(unvoiced, passthrough_name, []) == "(1:02): Nobody named.\n"
