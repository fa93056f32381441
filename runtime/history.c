/*
 * history.c — the execution history, event by event, as AWS records it.
 *
 * Every event is one line of JSON, built whole in a local buffer and then
 * appended to the history under its mutex, which is also where its id is
 * taken: the lines are in id order whatever threads write them.  An event
 * is {"id", "previousEventId", "timestamp", "type", "<type>EventDetails"}
 * with the fields GetExecutionHistory returns; JSON payloads (input,
 * output, parameters) are JSON text in a string, as the API sends them,
 * cut at 256 KiB with "truncated": true beyond that.
 *
 * previousEventId follows what AWS records (docs/history.md): each thread
 * of control (the execution, a Parallel branch, a Map iteration) chains its
 * own events; the first state of the execution points at 0; a Map's
 * iterations each start from the last event of the one before (in the
 * order they start); ...StateSucceeded and MapIteration{Succeeded,Failed}
 * do not become the "previous" of what follows them, a ...StateFailed does.
 *
 * A Parallel or Map state that fails is only reported failed
 * (ParallelStateFailed, MapStateFailed) once no Retry runs it again: the
 * event waits on the exec (its pending event) until the next event there, and
 * asl_retry drops it.
 *
 * Under aslc serve every unit (branch, iteration, a Distributed Map's child
 * execution) has a key naming it among all the execution's units at any
 * depth (unit_key), sent with each of its events, so that the server can
 * give each its own events back after a restart.  Resumed inside a
 * top-level Parallel or Map, a unit that was running, at any depth,
 * replays its recorded events: it runs again from its start, and each
 * event it makes that is the next recorded one keeps that one's id and is
 * not sent again (emit_prev, replayed); the first that is not ends the
 * replay.  A child execution's events are not the history's: they go to
 * the server apart ("V"), numbered apart (child_last), only for that.
 */
#define _GNU_SOURCE
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "vars.h"

#define HIST_PAYLOAD_MAX (256 * 1024)   /* AWS's cut for a payload in an event */
#define HIST_REGION "us-east-1"
#define HIST_ROLE "arn:aws:iam::123456789012:role/aslc-local"

/* One thread of control's part (asl_exec.hist), in its exec's arena. */
typedef struct asl_hist_thread {
    uint64_t prev;                /* the id of its last event */
    uint64_t entered_prev;        /* the previousEventId of its state's StateEntered */
    const asl_state_info *state;  /* the state entered and not yet exited, or NULL */
    const char *pending;          /* "MapStateFailed"/"ParallelStateFailed" unless retried */
    char *assigned;               /* the state's assignedVariables (a JSON object), or NULL */
    bool mute;                    /* a Distributed Map's child execution: no events here */
    /* aslc serve: the key of the unit (unit_key), sent with its events;
     * child: a Distributed Map's child execution (or a unit inside one),
     * whose events are not the history's but are sent apart, numbered
     * apart, for a restart to replay */
    const char *key;
    bool child;
    /* aslc serve's replay of a unit that was running (asl_hist_replay):
     * its recorded events, the next one to make again, the real seconds
     * since the last one. */
    const asl_value *rep;
    uint32_t rpos;
    double rep_waited;
    double rep_at;                /* the last one's time (seconds since the epoch), or 0 */
    /* asl_hist_clock: the time (ms since the epoch) a JSONata expression
     * took as its $now(), which the next event is stamped with; 0: none */
    int64_t clock_ms;
    /* its fan-out's run failed before the restart: it was stopped where
     * its recorded events end, and stops there again */
    bool closed;
    /* asl_hist_draw: the state entry (event id, retry count) its draws
     * are of, and how many it made */
    uint64_t draw_entered;
    uint32_t draw_retry, draws;
} hthread;

static hthread *ht(asl_exec *x)
{
    if (!x->hist) {
        x->hist = asl_alloc(x->arena, sizeof *x->hist);
        memset(x->hist, 0, sizeof *x->hist);
    }
    return x->hist;
}

struct asl_hist {
    pthread_mutex_t mu;
    bool light;        /* asl_hist_new_live: no events, only live (the progress line) */
    asl_hist_live live;/* what runs now, read by progress.c (atomic loads and stores) */
    uint64_t last;     /* the last id given */
    uint64_t child_last; /* the last id given to a child execution's event (aslc serve) */
    asl_buf out;       /* the lines so far */
    time_t sec;        /* the second formatted in stamp (gmtime and strftime are slow) */
    char stamp[32];    /* "2026-12-07T03:08:59", then ".mmmZ" per event */
    /* aslc serve's channel (served.c): each event goes out as it is made,
     * and waits for the server's acknowledgement (durable) before the
     * execution acts on it; -1 without.  The lines are then not kept. */
    int fd;
    bool durable;
    /* durable: the execution's secret for asl_hist_draw, sent in every
     * checkpoint, so that a restart draws the same values again */
    uint64_t seed[2];
    /* --resume: the top-level state's StateEntered is already recorded
     * (id resume_entered, previousEventId resume_prev): its entry writes none. */
    bool resume_skip;
    uint64_t resume_entered, resume_prev;
    char resume_time[40];   /* its timestamp: the state's $$.State.EnteredTime */
    /* --resume in a top-level Parallel or Map: its ...StateStarted is
     * recorded (id resume_started), and its units' events up to
     * resume_cursor; the fan-out's start writes none (asl_hist_resume_fan). */
    uint64_t resume_started, resume_cursor;
    /* ... and its units that were running, at any depth: {"key",
     * "events", "waited"} each, claimed (units_taken) by the unit that
     * replays it; time_scale turns real seconds into workflow seconds */
    const asl_value *units;
    bool *units_taken;
    double time_scale;
    asl_buf in;        /* what the server sent and no one took yet (chan_take) */
};

asl_hist *asl_hist_new(void)
{
    asl_hist *h = asl_xmalloc(sizeof *h);
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    asl_buf_init(&h->out);
    h->fd = -1;
    asl_buf_init(&h->in);
    return h;
}

asl_hist *asl_hist_new_live(void)
{
    asl_hist *h = asl_hist_new();
    h->light = true;
    return h;
}

void asl_hist_live_get(asl_hist *h, asl_hist_live *out)
{
    out->state = __atomic_load_n(&h->live.state, __ATOMIC_RELAXED);
    out->map = __atomic_load_n(&h->live.map, __ATOMIC_RELAXED);
    out->total = __atomic_load_n(&h->live.total, __ATOMIC_RELAXED);
    out->done = __atomic_load_n(&h->live.done, __ATOMIC_RELAXED);
    out->failed = __atomic_load_n(&h->live.failed, __ATOMIC_RELAXED);
}

void asl_hist_free(asl_hist *h)
{
    if (!h) return;
    pthread_mutex_destroy(&h->mu);
    asl_buf_free(&h->out);
    asl_buf_free(&h->in);
    free(h->units_taken);
    free(h);
}

bool asl_hist_save(const asl_hist *h, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    size_t off = 0;
    while (off < h->out.len) {
        ssize_t n = write(fd, h->out.data + off, h->out.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            errno = e;
            return false;
        }
        off += (size_t)n;
    }
    return close(fd) == 0;
}

const char *asl_hist_lines(const asl_hist *h, size_t *len)
{
    *len = h->out.len;
    return h->out.data ? h->out.data : "";
}

/* ---- JSON pieces -------------------------------------------------------------- */

/* A string literal, without strlen. */
#define PUT_LIT(b, lit) asl_buf_put((b), (lit), sizeof(lit) - 1)

/* A buffer for an event's details, on the caller's stack until it grows. */
#define DBUF(d)        \
    char d##_mem[512]; \
    asl_buf d;         \
    asl_buf_init_fixed(&d, d##_mem, sizeof d##_mem)

static void put_str(asl_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    asl_buf_putc(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        asl_buf_put(b, s + start, i - start);
        start = i + 1;
        char e[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"': case '\\': break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        default:
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
            k = 6;
        }
        asl_buf_put(b, e, k);
    }
    asl_buf_put(b, s + start, n - start);
    asl_buf_putc(b, '"');
}

/* ,"key":"text" (the comma unless the object just opened) */
static void put_key(asl_buf *b, const char *key)
{
    if (b->len && b->data[b->len - 1] != '{') asl_buf_putc(b, ',');
    asl_buf_putc(b, '"');
    asl_buf_puts(b, key);
    asl_buf_puts(b, "\":");
}

static void put_field(asl_buf *b, const char *key, const char *s)
{
    if (!s) return;
    put_key(b, key);
    put_str(b, s, strlen(s));
}

/* An exec's error or cause, counted: a Fail state's may hold a U+0000. */
static void put_counted(asl_buf *b, const char *key, const char *s, size_t n)
{
    if (!s) return;
    put_key(b, key);
    put_str(b, s, n);
}

static void put_u64(asl_buf *b, uint64_t v);

static void put_num(asl_buf *b, const char *key, double d)
{
    put_key(b, key);
    if (d >= 0 && d < 1e15 && d == (double)(uint64_t)d) put_u64(b, (uint64_t)d);
    else asl_buf_printf(b, "%.17g", d);
}

/* "key":"<JSON text of v>","keyDetails":{"truncated":false}: the text cut
 * at 256 KiB (on a UTF-8 character boundary) when longer. */
/* The same from the JSON text t. */
static void put_payload_text(asl_buf *b, const char *key, const asl_buf *t)
{
    bool cut = t->len > HIST_PAYLOAD_MAX;
    size_t n = t->len;
    if (cut) {
        n = HIST_PAYLOAD_MAX;
        while (n > 0 && ((unsigned char)t->data[n] & 0xC0) == 0x80) n--;
    }
    put_key(b, key);
    put_str(b, t->data, n);
    asl_buf_putc(b, ',');
    asl_buf_putc(b, '"');
    asl_buf_puts(b, key);
    asl_buf_puts(b, cut ? "Details\":{\"truncated\":true}" : "Details\":{\"truncated\":false}");
}

/* t: a buffer just made (DBUF) */
static void json_text(asl_buf *t, const asl_value *v)
{
    if (v) asl_json_write(t, v);
    else asl_buf_puts(t, "null");
}

static void put_payload(asl_buf *b, const char *key, const asl_value *v)
{
    DBUF(t);
    json_text(&t, v);
    put_payload_text(b, key, &t);
    asl_buf_free(&t);
}

/* ---- events --------------------------------------------------------------------- */

static bool muted(const asl_exec *x)
{
    if (x->run->hist->light) return true;   /* the progress line's: no events */
    for (; x; x = x->parent)
        if (x->hist && x->hist->mute) return true;
    return false;
}

/* Writes one event from x's thread of control: previousEventId prev, its
 * details (an object's members, without braces: d) under the key dkey.
 * Its id becomes x's last event when advance is set. */
static void put_u64(asl_buf *b, uint64_t v)
{
    char t[24];
    int n = 0;
    do t[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n) asl_buf_putc(b, t[--n]);
}

/* "timestamp":"2026-12-07T03:08:59.628Z" (under h->mu: times in id order),
 * of now or of at (ms since the epoch, when not 0: asl_hist_clock's);
 * copied into copy (40 bytes) too unless NULL. */
static void put_stamp(asl_hist *h, char *copy, int64_t at)
{
    struct timespec ts;
    if (__builtin_expect(at != 0, 0)) {
        ts.tv_sec = (time_t)(at / 1000);
        ts.tv_nsec = (long)(at % 1000) * 1000000;
    } else {
        clock_gettime(CLOCK_REALTIME, &ts);
    }
    if (ts.tv_sec != h->sec || !h->stamp[0]) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(h->stamp, sizeof h->stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        h->sec = ts.tv_sec;
    }
    int ms = (int)(ts.tv_nsec / 1000000) % 1000;
    char frac[7] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10),
                    'Z', '"', 0};
    PUT_LIT(&h->out, ",\"timestamp\":\"");
    asl_buf_puts(&h->out, h->stamp);
    asl_buf_puts(&h->out, frac);
    if (copy) snprintf(copy, 40, "%s%.5s", h->stamp, frac);
}

/* What the server sends are lines: "A" acknowledges the event (or request)
 * just sent; "S <token> <json>", "F <token> <json>" and "H <token>" are the
 * outcome and the heartbeats of a callback Task (served.c), kept in h->in
 * until the thread that waits for that token takes them.  Read under h->mu
 * only, so that an acknowledgement always goes to the sender holding it.
 *
 * chan_take: the first complete line that is an "A" (token NULL) or one of
 * token's, removed from h->in; its kind, its text after the token in out. */
static char chan_take(asl_hist *h, const char *token, asl_buf *out)
{
    size_t at = 0, tl = token ? strlen(token) : 0;
    while (at < h->in.len) {
        char *l = h->in.data + at;
        char *nl = memchr(l, '\n', h->in.len - at);
        if (!nl) break;
        size_t n = (size_t)(nl - l);
        char kind = n ? l[0] : 0;
        bool mine = !token ? kind == 'A'
                           : kind != 'A' && n >= 2 + tl && !memcmp(l + 2, token, tl) &&
                                 (n == 2 + tl || l[2 + tl] == ' ');
        if (mine) {
            if (out && token && n > 3 + tl) asl_buf_put(out, l + 3 + tl, n - 3 - tl);
            memmove(l, nl + 1, h->in.len - at - n - 1);
            h->in.len -= n + 1;
            return kind;
        }
        at += n + 1;
    }
    return 0;
}

/* Reads what the server sent into h->in (blocking or not); false when
 * nothing came without blocking.  A closed channel ends the process. */
static bool chan_read(asl_hist *h, bool block)
{
    char buf[65536];
    ssize_t k;
    while ((k = recv(h->fd, buf, sizeof buf, block ? 0 : MSG_DONTWAIT)) < 0 && errno == EINTR) {}
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    if (k <= 0) _exit(ASL_SERVED_LOST);
    asl_buf_put(&h->in, buf, (size_t)k);
    return true;
}

/* Sends out[from..] on the channel, prefixed with tag ("E ", "C ", "W ";
 * "U " or "V " then key and a space: a unit's event), and for an event of
 * a durable execution waits for the server's acknowledgement.  A server
 * that is gone (its end closed) will resume the execution itself when it
 * restarts: this process must act no further. */
static void chan_send_key(asl_hist *h, const char *tag, const char *key, size_t from, bool ack)
{
    const char *p = h->out.data + from;
    size_t n = h->out.len - from, kn = key ? strlen(key) : 0;
    struct iovec iov[4] = {{(void *)tag, 2}, {(void *)p, n}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    if (key) {
        iov[1] = (struct iovec){(void *)key, kn};
        iov[2] = (struct iovec){(void *)" ", 1};
        iov[3] = (struct iovec){(void *)p, n};
        mh.msg_iovlen = 4;
    }
    size_t total = n + 2 + (key ? kn + 1 : 0);
    while (total > 0) {
        ssize_t k = sendmsg(h->fd, &mh, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) _exit(ASL_SERVED_LOST);
        total -= (size_t)k;
        while (mh.msg_iovlen && (size_t)k >= mh.msg_iov[0].iov_len) {
            k -= (ssize_t)mh.msg_iov[0].iov_len;
            mh.msg_iov++;
            mh.msg_iovlen--;
        }
        if (mh.msg_iovlen) {
            mh.msg_iov[0].iov_base = (char *)mh.msg_iov[0].iov_base + k;
            mh.msg_iov[0].iov_len -= (size_t)k;
        }
    }
    h->out.len = from;
    if (!ack) return;
    while (!chan_take(h, NULL, NULL)) chan_read(h, true);
}

static void chan_send(asl_hist *h, const char *tag, size_t from, bool ack)
{
    chan_send_key(h, tag, NULL, from, ack);
}

void asl_hist_chan_request(asl_hist *h, const char *tag, const char *line, size_t n, bool ack)
{
    pthread_mutex_lock(&h->mu);
    size_t from = h->out.len;
    asl_buf_put(&h->out, line, n);
    asl_buf_putc(&h->out, '\n');
    chan_send(h, tag, from, ack);
    pthread_mutex_unlock(&h->mu);
}

char asl_hist_chan_wait(asl_hist *h, const char *token, double until, asl_buf *out)
{
    for (;;) {
        pthread_mutex_lock(&h->mu);
        char kind = chan_take(h, token, out);
        bool more = !kind && chan_read(h, false);
        pthread_mutex_unlock(&h->mu);
        if (kind) return kind;
        if (more) continue;
        double left = until - asl_now_monotonic();
        if (left <= 0) return 0;
        /* outside the lock: a sender waiting for its acknowledgement may
         * read this line first, and keeps it in h->in; hence the bound */
        struct pollfd p = {h->fd, POLLIN, 0};
        poll(&p, 1, left > 0.2 ? 200 : (int)(left * 1000) + 1);
    }
}

bool asl_hist_served(const asl_hist *h)
{
    return h && h->fd >= 0;
}

static const char *rep_type(const asl_value *ev)
{
    const asl_value *t = ev && ev->type == ASL_OBJECT ? asl_object_get(ev, "type", 4) : NULL;
    return t && t->type == ASL_STRING ? t->u.str : "";
}

static uint64_t rep_id(const asl_value *ev)
{
    const asl_value *v = asl_object_get(ev, "id", 2);
    return v && v->type == ASL_NUMBER && v->u.n.num > 0 ? (uint64_t)v->u.n.num : 0;
}

/* A replaying unit's next event, if it is the one recorded next (its id,
 * which it keeps); 0 once the recorded ones are done: the event is new.
 * A different event means the unit went another way than before the
 * restart (a nondeterministic choice): the replay ends, said on stderr. */
static uint64_t replayed(asl_exec *x, bool advance, const char *type)
{
    hthread *t = x->hist;
    if (t->rpos >= t->rep->len) {
        t->rep = NULL;   /* the first new event: the replay is over */
        return 0;
    }
    const asl_value *ev = t->rep->u.a.items[t->rpos];
    uint64_t id = rep_id(ev);
    if (strcmp(rep_type(ev), type) != 0 || !id) {
        fprintf(stderr, "aslc serve: the resumed unit made %s where %s (event %llu) was recorded; "
                        "its events go on from there\n", type, rep_type(ev),
                (unsigned long long)id);
        t->rep = NULL;
        return 0;
    }
    t->rpos++;
    if (advance) t->prev = id;
    size_t n = strlen(type);
    if (n > 12 && !strcmp(type + n - 12, "StateEntered")) {
        /* $$.State.EnteredTime: the recorded entry's, as before the restart */
        const asl_value *ts = asl_object_get(ev, "timestamp", 9);
        if (ts && ts->type == ASL_STRING) snprintf(x->entered, sizeof x->entered, "%s", ts->u.str);
    }
    return id;
}

static uint64_t emit_prev(asl_exec *x, uint64_t prev, bool advance, const char *type,
                          const char *dkey, const asl_buf *d)
{
    asl_hist *h = x->run->hist;
    hthread *t = x->hist;
    int64_t at = 0;   /* the time an expression took for this event (asl_hist_clock) */
    if (__builtin_expect(t && t->clock_ms, 0)) {
        at = t->clock_ms;
        t->clock_ms = 0;
    }
    if (__builtin_expect(t && t->rep, 0)) {
        uint64_t id = replayed(x, advance, type);
        if (id) return id;
    }
    pthread_mutex_lock(&h->mu);
    size_t from = h->out.len;
    uint64_t id = __builtin_expect(t && t->child, 0) ? ++h->child_last : ++h->last;
    PUT_LIT(&h->out, "{\"id\":");
    put_u64(&h->out, id);
    PUT_LIT(&h->out, ",\"previousEventId\":");
    put_u64(&h->out, prev);
    /* aslc serve: a state's $$.State.EnteredTime is its StateEntered's
     * time, which a replay after a restart finds again (replayed) */
    put_stamp(h, h->fd >= 0 && dkey && dkey[5] == 'E' && !strcmp(dkey, "stateEnteredEventDetails")
                     ? x->entered : NULL, at);
    PUT_LIT(&h->out, ",\"type\":\"");
    asl_buf_puts(&h->out, type);
    asl_buf_putc(&h->out, '"');
    if (dkey) {
        PUT_LIT(&h->out, ",\"");
        asl_buf_puts(&h->out, dkey);
        PUT_LIT(&h->out, "\":{");
        if (d) asl_buf_put(&h->out, d->data, d->len);
        asl_buf_putc(&h->out, '}');
    }
    PUT_LIT(&h->out, "}\n");
    if (h->fd >= 0) {
        if (t && t->key) chan_send_key(h, t->child ? "V " : "U ", t->key, from, h->durable);
        else chan_send(h, "E ", from, h->durable);
    }
    pthread_mutex_unlock(&h->mu);
    if (advance) ht(x)->prev = id;
    return id;
}

static void flush_pending(asl_exec *x)
{
    if (!ht(x)->pending) return;
    const char *type = ht(x)->pending;
    ht(x)->pending = NULL;
    emit_prev(x, ht(x)->prev, true, type, NULL, NULL);
}

static uint64_t emit(asl_exec *x, const char *type, const char *dkey, const asl_buf *d)
{
    flush_pending(x);
    return emit_prev(x, ht(x)->prev, true, type, dkey, d);
}



void asl_hist_started(asl_exec *top, const asl_value *input)
{
    if (muted(top)) return;
    DBUF(d);
    put_payload(&d, "input", input);
    put_field(&d, "roleArn", HIST_ROLE);
    emit(top, "ExecutionStarted", "executionStartedEventDetails", &d);
    asl_buf_free(&d);
    ht(top)->prev = 0;   /* AWS: the first state's StateEntered points at 0 */
}

/* "<Type>State<what>" */
static void state_event_type(char *type, size_t n, const asl_state_info *s, const char *what)
{
    size_t k = strlen(s->type), w = strlen(what);
    if (k + 5 + w >= n) k = n - 6 - w;
    memcpy(type, s->type, k);
    memcpy(type + k, "State", 5);
    memcpy(type + k + 5, what, w + 1);
}

static void exited_text(asl_exec *x, const asl_buf *text)
{
    const asl_state_info *s = ht(x)->state;
    char type[64];
    state_event_type(type, sizeof type, s, "Exited");
    DBUF(d);
    put_field(&d, "name", s->name);
    put_payload_text(&d, "output", text);
    if (ht(x)->assigned) {
        put_key(&d, "assignedVariables");
        asl_buf_puts(&d, ht(x)->assigned);
        put_key(&d, "assignedVariablesDetails");
        asl_buf_puts(&d, "{\"truncated\":false}");
        ht(x)->assigned = NULL;
    }
    emit(x, type, "stateExitedEventDetails", &d);
    asl_buf_free(&d);
    ht(x)->state = NULL;
}

void asl_hist_assigned(asl_exec *x, uint32_t n, const char *const *names, asl_value *const *vals)
{
    if (muted(x)) return;
    DBUF(o);
    asl_buf_putc(&o, '{');
    for (uint32_t i = 0; i < n; i++) {
        DBUF(t);
        json_text(&t, vals[i]);
        if (i) asl_buf_putc(&o, ',');
        put_str(&o, names[i], strlen(names[i]));
        asl_buf_putc(&o, ':');
        put_str(&o, t.data, t.len);
        asl_buf_free(&t);
    }
    asl_buf_putc(&o, '}');
    ht(x)->assigned = asl_strndup(x->arena, o.data, o.len);
    asl_buf_free(&o);
}

static void exited(asl_exec *x, const asl_value *out)
{
    DBUF(t);
    json_text(&t, out);
    exited_text(x, &t);
    asl_buf_free(&t);
}

void asl_hist_channel(asl_hist *h, int fd, bool durable)
{
    h->fd = fd;
    h->durable = durable;
    if (durable && getrandom(h->seed, sizeof h->seed, 0) != (ssize_t)sizeof h->seed) {
        /* no randomness: draws still differ between executions */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        h->seed[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
        h->seed[1] = ~h->seed[0];
    }
}

void asl_hist_seed(asl_hist *h, const char *hex)
{
    uint64_t s[2] = {0, 0};
    for (int i = 0; i < 32; i++) {
        char c = hex[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return;   /* not one this runtime wrote: keep the new seed */
        s[i / 16] = s[i / 16] << 4 | (uint64_t)d;
    }
    h->seed[0] = s[0];
    h->seed[1] = s[1];
}

/* ---- draws that a restart makes again (asl_hist_draw) ------------------------------------- */

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static inline void sipround(uint64_t v[4])
{
    v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
    v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
    v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
    v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

/* SipHash-2-4 of m under key k: a keyed pseudo-random function, so that
 * the draws cannot be told in advance without the execution's seed. */
static uint64_t siphash(const uint64_t k[2], const unsigned char *m, size_t n)
{
    uint64_t v[4] = {0x736f6d6570736575ULL ^ k[0], 0x646f72616e646f6dULL ^ k[1],
                     0x6c7967656e657261ULL ^ k[0], 0x7465646279746573ULL ^ k[1]};
    size_t end = n - n % 8;
    for (size_t i = 0; i <= end; i += 8) {
        uint64_t w = 0;
        if (i < end)
            for (int j = 0; j < 8; j++) w |= (uint64_t)m[i + (size_t)j] << (8 * j);
        else   /* the last block: the bytes left and the length */
            for (size_t j = 0; j < n % 8; j++) w |= (uint64_t)m[end + j] << (8 * j);
        if (i == end) w |= (uint64_t)n << 56;
        v[3] ^= w;
        sipround(v);
        sipround(v);
        v[0] ^= w;
    }
    v[2] ^= 0xff;
    for (int r = 0; r < 4; r++) sipround(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void put_le(asl_buf *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) asl_buf_putc(b, (char)(v >> (8 * i)));
}

bool asl_hist_draw(asl_exec *x, void *out, size_t n)
{
    asl_hist *h = x->run->hist;
    if (!h || h->fd < 0 || !h->durable) return false;
    /* the k-th draw of this state's entry (its StateEntered id, which a
     * replay keeps, and its retry) in this unit (its key): the same after
     * a restart as before it, and another for every other draw */
    hthread *t = ht(x);
    if (t->draw_entered != x->entered_event || t->draw_retry != x->retry_count) {
        t->draw_entered = x->entered_event;
        t->draw_retry = x->retry_count;
        t->draws = 0;
    }
    uint32_t k = t->draws++;
    DBUF(m);
    asl_buf_puts(&m, t->key ? t->key : "");
    asl_buf_putc(&m, 0);
    put_le(&m, x->entered_event, 8);
    put_le(&m, x->retry_count, 4);
    put_le(&m, k, 4);
    size_t at = m.len;
    unsigned char *o = out;
    for (uint32_t block = 0; n > 0; block++) {
        m.len = at;
        put_le(&m, block, 4);
        uint64_t v = siphash(h->seed, (const unsigned char *)m.data, m.len);
        size_t c = n < 8 ? n : 8;
        for (size_t i = 0; i < c; i++) o[i] = (unsigned char)(v >> (8 * i));
        o += c;
        n -= c;
    }
    asl_buf_free(&m);
    return true;
}

int64_t asl_hist_clock(asl_exec *x)
{
    hthread *t = ht(x);
    if (t->clock_ms) return t->clock_ms;   /* another expression before the same event */
    double at = 0;
    if (t->rep && t->rpos < t->rep->len) {
        /* replaying: the time of the event it led to before the restart */
        const asl_value *ts = asl_object_get(t->rep->u.a.items[t->rpos], "timestamp", 9);
        if (!ts || ts->type != ASL_STRING || !asl_timestamp_parse(ts->u.str, ts->len, &at)) at = 0;
    }
    if (at > 0) {
        t->clock_ms = (int64_t)(at * 1000 + 0.5);
    } else {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        t->clock_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    }
    return t->clock_ms;
}

void asl_hist_resume(asl_hist *h, uint64_t last, uint64_t entered, uint64_t entered_prev,
                     uint64_t child_last, const char *entered_time)
{
    snprintf(h->resume_time, sizeof h->resume_time, "%s", entered_time ? entered_time : "");
    h->last = last;
    h->child_last = child_last;
    h->resume_skip = true;
    h->resume_entered = entered;
    h->resume_prev = entered_prev;
}

/* The checkpoint of a top-level state about to be entered (durable
 * channel): its name, input, the variables and the previousEventId of its
 * StateEntered, the next event, which the server records with it. */
static void checkpoint(asl_exec *x, const asl_state_info *s, const asl_buf *in)
{
    asl_hist *h = x->run->hist;
    DBUF(c);
    put_field(&c, "state", s->name);
    put_key(&c, "input");
    asl_buf_put(&c, in->data, in->len);
    put_key(&c, "vars");
    asl_vars_write(x, &c);
    put_num(&c, "prev", (double)ht(x)->prev);
    char seed[33];
    snprintf(seed, sizeof seed, "%016llx%016llx", (unsigned long long)h->seed[0],
             (unsigned long long)h->seed[1]);
    put_field(&c, "seed", seed);
    pthread_mutex_lock(&h->mu);
    size_t from = h->out.len;
    asl_buf_putc(&h->out, '{');
    asl_buf_put(&h->out, c.data, c.len);
    PUT_LIT(&h->out, "}\n");
    chan_send(h, "C ", from, false);
    pthread_mutex_unlock(&h->mu);
    asl_buf_free(&c);
}

/* ---- replaying a unit that was running (aslc serve) ----------------------------------- */

void asl_hist_resume_units(asl_hist *h, const asl_value *live, double time_scale)
{
    if (!live || live->type != ASL_ARRAY || !live->len) return;
    h->units = live;
    h->units_taken = asl_xmalloc(live->len * sizeof *h->units_taken);
    memset(h->units_taken, 0, live->len * sizeof *h->units_taken);
    h->time_scale = time_scale;
}

void asl_hist_replay_own(asl_exec *top, const asl_value *events)
{
    hthread *t = ht(top);
    t->rep = events;
    t->rpos = 0;
    t->rep_waited = t->rep_at = 0;
}

/* Unit u replays the recorded unit of its key, if one is unclaimed. */
static void claim(asl_exec *u)
{
    asl_hist *h = u->run->hist;
    const char *key = u->hist->key;
    pthread_mutex_lock(&h->mu);
    for (uint32_t i = 0; h->units && i < h->units->len; i++) {
        const asl_value *l = h->units->u.a.items[i];
        if (h->units_taken[i] || l->type != ASL_OBJECT) continue;
        const asl_value *k = asl_object_get(l, "key", 3);
        bool match = k && k->type == ASL_STRING && !strcmp(k->u.str, key);
        const asl_value *evs = asl_object_get(l, "events", 6);
        if (!match || !evs || evs->type != ASL_ARRAY || !evs->len) continue;
        h->units_taken[i] = true;
        const asl_value *w = asl_object_get(l, "waited", 6);
        ht(u)->rep = evs;
        ht(u)->rpos = 0;
        ht(u)->rep_waited = w && w->type == ASL_NUMBER && h->time_scale > 0
                                ? w->u.n.num / h->time_scale : 0;
        const asl_value *at = asl_object_get(l, "at", 2);
        ht(u)->rep_at = at && at->type == ASL_NUMBER ? at->u.n.num : 0;
        const asl_value *closed = asl_object_get(l, "closed", 6);
        ht(u)->closed = closed && closed->type == ASL_TRUE;
        break;
    }
    pthread_mutex_unlock(&h->mu);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int asl_hist_replay_task(asl_exec *x, const asl_value **ev)
{
    hthread *t = x->hist;
    if (!t || !t->rep || t->rpos >= t->rep->len ||
        !ends_with(rep_type(t->rep->u.a.items[t->rpos]), "Scheduled"))
        return 0;
    /* the attempt's Scheduled and Started: made before the restart */
    while (t->rpos < t->rep->len) {
        const char *ty = rep_type(t->rep->u.a.items[t->rpos]);
        if (!ends_with(ty, "Scheduled") && !ends_with(ty, "Started")) break;
        t->prev = rep_id(t->rep->u.a.items[t->rpos++]);
    }
    if (t->rpos < t->rep->len) {
        const char *ty = rep_type(t->rep->u.a.items[t->rpos]);
        if (ends_with(ty, "Succeeded") || ends_with(ty, "Failed") || ends_with(ty, "TimedOut")) {
            *ev = t->rep->u.a.items[t->rpos];   /* asl_hist_task_end numbers it again */
            return 1;
        }
    }
    return 2;
}

bool asl_hist_replay_closed(asl_exec *x)
{
    hthread *t = x->hist;
    return t && t->rep && t->closed && t->rpos >= t->rep->len;
}

double asl_hist_replay_waited(asl_exec *x)
{
    hthread *t = x->hist;
    if (!t || !t->rep) return 0;
    /* it ended before the restart, or its unit was stopped in it */
    if (t->rpos < t->rep->len || t->closed) return ASL_SLEEP_MAX;
    double w = t->rep_waited;
    asl_hist *h = x->run->hist;
    if (t->rep_at > 0 && h->time_scale > 0) {
        /* from the last event to now, the restart's own time included */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        w = now > t->rep_at ? (now - t->rep_at) / h->time_scale : 0;
    }
    t->rep_waited = t->rep_at = 0;
    return w;
}

void asl_hist_entered(asl_exec *x, const asl_state_info *s, const asl_value *in)
{
    __atomic_store_n(&x->run->hist->live.state, s->name, __ATOMIC_RELAXED);
    if (muted(x)) return;
    asl_hist *h = x->run->hist;
    if (h->resume_skip && !x->parent) {
        /* resumed: this entry is the one recorded before the restart */
        h->resume_skip = false;
        ht(x)->entered_prev = h->resume_prev;
        /* the state's events recorded after it (a Task attempt's) are kept */
        ht(x)->prev = h->last;
        x->entered_event = h->resume_entered;
        if (h->resume_time[0]) memcpy(x->entered, h->resume_time, sizeof x->entered);
        ht(x)->state = s;
        if (strcmp(s->type, "Wait") != 0) x->run->resume_waited = 0;
        return;
    }
    /* The previous state's output is this one's input: one text for both. */
    DBUF(t);
    json_text(&t, in);
    if (ht(x)->state) exited_text(x, &t);
    char type[64];
    state_event_type(type, sizeof type, s, "Entered");
    DBUF(d);
    put_field(&d, "name", s->name);
    put_payload_text(&d, "input", &t);
    flush_pending(x);
    if (h->durable && !x->parent) checkpoint(x, s, &t);
    asl_buf_free(&t);
    ht(x)->entered_prev = ht(x)->prev;
    x->entered_event = emit(x, type, "stateEnteredEventDetails", &d);
    asl_buf_free(&d);
    ht(x)->state = s;
}

void asl_hist_ended(asl_exec *top, const asl_value *result)
{
    if (muted(top)) return;
    DBUF(d);
    if (result) {
        if (ht(top)->state) exited(top, result);
        put_payload(&d, "output", result);
        emit(top, "ExecutionSucceeded", "executionSucceededEventDetails", &d);
    } else {
        bool timed_out = top->err && !strcmp(top->err, "States.Timeout") && top->cause &&
                         !strcmp(top->cause, "The execution timed out.");
        put_counted(&d, "error", top->err, top->err_len);
        put_counted(&d, "cause", top->cause, top->cause_len);
        if (timed_out) emit(top, "ExecutionTimedOut", "executionTimedOutEventDetails", &d);
        else emit(top, "ExecutionFailed", "executionFailedEventDetails", &d);
    }
    asl_buf_free(&d);
}

/* ---- tasks -------------------------------------------------------------------------- */

/* A bare Lambda function ARN: LambdaFunction... events, not Task... */
static bool is_lambda_arn(const char *r)
{
    return !strncmp(r, "arn:", 4) && strstr(r, ":lambda:") && strstr(r, ":function:");
}

/* arn:aws:states:::SERVICE:ACTION[.suffix] -> resourceType SERVICE (with
 * aws-sdk:'s service), resource ACTION[.suffix]; any other resource (a
 * name bound by the resources file) is its own resource, of type "local". */
static void task_names(const char *r, asl_buf *type, asl_buf *res)
{
    const char *p = strstr(r, ":::");
    /* the last colon before a suffix: states:startExecution.sync:2 is of
     * type states, resource startExecution.sync:2 */
    const char *last = NULL;
    for (const char *q = p ? p + 3 : r; p && *q && *q != '.'; q++)
        if (*q == ':') last = q;
    if (!strncmp(r, "arn:", 4) && p && last && last > p + 3) {
        asl_buf_put(type, p + 3, (size_t)(last - (p + 3)));
        asl_buf_puts(res, last + 1);
    } else {
        asl_buf_puts(type, "local");
        asl_buf_puts(res, r);
    }
    asl_buf_putc(type, 0);
    asl_buf_putc(res, 0);
}

/* arn:PARTITION:states:REGION:ACCOUNT:activity:NAME: Activity... events */
static bool is_activity_arn(const char *r)
{
    const char *p = !strncmp(r, "arn:", 4) ? strchr(r + 4, ':') : NULL;
    return p && !strncmp(p, ":states:", 8) && strstr(p, ":activity:");
}

void asl_hist_activity_started(asl_exec *x, const char *worker)
{
    if (muted(x)) return;
    DBUF(d);
    put_field(&d, "workerName", worker);
    emit(x, "ActivityStarted", "activityStartedEventDetails", &d);
    asl_buf_free(&d);
}

void asl_hist_task_begin(asl_exec *x, const asl_task_site *site, const asl_value *input,
                         double timeout, double heartbeat)
{
    if (muted(x)) return;
    DBUF(d);
    if (is_activity_arn(site->resource)) {
        /* ActivityStarted comes when a worker takes it (or at once, below) */
        put_field(&d, "resource", site->resource);
        put_payload(&d, "input", input);
        if (timeout > 0) put_num(&d, "timeoutInSeconds", timeout);
        if (heartbeat > 0) put_num(&d, "heartbeatInSeconds", heartbeat);
        emit(x, "ActivityScheduled", "activityScheduledEventDetails", &d);
        asl_buf_free(&d);
        if (!asl_hist_served(x->run->hist)) asl_hist_activity_started(x, NULL);
        return;
    }
    if (is_lambda_arn(site->resource)) {
        put_field(&d, "resource", site->resource);
        put_payload(&d, "input", input);
        if (timeout > 0) put_num(&d, "timeoutInSeconds", timeout);
        emit(x, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", &d);
        emit(x, "LambdaFunctionStarted", NULL, NULL);
        asl_buf_free(&d);
        return;
    }
    asl_buf type, res;
    asl_buf_init(&type);
    asl_buf_init(&res);
    task_names(site->resource, &type, &res);
    put_field(&d, "resourceType", type.data);
    put_field(&d, "resource", res.data);
    put_field(&d, "region", HIST_REGION);
    put_key(&d, "parameters");
    asl_buf t;
    asl_buf_init(&t);
    if (input) asl_json_write(&t, input);
    else asl_buf_puts(&t, "null");
    put_str(&d, t.data, t.len > HIST_PAYLOAD_MAX ? HIST_PAYLOAD_MAX : t.len);
    asl_buf_free(&t);
    if (timeout > 0) put_num(&d, "timeoutInSeconds", timeout);
    if (heartbeat > 0) put_num(&d, "heartbeatInSeconds", heartbeat);
    emit(x, "TaskScheduled", "taskScheduledEventDetails", &d);
    d.len = 0;
    put_field(&d, "resourceType", type.data);
    put_field(&d, "resource", res.data);
    emit(x, "TaskStarted", "taskStartedEventDetails", &d);
    asl_buf_free(&d);
    asl_buf_free(&type);
    asl_buf_free(&res);
}

void asl_hist_task_submitted(asl_exec *x, const asl_task_site *site, const asl_value *output)
{
    if (muted(x)) return;
    DBUF(d);
    asl_buf type, res;
    asl_buf_init(&type);
    asl_buf_init(&res);
    task_names(site->resource, &type, &res);
    put_field(&d, "resourceType", type.data);
    put_field(&d, "resource", res.data);
    put_payload(&d, "output", output);
    emit(x, "TaskSubmitted", "taskSubmittedEventDetails", &d);
    asl_buf_free(&d);
    asl_buf_free(&type);
    asl_buf_free(&res);
}

void asl_hist_task_end(asl_exec *x, const asl_task_site *site, const asl_value *result)
{
    if (muted(x)) return;
    /* A failure that stopped the fan-out's units is no failure of the task. */
    if (!result && x->stopped) return;
    bool lambda = is_lambda_arn(site->resource);
    bool timeout = !result && x->err && (!strcmp(x->err, "States.Timeout") ||
                                         !strcmp(x->err, "States.HeartbeatTimeout"));
    DBUF(d);
    if (is_activity_arn(site->resource)) {
        if (result) {
            put_payload(&d, "output", result);
            emit(x, "ActivitySucceeded", "activitySucceededEventDetails", &d);
        } else {
            put_counted(&d, "error", x->err, x->err_len);
            put_counted(&d, "cause", x->cause, x->cause_len);
            emit(x, timeout ? "ActivityTimedOut" : "ActivityFailed",
                 timeout ? "activityTimedOutEventDetails" : "activityFailedEventDetails", &d);
        }
        asl_buf_free(&d);
        return;
    }
    asl_buf type, res;
    asl_buf_init(&type);
    asl_buf_init(&res);
    if (!lambda) {
        task_names(site->resource, &type, &res);
        put_field(&d, "resourceType", type.data);
        put_field(&d, "resource", res.data);
    }
    if (result) {
        put_payload(&d, "output", result);
        if (lambda) emit(x, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", &d);
        else emit(x, "TaskSucceeded", "taskSucceededEventDetails", &d);
    } else {
        put_counted(&d, "error", x->err, x->err_len);
        put_counted(&d, "cause", x->cause, x->cause_len);
        if (lambda)
            emit(x, timeout ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed",
                 timeout ? "lambdaFunctionTimedOutEventDetails" : "lambdaFunctionFailedEventDetails", &d);
        else
            emit(x, timeout ? "TaskTimedOut" : "TaskFailed",
                 timeout ? "taskTimedOutEventDetails" : "taskFailedEventDetails", &d);
    }
    asl_buf_free(&d);
    asl_buf_free(&type);
    asl_buf_free(&res);
}

/* ---- Parallel and Map ------------------------------------------------------------------ */

void asl_hist_resume_fan(asl_hist *h, uint64_t started, uint64_t cursor)
{
    h->resume_started = started;
    h->resume_cursor = cursor;
}

void asl_hist_fan_started(asl_exec *x, asl_hist_fan *fan, bool map, uint32_t length,
                          bool distributed, const char *label)
{
    memset(fan, 0, sizeof *fan);
    fan->map = map;
    fan->distributed = distributed;
    if (map && !distributed) {   /* the progress line counts this Map's items from now */
        asl_hist_live *l = &x->run->hist->live;
        __atomic_store_n(&l->map, x->state ? x->state->name : "Map", __ATOMIC_RELAXED);
        __atomic_store_n(&l->total, length, __ATOMIC_RELAXED);
        __atomic_store_n(&l->done, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&l->failed, 0, __ATOMIC_RELAXED);
    }
    if (muted(x)) return;
    asl_hist *h = x->run->hist;
    if (h->resume_started && !x->parent) {
        /* resumed: this start (a Distributed Map's: and its MapRunStarted,
         * resume_started) and the units' events are recorded */
        fan->started = ht(x)->prev = h->resume_started;
        fan->cursor = fan->last_end = h->resume_cursor;
        h->resume_started = 0;
        if (distributed && !__atomic_load_n(&x->run->ids_ready, __ATOMIC_ACQUIRE))
            asl_run_ids(x->run);
        return;
    }
    DBUF(d);
    if (map) {
        put_num(&d, "length", length);
        emit(x, "MapStateStarted", "mapStateStartedEventDetails", &d);
    } else {
        emit(x, "ParallelStateStarted", NULL, NULL);
    }
    if (distributed) {
        asl_run *r = x->run;
        if (!__atomic_load_n(&r->ids_ready, __ATOMIC_ACQUIRE)) asl_run_ids(r);
        d.len = 0;
        char arn[512];
        snprintf(arn, sizeof arn, "arn:aws:states:" HIST_REGION ":123456789012:mapRun:%s/%s:%llu",
                 r->prog->name, label ? label : x->state ? x->state->name : "",
                 (unsigned long long)x->entered_event);
        put_field(&d, "mapRunArn", arn);
        emit(x, "MapRunStarted", "mapRunStartedEventDetails", &d);
    }
    asl_buf_free(&d);
    fan->cursor = fan->last_end = fan->started = ht(x)->prev;
}

static uint64_t iteration_event(asl_exec *x, asl_exec *u, uint64_t prev, const char *type,
                                const char *dkey, uint32_t index)
{
    DBUF(d);
    put_num(&d, "index", index);
    put_field(&d, "name", x->state ? x->state->name : "");
    uint64_t id = emit_prev(u, prev, false, type, dkey, &d);
    asl_buf_free(&d);
    return id;
}

/* aslc serve: unit u's key, "/<started>.<index>" after its parent unit's
 * (none at the top): index, its branch's or iteration's, and started, the
 * id of its fan-out's ...StateStarted (MapRunStarted), which no other run
 * of a fan-out has, so that a unit at any depth, a Retry's run included,
 * is named apart from every other, and after a restart again the same
 * (its recorded events keep their ids).  Its events are sent with it. */
static void unit_key(asl_exec *x, const asl_hist_fan *fan, asl_exec *u, uint32_t index)
{
    const char *parent = x->hist && x->hist->key ? x->hist->key : "";
    size_t n = strlen(parent) + 48;
    char *k = asl_alloc(u->arena, n);
    snprintf(k, n, "%s/%llu.%u", parent, (unsigned long long)fan->started, index);
    ht(u)->key = k;
    ht(u)->child = fan->distributed || (x->hist && x->hist->child);
}

void asl_hist_unit_begin(asl_exec *x, asl_hist_fan *fan, asl_exec *u, uint32_t index)
{
    asl_hist *h = x->run->hist;
    /* a child execution's events are not the history's: kept apart by a
     * durable aslc serve (a restart replays them), else not made */
    bool kept = h->durable && h->fd >= 0;
    if (fan->distributed && !kept) ht(u)->mute = true;
    if (muted(x) || (fan->distributed && !kept)) return;
    if (kept) {
        unit_key(x, fan, u, index);
        /* a unit that was running: it replays its recorded events */
        if (__builtin_expect(h->units != NULL, 0)) claim(u);
    }
    if (fan->distributed) return;
    pthread_mutex_lock(&h->mu);
    uint64_t prev = fan->cursor;
    pthread_mutex_unlock(&h->mu);
    if (fan->map)
        ht(u)->prev = iteration_event(x, u, prev, "MapIterationStarted",
                                       "mapIterationStartedEventDetails", index);
    else
        ht(u)->prev = fan->started;
}

/* A child execution's own start and end, as AWS records them in its
 * history (aslc serve keeps it apart and serves it, serve_maprun.c); only
 * for a child whose events are kept (unit_key set it). */
static bool child_kept(asl_exec *u)
{
    return u->hist && u->hist->child && u->hist->key && !muted(u);
}

void asl_hist_child_started(asl_exec *x, asl_hist_fan *fan, asl_exec *u, const asl_value *input)
{
    (void)x;
    if (!fan->distributed || !child_kept(u)) return;
    DBUF(d);
    put_payload(&d, "input", input);
    put_field(&d, "roleArn", HIST_ROLE);
    emit_prev(u, 0, false, "ExecutionStarted", "executionStartedEventDetails", &d);
    asl_buf_free(&d);
    ht(u)->prev = 0;   /* as at the top: the first state's StateEntered points at 0 */
}

static void child_ended(asl_exec *u, const asl_value *result)
{
    if (!child_kept(u)) return;
    DBUF(d);
    if (result) {
        if (ht(u)->state) exited(u, result);
        put_payload(&d, "output", result);
        emit(u, "ExecutionSucceeded", "executionSucceededEventDetails", &d);
    } else if (u->stopped) {
        emit(u, "ExecutionAborted", "executionAbortedEventDetails", &d);
    } else {
        flush_pending(u);
        if (u->err) put_counted(&d, "error", u->err, u->err_len);
        if (u->cause) put_counted(&d, "cause", u->cause, u->cause_len);
        emit(u, "ExecutionFailed", "executionFailedEventDetails", &d);
    }
    asl_buf_free(&d);
}

void asl_hist_unit_end(asl_exec *x, asl_hist_fan *fan, asl_exec *u, uint32_t index,
                       const asl_value *result)
{
    if (fan->map && !fan->distributed) {
        asl_hist_live *l = &x->run->hist->live;
        if (result) __atomic_add_fetch(&l->done, 1, __ATOMIC_RELAXED);
        else if (!u->stopped) __atomic_add_fetch(&l->failed, 1, __ATOMIC_RELAXED);
    }
    if (fan->distributed) {
        child_ended(u, result);
        return;
    }
    if (muted(x)) return;
    if (result && ht(u)->state) exited(u, result);
    if (!result && !u->stopped) flush_pending(u);
    uint64_t end = 0;
    if (fan->map) {
        const char *type = result ? "MapIterationSucceeded"
                           : u->stopped ? "MapIterationAborted" : "MapIterationFailed";
        const char *dkey = result ? "mapIterationSucceededEventDetails"
                           : u->stopped ? "mapIterationAbortedEventDetails"
                                        : "mapIterationFailedEventDetails";
        end = iteration_event(x, u, ht(u)->prev, type, dkey, index);
    }
    asl_hist *h = x->run->hist;
    pthread_mutex_lock(&h->mu);
    fan->cursor = ht(u)->prev;
    fan->last_end = end ? end : ht(u)->prev;
    pthread_mutex_unlock(&h->mu);
    if (result && h->durable && !x->parent) {
        /* a top-level unit's result, kept by the server after its last
         * event: a restart inside the fan-out does not run it again
         * (served.c, asl_served_unit) */
        DBUF(r);
        put_num(&r, "started", (double)fan->started);
        put_num(&r, "index", index);
        put_num(&r, "last", (double)ht(u)->prev);
        put_key(&r, "result");
        json_text(&r, result);
        DBUF(line);
        asl_buf_putc(&line, '{');
        asl_buf_put(&line, r.data, r.len);
        asl_buf_putc(&line, '}');
        /* no acknowledgement to wait for: the server records it before
         * the events that follow, and a result it lost means the unit
         * runs again after a restart, no worse */
        asl_hist_chan_request(h, "R ", line.data, line.len, false);
        asl_buf_free(&line);
        asl_buf_free(&r);
    }
}

void asl_hist_fan_ended(asl_exec *x, asl_hist_fan *fan, bool ok)
{
    if (fan->map && !fan->distributed)
        __atomic_store_n(&x->run->hist->live.map, NULL, __ATOMIC_RELAXED);
    if (muted(x)) return;
    if (fan->distributed) {
        uint64_t id = emit(x, ok ? "MapRunSucceeded" : "MapRunFailed", NULL, NULL);
        fan->cursor = fan->last_end = id;
    }
    if (ok) {
        emit_prev(x, fan->last_end, false, fan->map ? "MapStateSucceeded" : "ParallelStateSucceeded",
                  NULL, NULL);
        ht(x)->prev = fan->last_end;
    } else {
        ht(x)->prev = fan->cursor;
        ht(x)->pending = fan->map ? "MapStateFailed" : "ParallelStateFailed";
        asl_hist_fan_failed(x, fan);   /* (again, if a unit's failure said it) */
    }
}

void asl_hist_fan_failed(asl_exec *x, const asl_hist_fan *fan)
{
    asl_hist *h = x->run->hist;
    if (!h->durable || h->fd < 0 || muted(x)) return;
    /* aslc serve: this run of the fan-out failed, its units that have not
     * ended are stopped; recorded before they are and before a Retry or
     * Catch acts on it, so that a restart stops them where their events
     * end (asl_hist_replay_closed) however the replayed units race */
    DBUF(r);
    asl_buf_putc(&r, '{');
    put_num(&r, "started", (double)fan->started);
    PUT_LIT(&r, ",\"child\":");
    asl_buf_puts(&r, x->hist && x->hist->child ? "true" : "false");
    asl_buf_putc(&r, '}');
    asl_hist_chan_request(h, "F ", r.data, r.len, true);
    asl_buf_free(&r);
}

/* The cause names the field: "... specified for the field 'Output/result' ...". */
void asl_hist_evaluation_failed(asl_exec *x)
{
    const asl_state_info *s = ht(x)->state;
    if (!s || muted(x) || !x->cause) return;
    /* Only the state's own failure, not one adopted from a branch (whose
     * cause names its own state). */
    char head[300];
    snprintf(head, sizeof head, "An error occurred while executing the state '%s' ", s->name);
    if (strncmp(x->cause, head, strlen(head))) return;
    DBUF(d);
    put_counted(&d, "cause", x->cause, x->cause_len);
    put_counted(&d, "error", x->err, x->err_len);
    static const char field[] = "specified for the field '";
    const char *f = strstr(x->cause, field), *end = f ? strchr(f + sizeof field - 1, '\'') : NULL;
    if (end) {
        put_key(&d, "location");
        put_str(&d, f + sizeof field - 1, (size_t)(end - (f + sizeof field - 1)));
    }
    put_field(&d, "state", s->name);
    flush_pending(x);
    emit_prev(x, ht(x)->entered_prev, true, "EvaluationFailed", "evaluationFailedEventDetails", &d);
    asl_buf_free(&d);
    if (!strcmp(s->type, "Map")) ht(x)->pending = "MapStateFailed";
    else if (!strcmp(s->type, "Parallel")) ht(x)->pending = "ParallelStateFailed";
}

void asl_hist_retried(asl_exec *x)
{
    ht(x)->pending = NULL;
}
