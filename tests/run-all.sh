#!/usr/bin/env bash
# run-all.sh — the one command that builds aslc and runs every test.
# README and CI (.ci/run) both call it:  bash tests/run-all.sh
# Installs the build tools first when one is missing (Debian/Ubuntu, as root).
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(build-essential cmake libcjson-dev libssl-dev python3 pkg-config llvm-dev clang libcurl4-openssl-dev libxml2-dev python3-botocore
          libmicrohttpd-dev libsqlite3-dev python3-boto3 libpcre2-dev nodejs
          libgraphviz-dev chromium zlib1g-dev libzstd-dev zstd awscli openssl)
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

# AWS-compatible servers that the integration tests start on loopback
# (tests/check_aws_*.py), and playwright-core, from npm, into build/npm.
if ! command -v npm >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
fi
# playwright-core drives Debian's chromium for report/chromium (no browser of its own).
if [ ! -x build/npm/node_modules/.bin/dynalite ] || [ ! -x build/npm/node_modules/.bin/s3rver ] ||
   [ ! -d build/npm/node_modules/@aws-sdk/client-sfn ] || [ ! -d build/npm/node_modules/playwright-core ]; then
  mkdir -p build/npm
  npm install --prefix build/npm --no-audit --no-fund --loglevel=error dynalite@3 s3rver@3 @aws-sdk/client-sfn@3 playwright-core@1 ||
    echo "warning: dynalite, s3rver, @aws-sdk/client-sfn or playwright-core could not be installed; the tests that need them will be skipped or fail"
fi

cmake -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2 && ctest --test-dir build -j2 --output-on-failure
