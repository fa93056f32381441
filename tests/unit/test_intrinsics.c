/*
 * test_intrinsics.c — unit tests of the intrinsic functions: the compiler's
 * parser (compiler/intrinsic.c, included so its static helpers are in
 * reach, with the path parser it calls, compiler/jsonpath.c, so that the
 * test links against the runtime library alone) and the runtime
 * (runtime/intrinsics.c, through asl_intrinsic).
 *
 * Runtime cases are written as JSON text in, JSON text out, so that each
 * line reads like the AWS documentation example it comes from.  A failing
 * check prints file:line and what differed; the last line is the tally, and
 * the exit status is non-zero when anything failed.
 *
 * Build (from the repository root):
 *   cc -std=gnu11 -Iruntime -Icompiler tests/unit/test_intrinsics.c \
 *      runtime/intrinsics.c runtime/exec.c runtime/value.c runtime/json.c \
 *      -lcrypto -lm -lpthread
 */
#include "../../compiler/jsonpath.c"
#include "../../compiler/intrinsic.c"

#include "rt.h"

#include <stdio.h>
#include <string.h>

#include "check.h"


static asl_arena *A;

/* ---- parser helpers ----------------------------------------------------------- */

static char perr[256];
static size_t perrpos;

static ir_call *parse(const char *text)
{
    perr[0] = 0;
    perrpos = (size_t)-1;
    return aslc_intrinsic_parse(A, text, perr, sizeof perr, &perrpos);
}

/* Expects a parse error whose message contains want, at offset pos. */
#define PARSE_ERR(text, want, pos) parse_err(__FILE__, __LINE__, (text), (want), (pos))

static void parse_err(const char *file, int line, const char *text, const char *want, size_t pos)
{
    ir_call *c = parse(text);
    if (c) {
        nfail++;
        printf("%s:%d: %s parsed, expected error '%s'\n", file, line, text, want);
        return;
    }
    if (!strstr(perr, want)) {
        nfail++;
        printf("%s:%d: %s: error '%s' lacks '%s'\n", file, line, text, perr, want);
        return;
    }
    if (pos != (size_t)-1 && perrpos != pos) {
        nfail++;
        printf("%s:%d: %s: error '%s' at %zu, want %zu\n", file, line, text, perr, perrpos, pos);
        return;
    }
    npass++;
}

#define PARSE_OK(text) parse_ok(__FILE__, __LINE__, (text))

static ir_call *parse_ok(const char *file, int line, const char *text)
{
    ir_call *c = parse(text);
    if (c) npass++;
    else {
        nfail++;
        printf("%s:%d: %s: unexpected error '%s' at %zu\n", file, line, text, perr, perrpos);
    }
    return c;
}

/* aslc_intrinsic_parse_n: a U+0000 in a string literal or in a path's
 * member name is kept (issue #18); it is no end of the text. */
static void test_parser_counted(void)
{
    static const char text[] = "States.Format('a\0{}', $['k\0'])";
    ir_call *c = aslc_intrinsic_parse_n(A, text, sizeof text - 1, perr, sizeof perr, &perrpos, NULL, 0,
                                        NULL);
    CHECK(c && c->argc == 2 && c->args[0].kind == IR_ARG_STRING && c->args[0].len == 4 &&
          !memcmp(c->args[0].str, "a\0{}", 4) && c->args[1].kind == IR_ARG_PATH &&
          c->args[1].path->segs[0].klen == 2 && !memcmp(c->args[1].path->segs[0].key, "k\0", 2));
    static const char open[] = "States.Format('a\0";
    CHECK(!aslc_intrinsic_parse_n(A, open, sizeof open - 1, perr, sizeof perr, &perrpos, NULL, 0, NULL) &&
          strstr(perr, "unterminated string literal"));
}

static void test_parser_literals(void)
{
    ir_call *c = PARSE_OK("States.Array()");
    if (c) {
        CHECK(c->fn == ASL_FN_ARRAY);
        CHECK(c->argc == 0);
    }

    c = PARSE_OK("States.Array('abc', 'it\\'s', '\\{\\}\\\\', 'a(b), {c} \"d\"', '')");
    if (c && c->argc == 5) {
        CHECK(c->args[0].kind == IR_ARG_STRING);
        CHECK_STR(c->args[0].str, "abc");
        CHECK(c->args[0].len == 3);
        CHECK_STR(c->args[1].str, "it's");
        CHECK_STR(c->args[2].str, "{}\\");
        CHECK_STR(c->args[3].str, "a(b), {c} \"d\"");
        CHECK(c->args[4].len == 0);
        CHECK_STR(c->args[4].str, "");
    }

    c = PARSE_OK("States.Array(12, -3.5, 0, 1e3, -0.25E-2, 12345678901234567890)");
    if (c && c->argc == 6) {
        CHECK(c->args[0].kind == IR_ARG_NUMBER);
        CHECK_STR(c->args[0].str, "12");
        CHECK(c->args[0].num == 12);
        CHECK_STR(c->args[1].str, "-3.5");
        CHECK(c->args[1].num == -3.5);
        CHECK(c->args[2].num == 0);
        CHECK(c->args[3].num == 1000);
        CHECK_STR(c->args[4].str, "-0.25E-2");
        CHECK_STR(c->args[5].str, "12345678901234567890");
    }

    c = PARSE_OK("States.Array(true, false, null)");
    if (c && c->argc == 3) {
        CHECK(c->args[0].kind == IR_ARG_BOOL && c->args[0].b);
        CHECK(c->args[1].kind == IR_ARG_BOOL && !c->args[1].b);
        CHECK(c->args[2].kind == IR_ARG_NULL);
    }

    /* A literal whose text is a newline (from "\n" in the JSON definition). */
    c = PARSE_OK("States.StringSplit('Hello\nWorld', '\n')");
    if (c) CHECK_STR(c->args[1].str, "\n");

    /* Whitespace between every token. */
    c = PARSE_OK("  States.Array (  'a' ,\t1 ,\n true  )  ");
    if (c) CHECK(c->argc == 3);

    /* The template of States.Format keeps its brace escapes for the runtime. */
    c = PARSE_OK("States.Format('a \\{\\} {} \\\\ \\'q\\'', $.x)");
    if (c) CHECK_STR(c->args[0].str, "a \\{\\} {} \\\\ 'q'");
    /* ...but only the template: other literals are plain text. */
    c = PARSE_OK("States.Format('{}', '\\{\\}')");
    if (c) CHECK_STR(c->args[1].str, "{}");
}

static void test_parser_paths_and_nesting(void)
{
    ir_call *c = PARSE_OK("States.Array($.a.b, $$.Execution.Id, $, $['x,y'], $.l[?(@.v == ')')])");
    if (c && c->argc == 5) {
        for (int i = 0; i < 5; i++) CHECK(c->args[i].kind == IR_ARG_PATH && c->args[i].path);
        CHECK_STR(c->args[0].str, "$.a.b");
        CHECK(c->args[1].path->root == ASL_ROOT_CONTEXT);
        CHECK(c->args[0].path->root == ASL_ROOT_INPUT);
        CHECK_STR(c->args[3].str, "$['x,y']");
        CHECK_STR(c->args[4].str, "$.l[?(@.v == ')')]");
    }
    /* Trailing spaces are not part of the path. */
    c = PARSE_OK("States.Array( $.a , $.b )");
    if (c && c->argc == 2) {
        CHECK_STR(c->args[0].str, "$.a");
        CHECK_STR(c->args[1].str, "$.b");
    }

    /* The documentation's nine nested calls (its template has one {} too
     * many for its two values, which would fail every run: see below). */
    c = PARSE_OK("States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
                 "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
                 "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, "
                 "'/'), 2), '.'), 1))");
    PARSE_ERR("States.Format('{}.{}.{}', States.ArrayGetItem($.a, 0), States.ArrayGetItem($.a, 1))",
              "has 3 placeholders but 2 values are given", 14);
    if (c && c->argc == 3) {
        CHECK(c->fn == ASL_FN_FORMAT);
        CHECK(c->args[1].kind == IR_ARG_CALL);
        CHECK(c->args[1].call->fn == ASL_FN_ARRAY_GET_ITEM);
        CHECK(c->args[1].call->args[0].call->fn == ASL_FN_STRING_SPLIT);
    }

    /* Ten levels are allowed, eleven are not. */
    char deep[512] = "", tail[64] = "";
    for (int i = 0; i < 10; i++) strcat(deep, "States.Array(");
    strcat(deep, "1");
    for (int i = 0; i < 10; i++) strcat(tail, ")");
    strcat(deep, tail);
    PARSE_OK(deep);
    char deeper[512] = "States.Array(";
    strcat(deeper, deep);
    strcat(deeper, ")");
    PARSE_ERR(deeper, "nested more than 10 deep", 10 * 13);

    c = PARSE_OK("States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), "
                 "$$.Execution.Input.input_field, false)");
    if (c) {
        CHECK(c->args[0].kind == IR_ARG_CALL);
        CHECK_STR(c->args[0].call->args[0].str, "{\"constant_in_literal\": \"false\"}");
        CHECK(c->args[2].kind == IR_ARG_BOOL && !c->args[2].b);
    }
}

static void test_parser_errors(void)
{
    PARSE_ERR("States.Foo($.a)", "unknown intrinsic function 'States.Foo'", 0);
    PARSE_ERR("States.Array(States.format('x'))", "unknown intrinsic function 'States.format'", 13);
    PARSE_ERR("States.ArrayLength($.a, $.b)", "States.ArrayLength takes 1 argument, got 2", 0);
    PARSE_ERR("States.ArrayRange(1, 2)", "States.ArrayRange takes 3 arguments, got 2", 0);
    PARSE_ERR("States.UUID(1)", "States.UUID takes no arguments, got 1", 0);
    PARSE_ERR("States.Format()", "States.Format takes at least 1 argument, got 0", 0);
    PARSE_ERR("States.MathRandom(1)", "States.MathRandom takes 2 or 3 arguments, got 1", 0);
    PARSE_ERR("States.Array('abc", "unterminated string literal", 13);
    PARSE_ERR("States.Array('abc\\", "unterminated string literal", 17);
    PARSE_ERR("States.Array('a\\nb')", "invalid escape '\\n'", 15);
    PARSE_ERR("States.Array($.a) trailing", "unexpected text after the intrinsic call", 18);
    PARSE_ERR("States.Array($.a", "missing ')'", 12);
    PARSE_ERR("States.Array(", "expected an argument", 13);
    PARSE_ERR("States.Array($.a, )", "expected an argument before ')'", 18);
    PARSE_ERR("States.Array(,)", "expected an argument before ','", 13);
    PARSE_ERR("States.Array('a' 'b')", "expected ',' or ')' after argument 1", 17);
    PARSE_ERR("States.Array(1.)", "digit must follow the decimal point", 13);
    PARSE_ERR("States.Array(.5)", "unexpected '.'", 13);
    PARSE_ERR("States.Array(01)", "invalid number", 13);
    PARSE_ERR("States.Array(1e)", "digit must follow the exponent", 13);
    PARSE_ERR("States.Array(1e999)", "out of range", 13);
    PARSE_ERR("States.Array([1,2])", "unexpected '['", 13);
    PARSE_ERR("States.Array(True)", "unexpected 'True'", 13);
    PARSE_ERR("States.Array(foo)", "unexpected 'foo'", 13);
    PARSE_ERR("States.Array($.a[)", "", (size_t)-1);   /* the path parser's message */
    PARSE_ERR("", "expected an intrinsic function call", 0);
    PARSE_ERR("$.a", "expected an intrinsic function call", 0);
    PARSE_ERR("States.Array", "expected '(' after States.Array", 12);

    /* Constant arguments AWS would reject every time. */
    PARSE_ERR("States.MathAdd('a', 1)", "States.MathAdd argument 1 must be a number, not a string", 15);
    PARSE_ERR("States.MathAdd(1, null)", "argument 2 must be a number, not null", 18);
    PARSE_ERR("States.MathAdd(3000000000, 1)", "outside the 32-bit integer range", 15);
    PARSE_ERR("States.MathAdd(2147483647, 1)", "result is outside the 32-bit integer range", 15);
    PARSE_ERR("States.ArrayRange(1, 'b', 1)", "States.ArrayRange argument 2 must be a number", 21);
    PARSE_ERR("States.ArrayRange(1, 10, 0)", "step must not be 0", 25);
    PARSE_ERR("States.ArrayRange(1, 10, 0.49)", "step must not be 0", 25);
    PARSE_ERR("States.ArrayRange(1, 1001, 1)", "would produce 1001 items", 18);
    PARSE_OK("States.ArrayRange(1, 1000, 1)");
    PARSE_OK("States.ArrayRange(5, 1, 1)");
    PARSE_ERR("States.ArrayGetItem($.a, '1')", "argument 2 must be a number, not a string", 25);
    PARSE_ERR("States.ArrayGetItem($.a, -1)", "index must not be negative", 25);
    PARSE_ERR("States.ArrayGetItem('abc', 0)", "argument 1 must be an array, not a string", 20);
    PARSE_ERR("States.ArrayLength('not-array')", "must be an array", 19);
    PARSE_ERR("States.ArrayUnique(1)", "must be an array", 19);
    PARSE_ERR("States.ArrayContains('x', 'x')", "must be an array", 21);
    PARSE_ERR("States.ArrayPartition($.a, 0)", "chunk size must be a positive integer", 27);
    PARSE_ERR("States.ArrayPartition($.a, 'x')", "must be a number", 27);
    PARSE_ERR("States.Hash($.a, 'SHA256')", "algorithm 'SHA256' is not one of", 17);
    PARSE_ERR("States.Hash($.a, 'sha-256')", "is not one of", 17);
    PARSE_ERR("States.Hash($.a, 5)", "argument 2 must be a string, not a number", 17);
    PARSE_OK("States.Hash(123, 'MD5')");
    PARSE_ERR("States.JsonMerge($.a, $.b, true)", "third argument must be false", 27);
    PARSE_ERR("States.JsonMerge($.a, $.b, 'false')", "argument 3 must be a boolean", 27);
    PARSE_ERR("States.JsonMerge('{}', $.b, false)", "argument 1 must be an object", 17);
    PARSE_ERR("States.MathRandom(5, 5)", "start (5) must be less than end (5)", 18);
    PARSE_ERR("States.MathRandom(1.4, 1.6)", "must be less than end", 18);
    PARSE_ERR("States.MathRandom(1, 10, 'seed')", "argument 3 must be a number", 25);
    PARSE_ERR("States.Base64Encode(123)", "must be a string, not a number", 20);
    PARSE_ERR("States.Base64Decode(States.Array())", "must be a string, not an array", 20);
    PARSE_ERR("States.StringSplit($.a, 1)", "argument 2 must be a string", 24);
    PARSE_ERR("States.StringToJson(1)", "must be a string", 20);
    PARSE_ERR("States.StringToJson('{bad')", "not valid JSON", 20);
    PARSE_OK("States.StringToJson(' ')");
    PARSE_ERR("States.Format(1)", "must be a string, not a number", 14);
    PARSE_ERR("States.Format('{} {}', $.a)", "has 2 placeholders but 1 value is given", 14);
    PARSE_ERR("States.Format('{}', $.a, $.b)", "has 1 placeholder but 2 values are given", 14);
    PARSE_ERR("States.Format('Hello {', $.a)", "unescaped '{'", 14);
    PARSE_ERR("States.Format('}')", "unescaped '}'", 14);
    PARSE_ERR("States.Format('Hello {{}}', $.a)", "unescaped '{'", 14);
    PARSE_OK("States.Format('\\{\\}')");
    /* A nested call's result type is known too. */
    PARSE_ERR("States.ArrayLength(States.Format('x'))", "must be an array, not a string", 19);
    PARSE_ERR("States.MathAdd(States.ArrayLength($.a), States.UUID())", "argument 2 must be a number",
              40);
    PARSE_OK("States.MathAdd(States.ArrayLength($.a), States.ArrayGetItem($.b, 0))");
    PARSE_OK("States.ArrayLength(States.StringToJson($.s))");

    /* The message is cut to the buffer, never overrun. */
    char small[8];
    size_t pos = 0;
    CHECK(aslc_intrinsic_parse(A, "States.Foo()", small, sizeof small, &pos) == NULL);
    CHECK(strlen(small) == 7);
    CHECK(aslc_intrinsic_parse(A, "States.Foo()", NULL, 0, NULL) == NULL);
}

static void test_parser_misc(void)
{
    CHECK(aslc_is_intrinsic("States.Format('x')"));
    CHECK(aslc_is_intrinsic("States.UUID()"));
    CHECK(aslc_is_intrinsic("States.Foo ()"));
    CHECK(aslc_is_intrinsic("Foo(1)"));
    CHECK(!aslc_is_intrinsic("$.a"));
    CHECK(!aslc_is_intrinsic("$$.Execution.Id"));
    CHECK(!aslc_is_intrinsic("States.Format"));
    CHECK(!aslc_is_intrinsic("States."));
    CHECK(!aslc_is_intrinsic(""));
    CHECK(!aslc_is_intrinsic(NULL));
    CHECK(!aslc_is_intrinsic("hello world"));

    CHECK_STR(aslc_intrinsic_name(ASL_FN_FORMAT), "States.Format");
    CHECK_STR(aslc_intrinsic_name(ASL_FN_UUID), "States.UUID");
    CHECK_STR(aslc_intrinsic_name(ASL_FN_ARRAY_GET_ITEM), "States.ArrayGetItem");
    CHECK_STR(aslc_intrinsic_name(-1), "States.?");
    CHECK_STR(aslc_intrinsic_name(ASL_FN__COUNT), "States.?");
    /* Every name in the table parses back to itself. */
    for (int fn = 0; fn < ASL_FN__COUNT; fn++) CHECK(lookup_fn(aslc_intrinsic_name(fn),
                                                               strlen(aslc_intrinsic_name(fn))) == fn);
}

/* ---- runtime helpers -------------------------------------------------------------- */

static asl_exec X;

static asl_value *J(const char *json) { return check_json(A, json); }

/* Result of fn on the JSON arguments, as compact JSON, or "ERROR Name: Cause". */
static const char *run(int fn, int argc, ...)
{
    asl_value *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) argv[i] = J(va_arg(ap, const char *));
    va_end(ap);
    asl_error_clear(&X);
    asl_value *r = asl_intrinsic(&X, fn, (uint32_t)argc, argv);
    if (!r)
        return asl_sprintf(A, "ERROR %s: %s", asl_error_name(&X) ? asl_error_name(&X) : "?",
                           asl_error_cause(&X) ? asl_error_cause(&X) : "(none)");
    if (asl_error_name(&X)) return "ERROR set with a result";
    return asl_json_string(A, r, NULL);
}

static const char *invalid_msg(int fn)
{
    return asl_sprintf(A, "ERROR States.Runtime: Invalid arguments in %s", aslc_intrinsic_name(fn));
}

static asl_value *eval(ir_call *c);

/* The values of a parsed call's arguments (literals or nested calls). */
static bool eval_args(ir_call *c, asl_value **argv)
{
    for (uint32_t i = 0; i < c->argc; i++) {
        ir_arg *g = &c->args[i];
        switch (g->kind) {
        case IR_ARG_STRING: argv[i] = asl_string(A, g->str, g->len); break;
        case IR_ARG_NUMBER: argv[i] = J(g->str); break;
        case IR_ARG_BOOL: argv[i] = asl_bool(g->b); break;
        case IR_ARG_NULL: argv[i] = asl_null(); break;
        case IR_ARG_CALL:
            argv[i] = eval(g->call);
            if (!argv[i]) return false;
            break;
        default: return false;
        }
    }
    return true;
}

/* Evaluates a parsed call whose arguments are literals or nested calls. */
static asl_value *eval(ir_call *c)
{
    asl_value *argv[32];
    return eval_args(c, argv) ? asl_intrinsic(&X, c->fn, c->argc, argv) : NULL;
}

static const char *run_text(const char *text)
{
    ir_call *c = parse(text);
    if (!c) return asl_sprintf(A, "PARSE ERROR %s", perr);
    asl_error_clear(&X);
    asl_value *r = eval(c);
    if (!r) return asl_sprintf(A, "ERROR %s: %s", asl_error_name(&X), asl_error_cause(&X));
    return asl_json_string(A, r, NULL);
}

/* A States.Format as the back ends compile it: the template split now
 * (aslc_format_split), the values printed into it by asl_format.  Also
 * checks the result's "needs no JSON escape" mark against its bytes. */
static const char *run_split(const char *text)
{
    ir_call *c = parse(text);
    asl_fmt f;
    asl_value *argv[32];
    if (!c || !aslc_format_split(A, c, &f)) return "NOT SPLIT";
    if (!eval_args(c, argv)) return "ARGUMENT FAILED";
    asl_error_clear(&X);
    asl_value *r = asl_format(&X, &f, argv);
    if (!r || r->type != ASL_STRING) return "NO STRING";
    if (asl_str_plain(r) != asl_json_plain(r->u.str, r->len)) return "WRONG PLAINNESS";
    return asl_json_string(A, r, NULL);
}

/* ---- runtime tests ---------------------------------------------------------------- */

static void test_format(void)
{
    enum { F = ASL_FN_FORMAT };
    CHECK_STR(run(F, 3, "\"Your name is {}, we are in the year {}\"", "\"Foo\"", "2020"),
              "\"Your name is Foo, we are in the year 2020\"");
    CHECK_STR(run(F, 2, "\"Hello, my name is {}.\"", "\"Arnav\""), "\"Hello, my name is Arnav.\"");
    CHECK_STR(run(F, 2, "\"Formatting argument {}.\"", "\"\""), "\"Formatting argument .\"");
    CHECK_STR(run(F, 2, "\"Formatting argument {}.\"", "1"), "\"Formatting argument 1.\"");
    CHECK_STR(run(F, 3, "\"fst={} and snd={}.\"", "null", "null"), "\"fst=null and snd=null.\"");
    CHECK_STR(run(F, 3, "\"fst={} and snd={}.\"", "1.1", "1.1"), "\"fst=1.1 and snd=1.1.\"");
    CHECK_STR(run(F, 2, "\"{}\"", "{\"Arg1\": 1, \"Arg2\": []}"), "\"{Arg1=1, Arg2=[]}\"");
    CHECK_STR(run(F, 2, "\"{}\"", "\"{\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\""),
              "\"{\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\"");
    CHECK_STR(run(F, 2, "\"snd={}.\"", "{\"Id\":\"arn:x\",\"Name\":\"n\"}"),
              "\"snd={Id=arn:x, Name=n}.\"");
    CHECK_STR(run(F, 2, "\"{}\"", "[1,\"a\",null,[true,false],{\"k\":{}}]"),
              "\"[1, a, null, [true, false], {k={}}]\"");
    CHECK_STR(run(F, 4, "\"{} {} {}\"", "\"x\"", "2", "true"), "\"x 2 true\"");
    CHECK_STR(run(F, 2, "\"  {}  \"", "\"x\""), "\"  x  \"");
    CHECK_STR(run(F, 1, "\"no placeholders\""), "\"no placeholders\"");
    CHECK_STR(run(F, 1, "\"\""), "\"\"");
    CHECK_STR(run(F, 2, "\"{}\"", "\"\""), "\"\"");
    CHECK_STR(run(F, 2, "\"{}|\"", "9007199254740991"), "\"9007199254740991|\"");
    CHECK_STR(run(F, 2, "\"{}\"", "-3.5"), "\"-3.5\"");
    CHECK_STR(run(F, 2, "\"{}\"", "1.10"), "\"1.10\"");   /* the number's text, as given */
    /* Escapes in the template: literal braces and backslashes. */
    CHECK_STR(run(F, 2, "\"\\\\{\\\\} {} \\\\\\\\\"", "\"v\""), "\"{} v \\\\\"");
    CHECK_STR(run(F, 2, "\"a\\\\b{}\"", "1"), "\"a\\\\b1\"");   /* \b is not an escape */
    /* Many arguments (past the small on-stack table). */
    CHECK_STR(run(F, 11, "\"{}{}{}{}{}{}{}{}{}{}\"", "0", "1", "2", "3", "4", "5", "6", "7", "8",
                  "9.5"),
              "\"0123456789.5\"");
    /* More placeholders and escapes than pass 1 remembers: pass 2 scans again. */
    CHECK_STR(run(F, 13, "\"\\\\{{}\\\\}{}\\\\{{}\\\\}{}\\\\{{}\\\\}{}\\\\{{}\\\\}{}\\\\{{}\\\\}{}"
                            "\\\\{{}\\\\}{}|\\\\\\\\\"",
                  "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
              "\"{1}2{3}4{5}6{7}8{9}10{11}12|\\\\\"");
    /* An embedded NUL is plain text. */
    CHECK_STR(run(F, 2, "\"a\\u0000{}b\"", "\"X\""), "\"a\\u0000Xb\"");
    /* UTF-8 passes through untouched. */
    CHECK_STR(run(F, 2, "\"é{}✓\"", "\"日本\""), "\"é日本✓\"");

    CHECK_STR(run(F, 2, "\"{} {}\"", "\"x\""), invalid_msg(F));
    CHECK_STR(run(F, 3, "\"{}\"", "\"x\"", "\"y\""), invalid_msg(F));
    CHECK_STR(run(F, 2, "\"Hello {\"", "\"x\""), invalid_msg(F));
    CHECK_STR(run(F, 1, "\"}\""), invalid_msg(F));
    CHECK_STR(run(F, 2, "\"Hello {{}}\"", "\"x\""), invalid_msg(F));
    CHECK_STR(run(F, 2, "123", "\"x\""), invalid_msg(F));

    /* Through the parser: literal escapes reach the runtime intact. */
    CHECK_STR(run_text("States.Format('Name: \\'{}\\', Surname: \"{}\"', 'Gabriel', 'Moreira')"),
              "\"Name: 'Gabriel', Surname: \\\"Moreira\\\"\"");
    CHECK_STR(run_text("States.Format('\\{\\} is {}', 'braces')"), "\"{} is braces\"");
    CHECK_STR(run_text("States.Format('\\\\{}', 'x')"), "\"\\\\x\"");
    CHECK_STR(run_text("States.Format('arn:{}:{}', 'lambda', States.JsonToString(States.StringToJson('{\"k\":1}')))"),
              "\"arn:lambda:{\\\"k\\\":1}\"");
    CHECK_STR(run_text("States.Format('Format:{}', 101)"), "\"Format:101\"");

    /* Split by the compiler: the same strings as split when run. */
    static const char *const split_cases[] = {
        "States.Format('Name: \\'{}\\', Surname: \"{}\"', 'Gabriel', 'Moreira')",
        "States.Format('\\{\\} is {}', 'braces')",
        "States.Format('\\\\{}', 'x')",
        "States.Format('{}', 'a\"b')",
        "States.Format('<{}|{}>', 1.5, 12)",
        "States.Format('{} {} {}', null, true, false)",
        "States.Format('{}', States.Array('x\"y', 2, States.StringToJson('{\"k\":[1]}')))",
        "States.Format('{}', States.StringToJson('{\"k\":\"v\"}'))",
        "States.Format('{}{}{}{}{}{}{}{}{}{}', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9.5)",
        "States.Format('{}{}{}{}{}{}{}{}{}{}', 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5)",
        "States.Format('')",
        "States.Format('no holes')",
        "States.Format('tab\there {}', 'x')",
        "States.Format('\u00e9{}\u2713', '\u65e5')",
        "States.Format('{}', 123456789012345678901234567890)",
    };
    for (size_t i = 0; i < sizeof split_cases / sizeof *split_cases; i++)
        CHECK_STR(run_split(split_cases[i]), run_text(split_cases[i]));
    /* A template that does not fit its values is not split: the call fails
     * when it runs (see above). */
    ir_call *c = aslc_intrinsic_parse_lenient(A, "States.Format('{} {}', 'x')", perr, sizeof perr,
                                              &perrpos, perr, sizeof perr, &perrpos);
    asl_fmt f;
    CHECK(c && !aslc_format_split(A, c, &f));
    CHECK_STR(run_split("States.Format('{}', States.Format('{}x', 'y'))"), "\"yx\"");
    CHECK_STR(run_split("States.StringToJson('1')"), "NOT SPLIT");
}

static void test_json(void)
{
    enum { S2J = ASL_FN_STRING_TO_JSON, J2S = ASL_FN_JSON_TO_STRING, M = ASL_FN_JSON_MERGE };
    CHECK_STR(run(S2J, 1, "\"{\\\"number\\\": 20}\""), "{\"number\":20}");
    CHECK_STR(run(S2J, 1, "\"{\\\"foo\\\": \\\"bar\\\"}\""), "{\"foo\":\"bar\"}");
    CHECK_STR(run(S2J, 1, "\"\""), "null");
    CHECK_STR(run(S2J, 1, "\" \""), "null");
    CHECK_STR(run(S2J, 1, "\"null\""), "null");
    CHECK_STR(run(S2J, 1, "\"1\""), "1");
    CHECK_STR(run(S2J, 1, "\"true\""), "true");
    CHECK_STR(run(S2J, 1, "\"\\\"HelloWorld\\\"\""), "\"HelloWorld\"");
    CHECK_STR(run(S2J, 1, "\"[1, 2, \\\"HelloWorld\\\"]\""), "[1,2,\"HelloWorld\"]");
    CHECK_STR(run(S2J, 1, "\"{\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\""), "{\"Arg1\":1,\"Arg2\":[]}");
    CHECK_STR(run(S2J, 1, "\"{bad\""), invalid_msg(S2J));
    CHECK_STR(run(S2J, 1, "\"1 2\""), invalid_msg(S2J));
    CHECK_STR(run(S2J, 1, "5"), invalid_msg(S2J));
    CHECK_STR(run(S2J, 1, "{}"), invalid_msg(S2J));

    CHECK_STR(run(J2S, 1, "{\"name\": \"Foo\", \"year\": 2020}"),
              "\"{\\\"name\\\":\\\"Foo\\\",\\\"year\\\":2020}\"");
    CHECK_STR(run(J2S, 1, "null"), "\"null\"");
    CHECK_STR(run(J2S, 1, "0"), "\"0\"");
    CHECK_STR(run(J2S, 1, "1.1"), "\"1.1\"");
    CHECK_STR(run(J2S, 1, "true"), "\"true\"");
    CHECK_STR(run(J2S, 1, "\"HelloWorld\""), "\"\\\"HelloWorld\\\"\"");
    CHECK_STR(run(J2S, 1, "{\"Arg1\": 1, \"Arg2\": []}"), "\"{\\\"Arg1\\\":1,\\\"Arg2\\\":[]}\"");
    CHECK_STR(run(J2S, 1, "[1, 2, \"a/b\"]"), "\"[1,2,\\\"a/b\\\"]\"");

    CHECK_STR(run(M, 3, "{\"a\": {\"a1\": 1, \"a2\": 2}, \"b\": 2}", "{\"a\": {\"a3\": 1, \"a4\": 2}, \"c\": 3}",
                  "false"),
              "{\"a\":{\"a3\":1,\"a4\":2},\"b\":2,\"c\":3}");
    /* The first object's key order stays; replaced keys keep their place. */
    CHECK_STR(run(M, 3, "{\"a\": {\"a1\": 1}, \"b\": 2, \"d\": 3}", "{\"a\": {\"a3\": 1}, \"c\": 3, \"d\": 4}",
                  "false"),
              "{\"a\":{\"a3\":1},\"b\":2,\"d\":4,\"c\":3}");
    CHECK_STR(run(M, 3, "{}", "{\"x\":1}", "false"), "{\"x\":1}");
    CHECK_STR(run(M, 3, "{\"x\":1}", "{}", "false"), "{\"x\":1}");
    CHECK_STR(run(M, 3, "{\"x\":1}", "{\"y\":2}", "true"), invalid_msg(M));
    CHECK_STR(run(M, 3, "{\"x\":1}", "{\"y\":2}", "null"), invalid_msg(M));
    CHECK_STR(run(M, 3, "[1]", "{\"y\":2}", "false"), invalid_msg(M));
    CHECK_STR(run(M, 3, "{\"x\":1}", "\"s\"", "false"), invalid_msg(M));
    /* The arguments are left as they were. */
    asl_value *l = J("{\"a\":1}"), *r = J("{\"a\":2,\"b\":3}");
    asl_value *argv[3] = {l, r, asl_bool(false)};
    asl_value *out = asl_intrinsic(&X, M, 3, argv);
    CHECK(out && out != l);
    CHECK_STR(asl_json_string(A, l, NULL), "{\"a\":1}");
    CHECK_STR(asl_json_string(A, r, NULL), "{\"a\":2,\"b\":3}");

    CHECK_STR(run_text("States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), "
                       "States.StringToJson('{\"constant_input_field\": \"constant_value\"}'), false)"),
              "{\"constant_in_literal\":\"false\",\"constant_input_field\":\"constant_value\"}");
}

static void test_arrays(void)
{
    enum {
        ARR = ASL_FN_ARRAY, PART = ASL_FN_ARRAY_PARTITION, CONT = ASL_FN_ARRAY_CONTAINS,
        RANGE = ASL_FN_ARRAY_RANGE, GET = ASL_FN_ARRAY_GET_ITEM, LEN = ASL_FN_ARRAY_LENGTH,
        UNIQ = ASL_FN_ARRAY_UNIQUE
    };
    CHECK_STR(run(ARR, 0), "[]");
    CHECK_STR(run(ARR, 4, "\"Foo\"", "2020", "{\"random\": \"abcdefg\"}", "null"),
              "[\"Foo\",2020,{\"random\":\"abcdefg\"},null]");
    CHECK_STR(run(ARR, 1, "123456"), "[123456]");
    CHECK_STR(run_text("States.Array(1, States.Array(2, 3))"), "[1,[2,3]]");

    CHECK_STR(run(PART, 2, "[1,2,3,4,5,6,7,8,9]", "4"), "[[1,2,3,4],[5,6,7,8],[9]]");
    CHECK_STR(run(PART, 2, "[]", "1"), "[]");
    CHECK_STR(run(PART, 2, "[0,1]", "3"), "[[0,1]]");
    CHECK_STR(run(PART, 2, "[0,1,2]", "1"), "[[0],[1],[2]]");
    CHECK_STR(run(PART, 2, "[0,1,2,3]", "2"), "[[0,1],[2,3]]");
    CHECK_STR(run(PART, 2, "[0,1,2]", "2.9"), "[[0,1],[2]]");
    CHECK_STR(run(PART, 2, "[1]", "0"), invalid_msg(PART));
    CHECK_STR(run(PART, 2, "[1]", "0.49"), invalid_msg(PART));
    CHECK_STR(run(PART, 2, "[1]", "-1"), invalid_msg(PART));
    CHECK_STR(run(PART, 2, "[1]", "\"2\""), invalid_msg(PART));
    CHECK_STR(run(PART, 2, "{}", "2"), invalid_msg(PART));

    CHECK_STR(run(CONT, 2, "[1,2,3,4,5,6,7,8,9]", "5"), "true");
    CHECK_STR(run(CONT, 2, "[]", "null"), "false");
    CHECK_STR(run(CONT, 2, "[]", "[]"), "false");
    CHECK_STR(run(CONT, 2, "[[1,2,3],2]", "null"), "false");
    CHECK_STR(run(CONT, 2, "[[1,2,3],2]", "[1,2,3]"), "true");
    CHECK_STR(run(CONT, 2, "[{\"1\":2,\"2\":[]}]", "[]"), "false");
    CHECK_STR(run(CONT, 2, "[{\"1\":2,\"2\":[]}]", "{\"1\":2,\"2\":[]}"), "true");
    CHECK_STR(run(CONT, 2, "[true,false]", "true"), "true");
    CHECK_STR(run(CONT, 2, "[true,false]", "false"), "true");
    CHECK_STR(run(CONT, 2, "[\"A\",\"B\",\"C\"]", "\"C\""), "true");
    CHECK_STR(run(CONT, 2, "[1,null,3]", "null"), "true");
    CHECK_STR(run(CONT, 2, "[1,2]", "2.0"), "true");
    CHECK_STR(run(CONT, 2, "[{\"a\":1}]", "{\"a\":1,\"extra\":null}"), "false");
    CHECK_STR(run(CONT, 2, "[0,1,-1,-1.5]", "false"), "false");
    CHECK_STR(run(CONT, 2, "[null,\"\",\" \",0,1,true,false,[0,1,false]]", "[0,1,false]"), "true");
    /* What AWS was seen to answer: printed forms are compared. */
    CHECK_STR(run(CONT, 2, "[{\"a\":1,\"b\":2}]", "{\"b\":2,\"a\":1}"), "false");
    CHECK_STR(run(CONT, 2, "[\"true\",\"false\"]", "true"), "true");
    CHECK_STR(run(CONT, 2, "[\"-1\",\"9007199254740991\"]", "9007199254740991"), "true");
    CHECK_STR(run(CONT, 2, "[[\"1\"]]", "[1]"), "true");
    CHECK_STR(run(CONT, 2, "[\"[1, 2]\"]", "[1,2]"), "true");
    CHECK_STR(run(CONT, 2, "\"not-array\"", "\"x\""), invalid_msg(CONT));

    CHECK_STR(run(RANGE, 3, "1", "9", "2"), "[1,3,5,7,9]");
    CHECK_STR(run(RANGE, 3, "0", "9", "3"), "[0,3,6,9]");
    CHECK_STR(run(RANGE, 3, "0", "10", "3"), "[0,3,6,9]");
    CHECK_STR(run(RANGE, 3, "1", "9", "9"), "[1]");
    CHECK_STR(run(RANGE, 3, "-2", "2", "2"), "[-2,0,2]");
    CHECK_STR(run(RANGE, 3, "3", "3", "-1"), "[3]");
    CHECK_STR(run(RANGE, 3, "5", "1", "-2"), "[5,3,1]");
    CHECK_STR(run(RANGE, 3, "5", "1", "1"), "[]");
    CHECK_STR(run(RANGE, 3, "1", "5", "-1"), "[]");
    CHECK_STR(run(RANGE, 3, "1.4", "5.6", "2.2"), "[1,3,5]");
    CHECK_STR(run(RANGE, 3, "1.6", "1.4", "1"), "[1]");
    CHECK_STR(run(RANGE, 3, "5.4", "-0.6", "-2.4"), "[5,3,1]");
    {
        const char *r = run(RANGE, 3, "1", "1000", "1");
        CHECK(strncmp(r, "[1,2,3,", 7) == 0 && strstr(r, ",999,1000]") != NULL);
        r = run(RANGE, 3, "1000", "1", "-1");
        CHECK(strncmp(r, "[1000,999,", 10) == 0 && strstr(r, ",2,1]") != NULL);
    }
    CHECK_STR(run(RANGE, 3, "1", "1001", "1"), invalid_msg(RANGE));
    CHECK_STR(run(RANGE, 3, "1001", "1", "-1"), invalid_msg(RANGE));
    CHECK_STR(run(RANGE, 3, "1", "10", "0"), invalid_msg(RANGE));
    CHECK_STR(run(RANGE, 3, "1", "10", "0.49"), invalid_msg(RANGE));
    CHECK_STR(run(RANGE, 3, "\"a\"", "5", "1"), invalid_msg(RANGE));
    CHECK_STR(run(RANGE, 3, "1", "null", "1"), invalid_msg(RANGE));
    CHECK_STR(run(RANGE, 3, "0", "3000000000", "1"), invalid_msg(RANGE));

    CHECK_STR(run(GET, 2, "[1,2,3,4,5,6,7,8,9]", "5"), "6");
    CHECK_STR(run(GET, 2, "[\"a\",\"b\",\"c\"]", "0"), "\"a\"");
    CHECK_STR(run(GET, 2, "[null]", "0"), "null");
    CHECK_STR(run(GET, 2, "[{\"a\":1},{\"b\":2}]", "1"), "{\"b\":2}");
    CHECK_STR(run(GET, 2, "[10,20,30]", "1.2"), "20");
    CHECK_STR(run(GET, 2, "[]", "999"), "null");
    CHECK_STR(run(GET, 2, "[10,20,30]", "3"), invalid_msg(GET));
    CHECK_STR(run(GET, 2, "[10,20,30]", "-1"), invalid_msg(GET));
    CHECK_STR(run(GET, 2, "[10,20,30]", "\"1\""), invalid_msg(GET));
    CHECK_STR(run(GET, 2, "\"not-array\"", "0"), invalid_msg(GET));
    CHECK_STR(run_text("States.ArrayGetItem(States.Array('x', 'y', 'z'), 1)"), "\"y\"");

    CHECK_STR(run(LEN, 1, "[1,2,3,4,5,6,7,8,9]"), "9");
    CHECK_STR(run(LEN, 1, "[]"), "0");
    CHECK_STR(run(LEN, 1, "[[1],[2],[3]]"), "3");
    CHECK_STR(run(LEN, 1, "[null,null,true,true,false,false,1,1,1.1,0,-0,\"HelloWorld\","
                          "\"HelloWorld\",[],[],[null],[null],{\"a\":1,\"b\":2},{\"a\":1,\"b\":2},"
                          "{\"a\":1,\"b\":1}]"),
              "20");
    CHECK_STR(run(LEN, 1, "\"not-array\""), invalid_msg(LEN));
    CHECK_STR(run(LEN, 1, "{\"k\":1}"), invalid_msg(LEN));

    CHECK_STR(run(UNIQ, 1, "[1,2,3,3,3,3,3,3,4]"), "[1,2,3,4]");
    CHECK_STR(run(UNIQ, 1, "[]"), "[]");
    CHECK_STR(run(UNIQ, 1, "[null,null,true,true,false,false,1,1,1.1,0,-0,\"HelloWorld\","
                           "\"HelloWorld\",[],[],[null],[null],{\"a\":1,\"b\":2},{\"a\":1,\"b\":2},"
                           "{\"a\":1,\"b\":1}]"),
              "[null,true,false,1,1.1,0,\"HelloWorld\",[],[null],{\"a\":1,\"b\":2},{\"a\":1,\"b\":1}]");
    /* Large enough for the hashed path; objects equal whatever their key order. */
    {
        asl_buf b;
        asl_buf_init(&b);
        asl_buf_puts(&b, "[");
        for (int i = 0; i < 100; i++) {
            char t[96];
            snprintf(t, sizeof t, "%s%d,\"s%d\",{\"a\":%d,\"b\":[%d]},{\"b\":[%d],\"a\":%d}",
                     i ? "," : "", i % 7, i % 5, i % 3, i % 3, i % 3, i % 3);
            asl_buf_puts(&b, t);
        }
        asl_buf_puts(&b, "]");
        asl_buf_putc(&b, 0);
        CHECK_STR(run(UNIQ, 1, b.data),
                  "[0,\"s0\",{\"a\":0,\"b\":[0]},1,\"s1\",{\"a\":1,\"b\":[1]},2,\"s2\",{\"a\":2,\"b\":[2]},"
                  "3,\"s3\",4,\"s4\",5,6]");
        asl_buf_free(&b);
    }
    CHECK_STR(run(UNIQ, 1, "{}"), invalid_msg(UNIQ));
}

static void test_encoding(void)
{
    enum { ENC = ASL_FN_BASE64_ENCODE, DEC = ASL_FN_BASE64_DECODE, H = ASL_FN_HASH };
    CHECK_STR(run(ENC, 1, "\"Data to encode\""), "\"RGF0YSB0byBlbmNvZGU=\"");
    CHECK_STR(run(ENC, 1, "\"\""), "\"\"");
    CHECK_STR(run(ENC, 1, "\"hello\""), "\"aGVsbG8=\"");
    CHECK_STR(run(ENC, 1, "\"✓\""), "\"4pyT\"");
    CHECK_STR(run(ENC, 1, "\"こんにちは\""), "\"44GT44KT44Gr44Gh44Gv\"");
    CHECK_STR(run(ENC, 1, "\"line1\\nline2\""), "\"bGluZTEKbGluZTI=\"");
    CHECK_STR(run(ENC, 1, "\"abc\\u0000def\""), "\"YWJjAGRlZg==\"");
    CHECK_STR(run(ENC, 1, "\"🚀\""), "\"8J+agA==\"");
    CHECK_STR(run(ENC, 1, "123"), invalid_msg(ENC));
    CHECK_STR(run(ENC, 1, "{}"), invalid_msg(ENC));

    CHECK_STR(run(DEC, 1, "\"RGF0YSB0byBlbmNvZGU=\""), "\"Data to encode\"");
    CHECK_STR(run(DEC, 1, "\"\""), "\"\"");
    CHECK_STR(run(DEC, 1, "\"4pyT\""), "\"✓\"");
    CHECK_STR(run(DEC, 1, "\"44GT44KT44Gr44Gh44Gv\""), "\"こんにちは\"");
    CHECK_STR(run(DEC, 1, "\"YWJjZA==\""), "\"abcd\"");
    CHECK_STR(run(DEC, 1, "\"IA==\""), "\" \"");
    CHECK_STR(run(DEC, 1, "\"YWJjAGRlZg==\""), "\"abc\\u0000def\"");
    /* AWS decodes leniently: unknown characters skipped, '=' ends the data. */
    CHECK_STR(run(DEC, 1, "\" YWJjZA== \""), "\"abcd\"");
    CHECK_STR(run(DEC, 1, "\"YWJj\\nZA==\""), "\"abcd\"");
    CHECK_STR(run(DEC, 1, "\"YWJjZA\""), "\"abcd\"");
    CHECK_STR(run(DEC, 1, "\"aGVsbG8=garbage\""), "\"hello\"");
    CHECK_STR(run(DEC, 1, "\"YQ\""), "\"a\"");
    CHECK_STR(run(DEC, 1, "\"Y\""), "\"\"");
    CHECK_STR(run(DEC, 1, "\"-_8=\""), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");   /* fb ff: both invalid */
    /* Bytes that are not UTF-8 become U+FFFD. */
    CHECK_STR(run(DEC, 1, "\"/w==\""), "\"\xEF\xBF\xBD\"");
    CHECK_STR(run(DEC, 1, "\"YcOp\""), "\"aé\"");
    CHECK_STR(run(DEC, 1, "\"YcM=\""), "\"a\xEF\xBF\xBD\"");
    CHECK_STR(run(DEC, 1, "123"), invalid_msg(DEC));
    CHECK_STR(run_text("States.Base64Decode(States.Base64Encode('hello'))"), "\"hello\"");

    /* The 10,000-character limits. */
    {
        asl_buf b;
        asl_buf_init(&b);
        asl_buf_putc(&b, '"');
        for (int i = 0; i < 10000; i++) asl_buf_putc(&b, 'a');
        asl_buf_putc(&b, '"');
        asl_buf_putc(&b, 0);
        CHECK(strncmp(run(ENC, 1, b.data), "\"YWFh", 5) == 0);
        CHECK(strlen(run(H, 2, b.data, "\"SHA-256\"")) == 66);
        CHECK(strncmp(run(DEC, 1, b.data), "\"i", 2) == 0);
        b.len -= 2;
        asl_buf_put(&b, "a\"", 3);
        CHECK_STR(run(ENC, 1, b.data), invalid_msg(ENC));
        CHECK_STR(run(DEC, 1, b.data), invalid_msg(DEC));
        CHECK_STR(run(H, 2, b.data, "\"SHA-256\""), invalid_msg(H));
        asl_buf_free(&b);
    }

    CHECK_STR(run(H, 2, "\"input data\"", "\"MD5\""), "\"812f45842bc6d66ee14572ce20db8e86\"");
    CHECK_STR(run(H, 2, "\"input data\"", "\"SHA-1\""),
              "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"");
    CHECK_STR(run(H, 2, "\"input data\"", "\"SHA-256\""),
              "\"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3\"");
    CHECK_STR(run(H, 2, "\"input data\"", "\"SHA-384\""),
              "\"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562\"");
    CHECK_STR(run(H, 2, "\"input data\"", "\"SHA-512\""),
              "\"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4\"");
    CHECK_STR(run(H, 2, "\"\"", "\"SHA-256\""),
              "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"");
    CHECK_STR(run(H, 2, "\"abc\\u0000def\"", "\"MD5\""), "\"a5e4d5963ae44c1f4bfb37b1a3d55a3c\"");
    CHECK_STR(run(H, 2, "\"🚀\"", "\"SHA-256\""),
              "\"ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5\"");
    CHECK_STR(run(H, 2, "123", "\"MD5\""), "\"202cb962ac59075b964b07152d234b70\"");   /* "123" */
    CHECK_STR(run(H, 2, "\"data\"", "\"sha-256\""), invalid_msg(H));
    CHECK_STR(run(H, 2, "\"data\"", "\"SHA256\""), invalid_msg(H));
    CHECK_STR(run(H, 2, "\"data\"", "\"\""), invalid_msg(H));
    CHECK_STR(run(H, 2, "\"data\"", "\"MD5\\u0000\""), invalid_msg(H));
    CHECK_STR(run(H, 2, "\"hello\"", "123"), invalid_msg(H));
    CHECK_STR(run_text("States.Hash(States.Format('{}:{}', 'x', 'y'), 'SHA-256')"),
              "\"1274e286686b54fe765ec40735665b4bf789cee2a5b22124c5e0491a88e15271\"");
}

static void test_math(void)
{
    enum { ADD = ASL_FN_MATH_ADD, RND = ASL_FN_MATH_RANDOM };
    CHECK_STR(run(ADD, 2, "111", "-1"), "110");
    CHECK_STR(run(ADD, 2, "-9", "3"), "-6");
    /* Operands are rounded as Java's Math.round does (the recorded cases). */
    static const char *const rounding[][3] = {
        {"-1.5", "0", "-1"},  {"-1.51", "0", "-2"}, {"0.5", "0", "1"},    {"1.5", "0", "2"},
        {"2.5", "0", "3"},    {"3.5", "0", "4"},    {"-0.5", "0.5", "1"}, {"-0.5", "0", "0"},
        {"-2.5", "0", "-2"},  {"-3.5", "0", "-3"},  {"-1.49", "-1.5", "-2"}, {"-1.5", "-1.51", "-3"},
        {"1.49", "0", "1"},   {"1.49", "-1.49", "0"}, {"1.51", "0", "2"}, {"-1.49", "0", "-1"},
        {"1.6", "2.7", "5"},  {"0.1", "0.2", "0"},  {"0.49999999999999994", "0", "0"},
    };
    for (size_t i = 0; i < sizeof rounding / sizeof rounding[0]; i++)
        CHECK_STR(run(ADD, 2, rounding[i][0], rounding[i][1]), rounding[i][2]);
    CHECK_STR(run(ADD, 2, "2147483647", "0"), "2147483647");
    CHECK_STR(run(ADD, 2, "-2147483648", "0"), "-2147483648");
    CHECK_STR(run(ADD, 2, "2147483646", "1"), "2147483647");
    CHECK_STR(run(ADD, 2, "2147483647", "1"), invalid_msg(ADD));
    CHECK_STR(run(ADD, 2, "-2147483648", "-1"), invalid_msg(ADD));
    CHECK_STR(run(ADD, 2, "3000000000", "1"), invalid_msg(ADD));
    CHECK_STR(run(ADD, 2, "\"1\"", "2"), invalid_msg(ADD));
    CHECK_STR(run(ADD, 2, "null", "1"), invalid_msg(ADD));
    CHECK_STR(run(ADD, 2, "true", "1"), invalid_msg(ADD));
    CHECK_STR(run(ADD, 2, "-1", "[1]"), invalid_msg(ADD));
    CHECK_STR(run_text("States.MathAdd(States.MathAdd(5, 1), 2)"), "8");

    /* The back ends write a MathAdd's and an ArrayLength's payload bound in
     * as that of asl_number_int's integers, 17 (aslc_member_bound): their
     * results are such integers whatever the operands, the rounded ones and
     * the edges included. */
    static const char *const sums[][2] = {
        {"1", "2"}, {"-1.5", "0"}, {"1.6", "2.7"}, {"2147483646", "1"}, {"-2147483648", "0"},
        {"1.0", "2"}, {"1e2", "-0"}, {"-0", "-0"},
    };
    for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++) {
        asl_value *argv[2] = {J(sums[i][0]), J(sums[i][1])};
        asl_value *r = asl_intrinsic(&X, ADD, 2, argv);
        CHECK(r && r->type == ASL_NUMBER && asl_num_int(r) && !r->u.n.text && asl_json_bound(r) == 17);
        r = asl_math_add2(&X, argv[0], argv[1]);
        CHECK(r && r->type == ASL_NUMBER && asl_num_int(r) && !r->u.n.text && asl_json_bound(r) == 17);
    }
    static const char *const arrays[] = {"[]", "[1, 2, 3]", "[[1], {\"a\": 2}, \"x\"]"};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        asl_value *argv[1] = {J(arrays[i])};
        asl_value *r = asl_intrinsic(&X, ASL_FN_ARRAY_LENGTH, 1, argv);
        CHECK(r && r->type == ASL_NUMBER && asl_num_int(r) && !r->u.n.text && asl_json_bound(r) == 17);
    }

    /* Unseeded draws: integers in [start, end), and both ends are reached. */
    {
        bool lo = false, hi = false, ok = true;
        for (int i = 0; i < 400; i++) {
            const char *r = run(RND, 2, "1", "5");
            int v = atoi(r);
            ok &= v >= 1 && v < 5 && strchr(r, '.') == NULL;
            lo |= v == 1;
            hi |= v == 4;
        }
        CHECK(ok && lo && hi);
        ok = true;
        for (int i = 0; i < 100; i++) {
            int v = atoi(run(RND, 2, "1.6", "5.4"));   /* truncated: [1, 5) */
            ok &= v >= 1 && v < 5;
        }
        CHECK(ok);
        long long big = atoll(run(RND, 2, "-1000000", "1000000"));
        CHECK(big >= -1000000 && big < 1000000);
        CHECK_STR(run(RND, 2, "7", "8"), "7");
    }
    /* Seeded draws repeat, and follow java.util.Random. */
    CHECK_STR(run(RND, 3, "1", "100", "42"), run(RND, 3, "1", "100", "42"));
    CHECK_STR(run(RND, 3, "0", "10", "42"), "0");          /* new Random(42).nextInt(10) == 0 */
    CHECK_STR(run(RND, 3, "0", "100", "42"), "30");        /* new Random(42).nextInt(100) == 30 */
    CHECK_STR(run(RND, 3, "0", "16", "42"), "11");         /* power of two: (16 * next(31)) >> 31 */
    CHECK_STR(run(RND, 3, "0", "1000", "-10"), run(RND, 3, "0", "1000", "-10.7"));
    {
        long long v = atoll(run(RND, 3, "2147483640", "2147483647", "1"));
        CHECK(v >= 2147483640LL && v < 2147483647LL);
        v = atoll(run(RND, 3, "-2147483648", "2147483647", "5"));
        CHECK(v >= -2147483648LL && v < 2147483647LL);
    }
    CHECK_STR(run(RND, 2, "1", "1"), invalid_msg(RND));
    CHECK_STR(run(RND, 2, "10", "5"), invalid_msg(RND));
    CHECK_STR(run(RND, 2, "1.4", "1.6"), invalid_msg(RND));
    CHECK_STR(run(RND, 2, "\"a\"", "10"), invalid_msg(RND));
    CHECK_STR(run(RND, 3, "1", "10", "null"), invalid_msg(RND));
    CHECK_STR(run(RND, 3, "1", "10", "\"seed\""), invalid_msg(RND));
}

static void test_strings_and_uuid(void)
{
    enum { SPLIT = ASL_FN_STRING_SPLIT };
    CHECK_STR(run(SPLIT, 2, "\"1,2,3,4,5\"", "\",\""), "[\"1\",\"2\",\"3\",\"4\",\"5\"]");
    CHECK_STR(run(SPLIT, 2, "\"This.is+a,test=string\"", "\".+,=\""),
              "[\"This\",\"is\",\"a\",\"test\",\"string\"]");
    CHECK_STR(run(SPLIT, 2, "\" \"", "\",\""), "[\" \"]");
    CHECK_STR(run(SPLIT, 2, "\" , \"", "\",\""), "[\" \",\" \"]");
    CHECK_STR(run(SPLIT, 2, "\", , ,\"", "\",\""), "[\" \",\" \"]");
    CHECK_STR(run(SPLIT, 2, "\",,,,\"", "\",\""), "[]");
    CHECK_STR(run(SPLIT, 2, "\"\"", "\",\""), "[]");
    CHECK_STR(run(SPLIT, 2, "\"Hello\\nWorld\"", "\"\\n\""), "[\"Hello\",\"World\"]");
    CHECK_STR(run(SPLIT, 2, "\"Value1,Value2,Value3\\nValue4,Value5,Value6\\n,,,\\ntrue,1,'HelloWorld'\\n"
                            "Null,None,\\n   \\n\"",
                  "\",\""),
              "[\"Value1\",\"Value2\",\"Value3\\nValue4\",\"Value5\",\"Value6\\n\",\"\\ntrue\",\"1\","
              "\"'HelloWorld'\\nNull\",\"None\",\"\\n   \\n\"]");
    CHECK_STR(run(SPLIT, 2, "\"abc\"", "\"\""), "[\"abc\"]");
    /* Delimiters are characters, not bytes. */
    CHECK_STR(run(SPLIT, 2, "\"aébéc✓d\"", "\"é✓\""), "[\"a\",\"b\",\"c\",\"d\"]");
    CHECK_STR(run(SPLIT, 2, "\"aèb\"", "\"é\""), "[\"aèb\"]");
    CHECK_STR(run(SPLIT, 2, "\"a🚀b,c\"", "\"🚀,\""), "[\"a\",\"b\",\"c\"]");
    CHECK_STR(run(SPLIT, 2, "1", "\",\""), invalid_msg(SPLIT));
    CHECK_STR(run(SPLIT, 2, "\"a,b\"", "null"), invalid_msg(SPLIT));
    CHECK_STR(run_text("States.ArrayGetItem(States.StringSplit('a-b-c', '-'), "
                       "States.MathAdd(States.ArrayLength(States.StringSplit('a-b-c', '-')), -1))"),
              "\"c\"");

    const char *u = run(ASL_FN_UUID, 0);
    CHECK(strlen(u) == 38);
    bool shape = strlen(u) == 38 && u[0] == '"' && u[37] == '"';
    for (int i = 1; shape && i < 37; i++) {
        char c = u[i];
        if (i == 9 || i == 14 || i == 19 || i == 24) shape = c == '-';
        else shape = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
    CHECK(shape);
    CHECK(u[15] == '4');                                    /* version */
    CHECK(strchr("89ab", u[20]) != NULL);                   /* variant */
    CHECK(strcmp(u, run(ASL_FN_UUID, 0)) != 0);
    char raw[37];
    CHECK(asl_uuid4(raw) && strlen(raw) == 36);
}

static void test_dispatch(void)
{
    /* Guards for hand-written callers: a bad function id, arity or NULL argument. */
    asl_error_clear(&X);
    CHECK(asl_intrinsic(&X, ASL_FN__COUNT, 0, NULL) == NULL);
    CHECK(asl_error_name(&X) && strcmp(asl_error_name(&X), "States.Runtime") == 0);
    CHECK_STR(run(ASL_FN_ARRAY_LENGTH, 2, "[]", "[]"), invalid_msg(ASL_FN_ARRAY_LENGTH));
    CHECK_STR(run(ASL_FN_UUID, 1, "1"), invalid_msg(ASL_FN_UUID));
    asl_value *argv[1] = {NULL};
    asl_error_clear(&X);
    CHECK(asl_intrinsic(&X, ASL_FN_ARRAY_LENGTH, 1, argv) == NULL);

    /* Inside a state, the cause carries AWS's state prefix. */
    static const asl_state_info st = {"Add", "Pass", "/States/Add", false};
    X.state = &st;
    X.entered_event = 2;
    CHECK_STR(run(ASL_FN_MATH_ADD, 2, "1", "\"NOT A NUMBER\""),
              "ERROR States.Runtime: An error occurred while executing the state 'Add' (entered at "
              "the event id #2). Invalid arguments in States.MathAdd");
    X.state = NULL;
}

/* asl_leave: States.DataLimitExceeded past 256 KiB of JSON text, measured as
 * json.c would print the output, shared subtrees counted each time. */
static const char *leave(asl_value *v)
{
    asl_error_clear(&X);
    if (asl_leave(&X, v)) return "ok";
    return asl_error_name(&X) ? asl_error_name(&X) : "?";
}

static asl_value *str_of(size_t n, char c)
{
    char *s = asl_alloc(A, n + 1);
    memset(s, c, n);
    s[n] = 0;
    return asl_string_static(A, s, n);
}

static void test_payload_limit(void)
{
    enum { LIMIT = 256 * 1024 };
    CHECK_STR(leave(str_of(LIMIT - 2, 'x')), "ok");            /* "xx...x": exactly the limit */
    CHECK_STR(leave(str_of(LIMIT - 1, 'x')), "States.DataLimitExceeded");
    CHECK_STR(leave(str_of(LIMIT / 6, '\n')), "ok");          /* \n: two bytes each */
    CHECK_STR(leave(str_of(LIMIT / 2, '\n')), "States.DataLimitExceeded");
    CHECK_STR(leave(str_of(LIMIT / 6, '\x01')), "ok");        /* \u0001: six */
    CHECK_STR(leave(str_of(LIMIT / 6 + 1, '\x01')), "States.DataLimitExceeded");

    /* One value twice: {"a":S,"b":S} prints as 11 + 2 * (len(S) + 2). */
    asl_value *s = str_of(LIMIT / 2 - 8, 'y');                 /* prints as LIMIT/2 - 6 */
    asl_value *o = asl_object(A, 2);
    asl_object_append_lit(A, o, "a", 1, s);
    asl_object_append_lit(A, o, "b", 1, s);
    CHECK_STR(leave(o), "ok");                                 /* LIMIT - 1 */
    asl_value *o2 = asl_object(A, 2);
    asl_object_append_lit(A, o2, "a", 1, str_of(LIMIT / 2 - 4, 'y'));
    asl_object_append_lit(A, o2, "b", 1, str_of(LIMIT / 2 - 4, 'y'));
    CHECK_STR(leave(o2), "States.DataLimitExceeded");          /* LIMIT + 7 */

    /* The builders' bound is exact here (plain strings, literal keys). */
    CHECK(asl_json_bound(o) == LIMIT - 1);
    size_t n = 0;
    asl_json_string(A, o, &n);
    CHECK(n == LIMIT - 1);
    /* ... and a state passing it on twice is over. */
    asl_value *twice = asl_array(A, 2);
    asl_array_push(A, twice, o);
    asl_array_push(A, twice, o);
    CHECK(asl_json_bound(twice) == 2 * (LIMIT - 1) + 3);
    CHECK_STR(leave(twice), "States.DataLimitExceeded");

    /* Escaped strings are bounded at six bytes a byte: over the limit by the
     * bound, under it in fact, so the walk decides. */
    asl_value *esc = asl_string(A, "\"\"", 2);
    asl_value *many = asl_array(A, 0);
    for (int i = 0; i < 20000; i++) asl_array_push(A, many, esc);
    CHECK(asl_json_bound(many) > LIMIT);
    CHECK_STR(leave(many), "ok");                              /* 20000 * 7 + 1 */
    for (int i = 0; i < 20000; i++) asl_array_push(A, many, esc);
    CHECK_STR(leave(many), "States.DataLimitExceeded");        /* 40000 * 7 + 1 */

    /* A parsed container: the lesser of its source text (80,001 bytes here)
     * and its members' bounds ("aA" needs no escape once decoded). */
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, "[");
    for (int i = 0; i < 4000; i++) {
        if (i) asl_buf_puts(&b, ",");
        asl_buf_puts(&b, "          \"a\\u0041\"");
    }
    asl_buf_puts(&b, "]");
    asl_json_error err;
    asl_value *padded = asl_json_parse(A, b.data, b.len, &err);
    CHECK(padded && asl_json_bound(padded) == 4000 * 4 + 3999 + 2);
    asl_json_string(A, padded, &n);
    CHECK(n == 4000 * 4 + 3999 + 2);
    CHECK_STR(leave(padded), "ok");
    asl_buf_free(&b);

    /* Scalars that cannot be big are not measured; null/true/false pass. */
    CHECK_STR(leave(asl_null()), "ok");
    CHECK_STR(leave(asl_number(A, 1e300)), "ok");
}

int main(void)
{
    A = asl_arena_new();
    X.arena = A;

    test_parser_literals();
    test_parser_counted();
    test_parser_paths_and_nesting();
    test_parser_errors();
    test_parser_misc();
    test_format();
    test_json();
    test_arrays();
    test_encoding();
    test_math();
    test_strings_and_uuid();
    test_dispatch();
    test_payload_limit();

    asl_arena_free(A);
    return check_summary();
}
