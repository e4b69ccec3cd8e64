"""Voice prints: a neural speaker embedding for a stretch of speech, on the CPU with numpy.

The encoder is the GE2E network (Wan et al., 2018) trained by Resemblyzer: 40
mel bands every 10 ms → a 3-layer LSTM of 256 units → a 256-number voice print,
the same for the same voice whatever is said. Its weights (17 MB, Apache-2.0)
install with the ``Resemblyzer`` package; Resemblyzer's own code needs torch, so
it is never imported: the weights are read here from its legacy torch pickle
with a loader that accepts tensors and nothing else, and the network is run in
numpy (it is small: about 0.2 GFLOP per 1.6 s of speech).

On the real two-person sample of the pyannote-audio package these prints put
90 % of speech with the right voice, where the timbre and pitch features used
before managed 61 % (bench/speech.py).
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import pickle
import struct
from pathlib import Path

import numpy as np

#: What the encoder was trained on: 16 kHz, 25 ms windows every 10 ms, 40 mel bands.
SAMPLE_RATE = 16000
N_FFT, HOP, N_MELS = 400, 160, 40
#: Frames per partial utterance (1.6 s) and the step between partials (50 % overlap).
PARTIAL, PARTIAL_STEP = 160, 80
#: Resemblyzer normalises every utterance to this loudness before embedding.
TARGET_DBFS = -30.0

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64, "IntStorage": np.int32}


class VoiceModelError(Exception):
    """The packaged weights are missing or not what this loader reads."""


def weights_path() -> Path:
    """Where the Resemblyzer package keeps ``pretrained.pt`` (found without importing it: it needs torch)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise VoiceModelError("The Resemblyzer package (the voice encoder's weights) is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.exists():
        raise VoiceModelError(f"{path} is missing from the Resemblyzer package.")
    return path


class _Storage:
    def __init__(self, kind: str) -> None:
        self.kind, self.data = kind, None


class _TensorsOnly(pickle.Unpickler):
    """Reads a torch legacy checkpoint's tensors and containers; any other class is refused."""

    def __init__(self, file, storages: dict) -> None:
        super().__init__(file)
        self.storages = storages

    def find_class(self, module: str, name: str):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return lambda storage, offset, size, stride, *_: ("tensor", storage, offset, tuple(size), tuple(stride))
        if module == "torch" and name in _DTYPES:
            return name
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise VoiceModelError(f"The voice encoder's weights hold {module}.{name}, which is not read.")

    def persistent_load(self, pid):
        _typ, kind, key, _location, _size = pid[:5]
        return self.storages.setdefault(key, _Storage(kind))


def _read_checkpoint(path: Path) -> dict[str, np.ndarray]:
    """The ``model_state`` tensors of a torch legacy (pre-zip) checkpoint, as numpy arrays."""
    with path.open("rb") as file:
        for _header in range(3):  # magic number, protocol version, system info
            pickle.load(file)  # noqa: S301  (plain numbers and a dict of sizes: no classes)
        storages: dict = {}
        checkpoint = _TensorsOnly(file, storages).load()
        for key in pickle.load(file):  # noqa: S301  (a list of storage keys)
            storage = storages[key]
            count = struct.unpack("<q", file.read(8))[0]
            dtype = np.dtype(_DTYPES[storage.kind])
            storage.data = np.frombuffer(file.read(count * dtype.itemsize), dtype=dtype)

    def tensor(value):
        _tag, storage, offset, size, stride = value
        step = storage.data.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(storage.data[offset:], size, [s * step for s in stride])
        return view.astype(np.float32)

    return {name: tensor(value) for name, value in checkpoint["model_state"].items() if isinstance(value, tuple)}


class VoiceEncoder:
    """GE2E speaker encoder: ``embed(samples)`` → a unit-length 256-vector."""

    def __init__(self, path: Path | None = None) -> None:
        state = _read_checkpoint(path or weights_path())
        self.layers = [
            (state[f"lstm.weight_ih_l{n}"].T.copy(), state[f"lstm.weight_hh_l{n}"].T.copy(),
             state[f"lstm.bias_ih_l{n}"] + state[f"lstm.bias_hh_l{n}"])
            for n in range(3)
        ]  # fmt: skip
        self.linear_w, self.linear_b = state["linear.weight"].T.copy(), state["linear.bias"]
        self.mel_basis = mel_filterbank()
        self.window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)

    def mel_frames(self, samples: np.ndarray) -> np.ndarray:
        """(frames, 40) mel power, as librosa's ``melspectrogram`` with Resemblyzer's settings."""
        audio = samples.astype(np.float32)
        rms = float(np.sqrt(np.mean(audio**2))) if len(audio) else 0.0
        if rms > 0:  # louder only, as Resemblyzer does (quiet voices gain, loud ones stay)
            audio = audio * max(1.0, 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20))
        audio = np.pad(audio, N_FFT // 2)
        count = 1 + (len(audio) - N_FFT) // HOP
        if count <= 0:
            return np.zeros((0, N_MELS), dtype=np.float32)
        index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
        power = np.abs(np.fft.rfft(audio[index] * self.window, n=N_FFT)) ** 2
        return (power @ self.mel_basis.T).astype(np.float32)

    def embed_frames(self, mels: np.ndarray) -> np.ndarray:
        """The voice print of mel frames: partials of 1.6 s, each embedded, averaged, normalised."""
        if len(mels) < PARTIAL:
            mels = np.concatenate([mels, np.zeros((PARTIAL - len(mels), N_MELS), dtype=np.float32)])
        starts = list(range(0, len(mels) - PARTIAL + 1, PARTIAL_STEP))
        if starts[-1] + PARTIAL < len(mels):
            starts.append(len(mels) - PARTIAL)
        partials = self._run(np.stack([mels[s : s + PARTIAL] for s in starts]))
        mean = partials.mean(axis=0)
        return mean / (np.linalg.norm(mean) + 1e-9)

    def embed(self, samples: np.ndarray) -> np.ndarray:
        """The voice print of float samples at 16 kHz (any length; short ones are padded)."""
        return self.embed_frames(self.mel_frames(samples))

    def _run(self, batch: np.ndarray) -> np.ndarray:
        """The LSTM and projection over a batch of partials (B, 160, 40) → (B, 256), unit length."""
        inputs = batch
        for w_in, w_hidden, bias in self.layers:
            size, steps, _ = inputs.shape
            h = np.zeros((size, 256), dtype=np.float32)
            c = np.zeros((size, 256), dtype=np.float32)
            projected = inputs @ w_in + bias
            outputs = np.empty((size, steps, 256), dtype=np.float32)
            for t in range(steps):
                gates = projected[:, t] + h @ w_hidden  # torch's order: input, forget, cell, output
                i, f = _sigmoid(gates[:, :256]), _sigmoid(gates[:, 256:512])
                g, o = np.tanh(gates[:, 512:768]), _sigmoid(gates[:, 768:])
                c = f * c + i * g
                h = o * np.tanh(c)
                outputs[:, t] = h
            inputs = outputs
        raw = np.maximum(h @ self.linear_w + self.linear_b, 0.0)
        return raw / (np.linalg.norm(raw, axis=1, keepdims=True) + 1e-9)


@functools.cache
def voice_encoder() -> VoiceEncoder:
    """The packaged encoder, loaded once per process (about 0.1 s)."""
    return VoiceEncoder()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def mel_filterbank(rate: int = SAMPLE_RATE, n_fft: int = N_FFT, bands: int = N_MELS) -> np.ndarray:
    """(bands, n_fft // 2 + 1) triangular filters on the Slaney mel scale, area-normalised (librosa's default)."""
    freqs = np.linspace(0, rate / 2, 1 + n_fft // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(rate / 2), bands + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    lower, upper = -ramps[:-2] / widths[:-1, None], ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    return (weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


_MEL_STEP, _LOG_STEP, _KNEE = 200.0 / 3, np.log(6.4) / 27.0, 1000.0


def _hz_to_mel(hz):
    hz = np.asanyarray(hz, dtype=float)
    return np.where(hz >= _KNEE, _KNEE / _MEL_STEP + np.log(np.maximum(hz, 1e-10) / _KNEE) / _LOG_STEP, hz / _MEL_STEP)


def _mel_to_hz(mel):
    mel = np.asanyarray(mel, dtype=float)
    return np.where(mel >= _KNEE / _MEL_STEP, _KNEE * np.exp(_LOG_STEP * (mel - _KNEE / _MEL_STEP)), _MEL_STEP * mel)
