"""A panel spoken by espeak-ng with known words, voices and line times, as a ready recording."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from eventsite.extensions import db
from eventsite.flock.synth import SpokenScript, speak_script
from eventsite.recordings.models import Recording, RecordingStatus, Rendition, RenditionKind

SEATS = ["Ana Lima", "Ben Okafor", "Chloé Martin"]
VOICES = ["en+m3", "en-us+f2", "en-gb-scotland+m1"]
#: (speaker, line): the words a scorer can check
SCRIPT = [
    (0, "Welcome everyone. Today we talk about bird songs in the city, and why they are getting louder."),
    (1, "Thank you. In my research, robins sing earlier in the morning when the traffic is heavy."),
    (2, "That matches what we found in Glasgow. The sparrows changed their pitch over ten years."),
    (0, "Is that a problem for the birds?"),
    (1, "Sometimes. A higher song carries less far, so fewer females hear it."),
]
GAPS = [0.8, 0.6, 1.0, 0.7, 0.0]
#: Alignment must place each line within this many seconds of where espeak-ng put it.
TOLERANCE = 0.3


def transcript_text(script=SCRIPT, names=SEATS) -> str:
    """The script as an organiser would paste it: "Name: words" per turn."""
    return "\n\n".join(f"{names[speaker]}: {line}" for speaker, line in script)


@pytest.fixture(scope="session")
def spoken(tmp_path_factory) -> SpokenScript:
    """The script spoken once per test session (about 27 s of three voices)."""
    return speak_script(SCRIPT, VOICES, tmp_path_factory.mktemp("spoken"), gap=GAPS)


@dataclass
class SpokenPanel:
    panel: object
    recording: Recording
    script: SpokenScript


@pytest.fixture
def spoken_panel(app, make_panel, make_panelist, spoken) -> SpokenPanel:
    """A published panel with the three speakers seated and the spoken script as its ready recording.

    The "rendition" is the WAV itself (an audio rendition row), enough for the
    studio's pages and the caption jobs, which read the original.
    """
    panel = make_panel(title="Bird songs in the city")
    for position, name in enumerate(SEATS):
        make_panelist(name=name, panel=panel, position=position)
    recording = Recording(
        panel=panel,
        original_key="pending",
        original_filename="spoken.wav",
        duration_seconds=spoken.duration,
        status=RecordingStatus.READY,
    )
    db.session.add(recording)
    db.session.commit()
    key = f"recordings/{recording.id}/original.wav"
    target = Path(app.config["MEDIA_ROOT"]) / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spoken.mixed, target)
    recording.original_key = key
    recording.renditions.append(
        Rendition(kind=RenditionKind.AUDIO, label="audio", storage_key=key, size_bytes=target.stat().st_size)
    )
    db.session.commit()
    return SpokenPanel(panel, recording, spoken)
