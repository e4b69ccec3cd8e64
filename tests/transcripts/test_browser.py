"""In Chromium: the caption editor driven by the keyboard, and the transcript in speaker turns (axe on both)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite.recordings.captions import save_caption
from eventsite.recordings.models import CaptionSource
from eventsite.transcripts.job import AUTOMATIC_LABEL
from tests.conftest import PASSWORD, assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for, wait_for_player

from .test_editor import VOICED, _caption

pytestmark = pytest.mark.browser


@pytest.fixture
def voiced_panel(ready_panel, make_panelist):
    for position, name in enumerate(["Gemma Went", "Andrew Gerrard"]):
        make_panelist(name=name, panel=ready_panel, position=position)
    save_caption(ready_panel.recordings[0], "en", AUTOMATIC_LABEL, VOICED, source=CaptionSource.AUTOMATIC)
    return ready_panel


def sign_in(page, make_organiser):
    make_organiser()
    page.goto("/login")
    page.get_by_label("Email").fill("organiser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/studio/**")


def test_the_transcript_is_grouped_in_speaker_turns(page, voiced_panel):
    page.goto(panel_path(voiced_panel))
    turns = page.locator(".transcript-turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(0).locator(".turn-speaker")).to_have_text("Gemma Went")
    expect(turns.nth(1).locator(".turn-speaker")).to_have_text("Andrew Gerrard")
    expect(turns.nth(0).locator("img.portrait")).to_have_count(1)
    expect(turns.nth(0).locator("li[data-start][data-end]")).to_have_count(2)
    expect(page.locator(".transcript-draft")).to_contain_text("Automatic captions (draft)")
    wait_for_player(page)
    page.locator('li[data-start="2.5"] a[data-seek]').click()  # a cue seeks the player (player.js)
    wait_for(page, "eventsitePlayer.video.currentTime >= 2.4")
    assert page.evaluate("eventsitePlayer.video.currentTime") < 4.5
    page.screenshot(path="/tmp/transcript-turns.png", full_page=True)
    assert_no_axe_violations(page)


def test_editing_a_cue_with_the_keyboard(page, voiced_panel, make_organiser):
    sign_in(page, make_organiser)
    caption = _caption(voiced_panel)
    page.goto(f"/studio/captions/{caption.id}/edit")
    assert_no_axe_violations(page)
    first = page.locator("#cue-0-text")
    first.click()
    page.keyboard.press("Enter")  # Enter moves to the next cue's words
    expect(page.locator("#cue-1-text")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("Let us talk about flamingos.")
    page.keyboard.press("Alt+ArrowUp")
    expect(first).to_be_focused()
    expect(page.locator("[data-editor-dirty]")).to_have_text("Unsaved changes")
    page.screenshot(path="/tmp/caption-editor.png", full_page=True)
    page.keyboard.press("Control+Enter")  # save
    expect(page.locator("body")).to_contain_text("Captions saved (3 cues)")
    expect(page.locator("#cue-1-text")).to_have_value("Let us talk about flamingos.")
    page.goto(panel_path(voiced_panel))
    expect(page.locator(".transcript-turn").nth(0)).to_contain_text("Let us talk about flamingos.")
    expect(page.locator(".transcript-draft")).to_have_count(0)
    assert_no_axe_violations(page)


def test_splitting_at_the_cursor_and_a_refused_save(page, voiced_panel, make_organiser):
    sign_in(page, make_organiser)
    page.goto(f"/studio/captions/{_caption(voiced_panel).id}/edit")
    text = page.locator("#cue-0-text")
    text.click()
    page.keyboard.press("End")
    for _ in range(len("the panel.")):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Alt+KeyS")
    expect(page.locator(".cue-list [data-cue]:not([data-new-cue])")).to_have_count(4)
    expect(text).to_have_value("Welcome to")
    page.locator("#cue-1-start").fill("0:00.500")  # overlaps the cue before it
    page.keyboard.press("Control+Enter")
    expect(page.locator("#editor-errors")).to_contain_text("Nothing was saved")
    page.screenshot(path="/tmp/caption-editor-errors.png", full_page=True)
    assert_no_axe_violations(page)


def test_a_stopped_alignment_in_the_studio(page, spoken_panel, make_organiser):
    import sqlalchemy as sa

    from eventsite import jobs
    from eventsite.extensions import db
    from eventsite.recordings.models import JobKind, RecordingJob

    from .conftest import SCRIPT, transcript_text

    sign_in(page, make_organiser)
    page.goto(f"/studio/panels/{spoken_panel.panel.id}/transcript")
    assert_no_axe_violations(page)
    wrong = "The quarterly revenue figures for the northern region exceeded every forecast made by analysts."
    page.get_by_role("textbox", name="Transcript").fill(transcript_text(SCRIPT[:2] + [(2, wrong)]))
    page.get_by_role("button", name="Align with the recording").click()
    expect(page.locator("body")).to_contain_text("Aligning the transcript")
    job_id = db.session.scalar(sa.select(RecordingJob.id).where(RecordingJob.kind == JobKind.ALIGN))
    jobs.run_recording_job.call_local(job_id)
    page.goto(f"/studio/panels/{spoken_panel.panel.id}/transcript")
    expect(page.locator("[data-align-result]")).to_contain_text("Alignment stopped at")
    page.screenshot(path="/tmp/transcript-tools.png", full_page=True)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Keep the").click()
    expect(page.locator("body")).to_contain_text("The aligned part was saved")
