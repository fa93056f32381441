/*
 * hand.h — the common driver of the hand-written benchmark programs.
 *
 * Each bench/hand/<workload>.c does its workload's JSON work directly with
 * the runtime's value library (asl_value.h): no state machine, no JSONPath
 * interpretation, no context object, no per-state copies; its keys are
 * literals (asl_object_append_lit), as generated code's are.  It is the
 * limit compiled workflows should approach.  To be comparable with a compiled
 * workflow's --bench, one execution here is the same end-to-end unit:
 * parse the input text into a fresh arena, do the work, serialise the
 * output, free the arena.  The timing loop is runtime/bench.c's, the same
 * code that times the compiled binaries.
 *
 *   hand_<workload> [--input-file F | --input JSON] [--bench N]
 *
 * Without --bench it runs once and prints the output (like ./workflow).
 * A workload defines hand_work() and passes hand_main the number of states
 * the equivalent workflow enters (meta.json), so that transitions/s compare.
 */
#ifndef BENCH_HAND_H
#define BENCH_HAND_H

#include "asl_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* runtime/bench.c (also declared in runtime/main.c). */
typedef int (*asl_bench_exec_fn)(void *ctx, asl_buf *out, uint64_t *transitions);
int asl_bench_run(long n, asl_bench_exec_fn one_exec, void *ctx);

/* The workload: builds the output from the parsed input in arena a; NULL
 * means failure (the message is already on stderr).  *transitions comes
 * preset to the count given to hand_main; a workload whose count depends on
 * the input (Map) sets it. */
static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions);

typedef struct {
    const char *text;
    size_t len;
    uint64_t transitions;
} hand_job;

static int hand_exec(void *ctx, asl_buf *out, uint64_t *transitions)
{
    hand_job *j = ctx;
    asl_arena *a = asl_arena_new();
    asl_json_error err;
    asl_value *in = asl_json_parse(a, j->text, j->len, &err);
    if (!in) {
        fprintf(stderr, "invalid input JSON at %d:%d: %s\n", err.line, err.col, err.msg);
        asl_arena_free(a);
        return 2;
    }
    *transitions = j->transitions;
    asl_value *res = hand_work(a, in, transitions);
    if (res) {
        asl_json_write(out, res);
        asl_buf_putc(out, '\n');
    }
    asl_arena_free(a);
    return res ? 0 : 1;
}

static char *hand_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    asl_buf b;
    asl_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) asl_buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : strdup("");
}

static int hand_main(int argc, char **argv, uint64_t transitions)
{
    hand_job j = {NULL, 0, transitions};
    char *owned = NULL;
    long bench = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--input-file")) {
            owned = hand_read_file(argv[i + 1], &j.len);
            j.text = owned;
        } else if (!strcmp(argv[i], "--input")) {
            j.text = argv[i + 1];
            j.len = strlen(j.text);
        } else if (!strcmp(argv[i], "--bench")) {
            bench = strtol(argv[i + 1], NULL, 10);
        } else {
            fprintf(stderr, "%s: unknown option %s\n", argv[0], argv[i]);
            return 2;
        }
    }
    if (!j.text) {
        fprintf(stderr, "usage: %s --input-file F | --input JSON [--bench N]\n", argv[0]);
        return 2;
    }
    int status;
    if (bench > 0) {
        status = asl_bench_run(bench, hand_exec, &j);
    } else {
        asl_buf out;
        asl_buf_init(&out);
        uint64_t t;
        status = hand_exec(&j, &out, &t);
        if (out.len) fwrite(out.data, 1, out.len, stdout);
        asl_buf_free(&out);
    }
    free(owned);
    return status;
}

/* ---- small helpers the workloads share -------------------------------- */

#define HAND_KEY(s) s, sizeof(s) - 1

static inline asl_value *hand_get(const asl_value *obj, const char *key, size_t klen)
{
    return obj && obj->type == ASL_OBJECT ? asl_object_get(obj, key, klen) : NULL;
}

/* A copy of obj with key set to val (the only way to "assign" into an
 * immutable value, as ResultPath does). */
static inline asl_value *hand_with(asl_arena *a, const asl_value *obj, const char *key,
                                   size_t klen, asl_value *val)
{
    asl_value *o = asl_value_shallow_copy(a, obj);
    asl_object_set(a, o, key, klen, val);
    return o;
}

static inline double hand_num(const asl_value *v)
{
    return v && v->type == ASL_NUMBER ? v->u.n.num : 0;
}

#endif
