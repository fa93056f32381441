/*
 * choice.c — the comparisons of Choice rules (asl.h, "Choice").
 *
 * AWS semantics, as the conformance cases show them:
 *   - a comparison whose variable is not of the operator's type is simply
 *     false: StringEquals on 1, NumericEquals on "1", BooleanEquals on 0 are
 *     all false, never an error.  The ...Path twins also need the other
 *     operand to be of the type, or they are false.
 *   - strings compare as Java's String.compareTo does (UTF-16 code units;
 *     see asl_utf16_compare in path.h), equality is byte equality;
 *   - numbers compare as doubles (so 1 == 1.0);
 *   - timestamps are RFC 3339 with an uppercase 'T' and 'Z' (or a numeric
 *     offset), seconds required, up to nine fractional digits; they compare
 *     as instants with nanosecond precision, so 2016-03-14T01:59:00+01:00
 *     equals 2016-03-14T00:59:00Z.  A string that is not such a timestamp
 *     makes every Timestamp* comparison false;
 *   - StringMatches: '*' matches any run of characters (also none), "\*" is
 *     a literal star and "\\" a literal backslash; the pattern must match
 *     the whole string.
 * Nothing here allocates: rules run on every Choice state.
 */
#include "rt.h"
#include "path.h"

#include <stdint.h>
#include <string.h>

static bool cmp_holds(asl_cmp op, int c)
{
    switch (op) {
    case ASL_CMP_EQ: return c == 0;
    case ASL_CMP_LT: return c < 0;
    case ASL_CMP_GT: return c > 0;
    case ASL_CMP_LE: return c <= 0;
    case ASL_CMP_GE: return c >= 0;
    }
    return false;
}

/* ---- strings ------------------------------------------------------------- */

static bool string_cmp(const char *x, size_t xn, asl_cmp op, const char *y, size_t yn)
{
    if (op == ASL_CMP_EQ) return xn == yn && memcmp(x, y, xn) == 0;
    return cmp_holds(op, asl_utf16_compare(x, xn, y, yn));
}

bool asl_choice_string(const asl_value *v, asl_cmp op, const char *s, uint32_t n)
{
    if (!v || v->type != ASL_STRING) return false;
    return string_cmp(v->u.str, v->len, op, s, n);
}

bool asl_choice_string_v(const asl_value *v, asl_cmp op, const asl_value *w)
{
    if (!v || !w || v->type != ASL_STRING || w->type != ASL_STRING) return false;
    return string_cmp(v->u.str, v->len, op, w->u.str, w->len);
}

/* Whole-string wildcard match.  The classic linear backtracking: on a
 * mismatch, let the most recent '*' swallow one more character.  Only the
 * last star needs remembering, because anything an earlier star could
 * absorb the later one can too. */
static bool wildcard(const char *s, size_t n, const char *p, size_t m)
{
    size_t si = 0, pi = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < n) {
        if (pi < m) {
            char pc = p[pi];
            if (pc == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            size_t adv = 1;
            if (pc == '\\' && pi + 1 < m) {
                pc = p[pi + 1];
                adv = 2;
            }
            if (pc == s[si]) {
                pi += adv;
                si++;
                continue;
            }
        }
        if (star_p == SIZE_MAX) return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < m && p[pi] == '*') pi++;
    return pi == m;
}

bool asl_choice_matches(const asl_value *v, const char *pattern)
{
    return asl_choice_matches_n(v, pattern, pattern ? strlen(pattern) : 0);
}

bool asl_choice_matches_n(const asl_value *v, const char *pattern, size_t n)
{
    if (!v || v->type != ASL_STRING || !pattern) return false;
    return wildcard(v->u.str, v->len, pattern, n);
}

/* ---- numbers and booleans ------------------------------------------------ */

static bool number_cmp(double x, asl_cmp op, double y)
{
    return cmp_holds(op, x < y ? -1 : x > y ? 1 : 0);
}

bool asl_choice_number(const asl_value *v, asl_cmp op, double d)
{
    if (!v || v->type != ASL_NUMBER) return false;
    return number_cmp(v->u.n.num, op, d);
}

bool asl_choice_number_v(const asl_value *v, asl_cmp op, const asl_value *w)
{
    if (!v || !w || v->type != ASL_NUMBER || w->type != ASL_NUMBER) return false;
    return number_cmp(v->u.n.num, op, w->u.n.num);
}

bool asl_choice_boolean(const asl_value *v, bool b)
{
    if (!v || !asl_is_bool(v)) return false;
    return (v->type == ASL_TRUE) == b;
}

bool asl_choice_boolean_v(const asl_value *v, const asl_value *w)
{
    if (!v || !w || !asl_is_bool(v) || !asl_is_bool(w)) return false;
    return v->type == w->type;
}

/* ---- timestamps ---------------------------------------------------------- */

typedef struct {
    int64_t sec;   /* since 1970-01-01T00:00:00Z */
    int32_t nsec;
} instant;

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool two(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

/* YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|+HH:MM|-HH:MM), validated as a real
 * calendar date and time (no leap second, offsets within Java's +-18:00). */
static bool ts_parse(const char *s, size_t n, instant *out)
{
    int Y1, Y2, M, D, h, mi, sec;
    if (n < 20 || !two(s, &Y1) || !two(s + 2, &Y2) || s[4] != '-' || !two(s + 5, &M) || s[7] != '-' ||
        !two(s + 8, &D) || s[10] != 'T' || !two(s + 11, &h) || s[13] != ':' || !two(s + 14, &mi) ||
        s[16] != ':' || !two(s + 17, &sec))
        return false;
    int Y = Y1 * 100 + Y2;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || mi > 59 || sec > 59) return false;
    if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0)) return false;
    size_t i = 19;
    int32_t nsec = 0;
    if (i < n && s[i] == '.') {
        i++;
        int digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (++digits > 9) return false;
            nsec = nsec * 10 + (s[i] - '0');
            i++;
        }
        if (!digits) return false;
        for (int k = digits; k < 9; k++) nsec *= 10;
    }
    int64_t offset = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (n - i < 6 || !two(s + i + 1, &oh) || s[i + 3] != ':' || !two(s + i + 4, &om) || om > 59 ||
            oh > 18 || (oh == 18 && om != 0))
            return false;
        offset = (int64_t)(oh * 60 + om) * 60 * (s[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return false;
    }
    if (i != n) return false;
    out->sec = days_from_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + sec - offset;
    out->nsec = nsec;
    return true;
}

static int instant_cmp(instant x, instant y)
{
    if (x.sec != y.sec) return x.sec < y.sec ? -1 : 1;
    return x.nsec < y.nsec ? -1 : x.nsec > y.nsec ? 1 : 0;
}

bool asl_choice_timestamp(const asl_value *v, asl_cmp op, const char *ts)
{
    instant x, y;
    if (!v || v->type != ASL_STRING || !ts || !ts_parse(v->u.str, v->len, &x) || !ts_parse(ts, strlen(ts), &y))
        return false;
    return cmp_holds(op, instant_cmp(x, y));
}

bool asl_choice_timestamp_v(const asl_value *v, asl_cmp op, const asl_value *w)
{
    instant x, y;
    if (!v || !w || v->type != ASL_STRING || w->type != ASL_STRING || !ts_parse(v->u.str, v->len, &x) ||
        !ts_parse(w->u.str, w->len, &y))
        return false;
    return cmp_holds(op, instant_cmp(x, y));
}

bool asl_choice_is_timestamp(const asl_value *v)
{
    instant x;
    return v && v->type == ASL_STRING && ts_parse(v->u.str, v->len, &x);
}
