#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs, only when they are missing.
#   ensure-system-deps.sh build   -> packages needed to compile and test
#   ensure-system-deps.sh run     -> packages needed to open the app's window (X11/GL)
#   ensure-system-deps.sh xvfb    -> build + run + a virtual X server (CI smoke run)
# On other systems it prints what to install and carries on.
set -euo pipefail

build_pkgs=(pkg-config libclang-dev)
run_pkgs=(libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 libgl1 libegl1 libwayland-client0 libwayland-cursor0 libwayland-egl1)
xvfb_pkgs=(xvfb xauth imagemagick)

want=()
case "${1:-build}" in
  build) want=("${build_pkgs[@]}") ;;
  run)   want=("${build_pkgs[@]}" "${run_pkgs[@]}") ;;
  xvfb)  want=("${build_pkgs[@]}" "${run_pkgs[@]}" "${xvfb_pkgs[@]}") ;;
  *) echo "usage: $0 build|run|xvfb" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian-like system; make sure these are installed: ${want[*]}" >&2
  exit 0
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing system packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: need root or sudo to install: ${missing[*]}" >&2
    echo "       install them by hand (apt-get install -y ${missing[*]}) and run again." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
