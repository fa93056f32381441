/*
 * aws.h — calling AWS services from a workflow binary: configuration and
 * credentials found as the AWS SDKs find them (aws_config.c), signed HTTP
 * requests over one reused connection per thread (aws_http.c, libcurl with
 * its own Signature V4), and the services' calls in Step Functions' shapes
 * (aws_lambda.c, ...).
 *
 * Private to the runtime.  These files are linked into a binary only when
 * it may call AWS (a Task with no mock and no binding when it was compiled):
 * task.c reaches them through weak references, so a workflow whose tasks are
 * all bound stays a static executable without libcurl (docs/tasks.md).
 *
 * Secrets never leave this module: no error text, log line or history event
 * holds a secret key or a session token.
 */
#ifndef ASL_AWS_H
#define ASL_AWS_H

#include "task.h"

/* ---- configuration (aws_config.c) ------------------------------------------ */

typedef struct {
    char *access_key;       /* NULL when no credentials were found */
    char *secret_key;
    char *session_token;    /* or NULL */
    char *region;           /* never NULL after asl_aws_config_load */
    char *profile;          /* the profile read ("default" unless AWS_PROFILE) */
    char *endpoint_url;     /* AWS_ENDPOINT_URL or the profile's endpoint_url, or NULL */
    bool ignore_endpoints;  /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS */
    const char *cred_source;/* where the credentials came from, for messages */
} asl_aws_config;

/* Reads the environment and the shared config and credentials files
 * (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/...), as the
 * SDKs do: environment first, then the profile.  Missing files are not an
 * error; a profile named by AWS_PROFILE that exists in neither file is
 * (false, with a message in err). */
bool asl_aws_config_load(asl_aws_config *c, asl_buf *err);
void asl_aws_config_free(asl_aws_config *c);

/* The endpoint URL of a service in a region, without a trailing slash:
 * AWS_ENDPOINT_URL_<SERVICE ID> (upper case, spaces as _), then the global
 * AWS_ENDPOINT_URL / endpoint_url, then https://<prefix>.<region>.<domain>.
 * service_id is the SDK's service id ("Lambda", "SFN", "DynamoDB");
 * prefix the endpoint prefix ("lambda", "states", "dynamodb").  malloc'd. */
char *asl_aws_endpoint(const asl_aws_config *c, const char *service_id, const char *prefix,
                       const char *region);

/* The process's configuration, loaded once (thread-safe); NULL with a message
 * in *why (static text or malloc'd? static: valid for the process) when it
 * could not be loaded. */
const asl_aws_config *asl_aws_config_get(const char **why);

/* aws_role.c: the configuration a Task with `Credentials` calls with: base
 * with the role's temporary credentials, from STS AssumeRole signed with
 * base's own, kept for the process until REFRESH_MARGIN before they expire.
 * *out's strings are in a (valid for the call).  role_arn NULL: *out = *base.
 * false with STS's error code and message (never a secret) in err. */
bool asl_aws_config_role(asl_arena *a, const asl_aws_config *base, const char *role_arn,
                         double timeout, asl_aws_config *out, asl_buf *err);

/* The configuration task call tc uses: base, or base under tc's role
 * (asl_aws_config_role, *buf filled).  NULL after asl_fail: States.TaskFailed
 * when the role cannot be assumed, or the task's timeout. */
const asl_aws_config *asl_aws_task_config(asl_exec *x, const asl_aws_config *base,
                                          const asl_task_call *tc, asl_aws_config *buf);

/* ---- HTTP (aws_http.c) ----------------------------------------------------- */

/* Percent-encodes s (n bytes) as RFC 3986 wants in a URI or a form: the
 * unreserved characters kept, '/' too when keep_slash (a path). */
void asl_aws_pct(asl_buf *b, const char *s, size_t n, bool keep_slash);
/* The string member k of object o, or NULL (o may be NULL or not an object). */
const char *asl_aws_str(const asl_value *o, const char *k);

typedef struct {
    const char *method;        /* "POST", "GET", ... */
    const char *url;           /* full URL, query included */
    const char *service;       /* signing name: "lambda", "states", ... */
    const char *region;        /* signing region */
    const char *const *headers;/* "Name: value" lines, NULL-terminated; may be NULL */
    const char *body;          /* may be NULL */
    size_t body_len;
    double timeout;            /* seconds; 0 = none */
} asl_aws_request;

typedef struct {
    long status;               /* HTTP status; 0 when no response came */
    asl_buf body;
    /* The response headers that the services' shapes need, or NULL. */
    char *request_id;          /* x-amzn-RequestId / x-amz-request-id */
    char *error_type;          /* x-amzn-ErrorType (up to the first ':') */
    char *function_error;      /* X-Amz-Function-Error (Lambda) */
    char *executed_version;    /* X-Amz-Executed-Version (Lambda) */
    char *date;                /* Date */
    char *content_type;
    bool timed_out;            /* the request passed its timeout */
    asl_buf headers;           /* every header, "Name: value\n" each */
    char *status_text;         /* the status line's reason phrase ("Not Found"), or NULL */
} asl_aws_response;

/* A response header's value (the first of that name, copied into a), or NULL. */
const char *asl_aws_header(asl_arena *a, const asl_aws_response *r, const char *name);

/* Sends a request signed with c's credentials over this thread's reused
 * connection.  false with a message in err when no response came (connection
 * refused, DNS, TLS, timeout: r->timed_out).  The response must be freed. */
bool asl_aws_send(const asl_aws_config *c, const asl_aws_request *rq, asl_aws_response *r,
                  asl_buf *err);
void asl_aws_response_free(asl_aws_response *r);
/* aws_sign.c: signs rq itself when libcurl would sign it wrong (a path with
 * an escape, to any service but S3): *date_hdr and *auth_hdr (malloc'd
 * header lines) to send.  false: libcurl signs it. */
bool asl_aws_sign_escaped(const asl_aws_config *c, const asl_aws_request *rq, char **date_hdr,
                          char **auth_hdr);

/* ---- services --------------------------------------------------------------- */

/* aws_lambda.c: Lambda's Invoke API. */
typedef struct {
    const char *function;        /* a name, a partial or a full ARN, maybe qualified */
    const char *qualifier;       /* the Qualifier parameter, or NULL */
    const char *invocation_type; /* RequestResponse (NULL), Event or DryRun */
    const char *log_type;        /* None (NULL) or Tail */
    const char *client_context;  /* base64 ClientContext, or NULL */
    asl_value *payload;          /* the event */
    bool whole_response;         /* lambda:invoke's response object, else the function's result */
} asl_aws_lambda_call;

/* Returns, in x's arena, the function's result or (whole_response) the
 * lambda:invoke integration's response; NULL after asl_fail with the
 * function's errorType (Cause: its error payload as Lambda sent it), a
 * Lambda.* service error, Lambda.SdkClientException when no response came,
 * or the task's timeout (tc->deadline, as the local handlers have it). */
asl_value *asl_aws_lambda_invoke(asl_exec *x, const asl_aws_lambda_call *c,
                                 const asl_task_call *tc);

/* aws_sdk.c: one call of a JSON-protocol API as the binding d describes it
 * (made by aslc from the service's model, compiler/aws_model.c), with the
 * task's effective parameters as the request.  Returns the response, or NULL
 * after asl_fail with <Service>.<ErrorCode> as Step Functions names it. */
asl_value *asl_aws_sdk_call(asl_exec *x, const asl_value *d, asl_value *params,
                            const asl_task_call *tc);

/* aws_http_task.c: arn:aws:states:::http:invoke, the HTTP Task: params
 * holds ApiEndpoint, Method, Headers, QueryParameters, RequestBody,
 * Transform and Authentication.ConnectionArn, whose authorisation comes from
 * the resources file (connections live in EventBridge). */
asl_value *asl_http_task(asl_exec *x, asl_value *params, const asl_task_call *tc);
/* arn:aws:states:::apigateway:invoke: ApiEndpoint (the API's host), Method,
 * Stage, Path, Headers and QueryParameters (objects of arrays), RequestBody,
 * AuthType (NO_AUTH; IAM_ROLE and RESOURCE_POLICY sign as execute-api),
 * answered as the HTTP Task; a status outside 2xx is ApiGateway.<status>. */
asl_value *asl_apigw_invoke(asl_exec *x, asl_value *params, const asl_task_call *tc);

/* aws_eks.c: eks:call, eks:runJob and eks:runJob.sync (d's "action"): the
 * cluster's Kubernetes API at Endpoint over HTTPS, its server checked against
 * CertificateAuthority, with the bearer token EKS takes (a presigned STS
 * GetCallerIdentity).  A status outside 2xx is EKS.<status>. */
asl_value *asl_aws_eks(asl_exec *x, const asl_value *d, asl_value *params,
                       const asl_task_call *tc);

#endif
