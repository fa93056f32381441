/*
 * intrinsic_call.c — asl_intrinsic, the checked dispatch of an intrinsic
 * function by number, for callers that hold a number rather than a call site
 * (the unit tests, hand-written code).  Generated code calls each function's
 * own entry point (asl_intrinsic_MATH_ADD, ...) instead, so that a workflow's
 * binary links only the intrinsics it uses: this table names them all, Hash
 * and its libcrypto included (digest.c).
 */
#include "rt.h"

static const int fn_arity[ASL_FN__COUNT][2] = {
#define X(id, name, lo, hi) [ASL_FN_##id] = {lo, hi},
#include "asl_intrinsics.def"
#undef X
};

asl_value *asl_intrinsic(asl_exec *x, int fn, uint32_t argc, asl_value **argv)
{
    if (fn < 0 || fn >= ASL_FN__COUNT)
        return asl_fail_state(x, "States.Runtime", "unknown intrinsic function #%d", fn);
    /* The compiler checked the arity; this guards hand-written callers. */
    if ((int)argc < fn_arity[fn][0] || (fn_arity[fn][1] >= 0 && (int)argc > fn_arity[fn][1]))
        return asl_intrinsic_invalid(x, fn);
    for (uint32_t i = 0; i < argc; i++)
        if (!argv[i]) return asl_intrinsic_invalid(x, fn);

    switch (fn) {
#define X(id, name, lo, hi) \
    case ASL_FN_##id: return asl_intrinsic_##id(x, argc, argv);
#include "asl_intrinsics.def"
#undef X
    }
    return asl_intrinsic_invalid(x, fn);
}
