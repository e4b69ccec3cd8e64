"""Benchmark: one recording on two workers (each held to one core) against one worker on one core; and
how soon an upload that must be encoded is watchable on its first rung.

    .venv/bin/python bench/workers.py                       # 10 min 854x480 + 60 s 1080p (~8 min on 2 cores)
    .venv/bin/python bench/workers.py --seconds 120 --first-seconds 20
    .venv/bin/python bench/workers.py --only-first --first-seconds 30   # part 2 alone

Part 1, in one run, through the library functions the jobs call (no database, no queue):

1. **one worker, one core**: ``taskset -c 0`` a process that makes the whole set the way a
   short recording's job does (``transcode(plan)``: sound pass, one ffmpeg for the ladder,
   storyboard, poster, master);
2. **two workers, one core each**: ``taskset -c 0`` the transcode's worker and ``taskset -c 1``
   a helper. As in ``jobs/chunk_job.py``, the transcode's worker encodes the sound once, then
   both take chunks (``EVENTSITE_CHUNK_SECONDS`` 90 by default, claimed by creating a file
   exclusively, as the runner claims a row), and the transcode's worker joins them
   (``transcode(chunks=...)``). The two sets are checked to be the same ladder with the same frames.

Part 2: a 1080p30 source that is not web-ready, on both cores: the first rung alone
(``first_rung(plan)``, what the job publishes first, at ``first_rung_settings``' fast preset) against
the full ladder; and the first rung at the ladder's own preset, as it was encoded before.

Wall time per layout and the other processes' load (procstat.Contention) are printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from procstat import CORES, Contention, wait_for_quiet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite.transcode import (  # noqa: E402  (the repository root is put on the path first)
    TranscodeSettings,
    first_rung,
    first_rung_settings,
    plan_chunks,
    plan_renditions,
    probe,
    transcode,
)
from eventsite.transcode.chunked import encode_chunk  # noqa: E402
from eventsite.transcode.chunks import DEFAULT_CHUNK_SECONDS  # noqa: E402
from eventsite.transcode.sound import make_sound  # noqa: E402

SETTINGS = TranscodeSettings()


def make_source(path: Path, seconds: float, size: str) -> Path:
    """A moving test pattern with a tone, H.264 at a high bit rate (not web-ready: it is encoded)."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "300", "-pix_fmt", "yuv420p",
         "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def plan_of(source: Path):
    return plan_renditions(probe(source), ladder=(1080, 720, 480, 360))


def role_one(source: Path, out: Path) -> None:
    transcode(source, out / "set", plan_of(source))


def role_chunks(source: Path, out: Path, lead: bool, chunk_seconds: float) -> None:
    """One of the two workers: the lead encodes the sound, both take chunks, the lead joins them."""
    plan = plan_of(source)
    spans = plan_chunks(plan, chunk_seconds, SETTINGS.segment_seconds)
    if lead:
        (out / "sound").mkdir()
        make_sound(source, out / "sound", plan, SETTINGS, timeout=lambda: 3600)
    for span in spans:
        try:
            os.close(os.open(out / f"claim-{span.index}", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            continue  # the other worker has it
        encode_chunk(source, out / f"chunk-{span.index}", plan, span, settings=SETTINGS)
        (out / f"done-{span.index}").touch()
    if lead:
        while not all((out / f"done-{s.index}").exists() for s in spans):
            time.sleep(0.2)
        folders = [out / f"chunk-{s.index}" for s in spans]
        transcode(source, out / "set", plan, sound=out / "sound" / "audio.m4a", chunks=folders)


def pinned(core: int, *args: str) -> subprocess.Popen:
    return subprocess.Popen(["taskset", "-c", str(core), sys.executable, __file__, *args])


def frames(folder: Path) -> dict[str, int]:
    """Frames of every MP4 of a set, from its index."""
    counts = {}
    for mp4 in sorted([*(folder / "set").glob("mp4/*.mp4"), *(folder / "set").glob("cartoon/*.mp4")]):
        found = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=nb_frames", "-of", "json",
             str(mp4)], capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        counts[str(mp4.relative_to(folder / "set"))] = int(json.loads(found)["streams"][0]["nb_frames"])
    return counts


def timed_here(work) -> tuple[float, float, float]:
    """Wall seconds, CPU-seconds of the ffmpeg runs, and the other processes' load while ``work`` ran."""
    wait_for_quiet(30)
    contention, started = Contention(), time.monotonic()
    cpu0 = _children_cpu()
    work()
    cpu = _children_cpu() - cpu0
    return time.monotonic() - started, cpu, contention.others(cpu)


def part_two(tmp: Path, seconds: float) -> str:
    """The first rung alone (fast preset, then the ladder's) against the full ladder, as Markdown."""
    big = make_source(tmp / "master.mp4", seconds, "1920x1080")
    plan = plan_of(big)
    first, fast = first_rung(plan), first_rung_settings(SETTINGS)
    rung = first.rungs[0].label
    runs = {
        f"first rung alone ({rung}, sound, poster), x264 `{fast.preset}`": (first, fast),
        f"first rung alone ({rung}, sound, poster), x264 `{SETTINGS.preset}` (before)": (first, SETTINGS),
        f"full ladder ({'/'.join(r.label for r in plan.rungs)}, cartoon, storyboard, poster)": (plan, SETTINGS),
    }
    rows, walls = [], {}
    for i, (name, (which, settings)) in enumerate(runs.items()):
        wall, cpu, load = timed_here(lambda: transcode(big, tmp / f"part2-{i}", which, settings=settings))  # noqa: B023
        size = sum(f.stat().st_size for f in (tmp / f"part2-{i}" / "mp4").glob("*.mp4"))
        walls[i] = wall
        print(f"{name}: {wall:.1f} s, {cpu:.1f} CPU-s")
        rows.append(f"| {name} | {wall:.1f} | {cpu:.1f} | {size / 1e6:.1f} | {load:.2f} |")
    return "\n".join(
        [
            f"Part 2 source: {seconds:g} s 1920x1080 30 fps H.264 (not web-ready), both cores. Command: "
            f"`.venv/bin/python bench/workers.py --only-first --first-seconds {seconds:g}`.",
            "",
            "| layout | wall s | CPU-s | MP4s MB | other load (cores) |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"First rung ÷ full ladder: **{walls[0] / walls[2]:.2f}×** "
            f"(at the ladder's preset: {walls[1] / walls[2]:.2f}×).",
        ]
    )


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="part 1's source length (default 600)")
    parser.add_argument("--size", default="854x480", help="part 1's source size (default 854x480)")
    parser.add_argument("--first-seconds", type=float, default=60, help="part 2's 1080p source length (default 60)")
    parser.add_argument("--chunk-seconds", type=float, default=DEFAULT_CHUNK_SECONDS)
    parser.add_argument("--only-first", action="store_true", help="run part 2 alone")
    parser.add_argument("--role", choices=["one", "lead", "helper"], help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "one":
        role_one(args.source, args.out)
        return 0
    if args.role:
        role_chunks(args.source, args.out, args.role == "lead", args.chunk_seconds)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-workers-"))
    try:
        if args.only_first:
            print(part_two(tmp, args.first_seconds))
            return 0
        source = make_source(tmp / "talk.mp4", args.seconds, args.size)
        chunks = len(plan_chunks(plan_of(source), args.chunk_seconds, SETTINGS.segment_seconds))
        common = ["--source", str(source), "--chunk-seconds", str(args.chunk_seconds)]
        one, two = tmp / "one", tmp / "two"
        one.mkdir()
        two.mkdir()
        wait_for_quiet(30)
        cpu0, c1, t0 = _children_cpu(), Contention(), time.monotonic()
        assert pinned(0, "--role", "one", "--out", str(one), *common).wait() == 0
        one_wall = time.monotonic() - t0
        one_cpu = _children_cpu() - cpu0
        one_load = c1.others(one_cpu)
        print(f"one worker on one core: {one_wall:.1f} s, {one_cpu:.1f} CPU-s")
        wait_for_quiet(30)
        cpu0, c2, t0 = _children_cpu(), Contention(), time.monotonic()
        lead = pinned(0, "--role", "lead", "--out", str(two), *common)
        helper = pinned(1, "--role", "helper", "--out", str(two), *common)
        assert lead.wait() == 0 and helper.wait() == 0
        two_wall = time.monotonic() - t0
        two_cpu = _children_cpu() - cpu0
        two_load = c2.others(two_cpu)
        print(f"two workers, one core each: {two_wall:.1f} s, {two_cpu:.1f} CPU-s")
        same = frames(one) == frames(two)
        assert same, (frames(one), frames(two))
        shutil.rmtree(one)
        shutil.rmtree(two)

        print(report(args, source, chunks, one_wall, one_load, two_wall, two_load))
        print()
        print(part_two(tmp, args.first_seconds))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(args, source, chunks, one_wall, one_load, two_wall, two_load) -> str:
    info = probe(source)
    ladder = "/".join(r.label for r in plan_of(source).rungs)
    return "\n".join(
        [
            f"Part 1 source: {info.duration:.0f} s {args.size} 30 fps H.264 (not web-ready) + AAC; ladder {ladder}, "
            f"cartoon, storyboard, poster; {chunks} chunks of {args.chunk_seconds:g} s; {CORES} cores. Command: "
            f"`.venv/bin/python bench/workers.py --seconds {args.seconds:g} --size {args.size} "
            f"--first-seconds {args.first_seconds:g}`.",
            "",
            "| layout | wall s | other load (cores) |",
            "|---|---|---|",
            f"| one worker on one core (`taskset -c 0`, the one-run set) | {one_wall:.1f} | {one_load:.2f} |",
            f"| two workers, one core each (sound + chunks + join) | {two_wall:.1f} | {two_load:.2f} |",
            "",
            f"Two workers ÷ one: **{one_wall / two_wall:.2f}× faster**, the same rungs with the same frame counts.",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
