"""A real S3 API for the storage tests: moto's stand-alone server, as a process on 127.0.0.1.

``s3_server`` starts it once per test session and stops it afterwards;
``s3_store`` gives each test a fresh, empty bucket on it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from eventsite.storage import LocalMediaStore, S3MediaStore

ACCESS_KEY = "eventsite-test"
SECRET_KEY = "eventsite-test-secret"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_server() -> str:
    found = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(found).exists():
        pytest.fail("moto_server is missing: install the dev requirements (moto[server]).")
    return found


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The endpoint URL of a running moto server; it is stopped after the session."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    process = subprocess.Popen(
        [_moto_server(), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto_server exited with {process.returncode}; see {log.name}")
            try:
                requests.get(url, timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):  # a busy machine may answer slowly at first
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not answer on {url} within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def s3_settings(endpoint: str, bucket: str) -> dict[str, str]:
    """The app settings that point at ``bucket`` on the test server."""
    return {
        "STORAGE": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": bucket,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def readme_bucket_policy(bucket: str) -> str:
    """The bucket policy the README tells operators to set with a public media URL, for ``bucket``."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```json\n(.*?)```", readme, re.S) if '"Principal": "*"' in b]
    assert len(blocks) == 1, "the README should hold one public bucket policy"
    policy = json.loads(re.sub(r"^  ", "", blocks[0], flags=re.M))
    return json.dumps(policy).replace("arn:aws:s3:::BUCKET/", f"arn:aws:s3:::{bucket}/")


@pytest.fixture
def public_bucket(s3_store, s3_server) -> S3MediaStore:
    """``s3_store`` with the README's public bucket policy and its public URL set (the bucket's own)."""
    s3_store.client.put_bucket_policy(Bucket=s3_store.bucket, Policy=readme_bucket_policy(s3_store.bucket))
    s3_store.public_url = f"{s3_server}/{s3_store.bucket}/"
    return s3_store


@pytest.fixture
def s3_store(s3_server) -> S3MediaStore:
    """A store on a fresh, empty bucket."""
    bucket = f"test-{uuid.uuid4().hex[:16]}"
    store = S3MediaStore(
        bucket, endpoint_url=s3_server, region=REGION, access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY
    )
    store.client.create_bucket(Bucket=bucket)
    return store


@pytest.fixture(params=["local", "s3"])
def any_store(request, tmp_path):
    """Each contract test runs on both back-ends."""
    if request.param == "local":
        (tmp_path / "media").mkdir()
        return LocalMediaStore(tmp_path / "media")
    return request.getfixturevalue("s3_store")
