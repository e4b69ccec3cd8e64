"""A clip quoting automatic captions nobody has checked says so: on its page, in its embed
and on its end card. What a clip says is frozen when it is asked for."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import expect

from eventsite.clips import cards
from eventsite.clips.layout import plan_layout
from eventsite.clips.models import ClipShape
from eventsite.recordings.captions import save_caption
from eventsite.recordings.current import ready_recording
from eventsite.recordings.models import CaptionSource
from tests.clips.conftest import VOICED_VTT, ask, clip_id_of, render
from tests.conftest import assert_no_axe_violations

NOTE = "Automatic captions (draft)."


def end_card_frame(client, clip, tmp_path) -> Image.Image:
    video = tmp_path / "clip.mp4"
    video.write_bytes(client.get(f"/media/{clip.video_key}").data)
    out = tmp_path / "card.png"
    at = f"{clip.duration_seconds - 0.5:.2f}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", at, "-i", str(video), "-frames:v", "1", str(out)], check=True)
    return Image.open(out).convert("RGB")


def distance(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b.convert("RGB"))).mean)


def test_a_clip_of_automatic_captions_is_labelled_a_draft_everywhere(client, login, voiced_panel, tmp_path):
    recording = ready_recording(voiced_panel)
    save_caption(recording, "en", "English", VOICED_VTT, source=CaptionSource.AUTOMATIC)
    clip = render(clip_id_of(ask(client, voiced_panel, start="0:02.5", end="0:04.5", shape="square")))
    assert clip.is_ready and clip.quote_is_draft
    html = client.get(f"/clips/{clip.id}/").get_data(as_text=True)
    assert NOTE in html and "data-automatic" in html
    assert "captions shown in the picture (automatic, not yet checked)" in html
    assert "automatic captions, not yet checked" in client.get(f"/clips/{clip.id}/embed").get_data(as_text=True)
    # the end card baked into the video carries the note: it matches the card drawn with it
    frame = end_card_frame(client, clip, tmp_path)
    layout = plan_layout(ClipShape.SQUARE, 240, 16, 9)
    title, event = voiced_panel.title, voiced_panel.event.name
    with_note = cards.end_card(layout, title, event, clip.card_url, "eventsite", draft=True)
    without = cards.end_card(layout, title, event, clip.card_url, "eventsite")
    assert distance(frame, with_note) < distance(frame, without)

    # checked captions: the clip already made still quotes the draft; a new one does not
    save_caption(recording, "en", "English", VOICED_VTT, source=CaptionSource.EDITED)
    assert NOTE in client.get(f"/clips/{clip.id}/").get_data(as_text=True)
    fresh = clip_id_of(ask(client, voiced_panel, start="0:01", end="0:04", shape="square"))
    html = client.get(f"/clips/{fresh}/").get_data(as_text=True)
    assert NOTE not in html and "data-automatic" not in html
    # the studio's list of clips says which one quotes the draft
    listing = login().get(f"/studio/panels/{voiced_panel.id}/clips").get_data(as_text=True)
    assert listing.count("automatic captions, not yet checked") == 1


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_draft_note_reads_well_on_the_clip_page_and_embed(page, live_server, client, voiced_panel, size):
    save_caption(ready_recording(voiced_panel), "en", "English", VOICED_VTT, source=CaptionSource.AUTOMATIC)
    clip = render(clip_id_of(ask(client, voiced_panel, start="0:02.5", end="0:04.5", shape="square")))
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"/clips/{clip.id}/")
    expect(page.get_by_role("note")).to_contain_text("not yet checked by a person")
    expect(page.locator(".clip-page header [data-automatic]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)
    page.goto(f"/clips/{clip.id}/embed")
    expect(page.locator(".embed-credit [data-automatic]")).to_be_visible()
    assert_no_axe_violations(page)
