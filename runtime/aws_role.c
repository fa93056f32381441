/*
 * aws_role.c — a Task's `Credentials` (RoleArn): the call is made with the
 * temporary credentials of that role, which STS AssumeRole gives in
 * exchange for the process's own (aws_config.c), as Step Functions assumes
 * a task's role with the execution role.
 *
 * AssumeRole is a query-protocol call (a form POSTed to the STS endpoint,
 * an XML answer), signed like any other call.  Each role's credentials are
 * kept for the process and asked again when fewer than REFRESH_MARGIN
 * seconds of them are left, so a Map of a thousand calls under one role
 * assumes it once.  The cache holds malloc'd copies under a mutex; a
 * caller gets its own copies in the execution's arena, so a refresh never
 * frees what a call in flight signs with.
 *
 * The secret key and the session token are never put in an error: the
 * messages name the role and STS's error code and message only.
 */
#define _GNU_SOURCE
#include "aws.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Credentials are asked again this long before they expire (the SDKs'
 * refresh window is of the same order: 5 to 15 minutes). */
#define REFRESH_MARGIN 300.0
/* What is asked for: an hour, AssumeRole's default and the most any role allows
 * without raising its MaxSessionDuration. */
#define DURATION_SECONDS 3600

typedef struct role_creds {
    struct role_creds *next;
    char *arn, *access_key, *secret_key, *session_token;
    time_t expires;
} role_creds;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static role_creds *cache;

/* The text of the first element <tag> of the XML in body (STS's answers
 * are flat and their values, keys and base64 tokens, hold no markup but
 * the five entities), unescaped into a; NULL when absent. */
static char *xml_text(asl_arena *a, const asl_buf *body, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *s = body->data ? memmem(body->data, body->len, open, strlen(open)) : NULL;
    if (!s) return NULL;
    s += strlen(open);
    const char *e = memmem(s, body->len - (size_t)(s - body->data), close, strlen(close));
    if (!e) return NULL;
    static const struct { const char *ent; char c; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    asl_buf b;
    asl_buf_init(&b);
    for (const char *p = s; p < e; p++) {
        size_t k = 0;
        if (*p == '&')
            for (; k < sizeof ents / sizeof *ents; k++)
                if (!strncmp(p, ents[k].ent, strlen(ents[k].ent))) break;
        if (*p == '&' && k < sizeof ents / sizeof *ents) {
            asl_buf_putc(&b, ents[k].c);
            p += strlen(ents[k].ent) - 1;
        } else {
            asl_buf_putc(&b, *p);
        }
    }
    char *out = asl_strndup(a, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return out;
}

/* "2026-12-07T07:04:14Z" or with fractions of a second: seconds since the
 * epoch, 0 when it does not parse (the credentials are then used once). */
static time_t parse_expiration(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* AssumeRole of arn with base's credentials.  On success a new cache entry;
 * else NULL with AWS's error code and message in err. */
static role_creds *assume(asl_arena *a, const asl_aws_config *base, const char *arn,
                          double timeout, asl_buf *err)
{
    asl_buf form;
    asl_buf_init(&form);
    asl_buf_puts(&form, "Action=AssumeRole&Version=2011-06-15&RoleArn=");
    asl_aws_pct(&form, arn, strlen(arn), false);
    char tail[96];
    snprintf(tail, sizeof tail, "&RoleSessionName=aslc-%ld&DurationSeconds=%d", (long)getpid(),
             DURATION_SECONDS);
    asl_buf_puts(&form, tail);
    char *base_url = asl_aws_endpoint(base, "STS", "sts", base->region);
    char *url = asl_sprintf(a, "%s/", base_url ? base_url : "");
    free(base_url);
    static const char *const headers[] = {
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL};
    asl_aws_request rq = {"POST", url, "sts", base->region, headers, form.data, form.len, timeout};
    asl_aws_response r;
    role_creds *out = NULL;
    if (asl_aws_send(base, &rq, &r, err)) {
        const char *key = xml_text(a, &r.body, "AccessKeyId");
        const char *secret = xml_text(a, &r.body, "SecretAccessKey");
        const char *token = xml_text(a, &r.body, "SessionToken");
        if (r.status == 200 && key && secret && token) {
            out = calloc(1, sizeof *out);
            out->arn = strdup(arn);
            out->access_key = strdup(key);
            out->secret_key = strdup(secret);
            out->session_token = strdup(token);
            out->expires = parse_expiration(xml_text(a, &r.body, "Expiration"));
        } else {
            const char *code = xml_text(a, &r.body, "Code");
            const char *msg = xml_text(a, &r.body, "Message");
            char status[32];
            snprintf(status, sizeof status, "%ld", r.status);
            asl_buf_puts(err, code ? code : "status ");
            if (!code) asl_buf_puts(err, status);
            if (msg) {
                asl_buf_puts(err, ": ");
                asl_buf_puts(err, msg);
            }
        }
    }
    asl_aws_response_free(&r);
    asl_buf_free(&form);
    return out;
}

static void entry_free(role_creds *e)
{
    free(e->arn);
    free(e->access_key);
    free(e->secret_key);
    free(e->session_token);
    free(e);
}

bool asl_aws_config_role(asl_arena *a, const asl_aws_config *base, const char *role_arn,
                         double timeout, asl_aws_config *out, asl_buf *err)
{
    *out = *base;
    if (!role_arn) return true;
    pthread_mutex_lock(&cache_lock);
    role_creds **at = &cache;
    while (*at && strcmp((*at)->arn, role_arn)) at = &(*at)->next;
    time_t now = time(NULL);
    if (*at && difftime((*at)->expires, now) < REFRESH_MARGIN) {
        role_creds *old = *at;
        *at = old->next;
        entry_free(old);
    }
    role_creds *e = *at;
    if (!e) {
        /* Under the lock: concurrent tasks of one role wait for one AssumeRole
         * rather than each making their own. */
        e = assume(a, base, role_arn, timeout, err);
        if (e) {
            e->next = cache;
            cache = e;
        }
    }
    if (e) {
        out->access_key = asl_strndup(a, e->access_key, strlen(e->access_key));
        out->secret_key = asl_strndup(a, e->secret_key, strlen(e->secret_key));
        out->session_token = asl_strndup(a, e->session_token, strlen(e->session_token));
        out->cred_source = "the task's role (STS AssumeRole)";
    }
    pthread_mutex_unlock(&cache_lock);
    return e != NULL;
}

const asl_aws_config *asl_aws_task_config(asl_exec *x, const asl_aws_config *base,
                                          const asl_task_call *tc, asl_aws_config *buf)
{
    if (!tc || !tc->role_arn) return base;
    double timeout = 0;
    if (tc->deadline > 0) {
        timeout = tc->deadline - asl_now_monotonic();
        if (timeout <= 0) {
            asl_task_timed_out(x, tc);
            return NULL;
        }
    }
    asl_buf err;
    asl_buf_init(&err);
    asl_blocking_begin(x);
    bool ok = asl_aws_config_role(asl_exec_arena(x), base, tc->role_arn, timeout, buf, &err);
    asl_blocking_end(x);
    if (!ok)
        asl_failf(x, "States.TaskFailed", "Unable to assume the task's role %s: %.*s", tc->role_arn,
                  (int)err.len, err.data ? err.data : "");
    asl_buf_free(&err);
    return ok ? buf : NULL;
}
