"""Broadcast-clean sound: what EBU R128 measured, and the second pass that follows from it.

Pure functions of text and numbers, so every rule is tested without ffmpeg. The
measurement is ffmpeg's ``ebur128`` summary (ITU-R BS.1770 integrated loudness,
its gate, loudness range and true peak), taken in the sound pass that decodes
the recording's audio anyway (see sound.py). The second pass is one gain to the
target (EBU R128's two-pass normalisation, as ``loudnorm`` does it in linear
mode) and, when that gain would push the true peak over the ceiling, a
look-ahead limiter at the published rate (``alimiter``) that takes the overs off.

Speech's short peaks sit 15-20 dB over its loudness, so most real recordings
need the limiter. ``loudnorm``'s dynamic mode, which it falls back to there,
was measured against it (300 s to 30 s of stereo, AAC out, ``ebur128`` on it):
on the pyannote sample (two real people, -32.5 LUFS) -16.8 against -15.9 LUFS;
on a quiet room with knocks (peaks 9-11 dB over) -17.5 against -16.0 and -16.3;
its true peaks -1.4 to -1.7 dBTP where the limiter leaves -1.8 to -2.4; and 16.4
against 5.6 CPU-s for 300 s of stereo with the AAC encode (it works at 192 kHz).
The limiter lowers the loudness a little where it works (0.6 LU for 5 dB of
overs on the sample, 1.3 LU for 9 dB), so the gain adds ``LIMITER_MAKEUP`` per
dB of overs, which brought all of those within 0.3 LU of the target. Sound whose
loudness is its knocks (a room 12 dB quieter under them) lands low either way
(-19.1 with the limiter, -21.2 with loudnorm's dynamic mode).

``loudnorm``'s own measuring mode would do for the first pass, but it runs the
same 192 kHz processing while measuring: 5x the CPU of ``ebur128`` for the same
four numbers (1.35 against 0.26 CPU-s per minute of stereo on this machine).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: the usual podcast target (Apple, Spotify, AES TD1004); EBU R128 broadcast is -23
DEFAULT_INTEGRATED = -16.0
#: the published ceiling in dBTP
DEFAULT_TRUE_PEAK = -1.0
#: AAC at 128 kb/s adds inter-sample overs of a few tenths of a dB after the limiter,
#: so the second pass aims this far under the ceiling the published file must meet
CODEC_HEADROOM = 0.5
#: the limiter holds samples this far under the ceiling, so that the peaks between
#: samples stay under it too (measured on real speech: 0.2-0.6 dB over the samples)
SAMPLE_PEAK_MARGIN = 1.0
#: dB of gain added per dB the peaks go over the ceiling, for the loudness the limiter
#: takes off (module text), and the most it adds
LIMITER_MAKEUP, LIMITER_MAKEUP_MAX = 0.15, 3.0
#: look-ahead (ms): the limiter sees a peak coming this long before it and turns down
#: smoothly; its delay is compensated (``latency``), so the sound stays in sync
LIMITER_ATTACK_MS = 5
#: how quickly (ms) the gain comes back after a peak
LIMITER_RELEASE_MS = 50
#: below this the ebur128 gate found no programme (silence, or room tone only):
#: raising it to -16 LUFS would make hiss the loudest thing on the site
SILENT_BELOW = -60.0


@dataclass(frozen=True)
class LoudnessTarget:
    """Where every published audio should land."""

    #: integrated loudness in LUFS
    integrated: float = DEFAULT_INTEGRATED
    #: ceiling for the true peak in dBTP
    true_peak: float = DEFAULT_TRUE_PEAK


@dataclass(frozen=True)
class Loudness:
    """One recording's sound as ebur128 measured it."""

    #: integrated loudness, LUFS
    integrated: float
    #: the relative gate of the integrated measurement, LUFS
    threshold: float
    #: loudness range, LU
    lra: float
    #: true peak, dBTP (-inf for digital silence)
    true_peak: float


_SUMMARY = re.compile(
    r"Integrated loudness:\s+I:\s+(?P<i>\S+) LUFS\s+Threshold:\s+(?P<thresh>\S+) LUFS"
    r".*?Loudness range:\s+LRA:\s+(?P<lra>\S+) LU"
    r".*?True peak:\s+Peak:\s+(?P<tp>\S+) dBFS",
    re.DOTALL,
)


def parse_ebur128_summary(stderr: str) -> Loudness | None:
    """The last ``ebur128`` summary in ffmpeg's log (``peak=true``); None if there is none."""
    summaries = list(_SUMMARY.finditer(stderr))
    if not summaries:
        return None
    found = summaries[-1]
    try:
        return Loudness(*(float(found.group(k)) for k in ("i", "thresh", "lra", "tp")))
    except ValueError:
        return None


def normalising_chain(measured: Loudness | None, target: LoudnessTarget, sample_rate: int) -> str | None:
    """The second-pass filter chain for ``measured`` sound, or None to leave it as it is.

    The chain works at the published ``sample_rate``, so no resampling after the
    limiter can make a new peak.
    """
    if measured is None or not math.isfinite(measured.true_peak) or measured.integrated < SILENT_BELOW:
        return None
    ceiling = target.true_peak - CODEC_HEADROOM
    gain = target.integrated - measured.integrated
    over = measured.true_peak + gain - ceiling
    if over <= 0:
        return f"aresample={sample_rate},volume={_number(gain)}dB"
    gain += min(LIMITER_MAKEUP * over, LIMITER_MAKEUP_MAX)
    limit = 10 ** ((ceiling - SAMPLE_PEAK_MARGIN) / 20)
    return (
        f"aresample={sample_rate},volume={_number(gain)}dB,"
        f"alimiter=limit={limit:.4f}:attack={LIMITER_ATTACK_MS}:release={LIMITER_RELEASE_MS}"
        ":level=false:latency=true"
    )


def _number(value: float) -> str:
    return f"{value:.2f}"
