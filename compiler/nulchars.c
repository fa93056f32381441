/*
 * nulchars.c — U+0000 in the strings of a definition.
 *
 * cJSON keeps strings NUL-terminated, so "ab\u0000cd" reaches the front end
 * as "ab" and, used as such, compares, matches and prints wrong with no
 * word (a Choice "StringEquals": "ab\u0000cd" matched the input "ab").
 * Where a string may hold one, the front end reads it whole from the source
 * (aslc_srcmap_string) and the IR, the back ends and the runtime keep it
 * counted: constants (Result, the constant parts and every key of
 * Parameters, ResultSelector, ItemSelector and BatchInput), the operands of
 * Choice string and timestamp comparisons, a Fail state's Error and Cause,
 * the names of ErrorEquals, paths (their member names: $['a\u0000b']),
 * intrinsic calls (their string arguments), and every Comment (unused).
 *
 * Refused, naming the field:
 *   - state names, and StartAt, Next and Default that name a state: AWS
 *     documents the name of a state (StateEnteredEventDetails and the other
 *     history events) as excluding control characters, U+0000-001F;
 *   - field names of the language itself (a "Type\u0000x" would read as
 *     "Type"): none holds one;
 *   - everything else (Type, Resource, QueryLanguage, Timestamp, JSONata
 *     expressions, Assign, ItemReader...), which the front end still reads
 *     NUL-terminated: refused rather than cut short.
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
              "this %s holds U+0000 (\\u0000), which aslc does not keep here: it would cut the "
              "text short", key ? "name" : "string");
}

/* A field name of the language (the key of a state, a rule, a retrier...). */
static void field_name(aslc_unit *u, const cJSON *k, const char *ptr)
{
    if (aslc_srcmap_has_nul(u->map, k, true))
        aslc_diag(u, ASLC_ERROR, k, true, ptr,
                  "this name holds U+0000 (\\u0000): no field of the Amazon States Language does "
                  "(it would read as \"%s\")", k->string);
}

/* A state's name, or a string naming one (StartAt, Next, Default). */
static void state_name(aslc_unit *u, const cJSON *n, bool key, const char *ptr)
{
    if ((key || cJSON_IsString(n)) && aslc_srcmap_has_nul(u->map, n, key))
        aslc_diag(u, ASLC_ERROR, n, key, ptr,
                  "this state name holds U+0000 (\\u0000): AWS documents the name of a state as "
                  "excluding control characters (U+0000-001F, U+007F-009F)");
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

/* Whether field f's string value is read whole (parse.c: Error and Cause;
 * paths and the intrinsic calls of ErrorPath and CausePath; Comment is
 * never used).  The fields named ...Path are all paths, or calls. */
static bool whole_value(const char *f)
{
    size_t n = strlen(f);
    return !strcmp(f, "Error") || !strcmp(f, "Cause") || !strcmp(f, "Comment") ||
           !strcmp(f, "Variable") || (n > 4 && !strcmp(f + n - 4, "Path"));
}

/* A "{% expression %}" string (cJSON's copy may end before its "%}"). */
static bool jn_expression(const cJSON *k)
{
    return cJSON_IsString(k) && !strncmp(k->valuestring, "{%", 2);
}

/* The fields of a JSONata state whose value is one expression, read whole
 * (parse.c: jn_text, jn_expr): the scalars of read_jn_state, Condition. */
static bool jn_scalar(const char *f)
{
    static const char *const names[] = {"TimeoutSeconds", "HeartbeatSeconds", "Seconds", "Timestamp",
                                        "Error", "Cause", "MaxConcurrency", "ToleratedFailureCount",
                                        "ToleratedFailurePercentage", "Condition"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(f, names[i])) return true;
    return false;
}

/* The values a JSONata state computes with templates (parse.c: jn_tmpl): an
 * expression, or JSON with expressions in it, keys and strings read whole. */
static bool jn_template(const char *f)
{
    return !strcmp(f, "Arguments") || !strcmp(f, "Output") || !strcmp(f, "ItemSelector") ||
           !strcmp(f, "Items");
}

static void tmpl(aslc_unit *u, const cJSON *n, const char *ptr);

/* Assign: its keys name variables, which AWS limits to identifiers; its
 * values are templates (JSONPath) or JSONata values, read whole. */
static void assign(aslc_unit *u, const cJSON *n, const char *ptr, bool jn)
{
    if (!cJSON_IsObject(n)) {
        structural(u, n, ptr);
        return;
    }
    for (const cJSON *k = n->child; k; k = k->next) {
        const char *kp = key_ptr(u, ptr, k);
        if (aslc_srcmap_has_nul(u->map, k, true))
            aslc_diag(u, ASLC_ERROR, k, true, kp,
                      "this variable name holds U+0000 (\\u0000): AWS's variable names are "
                      "identifiers (letters, digits and '_')");
        if (!jn) {
            /* one member of a JSONPath template */
            size_t kl = strlen(k->string);
            if (kl >= 2 && !strcmp(k->string + kl - 2, ".$")) {
                if (!cJSON_IsString(k)) structural(u, k, kp);
            } else {
                tmpl(u, k, kp);
            }
        }
    }
}

/* A member k (field f) of a state, rule, retrier or catcher (of a JSONata
 * state: jn): a string read whole, a state's name, or anything else
 * (structural). */
static void member(aslc_unit *u, const cJSON *k, const char *f, const char *kp, bool jn)
{
    if (!strcmp(f, "Comment")) return;   /* never read */
    if (cJSON_IsString(k) && whole_value(f) && !jn_expression(k)) return;
    if (jn && ((jn_scalar(f) && jn_expression(k)) || jn_template(f))) return;
    if (!strcmp(f, "Assign")) assign(u, k, kp, jn);
    else if (!strcmp(f, "Next") || !strcmp(f, "Default") || !strcmp(f, "StartAt"))
        state_name(u, k, false, kp);
    else structural(u, k, kp);
}

/* A template: keys whole; "key.$" values are paths or calls, read whole. */
static void tmpl(aslc_unit *u, const cJSON *n, const char *ptr)
{
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kp = k->string ? key_ptr(u, ptr, k) : ptr_index(u->arena, ptr, i);
        size_t kl = k->string ? strlen(k->string) : 0;
        if (cJSON_IsObject(n) && kl >= 2 && !strcmp(k->string + kl - 2, ".$")) {
            if (!cJSON_IsString(k)) structural(u, k, kp);
        } else {
            tmpl(u, k, kp);
        }
    }
}

static void machine(aslc_unit *u, const cJSON *m, const char *ptr, bool jn);

/* The query language of object o: its QueryLanguage, or that of its machine (jn). */
static bool jsonata(const cJSON *o, bool jn)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "QueryLanguage");
    return cJSON_IsString(q) ? !strcmp(q->valuestring, "JSONata") : jn;
}

/* Whether a Choice comparison's operand is kept whole: strings and timestamps. */
static bool string_operator(const char *op)
{
    size_t n = strlen(op);
    if (n > 4 && !strcmp(op + n - 4, "Path")) return false;
    return !strncmp(op, "String", 6) || !strncmp(op, "Timestamp", 9);
}

static void rule(aslc_unit *u, const cJSON *r, const char *ptr, bool jn)
{
    int i = 0;
    for (const cJSON *k = r->child; k; k = k->next, i++) {
        const char *kp = k->string ? key_ptr(u, ptr, k) : ptr_index(u->arena, ptr, i);
        if (!k->string) {
            rule(u, k, kp, jn);   /* an element of And / Or */
            continue;
        }
        field_name(u, k, kp);
        if (!strcmp(k->string, "And") || !strcmp(k->string, "Or") || !strcmp(k->string, "Not"))
            rule(u, k, kp, jn);
        else if (jn || !string_operator(k->string)) member(u, k, k->string, kp, jn);
    }
}

/* The retriers or catchers of a state: ErrorEquals names are read whole. */
static void handlers(aslc_unit *u, const cJSON *list, const char *ptr, bool jn)
{
    if (!cJSON_IsArray(list)) {
        structural(u, list, ptr);
        return;
    }
    int i = 0;
    for (const cJSON *h = list->child; h; h = h->next, i++) {
        const char *hp = ptr_index(u->arena, ptr, i);
        if (!cJSON_IsObject(h)) {
            structural(u, h, hp);
            continue;
        }
        for (const cJSON *k = h->child; k; k = k->next) {
            const char *kp = key_ptr(u, hp, k);
            field_name(u, k, kp);
            if (!strcmp(k->string, "ErrorEquals") && cJSON_IsArray(k)) {
                int j = 0;
                for (const cJSON *e = k->child; e; e = e->next, j++)
                    if (!cJSON_IsString(e)) structural(u, e, ptr_index(u->arena, kp, j));
            } else {
                member(u, k, k->string, kp, jn);
            }
        }
    }
}

static void state(aslc_unit *u, const cJSON *s, const char *ptr, bool jn)
{
    jn = jsonata(s, jn);
    for (const cJSON *k = s->child; k; k = k->next) {
        const char *kp = key_ptr(u, ptr, k);
        field_name(u, k, kp);
        const char *f = k->string;
        if (!strcmp(f, "Result") || !strcmp(f, "Parameters") || !strcmp(f, "ResultSelector") ||
            !strcmp(f, "ItemSelector")) {
            tmpl(u, k, kp);
        } else if (!strcmp(f, "ItemBatcher")) {
            for (const cJSON *b = k->child; b; b = b->next) {
                const char *bp = key_ptr(u, kp, b);
                field_name(u, b, bp);
                if (!strcmp(b->string, "BatchInput")) tmpl(u, b, bp);
                else structural(u, b, bp);
            }
        } else if (!strcmp(f, "Choices")) {
            int i = 0;
            for (const cJSON *r = k->child; r; r = r->next, i++)
                rule(u, r, ptr_index(u->arena, kp, i), jn);
        } else if (!strcmp(f, "Retry") || !strcmp(f, "Catch")) {
            handlers(u, k, kp, jn);
        } else if (!strcmp(f, "Branches")) {
            int i = 0;
            for (const cJSON *b = k->child; b; b = b->next, i++)
                machine(u, b, ptr_index(u->arena, kp, i), jn);
        } else if (!strcmp(f, "ItemProcessor") || !strcmp(f, "Iterator")) {
            machine(u, k, kp, jn);
        } else {
            member(u, k, f, kp, jn);
        }
    }
}

static void machine(aslc_unit *u, const cJSON *m, const char *ptr, bool jn)
{
    jn = jsonata(m, jn);
    for (const cJSON *k = m->child; k; k = k->next) {
        if (!k->string) continue;
        const char *kp = key_ptr(u, ptr, k);
        field_name(u, k, kp);
        if (!strcmp(k->string, "States") && cJSON_IsObject(k)) {
            for (const cJSON *s = k->child; s; s = s->next) {
                const char *sp = key_ptr(u, kp, s);
                state_name(u, s, true, sp);
                if (cJSON_IsObject(s)) state(u, s, sp, jn);
            }
        } else if (!strcmp(k->string, "StartAt") || !strcmp(k->string, "Comment")) {
            member(u, k, k->string, kp, jn);
        } else {
            structural(u, k, kp);
        }
    }
}

bool aslc_nul_check(aslc_unit *u, const cJSON *root)
{
    if (!memmem(u->text, u->len, "\\u0000", 6)) return false;
    if (cJSON_IsObject(root)) machine(u, root, "/", false);
    return true;
}
