"""A replacement recording, transcoded by the real job, brings its own transcript to search."""

from __future__ import annotations

from eventsite import jobs
from eventsite.recordings.captions import save_caption
from eventsite.recordings.operations import store_original
from eventsite.search.results import run_search
from tests.transcode.media import av_clip


def said_total(typed: str) -> int:
    return sum(g.total for g in run_search(typed).groups if g.kind == "said")


def test_a_new_ready_recording_replaces_what_was_said(request_ctx, app, said_panel, tmp_path):
    assert said_total("followers") == 1
    clip = av_clip(tmp_path / "take2.mp4", "320x240", 2, 25)
    recording = store_original(clip, said_panel, "take2.mp4")
    assert said_total("followers") == 1  # still the old recording on the page while the new one transcodes
    jobs.run_recording_job.call_local(recording.jobs[0].id)
    # The page now plays the new recording, which has no captions yet: nor has search.
    assert said_total("followers") == 0
    save_caption(recording, "en", "English", b"1\n00:00:00,500 --> 00:00:01,500\nSecond take on followers.\n")
    hits = next(g.hits for g in run_search("followers").groups if g.kind == "said")
    assert [h.start for h in hits] == [0.5]
