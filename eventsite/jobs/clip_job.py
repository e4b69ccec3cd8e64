"""The clip kind: render a quote clip, publish both files, point the row at them.

The runner (:mod:`.runner`) claims the ``Clip`` row, writes its heartbeat and
progress and finishes it, with the same attempt cap, backoff and redelivery
as every job. The clip is rendered in a temporary folder; its MP4 and poster
are moved into place under fresh names, and only then does the row point at
them, so nobody ever sees half a clip.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from pathlib import Path

from .. import transcode
from ..clips.models import Clip
from ..clips.operations import source_rendition
from ..clips.render import ClipSpec, captions_in, render_clip
from ..extensions import db
from ..storage import media_store, recording_key
from . import runtime


def clip_folder(clip: Clip) -> str:
    """Where a clip's files live: beside the recording's renditions, by view, so the
    media route can tell from the key alone which consent the file needs."""
    return recording_key(clip.recording_id, "clips", clip.view.value, str(clip.id))


def make_clip(clip: Clip, watcher) -> None:
    """Render ``clip`` and publish it.

    :raise TranscodeError: the view is no longer allowed or made, or ffmpeg failed (plain words).
    """
    with contextlib.ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="eventsite-clip-"))
        spec = _spec(clip, stack)
        settings = runtime.transcode_settings()
        result = render_clip(spec, Path(workdir) / "out", on_progress=watcher.on_progress, settings=settings)
        _publish(clip, result)


def _spec(clip: Clip, stack: contextlib.ExitStack) -> ClipSpec:
    """Gather the clip's facts for the renderer.

    :raise TranscodeError: the view is no longer allowed or made, or its file can't be read.
    """
    panel = clip.recording.panel
    if clip.view not in panel.public_views():
        raise transcode.TranscodeError("The panelists no longer agree to be shown this way.")
    rendition = source_rendition(clip.recording, clip.view)
    if rendition is None:
        raise transcode.TranscodeError("The version of the video this clip was cut from is not available any more.")
    # a rendition we made (not the upload), on this machine for ffmpeg while the stack lasts
    source = stack.enter_context(media_store().local_copy(rendition.storage_key))
    info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
    if info.video is None:
        raise transcode.TranscodeError("The version of the video this clip was cut from has no picture.")
    cues = [(q["start"], q["end"], q.get("speaker") or "", q["text"]) for q in clip.quote or []]
    return ClipSpec(
        source=source,
        demuxer=info.demuxer,
        source_width=info.video.display_width,
        source_height=info.video.display_height,
        has_audio=info.audio is not None,
        start=clip.start,
        end=min(clip.end, info.duration),
        shape=clip.shape,
        title=panel.title,
        event=panel.event.name,
        card_url=clip.card_url,
        site_name=runtime.app.config["SITE_NAME"],
        captions=captions_in(cues, clip.start, clip.end),
        draft_captions=clip.quote_is_draft,
        short_side=int(runtime.app.config["CLIP_SHORT_SIDE"]),
    )


def _publish(clip: Clip, result) -> None:
    """Move the files into place under fresh names, then point the row at them."""
    store = media_store()
    folder = clip_folder(clip)
    token = secrets.token_hex(4)  # a new name per render, so no cache mixes an old file with a new one
    old = [key for key in (clip.video_key, clip.poster_key) if key]
    poster_key, video_key = f"{folder}/{token}.jpg", f"{folder}/{token}.mp4"
    store.adopt(result.poster, poster_key)
    store.adopt(result.video, video_key)
    clip.poster_key, clip.video_key = poster_key, video_key
    clip.width, clip.height, clip.duration_seconds = result.width, result.height, result.duration
    clip.size_bytes = store.size(video_key)
    db.session.commit()
    for key in old:
        store.delete(key)
