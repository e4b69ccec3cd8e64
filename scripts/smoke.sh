#!/usr/bin/env bash
# The README's run command, tried the way a new user does: a copy of this
# checkout with no .venv (so only requirements.txt is installed), a fresh
# instance and media folder, a free port. Passes when the home page and the
# demo panel answer, the demo recording's transcode has succeeded (its master
# playlist is served) and the panel's poster is served; otherwise it fails
# loudly with the tail of the log.
#   scripts/smoke.sh            (SMOKE_TIMEOUT=seconds, default 1200)
set -euo pipefail
cd "$(dirname "$0")/.."

limit=${SMOKE_TIMEOUT:-1200}
work=$(mktemp -d /tmp/eventsite-smoke.XXXXXX)
log="$work/run.log"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
panel="$base/events/social-media-week/what-is-social-influence/"

# What a clone holds: tracked files plus new ones, never .venv, media or instance.
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - | tar -xf - -C "$work"
mkdir -p "$work/media"

echo "==> smoke: scripts/run.sh in $work on port $port (log: $log)"
# run.sh gets a session (and process group) of its own and writes down its id,
# so stopping it can never reach this script's group, whoever started us.
pgid_file="$work/run.pgid"
( cd "$work" && EVENTSITE_PORT=$port EVENTSITE_INSTANCE_PATH="$work/instance" \
    exec setsid --wait sh -c 'echo $$ >"$0"; exec scripts/run.sh' "$pgid_file" >"$log" 2>&1 ) &
runner=$!
stop() {
  local group
  group=$(cat "$pgid_file" 2>/dev/null || true)
  if [ -n "$group" ] && [ "$group" != "$(ps -o pgid= $$ | tr -d ' ')" ]; then
    kill -TERM -- "-$group" 2>/dev/null || true
  fi
  wait "$runner" 2>/dev/null || true
}
fail() {
  echo "SMOKE FAILED: $1" >&2
  echo "---- last 60 lines of $log ----" >&2
  tail -n 60 "$log" >&2 || true
  stop
  exit 1
}
trap stop EXIT

deadline=$((SECONDS + limit))
wait_for() {  # wait_for DESCRIPTION URL
  until curl -fsS -o /dev/null "$2" 2>/dev/null; do
    kill -0 "$runner" 2>/dev/null || fail "scripts/run.sh exited before $1"
    [ $SECONDS -lt $deadline ] || fail "no $1 at $2 within ${limit}s"
    sleep 2
  done
  echo "    ok: $1"
}

wait_for "home page" "$base/"
wait_for "demo panel page" "$panel"
until page=$(curl -fsS "$panel" 2>/dev/null) && grep -q 'master\.m3u8' <<<"$page"; do
  kill -0 "$runner" 2>/dev/null || fail "scripts/run.sh exited before the demo transcode finished"
  [ $SECONDS -lt $deadline ] || fail "the demo recording was not transcoded within ${limit}s"
  sleep 3
done
playlist=$(grep -o '/media/[^"]*master\.m3u8' <<<"$page" | head -n1)
poster=$(grep -o 'poster="[^"]*"' <<<"$page" | head -n1 | sed 's/^poster="//; s/"$//')
[ -n "$poster" ] || fail "the panel page has no poster"
wait_for "master playlist" "$base$playlist"
curl -fsS "$base$playlist" | grep -q '#EXTM3U' || fail "the master playlist is not a playlist"
wait_for "poster" "$base$poster"
echo "==> smoke: passed in ${SECONDS}s"
stop
trap - EXIT
rm -rf "$work"
