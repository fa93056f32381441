/* Native task handlers for the golden case spec_aws_io_example_hello_world: compiled into the workflow
 * with aslc --handlers handlers.c and bound in resources.json.  They stand in
 * for the Lambda functions of the documentation example. */
#include "asl_handler.h"

/* {"who": name} -> "Hello, name!", the tutorials' HelloFunction; anything else fails. */
asl_value *hello(asl_task_ctx *t, asl_value *in)
{
    asl_value *who = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "who", 3) : NULL;
    if (!who || asl_typeof(who) != ASL_STRING)
        return asl_task_fail(t, "BadInput", "expected an object with a string \"who\"");
    return asl_cstring(asl_task_arena(t), asl_sprintf(asl_task_arena(t), "Hello, %s!", who->u.str));
}
