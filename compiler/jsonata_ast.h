/*
 * jsonata_ast.h — the compile-time JSONata parser and its syntax tree.
 *
 * aslc compiles JSONata: every `{% expr %}` is parsed here, when the
 * workflow is compiled, into a tree of aslc_jn_node with the character offset
 * of each node, so that a syntax error is a diagnostic at its line:col and
 * nothing parses expression text at run time.  The grammar and the tree are
 * those of jsonata-js 2.0.6 (the version AWS Step Functions runs): a Pratt
 * parser with the reference's binding powers, then the reference's
 * post-processing (location paths flattened into steps, predicates attached
 * to steps as stages, `@` / `#` bindings marked on steps, `%` resolved to the
 * step it names, tail calls wrapped as thunks).  The semantics live in the
 * runtime (runtime/jsonata.h); jsonata_eval.c walks this tree over them.
 *
 * The whole tree lives in the arena given to aslc_jn_parse.
 */
#ifndef ASLC_JSONATA_AST_H
#define ASLC_JSONATA_AST_H

#include "../runtime/jsonata.h"

typedef enum {
    JN_PATH,        /* list: steps */
    JN_NAME,        /* str: a field name */
    JN_VARIABLE,    /* str: without '$'; "" is the context $ */
    JN_STRING,      /* str */
    JN_NUMBER,      /* num */
    JN_VALUE,       /* num: 0 false, 1 true, 2 null */
    JN_REGEX,       /* str: pattern; flags: the regex flags text */
    JN_WILDCARD,
    JN_DESCENDANT,
    JN_PARENT,      /* slot */
    JN_BINARY,      /* op, lhs, rhs */
    JN_NEGATE,      /* lhs */
    JN_ARRAY,       /* list: items */
    JN_OBJECT,      /* list: key, value, key, value... */
    JN_FUNCTION,    /* lhs: procedure, list: arguments */
    JN_PARTIAL,     /* the same, some arguments JN_PLACEHOLDER */
    JN_PLACEHOLDER, /* `?` as an argument */
    JN_LAMBDA,      /* list: parameters (JN_VARIABLE), rhs: body, str: signature or NULL */
    JN_CONDITION,   /* lhs ? rhs : third */
    JN_TRANSFORM,   /* | lhs | rhs , third | */
    JN_BLOCK,       /* list: expressions */
    JN_BIND,        /* lhs (variable) := rhs */
    JN_APPLY,       /* lhs ~> rhs */
    JN_SORT,        /* a path step: list: terms (JN_SORTTERM) */
    JN_SORTTERM,    /* lhs: expression, descending */
    JN_FILTER,      /* a stage: lhs: predicate */
    JN_INDEX,       /* a stage: str: the variable bound to the position */
    /* raw nodes of the first pass only, gone after post-processing */
    JN_R_PREDICATE, JN_R_GROUP, JN_R_SORT, JN_R_FOCUS, JN_R_POSITION, JN_R_PATH, JN_R_OPERATOR,
    JN_R_END,       /* the end of the text as an operand: S0207 if it survives the parse */
    JN_NODE_TYPES
} aslc_jn_node_type;

typedef struct aslc_jn_node aslc_jn_node;

/* A `%` to resolve: which step it names, counted in steps up from where it is. */
typedef struct {
    char label[16];    /* the tuple binding that carries the parent ("!0", ...) */
    int level;
    int index;         /* the JN_PARENT node's number */
} aslc_jn_slot;

struct aslc_jn_node {
    uint8_t type;            /* aslc_jn_node_type */
    uint8_t op;              /* JN_BINARY: asl_jn_op */
    bool keep_array;         /* `[]` after the step: keep a singleton array */
    bool keep_singleton;     /* JN_PATH: one of its steps keeps arrays */
    bool cons_array;         /* an array constructor that paths must not flatten */
    bool tuple;              /* the step (or path) carries a tuple stream */
    bool thunk;              /* JN_LAMBDA made for a tail call */
    bool descending;         /* JN_SORTTERM */
    bool staged;             /* stages run per input item of a path step (else: a predicate on the whole value) */
    uint32_t pos;            /* offset of the node's token in the expression text */
    const char *str;         /* names, strings, regex patterns, signatures */
    uint32_t slen;
    const char *flags;       /* JN_REGEX */
    double num;
    aslc_jn_node *lhs, *rhs, *third;
    aslc_jn_node **list;      /* see the types above */
    uint32_t n;
    aslc_jn_node **stages;    /* JN_FILTER / JN_INDEX applied after the step (or predicates of a non-step) */
    uint32_t nstages;
    aslc_jn_node **group;     /* `{ }` grouping after the expression: key, value, ... */
    uint32_t ngroup;         /* pairs */
    bool grouped;            /* has `{ }` (ngroup may be 0) */
    uint32_t group_pos;
    const char *focus;       /* `@$v` on this step */
    const char *index;       /* `#$i` on this step */
    aslc_jn_slot *ancestor;   /* JN_NAME / JN_WILDCARD: the `%` that binds this step's input */
    aslc_jn_slot *slot;       /* JN_PARENT */
    aslc_jn_slot **seeking;   /* slots of `%` still unresolved below this node */
    uint32_t nseeking;
    asl_value *regex;        /* JN_REGEX: the regex value, compiled when parsed (in the tree's arena) */
};

/* A syntax error as the reference reports it: its code (S0101 ...), the
 * offset of the character, and the offending token when there is one. */
typedef struct {
    const char *code;
    uint32_t pos;
    char token[48];
    char msg[160];
} aslc_jn_parse_error;

/* Parses text (n bytes); NULL with *err filled on a syntax error. */
aslc_jn_node *aslc_jn_parse(asl_arena *a, const char *text, size_t n, aslc_jn_parse_error *err);

/* Evaluates e (jsonata_eval.c, the compile-time walker over the runtime's
 * semantics) against input, with bindings (an object of variables, or
 * NULL); undefined is NULL, an error sets c->code. */
asl_value *aslc_jn_eval(asl_jn_ctx *c, const aslc_jn_node *e, asl_value *input, asl_value *bindings);

/* Where byte off of a string's decoded text is in its JSON source: raw
 * points just after the string's opening quote (rawlen bytes follow).  A
 * diagnostic's column inside the JSON string, escapes counted as written. */
uint32_t aslc_jn_raw_offset(const char *raw, size_t rawlen, uint32_t off);

/* What Step Functions refuses in an expression that parses: a call of
 * $eval that no binding of the expression defines (AWS has no $eval; $parse
 * replaces it).  NULL, or a message with *pos the offset of the call. */
const char *aslc_jn_unsupported(const aslc_jn_node *e, uint32_t *pos);

/* A one-line description of a syntax error code (for diagnostics). */
const char *aslc_jn_parse_message(const char *code);

#endif
