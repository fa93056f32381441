/*
 * test_value.c — unit tests for the runtime's value library (value.c) and
 * its JSON reader and writer (json.c).
 *
 * Plain C, no framework: every CHECK that fails prints file:line and the
 * condition, and the program exits non-zero if any did.  The hostile inputs
 * (deep nesting, a 10 MB string, broken UTF-8) are generated here rather
 * than stored, and the whole run stays well under a second, sanitizers
 * included.
 */
#include "asl_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


static asl_value *parse_at(asl_arena *a, const char *json, size_t n, const char *file, int line)
{
    asl_json_error err;
    asl_value *v = asl_json_parse(a, json, n, &err);
    if (!v)
        fprintf(stderr, "%s:%d: parse failed: %d:%d: %s\n", file, line, err.line, err.col, err.msg);
    check(v != NULL, file, line, "parse succeeds");
    return v;
}
#define PARSE(a, s) parse_at((a), (s), strlen(s), __FILE__, __LINE__)

static const char *to_json(asl_arena *a, const asl_value *v)
{
    return asl_json_string(a, v, NULL);
}

/* in parses, writes as out, and out parses back to an equal value. */
static void roundtrip_at(const char *in, const char *out, const char *file, int line)
{
    asl_arena *a = asl_arena_new();
    asl_value *v = parse_at(a, in, strlen(in), file, line);
    if (v) {
        size_t n;
        char *s = asl_json_string(a, v, &n);
        check_str(s, out, file, line, "serialised text");
        check(n == strlen(out), file, line, "length of the output");
        asl_value *w = parse_at(a, s, n, file, line);
        check(w && asl_value_equal(v, w), file, line, "reparsed output is equal");
        /* The payload bound never undercounts, parsed or copied. */
        check(asl_json_bound(v) >= n && asl_json_bound(w) >= n, file, line, "json bound >= length");
        check(asl_json_bound(asl_value_copy(a, v)) >= n, file, line, "json bound of a copy");
    }
    asl_arena_free(a);
}
#define ROUNDTRIP(in, out) roundtrip_at((in), (out), __FILE__, __LINE__)

/* Parsing must fail at line:col with a message containing msg. */
static void error_at(const char *json, size_t n, int line, int col, const char *msg,
                     const char *file, int fline)
{
    asl_arena *a = asl_arena_new();
    asl_json_error err;
    asl_value *v = asl_json_parse(a, json, n, &err);
    check(v == NULL, file, fline, "parse fails");
    if (!v && (err.line != line || err.col != col || !strstr(err.msg, msg))) {
        nfail++;
        fprintf(stderr, "%s:%d: got error %d:%d \"%s\", want %d:%d \"...%s...\"\n",
                file, fline, err.line, err.col, err.msg, line, col, msg);
    } else {
        npass++;
    }
    asl_arena_free(a);
}
#define ERROR(s, line, col, msg) error_at((s), strlen(s), (line), (col), (msg), __FILE__, __LINE__)
#define ERROR_N(s, n, line, col, msg) error_at((s), (n), (line), (col), (msg), __FILE__, __LINE__)

static const char *num_json(asl_arena *a, double d)
{
    return to_json(a, asl_number(a, d));
}

/* ---- arena --------------------------------------------------------------- */

static void test_arena(void)
{
    asl_arena *a = asl_arena_new();
    size_t before = asl_arena_bytes(a);
    CHECK(before > 0);
    for (size_t n = 0; n < 300; n++) {
        asl_strndup(a, "odd", n % 4);             /* library allocations are 8-aligned */
        char *p = asl_alloc(a, n);
        CHECK(((uintptr_t)p & 15) == 0);
        memset(p, 0xab, n);
    }
    char *big = asl_alloc(a, 1 << 20);          /* its own chunk */
    memset(big, 1, 1 << 20);
    CHECK(((uintptr_t)big & 15) == 0);
    CHECK(asl_arena_bytes(a) >= before + (1 << 20));
    char *small = asl_alloc(a, 8);
    CHECK(small != NULL && ((uintptr_t)small & 15) == 0);

    char *s = asl_strndup(a, "hello world", 5);
    CHECK_STR(s, "hello");
    CHECK_STR(asl_sprintf(a, "%s-%d", "x", 42), "x-42");
    char longfmt[600];
    memset(longfmt, 'z', sizeof longfmt - 1);
    longfmt[sizeof longfmt - 1] = '\0';
    char *l = asl_sprintf(a, "<%s>", longfmt);
    CHECK(strlen(l) == 601 && l[0] == '<' && l[600] == '>');
    asl_arena_free(a);
    asl_arena_free(NULL);

    void *m = asl_xmalloc(10);
    m = asl_xrealloc(m, 1000);
    free(m);

    /* asl_prefault is a hint on the whole pages inside the range: none in
     * a small or empty one, and the memory stays the caller's to write. */
    char *buf = asl_xmalloc(1 << 18);
    asl_prefault(buf, 0);
    asl_prefault(buf + 1, 100);
    asl_prefault(buf + 3, (1 << 18) - 3);
    memset(buf, 7, 1 << 18);
    CHECK(buf[0] == 7 && buf[(1 << 18) - 1] == 7);
    free(buf);
    /* Big chunks, prefaulted past the peak, then freed and taken again. */
    for (int round = 0; round < 3; round++) {
        asl_arena *b = asl_arena_new();
        for (int i = 0; i < 64; i++) memset(asl_alloc(b, 60000), i, 60000);
        CHECK(asl_arena_bytes(b) >= 64 * 60000);
        asl_arena_free(b);
    }
}

/* ---- constructors and builders ------------------------------------------- */

static void test_constructors(void)
{
    asl_arena *a = asl_arena_new();
    CHECK(asl_typeof(asl_null()) == ASL_NULL);
    CHECK(asl_null() == asl_null());
    CHECK(asl_typeof(asl_bool(true)) == ASL_TRUE && asl_typeof(asl_bool(false)) == ASL_FALSE);
    CHECK(asl_is_bool(asl_bool(true)) && asl_is_bool(asl_bool(false)) && !asl_is_bool(asl_null()));
    CHECK(asl_bool(true) == asl_bool(true));

    asl_value *n = asl_number(a, 3);
    CHECK(n->type == ASL_NUMBER && asl_num_int(n) && n->u.n.num == 3 && !n->u.n.text);
    CHECK(!asl_num_int(asl_number(a, 2.5)));
    CHECK(asl_num_int(asl_number(a, 9007199254740992.0)));
    CHECK(!asl_num_int(asl_number(a, 9007199254740994.0)));
    CHECK(asl_num_int(asl_number(a, -9007199254740992.0)));
    CHECK(!asl_num_int(asl_number(a, INFINITY)) && !asl_num_int(asl_number(a, NAN)));
    asl_value *nt = asl_number_text(a, 1.0, "1.00xyz", 4);
    CHECK(asl_num_int(nt));
    CHECK_STR(nt->u.n.text, "1.00");
    CHECK_STR(to_json(a, nt), "1.00");
    CHECK(asl_number_text(a, 5, NULL, 0)->u.n.text == NULL);

    char buf[] = "abc\0def";
    asl_value *s = asl_string(a, buf, 7);
    buf[0] = 'X';                                  /* it was copied */
    CHECK(s->type == ASL_STRING && s->len == 7 && memcmp(s->u.str, "abc\0def", 8) == 0);
    asl_value *cs = asl_cstring(a, "hi");
    CHECK(cs->len == 2 && strcmp(cs->u.str, "hi") == 0);
    static const char lit[] = "static";
    asl_value *ss = asl_string_static(a, lit, 6);
    CHECK(ss->u.str == lit && ss->len == 6);
    CHECK(asl_string(a, NULL, 0)->len == 0);

    asl_value *arr = asl_array(a, 0);
    CHECK(arr->type == ASL_ARRAY && arr->len == 0);
    for (int i = 0; i < 1000; i++)
        asl_array_push(a, arr, asl_number(a, i));
    CHECK(arr->len == 1000 && arr->u.a.cap >= 1000);
    CHECK(asl_array_get(arr, 999)->u.n.num == 999 && asl_array_get(arr, 1000) == NULL);
    asl_value *arr2 = asl_array(a, 3);
    CHECK(arr2->u.a.cap == 3);
    asl_array_push(a, arr2, asl_null());
    CHECK(arr2->len == 1);
    asl_arena_free(a);
}

static void test_objects(void)
{
    asl_arena *a = asl_arena_new();
    asl_value *o = asl_object(a, 0);
    CHECK(o->type == ASL_OBJECT && o->len == 0);
    CHECK(asl_object_get(o, "a", 1) == NULL);
    asl_object_set(a, o, "a", 1, asl_number(a, 1));
    asl_object_set(a, o, "b", 1, asl_number(a, 2));
    asl_object_set(a, o, "c", 1, asl_number(a, 3));
    asl_object_set(a, o, "a", 1, asl_number(a, 10));   /* replace in place */
    CHECK(o->len == 3);
    CHECK_STR(to_json(a, o), "{\"a\":10,\"b\":2,\"c\":3}");
    CHECK(asl_object_get(o, "a", 1)->u.n.num == 10);
    CHECK(asl_object_get(o, "A", 1) == NULL);           /* case-sensitive */
    CHECK(asl_object_get(o, "ab", 1)->u.n.num == 10);   /* klen decides */
    CHECK(asl_object_get(o, "ab", 2) == NULL);
    CHECK(asl_object_get(asl_null(), "a", 1) == NULL);

    char key[] = "k\0z";
    asl_object_set(a, o, key, 3, asl_bool(true));
    key[0] = 'X';                                        /* keys are copied */
    CHECK(asl_object_get(o, "k\0z", 3) == asl_bool(true));
    CHECK(asl_object_get(o, "k", 1) == NULL);
    CHECK(o->u.o.members[3].klen == 3 && o->u.o.members[3].key[3] == '\0');
    asl_object_set(a, o, "", 0, asl_null());
    CHECK(asl_object_get(o, "", 0) == asl_null());
    asl_object_append(a, o, "d", 1, asl_number(a, 4));
    CHECK(asl_object_get(o, "d", 1)->u.n.num == 4 && o->len == 6);

    /* Large objects (hash index): set, replace, get, order kept. */
    asl_value *big = asl_object(a, 0);
    char k[32];
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(k, sizeof k, "key%d", i);
        asl_object_set(a, big, k, (size_t)n, asl_number(a, i));
    }
    for (int i = 0; i < 2000; i += 3) {
        int n = snprintf(k, sizeof k, "key%d", i);
        asl_object_set(a, big, k, (size_t)n, asl_number(a, -i));
    }
    CHECK(big->len == 2000);
    bool all = true;
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(k, sizeof k, "key%d", i);
        asl_value *v = asl_object_get(big, k, (size_t)n);
        all = all && v && v->u.n.num == (i % 3 ? i : -i);
        all = all && strcmp(big->u.o.members[i].key, k) == 0;
    }
    CHECK(all);
    CHECK(asl_object_get(big, "key2000", 7) == NULL);
    CHECK(asl_object_get(big, "key", 3) == NULL);

    asl_value *pre = asl_object(a, 100);                /* indexed from the start */
    asl_object_append(a, pre, "x", 1, asl_number(a, 1));
    asl_object_set(a, pre, "x", 1, asl_number(a, 2));
    CHECK(pre->len == 1 && asl_object_get(pre, "x", 1)->u.n.num == 2);

    /* A member vector built by hand (no index) still answers lookups. */
    asl_value *hand = asl_object(a, 0);
    asl_member mm[20];
    for (int i = 0; i < 20; i++)
        mm[i] = (asl_member){ asl_sprintf(a, "h%d", i), i < 10 ? 2 : 3, asl_number(a, i) };
    hand->u.o.members = mm;
    hand->u.o.cap = hand->len = 20;
    CHECK(asl_object_get(hand, "h19", 3)->u.n.num == 19);
    asl_arena_free(a);
}

/* ---- copies and equality ------------------------------------------------- */

static void test_copy_equal(void)
{
    asl_arena *a = asl_arena_new();
    asl_value *v = PARSE(a, "{\"s\":\"x\\u0000y\",\"n\":[1,2.5,1.10,123456789012345678901234567890],"
                            "\"o\":{\"t\":true,\"f\":false,\"z\":null},\"e\":[],\"eo\":{}}");
    asl_value *sc = asl_value_shallow_copy(a, v);
    CHECK(sc != v && sc->u.o.members != v->u.o.members);
    CHECK(asl_object_get(sc, "o", 1) == asl_object_get(v, "o", 1));
    asl_object_set(a, sc, "new", 3, asl_null());
    asl_object_set(a, sc, "s", 1, asl_null());
    CHECK(v->len == 5 && asl_object_get(v, "new", 3) == NULL);
    CHECK(asl_object_get(v, "s", 1)->type == ASL_STRING);
    asl_value *arr = asl_object_get(v, "n", 1);
    asl_value *ac = asl_value_shallow_copy(a, arr);
    asl_array_push(a, ac, asl_null());
    CHECK(arr->len == 4 && ac->len == 5 && ac->u.a.items[0] == arr->u.a.items[0]);
    CHECK(asl_value_shallow_copy(a, asl_null()) == asl_null());
    asl_value *str = asl_value_shallow_copy(a, asl_object_get(v, "s", 1));
    CHECK(str->type == ASL_STRING && str->len == 3);

    /* Deep copy survives its source arena. */
    asl_arena *b = asl_arena_new();
    asl_value *src = PARSE(b, "{\"s\":\"x\\u0000y\",\"n\":[1,2.5,1.10,123456789012345678901234567890],"
                              "\"o\":{\"t\":true,\"f\":false,\"z\":null},\"e\":[],\"eo\":{}}");
    asl_value *dc = asl_value_copy(a, src);
    asl_arena_free(b);
    CHECK(asl_value_equal(dc, v));
    CHECK_STR(to_json(a, dc), "{\"s\":\"x\\u0000y\",\"n\":[1,2.5,1.10,123456789012345678901234567890],"
                              "\"o\":{\"t\":true,\"f\":false,\"z\":null},\"e\":[],\"eo\":{}}");
    CHECK(asl_value_copy(a, asl_bool(true)) == asl_bool(true));
    CHECK(asl_value_copy(a, NULL) == NULL);

    /* Copy up from a child arena: what the child built is copied (and
     * survives it), what it only points at (parent values, static key and
     * string bytes) is shared. */
    asl_arena *child = asl_arena_new();
    asl_value *parent_arr = PARSE(a, "[1,\"p\"]");
    asl_value *r = asl_object(child, 4);
    asl_object_append_lit(child, r, "lit", 3, asl_string_static(child, "static", 6));
    asl_object_append(child, r, "own", 3, PARSE(child, "{\"k\":[1.10,\"s\"]}"));
    asl_object_append(child, r, "up", 2, parent_arr);
    asl_object_append(child, r, "t", 1, asl_bool(true));
    asl_value *cu = asl_value_copy_up(a, child, r);
    CHECK(cu != r && cu->u.o.members[0].key == r->u.o.members[0].key);
    CHECK(asl_object_get(cu, "lit", 3)->u.str == asl_object_get(r, "lit", 3)->u.str);
    CHECK(asl_object_get(cu, "up", 2) == parent_arr);
    CHECK(asl_object_get(cu, "own", 3) != asl_object_get(r, "own", 3));
    CHECK(cu->u.o.members[1].key != r->u.o.members[1].key);
    asl_arena_free(child);
    CHECK_STR(to_json(a, cu), "{\"lit\":\"static\",\"own\":{\"k\":[1.10,\"s\"]},"
                              "\"up\":[1,\"p\"],\"t\":true}");
    CHECK(asl_value_copy_up(a, child = asl_arena_new(), parent_arr) == parent_arr);
    asl_arena_free(child);

    /* Copy up of a result built partly in the parent since a mark: the
     * parent's fresh containers are kept and what they point to in the
     * child copied in place (keys too); the parent's older values and the
     * child's static bytes are shared. */
    child = asl_arena_new();
    asl_value *older = PARSE(a, "{\"old\":[true]}");
    asl_value *kid = PARSE(child, "{\"k\":[2,\"kid\"]}");
    asl_arena_mark mk;
    asl_arena_mark_get(a, &mk);
    asl_value *fr = asl_object(a, 4);
    asl_object_append_lit(a, fr, "kid", 3, kid);
    asl_object_append_lit(a, fr, "older", 5, older);
    asl_value *inner = asl_array(a, 2);
    asl_array_push(a, inner, asl_value_shallow_copy(a, kid));   /* a fresh object, keys in child */
    for (int i = 0; i < 3000; i++)                                 /* into chunks made since the mark */
        asl_array_push(a, inner, asl_string(child, "x", 1));
    asl_object_append_lit(a, fr, "inner", 5, inner);
    asl_value *up = asl_value_copy_up_since(a, child, fr, &mk);
    CHECK(up == fr && asl_object_get(up, "older", 5) == older);
    CHECK(asl_object_get(up, "kid", 3) != kid && asl_object_get(up, "inner", 5) == inner);
    asl_value *sk = inner->u.a.items[0];
    CHECK(sk->u.o.members[0].key != kid->u.o.members[0].key);
    asl_arena_free(child);
    CHECK_STR(to_json(a, asl_object_get(up, "kid", 3)), "{\"k\":[2,\"kid\"]}");
    CHECK_STR(to_json(a, sk), "{\"k\":[2,\"kid\"]}");
    CHECK(inner->len == 3001 && inner->u.a.items[3000]->len == 1 && inner->u.a.items[3000]->u.str[0] == 'x');
    CHECK_STR(to_json(a, older), "{\"old\":[true]}");

    /* Equality. */
    CHECK(asl_value_equal(PARSE(a, "{\"a\":1,\"b\":[1,{\"c\":null}]}"),
                          PARSE(a, "{\"b\":[1.0,{\"c\":null}],\"a\":1e0}")));
    CHECK(!asl_value_equal(PARSE(a, "[1,2]"), PARSE(a, "[2,1]")));
    CHECK(!asl_value_equal(PARSE(a, "[1,2]"), PARSE(a, "[1,2,3]")));
    CHECK(!asl_value_equal(PARSE(a, "{\"a\":1}"), PARSE(a, "{\"b\":1}")));
    CHECK(!asl_value_equal(PARSE(a, "{\"a\":1}"), PARSE(a, "{\"a\":2}")));
    CHECK(!asl_value_equal(PARSE(a, "{\"a\":1}"), PARSE(a, "{\"a\":1,\"b\":1}")));
    CHECK(!asl_value_equal(asl_bool(true), asl_bool(false)));
    CHECK(!asl_value_equal(asl_null(), asl_bool(false)));
    CHECK(!asl_value_equal(PARSE(a, "\"1\""), PARSE(a, "1")));
    CHECK(!asl_value_equal(PARSE(a, "\"a\\u0000b\""), PARSE(a, "\"a\\u0000c\"")));
    CHECK(!asl_value_equal(PARSE(a, "[]"), PARSE(a, "{}")));
    CHECK(asl_value_equal(PARSE(a, "0"), PARSE(a, "-0")));
    CHECK(asl_value_equal(PARSE(a, "100"), PARSE(a, "1E2")));
    CHECK(asl_value_equal(PARSE(a, "0.5"), asl_number(a, 0.5)));
    CHECK(asl_value_equal(asl_number(a, NAN), asl_number(a, NAN)));
    /* Beyond 2^53 the digits decide, not the (equal) doubles. */
    CHECK(!asl_value_equal(PARSE(a, "12345678901234567890123"), PARSE(a, "12345678901234567890124")));
    CHECK(asl_value_equal(PARSE(a, "12345678901234567890123"), PARSE(a, "1.2345678901234567890123e22")));
    CHECK(asl_value_equal(PARSE(a, "1e22"), PARSE(a, "10000000000000000000000.000")));
    CHECK(!asl_value_equal(PARSE(a, "9007199254740993"), PARSE(a, "9007199254740992")));
    CHECK(asl_value_equal(PARSE(a, "9007199254740993"), PARSE(a, "9007199254740993")));
    CHECK(asl_value_equal(PARSE(a, "1152921504606846976"), asl_number(a, 1152921504606846976.0)));
    CHECK(!asl_value_equal(PARSE(a, "1e999999"), PARSE(a, "1e999998")));
    CHECK(asl_value_equal(PARSE(a, "-1e400"), PARSE(a, "-10e399")));

    /* Large objects compare regardless of order (indexed lookups). */
    asl_value *x = asl_object(a, 0), *y = asl_object(a, 0);
    char k[16];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(k, sizeof k, "k%d", i);
        asl_object_set(a, x, k, (size_t)n, asl_number(a, i));
        n = snprintf(k, sizeof k, "k%d", 99 - i);
        asl_object_set(a, y, k, (size_t)n, asl_number(a, 99 - i));
    }
    CHECK(asl_value_equal(x, y));
    asl_object_set(a, y, "k50", 3, asl_number(a, -1));
    CHECK(!asl_value_equal(x, y));
    asl_arena_free(a);
}

/* ---- parsing: successes -------------------------------------------------- */

static void test_parse_ok(void)
{
    asl_arena *a = asl_arena_new();
    asl_value *v = PARSE(a, " \t\r\n{\"a\" : [ 1 , -2.5e3 , true , false , null , \"s\" , { } , [ ] ] } \n");
    CHECK(v && v->type == ASL_OBJECT && v->len == 1);
    asl_value *arr = asl_object_get(v, "a", 1);
    CHECK(arr && arr->len == 8);
    CHECK(arr->u.a.items[0]->u.n.num == 1 && arr->u.a.items[1]->u.n.num == -2500);
    CHECK(arr->u.a.items[2] == asl_bool(true) && arr->u.a.items[3] == asl_bool(false));
    CHECK(arr->u.a.items[4] == asl_null());
    CHECK(arr->u.a.items[6]->type == ASL_OBJECT && arr->u.a.items[7]->type == ASL_ARRAY);
    CHECK(PARSE(a, "17")->u.n.num == 17);
    CHECK(PARSE(a, "\"\"")->len == 0);
    CHECK(PARSE(a, "null") == asl_null());
    CHECK(PARSE(a, "\xEF\xBB\xBF[1]")->len == 1);             /* BOM ignored */

    /* Escapes, surrogate pairs, UTF-8, embedded NUL. */
    asl_value *s = PARSE(a, "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
    CHECK(s && s->len == 1 + 1 + 1 + 5 + 1 + 2 + 3 + 4);
    CHECK(s && memcmp(s->u.str, "\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", s->len) == 0);
    asl_value *u = PARSE(a, "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"");
    CHECK(u && u->len == 20);
    asl_value *z = PARSE(a, "\"a\\u0000b\"");
    CHECK(z && z->len == 3 && z->u.str[1] == '\0' && z->u.str[3] == '\0');
    asl_value *zk = PARSE(a, "{\"k\\u0000\":1,\"k\":2}");
    CHECK(zk && zk->len == 2 && asl_object_get(zk, "k\0", 2)->u.n.num == 1);
    asl_value *ek = PARSE(a, "{\"\\u00e9t\\u00e9\":1}");
    CHECK(ek && asl_object_get(ek, "\xC3\xA9t\xC3\xA9", 5));
    /* A long string with escapes and non-ASCII spread through it. */
    char longs[2000];
    size_t n = 0;
    longs[n++] = '"';
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(longs + n, "abcdefgh\\n\xC3\xA9");
    longs[n++] = '"';
    asl_value *ls = parse_at(a, longs, n, __FILE__, __LINE__);
    CHECK(ls && ls->len == 100 * 11 && ls->u.str[8] == '\n');

    /* Duplicate keys: the last value wins, at the first key's position. */
    asl_value *d = PARSE(a, "{\"a\":1,\"b\":2,\"a\":3}");
    CHECK(d && d->len == 2);
    CHECK_STR(to_json(a, d), "{\"a\":3,\"b\":2}");
    char dup[4096];
    n = 0;
    dup[n++] = '{';
    for (int i = 0; i < 40; i++)
        n += (size_t)sprintf(dup + n, "\"k%d\":%d,", i % 30, i);
    dup[n - 1] = '}';
    asl_value *dd = parse_at(a, dup, n, __FILE__, __LINE__);
    CHECK(dd && dd->len == 30 && asl_object_get(dd, "k5", 2)->u.n.num == 35);
    CHECK(dd && asl_object_get(dd, "k29", 3)->u.n.num == 29);
    CHECK(dd && strcmp(dd->u.o.members[5].key, "k5") == 0);

    /* Number values and which of them keep their text. */
    struct { const char *in; double num; const char *text; int is_int; } nums[] = {
        { "0", 0, NULL, 1 },
        { "12", 12, NULL, 1 },
        { "-17", -17, NULL, 1 },
        { "1.5", 1.5, NULL, 0 },
        { "-0.25", -0.25, NULL, 0 },
        { "0.001", 0.001, NULL, 0 },
        { "0.0001", 0.0001, NULL, 0 },
        { "123456.789", 123456.789, NULL, 0 },
        { "0.30000000000000004", 0.30000000000000004, NULL, 0 },
        { "9007199254740992", 9007199254740992.0, NULL, 1 },
        { "-9007199254740992", -9007199254740992.0, NULL, 1 },
        { "1.0", 1, "1.0", 1 },
        { "1.10", 1.1, "1.10", 0 },
        { "1E2", 100, "1E2", 1 },
        { "1e2", 100, "1e2", 1 },
        { "2.5e-3", 0.0025, "2.5e-3", 0 },
        { "1E+2", 100, "1E+2", 1 },
        { "-0", -0.0, "-0", 1 },
        { "-0.0", -0.0, "-0.0", 1 },
        { "0.00001", 0.00001, "0.00001", 0 },
        { "9007199254740993", 9007199254740992.0, "9007199254740993", 0 },   /* not exact */
        { "123456789012345678901234567890", 123456789012345678901234567890.0,
          "123456789012345678901234567890", 0 },
        { "0.1000000000000000055511151231257827", 0.1, "0.1000000000000000055511151231257827", 0 },
        { "1e999999", INFINITY, "1e999999", 0 },
        { "-1e999999", -INFINITY, "-1e999999", 0 },
        { "1e-999999", 0, "1e-999999", 1 },
        { "5e-324", 5e-324, "5e-324", 0 },
        { "1.7976931348623157e308", 1.7976931348623157e308, "1.7976931348623157e308", 0 },
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        asl_value *nv = PARSE(a, nums[i].in);
        if (!nv)
            continue;
        bool ok = nv->type == ASL_NUMBER && nv->u.n.num == nums[i].num && asl_num_int(nv) == nums[i].is_int
            && signbit(nv->u.n.num) == signbit(nums[i].num)
            && (nums[i].text ? nv->u.n.text && strcmp(nv->u.n.text, nums[i].text) == 0 : !nv->u.n.text);
        if (!CHECK(ok))
            fprintf(stderr, "  number %s: num %.17g is_int %d text %s\n", nums[i].in,
                    nv->u.n.num, asl_num_int(nv), nv->u.n.text ? nv->u.n.text : "(none)");
        CHECK_STR(to_json(a, nv), nums[i].in);             /* prints back exactly */
    }
    asl_arena_free(a);
}

/* ---- parsing: errors ----------------------------------------------------- */

static void test_parse_errors(void)
{
    ERROR("", 1, 1, "unexpected end of input (expected a value)");
    ERROR("   ", 1, 4, "unexpected end of input (expected a value)");
    ERROR("}", 1, 1, "unexpected character '}' (expected a value)");
    ERROR("[1,}", 1, 4, "unexpected character '}' (expected a value)");
    ERROR("[1 2]", 1, 4, "unexpected character '2' (expected ',' or ']')");
    ERROR("{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}'");
    ERROR("{\"a\" 1}", 1, 6, "expected ':' after the object key");
    ERROR("{1:2}", 1, 2, "unexpected character '1' (expected a string key)");
    ERROR("{\"a\":1,}", 1, 7, "trailing comma before '}'");
    ERROR("[1,\n  2,\n]", 2, 4, "trailing comma before ']'");
    ERROR("{\n  \"a\": 1,\n  \"b\": 2\n", 4, 1, "the object opened at line 1, column 1 is not closed");
    ERROR("[[1]", 1, 5, "the array opened at line 1, column 1 is not closed");
    ERROR("[1] x", 1, 5, "trailing characters after the JSON value");
    ERROR("{} {}", 1, 4, "trailing characters after the JSON value");
    ERROR("1 2", 1, 3, "trailing characters after the JSON value");
    ERROR("// c\n1", 1, 1, "unexpected character '/' (expected a value)");
    ERROR("[1] /* c */", 1, 5, "trailing characters");
    ERROR("'a'", 1, 1, "unexpected character ''' (expected a value)");
    ERROR("[NaN]", 1, 2, "NaN and Infinity are not JSON");
    ERROR("-Infinity", 1, 2, "invalid number: expected a digit after '-'");
    ERROR("tru", 1, 1, "invalid literal (expected 'true')");
    ERROR("[nul]", 1, 2, "invalid literal (expected 'null')");
    ERROR("True", 1, 1, "unexpected character 'T'");
    ERROR("[\xff]", 1, 2, "unexpected byte 0xff (expected a value)");
    ERROR_N("[\0]", 3, 1, 2, "unexpected byte 0x00 (expected a value)");

    /* Numbers. */
    ERROR("01", 1, 1, "leading zeros are not allowed");
    ERROR("[-012]", 1, 2, "leading zeros are not allowed");
    ERROR("-", 1, 2, "expected a digit after '-'");
    ERROR("1.", 1, 3, "expected a digit after '.'");
    ERROR("1.e5", 1, 3, "expected a digit after '.'");
    ERROR(".5", 1, 1, "unexpected character '.' (expected a value)");
    ERROR("+1", 1, 1, "unexpected character '+' (expected a value)");
    ERROR("1e", 1, 3, "expected a digit in the exponent");
    ERROR("1e+", 1, 4, "expected a digit in the exponent");
    ERROR("0x10", 1, 2, "trailing characters");
    ERROR("1.5.5", 1, 4, "trailing characters");

    /* Strings. */
    ERROR("\"abc", 1, 1, "unterminated string");
    ERROR("[\n \"abc\\n", 2, 2, "unterminated string");
    ERROR("\"abc\\", 1, 1, "unterminated string");
    ERROR("\"a\nb\"", 1, 3, "unescaped control character 0x0a in string");
    ERROR("\"a\tb\"", 1, 3, "unescaped control character 0x09 in string");
    ERROR("\"x\\ny\tb\"", 1, 6, "unescaped control character 0x09 in string");
    ERROR("\"\\x\"", 1, 2, "invalid escape '\\x' in string");
    ERROR("\"\\u12\"", 1, 2, "invalid \\u escape in string (expected 4 hex digits)");
    ERROR("\"\\u12G4\"", 1, 2, "expected 4 hex digits");
    ERROR("\"ab\\uD800\"", 1, 4, "lone high surrogate \\uD800");
    ERROR("\"\\uD800\\u0041\"", 1, 2, "lone high surrogate");
    ERROR("\"\\uD83D\\uD83D\"", 1, 2, "lone high surrogate");
    ERROR("\"\\uDC00\"", 1, 2, "lone low surrogate \\uDC00");
    ERROR("{\"\\uDFFF\":1}", 1, 3, "lone low surrogate");

    /* UTF-8. */
    ERROR("\"\xff\"", 1, 2, "invalid UTF-8 byte 0xff at byte offset 1 in string (never valid in UTF-8)");
    ERROR("\"abcdefghijkl\xfe\"", 1, 14, "invalid UTF-8 byte 0xfe at byte offset 13 in string");
    ERROR("\"\x80\"", 1, 2, "invalid UTF-8 byte 0x80 at byte offset 1 in string (unexpected continuation byte)");
    ERROR("\"\xC0\xAF\"", 1, 2, "invalid UTF-8 byte 0xc0 at byte offset 1 in string (overlong encoding)");
    ERROR("\"\xC1\xBF\"", 1, 2, "overlong encoding");
    ERROR("\"\xE0\x80\xAF\"", 1, 2, "invalid UTF-8 byte 0xe0 at byte offset 1 in string (overlong encoding)");
    ERROR("\"\xF0\x8F\xBF\xBF\"", 1, 2, "overlong encoding");
    ERROR("\"\xED\xA0\x80\"", 1, 2, "encoded surrogate");
    ERROR("\"\xED\xBF\xBF\"", 1, 2, "encoded surrogate");
    ERROR("\"\xF4\x90\x80\x80\"", 1, 2, "code point above U+10FFFF");
    ERROR("\"\xF5\x80\x80\x80\"", 1, 2, "invalid UTF-8 byte 0xf5 at byte offset 1 in string");
    /* A sequence cut short is the fault of its first byte, not of the
     * character after it (issue #18: this named the '"' and 'x'). */
    ERROR("\"\xC3\"", 1, 2,
          "invalid UTF-8 byte 0xc3 at byte offset 1 in string (the start of a 2-byte sequence, "
          "followed by 0 continuation bytes instead of 1)");
    ERROR("\"\xE2\x82x\"", 1, 2,
          "invalid UTF-8 byte 0xe2 at byte offset 1 in string (the start of a 3-byte sequence, "
          "followed by 1 continuation byte instead of 2)");
    ERROR("[\"ok\",\n \"\xE2(\xA1\"]", 2, 3, "invalid UTF-8 byte 0xe2 at byte offset 9 in string");
    ERROR("\"\xE2\x82", 1, 2, "sequence cut off by the end of input");
    ERROR("\"\\n\xff\"", 1, 4, "invalid UTF-8 byte 0xff at byte offset 3 in string");
    ERROR("{\"k\xC0\":1}", 1, 4, "overlong encoding");

    /* Depth. */
    char deep[10002 * 2];
    memset(deep, '[', 10001);
    ERROR_N(deep, 10001, 1, 10001, "nesting too deep (more than 10000 levels");
    ERROR("[{\"a\":", 1, 7, "unexpected end of input (expected a value)");

    asl_arena *a = asl_arena_new();
    CHECK(asl_json_parse(a, "[1,", 3, NULL) == NULL);        /* err may be NULL */
    asl_arena_free(a);
}

/* ---- hostile inputs ------------------------------------------------------ */

static void test_hostile(void)
{
    /* 100000 levels of '[': a clean error, no stack overflow. */
    size_t n = 100000;
    char *deep = malloc(2 * n);
    memset(deep, '[', n);
    ERROR_N(deep, n, 1, 10001, "nesting too deep");
    memset(deep, '{', n);
    ERROR_N(deep, n, 1, 2, "expected a string key");
    for (size_t i = 0; i < n / 5; i++)
        memcpy(deep + 5 * i, "{\"a\":", 5);
    ERROR_N(deep, n, 1, 50001, "nesting too deep");

    /* Exactly 10000 levels parse, and every walk over them (write, pretty,
     * copy, equal) is iterative. */
    n = 10000;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    asl_arena *a = asl_arena_new();
    asl_value *v = parse_at(a, deep, 2 * n, __FILE__, __LINE__);
    if (v) {
        size_t len;
        char *s = asl_json_string(a, v, &len);
        CHECK(len == 2 * n && memcmp(s, deep, len) == 0);
        asl_arena *b = asl_arena_new();
        asl_value *c = asl_value_copy(b, v);
        CHECK(asl_value_equal(v, c) && c != v);
        asl_arena_free(b);
        /* Pretty output grows with depth squared: a shallower one will do. */
        asl_value *inner = v;
        for (int i = 0; i < 8000; i++)
            inner = inner->u.a.items[0];
        asl_buf pb;
        asl_buf_init(&pb);
        asl_json_write_pretty(&pb, inner);
        CHECK(pb.len == 2 * 2000 + 2 * 1999 + 2 * (1999 * 2000 / 2 * 2) - 2 * 1999);
        CHECK(pb.data[0] == '[' && pb.data[1] == '\n' && pb.data[pb.len - 1] == ']');
        asl_buf_free(&pb);
    }
    asl_arena_free(a);
    free(deep);

    /* A 10 MB string. */
    n = 10 * 1000 * 1000;
    char *big = malloc(n + 16);
    big[0] = '"';
    memset(big + 1, 'a', n);
    memcpy(big + 1 + n / 2, "\xE2\x82\xAC", 3);
    big[n + 1] = '"';
    a = asl_arena_new();
    v = parse_at(a, big, n + 2, __FILE__, __LINE__);
    CHECK(v && v->type == ASL_STRING && v->len == n && v->u.str[n / 2] == '\xE2');
    if (v) {
        size_t len;
        char *s = asl_json_string(a, v, &len);
        CHECK(len == n + 2 && memcmp(s, big, len) == 0);
    }
    big[n / 3] = '\xff';
    ERROR_N(big, n + 2, 1, (int)(n / 3) + 1, "invalid UTF-8 byte 0xff at byte offset 3333333 in string");
    big[n / 3] = 'a';
    ERROR_N(big, n + 1, 1, 1, "unterminated string");
    asl_arena_free(a);
    free(big);

    /* Random garbage must never crash (a cheap fuzz, fixed seed). */
    static const char alphabet[] = "[]{}\",:\\u0123456789abcdefnrtl-+.eE \n\xC3\xA9\xED\xF4\x80\xFF";
    uint32_t seed = 12345;
    char buf[64];
    int ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(iter % 40) + 1;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        a = asl_arena_new();
        asl_json_error err;
        asl_value *r = asl_json_parse(a, buf, len, &err);
        if (r) {
            size_t wl;
            char *w = asl_json_string(a, r, &wl);
            asl_value *r2 = asl_json_parse(a, w, wl, &err);
            ok += r2 && asl_value_equal(r, r2);
        } else {
            ok += err.msg[0] != '\0' && err.offset <= len && err.line >= 1 && err.col >= 1;
        }
        asl_arena_free(a);
    }
    CHECK(ok == 20000);
}

/* ---- serialiser ---------------------------------------------------------- */

static void test_write(void)
{
    asl_arena *a = asl_arena_new();
    static const char raw[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f \xC3\xA9 \0end";
    asl_value *s = asl_string(a, raw, sizeof raw - 1);
    CHECK_STR(to_json(a, s), "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f \xC3\xA9 \\u0000end\"");
    /* Long runs exercise the 8-byte scan on both sides of an escape. */
    CHECK_STR(to_json(a, asl_cstring(a, "0123456789abcdef\"0123456789abcdef\n01234567")),
              "\"0123456789abcdef\\\"0123456789abcdef\\n01234567\"");

    /* Numbers. */
    CHECK_STR(num_json(a, 0.1), "0.1");
    CHECK_STR(num_json(a, 1.1), "1.1");
    CHECK_STR(num_json(a, 3.3), "3.3");
    CHECK_STR(num_json(a, 0.1 + 0.2), "0.30000000000000004");
    CHECK_STR(num_json(a, 1e300), "1e+300");
    CHECK_STR(num_json(a, 5e-324), "5e-324");
    CHECK_STR(num_json(a, 9007199254740992.0), "9007199254740992");
    CHECK_STR(num_json(a, -9007199254740992.0), "-9007199254740992");
    CHECK_STR(num_json(a, 9007199254740994.0), "9007199254740994");
    CHECK_STR(num_json(a, 100), "100");
    CHECK_STR(num_json(a, -17), "-17");
    CHECK_STR(num_json(a, 0), "0");
    CHECK_STR(num_json(a, -0.0), "0");
    CHECK_STR(num_json(a, 1e21), "1e+21");
    CHECK_STR(num_json(a, 1.5e-7), "1.5e-07");
    CHECK_STR(num_json(a, 2.2250738585072014e-308), "2.2250738585072014e-308");
    CHECK_STR(num_json(a, 1.7976931348623157e308), "1.7976931348623157e+308");
    CHECK_STR(num_json(a, 1.0 / 3), "0.3333333333333333");
    CHECK_STR(num_json(a, INFINITY), "null");
    CHECK_STR(num_json(a, -INFINITY), "null");
    CHECK_STR(num_json(a, NAN), "null");
    asl_buf nb;
    asl_buf_init(&nb);
    asl_number_write(&nb, asl_number(a, 2.5));
    asl_number_write(&nb, asl_number_text(a, 1e22, "1E22", 4));
    CHECK_STR(nb.data, "2.51E22");
    asl_buf_free(&nb);

    /* Compact and pretty containers. */
    asl_value *v = PARSE(a, "{ \"a\" : [ 1 , 2 ] , \"b\" : { } , \"c\" : [ ] , \"d\" : { \"e\" : null } }");
    CHECK_STR(to_json(a, v), "{\"a\":[1,2],\"b\":{},\"c\":[],\"d\":{\"e\":null}}");
    asl_buf pb;
    asl_buf_init(&pb);
    asl_json_write_pretty(&pb, v);
    CHECK_STR(pb.data, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": [],\n"
                       "  \"d\": {\n    \"e\": null\n  }\n}");
    asl_buf_free(&pb);
    asl_json_write_pretty(&pb, asl_number(a, 1));
    CHECK_STR(pb.data, "1");
    asl_buf_free(&pb);
    asl_json_write(&pb, NULL);
    CHECK_STR(pb.data, "null");
    asl_buf_free(&pb);

    /* Appending to a buffer that already holds text. */
    asl_buf_puts(&pb, "x=");
    asl_json_write(&pb, PARSE(a, "[true,false]"));
    asl_buf_putc(&pb, ';');
    CHECK_STR(pb.data, "x=[true,false];");
    CHECK(pb.len == 15);
    asl_buf_free(&pb);
    CHECK(pb.data == NULL && pb.len == 0 && pb.cap == 0);
    asl_buf_put(&pb, "", 0);
    CHECK_STR(pb.data, "");
    for (int i = 0; i < 10000; i++)
        asl_buf_putc(&pb, 'x');
    CHECK(pb.len == 10000 && pb.data[10000] == '\0');
    asl_buf_free(&pb);
    /* On the caller's memory until it outgrows it, then on the heap. */
    char mem[8];
    asl_buf_init_fixed(&pb, mem, sizeof mem);
    asl_buf_puts(&pb, "1234567");
    CHECK(pb.fixed && pb.data == mem && pb.len == 7);
    asl_buf_putc(&pb, '8');
    CHECK(!pb.fixed && pb.data != mem);
    CHECK_STR(pb.data, "12345678");
    CHECK_STR(mem, "1234567");
    asl_buf_free(&pb);
    CHECK(pb.data == NULL && !pb.fixed);
    asl_buf_init_fixed(&pb, mem, sizeof mem);
    asl_buf_free(&pb);                       /* leaves the caller's memory */
    CHECK(pb.data == NULL);
    /* asl_json_string writes small texts in place and large ones through a
     * buffer: the same text either way. */
    asl_value *big = asl_array(a, 0);
    for (int i = 0; i < 2000; i++) asl_array_push(a, big, asl_number(a, i));
    size_t n;
    const char *t = asl_json_string(a, big, &n);
    CHECK(asl_json_bound(big) >= 4096 && n == strlen(t) && t[0] == '[' && t[n - 1] == ']');
    CHECK(!strncmp(t, "[0,1,2,", 7) && !strcmp(t + n - 10, "1998,1999]"));
    t = asl_json_string(a, PARSE(a, "{\"a\":[1.5,\"x\\ny\",null]}"), &n);
    CHECK_STR(t, "{\"a\":[1.5,\"x\\ny\",null]}");
    CHECK(n == strlen(t));
    asl_arena_free(a);
}

/* asl_json_bound of built values: never under the text's length, exact for
 * plain strings, literal keys, integers with text and containers of those. */
static void test_json_bound(void)
{
    asl_arena *a = asl_arena_new();
    asl_value *o = asl_object(a, 1);                  /* grows past its hint */
    asl_object_append_lit(a, o, "k", 1, asl_cstring(a, "v"));
    asl_object_append(a, o, "q\"", 2, asl_cstring(a, "tab\there"));
    asl_object_set(a, o, "n", 1, asl_number(a, -12345));
    asl_object_set(a, o, "f", 1, asl_number(a, 0.1));
    asl_value *arr = asl_array(a, 0);
    for (int i = 0; i < 100; i++) asl_array_push(a, arr, i % 2 ? asl_null() : asl_bool(false));
    asl_object_set(a, o, "arr", 3, arr);
    asl_object_set(a, o, "k", 1, asl_bool(true));     /* replaces "v" */
    size_t n;
    asl_json_string(a, o, &n);
    CHECK(asl_json_bound(o) >= n);
    CHECK(asl_json_bound(arr) == 2 + 50 * 5 + 50 * 4 + 99);
    asl_value *sc = asl_value_shallow_copy(a, o);
    asl_object_set(a, sc, "arr", 3, asl_cstring(a, "short"));
    asl_json_string(a, sc, &n);
    CHECK(asl_json_bound(sc) >= n && asl_json_bound(sc) < asl_json_bound(o));
    asl_value *plain = PARSE(a, "{\"a\":[1,\"x\",{\"b\":null}],\"c\":\"d\"}");
    asl_json_string(a, plain, &n);
    CHECK(asl_json_bound(plain) == n);
    asl_array_replace(arr, 0, plain);
    asl_json_string(a, arr, &n);
    CHECK(asl_json_bound(arr) == n);
    asl_arena_free(a);
}

/* An object made with its keys in place (what generated code does for a
 * template of known keys) is the object appending them builds: the same
 * members in the same order, the same bound. */
static void test_shaped(void)
{
    asl_arena *a = asl_arena_new();
    static const asl_lit_key keys[] = {{"v", 1}, {"branch", 6}, {"step", 4}};
    static const asl_shape shape = {3, 1 + (1 + 4) + (6 + 4) + (4 + 4), keys};
    asl_value *vals[3] = {asl_number(a, 41), PARSE(a, "{\"x\":[1,2]}"), asl_cstring(a, "tab\there")};
    asl_value *o = asl_object_shaped(a, &shape);
    uint64_t bounds = 0;
    for (uint32_t i = 0; i < 3; i++) bounds += asl_member_set(o, i, vals[i]);
    asl_object_bound(o, bounds);
    asl_value *p = asl_object(a, 3);
    for (uint32_t i = 0; i < 3; i++) asl_object_append_lit(a, p, keys[i].key, keys[i].klen, vals[i]);
    size_t n, m;
    const char *os = asl_json_string(a, o, &n), *ps = asl_json_string(a, p, &m);
    CHECK(n == m && !memcmp(os, ps, n));
    CHECK(asl_json_bound(o) == asl_json_bound(p) && asl_json_bound(o) >= n);
    CHECK(asl_object_get(o, "step", 4) == vals[2] && asl_value_equal(o, p));
    asl_arena_free(a);
}

/* A reset arena keeps its first chunk only, and builds again from it. */
static void test_arena_reset(void)
{
    asl_arena *a = asl_arena_new();
    size_t first = asl_arena_bytes(a);
    for (int round = 0; round < 3; round++) {
        asl_value *arr = asl_array(a, 0);
        for (int i = 0; i < 10000; i++) asl_array_push(a, arr, asl_number(a, i));
        CHECK(asl_arena_bytes(a) > first && arr->len == 10000);
        asl_arena_reset(a);
        CHECK(asl_arena_bytes(a) == first);
        asl_value *s = asl_cstring(a, "again");
        CHECK(s->len == 5 && !memcmp(s->u.str, "again", 6));
    }
    asl_arena_free(a);
}

static void test_roundtrips(void)
{
    ROUNDTRIP("{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}", "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}");
    ROUNDTRIP(" [ 1.0 , 1.10 , -0 , 1E2 , 2.50e-3 , 0.1 , 1e999999 ] ",
              "[1.0,1.10,-0,1E2,2.50e-3,0.1,1e999999]");
    ROUNDTRIP("123456789012345678901234567890", "123456789012345678901234567890");
    ROUNDTRIP("-123456789012345678901234567890.5e-3", "-123456789012345678901234567890.5e-3");
    ROUNDTRIP("\"\\u00e9\\ud83d\\ude00\\/\\u001f\"", "\"\xC3\xA9\xF0\x9F\x98\x80/\\u001F\"");
    ROUNDTRIP("\"\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80\"", "\"\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80\"");
    ROUNDTRIP("{\"\":{\"\":[[],{}]}}", "{\"\":{\"\":[[],{}]}}");
    ROUNDTRIP("{\"k\\n\\\"\":\"v\"}", "{\"k\\n\\\"\":\"v\"}");
    ROUNDTRIP("[0.30000000000000004,5e-324,9007199254740993]", "[0.30000000000000004,5e-324,9007199254740993]");

    /* Every double the writer prints reads back as the same double. */
    asl_arena *a = asl_arena_new();
    uint64_t bits = 0x9E3779B97F4A7C15ULL;
    int same = 0;
    for (int i = 0; i < 2000; i++) {
        bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            d = (double)i / 7;
        const char *s = num_json(a, d);
        asl_json_error err;
        asl_value *r = asl_json_parse(a, s, strlen(s), &err);
        same += r && r->type == ASL_NUMBER && r->u.n.num == d && strcmp(to_json(a, r), s) == 0;
    }
    CHECK(same == 2000);

    /* Short decimals take a fast path; it must print what the slow,
     * printf-based definition prints. */
    int agree = 0, total = 0;
    for (int i = 0; i < 20000; i++) {
        bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
        int k = (int)(bits >> 60) % 8;
        double d = (double)(int64_t)((bits >> 11) % 100000000000ULL) / pow(10, k + (int)(bits & 7));
        if (bits & 8)
            d = -d;
        if (d == trunc(d))
            continue;
        char want[40];
        for (int prec = fabs(d) < 2.2250738585072014e-308 ? 1 : 15; prec <= 17; prec++) {
            snprintf(want, sizeof want, "%.*g", prec, d);
            if (strtod(want, NULL) == d)
                break;
        }
        const char *got = num_json(a, d);
        total++;
        if (strcmp(got, want) == 0)
            agree++;
        else if (total - agree < 5)
            fprintf(stderr, "  %.17g: got %s, want %s\n", d, got, want);
    }
    CHECK(agree == total && total > 10000);
    asl_arena_free(a);
}

/* The flags byte: each type's fact, set by the builders that know it, in
 * a value that stays 24 bytes. */
static void test_flags(void)
{
    asl_arena *a = asl_arena_new();
    _Static_assert(sizeof(asl_value) == 24, "asl_value stays 24 bytes");
    CHECK(asl_num_int(asl_number_int(a, 7)) && !asl_num_int(asl_number(a, 0.5)));
    asl_json_error err;
    /* 2^53 + 1 reads as 2^53, but its text says it is no exact integer */
    asl_value *big = asl_json_parse(a, "9007199254740993", 16, &err);
    CHECK(big && !asl_num_int(big));
    CHECK(asl_str_plain(asl_cstring(a, "plain")) && !asl_str_plain(asl_cstring(a, "q\"")));
    CHECK(!asl_str_plain(asl_cstring(a, "tab\t")) && asl_str_plain(asl_string_static(a, "s", 1)));
    CHECK(asl_str_plain(asl_string_known(a, "k", 1, true)));
    asl_value *small = asl_object(a, 4), *large = asl_object(a, 100);
    CHECK(!asl_obj_indexed(small) && asl_obj_indexed(large));
    for (int i = 0; i < 20; i++) {
        char k[8];
        int n = snprintf(k, sizeof k, "k%d", i);
        asl_object_set(a, small, k, (size_t)n, asl_number(a, i));
    }
    /* it grew past the size that gets an index */
    CHECK(asl_obj_indexed(small) && asl_object_get(small, "k17", 3)->u.n.num == 17);
    CHECK(asl_array(a, 3)->flags == 0 && asl_object_sized(a, 2)->flags == 0);
    asl_arena_free(a);
}

int main(void)
{
    test_arena();
    test_constructors();
    test_objects();
    test_copy_equal();
    test_parse_ok();
    test_parse_errors();
    test_hostile();
    test_write();
    test_roundtrips();
    test_json_bound();
    test_shaped();
    test_arena_reset();
    test_flags();
    return check_summary();
}
