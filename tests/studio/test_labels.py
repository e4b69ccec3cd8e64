"""One name per studio page: the button, the page's heading and the breadcrumbs agree,
and the poster field's example is a moment inside the recording."""

from __future__ import annotations

import re


def test_the_media_page_has_one_name(login, ready_panel):
    client = login()
    panel_page = client.get(f"/studio/panels/{ready_panel.id}/").text
    media_page = client.get(f"/studio/panels/{ready_panel.id}/media").text
    words_page = client.get(f"/studio/panels/{ready_panel.id}/transcript").text
    name = "Captions, chapters and downloads"
    assert f">{name}</a>" in panel_page
    assert f"<h1>{name}</h1>" in media_page
    assert f">{name}</a></p>" in words_page  # the breadcrumb
    assert "Captions, chapters and views" not in panel_page and ">Captions and chapters<" not in words_page
    # "views" is the video / cartoon / birds switch elsewhere; the counts are plays
    assert '<h2 id="views-heading">Plays</h2>' in media_page


def test_the_poster_example_is_inside_a_short_recording(login, ready_panel):
    page = login().get(f"/studio/panels/{ready_panel.id}/").text
    example = re.search(r'name="at" inputmode="decimal" placeholder="([^"]+)"', page).group(1)
    assert example == "0:03"  # half of the 6 s clip, not "1:30"
