#!/usr/bin/env bash
# Set up eventsite, add the demo content, and serve it at http://127.0.0.1:5000
# (web server and job worker together). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/flask --app wsgi seed-demo

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# The job worker transcodes uploads (and the demo recording) in the background.
.venv/bin/flask --app wsgi worker &
pids+=($!)

host=${EVENTSITE_HOST:-127.0.0.1}
port=${EVENTSITE_PORT:-5000}
echo
echo "  eventsite is running at http://$host:$port/"
echo "  Studio: http://$host:$port/studio/  (organiser@example.com / eventsite-demo)"
echo
.venv/bin/gunicorn --config gunicorn.conf.py --bind "$host:$port" wsgi:app &
pids+=($!)
wait -n "${pids[@]}"
