"""An organiser uploads a clip from the studio page in real Chromium (tus-js-client)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, assert_no_axe_violations

pytestmark = pytest.mark.browser


def sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill("organiser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio")


def test_organiser_uploads_a_clip_and_sees_the_recording(page, make_organiser, make_panel, media_dir):
    make_organiser()
    panel = make_panel("Measuring influence")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page)
    page.goto(f"/studio/panels/{panel.id}/")
    expect(page.get_by_text("No recordings yet.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Add recordings").set_input_files(str(media_dir / "clip.mp4"))
    progress = page.get_by_role("progressbar", name="Upload of clip.mp4")
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator(".upload-status")).to_have_text(re.compile(r"100 %"))
    row = page.locator("#recording-list tr", has_text="clip.mp4")
    expect(row).to_be_visible()
    expect(row.locator(".recording-duration")).to_have_text("0:02")
    expect(row).to_contain_text("Video: h264 320×240")
    assert not errors, errors


def test_a_file_that_is_not_media_shows_the_plain_refusal(page, make_organiser, make_panel, media_dir):
    make_organiser()
    panel = make_panel("Measuring influence")
    sign_in(page)
    page.goto(f"/studio/panels/{panel.id}/")
    page.get_by_label("Add recordings").set_input_files(str(media_dir / "text.mp4"))
    expect(page.get_by_role("alert")).to_have_text("This file has no video or audio we can read.")
    expect(page.get_by_text("No recordings yet.")).to_be_visible()


def test_an_upload_resumes_after_the_page_is_reloaded(page, make_organiser, make_panel, big_video):
    make_organiser()
    panel = make_panel("Measuring influence")
    sign_in(page)
    page.goto(f"/studio/panels/{panel.id}/")
    # Slow the upload to ~20 MB/s so the page can be reloaded half-way.
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 20_000_000},
    )
    creations = []
    page.on("request", lambda r: creations.append(r.url) if r.method == "POST" and "/uploads/" in r.url else None)
    page.get_by_label("Add recordings").set_input_files(str(big_video))
    progress = page.get_by_role("progressbar", name="Upload of big.avi")
    page.wait_for_function(
        "() => { const p = document.querySelector('progress'); return p && p.value >= 20 && p.value < 90; }"
    )
    page.reload()
    page.get_by_label("Add recordings").set_input_files(str(big_video))
    expect(page.locator(".upload-note")).to_have_text("Resuming an earlier upload of this file.")
    expect(progress).to_have_attribute("value", "100", timeout=60_000)
    expect(page.locator("#recording-list tr", has_text="big.avi")).to_have_count(1)
    assert len(creations) == 1  # the second page continued the first upload, it did not start again
