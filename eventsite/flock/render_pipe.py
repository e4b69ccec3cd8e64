"""One ffmpeg fed raw frames on its stdin, with cancel, deadline and stderr kept.

``transcode.run`` reads progress from ffmpeg; here the frames come from us,
so we know the progress ourselves and ffmpeg's stdout is not needed. A writer
thread copies frames from a small bounded queue to stdin (a pipe write blocks
while x264 is busy; the drawing thread carries on meanwhile), and a reader
thread drains stderr into a bounded tail, because an unread pipe blocks ffmpeg.

The encoder may be followed by stream copies (``FrameCommands.then``), run one
after another once it has exited, under the same deadline and cancel: what
grows with the recording's length (an HLS muxer's segment list, an MP4 index)
belongs there, in a short process of its own, not beside x264.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ..transcode import limits
from ..transcode.errors import TranscodeCancelled, TranscodeError, TranscodeTimeout
from ..transcode.run import run_ffmpeg

#: frames waiting for ffmpeg, 2.7 MB each at 720p: drawing is faster than x264, so the queue
#: is full anyway, and ffmpeg's own input queue (thread_queue_size) holds three more
QUEUE_FRAMES = 2
POLL_SECONDS = 0.1
TAIL_LINES = 50
#: glibc raises its mmap threshold to the size of the largest block freed, so after the first
#: frame every 2.7 MB frame comes from the heap, whose freed blocks stay resident: a fixed
#: threshold gives each frame its own mapping, returned on free (about 18 MB less per encoder)
ENCODER_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}


@dataclass(frozen=True)
class FrameCommands:
    """The ffmpeg runs of one render, in the order they run.

    :param encode: the argv fed the frames on stdin.
    :param then: argvs run one after another once the encoder has exited (stream copies).
    :param scratch: files in the work folder only ``then`` reads, removed when all succeeded.
    """

    encode: list[str]
    then: tuple[list[str], ...] = ()
    scratch: tuple[str, ...] = ()


class FramePipe:
    """Start the encoder and accept frames with ``write``; ``finish`` waits for the end.

    :param commands: a ``FrameCommands``, or the encoder's argv alone.
    """

    def __init__(
        self,
        commands: FrameCommands | list[str],
        *,
        cwd: Path,
        nice: int,
        cancel: threading.Event | None,
        deadline: float,
        limit: float,
        duration: float = 0.0,
    ) -> None:
        self.commands = commands if isinstance(commands, FrameCommands) else FrameCommands(list(commands))
        self.cancel, self.deadline, self.limit = cancel, deadline, limit
        self.cwd, self.nice, self.duration = Path(cwd), nice, duration
        try:
            self.proc = subprocess.Popen(
                self.commands.encode,
                cwd=cwd,
                env={**os.environ, **ENCODER_ENV},
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                # the same memory and CPU limits as every other ffmpeg run
                preexec_fn=limits.current().preexec(duration),  # noqa: PLW1509
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise TranscodeError("The video converter could not be started.", str(exc)) from exc
        if nice:
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))
            except OSError:
                pass  # it already exited: finish() reports why
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.frames: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self.write_error: BaseException | None = None
        self.reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self.writer = threading.Thread(target=self._feed_stdin, daemon=True)
        self.reader.start()
        self.writer.start()

    def write(self, frame: bytes) -> None:
        """Queue one frame; raises if cancelled, past the deadline or ffmpeg died."""
        while True:
            self._check()
            try:
                self.frames.put(frame, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Close stdin, wait for the encoder to write its files, then run the copies after it."""
        while True:
            self._check()
            try:
                self.frames.put(None, timeout=POLL_SECONDS)
                break
            except queue.Full:
                continue
        while self.proc.poll() is None or self.writer.is_alive():
            self._check()
            time.sleep(POLL_SECONDS / 2)
        self.reader.join(timeout=5)
        if self.proc.returncode != 0:
            raise TranscodeError("The flock video could not be made.", self._tail())
        for argv in self.commands.then:
            self._run_after(argv)
        for name in self.commands.scratch:
            (self.cwd / name).unlink(missing_ok=True)

    def _run_after(self, argv: list[str]) -> None:
        """One stream copy after the encoder, its errors told as the flock's own."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TranscodeTimeout(f"Making the flock video took longer than the {self.limit:g} second limit.")
        try:
            run_ffmpeg(argv, duration=self.duration, timeout=left, cancel=self.cancel, nice=self.nice, cwd=self.cwd)
        except TranscodeCancelled as exc:
            raise TranscodeCancelled("Making the flock video was cancelled.", exc.detail) from None
        except TranscodeTimeout as exc:
            raise TranscodeTimeout(
                f"Making the flock video took longer than the {self.limit:g} second limit.", exc.detail
            ) from None
        except TranscodeError as exc:
            raise TranscodeError("The flock video could not be made.", exc.detail or exc.message) from None

    def raise_cancelled(self) -> None:
        raise TranscodeCancelled("Making the flock video was cancelled.", self._tail())

    def _check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            self._stop()
            self.raise_cancelled()
        if time.monotonic() > self.deadline:
            self._stop()
            raise TranscodeTimeout(f"Making the flock video took longer than the {self.limit:g} second limit.")
        if self.write_error is not None or (self.proc.poll() not in (None, 0)):
            self._stop()
            raise TranscodeError("The flock video could not be made.", self._tail())

    def _stop(self) -> None:
        """Kill and reap ffmpeg; the writer then fails on the closed pipe and ends."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        while True:  # unblock a writer waiting on a full queue
            try:
                self.frames.get_nowait()
            except queue.Empty:
                break
        self.frames.put(None)
        self.writer.join(timeout=5)
        self.reader.join(timeout=5)

    def _feed_stdin(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (frame := self.frames.get()) is not None:
                stdin.write(frame)
        except (BrokenPipeError, ValueError, OSError) as exc:
            self.write_error = exc
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        with self.proc.stderr:
            for raw in self.proc.stderr:
                self.tail.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _tail(self) -> str:
        return "\n".join(self.tail)
