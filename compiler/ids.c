/*
 * ids.c — what both back ends decide alike, so that their outputs agree
 * (docs/backends.md): which paths are the same descriptor (aslc_path_key),
 * and the numbering of byte strings in the order they are first seen
 * (aslc_ids: P_n, K[n], KS_n).
 */
#include "aslc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;  /* FNV-1a */
    for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)s[k]) * 1099511628211ull;
    return h;
}

uint32_t aslc_ids_get(aslc_ids *t, const char *s, size_t n, bool *fresh)
{
    if (t->n * 2 >= t->cap) {  /* open addressing, at most half full */
        size_t cap = t->cap ? t->cap * 2 : 256;
        aslc_id *tab = asl_xmalloc(cap * sizeof *tab);
        memset(tab, 0, cap * sizeof *tab);
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->tab[i].s) continue;
            size_t j = t->tab[i].h & (cap - 1);
            while (tab[j].s) j = (j + 1) & (cap - 1);
            tab[j] = t->tab[i];
        }
        free(t->tab);
        t->tab = tab;
        t->cap = cap;
    }
    uint64_t h = hash_bytes(s, n);
    size_t j = h & (t->cap - 1);
    for (; t->tab[j].s; j = (j + 1) & (t->cap - 1))
        if (t->tab[j].h == h && t->tab[j].n == n && !memcmp(t->tab[j].s, s, n)) {
            *fresh = false;
            return t->tab[j].id;
        }
    char *copy = asl_xmalloc(n ? n : 1);
    memcpy(copy, s, n);
    t->tab[j] = (aslc_id){copy, n, h, (uint32_t)t->n};
    t->n++;
    *fresh = true;
    return t->tab[j].id;
}

void aslc_ids_free(aslc_ids *t)
{
    for (size_t i = 0; i < t->cap; i++) free(t->tab[i].s);
    free(t->tab);
    memset(t, 0, sizeof *t);
}

static void key_bytes(asl_buf *b, const void *p, size_t n) { asl_buf_put(b, p, n); }

void aslc_key_str(asl_buf *b, const char *s, size_t n)
{
    uint64_t len = s ? n : UINT64_MAX;
    key_bytes(b, &len, sizeof len);
    if (s) key_bytes(b, s, n);
}

static void key_segs(asl_buf *b, const asl_seg *segs, uint32_t n)
{
    key_bytes(b, &n, sizeof n);
    for (uint32_t i = 0; i < n; i++) {
        const asl_seg *s = &segs[i];
        uint8_t f[3] = {s->kind, s->has_start, s->has_end};
        key_bytes(b, f, sizeof f);
        aslc_key_str(b, s->key, s->klen);
        int64_t r[3] = {s->start, s->end, s->step};
        key_bytes(b, r, sizeof r);
        if (s->kind == ASL_SEG_FILTER && s->filter) {
            const asl_filter *fl = s->filter;
            uint8_t o[3] = {1, fl->op, fl->rtype};
            key_bytes(b, o, sizeof o);
            key_segs(b, fl->lhs, fl->nlhs);
            key_bytes(b, &fl->rnum, sizeof fl->rnum);
            aslc_key_str(b, fl->rstr, fl->rlen);
        } else {
            asl_buf_putc(b, 0);
        }
        key_segs(b, s->members, s->nunion && s->members ? s->nunion : 0);
    }
}

void aslc_path_key(asl_buf *b, const asl_path *p)
{
    b->len = 0;
    aslc_key_str(b, p->text, p->text ? strlen(p->text) : 0);
    uint8_t f[2] = {p->root, p->definite};
    key_bytes(b, f, sizeof f);
    key_segs(b, p->segs, p->nseg);
}
