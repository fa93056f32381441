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

/* Why a definite path selected nothing, worded as AWS words it:
 *   "Invalid path '$.a.b' : No results for path: $['a']['b']"    (last step missing)
 *   "Invalid path '$.a.b' : Missing property in path $['a']"     (an earlier step)
 */
static char *no_match_reason(asl_exec *x, asl_value *root, const asl_path *p)
{
    asl_value *v = root;
    uint32_t i = 0;
    if (p->definite) {
        for (; i < p->nseg && v; i++) {
            const asl_seg *s = &p->segs[i];
            if (s->kind == ASL_SEG_KEY)
                v = v->type == ASL_OBJECT ? asl_object_get(v, s->key, s->klen) : NULL;
            else if (s->kind == ASL_SEG_INDEX) {
                int64_t k = s->start;
                if (v->type != ASL_ARRAY) v = NULL;
                else {
                    if (k < 0) k += v->len;
                    v = (k >= 0 && k < (int64_t)v->len) ? v->u.a.items[k] : NULL;
                }
            } else
                break;
        }
    }
    if (i > 0 && i < p->nseg) {
        asl_path prefix = *p;
        prefix.nseg = i;
        return asl_sprintf(x->arena, "Invalid path '%s' : Missing property in path %s",
                           p->text, asl_path_bracket(x, &prefix));
    }
    return asl_sprintf(x->arena, "Invalid path '%s' : No results for path: %s", p->text,
                       asl_path_bracket(x, p));
}

static asl_value *select_or_fail(asl_exec *x, asl_value *v, const asl_path *p)
{
    asl_value *out;
    if (asl_path_select(x, v, p, &out)) return out;
    asl_value *root = p->root == ASL_ROOT_CONTEXT ? asl_context_object(x) : v;
    return asl_fail_state(x, "States.Runtime", "%s", no_match_reason(x, root, p));
}

asl_value *asl_input_path(asl_exec *x, asl_value *in, const asl_path *p)
{
    return select_or_fail(x, in, p);
}

asl_value *asl_output_path(asl_exec *x, asl_value *v, const asl_path *p)
{
    return select_or_fail(x, v, p);
}

asl_value *asl_arg_path(asl_exec *x, asl_value *in, const asl_path *p)
{
    return select_or_fail(x, in, p);
}

asl_value *asl_choice_var(asl_exec *x, asl_value *in, const asl_path *p)
{
    return select_or_fail(x, in, p);
}

asl_value *asl_param_path(asl_exec *x, asl_value *in, const asl_path *p, const char *field)
{
    asl_value *out;
    if (asl_path_select(x, in, p, &out)) return out;
    asl_value *root = p->root == ASL_ROOT_CONTEXT ? asl_context_object(x) : in;
    return asl_fail_state(x, "States.ParameterPathFailure",
                          "The JsonPath argument for the field '%s.$' could not be found "
                          "in the input '%s'",
                          field, asl_json_string(x->arena, root, NULL));
}

asl_value *asl_result_path(asl_exec *x, asl_value *raw_in, asl_value *result, const asl_path *p)
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
