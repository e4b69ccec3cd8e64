"""The demo panel's recording: six panelists speaking, made on this machine.

Each panelist has a distinct espeak-ng voice and says a few short lines
written for the demo about what influence is (about 90 seconds in all),
ending with the birds' "Cheep cheep". The captions carry ``<v Name>`` voices
and the timings measured while speaking, and each panelist's first answer is
a chapter linked to them, so the flock job knows who speaks when without
guessing, and a new user sees the whole path (transcode, then the birds)
within a couple of minutes of running the README's first command.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from .events.models import Panel
from .extensions import db
from .flock.synth import DEMO_VOICES, speak_script, write_webvtt
from .recordings.captions import save_caption
from .recordings.chapters import add_chapter
from .recordings.models import Recording
from .recordings.operations import store_original

FILENAME = "what-is-social-influence.m4a"

#: (seat index, line). Seats follow demo.PEOPLE: Gemma, Andrew, Joanne, Benjamin, Matt, Azeem.
SCRIPT: list[tuple[int, str]] = [
    (0, "Welcome to Likeminds. I'm Gemma Went, and today we ask a simple question with no simple answer. "
        "What is social influence?"),
    (1, "For me, influence is when someone changes what they do because of you. "
        "Followers are an audience. Influence is action."),
    (2, "I study how ideas travel through networks. Influence is rarely one loud voice. "
        "It is many quiet nudges from people we already trust."),
    (3, "Tools love a single score, but influence lives in relationships. "
        "You cannot see trust from a dashboard."),
    (4, "In online communities, the most influential members are usually the most helpful ones, "
        "not the most popular."),
    (5, "And influence always has a topic. I might trust you about restaurants, "
        "and ignore you completely about pensions."),
    (0, "So can we measure it at all?"),
    (1, "We can measure the conversation."),
    (2, "And the shape of the network."),
    (3, "But not the change inside somebody's head."),
    (4, "Ask people what made them act. Then listen to the answer."),
    (5, "Context beats reach, every time."),
    (0, "Thank you all. Our producers have turned everyone into birds, so let's say goodbye properly."),
    (1, "Cheep cheep!"),
    (2, "Cheep cheep!"),
    (3, "Cheep cheep!"),
    (4, "Cheep cheep!"),
    (5, "Cheep cheep!"),
    (0, "Cheep cheep!"),
]  # fmt: skip

#: Chapter titles for each panelist's first answer, then the two rounds' ends.
CHAPTER_TITLES = {
    0: "Welcome: what is social influence?",
    1: "Influence is action",
    2: "Quiet nudges through networks",
    3: "You can't see trust from a dashboard",
    4: "The most helpful, not the most popular",
    5: "Influence always has a topic",
    6: "Can we measure it?",
    12: "Goodbye, in bird",
}


def make_demo_recording(names: list[str], workdir: Path) -> tuple[Path, bytes, list[tuple[float, str, int]]]:
    """Speak the script; return (AAC file, WebVTT captions, chapters as (start, title, seat))."""
    gaps = [0.6 if index < 12 else 0.15 for index in range(len(SCRIPT))]
    spoken = speak_script(SCRIPT, DEMO_VOICES, workdir, gap=gaps, speed=140)
    vtt = write_webvtt(spoken.cues, names, workdir / "captions.vtt").read_bytes()
    target = workdir / FILENAME
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(spoken.mixed),
         "-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-ac", "1", "-movflags", "+faststart", str(target)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    chapters = [
        (spoken.cues[index].start if index else 0.0, title, SCRIPT[index][0])
        for index, title in sorted(CHAPTER_TITLES.items())
    ]
    return target, vtt, chapters


def seed_demo_recording(panel: Panel) -> Recording | None:
    """Give the demo panel its spoken recording, captions and chapters, and queue the transcode, once."""
    if db.session.scalar(sa.select(Recording.id).where(Recording.panel_id == panel.id)):
        return None
    seats = list(panel.seats)
    with tempfile.TemporaryDirectory() as tmp:
        audio, vtt, chapters = make_demo_recording([seat.panelist.name for seat in seats], Path(tmp))
        recording = store_original(audio, panel, audio.name)
    save_caption(recording, "en", "English", vtt)
    for start, title, seat in chapters:
        add_chapter(recording, start, title, seats[seat].panelist_id)
    db.session.commit()
    return recording
