"""The background runs on originals (flock listening, automatic captions, forced
alignment, posters) open them as the upload probe does: plain files only
(``-protocol_whitelist file``), the container allow-list and the decoder allow-list.
Without the container list, an "original" that is an HLS playlist or a concat
list made ffmpeg read other files of the server; without the decoder list, any
of ffmpeg's decoders parsed it."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from eventsite.flock.audio import ListenError, pcm_blocks, probe_audio
from eventsite.transcode import TranscodeError
from eventsite.transcode.poster import take_poster

SECRET_TONE = 880


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture
def secret_wav(tmp_path):
    """A file of the server's that no upload may read: a second of tone."""
    path = tmp_path / "server-private" / "secret.wav"
    path.parent.mkdir()
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency={SECRET_TONE}:duration=1", str(path))
    return path


def playlist_original(tmp_path, secret_wav):
    path = tmp_path / "original.mp4"  # the name an upload gets; the bytes are a playlist
    path.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:{secret_wav}\n#EXT-X-ENDLIST\n")
    return path


def concat_original(tmp_path, secret_wav):
    path = tmp_path / "original.mov"
    path.write_text(f"ffconcat version 1.0\nfile '{secret_wav}'\n")
    return path


def wavpack_original(tmp_path, _secret_wav):
    """A real recording, but in a decoder outside the allow-list (WavPack in Matroska)."""
    path = tmp_path / "original.mkv"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "wavpack", str(path))
    return path


@pytest.mark.parametrize("make", [playlist_original, concat_original, wavpack_original])
def test_listening_refuses_what_the_upload_probe_refuses(tmp_path, secret_wav, make):
    original = make(tmp_path, secret_wav)
    with pytest.raises(ListenError):
        probe_audio(original)
    with pytest.raises(ListenError):
        blocks = list(pcm_blocks(original, duration=1))
        # Before: the samples of the server's own file came back as the "recording".
        assert not blocks or np.concatenate(blocks).size == 0


def test_listening_still_reads_a_plain_recording(tmp_path):
    wav = tmp_path / "talk.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", str(wav))
    assert probe_audio(wav).duration == pytest.approx(1.0, abs=0.05)
    assert sum(block.size for block in pcm_blocks(wav, duration=1)) == pytest.approx(16000, abs=400)


def test_a_poster_is_not_taken_with_a_decoder_outside_the_allow_list(tmp_path):
    original = tmp_path / "original.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=2", "-c:v", "ffv1", str(original))
    with pytest.raises(TranscodeError):
        take_poster(original, tmp_path / "poster.jpg", at=0.5, demuxer="matroska", width=160, height=120)
    assert not (tmp_path / "poster.jpg").exists()
    plain = tmp_path / "plain.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=2", "-c:v", "libx264", str(plain))
    take_poster(plain, tmp_path / "poster.jpg", at=0.5, demuxer="matroska", width=160, height=120)
    assert (tmp_path / "poster.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
