"""Quick publish: a web-ready upload's picture copied, not encoded, so the panel is watchable at once.

Most organisers upload an H.264 MP4 from an editor or a camera that every
browser could already play; encoding it again takes longer than the recording
lasts on a small server (bench/RESULTS.md). When the probe facts say the
picture is one the ladder would keep as it is (:func:`web_ready_refusal`), its
packets are copied into one rung: an HLS fMP4 rendition and a faststart MP4,
beside the sound pass's normalised AAC. Copying reads the file once and writes
it twice, seconds for an hour. The full ladder follows and replaces the set.

PeerTube does the same for web-ready files ("quick transcode", which also
copies the audio); we still re-encode the sound alone, so it is normalised.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import ffmpeg

from . import command
from .codecs import DECODER_WHITELIST
from .errors import TranscodeError
from .mediainfo import MediaInfo
from .plan import Plan, output_fps
from .settings import TranscodeSettings

#: the only picture every browser plays from a plain MP4 and through HLS
WEB_CODEC, WEB_PIX_FMT = "h264", "yuv420p"
#: the tallest rung the player starts on (it adapts from there; recordings/player.py)
START_HEIGHT = 720


class NotWebReady(TranscodeError):
    """The upload's picture must be encoded; ``message`` says why, in plain words."""


def web_ready_refusal(info: MediaInfo, plan: Plan) -> str | None:
    """Why the upload's picture cannot be copied as it is, or None when it can.

    Web-ready means what the ladder's top rung would keep unchanged: H.264 in
    4:2:0 (what browsers decode), the ladder's own size (never upscaled, never
    downscaled, square pixels, not rotated by metadata), a constant frame rate
    the ladder would not divide, and an average bit rate under the top rung's
    cap, so the stream plays where the encoded rung would. Any sound is fine:
    it is always re-encoded alone, normalised (sound.py).
    """
    video = info.video
    if video is None or plan.video_index is None or not plan.rungs:
        return "There is no picture to copy."
    if video.codec != WEB_CODEC:
        return f"The picture is {video.codec}, not H.264, so it must be converted before browsers can play it."
    if video.pix_fmt != WEB_PIX_FMT:
        return f"The picture's colour format is {video.pix_fmt}; browsers need {WEB_PIX_FMT}."
    top = plan.rungs[0]
    if video.rotation:
        return "The picture is turned by metadata, which not every player follows; it is turned upright by converting."
    size = (top.width, top.height)
    if (video.width, video.height) != size or (video.display_width, video.display_height) != size:
        return (
            f"The picture is {video.width}x{video.height}; the ladder's top rung is {top.width}x{top.height}, "
            "so it is resized by converting."
        )
    avg, base = _rate(video.avg_frame_rate), _rate(video.r_frame_rate)
    if avg is None or avg != base or output_fps(video.avg_frame_rate, video.r_frame_rate) != avg:
        return f"The frame rate ({video.avg_frame_rate}) is variable or above 60, so it is evened out by converting."
    bitrate = video.bitrate or (round(info.size * 8 / info.duration) if info.duration > 0 else None)
    if bitrate is None or bitrate > top.maxrate:
        shown = f"{bitrate / 1e6:.1f}" if bitrate else "an unknown"
        return (
            f"The picture uses {shown} Mb/s; streaming at {top.label} allows {top.maxrate / 1e6:.1f} Mb/s, "
            "so it is made smaller by converting."
        )
    return None


def plan_quick(info: MediaInfo, plan: Plan) -> Plan:
    """The quick set of ``plan``: its top rung copied from the upload, the sound and a poster, nothing else.

    :raise NotWebReady: with :func:`web_ready_refusal`'s reason.
    """
    refusal = web_ready_refusal(info, plan)
    if refusal is not None:
        raise NotWebReady(refusal)
    return dataclasses.replace(plan, rungs=plan.rungs[:1], cartoon=None, storyboard=None, copy_picture=True)


def first_rung(plan: Plan, start_height: int = START_HEIGHT) -> Plan:
    """The set that makes an upload that is not web-ready watchable first: the one rung the
    player starts on (the tallest not above ``start_height``), encoded, with the sound and a poster.

    The full ladder follows and replaces it, as it replaces a quick set.
    """
    fitting = [r for r in plan.rungs if r.height <= start_height] or [min(plan.rungs, key=lambda r: r.height)]
    rung = max(fitting, key=lambda r: r.height)
    return dataclasses.replace(plan, rungs=(rung,), cartoon=None, storyboard=None)


def first_rung_settings(settings: TranscodeSettings) -> TranscodeSettings:
    """``settings`` for encoding :func:`first_rung`'s set: x264 at ``settings.first_rung_preset``.

    Everything else stays: the same CRF and rung cap, keyframes at the segment
    interval, the same layout, so the player needs nothing new when it swaps in.
    """
    return dataclasses.replace(settings, preset=settings.first_rung_preset)


def quick_argv(input_path: str | Path, plan: Plan, settings: TranscodeSettings | None = None) -> list[str]:
    """One ffmpeg that copies the upload's picture and the sound pass's AAC into HLS and a faststart MP4.

    The same tee slaves and relative paths as the ladder's run (command.py),
    so the quick set is laid out like the full one and the player needs nothing new.
    """
    settings = settings or TranscodeSettings()
    assert plan.copy_picture and plan.video_index is not None, "plan_quick() makes the quick plan"
    source = ffmpeg.input(
        f"file:{Path(input_path).resolve()}",
        format=plan.demuxer,
        protocol_whitelist="file",
        codec_whitelist=DECODER_WHITELIST,
    )
    streams = [source[str(plan.video_index)]]
    if (sound := command.sound_input(plan)) is not None:
        streams.append(sound)
    options = {"c:v": "copy", "c:a": "copy", "map_metadata": -1, "map_chapters": -1}
    out = ffmpeg.output(*streams, command.tee_target(plan, settings), format="tee", **options)
    return [settings.ffmpeg, *command.GLOBAL_FLAGS, *ffmpeg.get_args(out)]


def _rate(text: str) -> Fraction | None:
    num, _, den = text.partition("/")
    if not (num.isdigit() and (den or "1").isdigit()) or int(num) == 0 or int(den or 1) == 0:
        return None
    return Fraction(int(num), int(den or 1))
