"""The panel page's data, gathered once per request.

The panel view and a refused comment post (which shows the page again with
the visitor's form) both render through :func:`render_panel_page`, so the
page is complete whichever route answers, and templates never load data.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

from ..discussion.context import Discussion, load_discussion
from ..discussion.moments import comment_moments
from ..recordings.media_urls import media_url
from ..recordings.player import PlayerMedia, player_media
from ..sharing.seo import video_object
from ..sharing.views import iframe_html, oembed_discovery_url
from ..transcripts.page import Transcript, transcript_of
from ..urls import absolute, embed_url
from .models import Panel


@dataclass
class PanelPage:
    """Everything ``templates/events/panel.html`` shows."""

    panel: Panel
    media: PlayerMedia | None
    discussion: Discussion
    #: schema.org VideoObject, None without a ready recording.
    structured_data: dict | None
    oembed_url: str | None
    embed_url: str
    #: The ``<iframe>`` snippet offered under the player.
    embed_code: str
    #: Absolute URLs for Open Graph and Twitter cards.
    poster_url: str | None
    video_file_url: str | None
    #: Approved comments tied to moments, for the seek-bar markers ([] without a player).
    comment_moments: list[dict]
    #: The transcript in speaker turns (None without captions).
    transcript: Transcript | None = None


def panel_page(panel: Panel) -> PanelPage:
    """Build the page data for ``panel`` (the caller has checked access)."""
    media = player_media(panel, request.args.get("view"))
    poster = absolute(media.poster_url) if media and media.poster_url else None
    video_file = absolute(media_url(media.mp4s[0].storage_key)) if media and media.mp4s else None
    width = 640
    height = round(width * media.height / media.width) if media else 360
    return PanelPage(
        panel=panel,
        media=media,
        discussion=load_discussion(panel),
        structured_data=video_object(media) if media else None,
        oembed_url=oembed_discovery_url(panel) if media else None,
        embed_url=embed_url(panel),
        embed_code=iframe_html(panel, width, height),
        poster_url=poster,
        video_file_url=video_file,
        comment_moments=comment_moments(panel.id) if media else [],
        transcript=transcript_of(media),
    )


def render_panel_page(panel: Panel, status: int = 200):
    """The panel page as a response body and status."""
    page = panel_page(panel)
    body = render_template(
        "events/panel.html", page=page, panel=panel, event=panel.event, media=page.media, discussion=page.discussion
    )
    return body, status
