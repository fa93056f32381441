// make_fixtures.js — writes the Parquet files of the map_reader_parquet*
// golden cases with an independent writer (arrow-rs's, through npm
// parquet-wasm; Arrow tables built with npm apache-arrow), so that aslc's
// reader (runtime/parquet.c) is checked against another implementation.
// The files are committed; run this only to remake them:
//   npm install --prefix /tmp/pq parquet-wasm@0.6 apache-arrow@17
//   NODE_PATH=/tmp/pq/node_modules node tests/parquet/make_fixtures.js tests/golden
'use strict';
const fs = require('fs');
const path = require('path');
const arrow = require('apache-arrow');
const pq = require('parquet-wasm/node');

const out = process.argv[2] || 'tests/golden';

function write(file, table, opts) {
  let b = new pq.WriterPropertiesBuilder()
    .setCompression(opts.codec)
    .setDictionaryEnabled(opts.dict)
    .setWriterVersion(opts.v2 ? pq.WriterVersion.V2 : pq.WriterVersion.V1)
    .setMaxRowGroupSize(opts.rowGroup || 1024 * 1024)
    .setDataPageSizeLimit(opts.pageSize || 1024 * 1024);
  for (const [col, enc] of Object.entries(opts.encodings || {})) b = b.setColumnEncoding(col, enc);
  const t = pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const bytes = pq.writeParquet(t, b.build());
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, bytes);
}

// Decimal128 values (scale 2) as the four little-endian 32-bit words Arrow keeps.
function decimals(vals, precision, scale) {
  const words = new Uint32Array(vals.length * 4);
  const valid = new Uint8Array(Math.ceil(vals.length / 8));
  vals.forEach((v, i) => {
    if (v === null) return;
    valid[i >> 3] |= 1 << (i & 7);
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) { words[i * 4 + w] = Number(x & 0xffffffffn); x >>= 32n; }
  });
  const type = new arrow.Decimal(scale, precision, 128);
  return arrow.makeVector(arrow.makeData({type, length: vals.length, nullCount: vals.filter(v => v === null).length,
                                          data: words, nullBitmap: valid}));
}

// Every type, with nulls, in a few rows.
function typesTable() {
  const v = (vals, type) => arrow.vectorFromArray(vals, type);
  return new arrow.Table({
    b: v([true, false, null, true], new arrow.Bool()),
    i8: v([-128, 127, null, 0], new arrow.Int8()),
    i16: v([-32768, 32767, 5, null], new arrow.Int16()),
    i32: v([-2147483648, 2147483647, null, 42], new arrow.Int32()),
    i64: v([-9007199254740993n, 9223372036854775807n, null, 7n], new arrow.Int64()),
    u32: v([4294967295, 0, 1, null], new arrow.Uint32()),
    u64: v([18446744073709551615n, 0n, null, 3n], new arrow.Uint64()),
    f32: v([0.1, -2.5, null, 3e38], new arrow.Float32()),
    f64: v([0.1, NaN, -Infinity, null], new arrow.Float64()),
    s: v(['héllo', '', null, 'a "quoted" \\ line\n'], new arrow.Utf8()),
    bin: v([new Uint8Array([0, 1, 2]), new Uint8Array([]), null, new Uint8Array([255])], new arrow.Binary()),
    dec9: decimals([12345n, -5n, null, 0n], 9, 2),
    dec18: decimals([123456789012345678n, -1n, 100n, null], 18, 4),
    dec38: decimals([-12345678901234567890123456789012345678n, 5n, null, 10n], 38, 10),
    date: v([new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(1969, 11, 31)), null, new Date(0)], new arrow.DateDay()),
    ts_ms: v([Date.UTC(2024, 0, 2, 3, 4, 5, 678), 0, null, -1], new arrow.TimestampMillisecond('UTC')),
    ts_us_local: v([1700000000123, null, 0, 1], new arrow.TimestampMicrosecond()),  // ms, as Arrow JS takes them
    t_ms: v([3723004, 0, null, 86399999], new arrow.TimeMillisecond()),
    fsb: v([new Uint8Array([1, 2, 3, 4]), null, new Uint8Array([0, 0, 0, 0]), new Uint8Array([255, 255, 255, 255])],
           new arrow.FixedSizeBinary(4)),
  });
}

// Many rows: several row groups and pages, values repeating (dictionary) or not.
function manyTable(n) {
  const id = [], city = [], score = [];
  for (let i = 0; i < n; i++) {
    id.push(i);
    city.push(i % 7 === 3 ? null : ['Oslo', 'Lima', 'Pune', 'Kyiv'][i % 4]);
    score.push(i % 5 === 0 ? null : i * 1.5);
  }
  return new arrow.Table({
    id: arrow.vectorFromArray(id, new arrow.Int32()),
    city: arrow.vectorFromArray(city, new arrow.Utf8()),
    score: arrow.vectorFromArray(score, new arrow.Float64()),
  });
}

const C = pq.Compression;
const g = (c, f) => path.join(out, c, 'buckets', 'data', f);
// every type, with and without dictionaries, data pages v1 and v2
write(g('map_reader_parquet_types', 'plain_v1.parquet'), typesTable(), {codec: C.UNCOMPRESSED, dict: false});
write(g('map_reader_parquet_types', 'dict_v2.parquet'), typesTable(), {codec: C.SNAPPY, dict: true, v2: true});
// without dictionaries, v2 pages take the DELTA encodings (integers, binary); floats and a
// string column are asked for BYTE_STREAM_SPLIT and DELTA_LENGTH_BYTE_ARRAY
const E = pq.Encoding;
write(g('map_reader_parquet_types', 'delta_v2.parquet'), typesTable(),
      {codec: C.ZSTD, dict: false, v2: true,
       encodings: {f32: E.BYTE_STREAM_SPLIT, f64: E.BYTE_STREAM_SPLIT, s: E.DELTA_LENGTH_BYTE_ARRAY,
                   bin: E.DELTA_BYTE_ARRAY, i64: E.DELTA_BINARY_PACKED, dec38: E.DELTA_BYTE_ARRAY}});
// each codec, several row groups and pages, LOAD_AND_FLATTEN over them
const opts = {dict: true, rowGroup: 40, pageSize: 64};
write(g('map_reader_parquet_codecs', 'rows/a_none.parquet'), manyTable(100), {...opts, codec: C.UNCOMPRESSED});
write(g('map_reader_parquet_codecs', 'rows/b_snappy.parquet'), manyTable(100), {...opts, codec: C.SNAPPY, v2: true});
write(g('map_reader_parquet_codecs', 'rows/c_gzip.parquet'), manyTable(100), {...opts, codec: C.GZIP});
write(g('map_reader_parquet_codecs', 'rows/d_zstd.parquet'), manyTable(100), {...opts, codec: C.ZSTD, dict: false});
// one row group, one page: DELTA_BINARY_PACKED over several miniblocks, DELTA_BYTE_ARRAY
write(g('map_reader_parquet_codecs', 'rows/e_delta.parquet'), manyTable(100),
      {codec: C.SNAPPY, dict: false, v2: true, rowGroup: 100, pageSize: 1 << 20});
// a nested column, refused
const nested = new arrow.Table({
  id: arrow.vectorFromArray([1, 2], new arrow.Int32()),
  tags: arrow.vectorFromArray([[1, 2], [3]], new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
});
write(g('map_reader_parquet_nested', 'nested.parquet'), nested, {codec: C.SNAPPY, dict: true});
// Athena UNLOAD's Parquet data files, named by a manifest
write(g('map_reader_athena_parquet', 'unload/20250101_000000_00001_abcde_0.parquet'), manyTable(3), {codec: C.GZIP, dict: true});
write(path.join(out, 'map_reader_athena_parquet', 'buckets', 'other', 'unload/20250101_000000_00001_abcde_1.parquet'),
      manyTable(5), {codec: C.SNAPPY, dict: false});
// the same files for the JSONata form of that case
for (const [b, f, n, o] of [['data', 'unload/20250101_000000_00001_abcde_0.parquet', 3, {codec: C.GZIP, dict: true}],
                            ['other', 'unload/20250101_000000_00001_abcde_1.parquet', 5, {codec: C.SNAPPY, dict: false}]])
  write(path.join(out, 'map_reader_athena_jsonata', 'buckets', b, f), manyTable(n), o);
