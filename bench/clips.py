"""Benchmark: rendering a 30-second vertical quote clip of a 720p panel, against a plain cut.

    .venv/bin/python bench/clips.py                 # 30 s clip, 3 runs each
    .venv/bin/python bench/clips.py --seconds 5 --repeats 1 --no-results   # smoke run

Makes a 1280x720 25 fps source (ffmpeg ``testsrc2`` picture, espeak-ng voices
reading panel lines in turn, AAC) and its WebVTT captions with ``<v>`` voices,
then times, in the same run and alternating so machine noise hits all alike:

- **clip**: eventsite's renderer (``eventsite.clips.render.render_clip``):
  precise seek, 720x1280 frame with the picture over its blurred copy, title,
  burned captions with speakers, 2 s end card, poster;
- **clip, no captions**: the same without caption overlays (what they cost);
- **baseline**: ``ffmpeg -ss S -t D -i src -c:v libx264 -preset veryfast -c:a aac``,
  the plain cut with no shape, captions or card.

Reports the median wall time of each, ÷ the clip's length, and the clip's
time as a multiple of the baseline's. Figures go to bench/RESULTS.md under
"## Quote clips" (the section is replaced if present).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite.clips.models import ClipShape  # noqa: E402
from eventsite.clips.render import ClipSpec, captions_in, render_clip  # noqa: E402
from eventsite.recordings.captions import parse_captions  # noqa: E402
from eventsite.transcode import TranscodeSettings, probe  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Quote clips"
LINES = [
    ("Gemma Went", "en+f3", "Welcome everyone. Tonight we ask what social influence really is."),
    ("Azeem Azhar", "en-gb-x-rp", "Influence is about trust, and trust is built slowly, one conversation at a time."),
    ("Joanne Jacobs", "en+f2", "The interesting question is whether it can be measured at all."),
    ("Matt Rhodes", "en+m7", "Brands keep asking us for a single number, and that worries me."),
]
START = 5.0


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def make_source(folder: Path, seconds: float) -> tuple[Path, Path]:
    """A 720p talk of ``seconds`` with four voices taking turns, and its voiced WebVTT."""
    cues, wavs, at = [], [], 0.0
    while at < seconds:
        for i, (name, voice, line) in enumerate(LINES):
            wav = folder / f"line{i}.wav"
            if not wav.exists():
                run("espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), line)
            length = float(
                subprocess.run(
                    ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(wav)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            cues.append((at, at + length, name, line))
            wavs.append(wav)
            at += length + 0.4
    listing = folder / "speech.txt"
    listing.write_text("".join(f"file '{w}'\nduration {0.4}\n" for w in wavs))
    source = folder / "talk.mp4"
    run(
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds}",
        "-f", "concat", "-safe", "0", "-i", str(listing),
        "-map", "0:v", "-map", "1:a", "-t", str(seconds),
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "50",
        "-c:a", "aac", "-ar", "48000", "-movflags", "+faststart", str(source),
    )  # fmt: skip
    vtt = folder / "talk.vtt"

    def stamp(t: float) -> str:
        return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}"

    vtt.write_text("WEBVTT\n\n" + "\n\n".join(f"{stamp(s)} --> {stamp(e)}\n<v {n}>{t}" for s, e, n, t in cues) + "\n")
    return source, vtt


def spec(source: Path, vtt: Path, length: float, captions: bool) -> ClipSpec:
    info = probe(source)
    cues = [(c.start, c.end, c.voice, c.plain_text) for c in parse_captions(vtt.read_bytes())]
    return ClipSpec(
        source=source,
        demuxer=info.demuxer,
        source_width=info.video.display_width,
        source_height=info.video.display_height,
        has_audio=True,
        start=START,
        end=START + length,
        shape=ClipShape.VERTICAL,
        title="What is social influence?",
        event="Social Media Week London",
        card_url="https://example.org/events/social-media-week/what-is-social-influence/?t=5s",
        site_name="eventsite",
        captions=captions_in(cues, START, START + length) if captions else [],
        short_side=720,
    )


def baseline_argv(source: Path, out: Path, length: float) -> list[str]:
    return [
        "ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{START}", "-t", f"{length}", "-i", str(source),
        "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", str(out),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="clip length (default 30)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-results", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    length = args.seconds
    settings = TranscodeSettings(preset="veryfast")
    times: dict[str, list[float]] = {"clip": [], "clip, no captions": [], "baseline": []}
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-clips-") as tmp:
        folder = Path(tmp)
        source, vtt = make_source(folder, START + length + 5)
        with_captions, without = spec(source, vtt, length, True), spec(source, vtt, length, False)
        for i in range(args.repeats):
            began = time.perf_counter()
            result = render_clip(with_captions, folder / f"clip{i}", settings=settings)
            times["clip"].append(time.perf_counter() - began)
            began = time.perf_counter()
            render_clip(without, folder / f"plain{i}", settings=settings)
            times["clip, no captions"].append(time.perf_counter() - began)
            began = time.perf_counter()
            subprocess.run(baseline_argv(source, folder / f"cut{i}.mp4", length), check=True)
            times["baseline"].append(time.perf_counter() - began)
            print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
        size = (result.width, result.height)
        captions = len(with_captions.captions)
    medians = {k: statistics.median(v) for k, v in times.items()}
    base = medians["baseline"]
    rows = [f"| {name} | {m:.1f} s | {m / length:.2f} | {m / base:.2f}× |" for name, m in medians.items()]
    command = "bench/clips.py" + ("" if len(sys.argv) == 1 else " " + shlex.join(sys.argv[1:]))
    text = "\n".join(
        [
            SECTION,
            "",
            f"`.venv/bin/python {command}` on {platform.machine()} with {os.cpu_count()} cores, "
            f"{datetime.now(UTC):%Y-%m-%d}: a {length:g} s vertical clip ({size[0]}×{size[1]}, "
            f"{captions} burned captions, 2 s end card, poster) of a 1280×720 25 fps talk with espeak-ng voices; "
            f"median of {args.repeats} runs, alternating.",
            "",
            "| render | wall time | ÷ clip length | × baseline |",
            "|---|---|---|---|",
            *rows,
            "",
            "Baseline: `ffmpeg -ss S -t D -i talk.mp4 -c:v libx264 -preset veryfast -c:a aac cut.mp4` "
            "(the plain cut: no shape, blur, captions or card). "
            f"Load average during the run: {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
            "(figures from a busy machine are noisy; compare the ratios of one run).",
            "",
        ]
    )
    print(text)
    if not args.no_results:
        current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
        if SECTION in current:
            head, _, rest = current.partition(SECTION)
            tail = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
            current = head + text + ("\n" + tail if tail else "")
        else:
            current = current.rstrip("\n") + "\n\n" + text
        RESULTS.write_text(current)


if __name__ == "__main__":
    main()
