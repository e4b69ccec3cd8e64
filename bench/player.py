"""Player benchmark: first-frame time and page weight of the panel page, against a bare <video>.

    .venv/bin/python bench/player.py [--runs 5] [--seconds 10]

One run makes a 720p clip, transcodes it through the real job layer (ladder
720/480/360 + cartoon), serves the app on loopback (threaded Werkzeug) and
loads three pages in Debian's Chromium, each in a fresh browser context (cold
cache), ``--runs`` times:

- the panel page on the HLS path (hls.js + Plyr, as Chromium gets it);
- the panel page on the MP4 path (MediaSource hidden, so the player falls back
  to the MP4 <source>s, as a browser without MSE would);
- a bare page with only ``<video src=720p.mp4 poster=…>``, the baseline.

"First frame" is milliseconds from navigation start until the video element
presents its first frame (requestVideoFrameCallback), with play() called by an
init script the moment each page can play: DOMContentLoaded for the bare page,
the player's ready signal for the panel page. "Bytes" are the bodies of the
document, stylesheets, scripts and the player's icon sprite (media excluded),
uncompressed as Werkzeug serves them and gzipped as nginx would.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite import create_app, jobs  # noqa: E402
from eventsite.config import TestingConfig  # noqa: E402
from eventsite.events.models import Event, Panel, PanelStatus  # noqa: E402
from eventsite.extensions import db  # noqa: E402
from eventsite.recordings.models import RenditionKind  # noqa: E402
from eventsite.recordings.operations import store_original  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
#: Runs before any page script; starts playback as soon as the page says it can play.
INIT_SCRIPT = """
(() => {
  const mode = new URLSearchParams(location.search).get("bench");
  if (mode === "mp4") { window.MediaSource = undefined; window.ManagedMediaSource = undefined; }
  window.__bench = {};
  const arm = (video) => {
    video.muted = true;
    video.requestVideoFrameCallback(() => { window.__bench.firstFrame = performance.now(); });
    video.play().catch((e) => { window.__bench.error = String(e); });
  };
  document.addEventListener("DOMContentLoaded", () => {
    if (mode === "bare") { arm(document.querySelector("video")); return; }
    const timer = setInterval(() => {
      const player = window.eventsitePlayer;
      if (player && player.plyr) { clearInterval(timer); arm(player.video); }
    }, 2);
  });
})();
"""
COUNTED_TYPES = {"document", "stylesheet", "script"}


def make_clip(path: Path, seconds: int) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         str(path)],
        check=True,
    )  # fmt: skip


def build_site(work: Path, seconds: int):
    """An app with one published panel whose recording went through the real transcode job."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "MEDIA_ROOT": str(work / "media"),
            "TRANSCODE_LADDER": (720, 480, 360),
            "CARTOON_HEIGHT": 360,
        },
        config_class=TestingConfig,
    )
    with app.app_context():
        db.create_all()
        event = Event(slug="bench", name="Bench")
        panel = Panel(
            event=event, slug="panel", title="Bench panel", status=PanelStatus.PUBLISHED,
            publish_at=datetime(2020, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        db.session.add(panel)
        db.session.commit()
        clip = work / "clip.mp4"
        make_clip(clip, seconds)
        recording = store_original(clip, panel, "clip.mp4")
        jobs.run_transcode_job.call_local(recording.jobs[0].id)
        db.session.expire_all()
        top = next(r for r in recording.renditions if r.kind is RenditionKind.MP4 and r.height == 720)
        poster = next(r for r in recording.renditions if r.kind is RenditionKind.POSTER)
        bare = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>bare</title></head><body>"
            f'<video controls preload=none width=1280 height=720 poster="/media/{poster.storage_key}">'
            f'<source src="/media/{top.storage_key}" type="video/mp4"></video></body></html>'
        )
    app.add_url_rule("/bench/bare", "bench_bare", lambda: bare)
    return app


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def measure(browser, url: str) -> tuple[float, int, int, dict[str, int]]:
    """(first-frame ms, bytes, gzipped bytes, bytes by type) for one cold load of ``url``."""
    context = browser.new_context()
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    bodies: list[tuple[str, bytes]] = []

    def on_response(response):
        kind = response.request.resource_type
        if kind in COUNTED_TYPES or response.url.endswith(".svg") and "vendor" in response.url:
            try:
                bodies.append((kind if kind in COUNTED_TYPES else "stylesheet", response.body()))
            except Exception:  # noqa: BLE001  (a body gone with a redirect is simply not counted)
                pass

    page.on("response", on_response)
    page.goto(url)
    for _ in range(400):
        state = page.evaluate("window.__bench")
        if state.get("firstFrame") or state.get("error"):
            break
        page.wait_for_timeout(25)
    if state.get("error") or not state.get("firstFrame"):
        raise RuntimeError(f"{url}: no frame ({state})")
    page.wait_for_load_state("networkidle")
    context.close()
    by_type = {kind: sum(len(b) for k, b in bodies if k == kind) for kind in ("document", "stylesheet", "script")}
    return state["firstFrame"], sum(len(b) for _, b in bodies), sum(len(gzip.compress(b)) for _, b in bodies), by_type


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10, help="length of the 720p test clip")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    (ROOT / "bench" / "work").mkdir(exist_ok=True)  # ignored by git: a fresh clone has none
    work = Path(tempfile.mkdtemp(prefix="player-bench-", dir=ROOT / "bench" / "work"))
    try:
        app = build_site(work, args.seconds)
        server, base = serve(app)
        pages = {
            "panel page, HLS (hls.js + Plyr)": f"{base}/events/bench/panel/?bench=hls",
            "panel page, MP4 fallback (Plyr)": f"{base}/events/bench/panel/?bench=mp4",
            "bare <video> page": f"{base}/bench/bare?bench=bare",
        }
        results: dict[str, list[tuple[float, int, int, dict[str, int]]]] = {name: [] for name in pages}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
            )
            measure(browser, pages["bare <video> page"])  # warm the server and the OS cache once
            for _ in range(args.runs):
                for name, url in pages.items():  # interleaved, so drift hits every page alike
                    results[name].append(measure(browser, url))
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    bare = results["bare <video> page"]
    bare_ms = statistics.median(r[0] for r in bare)
    bare_bytes, bare_gz = bare[0][1], bare[0][2]
    print(
        f"| page | first frame, median of {args.runs} (min–max) | × bare | HTML / CSS+SVG / JS "
        "| total (gzip) | × bare (gzip) |"
    )
    print("|---|---|---|---|---|---|")
    for name, rows in results.items():
        ms = [r[0] for r in rows]
        med, size, gz, by_type = statistics.median(ms), rows[0][1], rows[0][2], rows[0][3]
        split = " / ".join(f"{by_type[k] / 1000:.1f}" for k in ("document", "stylesheet", "script"))
        print(
            f"| {name} | {med:.0f} ms ({min(ms):.0f}–{max(ms):.0f}) | {med / bare_ms:.2f} | {split} kB "
            f"| {size / 1000:.1f} kB ({gz / 1000:.1f} kB) | {size / bare_bytes:.0f} ({gz / bare_gz:.0f}) |"
        )


if __name__ == "__main__":
    main()
