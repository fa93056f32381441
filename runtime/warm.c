/*
 * warm.c — python and node handlers in persistent worker processes, as AWS
 * keeps a Lambda function's container warm between invocations.
 *
 * A worker is an interpreter running the program of warm_workers.c: it loads
 * the handler's module once and then serves calls, one at a time, over two
 * pipes with the framing described there.  Module-level state (clients,
 * caches, counters) persists between calls, as in a warm Lambda.
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
#define REPORT_WAIT 2.0                  /* seconds to wait for a wrapper's report (pool.script) */

typedef struct worker {
    pid_t pid;              /* also its process group */
    int req;                /* write end of its request pipe (non-blocking) */
    int resp;               /* read end of its response pipe (non-blocking) */
    int pidfd;              /* readable when it exits; -1 without pidfd_open */
    int slot;               /* children.c registry */
    double idle_since;      /* monotonic, while in its pool's idle list */
    struct worker *next;    /* idle list, most recently used first */
    struct worker *prev_all, *next_all; /* every live worker (under mu), for exit */
} worker;

typedef struct pool {
    struct pool *next;
    bool node;
    char *interp, *file, *handler, *fname; /* the key, malloc'd */
    worker *idle;
    /* python through a wrapper script (pyenv's shims, ~60 ms of bash per
     * start): the first worker reports the interpreter the script ran and
     * its environment, and later workers start that directly. */
    bool script;            /* interp starts with "#!" */
    bool asked;             /* a worker was started to report it */
    double asked_at;        /* monotonic: when; others wait for it a while */
    char *exe;              /* what it reported, or NULL */
    char **envp;
} pool;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cv;  /* CLOCK_MONOTONIC: a worker went idle or away */
static pool *pools;
static worker *all;             /* every worker started and not yet retired */
static uint32_t live;           /* workers started and not yet retired */
static uint32_t max_live;       /* from RLIMIT_NOFILE, at the first call */
static double idle_limit;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void shutdown_all(void);

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

/* Starts a worker of p; NULL with errno set when it cannot. */
static worker *spawn_worker(const pool *p, bool echo, const char *exe, char **envp, bool report)
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
    posix_spawnattr_init(&at);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
    const char *argv[9];
    int k = 0;
    argv[k++] = exe;
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
    if (report) argv[k++] = "report";
    argv[k] = NULL;

    /* A forwarded signal must not fall between the spawn and the
     * registration (children.c). */
    sigset_t old;
    asl_children_block_signals(&old);
    pid_t pid;
    int rc = posix_spawnp(&pid, exe, &fa, &at, (char *const *)argv, envp);
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
    worker *w = asl_xmalloc(sizeof *w);
    memset(w, 0, sizeof *w);
    w->pid = pid;
    w->req = rq[1];
    w->resp = rs[0];
    w->slot = slot;
#ifdef SYS_pidfd_open
    w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (w->pidfd >= 0) fcntl(w->pidfd, F_SETFD, FD_CLOEXEC);
#else
    w->pidfd = -1;
#endif
    set_nonblock(w->req);
    set_nonblock(w->resp);
    pthread_mutex_lock(&mu);
    w->next_all = all;
    if (all) all->prev_all = w;
    all = w;
    pthread_mutex_unlock(&mu);
    return w;
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
    if (!node) {
        char magic[2] = {0, 0};
        int fd = open(interp, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            p->script = read(fd, magic, 2) == 2 && magic[0] == '#' && magic[1] == '!';
            close(fd);
        }
    }
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
        bool start = false, report = false;
        const char *exe = p->interp;
        char **envp = environ;
        pthread_mutex_lock(&mu);
        for (;;) {
            double now = asl_now_monotonic();
            collect_stale(now, &stale, p, false);
            if (p->idle) {
                w = p->idle;
                p->idle = w->next;
                break;
            }
            /* Until the first worker's report (or REPORT_WAIT), starting
             * more through the script would only compete with it. */
            if (live < max_live && p->script && p->asked && !p->exe &&
                now < p->asked_at + REPORT_WAIT) {
                double until = p->asked_at + REPORT_WAIT;
                if (deadline > 0 && deadline < until) until = deadline;
                struct timespec end;
                asl_timespec_after(&end, until - now);
                pthread_cond_timedwait(&idle_cv, &mu, &end);
                if (deadline > 0 && asl_now_monotonic() >= deadline) {
                    *timed_out = true;
                    break;
                }
                continue;
            }
            if (live < max_live) {
                live++;
                start = true;
                if (p->exe) {
                    exe = p->exe;
                    envp = p->envp;
                } else if (p->script && !p->asked) {
                    p->asked = report = true;
                    p->asked_at = now;
                }
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
            w = spawn_worker(p, echo, exe, envp, report);
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
}

/* ---- one call ------------------------------------------------------------------------ */

typedef enum { CALL_OK, CALL_TIMEOUT, CALL_EXITED, CALL_IO, CALL_TOO_BIG, CALL_BAD } call_end;

/* A worker's hello (warm_workers.c): {"exe": PATH, "env": {NAME: VALUE}}. */
static void record_hello(pool *p, const char *s, size_t n)
{
    asl_arena *a = asl_arena_new();
    asl_json_error jerr;
    asl_value *v = asl_json_parse(a, s, n, &jerr);
    const asl_value *exe = v && v->type == ASL_OBJECT ? asl_object_get(v, "exe", 3) : NULL;
    const asl_value *env = v && v->type == ASL_OBJECT ? asl_object_get(v, "env", 3) : NULL;
    if (exe && exe->type == ASL_STRING && exe->len && exe->u.str[0] == '/' && env &&
        env->type == ASL_OBJECT && access(exe->u.str, X_OK) == 0) {
        char **envp = asl_xmalloc((env->len + 1) * sizeof *envp);
        uint32_t k = 0;
        for (uint32_t i = 0; i < env->len; i++) {
            const asl_member *m = &env->u.o.members[i];
            if (m->val->type != ASL_STRING) continue;
            size_t kl = strlen(m->key), vl = strlen(m->val->u.str);
            envp[k] = asl_xmalloc(kl + vl + 2);
            memcpy(envp[k], m->key, kl);
            envp[k][kl] = '=';
            memcpy(envp[k] + kl + 1, m->val->u.str, vl + 1);
            k++;
        }
        envp[k] = NULL;
        pthread_mutex_lock(&mu);
        if (!p->exe) {
            p->exe = dup_str(exe->u.str);
            p->envp = envp;
            envp = NULL;
        }
        pthread_cond_broadcast(&idle_cv);
        pthread_mutex_unlock(&mu);
        for (char **e = envp; e && *e; e++) free(*e);
        free(envp);
    }
    asl_arena_free(a);
}

/* Parses the frames in resp: true when the response is complete (*hdr_len
 * its header's length); a hello before it is taken out.  *bad on a broken
 * frame. */
static bool response_ready(pool *p, asl_buf *resp, size_t *hdr_len, call_end *bad)
{
    for (;;) {
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
        if (resp->data[0] != 'H') {
            *hdr_len = h;
            if (resp->len != h + n) *bad = CALL_BAD;
            return resp->len == h + n;
        }
        record_hello(p, resp->data + h, (size_t)n);
        memmove(resp->data, resp->data + h + n, resp->len - h - n);
        resp->len -= h + n;
    }
}

/* Sends the frame (head, body) to w and reads its response into *resp
 * (header included); *hdr_len gets the header's length. */
static call_end exchange(pool *p, worker *w, const char *head, size_t head_len, const char *body,
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
                if (response_ready(p, resp, hdr_len, &bad)) return CALL_OK;
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
            return response_ready(p, resp, hdr_len, &bad) ? CALL_OK : CALL_EXITED;
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
    if (WIFSIGNALED(st)) {
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
                          asl_cstring(a, asl_sprintf(a, "RequestId: %s Error: Runtime exited "
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
    call_end how = exchange(p, w, head.data, head.len, body.data ? body.data : "", body.len,
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
        else if (is_error_object(v))
            asl_fail(x, asl_object_get(v, "errorType", 9)->u.str, asl_json_string(a, v, NULL));
        else
            asl_failf(x, "States.TaskFailed", "%s handler %s: malformed error report", kind,
                      b->python_file);
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
