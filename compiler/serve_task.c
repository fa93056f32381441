/*
 * serve_task.c — callback Tasks and activities in `aslc serve`.
 *
 * A served binary that runs an unbound activity Task or .waitForTaskToken
 * Task (runtime/served.c) registers the attempt's token on its channel
 * ("W {...}") before the TaskScheduled event, then waits for a line about
 * that token: SendTaskSuccess sends "S <token> <output>", SendTaskFailure
 * "F <token> {error, cause}", SendTaskHeartbeat "H <token>".  The binary
 * enforces TimeoutSeconds and HeartbeatSeconds itself, and says so ("X
 * <token>"), so that a late SendTask* is TaskTimedOut, as on AWS.
 *
 * The waiting tasks are kept in memory (a restarted server resumes the
 * execution, whose Task registers a new token); activities, which are
 * names, are kept in SQLite.  GetActivityTask hands each activity task to
 * one worker, waiting up to 60 s for one as AWS does.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- the channel's server end ------------------------------------------------------- */

struct aslc_link {
    int fd;
    pthread_mutex_t mu;    /* one writer at a time: acknowledgements, callbacks */
    int refs;
    bool closed;
};

aslc_link *aslc_link_new(int fd)
{
    aslc_link *l = calloc(1, sizeof *l);
    l->fd = fd;
    l->refs = 1;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

bool aslc_link_send(aslc_link *l, const char *a, size_t an, const char *b, size_t bn)
{
    pthread_mutex_lock(&l->mu);
    bool ok = !l->closed;
    const char *part[2] = {a, b};
    size_t len[2] = {an, bn};
    for (int i = 0; ok && i < 2; i++) {
        size_t off = 0;
        while (off < len[i]) {
            ssize_t k = send(l->fd, part[i] + off, len[i] - off, MSG_NOSIGNAL);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                ok = false;
                break;
            }
            off += (size_t)k;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return ok;
}

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cond = PTHREAD_COND_INITIALIZER;   /* a new activity task */

static void link_release(aslc_link *l)
{
    /* under reg_mu */
    if (--l->refs > 0) return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* ---- the tasks waiting ---------------------------------------------------------------- */

enum { T_WAITING, T_STARTED, T_DONE, T_TIMED_OUT };

typedef struct task {
    char *token, *activity, *input;
    aslc_link *link;
    int status;
    struct task *next;
} task;

static task *tasks;
/* tokens done or timed out are remembered (TaskTimedOut); the oldest go */
#define REMEMBERED_MAX 10000
static int remembered;

static task *find(const char *token)
{
    for (task *t = tasks; t; t = t->next)
        if (!strcmp(t->token, token)) return t;
    return NULL;
}

static void forget_oldest(void)
{
    while (remembered > REMEMBERED_MAX) {
        task **last = NULL;
        for (task **p = &tasks; *p; p = &(*p)->next)
            if ((*p)->status >= T_DONE) last = p;
        if (!last) return;
        task *t = *last;
        *last = t->next;
        free(t->token);
        free(t->activity);
        free(t->input);
        free(t);
        remembered--;
    }
}

static void finish(task *t, int status)
{
    /* under reg_mu */
    if (t->status >= T_DONE) return;
    t->status = status;
    if (t->link) link_release(t->link);
    t->link = NULL;
    remembered++;
    forget_oldest();
}

void aslc_tasks_line(aslc_link *l, char kind, const char *text, size_t n)
{
    if (kind == 'X') {
        char *token = strndup(text, n);
        pthread_mutex_lock(&reg_mu);
        task *t = find(token);
        if (t) finish(t, T_TIMED_OUT);
        pthread_mutex_unlock(&reg_mu);
        free(token);
        return;
    }
    cJSON *w = cJSON_ParseWithLength(text, n);
    const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "token"));
    if (kind == 'W' && token) {
        const char *act = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "activity"));
        const char *in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "input"));
        pthread_mutex_lock(&reg_mu);
        task *t = find(token);
        if (!t) {
            t = calloc(1, sizeof *t);
            t->token = strdup(token);
            t->next = tasks;
            tasks = t;
        } else {
            /* a retried attempt has a token of its own: this is a resumed one */
            if (t->status >= T_DONE) remembered--;
            if (t->link) link_release(t->link);
            free(t->activity);
            free(t->input);
        }
        t->activity = act ? strdup(act) : NULL;
        t->input = strdup(in ? in : "{}");
        t->status = T_WAITING;
        t->link = l;
        l->refs++;
        pthread_cond_broadcast(&reg_cond);
        pthread_mutex_unlock(&reg_mu);
    }
    cJSON_Delete(w);
}

void aslc_link_close(aslc_link *l)
{
    pthread_mutex_lock(&l->mu);
    l->closed = true;
    pthread_mutex_unlock(&l->mu);
    pthread_mutex_lock(&reg_mu);
    /* the execution ended or the process went: its tasks wait no more */
    for (task *t = tasks; t; t = t->next)
        if (t->link == l && t->status < T_DONE) finish(t, T_TIMED_OUT);
    link_release(l);
    pthread_mutex_unlock(&reg_mu);
}

/* ---- SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat --------------------------------- */

/* AWS's token: 1 to 1024 characters. */
static bool token_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 1024) return false;
    for (const char *p = t; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) return false;
    return true;
}

/* Sends kind and text to the task of in's taskToken; its status after. */
static void to_task(const cJSON *in, char kind, const char *text, aslc_reply *a)
{
    const char *token = aslc_str_field(in, "taskToken");
    if (!token_ok(token)) {
        aslc_fail(a, 400, "InvalidToken", "Invalid Token: '%s'", token ? token : "");
        return;
    }
    pthread_mutex_lock(&reg_mu);
    task *t = find(token);
    if (!t) {
        pthread_mutex_unlock(&reg_mu);
        aslc_fail(a, 400, "TaskDoesNotExist", "Task Does Not Exist: '%s'", token);
        return;
    }
    if (t->status >= T_DONE) {
        pthread_mutex_unlock(&reg_mu);
        aslc_fail(a, 400, "TaskTimedOut", "Task Timed Out: '%s'", token);
        return;
    }
    asl_buf line;
    asl_buf_init(&line);
    asl_buf_putc(&line, kind);
    asl_buf_putc(&line, ' ');
    asl_buf_puts(&line, token);
    if (text) {
        asl_buf_putc(&line, ' ');
        asl_buf_puts(&line, text);
    }
    asl_buf_putc(&line, '\n');
    bool sent = aslc_link_send(t->link, line.data, line.len, "", 0);
    asl_buf_free(&line);
    if (!sent) finish(t, T_TIMED_OUT);
    else if (kind != 'H') finish(t, T_DONE);
    pthread_mutex_unlock(&reg_mu);
    if (!sent) aslc_fail(a, 400, "TaskTimedOut", "Task Timed Out: '%s'", token);
    else a->doc = cJSON_CreateObject();
}

void aslc_send_task_success(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    (void)c;
    const char *out = aslc_str_field(in, "output");
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    if (!j) {
        aslc_fail(a, 400, "InvalidOutput", "Invalid Output: the output is not JSON");
        return;
    }
    char *text = cJSON_PrintUnformatted(j);   /* one line */
    cJSON_Delete(j);
    to_task(in, 'S', text, a);
    free(text);
}

void aslc_send_task_failure(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    (void)c;
    cJSON *f = cJSON_CreateObject();
    const char *error = aslc_str_field(in, "error"), *cause = aslc_str_field(in, "cause");
    if (error) cJSON_AddStringToObject(f, "error", error);
    if (cause) cJSON_AddStringToObject(f, "cause", cause);
    char *text = cJSON_PrintUnformatted(f);
    cJSON_Delete(f);
    to_task(in, 'F', text, a);
    free(text);
}

void aslc_send_task_heartbeat(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    (void)c;
    to_task(in, 'H', NULL, a);
}

/* ---- activities ------------------------------------------------------------------------- */

static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 80) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

static void schema(aslc_store *s)
{
    sqlite3_exec(s->db, "CREATE TABLE IF NOT EXISTS activities (arn TEXT PRIMARY KEY,"
                        " name TEXT NOT NULL, created REAL NOT NULL)", NULL, NULL, NULL);
}

/* The activity's name and creation date, when it exists. */
static bool get_activity(aslc_store *s, const char *arn, char **name, double *created)
{
    schema(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT name, created FROM activities WHERE arn = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        if (name) *name = strdup((const char *)sqlite3_column_text(st, 0));
        if (created) *created = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    return found;
}

void aslc_create_activity(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    const char *name = aslc_str_field(in, "name");
    if (!name_ok(name)) {
        aslc_fail(a, 400, "InvalidName", "Invalid Name: '%s'", name ? name : "");
        return;
    }
    char *arn;
    if (asprintf(&arn, "arn:aws:states:%s:%s:activity:%s", c->region, c->account, name) < 0)
        return;
    double created = 0;
    if (!get_activity(c->store, arn, NULL, &created)) {   /* the same name again: the same */
        created = now_seconds();
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(c->store->db, "INSERT OR IGNORE INTO activities(arn, name, created)"
                                             " VALUES (?, ?, ?)", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(st, 3, created);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
    }
    a->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(a->doc, "activityArn", arn);
    cJSON_AddNumberToObject(a->doc, "creationDate", created);
    free(arn);
}

void aslc_describe_activity(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    const char *arn = aslc_str_field(in, "activityArn");
    char *name = NULL;
    double created = 0;
    if (!arn || !get_activity(c->store, arn, &name, &created)) {
        aslc_fail(a, 400, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn ? arn : "");
        return;
    }
    a->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(a->doc, "activityArn", arn);
    cJSON_AddStringToObject(a->doc, "name", name);
    cJSON_AddNumberToObject(a->doc, "creationDate", created);
    free(name);
}

void aslc_delete_activity(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    const char *arn = aslc_str_field(in, "activityArn");
    schema(c->store);
    sqlite3_stmt *st;
    if (arn && sqlite3_prepare_v2(c->store->db, "DELETE FROM activities WHERE arn = ?", -1, &st,
                                  NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    a->doc = cJSON_CreateObject();
}

void aslc_list_activities(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(in, "maxResults");
    int limit = cJSON_IsNumber(mr) && mr->valueint > 0 && mr->valueint <= 1000 ? mr->valueint : 100;
    const char *token = aslc_str_field(in, "nextToken");
    long skip = token ? strtol(token, NULL, 10) : 0;
    schema(c->store);
    a->doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(a->doc, "activities");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->store->db, "SELECT arn, name, created FROM activities"
                                         " ORDER BY created, name LIMIT ? OFFSET ?", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int(st, 1, limit + 1);
    sqlite3_bind_int64(st, 2, skip > 0 ? skip : 0);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == limit) {
            char t[32];
            snprintf(t, sizeof t, "%ld", (skip > 0 ? skip : 0) + limit);
            cJSON_AddStringToObject(a->doc, "nextToken", t);
            break;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "activityArn", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(o, "name", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddNumberToObject(o, "creationDate", sqlite3_column_double(st, 2));
        cJSON_AddItemToArray(arr, o);
        n++;
    }
    sqlite3_finalize(st);
}

/* Long poll: the first task of the activity not yet handed out, waiting up
 * to 60 s (AWS's bound) for one; its binary is told ("P <token> <worker>"). */
void aslc_get_activity_task(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a)
{
    const char *arn = aslc_str_field(in, "activityArn");
    if (!arn || !get_activity(c->store, arn, NULL, NULL)) {
        aslc_fail(a, 400, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn ? arn : "");
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += c->poll_seconds > 0 ? c->poll_seconds : 0;
    a->doc = cJSON_CreateObject();
    pthread_mutex_lock(&reg_mu);
    for (;;) {
        task *found = NULL;
        for (task *t = tasks; t; t = t->next)
            if (t->status == T_WAITING && t->activity && !strcmp(t->activity, arn)) found = t;
        if (found) {   /* the list is newest first: the last one found is the oldest */
            found->status = T_STARTED;
            cJSON_AddStringToObject(a->doc, "taskToken", found->token);
            cJSON_AddStringToObject(a->doc, "input", found->input);
            /* the binary writes ActivityStarted with the worker's name */
            const char *worker = aslc_str_field(in, "workerName");
            asl_buf line;
            asl_buf_init(&line);
            asl_buf_puts(&line, "P ");
            asl_buf_puts(&line, found->token);
            if (worker && !strchr(worker, '\n')) {
                asl_buf_putc(&line, ' ');
                asl_buf_puts(&line, worker);
            }
            asl_buf_putc(&line, '\n');
            aslc_link_send(found->link, line.data, line.len, "", 0);
            asl_buf_free(&line);
            break;
        }
        if (pthread_cond_timedwait(&reg_cond, &reg_mu, &until) == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&reg_mu);
}
