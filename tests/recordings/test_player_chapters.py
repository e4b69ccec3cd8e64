"""Chapters: pasted YouTube-style lines, times, and the studio forms."""

from __future__ import annotations

import pytest

from eventsite.recordings.chapters import (
    ChapterError,
    chapters_of,
    iso_duration,
    parse_chapter_lines,
    parse_time,
)
from eventsite.times import clock
from tests.conftest import csrf_token


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("1:30", 90), ("01:02:03", 3723), ("1m30s", 90), ("1h2m3s", 3723), ("2m", 120), ("45s", 45),
     ("1:30.5", 90.5), ("", None), ("abc", None), ("1:75", None), ("-3", None)],
)  # fmt: skip
def test_parse_time(text, seconds):
    assert parse_time(text) == seconds


def test_format_and_iso_duration():
    assert (clock(75), clock(3723)) == ("1:15", "1:02:03")
    assert (iso_duration(6.02), iso_duration(5430), iso_duration(3600), iso_duration(0)) == (
        "PT6S",
        "PT1H30M30S",
        "PT1H",
        "PT0S",
    )


def test_youtube_style_lines():
    text = """
0:00 Intro
1:05 - Why influence matters
(12:30) Questions from the room
[1:02:03] Wrap-up
4. 1:10:00 – Thanks
Credits 1:15:00
"""
    assert [(c.start, c.title) for c in parse_chapter_lines(text)] == [
        (0, "Intro"),
        (65, "Why influence matters"),
        (750, "Questions from the room"),
        (3723, "Wrap-up"),
        (4200, "Thanks"),
        (4500, "Credits"),
    ]


def test_lines_are_sorted():
    assert [c.title for c in parse_chapter_lines("2:00 B\n0:00 A")] == ["A", "B"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("0:00 Intro\nno time here", 2, "start the line with a time"),
        ("0:00 Intro\n\n1:00", 3, "no title"),
        ("0:00 Intro\n0:00 Again", 2, "two chapters start at 0:00"),
        ("0:00 Intro\n9:00 Too late", 2, "past the end"),
    ],
)
def test_bad_lines_are_refused_with_the_line_number(text, line, words):
    with pytest.raises(ChapterError) as error:
        parse_chapter_lines(text, duration=300)
    assert error.value.line == line and words in error.value.message


def test_studio_paste_replaces_chapters_and_page_lists_them(login, ready_panel, make_panelist):
    client = login()
    page = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    response = client.post(
        f"/studio/panels/{ready_panel.id}/chapters/paste",
        data={"csrf_token": csrf_token(page), "lines": "0:00 Hello\n0:04 Goodbye"},
    )
    assert response.status_code == 302
    assert [c.title for c in chapters_of(ready_panel.recordings[0])] == ["Hello", "Goodbye"]
    public = client.get(f"/events/{ready_panel.event.slug}/{ready_panel.slug}/").get_data(as_text=True)
    assert 'href="?t=4"' in public and "Goodbye" in public


def test_studio_paste_error_names_the_line(login, ready_panel):
    client = login()
    page = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    response = client.post(
        f"/studio/panels/{ready_panel.id}/chapters/paste",
        data={"csrf_token": csrf_token(page), "lines": "0:00 Hello\noops"},
    )
    assert response.status_code == 422
    assert "Line 2:" in response.get_data(as_text=True)
    assert [c.title for c in chapters_of(ready_panel.recordings[0])] == ["Welcome", "Influence"]


def test_chapter_with_a_panelist_shows_their_portrait(login, ready_panel, make_panelist):
    person = make_panelist("Gemma Went", panel=ready_panel)
    client = login()
    page = client.get(f"/studio/panels/{ready_panel.id}/media").get_data(as_text=True)
    response = client.post(
        f"/studio/panels/{ready_panel.id}/chapters",
        data={"csrf_token": csrf_token(page), "start": "0:05", "title": "Gemma answers", "panelist_id": person.id},
    )
    assert response.status_code == 302
    public = client.get(f"/events/{ready_panel.event.slug}/{ready_panel.slug}/").get_data(as_text=True)
    chapters = public[public.index('class="chapter-list"') :]
    chapters = chapters[: chapters.index("</ol>")]
    assert "Gemma answers" in chapters and "portrait" in chapters and "Gemma Went" in chapters
