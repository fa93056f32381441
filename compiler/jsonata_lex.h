/*
 * jsonata_lex.h — the JSONata tokenizer, shared by jsonata_lex.c and
 * jsonata_parse.c only.
 */
#ifndef ASLC_JSONATA_LEX_H
#define ASLC_JSONATA_LEX_H

#include "jsonata_ast.h"
#include <setjmp.h>

typedef enum { JT_END, JT_NAME, JT_VARIABLE, JT_OPERATOR, JT_STRING, JT_NUMBER, JT_VALUE, JT_REGEX } jn_tok_type;

typedef struct {
    uint8_t type;        /* jn_tok_type */
    const char *s;       /* name, variable, operator text, string bytes, regex pattern */
    uint32_t n;
    const char *flags;   /* regex */
    double num;          /* number; value: 0 false, 1 true, 2 null */
    uint32_t pos;        /* offset of the token's first character */
} jn_tok;

typedef struct {
    asl_arena *a;
    const char *src;
    uint32_t len, at;
    aslc_jn_parse_error *err;
    jmp_buf fail;
} jn_lexer;

/* Fails (longjmp to lx->fail) with code at pos, token tok (may be NULL). */
_Noreturn void aslc_jn_lex_fail(jn_lexer *lx, const char *code, uint32_t pos, const char *tok, size_t tokn);
/* The next token; a '/' starts a regex unless infix (after an operand). */
jn_tok aslc_jn_lex_next(jn_lexer *lx, bool infix);

#endif
