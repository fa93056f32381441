/*
 * asl.h — the runtime ABI that generated workflow code is written against.
 *
 * Both back ends (C source and LLVM IR) emit calls to exactly these functions
 * and lay out exactly these static descriptors, so no semantics live in one
 * back end only.  Everything exported carries the asl_ prefix.
 *
 * Three audiences, three headers: generated code includes this one (and
 * jsonata.h for JSONata states); a native Task handler includes
 * asl_handler.h only (this header includes it for the program's table of
 * handlers); the runtime's own files include rt.h, its private view of an
 * execution, and the other headers beside it.  Only this header,
 * asl_handler.h, jsonata.h and what they include are installed.
 *
 * Calling convention of a compiled state:
 *     asl_value *st_Name(asl_exec *x, asl_value *input);
 * It returns the *execution's* (or branch's) final output: a state does its
 * work and then tail-calls the next state.  It returns NULL when the
 * execution fails; the error is then in the exec (asl_error_get).
 *
 * The exec is opaque to generated code.  One exec exists per execution and
 * one per Parallel branch / Map iteration; it owns the arena its values live in.
 */
#ifndef ASL_H
#define ASL_H

#include "asl_value.h"
#include "asl_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct asl_exec asl_exec;

/* ---- errors ------------------------------------------------------------- */

enum {
#define X(id, name) ASL_ERR_##id,
#include "asl_errors.def"
#undef X
    ASL_ERR__COUNT
};
extern const char *const asl_error_names[ASL_ERR__COUNT];

/* Records a failure in the exec and returns NULL, so callers can write
 * `return asl_fail(x, ...)`.  error and cause are copied; cause may be NULL
 * (no Cause).  */
asl_value *asl_fail(asl_exec *x, const char *error, const char *cause);
/* The same with counted texts (elen, clen bytes): a U+0000 is kept in them. */
asl_value *asl_fail_n(asl_exec *x, const char *error, size_t elen, const char *cause, size_t clen);
/* A Fail state: Error and Cause are the constants (NULL: none) or, when ev /
 * cv is set, the value of ErrorPath / CausePath (a string's text, else its
 * JSON). */
asl_value *asl_fail_fields(asl_exec *x, const char *error, size_t elen, const char *cause,
                           size_t clen, const asl_value *ev, const asl_value *cv);
/* A States.Runtime (or other) failure with AWS's wording:
 * "An error occurred while executing the state 'S' (entered at the event id #N). <msg>" */
asl_value *asl_fail_state(asl_exec *x, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* {"Error": ..., "Cause": ...} of the current failure, in x's arena. */
asl_value *asl_error_value(asl_exec *x);
void asl_error_clear(asl_exec *x);

/* ---- JSONPath ----------------------------------------------------------- */
/* Paths are parsed by the compiler and emitted as static descriptors. */

typedef enum {
    ASL_SEG_KEY,        /* .name or ['name'] */
    ASL_SEG_INDEX,      /* [3] or [-1] */
    ASL_SEG_WILDCARD,   /* .* or [*] */
    ASL_SEG_SLICE,      /* [start:end:step] */
    ASL_SEG_DESCEND,    /* ..name (key set) or ..* (key NULL) */
    ASL_SEG_FILTER,     /* [?(@.a < 1)] */
    ASL_SEG_UNION       /* [0,2] or ['a','b'] */
} asl_seg_kind;

typedef enum {
    ASL_FOP_EXISTS,     /* [?(@.a)] */
    ASL_FOP_EQ, ASL_FOP_NE, ASL_FOP_LT, ASL_FOP_LE, ASL_FOP_GT, ASL_FOP_GE,
    ASL_FOP_AND, ASL_FOP_OR,   /* [?(c && d)], [?(c || d)]: the conditions are lhs[i].filter */
    ASL_FOP_NOT                /* [?(!(c))], [?(!@.a)]: the condition is lhs[0].filter */
} asl_filter_op;

typedef struct asl_seg asl_seg;

typedef struct {
    uint8_t op;              /* asl_filter_op */
    uint8_t rtype;           /* asl_type of the constant operand (not for EXISTS) */
    uint32_t nlhs;           /* path relative to @ */
    const asl_seg *lhs;
    double rnum;             /* ASL_NUMBER operand */
    const char *rstr;        /* ASL_STRING operand */
    uint32_t rlen;
} asl_filter;

struct asl_seg {
    uint8_t kind;            /* asl_seg_kind */
    uint8_t has_start, has_end;
    uint32_t klen;
    const char *key;         /* KEY, DESCEND */
    int64_t start, end, step;/* INDEX uses start; SLICE uses all */
    const asl_filter *filter;
    uint32_t nunion;         /* UNION: members are themselves KEY/INDEX segments */
    const asl_seg *members;
};

/* ASL_ROOT_VAR: a workflow variable ($name, vars.h): segs[0] is a KEY step
 * holding the variable's name, the steps after it apply to its value.
 * ASL_ROOT_JSONATA: not a path but a field of a JSONata state (`{% %}`),
 * which the path's `jn` describes; it goes where the JSONPath field it
 * replaces goes, and the runtime's path entry points hand it to jnstate.c
 * (see asl_jn_field below). */
enum { ASL_ROOT_INPUT = 0, ASL_ROOT_CONTEXT = 1, ASL_ROOT_VAR = 2, ASL_ROOT_JSONATA = 3 };
/* $$ paths that start $$.Map.Item.Value or $$.Map.Item.Index, told apart
 * at compile time: ItemSelectors read them for every item. */
enum { ASL_ITEM_NONE = 0, ASL_ITEM_VALUE = 1, ASL_ITEM_INDEX = 2 };

struct asl_jn_field;

typedef struct {
    const char *text;        /* as written in the definition, for messages */
    uint8_t root;            /* ASL_ROOT_INPUT ($), ASL_ROOT_CONTEXT ($$) or ASL_ROOT_VAR ($name) */
    uint8_t definite;        /* selects at most one node: no wildcard, slice, filter, .., union */
    uint8_t map_item;        /* ASL_ITEM_*: segs[0..2] are Map.Item.Value / Map.Item.Index */
    uint32_t nseg;
    const asl_seg *segs;
    const struct asl_jn_field *jn;  /* ASL_ROOT_JSONATA: the field */
} asl_path;

/* ---- JSONata states (jnstate.c) ---------------------------------------------
 * A state whose QueryLanguage is JSONata has no paths; aslc puts each of its
 * fields where the JSONPath field it replaces goes, as an asl_path of root
 * ASL_ROOT_JSONATA whose jn says what to compute:
 *   ENTER   in InputPath's place: Arguments (tmpl, or expr), from the input;
 *   LEAVE   in ResultPath's place (from the raw input and the result):
 *           Assign, then Output (tmpl or expr; none: the result);
 *   CATCH   in a catcher's ResultPath: the same, with $states.errorOutput;
 *   VALUE   one expression in the place of a ...Path (Items, Seconds,
 *           TimeoutSeconds, Error, a Choice Condition, ...): $states.input is
 *           the value the path is applied to;
 *   INNER   one expression inside a template of ENTER / LEAVE / CATCH:
 *           $states is what that step set.
 * The semantics, errors included, are the runtime's; generated code only
 * points at the compiled expressions (asl_jn_code) and templates. */
struct asl_jn_ctx;
struct asl_jn_env;
typedef enum { ASL_JNF_VALUE, ASL_JNF_INNER, ASL_JNF_ENTER, ASL_JNF_LEAVE, ASL_JNF_CATCH } asl_jnf_kind;
/* What a VALUE must give (AWS checks the type where the field is read). */
typedef enum { ASL_JNT_ANY, ASL_JNT_ARRAY, ASL_JNT_BOOLEAN, ASL_JNT_STRING, ASL_JNT_NUMBER } asl_jnt_type;
/* A flag of asl_jn_field.type: the expression reads $states.context (or
 * $states whole); the context object is built only for those. */
#define ASL_JNT_CONTEXT 0x80
/* A flag of asl_jn_field.type: a field whose expression is
 * only `$states.input.a...` or `$states.context.Map.Item.Value.a...`; k is
 * its names (["input", "a", ...], ["Map.Item.Value", "a", ...]), read with
 * direct look-ups, the expression run when one of them is not an object's
 * member (jnstate.c). */
#define ASL_JNT_PATH 0x40
/* A flag of asl_jn_field.type: the expression is `<operand> <op> <number>`
 * (lir_jn_fast_form): k is its descriptor, computed without an evaluation
 * context while the operand is a finite number.  On a LEAVE field with no
 * Output: its Assign sets one variable to such an expression, and k is
 * [name, its slot, descriptor] (jnstate.c). */
#define ASL_JNT_FAST 0x20
/* A flag of asl_jn_field.type: a LEAVE field with neither Assign nor a
 * template whose expression is `$merge([$states.input, {...}])` read
 * directly (jsonata_lower.c): run with a lean context (jnstate.c). */
#define ASL_JNT_LEAN 0x10
/* A flag of asl_jn_field.type: an ASL_JNT_PATH field `$states.input.a...`
 * of any type whose $states.input is the in its path entry point gets (a
 * VALUE, or an INNER of Arguments, Assign or a Pass state's Output; the
 * path's steps are its names): read in the state's own code first
 * (asl_jn_path_inline). */
#define ASL_JNT_IN 0x08
#define ASL_JNT_FLAGS (ASL_JNT_CONTEXT | ASL_JNT_PATH | ASL_JNT_FAST | ASL_JNT_LEAN | ASL_JNT_IN)

typedef struct asl_jn_field {
    uint8_t kind;            /* asl_jnf_kind */
    uint8_t type;            /* VALUE: asl_jnt_type */
    const char *where;       /* the field, for causes: "Output/result", "Items" */
    const char *src;         /* the expression as written (between {% and %}) */
    asl_value *(*expr)(struct asl_jn_ctx *c, struct asl_jn_env *env, asl_value *input);
    asl_value *(*tmpl)(asl_exec *x, asl_value *in);    /* ENTER/LEAVE/CATCH: a template (tp_) */
    asl_value *(*assign)(asl_exec *x, asl_value *in);  /* LEAVE/CATCH: Assign, an object (tp_) */
    asl_value *const *k;     /* ENTER/LEAVE/CATCH: a constant Arguments / Output (K[i]) */
    /* asl_jn_field_eval: the path entry points call it through here, so
     * that only a program with JSONata links it, and JSONata's runtime */
    asl_value *(*eval)(asl_exec *x, asl_value *in, asl_value *result, const asl_path *p);
} asl_jn_field;

/* The field p of a JSONata state against in (and result, for LEAVE and
 * CATCH); NULL with States.QueryEvaluationError (or the error of Assign). */
asl_value *asl_jn_field_eval(asl_exec *x, asl_value *in, asl_value *result, const asl_path *p);
/* A fast form compiled into the state (lower.c; jnstate.c): the value of
 * variable name (n bytes; slot: lir_jn_fast_form's) or NULL, and the set
 * of one variable to the number r as an Assign with no Output does it
 * ($states.input in, $states.result result); false, with nothing done,
 * where asl_jn_field_eval must do it (a limit, a scope without it). */
asl_value *asl_jn_slot(asl_exec *x, uint32_t slot, const char *name, size_t n);
/* A lean Output (ASL_JNT_LEAN) in the state's own code (lower.c, LIR_JN_OUT):
 * expr's value with a lean context when it is plain JSON, as its field
 * would give it ($states.input in, $states.result result); NULL, with
 * nothing done that counts, when it is anything else: asl_result_path then
 * runs the field, which gives every value and error. */
asl_value *asl_jn_lean_out(asl_exec *x, asl_value *in, asl_value *result,
                           asl_value *(*expr)(struct asl_jn_ctx *, struct asl_jn_env *, asl_value *));
bool asl_jn_set_num(asl_exec *x, uint32_t slot, const char *name, size_t n, double r, asl_value *in,
                    asl_value *result);

/* Evaluates p against input (or the context object for $$ paths).
 * A definite path yields the node itself; an indefinite one yields an array of
 * every match (possibly empty).  Returns false, leaving *out NULL, when a
 * definite path selects nothing.  Never fails the execution. */
bool asl_path_select(asl_exec *x, asl_value *input, const asl_path *p, asl_value **out);

/* ---- data flow ------------------------------------------------------------ */

/* InputPath / OutputPath: the selected value or NULL with States.Runtime. */
asl_value *asl_input_path(asl_exec *x, asl_value *in, const asl_path *p);
asl_value *asl_output_path(asl_exec *x, asl_value *v, const asl_path *p);
/* ResultPath: result placed into raw_in at p (copying the objects along the
 * way, creating missing ones); NULL with States.ResultPathMatchFailure. */
asl_value *asl_result_path(asl_exec *x, asl_value *raw_in, asl_value *result, const asl_path *p);
/* A "key.$": "path" inside Parameters / ResultSelector / ItemSelector.
 * field is the key without ".$", for the cause.  NULL with
 * States.ParameterPathFailure (or States.Runtime, as AWS chooses). */
asl_value *asl_param_path(asl_exec *x, asl_value *in, const asl_path *p, const char *field);
/* Intrinsic argument path: NULL with States.Runtime. */
asl_value *asl_arg_path(asl_exec *x, asl_value *in, const asl_path *p);
/* ---- the head of an exec --------------------------------------------------- */

/* The fields of an exec (and of its run) that entering a state writes: the
 * first of the runtime's struct asl_exec and struct asl_run (rt.h), which
 * begin with these very lists, shown here so that generated code enters a
 * state and reaches its arena without a call (asl_enter_c, asl_exec_arena).
 * The runtime reads them by name; exec.c checks that the layouts agree. */
struct asl_state_info;
struct asl_run;
#define ASL_CALL_ARGS 8
#define ASL_EXEC_HEAD                                                                   \
    asl_arena *arena;                    /* where this thread's values are built */     \
    struct asl_run *run;                 /* the execution; begins with ASL_RUN_HEAD */  \
    const struct asl_state_info *state;  /* the state being executed */                 \
    uint64_t entered_event;              /* event id of its StateEntered event */       \
    uint32_t retry_count;                /* $$.State.RetryCount */                      \
    bool slow_enter;                     /* in a fan-out, under TimeoutSeconds, --history */ \
    asl_value *map_index;                /* $$.Map.Item.Index, or NULL outside Map */   \
    asl_value *map_value;                /* $$.Map.Item.Value (the iteration's exec) */ \
    char entered[40];                    /* $$.State.EnteredTime, "" until asked for */ \
    asl_value *args[ASL_CALL_ARGS];      /* an intrinsic call's arguments (asl_call_args) */
#define ASL_RUN_HEAD                                                                    \
    uint64_t events;                     /* history events so far (atomic in a fan-out) */ \
    uint64_t transitions;                /* states entered (atomic in a fan-out) */
typedef struct { ASL_EXEC_HEAD } __attribute__((may_alias)) asl_exec_head;
typedef struct { ASL_RUN_HEAD } __attribute__((may_alias)) asl_run_head;

/* The arena values of this exec are built in. */
static inline asl_arena *asl_exec_arena(asl_exec *x) { return ((asl_exec_head *)(void *)x)->arena; }

/* Where the C back end's state code puts the arguments of an intrinsic
 * call of at most ASL_CALL_ARGS of them, made in the state itself: an
 * array of the state's own, its address taken, would keep GCC from making
 * the state's transition a tail call.  Only ever filled just before the
 * call that reads it (nested calls are made before), and by the exec's own
 * thread. */
static inline asl_value **asl_call_args(asl_exec *x) { return ((asl_exec_head *)(void *)x)->args; }

/* ---- templates and data flow as data (template.c) --------------------------- */

/* A payload template (Parameters, ResultSelector, ItemSelector, BatchInput)
 * is an array of nodes in pre-order: an OBJECT or ARRAY node is followed by
 * its n members or items, each with its own subtree.  Computed members
 * ("key.$") are PATH or CALL nodes, everything constant below them a CONST. */
typedef enum {
    ASL_TM_CONST,       /* *k: a constant of the program (K[i]) */
    ASL_TM_PATH,        /* asl_param_path(x, in, path, key) */
    ASL_TM_CALL,        /* call(x, in): an intrinsic function call of the program */
    ASL_TM_OBJECT,      /* n members follow */
    ASL_TM_ARRAY        /* n items follow */
} asl_tmpl_kind;

typedef struct {
    uint8_t kind;            /* asl_tmpl_kind */
    uint32_t n;              /* OBJECT, ARRAY: members or items */
    const char *key;         /* an object member's name (without ".$", not copied: static);
                                an array item's: its enclosing member's, for messages */
    uint32_t klen;
    const asl_path *path;    /* PATH */
    asl_value *const *k;     /* CONST */
    asl_value *(*call)(asl_exec *x, asl_value *in);  /* CALL */
} asl_tmpl;

/* Builds the value of template t against in, in x's arena; NULL with the
 * error of the path or call that failed (asl_param_path's wording). */
asl_value *asl_template(asl_exec *x, asl_value *in, const asl_tmpl *t);

/* The data flow around the work of a Pass, Task, Parallel or Map state:
 *   InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath
 * A NULL path is "$" (nothing to select); a field that was null in the
 * definition is flagged in nulls instead. */
enum { ASL_FLOW_INPUT_NULL = 1, ASL_FLOW_RESULT_NULL = 2, ASL_FLOW_OUTPUT_NULL = 4 };

typedef struct {
    const asl_path *input_path;      /* InputPath */
    const asl_tmpl *parameters;      /* Parameters, or NULL */
    asl_value *const *result;        /* Pass: Result (K[i]), or NULL: the effective input */
    const asl_tmpl *result_selector; /* ResultSelector, or NULL */
    const asl_path *result_path;     /* ResultPath, into the state's raw input */
    const asl_path *output_path;     /* OutputPath */
    uint8_t nulls;                   /* ASL_FLOW_*_NULL */
} asl_flow;

/* InputPath, then Parameters: the effective input of the state's work. */
asl_value *asl_flow_in(asl_exec *x, asl_value *in, const asl_flow *f);
/* ResultSelector, ResultPath, OutputPath, then asl_leave: the state's output
 * from its raw input in and the result of its work. */
asl_value *asl_flow_out(asl_exec *x, asl_value *in, asl_value *result, const asl_flow *f);

/* ---- workflow variables (vars.c, vars.h) ------------------------------------ */

/* A state's Assign, evaluated beforehand into vars (an object: variable
 * name -> value, made by the Assign's template function), takes effect:
 * v (the state's output) back, or NULL with the error of a size limit.
 * NULL v (a failure before) is handed back as it is. */
asl_value *asl_assign(asl_exec *x, asl_value *v, asl_value *vars);

/* ---- intrinsic functions -------------------------------------------------- */

enum {
#define X(id, name, lo, hi) ASL_FN_##id,
#include "asl_intrinsics.def"
#undef X
    ASL_FN__COUNT
};
/* Each function on its own (asl_intrinsic_MATH_ADD, ...), without the
 * dispatch and its checks: for generated code, whose arguments are never
 * NULL and whose arity the compiler checked. */
#define X(id, name, lo, hi) asl_value *asl_intrinsic_##id(asl_exec *x, uint32_t argc, asl_value **argv);
#include "asl_intrinsics.def"
#undef X
/* States.MathAdd(p, q), its two arguments as they are: generated code
 * calls it where it computes them, with no array to build. */
asl_value *asl_math_add2(asl_exec *x, asl_value *p, asl_value *q);
/* States.Format of a literal template, split by the compiler (f):
 * argv[1 ..] are the values for its holes (argv[0], the template, is not
 * read; the compiler checked that the counts agree). */
asl_value *asl_format(asl_exec *x, const asl_fmt *f, asl_value **argv);

/* ---- states ---------------------------------------------------------------- */

typedef asl_value *(*asl_state_fn)(asl_exec *x, asl_value *input);

typedef struct asl_state_info {
    const char *name;        /* state name */
    const char *type;        /* "Pass", "Task", ... */
    const char *json_path;   /* /States/Name in the definition */
    bool last;               /* a Pass or Task with End: its output ends its machine
                                (a Map iteration builds it in the Map's arena, fanout.c) */
} asl_state_info;

/* Called first by every state, with the state's input: records the
 * transition, sets $$.State.*, enforces the execution timeout, and (with
 * --history) writes the previous state's StateExited and this one's
 * StateEntered events.  false = failed (error set). */
bool asl_enter(asl_exec *x, const asl_state_info *s, asl_value *in);
/* AWS's payload limit: bytes of JSON text in a state's output or a Task's result. */
#define ASL_PAYLOAD_LIMIT (256 * 1024)
/* A value leaving the state: enforces the 256 KiB payload limit. */
asl_value *asl_leave(asl_exec *x, asl_value *out);
/* A whole Pass state but its transition (template.c): asl_enter(s),
 * asl_flow_in, the Result, asl_flow_out.  The state's output, or NULL. */
asl_value *asl_pass(asl_exec *x, asl_value *in, const asl_state_info *s, const asl_flow *f);

/* ---- Choice ------------------------------------------------------------------ */

typedef enum {
    ASL_CMP_EQ, ASL_CMP_LT, ASL_CMP_GT, ASL_CMP_LE, ASL_CMP_GE
} asl_cmp;

/* The Variable of a rule: NULL with States.Runtime when the path selects nothing. */
asl_value *asl_choice_var(asl_exec *x, asl_value *in, const asl_path *p);
/* Comparisons are false when v is not of the operator's type, as on AWS. */
bool asl_choice_string(const asl_value *v, asl_cmp op, const char *s, uint32_t n);
bool asl_choice_number(const asl_value *v, asl_cmp op, double d);
bool asl_choice_timestamp(const asl_value *v, asl_cmp op, const char *ts);
bool asl_choice_boolean(const asl_value *v, bool b);
/* ...Path twins: the other operand is a value too. */
bool asl_choice_string_v(const asl_value *v, asl_cmp op, const asl_value *w);
bool asl_choice_number_v(const asl_value *v, asl_cmp op, const asl_value *w);
bool asl_choice_timestamp_v(const asl_value *v, asl_cmp op, const asl_value *w);
bool asl_choice_boolean_v(const asl_value *v, const asl_value *w);
bool asl_choice_matches(const asl_value *v, const char *pattern);
/* The same with a counted pattern (n bytes, a U+0000 among them). */
bool asl_choice_matches_n(const asl_value *v, const char *pattern, size_t n);
bool asl_choice_is_timestamp(const asl_value *v);
/* RFC 3339 (uppercase T, Z or +hh:mm offset) to seconds since the epoch. */
bool asl_timestamp_parse(const char *s, size_t n, double *epoch);

/* ---- Retry and Catch ---------------------------------------------------------- */

enum { ASL_JITTER_NONE = 0, ASL_JITTER_FULL = 1 };

typedef struct {
    const char *const *errors; /* ErrorEquals */
    uint32_t nerrors;
    int32_t max_attempts;      /* default 3 */
    double interval;           /* IntervalSeconds, default 1 */
    double backoff;            /* BackoffRate, default 2.0 */
    double max_delay;          /* MaxDelaySeconds, 0 = none */
    uint8_t jitter;
    const uint32_t *lens;      /* the names' lengths, or NULL when none holds a U+0000 */
} asl_retrier;

typedef struct {
    const char *const *errors;
    uint32_t nerrors;
    const uint32_t *lens;      /* as in asl_retrier */
} asl_catcher;

/* With the exec failed: finds the first retrier that matches the error; if it
 * has attempts left, sleeps its delay, counts the attempt in counts[i], sets
 * $$.State.RetryCount, clears the error and returns true. */
bool asl_retry(asl_exec *x, const asl_retrier *r, uint32_t n, uint32_t *counts);
/* With the exec failed: index of the first matching catcher, or -1. */
int asl_catch(asl_exec *x, const asl_catcher *c, uint32_t n);

/* ---- Wait ----------------------------------------------------------------------- */

bool asl_wait_seconds(asl_exec *x, double seconds);
/* SecondsPath: the value must be an integer >= 0. */
bool asl_wait_seconds_value(asl_exec *x, const asl_value *v, const char *path_text);
bool asl_wait_until(asl_exec *x, const char *timestamp);
bool asl_wait_until_value(asl_exec *x, const asl_value *v, const char *path_text);

/* ---- Task ----------------------------------------------------------------------- */

typedef struct {
    uint32_t id;               /* index in the program's site table */
    const char *state;         /* state name (mocks bind by it) */
    const char *resource;      /* Resource ARN or name */
    double timeout;            /* TimeoutSeconds, 0 = none */
    double heartbeat;          /* HeartbeatSeconds, 0 = none */
} asl_task_site;

/* Runs the task bound to site with input; its result, or NULL with the error. */
asl_value *asl_task(asl_exec *x, const asl_task_site *site, asl_value *input);
/* A Task's Credentials, {"RoleArn": ...} evaluated on the state's input,
 * just before its asl_task: the role its AWS calls assume.  false after
 * States.Runtime when RoleArn is not a non-empty string. */
bool asl_task_credentials(asl_exec *x, const asl_value *creds);
/* TimeoutSecondsPath / HeartbeatSecondsPath: a copy of site with the value. */
asl_value *asl_task_timed(asl_exec *x, const asl_task_site *site, asl_value *input,
                          const asl_value *timeout, const asl_value *heartbeat);

/* The program's native handlers (aslc --handlers FILE.c, asl_handler.h), by
 * the name the resources file binds. */
typedef struct {
    const char *name;
    asl_native_fn fn;
} asl_native;

/* ---- Parallel and Map ------------------------------------------------------------- */

/* Runs every branch on its own exec with the same input, concurrently; the
 * array of their outputs in branch order, or NULL with the error of the
 * lowest-index branch that failed (the others are stopped). */
asl_value *asl_parallel(asl_exec *x, asl_value *in, const asl_state_fn *branches, uint32_t n);

typedef asl_value *(*asl_item_fn)(asl_exec *x, asl_value *state_input);

typedef struct {
    asl_state_fn start;        /* ItemProcessor / Iterator StartAt */
    asl_item_fn selector;      /* ItemSelector / Parameters; NULL = the item itself.
                                  Runs on the iteration's exec ($$.Map.Item set). */
    uint32_t max_concurrency;  /* 0 = unbounded */
    int32_t tolerated_count;   /* -1 = none */
    double tolerated_percent;  /* < 0 = none */
    bool distributed;          /* ProcessorConfig Mode DISTRIBUTED: any failure beyond the
                                  tolerated ones is States.ExceedToleratedFailureThreshold */
    bool batched;              /* ItemBatcher: each iteration gets {"BatchInput", "Items"} */
    uint32_t max_items_per_batch;  /* ItemBatcher: 0 = no limit */
    uint32_t max_bytes_per_batch;  /* ItemBatcher: 0 = 256 KiB */
    asl_item_fn batch_input;   /* ItemBatcher BatchInput, on the Map state's exec and input; or NULL */
    /* A Distributed Map's ItemReader and ResultWriter, each its field's
     * object with its paths resolved against the state's effective input
     * (the compiler's parse_item_reader); NULL when absent.  Only
     * asl_map_io reads them. */
    asl_item_fn reader;
    asl_item_fn writer;
    const char *label;         /* a Distributed Map's Label, or NULL: its map run's name */
} asl_map_info;

enum { ASL_MAP_MAX_CONCURRENCY, ASL_MAP_TOLERATED_COUNT, ASL_MAP_TOLERATED_PERCENT,
       ASL_MAP_MAX_ITEMS_PER_BATCH, ASL_MAP_MAX_BYTES_PER_BATCH };
/* MaxConcurrencyPath / ToleratedFailureCountPath / ToleratedFailurePercentagePath /
 * ItemBatcher's MaxItemsPerBatchPath / MaxInputBytesPerBatchPath:
 * reads the setting from in into m; false with States.Runtime when invalid. */
bool asl_map_setting(asl_exec *x, asl_value *in, const asl_path *p, int which, asl_map_info *m);

/* Runs one iteration per item (or per batch), concurrently up to
 * max_concurrency; the array of results in item order. */
asl_value *asl_map(asl_exec *x, asl_value *state_input, asl_value *items, const asl_map_info *m);
/* asl_map for a Map with an ItemReader or a ResultWriter (mapio.c): the
 * items are read from the reader's source (items is then not read), and the
 * results are written as the writer says, the state's result being then
 * {"MapRunArn", "ResultWriterDetails"}.  The byte sources are the buckets
 * bound in the resources file (docs/tasks.md). */
asl_value *asl_map_io(asl_exec *x, asl_value *state_input, asl_value *items, const asl_map_info *m);

/* ---- the program ------------------------------------------------------------------ */

typedef struct {
    const char *name;          /* state machine name */
    asl_state_fn start;
    void (*init)(asl_arena *a);/* builds the constant values, once, before any execution */
    const char *resources_json;/* embedded resources file (paths made absolute), or NULL */
    const char *mocks_json;    /* embedded mocks file, or NULL */
    const asl_native *natives;
    uint32_t nnatives;
    const asl_task_site *const *sites;
    uint32_t nsites;
    double timeout;            /* top-level TimeoutSeconds, 0 = none */
    bool allow_unbound;        /* aslc --allow-unbound: an unbound Task fails when called */
    /* The top-level states that have a function of their own, by name:
     * where --resume (served.c, aslc serve) continues an execution. */
    const char *const *state_names;
    const asl_state_fn *state_fns;
    uint32_t nstates;
} asl_program;

/* A state machine compiled into the binary with aslc --link ARN=FILE: the
 * table of them (asl_linked_programs, asl_linked_count) is generated by aslc
 * (compiler/linked.c) and read by runtime/linked.c. */
typedef struct {
    const char *arn;           /* arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME */
    const asl_program *prog;
} asl_linked;

/* ---- inline first steps, for generated C --------------------------------------- */

/* The C back end calls these instead of the entry points they wrap: the
 * common case runs in the state's own code, without a call.  p is the
 * generated code's static const data, so the compiler folds its fields
 * and keeps only the code for its kind of path; anything that is not the
 * common case calls the entry point, which decides and words any error.
 * (The LLVM back end builds the same first steps as IR, emit_llvm.c; where
 * they are taken, lower.c decides for both.)  Always inlined:
 * an out-of-line copy would only add a call, without the folding. */
#define ASL_INLINE static inline __attribute__((always_inline))

/* One name in a small object (big ones, with an index, take the call). */
ASL_INLINE asl_value *asl_member_inline(const asl_value *o, const asl_seg *s)
{
    if (!o || !asl_obj_small(o)) return NULL;
    return asl_object_scan(o, s->key, s->klen);
}

/* $.a and $.a.b: one or two names, looked up inline. */
ASL_INLINE asl_value *asl_key_inline(const asl_value *in, const asl_path *p)
{
    if (p->root != ASL_ROOT_INPUT || p->nseg == 0 || p->nseg > 2 ||
        p->segs[0].kind != ASL_SEG_KEY || (p->nseg == 2 && p->segs[1].kind != ASL_SEG_KEY))
        return NULL;
    asl_value *v = asl_member_inline(in, &p->segs[0]);
    return p->nseg == 1 ? v : asl_member_inline(v, &p->segs[1]);
}

/* $$.Map.Item.Value, .Index and $$.Map.Item.Value.a, read from x when x is
 * the Map iteration's own exec (the ItemSelector's, the ItemProcessor's
 * states'); from anywhere else (a Parallel branch inside the iteration),
 * the call looks further up. */
ASL_INLINE asl_value *asl_item_inline(asl_exec *x, const asl_path *p)
{
    const asl_exec_head *h = (const asl_exec_head *)(void *)x;
    if (p->root != ASL_ROOT_CONTEXT || p->map_item == ASL_ITEM_NONE || p->nseg > 4) return NULL;
    if (p->map_item == ASL_ITEM_INDEX) return p->nseg == 3 ? h->map_index : NULL;
    if (p->nseg == 3) return h->map_value;
    return p->segs[3].kind == ASL_SEG_KEY ? asl_member_inline(h->map_value, &p->segs[3]) : NULL;
}

ASL_INLINE asl_value *asl_path_inline(asl_exec *x, asl_value *in, const asl_path *p)
{
    return p->root == ASL_ROOT_INPUT ? asl_key_inline(in, p) : asl_item_inline(x, p);
}

/* A JSONata field that is only `$states.input.a...` (ASL_JNT_IN, its names
 * the path's steps after the first) read as JSONPath's `$.a...` is, from
 * in: the member when each step is a small object's and the value leaves
 * JSONata as it is (a string, null, a boolean, a finite number without
 * source text other than 0, a container found plain: jn_plain); NULL for
 * anything else, which the field's evaluation decides (jnstate.c). */
ASL_INLINE asl_value *asl_jn_path_inline(asl_value *in, const asl_path *p)
{
    if ((p->jn->type & (ASL_JNT_PATH | ASL_JNT_IN)) != (ASL_JNT_PATH | ASL_JNT_IN)) return NULL;
    asl_value *v = in;
    for (uint32_t i = 1; i < p->nseg; i++) v = asl_member_inline(v, &p->segs[i]);
    if (!v) return NULL;
    if (v->type == ASL_STRING || v->type <= ASL_TRUE) return v;
    if (v->type == ASL_NUMBER)
        return !v->u.n.text && v->u.n.num != 0 && __builtin_isfinite(v->u.n.num) ? v : NULL;
    return (v->type == ASL_OBJECT || !v->flags) && __atomic_load_n(&v->jn_plain, __ATOMIC_RELAXED) ? v : NULL;
}

ASL_INLINE asl_value *asl_param_path_c(asl_exec *x, asl_value *in, const asl_path *p,
                                          const char *field)
{
    if (p->root == ASL_ROOT_JSONATA) {   /* a JSONata template's field */
        asl_value *v = asl_jn_path_inline(in, p);
        return v ? v : p->jn->eval(x, in, NULL, p);
    }
    asl_value *v = asl_path_inline(x, in, p);
    return v ? v : asl_param_path(x, in, p, field);
}

ASL_INLINE asl_value *asl_arg_path_c(asl_exec *x, asl_value *in, const asl_path *p)
{
    asl_value *v = asl_path_inline(x, in, p);
    return v ? v : asl_arg_path(x, in, p);
}

ASL_INLINE asl_value *asl_choice_var_c(asl_exec *x, asl_value *in, const asl_path *p)
{
    if (p->root == ASL_ROOT_JSONATA) return p->jn->eval(x, in, NULL, p);   /* a Condition: its field */
    asl_value *v = asl_path_inline(x, in, p);
    return v ? v : asl_choice_var(x, in, p);
}

/* The transition into s, recorded in x's head and its run's with plain
 * additions: for an exec that is its execution's only thread, with no
 * deadline (asl_enter_c, and the runtime's own entries, exec.c, fanout.c). */
ASL_INLINE void asl_enter_record(asl_exec *x, const asl_state_info *s)
{
    asl_exec_head *h = (asl_exec_head *)(void *)x;
    asl_run_head *r = (asl_run_head *)(void *)h->run;
    h->state = s;
    h->retry_count = 0;
    h->entered[0] = 0;                  /* filled lazily by the context object */
    h->entered_event = r->events + 1;   /* StateEntered, then StateExited */
    r->events += 2;
    r->transitions++;
}

/* asl_enter: a sequential execution without TimeoutSeconds records the
 * transition here; fan-outs, deadlines and --history take the call. */
ASL_INLINE bool asl_enter_c(asl_exec *x, const asl_state_info *s, asl_value *in)
{
    if (__builtin_expect(((asl_exec_head *)(void *)x)->slow_enter, 0)) return asl_enter(x, s, in);
    asl_enter_record(x, s);
    return true;
}

/* asl_leave: an array or object (the usual output) leaves as it is while
 * its bound stays within the limit; anything else takes the call. */
ASL_INLINE asl_value *asl_leave_c(asl_exec *x, asl_value *out)
{
    return out->type >= ASL_ARRAY && out->u.a.jlen <= ASL_PAYLOAD_LIMIT ? out : asl_leave(x, out);
}

/* asl_object_append_lit, its common case (asl_object_put_lit) inline. */
ASL_INLINE void asl_object_append_lit_c(asl_arena *a, asl_value *obj, const char *key,
                                           uint32_t klen, asl_value *val)
{
    if (!asl_object_put_lit(obj, key, klen, val)) asl_object_append_lit(a, obj, key, klen, val);
}

/* The same for a value whose bound the compiler knew (asl_member_set_k). */
ASL_INLINE void asl_object_append_lit_k(asl_arena *a, asl_value *obj, const char *key,
                                           uint32_t klen, asl_value *val, uint32_t bound)
{
    if (!asl_object_put_lit_b(obj, key, klen, val, bound)) asl_object_append_lit(a, obj, key, klen, val);
}

/* asl_choice_number with op known where it is called. */
ASL_INLINE bool asl_choice_number_c(const asl_value *v, asl_cmp op, double d)
{
    if (!v || v->type != ASL_NUMBER) return false;
    double n = v->u.n.num;
    switch (op) {
    case ASL_CMP_EQ: return n == d;
    case ASL_CMP_LT: return n < d;
    case ASL_CMP_GT: return n > d;
    case ASL_CMP_LE: return n <= d;
    default: return n >= d;
    }
}

/* States.MathAdd of two integers whose sum stays an int (intrinsics.c's
 * fn_math_add, its common case); anything else, and every error, there. */
ASL_INLINE asl_value *asl_math_add_c(asl_exec *x, asl_value *p, asl_value *q)
{
    if (p->type == ASL_NUMBER && q->type == ASL_NUMBER && asl_num_int(p) && asl_num_int(q)) {
        double s = p->u.n.num + q->u.n.num;
        if (p->u.n.num >= -2147483648.0 && p->u.n.num <= 2147483647.0 &&
            q->u.n.num >= -2147483648.0 && q->u.n.num <= 2147483647.0 && s >= -2147483648.0 &&
            s <= 2147483647.0)
            return asl_number_int(asl_exec_arena(x), s);
    }
    return asl_math_add2(x, p, q);
}

/* Parses a constant at program start (the compiler wrote the text, so a
 * failure is an internal error and aborts). */
asl_value *asl_const(asl_arena *a, const char *json);

/* The generated code defines this; runtime/main.c runs it. */
extern const asl_program asl_main_program;

#ifdef __cplusplus
}
#endif
#endif
