/*
 * serve_teststate.c — TestState: one state, run alone on an input, as AWS
 * answers it (output, error, cause, nextState, status, inspectionData).
 *
 * The state becomes a state machine of its own whose exits are marker
 * Pass states: each Next, each Choice target, End, and each Catch's Next
 * goes to a marker that wraps the output with where it was going
 * ({"__aslc_next": T, "__aslc_caught": bool, "__aslc_output": $}), so that
 * one run of the compiled machine (cached by its hash, as every machine
 * is) says the output, the next state and whether an error was caught.
 * Retry is taken off: TestState does not retry, it answers RETRIABLE when
 * a retrier matches the error.  At inspectionLevel DEBUG and TRACE the
 * data-flow steps are computed by side-effect-free Pass states run first
 * in a Parallel (a Task is not called twice): afterInputPath and
 * afterParameters, and for a Pass state result and afterResultPath too;
 * a Task's own result (before its ResultSelector, by an Assign added to
 * it), its afterResultSelector (the selector applied once more, to that
 * result) and the output before its OutputPath (which its markers apply
 * instead) come from the markers of its normal exits.
 * The request's variables are assigned by a Pass state before all that.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE "TestState"
#define PROBE "__aslc_probe"
#define ORIGINAL "__aslc_input"
#define VARS "__aslc_variables"

static const char *str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Where the exits go, and what their markers read. */
typedef struct {
    cJSON *states;
    int n;               /* markers made */
    bool probe;          /* they read $aslcProbe (the Parallel's inspection values) */
    bool task;           /* a Task at DEBUG: a normal exit applies the Task's OutputPath
                          * itself, after noting the output before it ($aslcAfterRp), and
                          * reads the Task's result ($aslcResult) */
    cJSON *output_path;  /* the Task's OutputPath, taken off it (NULL: none) */
    const cJSON *selector; /* the Task's ResultSelector, applied again to its result */
} exits;

/* The marker an exit to target (NULL: End) goes to; its name. */
static const char *marker(exits *x, const char *target, bool caught)
{
    char name[64], sel[80], out[80];
    int k = x->n++;
    snprintf(name, sizeof name, "__aslc_exit_%d", k);
    snprintf(sel, sizeof sel, "__aslc_exit_%d_sel", k);
    snprintf(out, sizeof out, "__aslc_exit_%d_out", k);
    bool two = x->task && !caught;
    if (two) {
        cJSON *pre = cJSON_AddObjectToObject(x->states, name);
        cJSON_AddStringToObject(pre, "Type", "Pass");
        cJSON_AddStringToObject(pre, "QueryLanguage", "JSONPath");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(pre, "Assign"), "aslcAfterRp.$", "$");
        cJSON_AddStringToObject(pre, "Next", x->selector ? sel : out);
    }
    if (two && x->selector) {
        /* the ResultSelector once more, on the result kept in $aslcResult; its
         * ResultPath null passes the Task's output on untouched */
        cJSON *p = cJSON_AddObjectToObject(x->states, sel);
        cJSON_AddStringToObject(p, "Type", "Pass");
        cJSON_AddStringToObject(p, "QueryLanguage", "JSONPath");
        cJSON_AddStringToObject(p, "InputPath", "$aslcResult");
        cJSON_AddItemToObject(p, "Parameters", cJSON_Duplicate(x->selector, true));
        cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "Assign"), "aslcSelected.$", "$");
        cJSON_AddNullToObject(p, "ResultPath");
        cJSON_AddStringToObject(p, "Next", out);
    }
    cJSON *m = cJSON_AddObjectToObject(x->states, two ? out : name);
    cJSON_AddStringToObject(m, "Type", "Pass");
    cJSON_AddStringToObject(m, "QueryLanguage", "JSONPath");
    if (two && x->output_path)
        cJSON_AddItemToObject(m, "InputPath", cJSON_Duplicate(x->output_path, true));
    cJSON *p = cJSON_AddObjectToObject(m, "Parameters");
    if (target) cJSON_AddStringToObject(p, "__aslc_next", target);
    else cJSON_AddNullToObject(p, "__aslc_next");
    cJSON_AddBoolToObject(p, "__aslc_caught", caught);
    cJSON_AddStringToObject(p, "__aslc_output.$", "$");
    if (x->probe) cJSON_AddStringToObject(p, "__aslc_probe.$", "$aslcProbe");
    if (two) {
        cJSON_AddStringToObject(p, "__aslc_rs.$", "$aslcResult");
        cJSON_AddStringToObject(p, "__aslc_rp.$", "$aslcAfterRp");
        if (x->selector) cJSON_AddStringToObject(p, "__aslc_sel.$", "$aslcSelected");
    }
    cJSON_AddBoolToObject(m, "End", true);
    return cJSON_GetObjectItemCaseSensitive(x->states, name)->string;
}

static void retarget(exits *x, cJSON *obj, const char *key, bool caught)
{
    const char *t = str_of(obj, key);
    if (!t) return;
    char *target = strdup(t);
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(marker(x, target, caught)));
    free(target);
}

/* A Pass state keeping the fields of st named in keep (NULL-terminated). */
static cJSON *probe_pass(const cJSON *st, const char *const *keep)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "Type", "Pass");
    for (const char *const *k = keep; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, *k);
        if (v) cJSON_AddItemToObject(p, *k, cJSON_Duplicate(v, true));
    }
    cJSON_AddBoolToObject(p, "End", true);
    return p;
}

/* Branch i of the probe (state names are unique across branches). */
static cJSON *branch_of(cJSON *state, int i)
{
    char name[32];
    snprintf(name, sizeof name, "__aslc_probe_%d", i);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "StartAt", name);
    cJSON_AddItemToObject(cJSON_AddObjectToObject(b, "States"), name, state);
    return b;
}

/* The machine that runs st; *probes: how many inspection values its Parallel
 * computes first (0: none). */
static cJSON *wrap(const cJSON *st, bool inspect, int *probes)
{
    cJSON *sm = cJSON_CreateObject();
    cJSON *states = cJSON_CreateObject();
    cJSON *s = cJSON_Duplicate(st, true);
    const char *type = str_of(s, "Type");
    const char *ql = str_of(s, "QueryLanguage");
    bool jsonpath = !ql || !strcmp(ql, "JSONPath");
    *probes = 0;
    if (inspect && jsonpath && type && (!strcmp(type, "Pass") || !strcmp(type, "Task"))) {
        bool pass = !strcmp(type, "Pass");
        static const char *const in_path[] = {"InputPath", NULL};
        static const char *const params[] = {"InputPath", "Parameters", NULL};
        static const char *const result[] = {"InputPath", "Parameters", "Result", NULL};
        static const char *const after_rp[] = {"InputPath", "Parameters", "Result", "ResultPath",
                                               NULL};
        cJSON *par = cJSON_AddObjectToObject(states, PROBE);
        cJSON_AddStringToObject(par, "Type", "Parallel");
        cJSON *br = cJSON_AddArrayToObject(par, "Branches");
        cJSON_AddItemToArray(br, branch_of(probe_pass(s, (const char *const[]){NULL}), 0));
        cJSON_AddItemToArray(br, branch_of(probe_pass(s, in_path), 1));
        cJSON_AddItemToArray(br, branch_of(probe_pass(s, params), 2));
        if (pass) {
            cJSON_AddItemToArray(br, branch_of(probe_pass(s, result), 3));
            cJSON_AddItemToArray(br, branch_of(probe_pass(s, after_rp), 4));
        }
        *probes = pass ? 4 : 2;
        cJSON *as = cJSON_AddObjectToObject(par, "Assign");
        cJSON_AddStringToObject(as, "aslcProbe.$", "$");
        cJSON_AddStringToObject(par, "Next", ORIGINAL);
        cJSON *orig = cJSON_AddObjectToObject(states, ORIGINAL);
        cJSON_AddStringToObject(orig, "Type", "Pass");
        cJSON_AddStringToObject(orig, "InputPath", "$[0]");
        cJSON_AddStringToObject(orig, "Next", STATE);
        cJSON_AddStringToObject(sm, "StartAt", PROBE);
    } else {
        cJSON_AddStringToObject(sm, "StartAt", STATE);
    }
    exits x = {states, 0, *probes > 0, false, NULL, NULL};
    if (*probes > 0 && !strcmp(type, "Task")) {
        /* its result, and its OutputPath applied by the markers */
        x.task = true;
        x.output_path = cJSON_DetachItemFromObjectCaseSensitive(s, "OutputPath");
        x.selector = cJSON_GetObjectItemCaseSensitive(s, "ResultSelector");
        cJSON *assign = cJSON_GetObjectItemCaseSensitive(s, "Assign");
        if (!cJSON_IsObject(assign)) {
            cJSON_DeleteItemFromObjectCaseSensitive(s, "Assign");
            assign = cJSON_AddObjectToObject(s, "Assign");
        }
        cJSON_AddStringToObject(assign, "aslcResult.$", "$");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(s, "Retry");
    retarget(&x, s, "Next", false);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "End"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(s, "End");
        cJSON_AddStringToObject(s, "Next", marker(&x, NULL, false));
    }
    retarget(&x, s, "Default", false);
    cJSON *choices = cJSON_GetObjectItemCaseSensitive(s, "Choices");
    for (cJSON *c = cJSON_IsArray(choices) ? choices->child : NULL; c; c = c->next)
        retarget(&x, c, "Next", false);
    cJSON *catches = cJSON_GetObjectItemCaseSensitive(s, "Catch");
    for (cJSON *c = cJSON_IsArray(catches) ? catches->child : NULL; c; c = c->next)
        retarget(&x, c, "Next", true);
    cJSON_Delete(x.output_path);
    cJSON_AddItemToObject(states, STATE, s);
    cJSON_AddItemToObject(sm, "States", states);
    return sm;
}

/* TestState's variables: a Pass state first that assigns them (their
 * values as literals), then where the machine started. */
static void assign_first(cJSON *sm, const cJSON *vars)
{
    cJSON *states = cJSON_GetObjectItemCaseSensitive(sm, "States");
    cJSON *a = cJSON_AddObjectToObject(states, VARS);
    cJSON_AddStringToObject(a, "Type", "Pass");
    cJSON_AddStringToObject(a, "QueryLanguage", "JSONPath");
    cJSON_AddItemToObject(a, "Assign", cJSON_Duplicate(vars, true));
    cJSON_AddStringToObject(a, "Next", str_of(sm, "StartAt"));
    cJSON_ReplaceItemInObjectCaseSensitive(sm, "StartAt", cJSON_CreateString(VARS));
}

/* Does a retrier of st match error (ErrorEquals, States.ALL)? */
static bool retriable(const cJSON *st, const char *error)
{
    const cJSON *retry = cJSON_GetObjectItemCaseSensitive(st, "Retry");
    for (const cJSON *r = cJSON_IsArray(retry) ? retry->child : NULL; r; r = r->next) {
        const cJSON *eq = cJSON_GetObjectItemCaseSensitive(r, "ErrorEquals");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(r, "MaxAttempts");
        if (cJSON_IsNumber(max) && max->valuedouble < 1) continue;
        for (const cJSON *e = cJSON_IsArray(eq) ? eq->child : NULL; e; e = e->next)
            if (cJSON_IsString(e) && (!strcmp(e->valuestring, error) ||
                                      (!strcmp(e->valuestring, "States.ALL") &&
                                       strcmp(error, "States.Runtime") != 0)))
                return true;
    }
    return false;
}

/* The Error and Cause a Catch put at its ResultPath ($ or $.a.b) of out. */
static void caught_error(const cJSON *st, const char *next, const cJSON *out, aslc_reply *r)
{
    const cJSON *catches = cJSON_GetObjectItemCaseSensitive(st, "Catch");
    const char *rp = "$";
    for (const cJSON *c = cJSON_IsArray(catches) ? catches->child : NULL; c; c = c->next)
        if (next && str_of(c, "Next") && !strcmp(str_of(c, "Next"), next)) {
            if (str_of(c, "ResultPath")) rp = str_of(c, "ResultPath");
            break;
        }
    const cJSON *at = out;
    if (strncmp(rp, "$", 1) != 0) return;
    char *path = strdup(rp + 1), *save = NULL;
    for (char *k = strtok_r(path, ".", &save); k && at; k = strtok_r(NULL, ".", &save))
        at = cJSON_GetObjectItemCaseSensitive(at, k);
    free(path);
    if (str_of(at, "Error")) cJSON_AddStringToObject(r->doc, "error", str_of(at, "Error"));
    if (str_of(at, "Cause")) cJSON_AddStringToObject(r->doc, "cause", str_of(at, "Cause"));
}

static void add_json_string(cJSON *o, const char *k, const cJSON *v)
{
    char *text = cJSON_PrintUnformatted(v);
    cJSON_AddStringToObject(o, k, text ? text : "null");
    free(text);
}

void aslc_act_test_state(const aslc_serve_env *env, const cJSON *in, aslc_reply *r)
{
    const char *def = str_of(in, "definition"), *input = str_of(in, "input");
    const char *level = str_of(in, "inspectionLevel");
    if (!level) level = "INFO";
    if (strcmp(level, "INFO") && strcmp(level, "DEBUG") && strcmp(level, "TRACE")) {
        aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value '%s' at "
                                                 "'inspectionLevel' failed to satisfy constraint: "
                                                 "Member must satisfy enum value set: [INFO, "
                                                 "DEBUG, TRACE]", level);
        return;
    }
    if (!input) input = "{}";
    cJSON *st = def ? cJSON_Parse(def) : NULL;
    if (!cJSON_IsObject(st) || !str_of(st, "Type")) {
        aslc_fail(r, 400, "InvalidDefinition", "Invalid State Machine Definition: '%s'",
                  def ? "the definition must be one state, a JSON object with a Type"
                      : "definition is missing");
        cJSON_Delete(st);
        return;
    }
    cJSON *parsed_input = cJSON_Parse(input);
    if (!parsed_input) {
        aslc_fail(r, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: "
                                                   "'Unexpected character'");
        cJSON_Delete(st);
        return;
    }
    cJSON_Delete(parsed_input);
    const char *vtext = str_of(in, "variables");
    cJSON *vars = vtext ? cJSON_Parse(vtext) : NULL;
    if (vtext && !cJSON_IsObject(vars)) {
        aslc_fail(r, 400, "ValidationException", "variables must be a JSON object of variable "
                                                 "names to values");
        cJSON_Delete(vars);
        cJSON_Delete(st);
        return;
    }
    bool inspect = strcmp(level, "INFO") != 0;
    int probes;
    cJSON *sm = wrap(st, inspect, &probes);
    if (vars && vars->child) assign_first(sm, vars);
    cJSON_Delete(vars);
    char *sm_text = cJSON_PrintUnformatted(sm);
    cJSON_Delete(sm);
    asl_buf err;
    asl_buf_init(&err);
    cJSON *diags = aslc_serve_check(env->aslc, env->cache, sm_text);
    for (const cJSON *d = diags ? diags->child : NULL; d; d = d->next)
        if (str_of(d, "severity") && !strcmp(str_of(d, "severity"), "error")) {
            asl_buf_puts(&err, str_of(d, "message") ? str_of(d, "message") : "invalid");
            break;
        }
    cJSON_Delete(diags);
    char *bin = err.len ? NULL
                        : aslc_serve_compile_as(env->aslc, env->cache, "TestState", sm_text,
                                                env->resources, env->mocks, env->handlers, false,
                                                &err);
    free(sm_text);
    if (!bin) {
        aslc_fail(r, 400, "InvalidDefinition", "Invalid State Machine Definition: '%.*s'",
                  (int)err.len, err.data ? err.data : "");
        asl_buf_free(&err);
        cJSON_Delete(st);
        return;
    }
    asl_buf_free(&err);
    char sm_arn[256], exec_arn[300];
    snprintf(sm_arn, sizeof sm_arn, "arn:aws:states:%s:%s:stateMachine:TestState", env->region,
             env->account);
    snprintf(exec_arn, sizeof exec_arn, "arn:aws:states:%s:%s:execution:TestState:test",
             env->region, env->account);
    aslc_run_result res;
    aslc_serve_run(bin, input, sm_arn, exec_arn, NULL, &res);
    free(bin);

    r->doc = cJSON_CreateObject();
    cJSON *out = res.status == 0 ? cJSON_Parse(res.output) : NULL;
    const cJSON *wrapped = cJSON_GetObjectItemCaseSensitive(out, "__aslc_output");
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(out, "__aslc_next");
    bool caught = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(out, "__aslc_caught"));
    const char *status;
    if (res.status == 0) {
        const cJSON *value = wrapped ? wrapped : out;   /* Succeed: its output as it is */
        add_json_string(r->doc, "output", value);
        if (cJSON_IsString(next)) cJSON_AddStringToObject(r->doc, "nextState", next->valuestring);
        status = caught ? "CAUGHT_ERROR" : "SUCCEEDED";
        if (caught) caught_error(st, cJSON_GetStringValue(next), value, r);
    } else {
        const char *e = res.error ? res.error : "States.Runtime";
        cJSON_AddStringToObject(r->doc, "error", e);
        if (res.cause) cJSON_AddStringToObject(r->doc, "cause", res.cause);
        status = retriable(st, e) ? "RETRIABLE" : "FAILED";
    }
    cJSON_AddStringToObject(r->doc, "status", status);
    if (inspect) {
        cJSON *data = cJSON_AddObjectToObject(r->doc, "inspectionData");
        cJSON_AddStringToObject(data, "input", input);
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(out, "__aslc_probe");
        static const char *const names[] = {"afterInputPath", "afterParameters", "result",
                                            "afterResultPath"};
        for (int i = 0; cJSON_IsArray(pr) && i < probes; i++)
            add_json_string(data, names[i], cJSON_GetArrayItem(pr, i + 1));
        /* a Task's, from its markers ($ in a Task's Assign is its result before
         * ResultSelector: docs/variables.md) */
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(out, "__aslc_rs");
        const cJSON *rp = cJSON_GetObjectItemCaseSensitive(out, "__aslc_rp");
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(out, "__aslc_sel");
        if (rs) add_json_string(data, "result", rs);
        if (sel) add_json_string(data, "afterResultSelector", sel);
        if (rp) add_json_string(data, "afterResultPath", rp);
    }
    cJSON_Delete(out);
    cJSON_Delete(st);
    aslc_run_result_free(&res);
}
