/*
 * exec.c — executions and their threads of control.
 *
 * An asl_exec carries what one flow of an execution needs: its arena, the
 * state being run (for $$.State and error messages) and its error slot
 * (error.c).
 *
 * The context object $$ is built on demand from these fields, so a state
 * that never reads $$ never pays for it.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "history.h"

#include <math.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

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


/* ---- the context object ------------------------------------------------------- */

static bool key_is(const asl_seg *s, const char *name)
{
    return s->kind == ASL_SEG_KEY && s->klen == strlen(name) && memcmp(s->key, name, s->klen) == 0;
}

/* AWS shows $$.State.RetryCount only in states that can retry. */
static bool state_can_retry(const asl_state_info *s)
{
    return !strcmp(s->type, "Task") || !strcmp(s->type, "Parallel") || !strcmp(s->type, "Map");
}

/* Whether the state being run is a Task of a callback resource
 * (".waitForTaskToken"): AWS puts $$.Task.Token in the context object of
 * those only.  State names are unique in a state machine, so the state's
 * task site is found by its name. */
static bool state_takes_token(const asl_exec *x)
{
    const asl_state_info *s = x->state;
    if (!s || strcmp(s->type, "Task")) return false;
    const asl_program *prog = x->run->prog;
    static const char suffix[] = ".waitForTaskToken";
    for (uint32_t i = 0; i < prog->nsites; i++) {
        const asl_task_site *t = prog->sites[i];
        if (strcmp(t->state, s->name)) continue;
        size_t n = strlen(t->resource);
        return n >= sizeof suffix - 1 && !strcmp(t->resource + n - (sizeof suffix - 1), suffix);
    }
    return false;
}

/* $$.Task.Token: an opaque string, unique per task attempt and the same
 * whenever it is read during one (Parameters, the handler).  It encodes,
 * base64url, the execution's name (a UUID), the event id of the state's
 * entry (unique within the execution, Map iterations and Parallel branches
 * included) and the attempt, so nothing needs storing.  NULL outside a
 * callback Task. */
asl_value *asl_task_token_value(asl_exec *x)
{
    if (!state_takes_token(x)) return NULL;
    asl_run *r = x->run;
    if (!__atomic_load_n(&r->ids_ready, __ATOMIC_ACQUIRE)) asl_run_ids(r);
    char raw[96];
    int n = snprintf(raw, sizeof raw, "aslc:%s:%llu:%u", r->exec_name,
                     (unsigned long long)x->entered_event, x->retry_count);
    if (n < 0 || (size_t)n >= sizeof raw) n = (int)sizeof raw - 1;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char out[136];
    size_t k = 0;
    for (int i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)(unsigned char)raw[i] << 16;
        if (i + 1 < n) w |= (uint32_t)(unsigned char)raw[i + 1] << 8;
        if (i + 2 < n) w |= (unsigned char)raw[i + 2];
        out[k++] = b64[w >> 18 & 63];
        out[k++] = b64[w >> 12 & 63];
        if (i + 1 < n) out[k++] = b64[w >> 6 & 63];
        if (i + 2 < n) out[k++] = b64[w & 63];
    }
    return asl_string(x->arena, out, (uint32_t)k);
}

asl_value *asl_context_prefix(asl_exec *x, const asl_path *p, uint32_t *used)
{
    const asl_seg *s = p->segs;
    asl_run *r = x->run;
    asl_arena *a = x->arena;
    if (p->nseg < 2) return NULL;
    if (key_is(&s[0], "Map")) {
        if (p->nseg < 3 || !key_is(&s[1], "Item")) return NULL;
        *used = 3;
        if (key_is(&s[2], "Value")) return asl_map_item(x, false);
        if (key_is(&s[2], "Index")) return asl_map_item(x, true);
        const asl_exec *it = asl_map_item_exec(x);
        if (key_is(&s[2], "Key")) return it ? it->map_key : NULL;
        if (key_is(&s[2], "Source"))
            return it && it->map_source ? asl_cstring(a, it->map_source) : NULL;
        return NULL;
    }
    *used = 2;
    if (key_is(&s[0], "Task")) return key_is(&s[1], "Token") ? asl_task_token_value(x) : NULL;
    if (key_is(&s[0], "State")) {
        if (!x->state) return NULL;
        if (key_is(&s[1], "Name")) return asl_cstring(a, x->state->name);
        if (key_is(&s[1], "RetryCount"))
            return state_can_retry(x->state) ? asl_number(a, x->retry_count) : NULL;
        if (key_is(&s[1], "EnteredTime")) {
            if (!x->entered[0]) asl_now_iso(x->entered);
            return asl_cstring(a, x->entered);
        }
        return NULL;
    }
    if (key_is(&s[0], "Execution")) {
        if (key_is(&s[1], "Input")) return r->input;
        if (!__atomic_load_n(&r->ids_ready, __ATOMIC_ACQUIRE)) asl_run_ids(r);
        if (key_is(&s[1], "Id")) return asl_cstring(a, r->exec_id);
        if (key_is(&s[1], "Name")) return asl_cstring(a, r->exec_name);
        if (key_is(&s[1], "StartTime")) return asl_cstring(a, r->start_time);
        return NULL;
    }
    return NULL;
}

asl_value *asl_context_object(asl_exec *x)
{
    asl_arena *a = x->arena;
    asl_run *r = x->run;
    asl_value *ctx = asl_object(a, 4);
    if (!__atomic_load_n(&r->ids_ready, __ATOMIC_ACQUIRE)) asl_run_ids(r);

    asl_value *ex = asl_object(a, 6);
    asl_object_append_lit(a, ex, "Id", 2, asl_cstring(a, r->exec_id));
    asl_object_append_lit(a, ex, "Input", 5, r->input);
    asl_object_append_lit(a, ex, "StartTime", 9, asl_cstring(a, r->start_time));
    asl_object_append_lit(a, ex, "Name", 4, asl_cstring(a, r->exec_name));
    asl_object_append_lit(a, ex, "RoleArn", 7,
                      asl_cstring(a, "arn:aws:iam::123456789012:role/aslc-local"));
    asl_object_append_lit(a, ex, "RedriveCount", 12, asl_number(a, 0));
    asl_object_append_lit(a, ctx, "Execution", 9, ex);

    asl_value *sm = asl_object(a, 2);
    asl_object_append_lit(a, sm, "Id", 2, asl_cstring(a, r->sm_id));
    asl_object_append_lit(a, sm, "Name", 4, asl_cstring(a, r->prog->name));
    asl_object_append_lit(a, ctx, "StateMachine", 12, sm);

    if (x->state) {
        if (!x->entered[0]) asl_now_iso(x->entered);
        asl_value *st = asl_object(a, 3);
        asl_object_append_lit(a, st, "Name", 4, asl_cstring(a, x->state->name));
        asl_object_append_lit(a, st, "EnteredTime", 11, asl_cstring(a, x->entered));
        if (state_can_retry(x->state))
            asl_object_append_lit(a, st, "RetryCount", 10, asl_number(a, x->retry_count));
        asl_object_append_lit(a, ctx, "State", 5, st);
    }

    asl_value *token = asl_task_token_value(x);
    if (token) {
        asl_value *task = asl_object(a, 1);
        asl_object_append_lit(a, task, "Token", 5, token);
        asl_object_append_lit(a, ctx, "Task", 4, task);
    }

    asl_value *value = asl_map_item(x, false);
    if (value) {
        asl_value *item = asl_object(a, 4);
        asl_object_append_lit(a, item, "Index", 5, asl_map_item(x, true));
        const asl_exec *it = asl_map_item_exec(x);
        if (it->map_key) asl_object_append_lit(a, item, "Key", 3, it->map_key);
        asl_object_append_lit(a, item, "Value", 5, value);
        if (it->map_source) asl_object_append_lit(a, item, "Source", 6, asl_cstring(a, it->map_source));
        asl_value *map = asl_object(a, 1);
        asl_object_append_lit(a, map, "Item", 4, item);
        asl_object_append_lit(a, ctx, "Map", 3, map);
    }
    return ctx;
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
