/*
 * test_choice.c — unit tests of the Choice comparisons (runtime/choice.c):
 * every operator family on values of its own type and of every other type
 * (a mismatch is false, never an error), the ...Path twins, RFC 3339
 * timestamp parsing and instant comparison, StringMatches with its escapes,
 * and Java's UTF-16 string order.
 *
 * The type-mismatch rows mirror what AWS returned in the choice_operators
 * conformance cases.  Prints each failing check with file:line, then
 * "N passed, N failed"; exits non-zero on any failure.
 */
#include "path.h"
#include "rt.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static asl_arena *A;


static asl_value *J(const char *text) { return check_json(A, text); }

static asl_value *Str(const char *s) { return asl_cstring(A, s); }

/* One value of every JSON type, none of which is a valid timestamp,
 * boolean-true, etc. unless the test says so. */
static const char *const OTHERS[] = {"null", "0", "0.0", "1", "1.1", "\"\"", "\" \"", "\"HelloWorld\"",
                                     "[]", "[\"\"]", "{}", "{\"A\":0}", "true", "false"};
enum { NOTHERS = sizeof OTHERS / sizeof *OTHERS };

static void test_strings(void)
{
    asl_value *hello = Str("Hello");
    CHECK(asl_choice_string(hello, ASL_CMP_EQ, "Hello", 5));
    CHECK(!asl_choice_string(hello, ASL_CMP_EQ, "Hell", 4));
    CHECK(!asl_choice_string(hello, ASL_CMP_EQ, "hello", 5));
    CHECK(!asl_choice_string(Str(" "), ASL_CMP_EQ, "     ", 5));
    CHECK(!asl_choice_string(Str("\t\n"), ASL_CMP_EQ, "\t\r\n", 3));
    CHECK(asl_choice_string(Str(""), ASL_CMP_EQ, "", 0));
    /* Embedded NUL: lengths, not C strings. */
    CHECK(asl_choice_string(asl_string(A, "a\0b", 3), ASL_CMP_EQ, "a\0b", 3));
    CHECK(!asl_choice_string(asl_string(A, "a\0b", 3), ASL_CMP_EQ, "a\0c", 3));

    CHECK(!asl_choice_string(Str(""), ASL_CMP_GT, "", 0));
    CHECK(asl_choice_string(Str(""), ASL_CMP_GE, "", 0));
    CHECK(!asl_choice_string(Str(""), ASL_CMP_LT, "", 0));
    CHECK(asl_choice_string(Str(""), ASL_CMP_LE, "", 0));
    CHECK(!asl_choice_string(Str("A"), ASL_CMP_GT, "A ", 2));
    CHECK(asl_choice_string(Str("A"), ASL_CMP_LT, "AB", 2));
    CHECK(!asl_choice_string(Str("A"), ASL_CMP_GE, "AB", 2));
    CHECK(asl_choice_string(Str("AB"), ASL_CMP_GE, "A", 1));
    CHECK(asl_choice_string(Str("A"), ASL_CMP_LE, "AB", 2));
    CHECK(!asl_choice_string(Str("AB"), ASL_CMP_LE, "A", 1));
    CHECK(asl_choice_string(Str("B"), ASL_CMP_GT, "AZZZ", 4));
    CHECK(asl_choice_string(Str("Z"), ASL_CMP_LT, "a", 1)); /* case-sensitive, code order */

    /* Java's String order is UTF-16's: U+1F600 (a surrogate pair) sorts
     * before U+FF21, though its code point is larger; below U+E000 code
     * point order holds. */
    const char *grin = "\xF0\x9F\x98\x80", *fullA = "\xEF\xBC\xA1", *hangul = "\xED\x95\x9C", *e_acute = "\xC3\xA9";
    CHECK(asl_choice_string(Str(grin), ASL_CMP_LT, fullA, 3));
    CHECK(asl_choice_string(Str(fullA), ASL_CMP_GT, grin, 4));
    CHECK(asl_choice_string(Str(hangul), ASL_CMP_LT, grin, 4));
    CHECK(asl_choice_string(Str(e_acute), ASL_CMP_GT, "z", 1));
    CHECK(asl_choice_string(Str("x\xF0\x9F\x98\x80"), ASL_CMP_LT, "x\xEF\xBC\xA1", 4));
    CHECK(asl_choice_string(Str("\xF0\x9F\x98\x80"), ASL_CMP_LT, "\xF0\x9F\x98\x81", 4));
    CHECK(asl_utf16_compare("abc", 3, "abc", 3) == 0);
    CHECK(asl_utf16_compare("ab", 2, "abc", 3) < 0);
    CHECK(asl_utf16_compare("abd", 3, "abc", 3) > 0);
    CHECK(asl_utf16_compare(grin, 4, fullA, 3) < 0);
    CHECK(asl_utf16_compare(fullA, 3, grin, 4) > 0);

    /* Path twins: both operands must be strings. */
    CHECK(asl_choice_string_v(Str("Hello"), ASL_CMP_EQ, Str("Hello")));
    CHECK(!asl_choice_string_v(Str(" "), ASL_CMP_EQ, Str("     ")));
    CHECK(asl_choice_string_v(Str("A"), ASL_CMP_LT, Str("AB")));
    CHECK(!asl_choice_string_v(Str("AB"), ASL_CMP_LE, Str("A")));
    CHECK(!asl_choice_string_v(Str("1"), ASL_CMP_EQ, J("1")));
    CHECK(!asl_choice_string_v(Str("A"), ASL_CMP_LT, J("null")));

    /* Other types never compare as strings. */
    for (int i = 0; i < NOTHERS; i++) {
        asl_value *v = J(OTHERS[i]);
        if (v->type == ASL_STRING) continue;
        for (int op = ASL_CMP_EQ; op <= ASL_CMP_GE; op++) {
            CHECK(!asl_choice_string(v, (asl_cmp)op, "HelloWorld", 10));
            CHECK(!asl_choice_string(v, (asl_cmp)op, "", 0));
            CHECK(!asl_choice_string_v(v, (asl_cmp)op, Str("x")));
            CHECK(!asl_choice_string_v(Str("x"), (asl_cmp)op, v));
        }
    }
    CHECK(!asl_choice_string(NULL, ASL_CMP_EQ, "", 0));
    CHECK(!asl_choice_string(J("1"), ASL_CMP_EQ, "1", 1));
}

static void test_numbers(void)
{
    CHECK(asl_choice_number(J("0"), ASL_CMP_EQ, 0));
    CHECK(asl_choice_number(J("0.0"), ASL_CMP_EQ, 0));
    CHECK(asl_choice_number(J("1"), ASL_CMP_EQ, 1.0));
    CHECK(asl_choice_number(J("1.0"), ASL_CMP_EQ, 1));
    CHECK(asl_choice_number(J("-0"), ASL_CMP_EQ, 0));
    CHECK(asl_choice_number(J("1e2"), ASL_CMP_EQ, 100));
    CHECK(!asl_choice_number(J("1.1"), ASL_CMP_EQ, 1));
    CHECK(!asl_choice_number(J("0"), ASL_CMP_EQ, 1));
    CHECK(!asl_choice_number(J("0"), ASL_CMP_GT, 0));
    CHECK(!asl_choice_number(J("0"), ASL_CMP_GT, 1));
    CHECK(asl_choice_number(J("1"), ASL_CMP_GT, 0));
    CHECK(asl_choice_number(J("0"), ASL_CMP_GE, 0));
    CHECK(!asl_choice_number(J("0"), ASL_CMP_GE, 1));
    CHECK(asl_choice_number(J("1"), ASL_CMP_GE, 1));
    CHECK(!asl_choice_number(J("0"), ASL_CMP_LT, 0));
    CHECK(asl_choice_number(J("0"), ASL_CMP_LT, 1));
    CHECK(!asl_choice_number(J("1"), ASL_CMP_LT, 1));
    CHECK(asl_choice_number(J("0.0"), ASL_CMP_LE, 0));
    CHECK(asl_choice_number(J("0"), ASL_CMP_LE, 1));
    CHECK(!asl_choice_number(J("1"), ASL_CMP_LE, 0));
    CHECK(asl_choice_number(J("-2.5"), ASL_CMP_LT, -2));
    CHECK(asl_choice_number(J("123456789012"), ASL_CMP_GT, 123456789011.0));

    CHECK(asl_choice_number_v(J("0"), ASL_CMP_EQ, J("0.0")));
    CHECK(asl_choice_number_v(J("1"), ASL_CMP_EQ, J("1.0")));
    CHECK(!asl_choice_number_v(J("1.1"), ASL_CMP_EQ, J("1")));
    CHECK(asl_choice_number_v(J("1"), ASL_CMP_GT, J("0")));
    CHECK(!asl_choice_number_v(J("1"), ASL_CMP_GT, J("1")));
    CHECK(asl_choice_number_v(J("0"), ASL_CMP_LT, J("1")));
    CHECK(asl_choice_number_v(J("1"), ASL_CMP_LE, J("1")));
    CHECK(asl_choice_number_v(J("1"), ASL_CMP_GE, J("1")));

    /* Strings that look like numbers, booleans, null... are not numbers. */
    for (int i = 0; i < NOTHERS; i++) {
        asl_value *v = J(OTHERS[i]);
        if (v->type == ASL_NUMBER) continue;
        for (int op = ASL_CMP_EQ; op <= ASL_CMP_GE; op++) {
            CHECK(!asl_choice_number(v, (asl_cmp)op, 0));
            CHECK(!asl_choice_number(v, (asl_cmp)op, 1));
            CHECK(!asl_choice_number_v(v, (asl_cmp)op, J("0")));
            CHECK(!asl_choice_number_v(J("0"), (asl_cmp)op, v));
        }
    }
    CHECK(!asl_choice_number(Str("1"), ASL_CMP_EQ, 1));
    CHECK(!asl_choice_number(J("true"), ASL_CMP_EQ, 1));
    CHECK(!asl_choice_number(J("false"), ASL_CMP_EQ, 0));
    CHECK(!asl_choice_number(NULL, ASL_CMP_EQ, 0));
}

static void test_booleans(void)
{
    CHECK(asl_choice_boolean(J("true"), true));
    CHECK(asl_choice_boolean(J("false"), false));
    CHECK(!asl_choice_boolean(J("true"), false));
    CHECK(!asl_choice_boolean(J("false"), true));
    CHECK(asl_choice_boolean_v(J("true"), J("true")));
    CHECK(asl_choice_boolean_v(J("false"), J("false")));
    CHECK(!asl_choice_boolean_v(J("true"), J("false")));
    for (int i = 0; i < NOTHERS; i++) {
        asl_value *v = J(OTHERS[i]);
        if (asl_is_bool(v)) continue;
        CHECK(!asl_choice_boolean(v, true));
        CHECK(!asl_choice_boolean(v, false));
        CHECK(!asl_choice_boolean_v(v, J("true")));
        CHECK(!asl_choice_boolean_v(v, J("false")));
        CHECK(!asl_choice_boolean_v(J("false"), v));
    }
    CHECK(!asl_choice_boolean(Str("true"), true));
    CHECK(!asl_choice_boolean(J("0"), false));
    CHECK(!asl_choice_boolean(NULL, false));
}

static bool TS(const char *s) { return asl_choice_is_timestamp(Str(s)); }

static void test_timestamps(void)
{
    /* Accepted. */
    CHECK(TS("2016-03-14T01:59:00Z"));
    CHECK(TS("2012-10-09T19:00:55Z"));
    CHECK(TS("2012-10-09T19:00:55+01:00"));
    CHECK(TS("2012-10-09T19:00:55-08:30"));
    CHECK(TS("2012-10-09T19:00:55-00:00"));
    CHECK(TS("2016-03-05T21:29:29.243167252Z"));
    CHECK(TS("2016-03-05T21:29:29.2Z"));
    CHECK(TS("2016-03-05T21:29:29.123+05:45"));
    CHECK(TS("2016-02-29T00:00:00Z"));
    CHECK(TS("2000-02-29T23:59:59Z"));
    CHECK(TS("0001-01-01T00:00:00Z"));
    CHECK(TS("9999-12-31T23:59:59Z"));
    CHECK(TS("2020-01-01T00:00:00+18:00"));
    /* Rejected. */
    CHECK(!TS(""));
    CHECK(!TS(" "));
    CHECK(!TS("HelloWorld"));
    CHECK(!TS("2012-10-09T19:00:55"));           /* no zone */
    CHECK(!TS("2023-02-24"));                    /* date only */
    CHECK(!TS("2023-02-24 12:15:56.832957"));    /* space, no zone */
    CHECK(!TS("2012-10-09t19:00:55Z"));          /* lowercase t */
    CHECK(!TS("2012-10-09T19:00:55z"));          /* lowercase z */
    CHECK(!TS("2012-10-09 19:00:55Z"));
    CHECK(!TS("2012-10-09T19:00Z"));             /* no seconds */
    CHECK(!TS("2012-10-09T19:00:55.Z"));         /* empty fraction */
    CHECK(!TS("2012-10-09T19:00:55.1234567891Z")); /* more than nanoseconds */
    CHECK(!TS("2012-10-09T19:00:55+0100"));      /* offset without colon */
    CHECK(!TS("2012-10-09T19:00:55+01"));
    CHECK(!TS("2012-10-09T19:00:55+19:00"));     /* beyond +-18:00 */
    CHECK(!TS("2012-10-09T19:00:55+18:30"));
    CHECK(!TS("2012-10-09T19:00:55+01:60"));
    CHECK(!TS("2012-10-09T19:00:55Z "));         /* trailing text */
    CHECK(!TS(" 2012-10-09T19:00:55Z"));
    CHECK(!TS("2012-10-09T19:00:55ZZ"));
    CHECK(!TS("2012-13-09T19:00:55Z"));          /* month 13 */
    CHECK(!TS("2012-00-09T19:00:55Z"));
    CHECK(!TS("2012-04-31T19:00:55Z"));          /* April 31 */
    CHECK(!TS("2015-02-29T00:00:00Z"));          /* not a leap year */
    CHECK(!TS("1900-02-29T00:00:00Z"));
    CHECK(!TS("2012-10-00T19:00:55Z"));
    CHECK(!TS("2012-10-09T24:00:00Z"));
    CHECK(!TS("2012-10-09T23:60:00Z"));
    CHECK(!TS("2012-10-09T23:59:60Z"));          /* leap second */
    CHECK(!TS("12-10-09T19:00:55Z"));
    CHECK(!TS("+2012-10-09T19:00:55Z"));
    CHECK(!TS("2012-1O-09T19:00:55Z"));
    CHECK(!asl_choice_is_timestamp(J("1")));
    CHECK(!asl_choice_is_timestamp(J("null")));
    CHECK(!asl_choice_is_timestamp(NULL));
    CHECK(!asl_choice_is_timestamp(asl_string(A, "2016-03-14T01:59:00Z\0", 21)));

    /* Instants, not text. */
    asl_value *t55 = Str("2012-10-09T19:00:55Z");
    CHECK(asl_choice_timestamp(t55, ASL_CMP_EQ, "2012-10-09T19:00:55Z"));
    CHECK(!asl_choice_timestamp(t55, ASL_CMP_EQ, "2012-10-09T19:00:56Z"));
    CHECK(!asl_choice_timestamp(Str("2012-10-09T19:00:56Z"), ASL_CMP_EQ, "2012-10-09T19:00:55Z"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_EQ, "2012-10-09T20:00:55+01:00"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_EQ, "2012-10-09T10:30:55-08:30"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_EQ, "2012-10-09T19:00:55.000Z"));
    CHECK(asl_choice_timestamp(Str("2012-10-10T00:00:00+05:00"), ASL_CMP_EQ, "2012-10-09T19:00:00Z"));
    CHECK(asl_choice_timestamp(Str("2012-12-31T23:00:00-01:00"), ASL_CMP_EQ, "2013-01-01T00:00:00Z"));
    CHECK(!asl_choice_timestamp(t55, ASL_CMP_GT, "2012-10-09T19:00:55Z"));
    CHECK(!asl_choice_timestamp(t55, ASL_CMP_GT, "2012-10-09T19:00:56Z"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_GT, "2012-10-09T19:00:54.999999999Z"));
    CHECK(!asl_choice_timestamp(t55, ASL_CMP_GE, "2012-10-09T19:00:56Z"));
    CHECK(asl_choice_timestamp(Str("2012-10-09T19:00:56Z"), ASL_CMP_GE, "2012-10-09T19:00:55Z"));
    CHECK(!asl_choice_timestamp(t55, ASL_CMP_LT, "2012-10-09T19:00:55Z"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_LT, "2012-10-09T19:00:56Z"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_LE, "2012-10-09T19:00:55Z"));
    CHECK(asl_choice_timestamp(t55, ASL_CMP_LE, "2012-10-09T19:00:56Z"));
    /* Sub-second precision down to the nanosecond. */
    CHECK(asl_choice_timestamp(Str("2016-03-05T21:29:29.243167252Z"), ASL_CMP_LT, "2016-03-05T21:29:29.243167253Z"));
    CHECK(asl_choice_timestamp(Str("2016-03-05T21:29:29.5Z"), ASL_CMP_EQ, "2016-03-05T21:29:29.500000000Z"));
    CHECK(asl_choice_timestamp(Str("2016-03-05T21:29:29.1Z"), ASL_CMP_GT, "2016-03-05T21:29:29.09Z"));
    /* Before the epoch and across eras. */
    CHECK(asl_choice_timestamp(Str("1969-12-31T23:59:59Z"), ASL_CMP_LT, "1970-01-01T00:00:00Z"));
    CHECK(asl_choice_timestamp(Str("0001-01-01T00:00:00Z"), ASL_CMP_LT, "9999-12-31T23:59:59Z"));
    /* An invalid side makes every comparison false. */
    for (int op = ASL_CMP_EQ; op <= ASL_CMP_GE; op++) {
        CHECK(!asl_choice_timestamp(Str("2012-10-09T19:00:55"), (asl_cmp)op, "2012-10-09T19:00:55Z"));
        CHECK(!asl_choice_timestamp(t55, (asl_cmp)op, "2012-10-09"));
        CHECK(!asl_choice_timestamp(Str("2023-02-24 12:15:56.832957"), (asl_cmp)op, "2012-10-09T19:00:55Z"));
        for (int i = 0; i < NOTHERS; i++) {
            CHECK(!asl_choice_timestamp(J(OTHERS[i]), (asl_cmp)op, "2012-10-09T19:00:55Z"));
            CHECK(!asl_choice_timestamp_v(J(OTHERS[i]), (asl_cmp)op, t55));
            CHECK(!asl_choice_timestamp_v(t55, (asl_cmp)op, J(OTHERS[i])));
        }
    }
    CHECK(!asl_choice_timestamp(t55, ASL_CMP_EQ, NULL));
    CHECK(asl_choice_timestamp_v(t55, ASL_CMP_EQ, Str("2012-10-09T19:00:55Z")));
    CHECK(!asl_choice_timestamp_v(t55, ASL_CMP_EQ, Str("2012-10-09T19:00:56Z")));
    CHECK(asl_choice_timestamp_v(Str("2012-10-09T19:00:56Z"), ASL_CMP_GT, t55));
    CHECK(!asl_choice_timestamp_v(Str("2012-10-09T19:00:56Z"), ASL_CMP_LE, t55));
    CHECK(asl_choice_timestamp_v(t55, ASL_CMP_EQ, Str("2012-10-09T21:00:55+02:00")));
}

static bool MATCH(const char *s, const char *pat) { return asl_choice_matches(Str(s), pat); }

static void test_matches(void)
{
    CHECK(MATCH("log-1.txt", "log-*.txt"));
    CHECK(MATCH("log-.txt", "log-*.txt"));
    CHECK(!MATCH("log-1.txt.bak", "log-*.txt"));
    CHECK(!MATCH("xlog-1.txt", "log-*.txt"));
    CHECK(MATCH("", ""));
    CHECK(MATCH("", "*"));
    CHECK(MATCH("", "***"));
    CHECK(!MATCH("", "a"));
    CHECK(!MATCH("a", ""));
    CHECK(MATCH("anything at all", "*"));
    CHECK(MATCH("abc", "abc"));
    CHECK(!MATCH("abc", "ab"));
    CHECK(!MATCH("ab", "abc"));
    CHECK(MATCH("abc", "a*"));
    CHECK(MATCH("abc", "*c"));
    CHECK(MATCH("abc", "*b*"));
    CHECK(MATCH("abc", "a*b*c"));
    CHECK(MATCH("abc", "**a**b**c**"));
    CHECK(!MATCH("abc", "*d*"));
    CHECK(MATCH("aaaaab", "*a*a*b"));
    CHECK(!MATCH("aaaaa", "*a*a*b"));
    CHECK(MATCH("mississippi", "m*iss*ppi"));
    CHECK(MATCH("mississippi", "*sip*"));
    CHECK(!MATCH("mississippi", "m*iss*ppx"));
    CHECK(MATCH("ABC", "ABC"));
    CHECK(!MATCH("ABC", "abc")); /* case-sensitive */
    CHECK(!MATCH("a?c", "abc"));
    CHECK(MATCH("a?c", "a?c"));  /* only '*' is special */
    CHECK(!MATCH("abc", "a?c"));
    CHECK(MATCH("a[b]c", "a[b]c"));
    /* Escapes: \* is a literal star, \\ a literal backslash. */
    CHECK(MATCH("a*c", "a\\*c"));
    CHECK(!MATCH("abc", "a\\*c"));
    CHECK(MATCH("*", "\\*"));
    CHECK(!MATCH("x", "\\*"));
    CHECK(MATCH("star*end", "*\\*end"));
    CHECK(MATCH("x*y*z", "*\\**"));
    CHECK(!MATCH("xyz", "*\\**"));
    CHECK(MATCH("a\\b", "a\\\\b"));
    CHECK(!MATCH("a\\\\b", "a\\\\b"));
    CHECK(MATCH("a\\", "a\\\\"));
    CHECK(MATCH("C:\\dir\\file.txt", "C:\\\\*\\\\*.txt"));
    CHECK(MATCH("a\\*", "a\\\\*"));  /* \\ then a real star */
    CHECK(MATCH("a\\xyz", "a\\\\*"));
    CHECK(MATCH("a\\", "a\\"));      /* a lone trailing backslash stands for itself */
    /* Multi-byte text: '*' swallows whole characters. */
    CHECK(MATCH("h\xC3\xA9llo w\xC3\xB6rld", "h*llo w*rld"));
    CHECK(MATCH("\xF0\x9F\x98\x80-x", "*-x"));
    CHECK(MATCH("\xC3\xA9", "\xC3\xA9"));
    /* Non-strings never match. */
    for (int i = 0; i < NOTHERS; i++) {
        asl_value *v = J(OTHERS[i]);
        if (v->type == ASL_STRING) continue;
        CHECK(!asl_choice_matches(v, "*"));
    }
    CHECK(!asl_choice_matches(NULL, "*"));
    CHECK(!asl_choice_matches(Str("x"), NULL));
    /* A U+0000 is a character like any other (issue #18): counted on both sides. */
    CHECK(asl_choice_matches_n(asl_string(A, "x\0yz", 4), "x\0*", 3));
    CHECK(!asl_choice_matches_n(Str("x"), "x\0*", 3));
    CHECK(!asl_choice_matches_n(Str("xyz"), "x\0*", 3));
    CHECK(asl_choice_matches_n(asl_string(A, "a\0", 2), "*\0", 2));
    /* Many stars on a long text stay fast (no exponential backtracking). */
    {
        size_t n = 100000;
        char *s = malloc(n + 1);
        memset(s, 'a', n);
        s[n] = '\0';
        CHECK(!MATCH(s, "*a*a*a*a*a*a*a*a*a*a*b"));
        CHECK(MATCH(s, "*a*a*a*a*a*a*a*a*a*a*"));
        free(s);
    }
}

int main(void)
{
    A = asl_arena_new();
    test_strings();
    test_numbers();
    test_booleans();
    test_timestamps();
    test_matches();
    asl_arena_free(A);
    return check_summary();
}
