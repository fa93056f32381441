/* Native task handlers of the golden case choice_loop_million: they prove that
 * transitions do not grow the stack.  stack_mark records the frame address of
 * the handler before the loop; stack_check, called after two million
 * transitions through the same depth of runtime code, compares its own.  If
 * each transition kept a frame (no tail call), the stack would be deeper by
 * tens of megabytes; the allowance of 64 KiB only absorbs differences in the
 * frames of the two paths into the handler. */
#include "asl_handler.h"

#include <stdint.h>

static uintptr_t mark;

asl_value *stack_mark(asl_task_ctx *t, asl_value *in)
{
    (void)t, (void)in;
    mark = (uintptr_t)__builtin_frame_address(0);
    return asl_null();
}

asl_value *stack_check(asl_task_ctx *t, asl_value *in)
{
    (void)in;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (!mark) return asl_task_fail(t, "NoMark", "stack_mark was not called before stack_check");
    long grown = (long)(mark - here);  /* the stack grows down */
    if (grown > 64 * 1024)
        return asl_task_fail(t, "StackGrew",
                             asl_sprintf(asl_task_arena(t), "the stack grew by %ld bytes in the loop", grown));
    return asl_cstring(asl_task_arena(t), "flat");
}
