"""Build the single ffmpeg invocation that makes every rendition of a recording.

The input is decoded once. Its picture goes through ``fps`` (one constant rate
for every branch, so keyframes line up) and is ``split`` to each ladder rung,
the storyboard thumbnails and the cartoon. Each rung is encoded once and the
``tee`` muxer writes the same packets to the HLS set and to a faststart MP4.
The sound is not decoded here: the AAC the sound pass encoded once, already
loudness-normalised (sound.py), is copied into HLS, every MP4 and the cartoon.

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
    ``-codec_whitelist`` limiting the decoders. Its sound is not read: the
    normalised AAC the sound pass wrote into the cwd is copied instead.

    :raise ValueError: the plan has no picture (an audio-only recording without artwork).
    """
    settings = settings or TranscodeSettings()
    source = ffmpeg.input(
        f"file:{Path(input_path).resolve()}",
        format=plan.demuxer,
        protocol_whitelist="file",
        # the decoders probe() allowed, and no others (see codecs.py)
        codec_whitelist=DECODER_WHITELIST,
    )
    if not plan.rungs:
        raise ValueError("a plan without a picture has no main run: its sound is all (sound.py)")
    audio = sound_input(plan)
    if plan.video_index is not None:
        outputs = _video_outputs(source[str(plan.video_index)], audio, plan, settings)
    else:
        outputs = [_artwork_output(audio, plan, settings)]
    args = ffmpeg.get_args(ffmpeg.merge_outputs(*outputs))
    threads = ["-filter_complex_threads", str(settings.filter_threads)] if settings.filter_threads else []
    return [settings.ffmpeg, *GLOBAL_FLAGS, *threads, *args]


def sound_input(plan: Plan):
    """The sound pass's normalised AAC as a second input, to be copied (see sound.py); None without sound."""
    if not plan.has_audio:
        return None
    # ffmpeg starts every input at 0: a sound recorded after the picture started is delayed back
    delay = {"itsoffset": f"{plan.audio_offset:.3f}"} if plan.audio_offset else {}
    return ffmpeg.input(f"file:{sound_m4a(plan)}", format="mp4", protocol_whitelist="file", **delay).audio


def sound_m4a(plan: Plan) -> str:
    """Relative path of the AAC file the sound pass made, which the main run copies."""
    return next(a.relpath for a in plan.audio if a.codec == "aac")


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


def picture_branches(picture, plan: Plan) -> tuple[list, object | None, object | None]:
    """Split one constant-rate picture: a scaled stream per rung, then the storyboard's and
    the cartoon's unscaled branches (None when the plan has no such output)."""
    branches = picture.split()
    rungs = [branches[i].filter("scale", r.width, r.height).filter("setsar", 1) for i, r in enumerate(plan.rungs)]
    next_branch = len(rungs)
    board = branches[next_branch] if plan.storyboard else None
    next_branch += bool(plan.storyboard)
    cartoon = branches[next_branch] if plan.cartoon else None
    return rungs, board, cartoon


def thumbs_output(picked, plan: Plan, settings: TranscodeSettings, start_number: int = 0, pattern: str = THUMB_PATTERN):
    """The storyboard's thumbnails, one JPEG per frame of ``picked``, numbered from ``start_number``."""
    board = plan.storyboard
    assert board is not None
    thumbs = picked.filter("scale", board.thumb_width, board.thumb_height).filter("setsar", 1)
    return ffmpeg.output(
        thumbs, pattern, format="image2", fps_mode="passthrough", start_number=start_number,
        **{"q:v": settings.jpeg_quality},
    )  # fmt: skip


def _video_outputs(picture, audio, plan: Plan, settings: TranscodeSettings) -> list:
    """Ladder (tee to HLS + MP4), thumbnails and cartoon from one decode."""
    # one constant rate before the split: VFR phone clips become CFR and every
    # rung gets the same frames, so -g puts keyframes at the same instants
    rungs, board, cartoon = picture_branches(picture.filter("fps", fps=plan.fps), plan)
    outputs = [_ladder_output(rungs, audio, plan, settings)]
    if board is not None:
        assert plan.storyboard is not None
        every = Fraction(plan.storyboard.interval).limit_denominator(1000)
        outputs.append(thumbs_output(board.filter("fps", fps=f"{every.denominator}/{every.numerator}"), plan, settings))
    if cartoon is not None:
        outputs.append(_cartoon_output(cartoon, audio, plan, settings))
    return outputs


def _ladder_output(rungs: list, audio, plan: Plan, settings: TranscodeSettings):
    """Every rung plus the sound pass's AAC (copied), through tee to HLS and the MP4s."""
    options: dict[str, object] = {
        **x264_options(plan, settings, settings.crf),
        # tee needs codec headers out of band for both fMP4 and MP4 slaves
        "flags:v": "+global_header",
    }
    for i, rung in enumerate(plan.rungs):
        options[f"maxrate:v:{i}"] = rung.maxrate
        options[f"bufsize:v:{i}"] = rung.bufsize
    streams = list(rungs)
    if audio is not None:
        streams.append(audio)
        options["c:a"] = "copy"
    if plan.artwork:
        options["tune"] = "stillimage"
    return ffmpeg.output(*streams, tee_target(plan, settings), format="tee", **options)


def tee_target(plan: Plan, settings: TranscodeSettings) -> str:
    """The tee muxer's slaves: a faststart MP4 per rung and one HLS set (fMP4) of every rung and the sound."""
    has_audio = plan.has_audio
    slaves = []
    for i, rung in enumerate(plan.rungs):
        select = f"v:{i},a" if has_audio else f"v:{i}"
        slaves.append(_tee_slave(rung_mp4(rung.label), select=select, **_MP4_SLAVE))
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
    options = {**cartoon_options(plan, settings), "movflags": "+faststart"}
    streams = [cartoon_look(picture, plan)]
    if audio is not None:
        streams.append(audio)
        options["c:a"] = "copy"
    return ffmpeg.output(*streams, cartoon_mp4(plan), format="mp4", **options)


def cartoon_options(plan: Plan, settings: TranscodeSettings) -> dict:
    """The cartoon's encoder options."""
    assert plan.cartoon is not None
    return {
        **x264_options(plan, settings, settings.cartoon_crf),
        "maxrate": plan.cartoon.maxrate,
        "bufsize": plan.cartoon.bufsize,
    }


def cartoon_look(picture, plan: Plan):
    """The cartoon's picture: flat saturated colours with ink outlines."""
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
    return ffmpeg.filter([flat, ink], "blend", c0_mode="multiply", c1_mode="normal", c2_mode="normal")


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


def x264_options(plan: Plan, settings: TranscodeSettings, crf: int) -> dict:
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
