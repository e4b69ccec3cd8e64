"""oEmbed and the sitemap: how other sites and search engines find a panel."""

from __future__ import annotations

from urllib.parse import urlsplit
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


def oembed_discovery_url(panel: Panel) -> str:
    """The oEmbed URL that describes ``panel``'s page (for ``<link rel="alternate">``)."""
    return absolute_for("sharing.oembed", url=panel_url(panel), format="json")


def iframe_html(panel: Panel, width: int, height: int) -> str:
    """The ``<iframe>`` other sites paste: one definition for oEmbed and the page's embed box."""
    return (
        f'<iframe src="{escape(embed_url(panel))}" width="{width}" height="{height}" '
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
    html = iframe_html(panel, width, height)
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
    if media.poster_url:
        data.update(
            thumbnail_url=absolute(media.poster_url),
            thumbnail_width=media.poster.width or media.width,
            thumbnail_height=media.poster.height or media.height,
        )
    response = jsonify(data)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


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
