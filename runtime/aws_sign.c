/*
 * aws_sign.c — Signature Version 4 for the requests libcurl would sign
 * wrong.  libcurl (7.88, Debian 12) signs the URL's path as it is sent;
 * AWS, for every service but S3, signs each path segment escaped once more
 * ("%3A" is signed as "%253A").  A request whose path holds an escape (a
 * URI label with ':' or '/': a Lambda ARN in aws-sdk:lambda:invoke, a
 * Bedrock model ARN) is signed here instead: host and x-amz-date (and the
 * session token) signed, the body's SHA-256 as the payload hash.
 */
#define _GNU_SOURCE
#include "aws.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void hex(char *out, const unsigned char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha256_hex(char out[65], const void *d, size_t n)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(d, n, md);
    hex(out, md, sizeof md);
}

static void hmac(unsigned char out[32], const void *key, size_t kn, const char *msg)
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)kn, (const unsigned char *)msg, strlen(msg), out, &n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The query's name=value pairs (escaped already) sorted, as SigV4 wants. */
static void canonical_query(asl_buf *b, const char *q)
{
    if (!q || !*q) return;
    char *copy = strdup(q);
    size_t n = 1;
    for (const char *p = copy; *p; p++) n += *p == '&';
    char **parts = calloc(n, sizeof *parts);
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(copy, "&", &save); t; t = strtok_r(NULL, "&", &save))
        parts[k++] = t;
    qsort(parts, k, sizeof *parts, cmp_str);
    for (size_t i = 0; i < k; i++) {
        if (i) asl_buf_putc(b, '&');
        asl_buf_puts(b, parts[i]);
        if (!strchr(parts[i], '=')) asl_buf_putc(b, '=');
    }
    free(parts);
    free(copy);
}

bool asl_aws_sign_escaped(const asl_aws_config *c, const asl_aws_request *rq, char **date_hdr,
                          char **auth_hdr)
{
    if (!c->access_key || !c->secret_key || !strcmp(rq->service, "s3")) return false;
    const char *host = strstr(rq->url, "://");
    if (!host) return false;
    host += 3;
    size_t hn = strcspn(host, "/?");
    const char *path = host + hn;
    size_t pn = strcspn(path, "?");
    if (!memchr(path, '%', pn)) return false;   /* libcurl signs it right */
    const char *query = path[pn] == '?' ? path + pn + 1 : NULL;

    char amz[17], day[9];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(amz, sizeof amz, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(day, amz, 8);
    day[8] = '\0';

    asl_buf cr;   /* the canonical request */
    asl_buf_init(&cr);
    asl_buf_puts(&cr, rq->method);
    asl_buf_putc(&cr, '\n');
    asl_aws_pct(&cr, pn ? path : "/", pn ? pn : 1, true);   /* escaped once more */
    asl_buf_putc(&cr, '\n');
    canonical_query(&cr, query);
    asl_buf_puts(&cr, "\nhost:");
    asl_buf_put(&cr, host, hn);
    asl_buf_puts(&cr, "\nx-amz-date:");
    asl_buf_puts(&cr, amz);
    asl_buf_putc(&cr, '\n');
    if (c->session_token) {
        asl_buf_puts(&cr, "x-amz-security-token:");
        asl_buf_puts(&cr, c->session_token);
        asl_buf_putc(&cr, '\n');
    }
    const char *signed_headers = c->session_token ? "host;x-amz-date;x-amz-security-token"
                                                  : "host;x-amz-date";
    asl_buf_putc(&cr, '\n');
    asl_buf_puts(&cr, signed_headers);
    asl_buf_putc(&cr, '\n');
    char body_hash[65], cr_hash[65];
    sha256_hex(body_hash, rq->body ? rq->body : "", rq->body ? rq->body_len : 0);
    asl_buf_puts(&cr, body_hash);
    sha256_hex(cr_hash, cr.data, cr.len);
    asl_buf_free(&cr);

    char *scope = NULL, *sts = NULL, *key = NULL;
    if (asprintf(&scope, "%s/%s/%s/aws4_request", day, rq->region, rq->service) < 0) return false;
    if (asprintf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz, scope, cr_hash) < 0 ||
        asprintf(&key, "AWS4%s", c->secret_key) < 0) {
        free(scope);
        free(sts);
        return false;
    }
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(k1, key, strlen(key), day);
    hmac(k2, k1, 32, rq->region);
    hmac(k3, k2, 32, rq->service);
    hmac(k4, k3, 32, "aws4_request");
    hmac(sig, k4, 32, sts);
    memset(key, 0, strlen(key));   /* the secret leaves no copy behind */
    free(key);
    char sig_hex[65];
    hex(sig_hex, sig, sizeof sig);
    bool ok = asprintf(date_hdr, "X-Amz-Date: %s", amz) > 0 &&
              asprintf(auth_hdr, "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, "
                                 "SignedHeaders=%s, Signature=%s",
                       c->access_key, scope, signed_headers, sig_hex) > 0;
    free(scope);
    free(sts);
    return ok;
}
