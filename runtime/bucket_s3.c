/*
 * bucket_s3.c — buckets on S3 itself (bucket.h), for a bucket the resources
 * file does not bind: GetObject, ListObjectsV2 (every page, by continuation
 * token) and PutObject, signed and sent by the AWS client (aws_http.c).
 *
 * Addressing: with an endpoint override (AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL, as for s3rver or MinIO) path-style, ENDPOINT/BUCKET/KEY;
 * against AWS virtual-host style, https://BUCKET.s3.REGION.amazonaws.com/KEY
 * (path-style for a bucket whose name has a dot).
 *
 * Linked in only with the rest of the AWS client: bucket.c reaches
 * asl_bucket_s3_open through a weak reference, and aslc asks for it
 * (compiler/build.c) when a binary may call AWS.  Errors carry S3's code and
 * message, never a credential.
 */
#define _GNU_SOURCE
#include "aws.h"
#include "bucket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S3_TIMEOUT 300.0   /* seconds for one request: big objects take a while */

bool asl_bucket_s3_open(const char *name, asl_bucket *b, char *err, size_t errn);

/* The URL of key (NULL: the bucket itself) in bucket, malloc'd. */
static char *object_url(const asl_aws_config *c, const char *bucket, const char *key)
{
    char *base = asl_aws_endpoint(c, "S3", "s3", c->region);
    char *deflt = NULL;
    if (asprintf(&deflt, "https://s3.%s.%s", c->region,
                 strncmp(c->region, "cn-", 3) ? "amazonaws.com" : "amazonaws.com.cn") < 0)
        abort();
    asl_buf u;
    asl_buf_init(&u);
    /* An override is path-style; so is a bucket with a dot in its name, as the
     * SDKs do, since BUCKET.s3... would not match S3's TLS certificate. */
    if (strcmp(base, deflt) || strchr(bucket, '.')) {
        asl_buf_puts(&u, base);
        asl_buf_putc(&u, '/');
        asl_aws_pct(&u, bucket, strlen(bucket), false);
    } else {
        asl_buf_puts(&u, "https://");
        asl_buf_puts(&u, bucket);
        asl_buf_putc(&u, '.');
        asl_buf_puts(&u, base + 8 /* "https://" */);
    }
    asl_buf_putc(&u, '/');
    if (key) asl_aws_pct(&u, key, strlen(key), true);
    asl_buf_putc(&u, '\0');
    free(base);
    free(deflt);
    return u.data;
}

/* The text of the first <tag>…</tag> in [p, e), entities decoded, in a; NULL without one. */
static const char *xml_text(asl_arena *a, const char *p, const char *e, const char *tag,
                            const char **after)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *s = memmem(p, (size_t)(e - p), open, strlen(open));
    if (!s) return NULL;
    s += strlen(open);
    const char *t = memmem(s, (size_t)(e - s), close, strlen(close));
    if (!t) return NULL;
    if (after) *after = t + strlen(close);
    asl_buf b;
    asl_buf_init(&b);
    for (const char *q = s; q < t; q++) {
        if (*q != '&') {
            asl_buf_putc(&b, *q);
            continue;
        }
        static const struct { const char *ent; char c; } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool done = false;
        for (size_t k = 0; k < sizeof ents / sizeof *ents && !done; k++) {
            size_t n = strlen(ents[k].ent);
            if ((size_t)(t - q) >= n && !memcmp(q, ents[k].ent, n)) {
                asl_buf_putc(&b, ents[k].c);
                q += n - 1;
                done = true;
            }
        }
        if (!done && q + 2 < t && q[1] == '#') {   /* &#NN; or &#xHH; */
            char *end;
            unsigned long cp = q[2] == 'x' ? strtoul(q + 3, &end, 16) : strtoul(q + 2, &end, 10);
            if (*end == ';' && cp < 0x110000) {
                char u[4];
                size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (n == 1) u[0] = (char)cp;
                else {
                    for (size_t k = n - 1; k > 0; k--, cp >>= 6) u[k] = (char)(0x80 | (cp & 0x3f));
                    u[0] = (char)((n == 2 ? 0xc0 : n == 3 ? 0xe0 : 0xf0) | cp);
                }
                asl_buf_put(&b, u, n);
                q = end;
                done = true;
            }
        }
        if (!done) asl_buf_putc(&b, '&');
    }
    const char *out = asl_strndup(a, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return out;
}

/* The AWS configuration (asl_aws_config_get), or NULL with why not in err:
 * what every request of a bucket starts with. */
static const asl_aws_config *s3_config(const asl_bucket *b, char *err, size_t errn)
{
    const char *why = NULL;
    const asl_aws_config *c = asl_aws_config_get(&why);
    if (!c) snprintf(err, errn, "s3://%s: %s", b->name, why);
    return c;
}

/* The URL of key in the bucket (NULL: the bucket's own), malloc'd; or NULL
 * with err when there is no configuration. */
static char *s3_url(const asl_bucket *b, const char *key, char *err, size_t errn)
{
    const asl_aws_config *c = s3_config(b, err, errn);
    return c ? object_url(c, b->name, key) : NULL;
}

/* Sends one request; false with "S3 Code: Message (Service: S3, Status Code: N)" in err. */
static bool s3_call(const asl_bucket *b, const char *method, const char *url, const char *body,
                    size_t n, asl_aws_response *r, char *err, size_t errn)
{
    const asl_aws_config *c = s3_config(b, err, errn);
    if (!c) return false;
    const char *headers[] = {"x-amz-content-sha256: UNSIGNED-PAYLOAD", NULL};
    asl_aws_request rq = {method, url, "s3", c->region, headers, body, n, S3_TIMEOUT};
    asl_buf e;
    asl_buf_init(&e);
    if (!asl_aws_send(c, &rq, r, &e)) {
        snprintf(err, errn, "s3://%s: %.*s", b->name, (int)e.len, e.data ? e.data : "");
        asl_buf_free(&e);
        asl_aws_response_free(r);
        return false;
    }
    asl_buf_free(&e);
    if (r->status >= 200 && r->status < 300) return true;
    asl_arena *a = asl_arena_new();
    const char *body_end = r->body.data ? r->body.data + r->body.len : NULL;
    const char *code = body_end ? xml_text(a, r->body.data, body_end, "Code", NULL) : NULL;
    const char *msg = body_end ? xml_text(a, r->body.data, body_end, "Message", NULL) : NULL;
    if (!code) code = r->status == 404 ? "NoSuchKey" : r->status == 403 ? "AccessDenied" : "S3Error";
    snprintf(err, errn, "%s%s(Service: S3, Status Code: %ld, Error Code: %s)", msg ? msg : "",
             msg ? " " : "", r->status, code);
    asl_arena_free(a);
    asl_aws_response_free(r);
    return false;
}

static bool s3_get(const asl_bucket *b, const char *key, asl_buf *out, char *err, size_t errn)
{
    char *url = s3_url(b, key, err, errn);
    if (!url) return false;
    asl_aws_response r;
    bool ok = s3_call(b, "GET", url, NULL, 0, &r, err, errn);
    free(url);
    if (!ok) return false;
    if (r.body.len) asl_buf_put(out, r.body.data, r.body.len);
    asl_aws_response_free(&r);
    return true;
}

static bool s3_put(const asl_bucket *b, const char *key, const char *data, size_t n, char *err,
                   size_t errn)
{
    char *url = s3_url(b, key, err, errn);
    if (!url) return false;
    asl_aws_response r;
    bool ok = s3_call(b, "PUT", url, data ? data : "", n, &r, err, errn);
    free(url);
    if (ok) asl_aws_response_free(&r);
    return ok;
}

/* "2026-12-07T07:50:00.000Z" as seconds since the epoch. */
static double iso_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
    return (double)timegm(&tm);
}

static bool s3_list(const asl_bucket *b, const char *prefix, asl_arena *a, asl_object_info **out,
                    uint32_t *n, char *err, size_t errn)
{
    char *base = s3_url(b, NULL, err, errn);
    if (!base) return false;
    asl_object_info *v = NULL;
    uint32_t len = 0, cap = 0;
    const char *token = NULL;
    bool ok = true;
    do {
        asl_buf u;
        asl_buf_init(&u);
        asl_buf_puts(&u, base);
        /* the query's parameters in the order SigV4 sorts them */
        if (token) {
            asl_buf_puts(&u, "?continuation-token=");
            asl_aws_pct(&u, token, strlen(token), false);
            asl_buf_puts(&u, "&list-type=2");
        } else {
            asl_buf_puts(&u, "?list-type=2");
        }
        if (prefix && *prefix) {
            asl_buf_puts(&u, "&prefix=");
            asl_aws_pct(&u, prefix, strlen(prefix), false);
        }
        asl_buf_putc(&u, '\0');
        asl_aws_response r;
        ok = s3_call(b, "GET", u.data, NULL, 0, &r, err, errn);
        asl_buf_free(&u);
        if (!ok) break;
        const char *p = r.body.data ? r.body.data : "", *e = p + r.body.len;
        for (const char *q = p;;) {
            const char *s = memmem(q, (size_t)(e - q), "<Contents>", 10);
            if (!s) break;
            const char *t = memmem(s, (size_t)(e - s), "</Contents>", 11);
            if (!t) break;
            if (len == cap) {
                cap = cap ? 2 * cap : 64;
                asl_object_info *nv = asl_alloc(a, cap * sizeof *nv);
                if (len) memcpy(nv, v, len * sizeof *nv);
                v = nv;
            }
            const char *key = xml_text(a, s, t, "Key", NULL), *size = xml_text(a, s, t, "Size", NULL);
            v[len].key = key ? key : "";
            v[len].size = size ? strtoull(size, NULL, 10) : 0;
            v[len].mtime = iso_time(xml_text(a, s, t, "LastModified", NULL));
            v[len].etag = xml_text(a, s, t, "ETag", NULL);
            v[len].storage_class = xml_text(a, s, t, "StorageClass", NULL);
            len++;
            q = t + 11;
        }
        const char *trunc = xml_text(a, p, e, "IsTruncated", NULL);
        token = trunc && !strcmp(trunc, "true") ? xml_text(a, p, e, "NextContinuationToken", NULL)
                                                : NULL;
        asl_aws_response_free(&r);
    } while (token);
    free(base);
    if (!ok) return false;
    *out = v;
    *n = len;
    return true;
}

static const asl_bucket_ops s3_ops = {s3_get, s3_list, s3_put};

bool asl_bucket_s3_open(const char *name, asl_bucket *b, char *err, size_t errn)
{
    (void)err;
    (void)errn;
    b->ops = &s3_ops;
    b->name = name;
    b->directory = NULL;
    return true;
}
