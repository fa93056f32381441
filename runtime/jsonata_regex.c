/*
 * jsonata_regex.c — JSONata's regular expressions, on PCRE2 set up for
 * JavaScript's semantics (\u escapes, $ only at the very end unless /m,
 * an unset group matches the empty string in a back-reference), as
 * jsonata-js runs them with the JavaScript engine's RegExp.
 *
 * A regex literal is a function value (JN_FN_REGEX) holding the compiled
 * pattern; the string functions take it where they take a "matcher".
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "jsonata.h"

#include <stdio.h>

/* The compiled pattern lives in the arena of the regex value, like every
 * value: PCRE2 allocates it through these, and nothing frees it alone. */
static void *arena_malloc(size_t n, void *arena) { return asl_alloc(arena, n); }
static void arena_free(void *p, void *arena) { (void)p, (void)arena; }

asl_value *asl_jn_regex(asl_jn_ctx *c, const char *pattern, size_t n, const char *flags)
{
    uint32_t opts = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_UNSET_BACKREF;
    for (const char *f = flags ? flags : ""; *f; f++) {
        if (*f == 'i') opts |= PCRE2_CASELESS;
        if (*f == 'm') opts |= PCRE2_MULTILINE;
    }
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_free, c->a);
    pcre2_compile_context *cc = pcre2_compile_context_create(gc);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, n, opts, &errcode, &erroff, cc);
    if (!code) return asl_jn_error(c, "S0303", asl_string(c->a, pattern, n));
    asl_jn_fn *f = asl_alloc(c->a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->hdr.type = ASL_JN_FUNCTION;
    f->hdr.u.a.jlen = 2;
    f->kind = JN_FN_REGEX;
    f->code = code;
    f->pattern = asl_strndup(c->a, pattern, n);
    f->arity = 1;
    return &f->hdr;
}

asl_value *asl_jn_regex_once(asl_jn_ctx *c, asl_value **slot, const char *pattern, size_t n, const char *flags)
{
    asl_value *v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (v) return v;
    asl_arena *a = asl_arena_new();   /* the program's, as long as it runs: never freed */
    asl_jn_ctx rc;
    asl_jn_ctx_init(&rc, a);
    v = asl_jn_regex(&rc, pattern, n, flags);
    if (!v) {
        asl_arena_free(a);
        return asl_jn_error(c, "S0303", asl_string(c->a, pattern, n));
    }
    asl_value *seen = NULL;
    if (!__atomic_compare_exchange_n(slot, &seen, v, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        asl_arena_free(a);   /* another thread made it first */
        return seen;
    }
    return v;
}

/* The next match of re in s at or after byte from: false when none. ov gets
 * the group offsets (pairs), *ngroups their count with group 0. */
bool asl_jn_regex_next(asl_jn_fn *re, const char *s, size_t n, size_t from, size_t *ov, int *ngroups)
{
    pcre2_match_data *md = pcre2_match_data_create(32, NULL);   /* malloc'd: freed below */
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, from, 0, md, NULL);
    if (rc <= 0) {
        pcre2_match_data_free(md);
        return false;
    }
    uint32_t groups = 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &groups);
    uint32_t cnt = groups + 1 > 32 ? 32 : groups + 1;
    PCRE2_SIZE *o = pcre2_get_ovector_pointer(md);
    for (uint32_t i = 0; i < cnt; i++) {   /* groups past rc did not take part */
        ov[2 * i] = i < (uint32_t)rc ? o[2 * i] : PCRE2_UNSET;
        ov[2 * i + 1] = i < (uint32_t)rc ? o[2 * i + 1] : PCRE2_UNSET;
    }
    *ngroups = (int)cnt;
    pcre2_match_data_free(md);
    return true;
}

/* UTF-16 units before byte offset off: JavaScript's string index. */
static double js_index(const char *s, size_t off)
{
    return (double)asl_utf16_length(s, off);
}

/* The match object of the reference's regex closure: match, start, end, groups. */
asl_value *asl_jn_regex_match_obj(asl_jn_ctx *c, const char *s, const size_t *ov, int ng)
{
    asl_value *o = asl_object(c->a, 4);
    asl_object_append(c->a, o, "match", 5, asl_string(c->a, s + ov[0], ov[1] - ov[0]));
    asl_object_append(c->a, o, "index", 5, asl_number(c->a, js_index(s, ov[0])));
    asl_value *g = asl_array(c->a, (uint32_t)ng);
    for (int i = 1; i < ng; i++) {
        if (ov[2 * i] == PCRE2_UNSET)   /* undefined in JavaScript, null once printed */
            asl_array_push(c->a, g, asl_null());
        else
            asl_array_push(c->a, g, asl_string(c->a, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
    }
    asl_object_append(c->a, o, "groups", 6, g);
    return o;
}

asl_value *asl_jn_regex_call(asl_jn_ctx *c, asl_jn_fn *re, asl_value *str)
{
    if (!asl_jn_is_str(str)) return NULL;
    size_t ov[64];
    int ng;
    if (!asl_jn_regex_next(re, str->u.str, str->len, 0, ov, &ng)) return NULL;
    asl_value *o = asl_object(c->a, 4);
    asl_object_append(c->a, o, "match", 5, asl_string(c->a, str->u.str + ov[0], ov[1] - ov[0]));
    asl_object_append(c->a, o, "start", 5, asl_number(c->a, js_index(str->u.str, ov[0])));
    asl_object_append(c->a, o, "end", 3, asl_number(c->a, js_index(str->u.str, ov[1])));
    asl_value *g = asl_array(c->a, (uint32_t)ng);
    for (int i = 1; i < ng; i++)
        asl_array_push(c->a, g, ov[2 * i] == PCRE2_UNSET ? asl_null()
                                : asl_string(c->a, str->u.str + ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
    asl_object_append(c->a, o, "groups", 6, g);
    return o;
}
