/*
 * check.h — the unit tests' whole framework: CHECK and CHECK_STR count and
 * report (file:line and what failed), check_summary prints the closing
 * "N passed, N failed" line that ctest's log readers look for and gives the
 * exit status.  Each test program is one translation unit, so the counters
 * can be static here.
 */
#ifndef ASLC_TEST_CHECK_H
#define ASLC_TEST_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl_value.h"

static int npass, nfail;

static inline bool check(bool ok, const char *file, int line, const char *what)
{
    if (ok) {
        npass++;
    } else {
        nfail++;
        printf("%s:%d: FAILED: %s\n", file, line, what);
    }
    return ok;
}

/* Both NULL counts as equal; both sides are shown when they differ. */
static inline void check_str(const char *got, const char *want, const char *file, int line, const char *what)
{
    bool ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
    if (ok) {
        npass++;
        return;
    }
    nfail++;
    printf("%s:%d: FAILED: %s\n    got:  %s\n    want: %s\n", file, line, what, got ? got : "(null)",
           want ? want : "(null)");
}

#define CHECK(c) check((c), __FILE__, __LINE__, #c)
#define CHECK_STR(got, want) check_str((got), (want), __FILE__, __LINE__, #got)

/* A JSON value for a test, parsed into a; a typo in a test's own JSON
 * stops the program (it is a bug of the test, not a failed check). */
static inline asl_value *check_json(asl_arena *a, const char *text)
{
    asl_json_error e;
    asl_value *v = asl_json_parse(a, text, strlen(text), &e);
    if (!v) {
        printf("bad test JSON %s: %s\n", text, e.msg);
        exit(2);
    }
    return v;
}

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", npass, nfail);
    return nfail != 0;
}

#endif
