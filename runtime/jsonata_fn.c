/*
 * jsonata_fn.c — JSONata's built-in functions (jsonata-js 2.0.6's
 * functions.js) and Step Functions' additions, in one table: name,
 * signature (checked by asl_jn_apply before the call), arity as the
 * reference counts it (what higher-order functions pass), implementation.
 * Strings are counted in code points, as the reference does with Array.from.
 */
#include "jsonata.h"
#include "jsonata_picture.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <wctype.h>

typedef asl_jn_ctx ctx;
#define A(i) (i < n ? args[i] : NULL)
#define FN(name) static asl_value *fn_##name(ctx *c, asl_value **args, int n, asl_value *focus __attribute__((unused)))
#define UNUSED (void)focus, (void)c, (void)n


static asl_value *num(ctx *c, double d) { return asl_jn_num(c, d); }
static asl_value *str(ctx *c, const char *s, size_t len) { return asl_string(c->a, s, len); }

/* ---- aggregation ------------------------------------------------------------ */

FN(sum)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a) return NULL;
    double t = 0;
    for (uint32_t i = 0; i < a->len; i++) t += a->u.a.items[i]->u.n.num;
    return num(c, t);
}
FN(count)
{
    UNUSED;
    asl_value *a = A(0);
    return num(c, a ? a->len : 0);
}
static asl_value *extreme(ctx *c, asl_value *a, int sign)
{
    if (!a || a->len == 0) return NULL;
    double m = a->u.a.items[0]->u.n.num;
    for (uint32_t i = 1; i < a->len; i++) {
        double x = a->u.a.items[i]->u.n.num;
        if (sign * (x - m) > 0) m = x;
    }
    return num(c, m);
}
FN(max) { UNUSED; return extreme(c, A(0), 1); }
FN(min) { UNUSED; return extreme(c, A(0), -1); }
FN(average)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a || a->len == 0) return NULL;
    double t = 0;
    for (uint32_t i = 0; i < a->len; i++) t += a->u.a.items[i]->u.n.num;
    return num(c, t / a->len);
}

/* ---- strings ------------------------------------------------------------------- */

static size_t cp_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}
/* Byte offset of code point i (clamped). */
static size_t cp_off(const char *s, size_t n, size_t i)
{
    size_t b = 0;
    while (b < n && i > 0) {
        b++;
        while (b < n && ((unsigned char)s[b] & 0xC0) == 0x80) b++;
        i--;
    }
    return b;
}

FN(string)
{
    UNUSED;
    asl_value *v = A(0);
    if (!v) return NULL;
    if (v->type == ASL_ARRAY && (v->flags & ASL_JN_OUTER) && v->len) v = v->u.a.items[0];   /* the input itself */
    return asl_jn_string(c, v, A(1) && A(1)->type == ASL_TRUE);
}
FN(length) { UNUSED; return A(0) ? num(c, (double)cp_len(A(0)->u.str, A(0)->len)) : NULL; }
/* Array.prototype.slice's index: from the end when negative, clamped, truncated. */
static double slice_index(double i, double len)
{
    i = trunc(i);
    if (i < 0) return len + i < 0 ? 0 : len + i;
    return i > len ? len : i;
}
FN(substring)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    /* an undefined start is NaN in JavaScript: the whole string, or nothing with a length */
    if (!A(1)) return A(2) && A(2)->u.n.num > 0 ? str(c, "", 0) : s;
    double len = (double)cp_len(s->u.str, s->len), start = A(1)->u.n.num, end = len;
    if (len + start < 0) start = 0;
    if (A(2)) {
        double count = A(2)->u.n.num;
        if (count <= 0) return str(c, "", 0);
        end = start >= 0 ? start + count : len + start + count;
    }
    double from = slice_index(start, len), to = slice_index(end, len);
    if (to <= from) return str(c, "", 0);
    size_t b0 = cp_off(s->u.str, s->len, (size_t)from), b1 = cp_off(s->u.str, s->len, (size_t)to);
    return str(c, s->u.str + b0, b1 - b0);
}
/* JavaScript's indexOf, from the start; an undefined needle is the text "undefined". */
static const char *find(const asl_value *s, const asl_value *t)
{
    static const asl_value undefined_text = { .type = ASL_STRING, .len = 9, .u.str = "undefined" };
    if (!t) t = &undefined_text;
    if (t->len == 0) return s->u.str;
    if (t->len > s->len) return NULL;
    for (size_t i = 0; i + t->len <= s->len; i++)
        if (memcmp(s->u.str + i, t->u.str, t->len) == 0) return s->u.str + i;
    return NULL;
}
FN(substringBefore)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    const char *p = find(s, A(1));
    return p ? str(c, s->u.str, (size_t)(p - s->u.str)) : s;
}
FN(substringAfter)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    const char *p = find(s, A(1));
    size_t tl = A(1) ? A(1)->len : 9;   /* "undefined" */
    return p ? str(c, p + tl, s->len - (size_t)(p - s->u.str) - tl) : s;
}
/* The C.UTF-8 locale's case mappings (Unicode's simple ones, which are
 * JavaScript's but for the few that change a string's length, as ß).
 * Made once; read-only afterwards, so shared by every thread. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static void utf8_init(void) { utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0); }

/* Decodes the UTF-8 character at s (n bytes left): its code point, *len its bytes. */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t c = s[0];
    size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (k > n) k = n;
    if (k == 1) { *len = 1; return c; }
    c &= 0x3F >> (k - 1);
    for (size_t i = 1; i < k; i++) c = c << 6 | (s[i] & 0x3F);
    *len = k;
    return c;
}

static void utf8_put(asl_buf *b, uint32_t cp)
{
    unsigned char u[4];
    asl_buf_put(b, (const char *)u, asl_utf8_encode(cp, u));
}

/* toUpperCase's mappings to more than one character (Unicode's
 * SpecialCasing without conditions): the ones in common text. */
static const char *special_upper(uint32_t cp)
{
    switch (cp) {
    case 0xDF: return "SS";
    case 0x149: return "\xca\xbcN";
    case 0xFB00: return "FF";
    case 0xFB01: return "FI";
    case 0xFB02: return "FL";
    case 0xFB03: return "FFI";
    case 0xFB04: return "FFL";
    case 0xFB05: case 0xFB06: return "ST";
    case 0x587: return "\xd4\xb5\xd5\x92";
    default: return NULL;
    }
}

/* Whether the Σ at byte i (k bytes) ends a word, where toLowerCase gives ς:
 * a letter before it and none after. */
static bool final_sigma(const unsigned char *p, size_t n, size_t i, size_t k)
{
    if (i == 0) return false;
    size_t b = i - 1;
    while (b > 0 && (p[b] & 0xC0) == 0x80) b--;
    size_t len;
    uint32_t before = utf8_decode(p + b, n - b, &len);
    if (!(utf8_locale ? iswalpha_l((wint_t)before, utf8_locale) : (before < 0x80 && ((before | 32) - 'a') < 26)))
        return false;
    if (i + k >= n) return true;
    uint32_t after = utf8_decode(p + i + k, n - i - k, &len);
    return !(utf8_locale ? iswalpha_l((wint_t)after, utf8_locale) : (after < 0x80 && ((after | 32) - 'a') < 26));
}

static asl_value *recase(ctx *c, asl_value *s, bool up)
{
    if (!s) return NULL;
    pthread_once(&utf8_once, utf8_init);
    asl_buf b;
    asl_buf_init(&b);
    const unsigned char *p = (const unsigned char *)s->u.str;
    for (size_t i = 0; i < s->len;) {
        size_t k;
        uint32_t cp = utf8_decode(p + i, s->len - i, &k);
        const char *special = up ? special_upper(cp) : NULL;
        if (special) {
            asl_buf_puts(&b, special);
            i += k;
            continue;
        }
        if (!up && cp == 0x3A3 && final_sigma(p, s->len, i, k)) cp = 0x3C2;
        else if (!up && cp == 0x130) {   /* İ: i and a combining dot above */
            asl_buf_puts(&b, "i\xcc\x87");
            i += k;
            continue;
        } else if (cp < 0x80) cp = up ? (cp >= 'a' && cp <= 'z' ? cp - 32 : cp) : (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        else if (utf8_locale) cp = (uint32_t)(up ? towupper_l((wint_t)cp, utf8_locale) : towlower_l((wint_t)cp, utf8_locale));
        utf8_put(&b, cp);
        i += k;
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
FN(uppercase) { UNUSED; return recase(c, A(0), true); }
FN(lowercase) { UNUSED; return recase(c, A(0), false); }
FN(trim)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    asl_buf b;
    asl_buf_init(&b);
    bool space = false;
    for (uint32_t i = 0; i < s->len; i++) {
        char ch = s->u.str[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {   /* the reference's [ \t\n\r]+ */
            space = true;
            continue;
        }
        if (space && b.len) asl_buf_putc(&b, ' ');
        space = false;
        asl_buf_putc(&b, ch);
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
FN(pad)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    if (!A(1)) return s;   /* NaN wide */
    double w = A(1)->u.n.num;
    const char *pc = A(2) && A(2)->len ? A(2)->u.str : " ";
    size_t pcl = A(2) && A(2)->len ? A(2)->len : 1, pcn = cp_len(pc, pcl);
    size_t have = cp_len(s->u.str, s->len), want = (size_t)fabs(w);
    if (want <= have) return s;
    size_t need = want - have;
    asl_buf b;
    asl_buf_init(&b);
    if (w > 0) asl_buf_put(&b, s->u.str, s->len);
    for (size_t i = 0; i < need; i++) {
        size_t k = i % pcn, o0 = cp_off(pc, pcl, k), o1 = cp_off(pc, pcl, k + 1);
        asl_buf_put(&b, pc + o0, o1 - o0);
    }
    if (w < 0) asl_buf_put(&b, s->u.str, s->len);
    asl_value *r = str(c, b.data, b.len);
    asl_buf_free(&b);
    return r;
}

/* ---- matchers: a regex, or a function that behaves as one ----------------
 *
 * The reference's protocol: a matcher called on a string gives undefined
 * (no match) or {match, start, end, groups, next}, next giving the match
 * after it.  For a regex, next searches again from the end of the match
 * (JavaScript's lastIndex, not moved past an empty match) and gives nothing
 * once that end is the end of the string; a later match that is empty is
 * D1004, as it would never move on.  Offsets here are bytes; the match
 * objects JSONata sees count UTF-16 units. */
typedef struct {
    asl_jn_fn *re;          /* a regex, or NULL for a function matcher */
    asl_value *m;           /* a function matcher's current match object */
    asl_value *focus;
    const char *s;
    size_t n;
    size_t ov[64];
    int ng;
    bool have;
} matcher;

static bool match_obj_ok(const asl_value *m)
{
    if (!m || m->type != ASL_OBJECT) return m == NULL;
    asl_value *st = asl_object_get(m, "start", 5), *g = asl_object_get(m, "groups", 6), *nx = asl_object_get(m, "next", 4);
    return asl_jn_is_num(st) || asl_jn_is_array(g) || asl_jn_is_fn(nx);
}

/* Byte offset of the UTF-16 index u in s (for a function matcher's start/end). */
static size_t utf16_to_byte(const char *s, size_t n, double u)
{
    size_t b = 0;
    double k = 0;
    while (b < n && k < u) {
        size_t len;
        uint32_t cp = utf8_decode((const unsigned char *)s + b, n - b, &len);
        k += cp >= 0x10000 ? 2 : 1;
        b += len;
    }
    return b;
}

static void from_object(matcher *mt)
{
    asl_value *m = mt->m, *st = asl_object_get(m, "start", 5), *en = asl_object_get(m, "end", 3);
    asl_value *mm = asl_object_get(m, "match", 5), *g = asl_object_get(m, "groups", 6);
    mt->ov[0] = asl_jn_is_num(st) ? utf16_to_byte(mt->s, mt->n, st->u.n.num) : 0;
    mt->ov[1] = asl_jn_is_num(en) ? utf16_to_byte(mt->s, mt->n, en->u.n.num)
              : mt->ov[0] + (asl_jn_is_str(mm) ? mm->len : 0);
    mt->ng = 1;
    (void)g;
}

static bool matcher_first(ctx *c, matcher *mt, asl_value *f, asl_value *str, asl_value *focus)
{
    memset(mt, 0, sizeof *mt);
    mt->s = str->u.str;
    mt->n = str->len;
    mt->focus = focus;
    if (asl_jn_is_fn(f) && ((asl_jn_fn *)f)->kind == JN_FN_REGEX) {
        mt->re = (asl_jn_fn *)f;
        mt->have = asl_jn_regex_next(mt->re, mt->s, mt->n, 0, mt->ov, &mt->ng);
        return true;
    }
    mt->m = asl_jn_apply(c, f, &str, 1, NULL);   /* as the reference's wrapper: no input */
    if (asl_jn_failed(c)) return false;
    if (!match_obj_ok(mt->m)) {
        asl_jn_error(c, "T1010", mt->m);
        return false;
    }
    mt->have = mt->m != NULL;
    if (mt->have) from_object(mt);
    return true;
}

static bool matcher_next(ctx *c, matcher *mt)
{
    if (mt->re) {
        if (mt->ov[1] >= mt->n) {
            mt->have = false;
            return true;
        }
        mt->have = asl_jn_regex_next(mt->re, mt->s, mt->n, mt->ov[1], mt->ov, &mt->ng);
        if (mt->have && mt->ov[0] == mt->ov[1]) {
            asl_jn_error(c, "D1004", asl_string(c->a, mt->re->pattern, strlen(mt->re->pattern)));
            return false;
        }
        return true;
    }
    asl_value *next = asl_object_get(mt->m, "next", 4);
    mt->m = asl_jn_is_fn(next) ? asl_jn_apply(c, next, NULL, 0, NULL) : NULL;
    if (asl_jn_failed(c)) return false;
    if (!match_obj_ok(mt->m)) {
        asl_jn_error(c, "T1010", mt->m);
        return false;
    }
    mt->have = mt->m != NULL;
    if (mt->have) from_object(mt);
    return true;
}

/* The object $match gives for the current match. */
static asl_value *matcher_obj(ctx *c, matcher *mt)
{
    if (mt->re) return asl_jn_regex_match_obj(c, mt->s, mt->ov, mt->ng);
    asl_value *o = asl_object(c->a, 3);
    asl_value *mm = asl_object_get(mt->m, "match", 5), *st = asl_object_get(mt->m, "start", 5), *g = asl_object_get(mt->m, "groups", 6);
    if (mm) asl_object_append(c->a, o, "match", 5, mm);
    if (st) asl_object_append(c->a, o, "index", 5, st);
    if (g) asl_object_append(c->a, o, "groups", 6, g);
    return o;
}

FN(contains)
{
    asl_value *s = A(0), *t = A(1);
    if (!s) return NULL;
    if (asl_jn_is_str(t)) return asl_bool(find(s, t) != NULL);
    if (!asl_jn_is_fn(t)) return NULL;
    matcher mt;
    if (!matcher_first(c, &mt, t, s, focus)) return NULL;
    return asl_bool(mt.have);
}
FN(split)
{
    asl_value *s = A(0), *sep = A(1), *lim = A(2);
    if (!s) return NULL;
    if (lim && lim->u.n.num < 0) return asl_jn_error(c, "D3020", lim);
    asl_value *r = asl_array(c->a, 4);
    if (lim && lim->u.n.num == 0) return r;
    if (asl_jn_is_str(sep)) {
        double limit = lim ? floor(lim->u.n.num) : INFINITY;   /* String.split's ToUint32 */
        if (sep->len == 0) {
            for (size_t i = 0; i < s->len && r->len < limit;) {
                size_t j = i + 1;
                while (j < s->len && ((unsigned char)s->u.str[j] & 0xC0) == 0x80) j++;
                asl_array_push(c->a, r, str(c, s->u.str + i, j - i));
                i = j;
            }
            return r;
        }
        size_t at = 0;
        while (r->len < limit) {
            asl_value rest = *s;
            rest.u.str = s->u.str + at;
            rest.len = s->len - (uint32_t)at;
            const char *p = find(&rest, sep);
            if (!p) {
                asl_array_push(c->a, r, str(c, s->u.str + at, s->len - at));
                break;
            }
            asl_array_push(c->a, r, str(c, s->u.str + at, (size_t)(p - s->u.str) - at));
            at = (size_t)(p - s->u.str) + sep->len;
        }
        return r;
    }
    double limit = lim ? lim->u.n.num : INFINITY;
    matcher mt;
    if (!matcher_first(c, &mt, sep, s, focus)) return NULL;
    if (!mt.have) {
        asl_array_push(c->a, r, s);
        return r;
    }
    size_t start = 0;
    double count = 0;
    while (mt.have && count < limit) {
        asl_array_push(c->a, r, str(c, s->u.str + start, mt.ov[0] > start ? mt.ov[0] - start : 0));
        start = mt.ov[1];
        if (!matcher_next(c, &mt)) return NULL;
        count++;
    }
    if (count < limit) asl_array_push(c->a, r, str(c, s->u.str + start, start < s->len ? s->len - start : 0));
    return r;
}
FN(join)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a) return NULL;
    asl_buf b;
    asl_buf_init(&b);
    for (uint32_t i = 0; i < a->len; i++) {
        if (i && A(1)) asl_buf_put(&b, A(1)->u.str, A(1)->len);
        asl_buf_put(&b, a->u.a.items[i]->u.str, a->u.a.items[i]->len);
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
FN(match)
{
    asl_value *s = A(0), *re = A(1), *lim = A(2);
    if (!s) return NULL;
    if (lim && lim->u.n.num < 0) return asl_jn_error(c, "D3040", lim);
    double limit = lim ? lim->u.n.num : INFINITY;
    asl_value *r = asl_jn_seq(c->a, 4);
    if (limit == 0) return r;
    matcher mt;
    if (!matcher_first(c, &mt, re, s, focus)) return NULL;
    for (double count = 0; mt.have && count < limit; count++) {
        asl_array_push(c->a, r, matcher_obj(c, &mt));
        if (!matcher_next(c, &mt)) return NULL;
    }
    return r;
}

/* The replacement text for one match: $0 the match, $n group n (as many
 * digits as the group count has, fewer if that is too many), $$ a $. */
static void substitute(asl_buf *b, const asl_value *rep, const char *s, const size_t *ov, int ng)
{
    int groups = ng - 1;
    int max_digits = groups == 0 ? 1 : (int)floor(log10((double)groups)) + 1;
    for (uint32_t i = 0; i < rep->len; i++) {
        char ch = rep->u.str[i];
        if (ch != '$') {
            asl_buf_putc(b, ch);
            continue;
        }
        char d = i + 1 < rep->len ? rep->u.str[i + 1] : 0;
        if (d == '$') { asl_buf_putc(b, '$'); i++; continue; }
        if (d == '0') { asl_buf_put(b, s + ov[0], ov[1] - ov[0]); i++; continue; }
        int k = 0, idx = 0;
        while (k < max_digits && i + 1 + k < rep->len && rep->u.str[i + 1 + k] >= '0' && rep->u.str[i + 1 + k] <= '9') {
            idx = idx * 10 + (rep->u.str[i + 1 + k] - '0');
            k++;
        }
        if (k == 0) { asl_buf_putc(b, '$'); continue; }   /* not a group: a literal $ */
        if (k > 1 && idx > groups) {
            idx /= 10;
            k--;
        }
        if (groups > 0 && idx >= 1 && idx <= groups && ov[2 * idx] != (size_t)-1)
            asl_buf_put(b, s + ov[2 * idx], ov[2 * idx + 1] - ov[2 * idx]);
        i += (uint32_t)k;
    }
}

FN(replace)
{
    asl_value *s = A(0), *pat = A(1), *rep = A(2), *lim = A(3);
    if (!s) return NULL;
    if (asl_jn_is_str(pat) && pat->len == 0) return asl_jn_error(c, "D3010", pat);
    if (lim && lim->u.n.num < 0) return asl_jn_error(c, "D3011", lim);
    double limit = lim ? lim->u.n.num : INFINITY;
    if (limit == 0) return s;
    asl_buf b;
    asl_buf_init(&b);
    size_t at = 0;
    double count = 0;
    if (asl_jn_is_str(pat)) {
        /* a string pattern: the replacement is taken as it is */
        for (; count < limit; count++) {
            asl_value rest = *s;
            rest.u.str = s->u.str + at;
            rest.len = s->len - (uint32_t)at;
            const char *p = find(&rest, pat);
            if (!p) break;
            asl_buf_put(&b, s->u.str + at, (size_t)(p - s->u.str) - at);
            if (asl_jn_is_str(rep)) asl_buf_put(&b, rep->u.str, rep->len);
            at = (size_t)(p - s->u.str) + pat->len;
        }
    } else {
        matcher mt;
        if (!matcher_first(c, &mt, pat, s, focus)) { asl_buf_free(&b); return NULL; }
        if (!mt.have) { asl_buf_free(&b); return s; }
        for (; mt.have && count < limit; count++) {
            asl_buf_put(&b, s->u.str + at, mt.ov[0] > at ? mt.ov[0] - at : 0);
            if (asl_jn_is_str(rep)) {
                substitute(&b, rep, s->u.str, mt.ov, mt.ng);
            } else {
                asl_value *m = matcher_obj(c, &mt);
                asl_value *x = asl_jn_apply(c, rep, &m, 1, NULL);
                if (asl_jn_failed(c)) { asl_buf_free(&b); return NULL; }
                if (!asl_jn_is_str(x)) { asl_buf_free(&b); return asl_jn_error(c, "D3012", x); }
                asl_buf_put(&b, x->u.str, x->len);
            }
            at = mt.ov[1];
            if (!matcher_next(c, &mt)) { asl_buf_free(&b); return NULL; }
        }
    }
    if (at < s->len) asl_buf_put(&b, s->u.str + at, s->len - at);
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/* Base64 as jsonata-js does it on Node: Buffer.from(s, 'binary'), so each
 * UTF-16 unit of the string is one byte (its low byte), and back. */
FN(base64encode)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    asl_buf bytes, b;
    asl_buf_init(&bytes);
    asl_buf_init(&b);
    const unsigned char *q = (const unsigned char *)s->u.str;
    for (size_t i = 0; i < s->len;) {
        size_t k;
        uint32_t cp = utf8_decode(q + i, s->len - i, &k);
        if (cp >= 0x10000) {   /* a surrogate pair: two units */
            asl_buf_putc(&bytes, (char)((0xD800 + ((cp - 0x10000) >> 10)) & 0xFF));
            asl_buf_putc(&bytes, (char)((0xDC00 + ((cp - 0x10000) & 0x3FF)) & 0xFF));
        } else {
            asl_buf_putc(&bytes, (char)(cp & 0xFF));
        }
        i += k;
    }
    const unsigned char *p = (const unsigned char *)bytes.data;
    for (size_t i = 0; i < bytes.len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < bytes.len ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < bytes.len ? p[i + 2] : 0);
        asl_buf_putc(&b, b64[v >> 18 & 63]);
        asl_buf_putc(&b, b64[v >> 12 & 63]);
        asl_buf_putc(&b, i + 1 < bytes.len ? b64[v >> 6 & 63] : '=');
        asl_buf_putc(&b, i + 2 < bytes.len ? b64[v & 63] : '=');
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    asl_buf_free(&bytes);
    return r;
}
FN(base64decode)
{
    UNUSED;
    asl_value *s = A(0);
    if (!s) return NULL;
    asl_buf b;
    asl_buf_init(&b);
    uint32_t acc = 0;
    int bits = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        char ch = s->u.str[i];
        if (ch == '=') break;
        const char *q = ch ? strchr(b64, ch) : NULL;
        if (ch == '-') q = b64 + 62;   /* Node reads the URL-safe alphabet too */
        if (ch == '_') q = b64 + 63;
        if (!q) continue;
        acc = acc << 6 | (uint32_t)(q - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            utf8_put(&b, acc >> bits & 0xFF);   /* each byte one Latin-1 character */
        }
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
static asl_value *url_encode(ctx *c, asl_value *s, const char *keep)
{
    if (!s) return NULL;
    asl_buf b;
    asl_buf_init(&b);
    for (uint32_t i = 0; i < s->len; i++) {
        unsigned char ch = (unsigned char)s->u.str[i];
        /* a lone surrogate cannot be in valid UTF-8; the reference's URIError D3140 is for those */
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || (ch && strchr(keep, ch))) {
            asl_buf_putc(&b, (char)ch);
        } else {
            char h[4];
            snprintf(h, sizeof h, "%%%02X", ch);
            asl_buf_puts(&b, h);
        }
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
FN(encodeUrlComponent) { UNUSED; return url_encode(c, A(0), "-_.!~*'()"); }
FN(encodeUrl) { UNUSED; return url_encode(c, A(0), "-_.!~*'();/?:@&=+$,#"); }
/* Whether s is well-formed UTF-8 (decodeURIComponent's URIError otherwise). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k = c < 0x80 ? 1 : (c >= 0xC2 && c < 0xE0) ? 2 : (c >= 0xE0 && c < 0xF0) ? 3 : (c >= 0xF0 && c < 0xF5) ? 4 : 0;
        if (!k || i + k > n) return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return false;
        uint32_t cp = c & (0x7F >> (k == 1 ? 0 : k));
        for (size_t j = 1; j < k; j++) cp = cp << 6 | (s[i + j] & 0x3F);
        if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp < 0xE000))
            return false;
        i += k;
    }
    return true;
}

static asl_value *url_decode(ctx *c, asl_value *s, const char *reserved)
{
    if (!s) return NULL;
    asl_buf b;
    asl_buf_init(&b);
    for (uint32_t i = 0; i < s->len; i++) {
        char ch = s->u.str[i];
        if (ch != '%') { asl_buf_putc(&b, ch); continue; }
        int v = -1;
        if (i + 2 < s->len) {
            char h[3] = { s->u.str[i + 1], s->u.str[i + 2], 0 };
            char *end;
            long x = strtol(h, &end, 16);
            if (*end == 0 && h[0] != '-' && h[0] != '+') v = (int)x;
        }
        if (v < 0) { asl_buf_free(&b); return asl_jn_error(c, "D3140", s); }
        if (reserved && v < 128 && v && strchr(reserved, v)) asl_buf_put(&b, s->u.str + i, 3);
        else asl_buf_putc(&b, (char)v);
        i += 2;
    }
    if (!utf8_valid((const unsigned char *)b.data, b.len)) {
        asl_buf_free(&b);
        return asl_jn_error(c, "D3140", s);
    }
    asl_value *r = str(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
}
FN(decodeUrlComponent) { UNUSED; return url_decode(c, A(0), NULL); }
FN(decodeUrl) { UNUSED; return url_decode(c, A(0), ";/?:@&=+$,#"); }

/* ---- numbers -------------------------------------------------------------------- */

FN(number)
{
    UNUSED;
    asl_value *v = A(0);
    if (!v) return NULL;
    if (v->type == ASL_NUMBER) return v;
    if (v->type == ASL_TRUE) return num(c, 1);
    if (v->type == ASL_FALSE) return num(c, 0);
    if (v->type == ASL_STRING) {
        const char *s = v->u.str;
        char *end;
        double d;
        if (v->len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O')) {
            int base = s[1] == 'x' || s[1] == 'X' ? 16 : s[1] == 'b' || s[1] == 'B' ? 2 : 8;
            d = (double)strtoll(s + 2, &end, base);
        } else {
            /* JSON number syntax, as the reference checks it */
            size_t i = 0;
            if (s[i] == '-') i++;
            if (!(s[i] >= '0' && s[i] <= '9')) return asl_jn_error(c, "D3030", v);
            while (s[i] >= '0' && s[i] <= '9') i++;
            if (s[i] == '.') {
                i++;
                if (!(s[i] >= '0' && s[i] <= '9')) return asl_jn_error(c, "D3030", v);
                while (s[i] >= '0' && s[i] <= '9') i++;
            }
            if (s[i] == 'e' || s[i] == 'E') {
                i++;
                if (s[i] == '+' || s[i] == '-') i++;
                if (!(s[i] >= '0' && s[i] <= '9')) return asl_jn_error(c, "D3030", v);
                while (s[i] >= '0' && s[i] <= '9') i++;
            }
            if (i != v->len) return asl_jn_error(c, "D3030", v);
            d = strtod(s, &end);
        }
        if (*end || !isfinite(d)) return asl_jn_error(c, "D3030", v);
        return num(c, d);
    }
    return asl_jn_error(c, "D3030", v);
}
FN(floor) { UNUSED; return A(0) ? num(c, floor(A(0)->u.n.num)) : NULL; }
FN(ceil) { UNUSED; return A(0) ? num(c, ceil(A(0)->u.n.num)) : NULL; }
FN(abs) { UNUSED; return A(0) ? num(c, fabs(A(0)->u.n.num)) : NULL; }
FN(sqrt)
{
    UNUSED;
    if (!A(0)) return NULL;
    if (A(0)->u.n.num < 0) return asl_jn_error(c, "D3060", A(0));
    return num(c, sqrt(A(0)->u.n.num));
}
FN(power)
{
    UNUSED;
    if (!A(0)) return NULL;
    double r = A(1) ? pow(A(0)->u.n.num, A(1)->u.n.num) : NAN;
    if (!isfinite(r)) return asl_jn_error(c, "D3061", A(0));
    return num(c, r);
}
/* The number with its decimal exponent moved by p, through its JavaScript
 * text, as the reference does to round without binary drift. */
static double shift(double v, int p)
{
    char t[32], buf[48];
    asl_jn_num_js(t, v);
    char *e = strchr(t, 'e');
    int x = p;
    if (e) {
        x += atoi(e + 1);
        *e = 0;
    }
    snprintf(buf, sizeof buf, "%se%d", t, x);
    return strtod(buf, NULL);
}
/* The reference's round: half to even, at precision p (decimal places). */
static double jn_round(double v, int p)
{
    if (p) v = shift(v, p);
    double r = floor(v + 0.5);   /* Math.round: halves go up */
    if (fabs(r - v) == 0.5 && fabs(fmod(r, 2)) == 1) r -= 1;   /* to even */
    if (p) r = shift(r, -p);
    return r;
}
FN(round)
{
    UNUSED;
    if (!A(0)) return NULL;
    return num(c, jn_round(A(0)->u.n.num, A(1) ? (int)A(1)->u.n.num : 0));
}
static double rnd(ctx *c)
{
    asl_jn_clock(c);
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return (double)(c->rng >> 11) / 9007199254740992.0;
}
/* Number.prototype.toString(radix) of an integer, as JavaScript engines
 * print one beyond 2^53: the digits the double does not hold are zeros. */
FN(formatBase)
{
    UNUSED;
    if (!A(0)) return NULL;
    double v = jn_round(A(0)->u.n.num, 0), radix = A(1) ? jn_round(A(1)->u.n.num, 0) : 10;
    if (radix < 2 || radix > 36) return asl_jn_error(c, "D3100", A(1));
    if (!isfinite(v)) return str(c, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
    char buf[1200], *p = buf + sizeof buf - 1;
    *p = 0;
    bool neg = v < 0;
    double x = fabs(v);
    while (x / radix >= 9007199254740992.0 && p > buf + 80) {
        x /= radix;
        *--p = '0';
    }
    do {
        double r = fmod(x, radix);
        *--p = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)r];
        x = (x - r) / radix;
    } while (x > 0 && p > buf + 1);
    if (neg && strcmp(p, "0") != 0) *--p = '-';
    return str(c, p, strlen(p));
}

/* ---- boolean -------------------------------------------------------------------- */

FN(boolean) { UNUSED; int t = asl_jn_truthy(A(0)); return t < 0 ? NULL : asl_bool(t); }
FN(not) { UNUSED; int t = asl_jn_truthy(A(0)); return t < 0 ? NULL : asl_bool(!t); }
FN(exists) { UNUSED; return asl_bool(A(0) != NULL); }

/* ---- arrays ------------------------------------------------------------------------ */

FN(append) { UNUSED; return asl_jn_append(c->a, A(0), A(1)); }
FN(reverse)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a) return NULL;
    asl_value *r = asl_array(c->a, a->len);
    for (uint32_t i = a->len; i-- > 0;) asl_array_push(c->a, r, a->u.a.items[i]);
    return r;
}
FN(shuffle)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a) return NULL;
    asl_value *r = asl_array(c->a, a->len);
    for (uint32_t i = 0; i < a->len; i++) asl_array_push(c->a, r, a->u.a.items[i]);
    for (uint32_t i = r->len; i > 1; i--) {
        uint32_t j = (uint32_t)(rnd(c) * i);
        asl_value *t = r->u.a.items[i - 1];
        r->u.a.items[i - 1] = r->u.a.items[j];
        r->u.a.items[j] = t;
    }
    return r;
}
FN(distinct)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a || a->type != ASL_ARRAY || a->len <= 1) return a;
    asl_value *r = asl_jn_is_seq(a) ? asl_jn_seq(c->a, a->len) : asl_array(c->a, a->len);
    for (uint32_t i = 0; i < a->len; i++) {
        bool seen = false;
        for (uint32_t k = 0; k < r->len && !seen; k++) seen = asl_jn_deep_equal(r->u.a.items[k], a->u.a.items[i]);
        if (!seen) asl_array_push(c->a, r, a->u.a.items[i]);
    }
    return r;
}
typedef struct { asl_value *fn; asl_value *focus; } cmp_ud;
static bool default_after(ctx *c, void *ud, asl_value *x, asl_value *y)
{
    (void)ud;
    if (x->type == ASL_NUMBER) return x->u.n.num > y->u.n.num;
    size_t m = x->len < y->len ? x->len : y->len;
    int k = memcmp(x->u.str, y->u.str, m);
    (void)c;
    return k > 0 || (k == 0 && x->len > y->len);
}
static bool fn_after(ctx *c, void *ud, asl_value *x, asl_value *y)
{
    cmp_ud *u = ud;
    asl_value *args[2] = { x, y };
    return asl_jn_truthy(asl_jn_apply(c, u->fn, args, 2, NULL)) == 1;
}
FN(sort)
{
    asl_value *a = A(0);
    if (!a) return NULL;
    if (a->len <= 1) return a;
    if (!A(1)) {
        bool nums = true, strs = true;
        for (uint32_t i = 0; i < a->len; i++) {
            nums = nums && asl_jn_is_num(a->u.a.items[i]);
            strs = strs && asl_jn_is_str(a->u.a.items[i]);
        }
        if (!nums && !strs) return asl_jn_error(c, "D3070", a);
        return asl_jn_sort_by(c, a, default_after, NULL);
    }
    cmp_ud u = { A(1), focus };
    return asl_jn_sort_by(c, a, fn_after, &u);
}
FN(zip)
{
    UNUSED;
    asl_value *r = asl_array(c->a, 4);
    if (n == 0) return r;
    uint32_t len = UINT32_MAX;
    for (int i = 0; i < n; i++) {
        uint32_t l = args[i] ? args[i]->len : 0;
        if (l < len) len = l;
    }
    for (uint32_t k = 0; k < len; k++) {
        asl_value *t = asl_array(c->a, (uint32_t)n);
        for (int i = 0; i < n; i++) asl_array_push(c->a, t, args[i]->u.a.items[k]);
        asl_array_push(c->a, r, t);
    }
    return r;
}

/* ---- higher-order ------------------------------------------------------------------ */

/* (value, index, array) cut to the function's arity, as hofFuncArgs does. */
static asl_value *hof(ctx *c, asl_value *f, asl_value *v, uint32_t i, asl_value *arr, asl_value *focus)
{
    asl_value *args[3] = { v, asl_number(c->a, i), arr };
    int k = asl_jn_arity(f);
    if (k < 1) k = 1;
    if (k > 3) k = 3;
    (void)focus;
    return asl_jn_apply(c, f, args, k, NULL);   /* the reference's wrapper applies with no input */
}
FN(map)
{
    asl_value *a = A(0);
    if (!a) return NULL;
    asl_value *r = asl_jn_seq(c->a, a->len);
    for (uint32_t i = 0; i < a->len; i++) {
        asl_value *x = hof(c, A(1), a->u.a.items[i], i, a, focus);
        if (asl_jn_failed(c)) return NULL;
        if (x) asl_array_push(c->a, r, x);
    }
    return r;
}
FN(filter)
{
    asl_value *a = A(0);
    if (!a) return NULL;
    asl_value *r = asl_jn_seq(c->a, a->len);
    for (uint32_t i = 0; i < a->len; i++) {
        asl_value *x = hof(c, A(1), a->u.a.items[i], i, a, focus);
        if (asl_jn_failed(c)) return NULL;
        if (asl_jn_truthy(x) == 1) asl_array_push(c->a, r, a->u.a.items[i]);
    }
    return r;
}
FN(single)
{
    asl_value *a = A(0), *found = NULL;
    if (!a) return NULL;
    bool any = false;
    for (uint32_t i = 0; i < a->len; i++) {
        bool ok = true;
        if (A(1)) {
            asl_value *x = hof(c, A(1), a->u.a.items[i], i, a, focus);
            if (asl_jn_failed(c)) return NULL;
            ok = asl_jn_truthy(x) == 1;
        }
        if (ok) {
            if (any) return asl_jn_error(c, "D3138", NULL);
            found = a->u.a.items[i];
            any = true;
        }
    }
    if (!any) return asl_jn_error(c, "D3139", NULL);
    return found;
}
FN(reduce)
{
    asl_value *a = A(0), *f = A(1);
    if (!a) return NULL;
    int k = asl_jn_arity(f);
    if (k < 2) return asl_jn_error(c, "D3050", NULL);
    uint32_t i = 0;
    asl_value *acc;
    if (A(2)) acc = A(2);
    else if (a->len == 0) return NULL;
    else acc = a->u.a.items[i++];
    for (; i < a->len; i++) {
        asl_value *xs[4] = { acc, a->u.a.items[i], asl_number(c->a, i), a };
        acc = asl_jn_apply(c, f, xs, k > 4 ? 4 : k, NULL);
        if (asl_jn_failed(c)) return NULL;
    }
    return acc;
}

/* ---- objects ---------------------------------------------------------------------- */

FN(keys)
{
    UNUSED;
    asl_value *v = A(0);
    if (!v) return NULL;
    asl_value *r = asl_jn_seq(c->a, 4);
    if (v->type == ASL_OBJECT) {
        for (uint32_t i = 0; i < v->len; i++)
            asl_array_push(c->a, r, str(c, v->u.o.members[i].key, v->u.o.members[i].klen));
    } else if (v->type == ASL_ARRAY) {
        for (uint32_t i = 0; i < v->len; i++) {
            asl_value *o = v->u.a.items[i];
            if (!o || o->type != ASL_OBJECT) continue;
            for (uint32_t k = 0; k < o->len; k++) {
                bool seen = false;
                for (uint32_t j = 0; j < r->len && !seen; j++)
                    seen = r->u.a.items[j]->len == o->u.o.members[k].klen &&
                           !memcmp(r->u.a.items[j]->u.str, o->u.o.members[k].key, o->u.o.members[k].klen);
                if (!seen) asl_array_push(c->a, r, str(c, o->u.o.members[k].key, o->u.o.members[k].klen));
            }
        }
    }
    return r;
}
FN(lookup)
{
    UNUSED;
    /* input[undefined] is input["undefined"] */
    return A(1) ? asl_jn_lookup(c, A(0), A(1)->u.str, A(1)->len) : asl_jn_lookup(c, A(0), "undefined", 9);
}
FN(spread)
{
    UNUSED;
    asl_value *v = A(0);
    if (!v) return NULL;
    if (v->type == ASL_ARRAY) {
        asl_value *r = asl_jn_seq(c->a, 4);
        for (uint32_t i = 0; i < v->len; i++) {
            asl_value *x = fn_spread(c, &v->u.a.items[i], 1, focus);
            r = asl_jn_append(c->a, r, x);
        }
        return r;
    }
    if (v->type != ASL_OBJECT) return v;
    asl_value *r = asl_jn_seq(c->a, v->len);
    for (uint32_t i = 0; i < v->len; i++) {
        asl_value *o = asl_object(c->a, 1);
        asl_object_append(c->a, o, v->u.o.members[i].key, v->u.o.members[i].klen, v->u.o.members[i].val);
        asl_array_push(c->a, r, o);
    }
    return r;
}
FN(merge)
{
    UNUSED;
    asl_value *a = A(0);
    if (!a) return NULL;
    uint32_t size = 0;
    for (uint32_t i = 0; i < a->len; i++) size += a->u.a.items[i]->len;
    asl_value *r = asl_object(c->a, size ? size : 1);
    /* the keys are shared with the objects merged, whose values r takes;
     * the first object's are distinct already */
    for (uint32_t i = 0; i < a->len; i++) {
        asl_value *o = a->u.a.items[i];
        for (uint32_t k = 0; k < o->len; k++) {
            const asl_member *m = &o->u.o.members[k];
            if (i == 0) asl_object_append_lit(c->a, r, m->key, m->klen, m->val);
            else asl_object_set_lit(c->a, r, m->key, m->klen, m->val);
        }
    }
    return r;
}
/* f(value, key, object) for member i of o, given as many of those as f
 * takes: $each's and $sift's callback. */
static asl_value *apply_to_member(ctx *c, asl_value *f, asl_value *o, uint32_t i)
{
    int k = asl_jn_arity(f);
    asl_value *xs[3] = { o->u.o.members[i].val, str(c, o->u.o.members[i].key, o->u.o.members[i].klen), o };
    return asl_jn_apply(c, f, xs, k < 1 ? 1 : k > 3 ? 3 : k, NULL);
}
FN(each)
{
    asl_value *o = A(0), *f = A(1);
    if (!o) return NULL;
    asl_value *r = asl_jn_seq(c->a, o->len);
    for (uint32_t i = 0; i < o->len; i++) {
        asl_value *x = apply_to_member(c, f, o, i);
        if (asl_jn_failed(c)) return NULL;
        if (x) asl_array_push(c->a, r, x);
    }
    return r;
}
FN(sift)
{
    asl_value *o = A(0), *f = A(1);
    if (!o) return NULL;
    asl_value *r = asl_object(c->a, o->len);
    for (uint32_t i = 0; i < o->len; i++) {
        asl_value *x = apply_to_member(c, f, o, i);
        if (asl_jn_failed(c)) return NULL;
        if (asl_jn_truthy(x) == 1)
            asl_object_append(c->a, r, o->u.o.members[i].key, o->u.o.members[i].klen, o->u.o.members[i].val);
    }
    return r->len ? r : NULL;
}
FN(error)
{
    UNUSED;
    asl_jn_error(c, "D3137", A(0));
    c->msg = A(0) && A(0)->len ? asl_strndup(c->a, A(0)->u.str, A(0)->len) : "$error() function evaluated";
    return NULL;
}
FN(assert)
{
    UNUSED;
    if (A(0) && A(0)->type == ASL_TRUE) return NULL;
    asl_jn_error(c, "D3141", A(1));
    c->msg = A(1) && A(1)->len ? asl_strndup(c->a, A(1)->u.str, A(1)->len) : "$assert() statement failed";
    return NULL;
}
FN(type)
{
    UNUSED;
    const char *t = asl_jn_type_name(A(0));
    return t ? str(c, t, strlen(t)) : NULL;
}

/* ---- dates and pictures (runtime/jsonata_picture.c) -------------------------------- */

static asl_value *picture_result(ctx *c, const char *code, char *out)
{
    if (code) return asl_jn_error(c, code, NULL);
    return str(c, out, strlen(out));
}
FN(now)
{
    UNUSED;
    char *out = NULL;
    asl_jn_clock(c);
    const char *code = asl_jn_format_datetime(c->a, c->now_ms, A(0) ? A(0)->u.str : NULL, A(1) ? A(1)->u.str : NULL, &out);
    return picture_result(c, code, out);
}
FN(millis)
{
    UNUSED;
    (void)n;
    (void)args;
    asl_jn_clock(c);
    return num(c, (double)c->now_ms);
}
FN(fromMillis)
{
    UNUSED;
    if (!A(0)) return NULL;
    char *out = NULL;
    const char *code = asl_jn_format_datetime(c->a, (int64_t)A(0)->u.n.num, A(1) ? A(1)->u.str : NULL,
                                              A(2) ? A(2)->u.str : NULL, &out);
    return picture_result(c, code, out);
}
FN(toMillis)
{
    UNUSED;
    if (!A(0)) return NULL;
    int64_t ms = 0;
    int undef = 0;
    const char *code = asl_jn_parse_datetime(A(0)->u.str, A(1) ? A(1)->u.str : NULL, &ms, &undef);
    if (code) return asl_jn_error(c, code, NULL);
    return undef ? NULL : num(c, (double)ms);
}
FN(formatNumber)
{
    UNUSED;
    if (!A(0)) return NULL;
    if (!A(1)) return asl_jn_error(c, "T0410", NULL);   /* no picture */
    /* the third argument: the decimal format's properties by their XPath names */
    asl_jn_decimal_format f = {0}, *fmt = NULL;
    const asl_value *o = A(2);
    if (o && o->type == ASL_OBJECT) {
        static const struct { const char *name; size_t off; } props[] = {
            {"decimal-separator", offsetof(asl_jn_decimal_format, decimal_separator)},
            {"grouping-separator", offsetof(asl_jn_decimal_format, grouping_separator)},
            {"exponent-separator", offsetof(asl_jn_decimal_format, exponent_separator)},
            {"minus-sign", offsetof(asl_jn_decimal_format, minus_sign)},
            {"infinity", offsetof(asl_jn_decimal_format, infinity)},
            {"NaN", offsetof(asl_jn_decimal_format, nan)},
            {"percent", offsetof(asl_jn_decimal_format, percent)},
            {"per-mille", offsetof(asl_jn_decimal_format, per_mille)},
            {"zero-digit", offsetof(asl_jn_decimal_format, zero_digit)},
            {"digit", offsetof(asl_jn_decimal_format, digit)},
            {"pattern-separator", offsetof(asl_jn_decimal_format, pattern_separator)},
        };
        for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
            const asl_value *v = asl_object_get(o, props[i].name, strlen(props[i].name));
            if (v && v->type == ASL_STRING)
                *(const char **)((char *)&f + props[i].off) = v->u.str;
        }
        fmt = &f;
    }
    char *out = NULL;
    const char *code = asl_jn_format_number(c->a, A(0)->u.n.num, A(1)->u.str, fmt, &out);
    return picture_result(c, code, out);
}
FN(formatInteger)
{
    UNUSED;
    if (!A(0)) return NULL;
    if (!A(1)) return asl_jn_error(c, "T0410", NULL);
    char *out = NULL;
    const char *code = asl_jn_format_integer(c->a, A(0)->u.n.num, A(1)->u.str, &out);
    return picture_result(c, code, out);
}
FN(parseInteger)
{
    UNUSED;
    if (!A(0)) return NULL;
    if (!A(1)) return asl_jn_error(c, "T0410", NULL);
    double d = 0;
    int undef = 0;
    const char *code = asl_jn_parse_integer(A(0)->u.str, A(1)->u.str, &d, &undef);
    if (code) return asl_jn_error(c, code, NULL);
    return undef ? NULL : num(c, d);
}
FN(clone) { UNUSED; return asl_jn_clone(c->a, A(0)); }

/* ---- the table ----------------------------------------------------------------- */

#define B(name, sig, arity) { { .type = ASL_JN_FUNCTION, .u.a.jlen = 2 }, JN_FN_NATIVE, false, #name, sig, arity, fn_##name, \
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }
/* Step Functions' own (jsonata_sfn.c) */
#define S(name, sig, arity) { { .type = ASL_JN_FUNCTION, .u.a.jlen = 2 }, JN_FN_NATIVE, false, #name, sig, arity, \
                              asl_jn_sfn_##name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }

static asl_jn_fn builtins[] = {
    B(sum, "<a<n>:n>", 1), B(count, "<a:n>", 1), B(max, "<a<n>:n>", 1), B(min, "<a<n>:n>", 1),
    B(average, "<a<n>:n>", 1), B(string, "<x-b?:s>", 1), B(substring, "<s-nn?:s>", 3),
    B(substringBefore, "<s-s:s>", 2), B(substringAfter, "<s-s:s>", 2), B(lowercase, "<s-:s>", 1),
    B(uppercase, "<s-:s>", 1), B(length, "<s-:n>", 1), B(trim, "<s-:s>", 1), B(pad, "<s-ns?:s>", 3),
    B(match, "<s-f<s:o>n?:a<o>>", 3), B(contains, "<s-(sf):b>", 2), B(replace, "<s-(sf)(sf)n?:s>", 4),
    B(split, "<s-(sf)n?:a<s>>", 3), B(join, "<a<s>s?:s>", 2), B(formatNumber, "<n-so?:s>", 3),
    B(formatBase, "<n-n?:s>", 2), B(formatInteger, "<n-s:s>", 2), B(parseInteger, "<s-s:n>", 2),
    B(number, "<(nsb)-:n>", 1), B(floor, "<n-:n>", 1), B(ceil, "<n-:n>", 1), B(round, "<n-n?:n>", 2),
    B(abs, "<n-:n>", 1), B(sqrt, "<n-:n>", 1), B(power, "<n-n:n>", 2),
    B(boolean, "<x-:b>", 1), B(not, "<x-:b>", 1), B(map, "<af>", 2), B(zip, "<a+>", 0),
    B(filter, "<af>", 2), B(single, "<af?>", 2), B(reduce, "<afj?:j>", 3), B(sift, "<o-f?:o>", 2),
    B(keys, "<x-:a<s>>", 1), B(lookup, "<x-s:x>", 2), B(append, "<xx:a>", 2), B(exists, "<x:b>", 1),
    B(spread, "<x-:a<o>>", 1), B(merge, "<a<o>:o>", 1), B(reverse, "<a:a>", 1), B(each, "<o-f:a>", 2),
    B(error, "<s?:x>", 1), B(assert, "<bs?:x>", 2), B(type, "<x:s>", 1), B(sort, "<af?:a>", 2),
    B(shuffle, "<a:a>", 1), B(distinct, "<x:x>", 1), B(base64encode, "<s-:s>", 1),
    B(base64decode, "<s-:s>", 1), B(encodeUrlComponent, "<s-:s>", 1), B(encodeUrl, "<s-:s>", 1),
    B(decodeUrlComponent, "<s-:s>", 1), B(decodeUrl, "<s-:s>", 1), B(toMillis, "<s-s?:n>", 2),
    B(fromMillis, "<n-s?s?:s>", 3), B(clone, "<(oa)-:o>", 1), B(now, "<s?s?:s>", 2), B(millis, "<:n>", 0),
    /* Step Functions: $random takes an optional seed; no $eval ($parse instead) */
    S(partition, "<an:a>", 2), S(range, "<nnn?:a>", 3), S(hash, "<ss:s>", 2), S(random, "<n?:n>", 1),
    S(uuid, "<:s>", 0), S(parse, "<s:x>", 1),
};

asl_jn_fn *asl_jn_builtin(const char *name, size_t n)
{
    /* the first byte first: most names differ there, and no strlen then */
    for (size_t i = 0; n && i < sizeof builtins / sizeof *builtins; i++)
        if (builtins[i].name[0] == name[0] && strncmp(builtins[i].name, name, n) == 0 &&
            builtins[i].name[n] == 0)
            return &builtins[i];
    return NULL;
}

int asl_jn_builtin_index(const char *name, size_t n)
{
    asl_jn_fn *f = asl_jn_builtin(name, n);
    return f ? (int)(f - builtins) : -1;
}

asl_jn_fn *asl_jn_builtin_at(int i)
{
    return i >= 0 && (size_t)i < sizeof builtins / sizeof *builtins ? &builtins[i] : NULL;
}

int asl_jn_builtin_ord(const asl_jn_fn *f)
{
    return f >= builtins && f < builtins + sizeof builtins / sizeof *builtins ? (int)(f - builtins) : -1;
}
