"""Search benchmark: query time at 100 panels × 1,500 cues on SQLite FTS5 and PostgreSQL.

    .venv/bin/python bench/search.py [--panels 100] [--cues 1500] [--repeat 15]
        [--postgres postgresql://127.0.0.1:5432/postgres] [--sqlite-only]

For each database: a fresh schema (an SQLite file in a temporary folder; on
PostgreSQL a throwaway database ``bench_search``, created here and dropped at
the end, so the shared ``test`` database is never touched), one event,
``--panels`` published panels with three seated panelists each and a ready
recording whose English captions hold ``--cues`` voiced cues of generated
speech (a fixed-seed mix of common English words, topic words and rare
made-up words, so queries hit often, rarely, or never).

Measured:
- index build: ``search.reindex_all()`` over everything (what ``flask search-reindex`` does);
- one panel's reindex (what each publish or caption upload costs), median of 5;
- query time, p50 and p95 over every query of QUERIES × ``--repeat``, of the
  whole search as the page runs it (``run_search``: counts per group, the best
  hits of each group with snippets, their rows loaded);
- the baseline in the same run, over the same passages in a plain table:
  ``lower(body) LIKE '%word%'`` per word, count plus the first 10 rows, which
  is what a site without a search index does.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from eventsite import create_app, search  # noqa: E402
from eventsite.config import TestingConfig  # noqa: E402
from eventsite.events.models import Consent, Event, Panel, Panelist, PanelStatus, Seat, SeatRole  # noqa: E402
from eventsite.extensions import db  # noqa: E402
from eventsite.recordings.captions import Cue, to_webvtt  # noqa: E402
from eventsite.recordings.models import Caption, Recording, RecordingStatus, Rendition, RenditionKind  # noqa: E402
from eventsite.search.documents import passages  # noqa: E402
from eventsite.search.engines import engine_for, entry  # noqa: E402
from eventsite.search.results import run_search, visible  # noqa: E402
from eventsite.storage import media_store  # noqa: E402

COMMON = (
    "the of and to a in that is it you we they this for on with as have be at not but what all were when can "
    "there so people think really just about because know more very going want would like time make how"
).split()
TOPIC = (
    "influence trust brand followers audience community network reach engagement content platform social "
    "media marketing conversation authenticity advocacy reputation metrics measure score campaign creator"
).split()
NAMES = ["Gemma Went", "Andrew Gerrard", "Joanne Jacobs", "Benjamin Ellis", "Matt Rhodes", "Azeem Azhar"]

#: (label, query): frequent, topical, rare, absent, phrase, stemmed, several words, hostile.
QUERIES = [
    ("topic word", "influence"),
    ("topic word", "followers"),
    ("two topic words", "trust audience"),
    ("stemmed", "measuring"),
    ("phrase", '"social media"'),
    ("rare word", "zorblat"),
    ("rare + topic", "quillon brand"),
    ("absent word", "xylophonic"),
    ("three words", "community reach campaign"),
    ("common words", "what people think"),
    ("person", "Azeem"),
    ("hostile", 'NEAR("trust" *'),
]


def made_up_words(rng: random.Random, n: int) -> list[str]:
    syllables = "ka zor blat quil lon mir tes vag dru pel osh nim rax fen tor".split()
    words = {"zorblat", "quillon"}
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))))
    return sorted(words)


def sentence(rng: random.Random, rare: list[str]) -> str:
    words = []
    for _ in range(rng.randint(8, 16)):
        roll = rng.random()
        words.append(rng.choice(COMMON) if roll < 0.65 else rng.choice(TOPIC) if roll < 0.97 else rng.choice(rare))
    return " ".join(words).capitalize() + "."


def seed(panels: int, cues: int) -> None:
    """The content, written directly (no per-panel reindex: the build is measured after)."""
    rng = random.Random(12)
    rare = made_up_words(rng, 400)
    event = Event(slug="bench-week", name="Bench Week", place="London")
    db.session.add(event)
    people = [Panelist(slug=f"p{i}", name=f"{NAMES[i % 6].split()[0]} {rng.choice(rare).title()}") for i in range(60)]
    db.session.add_all(people)
    db.session.flush()
    store = media_store()
    for n in range(panels):
        panel = Panel(
            event=event,
            slug=f"panel-{n}",
            title=sentence(rng, rare)[:120],
            status=PanelStatus.PUBLISHED,
            abstract=" ".join(sentence(rng, rare) for _ in range(4)),
        )
        seated = rng.sample(people, 3)
        for position, person in enumerate(seated):
            db.session.add(
                Seat(panel=panel, panelist=person, role=SeatRole.PANELIST, position=position, consent=Consent.VIDEO)
            )
        recording = Recording(
            panel=panel,
            original_key="x",
            original_filename="x.mp4",
            status=RecordingStatus.READY,
            duration_seconds=cues * 2.4,
        )
        recording.renditions.append(Rendition(kind=RenditionKind.MP4, label="720p", storage_key="x.mp4", size_bytes=1))
        db.session.add(recording)
        db.session.flush()
        lines, t = [], 0.0
        for _ in range(cues):
            speaker = rng.choice(seated).name
            length = rng.uniform(1.5, 3.5)
            lines.append(Cue(t, t + length, f"<v {speaker}>{sentence(rng, rare)}"))
            t += length
        key = f"recordings/{recording.id}/captions/en.vtt"
        store.save_bytes(key, to_webvtt(lines).encode())
        db.session.add(Caption(recording_id=recording.id, language="en", label="English", storage_key=key))
    db.session.commit()


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def like_baseline(words: list[str]) -> tuple[str, dict]:
    conditions = " AND ".join(f"lower(body) LIKE :w{i}" for i in range(len(words)))
    params = {f"w{i}": f"%{w.lower()}%" for i, w in enumerate(words)}
    return conditions, params


def run(url: str, label: str, args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
    os.environ["EVENTSITE_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app(
        {"DATABASE_URL": url, "MEDIA_ROOT": str(folder / "media"), "BASE_URL": "http://bench"},
        config_class=TestingConfig,
    )
    out: dict = {"label": label}
    with app.app_context():
        db.drop_all()
        db.create_all()  # the search index too (schema.follow_metadata)
        started = time.perf_counter()
        seed(args.panels, args.cues)
        out["seed_s"] = time.perf_counter() - started
        counts = search.reindex_all()
        out["build_s"], out["entries"] = counts["seconds"], counts
        panels = db.session.scalars(sa.select(Panel).limit(5)).all()
        times = []
        for panel in panels:
            started = time.perf_counter()
            search.reindex_panel(panel)
            times.append(time.perf_counter() - started)
        out["reindex_panel_s"] = statistics.median(times)

        # The baseline's table: the same passages, plain text, no index.
        db.session.execute(sa.text("DROP TABLE IF EXISTS bench_passage"))
        db.session.execute(sa.text("CREATE TABLE bench_passage (id integer PRIMARY KEY, panel_id integer, body text)"))
        rows, n = [], 0
        for panel in db.session.scalars(sa.select(Panel)):
            from eventsite.transcripts.speakers import panel_transcript

            for passage in passages(panel_transcript(panel)):
                n += 1
                rows.append({"id": n, "panel_id": panel.id, "body": passage.text})
        db.session.execute(sa.text("INSERT INTO bench_passage VALUES (:id, :panel_id, :body)"), rows)
        db.session.commit()
        out["passages"] = n

        indexed, engine_only, scanned, found = [], [], [], {}
        engine, condition = engine_for(db.session), visible()
        said = sa.and_(condition, entry.c.kind == "said")
        with app.test_request_context("/search"):
            for _ in range(args.repeat):
                for _name, typed in QUERIES:
                    started = time.perf_counter()
                    results = run_search(typed)
                    indexed.append(time.perf_counter() - started)
                    found[typed] = results.total
                    # Like for like with the baseline: the count and the first 10 passages (with snippets).
                    started = time.perf_counter()
                    engine.counts(db.session, results.query, condition)
                    engine.hits(db.session, results.query, said, 10)
                    engine_only.append(time.perf_counter() - started)
                    words = [" ".join(p) for p in results.query.phrases]
                    conditions, params = like_baseline(words)
                    started = time.perf_counter()
                    db.session.execute(
                        sa.text(f"SELECT count(*) FROM bench_passage WHERE {conditions}"), params
                    ).scalar()
                    db.session.execute(
                        sa.text(f"SELECT id, body FROM bench_passage WHERE {conditions} LIMIT 10"), params
                    ).all()
                    scanned.append(time.perf_counter() - started)
        out["found"] = found
        for key, values in (("search", indexed), ("engine", engine_only), ("like", scanned)):
            out[f"{key}_p50"], out[f"{key}_p95"] = percentile(values, 0.5), percentile(values, 0.95)
        db.session.execute(sa.text("DROP TABLE bench_passage"))
        db.session.commit()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return out


def ms(result: dict, key: str) -> str:
    return f"{result[key + '_p50'] * 1000:.1f} / {result[key + '_p95'] * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", type=int, default=100)
    parser.add_argument("--cues", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--postgres",
        default="postgresql://127.0.0.1:5432/postgres",
        help="a database to connect to for CREATE/DROP DATABASE bench_search",
    )
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()

    results = [run(f"sqlite:///{tempfile.mkdtemp(prefix='bench-search-db-')}/bench.db", "SQLite FTS5", args)]
    if not args.sqlite_only:
        admin = sa.create_engine(
            args.postgres.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS bench_search")
            conn.exec_driver_sql("CREATE DATABASE bench_search")
        try:
            url = args.postgres.rsplit("/", 1)[0] + "/bench_search"
            results.append(run(url, "PostgreSQL full text", args))
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql("DROP DATABASE IF EXISTS bench_search WITH (FORCE)")
            admin.dispose()

    print(f"\n{args.panels} panels × {args.cues} cues; {len(QUERIES)} queries × {args.repeat} runs each\n")
    print(
        "| database | entries (passages) | index build s | one panel's reindex ms | search page p50 / p95 ms "
        "| index: count + 10 hits p50 / p95 ms | LIKE scan: count + 10 rows p50 / p95 ms | LIKE ÷ index (p50) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        e = r["entries"]
        total = e["event"] + e["panel"] + e["person"] + e["said"]
        print(
            f"| {r['label']} | {total:,} ({e['said']:,}) | {r['build_s']:.1f} | {r['reindex_panel_s'] * 1000:.0f} "
            f"| {ms(r, 'search')} | {ms(r, 'engine')} | {ms(r, 'like')} | {r['like_p50'] / r['engine_p50']:.1f}× |"
        )
    print("\nResults per query (total hits, SQLite / PostgreSQL):")
    for name, typed in QUERIES:
        print(f"- {name} `{typed}`: " + " / ".join(str(r["found"][typed]) for r in results))


if __name__ == "__main__":
    main()
