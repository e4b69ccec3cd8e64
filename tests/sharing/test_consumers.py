"""What oEmbed consumers, link previews and crawlers were missing: a thumbnail that
respects maxwidth/maxheight, the ``?t=``/``?view=`` of a pasted link kept in the embed,
plain-text descriptions (no raw Markdown), and ``/robots.txt`` naming the sitemap."""

from __future__ import annotations

import html
import re

import pytest

from eventsite.extensions import db
from tests.ready_panel import panel_path


def oembed(client, url, **params):
    return client.get("/oembed", query_string={"url": url, **params}).get_json()


@pytest.mark.parametrize(("limits"), [{"maxwidth": 120}, {"maxheight": 90}, {"maxwidth": 800, "maxheight": 100}])
def test_the_thumbnail_respects_maxwidth_and_maxheight(client, ready_panel, limits):
    data = oembed(client, "http://localhost" + panel_path(ready_panel), **limits)
    assert data["width"] <= limits.get("maxwidth", 10_000) and data["height"] <= limits.get("maxheight", 10_000)
    if "thumbnail_url" in data:
        assert data["thumbnail_width"] <= limits.get("maxwidth", 10_000)
        assert data["thumbnail_height"] <= limits.get("maxheight", 10_000)
    big = oembed(client, "http://localhost" + panel_path(ready_panel), maxwidth=5000, maxheight=5000)
    assert big["thumbnail_url"].endswith("poster.jpg")


def test_a_pasted_links_time_and_view_reach_the_embed(client, ready_panel):
    data = oembed(client, "http://localhost" + panel_path(ready_panel) + "?t=1m30s&view=cartoon&utm_source=x")
    src = html.unescape(re.search(r'src="([^"]+)"', data["html"]).group(1))
    assert src.endswith("?t=1m30s&view=cartoon") and "utm_source" not in src


def test_descriptions_are_plain_text(client, ready_panel):
    ready_panel.abstract = "What makes people *influential* online? See [our notes](https://example.org) and **more**."
    db.session.commit()
    page = client.get(panel_path(ready_panel)).get_data(as_text=True)
    for name in ('name="description"', 'property="og:description"', 'name="twitter:description"'):
        content = html.unescape(re.search(rf'<meta {name} content="([^"]*)"', page).group(1))
        assert "*" not in content and "](" not in content, (name, content)
        assert content.startswith("What makes people influential online? See our notes and more."), content


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "Sitemap: http://localhost/sitemap.xml" in response.get_data(as_text=True).splitlines()
    assert client.get("/sitemap.xml").status_code == 200
