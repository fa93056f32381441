/*
 * ir.h — the typed intermediate representation of a state machine.
 *
 * The front end (parse.c) turns the cJSON tree into this; after that nothing
 * touches cJSON.  Everything here is allocated in the compilation's arena
 * (asl_arena from the runtime's value library) and freed with it.
 * docs/ir.md describes the IR for people.
 *
 * JSONPaths are stored pre-parsed as the runtime's own asl_path descriptors,
 * so a back end only has to write them out.  Constant JSON (Result, literal
 * Parameters members) is stored as runtime asl_values.
 */
#ifndef ASLC_IR_H
#define ASLC_IR_H

#include "../runtime/asl.h"

/* Where a field was in the definition: for diagnostics. */
typedef struct {
    int line, col;       /* 1-based; 0 = unknown */
    const char *ptr;     /* JSON pointer, e.g. /States/Foo/Next */
} ir_loc;

/* ---- intrinsic calls ------------------------------------------------------ */

typedef enum {
    IR_ARG_STRING,     /* 'literal' */
    IR_ARG_NUMBER,     /* 12, -3.5 */
    IR_ARG_BOOL,       /* true / false */
    IR_ARG_NULL,       /* null */
    IR_ARG_PATH,       /* $.a, $$.Execution.Id */
    IR_ARG_CALL        /* States.X(...) */
} ir_arg_kind;

typedef struct ir_call ir_call;

typedef struct {
    ir_arg_kind kind;
    const char *str;          /* STRING: unescaped, NUL-terminated; NUMBER: its text */
    uint32_t len;
    double num;
    bool b;
    const asl_path *path;
    ir_call *call;
} ir_arg;

struct ir_call {
    int fn;                   /* ASL_FN_* */
    uint32_t argc;
    ir_arg *args;
};

/* ---- payload templates (Parameters, ResultSelector, ItemSelector) -------- */
/* A template is a JSON value in which "key.$" members are computed. */

typedef enum {
    IR_T_CONST,       /* a constant subtree (no .$ keys below) */
    IR_T_OBJECT,      /* object with at least one computed member below */
    IR_T_ARRAY,       /* array with at least one computed element below */
    IR_T_PATH,        /* "key.$": "$.path" or "$$.path" */
    IR_T_CALL         /* "key.$": "States.Fn(...)" */
} ir_tmpl_kind;

typedef struct ir_tmpl ir_tmpl;

typedef struct {
    const char *key;          /* without the ".$" suffix */
    uint32_t klen;
    ir_tmpl *val;
} ir_tmpl_member;

struct ir_tmpl {
    ir_tmpl_kind kind;
    asl_value *cval;          /* CONST */
    const char *ctext;        /* CONST: its JSON text (compact) */
    uint32_t n;               /* OBJECT members / ARRAY items */
    ir_tmpl_member *members;
    ir_tmpl **items;
    const asl_path *path;     /* PATH */
    ir_call *call;            /* CALL */
    const char *src;          /* PATH/CALL: the expression as written */
};

/* ---- Choice rules ------------------------------------------------------------ */

typedef enum {
#define X(id, name, operand) IR_OP_##id,
#include "choice_ops.def"
#undef X
    IR_OP_AND, IR_OP_OR, IR_OP_NOT
} ir_op;

typedef struct ir_rule ir_rule;
struct ir_rule {
    ir_op op;
    ir_loc loc;
    const asl_path *var;      /* Variable (comparisons) */
    /* operand: by the op's operand kind */
    const char *str;          /* string / timestamp / pattern */
    uint32_t slen;
    double num;
    bool b;
    const asl_path *opath;    /* ...Path operators */
    uint32_t n;               /* And / Or: children; Not: 1 */
    ir_rule **kids;
    const char *next;         /* top-level rules only */
    struct ir_state *target;
    const asl_path *jn_leave; /* a JSONata rule's Output / Assign, taken with it, or NULL */
    struct ir_tmpl *assign;   /* top-level rules only: Assign, when the rule matches */
};

/* ---- Retry / Catch ------------------------------------------------------------ */

typedef struct {
    const char **errors;
    uint32_t *lens;           /* the names' lengths, or NULL when none holds a U+0000 */
    uint32_t nerrors;
    int32_t max_attempts;
    double interval, backoff, max_delay;
    int jitter;
} ir_retrier;

typedef struct {
    const char **errors;
    uint32_t *lens;               /* as in ir_retrier */
    uint32_t nerrors;
    const asl_path *result_path;  /* NULL with result_path_null = discard */
    bool result_path_null;
    const char *next;
    struct ir_state *target;
    struct ir_tmpl *assign;       /* Assign, against the error output, or NULL */
} ir_catcher;

/* ---- JSONata fields ------------------------------------------------------------ */
/* Every field of a JSONata state that computes something is an asl_path of
 * root ASL_ROOT_JSONATA put where the JSONPath field it replaces goes (see
 * asl.h, asl_jn_field): its jn points at the `field` of an ir_jn, which
 * says what the back ends must compile for it (lower.c, lir_jn_of). */
typedef struct ir_jn ir_jn;
struct ir_jn {
    asl_jn_field field;             /* first: path->jn is this ir_jn; function pointers unset */
    asl_path *path;
    uint32_t index;                 /* in ir_program.jn */
    const struct aslc_jn_node *expr;/* one expression, or NULL */
    struct ir_tmpl *tmpl;           /* ENTER/LEAVE/CATCH: Arguments / Output as a template */
    struct ir_tmpl *assign;         /* LEAVE/CATCH: Assign (an object template) */
    const char *ktext;              /* ENTER/LEAVE/CATCH: a constant Arguments / Output (JSON);
                                     * with expr, ASL_JNT_PATH: the path's names */
    const struct ir_state *state;
    ir_jn *next;
};

/* ---- states ------------------------------------------------------------------- */

typedef enum {
#define X(id, name) IR_##id,
#include "state_types.def"
#undef X
    IR__NTYPES
} ir_state_type;

typedef struct ir_machine ir_machine;
typedef struct ir_state ir_state;

struct ir_state {
    ir_state_type type;
    const char *name;
    const char *cname;            /* unique C identifier derived from the name */
    uint32_t index;               /* in ir_program.all */
    ir_loc loc;                   /* the state's object */
    const char *comment;
    ir_machine *scope;            /* the machine (top level, branch, processor) it belongs to */
    bool jsonata;                 /* QueryLanguage JSONata: its fields are ir_jn (see above) */

    const char *next;             /* Next, or NULL with end */
    ir_state *target;
    bool end;

    /* data flow; a NULL path means the default "$", *_null means the field was null */
    const asl_path *input_path;   bool input_path_null;
    const asl_path *output_path;  bool output_path_null;
    const asl_path *result_path;  bool result_path_null;
    ir_tmpl *parameters;          /* Parameters (Task, Pass, Parallel, Map legacy) */
    ir_tmpl *result_selector;     /* Task, Parallel, Map */
    asl_value *result;            /* Pass Result */
    const char *result_text;
    /* Assign (docs/variables.md): an object template whose members are the
     * variables; "$" is the result (Pass, Task, Parallel, Map) or the
     * effective input (Choice: when Default is taken, Wait).  NULL: none. */
    ir_tmpl *assign;

    /* Task */
    const char *resource;
    ir_loc resource_loc;
    double timeout, heartbeat;            /* 0 = none */
    const asl_path *timeout_path, *heartbeat_path;
    uint32_t site;                        /* task site id */
    ir_tmpl *credentials;                 /* Credentials: {"RoleArn": ...} or {"RoleArn.$": path or
                                             call}; the role the task would assume (kept for the
                                             integrations; no effect on a local run) */

    /* Retry / Catch (Task, Parallel, Map) */
    ir_retrier *retry;  uint32_t nretry;
    ir_catcher *catch_; uint32_t ncatch;

    /* Choice */
    ir_rule **choices;  uint32_t nchoices;
    const char *default_;
    ir_state *default_target;
    const asl_path *jn_default;   /* a JSONata Choice's Output / Assign: taken with Default */

    /* Wait */
    bool has_seconds; double seconds;
    const char *timestamp;
    const asl_path *seconds_path, *timestamp_path;

    /* Fail */
    const char *error, *cause;
    uint32_t error_len, cause_len;        /* counted: a U+0000 may be inside */
    const asl_path *error_path, *cause_path;
    ir_tmpl *error_call, *cause_call;     /* ErrorPath / CausePath as an intrinsic call (IR_T_CALL) */

    /* Parallel */
    ir_machine **branches; uint32_t nbranches;

    /* Map */
    ir_machine *processor;
    const asl_path *items_path;
    ir_tmpl *item_selector;       /* ItemSelector, or legacy Parameters */
    uint32_t max_concurrency;
    const asl_path *max_concurrency_path;
    int32_t tolerated_count;      /* -1 = none */
    double tolerated_percent;     /* -1 = none */
    const asl_path *tolerated_count_path, *tolerated_percent_path;
    bool distributed;             /* ProcessorConfig Mode DISTRIBUTED */
    const char *label;            /* a Distributed Map's Label (its map run's name), or NULL */
    bool batched;                 /* ItemBatcher present */
    uint32_t max_items_per_batch, max_bytes_per_batch;   /* 0 = not given */
    const asl_path *max_items_per_batch_path, *max_bytes_per_batch_path;
    ir_tmpl *batch_input;         /* ItemBatcher BatchInput */
    /* Distributed Map ItemReader / ResultWriter, each as one template that
     * evaluates to the field's object with its paths resolved (parse.c's
     * parse_item_reader says which members): the runtime reads them
     * (itemreader.c, resultwriter.c).  NULL when the field is absent. */
    ir_tmpl *item_reader;
    ir_tmpl *result_writer;
};

/* A state machine, a Parallel branch or a Map processor. */
struct ir_machine {
    const char *start_at;
    ir_state *start;
    ir_state **states;
    uint32_t nstates;
    ir_loc loc;
    const char *comment;
    double timeout;               /* top-level TimeoutSeconds */
    ir_state *owner;              /* the Parallel/Map state, NULL at top level */
    uint32_t index;               /* branch index */
};

typedef struct {
    asl_arena *arena;
    ir_machine *top;
    const char *name;             /* state machine name (file stem) */
    ir_state **all;               /* every state of every scope, in definition order */
    uint32_t nall;
    ir_state **tasks;             /* Task states, by site id */
    uint32_t ntasks;
    ir_jn *jn, **jn_tail;         /* the JSONata fields, in definition order */
    uint32_t njn;
    const char **vars;            /* every name an Assign sets (without ".$"), repeats included: */
    uint32_t nvars, capvars;      /* a JSONata built-in's name not here is never a variable */
} ir_program;

const char *ir_state_type_name(ir_state_type t);

#endif
