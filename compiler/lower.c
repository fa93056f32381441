/*
 * lower.c — the IR lowered to LIR (lir.h): every decision about how a state
 * becomes code, made once.
 *
 * The walk is the back ends' own order (a Parallel's branches and a Map's
 * processor before their state; in a state, InputPath, Parameters, the
 * work, ResultSelector, ResultPath, OutputPath), so that a function here
 * is where the back ends write theirs and fn_n and r_n have the same
 * numbers.  The decisions:
 *
 *   layout      parts of about 200 states; above 1,000 states "big": the
 *               data flow and templates as descriptors (FLOW, TEMPLATE) and
 *               a part's states the blocks of one function (aslc_layout_of,
 *               aslc_plan_parts);
 *   first steps in a program of one part, asl.h's inline first steps
 *               (enter, leave, the path lookups of lir_path_fast, the
 *               numeric comparison, MathAdd, append of a literal key);
 *   templates   an object of 2 to 16 plain keys is made with its keys in
 *               place (aslc_tmpl_shaped) and each member's bound, when the
 *               compiler knows it, written in (aslc_member_bound);
 *   calls       an intrinsic call of at most ASL_CALL_ARGS arguments is made
 *               in the state (lir_call_in_state), a States.Format of a
 *               literal template split now (aslc_format_split), a MathAdd
 *               of two computed in place (aslc_call_in_place); any other
 *               call is a helper fn_n;
 *   failures    a failing op returns NULL, or in a state with Catch (and
 *               no do_ helper) goes to its catchers; a state that retries
 *               or reads Map settings has its work in do_ (and try_).
 *
 * The shared decisions of the back ends (the helpers below that carry the
 * aslc_ prefix) live here, so that emit_c.c and emit_llvm.c ask one place.
 */
#include "lir.h"
#include "intrinsic.h"
#include "jsonata_ast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const lir_rt_info lir_rt_table[LIR_RT__COUNT] = {
#define X(id, name, inl, sig, ctype) {#name, #inl[0] == '0' ? NULL : #inl, sig},
    LIR_RT(X)
#undef X
};

/* ---- the decisions both back ends share ------------------------------------------------ */

bool aslc_tmpl_shaped(const ir_tmpl *t)
{
    if (t->kind != IR_T_OBJECT || t->n < 2 || t->n > ASL_SHAPE_MAX) return false;
    for (uint32_t i = 0; i < t->n; i++)
        if (!asl_json_plain(t->members[i].key, t->members[i].klen)) return false;
    return true;
}

bool aslc_state_last(const ir_state *s)
{
    return s->end && (s->type == IR_PASS || s->type == IR_TASK);
}

bool aslc_call_in_place(const ir_call *c)
{
    if (c->fn != ASL_FN_MATH_ADD || c->argc != 2) return false;
    for (uint32_t i = 0; i < c->argc; i++)
        if (c->args[i].kind == IR_ARG_CALL) return false;
    return true;
}

bool aslc_member_bound(asl_arena *a, const ir_tmpl *c, uint32_t *bound)
{
    asl_value *v = NULL;
    if (c->kind == IR_T_CONST) {   /* as init_constants will parse it */
        asl_json_error err;
        v = asl_json_parse(a, c->ctext, strlen(c->ctext), &err);
    } else if (c->kind == IR_T_CALL && (c->call->fn == ASL_FN_MATH_ADD || c->call->fn == ASL_FN_ARRAY_LENGTH)) {
        v = asl_number_int(a, 0);   /* what they make, whatever its value: the same bound */
    }
    if (v) *bound = asl_json_bound(v);
    return v != NULL;
}

uint32_t aslc_shape_jlen(const ir_tmpl *t)
{
    uint64_t jlen = 1;   /* {} and, per member, "key": and a comma but the last */
    for (uint32_t i = 0; i < t->n; i++) jlen += (uint64_t)t->members[i].klen + 4;
    return jlen > UINT32_MAX ? UINT32_MAX : (uint32_t)jlen;
}

/* Parts of ASLC_PART_STATES states, however many that makes: the C
 * compiler's time on a part grows faster than its size (a part is one
 * function of its states' blocks), so parts of a bounded size keep the
 * whole linear (with at most 64 parts, a 20,000-state chain had parts of
 * 313 states and took 44 s to compile, against 200: issue #18).  Above
 * ASLC_BIG_STATES the quicker optimisation level.  A function of the
 * program only, not of the machine, so that the output is too: the build
 * compiles runs of consecutive parts together, as many runs as there are
 * processors. */
#define ASLC_PART_STATES 200
#define ASLC_BIG_STATES 1000

aslc_layout aslc_layout_of(const ir_program *p)
{
    aslc_layout l;
    uint32_t n = p->nall ? p->nall : 1;
    l.parts = (n + ASLC_PART_STATES - 1) / ASLC_PART_STATES;
    /* JSONata fields point at functions from the data every part shares:
     * such a program is one translation unit */
    if (p->njn) l.parts = 1;
    l.per_part = (n + l.parts - 1) / l.parts;
    l.big = n > ASLC_BIG_STATES;
    return l;
}

/* Cuts the states into parts, in the order they are emitted (a Parallel's
 * branches and a Map's processor before their state): per_part states a
 * part, the last part taking what is left. */
static void plan_machine(const aslc_layout *lay, uint32_t *part_of, const ir_machine *m, uint32_t *part,
                         uint32_t *in_part)
{
    for (uint32_t i = 0; i < m->nstates; i++) {
        const ir_state *s = m->states[i];
        if (!s) continue;
        if (s->type == IR_PARALLEL)
            for (uint32_t k = 0; k < s->nbranches; k++)
                if (s->branches[k]) plan_machine(lay, part_of, s->branches[k], part, in_part);
        if (s->type == IR_MAP && s->processor) plan_machine(lay, part_of, s->processor, part, in_part);
        if (*in_part == lay->per_part && *part + 1 < lay->parts) {
            ++*part;
            *in_part = 0;
        }
        ++*in_part;
        part_of[s->index] = *part;
    }
}

static void mark_entry(const uint32_t *part_of, int32_t *entry, const ir_state *from, const ir_state *to)
{
    if (to && (!from || part_of[from->index] != part_of[to->index])) entry[to->index] = 0;
}

void aslc_plan_parts(const ir_program *p, const aslc_layout *lay, uint32_t *part_of, int32_t *entry)
{
    uint32_t n = p->nall ? p->nall : 1, part = 0, in_part = 0;
    memset(part_of, 0, n * sizeof *part_of);
    plan_machine(lay, part_of, p->top, &part, &in_part);
    for (uint32_t i = 0; i < n; i++) entry[i] = -1;
    if (!lay->big) return;
    for (uint32_t i = 0; i < p->nall; i++) {
        const ir_state *s = p->all[i];
        if (s->scope->start == s) mark_entry(part_of, entry, NULL, s);   /* of the workflow, a branch, a Map's items */
        mark_entry(part_of, entry, s, s->target);
        mark_entry(part_of, entry, s, s->default_target);
        for (uint32_t k = 0; k < s->nchoices; k++)
            if (s->choices[k]) mark_entry(part_of, entry, s, s->choices[k]->target);
        for (uint32_t k = 0; k < s->ncatch; k++) mark_entry(part_of, entry, s, s->catch_[k].target);
    }
    uint32_t *count = asl_xmalloc(lay->parts * sizeof *count);
    memset(count, 0, lay->parts * sizeof *count);
    for (uint32_t i = 0; i < p->nall; i++)
        if (entry[i] == 0) entry[i] = (int32_t)count[part_of[i]]++;
    free(count);
}

lir_fast lir_path_fast(const asl_path *p)
{
    if (p->root == ASL_ROOT_INPUT) {
        if (p->nseg == 0 || p->nseg > 2 || p->segs[0].kind != ASL_SEG_KEY ||
            (p->nseg == 2 && p->segs[1].kind != ASL_SEG_KEY))
            return LIR_FAST_NONE;
        return p->nseg == 1 ? LIR_FAST_KEY1 : LIR_FAST_KEY2;
    }
    if (p->root != ASL_ROOT_CONTEXT || p->map_item == ASL_ITEM_NONE || p->nseg > 4) return LIR_FAST_NONE;
    if (p->map_item == ASL_ITEM_INDEX) return p->nseg == 3 ? LIR_FAST_ITEM : LIR_FAST_NONE;
    if (p->nseg == 3) return LIR_FAST_ITEM;
    return p->segs[3].kind == ASL_SEG_KEY ? LIR_FAST_ITEM_KEY : LIR_FAST_NONE;
}

bool lir_call_in_state(const ir_call *c)
{
    if (c->argc > ASL_CALL_ARGS) return false;
    for (uint32_t i = 0; i < c->argc; i++)
        if (c->args[i].kind == IR_ARG_CALL && !lir_call_in_state(c->args[i].call)) return false;
    return true;
}

/* ---- building ----------------------------------------------------------------------------- */

typedef struct {
    lir_program *lp;
    asl_arena *a;
    uint32_t *part_of;
    int32_t *entry;
    uint32_t nfn, nrule, ntmpl;   /* fn_n, r_n, TP_n/tp_n: numbered as the back ends do */
    uint32_t cap_tmpl_fns;        /* of lp->tmpl_fns (one an Assign: grown by doubling) */
} Lo;

static lir_fn *new_fn(Lo *lo, lir_fn_kind kind, const char *name, const ir_state *s)
{
    lir_fn *f = asl_alloc(lo->a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->name = name;
    f->state = s;
    f->part = s ? lo->part_of[s->index] : 0;
    f->entry = -1;
    return f;
}

/* Adds f to the program (after the functions it calls, as the back ends write them). */
static void add_fn(Lo *lo, lir_fn *f)
{
    lir_program *lp = lo->lp;
    if (lp->nfns == lp->cap) {
        uint32_t cap = lp->cap ? lp->cap * 2 : 64;
        lir_fn **fns = asl_alloc(lo->a, cap * sizeof *fns);
        if (lp->nfns) memcpy(fns, lp->fns, lp->nfns * sizeof *fns);
        lp->fns = fns;
        lp->cap = cap;
    }
    lp->fns[lp->nfns++] = f;
}

static lir_op *op(Lo *lo, lir_fn *f, lir_opk k)
{
    if (f->nops == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 16;
        lir_op *ops = asl_alloc(lo->a, cap * sizeof *ops);
        if (f->nops) memcpy(ops, f->ops, f->nops * sizeof *ops);
        f->ops = ops;
        f->cap = cap;
    }
    lir_op *o = &f->ops[f->nops++];
    memset(o, 0, sizeof *o);
    o->k = (uint8_t)k;
    o->d = o->a = o->b = LIR_NONE;
    o->n = LIR_NONE;
    return o;
}

static uint32_t reg(lir_fn *f) { return f->nregs++; }

static bool inl(const Lo *lo) { return lo->lp->layout.inline_first; }

/* A JSONata state's Output and Assign whose Assign sets one variable to a
 * fast form, with no Output (parse.c, jn_leave; jnstate.c sets it). */
static bool assign_set_directly(const asl_path *p)
{
    const asl_jn_field *f = p->root == ASL_ROOT_JSONATA ? p->jn : NULL;
    return f && f->kind == ASL_JNF_LEAVE && (f->type & ASL_JNT_FAST) && !((const ir_jn *)(const void *)f)->expr &&
           !((const ir_jn *)(const void *)f)->tmpl;
}

/* ---- JSONata fast forms in the state's code (lir_jnfast) ---- */

const char *const lir_jf_c[] = {"+", "-", "*", "==", "!=", "<", "<=", ">", ">="};

/* The fast form of a variable operand in descriptor d (lir_jn_fast_form's
 * text: [op, number, "var", name, slot]), or NULL (an input path, another
 * operator).  Names are plain (fast_operand), so %[^"] reads them whole. */
static lir_jnfast *jnfast_parse(Lo *lo, const char *d, bool compare)
{
    int op, n = 0;
    unsigned slot;
    double num;
    char name[256];
    if (!d || sscanf(d, "[%d,%lf,\"var\",\"%255[^\"]\",%u]%n", &op, &num, name, &slot, &n) != 4 || d[n]) return NULL;
    /* asl_jn_op (runtime/jsonata.h): + - * then, after / and %, the comparisons */
    int jf = op <= JN_OP_MUL ? op : op >= JN_OP_EQ && op <= JN_OP_GE ? op - JN_OP_EQ + LIR_JF_EQ : -1;
    if (jf < 0 || compare != (jf >= LIR_JF_EQ) || !isfinite(num)) return NULL;   /* (a C literal) */
    lir_jnfast *f = asl_alloc(lo->a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->op = (uint8_t)jf;
    f->num = num;
    f->var = asl_strndup(lo->a, name, strlen(name));
    f->var_len = (uint32_t)strlen(name);
    f->var_slot = slot;
    return f;
}

/* A Choice Condition `$v <cmp> <number>` (a VALUE field, ASL_JNT_FAST). */
static lir_jnfast *jnfast_condition(Lo *lo, const asl_path *p)
{
    const asl_jn_field *f = p && p->root == ASL_ROOT_JSONATA ? p->jn : NULL;
    if (!f || f->kind != ASL_JNF_VALUE || !(f->type & ASL_JNT_FAST) || !((const ir_jn *)(const void *)f)->expr)
        return NULL;
    return jnfast_parse(lo, ((const ir_jn *)(const void *)f)->ktext, true);
}

/* An Assign of one variable to `$v <+-*> <number>`, no Output
 * (assign_set_directly; its constant: [name, slot, descriptor]). */
static lir_jnfast *jnfast_assign(Lo *lo, const asl_path *p)
{
    if (!assign_set_directly(p)) return NULL;
    const char *k = ((const ir_jn *)(const void *)p->jn)->ktext;
    char name[256];
    unsigned slot;
    int n = 0;
    if (!k || sscanf(k, "[\"%255[^\"]\",%u,%n", name, &slot, &n) != 2 || !n) return NULL;
    size_t len = strlen(k + n);
    if (len < 2 || k[n + len - 1] != ']') return NULL;
    lir_jnfast *f = jnfast_parse(lo, asl_strndup(lo->a, k + n, len - 1), false);
    if (!f) return NULL;
    f->set = asl_strndup(lo->a, name, strlen(name));
    f->set_len = (uint32_t)strlen(name);
    f->set_slot = slot;
    return f;
}

/* d = rt(from, path) with its first step when the program takes them. */
static uint32_t path_op(Lo *lo, lir_fn *f, lir_rt rt, uint32_t from, const asl_path *p, const char *note)
{
    lir_op *o = op(lo, f, LIR_PATH);
    o->rt = (uint8_t)rt;
    o->a = from;
    o->path = p;
    o->check = true;
    o->note = note;
    if (lir_rt_table[rt].inl && inl(lo))
        o->fast = (uint8_t)(p->root == ASL_ROOT_JSONATA ? (rt == LIR_RT_PARAM_PATH && lir_jn_reads_in(lo->lp, p) ? LIR_FAST_JN
                                                                                                              : LIR_FAST_NONE)
                                                        : lir_path_fast(p));
    return o->d = reg(f);
}

static uint32_t const_op(Lo *lo, lir_fn *f, const char *text, const char *note)
{
    lir_op *o = op(lo, f, LIR_CONST);
    o->str = text;
    o->len = (uint32_t)strlen(text);
    o->note = note;
    return o->d = reg(f);
}

static uint32_t empty_op(Lo *lo, lir_fn *f, const char *note)
{
    lir_op *o = op(lo, f, LIR_EMPTY);
    o->note = note;
    return o->d = reg(f);
}

/* A transition: a jump to a block of the same part (a large program), else
 * a tail call; no target: the function returns val. */
static void goto_op(Lo *lo, lir_fn *f, const ir_state *target, uint32_t val)
{
    lir_op *o = op(lo, f, LIR_GOTO);
    o->target = target;
    o->a = val;
    o->fast = target && f->block && lo->part_of[target->index] == f->part;
}

/* ---- intrinsic calls ------------------------------------------------------------------------ */

static lir_fn *lower_call_helper(Lo *lo, const ir_call *c, const char *src);

static uint32_t arg_op(Lo *lo, lir_fn *f, const ir_arg *a, uint32_t in)
{
    switch (a->kind) {
    case IR_ARG_PATH:
        return path_op(lo, f, LIR_RT_ARG_PATH, in, a->path, NULL);
    case IR_ARG_CALL: {
        lir_fn *h = lower_call_helper(lo, a->call, NULL);
        lir_op *o = op(lo, f, LIR_HELPER);
        o->a = in;
        o->target_fn = h;
        o->check = true;
        return o->d = reg(f);
    }
    default: {
        asl_arena *ar = lo->a;
        asl_value *v = a->kind == IR_ARG_STRING   ? asl_string(ar, a->str, a->len)
                       : a->kind == IR_ARG_NUMBER ? asl_number_text(ar, a->num, a->str, strlen(a->str))
                       : a->kind == IR_ARG_BOOL   ? asl_bool(a->b)
                                                  : asl_null();
        return const_op(lo, f, asl_json_string(ar, v, NULL), NULL);
    }
    }
}

/* d = c of in, in f's own code (lir_call_in_state); depth 0 is the
 * template's own call, which may be a MathAdd computed in place. */
static uint32_t call_in_state(Lo *lo, lir_fn *f, const ir_call *c, const char *src, uint32_t in, unsigned depth)
{
    uint32_t *args = c->argc ? asl_alloc(lo->a, c->argc * sizeof *args) : NULL;
    for (uint32_t i = 0; i < c->argc; i++)
        args[i] = c->args[i].kind == IR_ARG_CALL ? call_in_state(lo, f, c->args[i].call, NULL, in, depth + 1)
                                                 : arg_op(lo, f, &c->args[i], in);
    lir_op *o = op(lo, f, LIR_CALL);
    o->call = c;
    o->args = args;
    o->check = true;
    o->note = src;
    asl_fmt fmt;
    if (depth == 0 && aslc_call_in_place(c)) {
        o->n = LIR_CALL_MATH_ADD;
        o->rt = LIR_RT_MATH_ADD2;
        o->fast = inl(lo);
    } else {
        o->n = aslc_format_split(lo->a, c, &fmt) ? LIR_CALL_FORMAT : LIR_CALL_STATE;
        o->len = lo->nfn++;   /* its number: FMT_n */
    }
    return o->d = reg(f);
}

/* fn_n: c out of line, its arguments in an array. */
static lir_fn *lower_call_helper(Lo *lo, const ir_call *c, const char *src)
{
    lir_fn tmp;   /* the arguments come first: nested helpers take the lower numbers */
    memset(&tmp, 0, sizeof tmp);
    uint32_t *args = c->argc ? asl_alloc(lo->a, c->argc * sizeof *args) : NULL;
    for (uint32_t i = 0; i < c->argc; i++) args[i] = arg_op(lo, &tmp, &c->args[i], LIR_IN);
    uint32_t id = lo->nfn++;
    lir_fn *f = new_fn(lo, LIR_FN_CALL, NULL, NULL);
    *f = tmp;
    f->kind = LIR_FN_CALL;
    f->name = asl_sprintf(lo->a, "fn_%u", id);
    f->num = id;
    f->entry = -1;
    lir_op *o = op(lo, f, LIR_CALL);
    o->call = c;
    o->args = args;
    o->note = src;
    o->len = id;
    asl_fmt fmt;
    if (c->fn == ASL_FN_MATH_ADD && c->argc == 2) {
        o->n = LIR_CALL_MATH_ADD;
        o->rt = LIR_RT_MATH_ADD2;
        o->fast = inl(lo);
    } else {
        o->n = aslc_format_split(lo->a, c, &fmt) ? LIR_CALL_FORMAT : LIR_CALL_HELPER;
    }
    o->d = reg(f);
    goto_op(lo, f, NULL, o->d);
    add_fn(lo, f);
    return f;
}

/* ---- templates ---------------------------------------------------------------------------- */

/* d = t built from in, as statements of f (a small program). */
static uint32_t tmpl_code(Lo *lo, lir_fn *f, const ir_tmpl *t, uint32_t in, const char *key, uint32_t klen)
{
    switch (t->kind) {
    case IR_T_CONST:
        return const_op(lo, f, t->ctext, NULL);
    case IR_T_PATH: {
        uint32_t d = path_op(lo, f, LIR_RT_PARAM_PATH, in, t->path, NULL);
        f->ops[f->nops - 1].str = key;
        f->ops[f->nops - 1].len = klen;
        return d;
    }
    case IR_T_CALL:
        if (lir_call_in_state(t->call)) return call_in_state(lo, f, t->call, t->src, in, 0);
        {
            lir_fn *h = lower_call_helper(lo, t->call, t->src);
            lir_op *o = op(lo, f, LIR_HELPER);
            o->a = in;
            o->target_fn = h;
            o->check = true;
            return o->d = reg(f);
        }
    case IR_T_OBJECT:
    case IR_T_ARRAY:
        break;
    }
    bool obj = t->kind == IR_T_OBJECT;
    bool shaped = aslc_tmpl_shaped(t);
    lir_op *o = op(lo, f, LIR_NEW);
    o->rt = (uint8_t)(shaped ? LIR_RT_OBJECT_SIZED : obj ? LIR_RT_OBJECT : LIR_RT_ARRAY);
    o->n = t->n;
    o->tmpl = shaped ? t : NULL;
    o->fast = shaped && inl(lo);
    uint32_t d = o->d = reg(f);
    for (uint32_t i = 0; i < t->n; i++) {
        const ir_tmpl *c = obj ? t->members[i].val : t->items[i];
        uint32_t v = tmpl_code(lo, f, c, in, obj ? t->members[i].key : key, obj ? t->members[i].klen : klen);
        if (!obj) {
            o = op(lo, f, LIR_PUSH);
            o->rt = LIR_RT_ARRAY_PUSH;
            o->a = d;
            o->b = v;
            continue;
        }
        uint32_t bound;
        bool plain = asl_json_plain(t->members[i].key, t->members[i].klen);
        bool known = (shaped || plain) && aslc_member_bound(lo->a, c, &bound);
        o = op(lo, f, LIR_MEMBER);
        o->rt = (uint8_t)(plain ? LIR_RT_OBJECT_APPEND_LIT : LIR_RT_OBJECT_APPEND);
        o->fast = shaped ? 2 : plain && inl(lo);   /* 2: a store in place (shaped) */
        o->a = d;
        o->b = v;
        o->str = t->members[i].key;
        o->len = t->members[i].klen;
        o->n = known ? bound : LIR_NONE;
    }
    if (shaped) {
        o = op(lo, f, LIR_BOUND);
        o->a = d;
    }
    return d;
}

/* The template t of what (Parameters, ...) from in: statements, or in a
 * large program a descriptor TP_n that asl_template builds. */
/* The helpers fn_n of the calls in a large program's template, in the
 * pre-order of its nodes (asl_template calls them through the TP_ nodes). */
static void tmpl_helpers(Lo *lo, lir_op *o, const ir_tmpl *t)
{
    if (t->kind == IR_T_CALL) {
        const lir_fn **h = asl_alloc(lo->a, (o->nhelpers + 1) * sizeof *h);
        if (o->nhelpers) memcpy(h, o->helpers, o->nhelpers * sizeof *h);
        h[o->nhelpers++] = lower_call_helper(lo, t->call, t->src);
        o->helpers = h;
    }
    bool obj = t->kind == IR_T_OBJECT;
    if (obj || t->kind == IR_T_ARRAY)
        for (uint32_t i = 0; i < t->n; i++) tmpl_helpers(lo, o, obj ? t->members[i].val : t->items[i]);
}

static uint32_t tmpl_op(Lo *lo, lir_fn *f, const ir_tmpl *t, uint32_t in, const char *what)
{
    if (lo->lp->layout.lay.big) {
        lir_op tmp;
        memset(&tmp, 0, sizeof tmp);
        tmpl_helpers(lo, &tmp, t);
        lir_op *o = op(lo, f, LIR_TEMPLATE);
        o->helpers = tmp.helpers;
        o->nhelpers = tmp.nhelpers;
        o->rt = LIR_RT_TEMPLATE;
        o->a = in;
        o->tmpl = t;
        o->note = what;
        o->len = lo->ntmpl++;
        o->check = true;
        return o->d = reg(f);
    }
    uint32_t first = f->nops;
    uint32_t d = tmpl_code(lo, f, t, in, "", 0);
    f->ops[first].note = what;
    f->ops[first].begins = true;
    return d;
}

/* tp_n: a Map's ItemSelector or BatchInput, a Fail state's ErrorPath or
 * CausePath call. */
static lir_fn *lower_tmpl_fn(Lo *lo, const ir_state *s, const ir_tmpl *t, const char *what)
{
    lir_fn *f = new_fn(lo, LIR_FN_TMPL, NULL, s);
    uint32_t id;
    if (lo->lp->layout.lay.big) {
        uint32_t d = tmpl_op(lo, f, t, LIR_IN, what);
        id = f->ops[f->nops - 1].len;
        goto_op(lo, f, NULL, d);
    } else {
        uint32_t d = tmpl_code(lo, f, t, LIR_IN, "", 0);
        f->ops[0].note = what;
        f->ops[0].begins = true;
        id = lo->ntmpl++;
        goto_op(lo, f, NULL, d);
    }
    f->name = asl_sprintf(lo->a, "tp_%u", id);
    f->num = id;
    add_fn(lo, f);
    lir_program *lp = lo->lp;
    if (lp->ntmpl_fns == lo->cap_tmpl_fns) {
        lo->cap_tmpl_fns = lo->cap_tmpl_fns ? 2 * lo->cap_tmpl_fns : 16;
        lir_fn **all = asl_alloc(lo->a, lo->cap_tmpl_fns * sizeof *all);
        if (lp->ntmpl_fns) memcpy(all, lp->tmpl_fns, lp->ntmpl_fns * sizeof *all);
        lp->tmpl_fns = all;
    }
    lp->tmpl_fns[lp->ntmpl_fns++] = f;
    return f;
}

/* ---- Choice rules ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    char operand;
} choice_ops[] = {
#define X(id, name, operand) {name, #operand[0]},
#include "choice_ops.def"
#undef X
};

asl_cmp lir_cmp_of(const char *opname)
{
    if (strstr(opname, "GreaterThanEquals")) return ASL_CMP_GE;
    if (strstr(opname, "LessThanEquals")) return ASL_CMP_LE;
    if (strstr(opname, "GreaterThan")) return ASL_CMP_GT;
    if (strstr(opname, "LessThan")) return ASL_CMP_LT;
    return ASL_CMP_EQ;
}

const ir_rule *lir_rule_of(const lir_fn *f) { return f->ops[f->nops - 1].rule; }

bool lir_rule_addr(const lir_fn *f) { return f->ops[f->nops - 1].rt == LIR_RT_PATH_SELECT; }

/* r_n: the rule r, its parts first.  Every op carries r (lir_rule_of); an
 * And/Or/Not is a RULE op per part, in order; an Is* test one PATH_SELECT;
 * a comparison the Variable, the other path of a ...Path operator, then
 * the comparison (n: its asl_cmp). */
static lir_fn *lower_rule(Lo *lo, const ir_rule *r)
{
    lir_fn *kids[r->n ? r->n : 1];
    for (uint32_t i = 0; i < r->n; i++) kids[i] = lower_rule(lo, r->kids[i]);
    lir_fn *f = new_fn(lo, LIR_FN_RULE, asl_sprintf(lo->a, "r_%u", lo->nrule), NULL);
    f->num = lo->nrule++;
    lir_op *o;
    if (r->op == IR_OP_AND || r->op == IR_OP_OR || r->op == IR_OP_NOT) {
        for (uint32_t i = 0; i < r->n; i++) {
            o = op(lo, f, LIR_RULE);
            o->a = LIR_IN;
            o->target_fn = kids[i];
            o->rule = r;
            o->note = r->op == IR_OP_AND ? "And: the first not true decides"
                      : r->op == IR_OP_OR ? "Or: the first not false decides"
                                          : "Not";
            o->d = reg(f);
        }
        add_fn(lo, f);
        return f;
    }
    char kind = choice_ops[r->op].operand;
    const char *name = choice_ops[r->op].name;
    if (r->op == IR_OP_IS_PRESENT || kind == 'U') {
        o = op(lo, f, LIR_CALL_RT);
        o->rt = LIR_RT_PATH_SELECT;   /* an absent variable: false, not an error */
        o->a = LIR_IN;
        o->path = r->var;
        o->rule = r;
        o->note = name;
        o->d = reg(f);
        add_fn(lo, f);
        return f;
    }
    const lir_jnfast *jf = r->op == IR_OP_BOOLEAN_EQUALS && r->b ? jnfast_condition(lo, r->var) : NULL;
    if (jf) {   /* the Condition in line; the ops after it when its operand is not a finite number */
        o = op(lo, f, LIR_CALL_RT);
        o->rt = LIR_RT_JN_SLOT;
        o->jf = jf;
        o->note = "Condition in line";
        o->d = reg(f);
    }
    uint32_t v = path_op(lo, f, LIR_RT_CHOICE_VAR, LIR_IN, r->var, "Variable");
    uint32_t w = LIR_NONE;
    if (kind == 'P') w = path_op(lo, f, LIR_RT_CHOICE_VAR, LIR_IN, r->opath, name);
    bool str = !strncmp(name, "String", 6), num = !strncmp(name, "Numeric", 7),
         ts = !strncmp(name, "Timestamp", 9);
    o = op(lo, f, LIR_CALL_RT);
    o->a = v;
    o->b = w;
    o->rule = r;
    o->note = name;
    switch (kind) {
    case 'S': o->rt = LIR_RT_CHOICE_STRING; break;
    case 'T': o->rt = LIR_RT_CHOICE_TIMESTAMP; break;
    case 'M': o->rt = LIR_RT_CHOICE_MATCHES; break;
    case 'N': o->rt = LIR_RT_CHOICE_NUMBER; o->fast = inl(lo); break;
    case 'B': o->rt = LIR_RT_CHOICE_BOOLEAN; break;
    default:
        o->rt = (uint8_t)(str ? LIR_RT_CHOICE_STRING_V : num ? LIR_RT_CHOICE_NUMBER_V
                          : ts ? LIR_RT_CHOICE_TIMESTAMP_V : LIR_RT_CHOICE_BOOLEAN_V);
        break;
    }
    o->str = r->str;
    o->len = r->slen;
    o->num = r->num;
    o->n = lir_cmp_of(name);
    o->d = reg(f);
    for (uint32_t i = 0; i < f->nops; i++) f->ops[i].rule = r;
    add_fn(lo, f);
    return f;
}

/* ---- states ------------------------------------------------------------------------------- */

static void lower_machine(Lo *lo, const ir_machine *m);

static lir_fn *state_fn(Lo *lo, const ir_state *s)
{
    lir_fn *f = new_fn(lo, LIR_FN_STATE, s->cname, s);
    lo->lp->state_fn[s->index] = f;
    f->block = lo->lp->layout.lay.big;
    f->entry = lo->entry[s->index];
    return f;
}

static void enter_op(Lo *lo, lir_fn *f)
{
    lir_op *o = op(lo, f, LIR_ENTER);
    o->rt = LIR_RT_ENTER;
    o->fast = inl(lo);
    o->check = true;
}

static uint32_t leave_op(Lo *lo, lir_fn *f, uint32_t v)
{
    lir_op *o = op(lo, f, LIR_LEAVE);
    o->rt = LIR_RT_LEAVE;
    o->fast = inl(lo);
    o->a = v;
    o->check = true;
    return o->d = reg(f);
}

static bool has_path(const asl_path *p) { return p && p->nseg + p->root; }

static uint32_t input_path(Lo *lo, lir_fn *f, const ir_state *s, uint32_t v)
{
    if (s->input_path_null) return empty_op(lo, f, "InputPath: null");
    if (has_path(s->input_path)) return path_op(lo, f, LIR_RT_INPUT_PATH, v, s->input_path, "InputPath");
    return v;
}

static uint32_t output_path(Lo *lo, lir_fn *f, const ir_state *s, uint32_t v)
{
    if (s->output_path_null) return empty_op(lo, f, "OutputPath: null");
    if (has_path(s->output_path)) return path_op(lo, f, LIR_RT_OUTPUT_PATH, v, s->output_path, "OutputPath");
    return v;
}

static bool map_settings(const ir_state *s)
{
    return s->type == IR_MAP && (s->max_concurrency_path || s->tolerated_count_path ||
                                 s->tolerated_percent_path || s->max_items_per_batch_path ||
                                 s->max_bytes_per_batch_path);
}

static uint32_t flow_op(Lo *lo, lir_fn *f, lir_flow_part part, uint32_t a, uint32_t b)
{
    lir_op *o = op(lo, f, LIR_FLOW);
    o->rt = (uint8_t)(part == LIR_FLOW_IN ? LIR_RT_FLOW_IN : part == LIR_FLOW_OUT ? LIR_RT_FLOW_OUT : LIR_RT_PASS);
    o->n = part;
    o->a = a;
    o->b = b;
    o->check = true;
    o->note = part == LIR_FLOW_IN ? "InputPath, Parameters" : part == LIR_FLOW_OUT ? "ResultSelector, ResultPath, OutputPath"
                                                                                  : "the whole data flow";
    return o->d = reg(f);
}

/* A large program's template of the state's data flow: a descriptor TP_n
 * that the FLOW op's asl_flow names (n = 1: not run here). */
static void flow_tmpl(Lo *lo, lir_fn *f, const ir_tmpl *t, const char *what)
{
    tmpl_op(lo, f, t, LIR_NONE, what);
    lir_op *o = &f->ops[f->nops - 1];
    o->n = 1;
    o->check = false;
    o->d = LIR_NONE;
    f->nregs--;
}

static uint32_t helper_op(Lo *lo, lir_fn *f, const lir_fn *fn, uint32_t a, const char *note);

/* The work of a Task, Parallel or Map state on v, into f. */
static uint32_t work(Lo *lo, lir_fn *f, const ir_state *s, uint32_t v)
{
    lir_op *o;
    switch (s->type) {
    case IR_TASK: {
        uint32_t to = LIR_NONE, hb = LIR_NONE;
        /* from the state's input, as AWS reads them, not from Parameters' result */
        if (s->timeout_path) to = path_op(lo, f, LIR_RT_INPUT_PATH, LIR_IN, s->timeout_path, "TimeoutSecondsPath");
        if (s->heartbeat_path) hb = path_op(lo, f, LIR_RT_INPUT_PATH, LIR_IN, s->heartbeat_path, "HeartbeatSecondsPath");
        if (s->credentials) {
            /* Credentials: {"RoleArn": ...}, a template function of its own
             * evaluated on the state's input, then the role assumed for this
             * Task's calls just before it (asl_task_credentials) */
            lir_fn *cf = lower_tmpl_fn(lo, s, s->credentials, "Credentials");
            uint32_t cr = helper_op(lo, f, cf, LIR_IN, "Credentials");
            o = op(lo, f, LIR_CALL_RT);
            o->rt = LIR_RT_TASK_CREDENTIALS;
            o->a = cr;
            o->check = true;
            o->note = "Credentials";
        }
        o = op(lo, f, LIR_CALL_RT);
        o->rt = (uint8_t)(s->timeout_path || s->heartbeat_path ? LIR_RT_TASK_TIMED : LIR_RT_TASK);
        o->a = v;
        o->b = to;
        o->n = hb;
        o->str = s->resource;
        o->note = "Task";
        break;
    }
    case IR_PARALLEL:
        o = op(lo, f, LIR_CALL_RT);
        o->rt = LIR_RT_PARALLEL;
        o->a = v;
        o->n = s->nbranches;
        o->note = "Parallel";
        break;
    case IR_MAP: {
        const ir_tmpl *fns[4] = {s->item_selector, s->batch_input, s->item_reader, s->result_writer};
        static const char *const what[4] = {"ItemSelector", "BatchInput", "ItemReader", "ResultWriter"};
        for (int k = 0; k < 4; k++)
            if (fns[k]) lower_tmpl_fn(lo, s, fns[k], what[k]);
        uint32_t items = v;
        if (has_path(s->items_path)) items = path_op(lo, f, LIR_RT_INPUT_PATH, v, s->items_path, "ItemsPath");
        const asl_path *settings[5] = {s->max_concurrency_path, s->tolerated_count_path, s->tolerated_percent_path,
                                       s->max_items_per_batch_path, s->max_bytes_per_batch_path};
        static const char *const which[5] = {"MaxConcurrencyPath", "ToleratedFailureCountPath",
                                             "ToleratedFailurePercentagePath", "MaxItemsPerBatchPath",
                                             "MaxInputBytesPerBatchPath"};
        for (int k = 0; k < 5; k++)
            if (settings[k]) {
                o = op(lo, f, LIR_CALL_RT);
                o->rt = LIR_RT_MAP_SETTING;
                o->a = v;
                o->path = settings[k];
                o->n = (uint32_t)k;
                o->note = which[k];
                o->check = true;
            }
        o = op(lo, f, LIR_CALL_RT);
        /* a Map with an ItemReader or a ResultWriter goes through asl_map_io */
        o->rt = s->item_reader || s->result_writer ? LIR_RT_MAP_IO : LIR_RT_MAP;
        o->a = v;
        o->b = items;
        o->note = "Map";
        break;
    }
    default:
        return v;
    }
    o->check = true;
    return o->d = reg(f);
}

/* A Pass, Task, Parallel or Map state: in f (or do_/try_), from in to
 * what leaves it. */
/* The names of a state's Assign template functions (tp_n), by which the
 * back ends find them (lir_tmpl_fn): "Assign", "Catch/<i>/Assign",
 * "Choices/<i>/Assign". */
const char *lir_assign_name(char *buf, size_t n, const char *where, int i)
{
    if (!where) return "Assign";
    snprintf(buf, n, "%s/%d/Assign", where, i);
    return buf;
}

/* Every Assign of s as a template function of its own, before the state. */
static void lower_assigns(Lo *lo, const ir_state *s)
{
    char b[64];
    if (s->assign) lower_tmpl_fn(lo, s, s->assign, "Assign");
    for (uint32_t i = 0; i < s->ncatch; i++)
        if (s->catch_[i].assign) {
            const char *name = lir_assign_name(b, sizeof b, "Catch", (int)i);
            lower_tmpl_fn(lo, s, s->catch_[i].assign, asl_strndup(lo->a, name, strlen(name)));
        }
    for (uint32_t i = 0; i < s->nchoices; i++)
        if (s->choices[i] && s->choices[i]->assign) {
            const char *name = lir_assign_name(b, sizeof b, "Choices", (int)i);
            lower_tmpl_fn(lo, s, s->choices[i]->assign, asl_strndup(lo->a, name, strlen(name)));
        }
}

/* %d = helper tp_n %a: an Assign's variables, evaluated against a; in a
 * large program, a Pass, Task, Parallel or Map state's is built in the
 * state by asl_template (%d = template TP_n %a): no function of its own. */
static uint32_t assign_eval(Lo *lo, lir_fn *f, const ir_state *s, const char *what, uint32_t a)
{
    const lir_fn *tf = lir_tmpl_fn(lo->lp, s, what);
    bool work = s->type == IR_PASS || s->type == IR_TASK || s->type == IR_PARALLEL || s->type == IR_MAP;
    if (lo->lp->layout.lay.big && work && !strcmp(what, "Assign")) {
        lir_op *o = op(lo, f, LIR_TEMPLATE);
        o->rt = LIR_RT_TEMPLATE;
        o->a = a;
        o->len = tf->num;
        o->target_fn = tf;
        o->check = true;
        o->note = "Assign";
        return o->d = reg(f);
    }
    lir_op *o = op(lo, f, LIR_HELPER);
    o->a = a;
    o->target_fn = (lir_fn *)tf;
    o->check = true;
    o->note = asl_strndup(lo->a, what, strlen(what));
    return o->d = reg(f);
}

/* %d = helper fn %a (a tp_ function), failing on NULL. */
static uint32_t helper_op(Lo *lo, lir_fn *f, const lir_fn *fn, uint32_t a, const char *note)
{
    lir_op *o = op(lo, f, LIR_HELPER);
    o->a = a;
    o->target_fn = fn;
    o->check = true;
    o->note = note;
    return o->d = reg(f);
}

/* %d = callrt asl_assign %v %vars: the variables take effect as v leaves. */
static uint32_t assign_op(Lo *lo, lir_fn *f, uint32_t v, uint32_t vars)
{
    lir_op *o = op(lo, f, LIR_CALL_RT);
    o->rt = LIR_RT_ASSIGN;
    o->a = v;
    o->b = vars;
    o->check = true;
    o->note = "Assign";
    return o->d = reg(f);
}

static void lower_work_state(Lo *lo, const ir_state *s)
{
    bool big = lo->lp->layout.lay.big;
    bool helper = s->nretry || map_settings(s);
    lir_fn *st = state_fn(lo, s);
    lir_fn *f = st;
    lir_fn *dof = NULL;
    if (helper) {
        dof = new_fn(lo, LIR_FN_DO, asl_sprintf(lo->a, "do_%s", s->cname), s);
        lo->lp->do_fn[s->index] = dof;
        f = dof;
    } else {
        st->catches = s->ncatch > 0;
    }
    if (big && s->type == IR_PASS && !s->nretry && !s->ncatch && !s->assign) {
        if (s->parameters) flow_tmpl(lo, st, s->parameters, "Parameters");
        /* asl_pass enters the state itself */
        goto_op(lo, st, s->target, flow_op(lo, st, LIR_FLOW_PASS, LIR_IN, LIR_NONE));
        add_fn(lo, st);
        return;
    }
    if (!helper) enter_op(lo, f);
    uint32_t v = LIR_IN;
    if (big) {
        if (s->parameters) flow_tmpl(lo, f, s->parameters, "Parameters");
        if (s->input_path_null || has_path(s->input_path) || s->parameters) v = flow_op(lo, f, LIR_FLOW_IN, v, LIR_NONE);
    } else {
        v = input_path(lo, f, s, v);
        if (s->parameters) v = tmpl_op(lo, f, s->parameters, v, "Parameters");
        if (s->type == IR_PASS && s->result) v = const_op(lo, f, s->result_text, "Result");
    }
    /* (asl_flow_out puts a large program's Result; Assign reads it first) */
    if (big && s->type == IR_PASS && s->result && s->assign) v = const_op(lo, f, s->result_text, "Result");
    v = work(lo, f, s, v);
    uint32_t av = s->assign ? assign_eval(lo, f, s, "Assign", v) : LIR_NONE;
    if (big) {
        if (s->result_selector) flow_tmpl(lo, f, s->result_selector, "ResultSelector");
        v = flow_op(lo, f, LIR_FLOW_OUT, LIR_IN, v);
    } else {
        if (s->result_selector) v = tmpl_op(lo, f, s->result_selector, v, "ResultSelector");
        if (s->result_path_null) {
            v = LIR_IN;
        } else if (s->result_path && s->result_path->nseg) {
            const lir_jnfast *jf = jnfast_assign(lo, s->result_path);
            const lir_fn *lean = jf ? NULL : lir_jn_lean(lo->lp, s->result_path);
            lir_op *o = op(lo, f, jf ? LIR_JN_SET : lean ? LIR_JN_OUT : LIR_RESULT_PATH);
            o->target_fn = lean;
            o->rt = LIR_RT_RESULT_PATH;
            o->a = LIR_IN;
            o->b = v;
            o->path = s->result_path;
            o->check = true;
            o->jf = jf;
            o->note = jf     ? "ResultPath; Assign: one variable set in line"
                      : lean ? "ResultPath; Output in line"
                      : assign_set_directly(s->result_path) ? "ResultPath; Assign: one variable set directly" : "ResultPath";
            v = o->d = reg(f);
        }
        v = output_path(lo, f, s, v);
        v = leave_op(lo, f, v);
    }
    if (s->assign) v = assign_op(lo, f, v, av);
    if (helper) {
        goto_op(lo, f, NULL, v);
        add_fn(lo, dof);
        lir_fn *call = dof;
        if (s->nretry) {
            lir_fn *tr = new_fn(lo, LIR_FN_TRY, asl_sprintf(lo->a, "try_%s", s->cname), s);
            lir_op *o = op(lo, tr, LIR_RETRY);
            o->rt = LIR_RT_RETRY;
            o->target_fn = dof;
            o->n = s->nretry;
            o->d = reg(tr);
            goto_op(lo, tr, NULL, o->d);
            add_fn(lo, tr);
            call = tr;
        }
        st->catches = s->ncatch > 0;
        enter_op(lo, st);
        lir_op *o = op(lo, st, LIR_HELPER);
        o->a = LIR_IN;
        o->target_fn = call;
        o->check = true;
        v = o->d = reg(st);
    }
    goto_op(lo, st, s->target, v);
    for (uint32_t i = 0; i < s->ncatch; i++) {
        const ir_catcher *c = &s->catch_[i];
        lir_op *o = op(lo, st, LIR_CATCH);
        o->rt = LIR_RT_CATCH;
        o->n = i;
        o->note = c->nerrors ? c->errors[0] : "";
        uint32_t err = o->d = reg(st);
        uint32_t out = err;
        char b[64];
        uint32_t cav = c->assign ? assign_eval(lo, st, s, lir_assign_name(b, sizeof b, "Catch", (int)i), err)
                                 : LIR_NONE;
        if (c->result_path_null) {
            out = LIR_IN;
        } else if (c->result_path && c->result_path->nseg) {
            o = op(lo, st, LIR_RESULT_PATH);
            o->rt = LIR_RT_RESULT_PATH;
            o->a = LIR_IN;
            o->b = err;
            o->path = c->result_path;
            o->check = true;   /* returns NULL: a catcher's failure is not caught again */
            o->note = "Catch ResultPath";
            out = o->d = reg(st);
        }
        if (c->assign) out = assign_op(lo, st, out, cav);
        goto_op(lo, st, c->target, out);
    }
    add_fn(lo, st);
}

static void lower_state(Lo *lo, const ir_state *s)
{
    if (s->type == IR_PARALLEL)
        for (uint32_t i = 0; i < s->nbranches; i++)
            if (s->branches[i]) lower_machine(lo, s->branches[i]);
    if (s->type == IR_MAP && s->processor) lower_machine(lo, s->processor);
    lir_fn *f;
    lir_op *o;
    uint32_t v;
    lower_assigns(lo, s);
    switch (s->type) {
    case IR_PASS:
    case IR_TASK:
    case IR_PARALLEL:
    case IR_MAP:
        lower_work_state(lo, s);
        return;
    case IR_WAIT:
    case IR_SUCCEED:
        f = state_fn(lo, s);
        enter_op(lo, f);
        v = input_path(lo, f, s, LIR_IN);
        if (s->type == IR_WAIT && (s->has_seconds || s->timestamp || s->seconds_path || s->timestamp_path)) {
            const asl_path *p = s->seconds_path ? s->seconds_path : s->timestamp_path;
            uint32_t w = p ? path_op(lo, f, LIR_RT_INPUT_PATH, v, p, s->seconds_path ? "SecondsPath" : "TimestampPath")
                           : LIR_NONE;
            o = op(lo, f, LIR_CALL_RT);
            o->rt = (uint8_t)(s->has_seconds ? LIR_RT_WAIT_SECONDS : s->timestamp ? LIR_RT_WAIT_UNTIL
                              : s->seconds_path ? LIR_RT_WAIT_SECONDS_VALUE : LIR_RT_WAIT_UNTIL_VALUE);
            o->a = w;
            o->num = s->seconds;
            o->str = s->timestamp ? s->timestamp : p ? p->text : NULL;
            o->check = true;
            o->note = "Wait";
        }
        {
            uint32_t av = s->assign ? assign_eval(lo, f, s, "Assign", v) : LIR_NONE;
            v = output_path(lo, f, s, v);
            v = leave_op(lo, f, v);
            if (s->assign) v = assign_op(lo, f, v, av);
        }
        goto_op(lo, f, s->type == IR_WAIT ? s->target : NULL, v);
        break;
    case IR_FAIL: {
        /* an intrinsic call in ErrorPath / CausePath: a template function of its own */
        const lir_fn *ecall = s->error_call ? lower_tmpl_fn(lo, s, s->error_call, "ErrorPath") : NULL;
        const lir_fn *ccall = s->cause_call ? lower_tmpl_fn(lo, s, s->cause_call, "CausePath") : NULL;
        f = state_fn(lo, s);
        enter_op(lo, f);
        uint32_t ev = LIR_NONE, cv = LIR_NONE;
        if (s->error_path) ev = path_op(lo, f, LIR_RT_INPUT_PATH, LIR_IN, s->error_path, "ErrorPath");
        else if (ecall) ev = helper_op(lo, f, ecall, LIR_IN, "ErrorPath");
        if (s->cause_path) cv = path_op(lo, f, LIR_RT_INPUT_PATH, LIR_IN, s->cause_path, "CausePath");
        else if (ccall) cv = helper_op(lo, f, ccall, LIR_IN, "CausePath");
        o = op(lo, f, LIR_FAIL);
        o->rt = LIR_RT_FAIL;
        o->a = ev;
        o->b = cv;
        o->str = s->error;
        o->len = s->error_len;
        o->str2 = s->cause;
        o->len2 = s->cause_len;
        break;
    }
    case IR_CHOICE: {
        lir_fn *rules[s->nchoices ? s->nchoices : 1];
        for (uint32_t i = 0; i < s->nchoices; i++) rules[i] = s->choices[i] ? lower_rule(lo, s->choices[i]) : NULL;
        f = state_fn(lo, s);
        enter_op(lo, f);
        v = input_path(lo, f, s, LIR_IN);
        uint32_t out = output_path(lo, f, s, v);
        for (uint32_t i = 0; i < s->nchoices; i++) {
            if (!rules[i]) continue;
            o = op(lo, f, LIR_RULE);
            o->a = v;
            o->target_fn = rules[i];
            o->rule = s->choices[i];
            o->check = true;
            uint32_t m = o->d = reg(f);
            /* taken when the rule matched: a JSONata rule's Output and Assign
             * (path: output_path from b), a JSONPath rule's Assign (target_fn
             * of b, asl_assign onto a), then the transition with a */
            o = op(lo, f, LIR_BRANCH);
            o->d = m;
            o->a = out;
            o->b = v;
            o->path = s->choices[i]->jn_leave;
            if (s->choices[i]->assign) {
                char an[64];
                o->target_fn = lir_tmpl_fn(lo->lp, s, lir_assign_name(an, sizeof an, "Choices", (int)i));
            }
            o->target = s->choices[i]->target;
            o->fast = o->target && f->block && lo->part_of[o->target->index] == f->part;
        }
        if (s->jn_default) out = path_op(lo, f, LIR_RT_OUTPUT_PATH, v, s->jn_default, "Output, Assign");
        if (s->default_target) {
            if (s->assign) out = assign_op(lo, f, out, assign_eval(lo, f, s, "Assign", v));
            goto_op(lo, f, s->default_target, out);
        } else {
            o = op(lo, f, LIR_FAIL);
            o->rt = LIR_RT_FAIL_STATE;
            o->str = "States.NoChoiceMatched";
            o->str2 = "No Matches!";
        }
        break;
    }
    default:
        return;
    }
    add_fn(lo, f);
}

static void lower_machine(Lo *lo, const ir_machine *m)
{
    for (uint32_t i = 0; i < m->nstates; i++)
        if (m->states[i]) lower_state(lo, m->states[i]);
}

/* The JSONata fields inside template t: their $states.input is t's in. */
static void mark_in_is_input(Lo *lo, const ir_tmpl *t)
{
    if (!t) return;
    if (t->kind == IR_T_PATH && t->path && t->path->root == ASL_ROOT_JSONATA)
        lo->lp->jn[((const ir_jn *)(const void *)t->path->jn)->index].in_is_input = true;
    for (uint32_t i = 0; i < t->n; i++) mark_in_is_input(lo, t->members ? t->members[i].val : t->items[i]);
}

const lir_fn *lir_jn_lean(const lir_program *lp, const asl_path *p)
{
    if (!p || p->root != ASL_ROOT_JSONATA) return NULL;
    const ir_jn *j = (const ir_jn *)(const void *)p->jn;
    const lir_jn *l = &lp->jn[j->index];
    bool lean = l->expr && l->expr->lean && !l->tmpl && !l->assign && j->field.kind == ASL_JNF_LEAVE &&
                !(j->field.type & (ASL_JNT_PATH | ASL_JNT_FAST));
    return lean ? l->expr : NULL;
}

bool lir_jn_reads_in(const lir_program *lp, const asl_path *p)
{
    const ir_jn *j = (const ir_jn *)(const void *)p->jn;
    if (p->root != ASL_ROOT_JSONATA || !(j->field.type & ASL_JNT_PATH) || (j->field.type & ~ASL_JNT_FLAGS) != ASL_JNT_ANY)
        return false;
    if (p->nseg < 2 || !j->ktext || strncmp(j->ktext, "[\"input\"", 8)) return false;   /* names as its steps */
    return j->field.kind == ASL_JNF_VALUE || (j->field.kind == ASL_JNF_INNER && lp->jn[j->index].in_is_input);
}

/* The functions of every JSONata field, first: the states' code and
 * descriptors point at them. */
static void lower_jn_fields(Lo *lo)
{
    const ir_program *p = lo->lp->p;
    lo->lp->jn = asl_alloc(lo->a, (p->njn ? p->njn : 1) * sizeof *lo->lp->jn);
    memset(lo->lp->jn, 0, (p->njn ? p->njn : 1) * sizeof *lo->lp->jn);
    for (const ir_jn *j = p->jn; j; j = j->next) {
        lir_jn *l = &lo->lp->jn[j->index];
        if (j->expr) l->expr = lir_jn_expr(lo->lp, j->expr, j->path->text);
        /* (Arguments get the input; a Pass state's result is its input; an
         * Assign is evaluated against the input) */
        if (j->tmpl && (j->field.kind == ASL_JNF_ENTER || (j->field.kind == ASL_JNF_LEAVE && j->state->type == IR_PASS)))
            mark_in_is_input(lo, j->tmpl);
        mark_in_is_input(lo, j->assign);
        if (j->tmpl) l->tmpl = lower_tmpl_fn(lo, j->state, j->tmpl, j->path->text);
        if (j->assign)
            l->assign = lower_tmpl_fn(lo, j->state, j->assign, asl_sprintf(lo->a, "%s#Assign", j->path->text));
    }
}

lir_program *aslc_lower(const ir_program *p)
{
    Lo lo;
    memset(&lo, 0, sizeof lo);
    lo.a = p->arena;
    lo.lp = asl_alloc(lo.a, sizeof *lo.lp);
    memset(lo.lp, 0, sizeof *lo.lp);
    lo.lp->p = p;
    lo.lp->layout.lay = aslc_layout_of(p);
    lo.lp->layout.inline_first = lo.lp->layout.lay.parts == 1;
    uint32_t n = p->nall ? p->nall : 1;
    lo.part_of = asl_alloc(lo.a, n * sizeof *lo.part_of);
    lo.entry = asl_alloc(lo.a, n * sizeof *lo.entry);
    lo.lp->state_fn = asl_alloc(lo.a, n * sizeof *lo.lp->state_fn);
    memset(lo.lp->state_fn, 0, n * sizeof *lo.lp->state_fn);
    lo.lp->do_fn = asl_alloc(lo.a, n * sizeof *lo.lp->do_fn);
    memset(lo.lp->do_fn, 0, n * sizeof *lo.lp->do_fn);
    lo.lp->tmpl_fns = NULL;
    aslc_plan_parts(p, &lo.lp->layout.lay, lo.part_of, lo.entry);
    lower_jn_fields(&lo);
    lower_machine(&lo, p->top);
    lir_jn_extra(lo.lp);
    return lo.lp;
}

const lir_jn *lir_jn_of(const lir_program *lp, const asl_path *p)
{
    return &lp->jn[((const ir_jn *)(const void *)p->jn)->index];
}

const lir_fn *lir_flow_fn(const lir_program *lp, const ir_state *s)
{
    return lp->do_fn[s->index] ? lp->do_fn[s->index] : lp->state_fn[s->index];
}

uint32_t lir_tmpl_at(const lir_fn *f, const char *what)
{
    for (uint32_t i = 0; i < f->nops; i++)
        if ((f->ops[i].begins || f->ops[i].k == LIR_TEMPLATE) && f->ops[i].note && !strcmp(f->ops[i].note, what))
            return i;
    return LIR_NONE;
}

const lir_fn *lir_tmpl_fn(const lir_program *lp, const ir_state *s, const char *what)
{
    for (uint32_t i = 0; i < lp->ntmpl_fns; i++) {
        const lir_fn *f = lp->tmpl_fns[i];
        if (f->state == s && lir_tmpl_at(f, what) != LIR_NONE) return f;
    }
    return NULL;
}

/* ---- the dump ------------------------------------------------------------------------------ */

static void quote(asl_buf *b, const char *s, size_t n)
{
    if (!s) {
        asl_buf_puts(b, "null");
        return;
    }
    asl_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            asl_buf_putc(b, '\\');
            asl_buf_putc(b, (char)c);
        } else if (c < 0x20 || c == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            asl_buf_puts(b, e);
        } else {
            asl_buf_putc(b, (char)c);
        }
    }
    asl_buf_putc(b, '"');
}

static void quotez(asl_buf *b, const char *s) { quote(b, s, s ? strlen(s) : 0); }

static void reg_name(asl_buf *b, uint32_t r)
{
    char t[16];
    if (r == LIR_IN) asl_buf_puts(b, "%in");
    else if (r == LIR_NONE) asl_buf_puts(b, "-");
    else {
        snprintf(t, sizeof t, "%%%u", r);
        asl_buf_puts(b, t);
    }
}

static void dump_op(asl_buf *b, const lir_op *o)
{
    static const char *const mn[] = {
#define X(id, m) m,
        LIR_OPS(X)
#undef X
    };
    static const char *const fast[] = {"", "key1", "key2", "item", "item.key", "jsonata"};
    static const char *const how[] = {"in-state", "format", "mathadd", "helper"};
    char t[64];
    asl_buf_puts(b, "    ");
    if (o->d != LIR_NONE && o->k != LIR_BRANCH) {
        reg_name(b, o->d);
        asl_buf_puts(b, " = ");
    }
    asl_buf_puts(b, mn[o->k]);
    switch ((lir_opk)o->k) {
    case LIR_ENTER:
        break;
    case LIR_LEAVE:
    case LIR_HELPER:
    case LIR_RULE:
        asl_buf_putc(b, ' ');
        if (o->target_fn) {
            asl_buf_puts(b, o->target_fn->name);
            asl_buf_putc(b, ' ');
        }
        reg_name(b, o->a);
        break;
    case LIR_PATH:
        snprintf(t, sizeof t, ".%s ", lir_rt_table[o->rt].name + 4);
        asl_buf_puts(b, t);
        reg_name(b, o->a);
        asl_buf_putc(b, ' ');
        asl_buf_puts(b, o->path->text ? o->path->text : "?");
        if (o->str) {
            asl_buf_puts(b, " for ");
            quotez(b, o->str);
        }
        if (o->fast) {
            asl_buf_puts(b, " fast=");
            asl_buf_puts(b, fast[o->fast]);
        }
        break;
    case LIR_JN_SET:
    case LIR_JN_OUT:
    case LIR_RESULT_PATH:
        asl_buf_putc(b, ' ');
        reg_name(b, o->a);
        asl_buf_puts(b, " <- ");
        reg_name(b, o->b);
        asl_buf_puts(b, " at ");
        asl_buf_puts(b, o->path->text ? o->path->text : "?");
        break;
    case LIR_CONST:
        asl_buf_putc(b, ' ');
        asl_buf_put(b, o->str, o->len);
        break;
    case LIR_EMPTY:
        break;
    case LIR_NEW:
        if (o->tmpl) {
            asl_buf_puts(b, " shaped {");
            for (uint32_t i = 0; i < o->tmpl->n; i++) {
                if (i) asl_buf_putc(b, ',');
                quote(b, o->tmpl->members[i].key, o->tmpl->members[i].klen);
            }
            asl_buf_putc(b, '}');
        } else {
            snprintf(t, sizeof t, " %s %u", o->rt == LIR_RT_ARRAY ? "array" : "object", o->n);
            asl_buf_puts(b, t);
        }
        if (o->fast) asl_buf_puts(b, " fast");
        break;
    case LIR_MEMBER:
        asl_buf_putc(b, ' ');
        reg_name(b, o->a);
        asl_buf_putc(b, '.');
        quote(b, o->str, o->len);
        asl_buf_puts(b, " = ");
        reg_name(b, o->b);
        if (o->n != LIR_NONE) {
            snprintf(t, sizeof t, " bound=%u", o->n);
            asl_buf_puts(b, t);
        }
        asl_buf_puts(b, o->fast == 2 ? " in-place" : o->fast ? " fast" : o->rt == LIR_RT_OBJECT_APPEND ? " escaped" : "");
        break;
    case LIR_PUSH:
    case LIR_BOUND:
        asl_buf_putc(b, ' ');
        reg_name(b, o->a);
        if (o->k == LIR_PUSH) {
            asl_buf_puts(b, " <- ");
            reg_name(b, o->b);
        }
        break;
    case LIR_CALL:
        asl_buf_putc(b, ' ');
        asl_buf_puts(b, aslc_intrinsic_name(o->call->fn));
        asl_buf_putc(b, '(');
        for (uint32_t i = 0; i < o->call->argc; i++) {
            if (i) asl_buf_puts(b, ", ");
            reg_name(b, o->args[i]);
        }
        snprintf(t, sizeof t, ") %s", how[o->n]);
        asl_buf_puts(b, t);
        if (o->n == LIR_CALL_FORMAT) {
            snprintf(t, sizeof t, " FMT_%u", o->len);
            asl_buf_puts(b, t);
        }
        if (o->fast) asl_buf_puts(b, " fast");
        break;
    case LIR_TEMPLATE:
        snprintf(t, sizeof t, " TP_%u ", o->len);
        asl_buf_puts(b, t);
        if (o->n == 1) asl_buf_puts(b, "(of the flow)");
        else reg_name(b, o->a);
        break;
    case LIR_FLOW:
        asl_buf_puts(b, o->n == LIR_FLOW_IN ? ".in " : o->n == LIR_FLOW_OUT ? ".out " : ".pass ");
        reg_name(b, o->a);
        if (o->b != LIR_NONE) {
            asl_buf_putc(b, ' ');
            reg_name(b, o->b);
        }
        break;
    case LIR_CALL_RT:
        asl_buf_putc(b, ' ');
        asl_buf_puts(b, lir_rt_table[o->rt].name);
        asl_buf_putc(b, ' ');
        reg_name(b, o->a);
        if (o->b != LIR_NONE) {
            asl_buf_putc(b, ' ');
            reg_name(b, o->b);
        }
        if (o->path) {
            asl_buf_putc(b, ' ');
            asl_buf_puts(b, o->path->text ? o->path->text : "?");
        }
        if (o->rule) {
            uint32_t kind = choice_ops[o->rule->op].operand;
            if (kind == 'S' || kind == 'T' || kind == 'M') {
                asl_buf_putc(b, ' ');
                quote(b, o->str, o->len);
            } else if (kind == 'N') {
                snprintf(t, sizeof t, " %.17g", o->num);
                asl_buf_puts(b, t);
            } else if (kind == 'B' || kind == 'U') {
                asl_buf_puts(b, o->rule->b ? " true" : " false");
            }
            if (o->fast) asl_buf_puts(b, " fast");
        } else if (o->rt == LIR_RT_WAIT_SECONDS) {
            snprintf(t, sizeof t, " %.17g", o->num);
            asl_buf_puts(b, t);
        } else if (o->rt == LIR_RT_WAIT_UNTIL) {
            asl_buf_putc(b, ' ');
            quotez(b, o->str);
        }
        break;
    case LIR_BRANCH:
        asl_buf_putc(b, ' ');
        reg_name(b, o->d);
        if (o->path) {
            asl_buf_puts(b, " output ");
            asl_buf_puts(b, o->path->text ? o->path->text : "?");
        }
        if (o->target_fn) {
            asl_buf_puts(b, " assign ");
            asl_buf_puts(b, o->target_fn->name);
        }
        /* fall through */
    case LIR_GOTO:
        if (o->target) {
            asl_buf_puts(b, " -> ");
            quotez(b, o->target->name);
            asl_buf_puts(b, o->fast ? " jump" : " tailcall");
        } else {
            asl_buf_puts(b, " return");
        }
        asl_buf_putc(b, ' ');
        reg_name(b, o->a);
        break;
    case LIR_FAIL:
        asl_buf_putc(b, ' ');
        if (o->a != LIR_NONE) reg_name(b, o->a);
        else if (o->rt == LIR_RT_FAIL) quote(b, o->str, o->len);
        else quotez(b, o->str);
        asl_buf_putc(b, ' ');
        if (o->b != LIR_NONE) reg_name(b, o->b);
        else if (o->rt == LIR_RT_FAIL) quote(b, o->str2, o->len2);
        else quotez(b, o->str2);
        if (o->rt == LIR_RT_FAIL_STATE) asl_buf_puts(b, " (no rule matched)");
        break;
    case LIR_CATCH:
        snprintf(t, sizeof t, " %u", o->n);
        asl_buf_puts(b, t);
        break;
    case LIR_RETRY:
        snprintf(t, sizeof t, " %s, %u retriers", o->target_fn->name, o->n);
        asl_buf_puts(b, t);
        break;
    case LIR_JN:
        lir_jn_dump_op(b, o);
        break;
    default:
        break;
    }
    if (o->jf) {   /* its fast form: `[$set =] $var <op> num` */
        asl_buf_printf(b, " [%s%.*s%s$%.*s %s %.17g]", o->jf->set ? "$" : "", (int)o->jf->set_len,
                       o->jf->set ? o->jf->set : "", o->jf->set ? " = " : "", (int)o->jf->var_len, o->jf->var,
                       lir_jf_c[o->jf->op], o->jf->num);
    }
    if (o->check) asl_buf_puts(b, o->k == LIR_RULE ? " check<0" : " check");
    if (o->note) {
        asl_buf_puts(b, "  ; ");
        for (const char *s = o->note; *s; s++) asl_buf_putc(b, *s == '\n' ? ' ' : *s);
    }
    asl_buf_putc(b, '\n');
}

void lir_dump(asl_buf *out, const lir_program *lp)
{
    static const char *const kinds[] = {"state", "do", "try", "tmpl", "fn", "rule", "jn"};
    const ir_program *p = lp->p;
    char t[160];
    asl_buf_puts(out, "; aslc LIR of ");
    asl_buf_puts(out, p->name ? p->name : "?");
    snprintf(t, sizeof t, ": %u states, %u part%s%s%s\n\n", p->nall, lp->layout.lay.parts,
             lp->layout.lay.parts == 1 ? "" : "s", lp->layout.lay.big ? ", big (data flow as data, states as blocks)" : "",
             lp->layout.inline_first ? ", first steps inline" : "");
    asl_buf_puts(out, t);
    for (uint32_t i = 0; i < lp->nfns; i++) {
        const lir_fn *f = lp->fns[i];
        asl_buf_puts(out, kinds[f->kind]);
        asl_buf_putc(out, ' ');
        asl_buf_puts(out, f->name);
        if (f->state) {
            asl_buf_puts(out, " of ");
            quotez(out, f->state->name);
            if (f->kind == LIR_FN_STATE) {
                asl_buf_putc(out, ' ');
                asl_buf_puts(out, ir_state_type_name(f->state->type));
                asl_buf_puts(out, " at ");
                asl_buf_puts(out, f->state->loc.ptr ? f->state->loc.ptr : "?");
            }
        }
        if (lp->layout.lay.parts > 1) {
            snprintf(t, sizeof t, " part %u", f->part);
            asl_buf_puts(out, t);
        }
        if (f->block) asl_buf_puts(out, " block");
        if (f->entry >= 0) {
            snprintf(t, sizeof t, " entry %d", f->entry);
            asl_buf_puts(out, t);
        }
        if (f->catches) asl_buf_puts(out, " catches");
        asl_buf_puts(out, "\n");
        for (uint32_t k = 0; k < f->nops; k++) dump_op(out, &f->ops[k]);
        asl_buf_putc(out, '\n');
    }
}
