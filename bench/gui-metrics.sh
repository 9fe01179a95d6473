#!/usr/bin/env bash
# App metrics under Xvfb (issue 6 targets): time to first full frame (< 300 ms, release),
# idle CPU (≈ 0: the app repaints only when something changes) and resident memory (< 120 MB).
#   bench/gui-metrics.sh [BINARY]   (default: target/release/verifier-gui, built if missing)
# Prints a table. Runs each screen; no camera exists on CI machines, so "scanning" here is the
# Scan screen without a camera.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/verifier-gui}
scripts/ensure-system-deps.sh xvfb
[ -x "$bin" ] || cargo build --release -p verifier-gui --bin verifier-gui
work=$(mktemp -d)
export VERIFIER_IDENTITY="$work/identity" VERIFIER_STORE="$work/store.sqlite3"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" LIBGL_ALWAYS_SOFTWARE=1
export VERIFIER_TRACE_STARTUP=1
# Create the identity once so start-up measures loading, not key generation.
xvfb-run -a bash -c '"$0" >/dev/null 2>&1 & p=$!; sleep 3; kill $p' "$bin" || true
hz=$(getconf CLK_TCK)
echo "| screen | first frame ms | idle CPU % (5 s) | RSS MB |"
echo "|---|---|---|---|"
for screen in my-code contacts scan compare sas settings; do
  xvfb-run -a -s "-screen 0 1100x820x24" bash -c '
    "$0" --screen "$1" 2>"$2" >/dev/null & pid=$!
    sleep 3
    read -r -a st < /proc/$pid/stat; t1=$(( st[13] + st[14] ))
    sleep 5
    read -r -a st < /proc/$pid/stat; t2=$(( st[13] + st[14] ))
    rss=$(awk "/VmRSS/ {print \$2}" /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null || true
    ff=$(sed -n "s/.*first full frame after \([0-9.]*\) ms.*/\1/p" "$2" | head -1)
    cpu=$(awk -v d=$(( t2 - t1 )) -v hz="$3" "BEGIN {printf \"%.1f\", 100 * d / hz / 5}")
    printf "| %s | %s | %s | %.0f |\n" "$1" "${ff:-?}" "$cpu" "$(echo "$rss / 1024" | bc -l)"
  ' "$bin" "$screen" "$work/$screen.err" "$hz"
done
rm -rf "$work"
