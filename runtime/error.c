/*
 * error.c — a failure as a value.
 *
 * Errors are values, not jumps: asl_fail records {Error, Cause} in the exec
 * (each thread of control has its own error slot) and returns NULL, and
 * every caller passes the NULL up until a Retry, a Catch or the end of the
 * execution looks at it (asl_error_name, asl_error_value).
 */
#include "rt.h"
#include "history.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const asl_error_names[ASL_ERR__COUNT] = {
#define X(id, name) name,
#include "asl_errors.def"
#undef X
};

/* error may be NULL: a Fail state without Error fails with no error name. */
asl_value *asl_fail(asl_exec *x, const char *error, const char *cause)
{
    x->failed = true;
    x->err = error ? asl_strndup(x->arena, error, strlen(error)) : NULL;
    x->cause = cause ? asl_strndup(x->arena, cause, strlen(cause)) : NULL;
    if (x->run && x->run->hist && error && !strcmp(error, "States.QueryEvaluationError"))
        asl_hist_evaluation_failed(x);   /* --history: EvaluationFailed */
    return NULL;
}

static asl_value *vfail(asl_exec *x, const char *error, const char *prefix,
                        const char *fmt, va_list ap)
{
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *msg = small;
    if (n >= (int)sizeof small) {
        msg = asl_alloc(x->arena, (size_t)n + 1);
        vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    if (prefix) {
        size_t pl = strlen(prefix), ml = strlen(msg);
        char *full = asl_alloc(x->arena, pl + ml + 1);
        memcpy(full, prefix, pl);
        memcpy(full + pl, msg, ml + 1);
        msg = full;
    }
    return asl_fail(x, error, msg);
}

asl_value *asl_failf(asl_exec *x, const char *error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(x, error, NULL, fmt, ap);
    va_end(ap);
    return NULL;
}

asl_value *asl_fail_state(asl_exec *x, const char *error, const char *fmt, ...)
{
    char *prefix = NULL;
    if (x->state)
        prefix = asl_sprintf(x->arena,
                             "An error occurred while executing the state '%s' "
                             "(entered at the event id #%llu). ",
                             x->state->name, (unsigned long long)x->entered_event);
    va_list ap;
    va_start(ap, fmt);
    vfail(x, error, prefix, fmt, ap);
    va_end(ap);
    return NULL;
}

const char *asl_error_name(const asl_exec *x) { return x->failed ? x->err : NULL; }
const char *asl_error_cause(const asl_exec *x) { return x->failed ? x->cause : NULL; }

asl_value *asl_error_value(asl_exec *x)
{
    asl_value *o = asl_object(x->arena, 2);
    if (x->err) asl_object_append_lit(x->arena, o, "Error", 5, asl_cstring(x->arena, x->err));
    if (x->cause)
        asl_object_append_lit(x->arena, o, "Cause", 5, asl_cstring(x->arena, x->cause));
    return o;
}

void asl_error_clear(asl_exec *x)
{
    x->failed = false;
    x->err = x->cause = NULL;
}

void asl_exec_adopt_error(asl_exec *x, const asl_exec *child)
{
    asl_fail(x, child->err, child->cause);
}
