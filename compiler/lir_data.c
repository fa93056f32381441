/*
 * lir_data.c — the static descriptors of a lowered program as records
 * (lir.h, lir_data): what each of them holds is decided here, once; the
 * back ends print a record field by field (a C initialiser, an LLVM
 * constant) without knowing what it means.
 *
 * A record is made the first time a back end asks for it (lir_data_path,
 * lir_data_state, ...), interned by what it describes (a path by
 * aslc_path_key, an object's keys by their text), so that each exists once;
 * the numbers of P_ and KS_ are given by the printers in the order they
 * first print them, as before, so that the output does not change.
 */
#include "lir.h"
#include "intrinsic.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the structs ---------------------------------------------------------------------- */

#define FLD(T, m, t) {#m, t, offsetof(T, m), sizeof(((T *)0)->m)}
#define PTR {NULL, 'p', 0, sizeof(void *)}

const lir_struct lir_structs[LIR_S__COUNT] = {
    [LIR_S_SEG] = {"asl_seg", sizeof(asl_seg), 11,
                   {FLD(asl_seg, kind, 'c'), FLD(asl_seg, has_start, 'c'), FLD(asl_seg, has_end, 'c'),
                    FLD(asl_seg, klen, 'i'), FLD(asl_seg, key, 'p'), FLD(asl_seg, start, 'l'),
                    FLD(asl_seg, end, 'l'), FLD(asl_seg, step, 'l'), FLD(asl_seg, filter, 'p'),
                    FLD(asl_seg, nunion, 'i'), FLD(asl_seg, members, 'p')}},
    [LIR_S_FILTER] = {"asl_filter", sizeof(asl_filter), 7,
                      {FLD(asl_filter, op, 'c'), FLD(asl_filter, rtype, 'c'), FLD(asl_filter, nlhs, 'i'),
                       FLD(asl_filter, lhs, 'p'), FLD(asl_filter, rnum, 'd'), FLD(asl_filter, rstr, 'p'),
                       FLD(asl_filter, rlen, 'i')}},
    [LIR_S_PATH] = {"asl_path", sizeof(asl_path), 7,
                    {FLD(asl_path, text, 'p'), FLD(asl_path, root, 'c'), FLD(asl_path, definite, 'c'),
                     FLD(asl_path, map_item, 'c'), FLD(asl_path, nseg, 'i'), FLD(asl_path, segs, 'p'),
                     FLD(asl_path, jn, 'p')}},
    [LIR_S_JNF] = {"asl_jn_field", sizeof(asl_jn_field), 9,
                   {FLD(asl_jn_field, kind, 'c'), FLD(asl_jn_field, type, 'c'), FLD(asl_jn_field, where, 'p'),
                    FLD(asl_jn_field, src, 'p'), FLD(asl_jn_field, expr, 'p'), FLD(asl_jn_field, tmpl, 'p'),
                    FLD(asl_jn_field, assign, 'p'), FLD(asl_jn_field, k, 'p'), FLD(asl_jn_field, eval, 'p')}},
    [LIR_S_INFO] = {"asl_state_info", sizeof(asl_state_info), 4,
                    {FLD(asl_state_info, name, 'p'), FLD(asl_state_info, type, 'p'),
                     FLD(asl_state_info, json_path, 'p'), FLD(asl_state_info, last, 'c')}},
    [LIR_S_RETRIER] = {"asl_retrier", sizeof(asl_retrier), 8,
                       {FLD(asl_retrier, errors, 'p'), FLD(asl_retrier, nerrors, 'i'),
                        FLD(asl_retrier, max_attempts, 'i'), FLD(asl_retrier, interval, 'd'),
                        FLD(asl_retrier, backoff, 'd'), FLD(asl_retrier, max_delay, 'd'),
                        FLD(asl_retrier, jitter, 'c'), FLD(asl_retrier, lens, 'p')}},
    [LIR_S_CATCHER] = {"asl_catcher", sizeof(asl_catcher), 3,
                       {FLD(asl_catcher, errors, 'p'), FLD(asl_catcher, nerrors, 'i'), FLD(asl_catcher, lens, 'p')}},
    [LIR_S_SITE] = {"asl_task_site", sizeof(asl_task_site), 5,
                    {FLD(asl_task_site, id, 'i'), FLD(asl_task_site, state, 'p'),
                     FLD(asl_task_site, resource, 'p'), FLD(asl_task_site, timeout, 'd'),
                     FLD(asl_task_site, heartbeat, 'd')}},
    [LIR_S_MAP] = {"asl_map_info", sizeof(asl_map_info), 13,
                   {FLD(asl_map_info, start, 'p'), FLD(asl_map_info, selector, 'p'),
                    FLD(asl_map_info, max_concurrency, 'i'), FLD(asl_map_info, tolerated_count, 'i'),
                    FLD(asl_map_info, tolerated_percent, 'd'), FLD(asl_map_info, distributed, 'c'),
                    FLD(asl_map_info, batched, 'c'), FLD(asl_map_info, max_items_per_batch, 'i'),
                    FLD(asl_map_info, max_bytes_per_batch, 'i'), FLD(asl_map_info, batch_input, 'p'),
                    FLD(asl_map_info, reader, 'p'), FLD(asl_map_info, writer, 'p'),
                    FLD(asl_map_info, label, 'p')}},
    [LIR_S_NATIVE] = {"asl_native", sizeof(asl_native), 2, {FLD(asl_native, name, 'p'), FLD(asl_native, fn, 'p')}},
    [LIR_S_PROGRAM] = {"asl_program", sizeof(asl_program), 14,
                       {FLD(asl_program, name, 'p'), FLD(asl_program, start, 'p'), FLD(asl_program, init, 'p'),
                        FLD(asl_program, resources_json, 'p'), FLD(asl_program, mocks_json, 'p'),
                        FLD(asl_program, natives, 'p'), FLD(asl_program, nnatives, 'i'),
                        FLD(asl_program, sites, 'p'), FLD(asl_program, nsites, 'i'),
                        FLD(asl_program, timeout, 'd'), FLD(asl_program, allow_unbound, 'c'),
                        FLD(asl_program, state_names, 'p'), FLD(asl_program, state_fns, 'p'),
                        FLD(asl_program, nstates, 'i')}},
    [LIR_S_TMPL] = {"asl_tmpl", sizeof(asl_tmpl), 7,
                    {FLD(asl_tmpl, kind, 'c'), FLD(asl_tmpl, n, 'i'), FLD(asl_tmpl, key, 'p'),
                     FLD(asl_tmpl, klen, 'i'), FLD(asl_tmpl, path, 'p'), FLD(asl_tmpl, k, 'p'),
                     FLD(asl_tmpl, call, 'p')}},
    [LIR_S_FLOW] = {"asl_flow", sizeof(asl_flow), 7,
                    {FLD(asl_flow, input_path, 'p'), FLD(asl_flow, parameters, 'p'), FLD(asl_flow, result, 'p'),
                     FLD(asl_flow, result_selector, 'p'), FLD(asl_flow, result_path, 'p'),
                     FLD(asl_flow, output_path, 'p'), FLD(asl_flow, nulls, 'c')}},
    [LIR_S_LIT_KEY] = {"asl_lit_key", sizeof(asl_lit_key), 2, {FLD(asl_lit_key, key, 'p'), FLD(asl_lit_key, klen, 'i')}},
    [LIR_S_FMT] = {"asl_fmt", sizeof(asl_fmt), 4,
                   {FLD(asl_fmt, holes, 'i'), FLD(asl_fmt, lit, 'i'), FLD(asl_fmt, plain, 'c'),
                    FLD(asl_fmt, pieces, 'p')}},
    [LIR_S_SHAPE] = {"asl_shape", sizeof(asl_shape), 3,
                     {FLD(asl_shape, n, 'i'), FLD(asl_shape, jlen, 'i'), FLD(asl_shape, keys, 'p')}},
    [LIR_S_CSTR] = {"char *const", sizeof(char *), 1, {PTR}},
    [LIR_S_STATE_FN] = {"asl_state_fn", sizeof(asl_state_fn), 1, {PTR}},
    [LIR_S_SITE_P] = {"asl_task_site *const", sizeof(void *), 1, {PTR}},
    [LIR_S_U32] = {"uint32_t", sizeof(uint32_t), 1, {{NULL, 'i', 0, sizeof(uint32_t)}}},
};

/* ---- making records ------------------------------------------------------------------- */

struct lir_dmap {
    aslc_ids ids;                /* what a record describes -> its number here */
    uint32_t *rec;               /* that number -> the record's id */
    uint32_t cap;
    asl_buf key;
};

static lir_data *new_data(lir_program *lp, lir_struct_id st, bool array, const char *name)
{
    asl_arena *a = lp->p->arena;
    lir_data *d = asl_alloc(a, sizeof *d);
    memset(d, 0, sizeof *d);
    d->st = (uint8_t)st;
    d->array = array;
    d->name = name;
    if (lp->ndata == lp->cap_data) {
        lp->cap_data = lp->cap_data ? lp->cap_data * 2 : 64;
        lir_data **all = asl_alloc(a, lp->cap_data * sizeof *all);
        if (lp->ndata) memcpy(all, lp->data, lp->ndata * sizeof *all);
        lp->data = all;
    }
    d->id = lp->ndata;
    lp->data[lp->ndata++] = d;
    return d;
}

/* The next value of d, for field `field` (an array's element starts at field 0). */
static lir_val *val(lir_program *lp, lir_data *d, uint32_t field, lir_vk k)
{
    if (d->nv == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        lir_val *v = asl_alloc(lp->p->arena, d->cap * sizeof *v);
        if (d->nv) memcpy(v, d->v, d->nv * sizeof *v);
        d->v = v;
    }
    lir_val *v = &d->v[d->nv++];
    memset(v, 0, sizeof *v);
    v->k = (uint8_t)k;
    v->field = (uint8_t)field;
    v->row = field == 0;
    return v;
}

static lir_val *vint(lir_program *lp, lir_data *d, uint32_t field, int64_t i)
{
    lir_val *v = val(lp, d, field, LIR_V_INT);
    v->i = i;
    return v;
}

static lir_val *vbool(lir_program *lp, lir_data *d, uint32_t field, bool b)
{
    lir_val *v = vint(lp, d, field, b);
    v->sym = b ? "true" : "false";
    return v;
}

static lir_val *vnum(lir_program *lp, lir_data *d, uint32_t field, double x)
{
    lir_val *v = val(lp, d, field, LIR_V_NUM);
    v->num = x;
    return v;
}

/* A string of n bytes, or none (s NULL). */
static lir_val *vstr(lir_program *lp, lir_data *d, uint32_t field, const char *s, size_t n)
{
    lir_val *v = val(lp, d, field, s ? LIR_V_STR : LIR_V_NULL);
    v->str = s;
    v->len = (uint32_t)n;
    return v;
}

static lir_val *vstrz(lir_program *lp, lir_data *d, uint32_t field, const char *s)
{
    return vstr(lp, d, field, s, s ? strlen(s) : 0);
}

static lir_val *vdata(lir_program *lp, lir_data *d, uint32_t field, const lir_data *x)
{
    lir_val *v = val(lp, d, field, x ? LIR_V_DATA : LIR_V_NULL);
    v->data = x;
    return v;
}

static lir_val *vfn(lir_program *lp, lir_data *d, uint32_t field, const lir_fn *f)
{
    lir_val *v = val(lp, d, field, f ? LIR_V_FN : LIR_V_NULL);
    v->fn = f;
    return v;
}

static lir_val *vsym(lir_program *lp, lir_data *d, uint32_t field, const char *sym)
{
    lir_val *v = val(lp, d, field, sym ? LIR_V_SYM : LIR_V_NULL);
    v->str = sym;
    return v;
}

static lir_val *vk(lir_program *lp, lir_data *d, uint32_t field, const char *json)
{
    lir_val *v = val(lp, d, field, LIR_V_K);
    v->str = json;
    return v;
}

/* The record interned under key (the map's key buffer), or NULL; *slot: where to put a new one. */
static struct lir_dmap *dmap(lir_program *lp)
{
    if (!lp->dmap) {
        lp->dmap = calloc(1, sizeof *lp->dmap);
        if (!lp->dmap) abort();
    }
    return lp->dmap;
}

static lir_data *interned(lir_program *lp, uint32_t *slot)
{
    struct lir_dmap *m = dmap(lp);
    bool fresh;
    uint32_t id = aslc_ids_get(&m->ids, m->key.data, m->key.len, &fresh);
    *slot = id;
    if (fresh) {
        if (id >= m->cap) {
            m->cap = m->cap ? m->cap * 2 : 256;
            m->rec = asl_xrealloc(m->rec, m->cap * sizeof *m->rec);
        }
        m->rec[id] = UINT32_MAX;
        return NULL;
    }
    return m->rec[id] == UINT32_MAX ? NULL : lp->data[m->rec[id]];
}

static const lir_data *keep(lir_program *lp, uint32_t slot, lir_data *d)
{
    lp->dmap->rec[slot] = d->id;
    return d;
}

void lir_data_free(lir_program *lp)
{
    if (!lp->dmap) return;
    aslc_ids_free(&lp->dmap->ids);
    asl_buf_free(&lp->dmap->key);
    free(lp->dmap->rec);
    free(lp->dmap);
    lp->dmap = NULL;
}

/* ---- paths -------------------------------------------------------------------------------- */

static lir_data *segs_data(lir_program *lp, const asl_seg *segs, uint32_t n, const lir_data *owner,
                           const char *suffix);

static lir_data *named_after(lir_program *lp, lir_struct_id st, bool array, const lir_data *owner,
                             const char *suffix)
{
    lir_data *d = new_data(lp, st, array, NULL);
    d->owner = owner;
    d->suffix = suffix;
    d->global = true;
    return d;
}

static lir_data *segs_data(lir_program *lp, const asl_seg *segs, uint32_t n, const lir_data *owner,
                           const char *suffix)
{
    asl_arena *a = lp->p->arena;
    lir_data *d = named_after(lp, LIR_S_SEG, true, owner, suffix);
    d->lines = true;
    for (uint32_t i = 0; i < n; i++) {
        const asl_seg *s = &segs[i];
        vint(lp, d, 0, s->kind);
        vint(lp, d, 1, s->has_start);
        vint(lp, d, 2, s->has_end);
        vint(lp, d, 3, s->klen);
        vstr(lp, d, 4, s->key, s->klen);
        vint(lp, d, 5, s->start);
        vint(lp, d, 6, s->end);
        vint(lp, d, 7, s->step);
        lir_data *f = NULL;
        if (s->kind == ASL_SEG_FILTER && s->filter) {
            const asl_filter *fl = s->filter;
            lir_data *lhs = fl->nlhs ? segs_data(lp, fl->lhs, fl->nlhs, d, asl_sprintf(a, "_%u_lhs", i)) : NULL;
            f = named_after(lp, LIR_S_FILTER, false, d, asl_sprintf(a, "_%u_f", i));
            vint(lp, f, 0, fl->op);
            vint(lp, f, 1, fl->rtype);
            vint(lp, f, 2, fl->nlhs);
            vdata(lp, f, 3, lhs);
            vnum(lp, f, 4, fl->rnum);
            vstr(lp, f, 5, fl->rstr, fl->rlen);
            vint(lp, f, 6, fl->rlen);
        }
        vdata(lp, d, 8, f);
        bool u = s->nunion && s->members;   /* a union, or the step after a '..' */
        vint(lp, d, 9, u ? s->nunion : 0);
        vdata(lp, d, 10, u ? segs_data(lp, s->members, s->nunion, d, asl_sprintf(a, "_%u_u", i)) : NULL);
    }
    return d;
}

/* J_n, the field of a JSONata state that P_n stands for (asl.h,
 * asl_jn_field), with the functions lower.c made for it. */
static lir_data *jn_field_data(lir_program *lp, const asl_path *p, const lir_data *owner)
{
    const lir_jn *l = lir_jn_of(lp, p);
    const ir_jn *j = (const ir_jn *)(const void *)p->jn;
    lir_data *d = named_after(lp, LIR_S_JNF, false, owner, NULL);
    d->prefix = "J_";
    vint(lp, d, 0, j->field.kind);
    /* a LEAVE field whose only work is a lean expression: ASL_JNT_LEAN */
    vint(lp, d, 1, j->field.type | (lir_jn_lean(lp, p) ? ASL_JNT_LEAN : 0) | (lir_jn_reads_in(lp, p) ? ASL_JNT_IN : 0));
    vstrz(lp, d, 2, j->field.where);
    vstrz(lp, d, 3, j->field.src);
    vfn(lp, d, 4, l->expr);
    vfn(lp, d, 5, l->tmpl);
    vfn(lp, d, 6, l->assign);
    if (j->ktext) vk(lp, d, 7, j->ktext);
    else val(lp, d, 7, LIR_V_NULL);
    vsym(lp, d, 8, "asl_jn_field_eval");
    return d;
}

const lir_data *lir_data_path(lir_program *lp, const asl_path *p)
{
    struct lir_dmap *m = dmap(lp);
    m->key.len = 0;
    asl_buf_puts(&m->key, "P:");
    asl_buf tmp;
    asl_buf_init(&tmp);
    aslc_path_key(&tmp, p);
    asl_buf_put(&m->key, tmp.data, tmp.len);
    asl_buf_free(&tmp);
    uint32_t slot;
    lir_data *d = interned(lp, &slot);
    if (d) return d;
    d = new_data(lp, LIR_S_PATH, false, NULL);
    d->prefix = "P_";
    d->global = true;
    vstrz(lp, d, 0, p->text);
    vint(lp, d, 1, p->root);
    vint(lp, d, 2, p->definite);
    vint(lp, d, 3, p->map_item);
    vint(lp, d, 4, p->nseg);
    vdata(lp, d, 5, p->nseg ? segs_data(lp, p->segs, p->nseg, d, "_segs") : NULL);
    if (p->root == ASL_ROOT_JSONATA) vdata(lp, d, 6, jn_field_data(lp, p, d));
    return keep(lp, slot, d);
}

/* ---- a state's descriptors ---------------------------------------------------------------- */

/* ErrorEquals: the names, counted (a U+0000 may be inside). */
static lir_data *errors_data(lir_program *lp, const char *name, const char **errors, const uint32_t *lens,
                             uint32_t n)
{
    lir_data *d = new_data(lp, LIR_S_CSTR, true, name);
    for (uint32_t i = 0; i < n; i++)
        if (lens) vstr(lp, d, 0, errors[i], lens[i]);
        else vstrz(lp, d, 0, errors[i]);
    return d;
}

/* Their lengths, field f of row d, when one of them holds a U+0000. */
static void lens_data(lir_program *lp, lir_data *d, uint32_t f, const char *name, const uint32_t *lens, uint32_t n)
{
    lir_data *l = new_data(lp, LIR_S_U32, true, name);
    for (uint32_t i = 0; i < n; i++) vint(lp, l, 0, lens[i]);
    vdata(lp, d, f, l);
}

static const char *start_of(const ir_machine *m) { return m && m->start ? m->start->cname : NULL; }

static lir_data *state_data(lir_program *lp, const ir_state *s, lir_dstate what)
{
    asl_arena *a = lp->p->arena;
    const char *c = s->cname;
    lir_data *d;
    switch (what) {
    case LIR_D_INFO:
        d = new_data(lp, LIR_S_INFO, false, asl_sprintf(a, "S_%s", c));
        vstrz(lp, d, 0, s->name);
        vstrz(lp, d, 1, ir_state_type_name(s->type));
        vstrz(lp, d, 2, s->loc.ptr);
        vbool(lp, d, 3, aslc_state_last(s));
        if (aslc_state_last(s)) d->tail = "last: ends its machine";
        return d;
    case LIR_D_SITE:   /* the program's table of sites in part 0 points to it */
        d = new_data(lp, LIR_S_SITE, false, asl_sprintf(a, "T_%s", c));
        d->global = true;
        vint(lp, d, 0, s->site);
        vstrz(lp, d, 1, s->name);
        vstrz(lp, d, 2, s->resource);
        vnum(lp, d, 3, s->timeout);
        vnum(lp, d, 4, s->heartbeat);
        return d;
    case LIR_D_FLOW: {  /* F_: a large program's data flow, run by asl_pass, asl_flow_in and asl_flow_out */
        d = new_data(lp, LIR_S_FLOW, false, asl_sprintf(a, "F_%s", c));
        const lir_fn *ff = lir_flow_fn(lp, s);
        const lir_data *tp[2] = {NULL, NULL};
        for (uint32_t i = 0; i < ff->nops; i++) {
            const lir_op *o = &ff->ops[i];
            if (o->k == LIR_TEMPLATE && o->n == 1) tp[strcmp(o->note, "Parameters") != 0] = lir_data_tmpl(lp, o);
        }
        if (s->input_path && s->input_path->nseg + s->input_path->root && !s->input_path_null)
            vdata(lp, d, 0, lir_data_path(lp, s->input_path))->named = true;
        if (tp[0]) vdata(lp, d, 1, tp[0])->named = true;
        if (s->type == IR_PASS && s->result) vk(lp, d, 2, s->result_text)->named = true;
        if (tp[1]) vdata(lp, d, 3, tp[1])->named = true;
        if (s->result_path && s->result_path->nseg && !s->result_path_null)
            vdata(lp, d, 4, lir_data_path(lp, s->result_path))->named = true;
        if (s->output_path && s->output_path->nseg + s->output_path->root && !s->output_path_null)
            vdata(lp, d, 5, lir_data_path(lp, s->output_path))->named = true;
        int nulls = (s->input_path_null ? ASL_FLOW_INPUT_NULL : 0) | (s->result_path_null ? ASL_FLOW_RESULT_NULL : 0) |
                    (s->output_path_null ? ASL_FLOW_OUTPUT_NULL : 0);
        if (nulls) {
            lir_val *v = vint(lp, d, 6, nulls);
            v->named = true;
            asl_buf sym;
            asl_buf_init(&sym);
            const char *names[3] = {s->input_path_null ? "ASL_FLOW_INPUT_NULL" : NULL,
                                    s->result_path_null ? "ASL_FLOW_RESULT_NULL" : NULL,
                                    s->output_path_null ? "ASL_FLOW_OUTPUT_NULL" : NULL};
            for (int k = 0; k < 3; k++)
                if (names[k]) {
                    if (sym.len) asl_buf_puts(&sym, " | ");
                    asl_buf_puts(&sym, names[k]);
                }
            v->sym = asl_sprintf(a, "%s", sym.data);
            asl_buf_free(&sym);
        }
        if (d->nv) d->v[0].row = true;
        return d;
    }
    case LIR_D_FANOUT:
        if (s->type == IR_PARALLEL) {   /* B_: the branches' starts */
            d = new_data(lp, LIR_S_STATE_FN, true, asl_sprintf(a, "B_%s", c));
            for (uint32_t i = 0; i < s->nbranches; i++) vsym(lp, d, 0, start_of(s->branches[i]));
            return d;
        } else {   /* M_: a Map's settings, with its tp_ functions */
            static const char *const what[4] = {"ItemSelector", "BatchInput", "ItemReader", "ResultWriter"};
            const lir_fn *tf[4];
            for (int k = 0; k < 4; k++) tf[k] = lir_tmpl_fn(lp, s, what[k]);
            d = new_data(lp, LIR_S_MAP, false, asl_sprintf(a, "M_%s", c));
            vsym(lp, d, 0, start_of(s->processor));
            vfn(lp, d, 1, tf[0]);
            vint(lp, d, 2, s->max_concurrency);
            vint(lp, d, 3, s->tolerated_count);
            vnum(lp, d, 4, s->tolerated_percent);
            vint(lp, d, 5, s->distributed)->named = true;
            vint(lp, d, 6, s->batched)->named = true;
            vint(lp, d, 7, s->max_items_per_batch)->named = true;
            vint(lp, d, 8, s->max_bytes_per_batch)->named = true;
            for (int k = 1; k < 4; k++) vfn(lp, d, 8 + (uint32_t)k, tf[k])->named = true;
            if (s->label) vstrz(lp, d, 12, s->label)->named = true;
            return d;
        }
    case LIR_D_RETRY:
        d = new_data(lp, LIR_S_RETRIER, true, asl_sprintf(a, "R_%s", c));
        d->lines = true;
        for (uint32_t i = 0; i < s->nretry; i++) {
            const ir_retrier *r = &s->retry[i];
            const lir_data *errs = errors_data(lp, asl_sprintf(a, "RE_%s_%u", c, i), r->errors, r->lens,
                                               r->nerrors);
            vdata(lp, d, 0, errs);
            vint(lp, d, 1, r->nerrors);
            vint(lp, d, 2, r->max_attempts);
            vnum(lp, d, 3, r->interval);
            vnum(lp, d, 4, r->backoff);
            vnum(lp, d, 5, r->max_delay);
            vint(lp, d, 6, r->jitter);
            if (r->lens) lens_data(lp, d, 7, asl_sprintf(a, "RLRE_%s_%u", c, i), r->lens, r->nerrors);
        }
        return d;
    case LIR_D_CATCH:
        d = new_data(lp, LIR_S_CATCHER, true, asl_sprintf(a, "C_%s", c));
        for (uint32_t i = 0; i < s->ncatch; i++) {
            const ir_catcher *k = &s->catch_[i];
            vdata(lp, d, 0, errors_data(lp, asl_sprintf(a, "CE_%s_%u", c, i), k->errors, k->lens, k->nerrors));
            vint(lp, d, 1, k->nerrors);
            if (k->lens) lens_data(lp, d, 2, asl_sprintf(a, "RLCE_%s_%u", c, i), k->lens, k->nerrors);
        }
        return d;
    default:
        return NULL;
    }
}

const lir_data *lir_data_state(lir_program *lp, const ir_state *s, lir_dstate what)
{
    struct lir_dmap *m = dmap(lp);
    m->key.len = 0;
    asl_buf_printf(&m->key, "S:%u:%d", s->index, (int)what);
    uint32_t slot;
    lir_data *d = interned(lp, &slot);
    return d ? d : keep(lp, slot, state_data(lp, s, what));
}

/* ---- templates, formats, shapes ---------------------------------------------------------------- */

/* The nodes of t into d, in pre-order; *h: the helpers of its calls, in
 * that order (lir_op.helpers).  key is the member name t is under (for an
 * array item, its enclosing member's: a path failure names it). */
static void tmpl_nodes(lir_program *lp, lir_data *d, const ir_tmpl *t, const char *key, uint32_t klen,
                       const lir_fn *const **h)
{
    static const char *const kinds[] = {
        [IR_T_CONST] = "ASL_TM_CONST", [IR_T_OBJECT] = "ASL_TM_OBJECT", [IR_T_ARRAY] = "ASL_TM_ARRAY",
        [IR_T_PATH] = "ASL_TM_PATH", [IR_T_CALL] = "ASL_TM_CALL"};
    static const uint8_t kind_of[] = {[IR_T_CONST] = ASL_TM_CONST, [IR_T_OBJECT] = ASL_TM_OBJECT,
                                      [IR_T_ARRAY] = ASL_TM_ARRAY, [IR_T_PATH] = ASL_TM_PATH,
                                      [IR_T_CALL] = ASL_TM_CALL};
    bool container = t->kind == IR_T_OBJECT || t->kind == IR_T_ARRAY;
    /* what the node points at is made first (its constant, path or call) */
    lir_val *last = NULL;
    const lir_data *path = t->kind == IR_T_PATH ? lir_data_path(lp, t->path) : NULL;
    lir_val *v = vint(lp, d, 0, kind_of[t->kind]);
    v->sym = kinds[t->kind];
    if (container) vint(lp, d, 1, t->n)->named = true;
    last = vstr(lp, d, 2, key, klen);
    last->named = true;
    if (klen) last = vint(lp, d, 3, klen), last->named = true;
    if (t->kind == IR_T_CONST) {
        last = vk(lp, d, 5, t->ctext);
        last->named = true;
        if (strlen(t->ctext) <= 40) last->comment = t->ctext;
    } else if (t->kind == IR_T_PATH) {
        last = vdata(lp, d, 4, path);
        last->named = true;
    } else if (t->kind == IR_T_CALL) {
        last = vfn(lp, d, 6, *(*h)++);
        last->named = true;
    }
    for (uint32_t i = 0; container && i < t->n; i++) {
        if (t->kind == IR_T_OBJECT) tmpl_nodes(lp, d, t->members[i].val, t->members[i].key, t->members[i].klen, h);
        else tmpl_nodes(lp, d, t->items[i], key, klen, h);
    }
}

const lir_data *lir_data_tmpl(lir_program *lp, const lir_op *o)
{
    struct lir_dmap *m = dmap(lp);
    m->key.len = 0;
    asl_buf_printf(&m->key, "TP:%u", o->len);
    uint32_t slot;
    lir_data *d = interned(lp, &slot);
    if (d) return d;
    d = new_data(lp, LIR_S_TMPL, true, asl_sprintf(lp->p->arena, "TP_%u", o->len));
    d->lines = true;
    d->note = o->note;
    const lir_fn *const *h = o->helpers;
    tmpl_nodes(lp, d, o->tmpl, "", 0, &h);
    return keep(lp, slot, d);
}

/* A list of keys (asl_lit_key) named owner + suffix. */
static lir_data *keys_data(lir_program *lp, const char *name)
{
    lir_data *d = new_data(lp, LIR_S_LIT_KEY, true, name);
    d->global = true;
    return d;
}

const lir_data *lir_data_fmt(lir_program *lp, const lir_op *o)
{
    asl_fmt f;
    if (o->n != LIR_CALL_FORMAT || !aslc_format_split(lp->p->arena, o->call, &f)) return NULL;
    struct lir_dmap *m = dmap(lp);
    m->key.len = 0;
    asl_buf_printf(&m->key, "FMT:%u", o->len);
    uint32_t slot;
    lir_data *d = interned(lp, &slot);
    if (d) return d;
    asl_arena *a = lp->p->arena;
    lir_data *pieces = keys_data(lp, asl_sprintf(a, "FMT_%u_pieces", o->len));
    for (uint32_t k = 0; k <= f.holes; k++) {
        vstr(lp, pieces, 0, f.pieces[k].key, f.pieces[k].klen);
        vint(lp, pieces, 1, f.pieces[k].klen);
    }
    d = new_data(lp, LIR_S_FMT, false, asl_sprintf(a, "FMT_%u", o->len));
    d->global = true;
    vint(lp, d, 0, f.holes);
    vint(lp, d, 1, f.lit);
    vint(lp, d, 2, f.plain);
    vdata(lp, d, 3, pieces);
    return keep(lp, slot, d);
}

const lir_data *lir_data_shape(lir_program *lp, const ir_tmpl *t)
{
    struct lir_dmap *m = dmap(lp);
    m->key.len = 0;
    asl_buf_puts(&m->key, "KS:");
    for (uint32_t i = 0; i < t->n; i++) aslc_key_str(&m->key, t->members[i].key, t->members[i].klen);
    uint32_t slot;
    lir_data *d = interned(lp, &slot);
    if (d) return d;
    d = new_data(lp, LIR_S_SHAPE, false, NULL);
    d->prefix = "KS_";
    d->global = true;
    lir_data *keys = named_after(lp, LIR_S_LIT_KEY, true, d, "_keys");
    for (uint32_t i = 0; i < t->n; i++) {
        vstr(lp, keys, 0, t->members[i].key, t->members[i].klen);
        vint(lp, keys, 1, t->members[i].klen);
    }
    vint(lp, d, 0, t->n);
    vint(lp, d, 1, aslc_shape_jlen(t));
    vdata(lp, d, 2, keys);
    return keep(lp, slot, d);
}

/* ---- names ------------------------------------------------------------------------------ */

const char *lir_data_name(lir_names *nm, const lir_program *lp, const lir_data *d)
{
    if (d->id >= nm->cap) {
        uint32_t cap = nm->cap ? nm->cap : 256;
        while (cap <= d->id) cap *= 2;
        nm->name = asl_xrealloc(nm->name, cap * sizeof *nm->name);
        nm->num = asl_xrealloc(nm->num, cap * sizeof *nm->num);
        nm->done = asl_xrealloc(nm->done, cap);
        memset(nm->name + nm->cap, 0, (cap - nm->cap) * sizeof *nm->name);
        memset(nm->done + nm->cap, 0, cap - nm->cap);
        nm->cap = cap;
    }
    if (nm->name[d->id]) return nm->name[d->id];
    asl_arena *a = lp->p->arena;
    const char *n;
    if (d->name) {
        n = d->name;
    } else if (d->owner && d->prefix) {
        lir_data_name(nm, lp, d->owner);
        n = asl_sprintf(a, "%s%u", d->prefix, nm->num[d->owner->id]);
    } else if (d->owner) {
        n = asl_sprintf(a, "%s%s", lir_data_name(nm, lp, d->owner), d->suffix);
    } else {
        unsigned k = 0;
        while (k < nm->nclasses && strcmp(nm->classes[k].prefix, d->prefix)) k++;
        if (k == nm->nclasses) nm->classes[nm->nclasses++].prefix = d->prefix;
        nm->num[d->id] = nm->classes[k].n++;
        n = asl_sprintf(a, "%s%u", d->prefix, nm->num[d->id]);
    }
    return nm->name[d->id] = n;
}

void lir_names_free(lir_names *nm)
{
    free(nm->name);
    free(nm->num);
    free(nm->done);
    memset(nm, 0, sizeof *nm);
}

/* ---- the program ---------------------------------------------------------------------------- */

/* An array of its own size (C: name[n]), one element at least. */
static lir_data *table(lir_program *lp, lir_struct_id st, const char *name)
{
    lir_data *d = new_data(lp, st, true, name);
    d->sized = true;
    d->global = true;
    return d;
}

const lir_data *lir_data_program(lir_program *lp, const aslc_emit_opts *o, bool blocks)
{
    const ir_program *p = lp->p;
    lir_data *nat = table(lp, LIR_S_NATIVE, "natives");
    for (uint32_t i = 0; i < o->nnatives; i++) {
        vstrz(lp, nat, 0, o->natives[i]);
        vsym(lp, nat, 1, o->natives[i]);
    }
    if (!o->nnatives) vstrz(lp, nat, 0, NULL), vsym(lp, nat, 1, NULL);
    lir_data *sites = table(lp, LIR_S_SITE_P, "sites");
    for (uint32_t i = 0; i < p->ntasks; i++) vdata(lp, sites, 0, lir_data_state(lp, p->tasks[i], LIR_D_SITE));
    if (!p->ntasks) vdata(lp, sites, 0, NULL);
    /* The top-level states by name, where aslc serve resumes an execution
     * (runtime/served.c); in a large program printed as blocks, those with a
     * function.  For aslc serve only (--served): see aslc_emit_opts.served. */
    lir_data *names = table(lp, LIR_S_CSTR, "state_names"), *fns = table(lp, LIR_S_STATE_FN, "state_fns");
    uint32_t nres = 0;
    for (uint32_t i = 0; i < p->top->nstates; i++) {
        const ir_state *s = p->top->states[i];
        const lir_fn *f = lp->state_fn[s->index];
        if (!o->served || (blocks && f->block && f->entry < 0)) continue;
        vstrz(lp, names, 0, s->name);
        vsym(lp, fns, 0, s->cname);
        nres++;
    }
    if (!nres) vstrz(lp, names, 0, NULL), vsym(lp, fns, 0, NULL);
    lir_data *d = new_data(lp, LIR_S_PROGRAM, false, "asl_main_program");
    d->global = d->shared = d->lines = true;
    vstrz(lp, d, 0, p->name);
    vsym(lp, d, 1, start_of(p->top));
    vsym(lp, d, 2, "init_constants");
    vstrz(lp, d, 3, o->resources_json);
    vstrz(lp, d, 4, o->mocks_json);
    vdata(lp, d, 5, nat);
    vint(lp, d, 6, o->nnatives);
    vdata(lp, d, 7, sites);
    vint(lp, d, 8, p->ntasks);
    vnum(lp, d, 9, p->top->timeout);
    vbool(lp, d, 10, o->allow_unbound);
    vdata(lp, d, 11, names);
    vdata(lp, d, 12, fns);
    vint(lp, d, 13, nres);
    return d;
}

/* ---- the intrinsics' entry points ----------------------------------------------------------- */

const char *const lir_intrinsic_fn[] = {
#define X(id, name, lo, hi) "asl_intrinsic_" #id,
#include "asl_intrinsics.def"
#undef X
};

/* ---- the listing (aslc --emit-lir) ------------------------------------------------------- */

static void dump_str(asl_buf *b, const char *s, size_t n)
{
    asl_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') asl_buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) asl_buf_printf(b, "\\u%04x", c);
        else asl_buf_putc(b, (char)c);
    }
    asl_buf_putc(b, '"');
}

/* Record d, after the records it points at; a path is shown by its text,
 * as in the ops. */
static void dump_record(asl_buf *b, lir_program *lp, lir_names *nm, const lir_data *d)
{
    const char *name = lir_data_name(nm, lp, d);
    if (nm->done[d->id]) return;
    nm->done[d->id] = 1;
    for (uint32_t i = 0; i < d->nv; i++)
        if (d->v[i].k == LIR_V_DATA && d->v[i].data->st != LIR_S_PATH) dump_record(b, lp, nm, d->v[i].data);
    const lir_struct *st = &lir_structs[d->st];
    bool scalar = st->n == 1 && !st->f[0].name;
    asl_buf_printf(b, "data %s %s%s", name, st->ctype, d->array ? "[]" : "");
    for (uint32_t i = 0; i < d->nv; i++) {
        const lir_val *v = &d->v[i];
        if (d->array && !scalar && v->row) asl_buf_printf(b, "%s\n    ", i ? "" : "");
        else asl_buf_puts(b, i ? ", " : " ");
        if (!scalar) asl_buf_printf(b, "%s=", st->f[v->field].name);
        switch ((lir_vk)v->k) {
        case LIR_V_INT:
            if (v->sym) asl_buf_puts(b, v->sym);
            else asl_buf_printf(b, "%lld", (long long)v->i);
            break;
        case LIR_V_NUM: asl_buf_printf(b, "%.17g", v->num); break;
        case LIR_V_STR: dump_str(b, v->str, v->len); break;
        case LIR_V_NULL: asl_buf_puts(b, "null"); break;
        case LIR_V_DATA:   /* a path: its text (asl_path's first field) */
            if (v->data->st == LIR_S_PATH && v->data->nv) asl_buf_puts(b, v->data->v[0].str);
            else asl_buf_puts(b, lir_data_name(nm, lp, v->data));
            break;
        case LIR_V_FN: asl_buf_puts(b, v->fn->name); break;
        case LIR_V_SYM: asl_buf_puts(b, v->str); break;
        case LIR_V_K: asl_buf_printf(b, "K(%s)", v->str); break;
        }
    }
    asl_buf_putc(b, '\n');
}

void lir_data_dump(asl_buf *out, lir_program *lp)
{
    lir_names nm;
    memset(&nm, 0, sizeof nm);
    asl_buf_puts(out, "; the states' descriptors (lir_data.c)\n\n");
    for (uint32_t i = 0; i < lp->nfns; i++) {
        const ir_state *s = lp->fns[i]->state;
        if (lp->fns[i]->kind != LIR_FN_STATE) continue;
        const lir_fn *ff = lir_flow_fn(lp, s);
        bool flow = false;
        for (uint32_t k = 0; k < ff->nops; k++) flow |= ff->ops[k].k == LIR_FLOW;
        bool has[LIR_D__STATE] = {true, s->type == IR_TASK, flow, s->type == IR_PARALLEL || s->type == IR_MAP,
                                  s->nretry > 0, s->ncatch > 0};
        for (int w = 0; w < LIR_D__STATE; w++)
            if (has[w]) dump_record(out, lp, &nm, lir_data_state(lp, s, (lir_dstate)w));
        asl_buf_putc(out, '\n');
    }
    lir_names_free(&nm);
}
