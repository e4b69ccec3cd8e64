"""Objects as the API shows them: exactly what the public pages show, field by field.

Fields are listed one by one, never copied from a model, so nothing private
(commenters' e-mail addresses, drafts, the views a panelist did not consent
to, held comments) can slip out when a model grows a column. The OpenAPI
document (``openapi.py``) describes the same objects with
``additionalProperties: false``, and the schemathesis test holds the two
together.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from ..discussion.models import Comment
from ..events.models import Event, Panel, Panelist, Seat, View
from ..events.stats import total_views
from ..feeds.entries import portrait_url
from ..recordings.media_urls import caption_url, media_url
from ..recordings.opening import VIEW_LABELS
from ..recordings.player import PlayerMedia, player_media
from ..recordings.serving import content_type_for
from ..rendering import render_markdown
from ..times import clock
from ..urls import absolute, absolute_for, panel_url


def _when(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def _html(markdown: str) -> str:
    return str(render_markdown(markdown)) if markdown else ""


def event_summary(event: Event, panel_count: int | None = None) -> dict:
    data = {
        "slug": event.slug,
        "name": event.name,
        "starts_on": _when(event.starts_on),
        "ends_on": _when(event.ends_on),
        "place": event.place,
        "host_organisation": event.host_organisation,
        "url": absolute_for("events.event", slug=event.slug),
        "api_url": absolute_for("api.event", event_slug=event.slug),
        "feed_url": absolute_for("feeds.event_feed", event_slug=event.slug),
        "podcast_url": absolute_for("feeds.podcast", event_slug=event.slug),
    }
    if panel_count is not None:
        data["panel_count"] = panel_count
    return data


def event_detail(event: Event, panels: list[Panel]) -> dict:
    return {
        **event_summary(event, len(panels)),
        "description_html": _html(event.description),
        "panels": [panel_summary(p) for p in panels],
    }


def person_summary(person: Panelist) -> dict:
    return {
        "slug": person.slug,
        "name": person.name,
        "headline": person.headline,
        "portrait_url": portrait_url(person),
        "url": absolute_for("events.panelist", slug=person.slug),
        "api_url": absolute_for("api.panelist", panelist_slug=person.slug),
    }


def seat_summary(seat: Seat) -> dict:
    return {**person_summary(seat.panelist), "role": seat.role.value}


def panel_summary(panel: Panel, media: PlayerMedia | None = None) -> dict:
    media = media or player_media(panel)
    return {
        "slug": panel.slug,
        "title": panel.title,
        "event": {"slug": panel.event.slug, "name": panel.event.name},
        "starts_at": _when(panel.starts_at),
        "venue": panel.venue,
        "published_at": _when(panel.publish_at),
        "duration": media.duration if media else None,
        "poster_url": absolute(media.poster_url) if media and media.poster_url else None,
        "panelists": [seat_summary(seat) for seat in panel.seats],
        "url": panel_url(panel),
        "api_url": absolute_for("api.panel", event_slug=panel.event.slug, panel_slug=panel.slug),
    }


def panel_detail(panel: Panel, comment_count: int) -> dict:
    media = player_media(panel)
    return {
        **panel_summary(panel, media),
        "abstract_html": _html(panel.abstract),
        "credits": panel.credit_lines,
        "comments_open": panel.comments_open,
        "comment_count": comment_count,
        "view_count": total_views(panel),
        "embed_url": absolute_for("embed.panel", event_slug=panel.event.slug, slug=panel.slug),
        "comments_url": absolute_for("api.comments", event_slug=panel.event.slug, panel_slug=panel.slug),
        "media": media_detail(panel, media) if media else None,
    }


def media_detail(panel: Panel, media: PlayerMedia) -> dict:
    """The ready recording as the player offers it: the consented views, and the
    downloads when the organiser offers downloads."""
    url = lambda path: absolute(path) if path else None  # noqa: E731
    views = [
        {"view": name, "label": VIEW_LABELS[View(name)], "hls_url": url(source["hls"]), "file_url": url(source["file"])}
        for name, source in media.view_sources().items()
    ]
    downloads = []
    if panel.downloads_enabled:
        files = [*media.mp4s, *([media.audio] if media.audio else [])]
        downloads = [
            {
                "label": "Audio only" if r is media.audio else r.label,
                "type": content_type_for(r.storage_key),
                "size_bytes": r.size_bytes,
                "width": r.width,
                "height": r.height,
                "url": absolute(media_url(r.storage_key)),
            }
            for r in files
        ]
    chapters = [
        {
            "start": item["chapter"].start,
            "clock": item["clock"],
            "title": item["chapter"].title,
            "panelist": item["panelist"].slug if item["panelist"] else None,
            "url": panel_url(panel, t=item["seconds"]),
        }
        for item in media.chapter_list
    ]
    return {
        "duration": media.duration,
        "duration_clock": clock(media.duration) if media.duration else None,
        "default_view": media.view.value,
        "poster_url": url(media.poster_url),
        "views": views,
        "downloads": downloads,
        "captions": [
            {"language": c.language, "label": c.label, "url": absolute(caption_url(c))} for c in media.captions
        ],
        "chapters": chapters,
        "chapters_url": absolute_for("feeds.chapters", event_slug=panel.event.slug, slug=panel.slug)
        if media.chapters
        else None,
    }


def panelist_detail(person: Panelist, panels: list[Panel]) -> dict:
    return {
        **person_summary(person),
        "bio_html": _html(person.bio),
        "links": person.link_list,
        "panels": [panel_summary(p) for p in panels],
    }


def comment(row: Comment, visible_parents: set[int]) -> dict:
    """An approved comment. ``parent_id`` names only a parent the public sees too."""
    return {
        "id": row.id,
        "parent_id": row.parent_id if row.parent_id in visible_parents else None,
        "author_name": row.author_name,
        "author_website": row.author_website or None,
        "badge": row.badge or None,
        "body_html": row.body_html,
        "video_time": row.video_time,
        "created_at": _when(row.created_at),
        "edited_at": _when(row.edited_at),
        "url": absolute(url_for("discussion.permalink", comment_id=row.id)),
    }
