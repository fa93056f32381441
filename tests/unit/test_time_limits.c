/*
 * test_time_limits.c — delays and timeouts at their extremes (issue #18):
 *
 *   - a Retry delay is IntervalSeconds * BackoffRate^attempts in one step,
 *     capped by MaxDelaySeconds and by ASL_SLEEP_MAX, never inf or NaN (it
 *     was a loop over the attempts, and 3600 * 2^53 s became a negative
 *     time_t that was not slept at all);
 *   - a sleep of 1e19 s sleeps (it returned at once);
 *   - the execution's TimeoutSeconds is counted in workflow time: a delay
 *     skipped by --time-scale 0 still counts in full (asl_exec.skew), and a
 *     sleep that passes the deadline fails with States.Timeout;
 *   - States.HeartbeatTimeout is a kind of States.Timeout for Retry and
 *     Catch, as AWS documents: ["States.Timeout"] matches it,
 *     ["States.TaskFailed"] does not.
 */
#include "check.h"
#include "rt.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void test_retry_delay(void)
{
    asl_retrier r = {.interval = 3600, .backoff = 2, .max_attempts = 1000};
    CHECK(asl_retry_delay(&r, 0) == 3600);
    CHECK(asl_retry_delay(&r, 3) == 3600 * 8);
    for (uint32_t k = 50; k < 1000; k++) {
        double d = asl_retry_delay(&r, k);
        if (!CHECK(isfinite(d) && d >= 3600 && d <= ASL_SLEEP_MAX)) break;
    }
    CHECK(asl_retry_delay(&r, 53) == ASL_SLEEP_MAX);
    CHECK(asl_retry_delay(&r, 4000000000u) == ASL_SLEEP_MAX);
    r.max_delay = 31622400;
    CHECK(asl_retry_delay(&r, 60) == 31622400);
    CHECK(asl_retry_delay(&r, 1) == 7200);
    asl_retrier one = {.interval = 1, .backoff = 1};
    CHECK(asl_retry_delay(&one, 99999999) == 1);
    asl_retrier none = {.interval = 0, .backoff = 2};
    CHECK(asl_retry_delay(&none, 5000) == 0);  /* 0 * inf is NaN: no delay */
}

static void test_timespec(void)
{
    struct timespec now, t;
    clock_gettime(CLOCK_MONOTONIC, &now);
    asl_timespec_after(&t, 1e19);
    CHECK(t.tv_sec > now.tv_sec + 1000000000);
    CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
    asl_timespec_after(&t, INFINITY);
    CHECK(t.tv_sec > now.tv_sec + 1000000000);
    asl_timespec_after(&t, NAN);
    CHECK(t.tv_sec >= now.tv_sec && t.tv_sec < now.tv_sec + 10);
    asl_timespec_after(&t, 1.75);
    CHECK(t.tv_sec >= now.tv_sec + 1 && t.tv_sec <= now.tv_sec + 3);
}

static void exec_init(asl_run *run, asl_exec *x, double scale, double timeout)
{
    memset(run, 0, sizeof *run);
    memset(x, 0, sizeof *x);
    run->arena = asl_arena_new();
    run->time_scale = scale;
    if (timeout > 0) run->deadline = asl_now_monotonic() + timeout;
    x->arena = run->arena;
    x->run = run;
}

static int slept_out;

static void *sleep_long(void *arg)
{
    asl_sleep(arg, 1e19);
    __atomic_store_n(&slept_out, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_sleep(void)
{
    asl_run run;
    asl_exec x;

    /* 1e19 s without a deadline: still asleep a moment later. */
    static asl_run lrun;
    static asl_exec lx;
    exec_init(&lrun, &lx, 1, 0);
    pthread_t t;
    pthread_create(&t, NULL, sleep_long, &lx);
    pthread_detach(t);
    usleep(200000);
    CHECK(__atomic_load_n(&slept_out, __ATOMIC_SEQ_CST) == 0);

    /* Time scale 0: a 10 s delay takes no time but counts 10 s against a
     * 25 s TimeoutSeconds; the third one passes it. */
    exec_init(&run, &x, 0, 25);
    double t0 = asl_now_monotonic();
    CHECK(asl_sleep(&x, 10));
    CHECK(asl_sleep(&x, 10));
    CHECK(fabs(x.skew - 20) < 1e-9);
    CHECK(!asl_sleep(&x, 10));
    CHECK(x.failed);
    CHECK_STR(x.err, "States.Timeout");
    CHECK(asl_now_monotonic() - t0 < 1.0);
    asl_arena_free(run.arena);

    /* Time scale 0.01: 3 s sleeps 30 ms and counts 3 s. */
    exec_init(&run, &x, 0.01, 5);
    t0 = asl_now_monotonic();
    CHECK(asl_sleep(&x, 3));
    double took = asl_now_monotonic() - t0;
    CHECK(took >= 0.029 && took < 1.0);
    CHECK(!asl_sleep(&x, 3));          /* 6 s of workflow time > 5 */
    CHECK_STR(x.err, "States.Timeout");
    asl_arena_free(run.arena);

    /* Without sleeping, the deadline is real time: a state entered after
     * it fails. */
    exec_init(&run, &x, 0, 0.05);
    usleep(80000);
    static const asl_state_info s = {.name = "S", .type = "Pass"};
    CHECK(!asl_enter_shared(&x, &s));
    CHECK_STR(x.err, "States.Timeout");
    asl_arena_free(run.arena);
}

/* Wait until a timestamp counts from the workflow's now: a second Wait
 * until the same time, after the first was skipped, waits no more. */
static void test_wait_until(void)
{
    asl_run run;
    asl_exec x;
    exec_init(&run, &x, 0, 0);
    char ts[40];
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 100;
    asl_format_iso(&t, ts);
    CHECK(asl_wait_until(&x, ts));
    CHECK(x.skew > 98 && x.skew <= 100);
    double after_first = x.skew;
    CHECK(asl_wait_until(&x, ts));
    CHECK(x.skew == after_first);
    asl_arena_free(run.arena);
}

static void test_heartbeat_is_a_timeout(void)
{
    asl_run run;
    asl_exec x;
    exec_init(&run, &x, 0, 0);
    static const char *const timeout[] = {"States.Timeout"};
    static const char *const failed[] = {"States.TaskFailed"};
    static const char *const all[] = {"States.ALL"};
    static const char *const hb[] = {"States.HeartbeatTimeout"};
    asl_catcher c_timeout = {timeout, 1, NULL}, c_failed = {failed, 1, NULL}, c_all = {all, 1, NULL},
                c_hb = {hb, 1, NULL};

    asl_fail(&x, "States.HeartbeatTimeout", "no heartbeat");
    CHECK(asl_catch(&x, &c_timeout, 1) == 0);
    CHECK(asl_catch(&x, &c_failed, 1) == -1);
    CHECK(asl_catch(&x, &c_all, 1) == 0);
    CHECK(asl_catch(&x, &c_hb, 1) == 0);
    asl_catcher both[2] = {c_failed, c_timeout};
    CHECK(asl_catch(&x, both, 2) == 1);
    asl_retrier rf = {.errors = failed, .nerrors = 1, .max_attempts = 3, .interval = 1, .backoff = 2};
    uint32_t count = 0;
    CHECK(!asl_retry(&x, &rf, 1, &count) && count == 0);
    asl_retrier rt = {.errors = timeout, .nerrors = 1, .max_attempts = 3, .interval = 1, .backoff = 2};
    CHECK(asl_retry(&x, &rt, 1, &count) && count == 1);

    /* A task's own timeout: unchanged. */
    asl_fail(&x, "States.Timeout", "late");
    CHECK(asl_catch(&x, &c_timeout, 1) == 0);
    CHECK(asl_catch(&x, &c_failed, 1) == -1);
    CHECK(asl_catch(&x, &c_hb, 1) == -1);
    asl_error_clear(&x);
    asl_arena_free(run.arena);
}

int main(void)
{
    test_retry_delay();
    test_timespec();
    test_sleep();
    test_wait_until();
    test_heartbeat_is_a_timeout();
    return check_summary();
}
