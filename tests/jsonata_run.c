/*
 * jsonata_run.c — the main() of a binary that aslc's hidden --jn-exprs
 * option makes (linked in as its handlers file): the expressions compiled
 * into it, asl_jn_suite[i], evaluated on demand.  tests/jsonata_suite.c
 * --aslc writes one line a case on its stdin,
 *   {"i": N, "data": ..., "bindings": {...}, "depth": D, "timelimit": MS}
 * ("data" absent: no input) and reads one line each,
 *   {"result": ...}, {"undefined": true} or {"code": "T1006", "text": "..."}.
 * With --bench N it evaluates each case N times (one arena, reset every
 * 1024 evaluations) and prints the nanoseconds an evaluation took, and
 * those of the JSONPath runtime's first step for a path of two names (two
 * asl_object_get from the input's "input" member: what asl_path_inline
 * does for $.a.b), for comparison.
 */
#include "asl.h"
#include "jsonata.h"

#include <string.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile void *sink;

extern const asl_jn_code asl_jn_suite[];
extern const unsigned asl_jn_suite_n;

int main(int argc, char **argv)
{
    long bench = argc > 2 && !strcmp(argv[1], "--bench") ? atol(argv[2]) : 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        asl_arena *a = asl_arena_new();
        asl_json_error je;
        asl_value *cs = asl_json_parse(a, line, (size_t)n, &je);
        asl_value *iv = cs ? asl_object_get(cs, "i", 1) : NULL;
        if (!iv || iv->type != ASL_NUMBER || iv->u.n.num < 0 || iv->u.n.num >= asl_jn_suite_n) {
            printf("{\"code\":\"bad case line\"}\n");
            fflush(stdout);
            asl_arena_free(a);
            continue;
        }
        asl_value *data = asl_object_get(cs, "data", 4), *b = asl_object_get(cs, "bindings", 8);
        asl_value *depth = asl_object_get(cs, "depth", 5), *tl = asl_object_get(cs, "timelimit", 9);
        asl_jn_ctx c;
        asl_jn_ctx_init(&c, a);
        if (depth && depth->type == ASL_NUMBER) c.max_depth = (int)depth->u.n.num;
        c.deadline_ms = asl_jn_clock_ms() + (tl && tl->type == ASL_NUMBER ? (int64_t)tl->u.n.num : 10000);
        asl_jn_env *env = asl_jn_env_new(a, NULL);
        for (uint32_t k = 0; b && b->type == ASL_OBJECT && k < b->len; k++)
            asl_jn_env_bind(a, env, b->u.o.members[k].key, b->u.o.members[k].val);
        if (bench > 0) {
            asl_arena *scratch = asl_arena_new();
            asl_jn_ctx bc;
            asl_jn_ctx_init(&bc, scratch);
            double t0 = now_ns();
            for (long k = 0; k < bench; k++) {
                if ((k & 1023) == 0) asl_arena_reset(scratch);
                sink = asl_jn_suite[(unsigned)iv->u.n.num](&bc, env, data);
            }
            double t1 = now_ns();
            asl_value *st = NULL;
            bool found = false;
            for (long k = 0; k < bench; k++) {   /* the JSONPath twin's lookups, $.a.b on $states.input */
                st = asl_jn_var(&c, env, "states", 6);
                asl_value *in = st ? asl_object_get(st, "input", 5) : NULL;
                asl_value *x = in && in->type == ASL_OBJECT ? asl_object_get(in, "a", 1) : NULL;
                sink = x && x->type == ASL_OBJECT ? asl_object_get(x, "b", 1) : NULL;
                found = found || sink;
            }
            double t2 = now_ns();
            printf("{\"ns\":%.1f,\"twin_ns\":%.1f}\n", (t1 - t0) / bench, (t2 - t1) / bench);
            asl_arena_free(scratch);
            asl_arena_free(a);
            continue;
        }
        asl_value *r = asl_jn_suite[(unsigned)iv->u.n.num](&c, env, data);
        if (c.code) {
            asl_value *o = asl_object(a, 2);
            asl_object_append(a, o, "code", 4, asl_cstring(a, c.code));
            asl_object_append(a, o, "text", 4, asl_cstring(a, asl_jn_error_text(&c)));
            printf("%s\n", asl_json_string(a, o, NULL));
        } else if (!r) {
            printf("{\"undefined\":true}\n");
        } else {
            printf("{\"result\":%s}\n", asl_json_string(a, asl_jn_to_json(a, r), NULL));
        }
        fflush(stdout);
        asl_arena_free(a);
    }
    free(line);
    return 0;
}
