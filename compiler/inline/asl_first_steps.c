/*
 * asl_first_steps.c — asl.h's inline first steps for the LLVM back end.
 *
 * Compiled to LLVM bitcode when aslc is built (clang, the LLVM aslc links),
 * and linked into the module of a program of one part, where emit_llvm.c
 * calls them as the C back end calls them from generated C: each
 * aslc_inl_<NAME> points at the function LIR_RT's entry <NAME> names as
 * its inline first step.  The first steps thereby exist once, in asl.h;
 * LLVM inlines them (always_inline) and folds the constant descriptors
 * they read, as the C compiler does.  (An object of known keys and the
 * append of a plain key stay IR of emit_llvm.c's own: asl_json_bound
 * costs more instructions there.)
 */
#include "asl.h"

#define KEEP(id, fn) __typeof__(&fn) const aslc_inl_##id = fn;   /* external: kept */

KEEP(ENTER, asl_enter_c)
KEEP(LEAVE, asl_leave_c)
KEEP(ARG_PATH, asl_arg_path_c)
KEEP(PARAM_PATH, asl_param_path_c)
KEEP(CHOICE_VAR, asl_choice_var_c)
KEEP(CHOICE_NUMBER, asl_choice_number_c)
KEEP(MATH_ADD2, asl_math_add_c)
