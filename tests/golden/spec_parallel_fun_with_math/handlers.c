/* Native task handlers for the golden case spec_parallel_fun_with_math: compiled into the workflow
 * with aslc --handlers handlers.c and bound in resources.json.  They stand in
 * for the Lambda functions of the documentation example. */
#include "asl_handler.h"

/* [a, b] -> a + b; anything else fails. */
asl_value *add_pair(asl_task_ctx *t, asl_value *in)
{
    if (asl_typeof(in) != ASL_ARRAY || in->len != 2 || asl_typeof(asl_array_get(in, 0)) != ASL_NUMBER ||
        asl_typeof(asl_array_get(in, 1)) != ASL_NUMBER)
        return asl_task_fail(t, "BadInput", "expected [number, number]");
    return asl_number(asl_task_arena(t), asl_array_get(in, 0)->u.n.num + asl_array_get(in, 1)->u.n.num);
}

/* [a, b] -> a - b; anything else fails. */
asl_value *subtract_pair(asl_task_ctx *t, asl_value *in)
{
    if (asl_typeof(in) != ASL_ARRAY || in->len != 2 || asl_typeof(asl_array_get(in, 0)) != ASL_NUMBER ||
        asl_typeof(asl_array_get(in, 1)) != ASL_NUMBER)
        return asl_task_fail(t, "BadInput", "expected [number, number]");
    return asl_number(asl_task_arena(t), asl_array_get(in, 0)->u.n.num - asl_array_get(in, 1)->u.n.num);
}
