/*
 * test_jsonpath.c — unit tests of the JSONPath parser (compiler/jsonpath.c)
 * and its evaluation (runtime/path.c): every syntax form, every
 * reference-path rejection and error offset, Jayway's evaluation order and
 * slice arithmetic, filters, the ResultPath write (copying, creation,
 * failures) and the renderings used in AWS's error causes.
 *
 * The expected results are Jayway JsonPath's (what AWS Step Functions
 * returns), including its odd corners, which are marked as such.
 *
 * Prints each failing check with file:line, then "N passed, N failed";
 * exits non-zero on any failure.
 */
#include "../../compiler/jsonpath.c"
#include "path.h"
#include "rt.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* asl_path_select / asl_path_bracket need the executor (exec.c); these tests
 * use asl_path_walk / asl_path_bracket_n instead.  Weak stubs keep a link
 * without exec.c working and yield to the real ones when exec.o is linked. */
__attribute__((weak)) asl_value *asl_context_object(asl_exec *x)
{
    (void)x;
    abort();
}

static asl_arena *A;

static asl_value *J(const char *text) { return check_json(A, text); }

static const char *S(const asl_value *v) { return v ? asl_json_string(A, v, NULL) : "<none>"; }

static const asl_path *P(const char *text, aslc_path_mode mode)
{
    char err[200];
    size_t pos;
    const asl_path *p = aslc_path_parse(A, text, mode, err, sizeof err, &pos);
    if (!p) printf("unexpected parse error in %s at %zu: %s\n", text, pos, err);
    return p;
}

/* Parses; checks failure, the message (a substring) and the offset. */
static void parse_err(const char *text, aslc_path_mode mode, const char *msg, size_t want_pos, const char *file,
                      int line)
{
    char err[200];
    size_t pos = 12345;
    const asl_path *p = aslc_path_parse(A, text, mode, err, sizeof err, &pos);
    char what[300];
    snprintf(what, sizeof what, "parse error for '%s'", text);
    if (p) {
        check(false, file, line, what);
        return;
    }
    if (!strstr(err, msg) || pos != want_pos) {
        nfail++;
        printf("%s:%d: FAILED: %s\n    got:  \"%s\" at %zu\n    want: \"%s\" at %zu\n", file, line, what, err, pos,
               msg, want_pos);
        return;
    }
    npass++;
}
#define ERR(text, msg, pos) parse_err((text), ASLC_PATH_PAYLOAD, (msg), (pos), __FILE__, __LINE__)
#define REF_ERR(text, msg, pos) parse_err((text), ASLC_PATH_REFERENCE, (msg), (pos), __FILE__, __LINE__)

/* Evaluates path on doc: the JSON of the result, or "<none>". */
static const char *E(const char *doc, const char *path)
{
    const asl_path *p = P(path, ASLC_PATH_PAYLOAD);
    if (!p) return "<parse error>";
    bool found = false;
    asl_value *v = asl_path_walk(A, J(doc), p, &found);
    if (found != (v != NULL)) return "<found flag disagrees>";
    return S(v);
}

/* ResultPath: the JSON of the new root, or "FAIL: why". */
static const char *I(const char *doc, const char *path, const char *val)
{
    const asl_path *p = P(path, ASLC_PATH_REFERENCE);
    if (!p) return "<parse error>";
    asl_value *root = J(doc);
    const char *before = S(root);
    const char *why = "unset";
    asl_value *out = asl_path_insert(A, root, p, J(val), &why);
    if (strcmp(before, S(root)) != 0) return "<original root was modified>";
    if (!out) return asl_sprintf(A, "FAIL: %s", why ? why : "(no reason)");
    if (why) return "<why set on success>";
    return S(out);
}

static const char *B(const char *path, uint32_t n)
{
    const asl_path *p = P(path, ASLC_PATH_PAYLOAD);
    return p ? asl_path_bracket_n(A, p, n) : "<parse error>";
}

static const char *M(const char *doc, const char *path)
{
    const asl_path *p = P(path, ASLC_PATH_PAYLOAD);
    return p ? asl_path_miss_reason(A, J(doc), p) : "<parse error>";
}

/* ---- parsing ------------------------------------------------------------- */

static void test_parse_forms(void)
{
    const asl_path *p;

    p = P("$", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 0 && p->definite && p->root == ASL_ROOT_INPUT && !strcmp(p->text, "$"));
    p = P("$$", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 0 && p->root == ASL_ROOT_CONTEXT);
    p = P("$$.Execution.Input", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 2 && p->root == ASL_ROOT_CONTEXT && !strcmp(p->segs[1].key, "Input"));
    /* $name: a workflow variable, its name the first step */
    p = P("$order.items[0]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->root == ASL_ROOT_VAR && p->nseg == 3 && p->definite && !strcmp(p->segs[0].key, "order") &&
          !strcmp(p->segs[1].key, "items") && p->segs[2].kind == ASL_SEG_INDEX);
    p = P("$_x1", ASLC_PATH_REFERENCE);
    CHECK(p && p->root == ASL_ROOT_VAR && p->nseg == 1 && !strcmp(p->segs[0].key, "_x1"));
    p = P("$v[*].a", ASLC_PATH_PAYLOAD);
    CHECK(p && p->root == ASL_ROOT_VAR && !p->definite);

    p = P("$.a.bc", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 2 && p->segs[0].kind == ASL_SEG_KEY && p->segs[0].klen == 1 &&
          !strcmp(p->segs[0].key, "a") && !strcmp(p->segs[1].key, "bc") && p->definite);
    CHECK(p && !strcmp(p->text, "$.a.bc"));

    /* Dot names take anything up to '.', '[', '(' or a blank. */
    p = P("$.a-b", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "a-b"));
    p = P("$.\xC3\x84tte", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "\xC3\x84tte") && p->segs[0].klen == 5);
    p = P("$.@odata.type", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 2 && !strcmp(p->segs[0].key, "@odata"));
    p = P("$.a$b:c'd", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "a$b:c'd"));

    p = P("$['a b']", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_KEY && !strcmp(p->segs[0].key, "a b"));
    p = P("$[\"x.y\"]", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "x.y"));
    p = P("$[ 'a' ]['']", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 2 && !strcmp(p->segs[0].key, "a") && p->segs[1].klen == 0);
    /* A backslash protects the next character and both stay in the key:
     * AWS reads $['Test\""Name"'] as the key Test\""Name". */
    p = P("$['Test\\\"\"Name\"']", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "Test\\\"\"Name\""));
    p = P("$['it\\'s']", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "it\\'s"));
    p = P("$['a]b']", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && !strcmp(p->segs[0].key, "a]b"));

    /* Jayway accepts a dot before a bracket (AWS's docs use $.abc.['def ghi']). */
    p = P("$.abc.['def ghi']", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 2 && !strcmp(p->segs[1].key, "def ghi"));
    p = P("$.[0]", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_INDEX && p->segs[0].start == 0);

    p = P("$[3][-1][ 2 ]", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 3 && p->segs[0].kind == ASL_SEG_INDEX && p->segs[0].start == 3 &&
          p->segs[1].start == -1 && p->segs[2].start == 2 && p->definite);
    p = P("$.a[0].b", ASLC_PATH_REFERENCE);
    CHECK(p && p->nseg == 3 && p->segs[1].kind == ASL_SEG_INDEX && p->definite);

    p = P("$[*]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_WILDCARD && !p->definite);
    p = P("$.*", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_WILDCARD);
    p = P("$[ * ].a", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 2 && p->segs[0].kind == ASL_SEG_WILDCARD);
    p = P("$[*][*]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 2 && p->segs[1].kind == ASL_SEG_WILDCARD);

    p = P("$[1:3]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_SLICE && p->segs[0].has_start && p->segs[0].has_end &&
          p->segs[0].start == 1 && p->segs[0].end == 3 && p->segs[0].step == 1 && !p->definite);
    p = P("$[:2]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_SLICE && !p->segs[0].has_start && p->segs[0].end == 2);
    p = P("$[1:]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_SLICE && p->segs[0].has_start && !p->segs[0].has_end);
    p = P("$[-2:]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].start == -2 && !p->segs[0].has_end);
    p = P("$[0:6:2]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_SLICE && p->segs[0].step == 2);
    p = P("$[ 1 : 4 ]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_SLICE && p->segs[0].start == 1 && p->segs[0].end == 4);

    p = P("$[0,2]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_UNION && p->segs[0].nunion == 2 &&
          p->segs[0].members[0].kind == ASL_SEG_INDEX && p->segs[0].members[1].start == 2 && !p->definite);
    p = P("$['a', \"b\",'c']", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_UNION && p->segs[0].nunion == 3 &&
          !strcmp(p->segs[0].members[1].key, "b"));
    /* Jayway answers a trailing name list with one object: definite. */
    CHECK(p && p->definite);
    p = P("$['a','b'].c", ASLC_PATH_PAYLOAD);
    CHECK(p && !p->definite);

    p = P("$..name", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_DESCEND && !strcmp(p->segs[0].key, "name") &&
          !p->definite);
    p = P("$..*", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_DESCEND && !p->segs[0].key && !p->segs[0].nunion);
    p = P("$..[*]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_DESCEND && !p->segs[0].key && !p->segs[0].nunion);
    p = P("$..['x y']", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_DESCEND && p->segs[0].key && !strcmp(p->segs[0].key, "x y"));
    p = P("$..[0]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_DESCEND && !p->segs[0].key && p->segs[0].nunion == 1 &&
          p->segs[0].members[0].kind == ASL_SEG_INDEX);
    p = P("$.a..b.c", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 3 && p->segs[1].kind == ASL_SEG_DESCEND && p->segs[2].kind == ASL_SEG_KEY);

    p = P("$[?(@.price < 10)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_FILTER && p->segs[0].filter->op == ASL_FOP_LT &&
          p->segs[0].filter->nlhs == 1 && !strcmp(p->segs[0].filter->lhs[0].key, "price") &&
          p->segs[0].filter->rtype == ASL_NUMBER && p->segs[0].filter->rnum == 10 && !p->definite);
    p = P("$[?(@.tags)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_EXISTS);
    p = P("$[?(@.a == 'x')]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_EQ && p->segs[0].filter->rtype == ASL_STRING &&
          p->segs[0].filter->rlen == 1 && !strcmp(p->segs[0].filter->rstr, "x"));
    p = P("$[?(@.a != \"x y\")]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_NE && !strcmp(p->segs[0].filter->rstr, "x y"));
    p = P("$[?(@.flag == true)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->rtype == ASL_TRUE);
    p = P("$[?(@.flag==false)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->rtype == ASL_FALSE);
    p = P("$[?(@.v == null)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->rtype == ASL_NULL);
    p = P("$[?(@['key'] >= 2.5)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_GE && !strcmp(p->segs[0].filter->lhs[0].key, "key") &&
          p->segs[0].filter->rnum == 2.5 && !strcmp(p->segs[0].filter->rstr, "2.5"));
    p = P("$[?( @.a.b[0] <= -1e2 )]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_LE && p->segs[0].filter->nlhs == 3 &&
          p->segs[0].filter->lhs[2].kind == ASL_SEG_INDEX && p->segs[0].filter->rnum == -100);
    p = P("$[?(@.s > 'a\\'b\\n')]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_GT && !strcmp(p->segs[0].filter->rstr, "a'b\n"));
    p = P("$[?(@.s == '\\u00e9\\ud83d\\ude00')]", ASLC_PATH_PAYLOAD);
    CHECK(p && !strcmp(p->segs[0].filter->rstr, "\xC3\xA9\xF0\x9F\x98\x80"));
    p = P("$[?(@)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_EXISTS && p->segs[0].filter->nlhs == 0);
    p = P("$..[?(@.a)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].kind == ASL_SEG_DESCEND && p->segs[0].nunion == 1 &&
          p->segs[0].members[0].kind == ASL_SEG_FILTER);

    /* The text is copied into the arena. */
    char buf[] = "$.copied";
    p = P(buf, ASLC_PATH_PAYLOAD);
    buf[2] = 'X';
    CHECK(p && !strcmp(p->text, "$.copied") && !strcmp(p->segs[0].key, "copied"));
}

/* Jayway trims a path before reading it, and so does AWS: "$.items " is
 * "$.items" (issue #17); the text as written is kept for messages. */
static void test_trimmed(void)
{
    const char *texts[] = {"$.a ", "$.a\n", " $.a", "\t $.a \r\n"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const asl_path *p = P(texts[i], ASLC_PATH_REFERENCE);
        CHECK(p && p->nseg == 1 && p->segs[0].klen == 1 && !strcmp(p->segs[0].key, "a") &&
              !strcmp(p->text, texts[i]));
    }
    const asl_path *p = P("$[0]\n", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_INDEX);
    p = P("  $  ", ASLC_PATH_PAYLOAD);
    CHECK(p && p->nseg == 0 && p->root == ASL_ROOT_INPUT);
    ERR("   ", "path is empty", 3);
}

/* aslc_path_parse_n: a U+0000 in a member name is kept (issue #18), dotted,
 * bracketed or in a filter's name and constant; the text for messages
 * writes it \u0000. */
#define COUNTED(lit) (lit), sizeof(lit) - 1

static void test_counted(void)
{
    char err[256];
    size_t pos;
    const asl_path *p = aslc_path_parse_n(A, COUNTED("$['a\0b'].c\0"), ASLC_PATH_REFERENCE, err, sizeof err, &pos);
    CHECK(p && p->nseg == 2 && p->segs[0].klen == 3 && !memcmp(p->segs[0].key, "a\0b", 3) &&
          p->segs[1].klen == 2 && !memcmp(p->segs[1].key, "c\0", 2) &&
          !strcmp(p->text, "$['a\\u0000b'].c\\u0000"));
    p = aslc_path_parse_n(A, COUNTED("$[?(@.k\0 == 'v\0')]"), ASLC_PATH_PAYLOAD, err, sizeof err, &pos);
    CHECK(p && p->nseg == 1 && p->segs[0].kind == ASL_SEG_FILTER);
    const asl_filter *f = p ? p->segs[0].filter : NULL;
    CHECK(f && f->nlhs == 1 && f->lhs[0].klen == 2 && !memcmp(f->lhs[0].key, "k\0", 2) && f->rlen == 2 &&
          !memcmp(f->rstr, "v\0", 2));
    p = aslc_path_parse_n(A, COUNTED("$['a\0b']"), ASLC_PATH_REFERENCE, err, sizeof err, &pos);
    bool found = false;
    asl_value *got = p ? asl_path_walk(A, J("{\"a\": 1, \"a\\u0000b\": 2}"), p, &found) : NULL;
    CHECK(found && !strcmp(S(got), "2"));
}

/* && / || / ! nodes: operands as FILTER segments (runtime/path.h). */
static void test_logical_filters(void)
{
    const asl_path *p = P("$[?(@.a > 1 && @.b == 'x' || @.c)]", ASLC_PATH_PAYLOAD);
    const asl_filter *f = p ? p->segs[0].filter : NULL;
    CHECK(f && f->op == ASL_FOP_OR && f->nlhs == 2 && f->lhs[0].kind == ASL_SEG_FILTER &&
          f->lhs[0].filter->op == ASL_FOP_AND && f->lhs[0].filter->nlhs == 2 &&
          f->lhs[0].filter->lhs[1].filter->op == ASL_FOP_EQ && f->lhs[1].filter->op == ASL_FOP_EXISTS);
    p = P("$[?(!(@.a) && !@.b)]", ASLC_PATH_PAYLOAD);
    f = p ? p->segs[0].filter : NULL;
    CHECK(f && f->op == ASL_FOP_AND && f->lhs[0].filter->op == ASL_FOP_NOT &&
          f->lhs[1].filter->op == ASL_FOP_NOT && f->lhs[1].filter->lhs[0].filter->op == ASL_FOP_EXISTS);
    /* Jayway: a '!' before a comparison's path changes nothing. */
    p = P("$[?(!@.a == 1)]", ASLC_PATH_PAYLOAD);
    CHECK(p && p->segs[0].filter->op == ASL_FOP_EQ);
    char deep[400] = "$[?(";
    for (int i = 0; i < 100; i++) strcat(deep, "(");
    strcat(deep, "@.a");
    for (int i = 0; i < 100; i++) strcat(deep, ")");
    strcat(deep, ")]");
    char err[200];
    size_t pos;
    CHECK(!aslc_path_parse(A, deep, ASLC_PATH_PAYLOAD, err, sizeof err, &pos) &&
          strstr(err, "nested more than"));
}

static void test_parse_errors(void)
{
    ERR("", "path is empty", 0);
    ERR("a.b", "paths must begin with '$'", 0);
    ERR("@.a", "paths must begin with '$'", 0);
    ERR("$.a b", "unexpected whitespace", 3);
    ERR("$. a", "expected a name after '.'", 2);
    ERR("$.", "expected a name after '.'", 2);
    ERR("$.a.", "expected a name after '.'", 4);
    ERR("$ab-c", "expected '.' or '[' after '$ab'", 3);   /* $ab: a variable */
    ERR("$1", "expected '.' or '[' after '$'", 1);       /* names start with a letter or '_' */
    ERR("$$abc", "expected '.' or '[' after '$$'", 2);
    ERR("$$$", "unexpected '$' after '$$'", 2);
    ERR("$['a']b", "expected '.' or '[' before 'b'", 6);
    ERR("$[0]\xC3\xA9", "expected '.' or '[' before byte 0xC3", 4);
    ERR(" \t$.a b ", "unexpected whitespace", 5);   /* offsets within the text as written */
    ERR("$[", "unterminated '['", 1);
    ERR("$.a[", "unterminated '['", 3);
    ERR("$['a'", "unterminated '['", 1);
    ERR("$['a", "unterminated string", 2);
    ERR("$['a' 'b']", "expected ',' or ']'", 6);
    ERR("$['a',]", "expected a quoted name after ','", 6);
    ERR("$[]", "empty '[]'", 1);
    ERR("$[a]", "expected a quoted name, an index", 2);
    ERR("$[1", "unterminated '['", 1);
    ERR("$[1 2]", "expected ',', ':' or ']'", 4);
    ERR("$[-]", "expected a digit", 3);
    ERR("$[1,]", "expected a digit", 4);
    ERR("$[1,2", "unterminated '['", 1);
    ERR("$[99999999999]", "array index out of range", 2);
    ERR("$[1:2", "unterminated '['", 1);
    ERR("$[1:2x]", "expected ']' to end the slice", 5);
    ERR("$[:]", "a slice needs a start or an end", 1);
    ERR("$[::3]", "a slice needs a start or an end", 1); /* Jayway rejects it too */
    ERR("$[0:4:0]", "slice step must not be 0", 6);
    ERR("$[*", "unterminated '['", 1);
    ERR("$[*x]", "expected ']' after '*'", 3);
    ERR("$..", "expected a name, '*' or '[' after '..'", 3);
    ERR("$...a", "unexpected '.'", 3);
    ERR("$.. a", "expected a name, '*' or '[' after '..'", 3);
    ERR("$.length()", "functions such as 'length()' are not supported", 2);
    ERR("$.a.max()", "functions such as 'max()'", 4);
    ERR("$[?(@.a && )]", "expected '@'", 11);
    ERR("$[?(@.a == 1 || (@.b == 2)]", "expected '&&', '||' or ')'", 26);
    ERR("$[?(@.a == 1 || (@.b == 2", "unclosed '('", 16);
    ERR("$[?(@.a == 1 & @.b == 2)]", "expected '&&', '||' or ')'", 13);
    ERR("$[?(@.a =~ /x/)]", "regular expression filters", 8);
    ERR("$[?(@.a == @.b)]", "comparing with another path", 11);
    ERR("$[?($.a == 1)]", "may refer only to the current item", 4);
    ERR("$[?(a == 1)]", "expected '@'", 4);
    ERR("$[?@.a]", "expected '(' after '?'", 3);
    ERR("$[?(@.a <)]", "expected a constant", 9);
    ERR("$[?(@.a == 1]", "expected '&&', '||' or ')'", 12);
    ERR("$[?(@.a == 1)", "unterminated '[?('", 1);
    ERR("$[?(@.a == 1) x]", "expected ']' after the filter", 14);
    ERR("$[?(@.a === 1)]", "unexpected '='", 10);
    ERR("$[?(@.a = 1)]", "expected a comparison", 8);
    ERR("$[?(@.a == 'x)]", "unterminated string in filter", 11);
    ERR("$[?(@.a == tru)]", "expected a constant", 11);
    ERR("$[?(@.a == 1.)]", "expected a digit after '.'", 13);
    ERR("$[?(@..a)]", "only .name, ['name'] and [index]", 5);
    ERR("$[?(@[*])]", "only .name, ['name'] and [index]", 6);
    ERR("$[?(@.a == '\\u12')]", "expected four hex digits", 16);

    /* Reference paths: one node only; the offset is the step's start. */
    REF_ERR("$[*]", "reference paths may not contain '[*]'", 1);
    REF_ERR("$.a.*", "reference paths may not contain '.*'", 3);
    REF_ERR("$..a", "reference paths may not contain '..'", 1);
    REF_ERR("$.x..*", "reference paths may not contain '..'", 3);
    REF_ERR("$.a[1:2]", "reference paths may not contain '[1:2]'", 3);
    REF_ERR("$[:2]", "reference paths may not contain '[:2]'", 1);
    REF_ERR("$['a','b']", "reference paths may not contain '['a','b']'", 1);
    REF_ERR("$[0,1]", "reference paths may not contain '[0,1]'", 1);
    REF_ERR("$.items[?(@.a == 1)]", "reference paths may not contain '[?(@.a == 1)]'", 7);
    REF_ERR("$.a.[*]", "reference paths may not contain '.[*]'", 3);
    REF_ERR("$.a[?(@.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)]", "(...)", 3);
    REF_ERR("", "path is empty", 0);
    {
        char err[200];
        size_t pos;
        CHECK(!aslc_path_parse(A, "$['a\nb','c']", ASLC_PATH_REFERENCE, err, sizeof err, &pos) && pos == 1 &&
              !strchr(err, '\n') && strstr(err, "'['a b','c']'"));
    }

    /* A NULL err buffer is allowed. */
    size_t pos = 99;
    CHECK(aslc_path_parse(A, "$[", ASLC_PATH_PAYLOAD, NULL, 0, &pos) == NULL && pos == 1);
    CHECK(aslc_path_parse(A, "$[", ASLC_PATH_PAYLOAD, NULL, 0, NULL) == NULL);
}

/* ---- evaluation ---------------------------------------------------------- */

static const char *STORE =
    "{\"store\":{\"book\":["
    "{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":\"Sayings\",\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"title\":\"Sword\",\"price\":12.99},"
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"title\":\"Moby Dick\",\"isbn\":\"0-553\","
    "\"price\":8.99},"
    "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\",\"title\":\"LOTR\",\"isbn\":\"0-395\","
    "\"price\":22.99}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},\"expensive\":10}";

static void test_definite(void)
{
    CHECK_STR(E("{\"a\":1}", "$"), "{\"a\":1}");
    CHECK_STR(E("{\"a\":{\"b\":[1,2,{\"c\":true}]}}", "$.a.b[2].c"), "true");
    CHECK_STR(E("{\"a\":null}", "$.a"), "null");
    CHECK_STR(E("{\"a\":{}}", "$.a.b"), "<none>");
    CHECK_STR(E("{\"a\":1}", "$.a.b"), "<none>");
    CHECK_STR(E("{\"a\":[1,2]}", "$.a[2]"), "<none>");
    CHECK_STR(E("{\"a\":[1,2]}", "$.a[-1]"), "2");
    CHECK_STR(E("{\"a\":[1,2]}", "$.a[-2]"), "1");
    CHECK_STR(E("{\"a\":[1,2]}", "$.a[-3]"), "<none>");
    CHECK_STR(E("{\"a\":[1,2]}", "$.a.b"), "<none>");
    CHECK_STR(E("[1,2]", "$.a"), "<none>");
    CHECK_STR(E("\"s\"", "$[0]"), "<none>");
    {
        bool found = true;
        CHECK(asl_path_walk(A, NULL, P("$.a", ASLC_PATH_PAYLOAD), &found) == NULL && !found);
    }
    CHECK_STR(E("{\"a b\":{\"c.d\":5}}", "$['a b'][\"c.d\"]"), "5");
    CHECK_STR(E("{\"a\":[10,20]}", "$.a.[1]"), "20");
    CHECK_STR(E("{\"Test\\\\\\\"\\\"Name\\\"\":\"Value\"}", "$['Test\\\"\"Name\"']"), "\"Value\"");
    CHECK_STR(E(STORE, "$.store.bicycle.color"), "\"red\"");
    CHECK_STR(E(STORE, "$.expensive"), "10");
    /* A trailing name list: one object of the members found (Jayway). */
    CHECK_STR(E("{\"a\":1,\"b\":2,\"c\":3}", "$['c','a']"), "{\"c\":3,\"a\":1}");
    CHECK_STR(E("{\"c\":3}", "$['a','b']"), "{}");
    CHECK_STR(E("[1]", "$['a','b']"), "<none>");
    CHECK_STR(E("{\"x\":{\"a\":1,\"b\":2}}", "$.x['b','a']"), "{\"b\":2,\"a\":1}");

    /* Definite walks allocate nothing. */
    asl_value *doc = J("{\"a\":{\"b\":[1,{\"c\":2}]}}");
    const asl_path *p = P("$.a.b[1].c", ASLC_PATH_REFERENCE);
    size_t before = asl_arena_bytes(A);
    bool found = false;
    asl_value *v = asl_path_walk(A, doc, p, &found);
    CHECK(found && v && v->type == ASL_NUMBER && v->u.n.num == 2);
    v = asl_path_walk(A, doc, P("$.a.zz", ASLC_PATH_REFERENCE), &found);
    CHECK(!found && v == NULL);
    CHECK(asl_arena_bytes(A) >= before); /* (sanity: bytes only grow) */
    before = asl_arena_bytes(A);
    for (int i = 0; i < 1000; i++) asl_path_walk(A, doc, p, &found);
    CHECK(asl_arena_bytes(A) == before);
    /* Selection returns the input's own node. */
    CHECK(asl_path_walk(A, doc, P("$.a", ASLC_PATH_REFERENCE), &found) == asl_object_get(doc, "a", 1));
}

static void test_indefinite(void)
{
    CHECK_STR(E(STORE, "$.store.book[*].author"),
              "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
    CHECK_STR(E(STORE, "$..author"), "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
    CHECK_STR(E(STORE, "$.store..price"), "[8.95,12.99,8.99,22.99,19.95]");
    CHECK_STR(E(STORE, "$..price"), "[8.95,12.99,8.99,22.99,19.95]");
    CHECK_STR(E(STORE, "$..book[2].title"), "[\"Moby Dick\"]");
    CHECK_STR(E(STORE, "$..book[-1].title"), "[\"LOTR\"]");
    CHECK_STR(E(STORE, "$..book[0,1].title"), "[\"Sayings\",\"Sword\"]");
    CHECK_STR(E(STORE, "$..book[:2].title"), "[\"Sayings\",\"Sword\"]");
    CHECK_STR(E(STORE, "$..book[-2:].title"), "[\"Moby Dick\",\"LOTR\"]");
    CHECK_STR(E(STORE, "$..book[?(@.isbn)].title"), "[\"Moby Dick\",\"LOTR\"]");
    CHECK_STR(E(STORE, "$.store.book[?(@.price < 10)].title"), "[\"Sayings\",\"Moby Dick\"]");
    CHECK_STR(E(STORE, "$..book[?(@.author == 'Evelyn Waugh')].price"), "[12.99]");
    CHECK_STR(E(STORE, "$.store.*.color"), "[\"red\"]");
    CHECK_STR(E(STORE, "$.store.bicycle.*"), "[\"red\",19.95]");
    CHECK_STR(E(STORE, "$.store.book.length"), "<none>"); /* definite: a name on an array */

    /* Wildcards and unions, in document order. */
    CHECK_STR(E("{\"a\":1,\"b\":[2],\"c\":{\"d\":3}}", "$.*"), "[1,[2],{\"d\":3}]");
    CHECK_STR(E("{\"a\":1,\"b\":[2],\"c\":{\"d\":3}}", "$[*]"), "[1,[2],{\"d\":3}]");
    CHECK_STR(E("[[1,2],[3],4]", "$[*][*]"), "[1,2,3]");
    CHECK_STR(E("[[1,2],[3,4]]", "$[*][0]"), "[1,3]");
    CHECK_STR(E("\"scalar\"", "$[*]"), "[]");
    CHECK_STR(E("[10,20,30]", "$[2,0,0,9,-1]"), "[30,10,10,30]");
    CHECK_STR(E("{\"x\":{\"a\":1},\"y\":{\"a\":2},\"z\":{}}", "$['y','x','z'].a"), "[2,1]");

    /* Missing input: indefinite paths give [] (AWS: $.item.items[1:5] on {}). */
    CHECK_STR(E("{}", "$.item.items[1:5].itemValue"), "[]");
    CHECK_STR(E("{}", "$.items[:1]"), "[]");
    CHECK_STR(E("{}", "$.items[*]"), "[]");
    CHECK_STR(E("{\"x\":\"s\"}", "$.x[?(@.a)]"), "[]");
    CHECK_STR(E("{\"items\":[{\"itemValue\":1},{\"itemValue\":2},{}]}", "$.items[*].itemValue"), "[1,2]");

    /* Deep scan: each node's own match before its descendants' (pre-order). */
    CHECK_STR(E("{\"a\":{\"name\":1,\"b\":{\"name\":2}},\"name\":3,\"c\":[{\"name\":4}]}", "$..name"),
              "[3,1,2,4]");
    CHECK_STR(E("{\"a\":{\"b\":1},\"c\":[2,3]}", "$..*"), "[{\"b\":1},[2,3],1,2,3]");
    CHECK_STR(E("[[1,[2]],{\"k\":[3]}]", "$..*"), "[[1,[2]],{\"k\":[3]},1,[2],2,[3],3]");
    CHECK_STR(E("{\"a\":[1,[2,3]],\"b\":{\"c\":[4]}}", "$..[0]"), "[1,2,4]");
    CHECK_STR(E("{\"a\":[1,2,3],\"b\":[4,5]}", "$..[1:]"), "[2,3,5]");
    CHECK_STR(E("{\"a\":{\"x\":1,\"y\":2},\"b\":{\"x\":3}}", "$..['x','y']"), "[{},{\"x\":1,\"y\":2},{\"x\":3}]");
    CHECK_STR(E("{\"a\":{\"b\":{\"c\":1}},\"d\":{\"b\":{\"c\":2}}}", "$..b.c"), "[1,2]");
    CHECK_STR(E("{\"p\":1,\"q\":{\"p\":2,\"r\":[{\"p\":3}]}}", "$..[?(@.p > 1)]"),
              "[{\"p\":2,\"r\":[{\"p\":3}]},{\"p\":3}]");
    CHECK_STR(E("{\"a\":1}", "$..zz"), "[]");
    CHECK_STR(E("5", "$..*"), "[]");

    /* A deep document: the scan must not depend on the C stack. */
    {
        enum { DEPTH = 5000 };
        asl_buf b;
        asl_buf_init(&b);
        for (int i = 0; i < DEPTH; i++) asl_buf_puts(&b, "{\"n\":");
        asl_buf_puts(&b, "0");
        for (int i = 0; i < DEPTH; i++) asl_buf_putc(&b, '}');
        asl_json_error e;
        asl_value *doc = asl_json_parse(A, b.data, b.len, &e);
        asl_buf_free(&b);
        CHECK(doc != NULL);
        if (doc) {
            bool found;
            asl_value *r = asl_path_walk(A, doc, P("$..n", ASLC_PATH_PAYLOAD), &found);
            CHECK(found && r->type == ASL_ARRAY && r->len == DEPTH);
        }
    }
}

static void test_slices(void)
{
    const char *a = "[0,1,2,3,4]";
    CHECK_STR(E(a, "$[1:3]"), "[1,2]");
    CHECK_STR(E(a, "$[:2]"), "[0,1]");
    CHECK_STR(E(a, "$[1:]"), "[1,2,3,4]");
    CHECK_STR(E(a, "$[-2:]"), "[3,4]");
    CHECK_STR(E(a, "$[:-2]"), "[0,1,2]");
    CHECK_STR(E(a, "$[-3:-1]"), "[2,3]");
    CHECK_STR(E(a, "$[-10:]"), "[0,1,2,3,4]");
    CHECK_STR(E(a, "$[:10]"), "[0,1,2,3,4]");
    CHECK_STR(E(a, "$[7:]"), "[]");
    CHECK_STR(E(a, "$[:-7]"), "[]");
    CHECK_STR(E(a, "$[3:3]"), "[]");
    CHECK_STR(E(a, "$[4:2]"), "[]");
    CHECK_STR(E("[]", "$[0:]"), "[]");
    CHECK_STR(E("{\"a\":1}", "$[0:1]"), "[]");
    /* Jayway's corners: [from:to] clamps only `to` and maps each negative
     * index from the end as it walks, and the step is ignored. */
    CHECK_STR(E(a, "$[1:-1]"), "[]");
    CHECK_STR(E(a, "$[-2:5]"), "[3,4,0,1,2,3,4]");
    CHECK_STR(E(a, "$[-7:1]"), "[0,1,2,3,4,0]");
    CHECK_STR(E(a, "$[-2147483648:1]"), "[0,1,2,3,4,0]");   /* at once, not 2^31 steps */
    CHECK_STR(E(a, "$[0:5:2]"), "[0,1,2,3,4]");
    CHECK_STR(E("[[1,2,3],[4,5]]", "$[*][1:]"), "[2,3,5]");
}

static void test_filters(void)
{
    const char *items = "[{\"a\":\"x\",\"n\":1},{\"a\":\"y\",\"n\":5},{\"n\":\"5\"},{\"a\":null,\"n\":5.0},"
                        "{\"a\":\"x\",\"flag\":true},{\"flag\":false},7,\"s\",[1,2]]";
    CHECK_STR(E(items, "$[?(@.a == 'x')].n"), "[1]");
    CHECK_STR(E(items, "$[?(@.a == \"x\")]"), "[{\"a\":\"x\",\"n\":1},{\"a\":\"x\",\"flag\":true}]");
    /* != is true for a missing left side and for primitives (Jayway). */
    CHECK_STR(E("[{\"a\":\"x\"},{\"a\":\"y\"},{},3]", "$[?(@.a != 'x')]"), "[{\"a\":\"y\"},{},3]");
    CHECK_STR(E(items, "$[?(@.flag == true)]"), "[{\"a\":\"x\",\"flag\":true}]");
    CHECK_STR(E(items, "$[?(@.flag == false)]"), "[{\"flag\":false}]");
    CHECK_STR(E(items, "$[?(@.a == null)].n"), "[5.0]");
    /* Existence, not truthiness. */
    CHECK_STR(E(items, "$[?(@.flag)]"), "[{\"a\":\"x\",\"flag\":true},{\"flag\":false}]");
    CHECK_STR(E(items, "$[?(@.a)].n"), "[1,5,5.0]");
    /* Numbers compare by value; == coerces like Jayway's ValueNode. */
    CHECK_STR(E(items, "$[?(@.n == 5)].n"), "[5,\"5\",5.0]");
    CHECK_STR(E(items, "$[?(@.n == '5')].n"), "[5,\"5\",5.0]");
    CHECK_STR(E("[{\"n\":\"5.0\"},{\"n\":5}]", "$[?(@.n == 5)].n"), "[5]");
    CHECK_STR(E("[{\"n\":\"abc\"},{\"n\":5}]", "$[?(@.n == 'abc')].n"), "[\"abc\"]");
    CHECK_STR(E(items, "$[?(@.n > 1)].n"), "[5,5.0]");
    CHECK_STR(E(items, "$[?(@.n >= 1)].n"), "[1,5,5.0]");
    CHECK_STR(E(items, "$[?(@.n < 5)].n"), "[1]");
    CHECK_STR(E(items, "$[?(@.n <= 5)].n"), "[1,5,5.0]");
    /* Relational operators do not coerce. */
    CHECK_STR(E(items, "$[?(@.n < '9')].n"), "[\"5\"]");
    CHECK_STR(E("[{\"s\":\"apple\"},{\"s\":\"banana\"},{\"s\":\"Zebra\"}]", "$[?(@.s > 'b')].s"), "[\"banana\"]");
    CHECK_STR(E("[{\"s\":\"\xEF\xBC\xA1\"},{\"s\":\"\xF0\x9F\x98\x80\"}]", "$[?(@.s < '\xEF\xBC\xA1')].s"),
              "[\"\xF0\x9F\x98\x80\"]");
    CHECK_STR(E("[{\"k\":{\"m\":[0,2.6]}},{\"k\":{\"m\":[0,2.4]}}]", "$[?(@.k.m[1] >= 2.5)].k.m[1]"), "[2.6]");
    CHECK_STR(E("[{\"key\":3},{\"key\":2}]", "$[?(@['key'] >= 2.5)]"), "[{\"key\":3}]");
    CHECK_STR(E("[[1,2],[3],[1]]", "$[?(@[0] == 1)]"), "[[1,2],[1]]");
    CHECK_STR(E("[[1,2],[3],[1]]", "$[?(@[-1] == 1)]"), "[[1]]");
    CHECK_STR(E("[1,null,{}]", "$[?(@)]"), "[1,null,{}]");
    /* Objects and arrays never equal a constant. */
    CHECK_STR(E("[{\"a\":{}},{\"a\":[]}]", "$[?(@.a == null)]"), "[]");
    /* A filter on an object tests the object itself. */
    CHECK_STR(E("{\"o\":{\"a\":1}}", "$.o[?(@.a == 1)]"), "[{\"a\":1}]");
    CHECK_STR(E("{\"o\":{\"a\":2}}", "$.o[?(@.a == 1)]"), "[]");
    /* && binds tighter than ||; ! and parentheses (Jayway's FilterCompiler);
     * each condition compares as above. */
    const char *people = "[{\"n\":\"a\",\"age\":30,\"vip\":true},{\"n\":\"b\",\"age\":17},"
                         "{\"n\":\"c\",\"age\":\"40\",\"vip\":false},{\"n\":\"d\"}]";
    CHECK_STR(E(people, "$[?(@.age > 18 && @.vip == true)].n"), "[\"a\"]");
    CHECK_STR(E(people, "$[?(@.age < 18 || @.vip == false)].n"), "[\"b\",\"c\"]");
    CHECK_STR(E(people, "$[?(@.vip == false || @.age > 20 && @.vip)].n"), "[\"a\",\"c\"]");
    CHECK_STR(E(people, "$[?((@.vip == false || @.age > 20) && @.vip)].n"), "[\"a\",\"c\"]");
    CHECK_STR(E(people, "$[?(@.n == 'd' || @.age > 20 && @.age < 25)].n"), "[\"d\"]");
    CHECK_STR(E(people, "$[?((@.n == 'd' || @.age > 20) && @.age < 25)].n"), "[]");
    CHECK_STR(E(people, "$[?(@.age == '40' && @.age)].n"), "[\"c\"]");  /* == coerces, > does not */
    CHECK_STR(E(people, "$[?(@.age > '20' && @.age)].n"), "[\"c\"]");
    CHECK_STR(E(people, "$[?(!@.age)].n"), "[\"d\"]");
    CHECK_STR(E(people, "$[?(!@.vip && @.age)].n"), "[\"b\"]");
    CHECK_STR(E(people, "$[?(!(@.age > 18 || @.n == 'd'))].n"), "[\"b\",\"c\"]");
    CHECK_STR(E(people, "$[?( ( @.vip ) )].n"), "[\"a\",\"c\"]");
    CHECK_STR(E(people, "$[?(@.age && @.vip && @.n != 'a')].n"), "[\"c\"]");
    /* The conformance case: $.users[?(@.status == 0)]. */
    CHECK_STR(E("{\"users\":[{\"year\":1997,\"status\":0},{\"year\":1998,\"status\":1}]}",
                "$.users[?(@.status == 0)]"),
              "[{\"year\":1997,\"status\":0}]");
}

/* ---- ResultPath ---------------------------------------------------------- */

static void test_insert(void)
{
    CHECK_STR(I("{\"a\":1}", "$.b", "2"), "{\"a\":1,\"b\":2}");
    CHECK_STR(I("{\"a\":1,\"b\":2}", "$.a", "9"), "{\"a\":9,\"b\":2}"); /* keeps its position */
    CHECK_STR(I("{\"a\":{\"x\":1}}", "$.a.y", "2"), "{\"a\":{\"x\":1,\"y\":2}}");
    CHECK_STR(I("{}", "$.a.b.c", "1"), "{\"a\":{\"b\":{\"c\":1}}}");
    CHECK_STR(I("{\"a\":{}}", "$.a.b['c d']", "[1]"), "{\"a\":{\"b\":{\"c d\":[1]}}}");
    CHECK_STR(I("{\"a\":1}", "$", "\"r\""), "\"r\"");
    CHECK_STR(I("{\"arr\":[1,2,3]}", "$.arr[1]", "\"x\""), "{\"arr\":[1,\"x\",3]}");
    CHECK_STR(I("{\"arr\":[1,2,3]}", "$.arr[-1]", "\"x\""), "{\"arr\":[1,2,\"x\"]}");
    CHECK_STR(I("{\"arr\":[{},{\"k\":0}]}", "$.arr[1].k", "1"), "{\"arr\":[{},{\"k\":1}]}");
    CHECK_STR(I("{\"arr\":[{}]}", "$.arr[0].a.b", "1"), "{\"arr\":[{\"a\":{\"b\":1}}]}");
    CHECK_STR(I("[[0,1],[2]]", "$[0][1]", "true"), "[[0,true],[2]]");
    CHECK_STR(I("{\"a\":null}", "$.a", "{}"), "{\"a\":{}}");

    /* Failures. */
    CHECK_STR(I("{\"a\":\"s\"}", "$.a.b", "1"), "FAIL: $['a'] is a string, not an object");
    CHECK_STR(I("{\"a\":null}", "$.a.b", "1"), "FAIL: $['a'] is null, not an object");
    CHECK_STR(I("{\"a\":[1]}", "$.a.b", "1"), "FAIL: $['a'] is an array, not an object");
    CHECK_STR(I("[1,2]", "$.a", "1"), "FAIL: $ is an array, not an object");
    CHECK_STR(I("\"str\"", "$.a", "1"), "FAIL: $ is a string, not an object");
    CHECK_STR(I("{\"arr\":[1,2,3]}", "$.arr[5]", "0"),
              "FAIL: index [5] is out of bounds for $['arr'], which has 3 elements");
    CHECK_STR(I("{\"arr\":[1]}", "$.arr[-2]", "0"),
              "FAIL: index [-2] is out of bounds for $['arr'], which has 1 element");
    CHECK_STR(I("{}", "$.missing[0]", "0"), "FAIL: $['missing'] does not exist, so it has no index 0");
    CHECK_STR(I("{\"a\":{\"b\":5}}", "$.a[0]", "0"), "FAIL: $['a'] is an object, not an array");
    CHECK_STR(I("{\"a\":{\"b\":5}}", "$.a.b.c", "0"), "FAIL: $['a']['b'] is a number, not an object");

    /* Sharing: only the spine is copied, the original stays as it was. */
    asl_value *root = J("{\"a\":{\"x\":1,\"keep\":{\"deep\":[1,2]}},\"other\":{\"big\":[1,2,3]}}");
    const char *before = S(root);
    asl_value *val = J("{\"v\":1}");
    const char *why = NULL;
    asl_value *out = asl_path_insert(A, root, P("$.a.y", ASLC_PATH_REFERENCE), val, &why);
    CHECK(out && !why);
    CHECK_STR(S(root), before);
    CHECK(out != root);
    CHECK(asl_object_get(out, "other", 5) == asl_object_get(root, "other", 5));
    asl_value *oa = asl_object_get(out, "a", 1), *ra = asl_object_get(root, "a", 1);
    CHECK(oa != ra);
    CHECK(asl_object_get(oa, "keep", 4) == asl_object_get(ra, "keep", 4));
    CHECK(asl_object_get(oa, "y", 1) == val);
    CHECK(asl_object_get(ra, "y", 1) == NULL);
    /* "$" returns the value itself. */
    CHECK(asl_path_insert(A, root, P("$", ASLC_PATH_REFERENCE), val, &why) == val);
    /* A NULL why is allowed. */
    CHECK(asl_path_insert(A, J("1"), P("$.a", ASLC_PATH_REFERENCE), val, NULL) == NULL);
    /* Arrays: the copy is new, the elements shared. */
    root = J("{\"arr\":[{\"a\":1},{\"b\":2}]}");
    out = asl_path_insert(A, root, P("$.arr[0].c", ASLC_PATH_REFERENCE), val, &why);
    CHECK(out && asl_object_get(out, "arr", 3) != asl_object_get(root, "arr", 3));
    CHECK(out && asl_object_get(out, "arr", 3)->u.a.items[1] == asl_object_get(root, "arr", 3)->u.a.items[1]);
    CHECK_STR(S(root), "{\"arr\":[{\"a\":1},{\"b\":2}]}");
    /* Paths that are not reference paths cannot be written. */
    out = asl_path_insert(A, root, P("$.arr[*]", ASLC_PATH_PAYLOAD), val, &why);
    CHECK(!out && why && strstr(why, "not a reference path"));
}

/* ---- renderings ---------------------------------------------------------- */

static void test_bracket(void)
{
    CHECK_STR(B("$.no.such.result.path", 4), "$['no']['such']['result']['path']");
    CHECK_STR(B("$.no.such.result.path", 1), "$['no']");
    CHECK_STR(B("$.no.such.result.path", 0), "$");
    CHECK_STR(B("$.no.such", 99), "$['no']['such']");
    CHECK_STR(B("$.a[0].b[-1]", 4), "$['a'][0]['b'][-1]");
    CHECK_STR(B("$$.Execution.Input", 2), "$['Execution']['Input']");
    CHECK_STR(B("$", 0), "$");
    CHECK_STR(B("$['Test\\\"\"Name\"']", 1), "$['Test\\\"\"Name\"']");
    CHECK_STR(B("$.a[*].b", 3), "$['a'][*]['b']");
    CHECK_STR(B("$.*", 1), "$[*]");
    CHECK_STR(B("$[1:2][:3][-1:]", 3), "$[1:2][:3][-1:]");
    CHECK_STR(B("$['a','b'][0,2]", 2), "$['a','b'][0,2]");
    CHECK_STR(B("$..a..*..[0]", 3), "$..['a']..[*]..[0]");
    CHECK_STR(B("$[?(@.a)]", 1), "$[?]");
}

static void test_miss_reason(void)
{
    /* The two causes in the conformance cases. */
    CHECK_STR(M("{}", "$.no.such.result.path"), "Missing property in path $['no']");
    CHECK_STR(M("{\"int-literal\":0}", "$.NoSuchOutputPath"), "No results for path: $['NoSuchOutputPath']");
    CHECK_STR(M("{\"a\":{}}", "$.a.b"), "No results for path: $['a']['b']");
    CHECK_STR(M("{\"a\":{\"b\":{}}}", "$.a.b.c.d"), "Missing property in path $['a']['b']['c']");
    CHECK_STR(M("{\"a\":[1]}", "$.a[3]"), "No results for path: $['a'][3]");
    CHECK_STR(M("{\"a\":[1]}", "$.a[3].b"), "No results for path: $['a'][3]['b']");
    CHECK_STR(M("{\"a\":null}", "$.a[0]"), "The path $['a'] is null");
    CHECK_STR(M("{\"a\":{\"k\":1}}", "$.a[0].x"),
              "Filter: [0]['x'] can only be applied to arrays. Current context is: {\"k\":1}");
    CHECK_STR(M("{\"a\":\"text\"}", "$.a.b"),
              "Expected to find an object with property ['b'] in path $['a'] but found 'java.lang.String'. "
              "This is not a json object according to the JsonProvider: "
              "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    CHECK_STR(M("{\"a\":null}", "$.a.b"),
              "Expected to find an object with property ['b'] in path $['a'] but found 'null'. "
              "This is not a json object according to the JsonProvider: "
              "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    CHECK_STR(M("{\"a\":1}", "$.a"), NULL);
    CHECK_STR(M("{\"a\":[1]}", "$.a[0]"), NULL);
    CHECK_STR(M("{}", "$.a[*]"), NULL);
    CHECK_STR(M("{}", "$['a','b']"), NULL);
}

int main(void)
{
    A = asl_arena_new();
    test_parse_forms();
    test_trimmed();
    test_counted();
    test_logical_filters();
    test_parse_errors();
    test_definite();
    test_indefinite();
    test_slices();
    test_filters();
    test_insert();
    test_bracket();
    test_miss_reason();
    asl_arena_free(A);
    return check_summary();
}
