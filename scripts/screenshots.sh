#!/usr/bin/env bash
# Screenshots of every screen for docs/screenshots/, with a trust store holding a verified,
# an unverified and a key-changed contact (made with the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p verifier-cli -p verifier-gui
v=target/debug/verifier
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
SMOKE_WORK="$work" SMOKE_ARGS="--contact Alice" scripts/xvfb-smoke.sh target/debug/verifier-gui docs/screenshots
# The key-change flow: Compare codes with Bob, whose key changed (old and new key side by side).
SMOKE_WORK="$work" SMOKE_SCREENS=compare SMOKE_ARGS="--contact Bob" scripts/xvfb-smoke.sh target/debug/verifier-gui "$work/bob"
cp "$work/bob/screen-compare.png" docs/screenshots/screen-compare-key-change.png
rm -rf "$work"
