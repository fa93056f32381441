/*
 * parquet_read.c — how fast a Distributed Map's ItemReader turns a Parquet
 * file into items (runtime/parquet.c), next to the same rows as JSON Lines
 * (runtime/csv.c's asl_jsonl_parse): the reader alone, no Map run.
 *
 *   parquet_read FILE.parquet [RUNS]
 *
 * Reads FILE RUNS times (default 5) into a fresh arena each, then writes
 * its rows as JSON Lines in memory and parses those RUNS times; prints the
 * median of each as {"rows", "parquet_bytes", "parquet_ms", "jsonl_bytes",
 * "jsonl_ms"}.  bench/parquet_read.sh makes the file and builds this.
 */
#include "itemio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: parquet_read FILE.parquet [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1 || runs > 100) runs = 5;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return perror(argv[1]), 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    unsigned char *d = malloc((size_t)n);
    if (!d || fread(d, 1, (size_t)n, f) != (size_t)n) return fprintf(stderr, "cannot read %s\n", argv[1]), 1;
    fclose(f);
    double pq[100], jl[100];
    uint32_t rows = 0;
    asl_buf jsonl;
    asl_buf_init(&jsonl);
    for (int r = 0; r < runs; r++) {
        asl_arena *a = asl_arena_new();
        asl_value *into = asl_array(a, 1024);
        char err[256];
        double t0 = now_ms();
        if (!asl_pq_read(a, d, (size_t)n, 100000000, into, err, sizeof err))
            return fprintf(stderr, "parquet_read: %s\n", err), 1;
        pq[r] = now_ms() - t0;
        rows = into->len;
        if (r == 0)
            for (uint32_t i = 0; i < into->len; i++) {
                const char *line = asl_json_string(a, into->u.a.items[i], NULL);
                asl_buf_put(&jsonl, line, strlen(line));
                asl_buf_putc(&jsonl, '\n');
            }
        asl_arena_free(a);
    }
    for (int r = 0; r < runs; r++) {
        asl_arena *a = asl_arena_new();
        uint32_t line;
        asl_json_error jerr;
        double t0 = now_ms();
        asl_value *v = asl_jsonl_parse(a, jsonl.data, jsonl.len, &line, &jerr);
        jl[r] = now_ms() - t0;
        if (!v || v->len != rows) return fprintf(stderr, "parquet_read: the JSON Lines do not read back\n"), 1;
        asl_arena_free(a);
    }
    qsort(pq, (size_t)runs, sizeof *pq, cmp);
    qsort(jl, (size_t)runs, sizeof *jl, cmp);
    printf("{\"rows\": %u, \"parquet_bytes\": %ld, \"parquet_ms\": %.1f, \"jsonl_bytes\": %zu, \"jsonl_ms\": %.1f}\n",
           rows, n, pq[runs / 2], jsonl.len, jl[runs / 2]);
    asl_buf_free(&jsonl);
    free(d);
    return 0;
}
