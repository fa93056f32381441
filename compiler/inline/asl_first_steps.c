/*
 * asl_first_steps.c — asl.h's inline first steps for the LLVM back end.
 *
 * Compiled to LLVM bitcode when aslc is built (clang, the LLVM aslc links),
 * and linked into the module of a program of one part, where emit_llvm.c
 * calls them as the C back end calls them from generated C: each
 * aslc_inl_<NAME> points at the function LIR_RT's entry <NAME> names as
 * its inline first step.  The first steps thereby exist once, in asl.h;
 * LLVM inlines them (always_inline) and folds the constant descriptors
 * they read, as the C compiler does.
 *
 * Two are this file's own, for an object of known keys and the append of a
 * plain key: asl.h's asl_member_set and asl_object_append_lit_c cost more
 * instructions there (pass_chain_100 +1.7 %), asl_json_bound testing the
 * types in a row; here the bound is a switch, each case reading only its
 * own fields, in 64 bits, saturated once by the caller.
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

/* asl_json_bound(v), a case per type. */
static uint64_t bound64(const asl_value *v)
{
    switch (v->type) {
    case ASL_NUMBER: return v->u.n.text ? v->len : v->flags ? 17 : 25;
    case ASL_STRING: return (uint64_t)v->len * (v->flags ? 1 : 6) + 2;   /* flags: plain */
    case ASL_ARRAY:
    case ASL_OBJECT: return v->u.a.jlen;
    default: return v->type == ASL_FALSE ? 5 : 4;
    }
}

/* asl_object_append_lit(a, o, key, klen, v) after its first step: a member
 * that fits the sized, small object is written in place, its bound (bound,
 * or v's where it is UINT64_MAX) added to the object's.  The common case
 * laid out first (choice_loop: as many instructions as the IR it replaces). */
static void append_lit(asl_arena *a, asl_value *o, const char *key, uint32_t klen, asl_value *v, uint64_t bound)
{
    uint32_t len = o->len;
    if (__builtin_expect(len < o->u.o.cap && !o->flags, 1)) {
        uint64_t j = o->u.o.jlen + (uint64_t)klen + 3 + (bound == UINT64_MAX ? bound64(v) : bound) + (len != 0);
        o->u.o.jlen = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
        asl_member *m = &o->u.o.members[len];
        m->key = key;
        m->klen = klen;
        m->val = v;
        o->len = len + 1;
    } else {
        asl_object_append_lit(a, o, key, klen, v);
    }
}

KEEP(BOUND, bound64)
KEEP(OBJECT_APPEND_LIT, append_lit)

/* init_constants(a): the program's constants parsed at start. */
static void init_consts(asl_arena *a, asl_value **k, const char *const *text, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) k[i] = asl_const(a, text[i]);
}

KEEP(INIT_CONSTANTS, init_consts)
