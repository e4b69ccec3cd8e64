"""One ffmpeg fed raw frames on its stdin, with cancel, deadline and stderr kept.

``transcode.run`` reads progress from ffmpeg; here the frames come from us,
so we know the progress ourselves and ffmpeg's stdout is not needed. A writer
thread copies frames from a small bounded queue to stdin (a pipe write blocks
while x264 is busy; the drawing thread carries on meanwhile), and a reader
thread drains stderr into a bounded tail, because an unread pipe blocks ffmpeg.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections import deque
from pathlib import Path

from ..transcode import limits
from ..transcode.errors import TranscodeCancelled, TranscodeError, TranscodeTimeout

#: frames waiting for ffmpeg: enough to ride out x264's bursts, 2.7 MB each at 720p
QUEUE_FRAMES = 4
POLL_SECONDS = 0.1
TAIL_LINES = 50


class FramePipe:
    """Start ``argv`` and accept frames with ``write``; ``finish`` waits for the end."""

    def __init__(
        self,
        argv: list[str],
        *,
        cwd: Path,
        nice: int,
        cancel: threading.Event | None,
        deadline: float,
        limit: float,
        duration: float = 0.0,
    ) -> None:
        self.cancel, self.deadline, self.limit = cancel, deadline, limit
        try:
            self.proc = subprocess.Popen(
                argv,
                cwd=cwd,
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
        """Close stdin and wait for ffmpeg to write its files."""
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
