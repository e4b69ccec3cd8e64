"""Quick publish: a web-ready upload's picture copied, never re-encoded or upscaled; others refused with a reason."""

from __future__ import annotations

import dataclasses

import pytest

from eventsite.transcode import NotWebReady, plan_quick, plan_renditions, probe, transcode, web_ready_refusal
from eventsite.transcode.quick import quick_argv

from .media import loudness, media_info, packet_hashes, streams, top_level_boxes


@pytest.fixture(scope="module")
def quick_set(web_ready_clip, tmp_path_factory) -> dict:
    info = probe(web_ready_clip)
    plan = plan_quick(info, plan_renditions(info))
    final_dir = tmp_path_factory.mktemp("quick") / "set"
    outputs = transcode(web_ready_clip, final_dir, plan)
    return {"dir": final_dir, "plan": plan, "outputs": outputs}


def test_the_web_ready_picture_is_copied_packet_for_packet(quick_set, web_ready_clip):
    original = packet_hashes(web_ready_clip)
    assert len(original) == 180
    assert packet_hashes(quick_set["dir"] / "mp4/360p.mp4") == original
    assert packet_hashes(quick_set["dir"] / "hls/360p/index.m3u8") == original


def test_the_quick_set_is_one_rung_at_the_uploads_own_size(quick_set, web_ready_clip):
    kinds = [(o.kind, o.label, o.width, o.height) for o in quick_set["outputs"]]
    assert kinds == [
        ("hls", "adaptive", 640, 360),
        ("mp4", "360p", 640, 360),
        ("audio", "aac", 0, 0),
        ("poster", "poster", 640, 360),
    ]
    video = streams(quick_set["dir"] / "mp4/360p.mp4")["video"]
    assert (video["width"], video["height"], video["codec_name"]) == (640, 360, "h264")
    boxes = top_level_boxes(quick_set["dir"] / "mp4/360p.mp4")
    assert boxes.index("moov") < boxes.index("mdat")  # faststart
    assert "CODECS=" in (quick_set["dir"] / "hls/master.m3u8").read_text()


@pytest.mark.parametrize("relpath", ["mp4/360p.mp4", "hls/audio/index.m3u8", "audio.m4a"])
def test_the_quick_sets_sound_is_normalised(quick_set, relpath):
    integrated, peak = loudness(quick_set["dir"] / relpath)
    assert abs(integrated - -16) <= 1 and peak <= -1


def test_the_command_copies_and_encodes_no_picture(quick_set, web_ready_clip):
    argv = quick_argv(web_ready_clip, quick_set["plan"])
    assert argv[argv.index("-c:v") + 1] == "copy" and argv[argv.index("-c:a") + 1] == "copy"
    assert "libx264" not in argv and "-filter_complex" not in argv and "scale" not in " ".join(argv)
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "-i"] == [f"file:{web_ready_clip}", "file:audio.m4a"]


def test_the_full_ladder_can_copy_a_sound_made_before(quick_set, web_ready_clip, tmp_path):
    sound = quick_set["dir"] / "audio.m4a"
    plan = plan_renditions(probe(web_ready_clip), cartoon=False)
    transcode(web_ready_clip, tmp_path / "full", plan, sound=sound)
    assert (tmp_path / "full/audio.m4a").read_bytes() == sound.read_bytes()
    integrated, _ = loudness(tmp_path / "full/mp4/360p.mp4")
    assert abs(integrated - -16) <= 1
    # the ladder encodes its own picture
    assert packet_hashes(tmp_path / "full/mp4/360p.mp4") != packet_hashes(web_ready_clip)


@pytest.mark.parametrize("fixture", ["prores_clip", "vp9_clip"])
def test_an_editing_master_or_a_screen_recording_is_refused_with_a_reason(request, fixture):
    info = probe(request.getfixturevalue(fixture))
    codec = {"prores_clip": "prores", "vp9_clip": "vp9"}[fixture]
    reason = web_ready_refusal(info, plan_renditions(info))
    assert reason is not None and f"The picture is {codec}, not H.264" in reason
    with pytest.raises(NotWebReady, match="not H.264"):
        plan_quick(info, plan_renditions(info))


def test_a_high_bitrate_or_unusual_size_upload_is_refused(clip, odd_clip):
    # the everyday clip is ultrafast x264: far above what the 360p rung may stream
    info = probe(clip)
    assert "Mb/s" in web_ready_refusal(info, plan_renditions(info))
    info = probe(odd_clip)
    assert web_ready_refusal(info, plan_renditions(info)) is not None


# ----------------------------------------------------------------- the rules, on plain facts


def refusal(codec: str = "h264", pix_fmt: str = "yuv420p", bitrate: int = 4_000_000, **facts) -> str | None:
    """web_ready_refusal() for a 1080p30 upload changed by ``facts``."""
    info = media_info(**facts)
    info = dataclasses.replace(
        info, video=dataclasses.replace(info.video, codec=codec, pix_fmt=pix_fmt, bitrate=bitrate)
    )
    return web_ready_refusal(info, plan_renditions(info))


def test_a_1080p30_h264_export_under_the_cap_is_web_ready():
    assert refusal() is None
    assert refusal(width=1280, height=720, bitrate=2_500_000) is None
    assert refusal(avg="60/1", bitrate=8_000_000) is None  # 60 fps is kept, and allowed ~1.7x the bits


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        ({"codec": "hevc"}, "hevc, not H.264"),
        ({"pix_fmt": "yuv422p"}, "yuv422p"),
        ({"width": 3840, "height": 2160}, "3840x2160"),  # the ladder would make it smaller
        ({"width": 1000, "height": 562}, "1000x562"),  # not a ladder height
        ({"rotation": 90}, "turned"),
        ({"avg": "120/1"}, "frame rate"),  # the ladder halves it to 60
        ({"avg": "1800/61", "real": "30/1"}, "variable"),  # a phone's variable rate
        ({"bitrate": 20_000_000}, "20.0 Mb/s"),
    ],
)
def test_what_the_ladder_would_change_is_not_copied(facts, words):
    reason = refusal(**facts)
    assert reason is not None and words in reason
