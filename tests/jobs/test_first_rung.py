"""An upload that must be encoded (VP9 from a browser's screen recorder) is watchable on the
rung the player starts on first; the rest of the ladder follows and swaps in whole."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from eventsite import jobs
from eventsite.jobs.transcode_job import WATCHABLE_FIRST
from eventsite.recordings.models import JobStatus, RecordingStatus
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
from eventsite.transcode import TranscodeSettings
from tests.jobs.test_quick_publish import job_of, live_set
from tests.transcode.media import PRESET_KEYS, av_clip, streams, x264_preset_settings, x264_settings

EARLY = {("hls", "adaptive"), ("mp4", "360p"), ("audio", "aac"), ("poster", "poster")}


@pytest.fixture
def app(app):
    app.config.update(TRANSCODE_LADDER=(360, 240), CARTOON_HEIGHT=144, FIRST_RUNG_MIN_SECONDS=3)
    return app


@pytest.fixture
def vp9_upload(app_ctx, make_panel, tmp_path):
    vp9 = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-c:a", "libopus"]
    clip = av_clip(tmp_path / "screen.webm", "640x360", 6, 30, *vp9)
    upload = tmp_path / "upload.webm"
    shutil.copy(clip, upload)
    return store_original(upload, make_panel(), "screen.webm")


def test_a_vp9_upload_is_watchable_on_its_first_rung_then_complete(vp9_upload):
    recording = vp9_upload
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_of(recording).id,))
    runner.start()
    sets, early, deadline = [], None, time.monotonic() + 180
    while runner.is_alive():
        assert time.monotonic() < deadline, "the job never finished"
        job = job_of(recording)
        live = live_set(recording)
        sets.append(frozenset(live))
        if early is None and job.notes == [WATCHABLE_FIRST.format(label="360p")] and live:
            mp4 = media_store().path(live[("mp4", "360p")])
            early = {
                "set": live, "status": job.status, "ready": job.recording.status,
                "codec": streams(mp4)["video"]["codec_name"], "x264": x264_settings(mp4),
            }  # fmt: skip
        time.sleep(0.05)
    runner.join(timeout=60)
    assert early is not None, "the first rung was never live while the job ran"
    assert early["status"] is JobStatus.RUNNING and early["ready"] is RecordingStatus.READY
    assert set(early["set"]) == EARLY and early["codec"] == "h264"
    job = job_of(recording)
    assert job.status is JobStatus.SUCCEEDED, job.error
    full = live_set(recording)
    assert {("mp4", "360p"), ("mp4", "240p"), ("cartoon", "144p"), ("storyboard", "storyboard")} <= set(full)
    assert not media_store().exists(early["set"][("mp4", "360p")])
    # the early rung was encoded at the fast preset, under the rung's cap, keyframes at the
    # segment interval; the full ladder's same rung at the ladder's own preset
    defaults = TranscodeSettings()
    assert defaults.first_rung_preset != defaults.preset
    assert {k: early["x264"][k] for k in PRESET_KEYS} == x264_preset_settings(defaults.first_rung_preset)
    final = x264_settings(media_store().path(full[("mp4", "360p")]))
    assert {k: final[k] for k in PRESET_KEYS} == x264_preset_settings(defaults.preset)
    same = ("vbv_maxrate", "vbv_bufsize", "keyint", "keyint_min", "scenecut", "crf")
    assert {k: early["x264"][k] for k in same} == {k: final[k] for k in same}
    # the page only ever had nothing, the first rung's set, or the whole ladder: never a mix
    assert set(sets) <= {frozenset(), frozenset(EARLY), frozenset(full)}, set(sets)


def test_a_short_upload_waits_for_its_whole_ladder(app, vp9_upload):
    app.config["FIRST_RUNG_MIN_SECONDS"] = 60
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_of(vp9_upload).id,))
    runner.start()
    seen = set()
    while runner.is_alive():
        seen.add(frozenset(live_set(vp9_upload)))
        time.sleep(0.05)
    runner.join()
    # the whole ladder may go live between the last look and the job's end: look once more
    seen.add(frozenset(live_set(vp9_upload)))
    assert job_of(vp9_upload).status is JobStatus.SUCCEEDED
    assert frozenset(EARLY) not in seen and len(seen - {frozenset()}) == 1
