/*
 * sigv4.h — AWS Signature Version 4, the parts that signing a request and
 * checking one share: the SHA-256 and HMAC-SHA256 (OpenSSL's libcrypto),
 * SigV4's URI encoding, the sorted canonical query string, the signing key
 * of a credential scope and the signature of a canonical request.  Used by
 * the runtime (aws_sign.c signs the requests libcurl would sign wrong) and
 * by aslc serve (compiler/serve_auth.c checks every request's signature
 * with --auth); both build the canonical request's header lines themselves,
 * from what each has.
 *
 * Strings in, caller's buffers out; nothing here keeps state but the
 * SHA-256 method, fetched from libcrypto once per process.
 */
#ifndef ASL_SIGV4_H
#define ASL_SIGV4_H

#include "asl_value.h"   /* asl_buf */

#include <stdbool.h>
#include <stddef.h>

/* out: 2n hex digits (lower case, as SigV4 writes them) and a NUL. */
void asl_sigv4_hex(char *out, const unsigned char *d, size_t n);
void asl_sigv4_sha256_hex(char out[65], const void *d, size_t n);
void asl_sigv4_hmac(unsigned char out[32], const void *key, size_t kn, const char *msg);

/* SigV4's UriEncode: RFC 3986's unreserved characters stay, every other
 * byte is %XX (upper case); '/' stays too when keep_slash (a path). */
void asl_sigv4_uri_encode(asl_buf *b, const char *s, size_t n, bool keep_slash);

/* A query's parameters, URI-encoded, gathered in any order and written
 * sorted by name, then value, as the canonical query string wants. */
typedef struct {
    char *name, *value;
} asl_sigv4_param;

typedef struct {
    asl_sigv4_param *p;
    size_t n, cap;
} asl_sigv4_query;

/* One parameter: encoded here when encode, else taken as already encoded. */
void asl_sigv4_query_add(asl_sigv4_query *q, const char *name, size_t nn, const char *value,
                         size_t vn, bool encode);
/* Every name=value of a query string that is encoded already ("a=1&b"). */
void asl_sigv4_query_parse(asl_sigv4_query *q, const char *query);
/* Writes the canonical query string to b and frees q's contents. */
void asl_sigv4_query_put(asl_buf *b, asl_sigv4_query *q);

/* The canonical request's last two lines, after its headers' lines: a blank
 * line, the signed header names, the hex SHA-256 of the body. */
void asl_sigv4_request_end(asl_buf *cr, const char *signed_headers, size_t sl, const void *body,
                           size_t body_len);

/* Now as X-Amz-Date writes it (20261207T151500Z) and its day (20261207). */
void asl_sigv4_now(char amz[17], char day[9]);

/* The signing key of a credential scope: HMACs of "AWS4" + secret with the
 * day (yyyymmdd), the region, the service and "aws4_request". */
void asl_sigv4_signing_key(unsigned char out[32], const char *secret, const char *day,
                           const char *region, const char *service);

/* The hex signature of a canonical request: its SHA-256 in the string to
 * sign ("AWS4-HMAC-SHA256", the X-Amz-Date, the scope
 * "day/region/service/aws4_request"), HMACed with the signing key. */
void asl_sigv4_signature(char out[65], const unsigned char key[32], const char *amz_date,
                         const char *scope, const char *cr, size_t cr_len);

#endif
