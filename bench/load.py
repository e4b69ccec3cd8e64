"""Load test of the multi-machine set-up: locust (headless) against nginx in front of two web nodes.

    .venv/bin/python bench/load.py --viewers 200 --commenters 20 --seconds 60
    .venv/bin/python bench/load.py --viewers 20 --commenters 4 --seconds 15    # a quick run

1. ``deploy/stack.py`` brings up nginx (``deploy/nginx.conf``), two gunicorn
   web nodes, two job workers on Redis and a database of its own on the
   PostgreSQL server (``eventsite_load``, so the CI stage's ``eventsite_stack``
   is left alone), with the settings as shipped except one:
   ``EVENTSITE_COMMENT_RATE_LIMIT`` is raised. Every simulated visitor comes
   from 127.0.0.1 and nginx (rightly) replaces any ``X-Forwarded-For`` with
   that address, so at the default 5 a minute the 20 commenters would share
   one allowance and the run would measure the limit, not the site.
2. A published panel, and a real recording: a 24 s ffmpeg clip (testsrc2 at 720p +
   a sine tone) uploaded by tus through nginx, transcoded by whichever worker
   takes the job.
3. locust, headless, in a subprocess with ``bench/locustfile.py`` against the
   nginx URL only: viewers open the panel page, the HLS master, every playlist
   it names and the first segments of the starting variant (a tenth of them
   play the MP4 with ``Range`` requests instead, as a ``<video>`` without
   hls.js does), then "watch" a few seconds and open it again; commenters
   fetch the page, read the form (CSRF and the signed ``started`` token), wait
   3.5–5 s as a person would, and post it.
4. Afterwards it counts the comment rows in the database and compares them
   with the comments the site answered with success (303 to ``#comment-<id>``),
   comment by comment (each body carries a unique marker).

``--ignore-vary`` is an experiment, not what ``deploy/`` ships: it adds
``proxy_ignore_headers Vary;`` to the media-answer cache of the rendered nginx
configuration (see :func:`ignore_vary`), so the run shows what the app's
``Vary: Cookie`` costs; the output counts the ``/_media_auth`` questions either way.

Every run is bounded: ``--seconds`` of load (plus at most ``--stop-timeout`` for
the tasks under way), at most ``--max-tasks`` tasks per simulated user, and a
hard timeout on the locust process. Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy"))

import stack as stack_module  # noqa: E402
from procstat import CORES, descendants, machine_busy_seconds  # noqa: E402

#: The load run's own database, so it never drops the one the CI stage is using.
stack_module.DATABASE = "eventsite_load"
EVENT, PANEL = "load", "under-load"
#: High enough never to refuse a simulated commenter (all of them share 127.0.0.1).
COMMENT_RATE_LIMIT = "100000 per minute"
#: Request kinds in the order the table lists them (names used in bench/locustfile.py).
KINDS = [
    "panel page",
    "master playlist",
    "variant playlist",
    "init segment",
    "segment",
    "mp4 range",
    "static asset",
    "poster",
    "comment: page",
    "comment: post",
]

MEDIA_KINDS = ["master playlist", "variant playlist", "init segment", "segment", "mp4 range", "poster"]


def make_clip(path: Path, seconds: float) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
        check=True, timeout=300,
    )  # fmt: skip


def ignore_vary(stack: stack_module.Stack) -> None:
    """An experiment, not what ships: let nginx's media-answer cache ignore the app's ``Vary: Cookie``.

    Flask adds ``Vary: Cookie`` to every response whose session was looked at,
    and Flask-Login's after-request hook looks at it on every request, so the
    public ``/_media_auth`` answer varies by cookie and nginx keeps one entry
    per visitor holding a session cookie (every visitor who opened a panel
    page: its comment form puts a CSRF token in the session). Only answers the
    app marks public are stored at all, so ignoring Vary there is safe.
    """
    conf = stack.dir / "nginx" / "eventsite.conf"
    site = conf.read_text()
    anchor = "proxy_cache eventsite_media_auth;"
    assert anchor in site, "deploy/nginx.conf has no media-answer cache to change"
    conf.write_text(site.replace(anchor, anchor + "\n        proxy_ignore_headers Vary;"))
    test = subprocess.run(
        ["nginx", "-t", "-p", str(stack.dir / "nginx"), "-c", str(stack.dir / "nginx" / "nginx.conf")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    if test.returncode:
        raise RuntimeError(test.stderr)
    os.kill(stack.processes["nginx"].pid, signal.SIGHUP)  # reload the configuration
    time.sleep(1)


def published_panel(stack: stack_module.Stack, clip_seconds: float, transcode_timeout: float) -> str:
    """A published panel whose recording went up by tus through nginx and was transcoded; returns its path."""
    from tusclient import client as tus

    from eventsite import create_app
    from eventsite.events.models import Event, Panel, PanelStatus
    from eventsite.extensions import db

    app = create_app({
        "DATABASE_URL": stack.database_url,
        "MEDIA_ROOT": str(stack.dir / "media"),
        "QUEUE_URL": stack.redis,
        "SECRET_KEY": stack.secret,
    })  # fmt: skip
    with app.app_context():
        panel = Panel(
            event=Event(slug=EVENT, name="Load Week"),
            slug=PANEL,
            title="Under load",
            status=PanelStatus.PUBLISHED,
            publish_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
        db.session.add(panel)
        db.session.commit()
        panel_id = panel.id
        db.engine.dispose()
    with tempfile.TemporaryDirectory(prefix="eventsite-load-clip-") as folder:
        clip = Path(folder) / "panel.mp4"
        make_clip(clip, clip_seconds)
        client = tus.TusClient(f"{stack.url}/uploads/", headers={"Authorization": f"Bearer {stack.token}"})
        metadata = {"filename": "panel.mp4", "panel": str(panel_id)}
        client.uploader(str(clip), chunk_size=1024 * 1024, metadata=metadata).upload()
    path = f"/events/{EVENT}/{PANEL}/"
    deadline = time.monotonic() + transcode_timeout
    while time.monotonic() < deadline:
        if "master.m3u8" in requests.get(stack.url + path, timeout=10).text:
            return path
        time.sleep(1)
    raise RuntimeError("the upload was not transcoded in time:\n" + stack.log("worker1") + stack.log("worker2"))


def stored_comments(stack: stack_module.Stack, marker: str) -> tuple[list[str], dict[str, int]]:
    """Bodies of the stored comments carrying ``marker``, and how many there are per status."""
    import sqlalchemy as sa

    engine = sa.create_engine(stack.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT body_source, status FROM comment WHERE body_source LIKE :m"), {"m": f"%{marker}%"}
        ).all()
    engine.dispose()
    statuses: dict[str, int] = {}
    for _, status in rows:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return [body for body, _ in rows], statuses


def cpu_seconds(pids: set[int]) -> float:
    """utime + stime of the live processes ``pids``."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def stack_pids(stack: stack_module.Stack) -> dict[str, set[int]]:
    """The processes of each part of the stack: nginx, web nodes (gunicorn) and job workers."""
    parts: dict[str, set[int]] = {"nginx": set(), "gunicorn": set(), "workers": set()}
    for name, process in stack.processes.items():
        part = "nginx" if name == "nginx" else "gunicorn" if name.startswith("web") else "workers"
        parts[part] |= {process.pid} | descendants(process.pid)
    return parts


def nginx_log_size(stack: stack_module.Stack) -> int:
    log = stack.dir / "nginx" / "access.log"
    return log.stat().st_size if log.exists() else 0


def app_log_sizes(stack: stack_module.Stack) -> dict[str, int]:
    return {node: len(stack.access_log(node)) for node in ("web1", "web2")}


def app_requests(stack: stack_module.Stack, offsets: dict[str, int]) -> Counter[str]:
    """Requests the web nodes answered after ``offsets`` of their access logs, by kind."""
    kinds: Counter[str] = Counter()
    for node, offset in offsets.items():
        for line in stack.access_log(node)[offset:].splitlines():
            request = re.search(r'"([A-Z]+) (\S+)', line)
            if request is None:
                continue
            method, target = request.groups()
            kind = (
                "media auth"
                if target.startswith("/_media_auth/")
                else "media"
                if target.startswith("/media/")
                else method
            )
            kinds[kind] += 1
    return kinds


def nginx_statuses(stack: stack_module.Stack, offset: int) -> Counter[str]:
    """How many of each HTTP status nginx answered after ``offset`` of its access log ("combined" format)."""
    with (stack.dir / "nginx" / "access.log").open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode(errors="replace")
    return Counter(re.findall(r'" (\d{3}) ', text))


def read_stats(prefix: Path) -> dict[str, dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def read_failures(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def run(options: argparse.Namespace) -> int:
    load_before = os.getloadavg()
    stack = stack_module.Stack(
        options.database, options.redis, extra_env={"EVENTSITE_COMMENT_RATE_LIMIT": COMMENT_RATE_LIMIT}
    )
    work = Path(tempfile.mkdtemp(prefix="eventsite-load-"))
    try:
        started = time.monotonic()
        stack.start()
        if options.ignore_vary:
            ignore_vary(stack)
        path = published_panel(stack, options.clip_seconds, options.transcode_timeout)
        print(f"stack up and recording transcoded in {time.monotonic() - started:.0f} s: {stack.url}{path}")
        marker = f"load{int(time.time())}"
        sent_file = work / "sent.txt"
        max_tasks = options.max_tasks or math.ceil(options.seconds)  # at most one task a second per user
        env = os.environ | {
            "LOAD_PANEL_PATH": path,
            "LOAD_VIEWERS": str(options.viewers),
            "LOAD_COMMENTERS": str(options.commenters),
            "LOAD_MAX_TASKS": str(max_tasks),
            "LOAD_MARKER": marker,
            "LOAD_SENT_FILE": str(sent_file),
        }
        users = options.viewers + options.commenters
        prefix = work / "locust"
        command = [
            str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
            "--host", stack.url, "--users", str(users), "--spawn-rate", str(options.spawn_rate),
            "--run-time", f"{options.seconds:g}s", "--stop-timeout", f"{options.stop_timeout:g}",
            "--csv", str(prefix), "--exit-code-on-error", "0", "--loglevel", "WARNING",
        ]  # fmt: skip
        parts = stack_pids(stack)
        log_offset = nginx_log_size(stack)
        app_offsets = app_log_sizes(stack)
        cpu_before = {part: cpu_seconds(pids) for part, pids in parts.items()}
        busy_before, wall_before = machine_busy_seconds(), time.monotonic()
        load_start = os.getloadavg()
        usage_before = os.times()
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=options.seconds + options.stop_timeout + 120,
        )
        usage_after = os.times()
        wall = time.monotonic() - wall_before
        busy = machine_busy_seconds() - busy_before
        load_end = os.getloadavg()
        cpu = {part: cpu_seconds(pids) - cpu_before[part] for part, pids in parts.items()}
        cpu["locust"] = (usage_after.children_user + usage_after.children_system) - (
            usage_before.children_user + usage_before.children_system
        )
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
            raise RuntimeError(f"locust exited with {done.returncode}")
        locust_log = done.stderr
        stats = read_stats(prefix)
        failures = read_failures(prefix)
        sent = sent_file.read_text().split() if sent_file.exists() else []
        bodies, statuses = stored_comments(stack, marker)
        stored = {m for body in bodies for m in re.findall(rf"\b{marker}-[0-9a-f]+\b", body)}
        statuses_seen = nginx_statuses(stack, log_offset)
        time.sleep(1)  # gunicorn writes its access log after the response
        reached_app = app_requests(stack, app_offsets)
    finally:
        stack.stop()
        for child in work.glob("*"):
            child.unlink()
        work.rmdir()

    report(options, stats, failures, sent, stored, statuses, cpu, wall, busy, load_before, load_start, load_end)
    print("nginx answers by status: " + ", ".join(f"{code} × {n:,}" for code, n in sorted(statuses_seen.items())))
    media = sum(int(stats[k]["Request Count"]) for k in MEDIA_KINDS if k in stats)
    print(
        f"requests that reached the web nodes: {sum(reached_app.values()):,} ("
        + ", ".join(f"{kind} {n:,}" for kind, n in sorted(reached_app.items()))
        + f"), for {media:,} media requests"
    )
    for line in dict.fromkeys(line for line in locust_log.splitlines() if "CPU usage" in line):
        print("locust: " + line.split("] ", 1)[-1])
    missing = set(sent) - stored
    return 1 if missing else 0


def report(options, stats, failures, sent, stored, statuses, cpu, wall, busy, load_before, load_start, load_end):
    total = stats["Aggregated"]
    print(
        f"\n{options.viewers} viewers + {options.commenters} commenters, {options.seconds:g} s "
        f"(spawn rate {options.spawn_rate}/s), locust headless against nginx on 127.0.0.1\n"
    )
    print("| request | requests | requests/s | failures | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in [*KINDS, "Aggregated"]:
        row = stats.get(kind)
        if row is None:
            continue
        label = "**all**" if kind == "Aggregated" else kind
        print(
            f"| {label} | {int(row['Request Count']):,} | {float(row['Requests/s']):.1f} | {row['Failure Count']} "
            f"| {row['50%']} ms | {row['95%']} ms | {row['99%']} ms | {float(row['Max Response Time']):.0f} ms |"
        )
    print(f"\nrequests: {int(total['Request Count']):,}, failures: {total['Failure Count']}")
    for failure in failures:
        print(f"- {failure['Method']} {failure['Name']}: {failure['Error']} × {failure['Occurrences']}")
    sent_set = set(sent)
    print(
        f"\ncomments answered with success: {len(sent)} ({len(sent_set)} distinct); stored: {len(stored)} "
        f"({', '.join(f'{n} {s}' for s, n in sorted(statuses.items())) or 'none'}); "
        f"answered but not stored: {len(sent_set - stored)}; stored without a success answer: {len(stored - sent_set)}"
    )
    print(
        f"\nCPU over the {wall:.0f} s run ({CORES} cores = {CORES * wall:.0f} CPU-s): machine busy {busy:.0f} CPU-s; "
        + ", ".join(f"{part} {seconds:.0f}" for part, seconds in cpu.items())
        + f"; everything else (PostgreSQL, Redis, other work) {busy - sum(cpu.values()):.0f}"
    )
    print(
        "load average (1/5/15 min): before the stack "
        + "/".join(f"{x:.1f}" for x in load_before)
        + ", at the start of the load "
        + "/".join(f"{x:.1f}" for x in load_start)
        + ", at its end "
        + "/".join(f"{x:.1f}" for x in load_end)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--commenters", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="seconds of load (after which users stop)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument("--max-tasks", type=int, default=0, help="tasks per user at most (default: one a second)")
    parser.add_argument("--stop-timeout", type=float, default=15, help="seconds a running task may take to finish")
    parser.add_argument("--clip-seconds", type=float, default=24)
    parser.add_argument("--transcode-timeout", type=float, default=600)
    parser.add_argument(
        "--ignore-vary",
        action="store_true",
        help="experiment: add `proxy_ignore_headers Vary;` to the media-answer cache (not what deploy/ ships)",
    )
    parser.add_argument("--database", default="postgresql://127.0.0.1:5432/postgres", help="a PostgreSQL server")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
