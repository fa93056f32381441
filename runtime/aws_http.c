/*
 * aws_http.c — one signed HTTP request to an AWS service, through libcurl.
 *
 * Each thread keeps one curl handle for the life of the process, and with
 * it curl's connection cache: a workflow that calls a function a thousand
 * times opens one connection (and does one TLS handshake) per thread, not a
 * thousand.  Requests are signed with Signature Version 4 by libcurl itself
 * (CURLOPT_AWS_SIGV4), which hashes the body and signs the headers given
 * here, the session token's among them (but a path with an escape: aws_sign.c
 * signs that one).  (An "Expect:" line to turn off
 * curl's 100-continue would be signed as an empty header that is never
 * sent: AWS's servers answer 100-continue, so it stays.)
 */
#define _GNU_SOURCE
#include "aws.h"
#include "sigv4.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&handle_key, handle_free);
}

/* This thread's handle, made at its first request. */
static CURL *thread_handle(void)
{
    pthread_once(&init_once, global_init);
    CURL *h = pthread_getspecific(handle_key);
    if (!h) {
        h = curl_easy_init();
        if (h) pthread_setspecific(handle_key, h);
    }
    return h;
}

/* SigV4's UriEncode is RFC 3986's percent-encoding: one function for both. */
void asl_aws_pct(asl_buf *b, const char *s, size_t n, bool keep_slash)
{
    asl_sigv4_uri_encode(b, s, n, keep_slash);
}

const char *asl_aws_str(const asl_value *o, const char *k)
{
    const asl_value *v = o && o->type == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    asl_buf_put(ud, p, size * n);
    return size * n;
}

/* Keeps the value of header line p (not NUL-terminated, ends in CRLF) in
 * *slot when its name is name. */
static bool take_header(const char *p, size_t n, const char *name, char **slot)
{
    size_t k = strlen(name);
    if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0) return false;
    const char *v = p + k + 1, *e = p + n;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) e--;
    free(*slot);
    *slot = strndup(v, (size_t)(e - v));
    return true;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    asl_aws_response *r = ud;
    size_t len = size * n;
    /* A new status line (a redirect or 100 Continue) starts the headers over. */
    if (len > 5 && !strncmp(p, "HTTP/", 5)) {
        r->headers.len = 0;
        /* "HTTP/1.1 404 Not Found": the reason phrase */
        const char *sp = memchr(p, ' ', len);
        sp = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - p)) : NULL;
        size_t k = sp ? len - (size_t)(sp + 1 - p) : 0;
        while (k && (sp[k] == '\r' || sp[k] == '\n')) k--;
        free(r->status_text);
        r->status_text = sp ? strndup(sp + 1, k) : NULL;
        return len;
    }
    size_t k = len;
    while (k && (p[k - 1] == '\r' || p[k - 1] == '\n')) k--;
    if (k) {
        asl_buf_put(&r->headers, p, k);
        asl_buf_putc(&r->headers, '\n');
    }
    if (take_header(p, len, "x-amzn-RequestId", &r->request_id) ||
        take_header(p, len, "x-amz-request-id", &r->request_id) ||
        take_header(p, len, "X-Amz-Function-Error", &r->function_error) ||
        take_header(p, len, "X-Amz-Executed-Version", &r->executed_version) ||
        take_header(p, len, "Date", &r->date) ||
        take_header(p, len, "Content-Type", &r->content_type))
        return len;
    if (take_header(p, len, "x-amzn-ErrorType", &r->error_type)) {
        /* "ResourceNotFoundException:http://internal.amazon.com/..." */
        char *colon = strchr(r->error_type, ':');
        if (colon) *colon = '\0';
    }
    return len;
}

bool asl_aws_send(const asl_aws_config *c, const asl_aws_request *rq, asl_aws_response *r,
                  asl_buf *err)
{
    memset(r, 0, sizeof *r);
    asl_buf_init(&r->body);
    asl_buf_init(&r->headers);
    CURL *h = thread_handle();
    if (!h) {
        asl_buf_puts(err, "cannot start an HTTP client (curl_easy_init failed)");
        return false;
    }
    curl_easy_reset(h);   /* options only: the connection cache stays */

    struct curl_slist *hdrs = NULL;
    for (const char *const *p = rq->headers; p && *p; p++) hdrs = curl_slist_append(hdrs, *p);
    char *token_hdr = NULL;
    if (c->session_token && asprintf(&token_hdr, "X-Amz-Security-Token: %s", c->session_token) > 0)
        hdrs = curl_slist_append(hdrs, token_hdr);

    /* a path with an escape: signed by aws_sign.c, not by libcurl */
    char *date_hdr = NULL, *auth_hdr = NULL;
    bool own = asl_aws_sign_escaped(c, rq, &date_hdr, &auth_hdr);
    if (own) {
        hdrs = curl_slist_append(hdrs, date_hdr);
        hdrs = curl_slist_append(hdrs, auth_hdr);
    }

    char sigv4[160];
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", rq->region, rq->service);

    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    if (rq->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    } else if (!strcmp(rq->method, "POST") || !strcmp(rq->method, "PUT")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (c->access_key && c->secret_key && !own) {
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->access_key);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret_key);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    if (rq->timeout > 0) {
        double ms = rq->timeout * 1000.0;
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms > 2e9 ? 2000000000L : (long)ms + 1);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hdrs);
    free(token_hdr);
    free(date_hdr);
    free(auth_hdr);
    if (rc != CURLE_OK) {
        r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        asl_buf_puts(err, "Unable to execute HTTP request: ");
        asl_buf_puts(err, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return false;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    return true;
}

const char *asl_aws_header(asl_arena *a, const asl_aws_response *r, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = r->headers.data, *e = p + r->headers.len; p && p < e;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) nl = e;
        if ((size_t)(nl - p) > k && p[k] == ':' && !strncasecmp(p, name, k)) {
            const char *v = p + k + 1;
            while (v < nl && *v == ' ') v++;
            return asl_strndup(a, v, (size_t)(nl - v));
        }
        p = nl + 1;
    }
    return NULL;
}

void asl_aws_response_free(asl_aws_response *r)
{
    asl_buf_free(&r->body);
    asl_buf_free(&r->headers);
    free(r->request_id);
    free(r->error_type);
    free(r->function_error);
    free(r->executed_version);
    free(r->date);
    free(r->content_type);
    free(r->status_text);
    memset(r, 0, sizeof *r);
}
