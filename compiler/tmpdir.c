/*
 * tmpdir.c — one private temporary directory per compilation, and what
 * must not outlive aslc however it ends.
 *
 * Everything a compilation makes on the side (the C source, objects, the
 * C compiler's own temporaries, the linked executable before it is
 * installed) lives in one directory made by mkdtemp under $TMPDIR (or
 * /tmp); $TMPDIR is then pointed at it, so that cc, as, ld and the LLVM
 * back end's objects land there too.  The directory is removed on every
 * way out: a normal return, exit() (aslc_fatal), and SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT and SIGPIPE (--emit-c /dev/stdout | head).  On a
 * signal, the C compilers still running are passed the signal too: each
 * runs in a process group of its own (the
 * gcc driver does not pass termination on to cc1 or ld; a whole group
 * does), is given a second to end, then killed; then aslc dies of the
 * same signal, so its caller sees the conventional status.
 *
 * The other ways to die are covered too, because each left a directory
 * behind in /tmp (some 480 of them after a day of test runs): a crash of
 * aslc itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL, abort's SIGABRT), a limit
 * (ulimit -t's SIGXCPU, -f's SIGXFSZ), a stray SIGALRM, SIGUSR1/2,
 * SIGVTALRM or SIGPROF; and above all a sanitizer's report, which ends
 * the process with _exit, past atexit (every UBSan report in an LLVM
 * compile left a directory with report_graph.c and empty objects): the
 * sanitizers' death callback cleans up there.  A signal someone else
 * handles already (a sanitizer's SIGSEGV, a profiler's SIGPROF) is left
 * to them.  Only SIGKILL leaves the directory: nothing can run then.
 * A child forked from aslc (graph.c's Graphviz) inherits the handlers and
 * the static state below; they act only in the process that made the
 * directory, so a crash of dot does not remove the compilation's files.
 *
 * The handler can run at any moment, so what it reads is fixed-size
 * static storage written with the signals blocked, and it only calls
 * async-signal-safe functions (the directory is read with getdents64).
 */
#define _GNU_SOURCE
#include "aslc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 256   /* compilers at once: one per processor, at most */
#define MAX_TRACKED 8      /* files outside the directory: the outputs' placeholders */

/* Passed on to the compilers as they are; blocked while the state below changes. */
static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
/* Also fatal by default: the compilers get SIGTERM instead.  Not blocked
 * (a fault while blocked kills at once, unhandled); they read only what is
 * consistent at any moment, at worst a slot just being filled. */
static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGXCPU,
                            SIGXFSZ, SIGALRM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF};

/* The sanitizers' runtime, when linked in (ASLC_SANITIZE): called before
 * a report's _exit.  Weak: absent from a normal build. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static char dir[PATH_MAX];                 /* "" when there is none */
static pid_t owner;                        /* the process that made dir */
static pid_t children[MAX_CHILDREN];       /* process group ids; 0 = free slot */
static char tracked[MAX_TRACKED][PATH_MAX];
static volatile sig_atomic_t cleaning;

static void block(sigset_t *old)
{
    sigset_t all;
    sigemptyset(&all);
    for (size_t i = 0; i < sizeof handled / sizeof *handled; i++) sigaddset(&all, handled[i]);
    sigprocmask(SIG_BLOCK, &all, old);
}

static void unblock(const sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }

/* Removes the directory's entries (one level below too: cc makes none,
 * but a tool might) and the directory.  Async-signal-safe. */
static void remove_tree(int parent, const char *path, int depth)
{
    int fd = openat(parent, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct {
                unsigned long long ino;
                long long off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *d = (void *)(buf + off);
            off += d->reclen;
            if (!strcmp(d->name, ".") || !strcmp(d->name, "..")) continue;
            if (d->type == DT_DIR && depth < 2) remove_tree(fd, d->name, depth + 1);
            else unlinkat(fd, d->name, 0);
        }
    }
    close(fd);
    unlinkat(parent, path, AT_REMOVEDIR);
}

/* Ends the running compilers: the signal to each one's group, up to a
 * second for the leaders (the drivers) to end, then SIGKILL to whatever
 * is left in the groups (a child that ignores the signal: sh's background
 * jobs ignore SIGINT). */
static void stop_children(int sig)
{
    pid_t groups[MAX_CHILDREN];
    int n = 0;
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] > 0) {
            groups[n++] = children[i];
            kill(-children[i], sig);
            kill(children[i], sig);   /* in case setpgid had not happened yet */
        }
    if (!n) return;
    struct timespec step = {0, 10 * 1000 * 1000};
    for (int t = 0; t < 100; t++) {
        bool left = false;
        for (int i = 0; i < MAX_CHILDREN; i++)
            if (children[i] > 0) {
                pid_t r = waitpid(children[i], NULL, WNOHANG);
                if (r == children[i] || (r < 0 && errno == ECHILD)) children[i] = 0;
                else left = true;
            }
        if (!left) break;
        nanosleep(&step, NULL);
    }
    for (int k = 0; k < n; k++) kill(-groups[k], SIGKILL);
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] > 0) {
            kill(children[i], SIGKILL);
            waitpid(children[i], NULL, 0);
            children[i] = 0;
        }
}

static bool passed_on(int sig)
{
    for (size_t i = 0; i < sizeof handled / sizeof *handled; i++)
        if (handled[i] == sig) return true;
    return false;
}

static void clean(int sig)
{
    if (cleaning || getpid() != owner) return;   /* a forked child's exit or crash is not ours */
    cleaning = 1;
    stop_children(passed_on(sig) ? sig : SIGTERM);
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked[i][0]) {
            unlink(tracked[i]);
            tracked[i][0] = 0;
        }
    if (dir[0]) remove_tree(AT_FDCWD, dir, 0);
    dir[0] = 0;
    cleaning = 0;
}

static void on_signal(int sig)
{
    int saved = errno;
    clean(sig);
    signal(sig, SIG_DFL);
    raise(sig);   /* delivered when the handler returns: the signal is blocked in it */
    errno = saved;
}

static void at_exit(void) { clean(0); }

/* Takes sig unless it is ignored (nohup) or someone else's already (a
 * sanitizer's fault handlers, which report and then end through the
 * death callback). */
static void take(int sig, const struct sigaction *sa, bool only_default)
{
    struct sigaction prev;
    if (sigaction(sig, NULL, &prev) != 0 || prev.sa_handler == SIG_IGN) return;
    if (only_default && ((prev.sa_flags & SA_SIGINFO) || prev.sa_handler != SIG_DFL)) return;
    sigaction(sig, sa, NULL);
}

/* A stack overflow's SIGSEGV finds no stack to run its handler on
 * without one of its own (the main thread's; one set already is kept). */
static void alt_stack(void)
{
    static char mem[64 * 1024];
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE)) return;
    stack_t st = {.ss_sp = mem, .ss_size = sizeof mem, .ss_flags = 0};
    sigaltstack(&st, NULL);
}

bool aslc_tmp_init(void)
{
    static bool once;
    if (dir[0]) return true;
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/aslc-XXXXXX", base) >= (int)sizeof path || !mkdtemp(path)) {
        fprintf(stderr, "aslc: cannot make a temporary directory in %s: %s (set TMPDIR to a "
                        "writable directory)\n", base, strerror(errno));
        return false;
    }
    sigset_t old;
    block(&old);
    memcpy(dir, path, sizeof dir);
    owner = getpid();
    if (!once) {
        once = true;
        atexit(at_exit);
        if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(at_exit);
        alt_stack();
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_ONSTACK;
        sigfillset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof handled / sizeof *handled; i++) take(handled[i], &sa, false);
        for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++) take(fatal[i], &sa, true);
    }
    unblock(&old);
    setenv("TMPDIR", dir, 1);
    return true;
}

const char *aslc_tmp_dir(void) { return dir; }

void aslc_tmp_path(char out[PATH_MAX], const char *name)
{
    /* dir is far shorter than PATH_MAX: mkdtemp made it from a checked name */
    size_t d = strlen(dir), n = strlen(name);
    if (d + 1 + n >= PATH_MAX) n = PATH_MAX - d - 2;
    memcpy(out, dir, d);
    out[d] = '/';
    memcpy(out + d + 1, name, n);
    out[d + 1 + n] = 0;
}

void aslc_tmp_finish(void) { clean(0); }

bool aslc_tmp_track(const char *path)
{
    sigset_t old;
    block(&old);
    bool ok = false;
    for (int i = 0; i < MAX_TRACKED && !ok; i++)
        if (!tracked[i][0]) {
            size_t n = strlen(path);
            if (n >= PATH_MAX) break;
            memcpy(tracked[i], path, n + 1);
            ok = true;
        }
    unblock(&old);
    return ok;
}

void aslc_tmp_untrack(const char *path)
{
    sigset_t old;
    block(&old);
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked[i][0] && !strcmp(tracked[i], path)) tracked[i][0] = 0;
    unblock(&old);
}

pid_t aslc_tmp_spawn(char **argv, int err_fd)
{
    sigset_t old;
    block(&old);
    int slot = -1;
    for (int i = 0; i < MAX_CHILDREN && slot < 0; i++)
        if (!children[i]) slot = i;
    if (slot < 0) {
        unblock(&old);
        errno = EAGAIN;
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        for (size_t i = 0; i < sizeof handled / sizeof *handled; i++) {
            struct sigaction prev;
            if (sigaction(handled[i], NULL, &prev) == 0 && prev.sa_handler != SIG_IGN)
                signal(handled[i], SIG_DFL);
        }
        for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++) {
            struct sigaction prev;
            if (sigaction(fatal[i], NULL, &prev) == 0 && prev.sa_handler == on_signal)
                signal(fatal[i], SIG_DFL);
        }
        unblock(&old);
        if (err_fd >= 0) dup2(err_fd, 2);
        execvp(argv[0], argv);
        fprintf(stderr, "aslc: cannot run the C compiler '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid > 0) {
        setpgid(pid, pid);   /* also here: whichever of the two runs first */
        children[slot] = pid;
    }
    unblock(&old);
    return pid;
}

void aslc_tmp_reaped(pid_t pid)
{
    sigset_t old;
    block(&old);
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == pid) children[i] = 0;
    unblock(&old);
}
