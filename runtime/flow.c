/*
 * flow.c — Parallel branches and Map iterations.
 *
 * Each branch or iteration runs on an exec of its own (its own arena and
 * error slot) whose parent is the state's exec; its result is copied up into
 * the parent's arena and the child's arena is released at once, so memory
 * stays bounded by one iteration however many items a Map has.
 *
 * This is the sequential engine: results come out in branch / item order by
 * construction.  (Running them on threads is the job of a later change; the
 * interface does not change.)
 */
#include "rt.h"

#include <math.h>
#include <string.h>

asl_value *asl_parallel(asl_exec *x, asl_value *in, const asl_state_fn *branches, uint32_t n)
{
    asl_value *out = asl_array(x->arena, n);
    for (uint32_t i = 0; i < n; i++) {
        asl_exec *b = asl_exec_child(x);
        asl_value *r = branches[i](b, in);
        if (!r) {
            asl_exec_adopt_error(x, b);
            asl_exec_free(b);
            return NULL;
        }
        asl_array_push(x->arena, out, asl_value_copy(x->arena, r));
        asl_exec_free(b);
    }
    return out;
}

asl_value *asl_map(asl_exec *x, asl_value *state_input, asl_value *items, const asl_map_info *m)
{
    if (items->type != ASL_ARRAY)
        return asl_fail_state(x, "States.Runtime",
                              "Map state input must be an array but was: %s",
                              asl_json_string(x->arena, items, NULL));
    uint32_t n = items->len, failures = 0;
    asl_value *out = asl_array(x->arena, n);
    for (uint32_t i = 0; i < n; i++) {
        asl_exec *it = asl_exec_child(x);
        it->map_index = asl_number(it->arena, i);
        it->map_value = items->u.a.items[i];
        it->state = x->state;  /* ItemSelector runs in the Map state */
        asl_value *input = m->selector ? m->selector(it, state_input) : items->u.a.items[i];
        asl_value *r = input ? m->start(it, input) : NULL;
        if (!r) {
            failures++;
            bool tolerated = (m->tolerated_count >= 0 && failures <= (uint32_t)m->tolerated_count) ||
                             (m->tolerated_percent >= 0 && n > 0 &&
                              100.0 * failures / n <= m->tolerated_percent);
            if (!tolerated) {
                if (m->tolerated_count >= 0 || m->tolerated_percent >= 0)
                    asl_fail_state(x, "States.ExceedToleratedFailureThreshold",
                                   "The specified tolerated failure threshold was exceeded");
                else
                    asl_exec_adopt_error(x, it);
                asl_exec_free(it);
                return NULL;
            }
            r = asl_error_value(it);
        }
        asl_array_push(x->arena, out, asl_value_copy(x->arena, r));
        asl_exec_free(it);
    }
    return out;
}

bool asl_map_setting(asl_exec *x, asl_value *in, const asl_path *p, int which, asl_map_info *m)
{
    static const char *const fields[] = {"MaxConcurrencyPath", "ToleratedFailureCountPath",
                                         "ToleratedFailurePercentagePath"};
    asl_value *v = asl_input_path(x, in, p);
    if (!v) return false;
    bool isnum = v->type == ASL_NUMBER;
    if (!isnum || (which != ASL_MAP_TOLERATED_PERCENT && !v->is_int)) {
        /* AWS shows a string as it is and anything else as JSON. */
        const char *shown = v->type == ASL_STRING ? v->u.str : asl_json_string(x->arena, v, NULL);
        asl_fail_state(x, "States.Runtime",
                       "The %s field refers to value \"%s\" which is not a valid %s: %s",
                       fields[which], shown, which == ASL_MAP_TOLERATED_PERCENT ? "float" : "integer",
                       p->text);
        return false;
    }
    double d = v->u.n.num;
    switch (which) {
    case ASL_MAP_MAX_CONCURRENCY:
        if (d < 0) {
            asl_fail_state(x, "States.Runtime", "MaxConcurrency cannot be negative.");
            return false;
        }
        m->max_concurrency = d > 4294967295.0 ? 0 : (uint32_t)d;
        return true;
    case ASL_MAP_TOLERATED_COUNT:
        if (d < 0) {
            asl_fail_state(x, "States.Runtime", "ToleratedFailureCount cannot be negative.");
            return false;
        }
        m->tolerated_count = d > 2147483647.0 ? 2147483647 : (int32_t)d;
        return true;
    default:
        if (d < 0 || d > 100) {
            asl_fail_state(x, "States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.");
            return false;
        }
        m->tolerated_percent = d;
        return true;
    }
}
