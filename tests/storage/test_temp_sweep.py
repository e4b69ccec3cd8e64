"""A worker killed mid-job on S3 leaves its temporary folders; the next worker start removes them.

Real processes against the test's S3 server: one holds a local copy and a work
folder and is SIGKILLed; the sweep removes what it left and keeps the folders
of a process that is still alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from eventsite.storage import sweep_orphaned_temp

from .conftest import ACCESS_KEY, REGION, SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]

#: Take a local copy of "recordings/1/original.mp4" and a work folder, say where, then wait.
JOB = """
import contextlib, io, sys
from eventsite.storage import S3MediaStore

endpoint, bucket, access, secret, region = sys.argv[1:]
store = S3MediaStore(bucket, endpoint_url=endpoint, region=region, access_key_id=access, secret_access_key=secret)
with contextlib.ExitStack() as stack:
    copy = stack.enter_context(store.local_copy("recordings/1/original.mp4"))
    work = stack.enter_context(store.work_dir("recordings/1/renditions"))
    (work / "seg000.m4s").write_bytes(b"half a rendition")
    print(copy.parent, work, sep="\\n", flush=True)
    sys.stdin.readline()
"""


def start_job(s3_store, tmp: Path) -> tuple[subprocess.Popen, list[Path]]:
    process = subprocess.Popen(
        [sys.executable, "-c", JOB, s3_store.client.meta.endpoint_url, s3_store.bucket, ACCESS_KEY, SECRET_KEY, REGION],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    folders = [Path(process.stdout.readline().strip()), Path(process.stdout.readline().strip())]
    return process, folders


def test_a_killed_workers_folders_go_and_a_live_ones_stay(s3_store, tmp_path):
    s3_store.save_bytes("recordings/1/original.mp4", b"an original")
    killed, left = start_job(s3_store, tmp_path)
    alive, in_use = start_job(s3_store, tmp_path)
    try:
        assert all(folder.is_dir() and folder.parent == tmp_path for folder in left + in_use)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=10)
        assert all(folder.is_dir() for folder in left)  # nothing of theirs ran on the way out

        other = tmp_path / "unrelated-folder"
        other.mkdir()
        assert sweep_orphaned_temp(tmp_path) == 2
        assert not any(folder.exists() for folder in left)
        assert all(folder.is_dir() for folder in in_use) and other.is_dir()
    finally:
        alive.communicate("\n", timeout=30)
    # Once the live process finished, its own exit removed its folders.
    assert not any(folder.exists() for folder in in_use)


def test_folders_named_for_another_machine_are_left_alone(tmp_path):
    theirs = tmp_path / "eventsite-work-another_host-1-abcd1234"
    theirs.mkdir()
    assert sweep_orphaned_temp(tmp_path) == 0
    assert theirs.is_dir()
