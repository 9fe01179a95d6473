#!/usr/bin/env bash
# App metrics under Xvfb (issue 6 targets): time to first full frame (< 300 ms, release),
# idle CPU (≈ 0: the app repaints only when something changes) and resident memory (< 120 MB,
# also while scanning).
#   bench/gui-metrics.sh [BINARY]   (default: the release build in the target dir, built if missing)
# Prints a table. Runs each screen idle, then the Scan screen with a camera: no webcam exists on
# CI machines, so the script makes 1280×720 JPEG frames (a verifier QR code on a noisy colour
# background, moving a little, and frames without a code) and plays them at 30 fps as the camera
# (`verifier-gui --camera-images DIR`: JPEG frames go through the MJPEG path like a webcam's).
# While scanning it samples VmRSS every second (steady = last 10 s, max and mean), VmHWM (peak)
# and CPU over SCAN_SECONDS (default 15), and prints the decoder's own frame rate.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
bin=${1:-$target/release/verifier-gui}
scan_secs=${SCAN_SECONDS:-15}
scripts/ensure-system-deps.sh xvfb
[ -x "$bin" ] || cargo build --release -p verifier-gui --bin verifier-gui
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export VERIFIER_IDENTITY="$work/identity" VERIFIER_STORE="$work/store.sqlite3"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" LIBGL_ALWAYS_SOFTWARE=1
export VERIFIER_TRACE_STARTUP=1
# Create the identity once so start-up measures loading, not key generation.
xvfb-run -a bash -c '"$0" >/dev/null 2>&1 & p=$!; sleep 3; kill $p' "$bin" || true

# --- camera frames: someone else's code (made with the CLI) on a noisy colour background ---
cli=$target/debug/verifier
[ -x "$cli" ] || cargo build -q -p verifier-cli
frames="$work/frames"
mkdir -p "$frames"
"$cli" keygen --identity "$work/alice" >/dev/null 2>&1
"$cli" qr --identity "$work/alice" --name Alice --module-px 5 --out "$work/code.png" >/dev/null 2>&1
convert -seed 7 -size 1280x720 plasma:tan-steelblue -blur 0x3 "$work/bg.png"
for i in $(seq 1 12); do
  out=$(printf "%s/frame-%02d.jpg" "$frames" "$i")
  if [ "$i" -le 9 ]; then
    # The code, held by a slightly moving hand: shifted and rotated a little per frame.
    x=$(( 420 + (i % 3) * 14 )); y=$(( 150 + (i % 4) * 9 )); rot=$(( (i % 5) - 2 ))
    convert "$work/bg.png" \( "$work/code.png" -background none -rotate "$rot" \) \
      -geometry "+$x+$y" -composite -attenuate 0.5 +noise Gaussian -quality 85 "$out"
  else
    convert "$work/bg.png" -roll "+$(( i * 40 ))+0" -attenuate 0.5 +noise Gaussian -quality 85 "$out"
  fi
done

hz=$(getconf CLK_TCK)
echo "| screen | first frame ms | CPU % | RSS MB |"
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
    printf "| %s (idle, 5 s) | %s | %s | %.0f |\n" "$1" "${ff:-?}" "$cpu" "$(echo "$rss / 1024" | bc -l)"
  ' "$bin" "$screen" "$work/$screen.err" "$hz"
done

# --- scanning: the Scan screen with the image-sequence camera running ---
# SCAN_SCREENSHOT=FILE also saves a screenshot of the screen while scanning.
xvfb-run -a -s "-screen 0 1100x820x24" bash -c '
  VERIFIER_TRACE_SCAN=1 "$0" --screen scan --camera-images "$1" 2>"$2" >/dev/null & pid=$!
  secs=$4
  sleep 3
  read -r -a st < /proc/$pid/stat; t1=$(( st[13] + st[14] ))
  samples=()
  for _ in $(seq 1 "$secs"); do
    sleep 1
    kill -0 $pid 2>/dev/null || { echo "the app exited while scanning:" >&2; cat "$2" >&2; exit 1; }
    samples+=("$(awk "/VmRSS/ {print \$2}" /proc/$pid/status)")
  done
  read -r -a st < /proc/$pid/stat; t2=$(( st[13] + st[14] ))
  hwm=$(awk "/VmHWM/ {print \$2}" /proc/$pid/status)
  [ -z "$5" ] || import -window root "$5"
  kill $pid; wait $pid 2>/dev/null || true
  ff=$(sed -n "s/.*first full frame after \([0-9.]*\) ms.*/\1/p" "$2" | head -1)
  cpu=$(awk -v d=$(( t2 - t1 )) -v hz="$3" -v s="$secs" "BEGIN {printf \"%.0f\", 100 * d / hz / s}")
  # Steady: the last 10 samples (the first seconds include start-up and the first frames).
  steady=$(printf "%s\n" "${samples[@]}" | tail -n 10 | awk "{ v = \$1 / 1024; if (n == 0 || v < lo) lo = v; if (v > hi) hi = v; n++ } END { printf \"%.0f–%.0f\", lo, hi }")
  printf "| scan + camera, %s s (1280×720 MJPEG, 30 fps) | %s | %s | steady %s, peak %.0f |\n" \
    "$secs" "${ff:-?}" "$cpu" "$steady" "$(echo "$hwm / 1024" | bc -l)"
  rate=$(grep "^scan:" "$2" | tail -1)
  echo
  echo "decoder: ${rate:-no frames decoded (see $2)}"
' "$bin" "$frames" "$work/scan-camera.err" "$hz" "$scan_secs" "${SCAN_SCREENSHOT:-}"
echo "(CPU % is of one core; with software GL (llvmpipe) drawing is done by the CPU too.)"
