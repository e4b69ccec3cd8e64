"""Decide what to make from a recording: a pure function of the probe facts.

No ffmpeg runs here, so every rule (never upscale, even sizes, fps cap, GOP,
storyboard density) is tested with plain dataclasses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .mediainfo import MediaInfo

#: the fastest frame rate we encode; 120 fps phone clips become 60
MAX_FPS = 60
#: frame rates a camera or editor produces on purpose
STANDARD_RATES = tuple(
    Fraction(r) for r in ("24000/1001", "24", "25", "30000/1001", "30", "48", "50", "60000/1001", "60")
)
#: x264 bits per pixel per frame at 30 fps that the -maxrate cap allows; about
#: 2.8 Mb/s at 720p30, generous for talking heads and a guard against spikes
BITS_PER_PIXEL = 0.1
#: thumbnails in the storyboard are this wide (height follows the aspect)
THUMB_WIDTH = 160
#: a still-image rung for audio-only recordings fits in this box
ARTWORK_SIZE = (1280, 720)


@dataclass(frozen=True)
class VideoRung:
    """One step of the ladder: encoded once, written to HLS and MP4."""

    label: str
    width: int
    height: int
    maxrate: int
    bufsize: int


@dataclass(frozen=True)
class AudioRendition:
    """An audio-only file: ``aac`` goes in ``.m4a``, ``mp3`` in ``.mp3``."""

    codec: str
    bitrate: int
    channels: int
    sample_rate: int
    relpath: str


@dataclass(frozen=True)
class CartoonPlan:
    """The stylised version: flat colours and ink outlines, one MP4."""

    label: str
    width: int
    height: int
    maxrate: int
    bufsize: int


@dataclass(frozen=True)
class StoryboardPlan:
    """Thumbnails every ``interval`` seconds, later tiled into sprite sheets."""

    interval: float
    thumb_width: int
    thumb_height: int
    count: int
    columns: int
    rows: int


@dataclass(frozen=True)
class Plan:
    """Everything the ffmpeg run and the follow-up steps need to know."""

    duration: float
    #: forced on the input with -f, as detected by probe()
    demuxer: str
    #: input stream indexes; None when the recording has no such stream
    video_index: int | None
    audio_index: int | None
    #: output frame rate as a fraction string, e.g. "30000/1001"
    fps: str
    #: keyframe interval in frames, identical on every rung so HLS can switch
    gop: int
    rungs: tuple[VideoRung, ...]
    audio: tuple[AudioRendition, ...]
    cartoon: CartoonPlan | None
    storyboard: StoryboardPlan | None
    #: seconds into the recording for the automatic poster, None for no poster
    poster_time: float | None
    #: still image looped as the picture of an audio-only recording
    artwork: str | None = None
    #: quick publish: the upload's web-ready H.264 is copied into the one rung, not encoded (quick.py)
    copy_picture: bool = False
    #: seconds the sound starts after the picture; the sound pass's AAC starts at 0, so
    #: the picture's run puts it back this late (command.sound_input)
    audio_offset: float = 0.0
    #: the picture's first timestamp in seconds; frame numbers of a chunked encode count from it (chunks.py)
    video_start: float = 0.0

    @property
    def has_audio(self) -> bool:
        """Whether the recording has sound to encode."""
        return self.audio_index is not None


def plan_renditions(
    info: MediaInfo,
    ladder: tuple[int, ...] = (1080, 720, 480, 360),
    cartoon: bool = True,
    cartoon_height: int = 360,
    storyboard_interval: float | None = None,
    *,
    keyframe_seconds: float = 2.0,
    audio_bitrate: int = 128_000,
    mp3: bool = True,
    artwork: str | None = None,
) -> Plan:
    """Turn probe facts into the list of things to make.

    Ladder heights are for the picture's short side, so "720p" of an upright
    phone video is 720x1280. Rungs never upscale; a source smaller than the
    smallest rung gets one rung at its own size. Sizes are even (4:2:0 chroma
    needs it) and keep the display aspect after rotation.

    :param ladder: short-side heights to offer, any order.
    :param storyboard_interval: seconds between storyboard thumbnails; chosen
        from the duration when None.
    :param keyframe_seconds: keyframe spacing shared by every rung.
    :param mp3: also make an MP3 for audio-only recordings.
    :param artwork: image to show as the picture of an audio-only recording.
    """
    video = info.video
    # an MP3 is offered only for audio-only recordings, where it is the
    # download people expect; with video, audio.m4a is a by-product of HLS
    audio_renditions = _audio_renditions(info, audio_bitrate, mp3 and video is None)
    if video is None:
        fps = Fraction(1)
        rungs: tuple[VideoRung, ...] = ()
        if artwork:
            width, height = ARTWORK_SIZE
            rungs = (_rung(width, height, fps),)
        return Plan(
            duration=info.duration,
            demuxer=info.demuxer,
            video_index=None,
            audio_index=info.audio.index if info.audio else None,
            fps=_fraction_text(fps),
            gop=max(1, round(keyframe_seconds * fps)),
            rungs=rungs,
            audio=audio_renditions,
            cartoon=None,
            storyboard=None,
            # the poster of an artwork recording is a frame of its still rung
            poster_time=0.0 if rungs else None,
            artwork=artwork if rungs else None,
        )

    fps = output_fps(video.avg_frame_rate, video.r_frame_rate)
    width, height = video.display_width, video.display_height
    rungs = tuple(_rung(*scaled_size(width, height, short), fps) for short in ladder_for(min(width, height), ladder))
    cartoon_plan = None
    if cartoon:
        short = min(cartoon_height, min(width, height))
        cw, ch = scaled_size(width, height, short)
        rate = _maxrate(cw, ch, fps) * 6 // 10
        cartoon_plan = CartoonPlan(f"{min(cw, ch)}p", cw, ch, rate, 2 * rate)
    return Plan(
        duration=info.duration,
        demuxer=info.demuxer,
        video_index=video.index,
        audio_index=info.audio.index if info.audio else None,
        fps=_fraction_text(fps),
        gop=max(1, round(keyframe_seconds * fps)),
        rungs=rungs,
        audio=audio_renditions,
        cartoon=cartoon_plan,
        storyboard=plan_storyboard(info.duration, width, height, storyboard_interval),
        poster_time=poster_time(info.duration),
        audio_offset=round(max(0.0, info.audio.start - video.start), 3) if info.audio else 0.0,
        video_start=video.start,
    )


def ladder_for(short_side: int, ladder: tuple[int, ...]) -> list[int]:
    """Rung heights for a source whose short side is ``short_side``."""
    fitting = sorted({h for h in ladder if h <= short_side}, reverse=True)
    return fitting or [short_side]


def scaled_size(width: int, height: int, short: int) -> tuple[int, int]:
    """Even size with short side ``short`` and the aspect of width x height."""
    short = _even_down(short)
    if width >= height:
        return _even(width * short / height), short
    return short, _even(height * short / width)


def output_fps(avg_frame_rate: str, r_frame_rate: str) -> Fraction:
    """Frame rate to encode at: the source's, divided down to at most 60.

    The average rate is used when it is a standard one. Otherwise the clip is
    variable-rate (phones drop frames when busy) and its average, say 16.4,
    would make the ``fps`` filter drop and repeat frames unevenly; the base
    rate (``r_frame_rate``, 30 for such a phone clip) keeps every frame.
    Dividing rather than clamping keeps motion even: 119.88 becomes 59.94.
    """
    avg, base = _parse_rate(avg_frame_rate), _parse_rate(r_frame_rate)
    if avg is not None and any(abs(avg - rate) < 0.01 for rate in STANDARD_RATES):
        rate = avg
    elif base is not None and base <= 240:  # 90000/1 is a timebase, not a rate
        rate = base
    else:
        rate = avg if avg is not None and avg <= 240 else Fraction(30)
    divisor = math.ceil(rate / MAX_FPS)
    rate = rate / divisor if divisor > 1 else rate
    return max(rate, Fraction(1)).limit_denominator(1001)


def plan_storyboard(duration: float, width: int, height: int, interval: float | None = None) -> StoryboardPlan:
    """Thumbnail spacing and sprite layout for the seek-bar previews.

    One thumbnail every 2-10 s, about 100 of them; past 200 thumbnails the
    interval grows instead, so a long recording does not make a huge sprite.
    """
    if interval is None:
        interval = min(10.0, max(2.0, math.ceil(duration / 100)))
        interval = max(interval, float(math.ceil(duration / 200)))
    count = max(1, math.ceil(duration / interval))
    columns = min(10, count)
    rows = min(10, math.ceil(count / columns))
    thumb_height = _even(THUMB_WIDTH * height / width)
    return StoryboardPlan(interval, THUMB_WIDTH, thumb_height, count, columns, rows)


def poster_time(duration: float) -> float:
    """Where the automatic poster comes from: 10% in, at most a minute.

    Panels open with a title card or an empty stage; a little way in usually
    shows the people.
    """
    return round(min(duration * 0.1, 60.0), 3)


def _audio_renditions(info: MediaInfo, bitrate: int, mp3: bool) -> tuple[AudioRendition, ...]:
    if info.audio is None:
        return ()
    # AAC and MP3 both do 44.1 and 48 kHz; anything else is resampled to 48
    rate = info.audio.sample_rate if info.audio.sample_rate in (44100, 48000) else 48000
    renditions = [AudioRendition("aac", bitrate, 2, rate, "audio.m4a")]
    if mp3:
        renditions.append(AudioRendition("mp3", bitrate, 2, rate, "audio.mp3"))
    return tuple(renditions)


def _rung(width: int, height: int, fps: Fraction) -> VideoRung:
    rate = _maxrate(width, height, fps)
    return VideoRung(f"{min(width, height)}p", width, height, rate, 2 * rate)


def _maxrate(width: int, height: int, fps: Fraction) -> int:
    """Bit-rate cap: pixels per second times a budget, 60 fps costing ~1.7x 30."""
    motion = float(min(fps, 30)) * max(1.0, float(fps) / 30) ** 0.75
    bits = width * height * motion * BITS_PER_PIXEL
    return max(64_000, int(round(bits / 1000)) * 1000)


def _parse_rate(text: str) -> Fraction | None:
    try:
        num, _, den = text.partition("/")
        rate = Fraction(int(num), int(den or 1))
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def _fraction_text(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _even_down(value: int) -> int:
    return max(2, value - value % 2)
