/*
 * embed.c — the compiled program as a library (asl_embed.h): what a shared
 * object built with `aslc --target shared` exports, for `aslc serve` to run
 * Express executions on its own threads (docs/serve.md).
 *
 * An execution here is main.c's execute() without the process around it:
 * the constants are built and the Tasks bound once, at the first call; each
 * execution copies the per-site binding slots (their mock counters restart
 * with every execution, as in a fresh process) and is otherwise alone with
 * its arena.  The runtime keeps no process-wide mutable state an execution
 * depends on (STYLE.md), so executions run at once on any threads; the one
 * process-wide part, children.c's signal forwarding, is turned off: the
 * host's signals stay the host's.  What a process gave for free is the
 * caller's: the stack (stack_size), and that a crash in a workflow's
 * handlers takes the caller with it.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "asl_embed.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const asl_program asl_main_program;

static struct {
    pthread_once_t once;
    asl_arena *consts;         /* the program's constants, for the life of the process */
    asl_run proto;             /* its arena holds the bindings made once */
    const char *why;           /* why the bindings did not bind (malloc'd, kept) */
    double time_scale;
    asl_embed_api api;
} lib = {.once = PTHREAD_ONCE_INIT};

static int embed_run(asl_embed_call *c);

static void lib_init(void)
{
    const asl_program *p = &asl_main_program;
    asl_children_embedded();   /* SIGTERM stops the server, not a handler's run */
    lib.consts = asl_arena_new();
    if (p->init) p->init(lib.consts);
    lib.proto.prog = p;
    lib.proto.arena = asl_arena_new();
    asl_buf msg;
    asl_buf_init(&msg);
    if (!asl_tasks_bind(&lib.proto, NULL, NULL, &msg)) {
        /* kept for the life of the process, as the library is */
        asl_buf_putc(&msg, '\0');
        lib.why = msg.data;
    } else {
        asl_buf_free(&msg);
    }
    lib.time_scale = 1.0;
    const char *ts = getenv("ASL_TIME_SCALE");
    if (ts && *ts) {
        char *end;
        double v = strtod(ts, &end);
        if (!*end && isfinite(v) && v >= 0 && v <= 1e6) lib.time_scale = v;
    }
    lib.api.version = ASL_EMBED_VERSION;
    lib.api.run = embed_run;
    lib.api.stack_size = asl_exec_stack_size();
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int embed_run(asl_embed_call *c)
{
    const asl_program *p = &asl_main_program;
    asl_run run;
    memset(&run, 0, sizeof run);
    run.prog = p;
    run.arena = asl_arena_new();
    run.time_scale = lib.time_scale;
    run.events = 1; /* ExecutionStarted */
    run.lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    run.given_exec_arn = c->exec_arn;
    run.given_sm_arn = c->sm_arn;
    /* The per-site slots and the table after them (task.c), copied: only
     * the slots' mock counters change during an execution. */
    size_t nb = (size_t)p->nsites + 1;
    run.bindings = asl_alloc(run.arena, nb * sizeof *run.bindings);
    memcpy(run.bindings, lib.proto.bindings, nb * sizeof *run.bindings);
    for (uint32_t i = 0; i < p->nsites; i++) run.bindings[i].mock_next = 0;
    c->output = c->error = c->cause = NULL;

    int status;
    asl_json_error jerr;
    run.input = asl_json_parse(run.arena, c->input, c->input_len, &jerr);
    if (!run.input) {
        /* no execution: aslc serve's InvalidExecutionInput */
        c->error = strdup("States.Runtime");
        c->cause = dup_or_null(asl_sprintf(run.arena, "invalid input JSON at %d:%d: %s",
                                           jerr.line, jerr.col, jerr.msg));
        status = 2;
        goto out;
    }
    clock_gettime(CLOCK_REALTIME, &run.started);
    if (p->timeout > 0) run.deadline = asl_now_monotonic() + p->timeout;
    asl_exec top;
    asl_exec_top(&top, &run);
    asl_value *result = p->start(&top, run.input);
    if (result) {
        asl_buf out;
        asl_buf_init(&out);
        asl_json_write(&out, result);
        asl_buf_putc(&out, '\0');
        c->output = out.data;   /* handed over: the caller frees it */
        status = 0;
    } else {
        c->error = strdup(top.err ? top.err : "States.Runtime");
        c->cause = dup_or_null(top.cause);
        status = 1;
    }
out:
    pthread_mutex_destroy(&run.lock);
    asl_run_free_ids(&run);
    asl_arena_free(run.arena);
    return status;
}

__attribute__((visibility("default"))) const asl_embed_api *asl_embed(const char **why)
{
    pthread_once(&lib.once, lib_init);
    if (lib.why) {
        if (why) *why = lib.why;
        return NULL;
    }
    return &lib.api;
}
