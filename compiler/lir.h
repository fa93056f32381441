/*
 * lir.h — the lowered program: what each state does, as a flat list of ops.
 *
 * The IR (ir.h) says what a definition means; the LIR says how it becomes
 * code: which runtime entry point each step calls, which first steps of
 * asl.h run inline, where a failure goes, which objects are made with
 * their keys in place, which States.Format templates are split now, which
 * calls are made in the state and which in a helper, how a large program
 * is cut into parts.  Every such decision is made once, in lower.c, and
 * `aslc --emit-lir` prints it (lir_dump), named after the states;
 * docs/lir.md has the op table.
 *
 * Two closed sets, each one X-macro table expanded by everyone:
 *   LIR_RT   the runtime entry points generated code calls (asl.h), with
 *            their inline first step, if any, and their signature;
 *   LIR_OPS  the op kinds.
 * A new runtime call is one line of LIR_RT plus the place in lower.c
 * that emits it (an op LIR_CALL_RT naming it).
 *
 * Values are numbered registers (%0, %1, ...) of one function; %in is the
 * function's input.  An op marked `check` fails when its result is NULL
 * (false for a test): the function's failure target then runs (return
 * NULL, or the state's Catch).  Everything is in the compilation's arena.
 */
#ifndef ASLC_LIR_H
#define ASLC_LIR_H

#include "aslc.h"

/* ---- the runtime entry points -------------------------------------------------------
 * X(id, C name, inline first step or 0, signature, C type).  The signature is
 * the return type then the parameters: p pointer, b bool, i int/uint32_t/enum,
 * l size_t, d double, v void; a final '.' makes it variadic.  The C type is
 * checked against asl.h where the table is expanded with it (emit_llvm.c).
 * The inline first step (asl.h, always inline) is what a program of one
 * part calls instead of the entry point (lir_layout.inline_first). */
#define LIR_RT(X)                                                                                   \
    X(ENTER, asl_enter, asl_enter_c, "bppp",                                                        \
      bool (*)(asl_exec *, const asl_state_info *, asl_value *))                                    \
    X(LEAVE, asl_leave, asl_leave_c, "ppp", asl_value *(*)(asl_exec *, asl_value *))                \
    X(INPUT_PATH, asl_input_path, 0, "pppp", asl_value *(*)(asl_exec *, asl_value *, const asl_path *)) \
    X(OUTPUT_PATH, asl_output_path, 0, "pppp",                                                      \
      asl_value *(*)(asl_exec *, asl_value *, const asl_path *))                                    \
    X(RESULT_PATH, asl_result_path, 0, "ppppp",                                                     \
      asl_value *(*)(asl_exec *, asl_value *, asl_value *, const asl_path *))                       \
    X(ARG_PATH, asl_arg_path, asl_arg_path_c, "pppp",                                               \
      asl_value *(*)(asl_exec *, asl_value *, const asl_path *))                                    \
    X(OBJECT, asl_object, 0, "ppi", asl_value *(*)(asl_arena *, uint32_t))                          \
    X(TEMPLATE, asl_template, 0, "pppp", asl_value *(*)(asl_exec *, asl_value *, const asl_tmpl *)) \
    X(PARAM_PATH, asl_param_path, asl_param_path_c, "ppppp",                                        \
      asl_value *(*)(asl_exec *, asl_value *, const asl_path *, const char *))                      \
    X(ARRAY, asl_array, 0, "ppi", asl_value *(*)(asl_arena *, uint32_t))                            \
    X(OBJECT_APPEND_LIT, asl_object_append_lit, asl_object_append_lit_c, "vppplp",                  \
      void (*)(asl_arena *, asl_value *, const char *, size_t, asl_value *))                        \
    X(OBJECT_APPEND, asl_object_append, 0, "vppplp",                                                \
      void (*)(asl_arena *, asl_value *, const char *, size_t, asl_value *))                        \
    X(ARRAY_PUSH, asl_array_push, 0, "vppp", void (*)(asl_arena *, asl_value *, asl_value *))       \
    X(OBJECT_SIZED, asl_object_sized, 0, "ppi", asl_value *(*)(asl_arena *, uint32_t))              \
    X(NUMBER, asl_number, 0, "ppd", asl_value *(*)(asl_arena *, double))                            \
    X(NUMBER_INT, asl_number_int, 0, "ppd", asl_value *(*)(asl_arena *, double))                    \
    X(MATH_ADD2, asl_math_add2, asl_math_add_c, "pppp",                                             \
      asl_value *(*)(asl_exec *, asl_value *, asl_value *))                                         \
    X(FLOW_IN, asl_flow_in, 0, "pppp", asl_value *(*)(asl_exec *, asl_value *, const asl_flow *))   \
    X(FLOW_OUT, asl_flow_out, 0, "ppppp",                                                           \
      asl_value *(*)(asl_exec *, asl_value *, asl_value *, const asl_flow *))                       \
    X(PASS, asl_pass, 0, "ppppp",                                                                   \
      asl_value *(*)(asl_exec *, asl_value *, const asl_state_info *, const asl_flow *))            \
    X(PATH_SELECT, asl_path_select, 0, "bpppp",                                                     \
      bool (*)(asl_exec *, asl_value *, const asl_path *, asl_value **))                            \
    X(CHOICE_VAR, asl_choice_var, asl_choice_var_c, "pppp",                                         \
      asl_value *(*)(asl_exec *, asl_value *, const asl_path *))                                    \
    X(CHOICE_STRING, asl_choice_string, 0, "bpipi",                                                 \
      bool (*)(const asl_value *, asl_cmp, const char *, uint32_t))                                 \
    X(CHOICE_NUMBER, asl_choice_number, asl_choice_number_c, "bpid",                                \
      bool (*)(const asl_value *, asl_cmp, double))                                                 \
    X(CHOICE_TIMESTAMP, asl_choice_timestamp, 0, "bpip",                                            \
      bool (*)(const asl_value *, asl_cmp, const char *))                                           \
    X(CHOICE_BOOLEAN, asl_choice_boolean, 0, "bpb", bool (*)(const asl_value *, bool))              \
    X(CHOICE_STRING_V, asl_choice_string_v, 0, "bpip",                                              \
      bool (*)(const asl_value *, asl_cmp, const asl_value *))                                      \
    X(CHOICE_NUMBER_V, asl_choice_number_v, 0, "bpip",                                              \
      bool (*)(const asl_value *, asl_cmp, const asl_value *))                                      \
    X(CHOICE_TIMESTAMP_V, asl_choice_timestamp_v, 0, "bpip",                                        \
      bool (*)(const asl_value *, asl_cmp, const asl_value *))                                      \
    X(CHOICE_BOOLEAN_V, asl_choice_boolean_v, 0, "bpp",                                             \
      bool (*)(const asl_value *, const asl_value *))                                               \
    X(CHOICE_MATCHES, asl_choice_matches_n, 0, "bppl",                                              \
      bool (*)(const asl_value *, const char *, size_t))                                            \
    X(CHOICE_IS_TIMESTAMP, asl_choice_is_timestamp, 0, "bp", bool (*)(const asl_value *))           \
    X(RETRY, asl_retry, 0, "bppip", bool (*)(asl_exec *, const asl_retrier *, uint32_t, uint32_t *)) \
    X(CATCH, asl_catch, 0, "ippi", int (*)(asl_exec *, const asl_catcher *, uint32_t))              \
    X(ERROR_VALUE, asl_error_value, 0, "pp", asl_value *(*)(asl_exec *))                            \
    X(ERROR_CLEAR, asl_error_clear, 0, "vp", void (*)(asl_exec *))                                  \
    X(WAIT_SECONDS, asl_wait_seconds, 0, "bpd", bool (*)(asl_exec *, double))                       \
    X(WAIT_UNTIL, asl_wait_until, 0, "bpp", bool (*)(asl_exec *, const char *))                     \
    X(WAIT_SECONDS_VALUE, asl_wait_seconds_value, 0, "bppp",                                        \
      bool (*)(asl_exec *, const asl_value *, const char *))                                        \
    X(WAIT_UNTIL_VALUE, asl_wait_until_value, 0, "bppp",                                            \
      bool (*)(asl_exec *, const asl_value *, const char *))                                        \
    X(TASK, asl_task, 0, "pppp", asl_value *(*)(asl_exec *, const asl_task_site *, asl_value *))    \
    X(TASK_TIMED, asl_task_timed, 0, "pppppp",                                                      \
      asl_value *(*)(asl_exec *, const asl_task_site *, asl_value *, const asl_value *,             \
                     const asl_value *))                                                            \
    X(TASK_CREDENTIALS, asl_task_credentials, 0, "bpp", bool (*)(asl_exec *, const asl_value *))  \
    X(PARALLEL, asl_parallel, 0, "ppppi",                                                           \
      asl_value *(*)(asl_exec *, asl_value *, const asl_state_fn *, uint32_t))                      \
    X(MAP, asl_map, 0, "ppppp",                                                                     \
      asl_value *(*)(asl_exec *, asl_value *, asl_value *, const asl_map_info *))                   \
    X(MAP_IO, asl_map_io, 0, "ppppp",                                                               \
      asl_value *(*)(asl_exec *, asl_value *, asl_value *, const asl_map_info *))                   \
    X(MAP_SETTING, asl_map_setting, 0, "bpppip",                                                    \
      bool (*)(asl_exec *, asl_value *, const asl_path *, int, asl_map_info *))                     \
    X(ASSIGN, asl_assign, 0, "pppp", asl_value *(*)(asl_exec *, asl_value *, asl_value *))          \
    X(FAIL, asl_fail_fields, 0, "ppplplpp",                                                         \
      asl_value *(*)(asl_exec *, const char *, size_t, const char *, size_t, const asl_value *,     \
                     const asl_value *))                                                            \
    X(FAIL_STATE, asl_fail_state, 0, "pppp.",                                                       \
      asl_value *(*)(asl_exec *, const char *, const char *, ...))                                  \
    X(JSON_STRING, asl_json_string, 0, "pppp", char *(*)(asl_arena *, const asl_value *, size_t *)) \
    X(CONST, asl_const, 0, "ppp", asl_value *(*)(asl_arena *, const char *))                        \
    X(FORMAT, asl_format, 0, "pppp", asl_value *(*)(asl_exec *, const asl_fmt *, asl_value **))   \
    X(JN_SLOT, asl_jn_slot, 0, "ppipl",  asl_value *(*)(asl_exec *, uint32_t, const char *, size_t)) \
    X(JN_SET_NUM, asl_jn_set_num, 0, "bpipldpp",                                                    \
      bool (*)(asl_exec *, uint32_t, const char *, size_t, double, asl_value *, asl_value *))       \
    X(JN_LEAN_OUT, asl_jn_lean_out, 0, "ppppp",                                                     \
      asl_value *(*)(asl_exec *, asl_value *, asl_value *, LIR_JN_CODE))                            \
    LIR_RT_JN(X)

/* The JSONata entry points (runtime/jsonata.h, jsonata_exec.c), called by the
 * JN ops of jn_ functions (jsonata_lower.c).  asl_jn_code is
 * asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *). */
#define LIR_JN_CODE asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *)
#define LIR_RT_JN(X)                                                                                \
    X(JN_TOP, asl_jn_top, 0, "ppp", asl_value *(*)(asl_jn_ctx *, asl_value *))                      \
    X(JN_CONTEXT, asl_jn_context, 0, "pp", asl_value *(*)(asl_value *))                             \
    X(JN_FIN, asl_jn_fin, 0, "ppb", asl_value *(*)(asl_value *, bool))                              \
    X(JN_LIT_STR, asl_jn_lit_str, 0, "pppl", asl_value *(*)(asl_jn_ctx *, const char *, size_t))    \
    X(JN_LIT_NUM, asl_jn_lit_num, 0, "ppd", asl_value *(*)(asl_jn_ctx *, double))                   \
    X(JN_LIT, asl_jn_lit, 0, "pi", asl_value *(*)(int))                                             \
    X(JN_VAR, asl_jn_var, 0, "ppppl", asl_value *(*)(asl_jn_ctx *, asl_jn_env *, const char *, size_t)) \
    X(JN_BIND, asl_jn_bind, 0, "ppppp",                                                             \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, const char *, asl_value *))                        \
    X(JN_BLOCK, asl_jn_block, 0, "ppppp",                                                           \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE))                         \
    X(JN_ROOT, asl_jn_root, 0, "ppppp", asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE)) \
    X(JN_CONCAT, asl_jn_concat, 0, "ppi.", asl_value *(*)(asl_jn_ctx *, int, ...))                   \
    X(JN_BINOP, asl_jn_binop, 0, "ppippi", asl_value *(*)(asl_jn_ctx *, int, asl_value *, asl_value *, int)) \
    X(JN_NEG, asl_jn_neg, 0, "pppi", asl_value *(*)(asl_jn_ctx *, asl_value *, int))                \
    X(JN_AND_OR, asl_jn_and_or, 0, "ppppippi",                                                      \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, asl_value *, LIR_JN_CODE, int))  \
    X(JN_COND, asl_jn_cond, 0, "ppppppp",                                                            \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, asl_value *, LIR_JN_CODE, LIR_JN_CODE)) \
    X(JN_ARR_NEW, asl_jn_arr_new, 0, "ppi", asl_value *(*)(asl_jn_ctx *, int))                      \
    X(JN_ARR_PUT, asl_jn_arr_put, 0, "ppppb", asl_value *(*)(asl_jn_ctx *, asl_value *, asl_value *, bool)) \
    X(JN_ARR_CONS, asl_jn_arr_cons, 0, "pp", asl_value *(*)(asl_value *))                           \
    X(JN_GET, asl_jn_get, 0, "ppppl" "b",                                                           \
      asl_value *(*)(asl_jn_ctx *, asl_value *, const char *, size_t, bool))                        \
    X(JN_FILTER, asl_jn_filter, 0, "ppppp",                                                         \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE))                         \
    X(JN_FILTER_AT, asl_jn_filter_at, 0, "pppd", asl_value *(*)(asl_jn_ctx *, asl_value *, double)) \
    X(JN_GROUP, asl_jn_group, 0, "ppppii.",                                                         \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, int, ...))                       \
    X(JN_SORT, asl_jn_sort, 0, "ppppii.",                                                           \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, int, ...))                       \
    X(JN_PATH_BEGIN, asl_jn_path_begin, 0, "pppb", asl_value *(*)(asl_jn_ctx *, asl_value *, bool)) \
    X(JN_PATH_CONS, asl_jn_path_cons, 0, "pppppi",                                                  \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, int))                    \
    X(JN_PATH_STEP, asl_jn_path_step, 0, "pppppb",                                                  \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, bool))                   \
    X(JN_PATH_TSTEP, asl_jn_path_tstep, 0, "pppppppp",                                              \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, const char *, const char *, \
                     const char *))                                                                 \
    X(JN_PATH_SORT, asl_jn_path_sort, 0, "pppppbp",                                                 \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, bool, const char *))     \
    X(JN_PATH_FILTER, asl_jn_path_filter, 0, "ppppp",                                               \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE))                         \
    X(JN_PATH_FILTER_AT, asl_jn_path_filter_at, 0, "pppd", asl_value *(*)(asl_jn_ctx *, asl_value *, double)) \
    X(JN_PATH_INDEX, asl_jn_path_index, 0, "pppp", asl_value *(*)(asl_jn_ctx *, asl_value *, const char *)) \
    X(JN_PATH_NEXT, asl_jn_path_next, 0, "pppb", asl_value *(*)(asl_jn_ctx *, asl_value *, bool))   \
    X(JN_PATH_END, asl_jn_path_end, 0, "pppi", asl_value *(*)(asl_jn_ctx *, asl_value *, int))      \
    X(JN_CALL, asl_jn_call, 0, "pppppippi.",                                                        \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, asl_value *, int, const char *,       \
                     const char *, int, ...))                                                       \
    X(JN_TAIL, asl_jn_tail, 0, "ppppii.", asl_value *(*)(asl_jn_ctx *, asl_value *, asl_value *, int, int, ...)) \
    X(JN_PARTIAL, asl_jn_partial_call, 0, "ppppipppi.",                                             \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, const char *, const char *,      \
                     const char *, int, ...))                                                       \
    X(JN_CHAIN, asl_jn_chain, 0, "ppppi", asl_value *(*)(asl_jn_ctx *, asl_value *, asl_value *, int)) \
    X(JN_LAMBDA, asl_jn_lambda, 0, "pppppppi",                                                      \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, const char *, const char *, int)) \
    X(JN_TRANSFORM, asl_jn_transform, 0, "ppppppii",                                                \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, LIR_JN_CODE, LIR_JN_CODE, LIR_JN_CODE, int, int))  \
    X(JN_REGEX, asl_jn_regex_once, 0, "pppplp",                                                     \
      asl_value *(*)(asl_jn_ctx *, asl_value **, const char *, size_t, const char *))               \
    X(JN_LOOKUP, asl_jn_lookup, 0, "ppppl", asl_value *(*)(asl_jn_ctx *, asl_value *, const char *, size_t)) \
    X(JN_WILDCARD, asl_jn_wildcard, 0, "ppp", asl_value *(*)(asl_jn_ctx *, asl_value *))            \
    X(JN_DESCENDANTS, asl_jn_descendants, 0, "ppp", asl_value *(*)(asl_jn_ctx *, asl_value *))      \
    X(JN_LIT_NUM_ONCE, asl_jn_lit_num_once, 0, "pppd", asl_value *(*)(asl_jn_ctx *, asl_value **, double)) \
    X(JN_LIT_STR_ONCE, asl_jn_lit_str_once, 0, "ppppl",                                             \
      asl_value *(*)(asl_jn_ctx *, asl_value **, const char *, size_t))                             \
    X(JN_STATES, asl_jn_states, 0, "pppi", asl_value *(*)(asl_jn_ctx *, asl_jn_env *, int))         \
    X(JN_MAP_ITEM, asl_jn_map_item, 0, "pppb", asl_value *(*)(asl_jn_ctx *, asl_jn_env *, bool))    \
    X(JN_CALL_BI, asl_jn_call_bi, 0, "ppppibipi.",                                                  \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, bool, int, const char *, int, ...)) \
    X(JN_COUNT1, asl_jn_count1, 0, "ppp", asl_value *(*)(asl_jn_ctx *, asl_value *))                  \
    X(JN_STRING1, asl_jn_string1, 0, "pppip", asl_value *(*)(asl_jn_ctx *, asl_value *, int, const char *)) \
    X(JN_PARSE1, asl_jn_parse1, 0, "ppppiipp",                                                      \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, int, const char *, asl_value *)) \
    X(JN_MERGE2, asl_jn_merge2, 0, "ppppibippp",                                                  \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, int, bool, int, const char *, asl_value *, \
                     asl_value *))                                                                  \
    X(JN_OBJ_CTX, asl_jn_obj_ctx, 0, "ppp", asl_value *(*)(asl_jn_ctx *, asl_value *))              \
    X(JN_MI_INPUT, asl_jn_mi_input, 0, "pp", asl_value *(*)(asl_jn_ctx *))                           \
    X(JN_MI_GET, asl_jn_mi_get, 0, "pppl", asl_value *(*)(asl_value *, const char *, size_t))        \
    X(JN_MI_PUT, asl_jn_mi_put, 0, "pppplp",                                                        \
      asl_value *(*)(asl_jn_ctx *, asl_value *, const char *, size_t, asl_value *))                 \
    X(JN_MI_PUT_GET, asl_jn_mi_put_get, 0, "pppplppl",                                              \
      asl_value *(*)(asl_jn_ctx *, asl_value *, const char *, size_t, asl_value *, const char *, size_t)) \
    X(JN_MI_MERGE, asl_jn_mi_merge, 0, "ppppppp",                                                   \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, asl_value *, asl_value *)) \
    X(JN_MI_MERGE1, asl_jn_mi_merge1, 0, "ppppppplp",                                              \
      asl_value *(*)(asl_jn_ctx *, asl_jn_env *, asl_value *, LIR_JN_CODE, asl_value *, const char *, size_t, \
                     asl_value *))                                                                  \
    X(JN_OBJ_NEW, asl_jn_obj_new, 0, "ppi", asl_value *(*)(asl_jn_ctx *, int))                      \
    X(JN_OBJ_PUT, asl_jn_obj_put, 0, "pppplp",                                                      \
      asl_value *(*)(asl_jn_ctx *, asl_value *, const char *, size_t, asl_value *))

typedef enum {
#define X(id, name, inl, sig, ctype) LIR_RT_##id,
    LIR_RT(X)
#undef X
    LIR_RT__COUNT
} lir_rt;

typedef struct {
    const char *name;            /* the entry point, e.g. "asl_enter" */
    const char *inl;             /* its inline first step in asl.h, or NULL */
    const char *sig;             /* return type and parameters, as above */
} lir_rt_info;
extern const lir_rt_info lir_rt_table[LIR_RT__COUNT];

/* ---- ops -------------------------------------------------------------------------------
 * X(id, mnemonic).  Operands by kind (lir_op below): d the result register,
 * a/b operand registers, path/str/num/n/tmpl/call/rule/target as the op says. */
#define LIR_OPS(X)                                                                                  \
    X(ENTER, "enter")          /* enter the state (its asl_state_info)                         */  \
    X(LEAVE, "leave")          /* d = leave a: the payload limit                                */  \
    X(PATH, "path")            /* d = rt(a, path [, str: the member it is for]); fast: asl.h   */  \
    X(RESULT_PATH, "resultpath") /* d = a with b put at path                                   */  \
    X(CONST, "const")          /* d = K(str): a constant, parsed once at start                 */  \
    X(EMPTY, "empty")          /* d = {} (a field given as null)                               */  \
    X(NEW, "new")              /* d = object / array of n, or an object of known keys (shape)   */  \
    X(MEMBER, "member")        /* a.str = b (n: its bound when known, else ~0)                  */  \
    X(PUSH, "push")            /* a[] = b                                                       */  \
    X(BOUND, "bound")          /* a's bound: the sum of its members' (a shaped object)          */  \
    X(CALL, "call")            /* d = intrinsic call (how: lir_call_how), args in registers     */  \
    X(TEMPLATE, "template")    /* d = tmpl built by asl_template from a (a large program)       */  \
    X(FLOW, "flow")            /* d = the state's data flow as a descriptor: in / out / pass    */  \
    X(CALL_RT, "callrt")       /* d = rt(a, b, ...): Task, Parallel, Map, Wait, settings       */  \
    X(HELPER, "helper")        /* d = the function target_fn (do_, try_) of a                   */  \
    X(RULE, "rule")            /* d = the Choice rule (1 true, 0 false, <0 failed) of a         */  \
    X(BRANCH, "branch")        /* if d goto target, carrying a                                  */  \
    X(GOTO, "goto")            /* transition to target with a: a jump or a tail call; none: return a */ \
    X(FAIL, "fail")            /* fail with error/cause: constants, or registers a/b            */  \
    X(CATCH, "catch")          /* start of catcher n: a = the error, cleared                    */  \
    X(RETRY, "retry")          /* the Retry loop around target_fn                               */  \
    X(JN, "jn")                /* d = rt(xargs): a JSONata call (jn_ functions); check: c->code */ \
    X(JN_SET, "jnset")         /* d = b with jf set in line (Assign), else resultpath a <- b at path */ \
    X(JN_OUT, "jnout")         /* d = target_fn's lean Output of a (in) and b, else resultpath a <- b at path */

typedef enum {
#define X(id, mn) LIR_##id,
    LIR_OPS(X)
#undef X
    LIR__NOPS
} lir_opk;

/* How an intrinsic call is made (the CALL op's n). */
typedef enum {
    LIR_CALL_STATE,      /* in the state's own code: arguments into asl_call_args, then the call */
    LIR_CALL_FORMAT,     /* the same, a States.Format split now: asl_format(FMT) */
    LIR_CALL_MATH_ADD,   /* States.MathAdd of two, computed in place (asl_math_add_c) */
    LIR_CALL_HELPER      /* an out-of-line helper fn_n with its arguments in an array */
} lir_call_how;

/* Which first step of asl.h a path lookup takes before the call (the PATH op's fast). */
typedef enum {
    LIR_FAST_NONE,       /* the entry point only */
    LIR_FAST_KEY1,       /* $.a: one name in a small object */
    LIR_FAST_KEY2,       /* $.a.b: two names */
    LIR_FAST_ITEM,       /* $$.Map.Item.Value / .Index: read from the iteration's exec */
    LIR_FAST_ITEM_KEY,   /* $$.Map.Item.Value.a */
    LIR_FAST_JN          /* a JSONata field `$states.input.a...` (lir_jn_reads_in) */
} lir_fast;

typedef enum { LIR_FLOW_IN, LIR_FLOW_OUT, LIR_FLOW_PASS } lir_flow_part;

#define LIR_NONE UINT32_MAX      /* no register, no bound */
#define LIR_IN (UINT32_MAX - 1)  /* the function's input */

typedef struct lir_fn lir_fn;
typedef struct lir_data lir_data;   /* a static descriptor (below) */

/* An operand of a JN op: a register, the function's context c or frame env,
 * an int, a double, a string (str, len; NULL for none), a jn_ function's
 * address (fn; NULL for none). */
typedef enum { LIR_X_REG, LIR_X_CTX, LIR_X_ENV, LIR_X_INT, LIR_X_NUM, LIR_X_STR, LIR_X_FN,
               LIR_X_SLOT /* the address of a static asl_value *, jn_slot_<i>, NULL at start */ } lir_xk;
typedef struct {
    uint8_t k;                   /* lir_xk */
    uint32_t reg;
    int64_t i;
    double num;
    const char *str;
    uint32_t len;
    const lir_fn *fn;
} lir_arg;

/* A JSONata fast form (lir_jn_fast_form) of a variable operand, compiled
 * into the state's own code: the operand read (asl_jn_slot), checked a
 * finite number, then `operand <op> num` in line.  A Choice rule's
 * CALL_RT JN_SLOT (a comparison: the rule's value when it applies) and
 * JN_SET (+ - *: the variable set is set, asl_jn_set_num); when the check
 * fails, the generic path that follows / the op's ResultPath runs. */
typedef enum { LIR_JF_ADD, LIR_JF_SUB, LIR_JF_MUL, LIR_JF_EQ, LIR_JF_NE, LIR_JF_LT, LIR_JF_LE, LIR_JF_GT,
               LIR_JF_GE } lir_jf_op;
typedef struct {
    uint8_t op;                  /* lir_jf_op */
    double num;
    const char *var, *set;       /* the operand's name; JN_SET: the variable set */
    uint32_t var_len, var_slot, set_len, set_slot;
} lir_jnfast;
/* Its operator as C text ("+", "<", ...). */
extern const char *const lir_jf_c[];

typedef struct {
    uint8_t k;                   /* lir_opk */
    uint8_t rt;                  /* lir_rt called, where the op is a call */
    uint8_t fast;                /* PATH: lir_fast; ENTER/LEAVE/...: 1 = asl.h's inline first step */
    bool check;                  /* a NULL/false result fails (the function's fail target) */
    bool begins;                 /* the first op of a template built in code (note: which) */
    uint32_t d, a, b;            /* registers */
    uint32_t n;                  /* NEW: members; MEMBER: bound; CALL: lir_call_how; CATCH: index;
                                    FLOW: part; CALL_RT of a Choice comparison: its asl_cmp */
    uint32_t *args;              /* CALL: argument registers (call->argc) */
    uint32_t nhelpers;           /* TEMPLATE: how many helpers */
    const asl_path *path;
    const char *str;             /* PATH: member name; CONST: JSON text; MEMBER: key; FAIL: error */
    uint32_t len;                /* str's length; CALL in state, TEMPLATE: its number (FMT_n, TP_n) */
    const char *str2;            /* FAIL: cause */
    uint32_t len2;               /* str2's length */
    double num;
    const ir_tmpl *tmpl;         /* NEW (shaped: its keys), TEMPLATE */
    const ir_call *call;         /* CALL */
    const ir_rule *rule;         /* RULE */
    const ir_state *target;      /* GOTO, BRANCH: the state (NULL: return) */
    const lir_fn *target_fn;     /* HELPER, RETRY, RULE, CALL helper */
    const lir_fn **helpers;      /* TEMPLATE: the fn_ of its calls, in the pre-order of its nodes */
    const char *note;            /* what the op is for, in the dump (InputPath, ...) */
    const lir_jnfast *jf;        /* JN_SET, CALL_RT JN_SLOT */
    const lir_arg *xargs;        /* JN: the call's arguments, in order */
    uint32_t nxargs;
} lir_op;

typedef enum {
    LIR_FN_STATE,                /* st_<Name>: a function, or a block of its part's function */
    LIR_FN_DO,                   /* do_<Name>: a state's data flow and work, retried or with locals */
    LIR_FN_TRY,                  /* try_<Name>: the Retry loop around do_ */
    LIR_FN_TMPL,                 /* tp_n: a Map's ItemSelector or BatchInput, a Fail's call */
    LIR_FN_CALL,                 /* fn_n: an intrinsic call out of line */
    LIR_FN_RULE,                 /* r_n: a Choice rule, 1 / 0 / -1 */
    LIR_FN_JN                    /* jn_n: a JSONata expression (asl_jn_code) */
} lir_fn_kind;

struct lir_fn {
    lir_fn_kind kind;
    const char *name;            /* st_Name, do_Name, fn_3, r_0, ... */
    uint32_t num;                /* fn_, tp_, r_: its number */
    const ir_state *state;       /* the state it belongs to (NULL for fn_/tp_ of nobody) */
    uint32_t part;               /* the part it is compiled in */
    bool block;                  /* a block of part_<part> (a large program's state) */
    int32_t entry;               /* a block entered from elsewhere: its case, else -1 */
    bool catches;                /* a failure goes to the Catch ops, not return NULL */
    lir_op *ops;
    uint32_t nops, cap;
    uint32_t nregs;
    bool lean;                   /* LIR_FN_JN: the expression is `$merge([$states.input, {...}])`
                                    read directly, whole (jsonata_lower.c; ASL_JNT_LEAN) */
};

/* How a program is compiled (aslc_layout, decided here). */
typedef struct {
    aslc_layout lay;
    bool inline_first;           /* asl.h's first steps inline: a program of one part */
} lir_layout;

typedef struct {
    const ir_program *p;
    lir_layout layout;
    lir_fn **fns;                /* in the order the back ends write them */
    uint32_t nfns, cap;
    lir_fn **state_fn;           /* the st_ function of each state, by ir_state.index */
    lir_fn **do_fn;              /* its do_ function, or NULL */
    lir_fn **tmpl_fns;           /* the tp_ functions (few: a Map's) */
    uint32_t ntmpl_fns;
    struct lir_jn *jn;           /* what each JSONata field compiles to, by ir_jn.index */
    uint32_t njn;                /* jn_ functions so far (their numbers) */
    uint32_t njn_slots;          /* jn_slot_ statics (a regex compiled once) */
    const lir_fn **jn_extra;     /* lir_jn_extra's expressions, in order (a table asl_jn_suite) */
    uint32_t njn_extra;
    lir_data **data;             /* the records (lir_data.c), by id */
    uint32_t ndata, cap_data;
    struct lir_dmap *dmap;       /* their index: path key, state, ... -> record */
} lir_program;

/* A JSONata field's functions (ir.h, ir_jn): its expression (jn_), its
 * Arguments / Output template and its Assign (tp_), each or NULL. */
typedef struct lir_jn {
    const lir_fn *expr, *tmpl, *assign;
    bool in_is_input;            /* INNER: the template it is in gets $states.input as its in
                                    (Arguments, Assign, a Pass state's Output) */
} lir_jn;
/* Those of the JSONata field p (a path of root ASL_ROOT_JSONATA). */
const lir_jn *lir_jn_of(const lir_program *lp, const asl_path *p);


/* ---- data: the static descriptors generated code points at ------------------------------
 * A state's descriptor (S_), a Task's site (T_), a Parallel's branches (B_),
 * a Map's settings (M_), Retry (R_, RE_), Catch (C_, CE_), a large
 * program's data flow (F_) and templates (TP_), a path (P_, its segments,
 * filters and JSONata field J_), a States.Format split now (FMT_), an
 * object's keys (KS_), the program (asl_main_program and its tables): each
 * is a record lir_data that lower.c makes (lir_data.c), a struct of
 * runtime/asl.h of known layout (LIR_STRUCTS: its fields, in order, with
 * their C names, LLVM types and C offsets) or an array of them.  The back
 * ends print a record without knowing what it means: a static initialiser
 * in C, a constant global in LLVM, made the first time something points
 * at it, after what it points at. */
#define LIR_STRUCTS(X)                                                                              \
    X(SEG, asl_seg) X(FILTER, asl_filter) X(PATH, asl_path) X(JNF, asl_jn_field)                    \
    X(INFO, asl_state_info) X(RETRIER, asl_retrier) X(CATCHER, asl_catcher) X(SITE, asl_task_site)  \
    X(MAP, asl_map_info) X(NATIVE, asl_native) X(PROGRAM, asl_program) X(TMPL, asl_tmpl)            \
    X(FLOW, asl_flow) X(LIT_KEY, asl_lit_key) X(FMT, asl_fmt) X(SHAPE, asl_shape)                   \
    X(CSTR, char *const) X(STATE_FN, asl_state_fn) X(SITE_P, asl_task_site *const) X(U32, uint32_t)

typedef enum {
#define X(id, ctype) LIR_S_##id,
    LIR_STRUCTS(X)
#undef X
    LIR_S__COUNT
} lir_struct_id;

/* A field: its C name, its LLVM type (c i8/bool, i i32, l i64, d double,
 * p pointer), its C offset and size.  A struct of one unnamed field is a
 * pointer, an element of an array of pointers (CSTR, STATE_FN, SITE_P). */
typedef struct {
    const char *name;
    char t;
    size_t off, size;
} lir_field;

typedef struct {
    const char *ctype;
    size_t size;
    uint32_t n;
    lir_field f[14];
} lir_struct;

extern const lir_struct lir_structs[LIR_S__COUNT];

/* A value of a field: an int (sym: its spelling in C, e.g. ASL_TM_CONST), a
 * double, a string (NULL: none), NULL, the address of another record, of a
 * function of the program (fn: tp_, fn_, jn_) or of a symbol (str: a state
 * function, a handler, a runtime function), a constant &K[n] (str: its JSON). */
typedef enum { LIR_V_INT, LIR_V_NUM, LIR_V_STR, LIR_V_NULL, LIR_V_DATA, LIR_V_FN, LIR_V_SYM, LIR_V_K } lir_vk;

typedef struct {
    uint8_t k;                   /* lir_vk */
    uint8_t field;               /* its field of the struct */
    bool named;                  /* C: written `.field = v` */
    bool row;                    /* starts an element of an array */
    int64_t i;
    double num;
    const char *str;             /* STR: bytes (len); SYM: the name; K: JSON text */
    uint32_t len;
    const char *sym;             /* INT: its C spelling, or NULL */
    const lir_data *data;
    const lir_fn *fn;
    const char *comment;         /* C: a comment after the element */
} lir_val;

struct lir_data {
    uint32_t id;                 /* its index in lir_program.data */
    uint8_t st;                  /* lir_struct_id of the struct or of the array's elements */
    bool array;                  /* an array of them (its name is its address) */
    bool lines;                  /* C: an element a line */
    bool global;                 /* in the program's data (else its state's, before its functions) */
    bool shared;                 /* a symbol of the program (asl_main_program): not static */
    bool sized;                  /* C: an array declared with its size */
    const char *name;            /* its name; NULL: prefix and a number (below) */
    const char *prefix;          /* "P_": numbered in the order of first use; with owner: */
    const char *suffix;          /* owner's name + suffix ("_segs"), or prefix + owner's number (J_) */
    const lir_data *owner;
    const char *note;            /* C: a comment after the opening brace */
    const char *tail;            /* C: a comment after the initialiser */
    lir_val *v;
    uint32_t nv, cap;
};

/* ---- lower.c ----------------------------------------------------------------------------- */

/* The lowered program of p, in p's arena. */
lir_program *aslc_lower(const ir_program *p);
/* The program as text, one function after another, named after the states. */
void lir_dump(asl_buf *out, const lir_program *lp);

/* A rule function's rule (the IR it tests) and whether it stays out of line
 * (it passes the address of a local: Is*, IsPresent). */
const ir_rule *lir_rule_of(const lir_fn *f);
bool lir_rule_addr(const lir_fn *f);
/* The asl_cmp of a Choice operator's name (StringLessThan, ...). */
asl_cmp lir_cmp_of(const char *opname);

/* The function of s where its data flow is (do_ or st_), and the op there
 * that starts its template `what` (Parameters, ResultSelector): the first
 * op built in code (begins), or the TEMPLATE op of a large program. */
const lir_fn *lir_flow_fn(const lir_program *lp, const ir_state *s);
uint32_t lir_tmpl_at(const lir_fn *f, const char *what);
/* The tp_ function of a Map's template `what` (ItemSelector, BatchInput) or
 * of a Fail state's call (ErrorPath, CausePath). */
const lir_fn *lir_tmpl_fn(const lir_program *lp, const ir_state *s, const char *what);
/* The name of an Assign's template function: "Assign" (where NULL), or
 * "Catch/<i>/Assign", "Choices/<i>/Assign" (in buf). */
const char *lir_assign_name(char *buf, size_t n, const char *where, int i);

/* JSONata (jsonata_lower.c): lowers expression e into a new function of lp,
 * jn_<n> (LIR_FN_JN), that both back ends print as
 *   static asl_value *jn_<n>(asl_jn_ctx *c, asl_jn_env *env, asl_value *input)
 * (asl_jn_code, runtime/jsonata.h); what says where it comes from in the
 * dump ("/States/A/Output").  Returns it; its name is how generated code
 * refers to it. */
struct aslc_jn_node;
lir_fn *lir_jn_expr(lir_program *lp, const struct aslc_jn_node *e, const char *what);
/* `$states.input.a.b` (or `$states.context.Map.Item.Value.a`) alone: its
 * names as JSON array text (the field's constant, ASL_JNT_PATH), else NULL. */
const char *lir_jn_direct_path(asl_arena *a, const struct aslc_jn_node *e);
/* `$v + 1`, `$states.input.n < 10` (an operand, + - * or a comparison, a
 * number): its descriptor as JSON array text (the field's constant,
 * ASL_JNT_FAST: [op, number, "var", name, slot(ud, name)] or
 * [op, number, "input", names...]), else NULL. */
const char *lir_jn_fast_form(asl_arena *a, const struct aslc_jn_node *e, uint32_t (*slot)(void *, const char *, uint32_t),
                             void *ud);
/* A JN op as text (lir_dump). */
void lir_jn_dump_op(asl_buf *b, const lir_op *o);
/* Expressions lowered into every program after its states: aslc's hidden
 * --jn-exprs option (the JSONata suite through compiled code, tests/). */
void lir_jn_extra_set(const struct aslc_jn_node *const *exprs, uint32_t n);
void lir_jn_extra(lir_program *lp);
bool lir_jn_extra_load(const char *path);

/* ---- lir_data.c: the records, made the first time a back end asks ---------------------- */
/* P_ of a path, a state's S_ / T_ / F_ / B_ / M_ / R_ / C_, TP_ of a large
 * program's TEMPLATE op, FMT_ of a CALL op (NULL if it is not split), KS_ of
 * a shaped object's keys. */
typedef enum { LIR_D_INFO, LIR_D_SITE, LIR_D_FLOW, LIR_D_FANOUT, LIR_D_RETRY, LIR_D_CATCH, LIR_D__STATE } lir_dstate;
const lir_data *lir_data_path(lir_program *lp, const asl_path *p);
const lir_data *lir_data_state(lir_program *lp, const ir_state *s, lir_dstate what);
const lir_data *lir_data_tmpl(lir_program *lp, const lir_op *o);
const lir_data *lir_data_fmt(lir_program *lp, const lir_op *o);
const lir_data *lir_data_shape(lir_program *lp, const ir_tmpl *t);
/* What a back end knows of the records it prints: their names (their own,
 * P_n / KS_n numbered in the order of first use, or after their owner:
 * P_3_segs, J_3), their numbers, whether they are printed (done). */
typedef struct {
    const char **name;
    uint32_t *num;
    uint8_t *done;
    uint32_t cap;
    struct { const char *prefix; uint32_t n; } classes[8];
    unsigned nclasses;
} lir_names;
const char *lir_data_name(lir_names *nm, const lir_program *lp, const lir_data *d);
void lir_names_free(lir_names *nm);
/* The program's tables (natives, sites, state_names, state_fns) and
 * asl_main_program, which points at them; blocks: the back end makes a
 * large program's states blocks of part functions (only those entered
 * from elsewhere have a function to resume at). */
const lir_data *lir_data_program(lir_program *lp, const aslc_emit_opts *o, bool blocks);
/* The states' records as text, after lir_dump (aslc --emit-lir), each
 * after the records it points at. */
void lir_data_dump(asl_buf *out, lir_program *lp);
/* Frees the records' index (the records are in the arena). */
void lir_data_free(lir_program *lp);
/* The runtime's entry point of each intrinsic (asl_intrinsic_MATH_ADD, ...,
 * by ASL_FN_*): what a CALL op calls, the function itself, not the checked
 * dispatch (its arity is checked when compiling and no argument is NULL). */
extern const char *const lir_intrinsic_fn[];
/* The decisions themselves, for the back ends that still make their own code. */
lir_fast lir_path_fast(const asl_path *p);
/* Whether the JSONata field p is read in the state's own code (asl.h,
 * asl_jn_path_inline; ASL_JNT_IN): `$states.input.a...` of type any, a VALUE
 * or an INNER whose template's in is $states.input. */
bool lir_jn_reads_in(const lir_program *lp, const asl_path *p);
/* The expression of the JSONata field p when it is a lean Output
 * (ASL_JNT_LEAN: a LEAVE with neither Assign nor template whose
 * expression is lir_fn.lean), else NULL. */
const lir_fn *lir_jn_lean(const lir_program *lp, const asl_path *p);
bool lir_call_in_state(const ir_call *c);

#endif
