"""Reading ebur128's summary and choosing loudnorm's second pass: plain text and numbers."""

from __future__ import annotations

import math

from eventsite.transcode.loudness import Loudness, LoudnessTarget, loudnorm_filter, parse_ebur128_summary

# what ffmpeg 5.1 logs at the end of a run (two runs' worth: the last one counts)
SUMMARY = """[Parsed_ebur128_1 @ 0x55d] Summary:

  Integrated loudness:
    I:         {i} LUFS
    Threshold: -41.0 LUFS

  Loudness range:
    LRA:         2.1 LU
    Threshold: -51.1 LUFS
    LRA low:   -31.5 LUFS
    LRA high:  -29.4 LUFS

  True peak:
    Peak:      {tp} dBFS
"""


def test_the_last_summary_is_read():
    text = SUMMARY.format(i="-40.0", tp="-20.0") + "size=N/A\n" + SUMMARY.format(i="-30.3", tp="-13.9")
    assert parse_ebur128_summary(text) == Loudness(-30.3, -41.0, 2.1, -13.9)


def test_no_summary_is_none():
    assert parse_ebur128_summary("Error while filtering: Cannot allocate memory") is None


def test_digital_silence_is_left_alone():
    silence = parse_ebur128_summary(SUMMARY.format(i="-70.0", tp="-inf"))
    assert silence is not None and math.isinf(silence.true_peak)
    assert loudnorm_filter(silence, LoudnessTarget(), 48000) is None


def test_room_tone_is_not_raised_to_the_target():
    hiss = Loudness(integrated=-65.0, threshold=-75.0, lra=1.0, true_peak=-50.0)
    assert loudnorm_filter(hiss, LoudnessTarget(), 48000) is None


def test_loudnorm_aims_under_the_ceiling_and_returns_to_the_published_rate():
    measured = Loudness(integrated=-12.0, threshold=-22.0, lra=6.0, true_peak=0.4)
    chain = loudnorm_filter(measured, LoudnessTarget(integrated=-23.0, true_peak=-2.0), 48000)
    assert chain is not None
    loudnorm, resample = chain.split(",")
    assert loudnorm.startswith("loudnorm=I=-23.00:TP=-2.50:")
    assert "measured_I=-12.00:measured_TP=0.40:measured_LRA=6.00:measured_thresh=-22.00" in loudnorm
    assert resample == "aresample=48000"
