/*
 * test_vars.c — unit tests of the variable store (runtime/vars.c), the
 * contract of runtime/vars.h that both query languages use: reads through
 * the scopes of a Parallel branch or Map iteration, assignments that stay
 * in their scope, all of one Assign at once, AWS's size limits (a limit
 * passed sets nothing), and asl_assign, which generated code calls.
 * Prints each failing check with file:line, then "N passed, N failed".
 */
#include "path.h"
#include "rt.h"
#include "vars.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static asl_arena *A;

static asl_value *J(const char *text) { return check_json(A, text); }

static void exec_init(asl_run *run, asl_exec *x)
{
    memset(run, 0, sizeof *run);
    memset(x, 0, sizeof *x);
    run->arena = A;
    x->arena = A;
    x->run = run;
}

/* The JSON text of variable name as x sees it, or "<none>". */
static const char *V(asl_exec *x, const char *name)
{
    bool found = true;
    asl_value *v = asl_vars_get(x, name, strlen(name), &found);
    if (found != (v != NULL)) return "<found flag disagrees>";
    return v ? asl_json_string(A, v, NULL) : "<none>";
}

/* A string of n bytes of JSON text (n - 2 letters between the quotes). */
static asl_value *text_of(size_t n)
{
    char *s = malloc(n - 1);
    memset(s, 'a', n - 2);
    s[n - 2] = 0;
    asl_value *v = asl_cstring(A, s);
    free(s);
    return v;
}

static void test_scopes(void)
{
    asl_run run;
    asl_exec top, child, grandchild, sibling;
    exec_init(&run, &top);
    CHECK_STR(V(&top, "x"), "<none>");

    const char *n1[] = {"x", "y"};
    asl_value *v1[] = {J("1"), J("{\"a\":[true]}")};
    CHECK(asl_vars_assign(&top, 2, n1, v1));
    CHECK_STR(V(&top, "x"), "1");
    CHECK_STR(V(&top, "y"), "{\"a\":[true]}");
    CHECK_STR(V(&top, "xy"), "<none>");

    /* a branch reads its parent's; its own stay in it */
    memcpy(&child, &top, sizeof child);
    child.vars = NULL;
    child.parent = &top;
    const char *n2[] = {"inner"};
    asl_value *v2[] = {J("\"b\"")};
    CHECK(asl_vars_assign(&child, 1, n2, v2));
    CHECK_STR(V(&child, "inner"), "\"b\"");
    CHECK_STR(V(&child, "x"), "1");
    CHECK_STR(V(&top, "inner"), "<none>");
    memcpy(&grandchild, &top, sizeof grandchild);
    grandchild.vars = NULL;
    grandchild.parent = &child;
    CHECK_STR(V(&grandchild, "inner"), "\"b\"");
    CHECK_STR(V(&grandchild, "y"), "{\"a\":[true]}");
    memcpy(&sibling, &top, sizeof sibling);
    sibling.vars = NULL;
    sibling.parent = &top;
    CHECK_STR(V(&sibling, "inner"), "<none>");

    /* reassigning replaces; a name given twice in one call: the last wins */
    const char *n3[] = {"x", "z", "x"};
    asl_value *v3[] = {J("2"), J("null"), J("3")};
    CHECK(asl_vars_assign(&top, 3, n3, v3));
    CHECK_STR(V(&top, "x"), "3");
    CHECK_STR(V(&top, "z"), "null");   /* null is a value: found */
    CHECK(asl_vars_assign(&top, 0, NULL, NULL));

    /* many names grow the table */
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        const char *nn[] = {name};
        asl_value *vv[] = {asl_number_int(A, i)};
        CHECK(asl_vars_assign(&top, 1, nn, vv));
    }
    CHECK_STR(V(&top, "v0"), "0");
    CHECK_STR(V(&child, "v39"), "39");
}

static void test_limits(void)
{
    asl_run run;
    asl_exec top, child;
    exec_init(&run, &top);

    /* 256 KiB a variable: exactly at it passes, one byte more fails */
    const char *n[] = {"a"};
    asl_value *at[] = {text_of(256 * 1024)};
    CHECK(asl_vars_assign(&top, 1, n, at));
    asl_value *over[] = {text_of(256 * 1024 + 1)};
    CHECK(!asl_vars_assign(&top, 1, n, over));
    CHECK_STR(top.err, "States.DataLimitExceeded");
    CHECK(top.cause && strstr(top.cause, "The variable 'a' has a size of 262145 bytes"));
    top.failed = false;
    top.err = top.cause = NULL;

    /* 256 KiB an Assign: two that fit alone, not together; neither is set */
    const char *n2[] = {"b", "c"};
    asl_value *v2[] = {text_of(200 * 1024), text_of(100 * 1024)};
    CHECK(!asl_vars_assign(&top, 2, n2, v2));
    CHECK(top.cause && strstr(top.cause, "combined size of 307200 bytes"));
    CHECK_STR(V(&top, "b"), "<none>");
    top.failed = false;
    top.err = top.cause = NULL;

    /* 10 MiB in all, counted with the scopes around: 39 of 256 KiB in the
     * execution, then a branch's 41st passes it */
    for (int i = 0; i < 39; i++) {
        char name[16];
        snprintf(name, sizeof name, "big%d", i);
        const char *nn[] = {name};
        asl_value *vv[] = {text_of(256 * 1024)};
        CHECK(asl_vars_assign(&top, 1, nn, vv));
    }
    /* replacing one counts the difference, not the sum */
    CHECK(asl_vars_assign(&top, 1, n, at));
    memcpy(&child, &top, sizeof child);
    child.vars = NULL;
    child.parent = &top;
    const char *cn[] = {"own"};
    asl_value *cv[] = {text_of(256 * 1024)};
    CHECK(!asl_vars_assign(&child, 1, cn, cv));
    CHECK_STR(child.err, "States.DataLimitExceeded");
    CHECK(child.cause && strstr(child.cause, "exceeding the maximum of 10485760 bytes"));
    CHECK_STR(V(&child, "own"), "<none>");
}

static void test_assign_and_paths(void)
{
    asl_run run;
    asl_exec top;
    exec_init(&run, &top);
    asl_value *out = J("{\"o\":1}");
    CHECK(asl_assign(&top, out, J("{\"p\":{\"q\":[5,6]},\"s\":\"t\"}")) == out);
    CHECK_STR(V(&top, "p"), "{\"q\":[5,6]}");
    CHECK(asl_assign(&top, NULL, J("{\"u\":1}")) == NULL);   /* a failure before: as it is */
    CHECK_STR(V(&top, "u"), "<none>");

    /* $p.q[1] by the general route; a path into nothing; an unset variable */
    static const asl_seg segs[] = {{.kind = ASL_SEG_KEY, .klen = 1, .key = "p"},
                                   {.kind = ASL_SEG_KEY, .klen = 1, .key = "q"},
                                   {.kind = ASL_SEG_INDEX, .start = 1}};
    asl_path p = {"$p.q[1]", ASL_ROOT_VAR, 1, ASL_ITEM_NONE, 3, segs, NULL};
    asl_value *v = NULL;
    CHECK(asl_path_select(&top, J("{}"), &p, &v) && v && asl_json_string(A, v, NULL)[0] == '6');
    static const asl_seg miss[] = {{.kind = ASL_SEG_KEY, .klen = 1, .key = "p"},
                                   {.kind = ASL_SEG_KEY, .klen = 1, .key = "r"}};
    asl_path pm = {"$p.r", ASL_ROOT_VAR, 1, ASL_ITEM_NONE, 2, miss, NULL};
    CHECK(!asl_path_select(&top, J("{}"), &pm, &v) && !v);
    static const asl_seg unset[] = {{.kind = ASL_SEG_KEY, .klen = 4, .key = "nope"}};
    asl_path pu = {"$nope", ASL_ROOT_VAR, 1, ASL_ITEM_NONE, 1, unset, NULL};
    CHECK(!asl_path_select(&top, J("{}"), &pu, &v));
    CHECK(asl_input_path(&top, J("{}"), &pu) == NULL);
    CHECK_STR(top.err, "States.Runtime");
    CHECK(top.cause && strstr(top.cause, "The variable '$nope' referenced by the JSONPath '$nope' is not defined."));
}

int main(void)
{
    A = asl_arena_new();
    test_scopes();
    test_limits();
    test_assign_and_paths();
    asl_arena_free(A);
    return check_summary();
}
