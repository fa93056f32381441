/*
 * jsonata_integer.c — JSONata's $formatInteger and $parseInteger: the XPath
 * F&O 3.1 fn:format-integer picture rules as the reference implementation,
 * jsonata-js, applies them, down to its quirks (Step Functions runs it, so
 * its answers are the ones a workflow must get): decimal digit families,
 * regular and irregular grouping, ordinals, letters, roman numerals and
 * English words.  The analysed picture is shared with the date markers of
 * jsonata_datetime.c.
 */
#include "jsonata_picture_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
const asl_jnp_word asl_jnp_words[] = {
    {"zero", 0}, {"one", 1}, {"two", 2}, {"three", 3}, {"four", 4}, {"five", 5}, {"six", 6}, {"seven", 7},
    {"eight", 8}, {"nine", 9}, {"ten", 10}, {"eleven", 11}, {"twelve", 12}, {"thirteen", 13},
    {"fourteen", 14}, {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18},
    {"nineteen", 19}, {"zeroth", 0}, {"first", 1}, {"second", 2}, {"third", 3}, {"fourth", 4}, {"fifth", 5},
    {"sixth", 6}, {"seventh", 7}, {"eighth", 8}, {"ninth", 9}, {"tenth", 10}, {"eleventh", 11},
    {"twelfth", 12}, {"thirteenth", 13}, {"fourteenth", 14}, {"fifteenth", 15}, {"sixteenth", 16},
    {"seventeenth", 17}, {"eighteenth", 18}, {"nineteenth", 19}, {"twenty", 20}, {"twentieth", 20},
    {"thirty", 30}, {"thirtieth", 30}, {"forty", 40}, {"fortieth", 40}, {"fifty", 50}, {"fiftieth", 50},
    {"sixty", 60}, {"sixtieth", 60}, {"seventy", 70}, {"seventieth", 70}, {"eighty", 80}, {"eightieth", 80},
    {"ninety", 90}, {"ninetieth", 90}, {"hundred", 100}, {"hundreieth", 100}, {"hundredth", 100},
    {"thousand", 1e3}, {"thousandth", 1e3}, {"million", 1e6}, {"millionth", 1e6}, {"billion", 1e9},
    {"billionth", 1e9}, {"trillion", 1e12}, {"trillionth", 1e12}};
const size_t asl_jnp_nwords = sizeof asl_jnp_words / sizeof *asl_jnp_words;

static double word_value(asl_jnp_str w)
{
    for (size_t i = 0; i < asl_jnp_nwords; i++) {
        const char *s = asl_jnp_words[i].word;
        size_t n = strlen(s), j;
        if (n != w.n) continue;
        for (j = 0; j < n && w.c[j] == (unsigned char)s[j]; j++) {}
        if (j == n) return asl_jnp_words[i].value;
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
        primary = asl_jnp_sub(picture, 0, i);
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
    uint32_t every = same ? asl_jnp_regular_interval(pos, f->ngroups) : 0;
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
        if (isinf(value)) return "D1001";    /* the reference's loop never ends */
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
    if (!picture) return "T0410";    /* the signature <n-s:s> wants one */
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
    *undefined = 0;
    if (!picture) return "T0410";
    if (!s) {
        *undefined = 1;    /* an undefined string is undefined, as everywhere in JSONata */
        return NULL;
    }
    asl_arena *a = asl_arena_new();
    asl_jnp_intfmt f;
    const char *err = asl_jnp_analyse_integer(a, asl_jnp_decode(a, picture), &f);
    if (!err) err = asl_jnp_parse_integer(a, asl_jnp_decode(a, s), &f, out);
    asl_arena_free(a);
    return err;
}

