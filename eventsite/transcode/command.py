"""Build the single ffmpeg invocation that makes every rendition of a recording.

The input is decoded once. Its picture goes through ``fps`` (one constant rate
for every branch, so keyframes line up) and is ``split`` to each ladder rung,
the storyboard thumbnails and the cartoon. Each rung is encoded once and the
``tee`` muxer writes the same packets to the HLS set and to a faststart MP4.

Output paths are relative: run the argv with the working folder as its
current directory (``run_ffmpeg(argv, cwd=workdir)``). That keeps arbitrary
folder names out of tee and HLS option strings, where ``:``, ``|``, quotes and
``%`` all mean something.

ffmpeg-python builds the filter graph, maps and options; two things it cannot
express are done by hand: the global flags (placed first, for readability)
and the tee slave list with its two levels of escaping.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import ffmpeg

from .codecs import DECODER_WHITELIST
from .plan import Plan
from .run import QUIET_FLAGS
from .settings import TranscodeSettings

#: where each output goes inside the working folder
HLS_DIR = "hls"
MASTER_PLAYLIST = "hls/master.m3u8"
MP4_DIR = "mp4"
THUMBS_DIR = "thumbs"
THUMB_PATTERN = "thumbs/t%04d.jpg"
CARTOON_DIR = "cartoon"
#: HLS variant name of the audio group (folder hls/audio/)
AUDIO_VARIANT = "audio"

GLOBAL_FLAGS = (*QUIET_FLAGS, "-progress", "pipe:1")

#: cartoon look, cheap at 360p (see shared/notes/transcoding.md): denoise to
#: flatten texture, boost and posterise colour, multiply luma by inverted edges
CARTOON_LEVELS = "floor(val/40)*40+20"


def build_argv(input_path: str | Path, plan: Plan, settings: TranscodeSettings | None = None) -> list[str]:
    """The complete ffmpeg argv for ``plan``; outputs are relative to the cwd.

    The input is opened as ``file:<absolute path>`` with
    ``-protocol_whitelist file``, the probed demuxer forced by ``-f`` and
    ``-codec_whitelist`` limiting the decoders.
    """
    settings = settings or TranscodeSettings()
    source = ffmpeg.input(
        f"file:{Path(input_path).resolve()}",
        format=plan.demuxer,
        protocol_whitelist="file",
        # the decoders probe() allowed, and no others (see codecs.py)
        codec_whitelist=DECODER_WHITELIST,
    )
    audio = source[str(plan.audio_index)] if plan.has_audio else None
    outputs = []
    if plan.video_index is not None:
        outputs += _video_outputs(source[str(plan.video_index)], audio, plan, settings)
    elif plan.artwork and plan.rungs:
        outputs.append(_artwork_output(audio, plan, settings))
    for rendition in plan.audio:
        if rendition.codec != "aac" or not plan.rungs:
            outputs.append(_audio_file_output(audio, rendition))
    args = ffmpeg.get_args(ffmpeg.merge_outputs(*outputs))
    threads = ["-filter_complex_threads", str(settings.filter_threads)] if settings.filter_threads else []
    return [settings.ffmpeg, *GLOBAL_FLAGS, *threads, *args]


def output_dirs(plan: Plan) -> list[str]:
    """Folders the run writes into that ffmpeg will not create itself."""
    dirs = [MP4_DIR] if plan.rungs else []
    if plan.storyboard:
        dirs.append(THUMBS_DIR)
    if plan.cartoon:
        dirs.append(CARTOON_DIR)
    return dirs


def rung_mp4(label: str) -> str:
    """Relative path of a rung's MP4."""
    return f"{MP4_DIR}/{label}.mp4"


def cartoon_mp4(plan: Plan) -> str:
    """Relative path of the cartoon MP4."""
    assert plan.cartoon is not None
    return f"{CARTOON_DIR}/{plan.cartoon.label}.mp4"


def hls_variant_playlist(name: str) -> str:
    """Relative path of one HLS variant's media playlist."""
    return f"{HLS_DIR}/{name}/index.m3u8"


def _video_outputs(picture, audio, plan: Plan, settings: TranscodeSettings) -> list:
    """Ladder (tee to HLS + MP4), thumbnails and cartoon from one decode."""
    # one constant rate before the split: VFR phone clips become CFR and every
    # rung gets the same frames, so -g puts keyframes at the same instants
    branches = picture.filter("fps", fps=plan.fps).split()
    rungs = [branches[i].filter("scale", r.width, r.height).filter("setsar", 1) for i, r in enumerate(plan.rungs)]
    outputs = [_ladder_output(rungs, audio, plan, settings)]
    next_branch = len(rungs)
    if plan.storyboard:
        board = plan.storyboard
        every = Fraction(board.interval).limit_denominator(1000)
        thumbs = (
            branches[next_branch]
            .filter("fps", fps=f"{every.denominator}/{every.numerator}")
            .filter("scale", board.thumb_width, board.thumb_height)
            .filter("setsar", 1)
        )
        next_branch += 1
        outputs.append(
            ffmpeg.output(
                thumbs,
                THUMB_PATTERN,
                format="image2",
                fps_mode="passthrough",
                start_number=0,
                **{"q:v": settings.jpeg_quality},
            )
        )
    if plan.cartoon:
        outputs.append(_cartoon_output(branches[next_branch], audio, plan, settings))
    return outputs


def _ladder_output(rungs: list, audio, plan: Plan, settings: TranscodeSettings):
    """Every rung plus the audio, through tee to HLS, MP4s and audio.m4a."""
    options: dict[str, object] = {
        **_x264_options(plan, settings, settings.crf),
        # tee needs codec headers out of band for both fMP4 and MP4 slaves
        "flags:v": "+global_header",
    }
    for i, rung in enumerate(plan.rungs):
        options[f"maxrate:v:{i}"] = rung.maxrate
        options[f"bufsize:v:{i}"] = rung.bufsize
    streams = list(rungs)
    if audio is not None:
        streams.append(audio)
        options.update(_aac_options(plan))
    if plan.artwork:
        options["tune"] = "stillimage"
    return ffmpeg.output(*streams, _tee_target(plan, settings), format="tee", **options)


def _tee_target(plan: Plan, settings: TranscodeSettings) -> str:
    has_audio = plan.has_audio
    slaves = []
    for i, rung in enumerate(plan.rungs):
        select = f"v:{i},a" if has_audio else f"v:{i}"
        slaves.append(_tee_slave(rung_mp4(rung.label), select=select, **_MP4_SLAVE))
    if has_audio and any(a.codec == "aac" for a in plan.audio):
        relpath = next(a.relpath for a in plan.audio if a.codec == "aac")
        slaves.append(_tee_slave(relpath, select="a", **_MP4_SLAVE))
    variants = [
        f"v:{i},agroup:aud,name:{r.label}" if has_audio else f"v:{i},name:{r.label}" for i, r in enumerate(plan.rungs)
    ]
    if has_audio:
        variants.insert(0, f"a:0,agroup:aud,name:{AUDIO_VARIANT}")
    slaves.append(
        _tee_slave(
            hls_variant_playlist("%v"),
            f="hls",
            hls_time=settings.segment_seconds,
            hls_playlist_type="vod",
            hls_segment_type="fmp4",
            hls_flags="independent_segments",
            hls_segment_filename=f"{HLS_DIR}/%v/seg%03d.m4s",
            master_pl_name=Path(MASTER_PLAYLIST).name,
            var_stream_map=" ".join(variants),
            onfail="abort",
        )
    )
    return "|".join(slaves)


_MP4_SLAVE = {"f": "mp4", "movflags": "+faststart", "onfail": "abort"}


def _tee_slave(path: str, **options: object) -> str:
    """One ``[opt=value:...]path`` slave, escaped for both tee parsing levels.

    Level 2 (the ``[...]`` options) splits on ``:`` and ``]``, so values with
    those, commas or spaces are single-quoted. Level 1 (the ``|`` list) then
    takes backslashes and quotes, so both are escaped again for it.
    """
    pairs = ":".join(f"{key}={_quote(str(value))}" for key, value in options.items())
    return re.sub(r"([\\'|])", r"\\\1", f"[{pairs}]{path}")


def _quote(value: str) -> str:
    if re.search(r"[:\]\[,\s'\\|]", value):
        return "'" + value.replace("'", "'\\''") + "'"
    return value


def _cartoon_output(picture, audio, plan: Plan, settings: TranscodeSettings):
    """Flat saturated colours with ink outlines, as one faststart MP4."""
    cartoon = plan.cartoon
    assert cartoon is not None
    smooth = (
        picture.filter("scale", cartoon.width, cartoon.height)
        .filter("setsar", 1)
        .filter("format", "yuv420p")
        .filter("hqdn3d", 4, 3, 6, 4)
        .split()
    )
    flat = smooth[0].filter("eq", saturation=1.6).filter("lutyuv", y=CARTOON_LEVELS)
    ink = smooth[1].filter("sobel", planes=1, scale=2).filter("negate")
    # multiply only the luma by the inverted edges: multiplying chroma too
    # would shift every colour towards green
    look = ffmpeg.filter([flat, ink], "blend", c0_mode="multiply", c1_mode="normal", c2_mode="normal")
    options = {
        **_x264_options(plan, settings, settings.cartoon_crf),
        "maxrate": cartoon.maxrate,
        "bufsize": cartoon.bufsize,
        "movflags": "+faststart",
    }
    streams = [look]
    if audio is not None:
        streams.append(audio)
        options.update(_aac_options(plan))
    return ffmpeg.output(*streams, cartoon_mp4(plan), format="mp4", **options)


def _artwork_output(audio, plan: Plan, settings: TranscodeSettings):
    """Audio-only recording with a still picture: one cheap 1 fps rung."""
    rung = plan.rungs[0]
    still = ffmpeg.input(
        f"file:{Path(plan.artwork or '').resolve()}",
        format="image2",
        pattern_type="none",
        loop=1,
        framerate=plan.fps,
        # the looped image is endless; stop it where the sound stops
        t=f"{plan.duration:.3f}",
        protocol_whitelist="file",
    )
    picture = (
        still.video.filter("scale", rung.width, rung.height, force_original_aspect_ratio="decrease")
        .filter("pad", rung.width, rung.height, "(ow-iw)/2", "(oh-ih)/2")
        .filter("setsar", 1)
    )
    return _ladder_output([picture], audio, plan, settings)


def _audio_file_output(audio, rendition):
    """A standalone audio file (audio-only recordings, or the MP3)."""
    options: dict[str, object] = {
        "b:a": rendition.bitrate,
        "ac": rendition.channels,
        "ar": rendition.sample_rate,
        "map_metadata": -1,
    }
    if rendition.codec == "aac":
        options.update({"c:a": "aac", "movflags": "+faststart", "format": "mp4"})
    else:
        options.update({"c:a": "libmp3lame", "format": "mp3"})
    return ffmpeg.output(audio, rendition.relpath, **options)


def _x264_options(plan: Plan, settings: TranscodeSettings, crf: int) -> dict:
    return {
        "c:v": "libx264",
        "preset": settings.preset,
        "crf": crf,
        "pix_fmt": "yuv420p",
        # fixed GOP, no scene-cut keyframes: identical keyframe times on every
        # rung, which HLS needs to switch rungs at segment boundaries
        "g": plan.gop,
        "keyint_min": plan.gop,
        "sc_threshold": 0,
        # uploads carry camera metadata (GPS, device); publish none of it
        "map_metadata": -1,
        "map_chapters": -1,
    }


def _aac_options(plan: Plan) -> dict:
    aac = next((a for a in plan.audio if a.codec == "aac"), None)
    return {
        "c:a": "aac",
        "b:a": aac.bitrate if aac else 128_000,
        "ac": 2,
        "ar": aac.sample_rate if aac else 48000,
    }
