/*
 * bench.c — the benchmark mode of generated workflow binaries.
 *
 *   ./workflow --bench N [--input JSON | --input-file F] [other options]
 *
 * Runs a warm-up, then N executions one after another in this process, each
 * timed on its own, and prints one JSON object on stdout:
 *
 *   {"executions": N, "warmup": W, "exec_per_s": ..., "p50_us": ...,
 *    "p90_us": ..., "p99_us": ..., "max_us": ..., "transitions_per_exec": ...,
 *    "transitions_per_s": ..., "max_rss_kb": ..., "output": <last output>}
 *
 * What one execution is, is up to the caller (runtime/main.c): there it
 * parses the input text, runs the state machine and serialises the output,
 * so the figures are end to end, as a server handling requests would see
 * them.  The hand-written programs of bench/hand/ call this too, so both
 * sides are timed by the same code.
 *
 * exec_per_s is N over the wall time of the whole timed loop (the clock
 * reads included); percentiles are nearest-rank over the per-execution
 * times.  The warm-up (N/10, at least 1, at most 1000) brings the caches,
 * the allocator's free lists and the branch predictors to their steady
 * state; it is not counted.
 */
#define _GNU_SOURCE
#include "asl_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Also declared in runtime/main.c and bench/hand/hand.h (no shared header
 * of the runtime is ours to extend). */
typedef int (*asl_bench_exec_fn)(void *ctx, asl_buf *out, uint64_t *transitions);
int asl_bench_run(long n, asl_bench_exec_fn one_exec, void *ctx);

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak RSS of this process image in KiB: VmHWM, which starts afresh at
 * execve.  (getrusage's ru_maxrss does not: Linux carries it over from the
 * process that forked us, so a binary started by a 16 MB Python would
 * report 16 MB.) */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    long kb = -1;
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "VmHWM: %ld", &kb) == 1) break;
        fclose(f);
    }
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return kb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least p of them at or below it. */
static double percentile(const double *sorted, long n, double p)
{
    long k = (long)ceil(p * (double)n) - 1;
    if (k < 0) k = 0;
    if (k >= n) k = n - 1;
    return sorted[k];
}

int asl_bench_run(long n, asl_bench_exec_fn one_exec, void *ctx)
{
    if (n < 1) n = 1;
    long warmup = n / 10;
    if (warmup < 1) warmup = 1;
    if (warmup > 1000) warmup = 1000;

    asl_buf out;
    asl_buf_init(&out);
    uint64_t transitions = 0;
    int status = 0;
    for (long i = 0; i < warmup && status == 0; i++) {
        out.len = 0;
        status = one_exec(ctx, &out, &transitions);
    }
    if (status != 0) {
        /* The failing execution has said why on stderr. */
        asl_buf_free(&out);
        return status;
    }

    double *lat = asl_xmalloc((size_t)n * sizeof *lat);
    uint64_t total_transitions = 0;
    double start = now_s(), t = start;
    for (long i = 0; i < n; i++) {
        out.len = 0;
        status = one_exec(ctx, &out, &transitions);
        double t2 = now_s();
        lat[i] = t2 - t;
        t = t2;
        total_transitions += transitions;
        if (status != 0) {
            free(lat);
            asl_buf_free(&out);
            return status;
        }
    }
    double wall = t - start;
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);

    /* The output as a JSON value, without its trailing newline. */
    size_t olen = out.len;
    while (olen > 0 && (out.data[olen - 1] == '\n' || out.data[olen - 1] == ' ')) olen--;
    printf("{\"executions\":%ld,\"warmup\":%ld,\"exec_per_s\":%.1f,\"p50_us\":%.3f,"
           "\"p90_us\":%.3f,\"p99_us\":%.3f,\"max_us\":%.3f,\"transitions_per_exec\":%.1f,"
           "\"transitions_per_s\":%.1f,\"max_rss_kb\":%ld,\"output\":%.*s}\n",
           n, warmup, wall > 0 ? (double)n / wall : 0.0, percentile(lat, n, 0.50) * 1e6,
           percentile(lat, n, 0.90) * 1e6, percentile(lat, n, 0.99) * 1e6, lat[n - 1] * 1e6,
           (double)total_transitions / (double)n,
           wall > 0 ? (double)total_transitions / wall : 0.0, peak_rss_kb(), (int)olen,
           olen ? out.data : "null");
    fflush(stdout);
    free(lat);
    asl_buf_free(&out);
    return 0;
}
