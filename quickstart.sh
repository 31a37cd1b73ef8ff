#!/usr/bin/env bash
# Strata quick start for Debian/Ubuntu with Rust (rustup) installed:
# installs missing system packages, builds the release plugin bundles and the standalone
# program (one cargo run, so the shared dependencies compile once), installs the bundles into
# ~/.clap and ~/.vst3, then starts the standalone program.
set -euo pipefail
cd "$(dirname "$0")"

mapfile -t packages < <(grep -v '^\s*#' scripts/debian-packages.txt | grep -v '^\s*$')
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "==> Installing missing system packages: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
else
    echo "==> System packages present: ${packages[*]}"
fi

echo "==> Building the release bundles and the standalone; installing the bundles into ~/.clap and ~/.vst3"
cargo xtask install

echo "==> Starting the standalone program"
exec "${CARGO_TARGET_DIR:-target}/release/strata-standalone" "$@"
