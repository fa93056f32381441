/*
 * llvm_codegen.c — the LLVM back end's code generation: a built module (emit_llvm.c)
 * optimised and written as object files, and the --backend=llvm pipeline
 * that links them (aslc_llvm_compile).
 *
 * A program of more than a few hundred states is compiled in parts, in
 * parallel (aslc_layout_of): the module is built once, every function marked
 * with its part ("aslc-part"), and each of a few threads reads the module's
 * bitcode into a context of its own, keeps its run of parts (keep_parts) and
 * optimises it into an object file of its own.
 */
#define _GNU_SOURCE
#include "emit_llvm.h"
#include "llvm_codegen.h"

#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Leaves in m what parts first..last need: the other parts' state functions
 * become declarations (another object defines them), their helpers go, and
 * so do the program's descriptor and K's definition unless part 0 is here.
 * What nothing uses any more is left to the optimiser's dead global
 * elimination. */
static void keep_parts(LLVMModuleRef m, uint32_t first, uint32_t last)
{
    if (first > 0) {
        LLVMValueRef g = LLVMGetNamedGlobal(m, "asl_main_program");
        if (g) LLVMDeleteGlobal(g);
        LLVMValueRef k = LLVMGetNamedGlobal(m, "K");
        if (k) LLVMSetInitializer(k, NULL);  /* a declaration */
    }
    LLVMValueRef next;
    for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn; fn = next) {
        next = LLVMGetNextFunction(fn);
        if (LLVMIsDeclaration(fn)) continue;
        LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "aslc-part", 9);
        unsigned n = 0;
        const char *v = a ? LLVMGetStringAttributeValue(a, &n) : "0";
        char num[16];
        snprintf(num, sizeof num, "%.*s", (int)(n < 15 ? n : 15), v);
        uint32_t part = (uint32_t)strtoul(num, NULL, 10);
        if (part >= first && part <= last) continue;
        if (LLVMGetLinkage(fn) == LLVMExternalLinkage) {
            size_t len;
            const char *name = LLVMGetValueName2(fn, &len);
            char *copy = strndup(name, len);
            LLVMValueRef decl = LLVMAddFunction(m, "", LLVMGlobalGetValueType(fn));
            LLVMReplaceAllUsesWith(fn, decl);
            LLVMDeleteFunction(fn);
            LLVMSetValueName2(decl, copy, len);
            LLVMSetVisibility(decl, LLVMHiddenVisibility);
            free(copy);
        } else {
            /* a helper: only its own state, in its own part, used it */
            LLVMReplaceAllUsesWith(fn, LLVMConstNull(LLVMTypeOf(fn)));
            LLVMDeleteFunction(fn);
        }
    }
}

/* One object file of the program: a whole module, or (from the module's
 * bitcode, in a context of its own, on a thread of its own) parts first..last. */
typedef struct {
    LLVMModuleRef m;               /* the module, or NULL: parse bc */
    const char *bc;
    size_t bclen;
    LLVMTargetRef target;
    const char *triple;
    bool big;
    uint32_t first, last;
    const char *obj;
    bool ok;
} cg_job;

static void *codegen(void *arg)
{
    cg_job *j = arg;
    char *err = NULL;
    LLVMContextRef cx = NULL;
    LLVMModuleRef m = j->m;
    j->ok = false;
    if (!m) {
        cx = LLVMContextCreate();
        LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange(j->bc, j->bclen, "module", 0);
        bool bad = LLVMParseBitcodeInContext2(cx, buf, &m);
        LLVMDisposeMemoryBuffer(buf);
        if (bad) {
            fprintf(stderr, "aslc: internal error: LLVM cannot read back its module\n");
            LLVMContextDispose(cx);
            return NULL;
        }
        keep_parts(m, j->first, j->last);
    }
    /* The generic CPU of the triple, as `cc -O2` targets: the binary runs on
     * any machine of the architecture, not only the one that compiled it.
     * A large program (aslc_layout_of) is not optimised, and its code is
     * selected by the quick FastISel: its state functions are a runtime call
     * or two, which optimisation makes no faster, and this halves its
     * compile time (against clang's -O1).  Its transitions stay jumps:
     * FastISel leaves a tail call to the SelectionDAG, which makes it one
     * (tests/check_big_workflow.py runs a loop of a million transitions). */
    LLVMTargetMachineRef tm =
        LLVMCreateTargetMachine(j->target, j->triple, "generic", "",
                                j->big ? LLVMCodeGenLevelNone : LLVMCodeGenLevelDefault, LLVMRelocPIC,
                                LLVMCodeModelDefault);
    if (!tm) {
        fprintf(stderr, "aslc: LLVM cannot create a code generator for %s\n", j->triple);
        goto out;
    }
    /* The optimisation -O2 (-O0) means in clang, then code generation. */
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(m, j->big ? "default<O0>" : "default<O2>", tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        char *msg = LLVMGetErrorMessage(e);
        fprintf(stderr, "aslc: internal error: LLVM optimisation failed: %s\n", msg);
        LLVMDisposeErrorMessage(msg);
        goto out;
    }
    char *path = strdup(j->obj);
    bool bad = LLVMTargetMachineEmitToFile(tm, m, path, LLVMObjectFile, &err);
    free(path);
    if (bad) fprintf(stderr, "aslc: cannot write the object file %s: %s\n", j->obj, err ? err : "?");
    else j->ok = true;
out:
    LLVMDisposeMessage(err);
    if (tm) LLVMDisposeTargetMachine(tm);
    if (cx) {
        LLVMDisposeModule(m);
        LLVMContextDispose(cx);
    }
    return NULL;
}

/* libLLVM is not built with ThreadSanitizer, which therefore cannot see how
 * it publishes its lazily created globals (timer groups, ...) and reports
 * races in them: a ThreadSanitizer build of aslc compiles the parts one
 * after the other. */
#if defined(__SANITIZE_THREAD__)
#define PARALLEL_CODEGEN 0
#else
#define PARALLEL_CODEGEN 1
#endif

bool aslc_llvm_codegen(LLVMModuleRef m, const aslc_layout *lay, LLVMTargetRef target, const char *triple,
                       const char *const *objs, uint32_t nobj)
{
    cg_job *jobs = asl_xmalloc(nobj * sizeof *jobs);
    memset(jobs, 0, nobj * sizeof *jobs);
    for (uint32_t k = 0; k < nobj; k++)
        jobs[k] = (cg_job){.target = target, .triple = triple, .big = lay->big, .obj = objs[k],
                           .first = (uint32_t)((uint64_t)lay->parts * k / nobj),
                           .last = (uint32_t)((uint64_t)lay->parts * (k + 1) / nobj) - 1};
    bool ok = true;
    if (nobj == 1) {
        jobs[0].m = m;
        codegen(&jobs[0]);
        ok = jobs[0].ok;
    } else {
        LLVMMemoryBufferRef bc = LLVMWriteBitcodeToMemoryBuffer(m);
        pthread_t *th = asl_xmalloc(nobj * sizeof *th);
        bool *started = asl_xmalloc(nobj * sizeof *started);
        for (uint32_t k = 0; k < nobj; k++) {
            jobs[k].bc = LLVMGetBufferStart(bc);
            jobs[k].bclen = LLVMGetBufferSize(bc);
            started[k] = PARALLEL_CODEGEN && pthread_create(&th[k], NULL, codegen, &jobs[k]) == 0;
            if (!started[k]) codegen(&jobs[k]);
        }
        for (uint32_t k = 0; k < nobj; k++) {
            if (started[k]) pthread_join(th[k], NULL);
            ok = ok && jobs[k].ok;
        }
        free(th);
        free(started);
        LLVMDisposeMemoryBuffer(bc);
    }
    free(jobs);
    return ok;
}

bool aslc_llvm_compile(const ir_program *p, const aslc_emit_opts *o, const char *ll_path,
                       const char *output, const char *handlers)
{
    if (!output) return aslc_emit_llvm(p, o, ll_path, NULL, 0);
    /* One object, or for a program in parts one per processor. */
    aslc_layout lay = aslc_layout_of(p);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t nobj = ncpu < 1 ? 1 : (uint32_t)ncpu;
    if (nobj > lay.parts) nobj = lay.parts;
    char (*obj)[PATH_MAX] = asl_xmalloc(nobj * sizeof *obj);
    const char **objs = asl_xmalloc(nobj * sizeof *objs);
    const char *tmpdir = getenv("TMPDIR");
    uint32_t made = 0;
    bool ok = true;
    for (; made < nobj; made++) {
        snprintf(obj[made], PATH_MAX, "%s/aslc-XXXXXX.o", tmpdir && *tmpdir ? tmpdir : "/tmp");
        int fd = mkstemps(obj[made], 2);
        if (fd < 0) {
            fprintf(stderr, "aslc: cannot create a temporary file: %s\n", strerror(errno));
            ok = false;
            break;
        }
        close(fd);
        objs[made] = obj[made];
    }
    ok = ok && aslc_emit_llvm(p, o, ll_path, objs, nobj);
    if (ok) {
        aslc_build_opts bo = {.handlers = handlers, .output = output, .obj_files = objs,
                              .nobj_files = nobj, .aws = o->aws, .lambda = o->lambda,
                              .linked_sym = o->linked_sym};
        ok = aslc_build(&bo);
    }
    for (uint32_t k = 0; k < made; k++) unlink(obj[k]);
    free(obj);
    free(objs);
    return ok;
}
