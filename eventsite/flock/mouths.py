"""What shape each beak makes: CMU phones from PocketSphinx, folded into Rhubarb's mouths.

PocketSphinx's allphone mode hears phones (not words) with 10 ms times, at
about 0.04x real time. Only the stretches the VAD called speech are decoded,
one utterance each, so an hour never sits in the decoder at once. When no
phones come back (music, another language, a failed decoder) the mouths
follow loudness and spectral shape instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .activity import RATE, FrameAnalysis, Segment, noise_floor
from .audio import SAMPLE_RATE
from .timeline import FLOCK_FPS, Mouth

#: CMU phone → mouth, after Rhubarb Lip Sync's animation rules (its "extended" set G, H, X).
#: Diphthongs start in one shape and end in another, as Rhubarb draws them.
PHONE_SHAPES: dict[str, tuple[Mouth, ...]] = {
    # lips pressed together
    **dict.fromkeys(("P", "B", "M"), (Mouth.CLOSED,)),
    # teeth on the lower lip
    **dict.fromkeys(("F", "V"), (Mouth.FV,)),
    # tongue up behind the teeth
    "L": (Mouth.L,),
    # lips rounded into a small "oo"
    **dict.fromkeys(("UW", "W"), (Mouth.PUCKERED,)),
    # jaw dropped
    "AA": (Mouth.WIDE,),
    # open vowels
    **dict.fromkeys(("EH", "AE", "AH"), (Mouth.OPEN,)),
    # slightly rounded
    # slightly rounded; the recogniser also hears many unstressed "uh"s as UH
    **dict.fromkeys(("AO", "ER", "UH"), (Mouth.ROUNDED,)),
    # narrow vowels and most consonants: teeth together, lips a little apart
    **dict.fromkeys(
        ("IH", "IY", "K", "G", "NG", "N", "T", "D", "S", "Z", "SH", "ZH", "CH", "JH", "TH", "DH", "Y", "R"),
        (Mouth.SLIGHTLY_OPEN,),
    ),
    "EY": (Mouth.OPEN, Mouth.SLIGHTLY_OPEN),
    "AY": (Mouth.WIDE, Mouth.SLIGHTLY_OPEN),
    "AW": (Mouth.WIDE, Mouth.PUCKERED),
    "OW": (Mouth.ROUNDED, Mouth.PUCKERED),
    "OY": (Mouth.ROUNDED, Mouth.SLIGHTLY_OPEN),
}
#: an "h" is breath through the mouth of the vowel after it, as Rhubarb draws it
ASPIRATE = "HH"
#: a pause inside speech (a comma, a breath): the beak shuts but the bird still "talks"
PAUSE_SHAPE = Mouth.CLOSED
#: frames a shape is held at least; one 83 ms frame reads as a flicker at 12 fps
MIN_HOLD = 2
#: longest stretch sent to PocketSphinx as one utterance; its search grows with utterance length
MAX_UTTERANCE = 30.0


@dataclass(frozen=True)
class Phone:
    """One phone heard by PocketSphinx, in seconds."""

    start: float
    end: float
    name: str


def phone_decoder():
    """A PocketSphinx decoder in allphone mode (phones, no words), quiet on stderr."""
    from pocketsphinx import Decoder, get_model_path

    model = os.path.join(get_model_path(), "en-us", "en-us-phone.lm.bin")
    # settings from the PocketSphinx docs for phone recognition; wide beams keep rare phones
    return Decoder(samprate=SAMPLE_RATE, allphone=model, lw=2.0, pip=0.3, beam=1e-10, pbeam=1e-10, loglevel="FATAL")


def hear_phones(
    blocks: Iterable[np.ndarray],
    segments: Sequence[Segment],
    *,
    on_segment: Callable[[float], None] | None = None,
) -> list[Phone]:
    """Phones in each speech segment of a 16 kHz mono stream, decoded one segment at a time.

    :param on_segment: called with the end time (s) of each finished utterance.
    """
    pieces = [piece for seg in segments for piece in _pieces(seg)]
    if not pieces:
        return []
    decoder = phone_decoder()
    phones: list[Phone] = []
    index, position, open_utt = 0, 0, False
    bounds = [(int(p.start * SAMPLE_RATE), int(p.end * SAMPLE_RATE)) for p in pieces]
    for block in blocks:
        block_end = position + len(block)
        while index < len(bounds):
            start, end = bounds[index]
            if start >= block_end:
                break
            lo, hi = max(start, position), min(end, block_end)
            if hi > lo:
                if not open_utt:
                    decoder.start_utt()
                    open_utt = True
                decoder.process_raw(block[lo - position : hi - position].tobytes(), False, False)
            if end > block_end:
                break
            phones += _finish(decoder, start / SAMPLE_RATE) if open_utt else []
            open_utt = False
            if on_segment is not None:
                on_segment(end / SAMPLE_RATE)
            index += 1
        position = block_end
    if open_utt:
        phones += _finish(decoder, bounds[index][0] / SAMPLE_RATE)
    return phones


def mouths_from_phones(phones: Sequence[Phone], segments: Sequence[Segment], frames: int) -> list[Mouth]:
    """One mouth per flock frame: the shape of the phone under the frame's middle.

    Outside speech the beak rests (X); inside, a pause closes it (A).
    """
    shapes = [Mouth.REST] * frames
    for seg in segments:
        for f in _frame_range(seg, frames):
            shapes[f] = PAUSE_SHAPE
    for index, phone in enumerate(phones):
        name = phone.name.upper()
        if name == ASPIRATE:
            name = phones[index + 1].name.upper() if index + 1 < len(phones) else "AH"
        parts = PHONE_SHAPES.get(name)
        if parts is None:
            continue
        span = (phone.end - phone.start) / len(parts)
        for i, shape in enumerate(parts):
            first = int(np.ceil((phone.start + i * span) * FLOCK_FPS - 0.5))
            last = int(np.ceil((phone.start + (i + 1) * span) * FLOCK_FPS - 0.5))
            for f in range(max(0, first), min(frames, last)):
                if shapes[f] is not Mouth.REST:
                    shapes[f] = shape
    return shapes


def mouths_from_loudness(analysis: FrameAnalysis, segments: Sequence[Segment], frames: int) -> list[Mouth]:
    """One mouth per flock frame from loudness and spectral shape, for when no phones are heard.

    Louder opens the beak wider (speech peaks are the open vowels); a low
    spectral centroid rounds it ("oo", "oh"), a high one keeps it narrow ("ee", "s").
    """
    shapes = [Mouth.REST] * frames
    step = RATE / FLOCK_FPS
    floor = noise_floor(analysis.level_db)
    for seg in segments:
        lo, hi = int(seg.start * RATE), int(seg.end * RATE)
        levels = analysis.level_db[lo:hi]
        if len(levels) == 0:
            continue
        peak = float(np.percentile(levels, 95))
        # a studio's digital silence is no floor for openness: 40 dB of range is what a voice uses
        low = max(floor, peak - 40.0)
        for f in _frame_range(seg, frames):
            a, b = int(f * step), max(int(f * step) + 1, int((f + 1) * step))
            level = float(np.mean(analysis.level_db[a:b]))
            centroid = float(np.mean(analysis.centroid[a:b]))
            # openness 0..1 between the noise floor and the segment's loud peaks
            openness = (level - low) / max(peak - low, 1.0)
            shapes[f] = _loudness_shape(openness, centroid)
    return shapes


def hold_shapes(shapes: list[Mouth], min_hold: int = MIN_HOLD) -> str:
    """Join the shapes into the mouth track, each shape lasting at least ``min_hold`` frames.

    A shape too short to see borrows frames from a long neighbour (one that
    can spare them and stay ``min_hold`` long), so quick speech keeps its
    variety; with no such neighbour it gives way to the shape before it. The
    resting beak (X) is never shortened or lengthened: silence stays exact.
    """
    runs = [[shape, 1] for shape in shapes[:1]]
    for shape in shapes[1:]:
        if shape == runs[-1][0]:
            runs[-1][1] += 1
        else:
            runs.append([shape, 1])
    for i, run in enumerate(runs):
        if run[1] >= min_hold or run[0] is Mouth.REST:
            continue
        need = min_hold - run[1]
        for k in (i + 1, i - 1):
            if 0 <= k < len(runs) and runs[k][0] is not Mouth.REST and runs[k][1] >= min_hold + need:
                runs[k][1] -= need
                run[1] += need
                break
        else:
            if i > 0 and runs[i - 1][0] is not Mouth.REST:
                run[0] = runs[i - 1][0]
            elif i + 1 < len(runs) and runs[i + 1][0] is not Mouth.REST:
                run[0] = runs[i + 1][0]
    return "".join(shape.value * length for shape, length in runs)


def _loudness_shape(openness: float, centroid: float) -> Mouth:
    if openness < 0.25:
        return Mouth.CLOSED
    if openness < 0.55:
        return Mouth.SLIGHTLY_OPEN if centroid > 1500 else Mouth.PUCKERED
    if openness < 0.8:
        return Mouth.OPEN if centroid > 1000 else Mouth.ROUNDED
    return Mouth.WIDE


def _frame_range(seg: Segment, frames: int) -> range:
    return range(max(0, int(round(seg.start * FLOCK_FPS))), min(frames, int(round(seg.end * FLOCK_FPS))))


def _pieces(seg: Segment) -> list[Segment]:
    """``seg`` cut into utterances of at most MAX_UTTERANCE seconds."""
    count = max(1, int(np.ceil(seg.duration / MAX_UTTERANCE)))
    step = seg.duration / count
    return [Segment(seg.start + i * step, seg.start + (i + 1) * step) for i in range(count)]


def _finish(decoder, offset: float) -> list[Phone]:
    decoder.end_utt()
    return [
        Phone(offset + s.start_frame / RATE, offset + (s.end_frame + 1) / RATE, s.word)
        for s in decoder.seg()
        if s.word not in ("SIL", "+NSN+", "+SPN+", "+BREATH+")
    ]
