"""oEmbed, the sitemap, the view-count beacon and caption files."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..events import seo, stats
from ..events.models import Event, Panel
from ..extensions import db, limiter
from ..recordings.access import viewer_is_organiser
from ..recordings.models import Caption, Recording
from ..recordings.ranges import file_response
from ..recordings.serving import PRIVATE_CACHE, PUBLIC_CACHE
from ..storage import StorageError, media_store
from .player import player_media

bp = Blueprint("api", __name__)

#: Largest player an oEmbed consumer gets when it names no maximum.
OEMBED_DEFAULT_WIDTH = 640


def public_panel(event_slug: str, slug: str, *, organisers_too: bool = False) -> Panel:
    """The panel at these slugs if this visitor may see it.

    :raise 404: unknown, or not public (and, with ``organisers_too``, not signed in).
    """
    panel = db.session.scalar(sa.select(Panel).join(Panel.event).where(Event.slug == event_slug, Panel.slug == slug))
    if panel is None or not (panel.is_public() or (organisers_too and viewer_is_organiser())):
        abort(404)
    return panel


def oembed_discovery_url(panel: Panel) -> str:
    """The oEmbed URL that describes ``panel``'s page (for ``<link rel="alternate">``)."""
    return seo.absolute(url_for("api.oembed", url=seo.panel_url(panel), format="json"))


def _panel_for_url(url: str) -> Panel:
    """The public panel that a panel or embed URL of this site names.

    :raise 404: another site, another page, or a panel that is not public.
    """
    parts = urlsplit(url or "")
    ours = {urlsplit(current_app.config["BASE_URL"]).netloc, request.host}
    if parts.scheme not in ("http", "https") or parts.netloc not in ours:
        abort(404)
    try:
        endpoint, args = current_app.url_map.bind(parts.netloc).match(parts.path or "/", method="GET")
    except HTTPException:
        abort(404)
    if endpoint not in ("events.panel", "embed.panel"):
        abort(404)
    return public_panel(args["event_slug"], args["slug"])


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
    html = (
        f'<iframe src="{escape(seo.embed_url(panel))}" width="{width}" height="{height}" '
        f'title="{escape(panel.title)}" frameborder="0" allow="fullscreen; picture-in-picture" '
        "allowfullscreen></iframe>"
    )
    data = {
        "version": "1.0",
        "type": "video",
        "title": panel.title,
        "author_name": panel.event.name,
        "author_url": seo.absolute(url_for("events.event", slug=panel.event.slug)),
        "provider_name": current_app.config["SITE_NAME"],
        "provider_url": seo.absolute(url_for("events.home")),
        "html": html,
        "width": width,
        "height": height,
        "cache_age": 3600,
    }
    if media.poster_url:
        data.update(
            thumbnail_url=seo.absolute(media.poster_url),
            thumbnail_width=media.poster.width or media.width,
            thumbnail_height=media.poster.height or media.height,
        )
    response = jsonify(data)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/api/panels/<int:panel_id>/views", methods=["POST"])
# One address can't run up a count by looping the beacon (changing User-Agent each time).
@limiter.limit("20 per hour")
def count_view(panel_id: int):
    """The player's "playback started" beacon; counts once a day per visitor.

    :raise 404: unknown or unpublished panel.
    """
    panel = db.session.get(Panel, panel_id)
    if panel is None or not panel.is_public():
        abort(404)
    stats.record_view(panel, request.remote_addr or "", request.headers.get("User-Agent", ""))
    return Response(status=204)


@bp.route("/captions/<int:caption_id>.vtt")
def caption_file(caption_id: int):
    """A caption track; public with its panel, else for organisers only.

    :raise 404: unknown caption, or a panel this visitor may not see.
    """
    caption = db.session.get(Caption, caption_id)
    if caption is None:
        abort(404)
    public = db.session.get(Recording, caption.recording_id).panel.is_public()
    if not public and not viewer_is_organiser():
        abort(404)
    try:
        path = media_store().path(caption.storage_key)
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    return file_response(path, "text/vtt; charset=utf-8", PUBLIC_CACHE if public else PRIVATE_CACHE)


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
