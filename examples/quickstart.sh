#!/usr/bin/env bash
# quickstart.sh — from a fresh Debian machine to a running workflow binary:
# installs what is missing, builds aslc, compiles examples/hello_lambda and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libcjson-dev libssl-dev python3 llvm-dev libcurl4-openssl-dev libxml2-dev python3-botocore
          libmicrohttpd-dev libsqlite3-dev libpcre2-dev nodejs
          libgraphviz-dev zlib1g-dev libzstd-dev)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
build/aslc examples/hello_lambda/workflow.json --resources examples/hello_lambda/resources.json -o build/hello
echo '{"name":"PSY"}' | build/hello
