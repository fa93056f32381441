/*
 * jsonata_picture.c — what JSONata's picture functions share: strings as
 * arrays of code points with the JavaScript string operations the
 * reference implementation (jsonata-js) walks its pictures with, and
 * JavaScript's own number conversions (Number.prototype.toString, toFixed,
 * parseInt, the reference's $round), whose exact answers the formatted
 * text depends on.  The functions themselves are in jsonata_number.c
 * ($formatNumber), jsonata_integer.c ($formatInteger, $parseInteger) and
 * jsonata_datetime.c ($fromMillis, $toMillis); jsonata_picture.h is their
 * interface.  Memory comes from the caller's arena.
 */
#include "jsonata_picture_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings as code points ---------------------------------------------- */

void asl_jnp_buf_init(asl_jnp_buf *b, asl_arena *a)
{
    b->a = a;
    b->c = NULL;
    b->n = b->cap = 0;
}

static void buf_room(asl_jnp_buf *b, size_t more)
{
    if (b->n + more <= b->cap) return;
    size_t cap = b->cap ? b->cap * 2 : 32;
    while (cap < b->n + more) cap *= 2;
    uint32_t *c = asl_alloc(b->a, cap * sizeof *c);
    if (b->n) memcpy(c, b->c, b->n * sizeof *c);
    b->c = c;
    b->cap = cap;
}

void asl_jnp_putc(asl_jnp_buf *b, uint32_t c)
{
    buf_room(b, 1);
    b->c[b->n++] = c;
}

void asl_jnp_puts(asl_jnp_buf *b, const char *ascii)
{
    while (*ascii) asl_jnp_putc(b, (unsigned char)*ascii++);
}

void asl_jnp_put(asl_jnp_buf *b, asl_jnp_str s)
{
    buf_room(b, s.n);
    if (s.n) memcpy(b->c + b->n, s.c, s.n * sizeof *s.c);
    b->n += s.n;
}

asl_jnp_str asl_jnp_buf_str(const asl_jnp_buf *b)
{
    return (asl_jnp_str){b->c, b->n};
}

/* Invalid UTF-8 (which JSON text cannot carry) reads as U+FFFD. */
asl_jnp_str asl_jnp_decode(asl_arena *a, const char *s)
{
    size_t len = strlen(s), n = 0;
    uint32_t *c = asl_alloc(a, (len + 1) * sizeof *c);
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        uint32_t cp = *p;
        int more = cp < 0x80 ? 0 : (cp & 0xE0) == 0xC0 ? 1 : (cp & 0xF0) == 0xE0 ? 2 : (cp & 0xF8) == 0xF0 ? 3 : -1;
        if (more < 0 || end - p <= more) {
            c[n++] = 0xFFFD;
            p++;
            continue;
        }
        cp = more == 0 ? cp : more == 1 ? cp & 0x1F : more == 2 ? cp & 0x0F : cp & 0x07;
        int i;
        for (i = 1; i <= more && (p[i] & 0xC0) == 0x80; i++) cp = cp << 6 | (p[i] & 0x3F);
        if (i <= more) {
            c[n++] = 0xFFFD;
            p++;
            continue;
        }
        c[n++] = cp;
        p += more + 1;
    }
    return (asl_jnp_str){c, n};
}

char *asl_jnp_encode(asl_arena *a, asl_jnp_str s)
{
    char *out = asl_alloc(a, s.n * 4 + 1), *o = out;
    for (size_t i = 0; i < s.n; i++) {
        uint32_t c = s.c[i];
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
        if (c < 0x80) {
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | c >> 6);
            *o++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *o++ = (char)(0xE0 | c >> 12);
            *o++ = (char)(0x80 | (c >> 6 & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xF0 | c >> 18);
            *o++ = (char)(0x80 | (c >> 12 & 0x3F));
            *o++ = (char)(0x80 | (c >> 6 & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *o = 0;
    return out;
}

static long clampl(long v, long lo, long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* String.prototype.substring: bounds clamped, swapped when reversed.
 * The result shares s's code points. */
asl_jnp_str asl_jnp_sub(asl_jnp_str s, long from, long to)
{
    long n = (long)s.n;
    from = clampl(from, 0, n);
    to = clampl(to, 0, n);
    if (from > to) {
        long t = from;
        from = to;
        to = t;
    }
    return (asl_jnp_str){s.c + from, (size_t)(to - from)};
}

long asl_jnp_index_of(asl_jnp_str h, asl_jnp_str needle, long from)
{
    from = clampl(from, 0, (long)h.n);
    if (needle.n > h.n) return -1;
    for (long i = from; i + (long)needle.n <= (long)h.n; i++)
        if (needle.n == 0 || memcmp(h.c + i, needle.c, needle.n * sizeof *h.c) == 0) return i;
    return -1;
}

bool asl_jnp_is_space(uint32_t c)
{
    return (c >= 9 && c <= 13) || c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* ---- JavaScript's number conversions --------------------------------------- */

void asl_jnp_js_tostr(double v, char out[40])
{
    if (isnan(v)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (v == 0) {
        strcpy(out, "0");
        return;
    }
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    char d[24];
    int k = 0;
    const char *q = tmp;
    char *o = out;
    if (*q == '-') {
        *o++ = '-';
        q++;
    }
    for (; *q && *q != 'e'; q++)
        if (*q != '.') d[k++] = *q;
    int n = atoi(q + 1) + 1;    /* where the decimal point goes */
    while (k > 1 && d[k - 1] == '0') k--;
    if (k <= n && n <= 21) {
        memcpy(o, d, (size_t)k);
        o += k;
        for (int i = k; i < n; i++) *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, d, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, d + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++) *o++ = '0';
        memcpy(o, d, (size_t)k);
        o += k;
    } else {
        *o++ = d[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *o = 0;
}

double asl_jnp_js_parseint(asl_jnp_str s)
{
    size_t i = 0;
    while (i < s.n && asl_jnp_is_space(s.c[i])) i++;
    bool neg = false;
    if (i < s.n && (s.c[i] == '+' || s.c[i] == '-')) neg = s.c[i++] == '-';
    double v = 0;
    size_t start;
    if (i + 1 < s.n && s.c[i] == '0' && (s.c[i + 1] == 'x' || s.c[i + 1] == 'X')) {
        i += 2;
        start = i;
        for (; i < s.n; i++) {
            uint32_t c = s.c[i];
            int d = c >= '0' && c <= '9' ? (int)(c - '0') : c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10)
                  : c >= 'A' && c <= 'F' ? (int)(c - 'A' + 10) : -1;
            if (d < 0) break;
            v = v * 16 + d;
        }
    } else {
        start = i;
        while (i < s.n && s.c[i] >= '0' && s.c[i] <= '9') i++;
        if (i > start) {
            char small[64], *digits = i - start < sizeof small ? small : malloc(i - start + 1);
            if (!digits) return NAN;
            for (size_t j = start; j < i; j++) digits[j - start] = (char)s.c[j];
            digits[i - start] = 0;
            v = strtod(digits, NULL);
            if (digits != small) free(digits);
        }
    }
    if (i == start) return NAN;
    return neg ? -v : v;
}

/* Number.prototype.toFixed(dp) of x >= 0: the exact value rounded, a tie
 * going up (the C library's printf goes to even: ties are found and
 * rounded here). */
char *asl_jnp_to_fixed(asl_arena *a, double x, int dp)
{
    if (x >= 1e21 || !isfinite(x)) {
        char *s = asl_alloc(a, 40);
        asl_jnp_js_tostr(x, s);
        return s;
    }
    size_t cap = (size_t)dp + 40;
    char *s = asl_alloc(a, cap + 1);
    int e;
    double m = frexp(x, &e);
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int exp2 = e - 53;
    while (mant && !(mant & 1)) {
        mant >>= 1;
        exp2++;
    }
    if (!(mant && exp2 < 0 && -exp2 == dp + 1)) {
        snprintf(s + 1, cap, "%.*f", dp, x);
        return s + 1;
    }
    /* x has exactly dp + 1 decimals, the last a 5: printed exactly, cut, carried. */
    snprintf(s + 1, cap, "%.*f", dp + 1, x);
    size_t len = strlen(s + 1);
    s[len--] = 0;                       /* the 5 */
    if (dp == 0) s[len--] = 0;          /* the point */
    long i = (long)len;
    for (; i >= 1; i--) {
        if (s[i] == '.') continue;
        if (s[i] == '9') {
            s[i] = '0';
            continue;
        }
        s[i]++;
        break;
    }
    if (i < 1) {
        s[0] = '1';
        return s;
    }
    return s + 1;
}

/* JavaScript's Math.round: halves go up. */
static double js_math_round(double x)
{
    if (!isfinite(x)) return x;
    double f = floor(x);
    return x - f >= 0.5 ? f + 1 : f;
}

/* The reference's $round(arg, precision): halves to even, the decimal
 * point moved through the number's text. */
double asl_jnp_round(double arg, int precision)
{
    char t[40], u[80];
    if (precision) {
        asl_jnp_js_tostr(arg, t);
        char *e = strchr(t, 'e');
        if (e) {
            *e = 0;
            snprintf(u, sizeof u, "%se%d", t, atoi(e + 1) + precision);
        } else {
            snprintf(u, sizeof u, "%se%d", t, precision);
        }
        arg = strtod(u, NULL);
    }
    double result = js_math_round(arg);
    double diff = result - arg;
    if (fabs(diff) == 0.5 && fabs(fmod(result, 2)) == 1) result -= 1;
    if (precision) {
        asl_jnp_js_tostr(result, t);
        char *e = strchr(t, 'e');
        if (e) {
            *e = 0;
            snprintf(u, sizeof u, "%se%d", t, atoi(e + 1) - precision);
        } else {
            snprintf(u, sizeof u, "%se%d", t, -precision);
        }
        result = strtod(u, NULL);
    }
    if (result == 0) result = 0;    /* no -0 */
    return result;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The interval at which positions repeat (all of them multiples of it,
 * every multiple present), 0 when they are not regular. */
uint32_t asl_jnp_regular_interval(const uint32_t *pos, size_t n)
{
    if (n == 0) return 0;
    uint32_t f = pos[0], max = 0;
    for (size_t i = 0; i < n; i++) {
        f = gcd(f, pos[i]);
        if (pos[i] > max) max = pos[i];
    }
    if (f == 0) return 0;
    if ((uint64_t)n * f > max) return 0;    /* some multiple up to n * f is missing */
    /* each multiple f, 2f, ... nf present (positions are at most the picture's length) */
    bool *seen = calloc((size_t)max + 1, 1);
    if (!seen) return 0;
    for (size_t i = 0; i < n; i++) seen[pos[i]] = true;
    size_t k;
    for (k = 1; k <= n && seen[k * f]; k++) {}
    free(seen);
    return k > n ? f : 0;
}

