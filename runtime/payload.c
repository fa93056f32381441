/*
 * payload.c — AWS's 256 KiB limit on a state's output and a Task's
 * result (States.DataLimitExceeded).  The builders keep a bound of every
 * container's JSON length (asl_json_bound), so the check costs nothing
 * until a value comes near the limit; then the value is measured.
 */
#include "rt.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The length of a number's JSON text: its source text, the digits of an
 * integer, or (for a fraction computed at run time) the longest %.17g. */
static size_t number_json_len(const asl_value *v)
{
    if (v->u.n.text) return v->len;   /* the text's length */
    if (!asl_num_int(v)) return 25;
    double d = v->u.n.num;
    size_t n = signbit(d) ? 2 : 1;
    for (uint64_t u = (uint64_t)fabs(d); u >= 10; u /= 10) n++; /* |d| <= 2^53 */
    return n;
}

/* The length of v's JSON text, counted until it passes limit, exact but
 * for fractions computed at run time: a walk of the whole value, for the
 * outputs whose bound (asl_json_bound) says they may be over.  Shared
 * subtrees count as often as they are printed.  A walk, not recursion:
 * values may nest deeper than the stack allows. */
static size_t json_len_walk(const asl_value *v, size_t limit)
{
    typedef struct { const asl_value *c; uint32_t i; } frame;
    frame local[32], *stk = local;
    size_t cap = 32, sp = 0, n = 0;
    for (;;) {
        switch (v->type) {
        case ASL_NUMBER: n += number_json_len(v); break;
        case ASL_STRING: n += asl_json_strlen(v->u.str, v->len); break;
        case ASL_ARRAY:
        case ASL_OBJECT:
            /* brackets and commas; an object's colons */
            n += v->len ? 1 + (size_t)v->len + (v->type == ASL_OBJECT ? v->len : 0) : 2;
            if (v->len) {
                if (sp == cap) stk = asl_grow_stack(stk, local, &cap, cap + 1, sizeof *stk);
                stk[sp++] = (frame){v, 0};
            }
            break;
        default: n += v->type == ASL_FALSE ? 5 : 4; break;
        }
        if (n > limit) break;
        while (sp && stk[sp - 1].i == stk[sp - 1].c->len) sp--;
        if (!sp) break;
        frame *f = &stk[sp - 1];
        uint32_t i = f->i++;
        if (f->c->type == ASL_ARRAY) {
            v = f->c->u.a.items[i];
        } else {
            const asl_member *m = &f->c->u.o.members[i];
            n += asl_json_strlen(m->key, m->klen);
            v = m->val;
        }
    }
    if (stk != local) free(stk);
    return n;
}

static bool payload_unlimited;
static pthread_once_t payload_once = PTHREAD_ONCE_INIT;

/* ASL_PAYLOAD_LIMIT=off lifts AWS's limit, for runs that measure the engine
 * on data AWS would refuse (bench/measure.py's Map of 100,000 items). */
static void payload_setting(void)
{
    const char *e = getenv("ASL_PAYLOAD_LIMIT");
    payload_unlimited = e && !strcmp(e, "off");
}

bool asl_payload_unlimited(void)
{
    pthread_once(&payload_once, payload_setting);
    return payload_unlimited;
}

/* States.DataLimitExceeded past 256 KiB of JSON, once the bound kept by
 * the builders says the output may be over: a walk of the value, then, if
 * that still says so, the text itself. */
static __attribute__((noinline)) asl_value *check_payload(asl_exec *x, asl_value *out,
                                                           const char *who)
{
    if (asl_payload_unlimited()) return out;
    if (json_len_walk(out, ASL_PAYLOAD_LIMIT) <= ASL_PAYLOAD_LIMIT) return out;
    size_t n = 0;
    asl_json_string(x->arena, out, &n);
    if (n <= ASL_PAYLOAD_LIMIT) return out;
    /* AWS's cause, as users report it, has no "An error occurred while
     * executing the state" in front. */
    return asl_fail(x, "States.DataLimitExceeded",
                    asl_sprintf(x->arena, "The state/task '%s' returned a result with a size "
                                "exceeding the maximum number of bytes service limit.", who));
}

asl_value *asl_task_result(asl_exec *x, asl_value *r, const char *resource)
{
    return !r || asl_json_bound(r) <= ASL_PAYLOAD_LIMIT ? r : check_payload(x, r, resource);
}

asl_value *asl_leave(asl_exec *x, asl_value *out)
{
    return asl_json_bound(out) <= ASL_PAYLOAD_LIMIT
               ? out
               : check_payload(x, out, x->state ? x->state->name : "");
}
