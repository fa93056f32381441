/*
 * vars.c — workflow variables (Assign): the store of an execution and of
 * its Parallel branches and Map iterations, and the paths that read it.
 *
 * A scope is an exec's own table (asl_exec.vars), made at its first
 * assignment in the exec's arena; reads look in the exec's table, then in
 * its parent's, up to the execution's.  A branch or an iteration assigns
 * only in its own table (the compiler refuses a definition in which it
 * would assign a name of an outer scope, as AWS does), so that the parents'
 * tables are read-only while children run on other threads: no lock.
 * A child's table goes with the child.
 *
 * A state's Assign is a payload template (its "name.$" members computed,
 * all against the values the variables had when the state began), which
 * the generated code evaluates into an object; asl_assign then sets every
 * member at once, after the state's output is made, checking AWS's limits:
 * 256 KiB a variable, 256 KiB an Assign, 10 MiB the variables of an
 * execution (here: of a scope and the scopes around it).
 *
 * Workflows without variables pay nothing: no table, and no path reads one
 * (a $name path has its own root, which the inline fast paths of asl.h and
 * dataflow.c decline).
 */
#include "rt.h"
#include "path.h"
#include "vars.h"
#include "history.h"

#include <string.h>

#define VAR_LIMIT ((size_t)256 * 1024)          /* one variable's JSON text */
#define ASSIGN_LIMIT ((size_t)256 * 1024)       /* all the variables of one Assign */
#define TOTAL_LIMIT ASL_VARS_TOTAL_LIMIT           /* the variables of an execution (vars.h) */

typedef asl_var var;   /* (vars.h, for asl_vars_slot) */

static var *find(struct asl_vars *s, const char *name, size_t n)
{
    if (!s) return NULL;
    for (uint32_t i = 0; i < s->n; i++)
        /* (the first byte before the call: most names differ there) */
        if (s->v[i].n == n && (n == 0 || s->v[i].name[0] == name[0]) && memcmp(s->v[i].name, name, n) == 0)
            return &s->v[i];
    return NULL;
}

#define MAX_SLOT 1024u

/* find, through x's slot cache of s first; own: s is x's own scope (its
 * cache is filled on a hit) */
static var *find_slot(asl_exec *x, struct asl_vars *s, uint32_t slot, const char *name, size_t n, bool own)
{
    if (!s) return NULL;
    if (slot < s->nslot && s->slot[slot]) return &s->v[s->slot[slot] - 1];
    var *v = find(s, name, n);
    if (v && own && slot < MAX_SLOT) {
        if (slot >= s->nslot) {
            uint32_t m = slot < 8 ? 8 : 2 * slot;
            if (m > MAX_SLOT) m = MAX_SLOT;
            uint32_t *t = asl_alloc(x->arena, m * sizeof *t);
            memset(t, 0, m * sizeof *t);
            if (s->nslot) memcpy(t, s->slot, s->nslot * sizeof *t);
            s->slot = t;
            s->nslot = m;
        }
        s->slot[slot] = (uint32_t)(v - s->v) + 1;
    }
    return v;
}

static __attribute__((noinline)) asl_value *get_slot_slow(asl_exec *x, uint32_t slot, const char *name, size_t n)
{
    for (asl_exec *e = x; e; e = e->parent) {
        var *v = find_slot(x, e->vars, slot, name, n, e == x);
        if (v) return v->val;
    }
    return NULL;
}

asl_value *asl_vars_get_slot(asl_exec *x, uint32_t slot, const char *name, size_t n)
{
    /* the scope's own variable, known by its slot: one look */
    asl_value *v = asl_vars_slot(x->vars, slot);
    return v ? v : get_slot_slow(x, slot, name, n);
}

asl_value *asl_vars_get(asl_exec *x, const char *name, size_t n, bool *found)
{
    for (; x; x = x->parent) {
        var *v = find(x->vars, name, n);
        if (v) {
            if (found) *found = true;
            return v->val;
        }
    }
    if (found) *found = false;
    return NULL;
}

/* The bytes of v's JSON text: the bound when it is small (exact but for
 * numbers without source text), the text's length otherwise. */
static size_t json_size(const asl_value *v)
{
    uint32_t b = asl_json_bound(v);
    if (b <= 4096) return b;
    asl_arena *a = asl_arena_new();
    size_t n = 0;
    asl_json_string(a, v, &n);
    asl_arena_free(a);
    return n;
}

/* The total of the scopes around x's (read-only while x runs). */
static size_t outer_total(asl_exec *x)
{
    size_t t = 0;
    for (asl_exec *p = x->parent; p; p = p->parent)
        if (p->vars) t += p->vars->total;
    return t;
}

/* One variable that the scope has already (a loop's counter): the limits
 * checked and the value set without asl_vars_assign's arrays and passes.
 * false, with nothing done, when it is new or a limit is exceeded: the
 * general path then does it, or words the failure. */
static bool assign_one(asl_exec *x, const char *name, size_t len, asl_value *val, uint32_t slot)
{
    struct asl_vars *s = x->vars;
    var *v = slot < MAX_SLOT ? find_slot(x, s, slot, name, len, true) : find(s, name, len);
    if (!v) return false;
    size_t size = json_size(val);
    if (size > VAR_LIMIT || s->total - v->size + size + outer_total(x) > TOTAL_LIMIT) return false;
    s->total = s->total - v->size + size;
    v->size = size;
    v->val = val;
    if (x->run->hist) asl_hist_assigned(x, 1, &name, &val);
    return true;
}

bool asl_vars_set1(asl_exec *x, uint32_t slot, const char *name, size_t n, asl_value *val)
{
    return assign_one(x, name, n, val, slot);   /* (asl_vars_set_slot did the common case) */
}

bool asl_vars_assign(asl_exec *x, uint32_t n, const char *const *names, asl_value **vals)
{
    if (n == 0) return true;
    if (n == 1 && assign_one(x, names[0], strlen(names[0]), vals[0], MAX_SLOT)) return true;
    size_t sizes_small[16];
    size_t *sizes = n <= 16 ? sizes_small : asl_alloc(x->arena, n * sizeof *sizes);
    size_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        sizes[i] = json_size(vals[i]);
        if (sizes[i] > VAR_LIMIT) {
            asl_fail_state(x, "States.DataLimitExceeded",
                           "The variable '%s' has a size of %zu bytes, exceeding the maximum of "
                           "%zu bytes for a variable.",
                           names[i], sizes[i], VAR_LIMIT);
            return false;
        }
        sum += sizes[i];
    }
    if (sum > ASSIGN_LIMIT) {
        asl_fail_state(x, "States.DataLimitExceeded",
                       "The variables assigned by the state have a combined size of %zu bytes, "
                       "exceeding the maximum of %zu bytes for an Assign.",
                       sum, ASSIGN_LIMIT);
        return false;
    }
    struct asl_vars *s = x->vars;
    size_t total = (s ? s->total : 0) + outer_total(x);
    for (uint32_t i = 0; i < n; i++) {
        var *v = find(s, names[i], strlen(names[i]));
        /* (a name given twice counts once: the last value wins) */
        bool again = false;
        for (uint32_t k = i + 1; k < n && !again; k++) again = !strcmp(names[k], names[i]);
        if (again) continue;
        total = total - (v ? v->size : 0) + sizes[i];
    }
    if (total > TOTAL_LIMIT) {
        asl_fail_state(x, "States.DataLimitExceeded",
                       "The variables of the execution would have a combined size of %zu bytes, "
                       "exceeding the maximum of %zu bytes.",
                       total, TOTAL_LIMIT);
        return false;
    }
    if (!s) {
        s = x->vars = asl_alloc(x->arena, sizeof *s);
        memset(s, 0, sizeof *s);
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        var *v = find(s, names[i], len);
        if (!v) {
            if (s->n == s->cap) {
                uint32_t cap = s->cap ? 2 * s->cap : 8;
                var *nv = asl_alloc(x->arena, cap * sizeof *nv);
                if (s->n) memcpy(nv, s->v, s->n * sizeof *nv);
                s->v = nv;
                s->cap = cap;
            }
            v = &s->v[s->n++];
            v->name = asl_strndup(x->arena, names[i], len);
            v->n = (uint32_t)len;
            v->size = 0;
        }
        s->total = s->total - v->size + sizes[i];
        v->size = sizes[i];
        v->val = vals[i];
    }
    if (x->run->hist) asl_hist_assigned(x, n, names, vals);   /* --history: StateExited lists them */
    return true;
}

asl_value *asl_assign(asl_exec *x, asl_value *v, asl_value *vars)
{
    if (!v) return NULL;
    uint32_t n = vars->len;
    if (n == 1 &&
        assign_one(x, vars->u.o.members[0].key, vars->u.o.members[0].klen, vars->u.o.members[0].val, MAX_SLOT))
        return v;
    const char **names = asl_alloc(x->arena, (n ? n : 1) * sizeof *names);
    asl_value **vals = asl_alloc(x->arena, (n ? n : 1) * sizeof *vals);
    for (uint32_t i = 0; i < n; i++) {
        names[i] = vars->u.o.members[i].key;
        vals[i] = vars->u.o.members[i].val;
    }
    return asl_vars_assign(x, n, names, vals) ? v : NULL;
}

bool asl_vars_root(asl_exec *x, const asl_path *p, asl_value **root, asl_path *rest)
{
    const asl_seg *s = &p->segs[0];
    bool found = false;
    *root = asl_vars_get(x, s->key, s->klen, &found);
    *rest = (asl_path){p->text, ASL_ROOT_INPUT, p->definite, ASL_ITEM_NONE, p->nseg - 1, p->segs + 1, NULL};
    return found;
}

asl_value *asl_vars_path_fail(asl_exec *x, const asl_path *p, const char *field)
{
    asl_value *root;
    asl_path rest;
    if (!asl_vars_root(x, p, &root, &rest))
        return asl_fail_state(x, "States.Runtime",
                              "The variable '$%.*s' referenced by the JSONPath '%s'%s%s%s is not "
                              "defined.",
                              (int)p->segs[0].klen, p->segs[0].key, p->text,
                              field ? " of the field '" : "", field ? field : "", field ? ".$'" : "");
    char *why = asl_path_miss_reason(x->arena, root, &rest);
    return asl_fail_state(x, "States.Runtime", "Invalid path '%s' : %s", p->text,
                          why ? why : "No results for path");
}

/* The variables of x's own scope as one JSON object (served.c: what a
 * resumed execution starts from). */
void asl_vars_write(asl_exec *x, asl_buf *out)
{
    struct asl_vars *s = x->vars;
    asl_value *o = asl_object(x->arena, s ? s->n : 0);
    for (uint32_t i = 0; s && i < s->n; i++)
        asl_object_append_lit(x->arena, o, s->v[i].name, s->v[i].n, s->v[i].val);
    asl_json_write(out, o);
}
