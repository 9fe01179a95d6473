#!/usr/bin/env bash
# Runs the real app under Xvfb for a few seconds per screen with a throwaway identity and
# store, fails if it exits early or prints an error, and saves a screenshot of each screen.
#   scripts/xvfb-smoke.sh [BINARY] [OUT_DIR]   (defaults: the debug build in the target dir, a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/verifier-gui}
out=${2:-$(mktemp -d)}
secs=${SMOKE_SECONDS:-4}
scripts/ensure-system-deps.sh xvfb
[ -x "$bin" ] || cargo build -p verifier-gui --bin verifier-gui
mkdir -p "$out"
# SMOKE_WORK: a folder with a prepared identity and store.sqlite3 (scripts/screenshots.sh makes one).
work=${SMOKE_WORK:-$(mktemp -d)}
export VERIFIER_IDENTITY="$work/identity" VERIFIER_STORE="$work/store.sqlite3"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
# Software GL so it runs on machines without a GPU.
export LIBGL_ALWAYS_SOFTWARE=1
screens=${SMOKE_SCREENS:-"my-code contacts scan compare sas settings"}
# SMOKE_ARGS: extra app arguments for every screen (e.g. "--contact Alice").
read -r -a extra <<<"${SMOKE_ARGS:-}"
status=0
for screen in $screens; do
  log="$work/$screen.log"
  xvfb-run -a -s "-screen 0 1100x820x24" bash -c '
    "$0" --screen "$1" "${@:5}" >"$2" 2>&1 & pid=$!
    sleep "$3"
    if ! kill -0 $pid 2>/dev/null; then wait $pid; echo "app exited early with $?" >>"$2"; exit 1; fi
    import -window root "$4"
    kill $pid; wait $pid 2>/dev/null || true
  ' "$bin" "$screen" "$log" "$secs" "$out/screen-$screen.png" "${extra[@]}" || status=1
  if grep -qiE "panic|error" "$log"; then status=1; fi
  if [ $status -ne 0 ]; then echo "smoke run failed on screen $screen:"; cat "$log"; break; fi
  echo "ok: $screen ($out/screen-$screen.png)"
done
[ -n "${SMOKE_WORK:-}" ] || rm -rf "$work"
exit $status
