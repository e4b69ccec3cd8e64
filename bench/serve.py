"""Benchmark: 1 MB Range requests at random offsets of a 512 MiB rendition.

    .venv/bin/python bench/serve.py                 # 10 s per server, 4 clients
    .venv/bin/python bench/serve.py --seconds 3     # a quick run

Three servers answer the same file in the same run:

1. eventsite's ``/media/<key>`` under gunicorn (gunicorn.conf.py), seeking + sendfile;
2. nginx (Debian's, started here on a loopback port with its own temporary
   config) serving the file straight from MEDIA_ROOT — the baseline;
3. nginx in front of a second gunicorn started with
   ``EVENTSITE_MEDIA_ACCEL=/protected/``: Flask checks access, nginx sends the
   bytes (X-Accel-Redirect).

Clients are separate processes with one keep-alive connection each; every
response is checked (206, 1 MB, right Content-Range).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import time

from upload import MIB, Site, free_port, wait_for

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


def add_rendition(site: Site) -> str:
    """A public recording with a 512 MiB rendition of random bytes; returns its key."""
    from eventsite.events.models import Panel
    from eventsite.extensions import db
    from eventsite.recordings.models import Recording

    with site.app.app_context():
        recording = Recording(panel=db.session.get(Panel, site.panel_id), original_key="", original_filename="x")
        db.session.add(recording)
        db.session.commit()
        key = f"recordings/{recording.id}/renditions/720.mp4"
    path = site.media / key
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        for _ in range(FILE_SIZE // MIB):
            fh.write(os.urandom(MIB))
    return key


def client(args: tuple[int, str, float, int]) -> list[float]:
    """One keep-alive connection asking for random 1 MB ranges until the time is up; returns latencies."""
    port, path, seconds, seed = args
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    latencies = []
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        start = rng.randrange(FILE_SIZE - RANGE)
        conn.request("GET", path, headers={"Range": f"bytes={start}-{start + RANGE - 1}"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == 206 and len(body) == RANGE, (response.status, len(body))
        assert response.headers["Content-Range"] == f"bytes {start}-{start + RANGE - 1}/{FILE_SIZE}"
        latencies.append(time.perf_counter() - started)
    conn.close()
    return latencies


def measure(port: int, path: str, seconds: float, clients: int) -> tuple[float, float, float]:
    """Requests/s, median and 99th-percentile latency (ms) with ``clients`` parallel connections."""
    client((port, path, 0.5, 0))  # warm up
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(client, [(port, path, seconds, seed) for seed in range(1, clients + 1)])
    latencies = sorted(x for r in results for x in r)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return len(latencies) / seconds, statistics.median(latencies) * 1000, p99 * 1000


def run(seconds: float, clients: int) -> None:
    site = Site("serve")
    key = add_rendition(site)
    (site.media / key).read_bytes()  # into the page cache for every server alike
    direct = site.gunicorn()
    accel_app = site.gunicorn(EVENTSITE_MEDIA_ACCEL="/protected/")
    nginx_dir = site.dir / "nginx"
    nginx_dir.mkdir()
    direct_port, accel_port = free_port(), free_port()
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
    try:
        wait_for(direct_port)
        wait_for(accel_port)
        rows = [
            ("nginx, static file (baseline)", direct_port),
            ("eventsite /media under gunicorn (seek + sendfile)", direct.port),
            ("eventsite /media via nginx X-Accel-Redirect", accel_port),
        ]
        print(
            f"{FILE_SIZE // MIB} MiB file, 1 MB ranges at random offsets, "
            f"{clients} keep-alive clients, {seconds:g} s each"
        )
        print(f"machine: {os.cpu_count()} CPUs (clients and servers share them)\n")
        print("| server | requests/s | ratio to nginx | median | p99 |")
        print("|---|---|---|---|---|")
        baseline = None
        for name, port in rows:
            rate, median, p99 = measure(port, f"/media/{key}", seconds, clients)
            baseline = baseline or rate
            print(f"| {name} | {rate:.0f} | {rate / baseline:.2f} | {median:.1f} ms | {p99:.1f} ms |")
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
    options = parser.parse_args()
    run(options.seconds, options.clients)
