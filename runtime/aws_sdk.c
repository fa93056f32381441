/*
 * aws_sdk.c — a Task that calls an AWS API: an AWS SDK
 * integration (arn:aws:states:::aws-sdk:dynamodb:getItem, ...:sfn:startExecution,
 * ...:secretsmanager:getSecretValue) or an optimised integration that is one
 * such call (arn:aws:states:::dynamodb:putItem).
 *
 * What to send was decided when compiling, from the service's API model
 * (compiler/aws_model.c), and comes here as the binding's "aws" object: the
 * protocol and the operation's model (aws_wire.c writes the request and
 * reads the response), service_id, endpoint_prefix, signing_name, and
 *   error_prefix  "DynamoDb" for the SDK integration, "DynamoDB" for the
 *                 optimised one: Step Functions names errors PREFIX.Code;
 *   optimised     the optimised integrations answer as the Java SDK v1 did,
 *                 with SdkHttpMetadata and SdkResponseMetadata added;
 *   sync          a .sync integration ("Run a job"): after the start call,
 *                 the poll operation is called until the job ends, as Step
 *                 Functions follows it (compiler/aws_model.c has the table).
 */
#define _GNU_SOURCE
#include "aws_wire.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The Java SDK v1 client names that an optimised integration's Cause shows. */
static const char *v1_service(const char *prefix)
{
    static const char *const names[][2] = {
        {"DynamoDB", "AmazonDynamoDBv2"}, {"SQS", "AmazonSQS"}, {"SNS", "AmazonSNS"},
        {"EventBridge", "AmazonEventBridge"}, {"StepFunctions", "AWSStepFunctions"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(prefix, names[i][0])) return names[i][1];
    return prefix;
}

static asl_value *api_error(asl_exec *x, const asl_value *d, const asl_aws_response *r)
{
    asl_arena *a = asl_exec_arena(x);
    const char *code, *msg;
    asl_aws_wire_error(a, d, r, &code, &msg);
    const char *prefix = asl_aws_str(d, "error_prefix");
    const asl_value *opt = asl_object_get(d, "optimised", 9);
    bool optimised = opt && opt->type == ASL_TRUE;
    size_t cl = strlen(code);
    bool suffixed = cl >= 9 && !strcmp(code + cl - 9, "Exception");
    /* Step Functions always ends an SDK error's name in Exception. */
    char *error = asl_sprintf(a, "%s.%s%s", prefix, code, suffixed ? "" : "Exception");
    const char *rid = r->request_id ? r->request_id : "null";
    if (optimised)
        return asl_failf(x, error,
                         "%s (Service: %s; Status Code: %ld; Error Code: %s; Request ID: %s; "
                         "Proxy: null)", msg, v1_service(prefix), r->status, code, rid);
    return asl_failf(x, error, "%s (Service: %s, Status Code: %ld, Request ID: %s)", msg, prefix,
                     r->status, rid);
}

/* SdkHttpMetadata and SdkResponseMetadata of the response's own headers. */
static void add_sdk_metadata(asl_arena *a, asl_value *obj, const asl_aws_response *r)
{
    uint32_t n = 0, cap = 16;
    const char *(*hdrs)[2] = asl_alloc(a, cap * sizeof *hdrs);
    for (const char *p = r->headers.data, *e = p + r->headers.len; p && p < e;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) nl = e;
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        if (colon) {
            const char *v = colon + 1;
            while (v < nl && *v == ' ') v++;
            if (n == cap) {
                const char *(*more)[2] = asl_alloc(a, 2 * cap * sizeof *more);
                memcpy(more, hdrs, cap * sizeof *hdrs);
                hdrs = more;
                cap *= 2;
            }
            hdrs[n][0] = asl_strndup(a, p, (size_t)(colon - p));
            hdrs[n][1] = asl_strndup(a, v, (size_t)(nl - v));
            n++;
        }
        p = nl + 1;
    }
    asl_task_sdk_metadata(a, obj, hdrs, n, r->status, r->request_id);
}

/* params with a fresh UUID for each idempotency token of the operation's
 * input that the task does not give (EMR Serverless' clientToken): the SDKs
 * make one so, and so does Step Functions. */
static asl_value *with_tokens(asl_arena *a, const asl_value *d, asl_value *params)
{
    const asl_value *shapes = asl_object_get(d, "shapes", 6);
    const char *in = asl_aws_str(d, "input");
    const asl_value *sh = shapes && in ? asl_object_get(shapes, in, strlen(in)) : NULL;
    const asl_value *ms = sh && sh->type == ASL_OBJECT ? asl_object_get(sh, "members", 7) : NULL;
    asl_value *out = params;
    for (uint32_t i = 0; ms && ms->type == ASL_OBJECT && i < ms->len; i++) {
        const asl_value *tok = ms->u.o.members[i].val->type == ASL_OBJECT
                                   ? asl_object_get(ms->u.o.members[i].val, "idempotencyToken", 16)
                                   : NULL;
        if (!tok || tok->type != ASL_TRUE || (params && params->type != ASL_OBJECT)) continue;
        /* the task writes the member in PascalCase */
        char *key = asl_strndup(a, ms->u.o.members[i].key, ms->u.o.members[i].klen);
        key[0] = (char)toupper((unsigned char)key[0]);
        size_t kl = ms->u.o.members[i].klen;
        if (params && (asl_object_get(params, key, kl) ||
                       asl_object_get(params, ms->u.o.members[i].key, kl)))
            continue;
        char id[37];
        if (!asl_uuid4(id)) continue;
        if (out == params) {   /* the task's parameters stay as they are */
            out = asl_object(a, params ? params->len + 1 : 1);
            for (uint32_t k = 0; params && k < params->len; k++)
                asl_object_set(a, out, params->u.o.members[k].key, params->u.o.members[k].klen,
                               params->u.o.members[k].val);
        }
        asl_object_set(a, out, key, kl, asl_cstring(a, id));
    }
    return out;
}

/* Whether an error answer says the resource is not there (any more). */
static bool not_found(asl_arena *a, const asl_value *d, const asl_aws_response *r)
{
    const char *code, *msg;
    asl_aws_wire_error(a, d, r, &code, &msg);
    return code && !strcmp(code, "ResourceNotFoundException");
}

/* One call of the operation d describes.  gone (may be NULL): set, with
 * an empty answer and no failure, when the service answers that the
 * resource does not exist (an EKS deletion followed to its end). */
static asl_value *call_once(asl_exec *x, const asl_value *d, asl_value *params,
                            const asl_task_call *tc, bool *gone)
{
    asl_arena *a = asl_exec_arena(x);
    const char *prefix = asl_aws_str(d, "error_prefix");
    const char *why = NULL;
    const asl_aws_config *cfg = asl_aws_config_get(&why);
    char *sdk_err = asl_sprintf(a, "%s.SdkClientException", prefix ? prefix : "Aws");
    if (!cfg) return asl_fail(x, sdk_err, why);
    if (!cfg->access_key)
        return asl_fail(x, sdk_err,
                        "Unable to load AWS credentials from any provider in the chain "
                        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
                        "~/.aws/credentials)");
    asl_aws_config role_cfg;   /* the task's Credentials: its role's keys */
    if (!(cfg = asl_aws_task_config(x, cfg, tc, &role_cfg))) return NULL;
    char *base = asl_aws_endpoint(cfg, asl_aws_str(d, "service_id"), asl_aws_str(d, "endpoint_prefix"),
                                  cfg->region);
    char *base_a = asl_strndup(a, base, strlen(base));
    free(base);
    asl_aws_wire_req wq;
    asl_buf err;
    asl_buf_init(&err);
    params = with_tokens(a, d, params);
    if (!asl_aws_wire_request(a, d, params, base_a, &wq, &err)) {
        asl_value *out = asl_fail(x, sdk_err, asl_strndup(a, err.data ? err.data : "", err.len));
        asl_buf_free(&err);
        return out;
    }
    double timeout = 0;
    if (tc && tc->deadline > 0) {
        timeout = tc->deadline - asl_now_monotonic();
        if (timeout <= 0) {
            asl_buf_free(&err);
            return asl_task_timed_out(x, tc);
        }
    }
    asl_aws_request rq = {wq.method, wq.url, asl_aws_str(d, "signing_name"), cfg->region, wq.headers,
                          wq.body, wq.body_len, timeout};
    asl_aws_response r;
    asl_blocking_begin(x);
    bool sent = asl_aws_send(cfg, &rq, &r, &err);
    asl_blocking_end(x);
    asl_value *out;
    if (!sent) {
        if (r.timed_out && tc && tc->deadline > 0) out = asl_task_timed_out(x, tc);
        else out = asl_fail(x, sdk_err, asl_strndup(a, err.data ? err.data : "", err.len));
    } else if (r.status >= 300 && gone && not_found(a, d, &r)) {
        *gone = true;
        out = asl_object(a, 0);
    } else if (r.status >= 300) {
        out = api_error(x, d, &r);
    } else {
        out = asl_aws_wire_result(a, d, &r, &err);
        const asl_value *opt = asl_object_get(d, "optimised", 9);
        if (!out)
            out = asl_failf(x, sdk_err, "Unable to read the response of %s: %.*s",
                            asl_aws_str(d, "operation"), (int)err.len, err.data ? err.data : "");
        else if (opt && opt->type == ASL_TRUE && out->type == ASL_OBJECT)
            add_sdk_metadata(a, out, &r);
    }
    asl_buf_free(&err);
    asl_aws_response_free(&r);
    return out;
}

/* ---- .sync: following a job until it ends ------------------------------------------ */

/* The value at a template path "$start.Tasks[0].TaskArn" ($params, $start
 * or $poll, then names and [index]es), or NULL. */
static const asl_value *lookup(const char *path, const asl_value *params, const asl_value *start,
                               const asl_value *poll)
{
    const asl_value *v;
    const char *p;
    if (!strncmp(path, "$params", 7)) v = params, p = path + 7;
    else if (!strncmp(path, "$start", 6)) v = start, p = path + 6;
    else if (!strncmp(path, "$poll", 5)) v = poll, p = path + 5;
    else return NULL;
    while (v && *p) {
        if (*p == '.') {
            size_t n = strcspn(p + 1, ".[");
            v = v->type == ASL_OBJECT ? asl_object_get(v, p + 1, n) : NULL;
            p += 1 + n;
        } else if (*p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);
            v = v->type == ASL_ARRAY && i < v->len ? v->u.a.items[i] : NULL;
            p = *end == ']' ? end + 1 : end;
        } else {
            return NULL;
        }
    }
    return v;
}

/* A template with its "$..." strings filled; members that find nothing
 * are left out, as a request leaves out an absent parameter. */
static asl_value *fill(asl_arena *a, const asl_value *t, const asl_value *params,
                       const asl_value *start, const asl_value *poll)
{
    if (t->type == ASL_STRING && t->u.str[0] == '$')
        return (asl_value *)lookup(t->u.str, params, start, poll);
    if (t->type == ASL_OBJECT) {
        asl_value *o = asl_object(a, t->len);
        for (uint32_t i = 0; i < t->len; i++) {
            asl_value *v = fill(a, t->u.o.members[i].val, params, start, poll);
            if (v) asl_object_set(a, o, t->u.o.members[i].key, t->u.o.members[i].klen, v);
        }
        return o;
    }
    if (t->type == ASL_ARRAY) {
        asl_value *arr = asl_array(a, t->len);
        for (uint32_t i = 0; i < t->len; i++) {
            asl_value *v = fill(a, t->u.a.items[i], params, start, poll);
            if (v) asl_array_push(a, arr, v);
        }
        return arr;
    }
    return (asl_value *)t;
}

static bool listed(const asl_value *list, const asl_value *s)
{
    if (!list || list->type != ASL_ARRAY || !s || s->type != ASL_STRING) return false;
    for (uint32_t i = 0; i < list->len; i++)
        if (list->u.a.items[i]->type == ASL_STRING && !strcmp(list->u.a.items[i]->u.str, s->u.str))
            return true;
    return false;
}

/* An ECS task that stopped with a container's non-zero exit code failed. */
static bool container_failed(const asl_value *task)
{
    const asl_value *cs = task && task->type == ASL_OBJECT ? asl_object_get(task, "Containers", 10)
                                                          : NULL;
    for (uint32_t i = 0; cs && cs->type == ASL_ARRAY && i < cs->len; i++) {
        const asl_value *code = cs->u.a.items[i]->type == ASL_OBJECT
                                    ? asl_object_get(cs->u.a.items[i], "ExitCode", 8) : NULL;
        if (code && code->type == ASL_NUMBER && code->u.n.num != 0) return true;
    }
    return false;
}

/* out with its member name, JSON text, replaced by the value it writes
 * (left as it is when it is not JSON). */
static asl_value *parsed_member(asl_arena *a, asl_value *out, const char *name)
{
    if (!out || out->type != ASL_OBJECT) return out;
    const asl_value *o = asl_object_get(out, name, strlen(name));
    asl_json_error je;
    asl_value *parsed = o && o->type == ASL_STRING ? asl_json_parse(a, o->u.str, o->len, &je) : NULL;
    if (!parsed) return out;
    asl_value *copy = asl_object(a, out->len);
    for (uint32_t i = 0; i < out->len; i++)
        asl_object_set(a, copy, out->u.o.members[i].key, out->u.o.members[i].klen,
                       out->u.o.members[i].val);
    asl_object_set(a, copy, name, strlen(name), parsed);
    return copy;
}

/* EMR's ...ByName: params with the Id of the instance fleet or group
 * that find's name parameter names (the cluster's List call, page after
 * page) set in the parameter it modifies; NULL after asl_fail when the
 * cluster has none of that name (States.TaskFailed) or the List fails. */
static asl_value *found_by_name(asl_exec *x, const asl_value *find, asl_value *params,
                                const asl_task_call *tc)
{
    asl_arena *a = asl_exec_arena(x);
    const char *items = asl_aws_str(find, "items"), *name_param = asl_aws_str(find, "name");
    const char *into = asl_aws_str(find, "into"), *id_key = asl_aws_str(find, "id_key");
    const char *cluster = asl_aws_str(params, "ClusterId");
    const char *name = asl_aws_str(params, name_param);
    if (!cluster || !name)
        return asl_failf(x, "States.Runtime", "The parameters ClusterId and %s must be strings",
                         name_param);
    const asl_value *marker = NULL, *id = NULL;
    do {
        asl_value *req = asl_object(a, 2);
        asl_object_set(a, req, "ClusterId", 9, asl_cstring(a, cluster));
        if (marker) asl_object_set(a, req, "Marker", 6, (asl_value *)marker);
        asl_value *page = call_once(x, asl_object_get(find, "list", 4), req, tc, NULL);
        if (!page) return NULL;
        const asl_value *list = asl_object_get(page, items, strlen(items));
        for (uint32_t i = 0; list && list->type == ASL_ARRAY && i < list->len && !id; i++) {
            const char *n = asl_aws_str(list->u.a.items[i], "Name");
            if (n && !strcmp(n, name)) id = asl_object_get(list->u.a.items[i], "Id", 2);
        }
        marker = asl_object_get(page, "Marker", 6);
    } while (!id && marker && marker->type == ASL_STRING);
    if (!id)
        return asl_failf(x, "States.TaskFailed", "The cluster %s has no %s named \"%s\"",
                         cluster, strcmp(items, "InstanceFleets") ? "instance group"
                                                                  : "instance fleet", name);
    /* a copy: the task's parameters stay as they are */
    const asl_value *cfg = asl_object_get(params, into, strlen(into));
    asl_value *conf = asl_object(a, cfg && cfg->type == ASL_OBJECT ? cfg->len + 1 : 1);
    for (uint32_t i = 0; cfg && cfg->type == ASL_OBJECT && i < cfg->len; i++)
        asl_object_set(a, conf, cfg->u.o.members[i].key, cfg->u.o.members[i].klen,
                       cfg->u.o.members[i].val);
    asl_object_set(a, conf, id_key, strlen(id_key), (asl_value *)id);
    asl_value *out = asl_object(a, params->len + 1);
    for (uint32_t i = 0; i < params->len; i++)
        asl_object_set(a, out, params->u.o.members[i].key, params->u.o.members[i].klen,
                       params->u.o.members[i].val);
    asl_object_set(a, out, into, strlen(into), conf);
    return out;
}

asl_value *asl_aws_sdk_call(asl_exec *x, const asl_value *d, asl_value *params,
                            const asl_task_call *tc)
{
    const char *proto = asl_aws_str(d, "protocol");
    if (proto && !strcmp(proto, "http-task")) return asl_http_task(x, params, tc);
    if (proto && !strcmp(proto, "apigateway")) return asl_apigw_invoke(x, params, tc);
    if (proto && !strcmp(proto, "eks")) return asl_aws_eks(x, d, params, tc);
    const asl_value *sync = asl_object_get(d, "sync", 4);
    asl_arena *a = asl_exec_arena(x);
    /* a renamed integration (EMR's addStep is AddJobFlowSteps): its request
     * and its answer made from templates */
    const asl_value *request = asl_object_get(d, "request", 7);
    const asl_value *result = asl_object_get(d, "result", 6);
    const asl_value *find = asl_object_get(d, "find", 4);
    if (find && !(params = found_by_name(x, find, params, tc))) return NULL;
    asl_value *start = call_once(x, d, request ? fill(a, request, params, NULL, NULL) : params, tc,
                                 NULL);
    if (start && result && !sync) {
        asl_value *out = fill(a, result, params, start, NULL);
        const char *parse = asl_aws_str(d, "parse");   /* Bedrock's Body */
        if (!out) out = asl_object(a, 0);
        return parse ? parsed_member(a, out, parse) : out;
    }
    if (!start || !sync) return start;

    const asl_value *pd = asl_object_get(sync, "poll", 4);
    const asl_value *po = asl_object_get(sync, "parse_output", 12);
    const asl_value *g = asl_object_get(sync, "gone", 4);
    bool follow_gone = g && g->type == ASL_TRUE;
    bool ecs = asl_aws_str(d, "service_id") && !strcmp(asl_aws_str(d, "service_id"), "ECS");
    double interval = 1;   /* seconds, scaled by --time-scale as every wait is */
    for (int polls = 1;; polls++) {
        asl_value *req = fill(a, asl_object_get(sync, "request", 7), params, start, NULL);
        bool gone = false;
        asl_value *poll = call_once(x, pd, req, tc, follow_gone ? &gone : NULL);
        if (!poll) return NULL;
        if (gone) {   /* a deletion that has ended */
            asl_value *out = fill(a, asl_object_get(sync, "output", 6), params, start, NULL);
            return out ? out : asl_object(a, 0);
        }
        const asl_value *state = lookup(asl_aws_str(sync, "state"), params, start, poll);
        asl_value *out = fill(a, asl_object_get(sync, "output", 6), params, start, poll);
        if (!out) out = asl_object(a, 0);
        /* .sync:2: the child execution's Output as JSON, not as text */
        if (po && po->type == ASL_TRUE) out = parsed_member(a, out, "Output");
        bool done = listed(asl_object_get(sync, "succeeded", 9), state);
        /* a deletion's Cause: the describe call's answer that says it failed */
        if (listed(asl_object_get(sync, "failed", 6), state) || (done && ecs && container_failed(out)))
            return asl_fail(x, "States.TaskFailed",
                            asl_json_string(a, follow_gone ? poll : out, NULL));
        if (done) return out;
        if (tc && tc->deadline > 0 && asl_now_monotonic() >= tc->deadline)
            return asl_task_timed_out(x, tc);
        if (!asl_sleep(x, interval)) return NULL;
        if (polls == 10) interval = 5;  /* a long job is followed less often */
    }
}
