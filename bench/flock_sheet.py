"""A contact sheet of the demo's flock in motion (a frame every 0.5 s of the whole talk) and a moving clip.

    .venv/bin/python bench/flock_sheet.py                       # directed, bench/flock-contact-sheet.png
                                                                # and bench/flock-in-motion.gif
    .venv/bin/python bench/flock_sheet.py --style lineup --out /tmp/lineup.png --clip-out /tmp/lineup.gif

Speaks the demo panel's script (eventsite/demo_recording.py: six espeak-ng voices, about
90 seconds), listens to it as the flock job does (captions with voices, no words), draws the
six demo birds and tiles ``fps=2`` frames with ffmpeg. A still frame hides what the issue was
about (highlights blinking in pauses, a line-up that never moves, captions stacked on
captions); a sheet of the whole talk shows it at a glance, and the clip (``--clip START
LENGTH`` seconds, at the flock's own 12 fps, 400x225) shows the moves between shots, the turn of
the heads and the blinks as a visitor sees them. Both are reduced to a palette so they stay
small enough to keep in the repository.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite.demo import PEOPLE  # noqa: E402
from eventsite.demo_recording import make_demo_recording  # noqa: E402
from eventsite.flock.birds import BirdSpec  # noqa: E402
from eventsite.flock.listen import build_timeline, cues_from_webvtt  # noqa: E402
from eventsite.flock.render import render_flock  # noqa: E402

COLUMNS = 12
THUMB = (160, 90)
#: the clip: where in the talk, how long (seconds), and its size
CLIP = (33.0, 7.0)
CLIP_SIZE = (400, 225)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=["lineup", "directed"], default="directed")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "flock-contact-sheet.png")
    parser.add_argument("--clip-out", type=Path, default=ROOT / "bench" / "flock-in-motion.gif")
    parser.add_argument("--clip", type=float, nargs=2, default=CLIP, metavar=("START", "LENGTH"))
    parser.add_argument("--keep", type=Path, help="an empty folder to keep the recording and the flock in")
    args = parser.parse_args()
    names = [name for name, *_ in PEOPLE]
    with tempfile.TemporaryDirectory(prefix="flock-sheet-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        audio, vtt, _chapters = make_demo_recording(names, folder)
        timeline = build_timeline(audio, names, captions=cues_from_webvtt(vtt.decode()))
        started = time.monotonic()
        render_flock(
            audio,
            folder / "flock",
            timeline,
            [BirdSpec(name, colour) for name, _headline, _role, colour in PEOPLE],
            colours=("#8ecae6", "#f1faee"),
            title="What is social influence?",
            style=args.style,
            timeout=3600,  # a shared machine may be slow: this is a picture, not a measurement
        )
        took = time.monotonic() - started
        rows = math.ceil(timeline.duration * 2 / COLUMNS)
        graph = (
            f"fps=2,scale={THUMB[0]}:{THUMB[1]},tile={COLUMNS}x{rows}:padding=2:color=white,"
            "split[a][b];[a]palettegen=max_colors=128[p];[b][p]paletteuse=dither=none"
        )
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(folder / "flock" / "flock.mp4"), "-filter_complex", graph]
            + ["-frames:v", "1", str(args.out)],
            check=True,
        )
        start, length = args.clip
        clip_graph = (
            f"scale={CLIP_SIZE[0]}:{CLIP_SIZE[1]}:flags=lanczos,split[a][b];"
            "[a]palettegen=max_colors=96:stats_mode=diff[p];[b][p]paletteuse=dither=none:diff_mode=rectangle"
        )
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-ss", f"{start}", "-t", f"{length}"]
            + ["-i", str(folder / "flock" / "flock.mp4"), "-filter_complex", clip_graph, "-loop", "0"]
            + [str(args.clip_out)],
            check=True,
        )
    size = args.out.stat().st_size
    clip_size = args.clip_out.stat().st_size
    print(
        f"{args.out}: {timeline.duration:.1f} s talk, {COLUMNS}x{rows} frames at 0.5 s, {size / 1024:.0f} KiB; "
        f"{args.style} render {took:.1f} s ({took / timeline.duration:.2f}x the duration, on a shared machine); "
        f"{args.clip_out}: {start:g}-{start + length:g} s, {clip_size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
