/*
 * aws_lambda.c — a Task that calls AWS Lambda: a bare function ARN as its
 * Resource, or arn:aws:states:::lambda:invoke naming the function in its
 * parameters.  One Invoke request (POST /2015-03-31/functions/NAME/invocations)
 * and the result in the shape Step Functions gives it:
 *
 *   success          the function's result (bare ARN), or the integration's
 *                    response {ExecutedVersion, Payload, SdkHttpMetadata, ...};
 *   function error   (X-Amz-Function-Error) Error = the payload's errorType,
 *                    Cause = the payload as the function's runtime wrote it;
 *   service error    Lambda.<ErrorCode> for the errors of Lambda's API model,
 *                    Lambda.AWSLambdaException for any other, with the Java
 *                    SDK's "(Service: AWSLambda; Status Code: ...)" Cause that
 *                    Step Functions shows;
 *   no response      Lambda.SdkClientException.
 */
#define _GNU_SOURCE
#include "aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The errors Lambda's Invoke declares: Step Functions names them
 * Lambda.<code>; any other code becomes Lambda.AWSLambdaException. */
static const char *const modeled_errors[] = {
    "EC2AccessDeniedException", "EC2ThrottledException", "EC2UnexpectedException",
    "EFSIOException", "EFSMountConnectivityException", "EFSMountFailureException",
    "EFSMountTimeoutException", "ENILimitReachedException", "InvalidParameterValueException",
    "InvalidRequestContentException", "InvalidRuntimeException", "InvalidSecurityGroupIDException",
    "InvalidSubnetIDException", "InvalidZipFileException", "KMSAccessDeniedException",
    "KMSDisabledException", "KMSInvalidStateException", "KMSNotFoundException",
    "RecursiveInvocationException", "RequestTooLargeException", "ResourceConflictException",
    "ResourceNotFoundException", "ResourceNotReadyException", "ServiceException",
    "SnapStartException", "SnapStartNotReadyException", "SnapStartTimeoutException",
    "SubnetIPAddressLimitReachedException", "TooManyRequestsException",
    "UnsupportedMediaTypeException",
};

static bool is_modeled(const char *code)
{
    for (size_t i = 0; i < sizeof modeled_errors / sizeof *modeled_errors; i++)
        if (!strcmp(code, modeled_errors[i])) return true;
    return false;
}

/* Name, qualifier and region of a function reference: NAME[:QUAL],
 * ACCOUNT:function:NAME[:QUAL] or arn:PARTITION:lambda:REGION:ACCOUNT:
 * function:NAME[:QUAL].  Pieces are copied into a. */
typedef struct {
    char *name, *qual, *region;
} fn_ref;

static bool split_ref(asl_arena *a, const char *s, fn_ref *r)
{
    const char *part[9];
    size_t len[9];
    int n = 0;
    for (const char *p = s;; n++) {
        if (n == 9) return false;
        const char *c = strchr(p, ':');
        part[n] = p;
        len[n] = c ? (size_t)(c - p) : strlen(p);
        if (!c) { n++; break; }
        p = c + 1;
    }
    int at;
    memset(r, 0, sizeof *r);
    if (n >= 7 && n <= 8 && len[0] == 3 && !memcmp(part[0], "arn", 3)) {
        at = 6;
        if (len[3]) r->region = asl_strndup(a, part[3], len[3]);
    } else if (n >= 3 && n <= 4 && len[1] == 8 && !memcmp(part[1], "function", 8)) {
        at = 2;
    } else if (n <= 2) {
        at = 0;
    } else {
        return false;
    }
    if (!len[at]) return false;
    for (size_t i = 0; i < len[at]; i++) {
        char ch = part[at][i];
        if (!(ch == '-' || ch == '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
              (ch >= 'A' && ch <= 'Z')))
            return false;
    }
    r->name = asl_strndup(a, part[at], len[at]);
    if (at + 1 < n) r->qual = asl_strndup(a, part[at + 1], len[at + 1]);
    return true;
}

/* A string field of a JSON error body, or NULL. */
static const char *body_field(const asl_value *body, const char *k1, const char *k2)
{
    const char *v = asl_aws_str(body, k1);
    return v || !k2 ? v : asl_aws_str(body, k2);
}

static asl_value *service_error(asl_exec *x, const asl_aws_response *r)
{
    asl_arena *a = asl_exec_arena(x);
    asl_json_error jerr;
    asl_value *body = r->body.len ? asl_json_parse(a, r->body.data, r->body.len, &jerr) : NULL;
    const char *code = r->error_type;
    if (!code) code = body_field(body, "__type", "Type");
    if (code && strrchr(code, '#')) code = strrchr(code, '#') + 1;
    if (!code || !*code) code = r->status >= 500 ? "ServiceException" : "AWSLambdaException";
    const char *msg = body_field(body, "message", "Message");
    if (!msg) msg = body_field(body, "errorMessage", NULL);
    if (!msg) msg = "";
    char error[160];
    snprintf(error, sizeof error, "Lambda.%s", is_modeled(code) ? code : "AWSLambdaException");
    return asl_failf(x, error,
                     "%s (Service: AWSLambda; Status Code: %ld; Error Code: %s; Request ID: %s; "
                     "Proxy: null)",
                     msg, r->status, code, r->request_id ? r->request_id : "null");
}

static asl_value *function_error(asl_exec *x, const asl_aws_response *r)
{
    asl_arena *a = asl_exec_arena(x);
    asl_json_error jerr;
    asl_value *body = r->body.len ? asl_json_parse(a, r->body.data, r->body.len, &jerr) : NULL;
    const char *type = body_field(body, "errorType", NULL);
    char *cause = asl_strndup(a, r->body.data ? r->body.data : "", r->body.len);
    return asl_fail(x, type && *type ? type : "Lambda.Unknown", cause);
}

asl_value *asl_aws_lambda_invoke(asl_exec *x, const asl_aws_lambda_call *c,
                                 const asl_task_call *tc)
{
    asl_arena *a = asl_exec_arena(x);
    const char *why = NULL;
    const asl_aws_config *cfg = asl_aws_config_get(&why);
    if (!cfg) return asl_fail(x, "Lambda.SdkClientException", why);
    if (!cfg->access_key)
        return asl_fail(x, "Lambda.SdkClientException",
                        "Unable to load AWS credentials from any provider in the chain "
                        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
                        "~/.aws/credentials)");
    asl_aws_config role_cfg;   /* the task's Credentials: its role's keys */
    if (!(cfg = asl_aws_task_config(x, cfg, tc, &role_cfg))) return NULL;
    fn_ref ref;
    if (!split_ref(a, c->function, &ref))
        return asl_failf(x, "Lambda.AWSLambdaException",
                         "1 validation error detected: Value '%s' at 'functionName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?"
                         "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))? "
                         "(Service: AWSLambda; Status Code: 400; Error Code: ValidationException; "
                         "Request ID: null; Proxy: null)",
                         c->function);
    const char *qual = c->qualifier ? c->qualifier : ref.qual;
    const char *region = ref.region ? ref.region : cfg->region;

    char *base = asl_aws_endpoint(cfg, "Lambda", "lambda", region);
    asl_buf url;
    asl_buf_init(&url);
    asl_buf_puts(&url, base);
    free(base);
    asl_buf_puts(&url, "/2015-03-31/functions/");
    asl_buf_puts(&url, ref.name);
    asl_buf_puts(&url, "/invocations");
    if (qual) {
        asl_buf_puts(&url, "?Qualifier=");
        asl_aws_pct(&url, qual, strlen(qual), false);
    }
    asl_buf_putc(&url, '\0');

    char *h_type = asl_sprintf(a, "X-Amz-Invocation-Type: %s",
                               c->invocation_type ? c->invocation_type : "RequestResponse");
    char *h_log = c->log_type ? asl_sprintf(a, "X-Amz-Log-Type: %s", c->log_type) : NULL;
    char *h_ctx = c->client_context ? asl_sprintf(a, "X-Amz-Client-Context: %s", c->client_context)
                                    : NULL;
    const char *headers[5] = {"Content-Type: application/json", h_type, NULL, NULL, NULL};
    int nh = 2;
    if (h_log) headers[nh++] = h_log;
    if (h_ctx) headers[nh++] = h_ctx;

    size_t plen;
    char *payload = asl_json_string(a, c->payload, &plen);
    double timeout = 0;
    if (tc && tc->deadline > 0) {
        timeout = tc->deadline - asl_now_monotonic();
        if (timeout <= 0) {
            asl_buf_free(&url);
            return asl_task_timed_out(x, tc);
        }
    }
    asl_aws_request rq = {"POST", url.data, "lambda", region, headers, payload, plen, timeout};
    asl_aws_response r;
    asl_buf err;
    asl_buf_init(&err);
    asl_blocking_begin(x);
    bool sent = asl_aws_send(cfg, &rq, &r, &err);
    asl_blocking_end(x);
    asl_buf_free(&url);
    asl_value *out;
    if (!sent) {
        if (r.timed_out && tc && tc->deadline > 0) out = asl_task_timed_out(x, tc);
        else out = asl_fail(x, "Lambda.SdkClientException",
                            asl_strndup(a, err.data ? err.data : "", err.len));
    } else if (r.status >= 300) {
        out = service_error(x, &r);
    } else if (r.function_error) {
        out = function_error(x, &r);
    } else {
        asl_json_error jerr;
        asl_value *result = r.body.len ? asl_json_parse(a, r.body.data, r.body.len, &jerr)
                                       : asl_null();
        if (!result) result = asl_string(a, r.body.data, r.body.len);
        if (!c->whole_response) {
            out = result;
        } else {
            const char *version = r.executed_version ? r.executed_version : "$LATEST";
            out = asl_task_lambda_response(x, result, asl_strndup(a, version, strlen(version)),
                                           r.request_id ? asl_strndup(a, r.request_id,
                                                                      strlen(r.request_id))
                                                        : "");
        }
    }
    asl_buf_free(&err);
    asl_aws_response_free(&r);
    return out;
}
