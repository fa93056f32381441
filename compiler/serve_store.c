/*
 * serve_store.c — what `aslc serve` keeps: state machines and executions in
 * one SQLite database (WAL), so that a restarted server knows what it had.
 *
 * One connection, opened serialized, shared by the server's threads behind
 * SQLite's own mutex; every statement is prepared per call (the server's
 * time goes into running workflows, not into these few statements).
 */
#define _GNU_SOURCE
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS state_machines ("
    "  arn TEXT PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL,"
    "  role_arn TEXT NOT NULL, type TEXT NOT NULL, created REAL NOT NULL,"
    "  binary TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '[]');"
    "CREATE TABLE IF NOT EXISTS executions ("
    "  arn TEXT PRIMARY KEY, sm_arn TEXT NOT NULL, name TEXT NOT NULL,"
    "  status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT,"
    "  started REAL NOT NULL, stopped REAL, seq INTEGER);"
    "CREATE INDEX IF NOT EXISTS executions_by_machine ON executions(sm_arn, seq);"
    /* a Standard execution's history, event by event as its binary sends
     * them; checkpoint: on a top-level StateEntered, where a restarted
     * server resumes it (runtime/served.c) */
    "CREATE TABLE IF NOT EXISTS events ("
    "  exec_arn TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL, checkpoint TEXT,"
    "  unit TEXT, PRIMARY KEY (exec_arn, id)) WITHOUT ROWID;"
    /* the events of a Distributed Map's child executions (not in the
     * execution's history: AWS gives each child a history of its own),
     * kept so that a restart replays them; numbered apart (id), under the
     * map run's MapRunStarted (started) and the child's unit key */
    "CREATE TABLE IF NOT EXISTS child_events ("
    "  exec_arn TEXT NOT NULL, id INTEGER NOT NULL, started INTEGER NOT NULL,"
    "  unit TEXT NOT NULL, body TEXT NOT NULL,"
    "  PRIMARY KEY (exec_arn, id)) WITHOUT ROWID;"
    /* the results of a top-level Parallel's or Map's finished units (its
     * ...StateStarted event: started), each recorded after its last event
     * (last): a restart inside the fan-out does not run them again */
    "CREATE TABLE IF NOT EXISTS units ("
    "  exec_arn TEXT NOT NULL, started INTEGER NOT NULL, idx INTEGER NOT NULL,"
    "  last INTEGER NOT NULL, result TEXT NOT NULL,"
    "  PRIMARY KEY (exec_arn, started, idx)) WITHOUT ROWID;";

bool aslc_store_open(aslc_store *s, const char *path, asl_buf *err)
{
    memset(s, 0, sizeof *s);
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             NULL);
    char *msg = NULL;
    if (rc == SQLITE_OK) rc = sqlite3_exec(s->db, schema, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        asl_buf_puts(err, "cannot open the database ");
        asl_buf_puts(err, path);
        asl_buf_puts(err, ": ");
        asl_buf_puts(err, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        sqlite3_close(s->db);
        s->db = NULL;
        return false;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* a database of an aslc before events had their unit: the column is
     * added (an error says it is there already) */
    sqlite3_exec(s->db, "ALTER TABLE events ADD COLUMN unit TEXT", NULL, NULL, NULL);
    aslc_maprun_open(s);   /* map runs and child executions (serve_maprun.c) */
    return true;
}

void aslc_store_close(aslc_store *s)
{
    if (s->db) sqlite3_close(s->db);
    s->db = NULL;
}

/* Runs sql with text parameters (NULL binds SQL NULL) and real parameters
 * after them as "?" in order: params holds nt texts then nr doubles. */
static bool exec_sql(aslc_store *s, const char *sql, const char *const *texts, int nt,
                     const double *reals, int nr)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return false;
    for (int i = 0; i < nt; i++)
        if (texts[i]) sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, i + 1);
    for (int i = 0; i < nr; i++) sqlite3_bind_double(st, nt + i + 1, reals[i]);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

bool aslc_store_put_machine(aslc_store *s, const aslc_machine *m)
{
    const char *t[] = {m->arn, m->name, m->definition, m->role_arn, m->type, m->binary};
    double r[] = {m->created};
    return exec_sql(s,
                    "INSERT OR REPLACE INTO state_machines(arn, name, definition, role_arn, type,"
                    " binary, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    t, 6, r, 1);
}

bool aslc_store_delete_machine(aslc_store *s, const char *arn)
{
    const char *t[] = {arn};
    return exec_sql(s, "DELETE FROM state_machines WHERE arn = ?", t, 1, NULL, 0);
}

char *aslc_store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? strdup((const char *)v) : NULL;
}

static void read_machine(sqlite3_stmt *st, aslc_machine *m)
{
    m->arn = aslc_store_col_text(st, 0);
    m->name = aslc_store_col_text(st, 1);
    m->definition = aslc_store_col_text(st, 2);
    m->role_arn = aslc_store_col_text(st, 3);
    m->type = aslc_store_col_text(st, 4);
    m->binary = aslc_store_col_text(st, 5);
    m->created = sqlite3_column_double(st, 6);
}

bool aslc_store_get_machine(aslc_store *s, const char *arn, aslc_machine *m)
{
    sqlite3_stmt *st;
    memset(m, 0, sizeof *m);
    if (sqlite3_prepare_v2(s->db, "SELECT arn, name, definition, role_arn, type, binary, created "
                                  "FROM state_machines WHERE arn = ?", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) read_machine(st, m);
    sqlite3_finalize(st);
    return found;
}

void aslc_machine_free(aslc_machine *m)
{
    free(m->arn);
    free(m->name);
    free(m->definition);
    free(m->role_arn);
    free(m->type);
    free(m->binary);
    memset(m, 0, sizeof *m);
}

bool aslc_store_list_machines(aslc_store *s, void (*each)(void *, const aslc_machine *), void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT arn, name, definition, role_arn, type, binary, created "
                                  "FROM state_machines ORDER BY created, name", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        aslc_machine m;
        read_machine(st, &m);
        each(ctx, &m);
        aslc_machine_free(&m);
    }
    sqlite3_finalize(st);
    return true;
}

bool aslc_store_put_execution(aslc_store *s, const aslc_execution *e)
{
    const char *t[] = {e->arn, e->sm_arn, e->name, e->status, e->input, e->output, e->error,
                       e->cause};
    double r[] = {e->started, e->stopped};
    return exec_sql(s,
                    "INSERT OR REPLACE INTO executions(arn, sm_arn, name, status, input, output,"
                    " error, cause, started, stopped, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " NULLIF(?, 0), (SELECT COALESCE(MAX(seq), 0) + 1 FROM executions))",
                    t, 8, r, 2);
}

bool aslc_store_finish_execution(aslc_store *s, const aslc_execution *e)
{
    const char *t[] = {e->status, e->output, e->error, e->cause};
    double r[] = {e->stopped};
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "UPDATE executions SET status = ?, output = ?, error = ?,"
                                  " cause = ?, stopped = ? WHERE arn = ? AND status = 'RUNNING'"
                                  " RETURNING arn",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    for (int i = 0; i < 4; i++)
        if (t[i]) sqlite3_bind_text(st, i + 1, t[i], -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, i + 1);
    sqlite3_bind_double(st, 5, r[0]);
    sqlite3_bind_text(st, 6, e->arn, -1, SQLITE_TRANSIENT);
    /* the row it changed, not sqlite3_changes(): the connection is shared,
     * and another execution's statement may have run since */
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    /* the results of its fan-outs' units and its child executions' events
     * serve only a restart while it runs */
    static const char *const gone[] = {"DELETE FROM units WHERE exec_arn = ?",
                                       "DELETE FROM child_events WHERE exec_arn = ?"};
    for (int i = 0; ok && i < 2; i++)
        if (sqlite3_prepare_v2(s->db, gone[i], -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, e->arn, -1, SQLITE_TRANSIENT);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
    return ok;
}

static void read_execution(sqlite3_stmt *st, aslc_execution *e)
{
    e->arn = aslc_store_col_text(st, 0);
    e->sm_arn = aslc_store_col_text(st, 1);
    e->name = aslc_store_col_text(st, 2);
    e->status = aslc_store_col_text(st, 3);
    e->input = aslc_store_col_text(st, 4);
    e->output = aslc_store_col_text(st, 5);
    e->error = aslc_store_col_text(st, 6);
    e->cause = aslc_store_col_text(st, 7);
    e->started = sqlite3_column_double(st, 8);
    e->stopped = sqlite3_column_double(st, 9);
}

#define EXEC_COLS "arn, sm_arn, name, status, input, output, error, cause, started, stopped"

bool aslc_store_get_execution(aslc_store *s, const char *arn, aslc_execution *e)
{
    sqlite3_stmt *st;
    memset(e, 0, sizeof *e);
    if (sqlite3_prepare_v2(s->db, "SELECT " EXEC_COLS " FROM executions WHERE arn = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) read_execution(st, e);
    sqlite3_finalize(st);
    return found;
}

void aslc_execution_free(aslc_execution *e)
{
    free(e->arn);
    free(e->sm_arn);
    free(e->name);
    free(e->status);
    free(e->input);
    free(e->output);
    free(e->error);
    free(e->cause);
    memset(e, 0, sizeof *e);
}

bool aslc_store_list_executions(aslc_store *s, const char *sm_arn, const char *status,
                                long after_seq, int limit, long *last_seq,
                                void (*each)(void *, const aslc_execution *), void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT " EXEC_COLS ", seq FROM executions WHERE sm_arn = ?"
                                  " AND (?2 IS NULL OR status = ?2) AND seq < ?3"
                                  " ORDER BY seq DESC LIMIT ?4", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, sm_arn, -1, SQLITE_TRANSIENT);
    if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, after_seq > 0 ? after_seq : (long)1 << 62);
    sqlite3_bind_int(st, 4, limit + 1);
    int n = 0;
    *last_seq = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == limit) {            /* one more than asked: there is a next page */
            *last_seq = (long)sqlite3_column_int64(st, 10) + 1;
            break;
        }
        aslc_execution e;
        read_execution(st, &e);
        each(ctx, &e);
        aslc_execution_free(&e);
        n++;
    }
    sqlite3_finalize(st);
    return true;
}

void aslc_store_each_running(aslc_store *s, void (*each)(void *, const aslc_execution *),
                             void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT " EXEC_COLS " FROM executions WHERE status = 'RUNNING'",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        aslc_execution e;
        read_execution(st, &e);
        each(ctx, &e);
        aslc_execution_free(&e);
    }
    sqlite3_finalize(st);
}

/* ---- history events ------------------------------------------------------------ */

bool aslc_store_add_event(aslc_store *s, const char *exec_arn, long id, const char *body,
                          size_t len, const char *checkpoint, const char *unit)
{
    sqlite3_stmt *st;
    /* one statement: the event and its checkpoint are recorded together or
     * not at all (the connection is shared: no multi-statement transaction) */
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO events(exec_arn, id, body, checkpoint,"
                                  " unit) VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, body, (int)len, SQLITE_TRANSIENT);
    if (checkpoint) sqlite3_bind_text(st, 4, checkpoint, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 4);
    if (unit) sqlite3_bind_text(st, 5, unit, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 5);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

bool aslc_store_events(aslc_store *s, const char *exec_arn, long from, bool reverse, int limit,
                       long *next, void (*each)(void *, long, const char *), void *ctx)
{
    sqlite3_stmt *st;
    const char *sql = reverse ? "SELECT id, body FROM events WHERE exec_arn = ? AND id <= ?"
                                " ORDER BY id DESC LIMIT ?"
                              : "SELECT id, body FROM events WHERE exec_arn = ? AND id >= ?"
                                " ORDER BY id LIMIT ?";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return false;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, from > 0 ? from : reverse ? (long)1 << 62 : 0);
    sqlite3_bind_int(st, 3, limit + 1);
    int n = 0;
    *next = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long id = (long)sqlite3_column_int64(st, 0);
        if (n == limit) {            /* one more than asked: the next page starts there */
            *next = id;
            break;
        }
        each(ctx, id, (const char *)sqlite3_column_text(st, 1));
        n++;
    }
    sqlite3_finalize(st);
    return true;
}

long aslc_store_last_event(aslc_store *s, const char *exec_arn, char **body)
{
    sqlite3_stmt *st;
    long id = 0;
    if (body) *body = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id, body FROM events WHERE exec_arn = ?"
                                  " ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = (long)sqlite3_column_int64(st, 0);
        if (body) *body = aslc_store_col_text(st, 1);
    }
    sqlite3_finalize(st);
    return id;
}

long aslc_store_checkpoint(aslc_store *s, const char *exec_arn, char **checkpoint, char **body)
{
    sqlite3_stmt *st;
    long id = 0;
    *checkpoint = *body = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id, checkpoint, body FROM events WHERE exec_arn = ?"
                                  " AND checkpoint IS NOT NULL ORDER BY id DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = (long)sqlite3_column_int64(st, 0);
        *checkpoint = aslc_store_col_text(st, 1);
        *body = aslc_store_col_text(st, 2);
    }
    sqlite3_finalize(st);
    return id;
}

bool aslc_store_trim_events(aslc_store *s, const char *exec_arn, long after)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE exec_arn = ? AND id > ?", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, after);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

/* ---- the finished units of a fan-out ----------------------------------------------------- */

bool aslc_store_add_unit(aslc_store *s, const char *exec_arn, long started, long idx, long last,
                         const char *result, size_t len)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO units(exec_arn, started, idx, last,"
                                  " result) VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, started);
    sqlite3_bind_int64(st, 3, idx);
    sqlite3_bind_int64(st, 4, last);
    sqlite3_bind_text(st, 5, result, (int)len, SQLITE_TRANSIENT);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

void aslc_store_units(aslc_store *s, const char *exec_arn, long started,
                      void (*each)(void *, long idx, long last, const char *result), void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT idx, last, result FROM units WHERE exec_arn = ? AND"
                                  " started = ? ORDER BY idx", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, started);
    while (sqlite3_step(st) == SQLITE_ROW)
        each(ctx, (long)sqlite3_column_int64(st, 0), (long)sqlite3_column_int64(st, 1),
             (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
}

/* ---- the units' events, for a restart (serve_hist.c) ------------------------------------- */

void aslc_store_unit_events(aslc_store *s, const char *exec_arn, long from,
                            void (*each)(void *, long id, const char *unit, const char *body),
                            void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, unit, body FROM events WHERE exec_arn = ? AND"
                                  " id >= ? ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, from);
    while (sqlite3_step(st) == SQLITE_ROW)
        each(ctx, (long)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
             (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
}

bool aslc_store_add_child_event(aslc_store *s, const char *exec_arn, long id, long started,
                                const char *unit, const char *body, size_t len)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO child_events(exec_arn, id, started,"
                                  " unit, body) VALUES (?, ?, ?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, started);
    sqlite3_bind_text(st, 4, unit, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, body, (int)len, SQLITE_TRANSIENT);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

long aslc_store_child_events(aslc_store *s, const char *exec_arn, long after,
                             void (*each)(void *, long id, const char *unit, const char *body),
                             void *ctx)
{
    sqlite3_stmt *st;
    long last = 0;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM child_events WHERE exec_arn = ? AND started > ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, after);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    aslc_maprun_trim(s, exec_arn, after);   /* their map runs and children too */
    if (sqlite3_prepare_v2(s->db, "SELECT id, unit, body FROM child_events WHERE exec_arn = ?"
                                  " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, exec_arn, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        last = (long)sqlite3_column_int64(st, 0);
        if (each)
            each(ctx, last, (const char *)sqlite3_column_text(st, 1),
                 (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return last;
}
