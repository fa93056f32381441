/*
 * aslc.h — what the passes of the compiler share: the compilation (its
 * arena, source text and diagnostics) and the entry point of each pass.
 *
 *   main.c      command line, the pass pipeline
 *   srcmap.c    line/column of every JSON node (cJSON records none)
 *   diag.c      diagnostics: collected, all reported, with source line and caret
 *   validate.c  the front end in one call (JSON, source map, parse.c, then the
 *               checks across states: names, reachability); never exits
 *   parse.c     cJSON -> IR, with the structural checks of ASL
 *   lower.c     IR -> LIR (lir.h): every decision of how a state becomes code
 *   emit_c.c    IR -> C source (the C back end)
 *   build.c     C source -> executable, linked with the runtime
 *   files.c     inputs read with a bound; outputs checked first, written last
 *   tmpdir.c    the compilation's temporary directory, removed on every exit
 *   nulchars.c  U+0000 in definition strings: kept whole, or refused
 */
#ifndef ASLC_H
#define ASLC_H

#include "ir.h"
#include <cjson/cJSON.h>
#include <limits.h>
#include <sys/types.h>

typedef struct aslc_srcmap aslc_srcmap;

typedef struct {
    const char *file;        /* as given on the command line */
    const char *text;        /* the whole definition */
    size_t len;
    aslc_srcmap *map;        /* positions of cJSON nodes */
    asl_arena *arena;        /* everything of this compilation */
    int errors, warnings;
    bool json_diags;         /* --format=json */
    const cJSON *bound;      /* the resources file of a compilation (aslc -o), or NULL: a
                                Resource AWS refuses is a warning when it binds that name */
    asl_buf json_out;        /* collected JSON diagnostics */
} aslc_unit;

/* ---- diag.c ---------------------------------------------------------------- */
typedef enum { ASLC_ERROR, ASLC_WARNING, ASLC_NOTE } aslc_severity;
/* Reports at line/col (0 = unknown) with the JSON pointer of the field. */
void aslc_diag_at(aslc_unit *u, aslc_severity sev, int line, int col, const char *ptr,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Reports at a JSON node (its value; or its key when at_key). */
void aslc_diag(aslc_unit *u, aslc_severity sev, const cJSON *node, bool at_key,
               const char *ptr, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A user-facing error that is not about the definition (files, tools). */
void aslc_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Ends a unit: with --format=json, adds its diagnostics to the run's array. */
void aslc_diag_flush(aslc_unit *u);
/* Ends the run: with --format=json, prints the one array of every unit. */
void aslc_diag_finish(void);

/* ---- srcmap.c ---------------------------------------------------------------- */
/* Builds positions by scanning text alongside the tree cJSON parsed from it. */
aslc_srcmap *aslc_srcmap_build(asl_arena *a, const char *text, size_t len, const cJSON *root);
/* Position of a node's value (or key); false when unknown. */
bool aslc_srcmap_pos(const aslc_srcmap *m, const cJSON *node, bool key, int *line, int *col);
/* The exact source text of a node's value (for constants: keeps every digit). */
bool aslc_srcmap_span(const aslc_srcmap *m, const cJSON *node, const char **start, size_t *len);
/* Whether a string key or value holds U+0000 (written \u0000), which cJSON's
 * NUL-terminated strings lose with all that follows it. */
bool aslc_srcmap_has_nul(const aslc_srcmap *m, const cJSON *node, bool key);
/* The whole text of a string key or value, decoded from the source: NUL
 * characters kept, *len counting them. */
bool aslc_srcmap_string(const aslc_srcmap *m, asl_arena *a, const cJSON *node, bool key,
                        const char **s, size_t *len);
/* Line and column of a byte offset. */
void aslc_offset_pos(const char *text, size_t off, int *line, int *col);

/* ---- validate.c --------------------------------------------------------------- */
/* Text of u (file, text, len, arena set) -> IR, every problem reported
 * through diag.c.  NULL when the text is not a JSON object; otherwise the
 * program, valid only when u->errors is 0. */
ir_program *aslc_front_end(aslc_unit *u, const char *name);

/* ---- arn.c -------------------------------------------------------------------- */
/* NULL when a Task's Resource has a shape AWS accepts; else why not (in a),
 * with *at the byte offset in res of the part the reason is about. */
const char *aslc_arn_check(asl_arena *a, const char *res, size_t *at);
/* The same for a Task's Credentials.RoleArn: an IAM role ARN. */
const char *aslc_role_arn_check(asl_arena *a, const char *arn, size_t *at);

/* ---- nulchars.c --------------------------------------------------------------- */
/* Refuses U+0000 where AWS does or aslc cannot keep it; whether the text
 * holds a \u0000 escape at all (the front end then reads strings whole). */
bool aslc_nul_check(aslc_unit *u, const cJSON *root);

/* ---- parse.c ------------------------------------------------------------------ */
ir_program *aslc_parse(aslc_unit *u, const cJSON *root, const char *name);

/* ---- emit_c.c, lower.c ------------------------------------------------------------------ */
typedef struct {
    const char *resources_json;  /* embedded resources (paths absolute), or NULL */
    const char *mocks_json;      /* embedded mocks, or NULL */
    const char **natives;        /* native handler names to link */
    uint32_t nnatives;
    const char *source_name;     /* for the header comment */
    bool allow_unbound;          /* unbound Tasks fail at run time instead */
    bool aws;                    /* a Task calls AWS: link the AWS client (build.c) */
    bool lambda;                 /* --target lambda: link the Lambda runtime (target_lambda.c) */
    bool served;                 /* --served: the table of top-level states aslc serve resumes
                                    at (asl_program.state_fns); only then, as a second
                                    reference to a state's function keeps the C compiler from
                                    inlining it into its only caller */
    const char *linked_sym;      /* --link: built as a linked object (aslc_build_opts) */
} aslc_emit_opts;

void aslc_emit_c(asl_buf *out, const ir_program *p, const aslc_emit_opts *o);

/* What both back ends decide alike, so that their outputs agree (docs/backends.md). */

/* Byte strings numbered in the order they are first seen. */
typedef struct {
    char *s;
    size_t n;
    uint64_t h;
    uint32_t id;
} aslc_id;
typedef struct {
    aslc_id *tab;                /* open addressing */
    size_t cap, n;
} aslc_ids;
/* The number of s (n bytes); *fresh when this is its first sight. */
uint32_t aslc_ids_get(aslc_ids *t, const char *s, size_t n, bool *fresh);
void aslc_ids_free(aslc_ids *t);
/* Sets b to a key of p: every field of p and of its segments, so that
 * paths with equal keys have interchangeable descriptors (one P_n each). */
void aslc_path_key(asl_buf *b, const asl_path *p);
/* Appends to b a key of the string s (n bytes; NULL is not ""). */
void aslc_key_str(asl_buf *b, const char *s, size_t n);

/* Whether t is an object template that asl_object_shaped makes: 2 to
 * ASL_SHAPE_MAX members (one is quicker appended inline), each key one
 * that asl_object_append_lit takes. */
bool aslc_tmpl_shaped(const ir_tmpl *t);
/* The bound of such an object's text without its values: braces, keys,
 * colons, quotes and commas (asl_shape.jlen). */
uint32_t aslc_shape_jlen(const ir_tmpl *t);
/* The payload bound (asl_json_bound) of what member c of a template
 * evaluates to, when the compiler knows it whatever the input: a
 * constant's, from its text parsed as init_constants will parse it, or
 * that of the integers States.MathAdd and ArrayLength only ever make
 * (asl_number_int).  Saves the state reading back a value it just made. */
bool aslc_member_bound(asl_arena *a, const ir_tmpl *c, uint32_t *bound);
/* Whether call c is computed in the state's own code, without an fn_n
 * helper: States.MathAdd of paths and literals, whose common case is
 * asl.h's inline asl_math_add_c (a helper's argument array would stop the
 * state's transition from being a tail call). */
bool aslc_call_in_place(const ir_call *c);
/* Whether s is "last" (asl_state_info.last): a Pass or Task that ends its
 * machine, whose output a Map iteration builds in the Map's arena. */
bool aslc_state_last(const ir_state *s);

/* How a program's code is compiled: in parts (of translation units, LLVM
 * modules) compiled in parallel, each part a run of consecutive state groups
 * in the order the back ends emit them, at -O1 with sibling calls (C); a
 * large one (big) also described by data and optimised even less (LLVM). */
typedef struct {
    uint32_t parts;              /* 1: one unit */
    uint32_t per_part;           /* states per part (the last may have fewer) */
    bool big;                    /* templates and data flow as data (TP_, F_), a part's
                                    states the blocks of one function (C), and
                                    default<O0> with FastISel (LLVM) */
} aslc_layout;
aslc_layout aslc_layout_of(const ir_program *p);
/* The part of every state (part_of, by ir_state.index), cut in the order the
 * back ends write them; in a large program (lay->big) also entry: the case
 * of a state entered from elsewhere (a start, a transition from another
 * part) in its part's function, numbered in definition order, else -1. */
void aslc_plan_parts(const ir_program *p, const aslc_layout *lay, uint32_t *part_of, int32_t *entry);

/* ---- aws_model.c ------------------------------------------------------------ */
/* For a Task whose Resource is an AWS SDK integration or an optimised
 * integration that is one API call: checks it against the service's API
 * model and makes the binding that calls it ({"aws": {...}} in *entry).
 * 1: made; 0: not such a resource; -1: a diagnostic was reported. */
int aslc_aws_binding(aslc_unit *u, const ir_state *s, cJSON **entry, bool report);

/* ---- linked.c (--link ARN=FILE) --------------------------------------------------- */
typedef struct {
    const char *arn;             /* arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME */
    const char *file;            /* its definition */
    char sym[32];                /* its program descriptor in the binary: asl_linked_N */
    char obj[PATH_MAX];          /* its object, in the temporary directory */
    bool aws;                    /* it calls AWS: the binary links the AWS client */
} aslc_linked;
bool aslc_linked_arn_ok(const char *arn);
const char *aslc_linked_name(const char *arn);     /* NAME, the last field */
/* arn:aws:states:::states:startExecution, .sync or .sync:2 */
bool aslc_linked_is_start(const char *res);
/* The StateMachineArn a startExecution Task s names as a constant, or NULL. */
const char *aslc_linked_literal(asl_arena *a, const ir_program *p, const ir_state *s);
/* The link arn names (itself, or with a :VERSION or :ALIAS), or -1. */
int aslc_linked_find(const aslc_linked *l, int n, const char *arn);
/* false, with a diagnostic on u, when edges (n by n: i starts j) hold a cycle. */
bool aslc_linked_cycles(aslc_unit *u, const aslc_linked *l, int n, const bool *edges);
/* The C source of the table runtime/linked.c reads. */
void aslc_linked_table(asl_buf *out, const aslc_linked *l, int n);

/* ---- build.c ------------------------------------------------------------------ */
typedef struct {
    const char *c_file;          /* generated source */
    const char *handlers;        /* user's native handlers .c, or NULL */
    const char *output;          /* final executable */
    const char *argv0;           /* to find the runtime next to aslc */
    const char *obj_file;        /* or an object file to link instead of c_file (LLVM back end) */
    aslc_layout layout;          /* c_file: in layout.parts parts, compiled in parallel runs
                                    (-DASL_PART_FIRST=i -DASL_PART_LAST=j), at -O1 */
    const char *const *obj_files;/* or several object files (LLVM back end, in parts) */
    uint32_t nobj_files;
    bool aws;                    /* link the AWS client and libcurl (dynamically, with libc) */
    bool lambda;                 /* main is the Lambda runtime's (runtime/lambda_rt.c) */
    bool shared;                 /* --target shared: a shared object exporting asl_embed
                                    (runtime/asl_embed.h), for aslc serve */
    const char *linked_sym;      /* --link: a relocatable object, every symbol local but the
                                    program descriptor, renamed this (linked.c) */
} aslc_build_opts;
/* A file (object or C source) every later executable links in: --link's. */
void aslc_build_add(const char *path);

/* Writes a whole file atomically (temporary name, then rename). */
bool aslc_write_file(const char *path, const char *data, size_t len);

/* The name, in the temporary directory (tmpdir.c), of the C source of the
 * picture for --report (graph.c); aslc_build links it in when it exists. */
#define ASLC_REPORT_GRAPH_C "report_graph.c"

/* Compiles and links; false (with a message on stderr) on failure. */
bool aslc_build(const aslc_build_opts *o);

/* ---- target_lambda.c (--target lambda) ------------------------------------------ */
/* The deployment package of the executable exe: a zip of bootstrap and the
 * shared libraries it needs beyond the C library; false with a message. */
bool aslc_lambda_package(const char *exe, asl_buf *zip);
/* An AWS SAM template (to be written at template_path) deploying zip_path
 * with the permissions p's Tasks need. */
void aslc_lambda_template(asl_buf *out, const ir_program *p, const char *zip_path,
                          const char *template_path);

/* ---- files.c ------------------------------------------------------------------ */
/* AWS's bound on a definition (CreateStateMachine), in characters. */
#define ASLC_DEFINITION_CHARS 1048576
/* The bound on the other files aslc reads (--resources, --mocks, serve's
 * --auth and --mock-config), and the most --definition-limit takes: what
 * aslc can hold without surprises. */
#define ASLC_MAX_CHARS ((size_t)64 << 20)
/* A whole file of at most max_chars characters, NUL-terminated (malloc'd);
 * NULL, with why set, when it cannot be read, is a directory or is longer. */
char *aslc_file_read(const char *path, size_t max_chars, size_t *len, char *why, size_t whysz);

/* An output file (-o, --emit-c, --emit-llvm): checked and prepared before
 * the compilation, written at the end (see files.c for what each kind of
 * target gets). */
typedef struct {
    const char *option, *path;   /* as given */
    char final[PATH_MAX];        /* path, symbolic links followed */
    char temp[PATH_MAX];         /* the placeholder beside it; "" when none */
    int fd;                      /* the placeholder, open */
    bool through;                /* a character device or FIFO: written through */
    bool exists;                 /* dev/ino: the file already there */
    dev_t dev;
    ino_t ino;
    mode_t mode;                 /* before the umask */
} aslc_target;
/* false, with a message, when path cannot be written or is not a file. */
bool aslc_target_open(aslc_target *t, const char *option, const char *path, bool executable);
/* Whether path names the file t would overwrite. */
bool aslc_target_is(const aslc_target *t, const char *path);
/* Writes the whole content (atomically, or through); false with a message. */
bool aslc_target_write(aslc_target *t, const char *data, size_t len);
/* The same, with the content of the file from. */
bool aslc_target_install(aslc_target *t, const char *from);
/* Removes the placeholder: nothing is written. */
void aslc_target_abort(aslc_target *t);

/* ---- tmpdir.c ----------------------------------------------------------------- */
/* Makes the directory and points $TMPDIR at it; false with a message. */
bool aslc_tmp_init(void);
const char *aslc_tmp_dir(void);
/* out = the directory / name. */
void aslc_tmp_path(char out[PATH_MAX], const char *name);
/* Removes the directory (also done at exit and on a signal). */
void aslc_tmp_finish(void);
/* A file outside the directory to remove if aslc is killed, and its release. */
bool aslc_tmp_track(const char *path);
void aslc_tmp_untrack(const char *path);
/* Runs argv in a process group of its own (killed with aslc); its stderr
 * goes to err_fd unless -1.  aslc_tmp_reaped once waited for. */
pid_t aslc_tmp_spawn(char **argv, int err_fd);
void aslc_tmp_reaped(pid_t pid);

#endif
