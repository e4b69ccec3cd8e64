"""Recordings the flock was not made for still get a timeline, birds, and a note saying
what was assumed: real espeak-ng voices, real ffmpeg, real PocketSphinx, clips of 6 s or less."""

from __future__ import annotations

import json
import subprocess

import pytest

from eventsite.flock.birds import BirdSpec
from eventsite.flock.listen import CLUSTERED_NOTE, build_timeline, cues_from_webvtt
from eventsite.flock.render import render_flock
from eventsite.flock.synth import speak_script, write_webvtt

SEATS = ["Ana Lima", "Ben Okafor"]
VOICES = ["en+m3", "en-us+f2", "en-gb-scotland+m1"]
#: three people in under six seconds
THREE_VOICES = [(0, "Welcome, everyone."), (1, "Thank you for having me."), (2, "A question from the back?")]


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def seconds_of(path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def assert_flock_drawn(audio, timeline, tmp_path, seats=SEATS) -> None:
    """The flock video is made for ``timeline`` and lasts as long as the sound."""
    out = tmp_path / "renditions"
    render_flock(audio, out, timeline, [BirdSpec(name) for name in seats], title="Bad input", size=(640, 360))
    video = out / "flock.mp4"
    assert video.is_file()
    assert seconds_of(video) == pytest.approx(timeline.duration, abs=0.3)


@pytest.fixture(scope="module")
def three_voices(tmp_path_factory):
    script = speak_script(THREE_VOICES, VOICES, tmp_path_factory.mktemp("three"), gap=0.4, lead=0.3)
    assert script.duration <= 6.0
    return script


def test_music_gets_closed_beaks_and_a_note(tmp_path):
    music = tmp_path / "chords.wav"
    # two sine chords, C major then F major, 2.5 s each: music, no voice
    ffmpeg(
        "-f", "lavfi", "-i", "sine=f=261.6:d=2.5", "-f", "lavfi", "-i", "sine=f=329.6:d=2.5",
        "-f", "lavfi", "-i", "sine=f=392:d=2.5", "-f", "lavfi", "-i", "sine=f=349.2:d=2.5",
        "-f", "lavfi", "-i", "sine=f=440:d=2.5", "-f", "lavfi", "-i", "sine=f=523.3:d=2.5",
        "-filter_complex", "[0][1][2]amix=3[a];[3][4][5]amix=3[b];[a][b]concat=n=2:v=0:a=1,volume=2",
        "-ar", "16000", str(music),
    )  # fmt: skip
    timeline = build_timeline(music, SEATS)
    assert timeline.turns == [] and set(timeline.mouths) == {"X"}
    assert any("No speech was heard" in note for note in timeline.notes)
    assert_flock_drawn(music, timeline, tmp_path)


def test_more_voices_than_seats_are_shared_out_and_said_so(three_voices, tmp_path):
    timeline = build_timeline(three_voices.mixed, SEATS)
    assert timeline.source == "clusters"
    assert {turn.speaker for turn in timeline.turns} <= {0, 1}
    assert sum(t.end - t.start for t in timeline.turns) >= 0.8 * sum(c.end - c.start for c in three_voices.cues)
    assert CLUSTERED_NOTE in timeline.notes and "anyone else who spoke" in CLUSTERED_NOTE
    assert_flock_drawn(three_voices.mixed, timeline, tmp_path)


def test_several_voices_on_a_panel_of_one_are_all_that_panelist(three_voices, tmp_path):
    timeline = build_timeline(three_voices.mixed, SEATS[:1])
    assert timeline.source == "single" and {turn.speaker for turn in timeline.turns} == {0}
    assert any("Everything said is given to Ana Lima" in note for note in timeline.notes)
    assert_flock_drawn(three_voices.mixed, timeline, tmp_path, SEATS[:1])


def test_fewer_microphone_channels_than_seats(tmp_path):
    lines = [(0, "Good morning from the first microphone."), (1, "And hello from the second one.")]
    script = speak_script(lines, VOICES[:2], tmp_path / "mics", gap=0.5, lead=0.3, channels_per_speaker=True)
    assert script.duration <= 6.0
    seats = [*SEATS, "Chloé Martin"]
    timeline = build_timeline(script.channels, seats, channels="auto")
    assert timeline.source == "channels"
    assert any("microphone channels for 2 of the 3 seated panelists" in note for note in timeline.notes)
    spoken = [timeline.speaker_at((c.start + c.end) / 2) for c in script.cues]
    assert spoken == [0, 1]
    assert_flock_drawn(script.channels, timeline, tmp_path, seats)


def test_captions_naming_someone_not_seated(three_voices, tmp_path):
    vtt = write_webvtt(three_voices.cues, ["Ana Lima", "Ben Okafor", "Dora Visitor"], tmp_path / "captions.vtt")
    timeline = build_timeline(three_voices.mixed, SEATS, captions=cues_from_webvtt(vtt.read_text()))
    assert timeline.source == "captions"
    assert any("Dora Visitor" in note and "not seated" in note for note in timeline.notes)
    dora = three_voices.cues[2]
    assert timeline.speaker_at((dora.start + dora.end) / 2) == -1  # an unknown speaker, not a wrong one
    first = three_voices.cues[0]
    assert timeline.speaker_at((first.start + first.end) / 2) == 0
    assert_flock_drawn(three_voices.mixed, timeline, tmp_path)


def test_another_language_gets_beaks_from_loudness(tmp_path):
    lines = [(0, "Guten Tag und herzlich willkommen."), (1, "Danke schön, ich freue mich sehr.")]
    script = speak_script(lines, ["de+m3", "de+f2"], tmp_path / "de", gap=0.5, lead=0.3)
    assert script.duration <= 6.0
    timeline = build_timeline(script.mixed, SEATS, language="de")
    assert any("not in English (de)" in note for note in timeline.notes)
    assert timeline.turns and len(set(timeline.mouths) - {"X"}) >= 3  # the beaks still move
    closed_in_gap = timeline.mouths[int(script.cues[0].end * 12) + 2]
    assert closed_in_gap in "XA"
    assert_flock_drawn(script.mixed, timeline, tmp_path)
