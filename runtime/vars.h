/*
 * vars.h — workflow variables (`Assign`), in both query languages.
 *
 * An execution has a scope of variables; a Parallel branch and a Map
 * iteration run in a child scope that reads its parent's variables (and
 * its parent's parent's ...) but whose own assignments stay inside it.
 * A state's assignments are evaluated first, all against the values the
 * variables had when the state began, and take effect together after it
 * (asl_vars_assign).  Size limits and their errors are AWS's.
 *
 * This header is the contract between the JSONPath side (paths `$x.a`,
 * Assign with `.$` keys, vars.c) and the JSONata side (runtime
 * jsonata_state.c, which reads variables through asl_vars_get).
 */
#ifndef ASL_VARS_H
#define ASL_VARS_H

#include "rt.h"

/* A scope's table (vars.c's; here for asl_vars_slot, which jnstate.c
 * inlines). */
typedef struct {
    const char *name;   /* in the scope's arena */
    uint32_t n;
    size_t size;        /* bytes of the value's JSON text */
    asl_value *val;
} asl_var;

struct asl_vars {
    asl_var *v;
    uint32_t n, cap;
    size_t total;       /* sum of v[].size */
    /* slot (a name's number in its program, lir_jn_fast_form) -> index in v
     * plus one, 0 unknown: filled by the scope's own exec only, so that
     * children reading it on other threads only read */
    uint32_t *slot, nslot;
};

/* The value of the variable of slot in scope s (an exec's own vars) when s
 * already found it by that slot, else NULL (asl_vars_get_slot then looks). */
static inline asl_value *asl_vars_slot(const struct asl_vars *s, uint32_t slot)
{
    return s && slot < s->nslot && s->slot[slot] ? s->v[s->slot[slot] - 1].val : NULL;
}

/* The value of variable name (n bytes, without '$') as seen from x's scope,
 * or NULL (*found false) when no enclosing scope has it. */
asl_value *asl_vars_get(asl_exec *x, const char *name, size_t n, bool *found);

/* Sets n variables at once in x's scope (names without '$', values already
 * evaluated); false with x's error set (AWS's error name and cause) when a
 * size limit is passed. */
bool asl_vars_assign(asl_exec *x, uint32_t n, const char *const *names, asl_value **vals);

/* Sets one variable that x's own scope already has (a loop's counter; slot
 * as asl_vars_get_slot's, or >= 1024 for none) with
 * asl_vars_assign's limits, without its arrays; false, with nothing done
 * and no error set, when the scope does not have it or a limit would be
 * passed (asl_vars_assign then does it, or words the failure). */
bool asl_vars_set1(asl_exec *x, uint32_t slot, const char *name, size_t n, asl_value *v);

/* asl_vars_get (not found: NULL) of a name whose number in its program
 * (slot, lir_jn_fast_form) the scopes remember once they found it: no
 * search of the names after the first. */
asl_value *asl_vars_get_slot(asl_exec *x, uint32_t slot, const char *name, size_t n);

/* The variables of x's own scope as one JSON object, appended to out. */
void asl_vars_write(asl_exec *x, asl_buf *out);

/* The variables of an execution, at most (AWS: 10 MiB; vars.c). */
#define ASL_VARS_TOTAL_LIMIT ((size_t)10 * 1024 * 1024)

/* asl_vars_set1's first step, in line: the scope's own variable by its slot,
 * a small value, no outer scope and no history (an execution's loop
 * counter): assign_one's checks without its calls. */
static inline bool asl_vars_set_slot(asl_exec *x, uint32_t slot, const char *name, size_t n, asl_value *val)
{
    struct asl_vars *s = x->vars;
    size_t size;
    if (!s || slot >= s->nslot || !s->slot[slot] || x->parent || x->run->hist || (size = asl_json_bound(val)) > 4096)
        return asl_vars_set1(x, slot, name, n, val);
    asl_var *v = &s->v[s->slot[slot] - 1];
    if (s->total - v->size + size > ASL_VARS_TOTAL_LIMIT) return false;
    s->total = s->total - v->size + size;
    v->size = size;
    v->val = val;
    return true;
}

#endif
