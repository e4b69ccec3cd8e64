"""Write the HLS master playlist from what was actually produced.

ffmpeg's own master lists BANDWIDTH from the ``-maxrate`` settings and, in
some builds and shapes, no CODECS at all; players use both to pick a rung
(Safari and hls.js skip variants whose codecs they cannot check). We replace
it with one built from the files: measured peak and average bitrates, the
exact ``avc1`` profile/level read from each rung's init segment, and the audio
as a rendition group shared by every variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import m3u8

#: we always encode AAC-LC with ffmpeg's native encoder (object type 2)
AAC_LC = "mp4a.40.2"
AUDIO_GROUP = "aud"


@dataclass(frozen=True)
class VariantStats:
    """Measured facts about one media playlist."""

    uri: str
    peak_bitrate: int
    average_bitrate: int
    codec: str | None


@dataclass(frozen=True)
class HlsRung:
    """A video variant to list: its folder name under the HLS folder and size."""

    name: str
    width: int
    height: int
    fps: float


def write_master_playlist(
    hls_dir: Path,
    rungs: list[HlsRung],
    *,
    audio_name: str | None = "audio",
    playlist_name: str = "index.m3u8",
    master_name: str = "master.m3u8",
) -> Path:
    """(Re)write ``hls_dir/master_name`` listing every rung.

    Each variant gets BANDWIDTH (the peak segment bit rate of RFC 8216, video plus audio),
    AVERAGE-BANDWIDTH, RESOLUTION, FRAME-RATE and CODECS; the audio, when
    ``audio_name`` is given, is an ``EXT-X-MEDIA`` group every variant uses.
    """
    audio = None
    if audio_name:
        audio = measure_variant(hls_dir, f"{audio_name}/{playlist_name}")
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    if audio is not None:
        lines.append(
            f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="{AUDIO_GROUP}",NAME="Audio",'
            f'DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="{audio.uri}"'
        )
    for rung in rungs:
        video = measure_variant(hls_dir, f"{rung.name}/{playlist_name}")
        codecs = [video.codec or "avc1.640028"]
        peak, average = video.peak_bitrate, video.average_bitrate
        if audio is not None:
            codecs.append(AAC_LC)
            peak += audio.peak_bitrate
            average += audio.average_bitrate
        attributes = [
            f"BANDWIDTH={peak}",
            f"AVERAGE-BANDWIDTH={average}",
            f"RESOLUTION={rung.width}x{rung.height}",
            f"FRAME-RATE={rung.fps:.3f}",
            f'CODECS="{",".join(codecs)}"',
        ]
        if audio is not None:
            attributes.append(f'AUDIO="{AUDIO_GROUP}"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), video.uri]
    master = hls_dir / master_name
    tmp = master.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(master)
    return master


def measure_variant(hls_dir: Path, uri: str) -> VariantStats:
    """Bitrates from segment sizes and durations; codec from the init segment."""
    path = hls_dir / uri
    playlist = m3u8.load(str(path))
    folder = path.parent
    sizes = [(folder / segment.uri).stat().st_size * 8 for segment in playlist.segments]
    seconds = [float(segment.duration or 0) for segment in playlist.segments]
    total_seconds = sum(seconds)
    average = round(sum(sizes) / total_seconds) if total_seconds else 0
    peak = peak_segment_bitrate(sizes, seconds, float(playlist.target_duration or 0))
    codec = None
    if playlist.segment_map:
        codec = avc1_codec((folder / playlist.segment_map[0].uri).read_bytes())
    return VariantStats(uri, max(peak, average), average, codec)


def peak_segment_bitrate(bits: list[int], seconds: list[float], target_duration: float) -> int:
    """RFC 8216 (4.3.4.2): the largest bit rate of any run of consecutive segments lasting
    0.5 to 1.5 times the target duration (0 when no run does, e.g. a clip shorter than half).

    Not the largest of single segments: a short last segment is measured with its
    neighbour (alone, its headers would exaggerate it; left out, the peak comes out low).
    """
    low, high = 0.5 * target_duration, 1.5 * target_duration
    peak = 0.0
    for start in range(len(bits)):
        run_bits, run_seconds = 0, 0.0
        for end in range(start, len(bits)):
            run_bits += bits[end]
            run_seconds += seconds[end]
            if run_seconds > high:
                break
            if run_seconds >= low and run_seconds > 0:
                peak = max(peak, run_bits / run_seconds)
    return round(peak)


def avc1_codec(init_segment: bytes) -> str | None:
    """RFC 6381 string (``avc1.64001f``) from the avcC box of an fMP4 init segment.

    The three bytes after avcC's version byte are exactly the profile,
    constraint flags and level the string is made of.
    """
    at = init_segment.find(b"avcC")
    if at < 0 or len(init_segment) < at + 8:
        return None
    profile, constraints, level = init_segment[at + 5 : at + 8]
    return f"avc1.{profile:02x}{constraints:02x}{level:02x}"
