/*
 * asl_handler.h — what a native C Task handler is written against.
 *
 * aslc --handlers FILE.c compiles FILE.c on its own and links it into the
 * workflow binary; each function named by a "native" binding of the
 * resources file is then called for its Task state (docs/tasks.md has the
 * rules and an example).  A handler needs the JSON values (asl_value.h:
 * reading its input, building its result) and the four calls below on
 * its context, nothing else of aslc: include this header only.  It and
 * what it includes are installed (include/aslc/) and stay stable; the rest
 * of the runtime (rt.h and the headers it includes) is not.
 *
 *   asl_value *my_handler(asl_task_ctx *t, asl_value *input);
 *
 * input is borrowed and immutable; build the result in asl_task_arena(t)
 * (it lives as long as the execution, or the Parallel branch or Map
 * iteration running the task); on failure return asl_task_fail(t, error,
 * cause).  Handlers may run on several threads at once, each call with
 * its own t.
 */
#ifndef ASL_HANDLER_H
#define ASL_HANDLER_H

#include "asl_value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The call's context: opaque (the runtime's thread of control running the
 * task). */
typedef struct asl_exec asl_task_ctx;
typedef asl_value *(*asl_native_fn)(asl_task_ctx *t, asl_value *input);

/* Where the result must be built. */
asl_arena *asl_task_arena(asl_task_ctx *t);
/* Records the failure {error, cause} (both copied; error NULL is
 * States.TaskFailed, cause NULL none) that Retry and Catch match, and
 * returns NULL for the handler to return. */
asl_value *asl_task_fail(asl_task_ctx *t, const char *error, const char *cause);
/* The Task state's name. */
const char *asl_task_state(asl_task_ctx *t);
/* $$.Task.Token of a .waitForTaskToken task's attempt (the handler's result
 * is what SendTaskSuccess would send with it), else NULL. */
const char *asl_task_token(asl_task_ctx *t);

#ifdef __cplusplus
}
#endif
#endif
