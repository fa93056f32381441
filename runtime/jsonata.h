/*
 * jsonata.h — JSONata's semantics, in the runtime.
 *
 * aslc compiles JSONata expressions; what they mean is here, once, as
 * functions that generated code calls and that the compiler's constant
 * folder (compiler/jsonata_eval.c) calls too: every operator, the sequence
 * rules of paths, function application with signature checks, every
 * built-in function of jsonata-js 2.0.6 and Step Functions' own.
 *
 * The value model extends the runtime's JSON values (asl_value.h):
 *   - undefined is NULL;
 *   - a sequence is an ASL_ARRAY whose flags byte (asl_value.h)
 *     carries ASL_JN_SEQ and the other flags below; it becomes a plain
 *     array when it leaves JSONata (asl_jn_to_json);
 *   - a function is an asl_jn_fn, whose header's type is ASL_JN_FUNCTION.
 * Values are immutable once handed on, as everywhere in the runtime; all
 * allocation is in the context's arena.
 *
 * Errors: a function that fails sets c->code (the reference's code,
 * "T2001" ...) and returns NULL; callers test asl_jn_failed(c) after any
 * call that can fail.  Nothing here keeps process-wide mutable state.
 */
#ifndef ASL_JSONATA_H
#define ASL_JSONATA_H

#include "asl_value.h"

#define ASL_JN_FUNCTION 7         /* asl_value.type of an asl_jn_fn */

/* Flags of a sequence (an array's flags byte). */
enum {
    ASL_JN_SEQ = 1,      /* a sequence, not a JSON array */
    ASL_JN_KEEP = 2,     /* keepSingleton: a singleton stays an array */
    ASL_JN_CONS = 4,     /* made by an array constructor: paths do not flatten it */
    ASL_JN_OUTER = 8,    /* outerWrapper: the input wrapped for a top-level path */
    ASL_JN_TUPLES = 16   /* a stream of tuples (objects of bindings) */
};

typedef enum {
    JN_OP_ADD, JN_OP_SUB, JN_OP_MUL, JN_OP_DIV, JN_OP_MOD,
    JN_OP_EQ, JN_OP_NE, JN_OP_LT, JN_OP_LE, JN_OP_GT, JN_OP_GE,
    JN_OP_CONCAT, JN_OP_AND, JN_OP_OR, JN_OP_IN, JN_OP_RANGE, JN_OP_MAP /* '.' */
} asl_jn_op;

typedef struct asl_jn_ctx asl_jn_ctx;
typedef struct asl_jn_fn asl_jn_fn;

typedef asl_value *(*asl_jn_native)(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);

typedef enum { JN_FN_NATIVE, JN_FN_LAMBDA, JN_FN_PARTIAL, JN_FN_REGEX } asl_jn_fn_kind;

struct asl_jn_fn {
    asl_value hdr;             /* hdr.type == ASL_JN_FUNCTION */
    uint8_t kind;              /* asl_jn_fn_kind */
    bool thunk;                /* a lambda made for a tail call */
    const char *name;          /* native: without '$' */
    const char *sig;           /* "<n-n:n>" or NULL */
    int arity;
    asl_jn_native native;
    /* lambda: what the evaluator that made it needs to run it */
    const void *body;
    void *env;
    asl_value *input;
    const char **params;
    /* partial application: base with args, NULL slots (holes) at hole[i] */
    asl_jn_fn *base;
    asl_value **args;
    bool *hole;
    int nargs;
    /* regex */
    void *code;                /* pcre2_code_8 */
    const char *pattern;
};

struct asl_jn_ctx {
    asl_arena *a;
    const char *code;          /* error code, NULL while all is well */
    int pos;                   /* offset in the expression, -1 unknown */
    const char *token;
    asl_value *value, *value2; /* what the error is about */
    int index;
    char *msg;                 /* $error / $assert message, else NULL */
    /* runs a JN_FN_LAMBDA (the evaluator or generated code that made it) */
    asl_value *(*apply_lambda)(asl_jn_ctx *c, asl_jn_fn *f, asl_value **args, int n);
    int64_t now_ms;            /* $now / $millis: fixed for one evaluation */
    uint64_t rng;              /* $random / $shuffle / $uuid state */
    int depth;                 /* evaluation depth now */
    int max_depth;             /* U1001 beyond it (asl_jn_ctx_init: ASL_JN_MAX_DEPTH) */
    int64_t deadline_ms;       /* CLOCK_MONOTONIC ms after which evaluation fails with U1001; 0: none */
    uint32_t ticks;            /* evaluations since the clock was last read */
    double max_range;          /* items a range [a..b] may have (D2014 beyond): 1e7, the reference's */
    void *user;                /* the asl_exec evaluating (jnstate.c), or NULL: asl_jn_clock */
    /* Step Functions' `$states` given without a frame (jnstate.c): its
     * members input, result, errorOutput, context (NULL: absent), read
     * directly by `$states.input...` (asl_jn_states); the object itself is
     * made only when an expression names `$states` whole.  Consulted after
     * every frame, like a binding of the root frame. */
    bool has_states;
    asl_value *states[4];
    /* a value known to be plain JSON (asl_jn_mi_merge made it so): the
     * state's field need not walk it (asl_jn_to_json) when it is the result */
    asl_value *plain;
    /* [string, value]: what $parse made last in the caller's window (the
     * same string value, immutable, parses to the same value), NULL: none */
    asl_value **memo;
    asl_value *states_obj;
    /* context (states[3]) made when first read, by context(resolve_ud); and
     * `$states.context.Map.Item.Value` / `.Index` without it (NULL: none) */
    asl_value *(*context)(void *ud);
    asl_value *(*map_item)(void *ud, bool index);
    /* What a name no frame binds resolves to before the built-ins, when the
     * root frame has no resolver of its own (asl_jn_env_resolver): the
     * workflow's variables.  Lets a caller evaluate without any frame. */
    asl_value *(*resolve)(void *ud, const char *name, size_t n, bool *found);
    void *resolve_ud;
    /* A lean context (jnstate.c, an ASL_JNT_LEAN field): only a, code,
     * apply_lambda, has_states, states, plain and resolve_ud are set, which
     * is all `$merge([$states.input, {...}])` read directly touches; this
     * fills in the rest before the call in full runs (asl_jn_mi_merge*).
     * NULL: the context is whole. */
    void (*complete)(asl_jn_ctx *c);
};

/* Nested evaluations allowed by default: deep enough for any sensible
 * recursion (tail calls run as loops and do not count), shallow enough for
 * the C stack of a Map or Parallel thread. */
#define ASL_JN_MAX_DEPTH 2000

void asl_jn_ctx_init(asl_jn_ctx *c, asl_arena *a);
/* Sets now_ms and seeds rng, once (the first $now, $millis, $random...). */
void asl_jn_clock(asl_jn_ctx *c);
static inline bool asl_jn_failed(const asl_jn_ctx *c) { return c->code != NULL; }
/* Whether c's deadline has passed (reads the clock one call in 1024). */
bool asl_jn_out_of_time(asl_jn_ctx *c);
/* The monotonic clock in milliseconds, for deadline_ms. */
int64_t asl_jn_clock_ms(void);
/* Sets the error (first one wins) and returns NULL. */
asl_value *asl_jn_error(asl_jn_ctx *c, const char *code, asl_value *value);

/* ---- compiled expressions and their bindings ------------------------------
 * Each `{% %}` expression is compiled (compiler/jsonata_lower.c) into a
 * function of this type: input is the context value `$`, env the variable
 * bindings.  It returns the raw JSONata value (undefined is NULL, a
 * sequence, a function...); an error sets c->code.  A caller that hands
 * the value on as JSON converts it with asl_jn_to_json. */
typedef struct asl_jn_env asl_jn_env;
typedef asl_value *(*asl_jn_code)(asl_jn_ctx *c, asl_jn_env *env, asl_value *input);
/* A frame of bindings (names without '$') over parent, or a root frame. */
asl_jn_env *asl_jn_env_new(asl_arena *a, asl_jn_env *parent);
void asl_jn_env_bind(asl_arena *a, asl_jn_env *e, const char *name, asl_value *v);
/* What a root frame asks for a name no frame binds, before the built-in
 * functions: the workflow's variables (vars.h) come in this way. */
void asl_jn_env_resolver(asl_jn_env *root, asl_value *(*resolve)(void *ud, const char *name, size_t n, bool *found),
                         void *ud);
/* The error in c as Step Functions words it after "threw an error during
 * evaluation. ": the code and the reference's message ("T1006: Attempted
 * to invoke a non-function"). */
const char *asl_jn_error_text(asl_jn_ctx *c);

/* ---- what generated code calls (jsonata_exec.c) ---------------------------
 * compiler/jsonata_lower.c makes each expression a straight run of these
 * calls; what is lazy or repeated (a path step, a predicate, a branch, a
 * sort term, a group's key and value, a lambda's body, a block) is a
 * generated asl_jn_code passed by address.  Values are as everywhere here:
 * NULL is undefined; a failure sets c->code (the caller tests it). */
asl_value *asl_jn_top(asl_jn_ctx *c, asl_value *input);            /* an array input wrapped (outerWrapper) */
asl_value *asl_jn_context(asl_value *input);                       /* `$` */
asl_value *asl_jn_fin(asl_value *r, bool keep_array);              /* a node's result settled */
asl_value *asl_jn_lit_str(asl_jn_ctx *c, const char *s, size_t n); /* s: static */
asl_value *asl_jn_lit_num(asl_jn_ctx *c, double d);
asl_value *asl_jn_lit(int k);
/* The same made once for a site of generated code, kept in *slot (a
 * static, NULL at start) for every later evaluation, on any thread: a
 * literal is immutable.  Its memory is the program's (never freed). */
asl_value *asl_jn_lit_num_once(asl_jn_ctx *c, asl_value **slot, double d);
asl_value *asl_jn_lit_str_once(asl_jn_ctx *c, asl_value **slot, const char *s, size_t n);   /* s: static */                                      /* 0 false, 1 true, 2 null, 3 undefined */
asl_value *asl_jn_var(asl_jn_ctx *c, asl_jn_env *env, const char *name, size_t n);
/* `$states.input` (k 0), `.result` (1), `.errorOutput` (2), `.context` (3):
 * the member directly when the caller gave c->states, else through the
 * frames as `$states` then the member.  The compiler uses it only where the
 * expression itself never binds `$states`. */
asl_value *asl_jn_states(asl_jn_ctx *c, asl_jn_env *env, int k);
/* `$states.context.Map.Item.Value` (index false) or `.Index`: through
 * c->map_item when the caller gave it, else as asl_jn_states(c, env, 3)
 * and the three names. */
asl_value *asl_jn_map_item(asl_jn_ctx *c, asl_jn_env *env, bool index);
asl_value *asl_jn_bind(asl_jn_ctx *c, asl_jn_env *env, const char *name, asl_value *v);
asl_value *asl_jn_block(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code body);
asl_value *asl_jn_root(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code body); /* binds `$$` */
asl_value *asl_jn_binop(asl_jn_ctx *c, int op, asl_value *l, asl_value *r, int pos);
asl_value *asl_jn_neg(asl_jn_ctx *c, asl_value *v, int pos);
asl_value *asl_jn_and_or(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int op, asl_value *l, asl_jn_code rhs,
                         int pos);
asl_value *asl_jn_cond(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_value *l, asl_jn_code then,
                       asl_jn_code otherwise);
asl_value *asl_jn_arr_new(asl_jn_ctx *c, int n);
asl_value *asl_jn_arr_put(asl_jn_ctx *c, asl_value *arr, asl_value *v, bool is_cons);
asl_value *asl_jn_arr_cons(asl_value *arr);
/* A step of a path of plain names: an object's field directly. */
asl_value *asl_jn_get(asl_jn_ctx *c, asl_value *v, const char *key, size_t klen, bool last);
asl_value *asl_jn_filter(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code pred);
asl_value *asl_jn_filter_at(asl_jn_ctx *c, asl_value *input, double ix);   /* `[n]` */
/* npairs pairs of (key, value) asl_jn_code follow. */
asl_value *asl_jn_group(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int pos, int npairs, ...);
/* nterms pairs of (asl_jn_code term, int descending) follow. */
asl_value *asl_jn_sort(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int pos, int nterms, ...);
/* Paths: a state made by path_begin, a call per step and stage, path_end. */
enum { ASL_JN_PATH_TUPLE = 1, ASL_JN_PATH_KEEP = 2, ASL_JN_PATH_GROUPED = 4 };
asl_value *asl_jn_path_begin(asl_jn_ctx *c, asl_value *input, bool first_is_var);
/* flags: 1 the path carries tuples from here, 2 the step has a focus (`@$v`) */
asl_value *asl_jn_path_cons(asl_jn_ctx *c, asl_jn_env *env, asl_value *p, asl_jn_code step, int flags);
asl_value *asl_jn_path_step(asl_jn_ctx *c, asl_jn_env *env, asl_value *p, asl_jn_code step, bool last);
asl_value *asl_jn_path_tstep(asl_jn_ctx *c, asl_jn_env *env, asl_value *p, asl_jn_code step, const char *focus,
                             const char *index, const char *ancestor);
asl_value *asl_jn_path_sort(asl_jn_ctx *c, asl_jn_env *env, asl_value *p, asl_jn_code sort, bool tuple,
                            const char *index);
asl_value *asl_jn_path_filter(asl_jn_ctx *c, asl_jn_env *env, asl_value *p, asl_jn_code pred);
asl_value *asl_jn_path_filter_at(asl_jn_ctx *c, asl_value *p, double ix);
asl_value *asl_jn_path_index(asl_jn_ctx *c, asl_value *p, const char *name);
asl_value *asl_jn_path_next(asl_jn_ctx *c, asl_value *p, bool focus);
asl_value *asl_jn_path_end(asl_jn_ctx *c, asl_value *p, int flags);
/* Calls: n argument values follow.  token names the function in errors;
 * name, when the procedure is a path of one name, for T1005 / T1007. */
asl_value *asl_jn_call(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_value *proc, int pos,
                       const char *token, const char *name, int n, ...);
/* A call of `$name(...)` where name is the built-in number bi (asl_jn_builtin_index,
 * decided when compiling), without a look-up by name.  may_be_var: a frame
 * or a workflow variable may have the name, and wins then, as in
 * asl_jn_call (false when the compiler saw that nothing binds or assigns it). */
asl_value *asl_jn_call_bi(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int bi, bool may_be_var, int pos,
                          const char *token, int n, ...);
/* `$count(x)` and `$string(x)` of one argument where no variable may be
 * named count or string (jsonata_lower.c): the built-in's result without
 * the call, whose signature check any one argument passes; string1 places
 * a failure (D3001) as the call would. */
asl_value *asl_jn_count1(asl_jn_ctx *c, asl_value *v);
asl_value *asl_jn_string1(asl_jn_ctx *c, asl_value *v, int pos, const char *token);
/* $parse(x) where no variable may be named parse (bi: its number): the
 * built-in on a string without the call's signature check; any other
 * argument takes the call (asl_jn_call_bi), errors and all. */
asl_value *asl_jn_parse1(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int bi, int pos,
                         const char *token, asl_value *v);
/* `$merge([x, y])` with y an object constructor of literal keys: when x
 * and y are objects and no variable may be named merge, x's members then
 * y's set over them (what $merge makes), without the argument array, the
 * signature check or the call; otherwise exactly the generic call. */
asl_value *asl_jn_merge2(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, int bi, bool may_be_var, int pos,
                         const char *token, asl_value *x, asl_value *y);
/* `$merge([$states.input, {'k': ...}])` whose constructor's values are
 * `$states.input` paths of names, literals and constructors of such
 * (jsonata_lower.c, in a workflow where no variable may be named merge and
 * nothing binds $states), as straight-line calls: mi_input, $states.input
 * when it is an object; mi_get, an object's member read directly; the
 * constructors built with asl_jn_obj_new and mi_put; mi_merge, the input's
 * members with the constructor's set over them, as $merge makes them.
 * Each gives asl_jn_declined once a read does not apply (not an object,
 * undefined, a sequence, a value JSONata would print otherwise), and
 * mi_merge then returns generic(c, env, input): the call in full, with its
 * values and errors. */
/* `a & b & c ...` (jsonata_lower.c: at most ASL_JN_CONCAT_MAX operands,
 * each one whose evaluation cannot fail): the n operands' values (NULL:
 * undefined), then the n - 1 operators' positions (int); one string made,
 * each operand converted as asl_jn_binary's `&` converts it, a failure
 * placed at the operator that converted it. */
#define ASL_JN_CONCAT_MAX 16
asl_value *asl_jn_concat(asl_jn_ctx *c, int n, ...);
extern asl_value asl_jn_declined;
asl_value *asl_jn_mi_input(asl_jn_ctx *c);
asl_value *asl_jn_mi_get(asl_value *v, const char *key, size_t klen);
asl_value *asl_jn_mi_put(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen, asl_value *v);
/* mi_put of mi_get(x, name): a member one name deep, in one call. */
asl_value *asl_jn_mi_put_get(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen, asl_value *x,
                             const char *name, size_t nlen);
asl_value *asl_jn_mi_merge(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code generic, asl_value *x,
                           asl_value *y);
/* The same for a constructor of one member, key: v (no object made for it). */
asl_value *asl_jn_mi_merge1(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code generic, asl_value *x,
                            const char *key, size_t klen, asl_value *v);
/* Whether v is JSON as JSONata's result leaves it (asl_jn_to_json would
 * return it as it is). */
bool asl_jn_plain(const asl_value *v);
/* An object constructor whose keys are distinct string literals, built
 * directly (no grouping): obj_ctx gives the context its values are
 * evaluated against (the grouping's: the input's items joined), obj_new
 * the object, obj_put a member (undefined: none). */
asl_value *asl_jn_obj_ctx(asl_jn_ctx *c, asl_value *input);
asl_value *asl_jn_obj_new(asl_jn_ctx *c, int n);
asl_value *asl_jn_obj_put(asl_jn_ctx *c, asl_value *obj, const char *key, size_t klen, asl_value *v);
asl_value *asl_jn_tail(asl_jn_ctx *c, asl_value *input, asl_value *proc, int pos, int n, ...);
/* holes: a character per argument, '?' for a placeholder (its value NULL). */
asl_value *asl_jn_partial_call(asl_jn_ctx *c, asl_jn_env *env, asl_value *proc, int pos, const char *token,
                               const char *name, const char *holes, int n, ...);
asl_value *asl_jn_chain(asl_jn_ctx *c, asl_value *lhs, asl_value *fn, int pos);
/* params: the parameter names joined by commas. */
asl_value *asl_jn_lambda(asl_jn_ctx *c, asl_jn_env *env, asl_value *input, asl_jn_code code, const char *params,
                         const char *sig, int n);
asl_value *asl_jn_transform(asl_jn_ctx *c, asl_jn_env *env, asl_jn_code pattern, asl_jn_code update,
                            asl_jn_code del, int pos_update, int pos_del);
/* Runs a lambda made by generated code (asl_jn_ctx_init's apply_lambda). */
asl_value *asl_jn_apply_lambda(asl_jn_ctx *c, asl_jn_fn *f, asl_value **args, int n);

/* ---- values -------------------------------------------------------------- */

static inline bool asl_jn_is_fn(const asl_value *v) { return v && v->type == ASL_JN_FUNCTION; }
static inline bool asl_jn_is_array(const asl_value *v) { return v && v->type == ASL_ARRAY; }
static inline bool asl_jn_is_seq(const asl_value *v) { return v && v->type == ASL_ARRAY && (v->flags & ASL_JN_SEQ); }
static inline bool asl_jn_is_num(const asl_value *v) { return v && v->type == ASL_NUMBER; }
static inline bool asl_jn_is_str(const asl_value *v) { return v && v->type == ASL_STRING; }

asl_value *asl_jn_seq(asl_arena *a, uint32_t cap);          /* empty sequence */
asl_value *asl_jn_seq1(asl_arena *a, asl_value *v);         /* createSequence(v): [] for undefined */
/* Appends v, which may be undefined: a path's steps carry undefined items
 * as the reference does (a predicate that keeps its undefined input), and
 * the path drops them from its result. */
void asl_jn_push(asl_arena *a, asl_value *arr, asl_value *v);
asl_value *asl_jn_array(asl_arena *a, uint32_t cap);        /* a plain (JSON) array */
/* The tail of the reference's evaluate(): an empty sequence is undefined, a
 * singleton its item unless it keeps singletons (keep_array marks it so). */
asl_value *asl_jn_settle(asl_value *v, bool keep_array);
/* fn.append: sequences and arrays joined, undefined ignored. */
asl_value *asl_jn_append(asl_arena *a, asl_value *x, asl_value *y);
/* Array of all items, nested arrays flattened (the reference's flatten()). */
asl_value *asl_jn_flatten(asl_arena *a, asl_value *v);
/* A number value (-0 made 0).  Infinities are values, as in JavaScript,
 * until an operator takes one (asl_jn_numeric: D1001). */
asl_value *asl_jn_num(asl_jn_ctx *c, double d);
/* The reference's isNumeric: whether v is a number, D1001 when infinite. */
bool asl_jn_numeric(asl_jn_ctx *c, const asl_value *v);
asl_value *asl_jn_str(asl_arena *a, const char *s, size_t n);
/* JSONata truthiness: -1 for undefined (and sequences of nothing but undefined), 0, 1. */
int asl_jn_truthy(const asl_value *v);
/* Deep equality (the reference's isDeepEqual). */
bool asl_jn_deep_equal(const asl_value *x, const asl_value *y);
/* A value as it leaves JSONata: sequences become arrays, functions "",
 * numbers plain doubles (JavaScript keeps no source text: 1.10 is 1.1, -0 is 0). */
asl_value *asl_jn_to_json(asl_arena *a, asl_value *v);
/* A number as JavaScript prints it (Number.prototype.toString). */
void asl_jn_num_js(char out[32], double d);
/* fn.string: strings as they are, others as JSON (numbers to 15 significant digits). */
asl_value *asl_jn_string(asl_jn_ctx *c, asl_value *v, bool pretty);
/* The type name of $type. */
const char *asl_jn_type_name(const asl_value *v);

/* ---- operators (the reference's evaluateBinary) -------------------------- */

asl_value *asl_jn_binary(asl_jn_ctx *c, asl_jn_op op, asl_value *l, asl_value *r);
asl_value *asl_jn_negate(asl_jn_ctx *c, asl_value *v);
/* fn.lookup: a field of an object, mapped over arrays, flattened. */
asl_value *asl_jn_lookup(asl_jn_ctx *c, asl_value *input, const char *key, size_t klen);
asl_value *asl_jn_wildcard(asl_jn_ctx *c, asl_value *input);
asl_value *asl_jn_descendants(asl_jn_ctx *c, asl_value *input);
/* Array-constructor item rules: `[a, b]` appends b's items unless b was itself [..]. */
asl_value *asl_jn_array_add(asl_jn_ctx *c, asl_value *arr, asl_value *item, bool item_is_cons);

/* ---- functions ------------------------------------------------------------ */

/* The built-in named name (without '$'), or NULL. */
asl_jn_fn *asl_jn_builtin(const char *name, size_t n);
/* Built-ins by number (their order in the table, fixed for a build of
 * aslc and its runtime): -1 for none; the i-th (NULL out of range). */
int asl_jn_builtin_index(const char *name, size_t n);
asl_jn_fn *asl_jn_builtin_at(int i);
int asl_jn_builtin_ord(const asl_jn_fn *f);     /* f's number, -1 when f is not a built-in */
/* Applies f to args, checking its signature (focus fills a `-` parameter). */
asl_value *asl_jn_apply(asl_jn_ctx *c, asl_value *f, asl_value **args, int n, asl_value *focus);
int asl_jn_arity(const asl_value *f);
/* Checks a signature's syntax: NULL, or S0401/S0402 with the offset. */
const char *asl_jn_sig_check(const char *sig, int *offset);
/* Checks args against a signature: false with c's error set, else the
 * arguments as the function receives them in *out, *nout. */
bool asl_jn_validate(asl_jn_ctx *c, const char *sig, asl_value **args, int n, asl_value *focus,
                     asl_value ***out, int *nout);
/* Partial application: args with hole[i] for each `?`. */
asl_value *asl_jn_partial(asl_jn_ctx *c, asl_value *f, asl_value **args, bool *hole, int n);
/* A regex literal: compiled once (NULL and c set when the pattern is bad). */
asl_value *asl_jn_regex(asl_jn_ctx *c, const char *pattern, size_t n, const char *flags);
/* The same for generated code: compiled the first time, in memory of the
 * program's, kept in *slot (a static of the generated code) for every later
 * evaluation, on any thread.  A regex value is immutable. */
asl_value *asl_jn_regex_once(asl_jn_ctx *c, asl_value **slot, const char *pattern, size_t n, const char *flags);
/* Stable merge sort (fn.sort's); cmp returns true when a must come after b. */
typedef bool (*asl_jn_after)(asl_jn_ctx *c, void *ud, asl_value *a, asl_value *b);
asl_value *asl_jn_sort_by(asl_jn_ctx *c, asl_value *arr, asl_jn_after after, void *ud);
/* The object constructor / grouping key rule and transform's clone. */
asl_value *asl_jn_clone(asl_arena *a, const asl_value *v);

/* ---- between the runtime's JSONata files ---------------------------------- */

/* jsonata_regex.c: the next match of re in s (n bytes) at or after byte
 * from, group offsets in ov (pairs, PCRE2_UNSET for a group that took no
 * part), *ngroups with group 0; the match object $match gives for it; a
 * regex value called as a function (the reference's closure). */
bool asl_jn_regex_next(asl_jn_fn *re, const char *s, size_t n, size_t from, size_t *ov, int *ngroups);
asl_value *asl_jn_regex_match_obj(asl_jn_ctx *c, const char *s, const size_t *ov, int ng);
asl_value *asl_jn_regex_call(asl_jn_ctx *c, asl_jn_fn *re, asl_value *str);
/* jsonata_sfn.c: Step Functions' functions, entries of the built-in table. */
asl_value *asl_jn_sfn_partition(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);
asl_value *asl_jn_sfn_range(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);
asl_value *asl_jn_sfn_hash(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);
asl_value *asl_jn_sfn_random(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);
asl_value *asl_jn_sfn_uuid(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);
asl_value *asl_jn_sfn_parse(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus);

#endif
