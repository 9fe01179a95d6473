#!/usr/bin/env bash
# Screenshots of every screen for docs/screenshots/, with a trust store holding a verified,
# an unverified and a key-changed contact (made with the CLI).
#   scripts/screenshots.sh [--text-scale N] [--theme light|dark] [--out DIR]
# Defaults: the saved look (text size 1.0, the system theme) into docs/screenshots/. With a
# text size or theme, the file names say so: screen-my-code-3.0x-dark.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots suffix="" app_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --text-scale) suffix="$suffix-${2}x"; app_args+=(--text-scale "$2"); shift 2 ;;
    --theme) suffix="$suffix-$2"; app_args+=(--theme "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--text-scale N] [--theme light|dark] [--out DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
cargo build -q -p verifier-cli -p verifier-gui
bin=${CARGO_TARGET_DIR:-target}/debug
v=$bin/verifier
work=$(mktemp -d)
export VERIFIER_IDENTITY="$work/identity" VERIFIER_STORE="$work/store.sqlite3"
$v keygen >/dev/null
key() { $v keygen --identity "$work/$1" --json | sed 's/.*"public_key":"\([^"]*\)".*/\1/'; }
alice=$(key alice); bob=$(key bob); bob2=$(key bob2); carol=$(key carol)
$v contacts add Alice "$alice" >/dev/null
$v contacts verify Alice --key "$alice" >/dev/null
$v contacts add Bob "$bob" >/dev/null
$v contacts verify Bob --key "$bob" >/dev/null
$v contacts observe Bob "$bob2" >/dev/null || true   # exit 3: key changed
$v contacts add Carol "$carol" >/dev/null
SMOKE_WORK="$work" SMOKE_ARGS="--contact Alice ${app_args[*]}" scripts/xvfb-smoke.sh "$bin/verifier-gui" "$work/shots"
# The key-change flow: comparing codes with Bob, whose key changed (old and new key side by side).
SMOKE_WORK="$work" SMOKE_SCREENS=compare SMOKE_ARGS="--contact Bob ${app_args[*]}" scripts/xvfb-smoke.sh "$bin/verifier-gui" "$work/bob-shots"
for f in "$work"/shots/screen-*.png; do
  name=$(basename "$f" .png)
  cp "$f" "$out/$name$suffix.png"
done
cp "$work/bob-shots/screen-compare.png" "$out/screen-compare-key-change$suffix.png"
rm -rf "$work"
