/*
 * jnstate.c — the fields of a JSONata state, as Step Functions evaluates them.
 *
 * A state whose QueryLanguage is JSONata computes its fields with `{% %}`
 * expressions that aslc compiled (asl_jn_code functions of the program).
 * What the expressions see is Step Functions': `$states.input` (the state's
 * input), `$states.result` (the work's result, in Output and Assign),
 * `$states.errorOutput` (in a Catch), `$states.context` (the context
 * object), and the workflow's variables (vars.h).  How a field fails is
 * Step Functions' too: States.QueryEvaluationError, with the cause naming
 * the expression, the field and what went wrong.
 *
 * aslc puts each field where the JSONPath field it replaces goes (asl.h,
 * asl_jn_field), so a JSONata state runs through the same generated code
 * as a JSONPath one; the path entry points of dataflow.c hand the field
 * here.
 */
#include "rt.h"
#include "jsonata.h"
#include "vars.h"

#include <math.h>
#include <string.h>

static asl_value *resolve_var(void *ud, const char *name, size_t n, bool *found)
{
    return asl_vars_get((asl_exec *)ud, name, n, found);
}

static asl_value *context_object(void *ud) { return asl_context_object((asl_exec *)ud); }

/* As $states.context.Map.Item has them: both absent outside a Map iteration. */
static asl_value *map_item(void *ud, bool index)
{
    asl_exec *x = ud;
    return asl_map_item(x, false) ? asl_map_item(x, index) : NULL;
}

/* The name of v's JSON type as AWS words it in causes. */
static const char *type_word(const asl_value *v)
{
    switch (v->type) {
    case ASL_NULL: return "null";
    case ASL_TRUE:
    case ASL_FALSE: return "boolean";
    case ASL_NUMBER: return "number";
    case ASL_STRING: return "string";
    case ASL_ARRAY: return "array";
    case ASL_OBJECT: return "object";
    default: return "unknown";
    }
}

static asl_value *query_error(asl_exec *x, const asl_jn_field *f, const char *what)
{
    return asl_fail_state(x, "States.QueryEvaluationError",
                          "The JSONata expression '%s' specified for the field '%s' %s", f->src, f->where, what);
}

static bool type_ok(const asl_value *v, asl_jnt_type t)
{
    switch (t) {
    case ASL_JNT_ARRAY: return v->type == ASL_ARRAY;
    case ASL_JNT_BOOLEAN: return asl_is_bool(v);
    case ASL_JNT_STRING: return v->type == ASL_STRING;
    case ASL_JNT_NUMBER: return v->type == ASL_NUMBER;
    default: return true;
    }
}

static const char *const type_names[] = {"any", "array", "boolean", "string", "number"};

/* An ASL_JNT_PATH field (`$states.input.a.b`) read with direct look-ups:
 * its value, or NULL when a step is not an object's member (or the value
 * a sequence), which the expression then evaluates, undefined and all. */
static asl_value *direct_path(asl_exec *x, const asl_jn_field *f, asl_value *input, const asl_path *p)
{
    const asl_value *names = *f->k;
    asl_value *v = names->u.a.items[0]->len == 5 ? input : map_item(x, false);
    if (p && p->nseg == names->len) {
        /* the same names as the path's steps (parse.c, jn_path_names):
         * literals of the program, which a template's keys may be */
        for (uint32_t i = 1; i < p->nseg; i++) {
            if (!v || v->type != ASL_OBJECT) return NULL;
            v = asl_object_get_inline(v, p->segs[i].key, p->segs[i].klen);
        }
        return v && !(v->type == ASL_ARRAY && asl_jn_is_seq(v)) ? v : NULL;
    }
    for (uint32_t i = 1; i < names->len; i++) {
        if (!v || v->type != ASL_OBJECT) return NULL;
        const asl_value *n = names->u.a.items[i];
        v = asl_object_get_inline(v, n->u.str, n->len);   /* (a small object scanned without a call) */
    }
    return v && !(v->type == ASL_ARRAY && asl_jn_is_seq(v)) ? v : NULL;
}

/* The operand of an ASL_JNT_FAST descriptor d ([op, number, root,
 * names...], lir_jn_fast_form) when the slot did not give it at once: a
 * variable by name through the scopes, or $states.input's / the Map
 * item's members read directly.  NULL when a step is not an object's
 * member (the expression then runs in full). */
static __attribute__((noinline)) asl_value *fast_operand(asl_exec *x, const asl_value *d, asl_value *input)
{
    asl_value *const *it = d->u.a.items;
    if (it[2]->len == 3)   /* "var", name, slot */
        return asl_vars_get_slot(x, (uint32_t)it[4]->u.n.num, it[3]->u.str, it[3]->len);
    asl_value *v = it[2]->len == 5 ? input : map_item(x, false);   /* "input", "Map.Item.Value" */
    for (uint32_t i = 3; i < d->len; i++) {
        if (!v || v->type != ASL_OBJECT) return NULL;
        v = asl_object_get(v, it[i]->u.str, it[i]->len);
    }
    return v;
}

/* An ASL_JNT_FAST field's value (d its descriptor): when the operand is a
 * finite number, the operator applied as asl_jn_binop applies it, made
 * plain JSON as run makes it.  NULL when the operand is anything else
 * (undefined, a string, a sequence, a built-in of the name) or the result
 * is not finite: the expression then runs in full, and its value or error
 * is the expression's. */
static inline __attribute__((always_inline)) asl_value *fast_value(asl_exec *x, const asl_value *d,
                                                                   asl_value *input)
{
    asl_value *const *it = d->u.a.items;
    asl_value *v = it[2]->len == 3 ? asl_vars_slot(x->vars, (uint32_t)it[4]->u.n.num) : NULL;
    if (!v) v = fast_operand(x, d, input);
    if (!v || v->type != ASL_NUMBER || !isfinite(v->u.n.num)) return NULL;
    double a = v->u.n.num, b = it[1]->u.n.num, r;
    switch ((int)it[0]->u.n.num) {
    case JN_OP_ADD: r = a + b; break;
    case JN_OP_SUB: r = a - b; break;
    case JN_OP_MUL: r = a * b; break;
    case JN_OP_EQ: return asl_bool(a == b);
    case JN_OP_NE: return asl_bool(a != b);
    case JN_OP_LT: return asl_bool(a < b);
    case JN_OP_LE: return asl_bool(!(a > b));
    case JN_OP_GT: return asl_bool(a > b);
    case JN_OP_GE: return asl_bool(!(a < b));
    default: return NULL;
    }
    /* (-0 is 0, as asl_jn_num and asl_jn_to_json make it) */
    return isfinite(r) ? asl_number(x->arena, r == 0 ? 0.0 : r) : NULL;
}

/* The fields of c a lean context leaves out (lean_field), set as
 * asl_jn_ctx_init sets them; c->resolve_ud is the exec. */
static void complete_ctx(asl_jn_ctx *c)
{
    asl_exec *x = c->resolve_ud;
    c->pos = -1, c->token = NULL, c->value = c->value2 = NULL, c->index = 0, c->msg = NULL;
    c->now_ms = 0, c->rng = 0, c->depth = 0, c->max_depth = ASL_JN_MAX_DEPTH;
    c->deadline_ms = 0, c->ticks = 0, c->max_range = 1e7, c->user = NULL;
    c->states_obj = NULL, c->memo = x->jn_memo;
    c->context = context_object;   /* $states.context: made if it is read */
    c->map_item = map_item, c->resolve = resolve_var;
    c->complete = NULL;
}

/* What f's expression gave in c (v): the value, or NULL with the state
 * failed (an error, undefined, a function). */
static asl_value *evaluated(asl_exec *x, const asl_jn_field *f, asl_jn_ctx *c, asl_value *v, bool *plain)
{
    if (asl_jn_failed(c))
        return asl_fail_state(x, "States.QueryEvaluationError",
                              "The JSONata expression '%s' specified for the field '%s' threw an error "
                              "during evaluation. %s",
                              f->src, f->where, asl_jn_error_text(c));
    if (!v) return query_error(x, f, "returned nothing (undefined).");
    if (asl_jn_is_fn(v)) return query_error(x, f, "returned an unsupported result type.");
    *plain = v == c->plain;
    return v;
}

/* f's expression evaluated in full: its value, or NULL with the state
 * failed (an error, undefined, a function). */
static asl_value *eval(asl_exec *x, const asl_jn_field *f, asl_value *input, asl_value *result, asl_value *error,
                       bool *plain)
{
    asl_arena *a = x->arena;
    /* no frame and no `$states` object: the expression reads $states'
     * members and the variables through the context (asl_jn_states) */
    /* asl_jn_ctx_init's, field by field: an initializer (or a copy) of the
     * whole struct is a `rep stos` (movs) of 21 words, several times the
     * stores; the assert makes a new field of asl_jn_ctx come here */
    _Static_assert(sizeof(asl_jn_ctx) == 232, "asl_jn_ctx changed: set its new fields here");
    asl_jn_ctx c;
    c.a = a, c.code = NULL, c.pos = -1, c.token = NULL, c.value = c.value2 = NULL, c.index = 0, c.msg = NULL;
    c.apply_lambda = asl_jn_apply_lambda, c.now_ms = 0, c.rng = 0, c.depth = 0, c.max_depth = ASL_JN_MAX_DEPTH;
    c.deadline_ms = 0, c.ticks = 0, c.max_range = 1e7, c.user = x;
    c.has_states = true;
    c.states[0] = input, c.states[1] = result, c.states[2] = error, c.states[3] = NULL, c.states_obj = NULL;
    c.plain = NULL, c.memo = x->jn_memo;
    c.context = context_object;   /* $states.context: made if it is read */
    c.map_item = map_item, c.resolve = resolve_var, c.resolve_ud = x, c.complete = NULL;
    return evaluated(x, f, &c, f->expr(&c, NULL, input), plain);
}

/* f's expression with $states of input, result and error (NULL: absent). */
static asl_value *run(asl_exec *x, const asl_jn_field *f, asl_value *input, asl_value *result, asl_value *error,
                      const asl_path *p)
{
    asl_arena *a = x->arena;
    if (!f->expr) {
        /* a constant (Items: [...], Condition: true), or the default: the
         * input (a Map's items without Items) */
        asl_value *v = f->tmpl ? f->tmpl(x, input) : f->k ? *f->k : input;
        if (!v) return NULL;
        if (!type_ok(v, (asl_jnt_type)(f->type & ~ASL_JNT_FLAGS)))
            return asl_fail_state(x, "States.QueryEvaluationError", "Map state input must be an array but "
                                  "was: %s", asl_json_string(a, v, NULL));
        return v;
    }
    asl_value *v = f->type & ASL_JNT_PATH   ? direct_path(x, f, input, p)
                   : f->type & ASL_JNT_FAST ? fast_value(x, *f->k, input)
                                            : NULL;
    bool known = false;   /* the expression's value is plain JSON (eval: asl_jn_ctx's plain) */
    if (!v) v = eval(x, f, input, result, error, &known);
    if (!v) return NULL;
    /* strings, null, booleans and numbers without source text are JSON as they are */
    bool plain = known || v->type == ASL_STRING || v->type <= ASL_TRUE ||
                 (v->type == ASL_NUMBER && !v->u.n.text && isfinite(v->u.n.num) && v->u.n.num != 0);
    if (!plain) v = asl_jn_to_json(a, v);
    if (!type_ok(v, (asl_jnt_type)(f->type & ~ASL_JNT_FLAGS)))
        return asl_fail_state(x, "States.QueryEvaluationError",
                              "The JSONata expression '%s' specified for the field '%s' returned an "
                              "unexpected result type. Expected '%s', but was '%s' for value: %s",
                              f->src, f->where, type_names[f->type & ~ASL_JNT_FLAGS], type_word(v),
                              asl_json_string(a, v, NULL));
    return v;
}

/* Arguments or Output: a template (whose expressions read $states from
 * x), one expression, a constant, or none (dflt). */
static asl_value *build(asl_exec *x, const asl_jn_field *f, asl_value *in, asl_value *dflt)
{
    if (f->tmpl) return f->tmpl(x, in);
    if (f->expr) return run(x, f, x->jn_input, x->jn_result, x->jn_error, NULL);
    if (f->k && !(f->type & ASL_JNT_FAST)) return *f->k;
    return dflt;
}

/* The field in full (out of line: the fast forms' path does not pay its
 * prologue, nor the others a fast form's). */
static __attribute__((noinline)) asl_value *full_field(asl_exec *x, asl_value *in, asl_value *result,
                                                       const asl_path *p)
{
    const asl_jn_field *f = p->jn;
    asl_value *out, *pending = NULL;
    /* a state's field begins (its template's INNER fields are inside it):
     * nothing parsed before is reused, whatever the arena holds now */
    if (f->kind != ASL_JNF_INNER) x->jn_memo[0] = NULL;
    switch ((asl_jnf_kind)f->kind) {
    case ASL_JNF_VALUE:
        return run(x, f, in, NULL, NULL, p);
    case ASL_JNF_INNER:
        return run(x, f, x->jn_input, x->jn_result, x->jn_error, p);
    case ASL_JNF_ENTER:
        x->jn_input = in;
        x->jn_result = x->jn_error = NULL;
        return build(x, f, in, in);
    case ASL_JNF_LEAVE:
    case ASL_JNF_CATCH:
        x->jn_input = in;
        x->jn_result = f->kind == ASL_JNF_LEAVE ? result : NULL;
        x->jn_error = f->kind == ASL_JNF_CATCH ? result : NULL;
        if (f->assign && !(pending = f->assign(x, in))) return NULL;
        if (!(out = build(x, f, result, result))) return NULL;
        /* Assign: every value first (against the variables as they were),
         * then all of them at once, after Output is built */
        return pending ? asl_assign(x, out, pending) : out;
    }
    return NULL;
}

/* A field whose fast form (ASL_JNT_FAST) applies, computed with no
 * evaluation context: a VALUE or INNER expression, or a LEAVE with no
 * Output whose Assign sets one variable to such an expression (k: [name,
 * its slot, descriptor]; the output is the result).  NULL, with nothing
 * done, when it declines (the operand, the type, a variable's limit):
 * full_field then does it all and words any failure. */
static __attribute__((noinline)) asl_value *fast_then_full(asl_exec *x, asl_value *in, asl_value *result,
                                                           const asl_path *p)
{
    const asl_jn_field *f = p->jn;
    const asl_value *k = *f->k;
    asl_value *v;
    switch ((asl_jnf_kind)f->kind) {
    case ASL_JNF_VALUE:
    case ASL_JNF_INNER:
        if (!f->expr) break;
        v = fast_value(x, k, f->kind == ASL_JNF_VALUE ? in : x->jn_input);
        if (!v || !type_ok(v, (asl_jnt_type)(f->type & ~ASL_JNT_FLAGS))) break;
        return v;
    case ASL_JNF_LEAVE: {
        if (f->expr || f->tmpl) break;
        asl_value *const *it = k->u.a.items;
        if (!(v = fast_value(x, it[2], in)) ||
            !asl_vars_set_slot(x, (uint32_t)it[1]->u.n.num, it[0]->u.str, it[0]->len, v))
            break;
        x->jn_input = in;
        x->jn_result = result;
        x->jn_error = NULL;
        return result;
    }
    default:
        break;
    }
    return full_field(x, in, result, p);
}

/* A VALUE or INNER field that is only `$states.input.a...` or
 * `$states.context.Map.Item.Value.a...` (ASL_JNT_PATH), read before anything
 * else: each name in a small object, the value one that leaves JSONata as it
 * is (a string, null, a boolean, a number without source text other than 0,
 * a container already found plain) and of the field's type.  Anything else
 * (and a key of more than 16 bytes) goes to full_field, which runs the field
 * (direct_path's own reads, the plain-JSON walk, the type's failure).  This
 * is the template's field of most JSONata states (map_1000: 13 of its 19 an
 * item), which costs here about what JSONPath's `$.a` costs in the state.
 * A leaf but for the tail call, so that it saves no registers. */
static __attribute__((noinline)) asl_value *path_then_full(asl_exec *x, asl_value *in, asl_value *result,
                                                           const asl_path *p)
{
    const asl_jn_field *f = p->jn;
    const asl_value *names = *f->k;
    if (f->kind > ASL_JNF_INNER || p->nseg != names->len) return full_field(x, in, result, p);
    asl_value *v = names->u.a.items[0]->len != 5 ? x->map_value   /* the iteration's own exec, else the call */
                   : f->kind == ASL_JNF_VALUE    ? in
                                                 : x->jn_input;
    for (uint32_t i = 1; i < p->nseg && v; i++) {
        if (!asl_obj_small(v)) return full_field(x, in, result, p);
        const char *key = p->segs[i].key;
        uint32_t klen = p->segs[i].klen;
        if (klen > 16) return full_field(x, in, result, p);
        const asl_member *m = v->u.o.members, *end = m + v->len;
        for (v = NULL; m < end; m++) {
            if (m->klen != klen) continue;
            uint32_t k = 0;
            if (m->key != key)
                while (k < klen && m->key[k] == key[k]) k++;
            if (m->key == key || k == klen) {
                v = m->val;
                break;
            }
        }
    }
    if (!v) return full_field(x, in, result, p);
    bool plain = v->type == ASL_STRING || v->type <= ASL_TRUE ||
                 (v->type == ASL_NUMBER && !v->u.n.text && v->u.n.num != 0 && isfinite(v->u.n.num)) ||
                 ((v->type == ASL_OBJECT || (v->type == ASL_ARRAY && !v->flags)) &&
                  __atomic_load_n(&v->jn_plain, __ATOMIC_RELAXED));
    if (!plain || !type_ok(v, (asl_jnt_type)(f->type & ~ASL_JNT_FLAGS))) return full_field(x, in, result, p);
    /* (a state's field begins: as full_field clears it) */
    if (f->kind == ASL_JNF_VALUE) x->jn_memo[0] = NULL;
    return v;
}

/* A state's field begins: x's state for it and c, the lean context
 * (complete_ctx fills the rest when the expression needs it). */
static inline __attribute__((always_inline)) void lean_begin(asl_exec *x, asl_jn_ctx *c,
                                                             asl_value *in, asl_value *result)
{
    x->jn_memo[0] = NULL;
    x->jn_input = in;
    x->jn_result = result;
    x->jn_error = NULL;
    c->a = x->arena, c->code = NULL, c->apply_lambda = asl_jn_apply_lambda, c->has_states = true;
    c->states[0] = in, c->states[1] = result, c->states[2] = NULL, c->states[3] = NULL;
    c->plain = NULL, c->resolve_ud = x, c->complete = complete_ctx;
}

/* An ASL_JNT_LEAN field (a LEAVE with neither Assign nor template, of
 * `$merge([$states.input, {...}])` read directly: pass_chain_100's every
 * state): full_field's LEAVE and run's evaluation, with a lean context,
 * which the expression completes (complete_ctx) only when it runs the call
 * in full.  Its value is plain JSON when the merge made it (c.plain);
 * anything else takes run's checks, errors and all. */
static __attribute__((noinline)) asl_value *lean_field(asl_exec *x, asl_value *in, asl_value *result,
                                                       const asl_path *p)
{
    const asl_jn_field *f = p->jn;
    asl_jn_ctx c;
    lean_begin(x, &c, in, result);
    asl_value *v = f->expr(&c, NULL, in);
    if (v && v == c.plain && !c.code) return v;
    if (c.complete) complete_ctx(&c);
    bool plain = false;
    if (!(v = evaluated(x, f, &c, v, &plain))) return NULL;
    if (!plain && !(v->type == ASL_STRING || v->type <= ASL_TRUE ||
                    (v->type == ASL_NUMBER && !v->u.n.text && isfinite(v->u.n.num) && v->u.n.num != 0)))
        v = asl_jn_to_json(x->arena, v);
    return v;   /* (Output: any type) */
}

asl_value *asl_jn_lean_out(asl_exec *x, asl_value *in, asl_value *result,
                           asl_value *(*expr)(asl_jn_ctx *, asl_jn_env *, asl_value *))
{
    /* lean_field's common case, without the path and field it reads (two
     * lines of data a state, which 100 states' worth of evicted the arena's
     * from the L1 cache: docs/benchmarks.md, round six) */
    asl_jn_ctx c;
    lean_begin(x, &c, in, result);
    asl_value *v = expr(&c, NULL, in);
    return v && v == c.plain && !c.code ? v : NULL;
}

asl_value *asl_jn_field_eval(asl_exec *x, asl_value *in, asl_value *result, const asl_path *p)
{
    uint8_t t = p->jn->type;
    return t & ASL_JNT_LEAN   ? lean_field(x, in, result, p)
           : t & ASL_JNT_PATH ? path_then_full(x, in, result, p)
           : t & ASL_JNT_FAST ? fast_then_full(x, in, result, p)
                              : full_field(x, in, result, p);
}

/* ---- the fast forms compiled into the state (lower.c, LIR_JN_SET and a
 * Choice rule's LIR_RT_JN_SLOT): the state's own code reads the operand,
 * checks it is a finite number, compares or computes in line, and comes
 * here only for the variable and its set; when one declines it runs the
 * field in full (asl_jn_field_eval), which gives every value and error. */

asl_value *asl_jn_slot(asl_exec *x, uint32_t slot, const char *name, size_t n)
{
    asl_value *v = asl_vars_slot(x->vars, slot);
    return v ? v : asl_vars_get_slot(x, slot, name, n);
}

bool asl_jn_set_num(asl_exec *x, uint32_t slot, const char *name, size_t n, double r, asl_value *in,
                    asl_value *result)
{
    /* (-0 is 0, as fast_value makes it) */
    if (!asl_vars_set_slot(x, slot, name, n, asl_number(x->arena, r == 0 ? 0.0 : r))) return false;
    x->jn_input = in;
    x->jn_result = result;
    x->jn_error = NULL;
    return true;
}
