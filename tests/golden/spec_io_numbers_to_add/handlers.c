/* Native task handlers for the golden case spec_io_numbers_to_add: compiled into the workflow
 * with aslc --handlers handlers.c and bound in resources.json.  They stand in
 * for the Lambda functions of the documentation example. */
#include "asl_handler.h"

/* {"val1": a, "val2": b} -> a + b, the spec's "Add" Lambda; anything else fails. */
asl_value *add_vals(asl_task_ctx *t, asl_value *in)
{
    asl_value *a = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "val1", 4) : NULL;
    asl_value *b = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "val2", 4) : NULL;
    if (!a || !b || asl_typeof(a) != ASL_NUMBER || asl_typeof(b) != ASL_NUMBER || in->len != 2)
        return asl_task_fail(t, "BadInput", "expected exactly {\"val1\": number, \"val2\": number}");
    return asl_number(asl_task_arena(t), a->u.n.num + b->u.n.num);
}
