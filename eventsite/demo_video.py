"""A short generated recording for the demo panel, made with Pillow and ffmpeg.

One title card, then one card per panelist (their portrait and name), each
with its own tone, about a minute in all: enough for a new user to watch the
whole pipeline (upload → transcode → HLS, MP4, audio, poster, storyboard,
cartoon) within a couple of minutes of running the README's first command.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from .events.artwork import title_card
from .events.models import Panel
from .extensions import db
from .recordings.models import Recording
from .storage import media_store

#: Cards are still pictures, so a low frame rate loses nothing and encodes fast.
FPS = 10
#: A pentatonic run, so the demo sounds like something rather than a test tone.
TONES = [262, 294, 330, 392, 440, 523, 587, 659]


def make_demo_video(panel: Panel, target: Path, seconds_per_card: float = 7.0) -> Path:
    """Render the demo clip for ``panel`` to ``target`` (H.264/AAC MP4)."""
    cards = [title_card(panel.title, panel.event.name, None, "#1d1d1f")]
    for seat in panel.seats:
        person = seat.panelist
        portrait = media_store().path(person.photo_key).read_bytes() if person.photo_key else None
        cards.append(title_card(person.name, "on social influence", portrait, "#0b5c8c"))
    with tempfile.TemporaryDirectory() as tmp:
        inputs, filters, labels = [], [], []
        for n, card in enumerate(cards):
            path = Path(tmp) / f"card{n}.png"
            card.save(path)
            inputs += ["-loop", "1", "-framerate", str(FPS), "-t", str(seconds_per_card), "-i", str(path)]
        for n, _card_image in enumerate(cards):
            tone = TONES[n % len(TONES)]
            inputs += ["-f", "lavfi", "-t", str(seconds_per_card), "-i", f"sine=frequency={tone}:sample_rate=48000"]
        for n in range(len(cards)):
            fade_out = seconds_per_card - 0.5
            filters.append(f"[{n}:v]format=yuv420p,fade=in:st=0:d=0.5,fade=out:st={fade_out}:d=0.5[v{n}]")
            filters.append(f"[{len(cards) + n}:a]volume=0.2[a{n}]")
            labels.append(f"[v{n}][a{n}]")
        filters.append(f"{''.join(labels)}concat=n={len(cards)}:v=1:a=1[v][a]")
        subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *inputs,
             "-filter_complex", ";".join(filters), "-map", "[v]", "-map", "[a]",
             "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-c:a", "aac",
             "-movflags", "+faststart", str(target)],
            check=True, capture_output=True,
        )  # fmt: skip
    return target


def seed_demo_recording(panel: Panel, seconds_per_card: float = 7.0) -> Recording | None:
    """Give the demo panel its generated recording and queue the transcode, once."""
    from .recordings.operations import store_original

    if db.session.scalar(sa.select(Recording.id).where(Recording.panel_id == panel.id)):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_demo_video(panel, Path(tmp) / "what-is-social-influence.mp4", seconds_per_card)
        return store_original(clip, panel, clip.name)
