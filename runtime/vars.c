/*
 * vars.c — workflow variables (vars.h): a scope per thread of control,
 * reading its parents' scopes.  (A first version: one list per scope.)
 */
#include "rt.h"
#include "vars.h"

#include <string.h>

typedef struct asl_vars {
    const char **names;
    asl_value **vals;
    uint32_t n, cap;
} asl_vars;

asl_value *asl_vars_get(asl_exec *x, const char *name, size_t n, bool *found)
{
    for (; x; x = x->parent) {
        asl_vars *v = x->vars;
        if (!v) continue;
        for (uint32_t i = v->n; i-- > 0;)
            if (strlen(v->names[i]) == n && !memcmp(v->names[i], name, n)) {
                *found = true;
                return v->vals[i];
            }
    }
    *found = false;
    return NULL;
}

bool asl_vars_assign(asl_exec *x, uint32_t n, const char *const *names, asl_value **vals)
{
    asl_vars *v = x->vars;
    if (!v) {
        v = x->vars = asl_alloc(x->arena, sizeof *v);
        memset(v, 0, sizeof *v);
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = 0;
        while (i < v->n && strcmp(v->names[i], names[k])) i++;
        if (i == v->n) {
            if (v->n == v->cap) {
                uint32_t cap = v->cap ? v->cap * 2 : 8;
                const char **nn = asl_alloc(x->arena, cap * sizeof *nn);
                asl_value **nv = asl_alloc(x->arena, cap * sizeof *nv);
                if (v->n) {
                    memcpy(nn, v->names, v->n * sizeof *nn);
                    memcpy(nv, v->vals, v->n * sizeof *nv);
                }
                v->names = nn;
                v->vals = nv;
                v->cap = cap;
            }
            v->names[v->n++] = asl_strndup(x->arena, names[k], strlen(names[k]));
        }
        v->vals[i] = vals[k];
    }
    return true;
}

