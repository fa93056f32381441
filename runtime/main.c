/*
 * main.c — the driver of every generated workflow binary.
 *
 *   ./workflow [--input JSON | --input-file F] [--resources F] [--mocks F]
 *              [--time-scale X] [--pretty]
 *
 * Reads the execution input (stdin by default), runs one execution of the
 * compiled state machine and prints its output JSON.  Exit status: 0 on
 * success; 1 when the execution failed, with {"Error":...,"Cause":...} as
 * the only line on stderr; 2 for unusable input or options.
 *
 * The execution runs on a thread with a large stack: compiled states call
 * each other, and deeply nested input is walked recursively.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const asl_program asl_main_program;

int main(int argc, char **argv)
{
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
            "Exit status: 0 success, 1 the execution failed ({\"Error\",\"Cause\"} on stderr),\n"
            "2 invalid input or options.\n",
            argv0);
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = asl_xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        cap *= 2;
        buf = asl_xrealloc(buf, cap);
    }
    *len = n;
    return buf;
}

static void print_error_line(const char *error, const char *cause)
{
    asl_arena *a = asl_arena_new();
    asl_value *o = asl_object(a, 2);
    if (error) asl_object_append(a, o, "Error", 5, asl_cstring(a, error));
    if (cause) asl_object_append(a, o, "Cause", 5, asl_cstring(a, cause));
    fprintf(stderr, "%s\n", asl_json_string(a, o, NULL));
    asl_arena_free(a);
}

static void *run_job(void *arg)
{
    job *j = arg;
    asl_run run;
    memset(&run, 0, sizeof run);
    run.prog = j->prog;
    run.arena = asl_arena_new();
    run.time_scale = j->time_scale;
    run.events = 1; /* ExecutionStarted */
    pthread_mutex_init(&run.lock, NULL);

    asl_json_error jerr;
    run.input = asl_json_parse(run.arena, j->input_text, j->input_len, &jerr);
    if (!run.input) {
        fprintf(stderr, "%s:%d:%d: invalid input JSON: %s\n", j->input_name, jerr.line, jerr.col,
                jerr.msg);
        j->status = 2;
        goto out;
    }

    asl_buf msg;
    asl_buf_init(&msg);
    if (!asl_tasks_bind(&run, j->resources, j->mocks, &msg)) {
        fprintf(stderr, "%.*s\n", (int)msg.len, msg.data);
        asl_buf_free(&msg);
        j->status = 2;
        goto out;
    }
    asl_buf_free(&msg);

    if (!asl_uuid4(run.exec_name)) snprintf(run.exec_name, sizeof run.exec_name, "local");
    run.sm_id = asl_sprintf(run.arena, "arn:aws:states:us-east-1:123456789012:stateMachine:%s",
                            j->prog->name);
    run.exec_id = asl_sprintf(run.arena, "arn:aws:states:us-east-1:123456789012:execution:%s:%s",
                              j->prog->name, run.exec_name);
    asl_now_iso(run.start_time);
    /* With delays skipped (time scale 0) there is no clock to time out on. */
    if (j->prog->timeout > 0 && j->time_scale > 0)
        run.deadline = asl_now_monotonic() + j->prog->timeout * j->time_scale;

    asl_exec top;
    memset(&top, 0, sizeof top);
    top.arena = asl_arena_new();
    top.run = &run;
    asl_value *out = j->prog->start(&top, run.input);
    if (out) {
        asl_buf b;
        asl_buf_init(&b);
        if (j->pretty) asl_json_write_pretty(&b, out);
        else asl_json_write(&b, out);
        asl_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        asl_buf_free(&b);
        j->status = 0;
    } else {
        print_error_line(top.err, top.cause);
        j->status = 1;
    }
    asl_arena_free(top.arena);
out:
    pthread_mutex_destroy(&run.lock);
    asl_arena_free(run.arena);
    return NULL;
}

int asl_program_main(const asl_program *p, int argc, char **argv)
{
    job j;
    memset(&j, 0, sizeof j);
    j.prog = p;
    j.input_name = "<stdin>";
    j.time_scale = 1.0;
    const char *env = getenv("ASL_TIME_SCALE");
    if (env && *env) j.time_scale = strtod(env, NULL);
    char *owned = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, argv[0]);
            return 0;
        } else if (!strcmp(a, "--pretty")) {
            j.pretty = true;
        } else if (!val) {
            fprintf(stderr, "%s: unknown option or missing value: %s (see --help)\n", argv[0], a);
            return 2;
        } else if (!strcmp(a, "--input")) {
            j.input_text = val;
            j.input_len = strlen(val);
            j.input_name = "--input";
            i++;
        } else if (!strcmp(a, "--input-file")) {
            FILE *f = fopen(val, "rb");
            if (!f) {
                fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], val, strerror(errno));
                return 2;
            }
            free(owned);
            owned = read_all(f, &j.input_len);
            fclose(f);
            j.input_text = owned;
            j.input_name = val;
            i++;
        } else if (!strcmp(a, "--resources")) {
            j.resources = val;
            i++;
        } else if (!strcmp(a, "--mocks")) {
            j.mocks = val;
            i++;
        } else if (!strcmp(a, "--time-scale")) {
            char *end;
            j.time_scale = strtod(val, &end);
            if (*end || j.time_scale < 0) {
                fprintf(stderr, "%s: --time-scale needs a number >= 0\n", argv[0]);
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "%s: unknown option: %s (see --help)\n", argv[0], a);
            return 2;
        }
    }
    if (!j.input_text) {
        owned = read_all(stdin, &j.input_len);
        j.input_text = owned;
    }
    /* The constants live as long as the executions that use them. */
    asl_arena *consts = asl_arena_new();
    if (p->init) p->init(consts);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)512 << 20);
    pthread_t t;
    if (pthread_create(&t, &attr, run_job, &j) != 0) run_job(&j);
    else pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    asl_arena_free(consts);
    free(owned);
    fflush(stdout);
    return j.status;
}
