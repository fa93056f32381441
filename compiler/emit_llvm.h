/*
 * emit_llvm.h — the entry points of the LLVM back end (emit_llvm.c).
 *
 * Only compiled when CMake found LLVM (ASLC_HAVE_LLVM); main.c calls it for
 * --backend=llvm and --emit-llvm.  Kept apart from aslc.h so that a build
 * without LLVM never sees a declaration it cannot link.
 */
#ifndef ASLC_EMIT_LLVM_H
#define ASLC_EMIT_LLVM_H

#include "aslc.h"

/* Builds the LLVM module of p and verifies it.  ll_path (or NULL): writes
 * the module as text, before optimisation.  nobj objects (or none): optimises
 * it and writes it as object files for the host, objs[k]: the whole module
 * into one, or a program in parts (aslc_layout_of) as runs of its parts,
 * compiled in parallel, one per object.  false, with a message on stderr,
 * when anything fails (a module that does not verify is an internal error). */
bool aslc_emit_llvm(const ir_program *p, const aslc_emit_opts *o, const char *ll_path,
                    const char *const *objs, uint32_t nobj);

/* The whole --backend=llvm pipeline after the front end: the module, then
 * (with output) object files in $TMPDIR, one per processor for a program in
 * parts, linked by aslc_build() with the runtime and the handlers into
 * output.  false with a message on failure. */
bool aslc_llvm_compile(const ir_program *p, const aslc_emit_opts *o, const char *ll_path,
                       const char *output, const char *handlers);

#endif
