/* Handlers of task_token_callback: each checks that the token in its input
 * is the one asl_task_token gives it, and approve fails its first attempt
 * so that the second one must see a different token. */
#include "asl_handler.h"
#include <string.h>

static char first[256];

static const asl_value *member(const asl_value *o, const char *k)
{
    return o && asl_typeof(o) == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
}

asl_value *approve(asl_task_ctx *t, asl_value *input)
{
    const asl_value *tok = member(member(input, "MessageBody"), "TaskToken");
    const char *mine = asl_task_token(t);
    if (!tok || asl_typeof(tok) != ASL_STRING || !mine || strcmp(tok->u.str, mine))
        return asl_task_fail(t, "Token.Mismatch", "the token in the input is not the task's");
    if (!first[0]) {
        strncpy(first, mine, sizeof first - 1);
        return asl_task_fail(t, "Retry.Me", "first attempt");
    }
    if (!strcmp(first, mine)) return asl_task_fail(t, "Token.Reused", "same token on the retry");
    asl_arena *a = asl_task_arena(t);
    asl_value *out = asl_object(a, 1);
    asl_object_set(a, out, "approved", 8, asl_bool(true));
    return out;
}

asl_value *notify(asl_task_ctx *t, asl_value *input)
{
    const asl_value *tok = member(input, "token");
    const char *mine = asl_task_token(t);
    if (!tok || asl_typeof(tok) != ASL_STRING || !mine || strcmp(tok->u.str, mine) ||
        !strcmp(mine, first))
        return asl_task_fail(t, "Token.Mismatch", "bad token in notify");
    asl_arena *a = asl_task_arena(t);
    asl_value *out = asl_object(a, 1);
    asl_object_set(a, out, "sent", 4, asl_bool(true));
    return out;
}
