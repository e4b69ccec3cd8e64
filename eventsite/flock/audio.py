"""Sound in the shape the listeners want: 16 kHz, 16-bit PCM, streamed from ffmpeg.

PocketSphinx and the WebRTC VAD both take 16 kHz 16-bit mono, so every
recording is decoded to that once, by an ffmpeg subprocess whose output is
read in blocks. An hour is 115 MB as int16; streaming keeps the listener's
memory flat however long the panel ran. Every ffprobe and ffmpeg here runs
under the same memory and CPU limits as the transcoder's (``transcode.limits``).
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..transcode import limits
from ..transcode.probe import UNTRUSTED_INPUT_FLAGS
from ..transcode.run import failure_message

#: what PocketSphinx's en-us model and the WebRTC VAD were built for
SAMPLE_RATE = 16000
#: samples per analysis frame: 10 ms, the VAD's shortest frame and PocketSphinx's frame rate
FRAME = SAMPLE_RATE // 100
#: seconds per block read from ffmpeg: 320 KB of mono, small enough to stream, big enough for numpy
BLOCK_SECONDS = 10.0


class ListenError(Exception):
    """The recording could not be listened to; ``str()`` is a sentence for a person."""


class ListenCancelled(ListenError):
    """The caller asked to stop (the job was cancelled)."""


#: What an organiser is told of a video without a sound track: not a failure, nothing to listen to.
NO_SOUND_NOTE = "This recording has no sound, so there are no birds or captions."


class NoSound(ListenError):
    """The file is readable but has no audio stream (a screen recording, B-roll, a muted clip).

    Not a failure: the jobs that listen end successfully with ``NO_SOUND_NOTE``.
    """


@dataclass(frozen=True)
class AudioFacts:
    """What ffprobe says about the first audio stream."""

    duration: float  #: seconds
    channels: int


def probe_audio(path: str | Path) -> AudioFacts:
    """Duration and channel count of the first audio stream of ``path``.

    :raise NoSound: when the file is readable but has no audio stream.
    :raise ListenError: when the file is missing or its audio cannot be read.
    """
    # An original is an upload: opened as the upload probe opens it (transcode.probe).
    argv = ["ffprobe", "-v", "error", *UNTRUSTED_INPUT_FLAGS, "-select_streams", "a:0"]
    argv += ["-show_entries", "stream=channels,duration:format=duration", "-of", "json", f"file:{path}"]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            # duration unknown yet: the shortest CPU allowance, the usual memory cap
            preexec_fn=limits.current().preexec(0),  # noqa: PLW1509
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ListenError(f"The sound of {Path(path).name} could not be read ({exc}).") from exc
    try:
        data = json.loads(done.stdout or "{}")
    except ValueError:
        data = {}
    streams = data.get("streams") or []
    if done.returncode == 0 and not streams and data.get("format"):
        raise NoSound(NO_SOUND_NOTE)
    if done.returncode != 0 or not streams:
        raise ListenError(_unreadable(path, done.stderr))
    stream = streams[0]
    duration = stream.get("duration") or data.get("format", {}).get("duration") or 0
    return AudioFacts(duration=float(duration), channels=int(stream.get("channels") or 1))


def pcm_blocks(
    path: str | Path,
    *,
    channels: int = 1,
    block_seconds: float = BLOCK_SECONDS,
    cancel: Callable[[], bool] | None = None,
    duration: float = 0.0,
) -> Iterator[np.ndarray]:
    """Yield the recording as int16 blocks, ``(samples,)`` for mono or ``(samples, channels)``.

    ``channels=1`` downmixes (what the listeners want); a larger count must be the
    file's own channel count (``probe_audio``): its channels are kept apart, for one
    microphone per panelist. Every block
    but the last holds a whole number of 10 ms frames.

    :param duration: the recording's length in seconds (``probe_audio``), which sets ffmpeg's
        CPU allowance (``transcode.limits``); 0 gives the shortest.
    :raise ListenError: when ffmpeg cannot decode the file, or passed its memory or CPU limit.
    :raise ListenCancelled: when ``cancel()`` turns true between blocks.
    """
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", *UNTRUSTED_INPUT_FLAGS]
    # Channels kept apart are the file's own, in its own order, never converted: "-ac 3" asks for
    # ffmpeg's default 3-channel layout (2.1) and remixed a 3.0 file's centre into its left and
    # right, and even a "pan" to 3 unnamed channels remixed it; decoding as it is does not.
    layout = ["-ac", "1"] if channels == 1 else []
    argv += ["-i", f"file:{path}", "-vn", *layout, "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1"]
    frames_per_block = max(1, int(block_seconds * 100))
    block_bytes = frames_per_block * FRAME * 2 * channels
    try:
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=limits.current().preexec(duration),  # noqa: PLW1509
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ListenError(f"ffmpeg could not be started to read {Path(path).name} ({exc}).") from exc
    # stderr is drained in a thread so a chatty ffmpeg never blocks on a full pipe
    errors: list[bytes] = []
    drain = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    drain.start()
    finished = False
    try:
        while True:
            if cancel is not None and cancel():
                raise ListenCancelled("Listening was cancelled.")
            data = _read_exactly(proc.stdout, block_bytes)
            if not data:
                break
            usable = len(data) - len(data) % (2 * channels)
            block = np.frombuffer(data[:usable], dtype="<i2")
            yield block if channels == 1 else block.reshape(-1, channels)
        finished = True
    finally:
        if not finished:
            proc.kill()
        proc.stdout.close()
        code = proc.wait()
        drain.join(timeout=5)
    if code != 0:
        raise ListenError(_unreadable(path, b"".join(errors).decode("utf-8", "replace"), code))


def read_pcm(path: str | Path, *, channels: int = 1) -> np.ndarray:
    """The whole recording as one int16 array; for short clips (tests, synthesis)."""
    blocks = list(pcm_blocks(path, channels=channels))
    if not blocks:
        return np.zeros((0,) if channels == 1 else (0, channels), dtype=np.int16)
    return np.concatenate(blocks)


def frame_levels_db(samples: np.ndarray) -> np.ndarray:
    """Loudness of each whole 10 ms frame in dBFS (−100 for digital silence).

    ``samples`` is ``(n,)`` or ``(n, channels)``; the result is ``(frames,)``
    or ``(frames, channels)``.
    """
    count = len(samples) // FRAME
    frames = samples[: count * FRAME].astype(np.float32) / 32768.0
    frames = frames.reshape(count, FRAME, *samples.shape[1:])
    power = np.mean(frames * frames, axis=1)
    return 10.0 * np.log10(np.maximum(power, 1e-10))


def _read_exactly(stream, size: int) -> bytes:
    """Read ``size`` bytes unless the stream ends first (a pipe returns short reads)."""
    parts, have = [], 0
    while have < size:
        chunk = stream.read(size - have)
        if not chunk:
            break
        parts.append(chunk)
        have += len(chunk)
    return b"".join(parts)


def _unreadable(path: str | Path, stderr: str, returncode: int = 1) -> str:
    """Plain words for a failed read, telling our resource limits apart from a bad file."""
    verdict = failure_message(returncode, stderr or "")  # the transcoder's words for its limits
    if verdict != failure_message(0, ""):
        return f"Reading the sound of {Path(path).name} {verdict.removeprefix('Converting ')}"
    detail = (stderr or "").strip().splitlines()
    reason = f" ffmpeg said: {detail[-1]}" if detail else ""
    return f"{Path(path).name} could not be read as sound; it may be damaged or not a recording.{reason}"
