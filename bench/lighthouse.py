"""Lighthouse (mobile) on the home, panel and embed pages: the median of three runs of each.

    .venv/bin/python bench/lighthouse.py               # 3 runs of each page, pages interleaved
    .venv/bin/python bench/lighthouse.py --runs 5
    .venv/bin/python bench/lighthouse.py --keep        # reuse bench/work/lighthouse (no new transcode)

The site is the demo's (scripts/run.sh): the Social Media Week event, the panel "What is
social influence?" with its six panelists, chapters, captions (the demo's spoken script) and
comment thread, and the free-guide offer, but with an 84 s 720p test-pattern recording
transcoded by the real job layer (ladder 720/480/360) in place of the flock, whose render
takes minutes; the seats' consent is "video" so the page plays it. It is served on loopback
by threaded Werkzeug, as the browser tests do (compression on, as the app sends it).

Lighthouse 12 from npm (package.json, `npm ci`) drives Debian's Chromium (/usr/bin/chromium,
headless) with its default mobile settings: a Moto G Power's screen, simulated slow 4G and a
4x slower CPU. Its CPU figure is scaled from this machine's, so a busy machine lowers the
performance score: say in RESULTS.md whether it was shared. Each run's JSON report is kept in
bench/work/lighthouse/reports/ for the audits behind a score.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite import create_app, jobs  # noqa: E402
from eventsite.config import TestingConfig  # noqa: E402
from eventsite.demo import demo_panel, seed_demo, seed_demo_thread  # noqa: E402
from eventsite.demo_recording import make_demo_recording  # noqa: E402
from eventsite.events.models import Consent, View  # noqa: E402
from eventsite.extensions import db  # noqa: E402
from eventsite.recordings.captions import save_caption  # noqa: E402
from eventsite.recordings.chapters import add_chapter  # noqa: E402
from eventsite.recordings.operations import store_original  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("EVENTSITE_CHROMIUM", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": "FCP s",
    "largest-contentful-paint": "LCP s",
    "total-blocking-time": "TBT ms",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI s",
}


def settings(work: Path) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{work / 'site.db'}",
        "MEDIA_ROOT": str(work / "media"),
        "TRANSCODE_LADDER": (720, 480, 360),
        "CARTOON_HEIGHT": 360,
        "AUTO_CAPTIONS_ENABLED": False,
    }


def build_site(work: Path) -> None:
    """The demo's event, panel, people, thread and offer, with a transcoded 84 s 720p recording."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    app = create_app(settings(work), config_class=TestingConfig)
    with app.app_context():
        db.create_all()
        seed_demo()
        panel = demo_panel()
        panel.default_view = View.VIDEO
        for seat in panel.seats:
            seat.consent = Consent.VIDEO
        seats = list(panel.seats)
        with tempfile.TemporaryDirectory() as tmp:
            speech, vtt, chapters = make_demo_recording([seat.panelist.name for seat in seats], Path(tmp))
            clip = work / "talk.mp4"
            subprocess.run(
                ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(speech),
                 "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-map", "1:v", "-map", "0:a", "-shortest",
                 "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "copy", str(clip)],
                check=True,
            )  # fmt: skip
        recording = store_original(clip, panel, "talk.mp4")
        save_caption(recording, "en", "English", vtt)
        for start, title, seat in chapters:
            add_chapter(recording, start, title, seats[seat].panelist_id)
        db.session.commit()
        jobs.run_recording_job.call_local(recording.jobs[0].id)
        seed_demo_thread(panel)
        db.session.commit()


def pages(base: str, app) -> dict[str, str]:
    with app.app_context():
        panel = demo_panel()
        slug, event = panel.slug, panel.event.slug
    return {
        "home": f"{base}/",
        "panel": f"{base}/events/{event}/{slug}/",
        "embed": f"{base}/embed/{event}/{slug}/",
    }


def lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run (mobile defaults); its report as a dict."""
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}", f"--chrome-flags={flags}",
         f"--only-categories={','.join(CATEGORIES)}"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    return json.loads(out.read_text())


def summary(report: dict) -> dict:
    row = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    for audit, name in METRICS.items():
        value = report["audits"][audit]["numericValue"]
        row[name] = value if name in ("TBT ms", "CLS") else value / 1000
    return row


def failing(report: dict) -> list[str]:
    """The audits that cost points in accessibility, and the performance opportunities."""
    lines = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            lines.append(f"a11y: {ref['id']}: {audit['title']}")
    for audit in report["audits"].values():
        details = audit.get("details") or {}
        if details.get("type") == "opportunity" and (audit.get("score") or 1) < 0.9:
            lines.append(f"perf: {audit['id']}: {audit.get('displayValue', '')}")
    lcp = report["audits"].get("largest-contentful-paint-element", {}).get("details", {})
    for item in lcp.get("items", [])[:1]:
        for sub in item.get("items", [])[:1]:
            node = sub.get("node", {})
            if node:
                lines.append(f"LCP element: {node.get('snippet', '')[:120]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the site built by an earlier run")
    args = parser.parse_args()
    work = ROOT / "bench" / "work" / "lighthouse"
    if not (args.keep and (work / "site.db").exists()):
        build_site(work)
    app = create_app(settings(work), config_class=TestingConfig)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    reports = work / "reports"
    reports.mkdir(exist_ok=True)
    rows: dict[str, list[dict]] = {}
    notes: dict[str, set[str]] = {}
    for run in range(args.runs):
        for name, url in pages(base, app).items():
            report = lighthouse(url, reports / f"{name}-{run + 1}.json")
            rows.setdefault(name, []).append(summary(report))
            notes.setdefault(name, set()).update(failing(report))
    server.shutdown()
    columns = [*CATEGORIES, *METRICS.values()]
    print(f"Lighthouse {subprocess.run([str(LIGHTHOUSE), '--version'], capture_output=True, text=True).stdout.strip()}"
          f", mobile, median of {args.runs}\n")  # fmt: skip
    print("| page | " + " | ".join(columns) + " |")
    print("|" + "---|" * (len(columns) + 1))
    for name, runs in rows.items():
        cells = []
        for column in columns:
            values = [r[column] for r in runs]
            median = statistics.median(values)
            if column in CATEGORIES:
                spread = f" ({min(values):g}–{max(values):g})" if min(values) != max(values) else ""
                cells.append(f"{median:g}{spread}")
            else:
                cells.append(f"{median:.3g}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    for name, lines in notes.items():
        for line in sorted(lines):
            print(f"{name}: {line}")


if __name__ == "__main__":
    main()
