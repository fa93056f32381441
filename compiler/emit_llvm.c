/*
 * emit_llvm.c — the LLVM back end: IR to an LLVM module built in-process with
 * the LLVM-C API, optimised, and written as an object file that build.c
 * links with the runtime exactly as it links the C back end's output.
 *
 * Like the C back end (emit_c.c) it prints the lowered program (lir.h,
 * lower.c, which makes every decision), op by op: the same functions with
 * the same names (st_<Name>, do_, try_, tp_, fn_, r_, jn_), the same runtime
 * calls in the same order with the same arguments, and the same static
 * descriptors: lir_data.c's records (P_, S_, TP_, F_, T_, R_/RE_, C_/CE_,
 * B_, M_, FMT_, natives, sites, asl_main_program), each a constant global
 * built field by field (dglobal) the first time an op points at it, so that
 * even the numbering of P_n, K[n], TP_n, fn_n and r_n agrees and the two
 * outputs can be read side by side (docs/backends.md shows one workflow in
 * both).  asl.h's inline first steps are called as generated C calls them,
 * from asl.h compiled to bitcode (link_first_steps).  No semantics live in
 * one back end only.
 *
 * A program of more than a few hundred states is compiled in parts: the
 * module is built once, every function marked with its part ("aslc-part"),
 * and llvm_codegen.c optimises runs of parts in parallel.
 *
 * Descriptor layout: each runtime struct is a named LLVM struct type listing
 * the C fields in order with the same types (lir.h's LIR_STRUCTS, the table
 * lir_structs); the target's data layout adds the padding.  make_types() compares every field
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
#include "asl_first_steps.bc.h"   /* asl_first_steps_bc: compiler/inline/asl_first_steps.c as bitcode */

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
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

/* ---- the runtime's structs ---------------------------------------------------------
 * lir.h's table LIR_STRUCTS (lir_structs, lir_data.c): field by field, in
 * order, the LLVM type, the C offset and the C size; make_types() holds
 * the LLVM layout of the target to these numbers. */

/* Generated code reads two fields of a value (Choice type tests, Fail's
 * ErrorPath/CausePath): at the C offsets, the host being the target. */
_Static_assert(sizeof(((asl_value *)0)->type) == 1, "asl_value.type is read as an i8");
_Static_assert(sizeof(((asl_value *)0)->u.str) == sizeof(void *), "asl_value.u.str is a pointer");

/* ---- the compilation ----------------------------------------------------------------- */

typedef struct {
    const ir_program *p;
    LLVMContextRef cx;
    LLVMModuleRef m;
    LLVMTargetDataRef td;
    LLVMTypeRef i8, i32, i64, dbl, vd, ptr;
    LLVMTypeRef st[LIR_S__COUNT];      /* the runtime structs */
    LLVMTypeRef t_state;           /* asl_value *(asl_exec *, asl_value *): st_, do_, try_, tp_, fn_ */
    LLVMTypeRef t_rule;            /* int (asl_exec *, asl_value *): r_ */
    LLVMValueRef rt[LIR_RT__COUNT];    /* declared on first use */
    LLVMTypeRef rt_ty[LIR_RT__COUNT];
    unsigned zeroext, nounwind, uwtable;
    LLVMValueRef kref;             /* stands for K until the number of constants is known */
    lir_program *lp;               /* the lowering (lower.c), its records made as they are built */
    uint32_t nconsts;
    const char **consts;           /* K_text */
    uint32_t cap_consts;
    aslc_ids const_ids;            /* JSON text -> K[n], as in emit_c.c */
    lir_names names;               /* the records' names and which are built */
    aslc_layout lay;               /* parts, as in emit_c.c */
    uint32_t part;                 /* the part being built (lower.c's, of the state) */
    aslc_ids str_ids;              /* string literal -> .str.<n> */
    LLVMValueRef *strs;            /* by that number */
    uint32_t cap_strs;
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

static LLVMValueRef ci8(L *l, unsigned v) { return LLVMConstInt(l->i8, v, 0); }
static LLVMValueRef ci32(L *l, int64_t v) { return LLVMConstInt(l->i32, (unsigned long long)v, 1); }
static LLVMValueRef ci64(L *l, int64_t v) { return LLVMConstInt(l->i64, (unsigned long long)v, 1); }
static LLVMValueRef cdbl(L *l, double v) { return LLVMConstReal(l->dbl, v); }
static LLVMValueRef cnull(L *l) { return LLVMConstNull(l->ptr); }

static void attr(L *l, LLVMValueRef fn, LLVMAttributeIndex at, unsigned kind, uint64_t val)
{
    LLVMAddAttributeAtIndex(fn, at, LLVMCreateEnumAttribute(l->cx, kind, val));
}

/* A private string literal of s (n bytes, then a NUL), as C writes "..."; the
 * same bytes share one global, as a C compiler merges equal literals. */
static LLVMValueRef str(L *l, const char *s, size_t n)
{
    if (!s) return cnull(l);
    bool fresh;
    uint32_t id = aslc_ids_get(&l->str_ids, s, n, &fresh);
    if (!fresh) return l->strs[id];
    if (id == l->cap_strs) {
        l->cap_strs = l->cap_strs ? 2 * l->cap_strs : 256;
        l->strs = asl_xrealloc(l->strs, l->cap_strs * sizeof *l->strs);
    }
#if LLVM_VERSION_MAJOR >= 19
    LLVMValueRef init = LLVMConstStringInContext2(l->cx, s, n, 0);
#else
    LLVMValueRef init = LLVMConstStringInContext(l->cx, s, (unsigned)n, 0);
#endif
    char name[32];
    snprintf(name, sizeof name, ".str.%u", id);
    LLVMValueRef g = LLVMAddGlobal(l->m, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(g, 1);
    return l->strs[id] = ccast(l, g);
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

static LLVMValueRef rt(L *l, int id)
{
    if (l->rt[id]) return l->rt[id];
    const char *sig = lir_rt_table[id].sig;
    LLVMTypeRef params[16];   /* the JSONata calls take up to 9 */
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
    LLVMValueRef fn = LLVMGetNamedFunction(l->m, lir_rt_table[id].name);
    if (fn)   /* declared by the first steps' bitcode, with C's types (link_first_steps) */
#if LLVM_VERSION_MAJOR >= 15
        return l->rt[id] = fn;
#else
        return l->rt[id] = LLVMConstBitCast(fn, LLVMPointerType(l->rt_ty[id], 0));
#endif
    fn = LLVMAddFunction(l->m, lir_rt_table[id].name, l->rt_ty[id]);
    for (unsigned i = 1; sig[i] && sig[i] != '.'; i++)
        if (sig[i] == 'b') attr(l, fn, i, l->zeroext, 0);
    return l->rt[id] = fn;
}

/* The runtime's entry point of intrinsic fn (lir_intrinsic_fn), its C type checked here. */
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
    LLVMValueRef f = LLVMGetNamedFunction(l->m, lir_intrinsic_fn[fn]);
    return f ? f : LLVMAddFunction(l->m, lir_intrinsic_fn[fn], *ty);
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
    f->in = LLVMCountParams(fn) > 1 ? LLVMGetParam(fn, LLVMCountParams(fn) - 1) : NULL;   /* jn_: (c, env, in) */
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

/* The value a from block ab or b from block bb, where they meet. */
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

/* ---- asl.h's inline first steps -------------------------------------------------------
 * compiler/inline/asl_first_steps.c, compiled to bitcode when aslc is built,
 * is linked into the module of a program of one part (lir_layout.inline_first):
 * asl_enter_c, asl_param_path_c, asl_leave_c, ... exist once, in asl.h, and
 * LLVM inlines them here as the C compiler does in generated C. */

static bool link_first_steps(L *l)
{
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange(
        (const char *)asl_first_steps_bc, sizeof asl_first_steps_bc, "asl_first_steps", 0);
    LLVMModuleRef fs;
    bool bad = LLVMParseBitcodeInContext2(l->cx, buf, &fs);
    LLVMDisposeMemoryBuffer(buf);
    if (bad) return false;
    LLVMSetTarget(fs, LLVMGetTarget(l->m));
    LLVMSetModuleDataLayout(fs, l->td);
    /* Every one inlined (the asl.h helpers they call too, as GCC inlines
     * them in generated C), wherever it is called: not tied to the CPU
     * clang assumed. */
    unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    for (LLVMValueRef fn = LLVMGetFirstFunction(fs); fn; fn = LLVMGetNextFunction(fn)) {
        if (LLVMIsDeclaration(fn)) continue;
        static const char *const drop[] = {"target-cpu", "target-features", "tune-cpu"};
        for (int k = 0; k < 3; k++)
            LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, drop[k], (unsigned)strlen(drop[k]));
        attr(l, fn, LLVMAttributeFunctionIndex, always, 0);
    }
    return !LLVMLinkModules2(l->m, fs);
}

/* Once the module is built: its first steps inlined where they are called
 * (before a program in parts is cut into them, which must not share
 * them), then dropped, with the pointers that kept them. */
static bool unlink_first_steps(L *l, LLVMTargetMachineRef tm)
{
    LLVMValueRef g = LLVMGetFirstGlobal(l->m), next;
    for (; g; g = next) {
        next = LLVMGetNextGlobal(g);
        size_t n;
        if (!strncmp(LLVMGetValueName2(g, &n), "aslc_inl_", 9)) LLVMDeleteGlobal(g);
    }
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(l->m, "always-inline", tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (!e) return true;
    char *msg = LLVMGetErrorMessage(e);
    fprintf(stderr, "aslc: internal error: inlining asl.h's first steps: %s\n", msg);
    LLVMDisposeErrorMessage(msg);
    return false;
}

/* The first step `name` (asl_first_steps.c's aslc_inl_<name>) called with
 * n arguments, cast to its C types; its result as the entry point's (a
 * bool as i8, a pointer as ptr). */
static LLVMValueRef inl(L *l, F *f, const char *name, unsigned n, ...)
{
    char gname[64];
    snprintf(gname, sizeof gname, "aslc_inl_%s", name);
    LLVMValueRef fn = LLVMGetInitializer(LLVMGetNamedGlobal(l->m, gname));
    LLVMTypeRef ty = LLVMGlobalGetValueType(fn), pt[8], ret = LLVMGetReturnType(ty);
    LLVMGetParamTypes(ty, pt);
    LLVMValueRef args[8];
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++) {
        LLVMValueRef v = va_arg(ap, LLVMValueRef);
        if (LLVMGetTypeKind(pt[i]) == LLVMPointerTypeKind) v = LLVMBuildPointerCast(f->b, v, pt[i], "");
        else if (LLVMGetTypeKind(pt[i]) == LLVMIntegerTypeKind && LLVMTypeOf(v) != pt[i])
            v = LLVMBuildIntCast2(f->b, v, pt[i], 0, "");
        args[i] = v;
    }
    va_end(ap);
    LLVMValueRef r = LLVMBuildCall2(f->b, ty, fn, args, n, "");
    if (LLVMGetTypeKind(ret) == LLVMPointerTypeKind) return LLVMBuildPointerCast(f->b, r, l->ptr, "");
    if (LLVMGetTypeKind(ret) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(ret) == 1)
        return LLVMBuildZExt(f->b, r, l->i8, "");
    return r;
}

static const char *const rt_ids[] = {
#define X(id, name, inl, sig, ctype) #id,
    LIR_RT(X)
#undef X
};

/* The call `id` of a path entry point (asl_param_path, asl_arg_path,
 * asl_choice_var), or of its first step in asl.h where lower.c's
 * lir_path_fast says it takes one. */
static LLVMValueRef path_call(L *l, F *f, lir_fast fast, int id, unsigned n, LLVMValueRef *args)
{
    if (fast != LIR_FAST_NONE && n == 4) return inl(l, f, rt_ids[id], 4, args[0], args[1], args[2], args[3]);
    if (fast != LIR_FAST_NONE) return inl(l, f, rt_ids[id], 3, args[0], args[1], args[2]);
    LLVMValueRef fn = rt(l, id);
    return LLVMBuildCall2(f->b, l->rt_ty[id], fn, args, n, "");
}

/* ---- paths ---------------------------------------------------------------------- */

static uint32_t emit_const(L *l, const char *json_text);
static LLVMValueRef kslot(L *l, uint32_t id);
static LLVMValueRef emit_call_fn(L *l, const lir_fn *f);
static LLVMTypeRef jn_type(L *l);

/* ---- data: lower.c's records (lir_data.c), built field by field ---------------------- */

static LLVMValueRef dglobal(L *l, const lir_data *d);

/* A function or symbol named by a record: declared (as a state's) if not yet in the module. */
static LLVMValueRef dfn(L *l, const char *name, LLVMTypeRef ty)
{
    LLVMValueRef fn = LLVMGetNamedFunction(l->m, name);
    return ccast(l, fn ? fn : LLVMAddFunction(l->m, name, ty));
}

static LLVMValueRef dvalue(L *l, const lir_val *v, LLVMTypeRef ty)
{
    switch ((lir_vk)v->k) {
    case LIR_V_INT: return LLVMConstInt(ty, (unsigned long long)v->i, 1);
    case LIR_V_NUM: return LLVMConstReal(ty, v->num);
    case LIR_V_STR: return str(l, v->str, v->len);
    case LIR_V_DATA: return ccast(l, dglobal(l, v->data));
    case LIR_V_FN:
        if (v->fn->kind == LIR_FN_TMPL || v->fn->kind == LIR_FN_CALL) return ccast(l, emit_call_fn(l, v->fn));
        return dfn(l, v->fn->name, jn_type(l));
    case LIR_V_SYM: return dfn(l, v->str, l->t_state);
    case LIR_V_K: return kslot(l, emit_const(l, v->str));
    default: return LLVMConstNull(ty);
    }
}

/* The constant global of record d, made the first time (after what it points at). */
static LLVMValueRef dglobal(L *l, const lir_data *d)
{
    const char *name = lir_data_name(&l->names, l->lp, d);
    if (l->names.done[d->id]) return LLVMGetNamedGlobal(l->m, name);
    l->names.done[d->id] = 1;
    const lir_struct *cs = &lir_structs[d->st];
    bool scalar = cs->n == 1 && !cs->f[0].name;
    LLVMTypeRef et = l->st[d->st];
    LLVMValueRef *el = asl_xmalloc((d->nv + 1) * sizeof *el), f[14];
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->nv;) {
        if (scalar) {
            el[n++] = dvalue(l, &d->v[i++], et);
            continue;
        }
        for (uint32_t k = 0; k < cs->n; k++) f[k] = LLVMConstNull(LLVMStructGetTypeAtIndex(et, k));
        do {
            f[d->v[i].field] = dvalue(l, &d->v[i], LLVMStructGetTypeAtIndex(et, d->v[i].field));
            i++;
        } while (i < d->nv && !(d->array && d->v[i].row));
        el[n++] = LLVMConstNamedStruct(et, f, cs->n);
    }
    if (!d->array && !n)
        el[n++] = LLVMConstNull(et);
    LLVMValueRef g = global(l, name, d->array ? const_array(et, el, n) : el[0]);
    free(el);
    return g;
}

/* P_ of p, as a pointer. */
static LLVMValueRef emit_path(L *l, const asl_path *p)
{
    return ccast(l, dglobal(l, lir_data_path(l->lp, p)));
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

/* ---- intrinsic calls and templates -------------------------------------------------
 * Built op by op by sb_op, as the state's other ops: a template's ops are
 * in pre-order, values are registers of the LIR function. */

/* &K[id], a constant address (the slot is filled at start). */
static LLVMValueRef kslot(L *l, uint32_t id)
{
    LLVMValueRef idx = ci64(l, id);
    return ccast(l, LLVMConstInBoundsGEP2(l->ptr, l->kref, &idx, 1));
}

/* The intrinsic c on the argument array arr (argc pointers), as the C back
 * end's call_expr: asl_format of FMT_n, else the function itself. */
static LLVMValueRef call_intrinsic(L *l, F *f, const lir_op *c, LLVMValueRef arr)
{
    const lir_data *fmt = lir_data_fmt(l->lp, c);
    if (fmt) return call(l, f, LIR_RT_FORMAT, 3, f->x, ccast(l, dglobal(l, fmt)), cast(l, f, arr));
    LLVMTypeRef fty;
    LLVMValueRef fn = intrinsic_fn(l, c->call->fn, &fty);
    LLVMValueRef args[3] = {f->x, ci32(l, c->call->argc), cast(l, f, arr)};
    return LLVMBuildCall2(f->b, fty, fn, args, 3, "");
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

/* TP_n of a large program's TEMPLATE op o, the nodes of its template. */
static LLVMValueRef emit_tmpl(L *l, const lir_op *o)
{
    return ccast(l, dglobal(l, lir_data_tmpl(l->lp, o)));
}

static void sb_fn(L *l, const ir_state *s, const lir_fn *lf, LLVMValueRef fn);

/* fn_n(x, in) of lower.c's helper f, or tp_n(x, in), a Map's item selector
 * or batch input, op by op: made once, however many ops and descriptors name
 * it (a second define would be an fn_n.1 with a body of its own). */
static LLVMValueRef emit_call_fn(L *l, const lir_fn *lf)
{
    LLVMValueRef fn = LLVMGetNamedFunction(l->m, lf->name);
    if (!fn) sb_fn(l, NULL, lf, fn = define(l, lf->name, l->t_state));
    return fn;
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
            LLVMValueRef got = path_call(l, &f, (lir_fast)o->fast, LIR_RT_CHOICE_VAR, 3, (LLVMValueRef[]){f.x, f.in, path});
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
            res = call(l, &f, LIR_RT_CHOICE_MATCHES, 3, v, str(l, o->str, o->len), ci64(l, o->len));
            break;
        case LIR_RT_CHOICE_NUMBER:
            res = o->fast ? inl(l, &f, "CHOICE_NUMBER", 3, v, op, cdbl(l, o->num))
                          : call(l, &f, LIR_RT_CHOICE_NUMBER, 3, v, op, cdbl(l, o->num));
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

/* ---- a function's ops, built a case per op ----------------------------------------
 * As emit_c.c prints them: lower.c decided every op, which function it is
 * in and where a failure goes.  One difference: the LLVM back end does not
 * group a large program's states into part functions, so a transition
 * that is a jump there is a tail call here. */

typedef struct {
    L *l;
    const ir_state *s;             /* the state, or NULL (fn_, tp_) */
    const lir_fn *lf;
    LLVMValueRef *val;             /* register -> its value */
    LLVMValueRef *acc, *mem;       /* a shaped object's bound so far, its members */
    uint32_t *idx;                 /* a shaped object's next member */
    LLVMValueRef arena;            /* the exec's arena, read at a template's first container */
    LLVMValueRef mi;               /* the local copy of M_, or NULL */
    LLVMValueRef arr;              /* fn_: its arguments' array a[] */
    LLVMBasicBlockRef ret_null;    /* return NULL, once the Catch starts */
    LLVMValueRef sw;               /* the switch on asl_catch */
    uint32_t ncaught;
} sb;

static LLVMValueRef sb_reg(const sb *q, F *f, uint32_t r)
{
    return r == LIR_IN ? f->in : r == LIR_NONE ? cnull(q->l) : q->val[r];
}

/* The state's descriptor `what` (lir_data.c), as the global. */
static LLVMValueRef sb_data(sb *q, lir_dstate what)
{
    return dglobal(q->l, lir_data_state(q->l->lp, q->s, what));
}

/* A function of the program an op names (do_, try_, r_: made before). */
static LLVMValueRef sb_named(sb *q, const lir_fn *t)
{
    if (t->kind == LIR_FN_TMPL || t->kind == LIR_FN_CALL) return emit_call_fn(q->l, t);
    return LLVMGetNamedFunction(q->l->m, t->name);
}

/* An operand of a JN op; sigc its parameter's type, 0 for a variadic one. */
static LLVMValueRef jn_arg(sb *q, F *f, const lir_arg *x, char sigc)
{
    L *l = q->l;
    switch ((lir_xk)x->k) {
    case LIR_X_REG: return sb_reg(q, f, x->reg);
    case LIR_X_CTX: return f->x;
    case LIR_X_ENV: return LLVMGetParam(f->fn, 1);
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

/* Op i of lf into f. */
static void sb_op(sb *q, F *f, const lir_fn *lf, uint32_t i)
{
    static const int map_which[5] = {ASL_MAP_MAX_CONCURRENCY, ASL_MAP_TOLERATED_COUNT, ASL_MAP_TOLERATED_PERCENT,
                                     ASL_MAP_MAX_ITEMS_PER_BATCH, ASL_MAP_MAX_BYTES_PER_BATCH};
    L *l = q->l;
    const ir_state *s = q->s;
    const lir_op *o = &lf->ops[i];
    LLVMValueRef a = sb_reg(q, f, o->a), b = sb_reg(q, f, o->b), r = NULL, flow;
    switch ((lir_opk)o->k) {
    case LIR_ENTER: {   /* a failure to enter is not caught */
        LLVMBasicBlockRef keep = f->fail;
        if (q->ret_null) f->fail = q->ret_null;
        r = ccast(l, sb_data(q, LIR_D_INFO));
        or_false(l, f, o->fast ? inl(l, f, "ENTER", 3, f->x, r, f->in) : call(l, f, LIR_RT_ENTER, 3, f->x, r, f->in));
        r = NULL;
        if (q->ret_null) f->fail = keep;
        break;
    }
    case LIR_PATH: {
        LLVMValueRef args[4] = {f->x, a, emit_path(l, o->path), str(l, o->str, o->len)};
        r = or_null(l, f, path_call(l, f, (lir_fast)o->fast, o->rt, o->rt == LIR_RT_PARAM_PATH ? 4 : 3, args));
        break;
    }
    case LIR_EMPTY:
        r = call(l, f, LIR_RT_OBJECT, 2, exec_arena(l, f), ci32(l, 0));
        break;
    case LIR_CONST:
        r = kval(l, f, emit_const(l, o->str));
        break;
    case LIR_LEAVE:
        r = or_null(l, f, o->fast ? inl(l, f, "LEAVE", 2, f->x, a) : call(l, f, LIR_RT_LEAVE, 2, f->x, a));
        break;
    case LIR_RESULT_PATH:
        r = or_null(l, f, call(l, f, LIR_RT_RESULT_PATH, 4, f->x, a, b, emit_path(l, o->path)));
        break;
    case LIR_JN: {   /* a JSONata call (jn_ functions); check: c->code set fails */
        const char *sig = lir_rt_table[o->rt].sig;
        size_t fixed = strcspn(sig + 1, ".");
        LLVMValueRef xa[64], *xv = o->nxargs <= 64 ? xa : asl_xmalloc(o->nxargs * sizeof *xv);
        for (uint32_t k = 0; k < o->nxargs; k++) xv[k] = jn_arg(q, f, &o->xargs[k], k < fixed ? sig[1 + k] : 0);
        LLVMValueRef callee = rt(l, o->rt);
        r = LLVMBuildCall2(f->b, l->rt_ty[o->rt], callee, xv, o->nxargs, "");
        if (xv != xa) free(xv);
        if (o->check)
            fail_if(l, f, LLVMBuildIsNotNull(f->b, load_at(l, f, l->ptr, f->x, ci64(l, offsetof(asl_jn_ctx, code)), "code"), ""));
        break;
    }
    case LIR_JN_OUT: {   /* the lean Output's expression called here, else ResultPath's call */
        LLVMBuilderRef bd = f->b;
        LLVMBasicBlockRef generic = block(l, f, "jn_generic"), done = block(l, f, "jn_done");
        LLVMValueRef v = call(l, f, LIR_RT_JN_LEAN_OUT, 4, f->x, a, b, dfn(l, o->target_fn->name, jn_type(l)));
        LLVMBasicBlockRef fast = LLVMGetInsertBlock(bd);
        LLVMBuildCondBr(bd, LLVMBuildIsNull(bd, v, ""), generic, done);
        LLVMPositionBuilderAtEnd(bd, generic);
        LLVMValueRef called = or_null(l, f, call(l, f, LIR_RT_RESULT_PATH, 4, f->x, a, b, emit_path(l, o->path)));
        LLVMBasicBlockRef from = LLVMGetInsertBlock(bd);
        LLVMBuildBr(bd, done);
        LLVMPositionBuilderAtEnd(bd, done);
        r = join(l, f, v, fast, called, from, "jn_v");
        break;
    }
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
    case LIR_HELPER:
        r = or_null(l, f, call_fn(l, f, l->t_state, sb_named(q, o->target_fn), f->x, a));
        break;
    case LIR_CALL:
        if (o->n == LIR_CALL_MATH_ADD) {
            LLVMValueRef p = q->val[o->args[0]], p2 = q->val[o->args[1]];
            r = o->fast ? inl(l, f, "MATH_ADD2", 3, f->x, p, p2) : call(l, f, LIR_RT_MATH_ADD2, 3, f->x, p, p2);
        } else {
            /* a helper's own array a[], else the exec's argument slots, asl_call_args(x) */
            uint32_t n = o->call->argc;
            LLVMValueRef slots = q->arr ? cast(l, f, q->arr)
                                 : LLVMBuildInBoundsGEP2(f->b, l->i8, f->x, (LLVMValueRef[]){ci64(l, offsetof(asl_exec_head, args))}, 1, "args");
            for (uint32_t k = 0; k < (n ? n : q->arr != NULL); k++)
                store_at(l, f, n ? q->val[o->args[k]] : cnull(l), slots, ci64(l, (int64_t)(k * sizeof(asl_value *))));
            r = call_intrinsic(l, f, o, slots);
        }
        if (o->check) or_null(l, f, r);
        break;
    case LIR_NEW:
        if (o->begins || !q->arena) q->arena = exec_arena(l, f);
        q->idx[o->d] = 0;
        if (!o->tmpl) {
            r = call(l, f, o->rt == LIR_RT_ARRAY ? LIR_RT_ARRAY : LIR_RT_OBJECT, 2, q->arena, ci32(l, o->n));
            break;
        }
        /* Made with its keys in place (asl_object_sized, then the keys'
         * stores, as the C back end's asl_object_shaped_c): a store per
         * member, whose bound is added up as the member comes (the C back
         * end's asl_member_set), the sum stored once at the end (BOUND). */
        r = call(l, f, LIR_RT_OBJECT_SIZED, 2, q->arena, ci32(l, o->tmpl->n));
        q->mem[o->d] = load_at(l, f, l->ptr, r, ci64(l, offsetof(asl_value, u.o.members)), "members");
        for (uint32_t k = 0; k < o->tmpl->n; k++) {
            int64_t off = (int64_t)(k * sizeof(asl_member));
            store_at(l, f, str(l, o->tmpl->members[k].key, o->tmpl->members[k].klen), q->mem[o->d],
                     ci64(l, off + (int64_t)offsetof(asl_member, key)));
            store_at(l, f, ci32(l, o->tmpl->members[k].klen), q->mem[o->d], ci64(l, off + (int64_t)offsetof(asl_member, klen)));
        }
        q->acc[o->d] = ci64(l, aslc_shape_jlen(o->tmpl));
        break;
    case LIR_MEMBER:
        if (o->fast == 2) {   /* in place, in an object of known keys */
            uint32_t k = q->idx[o->a]++;
            store_at(l, f, b, q->mem[o->a], ci64(l, (int64_t)(k * sizeof(asl_member) + offsetof(asl_member, val))));
            q->acc[o->a] = LLVMBuildAdd(f->b, q->acc[o->a], o->n != LIR_NONE ? ci64(l, o->n) : inl(l, f, "BOUND", 1, b), "");
        } else if (o->rt == LIR_RT_OBJECT_APPEND_LIT && o->fast) {   /* with the bound when known now */
            inl(l, f, "OBJECT_APPEND_LIT", 6, q->arena, a, str(l, o->str, o->len), ci32(l, o->len), b,
                ci64(l, o->n != LIR_NONE ? (int64_t)o->n : -1));
        } else if (o->rt == LIR_RT_OBJECT_APPEND_LIT) {
            call(l, f, LIR_RT_OBJECT_APPEND_LIT, 5, q->arena, a, str(l, o->str, o->len), ci64(l, o->len), b);
        } else {
            call(l, f, LIR_RT_OBJECT_APPEND, 5, q->arena, a, str(l, o->str, o->len), ci64(l, o->len), b);
        }
        break;
    case LIR_PUSH:
        call(l, f, LIR_RT_ARRAY_PUSH, 3, q->arena, a, b);
        break;
    case LIR_BOUND: {
        LLVMValueRef max = ci64(l, UINT32_MAX), sum = q->acc[o->a];
        sum = LLVMBuildSelect(f->b, LLVMBuildICmp(f->b, LLVMIntUGT, sum, max, ""), max, sum, "");
        store_at(l, f, LLVMBuildTrunc(f->b, sum, l->i32, ""), a, ci64(l, offsetof(asl_value, u.o.jlen)));
        break;
    }
    case LIR_TEMPLATE:
        if (o->n != 1)
            r = or_null(l, f, call(l, f, LIR_RT_TEMPLATE, 3, f->x, a, emit_tmpl(l, o->target_fn ? &o->target_fn->ops[0] : o)));
        break;
    case LIR_FLOW:
        flow = ccast(l, sb_data(q, LIR_D_FLOW));
        if (o->n == LIR_FLOW_PASS) r = or_null(l, f, call(l, f, LIR_RT_PASS, 4, f->x, f->in, ccast(l, sb_data(q, LIR_D_INFO)), flow));
        else if (o->n == LIR_FLOW_IN) r = or_null(l, f, call(l, f, LIR_RT_FLOW_IN, 3, f->x, a, flow));
        else r = or_null(l, f, call(l, f, LIR_RT_FLOW_OUT, 4, f->x, a, b, flow));
        break;
    case LIR_RULE:
        r = call_fn(l, f, l->t_rule, sb_named(q, o->target_fn), f->x, a);
        fail_if(l, f, LLVMBuildICmp(f->b, LLVMIntSLT, r, ci32(l, 0), ""));
        break;
    case LIR_BRANCH: {
        LLVMBasicBlockRef take = block(l, f, "match"), next = block(l, f, "");
        LLVMBuildCondBr(f->b, LLVMBuildICmp(f->b, LLVMIntNE, q->val[o->d], ci32(l, 0), ""), take, next);
        LLVMPositionBuilderAtEnd(f->b, take);
        LLVMValueRef v = a;
        if (o->path) v = or_null(l, f, call(l, f, LIR_RT_OUTPUT_PATH, 3, f->x, b, emit_path(l, o->path)));
        if (o->target_fn) {
            LLVMValueRef av = or_null(l, f, call_fn(l, f, l->t_state, emit_call_fn(l, o->target_fn), f->x, b));
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
            LLVMValueRef site = ccast(l, sb_data(q, LIR_D_SITE));
            if (o->rt == LIR_RT_TASK) r = or_null(l, f, call(l, f, LIR_RT_TASK, 3, f->x, site, a));
            else r = or_null(l, f, call(l, f, LIR_RT_TASK_TIMED, 5, f->x, site, a, b, sb_reg(q, f, o->n)));
            break;
        }
        case LIR_RT_PARALLEL: {
            LLVMValueRef br = ccast(l, sb_data(q, LIR_D_FANOUT));
            r = or_null(l, f, call(l, f, LIR_RT_PARALLEL, 4, f->x, a, br, ci32(l, o->n)));
            break;
        }
        case LIR_RT_MAP_SETTING:
            if (!q->mi) {   /* asl_map_info mi = M_X; */
                q->mi = LLVMBuildAlloca(f->b, l->st[LIR_S_MAP], "mi");
                LLVMBuildStore(f->b, LLVMBuildLoad2(f->b, l->st[LIR_S_MAP], sb_data(q, LIR_D_FANOUT), ""), q->mi);
            }
            or_false(l, f, call(l, f, LIR_RT_MAP_SETTING, 5, f->x, a, emit_path(l, o->path), ci32(l, map_which[o->n]),
                                cast(l, f, q->mi)));
            break;
        case LIR_RT_MAP:
        case LIR_RT_MAP_IO:
            r = or_null(l, f, call(l, f, o->rt, 4, f->x, a, b, q->mi ? cast(l, f, q->mi) : ccast(l, sb_data(q, LIR_D_FANOUT))));
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
        LLVMValueRef v = call_fn(l, f, l->t_state, sb_named(q, o->target_fn), f->x, f->in);
        LLVMBuildCondBr(f->b, LLVMBuildIsNull(f->b, v, ""), retry, out);
        LLVMPositionBuilderAtEnd(f->b, retry);
        LLVMValueRef again = call(l, f, LIR_RT_RETRY, 4, f->x, ccast(l, sb_data(q, LIR_D_RETRY)), ci32(l, o->n), cast(l, f, counts));
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
            LLVMValueRef k = call(l, f, LIR_RT_CATCH, 3, f->x, ccast(l, sb_data(q, LIR_D_CATCH)), ci32(l, s->ncatch));
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
        /* counted: an Error or Cause may hold a U+0000 */
        LLVMBuildRet(f->b, call(l, f, LIR_RT_FAIL, 7, f->x, o->str ? str(l, o->str, o->len) : cnull(l),
                                ci64(l, o->len), o->str2 ? str(l, o->str2, o->len2) : cnull(l),
                                ci64(l, o->len2), o->a != LIR_NONE ? a : cnull(l),
                                o->b != LIR_NONE ? b : cnull(l)));
        break;
    default:
        break;
    }
    if (r && o->d != LIR_NONE && o->k != LIR_BRANCH) q->val[o->d] = r;
}

/* The function fn from lf's ops (of state s, or NULL). */
static void sb_fn(L *l, const ir_state *s, const lir_fn *lf, LLVMValueRef fn)
{
    F f;
    begin(l, &f, fn);
    uint32_t n = lf->nregs ? lf->nregs : 1;
    sb q = {.l = l, .s = s, .lf = lf};
    q.val = asl_xmalloc(n * sizeof *q.val);
    q.acc = asl_xmalloc(n * sizeof *q.acc);
    q.mem = asl_xmalloc(n * sizeof *q.mem);
    q.idx = asl_xmalloc(n * sizeof *q.idx);
    if (lf->kind == LIR_FN_CALL) {
        uint32_t argc = lf->ops[lf->nops - 2].call->argc;   /* the CALL, then the return */
        q.arr = LLVMBuildAlloca(f.b, array_of(l->ptr, argc ? argc : 1), "a");
    }
    if (lf->catches) {
        q.ret_null = fail_block(l, &f);
        f.fail = block(l, &f, "failed");
    }
    for (uint32_t i = 0; i < lf->nops; i++) sb_op(&q, &f, lf, i);
    end(&f);
    free(q.val);
    free(q.acc);
    free(q.mem);
    free(q.idx);
}

/* A state's functions: what they point at first (its rules, Retry and
 * Catch, a large program's templates of the data flow and F_), then its
 * do_ and try_, then its own. */
static void emit_state_ops(L *l, const ir_state *s)
{
    const lir_fn *st = l->lp->state_fn[s->index], *dof = l->lp->do_fn[s->index], *tryf = NULL;
    for (uint32_t i = 0; i < st->nops; i++) {
        if (st->ops[i].k == LIR_RULE) emit_rule(l, st->ops[i].target_fn);
        if (st->ops[i].k == LIR_HELPER && st->ops[i].target_fn->kind == LIR_FN_TRY) tryf = st->ops[i].target_fn;
    }
    if (s->nretry) dglobal(l, lir_data_state(l->lp, s, LIR_D_RETRY));
    if (s->ncatch) dglobal(l, lir_data_state(l->lp, s, LIR_D_CATCH));
    const lir_fn *ff = dof ? dof : st;
    bool flow = false;
    for (uint32_t i = 0; i < ff->nops; i++) {
        const lir_op *o = &ff->ops[i];
        if (o->k == LIR_TEMPLATE && o->n == 1) emit_tmpl(l, o);   /* the flow's templates first, as in C */
        flow |= o->k == LIR_FLOW;
    }
    if (flow) dglobal(l, lir_data_state(l->lp, s, LIR_D_FLOW));
    if (dof) sb_fn(l, s, dof, define(l, dof->name, l->t_state));
    if (tryf) sb_fn(l, s, tryf, define(l, tryf->name, l->t_state));
    sb_fn(l, s, st, LLVMGetNamedFunction(l->m, s->cname));
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

    LLVMTypeRef ity[1] = {l->ptr};
    F f;
    begin(l, &f, define(l, "init_constants", LLVMFunctionType(l->vd, ity, 1, 0)));
    LLVMValueRef a = LLVMGetParam(f.fn, 0);
    LLVMSetValueName2(a, "a", 1);
    inl(l, &f, "INIT_CONSTANTS", 4, a, ccast(l, k), ccast(l, text), ci32(l, l->nconsts));
    LLVMBuildRetVoid(f.b);
    end(&f);
    return f.fn;
}

/* The program's tables and asl_main_program (lir_data_program), which the runtime links to. */
static void emit_program(L *l, const aslc_emit_opts *o)
{
    LLVMSetLinkage(dglobal(l, lir_data_program(l->lp, o, false)), LLVMExternalLinkage);
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
    for (int s = 0; s < LIR_S__COUNT; s++) {
        const lir_struct *c = &lir_structs[s];
        if (c->n == 1 && !c->f[0].name) {   /* a pointer or a uint32_t: an array's element */
            l->st[s] = c->f[0].t == 'i' ? l->i32 : l->ptr;
            continue;
        }
        char name[64];
        snprintf(name, sizeof name, "struct.%s", c->ctype);
        LLVMTypeRef el[sizeof c->f / sizeof c->f[0]];
        for (uint32_t i = 0; i < c->n; i++) {
            char t = c->f[i].t;
            el[i] = t == 'c' ? l->i8 : t == 'i' ? l->i32 : t == 'l' ? l->i64 : t == 'd' ? l->dbl : l->ptr;
        }
        l->st[s] = LLVMStructCreateNamed(cx, name);
        LLVMStructSetBody(l->st[s], el, c->n, 0);
        /* The check that makes the descriptors safe: LLVM's layout of the
         * struct for this target is the C compiler's layout of asl.h. */
        if (LLVMABISizeOfType(l->td, l->st[s]) != c->size) {
            fprintf(stderr, "aslc: internal error: struct %s: %llu bytes in LLVM, %zu in C\n", c->ctype,
                    (unsigned long long)LLVMABISizeOfType(l->td, l->st[s]), c->size);
            ok = false;
        }
        for (uint32_t i = 0; i < c->n; i++) {
            unsigned long long off = LLVMOffsetOfElement(l->td, l->st[s], i);
            unsigned long long size = LLVMABISizeOfType(l->td, el[i]);
            if (off != c->f[i].off || size != c->f[i].size) {
                fprintf(stderr, "aslc: internal error: struct %s field %u: offset %llu size %llu in "
                                "LLVM, offset %zu size %zu in C\n",
                        c->ctype, i, off, size, c->f[i].off, c->f[i].size);
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

static void emit_jn(L *l)
{
    for (uint32_t i = 0; i < l->lp->nfns; i++)
        if (l->lp->fns[i]->kind == LIR_FN_JN) sb_fn(l, NULL, l->lp->fns[i], LLVMGetNamedFunction(l->m, l->lp->fns[i]->name));
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
    for (uint32_t i = 0; i < l->lp->nfns; i++) {   /* lower.c's order: a state after its branches */
        const lir_fn *st = l->lp->fns[i];
        if (st->kind != LIR_FN_STATE) continue;
        l->part = st->part;
        dglobal(l, lir_data_state(l->lp, st->state, LIR_D_INFO));
        emit_state_ops(l, st->state);
    }
    l->part = 0;  /* the program's own functions and data */
    emit_jn(l);
    emit_constants(l);
    emit_program(l, o);
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
    if (!link_first_steps(&l)) {
        fprintf(stderr, "aslc: internal error: cannot link asl.h's first steps (asl_first_steps.bc)\n");
        goto out;
    }
    build_module(&l, o);
    if (!unlink_first_steps(&l, tm)) goto out;

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
    aslc_ids_free(&l.str_ids);
    lir_names_free(&l.names);
    lir_data_free(l.lp);
    aslc_ids_free(&l.const_ids);
    return ok;
}
