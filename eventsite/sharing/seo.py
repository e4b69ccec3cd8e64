"""What search engines and social sites read: schema.org VideoObject JSON-LD and the sitemap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, url_for

from ..events.models import Event, Panel
from ..events.stats import total_views
from ..extensions import db
from ..recordings.media_urls import media_url
from ..recordings.player import player_media
from ..rendering import render_markdown
from ..times import iso_duration
from ..urls import absolute, embed_url, panel_url

#: Transcripts are long; search engines read the start. Keep the page light.
MAX_TRANSCRIPT_CHARS = 20_000


def video_object(media) -> dict:
    """schema.org VideoObject for a panel's ready recording (``media`` is a PlayerMedia)."""
    panel, recording = media.panel, media.recording
    uploaded: datetime = panel.publish_at or recording.created_at
    data: dict = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": panel.title,
        "description": _description(panel),
        "uploadDate": uploaded.isoformat(),
        "url": panel_url(panel),
        "embedUrl": embed_url(panel),
        "publisher": {
            "@type": "Organization",
            "name": panel.event.host_organisation or current_app.config["SITE_NAME"],
        },
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": {"@type": "WatchAction"},
            "userInteractionCount": total_views(panel),
        },
    }
    if media.poster:
        data["thumbnailUrl"] = [absolute(media_url(media.poster.storage_key))]
    if media.duration:
        data["duration"] = iso_duration(media.duration)
    if media.mp4s:
        data["contentUrl"] = absolute(media_url(media.mp4s[0].storage_key))
        data["width"], data["height"] = media.width, media.height
    if media.chapters:
        data["hasPart"] = [
            {
                "@type": "Clip",
                "name": item["chapter"].title,
                "startOffset": round(item["chapter"].start),
                **({"endOffset": round(item["end"])} if item["end"] is not None else {}),
                "url": panel_url(panel, t=round(item["chapter"].start)),
            }
            for item in media.chapter_list
        ]
    transcript = " ".join(cue.plain_text for cue in media.transcript)
    if transcript:
        data["transcript"] = transcript[:MAX_TRANSCRIPT_CHARS]
    return data


def _description(panel: Panel) -> str:
    text = render_markdown(panel.abstract).striptags() if panel.abstract else ""
    return (text or f"{panel.title}, a panel at {panel.event.name}.")[:2000]


@dataclass
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    videos: list[dict] = field(default_factory=list)


def sitemap_entries() -> list[SitemapEntry]:
    """The home page, every event with listed panels, and every listed panel with its video."""
    entries = [SitemapEntry(absolute(url_for("events.home")))]
    listed = db.session.scalars(
        sa.select(Panel).join(Panel.event).where(Panel.is_listed()).order_by(Event.id, Panel.id)
    ).all()
    for event in dict.fromkeys(p.event for p in listed):
        entries.append(SitemapEntry(absolute(url_for("events.event", slug=event.slug))))
    for panel in listed:
        entry = SitemapEntry(panel_url(panel), lastmod=panel.updated_at)
        media = player_media(panel)
        if media and media.poster:
            entry.videos.append(
                {
                    "thumbnail_loc": absolute(media_url(media.poster.storage_key)),
                    "title": panel.title,
                    "description": _description(panel),
                    "content_loc": absolute(media_url(media.mp4s[0].storage_key)) if media.mp4s else None,
                    "player_loc": embed_url(panel),
                    "duration": round(media.duration) if media.duration else None,
                    "publication_date": (panel.publish_at or media.recording.created_at).isoformat(),
                }
            )
        entries.append(entry)
    return entries
