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
import platform
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Transcoding"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CORES = len(os.sched_getaffinity(0))
#: niceness run_ffmpeg adds for the pipeline's ffmpeg (TranscodeSettings.nice); B and C get the same
NICE = 10
SAMPLE_SECONDS = 0.05
POLL_SECONDS = 0.1

# --------------------------------------------------------------------------- /proc helpers


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from field 3 (state) on; None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` plus those of every child it has reaped (cutime + cstime)."""
    fields = _stat_fields(pid)
    if fields is None:
        raise RuntimeError(f"process {pid} is gone")
    return sum(int(v) for v in fields[11:15]) / CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    steal = values[7] if len(values) > 7 else 0
    return (sum(values[:8]) - idle - steal) / CLK_TCK


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` (not ``root`` itself)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class RssSampler(threading.Thread):
    """Peak summed RSS of a process tree, sampled from /proc every SAMPLE_SECONDS."""

    def __init__(self, root: int, include_root: bool) -> None:
        super().__init__(daemon=True)
        self.root, self.include_root = root, include_root
        self.peak = 0
        self.peak_single = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while True:
            pids = descendants(self.root)
            if self.include_root:
                pids.add(self.root)
            sizes = [rss_bytes(p) for p in pids]
            self.peak = max(self.peak, sum(sizes))
            self.peak_single = max([self.peak_single, *sizes])
            if self.halt.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> int:
        self.halt.set()
        self.join()
        return self.peak


class Contention:
    """How much CPU the rest of the machine used during a measured run."""

    def __init__(self) -> None:
        self.busy0, self.t0 = machine_busy_seconds(), time.monotonic()

    def others(self, own_cpu: float) -> float:
        """Cores' worth of CPU used by other processes (0 on an otherwise idle machine)."""
        wall = time.monotonic() - self.t0
        return max(0.0, (machine_busy_seconds() - self.busy0 - own_cpu) / wall) if wall > 0 else 0.0


def wait_for_quiet(max_wait: float, threshold: float = 0.3, window: float = 2.0) -> tuple[float, float]:
    """Wait until the rest of the machine uses at most ``threshold`` cores (or ``max_wait`` passes).

    Returns (load seen in the last window, seconds waited). Other people's
    test suites on a shared 2-core machine would otherwise decide the result.
    """
    started = time.monotonic()
    while True:
        busy = machine_busy_seconds()
        time.sleep(window)
        load = (machine_busy_seconds() - busy) / window
        waited = time.monotonic() - started
        if load <= threshold or waited >= max_wait:
            return load, waited


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def renice(pid: int, nice: int) -> None:
    """What run_ffmpeg does to its child: make it ``nice`` nicer than us."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, pid) + nice))
    except OSError:
        pass


# --------------------------------------------------------------------------- results


@dataclass
class Run:
    layout: str
    wall: float
    cpu: float
    peak_rss: int
    others: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def utilisation(self) -> float:
        return self.cpu / (self.wall * CORES)

    @property
    def utilisation_left(self) -> float:
        """CPU ÷ the CPU the rest of the machine left us (wall × (cores − other load))."""
        return self.cpu / (self.wall * max(0.1, CORES - self.others))


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


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
            "EVENTSITE_SECRET_KEY": "bench-transcode",
        }
        os.environ.update(self.env)
        # Other people edit the work tree while this runs for ~20 minutes; benchmark one consistent copy
        # (a module renamed mid-run once left the queued task unknown to a freshly started worker).
        self.code = tmp / "code"
        for name in ("eventsite", "templates", "static"):
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
        import eventsite
        from eventsite import create_app
        from eventsite.events.models import Event, Panel, PanelStatus
        from eventsite.extensions import db
        from eventsite.transcode import TranscodeSettings, plan_renditions, probe

        assert Path(eventsite.__file__).is_relative_to(self.code), eventsite.__file__
        self.app = create_app()
        self.ctx = self.app.app_context()
        self.ctx.push()
        db.create_all()
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
        self.settings = TranscodeSettings(preset=cfg["TRANSCODE_PRESET"])
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
        from eventsite.recordings.models import JobStatus, TranscodeJob
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
            job_id = db.session.scalar(sa.select(TranscodeJob.id).where(TranscodeJob.recording_id == recording.id))
            first_progress_at = None
            deadline = time.monotonic() + max(600.0, 20 * self.info.duration)
            while True:
                db.session.rollback()  # a fresh read each time
                row = db.session.execute(
                    sa.select(
                        TranscodeJob.status,
                        TranscodeJob.progress,
                        TranscodeJob.heartbeat_at,
                        TranscodeJob.started_at,
                        TranscodeJob.finished_at,
                        TranscodeJob.created_at,
                        TranscodeJob.error,
                        TranscodeJob.stderr_tail,
                    ).where(TranscodeJob.id == job_id)
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

    def run_by_hand(self, index: int) -> Run:
        from eventsite.transcode import build_argv, build_storyboard, probe, take_poster
        from eventsite.transcode.command import HLS_DIR, output_dirs
        from eventsite.transcode.hls import HlsRung, write_master_playlist

        plan = self.plan
        work = self.tmp / f"by-hand-{index}"
        work.mkdir()
        for folder in output_dirs(plan):
            (work / folder).mkdir(parents=True, exist_ok=True)
        argv = build_argv(self.source, plan, self.settings)
        contention = Contention()
        cpu0 = children_cpu()
        first: list[float] = []
        wall, peak = self.timed_child(argv, work, first)
        cpu = children_cpu() - cpu0
        others = contention.others(cpu)

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
        extra = {"first_ffmpeg_progress": first[0] if first else None, **steps, "extras": sum(steps.values())}
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
        x264 = command._x264_options(plan, settings, settings.crf)
        aac = command._aac_options(plan) if plan.has_audio else {}
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


# --------------------------------------------------------------------------- report


def ffmpeg_version() -> str:
    out = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True).stdout
    match = re.match(r"ffmpeg version (\S+)", out)
    return match.group(1) if match else out.splitlines()[0]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def report(bench: Bench, runs: list[Run], command: str, started: datetime, took: float, load: tuple[str, str]) -> str:
    a = [r for r in runs if r.layout == "A"]
    b = [r for r in runs if r.layout == "B"]
    c = [r for r in runs if r.layout == "C"]
    rounds = min(len(a), len(b), len(c))
    # per-round ratios (runs of one round are back to back, so they share the machine's mood)
    job_vs_hand = median(a[i].wall / b[i].wall for i in range(rounds))
    job_vs_hand_all = median(a[i].wall / (b[i].wall + b[i].extra["extras"]) for i in range(rounds))
    peertube_vs_hand = median(c[i].wall / b[i].wall for i in range(rounds))
    peertube_vs_job = median(c[i].wall / a[i].wall for i in range(rounds))
    job_vs_hand_cpu = median(a[i].cpu / b[i].cpu for i in range(rounds))
    # a PeerTube with web videos enabled remuxes its HLS from the MP4s instead of encoding it again
    peertube_no_hls = median(
        (c[i].wall - sum(v for k, v in c[i].extra.items() if k.startswith("hls ") and k != "hls audio")) / b[i].wall
        for i in range(rounds)
    )
    first = median(r.extra["first_progress"] for r in a)
    firsts = ", ".join(f"{r.extra['first_progress']:.2f}" for r in a if r.extra["first_progress"] is not None)
    util = median(r.utilisation for r in a)
    util_left = median(r.utilisation_left for r in a)

    def walls(rs):
        return ", ".join(f"{r.wall:.1f}" for r in rs)

    def col(rs, fn, fmt):
        return fmt.format(median(fn(r) for r in rs))

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    steps = {k: median(r.extra[k] for r in b) for k in ("probe", "storyboard", "poster", "master")}
    per_output = {k: median(r.extra[k] for r in c) for k in c[0].extra} if c else {}
    verdicts = explain(a, b, c, job_vs_hand, job_vs_hand_cpu, peertube_vs_hand, peertube_no_hls, util, util_left, first)
    lines = [
        SECTION,
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, took {took / 60:.1f} min: `{command}`",
        "",
        f"Machine: {CORES} cores ({cpu_model()}), ffmpeg {ffmpeg_version()}, Python {platform.python_version()}; "
        f"load average {load[0]} at the start, {load[1]} at the end. "
        f"Source: {bench.source_desc} ({'testsrc2 + sine, made by the script' if not bench.args.source else 'given'}), "
        f"plan: rungs {'/'.join(r.label for r in bench.plan.rungs)}, HLS + MP4 each, audio.m4a, "
        f"{bench.plan.cartoon.label + ' cartoon, ' if bench.plan.cartoon else ''}storyboard, poster. "
        f"Rounds interleaved A, B, C; medians of {rounds}; B and C run ffmpeg at niceness +{NICE} like the pipeline.",
        "",
        "| layout | wall s (median) | runs | CPU s | CPU ÷ (wall × cores) | peak RSS | other load (cores) |",
        "|---|---|---|---|---|---|---|",
        f"| A: job (flask worker, claim → finished) | {col(a, lambda r: r.wall, '{:.1f}')} | {walls(a)} "
        f"| {col(a, lambda r: r.cpu, '{:.1f}')} | {col(a, lambda r: r.utilisation, '{:.2f}')} "
        f"| {mib(median(r.peak_rss for r in a))} worker + ffmpeg | {col(a, lambda r: r.others, '{:.2f}')} |",
        f"| B: `build_argv` ffmpeg by hand | {col(b, lambda r: r.wall, '{:.1f}')} | {walls(b)} "
        f"| {col(b, lambda r: r.cpu, '{:.1f}')} | {col(b, lambda r: r.utilisation, '{:.2f}')} "
        f"| {mib(median(r.peak_rss for r in b))} ffmpeg | {col(b, lambda r: r.others, '{:.2f}')} |",
        f"| C: PeerTube-style, {len(per_output)} processes in sequence | {col(c, lambda r: r.wall, '{:.1f}')} "
        f"| {walls(c)} | {col(c, lambda r: r.cpu, '{:.1f}')} | {col(c, lambda r: r.utilisation, '{:.2f}')} "
        f"| {mib(median(r.peak_rss for r in c))} largest process | {col(c, lambda r: r.others, '{:.2f}')} |",
        "",
        "| figure | value | aim | |",
        "|---|---|---|---|",
        f"| 1. job ÷ by-hand main ffmpeg (wall) | {job_vs_hand:.3f}× | ≤ 1.05× | {mark(job_vs_hand <= 1.05)} |",
        f"| 1b. job ÷ by-hand incl. probe, storyboard, poster, master playlist | {job_vs_hand_all:.3f}× | | |",
        f"| 1c. job CPU ÷ by-hand main ffmpeg CPU (insensitive to other load) | {job_vs_hand_cpu:.3f}× | | |",
        f"| 2. PeerTube-style ÷ by-hand main ffmpeg (same outputs) | {peertube_vs_hand:.2f}× | ≥ 1.25× "
        f"| {mark(peertube_vs_hand >= 1.25)} |",
        f"| 2b. PeerTube-style ÷ job | {peertube_vs_job:.2f}× | | |",
        f"| 2c. PeerTube-style without the per-rung HLS encodes (HLS remuxed from the MP4s) ÷ by-hand "
        f"| ≥ {peertube_no_hls:.2f}× | | |",
        f"| 3. job CPU ÷ (wall × {CORES} cores) | {util:.2f} | ≥ 0.9 | {mark(util >= 0.9)} |",
        f"| 3b. job CPU ÷ (wall × ({CORES} cores − other load)) | {util_left:.2f} | | |",
        f"| 4. claim → first progress > 0 on the row | {first:.2f} s ({firsts}) | ≤ 2 s | {mark(first <= 2)} |",
        f"| 5. peak RSS, worker + ffmpeg | {mib(median(r.peak_rss for r in a))} | | |",
        "",
        "Ratios are medians of per-round ratios. The pipeline's steps besides the main ffmpeg, timed by hand "
        "(median s): " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()) + f"; ffmpeg's first `-progress` "
        f"block with a position came {median(r.extra['first_ffmpeg_progress'] for r in b):.2f} s after it started. "
        f"Job queue wait (created → claimed): {median(r.extra['queue_wait'] for r in a):.3f} s. "
        "PeerTube-style per process (median s): " + ", ".join(f"{k} {v:.1f}" for k, v in per_output.items()) + ".",
        "",
        *verdicts,
        "CPU of A is the worker's own plus its reaped children's (`/proc/<pid>/stat`), from just before the "
        "job is queued to just after it is seen finished; RSS is summed over the process tree, sampled every "
        f'{SAMPLE_SECONDS * 1000:.0f} ms. "Other load" is the CPU the rest of the machine used meanwhile '
        "(`/proc/stat` minus ours), in cores.",
        "",
    ]
    return "\n".join(lines)


def explain(a, b, c, job_vs_hand, job_vs_hand_cpu, peertube_vs_hand, peertube_no_hls, util, util_left, first):
    """A plain sentence for every aim missed (and for a met aim that needs a caveat), from the figures."""
    out = []
    others_a, others_b = median(r.others for r in a), median(r.others for r in b)
    if job_vs_hand > 1.05:
        if job_vs_hand_cpu <= 1.03:
            out.append(
                f"Aim 1 missed on wall time, but the job used {job_vs_hand_cpu:.3f}× the CPU of the same ffmpeg by "
                f"hand, so the gap is other load (median {others_a:.2f} cores during A, {others_b:.2f} during B) "
                "rather than the job layer."
            )
        else:
            out.append(
                f"Aim 1 missed: the job used {job_vs_hand_cpu:.3f}× the CPU of the same ffmpeg by hand; the "
                "pipeline's own steps (probe, storyboard, poster, master playlist) are timed above."
            )
    cpu_ratio = median(r.cpu for r in c) / median(r.cpu for r in b)
    if peertube_vs_hand < 1.25:
        out.append(
            f"Aim 2 missed: one process per output took only {peertube_vs_hand:.2f}× as long ({cpu_ratio:.2f}× the "
            "CPU); best guess: decoding the source again per process is cheap next to x264 for this source."
        )
    elif peertube_no_hls < 1.25:
        decodes = sum(1 for k in c[0].extra if k not in ("hls audio", "audio.m4a"))
        out.append(
            f"Aim 2 is met as the layout is defined here (each HLS rung encoded again from the source; "
            f"{cpu_ratio:.2f}× the CPU, mostly the 1080p source decoded {decodes} times). A PeerTube that "
            "remuxes HLS from its MP4s (web videos and HLS both on) would be at least "
            f"{peertube_no_hls:.2f}× the single process, not clearly past 1.25×."
        )
    if util < 0.9:
        quiet = min(a, key=lambda r: r.others)
        shared = (
            f"Other processes also used a median {others_a:.2f} cores during the job (this machine is shared) "
            "while its ffmpeg runs at niceness +10 (by design, so the site stays responsive); of the CPU they left, "
            f"the job used {util_left:.2f}, and {quiet.utilisation:.2f} of both cores in the quietest round "
            f"(other load {quiet.others:.2f} cores). "
            if others_a >= 0.2
            else ""
        )
        util_b = median(r.utilisation for r in b)
        whose = "ffmpeg's own, not the job layer's" if util >= util_b - 0.03 else "partly the job's extra steps"
        out.append(
            f"Aim 3 missed: the job kept {util:.2f} of the {CORES} cores busy and the same ffmpeg by hand "
            f"{util_b:.2f}, so the shortfall is {whose}. {shared}Best guess: ffmpeg 5.1 feeds all the x264 "
            "encoders from one thread, and the start, the end "
            "(encoders flushed one after another, the MP4s rewritten for faststart) and the probe/poster/storyboard "
            "runs use about one core."
        )
    if first > 2:
        probe_s = median(r.extra["probe"] for r in b)
        ffmpeg_s = median(r.extra["first_ffmpeg_progress"] for r in b)
        out.append(
            "Aim 4 missed: the values sit just past whole seconds because the job's watcher thread writes "
            "progress only on its heartbeat, every 1 s from the claim (`_Watcher(interval=1.0)`); the probe "
            f"({probe_s:.2f} s) plus ffmpeg's first position ({ffmpeg_s:.2f} s after it starts, median of B) end "
            "after the first beat, so the second beat (or later, under load) is the first to carry progress. "
            "Writing the first report as soon as it arrives, or beating every 0.5 s, would meet it."
        )
    return [*(f"{sentence}\n" for sentence in out)]


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace (or append) our section; leave every other section alone."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + text + ("\n" + tail if tail else "")
    tmp = path.with_suffix(".md.tmp-transcode")
    tmp.write_text(new)
    tmp.replace(path)


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
            for layout, fn in (("A", bench.run_job), ("B", bench.run_by_hand), ("C", bench.run_peertube)):
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
