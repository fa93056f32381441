/*
 * bigstack.c — running the execution on a stack large enough for it.
 *
 * Compiled states call each other and deep input is walked recursively,
 * so an execution needs far more than the main thread's 8 MiB.  A thread
 * with a big stack would do, but creating and joining one is the single
 * largest cost of a short-lived binary: 0.4 ms of a 1.8 ms cold start on
 * the AMD EPYC VM of docs/benchmarks.md (clone, the other CPU woken, the
 * futex wait, the stack unmapped again).  So the calling thread switches to
 * a stack of its own instead (swapcontext), reserved without commitment
 * (MAP_NORESERVE: only the pages touched are ever backed), with a guard
 * page below it as a thread's stack has.
 *
 * Under AddressSanitizer and ThreadSanitizer, which do not follow a stack
 * switched by swapcontext, the execution runs on a thread as before; and
 * if the stack cannot be mapped, on a thread, or failing that in place.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <pthread.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SWITCH_STACKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SWITCH_STACKS 0
#endif
#endif
#ifndef SWITCH_STACKS
#define SWITCH_STACKS 1
#endif

typedef struct {
    void (*fn)(void *);
    void *arg;
} call;

static void *on_thread(void *p)
{
    call *c = p;
    c->fn(c->arg);
    return NULL;
}

static bool run_on_thread(call *c, size_t size)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, size);
    pthread_t t;
    bool ok = pthread_create(&t, &attr, on_thread, c) == 0;
    if (ok) pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    return ok;
}

#if SWITCH_STACKS
/* makecontext passes only ints: the call is handed over in a variable of
 * the thread, set just before the switch. */
static __thread call *switched;

static void on_stack(void) { switched->fn(switched->arg); }

static bool run_switched(call *c, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *base = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return false;
    if (mprotect(base, page, PROT_NONE) != 0) {  /* the guard: overflow faults */
        munmap(base, size + page);
        return false;
    }
    ucontext_t caller, callee;
    bool ok = getcontext(&callee) == 0;
    if (ok) {
        callee.uc_stack.ss_sp = base + page;
        callee.uc_stack.ss_size = size;
        callee.uc_link = &caller;  /* back here when on_stack returns */
        makecontext(&callee, on_stack, 0);
        switched = c;
        ok = swapcontext(&caller, &callee) == 0;
        switched = NULL;
    }
    munmap(base, size + page);
    return ok;
}
#endif

void asl_run_on_big_stack(void (*fn)(void *), void *arg, size_t size)
{
    call c = {fn, arg};
#if SWITCH_STACKS
    if (run_switched(&c, size)) return;
#endif
    if (!run_on_thread(&c, size)) fn(arg);
}
