"""What one ffmpeg or ffprobe may use: memory, processor time and wall-clock time.

Uploads are untrusted input to large C decoders. A crafted file can make a
decoder allocate without end or spin without progress; the kernel's resource
limits stop both even if our own wall-clock watch is gone (a worker killed
while ffmpeg kept running). The limits are set in the child between fork and
exec (``preexec_fn``), so they hold from ffmpeg's first instruction. The
function only calls ``setrlimit``, takes no lock and imports nothing, which is
what makes ``preexec_fn`` safe enough next to our reader threads.

The job layer configures the process-wide limits once from the settings
(:func:`configure`); the transcoder itself knows nothing of Flask.
"""

from __future__ import annotations

import resource
from collections.abc import Callable
from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True)
class ResourceLimits:
    """Per-run limits for ffmpeg and ffprobe."""

    #: RLIMIT_AS in bytes (virtual address space, so thread stacks and x264's
    #: lookahead count); 0 means no limit
    address_space: int = 4 * GIB
    #: RLIMIT_CPU: CPU seconds allowed per second of media (all threads count,
    #: so 20 leaves room for a four-rung ladder on many cores); 0 means no limit
    cpu_per_media_second: float = 20.0
    #: CPU seconds any run gets however short the media (posters, probes)
    min_cpu_seconds: int = 600
    #: upper bound of :meth:`default_timeout`, in seconds
    timeout_max: float = 12 * 3600

    def cpu_seconds(self, duration: float) -> int:
        """RLIMIT_CPU for a run over ``duration`` seconds of media; 0 for none."""
        if self.cpu_per_media_second <= 0:
            return 0
        return int(max(self.min_cpu_seconds, self.cpu_per_media_second * max(0.0, duration)))

    def default_timeout(self, duration: float) -> float:
        """Wall-clock limit: 4x the duration, at least 10 minutes, at most ``timeout_max``.

        Even at 1080p with four rungs a two-core server converts at about
        realtime, so 4x leaves room for a busy machine; a 6-hour file gets
        12 hours, not the 120 of the old 20x rule.
        """
        return min(max(600.0, 4.0 * duration), max(600.0, self.timeout_max))

    def preexec(self, duration: float) -> Callable[[], None] | None:
        """The function a child runs before exec, or None when nothing is limited."""
        memory, cpu = int(self.address_space), self.cpu_seconds(duration)
        if memory <= 0 and cpu <= 0:
            return None

        def apply() -> None:
            # runs in the forked child: only system calls, nothing that locks
            if memory > 0:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            if cpu > 0:
                # the soft limit sends SIGXCPU, the hard one (a second later) SIGKILL
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

        return apply


_current = ResourceLimits()


def configure(limits: ResourceLimits) -> None:
    """Set the limits every later ffmpeg and ffprobe run of this process gets."""
    global _current
    _current = limits


def current() -> ResourceLimits:
    """The limits configured for this process (the defaults until :func:`configure`)."""
    return _current
