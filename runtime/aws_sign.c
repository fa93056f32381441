/*
 * aws_sign.c — Signature Version 4 for the requests libcurl would sign
 * wrong.  libcurl (7.88, Debian 12) signs the URL's path as it is sent;
 * AWS, for every service but S3, signs each path segment escaped once more
 * ("%3A" is signed as "%253A").  A request whose path holds an escape (a
 * URI label with ':' or '/': a Lambda ARN in aws-sdk:lambda:invoke, a
 * Bedrock model ARN) is signed here instead: host and x-amz-date (and the
 * session token) signed, the body's SHA-256 as the payload hash.  SigV4's
 * own parts (hashes, the query's order, the key, the signature) are
 * sigv4.c's, which aslc serve checks incoming signatures with.
 */
#define _GNU_SOURCE
#include "aws.h"
#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    asl_sigv4_now(amz, day);

    asl_buf cr;   /* the canonical request */
    asl_buf_init(&cr);
    asl_buf_puts(&cr, rq->method);
    asl_buf_putc(&cr, '\n');
    asl_sigv4_uri_encode(&cr, pn ? path : "/", pn ? pn : 1, true);   /* escaped once more */
    asl_buf_putc(&cr, '\n');
    asl_sigv4_query q = {0};
    asl_sigv4_query_parse(&q, query);
    asl_sigv4_query_put(&cr, &q);
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
    asl_sigv4_request_end(&cr, signed_headers, strlen(signed_headers), rq->body, rq->body_len);

    char *scope = NULL;
    if (asprintf(&scope, "%s/%s/%s/aws4_request", day, rq->region, rq->service) < 0) {
        asl_buf_free(&cr);
        return false;
    }
    unsigned char key[32];
    char sig_hex[65];
    asl_sigv4_signing_key(key, c->secret_key, day, rq->region, rq->service);
    asl_sigv4_signature(sig_hex, key, amz, scope, cr.data, cr.len);
    asl_buf_free(&cr);
    bool ok = asprintf(date_hdr, "X-Amz-Date: %s", amz) > 0 &&
              asprintf(auth_hdr, "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, "
                                 "SignedHeaders=%s, Signature=%s",
                       c->access_key, scope, signed_headers, sig_hex) > 0;
    free(scope);
    return ok;
}
