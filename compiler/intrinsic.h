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

/* ASL name of an intrinsic (ASL_FN_*). */
const char *aslc_intrinsic_name(int fn);

#endif
