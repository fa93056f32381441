/*
 * served.c — a workflow binary run by `aslc serve` (compiler/serve_run.c).
 *
 * The server passes an inherited socket as ASL_SERVE_FD: the execution's
 * history events go out on it one by one as history.c makes them, and for a
 * Standard execution (ASL_SERVE_DURABLE=1) each waits until the server has
 * recorded it, with the checkpoint of every top-level state before its
 * StateEntered.  After a restart the server runs the binary again with
 * --resume FILE, that checkpoint: the state's name, its recorded input, the
 * variables, the history's position and how long a Wait had waited; the
 * execution continues in that state without entering it again.  With it
 * may come the outcome of a Task attempt made before the restart
 * (asl_served_replay) and the results of a top-level fan-out's finished
 * units (asl_served_unit, in each run a Retry made), neither run again,
 * and the recorded events of its units that were running, which those
 * replay (history.c): their Task attempts' outcomes are taken from them
 * (replay_unit_task), and a unit its run's failure had stopped stops again
 * where its events end.  JSONata's time and draws come from here too
 * (asl_served_jn_clock), so that a replay evaluates as before.
 *
 * Nothing of this runs unless ASL_SERVE_FD is set (main.c reads it once),
 * so a plain binary pays nothing.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "history.h"
#include "vars.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checkpoint's "replay": the outcome of the Task attempt recorded
 * after the state's StateEntered ({"outcome": "started" | "succeeded" |
 * "failed", "output" | "error", "cause"}), for the first Task call of the
 * resumed top-level state; taken once. */
static const asl_value *replay;
/* The replay's "retried": the errors of the attempts a Retry took, for the
 * attempt counts of the state's first asl_retry after the restart. */
static const asl_value *retried;
static uint64_t retried_entered;
/* The resumed top-level state's recorded entry (seconds since the epoch),
 * what a resumed Wait counts from; 0: unknown. */
static double resume_entered_at;

/* The checkpoint's "fan": a top-level Parallel or Map resumed in the middle
 * ({"started", "cursor", "done": [{"started", "index", "result"}], "live",
 * "own"}): the results of its finished units, by the run of the fan-out
 * they were in (its first run's start, or a Retry's run's) and index, for
 * those runs when they are made again after the restart. */
typedef struct {
    uint64_t started;          /* the run's ...StateStarted (MapRunStarted) id */
    uint32_t count;            /* results[0..count): NULL where not finished */
    const asl_value **results;
} done_run;
static done_run *done_runs;
static uint32_t done_nruns;

static const char *str_of(const asl_value *o, const char *k);

static double num_of(const asl_value *o, const char *k)
{
    const asl_value *v = asl_object_get(o, k, strlen(k));
    return v && v->type == ASL_NUMBER ? v->u.n.num : 0;
}

/* A "done" entry's run: its "started", else the first run's (first). */
static uint64_t run_started(const asl_value *d, uint64_t first)
{
    uint64_t s = (uint64_t)num_of(d, "started");
    return s ? s : first;
}

/* The run of started in done_runs, made if new. */
static done_run *run_of(asl_arena *a, const asl_value *done, uint64_t first, uint64_t started)
{
    for (uint32_t r = 0; r < done_nruns; r++)
        if (done_runs[r].started == started) return &done_runs[r];
    done_run *d = &done_runs[done_nruns++];
    d->started = started;
    d->count = 0;   /* the arena's memory is not zeroed */
    for (uint32_t i = 0; i < done->len; i++) {
        double k = num_of(done->u.a.items[i], "index");
        if (run_started(done->u.a.items[i], first) == started && k >= 0 && k < 1e7 &&
            (uint32_t)k + 1 > d->count)
            d->count = (uint32_t)k + 1;
    }
    d->results = asl_alloc(a, (d->count ? d->count : 1) * sizeof *d->results);
    memset(d->results, 0, (d->count ? d->count : 1) * sizeof *d->results);
    return d;
}

static void resume_fan(asl_run *run, asl_exec *top, const asl_value *fan)
{
    const asl_value *done = asl_object_get(fan, "done", 4);
    uint64_t first = (uint64_t)num_of(fan, "started");
    if (done && done->type == ASL_ARRAY && done->len) {
        done_runs = asl_alloc(run->arena, done->len * sizeof *done_runs);
        for (uint32_t i = 0; i < done->len; i++) {
            const asl_value *d = done->u.a.items[i];
            double k = num_of(d, "index");
            const asl_value *r = asl_object_get(d, "result", 6);
            done_run *dr = run_of(run->arena, done, first, run_started(d, first));
            if (k >= 0 && k < dr->count && r) dr->results[(uint32_t)k] = r;
        }
    }
    asl_hist_resume_fan(run->hist, first, (uint64_t)num_of(fan, "cursor"));
    /* the units that were running: each replays its recorded events */
    const asl_value *live = asl_object_get(fan, "live", 4);
    if (live && live->type == ASL_ARRAY && live->len) {
        asl_hist_resume_units(run->hist, live, run->time_scale);
        run->unit_replay = true;
    }
    /* a Retry's later runs: their starts replayed by the state itself */
    const asl_value *own = asl_object_get(fan, "own", 3);
    if (own && own->type == ASL_ARRAY && own->len) {
        asl_hist_replay_own(top, own);
        run->unit_replay = true;
    }
}

/* --resume FILE: the state's function and input, with the run set up as
 * the checkpoint says.  false with a message in err. */
static bool resume(asl_run *run, asl_exec *top, const char *path, asl_state_fn *fn,
                   asl_value **input, asl_buf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        asl_buf_printf(err, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    asl_buf text;
    asl_buf_init(&text);
    bool read = asl_buf_read_stream(&text, f);
    fclose(f);
    asl_json_error jerr;
    asl_value *c = read && text.len ? asl_json_parse(run->arena, text.data, text.len, &jerr) : NULL;
    asl_buf_free(&text);
    const asl_value *name = c && c->type == ASL_OBJECT ? asl_object_get(c, "state", 5) : NULL;
    if (!name || name->type != ASL_STRING) {
        asl_buf_printf(err, "%s is no checkpoint", path);
        return false;
    }
    const asl_program *p = run->prog;
    *fn = NULL;
    for (uint32_t i = 0; i < p->nstates; i++)
        if (!strcmp(p->state_names[i], name->u.str)) *fn = p->state_fns[i];
    if (!*fn) {
        asl_buf_printf(err, "no top-level state %s to resume", name->u.str);
        return false;
    }
    *input = asl_object_get(c, "input", 5);
    if (!*input) *input = asl_const(run->arena, "null");
    const asl_value *vars = asl_object_get(c, "vars", 4);
    if (vars && vars->type == ASL_OBJECT && vars->len) {
        const char **names = asl_alloc(run->arena, vars->len * sizeof *names);
        asl_value **vals = asl_alloc(run->arena, vars->len * sizeof *vals);
        for (uint32_t i = 0; i < vars->len; i++) {
            names[i] = vars->u.o.members[i].key;
            vals[i] = vars->u.o.members[i].val;
        }
        if (!asl_vars_assign(top, vars->len, names, vals)) {
            asl_buf_printf(err, "cannot restore the variables: %s", top->cause ? top->cause : "");
            return false;
        }
    }
    double started = num_of(c, "started");
    if (started > 0) {
        run->started.tv_sec = (time_t)started;
        run->started.tv_nsec = (long)((started - (double)(time_t)started) * 1e9);
    }
    /* real seconds the Wait already waited, in workflow seconds */
    double waited = num_of(c, "waited");
    run->resume_waited = run->time_scale > 0 ? waited / run->time_scale : 0;
    /* ... counted, when the Wait runs, from its recorded entry: it ends
     * when it would have without the restart, however long the server took
     * to plan it and this process to start (asl_served_waited) */
    const char *et = str_of(c, "entered_time");
    double at;
    if (et && asl_timestamp_parse(et, strlen(et), &at) && at > 0 && run->time_scale > 0) {
        resume_entered_at = at;
        if (run->resume_waited <= 0) run->resume_waited = 1e-9;   /* (a Wait to shorten) */
    }
    const asl_value *rp = asl_object_get(c, "replay", 6);
    if (rp && rp->type == ASL_OBJECT) {
        replay = rp;
        const asl_value *t = asl_object_get(rp, "retried", 7);
        if (t && t->type == ASL_ARRAY && t->len) {
            retried = t;
            retried_entered = (uint64_t)num_of(c, "entered");
        }
    }
    const char *seed = str_of(c, "seed");
    if (seed && strlen(seed) == 32) asl_hist_seed(run->hist, seed);
    const asl_value *fan = asl_object_get(c, "fan", 3);
    if (fan && fan->type == ASL_OBJECT) resume_fan(run, top, fan);
    uint64_t last = (uint64_t)num_of(c, "last");
    run->events = last;
    asl_hist_resume(run->hist, last, (uint64_t)num_of(c, "entered"), (uint64_t)num_of(c, "prev"),
                    (uint64_t)num_of(c, "child_last"), str_of(c, "entered_time"));
    return true;
}

bool asl_served_begin(asl_run *run, asl_exec *top, int fd, bool durable, const char *resume_path,
                      asl_state_fn *fn, asl_value **input, asl_buf *err)
{
    run->hist = asl_hist_new();
    /* not for the processes of the Task handlers: the channel must close
     * when this process ends */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    asl_hist_channel(run->hist, fd, durable);
    top->slow_enter = true;
    if (resume_path) return resume(run, top, resume_path, fn, input, err);
    asl_hist_started(top, run->input);
    return true;
}

void asl_served_end(asl_run *run, asl_exec *top, const asl_value *result)
{
    asl_hist_ended(top, result);
    asl_hist_free(run->hist);
    run->hist = NULL;
}

double asl_served_waited(asl_exec *x)
{
    if (x->parent) return x->run->unit_replay ? asl_hist_replay_waited(x) : 0;
    /* a top-level fan-out's Retry interval whose next run's start is
     * recorded: it had passed */
    if (x->run->unit_replay && asl_hist_replay_waited(x) > 0) return ASL_SLEEP_MAX;
    double w = x->run->resume_waited;
    if (w > 0 && !x->parent) {
        x->run->resume_waited = 0;
        if (resume_entered_at > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
            w = now > resume_entered_at ? (now - resume_entered_at) / x->run->time_scale : 0;
        }
        return w;
    }
    return 0;
}

static const char *str_of(const asl_value *o, const char *k)
{
    const asl_value *v = asl_object_get(o, k, strlen(k));
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

/* An attempt that was running when the server stopped: a callback Task
 * waits again for its token; any other may or may not have done its work
 * and is not called again. */
static asl_value *interrupted(asl_exec *x, const asl_task_site *site, const asl_value *input,
                              double timeout, double heartbeat)
{
    const char *token = asl_served_callback(x, site, input, timeout, heartbeat);
    if (token) return asl_served_await(x, token, timeout, heartbeat);
    return asl_fail(x, "States.TaskFailed",
                    "aslc serve stopped while the task was running; it may or may not have "
                    "completed and is not called again unless a Retry matches this error");
}

/* AWS Standard runs a state once unless a Retry says otherwise: a Task
 * whose attempt was recorded is not called again by the restart.  Its
 * recorded outcome stands (no event again); one that was running when the
 * server stopped may or may not have done its work, so it fails with an
 * error Retry and Catch can take (States.TaskFailed, which States.ALL
 * matches).  A callback Task is not called but waited for: it waits again,
 * for the same token. */
/* The details of a recorded event: its member "...EventDetails". */
static const asl_value *details_of(const asl_value *ev)
{
    for (uint32_t i = 0; ev && ev->type == ASL_OBJECT && i < ev->len; i++) {
        const char *k = ev->u.o.members[i].key;
        size_t n = strlen(k);
        if (n > 12 && !strcmp(k + n - 12, "EventDetails")) return ev->u.o.members[i].val;
    }
    return NULL;
}

/* A Task attempt in a replaying unit (history.c, asl_hist_replay_task):
 * its recorded outcome again, numbered as before. */
static bool replay_unit_task(asl_exec *x, const asl_task_site *site, const asl_value *input,
                             double timeout, double heartbeat, asl_value **out)
{
    const asl_value *ev = NULL;
    int k = asl_hist_replay_task(x, &ev);
    /* a unit that its run's failure stopped before the Task was called or
     * while it ran: stopped again, not called nor failed */
    if (k != 1 && asl_hist_replay_closed(x)) {
        *out = NULL;
        asl_flow_stop(x);
        return true;
    }
    if (k == 0) return false;
    if (k == 1) {
        const asl_value *d = details_of(ev);
        const asl_value *t = asl_object_get(ev, "type", 4);
        size_t n = t && t->type == ASL_STRING ? strlen(t->u.str) : 0;
        if (n > 9 && !strcmp(t->u.str + n - 9, "Succeeded")) {
            const char *text = d ? str_of(d, "output") : NULL;
            asl_json_error jerr;
            *out = text ? asl_json_parse(x->arena, text, strlen(text), &jerr) : NULL;
            if (!*out) asl_fail(x, "States.Runtime", "the recorded output of the task is not JSON");
        } else {
            const char *e = d ? str_of(d, "error") : NULL;
            *out = asl_fail(x, e ? e : "", d ? str_of(d, "cause") : NULL);
        }
        asl_hist_task_end(x, site, *out);
        return true;
    }
    *out = interrupted(x, site, input, timeout, heartbeat);
    asl_hist_task_end(x, site, *out);
    return true;
}

bool asl_served_replay(asl_exec *x, const asl_task_site *site, const asl_value *input,
                       double timeout, double heartbeat, asl_value **out)
{
    if (x->parent)
        return x->run->unit_replay && replay_unit_task(x, site, input, timeout, heartbeat, out);
    if (!replay) return false;
    const asl_value *rp = __atomic_exchange_n(&replay, NULL, __ATOMIC_ACQ_REL);
    if (!rp) return false;
    const char *outcome = str_of(rp, "outcome");
    if (outcome && !strcmp(outcome, "succeeded")) {
        const char *text = str_of(rp, "output");
        asl_json_error jerr;
        *out = text ? asl_json_parse(x->arena, text, strlen(text), &jerr) : NULL;
        if (!*out) asl_fail(x, "States.Runtime", "the recorded output of the task is not JSON");
        return true;
    }
    if (outcome && !strcmp(outcome, "failed")) {
        const char *e = str_of(rp, "error");
        *out = asl_fail(x, e ? e : "", str_of(rp, "cause"));
        return true;
    }
    *out = interrupted(x, site, input, timeout, heartbeat);
    asl_hist_task_end(x, site, *out);
    return true;
}

asl_value *asl_served_unit(asl_exec *x, asl_exec *u, uint64_t started, uint32_t index)
{
    if (x->parent) return NULL;
    for (uint32_t r = 0; r < done_nruns; r++)
        if (done_runs[r].started == started)
            return index < done_runs[r].count && done_runs[r].results[index]
                       ? asl_value_copy(u->arena, done_runs[r].results[index])
                       : NULL;
    return NULL;
}

bool asl_served_draw(asl_exec *x, void *out, size_t n)
{
    /* (an exec with no run: a unit test's evaluation of an intrinsic) */
    return x->run && x->run->hist && asl_hist_draw(x, out, n);
}

/* jsonata_value.c's asl_jn_clock in a state of a durable execution (x):
 * the expression's $now()/$millis() (asl_hist_clock) and the seed of its
 * $random()/$uuid()/$shuffle() (a draw, as States.UUID()'s), both what
 * they were before a restart when the state is made again.  false
 * elsewhere: the real clock, a seed of it. */
bool asl_served_jn_clock(void *ux, int64_t *now_ms, uint64_t *rng)
{
    asl_exec *x = ux;
    uint64_t seed;
    if (!x->run || !x->run->hist || !asl_hist_draw(x, &seed, sizeof seed)) return false;
    *now_ms = asl_hist_clock(x);
    *rng = seed ? seed : 0x9E3779B97F4A7C15ULL;   /* xorshift's state must not be 0 */
    return true;
}

const asl_value *asl_served_retried(asl_exec *x)
{
    if (!retried || x->parent || x->entered_event != retried_entered) return NULL;
    return __atomic_exchange_n(&retried, NULL, __ATOMIC_ACQ_REL);
}

/* ---- callback Tasks: .waitForTaskToken and activities ------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* arn:PARTITION:states:REGION:ACCOUNT:activity:NAME */
static bool is_activity(const char *r)
{
    if (strncmp(r, "arn:", 4) != 0) return false;
    const char *p = strchr(r + 4, ':');
    return p && !strncmp(p, ":states:", 8) && strstr(p, ":activity:");
}

bool asl_served_resource(const char *resource)
{
    /* read by the threads of a fan-out at once: the lazy set is atomic */
    static int served = -1;
    int known = __atomic_load_n(&served, __ATOMIC_RELAXED);
    if (known < 0) {
        const char *fd = getenv("ASL_SERVE_FD");
        known = fd && *fd;
        __atomic_store_n(&served, known, __ATOMIC_RELAXED);
    }
    return known && (is_activity(resource) || ends_with(resource, ".waitForTaskToken"));
}

const char *asl_served_callback(asl_exec *x, const asl_task_site *site, const asl_value *input,
                                double timeout, double heartbeat)
{
    asl_run *run = x->run;
    if (!asl_hist_served(run->hist) || !asl_served_resource(site->resource)) return NULL;
    /* bound or mocked, it runs as in a binary; an AWS call aslc made is made
     * first (task.c), then waited for */
    if (run->bindings && run->bindings[site->id].kind != ASL_BIND_NONE &&
        run->bindings[site->id].kind != ASL_BIND_AWS)
        return NULL;
    bool activity = is_activity(site->resource);
    const char *token;
    if (activity) {
        token = asl_task_token_of(x)->u.str;
    } else {
        asl_value *t = asl_task_token_value(x);
        if (!t) return NULL;
        token = t->u.str;
    }
    asl_arena *a = x->arena;
    asl_value *w = asl_object(a, 5);
    asl_object_append_lit(a, w, "token", 5, asl_cstring(a, token));
    if (activity) asl_object_append_lit(a, w, "activity", 8, asl_cstring(a, site->resource));
    asl_object_append_lit(a, w, "input", 5,
                          asl_cstring(a, input ? asl_json_string(a, input, NULL) : "null"));
    asl_object_append_lit(a, w, "state", 5, asl_cstring(a, site->state));
    if (heartbeat > 0) asl_object_append_lit(a, w, "heartbeat", 9, asl_number(a, heartbeat));
    if (timeout > 0) asl_object_append_lit(a, w, "timeout", 7, asl_number(a, timeout));
    size_t n;
    char *text = asl_json_string(a, w, &n);
    /* registered before the TaskScheduled that shows the token is recorded */
    asl_hist_chan_request(run->hist, "W ", text, n, true);
    return token;
}

void asl_served_forget(asl_exec *x, const char *token)
{
    asl_hist_chan_request(x->run->hist, "X ", token, strlen(token), true);
}

asl_value *asl_served_await(asl_exec *x, const char *token, double timeout, double heartbeat)
{
    asl_hist *h = x->run->hist;
    double start = asl_now_monotonic();
    double end = timeout > 0 ? start + timeout : start + ASL_SLEEP_MAX;
    double beat = heartbeat > 0 ? start + heartbeat : end;
    asl_buf msg;
    asl_buf_init(&msg);
    asl_value *r = NULL;
    asl_blocking_begin(x);
    for (;;) {
        msg.len = 0;
        char kind = asl_hist_chan_wait(h, token, beat < end ? beat : end, &msg);
        if (kind == 'H') {
            if (heartbeat > 0) beat = asl_now_monotonic() + heartbeat;
            continue;
        }
        if (kind == 'P') {   /* GetActivityTask gave it to a worker (its name) */
            asl_buf_putc(&msg, 0);
            asl_hist_activity_started(x, msg.len > 1 ? msg.data : NULL);
            continue;
        }
        if (kind == 'S') {
            asl_json_error jerr;
            r = asl_json_parse(x->arena, msg.data ? msg.data : "", msg.len, &jerr);
            if (!r) asl_fail(x, "States.Runtime", "the task's output is not JSON");
        } else if (kind == 'F') {
            asl_json_error jerr;
            asl_value *f = asl_json_parse(x->arena, msg.data ? msg.data : "", msg.len, &jerr);
            asl_value *e = f ? asl_object_get(f, "error", 5) : NULL;
            asl_value *c = f ? asl_object_get(f, "cause", 5) : NULL;
            asl_fail(x, e && e->type == ASL_STRING ? e->u.str : "",
                     c && c->type == ASL_STRING ? c->u.str : NULL);
        } else {
            bool hb = beat < end;
            asl_fail(x, hb ? "States.HeartbeatTimeout" : "States.Timeout",
                     hb ? "The task did not send a heartbeat in time (HeartbeatSeconds)"
                        : "The task did not complete in time (TimeoutSeconds)");
            asl_served_forget(x, token);   /* a late SendTask* is TaskTimedOut */
        }
        break;
    }
    asl_blocking_end(x);
    asl_buf_free(&msg);
    return r;
}
