/*
 * pool.h — the worker threads behind Parallel and Map (private to the runtime).
 *
 * A fan-out (one Parallel state's branches, one Map state's iterations) is an
 * asl_group of n numbered units.  The thread that reaches the state, the
 * "caller", runs units itself in asl_group_run; once the group is engaged,
 * idle pool workers join in and claim units too.  Whoever claims a unit runs
 * it to the end, so:
 *
 *   - no deadlock at any nesting depth: a caller only ever waits for units
 *     that another thread is already running, never for queued work, and a
 *     waiting caller never picks up unrelated work (its stack stays flat);
 *     with no worker at all, the caller simply runs every unit;
 *   - `limit` bounds the units running at once (MaxConcurrency);
 *   - blocking does not waste a CPU: a thread that sleeps (asl_pool_sleep),
 *     waits for its group, or blocks in a task (asl_pool_block) stops counting
 *     as running, and the pool wakes or starts another worker so that `target`
 *     threads (the CPUs) stay busy while claimable work remains.  Threads are
 *     started on demand, up to max_threads, and idle until asl_pool_free,
 *     which tells them to exit (they are detached: it does not wait);
 *   - cancellation is cooperative: asl_group_cancel stops new claims in the
 *     group and in every group nested in its units (asl_group_cancelled looks
 *     up the parent chain) and wakes sleepers, who check it.
 *
 * Everything is guarded by the pool's one mutex; a group's own counters are
 * touched by its caller alone until asl_group_engage publishes it.
 */
#ifndef ASL_POOL_H
#define ASL_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct asl_pool asl_pool;
typedef struct asl_group asl_group;
typedef void (*asl_unit_fn)(void *ctx, uint32_t index);

struct asl_group {
    /* Set by asl_group_init, read-only afterwards. */
    asl_unit_fn fn;
    void *ctx;
    uint32_t n;                 /* units 0..n-1 */
    uint32_t limit;             /* most units running at once (1..n) */
    const asl_group *parent;    /* the group whose unit started this one, or NULL */

    /* The caller's alone until engaged, then under pool->mu. */
    asl_pool *pool;             /* NULL until asl_group_engage */
    uint32_t next;              /* first unit nobody has claimed */
    uint32_t active;            /* units running now */
    uint32_t finished;          /* units run to their end */
    uint32_t helpers;           /* pool workers inside this group */
    bool waiting;               /* the caller sleeps on cv */
    bool listed;                /* in pool->open */
    asl_group *prev_open, *next_open;
    pthread_cond_t cv;          /* the caller waits here for helpers */

    /* For the user of the group (fanout.c's engagement heuristic): the
     * caller's alone, like the counters above. */
    uint32_t entries;

    int cancel;                 /* atomic: no unit may start any more */
};

/* target: threads to keep running (the CPUs, >= 1); max_threads: at most
 * that many workers; stack: their stack size in bytes.  Starts no thread. */
asl_pool *asl_pool_new(uint32_t target, uint32_t max_threads, size_t stack);
/* max_threads is below the usual because of what (a resource limit): the
 * first time work waits for a thread the pool may not start, it says so on
 * stderr, once. */
void asl_pool_note_limit(asl_pool *p, const char *what);
/* No group may be running.  Tells every worker to exit and returns at
 * once; the last thread out frees the pool. */
void asl_pool_free(asl_pool *p);
/* Workers started so far (for tests and measurements). */
uint32_t asl_pool_threads(asl_pool *p);

/* limit 0 means n. */
void asl_group_init(asl_group *g, uint32_t n, uint32_t limit, asl_unit_fn fn, void *ctx,
                    const asl_group *parent);
/* Lets p's workers help with g.  Only from the caller's thread (from the
 * caller or from one of its units: before g is engaged nobody else runs g's
 * units); a no-op when already engaged. */
void asl_group_engage(asl_group *g, asl_pool *p);
/* The caller runs units until none is left to claim, then waits for those
 * other threads run.  Returns with no unit running and none to start: all n
 * finished, or fewer when g (or an enclosing group) was cancelled. */
void asl_group_run(asl_group *g);
void asl_group_destroy(asl_group *g);
/* Units that were started (after asl_group_run: started == finished). */
static inline uint32_t asl_group_started(const asl_group *g) { return g->next; }

/* From any thread.  p (may be NULL) is the pool whose sleepers to wake. */
void asl_group_cancel(asl_group *g, asl_pool *p);
/* g or a group enclosing it was cancelled.  g may be NULL.  Inline: it runs
 * at every state entry inside a fan-out. */
static inline bool asl_group_cancelled(const asl_group *g)
{
    for (; g; g = g->parent)
        if (__atomic_load_n(&g->cancel, __ATOMIC_ACQUIRE)) return true;
    return false;
}

/* Sleeps up to seconds on a thread running a unit of g; false, early, when g
 * is cancelled.  The thread does not count as running meanwhile. */
bool asl_pool_sleep(asl_pool *p, const asl_group *g, double seconds);
/* Around any other blocking call (a task's child process) made while
 * running a unit: lets another worker use the CPU. */
void asl_pool_block(asl_pool *p);
void asl_pool_unblock(asl_pool *p);

#endif
