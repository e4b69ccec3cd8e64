"""Clip routes: ask for a clip of a panel, watch it, embed it; the studio's list.

Thin views: load (the one panel loader; :func:`load_clip` for clips), check
access, call one operation, render or redirect.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from ..events.loader import load_panel, resolve_panel
from ..events.models import Panel
from ..extensions import db, limiter
from ..jobs import queue_clip
from ..recordings.access import viewer_manages_event
from ..recordings.media_urls import media_url
from ..recordings.opening import VIEW_LABELS
from ..recordings.player import player_media
from ..security import content_security_policy
from ..studio.loaders import panel_or_404
from ..times import clock, url_time
from ..urls import absolute, absolute_for, panel_url
from .models import Clip, ClipStatus
from .operations import ClipRefused, check_request, clip_choices, clip_is_public, clips_of, request_clip

bp = Blueprint("clips", __name__)


def load_clip(clip_id: int) -> Clip:
    """The clip ``clip_id`` for this visitor.

    :raise 404: no such clip; or, for the public, a clip whose panel is not
        public or whose view a panelist no longer agrees to (organisers of
        the panel's event see it all the same).
    """
    clip = db.session.get(Clip, clip_id)
    if clip is None or not (clip_is_public(clip) or viewer_manages_event(clip.recording.panel.event_id)):
        abort(404)
    return clip


@dataclass
class ClipPage:
    """What ``templates/clips/clip.html`` shows."""

    clip: Clip
    panel: Panel
    video_url: str | None
    poster_url: str | None
    embed_url: str
    page_url: str
    #: The full panel at the clip's first moment.
    moment_url: str
    #: The quote in speaker turns: [{"speaker", "text"}].
    turns: list[dict]
    view_label: str
    times: str
    #: The quoted words are unchecked automatic captions: every place that shows them says so.
    draft: bool = False


def _turns(quote: list[dict]) -> list[dict]:
    turns: list[dict] = []
    for cue in quote or []:
        if turns and turns[-1]["speaker"] == cue.get("speaker", ""):
            turns[-1]["text"] += " " + cue["text"]
        else:
            turns.append({"speaker": cue.get("speaker", ""), "text": cue["text"]})
    return turns


def clip_page(clip: Clip) -> ClipPage:
    panel = clip.recording.panel
    query = {"t": url_time(clip.start)}
    if clip.view is not panel.default_view:
        query["view"] = clip.view.value
    return ClipPage(
        clip=clip,
        panel=panel,
        video_url=absolute(media_url(clip.video_key)) if clip.is_ready else None,
        poster_url=absolute(media_url(clip.poster_key)) if clip.is_ready and clip.poster_key else None,
        embed_url=absolute_for("clips.embed", clip_id=clip.id),
        page_url=absolute_for("clips.clip", clip_id=clip.id),
        moment_url=panel_url(panel, **query),
        turns=_turns(clip.quote),
        view_label=VIEW_LABELS[clip.view],
        times=f"{clock(clip.start)}–{clock(clip.end)}",
        draft=clip.quote_is_draft,
    )


def _refused(panel: Panel, refusal: ClipRefused):
    """The form again, with the reason and the visitor's own values; nothing was stored."""
    choices = clip_choices(panel, player_media(panel))
    page = render_template(
        "clips/new.html", panel=panel, event=panel.event, choices=choices, message=refusal.message, form=request.form
    )
    return page, refusal.status


@bp.errorhandler(429)
def rate_limited(_error):
    """Too many clips from one address: said in the clip's own words (only ``create`` is limited)."""
    message = "You have asked for many clips in a short time. Please wait a while and try again."
    return render_template("errors/error.html", code=429, title="Slow down", message=message), 429


@bp.route("/events/<event_slug>/<slug>/clips", methods=["GET"])
def new(event_slug: str, slug: str):
    """The clip form on its own page (what a visitor without JavaScript can also use).

    :raise 404: unknown or unpublished panel.
    """
    panel = load_panel(event_slug, slug, endpoint="clips.new")
    media = player_media(panel)
    choices = clip_choices(panel, media, media.start_time() if media else None)
    return render_template("clips/new.html", panel=panel, event=panel.event, choices=choices, message=None, form={})


def _manages_requested_panel() -> bool:
    """Whether the visitor manages the event of the panel in this request's URL: only its own
    organisers (cookie or token) pass the clips-off switch and the rate limit, not every organiser."""
    args = request.view_args or {}
    panel = resolve_panel(args.get("event_slug", ""), args.get("slug", ""))
    return panel is not None and viewer_manages_event(panel.event_id)


@bp.route("/events/<event_slug>/<slug>/clips", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["CLIP_RATE_LIMIT"],
    exempt_when=_manages_requested_panel,
    # Only a new render costs anything: refusals and reused clips are free.
    deduct_when=lambda response: getattr(response, "clip_queued", False),
)
def create(event_slug: str, slug: str):
    """Ask for a clip; redirect to its page (a new one, or the identical one that exists).

    :raise 404: unknown or unpublished panel (drafts included).
    """
    panel = load_panel(event_slug, slug)
    try:
        req = check_request(panel, request.form, organiser=viewer_manages_event(panel.event_id))
    except ClipRefused as refusal:
        return _refused(panel, refusal)
    clip, queued = request_clip(req)
    if queued:
        queue_clip(clip)
    response = redirect(url_for(".clip", clip_id=clip.id), 303)
    response.clip_queued = queued  # read by the rate limit's deduct_when
    return response


@bp.route("/clips/<int:clip_id>/")
def clip(clip_id: int):
    """The clip's page; while it renders, a status page that refreshes itself.

    :raise 404: see :func:`load_clip`.
    """
    found = load_clip(clip_id)
    return render_template("clips/clip.html", page=clip_page(found), panel=found.recording.panel, clip=found)


@bp.route("/clips/<int:clip_id>/status.json")
def status(clip_id: int):
    """How far rendering has got, for the clip page's poll.

    :raise 404: see :func:`load_clip`.
    """
    found = load_clip(clip_id)
    return {"status": found.status.value, "progress": round(found.progress, 3)}


@bp.route("/clips/<int:clip_id>/embed")
def embed(clip_id: int):
    """The clip alone, for Twitter's player card and other sites' iframes.

    :raise 404: see :func:`load_clip`; also while the clip is not ready.
    """
    found = load_clip(clip_id)
    if found.status is not ClipStatus.READY:
        abort(404)
    response = make_response(render_template("clips/embed.html", page=clip_page(found), clip=found))
    response.headers["Content-Security-Policy"] = content_security_policy(embed=True)
    return response


@bp.route("/studio/panels/<int:panel_id>/clips")  # closed by the studio's one guard
def studio(panel_id: int):
    """A panel's clips for its organisers, with the same form as the public's.

    :raise 404: no such panel, or one of an event this organiser does not manage.
    """
    panel = panel_or_404(panel_id)
    choices = clip_choices(panel, player_media(panel))
    return render_template("clips/studio.html", panel=panel, choices=choices, clips=clips_of(panel))
