/*
 * json.c — JSON text to values and back.
 *
 * The parser is strict RFC 8259: it validates UTF-8 inside strings (no
 * overlong forms, no encoded surrogates, nothing above U+10FFFF), rejects
 * lone \u surrogates, and reports the first problem with its byte offset,
 * line and column.  It is iterative: nesting lives in an explicit frame
 * stack capped at ASL_JSON_MAX_DEPTH levels, so hostile input such as
 * 100000 '[' fails cleanly instead of overflowing the C stack.  Array items
 * and object members being collected sit on a scratch stack and are copied
 * into exact-size vectors when their container closes, so parsing wastes
 * no arena memory on growing vectors.  Duplicate keys: the last value wins,
 * at the position of the first key.
 *
 * Numbers keep their lexeme (u.n.text) only when printing the double would
 * not give the same text back (1.0, 1E2, -0, big integers, 1e999999), so
 * that every number the user wrote prints back exactly as written while
 * ordinary numbers cost no extra memory.
 *
 * The serialiser writes compact JSON the way AWS does: no whitespace, '/'
 * and non-ASCII bytes as they are, control characters escaped (\u001F in
 * upper case, like Jackson).  Numbers without a lexeme print as integers
 * when integral, else in the shortest form that reads back to the same
 * double.  It, too, walks values with an explicit stack.
 *
 * Strings are scanned eight bytes at a time (SWAR) for the bytes that need
 * attention: this is the hot path of every execution.
 */
#include "asl_value.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASL_JSON_MAX_DEPTH 10000
#define TWO53 9007199254740992.0

/* ---- byte scanning helpers ----------------------------------------------- */

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline bool is_digit(unsigned char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* ---- the parser's state -------------------------------------------------- */

typedef struct {
    size_t open;          /* offset of the '[' or '{', for error messages */
    uint32_t start;       /* its first pending member on the scratch stack */
    bool is_obj;
} frame;

typedef struct {
    const unsigned char *start, *p, *end;
    asl_arena *a;
    asl_json_error *err;
    asl_member *mem;      /* pending items (val only) and members */
    size_t mlen, mcap;
    frame *fr;            /* open containers */
    size_t flen, fcap;
    char *sb;             /* decoded bytes of the string being parsed */
    size_t slen, scap;
    /* First storage for the stacks above, so small documents never malloc. */
    asl_member mem_local[64];
    frame fr_local[32];
    char sb_local[256];
} parser;


static void fail_at(parser *ps, const unsigned char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1-based line and column (in bytes) of a position; only on errors, so a
 * rescan from the start is fine. */
static void line_col(const parser *ps, const unsigned char *at, int *line, int *col)
{
    int l = 1;
    const unsigned char *bol = ps->start;
    for (const unsigned char *q = ps->start; q < at; q++)
        if (*q == '\n') {
            l++;
            bol = q + 1;
        }
    *line = l;
    *col = (int)(at - bol) + 1;
}

static void fail_at(parser *ps, const unsigned char *at, const char *fmt, ...)
{
    asl_json_error *e = ps->err;
    if (!e)
        return;
    e->offset = (size_t)(at - ps->start);
    line_col(ps, at, &e->line, &e->col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

/* "unexpected ... (expected <what>)" for whatever sits at ps->p. */
static void unexpected(parser *ps, const char *what)
{
    if (ps->p >= ps->end) {
        fail_at(ps, ps->p, "unexpected end of input (expected %s)", what);
        return;
    }
    unsigned char c = *ps->p;
    if (c > 0x20 && c < 0x7f)
        fail_at(ps, ps->p, "unexpected character '%c' (expected %s)", c, what);
    else
        fail_at(ps, ps->p, "unexpected byte 0x%02x (expected %s)", c, what);
}

static inline void skip_ws(parser *ps)
{
    const unsigned char *p = ps->p, *end = ps->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

/* ---- strings ------------------------------------------------------------- */

/* Reports the invalid UTF-8 sequence that starts at q: the byte named is
 * always the one at the position given (line:col counts bytes, so the byte
 * offset is given too, for a tool like `cmp` or `od`). */
static void bad_utf8(parser *ps, const unsigned char *q, const char *why)
{
    fail_at(ps, q, "invalid UTF-8 byte 0x%02x at byte offset %zu in string (%s)", q[0],
            (size_t)(q - ps->start), why);
}

/* Length of the valid UTF-8 sequence at q (a byte >= 0x80), or 0 after
 * reporting why it is not one (Unicode 15, table 3-7).  A sequence cut short
 * is reported at its first byte: the byte after it ('"', or an ASCII
 * character) is not the invalid one. */
static size_t utf8_seq(parser *ps, const unsigned char *q)
{
    unsigned char c = q[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c < 0xC2) {
        bad_utf8(ps, q, c >= 0xC0 ? "overlong encoding" : "unexpected continuation byte");
        return 0;
    } else if (c < 0xE0) {
        n = 2;
    } else if (c < 0xF0) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        bad_utf8(ps, q, "never valid in UTF-8");
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if (q + k >= ps->end) {
            bad_utf8(ps, q, "sequence cut off by the end of input");
            return 0;
        }
        unsigned char b = q[k];
        if (k == 1 && b >= 0x80 && b <= 0xBF && (b < lo || b > hi)) {
            bad_utf8(ps, q, c == 0xED ? "encoded surrogate U+D800..U+DFFF"
                            : c == 0xF4 ? "code point above U+10FFFF" : "overlong encoding");
            return 0;
        }
        if (b < 0x80 || b > 0xBF) {
            char why[96];
            snprintf(why, sizeof why, "the start of a %zu-byte sequence, followed by %zu "
                     "continuation byte%s instead of %zu", n, k - 1, k == 2 ? "" : "s", n - 1);
            bad_utf8(ps, q, why);
            return 0;
        }
    }
    return n;
}

static void sb_put(parser *ps, const void *s, size_t n)
{
    if (ps->scap - ps->slen < n)
        ps->sb = asl_grow_stack(ps->sb, ps->sb_local, &ps->scap, ps->slen + n, 1);
    memcpy(ps->sb + ps->slen, s, n);
    ps->slen += n;
}

static int hex4(const unsigned char *q)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = q[i];
        int d = is_digit(c) ? c - '0'
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

size_t asl_utf8_encode(uint32_t cp, unsigned char u[4])
{
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (unsigned char)(0xF0 | cp >> 18);
    u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes \uXXXX (with its low surrogate when needed) at q, the backslash. */
static const unsigned char *unicode_escape(parser *ps, const unsigned char *q)
{
    int cp = ps->end - q >= 6 ? hex4(q + 2) : -1;
    if (cp < 0) {
        fail_at(ps, q, "invalid \\u escape in string (expected 4 hex digits)");
        return NULL;
    }
    q += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail_at(ps, q - 6, "lone low surrogate \\u%04X in string (not preceded by a high surrogate)", cp);
        return NULL;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int low = ps->end - q >= 6 && q[0] == '\\' && q[1] == 'u' ? hex4(q + 2) : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
            fail_at(ps, q - 6, "lone high surrogate \\u%04X in string (must be followed by a "
                    "low surrogate \\uDC00-\\uDFFF)", cp);
            return NULL;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        q += 6;
    }
    unsigned char u[4];
    sb_put(ps, u, asl_utf8_encode((uint32_t)cp, u));
    return q;
}

/* Decodes the escape at q (a backslash) into ps->sb; returns what follows. */
static const unsigned char *escape(parser *ps, const unsigned char *q)
{
    if (q + 1 >= ps->end)
        return q + 1;                /* the caller reports the open string */
    char c;
    switch (q[1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': return unicode_escape(ps, q);
    default:
        if (q[1] > 0x20 && q[1] < 0x7f)
            fail_at(ps, q, "invalid escape '\\%c' in string", q[1]);
        else
            fail_at(ps, q, "invalid escape in string (byte 0x%02x after '\\')", q[1]);
        return NULL;
    }
    sb_put(ps, &c, 1);
    return q + 2;
}

/* The rest of a string from q, the first backslash, decoded into ps->sb
 * (which already holds the bytes before q).  Returns the closing quote or
 * NULL. */
static const unsigned char *string_slow(parser *ps, const unsigned char *open,
                                        const unsigned char *q)
{
    const unsigned char *end = ps->end;
    for (;;) {
        const unsigned char *r = q;
        while (r < end && *r >= 0x20 && *r < 0x80 && *r != '"' && *r != '\\')
            r++;
        sb_put(ps, q, (size_t)(r - q));
        q = r;
        if (q >= end) {
            fail_at(ps, open, "unterminated string");
            return NULL;
        }
        unsigned char c = *q;
        if (c == '"')
            return q;
        if (c == '\\') {
            q = escape(ps, q);
        } else if (c < 0x20) {
            fail_at(ps, q, "unescaped control character 0x%02x in string", c);
            return NULL;
        } else {
            size_t n = utf8_seq(ps, q);
            if (!n)
                return NULL;
            sb_put(ps, q, n);
            q += n;
        }
        if (!q)
            return NULL;
        if (q > end) {
            fail_at(ps, open, "unterminated string");
            return NULL;
        }
    }
}

/* Scans the string at ps->p (its opening quote).  On success *s and *n are its
 * bytes: straight from the input when it had no escapes (*in_place), else
 * ps->sb (valid until the next string). */
static bool scan_string(parser *ps, const char **s, size_t *n, bool *in_place)
{
    const unsigned char *open = ps->p, *q = open + 1, *end = ps->end;
    for (;;) {
        while (end - q >= 8) {
            uint64_t x = asl_load8(q);
            if (asl_escape8(x) | (x & HIGHS))
                break;
            q += 8;
        }
        if (q >= end) {
            fail_at(ps, open, "unterminated string");
            return false;
        }
        unsigned char c = *q;
        if (c == '"')
            break;
        if (c == '\\') {
            ps->slen = 0;
            sb_put(ps, open + 1, (size_t)(q - open - 1));
            q = string_slow(ps, open, q);
            if (!q)
                return false;
            *s = ps->sb;
            *n = ps->slen;
            *in_place = false;
            ps->p = q + 1;
            return true;
        }
        if (c < 0x20) {
            fail_at(ps, q, "unescaped control character 0x%02x in string", c);
            return false;
        }
        if (c < 0x80) {
            q++;
            continue;
        }
        size_t k = utf8_seq(ps, q);
        if (!k)
            return false;
        q += k;
    }
    *s = (const char *)open + 1;
    *n = (size_t)(q - open - 1);
    *in_place = true;
    ps->p = q + 1;
    return true;
}

static bool too_long(parser *ps, const unsigned char *at, size_t n, const char *what)
{
    if (n <= UINT32_MAX)
        return false;
    fail_at(ps, at, "%s too long (%zu bytes; the limit is 4 GiB)", what, n);
    return true;
}

static asl_value *parse_string(parser *ps)
{
    const unsigned char *open = ps->p;
    const char *s;
    size_t n;
    bool in_place;
    if (!scan_string(ps, &s, &n, &in_place) || too_long(ps, open, n, "string"))
        return NULL;
    /* No escape in the source: none in the output either. */
    return in_place ? asl_string_known(ps->a, s, n, true) : asl_string(ps->a, s, n);
}

/* ---- numbers ------------------------------------------------------------- */

static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static size_t fmt_number(double d, bool is_int, char *buf);

/* What a number lexeme looked like, to decide its value and whether its
 * text must be kept. */
typedef struct {
    uint64_t m;            /* all digits, when they fit (!overflow) */
    bool overflow, neg, has_frac, has_exp;
    bool int_zero;         /* integer part is "0" */
    bool trailing_zero;    /* last fraction digit is '0' */
    size_t li, lf, lead0;  /* integer digits, fraction digits, zeros after "0." */
    int64_t exp;           /* written exponent, saturated */
} lexeme;

static inline void add_digit(lexeme *lx, unsigned char c)
{
    if (lx->m <= (UINT64_MAX - 9) / 10)
        lx->m = lx->m * 10 + (uint64_t)(c - '0');
    else
        lx->overflow = true;
}

/* Scans a number's grammar from ps->p; returns its end or NULL. */
static const unsigned char *scan_number(parser *ps, lexeme *lx)
{
    const unsigned char *q = ps->p, *end = ps->end;
    memset(lx, 0, sizeof *lx);
    lx->neg = *q == '-';
    q += lx->neg;
    if (q >= end || !is_digit(*q)) {
        if (q < end && *q > 0x20 && *q < 0x7f)
            fail_at(ps, q, "invalid number: expected a digit after '-', found '%c'", *q);
        else
            fail_at(ps, q, "invalid number: expected a digit after '-'");
        return NULL;
    }
    if (*q == '0') {
        lx->int_zero = true;
        lx->li = 1;
        if (++q < end && is_digit(*q)) {
            fail_at(ps, ps->p, "invalid number: leading zeros are not allowed");
            return NULL;
        }
    } else {
        for (; q < end && is_digit(*q); q++, lx->li++)
            add_digit(lx, *q);
    }
    if (q < end && *q == '.') {
        lx->has_frac = true;
        if (++q >= end || !is_digit(*q)) {
            fail_at(ps, q, "invalid number: expected a digit after '.'");
            return NULL;
        }
        bool lead = lx->int_zero;
        for (; q < end && is_digit(*q); q++, lx->lf++) {
            if (lead && *q == '0')
                lx->lead0++;
            else
                lead = false;
            add_digit(lx, *q);
        }
        lx->trailing_zero = q[-1] == '0';
    }
    if (q < end && (*q | 0x20) == 'e') {
        lx->has_exp = true;
        bool eneg = false;
        if (++q < end && (*q == '+' || *q == '-'))
            eneg = *q++ == '-';
        if (q >= end || !is_digit(*q)) {
            fail_at(ps, q, "invalid number: expected a digit in the exponent");
            return NULL;
        }
        for (; q < end && is_digit(*q); q++)
            if (lx->exp < 100000000)
                lx->exp = lx->exp * 10 + (*q - '0');
        if (eneg)
            lx->exp = -lx->exp;
    }
    return q;
}

/* Clinger's fast path: an exact mantissa times an exact power of ten is
 * one correctly rounded operation.  Returns false when strtod is needed. */
static bool fast_value(const lexeme *lx, double *out)
{
    if (lx->overflow || lx->m > (1ULL << 53))
        return false;
    int64_t e = lx->exp - (int64_t)lx->lf;
    double d = (double)lx->m;
    if (e < -22 || e > 22)
        return false;
    d = e < 0 ? d / pow10_exact[-e] : d * pow10_exact[e];
    *out = lx->neg ? -d : d;
    return true;
}

/* Would printing the double give the lexeme back?  Decided without
 * formatting in the common cases. */
static bool needs_text(const lexeme *lx, double d, const char *s, size_t n)
{
    if (lx->has_exp)
        return true;
    if (!lx->has_frac)
        return lx->overflow || lx->m > (1ULL << 53) || (lx->neg && lx->m == 0);
    if (lx->trailing_zero)
        return true;
    size_t sig = lx->int_zero ? lx->lf - lx->lead0 : lx->li + lx->lf;
    /* <= 15 significant digits survive %.15g; %g stays in fixed notation
     * from 1e-4 up (integer part <= 15 digits is implied). */
    if (sig <= 15 && (!lx->int_zero || lx->lead0 < 4))
        return false;
    if (sig > 17)
        return true;
    char buf[40];
    bool is_int = fabs(d) <= TWO53 && (double)(int64_t)d == d;
    size_t k = fmt_number(d, is_int, buf);
    return k != n || memcmp(buf, s, n) != 0;
}

static asl_value *parse_number(parser *ps)
{
    lexeme lx;
    const unsigned char *start = ps->p, *q = scan_number(ps, &lx);
    if (!q)
        return NULL;
    ps->p = q;
    const char *s = (const char *)start;
    size_t n = (size_t)(q - start);
    const char *text = NULL;
    double d;
    if (!fast_value(&lx, &d)) {
        char tmp[64];
        const char *z;
        if (n < sizeof tmp) {
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            z = tmp;
        } else {
            z = text = asl_strndup(ps->a, s, n);   /* long: its text is kept anyway */
        }
        d = strtod(z, NULL);
    }
    asl_value *v = asl_number(ps->a, d);
    if (needs_text(&lx, d, s, n)) {
        v->u.n.text = text ? text : asl_strndup(ps->a, s, n);
        v->len = (uint32_t)n;   /* the text's length: asl_json_bound */
        /* 9007199254740993 reads as 2^53, but it is not an exact integer. */
        if (fabs(d) == TWO53)
            v->flags &= (uint8_t)~ASL_F_INT;
    }
    return v;
}

/* ---- containers and the main loop ---------------------------------------- */

static bool push_member(parser *ps, const char *key, size_t klen, asl_value *val)
{
    if (ps->mlen == ps->mcap)
        ps->mem = asl_grow_stack(ps->mem, ps->mem_local, &ps->mcap, ps->mlen + 1, sizeof *ps->mem);
    ps->mem[ps->mlen++] = (asl_member){ key, (uint32_t)klen, val };
    return true;
}

static bool push_frame(parser *ps, bool is_obj)
{
    if (ps->flen >= ASL_JSON_MAX_DEPTH) {
        fail_at(ps, ps->p, "nesting too deep (more than %d levels of arrays and objects)",
                ASL_JSON_MAX_DEPTH);
        return false;
    }
    if (ps->flen == ps->fcap)
        ps->fr = asl_grow_stack(ps->fr, ps->fr_local, &ps->fcap, ps->flen + 1, sizeof *ps->fr);
    ps->fr[ps->flen++] = (frame){ (size_t)(ps->p - ps->start), (uint32_t)ps->mlen, is_obj };
    return true;
}

/* Parses `"key" :` and leaves the member pending on the scratch stack. */
static bool parse_key(parser *ps)
{
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') {
        unexpected(ps, "a string key");
        return false;
    }
    const unsigned char *open = ps->p;
    const char *s;
    size_t n;
    bool in_place;
    if (!scan_string(ps, &s, &n, &in_place) || too_long(ps, open, n, "object key"))
        return false;
    if (!in_place)
        s = asl_strndup(ps->a, s, n);      /* ps->sb is reused by the next string */
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') {
        unexpected(ps, "':' after the object key");
        return false;
    }
    ps->p++;
    return push_member(ps, s, n, NULL);
}

/* Sentinel: a container was opened, its first value comes next. */
static const asl_value opened_marker;
#define OPENED ((asl_value *)&opened_marker)

static asl_value *parse_literal(parser *ps, const char *word, size_t n, asl_value *v)
{
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return v;
    }
    fail_at(ps, ps->p, "invalid literal (expected '%s')", word);
    return NULL;
}

/* Parses a scalar, or opens a container (returning OPENED). */
static asl_value *parse_value(parser *ps)
{
    skip_ws(ps);
    if (ps->p >= ps->end) {
        unexpected(ps, "a value");
        return NULL;
    }
    switch (*ps->p) {
    case '"':
        return parse_string(ps);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(ps);
    case 't':
        return parse_literal(ps, "true", 4, asl_bool(true));
    case 'f':
        return parse_literal(ps, "false", 5, asl_bool(false));
    case 'n':
        return parse_literal(ps, "null", 4, asl_null());
    case '[':
        if (!push_frame(ps, false))
            return NULL;
        ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            ps->flen--;
            return asl_array(ps->a, 0);
        }
        return OPENED;
    case '{':
        if (!push_frame(ps, true))
            return NULL;
        ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            ps->flen--;
            return asl_object(ps->a, 0);
        }
        return parse_key(ps) ? OPENED : NULL;
    case 'N': case 'I':
        unexpected(ps, "a value; NaN and Infinity are not JSON");
        return NULL;
    default:
        unexpected(ps, "a value");
        return NULL;
    }
}

static inline bool plain_member(const asl_value *v)
{
    return v->type == ASL_NUMBER ? !v->u.n.text : v->type < ASL_ARRAY || v->jn_plain;
}

/* Builds the innermost open container from its pending members. */
static asl_value *close_container(parser *ps)
{
    frame *f = &ps->fr[ps->flen - 1];
    size_t n = ps->mlen - f->start;
    asl_member *m = ps->mem + f->start;
    asl_value *v;
    if (too_long(ps, ps->start + f->open, n, f->is_obj ? "object" : "array"))
        return NULL;
    /* plain: every member leaves JSONata as it is (jsonata_value.c's
     * plain_json, which then need not walk it: asl_value's jn_plain): a
     * parsed number has source text only where JavaScript would print it
     * otherwise (needs_text) */
    bool plain = true;
    if (f->is_obj) {
        v = asl_object(ps->a, (uint32_t)n);
        for (size_t i = 0; i < n; i++) {
            asl_object_set(ps->a, v, m[i].key, m[i].klen, m[i].val);
            plain = plain && plain_member(m[i].val);
        }
    } else {
        v = asl_array(ps->a, (uint32_t)n);
        uint64_t bound = 1 + (uint64_t)n + (n == 0);   /* brackets and commas */
        for (size_t i = 0; i < n; i++) {
            v->u.a.items[i] = m[i].val;
            bound += asl_json_bound(m[i].val);
            plain = plain && plain_member(m[i].val);
        }
        v->len = (uint32_t)n;
        v->u.a.jlen = bound > UINT32_MAX ? UINT32_MAX : (uint32_t)bound;
    }
    v->jn_plain = plain;
    /* The source text bounds the compact output too: whitespace goes,
     * strings come out with escapes no longer than the source's, numbers
     * as written, and a duplicate key only removes a member. */
    size_t span = (size_t)(ps->p - ps->start) - f->open;
    uint32_t *jlen = f->is_obj ? &v->u.o.jlen : &v->u.a.jlen;
    if (span < *jlen) *jlen = (uint32_t)span;
    ps->mlen = f->start;
    ps->flen--;
    return v;
}

enum { NEXT_VALUE, CLOSED, FAILED };

/* Gives the finished value *v to the innermost open container, then reads
 * what follows: ',' (another value comes) or the closing bracket (the
 * container is finished and becomes *v). */
static int attach(parser *ps, asl_value **v)
{
    frame *f = &ps->fr[ps->flen - 1];
    char closer = f->is_obj ? '}' : ']';
    if (f->is_obj)
        ps->mem[ps->mlen - 1].val = *v;
    else
        push_member(ps, NULL, 0, *v);
    skip_ws(ps);
    if (ps->p >= ps->end) {
        int line, col;
        line_col(ps, ps->start + f->open, &line, &col);
        fail_at(ps, ps->p, "unexpected end of input (the %s opened at line %d, column %d "
                "is not closed)", f->is_obj ? "object" : "array", line, col);
        return FAILED;
    }
    if (*ps->p == ',') {
        const unsigned char *comma = ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == closer) {
            fail_at(ps, comma, "trailing comma before '%c'", closer);
            return FAILED;
        }
        return !f->is_obj || parse_key(ps) ? NEXT_VALUE : FAILED;
    }
    if (*ps->p == closer) {
        ps->p++;
        *v = close_container(ps);
        return *v ? CLOSED : FAILED;
    }
    unexpected(ps, f->is_obj ? "',' or '}'" : "',' or ']'");
    return FAILED;
}

static asl_value *parse_document(parser *ps)
{
    for (;;) {
        asl_value *v = parse_value(ps);
        if (!v)
            return NULL;
        if (v == OPENED)
            continue;
        int r = CLOSED;
        while (r == CLOSED && ps->flen)
            r = attach(ps, &v);
        if (r == FAILED)
            return NULL;
        if (r == CLOSED) {             /* nothing left open: the document's end */
            skip_ws(ps);
            if (ps->p < ps->end) {
                fail_at(ps, ps->p, "trailing characters after the JSON value");
                return NULL;
            }
            return v;
        }
    }
}

asl_value *asl_json_parse(asl_arena *a, const char *text, size_t n, asl_json_error *err)
{
    parser ps;
    ps.start = ps.p = (const unsigned char *)text;
    ps.end = ps.start + n;
    ps.a = a;
    ps.err = err;
    ps.mem = ps.mem_local;
    ps.mlen = 0;
    ps.mcap = sizeof ps.mem_local / sizeof *ps.mem_local;
    ps.fr = ps.fr_local;
    ps.flen = 0;
    ps.fcap = sizeof ps.fr_local / sizeof *ps.fr_local;
    ps.sb = ps.sb_local;
    ps.slen = 0;
    ps.scap = sizeof ps.sb_local;
    if (err) {
        memset(err, 0, sizeof *err);
        err->line = err->col = 1;
    }
    /* RFC 8259 lets a parser ignore a byte order mark; editors add them. */
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    asl_value *v = parse_document(&ps);
    if (ps.mem != ps.mem_local)
        free(ps.mem);
    if (ps.fr != ps.fr_local)
        free(ps.fr);
    if (ps.sb != ps.sb_local)
        free(ps.sb);
    return v;
}

/* ---- serialiser ---------------------------------------------------------- */

/* Appends without keeping the NUL terminator: asl_json_write adds it once. */
static inline void out(asl_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len > n) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
    } else {
        asl_buf_put(b, s, n);
    }
}

static inline void outc(asl_buf *b, char c)
{
    if (b->cap - b->len > 1)
        b->data[b->len++] = c;
    else
        asl_buf_putc(b, c);
}

static size_t fmt_uint(uint64_t u, char *buf)
{
    char tmp[24];
    size_t k = sizeof tmp;
    do {
        tmp[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    memcpy(buf, tmp + k, sizeof tmp - k);
    return sizeof tmp - k;
}

/* Most non-integers in workflow data are short decimals (9.99, 0.5), and
 * printf/strtod cost far more than the rest of a small execution.  For
 * those: the fewest fraction digits k for which m / 10^k reads back as d
 * give the shortest text; with m < 2^50 at most one k-digit decimal lies
 * within d's rounding interval, so this is exactly the text fmt_double
 * would produce.  Returns 0 when the value is outside this fast path. */
static size_t fmt_short_decimal(double d, char *buf)
{
    double ad = fabs(d);
    if (!(ad >= 1e-4 && ad < 1e14))      /* %g's fixed-notation range */
        return 0;
    for (int k = 1; k <= 17; k++) {
        double s = ad * pow10_exact[k];
        if (s >= 1125899906842624.0)     /* 2^50 */
            return 0;
        uint64_t m = (uint64_t)(s + 0.5);
        if ((double)m / pow10_exact[k] != ad)
            continue;                    /* exact division: this is strtod's answer */
        if (m % 10 == 0)
            return 0;                    /* an integral d: not this path's job */
        uint64_t p10 = (uint64_t)pow10_exact[k];
        char *p = buf;
        if (d < 0)
            *p++ = '-';
        p += fmt_uint(m / p10, p);
        *p++ = '.';
        uint64_t frac = m % p10;
        for (int i = k - 1; i >= 0; i--) {
            p[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        return (size_t)(p + k - buf);
    }
    return 0;
}

/* Shortest of %.15g..%.17g that reads back as the same double.  Normal
 * doubles carry at least 15 significant digits, so the first success is
 * the shortest; subnormals carry fewer, so start from 1 for them. */
static size_t fmt_double(double d, char *buf)
{
    size_t fast = fmt_short_decimal(d, buf);
    if (fast)
        return fast;
    int prec = d != 0 && fabs(d) < DBL_MIN ? 1 : 15;
    for (;; prec++) {
        int n = snprintf(buf, 32, "%.*g", prec, d);
        if (prec >= 17 || strtod(buf, NULL) == d)
            return (size_t)n;
    }
}

/* buf: at least 32 bytes. */
static size_t fmt_number(double d, bool is_int, char *buf)
{
    if (!isfinite(d)) {
        memcpy(buf, "null", 4);        /* arithmetic overflow: JSON has no inf */
        return 4;
    }
    if (is_int && fabs(d) <= TWO53) {
        int64_t i = (int64_t)d;
        if (i < 0) {
            buf[0] = '-';
            return 1 + fmt_uint((uint64_t)-i, buf + 1);
        }
        return fmt_uint((uint64_t)i, buf);
    }
    return fmt_double(d, buf);
}

void asl_number_write(asl_buf *b, const asl_value *num)
{
    if (num->u.n.text) {
        asl_buf_puts(b, num->u.n.text);
        return;
    }
    char buf[40];
    asl_buf_put(b, buf, fmt_number(num->u.n.num, asl_num_int(num), buf));
}

static void write_string(asl_buf *b, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    outc(b, '"');
    while (s < end) {
        const unsigned char *r = s;
        while (end - r >= 8 && !asl_escape8(asl_load8(r)))
            r += 8;
        while (r < end && *r >= 0x20 && *r != '"' && *r != '\\')
            r++;
        out(b, (const char *)s, (size_t)(r - s));
        if (r == end)
            break;
        unsigned char c = *r;
        char e[6] = { '\\', 0, '0', '0', hex[c >> 4], hex[c & 15] };
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default: e[1] = 'u'; break;
        }
        out(b, e, e[1] == 'u' ? 6 : 2);
        s = r + 1;
    }
    outc(b, '"');
}

static void write_scalar(asl_buf *b, const asl_value *v)
{
    switch (v->type) {
    case ASL_NULL: out(b, "null", 4); break;
    case ASL_TRUE: out(b, "true", 4); break;
    case ASL_FALSE: out(b, "false", 5); break;
    case ASL_STRING: write_string(b, v->u.str, v->len); break;
    case ASL_NUMBER:
        if (v->u.n.text) {
            out(b, v->u.n.text, strlen(v->u.n.text));
        } else {
            char buf[40];
            out(b, buf, fmt_number(v->u.n.num, asl_num_int(v), buf));
        }
        break;
    case ASL_ARRAY: out(b, "[]", 2); break;      /* only empty ones get here */
    case ASL_OBJECT: out(b, "{}", 2); break;
    default: out(b, "null", 4); break;
    }
}

static void newline(asl_buf *b, size_t depth)
{
    static const char spaces[] = "\n                                                               ";
    size_t n = 2 * depth + 1;
    out(b, spaces, n < sizeof spaces - 1 ? n : sizeof spaces - 1);
    for (n = n < sizeof spaces - 1 ? 0 : n - (sizeof spaces - 1); n; ) {
        size_t k = n < sizeof spaces - 2 ? n : sizeof spaces - 2;
        out(b, spaces + 1, k);
        n -= k;
    }
}

typedef struct {
    const asl_value *v;
    uint32_t i;
} write_frame;

static bool is_open_container(const asl_value *v)
{
    return (v->type == ASL_ARRAY || v->type == ASL_OBJECT) && v->len;
}

static void write_value(asl_buf *b, const asl_value *root, bool pretty)
{
    if (!root || !is_open_container(root)) {
        write_scalar(b, root ? root : asl_null());
        return;
    }
    write_frame local[64], *stk = local;
    size_t cap = 64, sp = 0;
    outc(b, root->type == ASL_ARRAY ? '[' : '{');
    stk[sp++] = (write_frame){ root, 0 };
    while (sp) {
        write_frame *f = &stk[sp - 1];
        const asl_value *v = f->v;
        if (f->i == v->len) {
            sp--;
            if (pretty)
                newline(b, sp);
            outc(b, v->type == ASL_ARRAY ? ']' : '}');
            continue;
        }
        uint32_t i = f->i++;
        if (i)
            outc(b, ',');
        if (pretty)
            newline(b, sp);
        const asl_value *child;
        if (v->type == ASL_ARRAY) {
            child = v->u.a.items[i];
        } else {
            const asl_member *m = &v->u.o.members[i];
            write_string(b, m->key, m->klen);
            if (pretty)
                out(b, ": ", 2);
            else
                outc(b, ':');
            child = m->val;
        }
        if (!child)
            child = asl_null();
        if (!is_open_container(child)) {
            write_scalar(b, child);
            continue;
        }
        outc(b, child->type == ASL_ARRAY ? '[' : '{');
        if (sp == cap)
            stk = asl_grow_stack(stk, local, &cap, sp + 1, sizeof *stk);
        stk[sp++] = (write_frame){ child, 0 };
    }
    if (stk != local)
        free(stk);
}

void asl_json_write(asl_buf *b, const asl_value *v)
{
    write_value(b, v, false);
    asl_buf_put(b, "", 0);             /* restores the NUL terminator */
}

void asl_json_write_pretty(asl_buf *b, const asl_value *v)
{
    write_value(b, v, true);
    asl_buf_put(b, "", 0);
}

/* Up to this bound a text is written straight into the arena, in the room
 * its bound says it needs (JsonToString, error causes): no buffer to grow,
 * nothing to copy.  A larger one is written in a buffer first, as its bound
 * may be far above its length. */
#define JSON_STRING_IN_PLACE 4096

char *asl_json_string(asl_arena *a, const asl_value *v, size_t *len_out)
{
    asl_buf b;
    uint32_t bound = asl_json_bound(v);
    if (bound < JSON_STRING_IN_PLACE)
        asl_buf_init_fixed(&b, asl_alloc(a, (size_t)bound + 1), (size_t)bound + 1);
    else
        asl_buf_init(&b);
    write_value(&b, v, false);
    char *s;
    if (b.fixed) {
        b.data[b.len] = '\0';   /* the writer's own stores do not terminate */
        s = b.data;
    } else {
        s = asl_strndup(a, b.data, b.len);
    }
    if (len_out)
        *len_out = b.len;
    asl_buf_free(&b);
    return s;
}
