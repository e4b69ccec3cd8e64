"""Tiny media made by ffmpeg itself, once per test session.

Clips are a few seconds of ``testsrc2`` and a sine tone, encoded with
``ultrafast`` so the whole set costs a couple of seconds of CPU.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .media import FAST_H264, LAVFI_AUDIO, LAVFI_VIDEO, av_clip, ffmpeg, quiet_room, short_clip, web_ready

# No skip when ffmpeg is missing: scripts/setup.sh installs it, and a suite that
# quietly skipped the heart of the product would be lying.
assert shutil.which("ffmpeg") and shutil.which("ffprobe"), "ffmpeg/ffprobe missing: run scripts/setup.sh --dev"


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Path:
    """Folder for generated clips."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clip(media) -> Path:
    """4 s, 640x360 at 30 fps, with stereo-able audio: the everyday source."""
    return av_clip(media / "clip.mp4", "640x360", 4, 30, "-movflags", "+faststart")


@pytest.fixture(scope="session")
def clip_720(media) -> Path:
    """6 s, 1280x720: for a three-rung ladder."""
    return av_clip(media / "clip720.mp4", "1280x720", 6, 30)


@pytest.fixture(scope="session")
def long_clip(media) -> Path:
    """20 s, 640x360: long enough to cancel or time out mid-run."""
    return av_clip(media / "long.mp4", "640x360", 20, 30)


@pytest.fixture(scope="session")
def rotated_clip(clip, media) -> Path:
    """A phone-style portrait clip: stored 640x360 with a 90° display rotation."""
    path = media / "rotated.mp4"
    ffmpeg("-i", str(clip), "-c", "copy", "-metadata:s:v", "rotate=90", str(path))
    return path


@pytest.fixture(scope="session")
def odd_clip(media) -> Path:
    """853x481 (odd both ways, square pixels), video only, in Matroska."""
    path = media / "odd.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="640x360", rate=25), "-t", "2",
        # 4:4:4 because 4:2:0 cannot store odd sizes
        "-vf", "scale=853:481,setsar=1", "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv444p", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def vfr_clip(media) -> Path:
    """Variable frame rate: bursts of 30 fps with stretches of 10 fps."""
    path = media / "vfr.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="320x240", rate=30),
        "-f", "lavfi", "-i", LAVFI_AUDIO, "-t", "3",
        "-vf", r"select='lt(mod(n\,30)\,10)+not(mod(n\,3))'", "-fps_mode", "vfr",
        *FAST_H264, "-c:a", "aac", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def video_only_clip(media) -> Path:
    """Picture, no sound."""
    path = media / "silent.mp4"
    ffmpeg("-f", "lavfi", "-i", LAVFI_VIDEO.format(size="320x180", rate=30), "-t", "3", *FAST_H264, str(path))
    return path


@pytest.fixture(scope="session")
def audio_only_clip(media) -> Path:
    """A podcast-style MP3 with cover art, which is not a video."""
    cover = media / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=200x200", "-frames:v", "1", str(cover))
    path = media / "talk.mp3"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100", "-i", str(cover),
        "-t", "4", "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "mjpeg",
        "-disposition:v", "attached_pic", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def artwork(media) -> Path:
    """A square panelist picture for audio-only recordings."""
    path = media / "artwork.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=400x400", "-frames:v", "1", str(path))
    return path


@pytest.fixture(scope="session")
def huge_clip(media) -> Path:
    """One 8192x4608 frame: bigger than the 7680x4320 default limit."""
    path = media / "huge.mkv"
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:size=8192x4608:rate=1", "-frames:v", "1", "-c:v", "mjpeg", str(path))
    return path


@pytest.fixture(scope="session")
def quiet_clip(media) -> Path:
    """8 s, 640x360, with a whisper-quiet room's sound (media.quiet_room: -30 LUFS, mono)."""
    path = media / "quiet.mp4"
    ffmpeg(*quiet_room(8), *FAST_H264, "-c:a", "aac", str(path))
    return path


@pytest.fixture(scope="session")
def quiet_talk(quiet_clip, media) -> Path:
    """The quiet clip's sound alone, as a podcast-style M4A."""
    path = media / "quiet.m4a"
    ffmpeg("-i", str(quiet_clip), "-map", "0:a", "-c", "copy", str(path))
    return path


@pytest.fixture(scope="session")
def web_ready_clip(media) -> Path:
    """6 s of what an editor exports (media.web_ready): H.264 the ladder would keep, a quiet room's sound."""
    return web_ready(media / "web-ready.mp4")


@pytest.fixture(scope="session")
def prores_clip(media) -> Path:
    """1 s of ProRes 422 in a MOV, as an editing suite exports a master."""
    return short_clip(media / "master.mov", 25, "-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s16le")


@pytest.fixture(scope="session")
def vp9_clip(media) -> Path:
    """1 s of VP9 + Opus in WebM, as a browser's screen recorder saves it."""
    vp9 = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"]
    return short_clip(media / "screen.webm", 30, *vp9, "-c:a", "libopus")
