#!/usr/bin/env bash
# run-all.sh — the one command that builds aslc and runs every test.
# README and CI (.ci/run) both call it:  bash tests/run-all.sh
# Installs the build tools first when one is missing (Debian/Ubuntu, as root).
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(build-essential cmake libcjson-dev libssl-dev zlib1g-dev python3 pkg-config llvm-dev clang)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2 && ctest --test-dir build -j2 --output-on-failure
