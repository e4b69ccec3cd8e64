"""Pure parts of the storyboard and HLS steps: the VTT layout and codec strings."""

from __future__ import annotations

from eventsite.transcode.hls import avc1_codec
from eventsite.transcode.plan import plan_storyboard
from eventsite.transcode.storyboard import storyboard_vtt


def cues(vtt: str) -> list[tuple[str, str]]:
    blocks = [b.splitlines() for b in vtt.split("\n\n")[1:] if b.strip()]
    return [(b[0], b[1]) for b in blocks]


def test_vtt_walks_the_grid_and_moves_to_the_next_sheet():
    board = plan_storyboard(1000, 1280, 720)  # 10 s interval, 100 thumbs, 10x10
    assert (board.interval, board.count, board.columns, board.rows) == (10, 100, 10, 10)
    found = cues(storyboard_vtt(board, 100, 1000))
    assert found[0] == ("00:00:00.000 --> 00:00:10.000", "sprite-1.jpg#xywh=0,0,160,90")
    assert found[11] == ("00:01:50.000 --> 00:02:00.000", "sprite-1.jpg#xywh=160,90,160,90")
    assert found[-1] == ("00:16:30.000 --> 00:16:40.000", "sprite-1.jpg#xywh=1440,810,160,90")


def test_vtt_spills_onto_a_second_sheet_and_ends_at_the_duration():
    board = plan_storyboard(1203.5, 1280, 720, interval=10)
    assert board.count == 121
    found = cues(storyboard_vtt(board, board.count, 1203.5))
    assert found[100][1] == "sprite-2.jpg#xywh=0,0,160,90"
    assert found[-1] == ("00:20:00.000 --> 00:20:03.500", "sprite-2.jpg#xywh=0,180,160,90")


def test_vtt_hours():
    board = plan_storyboard(4000, 1280, 720)
    assert cues(storyboard_vtt(board, board.count, 4000))[-1][0].endswith("--> 01:06:40.000")


def test_avc1_codec_from_init_segment():
    # avcC: version 1, High profile (0x64), no constraints, level 3.1 (0x1f)
    init = b"\x00\x00\x00\x10ftypisom" + b"\x00\x00\x00\x20avcC\x01\x64\x00\x1f\xff\xe1"
    assert avc1_codec(init) == "avc1.64001f"
    assert avc1_codec(b"no such box") is None
