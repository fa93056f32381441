/*
 * task_proc.c — "command" Task handlers: one child process per call.
 *
 * A command binding is an argv; the task input JSON goes to its stdin, its
 * result JSON comes back on its stdout (see docs/tasks.md for the contract).
 * python and node handlers stay loaded between calls instead (warm.c).
 *
 * One call = one child.  The parent writes stdin and drains stdout and stderr
 * in a single poll() loop, so neither side can block the other whatever the
 * sizes; the child is always reaped; every descriptor is close-on-exec from
 * birth, because Parallel and Map run tasks on several threads at once and a
 * descriptor inherited by a sibling's child would keep a pipe open (no EOF).
 * The deadline (the task's TimeoutSeconds, or the execution's) is enforced by
 * SIGKILL.
 *
 * Nothing here touches process-wide state: SIGPIPE is blocked only in the
 * calling thread while it writes, and a pending one is consumed before the
 * mask is restored, so a child that exits without reading its input cannot
 * kill the workflow and no global signal disposition changes.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A handler's stdout is held in memory and parsed; this bounds it.  AWS caps
 * a Lambda response at 6 MB and a state's data at 256 KiB, so anything near
 * this size is a runaway handler. */
#define MAX_STDOUT ((size_t)64 << 20)
/* Only the tail of stderr is kept (for the Cause of a failed command), and a
 * Cause is at most 32768 characters on AWS. */
#define KEEP_STDERR ((size_t)32768)
/* ---- finding programs ------------------------------------------------------- */

static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *asl_find_executable(const char *name)
{
    if (!name || !*name) return NULL;
    if (strchr(name, '/')) {
        if (!is_executable_file(name)) return NULL;
        size_t n = strlen(name);
        char *p = asl_xmalloc(n + 1);
        memcpy(p, name, n + 1);
        return p;
    }
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    size_t nlen = strlen(name);
    for (const char *d = path;;) {
        const char *end = strchr(d, ':');
        size_t dlen = end ? (size_t)(end - d) : strlen(d);
        /* An empty PATH element means the current directory. */
        char *cand = asl_xmalloc(dlen + nlen + 3);
        if (dlen) {
            memcpy(cand, d, dlen);
            cand[dlen] = '/';
            memcpy(cand + dlen + 1, name, nlen + 1);
        } else {
            memcpy(cand, "./", 2);
            memcpy(cand + 2, name, nlen + 1);
        }
        if (is_executable_file(cand)) return cand;
        free(cand);
        if (!end) break;
        d = end + 1;
    }
    return NULL;
}

/* ---- running a child -------------------------------------------------------- */

typedef struct {
    const char *const *argv;
    const char *input;
    size_t input_len;
    double deadline;           /* monotonic; 0 = none */
    bool echo_stderr;          /* copy the child's stderr to ours as it comes */
} proc_req;

typedef struct {
    int spawn_errno;           /* posix_spawn failed with this; the rest is unset */
    int io_errno;              /* pipe/poll failure */
    int status;                /* waitpid status */
    bool timed_out;
    bool too_big;              /* stdout passed MAX_STDOUT */
    asl_buf out;
    asl_buf err;               /* the tail of stderr */
} proc_res;

static void msg_errno(char *buf, size_t n, int e)
{
    /* strerror is not thread-safe; the GNU strerror_r may return a static
     * string instead of filling buf. */
    const char *s = strerror_r(e, buf, n);
    if (s != buf) snprintf(buf, n, "%s", s);
}

/* A pipe whose ends are close-on-exec and not 0, 1 or 2: posix_spawn's dup2
 * onto a descriptor that already has the target number would not clear
 * FD_CLOEXEC on every C library, and the child would lose its stdin. */
static int make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fds[0] = fds[1] = -1;
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i] > 2) continue;
        int nfd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        if (nfd < 0) {
            int e = errno;
            close(fds[0]);
            close(fds[1]);
            fds[0] = fds[1] = -1;
            errno = e;
            return -1;
        }
        close(fds[i]);
        fds[i] = nfd;
    }
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void keep_tail(asl_buf *b, const char *s, size_t n)
{
    asl_buf_put(b, s, n);
    if (b->len > 2 * KEEP_STDERR) {
        memmove(b->data, b->data + b->len - KEEP_STDERR, KEEP_STDERR);
        b->len = KEEP_STDERR;
    }
}

/* Reaps pid, which has exited or was killed. */
static void reap(pid_t pid, proc_res *res)
{
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR) {
    }
    res->status = r == pid ? st : 0;
}

/* Whether pid has exited, without reaping it (its pid, and so its process
 * group's id, stays reserved until the group is killed and it is reaped). */
static bool exited_yet(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) return errno != EINTR;
    return si.si_pid == pid;
}

/* Reads what fd holds now, without waiting for more.  false at its end. */
static bool drain(int fd, proc_res *res, bool is_out, bool echo, char *chunk, size_t n)
{
    for (;;) {
        ssize_t got = read(fd, chunk, n);
        if (got > 0) {
            if (is_out) {
                asl_buf_put(&res->out, chunk, (size_t)got);
                if (res->out.len > MAX_STDOUT) {
                    res->too_big = true;
                    return false;
                }
            } else {
                if (echo && write(2, chunk, (size_t)got) < 0) {
                }
                keep_tail(&res->err, chunk, (size_t)got);
            }
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        return got < 0 && errno == EAGAIN;
    }
}

/* The three pipes of a call; on EMFILE, once other calls give theirs back,
 * again (asl_children_short_of_fds).  0, or the errno of the failure. */
static int make_pipes(int in[2], int out[2], int err[2], double deadline)
{
    for (;;) {
        if (!asl_children_acquire(deadline)) return ETIMEDOUT;
        if (!make_pipe(in) && !make_pipe(out) && !make_pipe(err)) return 0;
        int e = errno;
        close_fd(&in[0]), close_fd(&in[1]), close_fd(&out[0]), close_fd(&out[1]);
        close_fd(&err[0]), close_fd(&err[1]);
        if ((e != EMFILE && e != ENFILE) || !asl_children_short_of_fds()) {
            if (e != EMFILE && e != ENFILE) asl_children_release();
            return e;
        }
    }
}

/* Runs req->argv with the input on stdin, in a process group of its own.
 * The call ends when the handler exits, with what it wrote by then: a
 * process it left in the background holding its stdout does not keep the
 * call waiting (nor outlives it: the group is killed when the call ends).
 * Returns with res filled; the buffers are always initialised (free them
 * with asl_buf_free). */
static void proc_run(const proc_req *req, proc_res *res)
{
    memset(res, 0, sizeof *res);
    asl_buf_init(&res->out);
    asl_buf_init(&res->err);

    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    int e = make_pipes(in, out, err, req->deadline);
    if (e == ETIMEDOUT) {
        res->timed_out = true;
        return;
    }
    if (e) {
        res->spawn_errno = e;
        return;
    }

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    /* its own process group, signals at their defaults (children.c) */
    posix_spawnattr_t at;
    asl_children_spawnattr(&at);

    /* SIGPIPE, if the child closes its stdin early, must not kill us. */
    sigset_t pipe_set, old_mask, sig_mask;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

    /* Between the spawn and the registration, a forwarded signal would miss
     * the child: it waits (in this thread) until the child is registered. */
    asl_children_block_signals(&sig_mask);
    pid_t pid;
    int rc = posix_spawnp(&pid, req->argv[0], &fa, &at, (char *const *)req->argv, environ);
    int slot = rc == 0 ? asl_children_add(pid) : -1;
    pthread_sigmask(SIG_SETMASK, &sig_mask, NULL);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&err[1]);
    if (rc != 0) {
        res->spawn_errno = rc;
        close_fd(&in[1]), close_fd(&out[0]), close_fd(&err[0]);
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        asl_children_release();
        return;
    }

    /* The child's exit wakes poll through a pidfd; without one (an old
     * kernel, no descriptor left), poll wakes every 20 ms to look. */
#ifdef SYS_pidfd_open
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) fcntl(pfd, F_SETFD, FD_CLOEXEC);
#else
    int pfd = -1;
#endif
    int fin = in[1], fout = out[0], ferr = err[0];
    set_nonblock(fin);
    set_nonblock(fout);
    set_nonblock(ferr);
    size_t woff = 0;
    if (req->input_len == 0) close_fd(&fin);
    char chunk[65536];

    /* Until the child exits (a child that closes its stdout early may still
     * run, and its exit status counts), the deadline, or a failure. */
    for (;;) {
        int tmo = -1;
        if (req->deadline > 0) {
            double left = req->deadline - asl_now_monotonic();
            if (left <= 0) {
                res->timed_out = true;
                break;
            }
            double ms = ceil(left * 1000.0);
            tmo = ms > INT_MAX ? INT_MAX : (int)ms;
        }
        if (pfd < 0 && (tmo < 0 || tmo > 20)) tmo = 20;
        struct pollfd p[4];
        int n = 0, iin = -1, iout = -1, ierr = -1, ipid = -1;
        if (fin >= 0) iin = n, p[n++] = (struct pollfd){.fd = fin, .events = POLLOUT};
        if (fout >= 0) iout = n, p[n++] = (struct pollfd){.fd = fout, .events = POLLIN};
        if (ferr >= 0) ierr = n, p[n++] = (struct pollfd){.fd = ferr, .events = POLLIN};
        if (pfd >= 0) ipid = n, p[n++] = (struct pollfd){.fd = pfd, .events = POLLIN};
        int r = poll(p, (nfds_t)n, tmo);
        if (r < 0) {
            if (errno == EINTR) continue;
            res->io_errno = errno;
            break;
        }
        if (iin >= 0 && p[iin].revents) {
            ssize_t w = write(fin, req->input + woff, req->input_len - woff);
            if (w > 0) {
                woff += (size_t)w;
                if (woff == req->input_len) close_fd(&fin);
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                /* EPIPE: the child does not want (the rest of) its input. */
                close_fd(&fin);
            }
        }
        if (iout >= 0 && p[iout].revents && !drain(fout, res, true, false, chunk, sizeof chunk)) {
            close_fd(&fout);
            if (res->too_big) break;
        }
        if (ierr >= 0 && p[ierr].revents &&
            !drain(ferr, res, false, req->echo_stderr, chunk, sizeof chunk))
            close_fd(&ferr);
        if (ipid >= 0 ? p[ipid].revents != 0 : exited_yet(pid)) {
            /* All the child wrote is in the pipes now: take it, and end the
             * call whoever else still holds them. */
            if (fout >= 0) drain(fout, res, true, false, chunk, sizeof chunk);
            if (ferr >= 0) drain(ferr, res, false, req->echo_stderr, chunk, sizeof chunk);
            break;
        }
    }
    /* The call is over: its process group goes, leader and leftovers (the
     * leader, exited or not, still holds the group's id until reaped). */
    kill(-pid, SIGKILL);
    asl_children_remove(slot);
    if (pfd >= 0) close(pfd);
    close_fd(&fin);
    close_fd(&fout);
    close_fd(&ferr);
    reap(pid, res);
    asl_children_release();

    /* Consume a SIGPIPE our writes raised before unblocking it, unless the
     * caller had it blocked already (then it is not ours to take). */
    if (!sigismember(&old_mask, SIGPIPE)) {
        sigset_t pend;
        if (sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE)) {
            struct timespec zero = {0, 0};
            while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
}

/* ---- turning the outcome into a result or an error ------------------------- */

/* Copies s into the arena as valid UTF-8 (invalid bytes become U+FFFD), since
 * a Cause ends up in JSON output. */
static char *utf8_clean(asl_arena *a, const char *s, size_t n)
{
    asl_buf b;
    asl_buf_init(&b);
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len > 0 && (size_t)(end - p) >= len && !(c == 0 && len == 1);
        for (size_t i = 1; ok && i < len; i++) ok = (p[i] & 0xC0) == 0x80;
        if (ok && len == 2) ok = c >= 0xC2;
        if (ok && len == 3) {
            unsigned cp = ((c & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = ((c & 0x07) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                          (p[3] & 0x3Fu);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (ok) {
            asl_buf_put(&b, (const char *)p, len);
            p += len;
        } else {
            asl_buf_put(&b, "\xEF\xBF\xBD", 3);
            p++;
        }
    }
    char *r = asl_strndup(a, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}

/* The trimmed stderr tail, or NULL when it is blank. */
static char *stderr_cause(asl_arena *a, const asl_buf *err)
{
    const char *s = err->data;
    size_t n = err->len;
    while (n && (unsigned char)*s <= ' ') s++, n--;
    while (n && (unsigned char)s[n - 1] <= ' ') n--;
    if (!n) return NULL;
    if (n > KEEP_STDERR) {
        s += n - KEEP_STDERR;
        n = KEEP_STDERR;
        while (n && ((unsigned char)*s & 0xC0) == 0x80) s++, n--; /* whole characters */
    }
    return utf8_clean(a, s, n);
}

/* A Lambda-style error object: {"errorType": "...", "errorMessage": "...", ...}. */
static bool is_error_object(const asl_value *v)
{
    if (!v || v->type != ASL_OBJECT) return false;
    const asl_value *t = asl_object_get(v, "errorType", 9);
    const asl_value *m = asl_object_get(v, "errorMessage", 12);
    return t && t->type == ASL_STRING && t->len > 0 && m && m->type == ASL_STRING;
}

/* Fails x the way Step Functions reports a Lambda function error: Error is the
 * errorType, Cause the error object as compact JSON. */
static asl_value *fail_error_object(asl_exec *x, const asl_value *obj)
{
    asl_arena *a = asl_exec_arena(x);
    const asl_value *t = asl_object_get(obj, "errorType", 9);
    size_t n;
    const char *cause = asl_json_string(a, obj, &n);
    return asl_fail_n(x, t->u.str, t->len, cause, n);   /* errorType may hold a U+0000 */
}

static asl_value *parse_output(asl_exec *x, const char *s, size_t n, asl_json_error *jerr)
{
    return asl_json_parse(asl_exec_arena(x), s, n, jerr);
}

/* "the output starts with: ..." for a cause, in whole characters. */
static char *output_excerpt(asl_arena *a, const char *s, size_t n)
{
    while (n && (unsigned char)s[n - 1] <= ' ') n--;
    size_t k = n < 80 ? n : 80;
    while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    char *clean = utf8_clean(a, s, k);
    return asl_sprintf(a, "%s%s", clean, k < n ? "..." : "");
}

/* A handler's log lines (what it writes on stderr) are worth seeing, as
 * CloudWatch shows them; but a workflow binary's stderr is otherwise only its
 * one-line {"Error", "Cause"} report, which scripts parse.  So they are shown
 * on a terminal, and ASL_TASK_LOGS=1 / =0 forces the choice. */
static bool echo_stderr(void)
{
    const char *e = getenv("ASL_TASK_LOGS");
    if (e && *e) return strcmp(e, "0") != 0;
    return isatty(2);
}

asl_value *asl_task_timed_out(asl_exec *x, const asl_task_call *c)
{
    if (c->deadline_is_exec) return asl_fail(x, "States.Timeout", "The execution timed out.");
    if (c->deadline_is_heartbeat)
        return asl_failf(x, "States.HeartbeatTimeout",
                         "Task sent no heartbeat within %g seconds.", c->timeout);
    return asl_failf(x, "States.Timeout", "Task timed out after %g seconds.", c->timeout);
}

asl_value *asl_task_process(asl_exec *x, const asl_binding *b, const asl_task_call *c,
                            asl_value *event)
{
    asl_arena *a = asl_exec_arena(x);

    /* A deadline already behind us: do not start the child at all. */
    if (c->deadline > 0 && asl_now_monotonic() >= c->deadline) return asl_task_timed_out(x, c);

    const char *const *argv = (const char *const *)b->argv;
    const char *what = asl_sprintf(a, "command %s", b->argv[0]);

    asl_buf in;
    asl_buf_init(&in);
    asl_json_write(&in, event);
    proc_req req = {argv, in.data, in.len, c->deadline, echo_stderr()};
    proc_res res;
    /* The thread only waits for the child: let the pool run others meanwhile. */
    asl_blocking_begin(x);
    proc_run(&req, &res);
    asl_blocking_end(x);
    asl_buf_free(&in);

    asl_value *result = NULL;
    char ebuf[128];
    if (res.spawn_errno) {
        msg_errno(ebuf, sizeof ebuf, res.spawn_errno);
        asl_failf(x, "States.TaskFailed", "cannot run %s: %s", what, ebuf);
        goto done;
    }
    if (res.timed_out) {
        asl_task_timed_out(x, c);
        goto done;
    }
    if (res.io_errno) {
        msg_errno(ebuf, sizeof ebuf, res.io_errno);
        asl_failf(x, "States.TaskFailed", "%s: I/O error: %s", what, ebuf);
        goto done;
    }
    if (res.too_big) {
        asl_failf(x, "States.TaskFailed", "%s: its output exceeds %zu bytes", what, MAX_STDOUT);
        goto done;
    }

    int st = res.status;
    bool exited = WIFEXITED(st);
    int code = exited ? WEXITSTATUS(st) : -1;
    asl_json_error jerr;

    if (exited && code == 0) {
        asl_value *v = parse_output(x, res.out.data ? res.out.data : "", res.out.len, &jerr);
        if (!v) {
            if (res.out.len == 0)
                asl_failf(x, "States.TaskFailed",
                          "%s printed nothing on stdout; it must print its result as JSON", what);
            else
                asl_failf(x, "States.TaskFailed",
                          "%s printed output that is not valid JSON (line %d, column %d: %s); "
                          "the output starts with: %s",
                          what, jerr.line, jerr.col, jerr.msg,
                          output_excerpt(a, res.out.data, res.out.len));
        } else if (is_error_object(v)) {
            fail_error_object(x, v);
        } else {
            result = v;
        }
        goto done;
    } else if (res.out.len) {
        /* A command that reports a Lambda-style error and also exits non-zero:
         * the error object is the more precise report. */
        asl_value *v = parse_output(x, res.out.data, res.out.len, &jerr);
        if (is_error_object(v)) {
            fail_error_object(x, v);
            goto done;
        }
    }

    char *cause = stderr_cause(a, &res.err);
    if (!cause) {
        if (exited)
            cause = asl_sprintf(a, "%s exited with status %d", what, code);
        else if (WIFSIGNALED(st))
            cause = asl_sprintf(a, "%s was killed by signal %d", what, WTERMSIG(st));
        else
            cause = asl_sprintf(a, "%s ended abnormally", what);
    }
    asl_fail(x, "States.TaskFailed", cause);

done:
    asl_buf_free(&res.out);
    asl_buf_free(&res.err);
    return result;
}
