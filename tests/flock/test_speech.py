"""The listening half of the flock, on a real espeak-ng panel, real ffmpeg and real PocketSphinx."""

from __future__ import annotations

import subprocess

import pytest

from eventsite.flock.audio import ListenError
from eventsite.flock.listen import (
    CLUSTERED_NOTE,
    apply_corrections,
    build_timeline,
    cues_from_webvtt,
    representative_samples,
)
from eventsite.flock.synth import speak_script, write_webvtt
from tests.flock.speech_fixtures import (
    GAPS,
    SCRIPT,
    SEATS,
    VOICES,
    activity_accuracy,
    attribution_accuracy,
    lip_sync_figures,
)


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """Three voices, eight lines, pauses of 0.5-1.2 s; a mixed track and one channel per panelist."""
    return speak_script(SCRIPT, VOICES, tmp_path_factory.mktemp("panel"), gap=GAPS, channels_per_speaker=True)


@pytest.fixture(scope="module")
def captions(panel, tmp_path_factory):
    path = write_webvtt(panel.cues, SEATS, tmp_path_factory.mktemp("vtt") / "panel.vtt")
    return cues_from_webvtt(path.read_text())


@pytest.fixture(scope="module")
def captioned(panel, captions):
    return build_timeline(panel.mixed, SEATS, captions=captions)


@pytest.fixture(scope="module")
def by_microphone(panel):
    return build_timeline(panel.channels, SEATS, channels="auto")


def test_speech_activity_matches_the_script(panel, captioned):
    assert activity_accuracy(captioned, panel.cues, panel.duration) >= 0.95


def test_captions_name_the_right_speaker(panel, captioned):
    assert captioned.source == "captions"
    assert attribution_accuracy(captioned, panel.cues, panel.duration) >= 0.98
    assert captioned.notes == []


def test_one_microphone_per_panelist_names_the_right_speaker(panel, by_microphone):
    assert by_microphone.source == "channels"
    assert attribution_accuracy(by_microphone, panel.cues, panel.duration) >= 0.98


def test_beaks_rest_in_silence_and_move_in_speech(panel, captioned):
    closed, shapes_per_second = lip_sync_figures(captioned, panel.cues)
    assert closed >= 0.95
    assert shapes_per_second >= 3
    assert len(captioned.mouths) == pytest.approx(panel.duration * captioned.fps, abs=1)
    assert set(captioned.mouths) <= set("ABCDEFGHX")


def test_the_webvtt_voices_come_back(panel, captions):
    assert [voice for _, _, voice in captions] == [SEATS[cue.speaker] for cue in panel.cues]
    assert captions[0][0] == pytest.approx(panel.cues[0].start, abs=0.001)


def test_voices_are_clustered_when_nothing_names_them(panel):
    timeline = build_timeline(panel.mixed, SEATS)
    assert timeline.source == "clusters"
    assert CLUSTERED_NOTE in timeline.notes
    assert {turn.speaker for turn in timeline.turns} <= {0, 1, 2}
    samples = representative_samples(timeline)
    for speaker, (start, end) in samples.items():
        assert 0 < end - start <= 6.0
        assert timeline.speaker_at((start + end) / 2) == speaker


def test_one_seat_is_a_single_speaker(panel):
    timeline = build_timeline(panel.mixed, ["Ana Lima"], language="fr")
    assert timeline.source == "single"
    assert {turn.speaker for turn in timeline.turns} == {0}
    assert any("not in English" in note for note in timeline.notes)
    assert len(set(timeline.mouths) - {"X"}) >= 3


def test_music_leaves_the_beaks_closed(tmp_path):
    music = tmp_path / "music.wav"
    notes = "0.3*exp(-3*mod(t,0.5))*(sin(2*PI*(220+55*mod(floor(t*2),5))*t)+0.5*sin(2*PI*(330+55*mod(floor(t*2),3))*t))"
    _ffmpeg("-f", "lavfi", "-i", f"aevalsrc='if(gt(t,1),{notes},0)':d=8", "-ar", "44100", str(music))
    timeline = build_timeline(music, SEATS)
    assert timeline.turns == []
    assert set(timeline.mouths) == {"X"}
    assert any("No speech was heard" in note for note in timeline.notes)


def test_captions_naming_someone_unseated_give_a_note(panel, captions):
    renamed = [(start, end, "Dora Visitor" if voice == SEATS[2] else voice) for start, end, voice in captions]
    timeline = build_timeline(panel.mixed, SEATS, captions=renamed)
    assert any("Dora Visitor" in note and "not seated" in note for note in timeline.notes)
    third = next(cue for cue in panel.cues if cue.speaker == 2)
    assert timeline.speaker_at((third.start + third.end) / 2) == -1


def test_fewer_microphones_than_seats_give_a_note(panel, tmp_path):
    two = tmp_path / "two.wav"
    _ffmpeg("-i", str(panel.channels), "-af", "pan=stereo|c0=c0|c1=c1", str(two))
    timeline = build_timeline(two, SEATS, channels="auto")
    assert timeline.source == "channels"
    assert any("microphone channels for 2 of the 3" in note for note in timeline.notes)


def test_a_damaged_file_is_refused_in_plain_words(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really a recording" * 20)
    with pytest.raises(ListenError, match="could not be read as sound"):
        build_timeline(broken, SEATS)


def test_corrections_survive_a_new_listen(panel, captioned, captions):
    first, fourth = panel.cues[0], panel.cues[3]
    middle = (first.start + first.end) / 2
    corrections = [
        {"op": "assign", "start": fourth.start - 0.2, "end": fourth.end + 0.2, "speaker": 2},
        {"op": "split", "at": middle, "speaker": 1},
    ]
    corrected = apply_corrections(captioned, corrections)
    relistened = apply_corrections(build_timeline(panel.mixed, SEATS, captions=captions), corrections)
    for timeline in (corrected, relistened):
        assert timeline.speaker_at((fourth.start + fourth.end) / 2) == 2
        assert timeline.speaker_at(middle - 0.5) == 0
        assert timeline.speaker_at(middle + 0.5) == 1
    merged = apply_corrections(corrected, [{"op": "merge", "at": middle}])
    assert merged.speaker_at(middle + 0.5) == 0
    with pytest.raises(ValueError):
        apply_corrections(captioned, [{"op": "assign", "start": 0, "end": 1, "speaker": 7}])


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.mark.parametrize("layout", ["stereo", "3.0", "5.1", "7.1", "8 discrete"])
def test_one_microphone_per_panelist_holds_for_any_channel_layout(panel, tmp_path, layout):
    """A 3.0 file once lit the first bird for the third panelist: ffmpeg's "-ac 3" means 2.1, a remix."""
    count = {"stereo": 2, "3.0": 3, "5.1": 6, "7.1": 8, "8 discrete": 8}[layout]
    voices = min(count, 3)
    # each voice's microphone on its own channel, silence on the rest, the layout written into the file
    parts = [f"[0:a]pan=mono|c0=c{i}[v{i}]" for i in range(voices)]
    parts += [f"anullsrc=r=16000:cl=mono[v{i}]" for i in range(voices, count)]
    merged = "".join(f"[v{i}]" for i in range(count)) + f"amerge=inputs={count}"
    if layout != "8 discrete":
        merged += f",channelmap=map={'|'.join(map(str, range(count)))}:channel_layout={layout}"
    recording = tmp_path / f"room-{count}.wav"
    graph = ";".join([*parts, merged + "[out]"])
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(panel.channels), "-filter_complex", graph, "-map", "[out]", str(recording)],
        check=True,
    )
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=channels,channel_layout", "-of", "csv=p=0", str(recording)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert probed.startswith(str(count)) and (layout not in ("3.0", "5.1", "7.1") or layout in probed), probed
    seats = [*SEATS, "Dana Roe", "Eli Moss", "Femi Ade"]
    timeline = build_timeline(recording, seats, channels="auto")
    assert timeline.source == "channels"
    heard = [cue for cue in panel.cues if cue.speaker < voices]
    assert attribution_accuracy(timeline, heard, panel.duration) >= 0.98
