"""The comment markdown subset, timestamp links and website cleaning."""

import pytest

from eventsite.discussion.markup import clean_website, count_links, render_comment
from eventsite.times import clock as format_video_time


def test_subset_keeps_emphasis_links_lists_quotes_code():
    html = render_comment("*a* **b** [c](https://example.org)\n\n- x\n- y\n\n> q\n\n`z`")
    for fragment in ("<em>a</em>", "<strong>b</strong>", "<ul>", "<blockquote>", "<code>z</code>"):
        assert fragment in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">c</a>' in html


def test_headings_images_and_raw_html_are_not_part_of_the_subset():
    html = render_comment("# Big\n\n![x](https://example.org/a.png)\n\n<b>raw</b>")
    assert "<h1" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("at 12:34 she says", 754), ("1:02:03", 3723), ("(0:05)", 5), ("from 59:59.", 3599)],
)
def test_timestamps_become_seek_links(text, seconds):
    assert f'href="?t={seconds}#player"' in render_comment(text)
    assert f'data-t="{seconds}"' in render_comment(text)


@pytest.mark.parametrize("text", ["`12:34`", "    code 12:34", "[12:34](https://example.org)", "12:345", "1:2:3:4"])
def test_timestamps_inside_code_links_or_longer_numbers_are_left_alone(text):
    assert "?t=" not in render_comment(text)


def test_format_video_time():
    assert format_video_time(754) == "12:34"
    assert format_video_time(3723.9) == "1:02:03"


def test_count_links_counts_bare_and_markdown_links():
    assert count_links("see http://a.example and [b](https://b.example)") == 2


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://example.org/a?b=c", "https://example.org/a?b=c"),
        ("example.org", "https://example.org"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("http://example.org/'onmouseover=alert(1)", ""),
        ('http://example.org/"><script>', ""),
        ("ftp://example.org", ""),
        ("http://", ""),
    ],
)
def test_website_is_http_or_nothing(given, kept):
    assert clean_website(given) == kept
