/*
 * csv.c — the CSV and JSON Lines readers of a Distributed Map's ItemReader
 * (itemio.h).  What AWS makes of a CSV file (recorded runs): every value a
 * string, as written; a row with fewer fields than headers gets "" for the
 * missing ones, one with more drops the extra ones; a row of blanks is a
 * row ("   " is a value).  Each row is a Java HashMap in AWS's reader, so
 * its members come out in that map's order (by the headers' String
 * hashCode), not in the file's: {"0","{}","True"} for headers 0,True,{}.
 *
 * Backslash escapes, as AWS documents them ("How Step Functions parses
 * input CSV files"): a backslash makes the next character plain data (\\
 * is a backslash, \" a quote, \, the delimiter) and is itself dropped, so
 * before any other character it silently disappears.  A doubled quote is
 * one quote outside quotes too (AWS's example reads {""k"":""v""} as
 * {"k":"v"}).
 */
#include "itemio.h"

#include <string.h>

void asl_csv_init(asl_csv *c, const char *text, size_t n, char delim)
{
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        n -= 3;
    }
    c->p = text;
    c->end = text + n;
    c->delim = delim;
}

static bool eol(const char *p, const char *end)
{
    return p < end && (*p == '\n' || *p == '\r');
}

static const char *skip_eol(const char *p, const char *end)
{
    if (p < end && *p == '\r') p++;
    if (p < end && *p == '\n') p++;
    return p;
}

asl_value *asl_csv_next(asl_csv *c, asl_arena *a)
{
    while (eol(c->p, c->end)) c->p = skip_eol(c->p, c->end);   /* empty lines */
    if (c->p >= c->end) return NULL;
    asl_value *rec = asl_array(a, 8);
    asl_buf f;
    asl_buf_init(&f);
    const char *p = c->p, *end = c->end;
    for (;;) {
        f.len = 0;
        if (p < end && *p == '"') {
            for (p++; p < end; p++) {
                if (*p == '\\') {
                    if (++p < end) asl_buf_putc(&f, *p);   /* \\, \", \, and any other: the next byte */
                } else if (*p != '"') {
                    asl_buf_putc(&f, *p);
                } else if (p + 1 < end && p[1] == '"') {
                    asl_buf_putc(&f, '"');
                    p++;
                } else {
                    p++;
                    break;
                }
            }
        }
        while (p < end && *p != c->delim && !eol(p, end)) {
            if (*p == '\\' && ++p == end) break;
            else if (*p == '"' && p + 1 < end && p[1] == '"') p++;  /* "" is " here too */
            asl_buf_putc(&f, *p++);
        }
        asl_array_push(a, rec, asl_string(a, f.data ? f.data : "", f.len));
        if (p < end && *p == c->delim) {
            p++;
            continue;
        }
        break;
    }
    asl_buf_free(&f);
    c->p = skip_eol(p, end);
    return rec;
}

/* Java's String.hashCode: over the UTF-16 code units of s. */
static int32_t java_hash(const char *s, size_t n)
{
    uint32_t h = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp = u[i], len = 1;
        if (cp >= 0xF0 && i + 3 < n) {
            cp = ((cp & 7u) << 18) | ((u[i + 1] & 63u) << 12) | ((u[i + 2] & 63u) << 6) | (u[i + 3] & 63u);
            len = 4;
        } else if (cp >= 0xE0 && i + 2 < n) {
            cp = ((cp & 15u) << 12) | ((u[i + 1] & 63u) << 6) | (u[i + 2] & 63u);
            len = 3;
        } else if (cp >= 0xC0 && i + 1 < n) {
            cp = ((cp & 31u) << 6) | (u[i + 1] & 63u);
            len = 2;
        }
        i += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

asl_value *asl_csv_row(asl_arena *a, const asl_value *headers, const asl_value *fields)
{
    uint32_t n = headers->len;
    /* HashMap's table: 16 buckets, doubled while n passes three quarters. */
    uint32_t cap = 16;
    while (n > cap / 4 * 3) cap *= 2;
    uint32_t *bucket = asl_alloc(a, (n ? n : 1) * sizeof *bucket);
    for (uint32_t i = 0; i < n; i++) {
        const asl_value *h = headers->u.a.items[i];
        uint32_t hc = (uint32_t)java_hash(h->u.str, h->len);
        bucket[i] = (hc ^ (hc >> 16)) & (cap - 1);
    }
    asl_value *o = asl_object(a, n);
    /* By bucket, and within one by insertion (the header order). */
    for (uint32_t b = 0; b < cap; b++)
        for (uint32_t i = 0; i < n; i++) {
            if (bucket[i] != b) continue;
            const asl_value *h = headers->u.a.items[i];
            asl_value *v = i < fields->len ? fields->u.a.items[i] : asl_string(a, "", 0);
            asl_object_set(a, o, h->u.str, h->len, v);
        }
    return o;
}

asl_value *asl_jsonl_parse(asl_arena *a, const char *text, size_t n, uint32_t *line,
                           asl_json_error *err)
{
    asl_value *items = asl_array(a, 16);
    const char *p = text, *end = text + n;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    for (uint32_t ln = 1; p < end; ln++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *le = e ? e : end;
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q < le) {
            asl_value *v = asl_json_parse(a, p, (size_t)(le - p), err);
            if (!v) {
                *line = ln;
                return NULL;
            }
            asl_array_push(a, items, v);
        }
        p = e ? e + 1 : end;
    }
    return items;
}
