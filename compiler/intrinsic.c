/*
 * intrinsic.c — the compile-time parser of intrinsic function calls.
 *
 * A "key.$" value such as
 *     States.Format('{} is {}', $.name, States.MathAdd($.age, 1))
 * is a small expression language: a call is a dotted name and a
 * parenthesised argument list; an argument is a single-quoted string literal
 * (escapes \' \{ \} \\ only), a JSON number, true/false/null, a JSONPath
 * starting with $ (handed to aslc_path_parse), or another call.  This file
 * turns the text into an ir_call tree once, at compile time, so the runtime
 * never parses intrinsic text.
 *
 * Besides syntax it checks what can be known before running: the function
 * exists, the argument count is in range (from asl_intrinsics.def, the one
 * table of names and arities), nesting is within AWS's limit, and arguments
 * whose type is known statically (literals, and calls whose result type is
 * fixed) are of a type the function accepts.  Such a call would fail every
 * time it ran, so it is better reported with a position now.
 *
 * One exception to "string literals are stored unescaped": the template of
 * States.Format (its first argument, when it is a literal) keeps \{ \} and \\
 * escaped, because the runtime must tell a literal brace from a {}
 * placeholder; the runtime applies the same escape rules to templates that
 * come from a path.
 */
#include "intrinsic.h"
#include "jsonpath.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AWS documents "up to 10 intrinsic functions nested within a field". */
#define MAX_DEPTH 10
/* Base64Encode/Base64Decode/Hash take at most this many characters. */
#define MAX_CHARS 10000

static const struct {
    const char *name;
    int lo, hi;
} fn_table[ASL_FN__COUNT] = {
#define X(id, name, lo, hi) [ASL_FN_##id] = {name, lo, hi},
#include "asl_intrinsics.def"
#undef X
};

const char *aslc_intrinsic_name(int fn)
{
    if (fn < 0 || fn >= ASL_FN__COUNT) return "States.?";
    return fn_table[fn].name;
}

/* ---- static types ---------------------------------------------------------- */

/* What is known about an argument's value before running.  T_ANY: a path, or
 * a call whose result depends on the data. */
typedef enum { T_ANY, T_STRING, T_NUMBER, T_BOOL, T_NULL, T_ARRAY, T_OBJECT } stype;

static const char *stype_name(stype t)
{
    switch (t) {
    case T_STRING: return "a string";
    case T_NUMBER: return "a number";
    case T_BOOL: return "a boolean";
    case T_NULL: return "null";
    case T_ARRAY: return "an array";
    case T_OBJECT: return "an object";
    default: return "a value";
    }
}

static stype result_type(int fn)
{
    switch (fn) {
    case ASL_FN_FORMAT:
    case ASL_FN_JSON_TO_STRING:
    case ASL_FN_BASE64_ENCODE:
    case ASL_FN_BASE64_DECODE:
    case ASL_FN_HASH:
    case ASL_FN_UUID:
        return T_STRING;
    case ASL_FN_ARRAY:
    case ASL_FN_ARRAY_PARTITION:
    case ASL_FN_ARRAY_RANGE:
    case ASL_FN_ARRAY_UNIQUE:
    case ASL_FN_STRING_SPLIT:
        return T_ARRAY;
    case ASL_FN_ARRAY_CONTAINS:
        return T_BOOL;
    case ASL_FN_ARRAY_LENGTH:
    case ASL_FN_MATH_RANDOM:
    case ASL_FN_MATH_ADD:
        return T_NUMBER;
    case ASL_FN_JSON_MERGE:
        return T_OBJECT;
    default:
        return T_ANY;   /* StringToJson, ArrayGetItem */
    }
}

static stype arg_type(const ir_arg *g)
{
    switch (g->kind) {
    case IR_ARG_STRING: return T_STRING;
    case IR_ARG_NUMBER: return T_NUMBER;
    case IR_ARG_BOOL: return T_BOOL;
    case IR_ARG_NULL: return T_NULL;
    case IR_ARG_CALL: return result_type(g->call->fn);
    default: return T_ANY;
    }
}

/* ---- the parser ------------------------------------------------------------- */

typedef struct {
    asl_arena *a;
    const char *s;
    size_t n;          /* s's length: a U+0000 in a string literal or path is kept */
    size_t pos;
    char *err;
    size_t errlen;
    size_t *errpos;
    bool failed;
    /* With warn set, the constant-argument checks (check_call) record their
     * first finding there instead of failing: see aslc_intrinsic_parse_lenient. */
    char *warn;
    size_t warnlen;
    size_t *warnpos;
    bool checking, warned;
} icall_parser;

static void fail_at(icall_parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(icall_parser *p, size_t at, const char *fmt, ...)
{
    if (p->checking && p->warn) {
        if (p->warned) return;   /* the first finding is the one reported */
        p->warned = true;
        if (p->warnpos) *p->warnpos = at;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->warn, p->warnlen, fmt, ap);
        va_end(ap);
        return;
    }
    if (p->failed) return;   /* the first error is the one reported */
    p->failed = true;
    if (p->errpos) *p->errpos = at;
    if (p->err && p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
}

static void skip_space(icall_parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
           p->s[p->pos] == '\r')
        p->pos++;
}

static bool ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

/* A dotted identifier (States.Format); returns its length, 0 if none. */
static size_t scan_dotted(const char *s)
{
    size_t i = 0;
    for (;;) {
        if (!ident_start(s[i])) return 0;
        while (ident_char(s[i])) i++;
        if (s[i] != '.') return i;
        if (!ident_start(s[i + 1])) return i;   /* "States." then junk: stop before the dot */
        i++;
    }
}

bool aslc_is_intrinsic(const char *text)
{
    if (!text) return false;
    size_t n = scan_dotted(text);
    if (n == 0) return false;
    while (text[n] == ' ' || text[n] == '\t') n++;
    return text[n] == '(';
}

static int lookup_fn(const char *name, size_t n)
{
    for (int i = 0; i < ASL_FN__COUNT; i++)
        if (strlen(fn_table[i].name) == n && memcmp(fn_table[i].name, name, n) == 0) return i;
    return -1;
}

/* 'literal' at p->pos.  Fills g->str/len with the unescaped text; with
 * template set, \{ \} \\ stay escaped (see the header comment). */
static void parse_string(icall_parser *p, ir_arg *g, bool template)
{
    size_t open = p->pos++;
    size_t cap = 0;
    /* The unescaped text is never longer than the source. */
    for (size_t i = p->pos; i < p->n && p->s[i] != '\''; i++) {
        cap++;
        if (p->s[i] == '\\' && i + 1 < p->n) i++;
    }
    char *out = asl_alloc(p->a, cap * 2 + 1);
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->n) {
            fail_at(p, open, "unterminated string literal");
            return;
        }
        char c = p->s[p->pos];
        if (c == '\'') {
            p->pos++;
            break;
        }
        if (c == '\\') {
            char e = p->pos + 1 < p->n ? p->s[p->pos + 1] : 0;
            if (e != '\'' && e != '{' && e != '}' && e != '\\') {
                if (p->pos + 1 >= p->n)
                    fail_at(p, p->pos, "unterminated string literal (it ends with a backslash)");
                else
                    fail_at(p, p->pos,
                            "invalid escape '\\%c' in string literal (only \\', \\{, \\} and "
                            "\\\\ are allowed)",
                            e);
                return;
            }
            if (template && e != '\'') out[n++] = '\\';
            out[n++] = e;
            p->pos += 2;
            continue;
        }
        out[n++] = c;
        p->pos++;
    }
    out[n] = 0;
    g->kind = IR_ARG_STRING;
    g->str = out;
    g->len = (uint32_t)n;
}

/* A JSON number at p->pos; the text is kept so that it prints as written. */
static void parse_number(icall_parser *p, ir_arg *g)
{
    size_t start = p->pos, i = p->pos;
    const char *s = p->s;
    if (s[i] == '-') i++;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (s[i] >= '0' && s[i] <= '9') i++;
    } else {
        fail_at(p, start, "invalid number");
        return;
    }
    if (s[i] == '.') {
        i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            fail_at(p, start, "invalid number: a digit must follow the decimal point");
            return;
        }
        while (s[i] >= '0' && s[i] <= '9') i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-') i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            fail_at(p, start, "invalid number: a digit must follow the exponent");
            return;
        }
        while (s[i] >= '0' && s[i] <= '9') i++;
    }
    if (ident_char(s[i]) || s[i] == '.') {
        fail_at(p, start, "invalid number");
        return;
    }
    char *text = asl_strndup(p->a, s + start, i - start);
    double d = strtod(text, NULL);
    if (!isfinite(d)) {
        fail_at(p, start, "number %s is out of range", text);
        return;
    }
    g->kind = IR_ARG_NUMBER;
    g->str = text;
    g->len = (uint32_t)(i - start);
    g->num = d;
    p->pos = i;
}

/* A path argument at p->pos: it runs to the ',' or ')' that is outside any
 * brackets and quotes (filters and quoted keys may contain both). */
static void parse_path(icall_parser *p, ir_arg *g)
{
    size_t start = p->pos, i = p->pos;
    int depth = 0;
    char quote = 0;
    const char *s = p->s;
    for (; i < p->n; i++) {
        char c = s[i];
        if (quote) {
            if (c == '\\' && i + 1 < p->n) i++;
            else if (c == quote) quote = 0;
            continue;
        }
        if (depth > 0 && (c == '\'' || c == '"')) quote = c;
        else if (c == '[' || c == '(') depth++;
        else if ((c == ']' || c == ')') && depth > 0) depth--;
        else if (depth == 0 && (c == ',' || c == ')')) break;
    }
    if (quote || depth > 0) {
        fail_at(p, start, "unterminated path argument");
        return;
    }
    size_t end = i;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' ||
                           s[end - 1] == '\r'))
        end--;
    char *text = asl_strndup(p->a, s + start, end - start);
    char perr[256];
    size_t ppos = 0;
    perr[0] = 0;
    const asl_path *path =
        aslc_path_parse_n(p->a, text, end - start, ASLC_PATH_PAYLOAD, perr, sizeof perr, &ppos);
    if (!path) {
        if (ppos > end - start) ppos = end - start;
        fail_at(p, start + ppos, "%s", perr[0] ? perr : "invalid path");
        return;
    }
    g->kind = IR_ARG_PATH;
    g->path = path;
    g->str = text;
    g->len = (uint32_t)(end - start);
    p->pos = i;
}

static ir_call *parse_call(icall_parser *p, int depth);

/* Bytes of the (UTF-8) character at s, for quoting it whole in a message. */
static int char_len(const char *s)
{
    int n = 1;
    while (n < 4 && ((unsigned char)s[n] & 0xC0) == 0x80) n++;
    return n;
}

static void parse_arg(icall_parser *p, ir_arg *g, int depth, bool template)
{
    char c = p->s[p->pos];
    if (c == '\'') {
        parse_string(p, g, template);
    } else if (c == '$') {
        parse_path(p, g);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        parse_number(p, g);
    } else if (ident_start(c)) {
        size_t start = p->pos;
        size_t n = scan_dotted(p->s + start);
        size_t after = start + n;
        while (p->s[after] == ' ' || p->s[after] == '\t') after++;
        if (p->s[after] == '(') {
            g->kind = IR_ARG_CALL;
            g->call = parse_call(p, depth + 1);
        } else if (n == 4 && !memcmp(p->s + start, "true", 4)) {
            g->kind = IR_ARG_BOOL;
            g->b = true;
            p->pos += 4;
        } else if (n == 5 && !memcmp(p->s + start, "false", 5)) {
            g->kind = IR_ARG_BOOL;
            g->b = false;
            p->pos += 5;
        } else if (n == 4 && !memcmp(p->s + start, "null", 4)) {
            g->kind = IR_ARG_NULL;
            p->pos += 4;
        } else {
            fail_at(p, start,
                    "unexpected '%.*s': an argument is a 'string', a number, true, false, "
                    "null, a path ($...) or an intrinsic call",
                    (int)(n > 40 ? 40 : n), p->s + start);
        }
    } else if (c == 0) {
        fail_at(p, p->pos, "unexpected end of text: expected an argument");
    } else if (c == ',' || c == ')') {
        fail_at(p, p->pos, "expected an argument before '%c'", c);
    } else {
        fail_at(p, p->pos,
                "unexpected '%.*s': an argument is a 'string', a number, true, false, null, "
                "a path ($...) or an intrinsic call",
                char_len(p->s + p->pos), p->s + p->pos);
    }
}

/* ---- constant-argument checks ------------------------------------------------ */

/* Placeholders in an (escaped) Format template, or -1 with *bad at a lone brace. */
static int count_placeholders(const char *t, uint32_t n, uint32_t *bad)
{
    int count = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (t[i] == '\\' && i + 1 < n) {
            i++;
        } else if (t[i] == '{') {
            if (i + 1 < n && t[i + 1] == '}') {
                count++;
                i++;
            } else {
                *bad = i;
                return -1;
            }
        } else if (t[i] == '}') {
            *bad = i;
            return -1;
        }
    }
    return count;
}


static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

typedef struct {
    icall_parser *p;
    const ir_call *c;
    const size_t *at;   /* source offset of each argument */
} checker;

/* Argument i must be of type want when its type is known. */
static bool need(checker *k, uint32_t i, stype want)
{
    stype t = arg_type(&k->c->args[i]);
    if (t == T_ANY || t == want) return true;
    fail_at(k->p, k->at[i], "%s argument %u must be %s, not %s",
            fn_table[k->c->fn].name, i + 1, stype_name(want), stype_name(t));
    return false;
}

static bool literal_num(const ir_arg *g, double *d)
{
    if (g->kind != IR_ARG_NUMBER) return false;
    *d = g->num;
    return true;
}

/* Java's Math.round: the nearest integer, halves toward +infinity. */
static double java_round(double d)
{
    double r = floor(d);
    if (d - r >= 0.5) r += 1;
    return r;
}

static void check_call(icall_parser *p, const ir_call *c, const size_t *at)
{
    checker k = {p, c, at};
    const char *name = fn_table[c->fn].name;
    const ir_arg *g = c->args;
    double d0, d1, d2;

    switch (c->fn) {
    case ASL_FN_FORMAT:
        if (!need(&k, 0, T_STRING)) return;
        if (g[0].kind == IR_ARG_STRING) {
            uint32_t bad = 0;
            int holes = count_placeholders(g[0].str, g[0].len, &bad);
            if (holes < 0) {
                /* bad indexes the escaped template; point at the literal itself */
                fail_at(p, at[0],
                        "States.Format template has an unescaped '%c' that is not part of a "
                        "{} placeholder (write \\%c for a literal brace)",
                        g[0].str[bad], g[0].str[bad]);
                return;
            }
            if ((uint32_t)holes != c->argc - 1)
                fail_at(p, at[0],
                        "States.Format template has %d placeholder%s but %u value%s given",
                        holes, holes == 1 ? "" : "s", c->argc - 1,
                        c->argc - 1 == 1 ? " is" : "s are");
        }
        break;
    case ASL_FN_STRING_TO_JSON:
        if (!need(&k, 0, T_STRING)) return;
        if (g[0].kind == IR_ARG_STRING && !is_blank(g[0].str, g[0].len)) {
            asl_json_error jerr;
            if (!asl_json_parse(p->a, g[0].str, g[0].len, &jerr))
                fail_at(p, at[0], "States.StringToJson argument is not valid JSON: %s",
                        jerr.msg);
        }
        break;
    case ASL_FN_ARRAY_PARTITION:
        if (!need(&k, 0, T_ARRAY) || !need(&k, 1, T_NUMBER)) return;
        if (literal_num(&g[1], &d1) && trunc(d1) < 1)
            fail_at(p, at[1], "States.ArrayPartition chunk size must be a positive integer");
        break;
    case ASL_FN_ARRAY_CONTAINS:
        need(&k, 0, T_ARRAY);
        break;
    case ASL_FN_ARRAY_RANGE:
        if (!need(&k, 0, T_NUMBER) || !need(&k, 1, T_NUMBER) || !need(&k, 2, T_NUMBER)) return;
        if (literal_num(&g[2], &d2) && trunc(d2) == 0) {
            fail_at(p, at[2], "States.ArrayRange step must not be 0");
            return;
        }
        if (literal_num(&g[0], &d0) && literal_num(&g[1], &d1) && literal_num(&g[2], &d2)) {
            double n = floor((trunc(d1) - trunc(d0)) / trunc(d2)) + 1;
            if (n > 1000)
                fail_at(p, at[0], "States.ArrayRange would produce %.0f items (at most 1000)", n);
        }
        break;
    case ASL_FN_ARRAY_GET_ITEM:
        if (!need(&k, 0, T_ARRAY) || !need(&k, 1, T_NUMBER)) return;
        if (literal_num(&g[1], &d1) && trunc(d1) < 0)
            fail_at(p, at[1], "States.ArrayGetItem index must not be negative");
        break;
    case ASL_FN_ARRAY_LENGTH:
    case ASL_FN_ARRAY_UNIQUE:
        need(&k, 0, T_ARRAY);
        break;
    case ASL_FN_BASE64_ENCODE:
    case ASL_FN_BASE64_DECODE:
        if (!need(&k, 0, T_STRING)) return;
        if (g[0].kind == IR_ARG_STRING && asl_utf16_length(g[0].str, g[0].len) > MAX_CHARS)
            fail_at(p, at[0], "%s input is longer than %d characters", name, MAX_CHARS);
        break;
    case ASL_FN_HASH:
        if (!need(&k, 1, T_STRING)) return;
        if (g[0].kind == IR_ARG_STRING && asl_utf16_length(g[0].str, g[0].len) > MAX_CHARS) {
            fail_at(p, at[0], "States.Hash input is longer than %d characters", MAX_CHARS);
            return;
        }
        if (g[1].kind == IR_ARG_STRING) {
            static const char *const algs[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
            bool ok = false;
            for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
                if (strlen(algs[i]) == g[1].len && !memcmp(algs[i], g[1].str, g[1].len))
                    ok = true;
            if (!ok)
                fail_at(p, at[1],
                        "States.Hash algorithm '%s' is not one of MD5, SHA-1, SHA-256, SHA-384, "
                        "SHA-512",
                        g[1].str);
        }
        break;
    case ASL_FN_JSON_MERGE:
        if (!need(&k, 0, T_OBJECT) || !need(&k, 1, T_OBJECT) || !need(&k, 2, T_BOOL)) return;
        if (g[2].kind == IR_ARG_BOOL && g[2].b)
            fail_at(p, at[2],
                    "States.JsonMerge supports only the shallow merge: its third argument must "
                    "be false");
        break;
    case ASL_FN_MATH_RANDOM:
        for (uint32_t i = 0; i < c->argc; i++)
            if (!need(&k, i, T_NUMBER)) return;
        if (literal_num(&g[0], &d0) && literal_num(&g[1], &d1) && trunc(d0) >= trunc(d1))
            fail_at(p, at[0], "States.MathRandom start (%s) must be less than end (%s)",
                    g[0].str, g[1].str);
        break;
    case ASL_FN_MATH_ADD:
        for (uint32_t i = 0; i < 2; i++) {
            if (!need(&k, i, T_NUMBER)) return;
            double r;
            if (literal_num(&g[i], &r) && (java_round(r) > 2147483647.0 ||
                                           java_round(r) < -2147483648.0)) {
                fail_at(p, at[i], "States.MathAdd argument %u is outside the 32-bit integer range",
                        i + 1);
                return;
            }
        }
        if (literal_num(&g[0], &d0) && literal_num(&g[1], &d1)) {
            double sum = java_round(d0) + java_round(d1);
            if (sum > 2147483647.0 || sum < -2147483648.0)
                fail_at(p, at[0], "States.MathAdd result is outside the 32-bit integer range");
        }
        break;
    case ASL_FN_STRING_SPLIT:
        if (need(&k, 0, T_STRING)) need(&k, 1, T_STRING);
        break;
    default:
        break;   /* JsonToString, Array, UUID: anything goes */
    }
}

static const char *plural_args(int n)
{
    return n == 1 ? "argument" : "arguments";
}

/* A call at p->pos (a dotted name then '('). */
static ir_call *parse_call(icall_parser *p, int depth)
{
    size_t name_at = p->pos;
    size_t n = scan_dotted(p->s + name_at);
    if (n == 0) {
        fail_at(p, name_at, "expected an intrinsic function call such as States.Format(...)");
        return NULL;
    }
    int fn = lookup_fn(p->s + name_at, n);
    if (fn < 0) {
        fail_at(p, name_at, "unknown intrinsic function '%.*s'", (int)(n > 60 ? 60 : n),
                p->s + name_at);
        return NULL;
    }
    if (depth > MAX_DEPTH) {
        fail_at(p, name_at, "intrinsic functions are nested more than %d deep", MAX_DEPTH);
        return NULL;
    }
    p->pos += n;
    skip_space(p);
    if (p->s[p->pos] != '(') {
        fail_at(p, p->pos, "expected '(' after %s", fn_table[fn].name);
        return NULL;
    }
    size_t open = p->pos++;

    uint32_t cap = 4, argc = 0;
    ir_arg *args = asl_alloc(p->a, cap * sizeof *args);
    size_t *at = asl_alloc(p->a, cap * sizeof *at);
    skip_space(p);
    if (p->s[p->pos] == ')') {
        p->pos++;
    } else {
        for (;;) {
            skip_space(p);
            if (argc == cap) {
                ir_arg *na = asl_alloc(p->a, 2 * cap * sizeof *na);
                size_t *nat = asl_alloc(p->a, 2 * cap * sizeof *nat);
                memcpy(na, args, cap * sizeof *na);
                memcpy(nat, at, cap * sizeof *nat);
                args = na;
                at = nat;
                cap *= 2;
            }
            memset(&args[argc], 0, sizeof args[argc]);
            at[argc] = p->pos;
            parse_arg(p, &args[argc], depth, fn == ASL_FN_FORMAT && argc == 0);
            if (p->failed) return NULL;
            argc++;
            skip_space(p);
            char c = p->s[p->pos];
            if (c == ',') {
                p->pos++;
                continue;
            }
            if (c == ')') {
                p->pos++;
                break;
            }
            if (c == 0)
                fail_at(p, open, "missing ')' to close %s(", fn_table[fn].name);
            else
                fail_at(p, p->pos, "expected ',' or ')' after argument %u of %s, found '%.*s'",
                        argc, fn_table[fn].name, char_len(p->s + p->pos), p->s + p->pos);
            return NULL;
        }
    }

    int lo = fn_table[fn].lo, hi = fn_table[fn].hi;
    if ((int)argc < lo || (hi >= 0 && (int)argc > hi)) {
        if (hi == 0)
            fail_at(p, name_at, "%s takes no arguments, got %u", fn_table[fn].name, argc);
        else if (lo == hi)
            fail_at(p, name_at, "%s takes %d %s, got %u", fn_table[fn].name, lo,
                    plural_args(lo), argc);
        else if (hi < 0)
            fail_at(p, name_at, "%s takes at least %d %s, got %u", fn_table[fn].name, lo,
                    plural_args(lo), argc);
        else
            fail_at(p, name_at, "%s takes %d or %d arguments, got %u", fn_table[fn].name, lo,
                    hi, argc);
        return NULL;
    }

    ir_call *c = asl_alloc(p->a, sizeof *c);
    c->fn = fn;
    c->argc = argc;
    c->args = args;
    p->checking = true;
    check_call(p, c, at);
    p->checking = false;
    return p->failed ? NULL : c;
}

ir_call *aslc_intrinsic_parse(asl_arena *a, const char *text, char *err, size_t errlen,
                              size_t *errpos)
{
    return aslc_intrinsic_parse_lenient(a, text, err, errlen, errpos, NULL, 0, NULL);
}

ir_call *aslc_intrinsic_parse_lenient(asl_arena *a, const char *text, char *err, size_t errlen,
                                      size_t *errpos, char *warn, size_t warnlen, size_t *warnpos)
{
    return aslc_intrinsic_parse_n(a, text, text ? strlen(text) : 0, err, errlen, errpos, warn,
                                  warnlen, warnpos);
}

ir_call *aslc_intrinsic_parse_n(asl_arena *a, const char *text, size_t n, char *err, size_t errlen,
                                size_t *errpos, char *warn, size_t warnlen, size_t *warnpos)
{
    icall_parser p = {a, text ? text : "", text ? n : 0, 0, err, errlen, errpos, false,
                      warn && warnlen ? warn : NULL, warnlen, warnpos, false, false};
    if (p.warn) warn[0] = 0;
    if (err && errlen) err[0] = 0;
    if (errpos) *errpos = 0;
    skip_space(&p);
    ir_call *c = parse_call(&p, 1);
    if (!c) return NULL;
    skip_space(&p);
    if (p.pos < p.n) {
        fail_at(&p, p.pos, "unexpected text after the intrinsic call: '%.20s'", p.s + p.pos);
        return NULL;
    }
    return c;
}

/* ---- for the back ends -------------------------------------------------------- */

bool aslc_format_split(asl_arena *a, const ir_call *c, asl_fmt *f)
{
    if (c->fn != ASL_FN_FORMAT || c->args[0].kind != IR_ARG_STRING) return false;
    const ir_arg *t = &c->args[0];
    return asl_fmt_parse(a, t->str, t->len, f) && f->holes == c->argc - 1;
}
