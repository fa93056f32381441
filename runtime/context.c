/*
 * context.c — the context object $$, built on demand from the exec and
 * its run, so that a state that never reads $$ never pays for it; and
 * $$.Task.Token, which encodes its task attempt.
 */
#include "rt.h"

#include <stdio.h>
#include <string.h>

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
 * base64url, the execution's id (its ARN: two state machines' executions
 * of one name must not share tokens under aslc serve), the event id of the
 * state's entry (unique within the execution, Map iterations and Parallel
 * branches included) and the attempt, so nothing needs storing.  NULL outside a
 * callback Task. */
asl_value *asl_task_token_value(asl_exec *x)
{
    return state_takes_token(x) ? asl_task_token_of(x) : NULL;
}

/* The token of the task attempt running in x, whatever its resource (an
 * activity's too: served.c). */
asl_value *asl_task_token_of(asl_exec *x)
{
    asl_run *r = x->run;
    if (!__atomic_load_n(&r->ids_ready, __ATOMIC_ACQUIRE)) asl_run_ids(r);
    char raw[400];   /* an ARN is at most 256 characters */
    int n = snprintf(raw, sizeof raw, "aslc:%s:%llu:%u", r->exec_id,
                     (unsigned long long)x->entered_event, x->retry_count);
    if (n < 0 || (size_t)n >= sizeof raw) n = (int)sizeof raw - 1;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char out[536];
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
