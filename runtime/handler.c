/*
 * handler.c — what a native Task handler calls on its context
 * (asl_handler.h): the context is the exec running the Task.
 */
#include "rt.h"

asl_arena *asl_task_arena(asl_task_ctx *t) { return t->arena; }
const char *asl_task_state(asl_task_ctx *t) { return t->state ? t->state->name : ""; }
const char *asl_task_token(asl_task_ctx *t)
{
    asl_value *v = asl_task_token_value(t);
    return v ? v->u.str : NULL;
}
asl_value *asl_task_fail(asl_task_ctx *t, const char *error, const char *cause)
{
    return asl_fail(t, error ? error : "States.TaskFailed", cause);
}
