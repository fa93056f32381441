/*
 * jsonata_eval.c — a small walker of the JSONata syntax tree over the
 * runtime's semantics (runtime/jsonata.h).
 *
 * The compiler uses it to fold constant expressions and the tests use it to
 * run the reference's test suite; generated code will make the same runtime
 * calls in the same order.  What is here is control, not meaning: the
 * order of evaluation of paths and their tuple streams (for `@`, `#` and
 * `%`), predicates, grouping, sorting, blocks and their frames, lambdas and
 * their closures with tail calls run as a loop, transforms.  The shape
 * follows jsonata-js 2.0.6's evaluate*() functions.
 */
#include "jsonata_ast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct jn_env jn_env;
struct jn_env {
    jn_env *parent;
    const char **names;
    asl_value **vals;
    uint32_t n, cap;
};

typedef asl_jn_ctx ctx;
typedef const aslc_jn_node node;

static jn_env *frame(ctx *c, jn_env *parent)
{
    jn_env *e = asl_alloc(c->a, sizeof *e);
    memset(e, 0, sizeof *e);
    e->parent = parent;
    return e;
}

static void bind(ctx *c, jn_env *e, const char *name, asl_value *v)
{
    for (uint32_t i = 0; i < e->n; i++)
        if (strcmp(e->names[i], name) == 0) {
            e->vals[i] = v;
            return;
        }
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 4;
        const char **names = asl_alloc(c->a, sizeof *names * cap);
        asl_value **vals = asl_alloc(c->a, sizeof *vals * cap);
        if (e->n) {
            memcpy(names, e->names, sizeof *names * e->n);
            memcpy(vals, e->vals, sizeof *vals * e->n);
        }
        e->names = names;
        e->vals = vals;
        e->cap = cap;
    }
    e->names[e->n] = name;
    e->vals[e->n++] = v;
}

static bool lookup(const jn_env *e, const char *name, asl_value **out)
{
    for (; e; e = e->parent)
        for (uint32_t i = e->n; i-- > 0;)
            if (strcmp(e->names[i], name) == 0) {
                *out = e->vals[i];
                return true;
            }
    return false;
}

static asl_value *variable(const jn_env *e, const char *name)
{
    asl_value *v = NULL;
    if (lookup(e, name, &v)) return v;
    asl_jn_fn *f = asl_jn_builtin(name, strlen(name));
    return f ? &f->hdr : NULL;
}

static jn_env *tuple_frame(ctx *c, jn_env *parent, asl_value *tuple)
{
    jn_env *e = frame(c, parent);
    for (uint32_t i = 0; tuple && i < tuple->len; i++) bind(c, e, tuple->u.o.members[i].key, tuple->u.o.members[i].val);
    return e;
}

/* The tuple's context item; an empty tuple stream grouped yields a NULL tuple. */
static asl_value *tuple_at(asl_value *tuple)
{
    return tuple ? asl_object_get(tuple, "@", 1) : NULL;
}

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
    for (uint32_t i = 0; t && i < t->len; i++) tuple_add(c, r, t->u.o.members[i].key, t->u.o.members[i].klen, t->u.o.members[i].val);
    return r;
}

static void tuple_set(ctx *c, asl_value *t, const char *k, asl_value *v)
{
    /* members hold NULL for undefined: a tuple is never JSON */
    for (uint32_t i = 0; i < t->len; i++)
        if (strcmp(t->u.o.members[i].key, k) == 0) {
            t->u.o.members[i].val = v;
            return;
        }
    tuple_add(c, t, k, strlen(k), v);
}

static asl_value *eval(ctx *c, node *e, asl_value *input, jn_env *env);

#define FAILED (asl_jn_failed(c))

static asl_value *fail_at(ctx *c, node *e, const char *code, asl_value *v)
{
    asl_jn_error(c, code, v);
    if (c->pos < 0) c->pos = (int)e->pos;
    return NULL;
}

/* ---- predicates -------------------------------------------------------------- */

static asl_value *undefined_seq(ctx *c);

static bool all_numbers(ctx *c, const asl_value *v)
{
    for (uint32_t i = 0; i < v->len; i++)
        if (!asl_jn_numeric(c, v->u.a.items[i])) return false;
    return true;
}

static asl_value *filter(ctx *c, node *pred, asl_value *input, jn_env *env)
{
    asl_value *results = asl_jn_seq(c->a, 4);
    bool tuples = input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES);
    if (tuples) results->flags |= ASL_JN_TUPLES;
    /* createSequence(undefined) is one undefined item: the predicate still
     * runs once (and may fail), though what it keeps is nothing */
    if (!input) input = undefined_seq(c);
    else if (input->type != ASL_ARRAY) input = asl_jn_seq1(c->a, input);
    if (pred->type == JN_NUMBER) {
        double ix = floor(pred->num);
        if (ix < 0) ix += input->len;
        if (ix >= 0 && ix < input->len) {
            asl_value *item = input->u.a.items[(uint32_t)ix];
            if (item && item->type == ASL_ARRAY) return item;
            if (item) asl_jn_push(c->a, results, item);   /* an undefined item is not kept here */
        }
        return results;
    }
    for (uint32_t i = 0; i < input->len; i++) {
        asl_value *item = input->u.a.items[i], *context = item;
        jn_env *fenv = env;
        if (tuples) {
            context = tuple_at(item);
            fenv = tuple_frame(c, env, item);
        }
        asl_value *res = eval(c, pred, context, fenv);
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

/* ---- grouping (object constructors and `{ }` after a step) ------------------ */

static asl_value *reduce_tuples(ctx *c, asl_value *data)
{
    if (!data || data->type != ASL_ARRAY) return tuple_copy(c, data);
    asl_value *r = tuple_copy(c, data->u.a.items[0]);
    for (uint32_t i = 1; i < data->len; i++) {
        asl_value *t = data->u.a.items[i];
        for (uint32_t k = 0; k < t->len; k++) {
            const char *key = t->u.o.members[k].key;
            asl_value *prev = asl_object_get(r, key, strlen(key));
            tuple_set(c, r, key, asl_jn_append(c->a, prev, t->u.o.members[k].val));
        }
    }
    return r;
}

static asl_value *group(ctx *c, aslc_jn_node *const *pairs, uint32_t npairs, uint32_t pos, asl_value *input,
                        jn_env *env)
{
    bool reduce = input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES);
    if (!input || input->type != ASL_ARRAY) input = asl_jn_seq1(c->a, input);
    uint32_t nitems = input->len ? input->len : 1;
    /* groups in order of first appearance: key, data, which pair */
    uint32_t ng = 0, cap = 8;
    asl_value **keys = asl_alloc(c->a, sizeof *keys * cap), **data = asl_alloc(c->a, sizeof *data * cap);
    uint32_t *which = asl_alloc(c->a, sizeof *which * cap);
    for (uint32_t i = 0; i < nitems; i++) {
        asl_value *item = input->len ? input->u.a.items[i] : NULL;
        jn_env *ienv = reduce ? tuple_frame(c, env, item) : env;
        for (uint32_t p = 0; p < npairs; p++) {
            asl_value *key = eval(c, pairs[2 * p], reduce ? tuple_at(item) : item, ienv);
            if (FAILED) return NULL;
            if (!key) continue;
            if (key->type != ASL_STRING) {
                asl_jn_error(c, "T1003", key);
                c->pos = (int)pos;
                return NULL;
            }
            uint32_t g = 0;
            while (g < ng && !(keys[g]->len == key->len && !memcmp(keys[g]->u.str, key->u.str, key->len))) g++;
            if (g < ng) {
                if (which[g] != p) {
                    asl_jn_error(c, "D1009", key);
                    c->pos = (int)pos;
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
        jn_env *genv = env;
        if (reduce) {
            asl_value *t = reduce_tuples(c, data[g]);
            context = tuple_at(t);
            asl_value *rest = asl_object(c->a, t->len);
            for (uint32_t k = 0; k < t->len; k++)
                if (strcmp(t->u.o.members[k].key, "@") != 0)
                    tuple_add(c, rest, t->u.o.members[k].key, t->u.o.members[k].klen, t->u.o.members[k].val);
            genv = tuple_frame(c, env, rest);
        }
        asl_value *v = eval(c, pairs[2 * which[g] + 1], context, genv);
        if (FAILED) return NULL;
        if (v) asl_object_set(c->a, result, keys[g]->u.str, keys[g]->len, v);
    }
    return result;
}

/* ---- sorting ----------------------------------------------------------------- */

typedef struct {
    node *sort;
    jn_env *env;
    bool tuples;
} sort_ud;

static bool sort_after(ctx *c, void *ud, asl_value *a, asl_value *b)
{
    sort_ud *s = ud;
    for (uint32_t t = 0; t < s->sort->n; t++) {
        node *term = s->sort->list[t];
        asl_value *aa = eval(c, term->lhs, s->tuples ? tuple_at(a) : a, s->tuples ? tuple_frame(c, s->env, a) : s->env);
        if (FAILED) return false;
        asl_value *bb = eval(c, term->lhs, s->tuples ? tuple_at(b) : b, s->tuples ? tuple_frame(c, s->env, b) : s->env);
        if (FAILED) return false;
        int comp;
        if (!aa) {
            comp = bb ? 1 : 0;
            if (comp) return true;
            continue;
        }
        if (!bb) return false;
        bool aok = aa->type == ASL_NUMBER || aa->type == ASL_STRING, bok = bb->type == ASL_NUMBER || bb->type == ASL_STRING;
        if (!aok || !bok) {
            fail_at(c, s->sort, "T2008", !aok ? aa : bb);
            return false;
        }
        if (aa->type != bb->type) {
            fail_at(c, s->sort, "T2007", aa);
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
        if (term->descending) comp = -comp;
        return comp == 1;
    }
    return false;
}

static asl_value *sort(ctx *c, node *s, asl_value *input, jn_env *env)
{
    sort_ud ud = { s, env, input && input->type == ASL_ARRAY && (input->flags & ASL_JN_TUPLES) };
    return asl_jn_sort_by(c, input, sort_after, &ud);
}

/* ---- paths ----------------------------------------------------------------------- */

/* A step's stages over its results (evaluateStages); a step that is not
 * staged had its predicates applied by eval() already. */
static asl_value *stages(ctx *c, node *step, asl_value *r, jn_env *env)
{
    for (uint32_t s = 0; step->staged && s < step->nstages && !FAILED; s++) {
        node *st = step->stages[s];
        if (st->type == JN_FILTER) {
            r = filter(c, st->lhs, r, env);
        } else if (r) {
            for (uint32_t i = 0; i < r->len; i++) tuple_set(c, r->u.a.items[i], st->str, asl_number(c->a, i));
        }
    }
    return r;
}

static asl_value *step_eval(ctx *c, node *step, asl_value *input, jn_env *env, bool last)
{
    if (step->type == JN_SORT) {
        asl_value *r = sort(c, step, input, env);
        return FAILED ? NULL : stages(c, step, r, env);
    }
    asl_value *result = asl_jn_seq(c->a, input->len);
    for (uint32_t i = 0; i < input->len; i++) {
        asl_value *res = eval(c, step, input->u.a.items[i], env);
        if (FAILED) return NULL;
        if (step->staged)
            for (uint32_t s = 0; s < step->nstages; s++) {
                res = filter(c, step->stages[s]->lhs, res, env);
                if (FAILED) return NULL;
            }
        if (res) asl_jn_push(c->a, result, res);
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

static asl_value *tuple_step(ctx *c, node *step, asl_value *input, asl_value *tuples, jn_env *env)
{
    asl_value *result;
    if (step->type == JN_SORT) {
        if (tuples) {
            result = sort(c, step, tuples, env);
        } else {
            asl_value *sorted = sort(c, step, input, env);
            if (FAILED) return NULL;
            result = asl_jn_seq(c->a, sorted ? sorted->len : 0);
            result->flags |= ASL_JN_TUPLES;
            for (uint32_t i = 0; sorted && i < sorted->len; i++) {
                asl_value *t = asl_object(c->a, 2);
                tuple_set(c, t, "@", sorted->u.a.items[i]);
                if (step->index) tuple_set(c, t, step->index, asl_number(c->a, i));
                asl_jn_push(c->a, result, t);
            }
        }
        return FAILED ? NULL : stages(c, step, result, env);
    }
    result = asl_jn_seq(c->a, 4);
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
        jn_env *senv = tuple_frame(c, env, tb);
        asl_value *res = eval(c, step, tuple_at(tb), senv);
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
                if (step->focus) {
                    tuple_set(c, t, step->focus, res->u.a.items[b]);
                    tuple_set(c, t, "@", tuple_at(tb));
                } else {
                    tuple_set(c, t, "@", res->u.a.items[b]);
                }
                if (step->index) tuple_set(c, t, step->index, asl_number(c->a, b));
                if (step->ancestor) tuple_set(c, t, step->ancestor->label, tuple_at(tb));
            }
            asl_jn_push(c->a, result, t);
        }
    }
    return stages(c, step, result, env);
}

/* createSequence(undefined): one undefined item, which the first step of a
 * path still visits (`{"a": 1}.a` on no input). */
static asl_value *undefined_seq(ctx *c)
{
    asl_value *s = asl_jn_seq(c->a, 1);
    s->u.a.items[0] = NULL;
    s->len = 1;
    return s;
}

static asl_value *path(ctx *c, node *e, asl_value *input, jn_env *env)
{
    asl_value *in;
    if (input && input->type == ASL_ARRAY && e->list[0]->type != JN_VARIABLE)
        in = input;
    else
        in = input ? asl_jn_seq1(c->a, input) : undefined_seq(c);
    asl_value *result = NULL, *tuples = NULL;
    bool is_tuples = false;
    for (uint32_t i = 0; i < e->n; i++) {
        node *step = e->list[i];
        if (step->tuple) is_tuples = true;
        if (i == 0 && step->cons_array) {
            result = eval(c, step, in, env);
            if (result && result->type == ASL_STRING && result->len == 0)
                break;   /* "".length is 0: the path stops with "" as its value */
            if (result && result->type != ASL_ARRAY && !FAILED) {
                /* `[x][0].y`: the reference's next step loops over
                 * input.length, which a string has (its characters) and
                 * nothing else has (nothing) */
                asl_value *chars = asl_jn_seq(c->a, 0);
                for (uint32_t b = 0; result->type == ASL_STRING && b < result->len;) {
                    uint32_t k = 1;
                    while (b + k < result->len && ((unsigned char)result->u.str[b + k] & 0xC0) == 0x80) k++;
                    asl_jn_push(c->a, chars, asl_string(c->a, result->u.str + b, k));
                    b += k;
                }
                result = chars;
            }
        } else if (is_tuples) {
            tuples = tuple_step(c, step, in, tuples, env);
        } else {
            result = step_eval(c, step, in, env, i == e->n - 1);
        }
        if (FAILED) return NULL;
        if (!is_tuples && (!result || (result->type == ASL_ARRAY && result->len == 0))) break;
        if (!step->focus) in = result;
        if (in && in->type != ASL_ARRAY) in = asl_jn_seq1(c->a, in);
        if (!in) in = asl_jn_seq(c->a, 0);
    }
    if (is_tuples) {
        if (e->tuple) {
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
        /* undefined items end here: the reference's would vanish in the
         * singleton rule or print as null; none leaves a path */
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
    if (e->keep_singleton && result) {
        if (result->type == ASL_ARRAY && (result->flags & ASL_JN_CONS) && !(result->flags & ASL_JN_SEQ))
            result = asl_jn_seq1(c->a, result);
        if (result->type == ASL_ARRAY) result->flags |= ASL_JN_KEEP;
        else {
            result = asl_jn_seq1(c->a, result);
            result->flags |= ASL_JN_KEEP;
        }
    }
    if (e->grouped) result = group(c, e->group, e->ngroup, e->group_pos, is_tuples ? tuples : result, env);
    return result;
}

/* ---- functions ------------------------------------------------------------------ */

static asl_jn_fn *new_fn(ctx *c, asl_jn_fn_kind kind)
{
    asl_jn_fn *f = asl_alloc(c->a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->hdr.type = ASL_JN_FUNCTION;
    f->hdr.u.a.jlen = 2;
    f->kind = (uint8_t)kind;
    return f;
}

static asl_value *lambda(ctx *c, node *e, asl_value *input, jn_env *env)
{
    asl_jn_fn *f = new_fn(c, JN_FN_LAMBDA);
    f->body = e;
    f->env = env;
    f->input = input;
    f->sig = e->str;
    f->thunk = e->thunk;
    f->arity = (int)e->n;
    const char **params = asl_alloc(c->a, sizeof *params * (e->n + 1));
    for (uint32_t i = 0; i < e->n; i++) params[i] = e->list[i]->str;
    f->params = params;
    return &f->hdr;
}

static bool is_thunk(const asl_value *v)
{
    return asl_jn_is_fn(v) && ((const asl_jn_fn *)v)->kind == JN_FN_LAMBDA && ((const asl_jn_fn *)v)->thunk;
}

static asl_value *transform_run(ctx *c, asl_jn_fn *f, asl_value *obj);

/* Runs a lambda's body once (a thunk it returns is the caller's to run). */
static asl_value *lambda_body(ctx *c, asl_jn_fn *f, asl_value **args, int n)
{
    node *body = f->body;
    if (!body) {   /* f ~> g composed: g(f(x)) */
        asl_value *x = asl_jn_apply(c, f->args[0], args, n, NULL);
        if (FAILED) return NULL;
        return asl_jn_apply(c, f->args[1], &x, 1, NULL);
    }
    if (body->type == JN_TRANSFORM) return transform_run(c, f, n > 0 ? args[0] : NULL);
    jn_env *env = frame(c, f->env);
    for (int i = 0; i < f->arity; i++) bind(c, env, f->params[i], i < n ? args[i] : NULL);
    return eval(c, body->rhs, f->input, env);
}

static asl_value **eval_args(ctx *c, node *call, asl_value *input, jn_env *env, bool has_first, asl_value *first,
                             int *nargs)
{
    int n = (int)call->n + (has_first ? 1 : 0), k = 0;
    asl_value **args = asl_alloc(c->a, sizeof *args * (size_t)(n + 1));
    if (has_first) args[k++] = first;
    for (uint32_t i = 0; i < call->n; i++) {
        args[k++] = eval(c, call->list[i], input, env);
        if (FAILED) return NULL;
    }
    *nargs = n;
    return args;
}

static asl_value *apply_lambda(ctx *c, asl_jn_fn *f, asl_value **args, int n)
{
    asl_value *r = lambda_body(c, f, args, n);
    while (!FAILED && is_thunk(r)) {
        asl_jn_fn *t = (asl_jn_fn *)r;
        node *call = ((node *)t->body)->rhs;
        asl_value *proc = eval(c, call->lhs, t->input, t->env);
        if (FAILED) return NULL;
        int nargs;
        asl_value **targs = eval_args(c, call, t->input, t->env, false, NULL, &nargs);
        if (FAILED) return NULL;
        if (asl_jn_is_fn(proc) && ((asl_jn_fn *)proc)->kind == JN_FN_LAMBDA && !((asl_jn_fn *)proc)->thunk) {
            asl_jn_fn *g = (asl_jn_fn *)proc;
            asl_value **v = targs;
            int nv = nargs;
            if (g->sig && !asl_jn_validate(c, g->sig, targs, nargs, t->input, &v, &nv)) break;
            r = lambda_body(c, g, v, nv);
        } else {
            if (!asl_jn_is_fn(proc)) {
                fail_at(c, call, "T1006", proc);
                return NULL;
            }
            r = asl_jn_apply(c, proc, targs, nargs, t->input);
            if (FAILED && c->pos < 0) c->pos = (int)call->pos;
        }
    }
    return FAILED ? NULL : r;
}

static const char *proc_name(node *call)
{
    node *p = call->lhs;
    if (p->type == JN_PATH && p->list[0]->str) return p->list[0]->str;
    return p->str;
}

static asl_value *call(ctx *c, node *e, asl_value *input, jn_env *env, bool chained, asl_value *applyto)
{
    asl_value *proc = eval(c, e->lhs, input, env);
    if (FAILED) return NULL;
    if (!proc && e->lhs->type == JN_PATH && e->lhs->list[0]->str && variable(env, e->lhs->list[0]->str))
        return fail_at(c, e, "T1005", NULL);   /* `sum(x)`: a function's name without its $ */
    int n;
    asl_value **args = eval_args(c, e, input, env, chained, applyto, &n);
    if (FAILED) return NULL;
    if (!asl_jn_is_fn(proc)) {
        fail_at(c, e, "T1006", proc);
        c->token = proc_name(e);
        return NULL;
    }
    asl_value *r = asl_jn_apply(c, proc, args, n, input);
    if (FAILED) {
        if (c->pos < 0) c->pos = (int)e->pos;
        if (!c->token) c->token = proc_name(e);
        return NULL;
    }
    return r;
}

static asl_value *partial(ctx *c, node *e, asl_value *input, jn_env *env)
{
    asl_value **args = asl_alloc(c->a, sizeof *args * (e->n + 1));
    bool *hole = asl_alloc(c->a, sizeof *hole * (e->n + 1));
    for (uint32_t i = 0; i < e->n; i++) {
        hole[i] = e->list[i]->type == JN_PLACEHOLDER;
        args[i] = hole[i] ? NULL : eval(c, e->list[i], input, env);
        if (FAILED) return NULL;
    }
    asl_value *proc = eval(c, e->lhs, input, env);
    if (FAILED) return NULL;
    if (!proc && e->lhs->type == JN_PATH && e->lhs->list[0]->str && variable(env, e->lhs->list[0]->str))
        return fail_at(c, e, "T1007", NULL);
    if (!asl_jn_is_fn(proc)) {
        fail_at(c, e, "T1008", NULL);
        c->token = proc_name(e);
        return NULL;
    }
    return asl_jn_partial(c, proc, args, hole, (int)e->n);
}

static asl_value *apply_chain(ctx *c, node *e, asl_value *input, jn_env *env)
{
    asl_value *lhs = eval(c, e->lhs, input, env);
    if (FAILED) return NULL;
    if (e->rhs->type == JN_FUNCTION) return call(c, e->rhs, input, env, true, lhs);
    asl_value *fn = eval(c, e->rhs, input, env);
    if (FAILED) return NULL;
    if (!asl_jn_is_fn(fn)) return fail_at(c, e, "T2006", fn);
    if (asl_jn_is_fn(lhs)) {
        asl_jn_fn *f = new_fn(c, JN_FN_LAMBDA);
        f->arity = 1;
        f->args = asl_alloc(c->a, sizeof *f->args * 2);
        f->args[0] = lhs;
        f->args[1] = fn;
        return &f->hdr;
    }
    asl_value *r = asl_jn_apply(c, fn, &lhs, 1, NULL);
    if (FAILED && c->pos < 0) c->pos = (int)e->pos;
    return r;
}

/* ---- transform ------------------------------------------------------------------ */

static void object_delete(asl_value *o, const char *k, size_t n)
{
    for (uint32_t i = 0; i < o->len; i++)
        if (asl_key_eq(&o->u.o.members[i], k, n)) {
            memmove(&o->u.o.members[i], &o->u.o.members[i + 1], sizeof *o->u.o.members * (o->len - i - 1));
            o->len--;
            o->flags = 0;   /* its hash index, if any, is out of date: scan */
            return;
        }
}

static asl_value *transform_run(ctx *c, asl_jn_fn *f, asl_value *obj)
{
    node *e = f->body;
    jn_env *env = f->env;
    if (!obj) return NULL;
    asl_value *result = asl_jn_clone(c->a, obj);
    asl_value *matches = eval(c, e->lhs, result, env);
    if (FAILED || !matches) return FAILED ? NULL : result;
    if (matches->type != ASL_ARRAY) matches = asl_jn_seq1(c->a, matches);
    for (uint32_t i = 0; i < matches->len; i++) {
        asl_value *m = matches->u.a.items[i];
        asl_value *update = eval(c, e->rhs, m, env);
        if (FAILED) return NULL;
        if (update) {
            if (update->type != ASL_OBJECT) return fail_at(c, e->rhs, "T2011", update);
            if (m->type == ASL_OBJECT)
                for (uint32_t k = 0; k < update->len; k++)
                    asl_object_set(c->a, m, update->u.o.members[k].key, update->u.o.members[k].klen, update->u.o.members[k].val);
        }
        if (e->third) {
            asl_value *del = eval(c, e->third, m, env);
            if (FAILED) return NULL;
            if (!del) continue;
            asl_value *d = del->type == ASL_ARRAY ? del : asl_jn_seq1(c->a, del);
            for (uint32_t k = 0; k < d->len; k++)
                if (!asl_jn_is_str(d->u.a.items[k])) return fail_at(c, e->third, "T2012", del);
            if (m->type == ASL_OBJECT)
                for (uint32_t k = 0; k < d->len; k++) object_delete(m, d->u.a.items[k]->u.str, d->u.a.items[k]->len);
        }
    }
    return result;
}

/* ---- the walk ------------------------------------------------------------------- */

static asl_value *literal(ctx *c, node *e)
{
    switch (e->type) {
    case JN_STRING: return asl_string(c->a, e->str, e->slen);
    case JN_NUMBER: return asl_number(c->a, e->num);
    default: return e->num == 0 ? asl_bool(false) : e->num == 1 ? asl_bool(true) : asl_null();
    }
}

static asl_value *eval_inner(ctx *c, node *e, asl_value *input, jn_env *env)
{
    asl_value *l, *r;
    switch ((aslc_jn_node_type)e->type) {
    case JN_PATH: return path(c, e, input, env);
    case JN_BINARY:
        l = eval(c, e->lhs, input, env);
        if (FAILED) return NULL;
        if (e->op == JN_OP_AND && asl_jn_truthy(l) != 1) return asl_bool(false);
        if (e->op == JN_OP_OR && asl_jn_truthy(l) == 1) return asl_bool(true);
        r = eval(c, e->rhs, input, env);
        if (FAILED) return NULL;
        l = asl_jn_binary(c, (asl_jn_op)e->op, l, r);
        if (FAILED && c->pos < 0) c->pos = (int)e->pos;
        return l;
    case JN_NEGATE:
        l = eval(c, e->lhs, input, env);
        if (FAILED) return NULL;
        l = asl_jn_negate(c, l);
        if (FAILED && c->pos < 0) c->pos = (int)e->pos;
        return l;
    case JN_ARRAY: {
        asl_value *arr = asl_jn_array(c->a, e->n);
        for (uint32_t i = 0; i < e->n; i++) {
            asl_value *v = eval(c, e->list[i], input, env);
            if (FAILED) return NULL;
            asl_jn_array_add(c, arr, v, e->list[i]->type == JN_ARRAY);
        }
        if (e->cons_array) arr->flags |= ASL_JN_CONS;
        return arr;
    }
    case JN_OBJECT: return group(c, e->list, e->n / 2, e->pos, input, env);
    case JN_NAME: return asl_jn_lookup(c, input, e->str, e->slen);
    case JN_STRING: case JN_NUMBER: case JN_VALUE: return literal(c, e);
    case JN_WILDCARD: return asl_jn_wildcard(c, input);
    case JN_DESCENDANT: return asl_jn_descendants(c, input);
    case JN_PARENT: {
        asl_value *v = NULL;
        lookup(env, e->slot->label, &v);
        return v;
    }
    case JN_CONDITION:
        l = eval(c, e->lhs, input, env);
        if (FAILED) return NULL;
        if (asl_jn_truthy(l) == 1) return eval(c, e->rhs, input, env);
        return e->third ? eval(c, e->third, input, env) : NULL;
    case JN_BLOCK: {
        jn_env *f = frame(c, env);
        asl_value *v = NULL;
        for (uint32_t i = 0; i < e->n && !FAILED; i++) v = eval(c, e->list[i], input, f);
        return v;
    }
    case JN_BIND:
        l = eval(c, e->rhs, input, env);
        if (FAILED) return NULL;
        bind(c, env, e->lhs->str, l);
        return l;
    case JN_REGEX: return e->regex;   /* compiled with the tree */
    case JN_FUNCTION: return call(c, e, input, env, false, NULL);
    case JN_VARIABLE:
        if (e->slen == 0)
            return input && input->type == ASL_ARRAY && (input->flags & ASL_JN_OUTER) ? input->u.a.items[0] : input;
        return variable(env, e->str);
    case JN_LAMBDA: return lambda(c, e, input, env);
    case JN_PARTIAL: return partial(c, e, input, env);
    case JN_APPLY: return apply_chain(c, e, input, env);
    case JN_TRANSFORM: {
        asl_jn_fn *f = new_fn(c, JN_FN_LAMBDA);
        f->body = e;
        f->env = env;
        f->arity = 1;
        f->sig = "<(oa):o>";
        return &f->hdr;
    }
    case JN_SORT: return sort(c, e, input, env);
    default: return NULL;
    }
}

static asl_value *eval(ctx *c, node *e, asl_value *input, jn_env *env)
{
    if (++c->depth > c->max_depth || asl_jn_out_of_time(c)) {
        c->depth--;
        return fail_at(c, e, "U1001", NULL);
    }
    asl_value *r = eval_inner(c, e, input, env);
    if (!FAILED && !e->staged)
        for (uint32_t i = 0; i < e->nstages && !FAILED; i++) r = filter(c, e->stages[i]->lhs, r, env);
    if (!FAILED && e->type != JN_PATH && e->grouped) r = group(c, e->group, e->ngroup, e->group_pos, r, env);
    c->depth--;
    if (FAILED) return NULL;
    if (r && asl_jn_is_seq(r) && !(r->flags & ASL_JN_TUPLES)) r = asl_jn_settle(r, e->keep_array);
    return r;
}

asl_value *aslc_jn_eval(asl_jn_ctx *c, const aslc_jn_node *e, asl_value *input, asl_value *bindings)
{
    c->apply_lambda = apply_lambda;
    jn_env *env = frame(c, NULL);
    if (input && input->type == ASL_ARRAY && !asl_jn_is_seq(input)) {
        asl_value *w = asl_jn_seq1(c->a, input);
        w->flags |= ASL_JN_OUTER;
        input = w;
    }
    bind(c, env, "$", input);
    for (uint32_t i = 0; bindings && bindings->type == ASL_OBJECT && i < bindings->len; i++)
        bind(c, env, bindings->u.o.members[i].key, bindings->u.o.members[i].val);
    asl_value *r = eval(c, e, input, env);
    return FAILED ? NULL : r;
}
