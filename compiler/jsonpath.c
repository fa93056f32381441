/*
 * jsonpath.c — the compile-time JSONPath parser.
 *
 * AWS Step Functions evaluates JSONPath with Jayway JsonPath, so the grammar
 * accepted here is Jayway's (as AWS exposes it), parsed once at compile time
 * into the runtime's asl_path descriptor (runtime/asl.h); runtime/path.c
 * evaluates it.  Everything is allocated in the caller's arena.
 *
 *   path     := ('$' | '$$') { '.' dotseg | '..' scanseg | '[' bracket ']' }
 *   dotseg   := name | '*' | '[' bracket ']'         (Jayway accepts "$.['a b']")
 *   scanseg  := name | '*' | '[' bracket ']'
 *   name     := any bytes up to '.', '[', '(' or whitespace (so $.a-b, $.@odata,
 *               $.Ätte work as they do on AWS)
 *   bracket  := '*' | quoted {',' quoted} | int {',' int}
 *             | [int] ':' [int] [':' [int]] | '?(' filter ')'
 *   quoted   := '...' | "..."   a backslash protects the next character, and
 *               both are kept: AWS looks up $['Test\""Name"'] as the key
 *               Test\""Name" (conformance case ESCAPE_SEQUENCES_JSONPATH).
 *   filter   := '@' {relseg} [op constant]        op: == != < <= > >=
 *               relseg: .name | ['name'] | [int]; constant: number, 'string',
 *               "string", true, false, null; combined with && (binding tighter),
 *               ||, ! and parentheses as in Jayway.  No regex, no $ refs.
 *
 * A slice's third part (step) is parsed and stored, but Jayway ignores it,
 * and so does runtime/path.c.  ".." followed by a bracket step is encoded as
 * described in runtime/path.h.  Variables ("$name", JSONPath with Assign)
 * have no root kind in asl.h yet and are rejected.
 *
 * Reference paths (ResultPath, Choice Variable, the *Path fields) may hold
 * only .name, ['name'] and [index] steps: AWS requires them to name a single
 * node.
 *
 * `definite` follows Jayway: a path is definite when every step selects at
 * most one node — a single name, a single index — or when its last step is a
 * list of names (['a','b']), which Jayway answers with one object holding
 * those members.  Definite paths yield a node (or nothing); all others yield
 * an array of matches.
 *
 * Messages are one line; *errpos is the byte offset of the offending
 * character (or of the end of the text when something is missing there).
 */
#include "jsonpath.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    asl_arena *a;
    const char *s;
    size_t n, pos;
    aslc_path_mode mode;
    char *err;
    size_t errlen;
    size_t *errpos;
    /* The segment vector grows by doubling inside the arena; the few bytes
     * left behind are irrelevant at compile time. */
    asl_seg *segs;
    uint32_t nseg, cap;
} parser;

static bool fail(parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(parser *p, size_t at, const char *fmt, ...)
{
    if (p->err && p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
        /* One line, even when a quoted snippet of the path holds a line
         * break. */
        for (char *c = p->err; *c; c++)
            if (*c == '\n' || *c == '\r') *c = ' ';
    }
    if (p->errpos) *p->errpos = at;
    return false;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool at_end(const parser *p) { return p->pos >= p->n; }
static char cur(const parser *p) { return p->pos < p->n ? p->s[p->pos] : '\0'; }

static void skip_ws(parser *p)
{
    while (p->pos < p->n && is_ws(p->s[p->pos])) p->pos++;
}

static asl_seg *seg_push(parser *p)
{
    if (p->nseg == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 4;
        asl_seg *ns = asl_alloc(p->a, cap * sizeof *ns);
        if (p->nseg) memcpy(ns, p->segs, p->nseg * sizeof *ns);
        p->segs = ns;
        p->cap = cap;
    }
    asl_seg *s = &p->segs[p->nseg++];
    memset(s, 0, sizeof *s);
    s->step = 1;
    return s;
}

/* A dot-notation name: everything up to '.', '[', '(' or whitespace.  stop
 * adds the characters that also end a name inside a filter. */
static bool read_name(parser *p, const char *stop, const char **out, uint32_t *len)
{
    size_t start = p->pos;
    while (p->pos < p->n) {
        char c = p->s[p->pos];
        if (c == '.' || c == '[' || c == '(' || is_ws(c) || (stop && c && strchr(stop, c))) break;
        p->pos++;
    }
    if (p->pos == start) return fail(p, start, "expected a name");
    if (p->pos < p->n && p->s[p->pos] == '(')
        return fail(p, start, "functions such as '%.*s()' are not supported in paths",
                    (int)(p->pos - start), p->s + start);
    *out = asl_strndup(p->a, p->s + start, p->pos - start);
    *len = (uint32_t)(p->pos - start);
    return true;
}

/* '...' or "...": a backslash protects the next character; both are kept
 * verbatim (see the header comment).  p->pos is at the opening quote. */
static bool read_quoted_raw(parser *p, const char **out, uint32_t *len)
{
    char q = p->s[p->pos];
    size_t open = p->pos++;
    size_t start = p->pos;
    while (p->pos < p->n && p->s[p->pos] != q) {
        if (p->s[p->pos] == '\\' && p->pos + 1 < p->n) p->pos++;
        p->pos++;
    }
    if (p->pos >= p->n) return fail(p, open, "unterminated string in '[...]'");
    *out = asl_strndup(p->a, p->s + start, p->pos - start);
    *len = (uint32_t)(p->pos - start);
    p->pos++; /* closing quote */
    return true;
}

static bool read_hex4(parser *p, unsigned *out)
{
    unsigned cp = 0;
    for (int i = 0; i < 4; i++) {
        char h = p->pos < p->n ? p->s[p->pos] : '\0';
        unsigned d = h >= '0' && h <= '9' ? (unsigned)(h - '0')
                   : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
                   : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
                                          : 16u;
        if (d == 16) return fail(p, p->pos, "expected four hex digits after '\\u'");
        cp = cp * 16 + d;
        p->pos++;
    }
    *out = cp;
    return true;
}

/* UTF-8 for cp; a lone surrogate (which no valid input text contains) is
 * written CESU-style so that it simply never matches. */
static size_t utf8_put(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string constant in a filter: Jayway unescapes these (\' \" \\ \n \t \r
 * \b \f \uXXXX; any other escaped character stands for itself). */
static bool read_quoted_unescaped(parser *p, const char **out, uint32_t *len)
{
    char q = p->s[p->pos];
    size_t open = p->pos++;
    char *buf = asl_alloc(p->a, p->n - p->pos + 1);
    size_t k = 0;
    while (p->pos < p->n && p->s[p->pos] != q) {
        char c = p->s[p->pos++];
        if (c != '\\') {
            buf[k++] = c;
            continue;
        }
        if (p->pos >= p->n) break;
        char e = p->s[p->pos++];
        switch (e) {
        case 'n': buf[k++] = '\n'; break;
        case 't': buf[k++] = '\t'; break;
        case 'r': buf[k++] = '\r'; break;
        case 'b': buf[k++] = '\b'; break;
        case 'f': buf[k++] = '\f'; break;
        case 'u': {
            unsigned cp = 0;
            if (!read_hex4(p, &cp)) return false;
            /* A surrogate pair written as two escapes is one character. */
            if (cp >= 0xD800 && cp < 0xDC00 && p->n - p->pos >= 6 && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                size_t save = p->pos;
                unsigned lo = 0;
                p->pos += 2;
                if (read_hex4(p, &lo) && lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    p->pos = save;
            }
            k += utf8_put(buf + k, cp);
            break;
        }
        default: buf[k++] = e; break;
        }
    }
    if (p->pos >= p->n) return fail(p, open, "unterminated string in filter");
    p->pos++;
    buf[k] = '\0';
    *out = buf;
    *len = (uint32_t)k;
    return true;
}

/* An array index as Jayway reads it: an optional '-' and digits, within a
 * Java int. */
static bool read_int(parser *p, int64_t *out)
{
    size_t start = p->pos;
    bool neg = false;
    if (cur(p) == '-') {
        neg = true;
        p->pos++;
    }
    if (!(cur(p) >= '0' && cur(p) <= '9')) return fail(p, p->pos, "expected a digit");
    int64_t v = 0;
    while (cur(p) >= '0' && cur(p) <= '9') {
        v = v * 10 + (cur(p) - '0');
        if (v > (int64_t)INT32_MAX + 1) return fail(p, start, "array index out of range");
        p->pos++;
    }
    if (neg) v = -v;
    if (v > INT32_MAX || v < INT32_MIN) return fail(p, start, "array index out of range");
    *out = v;
    return true;
}

static bool int_starts(char c) { return c == '-' || (c >= '0' && c <= '9'); }

/* After '[' and blanks, at a digit, '-' or ':': an index, an index list or a
 * slice. */
static bool parse_numeric(parser *p, asl_seg *s, size_t open)
{
    int64_t first = 0;
    bool has_first = false;
    if (cur(p) != ':') {
        if (!read_int(p, &first)) return false;
        has_first = true;
        skip_ws(p);
    }
    if (cur(p) == ':') {
        /* Slice.  Jayway reads [from:to] and ignores a third part; it is
         * parsed (and kept in step) so that a definition AWS accepts
         * compiles, and runtime/path.c ignores it as AWS does. */
        s->kind = ASL_SEG_SLICE;
        s->has_start = has_first;
        s->start = first;
        p->pos++;
        skip_ws(p);
        if (int_starts(cur(p))) {
            if (!read_int(p, &s->end)) return false;
            s->has_end = 1;
            skip_ws(p);
        }
        if (cur(p) == ':') {
            p->pos++;
            skip_ws(p);
            if (int_starts(cur(p))) {
                size_t at = p->pos;
                if (!read_int(p, &s->step)) return false;
                if (s->step == 0) return fail(p, at, "slice step must not be 0");
                skip_ws(p);
            }
        }
        if (at_end(p)) return fail(p, open, "unterminated '['");
        if (cur(p) != ']') return fail(p, p->pos, "expected ']' to end the slice");
        if (!s->has_start && !s->has_end)
            return fail(p, open, "a slice needs a start or an end index, e.g. [1:] or [:2]");
        p->pos++;
        return true;
    }
    if (cur(p) != ',') {
        if (at_end(p)) return fail(p, open, "unterminated '['");
        if (cur(p) != ']') return fail(p, p->pos, "expected ',', ':' or ']' after an index");
        p->pos++;
        s->kind = ASL_SEG_INDEX;
        s->start = first;
        return true;
    }
    /* An index list: count, then fill. */
    int64_t buf[16];
    int64_t *idx = buf;
    uint32_t n = 0, cap = 16;
    idx[n++] = first;
    while (cur(p) == ',') {
        p->pos++;
        skip_ws(p);
        int64_t v;
        if (!read_int(p, &v)) return false;
        skip_ws(p);
        if (n == cap) {
            int64_t *ni = asl_alloc(p->a, 2 * cap * sizeof *ni);
            memcpy(ni, idx, n * sizeof *ni);
            idx = ni;
            cap *= 2;
        }
        idx[n++] = v;
    }
    if (at_end(p)) return fail(p, open, "unterminated '['");
    if (cur(p) != ']') return fail(p, p->pos, "expected ',' or ']' in an index list");
    p->pos++;
    asl_seg *m = asl_alloc(p->a, n * sizeof *m);
    memset(m, 0, n * sizeof *m);
    for (uint32_t i = 0; i < n; i++) {
        m[i].kind = ASL_SEG_INDEX;
        m[i].start = idx[i];
        m[i].step = 1;
    }
    s->kind = ASL_SEG_UNION;
    s->nunion = n;
    s->members = m;
    return true;
}

/* After '[' and blanks, at a quote: ['a'] or ['a','b',...]. */
static bool parse_quoted_list(parser *p, asl_seg *s, size_t open)
{
    const char *keys_buf[16];
    uint32_t lens_buf[16];
    const char **keys = keys_buf;
    uint32_t *lens = lens_buf;
    uint32_t n = 0, cap = 16;
    for (;;) {
        if (n == cap) {
            const char **nk = asl_alloc(p->a, 2 * cap * sizeof *nk);
            uint32_t *nl = asl_alloc(p->a, 2 * cap * sizeof *nl);
            memcpy(nk, keys, n * sizeof *nk);
            memcpy(nl, lens, n * sizeof *nl);
            keys = nk;
            lens = nl;
            cap *= 2;
        }
        if (!read_quoted_raw(p, &keys[n], &lens[n])) return false;
        n++;
        skip_ws(p);
        if (at_end(p)) return fail(p, open, "unterminated '['");
        if (cur(p) == ']') {
            p->pos++;
            break;
        }
        if (cur(p) != ',') return fail(p, p->pos, "expected ',' or ']' after a quoted name");
        p->pos++;
        skip_ws(p);
        if (cur(p) != '\'' && cur(p) != '"') {
            if (at_end(p)) return fail(p, open, "unterminated '['");
            return fail(p, p->pos, "expected a quoted name after ','");
        }
    }
    if (n == 1) {
        s->kind = ASL_SEG_KEY;
        s->key = keys[0];
        s->klen = lens[0];
        return true;
    }
    asl_seg *m = asl_alloc(p->a, n * sizeof *m);
    memset(m, 0, n * sizeof *m);
    for (uint32_t i = 0; i < n; i++) {
        m[i].kind = ASL_SEG_KEY;
        m[i].key = keys[i];
        m[i].klen = lens[i];
        m[i].step = 1;
    }
    s->kind = ASL_SEG_UNION;
    s->nunion = n;
    s->members = m;
    return true;
}

/* A number constant in a filter, JSON-like ("-1", "2.5", "1e3"). */
static bool read_number_const(parser *p, asl_filter *f)
{
    size_t start = p->pos;
    if (cur(p) == '-') p->pos++;
    if (!(cur(p) >= '0' && cur(p) <= '9')) return fail(p, p->pos, "expected a digit");
    while (cur(p) >= '0' && cur(p) <= '9') p->pos++;
    if (cur(p) == '.') {
        p->pos++;
        if (!(cur(p) >= '0' && cur(p) <= '9')) return fail(p, p->pos, "expected a digit after '.'");
        while (cur(p) >= '0' && cur(p) <= '9') p->pos++;
    }
    if (cur(p) == 'e' || cur(p) == 'E') {
        p->pos++;
        if (cur(p) == '+' || cur(p) == '-') p->pos++;
        if (!(cur(p) >= '0' && cur(p) <= '9')) return fail(p, p->pos, "expected a digit in the exponent");
        while (cur(p) >= '0' && cur(p) <= '9') p->pos++;
    }
    /* The text is kept too: Jayway compares a string operand with a number
     * constant by the constant's text (runtime/path.c). */
    char *text = asl_strndup(p->a, p->s + start, p->pos - start);
    f->rtype = ASL_NUMBER;
    f->rnum = strtod(text, NULL);
    if (!isfinite(f->rnum))   /* no double holds it; docs/reliability.md */
        return fail(p, start, "number %s is out of range (beyond a double's, about 1.8e308)", text);
    f->rstr = text;
    f->rlen = (uint32_t)(p->pos - start);
    return true;
}

static bool keyword(parser *p, const char *w)
{
    size_t n = strlen(w);
    if (p->n - p->pos < n || memcmp(p->s + p->pos, w, n) != 0) return false;
    char after = p->pos + n < p->n ? p->s[p->pos + n] : '\0';
    if ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9') ||
        after == '_')
        return false;
    p->pos += n;
    return true;
}

/* One condition of a filter, p->pos at its '@': @.a.b OP constant, or @.a
 * alone (the member exists).  Leaves p->pos after it. */
static bool parse_relation(parser *p, size_t open, asl_filter **out)
{
    if (cur(p) == '$')
        return fail(p, p->pos, "filters may refer only to the current item '@', not to '$'");
    if (cur(p) != '@')
        return fail(p, p->pos, "expected '@' to start the condition, e.g. [?(@.price < 10)]");
    p->pos++;

    asl_filter *f = asl_alloc(p->a, sizeof *f);
    memset(f, 0, sizeof *f);
    *out = f;

    /* The left side: a relative path of names and indexes. */
    asl_seg lbuf[8];
    asl_seg *lhs = lbuf;
    uint32_t nl = 0, lcap = 8;
    for (;;) {
        asl_seg one;
        memset(&one, 0, sizeof one);
        one.step = 1;
        size_t at = p->pos;
        if (cur(p) == '.') {
            p->pos++;
            if (cur(p) == '.' || cur(p) == '*')
                return fail(p, at, "only .name, ['name'] and [index] may follow '@' in a filter");
            if (at_end(p)) return fail(p, p->pos, "expected a name after '.'");
            one.kind = ASL_SEG_KEY;
            if (!read_name(p, ")=!<>&|,'\"]", &one.key, &one.klen)) return false;
        } else if (cur(p) == '[') {
            p->pos++;
            skip_ws(p);
            if (cur(p) == '\'' || cur(p) == '"') {
                one.kind = ASL_SEG_KEY;
                if (!read_quoted_raw(p, &one.key, &one.klen)) return false;
            } else if (int_starts(cur(p))) {
                one.kind = ASL_SEG_INDEX;
                if (!read_int(p, &one.start)) return false;
            } else {
                if (at_end(p)) return fail(p, open, "unterminated '[?('");
                return fail(p, p->pos, "only .name, ['name'] and [index] may follow '@' in a filter");
            }
            skip_ws(p);
            if (cur(p) != ']') {
                if (at_end(p)) return fail(p, open, "unterminated '[?('");
                return fail(p, p->pos, "expected ']'");
            }
            p->pos++;
        } else {
            break;
        }
        if (nl == lcap) {
            asl_seg *nb = asl_alloc(p->a, 2 * lcap * sizeof *nb);
            memcpy(nb, lhs, nl * sizeof *nb);
            lhs = nb;
            lcap *= 2;
        }
        lhs[nl++] = one;
    }
    asl_seg *lsegs = NULL;
    if (nl) {
        lsegs = asl_alloc(p->a, nl * sizeof *lsegs);
        memcpy(lsegs, lhs, nl * sizeof *lsegs);
    }
    f->nlhs = nl;
    f->lhs = lsegs;

    skip_ws(p);
    if (at_end(p)) return fail(p, open, "unterminated '[?('");
    size_t opat = p->pos;
    const char *o = p->s + p->pos;
    size_t left = p->n - p->pos;
    /* No comparison: the condition is that the member exists. */
    if (cur(p) == ')' || (left >= 2 && ((o[0] == '&' && o[1] == '&') || (o[0] == '|' && o[1] == '|')))) {
        f->op = ASL_FOP_EXISTS;
        return true;
    }
    if (left >= 2 && o[0] == '=' && o[1] == '~')
        return fail(p, opat, "regular expression filters ('=~') are not supported");
    if (left >= 2 && o[0] == '=' && o[1] == '=') {
        f->op = ASL_FOP_EQ;
        p->pos += 2;
    } else if (left >= 2 && o[0] == '!' && o[1] == '=') {
        f->op = ASL_FOP_NE;
        p->pos += 2;
    } else if (left >= 2 && o[0] == '<' && o[1] == '=') {
        f->op = ASL_FOP_LE;
        p->pos += 2;
    } else if (left >= 2 && o[0] == '>' && o[1] == '=') {
        f->op = ASL_FOP_GE;
        p->pos += 2;
    } else if (o[0] == '<') {
        f->op = ASL_FOP_LT;
        p->pos += 1;
    } else if (o[0] == '>') {
        f->op = ASL_FOP_GT;
        p->pos += 1;
    } else {
        return fail(p, opat, "expected a comparison (==, !=, <, <=, >, >=), '&&', '||' or ')' "
                             "in the filter");
    }
    if (p->pos < p->n && p->s[p->pos] == '=')
        return fail(p, p->pos, "unexpected '=' after the comparison operator");
    skip_ws(p);
    if (at_end(p)) return fail(p, open, "unterminated '[?('");
    char c = cur(p);
    if (c == '\'' || c == '"') {
        f->rtype = ASL_STRING;
        if (!read_quoted_unescaped(p, &f->rstr, &f->rlen)) return false;
    } else if (int_starts(c)) {
        if (!read_number_const(p, f)) return false;
    } else if (keyword(p, "true")) {
        f->rtype = ASL_TRUE;
    } else if (keyword(p, "false")) {
        f->rtype = ASL_FALSE;
    } else if (keyword(p, "null")) {
        f->rtype = ASL_NULL;
    } else if (c == '@' || c == '$') {
        return fail(p, p->pos, "comparing with another path in a filter is not supported; "
                               "use a constant");
    } else {
        return fail(p, p->pos, "expected a constant (number, 'string', true, false or null)");
    }
    return true;
}

/* A logical node of a filter: op AND / OR over n conditions, NOT over one.
 * Its operands are carried as FILTER segments in lhs (runtime/path.h), so
 * that the back ends lay it out as any filter's relative path. */
static asl_filter *logical(parser *p, uint8_t op, asl_filter *const *kids, uint32_t n)
{
    asl_filter *f = asl_alloc(p->a, sizeof *f);
    memset(f, 0, sizeof *f);
    asl_seg *segs = asl_alloc(p->a, n * sizeof *segs);
    memset(segs, 0, n * sizeof *segs);
    for (uint32_t i = 0; i < n; i++) {
        segs[i].kind = ASL_SEG_FILTER;
        segs[i].step = 1;
        segs[i].filter = kids[i];
    }
    f->op = op;
    f->nlhs = n;
    f->lhs = segs;
    return f;
}

/* Nested parentheses and negations a filter may have: hostile paths stay
 * off the compiler's stack. */
enum { MAX_FILTER_DEPTH = 64 };

static bool parse_or(parser *p, size_t open, int depth, asl_filter **out);

/* Jayway's readLogicalANDOperand: '!' operand, '(' or-expression ')', or a
 * condition.  '!' before '@' negates an existence test (Jayway reads
 * "!@.a" as "@.a does not exist"; with a comparison after it the '!' does
 * nothing, as in Jayway). */
static bool parse_operand(parser *p, size_t open, int depth, asl_filter **out)
{
    if (depth > MAX_FILTER_DEPTH)
        return fail(p, p->pos, "filter nested more than %d levels deep", MAX_FILTER_DEPTH);
    skip_ws(p);
    if (at_end(p)) return fail(p, open, "unterminated '[?('");
    if (cur(p) == '!' && (p->pos + 1 >= p->n || p->s[p->pos + 1] != '=')) {
        p->pos++;
        skip_ws(p);
        asl_filter *kid;
        if (cur(p) == '@') {
            if (!parse_relation(p, open, &kid)) return false;
            *out = kid->op == ASL_FOP_EXISTS ? logical(p, ASL_FOP_NOT, &kid, 1) : kid;
            return true;
        }
        if (!parse_operand(p, open, depth + 1, &kid)) return false;
        *out = logical(p, ASL_FOP_NOT, &kid, 1);
        return true;
    }
    if (cur(p) == '(') {
        size_t paren = p->pos++;
        if (!parse_or(p, open, depth + 1, out)) return false;
        skip_ws(p);
        if (cur(p) != ')') {
            if (at_end(p)) return fail(p, paren, "unclosed '(' in the filter");
            return fail(p, p->pos, "expected '&&', '||' or ')' after the condition");
        }
        p->pos++;
        return true;
    }
    return parse_relation(p, open, out);
}

/* operand {'&&' operand} (want '&') or and-expression {'||' and-expression}
 * (want '|'): && binds tighter than ||, as in Jayway's FilterCompiler. */
static bool parse_chain(parser *p, size_t open, int depth, char want, asl_filter **out)
{
    asl_filter *buf[8], **kids = buf;
    uint32_t n = 0, cap = 8;
    for (;;) {
        asl_filter *kid;
        if (!(want == '&' ? parse_operand(p, open, depth, &kid) : parse_chain(p, open, depth, '&', &kid)))
            return false;
        if (n == cap) {
            asl_filter **nk = asl_alloc(p->a, 2 * cap * sizeof *nk);
            memcpy(nk, kids, n * sizeof *nk);
            kids = nk;
            cap *= 2;
        }
        kids[n++] = kid;
        skip_ws(p);
        if (!(p->pos + 1 < p->n && p->s[p->pos] == want && p->s[p->pos + 1] == want)) break;
        p->pos += 2;
    }
    *out = n == 1 ? kids[0] : logical(p, want == '&' ? ASL_FOP_AND : ASL_FOP_OR, kids, n);
    return true;
}

static bool parse_or(parser *p, size_t open, int depth, asl_filter **out)
{
    return parse_chain(p, open, depth, '|', out);
}

/* After '[' and blanks, at '?': [?( expression )], where the expression
 * combines conditions (@.a.b OP constant, @.a) with &&, ||, ! and
 * parentheses, as Jayway's filters do. */
static bool parse_filter(parser *p, asl_seg *s, size_t open)
{
    p->pos++; /* '?' */
    skip_ws(p);
    if (cur(p) != '(') {
        if (at_end(p)) return fail(p, open, "unterminated '[?('");
        return fail(p, p->pos, "expected '(' after '?'");
    }
    asl_filter *f;
    if (!parse_operand(p, open, 0, &f)) return false;
    skip_ws(p);
    if (at_end(p)) return fail(p, open, "unterminated '[?('");
    if (cur(p) != ']') return fail(p, p->pos, "expected ']' after the filter");
    p->pos++;
    s->kind = ASL_SEG_FILTER;
    s->filter = f;
    return true;
}

/* p->pos is at '['.  Parses through the closing ']' into s. */
static bool parse_bracket(parser *p, asl_seg *s)
{
    size_t open = p->pos++;
    skip_ws(p);
    if (at_end(p)) return fail(p, open, "unterminated '['");
    char c = cur(p);
    if (c == '*') {
        p->pos++;
        skip_ws(p);
        if (at_end(p)) return fail(p, open, "unterminated '['");
        if (cur(p) != ']') return fail(p, p->pos, "expected ']' after '*'");
        p->pos++;
        s->kind = ASL_SEG_WILDCARD;
        return true;
    }
    if (c == '\'' || c == '"') return parse_quoted_list(p, s, open);
    if (c == '?') return parse_filter(p, s, open);
    if (int_starts(c) || c == ':') return parse_numeric(p, s, open);
    if (c == ']') return fail(p, open, "empty '[]'");
    return fail(p, p->pos, "expected a quoted name, an index, '*', a slice or a filter after '['");
}

/* Reference paths name one node: only KEY and INDEX steps.  The message
 * quotes the offending step as written (".." is rejected in parse_scan). */
static bool check_reference(parser *p, const asl_seg *s, size_t start)
{
    if (p->mode != ASLC_PATH_REFERENCE || s->kind == ASL_SEG_KEY || s->kind == ASL_SEG_INDEX) return true;
    size_t len = p->pos - start;
    return fail(p, start, "reference paths may not contain '%.*s'%s", (int)(len > 40 ? 40 : len),
                p->s + start, len > 40 ? " (...)" : "");
}

/* After "..": a name, '*' or a bracket applied at every depth. */
static bool parse_scan(parser *p, size_t start)
{
    if (p->mode == ASLC_PATH_REFERENCE) return fail(p, start, "reference paths may not contain '..'");
    if (at_end(p)) return fail(p, p->pos, "expected a name, '*' or '[' after '..'");
    char c = cur(p);
    asl_seg *s = seg_push(p);
    s->kind = ASL_SEG_DESCEND;
    if (c == '*') {
        p->pos++;
        return true; /* key NULL, no member: every node */
    }
    if (c == '.') return fail(p, p->pos, "unexpected '.'");
    if (is_ws(c))
        return fail(p, p->pos, "expected a name, '*' or '[' after '..' (names with spaces need brackets, "
                               "e.g. ..['a b'])");
    if (c == '[') {
        asl_seg inner;
        memset(&inner, 0, sizeof inner);
        inner.step = 1;
        if (!parse_bracket(p, &inner)) return false;
        /* seg_push may have moved the vector: s is re-fetched. */
        s = &p->segs[p->nseg - 1];
        if (inner.kind == ASL_SEG_KEY) {
            s->key = inner.key;
            s->klen = inner.klen;
        } else if (inner.kind != ASL_SEG_WILDCARD) {
            /* ..[0], ..['a','b'], ..[?(...)]: the step applied at each node
             * is carried as the single member (see runtime/path.h). */
            asl_seg *m = asl_alloc(p->a, sizeof *m);
            *m = inner;
            s->nunion = 1;
            s->members = m;
        }
        return true;
    }
    const char *name;
    uint32_t len;
    if (!read_name(p, NULL, &name, &len)) return false;
    s = &p->segs[p->nseg - 1];
    s->key = name;
    s->klen = len;
    return true;
}

static bool seg_is(const asl_seg *s, const char *name)
{
    return s->kind == ASL_SEG_KEY && s->klen == strlen(name) && memcmp(s->key, name, s->klen) == 0;
}

/* $$.Map.Item.Value... and $$.Map.Item.Index...: the runtime reads them
 * straight from the Map iteration, without looking at the names. */
static uint8_t map_item_kind(const asl_path *p)
{
    if (p->root != ASL_ROOT_CONTEXT || p->nseg < 3 || !seg_is(&p->segs[0], "Map") ||
        !seg_is(&p->segs[1], "Item"))
        return ASL_ITEM_NONE;
    if (seg_is(&p->segs[2], "Value")) return ASL_ITEM_VALUE;
    if (seg_is(&p->segs[2], "Index")) return ASL_ITEM_INDEX;
    return ASL_ITEM_NONE;
}

static const asl_path *parse_trimmed(parser *p);

const asl_path *aslc_path_parse(asl_arena *a, const char *text, aslc_path_mode mode, char *err,
                                size_t errlen, size_t *errpos)
{
    return aslc_path_parse_n(a, text, text ? strlen(text) : 0, mode, err, errlen, errpos);
}

/* The path's text for messages: a U+0000 in it is written \u0000. */
static const char *message_text(asl_arena *a, const char *s, size_t n)
{
    if (!memchr(s, 0, n)) return asl_strndup(a, s, n);
    asl_buf b;
    asl_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i]) asl_buf_putc(&b, s[i]);
        else asl_buf_puts(&b, "\\u0000");
    }
    const char *t = asl_strndup(a, b.data, b.len);
    asl_buf_free(&b);
    return t;
}

const asl_path *aslc_path_parse_n(asl_arena *a, const char *text, size_t n, aslc_path_mode mode,
                                  char *err, size_t errlen, size_t *errpos)
{
    const char *written = text ? text : "";
    /* Jayway's PathCompiler trims the path before it reads it, so AWS takes
     * "$.items " (and " $.items") as "$.items": parse the trimmed text, and
     * report positions within the text as written. */
    size_t lead = 0, len = text ? n : 0;
    while (lead < len && is_ws(written[lead])) lead++;
    while (len > lead && is_ws(written[len - 1])) len--;
    size_t pos0 = 0;
    parser P = {.a = a, .s = written + lead, .n = len - lead, .mode = mode, .err = err,
                .errlen = errlen, .errpos = errpos ? errpos : &pos0};
    parser *p = &P;
    if (err && errlen) err[0] = '\0';
    *p->errpos = 0;
    const asl_path *path = parse_trimmed(p);
    if (!path) *p->errpos += lead;
    else ((asl_path *)path)->text = message_text(a, written, text ? n : 0);
    return path;
}

static const asl_path *parse_trimmed(parser *p)
{
    asl_arena *a = p->a;

    if (p->n == 0) {
        fail(p, 0, "path is empty");
        return NULL;
    }
    if (p->s[0] != '$') {
        fail(p, 0, "paths must begin with '$'");
        return NULL;
    }
    uint8_t root = ASL_ROOT_INPUT;
    p->pos = 1;
    if (cur(p) == '$') {
        root = ASL_ROOT_CONTEXT;
        p->pos = 2;
    } else if (!at_end(p) && aslc_var_char(cur(p), true)) {
        /* $name: a workflow variable (Assign), its name the first step */
        size_t start = p->pos;
        while (!at_end(p) && aslc_var_char(cur(p), false)) p->pos++;
        asl_seg *s = seg_push(p);
        s->kind = ASL_SEG_KEY;
        s->key = asl_strndup(p->a, p->s + start, p->pos - start);
        s->klen = (uint32_t)(p->pos - start);
        root = ASL_ROOT_VAR;
    }
    size_t root_end = p->pos;

    while (!at_end(p)) {
        size_t start = p->pos;
        char c = cur(p);
        if (c == '.') {
            if (p->pos + 1 < p->n && p->s[p->pos + 1] == '.') {
                p->pos += 2;
                if (!parse_scan(p, start)) return NULL;
                continue;
            }
            p->pos++;
            if (at_end(p)) {
                fail(p, p->pos, "expected a name after '.'");
                return NULL;
            }
            c = cur(p);
            asl_seg *s;
            if (c == '*') {
                p->pos++;
                s = seg_push(p);
                s->kind = ASL_SEG_WILDCARD;
            } else if (c == '[') {
                asl_seg tmp;
                memset(&tmp, 0, sizeof tmp);
                tmp.step = 1;
                if (!parse_bracket(p, &tmp)) return NULL;
                s = seg_push(p);
                *s = tmp;
            } else if (is_ws(c)) {
                fail(p, p->pos, "expected a name after '.' (names with spaces need brackets, e.g. ['a b'])");
                return NULL;
            } else {
                const char *name;
                uint32_t len;
                if (!read_name(p, NULL, &name, &len)) return NULL;
                s = seg_push(p);
                s->kind = ASL_SEG_KEY;
                s->key = name;
                s->klen = len;
            }
            if (!check_reference(p, s, start)) return NULL;
        } else if (c == '[') {
            asl_seg tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.step = 1;
            if (!parse_bracket(p, &tmp)) return NULL;
            asl_seg *s = seg_push(p);
            *s = tmp;
            if (!check_reference(p, s, start)) return NULL;
        } else if (is_ws(c)) {
            /* (blanks at either end were trimmed) */
            fail(p, p->pos, "unexpected whitespace in a path (names with spaces need brackets, "
                            "e.g. ['a b'])");
            return NULL;
        } else if (p->pos == root_end) {
            if (root == ASL_ROOT_CONTEXT && c == '$')
                fail(p, p->pos, "unexpected '$' after '$$'");
            else
                fail(p, p->pos, "expected '.' or '[' after '%.*s'", (int)root_end, p->s);
            return NULL;
        } else {
            if (c > ' ' && c < 0x7F)
                fail(p, p->pos, "expected '.' or '[' before '%c'", c);
            else
                fail(p, p->pos, "expected '.' or '[' before byte 0x%02X", (unsigned char)c);
            return NULL;
        }
    }

    asl_path *path = asl_alloc(a, sizeof *path);
    memset(path, 0, sizeof *path);
    path->text = NULL;   /* set by aslc_path_parse: the text as written */
    path->root = root;
    path->nseg = p->nseg;
    path->segs = p->segs;
    bool definite = true;
    for (uint32_t i = 0; i < p->nseg; i++) {
        uint8_t k = p->segs[i].kind;
        if (k == ASL_SEG_KEY || k == ASL_SEG_INDEX) continue;
        /* Jayway answers a trailing name list with one object. */
        if (k == ASL_SEG_UNION && i + 1 == p->nseg && p->segs[i].members[0].kind == ASL_SEG_KEY) continue;
        definite = false;
    }
    path->definite = definite;
    path->map_item = map_item_kind(path);
    return path;
}
