/*
 * serve.c — `aslc serve`: the Step Functions API, so that boto3, the AWS CLI
 * and the SDKs create state machines and start executions of compiled
 * workflows exactly as they do on AWS:
 *
 *   aslc serve [--listen HOST:PORT] [--db FILE] [--cache DIR]
 *              [--region R] [--account N] [--resources F] [--mocks F]
 *
 * HTTP/1.1 with keep-alive through libmicrohttpd (a thread per connection:
 * StartSyncExecution holds its connection while the workflow runs); the AWS
 * JSON 1.0 protocol: POST /, X-Amz-Target: AWSStepFunctions.<Action>, JSON
 * in and out, errors as {"__type": "<Code>", "message": ...} with status 400.
 * State machines and executions are kept in SQLite (serve_store.c); each
 * definition is compiled once into a native binary and each execution runs
 * it as a child process (serve_run.c).  docs/serve.md says what is there.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What one request may carry: a definition (1 MiB on AWS) and its framing. */
#define MAX_BODY ((size_t)2 << 20)
/* An execution's input and output (AWS's 256 KiB payload limit). */
#define MAX_PAYLOAD ASLC_MAX_PAYLOAD
/* A connection thread's stack: an Express execution runs on it
 * (serve_inproc.c), recursing as deep as the input nests (the runtime
 * caps that at 10,000 levels); it is address space, touched as used. */
#define SERVE_STACK ((size_t)64 << 20)

typedef struct running {
    char *arn;
    volatile int pid;
    bool stopped;
    struct running *next;
} running;

typedef struct {
    aslc_store store;
    char aslc[PATH_MAX];       /* this executable, to compile with */
    char cache[PATH_MAX];
    const char *region, *account, *resources, *mocks, *handlers;
    bool isolate;              /* --isolate: Express executions in processes too */
    aslc_auth *auth;           /* --auth: check the requests' signatures (serve_auth.c) */
    cJSON *mockcfg;            /* --mock-config: Step Functions Local's test cases */
    pthread_mutex_t load_lock; /* loading a machine in process (serve_inproc.c) */
    pthread_mutex_t lock;      /* the running list */
    running *run;
    pthread_mutex_t done_lock; /* asynchronous executions still running */
    pthread_cond_t done_cond;
    int async;
} server;

typedef struct {
    asl_buf body;
    bool too_big;
} request;

typedef aslc_reply reply;
#define fail aslc_fail

/* A random (version 4) UUID: execution names and request ids. */
static void make_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        for (size_t i = 0; i < sizeof b; i++) b[i] = (unsigned char)rand();
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* milliseconds, as AWS's dates have them */
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

void aslc_fail(aslc_reply *r, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(r->message);
    if (vasprintf(&r->message, fmt, ap) < 0) r->message = NULL;
    va_end(ap);
    r->status = status;
    r->code = code;
    cJSON_Delete(r->doc);
    r->doc = NULL;
}

const char *aslc_str_field(const cJSON *in, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, k));
}

/* AWS's names: 1-80 characters of letters, digits, - and _. */
static bool valid_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 80) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static char *machine_arn(server *sv, const char *name)
{
    char *s;
    if (asprintf(&s, "arn:aws:states:%s:%s:stateMachine:%s", sv->region, sv->account, name) < 0)
        return NULL;
    return s;
}

/* The state machine an ARN names, or a StateMachineDoesNotExist reply. */
static bool find_machine(server *sv, const cJSON *in, const char *field, aslc_machine *m,
                         reply *r)
{
    const char *arn = aslc_str_field(in, field);
    if (!arn) {
        fail(r, 400, "ValidationException", "1 validation error detected: Value null at '%s' "
                                            "failed to satisfy constraint: Member must not be null",
             field);
        return false;
    }
    if (!aslc_store_get_machine(&sv->store, arn, m)) {
        fail(r, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn);
        return false;
    }
    return true;
}

/* The machine a start request names.  "ARN#TestCase" (Step Functions
 * Local's way, with --mock-config) is that machine with its binary compiled
 * with the test case's mocks (serve_mockcfg.c). */
static bool find_machine_case(server *sv, const cJSON *in, aslc_machine *m, reply *r)
{
    const char *arn = aslc_str_field(in, "stateMachineArn");
    const char *hash = arn ? strchr(arn, '#') : NULL;
    if (!hash || !sv->mockcfg) return find_machine(sv, in, "stateMachineArn", m, r);
    cJSON *q = cJSON_CreateObject();
    char *base = strndup(arn, (size_t)(hash - arn));
    cJSON_AddStringToObject(q, "stateMachineArn", base);
    free(base);
    bool ok = find_machine(sv, q, "stateMachineArn", m, r);
    cJSON_Delete(q);
    if (!ok) return false;
    asl_buf err;
    asl_buf_init(&err);
    char *mocks = aslc_mockcfg_mocks(sv->mockcfg, m->name, hash + 1, sv->cache, &err);
    char *bin = mocks ? aslc_serve_compile_as(sv->aslc, sv->cache, m->name, m->definition,
                                              sv->resources, mocks, sv->handlers, false, &err)
                      : NULL;
    free(mocks);
    if (!bin) {
        fail(r, 400, "ValidationException", "%.*s", (int)err.len, err.data ? err.data : "");
        asl_buf_free(&err);
        aslc_machine_free(m);
        return false;
    }
    asl_buf_free(&err);
    free(m->binary);
    m->binary = bin;
    return true;
}

/* ---- state machines ----------------------------------------------------------- */

/* aslc check's diagnostics in ValidateStateMachineDefinition's shape. */
static cJSON *diagnostics(server *sv, const char *definition, bool *ok)
{
    cJSON *d = aslc_serve_check(sv->aslc, sv->cache, definition);
    cJSON *out = cJSON_CreateArray();
    *ok = d != NULL;
    for (cJSON *e = d ? d->child : NULL; e; e = e->next) {
        const char *sev = aslc_str_field(e, "severity");
        bool err = sev && !strcmp(sev, "error");
        if (err) *ok = false;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "severity", err ? "ERROR" : "WARNING");
        cJSON_AddStringToObject(o, "code", err ? "SCHEMA_VALIDATION_FAILED" : "WARNING");
        const char *msg = aslc_str_field(e, "message");
        cJSON_AddStringToObject(o, "message", msg ? msg : "");
        const char *ptr = aslc_str_field(e, "pointer");
        if (ptr) cJSON_AddStringToObject(o, "location", ptr);
        cJSON_AddItemToArray(out, o);
    }
    cJSON_Delete(d);
    return out;
}

static void first_error(const cJSON *diags, asl_buf *b)
{
    for (const cJSON *e = diags ? diags->child : NULL; e; e = e->next) {
        if (strcmp(aslc_str_field(e, "severity"), "ERROR") != 0) continue;
        if (b->len) asl_buf_puts(b, "; ");
        asl_buf_puts(b, aslc_str_field(e, "message"));
        const char *loc = aslc_str_field(e, "location");
        if (loc) {
            asl_buf_puts(b, " at ");
            asl_buf_puts(b, loc);
        }
    }
}

/* Compiles a definition, or the InvalidDefinition reply. */
static char *compile_definition(server *sv, const char *name, const char *definition, reply *r)
{
    bool ok;
    cJSON *diags = diagnostics(sv, definition, &ok);
    if (!ok) {
        asl_buf b;
        asl_buf_init(&b);
        first_error(diags, &b);
        fail(r, 400, "InvalidDefinition", "Invalid State Machine Definition: '%.*s'",
             (int)b.len, b.data ? b.data : "aslc could not check it");
        asl_buf_free(&b);
        cJSON_Delete(diags);
        return NULL;
    }
    cJSON_Delete(diags);
    asl_buf err;
    asl_buf_init(&err);
    char *bin = aslc_serve_compile_as(sv->aslc, sv->cache, name, definition, sv->resources,
                                      sv->mocks, sv->handlers, false, &err);
    if (!bin)
        fail(r, 400, "InvalidDefinition", "Invalid State Machine Definition: '%.*s'",
             (int)err.len, err.data ? err.data : "");
    asl_buf_free(&err);
    return bin;
}

/* An EXPRESS machine compiled as a shared object and loaded in process
 * (serve_inproc.c); false, said on stderr, when it cannot be: its
 * executions then run as processes. */
static bool load_inproc(server *sv, const char *arn, const char *name, const char *definition,
                        aslc_inproc_machine *out)
{
    asl_buf err;
    asl_buf_init(&err);
    const asl_embed_api *api = NULL;
    char *so = aslc_serve_compile_as(sv->aslc, sv->cache, name, definition, sv->resources,
                                     sv->mocks, sv->handlers, true, &err);
    if (so) api = aslc_inproc_load(so, &err);
    if (api) {
        aslc_inproc_put(arn, name, api);
        if (out) {
            snprintf(out->name, sizeof out->name, "%s", name);
            out->api = api;
        }
    } else {
        fprintf(stderr, "aslc serve: %s runs its executions as processes: %.*s\n", arn,
                (int)err.len, err.data ? err.data : "");
    }
    free(so);
    asl_buf_free(&err);
    return api != NULL;
}

static void create_state_machine(server *sv, const cJSON *in, reply *r)
{
    const char *name = aslc_str_field(in, "name"), *def = aslc_str_field(in, "definition");
    const char *role = aslc_str_field(in, "roleArn"), *type = aslc_str_field(in, "type");
    if (!type) type = "STANDARD";
    if (!valid_name(name)) {
        fail(r, 400, "InvalidName", "Invalid Name: '%s'", name ? name : "");
        return;
    }
    if (!def) {
        fail(r, 400, "InvalidDefinition", "Invalid State Machine Definition: 'definition is "
                                          "missing'");
        return;
    }
    if (strcmp(type, "STANDARD") != 0 && strcmp(type, "EXPRESS") != 0) {
        fail(r, 400, "ValidationException", "Value '%s' at 'type' failed to satisfy constraint: "
                                            "Member must satisfy enum value set: [STANDARD, EXPRESS]",
             type);
        return;
    }
    char *arn = machine_arn(sv, name);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(in, "tags");
    if (!aslc_tags_valid(tags, arn, 0, r)) {
        free(arn);
        return;
    }
    aslc_machine old;
    if (aslc_store_get_machine(&sv->store, arn, &old)) {
        /* AWS answers the same request again; a different one is a conflict */
        bool same = !strcmp(old.definition, def) && !strcmp(old.type, type);
        if (same) {
            r->doc = cJSON_CreateObject();
            cJSON_AddStringToObject(r->doc, "stateMachineArn", arn);
            cJSON_AddNumberToObject(r->doc, "creationDate", old.created);
        } else {
            fail(r, 400, "StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn);
        }
        aslc_machine_free(&old);
        free(arn);
        return;
    }
    char *bin = compile_definition(sv, name, def, r);
    if (bin) {
        aslc_machine m = {arn, (char *)name, (char *)def,
                          (char *)(role ? role : "arn:aws:iam::123456789012:role/aslc"),
                          (char *)type, bin, now_seconds()};
        aslc_store_put_machine(&sv->store, &m);
        aslc_tags_put(&sv->store, arn, tags);
        if (!strcmp(type, "EXPRESS") && !sv->isolate) load_inproc(sv, arn, name, def, NULL);
        r->doc = cJSON_CreateObject();
        cJSON_AddStringToObject(r->doc, "stateMachineArn", arn);
        cJSON_AddNumberToObject(r->doc, "creationDate", m.created);
        free(bin);
    }
    free(arn);
}

static void describe_state_machine(server *sv, const cJSON *in, reply *r)
{
    aslc_machine m;
    if (!find_machine(sv, in, "stateMachineArn", &m, r)) return;
    r->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(r->doc, "stateMachineArn", m.arn);
    cJSON_AddStringToObject(r->doc, "name", m.name);
    cJSON_AddStringToObject(r->doc, "status", "ACTIVE");
    cJSON_AddStringToObject(r->doc, "definition", m.definition);
    cJSON_AddStringToObject(r->doc, "roleArn", m.role_arn);
    cJSON_AddStringToObject(r->doc, "type", m.type);
    cJSON_AddNumberToObject(r->doc, "creationDate", m.created);
    cJSON *log = cJSON_AddObjectToObject(r->doc, "loggingConfiguration");
    cJSON_AddStringToObject(log, "level", "OFF");
    cJSON_AddBoolToObject(log, "includeExecutionData", false);
    aslc_machine_free(&m);
}

static void list_one_machine(void *ctx, const aslc_machine *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stateMachineArn", m->arn);
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "type", m->type);
    cJSON_AddNumberToObject(o, "creationDate", m->created);
    cJSON_AddItemToArray(ctx, o);
}

static void list_state_machines(server *sv, const cJSON *in, reply *r)
{
    (void)in;
    r->doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(r->doc, "stateMachines");
    aslc_store_list_machines(&sv->store, list_one_machine, arr);
}

static void update_state_machine(server *sv, const cJSON *in, reply *r)
{
    aslc_machine m;
    if (!find_machine(sv, in, "stateMachineArn", &m, r)) return;
    const char *def = aslc_str_field(in, "definition"), *role = aslc_str_field(in, "roleArn");
    char *bin = def ? compile_definition(sv, m.name, def, r) : NULL;
    if (!def || bin) {
        if (bin) {
            free(m.definition);
            m.definition = strdup(def);
            free(m.binary);
            m.binary = bin;
        }
        if (role) {
            free(m.role_arn);
            m.role_arn = strdup(role);
        }
        aslc_store_put_machine(&sv->store, &m);
        /* loaded again at its next StartSyncExecution */
        if (bin) aslc_inproc_forget(m.arn);
        r->doc = cJSON_CreateObject();
        cJSON_AddNumberToObject(r->doc, "updateDate", now_seconds());
    }
    aslc_machine_free(&m);
}

static void delete_state_machine(server *sv, const cJSON *in, reply *r)
{
    const char *arn = aslc_str_field(in, "stateMachineArn");
    if (arn) {
        aslc_store_delete_machine(&sv->store, arn);
        aslc_tags_drop(&sv->store, arn);
        aslc_inproc_forget(arn);
    }
    r->doc = cJSON_CreateObject();
}

static void validate_definition(server *sv, const cJSON *in, reply *r)
{
    const char *def = aslc_str_field(in, "definition");
    bool ok = false;
    cJSON *diags = def ? diagnostics(sv, def, &ok) : cJSON_CreateArray();
    r->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(r->doc, "result", ok ? "OK" : "FAIL");
    cJSON_AddItemToObject(r->doc, "diagnostics", diags);
    cJSON_AddBoolToObject(r->doc, "truncated", false);
}

/* ---- executions ------------------------------------------------------------------- */

static cJSON *execution_doc(const aslc_execution *e, bool full)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", e->arn);
    cJSON_AddStringToObject(o, "stateMachineArn", e->sm_arn);
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "status", e->status);
    cJSON_AddNumberToObject(o, "startDate", e->started);
    if (e->stopped > 0) cJSON_AddNumberToObject(o, "stopDate", e->stopped);
    if (!full) return o;
    cJSON_AddStringToObject(o, "input", e->input);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "inputDetails"), "included", true);
    if (e->output) {
        cJSON_AddStringToObject(o, "output", e->output);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "outputDetails"), "included", true);
    }
    if (e->error) cJSON_AddStringToObject(o, "error", e->error);
    if (e->cause) cJSON_AddStringToObject(o, "cause", e->cause);
    return o;
}

static volatile sig_atomic_t stop_signal;   /* (defined with on_signal, below) */

/* Runs one execution to its end and records it.  On entry e's status is
 * not owned and output, error and cause are NULL; on return all four are
 * malloc'd (or NULL).  A Standard execution's events are recorded as they
 * come (serve_hist.c); resume: its checkpoint file, when it continues
 * after a restart. */
static void run_execution_from(server *sv, const aslc_machine *m, aslc_execution *e,
                               const char *resume)
{
    bool standard = !strcmp(m->type, "STANDARD");
    aslc_hist_sink sink = {&sv->store, e->arn, 0, NULL};
    aslc_channel ch = {aslc_hist_record, &sink, resume, aslc_hist_unit};
    running *me = calloc(1, sizeof *me);
    me->arn = strdup(e->arn);
    pthread_mutex_lock(&sv->lock);
    me->next = sv->run;
    sv->run = me;
    pthread_mutex_unlock(&sv->lock);

    aslc_run_result res;
    aslc_serve_run_ch(m->binary, e->input, m->arn, e->arn, &me->pid, standard ? &ch : NULL, &res);
    aslc_maprun_cache_free(sink.maprun);

    pthread_mutex_lock(&sv->lock);
    for (running **p = &sv->run; *p; p = &(*p)->next)
        if (*p == me) {
            *p = me->next;
            break;
        }
    bool stopped = me->stopped;
    pthread_mutex_unlock(&sv->lock);
    free(me->arn);
    free(me);
    if (stopped) {         /* StopExecution recorded it */
        aslc_execution rec;
        if (standard && aslc_store_get_execution(&sv->store, e->arn, &rec)) {
            aslc_hist_finish(&sv->store, &rec);
            aslc_execution_free(&rec);
        }
        e->status = strdup("ABORTED");
        e->stopped = now_seconds();
        aslc_run_result_free(&res);
        return;
    }
    if (standard && __atomic_load_n(&stop_signal, __ATOMIC_RELAXED)) {
        /* the server is stopping: the execution goes on when it restarts */
        e->status = strdup("RUNNING");
        aslc_run_result_free(&res);
        return;
    }

    e->stopped = now_seconds();
    if (res.status == 0) {
        e->status = "SUCCEEDED";
        e->output = res.output;
        if (strlen(res.output) > MAX_PAYLOAD) {
            e->status = "FAILED";
            e->output = NULL;
            e->error = "States.DataLimitExceeded";
            e->cause = ASLC_DATA_LIMIT_CAUSE;
        }
    } else {
        /* TIMED_OUT: the execution's TimeoutSeconds, not a Task's */
        e->status = res.status == 1 && res.error && !strcmp(res.error, "States.Timeout") &&
                            res.cause && !strcmp(res.cause, "The execution timed out.")
                        ? "TIMED_OUT" : "FAILED";
        e->error = res.error;
        e->cause = res.cause;
    }
    if (aslc_store_finish_execution(&sv->store, e) && standard) aslc_hist_finish(&sv->store, e);
    /* the result's strings are res's: the caller reads e only before this */
    e->output = e->output ? strdup(e->output) : NULL;
    e->error = e->error ? strdup(e->error) : NULL;
    e->cause = e->cause ? strdup(e->cause) : NULL;
    e->status = strdup(e->status);
    aslc_run_result_free(&res);
}

static void run_execution(server *sv, const aslc_machine *m, aslc_execution *e)
{
    run_execution_from(sv, m, e, NULL);
}

typedef struct {
    server *sv;
    aslc_machine m;
    aslc_execution e;
    char *resume;          /* a restarted execution's checkpoint file, or NULL */
    const asl_embed_api *api;   /* an Express execution run in process, else NULL */
} async_job;

static void *async_main(void *arg)
{
    async_job *j = arg;
    if (j->api) {
        /* Express: no record to keep, the output goes nowhere (AWS logs it) */
        asl_embed_call c = {j->e.input, strlen(j->e.input), j->e.arn, j->m.arn, NULL, NULL, NULL};
        j->api->run(&c);
        free(c.output);
        free(c.error);
        free(c.cause);
    } else {
        run_execution_from(j->sv, &j->m, &j->e, j->resume);
        if (j->resume) unlink(j->resume);
    }
    free(j->resume);
    free(j->e.output);
    free(j->e.error);
    free(j->e.cause);
    if (!j->api) free((char *)j->e.status);
    free(j->e.arn);
    free(j->e.sm_arn);
    free(j->e.name);
    free(j->e.input);
    aslc_machine_free(&j->m);
    pthread_mutex_lock(&j->sv->done_lock);
    j->sv->async--;
    pthread_cond_broadcast(&j->sv->done_cond);
    pthread_mutex_unlock(&j->sv->done_lock);
    free(j);
    return NULL;
}

/* The execution a start request names, recorded as RUNNING; false with the
 * error reply. */
static bool new_execution(server *sv, const cJSON *in, const aslc_machine *m, bool express,
                          aslc_execution *e, reply *r)
{
    const char *name = aslc_str_field(in, "name");
    const char *input = aslc_str_field(in, "input");
    char uuid[37];
    if (!name) {
        make_uuid(uuid);
        name = uuid;
    }
    if (!valid_name(name)) {
        fail(r, 400, "InvalidName", "Invalid Name: '%s'", name);
        return false;
    }
    if (!input) input = "{}";
    if (strlen(input) > MAX_PAYLOAD) {
        fail(r, 400, "ValidationException", "1 validation error detected: Value at 'input' "
                                            "failed to satisfy constraint: Member must have "
                                            "length less than or equal to 262144");
        return false;
    }
    cJSON *parsed = cJSON_Parse(input);
    if (!parsed) {
        fail(r, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: 'Unexpected "
                                              "character'");
        return false;
    }
    cJSON_Delete(parsed);
    memset(e, 0, sizeof *e);
    if (asprintf(&e->arn, "arn:aws:states:%s:%s:%s:%s:%s", sv->region, sv->account,
                 express ? "express" : "execution", m->name, name) < 0)
        return false;
    aslc_execution old;
    if (!express && aslc_store_get_execution(&sv->store, e->arn, &old)) {
        aslc_execution_free(&old);
        fail(r, 400, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", e->arn);
        free(e->arn);
        return false;
    }
    e->sm_arn = strdup(m->arn);
    e->name = strdup(name);
    e->status = "RUNNING";
    e->input = strdup(input);
    e->started = now_seconds();
    /* Express executions keep no record on AWS either, beyond the call */
    if (!express) aslc_store_put_execution(&sv->store, e);
    return true;
}

static bool find_inproc(server *sv, const char *arn, aslc_inproc_machine *im);

static void start_execution(server *sv, const cJSON *in, reply *r)
{
    async_job *j = calloc(1, sizeof *j);
    j->sv = sv;
    if (!find_machine_case(sv, in, &j->m, r) ||
        !new_execution(sv, in, &j->m, !strcmp(j->m.type, "EXPRESS"), &j->e, r)) {
        aslc_machine_free(&j->m);
        free(j);
        return;
    }
    r->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(r->doc, "executionArn", j->e.arn);
    cJSON_AddNumberToObject(r->doc, "startDate", j->e.started);
    aslc_inproc_machine im;
    const char *asked = aslc_str_field(in, "stateMachineArn");
    if (!strcmp(j->m.type, "EXPRESS") && !sv->isolate && asked && !strchr(asked, '#') &&
        find_inproc(sv, j->m.arn, &im))
        j->api = im.api;
    pthread_mutex_lock(&sv->done_lock);
    sv->async++;
    pthread_mutex_unlock(&sv->done_lock);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, SERVE_STACK);   /* an in-process execution runs on it */
    if (pthread_create(&t, &at, async_main, j) != 0) async_main(j);
    pthread_attr_destroy(&at);
}

/* AWS bills an Express execution by 64 MB and by 100 ms (rounded up). */
static void add_billing(cJSON *doc, double started, double stopped)
{
    cJSON *b = cJSON_AddObjectToObject(doc, "billingDetails");
    double ms = (stopped - started) * 1000.0;
    cJSON_AddNumberToObject(b, "billedMemoryUsedInMB", 64);
    cJSON_AddNumberToObject(b, "billedDurationInMilliseconds",
                            ms <= 100 ? 100 : 100 * ceil(ms / 100));
}

/* An EXPRESS machine that runs in process: loaded already, or now (once,
 * under load_lock); false for any other (then the slow path answers). */
static bool find_inproc(server *sv, const char *arn, aslc_inproc_machine *im)
{
    if (aslc_inproc_get(arn, im)) return true;
    pthread_mutex_lock(&sv->load_lock);
    bool ok = aslc_inproc_get(arn, im);
    aslc_machine m;
    if (!ok && aslc_store_get_machine(&sv->store, arn, &m)) {
        if (!strcmp(m.type, "EXPRESS")) ok = load_inproc(sv, m.arn, m.name, m.definition, im);
        aslc_machine_free(&m);
    }
    pthread_mutex_unlock(&sv->load_lock);
    return ok;
}

/* StartSyncExecution in process: no store, no child; the execution runs on
 * this connection's thread (whose stack is SERVE_STACK). */
static void start_sync_inproc(server *sv, const cJSON *in, const char *sm_arn,
                              const aslc_inproc_machine *im, reply *r)
{
    const char *name = aslc_str_field(in, "name");
    const char *input = aslc_str_field(in, "input");
    char uuid[37];
    if (!name) {
        make_uuid(uuid);
        name = uuid;
    }
    if (!valid_name(name)) {
        fail(r, 400, "InvalidName", "Invalid Name: '%s'", name);
        return;
    }
    if (!input) input = "{}";
    size_t len = strlen(input);
    if (len > MAX_PAYLOAD) {
        fail(r, 400, "ValidationException", "1 validation error detected: Value at 'input' "
                                            "failed to satisfy constraint: Member must have "
                                            "length less than or equal to 262144");
        return;
    }
    char exec_arn[512];
    snprintf(exec_arn, sizeof exec_arn, "arn:aws:states:%s:%s:express:%s:%s", sv->region,
             sv->account, im->name, name);
    asl_embed_call c = {input, len, exec_arn, sm_arn, NULL, NULL, NULL};
    double started = now_seconds();
    int st = im->api->run(&c);
    double stopped = now_seconds();
    if (st == 2) {
        fail(r, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'",
             c.cause ? c.cause : "not JSON");
    } else {
        aslc_execution e = {exec_arn, (char *)sm_arn, (char *)name, "SUCCEEDED", (char *)input,
                            c.output, c.error, c.cause, started, stopped};
        if (st != 0) {
            e.status = c.error && !strcmp(c.error, "States.Timeout") ? "TIMED_OUT" : "FAILED";
            e.output = NULL;
        } else if (strlen(c.output) > MAX_PAYLOAD) {
            e.status = "FAILED";
            e.output = NULL;
            e.error = "States.DataLimitExceeded";
            e.cause = ASLC_DATA_LIMIT_CAUSE;
        }
        r->doc = execution_doc(&e, true);
        add_billing(r->doc, started, stopped);
    }
    free(c.output);
    free(c.error);
    free(c.cause);
}

static void start_sync_execution(server *sv, const cJSON *in, reply *r)
{
    const char *sm_arn = aslc_str_field(in, "stateMachineArn");
    aslc_inproc_machine im;
    if (sm_arn && !sv->isolate && find_inproc(sv, sm_arn, &im)) {
        start_sync_inproc(sv, in, sm_arn, &im, r);
        return;
    }
    aslc_machine m;
    if (!find_machine_case(sv, in, &m, r)) return;
    if (strcmp(m.type, "EXPRESS") != 0) {
        fail(r, 400, "StateMachineTypeNotSupported",
             "This operation is not supported by this type of state machine");
        aslc_machine_free(&m);
        return;
    }
    aslc_execution e;
    if (new_execution(sv, in, &m, true, &e, r)) {
        run_execution(sv, &m, &e);
        r->doc = execution_doc(&e, true);
        add_billing(r->doc, e.started, e.stopped);
        free(e.output);
        free(e.error);
        free(e.cause);
        free((char *)e.status);
        free(e.arn);
        free(e.sm_arn);
        free(e.name);
        free(e.input);
    }
    aslc_machine_free(&m);
}

/* A Distributed Map's child execution (serve_maprun.c), with its mapRunArn:
 * true when arn is one, its answer in r. */
static bool describe_child(server *sv, const char *arn, reply *r)
{
    aslc_execution e;
    char *run = NULL;
    if (!arn || !aslc_maprun_child(&sv->store, arn, &e, &run)) return false;
    r->doc = execution_doc(&e, true);
    cJSON_AddStringToObject(r->doc, "mapRunArn", run);
    free(run);
    aslc_execution_free(&e);
    return true;
}

static void describe_execution(server *sv, const cJSON *in, reply *r)
{
    const char *arn = aslc_str_field(in, "executionArn");
    aslc_execution e;
    if (describe_child(sv, arn, r)) return;
    if (!arn || !aslc_store_get_execution(&sv->store, arn, &e)) {
        fail(r, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn ? arn : "");
        return;
    }
    r->doc = execution_doc(&e, true);
    aslc_execution_free(&e);
}

static void describe_machine_for_execution(server *sv, const cJSON *in, reply *r)
{
    const char *arn = aslc_str_field(in, "executionArn");
    aslc_execution e;
    aslc_child_info ci;
    if (arn && aslc_maprun_child_info(&sv->store, arn, &ci)) {
        /* a child: its parent's machine, with the map run and its label */
        cJSON *q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "executionArn", ci.parent);
        describe_machine_for_execution(sv, q, r);
        cJSON_Delete(q);
        if (r->doc) {
            cJSON_AddStringToObject(r->doc, "mapRunArn", ci.map_run);
            cJSON_AddStringToObject(r->doc, "label", ci.label);
        }
        aslc_child_info_free(&ci);
        return;
    }
    if (!arn || !aslc_store_get_execution(&sv->store, arn, &e)) {
        fail(r, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn ? arn : "");
        return;
    }
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "stateMachineArn", e.sm_arn);
    describe_state_machine(sv, q, r);
    if (r->doc) {
        cJSON_DeleteItemFromObject(r->doc, "status");
        cJSON_DeleteItemFromObject(r->doc, "type");
        cJSON_DeleteItemFromObject(r->doc, "creationDate");
        cJSON_AddNumberToObject(r->doc, "updateDate", e.started);
    }
    cJSON_Delete(q);
    aslc_execution_free(&e);
}

static void list_one_execution(void *ctx, const aslc_execution *e)
{
    cJSON_AddItemToArray(ctx, execution_doc(e, false));
}

static void list_executions(server *sv, const cJSON *in, reply *r)
{
    if (aslc_str_field(in, "mapRunArn")) {   /* a map run's child executions */
        aslc_maprun_list_children(&sv->store, in, r);
        return;
    }
    aslc_machine m;
    if (!find_machine(sv, in, "stateMachineArn", &m, r)) return;
    const cJSON *mr = cJSON_GetObjectItemCaseSensitive(in, "maxResults");
    int limit = cJSON_IsNumber(mr) && mr->valueint > 0 && mr->valueint <= 1000 ? mr->valueint : 100;
    const char *token = aslc_str_field(in, "nextToken");
    long after = token ? strtol(token, NULL, 10) : 0;
    long next = 0;
    r->doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(r->doc, "executions");
    aslc_store_list_executions(&sv->store, m.arn, aslc_str_field(in, "statusFilter"), after, limit,
                               &next, list_one_execution, arr);
    if (next) {
        char t[32];
        snprintf(t, sizeof t, "%ld", next);
        cJSON_AddStringToObject(r->doc, "nextToken", t);
    }
    aslc_machine_free(&m);
}

static void stop_execution(server *sv, const cJSON *in, reply *r)
{
    const char *arn = aslc_str_field(in, "executionArn");
    aslc_execution e;
    if (!arn || !aslc_store_get_execution(&sv->store, arn, &e)) {
        fail(r, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn ? arn : "");
        return;
    }
    double stop = now_seconds();
    if (!strcmp(e.status, "RUNNING")) {
        /* recorded first: the execution's thread reads it for the history's
         * ExecutionAborted once the process is gone */
        aslc_execution done = e;
        done.status = "ABORTED";
        done.output = NULL;
        done.error = (char *)aslc_str_field(in, "error");
        done.cause = (char *)aslc_str_field(in, "cause");
        done.stopped = stop;
        aslc_store_finish_execution(&sv->store, &done);
        pthread_mutex_lock(&sv->lock);
        for (running *p = sv->run; p; p = p->next)
            if (!strcmp(p->arn, arn)) {
                p->stopped = true;
                if (p->pid > 0) kill(-p->pid, SIGKILL);
            }
        pthread_mutex_unlock(&sv->lock);
    }
    r->doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->doc, "stopDate", stop);
    aslc_execution_free(&e);
}

/* The events an execution's record gives (the per-state events come with
 * the binaries' history, docs/serve.md). */
static void get_execution_history(server *sv, const cJSON *in, reply *r)
{
    const char *arn = aslc_str_field(in, "executionArn");
    aslc_execution e;
    aslc_child_info ci;
    if (arn && aslc_maprun_child_info(&sv->store, arn, &ci)) {
        /* a child's own history (serve_maprun.c keeps it under its ARN);
         * an EXPRESS child has none, as on AWS */
        if (ci.express) {
            fail(r, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s' (an EXPRESS "
                 "child execution has no history)", arn);
            aslc_child_info_free(&ci);
            return;
        }
        aslc_machine pm;
        bool have_pm = false;
        if (aslc_store_get_execution(&sv->store, ci.parent, &e)) {
            have_pm = aslc_store_get_machine(&sv->store, e.sm_arn, &pm);
            aslc_execution_free(&e);
        }
        const char *herr = NULL;
        cJSON *page = aslc_hist_page(&sv->store, arn, have_pm ? pm.role_arn : NULL, in, &herr);
        if (have_pm) aslc_machine_free(&pm);
        if (herr) fail(r, 400, strncmp(herr, "Invalid Token", 13) ? "ValidationException"
                                                                  : "InvalidToken", "%s", herr);
        else r->doc = page ? page : cJSON_CreateObject();
        if (r->doc && !cJSON_GetObjectItemCaseSensitive(r->doc, "events"))
            cJSON_AddArrayToObject(r->doc, "events");
        aslc_child_info_free(&ci);
        return;
    }
    if (!arn || !aslc_store_get_execution(&sv->store, arn, &e)) {
        fail(r, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn ? arn : "");
        return;
    }
    aslc_machine m;
    bool have_m = aslc_store_get_machine(&sv->store, e.sm_arn, &m);
    /* a Standard execution's recorded events (serve_hist.c) */
    const char *herr = NULL;
    cJSON *page = aslc_hist_page(&sv->store, arn, have_m ? m.role_arn : NULL, in, &herr);
    if (page || herr) {
        if (herr) fail(r, 400, strncmp(herr, "Invalid Token", 13) ? "ValidationException"
                                                                  : "InvalidToken", "%s", herr);
        else r->doc = page;
        if (have_m) aslc_machine_free(&m);
        aslc_execution_free(&e);
        return;
    }
    r->doc = cJSON_CreateObject();
    cJSON *events = cJSON_AddArrayToObject(r->doc, "events");
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "timestamp", e.started);
    cJSON_AddStringToObject(ev, "type", "ExecutionStarted");
    cJSON_AddNumberToObject(ev, "id", 1);
    cJSON_AddNumberToObject(ev, "previousEventId", 0);
    cJSON *d = cJSON_AddObjectToObject(ev, "executionStartedEventDetails");
    cJSON_AddStringToObject(d, "input", e.input);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(d, "inputDetails"), "truncated", false);
    cJSON_AddStringToObject(d, "roleArn", have_m ? m.role_arn : "");
    cJSON_AddItemToArray(events, ev);
    const char *type = !strcmp(e.status, "SUCCEEDED") ? "ExecutionSucceeded"
                     : !strcmp(e.status, "FAILED")    ? "ExecutionFailed"
                     : !strcmp(e.status, "TIMED_OUT") ? "ExecutionTimedOut"
                     : !strcmp(e.status, "ABORTED")   ? "ExecutionAborted" : NULL;
    if (type) {
        ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "timestamp", e.stopped);
        cJSON_AddStringToObject(ev, "type", type);
        cJSON_AddNumberToObject(ev, "id", 2);
        cJSON_AddNumberToObject(ev, "previousEventId", 1);
        if (!strcmp(type, "ExecutionSucceeded")) {
            d = cJSON_AddObjectToObject(ev, "executionSucceededEventDetails");
            cJSON_AddStringToObject(d, "output", e.output ? e.output : "null");
            cJSON_AddBoolToObject(cJSON_AddObjectToObject(d, "outputDetails"), "truncated", false);
        } else {
            const char *key = !strcmp(type, "ExecutionFailed") ? "executionFailedEventDetails"
                            : !strcmp(type, "ExecutionTimedOut") ? "executionTimedOutEventDetails"
                                                                 : "executionAbortedEventDetails";
            d = cJSON_AddObjectToObject(ev, key);
            if (e.error) cJSON_AddStringToObject(d, "error", e.error);
            if (e.cause) cJSON_AddStringToObject(d, "cause", e.cause);
        }
        cJSON_AddItemToArray(events, ev);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "reverseOrder"))) {
        cJSON *rev = cJSON_CreateArray();
        while (cJSON_GetArraySize(events) > 0)
            cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(events,
                                                                cJSON_GetArraySize(events) - 1));
        cJSON_ReplaceItemInObject(r->doc, "events", rev);
    }
    if (have_m) aslc_machine_free(&m);
    aslc_execution_free(&e);
}

/* ---- callback Tasks and activities (serve_task.c) ------------------------------------ */

/* GetActivityTask's long poll, AWS's 60 s (fuzz/fuzz_serve.c: 0, no wait) */
static int activity_poll_seconds = 60;

#define TASK_ACTION(name, fn)                                                    \
    static void name(server *sv, const cJSON *in, reply *r)                      \
    {                                                                            \
        aslc_serve_ctx c = {&sv->store, sv->region, sv->account,                 \
                            activity_poll_seconds};                              \
        fn(&c, in, r);                                                           \
        if (!r->code && !r->doc) r->doc = cJSON_CreateObject();                  \
    }
TASK_ACTION(send_task_success, aslc_send_task_success)
TASK_ACTION(send_task_failure, aslc_send_task_failure)
TASK_ACTION(send_task_heartbeat, aslc_send_task_heartbeat)
TASK_ACTION(create_activity, aslc_create_activity)
TASK_ACTION(describe_activity, aslc_describe_activity)
TASK_ACTION(delete_activity, aslc_delete_activity)
TASK_ACTION(list_activities, aslc_list_activities)
TASK_ACTION(get_activity_task, aslc_get_activity_task)
/* ---- tags (serve_tags.c) ------------------------------------------------------------ */

static void tag_resource(server *sv, const cJSON *in, reply *r)
{
    aslc_act_tag_resource(&sv->store, in, r);
}

static void untag_resource(server *sv, const cJSON *in, reply *r)
{
    aslc_act_untag_resource(&sv->store, in, r);
}

static void list_tags_for_resource(server *sv, const cJSON *in, reply *r)
{
    aslc_act_list_tags(&sv->store, in, r);
}

/* ---- map runs (serve_maprun.c) ------------------------------------------------------ */

static void list_map_runs(server *sv, const cJSON *in, reply *r)
{
    aslc_act_list_map_runs(&sv->store, in, r);
}

static void describe_map_run(server *sv, const cJSON *in, reply *r)
{
    aslc_act_describe_map_run(&sv->store, in, r);
}

static void update_map_run(server *sv, const cJSON *in, reply *r)
{
    aslc_act_update_map_run(&sv->store, in, r);
}

static void test_state(server *sv, const cJSON *in, reply *r)
{
    aslc_serve_env env = {sv->aslc, sv->cache, sv->resources, sv->mocks, sv->handlers,
                          sv->region, sv->account};
    aslc_act_test_state(&env, in, r);
}

/* ---- the protocol ------------------------------------------------------------------- */

typedef void (*action_fn)(server *, const cJSON *, reply *);

static const struct { const char *name; action_fn fn; } actions[] = {
    {"CreateStateMachine", create_state_machine},
    {"DescribeStateMachine", describe_state_machine},
    {"ListStateMachines", list_state_machines},
    {"UpdateStateMachine", update_state_machine},
    {"DeleteStateMachine", delete_state_machine},
    {"ValidateStateMachineDefinition", validate_definition},
    {"StartExecution", start_execution},
    {"StartSyncExecution", start_sync_execution},
    {"DescribeExecution", describe_execution},
    {"DescribeStateMachineForExecution", describe_machine_for_execution},
    {"ListExecutions", list_executions},
    {"StopExecution", stop_execution},
    {"GetExecutionHistory", get_execution_history},
    {"SendTaskSuccess", send_task_success},
    {"SendTaskFailure", send_task_failure},
    {"SendTaskHeartbeat", send_task_heartbeat},
    {"CreateActivity", create_activity},
    {"DescribeActivity", describe_activity},
    {"DeleteActivity", delete_activity},
    {"ListActivities", list_activities},
    {"GetActivityTask", get_activity_task},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"ListTagsForResource", list_tags_for_resource},
    {"TestState", test_state},
    {"ListMapRuns", list_map_runs},
    {"DescribeMapRun", describe_map_run},
    {"UpdateMapRun", update_map_run},
};

/* One request's answer from its X-Amz-Target and body: what does not
 * depend on HTTP (fuzz/fuzz_serve.c drives it). */
static void dispatch(server *sv, const char *target, const char *body, size_t len, reply *r)
{
    const char *action = target && !strncmp(target, "AWSStepFunctions.", 17) ? target + 17 : NULL;
    action_fn fn = NULL;
    for (size_t i = 0; action && i < sizeof actions / sizeof *actions; i++)
        if (!strcmp(action, actions[i].name)) fn = actions[i].fn;
    if (!fn) {
        fail(r, 400, "UnknownOperationException", "Unknown operation %s",
             target ? target : "(no X-Amz-Target)");
        return;
    }
    cJSON *in = cJSON_ParseWithLength(body && len ? body : "{}", body && len ? len : 2);
    if (!cJSON_IsObject(in))
        fail(r, 400, "SerializationException", "The body is not a JSON object");
    else if (aslc_limits_check(action, in, r)) fn(sv, in, r);
    cJSON_Delete(in);
}

static enum MHD_Result send_reply(struct MHD_Connection *con, reply *r)
{
    char *text;
    if (r->code) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "__type", r->code);
        cJSON_AddStringToObject(e, "message", r->message ? r->message : "");
        text = cJSON_PrintUnformatted(e);
        cJSON_Delete(e);
    } else {
        text = cJSON_PrintUnformatted(r->doc ? r->doc : cJSON_CreateObject());
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/x-amz-json-1.0");
    char rid[37];
    make_uuid(rid);
    MHD_add_response_header(resp, "x-amzn-RequestId", rid);
    if (r->code) MHD_add_response_header(resp, "x-amzn-ErrorType", r->code);
    enum MHD_Result ok = MHD_queue_response(con, (unsigned)(r->code ? r->status : 200), resp);
    MHD_destroy_response(resp);
    cJSON_Delete(r->doc);
    free(r->message);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    server *sv = cls;
    (void)version;
    request *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        asl_buf_init(&rq->body);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->body.len + *upload_size > MAX_BODY) rq->too_big = true;
        else asl_buf_put(&rq->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    reply r = {0};
    const char *auth_code, *auth_msg;
    int auth_status;
    if (strcmp(method, "POST") != 0) {
        fail(&r, 400, "UnknownOperationException", "Only POST is served");
    } else if (rq->too_big) {
        fail(&r, 413, "ValidationException", "The request is larger than %zu bytes", MAX_BODY);
    } else if (sv->auth && (auth_code = aslc_auth_check(sv->auth, con, method, url, rq->body.data,
                                                        rq->body.len, &auth_msg, &auth_status))) {
        fail(&r, auth_status, auth_code, "%s", auth_msg);
    } else {
        dispatch(sv, MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Amz-Target"),
                 rq->body.data, rq->body.len, &r);
    }
    return send_reply(con, &r);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)con;
    (void)code;
    request *rq = *con_cls;
    if (!rq) return;
    asl_buf_free(&rq->body);
    free(rq);
    *con_cls = NULL;
}

/* An execution a stopped server left RUNNING that cannot go on (its
 * machine or binary is gone, its checkpoint unusable): recorded as failed,
 * not run twice. */
static void fail_orphan(server *sv, const aslc_execution *e)
{
    aslc_execution done = *e;
    done.status = "FAILED";
    done.error = "States.Runtime";
    done.cause = "aslc serve stopped while the execution ran, and it could not be resumed";
    done.stopped = now_seconds();
    aslc_store_finish_execution(&sv->store, &done);
    aslc_hist_finish(&sv->store, &done);
}

typedef struct orphan {
    aslc_execution e;
    struct orphan *next;
} orphan;

/* Copied out first: the executions are resumed once the query is done. */
static void collect_running(void *ctx, const aslc_execution *e)
{
    orphan **list = ctx, *o = calloc(1, sizeof *o);
    o->e = *e;
    o->e.arn = strdup(e->arn);
    o->e.sm_arn = strdup(e->sm_arn);
    o->e.name = strdup(e->name);
    o->e.status = NULL;
    o->e.input = strdup(e->input);
    o->e.output = o->e.error = o->e.cause = NULL;
    o->next = *list;
    *list = o;
}

/* The Standard executions a stopped server left RUNNING go on from their
 * last checkpoint (serve_hist.c, runtime/served.c), each on its thread. */
static void resume_orphans(server *sv)
{
    orphan *list = NULL, *next;
    aslc_store_each_running(&sv->store, collect_running, &list);
    for (orphan *o = list; o; o = next) {
        next = o->next;
        aslc_execution *e = &o->e;
        async_job *j = calloc(1, sizeof *j);
        j->sv = sv;
        aslc_execution done;
        int plan = -1;
        if (aslc_store_get_machine(&sv->store, e->sm_arn, &j->m) &&
            !strcmp(j->m.type, "STANDARD") && access(j->m.binary, X_OK) == 0)
            plan = aslc_hist_resume_plan(&sv->store, e, sv->cache, &j->resume, &done);
        if (plan == 2) {
            aslc_store_finish_execution(&sv->store, &done);
            free(done.output);
            free(done.error);
            free(done.cause);
        } else if (plan < 0) {
            fail_orphan(sv, e);
        } else {
            j->e = *e;
            j->e.status = "RUNNING";
            free(o);
            pthread_mutex_lock(&sv->done_lock);
            sv->async++;
            pthread_mutex_unlock(&sv->done_lock);
            pthread_t t;
            pthread_attr_t at;
            pthread_attr_init(&at);
            pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
            if (pthread_create(&t, &at, async_main, j) != 0) async_main(j);
            pthread_attr_destroy(&at);
            continue;
        }
        aslc_machine_free(&j->m);
        free(j->resume);
        free(j);
        aslc_execution_free(e);
        free(o);
    }
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    /* atomic: the executions' threads read it too (run_execution_from) */
    __atomic_store_n(&stop_signal, sig, __ATOMIC_RELAXED);
}

static void usage(FILE *f)
{
    fputs("usage: aslc serve [--listen HOST:PORT] [--db FILE] [--cache DIR] [--region R]\n"
          "                  [--account N] [--resources F] [--mocks F] [--handlers F.c]\n"
          "                  [--isolate on|off] [--auth FILE]\n"
          "                  [--mock-config FILE]\n"
          "  --listen HOST:PORT   where to serve the Step Functions API (default 127.0.0.1:8083)\n"
          "  --db FILE            the SQLite database (default aslc-serve.db)\n"
          "  --cache DIR          compiled state machines (default FILE.cache)\n"
          "  --region, --account  in the ARNs (default us-east-1, 123456789012)\n"
          "  --resources, --mocks Task bindings and mocks for every state machine (docs/tasks.md)\n"
          "  --handlers FILE.c    native Task handlers linked into every state machine\n"
          "  --mock-config FILE   Step Functions Local's MockConfigFile: start ARN#TestCase\n"
          "  --auth FILE          check requests' SigV4 signatures against the credentials in\n"
          "                       FILE, {\"ACCESS_KEY_ID\": \"SECRET\", ...}\n"
          "  --isolate on|off     on: Express executions run as processes too (default off:\n"
          "                       in the server's threads, docs/serve.md; on with --handlers,\n"
          "                       whose native code could crash the server)\n",
          f);
}

int aslc_serve_main(int argc, char **argv)
{
    server sv;
    memset(&sv, 0, sizeof sv);
    const char *listen = "127.0.0.1:8083", *db = "aslc-serve.db", *cache = NULL, *auth_file = NULL;
    const char *mock_file = NULL, *isolate = NULL;
    sv.region = "us-east-1";
    sv.account = "123456789012";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "aslc serve: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        if (!strcmp(a, "--listen")) listen = v;
        else if (!strcmp(a, "--db")) db = v;
        else if (!strcmp(a, "--cache")) cache = v;
        else if (!strcmp(a, "--region")) sv.region = v;
        else if (!strcmp(a, "--account")) sv.account = v;
        else if (!strcmp(a, "--resources")) sv.resources = realpath(v, NULL);
        else if (!strcmp(a, "--mocks")) sv.mocks = realpath(v, NULL);
        else if (!strcmp(a, "--handlers")) sv.handlers = realpath(v, NULL);
        else if (!strcmp(a, "--auth")) auth_file = v;
        else if (!strcmp(a, "--mock-config")) mock_file = v;
        else if (!strcmp(a, "--isolate") && (!strcmp(v, "on") || !strcmp(v, "off")))
            isolate = v;
        else {
            fprintf(stderr, "aslc serve: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
        i++;
    }
    /* A native handler is C run in the server's own process when in-process:
     * a crash of it would end every execution and the API with it.  So
     * machines with --handlers run as processes, unless --isolate off says
     * the handlers are trusted (the process per execution costs ~1 ms). */
    sv.isolate = isolate ? !strcmp(isolate, "on") : sv.handlers != NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET};
    const char *colon = strrchr(listen, ':');
    char host[64];
    snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - listen) : 0, listen);
    long port = colon ? strtol(colon + 1, NULL, 10) : -1;
    if (!colon || port < 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "aslc serve: --listen wants IPv4-ADDRESS:PORT, not \"%s\"\n", listen);
        return 2;
    }
    addr.sin_port = htons((uint16_t)port);
    ssize_t n = readlink("/proc/self/exe", sv.aslc, sizeof sv.aslc - 1);
    if (n <= 0) {
        fprintf(stderr, "aslc serve: cannot find its own executable\n");
        return 1;
    }
    sv.aslc[n] = '\0';
    snprintf(sv.cache, sizeof sv.cache, "%s", cache ? cache : db);
    if (!cache) strncat(sv.cache, ".cache", sizeof sv.cache - strlen(sv.cache) - 1);
    if (mkdir(sv.cache, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "aslc serve: cannot make %s: %s\n", sv.cache, strerror(errno));
        return 1;
    }
    asl_buf err;
    asl_buf_init(&err);
    if (auth_file && !(sv.auth = aslc_auth_load(auth_file, &err))) {
        fprintf(stderr, "aslc serve: --auth %.*s\n", (int)err.len, err.data);
        asl_buf_free(&err);
        return 2;
    }
    if (mock_file && !(sv.mockcfg = aslc_mockcfg_load(mock_file, &err))) {
        fprintf(stderr, "aslc serve: --mock-config %.*s\n", (int)err.len, err.data);
        asl_buf_free(&err);
        aslc_auth_free(sv.auth);
        return 2;
    }
    if (!aslc_store_open(&sv.store, db, &err)) {
        fprintf(stderr, "aslc serve: %.*s\n", (int)err.len, err.data);
        asl_buf_free(&err);
        return 1;
    }
    asl_buf_free(&err);
    if (!aslc_tags_open(&sv.store)) {
        fprintf(stderr, "aslc serve: cannot make the tags table in %s\n", db);
        aslc_store_close(&sv.store);
        return 1;
    }
    pthread_mutex_init(&sv.lock, NULL);
    pthread_mutex_init(&sv.load_lock, NULL);
    pthread_mutex_init(&sv.done_lock, NULL);
    pthread_cond_init(&sv.done_cond, NULL);
    resume_orphans(&sv);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, on_request, &sv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_THREAD_STACK_SIZE, SERVE_STACK, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "aslc serve: cannot listen on %s: %s\n", listen, strerror(errno));
        aslc_store_close(&sv.store);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "aslc serve: the Step Functions API on http://%s:%u (database %s)\n", host,
            info ? info->port : (unsigned)port, db);
    printf("%u\n", info ? info->port : (unsigned)port);
    fflush(stdout);

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!__atomic_load_n(&stop_signal, __ATOMIC_RELAXED)) pause();

    MHD_stop_daemon(d);
    /* running children go with the server: their records say so at the next start */
    pthread_mutex_lock(&sv.lock);
    for (running *p = sv.run; p; p = p->next)
        if (p->pid > 0) kill(-p->pid, SIGTERM);
    pthread_mutex_unlock(&sv.lock);
    pthread_mutex_lock(&sv.done_lock);
    while (sv.async > 0) pthread_cond_wait(&sv.done_cond, &sv.done_lock);
    pthread_mutex_unlock(&sv.done_lock);
    aslc_inproc_clear();
    aslc_auth_free(sv.auth);
    cJSON_Delete(sv.mockcfg);
    aslc_store_close(&sv.store);
    /* realpath's copies of --resources, --mocks, --handlers */
    free((char *)sv.resources);
    free((char *)sv.mocks);
    free((char *)sv.handlers);
    return 128 + __atomic_load_n(&stop_signal, __ATOMIC_RELAXED);
}
