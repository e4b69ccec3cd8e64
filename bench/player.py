"""Player benchmark: first-frame time and page weight of the panel page, against a bare <video>.

    .venv/bin/python bench/player.py [--runs 5] [--seconds 10] [--when ready,once,click] [--nginx] [--baseline REV]
                                     [--floor-parts]

One run makes a 720p clip, transcodes it through the real job layer (ladder
720/480/360 + cartoon), serves the app on loopback (threaded Werkzeug, the same
server for every page; with ``--nginx``, behind nginx with deploy/nginx.conf as
deployed: static files and published media sent by nginx, pages by the app) and
loads four pages in Debian's Chromium, each in a fresh browser context (cold
cache), ``--runs`` times, pages interleaved:

- the panel page on the HLS path (hls.js + Plyr, as Chromium gets it);
- the panel page on the MP4 path (MediaSource hidden, so the player falls back
  to the MP4 <source>s, as a browser without MSE would);
- the panel page without its player (player.js answered empty: no Plyr, no
  hls.js), play() at DOMContentLoaded as on the bare page: what the page itself
  costs, the floor any player adds to;
- a bare page with only ``<video src=720p.mp4 poster=…>``, the baseline (the
  same 720p file the panel page's first <source> names, and the height hls.js
  starts on).

"First frame" is milliseconds from navigation start until the video element
presents its first frame (``requestVideoFrameCallback``), muted, with
``play()`` called at one of three moments (``--when``, each a table):

- ready: when the page's player says it is ready (``window.eventsitePlayer``
  set), DOMContentLoaded for the bare page: the figure of earlier sessions;
- once: at DOMContentLoaded on every page, the earliest a visitor could press
  play on the page's own <video>; "kept" counts loads whose playback ran on
  through the player's upgrade (no jump back to 0:00, no 'emptied', no
  play() cut short by a reload);
- click: on a page that has settled (player ready, network idle): from
  ``play()`` to the first frame, what a visitor feels on pressing play.

``--baseline REV`` adds the two panel pages once more with static/js/player.js as it was at
git revision REV, interleaved with the rest: a before/after in one run. With it, every panel
page's player.js is served from memory by the browser's request routing (the same for both).

``--floor-parts`` splits the page's own floor: two more rows with the panel page as a copy
rendered once and served as a string (what the per-request render costs), and that copy without
its two stylesheets (what the render-blocking CSS costs), both without player.js like the floor.

The bare page gets play() at DOMContentLoaded in the "ready" and "once" tables alike, so its loads
from both are pooled into one baseline for the two: a single table's median of 9 moved by ±25 %
between tables of one run.

"Played through hls.js" counts the loads whose video ended up fed by hls.js (a blob: source)
rather than by a file the <video> fetched itself: a press of play before hls.js arrives plays
the page's MP4, and hls.js then leaves that video alone.

Then where the time goes in the "ready" and "once" loads (medians, ms from
navigation start; long tasks are main-thread tasks over 50 ms before the first
frame). "Bytes" are the bodies of the document, stylesheets, scripts and the
player's icon sprite (media excluded), uncompressed as Werkzeug serves them and
gzipped as nginx would.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import re
import shutil
import signal
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
#: Runs before any page script: records the page's phases and calls play() at the chosen moment.
INIT_SCRIPT = """
(() => {
  const params = new URLSearchParams(location.search);
  const mode = params.get("bench");
  const when = params.get("when");
  if (mode === "mp4") { window.MediaSource = undefined; window.ManagedMediaSource = undefined; }
  const b = window.__bench = { events: {}, longtasks: 0, restarts: 0 };
  const now = () => performance.now();
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!b.firstFrame) b.longtasks += entry.duration;
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { /* no long-task timing: the column stays 0 */ }
  for (const type of ["loadstart", "loadeddata", "playing", "emptied"]) {
    document.addEventListener(type, (event) => {
      if (event.target.tagName !== "VIDEO") return;
      if (!(type in b.events)) b.events[type] = now();
      if (type === "emptied" && b.firstFrame) b.restarts += 1;
    }, true);
  }
  let furthest = 0;
  document.addEventListener("timeupdate", (event) => {
    const t = event.target.currentTime;
    if (b.firstFrame && t + 0.25 < furthest) b.restarts += 1;
    furthest = Math.max(furthest, t);
  }, true);
  const arm = (video) => {
    if (b.played) return;
    b.played = now();
    video.muted = true;
    video.requestVideoFrameCallback(() => { b.firstFrame = now(); });
    video.play().catch((e) => { b.error = String(e); });
  };
  window.__arm = () => arm(document.querySelector("video"));
  // The player announces itself by assigning window.eventsitePlayer: note the moment.
  let player;
  Object.defineProperty(window, "eventsitePlayer", {
    configurable: true,
    get: () => player,
    set: (value) => {
      player = value;
      b.ready = b.ready || now();
      if (when === "ready") arm(value.video);
    },
  });
  document.addEventListener("DOMContentLoaded", () => {
    b.dcl = now();
    // Pages without a player (bare, floor) are "ready" when parsed.
    if (when === "once" || (mode !== "hls" && mode !== "mp4" && when === "ready")) window.__arm();
  });
})();
"""
#: What the page's resource timings are read for: the end of its scripts.
PHASES_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const scripts = performance.getEntriesByType("resource").filter((e) => e.initiatorType === "script");
  return {
    document: nav.responseEnd,
    scripts: scripts.length ? Math.max(...scripts.map((e) => e.responseEnd)) : null,
  };
}"""
COUNTED_TYPES = {"document", "stylesheet", "script"}
WHENS = ("ready", "once", "click")


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
        jobs.run_recording_job.call_local(recording.jobs[0].id)
        db.session.expire_all()
        top = next(r for r in recording.renditions if r.kind is RenditionKind.MP4 and r.height == 720)
        poster = next(r for r in recording.renditions if r.kind is RenditionKind.POSTER)
        bare = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>bare</title></head><body>"
            f'<video controls preload=none width=1280 height=720 poster="/media/{poster.storage_key}">'
            f'<source src="/media/{top.storage_key}" type="video/mp4"></video></body></html>'
        )
    app.add_url_rule("/bench/bare", "bench_bare", lambda: bare)
    # The panel page rendered once (filled in below, after the rules: Flask takes no new rule
    # once it has answered a request), served as a string: the floor without the per-request render.
    copies: dict[str, str] = {}
    app.add_url_rule("/bench/copy/<name>", "bench_copy", lambda name: copies[name])
    page = app.test_client().get("/events/bench/panel/").get_data(as_text=True)
    copies["page"] = page
    copies["no-css"] = re.sub(r'<link rel="stylesheet"[^>]*>', "", page)
    return app


def serve(app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would bury the tables
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def wait_for(page, expression: str, tries: int = 400) -> bool:
    """Poll ``expression`` for up to 10 s; whether it came true."""
    for _ in range(tries):
        if page.evaluate(expression):
            return True
        page.wait_for_timeout(25)
    return False


def measure(browser, url: str, when: str, scripts: dict[str, bytes] | None = None) -> dict:
    """Phases (ms), playback continuity and bytes of one cold load of ``url`` with play() at ``when``.

    ``scripts`` (``--baseline``): the player.js each kind of panel page gets, by the ``player=``
    value in its URL, served from memory for every panel page alike.
    """
    context = browser.new_context()
    context.add_init_script(INIT_SCRIPT)
    if "bench=floor" in url:  # the panel page without its player: what the page itself costs
        context.route("**/static/js/player.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    elif scripts and "player=" in url:
        body = scripts[url.split("player=")[1].split("&")[0]]
        context.route("**/static/js/player.js", lambda route: route.fulfill(body=body, content_type="text/javascript"))
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
    page.goto(f"{url}&when={when}")
    if when == "click":
        bare = "bench=bare" in url or "bench=floor" in url
        if not wait_for(page, "window.__bench.dcl" if bare else "window.__bench.ready"):
            raise RuntimeError(f"{url}: the player never became ready")
        page.wait_for_load_state("networkidle")
        page.evaluate("window.__arm()")
    # A play() cut short by the page reloading the video (an error here) may still end in a
    # frame, or never: such a load counts as "lost" and stays out of the medians.
    if wait_for(page, "window.__bench.firstFrame"):
        # Long enough for the player's upgrade to happen under a playing video, if it hasn't yet.
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
    state = page.evaluate("window.__bench")
    state.update(page.evaluate(PHASES_JS))
    state["advanced"] = page.evaluate("document.querySelector('video').currentTime")
    # What played: hls.js through MediaSource, or a file the <video> fetched itself.
    state["hls"] = page.evaluate("document.querySelector('video').currentSrc.startsWith('blob:')")
    context.close()
    state["by_type"] = {k: sum(len(b) for t, b in bodies if t == k) for k in ("document", "stylesheet", "script")}
    state["bytes"] = sum(len(b) for _, b in bodies)
    state["gzip"] = sum(len(gzip.compress(b)) for _, b in bodies)
    return state


def first_frame(state: dict, when: str) -> float | None:
    if not state.get("firstFrame"):
        return None  # the press of play was lost
    return state["firstFrame"] - state["played"] if when == "click" else state["firstFrame"]


def frames(states: list[dict], when: str) -> list[float]:
    """First-frame times of the loads that got one."""
    return [ms for ms in (first_frame(s, when) for s in states) if ms is not None]


def span(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"


def median_of(states: list[dict], get) -> str:
    values = [v for v in (get(s) for s in states) if v is not None]
    return f"{statistics.median(values):.0f}" if values else "–"


TITLES = {
    "ready": "play() when the player is ready (bare page: at DOMContentLoaded): ms from navigation to first frame",
    "once": "play() at DOMContentLoaded on every page: ms from navigation to first frame",
    "click": "play() on a settled page (player ready, network idle): ms from play() to first frame",
}
BARE = "bare <video> page"
FLOOR = "panel page without player.js"
COPY = "  the same, rendered once and served as a string"
NO_CSS = "  the same copy without its two stylesheets"


def bare_baseline(results: dict[str, dict[str, list[dict]]], when: str) -> tuple[float, int]:
    """The bare page's median first frame for ``when``, and how many loads it pools.

    Its play() is at DOMContentLoaded in "ready" and "once" alike, so those loads are pooled.
    """
    same = [w for w in results if w != "click"] if when != "click" else ["click"]
    pooled = [ms for w in same for ms in frames(results[w][BARE], w)]
    return statistics.median(pooled), len(pooled)


def frame_table(when: str, pages: dict[str, list[dict]], runs: int, baseline: tuple[float, int]) -> None:
    """First frame per page for one moment of play(); "ready" adds the bytes, the others continuity."""
    bare_ms, pooled = baseline
    bare = pages[BARE][0]
    print(f"\n{TITLES[when]}, {runs} runs; × bare against the bare page's median of {pooled} loads, {bare_ms:.0f} ms")
    if when == "ready":
        print(
            "| page | first frame, median (min–max) | × bare | played through hls.js "
            "| HTML / CSS+SVG / JS | total (gzip) | × bare (gzip) |"
        )
    else:
        print(
            "| page | first frame, median (min–max) | × bare | played through hls.js "
            "| playback kept through the upgrade |"
        )
    print("|---|---|---|---|---|" + ("---|---|" if when == "ready" else ""))
    for name, states in pages.items():
        ms = frames(states, when)
        if not ms:
            rest = " – | – | – |" if when == "ready" else " 0 |"
            print(f"| {name} | no frame in {len(states)} loads | – | – |" + rest)
            continue
        through_hls = sum(1 for s in states if s["hls"])
        row = f"| {name} | {span(ms)} | {statistics.median(ms) / bare_ms:.2f} | {through_hls} of {len(states)} |"
        if when == "ready":
            one = states[0]
            split = " / ".join(f"{one['by_type'][k] / 1000:.1f}" for k in ("document", "stylesheet", "script"))
            row += (
                f" {split} kB | {one['bytes'] / 1000:.1f} kB ({one['gzip'] / 1000:.1f} kB) "
                f"| {one['bytes'] / bare['bytes']:.0f} ({one['gzip'] / bare['gzip']:.0f}) |"
            )
        else:
            kept = sum(1 for s in states if not s["restarts"] and not s.get("error") and s["advanced"] > 0.5)
            lost = len(states) - len(ms)
            row += f" {kept} of {len(states)}" + (f" ({lost} never played)" if lost else "") + " |"
        print(row)


def phase_table(when: str, pages: dict[str, list[dict]]) -> None:
    """Medians of each phase of the loads with play() at ``when``, ms from navigation start."""
    print(f"\nwhere the time goes, play() {when}: medians, ms from navigation start")
    print(
        "| page | document | scripts loaded | DOMContentLoaded | player ready | play() | loadeddata "
        "| first frame | long tasks before it |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, states in pages.items():
        cells = [
            median_of(states, get)
            for get in (
                lambda s: s["document"],
                lambda s: s["scripts"],
                lambda s: s.get("dcl"),
                lambda s: s.get("ready"),
                lambda s: s["played"],
                lambda s: s["events"].get("loadeddata"),
                lambda s: s.get("firstFrame"),
                lambda s: s["longtasks"],
            )
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


def behind_nginx(work: Path, app_port: int):
    """nginx with the shipped configuration in front of the app on ``app_port``; (process, base URL)."""
    sys.path.insert(0, str(ROOT / "deploy"))
    from stack import free_port, start_nginx, wait_for

    port = free_port()
    process = start_nginx(work / "nginx", port, [app_port], "local", work / "media")
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/static/js/player.js", 30, process)
    return process, base


def report(results: dict[str, dict[str, list[dict]]], runs: int) -> None:
    for when, pages in results.items():
        frame_table(when, pages, runs, bare_baseline(results, when))
    for when, pages in results.items():
        if when != "click":
            phase_table(when, pages)


def pages_at(base: str, baseline: str | None = None, floor_parts: bool = False) -> dict[str, str]:
    """The pages measured, by name (the bare page's is ``BARE``); with a baseline, its two panel pages too."""
    panel = f"{base}/events/bench/panel/"
    floor = {FLOOR: f"{panel}?bench=floor"}
    if floor_parts:
        floor[COPY] = f"{base}/bench/copy/page?bench=floor"
        floor[NO_CSS] = f"{base}/bench/copy/no-css?bench=floor"
    floor[BARE] = f"{base}/bench/bare?bench=bare"
    if not baseline:
        return {
            "panel page, HLS (hls.js + Plyr)": f"{panel}?bench=hls",
            "panel page, MP4 fallback (Plyr)": f"{panel}?bench=mp4",
            **floor,
        }
    return {
        f"{baseline}: panel page, HLS": f"{panel}?bench=hls&player=baseline",
        f"{baseline}: panel page, MP4 fallback": f"{panel}?bench=mp4&player=baseline",
        "panel page, HLS (hls.js + Plyr)": f"{panel}?bench=hls&player=current",
        "panel page, MP4 fallback (Plyr)": f"{panel}?bench=mp4&player=current",
        **floor,
    }


def player_scripts(baseline: str | None) -> dict[str, bytes] | None:
    """The working tree's static/js/player.js and that of git revision ``baseline``."""
    if not baseline:
        return None
    old = subprocess.run(
        ["git", "show", f"{baseline}:static/js/player.js"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    return {"baseline": old, "current": (ROOT / "static" / "js" / "player.js").read_bytes()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10, help="length of the 720p test clip")
    parser.add_argument(
        "--when", default=",".join(WHENS), help="moments to call play(), comma-separated: ready, once, click"
    )
    parser.add_argument("--nginx", action="store_true", help="serve through nginx with deploy/nginx.conf")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also load the panel pages with static/js/player.js as of git revision REV, interleaved",
    )
    parser.add_argument(
        "--floor-parts", action="store_true", help="also the floor as a copy rendered once, and without stylesheets"
    )
    args = parser.parse_args()
    whens = [w for w in args.when.split(",") if w]
    if not whens or set(whens) - set(WHENS):
        parser.error(f"--when takes {', '.join(WHENS)}")

    from playwright.sync_api import sync_playwright

    (ROOT / "bench" / "work").mkdir(exist_ok=True)  # ignored by git: a fresh clone has none
    work = Path(tempfile.mkdtemp(prefix="player-bench-", dir=ROOT / "bench" / "work"))
    nginx = None
    try:
        app = build_site(work, args.seconds)
        server, base = serve(app)
        if args.nginx:
            nginx, base = behind_nginx(work, server.server_port)
        pages = pages_at(base, args.baseline, args.floor_parts)
        scripts = player_scripts(args.baseline)
        results = {when: {name: [] for name in pages} for when in whens}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
            )
            measure(browser, pages[BARE], "ready")  # warm the server and the OS cache once
            for _ in range(args.runs):
                for when in whens:
                    for name, url in pages.items():  # interleaved, so drift hits every page alike
                        results[when][name].append(measure(browser, url, when, scripts))
            browser.close()
        server.shutdown()
    finally:
        if nginx is not None:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"Served by {'nginx (deploy/nginx.conf) in front of ' if args.nginx else ''}threaded Werkzeug.")
    report(results, args.runs)


if __name__ == "__main__":
    main()
