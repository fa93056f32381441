/*
 * aws_sdk.c — a Task that calls a JSON-protocol AWS API: an AWS SDK
 * integration (arn:aws:states:::aws-sdk:dynamodb:getItem, ...:sfn:startExecution,
 * ...:secretsmanager:getSecretValue) or an optimised integration that is one
 * such call (arn:aws:states:::dynamodb:putItem).
 *
 * What to send was decided when compiling, from the service's API model
 * (compiler/aws_model.c), and comes here as the binding's "aws" object:
 *   target        "DynamoDB_20120810.GetItem" (the X-Amz-Target header)
 *   json_version  "1.0" or "1.1" (the Content-Type)
 *   service_id, endpoint_prefix, signing_name
 *   error_prefix  "DynamoDb" for the SDK integration, "DynamoDB" for the
 *                 optimised one: Step Functions names errors PREFIX.Code
 *   strings       input members of type string: a JSON value given for one
 *                 is sent as its JSON text, as Step Functions serialises it
 * The request body is the task's effective parameters; the result is the
 * response body as the API returns it.
 */
#define _GNU_SOURCE
#include "aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *field(const asl_value *d, const char *k)
{
    const asl_value *v = asl_object_get(d, k, strlen(k));
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

static bool in_list(const asl_value *list, const char *key, size_t klen)
{
    if (!list || list->type != ASL_ARRAY) return false;
    for (uint32_t i = 0; i < list->len; i++) {
        const asl_value *s = list->u.a.items[i];
        if (s->type == ASL_STRING && s->len == klen && !memcmp(s->u.str, key, klen)) return true;
    }
    return false;
}

/* The request body: params, with a non-string value of a string member
 * turned into its JSON text. */
static asl_value *request_body(asl_arena *a, const asl_value *d, asl_value *params)
{
    const asl_value *strings = asl_object_get(d, "strings", 7);
    if (!params || params->type != ASL_OBJECT) return params;
    asl_value *out = NULL;
    for (uint32_t i = 0; i < params->len; i++) {
        const asl_member *m = &params->u.o.members[i];
        if (m->val->type == ASL_STRING || !in_list(strings, m->key, m->klen)) continue;
        if (!out) {
            out = asl_object(a, params->len);
            for (uint32_t j = 0; j < params->len; j++)
                asl_object_set(a, out, params->u.o.members[j].key, params->u.o.members[j].klen,
                               params->u.o.members[j].val);
        }
        size_t n;
        char *text = asl_json_string(a, m->val, &n);
        asl_object_set(a, out, m->key, m->klen, asl_string(a, text, n));
    }
    return out ? out : params;
}

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
    asl_json_error jerr;
    asl_value *body = r->body.len ? asl_json_parse(a, r->body.data, r->body.len, &jerr) : NULL;
    const char *code = r->error_type;
    if (!code && body && body->type == ASL_OBJECT) code = field(body, "__type");
    if (code && strrchr(code, '#')) code = strrchr(code, '#') + 1;
    if (!code || !*code) code = r->status >= 500 ? "InternalServerError" : "ServiceException";
    const char *msg = body && body->type == ASL_OBJECT ? field(body, "message") : NULL;
    if (!msg && body && body->type == ASL_OBJECT) msg = field(body, "Message");
    if (!msg) msg = "";
    const char *prefix = field(d, "error_prefix");
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

asl_value *asl_aws_sdk_call(asl_exec *x, const asl_value *d, asl_value *params,
                            const asl_task_call *tc)
{
    asl_arena *a = asl_exec_arena(x);
    const char *prefix = field(d, "error_prefix");
    const char *why = NULL;
    const asl_aws_config *cfg = asl_aws_config_get(&why);
    char *sdk_err = asl_sprintf(a, "%s.SdkClientException", prefix ? prefix : "Aws");
    if (!cfg) return asl_fail(x, sdk_err, why);
    if (!cfg->access_key)
        return asl_fail(x, sdk_err,
                        "Unable to load AWS credentials from any provider in the chain "
                        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
                        "~/.aws/credentials)");
    char *base = asl_aws_endpoint(cfg, field(d, "service_id"), field(d, "endpoint_prefix"),
                                  cfg->region);
    char *url = asl_sprintf(a, "%s/", base);
    free(base);
    const char *jv = field(d, "json_version");
    const char *headers[] = {
        asl_sprintf(a, "Content-Type: application/x-amz-json-%s", jv ? jv : "1.0"),
        asl_sprintf(a, "X-Amz-Target: %s", field(d, "target")),
        NULL,
    };
    asl_value *body = request_body(a, d, params ? params : asl_object(a, 0));
    size_t blen;
    char *btext = asl_json_string(a, body, &blen);
    double timeout = 0;
    if (tc && tc->deadline > 0) {
        timeout = tc->deadline - asl_now_monotonic();
        if (timeout <= 0) return asl_task_timed_out(x, tc);
    }
    asl_aws_request rq = {"POST", url, field(d, "signing_name"), cfg->region, headers,
                          btext, blen, timeout};
    asl_aws_response r;
    asl_buf err;
    asl_buf_init(&err);
    asl_blocking_begin(x);
    bool sent = asl_aws_send(cfg, &rq, &r, &err);
    asl_blocking_end(x);
    asl_value *out;
    if (!sent) {
        if (r.timed_out && tc && tc->deadline > 0) out = asl_task_timed_out(x, tc);
        else out = asl_fail(x, sdk_err, asl_strndup(a, err.data ? err.data : "", err.len));
    } else if (r.status >= 300) {
        out = api_error(x, d, &r);
    } else {
        asl_json_error jerr;
        out = r.body.len ? asl_json_parse(a, r.body.data, r.body.len, &jerr) : asl_object(a, 0);
        if (!out)
            out = asl_failf(x, sdk_err, "Unable to parse the response of %s as JSON",
                            field(d, "target"));
    }
    asl_buf_free(&err);
    asl_aws_response_free(&r);
    return out;
}
