/*
 * test_jsonata_picture.c — the picture functions of runtime/jsonata_picture.h
 * against the JSONata test suite's cases for $formatNumber, $formatInteger,
 * $parseInteger, $fromMillis and $toMillis (jsonata_picture_cases.h,
 * generated from ../shared/jsonata-suite by gen_jsonata_picture_cases.py),
 * then cases of our own for what the suite leaves out, their expected
 * values those of the reference implementation (jsonata-js).
 *
 * It ends with the line "suite: N of M cases pass (K need the evaluator)":
 * K are cases whose argument is undefined, which JSONata's evaluator
 * answers before any of these functions is called.
 */
#include <math.h>

#include "check.h"
#include "jsonata_picture.h"

enum { K_OTHER, K_FORMAT_NUMBER, K_FORMAT_INTEGER, K_PARSE_INTEGER, K_FROM_MILLIS, K_TO_MILLIS,
       K_TOMILLIS_FROM, K_TOMILLIS_EQ };
enum { E_STR, E_NUM, E_ERR, E_UNDEF, E_TRUE, E_FALSE, E_OTHER };

typedef struct {
    const char *where, *expr;
    int kind, expect;
    const char *s, *s2, *pic, *pic2, *tz;
    double num;
    const char *opt[11];      /* the decimal format, in asl_jn_decimal_format's order */
    const char *want;         /* E_STR: the string; E_ERR: the code */
    double want_num;
} pcase;

static const pcase suite[] = {
#include "jsonata_picture_cases.h"
};

/* 2018-01-01T00:00:00Z: "now" for the cases that default fields to it. */
static const int64_t NOW = 1514764800000;

/* Runs one case: 1 pass, 0 fail (with a line saying why), -1 not a call of ours. */
static int run(asl_arena *a, const pcase *c)
{
    const char *err = NULL, *got = NULL;
    double num = 0;
    int undef = 0;
    char *out = NULL;
    int64_t ms = 0, ms2 = 0;
    switch (c->kind) {
    case K_FORMAT_NUMBER: {
        asl_jn_decimal_format f = {c->opt[0], c->opt[1], c->opt[2], c->opt[3], c->opt[4], c->opt[5],
                                   c->opt[6], c->opt[7], c->opt[8], c->opt[9], c->opt[10]};
        err = asl_jn_format_number(a, c->num, c->pic, &f, &out);
        got = out;
        break;
    }
    case K_FORMAT_INTEGER:
        err = asl_jn_format_integer(a, c->num, c->pic, &out);
        got = out;
        break;
    case K_PARSE_INTEGER:
        err = asl_jn_parse_integer(c->s, c->pic, &num, &undef);
        if (!err && isnan(num)) undef = 1;
        break;
    case K_FROM_MILLIS:
        err = asl_jn_format_datetime(a, (int64_t)c->num, c->pic, c->tz, &out);
        got = out;
        break;
    case K_TO_MILLIS:
        err = asl_jn_parse_datetime_at(c->s, c->pic, NOW, &ms, &undef);
        num = (double)ms;
        break;
    case K_TOMILLIS_FROM:
        err = asl_jn_parse_datetime_at(c->s, c->pic, NOW, &ms, &undef);
        if (!err && !undef) err = asl_jn_format_datetime(a, ms, c->pic2, NULL, &out);
        got = out;
        break;
    case K_TOMILLIS_EQ:
        err = asl_jn_parse_datetime_at(c->s, NULL, NOW, &ms, &undef);
        if (!err && !undef) err = asl_jn_parse_datetime_at(c->s2, c->pic, NOW, &ms2, &undef);
        num = ms == ms2;
        break;
    default:
        return -1;
    }
    bool ok;
    switch (c->expect) {
    case E_ERR: ok = err && strcmp(err, c->want) == 0; break;
    case E_UNDEF: ok = !err && undef; break;
    case E_STR: ok = !err && !undef && got && strcmp(got, c->want) == 0; break;
    case E_NUM: ok = !err && !undef && num == c->want_num; break;
    case E_TRUE: ok = !err && !undef && num == 1; break;
    case E_FALSE: ok = !err && !undef && num == 0; break;
    default: ok = false;
    }
    if (!ok) {
        printf("FAILED %s: %s\n    got: %s%s%s", c->where, c->expr, err ? "error " : "", err ? err : "",
               undef ? "undefined" : "");
        if (!err && !undef) {
            if (got)
                printf("\"%s\"", got);
            else
                printf("%.17g", num);
        }
        if (c->expect == E_ERR || c->expect == E_STR)
            printf("   want: %s\n", c->want);
        else
            printf("   want: %.17g (kind of result %d)\n", c->want_num, c->expect);
    }
    return ok;
}

static void suite_cases(asl_arena *a)
{
    int pass = 0, total = 0, other = 0;
    for (size_t i = 0; i < sizeof suite / sizeof *suite; i++) {
        int r = run(a, &suite[i]);
        if (r < 0) {
            other++;
            continue;
        }
        total++;
        pass += r;
        check(r == 1, __FILE__, __LINE__, suite[i].where);
    }
    /* The three that chain other functions, by hand. */
    char *out;
    int64_t ms;
    int undef;
    total += 3;
    /* $toMillis('2018-10-21T13:05:00Z').[$fromMillis(), $fromMillis($, (),'-0500'), $fromMillis($, (),'0000')] */
    if (!asl_jn_parse_datetime_at("2018-10-21T13:05:00Z", NULL, NOW, &ms, &undef) && !undef) {
        char *o1 = NULL, *o2 = NULL, *o3 = NULL;
        asl_jn_format_datetime(a, ms, NULL, NULL, &o1);
        asl_jn_format_datetime(a, ms, NULL, "-0500", &o2);
        asl_jn_format_datetime(a, ms, NULL, "0000", &o3);
        bool ok = o1 && o2 && o3 && !strcmp(o1, "2018-10-21T13:05:00.000Z") &&
                  !strcmp(o2, "2018-10-21T08:05:00.000-05:00") && !strcmp(o3, "2018-10-21T13:05:00.000Z");
        pass += ok;
        CHECK(ok);
    } else {
        CHECK(!"formatDateTime.json[66]");
    }
    /* ... ~> $fromMillis() ~> $substringBefore('T') = $substringBefore($now(), 'T') and
     * ... ~> $fromMillis() ~> $substringAfter('T'), with now 2018-01-01 */
    out = NULL;
    if (!asl_jn_parse_datetime_at("13:45", "[H]:[m]", NOW, &ms, &undef) && !undef &&
        !asl_jn_format_datetime(a, ms, NULL, NULL, &out)) {
        bool ok1 = strncmp(out, "2018-01-01T", 11) == 0, ok2 = strcmp(out + 11, "13:45:00.000Z") == 0;
        pass += ok1 + ok2;
        CHECK(ok1);
        CHECK(ok2);
    } else {
        CHECK(!"parseDateTime.json[28..29]");
    }
    printf("suite: %d of %d cases pass (%d need the evaluator)\n", pass, total, other - 3);
}

int main(void)
{
    asl_arena *a = asl_arena_new();
    suite_cases(a);
    asl_arena_free(a);
    return check_summary();
}
