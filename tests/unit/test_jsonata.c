/*
 * test_jsonata.c — the JSONata parser and the runtime's value model and
 * operators: sequences and singletons, JavaScript number printing, the
 * operators' type errors, signatures, syntax error codes and positions;
 * the frames compiled code looks variables up in and the error text.
 */
#include "check.h"
#include "jsonata_ast.h"

#include <math.h>

/* Evaluates expr on the JSON text input: the result as JSON, or "error CODE". */
static const char *run(asl_arena *a, const char *expr, const char *input)
{
    aslc_jn_parse_error perr;
    aslc_jn_node *e = aslc_jn_parse(a, expr, strlen(expr), &perr);
    if (!e) return asl_sprintf(a, "error %s@%u", perr.code, perr.pos);
    asl_json_error jerr;
    asl_value *in = input ? asl_json_parse(a, input, strlen(input), &jerr) : NULL;
    asl_jn_ctx c;
    asl_jn_ctx_init(&c, a);
    asl_value *r = aslc_jn_eval(&c, e, in, NULL);
    if (c.code) return asl_sprintf(a, "error %s", c.code);
    r = asl_jn_to_json(a, r);
    return r ? asl_json_string(a, r, NULL) : "undefined";
}

#define EXPECT(expr, input, want) check_str(run(a, expr, input), want, __FILE__, __LINE__, expr)

/* A root frame's resolver (the workflow's variables): knows "wf" and "states". */
static asl_value *resolve(void *ud, const char *name, size_t n, bool *found)
{
    asl_value *vars = ud;
    asl_value *v = asl_object_get(vars, name, n);
    *found = v != NULL;
    return v;
}

/* The frames of compiled code (jsonata_exec.c) and the error text. */
static void test_env_and_errors(asl_arena *a)
{
    asl_jn_ctx c;
    asl_jn_ctx_init(&c, a);
    asl_json_error je;
    const char *text = "{\"wf\": 1, \"states\": {\"input\": {\"a\": 2}}, \"string\": 3}";
    asl_value *vars = asl_json_parse(a, text, strlen(text), &je);
    asl_jn_env *root = asl_jn_env_new(a, NULL);
    asl_jn_env_resolver(root, resolve, vars);
    asl_jn_env *inner = asl_jn_env_new(a, root);
    asl_jn_env_bind(a, inner, "wf", asl_number(a, 7));
    asl_jn_env_bind(a, root, "x", asl_number(a, 5));
    CHECK(asl_jn_var(&c, inner, "wf", 2)->u.n.num == 7);        /* a frame before the resolver */
    CHECK(asl_jn_var(&c, root, "wf", 2)->u.n.num == 1);         /* the resolver */
    CHECK(asl_jn_var(&c, inner, "x", 1)->u.n.num == 5);         /* the root's own bindings first */
    CHECK(asl_jn_var(&c, inner, "string", 6)->type == ASL_NUMBER); /* the resolver before the built-ins */
    CHECK(asl_jn_is_fn(asl_jn_var(&c, inner, "sum", 3)));       /* then the built-ins */
    CHECK(asl_jn_var(&c, inner, "nope", 4) == NULL);
    asl_value *st = asl_jn_var(&c, inner, "states", 6);
    CHECK(asl_jn_get(&c, asl_jn_get(&c, st, "input", 5, false), "a", 1, true)->u.n.num == 2);

    asl_jn_error(&c, "T1006", NULL);
    CHECK_STR(asl_jn_error_text(&c), "T1006: Attempted to invoke a non-function");
    asl_jn_ctx_init(&c, a);
    asl_jn_binop(&c, JN_OP_ADD, asl_number(a, 1), asl_string(a, "a", 1), 2);
    CHECK_STR(asl_jn_error_text(&c), "T2002: The right side of the \"+\" operator must evaluate to a number");
    CHECK(c.pos == 2);
    asl_jn_ctx_init(&c, a);
    asl_jn_binop(&c, JN_OP_LT, asl_number(a, 1), asl_string(a, "a", 1), 0);
    CHECK_STR(asl_jn_error_text(&c),
              "T2009: The values 1 and \"a\" either side of operator \"<\" must be of the same data type");
    asl_jn_ctx_init(&c, a);
    asl_jn_call(&c, inner, NULL, NULL, 0, "sum", "sum", 0);
    CHECK_STR(asl_jn_error_text(&c), "T1005: Attempted to invoke a non-function. Did you mean $sum?");
}

int main(void)
{
    asl_arena *a = asl_arena_new();
    char num[32];
    asl_jn_num_js(num, 1e21);
    CHECK_STR(num, "1e+21");
    asl_jn_num_js(num, 123456789012345680000.0);
    CHECK_STR(num, "123456789012345680000");
    asl_jn_num_js(num, 0.000001);
    CHECK_STR(num, "0.000001");
    asl_jn_num_js(num, 1e-7);
    CHECK_STR(num, "1e-7");
    asl_jn_num_js(num, -1.5);
    CHECK_STR(num, "-1.5");

    /* sequences: singletons collapse, [] keeps them, arrays flatten in paths */
    EXPECT("a.b", "{\"a\":[{\"b\":1},{\"b\":[2,3]}]}", "[1,2,3]");
    EXPECT("a[0].b", "{\"a\":[{\"b\":1},{\"b\":2}]}", "1");
    EXPECT("a.b[]", "{\"a\":{\"b\":1}}", "[1]");
    EXPECT("a[-1]", "{\"a\":[1,2,3]}", "3");
    EXPECT("nothing", "{\"a\":1}", "undefined");
    /* operators and their type errors */
    EXPECT("1 + \"a\"", NULL, "error T2002");
    EXPECT("\"a\" + 1", NULL, "error T2001");
    EXPECT("1 < \"a\"", NULL, "error T2009");
    EXPECT("{} < 1", NULL, "error T2010");
    EXPECT("[1..3]", NULL, "[1,2,3]");
    EXPECT("[1..1e8]", NULL, "error D2014");
    EXPECT("1 / 0 + 1", NULL, "error D1001");   /* Infinity is a value until an operator takes it */
    EXPECT("$string(1 / 0)", NULL, "error D3001");
    EXPECT("-(1 / 0)", NULL, "error D1001");
    EXPECT("\"x\" & 1.5 & true", NULL, "\"x1.5true\"");
    EXPECT("$string(0.1 + 0.2)", NULL, "\"0.3\"");
    EXPECT("{\"a\":[1,{\"b\":2}]} = {\"a\":[1,{\"b\":2}]}", NULL, "true");
    EXPECT("3 in [1,2,3]", NULL, "true");
    /* paths with bindings and parents */
    EXPECT("a.b@$x.c#$i.{'v': $x.v, 'i': $i}", "{\"a\":{\"b\":{\"v\":1},\"c\":[5,6]}}", "[{\"v\":1,\"i\":0},{\"v\":1,\"i\":1}]");
    EXPECT("a.b.%.k", "{\"a\":{\"k\":7,\"b\":1}}", "7");
    /* found against jsonata-js: a predicate on a first step that is not a name filters the
     * step's value, not its tuples again; a predicate on nothing still runs (and fails) */
    EXPECT("*[1].%", "{\"a\":[1,{\"b\":2}],\"b\":\"x\"}", "{\"a\":[1,{\"b\":2}],\"b\":\"x\"}");
    EXPECT("nothing[1 < null]", "{}", "error T2010");
    EXPECT("[true].x[{'k': 1}[]].($keys(1, 2))", NULL, "error T0410");   /* the kept undefined item reaches the next step */
    EXPECT("[1, 2].x[true]", NULL, "undefined");                  /* and never leaves the path */
    EXPECT("a[0].[1]", "{}", "undefined");                         /* an index keeps no undefined item */
    /* a predicate on nothing runs once on an undefined input, whose `$[]` is a sequence with an
     * undefined item: an array constructor flattening it skips it (found by fuzz_jsonata: a NULL pushed) */
    EXPECT("nothing[[$[]].$]", "{}", "undefined");
    EXPECT("nothing[[$[]]]", "{}", "undefined");
    /* a first array-constructor step that a predicate made a single value (jsonata-js 2.0.6 and 2.2) */
    EXPECT("[{'a': 1}][0].a", NULL, "undefined");
    EXPECT("['ab'][0].$", NULL, "[\"a\",\"b\"]");
    EXPECT("[''][0].x", NULL, "\"\"");
    /* grouping an empty tuple stream (found by fuzz_jsonata; jsonata-js throws a TypeError) */
    EXPECT("x@$o.y{'k': 'v'}", "{\"x\":{}}", "{\"k\":\"v\"}");
    /* functions: closures, partial application, signatures, tail calls */
    EXPECT("($f := function($n){$n <= 1 ? 1 : $n * $f($n - 1)}; $f(5))", NULL, "120");
    EXPECT("($add := function($x, $y){$x + $y}; $inc := $add(?, 1); $inc(41))", NULL, "42");
    EXPECT("$sum([1, \"a\"])", NULL, "error T0412");
    EXPECT("$uppercase(1)", NULL, "error T0410");
    EXPECT("($loop := function($n, $acc){$n = 0 ? $acc : $loop($n - 1, $acc + 1)}; $loop(100000, 0))", NULL, "100000");
    EXPECT("$round(2.5) & $round(3.5) & $round(-2.5)", NULL, "\"24-2\"");
    EXPECT("$replace(\"abcabc\", /b(c)/, \"[$1]\")", NULL, "\"a[c]a[c]\"");
    EXPECT("$split(\"a1b22c\", /[0-9]+/)", NULL, "[\"a\",\"b\",\"c\"]");
    /* strings as JavaScript has them */
    EXPECT("$uppercase('\u00e9t\u00e9 \u03b1') & $lowercase('\u0416')", NULL, "\"\u00c9T\u00c9 \u0391\u0436\"");
    EXPECT("$uppercase('stra\u00dfe \ufb01') & $lowercase('\u039f\u0394\u039f\u03a3 \u03a3\u0391\u03a3')", NULL,
           "\"STRASSE FI\u03bf\u03b4\u03bf\u03c2 \u03c3\u03b1\u03c2\"");   /* special casing, final sigma */
    EXPECT("$formatBase(4e24, 26) & ' ' & $formatBase(-2.5, 11) & ' ' & $formatBase(-0.5, 34)", NULL,
           "\"3dilnkblg806000000 -2 0\"");   /* JavaScript's toString(radix) after the reference's round */
    EXPECT("$trim('  a \\n\\t b  ')", NULL, "\"a b\"");
    EXPECT("$base64encode('\u00e9') & ' ' & $base64decode('6Q==')", NULL, "\"6Q== \u00e9\"");
    EXPECT("$encodeUrl('a [b]?c=d')", NULL, "\"a%20%5Bb%5D?c=d\"");
    EXPECT("$decodeUrlComponent('%C3')", NULL, "error D3140");
    EXPECT("$length('\u00e9\U0001F600') & $substring('a\U0001F600b', 1, 1)", NULL, "\"2\U0001F600\"");
    EXPECT("$distinct([[1]])", NULL, "[[1]]");
    EXPECT("$keys({'a': 1})", NULL, "\"a\"");
    /* built-ins as the reference's JavaScript: slice indexes, arity of natives */
    EXPECT("$substring('hello', -1.5) & $substring('abcdef', -3, 2) & $substring('abc', 1.7, 1.2)", NULL, "\"odeb\"");
    EXPECT("$map([1, 2], $string)", NULL, "[\"1\",\"2\"]");
    EXPECT("$map([1, 2], function($v, $i, $a){ $count($a) + $i })", NULL, "[2,3]");
    EXPECT("$reduce([1, 2, 3], function($acc, $v, $i){ $acc + $v * $i })", NULL, "9");
    /* undefined where a signature lets it through (crashes found by differential testing) */
    EXPECT("$lookup({'undefined': 1}, nothing) & $substringAfter('xundefinedy', nothing) & $pad('a', nothing)", NULL, "\"1ya\"");
    EXPECT("$assert(nothing)", NULL, "error D3141");
    EXPECT("$substring('abc', nothing) & '|' & $substring('abc', nothing, 1)", NULL, "\"abc|\"");
    EXPECT("$power(2, nothing)", NULL, "error D3061");
    EXPECT("$string()", "[1,[2]]", "\"[1,[2]]\"");   /* the input, not its top-level wrapper */
    /* matchers: the reference's protocol (an empty match after the first is D1004) */
    EXPECT("$match('abc', /x*/)", NULL, "error D1004");
    EXPECT("$match('', /x*/)", NULL, "{\"match\":\"\",\"index\":0,\"groups\":[]}");
    EXPECT("$match('Firefly', /(f)(i)?/i)[1].groups", NULL, "[\"f\",null]");   /* a group that took no part */
    EXPECT("$split('a1b2c', /[0-9]/, 2)", NULL, "[\"a\",\"b\"]");
    EXPECT("$replace('abc', /b/, '$$-$0-$1')", NULL, "\"a$-b-c\"");
    EXPECT("$replace('a.b', '.', '$0')", NULL, "\"a$0b\"");
    EXPECT("$contains('abc', function($s){ undefined })", NULL, "false");
    EXPECT("$contains('abc', function($s){ {'start': 0, 'end': 1, 'match': 'a', 'groups': []} })", NULL, "true");
    EXPECT("$split('abc', $uppercase)", NULL, "error T1010");
    /* Step Functions' functions, as the AWS-recorded cases give them */
    EXPECT("$partition([0,1,2], 2)", NULL, "[[0,1],[2]]");
    EXPECT("$partition([0,1,2], 0)", NULL, "error T0410");
    EXPECT("$range(0, 10, 3)", NULL, "[0,3,6,9]");
    EXPECT("$range(1, 9, 9)", NULL, "1");
    EXPECT("$range(5, 1, -2)", NULL, "[5,3,1]");
    EXPECT("$parse('-0')", NULL, "0");
    EXPECT("$parse('{\"Arg1\":1,\"Arg2\":[]}')", NULL, "{\"Arg1\":1,\"Arg2\":[]}");
    EXPECT("$parse('{')", NULL, "error T0410");
    EXPECT("$hash('abc', 'SHA-256')", NULL, "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
    EXPECT("$hash('abc', 'SHA-3')", NULL, "error T0410");
    EXPECT("$random(42)", NULL, "0.7275636800328681");   /* java.util.Random(42).nextDouble() */
    EXPECT("$length($uuid()) & $substring($uuid(), 14, 1)", NULL, "\"364\"");
    EXPECT("$randomSeeded(1)", NULL, "error T1006");
    EXPECT("$eval('1')", NULL, "error T1006");
    /* an unclosed signature group (found by fuzz_jsonata: read past the end) */
    EXPECT("function($n)<n(>{1}", NULL, "\"\"");
    /* syntax errors carry the reference's codes and the character's offset */
    EXPECT("a +", NULL, "error S0207@3");
    EXPECT("\"abc", NULL, "error S0101@0");
    EXPECT("a ?: b", NULL, "error S0211@3");   /* 2.1 operators: not in 2.0.6, which AWS runs */
    EXPECT("a ?? b", NULL, "error S0211@3");
    EXPECT("[1,2", NULL, "error S0203@4");
    EXPECT("1.a", NULL, "error S0213@0");
    EXPECT("$f(", NULL, "error S0203@3");     /* the end is a terminal: the ')' expected is missing */
    EXPECT("** @", NULL, "error S0214@4");    /* and not a variable */
    EXPECT("`n`{}", "{}", "{}");              /* an empty grouping is a grouping */
    /* $eval: refused when compiling, unless the expression binds its own */
    uint32_t pos = 0;
    aslc_jn_parse_error perr;
    static const char *const evals[] = { "1 + $eval('2')", "($eval := function($s){$s}; $eval('2'))", "$parse('2')" };
    aslc_jn_node *trees[3];
    for (int i = 0; i < 3; i++) {
        trees[i] = aslc_jn_parse(a, evals[i], strlen(evals[i]), &perr);
        CHECK(trees[i] != NULL);
    }
    CHECK(trees[0] && aslc_jn_unsupported(trees[0], &pos) != NULL && pos == 4);
    CHECK(trees[1] && aslc_jn_unsupported(trees[1], &pos) == NULL);
    CHECK(trees[2] && aslc_jn_unsupported(trees[2], &pos) == NULL);
    /* an offset in the decoded text, back in the JSON source (escapes as written) */
    static const char raw[] = "a \\\"b\\\" \\u00e9 + x\" tail";   /* source: a \"b\" \u00e9 + x" */
    CHECK(aslc_jn_raw_offset(raw, strlen(raw), 0) == 0);
    CHECK(aslc_jn_raw_offset(raw, strlen(raw), 2) == 2);     /* the quote: its backslash */
    CHECK(aslc_jn_raw_offset(raw, strlen(raw), 6) == 8);     /* \u00e9 starts at 8, decoded 6-7 */
    CHECK(aslc_jn_raw_offset(raw, strlen(raw), 9) == 15);    /* the + */
    CHECK(aslc_jn_raw_offset(raw, strlen(raw), 99) == 18);   /* past the end: the closing quote */
    test_env_and_errors(a);
    asl_arena_free(a);
    return check_summary();
}
