"""The codecs we decode, and the plain words for a file that uses another.

ffmpeg ships well over a hundred decoders, many for formats nobody records
panels in, and obscure decoders are where most of its memory-safety bugs have
been found. ffprobe is started with ``-codec_whitelist`` (so it never even
opens another decoder while it reads the stream headers) and the transcoder
with the same list; what ffprobe reports is checked again against the codec
names below before any conversion starts.
"""

from __future__ import annotations

import re

from .errors import ProbeError

#: Video codecs as ffprobe names them (``codec_name``).
ALLOWED_VIDEO_CODECS = frozenset(
    {
        "h264",
        "hevc",
        "vp8",
        "vp9",
        "av1",
        "mpeg4",
        "mpeg2video",
        "mpeg1video",
        "h263",
        "prores",
        "dnxhd",
        "mjpeg",
        # uncompressed capture; the AVI test uploads use it too
        "rawvideo",
        # what an .asf/.wmv from an old screen recorder holds
        "wmv3",
        "vc1",
    }
)

#: Audio codecs as ffprobe names them; PCM is listed by the layouts recorders write.
ALLOWED_AUDIO_CODECS = frozenset(
    {
        "aac",
        "mp3",
        "mp2",
        "opus",
        "vorbis",
        "flac",
        "alac",
        "ac3",
        "eac3",
        "wmav2",
        "wmapro",
        *(
            f"pcm_{layout}"
            for layout in (
                "s16le",
                "s16be",
                "s24le",
                "s24be",
                "s32le",
                "s32be",
                "f32le",
                "f32be",
                "f64le",
                "u8",
                "s8",
                "alaw",
                "mulaw",
            )
        ),
    }
)

#: Codecs that are never converted but may sit beside the recording: cover art
#: in an M4A/MP3 and subtitle tracks. ffprobe opens their decoders too.
ALSO_READ = frozenset({"png", "mov_text", "subrip", "ass", "webvtt"})

#: Decoder names where they differ from the codec name (libavcodec picks the
#: first registered decoder for a codec, e.g. libdav1d for AV1).
_DECODER_ALIASES = {
    "av1": ("libdav1d", "libaom-av1"),
    "vp8": ("libvpx",),
    "vp9": ("libvpx-vp9",),
    "opus": ("libopus",),
    "vorbis": ("libvorbis",),
    "aac": ("aac_fixed",),
    "ac3": ("ac3_fixed",),
    "mp3": ("mp3float",),
    "mp2": ("mp2float",),
}

#: The value of ffmpeg's and ffprobe's ``-codec_whitelist`` (decoder names).
DECODER_WHITELIST = ",".join(
    sorted(
        {
            *ALLOWED_VIDEO_CODECS,
            *ALLOWED_AUDIO_CODECS,
            *ALSO_READ,
            *(alias for aliases in _DECODER_ALIASES.values() for alias in aliases),
        }
    )
)

_NOT_ON_WHITELIST = re.compile(r"Codec \(([\w-]+)\) not on whitelist")


def refused_message(codec: str) -> str:
    """What an organiser reads when the upload uses a codec we do not convert."""
    return (
        f"This file uses the {codec} codec, which we do not convert. Please export it as "
        "an ordinary MP4 (H.264 video, AAC sound) and upload it again."
    )


def refused_in(stderr: str) -> str | None:
    """The codec ffprobe refused to open, from its error output; None if none was."""
    found = _NOT_ON_WHITELIST.search(stderr)
    return found.group(1) if found else None


def check_codecs(video_codec: str | None, audio_codec: str | None) -> None:
    """Refuse a picture or sound we would have to decode with a codec not listed.

    :raise ProbeError: with :func:`refused_message`.
    """
    if video_codec is not None and video_codec not in ALLOWED_VIDEO_CODECS:
        raise ProbeError(refused_message(video_codec), f"video codec {video_codec!r} is not allowed")
    if audio_codec is not None and audio_codec not in ALLOWED_AUDIO_CODECS:
        raise ProbeError(refused_message(audio_codec), f"audio codec {audio_codec!r} is not allowed")
