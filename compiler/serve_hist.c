/*
 * serve_hist.c — a Standard execution's history in `aslc serve`: recording
 * the events its binary sends (runtime/served.c) as they come, serving them
 * as GetExecutionHistory pages, and planning the resumption of an execution
 * a stopped server left running.
 *
 * The binary makes every event, in AWS's shapes (runtime/history.c); the
 * server records it, with the checkpoint of a top-level state when one came
 * before it, and only then lets the binary act on it.  So after a crash the
 * store holds every event the execution acted on; events after the last
 * checkpoint (the state that was running: a Wait, a Task) are dropped and
 * that state is continued from its recorded StateEntered, which is not
 * written again: no event is lost and none is there twice.  Two things
 * after a checkpoint are kept: a Task's attempt (its outcome is replayed,
 * the Task not called again), and a top-level Parallel's or Map's units
 * at any depth (the finished top-level ones with their recorded results,
 * every running one's events, a Distributed Map's child executions'
 * included, to replay; fan_plan).
 */
#define _GNU_SOURCE
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* "2026-12-07T03:08:59.628Z" as seconds since the epoch; 0 if not one. */
double aslc_iso_seconds(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest) return 0;
    double frac = *rest == '.' ? strtod(rest, NULL) : 0;
    return (double)timegm(&tm) + frac;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

/* The event's id: the text begins {"id":N (history.c writes it first). */
static long event_id(const char *ev, size_t len)
{
    if (len < 7 || strncmp(ev, "{\"id\":", 6) != 0) return 0;
    return strtol(ev + 6, NULL, 10);
}

/* An ExecutionSucceeded whose output is over AWS's 256 KiB, as the
 * ExecutionFailed (States.DataLimitExceeded) the execution's record will
 * say (serve.c), with the same id and place: NULL for any other event. */
static char *over_limit(const char *event, size_t len)
{
    /* only the end event can be that long and succeed: cheap tests first */
    if (len <= ASLC_MAX_PAYLOAD || !memmem(event, len, "\"ExecutionSucceeded\"", 20)) return NULL;
    cJSON *ev = cJSON_ParseWithLength(event, len);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "executionSucceededEventDetails");
    const char *out = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "output"));
    char *text = NULL;
    if (out && strlen(out) > ASLC_MAX_PAYLOAD) {
        cJSON_DeleteItemFromObjectCaseSensitive(ev, "executionSucceededEventDetails");
        cJSON_ReplaceItemInObjectCaseSensitive(ev, "type", cJSON_CreateString("ExecutionFailed"));
        cJSON *f = cJSON_AddObjectToObject(ev, "executionFailedEventDetails");
        cJSON_AddStringToObject(f, "error", "States.DataLimitExceeded");
        cJSON_AddStringToObject(f, "cause", ASLC_DATA_LIMIT_CAUSE);
        text = cJSON_PrintUnformatted(ev);
    }
    cJSON_Delete(ev);
    return text;
}

/* "/<started>.<index>..." (runtime/history.c, unit_key): the top-level
 * fan-out's ...StateStarted (or MapRunStarted) id, or 0. */
static long unit_started(const char *unit)
{
    return unit && unit[0] == '/' ? strtol(unit + 1, NULL, 10) : 0;
}

void aslc_hist_record(void *ctx, const char *event, size_t len, const char *checkpoint,
                      const char *unit, bool child)
{
    aslc_hist_sink *k = ctx;
    long id = event_id(event, len);
    if (id <= 0) return;
    /* map runs and child executions, for their API (serve_maprun.c) */
    char *noted = aslc_maprun_note(k->store, &k->maprun, k->arn, event, len, unit, child);
    if (noted) {
        event = noted;
        len = strlen(noted);
    }
    if (child) {
        if (unit)
            aslc_store_add_child_event(k->store, k->arn, id, unit_started(unit), unit, event, len);
        free(noted);
        return;
    }
    char *failed = over_limit(event, len);
    if (failed) {
        event = failed;
        len = strlen(failed);
    }
    aslc_store_add_event(k->store, k->arn, id, event, len, checkpoint, unit);
    free(failed);
    free(noted);
    if (id > k->last) k->last = id;
}

void aslc_hist_unit(void *ctx, const char *line, size_t len)
{
    aslc_hist_sink *k = ctx;
    cJSON *u = cJSON_ParseWithLength(line, len);
    const cJSON *child = cJSON_GetObjectItemCaseSensitive(u, "child");
    if (child) {
        /* "F": a run of a fan-out failed (runtime/history.c), kept as the
         * run's row of index -1 (-2: numbered as a child execution's) */
        double started = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(u, "started"));
        if (started > 0)
            aslc_store_add_unit(k->store, k->arn, (long)started, cJSON_IsTrue(child) ? -2 : -1, 0,
                                "null", 4);
        cJSON_Delete(u);
        return;
    }
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(u, "result");
    double started = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(u, "started"));
    double idx = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(u, "index"));
    double last = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(u, "last"));
    char *text = r ? cJSON_PrintUnformatted(r) : NULL;
    if (text && started > 0 && idx >= 0 && last > 0)
        aslc_store_add_unit(k->store, k->arn, (long)started, (long)idx, (long)last, text,
                            strlen(text));
    free(text);
    cJSON_Delete(u);
}

/* Whether the event's type ends an execution. */
static bool terminal(const char *type)
{
    return type && (!strcmp(type, "ExecutionSucceeded") || !strcmp(type, "ExecutionFailed") ||
                    !strcmp(type, "ExecutionTimedOut") || !strcmp(type, "ExecutionAborted"));
}

void aslc_hist_finish(aslc_store *s, const aslc_execution *e)
{
    char *body = NULL;
    long last = aslc_store_last_event(s, e->arn, &body);
    cJSON *j = body ? cJSON_Parse(body) : NULL;
    free(body);
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "type"));
    bool done = terminal(type);
    cJSON_Delete(j);
    /* an execution that never spoke (an old record, an Express one) has none */
    if (done || last == 0) return;
    const char *t = !strcmp(e->status, "SUCCEEDED")  ? "ExecutionSucceeded"
                    : !strcmp(e->status, "TIMED_OUT") ? "ExecutionTimedOut"
                    : !strcmp(e->status, "ABORTED")   ? "ExecutionAborted"
                                                      : "ExecutionFailed";
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double)(last + 1));
    cJSON_AddNumberToObject(ev, "previousEventId", (double)last);
    char stamp[40];
    time_t sec = (time_t)e->stopped;
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03dZ",
             (int)((e->stopped - (double)sec) * 1000 + 0.5) % 1000);
    cJSON_AddStringToObject(ev, "timestamp", stamp);
    cJSON_AddStringToObject(ev, "type", t);
    cJSON *d;
    if (!strcmp(t, "ExecutionSucceeded")) {
        d = cJSON_AddObjectToObject(ev, "executionSucceededEventDetails");
        cJSON_AddStringToObject(d, "output", e->output ? e->output : "null");
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(d, "outputDetails"), "truncated", false);
    } else {
        d = cJSON_AddObjectToObject(ev, !strcmp(t, "ExecutionTimedOut")
                                            ? "executionTimedOutEventDetails"
                                        : !strcmp(t, "ExecutionAborted")
                                            ? "executionAbortedEventDetails"
                                            : "executionFailedEventDetails");
        if (e->error) cJSON_AddStringToObject(d, "error", e->error);
        if (e->cause) cJSON_AddStringToObject(d, "cause", e->cause);
    }
    char *text = cJSON_PrintUnformatted(ev);
    aslc_store_add_event(s, e->arn, last + 1, text, strlen(text), NULL, NULL);
    free(text);
    cJSON_Delete(ev);
}

/* ---- GetExecutionHistory ----------------------------------------------------------- */

typedef struct {
    cJSON *events;
    const char *role;
    bool data;          /* includeExecutionData */
} page;

static void strip_data(cJSON *details)
{
    static const char *const keys[] = {"input", "inputDetails", "output", "outputDetails",
                                       "parameters"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(details, keys[i]);
}

static void add_event(void *ctx, long id, const char *body)
{
    page *p = ctx;
    (void)id;
    cJSON *ev = cJSON_Parse(body);
    if (!ev) return;
    /* the API's timestamps are seconds since the epoch */
    cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
    if (cJSON_IsString(ts))
        cJSON_ReplaceItemInObjectCaseSensitive(ev, "timestamp",
                                               cJSON_CreateNumber(aslc_iso_seconds(ts->valuestring)));
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
    for (cJSON *d = ev->child; d; d = d->next) {
        if (!cJSON_IsObject(d) || !d->string || !strstr(d->string, "EventDetails")) continue;
        if (type && !strcmp(type, "ExecutionStarted") && p->role &&
            cJSON_GetObjectItemCaseSensitive(d, "roleArn"))
            cJSON_ReplaceItemInObjectCaseSensitive(d, "roleArn", cJSON_CreateString(p->role));
        if (!p->data) strip_data(d);
    }
    cJSON_AddItemToArray(p->events, ev);
}

cJSON *aslc_hist_page(aslc_store *s, const char *exec_arn, const char *role, const cJSON *in,
                      const char **error)
{
    *error = NULL;
    if (aslc_store_last_event(s, exec_arn, NULL) == 0) return NULL;
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(in, "maxResults");
    int limit = 100;
    if (cJSON_IsNumber(mr) && mr->valuedouble != 0) {
        if (mr->valuedouble < 0 || mr->valuedouble > 1000) {
            *error = "1 validation error detected: Value at 'maxResults' failed to satisfy "
                     "constraint: Member must have value less than or equal to 1000";
            return NULL;
        }
        limit = mr->valueint;
    }
    bool reverse = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "reverseOrder"));
    const cJSON *inc = cJSON_GetObjectItemCaseSensitive(in, "includeExecutionData");
    const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "nextToken"));
    long from = 0;
    if (token) {
        char *end;
        from = strtol(token, &end, 10);
        if (*end || from <= 0) {
            *error = "Invalid Token: the nextToken is not one this server gave";
            return NULL;
        }
    }
    page p = {cJSON_CreateArray(), role, !cJSON_IsFalse(inc)};
    long next = 0;
    aslc_store_events(s, exec_arn, from, reverse, limit, &next, add_event, &p);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "events", p.events);
    if (next) {
        char t[32];
        snprintf(t, sizeof t, "%ld", next);
        cJSON_AddStringToObject(doc, "nextToken", t);
    }
    return doc;
}

/* ---- resuming ------------------------------------------------------------------------- */

/* The events after a Task state's checkpoint: the last one's id, the last
 * of its Task attempts' events (Task..., LambdaFunction..., Activity...)
 * and the errors of the attempts that failed (a Retry took all but maybe
 * the last). */
typedef struct {
    long last;
    cJSON *task;
    cJSON *failed;
} after_entry;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static void note_event(void *ctx, long id, const char *body)
{
    after_entry *a = ctx;
    cJSON *ev = cJSON_Parse(body);
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
    if (type && (!strncmp(type, "Task", 4) || !strncmp(type, "LambdaFunction", 14) ||
                 !strncmp(type, "Activity", 8))) {
        if (ends_with(type, "Failed") || ends_with(type, "TimedOut")) {
            const cJSON *d = NULL;
            for (const cJSON *c = ev->child; c; c = c->next)
                if (cJSON_IsObject(c) && c->string && strstr(c->string, "EventDetails")) d = c;
            const char *er = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "error"));
            cJSON_AddItemToArray(a->failed, cJSON_CreateString(er ? er : ""));
        }
        cJSON_Delete(a->task);
        a->task = ev;
    } else {
        cJSON_Delete(ev);
    }
    if (id > a->last) a->last = id;
}

/* ---- resuming inside a top-level Parallel or Map --------------------------------------------
 *
 * The events after the state's StateEntered: its ...StateStarted (S; a
 * Distributed Map's MapRunStarted is S), then the events of its units at
 * any depth, each recorded with its unit's key (runtime/history.c,
 * unit_key): "/S.I" for unit I of this fan-out, "/S.I/T.J" for unit J of a
 * Parallel or Map inside it (T its ...StateStarted), and so on; a
 * Distributed Map's child executions' events are in child_events, keyed
 * the same way.  Each thread of control makes its own events in a fixed
 * order, so each unit, at any depth, replays its own (live_units): run
 * again from its start, each event it makes that is its next recorded one
 * keeps that one's id and is not written again; a Task takes its recorded
 * outcome.  The units whose results were recorded (aslc_hist_unit) are not
 * run again.  The first event of the execution's own thread after S (the
 * fan-out's end, or a Retry's new start) goes with all that follows it: it
 * is made again.  Nothing before it goes, so the kept events keep their
 * ids and the new ones follow them without a gap. */

typedef struct {
    long id;
    char *unit;            /* its unit's key; NULL: the execution's own thread */
    cJSON *ev;
    bool child;            /* a child execution's (numbered apart: child_events) */
} fan_event;

typedef struct {
    fan_event *v;
    size_t n, cap;
    bool child;            /* collect: the events come from child_events */
} fan_events;

static void collect(void *ctx, long id, const char *unit, const char *body)
{
    fan_events *a = ctx;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = (fan_event){id, unit ? strdup(unit) : NULL, cJSON_Parse(body), a->child};
}

static void fan_events_free(fan_events *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].unit);
        cJSON_Delete(a->v[i].ev);
    }
    free(a->v);
}

typedef struct {
    long idx, last;
    char *result;
} fan_unit;

typedef struct {
    fan_unit *v;
    size_t n, cap;
} fan_units;

static void collect_unit(void *ctx, long idx, long last, const char *result)
{
    fan_units *a = ctx;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = (fan_unit){idx, last, strdup(result ? result : "null")};
}

static const char *type_of(const cJSON *ev)
{
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
    return t ? t : "";
}

/* By unit, then by id: each unit's events together, in order. */
static int by_unit(const void *p, const void *q)
{
    const fan_event *a = p, *b = q;
    int k = strcmp(a->unit, b->unit);
    return k ? k : (a->id > b->id) - (a->id < b->id);
}

/* Whether key is unit (a finished one) or a unit inside it. */
static bool within(const char *key, const char *unit)
{
    size_t n = strlen(unit);
    return !strncmp(key, unit, n) && (key[n] == 0 || key[n] == '/');
}

/* Whether key is a unit of one of the fan-out runs keyed prefixes[0..n)
 * ("/S.", one per run: a Retry's runs each have their own S). */
static bool of_runs(const char *key, char **prefixes, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!strncmp(key, prefixes[k], strlen(prefixes[k]))) return true;
    return false;
}

/* Unit key's run: its fan-out's start S (in "<parent>/S.I") and the
 * length of its parent's key. */
static long run_of_key(const char *key, size_t *parent_len)
{
    const char *slash = strrchr(key, '/');
    *parent_len = slash ? (size_t)(slash - key) : 0;
    return slash ? strtol(slash + 1, NULL, 10) : 0;
}

/* Whether the run S (of the thread keyed parent, parent_len long; "" the
 * execution's own, whose last event is own_last) had failed or ended
 * before the restart, so that its units that had not ended were stopped
 * where their events end: its failure was recorded (runtime/history.c,
 * asl_hist_fan_ended: a units row of index -1, -2 in a child execution's
 * numbering), its thread has an event after it, or one of its units was
 * aborted (MapIterationAborted).  m: a's units' events, by unit. */
static bool run_closed(aslc_store *s, const char *arn, const fan_events *a, size_t m,
                       const char *parent, size_t parent_len, long started, bool child,
                       long own_last)
{
    fan_units u = {0};
    aslc_store_units(s, arn, started, collect_unit, &u);
    bool closed = false;
    for (size_t k = 0; k < u.n; k++) {
        if (u.v[k].idx == (child ? -2 : -1)) closed = true;
        free(u.v[k].result);
    }
    free(u.v);
    if (!parent_len && own_last > started) closed = true;
    char run[40];
    int rn = snprintf(run, sizeof run, "/%ld.", started);
    for (size_t i = 0; !closed && i < m; i++) {
        const char *k = a->v[i].unit;
        if (strncmp(k, parent, parent_len) != 0) continue;
        if (k[parent_len] == 0 && a->v[i].id > started) closed = true;   /* its thread went on */
        else if (!strncmp(k + parent_len, run, (size_t)rn) && !strchr(k + parent_len + rn, '/') &&
                 !strcmp(type_of(a->v[i].ev), "MapIterationAborted"))
            closed = true;
    }
    return closed;
}

/* The units that were running, at any depth, each {"key", "events",
 * "waited": real seconds since its last event, "closed": its run had
 * failed (run_closed)}: a's events of the units of the fan-out runs keyed
 * prefixes, but those within a finished one (done, its keys). */
static void live_units(aslc_store *s, const char *arn, fan_events *a, char **prefixes,
                       size_t nprefixes, char **done, size_t ndone, long own_last, cJSON *list)
{
    double now = now_seconds();
    size_t m = 0;
    for (size_t i = 0; i < a->n; i++)   /* the units' events first */
        if (a->v[i].unit && a->v[i].ev) {
            fan_event t = a->v[m];
            a->v[m++] = a->v[i];
            a->v[i] = t;
        }
    qsort(a->v, m, sizeof *a->v, by_unit);
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && !strcmp(a->v[j].unit, a->v[i].unit)) j++;
        bool take = of_runs(a->v[i].unit, prefixes, nprefixes);
        for (size_t k = 0; take && k < ndone; k++)
            if (within(a->v[i].unit, done[k])) take = false;
        if (take) {
            cJSON *u = cJSON_CreateObject();
            cJSON_AddStringToObject(u, "key", a->v[i].unit);
            cJSON *evs = cJSON_AddArrayToObject(u, "events");
            for (size_t k = i; k < j; k++)
                cJSON_AddItemToArray(evs, cJSON_Duplicate(a->v[k].ev, true));
            double at = aslc_iso_seconds(cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(a->v[j - 1].ev, "timestamp")));
            cJSON_AddNumberToObject(u, "waited", at > 0 && now > at ? now - at : 0);
            /* when: so that the binary counts the time until its Wait resumes too */
            if (at > 0) cJSON_AddNumberToObject(u, "at", at);
            size_t plen;
            long started = run_of_key(a->v[i].unit, &plen);
            if (run_closed(s, arn, a, m, a->v[i].unit, plen, started, a->v[i].child, own_last))
                cJSON_AddBoolToObject(u, "closed", true);
            cJSON_AddItemToArray(list, u);
        }
        i = j;
    }
}

/* The events of the execution's own thread that a Retry's later run of
 * the fan-out makes before its units: its new start (and a Distributed
 * Map's MapRunStarted), and a Distributed Map's MapRunFailed that ended
 * the run before.  (An inline fan-out's failure is written only once no
 * Retry takes it: none between its runs.) */
static bool run_event(const char *type)
{
    return !strcmp(type, "MapStateStarted") || !strcmp(type, "ParallelStateStarted") ||
           !strcmp(type, "MapRunStarted") || !strcmp(type, "MapRunFailed");
}

/* The finished top-level units of the fan-out run started at event started:
 * their results into list (not run again), their keys into done. */
static void done_units(aslc_store *s, const char *arn, long started, long last, cJSON *list,
                       char ***done, size_t *ndone)
{
    fan_units u = {0};
    aslc_store_units(s, arn, started, collect_unit, &u);
    *done = realloc(*done, (*ndone + u.n + 1) * sizeof **done);
    for (size_t k = 0; k < u.n; k++) {
        if (u.v[k].idx >= 0 && u.v[k].last <= last) {   /* (< 0: the run failed, run_closed) */
            cJSON *d = cJSON_CreateObject();
            cJSON_AddNumberToObject(d, "started", (double)started);
            cJSON_AddNumberToObject(d, "index", (double)u.v[k].idx);
            cJSON *r = cJSON_Parse(u.v[k].result);
            cJSON_AddItemToObject(d, "result", r ? r : cJSON_CreateNull());
            cJSON_AddItemToArray(list, d);
            if (asprintf(&(*done)[*ndone], "/%ld.%ld", started, u.v[k].idx) >= 0) (*ndone)++;
        }
        free(u.v[k].result);
    }
    free(u.v);
}

/* Plans the resumption of the fan-out state entered at event entered
 * (StateEntered ev): true with the checkpoint c given its "fan" and *last
 * the last event kept; false to run the state again whole.
 *
 * A Retry runs the fan-out again: each run has its own start S, so its
 * units their own keys.  The execution's own events between the runs (the
 * later runs' starts, run_event) are kept and replayed by the resumed
 * state ("own"), so that every run's units replay theirs as the first
 * run's do. */
static bool fan_plan(aslc_store *s, const char *arn, long entered, const cJSON *ev, cJSON *c,
                     long *last)
{
    bool map = !strcmp(type_of(ev), "MapStateEntered");
    const char *start_type = map ? "MapStateStarted" : "ParallelStateStarted";
    fan_events a = {0};
    aslc_store_unit_events(s, arn, entered + 1, collect, &a);
    const cJSON *p0 =
        a.n > 0 ? cJSON_GetObjectItemCaseSensitive(a.v[0].ev, "previousEventId") : NULL;
    bool ok = a.n > 0 && !a.v[0].unit && a.v[0].ev && (long)cJSON_GetNumberValue(p0) == entered &&
              !strcmp(type_of(a.v[0].ev), start_type);
    /* nothing after the start: no unit began, the state runs again whole
     * (a Distributed Map's MapRunStarted may not have been recorded) */
    ok = ok && a.n > 1;
    if (!ok) {
        fan_events_free(&a);
        return false;
    }
    /* the runs' starts (S: a Distributed Map's MapRunStarted, else the
     * ...StateStarted), and the first event of the execution's own thread
     * that is no run's: made again, with all that follows it */
    char **prefixes = calloc(a.n, sizeof *prefixes);
    size_t nruns = 0, end = a.n, own_from = 0;
    long first_cursor = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (a.v[i].unit) continue;
        const char *t = type_of(a.v[i].ev);
        if (!a.v[i].ev || !run_event(t)) {
            end = i;
            break;
        }
        bool opens = !strcmp(t, start_type) &&
                     !(i + 1 < a.n && !a.v[i + 1].unit && !strcmp(type_of(a.v[i + 1].ev), "MapRunStarted"));
        if (!strcmp(t, "MapRunStarted") || opens) {
            if (nruns == 1 && !first_cursor) first_cursor = a.v[i - 1].id;
            if (asprintf(&prefixes[nruns], "/%ld.", a.v[i].id) >= 0) nruns++;
            if (nruns == 1) own_from = i + 1;
        } else if (nruns == 1 && !first_cursor) {
            first_cursor = a.v[i - 1].id;   /* the first run's MapRunFailed */
        }
    }
    if (!nruns) {
        free(prefixes);
        fan_events_free(&a);
        return false;
    }
    long started = strtol(prefixes[0] + 1, NULL, 10);
    long own_last = 0;   /* the execution's own last event, made again or not */
    for (size_t i = 0; i < a.n; i++)
        if (!a.v[i].unit && a.v[i].id > own_last) own_last = a.v[i].id;
    *last = a.v[end - 1].id;
    cJSON *fan = cJSON_AddObjectToObject(c, "fan");
    cJSON_AddNumberToObject(fan, "started", (double)started);
    cJSON_AddNumberToObject(fan, "cursor", (double)(first_cursor ? first_cursor : *last));
    /* the later runs' own events, replayed by the resumed state */
    cJSON *own = cJSON_AddArrayToObject(fan, "own");
    for (size_t i = own_from; i < end; i++)
        if (!a.v[i].unit) cJSON_AddItemToArray(own, cJSON_Duplicate(a.v[i].ev, true));
    for (size_t i = end; i < a.n; i++) {   /* not units' events: leave them out */
        free(a.v[i].unit);
        cJSON_Delete(a.v[i].ev);
    }
    a.n = end;
    /* the finished top-level units of every run: their results, not run again */
    cJSON *list = cJSON_AddArrayToObject(fan, "done");
    char **done = NULL;
    size_t ndone = 0;
    for (size_t k = 0; k < nruns; k++)
        done_units(s, arn, strtol(prefixes[k] + 1, NULL, 10), *last, list, &done, &ndone);
    /* the child executions' events (a Distributed Map's) with the units' */
    a.child = true;
    aslc_store_child_events(s, arn, 1L << 62, collect, &a);
    live_units(s, arn, &a, prefixes, nruns, done, ndone, own_last,
               cJSON_AddArrayToObject(fan, "live"));
    for (size_t k = 0; k < ndone; k++) free(done[k]);
    free(done);
    for (size_t k = 0; k < nruns; k++) free(prefixes[k]);
    free(prefixes);
    fan_events_free(&a);
    return true;
}

/* What the resumed binary makes of the Task attempt recorded after the
 * checkpoint (runtime/served.c, asl_served_replay): its outcome when one
 * was recorded, else "started" (it was running).  NULL: no attempt. */
static cJSON *replay_of(const cJSON *task)
{
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(task, "type"));
    if (!type) return NULL;
    const cJSON *d = NULL;
    for (const cJSON *c = task->child; c; c = c->next)
        if (cJSON_IsObject(c) && c->string && strstr(c->string, "EventDetails")) d = c;
    cJSON *r = cJSON_CreateObject();
    const char *out = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "output"));
    const cJSON *od = cJSON_GetObjectItemCaseSensitive(d, "outputDetails");
    bool whole = !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(od, "truncated"));
    if (ends_with(type, "Succeeded") && out && whole) {
        cJSON_AddStringToObject(r, "outcome", "succeeded");
        cJSON_AddStringToObject(r, "output", out);
    } else if (ends_with(type, "Failed") || ends_with(type, "TimedOut")) {
        const char *er = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "error"));
        const char *ca = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "cause"));
        cJSON_AddStringToObject(r, "outcome", "failed");
        if (er) cJSON_AddStringToObject(r, "error", er);
        if (ca) cJSON_AddStringToObject(r, "cause", ca);
    } else {
        /* Scheduled, Started, or a success too large to have been kept */
        cJSON_AddStringToObject(r, "outcome", "started");
    }
    return r;
}

int aslc_hist_resume_plan(aslc_store *s, const aslc_execution *e, const char *dir,
                          char **resume_path, aslc_execution *done)
{
    *resume_path = NULL;
    char *body = NULL;
    aslc_store_last_event(s, e->arn, &body);
    cJSON *last = body ? cJSON_Parse(body) : NULL;
    free(body);
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(last, "type"));
    if (terminal(type)) {
        /* it ended, recorded, before the server could write its record */
        memset(done, 0, sizeof *done);
        done->arn = e->arn;
        done->status = !strcmp(type, "ExecutionSucceeded")  ? "SUCCEEDED"
                       : !strcmp(type, "ExecutionTimedOut") ? "TIMED_OUT"
                       : !strcmp(type, "ExecutionAborted")  ? "ABORTED"
                                                            : "FAILED";
        const cJSON *d = NULL;
        for (const cJSON *c = last->child; c; c = c->next)
            if (cJSON_IsObject(c)) d = c;
        const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "output"));
        const char *er = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "error"));
        const char *ca = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "cause"));
        done->output = o ? strdup(o) : NULL;
        done->error = er ? strdup(er) : NULL;
        done->cause = ca ? strdup(ca) : NULL;
        done->stopped = aslc_iso_seconds(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(last, "timestamp")));
        cJSON_Delete(last);
        return 2;
    }
    cJSON_Delete(last);
    char *cp = NULL, *entered = NULL;
    long id = aslc_store_checkpoint(s, e->arn, &cp, &entered);
    cJSON *c = cp ? cJSON_Parse(cp) : NULL;
    cJSON *ev = entered ? cJSON_Parse(entered) : NULL;
    free(cp);
    free(entered);
    if (!c || !ev) {
        /* no state entered yet: it starts again, its history with it */
        cJSON_Delete(c);
        cJSON_Delete(ev);
        aslc_store_trim_events(s, e->arn, 0);
        return 0;
    }
    /* A Task state keeps its attempt's events: the attempt is not made
     * again (AWS Standard: no state runs twice without a Retry), its
     * outcome is replayed.  Any other state runs again from its entry. */
    long last_id = id;
    const char *etype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
    if (etype && (!strcmp(etype, "MapStateEntered") || !strcmp(etype, "ParallelStateEntered"))) {
        if (!fan_plan(s, e->arn, id, ev, c, &last_id)) last_id = id;
    } else if (etype && !strcmp(etype, "TaskStateEntered")) {
        after_entry a = {id, NULL, cJSON_CreateArray()};
        long next = 0;
        aslc_store_events(s, e->arn, id + 1, false, 1 << 30, &next, note_event, &a);
        cJSON *rp = a.task ? replay_of(a.task) : NULL;
        cJSON_Delete(a.task);
        if (rp) {
            /* the failures Retry took: its attempt counts go on from them */
            const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rp, "outcome"));
            if (o && !strcmp(o, "failed")) cJSON_DeleteItemFromArray(a.failed,
                                                                     cJSON_GetArraySize(a.failed) - 1);
            cJSON_AddItemToObject(rp, "retried", a.failed);
            a.failed = NULL;
            cJSON_AddItemToObject(c, "replay", rp);
            last_id = a.last;
        }
        cJSON_Delete(a.failed);
    }
    aslc_store_trim_events(s, e->arn, last_id);
    /* the child executions of map runs whose start goes are gone too; the
     * ids of those that are new follow the last one kept */
    long child_last = aslc_store_child_events(s, e->arn, last_id, NULL, NULL);
    cJSON_AddNumberToObject(c, "child_last", (double)child_last);
    double at = aslc_iso_seconds(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "timestamp")));
    double waited = at > 0 ? now_seconds() - at : 0;
    cJSON_AddNumberToObject(c, "entered", (double)id);
    /* the state's $$.State.EnteredTime after the restart: its entry's */
    const char *ts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "timestamp"));
    if (ts) cJSON_AddStringToObject(c, "entered_time", ts);
    cJSON_AddNumberToObject(c, "last", (double)last_id);
    cJSON_AddNumberToObject(c, "started", e->started);
    cJSON_AddNumberToObject(c, "waited", waited > 0 ? waited : 0);
    cJSON_Delete(ev);
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) memset(r, 0, sizeof r);
    char *path = NULL;
    if (asprintf(&path, "%s/resume-%ld-%02x%02x%02x%02x%02x%02x%02x%02x.json", dir, (long)getpid(),
                 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) < 0) {
        cJSON_Delete(c);
        return -1;
    }
    char *text = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0) ok = false;
    free(text);
    if (!ok) {
        unlink(path);
        free(path);
        return -1;
    }
    *resume_path = path;
    return 1;
}
