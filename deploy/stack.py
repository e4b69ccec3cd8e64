"""The multi-machine set-up on one machine's loopback: nginx with deploy/nginx.conf,
two gunicorn web nodes and two job workers sharing PostgreSQL, Redis and the media:
one media folder (``--storage local``, as on a shared mount) or an S3 bucket
(``--storage s3``: moto's S3 server; every node then has a media folder of its
own that nothing else reads, and only the web nodes share the partial uploads).

    .venv/bin/python deploy/stack.py --database postgresql://127.0.0.1:5432/postgres \\
        --redis redis://127.0.0.1:6379/14 [--storage s3]   # prints the URL, Ctrl-C stops it

Used by tests/deploy (the CI stage) and bench/load.py. It makes its own
database (``eventsite_stack``, dropped and created again), flushes its Redis
database, and keeps everything else in a temporary folder. Every node gets
the settings a real node would: ``EVENTSITE_PROXY_HOPS=1``, one shared
``EVENTSITE_SECRET_KEY``, the queue and rate-limit counters on Redis.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ORGANISER = ("stack-organiser@example.com", "stack-organiser-password")
DATABASE = "eventsite_stack"

#: What nginx needs around a server block when it runs unprivileged from a folder of its own.
NGINX_MAIN = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
{user}
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {dir}/access.log;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  include {dir}/eventsite.conf;
}}
"""


def nginx_site(folder: Path, port: int, app_ports: list[int], storage: str, media_root: Path) -> str:
    """deploy/nginx.conf with its placeholders filled in, for 127.0.0.1:``port`` in front of ``app_ports``.

    Writes the media snippet for ``storage`` (``local`` or ``s3``) into ``folder`` as the site includes it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    media = (ROOT / "deploy" / f"nginx-media-{storage}.conf").read_text()
    (folder / "media.conf").write_text(media.replace("@MEDIA_ROOT@", str(media_root)))
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in {
        "@LISTEN@": f"127.0.0.1:{port}",
        "@SERVER_NAME@": "localhost",
        "@MEDIA_CONF@": str(folder / "media.conf"),
        "@STATIC_ROOT@": str(ROOT / "static"),
        "@AUTH_CACHE@": str(folder / "auth-cache"),
        "@APP_1@": f"127.0.0.1:{app_ports[0]}",
        "@APP_2@": f"127.0.0.1:{app_ports[-1]}",
    }.items():
        site = site.replace(name, value)
    return site


def start_nginx(folder: Path, port: int, app_ports: list[int], storage: str, media_root: Path) -> subprocess.Popen:
    """nginx with deploy/nginx.conf on 127.0.0.1:``port`` in front of the apps on ``app_ports``.

    Its configuration, logs and caches live in ``folder``; stop it by killing its session.
    """
    (folder / "eventsite.conf").write_text(nginx_site(folder, port, app_ports, storage, media_root))
    main = folder / "nginx.conf"
    # Started as root, nginx's workers would become "nobody", who can't read this private temporary folder.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(NGINX_MAIN.format(dir=folder, user=user))
    return subprocess.Popen(
        ["nginx", "-p", str(folder), "-c", str(main)], stdout=open(folder / "stdout.log", "wb"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def fresh_database(server_url: str) -> str:
    """Drop and create ``eventsite_stack`` on the server of ``server_url``; return its URL."""
    import sqlalchemy as sa

    url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + DATABASE


@dataclass
class Stack:
    database: str
    redis: str
    web_nodes: int = 2
    workers: int = 2
    #: settings for every node besides the multi-machine ones (e.g. shorter caches for tests)
    extra_env: dict[str, str] = field(default_factory=dict)
    #: "local" (one media folder for every node) or "s3" (a bucket on a moto server started here)
    storage: str = "local"
    s3_endpoint: str = ""
    bucket: str = "eventsite-stack"
    dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="eventsite-stack-")))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    url: str = ""
    app_ports: list[int] = field(default_factory=list)

    def media_root(self, node: str) -> Path:
        """The node's media folder: shared with local storage, its own with S3."""
        return self.dir / "media" if self.storage == "local" else self.dir / node / "media"

    def settings(self, node: str) -> dict[str, str]:
        """The EVENTSITE_* settings of one node (without the prefix)."""
        values = {
            "DATABASE_URL": self.database_url,
            "QUEUE_URL": self.redis,
            "RATELIMIT_STORAGE_URI": self.redis,
            "MEDIA_ROOT": str(self.media_root(node)),
            # Partial tus uploads: a folder the web nodes share (an upload's chunks may reach either).
            "UPLOAD_ROOT": str(self.dir / "uploads"),
            "INSTANCE_PATH": str(self.dir / node),
            "SECRET_KEY": self.secret,
            "PROXY_HOPS": "1",
            "BASE_URL": self.url,
            # As on a real node: the site's own name only, never the visitor's Host header.
            "TRUSTED_HOSTS": "127.0.0.1",
        }
        if self.storage == "s3":
            values.update(STORAGE="s3", S3_ENDPOINT_URL=self.s3_endpoint, S3_BUCKET=self.bucket, S3_REGION="us-east-1")
            values.update(S3_ACCESS_KEY_ID="stack", S3_SECRET_ACCESS_KEY=self.s3_secret)
        return values

    def env(self, node: str) -> dict[str, str]:
        return {**os.environ, **{f"EVENTSITE_{k}": v for k, v in self.settings(node).items()}, **self.extra_env}

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT, env=self.env("cli"), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> Stack:
        import redis

        redis.Redis.from_url(self.redis).flushdb()
        self.database_url = fresh_database(self.database)
        self.secret = secrets.token_hex(32)
        nginx_port = free_port()
        self.url = f"http://127.0.0.1:{nginx_port}"
        (self.dir / "media").mkdir(parents=True, exist_ok=True)
        if self.storage == "s3":
            self.start_s3()
        self.flask("db", "upgrade")
        self.flask("create-organiser", ORGANISER[0], "--name", "Stack organiser", "--password", ORGANISER[1])
        self.token = self.flask("create-token", ORGANISER[0]).strip().splitlines()[-1]
        logs = self.dir / "logs"
        logs.mkdir(exist_ok=True)
        for n in range(1, self.web_nodes + 1):
            port = free_port()
            self.app_ports.append(port)
            self.processes[f"web{n}"] = subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--access-logfile", str(logs / f"web{n}.access.log"), "wsgi:app"],
                cwd=ROOT, env=self.env(f"web{n}"), stdout=open(logs / f"web{n}.log", "wb"), stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        for n in range(1, self.workers + 1):
            self.processes[f"worker{n}"] = subprocess.Popen(
                [str(BIN / "flask"), "--app", "wsgi", "worker"],
                cwd=ROOT, env=self.env(f"worker{n}"), stdout=open(logs / f"worker{n}.log", "wb"),
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        for n, port in enumerate(self.app_ports, 1):
            wait_for(f"http://127.0.0.1:{port}/", 60, self.processes[f"web{n}"])
        self.start_nginx(nginx_port)
        wait_for(self.url + "/", 30, self.processes["nginx"])
        return self

    def start_s3(self) -> None:
        """moto's S3 server on a free port, with an empty bucket."""
        import boto3

        port = free_port()
        self.s3_endpoint = f"http://127.0.0.1:{port}"
        self.s3_secret = secrets.token_hex(16)  # moto takes any; a real bucket's key is never in a file here
        (self.dir / "logs").mkdir(exist_ok=True)
        self.processes["s3"] = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=open(self.dir / "logs" / "s3.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(self.s3_endpoint + "/", 60, self.processes["s3"])
        boto3.client(
            "s3", endpoint_url=self.s3_endpoint, region_name="us-east-1",
            aws_access_key_id="stack", aws_secret_access_key=self.s3_secret,
        ).create_bucket(Bucket=self.bucket)  # fmt: skip

    def start_nginx(self, port: int) -> None:
        media_root = self.dir / "media"  # local storage's shared folder (unused with S3)
        self.processes["nginx"] = start_nginx(self.dir / "nginx", port, self.app_ports, self.storage, media_root)

    def log(self, node: str) -> str:
        path = self.dir / "logs" / f"{node}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self, node: str) -> str:
        path = self.dir / "logs" / f"{node}.access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGQUIT if process.args[0] == "nginx" else signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://127.0.0.1:5432/postgres", help="a PostgreSQL server")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--storage", choices=("local", "s3"), default="local", help="where media lives")
    args = parser.parse_args()
    stack = Stack(args.database, args.redis, storage=args.storage).start()
    print(f"eventsite stack at {stack.url}/  (organiser {ORGANISER[0]} / {ORGANISER[1]}); Ctrl-C stops it")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
