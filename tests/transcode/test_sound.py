"""Broadcast-clean sound: every published audio measured with ebur128 on the outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsite.transcode import LoudnessTarget, TranscodeSettings, plan_renditions, probe, transcode
from eventsite.transcode.loudness import Loudness, normalising_chain
from eventsite.transcode.sound import MEASURED_COPY, encode_argv, measure_argv
from tests.real_speech import data_path

from .media import FAST_H264, LAVFI_AUDIO, LAVFI_VIDEO, ffmpeg, loudness, media_info, streams

TARGET, CEILING, SLACK = -16.0, -1.0, 1.0


@pytest.fixture(scope="module")
def normalised(quiet_clip, tmp_path_factory) -> Path:
    """The quiet clip published with two rungs and the cartoon."""
    final_dir = tmp_path_factory.mktemp("loud") / "set"
    transcode(quiet_clip, final_dir, plan_renditions(probe(quiet_clip), ladder=(360, 240)))
    return final_dir


def test_the_upload_is_whisper_quiet_mono(quiet_clip):
    integrated, peak = loudness(quiet_clip)
    assert abs(integrated - -30) <= 1 and peak > -20
    assert streams(quiet_clip)["audio"]["channels"] == 1


@pytest.mark.parametrize(
    "relpath", ["audio.m4a", "mp4/360p.mp4", "mp4/240p.mp4", "cartoon/360p.mp4", "hls/audio/index.m3u8"]
)
def test_every_published_sound_is_at_the_podcast_target(normalised, relpath):
    integrated, peak = loudness(normalised / relpath)
    # mono measured as mono but published on two channels would come out 3 LU loud
    assert abs(integrated - TARGET) <= SLACK, integrated
    assert peak <= CEILING, peak


def test_the_lossless_copy_is_never_published(normalised):
    assert not (normalised / MEASURED_COPY).exists()
    assert sorted(p.name for p in normalised.iterdir() if p.is_file()) == ["audio.m4a", "poster.jpg"]


def test_an_audio_only_talk_gets_normalised_m4a_and_mp3(quiet_talk, tmp_path):
    transcode(quiet_talk, tmp_path / "set", plan_renditions(probe(quiet_talk)))
    for name in ("audio.m4a", "audio.mp3"):
        integrated, peak = loudness(tmp_path / "set" / name)
        assert abs(integrated - TARGET) <= SLACK and peak <= CEILING, name


def test_a_moderate_upload_is_raised_by_one_gain(clip, tmp_path):
    """The everyday clip's tone (-21 LUFS, peaks -18 dBTP) fits a constant gain."""
    plan = plan_renditions(probe(clip), ladder=(240,), cartoon=False)
    transcode(clip, tmp_path / "set", plan)
    integrated, peak = loudness(tmp_path / "set" / "audio.m4a")
    assert abs(integrated - TARGET) <= SLACK and peak <= CEILING


def test_two_real_people_are_raised_to_the_target_and_their_peaks_held_under_the_ceiling(tmp_path):
    """The pyannote sample (a phone call between two people, -32 LUFS with speech's high peaks):
    a gain of 16 dB and the limiter, not loudnorm's dynamic mode."""
    transcode(
        data_path("sample", "sample.wav"), tmp_path / "set", plan_renditions(probe(data_path("sample", "sample.wav")))
    )
    for name in ("audio.m4a", "audio.mp3"):
        integrated, peak = loudness(tmp_path / "set" / name)
        assert abs(integrated - TARGET) <= SLACK and peak <= CEILING, (name, integrated, peak)


def test_knocks_over_a_quiet_room_are_limited_without_losing_the_room(media, tmp_path):
    """Peaks far over the loudness (a door knock every 2 s over a -30 LUFS room): the limiter
    takes 9 dB off the knocks, and the room still ends at the target."""
    source = media / "knocks.m4a"
    ffmpeg(
        "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:amplitude=0.5:seed=7:duration=8",
        "-f", "lavfi", "-i", "aevalsrc='0.7*sin(2*PI*900*t)*exp(-mod(t,2)/0.004)':s=48000:d=8",
        "-filter_complex",
        "[0:a]volume='0.55+0.45*sin(2*PI*t*0.8)':eval=frame,volume=-6dB[room];"
        "[room][1:a]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo[a]",
        "-map", "[a]", "-c:a", "aac", str(source),
    )  # fmt: skip
    integrated, peak = loudness(source)
    assert peak - integrated > TARGET - CEILING + 7  # one gain would put the knocks over 7 dB over
    transcode(source, tmp_path / "set", plan_renditions(probe(source), mp3=False))
    integrated, peak = loudness(tmp_path / "set" / "audio.m4a")
    assert abs(integrated - TARGET) <= SLACK and peak <= CEILING, (integrated, peak)


@pytest.mark.parametrize(("target", "expected"), [(LoudnessTarget(integrated=-23.0), -23.0), (None, -30.0)])
def test_the_target_is_a_setting_and_normalising_can_be_turned_off(quiet_talk, tmp_path, target, expected):
    plan = plan_renditions(probe(quiet_talk), mp3=False)
    transcode(quiet_talk, tmp_path / "set", plan, settings=TranscodeSettings(loudness=target))
    integrated, _ = loudness(tmp_path / "set" / "audio.m4a")
    assert abs(integrated - expected) <= SLACK


def test_a_sound_that_starts_after_the_picture_keeps_its_delay(media, tmp_path):
    """The sound pass's AAC starts at 0; the picture's run must put the half second back."""
    source = media / "late-sound.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", LAVFI_VIDEO.format(size="320x180", rate=30) + ":duration=3",
        "-itsoffset", "0.5", "-f", "lavfi", "-i", LAVFI_AUDIO + ":duration=2", "-map", "0:v", "-map", "1:a",
        *FAST_H264, "-c:a", "aac", str(source),
    )  # fmt: skip
    delay = float(streams(source)["audio"]["start_time"]) - float(streams(source)["video"]["start_time"])
    assert delay > 0.4
    transcode(source, tmp_path / "set", plan_renditions(probe(source), ladder=(180,), cartoon=False))
    published = streams(tmp_path / "set/mp4/180p.mp4")
    # within AAC's priming (1024 samples, 21 ms) of the upload's own delay
    assert abs(float(published["audio"]["start_time"]) - float(published["video"]["start_time"]) - delay) < 0.03


# ----------------------------------------------------------------- the compiled argv


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_measuring_step_decodes_the_upload_once_safely_into_a_lossless_copy():
    plan = plan_renditions(media_info(1280, 720))
    argv = measure_argv(Path("/uploads/a talk.mp4"), plan, TranscodeSettings())
    assert argv.count("-i") == 1 and option(argv, "-i") == "file:/uploads/a talk.mp4"
    assert option(argv, "-f") == "mov" and option(argv, "-protocol_whitelist") == "file"
    assert "-codec_whitelist" in argv
    # mixed to the published two channels and rate before measuring (the copy is cut on the AAC
    # frame grid at that rate); only the sound stream is read
    assert option(argv, "-filter_complex") == (
        "[0:1]aformat=channel_layouts=stereo,aresample=48000,ebur128=peak=true:framelog=verbose[sound]"
    )
    assert option(argv, "-map") == "[sound]"
    assert option(argv, "-c:a") == "flac" and argv[-1] == MEASURED_COPY
    # ebur128 writes its summary at "info"
    assert option(argv, "-loglevel") == "info"


def test_the_encoding_step_normalises_the_copy_with_the_measured_figures_once_for_every_file():
    plan = plan_renditions(media_info(video=False, sample_rate=44100))
    measured = Loudness(integrated=-30.3, threshold=-41.0, lra=2.1, true_peak=-13.9)
    chain = normalising_chain(measured, LoudnessTarget(), 44100)
    argv = encode_argv(Path("/work/.sound.flac"), plan, TranscodeSettings(), chain)
    assert argv.count("-i") == 1 and option(argv, "-i") == "file:/work/.sound.flac"
    assert option(argv, "-f") == "flac"
    graph = option(argv, "-filter_complex")
    # +14.3 dB puts the peaks 1.9 dB over the aim: a gain (and 0.29 dB for the limiter's
    # loss) and a limiter at the published rate
    assert graph.startswith("[0:a:0]aresample=44100,volume=14.59dB,alimiter=limit=0.7499:")
    # one chain feeds both files
    assert graph.endswith(":level=false:latency=true,asplit=2[a0][a1]")
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "-map"] == ["[a0]", "[a1]"]
    assert argv[-1] == "audio.mp3" and "audio.m4a" in argv
    assert argv[argv.index("[a0]") + 2] == "aac" and "+faststart" in argv
    assert argv[argv.index("[a1]") + 2] == "libmp3lame"


def test_with_normalising_off_the_upload_is_encoded_directly():
    plan = plan_renditions(media_info(1280, 720))
    argv = encode_argv(Path("/uploads/a talk.mp4"), plan, TranscodeSettings(loudness=None), None, original=True)
    assert option(argv, "-i") == "file:/uploads/a talk.mp4" and option(argv, "-f") == "mov"
    assert option(argv, "-filter_complex") == "[0:1]anull[a0]"
    assert "loudnorm" not in " ".join(argv)
