"""Chapter titles and caption labels reach Plyr's innerHTML only as text."""

from __future__ import annotations

import json
import re

import pytest

from eventsite.extensions import db
from eventsite.recordings.captions import CaptionError, save_caption
from eventsite.recordings.chapters import replace_chapters
from tests.conftest import csrf_token
from tests.ready_panel import CAPTIONS_SRT, panel_path, wait_for, wait_for_player

PAYLOAD = "<img src=x onerror=window.pwned=1>"


@pytest.fixture
def hostile_panel(ready_panel):
    replace_chapters(ready_panel.recordings[0], f"0:00 Welcome\n0:03 {PAYLOAD}")
    return ready_panel


def test_player_config_carries_chapter_titles_escaped(client, hostile_panel):
    page = client.get(panel_path(hostile_panel)).get_data(as_text=True)
    config = json.loads(re.search(r'id="player-config">(.*?)</script>', page, re.S).group(1))
    assert config["chapters"][1]["label"] == "&lt;img src=x onerror=window.pwned=1&gt;"
    # The chapter list shows the title as typed, escaped by the template.
    assert "&lt;img src=x onerror=window.pwned=1&gt;" in page and PAYLOAD not in page


@pytest.mark.browser
def test_chapter_marker_tooltip_shows_the_title_as_text(page, hostile_panel):
    page.goto(panel_path(hostile_panel))
    wait_for_player(page)
    wait_for(page, "document.querySelectorAll('.plyr__progress__marker').length === 1")  # none at 0:00
    page.locator(".plyr__progress__marker").hover(force=True)
    tip = page.locator(".plyr__progress .plyr__tooltip")
    wait_for(page, "document.querySelector('.plyr__progress .plyr__tooltip').textContent.includes('onerror')")
    assert tip.text_content().startswith(PAYLOAD)  # then the time, after a <br>
    assert tip.locator("img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_caption_labels_with_markup_are_refused(login, ready_panel):
    client = login()
    form = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    import io

    response = client.post(
        f"/studio/panels/{ready_panel.id}/captions",
        data={
            "csrf_token": csrf_token(form),
            "language": "fr",
            "label": "<b>Français</b>",
            "file": (io.BytesIO(CAPTIONS_SRT), "fr.srt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "cannot contain &lt; or &gt;" in response.get_data(as_text=True)
    assert [c.language for c in ready_panel.recordings[0].captions] == ["en"]
    with pytest.raises(CaptionError, match="cannot contain < or >"):
        save_caption(ready_panel.recordings[0], "de", "<img src=x>", CAPTIONS_SRT)


def test_an_old_label_with_markup_reaches_the_track_without_it(client, ready_panel):
    caption = ready_panel.recordings[0].captions[0]
    caption.label = "English <img src=x>"
    db.session.commit()
    page = client.get(panel_path(ready_panel)).get_data(as_text=True)
    assert 'label="English img src=x"' in page
