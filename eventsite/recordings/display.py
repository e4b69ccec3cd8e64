"""How recordings read in the studio: sizes and streams in plain words (durations: the ``clock`` filter)."""

from __future__ import annotations


def format_size(size: int | None) -> str:
    """``1536000`` → ``"1.5 MB"`` (decimal units, as file managers show them)."""
    value = float(size or 0)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return ""  # unreachable; keeps type checkers content


def describe_streams(probe: dict | None) -> list[str]:
    """One line per stream from a recording's probe facts, e.g. ``"Video: h264 1280×720, 30 fps"``."""
    if not probe:
        return []
    lines = []
    video, audio = probe.get("video"), probe.get("audio")
    if video:
        fps = f", {video.get('fps', 0):.3g} fps" if video.get("fps") else ""
        width = video.get("display_width") or video.get("width")
        height = video.get("display_height") or video.get("height")
        size = f"{width}×{height}"
        lines.append(f"Video: {video.get('codec', '?')} {size}{fps}")
    if audio:
        rate = f", {audio['sample_rate'] / 1000:g} kHz" if audio.get("sample_rate") else ""
        lines.append(f"Audio: {audio.get('codec', '?')}, {audio.get('channels', '?')} ch{rate}")
    return lines
