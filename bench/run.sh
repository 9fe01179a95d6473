#!/usr/bin/env bash
# Runs the scanner benchmark: verifier-scan vs zxing-cpp on the same images, same run.
#   bench/run.sh [PHOTO_DIR] [extra verifier-bench arguments...]
# PHOTO_DIR defaults to ../shared/qr-photos/zxing (relative to the repository root).
# The generated phone shots (--phone 10: 10 per category, 2-12 MP) are rendered at bench time.
# Installs the Python side (zxing-cpp, numpy) with pip when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
photos="${1:-../shared/qr-photos/zxing}"
shift || true
python3 -c 'import zxingcpp, numpy' 2>/dev/null || python3 -m pip install --quiet zxing-cpp numpy
cargo build --release -p verifier-bench
target_dir="${CARGO_TARGET_DIR:-target}"
args=(--synthetic 30 --camera 120 --phone 10)
[ -d "$photos" ] && args=(--photos "$photos" "${args[@]}")
exec "$target_dir/release/verifier-bench" "${args[@]}" "$@"
