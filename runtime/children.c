/*
 * children.c — the handler processes of a workflow binary, as a whole.
 *
 * task_proc.c runs one handler per call, each in a process group of its
 * own (so that whatever the handler starts can be killed with it); warm.c
 * keeps python and node workers, each leading a group of its own too, for
 * many calls.  Three things concern all of them at once, and live here:
 *
 *   - descriptors: a call holds up to seven (three pipes and a pidfd), and a
 *     Map of 600 command Tasks would run out of them under `ulimit -n 1024`.
 *     Calls in flight are bounded by what RLIMIT_NOFILE leaves (measured
 *     at the first call), and a call that still meets EMFILE lowers the
 *     bound and waits for another call to end: a shortage of descriptors
 *     slows a fan-out down, it never fails a Task;
 *   - signals: SIGTERM, SIGINT, SIGHUP and SIGQUIT to the binary are
 *     forwarded to every running handler's process group (a terminal's ^C
 *     reaches only the binary's own group), which gets GRACE_MS to exit
 *     before SIGKILL; then the binary exits with 128 + the signal number,
 *     having printed nothing.  The handlers are installed with the first
 *     call, so a workflow without process handlers keeps the default
 *     dispositions (and its cold start); a signal the binary inherited as
 *     ignored stays ignored;
 *   - the registry of the running groups the signal handler walks: a fixed
 *     array of slots written with atomics, as a signal handler can take no
 *     lock.
 *
 * In a host process (runtime/embed.c: aslc serve) the signals are the
 * host's: asl_children_embedded, called before any handler runs, leaves
 * them alone.
 *
 * Descriptors, signal dispositions and child processes belong to the
 * process, not to an execution: so does this state (the one exception to
 * "no process-wide mutable state" in the runtime, and the reason it is
 * kept to this file).
 */
#define _GNU_SOURCE
#include "rt.h"
#include "task.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 1024          /* handlers in flight at most (also the pool's MAX_THREADS) */
#define FDS_PER_CALL 7      /* stdin, stdout and stderr pipes, and the child's pidfd */
#define FDS_SPARE 16        /* left for everything else (the input file, libc, python's pipe) */
#define GRACE_MS 2000       /* after a forwarded signal, before SIGKILL */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed;        /* CLOCK_MONOTONIC; a call ended */
static uint32_t budget;             /* calls allowed in flight; 0 = not measured yet */
static uint32_t in_flight;
static pid_t slots[SLOTS];          /* atomic: a running handler's pid (= its pgid), or 0 */
static int output_started;          /* atomic: the binary is printing its output */
static bool embedded;               /* asl_children_embedded: the host keeps its signals */

/* ---- signals ---------------------------------------------------------------- */

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

static void nap_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Whether the handler whose pid is in a slot has not exited yet (a zombie
 * has; one reaped meanwhile, ECHILD, too).  WNOWAIT leaves the reaping to
 * the call's own thread. */
static bool alive(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
    return si.si_pid == 0;
}

/* Async-signal-safe only: kill, waitid, nanosleep, _exit. */
static void on_signal(int sig)
{
    /* The execution is over and its output is going out whole: let it. */
    if (__atomic_load_n(&output_started, __ATOMIC_ACQUIRE)) return;
    for (int i = 0; i < SLOTS; i++) {
        pid_t pid = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
        if (pid > 0) kill(-pid, sig);
    }
    for (int waited = 0; waited < GRACE_MS; waited += 10) {
        bool any = false;
        for (int i = 0; i < SLOTS && !any; i++) {
            pid_t pid = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
            any = pid > 0 && alive(pid);
        }
        if (!any) break;
        nap_ms(10);
    }
    /* What the handlers left behind in their groups goes too. */
    for (int i = 0; i < SLOTS; i++) {
        pid_t pid = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
        if (pid > 0) kill(-pid, SIGKILL);
    }
    _exit(128 + sig);
}

static void install(void)
{
    if (embedded) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
        sigaddset(&sa.sa_mask, forwarded[i]);
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) {
        struct sigaction old;
        if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(forwarded[i], &sa, NULL);
    }
}

void asl_children_output_started(void)
{
    __atomic_store_n(&output_started, 1, __ATOMIC_RELEASE);
}

void asl_children_block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(&set, forwarded[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void asl_children_spawnattr(posix_spawnattr_t *at)
{
    posix_spawnattr_init(at);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(at, &none);
    posix_spawnattr_setsigdefault(at, &dfl);
    posix_spawnattr_setpgroup(at, 0);
    posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}

/* ---- the registry ------------------------------------------------------------- */

int asl_children_add(pid_t pid)
{
    for (int i = 0; i < SLOTS; i++) {
        pid_t none = 0;
        if (__atomic_compare_exchange_n(&slots[i], &none, pid, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return i;
    }
    return -1; /* cannot happen: in_flight <= SLOTS */
}

void asl_children_remove(int slot)
{
    if (slot >= 0) __atomic_store_n(&slots[slot], 0, __ATOMIC_RELEASE);
}

/* ---- descriptors ---------------------------------------------------------------- */

static uint32_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 3;
    uint32_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n > 0 ? n - 1 : 0; /* not the directory's own */
}

/* The bound from RLIMIT_NOFILE: what is left after the descriptors open
 * now and a few spare ones, FDS_PER_CALL per call, at least one call. */
static uint32_t measure(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return SLOTS;
    uint64_t used = open_fds() + FDS_SPARE;
    uint64_t n = rl.rlim_cur > used ? (rl.rlim_cur - used) / FDS_PER_CALL : 0;
    return n < 1 ? 1 : n > SLOTS ? SLOTS : (uint32_t)n;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void setup(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&freed, &ca);
    pthread_condattr_destroy(&ca);
    install();
}

void asl_children_embedded(void)
{
    embedded = true;
}

void asl_children_init(void)
{
    pthread_once(&once, setup);
}

bool asl_children_acquire(double deadline)
{
    pthread_once(&once, setup);
    pthread_mutex_lock(&mu);
    if (budget == 0) budget = measure();
    bool ok = true;
    while (in_flight >= budget) {
        if (deadline > 0) {
            double left = deadline - asl_now_monotonic();
            if (left <= 0) {
                ok = false;
                break;
            }
            struct timespec end;
            asl_timespec_after(&end, left);
            pthread_cond_timedwait(&freed, &mu, &end);
        } else {
            pthread_cond_wait(&freed, &mu);
        }
    }
    if (ok) in_flight++;
    pthread_mutex_unlock(&mu);
    return ok;
}

void asl_children_release(void)
{
    pthread_mutex_lock(&mu);
    in_flight--;
    pthread_cond_signal(&freed);
    pthread_mutex_unlock(&mu);
}

bool asl_children_short_of_fds(void)
{
    pthread_mutex_lock(&mu);
    bool others = in_flight > 1;
    /* This call gives its place back (the caller acquires again): at most
     * the others' number from now on, which the descriptors did allow. */
    if (others && budget > in_flight - 1) budget = in_flight - 1;
    in_flight--;
    pthread_cond_signal(&freed);
    pthread_mutex_unlock(&mu);
    return others;
}

uint32_t asl_children_budget(void)
{
    pthread_mutex_lock(&mu);
    uint32_t b = budget;
    pthread_mutex_unlock(&mu);
    return b;
}
