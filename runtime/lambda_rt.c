/*
 * lambda_rt.c — a workflow binary as an AWS Lambda custom runtime: the
 * `bootstrap` of `aslc FILE --target lambda` (docs/lambda.md).
 *
 * Lambda starts bootstrap with AWS_LAMBDA_RUNTIME_API set and talks to it
 * over the documented Runtime API (HTTP/1.1, plain, on a local address):
 *
 *   GET  /2018-06-01/runtime/invocation/next          the next event (long poll);
 *        headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
 *        -Invoked-Function-Arn, -Trace-Id
 *   POST /2018-06-01/runtime/invocation/ID/response   the result (202)
 *   POST /2018-06-01/runtime/invocation/ID/error      {"errorMessage","errorType","stackTrace"}
 *                                                     and Lambda-Runtime-Function-Error-Type (202)
 *   POST /2018-06-01/runtime/init/error               the same, when the runtime cannot start
 *
 * Each invocation is one execution of the state machine: the event is its
 * input, its output the response; a failed execution is an invocation error
 * whose errorType is the execution's Error and errorMessage its Cause.  The
 * invocation's deadline (Lambda-Runtime-Deadline-Ms, less a margin to post
 * the answer) is the execution's timeout when it is sooner than
 * TimeoutSeconds: reaching it fails the execution with States.Timeout.  The
 * trace header is set as _X_AMZN_TRACE_ID for the invocation, as Lambda
 * asks of custom runtimes.  Tasks are bound once, at init, as the plain
 * binary binds them (an unusable binding is an init error).
 *
 * Distributed Map.  A Map with ProcessorConfig.Mode DISTRIBUTED runs each of
 * its units (an item, or an ItemBatcher batch) as a synchronous Invoke of
 * this same function (fanout.c calls asl_run.map_remote): the payload is a
 * marked child event
 *
 *   {"aslc-map-child": {"build": BUILD-ID, "state": ADDRESS, "map": "/States/M", "input": ...}}
 *
 * that the instance receiving it runs as an execution starting at the
 * ItemProcessor's StartAt state (ADDRESS: its function, the same in every
 * instance of this non-PIE executable; BUILD-ID: the executable's GNU build
 * id, so that an instance of another build refuses the event rather than
 * jump into other code).  The unit's result is the child's response; a
 * failed child is a failed unit with the child's Error and Cause, counted
 * against ToleratedFailureCount/Percentage by fanout.c.  Throttles (429),
 * service errors (5xx), no answer, and an instance that died under the
 * invocation (Runtime.ExitError, Runtime.Unknown...) are retried with
 * exponential backoff, as Step Functions' Map Run retries its child
 * invocations and Lambda retries an instance that failed.
 *
 * Without AWS_LAMBDA_RUNTIME_API (or given options) bootstrap is the plain
 * binary (runtime/main.c): `./bootstrap < input.json` runs one execution,
 * its Distributed Map on local threads.
 */
#define _GNU_SOURCE
#include "aws.h"

#include <curl/curl.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CHILD_KEY "aslc-map-child"
#define DEADLINE_MARGIN_S 0.05      /* kept to post the answer before Lambda's deadline */
#define MAX_INSTANCE_RETRIES 6      /* a dead instance, no answer, a 5xx */
#define MAX_THROTTLE_RETRIES 60     /* 429 TooManyRequestsException */
#define BACKOFF_FIRST_S 0.02
#define BACKOFF_MAX_S 1.0

/* ---- the Runtime API client --------------------------------------------------------- */

typedef struct {
    CURL *h;
    char base[320];                /* http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime */
} rapi;

typedef struct {
    char request_id[128];
    int64_t deadline_ms;           /* Unix milliseconds; 0 when not sent */
    char function_arn[512];
    char trace_id[512];
} invocation;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    asl_buf_put(ud, p, size * n);
    return size * n;
}

/* Copies the value of header `name` into slot (size cap) if the line p is it. */
static void take(const char *p, size_t n, const char *name, char *slot, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k + 1 || strncasecmp(p, name, k) || p[k] != ':') return;
    p += k + 1;
    n -= k + 1;
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(slot, p, n);
    slot[n] = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    invocation *inv = ud;
    size_t len = size * n;
    char ms[32] = "";
    take(p, len, "Lambda-Runtime-Aws-Request-Id", inv->request_id, sizeof inv->request_id);
    take(p, len, "Lambda-Runtime-Invoked-Function-Arn", inv->function_arn, sizeof inv->function_arn);
    take(p, len, "Lambda-Runtime-Trace-Id", inv->trace_id, sizeof inv->trace_id);
    take(p, len, "Lambda-Runtime-Deadline-Ms", ms, sizeof ms);
    if (ms[0]) inv->deadline_ms = strtoll(ms, NULL, 10);
    return len;
}

/* One request to the Runtime API: the HTTP status, 0 when no answer came. */
static long rapi_call(rapi *api, const char *method, const char *path, const char *body,
                      size_t len, const char *error_type, asl_buf *out, invocation *inv)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", api->base, path);
    curl_easy_reset(api->h);
    curl_easy_setopt(api->h, CURLOPT_URL, url);
    curl_easy_setopt(api->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(api->h, CURLOPT_CUSTOMREQUEST, method);
    struct curl_slist *hdrs = NULL;
    char eh[256];
    if (body) {
        curl_easy_setopt(api->h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(api->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        hdrs = curl_slist_append(hdrs, "Expect:");   /* no 100-continue round trip */
    }
    if (error_type) {
        snprintf(eh, sizeof eh, "Lambda-Runtime-Function-Error-Type: %s", error_type);
        hdrs = curl_slist_append(hdrs, eh);
    }
    curl_easy_setopt(api->h, CURLOPT_HTTPHEADER, hdrs);
    asl_buf sink;
    asl_buf_init(&sink);
    curl_easy_setopt(api->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(api->h, CURLOPT_WRITEDATA, out ? out : &sink);
    if (inv) {
        curl_easy_setopt(api->h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(api->h, CURLOPT_HEADERDATA, inv);
    }
    CURLcode rc = curl_easy_perform(api->h);
    curl_slist_free_all(hdrs);
    asl_buf_free(&sink);
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(api->h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* {"errorMessage": cause, "errorType": error, "stackTrace": []}, Lambda's error shape. */
static void error_body(asl_buf *b, const char *error, const char *cause)
{
    asl_arena *a = asl_arena_new();
    asl_value *o = asl_object(a, 3);
    asl_object_append_lit(a, o, "errorMessage", 12, asl_cstring(a, cause ? cause : ""));
    asl_object_append_lit(a, o, "errorType", 9, asl_cstring(a, error ? error : "States.Runtime"));
    asl_object_append_lit(a, o, "stackTrace", 10, asl_array(a, 0));
    asl_json_write(b, o);
    asl_arena_free(a);
}

/* ---- the build id: which executable a child event was made for ---------------------- */

static int find_build_id(struct dl_phdr_info *info, size_t size, void *ud)
{
    (void)size;
    char *out = ud;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
            const unsigned char *name = (const unsigned char *)(nh + 1);
            const unsigned char *desc = name + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
                for (uint32_t k = 0; k < nh->n_descsz && k < 32; k++)
                    sprintf(out + 2 * k, "%02x", desc[k]);
                return 1;
            }
            p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1;   /* the first object is the executable: only its id counts */
}

extern char __executable_start[], etext[];

/* ---- the runtime ---------------------------------------------------------------------- */

typedef struct {
    const asl_program *prog;
    asl_binding *bindings;     /* bound once, at init */
    double time_scale;
    rapi api;
    char build_id[72];
    invocation inv;            /* the current invocation */
    int status;                /* of the loop: the process's exit status */
} lambda_rt;

/* The context of the remote units of one invocation (asl_run.remote_ctx).
 *
 * Its invocations in flight are bounded by a limit that adapts to throttles
 * (additive increase, multiplicative decrease, as TCP's congestion window):
 * a 429 halves it, a success raises it by 1/limit.  A Map without
 * MaxConcurrency would otherwise keep a thousand threads asking an account
 * of lesser concurrency, which answers most of them 429. */
typedef struct {
    const lambda_rt *lr;
    const char *function;      /* the invoked function's ARN (qualified as it was invoked) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    double limit;              /* invocations allowed in flight */
    uint32_t inflight;
} remote;

#define INFLIGHT_MAX 1024.0

/* Waits for room under the limit; false when x's fan-out was stopped meanwhile. */
static bool gate_enter(remote *rm, asl_exec *x)
{
    pthread_mutex_lock(&rm->mu);
    while (rm->inflight >= (uint32_t)rm->limit) {
        struct timespec end;
        clock_gettime(CLOCK_REALTIME, &end);
        end.tv_nsec += 50 * 1000000;
        if (end.tv_nsec >= 1000000000) end.tv_sec++, end.tv_nsec -= 1000000000;
        pthread_cond_timedwait(&rm->cv, &rm->mu, &end);
        if (asl_flow_stopped(x)) {
            pthread_mutex_unlock(&rm->mu);
            return false;
        }
    }
    rm->inflight++;
    pthread_mutex_unlock(&rm->mu);
    return true;
}

static void gate_leave(remote *rm, bool throttled)
{
    pthread_mutex_lock(&rm->mu);
    rm->inflight--;
    if (throttled) {
        /* halved, once per round of throttles: from what was in flight */
        double half = (rm->inflight + 1) / 2.0;
        if (half < rm->limit) rm->limit = half < 1 ? 1 : half;
    } else if (rm->limit < INFLIGHT_MAX) {
        rm->limit += 1.0 / rm->limit;
    }
    pthread_cond_broadcast(&rm->cv);
    pthread_mutex_unlock(&rm->mu);
}

static bool retry_wait(asl_exec *it, uint32_t attempt)
{
    double d = BACKOFF_FIRST_S * (double)(1u << (attempt < 10 ? attempt : 10));
    if (d > BACKOFF_MAX_S) d = BACKOFF_MAX_S;
    d *= 0.5 + (double)(rand() % 1000) / 2000.0;   /* jitter: not in lockstep with the others */
    return asl_flow_sleep(it, d);
}

/* The Invoke URL of the function ARN fn (arn:aws:lambda:REGION:ACCOUNT:
 * function:NAME[:QUALIFIER]): its name in the path, as aws_lambda.c sends it
 * (names need no escaping, and the signature is computed over the path as
 * sent), and its version or alias as ?Qualifier=. */
static void invoke_url(asl_buf *url, const char *base, const char *fn)
{
    asl_buf_puts(url, base);
    asl_buf_puts(url, "/2015-03-31/functions/");
    const char *f = strstr(fn, ":function:");
    const char *name = f ? f + 10 : fn, *colon = strchr(name, ':');
    asl_aws_pct(url, name, colon ? (size_t)(colon - name) : strlen(name), false);
    asl_buf_puts(url, "/invocations");
    if (colon) {
        asl_buf_puts(url, "?Qualifier=");
        asl_aws_pct(url, colon + 1, strlen(colon + 1), false);
    }
    asl_buf_putc(url, 0);
}

/* The region of a function ARN (copied into a), or NULL. */
static const char *arn_region(asl_arena *a, const char *arn)
{
    if (strncmp(arn, "arn:", 4)) return NULL;
    const char *p = strchr(arn + 4, ':');          /* after the partition */
    if (!p || !(p = strchr(p + 1, ':'))) return NULL;   /* after the service */
    const char *e = strchr(p + 1, ':');
    return e && e > p + 1 ? asl_strndup(a, p + 1, (size_t)(e - p - 1)) : NULL;
}

/* One unit of a Distributed Map, run by another invocation of this function. */
static asl_value *invoke_unit(asl_exec *it, const asl_map_info *m, asl_value *input)
{
    remote *rm = it->run->remote_ctx;
    asl_arena *a = it->arena;
    const char *why = NULL;
    const asl_aws_config *cfg = asl_aws_config_get(&why);
    if (!cfg) return asl_fail(it, "Lambda.SdkClientException", why);
    const char *region = arn_region(a, rm->function);
    char *base = asl_aws_endpoint(cfg, "Lambda", "lambda", region ? region : cfg->region);
    asl_buf url, body, err;
    asl_buf_init(&url);
    asl_buf_init(&body);
    asl_buf_init(&err);
    invoke_url(&url, base, rm->function);
    free(base);
    asl_buf_printf(&body, "{\"" CHILD_KEY "\":{\"build\":\"%s\",\"state\":\"%" PRIxPTR "\",\"map\":",
                   rm->lr->build_id, (uintptr_t)m->start);
    asl_json_write(&body, asl_cstring(a, it->state && it->state->json_path ? it->state->json_path : ""));
    asl_buf_puts(&body, ",\"input\":");
    asl_json_write(&body, input);
    asl_buf_puts(&body, "}}");

    /* the children join the invocation's X-Ray trace */
    const char *trace = rm->lr->inv.trace_id[0] ? asl_sprintf(a, "X-Amzn-Trace-Id: %s", rm->lr->inv.trace_id)
                                                : NULL;
    const char *headers[] = {"Content-Type: application/json",
                             "X-Amz-Invocation-Type: RequestResponse", trace, NULL};
    asl_value *out = NULL;
    uint32_t throttles = 0, failures = 0;
    for (;;) {
        if (asl_flow_stopped(it)) break;
        double timeout = 0;
        if (it->run->deadline > 0) {
            timeout = it->run->deadline - asl_now_monotonic();
            if (timeout <= 0) {
                out = asl_fail(it, "States.Timeout", "The execution's deadline passed");
                break;
            }
        }
        asl_aws_request rq = {"POST", url.data, "lambda", region ? region : cfg->region, headers,
                              body.data, body.len, timeout};
        asl_aws_response r;
        err.len = 0;
        asl_blocking_begin(it);
        bool entered = gate_enter(rm, it);
        bool sent = entered && asl_aws_send(cfg, &rq, &r, &err);
        if (entered) gate_leave(rm, sent && r.status == 429);
        asl_blocking_end(it);
        if (!entered) break;   /* stopped */
        bool again = false;
        const char *e = NULL;
        char *c = NULL;
        if (!sent) {
            again = ++failures <= MAX_INSTANCE_RETRIES && !r.timed_out;
            e = r.timed_out ? "States.Timeout" : "Lambda.SdkClientException";
            c = asl_strndup(a, err.data ? err.data : "", err.len);
        } else if (r.status == 429) {
            again = ++throttles <= MAX_THROTTLE_RETRIES;
            e = "Lambda.TooManyRequestsException";
        } else if (r.status >= 500) {
            again = ++failures <= MAX_INSTANCE_RETRIES;
            e = "Lambda.ServiceException";
        } else if (r.status >= 300) {
            e = r.error_type && *r.error_type ? asl_sprintf(a, "Lambda.%s", r.error_type)
                                              : "Lambda.AWSLambdaException";
        } else {
            asl_json_error jerr;
            asl_value *v = r.body.len ? asl_json_parse(a, r.body.data, r.body.len, &jerr) : asl_null();
            if (r.function_error) {
                const char *type = asl_aws_str(v, "errorType");
                const char *msg = asl_aws_str(v, "errorMessage");
                /* The instance died or its runtime broke: not the workflow's
                 * doing, so the unit runs again elsewhere. */
                if (type && !strncmp(type, "Runtime.", 8)) again = ++failures <= MAX_INSTANCE_RETRIES;
                e = type && *type ? type : "Lambda.Unknown";
                c = (char *)(msg ? msg : "");
                if (!type || !msg) c = asl_strndup(a, r.body.data ? r.body.data : "", r.body.len);
            } else if (!v) {
                e = "States.Runtime";
                c = "The child invocation's response is not JSON";
            } else {
                out = v;
            }
        }
        if (!out && !again && !c && sent)
            c = asl_strndup(a, r.body.data ? r.body.data : "", r.body.len);
        if (entered) asl_aws_response_free(&r);   /* (also what a failed send received) */
        if (out) break;
        if (!again) {
            out = asl_fail(it, e, c);
            break;
        }
        if (!retry_wait(it, throttles + failures)) break;
    }
    asl_buf_free(&url);
    asl_buf_free(&body);
    asl_buf_free(&err);
    return out;
}

/* One execution, from start (the program's, or a Distributed Map's
 * ItemProcessor for a child event) on input.  The response (the output,
 * or Lambda's error shape) in *resp; *error_type set when it failed. */
static void execute(lambda_rt *lr, asl_state_fn start, const char *text, size_t len,
                    asl_buf *resp, char *error_type, size_t etcap)
{
    asl_run run;
    memset(&run, 0, sizeof run);
    run.prog = lr->prog;
    run.arena = asl_arena_new();
    run.time_scale = lr->time_scale;
    run.events = 1;
    run.lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    run.bindings = lr->bindings;
    for (uint32_t i = 0; i < lr->prog->nsites; i++) lr->bindings[i].mock_next = 0;
    remote rm = {lr, lr->inv.function_arn, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                 INFLIGHT_MAX, 0};
    if (lr->inv.function_arn[0]) {
        run.map_remote = invoke_unit;
        run.remote_ctx = &rm;
    }
    clock_gettime(CLOCK_REALTIME, &run.started);
    double now = asl_now_monotonic();
    if (lr->prog->timeout > 0 && start == lr->prog->start) run.deadline = now + lr->prog->timeout;
    if (lr->inv.deadline_ms > 0) {
        double left = (double)(lr->inv.deadline_ms - (int64_t)run.started.tv_sec * 1000 -
                               run.started.tv_nsec / 1000000) / 1000.0 - DEADLINE_MARGIN_S;
        if (left < 0.001) left = 0.001;
        if (run.deadline == 0 || now + left < run.deadline) run.deadline = now + left;
    }
    const char *err = NULL, *cause = NULL;
    asl_json_error jerr;
    run.input = asl_json_parse(run.arena, text, len, &jerr);
    if (!run.input) {
        err = "States.Runtime";
        cause = asl_sprintf(run.arena, "invalid input JSON at %d:%d: %s", jerr.line, jerr.col, jerr.msg);
    } else {
        asl_exec top;
        asl_exec_top(&top, &run);
        asl_value *result = start(&top, run.input);
        if (result) asl_json_write(resp, result);
        else err = top.err, cause = top.cause;
    }
    if (err) {
        snprintf(error_type, etcap, "%s", err);
        error_body(resp, err, cause);
    }
    pthread_mutex_destroy(&run.lock);
    pthread_mutex_destroy(&rm.mu);
    pthread_cond_destroy(&rm.cv);
    asl_run_free_ids(&run);
    asl_arena_free(run.arena);
}

/* The state a child event starts at, or NULL with why set: the event must
 * come from this very executable (its build id) and name a place in its code. */
static asl_state_fn child_start(const lambda_rt *lr, const asl_value *child, const char **why)
{
    const char *build = asl_aws_str(child, "build"), *state = asl_aws_str(child, "state");
    if (!build || !state) {
        *why = "the child event has no build or state";
        return NULL;
    }
    if (strcmp(build, lr->build_id)) {
        *why = "the child event was made by another build of this function";
        return NULL;
    }
    char *end;
    uintptr_t addr = (uintptr_t)strtoull(state, &end, 16);
    if (*end || addr < (uintptr_t)__executable_start || addr >= (uintptr_t)etext) {
        *why = "the child event names no state of this function";
        return NULL;
    }
    return (asl_state_fn)addr;
}

static void handle(lambda_rt *lr, const asl_buf *event)
{
    asl_buf resp;
    asl_buf_init(&resp);
    char error_type[256] = "";
    asl_state_fn start = lr->prog->start;
    const char *text = event->data ? event->data : "";
    size_t len = event->len;
    /* A child event: {"aslc-map-child": {...}}, the only member.  Looked at
     * only when the event starts with that key, so the common event is
     * parsed once, by the execution. */
    asl_arena *a = NULL;
    const char *p = text;
    while (p < text + len && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) p++;
    if (p + 2 + strlen(CHILD_KEY) <= text + len && *p == '{' &&
        memmem(p, (size_t)(text + len - p) < 40 ? (size_t)(text + len - p) : 40, "\"" CHILD_KEY "\"",
               strlen(CHILD_KEY) + 2)) {
        a = asl_arena_new();
        asl_json_error jerr;
        asl_value *ev = asl_json_parse(a, text, len, &jerr);
        asl_value *child = ev && ev->type == ASL_OBJECT ? asl_object_get(ev, CHILD_KEY, strlen(CHILD_KEY)) : NULL;
        asl_value *input = child && child->type == ASL_OBJECT ? asl_object_get(child, "input", 5) : NULL;
        const char *why = NULL;
        asl_state_fn s = child && input ? child_start(lr, child, &why) : NULL;
        if (s) {
            start = s;
            text = asl_json_string(a, input, &len);
        } else if (child) {
            snprintf(error_type, sizeof error_type, "States.Runtime");
            error_body(&resp, error_type, why ? why : "the child event has no input");
            start = NULL;
        }
    }
    if (start) execute(lr, start, text, len, &resp, error_type, sizeof error_type);
    char path[256];
    snprintf(path, sizeof path, "/invocation/%s/%s", lr->inv.request_id, error_type[0] ? "error" : "response");
    long st = rapi_call(&lr->api, "POST", path, resp.data ? resp.data : "", resp.len,
                        error_type[0] ? error_type : NULL, NULL, NULL);
    if (st == 413 && !error_type[0]) {
        /* Over Lambda's response limit: said as an error of the invocation. */
        resp.len = 0;
        error_body(&resp, "States.DataLimitExceeded",
                   "The execution's output is larger than Lambda's response limit");
        snprintf(path, sizeof path, "/invocation/%s/error", lr->inv.request_id);
        st = rapi_call(&lr->api, "POST", path, resp.data, resp.len, "States.DataLimitExceeded", NULL, NULL);
    }
    if (st != 202 && st != 200)
        fprintf(stderr, "bootstrap: the Runtime API answered %ld to %s\n", st, path);
    if (st >= 500 || st == 0) lr->status = 1;   /* "non-recoverable state: exit promptly" */
    asl_arena_free(a);
    asl_buf_free(&resp);
}

static void loop(void *arg)
{
    lambda_rt *lr = arg;
    asl_buf event;
    asl_buf_init(&event);
    while (lr->status == 0) {
        event.len = 0;
        memset(&lr->inv, 0, sizeof lr->inv);
        long st = rapi_call(&lr->api, "GET", "/invocation/next", NULL, 0, NULL, &event, &lr->inv);
        if (st != 200 || !lr->inv.request_id[0]) {
            fprintf(stderr, "bootstrap: the Runtime API answered %ld to /invocation/next%s\n", st,
                    st == 200 ? " without Lambda-Runtime-Aws-Request-Id" : "");
            lr->status = 1;
            break;
        }
        if (lr->inv.trace_id[0]) setenv("_X_AMZN_TRACE_ID", lr->inv.trace_id, 1);
        else unsetenv("_X_AMZN_TRACE_ID");
        handle(lr, &event);
    }
    asl_buf_free(&event);
}

int asl_lambda_main(const asl_program *p, int argc, char **argv)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api || argc > 1) return asl_program_main(p, argc, argv);
    lambda_rt lr;
    memset(&lr, 0, sizeof lr);
    lr.prog = p;
    lr.time_scale = 1.0;
    const char *ts = getenv("ASL_TIME_SCALE");
    if (ts && *ts) lr.time_scale = strtod(ts, NULL);
    if (!(lr.time_scale >= 0 && lr.time_scale <= 1e6)) lr.time_scale = 1.0;
    snprintf(lr.api.base, sizeof lr.api.base, "http://%s/2018-06-01/runtime", api);
    snprintf(lr.build_id, sizeof lr.build_id, "none");
    dl_iterate_phdr(find_build_id, lr.build_id);
    srand((unsigned)getpid());
    curl_global_init(CURL_GLOBAL_DEFAULT);
    lr.api.h = curl_easy_init();
    if (!lr.api.h) {
        fprintf(stderr, "bootstrap: cannot start an HTTP client\n");
        return 1;
    }
    asl_arena *consts = asl_arena_new();
    if (p->init) p->init(consts);
    asl_run proto;
    memset(&proto, 0, sizeof proto);
    proto.prog = p;
    proto.arena = asl_arena_new();
    asl_buf msg;
    asl_buf_init(&msg);
    if (!asl_tasks_bind(&proto, NULL, NULL, &msg)) {
        asl_buf_putc(&msg, 0);
        fprintf(stderr, "bootstrap: %s\n", msg.data);
        asl_buf body;
        asl_buf_init(&body);
        error_body(&body, "Runtime.AslcInitError", msg.data);
        rapi_call(&lr.api, "POST", "/init/error", body.data, body.len, "Runtime.AslcInitError", NULL, NULL);
        asl_buf_free(&body);
        asl_buf_free(&msg);
        return 1;
    }
    asl_buf_free(&msg);
    lr.bindings = proto.bindings;
    asl_run_on_big_stack(loop, &lr, asl_exec_stack_size());
    curl_easy_cleanup(lr.api.h);
    asl_arena_free(proto.arena);
    asl_arena_free(consts);
    return lr.status;
}
