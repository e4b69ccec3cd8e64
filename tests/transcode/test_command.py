"""The compiled ffmpeg argv: one input, safe input options, one encode per rung."""

from __future__ import annotations

import dataclasses

import pytest

from eventsite.transcode import TranscodeSettings, build_argv, plan_renditions
from eventsite.transcode.command import _tee_slave

from .media import media_info


def argv_for(settings: TranscodeSettings | None = None, **plan_options) -> tuple[list[str], object]:
    info_options = plan_options.pop("info", {})
    plan = plan_renditions(media_info(1280, 720, **info_options), **plan_options)
    return build_argv("/uploads/a talk.mp4", plan, settings), plan


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_upload_is_opened_safely_and_its_sound_comes_normalised_from_the_sound_pass():
    argv, _ = argv_for()
    assert argv[0] == "ffmpeg"
    inputs = [i for i, a in enumerate(argv) if a == "-i"]
    assert [argv[i + 1] for i in inputs] == ["file:/uploads/a talk.mp4", "file:audio.m4a"]
    before_input = argv[: inputs[0]]
    # the probed demuxer is forced: never picked again from the file name
    assert before_input[before_input.index("-f") + 1] == "mov"
    assert before_input[before_input.index("-protocol_whitelist") + 1] == "file"
    sound_options = argv[inputs[0] + 2 : inputs[1]]
    assert sound_options[sound_options.index("-f") + 1] == "mp4"
    assert sound_options[sound_options.index("-protocol_whitelist") + 1] == "file"
    # the normalised AAC is copied: the main run neither decodes nor encodes sound
    assert option(argv, "-c:a") == "copy" and "aac" not in argv
    maps = [argv[i + 1] for i, a in enumerate(argv) if a == "-map"]
    assert "1:a" in maps and "0:1" not in maps


def test_global_flags_come_first():
    argv, _ = argv_for()
    assert argv[1:8] == ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning", "-progress", "pipe:1"]


def test_the_filter_graph_runs_on_one_thread_unless_told_otherwise():
    argv, _ = argv_for()
    assert option(argv, "-filter_complex_threads") == "1"
    argv, _ = argv_for(settings=TranscodeSettings(filter_threads=0))
    assert "-filter_complex_threads" not in argv  # ffmpeg's own default: one per core


def test_input_is_decoded_once_and_split_to_every_branch():
    argv, plan = argv_for(ladder=(720, 480, 360))
    graph = option(argv, "-filter_complex")
    assert graph.count("[0:0]") == 1
    assert graph.startswith(f"[0:0]fps=fps={plan.fps}")
    # three rungs + thumbnails + cartoon come off one split
    assert "split=5" in graph
    for rung in plan.rungs:
        assert f"scale={rung.width}:{rung.height}" in graph
    assert "fps=fps=1/2" in graph and "scale=160:90" in graph  # storyboard
    assert "sobel" in graph and "blend=" in graph  # cartoon


def test_each_rung_is_encoded_once_and_teed_to_hls_and_mp4():
    argv, plan = argv_for(ladder=(720, 480, 360))
    assert option(argv, "-f") == "mov"  # input
    tee = argv[argv.index("tee") + 1 :]
    target = next(a for a in tee if a.startswith("[select="))
    slaves = target.split("|")
    assert [s.rsplit("]", 1)[1] for s in slaves] == [
        "mp4/720p.mp4",
        "mp4/480p.mp4",
        "mp4/360p.mp4",
        "hls/%v/index.m3u8",
    ]
    assert all("movflags=+faststart" in s for s in slaves[:3])
    hls = slaves[-1]
    for setting in ("f=hls", "hls_time=4", "hls_playlist_type=vod", "hls_segment_type=fmp4"):
        assert setting in hls
    assert "independent_segments" in hls
    assert r"var_stream_map=\'a:0,agroup:aud,name:audio v:0,agroup:aud,name:720p" in hls
    # the rungs' maps: one per rung, then the sound pass's AAC
    maps = [argv[i + 1] for i, a in enumerate(argv) if a == "-map"]
    assert maps[3] == "1:a"


def test_encoder_settings():
    argv, plan = argv_for(ladder=(720, 360))
    for name, value in [
        ("-c:v", "libx264"),
        ("-preset", "veryfast"),
        ("-pix_fmt", "yuv420p"),
        ("-sc_threshold", "0"),
        ("-g", str(plan.gop)),
        ("-keyint_min", str(plan.gop)),
        ("-flags:v", "+global_header"),
        ("-c:a", "copy"),
        ("-map_metadata", "-1"),
    ]:
        assert option(argv, name) == value, name
    for i, rung in enumerate(plan.rungs):
        assert option(argv, f"-maxrate:v:{i}") == str(rung.maxrate)
        assert option(argv, f"-bufsize:v:{i}") == str(rung.bufsize)


def test_preset_is_a_setting():
    plan = plan_renditions(media_info())
    argv = build_argv("in.mp4", plan, TranscodeSettings(preset="medium", ffmpeg="/opt/ffmpeg"))
    assert argv[0] == "/opt/ffmpeg"
    assert option(argv, "-preset") == "medium"


def test_video_only_has_no_audio_anywhere():
    argv, _ = argv_for(info={"audio": False}, ladder=(720, 360))
    assert "-c:a" not in argv
    target = next(a for a in argv if a.startswith("[select="))
    assert "agroup" not in target and "audio.m4a" not in target


def test_audio_only_has_no_main_run():
    plan = plan_renditions(media_info(video=False))
    with pytest.raises(ValueError, match="no main run"):
        build_argv("in.mp3", plan)


def test_artwork_is_a_second_looped_input():
    plan = plan_renditions(media_info(video=False, duration=12.5), artwork="/art/face.png")
    argv = build_argv("in.mp3", plan)
    # the picture and the sound pass's AAC; the upload itself is not read again
    assert argv.count("-i") == 2 and "file:audio.m4a" in argv
    assert not any(a.endswith("in.mp3") for a in argv)
    assert argv[argv.index("-loop") + 1] == "1"
    assert option(argv, "-t") == "12.500"
    assert option(argv, "-tune") == "stillimage"
    assert "pad=1280:720" in option(argv, "-filter_complex")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"f": "mp4"}, "[f=mp4]out.mp4"),
        ({"select": "v:0,a"}, r"[select=\'v:0,a\']out.mp4"),
        ({"var_stream_map": "v:0 v:1"}, r"[var_stream_map=\'v:0 v:1\']out.mp4"),
        # a quote inside a value survives both levels of tee parsing
        ({"title": "it's"}, r"[title=\'it\'\\\'\'s\']out.mp4"),
    ],
)
def test_tee_slave_escaping(options, expected):
    assert _tee_slave("out.mp4", **options) == expected


def test_a_late_sound_is_delayed_back_where_it_was():
    _, plan = argv_for()
    argv = build_argv("in.mp4", dataclasses.replace(plan, audio_offset=0.48))
    sound = argv.index("file:audio.m4a")
    assert argv[sound - 10 : sound].count("-itsoffset") == 1 and option(argv, "-itsoffset") == "0.480"
    assert "-itsoffset" not in argv_for()[0]
