/*
 * jsonata_number.c — JSONata's $formatNumber: the XPath F&O 3.1
 * fn:format-number rules (4.7) as the reference implementation, jsonata-js,
 * applies them, down to its quirks (Step Functions runs it, so its answers
 * are the ones a workflow must get).  The picture is walked with the
 * reference's string operations on code points, so that each step can be
 * read against the rule it follows: sub-pictures, validation (D3080-D3093,
 * the last failing check winning), analysis, then the number's text.
 */
#include "jsonata_picture_int.h"

#include <math.h>
#include <string.h>

/* ---- the reference's string operations -------------------------------------------- */

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

static subpic split_parts(const numfmt *p, asl_jnp_str sub)
{
    subpic r = {0};
    r.sub = sub;
    long n = (long)sub.n, i;
    for (i = 0; i < n; i++)
        if (is_active(p, sub.c[i]) && !is_char(sub.c[i], p->exp)) break;
    r.prefix = asl_jnp_sub(sub, 0, i < n ? i : 0);
    for (i = n - 1; i >= 0; i--)
        if (is_active(p, sub.c[i]) && !is_char(sub.c[i], p->exp)) break;
    r.suffix = i >= 0 ? asl_jnp_sub(sub, i + 1, n) : asl_jnp_sub(sub, 0, 0);
    r.active = asl_jnp_sub(sub, (long)r.prefix.n, n - (long)r.suffix.n);
    /* The position is the sub-picture's but cuts the active part, as the
     * reference does (they differ only after a prefix). */
    long ep = asl_jnp_index_of(sub, p->exp, (long)r.prefix.n);
    if (ep == -1 || ep > n - (long)r.suffix.n) {
        r.mantissa = r.active;
    } else {
        r.mantissa = asl_jnp_sub(r.active, 0, ep);
        r.exponent = asl_jnp_sub(r.active, ep + 1, (long)r.active.n);
        r.has_exponent = true;
    }
    long dp = asl_jnp_index_of(r.mantissa, p->dec, 0);
    if (dp == -1) {
        r.integer = r.mantissa;
        r.fraction = r.suffix;    /* sic: the reference's fractional part is then the suffix */
    } else {
        r.integer = asl_jnp_sub(r.mantissa, 0, dp);
        r.fraction = asl_jnp_sub(r.mantissa, dp + 1, (long)r.mantissa.n);
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
    if (od != -1 && count_family(p, asl_jnp_sub(r->integer, 0, od), false) > 0) error = "D3090";
    od = last_index_of(r->fraction, p->digit);
    if (od != -1 && count_family(p, asl_jnp_sub(r->fraction, od, (long)r->fraction.n), false) > 0)
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
    v.regular = asl_jnp_regular_interval(v.int_groups, v.nint);
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
    char *s = asl_jnp_to_fixed(a, fabs(x), (int)dp);
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
    if (!picture) return "T0410";    /* the signature <n-so?:s> wants one */
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
            subs[nsub++] = asl_jnp_sub(pic, from, at == -1 ? (long)pic.n : at);
            if (at == -1) break;
            from = at + (long)p.patsep.n;
        }
    }
    subpic parts[2];
    for (size_t i = 0; i < nsub; i++) parts[i] = split_parts(&p, subs[i]);
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
    /* JavaScript's toFixed takes up to 100 decimals: the reference's RangeError */
    if (pv->max_frac > 100) return "D1001";
    double rounded = asl_jnp_round(mantissa, (int)pv->max_frac);
    asl_jnp_str s = make_string(a, &p, rounded, pv->max_frac);
    asl_jnp_str dot = ascii_str(a, ".");
    long dp = asl_jnp_index_of(s, dot, 0);
    if (dp == -1)
        s = cat(a, s, p.dec);
    else
        s = cat3(a, asl_jnp_sub(s, 0, dp), p.dec, asl_jnp_sub(s, dp + 1, (long)s.n));
    while (char_at_is(s, 0, p.zero) && s.n) s = asl_jnp_sub(s, 1, (long)s.n);
    while (char_at_is(s, (long)s.n - 1, p.zero) && s.n) s = asl_jnp_sub(s, 0, (long)s.n - 1);
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
        s = asl_jnp_sub(s, 0, (long)s.n - 1);
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
