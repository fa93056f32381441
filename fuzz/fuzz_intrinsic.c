/*
 * fuzz_intrinsic.c — libFuzzer harness for the compile-time parser of
 * intrinsic function calls (compiler/intrinsic.c).
 *
 * The input is the text of a "key.$" value (cut at the first NUL, as a JSON
 * string would be).  Whatever it holds, the parser must either build a call
 * tree or fail with a one-line message pointing inside the text; a call
 * tree must be well formed (arguments of known kinds, nested calls valid).
 * The lenient variant, which `aslc check` uses, must agree with it: it
 * fails only where the strict one fails too, and accepts everything the
 * strict one rejects only for a constant argument, with a warning.
 */
#include "intrinsic.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_call(const ir_call *c, int depth)
{
    if (!c || c->fn < 0 || c->fn >= ASL_FN__COUNT || depth > 64) abort();
    for (uint32_t i = 0; i < c->argc; i++) {
        const ir_arg *g = &c->args[i];
        switch (g->kind) {
        case IR_ARG_STRING:
        case IR_ARG_NUMBER:
            if (!g->str || strlen(g->str) > g->len) abort();
            break;
        case IR_ARG_PATH:
            if (!g->path) abort();
            break;
        case IR_ARG_CALL:
            check_call(g->call, depth + 1);
            break;
        case IR_ARG_BOOL:
        case IR_ARG_NULL:
            break;
        default:
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    size_t len = strlen(text);
    asl_arena *a = asl_arena_new();
    char err[256];
    size_t pos = 0;
    (void)aslc_is_intrinsic(text);
    ir_call *c = aslc_intrinsic_parse(a, text, err, sizeof err, &pos);
    if (c) {
        check_call(c, 0);
    } else {
        if (pos > len) {
            fprintf(stderr, "fuzz_intrinsic: error position %zu past the end (%zu)\n", pos, len);
            abort();
        }
        if (!memchr(err, 0, sizeof err)) abort();
    }
    /* The lenient parse (what aslc check uses) fails exactly where the
     * strict one fails for a reason other than a constant argument, and
     * turns the argument findings into a warning. */
    char err2[256], warn[256];
    size_t pos2 = 0, wpos = 0;
    ir_call *l = aslc_intrinsic_parse_lenient(a, text, err2, sizeof err2, &pos2, warn, sizeof warn,
                                              &wpos);
    if (c && (!l || warn[0])) {
        fprintf(stderr, "fuzz_intrinsic: strict parse ok, lenient not clean\n");
        abort();
    }
    /* (The messages may differ: the strict parse stops at the first finding
     * about an argument, the lenient one goes on and may meet a syntax
     * error further on.) */
    if (!l && c) {
        fprintf(stderr, "fuzz_intrinsic: lenient failed where strict did not: %s\n", err2);
        abort();
    }
    if (!l && pos2 > len) abort();
    if (l) {
        check_call(l, 0);
        if (!c && !warn[0]) {
            fprintf(stderr, "fuzz_intrinsic: strict failed (%s) without a lenient warning\n", err);
            abort();
        }
        if (warn[0] && wpos > len) abort();
    }
    asl_arena_free(a);
    free(text);
    return 0;
}
