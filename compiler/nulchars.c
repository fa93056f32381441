/*
 * nulchars.c — U+0000 in the strings of a definition.
 *
 * cJSON keeps strings NUL-terminated, so "ab\u0000cd" reaches the front end
 * as "ab" and, used as such, compares, matches and prints wrong with no
 * word (a Choice "StringEquals": "ab\u0000cd" matched the input "ab").
 * Where the IR keeps strings counted, the front end reads them whole from
 * the source (aslc_srcmap_string): constants (Result, the constant parts
 * and every key of Parameters, ResultSelector, ItemSelector and
 * BatchInput) and the operands of Choice string and timestamp comparisons.
 * Everywhere else (state names, Next, error names, Error and Cause,
 * Resource, paths, intrinsic calls, field names...) the IR, the runtime
 * and the error values are NUL-terminated text: such a string is refused,
 * naming the field, instead of being cut short.  AWS's own names (of state
 * machines, executions, labels) exclude control characters altogether.
 *
 * The walk runs only when the text holds a \u0000 escape at all.
 */
#define _GNU_SOURCE
#include "aslc.h"

#include <string.h>

/* base + "/" + the whole key of k (RFC 6901 escapes); a U+0000 in it is
 * written as the six characters \u0000: pointers are printed as text. */
static const char *key_ptr(aslc_unit *u, const char *base, const cJSON *k)
{
    const char *key = k->string;
    size_t n = strlen(key);
    if (aslc_srcmap_has_nul(u->map, k, true)) aslc_srcmap_string(u->map, u->arena, k, true, &key, &n);
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, strcmp(base, "/") ? base : "");
    asl_buf_putc(&b, '/');
    for (size_t i = 0; i < n; i++) {
        if (key[i] == '~') asl_buf_puts(&b, "~0");
        else if (key[i] == '/') asl_buf_puts(&b, "~1");
        else if (!key[i]) asl_buf_puts(&b, "\\u0000");
        else asl_buf_putc(&b, key[i]);
    }
    const char *s = asl_strndup(u->arena, b.data, b.len);
    asl_buf_free(&b);
    return s;
}

static const char *ptr_index(asl_arena *a, const char *base, int i)
{
    return asl_sprintf(a, "%s/%d", strcmp(base, "/") ? base : "", i);
}

static void refuse(aslc_unit *u, const cJSON *n, bool key, const char *ptr)
{
    aslc_diag(u, ASLC_ERROR, n, key, ptr,
              "this %s holds U+0000 (\\u0000), which aslc keeps only in constants and Choice "
              "string comparisons: here it would cut the text short", key ? "name" : "string");
}

/* Anything in a structural place: no U+0000 in keys or string values. */
static void structural(aslc_unit *u, const cJSON *n, const char *ptr)
{
    if (cJSON_IsString(n) && aslc_srcmap_has_nul(u->map, n, false)) refuse(u, n, false, ptr);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kp = k->string ? key_ptr(u, ptr, k) : ptr_index(u->arena, ptr, i);
        if (k->string && aslc_srcmap_has_nul(u->map, k, true)) refuse(u, k, true, kp);
        structural(u, k, kp);
    }
}

/* A template: keys whole; "key.$" values are paths or calls (structural). */
static void tmpl(aslc_unit *u, const cJSON *n, const char *ptr)
{
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kp = k->string ? key_ptr(u, ptr, k) : ptr_index(u->arena, ptr, i);
        size_t kl = k->string ? strlen(k->string) : 0;
        if (cJSON_IsObject(n) && kl >= 2 && !strcmp(k->string + kl - 2, ".$")) structural(u, k, kp);
        else tmpl(u, k, kp);
    }
}

static void machine(aslc_unit *u, const cJSON *m, const char *ptr);

/* Whether a Choice comparison's operand is kept whole: strings and timestamps. */
static bool string_operator(const char *op)
{
    size_t n = strlen(op);
    if (n > 4 && !strcmp(op + n - 4, "Path")) return false;
    return !strncmp(op, "String", 6) || !strncmp(op, "Timestamp", 9);
}

static void rule(aslc_unit *u, const cJSON *r, const char *ptr)
{
    int i = 0;
    for (const cJSON *k = r->child; k; k = k->next, i++) {
        const char *kp = k->string ? key_ptr(u, ptr, k) : ptr_index(u->arena, ptr, i);
        if (!k->string) {
            rule(u, k, kp);   /* an element of And / Or */
            continue;
        }
        if (aslc_srcmap_has_nul(u->map, k, true)) refuse(u, k, true, kp);
        if (!strcmp(k->string, "And") || !strcmp(k->string, "Or") || !strcmp(k->string, "Not"))
            rule(u, k, kp);
        else if (!string_operator(k->string)) structural(u, k, kp);
    }
}

static void state(aslc_unit *u, const cJSON *s, const char *ptr)
{
    for (const cJSON *k = s->child; k; k = k->next) {
        const char *kp = key_ptr(u, ptr, k);
        if (aslc_srcmap_has_nul(u->map, k, true)) refuse(u, k, true, kp);
        const char *f = k->string;
        if (!strcmp(f, "Result") || !strcmp(f, "Parameters") || !strcmp(f, "ResultSelector") ||
            !strcmp(f, "ItemSelector")) {
            tmpl(u, k, kp);
        } else if (!strcmp(f, "ItemBatcher")) {
            for (const cJSON *b = k->child; b; b = b->next) {
                const char *bp = key_ptr(u, kp, b);
                if (aslc_srcmap_has_nul(u->map, b, true)) refuse(u, b, true, bp);
                if (!strcmp(b->string, "BatchInput")) tmpl(u, b, bp);
                else structural(u, b, bp);
            }
        } else if (!strcmp(f, "Choices")) {
            int i = 0;
            for (const cJSON *r = k->child; r; r = r->next, i++) rule(u, r, ptr_index(u->arena, kp, i));
        } else if (!strcmp(f, "Branches")) {
            int i = 0;
            for (const cJSON *b = k->child; b; b = b->next, i++) machine(u, b, ptr_index(u->arena, kp, i));
        } else if (!strcmp(f, "ItemProcessor") || !strcmp(f, "Iterator")) {
            machine(u, k, kp);
        } else {
            structural(u, k, kp);
        }
    }
}

static void machine(aslc_unit *u, const cJSON *m, const char *ptr)
{
    for (const cJSON *k = m->child; k; k = k->next) {
        if (!k->string) continue;
        const char *kp = key_ptr(u, ptr, k);
        if (aslc_srcmap_has_nul(u->map, k, true)) refuse(u, k, true, kp);
        if (!strcmp(k->string, "States") && cJSON_IsObject(k)) {
            for (const cJSON *s = k->child; s; s = s->next) {
                const char *sp = key_ptr(u, kp, s);
                if (aslc_srcmap_has_nul(u->map, s, true)) refuse(u, s, true, sp);
                if (cJSON_IsObject(s)) state(u, s, sp);
            }
        } else {
            structural(u, k, kp);
        }
    }
}

void aslc_nul_check(aslc_unit *u, const cJSON *root)
{
    if (!memmem(u->text, u->len, "\\u0000", 6) || !cJSON_IsObject(root)) return;
    machine(u, root, "/");
}
