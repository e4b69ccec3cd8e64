"""Render one quote clip with ffmpeg. No Flask, no database: paths and facts in, files out.

One ffmpeg run does it all: it seeks into the view's MP4 (``-ss`` before
``-i`` decodes from the keyframe before the start and drops frames up to it,
so the cut is frame-accurate), fits the picture into the clip's shape over a
blurred copy of itself, overlays the Pillow-drawn title and one image per
caption (each shown only during its cue with ``enable=between(t,…)``), and
appends the end card with silence under it. A second short run takes the
poster from the finished clip, so the poster shows what the clip shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..transcode import Progress, TranscodeSettings, run_ffmpeg
from ..transcode.errors import TranscodeError
from ..transcode.run import QUIET_FLAGS
from . import cards
from .layout import Layout, plan_layout
from .models import ClipShape

#: Seconds of end card after the quote.
END_CARD_SECONDS = 2.0
#: Frame rate of every clip: smooth enough for talking people, cheap to encode.
CLIP_FPS = 25
VIDEO_FILE = "clip.mp4"
POSTER_FILE = "poster.jpg"


@dataclass(frozen=True)
class CaptionCue:
    """A caption to burn in, in seconds from the start of the clip."""

    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True)
class ClipSpec:
    """Everything the renderer needs to know about one clip."""

    source: Path
    #: The probed demuxer of ``source`` (forced with ``-f``; ffmpeg never guesses from a name).
    demuxer: str
    source_width: int
    source_height: int
    has_audio: bool
    start: float
    end: float
    shape: ClipShape
    title: str
    event: str
    card_url: str
    site_name: str
    captions: list[CaptionCue] = field(default_factory=list)
    #: The captions are automatic and unchecked: the end card says so.
    draft_captions: bool = False
    #: Short side of the output frame (720 → a 720×1280 vertical clip).
    short_side: int = 720

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class ClipResult:
    video: Path
    poster: Path
    width: int
    height: int
    duration: float


def captions_in(cues: list[tuple[float, float, str, str]], start: float, end: float) -> list[CaptionCue]:
    """The cues overlapping ``start``–``end``, clipped to it and shifted to the clip's clock.

    Overlapping cues (two people at once) would draw two plates on top of each
    other, so each cue gives way when the next begins.
    """
    inside = sorted((max(s, start), min(e, end), who, text) for s, e, who, text in cues if e > start and s < end)
    out = []
    for i, (s, e, who, text) in enumerate(inside):
        if i + 1 < len(inside):
            e = min(e, inside[i + 1][0])
        if e - s >= 0.05 and text.strip():
            out.append(CaptionCue(round(s - start, 3), round(e - start, 3), who, text.strip()))
    return out


def _input(path: Path, *before: str) -> list[str]:
    return [*before, "-protocol_whitelist", "file", "-i", f"file:{path.resolve()}"]


def draw_overlays(spec: ClipSpec, layout: Layout, workdir: Path) -> tuple[Path, Path, list[Path]]:
    """Write the end card, title and caption images into ``workdir``."""
    card = cards.save_png(
        cards.end_card(layout, spec.title, spec.event, spec.card_url, spec.site_name, draft=spec.draft_captions),
        workdir / "card.png",
    )
    title = cards.save_png(cards.title_image(layout, spec.title, spec.event), workdir / "title.png")
    captions = [
        cards.save_png(cards.caption_image(layout, cue.speaker, cue.text), workdir / f"caption-{i:03d}.png")
        for i, cue in enumerate(spec.captions)
    ]
    return card, title, captions


def build_clip_argv(
    spec: ClipSpec, layout: Layout, card: Path, title: Path, captions: list[Path], settings: TranscodeSettings
) -> list[str]:
    """The ffmpeg argv; the output (``clip.mp4``) is relative to the working folder."""
    length = spec.length
    fps = CLIP_FPS
    argv = [settings.ffmpeg, *QUIET_FLAGS, "-progress", "pipe:1", "-y"]
    argv += _input(spec.source, "-ss", f"{spec.start:.3f}", "-t", f"{length:.3f}", "-f", spec.demuxer)
    image = ("-f", "image2", "-pattern_type", "none")
    argv += _input(card, *image, "-loop", "1", "-framerate", str(fps), "-t", f"{END_CARD_SECONDS:g}")
    argv += _input(title, *image)
    for path in captions:
        argv += _input(path, *image)

    w, h, pic = layout.width, layout.height, layout.picture
    graph = []
    if layout.blurred_fill:
        # Blurring a small copy and scaling it up is far cheaper than blurring the full frame.
        sw, sh = max(16, w // 8 // 2 * 2), max(16, h // 8 // 2 * 2)
        graph += [
            f"[0:v]fps={fps},split=2[fill][fore]",
            f"[fill]scale={sw}:{sh}:force_original_aspect_ratio=increase,crop={sw}:{sh},boxblur=4:2,"
            f"scale={w}:{h},setsar=1,drawbox=x=0:y=0:w=iw:h=ih:color=black@0.45:t=fill[back]",
            f"[fore]scale={pic.w}:{pic.h},setsar=1[picture]",
            f"[back][picture]overlay={pic.x}:{pic.y}[base0]",
        ]
    else:
        graph.append(f"[0:v]fps={fps},scale={pic.w}:{pic.h},setsar=1,pad={w}:{h}:{pic.x}:{pic.y}:color=black[base0]")
    graph.append(f"[base0][2:v]overlay={layout.title.x}:{layout.title.y}[base1]")
    last = "base1"
    for i, cue in enumerate(spec.captions):
        box = layout.caption
        graph.append(
            f"[{last}][{3 + i}:v]overlay={box.x}:{box.y}:enable='between(t,{cue.start:.3f},{cue.end:.3f})'[cap{i}]"
        )
        last = f"cap{i}"
    graph.append(f"[{last}]format=yuv420p[quote]")
    graph.append(f"[1:v]fps={fps},scale={w}:{h},setsar=1,format=yuv420p[card]")
    layout_audio = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
    if spec.has_audio:
        fade = max(0.0, length - 0.25)
        graph.append(f"[0:a]{layout_audio},apad,atrim=duration={length:.3f},afade=t=out:st={fade:.3f}:d=0.25[quotea]")
    else:
        graph.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={length:.3f}[quotea]")
    graph.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={END_CARD_SECONDS:g}[carda]")
    graph.append("[quote][quotea][card][carda]concat=n=2:v=1:a=1[v][a]")

    argv += ["-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]"]
    argv += ["-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf), "-pix_fmt", "yuv420p"]
    argv += ["-profile:v", "high", "-g", str(fps * 2)]
    argv += ["-c:a", "aac", "-b:a", str(settings.audio_bitrate), "-ar", "48000"]
    argv += ["-movflags", "+faststart", "-f", "mp4", VIDEO_FILE]
    return argv


def poster_argv(settings: TranscodeSettings, at: float) -> list[str]:
    """Take the poster JPEG from the finished clip (both relative to the working folder)."""
    return [
        settings.ffmpeg,
        *QUIET_FLAGS,
        "-y",
        "-ss",
        f"{at:.3f}",
        "-protocol_whitelist",
        "file",
        "-f",
        "mp4",
        "-i",
        f"file:{VIDEO_FILE}",
        "-frames:v",
        "1",
        "-q:v",
        str(settings.jpeg_quality),
        "-f",
        "image2",
        POSTER_FILE,
    ]


def poster_time(spec: ClipSpec) -> float:
    """Middle of the first caption (the quote on screen), else a third of the way in."""
    if spec.captions:
        first = spec.captions[0]
        return (first.start + first.end) / 2
    return spec.length / 3


def render_clip(
    spec: ClipSpec,
    workdir: Path,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    settings: TranscodeSettings | None = None,
) -> ClipResult:
    """Render ``spec`` into ``workdir`` (``clip.mp4`` and ``poster.jpg``).

    :raise TranscodeError: ffmpeg failed (or was cancelled, or timed out).
    """
    settings = settings or TranscodeSettings()
    if spec.length <= 0:
        raise TranscodeError("The clip must end after it starts.")
    if not spec.source.is_file():
        raise TranscodeError("The video this clip is cut from is missing.", str(spec.source))
    workdir.mkdir(parents=True, exist_ok=True)
    layout = plan_layout(spec.shape, spec.short_side, spec.source_width, spec.source_height)
    card, title, captions = draw_overlays(spec, layout, workdir)
    argv = build_clip_argv(spec, layout, card, title, captions, settings)
    total = spec.length + END_CARD_SECONDS
    timeout = timeout or max(120.0, 20 * total)
    run_ffmpeg(
        argv, duration=total, on_progress=on_progress, cancel=cancel, timeout=timeout, nice=settings.nice, cwd=workdir
    )
    run_ffmpeg(poster_argv(settings, poster_time(spec)), duration=1, timeout=60, nice=settings.nice, cwd=workdir)
    return ClipResult(workdir / VIDEO_FILE, workdir / POSTER_FILE, layout.width, layout.height, total)
