/*
 * progress.c — the progress line of a workflow binary run on a terminal.
 *
 * When stderr is a terminal (and neither --quiet nor --bench is given),
 * main.c starts this thread beside the execution.  Ten times a second at
 * most it reads what runs now (asl_hist_live: the state entered last, the
 * inline Map running with its items done and failed) and redraws one line:
 *
 *   order_flow  ChargePayment  1.3 s
 *   big_map  ProcessItem  12.4 s  Map ProcessAll: 4,210/10,000 done, 3 failed
 *
 * The line is drawn over itself (\r, then erase to the end of the line),
 * cut to the terminal's width so that it never wraps, and erased when the
 * execution ends, before the output or the error line is printed.  Nothing
 * is drawn before the first tenth of a second: a quick run leaves no trace.
 *
 * The states report themselves through the history's hooks (history.h), in
 * their light form that writes no events; without a terminal none of this
 * runs and entering a state costs what it did.
 */
#define _GNU_SOURCE
#include "report.h"
#include "history.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_TICK_NS 100000000L   /* a redraw every 100 ms at most */

struct asl_progress {
    asl_hist *hist;
    const char *name;
    double started;            /* monotonic seconds */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* signalled by asl_progress_stop */
    bool stop;
    bool drawn;                /* a line is on the terminal */
    char last[512];            /* the line drawn last */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_all(const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(2, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;   /* a terminal that went away: nothing to tell */
        s += w;
        n -= (size_t)w;
    }
}

/* n with thousands separators, as "10,000". */
static void thousands(char *out, size_t cap, uint32_t n)
{
    char t[16];
    int len = snprintf(t, sizeof t, "%u", n), j = 0;
    for (int i = 0; i < len && (size_t)j + 2 < cap; i++) {
        if (i && (len - i) % 3 == 0) out[j++] = ',';
        out[j++] = t[i];
    }
    out[j] = 0;
}

/* The text of the line now, cut to width columns (counting UTF-8
 * characters, which is right for names in most scripts). */
static void format_line(asl_progress *p, char *line, size_t cap, int width)
{
    asl_hist_live l;
    asl_hist_live_get(p->hist, &l);
    int n = snprintf(line, cap, "%s  %s  %.1f s", p->name, l.state ? l.state : "starting",
                     now() - p->started);
    if (l.map && n > 0 && (size_t)n < cap) {
        char done[16], total[16];
        thousands(done, sizeof done, l.done);
        thousands(total, sizeof total, l.total);
        n += snprintf(line + n, cap - (size_t)n, "  Map %s: %s/%s done", l.map, done, total);
        if (l.failed && n > 0 && (size_t)n < cap)
            snprintf(line + n, cap - (size_t)n, ", %u failed", l.failed);
    }
    /* Control characters of a name would move the cursor: shown as '?'. */
    int cols = 0;
    for (size_t i = 0; line[i]; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f) line[i] = '?';
        if ((c & 0xc0) != 0x80 && ++cols > width) {
            line[i] = 0;
            break;
        }
    }
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col - 1;
    return 79;
}

static void *progress_main(void *arg)
{
    asl_progress *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += PROGRESS_TICK_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) != ETIMEDOUT) {}
        if (p->stop) break;
        char line[sizeof p->last], out[sizeof p->last + 8];
        format_line(p, line, sizeof line, term_width());
        if (!strcmp(line, p->last)) continue;
        int n = snprintf(out, sizeof out, "\r\033[K%s", line);
        put_all(out, n > 0 && (size_t)n < sizeof out ? (size_t)n : strlen(out));
        memcpy(p->last, line, sizeof line);
        p->drawn = true;
    }
    if (p->drawn) put_all("\r\033[K", 4);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

asl_progress *asl_progress_start(asl_hist *h, const char *name)
{
    asl_progress *p = asl_xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    p->hist = h;
    p->name = name;
    p->started = now();
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {   /* no line, then */
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    return p;
}

void asl_progress_stop(asl_progress *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
