"""oEmbed, the sitemap and robots.txt: how other sites and search engines find a panel."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, current_app, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..events.loader import resolve_panel
from ..events.models import Panel
from ..recordings.player import player_media
from ..urls import absolute, absolute_for, base_url, embed_url, panel_url
from . import seo

bp = Blueprint("sharing", __name__)

#: Largest player an oEmbed consumer gets when it names no maximum.
OEMBED_DEFAULT_WIDTH = 640
#: What a pasted panel link may say about how to play it, kept in the embed: the start
#: (``?t=1m30s``) and the view (``?view=cartoon``).
EMBED_KEPT_QUERY = ("t", "view")


def oembed_discovery_url(panel: Panel) -> str:
    """The oEmbed URL that describes ``panel``'s page (for ``<link rel="alternate">``)."""
    return absolute_for("sharing.oembed", url=panel_url(panel), format="json")


def iframe_html(panel: Panel, width: int, height: int, query: str = "") -> str:
    """The ``<iframe>`` other sites paste: one definition for oEmbed and the page's embed box.

    :param query: the embed's query string (``t=90&view=cartoon``), if any.
    """
    src = embed_url(panel) + (f"?{query}" if query else "")
    return (
        f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
        f'title="{escape(panel.title)}" frameborder="0" allow="fullscreen; picture-in-picture" '
        "allowfullscreen></iframe>"
    )


def _panel_for_url(url: str) -> Panel:
    """The public panel that a panel or embed URL of this site names.

    :raise 404: another site, another page, or a panel that is not public.
    """
    parts = urlsplit(url or "")
    ours = {urlsplit(base_url()).netloc, request.host}
    if parts.scheme not in ("http", "https") or parts.netloc not in ours:
        abort(404)
    try:
        endpoint, args = current_app.url_map.bind(parts.netloc).match(parts.path or "/", method="GET")
    except HTTPException:
        abort(404)
    if endpoint not in ("events.panel", "embed.panel"):
        abort(404)
    panel = resolve_panel(args["event_slug"], args["slug"])  # old slugs too: embeds pasted long ago
    if panel is None or not panel.is_public():
        abort(404)
    return panel


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10_000 else None


@bp.route("/oembed")
def oembed():
    """oEmbed 1.0 (https://oembed.com) for panel pages: a ``video`` with iframe HTML.

    :raise 404: the URL is not a public panel of this site with a ready video.
    :raise 501: a format other than JSON.
    """
    if request.args.get("format", "json") != "json":
        abort(501)
    panel = _panel_for_url(request.args.get("url", ""))
    media = player_media(panel)
    if media is None:
        abort(404)
    ratio = media.height / media.width
    width = min(OEMBED_DEFAULT_WIDTH, _int_arg("maxwidth") or OEMBED_DEFAULT_WIDTH)
    height = round(width * ratio)
    if (max_height := _int_arg("maxheight")) and height > max_height:
        height, width = max_height, round(max_height / ratio)
    url = request.args.get("url", "")
    kept = [(k, v) for k, v in parse_qsl(urlsplit(url).query) if k in EMBED_KEPT_QUERY and len(v) <= 40]
    html = iframe_html(panel, width, height, urlencode(kept))
    data = {
        "version": "1.0",
        "type": "video",
        "title": panel.title,
        "author_name": panel.event.name,
        "author_url": absolute_for("events.event", slug=panel.event.slug),
        "provider_name": current_app.config["SITE_NAME"],
        "provider_url": absolute_for("events.home"),
        "html": html,
        "width": width,
        "height": height,
        "cache_age": 3600,
    }
    thumb_width = (media.poster.width if media.poster else 0) or media.width
    thumb_height = (media.poster.height if media.poster else 0) or media.height
    # oEmbed: the thumbnail must respect maxwidth/maxheight too; there is one poster size, so a
    # consumer asking for less gets no thumbnail rather than a bigger one.
    fits = thumb_width <= (_int_arg("maxwidth") or thumb_width) and thumb_height <= (
        _int_arg("maxheight") or thumb_height
    )
    if media.poster_url and fits:
        data.update(thumbnail_url=absolute(media.poster_url), thumbnail_width=thumb_width)
        data["thumbnail_height"] = thumb_height
    response = jsonify(data)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/robots.txt")
def robots():
    """Crawlers may read everything public; the sitemap says where it is."""
    body = f"User-agent: *\nDisallow: /studio/\nDisallow: /search\n\nSitemap: {absolute_for('sharing.sitemap')}\n"
    return Response(body, mimetype="text/plain", headers={"Cache-Control": "public, max-age=86400"})


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
VIDEO_NS = "http://www.google.com/schemas/sitemap-video/1.1"


@bp.route("/sitemap.xml")
def sitemap():
    """Every listed page, with Google's video extension for panels with a video."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("video", VIDEO_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for entry in seo.sitemap_entries():
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.loc
        if entry.lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = entry.lastmod.date().isoformat()
        for video in entry.videos:
            node = ET.SubElement(url, f"{{{VIDEO_NS}}}video")
            for name, value in video.items():
                if value is not None:
                    ET.SubElement(node, f"{{{VIDEO_NS}}}{name}").text = str(value)
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/xml", headers={"Cache-Control": "public, max-age=3600"})
