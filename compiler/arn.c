/*
 * arn.c — the shape of a Task state's Resource, checked as AWS checks it.
 *
 * AWS Step Functions accepts three kinds of Task resource, each an ARN
 * (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE):
 *
 *   a Lambda function   arn:P:lambda:REGION:ACCOUNT:function:NAME[:VERSION|:ALIAS]
 *   an activity         arn:P:states:REGION:ACCOUNT:activity:NAME
 *   an integration      arn:P:states:::SERVICE:API[.sync|.sync:2|.waitForTaskToken]
 *                       arn:P:states:::aws-sdk:SERVICE:API[.waitForTaskToken]
 *                       (lambda:invoke, sns:publish, dynamodb:putItem,
 *                       states:startExecution.sync:2, http:invoke, ecs:runTask.sync...)
 *
 * PARTITION is one of AWS's partitions, REGION a region name (us-east-1,
 * cn-north-1, us-gov-west-1, eusc-de-east-1...), ACCOUNT twelve digits.
 * Service names of integrations are not enumerated (AWS adds them; a name
 * we do not know is not an error), only their shape is checked.  What
 * this catches is what real definitions get wrong: placeholders left in
 * (arn:<PARTITION>:..., ${AWS::Region}), a misspelt region, a resource that
 * is not an ARN at all, a service that cannot be a Task resource, and the
 * suffixes a kind of integration does not have (aws-sdk with .sync).
 *
 * aslc_arn_check returns NULL for a resource AWS accepts, else why not (in
 * the arena), with *at the byte offset of the part it is about, so that the
 * diagnostic's caret points at it.
 */
#include "aslc.h"

#include <string.h>

enum { ARN_PARTS = 6 };

typedef struct {
    const char *s[ARN_PARTS];  /* arn, partition, service, region, account, resource (the rest) */
    size_t n[ARN_PARTS];
    size_t off[ARN_PARTS];
} arn_parts;

static bool part_is(const arn_parts *a, int i, const char *lit)
{
    return a->n[i] == strlen(lit) && !memcmp(a->s[i], lit, a->n[i]);
}

static bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static bool digit(char c) { return c >= '0' && c <= '9'; }

/* AWS's partitions (the ARN's second field). */
static bool partition_ok(const char *s, size_t n)
{
    static const char *const known[] = {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b",
                                        "aws-iso-e", "aws-iso-f", "aws-eusc"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (n == strlen(known[i]) && !memcmp(s, known[i], n)) return true;
    return false;
}

/* A region name: an area (us, eu, ap, ...), optional qualifiers (gov, iso,
 * a country code), a direction and a number: us-east-1, ap-southeast-5,
 * us-gov-west-1, cn-northwest-1, us-isob-east-1, eusc-de-east-1. */
static bool region_ok(const char *s, size_t n)
{
    static const char *const areas[] = {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn",
                                        "eusc"};
    static const char *const directions[] = {"north", "south", "east", "west", "central",
                                             "northeast", "southeast", "northwest", "southwest"};
    const char *w[6];
    size_t wl[6], k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '-') continue;
        if (k == 6 || i == start) return false;
        w[k] = s + start;
        wl[k++] = i - start;
        start = i + 1;
    }
    if (k < 3) return false;
    bool area = false, dir = false;
    for (size_t i = 0; i < sizeof areas / sizeof *areas; i++)
        area = area || (wl[0] == strlen(areas[i]) && !memcmp(w[0], areas[i], wl[0]));
    for (size_t i = 0; i < sizeof directions / sizeof *directions; i++)
        dir = dir || (wl[k - 2] == strlen(directions[i]) && !memcmp(w[k - 2], directions[i], wl[k - 2]));
    if (!area || !dir || wl[k - 1] > 2) return false;
    for (size_t i = 0; i < wl[k - 1]; i++)
        if (!digit(w[k - 1][i])) return false;
    for (size_t j = 1; j + 2 < k; j++)       /* qualifiers: gov, iso, isob, de... */
        for (size_t i = 0; i < wl[j]; i++)
            if (w[j][i] < 'a' || w[j][i] > 'z') return false;
    return true;
}

static bool account_ok(const char *s, size_t n)
{
    if (n != 12) return false;
    for (size_t i = 0; i < n; i++)
        if (!digit(s[i])) return false;
    return true;
}

/* What a bad part looks like, for the message: a placeholder left in. */
static const char *placeholder_hint(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '$' || s[i] == '<' || s[i] == '{' || s[i] == '%')
            return " (a placeholder left in the definition? AWS reads the definition after its "
                   "substitutions are made)";
    return "";
}

/* NAME (1 to 64 of letters, digits, - and _) and an optional qualifier
 * ($LATEST, a version, an alias). */
static const char *lambda_resource(asl_arena *ar, const arn_parts *a, size_t *at)
{
    const char *r = a->s[5];
    size_t n = a->n[5];
    if (n < 9 || memcmp(r, "function:", 9)) {
        *at = a->off[5];
        return "a Lambda function ARN is arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME "
               "(with :VERSION or :ALIAS after it, or none)";
    }
    size_t i = 9, name = i;
    while (i < n && (alnum(r[i]) || r[i] == '-' || r[i] == '_')) i++;
    if (i == name || i - name > 64 || (i < n && r[i] != ':')) {
        *at = a->off[5] + (i == name || i - name > 64 ? name : i);
        return asl_sprintf(ar, "a Lambda function name is 1 to 64 letters, digits, '-' and '_'%s",
                           placeholder_hint(r + name, n - name));
    }
    if (i == n) return NULL;
    size_t q = ++i;
    bool latest = n - q == 7 && !memcmp(r + q, "$LATEST", 7);
    while (i < n && (alnum(r[i]) || r[i] == '-' || r[i] == '_')) i++;
    if (!latest && (i == q || i < n)) {
        *at = a->off[5] + (i == q ? q : i);
        return "after the function name comes at most a qualifier: a version, an alias or $LATEST";
    }
    return NULL;
}

/* SERVICE:API with its suffix, after arn:P:states::: */
static const char *integration(asl_arena *ar, const arn_parts *a, size_t *at)
{
    const char *r = a->s[5];
    size_t n = a->n[5], i = 0;
    bool sdk = n > 8 && !memcmp(r, "aws-sdk:", 8);
    if (sdk) i = 8;
    size_t svc = i;
    while (i < n && (lower_alnum(r[i]) || r[i] == '-' || r[i] == '.')) i++;
    if (i == svc || i == n || r[i] != ':') {
        *at = a->off[5] + (i == n ? svc : i);
        return asl_sprintf(ar, "a service integration is arn:PARTITION:states:::SERVICE:API "
                               "(such as lambda:invoke, sns:publish, "
                               "aws-sdk:s3:getObject)%s", placeholder_hint(r, n));
    }
    size_t api = ++i;
    while (i < n && alnum(r[i])) i++;
    if (i == api) {
        *at = a->off[5] + api;
        return "expected the API's name after the service (such as lambda:invoke)";
    }
    const char *suffix = r + i;
    size_t sl = n - i;
#define SUFFIX(lit) (sl == sizeof(lit) - 1 && !memcmp(suffix, lit, sl))
    if (sl == 0 || SUFFIX(".waitForTaskToken")) return NULL;
    if (SUFFIX(".sync") || SUFFIX(".sync:2")) {
        if (!sdk) return NULL;
        *at = a->off[5] + i;
        return "the AWS SDK integrations (aws-sdk:...) have no \".sync\": only request-response "
               "and \".waitForTaskToken\"";
    }
#undef SUFFIX
    *at = a->off[5] + i;
    return "after the API comes nothing, \".sync\", \".sync:2\" or \".waitForTaskToken\"";
}

const char *aslc_arn_check(asl_arena *ar, const char *res, size_t *at)
{
    *at = 0;
    arn_parts a;
    memset(&a, 0, sizeof a);
    size_t len = strlen(res), start = 0;
    int k = 0;
    for (size_t i = 0; i <= len && k < ARN_PARTS; i++) {
        if (i < len && (res[i] != ':' || k == ARN_PARTS - 1)) continue;
        a.s[k] = res + start;
        a.n[k] = i - start;
        a.off[k++] = start;
        start = i + 1;
    }
    if (k < ARN_PARTS || !part_is(&a, 0, "arn"))
        return asl_sprintf(ar, "\"Resource\" must be an ARN "
                               "(arn:partition:service:region:account:resource), got \"%s\"%s",
                           res, placeholder_hint(res, len));
    if (!partition_ok(a.s[1], a.n[1])) {
        *at = a.off[1];
        return asl_sprintf(ar, "\"%.*s\" is not an AWS partition (aws, aws-cn, aws-us-gov, ...)%s",
                           (int)a.n[1], a.s[1], placeholder_hint(a.s[1], a.n[1]));
    }
    bool lambda = part_is(&a, 2, "lambda"), states = part_is(&a, 2, "states");
    if (!lambda && !states) {
        *at = a.off[2];
        return asl_sprintf(ar, "a Task's \"Resource\" is a Lambda function (arn:%.*s:lambda:...), "
                               "an activity or a service integration (arn:%.*s:states:...), not "
                               "a \"%.*s\" ARN%s; the other services are called through "
                               "arn:%.*s:states:::SERVICE:API",
                           (int)a.n[1], a.s[1], (int)a.n[1], a.s[1], (int)a.n[2], a.s[2],
                           placeholder_hint(a.s[2], a.n[2]), (int)a.n[1], a.s[1]);
    }
    bool activity = states && a.n[5] >= 9 && !memcmp(a.s[5], "activity:", 9);
    /* A function or an activity lives in a region and an account; an
     * integration may name them or (as it is always written) not. */
    bool located = lambda || activity;
    for (int i = 3; i <= 4; i++) {
        if (a.n[i] == 0 && !located) continue;
        if (i == 3 ? region_ok(a.s[3], a.n[3]) : account_ok(a.s[4], a.n[4])) continue;
        *at = a.off[i];
        if (a.n[i] == 0)
            return asl_sprintf(ar, "a%s ARN names its %s", lambda ? " Lambda function" : "n activity",
                               i == 3 ? "region (such as us-east-1)" : "account (12 digits)");
        return asl_sprintf(ar, "\"%.*s\" is not %s%s", (int)a.n[i], a.s[i],
                           i == 3 ? "an AWS region (such as us-east-1, eu-west-2)"
                                  : "an AWS account id (12 digits)",
                           placeholder_hint(a.s[i], a.n[i]));
    }
    if (lambda) return lambda_resource(ar, &a, at);
    if (activity) {
        const char *r = a.s[5] + 9;
        size_t n = a.n[5] - 9, i = 0;
        while (i < n && (alnum(r[i]) || r[i] == '-' || r[i] == '_')) i++;
        if (n == 0 || n > 80 || i < n) {
            *at = a.off[5] + 9 + (n == 0 || n > 80 ? 0 : i);
            return asl_sprintf(ar, "an activity name is 1 to 80 letters, digits, '-' and '_'%s",
                               placeholder_hint(r, n));
        }
        return NULL;
    }
    return integration(ar, &a, at);
}

/* Credentials.RoleArn: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME (IAM has
 * no region). */
const char *aslc_role_arn_check(asl_arena *ar, const char *arn, size_t *at)
{
    *at = 0;
    arn_parts a;
    memset(&a, 0, sizeof a);
    size_t len = strlen(arn), start = 0;
    int k = 0;
    for (size_t i = 0; i <= len && k < ARN_PARTS; i++) {
        if (i < len && (arn[i] != ':' || k == ARN_PARTS - 1)) continue;
        a.s[k] = arn + start;
        a.n[k] = i - start;
        a.off[k++] = start;
        start = i + 1;
    }
    const char *form = "an IAM role ARN is arn:PARTITION:iam::ACCOUNT:role/NAME";
    if (k < ARN_PARTS || !part_is(&a, 0, "arn") || !part_is(&a, 2, "iam") || a.n[3]) {
        *at = k < ARN_PARTS || !part_is(&a, 0, "arn") ? 0 : a.n[3] ? a.off[3] : a.off[2];
        return asl_sprintf(ar, "%s, got \"%s\"%s", form, arn, placeholder_hint(arn, len));
    }
    if (!partition_ok(a.s[1], a.n[1])) {
        *at = a.off[1];
        return asl_sprintf(ar, "\"%.*s\" is not an AWS partition (aws, aws-cn, aws-us-gov, ...)%s",
                           (int)a.n[1], a.s[1], placeholder_hint(a.s[1], a.n[1]));
    }
    if (!account_ok(a.s[4], a.n[4])) {
        *at = a.off[4];
        return asl_sprintf(ar, "\"%.*s\" is not an AWS account id (12 digits)%s", (int)a.n[4],
                           a.s[4], placeholder_hint(a.s[4], a.n[4]));
    }
    if (a.n[5] <= 5 || memcmp(a.s[5], "role/", 5) || a.s[5][a.n[5] - 1] == '/') {
        *at = a.off[5];
        return asl_sprintf(ar, "%s, got \"%s\"", form, arn);
    }
    return NULL;
}
