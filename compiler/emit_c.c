/*
 * emit_c.c — the C back end: IR to one C translation unit.
 *
 * Each state becomes a function `st_<Name>` headed by a comment with the
 * state's name, type and JSON pointer; a transition is a tail call to the
 * next state's function.  Around them:
 *   S_  state descriptors           P_  pre-parsed JSONPaths
 *   K[] constants (parsed once at start from their JSON text)
 *   tp_ payload templates (Parameters, ResultSelector, ItemSelector) as
 *       straight-line builders       fn_ intrinsic calls
 *   r_  Choice rules as straight-line comparisons
 *   do_ a state's data flow          try_ its Retry loop
 * The output depends only on the IR: same definition, same bytes.
 */
#include "aslc.h"
#include "aslc_config.h"
#include "intrinsic.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const ir_program *p;
    asl_buf data;     /* static descriptors */
    asl_buf code;     /* functions */
    uint32_t npaths, nconsts, ntmpl, nfn, nrule;
    asl_buf consts;   /* K_text initialiser */
} E;

static void put(asl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(asl_buf *b, const char *fmt, ...)
{
    char small[1024];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof small) {
        asl_buf_put(b, small, (size_t)n);
    } else {
        char *big = asl_xmalloc((size_t)n + 1);
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
        asl_buf_put(b, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
}

/* A C string literal of s (n bytes). */
static void cstr(asl_buf *b, const char *s, size_t n)
{
    asl_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            asl_buf_putc(b, '\\');
            asl_buf_putc(b, (char)ch);
        } else if (ch == '\n') {
            asl_buf_puts(b, "\\n");
        } else if (ch < 0x20 || ch == 0x7f || (ch == '?' && i + 1 < n && s[i + 1] == '?')) {
            char o[8];
            snprintf(o, sizeof o, "\\%03o", ch);
            asl_buf_puts(b, o);
        } else {
            asl_buf_putc(b, (char)ch);
        }
    }
    asl_buf_putc(b, '"');
}

static void cstrz(asl_buf *b, const char *s)
{
    if (!s) asl_buf_puts(b, "NULL");
    else cstr(b, s, strlen(s));
}

/* Text safe inside a C comment. */
static void ccomment(asl_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '*' && s[1] == '/') asl_buf_puts(b, "* /");
        else if (*s == '\n' || *s == '\r') asl_buf_putc(b, ' ');
        else asl_buf_putc(b, *s);
        if (*s == '*' && s[1] == '/') s++;
    }
}

/* ---- paths ---------------------------------------------------------------------- */

static void emit_segs(E *e, const char *name, const asl_seg *segs, uint32_t n);

/* The descriptors a segment points to (a filter and its relative path, the
 * members of a union) are emitted before the segment array itself. */
static void emit_seg_deps(E *e, const char *name, const asl_seg *s, uint32_t i)
{
    char sub[96];
    if (s->kind == ASL_SEG_FILTER && s->filter) {
        const asl_filter *f = s->filter;
        snprintf(sub, sizeof sub, "%s_%u_lhs", name, i);
        emit_segs(e, sub, f->lhs, f->nlhs);
        put(&e->data, "static const asl_filter %s_%u_f = {%u, %u, %u, %s, %.17g, ", name, i, f->op,
            f->rtype, f->nlhs, f->nlhs ? sub : "NULL", f->rnum);
        if (f->rstr) cstr(&e->data, f->rstr, f->rlen);
        else asl_buf_puts(&e->data, "NULL");
        put(&e->data, ", %u};\n", f->rlen);
    }
    if (s->nunion && s->members) {  /* a union, or the step after a '..' */
        snprintf(sub, sizeof sub, "%s_%u_u", name, i);
        emit_segs(e, sub, s->members, s->nunion);
    }
}

static void emit_segs(E *e, const char *name, const asl_seg *segs, uint32_t n)
{
    if (!n) return;
    for (uint32_t i = 0; i < n; i++) emit_seg_deps(e, name, &segs[i], i);
    put(&e->data, "static const asl_seg %s[] = {\n", name);
    for (uint32_t i = 0; i < n; i++) {
        const asl_seg *s = &segs[i];
        put(&e->data, "    {%u, %u, %u, %u, ", s->kind, s->has_start, s->has_end, s->klen);
        if (s->key) cstr(&e->data, s->key, s->klen);
        else asl_buf_puts(&e->data, "NULL");
        put(&e->data, ", %lld, %lld, %lld, ", (long long)s->start, (long long)s->end,
            (long long)s->step);
        if (s->kind == ASL_SEG_FILTER && s->filter) put(&e->data, "&%s_%u_f, ", name, i);
        else asl_buf_puts(&e->data, "NULL, ");
        if (s->nunion && s->members) put(&e->data, "%u, %s_%u_u},\n", s->nunion, name, i);
        else asl_buf_puts(&e->data, "0, NULL},\n");
    }
    asl_buf_puts(&e->data, "};\n");
}

/* Emits the descriptor of p; returns its number (P_n). */
static uint32_t emit_path(E *e, const asl_path *p)
{
    uint32_t id = e->npaths++;
    char name[32];
    snprintf(name, sizeof name, "P_%u_segs", id);
    emit_segs(e, name, p->segs, p->nseg);
    put(&e->data, "static const asl_path P_%u = {", id);
    cstrz(&e->data, p->text);
    put(&e->data, ", %u, %u, %u, %s};\n", p->root, p->definite, p->nseg, p->nseg ? name : "NULL");
    return id;
}

/* ---- constants ------------------------------------------------------------------ */

static uint32_t emit_const(E *e, const char *json_text)
{
    uint32_t id = e->nconsts++;
    asl_buf_puts(&e->consts, "    ");
    cstrz(&e->consts, json_text);
    asl_buf_puts(&e->consts, ",\n");
    return id;
}

/* ---- intrinsic calls ------------------------------------------------------------- */

static uint32_t emit_call(E *e, const ir_call *call, const char *src);

static void emit_arg(E *e, asl_buf *b, const ir_arg *a, uint32_t i)
{
    switch (a->kind) {
    case IR_ARG_PATH: {
        uint32_t pid = emit_path(e, a->path);
        put(b, "    if (!(a[%u] = asl_arg_path(x, in, &P_%u))) return NULL;\n", i, pid);
        break;
    }
    case IR_ARG_CALL: {
        uint32_t fid = emit_call(e, a->call, NULL);
        put(b, "    if (!(a[%u] = fn_%u(x, in))) return NULL;\n", i, fid);
        break;
    }
    default: {
        asl_arena *ar = e->p->arena;
        asl_value *v = a->kind == IR_ARG_STRING   ? asl_string(ar, a->str, a->len)
                       : a->kind == IR_ARG_NUMBER ? asl_number_text(ar, a->num, a->str, strlen(a->str))
                       : a->kind == IR_ARG_BOOL   ? asl_bool(a->b)
                                                  : asl_null();
        uint32_t k = emit_const(e, asl_json_string(ar, v, NULL));
        put(b, "    a[%u] = K[%u];\n", i, k);
        break;
    }
    }
}

static uint32_t emit_call(E *e, const ir_call *call, const char *src)
{
    asl_buf b;
    asl_buf_init(&b);
    for (uint32_t i = 0; i < call->argc; i++) emit_arg(e, &b, &call->args[i], i);
    uint32_t id = e->nfn++;
    put(&e->code, "ASL_HELPER asl_value *fn_%u(asl_exec *x, asl_value *in)", id);
    if (src) {
        asl_buf_puts(&e->code, "  /* ");
        ccomment(&e->code, src);
        asl_buf_puts(&e->code, " */");
    }
    put(&e->code, "\n{\n    asl_value *a[%u];\n", call->argc ? call->argc : 1);
    if (!call->argc) asl_buf_puts(&e->code, "    (void)in;\n    a[0] = NULL;\n");
    asl_buf_put(&e->code, b.data, b.len);
    static const char *const fn_ids[] = {
#define X(id, name, lo, hi) "ASL_FN_" #id,
#include "asl_intrinsics.def"
#undef X
    };
    put(&e->code, "    return asl_intrinsic(x, %s, %u, a);\n}\n\n", fn_ids[call->fn], call->argc);
    asl_buf_free(&b);
    return id;
}

/* ---- templates ---------------------------------------------------------------------- */

/* Emits code into b that builds t, leaving in expr the C expression of the
 * value (a constant K[i], the variable v, or o<depth> for a container).
 * key is the member name a path failure is reported under. */
static void emit_tmpl_value(E *e, asl_buf *b, const ir_tmpl *t, int depth, const char *key,
                            uint32_t klen, char *expr, size_t exprsz)
{
    int ind = 4 * (depth + 1);
    switch (t->kind) {
    case IR_T_CONST:
        snprintf(expr, exprsz, "K[%u]", emit_const(e, t->ctext));
        return;
    case IR_T_PATH: {
        uint32_t pid = emit_path(e, t->path);
        put(b, "%*sif (!(v = asl_param_path(x, in, &P_%u, ", ind, "", pid);
        cstr(b, key, klen);
        asl_buf_puts(b, "))) return NULL;\n");
        snprintf(expr, exprsz, "v");
        return;
    }
    case IR_T_CALL: {
        uint32_t fid = emit_call(e, t->call, t->src);
        put(b, "%*sif (!(v = fn_%u(x, in))) return NULL;\n", ind, "", fid);
        snprintf(expr, exprsz, "v");
        return;
    }
    case IR_T_OBJECT:
    case IR_T_ARRAY:
        break;
    }
    bool obj = t->kind == IR_T_OBJECT;
    put(b, "%*sasl_value *o%d = asl_%s(a, %u);\n", ind, "", depth, obj ? "object" : "array", t->n);
    for (uint32_t i = 0; i < t->n; i++) {
        const ir_tmpl *c = obj ? t->members[i].val : t->items[i];
        const char *ckey = obj ? t->members[i].key : key;
        uint32_t cklen = obj ? t->members[i].klen : klen;
        char sub[48];
        bool nested = c->kind == IR_T_OBJECT || c->kind == IR_T_ARRAY;
        if (nested) put(b, "%*s{\n", ind, "");
        emit_tmpl_value(e, b, c, nested ? depth + 1 : depth, ckey, cklen, sub, sizeof sub);
        int cind = nested ? ind + 4 : ind;
        if (obj) {
            put(b, "%*sasl_object_append_lit(a, o%d, ", cind, "", depth);
            cstr(b, t->members[i].key, t->members[i].klen);
            put(b, ", %u, %s);\n", t->members[i].klen, sub);
        } else {
            put(b, "%*sasl_array_push(a, o%d, %s);\n", cind, "", depth, sub);
        }
        if (nested) put(b, "%*s}\n", ind, "");
    }
    snprintf(expr, exprsz, "o%d", depth);
}

/* Emits tp_n(x, in) building t; returns n. */
static uint32_t emit_tmpl(E *e, const ir_tmpl *t, const char *what, const ir_state *s)
{
    asl_buf b;
    asl_buf_init(&b);
    char expr[48];
    emit_tmpl_value(e, &b, t, 0, "", 0, expr, sizeof expr);
    uint32_t id = e->ntmpl++;
    put(&e->code, "/* %s of \"", what);
    ccomment(&e->code, s->name);
    put(&e->code, "\" */\nASL_HELPER asl_value *tp_%u(asl_exec *x, asl_value *in)\n{\n", id);
    put(&e->code, "    asl_arena *a = asl_exec_arena(x);\n    asl_value *v = NULL;\n"
                  "    (void)a; (void)v; (void)in;\n");
    asl_buf_put(&e->code, b.data, b.len);
    put(&e->code, "    return %s;\n}\n\n", expr);
    asl_buf_free(&b);
    return id;
}

/* ---- Choice rules --------------------------------------------------------------------- */

static const struct {
    const char *name;
    char operand;
} choice_ops[] = {
#define X(id, name, operand) {name, #operand[0]},
#include "choice_ops.def"
#undef X
};

static const char *cmp_of(const char *opname)
{
    if (strstr(opname, "GreaterThanEquals")) return "ASL_CMP_GE";
    if (strstr(opname, "LessThanEquals")) return "ASL_CMP_LE";
    if (strstr(opname, "GreaterThan")) return "ASL_CMP_GT";
    if (strstr(opname, "LessThan")) return "ASL_CMP_LT";
    return "ASL_CMP_EQ";
}

static uint32_t emit_rule(E *e, const ir_rule *r)
{
    uint32_t kids[r->n ? r->n : 1];
    for (uint32_t i = 0; i < r->n; i++) kids[i] = emit_rule(e, r->kids[i]);
    uint32_t id = e->nrule++;
    asl_buf *b = &e->code;
    put(b, "/* %s */\nASL_HELPER int r_%u(asl_exec *x, asl_value *in)\n{\n", r->loc.ptr, id);
    if (r->op == IR_OP_AND || r->op == IR_OP_OR) {
        /* And: the first rule that is not true decides; Or: the first that is not false. */
        int stop = r->op == IR_OP_AND ? 1 : 0;
        asl_buf_puts(b, "    int m;\n");
        for (uint32_t i = 0; i < r->n; i++)
            put(b, "    if ((m = r_%u(x, in)) != %d) return m;\n", kids[i], stop);
        put(b, "    return %d;\n}\n\n", stop);
        return id;
    }
    if (r->op == IR_OP_NOT) {
        put(b, "    int m = r_%u(x, in);\n    return m < 0 ? m : !m;\n}\n\n", kids[0]);
        return id;
    }
    const char *name = choice_ops[r->op].name;
    char kind = choice_ops[r->op].operand;
    uint32_t var = emit_path(e, r->var);
    if (r->op == IR_OP_IS_PRESENT) {
        put(b, "    asl_value *v;\n    return asl_path_select(x, in, &P_%u, &v) == %s;\n}\n\n", var,
            r->b ? "true" : "false");
        return id;
    }
    if (kind == 'U') {
        /* Is* tests on an absent variable are false, not an error. */
        put(b, "    asl_value *v;\n    if (!asl_path_select(x, in, &P_%u, &v)) return 0;\n", var);
        const char *test = r->op == IR_OP_IS_NULL      ? "v->type == ASL_NULL"
                           : r->op == IR_OP_IS_NUMERIC ? "v->type == ASL_NUMBER"
                           : r->op == IR_OP_IS_STRING  ? "v->type == ASL_STRING"
                           : r->op == IR_OP_IS_BOOLEAN ? "asl_is_bool(v)"
                                                       : "asl_choice_is_timestamp(v)";
        put(b, "    return (%s) == %s;\n}\n\n", test, r->b ? "true" : "false");
        return id;
    }
    put(b, "    asl_value *v = asl_choice_var(x, in, &P_%u);\n    if (!v) return -1;\n", var);
    const char *family = !strncmp(name, "String", 6)      ? "string"
                         : !strncmp(name, "Numeric", 7)   ? "number"
                         : !strncmp(name, "Timestamp", 9) ? "timestamp"
                                                          : "boolean";
    switch (kind) {
    case 'S':
        put(b, "    return asl_choice_string(v, %s, ", cmp_of(name));
        cstr(b, r->str, r->slen);
        put(b, ", %u);\n", r->slen);
        break;
    case 'T':
        put(b, "    return asl_choice_timestamp(v, %s, ", cmp_of(name));
        cstr(b, r->str, r->slen);
        asl_buf_puts(b, ");\n");
        break;
    case 'M':
        asl_buf_puts(b, "    return asl_choice_matches(v, ");
        cstr(b, r->str, r->slen);
        asl_buf_puts(b, ");\n");
        break;
    case 'N':
        put(b, "    return asl_choice_number(v, %s, %.17g);\n", cmp_of(name), r->num);
        break;
    case 'B':
        put(b, "    return asl_choice_boolean(v, %s);\n", r->b ? "true" : "false");
        break;
    case 'P': {
        uint32_t other = emit_path(e, r->opath);
        put(b, "    asl_value *w = asl_choice_var(x, in, &P_%u);\n    if (!w) return -1;\n", other);
        if (!strcmp(family, "boolean")) put(b, "    return asl_choice_boolean_v(v, w);\n");
        else put(b, "    return asl_choice_%s_v(v, %s, w);\n", family, cmp_of(name));
        break;
    }
    }
    asl_buf_puts(b, "}\n\n");
    return id;
}

/* ---- states ------------------------------------------------------------------------------ */

static void emit_machine(E *e, const ir_machine *m);

static void emit_header(E *e, const ir_state *s)
{
    asl_buf *b = &e->code;
    asl_buf_puts(b, "/* ==== State \"");
    ccomment(b, s->name);
    put(b, "\" (%s) at ", ir_state_type_name(s->type));
    ccomment(b, s->loc.ptr);
    if (s->loc.line) put(b, ", line %d", s->loc.line);
    asl_buf_puts(b, " ==== */\n");
    put(b, "static const asl_state_info S_%s = {", s->cname);
    cstrz(b, s->name);
    put(b, ", \"%s\", ", ir_state_type_name(s->type));
    cstrz(b, s->loc.ptr);
    asl_buf_puts(b, "};\n\n");
}

/* The transition at the end of a state: a tail call, or the end of its flow. */
static void emit_goto(asl_buf *b, const ir_state *target, const char *val, int ind)
{
    if (target) put(b, "%*sreturn %s(x, %s);\n", ind, "", target->cname, val);
    else put(b, "%*sreturn %s;\n", ind, "", val);
}

static void emit_input_path(E *e, asl_buf *b, const ir_state *s)
{
    if (s->input_path_null)
        asl_buf_puts(b, "    v = asl_object(asl_exec_arena(x), 0);  /* InputPath: null */\n");
    else if (s->input_path && s->input_path->nseg + s->input_path->root)
        put(b, "    if (!(v = asl_input_path(x, in, &P_%u))) return NULL;  /* InputPath */\n",
            emit_path(e, s->input_path));
}

static void emit_output_path(E *e, asl_buf *b, const ir_state *s)
{
    if (s->output_path_null)
        asl_buf_puts(b, "    v = asl_object(asl_exec_arena(x), 0);  /* OutputPath: null */\n");
    else if (s->output_path && s->output_path->nseg + s->output_path->root)
        put(b, "    if (!(v = asl_output_path(x, v, &P_%u))) return NULL;  /* OutputPath */\n",
            emit_path(e, s->output_path));
}

static void emit_result_path(E *e, asl_buf *b, const ir_state *s)
{
    if (s->result_path_null)
        asl_buf_puts(b, "    v = in;  /* ResultPath: null */\n");
    else if (s->result_path && s->result_path->nseg)
        put(b, "    if (!(v = asl_result_path(x, in, r, &P_%u))) return NULL;  /* ResultPath */\n",
            emit_path(e, s->result_path));
    else
        asl_buf_puts(b, "    v = r;  /* ResultPath: $ */\n");
}

static void emit_errors(E *e, const char *name, const char **errors, uint32_t n)
{
    put(&e->data, "static const char *const %s[] = {", name);
    for (uint32_t i = 0; i < n; i++) {
        if (i) asl_buf_puts(&e->data, ", ");
        cstrz(&e->data, errors[i]);
    }
    asl_buf_puts(&e->data, "};\n");
}

/* do_X: the state's data flow from its raw input to its output. */
static void emit_do(E *e, const ir_state *s)
{
    asl_buf b;
    asl_buf_init(&b);
    uint32_t tp = 0, rs = 0;
    bool has_tp = s->parameters != NULL, has_rs = s->result_selector != NULL;
    if (has_tp) tp = emit_tmpl(e, s->parameters, "Parameters", s);
    if (has_rs) rs = emit_tmpl(e, s->result_selector, "ResultSelector", s);

    asl_buf_puts(&b, "    asl_value *v = in, *r;\n    (void)r;\n");
    emit_input_path(e, &b, s);
    if (has_tp) put(&b, "    if (!(v = tp_%u(x, v))) return NULL;  /* Parameters */\n", tp);

    switch (s->type) {
    case IR_PASS:
        if (s->result) put(&b, "    r = K[%u];  /* Result */\n", emit_const(e, s->result_text));
        else asl_buf_puts(&b, "    r = v;\n");
        break;
    case IR_TASK: {
        put(&e->data, "static const asl_task_site T_%s = {%u, ", s->cname, s->site);
        cstrz(&e->data, s->name);
        asl_buf_puts(&e->data, ", ");
        cstrz(&e->data, s->resource);
        put(&e->data, ", %.17g, %.17g};\n", s->timeout, s->heartbeat);
        if (s->timeout_path || s->heartbeat_path) {
            asl_buf_puts(&b, "    asl_value *to = NULL, *hb = NULL;\n");
            if (s->timeout_path)
                put(&b, "    if (!(to = asl_input_path(x, v, &P_%u))) return NULL;\n",
                    emit_path(e, s->timeout_path));
            if (s->heartbeat_path)
                put(&b, "    if (!(hb = asl_input_path(x, v, &P_%u))) return NULL;\n",
                    emit_path(e, s->heartbeat_path));
            put(&b, "    if (!(r = asl_task_timed(x, &T_%s, v, to, hb))) return NULL;\n", s->cname);
        } else {
            put(&b, "    if (!(r = asl_task(x, &T_%s, v))) return NULL;\n", s->cname);
        }
        break;
    }
    case IR_PARALLEL:
        put(&e->data, "static const asl_state_fn B_%s[] = {", s->cname);
        for (uint32_t i = 0; i < s->nbranches; i++)
            put(&e->data, "%s%s", i ? ", " : "",
                s->branches[i] && s->branches[i]->start ? s->branches[i]->start->cname : "NULL");
        asl_buf_puts(&e->data, "};\n");
        put(&b, "    if (!(r = asl_parallel(x, v, B_%s, %u))) return NULL;\n", s->cname, s->nbranches);
        break;
    case IR_MAP: {
        uint32_t sel = 0;
        bool has_sel = s->item_selector != NULL;
        if (has_sel) sel = emit_tmpl(e, s->item_selector, "ItemSelector", s);
        char selname[32] = "NULL";
        if (has_sel) {
            snprintf(selname, sizeof selname, "tp_%u", sel);
            put(&e->data, "static asl_value *tp_%u(asl_exec *x, asl_value *in);\n", sel);
        }
        char biname[32] = "NULL";
        if (s->batch_input) {
            snprintf(biname, sizeof biname, "tp_%u", emit_tmpl(e, s->batch_input, "BatchInput", s));
            put(&e->data, "static asl_value *%s(asl_exec *x, asl_value *in);\n", biname);
        }
        put(&e->data,
            "static const asl_map_info M_%s = {%s, %s, %u, %d, %.17g, .distributed = %d, "
            ".batched = %d, .max_items_per_batch = %u, .max_bytes_per_batch = %u, "
            ".batch_input = %s};\n",
            s->cname, s->processor && s->processor->start ? s->processor->start->cname : "NULL",
            selname, s->max_concurrency, s->tolerated_count, s->tolerated_percent, s->distributed,
            s->batched, s->max_items_per_batch, s->max_bytes_per_batch, biname);
        asl_buf_puts(&b, "    asl_value *items = v;\n");
        if (s->items_path && s->items_path->nseg + s->items_path->root)
            put(&b, "    if (!(items = asl_input_path(x, v, &P_%u))) return NULL;  /* ItemsPath */\n",
                emit_path(e, s->items_path));
        const asl_path *settings[5] = {s->max_concurrency_path, s->tolerated_count_path,
                                       s->tolerated_percent_path, s->max_items_per_batch_path,
                                       s->max_bytes_per_batch_path};
        static const char *const which[5] = {"ASL_MAP_MAX_CONCURRENCY", "ASL_MAP_TOLERATED_COUNT",
                                             "ASL_MAP_TOLERATED_PERCENT",
                                             "ASL_MAP_MAX_ITEMS_PER_BATCH",
                                             "ASL_MAP_MAX_BYTES_PER_BATCH"};
        if (settings[0] || settings[1] || settings[2] || settings[3] || settings[4]) {
            put(&b, "    asl_map_info mi = M_%s;\n", s->cname);
            for (int k = 0; k < 5; k++)
                if (settings[k])
                    put(&b, "    if (!asl_map_setting(x, v, &P_%u, %s, &mi)) return NULL;\n",
                        emit_path(e, settings[k]), which[k]);
            asl_buf_puts(&b, "    if (!(r = asl_map(x, v, items, &mi))) return NULL;\n");
        } else {
            put(&b, "    if (!(r = asl_map(x, v, items, &M_%s))) return NULL;\n", s->cname);
        }
        break;
    }
    default:
        break;
    }
    if (has_rs) put(&b, "    if (!(r = tp_%u(x, r))) return NULL;  /* ResultSelector */\n", rs);
    if (s->type == IR_PASS || s->type == IR_TASK || s->type == IR_PARALLEL || s->type == IR_MAP)
        emit_result_path(e, &b, s);
    emit_output_path(e, &b, s);
    asl_buf_puts(&b, "    return asl_leave(x, v);\n");

    put(&e->code, "ASL_HELPER asl_value *do_%s(asl_exec *x, asl_value *in)\n{\n", s->cname);
    asl_buf_put(&e->code, b.data, b.len);
    asl_buf_puts(&e->code, "}\n\n");
    asl_buf_free(&b);
}

static void emit_retry_catch(E *e, const ir_state *s)
{
    if (s->nretry) {
        for (uint32_t i = 0; i < s->nretry; i++) {
            char n[96];
            snprintf(n, sizeof n, "RE_%s_%u", s->cname, i);
            emit_errors(e, n, s->retry[i].errors, s->retry[i].nerrors);
        }
        put(&e->data, "static const asl_retrier R_%s[] = {\n", s->cname);
        for (uint32_t i = 0; i < s->nretry; i++) {
            const ir_retrier *r = &s->retry[i];
            put(&e->data, "    {RE_%s_%u, %u, %d, %.17g, %.17g, %.17g, %d},\n", s->cname, i, r->nerrors,
                r->max_attempts, r->interval, r->backoff, r->max_delay, r->jitter);
        }
        asl_buf_puts(&e->data, "};\n");
        put(&e->code,
            "ASL_HELPER asl_value *try_%s(asl_exec *x, asl_value *in)\n{\n"
            "    uint32_t counts[%u] = {0};\n    asl_value *v;\n"
            "    while (!(v = do_%s(x, in)) && asl_retry(x, R_%s, %u, counts)) {}\n"
            "    return v;\n}\n\n",
            s->cname, s->nretry, s->cname, s->cname, s->nretry);
    }
    if (s->ncatch) {
        for (uint32_t i = 0; i < s->ncatch; i++) {
            char n[96];
            snprintf(n, sizeof n, "CE_%s_%u", s->cname, i);
            emit_errors(e, n, s->catch_[i].errors, s->catch_[i].nerrors);
        }
        put(&e->data, "static const asl_catcher C_%s[] = {", s->cname);
        for (uint32_t i = 0; i < s->ncatch; i++)
            put(&e->data, "%s{CE_%s_%u, %u}", i ? ", " : "", s->cname, i, s->catch_[i].nerrors);
        asl_buf_puts(&e->data, "};\n");
    }
}

static void emit_state(E *e, const ir_state *s)
{
    asl_buf *b;
    if (s->type == IR_PARALLEL)
        for (uint32_t i = 0; i < s->nbranches; i++)
            if (s->branches[i]) emit_machine(e, s->branches[i]);
    if (s->type == IR_MAP && s->processor) emit_machine(e, s->processor);

    emit_header(e, s);
    b = &e->code;
    switch (s->type) {
    case IR_PASS:
    case IR_TASK:
    case IR_PARALLEL:
    case IR_MAP: {
        emit_do(e, s);
        emit_retry_catch(e, s);
        put(b, "static asl_value *%s(asl_exec *x, asl_value *in)\n{\n", s->cname);
        put(b, "    if (!asl_enter(x, &S_%s)) return NULL;\n", s->cname);
        put(b, "    asl_value *v = %s_%s(x, in);\n", s->nretry ? "try" : "do", s->cname);
        if (s->ncatch) {
            asl_buf_puts(b, "    if (!v) {\n        asl_value *err;\n        switch (asl_catch(x, C_");
            put(b, "%s, %u)) {\n", s->cname, s->ncatch);
            for (uint32_t i = 0; i < s->ncatch; i++) {
                const ir_catcher *c = &s->catch_[i];
                put(b, "        case %u:  /* Catch ", i);
                for (uint32_t k = 0; k < c->nerrors; k++) {
                    ccomment(b, c->errors[k]);
                    asl_buf_puts(b, k + 1 < c->nerrors ? ", " : "");
                }
                asl_buf_puts(b, " */\n            err = asl_error_value(x);\n"
                                "            asl_error_clear(x);\n");
                if (c->result_path_null)
                    asl_buf_puts(b, "            v = in;\n");
                else if (c->result_path && c->result_path->nseg)
                    put(b, "            if (!(v = asl_result_path(x, in, err, &P_%u))) return NULL;\n",
                        emit_path(e, c->result_path));
                else
                    asl_buf_puts(b, "            v = err;\n");
                emit_goto(b, c->target, "v", 12);
            }
            asl_buf_puts(b, "        default:\n            return NULL;\n        }\n    }\n");
        } else {
            asl_buf_puts(b, "    if (!v) return NULL;\n");
        }
        emit_goto(b, s->target, "v", 4);
        asl_buf_puts(b, "}\n\n");
        break;
    }
    case IR_WAIT:
    case IR_SUCCEED: {
        asl_buf body;
        asl_buf_init(&body);
        asl_buf_puts(&body, "    asl_value *v = in;\n");
        emit_input_path(e, &body, s);
        if (s->type == IR_WAIT) {
            if (s->has_seconds)
                put(&body, "    if (!asl_wait_seconds(x, %.17g)) return NULL;\n", s->seconds);
            else if (s->timestamp) {
                asl_buf_puts(&body, "    if (!asl_wait_until(x, ");
                cstrz(&body, s->timestamp);
                asl_buf_puts(&body, ")) return NULL;\n");
            } else if (s->seconds_path || s->timestamp_path) {
                const asl_path *p = s->seconds_path ? s->seconds_path : s->timestamp_path;
                put(&body, "    asl_value *w;\n    if (!(w = asl_input_path(x, v, &P_%u))) return NULL;\n",
                    emit_path(e, p));
                put(&body, "    if (!asl_wait_%s_value(x, w, ", s->seconds_path ? "seconds" : "until");
                cstrz(&body, p->text);
                asl_buf_puts(&body, ")) return NULL;\n");
            }
        }
        emit_output_path(e, &body, s);
        put(b, "static asl_value *%s(asl_exec *x, asl_value *in)\n{\n", s->cname);
        put(b, "    if (!asl_enter(x, &S_%s)) return NULL;\n", s->cname);
        asl_buf_put(b, body.data, body.len);
        asl_buf_free(&body);
        if (s->type == IR_WAIT) {
            asl_buf_puts(b, "    if (!(v = asl_leave(x, v))) return NULL;\n");
            emit_goto(b, s->target, "v", 4);
        }
        else asl_buf_puts(b, "    return asl_leave(x, v);\n");
        asl_buf_puts(b, "}\n\n");
        break;
    }
    case IR_FAIL: {
        asl_buf body;
        asl_buf_init(&body);
        asl_buf_puts(&body, "    const char *error = ");
        cstrz(&body, s->error);
        asl_buf_puts(&body, ", *cause = ");
        cstrz(&body, s->cause);
        asl_buf_puts(&body, ";\n");
        if (s->error_path)
            put(&body, "    asl_value *ev;\n    if (!(ev = asl_input_path(x, in, &P_%u))) return NULL;\n"
                       "    error = ev->type == ASL_STRING ? ev->u.str : asl_json_string(asl_exec_arena(x), ev, NULL);\n",
                emit_path(e, s->error_path));
        if (s->cause_path)
            put(&body, "    asl_value *cv;\n    if (!(cv = asl_input_path(x, in, &P_%u))) return NULL;\n"
                       "    cause = cv->type == ASL_STRING ? cv->u.str : asl_json_string(asl_exec_arena(x), cv, NULL);\n",
                emit_path(e, s->cause_path));
        put(b, "static asl_value *%s(asl_exec *x, asl_value *in)\n{\n", s->cname);
        put(b, "    if (!asl_enter(x, &S_%s)) return NULL;\n", s->cname);
        asl_buf_put(b, body.data, body.len);
        asl_buf_puts(b, "    (void)in;\n    return asl_fail(x, error, cause);\n}\n\n");
        asl_buf_free(&body);
        break;
    }
    case IR_CHOICE: {
        uint32_t ids[s->nchoices ? s->nchoices : 1];
        for (uint32_t i = 0; i < s->nchoices; i++) ids[i] = s->choices[i] ? emit_rule(e, s->choices[i]) : 0;
        asl_buf body;
        asl_buf_init(&body);
        asl_buf_puts(&body, "    asl_value *v = in, *out;\n    int m;\n");
        emit_input_path(e, &body, s);
        asl_buf_puts(&body, "    out = v;\n");
        if (s->output_path_null)
            asl_buf_puts(&body, "    out = asl_object(asl_exec_arena(x), 0);  /* OutputPath: null */\n");
        else if (s->output_path && s->output_path->nseg + s->output_path->root)
            put(&body, "    if (!(out = asl_output_path(x, v, &P_%u))) return NULL;  /* OutputPath */\n",
                emit_path(e, s->output_path));
        for (uint32_t i = 0; i < s->nchoices; i++) {
            const ir_rule *r = s->choices[i];
            if (!r) continue;
            put(&body, "    if ((m = r_%u(x, v)) < 0) return NULL;\n    if (m)", ids[i]);
            asl_buf_puts(&body, " /* -> ");
            ccomment(&body, r->next ? r->next : "");
            asl_buf_puts(&body, " */\n");
            emit_goto(&body, r->target, "out", 8);
        }
        if (s->default_target)
            emit_goto(&body, s->default_target, "out", 4);
        else
            asl_buf_puts(&body, "    (void)out;\n    return asl_fail_state(x, \"States.NoChoiceMatched\", "
                                "\"No Matches!\");\n");
        put(b, "static asl_value *%s(asl_exec *x, asl_value *in)\n{\n", s->cname);
        put(b, "    if (!asl_enter(x, &S_%s)) return NULL;\n", s->cname);
        asl_buf_put(b, body.data, body.len);
        asl_buf_puts(b, "}\n\n");
        asl_buf_free(&body);
        break;
    }
    default:
        break;
    }
}

static void emit_machine(E *e, const ir_machine *m)
{
    for (uint32_t i = 0; i < m->nstates; i++)
        if (m->states[i]) emit_state(e, m->states[i]);
}

void aslc_emit_c(asl_buf *out, const ir_program *p, const aslc_emit_opts *o)
{
    E e;
    memset(&e, 0, sizeof e);
    e.p = p;
    asl_buf_init(&e.data);
    asl_buf_init(&e.code);
    asl_buf_init(&e.consts);
    emit_machine(&e, p->top);

    put(out, "/*\n * Generated by aslc %s from ", ASLC_VERSION);
    ccomment(out, o->source_name ? o->source_name : "?");
    asl_buf_puts(out, ".  Do not edit: edit the definition and compile again.\n"
                      " * Each state is a function st_<Name>; transitions are tail calls.\n */\n"
                      "#include \"asl.h\"\n\n"
                      "/* Helpers stay out of line, so that no cleanup of theirs follows a\n"
                      " * transition and every transition remains a tail call. */\n"
                      "#define ASL_HELPER static __attribute__((noinline))\n\n");
    asl_buf_puts(out, "/* ---- states ---- */\n");
    for (uint32_t i = 0; i < p->nall; i++)
        put(out, "static asl_value *%s(asl_exec *x, asl_value *in);\n", p->all[i]->cname);
    put(out, "\n/* ---- constants, parsed once at start ---- */\nstatic asl_value *K[%u];\n",
        e.nconsts ? e.nconsts : 1);
    put(out, "static const char *const K_text[%u] = {\n", e.nconsts ? e.nconsts : 1);
    if (e.nconsts) asl_buf_put(out, e.consts.data, e.consts.len);
    else asl_buf_puts(out, "    NULL\n");
    asl_buf_puts(out, "};\n\nstatic void init_constants(asl_arena *a)\n{\n");
    put(out, "    for (unsigned i = 0; i < %u; i++) K[i] = asl_const(a, K_text[i]);\n", e.nconsts);
    asl_buf_puts(out, "    (void)a;\n}\n\n/* ---- paths, tasks, retriers, catchers ---- */\n");
    asl_buf_put(out, e.data.data, e.data.len);
    asl_buf_puts(out, "\n");
    asl_buf_put(out, e.code.data, e.code.len);

    asl_buf_puts(out, "/* ---- the program ---- */\n");
    for (uint32_t i = 0; i < o->nnatives; i++)
        put(out, "asl_value *%s(asl_task_ctx *t, asl_value *input);\n", o->natives[i]);
    put(out, "static const asl_native natives[%u] = {", o->nnatives ? o->nnatives : 1);
    for (uint32_t i = 0; i < o->nnatives; i++) {
        put(out, "%s{", i ? ", " : "");
        cstrz(out, o->natives[i]);
        put(out, ", %s}", o->natives[i]);
    }
    if (!o->nnatives) asl_buf_puts(out, "{NULL, NULL}");
    asl_buf_puts(out, "};\n");
    put(out, "static const asl_task_site *const sites[%u] = {", p->ntasks ? p->ntasks : 1);
    for (uint32_t i = 0; i < p->ntasks; i++) put(out, "%s&T_%s", i ? ", " : "", p->tasks[i]->cname);
    if (!p->ntasks) asl_buf_puts(out, "NULL");
    asl_buf_puts(out, "};\n\nconst asl_program asl_main_program = {\n    ");
    cstrz(out, p->name);
    put(out, ",\n    %s,\n    init_constants,\n    ", p->top->start ? p->top->start->cname : "NULL");
    cstrz(out, o->resources_json);
    asl_buf_puts(out, ",\n    ");
    cstrz(out, o->mocks_json);
    put(out, ",\n    natives, %u,\n    sites, %u,\n    %.17g,\n    %s\n};\n", o->nnatives, p->ntasks,
        p->top->timeout, o->allow_unbound ? "true" : "false");

    asl_buf_free(&e.data);
    asl_buf_free(&e.code);
    asl_buf_free(&e.consts);
}
