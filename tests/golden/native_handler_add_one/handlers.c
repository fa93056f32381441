/* Native task handlers for the golden cases native_handler_*: compiled into
 * the workflow with aslc --handlers handlers.c and bound in resources.json. */
#include "asl_handler.h"

/* {"n": N} -> {"n": N + 1}; anything else fails with BadInput. */
asl_value *add_one(asl_task_ctx *t, asl_value *in)
{
    asl_arena *a = asl_task_arena(t);
    asl_value *n = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "n", 1) : NULL;
    if (!n || asl_typeof(n) != ASL_NUMBER)
        return asl_task_fail(t, "BadInput", "expected an object with a number \"n\"");
    asl_value *out = asl_object(a, 1);
    asl_object_set(a, out, "n", 1, asl_number(a, n->u.n.num + 1));
    return out;
}

/* Fails with NegativeNumber when "n" < 0, else returns the state's name. */
asl_value *check_sign(asl_task_ctx *t, asl_value *in)
{
    asl_value *n = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "n", 1) : NULL;
    if (n && asl_typeof(n) == ASL_NUMBER && n->u.n.num < 0)
        return asl_task_fail(t, "NegativeNumber", "n is negative");
    return asl_cstring(asl_task_arena(t), asl_task_state(t));
}
