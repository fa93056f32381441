/*
 * fuzz_frontend.c — libFuzzer harness for the whole of `aslc check`, and the
 * C back end behind it.
 *
 * The input is a definition's text.  aslc_front_end (compiler/validate.c)
 * runs on it in-process exactly as `aslc check` does — JSON syntax, source
 * map, parse.c's checks, the graph checks — with diagnostics collected as
 * JSON (--format=json) instead of printed, which exercises diag.c's writer
 * and keeps the fuzzer quiet.  The collected array must be valid JSON.  A
 * definition without errors is then compiled to C in memory (emit_c.c), as
 * `aslc -o` would before calling the C compiler.  Everything is freed, so
 * LeakSanitizer sees any leak of the front end.
 */
#include "aslc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    aslc_unit u;
    memset(&u, 0, sizeof u);
    u.file = "fuzz.json";
    u.text = text;
    u.len = size;
    u.json_diags = true;
    asl_buf_init(&u.json_out);
    u.arena = asl_arena_new();

    ir_program *p = aslc_front_end(&u, "fuzz");

    /* The diagnostics, closed as aslc_diag_flush would, must parse. */
    asl_buf_putc(&u.json_out, u.json_out.len ? ']' : '[');
    if (u.json_out.len == 1) asl_buf_putc(&u.json_out, ']');
    asl_json_error jerr;
    asl_arena *a = asl_arena_new();
    if (!asl_json_parse(a, u.json_out.data, u.json_out.len, &jerr)) {
        fprintf(stderr, "fuzz_frontend: diagnostics are not valid JSON: %s\n%.*s\n", jerr.msg,
                (int)u.json_out.len, u.json_out.data);
        abort();
    }
    asl_arena_free(a);
    if (!p && !u.errors) {
        fprintf(stderr, "fuzz_frontend: no program and no error\n");
        abort();
    }
    if (p && !u.errors) {
        asl_buf c;
        asl_buf_init(&c);
        aslc_emit_opts eo;
        memset(&eo, 0, sizeof eo);
        eo.source_name = "fuzz.json";
        eo.allow_unbound = true;
        aslc_emit_c(&c, p, &eo);
        asl_buf_free(&c);
    }
    asl_buf_free(&u.json_out);
    asl_arena_free(u.arena);
    free(text);
    return 0;
}
