/*
 * fuzz_jsonpath.c — libFuzzer harness for the compile-time JSONPath parser
 * (compiler/jsonpath.c) and the runtime's evaluator (runtime/path.c).
 *
 * The first byte picks the mode (payload path or reference path), the rest
 * is the path text.  A path that parses is then evaluated against a fixed
 * document that has a bit of everything (nested objects, arrays, numbers,
 * strings, nulls, odd keys), rendered the way AWS renders paths in error
 * causes, asked why it found nothing, and, for reference paths, used as a
 * ResultPath to write into the document — every runtime use of a path.
 */
#include "asl_value.h"
#include "jsonpath.h"
#include "path.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* path.c's data-flow entry points need a running execution; this harness
 * calls none of them, but they must link. */
asl_value *asl_context_object(asl_exec *x)
{
    (void)x;
    abort();
}
asl_value *asl_context_prefix(asl_exec *x, const asl_path *p, uint32_t *used)
{
    (void)x, (void)p, (void)used;
    abort();
}
bool asl_vars_root(asl_exec *x, const asl_path *p, asl_value **root, asl_path *rest)
{
    (void)x, (void)p, (void)root, (void)rest;
    abort();
}

static const char doc_text[] =
    "{\"a\":{\"b\":[1,2,{\"c\":\"x\"},null,true],\"d\":{\"e\":1.5e3,\"f\":\"str\"}},"
    "\"items\":[{\"price\":8,\"name\":\"pen\",\"tags\":[\"a\",\"b\"]},{\"price\":12,\"name\":\"book\"},"
    "{\"price\":null},{\"name\":\"x\\\"y\"},[1,[2,[3]]],\"s\",-0,123456789012345678901234567890],"
    "\"\":{\"\":0},\"a b\":1,\"@odata\":{\"x\":[]},\"Ätte\":\"ü\",\"n\":null,\"t\":true,"
    "\"big\":1e999999,\"deep\":[[[[[[[[{\"k\":[0,1,2,3,4,5,6,7,8,9]}]]]]]]]]}";

static asl_arena *doc_arena;
static asl_value *doc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    asl_json_error err;
    doc_arena = asl_arena_new();
    doc = asl_json_parse(doc_arena, doc_text, sizeof doc_text - 1, &err);
    if (!doc) {
        fprintf(stderr, "fuzz_jsonpath: bad fixed document: %s\n", err.msg);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    aslc_path_mode mode = (data[0] & 1) ? ASLC_PATH_REFERENCE : ASLC_PATH_PAYLOAD;
    /* Paths come from JSON strings: NUL-terminated, so cut at a NUL. */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    size_t len = strlen(text);

    asl_arena *a = asl_arena_new();
    char err[256];
    size_t pos = 0;
    const asl_path *p = aslc_path_parse(a, text, mode, err, sizeof err, &pos);
    if (!p) {
        if (pos > len) {
            fprintf(stderr, "fuzz_jsonpath: error position %zu past the end (%zu)\n", pos, len);
            abort();
        }
        if (!memchr(err, 0, sizeof err) || strchr(err, '\n')) abort();
    } else {
        bool found = false;
        asl_value *v = asl_path_walk(a, doc, p, &found);
        if (v) {
            asl_buf b;
            asl_buf_init(&b);
            asl_json_write(&b, v);
            asl_buf_free(&b);
        }
        if (mode == ASLC_PATH_REFERENCE && !p->definite) {
            fprintf(stderr, "fuzz_jsonpath: a reference path that is not definite\n");
            abort();
        }
        (void)asl_path_bracket_n(a, p, p->nseg);
        (void)asl_path_miss_reason(a, doc, p);
        if (mode == ASLC_PATH_REFERENCE) {
            const char *why = NULL;
            asl_value *r = asl_path_insert(a, doc, p, asl_cstring(a, "new"), &why);
            if (!r && !why) {
                fprintf(stderr, "fuzz_jsonpath: ResultPath failed without a reason\n");
                abort();
            }
        }
    }
    asl_arena_free(a);
    free(text);
    return 0;
}
