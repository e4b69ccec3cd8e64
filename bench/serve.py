"""Benchmark: 1 MB Range requests at random offsets of a 512 MiB rendition.

    .venv/bin/python bench/serve.py                 # 10 s per server, 4 clients
    .venv/bin/python bench/serve.py --seconds 3     # a quick run
    .venv/bin/python bench/serve.py --rounds 3      # every server three times, round-robin; medians
    .venv/bin/python bench/serve.py --paired-seconds 60   # a longer paired static vs deploy/nginx.conf run

Four servers answer the same file of a published panel's current recording in the same run:

1. nginx (Debian's, started here on a loopback port with its own temporary
   config) serving the file straight from MEDIA_ROOT as a static file — the baseline;
2. eventsite's ``/media/<key>`` under gunicorn (gunicorn.conf.py), seeking + sendfile;
3. nginx in front of a second gunicorn started with
   ``EVENTSITE_MEDIA_ACCEL=/protected/``: Flask checks access, nginx sends the
   bytes (X-Accel-Redirect);
4. the shipped ``deploy/nginx.conf`` (its placeholders filled in as
   ``deploy/stack.py`` does) in front of gunicorn: nginx asks the app's
   ``/_media_auth/media/<key>`` once, caches the public answer
   (``EVENTSITE_MEDIA_AUTH_CACHE_SECONDS``) and sends the bytes itself.

All three nginx servers are ``server`` blocks of one nginx (same ``http``
settings, same worker processes), so the ratios compare server blocks only.
Clients are separate processes with one keep-alive connection each; every
response is checked (206, 1 MB, right Content-Range). With ``--rounds N`` the
servers are measured N times in turn and the table gives the median rate.

Last, the figure the issue asks for, measured so that other work on the
machine hits both sides alike: each client holds a connection to nginx-static
and one to deploy/nginx.conf and asks both for the same random ranges in turn
(A B B A …) for ``--paired-seconds``; the ratio of mean times per request is the
ratio of the rates each would sustain alone.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from upload import MIB, ROOT, Site, free_port, wait_for

FILE_SIZE = 512 * MIB
RANGE = 1_000_000

NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
daemon off;
{user}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types {{ video/mp4 mp4; audio/mp4 m4a; application/vnd.apple.mpegurl m3u8; video/iso.segment m4s; text/vtt vtt; }}
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{direct_port};
    location /media/ {{ alias {media}/; }}
  }}
  include {dir}/eventsite.conf;
  server {{
    listen 127.0.0.1:{accel_port};
    location /protected/ {{ internal; alias {media}/; }}
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }}
  }}
}}
"""


def deploy_site(folder: Path, port: int, media: Path, app_port: int) -> str:
    """deploy/nginx.conf with its placeholders filled in by deploy/stack.py (local media, one app server, twice)."""
    sys.path.insert(0, str(ROOT / "deploy"))
    from stack import nginx_site

    site = nginx_site(folder, port, [app_port], "local", media)
    included = (folder / "media.conf").read_text()
    left = re.findall(r"@[A-Z0-9_]+@", "\n".join(line.split("#")[0] for line in (site + included).splitlines()))
    assert not left, f"deploy/nginx.conf has placeholders this benchmark does not fill: {left}"
    return site


def add_rendition(site: Site) -> str:
    """The published panel's current recording (ready) with a 512 MiB MP4 rendition of random bytes; its key."""
    from eventsite.events.models import Panel
    from eventsite.extensions import db
    from eventsite.recordings.models import Recording, RecordingStatus, Rendition, RenditionKind

    with site.app.app_context():
        recording = Recording(
            panel=db.session.get(Panel, site.panel_id),
            original_key="",
            original_filename="x",
            status=RecordingStatus.READY,
        )
        db.session.add(recording)
        db.session.commit()
        key = f"recordings/{recording.id}/renditions/mp4/720p.mp4"
        recording.renditions.append(
            Rendition(
                kind=RenditionKind.MP4, label="720p", width=1280, height=720, storage_key=key, size_bytes=FILE_SIZE
            )
        )
        db.session.commit()
    path = site.media / key
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        for _ in range(FILE_SIZE // MIB):
            fh.write(os.urandom(MIB))
    return key


def fetch_range(conn: http.client.HTTPConnection, path: str, start: int) -> float:
    """One checked 1 MB range request; its latency in seconds."""
    started = time.perf_counter()
    conn.request("GET", path, headers={"Range": f"bytes={start}-{start + RANGE - 1}"})
    response = conn.getresponse()
    body = response.read()
    assert response.status == 206 and len(body) == RANGE, (response.status, len(body))
    assert response.headers["Content-Range"] == f"bytes {start}-{start + RANGE - 1}/{FILE_SIZE}"
    return time.perf_counter() - started


def client(args: tuple[int, str, float, int]) -> list[float]:
    """One keep-alive connection asking for random 1 MB ranges until the time is up; returns latencies."""
    port, path, seconds, seed = args
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        latencies.append(fetch_range(conn, path, rng.randrange(FILE_SIZE - RANGE)))
    conn.close()
    return latencies


def paired_client(args: tuple[int, int, str, float, int]) -> tuple[list[float], list[float]]:
    """Keep-alive connections to two servers, the same ranges asked of each in turn (A B B A …)."""
    port_a, port_b, path, seconds, seed = args
    rng = random.Random(seed)
    a, b = http.client.HTTPConnection("127.0.0.1", port_a), http.client.HTTPConnection("127.0.0.1", port_b)
    times_a: list[float] = []
    times_b: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = rng.randrange(FILE_SIZE - RANGE)
        if len(times_a) % 2:
            times_b.append(fetch_range(b, path, start))
            times_a.append(fetch_range(a, path, start))
        else:
            times_a.append(fetch_range(a, path, start))
            times_b.append(fetch_range(b, path, start))
    a.close()
    b.close()
    return times_a, times_b


def measure_paired(
    port_a: int, port_b: int, path: str, seconds: float, clients: int
) -> tuple[list[float], list[float]]:
    """Latencies of two servers asked alternately by the same clients (so both see the same machine load)."""
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(paired_client, [(port_a, port_b, path, seconds, seed) for seed in range(1, clients + 1)])
    return [x for r in results for x in r[0]], [x for r in results for x in r[1]]


def measure(port: int, path: str, seconds: float, clients: int) -> tuple[float, list[float]]:
    """Requests/s and every request's latency (s) with ``clients`` parallel connections."""
    client((port, path, 0.5, 0))  # warm up (for deploy/nginx.conf: the one question to the app)
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(client, [(port, path, seconds, seed) for seed in range(1, clients + 1)])
    latencies = [x for r in results for x in r]
    return len(latencies) / seconds, latencies


def check_deploy_answer(port: int, path: str) -> None:
    """The shipped configuration answered as nginx, with the public Cache-Control the app's answer named."""
    from eventsite.recordings.serving import PUBLIC_CACHE

    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", path, headers={"Range": "bytes=0-99"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 206, response.status
    assert response.headers["Server"].startswith("nginx"), response.headers["Server"]
    assert response.headers["Cache-Control"] == PUBLIC_CACHE, response.headers["Cache-Control"]


def run(seconds: float, clients: int, rounds: int, paired_seconds: float) -> None:
    site = Site("serve")
    key = add_rendition(site)
    (site.media / key).read_bytes()  # into the page cache for every server alike
    direct = site.gunicorn()
    accel_app = site.gunicorn(EVENTSITE_MEDIA_ACCEL="/protected/")
    nginx_dir = site.dir / "nginx"
    nginx_dir.mkdir()
    direct_port, accel_port, deploy_port = free_port(), free_port(), free_port()
    (nginx_dir / "eventsite.conf").write_text(deploy_site(nginx_dir, deploy_port, site.media, direct.port))
    conf = nginx_dir / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=nginx_dir,
            media=site.media,
            direct_port=direct_port,
            accel_port=accel_port,
            app_port=accel_app.port,
            user="user root;" if os.geteuid() == 0 else "",
        )
    )
    nginx = subprocess.Popen(["nginx", "-p", str(nginx_dir), "-c", str(conf)], start_new_session=True)
    path = f"/media/{key}"
    try:
        for port in (direct_port, accel_port, deploy_port):
            wait_for(port)
        check_deploy_answer(deploy_port, path)
        rows = [
            ("nginx, static file (baseline)", direct_port),
            ("eventsite /media under gunicorn (seek + sendfile)", direct.port),
            ("eventsite /media via nginx X-Accel-Redirect", accel_port),
            ("deploy/nginx.conf: auth_request (cached) + nginx sends the file", deploy_port),
        ]
        rates: dict[str, list[float]] = {name: [] for name, _ in rows}
        latencies: dict[str, list[float]] = {name: [] for name, _ in rows}
        load = os.getloadavg()
        for _ in range(rounds):
            for name, port in rows:
                rate, times = measure(port, path, seconds, clients)
                rates[name].append(rate)
                latencies[name] += times
        print(
            f"{FILE_SIZE // MIB} MiB file, 1 MB ranges at random offsets, "
            f"{clients} keep-alive clients, {seconds:g} s per server"
            + (f", {rounds} rounds (median rate)" if rounds > 1 else "")
        )
        print(
            f"machine: {os.cpu_count()} CPUs (clients and servers share them); load average "
            + "/".join(f"{x:.1f}" for x in load)
            + " before, "
            + "/".join(f"{x:.1f}" for x in os.getloadavg())
            + " after\n"
        )
        print("| server | requests/s | ratio to nginx | median | p99 |")
        print("|---|---|---|---|---|")
        baseline = statistics.median(rates[rows[0][0]])
        for name, _ in rows:
            rate = statistics.median(rates[name])
            times = sorted(latencies[name])
            median, p99 = statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000
            print(f"| {name} | {rate:.0f} | {rate / baseline:.2f} | {median:.1f} ms | {p99:.1f} ms |")
        if rounds > 1:
            print("\nper round (requests/s): ")
            for name, _ in rows:
                print(f"- {name}: " + ", ".join(f"{r:.0f}" for r in rates[name]))
        if paired_seconds:
            static, shipped = measure_paired(direct_port, deploy_port, path, paired_seconds, clients)
            mean_static, mean_shipped = sum(static) / len(static) * 1000, sum(shipped) / len(shipped) * 1000
            print(
                f"\npaired, {paired_seconds:g} s: {clients} clients each ask nginx-static and deploy/nginx.conf "
                f"for the same ranges in turn ({len(static):,} requests each); mean time per request "
                f"{mean_static:.2f} ms static, {mean_shipped:.2f} ms deploy/nginx.conf (medians "
                f"{statistics.median(static) * 1000:.2f} / {statistics.median(shipped) * 1000:.2f} ms): "
                f"deploy/nginx.conf serves at **{mean_static / mean_shipped:.2f}×** static"
            )
    finally:
        os.killpg(nginx.pid, signal.SIGQUIT)
        nginx.wait(timeout=30)
        direct.stop()
        accel_app.stop()
    shutil.rmtree(site.dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="measure every server this many times, in turn")
    parser.add_argument(
        "--paired-seconds", type=float, default=20, help="then nginx-static vs deploy/nginx.conf request by request"
    )
    options = parser.parse_args()
    run(options.seconds, options.clients, options.rounds, options.paired_seconds)
