/*
 * main.c — the driver of every generated workflow binary.
 *
 *   ./workflow [--input JSON | --input-file F] [--resources F] [--mocks F]
 *              [--time-scale X] [--pretty] [--bench N] [--history FILE]
 *
 * Reads the execution input (stdin by default), runs one execution of the
 * compiled state machine and prints its output JSON.  Exit status: 0 on
 * success; 1 when the execution failed, with {"Error":...,"Cause":...} as
 * the only line on stderr; 2 for unusable input or options; 3 when the
 * output could not be written (every write, the flush and the close are
 * checked); 128+N after signal N (children.c).  docs/runtime-limits.md.
 *
 * The execution runs on a large stack (bigstack.c): compiled states call
 * each other, and deeply nested input is walked recursively.
 *
 * --bench N (runtime/bench.c) runs N executions of the same input in this
 * process after a warm-up and prints timings as one JSON object instead of
 * the output; the input is read once and parsed again by every execution.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "history.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const asl_program asl_main_program;

/* runtime/bench.c: times n calls of one_exec (after a warm-up) and prints the
 * JSON summary; returns the exit status (that of a failed execution, if any). */
typedef int (*asl_bench_exec_fn)(void *ctx, asl_buf *out, uint64_t *transitions);
int asl_bench_run(long n, asl_bench_exec_fn one_exec, void *ctx);

/* runtime/lambda_rt.c, linked in by aslc --target lambda only (build.c). */
int asl_lambda_main(const asl_program *p, int argc, char **argv) __attribute__((weak));

int main(int argc, char **argv)
{
    if (asl_lambda_main) return asl_lambda_main(&asl_main_program, argc, argv);
    return asl_program_main(&asl_main_program, argc, argv);
}

typedef struct {
    const asl_program *prog;
    const char *input_text;
    size_t input_len;
    const char *input_name;
    const char *resources, *mocks;
    double time_scale;
    bool pretty;
    int status;
    int write_errno;           /* writing the output failed with this */
    long bench;                /* --bench N: N timed executions, 0 = run once */
    const char *history;       /* --history FILE: the execution's events (history.c), or NULL */
    const char *report;        /* --report FILE.html: the page drawn from them (report.c), or NULL */
    bool progress;             /* stderr is a terminal, no --quiet: the progress line (progress.c) */
    bool record;               /* history, report or progress: the states report their entries */
    asl_progress *line;        /* the progress line drawn while an execution runs, or NULL */
    asl_binding *bindings;     /* --bench: bound once, shared by the executions */
    int serve_fd;              /* ASL_SERVE_FD: run by aslc serve (served.c), else -1 */
    bool durable;              /* ASL_SERVE_DURABLE=1: a Standard execution */
    const char *resume;        /* --resume FILE: continue from aslc serve's checkpoint */
} job;

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s [options]\n"
            "Runs one execution of the compiled state machine; the input JSON is read\n"
            "from stdin unless given.\n"
            "  --input JSON        the execution input\n"
            "  --input-file FILE   read the execution input from FILE\n"
            "  --resources FILE    bind Task resources (overrides the compiled-in file)\n"
            "  --mocks FILE        mock Task results by state name (overrides the compiled-in file)\n"
            "  --time-scale X      multiply Wait and Retry delays by X (0 skips them);\n"
            "                      also the environment variable ASL_TIME_SCALE\n"
            "  --pretty            indent the output\n"
            "  --quiet             no progress line on a terminal's stderr\n"
            "  --history FILE      write the execution's events to FILE, one JSON object a\n"
            "                      line, as GetExecutionHistory returns them (docs/history.md)\n"
            "  --report FILE.html  write a page about the execution: the graph coloured by\n"
            "                      what happened, each state's input, output, error, retries\n"
            "                      and timings, the events (docs/history.md)\n"
            "  --resume FILE       (aslc serve) continue an execution from its checkpoint\n"
            "  --bench N           run N executions after a warm-up and print their\n"
            "                      timings as JSON (exec_per_s, p50_us, ..., output)\n"
            "Exit status: 0 success, 1 the execution failed ({\"Error\",\"Cause\"} on stderr),\n"
            "2 invalid input or options, 3 the output could not be written, 128+N killed\n"
            "by signal N (SIGTERM, SIGINT, SIGHUP, SIGQUIT; docs/runtime-limits.md).\n",
            argv0);
}

/* The execution input from f, at most limit bytes: reading stops at
 * limit + 1 (enough to know it is too long), so `./wf < /dev/zero` is
 * refused at once rather than read until memory runs out.  A regular file
 * is read into a buffer of its size (plus one byte, to see the end) mapped
 * in at once: growing the buffer and copying it cost a cold start of a big
 * input more than parsing it.  NULL, with a message printed, when f cannot
 * be read or is too long; *status is then the exit status. */
static char *read_input(FILE *f, const char *argv0, const char *name, size_t limit, size_t *len,
                        int *status)
{
    size_t cap = 1 << 16, n = 0;
    struct stat st;
    bool have_st = fstat(fileno(f), &st) == 0;
    *status = 2;
    if (have_st && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: cannot read the input from %s: it is a directory\n", argv0, name);
        return NULL;
    }
    bool sized = have_st && S_ISREG(st.st_mode) && st.st_size > 0 &&
                 (uint64_t)st.st_size < SIZE_MAX / 2;
    if (sized) cap = (size_t)st.st_size + 1;
    if (limit < SIZE_MAX && cap > limit + 1) cap = limit + 1;
    char *buf = asl_xmalloc(cap);
    if (sized) asl_prefault(buf, cap);   /* a pipe's input may use a page of the 64 KiB */
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (n > limit) break;
        cap = limit < SIZE_MAX && cap * 2 > limit + 1 ? limit + 1 : cap * 2;
        /* Only with ASL_PAYLOAD_LIMIT=off can this outgrow memory: a
         * refusal, not an abort. */
        char *more = cap > n ? realloc(buf, cap) : NULL;
        if (!more) {
            fprintf(stderr, "%s: cannot read the input from %s: more than %zu bytes, which do "
                    "not fit in memory\n", argv0, name, n);
            free(buf);
            return NULL;
        }
        buf = more;
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: cannot read the input from %s: %s\n", argv0, name, strerror(errno));
        free(buf);
        return NULL;
    }
    /* StartExecution takes at most 256 KiB of input text, counted in UTF-8
     * bytes as sent: AWS would not start this execution. */
    if (n > limit) {
        if (sized && (size_t)st.st_size > limit)
            fprintf(stderr,
                    "%s: the input is %zu bytes, more than the %d that Step Functions accepts "
                    "for an execution's input (ASL_PAYLOAD_LIMIT=off lifts the limit)\n",
                    name, (size_t)st.st_size, ASL_PAYLOAD_LIMIT);
        else
            fprintf(stderr,
                    "%s: the input is more than the %d bytes that Step Functions accepts for "
                    "an execution's input (ASL_PAYLOAD_LIMIT=off lifts the limit)\n",
                    name, ASL_PAYLOAD_LIMIT);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void print_error_line(const asl_exec *top)
{
    asl_arena *a = asl_arena_new();
    asl_value *o = asl_object(a, 2);
    if (top->err) asl_object_append_lit(a, o, "Error", 5, asl_string(a, top->err, top->err_len));
    if (top->cause)
        asl_object_append_lit(a, o, "Cause", 5, asl_string(a, top->cause, top->cause_len));
    fprintf(stderr, "%s\n", asl_json_string(a, o, NULL));
    asl_arena_free(a);
}

/* --history (history.c): every state entry takes asl_enter, which writes
 * the events; ExecutionStarted now, the last events and the file at the end
 * (the status becomes 3 when the file cannot be written). */
static __attribute__((noinline)) void history_begin(asl_run *run, asl_exec *top)
{
    run->hist = asl_hist_new();
    top->slow_enter = true;
    asl_hist_started(top, run->input);
}

static __attribute__((noinline)) int history_end(job *j, asl_run *run, asl_exec *top,
                                                 const asl_value *result, int status)
{
    asl_progress_stop(j->line);   /* erased before the output is printed */
    j->line = NULL;
    asl_hist_ended(top, result);
    if (j->history && !asl_hist_save(run->hist, j->history)) {
        fprintf(stderr, "cannot write the history to %s: %s\n", j->history, strerror(errno));
        status = 3;
    }
    size_t n;
    const char *lines = asl_hist_lines(run->hist, &n);
    if (j->report && !asl_report_save(j->report, j->prog->name, lines, n)) {
        fprintf(stderr, "cannot write the report to %s: %s\n", j->report, strerror(errno));
        status = 3;
    }
    asl_hist_free(run->hist);
    run->hist = NULL;
    return status;
}

/* --history, --report, the progress line: the states report their
 * entries through the history's hooks.  The progress line alone needs no
 * events, only what runs now: a history that keeps none
 * (asl_hist_new_live).  history_end ends it all, the line first. */
static __attribute__((noinline)) void record_begin(job *j, asl_run *run, asl_exec *top)
{
    if (j->history || j->report) {
        history_begin(run, top);
    } else {
        run->hist = asl_hist_new_live();
        top->slow_enter = true;
    }
    if (j->progress) j->line = asl_progress_start(run->hist, j->prog->name);
}

/* One execution of j's program: parses the input text, runs it and leaves
 * the output JSON (newline-terminated) in *out.  Returns the exit status:
 * 0; 1 with the {"Error","Cause"} line printed; 2 for invalid input or
 * bindings.  transitions (may be NULL) receives the states entered.  Called
 * once by run_job, or in a loop by --bench, which binds the tasks up front. */
static int execute(job *j, asl_buf *out, uint64_t *transitions)
{
    int status;
    asl_run run;
    memset(&run, 0, sizeof run);
    run.prog = j->prog;
    run.arena = asl_arena_new();
    run.time_scale = j->time_scale;
    run.events = 1; /* ExecutionStarted */
    run.lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER; /* cheaper than _init */

    asl_json_error jerr;
    run.input = asl_json_parse(run.arena, j->input_text, j->input_len, &jerr);
    if (!run.input) {
        fprintf(stderr, "%s:%d:%d: invalid input JSON: %s\n", j->input_name, jerr.line, jerr.col,
                jerr.msg);
        status = 2;
        goto out;
    }

    if (j->bindings) {
        /* Bound once for all the --bench executions, which run one after
         * another; mock counters (only in the per-site slots) restart with
         * each execution, as in a fresh process. */
        for (uint32_t i = 0; i < j->prog->nsites; i++) j->bindings[i].mock_next = 0;
        run.bindings = j->bindings;
    } else {
        asl_buf msg;
        asl_buf_init(&msg);
        if (!asl_tasks_bind(&run, j->resources, j->mocks, &msg)) {
            fprintf(stderr, "%.*s\n", (int)msg.len, msg.data);
            asl_buf_free(&msg);
            status = 2;
            goto out;
        }
        asl_buf_free(&msg);
    }

    /* The execution's name, ids and start time are formatted only if $$
     * reads them (asl_run_ids): most executions never do. */
    clock_gettime(CLOCK_REALTIME, &run.started);
    /* TimeoutSeconds in workflow time, whatever the time scale: real time
     * plus the delays the scale skipped (asl_sleep, docs/runtime-limits.md). */
    if (j->prog->timeout > 0) run.deadline = asl_now_monotonic() + j->prog->timeout;

    asl_exec top;
    asl_exec_top(&top, &run);
    asl_state_fn start = j->prog->start;
    asl_value *start_input = run.input;
    /* One test when nothing is recorded, as before any of it: the six
     * benchmark workloads run the same instructions (docs/benchmarks.md). */
    if (j->record) record_begin(j, &run, &top);
    else if (j->serve_fd >= 0) {
        asl_buf msg;
        asl_buf_init(&msg);
        if (!asl_served_begin(&run, &top, j->serve_fd, j->durable, j->resume, &start,
                              &start_input, &msg)) {
            fprintf(stderr, "%s: --resume: %.*s\n", j->input_name, (int)msg.len, msg.data);
            asl_buf_free(&msg);
            asl_hist_free(run.hist);
            status = 2;
            goto out;
        }
        asl_buf_free(&msg);
    }
    asl_value *result = start(&top, start_input);
    if (result) {
        if (j->pretty) asl_json_write_pretty(out, result);
        else asl_json_write(out, result);
        asl_buf_putc(out, '\n');
        status = 0;
    } else {
        if (j->line) {   /* erased before the error line */
            asl_progress_stop(j->line);
            j->line = NULL;
        }
        print_error_line(&top);
        status = 1;
    }
    if (j->serve_fd >= 0 && !j->history) asl_served_end(&run, &top, result);
    else if (run.hist) status = history_end(j, &run, &top, result, status);
out:
    if (transitions) *transitions = run.transitions;
    pthread_mutex_destroy(&run.lock);
    asl_run_free_ids(&run);
    asl_arena_free(run.arena);
    return status;
}

static int bench_exec(void *ctx, asl_buf *out, uint64_t *transitions)
{
    return execute(ctx, out, transitions);
}

/* --bench: checks the input and binds the tasks once (same errors, same
 * order as a single run), then hands the loop to runtime/bench.c. */
static int bench_job(job *j)
{
    asl_run proto;
    memset(&proto, 0, sizeof proto);
    proto.prog = j->prog;
    proto.arena = asl_arena_new();
    int status = 2;
    asl_json_error jerr;
    if (!asl_json_parse(proto.arena, j->input_text, j->input_len, &jerr)) {
        fprintf(stderr, "%s:%d:%d: invalid input JSON: %s\n", j->input_name, jerr.line, jerr.col,
                jerr.msg);
        goto out;
    }
    asl_buf msg;
    asl_buf_init(&msg);
    if (!asl_tasks_bind(&proto, j->resources, j->mocks, &msg)) {
        fprintf(stderr, "%.*s\n", (int)msg.len, msg.data);
        asl_buf_free(&msg);
        goto out;
    }
    asl_buf_free(&msg);
    j->bindings = proto.bindings;
    status = asl_bench_run(j->bench, bench_exec, j);
out:
    asl_arena_free(proto.arena);
    return status;
}

static void run_job(void *arg)
{
    job *j = arg;
    if (j->bench > 0) {
        j->status = bench_job(j);
        return;
    }
    asl_buf out;
    asl_buf_init(&out);
    j->status = execute(j, &out, NULL);
    if (out.len) {
        /* From here a signal no longer stops the binary: the output goes
         * out whole or not at all (children.c). */
        asl_children_output_started();
        if (fwrite(out.data, 1, out.len, stdout) != out.len) j->write_errno = errno ? errno : EIO;
    }
    asl_buf_free(&out);
}

/* --time-scale / ASL_TIME_SCALE: a finite number from 0 to TIME_SCALE_MAX.
 * "nan", "inf", "-1", "1e300" or "abc" are refused rather than taken as 0
 * or as an endless wait. */
#define TIME_SCALE_MAX 1e6
static bool parse_time_scale(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v < 0 || v > TIME_SCALE_MAX)
        return false;
    *out = v == 0 ? 0 : v;  /* -0 is 0 */
    return true;
}

/* The output is the point of the run: a write that fails (a full disk,
 * /dev/full, a closed stdout) is an error, not a success with the result
 * lost.  Returns the exit status. */
static int finish_output(const char *argv0, int status, int write_errno)
{
    if (fflush(stdout) != 0 && !write_errno) write_errno = errno ? errno : EIO;
    if (ferror(stdout) && !write_errno) write_errno = EIO;
    if (fclose(stdout) != 0 && !write_errno && status == 0) write_errno = errno ? errno : EIO;
    if (!write_errno) return status;
    fprintf(stderr, "%s: cannot write the output: %s\n", argv0, strerror(write_errno));
    return 3;
}

int asl_program_main(const asl_program *p, int argc, char **argv)
{
    job j;
    memset(&j, 0, sizeof j);
    j.prog = p;
    j.input_name = "<stdin>";
    j.time_scale = 1.0;
    j.serve_fd = -1;
    const char *serve_fd = getenv("ASL_SERVE_FD");
    if (serve_fd && *serve_fd) {
        j.serve_fd = atoi(serve_fd);
        const char *d = getenv("ASL_SERVE_DURABLE");
        j.durable = d && !strcmp(d, "1");
    }
    bool scale_set = false, quiet = false;
    char *owned = NULL;
    size_t limit = asl_payload_unlimited() ? SIZE_MAX : ASL_PAYLOAD_LIMIT;
    int status;

    /* A closed stdout would be taken by the next descriptor opened (an
     * input file, a pipe to a handler) and the output written into it; and
     * the result would be lost: the run is refused before it starts. */
    if (fcntl(1, F_GETFD) < 0 && errno == EBADF) {
        fprintf(stderr, "%s: cannot write the output: standard output is closed\n", argv[0]);
        return 3;
    }

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, argv[0]);
            free(owned);
            return finish_output(argv[0], 0, 0);
        } else if (!strcmp(a, "--pretty")) {
            j.pretty = true;
        } else if (!strcmp(a, "--quiet")) {
            quiet = true;
        } else if (!val) {
            fprintf(stderr, "%s: unknown option or missing value: %s (see --help)\n", argv[0], a);
            free(owned);
            return 2;
        } else if (!strcmp(a, "--input")) {
            free(owned);
            owned = NULL;
            j.input_text = val;
            j.input_len = strlen(val);
            j.input_name = "--input";
            i++;
        } else if (!strcmp(a, "--input-file")) {
            FILE *f = fopen(val, "rb");
            if (!f) {
                fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], val, strerror(errno));
                free(owned);
                return 2;
            }
            free(owned);
            owned = read_input(f, argv[0], val, limit, &j.input_len, &status);
            fclose(f);
            if (!owned) return status;
            j.input_text = owned;
            j.input_name = val;
            i++;
        } else if (!strcmp(a, "--resources")) {
            j.resources = val;
            i++;
        } else if (!strcmp(a, "--mocks")) {
            j.mocks = val;
            i++;
        } else if (!strcmp(a, "--history")) {
            j.history = val;
            i++;
        } else if (!strcmp(a, "--report")) {
            j.report = val;
            i++;
        } else if (!strcmp(a, "--resume")) {
            j.resume = val;
            i++;
        } else if (!strcmp(a, "--bench")) {
            char *end;
            j.bench = strtol(val, &end, 10);
            if (*end || j.bench < 1) {
                fprintf(stderr, "%s: --bench needs a number of executions >= 1\n", argv[0]);
                free(owned);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--time-scale")) {
            if (!parse_time_scale(val, &j.time_scale)) {
                fprintf(stderr, "%s: --time-scale needs a number from 0 to %g, not \"%s\"\n",
                        argv[0], TIME_SCALE_MAX, val);
                free(owned);
                return 2;
            }
            scale_set = true;
            i++;
        } else {
            fprintf(stderr, "%s: unknown option: %s (see --help)\n", argv[0], a);
            free(owned);
            return 2;
        }
    }
    const char *env = getenv("ASL_TIME_SCALE");
    if (!scale_set && env && *env && !parse_time_scale(env, &j.time_scale)) {
        fprintf(stderr, "%s: ASL_TIME_SCALE needs a number from 0 to %g, not \"%s\"\n", argv[0],
                TIME_SCALE_MAX, env);
        free(owned);
        return 2;
    }
    if (!j.input_text) {
        owned = read_input(stdin, argv[0], j.input_name, limit, &j.input_len, &status);
        if (!owned) return status;
        j.input_text = owned;
    }
    /* --input's text, under the same 256 KiB limit (read_input checked the others). */
    if (j.input_len > limit) {
        fprintf(stderr,
                "%s: the input is %zu bytes, more than the %d that Step Functions accepts for "
                "an execution's input (ASL_PAYLOAD_LIMIT=off lifts the limit)\n",
                j.input_name, j.input_len, ASL_PAYLOAD_LIMIT);
        free(owned);
        return 2;
    }
    /* The constants live as long as the executions that use them. */
    asl_arena *consts = asl_arena_new();
    if (p->init) p->init(consts);

    /* The progress line only where someone watches it: one isatty per
     * process, nothing per state when it is off. */
    j.progress = !quiet && j.bench == 0 && isatty(2);
    j.record = j.history || j.report || j.progress;
    asl_run_on_big_stack(run_job, &j, asl_exec_stack_size());
    asl_linked_wait();   /* state machines a Task started (--link) end before the binary */
    asl_arena_free(consts);
    free(owned);
    return finish_output(argv[0], j.status, j.write_errno);
}
