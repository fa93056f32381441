/* Native task handler of the golden case data_limit_task_result. */
#include "asl_handler.h"

#include <string.h>

/* {"n": N} -> {"blob": "xxx...x" (N bytes), "small": 1}. */
asl_value *make_blob(asl_task_ctx *t, asl_value *in)
{
    asl_arena *a = asl_task_arena(t);
    asl_value *n = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "n", 1) : NULL;
    if (!n || asl_typeof(n) != ASL_NUMBER || n->u.n.num < 0 || n->u.n.num > 1e7)
        return asl_task_fail(t, "BadInput", "expected an object with a number \"n\"");
    size_t len = (size_t)n->u.n.num;
    char *s = asl_alloc(a, len + 1);
    memset(s, 'x', len);
    s[len] = 0;
    asl_value *out = asl_object(a, 2);
    asl_object_set(a, out, "blob", 4, asl_string(a, s, len));
    asl_object_set(a, out, "small", 5, asl_number(a, 1));
    return out;
}
