/*
 * fuzz_jsonata.c — libFuzzer harness for the JSONata parser
 * (compiler/jsonata_lex.c, jsonata_parse.c) and, for what parses, the
 * runtime's semantics through the compile-time walker (jsonata_eval.c).
 *
 * The input is the expression text (as it comes out of a JSON string, so it
 * may hold any byte but NUL).  A syntax error must carry a code and a
 * position inside the text; an expression that parses is evaluated against
 * a fixed document with a short deadline and a low depth limit (runaway
 * recursion and loops end as U1001), and its result is converted and
 * serialised as a state's output would be.  Everything lives in one arena,
 * freed at the end: a leak is a bug of ours.
 */
#include "jsonata.h"
#include "jsonata_ast.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char doc_text[] =
    "{\"Account\":{\"Name\":\"Firefly\",\"Order\":[{\"OrderID\":\"o1\",\"Product\":[{\"Name\":\"Hat\",\"Price\":34.45,"
    "\"Quantity\":2,\"Tags\":[\"a\",\"b\"]},{\"Name\":\"Cloak\",\"Price\":107.99,\"Quantity\":1}]},"
    "{\"OrderID\":\"o2\",\"Product\":[]}]},\"n\":null,\"t\":true,\"s\":\"x\\\"y\",\"deep\":[[[[{\"k\":[0,1,2]}]]]],"
    "\"nums\":[3,1,2,-0.5,1e300],\"\":{\"\":0}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    size_t len = strlen(text);

    asl_arena *a = asl_arena_new();
    aslc_jn_parse_error err;
    aslc_jn_node *e = aslc_jn_parse(a, text, len, &err);
    if (!e) {
        if (!err.code || err.pos > len) {
            fprintf(stderr, "fuzz_jsonata: error %s at %u past the end (%zu)\n", err.code ? err.code : "(none)",
                    err.pos, len);
            abort();
        }
    } else {
        asl_json_error jerr;
        asl_value *doc = asl_json_parse(a, doc_text, sizeof doc_text - 1, &jerr);
        asl_jn_ctx c;
        asl_jn_ctx_init(&c, a);
        c.max_depth = 200;
        c.deadline_ms = asl_jn_clock_ms() + 200;
        c.max_range = 10000;   /* a range of millions is legal, and slow under ASan */
        asl_value *r = aslc_jn_eval(&c, e, doc, NULL);
        if (c.code && r) abort();   /* an error gives no value */
        if (!c.code && r) {
            r = asl_jn_to_json(a, r);
            asl_buf b;
            asl_buf_init(&b);
            asl_json_write(&b, r);
            asl_buf_free(&b);
        }
    }
    asl_arena_free(a);
    free(text);
    return 0;
}
