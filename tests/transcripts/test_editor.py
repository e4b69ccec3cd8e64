"""The caption editor as a plain form: edits saved as WebVTT with voices, bad times refused per cue."""

from __future__ import annotations

import re

import pytest

from eventsite.extensions import db
from eventsite.recordings.captions import captions_of, read_cues, save_caption
from eventsite.recordings.models import CaptionSource
from eventsite.storage import media_store
from eventsite.studio.operations import save_panel
from eventsite.transcripts.job import AUTOMATIC_LABEL
from tests.conftest import csrf_token
from tests.ready_panel import panel_path

VOICED = b"""WEBVTT

00:00.000 --> 00:02.500
<v Gemma Went>Welcome to the panel.

00:02.500 --> 00:04.500
<v Gemma Went>Let us talk about influence.

00:04.500 --> 00:06.000
<v Andrew Gerrard>Thank you all &amp; welcome.
"""


@pytest.fixture
def voiced_panel(ready_panel, make_panelist):
    for position, name in enumerate(["Gemma Went", "Andrew Gerrard"]):
        make_panelist(name=name, panel=ready_panel, position=position)
    recording = ready_panel.recordings[0]
    save_caption(recording, "en", AUTOMATIC_LABEL, VOICED, source=CaptionSource.AUTOMATIC)
    return ready_panel


def _caption(panel):
    db.session.expire_all()
    (caption,) = captions_of(panel.recordings[0])
    return caption


def _form(html: str) -> dict[str, str]:
    """The editor's fields as the browser would send them (without JavaScript)."""
    data = {"csrf_token": csrf_token(html)}
    for name, value in re.findall(r'<input type="(?:text|hidden)"[^>]* name="([^"]+)" value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'name="(version|page|panel)" value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        data[name] = body.replace("&amp;", "&")
    for name, options in re.findall(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def _open(client, caption):
    url = f"/studio/captions/{caption.id}/edit"
    response = client.get(url)
    assert response.status_code == 200
    return url, _form(response.get_data(as_text=True))


def test_an_edit_is_saved_with_voices_and_shown_on_the_panel_page(login, voiced_panel):
    client = login()
    before = _caption(voiced_panel)
    url, data = _open(client, before)
    assert data["cue-0-text"] == "Welcome to the panel." and data["cue-0-speaker"] == "Gemma Went"
    assert data["cue-2-text"] == "Thank you all & welcome."
    data["cue-1-text"] = "Let us talk about flamingos & <influence>."
    data["cue-1-speaker"] = "Andrew Gerrard"
    data["cue-1-end"] = "0:04.250"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    after = _caption(voiced_panel)
    assert after.source is CaptionSource.EDITED and after.label == "English"
    with media_store().open(after.storage_key) as fh:
        vtt = fh.read().decode()
    assert "<v Andrew Gerrard>Let us talk about flamingos &amp; &lt;influence&gt;." in vtt
    assert "00:00:02.500 --> 00:00:04.250" in vtt
    assert [c.voice for c in read_cues(after)] == ["Gemma Went", "Andrew Gerrard", "Andrew Gerrard"]
    page = client.get(panel_path(voiced_panel)).get_data(as_text=True)
    assert "flamingos &amp; &lt;influence&gt;" in page
    assert "Automatic captions (draft)" not in page


def test_bad_times_are_refused_per_cue_and_nothing_is_saved(login, voiced_panel):
    client = login()
    before = _caption(voiced_panel)
    url, data = _open(client, before)
    data.update({"cue-0-start": "-0:01", "cue-1-start": "0:05.000", "cue-1-end": "0:04.000", "cue-2-start": "0:02"})
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert "The start time cannot be negative." in html
    assert "The cue ends before it starts" in html
    assert "before the cue before it ends" in html  # cue 3 at 0:02 overlaps cue 1
    assert 'value="0:05.000"' in html  # what the organiser typed is shown back
    assert _caption(voiced_panel).storage_key == before.storage_key


def test_an_edit_made_on_an_old_copy_is_refused(login, voiced_panel):
    client = login()
    url, data = _open(client, _caption(voiced_panel))
    save_caption(voiced_panel.recordings[0], "en", "English", VOICED)  # an upload replaced the track meanwhile
    data["cue-0-text"] = "Mine."
    response = client.post(url, data=data, follow_redirects=True)
    assert "were replaced while you edited them" in response.get_data(as_text=True)
    assert "Mine." not in " ".join(c.plain_text for c in read_cues(_caption(voiced_panel)))


def test_split_delete_and_add_without_javascript(login, voiced_panel):
    client = login()
    url, data = _open(client, _caption(voiced_panel))
    data["cue-2-delete"] = "1"
    data.update({"cue-3-start": "0:05.000", "cue-3-end": "0:05.900", "cue-3-text": "Goodbye.", "split": "1"})
    data["cue-3-speaker"] = "Andrew Gerrard"
    assert client.post(url, data=data).status_code == 302
    cues = read_cues(_caption(voiced_panel))
    assert [c.plain_text for c in cues] == ["Welcome to the panel.", "Let us", "talk about influence.", "Goodbye."]
    assert cues[1].end == cues[2].start and cues[2].voice == "Gemma Went"


def test_long_tracks_are_edited_a_page_at_a_time(login, voiced_panel):
    client = login()
    body = "WEBVTT\n\n" + "\n\n".join(
        f"00:00:{i // 10:02d}.{i % 10}00 --> 00:00:{i // 10:02d}.{i % 10}90\nLine {i}" for i in range(55)
    )
    save_caption(voiced_panel.recordings[0], "en", "English", body.encode())
    caption = _caption(voiced_panel)
    html = client.get(f"/studio/captions/{caption.id}/edit?page=2").get_data(as_text=True)
    assert "Line 40" in html and "Line 39" not in html and "Page 2 of 2" in html
    data = _form(html)
    data["cue-0-text"] = "Line forty, edited"
    assert client.post(f"/studio/captions/{caption.id}/edit?page=2", data=data).status_code == 302
    texts = [c.plain_text for c in read_cues(_caption(voiced_panel))]
    assert len(texts) == 55 and texts[0] == "Line 0" and texts[40] == "Line forty, edited"


def test_the_editor_is_for_organisers_only(client, voiced_panel):
    caption = _caption(voiced_panel)
    assert client.get(f"/studio/captions/{caption.id}/edit").status_code == 302
    assert client.get(f"/studio/panels/{voiced_panel.id}/transcript").status_code == 302


def test_a_panel_can_keep_its_drafts_in_the_studio_until_they_are_checked(client, voiced_panel, login):
    """Unticking "Show automatic captions before they are checked" hides them from the public
    page, the caption file and search; editing them makes them the organiser's, and public."""
    caption = _caption(voiced_panel)
    page = client.get(panel_path(voiced_panel)).get_data(as_text=True)
    assert "Let us talk about influence" in page
    (track,) = re.findall(r'src="([^"]*/captions/[^"]+\.vtt)"', page)
    fields = ("title", "abstract", "venue", "credits", "comments_open", "cartoon_enabled", "clips_enabled")
    data = {name: getattr(voiced_panel, name) for name in fields}
    save_panel({**data, "drafts_public": False}, voiced_panel.event, voiced_panel)  # as the panel form does
    page = client.get(panel_path(voiced_panel)).get_data(as_text=True)
    assert "Let us talk about influence" not in page and track not in page
    assert client.get(track).status_code == 404
    said = client.get("/search?q=influence").get_data(as_text=True)
    assert "Let us talk about" not in said
    # an organiser still has it in the studio, and checking it publishes it
    organiser = login()
    assert organiser.get(track).status_code == 200
    url, data = _open(organiser, caption)
    assert organiser.post(url, data=data).status_code == 302
    organiser.get("/logout")
    assert _caption(voiced_panel).source is CaptionSource.EDITED
