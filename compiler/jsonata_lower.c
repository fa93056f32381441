/*
 * jsonata_lower.c — JSONata expressions lowered to LIR (lir_jn_expr).
 *
 * Each `{% %}` expression becomes a function jn_<n> of kind LIR_FN_JN,
 *   static asl_value *jn_<n>(asl_jn_ctx *c, asl_jn_env *env, asl_value *input)
 * a straight run of JN ops: calls of runtime/jsonata.h's entry points with
 * registers, ints, doubles, strings and function addresses as operands,
 * each failure a return of NULL (c->code set).  What the reference
 * evaluates lazily or repeatedly (a path step per item, a predicate, the
 * branches of `?:`, the right side of `and` / `or`, sort terms, a group's
 * keys and values, a lambda's body, a block's frame, a transform's parts)
 * is a jn_ function of its own, passed by address to the runtime function
 * that controls it (runtime/jsonata_exec.c).  The node-by-node shape is the
 * compile-time walker's (jsonata_eval.c: eval, path, call ...), so that
 * both run the same runtime calls in the same order.
 *
 * Decided here, once:
 *   - constant sub-expressions (literals under operators and `?:`) are
 *     folded by the walker when compiling, into one literal;
 *   - a path of plain names from a variable, `$` or the context
 *     (`$states.input.a.b`, `$.a`, `a.b`) is a run of asl_jn_get, an
 *     object's field read directly, without the path machinery;
 *   - a node whose value can be a sequence is settled (asl_jn_fin), others
 *     are not;
 *   - an expression that names `$$` binds it in a frame of its own;
 *   - `$merge([$states.input, {...}])` of literals and `$states.input`
 *     paths is read directly (asl_jn_mi_*), the call in full its fallback;
 *     a chain of `&` over operands that cannot fail is one asl_jn_concat;
 *     `$count(x)` and `$string(x)` are no calls.
 * docs/jsonata.md and docs/lir.md describe the result.
 */
#include "lir.h"
#include "jsonata_ast.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef const aslc_jn_node node;

typedef struct {
    lir_program *lp;
    asl_arena *a;
    lir_fn *f;
    bool binds_states;   /* the expression binds `$states` somewhere: no direct reads of it */
    node *root;          /* the whole expression */
    bool workflow;       /* a workflow's (its variables are the Assigns'), not aslc --jn-exprs' */
    bool generic;        /* the fallback of a fast form being lowered: no fast form at its top */
} B;

static lir_fn *new_jn_fn(lir_program *lp, asl_arena *a, const char *note)
{
    lir_fn *f = asl_alloc(a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->kind = LIR_FN_JN;
    f->num = lp->njn++;
    f->name = asl_sprintf(a, "jn_%u", f->num);
    f->entry = -1;
    (void)note;
    if (lp->nfns == lp->cap) {
        uint32_t cap = lp->cap ? lp->cap * 2 : 64;
        lir_fn **fns = asl_alloc(a, cap * sizeof *fns);
        if (lp->nfns) memcpy(fns, lp->fns, lp->nfns * sizeof *fns);
        lp->fns = fns;
        lp->cap = cap;
    }
    lp->fns[lp->nfns++] = f;
    return f;
}

static lir_op *push_op(B *b)
{
    lir_fn *f = b->f;
    if (f->nops == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 16;
        lir_op *ops = asl_alloc(b->a, cap * sizeof *ops);
        if (f->nops) memcpy(ops, f->ops, f->nops * sizeof *ops);
        f->ops = ops;
        f->cap = cap;
    }
    lir_op *o = &f->ops[f->nops++];
    memset(o, 0, sizeof *o);
    o->d = o->a = o->b = LIR_NONE;
    return o;
}

/* Operands. */
static lir_arg R(uint32_t r) { return (lir_arg){.k = LIR_X_REG, .reg = r}; }
static lir_arg I(int64_t i) { return (lir_arg){.k = LIR_X_INT, .i = i}; }
static lir_arg D(double d) { return (lir_arg){.k = LIR_X_NUM, .num = d}; }
static lir_arg S(const char *s, size_t n) { return (lir_arg){.k = LIR_X_STR, .str = s, .len = (uint32_t)n}; }
static lir_arg SZ(const char *s) { return S(s, s ? strlen(s) : 0); }
static lir_arg FN(const lir_fn *f) { return (lir_arg){.k = LIR_X_FN, .fn = f}; }
static const lir_arg CTX = {.k = LIR_X_CTX}, ENV = {.k = LIR_X_ENV};
/* A string and its length: two operands (a `const char *, size_t` pair). */
#define SL(s, n) S(s, n), I((int64_t)(n))

/* d = rt(args...); check: a failure returns NULL. */
static uint32_t callv(B *b, lir_rt rt, bool check, uint32_t n, const lir_arg *args)
{
    lir_op *o = push_op(b);
    o->k = LIR_JN;
    o->rt = (uint8_t)rt;
    o->check = check;
    lir_arg *x = asl_alloc(b->a, sizeof *x * (n ? n : 1));
    memcpy(x, args, sizeof *x * n);
    o->xargs = x;
    o->nxargs = n;
    o->d = b->f->nregs++;
    return o->d;
}

#define CALL(b, rt, check, ...)                                                                     \
    callv(b, LIR_RT_##rt, check, sizeof((lir_arg[]){__VA_ARGS__}) / sizeof(lir_arg), (lir_arg[]){__VA_ARGS__})

static void ret(B *b, uint32_t r)
{
    lir_op *o = push_op(b);
    o->k = LIR_GOTO;
    o->a = r;
}

static uint32_t lower(B *b, node *e, uint32_t in);
static bool binds_name(node *e, const char *name);
static bool literal_keys(node *e);
static uint32_t group(B *b, aslc_jn_node *const *pairs, uint32_t npairs, uint32_t pos, uint32_t in);

/* A function of its own for e over its input. */
static const lir_fn *fn_of(B *b, node *e)
{
    B sub = {b->lp, b->a, new_jn_fn(b->lp, b->a, NULL), b->binds_states, b->root, b->workflow, false};
    ret(&sub, lower(&sub, e, LIR_IN));
    return sub.f;
}

/* ---- constants ---------------------------------------------------------------------- */

static bool is_const(node *e)
{
    if (e->nstages || e->grouped || e->keep_array) return false;
    switch (e->type) {
    case JN_STRING: case JN_NUMBER: case JN_VALUE: return true;
    case JN_NEGATE: return is_const(e->lhs);
    case JN_BINARY: return e->op != JN_OP_RANGE && e->op != JN_OP_MAP && is_const(e->lhs) && is_const(e->rhs);
    case JN_CONDITION: return is_const(e->lhs) && is_const(e->rhs) && (!e->third || is_const(e->third));
    case JN_BLOCK:
        for (uint32_t i = 0; i < e->n; i++)
            if (!is_const(e->list[i])) return false;
        return e->n > 0;
    default: return false;
    }
}

/* A static of the generated code for a value made once (asl_jn_*_once). */
static lir_arg slot(B *b) { return (lir_arg){.k = LIR_X_SLOT, .i = b->lp->njn_slots++}; }

/* A literal is a value made the first time its site runs and kept (values
 * are immutable): no allocation per evaluation. */
static uint32_t literal(B *b, const asl_value *v)
{
    if (!v) return CALL(b, JN_LIT, false, I(3));
    switch (v->type) {
    case ASL_STRING: return CALL(b, JN_LIT_STR_ONCE, false, CTX, slot(b), SL(v->u.str, v->len));
    case ASL_NUMBER: return CALL(b, JN_LIT_NUM_ONCE, false, CTX, slot(b), D(v->u.n.num));
    case ASL_TRUE: return CALL(b, JN_LIT, false, I(1));
    case ASL_FALSE: return CALL(b, JN_LIT, false, I(0));
    default: return CALL(b, JN_LIT, false, I(2));
    }
}

/* The value of a constant e, computed now; false when it fails (it fails
 * at run time then, where its error has its place) or is not a scalar. */
static bool fold(B *b, node *e, uint32_t *r)
{
    asl_arena *a = asl_arena_new();
    asl_jn_ctx c;
    asl_jn_ctx_init(&c, a);
    asl_value *v = aslc_jn_eval(&c, e, NULL, NULL);
    bool ok = !c.code && (!v || v->type == ASL_STRING || v->type == ASL_NUMBER || v->type == ASL_TRUE ||
                          v->type == ASL_FALSE || v->type == ASL_NULL);
    if (ok && v && v->type == ASL_STRING) {
        /* the literal's bytes must outlive this arena: the compilation's */
        asl_value *s = asl_string(b->a, v->u.str, v->len);
        v = s;
    }
    if (ok) *r = literal(b, v);
    asl_arena_free(a);
    return ok;
}

/* ---- paths ------------------------------------------------------------------------- */

static bool plain_step(node *s)
{
    return !s->nstages && !s->grouped && !s->keep_array && !s->focus && !s->index && !s->tuple && !s->ancestor &&
           !s->cons_array;
}

/* A path of names from a variable, `$` or the context: direct lookups. */
static bool simple_path(node *e)
{
    if (e->n < 1 || e->keep_singleton || e->tuple || e->grouped) return false;
    node *first = e->list[0];
    if (e->n == 1 && first->type != JN_NAME) return false;
    if ((first->type != JN_VARIABLE && first->type != JN_NAME) || !plain_step(first)) return false;
    for (uint32_t i = 1; i < e->n; i++)
        if (e->list[i]->type != JN_NAME || !plain_step(e->list[i])) return false;
    return true;
}

/* The member of `$states` a path's second step names (asl_jn_states), or -1. */
static int states_member(B *b, node *e)
{
    static const char *const names[4] = {"input", "result", "errorOutput", "context"};
    node *first = e->list[0];
    if (b->binds_states || e->n < 2 || first->type != JN_VARIABLE || first->slen != 6 ||
        memcmp(first->str, "states", 6) != 0)
        return -1;
    for (int k = 0; k < 4; k++)
        if (e->list[1]->slen == strlen(names[k]) && !memcmp(e->list[1]->str, names[k], e->list[1]->slen)) return k;
    return -1;
}

static bool step_is(node *s, const char *name) { return s->slen == strlen(name) && !memcmp(s->str, name, s->slen); }

static uint32_t lower_simple_path(B *b, node *e, uint32_t in)
{
    node *first = e->list[0];
    uint32_t v;
    uint32_t i = 1;
    int k = states_member(b, e);
    if (k == 3 && e->n >= 5 && step_is(e->list[2], "Map") && step_is(e->list[3], "Item") &&
        (step_is(e->list[4], "Value") || step_is(e->list[4], "Index"))) {
        /* `$states.context.Map.Item.Value`: the iteration's item, no context object */
        v = CALL(b, JN_MAP_ITEM, false, CTX, ENV, I(step_is(e->list[4], "Index")));
        i = 5;
    } else if (k >= 0) {   /* `$states.input...`: the member directly, no `$states` object */
        v = CALL(b, JN_STATES, false, CTX, ENV, I(k));
        i = 2;
    } else if (first->type == JN_VARIABLE)
        v = first->slen == 0 ? CALL(b, JN_CONTEXT, false, R(in)) : CALL(b, JN_VAR, false, CTX, ENV, SL(first->str, first->slen));
    else {
        v = CALL(b, JN_GET, false, CTX, R(in), SL(first->str, first->slen), I(e->n == 1));
    }
    for (; i < e->n; i++) {
        node *s = e->list[i];
        v = CALL(b, JN_GET, false, CTX, R(v), SL(s->str, s->slen), I(i == e->n - 1));
    }
    return v;
}

/* A field that is only `$states.input.a.b` or `$states.context.Map.Item.Value.a`
 * (parse.c, ASL_JNT_PATH): its names as a JSON array, the first "input" or
 * "Map.Item.Value", which jnstate.c reads with direct member look-ups
 * before its generic evaluation.  NULL for any other expression (or a name
 * that would need escaping). */
const char *lir_jn_direct_path(asl_arena *a, const struct aslc_jn_node *root)
{
    node *e = (node *)root;
    if (!e || e->type != JN_PATH || e->nstages || e->keep_array || !simple_path(e)) return NULL;
    B b = {.binds_states = false};
    int k = states_member(&b, e);
    uint32_t i;
    asl_buf t;
    asl_buf_init(&t);
    if (k == 3 && e->n >= 5 && step_is(e->list[2], "Map") && step_is(e->list[3], "Item") &&
        step_is(e->list[4], "Value")) {
        asl_buf_puts(&t, "[\"Map.Item.Value\"");
        i = 5;
    } else if (k == 0) {
        asl_buf_puts(&t, "[\"input\"");
        i = 2;
    } else {
        return NULL;
    }
    for (; i < e->n; i++) {
        node *s = e->list[i];
        for (uint32_t j = 0; j < s->slen; j++)
            if (s->str[j] == '"' || s->str[j] == '\\' || (unsigned char)s->str[j] < 0x20) {
                asl_buf_free(&t);
                return NULL;
            }
        asl_buf_puts(&t, ",\"");
        asl_buf_put(&t, s->str, s->slen);
        asl_buf_putc(&t, '"');
    }
    asl_buf_putc(&t, ']');
    const char *r = asl_strndup(a, t.data, t.len);
    asl_buf_free(&t);
    return r;
}

/* Whether name (a variable's or a step's) can go in JSON text unescaped. */
static bool plain_name(const char *s, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        if (s[j] == '"' || s[j] == '\\' || (unsigned char)s[j] < 0x20) return false;
    return true;
}

/* The operand of a fast form: `$name` (a workflow variable: not `$`, not
 * `$states`) or a path lir_jn_direct_path reads; its part of the
 * descriptor (`"var","n"`, `"input","a","b"`), or NULL. */
static const char *fast_operand(asl_arena *a, node *e, uint32_t (*slot)(void *, const char *, uint32_t), void *ud)
{
    node *v = e;
    if (e->type == JN_PATH && e->n == 1 && !e->nstages && !e->keep_array && !e->keep_singleton && !e->tuple &&
        !e->grouped)
        v = e->list[0];
    if (v->type == JN_VARIABLE) {
        if (!plain_step(v) || v->slen == 0 || (v->slen == 6 && !memcmp(v->str, "states", 6)) || !plain_name(v->str, v->slen))
            return NULL;
        return asl_sprintf(a, "\"var\",\"%.*s\",%u", (int)v->slen, v->str, slot ? slot(ud, v->str, v->slen) : 0);
    }
    const char *p = lir_jn_direct_path(a, e);
    return p ? asl_strndup(a, p + 1, strlen(p) - 2) : NULL;
}

/* `<operand> <op> <number>` (or the number first, where the operator turns
 * round): + - * and the six comparisons, whose result is computed with no
 * evaluation context when the operand is a finite number (parse.c,
 * ASL_JNT_FAST; jnstate.c).  Its descriptor as JSON array text:
 * [op (asl_jn_op), the number, "var", the name, its slot (slot(ud, name):
 * the name's number in the program, asl_vars_get_slot)] or [op, the
 * number, "input" or "Map.Item.Value", names...]; NULL for any other
 * expression. */
const char *lir_jn_fast_form(asl_arena *a, const struct aslc_jn_node *root, uint32_t (*slot)(void *, const char *, uint32_t),
                             void *ud)
{
    node *e = (node *)root;
    if (!e || e->type != JN_BINARY || e->nstages || e->grouped || e->keep_array || e->tuple) return NULL;
    int op = e->op;
    node *l = e->lhs, *r = e->rhs;
    if (l->type == JN_NUMBER && r->type != JN_NUMBER) {
        node *t = l;
        l = r, r = t;
        switch (op) {
        case JN_OP_ADD: case JN_OP_MUL: case JN_OP_EQ: case JN_OP_NE: break;
        case JN_OP_LT: op = JN_OP_GT; break;
        case JN_OP_LE: op = JN_OP_GE; break;
        case JN_OP_GT: op = JN_OP_LT; break;
        case JN_OP_GE: op = JN_OP_LE; break;
        default: return NULL;
        }
    }
    if (r->type != JN_NUMBER || r->nstages || r->grouped || r->keep_array) return NULL;
    switch (op) {
    case JN_OP_ADD: case JN_OP_SUB: case JN_OP_MUL: case JN_OP_EQ: case JN_OP_NE:
    case JN_OP_LT: case JN_OP_LE: case JN_OP_GT: case JN_OP_GE: break;
    default: return NULL;
    }
    const char *operand = fast_operand(a, l, slot, ud);
    return operand ? asl_sprintf(a, "[%d,%.17g,%s]", op, r->num, operand) : NULL;
}

/* The stages of a step over its whole result, as calls on the path p. */
static uint32_t path_stages(B *b, node *step, uint32_t p)
{
    for (uint32_t s = 0; step->staged && s < step->nstages; s++) {
        node *st = step->stages[s];
        if (st->type == JN_FILTER) {
            if (st->lhs->type == JN_NUMBER) p = CALL(b, JN_PATH_FILTER_AT, true, CTX, R(p), D(st->lhs->num));
            else p = CALL(b, JN_PATH_FILTER, true, CTX, ENV, R(p), FN(fn_of(b, st->lhs)));
        } else {
            p = CALL(b, JN_PATH_INDEX, false, CTX, R(p), SZ(st->str));
        }
    }
    return p;
}

static uint32_t filter(B *b, node *pred, uint32_t r)
{
    if (pred->type == JN_NUMBER) return CALL(b, JN_FILTER_AT, true, CTX, R(r), D(pred->num));
    return CALL(b, JN_FILTER, true, CTX, ENV, R(r), FN(fn_of(b, pred)));
}

/* A step evaluated per item of its input, its stages after it. */
static const lir_fn *step_fn(B *b, node *step)
{
    B sub = {b->lp, b->a, new_jn_fn(b->lp, b->a, NULL), b->binds_states, b->root, b->workflow, false};
    uint32_t r = lower(&sub, step, LIR_IN);
    for (uint32_t s = 0; step->staged && s < step->nstages; s++) r = filter(&sub, step->stages[s]->lhs, r);
    ret(&sub, r);
    return sub.f;
}

static uint32_t sort_call(B *b, node *s, uint32_t in)
{
    lir_arg *x = asl_alloc(b->a, sizeof *x * (5 + 2 * s->n));
    uint32_t n = 0;
    x[n++] = CTX, x[n++] = ENV, x[n++] = R(in), x[n++] = I(s->pos), x[n++] = I(s->n);
    for (uint32_t t = 0; t < s->n; t++) {
        x[n++] = FN(fn_of(b, s->list[t]->lhs));
        x[n++] = I(s->list[t]->descending);
    }
    return callv(b, LIR_RT_JN_SORT, true, n, x);
}

static const lir_fn *sort_fn(B *b, node *s)
{
    B sub = {b->lp, b->a, new_jn_fn(b->lp, b->a, NULL), b->binds_states, b->root, b->workflow, false};
    ret(&sub, sort_call(&sub, s, LIR_IN));
    return sub.f;
}

static uint32_t lower_path(B *b, node *e, uint32_t in)
{
    if (simple_path(e)) return lower_simple_path(b, e, in);
    uint32_t p = CALL(b, JN_PATH_BEGIN, false, CTX, R(in), I(e->list[0]->type == JN_VARIABLE));
    bool tuples = false;
    for (uint32_t i = 0; i < e->n; i++) {
        node *step = e->list[i];
        if (step->tuple) tuples = true;
        if (i == 0 && step->cons_array) {
            p = CALL(b, JN_PATH_CONS, true, CTX, ENV, R(p), FN(fn_of(b, step)),
                     I((tuples ? 1 : 0) | (step->focus ? 2 : 0)));
        } else if (tuples) {
            if (step->type == JN_SORT)
                p = CALL(b, JN_PATH_SORT, true, CTX, ENV, R(p), FN(sort_fn(b, step)), I(1), SZ(step->index));
            else
                p = CALL(b, JN_PATH_TSTEP, true, CTX, ENV, R(p), FN(fn_of(b, step)), SZ(step->focus), SZ(step->index),
                         SZ(step->ancestor ? step->ancestor->label : NULL));
            p = path_stages(b, step, p);
            p = CALL(b, JN_PATH_NEXT, true, CTX, R(p), I(step->focus != NULL));
        } else if (step->type == JN_SORT) {
            p = CALL(b, JN_PATH_SORT, true, CTX, ENV, R(p), FN(sort_fn(b, step)), I(0), SZ(NULL));
            p = path_stages(b, step, p);
            p = CALL(b, JN_PATH_NEXT, true, CTX, R(p), I(step->focus != NULL));
        } else {
            p = CALL(b, JN_PATH_STEP, true, CTX, ENV, R(p), FN(step_fn(b, step)), I(i == e->n - 1));
        }
    }
    int flags = (e->tuple ? ASL_JN_PATH_TUPLE : 0) | (e->keep_singleton ? ASL_JN_PATH_KEEP : 0) |
                (e->grouped ? ASL_JN_PATH_GROUPED : 0);
    uint32_t r = CALL(b, JN_PATH_END, false, CTX, R(p), I(flags));
    if (e->grouped) r = group(b, e->group, e->ngroup, e->group_pos, r);
    return r;
}

/* ---- grouping, calls ----------------------------------------------------------------- */

static uint32_t group(B *b, aslc_jn_node *const *pairs, uint32_t npairs, uint32_t pos, uint32_t in)
{
    lir_arg *x = asl_alloc(b->a, sizeof *x * (5 + 2 * npairs));
    uint32_t n = 0;
    x[n++] = CTX, x[n++] = ENV, x[n++] = R(in), x[n++] = I(pos), x[n++] = I(npairs);
    for (uint32_t p = 0; p < npairs; p++) {
        x[n++] = FN(fn_of(b, pairs[2 * p]));
        x[n++] = FN(fn_of(b, pairs[2 * p + 1]));
    }
    return callv(b, LIR_RT_JN_GROUP, true, n, x);
}

static const char *proc_name(node *call)
{
    node *p = call->lhs;
    if (p->type == JN_PATH && p->list[0]->str) return p->list[0]->str;
    return p->str;
}

static const char *t1005_name(node *call)
{
    node *p = call->lhs;
    return p->type == JN_PATH && p->list[0]->str ? p->list[0]->str : NULL;
}

/* The built-in `$name` of a call names (its number), or -1: the runtime
 * still lets a frame or a workflow variable of that name win. */
static int builtin_callee(node *call)
{
    node *p = call->lhs;
    if (p->type != JN_VARIABLE || p->slen == 0 || p->nstages || p->grouped || p->keep_array) return -1;
    return asl_jn_builtin_index(p->str, p->slen);
}

/* Whether `$name` may be a variable when it runs: the expression binds it, or
 * (a workflow's expression) an Assign of the workflow sets it, or (aslc
 * --jn-exprs) the caller's bindings may have it. */
static bool may_be_var(B *b, const char *name)
{
    if (!b->workflow || binds_name(b->root, name)) return true;
    const ir_program *p = b->lp->p;
    for (uint32_t i = 0; i < p->nvars; i++)
        if (!strcmp(p->vars[i], name)) return true;
    return false;
}

/* `$merge([X, {'k': ...}])`: the two items, for asl_jn_merge2 (X not an
 * array constructor, whose items ARR_PUT would flatten; the list plain). */
static bool merge2_form(node *e, int bi)
{
    static int merge_bi = -2;
    if (merge_bi == -2) merge_bi = asl_jn_builtin_index("merge", 5);
    if (bi != merge_bi || e->n != 1) return false;
    node *l = e->list[0];
    if (l->type != JN_ARRAY || l->n != 2 || l->cons_array || l->nstages || l->grouped || l->keep_array) return false;
    return l->list[0]->type != JN_ARRAY && l->list[1]->type == JN_OBJECT && literal_keys(l->list[1]);
}

/* A value of `$merge([$states.input, {...}])`'s constructor that the form
 * read directly takes (asl_jn_mi_*, runtime/jsonata.h): a literal, a path
 * of names from `$states.input` (lir_jn_direct_path's), or a constructor
 * of such. */
static bool merge_in_object(B *b, node *e);
static bool merge_in_value(B *b, node *v)
{
    if (v->nstages || v->grouped || v->keep_array) return false;
    switch (v->type) {
    case JN_STRING: case JN_NUMBER: case JN_VALUE: return true;
    case JN_OBJECT: return merge_in_object(b, v);
    case JN_PATH: return simple_path(v) && states_member(b, v) == 0 && v->n >= 3;
    default: return false;
    }
}

static bool merge_in_object(B *b, node *e)
{
    if (e->type != JN_OBJECT || e->nstages || e->grouped || e->keep_array || !literal_keys(e)) return false;
    for (uint32_t p = 0; p < e->n / 2; p++)
        if (!plain_name(e->list[2 * p]->str, e->list[2 * p]->slen) || !merge_in_value(b, e->list[2 * p + 1]))
            return false;
    return true;
}

/* `$merge([$states.input, {'k': ...}])` (merge2_form) whose constructor
 * merge_in_object takes, in a workflow where nothing names a variable
 * merge and the expression does not bind $states: the asl_jn_mi_* calls. */
static bool merge_in_form(B *b, node *e)
{
    node *x = e->list[0]->list[0];
    if (b->generic || !b->workflow || b->binds_states || may_be_var(b, "merge")) return false;
    if (x->type != JN_PATH || x->nstages || x->keep_array || !simple_path(x) || x->n != 2 || states_member(b, x) != 0)
        return false;
    return merge_in_object(b, e->list[0]->list[1]);
}

/* Constructor e (merge_in_object's) built from the input x with direct
 * reads (asl_jn_mi_get, asl_jn_mi_put): asl_jn_declined when one does not
 * apply. */
static uint32_t merge_in_member(B *b, node *v, uint32_t x, uint32_t in);
static uint32_t merge_in_build(B *b, node *e, uint32_t x, uint32_t in)
{
    uint32_t np = e->n / 2;
    uint32_t o = CALL(b, JN_OBJ_NEW, false, CTX, I(np));
    for (uint32_t p = 0; p < np; p++) {
        node *k = e->list[2 * p], *v = e->list[2 * p + 1];
        if (v->type == JN_PATH && v->n == 3) {   /* `$states.input.name`: read and put in one call */
            o = CALL(b, JN_MI_PUT_GET, false, CTX, R(o), SL(k->str, k->slen), R(x), SL(v->list[2]->str, v->list[2]->slen));
            continue;
        }
        uint32_t r = merge_in_member(b, v, x, in);
        o = CALL(b, JN_MI_PUT, false, CTX, R(o), SL(k->str, k->slen), R(r));
    }
    return o;
}

/* A value of such a constructor (merge_in_value's). */
static uint32_t merge_in_member(B *b, node *v, uint32_t x, uint32_t in)
{
    if (v->type == JN_OBJECT) return merge_in_build(b, v, x, in);
    if (v->type != JN_PATH) return lower(b, v, in);   /* a literal */
    uint32_t r = x;
    for (uint32_t i = 2; i < v->n; i++) r = CALL(b, JN_MI_GET, false, R(r), SL(v->list[i]->str, v->list[i]->slen));
    return r;
}

/* A call of e (JN_FUNCTION); first: the `~>` left side's register, or LIR_NONE. */
static uint32_t lower_call(B *b, node *e, uint32_t in, uint32_t first)
{
    int bi = builtin_callee(e);
    if (bi >= 0 && first == LIR_NONE && merge2_form(e, bi) && merge_in_form(b, e)) {
        /* the input merged with members read directly; the call in full
         * (a function of its own) when they are not all there */
        B sub = {b->lp, b->a, new_jn_fn(b->lp, b->a, NULL), b->binds_states, b->root, b->workflow, true};
        ret(&sub, lower_call(&sub, e, LIR_IN, LIR_NONE));
        uint32_t x = CALL(b, JN_MI_INPUT, false, CTX);
        node *y = e->list[0]->list[1];
        if (y->n == 2) {   /* one member: no object for the constructor */
            uint32_t v = merge_in_member(b, y->list[1], x, in);
            return CALL(b, JN_MI_MERGE1, true, CTX, ENV, R(in), FN(sub.f), R(x), SL(y->list[0]->str, y->list[0]->slen),
                        R(v));
        }
        return CALL(b, JN_MI_MERGE, true, CTX, ENV, R(in), FN(sub.f), R(x), R(merge_in_build(b, y, x, in)));
    }
    if (bi >= 0 && first == LIR_NONE && merge2_form(e, bi)) {
        /* an object merged with literal keys: built directly when both are
         * objects and no variable is named merge, the call otherwise */
        uint32_t x = lower(b, e->list[0]->list[0], in);
        uint32_t y = lower(b, e->list[0]->list[1], in);
        return CALL(b, JN_MERGE2, true, CTX, ENV, R(in), I(bi), I(may_be_var(b, e->lhs->str)), I(e->pos),
                    SZ(proc_name(e)), R(x), R(y));
    }
    if (bi >= 0 && first == LIR_NONE && e->n == 1 && !may_be_var(b, e->lhs->str)) {
        /* $count(x), $string(x): no call (any one argument passes their signatures) */
        /* $parse(x): no call when x is a string ("<s:x>") */
        static int count_bi = -2, string_bi = -2, parse_bi = -2;
        if (count_bi == -2)
            count_bi = asl_jn_builtin_index("count", 5), string_bi = asl_jn_builtin_index("string", 6),
            parse_bi = asl_jn_builtin_index("parse", 5);
        if (bi == count_bi) return CALL(b, JN_COUNT1, false, CTX, R(lower(b, e->list[0], in)));
        if (bi == string_bi) return CALL(b, JN_STRING1, true, CTX, R(lower(b, e->list[0], in)), I(e->pos), SZ(proc_name(e)));
        if (bi == parse_bi)
            return CALL(b, JN_PARSE1, true, CTX, ENV, R(in), I(bi), I(e->pos), SZ(proc_name(e)), R(lower(b, e->list[0], in)));
    }
    if (bi >= 0) {   /* no look-up by name, the signature parsed once (jsonata_apply.c) */
        uint32_t nargs = e->n + (first != LIR_NONE);
        lir_arg *x = asl_alloc(b->a, sizeof *x * (8 + nargs));
        uint32_t n = 0;
        x[n++] = CTX, x[n++] = ENV, x[n++] = R(in), x[n++] = I(bi), x[n++] = I(may_be_var(b, e->lhs->str));
        x[n++] = I(e->pos), x[n++] = SZ(proc_name(e)), x[n++] = I(nargs);
        if (first != LIR_NONE) x[n++] = R(first);
        for (uint32_t i = 0; i < e->n; i++) {
            uint32_t r = lower(b, e->list[i], in);
            x[n++] = R(r);
        }
        return callv(b, LIR_RT_JN_CALL_BI, true, n, x);
    }
    uint32_t proc = lower(b, e->lhs, in);
    uint32_t nargs = e->n + (first != LIR_NONE);
    lir_arg *x = asl_alloc(b->a, sizeof *x * (8 + nargs));
    uint32_t n = 0;
    x[n++] = CTX, x[n++] = ENV, x[n++] = R(in), x[n++] = R(proc), x[n++] = I(e->pos);
    x[n++] = SZ(proc_name(e)), x[n++] = SZ(t1005_name(e)), x[n++] = I(nargs);
    if (first != LIR_NONE) x[n++] = R(first);
    for (uint32_t i = 0; i < e->n; i++) {
        uint32_t r = lower(b, e->list[i], in);
        x[n++] = R(r);
    }
    return callv(b, LIR_RT_JN_CALL, true, n, x);
}

static uint32_t lower_tail(B *b, node *call, uint32_t in)
{
    uint32_t proc = lower(b, call->lhs, in);
    lir_arg *x = asl_alloc(b->a, sizeof *x * (5 + call->n));
    uint32_t n = 0;
    x[n++] = CTX, x[n++] = R(in), x[n++] = R(proc), x[n++] = I(call->pos), x[n++] = I(call->n);
    for (uint32_t i = 0; i < call->n; i++) {
        uint32_t r = lower(b, call->list[i], in);
        x[n++] = R(r);
    }
    return callv(b, LIR_RT_JN_TAIL, true, n, x);
}

static uint32_t lower_partial(B *b, node *e, uint32_t in)
{
    char *holes = asl_alloc(b->a, e->n + 1);
    uint32_t *regs = asl_alloc(b->a, sizeof *regs * (e->n + 1));
    for (uint32_t i = 0; i < e->n; i++) {
        bool hole = e->list[i]->type == JN_PLACEHOLDER;
        holes[i] = hole ? '?' : 'x';
        regs[i] = hole ? LIR_NONE : lower(b, e->list[i], in);
    }
    holes[e->n] = 0;
    uint32_t proc = lower(b, e->lhs, in);
    lir_arg *x = asl_alloc(b->a, sizeof *x * (8 + e->n));
    uint32_t n = 0;
    x[n++] = CTX, x[n++] = ENV, x[n++] = R(proc), x[n++] = I(e->pos), x[n++] = SZ(proc_name(e));
    x[n++] = SZ(t1005_name(e)), x[n++] = S(holes, e->n), x[n++] = I(e->n);
    for (uint32_t i = 0; i < e->n; i++) x[n++] = regs[i] == LIR_NONE ? S(NULL, 0) : R(regs[i]);
    return callv(b, LIR_RT_JN_PARTIAL, true, n, x);
}

/* Whether e binds a variable in the frame it is evaluated in. */
static bool binds(node *e)
{
    if (!e || e->type == JN_LAMBDA || e->type == JN_BLOCK) return false;   /* frames of their own */
    if (e->type == JN_BIND) return true;
    if (binds(e->lhs) || binds(e->rhs) || binds(e->third)) return true;
    for (uint32_t i = 0; i < e->n; i++)
        if (binds(e->list[i])) return true;
    for (uint32_t i = 0; i < e->nstages; i++)
        if (binds(e->stages[i])) return true;
    for (uint32_t i = 0; i < 2 * e->ngroup; i++)
        if (binds(e->group[i])) return true;
    return false;
}

static const lir_fn *block_fn(B *b, node *e)
{
    B sub = {b->lp, b->a, new_jn_fn(b->lp, b->a, NULL), b->binds_states, b->root, b->workflow, false};
    uint32_t r = LIR_NONE;
    for (uint32_t i = 0; i < e->n; i++) r = lower(&sub, e->list[i], LIR_IN);
    if (r == LIR_NONE) r = CALL(&sub, JN_LIT, false, I(3));
    ret(&sub, r);
    return sub.f;
}

/* ---- object constructors -------------------------------------------------------------- */

/* Whether every key of the constructor e is a string literal, no two alike. */
static bool literal_keys(node *e)
{
    for (uint32_t p = 0; p < e->n / 2; p++) {
        node *k = e->list[2 * p];
        if (k->type != JN_STRING || k->nstages || k->grouped || k->keep_array) return false;
        for (uint32_t q = 0; q < p; q++)
            if (e->list[2 * q]->slen == k->slen && !memcmp(e->list[2 * q]->str, k->str, k->slen)) return false;
    }
    return true;
}

/* Such a constructor built directly, with its known shape: its values in
 * line, against the context the grouping would give them. */
static uint32_t object(B *b, node *e, uint32_t in)
{
    uint32_t np = e->n / 2;
    uint32_t cx = CALL(b, JN_OBJ_CTX, false, CTX, R(in));
    uint32_t o = CALL(b, JN_OBJ_NEW, false, CTX, I(np));
    for (uint32_t p = 0; p < np; p++) {
        node *k = e->list[2 * p];
        uint32_t v = lower(b, e->list[2 * p + 1], cx);
        o = CALL(b, JN_OBJ_PUT, false, CTX, R(o), SL(k->str, k->slen), R(v));
    }
    return o;
}

/* ---- `&` chains -------------------------------------------------------------------- */

/* An operand of a fused `&` chain: one whose evaluation cannot fail (a
 * literal, a path of names, a variable), so that only the conversions,
 * left to right as the operators make them, can. */
static bool concat_operand(node *v)
{
    if (v->nstages || v->grouped || v->keep_array) return false;
    switch (v->type) {
    case JN_STRING: case JN_NUMBER: return true;
    case JN_VARIABLE: return plain_step(v);
    case JN_PATH: return simple_path(v);
    default: return false;
    }
}

/* A link of the chain: `&` with nothing after it (predicates, grouping). */
static bool concat_link(node *e)
{
    return e->type == JN_BINARY && e->op == JN_OP_CONCAT && !e->nstages && !e->grouped && !e->keep_array;
}

/* `a & b & c` (left-associated, two operators or more, every operand
 * concat_operand's): one asl_jn_concat; LIR_NONE for any other. */
static uint32_t concat_chain(B *b, node *e, uint32_t in)
{
    node *ops[ASL_JN_CONCAT_MAX];
    int nops = 0;
    node *l = e;
    for (; concat_link(l); l = l->lhs) {
        if (nops == ASL_JN_CONCAT_MAX - 1 || !concat_operand(l->rhs)) return LIR_NONE;
        ops[nops++] = l;
    }
    if (nops < 2 || !concat_operand(l)) return LIR_NONE;
    lir_arg x[2 * ASL_JN_CONCAT_MAX + 2];
    uint32_t n = 0;
    x[n++] = CTX, x[n++] = I(nops + 1);
    x[n++] = R(lower(b, l, in));
    for (int i = nops - 1; i >= 0; i--) x[n++] = R(lower(b, ops[i]->rhs, in));
    for (int i = nops - 1; i >= 0; i--) x[n++] = I(ops[i]->pos);
    return callv(b, LIR_RT_JN_CONCAT, true, n, x);
}

/* ---- nodes ------------------------------------------------------------------------------ */

static uint32_t inner(B *b, node *e, uint32_t in)
{
    uint32_t l, r;
    switch ((aslc_jn_node_type)e->type) {
    case JN_PATH: return lower_path(b, e, in);
    case JN_BINARY:
        if (e->op == JN_OP_CONCAT && (r = concat_chain(b, e, in)) != LIR_NONE) return r;
        l = lower(b, e->lhs, in);
        if (e->op == JN_OP_AND || e->op == JN_OP_OR)
            return CALL(b, JN_AND_OR, true, CTX, ENV, R(in), I(e->op), R(l), FN(fn_of(b, e->rhs)), I(e->pos));
        r = lower(b, e->rhs, in);
        return CALL(b, JN_BINOP, true, CTX, I(e->op), R(l), R(r), I(e->pos));
    case JN_NEGATE:
        l = lower(b, e->lhs, in);
        return CALL(b, JN_NEG, true, CTX, R(l), I(e->pos));
    case JN_ARRAY: {
        uint32_t arr = CALL(b, JN_ARR_NEW, false, CTX, I(e->n));
        for (uint32_t i = 0; i < e->n; i++) {
            uint32_t v = lower(b, e->list[i], in);
            arr = CALL(b, JN_ARR_PUT, false, CTX, R(arr), R(v), I(e->list[i]->type == JN_ARRAY));
        }
        if (e->cons_array) arr = CALL(b, JN_ARR_CONS, false, R(arr));
        return arr;
    }
    case JN_OBJECT:
        if (literal_keys(e)) return object(b, e, in);
        return group(b, e->list, e->n / 2, e->pos, in);
    case JN_NAME: return CALL(b, JN_LOOKUP, false, CTX, R(in), SL(e->str, e->slen));
    case JN_STRING: return CALL(b, JN_LIT_STR_ONCE, false, CTX, slot(b), SL(e->str, e->slen));
    case JN_NUMBER: return CALL(b, JN_LIT_NUM_ONCE, false, CTX, slot(b), D(e->num));
    case JN_VALUE: return CALL(b, JN_LIT, false, I(e->num == 0 ? 0 : e->num == 1 ? 1 : 2));
    case JN_WILDCARD: return CALL(b, JN_WILDCARD, false, CTX, R(in));
    case JN_DESCENDANT: return CALL(b, JN_DESCENDANTS, false, CTX, R(in));
    case JN_PARENT: return CALL(b, JN_VAR, false, CTX, ENV, SL(e->slot->label, strlen(e->slot->label)));
    case JN_CONDITION:
        l = lower(b, e->lhs, in);
        return CALL(b, JN_COND, true, CTX, ENV, R(in), R(l), FN(fn_of(b, e->rhs)), FN(e->third ? fn_of(b, e->third) : NULL));
    case JN_BLOCK: {
        bool frame = false;
        for (uint32_t i = 0; i < e->n; i++) frame = frame || binds(e->list[i]);
        if (frame) return CALL(b, JN_BLOCK, true, CTX, ENV, R(in), FN(block_fn(b, e)));
        /* nothing binds in its frame: its expressions in line */
        l = LIR_NONE;
        for (uint32_t i = 0; i < e->n; i++) l = lower(b, e->list[i], in);
        return l == LIR_NONE ? CALL(b, JN_LIT, false, I(3)) : l;
    }
    case JN_BIND:
        l = lower(b, e->rhs, in);
        return CALL(b, JN_BIND, false, CTX, ENV, SZ(e->lhs->str), R(l));
    case JN_REGEX: {   /* compiled the first time it runs, kept in a static */
        return CALL(b, JN_REGEX, true, CTX, slot(b), SL(e->str, e->slen), SZ(e->flags ? e->flags : ""));
    }
    case JN_FUNCTION: return lower_call(b, e, in, LIR_NONE);
    case JN_VARIABLE:
        if (e->slen == 0) return CALL(b, JN_CONTEXT, false, R(in));
        return CALL(b, JN_VAR, false, CTX, ENV, SL(e->str, e->slen));
    case JN_LAMBDA: {
        if (e->thunk) return lower_tail(b, e->rhs, in);
        asl_buf names;
        asl_buf_init(&names);
        for (uint32_t i = 0; i < e->n; i++) {
            if (i) asl_buf_putc(&names, ',');
            asl_buf_puts(&names, e->list[i]->str);
        }
        const char *params = asl_strndup(b->a, names.data ? names.data : "", names.len);
        asl_buf_free(&names);
        return CALL(b, JN_LAMBDA, false, CTX, ENV, R(in), FN(fn_of(b, e->rhs)), SZ(params), SZ(e->str), I(e->n));
    }
    case JN_PARTIAL: return lower_partial(b, e, in);
    case JN_APPLY:
        l = lower(b, e->lhs, in);
        if (e->rhs->type == JN_FUNCTION) return lower_call(b, e->rhs, in, l);
        r = lower(b, e->rhs, in);
        return CALL(b, JN_CHAIN, true, CTX, R(l), R(r), I(e->pos));
    case JN_TRANSFORM:
        return CALL(b, JN_TRANSFORM, false, CTX, ENV, FN(fn_of(b, e->lhs)), FN(fn_of(b, e->rhs)),
                    FN(e->third ? fn_of(b, e->third) : NULL), I(e->rhs->pos), I(e->third ? e->third->pos : 0));
    case JN_SORT: return sort_call(b, e, in);
    default: return CALL(b, JN_LIT, false, I(3));
    }
}

/* Whether e's value may be a sequence to settle (the walker's eval tail). */
static bool may_be_seq(node *e)
{
    switch (e->type) {
    case JN_STRING: case JN_NUMBER: case JN_VALUE: case JN_ARRAY: case JN_OBJECT: case JN_NEGATE:
    case JN_REGEX: case JN_TRANSFORM: case JN_BIND: case JN_CONDITION: case JN_BLOCK:
        return false;
    case JN_LAMBDA: return false;
    case JN_BINARY: return e->op == JN_OP_RANGE || e->op == JN_OP_MAP;
    default: return true;
    }
}

/* The walker's eval(): the node, its predicates, its grouping, settled. */
static uint32_t lower(B *b, node *e, uint32_t in)
{
    uint32_t r;
    if (e->type != JN_STRING && e->type != JN_NUMBER && e->type != JN_VALUE && is_const(e) && fold(b, e, &r)) return r;
    r = inner(b, e, in);
    bool seq = may_be_seq(e) || e->keep_array;
    if (!e->staged)
        for (uint32_t i = 0; i < e->nstages; i++) {
            r = filter(b, e->stages[i]->lhs, r);
            seq = true;
        }
    if (e->type != JN_PATH && e->grouped) {
        r = group(b, e->group, e->ngroup, e->group_pos, r);
        seq = e->keep_array;
    }
    if (seq && !(e->type == JN_LAMBDA && e->thunk)) r = CALL(b, JN_FIN, false, R(r), I(e->keep_array));
    return r;
}

static bool names_root(node *e)
{
    if (!e) return false;
    if (e->type == JN_VARIABLE && e->slen == 1 && e->str[0] == '$') return true;
    if (names_root(e->lhs) || names_root(e->rhs) || names_root(e->third)) return true;
    for (uint32_t i = 0; i < e->n; i++)
        if (names_root(e->list[i])) return true;
    for (uint32_t i = 0; i < e->nstages; i++)
        if (names_root(e->stages[i])) return true;
    for (uint32_t i = 0; i < 2 * e->ngroup; i++)
        if (names_root(e->group[i])) return true;
    return false;
}

/* Whether e binds the variable name anywhere (`:=`, a parameter, `@$v`, `#$i`). */
static bool binds_name(node *e, const char *name)
{
    if (!e) return false;
    if (e->type == JN_BIND && e->lhs->str && !strcmp(e->lhs->str, name)) return true;
    if (e->type == JN_LAMBDA)
        for (uint32_t i = 0; i < e->n; i++)
            if (e->list[i]->str && !strcmp(e->list[i]->str, name)) return true;
    if ((e->focus && !strcmp(e->focus, name)) || (e->index && !strcmp(e->index, name))) return true;
    if (binds_name(e->lhs, name) || binds_name(e->rhs, name) || binds_name(e->third, name)) return true;
    for (uint32_t i = 0; i < e->n; i++)
        if (binds_name(e->list[i], name)) return true;
    for (uint32_t i = 0; i < e->nstages; i++)
        if (binds_name(e->stages[i], name)) return true;
    for (uint32_t i = 0; i < 2 * e->ngroup; i++)
        if (binds_name(e->group[i], name)) return true;
    return false;
}

static lir_fn *expr(lir_program *lp, const struct aslc_jn_node *e, const char *what, bool workflow)
{
    asl_arena *a = lp->p->arena;
    B b = {lp, a, new_jn_fn(lp, a, what), binds_name(e, "states"), e, workflow, false};
    uint32_t in = CALL(&b, JN_TOP, false, CTX, R(LIR_IN));
    /* (parse.c gives the field ASL_JNT_PATH: jnstate.c reads it directly first) */
    b.f->ops[b.f->nops - 1].note = what && workflow && lir_jn_direct_path(a, e) ? asl_sprintf(a, "%s, read directly", what)
                                   : what && workflow && lir_jn_fast_form(a, e, NULL, NULL) ? asl_sprintf(a, "%s, computed directly", what)
                                                                                 : what;
    uint32_t r;
    /* `$$`, or a `:=` outside any block: a frame of the expression's own (`$$`
     * the input), so that nothing it binds stays in the caller's frame */
    if (names_root(e) || binds(e)) {
        B sub = {lp, a, new_jn_fn(lp, a, NULL), b.binds_states, b.root, b.workflow, false};
        ret(&sub, lower(&sub, e, LIR_IN));
        r = CALL(&b, JN_ROOT, true, CTX, ENV, R(in), FN(sub.f));
    } else {
        r = lower(&b, e, in);
        /* the whole expression `$merge([$states.input, {...}])` read
         * directly: it touches only the lean context's fields (ASL_JNT_LEAN) */
        int bi = e->type == JN_FUNCTION && !e->nstages && !e->grouped && !e->keep_array ? builtin_callee(e) : -1;
        b.f->lean = bi >= 0 && merge2_form(e, bi) && merge_in_form(&b, e);
    }
    ret(&b, r);
    return b.f;
}

lir_fn *lir_jn_expr(lir_program *lp, const struct aslc_jn_node *e, const char *what)
{
    return expr(lp, e, what, true);
}

/* ---- the dump ----------------------------------------------------------------------------- */

static void dump_reg(asl_buf *b, uint32_t r)
{
    char t[16];
    if (r == LIR_IN) asl_buf_puts(b, "%in");
    else {
        snprintf(t, sizeof t, "%%%u", r);
        asl_buf_puts(b, t);
    }
}

void lir_jn_dump_op(asl_buf *b, const lir_op *o)
{
    char t[48];
    asl_buf_putc(b, ' ');
    asl_buf_puts(b, lir_rt_table[o->rt].name);
    asl_buf_putc(b, '(');
    for (uint32_t i = 0; i < o->nxargs; i++) {
        const lir_arg *x = &o->xargs[i];
        if (i) asl_buf_puts(b, ", ");
        switch ((lir_xk)x->k) {
        case LIR_X_REG: dump_reg(b, x->reg); break;
        case LIR_X_CTX: asl_buf_puts(b, "c"); break;
        case LIR_X_ENV: asl_buf_puts(b, "env"); break;
        case LIR_X_INT:
            snprintf(t, sizeof t, "%lld", (long long)x->i);
            asl_buf_puts(b, t);
            break;
        case LIR_X_NUM:
            snprintf(t, sizeof t, "%.17g", x->num);
            asl_buf_puts(b, t);
            break;
        case LIR_X_STR:
            if (!x->str) {
                asl_buf_puts(b, "null");
                break;
            }
            asl_buf_putc(b, '"');
            for (uint32_t k = 0; k < x->len; k++) {
                unsigned char ch = (unsigned char)x->str[k];
                if (ch == '"' || ch == '\\') {
                    asl_buf_putc(b, '\\');
                    asl_buf_putc(b, (char)ch);
                } else if (ch < 0x20) {
                    snprintf(t, sizeof t, "\\x%02x", ch);
                    asl_buf_puts(b, t);
                } else {
                    asl_buf_putc(b, (char)ch);
                }
            }
            asl_buf_putc(b, '"');
            break;
        case LIR_X_FN: asl_buf_puts(b, x->fn ? x->fn->name : "null"); break;
        case LIR_X_SLOT:
            snprintf(t, sizeof t, "&jn_slot_%lld", (long long)x->i);
            asl_buf_puts(b, t);
            break;
        }
    }
    asl_buf_putc(b, ')');
}

/* ---- expressions for every program (aslc --jn-exprs) ---------------------------------------- */

static const struct aslc_jn_node *const *extra;
static uint32_t nextra;

void lir_jn_extra_set(const struct aslc_jn_node *const *exprs, uint32_t n)
{
    extra = exprs;
    nextra = n;
}

void lir_jn_extra(lir_program *lp)
{
    if (!nextra) return;
    const lir_fn **t = asl_alloc(lp->p->arena, sizeof *t * nextra);
    for (uint32_t i = 0; i < nextra; i++) {
        char what[32];
        snprintf(what, sizeof what, "expression %u", i);
        t[i] = expr(lp, extra[i], asl_strndup(lp->p->arena, what, strlen(what)), false);
    }
    lp->jn_extra = t;
    lp->njn_extra = nextra;
}

/* Reads aslc's hidden --jn-exprs FILE: a JSON string a line, each an
 * expression that must parse.  false, with a message, when one does not. */
bool lir_jn_extra_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "aslc: cannot read %s\n", path);
        return false;
    }
    asl_arena *a = asl_arena_new();   /* lives as long as aslc */
    const aslc_jn_node **v = NULL;
    uint32_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    bool ok = true;
    while (ok && (len = getline(&line, &lcap, f)) > 0) {
        asl_json_error je;
        asl_value *s = asl_json_parse(a, line, (size_t)len, &je);
        aslc_jn_parse_error pe;
        aslc_jn_node *e = s && s->type == ASL_STRING ? aslc_jn_parse(a, s->u.str, s->len, &pe) : NULL;
        if (!e) {
            fprintf(stderr, "aslc: %s:%u: not an expression that parses\n", path, n + 1);
            ok = false;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            v = asl_xrealloc(v, cap * sizeof *v);
        }
        v[n++] = e;
    }
    free(line);
    fclose(f);
    if (ok) lir_jn_extra_set(v, n);
    return ok;
}
