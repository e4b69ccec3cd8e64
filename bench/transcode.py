"""Benchmark: transcoding through the job layer, against the same ffmpeg by hand and a PeerTube-style layout.

    .venv/bin/python bench/transcode.py                  # 60 s 1080p30 source, 3 rounds (16-20 min on 2 cores)
    .venv/bin/python bench/transcode.py --seconds 10 --repeats 1 --no-results   # smoke run

It makes a 1080p30 H.264/AAC source with ffmpeg (``testsrc2`` + a sine tone;
``--source FILE`` benchmarks any other file instead), then runs three layouts
interleaved (A, B, C, A, B, C, ...) and reports medians:

A. **job**: a real ``flask --app wsgi worker`` subprocess picks up the queued
   job of a fresh Recording (created with ``store_original``, as an upload is).
   Wall time is the job row's ``started_at`` (claim) to ``finished_at``; CPU is
   the worker's own plus its reaped children's (ffprobe, every ffmpeg) from
   ``/proc/<pid>/stat``; peak RSS is the sum over the worker's process tree,
   sampled from ``/proc`` every 50 ms; "first progress" is the row's
   ``heartbeat_at`` when ``progress`` first turns positive, minus ``started_at``
   (the row is polled every 0.1 s).
B. **by hand**: the argv of ``eventsite.transcode.build_argv`` for the same
   plan, run in a temporary folder at the niceness the pipeline gives ffmpeg
   (+10). The pipeline's extra steps (probe, storyboard tiling, poster, master
   playlist) are then run through their library functions and timed apart.
C. **PeerTube-style**: one ffmpeg process per output, run one after another,
   with the same encoder settings (the x264/AAC option dicts of
   ``eventsite.transcode.command``): an MP4 per rung, an HLS (fMP4) rendition
   per rung from the source, the HLS audio, ``audio.m4a``, the cartoon and the
   storyboard thumbnails; same niceness as B.

Everything (a copy of the code taken at the start, instance, SQLite
database, SQLite queue, media, work folders) lives in one temporary folder
that is removed at the end. Before each run it waits (``--quiet-wait``, at
most 30 s) for the machine to be idle, and it reports how much CPU other
processes used during each run. The figures go to the "## Transcoding"
section of bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from procstat import CORES, Contention, RssSampler, children_cpu, renice, tree_cpu_seconds, wait_for_quiet
from transcode_report import NICE, RESULTS, Run, loadavg, mib, report, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POLL_SECONDS = 0.1

# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args, self.tmp = args, tmp
        self.worker: subprocess.Popen | None = None
        self.child: subprocess.Popen | None = None
        self.env = {
            "EVENTSITE_INSTANCE_PATH": str(tmp / "instance"),
            "EVENTSITE_DATABASE_URL": f"sqlite:///{tmp / 'site.db'}",
            "EVENTSITE_MEDIA_ROOT": str(tmp / "media"),
            "EVENTSITE_QUEUE_URL": f"sqlite:///{tmp / 'queue.db'}",
            "EVENTSITE_SECRET_KEY": secrets.token_hex(32),  # the app refuses a key written in the repository
            # the one-decode ladder against the same ladder by hand: no quick set or first rung before it
            "EVENTSITE_QUICK_PUBLISH": "0",
        }
        os.environ.update(self.env)
        # Other people edit the work tree while this runs for ~20 minutes; benchmark one consistent copy
        # (a module renamed mid-run once left the queued task unknown to a freshly started worker).
        self.code = tmp / "code"
        for name in ("eventsite", "templates", "static", "migrations"):
            shutil.copytree(ROOT / name, self.code / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "wsgi.py", self.code / "wsgi.py")
        sys.path.insert(0, str(self.code))

    # ----------------------------------------------------------------- setup

    def make_source(self) -> Path:
        if self.args.source:
            return Path(self.args.source).resolve()
        path = self.tmp / "source.mp4"
        argv = [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(self.args.seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", str(path),
        ]  # fmt: skip
        started = time.monotonic()
        subprocess.run(argv, check=True)
        print(f"source: {self.args.seconds} s 1080p30 testsrc2 + sine made in {time.monotonic() - started:.1f} s")
        return path

    def setup(self) -> None:
        import flask_migrate

        import eventsite
        from eventsite import create_app
        from eventsite.events.models import Event, Panel, PanelStatus
        from eventsite.extensions import db
        from eventsite.transcode import LoudnessTarget, TranscodeSettings, plan_renditions, probe

        assert Path(eventsite.__file__).is_relative_to(self.code), eventsite.__file__
        self.app = create_app()
        self.ctx = self.app.app_context()
        self.ctx.push()
        flask_migrate.upgrade()  # the worker, like every command, wants a migrated database
        event = Event(slug="bench", name="Bench")
        self.panel = Panel(event=event, slug="bench", title="Bench", status=PanelStatus.PUBLISHED)
        db.session.add_all([event, self.panel])
        db.session.commit()
        self.source = self.make_source()
        self.info = probe(self.source)
        cfg = self.app.config
        # exactly what eventsite.jobs._plan_for and _run use for this panel
        self.plan = plan_renditions(
            self.info, ladder=tuple(cfg["TRANSCODE_LADDER"]), cartoon=True, cartoon_height=cfg["CARTOON_HEIGHT"]
        )
        self.settings = TranscodeSettings(
            preset=cfg["TRANSCODE_PRESET"],
            filter_threads=cfg["TRANSCODE_FILTER_THREADS"],
            loudness=LoudnessTarget(integrated=float(cfg["LOUDNESS_TARGET"])) if cfg["LOUDNORM"] else None,
        )
        v = self.info.video
        self.source_desc = (
            f"{self.info.duration:.1f} s {v.width}x{v.height} {v.fps:g} fps {v.codec}"
            + (f" + {self.info.audio.codec}" if self.info.audio else "")
            if v
            else f"{self.info.duration:.1f} s audio"
        )
        print(f"source: {self.source_desc}; rungs {[r.label for r in self.plan.rungs]}, cartoon {self.plan.cartoon}")

    # ----------------------------------------------------------------- A: through the job layer

    def start_worker(self, log: Path) -> subprocess.Popen:
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                cwd=self.code, env={**os.environ, **self.env}, start_new_session=True,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.worker = proc
        deadline = time.monotonic() + 60
        while b"Worker started" not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start:\n" + log.read_text(errors="replace")[-2000:])
            time.sleep(0.05)
        return proc

    def stop_worker(self) -> None:
        proc, self.worker = self.worker, None
        if proc is None:
            return
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def run_job(self, index: int) -> Run:
        import sqlalchemy as sa

        from eventsite.extensions import db
        from eventsite.recordings.models import JobStatus, RecordingJob
        from eventsite.recordings.operations import store_original

        log = self.tmp / f"worker-{index}.log"
        worker = self.start_worker(log)
        try:
            time.sleep(0.3)  # let the consumer settle into its polling loop
            cpu0 = tree_cpu_seconds(worker.pid)
            contention = Contention()
            sampler = RssSampler(worker.pid, include_root=True)
            sampler.start()
            upload = self.tmp / f"upload-{index}.mp4"
            shutil.copyfile(self.source, upload)
            queued_at = time.monotonic()
            recording = store_original(upload, self.panel, "panel.mp4")  # probes, stores, queues the job
            job_id = db.session.scalar(sa.select(RecordingJob.id).where(RecordingJob.recording_id == recording.id))
            first_progress_at = None
            deadline = time.monotonic() + max(600.0, 20 * self.info.duration)
            while True:
                db.session.rollback()  # a fresh read each time
                row = db.session.execute(
                    sa.select(
                        RecordingJob.status,
                        RecordingJob.progress,
                        RecordingJob.heartbeat_at,
                        RecordingJob.started_at,
                        RecordingJob.finished_at,
                        RecordingJob.created_at,
                        RecordingJob.error,
                        RecordingJob.stderr_tail,
                    ).where(RecordingJob.id == job_id)
                ).one()
                if first_progress_at is None and row.progress and row.progress > 0:
                    first_progress_at = row.heartbeat_at
                if row.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
                    break
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise RuntimeError(f"job {job_id} did not finish:\n" + log.read_text(errors="replace")[-2000:])
                time.sleep(POLL_SECONDS)
            done_at = time.monotonic()
            cpu = tree_cpu_seconds(worker.pid) - cpu0
            peak = sampler.stop()
            others = contention.others(cpu)
        finally:
            self.stop_worker()
        if row.status is not JobStatus.SUCCEEDED:
            raise RuntimeError(f"job {job_id} ended {row.status}: {row.error}\n{row.stderr_tail}")
        wall = (row.finished_at - row.started_at).total_seconds()
        extra = {
            "first_progress": (first_progress_at - row.started_at).total_seconds() if first_progress_at else None,
            "queue_wait": (row.started_at - row.created_at).total_seconds(),
            "queued_to_seen_done": done_at - queued_at,
        }
        shutil.rmtree(self.tmp / "media" / "recordings" / str(recording.id), ignore_errors=True)
        return Run("A", wall, cpu, peak, others, extra)

    # ----------------------------------------------------------------- B: the same ffmpeg by hand

    def timed_child(self, argv: list[str], cwd: Path, first_progress: list[float] | None = None) -> tuple[float, int]:
        """Run one ffmpeg (niceness +NICE) in ``cwd``; return (wall, peak RSS). CPU: see children_cpu()."""
        started = time.monotonic()
        with (cwd / "stderr.log").open("ab") as err:
            proc = subprocess.Popen(
                argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE if first_progress is not None
                else subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        self.child = proc
        renice(proc.pid, NICE)
        sampler = RssSampler(proc.pid, include_root=True)
        sampler.start()
        if first_progress is not None:
            assert proc.stdout is not None
            for raw in proc.stdout:  # -progress pipe:1 blocks; out_time_us > 0 is the first real position
                key, _, value = raw.decode(errors="replace").strip().partition("=")
                if not first_progress and key == "out_time_us" and value.lstrip("-").isdigit() and int(value) > 0:
                    first_progress.append(time.monotonic() - started)
            proc.stdout.close()
        returncode = proc.wait()
        wall = time.monotonic() - started
        peak = sampler.stop()
        self.child = None
        if returncode != 0:
            tail = (cwd / "stderr.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"ffmpeg failed ({returncode}): {shlex.join(argv)[:300]}…\n{tail}")
        return wall, peak

    def main_ffmpeg(
        self, work: Path, settings, first: list[float] | None = None
    ) -> tuple[float, float, int, float, float]:
        """The sound pass's commands, then the ``build_argv`` command for the plan, run in the new folder
        ``work``: (wall, CPU, peak RSS, others, wall of the sound pass alone)."""
        from eventsite.transcode import build_argv
        from eventsite.transcode.command import output_dirs

        work.mkdir()
        for folder in output_dirs(self.plan):
            (work / folder).mkdir(parents=True, exist_ok=True)
        contention = Contention()
        cpu0 = children_cpu()
        sound = self.sound_by_hand(work, settings)
        wall, peak = self.timed_child(build_argv(self.source, self.plan, settings), work, first)
        cpu = children_cpu() - cpu0
        return sound + wall, cpu, peak, contention.others(cpu), sound

    def sound_by_hand(self, work: Path, settings) -> float:
        """The sound pass (measure into a FLAC copy, then gain, limiter + AAC once) by hand in ``work``: wall s."""
        from eventsite.transcode.loudness import normalising_chain, parse_ebur128_summary
        from eventsite.transcode.sound import MEASURED_COPY, encode_argv, measure_argv

        plan = self.plan
        if not plan.audio:
            return 0.0
        if settings.loudness is None:
            return self.timed_child(encode_argv(self.source, plan, settings, None, original=True), work)[0]
        measuring, _ = self.timed_child(measure_argv(self.source, plan, settings), work)
        measured = parse_ebur128_summary((work / "stderr.log").read_text(errors="replace"))
        chain = normalising_chain(measured, settings.loudness, plan.audio[0].sample_rate)
        encoding, _ = self.timed_child(encode_argv(work / MEASURED_COPY, plan, settings, chain), work)
        (work / MEASURED_COPY).unlink()
        return measuring + encoding

    def run_by_hand_other_threads(self, index: int) -> Run:
        """B0 (``--baseline-filter-threads N``): B's ffmpeg with the filter graph on N threads."""
        from dataclasses import replace

        work = self.tmp / f"by-hand-threads-{index}"
        settings = replace(self.settings, filter_threads=self.args.baseline_filter_threads)
        wall, cpu, peak, others, _ = self.main_ffmpeg(work, settings)
        shutil.rmtree(work)
        return Run("B0", wall, cpu, peak, others, {})

    def run_by_hand(self, index: int) -> Run:
        from eventsite.transcode import build_storyboard, probe, take_poster
        from eventsite.transcode.command import HLS_DIR
        from eventsite.transcode.hls import HlsRung, write_master_playlist

        plan = self.plan
        work = self.tmp / f"by-hand-{index}"
        first: list[float] = []
        wall, cpu, peak, others, sound = self.main_ffmpeg(work, self.settings, first)

        # the pipeline's other steps, through the same library functions it calls
        steps: dict[str, float] = {}
        t = time.monotonic()
        probe(self.source)
        steps["probe"] = time.monotonic() - t
        t = time.monotonic()
        if plan.storyboard:
            build_storyboard(work, plan.storyboard, plan.duration, settings=self.settings)
        steps["storyboard"] = time.monotonic() - t
        t = time.monotonic()
        top = plan.rungs[0]
        take_poster(
            self.source, work / "poster.jpg", plan.poster_time or 0.0, demuxer=plan.demuxer,
            width=top.width, height=top.height, fps=float(Fraction(plan.fps)), video_index=plan.video_index,
            duration=plan.duration, settings=self.settings,
        )  # fmt: skip
        steps["poster"] = time.monotonic() - t
        t = time.monotonic()
        fps = float(Fraction(plan.fps))
        rungs = [HlsRung(r.label, r.width, r.height, fps) for r in plan.rungs]
        write_master_playlist(work / HLS_DIR, rungs, audio_name="audio" if plan.has_audio else None)
        steps["master"] = time.monotonic() - t
        shutil.rmtree(work)
        extra = {
            "first_ffmpeg_progress": first[0] if first else None,
            "sound": sound,
            **steps,
            "extras": sum(steps.values()),
        }
        return Run("B", wall, cpu, peak, others, extra)

    # ----------------------------------------------------------------- C: PeerTube-style, one process per output

    def peertube_argvs(self) -> list[tuple[str, list[str]]]:
        import ffmpeg

        from eventsite.transcode import command

        plan, settings = self.plan, self.settings
        head = [settings.ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning", "-y"]

        def source():
            return ffmpeg.input(f"file:{self.source}", format=plan.demuxer, protocol_whitelist="file")

        def picture(src):
            return src[str(plan.video_index)].filter("fps", fps=plan.fps)

        def sound(src):
            return src[str(plan.audio_index)]

        # the very option dicts the single-process command uses
        x264 = command.x264_options(plan, settings, settings.crf)
        # PeerTube encodes each output's sound from the upload, not normalised
        aac = (
            {"c:a": "aac", "b:a": settings.audio_bitrate, "ac": 2, "ar": plan.audio[0].sample_rate}
            if plan.audio
            else {}
        )
        hls = {
            "format": "hls",
            "hls_time": settings.segment_seconds,
            "hls_playlist_type": "vod",
            "hls_segment_type": "fmp4",
            "hls_flags": "independent_segments",
        }
        runs = []
        for rung in plan.rungs:
            src = source()
            video = picture(src).filter("scale", rung.width, rung.height).filter("setsar", 1)
            streams = [video, sound(src)] if plan.has_audio else [video]
            out = ffmpeg.output(
                *streams, command.rung_mp4(rung.label), format="mp4", movflags="+faststart",
                maxrate=rung.maxrate, bufsize=rung.bufsize, **x264, **aac,
            )  # fmt: skip
            runs.append((f"mp4 {rung.label}", [*head, *ffmpeg.get_args(out)]))
        for rung in plan.rungs:
            src = source()
            video = picture(src).filter("scale", rung.width, rung.height).filter("setsar", 1)
            out = ffmpeg.output(
                video, f"hls/{rung.label}/index.m3u8", hls_segment_filename=f"hls/{rung.label}/seg%03d.m4s",
                maxrate=rung.maxrate, bufsize=rung.bufsize, **hls, **x264,
            )  # fmt: skip
            runs.append((f"hls {rung.label}", [*head, *ffmpeg.get_args(out)]))
        if plan.has_audio:
            out = ffmpeg.output(
                sound(source()), "hls/audio/index.m3u8", hls_segment_filename="hls/audio/seg%03d.m4s",
                map_metadata=-1, **hls, **aac,
            )  # fmt: skip
            runs.append(("hls audio", [*head, *ffmpeg.get_args(out)]))
            out = ffmpeg.output(
                sound(source()), "audio.m4a", format="mp4", movflags="+faststart", map_metadata=-1, **aac
            )
            runs.append(("audio.m4a", [*head, *ffmpeg.get_args(out)]))
        if plan.cartoon:
            src = source()
            out = command._cartoon_output(picture(src), sound(src) if plan.has_audio else None, plan, settings)
            runs.append(("cartoon", [*head, *ffmpeg.get_args(out)]))
        if plan.storyboard:
            board = plan.storyboard
            every = Fraction(board.interval).limit_denominator(1000)
            thumbs = (
                picture(source())
                .filter("fps", fps=f"{every.denominator}/{every.numerator}")
                .filter("scale", board.thumb_width, board.thumb_height)
                .filter("setsar", 1)
            )
            out = ffmpeg.output(
                thumbs, command.THUMB_PATTERN, format="image2", fps_mode="passthrough", start_number=0,
                **{"q:v": settings.jpeg_quality},
            )  # fmt: skip
            runs.append(("thumbnails", [*head, *ffmpeg.get_args(out)]))
        return runs

    def run_peertube(self, index: int) -> Run:
        work = self.tmp / f"peertube-{index}"
        for folder in ["mp4", "thumbs", "cartoon", "hls/audio", *(f"hls/{r.label}" for r in self.plan.rungs)]:
            (work / folder).mkdir(parents=True, exist_ok=True)
        contention = Contention()
        cpu0 = children_cpu()
        wall, peak, per_output = 0.0, 0, {}
        for name, argv in self.peertube_argvs():
            seconds, rss = self.timed_child(argv, work)
            per_output[name] = seconds
            wall += seconds
            peak = max(peak, rss)
        cpu = children_cpu() - cpu0
        others = contention.others(cpu)
        shutil.rmtree(work)
        return Run("C", wall, cpu, peak, others, per_output)

    # ----------------------------------------------------------------- cleanup

    def close(self) -> None:
        self.stop_worker()
        child, self.child = self.child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        if getattr(self, "ctx", None) is not None:
            from eventsite.extensions import db

            db.session.remove()
            db.engine.dispose()
            self.ctx.pop()
            self.ctx = None


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the generated source (default 60)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds, median taken (default 3)")
    parser.add_argument("--source", help="benchmark this file instead of a generated testsrc2 clip")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30,
        help="before each run, wait up to this many seconds for the machine to be idle (0: don't)",
    )
    parser.add_argument("--no-results", action="store_true", help="print the section, do not write RESULTS.md")
    parser.add_argument(
        "--baseline-filter-threads",
        type=int,
        metavar="N",
        help="add layout B0, B with the filter graph on N threads (0: ffmpeg's one per core), interleaved",
    )
    args = parser.parse_args()
    if args.seconds.is_integer():
        args.seconds = int(args.seconds)

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    started, t0, load0 = datetime.now(UTC), time.monotonic(), loadavg()
    tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-transcode-"))
    bench = Bench(args, tmp)
    runs: list[Run] = []
    try:
        bench.setup()
        for i in range(args.repeats):
            layouts = [("A", bench.run_job), ("B", bench.run_by_hand), ("C", bench.run_peertube)]
            if args.baseline_filter_threads is not None:
                layouts.insert(2, ("B0", bench.run_by_hand_other_threads))
            for layout, fn in layouts:
                if args.quiet_wait > 0:
                    load, waited = wait_for_quiet(args.quiet_wait)
                    if waited > 2.5:
                        print(f"  waited {waited:.0f} s for a quieter machine (now {load:.2f} cores busy)", flush=True)
                run = fn(i)
                runs.append(run)
                extra = {k: round(v, 2) for k, v in run.extra.items() if v is not None}
                print(
                    f"round {i + 1} {layout}: wall {run.wall:.1f} s, CPU {run.cpu:.1f} s "
                    f"({run.utilisation:.2f} of {CORES} cores, {run.utilisation_left:.2f} of what others left), "
                    f"peak RSS {mib(run.peak_rss)}, "
                    f"others {run.others:.2f} cores, {extra}",
                    flush=True,
                )
    finally:
        bench.close()
        shutil.rmtree(tmp, ignore_errors=True)
    took = time.monotonic() - t0
    command = ".venv/bin/python bench/transcode.py" + ("" if not sys.argv[1:] else " " + shlex.join(sys.argv[1:]))
    text = report(bench, runs, command, started, took, (load0, loadavg()))
    print()
    print(text)
    if not args.no_results:
        write_section(text)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
