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
 * reads included).  Latencies go into a fixed log-linear histogram (64
 * buckets per power of two, 30 KB) rather than an array of N samples, so
 * that the peak RSS reported is the workflow's, not the harness's (a few
 * million samples would be tens of MB): percentiles are exact to within
 * 1/64 (1.6%), max_us is exact.  The warm-up (N/10, at least 1, at most
 * 1000) brings the caches, the allocator's free lists and the branch
 * predictors to their steady state; it is not counted.
 */
#define _GNU_SOURCE
#include "asl_value.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Also declared in runtime/main.c and bench/hand/hand.h (no shared header
 * of the runtime is ours to extend). */
typedef int (*asl_bench_exec_fn)(void *ctx, asl_buf *out, uint64_t *transitions);
int asl_bench_run(long n, asl_bench_exec_fn one_exec, void *ctx);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

/* ---- the latency histogram ----------------------------------------------
 * Values (ns) below 128 have a bucket each; above, a power of two [2^k,
 * 2^(k+1)) is split into 64 equal buckets.  Bucket i covers [lo(i), lo(i+1)). */
enum { SUB_BITS = 6, SUB = 1 << SUB_BITS, NBUCKETS = (64 - SUB_BITS + 1) * SUB };

static unsigned bucket_of(uint64_t v)
{
    if (v < 2 * SUB) return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - SUB_BITS;
    return (shift + 1) * SUB + (unsigned)((v >> shift) - SUB);
}

static uint64_t bucket_lo(unsigned i)
{
    if (i < 2 * SUB) return i;
    unsigned shift = i / SUB - 1;
    return (uint64_t)(SUB + i % SUB) << shift;
}

/* Nearest rank: the bucket holding the smallest sample with at least p of
 * them at or below it, reported as the middle of that bucket (but never
 * above the largest sample). */
static double percentile_us(const uint64_t *hist, long n, double p, uint64_t max_ns)
{
    long rank = (long)(p * (double)n + 0.999999999);
    if (rank < 1) rank = 1;
    long seen = 0;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        seen += (long)hist[i];
        if (seen >= rank) {
            double lo = (double)bucket_lo(i), hi = (double)bucket_lo(i + 1);
            double mid = i < 2 * SUB ? lo : (lo + hi) / 2;
            return (mid < (double)max_ns ? mid : (double)max_ns) / 1e3;
        }
    }
    return (double)max_ns / 1e3;
}

int asl_bench_run(long n, asl_bench_exec_fn one_exec, void *ctx)
{
    if (n < 1) n = 1;
    /* Executions one after another, as a server runs them: what one frees,
     * the next reuses.  By default glibc hands the top of the heap back to
     * the kernel (and maps big blocks afresh) whenever an execution frees
     * its arenas, and every execution then faults its pages in again:
     * map_1000 (1 MB of arena) spent 1 ms of its 1.8-2.7 ms doing so, more
     * or less depending on where its blocks fell.  Kept, the timing is of
     * the work.  The hand-written programs share this loop. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
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

    uint64_t *hist = calloc(NBUCKETS + 1, sizeof *hist);
    if (!hist) abort();
    uint64_t total_transitions = 0, max_ns = 0;
    uint64_t start = now_ns(), t = start;
    for (long i = 0; i < n; i++) {
        out.len = 0;
        status = one_exec(ctx, &out, &transitions);
        uint64_t t2 = now_ns(), d = t2 - t;
        t = t2;
        hist[bucket_of(d)]++;
        if (d > max_ns) max_ns = d;
        total_transitions += transitions;
        if (status != 0) {
            free(hist);
            asl_buf_free(&out);
            return status;
        }
    }
    double wall = (double)(t - start) / 1e9;

    /* The output as a JSON value, without its trailing newline. */
    size_t olen = out.len;
    while (olen > 0 && (out.data[olen - 1] == '\n' || out.data[olen - 1] == ' ')) olen--;
    printf("{\"executions\":%ld,\"warmup\":%ld,\"exec_per_s\":%.1f,\"p50_us\":%.3f,"
           "\"p90_us\":%.3f,\"p99_us\":%.3f,\"max_us\":%.3f,\"transitions_per_exec\":%.1f,"
           "\"transitions_per_s\":%.1f,\"max_rss_kb\":%ld,\"output\":%.*s}\n",
           n, warmup, wall > 0 ? (double)n / wall : 0.0, percentile_us(hist, n, 0.50, max_ns),
           percentile_us(hist, n, 0.90, max_ns), percentile_us(hist, n, 0.99, max_ns),
           (double)max_ns / 1e3, (double)total_transitions / (double)n,
           wall > 0 ? (double)total_transitions / wall : 0.0, peak_rss_kb(), (int)olen,
           olen ? out.data : "null");
    fflush(stdout);
    free(hist);
    asl_buf_free(&out);
    return 0;
}
