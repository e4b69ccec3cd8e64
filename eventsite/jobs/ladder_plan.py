"""What a recording's ladder is made of: the one plan the transcode and each of its chunks work from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .. import transcode
from ..events.artwork import panel_artwork
from ..recordings.models import Recording
from . import runtime


def plan_for(recording: Recording, info: transcode.MediaInfo, workdir: Path) -> transcode.Plan:
    """The plan of ``recording``'s rendition set from its probe facts and the settings.

    The same facts give the same plan on every worker, so a chunk encoded on one machine
    joins the chunks of another.
    """
    cfg = runtime.app.config
    # Audio-only talks still get a picture: the panel's title card as a still video.
    artwork = str(panel_artwork(recording.panel, workdir / "artwork.png")) if info.video is None else None
    plan = transcode.plan_renditions(
        info,
        ladder=tuple(cfg["TRANSCODE_LADDER"]),
        cartoon=recording.panel.cartoon_enabled,
        cartoon_height=cfg["CARTOON_HEIGHT"],
        artwork=artwork,
    )
    if recording.poster_time is not None and plan.poster_time is not None:
        # Keep the organiser's chosen poster frame across re-transcodes.
        plan = dataclasses.replace(plan, poster_time=min(recording.poster_time, info.duration))
    return plan
