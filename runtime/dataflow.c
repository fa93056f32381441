/*
 * dataflow.c — the JSONPath half of a state's data flow:
 *   InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath
 *
 * The templates themselves (Parameters, ResultSelector, ItemSelector) are
 * compiled into straight-line builder code by the back ends; what lives here
 * is what every state shares: selecting with a path and failing with AWS's
 * error names and wording when a path selects nothing.
 */
#include "rt.h"
#include "path.h"

#include <string.h>

/* Most paths are $ followed by names ($.a.b), or $$.Map.Item.Value or
 * .Index followed by names: looked up here directly, without the general
 * walker.  NULL when a name is missing or the path has another kind of step
 * or root; the caller then takes the general route, which also words the
 * error. */
static inline asl_value *select_names(asl_exec *x, asl_value *v, const asl_path *p)
{
    uint32_t i = 0;
    if (p->root != ASL_ROOT_INPUT) {
        if (!p->map_item || !(v = asl_map_item(x, p->map_item == ASL_ITEM_INDEX))) return NULL;
        i = 3;
    }
    for (; i < p->nseg && v; i++) {
        const asl_seg *s = &p->segs[i];
        if (s->kind != ASL_SEG_KEY || v->type != ASL_OBJECT) return NULL;
        v = asl_object_get_inline(v, s->key, s->klen);
    }
    return v;
}

/* $.name and $$.Map.Item.Value.name, the commonest paths of all: a scan of
 * one small object, which the entry points below do without a stack frame.
 * NULL for any other path (and for $ itself). */
static inline asl_value *select_key(asl_exec *x, asl_value *v, const asl_path *p)
{
    const asl_seg *s = p->segs;
    if (p->root != ASL_ROOT_INPUT) {
        if (!p->map_item || !(v = asl_map_item(x, p->map_item == ASL_ITEM_INDEX))) return NULL;
        if (p->nseg == 3) return v;
        s += 3;
        if (p->nseg != 4) return NULL;
    } else if (p->nseg != 1) {
        return NULL;
    }
    /* Nothing here may call a function (the big objects, with an index;
     * long keys, compared by memcmp): they go the other way. */
    if (!v || !asl_obj_small(v) || s->kind != ASL_SEG_KEY || s->klen > 16)
        return NULL;
    return asl_object_scan(v, s->key, s->klen);
}

/* The other routes, out of line: names first, then the general walker. */
#define SLOW static __attribute__((noinline))

SLOW asl_value *select_or_fail(asl_exec *x, asl_value *v, const asl_path *p)
{
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, v, v, p);
    asl_value *out = select_names(x, v, p);
    if (out) return out;
    if (asl_path_select(x, v, p, &out)) return out;
    if (p->root == ASL_ROOT_VAR) return asl_vars_path_fail(x, p, NULL);
    asl_value *root = p->root == ASL_ROOT_CONTEXT ? asl_context_object(x) : v;
    char *why = asl_path_miss_reason(x->arena, root, p);
    return asl_fail_state(x, "States.Runtime", "Invalid path '%s' : %s", p->text,
                          why ? why : "No results for path");
}

SLOW asl_value *choice_var_slow(asl_exec *x, asl_value *in, const asl_path *p)
{
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, in, NULL, p);
    asl_value *out = select_names(x, in, p);
    if (out) return out;
    if (asl_path_select(x, in, p, &out)) return out;
    return asl_fail_state(x, "States.Runtime",
                          "Invalid path '%s': The choice state's condition path references an "
                          "invalid value.", p->text);
}

SLOW asl_value *param_path_slow(asl_exec *x, asl_value *in, const asl_path *p, const char *field)
{
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, in, NULL, p);
    asl_value *out = select_names(x, in, p);
    if (out) return out;
    if (asl_path_select(x, in, p, &out)) return out;
    if (p->root == ASL_ROOT_VAR) return asl_vars_path_fail(x, p, field);
    asl_value *root = p->root == ASL_ROOT_CONTEXT ? asl_context_object(x) : in;
    /* AWS documents States.ParameterPathFailure here but raises States.Runtime
     * (recorded in the conformance cases). */
    return asl_fail_state(x, "States.Runtime",
                          "The JSONPath '%s' specified for the field '%s.$' could not be found "
                          "in the input '%s'",
                          p->text, field, asl_json_string(x->arena, root, NULL));
}

/* InputPath, OutputPath and intrinsic arguments: one rule, one wording. */
static inline asl_value *select_path(asl_exec *x, asl_value *in, const asl_path *p)
{
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, in, in, p);   /* a JSONata field */
    asl_value *out = select_key(x, in, p);
    return out ? out : select_or_fail(x, in, p);
}

asl_value *asl_input_path(asl_exec *x, asl_value *in, const asl_path *p) { return select_path(x, in, p); }
asl_value *asl_output_path(asl_exec *x, asl_value *v, const asl_path *p) { return select_path(x, v, p); }
asl_value *asl_arg_path(asl_exec *x, asl_value *in, const asl_path *p) { return select_path(x, in, p); }

asl_value *asl_choice_var(asl_exec *x, asl_value *in, const asl_path *p)
{
    /* a JSONata Condition (a loop's test): straight to its field */
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, in, NULL, p);
    asl_value *out = select_key(x, in, p);
    return out ? out : choice_var_slow(x, in, p);
}

asl_value *asl_param_path(asl_exec *x, asl_value *in, const asl_path *p, const char *field)
{
    /* a JSONata template's field (19 an item in map_1000): straight to it */
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, in, NULL, p);
    asl_value *out = select_key(x, in, p);
    return out ? out : param_path_slow(x, in, p, field);
}

/* JSONPath's ResultPath, out of line: a JSONata state's Output (every
 * state of pass_chain_100's twin) then goes to its field with one jump,
 * without this part's prologue. */
static __attribute__((noinline)) asl_value *result_path(asl_exec *x, asl_value *raw_in, asl_value *result,
                                                        const asl_path *p);

asl_value *asl_result_path(asl_exec *x, asl_value *raw_in, asl_value *result, const asl_path *p)
{
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, raw_in, result, p);
    return result_path(x, raw_in, result, p);
}

static asl_value *result_path(asl_exec *x, asl_value *raw_in, asl_value *result, const asl_path *p)
{
    if (p->nseg == 0) return result;  /* "$" */
    const char *why = NULL;
    asl_value *out = asl_path_insert(x->arena, raw_in, p, result, &why);
    if (out) return out;
    return asl_fail_state(x, "States.ResultPathMatchFailure",
                          "Unable to apply ResultPath '%s' to input '%s'%s%s", p->text,
                          asl_json_string(x->arena, raw_in, NULL), why ? ": " : "",
                          why ? why : "");
}
