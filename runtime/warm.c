/*
 * warm.c — python and node handlers in persistent worker processes, as AWS
 * keeps a Lambda function's container warm between invocations.
 *
 * A worker is an interpreter running the program of warm_workers.c: it loads
 * the handler's module once and then serves calls, one at a time, over two
 * pipes with the framing described there.  Module-level state (clients,
 * caches, counters) persists between calls, as in a warm Lambda.
 *
 * Python workers are forked from a fork server (struct zygote), one per
 * interpreter: python's start-up is paid once per binary, a worker costs a
 * fork and its module's import.  The fork server is a child of ours; the
 * workers are its children, each leading a group of its own, and it reaps
 * them and tells us their wait status.  Node workers are started directly.
 *
 * Workers are pooled per function: the same interpreter, file, handler name
 * and function name.  A call takes the most recently used idle worker of its
 * pool (its caches are the warmest), or starts one when all are busy: a pool
 * grows to the number of calls the workflow has in flight at once, which Map
 * MaxConcurrency and Parallel branches bound.  A worker idle for longer than
 * ASL_WARM_IDLE_SECONDS (default 300) is reaped at the next call of any pool.
 *
 * Failures, as Lambda reports them:
 *   - the handler raised: its error object (errorType = the class name);
 *   - the worker died during the call (a crash, os._exit, process.exit):
 *     Runtime.ExitError, and the next call gets a fresh worker;
 *   - the call passed its deadline: the worker's process group is killed and
 *     the task fails with States.Timeout (asl_task_timed_out).
 *
 * Every worker leads a process group of its own, registered with children.c
 * while it lives: SIGTERM, SIGINT, SIGHUP and SIGQUIT to the binary reach it
 * as they reach a command handler, and it is killed with what it started.
 * At exit (the end of the execution or of the --bench loop) all workers are
 * killed and reaped; a binary killed outright leaves workers that read end
 * of file on their request pipe and exit.
 *
 * Like children.c, this is process-wide state (processes belong to the
 * process, and --bench reuses the workers across executions); it is kept to
 * this file, under one mutex.
 */
#define _GNU_SOURCE
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_RESPONSE ((size_t)64 << 20) /* as a command's stdout (task_proc.c) */
#define LAMBDA_MAX_MS 900000L            /* get_remaining_time without a timeout: 15 min */
#define IDLE_SECONDS_DEFAULT 300.0
#define FDS_PER_WORKER 3                 /* request pipe, response pipe, pidfd */
#define MAX_WORKERS 512                  /* children.c has 1024 slots, commands need some */
#define ZYGOTE_WAIT 30.0                 /* seconds for the fork server to answer */

typedef struct zygote zygote;

typedef struct worker {
    pid_t pid;              /* also its process group */
    int req;                /* write end of its request pipe (non-blocking) */
    int resp;               /* read end of its response pipe (non-blocking) */
    int pidfd;              /* readable when it exits; -1 without pidfd_open */
    int slot;               /* children.c registry */
    zygote *z;              /* forked by this fork server (it reaps), or NULL (we do) */
    double idle_since;      /* monotonic, while in its pool's idle list */
    struct worker *next;    /* idle list, most recently used first */
    struct worker *prev_all, *next_all; /* every live worker (under mu), for exit */
} worker;

typedef struct pool {
    struct pool *next;
    bool node;
    char *interp, *file, *handler, *fname; /* the key, malloc'd */
    worker *idle;
} pool;

/* The fork server of one python interpreter (warm_workers.c, --zygote):
 * python workers are forked from it, so that a worker's start is a fork and
 * a module import, not an interpreter's start-up (which, through a pyenv
 * shim and a site with .pth files, is 100 to 300 ms of CPU).  Its workers
 * are its children: it reaps them, and tells their wait status. */
struct zygote {
    struct zygote *next;
    char *interp;           /* the key, malloc'd */
    pthread_mutex_t zmu;    /* one request at a time; held across start-up */
    pid_t pid;              /* 0: not started */
    int sock;               /* our end of its socket */
    int slot;               /* children.c registry */
    bool broken;            /* it failed once: workers are started directly */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cv;  /* CLOCK_MONOTONIC: a worker went idle or away */
static pool *pools;
static worker *all;             /* every worker started and not yet retired */
static zygote *zygotes;
static uint32_t live;           /* workers started and not yet retired */
static uint32_t max_live;       /* from RLIMIT_NOFILE, at the first call */
static double idle_limit;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void shutdown_all(void);
static int zygote_status(zygote *z, pid_t pid);
static char *dup_str(const char *s);

static void setup(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&idle_cv, &ca);
    pthread_condattr_destroy(&ca);
    struct rlimit rl;
    max_live = MAX_WORKERS;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t n = rl.rlim_cur > 64 ? (rl.rlim_cur - 64) / (FDS_PER_WORKER + 4) : 1;
        if (n < max_live) max_live = n < 1 ? 1 : (uint32_t)n;
    }
    idle_limit = IDLE_SECONDS_DEFAULT;
    const char *e = getenv("ASL_WARM_IDLE_SECONDS");
    if (e && *e) {
        char *end;
        double v = strtod(e, &end);
        if (!*end && v >= 0 && isfinite(v)) idle_limit = v;
    }
    atexit(shutdown_all);
    asl_children_init();
}

/* ---- starting and retiring workers ------------------------------------------ */

/* A close-on-exec pipe whose ends are at least 10, clear of the descriptors
 * 0 to 4 the worker gets (posix_spawn's dup2 onto a number one of the
 * sources still has would lose it). */
static int worker_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 10) continue;
        int nfd = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
        if (nfd < 0) {
            int e = errno;
            close(fds[0]);
            close(fds[1]);
            errno = e;
            return -1;
        }
        close(fds[i]);
        fds[i] = nfd;
    }
    return 0;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Kills w's process group, reaps w and frees it; *status gets its wait
 * status when wanted.  Not under mu (the reaping may take a moment). */
static void retire(worker *w, int *status)
{
    kill(-w->pid, SIGKILL);
    asl_children_remove(w->slot);
    int st = 0;
    if (w->z) st = zygote_status(w->z, w->pid);
    else
        while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
        }
    if (status) *status = st;
    close(w->req);
    close(w->resp);
    if (w->pidfd >= 0) close(w->pidfd);
    pthread_mutex_lock(&mu);
    if (w->prev_all) w->prev_all->next_all = w->next_all;
    else all = w->next_all;
    if (w->next_all) w->next_all->prev_all = w->prev_all;
    live--;
    pthread_cond_broadcast(&idle_cv);
    pthread_mutex_unlock(&mu);
    free(w);
}

static worker *new_worker(pid_t pid, int req, int resp, int pidfd, int slot, zygote *z)
{
    worker *w = asl_xmalloc(sizeof *w);
    memset(w, 0, sizeof *w);
    w->pid = pid;
    w->req = req;
    w->resp = resp;
    w->pidfd = pidfd;
    w->slot = slot;
    w->z = z;
    set_nonblock(w->req);
    set_nonblock(w->resp);
    pthread_mutex_lock(&mu);
    w->next_all = all;
    if (all) all->prev_all = w;
    all = w;
    pthread_mutex_unlock(&mu);
    return w;
}

/* ---- the fork servers ----------------------------------------------------------- */

/* Under z->zmu: stops using z (its process, if any, is killed). */
static void zygote_break_locked(zygote *z)
{
    z->broken = true;
    if (z->pid > 0) {
        kill(-z->pid, SIGKILL);
        asl_children_remove(z->slot);
        close(z->sock);
        while (waitpid(z->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        z->pid = 0;
    }
}

static void zygote_break(zygote *z)
{
    pthread_mutex_lock(&z->zmu);
    zygote_break_locked(z);
    pthread_mutex_unlock(&z->zmu);
}

/* Under z->zmu: starts z's process.  false when it cannot. */
static bool zygote_start(zygote *z, bool echo)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return false;
    for (int i = 0; i < 2; i++) {
        if (sv[i] >= 10) continue;
        int nfd = fcntl(sv[i], F_DUPFD_CLOEXEC, 10);
        if (nfd < 0) {
            close(sv[0]);
            close(sv[1]);
            return false;
        }
        close(sv[i]);
        sv[i] = nfd;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (echo) {
        posix_spawn_file_actions_adddup2(&fa, 2, 1);
    } else {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    posix_spawnattr_t at;
    asl_children_spawnattr(&at);
    const char *argv[] = {z->interp, "-B", "-c", asl_warm_python, "--zygote", NULL};
    sigset_t old;
    asl_children_block_signals(&old);
    pid_t pid;
    int rc = posix_spawnp(&pid, z->interp, &fa, &at, (char *const *)argv, environ);
    int slot = rc == 0 ? asl_children_add(pid) : -1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        return false;
    }
    z->pid = pid;
    z->sock = sv[0];
    z->slot = slot;
    return true;
}

/* The fork server of interp, started if need be; NULL when it is broken. */
static zygote *get_zygote(const char *interp, bool echo)
{
    pthread_mutex_lock(&mu);
    zygote *z = zygotes;
    while (z && strcmp(z->interp, interp) != 0) z = z->next;
    if (!z) {
        z = asl_xmalloc(sizeof *z);
        memset(z, 0, sizeof *z);
        z->interp = dup_str(interp);
        pthread_mutex_init(&z->zmu, NULL);
        z->next = zygotes;
        zygotes = z;
    }
    pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&z->zmu);
    if (!z->broken && z->pid == 0 && !zygote_start(z, echo)) z->broken = true;
    bool ok = !z->broken;
    pthread_mutex_unlock(&z->zmu);
    return ok ? z : NULL;
}

/* Under z->zmu: one request (msg, with fds when nfd) and its answer, a
 * number.  false, with z broken, when the server does not answer. */
static bool zygote_ask(zygote *z, const char *msg, size_t len, const int *fds, int nfd, long *answer)
{
    if (z->broken || z->pid <= 0) return false;
    struct iovec iov = {(void *)msg, len};
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (nfd) {
        memset(&ctl, 0, sizeof ctl);
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int));
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
        memcpy(CMSG_DATA(cm), fds, (size_t)nfd * sizeof(int));
    }
    ssize_t sent;
    while ((sent = sendmsg(z->sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (sent != (ssize_t)len) {
        zygote_break_locked(z);
        return false;
    }
    double end = asl_now_monotonic() + ZYGOTE_WAIT;
    for (;;) {
        double left = end - asl_now_monotonic();
        struct pollfd pf = {.fd = z->sock, .events = POLLIN};
        int r = left > 0 ? poll(&pf, 1, (int)ceil(left * 1000.0)) : 0;
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        char buf[32];
        ssize_t got = recv(z->sock, buf, sizeof buf - 1, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        buf[got] = 0;
        char *e;
        *answer = strtol(buf, &e, 10);
        if (e != buf && !*e) return true;
        break;
    }
    zygote_break_locked(z);
    return false;
}

/* A worker of p forked by z, its request and response pipes rq and rs
 * (given to it); its pid, or -1 (z is then broken). */
static pid_t zygote_fork(zygote *z, const pool *p, int rq, int rs)
{
    asl_buf m;
    asl_buf_init(&m);
    asl_buf_printf(&m, "F%s\t%s\t%s", p->file, p->handler, p->fname);
    int fds[2] = {rq, rs};
    long pid = -1;
    pthread_mutex_lock(&z->zmu);
    if (!zygote_ask(z, m.data, m.len, fds, 2, &pid) || pid <= 0) pid = -1;
    pthread_mutex_unlock(&z->zmu);
    asl_buf_free(&m);
    return (pid_t)pid;
}

/* The wait status of z's worker pid (killed or exited), reaped by z; -1
 * when it cannot be told. */
static int zygote_status(zygote *z, pid_t pid)
{
    char m[32];
    int n = snprintf(m, sizeof m, "S%ld", (long)pid);
    long st = -1;
    pthread_mutex_lock(&z->zmu);
    if (!zygote_ask(z, m, (size_t)n, NULL, 0, &st)) st = -1;
    pthread_mutex_unlock(&z->zmu);
    return (int)st;
}

/* Starts a worker of p; NULL with errno set when it cannot. */
static worker *spawn_worker(const pool *p, bool echo)
{
    int rq[2], rs[2];
    if (worker_pipe(rq) != 0) return NULL;
    if (worker_pipe(rs) != 0) {
        int e = errno;
        close(rq[0]);
        close(rq[1]);
        errno = e;
        return NULL;
    }
    /* python: forked by the interpreter's fork server when it works. */
    zygote *z = p->node ? NULL : get_zygote(p->interp, echo);
    pid_t zpid = z ? zygote_fork(z, p, rq[0], rs[1]) : -1;
    int pidfd = -1;
#ifdef SYS_pidfd_open
    if (zpid > 0) {
        pidfd = (int)syscall(SYS_pidfd_open, zpid, 0);
        if (pidfd < 0) {
            /* Without a pidfd its exit could not be seen (it is not our
             * child): no fork server then. */
            kill(-zpid, SIGKILL);
            zygote_status(z, zpid);
            zygote_break(z);
            zpid = -1;
        }
    }
#else
    if (zpid > 0) {
        kill(-zpid, SIGKILL);
        zygote_status(z, zpid);
        zygote_break(z);
        zpid = -1;
    }
#endif
    if (zpid > 0) {
        close(rq[0]);
        close(rs[1]);
        sigset_t old;
        asl_children_block_signals(&old);
        int slot = asl_children_add(zpid);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        fcntl(pidfd, F_SETFD, FD_CLOEXEC);
        return new_worker(zpid, rq[1], rs[0], pidfd, slot, z);
    }

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (echo) {
        posix_spawn_file_actions_adddup2(&fa, 2, 1);
    } else {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    posix_spawn_file_actions_adddup2(&fa, rq[0], 3);
    posix_spawn_file_actions_adddup2(&fa, rs[1], 4);
    posix_spawnattr_t at;
    asl_children_spawnattr(&at);
    const char *argv[8];
    int k = 0;
    argv[k++] = p->interp;
    if (p->node) {
        argv[k++] = "-e";
        argv[k++] = asl_warm_node;
    } else {
        argv[k++] = "-B";
        argv[k++] = "-c";
        argv[k++] = asl_warm_python;
    }
    argv[k++] = p->file;
    argv[k++] = p->handler;
    argv[k++] = p->fname;
    argv[k] = NULL;

    /* A forwarded signal must not fall between the spawn and the
     * registration (children.c). */
    sigset_t old;
    asl_children_block_signals(&old);
    pid_t pid;
    int rc = posix_spawnp(&pid, p->interp, &fa, &at, (char *const *)argv, environ);
    int slot = rc == 0 ? asl_children_add(pid) : -1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(rq[0]);
    close(rs[1]);
    if (rc != 0) {
        close(rq[1]);
        close(rs[0]);
        errno = rc;
        return NULL;
    }
#ifdef SYS_pidfd_open
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) fcntl(pidfd, F_SETFD, FD_CLOEXEC);
#endif
    return new_worker(pid, rq[1], rs[0], pidfd, slot, NULL);
}

/* Whether w has exited (it may have been killed while idle). */
static bool worker_gone(const worker *w)
{
    if (w->pidfd >= 0) {
        struct pollfd p = {.fd = w->pidfd, .events = POLLIN};
        return poll(&p, 1, 0) > 0;
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
    return si.si_pid == w->pid;
}

/* ---- the pools ------------------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = asl_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

/* Under mu. */
static pool *find_pool(bool node, const char *interp, const char *file, const char *handler,
                       const char *fname)
{
    for (pool *p = pools; p; p = p->next)
        if (p->node == node && !strcmp(p->interp, interp) && !strcmp(p->file, file) &&
            !strcmp(p->handler, handler) && !strcmp(p->fname, fname))
            return p;
    pool *p = asl_xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    p->node = node;
    p->interp = dup_str(interp);
    p->file = dup_str(file);
    p->handler = dup_str(handler);
    p->fname = dup_str(fname);
    p->next = pools;
    pools = p;
    return p;
}

/* Under mu: moves the idle workers of every pool that have been idle for too
 * long (or, when want_one, the oldest idle one of any pool other than keep)
 * to *out, to be retired once mu is released. */
static void collect_stale(double now, worker **out, const pool *keep, bool want_one)
{
    worker **oldest = NULL;
    for (pool *p = pools; p; p = p->next) {
        for (worker **pw = &p->idle; *pw;) {
            worker *w = *pw;
            if (now - w->idle_since > idle_limit) {
                *pw = w->next;
                w->next = *out;
                *out = w;
                continue;
            }
            if (want_one && p != keep && (!oldest || w->idle_since < (*oldest)->idle_since))
                oldest = pw;
            pw = &w->next;
        }
    }
    if (want_one && oldest && !*out) {
        worker *w = *oldest;
        *oldest = w->next;
        w->next = *out;
        *out = w;
    }
}

static void retire_list(worker *l)
{
    while (l) {
        worker *n = l->next;
        retire(l, NULL);
        l = n;
    }
}

/* A worker of p for one call: an idle one, or a new one.  NULL when the
 * deadline passed while every worker was busy (*timed_out), or a worker
 * could not be started (errno). */
static worker *take(pool *p, double deadline, bool echo, bool *timed_out)
{
    *timed_out = false;
    for (;;) {
        worker *stale = NULL, *w = NULL;
        bool start = false;
        pthread_mutex_lock(&mu);
        for (;;) {
            double now = asl_now_monotonic();
            collect_stale(now, &stale, p, false);
            if (p->idle) {
                w = p->idle;
                p->idle = w->next;
                break;
            }
            if (live < max_live) {
                live++;
                start = true;
                break;
            }
            /* At the bound: an idle worker of another function makes room. */
            collect_stale(now, &stale, p, true);
            if (stale) break;
            if (deadline > 0) {
                double left = deadline - now;
                if (left <= 0) {
                    *timed_out = true;
                    break;
                }
                struct timespec end;
                asl_timespec_after(&end, left);
                pthread_cond_timedwait(&idle_cv, &mu, &end);
            } else {
                pthread_cond_wait(&idle_cv, &mu);
            }
        }
        pthread_mutex_unlock(&mu);
        retire_list(stale);
        if (*timed_out) return NULL;
        if (start) {
            w = spawn_worker(p, echo);
            if (!w) {
                int e = errno;
                pthread_mutex_lock(&mu);
                live--;
                pthread_cond_broadcast(&idle_cv);
                pthread_mutex_unlock(&mu);
                errno = e;
            }
            return w;
        }
        if (!w) continue; /* room was made */
        if (!worker_gone(w)) return w;
        retire(w, NULL); /* died while idle: take another */
    }
}

static void give_back(pool *p, worker *w)
{
    pthread_mutex_lock(&mu);
    w->idle_since = asl_now_monotonic();
    w->next = p->idle;
    p->idle = w;
    pthread_cond_broadcast(&idle_cv);
    pthread_mutex_unlock(&mu);
}

/* At exit: every worker's group is killed; the idle ones are reaped (a busy
 * one belongs to a thread still running, which finds it gone). */
static void shutdown_all(void)
{
    worker *l = NULL;
    pthread_mutex_lock(&mu);
    for (worker *w = all; w; w = w->next_all) kill(-w->pid, SIGKILL);
    for (pool *p = pools; p; p = p->next) {
        while (p->idle) {
            worker *w = p->idle;
            p->idle = w->next;
            w->next = l;
            l = w;
        }
    }
    pthread_mutex_unlock(&mu);
    retire_list(l);
    for (zygote *z = zygotes; z; z = z->next) zygote_break(z);
}

/* ---- one call ------------------------------------------------------------------------ */

typedef enum { CALL_OK, CALL_TIMEOUT, CALL_EXITED, CALL_IO, CALL_TOO_BIG, CALL_BAD } call_end;

/* Whether resp holds the whole response (*hdr_len: its header's length).
 * *bad on a broken frame. */
static bool response_ready(asl_buf *resp, size_t *hdr_len, call_end *bad)
{
    {
        const char *nl = resp->len ? memchr(resp->data, '\n', resp->len) : NULL;
        if (!nl) {
            if (resp->len > 32) *bad = CALL_BAD;
            return false;
        }
        char *end;
        unsigned long long n = strtoull(resp->data + 1, &end, 10);
        if (end != nl) {
            *bad = CALL_BAD;
            return false;
        }
        if (n > MAX_RESPONSE) {
            *bad = CALL_TOO_BIG;
            return false;
        }
        size_t h = (size_t)(nl - resp->data) + 1;
        if (resp->len < h + n) return false;
        *hdr_len = h;
        if (resp->len != h + n) *bad = CALL_BAD;
        return resp->len == h + n;
    }
}

/* Sends the frame (head, body) to w and reads its response into *resp
 * (header included); *hdr_len gets the header's length. */
static call_end exchange(worker *w, const char *head, size_t head_len, const char *body,
                         size_t body_len, double deadline, asl_buf *resp, size_t *hdr_len,
                         int *io_errno)
{
    size_t total = head_len + body_len, sent = 0;
    call_end bad = CALL_OK;
    char chunk[65536];
    for (;;) {
        /* Write what the pipe takes now. */
        while (sent < total) {
            struct iovec iov[2];
            int n = 0;
            if (sent < head_len)
                iov[n++] = (struct iovec){(void *)(head + sent), head_len - sent};
            size_t boff = sent > head_len ? sent - head_len : 0;
            if (body_len > boff) iov[n++] = (struct iovec){(void *)(body + boff), body_len - boff};
            ssize_t wr = writev(w->req, iov, n);
            if (wr > 0) {
                sent += (size_t)wr;
                continue;
            }
            if (wr < 0 && errno == EINTR) continue;
            if (wr < 0 && errno == EAGAIN) break;
            return CALL_EXITED; /* EPIPE: the worker is gone */
        }
        /* Read what is there. */
        for (;;) {
            ssize_t got = read(w->resp, chunk, sizeof chunk);
            if (got > 0) {
                asl_buf_put(resp, chunk, (size_t)got);
                if (response_ready(resp, hdr_len, &bad)) return CALL_OK;
                if (bad != CALL_OK) return bad;
                continue;
            }
            if (got < 0 && errno == EINTR) continue;
            if (got == 0) return CALL_EXITED;
            if (errno == EAGAIN) break;
            *io_errno = errno;
            return CALL_IO;
        }
        int tmo = -1;
        if (deadline > 0) {
            double left = deadline - asl_now_monotonic();
            if (left <= 0) return CALL_TIMEOUT;
            double ms = ceil(left * 1000.0);
            tmo = ms > INT_MAX ? INT_MAX : (int)ms;
        }
        if (w->pidfd < 0 && (tmo < 0 || tmo > 20)) tmo = 20;
        struct pollfd pf[3];
        int n = 0;
        pf[n++] = (struct pollfd){.fd = w->resp, .events = POLLIN};
        if (sent < total) pf[n++] = (struct pollfd){.fd = w->req, .events = POLLOUT};
        int ipid = -1;
        if (w->pidfd >= 0) ipid = n, pf[n++] = (struct pollfd){.fd = w->pidfd, .events = POLLIN};
        int r = poll(pf, (nfds_t)n, tmo);
        if (r < 0 && errno != EINTR) {
            *io_errno = errno;
            return CALL_IO;
        }
        bool exited = ipid >= 0 ? (r > 0 && pf[ipid].revents) : (r == 0 && worker_gone(w));
        if (exited) {
            /* What it wrote before it went is in the pipe: take it. */
            ssize_t got;
            while ((got = read(w->resp, chunk, sizeof chunk)) > 0)
                asl_buf_put(resp, chunk, (size_t)got);
            return response_ready(resp, hdr_len, &bad) ? CALL_OK : CALL_EXITED;
        }
    }
}

/* A request header field: tabs and line ends would break the framing. */
static void put_field(asl_buf *b, const char *s)
{
    for (; *s; s++) asl_buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
    asl_buf_putc(b, '\t');
}

static bool is_error_object(const asl_value *v)
{
    if (!v || v->type != ASL_OBJECT) return false;
    const asl_value *t = asl_object_get(v, "errorType", 9);
    const asl_value *m = asl_object_get(v, "errorMessage", 12);
    return t && t->type == ASL_STRING && t->len > 0 && m && m->type == ASL_STRING;
}

/* Runtime.ExitError as Lambda reports a runtime that exited during an
 * invocation: Error the errorType, Cause the error object. */
static asl_value *exit_error(asl_exec *x, const asl_task_call *c, int st)
{
    asl_arena *a = asl_exec_arena(x);
    char how[64];
    if (st == -1) {
        snprintf(how, sizeof how, "%s", "");
    } else if (WIFSIGNALED(st)) {
        const char *name = sigabbrev_np(WTERMSIG(st));
        const char *desc = sigdescr_np(WTERMSIG(st));
        snprintf(how, sizeof how, "signal: %s", desc ? desc : name ? name : "unknown");
        for (char *q = how + 8; *q; q++) *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
    } else {
        snprintf(how, sizeof how, "exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    asl_value *o = asl_object(a, 2);
    asl_object_append_lit(a, o, "errorType", 9, asl_cstring(a, "Runtime.ExitError"));
    asl_object_append_lit(a, o, "errorMessage", 12,
                          asl_cstring(a, st == -1
                                             ? asl_sprintf(a, "RequestId: %s Error: Runtime exited "
                                                              "without providing a reason",
                                                           c->request_id)
                                             : asl_sprintf(a, "RequestId: %s Error: Runtime exited "
                                                              "with error: %s",
                                                           c->request_id, how)));
    return asl_fail(x, "Runtime.ExitError", asl_json_string(a, o, NULL));
}

static bool logs_echoed(void)
{
    const char *e = getenv("ASL_TASK_LOGS");
    if (e && *e) return strcmp(e, "0") != 0;
    return isatty(2);
}

asl_value *asl_warm_call(asl_exec *x, const asl_binding *b, const asl_task_call *c,
                         asl_value *event)
{
    pthread_once(&once, setup);
    asl_arena *a = asl_exec_arena(x);
    bool node = b->kind == ASL_BIND_NODE;
    const char *kind = node ? "node" : "python";
    double now = asl_now_monotonic();
    if (c->deadline > 0 && now >= c->deadline) return asl_task_timed_out(x, c);

    const char *interp = b->argv && b->argv[0] ? b->argv[0] : node ? "node" : "python3";
    const char *handler = b->handler ? b->handler : node ? "handler" : "lambda_handler";
    pthread_mutex_lock(&mu);
    pool *p = find_pool(node, interp, b->python_file, handler, c->function_name);
    pthread_mutex_unlock(&mu);

    bool echo = logs_echoed(), timed_out;
    asl_blocking_begin(x);
    worker *w = take(p, c->deadline, echo, &timed_out);
    if (!w) {
        int e = errno;
        asl_blocking_end(x);
        if (timed_out) return asl_task_timed_out(x, c);
        char eb[128];
        const char *s = strerror_r(e, eb, sizeof eb);
        return asl_failf(x, "States.TaskFailed", "cannot run %s handler %s: %s", kind,
                         b->python_file, s);
    }

    /* The frame: header fields, then the event. */
    long ms = LAMBDA_MAX_MS;
    if (c->deadline > 0) {
        double left = (c->deadline - asl_now_monotonic()) * 1000.0;
        ms = left > LAMBDA_MAX_MS ? LAMBDA_MAX_MS : left < 0 ? 0 : (long)left;
    }
    asl_buf body, head, resp;
    asl_buf_init(&body);
    asl_buf_init(&head);
    asl_buf_init(&resp);
    asl_json_write(&body, event);
    put_field(&head, c->request_id);
    put_field(&head, c->function_name);
    put_field(&head, c->function_arn);
    asl_buf_printf(&head, "%ld\t%zu\n", ms, body.len);

    /* SIGPIPE from a worker that died must not kill us (task_proc.c does the
     * same): blocked in this thread, consumed if raised. */
    sigset_t pipe_set, old_mask;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    size_t hdr_len = 0;
    int io_errno = 0;
    call_end how = exchange(w, head.data, head.len, body.data ? body.data : "", body.len,
                            c->deadline, &resp, &hdr_len, &io_errno);
    if (!sigismember(&old_mask, SIGPIPE)) {
        sigset_t pend;
        if (sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE)) {
            struct timespec zero = {0, 0};
            while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    asl_buf_free(&body);
    asl_buf_free(&head);

    char tag = how == CALL_OK ? resp.data[0] : 0;
    int st = 0;
    if (how == CALL_OK && tag == 'R')
        give_back(p, w);
    else if (how == CALL_OK && tag == 'E')
        give_back(p, w);
    else
        retire(w, &st);
    asl_blocking_end(x);

    asl_value *result = NULL;
    asl_json_error jerr;
    switch (how) {
    case CALL_OK: {
        asl_value *v = asl_json_parse(a, resp.data + hdr_len, resp.len - hdr_len, &jerr);
        if (!v)
            asl_failf(x, "States.TaskFailed", "%s handler %s: the result is not valid JSON: %s",
                      kind, b->python_file, jerr.msg);
        else if (tag == 'R')
            result = v;
        else if (is_error_object(v)) {
            const asl_value *t = asl_object_get(v, "errorType", 9);   /* counted: may hold U+0000 */
            size_t n;
            const char *cause = asl_json_string(a, v, &n);
            asl_fail_n(x, t->u.str, t->len, cause, n);
        } else {
            asl_failf(x, "States.TaskFailed", "%s handler %s: malformed error report", kind,
                      b->python_file);
        }
        break;
    }
    case CALL_TIMEOUT:
        asl_task_timed_out(x, c);
        break;
    case CALL_EXITED:
        exit_error(x, c, st);
        break;
    case CALL_IO: {
        char eb[128];
        const char *s = strerror_r(io_errno, eb, sizeof eb);
        asl_failf(x, "States.TaskFailed", "%s handler %s: I/O error: %s", kind, b->python_file, s);
        break;
    }
    case CALL_TOO_BIG:
    case CALL_BAD:
        asl_failf(x, "States.TaskFailed", "%s handler %s: the worker broke the framing", kind,
                  b->python_file);
        break;
    }
    asl_buf_free(&resp);
    return result;
}
