"""A long sound's AAC encoded in parts on every core: the joined file is one encode's length, in
sync with the picture, and has no seam a listener could hear (aac_parts.py, sound.py)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from eventsite.transcode import TranscodeSettings, plan_quick, plan_renditions, probe, transcode
from eventsite.transcode.aac_parts import AAC_FRAME, LEAD_FRAMES, BadStream, Part, adts_frames, plan_parts
from eventsite.transcode.errors import TranscodeCancelled
from eventsite.transcode.loudness import normalising_chain, parse_ebur128_summary
from eventsite.transcode.sound import MEASURED_COPY, measure_argv
from tests.real_speech import data_path

from .media import loudness, streams

RATE = 48000
F = AAC_FRAME


# ----------------------------------------------------------------- cutting and joining


def window_start(part: Part, j: int) -> int:
    """First sample of the transform frame j of the part's encode codes."""
    return part.start + (j - 2) * F


@pytest.mark.parametrize("count", [2, 3, 4])
def test_parts_are_cut_on_the_frame_grid_and_every_frame_is_kept_once(count):
    samples = 90 * RATE + 123
    parts = plan_parts(samples, count, 5 * RATE)
    assert len(parts) == count
    assert parts[0].start == 0 and parts[0].first == 0 and parts[-1].end is None and parts[-1].last is None
    for left, right in zip(parts, parts[1:], strict=False):
        # the right part's first kept frame follows the left part's last kept one on the same grid
        assert window_start(right, right.first) == window_start(left, left.last - 1) + F
        share = window_start(right, right.first) + F
        assert share % F == 0
        # it has half a second of the same sound before its share, and the left one runs past it
        assert share - right.start == LEAD_FRAMES * F and left.end > share


def test_a_sound_too_short_to_share_is_one_part():
    assert plan_parts(30 * RATE, 2, 60 * RATE) == [Part(0, None, 0, None)]
    assert plan_parts(0, 2, 60 * RATE) == [Part(0, None, 0, None)]


@pytest.mark.parametrize("data", [b"not an aac stream", b"\xff\xf1\x50\x80\xff\xff\xfc" + b"\x00" * 3])
def test_what_is_not_a_whole_adts_stream_is_refused(data):
    with pytest.raises(BadStream):
        adts_frames(data)


# ----------------------------------------------------------------- on real speech


def decode(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    """The pyannote sample (two real people, 30 s) published with 1, 2 and 4 parts, and the
    normalised sound they all encode (the reference)."""
    source = data_path("sample", "sample.wav")
    plan = plan_renditions(probe(source), mp3=False)
    root = tmp_path_factory.mktemp("parts")
    sets = {}
    for count in (1, 2, 4):
        settings = TranscodeSettings(sound_parts=count, sound_part_seconds=5)
        transcode(source, root / str(count), plan, settings=settings)
        sets[count] = root / str(count) / "audio.m4a"
    settings = TranscodeSettings()
    measured = subprocess.run(measure_argv(source, plan, settings), cwd=root, capture_output=True, text=True)
    chain = normalising_chain(parse_ebur128_summary(measured.stderr), settings.loudness, RATE)
    reference = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(root / MEASURED_COPY), "-af", chain, "-f", "f32le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    samples = len(reference) // 8
    return {
        "sets": sets,
        "decoded": {k: decode(v) for k, v in sets.items()},
        "reference": np.frombuffer(reference, dtype=np.float32).reshape(-1, 2),
        "joins": {k: [p.start + LEAD_FRAMES * F for p in plan_parts(samples, k, 5 * RATE)[1:]] for k in (2, 4)},
    }


def packets(path: Path) -> int:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-count_packets", "-show_entries",
         "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out.strip())


@pytest.mark.parametrize("count", [2, 4])
def test_parts_give_one_encodes_frames_and_samples(speech, count):
    one, parts = speech["sets"][1], speech["sets"][count]
    assert packets(parts) == packets(one)
    assert len(speech["decoded"][count]) == len(speech["decoded"][1])
    assert float(streams(parts)["audio"]["start_time"]) == float(streams(one)["audio"]["start_time"]) == 0.0


@pytest.mark.parametrize("count", [2, 4])
def test_before_the_first_join_the_sound_is_exactly_one_encodes(speech, count):
    first_join = speech["joins"][count][0]
    one, parts = speech["decoded"][1], speech["decoded"][count]
    assert np.array_equal(one[: first_join - 2 * F], parts[: first_join - 2 * F])


def snr(decoded: np.ndarray, reference: np.ndarray, start: int, end: int) -> float:
    error = decoded[start:end] - reference[start:end]
    return 10 * np.log10((reference[start:end] ** 2).sum() / max((error**2).sum(), 1e-20))


@pytest.mark.parametrize("count", [2, 4])
def test_no_seam_can_be_heard_at_the_joins(speech, count):
    """A click or a jump where two parts meet would show as a burst of error there; the parts'
    sound is as close to the normalised sound at each join as anywhere, and as one encode's overall."""
    reference, one, parts = speech["reference"], speech["decoded"][1], speech["decoded"][count]
    n = min(len(reference), len(one))
    worst_of_one = np.abs(one[:n] - reference[:n]).max()
    for join in speech["joins"][count]:
        near = slice(join - 2 * F, join + 2 * F)
        assert np.abs(parts[near] - reference[near]).max() <= worst_of_one
        assert snr(parts, reference, join - 2 * F, join + 2 * F) >= 25.0
    assert abs(snr(parts, reference, 0, n) - snr(one, reference, 0, n)) <= 0.5


def test_the_parts_sound_is_at_the_podcast_target(speech):
    integrated, peak = loudness(speech["sets"][4])
    assert abs(integrated - -16.0) <= 1.0 and peak <= -1.0


# ----------------------------------------------------------------- in a published set


def test_a_quick_set_with_its_sound_in_parts_keeps_picture_and_sound_together(web_ready_clip, tmp_path):
    info = probe(web_ready_clip)
    plan = plan_quick(info, plan_renditions(info))
    out = tmp_path / "set"
    transcode(web_ready_clip, out, plan, settings=TranscodeSettings(sound_parts=3, sound_part_seconds=1))
    mp4 = next(out.glob("mp4/*.mp4"))
    media = streams(mp4)
    assert abs(float(media["audio"]["start_time"]) - float(media["video"]["start_time"])) < 0.03
    assert abs(float(media["audio"]["duration"]) - float(media["video"]["duration"])) < 0.1
    assert packets(out / "audio.m4a") == packets(mp4)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_cancel_stops_every_part(tmp_path, media):
    source = media / "minute-of-room.m4a"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         "anoisesrc=color=pink:sample_rate=48000:amplitude=0.3:seed=4:duration=60", "-c:a", "aac", str(source)],
        check=True,
    )  # fmt: skip
    cancel = threading.Event()
    out = tmp_path / "set"

    def cancel_once_the_parts_run():
        while not cancel.is_set():
            if list(out.glob(".sound-part*.aac")):
                cancel.set()
            cancel.wait(0.005)

    watcher = threading.Thread(target=cancel_once_the_parts_run, daemon=True)
    watcher.start()
    plan = plan_renditions(probe(source), mp3=False)
    settings = TranscodeSettings(sound_parts=2, sound_part_seconds=5)
    with pytest.raises(TranscodeCancelled):
        transcode(source, out, plan, settings=settings, cancel=cancel)
    watcher.join(1)
    left = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout
    assert not left.strip(), left
    assert not list(out.glob(".sound*"))
