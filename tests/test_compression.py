"""What the app sends compressed: pages, styles, scripts, JSON, feeds, captions and playlists
(brotli where the client takes it, else gzip); never video or audio, and byte ranges are the file's."""

from __future__ import annotations

import gzip
import random

import brotli
import pytest

from eventsite.extensions import db
from eventsite.recordings.models import Recording, RecordingStatus, Rendition, RenditionKind
from eventsite.storage import media_store

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}

#: A long talk's variant playlist: 900 segments of 4 s (an hour).
PLAYLIST = (
    '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI="init_1.mp4"\n'
    + "".join(f"#EXTINF:4.000000,\nseg{i:03d}.m4s\n" for i in range(900))
    + "#EXT-X-ENDLIST\n"
).encode()
CAPTIONS = (
    "WEBVTT\n\n"
    + "".join(
        f"00:{i // 60:02d}:{i % 60:02d}.000 --> 00:{i // 60:02d}:{i % 60:02d}.900\nWord {i}.\n\n" for i in range(99)
    )
).encode()
VIDEO = random.Random(3).randbytes(200_000)


@pytest.fixture
def published_files(app_ctx, make_panel):
    """A published panel's ready recording with a long playlist, captions, an MP4, a segment and audio."""
    recording = Recording(
        panel=make_panel(), original_key="", original_filename="talk.mp4", status=RecordingStatus.READY
    )
    db.session.add(recording)
    db.session.flush()
    base = f"recordings/{recording.id}/renditions"
    recording.renditions.append(Rendition(kind=RenditionKind.MP4, storage_key=f"{base}/mp4/720p.mp4"))
    db.session.commit()
    keys = {
        "m3u8": f"{base}/hls/720p/index.m3u8",
        "vtt": f"{base}/storyboard/storyboard.vtt",
        "mp4": f"{base}/mp4/720p.mp4",
        "m4s": f"{base}/hls/720p/seg000.m4s",
        "m4a": f"{base}/audio.m4a",
    }
    store = media_store()
    store.save_bytes(keys["m3u8"], PLAYLIST)
    store.save_bytes(keys["vtt"], CAPTIONS)
    for kind in ("mp4", "m4s", "m4a"):
        store.save_bytes(keys[kind], VIDEO)
    return keys


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


#: A page, a style sheet, a script, JSON, a feed and plain text.
TEXT = ["/", "/static/css/site.css", "/static/js/player.js", "/api/v1/openapi.json", "/feeds/panels.atom"]
TEXT += ["/robots.txt"]


@pytest.mark.parametrize("path", TEXT)
def test_text_comes_compressed_with_brotli_where_accepted(client, make_panel, path):
    make_panel()  # something on the home page, the feed and the API
    plain = client.get(path)
    assert plain.status_code == 200, path
    assert "Content-Encoding" not in plain.headers  # a client that asks for nothing gets plain text
    response = client.get(path, headers=BROWSER)
    if len(plain.data) < 500:  # too small to be worth it
        assert "Content-Encoding" not in response.headers
        return
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decoded(response) == plain.data
    assert len(response.data) < len(plain.data) * 0.6
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and decoded(gzipped) == plain.data


def test_a_compressed_static_file_still_answers_conditional_gets(client):
    first = client.get("/static/js/player.js", headers=BROWSER)
    assert first.headers["Content-Encoding"] == "br"
    again = client.get("/static/js/player.js", headers={**BROWSER, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("kind", ["m3u8", "vtt"])
def test_playlists_and_captions_come_compressed(client, published_files, kind):
    key = published_files[kind]
    response = client.get(f"/media/{key}", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert decoded(response) == (PLAYLIST if kind == "m3u8" else CAPTIONS)
    assert len(response.data) < len(decoded(response)) / 5
    # A compressed answer offers no ranges; a range asked for all the same is the file's own bytes.
    assert "Accept-Ranges" not in response.headers
    part = client.get(f"/media/{key}", headers={**BROWSER, "Range": "bytes=100-2099"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.data == (PLAYLIST if kind == "m3u8" else CAPTIONS)[100:2100]
    # Revalidating the compressed copy costs no body.
    again = client.get(f"/media/{key}", headers={**BROWSER, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("kind", ["mp4", "m4s", "m4a"])
def test_video_and_audio_are_never_compressed_and_keep_their_ranges(client, published_files, kind):
    key = published_files[kind]
    whole = client.get(f"/media/{key}", headers=BROWSER)
    assert whole.status_code == 200 and "Content-Encoding" not in whole.headers
    assert whole.data == VIDEO and whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(f"/media/{key}", headers={**BROWSER, "Range": "bytes=1000-1999"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(VIDEO)}" and part.data == VIDEO[1000:2000]
