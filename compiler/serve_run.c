/*
 * serve_run.c — how `aslc serve` compiles a state machine and runs an
 * execution of it: aslc itself, as a child, compiles each definition once
 * into a binary kept in the cache folder under the hash of what it was
 * compiled from; an execution is that binary, run as a child with the input
 * on its stdin and its names in ASL_EXECUTION_ARN / ASL_STATE_MACHINE_ARN.
 * A child process per execution keeps the server alive whatever a workflow
 * or its handlers do.
 */
#define _GNU_SOURCE
#include "serve.h"
#include "aslc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What comes on a Standard execution's channel: lines "C <checkpoint>"
 * and "E <event>" ("U <unit> <event>" from a Parallel branch or Map
 * iteration, "V <unit> <event>" from a Distributed Map's child execution;
 * runtime/history.c); each event is handed to on_event with the checkpoint
 * before it, then acknowledged with one byte.  "R" (a unit's result) and
 * "F" (a fan-out's run failed, acknowledged) go to on_unit. */
typedef struct {
    int fd;
    aslc_link *link;       /* the writing end, shared with serve_task.c */
    const aslc_channel *ch;
    asl_buf line;          /* what came of the line not yet complete */
    char *checkpoint;      /* the last "C" line's, until its event comes */
} chan_state;

static void chan_lines(chan_state *c)
{
    size_t start = 0;
    for (;;) {
        char *nl = c->line.len > start ? memchr(c->line.data + start, '\n', c->line.len - start)
                                       : NULL;
        if (!nl) break;
        const char *l = c->line.data + start;
        size_t n = (size_t)(nl - l);
        if (n >= 2 && l[0] == 'C') {
            free(c->checkpoint);
            c->checkpoint = strndup(l + 2, n - 2);
        } else if (n >= 2 && (l[0] == 'E' || l[0] == 'U' || l[0] == 'V')) {
            /* "U <unit> <event>": a unit's; "V <unit> <event>": a child
             * execution's (runtime/history.c, emit_prev) */
            const char *ev = l + 2, *sp = l[0] != 'E' ? memchr(ev, ' ', n - 2) : NULL;
            char *unit = sp ? strndup(ev, (size_t)(sp - ev)) : NULL;
            if (sp) ev = sp + 1;
            c->ch->on_event(c->ch->ctx, ev, n - (size_t)(ev - l), c->checkpoint, unit, l[0] == 'V');
            free(unit);
            free(c->checkpoint);
            c->checkpoint = NULL;
            /* recorded: the binary may act on it now */
            aslc_link_send(c->link, "A\n", 2, "", 0);
        } else if (n >= 2 && l[0] == 'R') {
            /* not acknowledged: the lines after it are recorded after it,
             * and a unit whose result was lost runs again */
            if (c->ch->on_unit) c->ch->on_unit(c->ch->ctx, l + 2, n - 2);
        } else if (n >= 2 && l[0] == 'F') {
            /* a fan-out's run failed: recorded before the binary goes on */
            if (c->ch->on_unit) c->ch->on_unit(c->ch->ctx, l + 2, n - 2);
            aslc_link_send(c->link, "A\n", 2, "", 0);
        } else if (n >= 2 && (l[0] == 'W' || l[0] == 'X')) {
            aslc_tasks_line(c->link, l[0], l + 2, n - 2);   /* a callback Task */
            aslc_link_send(c->link, "A\n", 2, "", 0);
        }
        start += n + 1;
    }
    memmove(c->line.data, c->line.data + start, c->line.len - start);
    c->line.len -= start;
}

/* Reads fds[0..1] (stdout, stderr of a child) to their ends while writing
 * in to fds[2] (its stdin), and serves the channel c (NULL: none). */
static void pump(int out_fd, int err_fd, int in_fd, const char *in, size_t in_len, asl_buf *out,
                 asl_buf *err, chan_state *c)
{
    size_t off = 0;
    int ch_fd = c ? c->fd : -1;
    if (in_fd >= 0 && in_len == 0) {
        close(in_fd);
        in_fd = -1;
    }
    while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0 || ch_fd >= 0) {
        struct pollfd p[4];
        int n = 0, io = -1, ie = -1, ii = -1, ic = -1;
        if (ch_fd >= 0) p[ic = n++] = (struct pollfd){ch_fd, POLLIN, 0};
        if (out_fd >= 0) p[io = n++] = (struct pollfd){out_fd, POLLIN, 0};
        if (err_fd >= 0) p[ie = n++] = (struct pollfd){err_fd, POLLIN, 0};
        if (in_fd >= 0) p[ii = n++] = (struct pollfd){in_fd, POLLOUT, 0};
        if (poll(p, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        char buf[65536];
        if (ic >= 0 && p[ic].revents) {
            ssize_t k = read(ch_fd, buf, sizeof buf);
            if (k > 0) {
                asl_buf_put(&c->line, buf, (size_t)k);
                chan_lines(c);
            } else if (k == 0 || errno != EINTR) {
                ch_fd = -1;   /* closed by the child's end: its exit */
            }
        }
        if (io >= 0 && p[io].revents) {
            ssize_t k = read(out_fd, buf, sizeof buf);
            if (k > 0) asl_buf_put(out, buf, (size_t)k);
            else { close(out_fd); out_fd = -1; }
        }
        if (ie >= 0 && p[ie].revents) {
            ssize_t k = read(err_fd, buf, sizeof buf);
            if (k > 0) asl_buf_put(err, buf, (size_t)k);
            else { close(err_fd); err_fd = -1; }
        }
        if (ii >= 0 && p[ii].revents) {
            ssize_t k = write(in_fd, in + off, in_len - off);
            if (k > 0) off += (size_t)k;
            if (k <= 0 || off == in_len) { close(in_fd); in_fd = -1; }
        }
    }
}

/* Runs argv with extra environment (NAME=value, NULL-terminated), input on
 * its stdin; its exit status (128 + signal when killed), -1 when it could
 * not start. */
static int run_child(char *const argv[], char *const *extra_env, const char *in, size_t in_len,
                     asl_buf *out, asl_buf *err, volatile int *pid_out, chan_state *c)
{
    int po[2], pe[2], pi[2], pc[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || pipe2(pi, O_CLOEXEC)) return -1;
    if (c) {
        /* the child's end becomes its fd 3 (ASL_SERVE_FD): above it first,
         * so that the dup2 always clears close-on-exec */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pc)) return -1;
        int hi = fcntl(pc[1], F_DUPFD_CLOEXEC, 10);
        close(pc[1]);
        pc[1] = hi;
        c->fd = pc[0];
        c->link = aslc_link_new(pc[0]);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    if (c) posix_spawn_file_actions_adddup2(&fa, pc[1], 3);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);   /* its own group: killed whole */
    posix_spawnattr_setpgroup(&at, 0);
    size_t ne = 0, nx = 0;
    while (environ[ne]) ne++;
    while (extra_env && extra_env[nx]) nx++;
    char **env = malloc((ne + nx + 1) * sizeof *env);
    memcpy(env, environ, ne * sizeof *env);
    for (size_t i = 0; i < nx; i++) env[ne + i] = extra_env[i];
    env[ne + nx] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
    free(env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(pi[0]);
    close(po[1]);
    close(pe[1]);
    if (c) close(pc[1]);
    if (rc != 0) {
        close(pi[1]);
        close(po[0]);
        close(pe[0]);
        if (c) {
            aslc_link_close(c->link);
            close(pc[0]);
        }
        errno = rc;
        return -1;
    }
    if (pid_out) *pid_out = pid;
    pump(po[0], pe[0], pi[1], in, in_len, out, err, c);
    if (c) {
        aslc_link_close(c->link);
        close(pc[0]);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (pid_out) *pid_out = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void hash_hex(const char *const *parts, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i] ? parts[i] : "";
        EVP_DigestUpdate(c, p, strlen(p) + 1);
    }
    EVP_DigestFinal_ex(c, md, &len);
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", md[i]);
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

char *aslc_serve_compile(const char *aslc, const char *cache_dir, const char *name,
                         const char *definition, const char *resources, const char *mocks,
                         asl_buf *err)
{
    return aslc_serve_compile_as(aslc, cache_dir, name, definition, resources, mocks, NULL, false,
                                 err);
}

char *aslc_serve_compile_as(const char *aslc, const char *cache_dir, const char *name,
                            const char *definition, const char *resources, const char *mocks,
                            const char *handlers, bool shared, asl_buf *err)
{
    /* "--served" (a binary, not a shared object run in process): binaries of
     * this aslc carry what serve needs (the resume table, callback Tasks);
     * those an older one left in the cache do not */
    const char *parts[] = {ASLC_VERSION, shared ? "" : "--served", name, definition, resources,
                           mocks, handlers};
    char h[65];
    hash_hex(parts, 7, h);
    char *bin = NULL, *src = NULL;
    if (asprintf(&bin, "%s/%s%s", cache_dir, h, shared ? ".so" : "") < 0) return NULL;
    if (access(bin, X_OK) == 0) return bin;     /* compiled before */
    if (asprintf(&src, "%s/%s%s.json", cache_dir, h, shared ? ".so" : "") < 0 ||
        !write_text(src, definition)) {
        asl_buf_puts(err, "cannot write into the cache folder ");
        asl_buf_puts(err, cache_dir);
        free(src);
        free(bin);
        return NULL;
    }
    char *argv[18];
    int n = 0;
    argv[n++] = (char *)aslc;
    argv[n++] = src;
    argv[n++] = "-o";
    argv[n++] = bin;
    argv[n++] = "--name";
    argv[n++] = (char *)name;
    /* activities and callback Tasks answered by the server, --resume (not
     * for in-process Express machines: the resume table costs them inlining) */
    if (!shared) argv[n++] = "--served";
    if (resources) { argv[n++] = "--resources"; argv[n++] = (char *)resources; }
    if (mocks) { argv[n++] = "--mocks"; argv[n++] = (char *)mocks; }
    if (handlers) { argv[n++] = "--handlers"; argv[n++] = (char *)handlers; }
    if (shared) argv[n++] = "--target=shared";
    argv[n] = NULL;
    asl_buf out;
    asl_buf_init(&out);
    int rc = run_child(argv, NULL, NULL, 0, &out, err, NULL, NULL);
    asl_buf_free(&out);
    unlink(src);
    free(src);
    if (rc != 0) {
        if (rc < 0) asl_buf_puts(err, "cannot run aslc");
        free(bin);
        return NULL;
    }
    return bin;
}

cJSON *aslc_serve_check(const char *aslc, const char *cache_dir, const char *definition)
{
    char *src = NULL;
    if (asprintf(&src, "%s/check-%ld-%lx.json", cache_dir, (long)getpid(),
                 (unsigned long)pthread_self()) < 0 || !write_text(src, definition)) {
        free(src);
        return NULL;
    }
    char *argv[] = {(char *)aslc, "check", "--format=json", src, NULL};
    asl_buf out, err;
    asl_buf_init(&out);
    asl_buf_init(&err);
    int rc = run_child(argv, NULL, NULL, 0, &out, &err, NULL, NULL);
    unlink(src);
    free(src);
    cJSON *d = rc >= 0 && out.len ? cJSON_ParseWithLength(out.data, out.len) : NULL;
    if (!d && rc == 0) d = cJSON_CreateArray();
    asl_buf_free(&out);
    asl_buf_free(&err);
    return d;
}

void aslc_serve_run(const char *binary, const char *input, const char *sm_arn,
                    const char *exec_arn, volatile int *pid_out, aslc_run_result *r)
{
    aslc_serve_run_ch(binary, input, sm_arn, exec_arn, pid_out, NULL, r);
}

void aslc_serve_run_ch(const char *binary, const char *input, const char *sm_arn,
                       const char *exec_arn, volatile int *pid_out, const aslc_channel *ch,
                       aslc_run_result *r)
{
    memset(r, 0, sizeof *r);
    char *env[5] = {NULL, NULL, NULL, NULL, NULL};
    if (asprintf(&env[0], "ASL_EXECUTION_ARN=%s", exec_arn) < 0) env[0] = NULL;
    if (asprintf(&env[1], "ASL_STATE_MACHINE_ARN=%s", sm_arn) < 0) env[1] = NULL;
    if (ch) {
        env[2] = "ASL_SERVE_FD=3";
        env[3] = "ASL_SERVE_DURABLE=1";
    }
    char *argv[] = {(char *)binary, NULL, NULL, NULL};
    if (ch && ch->resume) {
        argv[1] = "--resume";
        argv[2] = (char *)ch->resume;
    }
    asl_buf out, err;
    asl_buf_init(&out);
    asl_buf_init(&err);
    chan_state cs = {.fd = -1, .ch = ch};
    asl_buf_init(&cs.line);
    r->status = run_child(argv, env, input, strlen(input), &out, &err, pid_out, ch ? &cs : NULL);
    asl_buf_free(&cs.line);
    free(cs.checkpoint);
    free(env[0]);
    free(env[1]);
    while (out.len && (out.data[out.len - 1] == '\n')) out.len--;
    r->output = strndup(out.data ? out.data : "", out.len);
    if (r->status != 0) {
        /* the binary's last stderr line: {"Error": ..., "Cause": ...} */
        size_t e = err.len;
        while (e && err.data[e - 1] == '\n') e--;
        size_t b = e;
        while (b && err.data[b - 1] != '\n') b--;
        cJSON *j = e > b ? cJSON_ParseWithLength(err.data + b, e - b) : NULL;
        const char *ev = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Error"));
        const char *cv = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Cause"));
        if (ev) {
            r->error = strdup(ev);
            r->cause = cv ? strdup(cv) : NULL;
        } else if (e == b && r->status > 128 && r->status < 128 + NSIG) {
            /* killed (a native handler's crash): say so, stderr has nothing */
            int sig = r->status - 128;
            r->error = strdup("States.Runtime");
            if (asprintf(&r->cause, "the execution's process was killed by signal %d (%s)", sig,
                         strsignal(sig)) < 0)
                r->cause = NULL;
        } else {
            r->error = strdup("States.Runtime");
            r->cause = strndup(err.data ? err.data + b : "", e - b);
        }
        cJSON_Delete(j);
    }
    asl_buf_free(&out);
    asl_buf_free(&err);
}

void aslc_run_result_free(aslc_run_result *r)
{
    free(r->output);
    free(r->error);
    free(r->cause);
    memset(r, 0, sizeof *r);
}
