"""Benchmark: time to playable for a web-ready upload, quick publish against the full ladder, in one run.

    .venv/bin/python bench/publish.py                      # 60 s 720p30 web-ready source, 1 round (~3 min on 2 cores)
    .venv/bin/python bench/publish.py --seconds 20 --repeats 1

It makes a web-ready source with ffmpeg (``testsrc2`` 720p30 H.264 yuv420p at
about 1.5 Mb/s, under the 720p rung's cap, with a quiet room's sound at
-30 LUFS), checks that ``web_ready_refusal`` accepts it, then per round runs,
interleaved and through the library functions the job calls:

Q. **quick**: ``transcode(plan_quick(...))``: the sound pass (ebur128 measure
   into FLAC, loudnorm + AAC), the picture copied into HLS + faststart MP4, the
   poster alongside, the master playlist. Playable when it returns.
F. **full**: ``transcode(plan_renditions(...))``: the whole ladder (rungs,
   cartoon, storyboard, poster) with its own sound pass, as a first upload runs.
Q0. **quick as before**: Q with the quick set's AAC at the ``twoloop`` search the
   ladder uses (``quick_aac_coder``), instead of ``fast``.

Wall and CPU (reaped children, ``getrusage``) per layout; the quick set's steps
are timed apart so the figure can be carried to longer recordings step by step.
Prints a Markdown section; nothing is written unless ``--results`` is given.
"""

from __future__ import annotations

import argparse
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
    TranscodeSettings,
    plan_quick,
    plan_renditions,
    probe,
    transcode,
    web_ready_refusal,
)
from eventsite.transcode.sound import make_sound  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
#: the quick set's sound now (AAC ``fast`` search) and before (``twoloop``, as the ladder's)
NOW, BEFORE = TranscodeSettings(), TranscodeSettings(quick_aac_coder="twoloop")


def make_source(path: Path, seconds: float) -> Path:
    """A web-ready 720p30 H.264/AAC upload with a quiet room's sound."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=48000:amplitude=0.5:seed=7:duration={seconds}",
         "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
         "-filter_complex", "[0:a]volume='0.55+0.45*sin(2*PI*t*0.8)':eval=frame,volume=-6dB[a]",
         "-map", "1:v", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
         "-maxrate", "1500k", "-bufsize", "3M", "-g", "60", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip
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
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-publish-"))
    try:
        source = make_source(tmp / "upload.mp4", args.seconds)
        info = probe(source)
        full = plan_renditions(info)
        refusal = web_ready_refusal(info, full)
        assert refusal is None, refusal
        quick = plan_quick(info, full)
        runs: dict[str, list[tuple[float, float, float]]] = {k: [] for k in ("Q", "Q0", "F", "sound", "sound0")}
        for i in range(args.repeats):
            for name, plan, settings in (("Q", quick, NOW), ("Q0", quick, BEFORE), ("F", full, NOW)):
                out = tmp / f"{name}-{i}"
                runs[name].append(timed(lambda p=plan, o=out, s=settings: transcode(source, o, p, settings=s)))
                shutil.rmtree(out)
                print(f"round {i + 1} {name}: wall {runs[name][-1][0]:.1f} s, CPU {runs[name][-1][1]:.1f} s")
            for name, settings in (("sound", NOW), ("sound0", BEFORE)):
                out = tmp / f"{name}-{i}"
                out.mkdir()
                runs[name].append(timed(lambda o=out, s=settings: make_sound(source, o, quick, s, timeout=lambda: 600)))
                shutil.rmtree(out)
        print(report(args, info, full, runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(args, info, full, runs) -> str:
    med = {k: tuple(statistics.median(r[j] for r in v) for j in range(3)) for k, v in runs.items()}
    (q_wall, q_cpu, q_others), (f_wall, f_cpu, f_others) = med["Q"], med["F"]
    s_wall, s_cpu = med["sound"][0], med["sound"][1]
    v = info.video
    minutes = info.duration / 60
    return "\n".join(
        [
            f"Source: {info.duration:.0f} s {v.width}x{v.height} {v.fps:g} fps {v.codec} "
            f"{(v.bitrate or 0) / 1e6:.2f} Mb/s + {info.audio.codec}, web-ready; {args.repeats} round(s), "
            f"{CORES} cores. Command: `.venv/bin/python bench/publish.py --seconds {args.seconds:g} "
            f"--repeats {args.repeats}`.",
            "",
            "| layout | wall s | CPU s | other load (cores) |",
            "|---|---|---|---|",
            f"| Q: quick publish (sound pass + picture copied + poster + master) | {q_wall:.1f} | {q_cpu:.1f} "
            f"| {q_others:.2f} |",
            f"| F: full ladder ({'/'.join(r.label for r in full.rungs)}, cartoon, storyboard, poster) "
            f"| {f_wall:.1f} | {f_cpu:.1f} "
            f"| {f_others:.2f} |",
            f"| of Q: the sound pass alone | {s_wall:.1f} | {med['sound'][1]:.1f} | {med['sound'][2]:.2f} |",
            f"| Q0: quick as before (its AAC at `twoloop`) | {med['Q0'][0]:.1f} | {med['Q0'][1]:.1f} "
            f"| {med['Q0'][2]:.2f} |",
            f"| of Q0: the sound pass alone | {med['sound0'][0]:.1f} | {med['sound0'][1]:.1f} "
            f"| {med['sound0'][2]:.2f} |",
            "",
            f"Quick now ÷ before: {q_wall / med['Q0'][0]:.2f}× wall; the sound pass {s_cpu / minutes:.2f} against "
            f"{med['sound0'][1] / minutes:.2f} CPU-s per minute of sound (one hour: {s_cpu / minutes * 60:.0f} "
            f"against {med['sound0'][1] / minutes * 60:.0f} CPU-s, single-threaded, by extrapolation).",
            "",
            f"Time to playable, quick ÷ full: **{q_wall / f_wall:.3f}×** ({f_wall / q_wall:.1f}× sooner). "
            f"Per minute of recording, quick took {q_wall / minutes:.2f} s wall and {q_cpu / minutes:.2f} CPU-s, "
            f"{s_cpu / minutes:.2f} CPU-s of it the sound pass (single-threaded steps, one after another).",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
