"""Reading ebur128's summary and choosing loudnorm's second pass: plain text and numbers."""

from __future__ import annotations

import math

from eventsite.transcode.loudness import Loudness, LoudnessTarget, normalising_chain, parse_ebur128_summary

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
    assert normalising_chain(silence, LoudnessTarget(), 48000) is None


def test_room_tone_is_not_raised_to_the_target():
    hiss = Loudness(integrated=-65.0, threshold=-75.0, lra=1.0, true_peak=-50.0)
    assert normalising_chain(hiss, LoudnessTarget(), 48000) is None


def test_a_gain_that_keeps_the_peaks_under_the_ceiling_is_all_there_is():
    measured = Loudness(integrated=-23.5, threshold=-34.0, lra=4.0, true_peak=-12.0)
    assert normalising_chain(measured, LoudnessTarget(), 48000) == "aresample=48000,volume=7.50dB"


def test_peaks_over_the_ceiling_are_taken_off_by_a_limiter_at_the_published_rate():
    """Two people talking (the pyannote sample): -32.4 LUFS, peaks -12.9 dBTP; +16.4 dB puts
    them 5 dB over the -1.5 dBTP aim. The limiter takes them off, and 0.15 dB per dB of overs
    makes up the loudness it takes with them."""
    measured = Loudness(integrated=-32.4, threshold=-43.0, lra=9.0, true_peak=-12.9)
    chain = normalising_chain(measured, LoudnessTarget(), 48000)
    resample, gain, limiter = chain.split(",")
    assert (resample, gain) == ("aresample=48000", "volume=17.15dB")
    # 1 dB under the aim for the peaks between samples: -2.5 dBFS = 0.7499
    assert limiter.startswith("alimiter=limit=0.7499:") and ":level=false:latency=true" in limiter


def test_the_limiters_make_up_gain_has_a_ceiling_of_its_own():
    """Knocks 30 dB over a quiet room: at most 3 dB more, not 0.15 x 30 = 4.5."""
    measured = Loudness(integrated=-40.0, threshold=-50.0, lra=20.0, true_peak=4.5)
    assert normalising_chain(measured, LoudnessTarget(), 44100).split(",")[1] == "volume=27.00dB"


def test_a_loud_upload_is_turned_down_by_one_gain():
    measured = Loudness(integrated=-12.0, threshold=-22.0, lra=6.0, true_peak=0.4)
    chain = normalising_chain(measured, LoudnessTarget(integrated=-23.0, true_peak=-2.0), 48000)
    assert chain == "aresample=48000,volume=-11.00dB"
