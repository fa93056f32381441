/*
 * test_parquet.c — unit tests for the Parquet reader of a Distributed Map's
 * ItemReader (runtime/parquet.c), on the files of the map_reader_parquet*
 * golden cases (written by arrow-rs: tests/parquet/make_fixtures.js).  The
 * golden cases compare numbers as doubles; here the exact JSON text is
 * checked (64-bit integers, decimals with their scale), MaxItems across row
 * groups, and that every truncation and many corruptions of a file fail with
 * a message or read, never crash (run under the sanitizers in CI).
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

int main(void)
{
    asl_arena *a = asl_arena_new();
    test_types(a);
    test_max_and_codecs(a);
    test_refused(a);
    test_broken();
    asl_arena_free(a);
    return check_summary();
}
