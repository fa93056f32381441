/*
 * aws_http_task.c — the HTTP Task (arn:aws:states:::http:invoke): one HTTPS
 * request built from the task's parameters, answered as Step Functions
 * answers it:
 *
 *   {"Headers": {"content-type": ["application/json"], ...},
 *    "ResponseBody": the body (parsed when it is JSON), "StatusCode": 200,
 *    "StatusText": "OK"}
 *
 * A status outside 2xx fails the task with States.Http.StatusCode.<code> and
 * the response body as the Cause; no answer at all is States.Http.Socket.
 *
 * On AWS the authorisation comes from an EventBridge connection named by
 * Authentication.ConnectionArn.  Connections live in AWS, so a resources
 * file binds the ARN to the connection's parameters, in the shape of
 * EventBridge's CreateConnection AuthParameters:
 *
 *   "arn:aws:events:...:connection/Stripe/...": {"connection": {
 *       "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "..."}
 *     | "BasicAuthParameters": {"Username": "...", "Password": "..."}
 *     | "OAuthParameters": {"AuthorizationEndpoint": "...", "HttpMethod": "POST",
 *          "ClientParameters": {"ClientID": "...", "ClientSecret": "..."}},
 *     "InvocationHttpParameters": {"HeaderParameters": [{"Key": "...", "Value": "..."}],
 *          "QueryStringParameters": [...], "BodyParameters": [...]}}}
 */
#define _GNU_SOURCE
#include "aws.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const asl_value *obj(const asl_value *o, const char *k)
{
    const asl_value *v = o && o->type == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
    return v && v->type == ASL_OBJECT ? v : NULL;
}

static const char *text_of(asl_arena *a, const asl_value *v, size_t *n)
{
    if (v->type == ASL_STRING) {
        *n = v->len;
        return v->u.str;
    }
    return asl_json_string(a, v, n);
}

static void put_pair(asl_buf *b, const char *k, size_t kn, const char *v, size_t vn)
{
    if (b->len) asl_buf_putc(b, '&');
    asl_aws_pct(b, k, kn, false);
    asl_buf_putc(b, '=');
    asl_aws_pct(b, v, vn, false);
}

/* key=value pairs of a form or query: nested objects as key[sub], arrays as
 * the Transform's ArrayFormat says (INDICES key[0]=a, BRACKETS key[]=a,
 * REPEAT key=a&key=b, COMMAS key=a,b). */
static void form_value(asl_arena *a, asl_buf *b, const char *key, const asl_value *v,
                       const char *format)
{
    if (v->type == ASL_OBJECT) {
        for (uint32_t i = 0; i < v->len; i++)
            form_value(a, b, asl_sprintf(a, "%s[%s]", key, v->u.o.members[i].key),
                       v->u.o.members[i].val, format);
    } else if (v->type == ASL_ARRAY) {
        if (!strcmp(format, "COMMAS")) {
            asl_buf joined;
            asl_buf_init(&joined);
            for (uint32_t i = 0; i < v->len; i++) {
                size_t n;
                const char *t = text_of(a, v->u.a.items[i], &n);
                if (i) asl_buf_putc(&joined, ',');
                asl_buf_put(&joined, t, n);
            }
            put_pair(b, key, strlen(key), joined.data ? joined.data : "", joined.len);
            asl_buf_free(&joined);
            return;
        }
        for (uint32_t i = 0; i < v->len; i++) {
            const char *k = !strcmp(format, "BRACKETS") ? asl_sprintf(a, "%s[]", key)
                          : !strcmp(format, "REPEAT")   ? key
                                                        : asl_sprintf(a, "%s[%u]", key, i);
            form_value(a, b, k, v->u.a.items[i], format);
        }
    } else {
        size_t n;
        const char *t = text_of(a, v, &n);
        put_pair(b, key, strlen(key), t, n);
    }
}

static void form_object(asl_arena *a, asl_buf *b, const asl_value *v, const char *format)
{
    for (uint32_t i = 0; v && v->type == ASL_OBJECT && i < v->len; i++)
        form_value(a, b, v->u.o.members[i].key, v->u.o.members[i].val, format);
}

/* {Key, Value} pairs of a connection's InvocationHttpParameters. */
static void kv_list(asl_arena *a, const asl_value *list, asl_buf *query, const char ***headers,
                    size_t *nh, asl_value *body)
{
    for (uint32_t i = 0; list && list->type == ASL_ARRAY && i < list->len; i++) {
        const char *k = asl_aws_str(list->u.a.items[i], "Key"), *v = asl_aws_str(list->u.a.items[i], "Value");
        if (!k || !v) continue;
        if (query) put_pair(query, k, strlen(k), v, strlen(v));
        if (headers && *nh < 30) (*headers)[(*nh)++] = asl_sprintf(a, "%s: %s", k, v);
        if (body && body->type == ASL_OBJECT) asl_object_set(a, body, k, strlen(k), asl_cstring(a, v));
    }
}

/* The connection bound to arn in the resources file, or NULL. */
static const asl_value *connection(asl_exec *x, const char *arn)
{
    const asl_run *run = x->run;
    if (!run->bindings || !arn) return NULL;
    const asl_value *res = run->bindings[run->prog->nsites].mocks;
    const asl_value *e = res && res->type == ASL_OBJECT ? asl_object_get(res, arn, strlen(arn)) : NULL;
    return obj(e, "connection");
}

/* An OAuth client-credentials token from the connection's endpoint. */
static char *oauth_token(asl_arena *a, const asl_value *o, asl_buf *err)
{
    const char *endpoint = asl_aws_str(o, "AuthorizationEndpoint");
    const asl_value *cp = obj(o, "ClientParameters");
    const char *id = asl_aws_str(cp, "ClientID"), *secret = asl_aws_str(cp, "ClientSecret");
    if (!endpoint || !id || !secret) {
        asl_buf_puts(err, "the connection's OAuthParameters need AuthorizationEndpoint and "
                          "ClientParameters ClientID and ClientSecret");
        return NULL;
    }
    asl_buf form;
    asl_buf_init(&form);
    put_pair(&form, "grant_type", 10, "client_credentials", 18);
    put_pair(&form, "client_id", 9, id, strlen(id));
    put_pair(&form, "client_secret", 13, secret, strlen(secret));
    const asl_value *ihp = obj(o, "OAuthHttpParameters");
    kv_list(a, ihp ? asl_object_get(ihp, "BodyParameters", 14) : NULL, &form, NULL, NULL, NULL);
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    asl_aws_config none;
    memset(&none, 0, sizeof none);
    const char *method = asl_aws_str(o, "HttpMethod") ? asl_aws_str(o, "HttpMethod") : "POST";
    asl_aws_request rq = {method, endpoint, "", "", headers, form.data, form.len, 30};
    asl_aws_response r;
    char *token = NULL;
    if (asl_aws_send(&none, &rq, &r, err)) {
        asl_json_error je;
        asl_value *v = r.body.len ? asl_json_parse(a, r.body.data, r.body.len, &je) : NULL;
        const char *t = asl_aws_str(v, "access_token");
        if (r.status / 100 == 2 && t) token = asl_strndup(a, t, strlen(t));
        else asl_buf_puts(err, "the connection's authorization endpoint gave no access_token");
        asl_aws_response_free(&r);
    }
    asl_buf_free(&form);
    return token;
}

static asl_value *response_value(asl_arena *a, const asl_aws_response *r)
{
    asl_value *hs = asl_object(a, 8);
    for (const char *p = r->headers.data, *e = p + r->headers.len; p && p < e;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) nl = e;
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        if (colon) {
            char *name = asl_strndup(a, p, (size_t)(colon - p));
            for (char *c = name; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            const char *v = colon + 1;
            while (v < nl && *v == ' ') v++;
            asl_value *arr = asl_object_get(hs, name, strlen(name));
            if (!arr) {
                arr = asl_array(a, 1);
                asl_object_set(a, hs, name, strlen(name), arr);
            }
            asl_array_push(a, arr, asl_string(a, v, (size_t)(nl - v)));
        }
        p = nl + 1;
    }
    asl_value *body = NULL;
    if (r->content_type && strstr(r->content_type, "json") && r->body.len) {
        asl_json_error je;
        body = asl_json_parse(a, r->body.data, r->body.len, &je);
    }
    if (!body) body = asl_string(a, r->body.data ? r->body.data : "", r->body.len);
    asl_value *out = asl_object(a, 4);
    asl_object_set(a, out, "Headers", 7, hs);
    asl_object_set(a, out, "ResponseBody", 12, body);
    asl_object_set(a, out, "StatusCode", 10, asl_number(a, (double)r->status));
    asl_object_set(a, out, "StatusText", 10, asl_cstring(a, r->status_text ? r->status_text : ""));
    return out;
}

/* Sends rq and answers as the HTTP Task and apigateway:invoke do: the
 * response's value, the task's timeout, no answer (socket_error with curl's
 * message) or a status outside 2xx (status_prefix and the code, the body as
 * the Cause).  The request waits 60 s at most (the HTTP Task's own limit),
 * less when the Task's TimeoutSeconds ends sooner. */
static asl_value *send_request(asl_exec *x, const asl_aws_config *cfg, asl_aws_request *rq,
                               const asl_task_call *tc, const char *socket_error, const char *status_prefix)
{
    asl_arena *a = asl_exec_arena(x);
    rq->timeout = 60;
    if (tc && tc->deadline > 0) {
        double left = tc->deadline - asl_now_monotonic();
        if (left <= 0) return asl_task_timed_out(x, tc);
        if (left < rq->timeout) rq->timeout = left;
    }
    asl_aws_response r;
    asl_buf err;
    asl_buf_init(&err);
    asl_blocking_begin(x);
    bool sent = asl_aws_send(cfg, rq, &r, &err);
    asl_blocking_end(x);
    asl_value *out;
    if (!sent) {
        if (r.timed_out && tc && tc->deadline > 0) out = asl_task_timed_out(x, tc);
        else out = asl_fail(x, socket_error, asl_strndup(a, err.data ? err.data : "", err.len));
    } else if (r.status / 100 != 2) {
        out = asl_fail(x, asl_sprintf(a, "%s%ld", status_prefix, r.status),
                       asl_strndup(a, r.body.data ? r.body.data : "", r.body.len));
    } else {
        out = response_value(a, &r);
    }
    asl_buf_free(&err);
    asl_aws_response_free(&r);
    return out;
}

asl_value *asl_http_task(asl_exec *x, asl_value *params, const asl_task_call *tc)
{
    asl_arena *a = asl_exec_arena(x);
    const char *endpoint = asl_aws_str(params, "ApiEndpoint"), *method = asl_aws_str(params, "Method");
    if (!endpoint || !method)
        return asl_fail(x, "States.Runtime",
                        "The HTTP Task needs the string parameters ApiEndpoint and Method");
    const asl_value *auth = obj(params, "Authentication");
    const char *arn = asl_aws_str(auth, "ConnectionArn");
    const asl_value *conn = connection(x, arn);
    if (arn && !conn)
        return asl_failf(x, "Events.ConnectionResource.ResourceNotFound",
                         "The connection %s is not bound: give its authorization in the "
                         "resources file as {\"%s\": {\"connection\": {...}}} (docs/tasks.md)",
                         arn, arn);
    const asl_value *transform = obj(params, "Transform");
    const char *format = asl_aws_str(obj(transform, "RequestEncodingOptions"), "ArrayFormat");
    if (!format) format = "INDICES";

    asl_buf query;
    asl_buf_init(&query);
    form_object(a, &query, obj(params, "QueryParameters"), "REPEAT");
    const char **headers = asl_alloc(a, 40 * sizeof *headers);
    size_t nh = 0;
    bool has_ct = false;
    const asl_value *hv = obj(params, "Headers");
    for (uint32_t i = 0; hv && i < hv->len && nh < 30; i++) {
        size_t n;
        const char *t = text_of(a, hv->u.o.members[i].val, &n);
        headers[nh++] = asl_sprintf(a, "%s: %.*s", hv->u.o.members[i].key, (int)n, t);
        has_ct = has_ct || !strcasecmp(hv->u.o.members[i].key, "Content-Type");
    }
    const asl_value *rb = asl_object_get(params, "RequestBody", 11);
    asl_value *extra_body = NULL;
    if (conn) {
        const asl_value *ihp = obj(conn, "InvocationHttpParameters");
        if (rb && rb->type == ASL_OBJECT) {
            extra_body = asl_object(a, rb->len + 2);
            for (uint32_t i = 0; i < rb->len; i++)
                asl_object_set(a, extra_body, rb->u.o.members[i].key, rb->u.o.members[i].klen,
                               rb->u.o.members[i].val);
        }
        if (ihp) {
            kv_list(a, asl_object_get(ihp, "HeaderParameters", 16), NULL, &headers, &nh, NULL);
            kv_list(a, asl_object_get(ihp, "QueryStringParameters", 21), &query, NULL, NULL, NULL);
            kv_list(a, asl_object_get(ihp, "BodyParameters", 14), NULL, NULL, NULL, extra_body);
        }
        const asl_value *key = obj(conn, "ApiKeyAuthParameters");
        const asl_value *basic = obj(conn, "BasicAuthParameters");
        const asl_value *oauth = obj(conn, "OAuthParameters");
        if (key && asl_aws_str(key, "ApiKeyName") && asl_aws_str(key, "ApiKeyValue")) {
            headers[nh++] = asl_sprintf(a, "%s: %s", asl_aws_str(key, "ApiKeyName"), asl_aws_str(key, "ApiKeyValue"));
        } else if (basic && asl_aws_str(basic, "Username") && asl_aws_str(basic, "Password")) {
            char *pair = asl_sprintf(a, "%s:%s", asl_aws_str(basic, "Username"), asl_aws_str(basic, "Password"));
            size_t n = strlen(pair);
            unsigned char *b64 = asl_alloc(a, 4 * ((n + 2) / 3) + 1);
            EVP_EncodeBlock(b64, (const unsigned char *)pair, (int)n);
            headers[nh++] = asl_sprintf(a, "Authorization: Basic %s", (char *)b64);
        } else if (oauth) {
            asl_buf err;
            asl_buf_init(&err);
            char *token = oauth_token(a, oauth, &err);
            if (!token) {
                asl_value *f = asl_failf(x, "Events.ConnectionResource.AuthorizationFailed", "%.*s",
                                         (int)err.len, err.data ? err.data : "");
                asl_buf_free(&err);
                asl_buf_free(&query);
                return f;
            }
            asl_buf_free(&err);
            headers[nh++] = asl_sprintf(a, "Authorization: Bearer %s", token);
        }
    }
    if (extra_body) rb = extra_body;

    char *body = NULL;
    size_t blen = 0;
    const char *encoding = asl_aws_str(transform, "RequestBodyEncoding");
    if (rb && encoding && !strcmp(encoding, "URL_ENCODED") && rb->type == ASL_OBJECT) {
        asl_buf form;
        asl_buf_init(&form);
        form_object(a, &form, rb, format);
        body = asl_strndup(a, form.data ? form.data : "", form.len);
        blen = form.len;
        asl_buf_free(&form);
        if (!has_ct) headers[nh++] = "Content-Type: application/x-www-form-urlencoded";
    } else if (rb) {
        body = (char *)text_of(a, rb, &blen);
        if (!has_ct && rb->type != ASL_STRING) headers[nh++] = "Content-Type: application/json";
    }
    headers[nh] = NULL;

    char *url = query.len ? asl_sprintf(a, "%s%s%.*s", endpoint, strchr(endpoint, '?') ? "&" : "?",
                                        (int)query.len, query.data)
                          : (char *)endpoint;
    asl_buf_free(&query);
    asl_aws_config none;
    memset(&none, 0, sizeof none);
    asl_aws_request rq = {method, url, "", "", headers, body, blen, 0};
    return send_request(x, &none, &rq, tc, "States.Http.Socket", "States.Http.StatusCode.");
}

/* ---- apigateway:invoke ------------------------------------------------------------ */

/* name=value pairs of an object of arrays ({"k": ["a", "b"]}: k=a&k=b), as
 * API Gateway's QueryParameters; a lone value counts as a one-item array. */
static void multi_query(asl_arena *a, asl_buf *b, const asl_value *o)
{
    for (uint32_t i = 0; o && i < o->len; i++) {
        const asl_value *v = o->u.o.members[i].val;
        uint32_t n = v->type == ASL_ARRAY ? v->len : 1;
        for (uint32_t k = 0; k < n; k++) {
            size_t tn;
            const char *t = text_of(a, v->type == ASL_ARRAY ? v->u.a.items[k] : v, &tn);
            put_pair(b, o->u.o.members[i].key, o->u.o.members[i].klen, t, tn);
        }
    }
}

asl_value *asl_apigw_invoke(asl_exec *x, asl_value *params, const asl_task_call *tc)
{
    asl_arena *a = asl_exec_arena(x);
    const char *host = asl_aws_str(params, "ApiEndpoint"), *method = asl_aws_str(params, "Method");
    if (!host || !method)
        return asl_fail(x, "States.Runtime",
                        "apigateway:invoke needs the string parameters ApiEndpoint and Method");
    const char *stage = asl_aws_str(params, "Stage"), *path = asl_aws_str(params, "Path");
    const char *auth = asl_aws_str(params, "AuthType");
    bool signed_call = auth && (!strcmp(auth, "IAM_ROLE") || !strcmp(auth, "RESOURCE_POLICY"));
    /* the region of <api-id>.execute-api.<region>.amazonaws.com signs the call */
    const char *dot = strstr(host, ".execute-api.");
    char *region = dot ? asl_strndup(a, dot + 13, strcspn(dot + 13, ".")) : NULL;
    const char *why = NULL;
    const asl_aws_config *cfg = asl_aws_config_get(&why);
    asl_aws_config role_cfg;
    if (signed_call) {
        if (!cfg || !cfg->access_key)
            return asl_fail(x, "ApiGateway.SdkClientException",
                            cfg ? "Unable to load AWS credentials from any provider in the chain"
                                : why);
        if (!(cfg = asl_aws_task_config(x, cfg, tc, &role_cfg))) return NULL;
    }
    /* AWS_ENDPOINT_URL_EXECUTE_API stands for every API's host (tests, emulators) */
    const char *over = getenv("AWS_ENDPOINT_URL_EXECUTE_API");
    asl_buf url;
    asl_buf_init(&url);
    if (over && *over) asl_buf_puts(&url, over);
    else asl_buf_puts(&url, "https://"), asl_buf_puts(&url, host);
    if (stage && *stage) asl_buf_putc(&url, '/'), asl_aws_pct(&url, stage, strlen(stage), false);
    if (path && *path) {
        if (*path != '/') asl_buf_putc(&url, '/');
        asl_aws_pct(&url, path, strlen(path), true);
    }
    asl_buf query;
    asl_buf_init(&query);
    multi_query(a, &query, obj(params, "QueryParameters"));
    if (query.len) asl_buf_putc(&url, '?'), asl_buf_put(&url, query.data, query.len);
    char *full = asl_strndup(a, url.data, url.len);
    asl_buf_free(&url);
    asl_buf_free(&query);

    /* a header's values as one line, comma-separated (HTTP's equivalent of
     * repeating it; libcurl's signing takes each name once) */
    const asl_value *hv = obj(params, "Headers");
    const char **headers = asl_alloc(a, ((hv ? hv->len : 0) + 2) * sizeof *headers);
    size_t nh = 0;
    bool has_ct = false;
    for (uint32_t i = 0; hv && i < hv->len; i++) {
        const asl_value *v = hv->u.o.members[i].val;
        uint32_t n = v->type == ASL_ARRAY ? v->len : 1;
        asl_buf line;
        asl_buf_init(&line);
        asl_buf_put(&line, hv->u.o.members[i].key, hv->u.o.members[i].klen);
        asl_buf_puts(&line, ": ");
        for (uint32_t k = 0; k < n; k++) {
            size_t tn;
            const char *t = text_of(a, v->type == ASL_ARRAY ? v->u.a.items[k] : v, &tn);
            if (k) asl_buf_putc(&line, ',');
            asl_buf_put(&line, t, tn);
        }
        headers[nh++] = asl_strndup(a, line.data, line.len);
        asl_buf_free(&line);
        has_ct = has_ct || !strcasecmp(hv->u.o.members[i].key, "Content-Type");
    }
    const asl_value *rb = asl_object_get(params, "RequestBody", 11);
    char *body = NULL;
    size_t blen = 0;
    if (rb) {
        body = (char *)text_of(a, rb, &blen);
        if (!has_ct && rb->type != ASL_STRING) headers[nh++] = "Content-Type: application/json";
    }
    headers[nh] = NULL;

    asl_aws_config none;
    memset(&none, 0, sizeof none);
    asl_aws_request rq = {method, full, signed_call ? "execute-api" : "",
                          signed_call ? (region ? region : cfg->region) : "", headers, body, blen, 0};
    /* AWS names the failure ApiGateway.<status>, the body as its Cause */
    return send_request(x, signed_call ? cfg : &none, &rq, tc, "ApiGateway.SdkClientException",
                        "ApiGateway.");
}
