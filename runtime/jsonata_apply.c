/*
 * jsonata_apply.c — applying JSONata functions: signature checks (the
 * reference's signature.js: each parameter a set of type symbols with ?, +
 * or - (the context when absent), matched against the arguments' symbols
 * with the backtracking of the regular expression the reference builds),
 * partial application, and the stable merge sort of $sort and `^( )`.
 */
#include "jsonata.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define JN_MAX_PARAMS 12

typedef struct {
    char cls[12];      /* symbols accepted: s n b l a o f m (missing) */
    char ctx_cls[12];  /* the same before '-' made it optional */
    char type;         /* s n b l a o f j x or '(' */
    char quant;        /* 0, '?' or '+' */
    bool context;
    char subtype[8];
} jn_param;

typedef struct {
    jn_param p[JN_MAX_PARAMS];
    int n;
} jn_sig;

static int close_bracket(const char *s, int at, char open, char close)
{
    int depth = 1;
    while (s[at]) {
        at++;
        if (s[at] == close && --depth == 0) break;
        if (s[at] == open) depth++;
    }
    return at;
}

/* Parses sig ("<s-n?:s>"): NULL, or the S04xx code with *off. */
static const char *sig_parse(const char *sig, jn_sig *out, int *off)
{
    memset(out, 0, sizeof *out);
    jn_param *prev = NULL;
    for (int i = 1; sig[i] && sig[i] != ':'; i++) {
        char ch = sig[i];
        jn_param *p = out->n < JN_MAX_PARAMS ? &out->p[out->n] : NULL;
        const char *cls = NULL;
        switch (ch) {
        case 's': case 'n': case 'b': case 'l': case 'o':
            cls = ch == 's' ? "sm" : ch == 'n' ? "nm" : ch == 'b' ? "bm" : ch == 'l' ? "lm" : "om";
            break;
        case 'a': cls = "asnblfom"; break;
        case 'f': cls = "f"; break;
        case 'j': cls = "asnblom"; break;
        case 'x': cls = "asnblfom"; break;
        case '-':
            if (prev) {
                prev->context = true;
                strcpy(prev->ctx_cls, prev->cls);
                prev->quant = '?';
            }
            continue;
        case '?': case '+':
            if (prev) prev->quant = ch;
            continue;
        case '(': {
            int end = close_bracket(sig, i, '(', ')');
            if (memchr(sig + i, '<', (size_t)(end - i))) {
                *off = i;
                return "S0402";
            }
            if (!p) return NULL;
            int k = 0;
            for (int j = i + 1; j < end && k < 10; j++) p->cls[k++] = sig[j];
            p->cls[k] = 'm';
            p->type = '(';
            out->n++;
            prev = p;
            i = sig[end] ? end : end - 1;   /* unclosed: stop at the end */
            continue;
        }
        case '<': {
            if (!prev || (prev->type != 'a' && prev->type != 'f')) {
                *off = i;
                return "S0401";
            }
            int end = close_bracket(sig, i, '<', '>');
            int k = 0;
            for (int j = i + 1; j < end && k < 7; j++) prev->subtype[k++] = sig[j];
            i = sig[end] ? end : end - 1;   /* unclosed: stop at the end */
            continue;
        }
        default:
            continue;
        }
        if (!p) return NULL;
        strcpy(p->cls, cls);
        p->type = ch;
        out->n++;
        prev = p;
    }
    return NULL;
}

const char *asl_jn_sig_check(const char *sig, int *offset)
{
    jn_sig s;
    *offset = 0;
    return sig_parse(sig, &s, offset);
}

static char symbol(const asl_value *v)
{
    if (!v) return 'm';
    switch (v->type) {
    case ASL_NULL: return 'l';
    case ASL_TRUE: case ASL_FALSE: return 'b';
    case ASL_NUMBER: return 'n';
    case ASL_STRING: return 's';
    case ASL_ARRAY: return 'a';
    case ASL_OBJECT: return 'o';
    default: return 'f';
    }
}

/* Backtracking match of params [i, np) against syms[j..]: greedy like a
 * regular expression; cnt[i] how many symbols each took.  full: the
 * match must reach the end. */
static bool match(const jn_sig *s, int np, int i, const char *syms, int j, int len, int *cnt, bool full, int *end)
{
    if (i == np) {
        *end = j;
        return !full || j == len;
    }
    const jn_param *p = &s->p[i];
    int most = 0;
    while (j + most < len && strchr(p->cls, syms[j + most]) && (p->quant == '+' || most < 1)) most++;
    int least = p->quant == '?' ? 0 : 1;
    for (int k = most; k >= least; k--) {
        cnt[i] = k;
        if (match(s, np, i + 1, syms, j + k, len, cnt, full, end)) return true;
    }
    return false;
}

/* The built-ins' signatures, parsed once for the process (the table is
 * constant, so is this once made): a call of a built-in checks its
 * arguments without parsing text. */
#define JN_MAX_BUILTINS 128
static jn_sig builtin_sigs[JN_MAX_BUILTINS];
static bool builtin_sig_ok[JN_MAX_BUILTINS];
static int nbuiltin_sigs;
static pthread_once_t builtin_sigs_once = PTHREAD_ONCE_INIT;

static void parse_builtin_sigs(void)
{
    int n = 0;
    while (n < JN_MAX_BUILTINS && asl_jn_builtin_at(n)) n++;   /* beyond: parsed at each call */
    for (int i = 0; i < n; i++) {
        int off;
        const char *sig = asl_jn_builtin_at(i)->sig;
        builtin_sig_ok[i] = sig && !sig_parse(sig, &builtin_sigs[i], &off);
    }
    nbuiltin_sigs = n;
}

static bool validate(asl_jn_ctx *c, const jn_sig *sp, asl_value **args, int n, asl_value *focus, asl_value ***out,
                     int *nout);

/* Validates args against f's signature into out (*nout), as signature.js's validate. */
bool asl_jn_validate(asl_jn_ctx *c, const char *sig, asl_value **args, int n, asl_value *focus,
                     asl_value ***out, int *nout)
{
    jn_sig s;
    int off;
    if (sig_parse(sig, &s, &off)) return true;
    return validate(c, &s, args, n, focus, out, nout);
}

/* The same for the built-in f (a native function of the table). */
static bool validate_builtin(asl_jn_ctx *c, const asl_jn_fn *f, asl_value **args, int n, asl_value *focus,
                             asl_value ***out, int *nout)
{
    pthread_once(&builtin_sigs_once, parse_builtin_sigs);
    int i = asl_jn_builtin_ord(f);
    if (i < 0 || i >= nbuiltin_sigs) return asl_jn_validate(c, f->sig, args, n, focus, out, nout);
    if (!builtin_sig_ok[i]) return true;
    return validate(c, &builtin_sigs[i], args, n, focus, out, nout);
}

static bool validate(asl_jn_ctx *c, const jn_sig *sp, asl_value **args, int n, asl_value *focus, asl_value ***out,
                     int *nout)
{
    char syms[64];
    if (n > 60) n = 60;
    for (int i = 0; i < n; i++) syms[i] = symbol(args[i]);
    syms[n] = 0;
    int cnt[JN_MAX_PARAMS], end;
    /* an argument for each of the first parameters, of its type, no `+`,
     * and the parameters after them optional (`?`, not the context's): the
     * match's first try succeeds (one symbol each, then none), without
     * the backtracking */
    bool direct = n <= sp->n, as_is = true;
    for (int i = 0; direct && i < n; i++) {
        direct = sp->p[i].quant != '+' && strchr(sp->p[i].cls, syms[i]);
        /* (an array for an array parameter of any items stays as it is) */
        as_is = as_is && (sp->p[i].type != 'a' || (syms[i] == 'a' && !sp->p[i].subtype[0]));
    }
    for (int i = n; direct && i < sp->n; i++) direct = sp->p[i].quant == '?' && !sp->p[i].context;
    if (direct && as_is) {   /* nothing to wrap: the arguments, the optional ones after them undefined */
        if (n < sp->n) {
            asl_value **v = asl_alloc(c->a, sizeof *v * (size_t)(sp->n + 1));
            for (int i = 0; i < sp->n; i++) v[i] = i < n ? args[i] : NULL;
            args = v;
        }
        *out = args;
        *nout = sp->n;
        return true;
    }
    if (direct) {
        for (int i = 0; i < sp->n; i++) cnt[i] = i < n;
    } else if (!match(sp, sp->n, 0, syms, 0, n, cnt, true, &end)) {
        int good = 0;
        for (int k = 1; k <= sp->n; k++) {
            if (!match(sp, k, 0, syms, 0, n, cnt, false, &end)) break;
            good = end;
        }
        asl_jn_error(c, "T0410", good < n ? args[good] : NULL);
        c->index = good + 1;
        return false;
    }
    asl_value **v = asl_alloc(c->a, sizeof *v * (size_t)(sp->n + n + 1));
    int k = 0, ai = 0;
    for (int i = 0; i < sp->n; i++) {
        const jn_param *p = &sp->p[i];
        if (cnt[i] == 0) {
            if (p->context) {
                if (!strchr(p->ctx_cls, symbol(focus))) {
                    asl_jn_error(c, "T0411", focus);
                    c->index = ai + 1;
                    return false;
                }
                v[k++] = focus;
            } else {
                v[k++] = ai < n ? args[ai] : NULL;
                ai++;
            }
            continue;
        }
        /* each argument of a `+` parameter is itself (jsonata-js 2.0.6 gave
         * them all the first one's value, a bug 2.1 fixed; the suite and the
         * README's list of AWS's differences follow the fix) */
        for (int m = 0; m < cnt[i]; m++) {
            asl_value *arg = args[ai];
            if (p->type == 'a' && arg) {
                char single = symbol(arg);
                bool ok = true;
                if (p->subtype[0]) {
                    if (single != 'a') {
                        ok = cnt[i] == 1 && strlen(p->subtype) == 1 && p->subtype[0] == single;
                    } else if (arg->len > 0) {
                        char it = symbol(arg->u.a.items[0]);
                        ok = it == p->subtype[0];
                        for (uint32_t q = 0; ok && q < arg->len; q++) ok = symbol(arg->u.a.items[q]) == it;
                    }
                }
                if (!ok) {
                    asl_jn_error(c, "T0412", arg);
                    c->index = ai + 1;
                    c->token = p->subtype[0] == 'n' ? "numbers" : p->subtype[0] == 's' ? "strings"
                             : p->subtype[0] == 'b' ? "booleans" : p->subtype[0] == 'o' ? "objects"
                             : p->subtype[0] == 'f' ? "functions" : "arrays";
                    return false;
                }
                if (single != 'a') {
                    asl_value *w = asl_array(c->a, 1);
                    asl_array_push(c->a, w, arg);
                    arg = w;
                }
            }
            v[k++] = arg;
            ai++;
        }
    }
    *out = v;
    *nout = k;
    return true;
}

int asl_jn_arity(const asl_value *f)
{
    if (!asl_jn_is_fn(f)) return 0;
    const asl_jn_fn *fn = (const asl_jn_fn *)f;
    if (fn->kind == JN_FN_PARTIAL) {
        int h = 0;
        for (int i = 0; i < fn->nargs; i++) h += fn->hole[i];
        return h;
    }
    return fn->arity;
}

asl_value *asl_jn_apply(asl_jn_ctx *c, asl_value *fv, asl_value **args, int n, asl_value *focus)
{
    if (!asl_jn_is_fn(fv)) return asl_jn_error(c, "T1006", fv);
    asl_jn_fn *f = (asl_jn_fn *)fv;
    asl_value *r = NULL;
    asl_value **v = args;
    int nv = n;
    switch ((asl_jn_fn_kind)f->kind) {
    case JN_FN_NATIVE:
        if (f->sig && !validate_builtin(c, f, args, n, focus, &v, &nv)) break;
        r = f->native(c, v, nv, focus);
        break;
    case JN_FN_LAMBDA:
        if (f->sig && !asl_jn_validate(c, f->sig, args, n, focus, &v, &nv)) break;
        r = c->apply_lambda(c, f, v, nv);
        break;
    case JN_FN_PARTIAL: {
        asl_value **full = asl_alloc(c->a, sizeof *full * (size_t)(f->nargs + 1));
        int k = 0;
        for (int i = 0; i < f->nargs; i++) full[i] = f->hole[i] ? (k < n ? args[k++] : NULL) : f->args[i];
        r = asl_jn_apply(c, &f->base->hdr, full, f->nargs, focus);
        break;
    }
    case JN_FN_REGEX:
        r = asl_jn_regex_call(c, f, n > 0 ? args[0] : NULL);
        break;
    }
    return r;
}

asl_value *asl_jn_partial(asl_jn_ctx *c, asl_value *fv, asl_value **args, bool *hole, int n)
{
    asl_jn_fn *base = (asl_jn_fn *)fv;
    asl_jn_fn *f = asl_alloc(c->a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->hdr.type = ASL_JN_FUNCTION;
    f->hdr.u.a.jlen = 2;
    f->kind = JN_FN_PARTIAL;
    f->base = base;
    /* a native function takes as many arguments as its signature has, the
     * missing ones holes too (the reference binds by position) */
    f->nargs = n;
    f->args = args;
    f->hole = hole;
    return &f->hdr;
}

/* ---- sort ----------------------------------------------------------------- */

static bool msort(asl_jn_ctx *c, asl_value **v, asl_value **tmp, uint32_t n, asl_jn_after after, void *ud)
{
    if (n < 2) return true;
    uint32_t mid = n / 2;
    if (!msort(c, v, tmp, mid, after, ud) || !msort(c, v + mid, tmp, n - mid, after, ud)) return false;
    uint32_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        bool b = after(c, ud, v[i], v[j]);
        if (asl_jn_failed(c)) return false;
        tmp[k++] = b ? v[j++] : v[i++];
    }
    while (i < mid) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, sizeof *v * n);
    return true;
}

asl_value *asl_jn_sort_by(asl_jn_ctx *c, asl_value *arr, asl_jn_after after, void *ud)
{
    if (!arr) return NULL;
    if (arr->type != ASL_ARRAY || arr->len <= 1) return arr;
    asl_value *r = asl_array(c->a, arr->len);
    r->flags = arr->flags & (ASL_JN_SEQ | ASL_JN_TUPLES);
    for (uint32_t i = 0; i < arr->len; i++) asl_jn_push(c->a, r, arr->u.a.items[i]);
    asl_value **tmp = asl_alloc(c->a, sizeof *tmp * arr->len);
    if (!msort(c, r->u.a.items, tmp, r->len, after, ud)) return NULL;
    return r;
}
