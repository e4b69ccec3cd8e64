"""Benchmark: the speech timeline on a synthetic three-voice panel spoken by espeak-ng, then on
real people (bench/real_speech.py: the pyannote sample, AMI meetings, a composed four-person panel).

    .venv/bin/python bench/speech.py                  # both sets (~2.7 min synthetic, ~4 min real)
    .venv/bin/python bench/speech.py --synthetic-only # the espeak-ng panel only
    .venv/bin/python bench/speech.py --no-results     # print only

Measures, against the truth ``speak_script`` knows to the sample: speech
activity accuracy per 10 ms frame, speaker attribution with one channel per
panelist and with ``<v>`` captions, voice clustering on the one mixed
channel (best matching of anonymous groups to people; reported, not
asserted), lip-sync figures, and listening time over audio duration. The
figures go to the "## Speech timeline (bench/speech.py)" section of
bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import real_speech  # noqa: E402  (bench/real_speech.py, beside this file)

from eventsite.flock.listen import build_timeline, cues_from_webvtt  # noqa: E402
from eventsite.flock.synth import speak_script, write_webvtt  # noqa: E402
from tests.flock.speech_fixtures import (  # noqa: E402
    GAPS,
    SCRIPT,
    SEATS,
    VOICES,
    activity_accuracy,
    attribution_accuracy,
    lip_sync_figures,
    timeline_speakers,
    truth_speakers,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Speech timeline (bench/speech.py)"


def clustering_accuracy(timeline, cues, duration) -> float:
    """Attribution after the best one-to-one naming of the anonymous groups."""
    truth = truth_speakers(cues, duration)
    found = timeline_speakers(timeline, len(truth))
    both = (truth >= 0) & (found >= 0)
    best = 0.0
    for perm in itertools.permutations(range(len(SEATS))):
        named = np.array(perm)[found[both]]
        best = max(best, float(np.mean(named == truth[both])))
    return best


def timed(*args, **kwargs):
    started = time.perf_counter()
    timeline = build_timeline(*args, **kwargs)
    return timeline, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="times the eight-line script is said")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--synthetic-only", action="store_true", help="skip the real-speech set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script = SCRIPT * args.rounds
        gaps = [g or 0.9 for g in GAPS] * args.rounds
        panel = speak_script(script, VOICES, tmp, gap=gaps, channels_per_speaker=True)
        vtt = write_webvtt(panel.cues, SEATS, Path(tmp) / "panel.vtt")
        captions = cues_from_webvtt(vtt.read_text())
        captioned, t_captions = timed(panel.mixed, SEATS, captions=captions)
        by_mic, t_channels = timed(panel.channels, SEATS, channels="auto")
        clustered, t_clusters = timed(panel.mixed, SEATS)
    d = panel.duration
    closed, shapes = lip_sync_figures(captioned, panel.cues)
    rows = [
        ("speech activity, agreement per 10 ms frame", f"{activity_accuracy(captioned, panel.cues, d):.1%}"),
        ("attribution, one channel per panelist", f"{attribution_accuracy(by_mic, panel.cues, d):.1%}"),
        ("attribution, WebVTT `<v>` captions", f"{attribution_accuracy(captioned, panel.cues, d):.1%}"),
        ("attribution, voices clustered on the mixed track", f"{clustering_accuracy(clustered, panel.cues, d):.1%}"),
        ("beak closed or resting in silent frames", f"{closed:.1%}"),
        ("mouth-shape changes per second of speech", f"{shapes:.1f}"),
        ("listen time ÷ audio, captions", f"{t_captions / d:.3f}"),
        ("listen time ÷ audio, channels", f"{t_channels / d:.3f}"),
        ("listen time ÷ audio, clustering", f"{t_clusters / d:.3f}"),
    ]
    now = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        SECTION,
        "",
        f"Measured {now} on {os.cpu_count()} CPUs ({platform.platform(terse=True)}, Python {platform.python_version()})"
        f" with `.venv/bin/python bench/speech.py --rounds {args.rounds}`: a synthetic panel of "
        f"{len(script)} espeak-ng lines by three voices ({', '.join(VOICES)}), {d:.0f} s, pauses of 0.5-1.2 s, "
        "the lapel channels with the others' voices 15 dB down and room hiss at -60 dBFS. "
        "Synthetic speech is far easier than a real room: treat these as upper bounds.",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
        "- Attribution is over speech that the timeline also found (who, given when); activity covers when.",
        "- Clustering names groups by first appearance; the figure uses the best matching of groups to people.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_results:
        _write_section(text)
    if not args.synthetic_only:
        # Reported apart: real people are the figures that count; espeak-ng voices are easy.
        real_speech.run([], write=not args.no_results)


def _write_section(text: str) -> None:
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION in current:
        head, _, rest = current.partition(SECTION)
        following = rest.find("\n## ")
        current = head + text + (rest[following + 1 :] if following >= 0 else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current)


if __name__ == "__main__":
    main()
