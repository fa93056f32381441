/*
 * wait.c — the Wait state: Seconds, SecondsPath, Timestamp, TimestampPath.
 *
 * Delays go through asl_sleep, which applies the run's time scale
 * (ASL_TIME_SCALE / --time-scale) so that tests can skip hour-long waits,
 * and which fails with States.Timeout when the execution's deadline passes.
 */
#include "rt.h"

#include <math.h>
#include <string.h>
#include <time.h>

bool asl_wait_seconds(asl_exec *x, double seconds)
{
    if (__builtin_expect(x->run->resume_waited > 0 || x->run->unit_replay, 0))
        seconds -= asl_served_waited(x);
    return asl_sleep(x, seconds);
}

bool asl_wait_seconds_value(asl_exec *x, const asl_value *v, const char *path_text)
{
    /* AWS wants a non-negative long: 1.5, "1" or -1 are errors. */
    if (v->type != ASL_NUMBER || !asl_num_int(v) || v->u.n.num < 0) {
        char *shown = asl_json_string(x->arena, v, NULL);
        if (v->type == ASL_STRING) shown = (char *)v->u.str;
        asl_fail_state(x, "States.Runtime",
                       "The SecondsPath parameter cannot be parsed as a long value: %s == %s",
                       path_text, shown);
        return false;
    }
    double seconds = v->u.n.num;
    if (__builtin_expect(x->run->resume_waited > 0 || x->run->unit_replay, 0))
        seconds -= asl_served_waited(x);
    return asl_sleep(x, seconds);
}

/* The workflow's "now": the real time plus what scaled delays skipped in
 * this thread of control (asl_exec.skew), so that under --time-scale 0 a
 * Wait until T after another one until T does not count the time twice. */
static double now_epoch(const asl_exec *x)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + x->skew;
}

bool asl_wait_until(asl_exec *x, const char *timestamp)
{
    double t;
    if (!asl_timestamp_parse(timestamp, strlen(timestamp), &t)) {
        asl_fail_state(x, "States.Runtime", "The Timestamp '%s' is not a valid RFC 3339 timestamp",
                       timestamp);
        return false;
    }
    double d = t - now_epoch(x);
    return d > 0 ? asl_sleep(x, d) : true;
}

bool asl_wait_until_value(asl_exec *x, const asl_value *v, const char *path_text)
{
    double t;
    if (v->type != ASL_STRING || !asl_timestamp_parse(v->u.str, v->len, &t)) {
        asl_fail_state(x, "States.Runtime",
                       "The TimestampPath parameter does not reference a valid ISO-8601 "
                       "extended offset date-time format string: %s == %s",
                       path_text, asl_json_string(x->arena, v, NULL));
        return false;
    }
    double d = t - now_epoch(x);
    return d > 0 ? asl_sleep(x, d) : true;
}
