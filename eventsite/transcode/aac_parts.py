"""One sound encoded in parts on several cores, joined into one AAC stream without a seam.

ffmpeg's AAC encoder runs on one thread, and for a web-ready upload it is most of
the time to playable (an hour of stereo: about a minute of one core). So the
sound pass cuts the normalised sound into parts, one per core, encodes them at
once and joins their frames. What makes the joins invisible:

- **Cuts on the frame grid.** AAC codes 1024 samples per frame, and frame *j* of
  an encode that starts at sample *T* is the transform of samples
  ``[T + (j-2)*1024, T + j*1024)`` (the first 1024 are the encoder's priming).
  Every cut is a multiple of 1024 samples at the published rate, so each part's
  frames fall on the grid of one encode of the whole sound.
- **Overlaps.** A part starts ``LEAD_FRAMES`` before its share and runs
  ``TAIL_FRAMES`` past it, so the limiter (its 50 ms release) and the encoder's
  analysis are settled on the same sound as the neighbour's encode where its kept
  frames begin and end; the extra frames are dropped. Each frame kept at a join
  was coded from the true signal on both sides, so the decoder's overlap-add
  there cancels as it does inside one encode.
- **One container.** The kept frames (ADTS) are written as one stream and copied
  into the MP4, its start moved back by the priming so it plays from sample 0
  exactly as a single encode does.

Measured on the pyannote sample (real speech, normalised, 2 and 4 parts): the
joined stream has as many frames and samples as one encode and starts at the same
sample; before the first join its frames are the single encode's, bit for bit;
after a join the encoder's choices drift from the single encode's as any two
encodes' do, to the same quality (31.5 against 31.4 dB SNR to the normalised
sound over the whole file), and within 2048 samples of each join the error is no
larger than the single encode's worst anywhere (34-45 dB SNR there, where a click
would be near 0) (tests/transcode/test_sound_parts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

#: samples per AAC-LC frame
AAC_FRAME = 1024
#: frames a part starts before its share (~0.5 s at 48 kHz: ten of the limiter's release times)
LEAD_FRAMES = 24
#: frames a part runs past its share, so its last kept frames see what follows
TAIL_FRAMES = 4


@dataclass(frozen=True)
class Part:
    """One part of the sound: the samples it encodes, and which of its frames are kept."""

    #: first and one-past-last sample encoded (at the published rate); None: to the end
    start: int
    end: int | None
    #: the frames of its encode kept in the joined stream: ``frames[first:last]``; None to the end
    first: int
    last: int | None


def plan_parts(samples: int, parts: int, min_samples: int) -> list[Part]:
    """Cut ``samples`` into at most ``parts`` parts of at least ``min_samples`` each.

    One part (the whole sound, every frame kept) when the sound is too short to share.
    """
    if samples <= 0:
        return [Part(0, None, 0, None)]
    count = max(1, min(parts, samples // max(min_samples, AAC_FRAME)))
    frames = samples // AAC_FRAME
    cuts = [0] + [round(frames * i / count) * AAC_FRAME for i in range(1, count)] + [samples]
    lead, tail = LEAD_FRAMES * AAC_FRAME, TAIL_FRAMES * AAC_FRAME
    result = []
    for i in range(count):
        share_start, share_end = cuts[i], cuts[i + 1]
        start = max(0, share_start - lead)
        last_part = i == count - 1
        end = None if last_part else min(samples, share_end + tail)
        # frame j covers [start + (j-2)F, start + jF): the first kept one starts at share_start - F,
        # the last kept one ends at share_end (the next part's first kept one starts at share_end - F)
        first = 0 if i == 0 else (share_start - start) // AAC_FRAME + 1
        last = None if last_part else (share_end - start) // AAC_FRAME + 1
        result.append(Part(start, end, first, last))
    return result


class BadStream(ValueError):
    """An encoder's output is not the ADTS stream it should be."""


def adts_frames(data: bytes) -> list[bytes]:
    """The frames of an ADTS stream (each with its 7- or 9-byte header)."""
    frames, i = [], 0
    while i < len(data):
        if len(data) - i < 7 or data[i] != 0xFF or data[i + 1] & 0xF6 != 0xF0:
            raise BadStream(f"no ADTS frame header at byte {i}")
        length = ((data[i + 3] & 0x03) << 11) | (data[i + 4] << 3) | (data[i + 5] >> 5)
        if length < 7 or i + length > len(data):
            raise BadStream(f"an ADTS frame at byte {i} runs past the end")
        frames.append(data[i : i + length])
        i += length
    return frames


def join(parts: list[Part], streams: list[bytes]) -> bytes:
    """The kept frames of each part's encode (ADTS, in order) as one ADTS stream."""
    joined = []
    for part, data in zip(parts, streams, strict=True):
        frames = adts_frames(data)
        if part.last is not None and part.last > len(frames):
            raise BadStream(f"a part has {len(frames)} frames, {part.last} were expected")
        joined += frames[part.first : part.last]
    return b"".join(joined)


def flac_samples(header: bytes) -> int:
    """The total number of samples a FLAC file's STREAMINFO records (0 when it was not known)."""
    if len(header) < 42 or header[:4] != b"fLaC" or header[4] & 0x7F != 0:
        raise BadStream("not a FLAC file with its STREAMINFO first")
    info = header[8:42]
    # 20 bits rate, 3 channels, 5 bits per sample, then 36 bits of total samples
    return ((info[13] & 0x0F) << 32) | int.from_bytes(info[14:18], "big")
