"""Caption files: SubRip and WebVTT in, clean WebVTT out, bad files refused by line."""

from __future__ import annotations

import io

import pytest

from eventsite.recordings.captions import CaptionError, captions_of, convert_to_webvtt, parse_captions
from eventsite.storage import media_store
from tests.conftest import csrf_token


def test_plain_srt_becomes_webvtt():
    srt = b"1\n00:00:01,000 --> 00:00:04,000\nHello there.\n\n2\n00:00:05,500 --> 00:00:07,250\nSecond line\nwraps.\n"
    assert convert_to_webvtt(srt) == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello there.\n\n00:00:05.500 --> 00:00:07.250\nSecond line\nwraps.\n"
    )


def test_bom_crlf_and_missing_blank_lines_are_forgiven():
    srt = (
        "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nOne\r\n"
        "2\r\n00:00:02,000 --> 00:00:03,000\r\nTwo\r\n"  # no blank line before cue 2
        "00:00:03,000 --> 00:00:04,000\r\nThree, without a number\r\n"
    ).encode()
    cues = parse_captions(srt)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 2.0, "One"),
        (2.0, 3.0, "Two"),
        (3.0, 4.0, "Three, without a number"),
    ]


def test_more_than_99_hours_and_short_milliseconds():
    cues = parse_captions(b"1\n123:04:05,5 --> 123:04:06,75\nLate\n")
    assert cues[0].start == pytest.approx(123 * 3600 + 4 * 60 + 5.5)
    assert "123:04:05.500 --> 123:04:06.750" in convert_to_webvtt(b"1\n123:04:05,5 --> 123:04:06,75\nLate\n")


def test_overlapping_cues_are_kept_and_sorted():
    srt = (
        b"1\n00:00:05,000 --> 00:00:08,000\nB\n\n"
        b"2\n00:00:01,000 --> 00:00:06,000\nA\n\n"
        b"3\n00:00:05,000 --> 00:00:06,000\nC\n"
    )
    assert [c.text for c in parse_captions(srt)] == ["A", "C", "B"]


def test_markup_is_cleaned_for_webvtt():
    srt = b'1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color="red"><i>Tom & Jerry</i></font> 1 < 2 > 0\n'
    cue = parse_captions(srt)[0]
    assert cue.text == "<i>Tom &amp; Jerry</i> 1 &lt; 2 &gt; 0"
    assert cue.plain_text == "Tom & Jerry 1 < 2 > 0"


def test_webvtt_input_with_header_notes_and_identifiers():
    vtt = (
        b"WEBVTT - panel\nKind: captions\n\n"
        b"NOTE written by hand\nover two lines\n\n"
        b"intro\n00:01.000 --> 00:02.000 align:start\nHi\n"
    )
    cues = parse_captions(vtt)
    assert [(c.start, c.end, c.text) for c in cues] == [(1.0, 2.0, "Hi")]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"1\n00:00:01,000 --> 00:00:02,000\nOK\n\nnonsense here\n", 5, "expected a cue number"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nOK\n\n2\n00:00:03 -> 00:00:04\nBad arrow\n", 6, "time range"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nOK\n\n2\n00:00:03,000 --> 00:00:61,000\nBad\n", 6, "not valid"),
        (b"1\n00:00:05,000 --> 00:00:02,000\nBackwards\n", 2, "ends before it starts"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nOK\n\n\xff\xfebroken\n", 5, "not UTF-8"),
        (b"WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n", 1, "WEBVTT"),
    ],
)
def test_malformed_files_are_refused_with_the_line_number(data, line, words):
    with pytest.raises(CaptionError) as error:
        parse_captions(data)
    assert error.value.line == line
    assert error.value.message.startswith(f"Line {line}:")
    assert words in error.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(CaptionError, match="no captions"):
        parse_captions(b"\xef\xbb\xbf\r\n\r\n")


def upload(client, panel, data: bytes, name: str, language="fr", label="Français"):
    page = client.get(f"/studio/panels/{panel.id}/media").get_data(as_text=True)
    return client.post(
        f"/studio/panels/{panel.id}/captions",
        data={"csrf_token": csrf_token(page), "language": language, "label": label, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_organiser_uploads_srt_and_gets_webvtt(login, ready_panel):
    client = login()
    response = upload(client, ready_panel, b"1\r\n00:00:01,000 --> 00:00:02,000\r\nBonjour\r\n", "fr.srt")
    assert response.status_code == 302
    caption = next(c for c in captions_of(ready_panel.recordings[0]) if c.language == "fr")
    assert (
        media_store()
        .path(caption.storage_key)
        .read_text()
        .startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour")
    )
    vtt = client.get(f"/captions/{caption.id}.vtt")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"


def test_organiser_sees_the_line_of_a_malformed_file(login, ready_panel):
    client = login()
    response = upload(client, ready_panel, b"1\n00:00:01,000 --> 00:00:02,000\nOK\n\ngarbage\n", "bad.srt")
    assert response.status_code == 422
    assert "Line 5:" in response.get_data(as_text=True)


def test_captions_of_an_unpublished_panel_are_hidden(client, app_ctx, ready_panel):
    from eventsite.events.models import PanelStatus
    from eventsite.extensions import db
    from eventsite.recordings.captions import captions_of

    caption = captions_of(ready_panel.recordings[0])[0]
    assert client.get(f"/captions/{caption.id}.vtt").status_code == 200
    ready_panel.status = PanelStatus.DRAFT
    db.session.commit()
    assert client.get(f"/captions/{caption.id}.vtt").status_code == 404
