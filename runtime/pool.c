/*
 * pool.c — worker threads for Parallel branches and Map iterations.
 *
 * See pool.h for the model.  The implementation in a few lines:
 *
 *   - one mutex guards everything: the open groups, the idle workers, the
 *     count of running threads and every engaged group's counters.  A unit is
 *     claimed and retired under it and run without it, so it is held for a
 *     few dozen instructions per unit;
 *   - `running` counts the threads that are executing workflow code: the
 *     thread that created the pool, plus every worker that is not idle, minus
 *     whoever sleeps or waits.  kick() brings it back up to `target` while
 *     there is claimable work, first with idle workers (each has its own
 *     condition variable, so exactly the chosen one wakes and it is counted
 *     as running before it even wakes up), then by starting new ones;
 *   - a group is in the open list while it has units left to claim; workers
 *     take the most recently opened first, which finishes inner fan-outs
 *     (that a caller waits for) before starting more outer work;
 *   - sleeps are condition-variable waits on the monotonic clock, so that a
 *     cancel can end them at once (one broadcast wakes every sleeper, each
 *     checks its own groups);
 *   - workers are detached and the pool is reference-counted (its owner plus
 *     each worker): asl_pool_free only tells them to exit, and whoever drops
 *     the last reference frees it.  Joining cost milliseconds per execution
 *     on a loaded machine, waiting for each worker to be scheduled once more.
 */
#define _GNU_SOURCE
#include "pool.h"
#include "rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct worker {
    asl_pool *pool;
    pthread_cond_t cv;          /* it waits here while idle */
    bool go;                    /* taken off the idle stack: work (or stop) awaits */
    struct worker *next_idle;
} worker;

struct asl_pool {
    pthread_mutex_t mu;
    pthread_cond_t sleep_cv;    /* asl_pool_sleep; CLOCK_MONOTONIC */
    asl_group *open;            /* groups with units to claim, newest first */
    uint32_t nall;              /* workers started */
    uint32_t refs;              /* atomic: the owner, plus every live worker */
    worker *idle;               /* idle workers, a stack */
    uint32_t running;           /* threads executing workflow code */
    uint32_t target;            /* keep this many running while there is work */
    uint32_t max_threads;
    size_t stack;
    bool stop;
    const char *limited_by;     /* max_threads was lowered for this reason (asl_pool_note_limit) */
    bool warned;                /* concurrency was reduced, and stderr told */
};

/* ---- groups (pool->mu held once engaged) ---------------------------------- */

static bool can_claim(const asl_group *g)
{
    return g->next < g->n && g->active < g->limit && !asl_group_cancelled(g);
}

static void list_group(asl_pool *p, asl_group *g)
{
    if (g->listed) return;
    g->listed = true;
    g->prev_open = NULL;
    g->next_open = p->open;
    if (p->open) p->open->prev_open = g;
    p->open = g;
}

static void unlist_group(asl_pool *p, asl_group *g)
{
    if (!g->listed) return;
    g->listed = false;
    if (g->prev_open) g->prev_open->next_open = g->next_open;
    else p->open = g->next_open;
    if (g->next_open) g->next_open->prev_open = g->prev_open;
    g->prev_open = g->next_open = NULL;
}

static uint32_t claim(asl_pool *p, asl_group *g)
{
    uint32_t i = g->next++;
    __atomic_add_fetch(&g->active, 1, __ATOMIC_RELAXED); /* atomic: see spin_for_helpers */
    if (p && g->next == g->n) unlist_group(p, g);
    return i;
}

/* ---- threads ------------------------------------------------------------------ */

static void *worker_main(void *arg);

static void pool_release(asl_pool *p)
{
    /* Every use of p->mu by this thread happens before the decrement, and
     * the last one destroys: acquire-release orders the two. */
    if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    pthread_cond_destroy(&p->sleep_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Workers are detached: asl_pool_free does not wait for them to be
 * scheduled just to exit (on a busy machine that took milliseconds, more
 * than a small fan-out); the last one out frees the pool. */
static bool spawn(asl_pool *p)
{
    worker *w = asl_xmalloc(sizeof *w);
    memset(w, 0, sizeof *w);
    w->pool = p;
    pthread_cond_init(&w->cv, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, p->stack);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    __atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
    pthread_t tid;
    int rc = pthread_create(&tid, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        /* Not fatal: callers run their own units, so work still gets done. */
        __atomic_sub_fetch(&p->refs, 1, __ATOMIC_RELAXED);
        pthread_cond_destroy(&w->cv);
        free(w);
        return false;
    }
    p->nall++;
    return true;
}

/* Work waits for a thread that cannot be started: the fan-out runs with
 * less concurrency than it asked for, which can turn seconds into minutes;
 * said once per pool, on stderr. */
static void warn_reduced(asl_pool *p)
{
    if (p->warned) return;
    if (p->nall >= p->max_threads && !p->limited_by) return; /* the usual cap: nothing unusual */
    p->warned = true;
    if (p->nall >= p->max_threads)
        fprintf(stderr,
                "aslc runtime: %s allows %u worker threads with %zu MiB stacks: Parallel and Map "
                "run with less concurrency than asked for\n",
                p->limited_by, p->max_threads, p->stack >> 20);
    else
        fprintf(stderr,
                "aslc runtime: cannot start more than %u worker threads (%zu MiB stacks): "
                "Parallel and Map run with less concurrency than asked for\n",
                p->nall, p->stack >> 20);
}

/* Wakes or starts workers while there is claimable work and fewer than
 * target threads run.  A woken worker counts as running from here on, so
 * that two kicks in a row do not wake two workers for the same free CPU. */
static void kick(asl_pool *p)
{
    if (p->stop || p->running >= p->target) return;
    uint32_t avail = 0, want = p->target - p->running;
    for (asl_group *g = p->open; g && avail < want; g = g->next_open)
        if (can_claim(g)) {
            uint32_t left = g->n - g->next, slots = g->limit - g->active;
            avail += left < slots ? left : slots;
        }
    if (avail < want) want = avail;
    while (want-- > 0) {
        if (p->idle) {
            worker *w = p->idle;
            p->idle = w->next_idle;
            w->go = true;
            pthread_cond_signal(&w->cv);
        } else if (p->nall >= p->max_threads || !spawn(p)) {
            warn_reduced(p);
            return;
        }
        p->running++;
    }
}

/* A worker inside g: claims and runs units until none can be claimed. */
static void help(asl_pool *p, asl_group *g)
{
    g->helpers++;
    while (can_claim(g)) {
        uint32_t i = claim(p, g);
        pthread_mutex_unlock(&p->mu);
        g->fn(g->ctx, i);
        pthread_mutex_lock(&p->mu);
        __atomic_sub_fetch(&g->active, 1, __ATOMIC_RELEASE);
        g->finished++;
        if (g->waiting) pthread_cond_signal(&g->cv);
    }
    g->helpers--;
    if (g->waiting) pthread_cond_signal(&g->cv);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    asl_pool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        asl_group *g = p->open;
        while (g && !can_claim(g)) g = g->next_open;
        if (g) {
            help(p, g);
            continue;
        }
        if (p->stop) break;
        p->running--;
        w->go = false;
        w->next_idle = p->idle;
        p->idle = w;
        while (!w->go) pthread_cond_wait(&w->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    pool_release(p);
    return NULL;
}

/* ---- the pool -------------------------------------------------------------------- */

asl_pool *asl_pool_new(uint32_t target, uint32_t max_threads, size_t stack)
{
    asl_pool *p = asl_xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->sleep_cv, &ca);
    pthread_condattr_destroy(&ca);
    p->target = target ? target : 1;
    p->max_threads = max_threads;
    p->stack = stack;
    p->running = 1; /* the thread creating the pool */
    p->refs = 1;    /* its owner */
    return p;
}

void asl_pool_free(asl_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    while (p->idle) {
        worker *w = p->idle;
        p->idle = w->next_idle;
        w->go = true;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&p->mu);
    pool_release(p);
}

void asl_pool_note_limit(asl_pool *p, const char *what)
{
    p->limited_by = what;
}

uint32_t asl_pool_threads(asl_pool *p)
{
    pthread_mutex_lock(&p->mu);
    uint32_t n = p->nall;
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* ---- running a group ---------------------------------------------------------------- */

void asl_group_init(asl_group *g, uint32_t n, uint32_t limit, asl_unit_fn fn, void *ctx,
                    const asl_group *parent)
{
    memset(g, 0, sizeof *g);
    g->fn = fn;
    g->ctx = ctx;
    g->n = n;
    g->limit = limit == 0 || limit > n ? n : limit;
    g->parent = parent;
    pthread_cond_init(&g->cv, NULL);
}

void asl_group_destroy(asl_group *g)
{
    pthread_cond_destroy(&g->cv);
}

void asl_group_engage(asl_group *g, asl_pool *p)
{
    if (g->pool || !p) return;
    pthread_mutex_lock(&p->mu);
    g->pool = p;
    if (can_claim(g)) {
        list_group(p, g);
        kick(p);
    }
    pthread_mutex_unlock(&p->mu);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* Called with pool->mu held, returns with it held (the caller then checks
 * again: anything may have happened meanwhile).  Units are often a few
 * microseconds long: waiting a little for the helpers' last ones before
 * sleeping spares the caller a wake-up, which on a busy machine costs a
 * scheduler time slice (milliseconds). */
static void spin_for_helpers(asl_group *g)
{
    asl_pool *p = g->pool;
    pthread_mutex_unlock(&p->mu);
    for (int k = 0; k < 1000 && __atomic_load_n(&g->active, __ATOMIC_ACQUIRE) != 0; k++)
        cpu_relax();
    pthread_mutex_lock(&p->mu);
}

void asl_group_run(asl_group *g)
{
    /* g->pool only changes from NULL on this thread (in one of the units it
     * runs), so it is re-read after each unit: from then on, the lock. */
    asl_pool *p = g->pool;
    bool spun = false;
    if (p) pthread_mutex_lock(&p->mu);
    for (;;) {
        if (can_claim(g)) {
            uint32_t i = claim(p, g);
            if (p) pthread_mutex_unlock(&p->mu);
            g->fn(g->ctx, i);
            p = g->pool;
            if (p) pthread_mutex_lock(&p->mu);
            __atomic_sub_fetch(&g->active, 1, __ATOMIC_RELAXED);
            g->finished++;
            continue;
        }
        if (g->active == 0 && g->helpers == 0) break;
        /* Only when engaged: helpers run the last units.  Spin once, then
         * check everything again under the lock before sleeping. */
        if (!spun) {
            spun = true;
            spin_for_helpers(g);
            continue;
        }
        /* Waiting is not running, so another worker may use this CPU. */
        g->waiting = true;
        p->running--;
        kick(p);
        pthread_cond_wait(&g->cv, &p->mu);
        p->running++;
        g->waiting = false;
    }
    if (p) {
        unlist_group(p, g);
        pthread_mutex_unlock(&p->mu);
    }
}

void asl_group_cancel(asl_group *g, asl_pool *p)
{
    __atomic_store_n(&g->cancel, 1, __ATOMIC_RELEASE);
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    /* Not listed unless engaged, and then g->listed is under the lock. */
    if (g->pool == p) unlist_group(p, g);
    pthread_cond_broadcast(&p->sleep_cv);
    pthread_mutex_unlock(&p->mu);
}

/* ---- blocking ------------------------------------------------------------------------- */

bool asl_pool_sleep(asl_pool *p, const asl_group *g, double seconds)
{
    struct timespec end;
    asl_timespec_after(&end, seconds);
    pthread_mutex_lock(&p->mu);
    p->running--;
    kick(p);
    bool ok;
    while ((ok = !asl_group_cancelled(g)))
        if (pthread_cond_timedwait(&p->sleep_cv, &p->mu, &end) == ETIMEDOUT) {
            ok = !asl_group_cancelled(g);
            break;
        }
    p->running++;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

void asl_pool_block(asl_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->running--;
    kick(p);
    pthread_mutex_unlock(&p->mu);
}

void asl_pool_unblock(asl_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->running++;
    pthread_mutex_unlock(&p->mu);
}
