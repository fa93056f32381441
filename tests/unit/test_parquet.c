/*
 * test_parquet.c — unit tests for the Parquet reader of a Distributed Map's
 * ItemReader (runtime/parquet.c), on the files of the map_reader_parquet*
 * golden cases (written by arrow-rs: tests/parquet/make_fixtures.js).  The
 * golden cases compare numbers as doubles; here the exact JSON text is
 * checked (64-bit integers, decimals with their scale), MaxItems across row
 * groups, and that every truncation and many corruptions of a file fail with
 * a message or read, never crash (run under the sanitizers in CI).  Files
 * made here byte by byte cover what arrow-rs does not write: INT96, the
 * converted types of older writers, TIME and TIMESTAMP units, UUID, unsigned
 * INTEGER, DECIMAL on BYTE_ARRAY, and a codec and a column aslc refuses.
 */
#include "itemio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static unsigned char *slurp(const char *rel, size_t *n)
{
    char path[4096];
    const char *src = __FILE__;   /* tests/unit/test_parquet.c */
    const char *slash = strrchr(src, '/');
    snprintf(path, sizeof path, "%.*s/../golden/%s", slash ? (int)(slash - src) : 1, slash ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    unsigned char *d = malloc((size_t)len);
    *n = fread(d, 1, (size_t)len, f);
    fclose(f);
    return d;
}

/* The rows of file (at most max) as JSON text, or "!" and the message. */
static const char *rows(asl_arena *a, const unsigned char *d, size_t n, uint32_t max)
{
    asl_value *into = asl_array(a, 4);
    char err[256];
    if (!asl_pq_read(a, d, n, max, into, err, sizeof err)) return asl_sprintf(a, "!%s", err);
    return asl_json_string(a, into, NULL);
}

static void test_types(asl_arena *a)
{
    size_t n1, n2;
    unsigned char *plain = slurp("map_reader_parquet_types/buckets/data/plain_v1.parquet", &n1);
    unsigned char *dict = slurp("map_reader_parquet_types/buckets/data/dict_v2.parquet", &n2);
    const char *p = rows(a, plain, n1, 100), *d = rows(a, dict, n2, 100);
    CHECK_STR(d, p);   /* dictionaries, v2 pages and SNAPPY read as PLAIN v1 does */
    CHECK(strstr(p, "\"i64\":-9007199254740993,") != NULL);
    CHECK(strstr(p, "\"i64\":9223372036854775807,") != NULL);
    CHECK(strstr(p, "\"u64\":18446744073709551615,") != NULL);
    CHECK(strstr(p, "\"dec18\":12345678901234.5678,") != NULL);
    CHECK(strstr(p, "\"dec38\":-1234567890123456789012345678.9012345678,") != NULL);
    CHECK(strstr(p, "\"dec9\":0.00,") != NULL);
    CHECK(strstr(p, "\"f32\":0.1,\"f64\":0.1,") != NULL);   /* the float's shortest text */
    CHECK(strstr(p, "\"f64\":\"NaN\"") != NULL);
    CHECK(strstr(p, "\"ts_ms\":\"1969-12-31T23:59:59.999Z\"") != NULL);
    CHECK(strstr(p, "\"ts_us_local\":\"2023-11-14T22:13:20.123000\"") != NULL);
    CHECK(strstr(p, "\"b\":null,\"i8\":null") != NULL);
    CHECK_STR(rows(a, plain, n1, 1),
              "[{\"b\":true,\"i8\":-128,\"i16\":-32768,\"i32\":-2147483648,\"i64\":-9007199254740993,"
              "\"u32\":4294967295,\"u64\":18446744073709551615,\"f32\":0.1,\"f64\":0.1,\"s\":\"h\xC3\xA9llo\","
              "\"bin\":\"AAEC\",\"dec9\":123.45,\"dec18\":12345678901234.5678,"
              "\"dec38\":-1234567890123456789012345678.9012345678,\"date\":\"2024-02-29\","
              "\"ts_ms\":\"2024-01-02T03:04:05.678Z\",\"ts_us_local\":\"2023-11-14T22:13:20.123000\","
              "\"t_ms\":\"01:02:03.004\",\"fsb\":\"AQIDBA==\"}]");
    size_t n3;
    unsigned char *delta = slurp("map_reader_parquet_types/buckets/data/delta_v2.parquet", &n3);
    CHECK_STR(rows(a, delta, n3, 100), p);   /* DELTA_* and BYTE_STREAM_SPLIT, ZSTD */
    free(delta);
    free(plain);
    free(dict);
}

static void test_max_and_codecs(asl_arena *a)
{
    static const char *const files[] = {"a_none", "b_snappy", "c_gzip", "d_zstd", "e_delta"};
    const char *first = NULL;
    for (int i = 0; i < 5; i++) {
        size_t n;
        char rel[128];
        snprintf(rel, sizeof rel, "map_reader_parquet_codecs/buckets/data/rows/%s.parquet", files[i]);
        unsigned char *d = slurp(rel, &n);
        const char *all = rows(a, d, n, 1000);
        if (!first) first = all;
        CHECK_STR(all, first);   /* every codec, the same rows */
        /* 45 rows: past the first row group of 40 */
        const char *some = rows(a, d, n, 45);
        CHECK(strstr(some, "{\"id\":44,\"city\":\"Oslo\",\"score\":66}]") != NULL);
        CHECK(strstr(some, "\"id\":45") == NULL);
        free(d);
    }
    CHECK(strstr(first, "{\"id\":99,\"city\":\"Kyiv\",\"score\":148.5}]") != NULL);
    CHECK(strstr(first, "{\"id\":10,\"city\":null,\"score\":null}") != NULL);
}

static void test_refused(asl_arena *a)
{
    size_t n;
    unsigned char *d = slurp("map_reader_parquet_nested/buckets/data/nested.parquet", &n);
    CHECK_STR(rows(a, d, n, 10), "!column \"tags\" is nested (a struct, list or map), which aslc does not read");
    free(d);
    CHECK_STR(rows(a, (const unsigned char *)"PAR1", 4, 10), "!not a Parquet file (no PAR1 at its start and end)");
    CHECK_STR(rows(a, (const unsigned char *)"{\"a\": 1}\n", 9, 10), "!not a Parquet file (no PAR1 at its start and end)");
}

/* Every truncation (kept "PAR1" at the end so the footer is parsed) and
 * every single-byte change: a message or rows, no crash, no leak. */
static void test_broken(void)
{
    size_t n;
    unsigned char *d = slurp("map_reader_parquet_codecs/buckets/data/rows/b_snappy.parquet", &n);
    unsigned char *b = malloc(n);
    int failed = 0, read = 0;
    for (size_t cut = 8; cut < n; cut += 7) {
        memcpy(b, d, cut - 4);
        memcpy(b + cut - 4, "PAR1", 4);
        asl_arena *t = asl_arena_new();
        const char *r = rows(t, b, cut, 1000);
        if (r[0] == '!') failed++;
        asl_arena_free(t);
    }
    CHECK(failed > 0);
    for (size_t i = 0; i < n; i++) {
        memcpy(b, d, n);
        b[i] ^= (unsigned char)(0x5a + i);
        asl_arena *t = asl_arena_new();
        const char *r = rows(t, b, n, 1000);
        if (r[0] != '!') read++;
        else CHECK(strlen(r) > 1);   /* a failure says why */
        asl_arena_free(t);
    }
    CHECK(read > 0);   /* a changed value byte still reads */
    free(b);
    free(d);
}

/* ---- files made here: what arrow-rs does not write (INT96, converted
 * types of older writers, TIME and TIMESTAMP units, UUID, unsigned
 * INTEGER, DECIMAL on BYTE_ARRAY) and what aslc refuses --------------------- */

typedef struct {
    unsigned char b[8192];
    size_t n;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void byte(wbuf *w, unsigned v) { w->b[w->n++] = (unsigned char)v; }
static void uvar(wbuf *w, uint64_t v)
{
    for (; v >= 0x80; v >>= 7) byte(w, (unsigned)(v & 0x7f) | 0x80);
    byte(w, (unsigned)v);
}
static void ivar(wbuf *w, int64_t v) { uvar(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }
/* Thrift compact: a field header (ids ascending by at most 15), values */
static void fh(wbuf *w, int *last, int id, int type)
{
    byte(w, (unsigned)((id - *last) << 4 | type));
    *last = id;
}
static void fi(wbuf *w, int *last, int id, int64_t v) { fh(w, last, id, 6), ivar(w, v); }  /* i32 and i64 alike */
static void fs(wbuf *w, int *last, int id, const char *s)
{
    fh(w, last, id, 8);
    uvar(w, strlen(s));
    put(w, s, strlen(s));
}

typedef struct {
    const char *name;
    int type, length, repetition, converted;   /* converted -1: none */
    int scale;
    const char *logical;   /* the LogicalType struct's bytes, or NULL */
    size_t logical_len;
    const unsigned char *values;   /* PLAIN, two rows */
    size_t values_len;
} tcol;

/* A file of one row group of two rows, each column one PLAIN data page v1. */
static size_t make_file(wbuf *w, const tcol *cols, int ncols, int codec)
{
    w->n = 0;
    put(w, "PAR1", 4);
    int64_t off[16];
    for (int i = 0; i < ncols; i++) {
        off[i] = (int64_t)w->n;
        int l = 0, l2 = 0;
        fi(w, &l, 1, 0);
        fi(w, &l, 2, (int64_t)cols[i].values_len);
        fi(w, &l, 3, (int64_t)cols[i].values_len);
        fh(w, &l, 5, 12);
        fi(w, &l2, 1, 2);
        fi(w, &l2, 2, 0);
        fi(w, &l2, 3, 3);
        fi(w, &l2, 4, 3);
        byte(w, 0);
        byte(w, 0);
        put(w, cols[i].values, cols[i].values_len);
    }
    size_t meta = w->n;
    int l = 0;
    fi(w, &l, 1, 1);
    fh(w, &l, 2, 9);
    byte(w, (unsigned)((ncols + 1) << 4 | 12));
    int r = 0;
    fs(w, &r, 4, "schema");
    fi(w, &r, 5, ncols);
    byte(w, 0);
    for (int i = 0; i < ncols; i++) {
        int s = 0;
        fi(w, &s, 1, cols[i].type);
        if (cols[i].length) fi(w, &s, 2, cols[i].length);
        fi(w, &s, 3, cols[i].repetition);
        fs(w, &s, 4, cols[i].name);
        if (cols[i].converted >= 0) fi(w, &s, 6, cols[i].converted);
        if (cols[i].scale) fi(w, &s, 7, cols[i].scale);
        if (cols[i].logical) {
            fh(w, &s, 10, 12);
            put(w, cols[i].logical, cols[i].logical_len);
        }
        byte(w, 0);
    }
    fi(w, &l, 3, 2);
    fh(w, &l, 4, 9);
    byte(w, 1 << 4 | 12);
    int g = 0;
    fh(w, &g, 1, 9);
    byte(w, (unsigned)(ncols << 4 | 12));
    for (int i = 0; i < ncols; i++) {
        int c = 0, m = 0;
        fi(w, &c, 2, off[i]);
        fh(w, &c, 3, 12);
        fi(w, &m, 1, cols[i].type);
        fh(w, &m, 2, 9);
        byte(w, 1 << 4 | 5);
        ivar(w, 0);
        fh(w, &m, 3, 9);
        byte(w, 1 << 4 | 8);
        uvar(w, strlen(cols[i].name));
        put(w, cols[i].name, strlen(cols[i].name));
        fi(w, &m, 4, codec);
        fi(w, &m, 5, 2);
        int64_t size = (int64_t)(meta < (size_t)off[i] ? 0 : (i + 1 < ncols ? (size_t)off[i + 1] : meta) - (size_t)off[i]);
        fi(w, &m, 6, size);
        fi(w, &m, 7, size);
        fi(w, &m, 9, off[i]);
        byte(w, 0);
        byte(w, 0);
    }
    fi(w, &g, 2, 100);
    fi(w, &g, 3, 2);
    byte(w, 0);
    byte(w, 0);
    uint32_t flen = (uint32_t)(w->n - meta);
    unsigned char le4[4] = {(unsigned char)flen, (unsigned char)(flen >> 8), (unsigned char)(flen >> 16),
                            (unsigned char)(flen >> 24)};
    put(w, le4, 4);
    put(w, "PAR1", 4);
    return w->n;
}

static void test_made(asl_arena *a)
{
    /* INT96: nanoseconds of the day, then the Julian day (2440588: 1970-01-01) */
    static const unsigned char int96[] = {0x8e, 0xca, 0x54, 0xd4, 0x62, 0x03, 0, 0, 0x97, 0x8a, 0x25, 0,
                                          0, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x3d, 0x25, 0};
    static const unsigned char utf8[] = {2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0};
    static const unsigned char ms[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0x00, 0x5c, 0x6e, 0x2e, 0x8d, 0x01, 0, 0};   /* -1, 1705881000960 */
    static const unsigned char us[] = {0x40, 0x4b, 0x4c, 0, 0, 0, 0, 0, 0xff, 0x5f, 0xd7, 0x1d, 0x14, 0, 0, 0};
    static const unsigned char ns[] = {1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const unsigned char uuid[] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66,
                                         0x14, 0x17, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char u32[] = {0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0};
    static const unsigned char dec[] = {2, 0, 0, 0, 0x01, 0x00, 1, 0, 0, 0, 0xff};
    /* LogicalType: TIME{isAdjustedToUTC false, unit MICROS}, TIMESTAMP{true, NANOS},
     * UUID, INTEGER{32, unsigned} (each a union member's struct, then the union's stop) */
    static const char time_us[] = {0x7c, 0x12, 0x1c, 0x2c, 0x00, 0x00, 0x00, 0x00};
    static const char ts_ns[] = {(char)0x8c, 0x11, 0x1c, 0x3c, 0x00, 0x00, 0x00, 0x00};
    static const char uuid_t[] = {(char)0xec, 0x00, 0x00};
    static const char uint_t[] = {(char)0xac, 0x13, 0x20, 0x12, 0x00, 0x00};
    const tcol cols[] = {
        {"ts96", 3, 0, 0, -1, 0, NULL, 0, int96, sizeof int96},
        {"legacy_s", 6, 0, 0, 0, 0, NULL, 0, utf8, sizeof utf8},
        {"legacy_ts", 2, 0, 0, 9, 0, NULL, 0, ms, sizeof ms},
        {"t_us", 2, 0, 0, -1, 0, time_us, sizeof time_us, us, sizeof us},
        {"ts_ns", 2, 0, 0, -1, 0, ts_ns, sizeof ts_ns, ns, sizeof ns},
        {"uuid", 7, 16, 0, -1, 0, uuid_t, sizeof uuid_t, uuid, sizeof uuid},
        {"u32", 1, 0, 0, -1, 0, uint_t, sizeof uint_t, u32, sizeof u32},
        {"dec_bin", 6, 0, 0, 5, 3, NULL, 0, dec, sizeof dec},
    };
    static wbuf w;
    size_t n = make_file(&w, cols, 8, 0);
    CHECK_STR(rows(a, w.b, n, 10),
              "[{\"ts96\":\"2024-01-01T01:02:03.004005006Z\",\"legacy_s\":\"hi\","
              "\"legacy_ts\":\"1969-12-31T23:59:59.999Z\",\"t_us\":\"00:00:05.000000\","
              "\"ts_ns\":\"1970-01-01T00:00:00.000000001Z\",\"uuid\":\"123e4567-e89b-12d3-a456-426614174000\","
              "\"u32\":4294967295,\"dec_bin\":0.256},"
              "{\"ts96\":\"1970-01-01T00:00:00.000000000Z\",\"legacy_s\":\"\",\"legacy_ts\":\"2024-01-21T23:50:00.960Z\","
              "\"t_us\":\"23:59:59.999999\",\"ts_ns\":\"1969-12-31T23:59:59.999999999Z\","
              "\"uuid\":\"00000000-0000-0000-0000-000000000000\",\"u32\":7,\"dec_bin\":-0.001}]");
    /* a column name that needs JSON escapes */
    tcol odd = cols[1];
    odd.name = "a\"b\\c\n";
    n = make_file(&w, &odd, 1, 0);
    CHECK_STR(rows(a, w.b, n, 10), "[{\"a\\\"b\\\\c\\n\":\"hi\"},{\"a\\\"b\\\\c\\n\":\"\"}]");
    /* strings must be well-formed UTF-8: a surrogate, an overlong form fail */
    static const unsigned char surrogate[] = {2, 0, 0, 0, 0xc3, 0xa9, 3, 0, 0, 0, 0xed, 0xa0, 0x80};
    static const unsigned char overlong[] = {2, 0, 0, 0, 0xc3, 0xa9, 2, 0, 0, 0, 0xc0, 0xaf};
    tcol bad = cols[1];
    bad.values = surrogate;
    bad.values_len = sizeof surrogate;
    n = make_file(&w, &bad, 1, 0);
    CHECK_STR(rows(a, w.b, n, 1), "[{\"legacy_s\":\"\xC3\xA9\"}]");
    CHECK_STR(rows(a, w.b, n, 2), "!column \"legacy_s\" holds a string that is not UTF-8");
    bad.values = overlong;
    bad.values_len = sizeof overlong;
    n = make_file(&w, &bad, 1, 0);
    CHECK_STR(rows(a, w.b, n, 2), "!column \"legacy_s\" holds a string that is not UTF-8");
    /* refused: a codec aslc does not read, a repeated column */
    n = make_file(&w, cols + 1, 1, 5);
    CHECK_STR(rows(a, w.b, n, 10), "!column \"legacy_s\" is compressed with LZ4, which aslc does not read "
                                   "(it reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD)");
    tcol rep = cols[1];
    rep.repetition = 2;
    n = make_file(&w, &rep, 1, 0);
    CHECK_STR(rows(a, w.b, n, 10), "!column \"legacy_s\" is repeated (a list), which aslc does not read");
}

int main(void)
{
    asl_arena *a = asl_arena_new();
    test_types(a);
    test_max_and_codecs(a);
    test_refused(a);
    test_made(a);
    test_broken();
    asl_arena_free(a);
    return check_summary();
}
