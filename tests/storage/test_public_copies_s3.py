"""A public media URL on S3 opens only what the public may see now, against moto's S3 server.

The bucket carries the README's policy; a visitor without credentials fetches from
it directly, as a browser or a CDN does. A key worked out from a public URL (the
camera's from the flock's of a bird-only panel) must open nothing, and unpublishing,
a narrower consent or downloads off must take back what was public.
"""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from eventsite.events.models import Consent, Panel, PanelStatus, Seat
from eventsite.events.operations import publish_panel
from eventsite.extensions import db
from eventsite.recordings.models import Recording, RecordingStatus, Rendition, RenditionKind
from eventsite.recordings.public_copies import NoLongerPublic, public_copy_url, withdraw_everywhere
from eventsite.studio.operations import record_consent
from tests.conftest import csrf_token

SET = "0123456789ab"
FLOCK = "ba9876543210"
#: A rendition set as the transcoder and the flock job lay it out (contents are stand-ins).
CAMERA_FILES = ["hls/master.m3u8", "hls/720p/index.m3u8", "hls/720p/seg0.m4s", "720.mp4", "poster.jpg"]
FLOCK_FILES = ["hls/master.m3u8", "hls/720p/index.m3u8", "hls/720p/seg0.m4s", "flock.mp4", "poster.jpg"]
SOUND_FILES = ["hls/audio/index.m3u8", "hls/audio/seg0.m4s", "audio.m4a"]


@pytest.fixture
def bird_only(app, app_ctx, make_panel, make_panelist, public_bucket):
    """A published panel whose one panelist agreed to appear as a bird only, its set in the bucket.

    Returns a function from a file of the set (``hls/720p/seg0.m4s``, ``flock/flock.mp4``) to its key.
    """
    app.extensions["media_store"] = public_bucket
    panel = make_panel()
    make_panelist(panel=panel, consent=Consent.BIRD)
    recording = Recording(panel=panel, original_key="", original_filename="talk.mp4", status=RecordingStatus.READY)
    db.session.add(recording)
    db.session.flush()
    base = f"recordings/{recording.id}/renditions/{SET}"
    recording.original_key = f"recordings/{recording.id}/original.mp4"

    def key(relpath: str) -> str:
        if relpath.startswith("flock/"):
            return f"{base}/flock/{FLOCK}/{relpath.removeprefix('flock/')}"
        return f"{base}/{relpath}"

    recording.renditions += [
        Rendition(kind=RenditionKind.HLS, storage_key=key("hls/master.m3u8")),
        Rendition(kind=RenditionKind.MP4, label="720p", storage_key=key("720.mp4")),
        Rendition(kind=RenditionKind.FLOCK_HLS, storage_key=key("flock/hls/master.m3u8")),
        Rendition(kind=RenditionKind.FLOCK, storage_key=key("flock/flock.mp4")),
    ]
    db.session.commit()
    for relpath in CAMERA_FILES + SOUND_FILES + [f"flock/{name}" for name in FLOCK_FILES]:
        public_bucket.save_bytes(key(relpath), f"bytes of {relpath}".encode())
    public_bucket.save_bytes(recording.original_key, b"the camera's original")
    key.panel_id = panel.id
    return key


def fetched_anonymously(client, key: str) -> requests.Response:
    """Follow ``/media/<key>``'s redirect to the bucket without credentials, as a browser would."""
    response = client.get(f"/media/{key}")
    assert response.status_code == 302, response.status_code
    return requests.get(response.headers["Location"], timeout=10)


def status_without_the_app(url: str) -> int:
    return requests.get(url, timeout=10).status_code


def seat_of(panel_id: int) -> Seat:
    return db.session.scalar(sa.select(Seat).where(Seat.panel_id == panel_id))


def test_a_key_worked_out_from_the_flocks_url_opens_no_camera_file(client, bird_only, public_bucket, s3_server):
    flock = fetched_anonymously(client, bird_only("flock/hls/720p/seg0.m4s"))
    assert flock.status_code == 200 and flock.content == b"bytes of flock/hls/720p/seg0.m4s"
    assert fetched_anonymously(client, bird_only("hls/audio/seg0.m4s")).status_code == 200  # the voice is public
    # Take the flock's folder out of its public URL: the camera's file of the same set.
    camera_url = flock.url.replace(f"/flock/{FLOCK}/", "/")
    assert camera_url.endswith(f"/renditions/{SET}/hls/720p/seg0.m4s")
    for relpath in CAMERA_FILES:
        worked_out = camera_url.replace("hls/720p/seg0.m4s", relpath)
        assert status_without_the_app(worked_out) in (403, 404), relpath
        assert client.get(f"/media/{bird_only(relpath)}").status_code == 404
    # The files' own keys, and the original, are closed to anyone without the app's credentials.
    bucket = f"{s3_server}/{public_bucket.bucket}"
    assert status_without_the_app(f"{bucket}/{bird_only('flock/hls/720p/seg0.m4s')}") == 403
    assert status_without_the_app(f"{bucket}/{bird_only('hls/720p/seg0.m4s')}") == 403
    recording_folder = bird_only("x").split("/renditions/")[0]
    assert status_without_the_app(f"{bucket}/{recording_folder}/original.mp4") == 403


def test_playlists_come_through_the_app_and_name_segments_the_app_checks(client, bird_only):
    response = client.get(f"/media/{bird_only('flock/hls/master.m3u8')}")
    assert response.status_code == 200
    assert response.data == b"bytes of flock/hls/master.m3u8"
    assert response.headers["Content-Type"] == "application/vnd.apple.mpegurl"


def test_a_narrower_consent_takes_the_camera_back_at_once(client, bird_only):
    seat = seat_of(bird_only.panel_id)
    record_consent(seat, Consent.VIDEO)
    camera = fetched_anonymously(client, bird_only("hls/720p/seg0.m4s"))
    assert camera.status_code == 200
    record_consent(seat_of(bird_only.panel_id), Consent.BIRD)
    assert status_without_the_app(camera.url) in (403, 404)
    assert client.get(f"/media/{bird_only('hls/720p/seg0.m4s')}").status_code == 404
    # The birds stay public.
    assert fetched_anonymously(client, bird_only("flock/hls/720p/seg0.m4s")).status_code == 200


def test_unpublishing_takes_every_public_copy_back(client, bird_only, app):
    urls = [fetched_anonymously(client, bird_only(p)).url for p in ("flock/hls/720p/seg0.m4s", "flock/flock.mp4")]
    assert [status_without_the_app(url) for url in urls] == [200, 200]
    publish_panel(db.session.get(Panel, bird_only.panel_id), PanelStatus.DRAFT)
    assert [status_without_the_app(url) for url in urls] in ([403, 403], [404, 404])
    assert client.get(f"/media/{bird_only('flock/flock.mp4')}").status_code == 404


def test_downloads_off_takes_the_whole_files_back_and_keeps_the_stream(client, login, bird_only):
    download = fetched_anonymously(client, bird_only("flock/flock.mp4"))
    segment = fetched_anonymously(client, bird_only("flock/hls/720p/seg0.m4s"))
    assert (download.status_code, segment.status_code) == (200, 200)
    login()
    page = client.get(f"/studio/panels/{bird_only.panel_id}/media")
    response = client.post(
        f"/studio/panels/{bird_only.panel_id}/downloads", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert response.status_code == 302
    assert status_without_the_app(download.url) in (403, 404)
    assert status_without_the_app(segment.url) == 200


def test_a_copy_made_while_a_change_hid_the_file_is_taken_back(app_ctx, bird_only, public_bucket):
    # A visitor's request read the panel as public; the organiser's unpublishing commits before
    # its copy is made (written here by hand, so no listener runs).
    db.session.execute(sa.text("UPDATE panel SET status = 'draft' WHERE id = :id"), {"id": bird_only.panel_id})
    db.session.commit()
    key = bird_only("flock/hls/720p/seg0.m4s")
    with pytest.raises(NoLongerPublic):
        public_copy_url(key)
    assert not public_bucket.exists(f"public/{key}")


def test_the_sweep_takes_back_copies_a_change_by_hand_left(client, bird_only, public_bucket):
    url = fetched_anonymously(client, bird_only("flock/flock.mp4")).url
    db.session.execute(sa.text("UPDATE panel SET status = 'draft' WHERE id = :id"), {"id": bird_only.panel_id})
    db.session.commit()
    assert status_without_the_app(url) == 200  # no listener heard of it
    assert withdraw_everywhere() == 1
    assert status_without_the_app(url) in (403, 404)


def test_a_copy_goes_with_its_file(client, bird_only, public_bucket):
    url = fetched_anonymously(client, bird_only("flock/hls/720p/seg0.m4s")).url
    public_bucket.delete(bird_only("flock/hls"))  # as a newer drawing's sweep removes the old one
    assert status_without_the_app(url) in (403, 404)


def test_a_file_written_again_is_public_in_its_new_version(client, bird_only, public_bucket):
    key = bird_only("flock/poster.jpg")
    assert fetched_anonymously(client, key).content == b"bytes of flock/poster.jpg"
    public_bucket.save_bytes(key, b"the frame the organiser chose")  # as the poster job writes it in place
    assert fetched_anonymously(client, key).content == b"the frame the organiser chose"
