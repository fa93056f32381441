/*
 * exec.c — executions and their threads of control.
 *
 * An asl_exec carries what one flow of an execution needs: its arena, the
 * state being run (for $$.State and error messages) and its error slot
 * (error.c); its run, what the whole execution shares (its ids, its event
 * counter).  Here: making and freeing them, entering a state, and the
 * constants of the program.  What reads them lives beside: the context
 * object $$ (context.c), time and sleeping (clock.c), the payload limit
 * (payload.c), the native handlers' calls (handler.c).
 */
#define _GNU_SOURCE
#include "rt.h"
#include "history.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- execs ------------------------------------------------------------------ */

/* The child lives in its own arena: one allocation per Map iteration. */
asl_exec *asl_exec_child(asl_exec *parent)
{
    asl_arena *a = asl_arena_new();
    asl_exec *x = asl_alloc(a, sizeof *x);
    memset(x, 0, sizeof *x);
    x->arena = a;
    x->run = parent->run;
    x->parent = parent;
    x->skew = parent->skew;                 /* the branch starts at its parent's workflow time */
    /* and for a fan-out's unit (fanout.c) */
    x->slow_enter = x->run->deadline > 0 || x->run->hist;
    return x;
}

void asl_exec_free(asl_exec *x)
{
    asl_arena_free(x->arena);
}

uint64_t asl_run_event(asl_run *r, uint32_t n)
{
    /* Every state entry takes event ids: an atomic add, not a lock, so that
     * Map iterations on many threads do not queue here; and not even that
     * while the execution has no worker threads (r->pool is only set or
     * cleared while its first thread is alone), as a locked add costs as
     * much as the rest of a Pass state. */
    if (!r->pool) {
        uint64_t first = r->events + 1;
        r->events += n;
        return first;
    }
    return __atomic_fetch_add(&r->events, n, __ATOMIC_RELAXED) + 1;
}

static char *malloc_printf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = asl_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

void asl_run_free_ids(asl_run *r)
{
    free(r->exec_id);
    free(r->sm_id);
    r->exec_id = r->sm_id = NULL;
}

void asl_run_ids(asl_run *r)
{
    /* Parallel branches and Map iterations may ask at once: the lock makes
     * the first one format them and the others wait for it. */
    pthread_mutex_lock(&r->lock);
    if (!r->ids_ready) {
        /* aslc serve names the execution it starts (compiler/serve.c) */
        const char *given = r->given_exec_arn ? r->given_exec_arn : getenv("ASL_EXECUTION_ARN");
        const char *sm = r->given_exec_arn ? r->given_sm_arn : getenv("ASL_STATE_MACHINE_ARN");
        if (given && sm && strrchr(given, ':')) {
            snprintf(r->exec_name, sizeof r->exec_name, "%s", strrchr(given, ':') + 1);
            r->sm_id = malloc_printf("%s", sm);
            r->exec_id = malloc_printf("%s", given);
        } else {
            if (!asl_uuid4(r->exec_name)) snprintf(r->exec_name, sizeof r->exec_name, "local");
            r->sm_id = malloc_printf("arn:aws:states:us-east-1:123456789012:stateMachine:%s",
                                     r->prog->name);
            r->exec_id = malloc_printf("arn:aws:states:us-east-1:123456789012:execution:%s:%s",
                                       r->prog->name, r->exec_name);
        }
        asl_format_iso(&r->started, r->start_time);
        __atomic_store_n(&r->ids_ready, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&r->lock);
}

/* ---- states ------------------------------------------------------------------ */

bool asl_enter_shared(asl_exec *x, const asl_state_info *s)
{
    asl_run *r = x->run;
    x->state = s;
    x->retry_count = 0;
    x->entered[0] = 0;  /* filled lazily by the context object */
    /* StateEntered, then StateExited: two history events per state. */
    x->entered_event = asl_run_event(r, 2);
    if (!r->pool) r->transitions++;
    else __atomic_add_fetch(&r->transitions, 1, __ATOMIC_RELAXED);
    if (r->deadline > 0 && asl_now_monotonic() + x->skew > r->deadline) {
        asl_fail(x, "States.Timeout", "The execution timed out.");
        return false;
    }
    return true;
}

/* asl.h's heads are the first fields of asl_exec and asl_run. */
#define SAME_FIELD(T, H, f) \
    _Static_assert(offsetof(T, f) == offsetof(H, f) && sizeof(((T *)0)->f) == sizeof(((H *)0)->f), #f)
SAME_FIELD(asl_exec, asl_exec_head, arena);
SAME_FIELD(asl_exec, asl_exec_head, run);
SAME_FIELD(asl_exec, asl_exec_head, state);
SAME_FIELD(asl_exec, asl_exec_head, entered_event);
SAME_FIELD(asl_exec, asl_exec_head, retry_count);
SAME_FIELD(asl_exec, asl_exec_head, slow_enter);
SAME_FIELD(asl_exec, asl_exec_head, map_index);
SAME_FIELD(asl_exec, asl_exec_head, map_value);
SAME_FIELD(asl_exec, asl_exec_head, entered);
SAME_FIELD(asl_run, asl_run_head, events);
SAME_FIELD(asl_run, asl_run_head, transitions);

/* An exec outside any fan-out, under TimeoutSeconds or --history: the
 * entry, then (--history) its events (history.c). */
static bool enter_alone(asl_exec *x, const asl_state_info *s, asl_value *in)
{
    if (!asl_enter_shared(x, s)) return false;
    if (x->run->hist) asl_hist_entered(x, s, in);
    return true;
}

/* asl_enter_c (asl.h) inline, for the states of a program of more than
 * one part, and the way in for the slow_enter execs: a fan-out's units
 * (asl_flow_enter) and the top-level flow under TimeoutSeconds.  The
 * top-level flow runs alone: a pool exists only while a fan-out of it
 * runs (fanout.c). */
bool asl_enter(asl_exec *x, const asl_state_info *s, asl_value *in)
{
    if (x->slow_enter) return x->group ? asl_flow_enter(x, s, in) : enter_alone(x, s, in);
    asl_enter_record(x, s);
    return true;
}


/* The top-level exec of run, before its program's start state: in the run's
 * arena, slow entry when a TimeoutSeconds deadline is set (main.c, embed.c,
 * linked.c, lambda_rt.c). */
void asl_exec_top(asl_exec *top, asl_run *run)
{
    memset(top, 0, sizeof *top);
    top->arena = run->arena;
    top->run = run;
    top->slow_enter = run->deadline > 0;
}

asl_value *asl_const(asl_arena *a, const char *json)
{
    asl_json_error err;
    asl_value *v = asl_json_parse(a, json, strlen(json), &err);
    if (!v) {
        fprintf(stderr, "aslc runtime: internal error: bad constant (%s): %s\n", err.msg, json);
        abort();
    }
    return v;
}
