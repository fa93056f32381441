/*
 * jsonata_exec.c — the control of compiled JSONata expressions.
 *
 * compiler/jsonata_lower.c turns each expression into generated functions
 * (asl_jn_code) that are straight runs of calls of this file's entry points
 * and of the semantics in jsonata_value.c / jsonata_apply.c.  What is lazy
 * or repeated — a path step evaluated per item, a predicate, the branches of
 * `?:`, the right side of `and` / `or`, sort terms, group keys and values,
 * a lambda's body, a block, the parts of a transform — is a generated
 * function of its own, which the generated code passes here by address;
 * this file runs them in the reference's order (jsonata-js 2.0.6's
 * evaluate*): paths with their tuple streams for `@`, `#` and `%`, stages,
 * grouping, sorting, transforms, lambdas and their closures, tail calls as
 * a loop.  It is the compile-time walker's control (compiler/jsonata_eval.c)
 * with its sub-trees replaced by those functions: nothing of an expression
 * is interpreted when it runs.
 *
 * Also here: the variable frames (asl_jn_env) and the error text
 * (asl_jn_error_text) of runtime/jsonata.h.
 */
#include "jsonata.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef asl_jn_ctx ctx;

#define FAILED (asl_jn_failed(c))

/* ---- frames ----------------------------------------------------------------------- */

struct asl_jn_env {
    asl_jn_env *parent;
    const char **names;
    uint32_t *lens;
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

static void env_bind(asl_arena *a, asl_jn_env *e, const char *name, size_t len, asl_value *v)
{
    for (uint32_t i = 0; i < e->n; i++)
        if (e->lens[i] == len && memcmp(e->names[i], name, len) == 0) {
            e->vals[i] = v;
            return;
        }
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 4;
        const char **names = asl_alloc(a, sizeof *names * cap);
        uint32_t *lens = asl_alloc(a, sizeof *lens * cap);
        asl_value **vals = asl_alloc(a, sizeof *vals * cap);
        if (e->n) {
            memcpy(names, e->names, sizeof *names * e->n);
            memcpy(lens, e->lens, sizeof *lens * e->n);
            memcpy(vals, e->vals, sizeof *vals * e->n);
        }
        e->names = names, e->lens = lens, e->vals = vals, e->cap = cap;
    }
    e->names[e->n] = name;
    e->lens[e->n] = (uint32_t)len;
    e->vals[e->n++] = v;
}

void asl_jn_env_bind(asl_arena *a, asl_jn_env *e, const char *name, asl_value *v)
{
    env_bind(a, e, name, strlen(name), v);
}

void asl_jn_env_resolver(asl_jn_env *root, asl_value *(*resolve)(void *ud, const char *name, size_t n, bool *found),
                         void *ud)
{
    root->resolve = resolve;
    root->ud = ud;
}

/* `$states` made from c->states: the members given, in Step Functions' order. */
static asl_value *states_object(ctx *c)
{
    static const char *const names[4] = {"input", "result", "errorOutput", "context"};
    if (c->states_obj) return c->states_obj;
    if (!c->states[3] && c->context) c->states[3] = c->context(c->resolve_ud);
    asl_value *st = asl_object(c->a, 4);
    for (int k = 0; k < 4; k++)
        if (c->states[k]) asl_object_append_lit(c->a, st, names[k], strlen(names[k]), c->states[k]);
    return c->states_obj = st;
}

/* name in the frames from e out, then (after the root frame) c's `$states`
 * and c's resolver. */
static bool env_lookup(ctx *c, const asl_jn_env *e, const char *name, size_t len, asl_value **out)
{
    for (; e; e = e->parent) {
        for (uint32_t i = e->n; i-- > 0;)
            if (e->lens[i] == len && memcmp(e->names[i], name, len) == 0) {
                *out = e->vals[i];
                return true;
            }
        if (!e->parent && e->resolve) {
            bool found = false;
            asl_value *v = e->resolve(e->ud, name, len, &found);
            if (found) {
                *out = v;
                return true;
            }
            return false;   /* a root frame's resolver stands for c's */
        }
    }
    if (c->has_states && len == 6 && memcmp(name, "states", 6) == 0) {
        *out = states_object(c);
        return true;
    }
    if (c->resolve) {
        bool found = false;
        asl_value *v = c->resolve(c->resolve_ud, name, len, &found);
        if (found) {
            *out = v;
            return true;
        }
    }
    return false;
}

asl_value *asl_jn_var(asl_jn_ctx *c, asl_jn_env *env, const char *name, size_t n)
{
    asl_value *v = NULL;
    if (env_lookup(c, env, name, n, &v)) return v;
    asl_jn_fn *f = asl_jn_builtin(name, n);
    return f ? &f->hdr : NULL;
}

asl_value *asl_jn_states(asl_jn_ctx *c, asl_jn_env *env, int k)
{
    static const char *const names[4] = {"input", "result", "errorOutput", "context"};
    if (c->has_states && k >= 0 && k < 4) {
        if (k == 3 && !c->states[3] && c->context) c->states[3] = c->context(c->resolve_ud);
        return c->states[k];
    }
    asl_value *st = asl_jn_var(c, env, "states", 6);
    return k >= 0 && k < 4 ? asl_jn_get(c, st, names[k], strlen(names[k]), false) : NULL;
}

asl_value *asl_jn_map_item(asl_jn_ctx *c, asl_jn_env *env, bool index)
{
    if (c->has_states && c->map_item) return c->map_item(c->resolve_ud, index);
    asl_value *v = asl_jn_states(c, env, 3);
    v = asl_jn_get(c, v, "Map", 3, false);
    v = asl_jn_get(c, v, "Item", 4, false);
    return asl_jn_get(c, v, index ? "Index" : "Value", 5, false);
}

asl_value *asl_jn_bind(asl_jn_ctx *c, asl_jn_env *env, const char *name, asl_value *v)
{
    env_bind(c->a, env, name, strlen(name), v);
    return v;
}

asl_value *asl_jn_block(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code body)
{
    return body(c, asl_jn_env_new(c->a, env), input);
}

asl_value *asl_jn_root(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code body)
{
    asl_jn_env *e = asl_jn_env_new(c->a, env);
    env_bind(c->a, e, "$", 1, input);
    return body(c, e, input);
}

static asl_jn_env *tuple_frame(ctx *c, asl_jn_env *parent, asl_value *tuple)
{
    asl_jn_env *e = asl_jn_env_new(c->a, parent);
    for (uint32_t i = 0; tuple && i < tuple->len; i++)
        env_bind(c->a, e, tuple->u.o.members[i].key, tuple->u.o.members[i].klen, tuple->u.o.members[i].val);
    return e;
}

/* ---- tuples ------------------------------------------------------------------------ */

static asl_value *tuple_at(asl_value *tuple) { return tuple ? asl_object_get(tuple, "@", 1) : NULL; }

/* Tuples hold undefined (NULL) members, which asl_object_append refuses:
 * appended as null, then set. */
static void tuple_add(ctx *c, asl_value *t, const char *k, size_t klen, asl_value *v)
{
    asl_object_append(c->a, t, k, klen, asl_null());
    t->u.o.members[t->len - 1].val = v;
}

static asl_value *tuple_copy(ctx *c, asl_value *t)
{
    asl_value *r = asl_object(c->a, (t ? t->len : 0) + 2);
    for (uint32_t i = 0; t && i < t->len; i++)
        tuple_add(c, r, t->u.o.members[i].key, t->u.o.members[i].klen, t->u.o.members[i].val);
    return r;
}

static void tuple_set(ctx *c, asl_value *t, const char *k, asl_value *v)
{
    size_t n = strlen(k);
    for (uint32_t i = 0; i < t->len; i++)
        if (t->u.o.members[i].klen == n && memcmp(t->u.o.members[i].key, k, n) == 0) {
            t->u.o.members[i].val = v;
            return;
        }
    tuple_add(c, t, k, n, v);
}

static asl_value *fail_at(ctx *c, int pos, const char *code, asl_value *v)
{
    asl_jn_error(c, code, v);
    if (c->pos < 0) c->pos = pos;
    return NULL;
}

/* createSequence(undefined): one undefined item. */
static asl_value *undefined_seq(ctx *c)
{
    asl_value *s = asl_jn_seq(c->a, 1);
    s->u.a.items[0] = NULL;
    s->len = 1;
    return s;
}

/* ---- values and operators ------------------------------------------------------------ */

asl_value *asl_jn_top(asl_jn_ctx *c, asl_value *input)
{
    if (!c->apply_lambda) c->apply_lambda = asl_jn_apply_lambda;
    if (input && input->type == ASL_ARRAY && !asl_jn_is_seq(input)) {
        asl_value *w = asl_jn_seq1(c->a, input);
        w->flags |= ASL_JN_OUTER;
        return w;
    }
    return input;
}

asl_value *asl_jn_context(asl_value *input)
{
    return input && input->type == ASL_ARRAY && (input->flags & ASL_JN_OUTER) ? input->u.a.items[0] : input;
}

asl_value *asl_jn_fin(asl_value *r, bool keep_array)
{
    if (r && asl_jn_is_seq(r) && !(r->flags & ASL_JN_TUPLES)) return asl_jn_settle(r, keep_array);
    return r;
}

asl_value *asl_jn_lit_str(asl_jn_ctx *c, const char *s, size_t n) { return asl_string_static(c->a, s, n); }
asl_value *asl_jn_lit_num(asl_jn_ctx *c, double d) { return asl_number(c->a, d); }
asl_value *asl_jn_lit(int k) { return k == 0 ? asl_bool(false) : k == 1 ? asl_bool(true) : k == 2 ? asl_null() : NULL; }

/* *slot, or v copied into memory of the program's and put there (the first
 * thread wins; v is the arena's copy, left there). */
static asl_value *keep_once(asl_value **slot, const asl_value *v)
{
    asl_value *k = asl_xmalloc(sizeof *k);
    *k = *v;
    asl_value *seen = NULL;
    if (!__atomic_compare_exchange_n(slot, &seen, k, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(k);
        return seen;
    }
    return k;
}

asl_value *asl_jn_lit_num_once(asl_jn_ctx *c, asl_value **slot, double d)
{
    asl_value *v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    return v ? v : keep_once(slot, asl_number(c->a, d));
}

asl_value *asl_jn_lit_str_once(asl_jn_ctx *c, asl_value **slot, const char *s, size_t n)
{
    asl_value *v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    return v ? v : keep_once(slot, asl_string_static(c->a, s, n));
}

static const char *const op_names[] = {"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=",
                                        "&", "and", "or", "in", "..", "."};

asl_value *asl_jn_binop(asl_jn_ctx *c, int op, asl_value *l, asl_value *r, int pos)
{
    /* two finite numbers, the usual case: what asl_jn_binary computes, in line */
    if (l && r && l->type == ASL_NUMBER && r->type == ASL_NUMBER && isfinite(l->u.n.num) &&
        isfinite(r->u.n.num)) {
        double x = l->u.n.num, y = r->u.n.num;
        switch (op) {
        case JN_OP_ADD: return asl_jn_num(c, x + y);
        case JN_OP_SUB: return asl_jn_num(c, x - y);
        case JN_OP_MUL: return asl_jn_num(c, x * y);
        case JN_OP_LT: return asl_bool(x < y);
        case JN_OP_LE: return asl_bool(!(x > y));
        case JN_OP_GT: return asl_bool(x > y);
        case JN_OP_GE: return asl_bool(!(x < y));
        default: break;
        }
    }
    asl_value *v = asl_jn_binary(c, (asl_jn_op)op, l, r);
    if (FAILED) {   /* what the message names: the operator, the other side */
        if (c->pos < 0) c->pos = pos;
        if (!c->token && op >= 0 && op <= JN_OP_MAP) c->token = op_names[op];
        if (!strcmp(c->code, "T2009") && !c->value2) c->value2 = r;
    }
    return v;
}

asl_value *asl_jn_neg(asl_jn_ctx *c, asl_value *v, int pos)
{
    v = asl_jn_negate(c, v);
    if (FAILED && c->pos < 0) c->pos = pos;
    return v;
}

asl_value *asl_jn_and_or(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int op, asl_value *l, asl_jn_code rhs,
                         int pos)
{
    if (op == JN_OP_AND && asl_jn_truthy(l) != 1) return asl_bool(false);
    if (op == JN_OP_OR && asl_jn_truthy(l) == 1) return asl_bool(true);
    asl_value *r = rhs(c, env, input);
    if (FAILED) return NULL;
    return asl_jn_binop(c, op, l, r, pos);
}

asl_value *asl_jn_cond(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_value *l, asl_jn_code then,
                       asl_jn_code otherwise)
{
    if (asl_jn_truthy(l) == 1) return then(c, env, input);
    return otherwise ? otherwise(c, env, input) : NULL;
}

asl_value *asl_jn_arr_new(asl_jn_ctx *c, int n) { return asl_jn_array(c->a, (uint32_t)n); }

asl_value *asl_jn_arr_put(asl_jn_ctx *c, asl_value *arr, asl_value *v, bool is_cons)
{
    return asl_jn_array_add(c, arr, v, is_cons);
}

asl_value *asl_jn_arr_cons(asl_value *arr)
{
    arr->flags |= ASL_JN_CONS;
    return arr;
}

/* One step of a path of names from v (a value, a sequence): the field of an
 * object directly, else the step's rules over the items (asl_jn_lookup per
 * item, arrays flattened, the last step's singleton array kept). */
asl_value *asl_jn_get(asl_jn_ctx *c, asl_value *v, const char *key, size_t klen, bool last)
{
    if (!v) return NULL;
    if (v->type == ASL_OBJECT) return asl_object_get(v, key, klen);
    if (v->type != ASL_ARRAY) return NULL;
    asl_value *result = asl_jn_seq(c->a, v->len);
    for (uint32_t i = 0; i < v->len; i++) {
        asl_value *r = asl_jn_fin(asl_jn_lookup(c, v->u.a.items[i], key, klen), false);
        if (r) asl_jn_push(c->a, result, r);
    }
    if (last && result->len == 1 && result->u.a.items[0]->type == ASL_ARRAY && !asl_jn_is_seq(result->u.a.items[0]))
        return result->u.a.items[0];
    asl_value *out = asl_jn_seq(c->a, result->len);
    for (uint32_t i = 0; i < result->len; i++) {
        asl_value *r = result->u.a.items[i];
        if (r->type != ASL_ARRAY || (r->flags & ASL_JN_CONS))
            asl_jn_push(c->a, out, r);
        else
            for (uint32_t k = 0; k < r->len; k++) asl_jn_push(c->a, out, r->u.a.items[k]);
    }
    return out;
}

/* ---- predicates ------------------------------------------------------------------ */

static bool all_numbers(ctx *c, const asl_value *v)
{
    for (uint32_t i = 0; i < v->len; i++)
        if (!asl_jn_numeric(c, v->u.a.items[i])) return false;
    return true;
}

asl_value *asl_jn_filter_at(asl_jn_ctx *c, asl_value *input, double num)
{
    asl_value *results = asl_jn_seq(c->a, 4);
    if (input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES)) results->flags |= ASL_JN_TUPLES;
    if (!input) input = undefined_seq(c);
    else if (input->type != ASL_ARRAY) input = asl_jn_seq1(c->a, input);
    double ix = floor(num);
    if (ix < 0) ix += input->len;
    if (ix >= 0 && ix < input->len) {
        asl_value *item = input->u.a.items[(uint32_t)ix];
        if (item && item->type == ASL_ARRAY) return item;
        if (item) asl_jn_push(c->a, results, item);
    }
    return results;
}

asl_value *asl_jn_filter(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code pred)
{
    asl_value *results = asl_jn_seq(c->a, 4);
    bool tuples = input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES);
    if (tuples) results->flags |= ASL_JN_TUPLES;
    if (!input) input = undefined_seq(c);
    else if (input->type != ASL_ARRAY) input = asl_jn_seq1(c->a, input);
    for (uint32_t i = 0; i < input->len; i++) {
        asl_value *item = input->u.a.items[i], *context = item;
        asl_jn_env *fenv = env;
        if (tuples) {
            context = tuple_at(item);
            fenv = tuple_frame(c, env, item);
        }
        asl_value *res = pred(c, fenv, context);
        if (FAILED) return NULL;
        if (asl_jn_numeric(c, res)) res = asl_jn_seq1(c->a, res);
        if (FAILED) return NULL;
        bool indexes = res && res->type == ASL_ARRAY && all_numbers(c, res);
        if (FAILED) return NULL;
        if (indexes) {
            for (uint32_t k = 0; k < res->len; k++) {
                double ii = floor(res->u.a.items[k]->u.n.num);
                if (ii < 0) ii += input->len;
                if (ii == i) asl_jn_push(c->a, results, item);
            }
        } else if (asl_jn_truthy(res) == 1) {
            asl_jn_push(c->a, results, item);
        }
    }
    return results;
}

/* ---- grouping ----------------------------------------------------------------------- */

static asl_value *reduce_tuples(ctx *c, asl_value *data)
{
    if (!data || data->type != ASL_ARRAY) return tuple_copy(c, data);
    asl_value *r = tuple_copy(c, data->u.a.items[0]);
    for (uint32_t i = 1; i < data->len; i++) {
        asl_value *t = data->u.a.items[i];
        for (uint32_t k = 0; k < t->len; k++) {
            const char *key = t->u.o.members[k].key;
            asl_value *prev = asl_object_get(r, key, t->u.o.members[k].klen);
            tuple_set(c, r, key, asl_jn_append(c->a, prev, t->u.o.members[k].val));
        }
    }
    return r;
}

static asl_value *group(ctx *c, asl_jn_env *env, asl_value *input, int pos, uint32_t npairs, asl_jn_code *fns)
{
    bool reduce = input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES);
    if (!input || input->type != ASL_ARRAY) input = asl_jn_seq1(c->a, input);
    uint32_t nitems = input->len ? input->len : 1;
    uint32_t ng = 0, cap = 8;
    asl_value **keys = asl_alloc(c->a, sizeof *keys * cap), **data = asl_alloc(c->a, sizeof *data * cap);
    uint32_t *which = asl_alloc(c->a, sizeof *which * cap);
    for (uint32_t i = 0; i < nitems; i++) {
        asl_value *item = input->len ? input->u.a.items[i] : NULL;
        asl_jn_env *ienv = reduce ? tuple_frame(c, env, item) : env;
        for (uint32_t p = 0; p < npairs; p++) {
            asl_value *key = fns[2 * p](c, ienv, reduce ? tuple_at(item) : item);
            if (FAILED) return NULL;
            if (!key) continue;
            if (key->type != ASL_STRING) {
                asl_jn_error(c, "T1003", key);
                c->pos = pos;
                return NULL;
            }
            uint32_t g = 0;
            while (g < ng && !(keys[g]->len == key->len && !memcmp(keys[g]->u.str, key->u.str, key->len))) g++;
            if (g < ng) {
                if (which[g] != p) {
                    asl_jn_error(c, "D1009", key);
                    c->pos = pos;
                    return NULL;
                }
                data[g] = asl_jn_append(c->a, data[g], item);
                continue;
            }
            if (ng == cap) {
                cap *= 2;
                asl_value **k2 = asl_alloc(c->a, sizeof *k2 * cap), **d2 = asl_alloc(c->a, sizeof *d2 * cap);
                uint32_t *w2 = asl_alloc(c->a, sizeof *w2 * cap);
                memcpy(k2, keys, sizeof *k2 * ng);
                memcpy(d2, data, sizeof *d2 * ng);
                memcpy(w2, which, sizeof *w2 * ng);
                keys = k2, data = d2, which = w2;
            }
            keys[ng] = key;
            data[ng] = item;
            which[ng++] = p;
        }
    }
    asl_value *result = asl_object(c->a, ng);
    for (uint32_t g = 0; g < ng; g++) {
        asl_value *context = data[g];
        asl_jn_env *genv = env;
        if (reduce) {
            asl_value *t = reduce_tuples(c, data[g]);
            context = tuple_at(t);
            asl_value *rest = asl_object(c->a, t->len);
            for (uint32_t k = 0; k < t->len; k++)
                if (strcmp(t->u.o.members[k].key, "@") != 0)
                    tuple_add(c, rest, t->u.o.members[k].key, t->u.o.members[k].klen, t->u.o.members[k].val);
            genv = tuple_frame(c, env, rest);
        }
        asl_value *v = fns[2 * which[g] + 1](c, genv, context);
        if (FAILED) return NULL;
        if (v) asl_object_set(c->a, result, keys[g]->u.str, keys[g]->len, v);
    }
    return result;
}

asl_value *asl_jn_group(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int pos, int npairs, ...)
{
    asl_jn_code fns[64], *f = fns;
    if (npairs > 32) f = asl_alloc(c->a, sizeof *f * 2 * (size_t)npairs);
    va_list ap;
    va_start(ap, npairs);
    for (int i = 0; i < 2 * npairs; i++) f[i] = va_arg(ap, asl_jn_code);
    va_end(ap);
    return group(c, env, input, pos, (uint32_t)npairs, f);
}

/* ---- object constructors of literal keys ------------------------------------------
 * What group() computes when every key is a distinct string literal: each
 * item gives every key, so each pair's group holds all the items, and each
 * value is evaluated once against them joined (undefined for none). */

asl_value *asl_jn_obj_ctx(asl_jn_ctx *c, asl_value *input)
{
    if (!input || input->type != ASL_ARRAY) return input;
    if (input->len == 0) return NULL;
    asl_value *data = input->u.a.items[0];
    for (uint32_t i = 1; i < input->len; i++) data = asl_jn_append(c->a, data, input->u.a.items[i]);
    return data;
}

asl_value *asl_jn_obj_new(asl_jn_ctx *c, int n) { return asl_object(c->a, (uint32_t)n); }

asl_value *asl_jn_obj_put(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen, asl_value *v)
{
    if (v) asl_object_append_lit(c->a, obj, key, klen, v);
    return obj;
}

/* ---- sorting ------------------------------------------------------------------------- */

typedef struct {
    asl_jn_code *terms;
    int *desc;
    int nterms;
    int pos;
    asl_jn_env *env;
    bool tuples;
} sort_ud;

static bool sort_after(ctx *c, void *ud, asl_value *a, asl_value *b)
{
    sort_ud *s = ud;
    for (int t = 0; t < s->nterms; t++) {
        asl_value *aa = s->terms[t](c, s->tuples ? tuple_frame(c, s->env, a) : s->env, s->tuples ? tuple_at(a) : a);
        if (FAILED) return false;
        asl_value *bb = s->terms[t](c, s->tuples ? tuple_frame(c, s->env, b) : s->env, s->tuples ? tuple_at(b) : b);
        if (FAILED) return false;
        int comp;
        if (!aa) {
            if (bb) return true;
            continue;
        }
        if (!bb) return false;
        bool aok = aa->type == ASL_NUMBER || aa->type == ASL_STRING, bok = bb->type == ASL_NUMBER || bb->type == ASL_STRING;
        if (!aok || !bok) {
            fail_at(c, s->pos, "T2008", !aok ? aa : bb);
            return false;
        }
        if (aa->type != bb->type) {
            fail_at(c, s->pos, "T2007", aa);
            c->value2 = bb;
            return false;
        }
        if (aa->type == ASL_NUMBER)
            comp = aa->u.n.num == bb->u.n.num ? 0 : aa->u.n.num < bb->u.n.num ? -1 : 1;
        else {
            size_t n = aa->len < bb->len ? aa->len : bb->len;
            int k = memcmp(aa->u.str, bb->u.str, n);
            comp = k ? (k < 0 ? -1 : 1) : aa->len == bb->len ? 0 : aa->len < bb->len ? -1 : 1;
        }
        if (comp == 0) continue;
        if (s->desc[t]) comp = -comp;
        return comp == 1;
    }
    return false;
}

asl_value *asl_jn_sort(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int pos, int nterms, ...)
{
    sort_ud ud = {asl_alloc(c->a, sizeof(asl_jn_code) * (size_t)(nterms + 1)),
                  asl_alloc(c->a, sizeof(int) * (size_t)(nterms + 1)), nterms, pos, env,
                  input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES)};
    va_list ap;
    va_start(ap, nterms);
    for (int i = 0; i < nterms; i++) {
        ud.terms[i] = va_arg(ap, asl_jn_code);
        ud.desc[i] = va_arg(ap, int);
    }
    va_end(ap);
    return asl_jn_sort_by(c, input, sort_after, &ud);
}

/* ---- paths ------------------------------------------------------------------------------
 * A path is a run of calls on its state (jsonata-js's evaluatePath): begin,
 * a call per step (and per stage of a step over a tuple stream), end. */

typedef struct {
    asl_value hdr;               /* never a JSONata value: only these calls see it */
    asl_value *in, *result, *tuples;
    bool is_tuples, stopped;
} pstate;

asl_value *asl_jn_path_begin(asl_jn_ctx *c, asl_value *input, bool first_is_var)
{
    pstate *p = asl_alloc(c->a, sizeof *p);
    memset(p, 0, sizeof *p);
    if (input && input->type == ASL_ARRAY && !first_is_var)
        p->in = input;
    else
        p->in = input ? asl_jn_seq1(c->a, input) : undefined_seq(c);
    return &p->hdr;
}

/* After a step (the end of the walker's loop body). */
static asl_value *step_done(ctx *c, pstate *p, bool focus)
{
    if (FAILED) return NULL;
    if (!p->is_tuples && (!p->result || (p->result->type == ASL_ARRAY && p->result->len == 0))) {
        p->stopped = true;
        return &p->hdr;
    }
    if (!focus) p->in = p->result;
    if (p->in && p->in->type != ASL_ARRAY) p->in = asl_jn_seq1(c->a, p->in);
    if (!p->in) p->in = asl_jn_seq(c->a, 0);
    return &p->hdr;
}

asl_value *asl_jn_path_cons(asl_jn_ctx *c, asl_jn_env *env, asl_value *ps, asl_jn_code step, int flags)
{
    pstate *p = (pstate *)ps;
    if (flags & 1) p->is_tuples = true;   /* `[x]@$v`: the stream starts at the next step */
    asl_value *result = step(c, env, p->in);
    if (FAILED) return NULL;
    p->result = result;
    if (result && result->type == ASL_STRING && result->len == 0) {
        p->stopped = true;   /* "".length is 0: the path stops with "" as its value */
        return ps;
    }
    if (result && result->type != ASL_ARRAY) {
        /* `[x][0].y`: the next step loops over input.length, which a string
         * has (its characters) and nothing else has */
        asl_value *chars = asl_jn_seq(c->a, 0);
        for (uint32_t b = 0; result->type == ASL_STRING && b < result->len;) {
            uint32_t k = 1;
            while (b + k < result->len && ((unsigned char)result->u.str[b + k] & 0xC0) == 0x80) k++;
            asl_jn_push(c->a, chars, asl_string(c->a, result->u.str + b, k));
            b += k;
        }
        p->result = chars;
    }
    return step_done(c, p, flags & 2);   /* 2: a focus (`@$v`): the input stays */
}

asl_value *asl_jn_path_step(asl_jn_ctx *c, asl_jn_env *env, asl_value *ps, asl_jn_code step, bool last)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    asl_value *input = p->in;
    asl_value *result = asl_jn_seq(c->a, input->len);
    for (uint32_t i = 0; i < input->len; i++) {
        asl_value *res = step(c, env, input->u.a.items[i]);
        if (FAILED) return NULL;
        if (res) asl_jn_push(c->a, result, res);
    }
    if (last && result->len == 1 && result->u.a.items[0]->type == ASL_ARRAY && !asl_jn_is_seq(result->u.a.items[0])) {
        p->result = result->u.a.items[0];
    } else {
        asl_value *out = asl_jn_seq(c->a, result->len);
        for (uint32_t i = 0; i < result->len; i++) {
            asl_value *r = result->u.a.items[i];
            if (r->type != ASL_ARRAY || (r->flags & ASL_JN_CONS))
                asl_jn_push(c->a, out, r);
            else
                for (uint32_t k = 0; k < r->len; k++) asl_jn_push(c->a, out, r->u.a.items[k]);
        }
        p->result = out;
    }
    return step_done(c, p, false);
}

/* The stages of a step over its whole result (a sort step, a tuple step). */
asl_value *asl_jn_path_filter(asl_jn_ctx *c, asl_jn_env *env, asl_value *ps, asl_jn_code pred)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    asl_value **r = p->is_tuples ? &p->tuples : &p->result;
    *r = asl_jn_filter(c, env, *r, pred);
    return FAILED ? NULL : ps;
}

asl_value *asl_jn_path_filter_at(asl_jn_ctx *c, asl_value *ps, double ix)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    asl_value **r = p->is_tuples ? &p->tuples : &p->result;
    *r = asl_jn_filter_at(c, *r, ix);
    return ps;
}

asl_value *asl_jn_path_index(asl_jn_ctx *c, asl_value *ps, const char *name)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    asl_value *r = p->is_tuples ? p->tuples : p->result;
    for (uint32_t i = 0; r && r->type == ASL_ARRAY && i < r->len; i++)
        if (r->u.a.items[i] && r->u.a.items[i]->type == ASL_OBJECT) tuple_set(c, r->u.a.items[i], name, asl_number(c->a, i));
    return ps;
}

/* Ends a step whose stages ran as calls of their own. */
asl_value *asl_jn_path_next(asl_jn_ctx *c, asl_value *ps, bool focus)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    return step_done(c, p, focus);
}

/* A sort step (its stages follow as path_filter / path_index, then path_next). */
asl_value *asl_jn_path_sort(asl_jn_ctx *c, asl_jn_env *env, asl_value *ps, asl_jn_code sort, bool tuple,
                            const char *index)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    if (tuple) p->is_tuples = true;
    if (!p->is_tuples) {
        p->result = sort(c, env, p->in);
        return FAILED ? NULL : ps;
    }
    if (p->tuples) {
        p->tuples = sort(c, env, p->tuples);
        return FAILED ? NULL : ps;
    }
    asl_value *sorted = sort(c, env, p->in);
    if (FAILED) return NULL;
    asl_value *result = asl_jn_seq(c->a, sorted ? sorted->len : 0);
    result->flags |= ASL_JN_TUPLES;
    for (uint32_t i = 0; sorted && sorted->type == ASL_ARRAY && i < sorted->len; i++) {
        asl_value *t = asl_object(c->a, 2);
        tuple_set(c, t, "@", sorted->u.a.items[i]);
        if (index) tuple_set(c, t, index, asl_number(c->a, i));
        asl_jn_push(c->a, result, t);
    }
    p->tuples = result;
    return ps;
}

/* A step over the tuple stream (its stages follow, then path_next). */
asl_value *asl_jn_path_tstep(asl_jn_ctx *c, asl_jn_env *env, asl_value *ps, asl_jn_code step, const char *focus,
                             const char *index, const char *ancestor)
{
    pstate *p = (pstate *)ps;
    if (p->stopped) return ps;
    p->is_tuples = true;
    asl_value *tuples = p->tuples, *input = p->in;
    asl_value *result = asl_jn_seq(c->a, 4);
    result->flags |= ASL_JN_TUPLES;
    if (!tuples) {
        tuples = asl_jn_seq(c->a, input->len);
        for (uint32_t i = 0; i < input->len; i++) {
            asl_value *t = asl_object(c->a, 2);
            tuple_set(c, t, "@", input->u.a.items[i]);
            asl_jn_push(c->a, tuples, t);
        }
    }
    for (uint32_t e = 0; e < tuples->len; e++) {
        asl_value *tb = tuples->u.a.items[e];
        asl_value *res = step(c, tuple_frame(c, env, tb), tuple_at(tb));
        if (FAILED) return NULL;
        if (!res) continue;
        bool res_tuples = res->type == ASL_ARRAY && (res->flags & ASL_JN_TUPLES);
        if (res->type != ASL_ARRAY) res = asl_jn_seq1(c->a, res);
        for (uint32_t b = 0; b < res->len; b++) {
            asl_value *t = tuple_copy(c, tb);
            if (res_tuples) {
                asl_value *rt = res->u.a.items[b];
                for (uint32_t k = 0; k < rt->len; k++) tuple_set(c, t, rt->u.o.members[k].key, rt->u.o.members[k].val);
            } else {
                if (focus) {
                    tuple_set(c, t, focus, res->u.a.items[b]);
                    tuple_set(c, t, "@", tuple_at(tb));
                } else {
                    tuple_set(c, t, "@", res->u.a.items[b]);
                }
                if (index) tuple_set(c, t, index, asl_number(c->a, b));
                if (ancestor) tuple_set(c, t, ancestor, tuple_at(tb));
            }
            asl_jn_push(c->a, result, t);
        }
    }
    p->tuples = result;
    return ps;
}

asl_value *asl_jn_path_end(asl_jn_ctx *c, asl_value *ps, int flags)
{
    pstate *p = (pstate *)ps;
    asl_value *result = p->result, *tuples = p->tuples;
    if (p->is_tuples) {
        if (flags & ASL_JN_PATH_TUPLE) {
            result = tuples;
        } else {
            result = asl_jn_seq(c->a, tuples ? tuples->len : 0);
            for (uint32_t i = 0; tuples && i < tuples->len; i++) {
                asl_value *v = tuple_at(tuples->u.a.items[i]);
                if (v) asl_jn_push(c->a, result, v);
            }
        }
    }
    if (result && result->type == ASL_ARRAY && !(result->flags & ASL_JN_TUPLES)) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < result->len; i++) k += result->u.a.items[i] != NULL;
        if (k < result->len) {
            asl_value *r = asl_jn_seq(c->a, k);
            r->flags = result->flags;
            for (uint32_t i = 0; i < result->len; i++)
                if (result->u.a.items[i]) asl_jn_push(c->a, r, result->u.a.items[i]);
            result = r;
        }
    }
    if ((flags & ASL_JN_PATH_KEEP) && result) {
        if (result->type == ASL_ARRAY && (result->flags & ASL_JN_CONS) && !(result->flags & ASL_JN_SEQ))
            result = asl_jn_seq1(c->a, result);
        if (result->type == ASL_ARRAY) result->flags |= ASL_JN_KEEP;
        else {
            result = asl_jn_seq1(c->a, result);
            result->flags |= ASL_JN_KEEP;
        }
    }
    if ((flags & ASL_JN_PATH_GROUPED) && p->is_tuples) return tuples;
    return result;
}

/* ---- functions ----------------------------------------------------------------------- */

/* What a lambda made by generated code runs. */
typedef struct {
    asl_jn_code code;                /* the body; a transform: the pattern */
    asl_jn_code update, del;         /* a transform's parts (del may be NULL) */
    int pos_update, pos_del;
    bool transform;
} jn_body;

static asl_jn_fn *new_fn(ctx *c, asl_jn_fn_kind kind)
{
    asl_jn_fn *f = asl_alloc(c->a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->hdr.type = ASL_JN_FUNCTION;
    f->hdr.u.a.jlen = 2;
    f->kind = (uint8_t)kind;
    return f;
}

asl_value *asl_jn_lambda(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code code, const char *params,
                         const char *sig, int n)
{
    asl_jn_fn *f = new_fn(c, JN_FN_LAMBDA);
    jn_body *b = asl_alloc(c->a, sizeof *b);
    memset(b, 0, sizeof *b);
    b->code = code;
    f->body = b;
    f->env = env;
    f->input = input;
    f->sig = sig;
    f->arity = n;
    const char **ps = asl_alloc(c->a, sizeof *ps * (size_t)(n + 1));
    const char *s = params;
    for (int i = 0; i < n; i++) {   /* "a,b": names, which have no commas */
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        ps[i] = asl_strndup(c->a, s, len);
        s = e ? e + 1 : s + len;
    }
    f->params = ps;
    return &f->hdr;
}

asl_value *asl_jn_transform(asl_jn_ctx *c, asl_jn_env *env, asl_jn_code pattern, asl_jn_code update,
                            asl_jn_code del, int pos_update, int pos_del)
{
    asl_jn_fn *f = new_fn(c, JN_FN_LAMBDA);
    jn_body *b = asl_alloc(c->a, sizeof *b);
    *b = (jn_body){pattern, update, del, pos_update, pos_del, true};
    f->body = b;
    f->env = env;
    f->arity = 1;
    f->sig = "<(oa):o>";
    return &f->hdr;
}

static void object_delete(asl_value *o, const char *k, size_t n)
{
    for (uint32_t i = 0; i < o->len; i++)
        if (asl_key_eq(&o->u.o.members[i], k, n)) {
            memmove(&o->u.o.members[i], &o->u.o.members[i + 1], sizeof *o->u.o.members * (o->len - i - 1));
            o->len--;
            o->flags = 0;
            return;
        }
}

static asl_value *transform_run(ctx *c, asl_jn_fn *f, asl_value *obj)
{
    const jn_body *b = f->body;
    asl_jn_env *env = f->env;
    if (!obj) return NULL;
    asl_value *result = asl_jn_clone(c->a, obj);
    asl_value *matches = asl_jn_fin(b->code(c, env, result), false);
    if (FAILED || !matches) return FAILED ? NULL : result;
    if (matches->type != ASL_ARRAY) matches = asl_jn_seq1(c->a, matches);
    for (uint32_t i = 0; i < matches->len; i++) {
        asl_value *m = matches->u.a.items[i];
        asl_value *update = b->update(c, env, m);
        if (FAILED) return NULL;
        if (update) {
            if (update->type != ASL_OBJECT) return fail_at(c, b->pos_update, "T2011", update);
            if (m->type == ASL_OBJECT)
                for (uint32_t k = 0; k < update->len; k++)
                    asl_object_set(c->a, m, update->u.o.members[k].key, update->u.o.members[k].klen,
                                   update->u.o.members[k].val);
        }
        if (b->del) {
            asl_value *del = b->del(c, env, m);
            if (FAILED) return NULL;
            if (!del) continue;
            asl_value *d = del->type == ASL_ARRAY ? del : asl_jn_seq1(c->a, del);
            for (uint32_t k = 0; k < d->len; k++)
                if (!asl_jn_is_str(d->u.a.items[k])) return fail_at(c, b->pos_del, "T2012", del);
            if (m->type == ASL_OBJECT)
                for (uint32_t k = 0; k < d->len; k++) object_delete(m, d->u.a.items[k]->u.str, d->u.a.items[k]->len);
        }
    }
    return result;
}

/* A tail call, made but not run: the lambda that returns it runs it (the
 * loop in asl_jn_apply_lambda), so that tail recursion takes no stack. */
static bool is_tail(const asl_value *v)
{
    return asl_jn_is_fn(v) && ((const asl_jn_fn *)v)->kind == JN_FN_LAMBDA && ((const asl_jn_fn *)v)->thunk;
}

static asl_value **va_args(ctx *c, va_list ap, int n, asl_value *first, bool has_first, int *nout)
{
    int k = 0;
    asl_value **args = asl_alloc(c->a, sizeof *args * (size_t)(n + 2));
    if (has_first) args[k++] = first;
    for (int i = 0; i < n; i++) args[k++] = va_arg(ap, asl_value *);
    *nout = k;
    return args;
}

asl_value *asl_jn_tail(asl_jn_ctx *c, asl_value *input, asl_value *proc, int pos, int n, ...)
{
    asl_jn_fn *t = new_fn(c, JN_FN_LAMBDA);
    t->thunk = true;
    va_list ap;
    va_start(ap, n);
    t->args = va_args(c, ap, n, NULL, false, &t->nargs);
    va_end(ap);
    t->base = (asl_jn_fn *)proc;   /* any value: checked when run */
    t->input = input;
    t->arity = pos;
    return &t->hdr;
}

static asl_value *run_body(ctx *c, asl_jn_fn *f, asl_value **args, int n)
{
    const jn_body *b = f->body;
    if (!b) {   /* f ~> g composed: g(f(x)) */
        asl_value *x = asl_jn_apply(c, f->args[0], args, n, NULL);
        if (FAILED) return NULL;
        return asl_jn_apply(c, f->args[1], &x, 1, NULL);
    }
    if (b->transform) return transform_run(c, f, n > 0 ? args[0] : NULL);
    asl_jn_env *env = asl_jn_env_new(c->a, f->env);
    for (int i = 0; i < f->arity; i++) asl_jn_env_bind(c->a, env, f->params[i], i < n ? args[i] : NULL);
    return b->code(c, env, f->input);
}

asl_value *asl_jn_apply_lambda(asl_jn_ctx *c, asl_jn_fn *f, asl_value **args, int n)
{
    if (++c->depth > c->max_depth || asl_jn_out_of_time(c)) {
        c->depth--;
        return asl_jn_error(c, "U1001", NULL);
    }
    asl_value *r = run_body(c, f, args, n);
    while (!FAILED && is_tail(r)) {
        asl_jn_fn *t = (asl_jn_fn *)r;
        if (asl_jn_out_of_time(c)) {
            asl_jn_error(c, "U1001", NULL);
            break;
        }
        asl_value *proc = &t->base->hdr;
        if (asl_jn_is_fn(proc) && ((asl_jn_fn *)proc)->kind == JN_FN_LAMBDA && !((asl_jn_fn *)proc)->thunk) {
            asl_jn_fn *g = (asl_jn_fn *)proc;
            asl_value **v = t->args;
            int nv = t->nargs;
            if (g->sig && !asl_jn_validate(c, g->sig, t->args, t->nargs, t->input, &v, &nv)) break;
            r = run_body(c, g, v, nv);
        } else {
            if (!asl_jn_is_fn(proc)) {
                fail_at(c, t->arity, "T1006", proc);
                break;
            }
            r = asl_jn_apply(c, proc, t->args, t->nargs, t->input);
            if (FAILED && c->pos < 0) c->pos = t->arity;
        }
    }
    c->depth--;
    return FAILED ? NULL : r;
}

/* proc applied to args, a call at pos of the expression text (token: the
 * name to report); T1006 when proc is not a function. */
static asl_value *apply_at(asl_jn_ctx *c, asl_value *proc, asl_value **args, int nargs, asl_value *input,
                           int pos, const char *token)
{
    if (!asl_jn_is_fn(proc)) {
        fail_at(c, pos, "T1006", proc);
        c->token = token;
        return NULL;
    }
    asl_value *r = asl_jn_apply(c, proc, args, nargs, input);
    if (FAILED) {
        if (c->pos < 0) c->pos = pos;
        if (!c->token) c->token = token;
        return NULL;
    }
    return r;
}

asl_value *asl_jn_call(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_value *proc, int pos,
                       const char *token, const char *name, int n, ...)
{
    if (!proc && name && asl_jn_var(c, env, name, strlen(name))) {
        fail_at(c, pos, "T1005", NULL);   /* `sum(x)`: a function's name without its $ */
        c->token = name;
        return NULL;
    }
    va_list ap;
    va_start(ap, n);
    int nargs;
    asl_value **args = va_args(c, ap, n, NULL, false, &nargs);
    va_end(ap);
    return apply_at(c, proc, args, nargs, input, pos, token);
}

asl_value *asl_jn_call_bi(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int bi, bool may_be_var, int pos,
                          const char *token, int n, ...)
{
    asl_jn_fn *f = asl_jn_builtin_at(bi);
    asl_value *proc = f ? &f->hdr : NULL;
    /* a frame or a workflow variable of the name comes first */
    asl_value *v;
    if (f && may_be_var && env_lookup(c, env, f->name, strlen(f->name), &v)) proc = v;
    va_list ap;
    va_start(ap, n);
    int nargs;
    asl_value *local[4], **args;
    if (f && proc == &f->hdr && n <= 4) {
        /* the built-in itself: its arguments live for the call only (no
         * native keeps the array), so on the stack, not in the arena */
        for (int i = 0; i < n; i++) local[i] = va_arg(ap, asl_value *);
        args = local, nargs = n;
    } else {
        args = va_args(c, ap, n, NULL, false, &nargs);
    }
    va_end(ap);
    return apply_at(c, proc, args, nargs, input, pos, token);
}

asl_value *asl_jn_count1(asl_jn_ctx *c, asl_value *v)
{
    /* "<a:n>": undefined is no item, a value not an array one (wrapped) */
    return asl_jn_num(c, !v ? 0 : v->type == ASL_ARRAY ? (double)v->len : 1);
}

asl_value *asl_jn_string1(asl_jn_ctx *c, asl_value *v, int pos, const char *token)
{
    /* fn_string's, with "<x-b?:s>" matched by any one argument */
    if (!v) return NULL;
    if (v->type == ASL_STRING) return v;
    if (v->type == ASL_ARRAY && (v->flags & ASL_JN_OUTER) && v->len) v = v->u.a.items[0];   /* the input itself */
    asl_value *r = asl_jn_string(c, v, false);
    if (FAILED) {
        if (c->pos < 0) c->pos = pos;
        if (!c->token) c->token = token;
        return NULL;
    }
    return r;
}

asl_value *asl_jn_parse1(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int bi, int pos, const char *token,
                         asl_value *v)
{
    /* "<s:x>" with a string: the built-in itself, without the call and its
     * check; anything else (undefined, another type, a sequence) the call */
    if (!v || v->type != ASL_STRING) return asl_jn_call_bi(c, env, input, bi, false, pos, token, 1, v);
    asl_value *r = asl_jn_sfn_parse(c, &v, 1, input);
    if (FAILED) {   /* as apply_at places it */
        if (c->pos < 0) c->pos = pos;
        if (!c->token) c->token = token;
        return NULL;
    }
    return r;
}

asl_value *asl_jn_merge2(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int bi, bool may_be_var, int pos,
                         const char *token, asl_value *x, asl_value *y)
{
    if (!may_be_var && x && y && x->type == ASL_OBJECT && y->type == ASL_OBJECT) {
        /* x's members copied as a block (its keys are distinct already,
         * and shared, as $merge shares them), then y's set over them */
        asl_value *r = asl_value_shallow_copy(c->a, x);
        for (uint32_t k = 0; k < y->len; k++)
            asl_object_set_lit(c->a, r, y->u.o.members[k].key, y->u.o.members[k].klen, y->u.o.members[k].val);
        return r;
    }
    asl_value *arr = asl_jn_arr_new(c, 2);
    arr = asl_jn_arr_put(c, arr, x, false);
    arr = asl_jn_arr_put(c, arr, y, false);
    return asl_jn_call_bi(c, env, input, bi, may_be_var, pos, token, 1, arr);
}

/* ---- `$merge([$states.input, {...}])` read directly (asl_jn_mi_*) ------------------
 * Straight-line calls, as generated code has no branches: each passes
 * asl_jn_declined on once a read did not apply, and asl_jn_mi_merge then
 * runs the call in full instead. */

asl_value asl_jn_declined = {.type = ASL_NULL};

/* asl_jn_plain, strings, null, booleans and numbers without source text
 * tested without a call */
static inline bool plain_scalar_or(const asl_value *v)
{
    return v->type == ASL_STRING || v->type <= ASL_TRUE ||
           (v->type == ASL_NUMBER && !v->u.n.text && v->u.n.num != 0 && isfinite(v->u.n.num)) || asl_jn_plain(v);
}

asl_value *asl_jn_mi_input(asl_jn_ctx *c)
{
    asl_value *x = c->has_states ? c->states[0] : NULL;
    return x && x->type == ASL_OBJECT ? x : &asl_jn_declined;
}

/* mi_read's value other than a plain scalar: a sequence declines, and (as
 * a value JSONata would print otherwise, 1.50 or 1e2, declines too) what
 * mi_put builds is then plain JSON as it is. */
static __attribute__((noinline)) asl_value *mi_checked(asl_value *v)
{
    return v && !(v->type == ASL_ARRAY && asl_jn_is_seq(v)) && plain_scalar_or(v) ? v : &asl_jn_declined;
}

static __attribute__((noinline)) asl_value *mi_read_slow(asl_value *v, const char *key, size_t klen)
{
    return mi_checked(asl_object_get(v, key, klen));
}

/* mi_read's common case in line: a plain scalar member of a small object
 * (or declined: not an object, no such member); NULL where it cannot tell
 * (an index, a key of more than 16 bytes, another value), which
 * mi_read_slow then reads in full.  Callers make that a tail call, so that
 * their common case is a leaf that saves no registers: mi_put_get's
 * prologue and epilogue were a fifth of it, and asl_key_eq's memcmp for
 * long keys made it call. */
static inline __attribute__((always_inline)) asl_value *mi_read_fast(asl_value *v, const char *key, size_t klen)
{
    if (v->type != ASL_OBJECT) return &asl_jn_declined;   /* (declined is null) */
    if (asl_obj_indexed(v) || klen > 16) return NULL;
    const asl_member *m = v->u.o.members, *end = m + v->len;
    for (; m < end; m++) {   /* asl_object_scan, keys of at most 16 bytes */
        if (m->klen != klen) continue;
        if (m->key == key) break;
        size_t i = 0;
        while (i < klen && m->key[i] == key[i]) i++;
        if (i == klen) break;
    }
    if (m == end) return &asl_jn_declined;
    v = m->val;
    if (v->type == ASL_STRING || v->type <= ASL_TRUE ||
        (v->type == ASL_NUMBER && !v->u.n.text && v->u.n.num != 0 && isfinite(v->u.n.num)))
        return v;
    return NULL;
}

static inline __attribute__((always_inline)) asl_value *mi_read(asl_value *v, const char *key, size_t klen)
{
    asl_value *r = mi_read_fast(v, key, klen);
    return r ? r : mi_read_slow(v, key, klen);
}

asl_value *asl_jn_mi_get(asl_value *v, const char *key, size_t klen) { return mi_read(v, key, klen); }

static __attribute__((noinline)) asl_value *mi_store_slow(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen,
                                                          asl_value *v)
{
    asl_object_append_lit(c->a, obj, key, klen, v);
    return obj;
}

static inline __attribute__((always_inline)) asl_value *mi_store(asl_jn_ctx *c, asl_value *obj, const char *key,
                                                                  size_t klen, asl_value *v)
{
    if (obj == &asl_jn_declined || v == &asl_jn_declined) return &asl_jn_declined;
    /* (obj was made with room for every key: the member set in line) */
    if (klen > UINT32_MAX || !asl_object_put_lit(obj, key, (uint32_t)klen, v)) return mi_store_slow(c, obj, key, klen, v);
    return obj;
}

asl_value *asl_jn_mi_put(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen, asl_value *v)
{
    return mi_store(c, obj, key, klen, v);
}

/* x's members with the n members m set over them, as $merge makes them:
 * a key x has keeps its place.  m's values are plain JSON (mi_get made
 * sure of it), so the result is when the members of x it kept are. */
static asl_value *merge_over(ctx *c, asl_value *x, const asl_member *m, uint32_t ny)
{
    uint32_t n = x->len;
    if (asl_obj_indexed(x) || n + ny > 16) {
        asl_value *r = asl_value_shallow_copy(c->a, x);
        for (uint32_t k = 0; k < ny; k++) asl_object_set_lit(c->a, r, m[k].key, m[k].klen, m[k].val);
        return r;
    }
    /* one pass over x: its members copied (their keys shared, as $merge
     * shares them), a member m has replaced in its place, the others
     * checked plain; then m's other members appended */
    asl_value *r = asl_object(c->a, n + ny);
    asl_member *rm = r->u.o.members;
    const asl_member *xm = x->u.o.members;
    uint64_t jlen = x->u.o.jlen;
    uint32_t set = 0;   /* m's members set in place, a bit each (ny <= 16) */
    bool plain = true;
    for (uint32_t i = 0; i < n; i++) {
        rm[i] = xm[i];
        uint32_t k = 0;
        while (k < ny && !asl_key_eq(&xm[i], m[k].key, m[k].klen)) k++;
        if (k < ny) {
            jlen = jlen - asl_json_bound(xm[i].val) + asl_json_bound(m[k].val);
            rm[i].val = m[k].val;
            set |= 1u << k;
        } else if (plain) {
            plain = plain_scalar_or(xm[i].val);
        }
    }
    r->len = n;
    r->u.o.jlen = x->u.o.jlen == UINT32_MAX || jlen > UINT32_MAX ? UINT32_MAX : (uint32_t)jlen;
    for (uint32_t k = 0; k < ny; k++)
        if (!(set & (1u << k)) && !asl_object_put_lit(r, m[k].key, m[k].klen, m[k].val))
            asl_object_append_lit(c->a, r, m[k].key, m[k].klen, m[k].val);
    if (plain) c->plain = r;   /* asl_jn_to_json need not walk it */
    return r;
}

static __attribute__((noinline)) asl_value *mi_put_get_slow(asl_jn_ctx *c, asl_value *obj, const char *key,
                                                            size_t klen, asl_value *x, const char *name, size_t nlen)
{
    return mi_store(c, obj, key, klen, mi_read_slow(x, name, nlen));
}

asl_value *asl_jn_mi_put_get(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen, asl_value *x,
                             const char *name, size_t nlen)
{
    asl_value *v = mi_read_fast(x, name, nlen);
    return v ? mi_store(c, obj, key, klen, v) : mi_put_get_slow(c, obj, key, klen, x, name, nlen);
}

asl_value *asl_jn_mi_merge(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code generic, asl_value *x,
                           asl_value *y)
{
    if (x == &asl_jn_declined || y == &asl_jn_declined) {
        if (c->complete) c->complete(c);
        return generic(c, env, input);
    }
    return merge_over(c, x, y->u.o.members, y->len);
}

asl_value *asl_jn_mi_merge1(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code generic, asl_value *x,
                            const char *key, size_t klen, asl_value *v)
{
    if (x == &asl_jn_declined || v == &asl_jn_declined) {
        if (c->complete) c->complete(c);
        return generic(c, env, input);
    }
    uint32_t n = x->len;
    if (asl_obj_indexed(x) || n >= 16 || klen > UINT32_MAX) {
        asl_member m = {key, (uint32_t)klen, v};
        return merge_over(c, x, &m, 1);
    }
    /* merge_over's pass for one member */
    asl_value *r = asl_object(c->a, n + 1);
    asl_member *rm = r->u.o.members;
    const asl_member *xm = x->u.o.members;
    r->len = n;
    r->u.o.jlen = x->u.o.jlen;
    uint32_t at = n;   /* the member key replaces */
    bool plain = true;
    for (uint32_t i = 0; i < n; i++) {
        rm[i] = xm[i];
        if (at == n && asl_key_eq(&xm[i], key, klen)) at = i;
        else if (plain) plain = plain_scalar_or(xm[i].val);
    }
    if (at < n) {
        uint64_t j = (uint64_t)r->u.o.jlen - asl_json_bound(xm[at].val) + asl_json_bound(v);
        r->u.o.jlen = r->u.o.jlen == UINT32_MAX || j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
        rm[at].val = v;
    } else {
        asl_object_put_lit(r, key, (uint32_t)klen, v);
    }
    if (plain) c->plain = r;   /* asl_jn_to_json need not walk it */
    return r;
}

asl_value *asl_jn_partial_call(asl_jn_ctx *c, asl_jn_env *env, asl_value *proc, int pos, const char *token,
                               const char *name, const char *holes, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    int nargs;
    asl_value **args = va_args(c, ap, n, NULL, false, &nargs);
    va_end(ap);
    bool *hole = asl_alloc(c->a, sizeof *hole * (size_t)(n + 1));
    for (int i = 0; i < n; i++) hole[i] = holes[i] == '?';
    if (!proc && name && asl_jn_var(c, env, name, strlen(name))) {
        fail_at(c, pos, "T1007", NULL);
        c->token = name;
        return NULL;
    }
    if (!asl_jn_is_fn(proc)) {
        fail_at(c, pos, "T1008", NULL);
        c->token = token;
        return NULL;
    }
    return asl_jn_partial(c, proc, args, hole, n);
}

asl_value *asl_jn_chain(asl_jn_ctx *c, asl_value *lhs, asl_value *fn, int pos)
{
    if (!asl_jn_is_fn(fn)) return fail_at(c, pos, "T2006", fn);
    if (asl_jn_is_fn(lhs)) {
        asl_jn_fn *f = new_fn(c, JN_FN_LAMBDA);
        f->arity = 1;
        f->args = asl_alloc(c->a, sizeof *f->args * 2);
        f->args[0] = lhs;
        f->args[1] = fn;
        return &f->hdr;
    }
    asl_value *r = asl_jn_apply(c, fn, &lhs, 1, NULL);
    if (FAILED && c->pos < 0) c->pos = pos;
    return r;
}

/* ---- the error as Step Functions words it ------------------------------------------- */

static const struct {
    const char *code, *text;
} messages[] = {
    {"S0101", "String literal must be terminated by a matching quote"},
    {"S0102", "Number out of range: {{token}}"},
    {"S0103", "Unsupported escape sequence: \\{{token}}"},
    {"S0104", "The escape sequence \\u must be followed by 4 hex digits"},
    {"S0105", "Quoted property name must be terminated with a backquote (`)"},
    {"S0106", "Comment has no closing tag"},
    {"S0201", "Syntax error: {{token}}"},
    {"S0202", "Expected {{value}}, got {{token}}"},
    {"S0203", "Expected {{value}} before end of expression"},
    {"S0204", "Unknown operator: {{token}}"},
    {"S0205", "Unexpected token: {{token}}"},
    {"S0206", "Unknown expression type: {{token}}"},
    {"S0207", "Unexpected end of expression"},
    {"S0208", "Parameter {{value}} of function definition must be a variable name (start with $)"},
    {"S0209", "A predicate cannot follow a grouping expression in a step"},
    {"S0210", "Each step can only have one grouping expression"},
    {"S0211", "The symbol {{token}} cannot be used as a unary operator"},
    {"S0212", "The left side of := must be a variable name (start with $)"},
    {"S0213", "The literal value {{value}} cannot be used as a step within a path expression"},
    {"S0214", "The right side of {{token}} must be a variable name (start with $)"},
    {"S0215", "A context variable binding must precede any predicates on a step"},
    {"S0216", "A context variable binding must precede the 'order-by' clause on a step"},
    {"S0217", "The object representing the 'parent' cannot be derived from this expression"},
    {"S0301", "Empty regular expressions are not allowed"},
    {"S0302", "No terminating / in regular expression"},
    {"S0402", "Choice groups containing parameterized types are not supported"},
    {"S0401", "Type parameters can only be applied to functions and arrays"},
    {"S0500", "Attempted to evaluate an expression containing syntax error(s)"},
    {"T0410", "Argument {{index}} of function {{token}} does not match function signature"},
    {"T0411", "Context value is not a compatible type with argument {{index}} of function {{token}}"},
    {"T0412", "Argument {{index}} of function {{token}} must be an array of {{type}}"},
    {"D1001", "Number out of range: {{value}}"},
    {"D1002", "Cannot negate a non-numeric value: {{value}}"},
    {"T1003", "Key in object structure must evaluate to a string; got: {{value}}"},
    {"D1004", "Regular expression matches zero length string"},
    {"T1005", "Attempted to invoke a non-function. Did you mean ${{{token}}}?"},
    {"T1006", "Attempted to invoke a non-function"},
    {"T1007", "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"},
    {"T1008", "Attempted to partially apply a non-function"},
    {"D1009", "Multiple key definitions evaluate to same key: {{value}}"},
    {"T1010", "The matcher function argument passed to function {{token}} does not return the correct object structure"},
    {"T2001", "The left side of the {{token}} operator must evaluate to a number"},
    {"T2002", "The right side of the {{token}} operator must evaluate to a number"},
    {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
    {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
    {"D2005", "The left side of := must be a variable name (start with $)"},
    {"T2006", "The right side of the function application operator ~> must be a function"},
    {"T2007", "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"},
    {"T2008", "The expressions within an order-by clause must evaluate to numeric or string values"},
    {"T2009", "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type"},
    {"T2010", "The expressions either side of operator {{token}} must evaluate to numeric or string values"},
    {"T2011", "The insert/update clause of the transform expression must evaluate to an object: {{value}}"},
    {"T2012", "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}"},
    {"D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {{value}}."},
    {"D3001", "Attempting to invoke string function on Infinity or NaN"},
    {"D3010", "Second argument of replace function cannot be an empty string"},
    {"D3011", "Fourth argument of replace function must evaluate to a positive number"},
    {"D3012", "Attempted to replace a matched string with a non-string value"},
    {"D3020", "Third argument of split function must evaluate to a positive number"},
    {"D3030", "Unable to cast value to a number: {{value}}"},
    {"D3040", "Third argument of match function must evaluate to a positive number"},
    {"D3050", "The second argument of reduce function must be a function with at least two arguments"},
    {"D3060", "The sqrt function cannot be applied to a negative number: {{value}}"},
    {"D3061", "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{value2}}"},
    {"D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"},
    {"D3080", "The picture string must only contain a maximum of two sub-pictures"},
    {"D3081", "The sub-picture must not contain more than one instance of the 'decimal-separator' character"},
    {"D3082", "The sub-picture must not contain more than one instance of the 'percent' character"},
    {"D3083", "The sub-picture must not contain more than one instance of the 'per-mille' character"},
    {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"},
    {"D3085", "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"},
    {"D3086", "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"},
    {"D3087", "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"},
    {"D3088", "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"},
    {"D3089", "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"},
    {"D3090", "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"},
    {"D3091", "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"},
    {"D3092", "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"},
    {"D3093", "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"},
    {"D3100", "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"},
    {"D3110", "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}"},
    {"D3120", "Syntax error in expression passed to function eval: {{value}}"},
    {"D3121", "Dynamic error evaluating the expression passed to function eval: {{value}}"},
    {"D3130", "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation"},
    {"D3131", "In a decimal digit pattern, all digits must be from the same decimal group"},
    {"D3132", "Unknown component specifier {{value}} in date/time picture string"},
    {"D3133", "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}"},
    {"D3134", "The timezone integer format specifier cannot have more than four digits"},
    {"D3135", "No matching closing bracket ']' in date/time picture string"},
    {"D3136", "The date/time picture string is missing specifiers required to parse the timestamp"},
    {"D3137", "{{{message}}}"},
    {"D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more."},
    {"D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0."},
    {"D3140", "Malformed URL passed to ${{{token}}}(): {{value}}"},
    {"D3141", "{{{message}}}"},
    {"U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."},
    {"U1002", "Expression evaluation timeout: Check for infinite loop"},
};

/* JSON.stringify of a string. */
static void put_json_str(asl_buf *b, const char *s)
{
    asl_value v = {0};
    v.type = ASL_STRING;
    v.len = (uint32_t)strlen(s);
    v.u.str = s;
    asl_arena *a = asl_arena_new();
    char *t = asl_json_string(a, &v, NULL);
    asl_buf_puts(b, t);
    asl_arena_free(a);
}

const char *asl_jn_error_text(asl_jn_ctx *c)
{
    if (!c->code) return NULL;
    const char *tmpl = NULL;
    for (size_t i = 0; i < sizeof messages / sizeof *messages; i++)
        if (!strcmp(messages[i].code, c->code)) tmpl = messages[i].text;
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, c->code);
    if (c->msg && (!tmpl || strstr(tmpl, "{{{message}}}"))) {   /* $error / $assert */
        asl_buf_puts(&b, ": ");
        asl_buf_puts(&b, c->msg);
    } else if (tmpl) {
        asl_buf_puts(&b, ": ");
        for (const char *p = tmpl; *p;) {
            bool triple = !strncmp(p, "{{{", 3);
            if (strncmp(p, "{{", 2) != 0) {
                asl_buf_putc(&b, *p++);
                continue;
            }
            const char *name = p + (triple ? 3 : 2), *end = strstr(name, "}}");
            if (!end) {
                asl_buf_puts(&b, p);
                break;
            }
            size_t n = (size_t)(end - name);
            p = end + (triple ? 3 : 2);
            if (n == 5 && !memcmp(name, "token", 5)) {
                if (!c->token) asl_buf_puts(&b, triple ? "undefined" : "undefined");
                else if (triple) asl_buf_puts(&b, c->token);
                else put_json_str(&b, c->token);
            } else if (n == 5 && !memcmp(name, "index", 5)) {
                char num[16];
                snprintf(num, sizeof num, "%d", c->index);
                asl_buf_puts(&b, num);
            } else if ((n == 5 && !memcmp(name, "value", 5)) || (n == 6 && !memcmp(name, "value2", 6))) {
                asl_value *v = n == 5 ? c->value : c->value2;
                if (!v) {
                    asl_buf_puts(&b, "undefined");
                } else {
                    asl_arena *a = asl_arena_new();
                    char *t = asl_json_string(a, asl_jn_to_json(a, v), NULL);
                    asl_buf_puts(&b, t ? t : "undefined");
                    asl_arena_free(a);
                }
            } else if (n == 4 && !memcmp(name, "type", 4)) {
                asl_buf_puts(&b, c->token ? c->token : "undefined");
            } else {
                asl_buf_puts(&b, c->msg ? c->msg : "undefined");
            }
        }
    }
    char *r = asl_strndup(c->a, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
