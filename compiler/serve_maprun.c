/*
 * serve_maprun.c — a Distributed Map's map runs and child executions in
 * `aslc serve`: ListMapRuns, DescribeMapRun, UpdateMapRun, ListExecutions
 * with mapRunArn, and DescribeExecution / GetExecutionHistory of a child.
 *
 * A Standard execution's binary sends every event it makes, a child
 * execution's apart ("V", numbered apart, runtime/history.c): the child's
 * ExecutionStarted, its states' events, its ExecutionSucceeded / Failed /
 * Aborted, each with its unit's key "/S.I" after the key of the thread
 * that ran the Map (S: the MapRunStarted's id, I: the child's index).
 * serve_hist.c keeps them in child_events for a restart's replay and drops
 * them when the execution ends; here aslc_maprun_note keeps what the API
 * serves, for as long as the execution's own record:
 *   map_runs      one row per MapRunStarted: its ARN (made here, unique per
 *                 execution: the binary's is only its machine, label and
 *                 event id), the Map's settings from the definition, the
 *                 item count, its status and dates (MapRunSucceeded/Failed);
 *   child_execs   one row per child: its ARN, index, status, input, output,
 *                 error, cause and dates, from its start and end events;
 *   events        the child's history, under the child's ARN, renumbered
 *                 1..n as AWS numbers a child's (the channel's cache maps the
 *                 binary's ids to them, for previousEventId), so serve_hist.c's
 *                 GetExecutionHistory pages it as any execution's.
 * A map run or child still RUNNING when its execution is not is ABORTED
 * (the execution was stopped, or failed around it), as on AWS.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool aslc_maprun_open(aslc_store *s)
{
    return sqlite3_exec(
               s->db,
               "CREATE TABLE IF NOT EXISTS map_runs ("
               "  arn TEXT PRIMARY KEY, exec_arn TEXT NOT NULL, unit TEXT NOT NULL,"
               "  started INTEGER NOT NULL, top INTEGER NOT NULL, status TEXT NOT NULL,"
               "  start_date REAL NOT NULL, stop_date REAL, max_concurrency INTEGER NOT NULL,"
               "  tolerated_pct REAL NOT NULL, tolerated_count INTEGER NOT NULL,"
               "  total INTEGER NOT NULL, seq INTEGER, express INTEGER NOT NULL DEFAULT 0,"
               "  batch INTEGER NOT NULL DEFAULT 0);"
               "CREATE INDEX IF NOT EXISTS map_runs_by_exec ON map_runs(exec_arn, unit, started);"
               "CREATE TABLE IF NOT EXISTS child_execs ("
               "  arn TEXT PRIMARY KEY, exec_arn TEXT NOT NULL, map_run TEXT NOT NULL,"
               "  key TEXT NOT NULL, idx INTEGER NOT NULL, top INTEGER NOT NULL,"
               "  status TEXT NOT NULL, input TEXT, output TEXT, error TEXT, cause TEXT,"
               "  started REAL NOT NULL, stopped REAL, items INTEGER NOT NULL DEFAULT 1);"
               "CREATE INDEX IF NOT EXISTS child_execs_by_key ON child_execs(exec_arn, key);"
               "CREATE INDEX IF NOT EXISTS child_execs_by_run ON child_execs(map_run, idx);",
               NULL, NULL, NULL) == SQLITE_OK;
}

/* ---- small helpers ---------------------------------------------------------------- */

static const char *str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Prepares sql and binds its parameters: fmt says each one's type
 * (s: const char * or NULL, i: long, d: double). */
static sqlite3_stmt *prep(aslc_store *s, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 1; *fmt; fmt++, i++) {
        if (*fmt == 's') {
            const char *t = va_arg(ap, const char *);
            if (t) sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(st, i);
        } else if (*fmt == 'i') {
            sqlite3_bind_int64(st, i, va_arg(ap, long));
        } else {
            sqlite3_bind_double(st, i, va_arg(ap, double));
        }
    }
    va_end(ap);
    return st;
}

static void run_sql(sqlite3_stmt *st)
{
    if (!st) return;
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* A UUID-shaped name made of text: the same text, the same name (a replay
 * after a restart makes the same ARNs again), FNV-1a both halves. */
static void uuid_of(const char *text, long n, char out[37])
{
    unsigned long long h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    for (int k = 0; k < 2; k++) {
        for (const char *p = text; *p; p++) h[k] = (h[k] ^ (unsigned char)*p) * 0x100000001b3ULL;
        for (int b = 0; b < 8; b++) h[k] = (h[k] ^ (unsigned char)(n >> (8 * b))) * 0x100000001b3ULL;
        h[k] = (h[k] ^ (unsigned long long)k) * 0x100000001b3ULL;
    }
    snprintf(out, 37, "%08llx-%04llx-4%03llx-%04llx-%012llx", h[0] >> 32, (h[0] >> 16) & 0xffff,
             h[0] & 0xfff, 0x8000 | ((h[1] >> 48) & 0x3fff), h[1] & 0xffffffffffffULL);
}

/* "arn:aws:states:R:A:execution:MACHINE:NAME": R:A and MACHINE. */
static bool exec_parts(const char *exec_arn, char *ra, size_t nra, char *machine, size_t nm)
{
    const char *p = exec_arn;
    for (int i = 0; i < 3 && p; i++) p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    const char *e = p ? strstr(p, ":execution:") : NULL;
    if (!e) return false;
    snprintf(ra, nra, "%.*s", (int)(e - p), p);
    const char *m = e + 11, *end = strchr(m, ':');
    snprintf(machine, nm, "%.*s", (int)(end ? end - m : (long)strlen(m)), m);
    return true;
}

/* ---- the Map's settings, from the definition --------------------------------------- */

/* The Map state labelled label (its Label, or else its name), at any depth. */
static const cJSON *find_map(const cJSON *states, const char *label)
{
    for (const cJSON *st = states ? states->child : NULL; st; st = st->next) {
        const char *type = str_of(st, "Type");
        if (type && !strcmp(type, "Map")) {
            const char *l = str_of(st, "Label");
            if (!strcmp(l ? l : st->string, label)) return st;
        }
        const cJSON *inner = NULL;
        const cJSON *branches = cJSON_GetObjectItemCaseSensitive(st, "Branches");
        for (const cJSON *b = branches ? branches->child : NULL; b && !inner; b = b->next)
            inner = find_map(cJSON_GetObjectItemCaseSensitive(b, "States"), label);
        const char *procs[] = {"ItemProcessor", "Iterator"};
        for (int i = 0; i < 2 && !inner; i++)
            inner = find_map(cJSON_GetObjectItemCaseSensitive(
                                 cJSON_GetObjectItemCaseSensitive(st, procs[i]), "States"),
                             label);
        if (inner) return inner;
    }
    return NULL;
}

static double num_or(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* ---- recording ----------------------------------------------------------------------- */

/* The id of the event before ev (the MapStateStarted before a MapRunStarted)
 * and its length, read back from the events or child_events table. */
static long started_length(aslc_store *s, const char *exec_arn, long prev, bool child)
{
    sqlite3_stmt *st = prep(s, child ? "SELECT body FROM child_events WHERE exec_arn = ? AND id = ?"
                                     : "SELECT body FROM events WHERE exec_arn = ? AND id = ?",
                            "si", exec_arn, prev);
    long n = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        cJSON *ev = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        n = (long)num_or(cJSON_GetObjectItemCaseSensitive(ev, "mapStateStartedEventDetails"),
                         "length", 0);
        cJSON_Delete(ev);
    }
    if (st) sqlite3_finalize(st);
    return n;
}

/* MapRunStarted: the map run's row, and the event with its ARN. */
static char *map_run_started(aslc_store *s, const char *exec_arn, cJSON *ev, long id,
                             const char *unit, bool child)
{
    cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "mapRunStartedEventDetails");
    const char *bin_arn = str_of(d, "mapRunArn");
    const char *lp = bin_arn ? strstr(bin_arn, ":mapRun:") : NULL;
    const char *slash = lp ? strchr(lp + 8, '/') : NULL, *colon = bin_arn ? strrchr(bin_arn, ':') : NULL;
    char ra[256], machine[128];
    if (!slash || colon <= slash || !exec_parts(exec_arn, ra, sizeof ra, machine, sizeof machine))
        return NULL;
    char label[256];
    snprintf(label, sizeof label, "%.*s", (int)(colon - slash - 1), slash + 1);
    char seed[1024], uuid[37], arn[1024];
    snprintf(seed, sizeof seed, "%s|%s|%ld", exec_arn, unit ? unit : "", id);
    uuid_of(seed, id, uuid);
    snprintf(arn, sizeof arn, "arn:aws:states:%s:mapRun:%s/%s:%s", ra, machine, label, uuid);
    /* the Map's settings, as the definition gives them (a ...Path: 0) */
    double maxc = 0, pct = 0, count = 0;
    long express = 0, batch = 0;
    aslc_execution e;
    if (aslc_store_get_execution(s, exec_arn, &e)) {
        aslc_machine m;
        if (aslc_store_get_machine(s, e.sm_arn, &m)) {
            cJSON *def = cJSON_Parse(m.definition);
            const cJSON *map = find_map(cJSON_GetObjectItemCaseSensitive(def, "States"), label);
            maxc = num_or(map, "MaxConcurrency", 0);
            pct = num_or(map, "ToleratedFailurePercentage", 0);
            count = num_or(map, "ToleratedFailureCount", 0);
            const cJSON *pc = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(map, "ItemProcessor"), "ProcessorConfig");
            const char *et = str_of(pc, "ExecutionType");
            express = et && !strcmp(et, "EXPRESS");
            /* batches: children of up to MaxItemsPerBatch items (-1: a
             * bound in bytes only, each child counted as one item at most) */
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(map, "ItemBatcher");
            if (b) batch = (long)num_or(b, "MaxItemsPerBatch", -1);
            cJSON_Delete(def);
            aslc_machine_free(&m);
        }
        aslc_execution_free(&e);
    }
    long prev = (long)num_or(ev, "previousEventId", 0);
    long total = started_length(s, exec_arn, prev, child);
    long top = unit && unit[0] == '/' ? strtol(unit + 1, NULL, 10) : id;
    double at = aslc_iso_seconds(str_of(ev, "timestamp"));
    run_sql(prep(s, "INSERT OR REPLACE INTO map_runs(arn, exec_arn, unit, started, top, status,"
                    " start_date, max_concurrency, tolerated_pct, tolerated_count, total, seq,"
                    " express, batch) VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?,"
                    " (SELECT COALESCE(MAX(seq), 0) + 1 FROM map_runs), ?, ?)",
                 "sssiiddddiii", arn, exec_arn, unit ? unit : "", id, top, at, maxc, pct, count,
                 total, express, batch));
    cJSON_ReplaceItemInObjectCaseSensitive(d, "mapRunArn", cJSON_CreateString(arn));
    return cJSON_PrintUnformatted(ev);
}

/* MapRunSucceeded / MapRunFailed: the running map run of the thread that
 * made it (one at a time per thread). */
static void map_run_ended(aslc_store *s, const char *exec_arn, const cJSON *ev, const char *unit)
{
    const char *type = str_of(ev, "type");
    run_sql(prep(s, "UPDATE map_runs SET status = ?, stop_date = ? WHERE arn = (SELECT arn FROM"
                    " map_runs WHERE exec_arn = ? AND unit = ? AND status = 'RUNNING'"
                    " ORDER BY started DESC LIMIT 1)",
                 "sdss", !strcmp(type, "MapRunSucceeded") ? "SUCCEEDED" : "FAILED",
                 aslc_iso_seconds(str_of(ev, "timestamp")), exec_arn, unit ? unit : ""));
}

/* ---- what one execution's channel knows of its children ---------------------------
 *
 * Each child's key, ARN, kind, and the binary's ids of its events in order
 * (its own id of each is its rank + 1): so that a child's event costs one
 * INSERT, not lookups.  A server that restarted reads them back from
 * child_events, where the same events are, in the same order. */

typedef struct {
    char *key, *arn;       /* arn NULL: key is no child's (a unit inside one) */
    bool express;
    long *gids;
    size_t n, cap;
} kid;

struct aslc_maprun_cache {
    kid **slots;           /* open addressing by key */
    size_t nslots, n;
};

static size_t key_hash(const char *k)
{
    size_t h = 1469598103934665603ULL;
    for (; *k; k++) h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h;
}

static kid **slot_of(aslc_maprun_cache *c, const char *key)
{
    size_t i = key_hash(key) & (c->nslots - 1);
    while (c->slots[i] && strcmp(c->slots[i]->key, key) != 0) i = (i + 1) & (c->nslots - 1);
    return &c->slots[i];
}

static void cache_put(aslc_maprun_cache *c, kid *k)
{
    if (2 * (c->n + 1) > c->nslots) {
        kid **old = c->slots;
        size_t n = c->nslots;
        c->nslots = n ? 2 * n : 64;
        c->slots = calloc(c->nslots, sizeof *c->slots);
        for (size_t i = 0; i < n; i++)
            if (old[i]) *slot_of(c, old[i]->key) = old[i];
        free(old);
    }
    kid **at = slot_of(c, k->key);
    if (*at) {             /* a key known as no child's becomes one */
        free((*at)->key);
        free((*at)->arn);
        free((*at)->gids);
        free(*at);
    } else {
        c->n++;
    }
    *at = k;
}

void aslc_maprun_cache_free(aslc_maprun_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nslots; i++)
        if (c->slots[i]) {
            free(c->slots[i]->key);
            free(c->slots[i]->arn);
            free(c->slots[i]->gids);
            free(c->slots[i]);
        }
    free(c->slots);
    free(c);
}

static void kid_push(kid *k, long gid)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 8;
        k->gids = realloc(k->gids, k->cap * sizeof *k->gids);
    }
    k->gids[k->n++] = gid;
}

static kid *kid_new(const char *key, const char *arn, bool express)
{
    kid *k = calloc(1, sizeof *k);
    k->key = strdup(key);
    k->arn = arn ? strdup(arn) : NULL;
    k->express = express;
    return k;
}

/* key's entry: the cache's, else the store's (a restarted server). */
static kid *kid_of_key(aslc_store *s, const char *exec_arn, aslc_maprun_cache *c, const char *key)
{
    if (c->nslots) {
        kid *k = *slot_of(c, key);
        if (k) return k;
    }
    sqlite3_stmt *st = prep(s, "SELECT c.arn, r.express FROM child_execs c JOIN map_runs r ON"
                               " r.arn = c.map_run WHERE c.exec_arn = ? AND c.key = ?",
                            "ss", exec_arn, key);
    bool found = st && sqlite3_step(st) == SQLITE_ROW;
    kid *k = kid_new(key, found ? (const char *)sqlite3_column_text(st, 0) : NULL,
                     found && sqlite3_column_int(st, 1));
    if (st) sqlite3_finalize(st);
    if (found) {
        st = prep(s, "SELECT id FROM child_events WHERE exec_arn = ?1 AND (unit = ?2 OR"
                     " substr(unit, 1, length(?2) + 1) = ?2 || '/') ORDER BY id",
                  "ss", exec_arn, key);
        while (st && sqlite3_step(st) == SQLITE_ROW) kid_push(k, (long)sqlite3_column_int64(st, 0));
        if (st) sqlite3_finalize(st);
    }
    cache_put(c, k);
    return k;
}

/* A child's ExecutionStarted (key: the child's own): its row. */
static void child_started(aslc_store *s, const char *exec_arn, const cJSON *ev, const char *key,
                          aslc_maprun_cache *c)
{
    const char *slash = strrchr(key, '/');
    if (!slash) return;
    char parent[1024];
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - key), key);
    char *dot = NULL;
    long started = strtol(slash + 1, &dot, 10);
    long idx = dot && *dot == '.' ? strtol(dot + 1, NULL, 10) : 0;
    sqlite3_stmt *st = prep(s, "SELECT arn, batch, express FROM map_runs WHERE exec_arn = ? AND"
                               " unit = ? AND started = ?", "ssi", exec_arn, parent, started);
    char *run = st && sqlite3_step(st) == SQLITE_ROW ? aslc_store_col_text(st, 0) : NULL;
    bool batched = run && sqlite3_column_int64(st, 1) != 0;
    bool express = run && sqlite3_column_int64(st, 2) != 0;
    if (st) sqlite3_finalize(st);
    if (!run) return;
    /* AWS: execution:MACHINE/LABEL:NAME, the map run's MACHINE/LABEL */
    const char *m = strstr(run, ":mapRun:"), *last = strrchr(run, ':');
    char uuid[37], arn[1100];
    uuid_of(run, idx, uuid);
    snprintf(arn, sizeof arn, "%.*s:execution:%.*s:%s", (int)(m - run), run,
             (int)(last - (m + 8)), m + 8, uuid);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "executionStartedEventDetails");
    long top = key[0] == '/' ? strtol(key + 1, NULL, 10) : 0;
    long items = 1;
    if (batched) {   /* a batch's input: {"Items": [...], ...} */
        cJSON *in = cJSON_Parse(str_of(d, "input") ? str_of(d, "input") : "");
        const cJSON *its = cJSON_GetObjectItemCaseSensitive(in, "Items");
        if (cJSON_IsArray(its)) items = cJSON_GetArraySize(its);
        cJSON_Delete(in);
    }
    run_sql(prep(s, "INSERT OR REPLACE INTO child_execs(arn, exec_arn, map_run, key, idx, top,"
                    " status, input, started, items) VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?, ?)",
                 "ssssiisdi", arn, exec_arn, run, key, idx, top, str_of(d, "input"),
                 aslc_iso_seconds(str_of(ev, "timestamp")), items));
    cache_put(c, kid_new(key, arn, express));
    free(run);
}

/* A child's end event: its status, output, error, cause, stop date. */
static void child_ended(aslc_store *s, const char *child, const cJSON *ev, const char *type)
{
    const char *status = !strcmp(type, "ExecutionSucceeded") ? "SUCCEEDED"
                         : !strcmp(type, "ExecutionAborted") ? "ABORTED"
                         : !strcmp(type, "ExecutionTimedOut") ? "TIMED_OUT"
                                                               : "FAILED";
    const cJSON *d = NULL;
    for (const cJSON *c = ev->child; c; c = c->next)
        if (cJSON_IsObject(c)) d = c;
    run_sql(prep(s, "UPDATE child_execs SET status = ?, output = ?, error = ?, cause = ?,"
                    " stopped = ? WHERE arn = ?",
                 "ssssds", status, str_of(d, "output"), str_of(d, "error"), str_of(d, "cause"),
                 aslc_iso_seconds(str_of(ev, "timestamp")), child));
}

/* The child execution whose events key makes: the longest key of a child
 * that key is or is inside (a fan-out inside the child), or NULL. */
static kid *child_of(aslc_store *s, const char *exec_arn, aslc_maprun_cache *c, const char *key)
{
    char *k = strdup(key);
    kid *found = NULL;
    while (!found && *k) {
        kid *e = kid_of_key(s, exec_arn, c, k);
        if (e->arn) found = e;
        char *slash = strrchr(k, '/');
        if (!slash) break;
        *slash = 0;
    }
    free(k);
    return found;
}

/* The child's event, renumbered in its own history (1..n); an EXPRESS
 * child has none, as on AWS. */
static void child_event(aslc_store *s, kid *k, cJSON *ev)
{
    long gid = (long)num_or(ev, "id", 0), gprev = (long)num_or(ev, "previousEventId", 0);
    long prev = 0;
    for (size_t i = k->n; gprev && i-- > 0;)   /* most often the last one */
        if (k->gids[i] == gprev) {
            prev = (long)i + 1;
            break;
        }
    kid_push(k, gid);
    if (k->express) return;
    long id = (long)k->n;
    cJSON_ReplaceItemInObjectCaseSensitive(ev, "id", cJSON_CreateNumber((double)id));
    cJSON_ReplaceItemInObjectCaseSensitive(ev, "previousEventId", cJSON_CreateNumber((double)prev));
    char *text = cJSON_PrintUnformatted(ev);
    if (text) aslc_store_add_event(s, k->arn, id, text, strlen(text), NULL, NULL);
    free(text);
}

char *aslc_maprun_note(aslc_store *s, aslc_maprun_cache **cache, const char *exec_arn,
                       const char *event, size_t len, const char *unit, bool child)
{
    /* most events are neither a map run's nor a child's: one look first */
    if (!(child && unit) && !memmem(event, len, "\"MapRun", 7)) return NULL;
    cJSON *ev = cJSON_ParseWithLength(event, len);
    const char *type = str_of(ev, "type");
    long id = (long)num_or(ev, "id", 0);
    char *text = NULL;
    if (!type || id <= 0) {
        cJSON_Delete(ev);
        return NULL;
    }
    if (!strcmp(type, "MapRunStarted"))
        text = map_run_started(s, exec_arn, ev, id, unit, child);
    else if (!strcmp(type, "MapRunSucceeded") || !strcmp(type, "MapRunFailed"))
        map_run_ended(s, exec_arn, ev, unit);
    if (child && unit) {
        aslc_maprun_cache *mine = NULL, *c = cache ? *cache : NULL;
        if (!c) {
            c = calloc(1, sizeof *c);
            if (cache) *cache = c;
            else mine = c;
        }
        if (!strcmp(type, "ExecutionStarted")) child_started(s, exec_arn, ev, unit, c);
        kid *k = child_of(s, exec_arn, c, unit);
        if (k) {
            if (!strncmp(type, "Execution", 9) && strcmp(type, "ExecutionStarted") != 0)
                child_ended(s, k->arn, ev, type);
            child_event(s, k, ev);
        }
        aslc_maprun_cache_free(mine);
    }
    cJSON_Delete(ev);
    return text;
}

void aslc_maprun_trim(aslc_store *s, const char *exec_arn, long after)
{
    static const char *const gone[] = {
        "DELETE FROM events WHERE exec_arn IN (SELECT arn FROM child_execs WHERE exec_arn = ?1"
        " AND top > ?2)",
        "DELETE FROM child_execs WHERE exec_arn = ?1 AND top > ?2",
        "DELETE FROM map_runs WHERE exec_arn = ?1 AND top > ?2"};
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        run_sql(prep(s, gone[i], "si", exec_arn, after));
}

/* ---- the API --------------------------------------------------------------------------- */

/* The status and stop date of a run or child still RUNNING in an execution
 * that is not: ABORTED when it stopped. */
static const char *settle(aslc_store *s, const char *exec_arn, const char *status, double *stop)
{
    if (strcmp(status, "RUNNING") != 0) return status;
    aslc_execution e;
    if (!aslc_store_get_execution(s, exec_arn, &e)) return status;
    bool over = strcmp(e.status, "RUNNING") != 0;
    if (over && *stop <= 0) *stop = e.stopped;
    aslc_execution_free(&e);
    return over ? "ABORTED" : status;
}

bool aslc_maprun_child(aslc_store *s, const char *arn, aslc_execution *e, char **map_run)
{
    memset(e, 0, sizeof *e);
    *map_run = NULL;
    sqlite3_stmt *st = prep(s, "SELECT arn, exec_arn, map_run, status, input, output, error,"
                               " cause, started, stopped FROM child_execs WHERE arn = ?",
                            "s", arn);
    if (!st) return false;
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        e->arn = aslc_store_col_text(st, 0);
        char *parent = aslc_store_col_text(st, 1);
        *map_run = aslc_store_col_text(st, 2);
        char *status = aslc_store_col_text(st, 3);
        e->input = aslc_store_col_text(st, 4);
        e->output = aslc_store_col_text(st, 5);
        e->error = aslc_store_col_text(st, 6);
        e->cause = aslc_store_col_text(st, 7);
        e->started = sqlite3_column_double(st, 8);
        e->stopped = sqlite3_column_double(st, 9);
        e->status = strdup(settle(s, parent, status, &e->stopped));
        free(status);
        free(parent);
        /* stateMachine:MACHINE/LABEL, the name after it */
        const char *x = strstr(e->arn, ":execution:"), *last = strrchr(e->arn, ':');
        if (asprintf(&e->sm_arn, "%.*s:stateMachine:%.*s", (int)(x - e->arn), e->arn,
                     (int)(last - (x + 11)), x + 11) < 0)
            e->sm_arn = NULL;
        e->name = strdup(last + 1);
    }
    sqlite3_finalize(st);
    return found;
}

bool aslc_maprun_child_info(aslc_store *s, const char *arn, aslc_child_info *ci)
{
    memset(ci, 0, sizeof *ci);
    sqlite3_stmt *st = prep(s, "SELECT c.exec_arn, c.map_run, r.express FROM child_execs c"
                               " JOIN map_runs r ON r.arn = c.map_run WHERE c.arn = ?", "s", arn);
    bool found = st && sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        ci->parent = aslc_store_col_text(st, 0);
        ci->map_run = aslc_store_col_text(st, 1);
        ci->express = sqlite3_column_int(st, 2) != 0;
        /* mapRun:MACHINE/LABEL:UUID */
        const char *slash = strchr(strstr(ci->map_run, ":mapRun:"), '/');
        const char *last = strrchr(ci->map_run, ':');
        ci->label = slash && last > slash ? strndup(slash + 1, (size_t)(last - slash - 1))
                                          : strdup("");
    }
    if (st) sqlite3_finalize(st);
    return found;
}

void aslc_child_info_free(aslc_child_info *ci)
{
    free(ci->parent);
    free(ci->map_run);
    free(ci->label);
    memset(ci, 0, sizeof *ci);
}

/* AWS's ARN check: an ARN of the right service and kind, or InvalidArn. */
static bool arn_ok(const char *arn, const char *kind, aslc_reply *r)
{
    char k[32];
    snprintf(k, sizeof k, ":%s:", kind);
    if (arn && !strncmp(arn, "arn:", 4) && strstr(arn, ":states:") && strstr(arn, k)) return true;
    aslc_fail(r, 400, "InvalidArn", "Invalid Arn: '%s'", arn ? arn : "");
    return false;
}

typedef struct {
    char *arn, *exec_arn, *status;
    double start, stop, pct;
    long maxc, count, total, batch;
} map_run;

static bool get_run(aslc_store *s, const char *arn, map_run *m)
{
    memset(m, 0, sizeof *m);
    sqlite3_stmt *st = prep(s, "SELECT arn, exec_arn, status, start_date, stop_date,"
                               " max_concurrency, tolerated_pct, tolerated_count, total, batch"
                               " FROM map_runs WHERE arn = ?", "s", arn);
    bool found = st && sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        m->arn = aslc_store_col_text(st, 0);
        m->exec_arn = aslc_store_col_text(st, 1);
        m->status = aslc_store_col_text(st, 2);
        m->start = sqlite3_column_double(st, 3);
        m->stop = sqlite3_column_double(st, 4);
        m->maxc = (long)sqlite3_column_int64(st, 5);
        m->pct = sqlite3_column_double(st, 6);
        m->count = (long)sqlite3_column_int64(st, 7);
        m->total = (long)sqlite3_column_int64(st, 8);
        m->batch = (long)sqlite3_column_int64(st, 9);
    }
    if (st) sqlite3_finalize(st);
    return found;
}

static void run_free(map_run *m)
{
    free(m->arn);
    free(m->exec_arn);
    free(m->status);
}

static bool find_run(aslc_store *s, const cJSON *in, map_run *m, aslc_reply *r)
{
    const char *arn = str_of(in, "mapRunArn");
    if (!arn_ok(arn, "mapRun", r)) return false;
    if (get_run(s, arn, m)) return true;
    aslc_fail(r, 400, "ResourceNotFound", "Resource not found: '%s'", arn);
    return false;
}

void aslc_act_describe_map_run(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    map_run m;
    if (!find_run(s, in, &m, r)) return;
    const char *status = settle(s, m.exec_arn, m.status, &m.stop);
    /* the children's states, by child and by item (a batch is a child of
     * several items); those not started are pending while the run runs,
     * aborted once it is over, and so are those still running then */
    long n[2][6] = {{0}};   /* running, succeeded, failed, timed out, aborted, started */
    static const char *const names[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
    sqlite3_stmt *st = prep(s, "SELECT status, COUNT(*), SUM(items) FROM child_execs WHERE"
                               " map_run = ? GROUP BY status", "s", m.arn);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        for (int w = 0; w < 2; w++) {
            long c = (long)sqlite3_column_int64(st, 2 - w);
            for (int i = 0; i < 5; i++)
                if (k && !strcmp(k, names[i])) n[w][i] += c;
            n[w][5] += c;
        }
    }
    if (st) sqlite3_finalize(st);
    bool over = strcmp(status, "RUNNING") != 0;
    long total[2], pending[2];
    total[0] = m.total > n[0][5] ? m.total : n[0][5];
    pending[0] = total[0] - n[0][5];
    /* children yet to start: one per item, or per batch of m.batch items */
    pending[1] = m.batch > 0 ? (pending[0] + m.batch - 1) / m.batch : pending[0];
    total[1] = n[1][5] + pending[1];
    for (int w = 0; w < 2; w++)
        if (over) {
            n[w][4] += n[w][0] + pending[w];
            n[w][0] = pending[w] = 0;
        }
    r->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(r->doc, "mapRunArn", m.arn);
    cJSON_AddStringToObject(r->doc, "executionArn", m.exec_arn);
    cJSON_AddStringToObject(r->doc, "status", status);
    cJSON_AddNumberToObject(r->doc, "startDate", m.start);
    if (m.stop > 0) cJSON_AddNumberToObject(r->doc, "stopDate", m.stop);
    cJSON_AddNumberToObject(r->doc, "maxConcurrency", (double)m.maxc);
    cJSON_AddNumberToObject(r->doc, "toleratedFailurePercentage", m.pct);
    cJSON_AddNumberToObject(r->doc, "toleratedFailureCount", (double)m.count);
    const char *which[] = {"itemCounts", "executionCounts"};
    for (int k = 0; k < 2; k++) {
        cJSON *c = cJSON_AddObjectToObject(r->doc, which[k]);
        cJSON_AddNumberToObject(c, "pending", (double)pending[k]);
        cJSON_AddNumberToObject(c, "running", (double)n[k][0]);
        cJSON_AddNumberToObject(c, "succeeded", (double)n[k][1]);
        cJSON_AddNumberToObject(c, "failed", (double)n[k][2]);
        cJSON_AddNumberToObject(c, "timedOut", (double)n[k][3]);
        cJSON_AddNumberToObject(c, "aborted", (double)n[k][4]);
        cJSON_AddNumberToObject(c, "total", (double)total[k]);
        /* without a ResultWriter nothing is written; with one, the
         * results are written when the run ends (runtime/resultwriter.c) */
        cJSON_AddNumberToObject(c, "resultsWritten", 0);
        cJSON_AddNumberToObject(c, "failuresNotRedrivable", 0);
        cJSON_AddNumberToObject(c, "pendingRedrive", 0);
    }
    cJSON_AddNumberToObject(r->doc, "redriveCount", 0);
    run_free(&m);
}

void aslc_act_update_map_run(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    const cJSON *mc = cJSON_GetObjectItemCaseSensitive(in, "maxConcurrency");
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(in, "toleratedFailurePercentage");
    const cJSON *fc = cJSON_GetObjectItemCaseSensitive(in, "toleratedFailureCount");
    if ((mc && !cJSON_IsNumber(mc)) || (pc && !cJSON_IsNumber(pc)) || (fc && !cJSON_IsNumber(fc))) {
        aslc_fail(r, 400, "SerializationException", "Start of structure or map found where not "
                                                    "expected");
        return;
    }
    if (mc && (mc->valuedouble < 0 || mc->valuedouble != (double)(long)mc->valuedouble)) {
        aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value '%g' at "
                  "'maxConcurrency' failed to satisfy constraint: Member must have value greater "
                  "than or equal to 0", mc->valuedouble);
        return;
    }
    if (pc && (pc->valuedouble < 0 || pc->valuedouble > 100)) {
        aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value '%g' at "
                  "'toleratedFailurePercentage' failed to satisfy constraint: Member must have "
                  "value less than or equal to 100", pc->valuedouble);
        return;
    }
    if (fc && fc->valuedouble < 0) {
        aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value '%g' at "
                  "'toleratedFailureCount' failed to satisfy constraint: Member must have value "
                  "greater than or equal to 0", fc->valuedouble);
        return;
    }
    map_run m;
    if (!find_run(s, in, &m, r)) return;
    if (!mc && !pc && !fc) {
        aslc_fail(r, 400, "ValidationException", "At least one of the parameters "
                  "maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be "
                  "specified");
        run_free(&m);
        return;
    }
    /* recorded and answered; the running binary keeps the definition's
     * settings (docs/serve.md) */
    if (mc) run_sql(prep(s, "UPDATE map_runs SET max_concurrency = ? WHERE arn = ?", "is",
                         (long)mc->valuedouble, m.arn));
    if (pc) run_sql(prep(s, "UPDATE map_runs SET tolerated_pct = ? WHERE arn = ?", "ds",
                         pc->valuedouble, m.arn));
    if (fc) run_sql(prep(s, "UPDATE map_runs SET tolerated_count = ? WHERE arn = ?", "is",
                         (long)fc->valuedouble, m.arn));
    r->doc = cJSON_CreateObject();
    run_free(&m);
}

static int page_limit(const cJSON *in)
{
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(in, "maxResults");
    return cJSON_IsNumber(mr) && mr->valueint > 0 && mr->valueint <= 1000 ? mr->valueint : 100;
}

/* nextToken: the row to start at, as text; a token this did not make is
 * InvalidToken. */
static bool page_from(const cJSON *in, long *from, aslc_reply *r)
{
    const char *t = str_of(in, "nextToken");
    *from = 0;
    if (!t) return true;
    char *end;
    *from = strtol(t, &end, 10);
    if (*end || *from <= 0) {
        aslc_fail(r, 400, "InvalidToken", "Invalid Token: '%s'", t);
        return false;
    }
    return true;
}

static void next_token(cJSON *doc, long next)
{
    char t[32];
    snprintf(t, sizeof t, "%ld", next);
    cJSON_AddStringToObject(doc, "nextToken", t);
}

void aslc_act_list_map_runs(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    const char *arn = str_of(in, "executionArn");
    if (!arn_ok(arn, "execution", r)) return;
    aslc_execution e;
    if (!aslc_store_get_execution(s, arn, &e)) {
        aslc_fail(r, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
        return;
    }
    long from;
    int limit = page_limit(in);
    if (page_from(in, &from, r)) {
        /* in the order they started */
        sqlite3_stmt *st = prep(s, "SELECT arn, start_date, stop_date, status, seq FROM map_runs"
                                   " WHERE exec_arn = ? AND seq >= ? ORDER BY seq LIMIT ?",
                                "sii", arn, from, (long)limit + 1);
        r->doc = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(r->doc, "mapRuns");
        int n = 0;
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            if (n++ == limit) {
                next_token(r->doc, (long)sqlite3_column_int64(st, 4));
                break;
            }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "executionArn", arn);
            cJSON_AddStringToObject(o, "mapRunArn", (const char *)sqlite3_column_text(st, 0));
            cJSON_AddStringToObject(o, "stateMachineArn", e.sm_arn);
            cJSON_AddNumberToObject(o, "startDate", sqlite3_column_double(st, 1));
            double stop = sqlite3_column_double(st, 2);
            settle(s, arn, (const char *)sqlite3_column_text(st, 3), &stop);
            if (stop > 0) cJSON_AddNumberToObject(o, "stopDate", stop);
            cJSON_AddItemToArray(list, o);
        }
        if (st) sqlite3_finalize(st);
    }
    aslc_execution_free(&e);
}

void aslc_maprun_list_children(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    if (str_of(in, "stateMachineArn")) {
        aslc_fail(r, 400, "ValidationException", "Specify either stateMachineArn or mapRunArn, "
                                                 "not both");
        return;
    }
    map_run m;
    if (!find_run(s, in, &m, r)) return;
    long from;
    int limit = page_limit(in);
    const char *filter = str_of(in, "statusFilter");
    if (page_from(in, &from, r)) {
        /* by index, as the items are; the filter on the settled status */
        sqlite3_stmt *st = prep(s, "SELECT arn, idx, items FROM child_execs WHERE map_run = ? AND"
                                   " idx >= ? ORDER BY idx", "si", m.arn, from > 0 ? from - 1 : 0);
        r->doc = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(r->doc, "executions");
        int n = 0;
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            aslc_execution e;
            char *run = NULL;
            if (!aslc_maprun_child(s, (const char *)sqlite3_column_text(st, 0), &e, &run)) continue;
            bool take = !filter || !strcmp(filter, e.status);
            if (take && n++ == limit) {
                next_token(r->doc, (long)sqlite3_column_int64(st, 1) + 1);
                take = false;
                aslc_execution_free(&e);
                free(run);
                break;
            }
            if (take) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "executionArn", e.arn);
                cJSON_AddStringToObject(o, "stateMachineArn", e.sm_arn);
                cJSON_AddStringToObject(o, "name", e.name);
                cJSON_AddStringToObject(o, "status", e.status);
                cJSON_AddNumberToObject(o, "startDate", e.started);
                if (e.stopped > 0) cJSON_AddNumberToObject(o, "stopDate", e.stopped);
                cJSON_AddStringToObject(o, "mapRunArn", run);
                /* the items the child processed: 1, or its batch's */
                cJSON_AddNumberToObject(o, "itemCount", (double)sqlite3_column_int64(st, 2));
                cJSON_AddItemToArray(list, o);
            }
            aslc_execution_free(&e);
            free(run);
        }
        if (st) sqlite3_finalize(st);
    }
    run_free(&m);
}
