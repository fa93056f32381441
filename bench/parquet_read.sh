#!/usr/bin/env bash
# parquet_read.sh — the Parquet ItemReader's speed (bench/parquet_read.c):
# writes a file of ROWS rows (default 1,000,000: id, city, score, day) with
# arrow-rs (npm parquet-wasm, as tests/parquet/make_fixtures.js) in each of
# SNAPPY + dictionary (v1 pages) and ZSTD without dictionary (v2 pages, DELTA
# encodings), then times reading it against the same rows as JSON Lines.
#   npm install --prefix /tmp/pq parquet-wasm@0.6 apache-arrow@17
#   NODE_PATH=/tmp/pq/node_modules bench/parquet_read.sh [ROWS]    (after building build/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
rows="${1:-1000000}"
work="${TMPDIR:-/tmp}/aslc-parquet-bench"
mkdir -p "$work"
node -e '
const arrow = require("apache-arrow"), pq = require("parquet-wasm/node"), fs = require("fs");
const n = +process.argv[1], dir = process.argv[2];
const id = new Int32Array(n), score = new Float64Array(n), city = [], day = [];
for (let i = 0; i < n; i++) {
  id[i] = i; score[i] = i * 1.5; city.push(["Oslo", "Lima", "Pune", "Kyiv"][i % 4] + (i % 100));
  day.push(new Date(Date.UTC(2024, 0, 1 + (i % 365))));
}
const t = new arrow.Table({id: arrow.makeVector(id), city: arrow.vectorFromArray(city, new arrow.Utf8()),
                           score: arrow.makeVector(score), day: arrow.vectorFromArray(day, new arrow.DateDay())});
const w = pq.Table.fromIPCStream(arrow.tableToIPC(t, "stream"));
const C = pq.Compression;
fs.writeFileSync(dir + "/snappy_dict.parquet", pq.writeParquet(w, new pq.WriterPropertiesBuilder()
  .setCompression(C.SNAPPY).setDictionaryEnabled(true).build()));
const w2 = pq.Table.fromIPCStream(arrow.tableToIPC(t, "stream"));
fs.writeFileSync(dir + "/zstd_delta.parquet", pq.writeParquet(w2, new pq.WriterPropertiesBuilder()
  .setCompression(C.ZSTD).setDictionaryEnabled(false).setWriterVersion(pq.WriterVersion.V2).build()));
' "$rows" "$work"
"${CC:-cc}" -O2 -I"$root/runtime" -o "$work/parquet_read" "$here/parquet_read.c" "$root/build/libaslrt.a" -lzstd -lz -lm -lpthread
for f in snappy_dict zstd_delta; do
  printf '%s: ' "$f"
  "$work/parquet_read" "$work/$f.parquet" 5
done
