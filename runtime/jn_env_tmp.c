/* TEMPORARY bridge: evaluates an expression by parsing it (until the code
 * generator lands), and a first asl_jn_env. */
#include "rt.h"
#include "jsonata.h"

#include <pthread.h>
#include <string.h>

struct asl_jn_env {
    asl_jn_env *parent;
    const char **names;
    asl_value **vals;
    uint32_t n, cap;
    asl_value *(*resolve)(void *ud, const char *name, size_t n, bool *found);
    void *ud;
};

asl_jn_env *asl_jn_env_new(asl_arena *a, asl_jn_env *parent)
{
    asl_jn_env *e = asl_alloc(a, sizeof *e);
    memset(e, 0, sizeof *e);
    e->parent = parent;
    return e;
}

void asl_jn_env_bind(asl_arena *a, asl_jn_env *e, const char *name, asl_value *v)
{
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 8;
        const char **nn = asl_alloc(a, cap * sizeof *nn);
        asl_value **nv = asl_alloc(a, cap * sizeof *nv);
        if (e->n) {
            memcpy(nn, e->names, e->n * sizeof *nn);
            memcpy(nv, e->vals, e->n * sizeof *nv);
        }
        e->names = nn;
        e->vals = nv;
        e->cap = cap;
    }
    e->names[e->n] = name;
    e->vals[e->n++] = v;
}

void asl_jn_env_resolver(asl_jn_env *root, asl_value *(*resolve)(void *, const char *, size_t, bool *), void *ud)
{
    root->resolve = resolve;
    root->ud = ud;
}

const char *asl_jn_error_text(asl_jn_ctx *c)
{
    return asl_sprintf(c->a, "%s: %s", c->code, c->msg ? c->msg : "error");
}

