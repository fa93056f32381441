/*
 * test_pool.c — the worker pool behind Parallel and Map (runtime/pool.c),
 * on its own: every unit runs exactly once, MaxConcurrency-style limits
 * hold, nesting at any depth does not deadlock (also with limit 1 and a
 * single CPU), blocking hands the CPU to another worker, and cancelling a
 * group ends the sleeps in it and in the groups nested in its units.
 *
 * Nothing here measures time: a broken cancel or a deadlock shows up as a
 * hang, which ctest reports as a timeout.
 */
#include "check.h"
#include "pool.h"

#include <stdlib.h>
#include <unistd.h>

#define STACK ((size_t)1 << 20)

/* ---- every unit once, results at their index ----------------------------------------- */

typedef struct {
    asl_group g;
    int *runs;        /* per unit: times run (each unit writes its own slot) */
    int cur, max;     /* units running now, most at once (atomics) */
    asl_pool *pool;
    double nap;       /* seconds each unit sleeps, 0 = none */
} many;

static void many_unit(void *ctx, uint32_t i)
{
    many *m = ctx;
    int now = __atomic_add_fetch(&m->cur, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&m->max, __ATOMIC_SEQ_CST);
    while (now > seen && !__atomic_compare_exchange_n(&m->max, &seen, now, false, __ATOMIC_SEQ_CST,
                                                      __ATOMIC_SEQ_CST)) {}
    if (m->nap > 0) asl_pool_sleep(m->pool, &m->g, m->nap);
    volatile unsigned spin = 0;
    for (unsigned k = 0; k < 2000; k++) spin += k;
    m->runs[i]++;
    __atomic_sub_fetch(&m->cur, 1, __ATOMIC_SEQ_CST);
}

static void test_every_unit_once(uint32_t target, uint32_t n, uint32_t limit, double nap)
{
    asl_pool *p = asl_pool_new(target, 64, STACK);
    many m = {.runs = calloc(n, sizeof(int)), .pool = p, .nap = nap};
    asl_group_init(&m.g, n, limit, many_unit, &m, NULL);
    asl_group_engage(&m.g, p);
    asl_group_run(&m.g);
    int bad = 0;
    for (uint32_t i = 0; i < n; i++) bad += m.runs[i] != 1;
    CHECK(bad == 0);
    CHECK(asl_group_started(&m.g) == n);
    CHECK(m.g.finished == n);
    CHECK(m.max >= 1 && (limit == 0 || m.max <= (int)limit));
    asl_group_destroy(&m.g);
    asl_pool_free(p);
    free(m.runs);
}

/* ---- without engage: the caller alone, in order -------------------------------------- */

typedef struct {
    asl_group g;
    uint32_t order[16], n;
    pthread_t self;
    bool other_thread;
} seq;

static void seq_unit(void *ctx, uint32_t i)
{
    seq *s = ctx;
    s->order[s->n++] = i;
    if (!pthread_equal(pthread_self(), s->self)) s->other_thread = true;
}

static void test_unengaged_is_sequential(void)
{
    seq s = {.self = pthread_self()};
    asl_group_init(&s.g, 10, 0, seq_unit, &s, NULL);
    asl_group_run(&s.g);
    CHECK(s.n == 10);
    bool in_order = true;
    for (uint32_t i = 0; i < s.n; i++) in_order &= s.order[i] == i;
    CHECK(in_order);
    CHECK(!s.other_thread);
    asl_group_destroy(&s.g);
}

/* ---- nesting: Map in Parallel in Map, limits of 1, one CPU ------------------------------ */

typedef struct nest nest;
struct nest {
    asl_group g;
    asl_pool *pool;
    int depth;
    uint32_t width, limit;
    int *leaves;            /* atomic */
    bool sleep_leaves;
};

static void nest_unit(void *ctx, uint32_t i)
{
    (void)i;
    nest *parent = ctx;
    if (parent->depth == 0) {
        if (parent->sleep_leaves) asl_pool_sleep(parent->pool, &parent->g, 0.001);
        __atomic_add_fetch(parent->leaves, 1, __ATOMIC_SEQ_CST);
        return;
    }
    /* Not a struct copy: parent->g is live, other threads update it. */
    nest child = {.pool = parent->pool, .depth = parent->depth - 1, .width = parent->width,
                  .limit = parent->limit, .leaves = parent->leaves,
                  .sleep_leaves = parent->sleep_leaves};
    asl_group_init(&child.g, child.width, child.limit, nest_unit, &child, &parent->g);
    asl_group_engage(&child.g, child.pool);
    asl_group_run(&child.g);
    asl_group_destroy(&child.g);
}

static void test_nesting(uint32_t target, uint32_t width, uint32_t limit, int depth, bool sleep_leaves)
{
    asl_pool *p = asl_pool_new(target, 256, STACK);
    int leaves = 0;
    nest top = {.pool = p, .depth = depth, .width = width, .limit = limit, .leaves = &leaves,
                .sleep_leaves = sleep_leaves};
    asl_group_init(&top.g, width, limit, nest_unit, &top, NULL);
    asl_group_engage(&top.g, p);
    asl_group_run(&top.g);
    asl_group_destroy(&top.g);
    int want = 1;
    for (int d = 0; d <= depth; d++) want *= (int)width;
    CHECK(leaves == want);
    asl_pool_free(p);
}

/* ---- blocking hands the CPU over ---------------------------------------------------------- */

typedef struct {
    asl_group g;
    asl_pool *pool;
} blk;

static void blk_unit(void *ctx, uint32_t i)
{
    (void)i;
    blk *b = ctx;
    asl_pool_block(b->pool);
    usleep(2000);
    asl_pool_unblock(b->pool);
}

static void test_blocking_starts_workers(void)
{
    /* One CPU: without asl_pool_block nobody would be started while the
     * caller runs; blocked, it must make room for a worker. */
    asl_pool *p = asl_pool_new(1, 64, STACK);
    blk b = {.pool = p};
    asl_group_init(&b.g, 8, 0, blk_unit, &b, NULL);
    asl_group_engage(&b.g, p);
    asl_group_run(&b.g);
    CHECK(b.g.finished == 8);
    CHECK(asl_pool_threads(p) >= 1);
    asl_group_destroy(&b.g);
    asl_pool_free(p);
}

/* ---- cancellation -------------------------------------------------------------------------- */

typedef struct {
    asl_group g;
    asl_pool *pool;
    int woken;          /* sleeps cut short (atomic) */
    int finished;       /* sleeps that ran their course (atomic) */
    int sleeping;       /* sleeps begun (atomic) */
    bool nested;        /* unit 0 sleeps inside a nested group */
} canc;

typedef struct {
    asl_group g;
    canc *outer;
} inner;

static void sleep_long(canc *c, const asl_group *g)
{
    __atomic_add_fetch(&c->sleeping, 1, __ATOMIC_SEQ_CST);
    if (asl_pool_sleep(c->pool, g, 3600)) __atomic_add_fetch(&c->finished, 1, __ATOMIC_SEQ_CST);
    else __atomic_add_fetch(&c->woken, 1, __ATOMIC_SEQ_CST);
}

static void inner_unit(void *ctx, uint32_t i)
{
    (void)i;
    inner *in = ctx;
    sleep_long(in->outer, &in->g);
}

static void canc_unit(void *ctx, uint32_t i)
{
    canc *c = ctx;
    if (i == 1) {
        /* Cancel once a unit sleeps, so that there is a sleep to cut
         * short: a cancel that came first would keep a nested group's
         * units from starting at all (no sleep, nothing woken), which on a
         * slow machine (ThreadSanitizer) happened every other run.  The
         * wait is bounded: cancelling late is still a cancel. */
        for (int k = 0; k < 1000 && !__atomic_load_n(&c->sleeping, __ATOMIC_SEQ_CST); k++) usleep(1000);
        asl_group_cancel(&c->g, c->pool);
        return;
    }
    if (c->nested) {
        inner in = {.outer = c};
        asl_group_init(&in.g, 3, 0, inner_unit, &in, &c->g);
        asl_group_engage(&in.g, c->pool);
        asl_group_run(&in.g);
        asl_group_destroy(&in.g);
        return;
    }
    sleep_long(c, &c->g);
}

static void test_cancel(uint32_t target, bool nested)
{
    asl_pool *p = asl_pool_new(target, 64, STACK);
    canc c = {.pool = p, .nested = nested};
    asl_group_init(&c.g, 6, 0, canc_unit, &c, NULL);
    asl_group_engage(&c.g, p);
    asl_group_run(&c.g);
    CHECK(asl_group_cancelled(&c.g));
    CHECK(c.finished == 0);
    CHECK(c.woken >= 1);
    CHECK(c.g.finished == asl_group_started(&c.g));
    asl_group_destroy(&c.g);
    asl_pool_free(p);
}

/* Many short groups in a row on one pool: the end of a group (the caller
 * waiting for the helpers' last units) is where wake-ups get lost. */
static void test_many_groups_one_pool(void)
{
    asl_pool *p = asl_pool_new(2, 8, STACK);
    int bad = 0;
    for (int round = 0; round < 300; round++) {
        uint32_t n = 1 + (uint32_t)round % 37;
        many m = {.runs = calloc(n, sizeof(int)), .pool = p};
        asl_group_init(&m.g, n, round % 3, many_unit, &m, NULL);
        asl_group_engage(&m.g, p);
        asl_group_run(&m.g);
        for (uint32_t i = 0; i < n; i++) bad += m.runs[i] != 1;
        asl_group_destroy(&m.g);
        free(m.runs);
    }
    CHECK(bad == 0);
    CHECK(asl_pool_threads(p) <= 8);
    asl_pool_free(p);
}

int main(void)
{
    test_unengaged_is_sequential();
    test_every_unit_once(2, 1000, 0, 0);
    test_every_unit_once(1, 200, 0, 0);
    test_every_unit_once(4, 300, 3, 0);
    test_every_unit_once(2, 40, 40, 0.002);   /* sleepers: one thread each */
    test_every_unit_once(2, 20, 1, 0.001);
    test_nesting(1, 3, 1, 3, false);
    test_nesting(2, 3, 1, 3, true);
    test_nesting(2, 4, 0, 3, true);
    test_nesting(1, 2, 2, 5, true);
    test_many_groups_one_pool();
    test_blocking_starts_workers();
    test_cancel(1, false);
    test_cancel(2, false);
    test_cancel(2, true);
    test_cancel(1, true);
    return check_summary();
}
