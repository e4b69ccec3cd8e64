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
  # The locks carry a hash for every file: a changed download is refused.
  .venv/bin/pip install -q --disable-pip-version-check --require-hashes -r "$req"
  rm -f .venv/.installed-*; touch "$stamp"
fi

if [ -f package.json ]; then
  lockstamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$lockstamp" ]; then
    echo "==> Installing front-end packages from npm"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$lockstamp"
  fi
  npm run --silent vendor
fi

echo "==> Applying database migrations"
.venv/bin/flask --app wsgi db upgrade 2>&1 | grep -v '^INFO' || true
