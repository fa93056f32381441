/*
 * coldstart.c — measures cold start: a fresh process, from spawn to its
 * output read to the end and its exit, run many times.
 *
 *   coldstart RUNS [-i INPUT_FILE] -- PROGRAM ARGS...
 *
 * Each run: posix_spawn (vfork-based, so the measuring process adds as
 * little as possible), the child's stdout on a pipe read to EOF, its stdin
 * from INPUT_FILE (or /dev/null), then wait4.  Prints one JSON object:
 *   {"runs": N, "median_us", "p10_us", "p90_us", "min_us", "max_us",
 *    "max_rss_kb" (largest peak RSS of a child), "median_rss_kb",
 *    "median_minflt" (page faults of a child: each costs a few µs here),
 *    "output_bytes" (of the last run), "failures"}
 * The first run is not counted (it may fault the binary's pages into the
 * page cache), so the figures are those of a binary already on the
 * machine, which is what "cold start" means for a deployed workflow.
 * A driver script compares the output of a separate run with the
 * expected one; this tool only times.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* One run; returns its wall time in µs, or a negative number on failure. */
static double run_once(char **argv, const char *input, long *rss_kb, long *minflt,
                       size_t *out_bytes)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 0, input ? input : "/dev/null", O_RDONLY, 0);
    double t0 = now_us();
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        fprintf(stderr, "coldstart: cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    char buf[65536];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(pfd[0], buf, sizeof buf);
        if (n > 0) total += (size_t)n;
        else if (n == 0 || errno != EINTR) break;
    }
    close(pfd[0]);
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR) {}
    double t1 = now_us();
    *rss_kb = ru.ru_maxrss;
    *minflt = ru.ru_minflt;
    *out_bytes = total;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return -2;
    return t1 - t0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: coldstart RUNS [-i INPUT_FILE] -- PROGRAM ARGS...\n");
        return 2;
    }
    long runs = strtol(argv[1], NULL, 10);
    const char *input = NULL;
    int i = 2;
    if (!strcmp(argv[i], "-i") && i + 1 < argc) {
        input = argv[i + 1];
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc || runs < 1) {
        fprintf(stderr, "usage: coldstart RUNS [-i INPUT_FILE] -- PROGRAM ARGS...\n");
        return 2;
    }
    char **cmd = argv + i + 1;
    double *t = calloc((size_t)runs, sizeof *t);
    long *rss = calloc((size_t)runs, sizeof *rss);
    long *flt = calloc((size_t)runs, sizeof *flt);
    long failures = 0, n = 0, max_rss = 0;
    size_t out_bytes = 0;
    long r0, f0;
    run_once(cmd, input, &r0, &f0, &out_bytes); /* not counted: see the header */
    for (long k = 0; k < runs; k++) {
        long r, fl;
        double us = run_once(cmd, input, &r, &fl, &out_bytes);
        if (us < 0) {
            failures++;
            if (us == -1) break;
            continue;
        }
        t[n] = us;
        flt[n] = fl;
        rss[n++] = r;
        if (r > max_rss) max_rss = r;
    }
    if (n == 0) {
        printf("{\"runs\":0,\"failures\":%ld}\n", failures);
        return 1;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    qsort(rss, (size_t)n, sizeof *rss, cmp_long);
    qsort(flt, (size_t)n, sizeof *flt, cmp_long);
    printf("{\"runs\":%ld,\"median_us\":%.1f,\"p10_us\":%.1f,\"p90_us\":%.1f,\"min_us\":%.1f,"
           "\"max_us\":%.1f,\"max_rss_kb\":%ld,\"median_rss_kb\":%ld,\"median_minflt\":%ld,"
           "\"output_bytes\":%zu,\"failures\":%ld}\n",
           n, t[n / 2], t[n / 10], t[(n * 9) / 10], t[0], t[n - 1], max_rss, rss[n / 2],
           flt[n / 2], out_bytes, failures);
    free(t);
    free(flt);
    free(rss);
    return failures ? 1 : 0;
}
