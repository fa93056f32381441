/*
 * test_itemio.c — unit tests for the readers of a Distributed Map's
 * ItemReader (runtime/csv.c): CSV records (quoting, delimiters, embedded
 * line breaks, CRLF and lone CR, a byte order mark, empty lines), the row
 * objects (missing and extra fields, AWS's member order) and JSON Lines.
 */
#include "itemio.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

/* The records of text (n bytes) as one compact JSON text: [[f, ...], ...]. */
static char *records(asl_arena *a, const char *text, size_t n, char delim)
{
    asl_csv c;
    asl_csv_init(&c, text, n, delim);
    asl_value *all = asl_array(a, 4), *r;
    while ((r = asl_csv_next(&c, a))) asl_array_push(a, all, r);
    return asl_json_string(a, all, NULL);
}
#define RECS(text, delim) records(a, (text), sizeof(text) - 1, (delim))

static void test_csv_records(asl_arena *a)
{
    CHECK_STR(RECS("a,b\n1,2\n", ','), "[[\"a\",\"b\"],[\"1\",\"2\"]]");
    CHECK_STR(RECS("a,b\n1,2", ','), "[[\"a\",\"b\"],[\"1\",\"2\"]]");          /* no final newline */
    CHECK_STR(RECS("", ','), "[]");
    CHECK_STR(RECS("\n\n", ','), "[]");
    /* CRLF, lone CR, empty lines skipped, a line of blanks kept */
    CHECK_STR(RECS("a\r\nb\rc\n\r\n\n   \n", ','), "[[\"a\"],[\"b\"],[\"c\"],[\"   \"]]");
    /* empty fields, trailing delimiter */
    CHECK_STR(RECS(",,\nx,\n", ','), "[[\"\",\"\",\"\"],[\"x\",\"\"]]");
    /* quoting: delimiter, doubled quote, embedded LF and CRLF */
    CHECK_STR(RECS("\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"c\r\nd\"\n", ','),
              "[[\"a,b\",\"say \\\"hi\\\"\",\"l1\\nl2\",\"c\\r\\nd\"]]");
    /* an empty quoted field is a field; text after the closing quote is kept */
    CHECK_STR(RECS("\"\",\"ab\"cd,e\n", ','), "[[\"\",\"abcd\",\"e\"]]");
    /* a quote inside an unquoted field is data */
    CHECK_STR(RECS("x\"y,z\n", ','), "[[\"x\\\"y\",\"z\"]]");
    /* an unterminated quote runs to the end of the text */
    CHECK_STR(RECS("\"open,1\n2", ','), "[[\"open,1\\n2\"]]");
    /* byte order mark */
    CHECK_STR(RECS("\xEF\xBB\xBFh1,h2\n", ','), "[[\"h1\",\"h2\"]]");
    /* the other delimiters; a comma is data for them */
    CHECK_STR(RECS("a|b,c\n", '|'), "[[\"a\",\"b,c\"]]");
    CHECK_STR(RECS("a;b\n", ';'), "[[\"a\",\"b\"]]");
    CHECK_STR(RECS("a b  c\n", ' '), "[[\"a\",\"b\",\"\",\"c\"]]");
    CHECK_STR(RECS("a\tb\t\"c\td\"\n", '\t'), "[[\"a\",\"b\",\"c\\td\"]]");
    /* backslashes (AWS's documented rules): \\ is one, \" a quote, \, a comma that does not
     * split; before anything else the backslash disappears; inside quotes too */
    CHECK_STR(RECS("path,size\nC:\\\\Program Files\\\\MyApp.exe,6534512\n", ','),
              "[[\"path\",\"size\"],[\"C:\\\\Program Files\\\\MyApp.exe\",\"6534512\"]]");
    CHECK_STR(RECS("a\\,b,c\\\"d\\x\n", ','), "[[\"a,b\",\"c\\\"dx\"]]");
    CHECK_STR(RECS("\"q\\\"q\",\"\\\\\"\n", ','), "[[\"q\\\"q\",\"\\\\\"]]");
    CHECK_STR(RECS("end\\", ','), "[[\"end\"]]");
    /* AWS's documented example row */
    CHECK_STR(RECS("abc,123,\"This string contains commas, a double quotation marks (\"\"), and a newline (\n)\","
                   "{\"\"MyKey\"\":\"\"MyValue\"\"},\"[1,2,3]\"\n", ','),
              "[[\"abc\",\"123\",\"This string contains commas, a double quotation marks (\\\"), and a newline (\\n)\","
              "\"{\\\"MyKey\\\":\\\"MyValue\\\"}\",\"[1,2,3]\"]]");
    /* UTF-8 passes through */
    CHECK_STR(RECS("\xC3\xA9t\xC3\xA9,\xE2\x82\xAC\n", ','), "[[\"\xC3\xA9t\xC3\xA9\",\"\xE2\x82\xAC\"]]");
}

static char *row(asl_arena *a, const char *headers, const char *fields)
{
    return asl_json_string(a, asl_csv_row(a, check_json(a, headers), check_json(a, fields)), NULL);
}

static void test_csv_rows(asl_arena *a)
{
    /* missing fields are "", extra fields dropped */
    CHECK_STR(row(a, "[\"H1\",\"H2\",\"H3\"]", "[\"1\"]"), "{\"H1\":\"1\",\"H2\":\"\",\"H3\":\"\"}");
    CHECK_STR(row(a, "[\"H1\"]", "[\"1\",\"2\",\"3\"]"), "{\"H1\":\"1\"}");
    /* AWS's order (a java.util.HashMap's), as recorded: headers 0,True,{} come out 0,{},True;
     * H1,"" come out "",H1; Col1..Col3 in their order */
    CHECK_STR(row(a, "[\"0\",\"True\",\"{}\"]", "[\"a\",\"b\",\"c\"]"), "{\"0\":\"a\",\"{}\":\"c\",\"True\":\"b\"}");
    CHECK_STR(row(a, "[\"H1\",\"\"]", "[\"a\",\"b\"]"), "{\"\":\"b\",\"H1\":\"a\"}");
    CHECK_STR(row(a, "[\"Col1\",\"Col2\",\"Col3\"]", "[\"a\",\"b\",\"c\"]"),
              "{\"Col1\":\"a\",\"Col2\":\"b\",\"Col3\":\"c\"}");
    /* and as AWS's documentation shows its items: headers userId,movieId,rating,timestamp
     * give rating,movieId,userId,timestamp; an inventory's Bucket,Key,Size,LastModifiedDate
     * gives LastModifiedDate,Bucket,Size,Key */
    CHECK_STR(row(a, "[\"userId\",\"movieId\",\"rating\",\"timestamp\"]", "[\"1\",\"307\",\"3.5\",\"1256677221\"]"),
              "{\"rating\":\"3.5\",\"movieId\":\"307\",\"userId\":\"1\",\"timestamp\":\"1256677221\"}");
    CHECK_STR(row(a, "[\"Bucket\",\"Key\",\"Size\",\"LastModifiedDate\"]", "[\"b\",\"k\",\"1\",\"d\"]"),
              "{\"LastModifiedDate\":\"d\",\"Bucket\":\"b\",\"Size\":\"1\",\"Key\":\"k\"}");
    /* more headers than 12 grow the table: every member is still there once */
    asl_value *h = asl_array(a, 20), *f = asl_array(a, 20);
    for (int i = 0; i < 20; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        asl_array_push(a, h, asl_cstring(a, k));
        asl_array_push(a, f, asl_cstring(a, k));
    }
    asl_value *o = asl_csv_row(a, h, f);
    CHECK(o->len == 20);
    CHECK(asl_object_get(o, "k13", 3) && !strcmp(asl_object_get(o, "k13", 3)->u.str, "k13"));
}

static char *jsonl(asl_arena *a, const char *text, size_t n, uint32_t *line)
{
    asl_json_error e;
    asl_value *v = asl_jsonl_parse(a, text, n, line, &e);
    return v ? asl_json_string(a, v, NULL) : NULL;
}
#define JSONL(text, line) jsonl(a, (text), sizeof(text) - 1, (line))

static void test_jsonl(asl_arena *a)
{
    uint32_t line = 0;
    CHECK_STR(JSONL("{\"a\":1}\n[2]\n\"s\"\n3\nnull\n", &line), "[{\"a\":1},[2],\"s\",3,null]");
    CHECK_STR(JSONL("1\r\n\r\n  \n2", &line), "[1,2]");        /* CRLF, blank lines, no final LF */
    CHECK_STR(JSONL("\xEF\xBB\xBF{\"b\":true}\n", &line), "[{\"b\":true}]");
    CHECK_STR(JSONL("", &line), "[]");
    CHECK_STR(JSONL("{\"s\":\"a\\nb\"}\n", &line), "[{\"s\":\"a\\nb\"}]");  /* an escaped newline is data */
    CHECK(JSONL("1\n{bad\n3\n", &line) == NULL && line == 2);
    CHECK(JSONL("[1,\n2]\n", &line) == NULL && line == 1);    /* a value cannot span lines */
}

int main(void)
{
    asl_arena *a = asl_arena_new();
    test_csv_records(a);
    test_csv_rows(a);
    test_jsonl(a);
    asl_arena_free(a);
    return check_summary();
}
