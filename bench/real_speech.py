"""Benchmark: the speech layer on real human recordings (not espeak-ng).

    .venv/bin/python bench/real_speech.py                # all sets (~2-4 min on 2 cores)
    .venv/bin/python bench/real_speech.py --no-results   # print only
    .venv/bin/python bench/real_speech.py --memory 2 10  # also peak memory on the sample looped to 2 and 10 min

The recordings come from the pyannote-audio 4.0.7 package (hash-locked,
fetched by ``scripts/setup.sh --dev``, see tests/real_speech.py):

- ``sample``: the wheel's 30 s telephone call between two people, with timed
  words (sample.stm) and turns (sample.rttm);
- ``ami``: the sdist's thirteen 30 s clips of AMI meetings (CC BY 4.0), 1-4
  speakers with overlaps, turns only (debug.*.rttm). Those turns mark only part
  of each clip's speech, so here the error is scored inside the marked speech
  only (missed and confused speech; found speech elsewhere is not counted).

Reported per set: word error rate (jiwer, words lower-cased without
punctuation), diarization error rate (pyannote.metrics, collar 0.25 s either
side of each boundary, overlap scored), attribution (the share of found
speech given to the right person, best matching of voices to people), the
voices counted against the truth, and the real-time factor of each pass.
The listener is told the true number of people as its seats, as an
organiser seats the panel. Figures go to the "## Real speech
(bench/real_speech.py)" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import jiwer
import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsite.flock.listen import build_timeline  # noqa: E402
from eventsite.transcripts.recognise import recognise, whisper_model  # noqa: E402
from tests.real_speech import PEOPLE, compose_panel, data_path, rttm_turns, sample_lines  # noqa: E402
from tests.transcripts.test_real_speech import NORMALISE  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Real speech (bench/real_speech.py)"
#: the standard collar: 0.25 s either side of a boundary (pyannote's collar is the total width)
COLLAR = 0.5


def annotation(turns) -> Annotation:
    out = Annotation()
    for start, end, who in turns:
        out[Segment(start, end)] = str(who)
    return out


def attribution(reference: Annotation, hypothesis: Annotation, strict: bool = False) -> float:
    """Share of found speech given to the right person, best matching of voices to people.

    Found speech is what we said someone spoke that someone really did speak (the reading of
    the issue); ``strict`` counts all we said was speech, so a false alarm counts as wrong.
    """
    if not strict:
        hypothesis = hypothesis.crop(reference.get_timeline().support())
    mapping = DiarizationErrorRate().optimal_mapping(reference, hypothesis)
    mapped = hypothesis.rename_labels(mapping=mapping)
    found = right = 0.0
    for segment, _track, label in mapped.itertracks(yield_label=True):
        found += segment.duration
        right += (
            sum(s.duration for s in reference.label_timeline(label).crop(segment)) if label in reference.labels() else 0
        )
    return right / found if found else 0.0


def whole_listening(path: Path, people: int, seconds: float = 30.0) -> tuple[float, float]:
    """(seconds, audio seconds) of everything the flock job hears: words, activity, voices, beaks."""
    seats = [f"Person {i + 1}" for i in range(people)]
    began = time.perf_counter()
    words = [(w.start, w.end, w.text) for w in recognise(path, seconds, names=seats)]
    timeline = build_timeline(path, seats, words=words)
    return time.perf_counter() - began, timeline.duration


def peak_memory(minutes: float, work: Path) -> tuple[float, float]:
    """(peak resident MB, seconds) of the whole listening of the sample looped to ``minutes``, in a child."""
    looped = work / f"sample-{minutes:g}min.wav"
    loops = max(0, int(np.ceil(minutes * 2)) - 1)  # the sample is 30 s
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(data_path("sample", "sample.wav")),
         "-t", str(minutes * 60), str(looped)],
        check=True,
    )  # fmt: skip
    child = (
        "import sys, time, resource; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[1] + '/bench');"
        "import real_speech as rs; from pathlib import Path; t = time.perf_counter();"
        "rs.whole_listening(Path(sys.argv[2]), 2, seconds=float(sys.argv[3]));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", child, str(ROOT), str(looped), str(minutes * 60)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return float(out[-2]), float(out[-1])


#: Hesitations a caption leaves out and a transcript's author may keep: not scored as words.
FILLERS = jiwer.SubstituteWords({"um": "", "uh": "", "hmm": "", "mm": ""})


def listen(path: Path, people: int, seconds: float = 30.0):
    """The flock job's listening: the words heard once, then activity, voices (changes snapped to
    the words' boundaries) and beaks from the words' phones."""
    seats = [f"Person {i + 1}" for i in range(people)]
    began = time.perf_counter()
    words = recognise(path, seconds, names=seats)
    timeline = build_timeline(path, seats, words=[(w.start, w.end, w.text) for w in words])
    took = time.perf_counter() - began
    turns = [(t.start, t.end, t.speaker) for t in timeline.turns if t.speaker >= 0]
    return timeline, turns, took, words


def whole_turns(turns, gap: float = 1.0) -> int:
    """Turns as a viewer counts them: one person's speech until someone else speaks (or a long silence)."""
    count, last = 0, None
    for start, end, who in sorted(turns):
        if last is None or who != last[1] or start - last[0] > gap:
            count += 1
        last = (end, who)
    return count


def composed_panels(work: Path, metric) -> list[tuple]:
    """The four-person panel as recorded and through a telephone band: the figures of each."""
    rows = []
    for telephone in (False, True):
        path = work / f"panel-{'telephone' if telephone else 'wide'}.wav"
        lines, truth = compose_panel(path, telephone=telephone)
        timeline, turns, took, words = listen(path, len(PEOPLE), seconds=lines[-1].end)
        normalise = jiwer.Compose([FILLERS, NORMALISE])
        wer = jiwer.wer(
            " ".join(line.text for line in lines), " ".join(w.text for w in words),
            reference_transform=normalise, hypothesis_transform=normalise,
        )  # fmt: skip
        reference, hypothesis = annotation(truth), annotation(turns)
        der = metric(reference, hypothesis, uem=Timeline([Segment(0, timeline.duration)]))
        rows.append(
            (
                "telephone band" if telephone else "as recorded", wer, der, attribution(reference, hypothesis),
                len({t[2] for t in turns}), whole_turns(turns), len(lines), took / timeline.duration,
            )
        )  # fmt: skip
        print("panel", rows[-1])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument(
        "--memory",
        type=float,
        nargs="*",
        default=[],
        metavar="MINUTES",
        help="also measure peak memory of the whole listening on the sample looped to these lengths",
    )
    args = parser.parse_args()
    run(args.memory, write=not args.no_results)


def run(memory: list[float], write: bool = True) -> str:
    """Measure every real set (and peak memory at ``memory`` minutes); the section's text."""
    warnings.filterwarnings("ignore", message=".*uem.*")
    rows = []

    # recognition on the sample (the only real recording here with timed words)
    whisper_model()
    lines = sample_lines()
    began = time.perf_counter()
    words = recognise(data_path("sample", "sample.wav"), 30.0, names=["Diane", "Sheila"])
    asr_took = time.perf_counter() - began
    wer = jiwer.wer(
        " ".join(line.text for line in lines),
        " ".join(w.text for w in words),
        reference_transform=NORMALISE,
        hypothesis_transform=NORMALISE,
    )

    metric = DiarizationErrorRate(collar=COLLAR, skip_overlap=False)
    sets = [("sample", data_path("sample", "sample.wav"), rttm_turns(data_path("sample", "sample.rttm")))]
    ami = data_path("ami")
    for rttm in sorted(ami.glob("debug.*.rttm")):
        for uri in sorted({row.split()[1] for row in rttm.read_text().splitlines() if row.strip()}):
            if (ami / f"{uri}.wav").exists():
                sets.append((f"ami/{uri}", ami / f"{uri}.wav", rttm_turns(rttm, uri)))
    ami_totals = {"der": [], "attr": [], "took": 0.0, "audio": 0.0, "voices_right": 0}
    for name, path, truth in sets:
        reference = annotation(truth)
        people = len(reference.labels())
        timeline, turns, took, _words = listen(path, people)
        hypothesis = annotation(turns)
        uem = Timeline([Segment(0, timeline.duration)])
        if name.startswith("ami"):
            # pyannote's debug turns mark only part of the speech in each clip (trn02: 0.7 s of 30), so
            # speech found elsewhere is not an error we can score: who speaks is scored where they say.
            hypothesis = hypothesis.crop(reference.get_timeline().support())
        der = metric(reference, hypothesis, uem=uem)
        attr = attribution(reference, hypothesis)
        strict = attribution(reference, hypothesis, strict=True)
        voices = len({t[2] for t in turns})
        rows.append((name, people, voices, der, attr, took / timeline.duration, len(turns), len(reference), strict))
        if name.startswith("ami"):
            ami_totals["der"].append(der)
            ami_totals["attr"].append(attr)
            ami_totals["took"] += took
            ami_totals["audio"] += timeline.duration
            ami_totals["voices_right"] += voices == people
        print(f"{name:14s} people {people} voices {voices} DER {der:.3f} attribution {attr:.3f} "
              f"turns {len(turns)}/{len(reference)} {took / timeline.duration:.3f}x")  # fmt: skip

    with tempfile.TemporaryDirectory() as work:
        panels = composed_panels(Path(work), metric)
    whole_rtf = sum(r[5] for r in rows) / len(rows)
    sample = rows[0]
    ami_rows = [r for r in rows if r[0].startswith("ami")]
    lines_out = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores), "
        "command: `.venv/bin/python bench/real_speech.py`. Real people only; the espeak-ng figures are in "
        "the section above and are not comparable.",
        "",
        "| set | what | figure | aim |",
        "|---|---|---|---|",
        f"| sample (2 people, telephone, 30 s) | word error rate, Whisper tiny.en | {wer:.1%} | ≤ 15 % |",
        f"| sample | recognition time / audio | {asr_took / 30.0:.3f}× | – |",
        f"| sample | diarization error rate (collar 0.25 s) | {sample[3]:.1%} | ≤ 15 % |",
        f"| sample | attribution of found speech | {sample[4]:.1%} | ≥ 90 % |",
        f"| sample | attribution counting false alarms as wrong | {sample[8]:.1%} | – |",
        f"| sample | voices found / people | {sample[2]} / {sample[1]} | – |",
        f"| sample | whole listening (words, activity, voices, beaks) / audio | {sample[5]:.3f}× | ≤ 0.35× |",
        f"| AMI meetings (13 × 30 s, 1-4 people) | mean error within the annotated speech "
        f"(missed + confused) | {np.mean(ami_totals['der']):.1%} | – |",
        f"| AMI | mean attribution of found speech | {np.mean(ami_totals['attr']):.1%} | – |",
        f"| AMI | clips whose voice count is right | {ami_totals['voices_right']} of {len(ami_rows)} | – |",
        f"| AMI | whole listening / audio | {ami_totals['took'] / ami_totals['audio']:.3f}× | – |",
        f"| all 14 clips | mean whole listening / audio | {whole_rtf:.3f}× | ≤ 0.35× |",
        *(
            row
            for name, wer_, der_, attr_, voices_, turns_, true_turns, rtf in panels
            for row in (
                f"| panel of 4 people recorded alone, {name} (115 s, 10 turns) | word error rate "
                f"(hesitations not scored) | {wer_:.1%} | – |",
                f"| panel, {name} | diarization error rate (collar 0.25 s) | {der_:.1%} | – |",
                f"| panel, {name} | attribution of found speech | {attr_:.1%} | – |",
                f"| panel, {name} | voices found / people; whole turns found / true turns | {voices_} / 4; "
                f"{turns_} / {true_turns} | – |",
                f"| panel, {name} | whole listening / audio | {rtf:.3f}× | ≤ 0.35× |",
            )
        ),
        "",
        "Per clip (people, voices found, DER, attribution, turns found / true turns):",
        "",
        "| clip | people | voices | DER | attribution | turns |",
        "|---|---|---|---|---|---|",
        *(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.1%} | {r[4]:.1%} | {r[6]} / {r[7]} |" for r in rows),
        "",
    ]
    if memory:
        lines_out += [
            "Peak memory of the whole listening (words, activity, voices, beaks) in a fresh process, on the "
            f"sample looped to each length (`--memory {' '.join(f'{m:g}' for m in memory)}`):",
            "",
            "| audio | peak resident memory | time / audio |",
            "|---|---|---|",
        ]
        with tempfile.TemporaryDirectory() as work:
            for minutes in memory:
                megabytes, took = peak_memory(minutes, Path(work))
                lines_out.append(f"| {minutes:g} min | {megabytes:.0f} MB | {took / (minutes * 60):.3f}× |")
        lines_out.append("")
    text = "\n".join(lines_out)
    print(text)
    if write:
        _write_section(text)
    return text


def _write_section(text: str) -> None:
    old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION in old:
        head, _, rest = old.partition(SECTION)
        tail = rest[rest.find("\n## ") :] if "\n## " in rest else ""
        old = head.rstrip() + "\n\n" + text + tail
    else:
        old = old.rstrip() + "\n\n" + text
    RESULTS.write_text(old.rstrip() + "\n")


if __name__ == "__main__":
    main()
