/*
 * handlers.c — the benchmark's Task handlers, bound as native C functions.
 *
 * These implement the task behaviour of ../shared/bench/README.md exactly, so
 * that aslc, the peer engine (bench/peer.mjs) and the hand-written programs
 * (bench/hand/) all do the same work:
 *   fn1..fn10  {"value": input.value + 1}
 *   song       {"song": "gangnam style"} when input.name == "PSY", else "i dont know"
 *   lyrics     {"lyrics": "oh oh oh oh oh pan gangnam style"} when input.song ==
 *              "gangnam style", else "i don't know"
 * bench/resources.json maps each Lambda function name to one of these.
 * They keep no state, so they are safe under concurrent Map/Parallel calls.
 * Their keys are literals (asl_object_append_lit), as in the hand-written
 * programs: the same work, written the same way.
 */
#include "asl_handler.h"

#include <string.h>

/* fn1..fn10 differ only in their name; one body serves all ten. */
static asl_value *add_one(asl_task_ctx *t, asl_value *input)
{
    asl_arena *a = asl_task_arena(t);
    asl_value *v = input->type == ASL_OBJECT ? asl_object_get(input, "value", 5) : NULL;
    if (!v || v->type != ASL_NUMBER)
        return asl_task_fail(t, "BenchInputError", "input.value must be a number");
    asl_value *out = asl_object(a, 1);
    asl_object_append_lit(a, out, "value", 5, asl_number(a, v->u.n.num + 1));
    return out;
}

#define FN(n) \
    asl_value *bench_fn##n(asl_task_ctx *t, asl_value *input); \
    asl_value *bench_fn##n(asl_task_ctx *t, asl_value *input) { return add_one(t, input); }
FN(1) FN(2) FN(3) FN(4) FN(5) FN(6) FN(7) FN(8) FN(9) FN(10)
#undef FN

static bool str_is(const asl_value *v, const char *s)
{
    size_t n = strlen(s);
    return v && v->type == ASL_STRING && v->len == n && !memcmp(v->u.str, s, n);
}

asl_value *bench_song(asl_task_ctx *t, asl_value *input);
asl_value *bench_song(asl_task_ctx *t, asl_value *input)
{
    asl_arena *a = asl_task_arena(t);
    asl_value *name = input->type == ASL_OBJECT ? asl_object_get(input, "name", 4) : NULL;
    asl_value *out = asl_object(a, 1);
    asl_object_append_lit(a, out, "song", 4,
                      asl_cstring(a, str_is(name, "PSY") ? "gangnam style" : "i dont know"));
    return out;
}

asl_value *bench_lyrics(asl_task_ctx *t, asl_value *input);
asl_value *bench_lyrics(asl_task_ctx *t, asl_value *input)
{
    asl_arena *a = asl_task_arena(t);
    asl_value *song = input->type == ASL_OBJECT ? asl_object_get(input, "song", 4) : NULL;
    asl_value *out = asl_object(a, 1);
    asl_object_append_lit(a, out, "lyrics", 6,
                      asl_cstring(a, str_is(song, "gangnam style")
                                         ? "oh oh oh oh oh pan gangnam style"
                                         : "i don't know"));
    return out;
}
