/*
 * jsonata_lex.c — the JSONata tokenizer (jsonata-js 2.0.6's rules).
 *
 * Tokens: operators (one or two characters, and the words and/or/in),
 * strings in either quote with JSON escapes, numbers (JSON's syntax without
 * the sign, which is the unary minus), names (anything up to whitespace or
 * an operator character; `backquoted` for any other), $variables, the
 * literals true/false/null, /regex/flags where an operand is expected, and
 * comments (slash-star to star-slash) skipped.  Positions are byte offsets of a token's first
 * character, so that a diagnostic can point inside the JSON string.
 */
#include "jsonata_lex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char op_chars[] = ".[]{}(),@#;:?+-*/%|=<>^&!~";

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }
static bool is_op_char(char c) { return c && strchr(op_chars, c) != NULL; }

void aslc_jn_lex_fail(jn_lexer *lx, const char *code, uint32_t pos, const char *tok, size_t tokn)
{
    lx->err->code = code;
    lx->err->pos = pos;
    lx->err->token[0] = 0;
    if (tok) {
        if (tokn >= sizeof lx->err->token) tokn = sizeof lx->err->token - 1;
        memcpy(lx->err->token, tok, tokn);
        lx->err->token[tokn] = 0;
    }
    longjmp(lx->fail, 1);
}

static jn_tok tok(jn_tok_type t, const char *s, size_t n, uint32_t pos)
{
    jn_tok k = { .type = (uint8_t)t, .s = s, .n = (uint32_t)n, .pos = pos };
    return k;
}

/* Appends code point cp as UTF-8. */
static void put_utf8(asl_buf *b, uint32_t cp)
{
    unsigned char u[4];
    asl_buf_put(b, (const char *)u, asl_utf8_encode(cp, u));
}

static int hex4(const char *s, uint32_t left)
{
    if (left < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static jn_tok lex_string(jn_lexer *lx)
{
    char q = lx->src[lx->at];
    uint32_t start = lx->at++;
    asl_buf b;
    asl_buf_init(&b);
    while (lx->at < lx->len) {
        char c = lx->src[lx->at];
        if (c == '\\') {
            lx->at++;
            char e = lx->at < lx->len ? lx->src[lx->at] : 0;
            const char *m = strchr("\"\\/bfnrt", e);
            if (e && m) {
                static const char rep[] = "\"\\/\b\f\n\r\t";
                asl_buf_putc(&b, rep[m - "\"\\/bfnrt"]);
            } else if (e == 'u') {
                int cp = hex4(lx->src + lx->at + 1, lx->len - lx->at - 1);
                if (cp < 0) { asl_buf_free(&b); aslc_jn_lex_fail(lx, "S0104", lx->at, NULL, 0); }
                lx->at += 4;
                /* a surrogate pair written as two escapes is one character */
                if (cp >= 0xD800 && cp < 0xDC00 && lx->at + 6 < lx->len && lx->src[lx->at + 1] == '\\' &&
                    lx->src[lx->at + 2] == 'u') {
                    int lo = hex4(lx->src + lx->at + 3, lx->len - lx->at - 3);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        lx->at += 6;
                    }
                }
                put_utf8(&b, (uint32_t)cp);
            } else {
                asl_buf_free(&b);
                aslc_jn_lex_fail(lx, "S0103", lx->at, lx->src + lx->at, e ? 1 : 0);
            }
        } else if (c == q) {
            lx->at++;
            char *s = asl_strndup(lx->a, b.data ? b.data : "", b.len);
            jn_tok t = tok(JT_STRING, s, b.len, start);
            asl_buf_free(&b);
            return t;
        } else {
            asl_buf_putc(&b, c);
        }
        lx->at++;
    }
    asl_buf_free(&b);
    aslc_jn_lex_fail(lx, "S0101", start, NULL, 0);
}

/* /pattern/flags: the closing slash is one outside any (), [] or {} and not
 * escaped; the flags are i and m (g is implied). */
static jn_tok lex_regex(jn_lexer *lx)
{
    uint32_t start = lx->at++, p = lx->at;
    int depth = 0;
    while (p < lx->len) {
        char c = lx->src[p];
        if (c == '/' && depth == 0) {
            uint32_t bs = 0;
            while (p >= 1 + bs && lx->src[p - 1 - bs] == '\\') bs++;
            if (bs % 2 == 0) {
                if (p == lx->at) aslc_jn_lex_fail(lx, "S0301", p, NULL, 0);
                jn_tok t = tok(JT_REGEX, asl_strndup(lx->a, lx->src + lx->at, p - lx->at), p - lx->at, start);
                uint32_t f = ++p;
                while (p < lx->len && (lx->src[p] == 'i' || lx->src[p] == 'm')) p++;
                t.flags = asl_strndup(lx->a, lx->src + f, p - f);
                lx->at = p;
                return t;
            }
        }
        bool esc = p > 0 && lx->src[p - 1] == '\\';
        if ((c == '(' || c == '[' || c == '{') && !esc) depth++;
        if ((c == ')' || c == ']' || c == '}') && !esc) depth--;
        p++;
    }
    aslc_jn_lex_fail(lx, "S0302", p, NULL, 0);
}

jn_tok aslc_jn_lex_next(jn_lexer *lx, bool infix)
{
    const char *s = lx->src;
    for (;;) {
        while (lx->at < lx->len && is_space(s[lx->at])) lx->at++;
        if (lx->at + 1 < lx->len && s[lx->at] == '/' && s[lx->at + 1] == '*') {
            uint32_t start = lx->at;
            lx->at += 2;
            for (;;) {
                if (lx->at + 1 >= lx->len) aslc_jn_lex_fail(lx, "S0106", start, NULL, 0);
                if (s[lx->at] == '*' && s[lx->at + 1] == '/') break;
                lx->at++;
            }
            lx->at += 2;
            continue;
        }
        break;
    }
    uint32_t p = lx->at;
    if (p >= lx->len) return tok(JT_END, "", 0, lx->len);
    char c = s[p], d = p + 1 < lx->len ? s[p + 1] : 0;
    if (!infix && c == '/') return lex_regex(lx);
    static const char *const two[] = { "..", ":=", "!=", ">=", "<=", "**", "~>" };
    for (size_t i = 0; i < sizeof two / sizeof *two; i++)
        if (c == two[i][0] && d == two[i][1]) {
            lx->at += 2;
            return tok(JT_OPERATOR, two[i], 2, p);
        }
    if (is_op_char(c)) {
        lx->at++;
        return tok(JT_OPERATOR, s + p, 1, p);
    }
    if (c == '"' || c == '\'') return lex_string(lx);
    if (c >= '0' && c <= '9') {
        uint32_t q = p;
        if (s[q] == '0') q++;
        else while (q < lx->len && s[q] >= '0' && s[q] <= '9') q++;
        if (q + 1 < lx->len && s[q] == '.' && s[q + 1] >= '0' && s[q + 1] <= '9') {
            q++;
            while (q < lx->len && s[q] >= '0' && s[q] <= '9') q++;
        }
        if (q < lx->len && (s[q] == 'e' || s[q] == 'E')) {
            uint32_t r = q + 1;
            if (r < lx->len && (s[r] == '+' || s[r] == '-')) r++;
            if (r < lx->len && s[r] >= '0' && s[r] <= '9') {
                while (r < lx->len && s[r] >= '0' && s[r] <= '9') r++;
                q = r;
            }
        }
        char *text = asl_strndup(lx->a, s + p, q - p);
        double v = strtod(text, NULL);
        if (!isfinite(v)) aslc_jn_lex_fail(lx, "S0102", p, text, q - p);
        lx->at = q;
        jn_tok t = tok(JT_NUMBER, text, q - p, p);
        t.num = v;
        return t;
    }
    if (c == '`') {
        const char *e = memchr(s + p + 1, '`', lx->len - p - 1);
        if (!e) {
            lx->at = lx->len;
            aslc_jn_lex_fail(lx, "S0105", lx->len, NULL, 0);
        }
        lx->at = (uint32_t)(e - s) + 1;
        return tok(JT_NAME, asl_strndup(lx->a, s + p + 1, (size_t)(e - s - p - 1)), (size_t)(e - s - p - 1), p);
    }
    uint32_t q = p;
    while (q < lx->len && !is_space(s[q]) && !is_op_char(s[q])) q++;
    lx->at = q;
    if (c == '$') return tok(JT_VARIABLE, asl_strndup(lx->a, s + p + 1, q - p - 1), q - p - 1, p);
    size_t n = q - p;
    if ((n == 2 && !memcmp(s + p, "or", 2)) || (n == 2 && !memcmp(s + p, "in", 2)) ||
        (n == 3 && !memcmp(s + p, "and", 3)))
        return tok(JT_OPERATOR, asl_strndup(lx->a, s + p, n), n, p);
    if ((n == 4 && !memcmp(s + p, "true", 4)) || (n == 5 && !memcmp(s + p, "false", 5)) ||
        (n == 4 && !memcmp(s + p, "null", 4))) {
        jn_tok t = tok(JT_VALUE, asl_strndup(lx->a, s + p, n), n, p);
        t.num = s[p] == 'f' ? 0 : s[p] == 't' ? 1 : 2;
        return t;
    }
    return tok(JT_NAME, asl_strndup(lx->a, s + p, n), n, p);
}
