/*
 * asl_embed.h — a compiled workflow inside another process: what
 * `aslc FILE.json --target shared -o wf.so` exports (runtime/embed.c), so
 * that `aslc serve` dlopens a state machine once and runs its Express
 * executions on its own threads (compiler/serve_inproc.c) instead of a
 * process per execution.  The shared object carries its own copy of the
 * runtime, every symbol hidden but asl_embed.  This header is the whole
 * interface: plain C types only, versioned.
 */
#ifndef ASL_EMBED_H
#define ASL_EMBED_H

#include <stddef.h>

#define ASL_EMBED_VERSION 1

typedef struct {
    const char *input;          /* the execution input (JSON text), input_len bytes */
    size_t input_len;
    const char *exec_arn;       /* $$.Execution.Id (its last field is $$.Execution.Name) */
    const char *sm_arn;         /* $$.StateMachine.Id */
    /* Set by run, malloc'd (the caller frees them): the output JSON of a
     * successful execution, or the Error and Cause (may be NULL) of another. */
    char *output;
    char *error, *cause;
} asl_embed_call;

typedef struct {
    int version;                /* ASL_EMBED_VERSION */
    /* One execution on the caller's thread, which needs stack_size bytes
     * of stack; any number at once.  0 succeeded, 1 failed (error set),
     * 2 the input is not JSON (no execution; cause says why). */
    int (*run)(asl_embed_call *c);
    size_t stack_size;
} asl_embed_api;

/* The program's interface; NULL when its Task bindings do not bind (the
 * reason then in *why, which lives as long as the library). */
const asl_embed_api *asl_embed(const char **why);

#endif
