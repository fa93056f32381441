/*
 * fanout.c — Parallel branches and Map iterations, run concurrently.
 *
 * A Parallel or Map state is one fan-out: an asl_group of units (branches,
 * iterations or ItemBatcher batches) run by the pool of pool.c.  Each unit
 * runs on an exec of its own (its own arena and error slot) whose parent is
 * the state's exec; when it ends, its result is copied into the state's
 * arena, at its own index of a results array sized up front, so the results
 * keep branch / item order whatever order the units finish in.  The copy is
 * made under the fan-out's mutex (the one thing units share that is not
 * immutable is that arena) and the unit's arena is released at once, so
 * memory stays bounded by the units running at the same time.
 *
 * Threads are only worth their cost for work that lasts: a fan-out starts
 * on the thread that reaches the state, which runs its units one after the
 * other, and calls in pool workers ("engages") only when one of its units
 * enters a state that may block or take long (Task, Wait, Parallel, Map) or
 * when, looking at the clock every ENGAGE_AFTER state entries, its units
 * prove to take ENGAGE_UNIT_US or more on average.  Parallel with four short
 * branches of Pass states, or Map over 1,000 items of a few Pass states
 * each (a microsecond apiece), thus never start a thread: locking per unit
 * would cost more than the second CPU gives.  The pool itself is created on the first
 * engagement and released when the outermost fan-out of the execution ends
 * (its idle workers then exit on their own): it hangs off the run, nothing
 * is global.
 *
 * Failure: the first unit that fails (beyond a Map's tolerated failures)
 * cancels the fan-out; units check the cancel at every state entry
 * (asl_enter) and in every sleep (Wait, Retry delays), and end "stopped".
 * Stopped units are not failures: the state fails with the error of the
 * lowest-index unit that failed on its own, which is deterministic whenever
 * only one unit can fail.  (AWS reports the one that failed first in time.)
 * The stop itself is recorded as an uncatchable, unretriable States.Runtime
 * error, so no Catch or Retry inside a stopped branch runs again; it never
 * reaches the execution's result.
 *
 * Tasks bound to mocks hand out their results in call order, which only
 * means something when calls come one after another: a run with any mocked
 * Task keeps its fan-outs on the calling thread.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "pool.h"
#include "history.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ENGAGE_AFTER 64                 /* state entries between looks at the clock */
#define ENGAGE_UNIT_US 10.0             /* units at least this long on average are worth threads */
#define MAX_THREADS 1024                /* workers per execution */
#define BATCH_BYTES_MAX (256 * 1024)    /* ItemBatcher's implicit MaxInputBytesPerBatch */

typedef struct {
    asl_group g;
    asl_exec *x;               /* the Parallel/Map state's exec */
    bool sequential;           /* never engage (mocked tasks) */
    double t0;                 /* monotonic start of the fan-out */

    pthread_mutex_t mu;        /* x->arena and the outcome, while units run */
    asl_value *out;            /* results, at their unit's index */
    bool failed;               /* some unit failed beyond tolerance */
    uint32_t fail_index;       /* the lowest such unit */
    const char *fail_err, *fail_cause;
    size_t fail_err_len, fail_cause_len;   /* counted: a U+0000 may be inside */
    uint32_t failed_items;     /* Map: items of the units that failed */
    uint32_t stopped;          /* units that ended because they were stopped */
    double skew;               /* the largest skew of a unit (asl_exec.skew): the fan-out ends
                                * when its latest unit does, in workflow time too */

    /* Parallel */
    asl_value *in;
    const asl_state_fn *branches;

    /* Map */
    const asl_map_info *m;
    asl_value *state_input;
    asl_value *items;
    uint32_t nitems;
    asl_value **selected;      /* batches: the items after ItemSelector */
    uint32_t *bstart;          /* batches: batch k is items bstart[k] .. bstart[k+1]-1 */
    asl_value *batch_input;    /* ItemBatcher.BatchInput, or NULL */
    asl_value **keys;          /* a Map over an object: its members' keys, else NULL */
    asl_value *sources;        /* an ItemReader's items: each one's $$.Map.Item.Source, else NULL */
    asl_arena *iter_arena;     /* Map: the arena of iterations on the calling thread (unit_exec) */
    asl_map_trace *trace;      /* Map with a ResultWriter: inputs and failures kept, or NULL */
    bool remote;               /* a Distributed Map whose units are Lambda invocations (lambda_rt.c) */
    /* The iteration on the calling thread builds in x's arena since the mark
     * (asl_flow_enter): its last state's output is its result, which finish
     * then keeps, copying up only what it points to in iter_arena. */
    bool in_last;
    asl_arena_mark since;
    asl_hist_fan hist;         /* --history: the fan-out's events (history.c) */
} flow;

/* ---- the pool, per execution --------------------------------------------------------- */

static uint32_t cpu_target(void)
{
    const char *e = getenv("ASL_THREADS");
    if (e && *e) {
        long v = strtol(e, NULL, 10);
        if (v >= 1) return v > MAX_THREADS ? MAX_THREADS : (uint32_t)v;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (uint32_t)CPU_COUNT(&set);
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (uint32_t)c : 1;
}

static bool has_mocks(const asl_run *r)
{
    if (!r->bindings) return false;
    for (uint32_t i = 0; i < r->prog->nsites; i++)
        if (r->bindings[i].kind == ASL_BIND_MOCK) return true;
    return false;
}

/* Only ever called on the thread that runs f's units before f is engaged.
 * When there is no pool yet, that is the only thread of the execution, so
 * creating run->pool here races with nobody. */
static __attribute__((noinline)) void engage(flow *f)
{
    asl_run *r = f->x->run;
    if (!r->pool) {
        uint32_t max = MAX_THREADS;
        size_t stack = asl_worker_stacks(&max);
        r->pool = asl_pool_new(cpu_target(), max, stack);
        if (max < MAX_THREADS) asl_pool_note_limit(r->pool, "the address-space limit (ulimit -v)");
    }
    asl_group_engage(&f->g, r->pool);
}

/* Task, Wait, Map or Parallel (the first letters tell Pass from Parallel):
 * on every state entry of a unit, so cheap. */
static bool may_block(const asl_state_info *s)
{
    const char *t = s->type;
    switch (t[0]) {
    case 'T': return !strcmp(t, "Task");
    case 'W': return !strcmp(t, "Wait");
    case 'M': return !strcmp(t, "Map");
    case 'P': return t[1] == 'a' && t[2] == 'r';
    default: return false;
    }
}

static __attribute__((noinline)) bool stop(asl_exec *x)
{
    x->stopped = true;
    asl_fail(x, "States.Runtime", "Stopped: another branch or iteration failed.");
    return false;
}

bool asl_flow_stop(asl_exec *x)
{
    return stop(x);
}

bool asl_flow_stopped(asl_exec *x)
{
    if (!x->group || !asl_group_cancelled(x->group)) return false;
    stop(x);
    return true;
}

static double engage_unit_s = ENGAGE_UNIT_US / 1e6;
static pthread_once_t engage_once = PTHREAD_ONCE_INIT;

/* ASL_ENGAGE_US overrides ENGAGE_UNIT_US (0: engage after ENGAGE_AFTER
 * entries whatever the units cost; the tests use it to run tiny units on
 * threads). */
static void engage_setting(void)
{
    const char *e = getenv("ASL_ENGAGE_US");
    if (e && *e) {
        double v = strtod(e, NULL);
        if (v >= 0) engage_unit_s = v / 1e6;
    }
}

/* Whether the units so far took long enough on average for threads to pay:
 * claiming a unit and handing its result back cost a few microseconds of
 * locking and wake-ups, more than a Map iteration of a few Pass states
 * takes, so such a Map runs faster on one thread. */
static __attribute__((noinline)) bool units_are_long(flow *f)
{
    pthread_once(&engage_once, engage_setting);
    uint32_t started = asl_group_started(&f->g);
    return (asl_now_monotonic() - f->t0) >= engage_unit_s * (started ? started : 1);
}

/* Whether unit u builds in its fan-out's own arena (a Parallel branch on
 * the calling thread, unit_exec), not in one of its own or the Map's. */
static inline bool in_state_arena(const flow *f, const asl_exec *u)
{
    return u->arena == f->x->arena;
}

/* Whether to call in helpers: the fan-out's first thread, alone with g's
 * counters (see asl_flow_enter), on a state entry of one of its units. */
static inline void consider_engaging(asl_group *g, const asl_state_info *s)
{
    flow *f = g->ctx;
    if (f->sequential) return;
    if (may_block(s) || (++g->entries % ENGAGE_AFTER == 0 && units_are_long(f))) engage(f);
}

/* A Map iteration on the calling thread (in iter_arena) builds what its last
 * state builds, its result, in the Map's arena, and the states before that
 * in iter_arena: the Map need not copy what it keeps.  A state after the
 * last (a Catch's) goes back to iter_arena; what the iteration built in the
 * Map's arena stays there (finish walks it from the mark). */
static void last_state(flow *f, asl_exec *x, const asl_state_info *s)
{
    if (s->last && x->arena == f->iter_arena) {
        if (!f->in_last) asl_arena_mark_get(f->x->arena, &f->since);
        f->in_last = true;
        x->arena = f->x->arena;
    } else if (!s->last && f->in_last && x->arena == f->x->arena) {
        x->arena = f->iter_arena;
    }
}

/* asl_flow_enter's work (asl_enter for an exec with a group). */
static inline __attribute__((always_inline)) bool flow_enter(asl_exec *x, const asl_state_info *s)
{
    asl_group *g = x->group;
    asl_run *r = x->run;
    if (__builtin_expect(asl_group_cancelled(g), 0)) return stop(x);
    /* g->pool is set before any other thread can run g's units: whoever
     * reads NULL here is the caller, alone with g's counters.  Engaging only
     * helps while units are left to start and more than one may run. */
    flow *f = g->ctx;
    if (!g->pool && g->limit > 1 && g->next < g->n) {
        consider_engaging(g, s);
        /* Engaged: other threads may now build in the fan-out's arena
         * (finish, under f->mu), so a unit building in it takes its own: a
         * Map iteration its iteration arena again, a Parallel branch a new
         * one. */
        if (g->pool && in_state_arena(f, x))
            x->arena = f->in_last ? f->iter_arena : asl_arena_new();
    }
    if (f->iter_arena && !g->pool) last_state(f, x, s);
    /* Still no pool (engaging makes one): this is the execution's only thread. */
    if (r->pool || r->deadline > 0) return asl_enter_shared(x, s);
    asl_enter_record(x, s);
    return true;
}

/* --history: the entry, then its events (history.c). */
static __attribute__((noinline)) bool flow_enter_recorded(asl_exec *x, const asl_state_info *s,
                                                          asl_value *in)
{
    /* aslc serve: a unit replaying past where a failed run stopped it */
    if (__builtin_expect(x->run->unit_replay, 0) && asl_hist_replay_closed(x)) return stop(x);
    if (!flow_enter(x, s)) return false;
    asl_hist_entered(x, s, in);
    return true;
}

/* in is read only with --history, before anything else: without it the
 * entry is what it was, in a register that nothing keeps. */
bool asl_flow_enter(asl_exec *x, const asl_state_info *s, asl_value *in)
{
    if (__builtin_expect(x->run->hist != NULL, 0)) return flow_enter_recorded(x, s, in);
    return flow_enter(x, s);
}

bool asl_flow_sleep(asl_exec *x, double seconds)
{
    asl_pool *p = x->run->pool;
    if (x->group && p) return asl_pool_sleep(p, x->group, seconds) || stop(x);
    /* No pool: this is the execution's only thread, nobody can cancel it. */
    struct timespec end;
    asl_timespec_after(&end, seconds);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL) == EINTR) {}
    return true;
}

/* A pool exists at begin iff at end: without one, nothing runs meanwhile. */
void asl_blocking_begin(asl_exec *x)
{
    if (x->group && x->run->pool) asl_pool_block(x->run->pool);
}

void asl_blocking_end(asl_exec *x)
{
    if (x->group && x->run->pool) asl_pool_unblock(x->run->pool);
}

/* ---- running a fan-out ------------------------------------------------------------------ */

static void flow_init(flow *f, asl_exec *x, uint32_t n)
{
    memset(f, 0, sizeof *f);
    f->x = x;
    f->sequential = has_mocks(x->run);
    f->t0 = asl_now_monotonic();
    /* Every slot exists from the start: units fill their own. */
    f->out = asl_array(x->arena, n);
    for (uint32_t i = 0; i < n; i++) asl_array_push(x->arena, f->out, asl_null());
}

static void flow_run(flow *f, uint32_t n, uint32_t limit, asl_unit_fn fn)
{
    asl_exec *x = f->x;
    asl_run *r = x->run;
    /* The outermost fan-out (x is the top-level flow) owns a pool created
     * inside it: all other threads are idle again when it ends. */
    bool outermost = x->group == NULL && r->pool == NULL;
    pthread_mutex_init(&f->mu, NULL);
    asl_group_init(&f->g, n, limit, fn, f, x->group);
    f->skew = x->skew;
    asl_group_run(&f->g);
    x->skew = f->skew;
    asl_group_destroy(&f->g);
    pthread_mutex_destroy(&f->mu);
    if (outermost && r->pool) {
        asl_pool_free(r->pool);
        r->pool = NULL;
    }
}

/* The exec of a unit of f.  While f runs alone (not engaged: on this
 * thread, one unit after the other), the exec is local, the caller's, and
 * so is the arena: a Parallel branch builds in the state's own arena, as
 * the states around it do (no arena to make and free, no result to copy
 * up); a Map iteration, of which there may be thousands, builds in one
 * arena of the fan-out's, emptied after each (asl_arena_reset): its
 * result is copied up and its garbage goes, and the next iteration reuses
 * the same warm pages.  Engaged, a unit gets an arena of its own (and so
 * does a Parallel branch at the moment it engages f, asl_flow_enter, as
 * workers then add their results to the state's arena).  Batches keep
 * their own: their items live in a scratch arena, so results are copied
 * whole (finish). */
static asl_exec *unit_exec(flow *f, asl_exec *local)
{
    asl_exec *u;
    if (!f->g.pool && !f->bstart) {
        u = local;
        memset(u, 0, sizeof *u);
        u->run = f->x->run;
        u->parent = f->x;
        u->skew = f->x->skew;
        if (f->m) {
            if (!f->iter_arena) f->iter_arena = asl_arena_new();
            u->arena = f->iter_arena;
        } else {
            u->arena = f->x->arena;
        }
    } else {
        u = asl_exec_child(f->x);
    }
    u->group = &f->g;
    u->slow_enter = true;   /* asl_enter checks the fan-out (asl_flow_enter) */
    return u;
}

/* {"Error": ..., "Cause": ...} of u's failure, built in a. */
static asl_value *error_object(asl_arena *a, const asl_exec *u)
{
    asl_value *o = asl_object(a, 2);
    if (u->err) asl_object_append_lit(a, o, "Error", 5, asl_string(a, u->err, u->err_len));
    if (u->cause) asl_object_append_lit(a, o, "Cause", 5, asl_string(a, u->cause, u->cause_len));
    return o;
}

static bool tolerance_set(const asl_map_info *m)
{
    return m->tolerated_count >= 0 || m->tolerated_percent >= 0;
}

/* The Map fails when failed items exceed any threshold it sets; without
 * one, at the first failure (a DISTRIBUTED Map's threshold is then 0). */
static bool threshold_exceeded(const asl_map_info *m, uint32_t failed, uint32_t total)
{
    if (!tolerance_set(m)) return failed > 0;
    if (m->tolerated_count >= 0 && failed > (uint32_t)m->tolerated_count) return true;
    if (m->tolerated_percent >= 0 && total > 0 && 100.0 * failed / total > m->tolerated_percent)
        return true;
    return false;
}

/* A unit is over: its result (or failure) goes up into x's arena. */
static void finish(flow *f, uint32_t i, asl_exec *u, asl_value *r, uint32_t nitems)
{
    bool cancel = false;
    asl_arena *a = f->x->arena;
    /* An iteration that built its last state in x's arena (asl_flow_enter);
     * only the unit of the calling thread may have (the others' arenas are
     * their own), and only it reads and writes in_last. */
    bool moved = (u->arena == f->iter_arena || u->arena == a) && f->in_last;
    if (moved) {
        u->arena = f->iter_arena;
        f->in_last = false;
    }
    /* Until f is engaged, its units all run on this thread (see
     * asl_flow_enter): nobody to lock out. */
    bool alone = f->g.pool == NULL;
    if (!alone) pthread_mutex_lock(&f->mu);
    if (u->skew > f->skew) f->skew = u->skew;
    if (r) {
        /* Only what the unit built is copied: the rest (its input, static
         * values) already lives in x's arena or longer, except for the
         * batches' items, which live in a scratch arena that asl_map frees. */
        asl_array_replace(f->out, i, f->bstart               ? asl_value_copy(a, r)
                                     : moved                ? asl_value_copy_up_since(a, u->arena, r, &f->since)
                                     : in_state_arena(f, u) ? r
                                                            : asl_value_copy_up(a, u->arena, r));
    } else if (u->stopped) {
        f->stopped++;
    } else {
        f->failed_items += nitems;
        if (f->m && !threshold_exceeded(f->m, f->failed_items, f->nitems)) {
            asl_array_replace(f->out, i, error_object(a, u)); /* a tolerated failure */
            if (f->trace) f->trace->failed[i] = 1;
        } else {
            if (!f->failed || i < f->fail_index) {
                f->failed = true;
                f->fail_index = i;
                f->fail_err = u->err ? asl_strndup(a, u->err, u->err_len) : NULL;
                f->fail_cause = u->cause ? asl_strndup(a, u->cause, u->cause_len) : NULL;
                f->fail_err_len = u->err_len;
                f->fail_cause_len = u->cause_len;
            }
            cancel = true;
        }
    }
    if (!alone) pthread_mutex_unlock(&f->mu);
    if (u->arena == f->iter_arena) asl_arena_reset(u->arena);
    else if (!in_state_arena(f, u)) asl_exec_free(u);
    if (cancel) {
        /* aslc serve: recorded before the others are stopped (history.c) */
        if (__builtin_expect(f->x->run->hist != NULL, 0)) asl_hist_fan_failed(f->x, &f->hist);
        asl_group_cancel(&f->g, f->x->run->pool);
    }
}

/* x's fan-out did not complete although none of its units failed: an
 * enclosing fan-out stopped it. */
static asl_value *incomplete(flow *f, uint32_t n)
{
    if (f->stopped || asl_group_started(&f->g) < n) {
        stop(f->x);
        return NULL;
    }
    return f->out;
}

/* ---- Parallel -------------------------------------------------------------------------- */

/* aslc serve: a unit replaying that its run's failure had stopped, whose
 * recorded events ended before its end (stopped in a Wait that ends it):
 * stopped again rather than ending with a result. */
static asl_value *replayed_end(asl_exec *u, asl_value *r)
{
    if (r && __builtin_expect(u->run->unit_replay, 0) && asl_hist_replay_closed(u)) {
        stop(u);
        return NULL;
    }
    return r;
}

/* A branch with --history: its events around it (history.c). */
static __attribute__((noinline)) void parallel_unit_recorded(flow *f, uint32_t i)
{
    asl_exec local, *b = unit_exec(f, &local);
    asl_value *done = asl_served_unit(f->x, b, f->hist.started, i);   /* resumed by aslc serve: finished */
    if (done) {
        finish(f, i, b, done, 1);
        return;
    }
    asl_hist_unit_begin(f->x, &f->hist, b, i);
    asl_value *r = replayed_end(b, f->branches[i](b, f->in));
    asl_hist_unit_end(f->x, &f->hist, b, i, r);
    finish(f, i, b, r, 1);
}

static void parallel_unit(void *ctx, uint32_t i)
{
    flow *f = ctx;
    if (__builtin_expect(f->x->run->hist != NULL, 0)) {
        parallel_unit_recorded(f, i);
        return;
    }
    asl_exec local, *b = unit_exec(f, &local);
    asl_value *r = f->branches[i](b, f->in);
    finish(f, i, b, r, 1);
}

asl_value *asl_parallel(asl_exec *x, asl_value *in, const asl_state_fn *branches, uint32_t n)
{
    flow f;
    flow_init(&f, x, n);
    f.in = in;
    f.branches = branches;
    bool hist = x->run->hist;
    /* ParallelStateStarted and its end: written, or only numbered.  The
     * branches' states must not count the events that come after them:
     * ParallelStateStarted takes the id asl_enter reserved for the state's
     * StateExited, and both are numbered at the end with
     * ParallelStateSucceeded (or Failed), as their ids are taken. */
    if (hist) asl_hist_fan_started(x, &f.hist, false, n, false, NULL);
    flow_run(&f, n, 0, parallel_unit);
    if (!hist) asl_run_event(x->run, 2);
    asl_value *r = f.failed ? asl_fail_n(x, f.fail_err, f.fail_err_len, f.fail_cause, f.fail_cause_len)
                            : incomplete(&f, n);
    if (hist) asl_hist_fan_ended(x, &f.hist, r != NULL);
    return r;
}

/* ---- Map ------------------------------------------------------------------------------ */

/* {"BatchInput": ..., "Items": [...]}: the input of one batch. */
static asl_value *batch_value(asl_arena *a, const flow *f, uint32_t lo, uint32_t hi)
{
    asl_value *o = asl_object(a, 2);
    if (f->batch_input) asl_object_append_lit(a, o, "BatchInput", 10, f->batch_input);
    asl_value *items = asl_array(a, hi - lo);
    for (uint32_t k = lo; k < hi; k++) asl_array_push(a, items, f->selected[k]);
    asl_object_append_lit(a, o, "Items", 5, items);
    return o;
}

/* ItemSelector runs in the Map state: its $$.State and its error messages
 * are the Map state's. */
static void in_map_state(asl_exec *it, const asl_exec *x)
{
    it->state = x->state;
    it->entered_event = x->entered_event;
    it->retry_count = x->retry_count;
}

/* An iteration's input, kept in the Map's arena for the ResultWriter
 * (mapio.c), which reports each child execution's input. */
static void keep_input(flow *f, uint32_t i, asl_exec *it, asl_value *input)
{
    bool alone = f->g.pool == NULL;
    if (!alone) pthread_mutex_lock(&f->mu);
    f->trace->inputs[i] = it->arena == f->x->arena ? input : asl_value_copy(f->x->arena, input);
    if (!alone) pthread_mutex_unlock(&f->mu);
}

/* A Distributed Map's unit under --target lambda: another invocation runs
 * it (lambda_rt.c), and this thread waits, so the fan-out calls in workers
 * at once, as it does for a Task (asl_flow_enter). */
static asl_value *remote_unit(flow *f, asl_exec *it, asl_value *input)
{
    if (!f->g.pool && f->g.limit != 1 && f->g.next < f->g.n && !f->sequential) engage(f);
    if (asl_flow_stopped(it)) return NULL;
    return f->x->run->map_remote(it, f->m, input);
}

/* $$.Map.Item.Key and .Source of item k on exec it. */
static void item_context(const flow *f, asl_exec *it, uint32_t k)
{
    it->map_key = f->keys ? f->keys[k] : NULL;
    it->map_source = "STATE_DATA";
    if (f->sources && f->sources->type == ASL_STRING)
        it->map_source = f->sources->u.str;
    else if (f->sources && k < f->sources->len && f->sources->u.a.items[k]->type == ASL_STRING)
        it->map_source = f->sources->u.a.items[k]->u.str;
}

/* One iteration; hist (a constant where it is called): --history. */
static inline __attribute__((always_inline)) void map_iteration(flow *f, uint32_t i, bool hist)
{
    const asl_map_info *m = f->m;
    asl_exec local, *it = unit_exec(f, &local);
    /* MapIterationStarted and its end: written, or only numbered, each
     * before the states that follow it (so that the states in and after
     * the iteration have AWS's event ids, asl_run_event).  Numbered, the
     * end of one iteration is counted at the start of the next, which is
     * when it is past on the calling thread (the first counts its start
     * alone, the Map's end the last one's end): 2n + 2 ids in all. */
    asl_run *run = f->x->run;
    asl_value *done = hist ? asl_served_unit(f->x, it, f->hist.started, i) : NULL;
    if (done) {   /* resumed by aslc serve: this iteration had finished */
        finish(f, i, it, done, f->bstart ? f->bstart[i + 1] - f->bstart[i] : 1);
        return;
    }
    if (hist) asl_hist_unit_begin(f->x, &f->hist, it, i);
    else if (m->distributed) {}
    else if (!run->pool) run->events += 2 - (i == 0);   /* alone: asl_run_event without the call */
    else asl_run_event(run, 2 - (i == 0));
    in_map_state(it, f->x);
    /* $$.Map.Item.Index, often part of the result: on the calling thread
     * (in iter_arena, f not engaged, so x's arena is this thread's alone)
     * it goes straight into the Map's arena, which keeps it without a copy. */
    it->map_index = asl_number_int(it->arena == f->iter_arena ? f->x->arena : it->arena, i);
    asl_value *input;
    uint32_t nitems = 1;
    item_context(f, it, f->bstart ? f->bstart[i] : i);
    if (!f->bstart) {
        /* over an object, the iteration's input is the {"Key", "Value"} pair,
         * $$.Map.Item.Value the member's value */
        asl_value *item = f->items->u.a.items[i];
        it->map_value = f->keys ? asl_object_get(item, "Value", 5) : item;
        input = m->selector ? m->selector(it, f->state_input) : item;
    } else {
        /* $$.Map.Item of a batch: its index and its input. */
        nitems = f->bstart[i + 1] - f->bstart[i];
        input = it->map_value = batch_value(it->arena, f, f->bstart[i], f->bstart[i + 1]);
    }
    if (f->trace && input) keep_input(f, i, it, input);
    if (hist && m->distributed && input) asl_hist_child_started(f->x, &f->hist, it, input);
    asl_value *r = !input ? NULL : f->remote ? remote_unit(f, it, input) : m->start(it, input);
    if (hist) r = replayed_end(it, r);
    if (hist) asl_hist_unit_end(f->x, &f->hist, it, i, r);
    finish(f, i, it, r, nitems);
}

static __attribute__((noinline)) void map_unit_recorded(flow *f, uint32_t i)
{
    map_iteration(f, i, true);
}

static void map_unit(void *ctx, uint32_t i)
{
    flow *f = ctx;
    if (__builtin_expect(f->x->run->hist != NULL, 0)) map_unit_recorded(f, i);
    else map_iteration(f, i, false);
}

/* ItemBatcher: ItemSelector on every item (on the scratch exec s, which
 * keeps the results for the batches to share), BatchInput, then the batch
 * boundaries, greedily, by MaxItemsPerBatch and MaxInputBytesPerBatch (the
 * serialised size of the batch input).  Returns the number of batches, or
 * -1 with x failed. */
static int64_t make_batches(flow *f, asl_exec *s)
{
    asl_exec *x = f->x;
    const asl_map_info *m = f->m;
    uint32_t n = f->nitems;
    f->selected = asl_alloc(s->arena, (n ? n : 1) * sizeof *f->selected);
    in_map_state(s, x);
    for (uint32_t k = 0; k < n; k++) {
        asl_value *item = f->items->u.a.items[k];
        if (m->selector) {
            s->map_index = asl_number_int(s->arena, k);
            s->map_value = f->keys ? asl_object_get(item, "Value", 5) : item;
            item_context(f, s, k);
            if (!(item = m->selector(s, f->state_input))) {
                asl_exec_adopt_error(x, s);
                return -1;
            }
        }
        f->selected[k] = item;
    }
    s->map_index = s->map_value = s->map_key = NULL;
    if (m->batch_input && !(f->batch_input = m->batch_input(x, f->state_input))) return -1;

    size_t max_bytes = m->max_bytes_per_batch ? m->max_bytes_per_batch : BATCH_BYTES_MAX;
    asl_buf b;
    asl_buf_init(&b);
    asl_json_write(&b, batch_value(s->arena, f, 0, 0));
    size_t base = b.len, size = base;
    f->bstart = asl_xmalloc(((size_t)n + 1) * sizeof *f->bstart);
    uint32_t nb = 0, count = 0;
    f->bstart[0] = 0;
    for (uint32_t k = 0; k < n; k++) {
        b.len = 0;
        asl_json_write(&b, f->selected[k]);
        size_t add = b.len + (count ? 1 : 0); /* the comma */
        bool full = (m->max_items_per_batch && count >= m->max_items_per_batch) ||
                    size + add > max_bytes;
        if (count && full) {
            f->bstart[++nb] = k;
            size = base;
            count = 0;
            add = b.len;
        }
        size += add;
        count++;
    }
    if (count) f->bstart[++nb] = n;
    asl_buf_free(&b);
    return nb;
}

asl_value *asl_map(asl_exec *x, asl_value *state_input, asl_value *items, const asl_map_info *m)
{
    return asl_map_traced(x, state_input, items, m, NULL);
}

/* A Map over an object (AWS "ItemsPath": "an iteration for each key-value
 * pair in the object, passing the pair to the iteration as input"): the
 * pairs {"Key", "Value"} in the object's order, their keys in *keys. */
static asl_value *object_pairs(asl_arena *a, const asl_value *obj, asl_value ***keys)
{
    asl_value *pairs = asl_array(a, obj->len ? obj->len : 1);
    *keys = asl_alloc(a, (obj->len ? obj->len : 1) * sizeof **keys);
    for (uint32_t i = 0; i < obj->len; i++) {
        const asl_member *mb = &obj->u.o.members[i];
        asl_value *k = asl_string(a, mb->key, mb->klen);
        asl_value *p = asl_object(a, 2);
        asl_object_append_lit(a, p, "Key", 3, k);
        asl_object_append_lit(a, p, "Value", 5, mb->val);
        asl_array_push(a, pairs, p);
        (*keys)[i] = k;
    }
    return pairs;
}

asl_value *asl_map_traced(asl_exec *x, asl_value *state_input, asl_value *items,
                          const asl_map_info *m, asl_map_trace *trace)
{
    asl_value **keys = NULL, *sources = x->map_sources;
    x->map_sources = NULL;
    if (items->type == ASL_OBJECT) items = object_pairs(x->arena, items, &keys);
    if (items->type != ASL_ARRAY)
        return asl_fail_state(x, "States.Runtime",
                              "Map state input must be an array but was: %s",
                              asl_json_string(x->arena, items, NULL));
    /* A tolerated-failure setting refused for this state (refuse, below):
     * MapStateStarted, then the failure. */
    const char *late = x->map_late_error;
    x->map_late_error = NULL;
    if (late && x->map_late_event == x->entered_event) {
        if (x->run->hist) {   /* (without history it takes the id kept for StateExited) */
            asl_hist_fan fan;
            memset(&fan, 0, sizeof fan);
            asl_hist_fan_started(x, &fan, true, items->len, false, NULL);
        }
        return asl_fail_state(x, "States.Runtime", "%s", late);
    }
    flow f;
    uint32_t n = items->len;
    asl_exec *scratch = NULL;
    if (m->batched) {
        /* Batches are only known after ItemSelector: size the results later. */
        memset(&f, 0, sizeof f);
        f.x = x;
        f.m = m;
        f.state_input = state_input;
        f.items = items;
        f.nitems = n;
        f.keys = keys;
        f.sources = sources;
        scratch = asl_exec_child(x);
        int64_t nb = make_batches(&f, scratch);
        if (nb < 0) {
            free(f.bstart);
            asl_exec_free(scratch);
            return NULL;
        }
        asl_value *bi = f.batch_input;
        asl_value **sel = f.selected;
        uint32_t *bstart = f.bstart;
        flow_init(&f, x, (uint32_t)nb);
        f.batch_input = bi;
        f.selected = sel;
        f.bstart = bstart;
        n = (uint32_t)nb;
    } else {
        flow_init(&f, x, n);
    }
    f.m = m;
    f.state_input = state_input;
    f.items = items;
    f.nitems = items->len;
    f.keys = keys;
    f.sources = sources;
    f.remote = m->distributed && x->run->map_remote;
    if (trace) {
        trace->n = n;
        trace->inputs = asl_alloc(x->arena, (n ? n : 1) * sizeof *trace->inputs);
        trace->failed = asl_alloc(x->arena, n ? n : 1);
        memset(trace->inputs, 0, (n ? n : 1) * sizeof *trace->inputs);
        memset(trace->failed, 0, n ? n : 1);
        f.trace = trace;
    }
    bool hist = x->run->hist;
    /* MapStateStarted and its end (a Distributed Map: and its map run's
     * two), numbered as they happen (see asl_parallel): MapStateStarted
     * takes the id reserved for the state's StateExited (MapRunStarted one
     * more), the end and StateExited are numbered after the iterations. */
    if (hist) asl_hist_fan_started(x, &f.hist, true, f.nitems, m->distributed, m->label);
    else if (m->distributed) asl_run_event(x->run, 1);
    if (n > 0) flow_run(&f, n, m->max_concurrency, map_unit);
    if (!hist) asl_run_event(x->run, m->distributed ? 3 : n > 0 ? 3 : 2);
    asl_arena_free(f.iter_arena);
    free(f.bstart);
    if (scratch) asl_exec_free(scratch);
    asl_value *r;
    if (f.failed && (tolerance_set(m) || m->distributed))
        r = asl_fail(x, "States.ExceedToleratedFailureThreshold",
                     "The specified tolerated failure threshold was exceeded");
    else if (f.failed)
        r = asl_fail_n(x, f.fail_err, f.fail_err_len, f.fail_cause, f.fail_cause_len);
    else
        r = n > 0 ? incomplete(&f, n) : f.out;
    if (hist) asl_hist_fan_ended(x, &f.hist, r != NULL);
    return r;
}

/* A setting the Map cannot use.  AWS reads ToleratedFailureCountPath and
 * ToleratedFailurePercentagePath only after it has written MapStateStarted
 * {length} (conformance ...tolerated_failure_count_path__-1: MapStateStarted,
 * then ExecutionFailed), so their failure waits for asl_map, which raises it
 * after that event; the others fail at once, before the Map starts. */
static bool refuse(asl_exec *x, int which, const char *why)
{
    if (which == ASL_MAP_TOLERATED_COUNT || which == ASL_MAP_TOLERATED_PERCENT) {
        if (!x->map_late_error || x->map_late_event != x->entered_event) {
            x->map_late_error = why;
            x->map_late_event = x->entered_event;
        }
        return true;
    }
    asl_fail_state(x, "States.Runtime", "%s", why);
    return false;
}

bool asl_map_setting(asl_exec *x, asl_value *in, const asl_path *p, int which, asl_map_info *m)
{
    static const char *const fields[] = {"MaxConcurrencyPath", "ToleratedFailureCountPath",
                                         "ToleratedFailurePercentagePath", "MaxItemsPerBatchPath",
                                         "MaxInputBytesPerBatchPath"};
    asl_value *v = asl_input_path(x, in, p);
    if (!v) return false;
    bool isnum = v->type == ASL_NUMBER;
    /* AWS parses the text of a string ("1" is 1, conformance
     * MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH), as Java would: an
     * integer is [+-]digits, a float what Double.parseDouble reads. */
    if (v->type == ASL_STRING && v->len > 0 && v->len < 64) {
        const char *t = v->u.str;
        char *end = NULL;
        size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
        bool digits = i < v->len;
        for (size_t k = i; k < v->len; k++) digits = digits && t[k] >= '0' && t[k] <= '9';
        double d = 0;
        bool ok = false;
        if (digits) {
            d = strtod(t, &end);
            ok = end == t + v->len;
        } else if (which == ASL_MAP_TOLERATED_PERCENT && strspn(t + i, "0123456789.eE+-") == v->len - i) {
            d = strtod(t, &end);
            ok = end == t + v->len;
        }
        if (ok) {
            v = asl_number(x->arena, d);
            isnum = true;
        }
    }
    if (!isnum || (which != ASL_MAP_TOLERATED_PERCENT && !asl_num_int(v))) {
        /* AWS shows a string as it is and anything else as JSON. */
        const char *shown = v->type == ASL_STRING ? v->u.str : asl_json_string(x->arena, v, NULL);
        return refuse(x, which,
                      asl_sprintf(x->arena, "The %s field refers to value \"%s\" which is not a valid %s: %s",
                                  fields[which], shown,
                                  which == ASL_MAP_TOLERATED_PERCENT ? "float" : "integer", p->text));
    }
    double d = v->u.n.num;
    switch (which) {
    case ASL_MAP_MAX_CONCURRENCY:
        if (d < 0) {
            return refuse(x, which, "MaxConcurrency cannot be negative.");
        }
        m->max_concurrency = d > 4294967295.0 ? 0 : (uint32_t)d;
        return true;
    case ASL_MAP_TOLERATED_COUNT:
        if (d < 0) {
            return refuse(x, which, "ToleratedFailureCount cannot be negative.");
        }
        m->tolerated_count = d > 2147483647.0 ? 2147483647 : (int32_t)d;
        return true;
    case ASL_MAP_MAX_ITEMS_PER_BATCH:
        if (d < 1) {
            return refuse(x, which, "MaxItemsPerBatch must be greater than 0.");
        }
        m->max_items_per_batch = d > 4294967295.0 ? 0 : (uint32_t)d;
        return true;
    case ASL_MAP_MAX_BYTES_PER_BATCH:
        if (d < 1) {
            return refuse(x, which, "MaxInputBytesPerBatch must be greater than 0.");
        }
        /* Beyond AWS's 256 KiB payload limit the limit is that one. */
        m->max_bytes_per_batch = d > BATCH_BYTES_MAX ? BATCH_BYTES_MAX : (uint32_t)d;
        return true;
    default:
        if (d < 0 || d > 100) {
            return refuse(x, which, "ToleratedFailurePercentage must be between 0 and 100.");
        }
        m->tolerated_percent = d;
        return true;
    }
}
