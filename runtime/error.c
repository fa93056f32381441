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
    return asl_fail_n(x, error, error ? strlen(error) : 0, cause, cause ? strlen(cause) : 0);
}

/* Counted, because a Fail state's Error or Cause (and an error from a task
 * or a path) may hold U+0000 (issue #18): x->err / x->cause stay
 * NUL-terminated for the readers that only compare them to AWS's names. */
asl_value *asl_fail_n(asl_exec *x, const char *error, size_t elen, const char *cause, size_t clen)
{
    x->failed = true;
    x->err = error ? asl_strndup(x->arena, error, elen) : NULL;
    x->err_len = error ? elen : 0;
    x->cause = cause ? asl_strndup(x->arena, cause, clen) : NULL;
    x->cause_len = cause ? clen : 0;
    if (x->run && x->run->hist && error && !strcmp(error, "States.QueryEvaluationError"))
        asl_hist_evaluation_failed(x);   /* --history: EvaluationFailed */
    return NULL;
}

/* The text of a Fail state's ErrorPath / CausePath value, into *s, *n. */
static void fail_text(asl_exec *x, const asl_value *v, const char **s, size_t *n)
{
    if (v->type == ASL_STRING) {
        *s = v->u.str;
        *n = v->len;
    } else {
        *s = asl_json_string(x->arena, v, n);
    }
}

asl_value *asl_fail_fields(asl_exec *x, const char *error, size_t elen, const char *cause,
                           size_t clen, const asl_value *ev, const asl_value *cv)
{
    if (ev) fail_text(x, ev, &error, &elen);
    if (cv) fail_text(x, cv, &cause, &clen);
    return asl_fail_n(x, error, elen, cause, clen);
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
    if (x->err) asl_object_append_lit(x->arena, o, "Error", 5, asl_string(x->arena, x->err, x->err_len));
    if (x->cause)
        asl_object_append_lit(x->arena, o, "Cause", 5, asl_string(x->arena, x->cause, x->cause_len));
    return o;
}

void asl_error_clear(asl_exec *x)
{
    x->failed = false;
    x->err = x->cause = NULL;
    x->err_len = x->cause_len = 0;
}

void asl_exec_adopt_error(asl_exec *x, const asl_exec *child)
{
    asl_fail_n(x, child->err, child->err_len, child->cause, child->cause_len);
}
