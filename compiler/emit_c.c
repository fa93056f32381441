/*
 * emit_c.c — the C back end: IR to C source.
 *
 * Each state becomes a function `st_<Name>` headed by a comment with the
 * state's name, type and JSON pointer; a transition is a tail call to the
 * next state's function.  Around them:
 *   S_  state descriptors           P_  pre-parsed JSONPaths, one per distinct path
 *   K[] constants, one per distinct JSON text (parsed once at start)
 *   fn_ intrinsic calls              r_ Choice rules as straight-line comparisons
 *   do_ the data flow of a state that retries, try_ its Retry loop
 *   tp_ a Map's item selector or batch input
 * In a small program a state's data flow is a run of runtime calls in its
 * function, one per step, its templates (Parameters, ResultSelector) blocks
 * of straight-line code.  In a large one (aslc_layout_of) they are data, so
 * that the C compiler's time stays low and linear in the number of states:
 *   TP_ templates, built by asl_template()
 *   F_  a state's data flow (InputPath ... OutputPath), run by asl_pass, or
 *       by asl_flow_in and asl_flow_out around the state's work.
 *
 * A program of more than a few hundred states is one file compiled in
 * parts (aslc_layout_of): its states are cut into runs of consecutive
 * groups, each between `#if ASL_IN_PART(k)` and `#endif`, and build.c
 * compiles the file once per processor, each time with a run of parts
 * (-DASL_PART_FIRST=i -DASL_PART_LAST=j), in parallel, then links the
 * objects; compiled without them the file is one ordinary translation unit.
 * What every part needs (the prototypes of the states, K, the paths and the
 * task sites) comes first.  In a large program the states of a part are
 * the blocks of one function, part_<k> (see E.entry).
 *
 * The output depends only on the IR: same definition, same bytes.
 */
#include "lir.h"
#include "aslc_config.h"
#include "intrinsic.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const ir_program *p;
    asl_buf data;     /* what every part sees: paths and task sites */
    asl_buf code;     /* the states, part after part */
    lir_program *lp;         /* the lowering (lower.c), its records made as they are printed */
    lir_names names;         /* the records' names, which are printed */
    uint32_t nconsts;
    asl_buf consts;   /* K_text initialiser */
    aslc_ids kids;    /* JSON text -> K[n] */
    aslc_layout lay;
    uint32_t part;           /* the part being written */
    /* A large program (lay.big) runs the states of a part in one function,
     * part_<k>: a state is a block of it, labelled st_<Name>, and a
     * transition within the part a goto.  The C compiler's time goes by
     * function more than by statement (about 1-2 ms a function at -O1), so
     * that 10,000 states in 50 functions compile several times faster than
     * in 10,000.  A state that is entered from elsewhere (a start, a
     * transition from another part) keeps a function st_<Name> that enters
     * its part at its block. */
    asl_buf blocks;          /* the blocks of the part being written */
} E;

/* The st_ function of state i: its part, its entry (lower.c). */
#define SF(e, i) ((e)->lp->state_fn[i])

static void put(asl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(asl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    asl_buf_vprintf(b, fmt, ap);
    va_end(ap);
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

/* s (n bytes) or NULL */
static void cstrn(asl_buf *b, const char *s, size_t n)
{
    if (!s) asl_buf_puts(b, "NULL");
    else cstr(b, s, n);
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

static uint32_t emit_const(E *e, const char *json_text);
static uint32_t emit_tmpl_fn(E *e, asl_buf *d, const lir_fn *f);
static uint32_t emit_call_fn(E *e, const lir_fn *f);

static const char *dname(E *e, const lir_data *d) { return lir_data_name(&e->names, e->lp, d); }

/* How a value of record d refers to record x (an array is its address). */
static const char *dref(E *e, asl_buf *sect, const lir_data *x);

static void dval(E *e, asl_buf *b, const lir_val *v)
{
    switch ((lir_vk)v->k) {
    case LIR_V_INT:
        if (v->sym) asl_buf_puts(b, v->sym);
        else put(b, "%lld", (long long)v->i);
        break;
    case LIR_V_NUM: put(b, "%.17g", v->num); break;
    case LIR_V_STR: cstr(b, v->str, v->len); break;
    case LIR_V_NULL: asl_buf_puts(b, "NULL"); break;
    case LIR_V_DATA: asl_buf_puts(b, dref(e, NULL, v->data)); break;   /* printed: dref did it first */
    case LIR_V_FN: asl_buf_puts(b, v->fn->name); break;
    case LIR_V_SYM: asl_buf_puts(b, v->str); break;
    case LIR_V_K: put(b, "&K[%u]", emit_const(e, v->str)); break;
    }
}

/* Record d as a static initialiser into b: positional fields, or `.name =`. */
static void drecord(E *e, asl_buf *b, const lir_data *d)
{
    const lir_struct *st = &lir_structs[d->st];
    bool scalar = st->n == 1 && !st->f[0].name, open = false;
    uint32_t rows = 0;
    for (uint32_t i = 0; i < d->nv; i++) rows += d->v[i].row;
    put(b, "%sconst %s %s", d->shared ? "" : "static ", st->ctype, dname(e, d));
    if (d->array && d->sized) put(b, "[%u] = {", rows);
    else put(b, "%s = {", d->array ? "[]" : "");
    if (d->note) {
        asl_buf_puts(b, "  /* ");
        ccomment(b, d->note);
        asl_buf_puts(b, " */");
    }
    if (d->lines) asl_buf_puts(b, d->array ? "\n" : "\n    ");   /* an element, or a field, a line */
    const char *comment = NULL;
    for (uint32_t i = 0; i < d->nv; i++) {
        const lir_val *v = &d->v[i];
        if (d->array && v->row && !scalar) {
            if (open) asl_buf_puts(b, d->lines ? "}," : "}");
            if (open && comment) {
                asl_buf_puts(b, "  /* ");
                ccomment(b, comment);
                asl_buf_puts(b, " */");
            }
            comment = NULL;
            asl_buf_puts(b, d->lines ? (open ? "\n    {" : "    {") : (i ? ", {" : "{"));
            open = true;
        } else if (i) {
            asl_buf_puts(b, d->lines && !d->array ? ",\n    " : ", ");
        }
        if (v->named) put(b, ".%s = ", st->f[v->field].name);
        dval(e, b, v);
        if (v->comment) comment = v->comment;
    }
    if (!d->nv && !d->array) asl_buf_puts(b, "0");
    if (open) asl_buf_puts(b, d->lines ? "}," : "}");
    if (open && comment) {
        asl_buf_puts(b, "  /* ");
        ccomment(b, comment);
        asl_buf_puts(b, " */");
    }
    asl_buf_puts(b, d->lines ? "\n};" : "};");
    if (d->tail) {
        asl_buf_puts(b, "  /* ");
        ccomment(b, d->tail);
        asl_buf_puts(b, " */");
    }
    asl_buf_putc(b, '\n');
}

/* Prints record x the first time (after what it points at: records,
 * helper functions, constants) into the program's data or sect, the data
 * of the state being written; returns how a value refers to it. */
static const char *dref(E *e, asl_buf *sect, const lir_data *x)
{
    const char *n = dname(e, x);
    if (!e->names.done[x->id]) {
        e->names.done[x->id] = 1;
        asl_buf *b = x->global ? &e->data : sect, fns;   /* the tp_ functions it names go just before it */
        asl_buf_init(&fns);
        for (uint32_t i = 0; i < x->nv; i++) {
            const lir_val *v = &x->v[i];
            if (v->k == LIR_V_DATA) dref(e, b, v->data);
            else if (v->k == LIR_V_K) emit_const(e, v->str);
            else if (v->k == LIR_V_FN && v->fn->kind == LIR_FN_TMPL) emit_tmpl_fn(e, &fns, v->fn);
            else if (v->k == LIR_V_FN && v->fn->kind == LIR_FN_CALL) emit_call_fn(e, v->fn);
        }
        asl_buf_put(b, fns.data, fns.len);
        asl_buf_free(&fns);
        drecord(e, b, x);
    }
    return x->array ? n : asl_sprintf(e->p->arena, "&%s", n);
}

/* The number n of p's descriptor P_n, printed the first time the path is seen. */
static uint32_t emit_path(E *e, const asl_path *p)
{
    const lir_data *d = lir_data_path(e->lp, p);
    dref(e, NULL, d);
    return e->names.num[d->id];
}

/* ---- constants ------------------------------------------------------------------ */

/* The number of the constant K[n] of this JSON text. */
static uint32_t emit_const(E *e, const char *json_text)
{
    bool fresh;
    uint32_t id = aslc_ids_get(&e->kids, json_text, strlen(json_text), &fresh);
    if (!fresh) return id;
    e->nconsts++;
    asl_buf_puts(&e->consts, "    ");
    cstrz(&e->consts, json_text);
    asl_buf_puts(&e->consts, ",\n");
    return id;
}

/* ---- intrinsic calls and templates ---------------------------------------------------
 * Printed op by op by sp_op, as the state's other ops: a template's ops are
 * in pre-order (a container's NEW, per member the ops of its value and the
 * MEMBER or PUSH that stores it, then BOUND for an object of known keys),
 * each value a local r<n>. */

typedef struct sp sp;
static void sp_body(sp *q, asl_buf *b, const lir_fn *f);
static sp *sp_new(E *e, const ir_state *s, asl_buf *d);

/* fn_n: a call out of line, its arguments in a[], op by op after the
 * helpers they call; returns n. */
static uint32_t emit_call_fn(E *e, const lir_fn *f)
{
    asl_buf d, b;
    asl_buf_init(&d);
    asl_buf_init(&b);
    sp *q = sp_new(e, NULL, &d);
    sp_body(q, &b, f);
    free(q);
    asl_buf_put(&e->code, d.data, d.len);
    const lir_op *c = &f->ops[f->nops - 2];   /* the CALL, then the return */
    put(&e->code, "ASL_HELPER asl_value *%s(asl_exec *x, asl_value *in)", f->name);
    if (c->note) {
        asl_buf_puts(&e->code, "  /* ");
        ccomment(&e->code, c->note);
        asl_buf_puts(&e->code, " */");
    }
    asl_buf_puts(&e->code, c->call->argc ? "\n{\n" : "\n{\n    (void)in;\n");
    asl_buf_put(&e->code, b.data, b.len);
    asl_buf_puts(&e->code, "}\n\n");
    asl_buf_free(&d);
    asl_buf_free(&b);
    return f->num;
}

/* static const asl_tmpl TP_n[] of a large program's TEMPLATE op o into b
 * (after what it needs); returns n. */
static uint32_t emit_tmpl(E *e, asl_buf *b, const lir_op *o)
{
    dref(e, b, lir_data_tmpl(e->lp, o));
    return o->len;
}

/* A Map's item selector or batch input, tp_n(x, in) (lower.c's tp_ function
 * f), op by op into d; returns n. */
static uint32_t emit_tmpl_fn(E *e, asl_buf *d, const lir_fn *f)
{
    asl_buf b;
    asl_buf_init(&b);
    sp *q = sp_new(e, NULL, d);
    sp_body(q, &b, f);
    free(q);
    put(d, "static asl_value *%s(asl_exec *x, asl_value *in)\n{\n", f->name);
    asl_buf_put(d, b.data, b.len);
    asl_buf_puts(d, "}\n");
    asl_buf_free(&b);
    return f->num;
}

/* ---- Choice rules --------------------------------------------------------------------- */

static const char *const cmp_names[] = {"ASL_CMP_EQ", "ASL_CMP_LT", "ASL_CMP_GT", "ASL_CMP_LE", "ASL_CMP_GE"};

/* The rule function f (lower.c's r_n), after the rules it calls: a case per op. */
static void emit_rule(E *e, const lir_fn *f)
{
    for (uint32_t i = 0; i < f->nops; i++)
        if (f->ops[i].k == LIR_RULE) emit_rule(e, f->ops[i].target_fn);
    const ir_rule *r = lir_rule_of(f);
    asl_buf *b = &e->code;
    /* A rule that passes the address of a local (Is*, IsPresent) stays out of
     * line (ASL_HELPER); the others may be inlined into their state. */
    put(b, "/* %s */\n%s int %s(asl_exec *x, asl_value *in)\n{\n", r->loc.ptr,
        lir_rule_addr(f) ? "ASL_HELPER" : "static", f->name);
    const lir_op *last = &f->ops[f->nops - 1];
    if (last->k == LIR_RULE && r->op == IR_OP_NOT) {
        put(b, "    int m = %s(x, in);\n    return m < 0 ? m : !m;\n}\n\n", last->target_fn->name);
        return;
    }
    if (last->k == LIR_RULE) {
        /* And: the first rule that is not true decides; Or: the first that is not false. */
        int stop = r->op == IR_OP_AND ? 1 : 0;
        asl_buf_puts(b, "    int m;\n");
        for (uint32_t i = 0; i < f->nops; i++)
            put(b, "    if ((m = %s(x, in)) != %d) return m;\n", f->ops[i].target_fn->name, stop);
        put(b, "    return %d;\n}\n\n", stop);
        return;
    }
    const char *is = r->b ? "true" : "false";
    for (uint32_t i = 0; i < f->nops; i++) {
        const lir_op *o = &f->ops[i];
        uint32_t pid = o->path ? emit_path(e, o->path) : 0;
        switch (o->rt) {
        case LIR_RT_PATH_SELECT:
            if (r->op == IR_OP_IS_PRESENT) {
                put(b, "    asl_value *v;\n    return asl_path_select(x, in, &P_%u, &v) == %s;\n}\n\n", pid, is);
                return;
            }
            /* Is* tests on an absent variable are false, not an error. */
            put(b, "    asl_value *v;\n    if (!asl_path_select(x, in, &P_%u, &v)) return 0;\n", pid);
            put(b, "    return (%s) == %s;\n}\n\n",
                r->op == IR_OP_IS_NULL      ? "v->type == ASL_NULL"
                : r->op == IR_OP_IS_NUMERIC ? "v->type == ASL_NUMBER"
                : r->op == IR_OP_IS_STRING  ? "v->type == ASL_STRING"
                : r->op == IR_OP_IS_BOOLEAN ? "asl_is_bool(v)"
                                            : "asl_choice_is_timestamp(v)",
                is);
            return;
        case LIR_RT_JN_SLOT:   /* the Condition in line (lir_jnfast); the ops after it when it declines */
            asl_buf_puts(b, "    {\n        const asl_value *j = asl_jn_slot(x, ");
            put(b, "%uu, ", o->jf->var_slot);
            cstr(b, o->jf->var, o->jf->var_len);
            put(b, ", %uu);\n        if (j && j->type == ASL_NUMBER && __builtin_isfinite(j->u.n.num)) return "
                "j->u.n.num %s (%.17g);\n    }\n", o->jf->var_len, lir_jf_c[o->jf->op], o->jf->num);
            break;
        case LIR_RT_CHOICE_VAR: {
            /* (the second path of a ...Path operator is w; a Condition in line goes before v) */
            char vw = i && f->ops[i - 1].rt == LIR_RT_CHOICE_VAR ? 'w' : 'v';
            put(b, "    asl_value *%c = asl_choice_var_c(x, in, &P_%u);\n    if (!%c) return -1;\n", vw, pid, vw);
            break;
        }
        case LIR_RT_CHOICE_STRING:
            put(b, "    return asl_choice_string(v, %s, ", cmp_names[o->n]);
            cstr(b, o->str, o->len);
            put(b, ", %u);\n", o->len);
            break;
        case LIR_RT_CHOICE_TIMESTAMP:
            put(b, "    return asl_choice_timestamp(v, %s, ", cmp_names[o->n]);
            cstr(b, o->str, o->len);
            asl_buf_puts(b, ");\n");
            break;
        case LIR_RT_CHOICE_MATCHES:
            asl_buf_puts(b, "    return asl_choice_matches_n(v, ");
            cstr(b, o->str, o->len);
            put(b, ", %u);\n", o->len);
            break;
        case LIR_RT_CHOICE_NUMBER:
            put(b, "    return asl_choice_number_c(v, %s, %.17g);\n", cmp_names[o->n], o->num);
            break;
        case LIR_RT_CHOICE_BOOLEAN:
            put(b, "    return asl_choice_boolean(v, %s);\n", is);
            break;
        case LIR_RT_CHOICE_BOOLEAN_V:
            asl_buf_puts(b, "    return asl_choice_boolean_v(v, w);\n");
            break;
        default:   /* asl_choice_{string,number,timestamp}_v */
            put(b, "    return %s(v, %s, w);\n", lir_rt_table[o->rt].name, cmp_names[o->n]);
            break;
        }
    }
    asl_buf_puts(b, "}\n\n");
}

/* ---- states ------------------------------------------------------------------------------ */

/* The state function's storage class: shared between the parts of a
 * program compiled in parts, static otherwise. */
static const char *st_link(const E *e) { return e->lay.parts > 1 ? "ASL_SHARED" : "static"; }

/* Ends the part being written: in a large program, its function and the
 * functions of its entries. */
static void end_part(E *e)
{
    if (!e->lay.big) return;
    const ir_program *p = e->p;
    asl_buf *b = &e->code;
    put(b, "/* ---- part %u: its states, each a block labelled st_<Name> ---- */\n", e->part);
    put(b, "static asl_value *part_%u(asl_exec *x, asl_value *in, unsigned at)\n{\n    switch (at) {\n", e->part);
    for (uint32_t i = 0; i < p->nall; i++)
        if (SF(e, i)->part == e->part && SF(e, i)->entry >= 0)
            put(b, "    case %d: goto %s;\n", SF(e, i)->entry, p->all[i]->cname);
    asl_buf_puts(b, "    }\n    return NULL;\n\n");
    asl_buf_put(b, e->blocks.data, e->blocks.len);
    e->blocks.len = 0;
    asl_buf_puts(b, "}\n\n");
    for (uint32_t i = 0; i < p->nall; i++)
        if (SF(e, i)->part == e->part && SF(e, i)->entry >= 0)
            put(b, "%s asl_value *%s(asl_exec *x, asl_value *in)\n{\n    return part_%u(x, in, %d);\n}\n\n",
                st_link(e), p->all[i]->cname, e->part, SF(e, i)->entry);
}

/* Starts the group of a state (its banner, helpers, descriptors and
 * functions, which nothing outside it uses); in a program compiled in
 * parts, the group may open a new part. */
static void begin_group(E *e, const ir_state *s)
{
    uint32_t part = SF(e, s->index)->part;
    if (part == e->part) return;
    end_part(e);
    e->part = part;
    put(&e->code, "#endif\n\n#if ASL_IN_PART(%u)\n", e->part);
}

/* Where the code of state s goes: its function, or in a large program its
 * block in its part's function. */
static asl_buf *state_code(E *e) { return e->lay.big ? &e->blocks : &e->code; }

/* Opens the code of state s (closed by "}"): its function, or its block. */
static void open_state(E *e, asl_buf *b, const ir_state *s)
{
    if (e->lay.big) put(b, "%s: __attribute__((unused));\n{\n", s->cname);
    else put(b, "%s asl_value *%s(asl_exec *x, asl_value *in)\n{\n", st_link(e), s->cname);
}

static void emit_banner(asl_buf *b, const ir_state *s)
{
    asl_buf_puts(b, "/* ==== State \"");
    ccomment(b, s->name);
    put(b, "\" (%s) at ", ir_state_type_name(s->type));
    ccomment(b, s->loc.ptr);
    if (s->loc.line) put(b, ", line %d", s->loc.line);
    asl_buf_puts(b, " ==== */\n");
}

static void emit_header(E *e, const ir_state *s)
{
    asl_buf *b = &e->code;
    emit_banner(b, s);
    if (e->lay.big) emit_banner(&e->blocks, s);
    dref(e, b, lir_data_state(e->lp, s, LIR_D_INFO));
    asl_buf_putc(b, '\n');
}

/* ---- a state's functions, printed from the LIR, a case per op ----------------------------
 * lower.c made every decision: which ops, in which function (st_, do_,
 * try_), where a failure goes, which transition jumps.  Each register is a
 * C local named after what it holds: v for the value flowing through the
 * state, else by the op that makes it (a path's note, a rule's m, a
 * catcher's err, ...); asl_assign's result keeps its operand's name.  What
 * the ops point at (paths, constants, templates, the descriptors of a Task,
 * a Parallel, a Map, Retry and Catch, a large program's F_) is written
 * into the state's data as the ops are printed. */

static const struct { const char *note, *name; } local_names[] = {
    {"ErrorPath", "ev"}, {"CausePath", "cv"}, {"SecondsPath", "w"}, {"TimestampPath", "w"},
    {"TimeoutSecondsPath", "to"}, {"HeartbeatSecondsPath", "hb"}, {"ItemsPath", "items"},
    {"Assign", "av"}, {"Output, Assign", "out"}, {"Credentials", "cr"},
};

struct sp {
    E *e;
    const ir_state *s;       /* the state, or NULL (fn_, tp_) */
    const lir_fn *f;
    asl_buf *d;              /* the state's data: descriptors, tp_ functions */
    const char **name;       /* register -> its C local */
    uint32_t *idx;           /* a shaped object's next member */
    char failed[300];        /* the label of the state's Catch */
    char go_failed[310];
    const char *fail;        /* what a failing op does: return NULL, goto failed */
    uint32_t ncaught;        /* CATCH ops printed */
    bool mi;                 /* the Map's descriptor is the local copy mi */
};

static sp *sp_new(E *e, const ir_state *s, asl_buf *d)
{
    sp *q = asl_xmalloc(sizeof *q);
    memset(q, 0, sizeof *q);
    q->e = e;
    q->s = s;
    q->d = d;
    return q;
}

static const char *sp_reg(const sp *q, uint32_t r)
{
    return r == LIR_IN ? "in" : r == LIR_NONE ? "NULL" : q->name[r];
}

/* The names of f's registers, and the declaration of those locals into decl. */
static void sp_names(sp *q, const lir_fn *f, asl_buf *decl)
{
    q->f = f;
    q->name = asl_xmalloc((f->nregs ? f->nregs : 1) * sizeof *q->name);
    bool choice = f->state && f->state->type == IR_CHOICE, rule = false, arena = false;
    asl_buf regs;
    asl_buf_init(&regs);
    /* the distinct names: v, err, out, vars and local_names' (the rN are in regs) */
    const char *seen[sizeof local_names / sizeof *local_names + 4];
    unsigned nseen = 0;
    for (uint32_t i = 0; i < f->nops; i++) {
        const lir_op *o = &f->ops[i];
        if (o->d == LIR_NONE || o->k == LIR_BRANCH) continue;
        const char *n = "v";
        if (o->k == LIR_NEW || o->k == LIR_CALL || o->k == LIR_CONST || o->k == LIR_JN || o->rt == LIR_RT_PARAM_PATH ||
            o->rt == LIR_RT_ARG_PATH || (o->k == LIR_HELPER && o->target_fn->kind == LIR_FN_CALL)) {
            put(&regs, "%s*r%u", regs.len ? ", " : "    asl_value ", o->d);   /* a template's value */
            q->name[o->d] = asl_sprintf(q->e->p->arena, "r%u", o->d);
            arena |= o->k == LIR_NEW;
            continue;
        }
        if (o->k == LIR_RULE) n = "m", rule = true;
        else if (o->k == LIR_CATCH) n = "err";
        else if (o->k == LIR_CALL_RT && o->rt == LIR_RT_ASSIGN && o->a != LIR_IN) n = sp_reg(q, o->a);
        else if (choice && (o->k == LIR_PATH || o->k == LIR_EMPTY) && !strncmp(o->note, "Output", 6)) n = "out";
        else if (o->k == LIR_HELPER && o->note && strstr(o->note, "/Assign")) n = "vars";
        else if ((o->k == LIR_PATH || o->k == LIR_HELPER || o->k == LIR_TEMPLATE) && o->note)
            for (size_t k = 0; k < sizeof local_names / sizeof *local_names; k++)
                if (!strcmp(o->note, local_names[k].note)) n = local_names[k].name;
        q->name[o->d] = n;
        if (!strcmp(n, "m") || (n[0] == 'r' && isdigit((unsigned char)n[1]))) continue;
        unsigned k = 0;
        while (k < nseen && strcmp(seen[k], n)) k++;
        if (k == nseen && nseen < sizeof seen / sizeof *seen) seen[nseen++] = n;
    }
    const char *sep = "    asl_value ";
    for (unsigned k = 0; k < nseen; k++) {
        put(decl, "%s*%s%s", sep, seen[k], !strcmp(seen[k], "v") ? " = in" : "");
        sep = ", ";
    }
    if (nseen) asl_buf_puts(decl, ";\n");
    if (regs.len) put(decl, "%s;\n", regs.data);
    if (arena) asl_buf_puts(decl, "    asl_arena *a;\n");
    if (rule) asl_buf_puts(decl, "    int m;\n");
    asl_buf_free(&regs);
}

/* The transition of a GOTO or BRANCH op: a jump to a block of the same
 * part, a tail call, or the end of the function. */
static void sp_goto(const sp *q, asl_buf *b, const lir_op *o, int ind)
{
    const char *val = sp_reg(q, o->a);
    if (o->target && o->fast && o->a == LIR_IN) put(b, "%*sgoto %s;\n", ind, "", o->target->cname);
    else if (o->target && o->fast) put(b, "%*s{ in = %s; goto %s; }\n", ind, "", val, o->target->cname);
    else if (o->target) put(b, "%*sreturn %s(x, %s);\n", ind, "", o->target->cname, val);
    else put(b, "%*sreturn %s;\n", ind, "", val);
}

/* The state's descriptor `what` (lir_data.c), printed into its data the first time. */
static const char *sp_data(sp *q, lir_dstate what)
{
    return dref(q->e, q->d, lir_data_state(q->e->lp, q->s, what));
}

/* An operand of a JN op; sigc its parameter's type ('p', 'i', 'b', 'l', 'd'),
 * 0 for a variadic one. */
static void jn_arg(const sp *q, asl_buf *b, const lir_arg *x, char sigc)
{
    switch ((lir_xk)x->k) {
    case LIR_X_REG: asl_buf_puts(b, sp_reg(q, x->reg)); break;
    case LIR_X_CTX: asl_buf_puts(b, "c"); break;
    case LIR_X_ENV: asl_buf_puts(b, "env"); break;
    case LIR_X_INT:
        if (sigc == 'l') put(b, "%lldu", (long long)x->i);
        else put(b, "%lld", (long long)x->i);
        break;
    case LIR_X_NUM:
        if (isinf(x->num)) asl_buf_puts(b, x->num < 0 ? "-__builtin_inf()" : "__builtin_inf()");
        else if (isnan(x->num)) asl_buf_puts(b, "__builtin_nan(\"\")");
        else put(b, "%a", x->num);
        break;
    case LIR_X_STR:
        if (x->str) cstr(b, x->str, x->len);
        else asl_buf_puts(b, sigc ? "(const char *)0" : "(asl_value *)0");
        break;
    case LIR_X_FN:
        if (x->fn) asl_buf_puts(b, x->fn->name);
        else asl_buf_puts(b, "(asl_jn_code)0");
        break;
    case LIR_X_SLOT: put(b, "&jn_slot_%lld", (long long)x->i); break;
    }
}

/* Op o of a state's function as C statements into b. */
static void sp_op(sp *q, asl_buf *b, const lir_op *o, int ind)
{
    static const char *const map_which[5] = {"ASL_MAP_MAX_CONCURRENCY", "ASL_MAP_TOLERATED_COUNT",
                                             "ASL_MAP_TOLERATED_PERCENT", "ASL_MAP_MAX_ITEMS_PER_BATCH",
                                             "ASL_MAP_MAX_BYTES_PER_BATCH"};
    E *e = q->e;
    const ir_state *s = q->s;
    const char *d = o->d != LIR_NONE ? sp_reg(q, o->d) : NULL, *a = sp_reg(q, o->a), *ob = sp_reg(q, o->b);
    const char *rt = lir_rt_table[o->rt].name, *fail = q->fail;
    asl_buf note;
    asl_buf_init(&note);
    if (o->note) {
        asl_buf_puts(&note, "  /* ");
        ccomment(&note, o->note);
        asl_buf_puts(&note, " */");
    }
    const char *nt = note.data ? note.data : "";
    switch ((lir_opk)o->k) {
    case LIR_ENTER:
        put(b, "%*sif (!asl_enter_c(x, %s, in)) return NULL;\n", ind, "", sp_data(q, LIR_D_INFO));
        break;
    case LIR_PATH:
        put(b, "%*sif (!(%s = %s(x, %s, &P_%u", ind, "", d, lir_rt_table[o->rt].inl ? lir_rt_table[o->rt].inl : rt, a,
            emit_path(e, o->path));
        if (o->rt == LIR_RT_PARAM_PATH) asl_buf_puts(b, ", "), cstr(b, o->str, o->len);
        put(b, "))) %s;%s\n", fail, nt);
        break;
    case LIR_CALL: {
        if (o->n == LIR_CALL_MATH_ADD) {   /* its common case inline (asl.h) */
            put(b, "%*sif (!(%s = asl_math_add_c(x, %s, %s))) %s;%s\n", ind, "", d, sp_reg(q, o->args[0]),
                sp_reg(q, o->args[1]), fail, nt);
            break;
        }
        /* a helper fn_'s own array a[], else the exec's argument slots; a
         * States.Format split now (FMT_n), else the function itself */
        bool own = q->f->kind == LIR_FN_CALL;
        uint32_t argc = o->call->argc, in = own ? ind : ind + 4;
        const lir_data *fmt = lir_data_fmt(e->lp, o);
        if (own) put(b, "%*sasl_value *a[%u] = {%s", ind, "", argc ? argc : 1, argc ? "" : "NULL");
        else put(b, "%*s{%s\n%*sasl_value **args = asl_call_args(x);\n", ind, "", nt, in, "");
        for (uint32_t k = 0; k < argc; k++)
            if (own) put(b, "%s%s", k ? ", " : "", sp_reg(q, o->args[k]));
            else put(b, "%*sargs[%u] = %s;\n", in, "", k, sp_reg(q, o->args[k]));
        if (own) asl_buf_puts(b, "};\n");
        if (fmt) put(b, "%*s%s = asl_format(x, %s, %s);\n", in, "", d, dref(e, NULL, fmt), own ? "a" : "args");
        else put(b, "%*s%s = %s(x, %u, %s);\n", in, "", d, lir_intrinsic_fn[o->call->fn], argc, own ? "a" : "args");
        if (o->check) put(b, "%*sif (!%s) %s;\n", in, "", d, fail);
        if (!own) put(b, "%*s}\n", ind, "");
        break;
    }
    case LIR_NEW:
        if (o->begins) put(b, "%*sa = asl_exec_arena(x);%s\n", ind, "", nt);
        q->idx[o->d] = 0;
        if (o->tmpl) {   /* an object of known keys, made with them in place: a store a member, its bound once */
            const lir_data *ks = lir_data_shape(e->lp, o->tmpl);
            dref(e, NULL, ks);
            put(b, "%*s%s = asl_object_shaped_c(a, &KS_%u);\n%*suint64_t b%u = 0;  /* its members' bounds */\n", ind, "",
                d, e->names.num[ks->id], ind, "", o->d);
        } else {
            put(b, "%*s%s = asl_%s(a, %u);\n", ind, "", d, o->rt == LIR_RT_ARRAY ? "array" : "object", o->n);
        }
        break;
    case LIR_MEMBER:
        if (o->fast == 2) {   /* in place; _k: with the value's bound, when it is known now */
            put(b, "%*sb%u += asl_member_set%s(%s, %u, %s", ind, "", o->a, o->n != LIR_NONE ? "_k" : "", a, q->idx[o->a]++, ob);
            if (o->n != LIR_NONE) put(b, ", %u", o->n);
            asl_buf_puts(b, ");  /* ");
            ccomment(b, o->str);
            asl_buf_puts(b, " */\n");
            break;
        }
        /* _lit: the literal as it is, for a key that needs no JSON escape
         * (asl_value.h); any other key is copied and measured. */
        put(b, "%*sasl_object_append%s(a, %s, ", ind, "",
            o->n != LIR_NONE ? "_lit_k" : o->rt == LIR_RT_OBJECT_APPEND_LIT ? "_lit_c" : "", a);
        cstr(b, o->str, o->len);
        put(b, ", %u, %s", o->len, ob);
        if (o->n != LIR_NONE) put(b, ", %u", o->n);
        asl_buf_puts(b, ");\n");
        break;
    case LIR_PUSH:
        put(b, "%*sasl_array_push(a, %s, %s);\n", ind, "", a, ob);
        break;
    case LIR_BOUND:
        put(b, "%*sasl_object_bound(%s, b%u);\n", ind, "", a, o->a);
        break;
    case LIR_EMPTY:
        put(b, "%*s%s = asl_object(asl_exec_arena(x), 0);%s\n", ind, "", d, nt);
        break;
    case LIR_CONST:
        put(b, "%*s%s = K[%u];%s\n", ind, "", d, emit_const(e, o->str), nt);
        break;
    case LIR_LEAVE:
        put(b, "%*sif (!(%s = asl_leave_c(x, %s))) %s;\n", ind, "", d, a, fail);
        break;
    case LIR_RESULT_PATH:
        put(b, "%*sif (!(%s = asl_result_path(x, %s, %s, &P_%u))) %s;%s\n", ind, "", d, a, ob,
            emit_path(e, o->path), fail, nt);
        break;
    case LIR_HELPER:
        if (o->target_fn->kind == LIR_FN_CALL)
            put(b, "%*sif (!(%s = fn_%u(x, %s))) %s;%s\n", ind, "", d, emit_call_fn(e, o->target_fn), a, fail, nt);
        else if (o->target_fn->kind == LIR_FN_TMPL)
            put(b, "%*sif (!(%s = tp_%u(x, %s))) %s;%s\n", ind, "", d, emit_tmpl_fn(e, q->d, o->target_fn), a,
                fail, nt);
        else
            put(b, "%*sif (!(%s = %s(x, %s))) %s;%s\n", ind, "", d, o->target_fn->name, a, fail, nt);
        break;
    case LIR_TEMPLATE:   /* (one of the flow's is in F_, made first) */
        if (o->n != 1)
            put(b, "%*sif (!(%s = asl_template(x, %s, TP_%u))) %s;%s\n", ind, "", d, a,
                emit_tmpl(e, q->d, o->target_fn ? &o->target_fn->ops[0] : o), fail, nt);
        break;
    case LIR_FLOW:
        if (o->n == LIR_FLOW_PASS)
            put(b, "%*sif (!(%s = asl_pass(x, in, %s, %s))) %s;\n", ind, "", d, sp_data(q, LIR_D_INFO),
                sp_data(q, LIR_D_FLOW), fail);
        else if (o->n == LIR_FLOW_IN)
            put(b, "%*sif (!(%s = asl_flow_in(x, %s, %s))) %s;\n", ind, "", d, a, sp_data(q, LIR_D_FLOW), fail);
        else
            put(b, "%*sif (!(%s = asl_flow_out(x, %s, %s, %s))) %s;\n", ind, "", d, a, ob, sp_data(q, LIR_D_FLOW),
                fail);
        break;
    case LIR_RULE:
        put(b, "%*sif ((m = %s(x, %s)) < 0) %s;\n", ind, "", o->target_fn->name, a, fail);
        break;
    case LIR_BRANCH:
        /* what leaves with the transition: a, a JSONata rule's Output and
         * Assign (path, from b), a JSONPath rule's Assign (target_fn, of b) */
        put(b, "%*sif (m)%s", ind, "", o->path || o->target_fn ? " {  /* -> " : " /* -> ");
        ccomment(b, o->target ? o->target->name : "");
        asl_buf_puts(b, " */\n");
        if (o->path || o->target_fn) {
            lir_op g = *o;
            q->name[o->d] = "o";
            g.a = o->d;
            put(b, "%*sasl_value *o = %s;\n", ind + 4, "", a);
            if (o->path)
                put(b, "%*sif (!(o = asl_output_path(x, %s, &P_%u))) %s;\n", ind + 4, "", ob, emit_path(e, o->path),
                    fail);
            if (o->target_fn)
                put(b, "%*sasl_value *av = tp_%u(x, %s);  /* Assign */\n"
                       "%*sif (!av || !(o = asl_assign(x, o, av))) %s;\n",
                    ind + 4, "", emit_tmpl_fn(e, q->d, o->target_fn), ob, ind + 4, "", fail);
            sp_goto(q, b, &g, ind + 4);
            put(b, "%*s}\n", ind, "");
        } else {
            sp_goto(q, b, o, ind + 4);
        }
        break;
    case LIR_GOTO:
        sp_goto(q, b, o, ind);
        break;
    case LIR_CALL_RT:
        switch ((lir_rt)o->rt) {
        case LIR_RT_WAIT_SECONDS:
            put(b, "%*sif (!%s(x, %.17g)) %s;\n", ind, "", rt, o->num, fail);
            break;
        case LIR_RT_WAIT_UNTIL:
        case LIR_RT_WAIT_SECONDS_VALUE:
        case LIR_RT_WAIT_UNTIL_VALUE:
            put(b, "%*sif (!%s(x, ", ind, "", rt);
            if (o->a != LIR_NONE) put(b, "%s, ", a);
            cstrz(b, o->str);
            put(b, ")) %s;\n", fail);
            break;
        case LIR_RT_ASSIGN:
            put(b, "%*sif (!(%s = asl_assign(x, %s, %s))) %s;\n", ind, "", d, a, ob, fail);
            break;
        case LIR_RT_TASK_CREDENTIALS:
            put(b, "%*sif (!asl_task_credentials(x, %s)) %s;%s\n", ind, "", a, fail, nt);
            break;
        case LIR_RT_TASK:
        case LIR_RT_TASK_TIMED:
            /* the site, with the paths: the program's table of sites in part 0 points to it */
            if (o->rt == LIR_RT_TASK)
                put(b, "%*sif (!(%s = asl_task(x, %s, %s))) %s;\n", ind, "", d, sp_data(q, LIR_D_SITE), a, fail);
            else
                put(b, "%*sif (!(%s = asl_task_timed(x, %s, %s, %s, %s))) %s;\n", ind, "", d, sp_data(q, LIR_D_SITE), a, ob,
                    sp_reg(q, o->n), fail);
            break;
        case LIR_RT_PARALLEL:
            put(b, "%*sif (!(%s = asl_parallel(x, %s, %s, %u))) %s;\n", ind, "", d, a, sp_data(q, LIR_D_FANOUT), o->n,
                fail);
            break;
        case LIR_RT_MAP_SETTING:
            if (!q->mi) put(b, "%*sasl_map_info mi = %s;\n", ind, "", sp_data(q, LIR_D_FANOUT) + 1);   /* a copy of M_ */
            q->mi = true;
            put(b, "%*sif (!asl_map_setting(x, %s, &P_%u, %s, &mi)) %s;\n", ind, "", a, emit_path(e, o->path),
                map_which[o->n], fail);
            break;
        case LIR_RT_MAP:
        case LIR_RT_MAP_IO:
            put(b, "%*sif (!(%s = %s(x, %s, %s, %s))) %s;\n", ind, "", d, rt, a, ob,
                q->mi ? "&mi" : sp_data(q, LIR_D_FANOUT), fail);
            break;
        default:
            break;
        }
        break;
    case LIR_RETRY:
        put(b, "%*suint32_t counts[%u] = {0};\n"
               "%*swhile (!(%s = %s(x, in)) && asl_retry(x, %s, %u, counts)) {}\n",
            ind, "", o->n, ind, "", d, o->target_fn->name, dname(e, lir_data_state(e->lp, s, LIR_D_RETRY)), o->n);
        break;
    case LIR_CATCH: {
        const ir_catcher *c = &s->catch_[o->n];
        if (!q->ncaught++)
            put(b, "%s:\n    switch (asl_catch(x, %s, %u)) {\n", q->failed, dname(e, lir_data_state(e->lp, s, LIR_D_CATCH)),
                s->ncatch);
        put(b, "    case %u:  /* Catch ", o->n);
        for (uint32_t k = 0; k < c->nerrors; k++) {
            ccomment(b, c->errors[k]);
            asl_buf_puts(b, k + 1 < c->nerrors ? ", " : "");
        }
        put(b, " */\n        %s = asl_error_value(x);\n        asl_error_clear(x);\n", d);
        q->fail = "return NULL";   /* a catcher's failure is not caught again */
        break;
    }
    case LIR_FAIL:
        if (o->rt == LIR_RT_FAIL_STATE) {
            put(b, "%*sreturn asl_fail_state(x, ", ind, "");
            cstrz(b, o->str);
            asl_buf_puts(b, ", ");
            cstrz(b, o->str2);
            asl_buf_puts(b, ");\n");
            break;
        }
        /* counted: an Error or Cause may hold a U+0000 */
        asl_buf_puts(b, "    (void)in;\n    return asl_fail_fields(x, ");
        cstrn(b, o->str, o->len);
        put(b, ", %u, ", o->len);
        cstrn(b, o->str2, o->len2);
        put(b, ", %u, %s, %s);\n", o->len2, o->a != LIR_NONE ? a : "NULL",
            o->b != LIR_NONE ? ob : "NULL");
        break;
    case LIR_JN: {   /* a JSONata call (jn_ functions); check: c->code set fails */
        const char *sig = lir_rt_table[o->rt].sig;
        size_t fixed = strcspn(sig + 1, ".");
        put(b, "%*s%s%s%s(", ind, "", d ? d : "", d ? " = " : "", rt);
        for (uint32_t k = 0; k < o->nxargs; k++) {
            if (k) asl_buf_puts(b, ", ");
            jn_arg(q, b, &o->xargs[k], k < fixed ? sig[1 + k] : 0);
        }
        asl_buf_puts(b, ");\n");
        if (o->check) put(b, "%*sif (c->code) return NULL;\n", ind, "");
        break;
    }
    case LIR_JN_OUT:   /* the lean Output's expression called here, else ResultPath's call */
        put(b, "%*sif (!(%s = asl_jn_lean_out(x, %s, %s, %s)) && !(%s = asl_result_path(x, %s, %s, &P_%u))) %s;%s\n", ind,
            "", d, a, ob, o->target_fn->name, d, a, ob, emit_path(e, o->path), fail, nt);
        break;
    case LIR_JN_SET:   /* the Assign in line (lir_jnfast), else ResultPath's call */
        put(b, "%*s{\n%*s    const asl_value *j = asl_jn_slot(x, %uu, ", ind, "", ind, "", o->jf->var_slot);
        cstr(b, o->jf->var, o->jf->var_len);
        put(b, ", %uu);\n%*s    double r;\n%*s    if (j && j->type == ASL_NUMBER && __builtin_isfinite(j->u.n.num) && "
            "__builtin_isfinite(r = j->u.n.num %s (%.17g)) &&\n%*s        asl_jn_set_num(x, %uu, ", o->jf->var_len, ind,
            "", ind, "", lir_jf_c[o->jf->op], o->jf->num, ind, "", o->jf->set_slot);
        cstr(b, o->jf->set, o->jf->set_len);
        put(b, ", %uu, r, %s, %s))\n%*s        %s = %s;\n", o->jf->set_len, a, ob, ind, "", d, ob);
        put(b, "%*s    else if (!(%s = asl_result_path(x, %s, %s, &P_%u))) %s;%s\n%*s}\n", ind, "", d, a, ob,
            emit_path(e, o->path), fail, nt, ind, "");
        break;
    default:
        break;
    }
    asl_buf_free(&note);
}

/* The body of f (its locals, then op after op) into b. */
static void sp_body(sp *q, asl_buf *b, const lir_fn *f)
{
    sp_names(q, f, b);
    q->fail = f->catches ? q->go_failed : "return NULL";
    q->ncaught = 0;
    q->idx = asl_xmalloc((f->nregs ? f->nregs : 1) * sizeof *q->idx);
    for (uint32_t i = 0; i < f->nops; i++) sp_op(q, b, &f->ops[i], q->ncaught ? 8 : 4);
    if (q->ncaught) asl_buf_puts(b, "    default:\n        return NULL;\n    }\n");
    free(q->name);
    free(q->idx);
}

/* A state's functions, op by op: its do_ and try_ (Retry, Map settings),
 * its own function (or block), after the data they point at. */
static void emit_state_ops(E *e, const ir_state *s)
{
    const lir_fn *st = e->lp->state_fn[s->index], *dof = e->lp->do_fn[s->index], *tryf = NULL;
    for (uint32_t i = 0; i < st->nops; i++) {
        const lir_op *o = &st->ops[i];
        if (o->k == LIR_RULE) emit_rule(e, o->target_fn);   /* the rules, each before the state */
        if (o->k == LIR_HELPER && o->target_fn->kind == LIR_FN_TRY) tryf = o->target_fn;
    }
    asl_buf d, fns, sfn;
    asl_buf_init(&d);
    asl_buf_init(&fns);
    asl_buf_init(&sfn);
    sp *q = sp_new(e, s, &d);
    /* a large program's templates of the data flow and F_, first (as emit_llvm.c) */
    const lir_fn *ff = dof ? dof : st;
    bool flow = false;
    for (uint32_t i = 0; i < ff->nops; i++) {
        const lir_op *o = &ff->ops[i];
        if (o->k == LIR_TEMPLATE && o->n == 1) emit_tmpl(e, &d, o);
        flow |= o->k == LIR_FLOW;
    }
    if (flow) sp_data(q, LIR_D_FLOW);
    snprintf(q->failed, sizeof q->failed, e->lay.big ? "failed_%s" : "failed", s->cname);
    snprintf(q->go_failed, sizeof q->go_failed, "goto %s", q->failed);
    const lir_fn *helpers[2] = {dof, tryf};
    for (int k = 0; k < 2; k++) {
        if (!helpers[k]) continue;
        put(&fns, "ASL_HELPER asl_value *%s(asl_exec *x, asl_value *in)\n{\n", helpers[k]->name);
        sp_body(q, &fns, helpers[k]);
        asl_buf_puts(&fns, "}\n\n");
    }
    open_state(e, &sfn, s);
    sp_body(q, &sfn, st);
    asl_buf_puts(&sfn, "}\n\n");
    if (s->nretry) sp_data(q, LIR_D_RETRY);   /* (named by their ops, printed last) */
    if (s->ncatch) sp_data(q, LIR_D_CATCH);
    free(q);
    asl_buf_put(&e->code, d.data, d.len);
    if (d.len) asl_buf_puts(&e->code, "\n");
    asl_buf_put(&e->code, fns.data, fns.len);
    asl_buf_put(state_code(e), sfn.data, sfn.len);
    asl_buf_free(&d);
    asl_buf_free(&fns);
    asl_buf_free(&sfn);
}

/* State s's group (lower.c's order: a Parallel's branches and a Map's
 * processor before their state). */
static void emit_state(E *e, const ir_state *s)
{
    begin_group(e, s);
    emit_header(e, s);
    emit_state_ops(e, s);
}

/* ---- JSONata: the jn_ functions (jsonata_lower.c), op by op ---------------------------- */

/* jn_n, op by op into b. */
static void emit_jn_fn(E *e, asl_buf *b, const lir_fn *f)
{
    put(b, "JN_LINK asl_value *%s(asl_jn_ctx *c, asl_jn_env *env, asl_value *in)", f->name);
    if (f->nops && f->ops[0].note) {
        asl_buf_puts(b, "  /* ");
        ccomment(b, f->ops[0].note);
        asl_buf_puts(b, " */");
    }
    asl_buf_puts(b, "\n{\n    (void)c, (void)env, (void)in;\n");
    sp *q = sp_new(e, NULL, NULL);
    sp_body(q, b, f);
    free(q);
    asl_buf_puts(b, "}\n\n");
}

void aslc_emit_c(asl_buf *out, const ir_program *p, const aslc_emit_opts *o)
{
    E e;
    memset(&e, 0, sizeof e);
    e.p = p;
    e.lay = aslc_layout_of(p);
    e.lp = aslc_lower(p);
    asl_buf_init(&e.data);
    asl_buf_init(&e.code);
    asl_buf_init(&e.consts);
    asl_buf_init(&e.blocks);
    bool parts = e.lay.parts > 1;
    if (parts) asl_buf_puts(&e.code, "#if ASL_IN_PART(0)\n");
    for (uint32_t i = 0; i < e.lp->nfns; i++)
        if (e.lp->fns[i]->kind == LIR_FN_STATE) emit_state(&e, e.lp->fns[i]->state);
    end_part(&e);
    if (parts) asl_buf_puts(&e.code, "#endif\n\n");

    put(out, "/*\n * Generated by aslc %s from ", ASLC_VERSION);
    ccomment(out, o->source_name ? o->source_name : "?");
    asl_buf_puts(out, e.lay.big ? ".  Do not edit: edit the definition and compile again.\n"
                                  " * Each state is a block st_<Name> of its part's function part_<k>;\n"
                                  " * transitions are gotos within a part, tail calls between parts.\n */\n"
                                : ".  Do not edit: edit the definition and compile again.\n"
                                  " * Each state is a function st_<Name>; transitions are tail calls.\n */\n");
    asl_buf_puts(out, "#include \"asl.h\"\n\n"
                      "/* Helpers stay out of line, so that no cleanup of theirs follows a\n"
                      " * transition and every transition remains a tail call. */\n"
                      "#define ASL_HELPER static __attribute__((noinline))\n\n");
    if (parts)
        put(out,
            "/* A large workflow, in %u parts: aslc compiles this file in runs of\n"
            " * consecutive parts, in parallel, each with -DASL_PART_FIRST=i\n"
            " * -DASL_PART_LAST=j, and links them; without these it is one\n"
            " * translation unit.  The parts share the states and K. */\n"
            "#ifdef ASL_PART_FIRST\n"
            "#define ASL_IN_PART(k) ((k) >= ASL_PART_FIRST && (k) <= ASL_PART_LAST)\n"
            "#define ASL_SHARED __attribute__((visibility(\"hidden\")))\n"
            "#else\n"
            "#define ASL_IN_PART(k) 1\n"
            "#define ASL_SHARED static\n"
            "#endif\n\n"
            "/* Inlining asl.h's first steps (the *_c calls) into so many states\n"
            " * would make the code bigger and slower: here they are the entry\n"
            " * points themselves. */\n"
            "#define asl_param_path_c asl_param_path\n"
            "#define asl_arg_path_c asl_arg_path\n"
            "#define asl_choice_var_c asl_choice_var\n"
            "#define asl_choice_number_c asl_choice_number\n"
            "#define asl_math_add_c asl_math_add2\n"
            "#define asl_leave_c asl_leave\n"
            "#define asl_enter_c asl_enter\n"
            "#define asl_object_append_lit_c asl_object_append_lit\n"
            "#define asl_object_append_lit_k(a, o, k, n, v, b) asl_object_append_lit(a, o, k, n, v)\n"
            "#define asl_object_shaped_c asl_object_shaped\n\n",
            e.lay.parts);
    asl_buf_puts(out, "/* ---- states ---- */\n");
    for (uint32_t i = 0; i < p->nall; i++)
        if (!e.lay.big || SF(&e, i)->entry >= 0)
            put(out, "%s asl_value *%s(asl_exec *x, asl_value *in);\n", st_link(&e), p->all[i]->cname);
    uint32_t njn = 0;
    for (uint32_t i = 0; i < e.lp->nfns; i++) njn += e.lp->fns[i]->kind == LIR_FN_JN;
    if (njn) {
        put(out, "\n/* ---- JSONata expressions (jn_: asl_jn_code, runtime/jsonata.h) ---- */\n"
                 "#include \"jsonata.h\"\n#define JN_LINK %s\n",
            parts ? "ASL_SHARED" : "static");
        for (uint32_t i = 0; i < e.lp->nfns; i++)
            if (e.lp->fns[i]->kind == LIR_FN_JN)
                put(out, "JN_LINK __attribute__((unused)) asl_value *%s(asl_jn_ctx *c, asl_jn_env *env, asl_value *in);\n",
                    e.lp->fns[i]->name);
    }
    uint32_t nk = e.nconsts ? e.nconsts : 1;
    asl_buf_puts(out, "\n/* ---- constants, parsed once at start ---- */\n");
    if (parts) asl_buf_puts(out, "#if ASL_IN_PART(0)\n");
    put(out, "%s asl_value *K[%u];\n", parts ? "ASL_SHARED" : "static", nk);
    put(out, "static const char *const K_text[%u] = {\n", nk);
    if (e.nconsts) asl_buf_put(out, e.consts.data, e.consts.len);
    else asl_buf_puts(out, "    NULL\n");
    asl_buf_puts(out, "};\n\nstatic void init_constants(asl_arena *a)\n{\n");
    put(out, "    for (unsigned i = 0; i < %u; i++) K[i] = asl_const(a, K_text[i]);\n", e.nconsts);
    asl_buf_puts(out, "    (void)a;\n}\n");
    if (parts) put(out, "#else\nextern ASL_SHARED asl_value *K[%u];\n#endif\n", nk);
    asl_buf_puts(out, "\n/* ---- paths and task sites ---- */\n");
    asl_buf_put(out, e.data.data, e.data.len);
    asl_buf_puts(out, "\n");
    asl_buf_put(out, e.code.data, e.code.len);
    if (njn) {
        asl_buf jn;
        asl_buf_init(&jn);
        if (parts) asl_buf_puts(&jn, "#if ASL_IN_PART(0)\n");
        for (uint32_t i = 0; i < e.lp->njn_slots; i++) put(&jn, "static asl_value *jn_slot_%u;\n", i);
        if (e.lp->njn_slots) asl_buf_putc(&jn, '\n');
        for (uint32_t i = 0; i < e.lp->nfns; i++)
            if (e.lp->fns[i]->kind == LIR_FN_JN) emit_jn_fn(&e, &jn, e.lp->fns[i]);
        if (e.lp->njn_extra) {   /* aslc --jn-exprs: the expressions by number */
            put(&jn, "const asl_jn_code asl_jn_suite[%u] = {", e.lp->njn_extra);
            for (uint32_t i = 0; i < e.lp->njn_extra; i++) put(&jn, "%s%s", i ? ", " : "", e.lp->jn_extra[i]->name);
            put(&jn, "};\nconst unsigned asl_jn_suite_n = %u;\n\n", e.lp->njn_extra);
        }
        if (parts) asl_buf_puts(&jn, "#endif\n\n");
        asl_buf_put(out, jn.data, jn.len);
        asl_buf_free(&jn);
    }

    asl_buf_puts(out, "/* ---- the program ---- */\n");
    if (parts) asl_buf_puts(out, "#if ASL_IN_PART(0)\n");
    for (uint32_t i = 0; i < o->nnatives; i++)
        put(out, "asl_value *%s(asl_task_ctx *t, asl_value *input);\n", o->natives[i]);
    asl_buf_free(&e.data);   /* the program's tables, then asl_main_program */
    asl_buf_init(&e.data);
    dref(&e, NULL, lir_data_program(e.lp, o, true));
    asl_buf_put(out, e.data.data, e.data.len);
    if (parts) asl_buf_puts(out, "#endif\n");

    asl_buf_free(&e.data);
    asl_buf_free(&e.code);
    asl_buf_free(&e.consts);
    asl_buf_free(&e.blocks);
    aslc_ids_free(&e.kids);
    lir_names_free(&e.names);
    lir_data_free(e.lp);
}
