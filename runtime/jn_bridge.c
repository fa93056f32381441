/* TEMPORARY bridge */
#include "rt.h"
#include "jsonata.h"
#include "../compiler/jsonata_ast.h"
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

asl_value *asl_vars_object(asl_exec *x);

asl_value *asl_jn_bridge(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, const char *src)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static asl_arena *arena;
    static struct { const char *src; aslc_jn_node *t; } cache[256];
    pthread_mutex_lock(&lock);
    if (!arena) arena = asl_arena_new();
    aslc_jn_node *t = NULL;
    int i = 0;
    for (; i < 256 && cache[i].src; i++)
        if (cache[i].src == src) t = cache[i].t;
    if (!t) {
        aslc_jn_parse_error err;
        t = aslc_jn_parse(arena, src, strlen(src), &err);
        if (i < 256) {
            cache[i].src = src;
            cache[i].t = t;
        }
    }
    pthread_mutex_unlock(&lock);
    asl_value *b = asl_object(c->a, 8);
    asl_jn_env *root = env;
    while (root->parent) root = root->parent;
    if (root->ud) {
        asl_value *vars = asl_vars_object((asl_exec *)root->ud);
        for (uint32_t k = 0; k < vars->len; k++)
            asl_object_set(c->a, b, vars->u.o.members[k].key, vars->u.o.members[k].klen, vars->u.o.members[k].val);
    }
    for (asl_jn_env *e = env; e; e = e->parent)
        for (uint32_t k = 0; k < e->n; k++) asl_object_set(c->a, b, e->names[k], strlen(e->names[k]), e->vals[k]);
    return aslc_jn_eval(c, t, input, b);
}
