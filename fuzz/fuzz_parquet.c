/*
 * fuzz_parquet.c — libFuzzer harness for the Parquet reader of a
 * Distributed Map's ItemReader (runtime/parquet.c): the input is the file.
 *
 * Whatever the bytes: the reader ends (no page, run or list it is told of
 * is believed past the bytes that hold it), and either fails with a message
 * or gives at most the items asked for, each an object, whose JSON reads
 * back as that many items.  A broken invariant
 * aborts; ASan and UBSan catch a read out of bounds, an overflow, a leak.
 * Seeds: fuzz/corpus/parquet, files written by arrow-rs
 * (tests/parquet/make_fixtures.js) with every codec, encoding and type.
 */
#include "itemio.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_parquet: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX = 2000 };
    asl_arena *a = asl_arena_new();
    asl_value *into = asl_array(a, 4);
    char err[256];
    if (asl_pq_read(a, data, size, MAX, into, err, sizeof err)) {
        check(into->len <= MAX, "more items than asked for");
        for (uint32_t i = 0; i < into->len; i++)
            check(into->u.a.items[i]->type == ASL_OBJECT, "an item is not an object");
        /* every value prints as JSON that reads back (names and strings escaped) */
        const char *text = asl_json_string(a, into, NULL);
        asl_json_error jerr;
        asl_value *back = asl_json_parse(a, text, strlen(text), &jerr);
        check(back && back->type == ASL_ARRAY && back->len == into->len, "the items' JSON does not read back");
    } else {
        check(err[0] != 0 && memchr(err, 0, sizeof err) != NULL, "a failure without a message");
    }
    asl_arena_free(a);
    return 0;
}
