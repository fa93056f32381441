/*
 * fuzz_json.c — libFuzzer harness for the runtime's JSON reader and writer
 * (runtime/json.c), the code every generated binary runs on its input.
 *
 * Whatever the bytes, asl_json_parse must either fail with a message and a
 * position inside the text, or return a value; and a value must survive a
 * round trip: writing it (compact and pretty) and reading that back gives an
 * equal value, and writing the copy again gives the very same text.  A
 * broken invariant aborts, which libFuzzer reports as a crash.
 */
#include "asl_value.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_json: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    asl_arena *a = asl_arena_new();
    asl_json_error err;
    asl_value *v = asl_json_parse(a, (const char *)data, size, &err);
    if (!v) {
        check(err.offset <= size, "error offset outside the text");
        check(err.line >= 1 && err.col >= 1, "error position not 1-based");
        check(memchr(err.msg, 0, sizeof err.msg) != NULL, "error message not terminated");
        asl_arena_free(a);
        return 0;
    }
    asl_buf b1, b2, bp;
    asl_buf_init(&b1);
    asl_buf_init(&b2);
    asl_buf_init(&bp);
    asl_json_write(&b1, v);
    asl_value *w = asl_json_parse(a, b1.data, b1.len, &err);
    check(w != NULL, "the written text does not parse");
    check(asl_value_equal(v, w), "the round trip changed the value");
    asl_json_write(&b2, w);
    check(b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len), "writing is not stable");
    asl_json_write_pretty(&bp, v);
    asl_value *x = asl_json_parse(a, bp.data, bp.len, &err);
    check(x != NULL && asl_value_equal(v, x), "the pretty form does not read back the same");
    /* A deep copy into another arena must be equal and outlive the first. */
    asl_arena *a2 = asl_arena_new();
    asl_value *y = asl_value_copy(a2, v);
    asl_arena_free(a);
    asl_buf_free(&b2);
    asl_buf_init(&b2);
    asl_json_write(&b2, y);
    check(b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len), "a deep copy writes differently");
    asl_arena_free(a2);
    asl_buf_free(&b1);
    asl_buf_free(&b2);
    asl_buf_free(&bp);
    return 0;
}
