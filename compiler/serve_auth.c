/*
 * serve_auth.c — `aslc serve --auth FILE`: the AWS Signature Version 4 of
 * every request checked as AWS checks it, against the credentials in FILE
 * ({"ACCESS_KEY_ID": "SECRET_ACCESS_KEY", ...}), with OpenSSL's SHA-256 and
 * HMAC.  A request with no signature is MissingAuthenticationToken, one
 * from an unknown access key UnrecognizedClientException, one whose
 * signature does not match InvalidSignatureException, with AWS's messages;
 * so is one whose X-Amz-Date is more than 5 minutes from the server's clock.
 *
 * The canonical request is AWS's: method, the path (each segment
 * URI-encoded), the query sorted, the headers the client says it signed
 * (lower-case names, values trimmed, inner blanks folded), their names,
 * and the SHA-256 of the body: built here from what libmicrohttpd gives,
 * with SigV4's own parts (URI encoding, the query's order, hashes, the
 * signing key, the signature) from runtime/sigv4.c, which the generated
 * binaries sign their requests with.
 */
#define _GNU_SOURCE
#include "serve.h"
#include "sigv4.h"

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The signing key of a credential scope (the four HMACs of the secret
 * with the day, region, service and "aws4_request") changes once a day:
 * kept for the last few scopes seen, so a request costs one HMAC. */
#define SCOPES 8

typedef struct {
    char scope[672];   /* "AKID/day/region/service": room for all four whole */
    unsigned char key[32];
} scope_key;

struct aslc_auth {
    cJSON *keys;       /* access key id -> secret */
    pthread_mutex_t lock;
    scope_key cache[SCOPES];
    unsigned next;     /* the slot to replace */
};

aslc_auth *aslc_auth_load(const char *path, asl_buf *err)
{
    char why[256];
    size_t len;
    char *text = aslc_file_read(path, ASLC_MAX_CHARS, &len, why, sizeof why);
    if (!text) {
        asl_buf_printf(err, "%s: %s", path, why);
        return NULL;
    }
    cJSON *keys = cJSON_ParseWithLength(text, len);
    free(text);
    bool ok = cJSON_IsObject(keys) && keys->child;
    for (cJSON *k = keys ? keys->child : NULL; ok && k; k = k->next) ok = cJSON_IsString(k);
    if (!ok) {
        asl_buf_printf(err, "%s: want a JSON object of access key ids to secret keys, "
                            "{\"AKID...\": \"secret\"}", path);
        cJSON_Delete(keys);
        return NULL;
    }
    aslc_auth *a = calloc(1, sizeof *a);
    a->keys = keys;
    pthread_mutex_init(&a->lock, NULL);
    return a;
}

void aslc_auth_free(aslc_auth *a)
{
    if (!a) return;
    cJSON_Delete(a->keys);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* One query parameter, decoded by libmicrohttpd: encoded again as SigV4 wants. */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    asl_sigv4_query_add(cls, key, strlen(key), value ? value : "", value ? strlen(value) : 0,
                        true);
    return MHD_YES;
}

/* One header's canonical value: trimmed, runs of blanks as one space. */
static void header_value(asl_buf *b, const char *v)
{
    while (*v == ' ' || *v == '\t') v++;
    size_t end = strlen(v);
    while (end && (v[end - 1] == ' ' || v[end - 1] == '\t')) end--;
    bool blank = false;
    for (size_t i = 0; i < end; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            blank = true;
            continue;
        }
        if (blank) asl_buf_putc(b, ' ');
        blank = false;
        asl_buf_putc(b, v[i]);
    }
}

/* The value of field name= in the Authorization header's list, or NULL
 * (its length in *len). */
static const char *auth_field(const char *auth, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (const char *p = auth; (p = strstr(p, name)); p += nl) {
        if (p != auth && p[-1] != ' ' && p[-1] != ',') continue;
        if (p[nl] != '=') continue;
        const char *v = p + nl + 1;
        *len = strcspn(v, ", ");
        return v;
    }
    return NULL;
}

#define SKEW_S (5 * 60)

#define INVALID_SIGNATURE                                                                         \
    "The request signature we calculated does not match the signature you provided. Check "    \
    "your AWS Secret Access Key and signing method. Consult the service documentation for "     \
    "details."

const char *aslc_auth_check(aslc_auth *a, struct MHD_Connection *con, const char *method,
                            const char *url, const char *body, size_t body_len,
                            const char **message, int *status)
{
    const char *auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
    *status = 400;
    if (!auth || strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0) {
        *status = 403;
        *message = "Missing Authentication Token";
        return "MissingAuthenticationToken";
    }
    size_t cl, sl, gl;
    const char *cred = auth_field(auth, "Credential", &cl);
    const char *signed_h = auth_field(auth, "SignedHeaders", &sl);
    const char *sig = auth_field(auth, "Signature", &gl);
    const char *date = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Amz-Date");
    if (!cred || !signed_h || !sig || !date) {
        *message = "Authorization header requires 'Credential', 'Signature' and "
                   "'SignedHeaders' parameters, and X-Amz-Date";
        return "IncompleteSignatureException";
    }
    /* AKID/yyyymmdd/region/service/aws4_request */
    char scope_buf[512];
    snprintf(scope_buf, sizeof scope_buf, "%.*s", (int)cl, cred);
    char *slash = strchr(scope_buf, '/');
    if (!slash) {
        *message = "The security token included in the request is invalid.";
        return "UnrecognizedClientException";
    }
    *slash = '\0';
    const char *scope = slash + 1;
    const char *secret = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a->keys, scope_buf));
    if (!secret) {
        *message = "The security token included in the request is invalid.";
        return "UnrecognizedClientException";
    }
    /* AWS refuses a signature made more than 5 minutes from its clock */
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(date, "%Y%m%dT%H%M%SZ", &tm);
    time_t when = end && !*end ? timegm(&tm) : (time_t)-1;
    time_t now = time(NULL);
    if (when == (time_t)-1 || when < now - SKEW_S || when > now + SKEW_S) {
        *message = when == (time_t)-1 ? "X-Amz-Date must be in the form YYYYMMDD'T'HHMMSS'Z'"
                                      : "Signature expired: the request's X-Amz-Date is more "
                                        "than 5 minutes from the server's time.";
        return "InvalidSignatureException";
    }
    char sday[16], sregion[64], sservice[64], sterm[32];
    if (sscanf(scope, "%15[^/]/%63[^/]/%63[^/]/%31s", sday, sregion, sservice, sterm) != 4 ||
        strcmp(sterm, "aws4_request") != 0 || strncmp(date, sday, strlen(sday)) != 0) {
        *message = "Credential should be scoped to a valid date, region and service, ending "
                   "with aws4_request.";
        return "InvalidSignatureException";
    }

    asl_buf cr;   /* the canonical request */
    asl_buf_init(&cr);
    asl_buf_puts(&cr, method);
    asl_buf_putc(&cr, '\n');
    asl_sigv4_uri_encode(&cr, url, strlen(url), true);
    asl_buf_putc(&cr, '\n');
    asl_sigv4_query q = {0};
    MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, add_arg, &q);
    asl_sigv4_query_put(&cr, &q);
    asl_buf_putc(&cr, '\n');
    char name[128];
    for (size_t i = 0; i < sl;) {
        size_t e = i;
        while (e < sl && signed_h[e] != ';') e++;
        snprintf(name, sizeof name, "%.*s", (int)(e - i), signed_h + i);
        const char *v = MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
        asl_buf_puts(&cr, name);
        asl_buf_putc(&cr, ':');
        if (v) header_value(&cr, v);
        asl_buf_putc(&cr, '\n');
        i = e + 1;
    }
    asl_sigv4_request_end(&cr, signed_h, sl, body, body_len);

    char scope_id[672];
    snprintf(scope_id, sizeof scope_id, "%s/%s/%s/%s", scope_buf, sday, sregion, sservice);
    unsigned char k4[32];
    bool cached = false;
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < SCOPES && !cached; i++)
        if (!strcmp(a->cache[i].scope, scope_id)) {
            memcpy(k4, a->cache[i].key, 32);
            cached = true;
        }
    pthread_mutex_unlock(&a->lock);
    if (!cached) {
        asl_sigv4_signing_key(k4, secret, sday, sregion, sservice);
        pthread_mutex_lock(&a->lock);
        scope_key *slot = &a->cache[a->next++ % SCOPES];
        snprintf(slot->scope, sizeof slot->scope, "%s", scope_id);
        memcpy(slot->key, k4, 32);
        pthread_mutex_unlock(&a->lock);
    }
    char want[65];
    asl_sigv4_signature(want, k4, date, scope, cr.data, cr.len);
    asl_buf_free(&cr);
    if (gl != 64 || CRYPTO_memcmp(want, sig, 64) != 0) {
        *message = INVALID_SIGNATURE;
        return "InvalidSignatureException";
    }
    return NULL;
}
