/*
 * jsonata_picture.c — JSONata's $formatNumber, $formatInteger and
 * $parseInteger: the XPath F&O 3.1 picture rules (fn:format-number,
 * fn:format-integer) as the reference implementation, jsonata-js, applies
 * them, down to its quirks: Step Functions runs that implementation, so its
 * answers are the ones a workflow must get.  Dates are in
 * jsonata_datetime.c, which reuses the integer pictures from here.
 *
 * Everything is computed on arrays of code points (asl_jnp_str) with the
 * string operations the reference uses (indexOf, substring), so that each
 * step below can be read against the rule it follows.  Memory comes from
 * the caller's arena; nothing is freed on its own.
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
asl_jnp_str asl_jnp_sub(asl_arena *a, asl_jnp_str s, long from, long to)
{
    (void)a;
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

static long last_index_of(asl_jnp_str h, asl_jnp_str needle)
{
    if (needle.n > h.n) return -1;
    for (long i = (long)(h.n - needle.n); i >= 0; i--)
        if (needle.n == 0 || memcmp(h.c + i, needle.c, needle.n * sizeof *h.c) == 0) return i;
    return -1;
}

/* s.charAt(i) === prop: charAt past either end is "". */
static bool char_at_is(asl_jnp_str s, long i, asl_jnp_str prop)
{
    if (i < 0 || i >= (long)s.n) return prop.n == 0;
    return prop.n == 1 && prop.c[0] == s.c[i];
}

/* A one-character string compared with a property (a string). */
static bool is_char(uint32_t c, asl_jnp_str prop)
{
    return prop.n == 1 && prop.c[0] == c;
}

static asl_jnp_str cat(asl_arena *a, asl_jnp_str x, asl_jnp_str y)
{
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    asl_jnp_put(&b, x);
    asl_jnp_put(&b, y);
    return asl_jnp_buf_str(&b);
}

static asl_jnp_str cat3(asl_arena *a, asl_jnp_str x, asl_jnp_str y, asl_jnp_str z)
{
    return cat(a, cat(a, x, y), z);
}

static asl_jnp_str ascii_str(asl_arena *a, const char *s)
{
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    asl_jnp_puts(&b, s);
    return asl_jnp_buf_str(&b);
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
static char *js_to_fixed(asl_arena *a, double x, int dp)
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
static double js_round(double arg, int precision)
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

/* ---- integer pictures (fn:format-integer) ----------------------------------- */

static const char *const few[] = {"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight",
                                  "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen",
                                  "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
static const char *const ordinals[] = {"Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth",
                                       "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth",
                                       "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth",
                                       "Eighteenth", "Nineteenth"};
static const char *const decades[] = {"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty",
                                      "Ninety", "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

/* The reference's table of word values, in its key order: cardinals,
 * ordinals, tens with their "-ieth" forms (its rule also makes
 * "hundreieth"), then the magnitudes and their "-th" forms. */
const char *const asl_jnp_words[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
    "twenty", "twentieth", "thirty", "thirtieth", "forty", "fortieth", "fifty", "fiftieth", "sixty",
    "sixtieth", "seventy", "seventieth", "eighty", "eightieth", "ninety", "ninetieth", "hundred",
    "hundreieth", "hundredth", "thousand", "thousandth", "million", "millionth", "billion",
    "billionth", "trillion", "trillionth"};
const size_t asl_jnp_nwords = sizeof asl_jnp_words / sizeof *asl_jnp_words;

static double word_value(asl_jnp_str w)
{
    static const double tail[] = {20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70, 80, 80, 90, 90, 100,
                                  100, 100, 1e3, 1e3, 1e6, 1e6, 1e9, 1e9, 1e12, 1e12};
    for (size_t i = 0; i < asl_jnp_nwords; i++) {
        const char *s = asl_jnp_words[i];
        size_t n = strlen(s), j;
        if (n != w.n) continue;
        for (j = 0; j < n && w.c[j] == (unsigned char)s[j]; j++) {}
        if (j < n) continue;
        return i < 20 ? (double)i : i < 40 ? (double)(i - 20) : tail[i - 40];
    }
    return NAN;   /* the reference's undefined: what it touches becomes NaN */
}

/* numberToWords: English words, "and" before the last part. */
static void words(asl_jnp_buf *b, double num, bool prev, bool ord)
{
    if (num <= 19) {
        if (prev) asl_jnp_puts(b, " and ");
        asl_jnp_puts(b, ord ? ordinals[(int)num] : few[(int)num]);
    } else if (num < 100) {
        int tens = (int)floor(num / 10);
        double rem = fmod(num, 10);
        if (prev) asl_jnp_puts(b, " and ");
        asl_jnp_puts(b, decades[tens - 2]);
        if (rem > 0) {
            asl_jnp_putc(b, '-');
            words(b, rem, false, ord);
        } else if (ord) {
            b->n--;
            asl_jnp_puts(b, "ieth");
        }
    } else if (num < 1000) {
        int hundreds = (int)floor(num / 100);
        double rem = fmod(num, 100);
        if (prev) asl_jnp_puts(b, ", ");
        asl_jnp_puts(b, few[hundreds]);
        asl_jnp_puts(b, " Hundred");
        if (rem > 0)
            words(b, rem, true, ord);
        else if (ord)
            asl_jnp_puts(b, "th");
    } else {
        int mag = (int)floor(log10(num) / 3);
        if (mag > 4) mag = 4;
        double factor = pow(10, mag * 3);
        double mant = floor(num / factor);
        double rem = num - mant * factor;
        if (prev) asl_jnp_puts(b, ", ");
        words(b, mant, false, false);
        asl_jnp_putc(b, ' ');
        asl_jnp_puts(b, magnitudes[mag - 1]);
        if (rem > 0)
            words(b, rem, true, ord);
        else if (ord)
            asl_jnp_puts(b, "th");
    }
}

/* The decimal digit families: each is ten code points from its zero. */
static const uint32_t decimal_groups[] = {
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

static bool str_is(asl_jnp_str s, const char *ascii)
{
    size_t n = strlen(ascii);
    if (s.n != n) return false;
    for (size_t i = 0; i < n; i++)
        if (s.c[i] != (unsigned char)ascii[i]) return false;
    return true;
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
static uint32_t regular_interval(const uint32_t *pos, size_t n)
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

const char *asl_jnp_analyse_integer(asl_arena *a, asl_jnp_str picture, asl_jnp_intfmt *f)
{
    memset(f, 0, sizeof *f);
    f->primary = ASL_JNP_DECIMAL;
    f->tcase = ASL_JNP_LOWER;
    f->zero = '0';
    f->mandatory = f->optional = NAN;    /* what a date's width and year rules see of a non-decimal */
    asl_jnp_str primary = picture;
    for (long i = (long)picture.n - 1; i >= 0; i--) {
        if (picture.c[i] != ';') continue;
        primary = asl_jnp_sub(a, picture, 0, i);
        if (i + 1 < (long)picture.n && picture.c[i + 1] == 'o') f->ordinal = true;
        break;
    }
    if (str_is(primary, "A") || str_is(primary, "a")) {
        f->primary = ASL_JNP_LETTERS;
        f->tcase = primary.c[0] == 'A' ? ASL_JNP_UPPER : ASL_JNP_LOWER;
        return NULL;
    }
    if (str_is(primary, "I") || str_is(primary, "i")) {
        f->primary = ASL_JNP_ROMAN;
        f->tcase = primary.c[0] == 'I' ? ASL_JNP_UPPER : ASL_JNP_LOWER;
        return NULL;
    }
    if (str_is(primary, "W") || str_is(primary, "Ww") || str_is(primary, "w")) {
        f->primary = ASL_JNP_WORDS;
        f->tcase = str_is(primary, "W") ? ASL_JNP_UPPER : str_is(primary, "Ww") ? ASL_JNP_TITLE : ASL_JNP_LOWER;
        return NULL;
    }
    /* A decimal digit pattern when it has a digit of some family; read from
     * the right, so that separators know their distance from the end. */
    int mandatory = 0, optional = 0;
    bool have_zero = false;
    uint32_t seppos = 0;
    f->groups = asl_alloc(a, (primary.n + 1) * sizeof *f->groups);
    for (long i = (long)primary.n - 1; i >= 0; i--) {
        uint32_t c = primary.c[i];
        bool digit = false;
        for (size_t g = 0; g < sizeof decimal_groups / sizeof *decimal_groups; g++) {
            if (c < decimal_groups[g] || c > decimal_groups[g] + 9) continue;
            digit = true;
            mandatory++;
            seppos++;
            if (!have_zero) {
                f->zero = decimal_groups[g];
                have_zero = true;
            } else if (decimal_groups[g] != f->zero) {
                return "D3131";
            }
            break;
        }
        if (digit) continue;
        if (c == '#') {
            seppos++;
            optional++;
        } else {
            f->groups[f->ngroups++] = (asl_jnp_group){seppos, c};
        }
    }
    if (mandatory == 0) {
        f->primary = ASL_JNP_SEQUENCE;
        return NULL;
    }
    f->mandatory = mandatory;
    f->optional = optional;
    uint32_t *pos = asl_alloc(a, (f->ngroups + 1) * sizeof *pos);
    bool same = true;
    for (size_t i = 0; i < f->ngroups; i++) {
        pos[i] = f->groups[i].pos;
        if (f->groups[i].ch != f->groups[0].ch) same = false;
    }
    uint32_t every = same ? regular_interval(pos, f->ngroups) : 0;
    if (every > 0) {
        f->regular = true;
        f->groups[0].pos = every;
        f->ngroups = 1;
    }
    return NULL;
}

/* s.substr(0, pos) + ch + s.substr(pos), in place: a pos before the start
 * counts from the end in the second substr and leaves the first empty, so
 * the text before it goes (the reference's "#,##,##0" makes ",5" of 5). */
static void substr_insert(asl_jnp_buf *b, long pos, uint32_t ch)
{
    long n = (long)b->n;
    if (pos < 0) {
        long start = n + pos < 0 ? 0 : n + pos;
        memmove(b->c, b->c + start, (size_t)(n - start) * sizeof *b->c);
        b->n = (size_t)(n - start);
        pos = 0;
    } else if (pos > n) {
        pos = n;
    }
    asl_jnp_putc(b, 0);
    memmove(b->c + pos + 1, b->c + pos, (b->n - 1 - (size_t)pos) * sizeof *b->c);
    b->c[pos] = ch;
}

static void ascii_case(asl_jnp_buf *b, size_t from, int tcase)
{
    for (size_t i = from; i < b->n; i++) {
        uint32_t c = b->c[i];
        if (tcase == ASL_JNP_UPPER && c >= 'a' && c <= 'z') b->c[i] = c - 32;
        if (tcase == ASL_JNP_LOWER && c >= 'A' && c <= 'Z') b->c[i] = c + 32;
    }
}

const char *asl_jnp_format_integer(asl_jnp_buf *out, double value, const asl_jnp_intfmt *f)
{
    asl_arena *a = out->a;
    bool negative = value < 0;
    value = fabs(value);
    if (f->primary == ASL_JNP_SEQUENCE) return "D3130";
    if (negative) asl_jnp_putc(out, '-');
    size_t start = out->n;
    switch (f->primary) {
    case ASL_JNP_LETTERS: {
        /* spreadsheet columns: a..z, aa.. */
        char tmp[1100];
        size_t n = sizeof tmp;
        uint32_t base = f->tcase == ASL_JNP_UPPER ? 'A' : 'a';
        while (value > 0 && n > 0) {
            tmp[--n] = (char)(fmod(value - 1, 26) + base);
            value = floor((value - 1) / 26);
        }
        for (; n < sizeof tmp; n++) asl_jnp_putc(out, (unsigned char)tmp[n]);
        return NULL;
    }
    case ASL_JNP_ROMAN: {
        static const struct { double v; const char *s; } rn[] = {
            {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
            {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};
        /* the reference recurses once a numeral: JavaScript's stack ends it
         * somewhere past ten thousand of them */
        if (value > 1e7) return "U1001";
        for (size_t i = 0; i < sizeof rn / sizeof *rn; i++)
            while (value >= rn[i].v) {
                asl_jnp_puts(out, rn[i].s);
                value -= rn[i].v;
            }
        ascii_case(out, start, f->tcase == ASL_JNP_UPPER ? ASL_JNP_UPPER : -1);
        return NULL;
    }
    case ASL_JNP_WORDS:
        if (!isfinite(value)) return "U1001";    /* the reference recurses without end */
        words(out, value, false, f->ordinal);
        ascii_case(out, start, f->tcase == ASL_JNP_TITLE ? -1 : f->tcase);
        return NULL;
    default:
        break;
    }
    /* decimal: the digits, padded, in the picture's family, grouped */
    char num[40];
    asl_jnp_js_tostr(value, num);
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    double pad = f->mandatory - (double)strlen(num);
    if (pad > 1e6) return "D1001";    /* a date's width: the reference runs out of string length */
    for (double i = 0; i < pad; i++) asl_jnp_putc(&b, '0');
    asl_jnp_puts(&b, num);
    if (f->zero != '0')
        for (size_t i = 0; i < b.n; i++) b.c[i] = b.c[i] + f->zero - '0';
    if (f->regular) {
        /* a separator before every group of `every` digits from the right */
        size_t every = f->groups[0].pos, len = b.n;
        for (size_t i = 0; i < len; i++) {
            if (i > 0 && (len - i) % every == 0) asl_jnp_putc(out, f->groups[0].ch);
            asl_jnp_putc(out, b.c[i]);
        }
    } else {
        /* the picture's separators from the leftmost, each placed from the right end */
        for (size_t i = f->ngroups; i-- > 0;)
            substr_insert(&b, (long)b.n - (long)f->groups[i].pos, f->groups[i].ch);
        asl_jnp_put(out, asl_jnp_buf_str(&b));
    }
    asl_jnp_str s = {out->c + start, out->n - start};
    if (f->ordinal) {
        uint32_t last = s.n ? s.c[s.n - 1] : 0;
        const char *suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (s.n > 1 && s.c[s.n - 2] == '1') suffix = "th";
        asl_jnp_puts(out, suffix);
    }
    return NULL;
}

/* wordsToNumber: the text split at ", ", " and " and single spaces or
 * hyphens, each word's value multiplying or adding up. */
static double words_to_number(asl_arena *a, asl_jnp_str t)
{
    double segs_local[64], *segs = segs_local;
    size_t nseg = 1, cap = 64;
    segs[0] = 0;
    size_t p = 0, q = 0;
    bool last = false;
    while (!last) {
        size_t end = 0;
        bool found = false;
        for (; q < t.n; q++) {
            if (t.c[q] == ',' && q + 1 < t.n && asl_jnp_is_space(t.c[q + 1])) {
                end = q + 2;
            } else if (asl_jnp_is_space(t.c[q]) && q + 4 < t.n && t.c[q + 1] == 'a' && t.c[q + 2] == 'n' &&
                       t.c[q + 3] == 'd' && asl_jnp_is_space(t.c[q + 4])) {
                end = q + 5;
            } else if (asl_jnp_is_space(t.c[q]) || t.c[q] == '\\' || t.c[q] == '-') {
                end = q + 1;
            } else {
                continue;
            }
            found = true;
            break;
        }
        asl_jnp_str w = found ? (asl_jnp_str){t.c + p, q - p} : (asl_jnp_str){t.c + p, t.n - p};
        if (found) {
            p = q = end;
        } else {
            last = true;
        }
        double v = word_value(w);
        if (v < 100) {
            double top = segs[--nseg];
            if (top >= 1000) {
                segs[nseg++] = top;
                top = 0;
            }
            if (nseg + 1 >= cap) {
                double *more = asl_alloc(a, cap * 2 * sizeof *more);
                memcpy(more, segs, nseg * sizeof *more);
                segs = more;
                cap *= 2;
            }
            segs[nseg++] = top + v;
        } else {
            segs[nseg - 1] *= v;
        }
    }
    double sum = 0;
    for (size_t i = 0; i < nseg; i++) sum += segs[i];
    return sum;
}

const char *asl_jnp_parse_integer(asl_arena *a, asl_jnp_str s, const asl_jnp_intfmt *f, double *out)
{
    switch (f->primary) {
    case ASL_JNP_LETTERS: {
        uint32_t base = f->tcase == ASL_JNP_UPPER ? 'A' : 'a';
        double v = 0;
        for (size_t i = 0; i < s.n; i++)
            v += ((double)s.c[s.n - i - 1] - base + 1) * pow(26, (double)i);
        *out = v;
        return NULL;
    }
    case ASL_JNP_ROMAN: {
        /* from the right: a numeral smaller than the largest so far subtracts */
        double v = 0, max = 1;
        for (size_t i = s.n; i-- > 0;) {
            uint32_t c = s.c[i];
            if (f->tcase != ASL_JNP_UPPER && c >= 'a' && c <= 'z') c -= 32;
            double d = c == 'M' ? 1000 : c == 'D' ? 500 : c == 'C' ? 100 : c == 'L' ? 50 : c == 'X' ? 10
                     : c == 'V' ? 5 : c == 'I' ? 1 : NAN;
            if (d < max) {
                v -= d;
            } else {
                max = d;
                v += d;
            }
        }
        *out = v;
        return NULL;
    }
    case ASL_JNP_WORDS: {
        asl_jnp_buf b;
        asl_jnp_buf_init(&b, a);
        asl_jnp_put(&b, s);
        ascii_case(&b, 0, ASL_JNP_LOWER);
        *out = words_to_number(a, asl_jnp_buf_str(&b));
        return NULL;
    }
    case ASL_JNP_SEQUENCE:
        return "D3130";
    default:
        break;
    }
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    size_t n = s.n;
    if (f->ordinal) n = n >= 2 ? n - 2 : 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s.c[i];
        bool drop = false;
        if (f->regular)
            drop = c == ',';    /* the reference strips commas only, whatever the separator */
        else
            for (size_t g = 0; g < f->ngroups; g++) drop |= c == f->groups[g].ch;
        if (drop) continue;
        if (f->zero != '0') {
            if (c + '0' < f->zero) {
                *out = NAN;    /* not a code point: the reference throws a RangeError */
                return NULL;
            }
            c = c - f->zero + '0';
        }
        asl_jnp_putc(&b, c);
    }
    *out = asl_jnp_js_parseint(asl_jnp_buf_str(&b));
    return NULL;
}

const char *asl_jn_format_integer(asl_arena *a, double v, const char *picture, char **out)
{
    asl_jnp_intfmt f;
    const char *err = asl_jnp_analyse_integer(a, asl_jnp_decode(a, picture), &f);
    if (err) return err;
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    err = asl_jnp_format_integer(&b, floor(v), &f);
    if (err) return err;
    *out = asl_jnp_encode(a, asl_jnp_buf_str(&b));
    return NULL;
}

const char *asl_jn_parse_integer(const char *s, const char *picture, double *out, int *undefined)
{
    asl_arena *a = asl_arena_new();
    asl_jnp_intfmt f;
    *undefined = 0;
    const char *err = asl_jnp_analyse_integer(a, asl_jnp_decode(a, picture), &f);
    if (!err) err = asl_jnp_parse_integer(a, asl_jnp_decode(a, s), &f, out);
    asl_arena_free(a);
    return err;
}

/* ---- number pictures (fn:format-number) -------------------------------------- */

typedef struct {
    asl_jnp_str dec, grp, exp, minus, inf, nan, pct, pm, zero, digit, patsep;
    uint32_t zc;     /* the family's zero (the zero-digit's first character) */
    bool family;     /* false when zero-digit is empty */
} numfmt;

static bool in_family(const numfmt *p, uint32_t c)
{
    return p->family && c >= p->zc && c < p->zc + 10;
}

/* One of activeChars: a digit of the family or one of the five
 * single-character properties that make up a number's picture. */
static bool is_active(const numfmt *p, uint32_t c)
{
    return in_family(p, c) || is_char(c, p->dec) || is_char(c, p->exp) || is_char(c, p->grp) ||
           is_char(c, p->digit) || is_char(c, p->patsep);
}

typedef struct {
    asl_jnp_str prefix, suffix, active, mantissa, exponent, integer, fraction, sub;
    bool has_exponent;
} subpic;

static subpic split_parts(asl_arena *a, const numfmt *p, asl_jnp_str sub)
{
    subpic r = {0};
    r.sub = sub;
    long n = (long)sub.n, i;
    for (i = 0; i < n; i++)
        if (is_active(p, sub.c[i]) && !is_char(sub.c[i], p->exp)) break;
    r.prefix = asl_jnp_sub(a, sub, 0, i < n ? i : 0);
    for (i = n - 1; i >= 0; i--)
        if (is_active(p, sub.c[i]) && !is_char(sub.c[i], p->exp)) break;
    r.suffix = i >= 0 ? asl_jnp_sub(a, sub, i + 1, n) : asl_jnp_sub(a, sub, 0, 0);
    r.active = asl_jnp_sub(a, sub, (long)r.prefix.n, n - (long)r.suffix.n);
    /* The position is the sub-picture's but cuts the active part, as the
     * reference does (they differ only after a prefix). */
    long ep = asl_jnp_index_of(sub, p->exp, (long)r.prefix.n);
    if (ep == -1 || ep > n - (long)r.suffix.n) {
        r.mantissa = r.active;
    } else {
        r.mantissa = asl_jnp_sub(a, r.active, 0, ep);
        r.exponent = asl_jnp_sub(a, r.active, ep + 1, (long)r.active.n);
        r.has_exponent = true;
    }
    long dp = asl_jnp_index_of(r.mantissa, p->dec, 0);
    if (dp == -1) {
        r.integer = r.mantissa;
        r.fraction = r.suffix;
    } else {
        r.integer = asl_jnp_sub(a, r.mantissa, 0, dp);
        r.fraction = asl_jnp_sub(a, r.mantissa, dp + 1, (long)r.mantissa.n);
    }
    return r;
}

static size_t count_family(const numfmt *p, asl_jnp_str s, bool or_digit)
{
    size_t k = 0;
    for (size_t i = 0; i < s.n; i++)
        if (in_family(p, s.c[i]) || (or_digit && is_char(s.c[i], p->digit))) k++;
    return k;
}

/* F&O 4.7.3: the checks in the reference's order, the last failing one wins. */
static const char *validate(asl_arena *a, const numfmt *p, const subpic *r)
{
    const char *error = NULL;
    asl_jnp_str s = r->sub;
    long dpos = asl_jnp_index_of(s, p->dec, 0);
    if (dpos != last_index_of(s, p->dec)) error = "D3081";
    if (asl_jnp_index_of(s, p->pct, 0) != last_index_of(s, p->pct)) error = "D3082";
    if (asl_jnp_index_of(s, p->pm, 0) != last_index_of(s, p->pm)) error = "D3083";
    if (asl_jnp_index_of(s, p->pct, 0) != -1 && asl_jnp_index_of(s, p->pm, 0) != -1) error = "D3084";
    if (count_family(p, r->mantissa, true) == 0) error = "D3085";
    for (size_t i = 0; i < r->active.n; i++)
        if (!is_active(p, r->active.c[i])) error = "D3086";
    if (dpos != -1) {
        if (char_at_is(s, dpos - 1, p->grp) || char_at_is(s, dpos + 1, p->grp)) error = "D3087";
    } else if (char_at_is(r->integer, (long)r->integer.n - 1, p->grp)) {
        error = "D3088";
    }
    if (asl_jnp_index_of(s, cat(a, p->grp, p->grp), 0) != -1) error = "D3089";
    long od = asl_jnp_index_of(r->integer, p->digit, 0);
    if (od != -1 && count_family(p, asl_jnp_sub(a, r->integer, 0, od), false) > 0) error = "D3090";
    od = last_index_of(r->fraction, p->digit);
    if (od != -1 && count_family(p, asl_jnp_sub(a, r->fraction, od, (long)r->fraction.n), false) > 0)
        error = "D3091";
    if (r->has_exponent && r->exponent.n > 0 &&
        (asl_jnp_index_of(s, p->pct, 0) != -1 || asl_jnp_index_of(s, p->pm, 0) != -1))
        error = "D3092";
    if (r->has_exponent && (r->exponent.n == 0 || count_family(p, r->exponent, false) != r->exponent.n))
        error = "D3093";
    return error;
}

typedef struct {
    uint32_t *int_groups;
    size_t nint;
    uint32_t regular;
    uint32_t *frac_groups;
    size_t nfrac;
    long min_int, scaling, min_frac, max_frac, min_exp;
    asl_jnp_str prefix, suffix, picture;
} numvars;

/* Positions of the grouping separators: digits to their right in the
 * integer part, to their left in the fraction.  The reference looks for
 * each next separator in the integer part, whichever part it measures. */
static size_t grouping_positions(asl_arena *a, const numfmt *p, const subpic *r, asl_jnp_str part,
                                 bool to_left, uint32_t **out)
{
    size_t n = 0;
    *out = asl_alloc(a, (part.n + 1) * sizeof **out);
    if (p->grp.n == 0) return 0;
    /* digits (and optional digits) before each index of part */
    uint32_t *before = asl_alloc(a, (part.n + 1) * sizeof *before);
    before[0] = 0;
    for (size_t i = 0; i < part.n; i++)
        before[i + 1] = before[i] + (in_family(p, part.c[i]) || is_char(part.c[i], p->digit));
    long g = asl_jnp_index_of(part, p->grp, 0);
    while (g != -1 && n <= part.n) {
        size_t at = (size_t)g < part.n ? (size_t)g : part.n;
        (*out)[n++] = to_left ? before[at] : before[part.n] - before[at];
        g = asl_jnp_index_of(r->integer, p->grp, g + 1);
    }
    return n;
}

/* F&O 4.7.4 */
static numvars analyse(asl_arena *a, const numfmt *p, const subpic *r)
{
    numvars v = {0};
    v.nint = grouping_positions(a, p, r, r->integer, false, &v.int_groups);
    v.regular = regular_interval(v.int_groups, v.nint);
    v.nfrac = grouping_positions(a, p, r, r->fraction, true, &v.frac_groups);
    v.min_int = (long)count_family(p, r->integer, false);
    v.scaling = v.min_int;
    v.min_frac = (long)count_family(p, r->fraction, false);
    v.max_frac = (long)count_family(p, r->fraction, true);
    if (v.min_int == 0 && v.max_frac == 0) {
        if (r->has_exponent) {
            v.min_frac = 1;
            v.max_frac = 1;
        } else {
            v.min_int = 1;
        }
    }
    if (r->has_exponent && v.min_int == 0 && asl_jnp_index_of(r->integer, p->digit, 0) != -1) v.min_int = 1;
    if (v.min_int == 0 && v.min_frac == 0) v.min_frac = 1;
    if (r->has_exponent) v.min_exp = (long)count_family(p, r->exponent, false);
    v.prefix = r->prefix;
    v.suffix = r->suffix;
    v.picture = r->sub;
    return v;
}

/* s.slice(0, at) + ins + s.slice(at), in place. */
static void slice_insert(asl_jnp_buf *b, long at, asl_jnp_str ins)
{
    long n = (long)b->n;
    at = at < 0 ? (at + n < 0 ? 0 : at + n) : (at > n ? n : at);
    for (size_t i = 0; i < ins.n; i++) asl_jnp_putc(b, 0);
    memmove(b->c + at + (long)ins.n, b->c + at, (size_t)(n - at) * sizeof *b->c);
    if (ins.n) memcpy(b->c + at, ins.c, ins.n * sizeof *b->c);
}

/* |x|.toFixed(dp) in the picture's digits. */
static asl_jnp_str make_string(asl_arena *a, const numfmt *p, double x, long dp)
{
    char *s = js_to_fixed(a, fabs(x), (int)dp);
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    bool map = !is_char('0', p->zero);
    for (; *s; s++) {
        uint32_t c = (unsigned char)*s;
        if (map && c >= '0' && c <= '9') c = p->family ? p->zc + (c - '0') : c;
        asl_jnp_putc(&b, c);
    }
    return asl_jnp_buf_str(&b);
}

static asl_jnp_str prop(asl_arena *a, const char *given, const char *def)
{
    return asl_jnp_decode(a, given ? given : def);
}

const char *asl_jn_format_number(asl_arena *a, double value, const char *picture,
                                 const asl_jn_decimal_format *fmt, char **out)
{
    static const asl_jn_decimal_format none = {0};
    if (!fmt) fmt = &none;
    numfmt p;
    p.dec = prop(a, fmt->decimal_separator, ".");
    p.grp = prop(a, fmt->grouping_separator, ",");
    p.exp = prop(a, fmt->exponent_separator, "e");
    p.minus = prop(a, fmt->minus_sign, "-");
    p.inf = prop(a, fmt->infinity, "Infinity");
    p.nan = prop(a, fmt->nan, "NaN");
    p.pct = prop(a, fmt->percent, "%");
    p.pm = prop(a, fmt->per_mille, "\xe2\x80\xb0");
    p.zero = prop(a, fmt->zero_digit, "0");
    p.digit = prop(a, fmt->digit, "#");
    p.patsep = prop(a, fmt->pattern_separator, ";");
    p.family = p.zero.n > 0;
    p.zc = p.family ? p.zero.c[0] : 0;

    /* sub-pictures: picture.split(pattern-separator), two at most */
    asl_jnp_str pic = asl_jnp_decode(a, picture), subs[2];
    size_t nsub = 0;
    if (p.patsep.n == 0) {
        if (pic.n > 2) return "D3080";
        for (size_t i = 0; i < pic.n; i++) subs[nsub++] = (asl_jnp_str){pic.c + i, 1};
        if (pic.n == 0) subs[nsub++] = pic;
    } else {
        long from = 0;
        for (;;) {
            long at = asl_jnp_index_of(pic, p.patsep, from);
            if (nsub == 2) return "D3080";
            subs[nsub++] = asl_jnp_sub(a, pic, from, at == -1 ? (long)pic.n : at);
            if (at == -1) break;
            from = at + (long)p.patsep.n;
        }
    }
    subpic parts[2];
    for (size_t i = 0; i < nsub; i++) parts[i] = split_parts(a, &p, subs[i]);
    for (size_t i = 0; i < nsub; i++) {
        const char *err = validate(a, &p, &parts[i]);
        if (err) return err;
    }
    numvars vars[2];
    for (size_t i = 0; i < nsub; i++) vars[i] = analyse(a, &p, &parts[i]);
    if (nsub == 1) {
        vars[1] = vars[0];
        vars[1].prefix = cat(a, p.minus, vars[0].prefix);
    }

    const numvars *pv = value >= 0 ? &vars[0] : &vars[1];
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    if (!isfinite(value)) {
        /* F&O bullets 1 and 4 (JSONata has no such numbers; the reference leaves them out) */
        asl_jnp_put(&b, pv->prefix);
        asl_jnp_put(&b, isnan(value) ? p.nan : p.inf);
        asl_jnp_put(&b, pv->suffix);
        *out = asl_jnp_encode(a, asl_jnp_buf_str(&b));
        return NULL;
    }
    double adjusted = value;
    if (asl_jnp_index_of(pv->picture, p.pct, 0) != -1)
        adjusted = value * 100;
    else if (asl_jnp_index_of(pv->picture, p.pm, 0) != -1)
        adjusted = value * 1000;
    double mantissa = adjusted;
    long exponent = 0;
    bool has_exp = pv->min_exp != 0;
    if (has_exp && mantissa != 0 && isfinite(mantissa)) {
        double maxm = pow(10, (double)pv->scaling), minm = pow(10, (double)(pv->scaling - 1));
        while (fabs(mantissa) < minm) {
            mantissa *= 10;
            exponent--;
        }
        while (fabs(mantissa) > maxm) {
            mantissa /= 10;
            exponent++;
        }
    }
    double rounded = js_round(mantissa, (int)pv->max_frac);
    asl_jnp_str s = make_string(a, &p, rounded, pv->max_frac);
    asl_jnp_str dot = ascii_str(a, ".");
    long dp = asl_jnp_index_of(s, dot, 0);
    if (dp == -1)
        s = cat(a, s, p.dec);
    else
        s = cat3(a, asl_jnp_sub(a, s, 0, dp), p.dec, asl_jnp_sub(a, s, dp + 1, (long)s.n));
    while (char_at_is(s, 0, p.zero) && s.n) s = asl_jnp_sub(a, s, 1, (long)s.n);
    while (char_at_is(s, (long)s.n - 1, p.zero) && s.n) s = asl_jnp_sub(a, s, 0, (long)s.n - 1);
    /* bullets 8 and 9: padding */
    dp = asl_jnp_index_of(s, p.dec, 0);
    long padl = pv->min_int - dp, padr = pv->min_frac - ((long)s.n - dp - 1);
    asl_jnp_buf t;
    asl_jnp_buf_init(&t, a);
    for (long i = 0; i < padl; i++) asl_jnp_put(&t, p.zero);
    asl_jnp_put(&t, s);
    for (long i = 0; i < padr; i++) asl_jnp_put(&t, p.zero);
    s = asl_jnp_buf_str(&t);
    dp = asl_jnp_index_of(s, p.dec, 0);
    /* bullet 10: the integer part's groups */
    asl_jnp_buf g;
    asl_jnp_buf_init(&g, a);
    if (pv->regular > 0) {
        /* before every group of `regular` digits left of the separator */
        long every = (long)pv->regular;
        for (long i = 0; i < (long)s.n; i++) {
            if (i >= 1 && i < dp && (dp - i) % every == 0) asl_jnp_put(&g, p.grp);
            asl_jnp_putc(&g, s.c[i]);
        }
    } else {
        asl_jnp_put(&g, s);
        for (size_t i = 0; i < pv->nint; i++) {
            slice_insert(&g, dp - (long)pv->int_groups[i], p.grp);
            dp++;
        }
    }
    /* bullet 11: the fraction's */
    s = asl_jnp_buf_str(&g);
    dp = asl_jnp_index_of(s, p.dec, 0);
    for (size_t i = 0; i < pv->nfrac; i++) slice_insert(&g, (long)pv->frac_groups[i] + dp + 1, p.grp);
    s = asl_jnp_buf_str(&g);
    /* bullet 12: no decimal separator without a fraction */
    dp = asl_jnp_index_of(s, p.dec, 0);
    if (asl_jnp_index_of(pv->picture, p.dec, 0) == -1 || dp == (long)s.n - 1)
        s = asl_jnp_sub(a, s, 0, (long)s.n - 1);
    asl_jnp_put(&b, pv->prefix);
    asl_jnp_put(&b, s);
    /* bullet 13: the exponent */
    if (has_exp) {
        asl_jnp_str e = make_string(a, &p, (double)exponent, 0);
        asl_jnp_put(&b, p.exp);
        if (exponent < 0) asl_jnp_put(&b, p.minus);
        for (long i = pv->min_exp - (long)e.n; i > 0; i--) asl_jnp_put(&b, p.zero);
        asl_jnp_put(&b, e);
    }
    asl_jnp_put(&b, pv->suffix);
    *out = asl_jnp_encode(a, asl_jnp_buf_str(&b));
    return NULL;
}
