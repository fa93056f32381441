/*
 * sigv4.c — AWS Signature Version 4's shared parts (sigv4.h): what the
 * runtime's signer (aws_sign.c) and aslc serve's checker
 * (compiler/serve_auth.c) both compute, written once so that the two cannot
 * come to disagree about AWS's rules.
 *
 * SHA-256 is fetched from libcrypto once per process, not looked up by
 * name at every digest: aslc serve --auth digests twice and HMACs once a
 * request (docs/benchmarks.md).
 */
#define _GNU_SOURCE
#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static const EVP_MD *md_sha256;

static void md_fetch(void)
{
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_sha256 = md ? md : EVP_sha256();   /* the lookup by name, if the fetch fails */
}

static const EVP_MD *sha256(void)
{
    pthread_once(&md_once, md_fetch);
    return md_sha256;
}

void asl_sigv4_hex(char *out, const unsigned char *d, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

void asl_sigv4_sha256_hex(char out[65], const void *d, size_t n)
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(d, n, md, &len, sha256(), NULL);
    asl_sigv4_hex(out, md, sizeof md);
}

void asl_sigv4_hmac(unsigned char out[32], const void *key, size_t kn, const char *msg)
{
    unsigned int len = 32;
    HMAC(sha256(), key, (int)kn, (const unsigned char *)msg, strlen(msg), out, &len);
}

void asl_sigv4_uri_encode(asl_buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            asl_buf_putc(b, (char)c);
        } else {
            asl_buf_putc(b, '%');
            asl_buf_putc(b, digits[c >> 4]);
            asl_buf_putc(b, digits[c & 15]);
        }
    }
}

static char *encoded(const char *s, size_t n, bool encode)
{
    asl_buf b;
    asl_buf_init(&b);
    if (encode)
        asl_sigv4_uri_encode(&b, s, n, false);
    else
        asl_buf_put(&b, s, n);
    asl_buf_putc(&b, '\0');
    return b.data;
}

void asl_sigv4_query_add(asl_sigv4_query *q, const char *name, size_t nn, const char *value,
                         size_t vn, bool encode)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 8;
        q->p = asl_xrealloc(q->p, q->cap * sizeof *q->p);
    }
    q->p[q->n++] = (asl_sigv4_param){encoded(name, nn, encode), encoded(value, vn, encode)};
}

void asl_sigv4_query_parse(asl_sigv4_query *q, const char *query)
{
    for (const char *p = query; p && *p;) {
        size_t n = strcspn(p, "&");
        if (n) {   /* "a&&b": no empty parameter */
            const char *eq = memchr(p, '=', n);
            size_t nn = eq ? (size_t)(eq - p) : n;
            asl_sigv4_query_add(q, p, nn, eq ? eq + 1 : "", eq ? n - nn - 1 : 0, false);
        }
        p += n + (p[n] == '&');
    }
}

/* AWS sorts by name, then by value ("a" before "a-b", which a sort of the
 * whole "name=value" strings puts the other way round). */
static int cmp_param(const void *a, const void *b)
{
    const asl_sigv4_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

void asl_sigv4_query_put(asl_buf *b, asl_sigv4_query *q)
{
    if (q->n) qsort(q->p, q->n, sizeof *q->p, cmp_param);   /* q->p is NULL when there are none */
    for (size_t i = 0; i < q->n; i++) {
        if (i) asl_buf_putc(b, '&');
        asl_buf_puts(b, q->p[i].name);
        asl_buf_putc(b, '=');
        asl_buf_puts(b, q->p[i].value);
        free(q->p[i].name);
        free(q->p[i].value);
    }
    free(q->p);
    *q = (asl_sigv4_query){0};
}

void asl_sigv4_request_end(asl_buf *cr, const char *signed_headers, size_t sl, const void *body,
                           size_t body_len)
{
    char hash[65];
    asl_sigv4_sha256_hex(hash, body ? body : "", body ? body_len : 0);
    asl_buf_putc(cr, '\n');
    asl_buf_put(cr, signed_headers, sl);
    asl_buf_putc(cr, '\n');
    asl_buf_puts(cr, hash);
}

void asl_sigv4_signing_key(unsigned char out[32], const char *secret, const char *day,
                           const char *region, const char *service)
{
    size_t sn = strlen(secret);
    char *key = asl_xmalloc(sn + 5);
    memcpy(key, "AWS4", 4);
    memcpy(key + 4, secret, sn + 1);
    unsigned char k1[32], k2[32], k3[32];
    asl_sigv4_hmac(k1, key, sn + 4, day);
    asl_sigv4_hmac(k2, k1, 32, region);
    asl_sigv4_hmac(k3, k2, 32, service);
    asl_sigv4_hmac(out, k3, 32, "aws4_request");
    OPENSSL_cleanse(key, sn + 4);   /* the secret leaves no copy behind */
    free(key);
}

void asl_sigv4_signature(char out[65], const unsigned char key[32], const char *amz_date,
                         const char *scope, const char *cr, size_t cr_len)
{
    char cr_hash[65];
    asl_sigv4_sha256_hex(cr_hash, cr, cr_len);
    asl_buf sts;   /* the string to sign */
    asl_buf_init(&sts);
    asl_buf_puts(&sts, "AWS4-HMAC-SHA256\n");
    asl_buf_puts(&sts, amz_date);
    asl_buf_putc(&sts, '\n');
    asl_buf_puts(&sts, scope);
    asl_buf_putc(&sts, '\n');
    asl_buf_puts(&sts, cr_hash);
    asl_buf_putc(&sts, '\0');
    unsigned char mac[32];
    asl_sigv4_hmac(mac, key, 32, sts.data);
    asl_buf_free(&sts);
    asl_sigv4_hex(out, mac, sizeof mac);
}

void asl_sigv4_now(char amz[17], char day[9])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(amz, 17, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(day, amz, 8);
    day[8] = '\0';
}
