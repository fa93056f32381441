/*
 * intrinsic.h — the compile-time parser of intrinsic function calls
 * ("States.Format('{} x', $.a)") into ir_call trees, with name, arity and
 * constant-argument checks.
 */
#ifndef ASLC_INTRINSIC_H
#define ASLC_INTRINSIC_H

#include "ir.h"

/* True when text looks like an intrinsic call (an identifier path such as
 * States.Name, then '('), as AWS decides between a path and a call. */
bool aslc_is_intrinsic(const char *text);

/* Returns NULL on error, with a one-line message in err and the byte offset of
 * the problem within text in *errpos. */
ir_call *aslc_intrinsic_parse(asl_arena *a, const char *text,
                              char *err, size_t errlen, size_t *errpos);

/* The same, but the checks of constant arguments (types, values: a call that
 * would fail each time it runs) do not fail the parse: AWS accepts such a
 * call when the state machine is created and fails it at run time, so the
 * call tree is returned and the first finding is put in warn (at byte
 * *warnpos); warn[0] is 0 when there is none.  Syntax, unknown functions,
 * argument counts and nesting still fail. */
ir_call *aslc_intrinsic_parse_lenient(asl_arena *a, const char *text, char *err, size_t errlen,
                                      size_t *errpos, char *warn, size_t warnlen, size_t *warnpos);
/* aslc_intrinsic_parse_lenient of the n bytes at text, which may hold a
 * U+0000 (kept in string literals and in the member names of paths). */
ir_call *aslc_intrinsic_parse_n(asl_arena *a, const char *text, size_t n, char *err, size_t errlen,
                                size_t *errpos, char *warn, size_t warnlen, size_t *warnpos);

/* Whether c is a States.Format whose template is a literal that works with
 * its values, split into *f (pieces in a) for asl_format: such a call only
 * prints its values between pieces known now.  Any other template is left
 * to asl_intrinsic_FORMAT, which fails the call when it runs, as AWS does. */
bool aslc_format_split(asl_arena *a, const ir_call *c, asl_fmt *f);

/* ASL name of an intrinsic (ASL_FN_*). */
const char *aslc_intrinsic_name(int fn);

#endif
