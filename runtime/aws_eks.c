/*
 * aws_eks.c — eks:call, eks:runJob and eks:runJob.sync: a cluster's
 * Kubernetes API, called as Step Functions calls it (AWS's connect-eks
 * page).  Not an AWS API: the request goes to the cluster's Endpoint over
 * HTTPS, the server checked against the cluster's CertificateAuthority
 * alone (base64 of its PEM, libcurl's CURLOPT_CAINFO_BLOB), and is
 * authorised by the bearer token EKS takes from IAM principals, as
 * aws-iam-authenticator and `aws eks get-token` make it:
 *   "k8s-aws-v1." + base64url (no padding) of a presigned URL of STS
 *   GetCallerIdentity (X-Amz-Expires=60, x-k8s-aws-id: CLUSTER signed),
 * which the cluster calls to learn who is asking.
 *
 *   eks:call      Method, Path, QueryParameters (name -> [values]),
 *                 RequestBody (JSON, or a string sent as it is); the result
 *                 {ResponseBody, StatusCode, StatusText}; a status outside
 *                 2xx is EKS.<status> with that object as the Cause.
 *   eks:runJob    POSTs Job (a batch/v1 Job, JSON or its text) to
 *                 /apis/batch/v1/namespaces/<Namespace|default>/jobs; the
 *                 result is the Job the API answers.
 *   .sync         then reads the Job until a condition Complete or Failed
 *                 is True; the result is the last Job read, with
 *                 "logs": {"pods": {POD: {"containers": {C: {"log": ...}}}}}
 *                 when LogOptions.RetrieveLogs (each log parsed as JSON
 *                 unless RawLogs, read with LogOptions.LogParameters; a log
 *                 that cannot be read has "error" and "cause" instead).  A
 *                 failed Job is States.TaskFailed, the Cause that result.
 *
 * The query-string signature is written here, its two SigV4 steps (the
 * signing key, the signature) those of sigv4.c, the same for a header's
 * signature and a query's.
 */
#define _GNU_SOURCE
#include "aws.h"
#include "sigv4.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the bearer token ------------------------------------------------------------ */

/* The token for cluster, signed with c's credentials; in a.  STS's host is
 * the one its endpoint has (AWS_ENDPOINT_URL_STS overrides it, as for
 * every service). */
static char *bearer_token(asl_arena *a, const asl_aws_config *c, const char *cluster)
{
    char *base = asl_aws_endpoint(c, "STS", "sts", c->region);
    const char *h = strstr(base, "://");
    h = h ? h + 3 : base;
    char *host = asl_strndup(a, h, strcspn(h, "/"));
    char *scheme = asl_strndup(a, base, h > base ? (size_t)(h - base) : 0);
    free(base);

    char amz[17], day[9];
    asl_sigv4_now(amz, day);
    char *scope = asl_sprintf(a, "%s/%s/sts/aws4_request", day, c->region);

    /* the query, its names already in sorted order */
    asl_buf q;
    asl_buf_init(&q);
    asl_buf_puts(&q, "Action=GetCallerIdentity&Version=2011-06-15"
                     "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
    char *cred = asl_sprintf(a, "%s/%s", c->access_key, scope);
    asl_aws_pct(&q, cred, strlen(cred), false);
    asl_buf_printf(&q, "&X-Amz-Date=%s&X-Amz-Expires=60", amz);
    if (c->session_token) {
        asl_buf_puts(&q, "&X-Amz-Security-Token=");
        asl_aws_pct(&q, c->session_token, strlen(c->session_token), false);
    }
    asl_buf_puts(&q, "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id");

    /* the canonical request: the payload is an empty body's (botocore's
     * presigned STS URLs, and the Go SDK's, sign it so) */
    asl_buf cr;
    asl_buf_init(&cr);
    asl_buf_puts(&cr, "GET\n/\n");
    asl_buf_put(&cr, q.data, q.len);
    asl_buf_printf(&cr, "\nhost:%s\nx-k8s-aws-id:%s\n\nhost;x-k8s-aws-id\n"
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", host,
                   cluster);
    unsigned char key[32];
    asl_sigv4_signing_key(key, c->secret_key, day, c->region, "sts");
    char sig_hex[65];
    asl_sigv4_signature(sig_hex, key, amz, scope, cr.data, cr.len);
    asl_buf_free(&cr);
    char *url = asl_sprintf(a, "%s%s/?%.*s&X-Amz-Signature=%s", scheme, host, (int)q.len, q.data,
                            sig_hex);
    asl_buf_free(&q);

    /* base64url without padding */
    size_t n = strlen(url);
    unsigned char *b64 = asl_alloc(a, 4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock(b64, (const unsigned char *)url, (int)n);
    while (len > 0 && b64[len - 1] == '=') len--;
    b64[len] = '\0';
    for (int i = 0; i < len; i++) b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    return asl_sprintf(a, "k8s-aws-v1.%s", (char *)b64);
}

/* ---- one request to the Kubernetes API ------------------------------------------- */

typedef struct {
    asl_exec *x;
    const asl_task_call *tc;
    const char *endpoint;     /* https://host[:port], no trailing slash */
    const char *auth;         /* "Authorization: Bearer ..." */
    char *ca;                 /* the PEM (in the arena) */
    size_t ca_len;
    CURL *h;                  /* one handle for the task: its connection is reused */
} k8s;

typedef struct {
    long status;
    char *status_text;        /* in the arena */
    asl_buf body;
    bool timed_out;
} k8s_answer;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    asl_buf_put(ud, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    k8s_answer *r = ud;
    size_t len = size * n;
    if (len > 5 && !strncmp(p, "HTTP/", 5)) {   /* the status line: its reason phrase */
        const char *sp = memchr(p, ' ', len);
        sp = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - p)) : NULL;
        free(r->status_text);
        r->status_text = NULL;
        if (sp) {
            size_t k = len - (size_t)(sp + 1 - p);
            while (k && (sp[k] == '\r' || sp[k] == '\n')) k--;
            r->status_text = strndup(sp + 1, k);
        }
    }
    return len;
}

/* Sends method path?query (the query escaped already, or NULL) with body
 * (NULL: none).  false with curl's message in err when no answer came. */
static bool k8s_send(k8s *k, const char *method, const char *path, const char *query,
                     const char *body, const char *ctype, k8s_answer *r, asl_buf *err)
{
    memset(r, 0, sizeof *r);
    asl_buf_init(&r->body);
    CURL *h = k->h;
    curl_easy_reset(h);   /* options only: the connection stays */
    asl_arena *a = asl_exec_arena(k->x);
    char *url = asl_sprintf(a, "%s%s%s%s", k->endpoint, path, query && *query ? "?" : "",
                            query ? query : "");
    struct curl_slist *hdrs = curl_slist_append(NULL, k->auth);
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    if (body) hdrs = curl_slist_append(hdrs, asl_sprintf(a, "Content-Type: %s", ctype));
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD")) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    struct curl_blob ca = {k->ca, k->ca_len, CURL_BLOB_COPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    double timeout = 60;   /* as the HTTP Task, or what TimeoutSeconds leaves */
    if (k->tc && k->tc->deadline > 0) {
        double left = k->tc->deadline - asl_now_monotonic();
        if (left < timeout) timeout = left > 0.001 ? left : 0.001;
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000) + 1);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    asl_blocking_begin(k->x);
    CURLcode rc = curl_easy_perform(h);
    asl_blocking_end(k->x);
    curl_slist_free_all(hdrs);
    bool ok = rc == CURLE_OK;
    if (ok) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    } else {
        r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        asl_buf_puts(err, "Unable to execute HTTP request: ");
        asl_buf_puts(err, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    char *st = r->status_text;   /* into the arena: the answer holds nothing malloc'd but body */
    r->status_text = (char *)asl_cstring(a, st ? st : "")->u.str;
    free(st);
    return ok;
}

/* The body as JSON when it is, else as its text. */
static asl_value *body_value(asl_arena *a, const asl_buf *b)
{
    asl_json_error je;
    asl_value *v = b->len ? asl_json_parse(a, b->data, b->len, &je) : NULL;
    return v ? v : asl_string(a, b->data ? b->data : "", b->len);
}

/* A call and its answer as eks:call gives it ({ResponseBody, StatusCode,
 * StatusText}); NULL after asl_fail: no answer (EKS.SdkClientException, or
 * the task's timeout), a status outside 2xx (EKS.<status>). */
static asl_value *k8s_call(k8s *k, const char *method, const char *path, const char *query,
                           const char *body, const char *ctype)
{
    asl_arena *a = asl_exec_arena(k->x);
    k8s_answer r;
    asl_buf err;
    asl_buf_init(&err);
    asl_value *out = NULL;
    if (!k8s_send(k, method, path, query, body, ctype, &r, &err)) {
        if (r.timed_out && k->tc && k->tc->deadline > 0) asl_task_timed_out(k->x, k->tc);
        else asl_fail(k->x, "EKS.SdkClientException",
                      asl_strndup(a, err.data ? err.data : "", err.len));
    } else {
        out = asl_object(a, 3);
        asl_object_set(a, out, "ResponseBody", 12, body_value(a, &r.body));
        asl_object_set(a, out, "StatusCode", 10, asl_number(a, (double)r.status));
        asl_object_set(a, out, "StatusText", 10, asl_cstring(a, r.status_text));
        if (r.status / 100 != 2) {
            asl_fail(k->x, asl_sprintf(a, "EKS.%ld", r.status), asl_json_string(a, out, NULL));
            out = NULL;
        }
    }
    asl_buf_free(&r.body);
    asl_buf_free(&err);
    return out;
}

/* ---- the integrations ------------------------------------------------------------ */

static const asl_value *member(const asl_value *o, const char *k)
{
    return o && o->type == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
}

static bool is_true(const asl_value *v)
{
    return v && v->type == ASL_TRUE;
}

/* name=value&... of an object of arrays of strings (QueryParameters,
 * LogParameters), escaped; a single string is taken as a one-item list. */
static void put_query(asl_arena *a, asl_buf *q, const asl_value *o)
{
    for (uint32_t i = 0; o && o->type == ASL_OBJECT && i < o->len; i++) {
        const asl_value *vs = o->u.o.members[i].val;
        uint32_t n = vs->type == ASL_ARRAY ? vs->len : 1;
        for (uint32_t j = 0; j < n; j++) {
            const asl_value *v = vs->type == ASL_ARRAY ? vs->u.a.items[j] : vs;
            size_t vl;
            const char *text = v->type == ASL_STRING ? v->u.str : asl_json_string(a, v, &vl);
            if (q->len) asl_buf_putc(q, '&');
            asl_aws_pct(q, o->u.o.members[i].key, o->u.o.members[i].klen, false);
            asl_buf_putc(q, '=');
            asl_aws_pct(q, text, strlen(text), false);
        }
    }
}

/* The query q holds, as text in the arena ("" when empty); q is freed. */
static char *query_text(asl_arena *a, asl_buf *q)
{
    char *s = asl_strndup(a, q->data ? q->data : "", q->len);
    asl_buf_free(q);
    return s;
}

/* A Job's end: 1 complete, -1 failed, 0 still running. */
static int job_end(const asl_value *job)
{
    const asl_value *conds = member(member(job, "status"), "conditions");
    for (uint32_t i = 0; conds && conds->type == ASL_ARRAY && i < conds->len; i++) {
        const char *type = asl_aws_str(conds->u.a.items[i], "type");
        const char *status = asl_aws_str(conds->u.a.items[i], "status");
        if (!type || !status || strcmp(status, "True") != 0) continue;
        if (!strcmp(type, "Complete")) return 1;
        if (!strcmp(type, "Failed")) return -1;
    }
    return 0;
}

/* {"pods": {POD: {"containers": {C: {"log": ...}}}}} of the Job's pods
 * (label job-name=NAME), best effort as AWS says: a log that cannot be read
 * has "error" and "cause". */
static asl_value *job_logs(k8s *k, const char *ns, const char *name, const asl_value *opts)
{
    asl_exec *x = k->x;
    asl_arena *a = asl_exec_arena(x);
    asl_value *pods_out = asl_object(a, 4);
    asl_value *logs = asl_object(a, 1);
    asl_object_set(a, logs, "pods", 4, pods_out);
    asl_buf q;
    asl_buf_init(&q);
    asl_buf_puts(&q, "labelSelector=");
    char *sel = asl_sprintf(a, "job-name=%s", name);
    asl_aws_pct(&q, sel, strlen(sel), false);
    char *path = asl_sprintf(a, "/api/v1/namespaces/%s/pods", ns);
    k8s_answer r;
    asl_buf err;
    asl_buf_init(&err);
    bool sent = k8s_send(k, "GET", path, query_text(a, &q), NULL, NULL, &r, &err);
    asl_value *list = sent && r.status / 100 == 2 ? body_value(a, &r.body) : NULL;
    asl_buf_free(&r.body);
    asl_buf_free(&err);
    const asl_value *items = member(list, "items");
    bool raw = is_true(member(opts, "RawLogs"));
    for (uint32_t i = 0; items && items->type == ASL_ARRAY && i < items->len; i++) {
        const char *pod = asl_aws_str(member(items->u.a.items[i], "metadata"), "name");
        const asl_value *cs = member(member(items->u.a.items[i], "spec"), "containers");
        if (!pod) continue;
        asl_value *containers = asl_object(a, 2);
        asl_value *entry = asl_object(a, 1);
        asl_object_set(a, entry, "containers", 10, containers);
        asl_object_set(a, pods_out, pod, strlen(pod), entry);
        for (uint32_t j = 0; cs && cs->type == ASL_ARRAY && j < cs->len; j++) {
            const char *c = asl_aws_str(cs->u.a.items[j], "name");
            if (!c) continue;
            asl_buf_init(&q);
            put_query(a, &q, member(opts, "LogParameters"));
            if (q.len) asl_buf_putc(&q, '&');
            asl_buf_puts(&q, "container=");
            asl_aws_pct(&q, c, strlen(c), false);
            char *lp = asl_sprintf(a, "/api/v1/namespaces/%s/pods/%s/log", ns, pod);
            asl_buf_init(&err);
            asl_value *one = asl_object(a, 2);
            if (!k8s_send(k, "GET", lp, query_text(a, &q), NULL, NULL, &r, &err)) {
                asl_object_set(a, one, "error", 5, asl_cstring(a, "EKS.SdkClientException"));
                asl_object_set(a, one, "cause", 5,
                               asl_string(a, err.data ? err.data : "", err.len));
            } else if (r.status / 100 != 2) {
                asl_object_set(a, one, "error", 5,
                               asl_cstring(a, asl_sprintf(a, "EKS.%ld", r.status)));
                asl_object_set(a, one, "cause", 5,
                               asl_string(a, r.body.data ? r.body.data : "", r.body.len));
            } else {
                asl_object_set(a, one, "log", 3,
                               raw ? asl_string(a, r.body.data ? r.body.data : "", r.body.len)
                                   : body_value(a, &r.body));
            }
            asl_buf_free(&r.body);
            asl_buf_free(&err);
            asl_object_set(a, containers, c, strlen(c), one);
        }
    }
    return logs;
}

/* A copy of job with "logs" added. */
static asl_value *with_logs(asl_arena *a, const asl_value *job, asl_value *logs)
{
    asl_value *out = asl_object(a, job && job->type == ASL_OBJECT ? job->len + 1 : 1);
    for (uint32_t i = 0; job && job->type == ASL_OBJECT && i < job->len; i++)
        asl_object_set(a, out, job->u.o.members[i].key, job->u.o.members[i].klen,
                       job->u.o.members[i].val);
    asl_object_set(a, out, "logs", 4, logs);
    return out;
}

static asl_value *run_job(k8s *k, const asl_value *params, bool sync)
{
    asl_exec *x = k->x;
    asl_arena *a = asl_exec_arena(x);
    const asl_value *job = member(params, "Job");
    const char *ns = asl_aws_str(params, "Namespace");
    if (!ns) ns = "default";
    asl_json_error je;
    if (job && job->type == ASL_STRING) job = asl_json_parse(a, job->u.str, job->len, &je);
    if (!job || job->type != ASL_OBJECT)
        return asl_fail(x, "States.Runtime", "eks:runJob needs the parameter Job: a Kubernetes "
                                             "Job, as JSON or as its text");
    char *jobs = asl_sprintf(a, "/apis/batch/v1/namespaces/%s/jobs", ns);
    asl_value *made = k8s_call(k, "POST", jobs, NULL, asl_json_string(a, job, NULL),
                               "application/json");
    if (!made) return NULL;
    const asl_value *created = member(made, "ResponseBody");
    if (!sync) return (asl_value *)created;
    /* the name the API gave it (metadata.generateName makes one) */
    const char *name = asl_aws_str(member(created, "metadata"), "name");
    if (!name) return asl_fail(x, "States.TaskFailed", "The Kubernetes API answered the Job "
                                                       "without metadata.name");
    char *path = asl_sprintf(a, "%s/%s", jobs, name);
    double interval = 1;   /* seconds, scaled by --time-scale as every wait is */
    for (int polls = 1;; polls++) {
        asl_value *read = k8s_call(k, "GET", path, NULL, NULL, NULL);
        if (!read) return NULL;
        const asl_value *now = member(read, "ResponseBody");
        int end = job_end(now);
        if (end) {
            asl_value *out = (asl_value *)now;
            if (is_true(member(member(params, "LogOptions"), "RetrieveLogs")))
                out = with_logs(a, now, job_logs(k, ns, name, member(params, "LogOptions")));
            if (end < 0) return asl_fail(x, "States.TaskFailed", asl_json_string(a, out, NULL));
            return out;
        }
        if (k->tc && k->tc->deadline > 0 && asl_now_monotonic() >= k->tc->deadline)
            return asl_task_timed_out(x, k->tc);
        if (!asl_sleep(x, interval)) return NULL;
        if (polls == 10) interval = 5;   /* a long job is read less often */
    }
}

asl_value *asl_aws_eks(asl_exec *x, const asl_value *d, asl_value *params,
                       const asl_task_call *tc)
{
    asl_arena *a = asl_exec_arena(x);
    const char *action = asl_aws_str(d, "action");
    const char *cluster = asl_aws_str(params, "ClusterName");
    const char *ca64 = asl_aws_str(params, "CertificateAuthority");
    const char *endpoint = asl_aws_str(params, "Endpoint");
    if (!cluster || !ca64 || !endpoint)
        return asl_fail(x, "States.Runtime", "eks:* needs the string parameters ClusterName, "
                                             "CertificateAuthority and Endpoint");
    const char *why = NULL;
    const asl_aws_config *cfg = asl_aws_config_get(&why);
    if (!cfg) return asl_fail(x, "EKS.SdkClientException", why);
    if (!cfg->access_key)
        return asl_fail(x, "EKS.SdkClientException",
                        "Unable to load AWS credentials from any provider in the chain "
                        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
                        "~/.aws/credentials)");
    asl_aws_config role_cfg;   /* the task's Credentials: its role's keys */
    if (!(cfg = asl_aws_task_config(x, cfg, tc, &role_cfg))) return NULL;

    k8s k = {x, tc, NULL, NULL, NULL, 0, NULL};
    /* CertificateAuthority: base64 of the PEM (DescribeCluster's data) */
    size_t n = strlen(ca64);
    k.ca = asl_alloc(a, 3 * (n / 4) + 4);
    int len = n % 4 == 0 ? EVP_DecodeBlock((unsigned char *)k.ca, (const unsigned char *)ca64,
                                           (int)n) : -1;
    if (len < 0)
        return asl_fail(x, "EKS.SdkClientException",
                        "CertificateAuthority is not base64 (the cluster's "
                        "certificateAuthority.data)");
    while (len > 0 && n >= 1 && ca64[n - 1] == '=') len--, n--;   /* DecodeBlock counts padding */
    k.ca_len = (size_t)len;
    size_t el = strlen(endpoint);
    while (el && endpoint[el - 1] == '/') el--;
    k.endpoint = strncmp(endpoint, "https://", 8) && strncmp(endpoint, "http://", 7)
                     ? asl_sprintf(a, "https://%.*s", (int)el, endpoint)
                     : asl_strndup(a, endpoint, el);
    k.auth = asl_sprintf(a, "Authorization: Bearer %s", bearer_token(a, cfg, cluster));

    if (!strcmp(action, "call") && (!asl_aws_str(params, "Method") || !asl_aws_str(params, "Path")))
        return asl_fail(x, "States.Runtime", "eks:call needs the string parameters Method and "
                                             "Path");
    if (!(k.h = curl_easy_init()))
        return asl_fail(x, "EKS.SdkClientException",
                        "cannot start an HTTP client (curl_easy_init failed)");
    asl_value *out;
    if (!strcmp(action, "call")) {
        const char *method = asl_aws_str(params, "Method"), *path = asl_aws_str(params, "Path");
        asl_buf q;
        asl_buf_init(&q);
        put_query(a, &q, member(params, "QueryParameters"));
        const asl_value *rb = member(params, "RequestBody");
        const char *body = !rb ? NULL : rb->type == ASL_STRING ? rb->u.str
                                                               : asl_json_string(a, rb, NULL);
        /* a PATCH is a JSON merge patch: the API takes no plain JSON there */
        const char *ctype = !strcmp(method, "PATCH") ? "application/merge-patch+json"
                                                     : "application/json";
        out = k8s_call(&k, method, path, query_text(a, &q), body, ctype);
    } else {
        out = run_job(&k, params, !strcmp(action, "runJob.sync"));
    }
    curl_easy_cleanup(k.h);
    return out;
}
