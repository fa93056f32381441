/*
 * test_bigstack.c — asl_run_on_big_stack (runtime/bigstack.c): the call
 * runs, far deeper than the main thread's 8 MiB would allow, and the
 * caller's state is intact when it returns (on x86-64 the switch is a few
 * instructions of inline assembly, so what the compiler keeps in registers
 * around it is what this checks).
 */
#include "check.h"
#include "rt.h"

#include <math.h>
#include <stdint.h>

/* 100,000 frames of at least 256 bytes: over 25 MB of stack.  Under
 * ThreadSanitizer (where the call runs on a thread, bigstack.c) fewer: its
 * runtime faults on stacks that deep, however large the thread's. */
#if defined(__SANITIZE_THREAD__)
#define DEPTH 20000
#else
#define DEPTH 100000
#endif

typedef struct {
    unsigned depth;
    uint64_t sum;
    double f;
    uintptr_t stack_seen;
} job;

/* Recursion that cannot become a loop: every frame keeps a buffer. */
static __attribute__((noinline)) uint64_t deep(unsigned n, volatile char *prev)
{
    volatile char buf[256];
    buf[0] = (char)n;
    buf[255] = prev ? prev[0] : 0;
    if (n == 0) return (uint64_t)buf[0] + (uint64_t)buf[255];
    return deep(n - 1, buf) + 1;
}

static void work(void *p)
{
    job *j = p;
    char here;
    j->stack_seen = (uintptr_t)&here;
    j->sum = deep(j->depth, NULL);
    j->f = sqrt(j->f) * 3.0;
}

int main(void)
{
    /* Values the compiler may hold in callee-saved and vector registers
     * across the call. */
    volatile double before = 2.5;
    double keep = before * 4.0;
    uint64_t a = (uint64_t)(uintptr_t)&before ^ 0x5a5a5a5a5a5a5a5aULL, b = a * 3 + 1;
    char mine;
    job j = {DEPTH, 0, 16.0, 0};
    asl_run_on_big_stack(work, &j, ASL_EXEC_STACK);
    CHECK(j.sum == DEPTH + 1);   /* the innermost frame: buf[0] 0 and buf[255] 1 */
    CHECK(fabs(j.f - 12.0) < 1e-12);
    CHECK(keep == 10.0);
    CHECK(b == a * 3 + 1 && a == ((uint64_t)(uintptr_t)&before ^ 0x5a5a5a5a5a5a5a5aULL));
    /* It ran on another stack (unless it had to run in place). */
    uintptr_t d = j.stack_seen > (uintptr_t)&mine ? j.stack_seen - (uintptr_t)&mine
                                                  : (uintptr_t)&mine - j.stack_seen;
    CHECK(d > 4096);
    /* Again: the stack is mapped afresh and released each time. */
    j.sum = 0;
    j.f = 4.0;
    asl_run_on_big_stack(work, &j, ASL_EXEC_STACK);
    CHECK(j.sum == DEPTH + 1 && fabs(j.f - 6.0) < 1e-12);
    return check_summary();
}
