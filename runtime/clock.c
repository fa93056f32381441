/*
 * clock.c — time as an execution sees it: the clocks, AWS's timestamps,
 * and sleeping (Wait, Retry) under --time-scale and the execution's
 * TimeoutSeconds.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <stdio.h>
#include <time.h>

double asl_now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* AWS prints times with millisecond precision and a Z. */
void asl_format_iso(const struct timespec *ts, char out[40])
{
    struct tm tm;
    gmtime_r(&ts->tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%03dZ", (int)(ts->tv_nsec / 1000000) % 1000);
}

void asl_now_iso(char out[40])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    asl_format_iso(&ts, out);
}

/* Inside a Parallel branch or Map iteration the sleep is asl_flow_sleep's,
 * which a failing sibling can cut short (false, x stopped); even a zero
 * delay checks for that, so that Retry loops end promptly.
 *
 * The time scale scales the sleep, not the workflow's clock: the execution's
 * TimeoutSeconds is measured in workflow time, real time plus what scaled
 * sleeps skipped (x->skew), so a Wait of 10 s counts 10 s against it under
 * any --time-scale, and a loop that never sleeps still times out after
 * TimeoutSeconds of real time (docs/runtime-limits.md). */
bool asl_sleep(asl_exec *x, double seconds)
{
    asl_run *r = x->run;
    if (asl_flow_stopped(x)) return false;
    if (!(seconds > 0)) seconds = 0;                  /* NaN too */
    if (seconds > ASL_SLEEP_MAX) seconds = ASL_SLEEP_MAX;
    if (r->deadline > 0) {
        double left = r->deadline - (asl_now_monotonic() + x->skew);
        if (seconds >= left) {
            /* The execution's TimeoutSeconds falls inside this wait. */
            if (left > 0) {
                double d = left * r->time_scale;
                if (d > 0 && !asl_flow_sleep(x, d)) return false;
                x->skew += left - d;
            }
            asl_fail(x, "States.Timeout", "The execution timed out.");
            return false;
        }
    }
    double d = seconds * r->time_scale;
    x->skew += seconds - d;
    return d <= 0 || asl_flow_sleep(x, d);
}

/* A monotonic time seconds from now, saturated: (time_t) of a double past
 * its range is undefined (and was 2^63 s of Retry delay slept as none). */
void asl_timespec_after(struct timespec *ts, double seconds)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    if (!(seconds > 0)) return;
    if (seconds > ASL_SLEEP_MAX) seconds = ASL_SLEEP_MAX;
    time_t whole = (time_t)seconds;
    ts->tv_sec += whole;
    ts->tv_nsec += (long)((seconds - (double)whole) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}
