/*
 * llvm_codegen.h — code generation of a built LLVM module (llvm_codegen.c),
 * for emit_llvm.c.
 */
#ifndef ASLC_LLVM_CODEGEN_H
#define ASLC_LLVM_CODEGEN_H

#include "aslc.h"

#include <llvm-c/TargetMachine.h>

/* Optimises m and writes it as nobj object files objs[k]: the whole module
 * into one, or a program in parts (lay) as runs of its parts, compiled in
 * parallel, one per object.  false with a message on stderr. */
bool aslc_llvm_codegen(LLVMModuleRef m, const aslc_layout *lay, LLVMTargetRef target, const char *triple,
                       const char *const *objs, uint32_t nobj);

#endif
