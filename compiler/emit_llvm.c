/*
 * emit_llvm.c — the LLVM back end: IR to an LLVM module built in-process with
 * the LLVM-C API, optimised, and written as an object file that build.c
 * links with the runtime exactly as it links the C back end's output.
 *
 * Like the C back end (emit_c.c) it prints the lowered program (lir.h,
 * lower.c, which makes every decision), op by op: the same functions with
 * the same names (st_<Name>, do_, try_, tp_, fn_, r_, jn_), the same runtime
 * calls in the same order with the same arguments, and the same static
 * descriptors (P_, S_, TP_, F_, T_, R_/RE_, C_/CE_, B_, M_, K[] and K_text,
 * natives, sites, asl_main_program), made in the same order, so that even
 * the numbering of P_n, K[n], TP_n, fn_n and r_n agrees and the two outputs
 * can be read side by side (docs/backends.md shows one workflow in both).
 * What must agree exactly is shared with emit_c.c: when two paths are the
 * same (aslc_path_key), the numbering (aslc_ids).  No semantics live in one
 * back end only.
 *
 * A program of more than a few hundred states is compiled in parts: the
 * module is built once, every function marked with its part ("aslc-part"),
 * and llvm_codegen.c optimises runs of parts in parallel.
 *
 * Descriptor layout: each runtime struct is a named LLVM struct type listing
 * the C fields in order with the same types (the table `structs` below); the
 * target's data layout adds the padding.  check_layout() compares every field
 * offset and size and every struct size with what the C compiler says
 * (offsetof/sizeof of runtime/asl.h) before anything is built, so a change to
 * a runtime struct is an internal error here, never a binary that reads the
 * wrong field.  The runtime functions called are lir.h's table LIR_RT, each
 * with its C prototype, checked at compile time against asl.h.
 *
 * Pointers: LLVM 14 still has typed pointers, LLVM >= 15 opaque ones.  Every
 * pointer here has the one type `ptr` (i8* on 14) and every address of
 * something else goes through cast()/ccast(), which do nothing on opaque
 * pointers.  Only the typed builder calls (LLVMBuildCall2, LLVMBuildLoad2,
 * LLVMBuildGEP2, ...) are used.
 *
 * Tail calls: a transition is a call of the next state's function, which has
 * the same prototype as the caller, immediately returned.  It is marked
 * musttail on LLVM >= 18 (LLVMSetTailCallKind) and tail before that (the C
 * API of 14..17 cannot say musttail); the x86-64 code generator turns both
 * into a jump, and tests/golden/choice_loop_million checks that a loop of two
 * million transitions leaves the stack where it was.
 *
 * One LLVM context per compilation (and one per thread of a compilation in
 * parts); every LLVM object created here is disposed of before
 * aslc_emit_llvm returns.
 */
#define _GNU_SOURCE
#include "emit_llvm.h"
#include "llvm_codegen.h"
#include "lir.h"
#include "jsonata.h"
#include "aslc_config.h"
#include "intrinsic.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/Config/llvm-config.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if LLVM_VERSION_MAJOR < 14
#error "the LLVM back end needs LLVM 14 or newer"
#endif

/* ---- the runtime functions generated code calls ----------------------------------
 * lir.h's one table, LIR_RT: declared on first use from its signature, and
 * each C type checked against asl.h here, where the table meets LLVM. */
#define X(id, name, inl, sig, ctype)                                                                \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), ctype),                          \
                   #name " changed in runtime/asl.h: update LIR_RT in lir.h");
LIR_RT(X)
#undef X

/* ---- the runtime's structs -------------------------------------------------------
 * Field by field, in order: the LLVM type (c i8/uint8_t/bool, i i32, l i64,
 * d double, p pointer), the C offset and the C size.  check_layout() holds
 * the LLVM layout of the target to these numbers. */
typedef struct {
    char t;
    size_t off, size;
} cfield;

typedef struct {
    const char *name;
    size_t size;
    uint32_t n;
    cfield f[14];
} cstruct;

#define FLD(T, m, t) {t, offsetof(T, m), sizeof(((T *)0)->m)}

enum { S_SEG, S_FILTER, S_PATH, S_INFO, S_RETRIER, S_CATCHER, S_SITE, S_MAP, S_NATIVE, S_PROGRAM, S_TMPL,
       S_FLOW, S_LIT_KEY, S_FMT, S_JNF, S__COUNT };

static const cstruct structs[S__COUNT] = {
    [S_SEG] = {"asl_seg", sizeof(asl_seg), 11,
               {FLD(asl_seg, kind, 'c'), FLD(asl_seg, has_start, 'c'), FLD(asl_seg, has_end, 'c'),
                FLD(asl_seg, klen, 'i'), FLD(asl_seg, key, 'p'), FLD(asl_seg, start, 'l'),
                FLD(asl_seg, end, 'l'), FLD(asl_seg, step, 'l'), FLD(asl_seg, filter, 'p'),
                FLD(asl_seg, nunion, 'i'), FLD(asl_seg, members, 'p')}},
    [S_FILTER] = {"asl_filter", sizeof(asl_filter), 7,
                  {FLD(asl_filter, op, 'c'), FLD(asl_filter, rtype, 'c'), FLD(asl_filter, nlhs, 'i'),
                   FLD(asl_filter, lhs, 'p'), FLD(asl_filter, rnum, 'd'), FLD(asl_filter, rstr, 'p'),
                   FLD(asl_filter, rlen, 'i')}},
    [S_PATH] = {"asl_path", sizeof(asl_path), 7,
                {FLD(asl_path, text, 'p'), FLD(asl_path, root, 'c'), FLD(asl_path, definite, 'c'),
                 FLD(asl_path, map_item, 'c'), FLD(asl_path, nseg, 'i'), FLD(asl_path, segs, 'p'),
                 FLD(asl_path, jn, 'p')}},
    [S_JNF] = {"asl_jn_field", sizeof(asl_jn_field), 9,
               {FLD(asl_jn_field, kind, 'c'), FLD(asl_jn_field, type, 'c'), FLD(asl_jn_field, where, 'p'),
                FLD(asl_jn_field, src, 'p'), FLD(asl_jn_field, expr, 'p'), FLD(asl_jn_field, tmpl, 'p'),
                FLD(asl_jn_field, assign, 'p'), FLD(asl_jn_field, k, 'p'), FLD(asl_jn_field, eval, 'p')}},
    [S_INFO] = {"asl_state_info", sizeof(asl_state_info), 4,
                {FLD(asl_state_info, name, 'p'), FLD(asl_state_info, type, 'p'),
                 FLD(asl_state_info, json_path, 'p'), FLD(asl_state_info, last, 'c')}},
    [S_RETRIER] = {"asl_retrier", sizeof(asl_retrier), 7,
                   {FLD(asl_retrier, errors, 'p'), FLD(asl_retrier, nerrors, 'i'),
                    FLD(asl_retrier, max_attempts, 'i'), FLD(asl_retrier, interval, 'd'),
                    FLD(asl_retrier, backoff, 'd'), FLD(asl_retrier, max_delay, 'd'),
                    FLD(asl_retrier, jitter, 'c')}},
    [S_CATCHER] = {"asl_catcher", sizeof(asl_catcher), 2,
                   {FLD(asl_catcher, errors, 'p'), FLD(asl_catcher, nerrors, 'i')}},
    [S_SITE] = {"asl_task_site", sizeof(asl_task_site), 5,
                {FLD(asl_task_site, id, 'i'), FLD(asl_task_site, state, 'p'),
                 FLD(asl_task_site, resource, 'p'), FLD(asl_task_site, timeout, 'd'),
                 FLD(asl_task_site, heartbeat, 'd')}},
    [S_MAP] = {"asl_map_info", sizeof(asl_map_info), 12,
               {FLD(asl_map_info, start, 'p'), FLD(asl_map_info, selector, 'p'),
                FLD(asl_map_info, max_concurrency, 'i'), FLD(asl_map_info, tolerated_count, 'i'),
                FLD(asl_map_info, tolerated_percent, 'd'), FLD(asl_map_info, distributed, 'c'),
                FLD(asl_map_info, batched, 'c'), FLD(asl_map_info, max_items_per_batch, 'i'),
                FLD(asl_map_info, max_bytes_per_batch, 'i'), FLD(asl_map_info, batch_input, 'p'),
                FLD(asl_map_info, reader, 'p'), FLD(asl_map_info, writer, 'p')}},
    [S_NATIVE] = {"asl_native", sizeof(asl_native), 2,
                  {FLD(asl_native, name, 'p'), FLD(asl_native, fn, 'p')}},
    [S_PROGRAM] = {"asl_program", sizeof(asl_program), 14,
                   {FLD(asl_program, name, 'p'), FLD(asl_program, start, 'p'),
                    FLD(asl_program, init, 'p'), FLD(asl_program, resources_json, 'p'),
                    FLD(asl_program, mocks_json, 'p'), FLD(asl_program, natives, 'p'),
                    FLD(asl_program, nnatives, 'i'), FLD(asl_program, sites, 'p'),
                    FLD(asl_program, nsites, 'i'), FLD(asl_program, timeout, 'd'),
                    FLD(asl_program, allow_unbound, 'c'), FLD(asl_program, state_names, 'p'),
                    FLD(asl_program, state_fns, 'p'), FLD(asl_program, nstates, 'i')}},
    [S_TMPL] = {"asl_tmpl", sizeof(asl_tmpl), 7,
                {FLD(asl_tmpl, kind, 'c'), FLD(asl_tmpl, n, 'i'), FLD(asl_tmpl, key, 'p'),
                 FLD(asl_tmpl, klen, 'i'), FLD(asl_tmpl, path, 'p'), FLD(asl_tmpl, k, 'p'),
                 FLD(asl_tmpl, call, 'p')}},
    [S_FLOW] = {"asl_flow", sizeof(asl_flow), 7,
                {FLD(asl_flow, input_path, 'p'), FLD(asl_flow, parameters, 'p'), FLD(asl_flow, result, 'p'),
                 FLD(asl_flow, result_selector, 'p'), FLD(asl_flow, result_path, 'p'),
                 FLD(asl_flow, output_path, 'p'), FLD(asl_flow, nulls, 'c')}},
    [S_LIT_KEY] = {"asl_lit_key", sizeof(asl_lit_key), 2,
                   {FLD(asl_lit_key, key, 'p'), FLD(asl_lit_key, klen, 'i')}},
    [S_FMT] = {"asl_fmt", sizeof(asl_fmt), 4,
               {FLD(asl_fmt, holes, 'i'), FLD(asl_fmt, lit, 'i'), FLD(asl_fmt, plain, 'c'),
                FLD(asl_fmt, pieces, 'p')}},
};

/* Generated code reads two fields of a value (Choice type tests, Fail's
 * ErrorPath/CausePath): at the C offsets, the host being the target. */
_Static_assert(sizeof(((asl_value *)0)->type) == 1, "asl_value.type is read as an i8");
_Static_assert(sizeof(((asl_value *)0)->u.str) == sizeof(void *), "asl_value.u.str is a pointer");

/* ---- the compilation ----------------------------------------------------------------- */

typedef struct {
    const char *s;
    size_t n;
    LLVMValueRef g;
} strent;

typedef struct {
    const ir_program *p;
    LLVMContextRef cx;
    LLVMModuleRef m;
    LLVMTargetDataRef td;
    LLVMTypeRef i8, i32, i64, dbl, vd, ptr;
    LLVMTypeRef st[S__COUNT];      /* the runtime structs */
    LLVMTypeRef t_state;           /* asl_value *(asl_exec *, asl_value *): st_, do_, try_, tp_, fn_ */
    LLVMTypeRef t_rule;            /* int (asl_exec *, asl_value *): r_ */
    LLVMValueRef *sites;           /* T_ of each task site, by site id */
    LLVMValueRef rt[LIR_RT__COUNT];    /* declared on first use */
    LLVMTypeRef rt_ty[LIR_RT__COUNT];
    unsigned zeroext, nounwind, uwtable;
    LLVMValueRef kref;             /* stands for K until the number of constants is known */
    const lir_program *lp;         /* the lowering (lower.c) */
    uint32_t npaths, nconsts;
    const char **consts;           /* K_text */
    uint32_t cap_consts;
    aslc_ids path_ids, const_ids;  /* path key -> P_n, JSON text -> K[n], as in emit_c.c */
    asl_buf key;                   /* scratch for path keys */
    LLVMValueRef *pathv;           /* P_n */
    uint32_t cap_pathv;
    aslc_layout lay;               /* parts, as in emit_c.c */
    uint32_t part, in_part;        /* the part being built, the states in it so far */
    strent *strs;                  /* interned string literals (open addressing) */
    size_t nstrs, cap_strs;
    uint32_t nstrg;
} L;

/* A function being built. */
typedef struct {
    LLVMValueRef fn, x, in;
    LLVMBuilderRef b;
    LLVMBasicBlockRef fail;        /* `return NULL`, made on first use */
} F;

static LLVMTypeRef array_of(LLVMTypeRef t, uint32_t n)
{
#if LLVM_VERSION_MAJOR >= 17
    return LLVMArrayType2(t, n);
#else
    return LLVMArrayType(t, n);
#endif
}

static LLVMValueRef const_array(LLVMTypeRef t, LLVMValueRef *v, uint32_t n)
{
#if LLVM_VERSION_MAJOR >= 17
    return LLVMConstArray2(t, v, n);
#else
    return LLVMConstArray(t, v, n);
#endif
}

/* The address of a global or function as `ptr` (a constant). */
static LLVMValueRef ccast(L *l, LLVMValueRef v)
{
#if LLVM_VERSION_MAJOR >= 15
    (void)l;
    return v;
#else
    return LLVMConstPointerCast(v, l->ptr);
#endif
}

/* An address computed in code (alloca, GEP) as `ptr`. */
static LLVMValueRef cast(L *l, F *f, LLVMValueRef v)
{
#if LLVM_VERSION_MAJOR >= 15
    (void)l, (void)f;
    return v;
#else
    return LLVMBuildPointerCast(f->b, v, l->ptr, "");
#endif
}

/* A `ptr` used as the address of a value of type t (for a load or store). */
static LLVMValueRef addr_of(L *l, F *f, LLVMValueRef p, LLVMTypeRef t)
{
#if LLVM_VERSION_MAJOR >= 15
    (void)l, (void)f, (void)t;
    return p;
#else
    (void)l;
    return LLVMBuildPointerCast(f->b, p, LLVMPointerType(t, 0), "");
#endif
}

static LLVMValueRef ci8(L *l, unsigned v) { return LLVMConstInt(l->i8, v, 0); }
static LLVMValueRef ci32(L *l, int64_t v) { return LLVMConstInt(l->i32, (unsigned long long)v, 1); }
static LLVMValueRef ci64(L *l, int64_t v) { return LLVMConstInt(l->i64, (unsigned long long)v, 1); }
static LLVMValueRef cdbl(L *l, double v) { return LLVMConstReal(l->dbl, v); }
static LLVMValueRef cnull(L *l) { return LLVMConstNull(l->ptr); }

static void attr(L *l, LLVMValueRef fn, LLVMAttributeIndex at, unsigned kind, uint64_t val)
{
    LLVMAddAttributeAtIndex(fn, at, LLVMCreateEnumAttribute(l->cx, kind, val));
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;  /* FNV-1a */
    for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)s[k]) * 1099511628211ull;
    return h;
}

/* A private string literal of s (n bytes, then a NUL), as C writes "..."; the
 * same bytes share one global, as a C compiler merges equal literals. */
static LLVMValueRef str(L *l, const char *s, size_t n)
{
    if (!s) return cnull(l);
    if (l->nstrs * 2 >= l->cap_strs) {  /* open addressing, at most half full */
        size_t cap = l->cap_strs ? l->cap_strs * 2 : 256;
        strent *t = asl_xmalloc(cap * sizeof *t);
        memset(t, 0, cap * sizeof *t);
        for (size_t i = 0; i < l->cap_strs; i++) {
            if (!l->strs[i].s) continue;
            size_t j = hash_bytes(l->strs[i].s, l->strs[i].n) & (cap - 1);
            while (t[j].s) j = (j + 1) & (cap - 1);
            t[j] = l->strs[i];
        }
        free(l->strs);
        l->strs = t;
        l->cap_strs = cap;
    }
    size_t j = hash_bytes(s, n) & (l->cap_strs - 1);
    for (; l->strs[j].s; j = (j + 1) & (l->cap_strs - 1))
        if (l->strs[j].n == n && !memcmp(l->strs[j].s, s, n)) return l->strs[j].g;
#if LLVM_VERSION_MAJOR >= 19
    LLVMValueRef init = LLVMConstStringInContext2(l->cx, s, n, 0);
#else
    LLVMValueRef init = LLVMConstStringInContext(l->cx, s, (unsigned)n, 0);
#endif
    char name[32];
    snprintf(name, sizeof name, ".str.%u", l->nstrg++);
    LLVMValueRef g = LLVMAddGlobal(l->m, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(g, 1);
    l->strs[j] = (strent){s, n, ccast(l, g)};
    l->nstrs++;
    return l->strs[j].g;
}

static LLVMValueRef strz(L *l, const char *s) { return s ? str(l, s, strlen(s)) : cnull(l); }

/* A constant global of the compilation (static const in the C back end). */
static LLVMValueRef global(L *l, const char *name, LLVMValueRef init)
{
    LLVMValueRef g = LLVMAddGlobal(l->m, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMInternalLinkage);
    return g;
}

/* A constant struct s from its first n fields; the others are zero, as the
 * members a C initializer leaves out. */
static LLVMValueRef cstruct_of(L *l, int s, LLVMValueRef *v, uint32_t n)
{
    LLVMValueRef all[12];
    for (uint32_t i = 0; i < structs[s].n; i++)
        all[i] = i < n ? v[i] : LLVMConstNull(LLVMStructGetTypeAtIndex(l->st[s], i));
    return LLVMConstNamedStruct(l->st[s], all, structs[s].n);
}

static LLVMValueRef rt(L *l, int id)
{
    if (l->rt[id]) return l->rt[id];
    const char *sig = lir_rt_table[id].sig;
    LLVMTypeRef params[8];
    unsigned n = 0;
    bool vararg = false;
    LLVMTypeRef ret = NULL;
    for (const char *c = sig; *c; c++) {
        LLVMTypeRef t = *c == 'p' ? l->ptr : *c == 'b' ? l->i8 : *c == 'i' ? l->i32 : *c == 'l' ? l->i64
                      : *c == 'd' ? l->dbl : l->vd;
        if (*c == '.') vararg = true;
        else if (c == sig) ret = t;
        else params[n++] = t;
    }
    l->rt_ty[id] = LLVMFunctionType(ret, params, n, vararg);
    LLVMValueRef fn = LLVMAddFunction(l->m, lir_rt_table[id].name, l->rt_ty[id]);
    for (unsigned i = 1; sig[i] && sig[i] != '.'; i++)
        if (sig[i] == 'b') attr(l, fn, i, l->zeroext, 0);
    return l->rt[id] = fn;
}

/* The runtime's entry point of intrinsic fn (asl_intrinsic_MATH_ADD, ...),
 * as the C back end calls it: the function itself, not the checked dispatch. */
static const char *const intrinsic_names[] = {
#define X(id, name, lo, hi) "asl_intrinsic_" #id,
#include "asl_intrinsics.def"
#undef X
};
#define X(id, name, lo, hi)                                                                         \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&asl_intrinsic_##id),                    \
                                                asl_value *(*)(asl_exec *, uint32_t, asl_value **)), \
                   "asl_intrinsic_" #id " changed in runtime/asl.h: update intrinsic_fn");
#include "asl_intrinsics.def"
#undef X

static LLVMValueRef intrinsic_fn(L *l, int fn, LLVMTypeRef *ty)
{
    LLVMTypeRef params[3] = {l->ptr, l->i32, l->ptr};
    *ty = LLVMFunctionType(l->ptr, params, 3, 0);
    LLVMValueRef f = LLVMGetNamedFunction(l->m, intrinsic_names[fn]);
    return f ? f : LLVMAddFunction(l->m, intrinsic_names[fn], *ty);
}

/* Calls runtime function id with n arguments. */
static LLVMValueRef call(L *l, F *f, int id, unsigned n, ...)
{
    LLVMValueRef args[8];
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++) args[i] = va_arg(ap, LLVMValueRef);
    va_end(ap);
    LLVMValueRef fn = rt(l, id);
    return LLVMBuildCall2(f->b, l->rt_ty[id], fn, args, n, "");
}

static LLVMValueRef call_fn(L *l, F *f, LLVMTypeRef ty, LLVMValueRef fn, LLVMValueRef a0,
                            LLVMValueRef a1)
{
    LLVMValueRef args[2] = {a0, a1};
    (void)l;
    return LLVMBuildCall2(f->b, ty, fn, args, 2, "");
}

/* A function of the module with internal linkage (static in C). */
static LLVMValueRef define(L *l, const char *name, LLVMTypeRef ty)
{
    LLVMValueRef fn = LLVMAddFunction(l->m, name, ty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    attr(l, fn, LLVMAttributeFunctionIndex, l->nounwind, 0);
    /* Unwind tables, as C compilers emit them: debuggers and sanitizers walk
     * the stack through generated code. */
#if LLVM_VERSION_MAJOR >= 15
    attr(l, fn, LLVMAttributeFunctionIndex, l->uwtable, 2 /* async */);
#else
    attr(l, fn, LLVMAttributeFunctionIndex, l->uwtable, 0);
#endif
    if (LLVMCountParams(fn) == 2) {
        LLVMSetValueName2(LLVMGetParam(fn, 0), "x", 1);
        LLVMSetValueName2(LLVMGetParam(fn, 1), "in", 2);
    }
    return fn;
}

/* What the parts of a program in parts share (the states, K): hidden
 * symbols, defined in one object and used from the others.  Internal
 * otherwise, as static in C. */
static void shared(L *l, LLVMValueRef g)
{
    if (l->lay.parts > 1) {
        LLVMSetLinkage(g, LLVMExternalLinkage);
        LLVMSetVisibility(g, LLVMHiddenVisibility);
    } else {
        LLVMSetLinkage(g, LLVMInternalLinkage);
    }
}

static void begin(L *l, F *f, LLVMValueRef fn)
{
    if (l->lay.parts > 1) {
        /* In a program in parts, every function says which part it belongs
         * to (keep_parts). */
        char part[16];
        snprintf(part, sizeof part, "%u", l->part);
        LLVMAddTargetDependentFunctionAttr(fn, "aslc-part", part);
    }
    f->fn = fn;
    f->x = LLVMCountParams(fn) > 0 ? LLVMGetParam(fn, 0) : NULL;
    f->in = LLVMCountParams(fn) > 1 ? LLVMGetParam(fn, 1) : NULL;
    f->b = LLVMCreateBuilderInContext(l->cx);
    f->fail = NULL;
    LLVMPositionBuilderAtEnd(f->b, LLVMAppendBasicBlockInContext(l->cx, fn, "entry"));
}

static void end(F *f) { LLVMDisposeBuilder(f->b); }

static LLVMBasicBlockRef block(L *l, F *f, const char *name)
{
    return LLVMAppendBasicBlockInContext(l->cx, f->fn, name);
}

static LLVMBasicBlockRef fail_block(L *l, F *f)
{
    if (!f->fail) {
        LLVMBasicBlockRef here = LLVMGetInsertBlock(f->b);
        f->fail = block(l, f, "fail");
        LLVMPositionBuilderAtEnd(f->b, f->fail);
        LLVMBuildRet(f->b, cnull(l));
        LLVMPositionBuilderAtEnd(f->b, here);
    }
    return f->fail;
}

/* Continues when cond is false, else `return NULL`. */
static void fail_if(L *l, F *f, LLVMValueRef cond)
{
    LLVMBasicBlockRef ok = block(l, f, "");
    LLVMBuildCondBr(f->b, cond, fail_block(l, f), ok);
    LLVMPositionBuilderAtEnd(f->b, ok);
}

/* if (!v) return NULL; */
static LLVMValueRef or_null(L *l, F *f, LLVMValueRef v)
{
    fail_if(l, f, LLVMBuildIsNull(f->b, v, ""));
    return v;
}

/* if (!ok) return NULL; for a bool result */
static void or_false(L *l, F *f, LLVMValueRef ok)
{
    fail_if(l, f, LLVMBuildICmp(f->b, LLVMIntEQ, ok, ci8(l, 0), ""));
}

/* The transition at the end of a state: a tail call, or the end of its flow. */
static void go(L *l, F *f, const ir_state *target, LLVMValueRef val)
{
    if (!target) {
        LLVMBuildRet(f->b, val);
        return;
    }
    LLVMValueRef c = call_fn(l, f, l->t_state, LLVMGetNamedFunction(l->m, target->cname), f->x, val);
#if LLVM_VERSION_MAJOR >= 18
    LLVMSetTailCallKind(c, LLVMTailCallKindMustTail);
#else
    LLVMSetTailCall(c, 1);
#endif
    LLVMBuildRet(f->b, c);
}

/* K[id], the constant parsed at start. */
static LLVMValueRef kval(L *l, F *f, uint32_t id)
{
    LLVMValueRef idx = ci64(l, id);
    LLVMValueRef a = LLVMBuildInBoundsGEP2(f->b, l->ptr, l->kref, &idx, 1, "");
    return LLVMBuildLoad2(f->b, l->ptr, a, "k");
}

/* v->type */
static LLVMValueRef value_type(L *l, F *f, LLVMValueRef v)
{
    LLVMValueRef off = ci64(l, offsetof(asl_value, type));
    LLVMValueRef a = LLVMBuildInBoundsGEP2(f->b, l->i8, v, &off, 1, "");
    return LLVMBuildLoad2(f->b, l->i8, a, "type");
}

/* The address of a field of type ty at base + off (a ty*, for LLVM 14's
 * typed pointers; the same opaque ptr from LLVM 15 on). */
static LLVMValueRef field_at(L *l, F *f, LLVMTypeRef ty, LLVMValueRef base, LLVMValueRef off)
{
    LLVMValueRef a = LLVMBuildInBoundsGEP2(f->b, l->i8, base, &off, 1, "");
    return LLVMBuildPointerCast(f->b, a, LLVMPointerType(ty, 0), "");
}

/* The value of the block `done`, which the builder is now at: a from block
 * ab, b from block bb (the join of a fast path and a call). */
static LLVMValueRef join(L *l, F *f, LLVMValueRef a, LLVMBasicBlockRef ab, LLVMValueRef b,
                         LLVMBasicBlockRef bb, const char *name)
{
    LLVMValueRef phi = LLVMBuildPhi(f->b, l->ptr, name);
    LLVMValueRef v[2] = {a, b};
    LLVMBasicBlockRef bl[2] = {ab, bb};
    LLVMAddIncoming(phi, v, bl, 2);
    return phi;
}

/* A field of the value or member at base + off. */
static LLVMValueRef load_at(L *l, F *f, LLVMTypeRef ty, LLVMValueRef base, LLVMValueRef off, const char *name)
{
    return LLVMBuildLoad2(f->b, ty, field_at(l, f, ty, base, off), name);
}

/* *(ty *)(base + off) = v, ty the type of v. */
static void store_at(L *l, F *f, LLVMValueRef v, LLVMValueRef base, LLVMValueRef off)
{
    LLVMBuildStore(f->b, v, field_at(l, f, LLVMTypeOf(v), base, off));
}

/* asl_exec_arena(x): the first field of the exec's head (asl.h). */
static LLVMValueRef exec_arena(L *l, F *f)
{
    return load_at(l, f, l->ptr, f->x, ci64(l, offsetof(asl_exec_head, arena)), "arena");
}

/* The member s->key of o, when o is a small object (no index: is_int 0)
 * that has it, as IR from the builder's block (asl.h's asl_member_inline):
 * a miss, a NULL o or anything else branches to slow.  Returns the value,
 * the builder at the end of the block that found it. */
static LLVMValueRef member_scan(L *l, F *f, LLVMValueRef o, const asl_seg *s, LLVMBasicBlockRef slow)
{
    LLVMBuilderRef b = f->b;
    LLVMValueRef key = str(l, s->key, s->klen);
    LLVMBasicBlockRef obj = block(l, f, "obj"), head = block(l, f, "scan"), body = block(l, f, "member"),
                      next = block(l, f, "next"), found = block(l, f, "found");
    LLVMBuildCondBr(b, LLVMBuildIsNull(b, o, ""), slow, obj);
    LLVMPositionBuilderAtEnd(b, obj);
    LLVMValueRef ty = value_type(l, f, o);
    LLVMValueRef isint = load_at(l, f, l->i8, o, ci64(l, offsetof(asl_value, is_int)), "is_int");
    LLVMValueRef small = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntEQ, ty, ci8(l, ASL_OBJECT), ""),
                                      LLVMBuildICmp(b, LLVMIntEQ, isint, ci8(l, 0), ""), "");
    LLVMValueRef len = load_at(l, f, l->i32, o, ci64(l, offsetof(asl_value, len)), "len");
    LLVMValueRef mem = load_at(l, f, l->ptr, o, ci64(l, offsetof(asl_value, u.o.members)), "members");
    LLVMBuildCondBr(b, small, head, slow);
    /* for (i = 0; i < len; i++) if (m[i].key == key && m[i].klen == klen) return m[i].val; */
    LLVMPositionBuilderAtEnd(b, head);
    LLVMValueRef i = LLVMBuildPhi(b, l->i32, "i");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, i, len, ""), body, slow);
    LLVMPositionBuilderAtEnd(b, body);
    LLVMValueRef m = LLVMBuildInBoundsGEP2(b, l->i8, mem, (LLVMValueRef[]){LLVMBuildMul(b, LLVMBuildZExt(b, i, l->i64, ""), ci64(l, sizeof(asl_member)), "")}, 1, "m");
    LLVMValueRef mkl = load_at(l, f, l->i32, m, ci64(l, offsetof(asl_member, klen)), "klen");
    LLVMBasicBlockRef same_len = block(l, f, "samelen"), bytes = block(l, f, "bytes");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, mkl, ci32(l, s->klen), ""), same_len, next);
    /* The very same string (a generated key), else the same bytes: memcmp
     * of a constant length, which LLVM expands into a load or two. */
    LLVMPositionBuilderAtEnd(b, same_len);
    LLVMValueRef mk = load_at(l, f, l->ptr, m, ci64(l, offsetof(asl_member, key)), "key");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildPointerCast(b, mk, l->ptr, ""),
                                     LLVMBuildPointerCast(b, key, l->ptr, ""), ""), found, bytes);
    LLVMPositionBuilderAtEnd(b, bytes);
    LLVMTypeRef mty = LLVMFunctionType(l->i32, (LLVMTypeRef[]){l->ptr, l->ptr, l->i64}, 3, 0);
    LLVMValueRef memcmp_fn = LLVMGetNamedFunction(l->m, "memcmp");
    if (!memcmp_fn) memcmp_fn = LLVMAddFunction(l->m, "memcmp", mty);
    LLVMValueRef cargs[3] = {LLVMBuildPointerCast(b, mk, l->ptr, ""), LLVMBuildPointerCast(b, key, l->ptr, ""),
                             ci64(l, s->klen)};
    LLVMValueRef diff = LLVMBuildCall2(b, mty, memcmp_fn, cargs, 3, "");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, diff, ci32(l, 0), ""), found, next);
    LLVMPositionBuilderAtEnd(b, next);
    LLVMValueRef i1 = LLVMBuildAdd(b, i, ci32(l, 1), "");
    LLVMBuildBr(b, head);
    LLVMValueRef iv[2] = {ci32(l, 0), i1};
    LLVMBasicBlockRef ib[2] = {obj, next};
    LLVMAddIncoming(i, iv, ib, 2);
    LLVMPositionBuilderAtEnd(b, found);
    return load_at(l, f, l->ptr, m, ci64(l, offsetof(asl_member, val)), "val");
}

/* The call `id` of a path entry point (asl_param_path, asl_arg_path,
 * asl_choice_var) after the first step its PATH op names (fast: lower.c's
 * lir_path_fast, in a program of one part), as IR, as asl.h's asl_path_inline does it for the C
 * back end: $.a and $.a.b scanned in the input's members (generated keys
 * and path names are the same strings, str()), $$.Map.Item.Value, .Index
 * and .Value.a read from x, the Map iteration's exec.  Only a miss, a big
 * object or anything else calls the entry point, which decides and words
 * any error. */
static LLVMValueRef path_call(L *l, F *f, lir_fast fast, const asl_path *p, LLVMValueRef in, int id, unsigned n,
                              LLVMValueRef *args)
{
    if (fast == LIR_FAST_NONE)
        return LLVMBuildCall2(f->b, l->rt_ty[id], rt(l, id), args, n, "");
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef slow = block(l, f, "slow"), done = block(l, f, "got");
    LLVMValueRef val;
    switch (fast) {
    case LIR_FAST_KEY2:
        val = member_scan(l, f, member_scan(l, f, in, &p->segs[0], slow), &p->segs[1], slow);
        break;
    case LIR_FAST_ITEM_KEY:
        in = load_at(l, f, l->ptr, f->x, ci64(l, offsetof(asl_exec_head, map_value)), "item");
        val = member_scan(l, f, in, &p->segs[3], slow);
        break;
    case LIR_FAST_ITEM: {
        size_t off = p->map_item == ASL_ITEM_INDEX ? offsetof(asl_exec_head, map_index)
                                                   : offsetof(asl_exec_head, map_value);
        val = load_at(l, f, l->ptr, f->x, ci64(l, (int64_t)off), "item");
        LLVMBasicBlockRef got = block(l, f, "found");
        LLVMBuildCondBr(b, LLVMBuildIsNull(b, val, ""), slow, got);
        LLVMPositionBuilderAtEnd(b, got);
        break;
    }
    default:
        val = member_scan(l, f, in, &p->segs[0], slow);
        break;
    }
    LLVMBasicBlockRef found = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, slow);
    LLVMValueRef called = LLVMBuildCall2(b, l->rt_ty[id], rt(l, id), args, n, "");
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    return join(l, f, val, found, called, slow, "v");
}

/* asl_leave(x, v), after asl_leave_c's test as IR (where the LEAVE op says
 * so: a program of one part): an array or object whose JSON bound (jlen) is within 256 KiB
 * leaves as it is, without the call. */
static LLVMValueRef leave(L *l, F *f, LLVMValueRef v)
{
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef cont = block(l, f, "container"), fast = block(l, f, "small"), slow = block(l, f, "measure"),
                      done = block(l, f, "left");
    LLVMValueRef ty = value_type(l, f, v);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntUGE, ty, ci8(l, ASL_ARRAY), ""), cont, slow);
    LLVMPositionBuilderAtEnd(b, cont);
    LLVMValueRef jlen = load_at(l, f, l->i32, v, ci64(l, offsetof(asl_value, u.a.jlen)), "jlen");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULE, jlen, ci32(l, ASL_PAYLOAD_LIMIT), ""), fast, slow);
    LLVMPositionBuilderAtEnd(b, fast);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, slow);
    LLVMValueRef out = call(l, f, LIR_RT_LEAVE, 2, f->x, v);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    return join(l, f, v, fast, out, slow, "out");
}

/* asl_json_bound(v) as IR, in 64 bits (the caller saturates): a switch
 * on the type, each case reading only its own fields, as the C inline
 * does (selects computing every case cost 15 more instructions). */
static LLVMValueRef json_bound(L *l, F *f, LLVMValueRef v)
{
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef num = block(l, f, "bound_num"), strb = block(l, f, "bound_str"),
                      cont = block(l, f, "bound_container"), lit = block(l, f, "bound_lit"),
                      done = block(l, f, "bound");
    LLVMValueRef ty = value_type(l, f, v);
    LLVMValueRef sw = LLVMBuildSwitch(b, ty, lit, 4);
    LLVMAddCase(sw, ci8(l, ASL_NUMBER), num);
    LLVMAddCase(sw, ci8(l, ASL_STRING), strb);
    LLVMAddCase(sw, ci8(l, ASL_ARRAY), cont);
    LLVMAddCase(sw, ci8(l, ASL_OBJECT), cont);
    /* A number: its text's length, else 17 for an integer, 25 for a fraction. */
    LLVMPositionBuilderAtEnd(b, num);
    LLVMValueRef len = LLVMBuildZExt(b, load_at(l, f, l->i32, v, ci64(l, offsetof(asl_value, len)), "len"), l->i64, "");
    LLVMValueRef isint = LLVMBuildICmp(b, LLVMIntNE, load_at(l, f, l->i8, v, ci64(l, offsetof(asl_value, is_int)), "is_int"),
                                       ci8(l, 0), "");
    LLVMValueRef text = load_at(l, f, l->ptr, v, ci64(l, offsetof(asl_value, u.n.text)), "text");
    LLVMValueRef nb = LLVMBuildSelect(b, LLVMBuildIsNull(b, text, ""),
                                      LLVMBuildSelect(b, isint, ci64(l, 17), ci64(l, 25), ""), len, "");
    LLVMBuildBr(b, done);
    /* A string: its length and quotes, 6 bytes a byte unless plain (is_int). */
    LLVMPositionBuilderAtEnd(b, strb);
    LLVMValueRef slen = LLVMBuildZExt(b, load_at(l, f, l->i32, v, ci64(l, offsetof(asl_value, len)), "len"), l->i64, "");
    LLVMValueRef plain = LLVMBuildICmp(b, LLVMIntNE, load_at(l, f, l->i8, v, ci64(l, offsetof(asl_value, is_int)), "plain"),
                                       ci8(l, 0), "");
    LLVMValueRef sb = LLVMBuildAdd(b, LLVMBuildMul(b, slen, LLVMBuildSelect(b, plain, ci64(l, 1), ci64(l, 6), ""), ""),
                                   ci64(l, 2), "");
    LLVMBuildBr(b, done);
    /* An array or object: the bound it keeps. */
    LLVMPositionBuilderAtEnd(b, cont);
    LLVMValueRef jb = LLVMBuildZExt(b, load_at(l, f, l->i32, v, ci64(l, offsetof(asl_value, u.a.jlen)), "jlen"), l->i64, "");
    LLVMBuildBr(b, done);
    /* null, true (4), false (5). */
    LLVMPositionBuilderAtEnd(b, lit);
    LLVMValueRef lb = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntEQ, ty, ci8(l, ASL_FALSE), ""), ci64(l, 5), ci64(l, 4), "");
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    LLVMValueRef phi = LLVMBuildPhi(b, l->i64, "bound");
    LLVMValueRef vals[4] = {nb, sb, jb, lb};
    LLVMBasicBlockRef from[4] = {num, strb, cont, lit};
    LLVMAddIncoming(phi, vals, from, 4);
    return phi;
}

/* asl_object_append_lit(a, o, key, klen, v), after asl_object_append_lit_c's
 * fast path as IR where the MEMBER op says so (a program of one part): a member that fits the sized,
 * small object is written in place, its bound added to the object's. */
static void append_lit(L *l, F *f, bool inline_first, LLVMValueRef a, LLVMValueRef o, const char *key, uint32_t klen,
                       LLVMValueRef v, uint32_t known)
{
    LLVMValueRef k = str(l, key, klen);
    if (!inline_first) {
        call(l, f, LIR_RT_OBJECT_APPEND_LIT, 5, a, o, k, ci64(l, klen), v);
        return;
    }
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef fast = block(l, f, "put"), slow = block(l, f, "append"), done = block(l, f, "appended");
    LLVMValueRef len = load_at(l, f, l->i32, o, ci64(l, offsetof(asl_value, len)), "len");
    LLVMValueRef cap = load_at(l, f, l->i32, o, ci64(l, offsetof(asl_value, u.o.cap)), "cap");
    LLVMValueRef isint = load_at(l, f, l->i8, o, ci64(l, offsetof(asl_value, is_int)), "is_int");
    LLVMValueRef fits = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntULT, len, cap, ""),
                                     LLVMBuildICmp(b, LLVMIntEQ, isint, ci8(l, 0), ""), "");
    LLVMBuildCondBr(b, fits, fast, slow);
    LLVMPositionBuilderAtEnd(b, fast);
    LLVMValueRef jl = LLVMBuildZExt(b, load_at(l, f, l->i32, o, ci64(l, offsetof(asl_value, u.o.jlen)), "jlen"), l->i64, "");
    LLVMValueRef comma = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntNE, len, ci32(l, 0), ""), l->i64, "");
    /* the value's bound when known now (the C back end's asl_object_append_lit_k) */
    LLVMValueRef vb = known != LIR_NONE ? ci64(l, known) : json_bound(l, f, v);
    LLVMValueRef j = LLVMBuildAdd(b, LLVMBuildAdd(b, jl, ci64(l, (uint64_t)klen + 3), ""),
                                  LLVMBuildAdd(b, vb, comma, ""), "");
    LLVMValueRef max = ci64(l, UINT32_MAX);
    j = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntUGT, j, max, ""), max, j, "");
    store_at(l, f, LLVMBuildTrunc(b, j, l->i32, ""), o, ci64(l, offsetof(asl_value, u.o.jlen)));
    LLVMValueRef mem = load_at(l, f, l->ptr, o, ci64(l, offsetof(asl_value, u.o.members)), "members");
    LLVMValueRef moff = LLVMBuildMul(b, LLVMBuildZExt(b, len, l->i64, ""), ci64(l, sizeof(asl_member)), "");
    LLVMValueRef m = LLVMBuildInBoundsGEP2(b, l->i8, mem, &moff, 1, "m");
    store_at(l, f, k, m, ci64(l, offsetof(asl_member, key)));
    store_at(l, f, ci32(l, klen), m, ci64(l, offsetof(asl_member, klen)));
    store_at(l, f, v, m, ci64(l, offsetof(asl_member, val)));
    store_at(l, f, LLVMBuildAdd(b, len, ci32(l, 1), ""), o, ci64(l, offsetof(asl_value, len)));
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, slow);
    call(l, f, LIR_RT_OBJECT_APPEND_LIT, 5, a, o, k, ci64(l, klen), v);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
}

/* ---- paths ---------------------------------------------------------------------- */

static LLVMValueRef emit_segs(L *l, const char *name, const asl_seg *segs, uint32_t n);

/* The descriptors a segment points to (a filter and its relative path, the
 * members of a union) are made before the segment array itself. */
static void emit_seg_deps(L *l, const char *name, const asl_seg *s, uint32_t i, LLVMValueRef *filter,
                          LLVMValueRef *members)
{
    char sub[160];
    *filter = *members = cnull(l);
    if (s->kind == ASL_SEG_FILTER && s->filter) {
        const asl_filter *f = s->filter;
        snprintf(sub, sizeof sub, "%s_%u_lhs", name, i);
        LLVMValueRef lhs = f->nlhs ? emit_segs(l, sub, f->lhs, f->nlhs) : cnull(l);
        LLVMValueRef v[7] = {ci8(l, f->op), ci8(l, f->rtype), ci32(l, f->nlhs), lhs, cdbl(l, f->rnum),
                             f->rstr ? str(l, f->rstr, f->rlen) : cnull(l), ci32(l, f->rlen)};
        snprintf(sub, sizeof sub, "%s_%u_f", name, i);
        *filter = ccast(l, global(l, sub, cstruct_of(l, S_FILTER, v, sizeof v / sizeof *v)));
    }
    if (s->nunion && s->members) {  /* a union, or the step after a '..' */
        snprintf(sub, sizeof sub, "%s_%u_u", name, i);
        *members = emit_segs(l, sub, s->members, s->nunion);
    }
}

static LLVMValueRef emit_segs(L *l, const char *name, const asl_seg *segs, uint32_t n)
{
    LLVMValueRef *vals = asl_xmalloc(n * sizeof *vals);
    for (uint32_t i = 0; i < n; i++) {
        const asl_seg *s = &segs[i];
        LLVMValueRef filter, members;
        emit_seg_deps(l, name, s, i, &filter, &members);
        LLVMValueRef v[11] = {ci8(l, s->kind), ci8(l, s->has_start), ci8(l, s->has_end),
                              ci32(l, s->klen), s->key ? str(l, s->key, s->klen) : cnull(l),
                              ci64(l, s->start), ci64(l, s->end), ci64(l, s->step),
                              s->kind == ASL_SEG_FILTER && s->filter ? filter : cnull(l),
                              ci32(l, s->nunion && s->members ? s->nunion : 0),
                              s->nunion && s->members ? members : cnull(l)};
        vals[i] = cstruct_of(l, S_SEG, v, sizeof v / sizeof *v);
    }
    LLVMValueRef g = global(l, name, const_array(l->st[S_SEG], vals, n));
    free(vals);
    return ccast(l, g);
}

static uint32_t emit_const(L *l, const char *json_text);
static LLVMValueRef kslot(L *l, uint32_t id);
static LLVMValueRef emit_tmpl_fn(L *l, const lir_fn *lf);

/* J_n, the JSONata field P_n stands for (emit_c.c's emit_jn_field): its
 * templates (tp_), its constant and its expression (jn_, which the JSONata
 * code generator puts in the module first). */
static LLVMValueRef emit_jn_field(L *l, const asl_path *p, uint32_t id)
{
    const lir_jn *lj = lir_jn_of(l->lp, p);
    const ir_jn *j = (const ir_jn *)(const void *)p->jn;
    LLVMValueRef expr = cnull(l);
    if (lj->expr) {
        LLVMValueRef fn = LLVMGetNamedFunction(l->m, lj->expr->name);
        if (!fn) fn = LLVMAddFunction(l->m, lj->expr->name, LLVMFunctionType(l->ptr, (LLVMTypeRef[]){l->ptr, l->ptr, l->ptr}, 3, 0));
        expr = ccast(l, fn);
    }
    LLVMValueRef eval = LLVMGetNamedFunction(l->m, "asl_jn_field_eval");
    if (!eval)
        eval = LLVMAddFunction(l->m, "asl_jn_field_eval",
                               LLVMFunctionType(l->ptr, (LLVMTypeRef[]){l->ptr, l->ptr, l->ptr, l->ptr}, 4, 0));
    LLVMValueRef v[9] = {ci8(l, j->field.kind), ci8(l, j->field.type), strz(l, j->field.where), strz(l, j->field.src),
                         expr, lj->tmpl ? ccast(l, emit_tmpl_fn(l, lj->tmpl)) : cnull(l),
                         lj->assign ? ccast(l, emit_tmpl_fn(l, lj->assign)) : cnull(l),
                         j->ktext ? kslot(l, emit_const(l, j->ktext)) : cnull(l), ccast(l, eval)};
    char name[32];
    snprintf(name, sizeof name, "J_%u", id);
    return ccast(l, global(l, name, cstruct_of(l, S_JNF, v, 9)));
}

/* The descriptor P_n of p, as a pointer; made the first time the path is seen. */
static LLVMValueRef emit_path(L *l, const asl_path *p)
{
    bool fresh;
    aslc_path_key(&l->key, p);
    uint32_t id = aslc_ids_get(&l->path_ids, l->key.data, l->key.len, &fresh);
    if (!fresh) return l->pathv[id];
    l->npaths++;
    if (id >= l->cap_pathv) {
        l->cap_pathv = l->cap_pathv ? l->cap_pathv * 2 : 64;
        l->pathv = asl_xrealloc(l->pathv, l->cap_pathv * sizeof *l->pathv);
    }
    char name[32];
    snprintf(name, sizeof name, "P_%u_segs", id);
    LLVMValueRef segs = p->nseg ? emit_segs(l, name, p->segs, p->nseg) : cnull(l);
    LLVMValueRef jn = p->root == ASL_ROOT_JSONATA ? emit_jn_field(l, p, id) : cnull(l);
    LLVMValueRef v[7] = {strz(l, p->text),     ci8(l, p->root),     ci8(l, p->definite),
                         ci8(l, p->map_item), ci32(l, p->nseg), segs, jn};
    snprintf(name, sizeof name, "P_%u", id);
    return l->pathv[id] = ccast(l, global(l, name, cstruct_of(l, S_PATH, v, sizeof v / sizeof *v)));
}

/* ---- constants ------------------------------------------------------------------ */

/* The number of the constant K[n] of this JSON text. */
static uint32_t emit_const(L *l, const char *json_text)
{
    bool fresh;
    uint32_t id = aslc_ids_get(&l->const_ids, json_text, strlen(json_text), &fresh);
    if (!fresh) return id;
    if (l->nconsts == l->cap_consts) {
        l->cap_consts = l->cap_consts ? l->cap_consts * 2 : 64;
        l->consts = asl_xrealloc(l->consts, l->cap_consts * sizeof *l->consts);
    }
    l->consts[l->nconsts] = json_text;
    return l->nconsts++;
}

/* ---- intrinsic calls and templates, built from the LIR -------------------------------
 * As the C back end prints them (emit_c.c): a template's ops are in
 * pre-order, values are registers of the LIR function, an intrinsic call
 * made in the state puts its arguments into the exec's slots
 * (asl_call_args) and calls the function.  What the ops need (paths,
 * constants, helpers fn_n) is made first, in op order (prep_ops), so that
 * the numbering agrees with the C output; then the ops are built. */

/* &K[id], a constant address (the slot is filled at start). */
static LLVMValueRef kslot(L *l, uint32_t id)
{
    LLVMValueRef idx = ci64(l, id);
    return ccast(l, LLVMConstInBoundsGEP2(l->ptr, l->kref, &idx, 1));
}

/* What ops [at, end) of f need, made in their order: P_n, K[n], fn_n. */
static LLVMValueRef emit_call_fn(L *l, const lir_fn *f);

static void prep_ops(L *l, const lir_fn *f, uint32_t at, uint32_t end)
{
    for (uint32_t i = at; i < end; i++) {
        const lir_op *o = &f->ops[i];
        if (o->k == LIR_PATH) emit_path(l, o->path);
        else if (o->k == LIR_CONST) emit_const(l, o->str);
        else if (o->k == LIR_HELPER) emit_call_fn(l, o->target_fn);
    }
}

/* The end of the value whose ops start at `at` (lower.c's pre-order: a
 * container's members and BOUND, a call's arguments before it). */
static uint32_t value_end(const lir_fn *f, const uint32_t *use, uint32_t at)
{
    const lir_op *o = &f->ops[at];
    if (o->k != LIR_NEW) {
        while (o->d < f->nregs && use[o->d] != LIR_NONE && f->ops[use[o->d]].k == LIR_CALL) o = &f->ops[use[o->d]];
        return (uint32_t)(o - f->ops) + 1;
    }
    at++;
    for (uint32_t i = 0; i < o->n; i++) at = value_end(f, use, at) + 1;   /* the value, its MEMBER/PUSH */
    return o->tmpl ? at + 1 : at;                                         /* BOUND */
}

/* The op that takes each register of f (a CALL's argument, a member). */
static uint32_t *uses_of(const lir_fn *f)
{
    uint32_t n = f->nregs ? f->nregs : 1;
    uint32_t *use = asl_xmalloc(n * sizeof *use);
    for (uint32_t i = 0; i < n; i++) use[i] = LIR_NONE;
    for (uint32_t i = 0; i < f->nops; i++) {
        const lir_op *o = &f->ops[i];
        if (o->k == LIR_CALL)
            for (uint32_t k = 0; k < o->call->argc; k++) use[o->args[k]] = i;
        if ((o->k == LIR_MEMBER || o->k == LIR_PUSH) && o->b < n) use[o->b] = i;
    }
    return use;
}

/* FMT_n of a States.Format split now, as a constant address. */
static LLVMValueRef fmt_global(L *l, const lir_op *o)
{
    asl_fmt fmt;
    if (!aslc_format_split(l->p->arena, o->call, &fmt)) return NULL;
    char name[48];
    LLVMValueRef *pv = asl_xmalloc((fmt.holes + 1) * sizeof *pv);
    for (uint32_t k = 0; k <= fmt.holes; k++) {
        LLVMValueRef kv[2] = {str(l, fmt.pieces[k].key, fmt.pieces[k].klen), ci32(l, fmt.pieces[k].klen)};
        pv[k] = cstruct_of(l, S_LIT_KEY, kv, 2);
    }
    uint32_t id = o->k == LIR_CALL ? o->len : 0;
    snprintf(name, sizeof name, "FMT_%u_pieces", id);
    LLVMValueRef pieces = global(l, name, const_array(l->st[S_LIT_KEY], pv, fmt.holes + 1));
    free(pv);
    LLVMValueRef fv[4] = {ci32(l, fmt.holes), ci32(l, fmt.lit), ci8(l, fmt.plain), ccast(l, pieces)};
    snprintf(name, sizeof name, "FMT_%u", id);
    return ccast(l, global(l, name, cstruct_of(l, S_FMT, fv, 4)));
}

/* The intrinsic c on the argument array arr (argc pointers), as the C back
 * end's call_expr: asl_format of FMT_n, else the function itself. */
static LLVMValueRef call_intrinsic(L *l, F *f, const lir_op *c, LLVMValueRef arr)
{
    LLVMValueRef g = c->n == LIR_CALL_FORMAT ? fmt_global(l, c) : NULL;
    if (g) return call(l, f, LIR_RT_FORMAT, 3, f->x, g, cast(l, f, arr));
    LLVMTypeRef fty;
    LLVMValueRef fn = intrinsic_fn(l, c->call->fn, &fty);
    LLVMValueRef args[3] = {f->x, ci32(l, c->call->argc), cast(l, f, arr)};
    return LLVMBuildCall2(f->b, fty, fn, args, 3, "");
}

/* A number's type and is_int both set: p->type == ASL_NUMBER && p->is_int. */
static LLVMValueRef is_int_number(L *l, F *f, LLVMValueRef v)
{
    LLVMValueRef isint = load_at(l, f, l->i8, v, ci64(l, offsetof(asl_value, is_int)), "is_int");
    return LLVMBuildAnd(f->b, LLVMBuildICmp(f->b, LLVMIntEQ, value_type(l, f, v), ci8(l, ASL_NUMBER), ""),
                        LLVMBuildICmp(f->b, LLVMIntNE, isint, ci8(l, 0), ""), "");
}

/* lo <= d && d <= hi, as asl_math_add_c's range test. */
static LLVMValueRef in_int_range(L *l, F *f, LLVMValueRef d)
{
    return LLVMBuildAnd(f->b, LLVMBuildFCmp(f->b, LLVMRealOGE, d, cdbl(l, -2147483648.0), ""),
                        LLVMBuildFCmp(f->b, LLVMRealOLE, d, cdbl(l, 2147483647.0), ""), "");
}

/* States.MathAdd(p, q) as asl.h's asl_math_add_c, in IR: two integers
 * whose sum stays an int add here; anything else calls asl_math_add2. */
static LLVMValueRef math_add_in_place(L *l, F *f, LLVMValueRef p, LLVMValueRef q)
{
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef ints = block(l, f, "ints"), fast = block(l, f, "add"), slow = block(l, f, "add_call"),
                      done = block(l, f, "added");
    LLVMBuildCondBr(b, LLVMBuildAnd(b, is_int_number(l, f, p), is_int_number(l, f, q), ""), ints, slow);
    LLVMPositionBuilderAtEnd(b, ints);
    LLVMValueRef np = load_at(l, f, l->dbl, p, ci64(l, offsetof(asl_value, u.n.num)), "np");
    LLVMValueRef nq = load_at(l, f, l->dbl, q, ci64(l, offsetof(asl_value, u.n.num)), "nq");
    LLVMValueRef sum = LLVMBuildFAdd(b, np, nq, "sum");
    LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildAnd(b, in_int_range(l, f, np), in_int_range(l, f, nq), ""),
                                   in_int_range(l, f, sum), "");
    LLVMBuildCondBr(b, ok, fast, slow);
    LLVMPositionBuilderAtEnd(b, fast);
    LLVMValueRef made = call(l, f, LIR_RT_NUMBER_INT, 2, exec_arena(l, f), sum);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, slow);
    LLVMValueRef called = call(l, f, LIR_RT_MATH_ADD2, 3, f->x, p, q);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    return join(l, f, made, fast, called, slow, "m");
}

/* d is a finite number: d - d is 0 only then (NaN and infinities give NaN). */
static LLVMValueRef jn_finite(L *l, F *f, LLVMValueRef d)
{
    return LLVMBuildFCmp(f->b, LLVMRealOEQ, LLVMBuildFSub(f->b, d, d, ""), cdbl(l, 0.0), "finite");
}

/* A lir_jnfast's operand, read by asl_jn_slot, as a double; the builder is
 * left where it is a finite number, and everything else (no such variable,
 * another type) goes to block no: the generic path. */
static LLVMValueRef jn_operand(L *l, F *f, const lir_jnfast *jf, LLVMBasicBlockRef no)
{
    LLVMBuilderRef b = f->b;
    LLVMValueRef j = call(l, f, LIR_RT_JN_SLOT, 4, f->x, ci32(l, jf->var_slot), str(l, jf->var, jf->var_len),
                          ci64(l, jf->var_len));
    LLVMBasicBlockRef have = block(l, f, "jn_have"), num = block(l, f, "jn_num"), fin = block(l, f, "jn_finite");
    LLVMBuildCondBr(b, LLVMBuildIsNull(b, j, ""), no, have);
    LLVMPositionBuilderAtEnd(b, have);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, value_type(l, f, j), ci8(l, ASL_NUMBER), ""), num, no);
    LLVMPositionBuilderAtEnd(b, num);
    LLVMValueRef d = load_at(l, f, l->dbl, j, ci64(l, offsetof(asl_value, u.n.num)), "jn_n");
    LLVMBuildCondBr(b, jn_finite(l, f, d), fin, no);
    LLVMPositionBuilderAtEnd(b, fin);
    return d;
}

/* Ops [at, end) of lf built into f, from in (the template's input, or the
 * helper's); returns the register values (the caller frees them).  A
 * failing op goes to f's fail block. */
static LLVMValueRef *build_ops(L *l, F *f, const lir_fn *lf, uint32_t at, uint32_t end, LLVMValueRef in)
{
    uint32_t n = lf->nregs ? lf->nregs : 1;
    LLVMValueRef *val = asl_xmalloc(n * sizeof *val), *acc = asl_xmalloc(n * sizeof *acc),
                 *mem = asl_xmalloc(n * sizeof *mem);
    uint32_t *idx = asl_xmalloc(n * sizeof *idx);
    LLVMValueRef a = NULL;   /* the exec's arena, read at the first container */
    for (uint32_t i = at; i < end; i++) {
        const lir_op *o = &lf->ops[i];
        switch (o->k) {
        case LIR_CONST:
            val[o->d] = kval(l, f, emit_const(l, o->str));
            break;
        case LIR_PATH: {
            LLVMValueRef args[4] = {f->x, in, emit_path(l, o->path), NULL};
            unsigned na = 3;
            if (o->rt == LIR_RT_PARAM_PATH) args[na++] = str(l, o->str, o->len);
            val[o->d] = or_null(l, f, path_call(l, f, (lir_fast)o->fast, o->path, in, o->rt, na, args));
            break;
        }
        case LIR_HELPER:
            val[o->d] = or_null(l, f, call_fn(l, f, l->t_state, emit_call_fn(l, o->target_fn), f->x, in));
            break;
        case LIR_CALL:
            if (o->n == LIR_CALL_MATH_ADD && o->fast) {
                val[o->d] = or_null(l, f, math_add_in_place(l, f, val[o->args[0]], val[o->args[1]]));
            } else if (o->n == LIR_CALL_MATH_ADD) {
                val[o->d] = or_null(l, f, call(l, f, LIR_RT_MATH_ADD2, 3, f->x, val[o->args[0]], val[o->args[1]]));
            } else {
                /* the exec's own argument slots, asl_call_args(x) */
                LLVMValueRef slots = LLVMBuildInBoundsGEP2(f->b, l->i8, f->x,
                                                           (LLVMValueRef[]){ci64(l, offsetof(asl_exec_head, args))}, 1, "args");
                for (uint32_t k = 0; k < o->call->argc; k++)
                    store_at(l, f, val[o->args[k]], slots, ci64(l, (int64_t)(k * sizeof(asl_value *))));
                val[o->d] = or_null(l, f, call_intrinsic(l, f, o, slots));
            }
            break;
        case LIR_NEW:
            if (!a) a = exec_arena(l, f);
            if (o->tmpl) {
                /* Made with its keys in place (asl_object_sized, then the keys'
                 * stores, as the C back end's asl_object_shaped_c): a store per
                 * member, whose bound is added up as the member comes (the C back
                 * end's asl_member_set), the sum stored once at the end. */
                const ir_tmpl *t = o->tmpl;
                LLVMValueRef ob = call(l, f, LIR_RT_OBJECT_SIZED, 2, a, ci32(l, t->n));
                mem[o->d] = load_at(l, f, l->ptr, ob, ci64(l, offsetof(asl_value, u.o.members)), "members");
                for (uint32_t k = 0; k < t->n; k++) {
                    int64_t off = (int64_t)(k * sizeof(asl_member));
                    store_at(l, f, str(l, t->members[k].key, t->members[k].klen), mem[o->d],
                             ci64(l, off + (int64_t)offsetof(asl_member, key)));
                    store_at(l, f, ci32(l, t->members[k].klen), mem[o->d], ci64(l, off + (int64_t)offsetof(asl_member, klen)));
                }
                acc[o->d] = ci64(l, aslc_shape_jlen(t));
                val[o->d] = ob;
            } else {
                val[o->d] = call(l, f, o->rt == LIR_RT_ARRAY ? LIR_RT_ARRAY : LIR_RT_OBJECT, 2, a, ci32(l, o->n));
            }
            idx[o->d] = 0;
            break;
        case LIR_MEMBER: {
            LLVMValueRef v = val[o->b];
            if (o->fast == 2) {   /* in place, in an object of known keys */
                uint32_t k = idx[o->a]++;
                store_at(l, f, v, mem[o->a], ci64(l, (int64_t)(k * sizeof(asl_member) + offsetof(asl_member, val))));
                acc[o->a] = LLVMBuildAdd(f->b, acc[o->a], o->n != LIR_NONE ? ci64(l, o->n) : json_bound(l, f, v), "");
            } else if (o->rt == LIR_RT_OBJECT_APPEND_LIT) {
                /* _lit takes the literal as it is, and a key that needs no JSON
                 * escape (its payload bound); any other key is copied and measured. */
                append_lit(l, f, o->fast, a, val[o->a], o->str, o->len, v, o->n);
            } else {
                call(l, f, LIR_RT_OBJECT_APPEND, 5, a, val[o->a], str(l, o->str, o->len), ci64(l, o->len), v);
            }
            break;
        }
        case LIR_PUSH:
            call(l, f, LIR_RT_ARRAY_PUSH, 3, a, val[o->a], val[o->b]);
            break;
        case LIR_BOUND: {
            LLVMValueRef max = ci64(l, UINT32_MAX), sum = acc[o->a];
            sum = LLVMBuildSelect(f->b, LLVMBuildICmp(f->b, LLVMIntUGT, sum, max, ""), max, sum, "");
            store_at(l, f, LLVMBuildTrunc(f->b, sum, l->i32, ""), val[o->a], ci64(l, offsetof(asl_value, u.o.jlen)));
            break;
        }
        default:
            break;
        }
    }
    free(acc);
    free(mem);
    free(idx);
    return val;
}

/* fn_n(x, in) of lower.c's helper f: the arguments into a[] (what they
 * need made first, nested helpers too), then the call.  Made once. */
static LLVMValueRef emit_call_fn(L *l, const lir_fn *lf)
{
    LLVMValueRef fn = LLVMGetNamedFunction(l->m, lf->name);
    if (fn) return fn;
    const lir_op *c = &lf->ops[lf->nops - 2];   /* the CALL, then the return */
    prep_ops(l, lf, 0, lf->nops - 2);
    uint32_t n = c->call->argc;
    F f;
    begin(l, &f, define(l, lf->name, l->t_state));
    LLVMTypeRef at = array_of(l->ptr, n ? n : 1);
    LLVMValueRef arr = LLVMBuildAlloca(f.b, at, "a");
    LLVMValueRef *val = build_ops(l, &f, lf, 0, lf->nops - 2, f.in);
    for (uint32_t i = 0; i < (n ? n : 1); i++) {
        LLVMValueRef idx[2] = {ci64(l, 0), ci64(l, i)};
        LLVMBuildStore(f.b, n ? val[c->args[i]] : cnull(l), LLVMBuildInBoundsGEP2(f.b, at, arr, idx, 2, ""));
    }
    if (c->n == LIR_CALL_MATH_ADD) {   /* its common case inline (asl.h) */
        LLVMValueRef p = LLVMBuildLoad2(f.b, l->ptr, LLVMBuildInBoundsGEP2(f.b, at, arr, (LLVMValueRef[]){ci64(l, 0), ci64(l, 0)}, 2, ""), "");
        LLVMValueRef q = LLVMBuildLoad2(f.b, l->ptr, LLVMBuildInBoundsGEP2(f.b, at, arr, (LLVMValueRef[]){ci64(l, 0), ci64(l, 1)}, 2, ""), "");
        LLVMBuildRet(f.b, c->fast ? math_add_in_place(l, &f, p, q) : call(l, &f, LIR_RT_MATH_ADD2, 3, f.x, p, q));
    } else {
        LLVMBuildRet(f.b, call_intrinsic(l, &f, c, arr));
    }
    end(&f);
    free(val);
    return f.fn;
}

typedef struct {
    LLVMValueRef *v;
    uint32_t n, cap;
    const lir_fn *const *helpers;  /* the fn_ of the CALL nodes, in order */
} nodes;

/* The nodes of t in pre-order, as emit_tmpl_nodes in emit_c.c: what a node
 * needs (its constant, path or call) is made before its children's. */
static void emit_tmpl_nodes(L *l, nodes *out, const ir_tmpl *t, const char *key, uint32_t klen)
{
    static const uint8_t kinds[] = {[IR_T_CONST] = ASL_TM_CONST, [IR_T_OBJECT] = ASL_TM_OBJECT,
                                    [IR_T_ARRAY] = ASL_TM_ARRAY, [IR_T_PATH] = ASL_TM_PATH,
                                    [IR_T_CALL] = ASL_TM_CALL};
    LLVMValueRef path = cnull(l), k = cnull(l), fn = cnull(l);
    if (t->kind == IR_T_CONST) k = kslot(l, emit_const(l, t->ctext));
    else if (t->kind == IR_T_PATH) path = emit_path(l, t->path);
    else if (t->kind == IR_T_CALL) fn = ccast(l, emit_call_fn(l, *out->helpers++));
    bool container = t->kind == IR_T_OBJECT || t->kind == IR_T_ARRAY;
    LLVMValueRef v[7] = {ci8(l, kinds[t->kind]), ci32(l, container ? t->n : 0), str(l, key, klen),
                         ci32(l, klen), path, k, fn};
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->v = asl_xrealloc(out->v, out->cap * sizeof *out->v);
    }
    out->v[out->n++] = cstruct_of(l, S_TMPL, v, sizeof v / sizeof *v);
    for (uint32_t i = 0; container && i < t->n; i++) {
        if (t->kind == IR_T_OBJECT) emit_tmpl_nodes(l, out, t->members[i].val, t->members[i].key, t->members[i].klen);
        else emit_tmpl_nodes(l, out, t->items[i], key, klen);
    }
}

/* TP_n of a large program's TEMPLATE op o, the nodes of its template. */
static LLVMValueRef emit_tmpl(L *l, const lir_op *o)
{
    nodes out = {0};
    out.helpers = o->helpers;
    emit_tmpl_nodes(l, &out, o->tmpl, "", 0);
    char name[32];
    snprintf(name, sizeof name, "TP_%u", o->len);
    LLVMValueRef g = global(l, name, const_array(l->st[S_TMPL], out.v, out.n));
    free(out.v);
    return ccast(l, g);
}

/* A small program's template whose ops start at op `at` of lf: its extent
 * (*end), what it needs made now (prep_ops). */
static uint32_t prep_tmpl(L *l, const lir_fn *lf, uint32_t at)
{
    uint32_t *use = uses_of(lf);
    uint32_t end = value_end(lf, use, at);
    free(use);
    prep_ops(l, lf, at, end);
    return end;
}

/* The template of ops [at, end) of lf built into f from in; its value. */
static LLVMValueRef build_tmpl(L *l, F *f, const lir_fn *lf, uint32_t at, uint32_t end, LLVMValueRef in)
{
    uint32_t *use = uses_of(lf);
    LLVMValueRef *val = build_ops(l, f, lf, at, end, in);
    const lir_op *o = &lf->ops[at];   /* the value: the container, or the root of the first op */
    while (o->k != LIR_NEW && o->d < lf->nregs && use[o->d] != LIR_NONE && lf->ops[use[o->d]].k == LIR_CALL)
        o = &lf->ops[use[o->d]];
    LLVMValueRef v = val[o->d];
    free(val);
    free(use);
    return v;
}

/* tp_n(x, in), a Map's item selector or batch input (lower.c's tp_ function
 * lf), as emit_tmpl_fn in emit_c.c: asl_template(x, in, TP_n) in a large
 * program, the template built in place in a small one. */
static LLVMValueRef emit_tmpl_fn(L *l, const lir_fn *lf)
{
    LLVMValueRef tp = NULL;
    uint32_t last = 0;
    if (l->lay.big) tp = emit_tmpl(l, &lf->ops[0]);
    else last = prep_tmpl(l, lf, 0);
    F f;
    begin(l, &f, define(l, lf->name, l->t_state));
    if (tp) LLVMBuildRet(f.b, call(l, &f, LIR_RT_TEMPLATE, 3, f.x, f.in, tp));
    else LLVMBuildRet(f.b, build_tmpl(l, &f, lf, 0, last, f.in));
    end(&f);
    return f.fn;
}

/* ---- Choice rules --------------------------------------------------------------------- */

/* (int)(b8 != 0) */
static LLVMValueRef bool_int(L *l, F *f, LLVMValueRef b8)
{
    return LLVMBuildZExt(f->b, LLVMBuildICmp(f->b, LLVMIntNE, b8, ci8(l, 0), ""), l->i32, "");
}

/* The rule function f (lower.c's r_n): 1 (true), 0 (false) or -1 (failed),
 * after the rules it calls; a case per op. */
static LLVMValueRef emit_rule(L *l, const lir_fn *f0)
{
    LLVMValueRef *kids = asl_xmalloc((f0->nops ? f0->nops : 1) * sizeof *kids);
    for (uint32_t i = 0; i < f0->nops; i++)
        if (f0->ops[i].k == LIR_RULE) kids[i] = emit_rule(l, f0->ops[i].target_fn);
    const ir_rule *r = lir_rule_of(f0);
    F f;
    begin(l, &f, define(l, f0->name, l->t_rule));
    LLVMBuilderRef b = f.b;
    const lir_op *last = &f0->ops[f0->nops - 1];
    if (last->k == LIR_RULE && r->op == IR_OP_NOT) {
        LLVMValueRef m = call_fn(l, &f, l->t_rule, kids[0], f.x, f.in);
        LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, m, ci32(l, 0), "");
        LLVMValueRef notm = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntEQ, m, ci32(l, 0), ""), l->i32, "");
        LLVMBuildRet(b, LLVMBuildSelect(b, neg, m, notm, ""));
        goto done;
    }
    if (last->k == LIR_RULE) {
        /* And: the first rule that is not true decides; Or: the first that is not false. */
        int stop = r->op == IR_OP_AND ? 1 : 0;
        for (uint32_t i = 0; i < f0->nops; i++) {
            LLVMValueRef m = call_fn(l, &f, l->t_rule, kids[i], f.x, f.in);
            LLVMBasicBlockRef ret = block(l, &f, "decided"), next = block(l, &f, "");
            LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, m, ci32(l, stop), ""), ret, next);
            LLVMPositionBuilderAtEnd(b, ret);
            LLVMBuildRet(b, m);
            LLVMPositionBuilderAtEnd(b, next);
        }
        LLVMBuildRet(b, ci32(l, stop));
        goto done;
    }
    LLVMValueRef v = NULL, w = NULL, res = NULL;
    for (uint32_t i = 0; i < f0->nops; i++) {
        const lir_op *o = &f0->ops[i];
        LLVMValueRef path = o->path ? emit_path(l, o->path) : NULL;
        LLVMValueRef op = ci32(l, (int64_t)o->n);
        switch (o->rt) {
        case LIR_RT_PATH_SELECT: {
            LLVMValueRef slot = LLVMBuildAlloca(b, l->ptr, "v");
            LLVMValueRef sel = call(l, &f, LIR_RT_PATH_SELECT, 4, f.x, f.in, path, cast(l, &f, slot));
            if (r->op == IR_OP_IS_PRESENT) {
                LLVMValueRef is = LLVMBuildICmp(b, r->b ? LLVMIntNE : LLVMIntEQ, sel, ci8(l, 0), "");
                LLVMBuildRet(b, LLVMBuildZExt(b, is, l->i32, ""));
                goto done;
            }
            /* Is* tests on an absent variable are false, not an error. */
            LLVMBasicBlockRef absent = block(l, &f, "absent"), test = block(l, &f, "test");
            LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, sel, ci8(l, 0), ""), absent, test);
            LLVMPositionBuilderAtEnd(b, absent);
            LLVMBuildRet(b, ci32(l, 0));
            LLVMPositionBuilderAtEnd(b, test);
            LLVMValueRef sv = LLVMBuildLoad2(b, l->ptr, slot, "v");
            LLVMValueRef is;
            if (r->op == IR_OP_IS_TIMESTAMP) {
                is = LLVMBuildICmp(b, LLVMIntNE, call(l, &f, LIR_RT_CHOICE_IS_TIMESTAMP, 1, sv), ci8(l, 0), "");
            } else {
                LLVMValueRef ty = value_type(l, &f, sv);
                if (r->op == IR_OP_IS_BOOLEAN)  /* asl_is_bool() */
                    is = LLVMBuildOr(b, LLVMBuildICmp(b, LLVMIntEQ, ty, ci8(l, ASL_TRUE), ""),
                                     LLVMBuildICmp(b, LLVMIntEQ, ty, ci8(l, ASL_FALSE), ""), "");
                else
                    is = LLVMBuildICmp(b, LLVMIntEQ, ty,
                                       ci8(l, r->op == IR_OP_IS_NULL      ? ASL_NULL
                                              : r->op == IR_OP_IS_NUMERIC ? ASL_NUMBER
                                                                          : ASL_STRING),
                                       "");
            }
            if (!r->b) is = LLVMBuildNot(b, is, "");
            LLVMBuildRet(b, LLVMBuildZExt(b, is, l->i32, ""));
            goto done;
        }
        case LIR_RT_JN_SLOT: {   /* the Condition in line (lir_jnfast); the ops after it when it declines */
            static const LLVMRealPredicate jp[] = {[LIR_JF_EQ] = LLVMRealOEQ, [LIR_JF_NE] = LLVMRealUNE,
                                                   [LIR_JF_LT] = LLVMRealOLT, [LIR_JF_LE] = LLVMRealOLE,
                                                   [LIR_JF_GT] = LLVMRealOGT, [LIR_JF_GE] = LLVMRealOGE};
            LLVMBasicBlockRef generic = block(l, &f, "jn_generic");
            LLVMValueRef d = jn_operand(l, &f, o->jf, generic);
            LLVMBuildRet(b, LLVMBuildZExt(b, LLVMBuildFCmp(b, jp[o->jf->op], d, cdbl(l, o->jf->num), ""), l->i32, ""));
            LLVMPositionBuilderAtEnd(b, generic);
            break;
        }
        case LIR_RT_CHOICE_VAR: {
            LLVMValueRef got = path_call(l, &f, (lir_fast)o->fast, o->path, f.in, LIR_RT_CHOICE_VAR, 3, (LLVMValueRef[]){f.x, f.in, path});
            LLVMBasicBlockRef absent = block(l, &f, "absent"), cmp = block(l, &f, "cmp");
            LLVMBuildCondBr(b, LLVMBuildIsNull(b, got, ""), absent, cmp);
            LLVMPositionBuilderAtEnd(b, absent);
            LLVMBuildRet(b, ci32(l, -1));
            LLVMPositionBuilderAtEnd(b, cmp);
            *(i && f0->ops[i - 1].rt == LIR_RT_CHOICE_VAR ? &w : &v) = got;   /* (a Condition in line goes before v) */
            break;
        }
        case LIR_RT_CHOICE_STRING:
            res = call(l, &f, LIR_RT_CHOICE_STRING, 4, v, op, str(l, o->str, o->len), ci32(l, o->len));
            break;
        case LIR_RT_CHOICE_TIMESTAMP:
            res = call(l, &f, LIR_RT_CHOICE_TIMESTAMP, 3, v, op, str(l, o->str, o->len));
            break;
        case LIR_RT_CHOICE_MATCHES:
            res = call(l, &f, LIR_RT_CHOICE_MATCHES, 2, v, str(l, o->str, o->len));
            break;
        case LIR_RT_CHOICE_NUMBER:
            if (!o->fast) {
                res = call(l, &f, LIR_RT_CHOICE_NUMBER, 3, v, op, cdbl(l, o->num));
            } else {   /* asl_choice_number_c: a number, compared with the operator known */
                static const LLVMRealPredicate pred[] = {LLVMRealOEQ, LLVMRealOLT, LLVMRealOGT, LLVMRealOLE,
                                                         LLVMRealOGE};
                LLVMValueRef isnum = LLVMBuildICmp(b, LLVMIntEQ, value_type(l, &f, v), ci8(l, ASL_NUMBER), "");
                LLVMValueRef num = load_at(l, &f, l->dbl, v, ci64(l, offsetof(asl_value, u.n.num)), "num");
                LLVMValueRef holds = LLVMBuildFCmp(b, pred[o->n], num, cdbl(l, o->num), "");
                res = LLVMBuildZExt(b, LLVMBuildAnd(b, isnum, holds, ""), l->i8, "");
            }
            break;
        case LIR_RT_CHOICE_BOOLEAN:
            res = call(l, &f, LIR_RT_CHOICE_BOOLEAN, 2, v, ci8(l, r->b));
            break;
        case LIR_RT_CHOICE_BOOLEAN_V:
            res = call(l, &f, LIR_RT_CHOICE_BOOLEAN_V, 2, v, w);
            break;
        default:   /* asl_choice_{string,number,timestamp}_v */
            res = call(l, &f, o->rt, 3, v, op, w);
            break;
        }
    }
    LLVMBuildRet(b, bool_int(l, &f, res));
done:
    end(&f);
    free(kids);
    return f.fn;
}

/* ---- states ------------------------------------------------------------------------------ */

static void emit_machine(L *l, const ir_machine *m);

/* S_<cname>: the state's descriptor. */
static LLVMValueRef emit_header(L *l, const ir_state *s)
{
    char name[512];
    snprintf(name, sizeof name, "S_%s", s->cname);
    LLVMValueRef v[4] = {strz(l, s->name), strz(l, ir_state_type_name(s->type)), strz(l, s->loc.ptr),
                         ci8(l, aslc_state_last(s))};
    return ccast(l, global(l, name, cstruct_of(l, S_INFO, v, sizeof v / sizeof *v)));
}

/* if (!asl_enter(x, &S_, in)) return NULL; where the op says so (a program
 * of one part) with asl_enter_c's fast path as IR before it: an exec that is not slow_enter
 * records the transition in its head and its run's (asl.h). */
static void enter(L *l, F *f, LLVMValueRef info, bool inline_first)
{
    if (!inline_first) {
        or_false(l, f, call(l, f, LIR_RT_ENTER, 3, f->x, info, f->in));
        return;
    }
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef fast = block(l, f, "enter"), slow = block(l, f, "enter_slow"), done = block(l, f, "entered");
    LLVMValueRef sl = load_at(l, f, l->i8, f->x, ci64(l, offsetof(asl_exec_head, slow_enter)), "slow_enter");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, sl, ci8(l, 0), ""), slow, fast);
    LLVMPositionBuilderAtEnd(b, fast);
    LLVMValueRef r = load_at(l, f, l->ptr, f->x, ci64(l, offsetof(asl_exec_head, run)), "run");
    store_at(l, f, LLVMBuildPointerCast(b, info, l->ptr, ""), f->x, ci64(l, offsetof(asl_exec_head, state)));
    store_at(l, f, ci32(l, 0), f->x, ci64(l, offsetof(asl_exec_head, retry_count)));
    store_at(l, f, ci8(l, 0), f->x, ci64(l, offsetof(asl_exec_head, entered)));
    LLVMValueRef ev = load_at(l, f, l->i64, r, ci64(l, offsetof(asl_run_head, events)), "events");
    store_at(l, f, LLVMBuildAdd(b, ev, ci64(l, 1), ""), f->x, ci64(l, offsetof(asl_exec_head, entered_event)));
    store_at(l, f, LLVMBuildAdd(b, ev, ci64(l, 2), ""), r, ci64(l, offsetof(asl_run_head, events)));
    LLVMValueRef tr = load_at(l, f, l->i64, r, ci64(l, offsetof(asl_run_head, transitions)), "transitions");
    store_at(l, f, LLVMBuildAdd(b, tr, ci64(l, 1), ""), r, ci64(l, offsetof(asl_run_head, transitions)));
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, slow);
    or_false(l, f, call(l, f, LIR_RT_ENTER, 3, f->x, info, f->in));
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
}

static LLVMValueRef empty_object(L *l, F *f)
{
    return call(l, f, LIR_RT_OBJECT, 2, exec_arena(l, f), ci32(l, 0));
}

/* A static const char *const name[] = {errors...}. */
static LLVMValueRef emit_errors(L *l, const char *name, const char **errors, uint32_t n)
{
    LLVMValueRef *v = asl_xmalloc((n ? n : 1) * sizeof *v);
    for (uint32_t i = 0; i < n; i++) v[i] = strz(l, errors[i]);
    LLVMValueRef g = global(l, name, const_array(l->ptr, v, n));
    free(v);
    return ccast(l, g);
}

static LLVMValueRef state_fn(L *l, const ir_state *s)
{
    return s ? ccast(l, LLVMGetNamedFunction(l->m, s->cname)) : cnull(l);
}

/* R_/RE_ and, around do_fn, try_X (the Retry loop); C_/CE_.  Returns try_X or NULL. */
static LLVMValueRef emit_retry_catch(L *l, const ir_state *s, LLVMValueRef *catchers)
{
    char name[512];
    *catchers = NULL;
    LLVMValueRef rg = NULL;
    if (s->nretry) {
        LLVMValueRef *rv = asl_xmalloc(s->nretry * sizeof *rv);
        for (uint32_t i = 0; i < s->nretry; i++) {
            const ir_retrier *r = &s->retry[i];
            snprintf(name, sizeof name, "RE_%s_%u", s->cname, i);
            LLVMValueRef v[7] = {emit_errors(l, name, r->errors, r->nerrors), ci32(l, r->nerrors),
                                 ci32(l, r->max_attempts), cdbl(l, r->interval), cdbl(l, r->backoff),
                                 cdbl(l, r->max_delay), ci8(l, (unsigned)r->jitter)};
            rv[i] = cstruct_of(l, S_RETRIER, v, sizeof v / sizeof *v);
        }
        snprintf(name, sizeof name, "R_%s", s->cname);
        rg = ccast(l, global(l, name, const_array(l->st[S_RETRIER], rv, s->nretry)));
        free(rv);
    }
    if (s->ncatch) {
        LLVMValueRef *cv = asl_xmalloc(s->ncatch * sizeof *cv);
        for (uint32_t i = 0; i < s->ncatch; i++) {
            snprintf(name, sizeof name, "CE_%s_%u", s->cname, i);
            LLVMValueRef v[2] = {emit_errors(l, name, s->catch_[i].errors, s->catch_[i].nerrors),
                                 ci32(l, s->catch_[i].nerrors)};
            cv[i] = cstruct_of(l, S_CATCHER, v, sizeof v / sizeof *v);
        }
        snprintf(name, sizeof name, "C_%s", s->cname);
        *catchers = ccast(l, global(l, name, const_array(l->st[S_CATCHER], cv, s->ncatch)));
        free(cv);
    }
    return rg;
}

/* error = ev->type == ASL_STRING ? ev->u.str : asl_json_string(asl_exec_arena(x), ev, NULL); */
static LLVMValueRef fail_text(L *l, F *f, LLVMValueRef ev)
{
    LLVMBuilderRef b = f->b;
    LLVMBasicBlockRef is_str = block(l, f, "string"), other = block(l, f, "json"), join = block(l, f, "");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, value_type(l, f, ev), ci8(l, ASL_STRING), ""), is_str,
                    other);
    LLVMPositionBuilderAtEnd(b, is_str);
    LLVMValueRef off = ci64(l, offsetof(asl_value, u.str));
    LLVMValueRef a = LLVMBuildInBoundsGEP2(b, l->i8, ev, &off, 1, "");
    LLVMValueRef s1 = LLVMBuildLoad2(b, l->ptr, addr_of(l, f, a, l->ptr), "str");
    LLVMBasicBlockRef from1 = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, join);
    LLVMPositionBuilderAtEnd(b, other);
    LLVMValueRef s2 = call(l, f, LIR_RT_JSON_STRING, 3, exec_arena(l, f), ev, cnull(l));
    LLVMBasicBlockRef from2 = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, join);
    LLVMPositionBuilderAtEnd(b, join);
    LLVMValueRef phi = LLVMBuildPhi(b, l->ptr, "");
    LLVMValueRef iv[2] = {s1, s2};
    LLVMBasicBlockRef ib[2] = {from1, from2};
    LLVMAddIncoming(phi, iv, ib, 2);
    return phi;
}

/* ---- a state's functions, built from the LIR, a case per op ------------------------------
 * As emit_c.c prints them (emit_state_ops): lower.c decided every op, which
 * function it is in and where a failure goes.  One difference: the LLVM
 * back end does not group a large program's states into part functions, so
 * a transition that is a jump there is a tail call here. */

typedef struct {
    L *l;
    const ir_state *s;
    LLVMValueRef info;             /* S_ */
    LLVMValueRef *val;             /* register -> its value */
    LLVMValueRef flow;             /* F_, or NULL */
    LLVMValueRef map, mi;          /* M_ and its local copy, or NULL */
    LLVMValueRef rg, catchers;     /* R_, C_ */
    LLVMValueRef helper[2];        /* do_, try_ */
    LLVMValueRef *rules;           /* by op index of the state function */
    LLVMBasicBlockRef ret_null;    /* return NULL, once the Catch starts */
    LLVMValueRef sw;               /* the switch on asl_catch */
    uint32_t ncaught;
} sb;

static LLVMValueRef sb_reg(const sb *q, F *f, uint32_t r)
{
    return r == LIR_IN ? f->in : r == LIR_NONE ? cnull(q->l) : q->val[r];
}

/* M_ of a Map, with its tp_ functions. */
static LLVMValueRef sb_map(sb *q)
{
    L *l = q->l;
    const ir_state *s = q->s;
    if (q->map) return q->map;
    static const char *const what[4] = {"ItemSelector", "BatchInput", "ItemReader", "ResultWriter"};
    LLVMValueRef fns[4];
    for (int k = 0; k < 4; k++) {
        const lir_fn *tf = lir_tmpl_fn(l->lp, s, what[k]);
        fns[k] = tf ? ccast(l, emit_tmpl_fn(l, tf)) : cnull(l);
    }
    LLVMValueRef mv[12] = {state_fn(l, s->processor ? s->processor->start : NULL), fns[0],
                           ci32(l, s->max_concurrency), ci32(l, s->tolerated_count), cdbl(l, s->tolerated_percent),
                           ci8(l, s->distributed), ci8(l, s->batched), ci32(l, s->max_items_per_batch),
                           ci32(l, s->max_bytes_per_batch), fns[1], fns[2], fns[3]};
    char name[512];
    snprintf(name, sizeof name, "M_%s", s->cname);
    return q->map = global(l, name, cstruct_of(l, S_MAP, mv, sizeof mv / sizeof *mv));
}

/* What the state's ops point at, made before its functions: its rules,
 * Retry and Catch, a large program's templates of the data flow and F_. */
static void sb_prepare(sb *q, const lir_fn *st, const lir_fn *dof)
{
    L *l = q->l;
    const ir_state *s = q->s;
    char name[512];
    q->rules = asl_xmalloc((st->nops ? st->nops : 1) * sizeof *q->rules);
    for (uint32_t i = 0; i < st->nops; i++)
        if (st->ops[i].k == LIR_RULE) q->rules[i] = emit_rule(l, st->ops[i].target_fn);
    q->rg = emit_retry_catch(l, s, &q->catchers);
    const lir_fn *ff = dof ? dof : st;
    LLVMValueRef tp[2] = {NULL, NULL};
    bool flow = false;
    for (uint32_t i = 0; i < ff->nops; i++) {
        const lir_op *o = &ff->ops[i];
        if (o->k == LIR_TEMPLATE && o->n == 1) tp[strcmp(o->note, "Parameters") != 0] = emit_tmpl(l, o);
        flow |= o->k == LIR_FLOW;
    }
    if (!flow) return;
    LLVMValueRef v[7] = {cnull(l), tp[0] ? tp[0] : cnull(l), cnull(l), tp[1] ? tp[1] : cnull(l), cnull(l), cnull(l),
                         ci8(l, (s->input_path_null ? ASL_FLOW_INPUT_NULL : 0) |
                                    (s->result_path_null ? ASL_FLOW_RESULT_NULL : 0) |
                                    (s->output_path_null ? ASL_FLOW_OUTPUT_NULL : 0))};
    if (s->input_path && s->input_path->nseg + s->input_path->root && !s->input_path_null)
        v[0] = emit_path(l, s->input_path);
    if (s->type == IR_PASS && s->result) v[2] = kslot(l, emit_const(l, s->result_text));
    if (s->result_path && s->result_path->nseg && !s->result_path_null) v[4] = emit_path(l, s->result_path);
    if (s->output_path && s->output_path->nseg + s->output_path->root && !s->output_path_null)
        v[5] = emit_path(l, s->output_path);
    snprintf(name, sizeof name, "F_%s", s->cname);
    q->flow = ccast(l, global(l, name, cstruct_of(l, S_FLOW, v, sizeof v / sizeof *v)));
}

/* Op i of lf into f. */
static void sb_op(sb *q, F *f, const lir_fn *lf, uint32_t i)
{
    static const int map_which[5] = {ASL_MAP_MAX_CONCURRENCY, ASL_MAP_TOLERATED_COUNT, ASL_MAP_TOLERATED_PERCENT,
                                     ASL_MAP_MAX_ITEMS_PER_BATCH, ASL_MAP_MAX_BYTES_PER_BATCH};
    L *l = q->l;
    const ir_state *s = q->s;
    const lir_op *o = &lf->ops[i];
    LLVMValueRef a = sb_reg(q, f, o->a), b = sb_reg(q, f, o->b), r = NULL;
    char name[512];
    switch ((lir_opk)o->k) {
    case LIR_ENTER: {   /* a failure to enter is not caught */
        LLVMBasicBlockRef keep = f->fail;
        if (q->ret_null) f->fail = q->ret_null;
        enter(l, f, q->info, o->fast);
        if (q->ret_null) f->fail = keep;
        break;
    }
    case LIR_PATH:
        r = or_null(l, f, call(l, f, o->rt, 3, f->x, a, emit_path(l, o->path)));
        break;
    case LIR_EMPTY:
        r = empty_object(l, f);
        break;
    case LIR_CONST:
        r = kval(l, f, emit_const(l, o->str));
        break;
    case LIR_LEAVE:
        r = or_null(l, f, o->fast ? leave(l, f, a) : call(l, f, LIR_RT_LEAVE, 2, f->x, a));
        break;
    case LIR_RESULT_PATH:
        r = or_null(l, f, call(l, f, LIR_RT_RESULT_PATH, 4, f->x, a, b, emit_path(l, o->path)));
        break;
    case LIR_JN_SET: {   /* the Assign in line (lir_jnfast), else ResultPath's call */
        LLVMBuilderRef bd = f->b;
        LLVMBasicBlockRef generic = block(l, f, "jn_generic"), set = block(l, f, "jn_set"), done = block(l, f, "jn_done");
        LLVMValueRef d = jn_operand(l, f, o->jf, generic), k = cdbl(l, o->jf->num);
        LLVMValueRef rv = o->jf->op == LIR_JF_ADD   ? LLVMBuildFAdd(bd, d, k, "")
                          : o->jf->op == LIR_JF_SUB ? LLVMBuildFSub(bd, d, k, "")
                                                    : LLVMBuildFMul(bd, d, k, "");
        LLVMBuildCondBr(bd, jn_finite(l, f, rv), set, generic);
        LLVMPositionBuilderAtEnd(bd, set);
        LLVMValueRef ok = call(l, f, LIR_RT_JN_SET_NUM, 7, f->x, ci32(l, o->jf->set_slot),
                               str(l, o->jf->set, o->jf->set_len), ci64(l, o->jf->set_len), rv, a, b);
        LLVMBuildCondBr(bd, LLVMBuildICmp(bd, LLVMIntNE, ok, ci8(l, 0), ""), done, generic);
        LLVMPositionBuilderAtEnd(bd, generic);
        LLVMValueRef called = or_null(l, f, call(l, f, LIR_RT_RESULT_PATH, 4, f->x, a, b, emit_path(l, o->path)));
        LLVMBasicBlockRef from = LLVMGetInsertBlock(bd);
        LLVMBuildBr(bd, done);
        LLVMPositionBuilderAtEnd(bd, done);
        r = join(l, f, b, set, called, from, "jn_v");
        break;
    }
    case LIR_HELPER: {
        const lir_fn *t = o->target_fn;
        LLVMValueRef fn = t->kind == LIR_FN_TMPL ? emit_tmpl_fn(l, t) : q->helper[t->kind == LIR_FN_TRY];
        r = or_null(l, f, call_fn(l, f, l->t_state, fn, f->x, a));
        break;
    }
    case LIR_TEMPLATE:
        if (o->n != 1)
            r = or_null(l, f, call(l, f, LIR_RT_TEMPLATE, 3, f->x, a, emit_tmpl(l, &o->target_fn->ops[0])));
        break;
    case LIR_FLOW:
        if (o->n == LIR_FLOW_PASS) r = or_null(l, f, call(l, f, LIR_RT_PASS, 4, f->x, f->in, q->info, q->flow));
        else if (o->n == LIR_FLOW_IN) r = or_null(l, f, call(l, f, LIR_RT_FLOW_IN, 3, f->x, a, q->flow));
        else r = or_null(l, f, call(l, f, LIR_RT_FLOW_OUT, 4, f->x, a, b, q->flow));
        break;
    case LIR_RULE:
        r = call_fn(l, f, l->t_rule, q->rules[i], f->x, a);
        fail_if(l, f, LLVMBuildICmp(f->b, LLVMIntSLT, r, ci32(l, 0), ""));
        break;
    case LIR_BRANCH: {
        LLVMBasicBlockRef take = block(l, f, "match"), next = block(l, f, "");
        LLVMBuildCondBr(f->b, LLVMBuildICmp(f->b, LLVMIntNE, q->val[o->d], ci32(l, 0), ""), take, next);
        LLVMPositionBuilderAtEnd(f->b, take);
        LLVMValueRef v = a;
        if (o->path) v = or_null(l, f, call(l, f, LIR_RT_OUTPUT_PATH, 3, f->x, b, emit_path(l, o->path)));
        if (o->target_fn) {
            LLVMValueRef av = or_null(l, f, call_fn(l, f, l->t_state, emit_tmpl_fn(l, o->target_fn), f->x, b));
            v = or_null(l, f, call(l, f, LIR_RT_ASSIGN, 3, f->x, v, av));
        }
        go(l, f, o->target, v);
        LLVMPositionBuilderAtEnd(f->b, next);
        break;
    }
    case LIR_GOTO:
        go(l, f, o->target, a);
        break;
    case LIR_CALL_RT:
        switch ((lir_rt)o->rt) {
        case LIR_RT_WAIT_SECONDS:
            or_false(l, f, call(l, f, o->rt, 2, f->x, cdbl(l, o->num)));
            break;
        case LIR_RT_WAIT_UNTIL:
            or_false(l, f, call(l, f, o->rt, 2, f->x, strz(l, o->str)));
            break;
        case LIR_RT_WAIT_SECONDS_VALUE:
        case LIR_RT_WAIT_UNTIL_VALUE:
            or_false(l, f, call(l, f, o->rt, 3, f->x, a, strz(l, o->str)));
            break;
        case LIR_RT_ASSIGN:
            r = or_null(l, f, call(l, f, LIR_RT_ASSIGN, 3, f->x, a, b));
            break;
        case LIR_RT_TASK_CREDENTIALS:
            or_false(l, f, call(l, f, LIR_RT_TASK_CREDENTIALS, 2, f->x, a));
            break;
        case LIR_RT_TASK:
        case LIR_RT_TASK_TIMED: {
            LLVMValueRef sv[5] = {ci32(l, s->site), strz(l, s->name), strz(l, s->resource), cdbl(l, s->timeout),
                                  cdbl(l, s->heartbeat)};
            snprintf(name, sizeof name, "T_%s", s->cname);
            LLVMValueRef site = ccast(l, global(l, name, cstruct_of(l, S_SITE, sv, sizeof sv / sizeof *sv)));
            if (s->site < l->p->ntasks) l->sites[s->site] = site;
            if (o->rt == LIR_RT_TASK) r = or_null(l, f, call(l, f, LIR_RT_TASK, 3, f->x, site, a));
            else r = or_null(l, f, call(l, f, LIR_RT_TASK_TIMED, 5, f->x, site, a, b, sb_reg(q, f, o->n)));
            break;
        }
        case LIR_RT_PARALLEL: {
            LLVMValueRef *bv = asl_xmalloc((s->nbranches ? s->nbranches : 1) * sizeof *bv);
            for (uint32_t k = 0; k < s->nbranches; k++)
                bv[k] = state_fn(l, s->branches[k] ? s->branches[k]->start : NULL);
            snprintf(name, sizeof name, "B_%s", s->cname);
            LLVMValueRef br = ccast(l, global(l, name, const_array(l->ptr, bv, s->nbranches)));
            free(bv);
            r = or_null(l, f, call(l, f, LIR_RT_PARALLEL, 4, f->x, a, br, ci32(l, o->n)));
            break;
        }
        case LIR_RT_MAP_SETTING:
            if (!q->mi) {   /* asl_map_info mi = M_X; */
                q->mi = LLVMBuildAlloca(f->b, l->st[S_MAP], "mi");
                LLVMBuildStore(f->b, LLVMBuildLoad2(f->b, l->st[S_MAP], sb_map(q), ""), q->mi);
            }
            or_false(l, f, call(l, f, LIR_RT_MAP_SETTING, 5, f->x, a, emit_path(l, o->path), ci32(l, map_which[o->n]),
                                cast(l, f, q->mi)));
            break;
        case LIR_RT_MAP:
        case LIR_RT_MAP_IO:
            r = or_null(l, f, call(l, f, o->rt, 4, f->x, a, b, q->mi ? cast(l, f, q->mi) : ccast(l, sb_map(q))));
            break;
        default:
            break;
        }
        break;
    case LIR_RETRY: {
        /* uint32_t counts[n] = {0}; while (!(v = do_X(x, in)) && asl_retry(x, R_X, n, counts)) {} */
        LLVMTypeRef ct = array_of(l->i32, o->n);
        LLVMValueRef counts = LLVMBuildAlloca(f->b, ct, "counts");
        LLVMBuildStore(f->b, LLVMConstNull(ct), counts);
        LLVMBasicBlockRef loop = block(l, f, "attempt"), retry = block(l, f, "retry"), out = block(l, f, "out");
        LLVMBuildBr(f->b, loop);
        LLVMPositionBuilderAtEnd(f->b, loop);
        LLVMValueRef v = call_fn(l, f, l->t_state, q->helper[0], f->x, f->in);
        LLVMBuildCondBr(f->b, LLVMBuildIsNull(f->b, v, ""), retry, out);
        LLVMPositionBuilderAtEnd(f->b, retry);
        LLVMValueRef again = call(l, f, LIR_RT_RETRY, 4, f->x, q->rg, ci32(l, o->n), cast(l, f, counts));
        LLVMBuildCondBr(f->b, LLVMBuildICmp(f->b, LLVMIntNE, again, ci8(l, 0), ""), loop, out);
        LLVMPositionBuilderAtEnd(f->b, out);
        r = LLVMBuildPhi(f->b, l->ptr, "v");
        LLVMValueRef inc_v[2] = {v, v};
        LLVMBasicBlockRef inc_b[2] = {loop, retry};
        LLVMAddIncoming(r, inc_v, inc_b, 2);
        break;
    }
    case LIR_CATCH: {
        if (!q->ncaught++) {   /* switch (asl_catch(x, C_X, n)) */
            LLVMPositionBuilderAtEnd(f->b, f->fail);
            f->fail = q->ret_null;   /* a catcher's failure is not caught again */
            LLVMValueRef k = call(l, f, LIR_RT_CATCH, 3, f->x, q->catchers, ci32(l, s->ncatch));
            q->sw = LLVMBuildSwitch(f->b, k, fail_block(l, f), s->ncatch);
        }
        LLVMBasicBlockRef cb = block(l, f, "catch");
        LLVMAddCase(q->sw, ci32(l, o->n), cb);
        LLVMPositionBuilderAtEnd(f->b, cb);
        r = call(l, f, LIR_RT_ERROR_VALUE, 1, f->x);
        call(l, f, LIR_RT_ERROR_CLEAR, 1, f->x);
        break;
    }
    case LIR_FAIL:
        if (o->rt == LIR_RT_FAIL_STATE) {
            LLVMBuildRet(f->b, call(l, f, LIR_RT_FAIL_STATE, 3, f->x, strz(l, o->str), strz(l, o->str2)));
            break;
        }
        LLVMBuildRet(f->b, call(l, f, LIR_RT_FAIL, 3, f->x, o->a != LIR_NONE ? fail_text(l, f, a) : strz(l, o->str),
                                o->b != LIR_NONE ? fail_text(l, f, b) : strz(l, o->str2)));
        break;
    default:
        break;
    }
    if (r && o->d != LIR_NONE && o->k != LIR_BRANCH) q->val[o->d] = r;
}

/* The function fn from lf's ops. */
static void sb_fn(sb *q, const lir_fn *lf, LLVMValueRef fn)
{
    L *l = q->l;
    F f;
    begin(l, &f, fn);
    q->val = asl_xmalloc((lf->nregs ? lf->nregs : 1) * sizeof *q->val);
    q->mi = NULL;
    q->ncaught = 0;
    q->ret_null = NULL;
    if (lf->catches) {
        q->ret_null = fail_block(l, &f);
        f.fail = block(l, &f, "failed");
    }
    for (uint32_t i = 0; i < lf->nops;) {
        const lir_op *o = &lf->ops[i];
        if (o->begins) {   /* a small program's template, built in place */
            uint32_t end = prep_tmpl(l, lf, i), in = LIR_IN;
            for (uint32_t k = i; k < end && in == LIR_IN; k++)   /* what its paths read */
                if ((lf->ops[k].k == LIR_PATH || lf->ops[k].k == LIR_HELPER) && lf->ops[k].a != LIR_NONE)
                    in = lf->ops[k].a;
            /* its value: the container, else the last of its ops (a call after its arguments) */
            const lir_op *root = o->k == LIR_NEW ? o : &lf->ops[end - 1];
            q->val[root->d] = build_tmpl(l, &f, lf, i, end, sb_reg(q, &f, in));
            i = end;
            continue;
        }
        sb_op(q, &f, lf, i++);
    }
    end(&f);
    free(q->val);
}

/* A state's functions: its do_ and try_, then its own. */
static void emit_state_ops(L *l, const ir_state *s, LLVMValueRef info)
{
    const lir_fn *st = l->lp->state_fn[s->index], *dof = l->lp->do_fn[s->index], *tryf = NULL;
    for (uint32_t i = 0; i < st->nops; i++)
        if (st->ops[i].k == LIR_HELPER && st->ops[i].target_fn->kind == LIR_FN_TRY) tryf = st->ops[i].target_fn;
    sb q;
    memset(&q, 0, sizeof q);
    q.l = l;
    q.s = s;
    q.info = info;
    sb_prepare(&q, st, dof);
    const lir_fn *helpers[2] = {dof, tryf};
    for (int k = 0; k < 2; k++)
        if (helpers[k]) sb_fn(&q, helpers[k], q.helper[k] = define(l, helpers[k]->name, l->t_state));
    sb_fn(&q, st, LLVMGetNamedFunction(l->m, s->cname));
    free(q.rules);
}

/* The group of a state, as begin_group in emit_c.c: the parts are the same. */
static void begin_group(L *l)
{
    if (l->lay.parts > 1 && l->in_part == l->lay.per_part && l->part + 1 < l->lay.parts) {
        l->part++;
        l->in_part = 0;
    }
    l->in_part++;
}

static void emit_state(L *l, const ir_state *s)
{
    if (s->type == IR_PARALLEL)
        for (uint32_t i = 0; i < s->nbranches; i++)
            if (s->branches[i]) emit_machine(l, s->branches[i]);
    if (s->type == IR_MAP && s->processor) emit_machine(l, s->processor);

    begin_group(l);
    emit_state_ops(l, s, emit_header(l, s));
}

static void emit_machine(L *l, const ir_machine *m)
{
    for (uint32_t i = 0; i < m->nstates; i++)
        if (m->states[i]) emit_state(l, m->states[i]);
}

/* ---- the program ------------------------------------------------------------------ */

/* K[], K_text[] and init_constants, once every constant is known. */
static LLVMValueRef emit_constants(L *l)
{
    uint32_t n = l->nconsts ? l->nconsts : 1;
    LLVMTypeRef at = array_of(l->ptr, n);
    LLVMValueRef k = LLVMAddGlobal(l->m, at, "K");
    LLVMSetInitializer(k, LLVMConstNull(at));
    shared(l, k);
#if LLVM_VERSION_MAJOR >= 15
    LLVMReplaceAllUsesWith(l->kref, k);
#else
    LLVMReplaceAllUsesWith(l->kref, LLVMConstPointerCast(k, LLVMTypeOf(l->kref)));
#endif
    LLVMDeleteGlobal(l->kref);
    l->kref = NULL;

    LLVMValueRef *tv = asl_xmalloc(n * sizeof *tv);
    for (uint32_t i = 0; i < n; i++) tv[i] = l->nconsts ? strz(l, l->consts[i]) : cnull(l);
    LLVMValueRef text = global(l, "K_text", const_array(l->ptr, tv, n));
    free(tv);

    /* for (unsigned i = 0; i < n; i++) K[i] = asl_const(a, K_text[i]); */
    LLVMTypeRef ity[1] = {l->ptr};
    F f;
    begin(l, &f, define(l, "init_constants", LLVMFunctionType(l->vd, ity, 1, 0)));
    LLVMValueRef a = LLVMGetParam(f.fn, 0);
    LLVMSetValueName2(a, "a", 1);
    if (l->nconsts) {
        LLVMBasicBlockRef entry = LLVMGetInsertBlock(f.b), loop = block(l, &f, "loop"), done = block(l, &f, "done");
        LLVMBuildBr(f.b, loop);
        LLVMPositionBuilderAtEnd(f.b, loop);
        LLVMValueRef i = LLVMBuildPhi(f.b, l->i32, "i");
        LLVMValueRef idx[2] = {ci64(l, 0), LLVMBuildZExt(f.b, i, l->i64, "")};
        LLVMValueRef t = LLVMBuildLoad2(f.b, l->ptr, LLVMBuildInBoundsGEP2(f.b, at, text, idx, 2, ""), "");
        LLVMValueRef c = call(l, &f, LIR_RT_CONST, 2, a, t);
        LLVMBuildStore(f.b, c, LLVMBuildInBoundsGEP2(f.b, at, k, idx, 2, ""));
        LLVMValueRef i1 = LLVMBuildAdd(f.b, i, ci32(l, 1), "");
        LLVMValueRef iv[2] = {ci32(l, 0), i1};
        LLVMBasicBlockRef ib[2] = {entry, loop};
        LLVMAddIncoming(i, iv, ib, 2);
        LLVMBuildCondBr(f.b, LLVMBuildICmp(f.b, LLVMIntULT, i1, ci32(l, l->nconsts), ""), loop, done);
        LLVMPositionBuilderAtEnd(f.b, done);
    }
    LLVMBuildRetVoid(f.b);
    end(&f);
    return f.fn;
}

static void emit_program(L *l, const aslc_emit_opts *o, LLVMValueRef init)
{
    const ir_program *p = l->p;
    uint32_t nn = o->nnatives ? o->nnatives : 1;
    LLVMValueRef *nv = asl_xmalloc(nn * sizeof *nv);
    for (uint32_t i = 0; i < o->nnatives; i++) {
        /* asl_value *name(asl_task_ctx *t, asl_value *input), from --handlers */
        LLVMValueRef fn = LLVMGetNamedFunction(l->m, o->natives[i]);
        if (!fn) fn = LLVMAddFunction(l->m, o->natives[i], l->t_state);
        LLVMValueRef v[2] = {strz(l, o->natives[i]), ccast(l, fn)};
        nv[i] = cstruct_of(l, S_NATIVE, v, sizeof v / sizeof *v);
    }
    if (!o->nnatives) {
        LLVMValueRef v[2] = {cnull(l), cnull(l)};
        nv[0] = cstruct_of(l, S_NATIVE, v, sizeof v / sizeof *v);
    }
    LLVMValueRef natives = ccast(l, global(l, "natives", const_array(l->st[S_NATIVE], nv, nn)));
    free(nv);

    uint32_t ns = p->ntasks ? p->ntasks : 1;
    LLVMValueRef *sv = asl_xmalloc(ns * sizeof *sv);
    for (uint32_t i = 0; i < p->ntasks; i++) sv[i] = l->sites[i] ? l->sites[i] : cnull(l);
    if (!p->ntasks) sv[0] = cnull(l);
    LLVMValueRef sites = ccast(l, global(l, "sites", const_array(l->ptr, sv, ns)));
    free(sv);

    /* The top-level states by name, where aslc serve resumes an execution
     * (runtime/served.c); for aslc serve only (aslc_emit_opts.served). */
    uint32_t nres = 0, nt = p->top->nstates ? p->top->nstates : 1;
    LLVMValueRef *rn = asl_xmalloc(nt * sizeof *rn), *rf = asl_xmalloc(nt * sizeof *rf);
    for (uint32_t i = 0; i < p->top->nstates; i++) {
        const ir_state *s = p->top->states[i];
        if (!o->served || !LLVMGetNamedFunction(l->m, s->cname)) continue;
        rn[nres] = strz(l, s->name);
        rf[nres++] = state_fn(l, s);
    }
    if (!nres) rn[0] = rf[0] = cnull(l);
    LLVMValueRef names = ccast(l, global(l, "state_names", const_array(l->ptr, rn, nres ? nres : 1)));
    LLVMValueRef fns = ccast(l, global(l, "state_fns", const_array(l->ptr, rf, nres ? nres : 1)));
    free(rn);
    free(rf);

    LLVMValueRef v[14] = {strz(l, p->name), state_fn(l, p->top->start), ccast(l, init),
                          strz(l, o->resources_json), strz(l, o->mocks_json), natives,
                          ci32(l, o->nnatives), sites, ci32(l, p->ntasks), cdbl(l, p->top->timeout),
                          ci8(l, o->allow_unbound), names, fns, ci32(l, nres)};
    LLVMValueRef g = global(l, "asl_main_program", cstruct_of(l, S_PROGRAM, v, sizeof v / sizeof *v));
    LLVMSetLinkage(g, LLVMExternalLinkage);
}

/* ---- types and their layout --------------------------------------------------------- */

static bool make_types(L *l)
{
    LLVMContextRef cx = l->cx;
    l->i8 = LLVMInt8TypeInContext(cx);
    l->i32 = LLVMInt32TypeInContext(cx);
    l->i64 = LLVMInt64TypeInContext(cx);
    l->dbl = LLVMDoubleTypeInContext(cx);
    l->vd = LLVMVoidTypeInContext(cx);
#if LLVM_VERSION_MAJOR >= 15
    l->ptr = LLVMPointerTypeInContext(cx, 0);
#else
    l->ptr = LLVMPointerType(l->i8, 0);
#endif
    LLVMTypeRef sp[2] = {l->ptr, l->ptr};
    l->t_state = LLVMFunctionType(l->ptr, sp, 2, 0);
    l->t_rule = LLVMFunctionType(l->i32, sp, 2, 0);

    bool ok = true;
    for (int s = 0; s < S__COUNT; s++) {
        const cstruct *c = &structs[s];
        char name[64];
        snprintf(name, sizeof name, "struct.%s", c->name);
        LLVMTypeRef el[12];
        for (uint32_t i = 0; i < c->n; i++) {
            char t = c->f[i].t;
            el[i] = t == 'c' ? l->i8 : t == 'i' ? l->i32 : t == 'l' ? l->i64 : t == 'd' ? l->dbl : l->ptr;
        }
        l->st[s] = LLVMStructCreateNamed(cx, name);
        LLVMStructSetBody(l->st[s], el, c->n, 0);
        /* The check that makes the descriptors safe: LLVM's layout of the
         * struct for this target is the C compiler's layout of asl.h. */
        if (LLVMABISizeOfType(l->td, l->st[s]) != c->size) {
            fprintf(stderr, "aslc: internal error: struct %s: %llu bytes in LLVM, %zu in C\n", c->name,
                    (unsigned long long)LLVMABISizeOfType(l->td, l->st[s]), c->size);
            ok = false;
        }
        for (uint32_t i = 0; i < c->n; i++) {
            unsigned long long off = LLVMOffsetOfElement(l->td, l->st[s], i);
            unsigned long long size = LLVMABISizeOfType(l->td, el[i]);
            if (off != c->f[i].off || size != c->f[i].size) {
                fprintf(stderr, "aslc: internal error: struct %s field %u: offset %llu size %llu in "
                                "LLVM, offset %zu size %zu in C\n",
                        c->name, i, off, size, c->f[i].off, c->f[i].size);
                ok = false;
            }
        }
    }
    l->zeroext = LLVMGetEnumAttributeKindForName("zeroext", 7);
    l->nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    l->uwtable = LLVMGetEnumAttributeKindForName("uwtable", 7);
    return ok;
}

/* ---- driver ------------------------------------------------------------------------- */


/* The module of p in l->m. */
/* ---- JSONata: the jn_ functions (jsonata_lower.c), op by op, as emit_c.c prints them ---- */

static LLVMTypeRef jn_type(L *l)
{
    LLVMTypeRef p[3] = {l->ptr, l->ptr, l->ptr};
    return LLVMFunctionType(l->ptr, p, 3, 0);
}

/* Every jn_ function exists, by name, before any code refers to one. */
static void declare_jn(L *l)
{
    for (uint32_t i = 0; i < l->lp->nfns; i++)
        if (l->lp->fns[i]->kind == LIR_FN_JN) shared(l, define(l, l->lp->fns[i]->name, jn_type(l)));
}

static LLVMValueRef jn_arg(L *l, LLVMValueRef fn, LLVMValueRef *val, const lir_arg *x, char sigc)
{
    switch ((lir_xk)x->k) {
    case LIR_X_REG: return x->reg == LIR_IN ? LLVMGetParam(fn, 2) : val[x->reg];
    case LIR_X_CTX: return LLVMGetParam(fn, 0);
    case LIR_X_ENV: return LLVMGetParam(fn, 1);
    case LIR_X_INT: return sigc == 'b' ? ci8(l, (unsigned)x->i) : sigc == 'l' ? ci64(l, x->i) : ci32(l, x->i);
    case LIR_X_NUM: return cdbl(l, x->num);
    case LIR_X_STR: return x->str ? str(l, x->str, x->len) : cnull(l);
    case LIR_X_FN: return x->fn ? ccast(l, LLVMGetNamedFunction(l->m, x->fn->name)) : cnull(l);
    case LIR_X_SLOT: {   /* static asl_value *jn_slot_<i>, NULL at start */
        char name[32];
        snprintf(name, sizeof name, "jn_slot_%lld", (long long)x->i);
        LLVMValueRef g = LLVMGetNamedGlobal(l->m, name);
        if (!g) {
            g = LLVMAddGlobal(l->m, l->ptr, name);
            LLVMSetInitializer(g, cnull(l));
            LLVMSetLinkage(g, LLVMInternalLinkage);
        }
        return ccast(l, g);
    }
    }
    return cnull(l);
}

static void emit_jn_fn(L *l, const lir_fn *lf)
{
    F f;
    LLVMValueRef fn = LLVMGetNamedFunction(l->m, lf->name);
    begin(l, &f, fn);
    LLVMValueRef *val = asl_xmalloc((lf->nregs + 1) * sizeof *val);
    LLVMValueRef args[64];
    for (uint32_t i = 0; i < lf->nops; i++) {
        const lir_op *o = &lf->ops[i];
        if (o->k == LIR_GOTO) {
            LLVMBuildRet(f.b, o->a == LIR_IN ? LLVMGetParam(fn, 2) : val[o->a]);
            continue;
        }
        const char *sig = lir_rt_table[o->rt].sig;
        size_t fixed = strcspn(sig + 1, ".");
        LLVMValueRef *a = o->nxargs <= 64 ? args : asl_xmalloc(o->nxargs * sizeof *a);
        for (uint32_t k = 0; k < o->nxargs; k++) a[k] = jn_arg(l, fn, val, &o->xargs[k], k < fixed ? sig[1 + k] : 0);
        LLVMValueRef callee = rt(l, o->rt);
        val[o->d] = LLVMBuildCall2(f.b, l->rt_ty[o->rt], callee, a, o->nxargs, "");
        if (a != args) free(a);
        if (o->check) {   /* if (c->code) return NULL; */
            LLVMValueRef code = load_at(l, &f, l->ptr, LLVMGetParam(fn, 0), ci64(l, offsetof(asl_jn_ctx, code)), "code");
            fail_if(l, &f, LLVMBuildIsNotNull(f.b, code, ""));
        }
    }
    free(val);
    end(&f);
}

static void emit_jn(L *l)
{
    for (uint32_t i = 0; i < l->lp->nfns; i++)
        if (l->lp->fns[i]->kind == LIR_FN_JN) emit_jn_fn(l, l->lp->fns[i]);
    if (l->lp->njn_extra) {   /* aslc --jn-exprs: the expressions by number */
        uint32_t n = l->lp->njn_extra;
        LLVMValueRef *v = asl_xmalloc(n * sizeof *v);
        for (uint32_t i = 0; i < n; i++) v[i] = ccast(l, LLVMGetNamedFunction(l->m, l->lp->jn_extra[i]->name));
        LLVMValueRef t = LLVMAddGlobal(l->m, array_of(l->ptr, n), "asl_jn_suite");
        LLVMSetInitializer(t, const_array(l->ptr, v, n));
        LLVMSetGlobalConstant(t, 1);
        LLVMValueRef nv = LLVMAddGlobal(l->m, l->i32, "asl_jn_suite_n");
        LLVMSetInitializer(nv, ci32(l, n));
        LLVMSetGlobalConstant(nv, 1);
        /* in every object of a program in parts: one kept at link time */
        LLVMSetLinkage(t, LLVMWeakODRLinkage);
        LLVMSetLinkage(nv, LLVMWeakODRLinkage);
        free(v);
    }
}

static void build_module(L *l, const aslc_emit_opts *o)
{
    const ir_program *p = l->p;
    /* Every state function exists before any is defined: transitions go
     * forwards and backwards. */
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    for (uint32_t i = 0; i < p->nall; i++) {
        /* noinline: each state stays one function in the binary (profiles and
         * backtraces name it), and the optimiser's work stays linear in the
         * number of states; inlining a chain of states into one function
         * made -O2 several times slower on large workflows for no gain, the
         * time being in the runtime calls.  Their helpers (do_, tp_, fn_, r_)
         * are still inlined into them.  Choice states of a program of one
         * part are the exception: a few compares and a jump, which inlined
         * into the state before them turn a loop of states into a loop of
         * code (choice_loop: 12 % fewer instructions). */
        LLVMValueRef fn = define(l, p->all[i]->cname, l->t_state);
        if (l->lay.parts > 1 || p->all[i]->type != IR_CHOICE)
            attr(l, fn, LLVMAttributeFunctionIndex, noinline, 0);
        shared(l, fn);
    }
    declare_jn(l);
    l->kref = LLVMAddGlobal(l->m, l->ptr, "K.ref");
    emit_machine(l, p->top);
    l->part = 0;  /* the program's own functions and data */
    emit_jn(l);
    LLVMValueRef init = emit_constants(l);
    emit_program(l, o, init);
}

bool aslc_emit_llvm(const ir_program *p, const aslc_emit_opts *o, const char *ll_path,
                    const char *const *objs, uint32_t nobj)
{
    static bool targets_ready;
    if (!targets_ready) {
        if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
            fprintf(stderr, "aslc: LLVM has no code generator for this machine\n");
            return false;
        }
        targets_ready = true;
    }
    bool ok = false;
    char *err = NULL;
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    if (LLVMGetTargetFromTriple(triple, &target, &err)) {
        fprintf(stderr, "aslc: LLVM cannot generate code for %s: %s\n", triple, err ? err : "?");
        LLVMDisposeMessage(err);
        LLVMDisposeMessage(triple);
        return false;
    }
    /* The data layout of the generic CPU of the triple: as code generation
     * (codegen) will use. */
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, "generic", "", LLVMCodeGenLevelDefault,
                                                      LLVMRelocPIC, LLVMCodeModelDefault);
    if (!tm) {
        fprintf(stderr, "aslc: LLVM cannot create a code generator for %s\n", triple);
        LLVMDisposeMessage(triple);
        return false;
    }
    L l;
    memset(&l, 0, sizeof l);
    l.p = p;
    l.lp = aslc_lower(p);
    l.lay = aslc_layout_of(p);
    l.sites = asl_xmalloc((p->ntasks ? p->ntasks : 1) * sizeof *l.sites);
    memset(l.sites, 0, (p->ntasks ? p->ntasks : 1) * sizeof *l.sites);
    l.td = LLVMCreateTargetDataLayout(tm);
    l.cx = LLVMContextCreate();
    l.m = LLVMModuleCreateWithNameInContext(p->name ? p->name : "workflow", l.cx);
    LLVMSetTarget(l.m, triple);
    LLVMSetModuleDataLayout(l.m, l.td);
    if (o->source_name) LLVMSetSourceFileName(l.m, o->source_name, strlen(o->source_name));

    if (!make_types(&l)) {
        fprintf(stderr, "aslc: internal error: the LLVM back end's runtime structs do not match "
                        "runtime/asl.h\n");
        goto out;
    }
    build_module(&l, o);

    if (LLVMVerifyModule(l.m, LLVMReturnStatusAction, &err)) {
        fprintf(stderr, "aslc: internal error: the LLVM module does not verify:\n%s", err ? err : "");
        goto out;
    }
    LLVMDisposeMessage(err);
    err = NULL;
    if (ll_path) {
        char *text = LLVMPrintModuleToString(l.m);
        bool w = aslc_write_file(ll_path, text, strlen(text));
        LLVMDisposeMessage(text);
        if (!w) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", ll_path, strerror(errno));
            goto out;
        }
    }
    if (nobj && !aslc_llvm_codegen(l.m, &l.lay, target, triple, objs, nobj)) goto out;
    ok = true;
out:
    LLVMDisposeMessage(err);
    LLVMDisposeModule(l.m);
    LLVMContextDispose(l.cx);
    LLVMDisposeTargetData(l.td);
    LLVMDisposeTargetMachine(tm);
    LLVMDisposeMessage(triple);
    free(l.consts);
    free(l.strs);
    free(l.sites);
    free(l.pathv);
    aslc_ids_free(&l.path_ids);
    aslc_ids_free(&l.const_ids);
    asl_buf_free(&l.key);
    return ok;
}
