"""Benchmark: time to playable for a web-ready upload, quick publish against the full ladder, in one run.

    .venv/bin/python bench/publish.py                      # 60 s 720p30 web-ready source, 1 round (~3 min on 2 cores)
    .venv/bin/python bench/publish.py --seconds 20 --repeats 1
    .venv/bin/python bench/publish.py --seconds 3600 --height 1080 --no-full   # the issue's hour (~15 min)

It makes a web-ready source with ffmpeg (``testsrc2`` 720p30 H.264 yuv420p at
about 1.5 Mb/s, or 1080p30 at about 4.5 Mb/s with ``--height 1080``, under the
top rung's cap, with a quiet room's sound at -30 LUFS; a long picture is one
minute encoded and repeated by stream copy, the sound is made at full length),
checks that ``web_ready_refusal`` accepts it, then per round runs, interleaved
and through the library functions the job calls:

Q. **quick**: ``transcode(plan_quick(...))``: the sound pass (ebur128 measure
   into FLAC, loudnorm + AAC), the picture copied into HLS + faststart MP4, the
   poster alongside, the master playlist. Playable when it returns.
F. **full**: ``transcode(plan_renditions(...))``: the whole ladder (rungs,
   cartoon, storyboard, poster) with its own sound pass, as a first upload runs.
Q1. **quick, sound in one part**: Q with the AAC encoded on one core
   (``sound_parts=1``), as before the sound was encoded in parts.
Q0. **quick as before this session**: Q1 with the sound's second pass as it was
   before the limiter (``loudnorm``'s dynamic mode where one gain would pass the
   ceiling, ``before_chain`` here), the baseline of the same run.

Wall and CPU (reaped children, ``getrusage``) per layout; the quick set's steps
are timed apart so the figure can be carried to longer recordings step by step.
Prints a Markdown section; nothing is written unless ``--results`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from procstat import CORES, Contention, wait_for_quiet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite.transcode import (  # noqa: E402  (the repository root is put on the path first)
    LoudnessTarget,
    TranscodeSettings,
    plan_quick,
    plan_renditions,
    probe,
    sound,  # noqa: E402
    transcode,
    web_ready_refusal,
)
from eventsite.transcode.loudness import Loudness  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SETTINGS, ONE_PART = TranscodeSettings(), TranscodeSettings(sound_parts=1)


def before_chain(measured: Loudness | None, target: LoudnessTarget, sample_rate: int) -> str | None:
    """The second pass as the eighth to twelfth sessions made it: ``loudnorm`` with the measured
    figures, linear where one gain fits, else its dynamic mode at 192 kHz."""
    if measured is None or not math.isfinite(measured.true_peak) or measured.integrated < -60:
        return None
    options = (
        f"I={target.integrated:.2f}:TP={target.true_peak - 0.5:.2f}:LRA=11.00:measured_I={measured.integrated:.2f}"
        f":measured_TP={min(measured.true_peak, 99.0):.2f}:measured_LRA={measured.lra:.2f}"
        f":measured_thresh={measured.threshold:.2f}:linear=true:print_format=none"
    )
    return f"loudnorm={options},aresample={sample_rate}"


@contextlib.contextmanager
def chain(kind: str):
    """The sound pass's second-pass rule for one layout: "now" (loudness.py) or "before"."""
    if kind == "now":
        yield
        return
    saved = sound.normalising_chain
    sound.normalising_chain = before_chain
    try:
        yield
    finally:
        sound.normalising_chain = saved


def make_source(path: Path, seconds: float, height: int = 720) -> Path:
    """A web-ready H.264/AAC upload with a quiet room's sound (see the module's text)."""
    width = height * 16 // 9
    rate = {720: ("1500k", "3M", "28"), 1080: ("4500k", "9M", "20")}[height]
    piece = path.with_name("picture.mp4")
    minute = min(seconds, 60)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30:duration={minute}",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", rate[2], "-maxrate", rate[0], "-bufsize", rate[1],
         "-g", "60", "-pix_fmt", "yuv420p", str(piece)],
        check=True,
    )  # fmt: skip
    repeats = math.ceil(seconds / minute)
    listing = path.with_name("pieces.txt")
    listing.write_text("".join(f"file '{piece.name}'\n" for _ in range(repeats)))
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y",
         "-f", "concat", "-i", str(listing),
         "-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=48000:amplitude=0.5:seed=7:duration={seconds}",
         "-filter_complex", "[1:a]volume='0.55+0.45*sin(2*PI*t*0.8)':eval=frame,volume=-6dB[a]",
         "-map", "0:v", "-map", "[a]", "-c:v", "copy", "-t", str(seconds),
         "-c:a", "aac", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip
    piece.unlink()
    listing.unlink()
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(work) -> tuple[float, float, float]:
    """(wall, CPU of the ffmpeg children, other processes' load in cores) of ``work()``."""
    wait_for_quiet(20)
    contention, cpu0, started = Contention(), children_cpu(), time.monotonic()
    work()
    wall, cpu = time.monotonic() - started, children_cpu() - cpu0
    return wall, cpu, contention.others(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the generated source (default 60)")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved rounds, median taken (default 1)")
    parser.add_argument("--height", type=int, choices=(720, 1080), default=720, help="the source's size (720)")
    parser.add_argument("--no-full", action="store_true", help="leave out the full ladder (hours for an hour)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-publish-"))
    try:
        started = time.monotonic()
        source = make_source(tmp / "upload.mp4", args.seconds, args.height)
        print(f"source made in {time.monotonic() - started:.0f} s")
        info = probe(source)
        full = plan_renditions(info)
        refusal = web_ready_refusal(info, full)
        assert refusal is None, refusal
        quick = plan_quick(info, full)
        names = ("Q", "Q1", "Q0", "F", "sound", "sound1", "sound0")
        runs: dict[str, list[tuple[float, float, float]]] = {k: [] for k in names}
        layouts = [("Q", quick, "now", SETTINGS), ("Q1", quick, "now", ONE_PART), ("Q0", quick, "before", ONE_PART)]
        if not args.no_full:
            layouts.append(("F", full, "now", SETTINGS))
        sounds = [("sound", "now", SETTINGS), ("sound1", "now", ONE_PART), ("sound0", "before", ONE_PART)]
        for i in range(args.repeats):
            for name, plan, kind, settings in layouts:
                out = tmp / f"{name}-{i}"
                with chain(kind):
                    runs[name].append(timed(lambda p=plan, o=out, s=settings: transcode(source, o, p, settings=s)))
                shutil.rmtree(out)
                print(f"round {i + 1} {name}: wall {runs[name][-1][0]:.1f} s, CPU {runs[name][-1][1]:.1f} s")
            for name, kind, settings in sounds:
                out = tmp / f"{name}-{i}"
                out.mkdir()
                with chain(kind):
                    work = lambda o=out, s=settings: sound.make_sound(source, o, quick, s, timeout=lambda: 3600)  # noqa: E731
                    runs[name].append(timed(work))
                shutil.rmtree(out)
        print(report(args, info, full, runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(args, info, full, runs) -> str:
    med = {k: tuple(statistics.median(r[j] for r in v) for j in range(3)) for k, v in runs.items() if v}
    (q_wall, q_cpu, q_others), (b_wall, b_cpu, b_others) = med["Q"], med["Q0"]
    s_cpu, s0_cpu = med["sound"][1], med["sound0"][1]
    v = info.video
    minutes = info.duration / 60
    command = f"`.venv/bin/python bench/publish.py --seconds {args.seconds:g} --repeats {args.repeats}"
    command += (f" --height {args.height}" if args.height != 720 else "") + (" --no-full`" if args.no_full else "`")
    lines = [
        f"Source: {info.duration:.0f} s {v.width}x{v.height} {v.fps:g} fps {v.codec} "
        f"{(v.bitrate or 0) / 1e6:.2f} Mb/s + {info.audio.codec}, web-ready; {args.repeats} round(s), "
        f"{CORES} cores. Command: {command}.",
        "",
        "| layout | wall s | CPU s | other load (cores) |",
        "|---|---|---|---|",
        f"| Q: quick publish (sound pass + picture copied + poster + master) | {q_wall:.1f} | {q_cpu:.1f} "
        f"| {q_others:.2f} |",
        f"| of Q: the sound pass alone | {med['sound'][0]:.1f} | {s_cpu:.1f} | {med['sound'][2]:.2f} |",
        f"| Q1: quick, the sound in one part | {med['Q1'][0]:.1f} | {med['Q1'][1]:.1f} | {med['Q1'][2]:.2f} |",
        f"| of Q1: the sound pass alone | {med['sound1'][0]:.1f} | {med['sound1'][1]:.1f} | {med['sound1'][2]:.2f} |",
        f"| Q0: quick as before (one part, loudnorm's dynamic mode) | {b_wall:.1f} | {b_cpu:.1f} | {b_others:.2f} |",
        f"| of Q0: the sound pass alone | {med['sound0'][0]:.1f} | {s0_cpu:.1f} | {med['sound0'][2]:.2f} |",
    ]
    if "F" in med:
        f_wall, f_cpu, f_others = med["F"]
        lines.insert(
            8,
            f"| F: full ladder ({'/'.join(r.label for r in full.rungs)}, cartoon, storyboard, poster) "
            f"| {f_wall:.1f} | {f_cpu:.1f} | {f_others:.2f} |",
        )
    lines += [
        "",
        f"Quick now ÷ before: **{q_wall / b_wall:.2f}×** wall (÷ one part: {q_wall / med['Q1'][0]:.2f}×); "
        f"the sound pass {med['sound'][0]:.1f} s wall against {med['sound1'][0]:.1f} in one part, "
        f"{s_cpu / minutes:.2f} against {s0_cpu / minutes:.2f} CPU-s per minute of sound before. "
        "Per minute of recording, quick took "
        f"{q_wall / minutes:.2f} s wall and {q_cpu / minutes:.2f} CPU-s. Playable after **{q_wall:.0f} s** "
        f"(aim for a web-ready hour of 1080p: 60 s).",
    ]
    if "F" in med:
        lines.append(
            f"Time to playable, quick ÷ full: **{q_wall / med['F'][0]:.3f}×** ({med['F'][0] / q_wall:.1f}× sooner)."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
