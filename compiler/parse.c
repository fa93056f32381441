/*
 * parse.c — the front end: the cJSON tree of a definition into the IR.
 *
 * One pass over the tree reads every field into typed IR, checking the
 * structure ASL demands as it goes (field names and JSON types per state
 * type, Next/End, paths, intrinsic calls, Choice rule shape, Retry/Catch);
 * a second pass per scope resolves state names (StartAt, Next, Default,
 * Choices, Catch) to states.  Every problem is reported with its position
 * and JSON pointer and parsing carries on, so one run reports them all.
 * Nothing after this file looks at cJSON.
 */
#include "aslc.h"
#include "intrinsic.h"
#include "jsonpath.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    aslc_unit *u;
    ir_program *p;
    asl_arena *a;
    /* every state, for ir_program.all */
    ir_state **all;
    uint32_t nall, capall;
    /* C identifiers already used, open addressing */
    const char **cnames;
    uint32_t capnames;
} P;

const char *ir_state_type_name(ir_state_type t)
{
    static const char *const names[] = {
#define X(id, name) name,
#include "state_types.def"
#undef X
    };
    return (unsigned)t < IR__NTYPES ? names[t] : "?";
}

/* ---- helpers ------------------------------------------------------------------- */

#define ERR(c, node, ptr, ...) aslc_diag((c)->u, ASLC_ERROR, node, false, ptr, __VA_ARGS__)
#define ERR_KEY(c, node, ptr, ...) aslc_diag((c)->u, ASLC_ERROR, node, true, ptr, __VA_ARGS__)

/* JSON pointer of a member: base + "/" + key, with ~ and / escaped (RFC 6901). */
static const char *ptr_join(P *c, const char *base, const char *key)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, strcmp(base, "/") ? base : "");
    asl_buf_putc(&b, '/');
    for (const char *k = key; *k; k++) {
        if (*k == '~') asl_buf_puts(&b, "~0");
        else if (*k == '/') asl_buf_puts(&b, "~1");
        else asl_buf_putc(&b, *k);
    }
    char *s = asl_strndup(c->a, b.data, b.len);
    asl_buf_free(&b);
    return s;
}

static const char *ptr_index(P *c, const char *base, int i)
{
    return asl_sprintf(c->a, "%s/%d", strcmp(base, "/") ? base : "", i);
}

static const char *json_type_name(const cJSON *n)
{
    if (cJSON_IsString(n)) return "a string";
    if (cJSON_IsNumber(n)) return "a number";
    if (cJSON_IsBool(n)) return "a boolean";
    if (cJSON_IsNull(n)) return "null";
    if (cJSON_IsArray(n)) return "an array";
    if (cJSON_IsObject(n)) return "an object";
    return "an invalid value";
}

static const cJSON *field(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static ir_loc loc_of(P *c, const cJSON *node, const char *ptr)
{
    ir_loc l = {0, 0, ptr};
    aslc_srcmap_pos(c->u->map, node, false, &l.line, &l.col);
    return l;
}

static const char *get_string(P *c, const cJSON *obj, const char *name, const char *ptr, bool required)
{
    const cJSON *n = field(obj, name);
    if (!n) {
        if (required) ERR(c, obj, ptr, "missing required field \"%s\"", name);
        return NULL;
    }
    if (!cJSON_IsString(n)) {
        ERR(c, n, ptr_join(c, ptr, name), "expected a string, got %s", json_type_name(n));
        return NULL;
    }
    return asl_strndup(c->a, n->valuestring, strlen(n->valuestring));
}

static bool get_number(P *c, const cJSON *obj, const char *name, const char *ptr, double *out)
{
    const cJSON *n = field(obj, name);
    if (!n) return false;
    if (!cJSON_IsNumber(n)) {
        ERR(c, n, ptr_join(c, ptr, name), "expected a number, got %s", json_type_name(n));
        return false;
    }
    *out = n->valuedouble;
    return true;
}

/* An integer field in [lo, hi]; false when absent or invalid (reported). */
static bool get_int(P *c, const cJSON *obj, const char *name, const char *ptr, double lo,
                    double hi, double *out)
{
    double d;
    if (!get_number(c, obj, name, ptr, &d)) return false;
    const cJSON *n = field(obj, name);
    if (d != floor(d)) {
        ERR(c, n, ptr_join(c, ptr, name), "expected an integer, got %g", d);
        return false;
    }
    if (d < lo || d > hi) {
        ERR(c, n, ptr_join(c, ptr, name), "must be between %.0f and %.0f, got %.0f", lo, hi, d);
        return false;
    }
    *out = d;
    return true;
}

/* Reports a malformed path at the exact character inside the string. */
static void path_error(P *c, const cJSON *n, const char *ptr, const char *what, const char *err,
                       size_t errpos)
{
    int line = 0, col = 0;
    if (aslc_srcmap_pos(c->u->map, n, false, &line, &col)) {
        /* +1 for the opening quote; escapes inside the literal are rare in paths */
        col += 1 + (int)errpos;
    }
    aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr, "invalid %s: %s", what, err);
}

static const asl_path *parse_path_node(P *c, const cJSON *n, const char *ptr, aslc_path_mode mode,
                                       bool allow_context)
{
    char err[256];
    size_t pos = 0;
    const asl_path *p = aslc_path_parse(c->a, n->valuestring, mode, err, sizeof err, &pos);
    if (!p) {
        path_error(c, n, ptr, "JSONPath", err, pos);
        return NULL;
    }
    if (!allow_context && p->root == ASL_ROOT_CONTEXT) {
        ERR(c, n, ptr, "the context object ($$) cannot be used here");
        return NULL;
    }
    return p;
}

/* A path field.  *is_null is set when the field is JSON null (allowed when
 * nullable); returns NULL when absent, null or invalid. */
static const asl_path *get_path(P *c, const cJSON *obj, const char *name, const char *ptr,
                                aslc_path_mode mode, bool nullable, bool *is_null)
{
    const cJSON *n = field(obj, name);
    if (is_null) *is_null = false;
    if (!n) return NULL;
    const char *fptr = ptr_join(c, ptr, name);
    if (cJSON_IsNull(n) && nullable) {
        *is_null = true;
        return NULL;
    }
    if (!cJSON_IsString(n)) {
        ERR(c, n, fptr, "expected a %sJSONPath string, got %s", nullable ? "null or " : "",
            json_type_name(n));
        return NULL;
    }
    /* Every path may read the context object but ResultPath, which writes. */
    return parse_path_node(c, n, fptr, mode, strcmp(name, "ResultPath") != 0);
}

/* QueryLanguage: JSONPath is what aslc implements; JSONata is refused by name. */
static void check_query_language(P *c, const cJSON *obj, const char *ptr)
{
    const char *q = get_string(c, obj, "QueryLanguage", ptr, false);
    if (!q || !strcmp(q, "JSONPath")) return;
    const cJSON *n = field(obj, "QueryLanguage");
    if (!strcmp(q, "JSONata"))
        ERR(c, n, ptr_join(c, ptr, "QueryLanguage"), "QueryLanguage \"JSONata\" is not implemented "
                                                     "yet in aslc (only JSONPath)");
    else
        ERR(c, n, ptr_join(c, ptr, "QueryLanguage"),
            "QueryLanguage must be \"JSONPath\" or \"JSONata\", got \"%s\"", q);
}

/* ---- field sets ---------------------------------------------------------------------- */

enum {
    F_NEXT_END = 1 << 0,
    F_IO = 1 << 1,         /* InputPath, OutputPath */
    F_RESULT_PATH = 1 << 2,
    F_PARAMETERS = 1 << 3,
    F_SELECTOR = 1 << 4,   /* ResultSelector */
    F_RETRY = 1 << 5       /* Retry, Catch */
};

static const unsigned type_fields[IR__NTYPES] = {
    [IR_PASS] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS,
    [IR_TASK] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS | F_SELECTOR | F_RETRY,
    [IR_CHOICE] = F_IO,
    [IR_WAIT] = F_NEXT_END | F_IO,
    [IR_SUCCEED] = F_IO,
    [IR_FAIL] = 0,
    [IR_PARALLEL] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS | F_SELECTOR | F_RETRY,
    [IR_MAP] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS | F_SELECTOR | F_RETRY,
};

/* Fields particular to one type. */
static const char *const own_fields[IR__NTYPES][16] = {
    [IR_PASS] = {"Result"},
    [IR_TASK] = {"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
                 "HeartbeatSecondsPath"},
    [IR_CHOICE] = {"Choices", "Default"},
    [IR_WAIT] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
    [IR_FAIL] = {"Error", "ErrorPath", "Cause", "CausePath"},
    [IR_PARALLEL] = {"Branches"},
    [IR_MAP] = {"ItemsPath", "ItemSelector", "ItemProcessor", "Iterator", "MaxConcurrency",
                "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailurePercentage",
                "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "Label"},
};

/* Fields AWS accepts that aslc does not implement yet: refused by name, so a
 * definition never compiles into something that behaves differently. */
static const char *const unimplemented_fields[] = {
    "Assign", "Arguments", "Output", "Items", "ItemReader", "ItemBatcher", "ResultWriter",
    "Credentials", NULL};

static bool field_allowed(ir_state_type t, const char *k)
{
    unsigned f = type_fields[t];
    if (!strcmp(k, "Type") || !strcmp(k, "Comment") || !strcmp(k, "QueryLanguage")) return true;
    if ((f & F_NEXT_END) && (!strcmp(k, "Next") || !strcmp(k, "End"))) return true;
    if ((f & F_IO) && (!strcmp(k, "InputPath") || !strcmp(k, "OutputPath"))) return true;
    if ((f & F_RESULT_PATH) && !strcmp(k, "ResultPath")) return true;
    if ((f & F_PARAMETERS) && !strcmp(k, "Parameters")) return true;
    if ((f & F_SELECTOR) && !strcmp(k, "ResultSelector")) return true;
    if ((f & F_RETRY) && (!strcmp(k, "Retry") || !strcmp(k, "Catch"))) return true;
    for (int i = 0; own_fields[t][i]; i++)
        if (!strcmp(own_fields[t][i], k)) return true;
    return false;
}

static bool field_unimplemented(const char *k)
{
    for (int i = 0; unimplemented_fields[i]; i++)
        if (!strcmp(unimplemented_fields[i], k)) return true;
    return false;
}

/* ---- templates (Parameters, ResultSelector, ItemSelector) -------------------------- */

static asl_value *const_value(P *c, const cJSON *n, const char **text)
{
    const char *src;
    size_t len;
    asl_json_error jerr;
    asl_value *v = NULL;
    /* Re-read the exact source text: it keeps every digit of every number. */
    if (aslc_srcmap_span(c->u->map, n, &src, &len)) v = asl_json_parse(c->a, src, len, &jerr);
    if (!v) {
        char *s = cJSON_PrintUnformatted(n);
        v = asl_json_parse(c->a, s, strlen(s), &jerr);
        cJSON_free(s);
    }
    if (text) *text = asl_json_string(c->a, v, NULL);
    return v;
}

static ir_tmpl *parse_tmpl(P *c, const cJSON *n, const char *ptr)
{
    ir_tmpl *t = asl_alloc(c->a, sizeof *t);
    memset(t, 0, sizeof *t);
    if (cJSON_IsObject(n) || cJSON_IsArray(n)) {
        bool computed = false;
        uint32_t cnt = (uint32_t)cJSON_GetArraySize(n), i = 0;
        t->n = cnt;
        if (cJSON_IsObject(n)) {
            t->kind = IR_T_OBJECT;
            t->members = asl_alloc(c->a, (cnt + 1) * sizeof *t->members);
            for (const cJSON *k = n->child; k; k = k->next, i++) {
                size_t kl = strlen(k->string);
                const char *kptr = ptr_join(c, ptr, k->string);
                ir_tmpl_member *m = &t->members[i];
                if (kl >= 2 && !strcmp(k->string + kl - 2, ".$")) {
                    computed = true;
                    m->key = asl_strndup(c->a, k->string, kl - 2);
                    m->klen = (uint32_t)(kl - 2);
                    ir_tmpl *v = asl_alloc(c->a, sizeof *v);
                    memset(v, 0, sizeof *v);
                    m->val = v;
                    if (!cJSON_IsString(k)) {
                        ERR(c, k, kptr, "the value of \"%s\" must be a JSONPath or an intrinsic "
                                        "function call string, got %s", k->string, json_type_name(k));
                        continue;
                    }
                    v->src = asl_strndup(c->a, k->valuestring, strlen(k->valuestring));
                    if (aslc_is_intrinsic(k->valuestring)) {
                        char err[256];
                        size_t pos = 0;
                        v->kind = IR_T_CALL;
                        v->call = aslc_intrinsic_parse(c->a, k->valuestring, err, sizeof err, &pos);
                        if (!v->call) path_error(c, k, kptr, "intrinsic function call", err, pos);
                    } else {
                        v->kind = IR_T_PATH;
                        v->path = parse_path_node(c, k, kptr, ASLC_PATH_PAYLOAD, true);
                    }
                } else {
                    m->key = asl_strndup(c->a, k->string, kl);
                    m->klen = (uint32_t)kl;
                    m->val = parse_tmpl(c, k, kptr);
                    if (m->val->kind != IR_T_CONST) computed = true;
                }
            }
        } else {
            t->kind = IR_T_ARRAY;
            t->items = asl_alloc(c->a, (cnt + 1) * sizeof *t->items);
            for (const cJSON *k = n->child; k; k = k->next, i++) {
                t->items[i] = parse_tmpl(c, k, ptr_index(c, ptr, (int)i));
                if (t->items[i]->kind != IR_T_CONST) computed = true;
            }
        }
        if (computed) return t;
    }
    memset(t, 0, sizeof *t);
    t->kind = IR_T_CONST;
    t->cval = const_value(c, n, &t->ctext);
    return t;
}

static ir_tmpl *get_tmpl(P *c, const cJSON *obj, const char *name, const char *ptr)
{
    const cJSON *n = field(obj, name);
    if (!n) return NULL;
    const char *fptr = ptr_join(c, ptr, name);
    if (!cJSON_IsObject(n) && strcmp(name, "Parameters")) {
        ERR(c, n, fptr, "expected an object, got %s", json_type_name(n));
        return NULL;
    }
    return parse_tmpl(c, n, fptr);
}

/* ---- Choice rules ----------------------------------------------------------------------- */

typedef struct {
    const char *name;
    char operand;
} op_info;

static const op_info ops[] = {
#define X(id, name, operand) {name, #operand[0]},
#include "choice_ops.def"
#undef X
};
#define NOPS ((int)(sizeof ops / sizeof ops[0]))

static ir_rule *parse_rule(P *c, const cJSON *n, const char *ptr, bool top);

static ir_rule *parse_rule(P *c, const cJSON *n, const char *ptr, bool top)
{
    if (!cJSON_IsObject(n)) {
        ERR(c, n, ptr, "a Choice rule must be an object, got %s", json_type_name(n));
        return NULL;
    }
    ir_rule *r = asl_alloc(c->a, sizeof *r);
    memset(r, 0, sizeof *r);
    r->loc = loc_of(c, n, ptr);
    int found = -1;
    const cJSON *opnode = NULL;
    bool ok = true;
    for (const cJSON *k = n->child; k; k = k->next) {
        const char *kptr = ptr_join(c, ptr, k->string);
        int op = -1;
        if (!strcmp(k->string, "And")) op = IR_OP_AND;
        else if (!strcmp(k->string, "Or")) op = IR_OP_OR;
        else if (!strcmp(k->string, "Not")) op = IR_OP_NOT;
        else
            for (int i = 0; i < NOPS; i++)
                if (!strcmp(ops[i].name, k->string)) op = i;
        if (op >= 0) {
            if (found >= 0) {
                ERR_KEY(c, k, kptr, "a Choice rule must have exactly one comparison, "
                                    "found \"%s\" after \"%s\"", k->string, opnode->string);
                ok = false;
                continue;
            }
            found = op;
            opnode = k;
        } else if (!strcmp(k->string, "Variable") || !strcmp(k->string, "Comment")) {
        } else if (!strcmp(k->string, "Next")) {
            if (!top) {
                ERR_KEY(c, k, kptr, "\"Next\" is only allowed in a top-level Choice rule");
                ok = false;
            }
        } else if (!strcmp(k->string, "Assign")) {
            ERR_KEY(c, k, kptr, "\"Assign\" (variables) is not implemented yet in aslc");
            ok = false;
        } else {
            ERR_KEY(c, k, kptr, "unknown field \"%s\" in a Choice rule", k->string);
            ok = false;
        }
    }
    if (top) {
        r->next = get_string(c, n, "Next", ptr, true);
        if (!r->next) ok = false;
    }
    if (found < 0) {
        ERR(c, n, ptr, "a Choice rule needs a comparison operator (such as \"StringEquals\") "
                       "or \"And\", \"Or\", \"Not\"");
        return NULL;
    }
    r->op = (ir_op)found;
    const char *optr = ptr_join(c, ptr, opnode->string);
    if (found == IR_OP_AND || found == IR_OP_OR) {
        if (field(n, "Variable")) {
            ERR_KEY(c, field(n, "Variable"), ptr_join(c, ptr, "Variable"),
                    "\"Variable\" is not allowed beside \"%s\"", opnode->string);
            ok = false;
        }
        if (!cJSON_IsArray(opnode) || cJSON_GetArraySize(opnode) == 0) {
            ERR(c, opnode, optr, "\"%s\" needs a non-empty array of rules", opnode->string);
            return NULL;
        }
        r->n = (uint32_t)cJSON_GetArraySize(opnode);
        r->kids = asl_alloc(c->a, r->n * sizeof *r->kids);
        int i = 0;
        for (const cJSON *k = opnode->child; k; k = k->next, i++) {
            r->kids[i] = parse_rule(c, k, ptr_index(c, optr, i), false);
            if (!r->kids[i]) ok = false;
        }
        return ok ? r : NULL;
    }
    if (found == IR_OP_NOT) {
        r->n = 1;
        r->kids = asl_alloc(c->a, sizeof *r->kids);
        r->kids[0] = parse_rule(c, opnode, optr, false);
        return ok && r->kids[0] ? r : NULL;
    }
    const cJSON *var = field(n, "Variable");
    if (!var) {
        ERR(c, n, ptr, "missing required field \"Variable\" for \"%s\"", opnode->string);
        return NULL;
    }
    if (!cJSON_IsString(var)) {
        ERR(c, var, ptr_join(c, ptr, "Variable"), "expected a string, got %s", json_type_name(var));
        return NULL;
    }
    r->var = parse_path_node(c, var, ptr_join(c, ptr, "Variable"), ASLC_PATH_PAYLOAD, true);
    if (!r->var) ok = false;
    switch (ops[found].operand) {
    case 'S':
    case 'T':
    case 'M':
        if (!cJSON_IsString(opnode)) {
            ERR(c, opnode, optr, "expected a string, got %s", json_type_name(opnode));
            return NULL;
        }
        r->str = asl_strndup(c->a, opnode->valuestring, strlen(opnode->valuestring));
        r->slen = (uint32_t)strlen(r->str);
        if (ops[found].operand == 'T') {
            double t;
            if (!asl_timestamp_parse(r->str, r->slen, &t)) {
                ERR(c, opnode, optr, "\"%s\" is not an RFC 3339 timestamp (such as "
                                     "2016-03-14T01:59:00Z)", r->str);
                ok = false;
            }
        }
        break;
    case 'N':
        if (!cJSON_IsNumber(opnode)) {
            ERR(c, opnode, optr, "expected a number, got %s", json_type_name(opnode));
            return NULL;
        }
        r->num = opnode->valuedouble;
        break;
    case 'B':
    case 'U':
        if (!cJSON_IsBool(opnode)) {
            ERR(c, opnode, optr, "expected a boolean, got %s", json_type_name(opnode));
            return NULL;
        }
        r->b = cJSON_IsTrue(opnode);
        break;
    case 'P':
        if (!cJSON_IsString(opnode)) {
            ERR(c, opnode, optr, "expected a JSONPath string, got %s", json_type_name(opnode));
            return NULL;
        }
        r->opath = parse_path_node(c, opnode, optr, ASLC_PATH_PAYLOAD, true);
        if (!r->opath) ok = false;
        break;
    }
    return ok ? r : NULL;
}

/* ---- Retry / Catch ------------------------------------------------------------------------- */

static bool parse_error_list(P *c, const cJSON *obj, const char *ptr, const char ***out,
                             uint32_t *nout, bool *has_all)
{
    const cJSON *n = field(obj, "ErrorEquals");
    if (!n) {
        ERR(c, obj, ptr, "missing required field \"ErrorEquals\"");
        return false;
    }
    const char *eptr = ptr_join(c, ptr, "ErrorEquals");
    if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
        ERR(c, n, eptr, "\"ErrorEquals\" must be a non-empty array of error names");
        return false;
    }
    uint32_t cnt = (uint32_t)cJSON_GetArraySize(n), i = 0;
    *out = asl_alloc(c->a, cnt * sizeof **out);
    *nout = cnt;
    *has_all = false;
    bool ok = true;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        if (!cJSON_IsString(k)) {
            ERR(c, k, ptr_index(c, eptr, (int)i), "expected a string, got %s", json_type_name(k));
            ok = false;
            continue;
        }
        (*out)[i] = asl_strndup(c->a, k->valuestring, strlen(k->valuestring));
        if (!strcmp(k->valuestring, "States.ALL")) {
            *has_all = true;
            if (cnt > 1) {
                ERR(c, k, ptr_index(c, eptr, (int)i),
                    "\"States.ALL\" must be the only error name in its \"ErrorEquals\"");
                ok = false;
            }
        }
    }
    return ok;
}

static void parse_retry(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Retry");
    if (!n) return;
    const char *rptr = ptr_join(c, ptr, "Retry");
    if (!cJSON_IsArray(n)) {
        ERR(c, n, rptr, "expected an array of retriers, got %s", json_type_name(n));
        return;
    }
    s->nretry = (uint32_t)cJSON_GetArraySize(n);
    s->retry = asl_alloc(c->a, (s->nretry + 1) * sizeof *s->retry);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kptr = ptr_index(c, rptr, i);
        ir_retrier *r = &s->retry[i];
        memset(r, 0, sizeof *r);
        r->max_attempts = 3;
        r->interval = 1;
        r->backoff = 2.0;
        if (!cJSON_IsObject(k)) {
            ERR(c, k, kptr, "a retrier must be an object, got %s", json_type_name(k));
            continue;
        }
        for (const cJSON *f = k->child; f; f = f->next) {
            static const char *const known[] = {"ErrorEquals", "IntervalSeconds", "MaxAttempts",
                                                "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
                                                "Comment", NULL};
            int j = 0;
            while (known[j] && strcmp(known[j], f->string)) j++;
            if (!known[j])
                ERR_KEY(c, f, ptr_join(c, kptr, f->string), "unknown field \"%s\" in a retrier",
                        f->string);
        }
        bool has_all = false;
        parse_error_list(c, k, kptr, &r->errors, &r->nerrors, &has_all);
        if (has_all && k->next)
            ERR(c, field(k, "ErrorEquals"), ptr_join(c, kptr, "ErrorEquals"),
                "a retrier with \"States.ALL\" must be the last one");
        double d;
        if (get_int(c, k, "IntervalSeconds", kptr, 1, 99999999, &d)) r->interval = d;
        if (get_int(c, k, "MaxAttempts", kptr, 0, 99999999, &d)) r->max_attempts = (int32_t)d;
        if (get_number(c, k, "BackoffRate", kptr, &d)) {
            if (d < 1.0) ERR(c, field(k, "BackoffRate"), ptr_join(c, kptr, "BackoffRate"),
                             "must be at least 1.0, got %g", d);
            else r->backoff = d;
        }
        if (get_int(c, k, "MaxDelaySeconds", kptr, 1, 31622400, &d)) r->max_delay = d;
        const char *js = get_string(c, k, "JitterStrategy", kptr, false);
        if (js) {
            if (!strcmp(js, "FULL")) r->jitter = ASL_JITTER_FULL;
            else if (strcmp(js, "NONE"))
                ERR(c, field(k, "JitterStrategy"), ptr_join(c, kptr, "JitterStrategy"),
                    "must be \"FULL\" or \"NONE\", got \"%s\"", js);
        }
    }
}

static void parse_catch(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Catch");
    if (!n) return;
    const char *cptr = ptr_join(c, ptr, "Catch");
    if (!cJSON_IsArray(n)) {
        ERR(c, n, cptr, "expected an array of catchers, got %s", json_type_name(n));
        return;
    }
    s->ncatch = (uint32_t)cJSON_GetArraySize(n);
    s->catch_ = asl_alloc(c->a, (s->ncatch + 1) * sizeof *s->catch_);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kptr = ptr_index(c, cptr, i);
        ir_catcher *r = &s->catch_[i];
        memset(r, 0, sizeof *r);
        if (!cJSON_IsObject(k)) {
            ERR(c, k, kptr, "a catcher must be an object, got %s", json_type_name(k));
            continue;
        }
        for (const cJSON *f = k->child; f; f = f->next) {
            if (!strcmp(f->string, "ErrorEquals") || !strcmp(f->string, "Next") ||
                !strcmp(f->string, "ResultPath") || !strcmp(f->string, "Comment"))
                continue;
            if (field_unimplemented(f->string))
                ERR_KEY(c, f, ptr_join(c, kptr, f->string),
                        "\"%s\" is not implemented yet in aslc", f->string);
            else
                ERR_KEY(c, f, ptr_join(c, kptr, f->string), "unknown field \"%s\" in a catcher",
                        f->string);
        }
        bool has_all = false;
        parse_error_list(c, k, kptr, &r->errors, &r->nerrors, &has_all);
        if (has_all && k->next)
            ERR(c, field(k, "ErrorEquals"), ptr_join(c, kptr, "ErrorEquals"),
                "a catcher with \"States.ALL\" must be the last one");
        r->next = get_string(c, k, "Next", kptr, true);
        r->result_path = get_path(c, k, "ResultPath", kptr, ASLC_PATH_REFERENCE, true,
                                  &r->result_path_null);
    }
}

/* ---- states ------------------------------------------------------------------------------- */

static ir_machine *parse_machine(P *c, const cJSON *obj, const char *ptr, ir_state *owner,
                                 bool top);

static const char *make_cname(P *c, const char *name)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, "st_");
    for (const unsigned char *s = (const unsigned char *)name; *s && b.len < 48; s++)
        asl_buf_putc(&b, isalnum(*s) ? (char)*s : '_');
    size_t base = b.len;
    for (int k = 2;; k++) {
        asl_buf_putc(&b, 0);
        b.len--;
        /* open addressing set of the names used so far */
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < b.len; i++) h = (h ^ (unsigned char)b.data[i]) * 16777619u;
        uint32_t i = h & (c->capnames - 1);
        while (c->cnames[i] && strcmp(c->cnames[i], b.data)) i = (i + 1) & (c->capnames - 1);
        if (!c->cnames[i]) {
            const char *s = asl_strndup(c->a, b.data, b.len);
            c->cnames[i] = s;
            asl_buf_free(&b);
            return s;
        }
        b.len = base;
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_%d", k);
        asl_buf_puts(&b, suffix);
    }
}

static void add_state(P *c, ir_state *s)
{
    if (c->nall == c->capall) {
        c->capall = c->capall ? c->capall * 2 : 64;
        ir_state **n = asl_alloc(c->a, c->capall * sizeof *n);
        if (c->nall) memcpy(n, c->all, c->nall * sizeof *n);
        c->all = n;
    }
    c->all[c->nall++] = s;
    /* keep the identifier set at most half full */
    if (c->nall * 2 >= c->capnames) {
        uint32_t oldcap = c->capnames;
        const char **old = c->cnames;
        c->capnames *= 4;
        c->cnames = asl_alloc(c->a, c->capnames * sizeof *c->cnames);
        memset(c->cnames, 0, c->capnames * sizeof *c->cnames);
        for (uint32_t i = 0; i < oldcap; i++) {
            if (!old[i]) continue;
            uint32_t h = 2166136261u;
            for (const char *p = old[i]; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
            uint32_t j = h & (c->capnames - 1);
            while (c->cnames[j]) j = (j + 1) & (c->capnames - 1);
            c->cnames[j] = old[i];
        }
    }
}

static void parse_task(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    s->resource = get_string(c, obj, "Resource", ptr, true);
    if (s->resource) s->resource_loc = loc_of(c, field(obj, "Resource"), ptr_join(c, ptr, "Resource"));
    double d;
    if (get_int(c, obj, "TimeoutSeconds", ptr, 1, 99999999, &d)) s->timeout = d;
    if (get_int(c, obj, "HeartbeatSeconds", ptr, 1, 99999999, &d)) s->heartbeat = d;
    s->timeout_path = get_path(c, obj, "TimeoutSecondsPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->heartbeat_path = get_path(c, obj, "HeartbeatSecondsPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    if (field(obj, "TimeoutSeconds") && field(obj, "TimeoutSecondsPath"))
        ERR_KEY(c, field(obj, "TimeoutSecondsPath"), ptr_join(c, ptr, "TimeoutSecondsPath"),
                "\"TimeoutSeconds\" and \"TimeoutSecondsPath\" cannot both be set");
    if (field(obj, "HeartbeatSeconds") && field(obj, "HeartbeatSecondsPath"))
        ERR_KEY(c, field(obj, "HeartbeatSecondsPath"), ptr_join(c, ptr, "HeartbeatSecondsPath"),
                "\"HeartbeatSeconds\" and \"HeartbeatSecondsPath\" cannot both be set");
    if (s->timeout > 0 && s->heartbeat > 0 && s->heartbeat >= s->timeout)
        ERR(c, field(obj, "HeartbeatSeconds"), ptr_join(c, ptr, "HeartbeatSeconds"),
            "\"HeartbeatSeconds\" must be smaller than \"TimeoutSeconds\"");
    s->site = c->p->ntasks++;
}

static void parse_choice(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Choices");
    s->default_ = get_string(c, obj, "Default", ptr, false);
    if (!n) {
        ERR(c, obj, ptr, "missing required field \"Choices\"");
        return;
    }
    const char *cptr = ptr_join(c, ptr, "Choices");
    if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
        ERR(c, n, cptr, "\"Choices\" must be a non-empty array of rules");
        return;
    }
    s->nchoices = (uint32_t)cJSON_GetArraySize(n);
    s->choices = asl_alloc(c->a, s->nchoices * sizeof *s->choices);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++)
        s->choices[i] = parse_rule(c, k, ptr_index(c, cptr, i), true);
}

static void parse_wait(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    int count = 0;
    const char *which[] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"};
    for (int i = 0; i < 4; i++) count += field(obj, which[i]) != NULL;
    if (count != 1) {
        ERR(c, obj, ptr, "a Wait state needs exactly one of \"Seconds\", \"SecondsPath\", "
                         "\"Timestamp\", \"TimestampPath\" (found %d)", count);
        return;
    }
    double d;
    if (get_int(c, obj, "Seconds", ptr, 0, 99999999, &d)) {
        s->has_seconds = true;
        s->seconds = d;
    }
    s->timestamp = get_string(c, obj, "Timestamp", ptr, false);
    if (s->timestamp) {
        double t;
        if (!asl_timestamp_parse(s->timestamp, strlen(s->timestamp), &t))
            ERR(c, field(obj, "Timestamp"), ptr_join(c, ptr, "Timestamp"),
                "\"%s\" is not an RFC 3339 timestamp (such as 2016-03-14T01:59:00Z)", s->timestamp);
    }
    s->seconds_path = get_path(c, obj, "SecondsPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->timestamp_path = get_path(c, obj, "TimestampPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
}

static void parse_fail(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    s->error = get_string(c, obj, "Error", ptr, false);
    s->cause = get_string(c, obj, "Cause", ptr, false);
    s->error_path = get_path(c, obj, "ErrorPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->cause_path = get_path(c, obj, "CausePath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    if (field(obj, "Error") && field(obj, "ErrorPath"))
        ERR_KEY(c, field(obj, "ErrorPath"), ptr_join(c, ptr, "ErrorPath"),
                "\"Error\" and \"ErrorPath\" cannot both be set");
    if (field(obj, "Cause") && field(obj, "CausePath"))
        ERR_KEY(c, field(obj, "CausePath"), ptr_join(c, ptr, "CausePath"),
                "\"Cause\" and \"CausePath\" cannot both be set");
}

static void parse_parallel(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Branches");
    if (!n) {
        ERR(c, obj, ptr, "missing required field \"Branches\"");
        return;
    }
    const char *bptr = ptr_join(c, ptr, "Branches");
    if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
        ERR(c, n, bptr, "\"Branches\" must be a non-empty array of state machines");
        return;
    }
    s->nbranches = (uint32_t)cJSON_GetArraySize(n);
    s->branches = asl_alloc(c->a, s->nbranches * sizeof *s->branches);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        s->branches[i] = parse_machine(c, k, ptr_index(c, bptr, i), s, false);
        if (s->branches[i]) s->branches[i]->index = (uint32_t)i;
    }
}

static void parse_map(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *proc = field(obj, "ItemProcessor");
    const char *pname = "ItemProcessor";
    if (!proc) {
        proc = field(obj, "Iterator");
        pname = "Iterator";
    } else if (field(obj, "Iterator")) {
        ERR_KEY(c, field(obj, "Iterator"), ptr_join(c, ptr, "Iterator"),
                "\"ItemProcessor\" and \"Iterator\" cannot both be set");
    }
    if (!proc) {
        ERR(c, obj, ptr, "missing required field \"ItemProcessor\"");
    } else {
        const char *pptr = ptr_join(c, ptr, pname);
        const cJSON *cfg = field(proc, "ProcessorConfig");
        if (cfg) {
            /* DISTRIBUTED iterations run as child executions on this machine, with
             * the same results as INLINE ones. */
            const char *cptr = ptr_join(c, pptr, "ProcessorConfig");
            const char *mode = get_string(c, cfg, "Mode", cptr, false);
            if (mode && strcmp(mode, "INLINE") && strcmp(mode, "DISTRIBUTED"))
                ERR(c, field(cfg, "Mode"), ptr_join(c, cptr, "Mode"),
                    "Mode must be \"INLINE\" or \"DISTRIBUTED\", got \"%s\"", mode);
            const char *et = get_string(c, cfg, "ExecutionType", cptr, false);
            if (et && strcmp(et, "STANDARD") && strcmp(et, "EXPRESS"))
                ERR(c, field(cfg, "ExecutionType"), ptr_join(c, cptr, "ExecutionType"),
                    "ExecutionType must be \"STANDARD\" or \"EXPRESS\", got \"%s\"", et);
            for (const cJSON *k = cfg->child; k; k = k->next)
                if (strcmp(k->string, "Mode") && strcmp(k->string, "ExecutionType"))
                    ERR_KEY(c, k, ptr_join(c, cptr, k->string),
                            "unknown field \"%s\" in ProcessorConfig", k->string);
        }
        s->processor = parse_machine(c, proc, pptr, s, false);
    }
    s->items_path = get_path(c, obj, "ItemsPath", ptr, ASLC_PATH_PAYLOAD, false, NULL);
    if (field(obj, "ItemSelector") && field(obj, "Parameters"))
        ERR_KEY(c, field(obj, "Parameters"), ptr_join(c, ptr, "Parameters"),
                "\"ItemSelector\" and \"Parameters\" cannot both be set");
    s->item_selector = get_tmpl(c, obj, "ItemSelector", ptr);
    if (!s->item_selector) {
        s->item_selector = s->parameters;  /* the legacy name of ItemSelector in a Map */
        s->parameters = NULL;
    }
    double d;
    if (get_int(c, obj, "MaxConcurrency", ptr, 0, 2147483647, &d)) s->max_concurrency = (uint32_t)d;
    s->max_concurrency_path = get_path(c, obj, "MaxConcurrencyPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->tolerated_count = -1;
    s->tolerated_percent = -1;
    s->tolerated_count_path = get_path(c, obj, "ToleratedFailureCountPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->tolerated_percent_path = get_path(c, obj, "ToleratedFailurePercentagePath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    if (get_int(c, obj, "ToleratedFailureCount", ptr, 0, 2147483647, &d)) s->tolerated_count = (int32_t)d;
    if (get_number(c, obj, "ToleratedFailurePercentage", ptr, &d)) {
        if (d < 0 || d > 100)
            ERR(c, field(obj, "ToleratedFailurePercentage"),
                ptr_join(c, ptr, "ToleratedFailurePercentage"), "must be between 0 and 100");
        else
            s->tolerated_percent = d;
    }
    get_string(c, obj, "Label", ptr, false);
}

static ir_state *parse_state(P *c, ir_machine *m, const cJSON *obj, const char *ptr)
{
    ir_state *s = asl_alloc(c->a, sizeof *s);
    memset(s, 0, sizeof *s);
    s->name = asl_strndup(c->a, obj->string, strlen(obj->string));
    s->loc = loc_of(c, obj, ptr);
    s->scope = m;
    if (!cJSON_IsObject(obj)) {
        ERR(c, obj, ptr, "a state must be an object, got %s", json_type_name(obj));
        return NULL;
    }
    if (strlen(s->name) > 80)
        ERR_KEY(c, obj, ptr, "state names are limited to 80 characters");
    const char *type = get_string(c, obj, "Type", ptr, true);
    if (!type) return NULL;
    int t = -1;
    for (int i = 0; i < IR__NTYPES; i++)
        if (!strcmp(type, ir_state_type_name((ir_state_type)i))) t = i;
    if (t < 0) {
        ERR(c, field(obj, "Type"), ptr_join(c, ptr, "Type"),
            "unknown state type \"%s\" (expected Pass, Task, Choice, Wait, Succeed, Fail, "
            "Parallel or Map)", type);
        return NULL;
    }
    s->type = (ir_state_type)t;
    s->cname = make_cname(c, s->name);
    add_state(c, s);

    for (const cJSON *k = obj->child; k; k = k->next) {
        if (field_allowed(s->type, k->string)) continue;
        const char *kptr = ptr_join(c, ptr, k->string);
        if (field_unimplemented(k->string))
            ERR_KEY(c, k, kptr, "\"%s\" is not implemented yet in aslc", k->string);
        else
            ERR_KEY(c, k, kptr, "unknown field \"%s\" in a %s state", k->string, type);
    }

    s->comment = get_string(c, obj, "Comment", ptr, false);
    check_query_language(c, obj, ptr);
    unsigned f = type_fields[s->type];
    if (f & F_NEXT_END) {
        const cJSON *end = field(obj, "End");
        s->next = get_string(c, obj, "Next", ptr, false);
        if (end && !cJSON_IsBool(end))
            ERR(c, end, ptr_join(c, ptr, "End"), "expected a boolean, got %s", json_type_name(end));
        s->end = cJSON_IsTrue(end);
        if (s->end && field(obj, "Next"))
            ERR_KEY(c, end, ptr_join(c, ptr, "End"), "\"End\" and \"Next\" cannot both be set");
        else if (!s->end && !field(obj, "Next"))
            ERR(c, obj, ptr, "a non-terminal state needs \"Next\" or \"End\": true");
    }
    if (f & F_IO) {
        s->input_path = get_path(c, obj, "InputPath", ptr, ASLC_PATH_PAYLOAD, true, &s->input_path_null);
        s->output_path = get_path(c, obj, "OutputPath", ptr, ASLC_PATH_PAYLOAD, true, &s->output_path_null);
    }
    if (f & F_RESULT_PATH)
        s->result_path = get_path(c, obj, "ResultPath", ptr, ASLC_PATH_REFERENCE, true, &s->result_path_null);
    if (f & F_PARAMETERS) s->parameters = get_tmpl(c, obj, "Parameters", ptr);
    if (f & F_SELECTOR) s->result_selector = get_tmpl(c, obj, "ResultSelector", ptr);
    if (f & F_RETRY) {
        parse_retry(c, s, obj, ptr);
        parse_catch(c, s, obj, ptr);
    }
    switch (s->type) {
    case IR_PASS: {
        const cJSON *r = field(obj, "Result");
        if (r) s->result = const_value(c, r, &s->result_text);
        break;
    }
    case IR_TASK: parse_task(c, s, obj, ptr); break;
    case IR_CHOICE: parse_choice(c, s, obj, ptr); break;
    case IR_WAIT: parse_wait(c, s, obj, ptr); break;
    case IR_FAIL: parse_fail(c, s, obj, ptr); break;
    case IR_PARALLEL: parse_parallel(c, s, obj, ptr); break;
    case IR_MAP: parse_map(c, s, obj, ptr); break;
    default: break;
    }
    return s;
}

/* ---- machines and name resolution ------------------------------------------------------- */

static ir_state *find_state(ir_machine *m, const char *name)
{
    for (uint32_t i = 0; i < m->nstates; i++)
        if (m->states[i] && !strcmp(m->states[i]->name, name)) return m->states[i];
    return NULL;
}

static ir_state *resolve(P *c, ir_machine *m, const ir_state *s, const char *name,
                         const cJSON *node, const char *field_ptr)
{
    ir_state *t = find_state(m, name);
    if (!t) {
        int line = s->loc.line, col = s->loc.col;
        aslc_srcmap_pos(c->u->map, node, false, &line, &col);
        aslc_diag_at(c->u, ASLC_ERROR, line, col, field_ptr, "no state named \"%s\"%s", name,
                     m->owner ? " in this scope (transitions cannot leave a branch or a Map "
                                "processor)" : "");
    }
    return t;
}

static void resolve_machine(P *c, ir_machine *m, const cJSON *states, const char *sptr)
{
    const cJSON *sn = states->child;
    for (uint32_t i = 0; i < m->nstates; i++, sn = sn->next) {
        ir_state *s = m->states[i];
        if (!s) continue;
        const char *ptr = ptr_join(c, sptr, s->name);
        if (s->next)
            s->target = resolve(c, m, s, s->next, field(sn, "Next"), ptr_join(c, ptr, "Next"));
        if (s->default_)
            s->default_target = resolve(c, m, s, s->default_, field(sn, "Default"),
                                        ptr_join(c, ptr, "Default"));
        const cJSON *ch = field(sn, "Choices");
        for (uint32_t k = 0; k < s->nchoices; k++) {
            const cJSON *rn = ch ? cJSON_GetArrayItem(ch, (int)k) : NULL;
            if (s->choices[k] && s->choices[k]->next)
                s->choices[k]->target =
                    resolve(c, m, s, s->choices[k]->next, field(rn, "Next"),
                            ptr_join(c, ptr_index(c, ptr_join(c, ptr, "Choices"), (int)k), "Next"));
        }
        const cJSON *ca = field(sn, "Catch");
        for (uint32_t k = 0; k < s->ncatch; k++) {
            const cJSON *cn = ca ? cJSON_GetArrayItem(ca, (int)k) : NULL;
            if (s->catch_[k].next)
                s->catch_[k].target =
                    resolve(c, m, s, s->catch_[k].next, field(cn, "Next"),
                            ptr_join(c, ptr_index(c, ptr_join(c, ptr, "Catch"), (int)k), "Next"));
        }
    }
}

static ir_machine *parse_machine(P *c, const cJSON *obj, const char *ptr, ir_state *owner, bool top)
{
    if (!cJSON_IsObject(obj)) {
        ERR(c, obj, ptr, "expected a state machine object, got %s", json_type_name(obj));
        return NULL;
    }
    ir_machine *m = asl_alloc(c->a, sizeof *m);
    memset(m, 0, sizeof *m);
    m->owner = owner;
    m->loc = loc_of(c, obj, ptr);
    for (const cJSON *k = obj->child; k; k = k->next) {
        const char *f = k->string;
        if (!strcmp(f, "StartAt") || !strcmp(f, "States") || !strcmp(f, "Comment")) continue;
        if (top && (!strcmp(f, "Version") || !strcmp(f, "TimeoutSeconds") ||
                    !strcmp(f, "QueryLanguage")))
            continue;
        if (!top && !strcmp(f, "ProcessorConfig") && owner && owner->type == IR_MAP) continue;
        const char *kptr = ptr_join(c, ptr, f);
        if (field_unimplemented(f))
            ERR_KEY(c, k, kptr, "\"%s\" is not implemented yet in aslc", f);
        else
            ERR_KEY(c, k, kptr, "unknown field \"%s\" in a state machine", f);
    }
    m->comment = get_string(c, obj, "Comment", ptr, false);
    if (top) {
        check_query_language(c, obj, ptr);
        double d;
        if (get_int(c, obj, "TimeoutSeconds", ptr, 1, 99999999, &d)) m->timeout = d;
        const char *v = get_string(c, obj, "Version", ptr, false);
        if (v && strcmp(v, "1.0"))
            ERR(c, field(obj, "Version"), ptr_join(c, ptr, "Version"),
                "the only ASL version is \"1.0\", got \"%s\"", v);
    }
    m->start_at = get_string(c, obj, "StartAt", ptr, true);
    const cJSON *states = field(obj, "States");
    if (!states) {
        ERR(c, obj, ptr, "missing required field \"States\"");
        return m;
    }
    const char *sptr = ptr_join(c, ptr, "States");
    if (!cJSON_IsObject(states) || !states->child) {
        ERR(c, states, sptr, "\"States\" must be a non-empty object");
        return m;
    }
    m->nstates = (uint32_t)cJSON_GetArraySize(states);
    m->states = asl_alloc(c->a, m->nstates * sizeof *m->states);
    uint32_t i = 0;
    for (const cJSON *k = states->child; k; k = k->next, i++) {
        for (const cJSON *d = states->child; d != k; d = d->next)
            if (!strcmp(d->string, k->string)) {
                ERR_KEY(c, k, ptr_join(c, sptr, k->string), "duplicate state name \"%s\"", k->string);
                break;
            }
        m->states[i] = parse_state(c, m, k, ptr_join(c, sptr, k->string));
    }
    if (m->start_at) {
        m->start = find_state(m, m->start_at);
        if (!m->start)
            ERR(c, field(obj, "StartAt"), ptr_join(c, ptr, "StartAt"), "no state named \"%s\"",
                m->start_at);
    }
    resolve_machine(c, m, states, sptr);
    return m;
}

ir_program *aslc_parse(aslc_unit *u, const cJSON *root, const char *name)
{
    P c;
    memset(&c, 0, sizeof c);
    c.u = u;
    c.a = u->arena;
    c.capnames = 256;
    c.cnames = asl_alloc(c.a, c.capnames * sizeof *c.cnames);
    memset(c.cnames, 0, c.capnames * sizeof *c.cnames);
    ir_program *p = asl_alloc(c.a, sizeof *p);
    memset(p, 0, sizeof *p);
    c.p = p;
    p->arena = u->arena;
    p->name = name;
    p->top = parse_machine(&c, root, "/", NULL, true);
    p->all = c.all;
    p->nall = c.nall;
    p->tasks = asl_alloc(c.a, (p->ntasks + 1) * sizeof *p->tasks);
    for (uint32_t i = 0; i < c.nall; i++)
        if (c.all[i]->type == IR_TASK) p->tasks[c.all[i]->site] = c.all[i];
    return p;
}
