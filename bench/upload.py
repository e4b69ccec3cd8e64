"""Benchmark: tus uploads under gunicorn on loopback, against ``cp`` of the same file.

    .venv/bin/python bench/upload.py            # 256 MiB and 1 GiB
    .venv/bin/python bench/upload.py --sizes 64  # a quick run

For each size it makes a real WAV file of that size (ffmpeg, silence), starts
gunicorn with the project's gunicorn.conf.py against a throw-away instance
and media folder in bench/work/, uploads the file through /uploads/ in one
PATCH (what tus-js-client does without chunkSize) and, in the same run, copies
it with ``cp`` to the same file system as the baseline. It reports the
transfer throughput (all but the last byte), the finish step (last byte:
sha256 + ffprobe + rename), the ratio to ``cp`` and the peak RSS (VmHWM) of
the gunicorn workers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
MIB = 1024 * 1024
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """A throw-away eventsite (SQLite + media folder) with an organiser token and a published panel."""

    def __init__(self, name: str) -> None:
        self.dir = WORK / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.media = self.dir / "media"
        self.env = {
            "EVENTSITE_INSTANCE_PATH": str(self.dir / "instance"),
            "EVENTSITE_DATABASE_URL": f"sqlite:///{self.dir / 'site.db'}",
            "EVENTSITE_MEDIA_ROOT": str(self.media),
            "EVENTSITE_SECRET_KEY": "bench-upload-secret-key-of-at-least-32-chars",
        }
        os.environ.update(self.env)
        from eventsite import create_app
        from eventsite.accounts.operations import create_organiser, create_token
        from eventsite.events.models import Event, Panel, PanelStatus
        from eventsite.extensions import db

        self.app = create_app()
        with self.app.app_context():
            db.create_all()
            organiser = create_organiser("bench@example.com", "Bench", "bench password")
            self.token = create_token(organiser)
            event = Event(slug="bench", name="Bench")
            panel = Panel(event=event, slug="panel", title="Panel", status=PanelStatus.PUBLISHED)
            db.session.add_all([event, panel])
            db.session.commit()
            self.panel_id = panel.id

    def gunicorn(self, **env: str) -> Gunicorn:
        return Gunicorn(self.env | env, self.dir / "gunicorn.log")


class Gunicorn:
    """gunicorn -c gunicorn.conf.py wsgi:app on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | env | {"EVENTSITE_BIND": f"127.0.0.1:{self.port}", "EVENTSITE_BASE_URL": self.url}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.port)

    def worker_peak_rss_mib(self) -> float:
        """Largest VmHWM (peak resident set) among the worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        peaks = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.5)  # let the workers finish importing
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def make_wav(path: Path, size: int) -> None:
    """A real WAV of about ``size`` bytes (48 kHz stereo 16-bit silence)."""
    seconds = size / (48000 * 2 * 2)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
         "-t", f"{seconds:.3f}", "-c:a", "pcm_s16le", str(path)],
        check=True,
    )  # fmt: skip


def tus_upload(base_url: str, token: str, panel_id: int, path: Path) -> tuple[float, float]:
    """Upload ``path``; return (seconds for all but the last byte, seconds for the last byte + finish)."""
    import base64

    size = path.stat().st_size
    auth = {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}"}
    host = urlsplit(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, blocksize=MIB)
    meta = f"filename {base64.b64encode(path.name.encode()).decode()},panel {base64.b64encode(str(panel_id).encode()).decode()}"  # noqa: E501
    conn.request("POST", "/uploads/", headers=auth | {"Upload-Length": str(size), "Upload-Metadata": meta})
    response = conn.getresponse()
    response.read()
    location = urlsplit(response.headers["Location"]).path
    assert response.status == 201, response.status

    def patch(offset: int, body, length: int) -> None:
        headers = auth | {
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(length),
        }
        conn.request("PATCH", location, body=body, headers=headers)
        reply = conn.getresponse()
        text = reply.read()
        assert reply.status == 204, (reply.status, text)

    with path.open("rb") as fh:
        started = time.perf_counter()
        patch(0, _Limited(fh, size - 1), size - 1)
        transferred = time.perf_counter()
        patch(size - 1, fh.read(1), 1)
        finished = time.perf_counter()
    conn.close()
    return transferred - started, finished - transferred


class _Limited:
    """The first ``length`` bytes of a file, read in 1 MiB blocks (http.client streams it)."""

    def __init__(self, fh, length: int) -> None:
        self.fh, self.left = fh, length

    def read(self, size: int = MIB) -> bytes:
        data = self.fh.read(min(size, self.left))
        self.left -= len(data)
        return data


def run(sizes_mib: list[int]) -> None:
    site = Site("upload")
    print(f"machine: {os.cpu_count()} CPUs; gunicorn.conf.py (gthread); one PATCH per upload; loopback\n")
    print("| size | cp + sync | tus transfer | throughput tus/cp | finish (sha256+probe) | worker peak RSS (idle) |")
    print("|---|---|---|---|---|---|")
    for size_mib in sizes_mib:
        source = site.dir / f"source-{size_mib}.wav"
        make_wav(source, size_mib * MIB)
        size = source.stat().st_size
        copy = site.dir / "copy.wav"
        subprocess.run(["sync"], check=True)
        started = time.perf_counter()
        subprocess.run(["cp", str(source), str(copy)], check=True)
        subprocess.run(["sync", str(copy)], check=True)  # cp's bytes on disk, as our fsync'd upload's are
        cp_seconds = time.perf_counter() - started
        copy.unlink()

        server = site.gunicorn()
        try:
            idle = server.worker_peak_rss_mib()
            transfer, finish = tus_upload(server.url, site.token, site.panel_id, source)
            peak = server.worker_peak_rss_mib()
        finally:
            server.stop()
        print(
            f"| {size_mib} MiB | {cp_seconds:.2f} s ({size / MIB / cp_seconds:.0f} MiB/s) "
            f"| {transfer:.2f} s ({size / MIB / transfer:.0f} MiB/s) | {cp_seconds / transfer:.2f} "
            f"| {finish:.2f} s | {peak:.0f} MiB ({idle:.0f} MiB) |"
        )
        source.unlink()
        for key in (site.media / "recordings").rglob("original.*"):
            key.unlink()
    shutil.rmtree(site.dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024], help="file sizes in MiB")
    run(parser.parse_args().sizes)
