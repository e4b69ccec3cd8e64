"""Benchmark: rendering the flock video for long recordings, against the ladder transcode.

    .venv/bin/python bench/flock.py                      # 10 and 60 minutes, plus the 10-minute ladder
    .venv/bin/python bench/flock.py --minutes 1 --no-ladder --no-results   # smoke run

For each length it makes a speech-like recording (six espeak-ng voices reading
a line each with pauses, looped with ``-stream_loop`` to the length, mono AAC),
a hand-made timeline for it (the turns of the loop, mouths varying per frame,
closed in the pauses), and renders the six demo birds (no burned-in captions: the
player draws the caption track, as on the site). The
soundtrack is copied from an ``audio.m4a`` made as the transcoder makes it
(before the clock starts), as the flock job does.
It reports render time ÷ duration, frames actually drawn, and peak RSS of
Python + ffmpeg (summed over the process tree, sampled from /proc every 0.1 s),
with each process's own peak: Python's (sampled), and each ffmpeg's ``VmHWM``
(the kernel's high-water mark, read until the process exits) by its role: the
encoder fed the frames, the HLS cut, the MP4 remux, the rest (storyboard).
For the first length it also runs eventsite's ladder transcode (probe, plan,
transcode) of a 1280x720 ``testsrc2`` video with the same sound, and reports
the flock's time as a share of it. Figures are appended to bench/RESULTS.md
under "## Flock rendering (bench/flock.py)" (the section is replaced if present).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procstat import Contention, rss_bytes  # noqa: E402

from eventsite.flock.birds import BirdSpec  # noqa: E402
from eventsite.flock.render import render_flock  # noqa: E402
from eventsite.flock.timeline import SpeechTimeline, Turn  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Flock rendering (bench/flock.py)"
PANEL = [
    ("Gemma Went", "#7b3294", "en+f3", "Welcome everyone, and thank you for joining us this evening."),
    ("Andrew Gerrard", "#1b7837", "en+m3", "I think influence is the ability to inspire other people to act."),
    ("Joanne Jacobs", "#b2182b", "en+f2", "The interesting question is whether it can be measured at all."),
    ("Benjamin Ellis", "#2166ac", "en+m1", "Networks change how ideas travel between groups of people."),
    ("Matt Rhodes", "#8c510a", "en+m7", "Brands keep asking us for a single number, and that worries me."),
    ("Azeem Azhar", "#01665e", "en-gb-x-rp", "Let us look at what the data actually tells us about trust."),
]
PAUSE = 0.8
SPEECH = "BCDCBEFBCDGHCBDCABCCDEB"


def make_recording(folder: Path, minutes: float) -> tuple[Path, SpeechTimeline]:
    """A looped six-voice recording of ``minutes`` and its timeline."""
    turns, parts, at = [], [], 0.0
    for i, (_, _, voice, line) in enumerate(PANEL):
        wav = folder / f"line{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), line], check=True)
        padded = folder / f"pad{i}.wav"
        subprocess.run(
            [
                "ffmpeg",
                "-y",
                "-v",
                "error",
                "-i",
                str(wav),
                "-af",
                f"apad=pad_dur={PAUSE}",
                "-ar",
                "22050",
                "-ac",
                "1",
                str(padded),
            ],
            check=True,
        )
        seconds = float(
            subprocess.run(
                ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(padded)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        turns.append((at, at + seconds - PAUSE, i))
        parts.append(padded)
        at += seconds
    loop = folder / "loop.wav"
    listing = folder / "parts.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing), str(loop)], check=True
    )
    duration = minutes * 60
    audio = folder / f"speech-{minutes:g}min.m4a"
    subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-v",
            "error",
            "-stream_loop",
            "-1",
            "-i",
            str(loop),
            "-t",
            f"{duration}",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-ac",
            "1",
            str(audio),
        ],
        check=True,
    )
    rng = random.Random(1)
    all_turns, mouths = [], ["X"] * round(duration * 12)
    loops = int(duration // at) + 1
    for k in range(loops):
        for start, end, who in turns:
            s, e = start + k * at, min(duration, end + k * at)
            if s >= duration:
                break
            all_turns.append(Turn(round(s, 3), round(e, 3), who))
            for f in range(round(s * 12), min(len(mouths), round(e * 12))):
                mouths[f] = SPEECH[(f + rng.randint(0, 3)) % len(SPEECH)]
    names = [p[0] for p in PANEL]
    return audio, SpeechTimeline(duration, names, all_turns, "".join(mouths), 12, "chapters")


#: what each ffmpeg of a render does, told by a word of its command line (first match wins)
ROLES = (("flock.mp4", "MP4 remux"), ("rawvideo", "encoder"), ("hls", "HLS cut"))
TABLE_ROLES = ("encoder", "HLS cut", "MP4 remux")


class RssSampler(threading.Thread):
    """Peak RSS of this process plus its children, from /proc every 0.1 s, and each child's VmHWM by role."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_total = self.peak_python = self.peak_ffmpeg = 0
        self.hwm: dict[str, int] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        roles: dict[int, str] = {}
        while not self.halt.wait(0.1):
            python = rss_bytes(me)
            children = [int(p) for p in Path(f"/proc/{me}/task/{me}/children").read_text().split()]
            ffmpeg = 0
            for pid in children:
                role = roles.get(pid) or _role(pid)
                if role == "starting":
                    continue  # a fork of this process before exec: its pages are ours, counted already
                roles[pid] = role
                ffmpeg += rss_bytes(pid)
                self.hwm[role] = max(self.hwm.get(role, 0), _hwm_bytes(pid))
            self.peak_python = max(self.peak_python, python)
            self.peak_ffmpeg = max(self.peak_ffmpeg, ffmpeg)
            self.peak_total = max(self.peak_total, python + ffmpeg)


def _role(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    if Path(argv[0].decode("utf-8", "replace")).name != "ffmpeg":
        return "starting"  # between fork and exec: still our own command line
    words = {a.decode("utf-8", "replace") for a in argv}
    return next((role for word, role in ROLES if word in words), "other")


def _hwm_bytes(pid: int) -> int:
    """The process's peak resident set (VmHWM), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def served_sound(folder: Path, audio: Path) -> Path:
    """The AAC the transcoder would have made of ``audio`` (its ``audio.m4a``), which the flock copies.

    Made before the timing starts: in the site it is a by-product of the ladder
    transcode that runs before the flock job, not work of the flock.
    """
    sound = folder / f"audio-{audio.stem}.m4a"
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-i", str(audio), "-vn", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
        + ["-ar", "48000", "-map_metadata", "-1", str(sound)],
        check=True,
    )
    return sound


def bench_flock(folder: Path, minutes: float, style: str = "lineup") -> dict:
    audio, timeline = make_recording(folder, minutes)
    sound = served_sound(folder, audio)
    birds = [BirdSpec(name, colour) for name, colour, _, _ in PANEL]
    sampler = RssSampler()
    sampler.start()
    contention = Contention()
    cpu0 = os.times()
    started = time.monotonic()
    out = render_flock(
        sound,
        folder / f"out{minutes:g}-{style}",
        timeline,
        birds,
        colours=("#2166ac", "#fddbc7"),
        title="Influence in a connected world",
        audio_copy=True,  # as the flock job does with the transcoder's audio.m4a
        style=style,
    )
    wall = time.monotonic() - started
    cpu1 = os.times()
    sampler.halt.set()
    sampler.join()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    children = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    others = contention.others(cpu + children)
    return {
        "minutes": minutes,
        "style": style,
        "audio": audio,
        "wall": wall,
        "ratio": wall / timeline.duration,
        "frames": out.frames,
        "drawn": out.frames_drawn,
        "python_cpu": cpu,
        "ffmpeg_cpu": children,
        "peak": sampler.peak_total,
        "peak_python": sampler.peak_python,
        "peak_ffmpeg": sampler.peak_ffmpeg,
        "hwm": sampler.hwm,
        "others": others,
        "mp4": next(o for o in out.outputs if o.kind == "mp4"),
    }


def bench_ladder(folder: Path, audio: Path, minutes: float) -> float:
    """Wall seconds of eventsite's transcode of a 720p camera-like video with ``audio``."""
    from eventsite.transcode import plan_renditions, probe, transcode

    source = folder / "camera.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1280x720:rate=30:d={minutes * 60}",
            "-i",
            str(audio),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "23",
            "-c:a",
            "copy",
            "-shortest",
            str(source),
        ],
        check=True,
    )
    started = time.monotonic()
    info = probe(source)
    transcode(source, folder / "ladder", plan_renditions(info))
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 60])
    parser.add_argument("--no-ladder", action="store_true")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument(
        "--style",
        choices=["lineup", "directed"],
        nargs="+",
        default=["lineup"],
        help="how the flock is filmed; several are rendered one after the other in the same run",
    )
    args = parser.parse_args()
    command = ".venv/bin/python bench/flock.py " + shlex.join(sys.argv[1:])
    began, load_before = time.monotonic(), os.getloadavg()
    rows, ladder = [], None
    with tempfile.TemporaryDirectory(prefix="flock-bench-") as tmp:
        for minutes in args.minutes:
            folder = Path(tmp) / f"m{minutes:g}"
            folder.mkdir()
            for style in args.style:
                row = bench_flock(folder, minutes, style)
                rows.append(row)
                print(_row_text(row), flush=True)
            if ladder is None and not args.no_ladder:
                ladder = (minutes, bench_ladder(folder, row["audio"], minutes))
                print(f"ladder transcode of {minutes:g} min 720p: {ladder[1]:.1f} s", flush=True)
    report = _report(command, rows, ladder, time.monotonic() - began, load_before)
    print(report)
    if not args.no_results:
        text = RESULTS.read_text() if RESULTS.exists() else ""
        if SECTION in text:
            head, _, rest = text.partition(SECTION)
            after = rest.find("\n## ")
            text = head + (rest[after + 1 :] if after >= 0 else "")
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + report)


def _row_text(row: dict) -> str:
    return (
        f"{row['minutes']:g} min {row['style']}: {row['wall']:.1f} s = {row['ratio']:.3f}x duration, "
        f"{row['drawn']}/{row['frames']} frames drawn, other load {row['others']:.1f} cores, "
        f"peak RSS {row['peak'] / 2**20:.0f} MiB (Python {row['peak_python'] / 2**20:.0f}; ffmpeg VmHWM "
        + ", ".join(f"{role} {size / 2**20:.0f}" for role, size in sorted(row["hwm"].items()))
        + ")"
    )


def _report(command: str, rows: list[dict], ladder: tuple[float, float] | None, took: float, load_before: tuple) -> str:
    ffmpeg_version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    lines = [
        SECTION,
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, took {took / 60:.1f} min: `{command}`",
        "",
        f"Machine: {len(os.sched_getaffinity(0))} cores, {ffmpeg_version.split(' Copyright')[0]}, "
        f"Python {platform.python_version()}; load average (1, 5, 15 min) at the start "
        f"{' '.join(f'{x:.2f}' for x in load_before)}, at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}. "
        "Six demo birds, no burned-in captions, 1280x720 at 12 fps, x264 veryfast/animation/CRF 26, "
        "AAC copied from the transcoder's audio.m4a; "
        "sound: six espeak-ng voices looped (synthetic speech).",
        "",
        "Peaks in MiB: the total is Python + all ffmpeg at the same moment (sampled); Python's is sampled; "
        "each ffmpeg's is its own VmHWM. Other load: cores' worth of CPU used by other processes meanwhile.",
        "",
        "| recording | style | render wall s | ÷ duration (aim ≤ 0.2) | other load | frames drawn / total "
        "| Python CPU s | ffmpeg CPU s | peak total (aim < 286 MiB = 300 MB, flat) | Python | encoder ffmpeg | HLS cut "
        "| MP4 remux | flock.mp4 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        hwm = row["hwm"]
        lines.append(
            f"| {row['minutes']:g} min | {row['style']} | {row['wall']:.1f} | {row['ratio']:.3f} | {row['others']:.1f} "
            f"| {row['drawn']} / {row['frames']} | {row['python_cpu']:.0f} | {row['ffmpeg_cpu']:.0f} "
            f"| {row['peak'] / 2**20:.0f} | {row['peak_python'] / 2**20:.0f} | "
            + " | ".join(f"{hwm[role] / 2**20:.0f}" if role in hwm else "–" for role in TABLE_ROLES)
            + f" | {row['mp4'].size_bytes / 2**20:.1f} MiB, {row['mp4'].bitrate / 1000:.0f} kb/s |"
        )
    if ladder is not None:
        shares = ", ".join(f"{r['style']} {r['wall'] / ladder[1]:.2f}" for r in rows if r["minutes"] == ladder[0])
        lines += [
            "",
            f"Ladder transcode (probe + plan_renditions + transcode) of a {ladder[0]:g}-minute 1280x720 "
            f"testsrc2 video with the same sound: {ladder[1]:.1f} s; flock ÷ ladder = {shares} (aim ≤ 0.5).",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
