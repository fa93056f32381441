/*
 * retry.c — matching errors against Retry and Catch, and the retry delays.
 *
 * AWS's rules, in one place:
 *   - retriers and catchers are tried in order; the first whose ErrorEquals
 *     matches wins (a retrier that matches but has no attempts left ends the
 *     retrying: later retriers are not consulted);
 *   - "States.ALL" matches every error but States.Runtime and
 *     States.DataLimitExceeded, which are terminal;
 *   - "States.TaskFailed" matches every error but States.Timeout (and the
 *     terminal ones);
 *   - States.HeartbeatTimeout is a kind of States.Timeout: AWS documents
 *     States.Timeout as "ran longer than TimeoutSeconds, or failed to send a
 *     heartbeat for longer than HeartbeatSeconds", so ["States.Timeout"]
 *     matches it and "States.TaskFailed" does not;
 *   - States.Runtime is never caught or retried, even when named.
 */
#include "rt.h"
#include "history.h"

#include <math.h>
#include <string.h>
#include <sys/random.h>

/* Whether s (n bytes) is the name lit. */
static bool is(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && !memcmp(s, lit, n);
}

/* err (elen bytes) against the ErrorEquals name pattern (plen bytes): both
 * counted, so that "E\u0000x" is neither "E" nor "E\u0000y" (issue #18). */
static bool error_matches(const char *err, size_t elen, const char *pattern, size_t plen)
{
    if (is(err, elen, "States.Runtime")) return false;
    if (plen == elen && !memcmp(pattern, err, elen)) return true;
    if (is(err, elen, "States.DataLimitExceeded")) return false;
    if (is(pattern, plen, "States.ALL")) return true;
    bool timeout = is(err, elen, "States.Timeout") || is(err, elen, "States.HeartbeatTimeout");
    if (is(pattern, plen, "States.Timeout")) return timeout;
    if (is(pattern, plen, "States.TaskFailed")) return !timeout;
    return false;
}

static bool matches_in(const char *err, size_t elen, const char *const *errors,
                       const uint32_t *lens, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (error_matches(err, elen, errors[i], lens ? lens[i] : strlen(errors[i]))) return true;
    return false;
}

static bool any_matches(const asl_exec *x, const char *const *errors, const uint32_t *lens,
                        uint32_t n)
{
    return x->err ? matches_in(x->err, x->err_len, errors, lens, n) : matches_in("", 0, errors, lens, n);
}

static double unit_random(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) r = (uint64_t)asl_now_monotonic();
    return (double)(r >> 11) / 9007199254740992.0;
}

/* IntervalSeconds * BackoffRate^count, capped by MaxDelaySeconds, in one
 * step (a loop over the attempts made every retry cost O(count), the retry
 * loop O(count^2)).  pow saturates to +inf rather than wrapping, and the
 * result is kept finite (ASL_SLEEP_MAX) so that no later conversion to an
 * integer overflows: a delay of centuries is slept as one. */
double asl_retry_delay(const asl_retrier *r, uint32_t count)
{
    double delay = r->interval * pow(r->backoff, (double)count);
    if (isnan(delay) || delay < 0) delay = 0;
    if (r->max_delay > 0 && delay > r->max_delay) delay = r->max_delay;
    return delay > ASL_SLEEP_MAX ? ASL_SLEEP_MAX : delay;
}

/* aslc serve resumed this Task state after a restart (served.c): the
 * attempts a Retry took before it count, each failure taken as asl_retry
 * took it (the first retrier that matches, if it had attempts left). */
static __attribute__((noinline)) void resumed_counts(asl_exec *x, const asl_retrier *r,
                                                     uint32_t n, uint32_t *counts)
{
    const asl_value *t = asl_served_retried(x);
    for (uint32_t k = 0; t && k < t->len; k++) {
        const asl_value *e = t->u.a.items[k];
        if (e->type != ASL_STRING) continue;
        for (uint32_t i = 0; i < n; i++) {
            if (!matches_in(e->u.str, e->len, r[i].errors, r[i].lens, r[i].nerrors)) continue;
            if ((int32_t)counts[i] < r[i].max_attempts) {
                counts[i]++;
                x->retry_count++;
            }
            break;
        }
    }
}

bool asl_retry(asl_exec *x, const asl_retrier *r, uint32_t n, uint32_t *counts)
{
    if (!x->failed) return false;
    if (__builtin_expect(x->run->hist != NULL, 0)) resumed_counts(x, r, n, counts);
    for (uint32_t i = 0; i < n; i++) {
        if (!any_matches(x, r[i].errors, r[i].lens, r[i].nerrors)) continue;
        if ((int32_t)counts[i] >= r[i].max_attempts) return false;
        double delay = asl_retry_delay(&r[i], counts[i]);
        if (r[i].jitter == ASL_JITTER_FULL) delay *= unit_random();
        counts[i]++;
        x->retry_count++;
        asl_error_clear(x);
        if (x->run->hist) asl_hist_retried(x);
        /* a unit replaying (aslc serve), or a top-level fan-out whose next
         * run is recorded: the interval had passed, or part of it */
        if (__builtin_expect(x->run->unit_replay, 0)) delay -= asl_served_waited(x);
        return asl_sleep(x, delay);  /* false: the execution timed out meanwhile */
    }
    return false;
}

int asl_catch(asl_exec *x, const asl_catcher *c, uint32_t n)
{
    if (!x->failed) return -1;
    for (uint32_t i = 0; i < n; i++)
        if (any_matches(x, c[i].errors, c[i].lens, c[i].nerrors)) return (int)i;
    return -1;
}
