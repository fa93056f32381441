/*
 * vars.h — workflow variables (`Assign`), in both query languages.
 *
 * An execution has a scope of variables; a Parallel branch and a Map
 * iteration run in a child scope that reads its parent's variables (and
 * its parent's parent's ...) but whose own assignments stay inside it.
 * A state's assignments are evaluated first, all against the values the
 * variables had when the state began, and take effect together after it
 * (asl_vars_assign).  Size limits and their errors are AWS's.
 *
 * This header is the contract between the JSONPath side (paths `$x.a`,
 * Assign with `.$` keys, vars.c) and the JSONata side (runtime
 * jsonata_state.c, which reads variables through asl_vars_get).
 */
#ifndef ASL_VARS_H
#define ASL_VARS_H

#include "asl.h"

/* The value of variable name (n bytes, without '$') as seen from x's scope,
 * or NULL (*found false) when no enclosing scope has it. */
asl_value *asl_vars_get(asl_exec *x, const char *name, size_t n, bool *found);

/* Sets n variables at once in x's scope (names without '$', values already
 * evaluated); false with x's error set (AWS's error name and cause) when a
 * size limit is passed. */
bool asl_vars_assign(asl_exec *x, uint32_t n, const char *const *names, asl_value **vals);

/* The variables of x's own scope as one JSON object, appended to out. */
void asl_vars_write(asl_exec *x, asl_buf *out);

#endif
