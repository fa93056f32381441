/*
 * bigstack.c — running the execution on a stack large enough for it.
 *
 * Compiled states call each other and deep input is walked recursively,
 * so an execution needs far more than the main thread's 8 MiB.  A thread
 * with a big stack would do, but creating and joining one is the single
 * largest cost of a short-lived binary: 0.4 ms of a 1.8 ms cold start on
 * the AMD EPYC VM of docs/benchmarks.md (clone, the other CPU woken, the
 * futex wait, the stack unmapped again).  So the calling thread switches to
 * a stack of its own instead (a few instructions on x86-64, swapcontext
 * elsewhere), reserved without commitment (MAP_NORESERVE: only the pages
 * touched are ever backed), with a guard page below it as a thread's stack
 * has.
 *
 * Under an address-space limit (RLIMIT_AS, `ulimit -v`) reserved stacks
 * count in full, used or not: asl_exec_stack_size and asl_worker_stacks
 * size them to what the limit leaves (docs/runtime-limits.md).
 *
 * Under AddressSanitizer and ThreadSanitizer, which do not follow a stack
 * switched behind their back, the execution runs on a thread as before; and
 * if the stack cannot be mapped, on a thread, or failing that in place.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
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
#if defined(__x86_64__) && !defined(ASL_STACK_UCONTEXT)
/* c->fn(c->arg) with the stack pointer at top (16-byte aligned: the call
 * then leaves it as the ABI wants it at fn's entry), then back.  The old
 * stack pointer waits in rbx, which fn preserves; every register the ABI
 * lets fn change is declared clobbered (the runtime is built for baseline
 * x86-64: no AVX-512 registers).  swapcontext would also save and restore
 * the signal mask, three system calls, which the paravirtualised VM of
 * docs/benchmarks.md makes dear: 40-50 us of a 1.6 ms cold start.  Other
 * architectures (and -DASL_STACK_UCONTEXT) take swapcontext, below. */
static bool switch_to(char *base, size_t size, call *c)
{
    char *top = base + (size & ~(size_t)15);
    void *arg = c->arg;
    void (*fn)(void *) = c->fn;
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "mov %[top], %%rsp\n\t"
                     "call *%[fn]\n\t"
                     "mov %%rbx, %%rsp"
                     : "+D"(arg), [top] "+S"(top), [fn] "+d"(fn)
                     :
                     : "rax", "rbx", "rcx", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0", "xmm1",
                       "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)", "st(2)", "st(3)",
                       "st(4)", "st(5)", "st(6)", "st(7)");
    return true;
}
#else
/* makecontext passes only ints: the call is handed over in a variable of
 * the thread, set just before the switch. */
static __thread call *switched;

static void on_stack(void) { switched->fn(switched->arg); }

static bool switch_to(char *base, size_t size, call *c)
{
    ucontext_t caller, callee;
    if (getcontext(&callee) != 0) return false;
    callee.uc_stack.ss_sp = base;
    callee.uc_stack.ss_size = size;
    callee.uc_link = &caller;  /* back here when on_stack returns */
    makecontext(&callee, on_stack, 0);
    switched = c;
    bool ok = swapcontext(&caller, &callee) == 0;
    switched = NULL;
    return ok;
}
#endif

static bool run_switched(call *c, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *base = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return false;
    bool ok = mprotect(base, page, PROT_NONE) == 0 &&  /* the guard: overflow faults */
              switch_to(base + page, size, c);
    munmap(base, size + page);
    return ok;
}
#endif

#define MIB ((size_t)1 << 20)
#define WORKERS_PLANNED 256     /* threads the stacks of a limited address space are sized for */

/* Bytes of address space left under RLIMIT_AS, or SIZE_MAX without one. */
static size_t address_room(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1) pages = 0;
        fclose(f);
    }
    size_t used = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
    return rl.rlim_cur > used ? (size_t)(rl.rlim_cur - used) : 0;
}

size_t asl_exec_stack_size(void)
{
    size_t room = address_room();
    if (room == SIZE_MAX) return ASL_EXEC_STACK;
    /* A quarter of what is left: the rest is the heap's and the workers'. */
    size_t s = room / 4;
    if (s > ASL_EXEC_STACK) s = ASL_EXEC_STACK;
    return s < MIB ? MIB : s & ~(MIB - 1);
}

/* The smallest stack a worker gets: RLIMIT_STACK when set (what the user
 * gives a program's main thread), else 8 MiB, the usual default. */
static size_t min_worker_stack(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur >= MIB && rl.rlim_cur < ASL_EXEC_STACK)
        return (size_t)rl.rlim_cur;
    return 8 * MIB;
}

size_t asl_worker_stacks(uint32_t *max_threads)
{
    size_t room = address_room();
    if (room == SIZE_MAX) return ASL_EXEC_STACK;
    /* glibc gives threads malloc arenas of their own, up to 8 per CPU, each
     * reserving 64 MiB of address space: under a 1 GB limit they, not the
     * stacks, stopped new threads at 15.  A few arenas do for threads that
     * mostly wait. */
    mallopt(M_ARENA_MAX, 4);
    /* Half of what is left is for stacks, shared by WORKERS_PLANNED threads
     * but never less than min_worker_stack each: fewer threads then. */
    size_t budget = room / 2, s = budget / WORKERS_PLANNED, floor = min_worker_stack();
    if (s > ASL_EXEC_STACK) s = ASL_EXEC_STACK;
    if (s < floor) s = floor;
    s &= ~(MIB - 1);
    size_t n = budget / s;
    if (n < *max_threads) *max_threads = (uint32_t)n;
    return s;
}

void asl_run_on_big_stack(void (*fn)(void *), void *arg, size_t size)
{
    call c = {fn, arg};
#if SWITCH_STACKS
    if (run_switched(&c, size)) return;
#endif
    if (!run_on_thread(&c, size)) fn(arg);
}
