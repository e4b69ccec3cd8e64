"""The same promises from both storage back-ends: the local folder and an S3 bucket (moto's server)."""

from __future__ import annotations

import hashlib
import io
import random
import tracemalloc
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from eventsite.storage import LocalMediaStore, S3MediaStore, StorageError

MIB = 1024 * 1024


class RandomStream:
    """``size`` reproducible random bytes, made as they are read (never held whole)."""

    def __init__(self, size: int, seed: int = 1) -> None:
        self._left = size
        self._random = random.Random(seed)
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._random.randbytes(size)
        self._left -= size
        self.sha256.update(data)
        return data


def test_round_trip_of_bytes_and_streams(any_store):
    assert not any_store.exists("people/1/photo.jpg")
    assert any_store.save_bytes("people/1/photo.jpg", b"\xff\xd8jpeg") == 6
    assert any_store.exists("people/1/photo.jpg")
    assert any_store.size("people/1/photo.jpg") == 6
    with any_store.open("people/1/photo.jpg") as handle:
        assert handle.read() == b"\xff\xd8jpeg"
    # Saving again replaces the file whole.
    assert any_store.save("people/1/photo.jpg", io.BytesIO(b"png!")) == 4
    with any_store.open("people/1/photo.jpg") as handle:
        assert handle.read() == b"png!"


def test_missing_files_and_bad_keys_are_storage_errors(any_store):
    with pytest.raises(StorageError, match="missing"):
        any_store.size("recordings/9/original.mp4")
    with pytest.raises(StorageError):
        any_store.open("recordings/9/original.mp4")
    with pytest.raises(StorageError):
        with any_store.local_copy("recordings/9/original.mp4"):
            pass
    for bad in ("../secret", "/etc/passwd", "a//b", "a/./b", "a\\b"):
        with pytest.raises(StorageError, match="Invalid storage key"):
            any_store.save_bytes(bad, b"x")
    any_store.delete("recordings/9/original.mp4")  # deleting what is not there is fine


def test_a_20_mb_file_is_stored_and_read_as_a_stream(any_store):
    """Reading never holds the file in memory; S3 stores it in parts."""
    size = 20 * MIB + 12345
    source = RandomStream(size)
    tracemalloc.start()
    try:
        assert any_store.save("recordings/1/original.mp4", source) == size
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with any_store.open("recordings/1/original.mp4") as handle:
            while block := handle.read(256 * 1024):
                digest.update(block)
        _, peak_reading = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == source.sha256.hexdigest()
    assert any_store.size("recordings/1/original.mp4") == size
    assert peak_reading < 4 * MIB
    if isinstance(any_store, S3MediaStore):
        # Stored in parts: S3 marks a multipart object's ETag with its number of parts.
        head = any_store.client.head_object(Bucket=any_store.bucket, Key="recordings/1/original.mp4")
        assert head["ETag"].strip('"').endswith("-2")


def test_seeking_reads_only_the_range(any_store):
    data = random.Random(3).randbytes(3 * MIB + 7)
    any_store.save_bytes("recordings/1/renditions/720.mp4", data)
    with any_store.open("recordings/1/renditions/720.mp4") as handle:
        assert handle.seekable()
        handle.seek(2 * MIB + 5)
        assert handle.read(10) == data[2 * MIB + 5 : 2 * MIB + 15]
        handle.seek(-7, io.SEEK_END)
        assert handle.read() == data[-7:]
        handle.seek(100)
        assert handle.tell() == 100
        assert handle.read(3) == data[100:103]
        assert handle.read(0) == b""


def test_listing_and_deleting_by_prefix(any_store):
    keys = [f"recordings/4/renditions/hls/720/seg{n:04d}.m4s" for n in range(25)]
    keys += ["recordings/4/renditions/hls/master.m3u8", "recordings/4/original.mp4", "recordings/40/original.mp4"]
    for key in keys:
        any_store.save_bytes(key, key.encode())
    listed = list(any_store.iter_keys("recordings/4/renditions"))
    assert listed == sorted(k for k in keys if k.startswith("recordings/4/renditions/"))
    assert list(any_store.iter_keys("recordings/4")) == sorted(k for k in keys if k.startswith("recordings/4/"))
    assert list(any_store.iter_keys("recordings/5")) == []
    assert any_store.delete_prefix("recordings/4/renditions") == 26
    assert list(any_store.iter_keys("recordings/4")) == ["recordings/4/original.mp4"]
    # delete() of a folder key takes the folder with it; the neighbour "recordings/40" stays.
    any_store.delete("recordings/4")
    assert not any_store.exists("recordings/4/original.mp4")
    assert any_store.exists("recordings/40/original.mp4")


def test_delete_prefix_goes_past_one_batch_of_1000(s3_store):
    """S3 deletes at most 1,000 keys per request and lists 1,000 per page."""
    for n in range(1203):
        s3_store.client.put_object(Bucket=s3_store.bucket, Key=f"recordings/8/renditions/s/{n:05d}.m4s", Body=b"s")
    assert len(list(s3_store.iter_keys("recordings/8"))) == 1203
    assert s3_store.delete_prefix("recordings/8") == 1203
    assert list(s3_store.iter_keys("recordings/8")) == []


def test_local_copy_is_a_real_file_and_temporary_copies_go_away(any_store):
    data = random.Random(5).randbytes(MIB + 1)
    any_store.save_bytes("recordings/2/original.mov", data)
    with any_store.local_copy("recordings/2/original.mov") as path:
        assert isinstance(path, Path)
        assert path.suffix == ".mov"  # ffmpeg may go by the extension
        assert path.read_bytes() == data
    if isinstance(any_store, LocalMediaStore):
        assert path == any_store.path("recordings/2/original.mov") and path.exists()
    else:
        assert not path.exists() and not path.parent.exists()
    # Also when the work inside fails.
    with pytest.raises(RuntimeError), any_store.local_copy("recordings/2/original.mov") as path:
        raise RuntimeError("ffmpeg failed")
    assert path.exists() is isinstance(any_store, LocalMediaStore)


def test_adopt_moves_a_finished_file_in(any_store, tmp_path):
    upload = tmp_path / "upload.bin"
    upload.write_bytes(b"a finished upload")
    any_store.adopt(upload, "recordings/3/original.mp4")
    assert not upload.exists()
    with any_store.open("recordings/3/original.mp4") as handle:
        assert handle.read() == b"a finished upload"


def _folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_publish_dir_replaces_the_previous_set(any_store, tmp_path):
    first = _folder(tmp_path / "first", {"hls/master.m3u8": b"#EXTM3U 1", "hls/720/a.m4s": b"a1", "720.mp4": b"m1"})
    any_store.publish_dir(first, "recordings/6/renditions")
    assert not first.exists()
    assert list(any_store.iter_keys("recordings/6/renditions")) == [
        "recordings/6/renditions/720.mp4",
        "recordings/6/renditions/hls/720/a.m4s",
        "recordings/6/renditions/hls/master.m3u8",
    ]
    second = _folder(tmp_path / "second", {"hls/master.m3u8": b"#EXTM3U 2", "hls/480/b.m4s": b"b2"})
    any_store.publish_dir(second, "recordings/6/renditions")
    assert list(any_store.iter_keys("recordings/6/renditions")) == [
        "recordings/6/renditions/hls/480/b.m4s",
        "recordings/6/renditions/hls/master.m3u8",
    ]
    with any_store.open("recordings/6/renditions/hls/master.m3u8") as handle:
        assert handle.read() == b"#EXTM3U 2"


def test_urls_are_for_object_storage_only(any_store):
    any_store.save_bytes("recordings/1/renditions/hls/master.m3u8", b"#EXTM3U\n")
    if isinstance(any_store, LocalMediaStore):
        assert any_store.presigned_url("recordings/1/renditions/hls/master.m3u8", 60) is None
        assert any_store.url_for_public("recordings/1/renditions/hls/master.m3u8") is None
    else:
        assert any_store.url_for_public("recordings/1/renditions/hls/master.m3u8") is None  # no public URL set


def test_presigned_url_fetches_ranges_and_expires(s3_store):
    data = random.Random(9).randbytes(100_000)
    s3_store.save_bytes("recordings/1/renditions/720.mp4", data)
    url = s3_store.presigned_url("recordings/1/renditions/720.mp4", 300, "video/mp4")
    whole = requests.get(url, timeout=10)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["Content-Type"] == "video/mp4"
    part = requests.get(url, headers={"Range": "bytes=1000-1999"}, timeout=10)
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["Content-Range"] == "bytes 1000-1999/100000"
    # The signature covers an expiry of exactly the seconds asked for. (moto's
    # server does not refuse expired URLs, so this is as far as the test can see;
    # real services answer 403 after X-Amz-Expires.)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query


def test_public_url_is_the_base_plus_the_public_copy_key(s3_server):
    store = S3MediaStore(
        "media", endpoint_url=s3_server, access_key_id="a", secret_access_key="b", public_url="https://cdn.example/m"
    )
    assert store.url_for_public("recordings/1/renditions/hls/a b.m4s") == (
        "https://cdn.example/m/public/recordings/1/renditions/hls/a%20b.m4s"
    )
