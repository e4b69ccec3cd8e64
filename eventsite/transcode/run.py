"""Run ffmpeg with progress reports, a wall-clock limit and cancellation.

Both pipes are read by threads: ``-progress pipe:1`` lines go to a queue the
calling thread consumes, stderr goes into a bounded tail. An unread pipe
fills up (64 KiB) and blocks ffmpeg forever, so neither is ever left unread.
The calling thread waits on the queue with a short timeout, which is also
when it checks the deadline and the cancel event.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from . import limits as resource_limits
from .errors import TranscodeCancelled, TranscodeError, TranscodeTimeout

#: Flags for every ffmpeg run: never read stdin, and log warnings and errors
#: only (at "info" the HLS muxer logs a line per segment and would push the
#: real error out of the stderr tail we keep).
QUIET_FLAGS = ("-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning")

#: how often the cancel event and the deadline are checked
POLL_SECONDS = 0.1
#: stderr lines kept for the job's error detail
TAIL_LINES = 50
#: what ffmpeg, its libraries and the loader say when RLIMIT_AS is reached
_OUT_OF_MEMORY_SIGNS = ("Cannot allocate memory", "malloc of size", "failed to map segment", "std::bad_alloc")


@dataclass(frozen=True)
class Progress:
    """One ``-progress`` report, reduced to what a job monitor shows."""

    #: 0..1 of the recording's duration written so far
    fraction: float
    #: frames per second being encoded, None before ffmpeg knows
    fps: float | None
    #: media seconds per wall-clock second ("2.5x" is 2.5)
    speed: float | None
    #: seconds left at the current speed, None until there is a speed
    eta_seconds: float | None
    #: media seconds written so far
    out_time: float


@dataclass(frozen=True)
class RunResult:
    """A finished, successful ffmpeg run."""

    returncode: int
    elapsed: float
    stderr_tail: str
    last_progress: Progress | None


def run_ffmpeg(
    argv: list[str],
    *,
    duration: float,
    on_progress: Callable[[Progress], None] | None = None,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
    nice: int = 10,
    cwd: str | Path | None = None,
    limits: resource_limits.ResourceLimits | None = None,
) -> RunResult:
    """Run ``argv`` (which should include ``-progress pipe:1``) to completion.

    :param duration: media duration in seconds, to turn positions into fractions.
    :param on_progress: called in this thread after every progress report.
    :param timeout: wall-clock seconds before ffmpeg is killed.
    :param cancel: when set, ffmpeg is killed within ``POLL_SECONDS``.
    :param nice: added to this process's niceness for the child.
    :param cwd: folder the relative output paths are written to.
    :param limits: memory and CPU limits; the process's configured ones by default.
    :raise TranscodeTimeout: the run passed ``timeout``.
    :raise TranscodeCancelled: ``cancel`` was set.
    :raise TranscodeError: ffmpeg could not start or exited with an error.
    """
    started = time.monotonic()
    deadline = started + timeout if timeout is not None else None
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=(limits or resource_limits.current()).preexec(duration),  # noqa: PLW1509
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise TranscodeError("The video converter could not be started.", str(exc)) from exc
    _lower_priority(proc.pid, nice)

    lines: queue.Queue[str | None] = queue.Queue()
    tail: deque[str | None] = deque(maxlen=TAIL_LINES)
    readers = [
        threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, tail.append), daemon=True),
    ]
    for reader in readers:
        reader.start()

    report: dict[str, str] = {}
    last: Progress | None = None
    stdout_open = True
    try:
        while stdout_open or proc.poll() is None:
            if cancel is not None and cancel.is_set():
                _stop(proc, readers)
                raise TranscodeCancelled("The conversion was cancelled.", _join(tail))
            if deadline is not None and time.monotonic() > deadline:
                _stop(proc, readers)
                raise TranscodeTimeout(
                    f"Converting took longer than the {timeout:g} second limit.",
                    _join(tail),
                )
            try:
                line = lines.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if line is None:
                stdout_open = False
                continue
            key, _, value = line.strip().partition("=")
            report[key] = value
            if key == "progress":
                last = parse_progress(report, duration, time.monotonic() - started)
                report = {}
                if on_progress is not None:
                    on_progress(last)
    except BaseException:
        # an exception from on_progress, or KeyboardInterrupt: never leave an
        # ffmpeg running behind us
        _stop(proc, readers)
        raise
    returncode = proc.wait()
    for reader in readers:
        reader.join(timeout=5)
    elapsed = time.monotonic() - started
    if returncode != 0:
        raise TranscodeError(failure_message(returncode, _join(tail)), _join(tail))
    return RunResult(returncode, elapsed, _join(tail), last)


def failure_message(returncode: int, stderr: str) -> str:
    """Plain words for a failed run, telling our resource limits apart from a bad file."""
    if returncode == -signal.SIGXCPU:
        return "Converting used more processor time than this server allows for a recording of this length."
    if any(sign in stderr for sign in _OUT_OF_MEMORY_SIGNS):
        return "Converting needed more memory than this server allows (EVENTSITE_FFMPEG_MEMORY_LIMIT)."
    return "The video could not be converted. The file may be damaged or use a format we do not support."


def parse_progress(report: dict[str, str], duration: float, elapsed: float) -> Progress:
    """Turn one block of ``-progress`` ``key=value`` lines into a Progress.

    ``out_time_us`` (``out_time_ms`` is also microseconds, a historical
    mistake) may be ``N/A`` or negative in the first blocks.
    """
    micros = _number(report.get("out_time_us")) or _number(report.get("out_time_ms"))
    out_time = max(0.0, (micros or 0.0) / 1_000_000)
    if report.get("progress") == "end":
        fraction = 1.0
    else:
        fraction = min(1.0, out_time / duration) if duration > 0 else 0.0
    fps = _number(report.get("fps"))
    speed = _number((report.get("speed") or "").rstrip("x"))
    if speed is not None and speed <= 0:
        speed = None
    eta = None
    if speed:
        eta = max(0.0, (duration - out_time) / speed)
    elif 0 < fraction < 1:
        eta = elapsed * (1 - fraction) / fraction
    return Progress(fraction, fps, speed, eta, out_time)


def _lower_priority(pid: int, nice: int) -> None:
    """Make the child nicer than us (after start, so preexec_fn stays a bare setrlimit)."""
    if not nice:
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, pid)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, current + nice))
    except OSError:
        pass  # it already exited, or the platform says no: run at our priority


def _pump(pipe: IO[bytes] | None, put: Callable) -> None:
    assert pipe is not None
    with pipe:
        for raw in pipe:
            put(raw.decode("utf-8", "replace").rstrip("\n"))
    put(None)


def _stop(proc: subprocess.Popen, readers: list[threading.Thread]) -> None:
    """Kill and reap ffmpeg; its pipes then close and the readers finish."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for reader in readers:
        reader.join(timeout=5)


def _join(tail: deque[str | None]) -> str:
    return "\n".join(line for line in tail if line)


def _number(text: str | None) -> float | None:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
