/*
 * template.c — the parts of a state that the back ends describe as data
 * instead of code: payload templates and the data flow around a state's work.
 *
 * A template (Parameters, ResultSelector, ItemSelector, BatchInput) is a
 * static array of asl_tmpl nodes in pre-order, which asl_template() walks
 * once per use, building the value with the calls straight-line code would
 * make: the container first, then each member in order, a path failing
 * with asl_param_path's message under the member's name (the calls that
 * small programs make in their state functions).  An asl_flow lists
 * the paths and templates of a Pass, Task, Parallel or Map state of a large
 * program; asl_flow_in and asl_flow_out run them in the order AWS defines,
 * and asl_pass runs a whole Pass state.  Which steps a state has, and with
 * which descriptors, is still decided by the compiler (compiler/emit_c.c):
 * what is here is the fixed order of the steps.
 *
 * Describing these as data keeps a large program's code to one small
 * function per state, which is what lets a C compiler or LLVM compile
 * workflows of thousands of states in seconds (docs/backends.md, "Compile
 * time").
 */
#include "rt.h"

/* Inlined into the few entry points below: a state's data flow is then one
 * call of the runtime, and a template's members are built without a call
 * per member. */
#define INLINE static inline __attribute__((always_inline))

static const asl_tmpl *container(asl_exec *x, asl_value *in, const asl_tmpl *t, asl_value **out);

/* asl_param_path, its common case here: $ and names ($.a.b), looked up
 * directly.  Anything else, and a name that is missing, takes the general
 * route, which also words the error. */
INLINE asl_value *param_path(asl_exec *x, asl_value *in, const asl_path *p, const char *field)
{
    if (p->root == ASL_ROOT_INPUT) {
        asl_value *v = in;
        uint32_t i = 0;
        for (; i < p->nseg && v; i++) {
            const asl_seg *s = &p->segs[i];
            if (s->kind != ASL_SEG_KEY || v->type != ASL_OBJECT) break;
            v = asl_object_get(v, s->key, s->klen);
        }
        if (v && i == p->nseg) return v;
    }
    return asl_param_path(x, in, p, field);
}

/* The value of the node at c (a leaf, or a container and its subtree) into
 * *v; the node after it. */
INLINE const asl_tmpl *node(asl_exec *x, asl_value *in, const asl_tmpl *c, asl_value **v)
{
    switch ((asl_tmpl_kind)c->kind) {
    case ASL_TM_PATH:
        *v = param_path(x, in, c->path, c->key);
        return c + 1;
    case ASL_TM_CONST:
        *v = *c->k;
        return c + 1;
    case ASL_TM_CALL:
        *v = c->call(x, in);
        return c + 1;
    default: {
        asl_value *w;
        c = container(x, in, c, &w);
        *v = w;
        return c;
    }
    }
}

/* The n members (obj) or items of o, from the nodes at c; the node after
 * them, or NULL when one fails.  Constants first: they are the most common
 * members and cannot fail. */
INLINE const asl_tmpl *fill(asl_exec *x, asl_value *in, const asl_tmpl *c, uint32_t n, asl_value *o,
                            bool obj)
{
    for (; n; n--) {
        asl_value *v;
        const asl_tmpl *next;
        if (c->kind == ASL_TM_CONST) {
            v = *c->k;
            next = c + 1;
        } else {
            next = node(x, in, c, &v);
            if (!v) return NULL;
        }
        if (obj && asl_json_plain(c->key, c->klen)) asl_object_append_lit(x->arena, o, c->key, c->klen, v);
        else if (obj) asl_object_append(x->arena, o, c->key, c->klen, v); /* a key to escape */
        else asl_array_push(x->arena, o, v);
        c = next;
    }
    return c;
}

/* The container at t into *out (NULL when a member fails); the node after its subtree. */
static const asl_tmpl *container(asl_exec *x, asl_value *in, const asl_tmpl *t, asl_value **out)
{
    const asl_tmpl *end;
    asl_value *o;
    if (t->kind == ASL_TM_OBJECT) {
        o = asl_object(x->arena, t->n);
        end = fill(x, in, t + 1, t->n, o, true);
    } else {
        o = asl_array(x->arena, t->n);
        end = fill(x, in, t + 1, t->n, o, false);
    }
    *out = end ? o : NULL;
    return end;
}

/* A template's value: an object, nearly always, whose members are built
 * here, without a call of container(). */
INLINE asl_value *tmpl(asl_exec *x, asl_value *in, const asl_tmpl *t)
{
    asl_value *v;
    if (t->kind != ASL_TM_OBJECT) {
        node(x, in, t, &v);
        return v;
    }
    v = asl_object(x->arena, t->n);
    return fill(x, in, t + 1, t->n, v, true) ? v : NULL;
}

asl_value *asl_template(asl_exec *x, asl_value *in, const asl_tmpl *t)
{
    return tmpl(x, in, t);
}

INLINE asl_value *flow_in(asl_exec *x, asl_value *in, const asl_flow *f)
{
    asl_value *v = in;
    if (f->nulls & ASL_FLOW_INPUT_NULL) v = asl_object(x->arena, 0);
    else if (f->input_path && !(v = asl_input_path(x, in, f->input_path))) return NULL;
    if (f->parameters) v = tmpl(x, v, f->parameters);
    return v;
}

INLINE asl_value *flow_out(asl_exec *x, asl_value *in, asl_value *r, const asl_flow *f)
{
    asl_value *v;
    if (f->result_selector && !(r = tmpl(x, r, f->result_selector))) return NULL;
    if (f->nulls & ASL_FLOW_RESULT_NULL) v = in;
    else if (f->result_path) {
        if (!(v = asl_result_path(x, in, r, f->result_path))) return NULL;
    } else v = r;
    if (f->nulls & ASL_FLOW_OUTPUT_NULL) v = asl_object(x->arena, 0);
    else if (f->output_path && !(v = asl_output_path(x, v, f->output_path))) return NULL;
    return asl_leave(x, v);
}

asl_value *asl_flow_in(asl_exec *x, asl_value *in, const asl_flow *f)
{
    return flow_in(x, in, f);
}

asl_value *asl_flow_out(asl_exec *x, asl_value *in, asl_value *r, const asl_flow *f)
{
    return flow_out(x, in, r, f);
}

/* A Pass state with what asl_pass leaves to the general route. */
static __attribute__((noinline)) asl_value *pass_flow(asl_exec *x, asl_value *in, const asl_flow *f)
{
    asl_value *v = flow_in(x, in, f);
    if (!v) return NULL;
    return flow_out(x, in, f->result ? *f->result : v, f);
}

asl_value *asl_pass(asl_exec *x, asl_value *in, const asl_state_info *s, const asl_flow *f)
{
    if (!asl_enter(x, s, in)) return NULL;
    if (f->nulls || f->input_path || f->result_selector || f->output_path) return pass_flow(x, in, f);
    /* The common Pass: Parameters, a Result, a ResultPath, or none of them. */
    asl_value *v = in;
    if (f->parameters && !(v = tmpl(x, in, f->parameters))) return NULL;
    if (f->result) v = *f->result;
    if (f->result_path && !(v = asl_result_path(x, in, v, f->result_path))) return NULL;
    return asl_leave(x, v);
}
