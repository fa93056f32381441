/*
 * fuzz_itemio.c — libFuzzer harness for the text readers of a Distributed
 * Map's ItemReader (runtime/csv.c): CSV records and rows, JSON Lines.
 *
 * The first byte picks the delimiter (one of AWS's five), the rest is the
 * file.  Whatever the bytes: the reader ends, every record is a non-empty
 * array of strings whose bytes all come from the text (no more bytes than
 * the text has), the rows built on the first record as headers have at
 * most one member per header, and JSON Lines either fails at a line that
 * exists or gives an array.  A broken invariant aborts.
 */
#include "itemio.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_itemio: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char delims[5] = {',', '|', ';', ' ', '\t'};
    char delim = delims[data[0] % 5];
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    asl_arena *a = asl_arena_new();
    asl_csv c;
    asl_csv_init(&c, text, n, delim);
    asl_value *headers = NULL, *r;
    size_t bytes = 0, records = 0;
    while ((r = asl_csv_next(&c, a))) {
        check(r->type == ASL_ARRAY && r->len >= 1, "a record is not a non-empty array");
        check(++records <= n, "more records than bytes");
        for (uint32_t i = 0; i < r->len; i++) {
            check(r->u.a.items[i]->type == ASL_STRING, "a field is not a string");
            bytes += r->u.a.items[i]->len;
        }
        check(bytes <= n, "the fields hold more bytes than the text");
        if (!headers) {
            headers = r;
            continue;
        }
        asl_value *o = asl_csv_row(a, headers, r);
        check(o->type == ASL_OBJECT && o->len <= headers->len, "a row has more members than headers");
    }
    uint32_t line = 0;
    asl_json_error err;
    asl_value *v = asl_jsonl_parse(a, text, n, &line, &err);
    if (!v) {
        size_t lines = 1;
        for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
        check(line >= 1 && line <= lines, "JSON Lines failed at a line that does not exist");
    } else {
        check(v->type == ASL_ARRAY, "JSON Lines did not give an array");
    }
    asl_arena_free(a);
    return 0;
}
