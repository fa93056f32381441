/*
 * validate.c — the whole front end in one call, and the checks that need the
 * whole definition at once.
 *
 * aslc_front_end reads the definition's text (JSON syntax, with the reason
 * and position of the first error), builds the source map, has parse.c turn
 * the tree into the IR with the per-field checks, and then runs the checks
 * below, which look across fields and states:
 *
 *   - duplicate keys in any object of the definition (cJSON would keep the
 *     first, AWS's parser another: either way the meaning is ambiguous);
 *   - the graph of each scope: states that cannot be reached from StartAt,
 *     and states from which no path leads to an end, are warnings;
 *   - workflow variables: an inner scope assigning an outer scope's
 *     variable (an error), a $name that no state in scope assigns (a warning).
 *
 * It reports through diag.c and never exits, so that `aslc check`, the
 * compiler and the fuzzing harness (fuzz/fuzz_frontend.c) all run the same
 * code in-process, however broken the input.
 */
#include "aslc.h"
#include "jsonpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON refuses documents nested deeper than this (CJSON_NESTING_LIMIT). */
#define NESTING_LIMIT 1000

/* ---- JSON text --------------------------------------------------------------------- */

/* Offset where the text first opens more than limit nested arrays/objects,
 * or (size_t)-1.  Strings are skipped so that brackets inside them do not
 * count; the text is known to be valid JSON. */
static size_t too_deep_at(const char *t, size_t n, int limit)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == '"') {
            for (i++; i < n && t[i] != '"'; i++)
                if (t[i] == '\\') i++;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return (size_t)-1;
}

/* The cJSON tree of the definition, or NULL after reporting why not.  The
 * runtime's strict parser runs first: it validates UTF-8 and says what is
 * wrong and where, which cJSON does not. */
static cJSON *parse_json(aslc_unit *u)
{
    asl_json_error jerr;
    asl_arena *a = asl_arena_new();
    asl_value *v = asl_json_parse(a, u->text, u->len, &jerr);
    asl_arena_free(a);
    if (!v) {
        aslc_diag_at(u, ASLC_ERROR, jerr.line, jerr.col, "/", "invalid JSON: %s", jerr.msg);
        return NULL;
    }
    size_t deep = too_deep_at(u->text, u->len, NESTING_LIMIT);
    if (deep != (size_t)-1) {
        int line, col;
        aslc_offset_pos(u->text, deep, &line, &col);
        aslc_diag_at(u, ASLC_ERROR, line, col, "/",
                     "the definition is nested more than %d levels deep here; aslc reads at "
                     "most %d", NESTING_LIMIT, NESTING_LIMIT);
        return NULL;
    }
    /* A NUL inside the text was rejected above, so the +1 (the NUL cJSON
     * requires after the text) is the only one it sees. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(u->text, u->len + 1, &end, true);
    if (!root) {
        int line, col;
        size_t off = end && end >= u->text ? (size_t)(end - u->text) : 0;
        aslc_offset_pos(u->text, off, &line, &col);
        aslc_diag_at(u, ASLC_ERROR, line, col, "/", "invalid JSON");
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        int line, col;
        size_t off = u->len >= 3 && !memcmp(u->text, "\xEF\xBB\xBF", 3) ? 3 : 0;
        while (off < u->len && u->text[off] && strchr(" \t\r\n", u->text[off])) off++;
        aslc_offset_pos(u->text, off, &line, &col);
        aslc_diag_at(u, ASLC_ERROR, line, col, "/",
                     "a state machine definition must be a JSON object");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* ---- duplicate keys ---------------------------------------------------------------- */

typedef struct {
    aslc_unit *u;
    asl_arena *a;
    const cJSON **stack;  /* ancestors of the node being walked, for its pointer */
    int depth;
} dupwalk;

static const char *pointer_of(dupwalk *w, const cJSON *last)
{
    asl_buf b;
    asl_buf_init(&b);
    for (int i = 1; i <= w->depth; i++) {
        const cJSON *n = i < w->depth ? w->stack[i] : last;
        const cJSON *parent = w->stack[i - 1];
        asl_buf_putc(&b, '/');
        if (cJSON_IsArray(parent)) {
            int k = 0;
            for (const cJSON *s = parent->child; s && s != n; s = s->next) k++;
            char num[16];
            snprintf(num, sizeof num, "%d", k);
            asl_buf_puts(&b, num);
        } else {
            for (const char *k = n->string; *k; k++) {   /* RFC 6901 escapes */
                if (*k == '~') asl_buf_puts(&b, "~0");
                else if (*k == '/') asl_buf_puts(&b, "~1");
                else asl_buf_putc(&b, *k);
            }
        }
    }
    if (!b.len) asl_buf_putc(&b, '/');
    char *s = asl_strndup(w->a, b.data, b.len);
    asl_buf_free(&b);
    return s;
}

typedef struct {
    const cJSON *node;
    const char *key;   /* whole: cJSON's copy stops at a \u0000 (nulchars.c) */
    size_t klen;
    int order;
} keyref;

static int cmp_key(const keyref *a, const keyref *b)
{
    int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);
    return c ? c : (a->klen > b->klen) - (a->klen < b->klen);
}

static int cmp_keyref(const void *x, const void *y)
{
    const keyref *a = x, *b = y;
    int c = cmp_key(a, b);
    return c ? c : a->order - b->order;
}

/* Reports every member whose key an earlier member of the same object
 * already has.  The States object of a state machine is skipped: parse.c
 * reports a duplicate there as a duplicate state name. */
static void check_dup_keys(dupwalk *w, const cJSON *obj)
{
    int n = 0;
    for (const cJSON *k = obj->child; k; k = k->next) n++;
    if (n < 2) return;
    /* Sorting keeps this n log n on hostile objects with many members. */
    keyref *refs = asl_xmalloc((size_t)n * sizeof *refs);
    int i = 0;
    for (const cJSON *k = obj->child; k; k = k->next, i++) {
        refs[i] = (keyref){k, k->string, strlen(k->string), i};
        if (aslc_srcmap_has_nul(w->u->map, k, true))
            aslc_srcmap_string(w->u->map, w->a, k, true, &refs[i].key, &refs[i].klen);
    }
    qsort(refs, (size_t)n, sizeof *refs, cmp_keyref);
    for (i = 1; i < n; i++) {
        if (cmp_key(&refs[i], &refs[i - 1])) continue;
        int first = i - 1;
        while (first > 0 && !cmp_key(&refs[first - 1], &refs[i])) first--;
        int line = 0, col = 0, fline = 0, fcol = 0;
        aslc_srcmap_pos(w->u->map, refs[i].node, true, &line, &col);
        aslc_srcmap_pos(w->u->map, refs[first].node, true, &fline, &fcol);
        w->stack[w->depth] = obj;
        w->depth++;
        const char *ptr = pointer_of(w, refs[i].node);
        w->depth--;
        /* RFC 8259 leaves duplicate names undefined; AWS's reader and cJSON
         * would each pick one, so the definition means nothing certain. */
        aslc_diag_at(w->u, ASLC_ERROR, line, col, ptr,
                     "duplicate key \"%s\" (first at line %d, column %d): which one counts is "
                     "undefined", refs[i].node->string, fline, fcol);
    }
    free(refs);
}

/* Walks the tree; machine says whether node is a state machine object (the
 * top level, a branch, a Map processor), whose States object is parse.c's. */
static void walk_dups(dupwalk *w, const cJSON *node, bool machine)
{
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node)) return;
    if (cJSON_IsObject(node)) check_dup_keys(w, node);
    w->stack[w->depth++] = node;
    for (const cJSON *k = node->child; k; k = k->next) {
        if (machine && k->string && !strcmp(k->string, "States") && cJSON_IsObject(k)) {
            /* the states themselves: their Branches and processors are machines */
            w->stack[w->depth++] = k;
            for (const cJSON *s = k->child; s; s = s->next) {
                if (!cJSON_IsObject(s)) continue;
                check_dup_keys(w, s);
                w->stack[w->depth++] = s;
                for (const cJSON *f = s->child; f; f = f->next) {
                    if (!strcmp(f->string, "Branches") && cJSON_IsArray(f)) {
                        w->stack[w->depth++] = f;
                        for (const cJSON *b = f->child; b; b = b->next) walk_dups(w, b, true);
                        w->depth--;
                    } else if (!strcmp(f->string, "ItemProcessor") || !strcmp(f->string, "Iterator")) {
                        walk_dups(w, f, true);
                    } else {
                        walk_dups(w, f, false);
                    }
                }
                w->depth--;
            }
            w->depth--;
        } else {
            walk_dups(w, k, false);
        }
    }
    w->depth--;
}

/* ---- the graph of each scope --------------------------------------------------------- */

/* Index of each state of one scope, by address (open addressing). */
typedef struct {
    const ir_state **keys;
    uint32_t *vals;
    uint32_t cap;
} state_index;

static uint32_t ptr_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

static void index_put(state_index *x, const ir_state *s, uint32_t v)
{
    uint32_t j = ptr_hash(s) & (x->cap - 1);
    while (x->keys[j] && x->keys[j] != s) j = (j + 1) & (x->cap - 1);
    x->keys[j] = s;
    x->vals[j] = v;
}

static int64_t index_get(const state_index *x, const ir_state *s)
{
    uint32_t j = ptr_hash(s) & (x->cap - 1);
    while (x->keys[j] && x->keys[j] != s) j = (j + 1) & (x->cap - 1);
    return x->keys[j] ? (int64_t)x->vals[j] : -1;
}

static bool is_terminal(const ir_state *s)
{
    return s->type == IR_SUCCEED || s->type == IR_FAIL || s->end;
}

/* Warnings about one scope.  Its edges are Next, every Choice rule's target
 * and Default, and every Catch target.  Skipped when something in the scope
 * did not resolve: the errors said so already, and the graph would mislead. */
static void check_graph(aslc_unit *u, const ir_machine *m)
{
    if (!m || !m->start || !m->nstates) return;
    asl_arena *a = u->arena;
    uint32_t n = m->nstates, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ir_state *s = m->states[i];
        if (!s) return;
        total += 2 + s->nchoices + s->ncatch;
    }
    state_index x = {0};
    x.cap = 16;
    while (x.cap < n * 2) x.cap *= 2;
    x.keys = asl_alloc(a, x.cap * sizeof *x.keys);
    x.vals = asl_alloc(a, x.cap * sizeof *x.vals);
    memset(x.keys, 0, x.cap * sizeof *x.keys);
    for (uint32_t i = 0; i < n; i++) index_put(&x, m->states[i], i);

    /* Edges as (from, to) pairs. */
    uint32_t *from = asl_alloc(a, (total + 1) * sizeof *from);
    uint32_t *to = asl_alloc(a, (total + 1) * sizeof *to);
    uint32_t ne = 0;
    bool complete = true;
#define EDGE(i, name, t)                                \
    do {                                                \
        int64_t j_ = (t) ? index_get(&x, (t)) : -1;     \
        if ((name) && j_ < 0) complete = false;         \
        else if (j_ >= 0) {                             \
            from[ne] = (i);                             \
            to[ne++] = (uint32_t)j_;                    \
        }                                               \
    } while (0)
    for (uint32_t i = 0; i < n; i++) {
        const ir_state *s = m->states[i];
        EDGE(i, s->next, s->target);
        EDGE(i, s->default_, s->default_target);
        for (uint32_t k = 0; k < s->nchoices; k++) {
            if (!s->choices[k]) complete = false;
            else EDGE(i, s->choices[k]->next, s->choices[k]->target);
        }
        for (uint32_t k = 0; k < s->ncatch; k++) EDGE(i, s->catch_[k].next, s->catch_[k].target);
    }
#undef EDGE
    int64_t start = index_get(&x, m->start);
    if (!complete || start < 0) return;

    /* Adjacency lists, forward and backward (counting sort of the edges). */
    uint32_t *fo = asl_alloc(a, (n + 1) * sizeof *fo), *bo = asl_alloc(a, (n + 1) * sizeof *bo);
    uint32_t *fadj = asl_alloc(a, (ne + 1) * sizeof *fadj), *badj = asl_alloc(a, (ne + 1) * sizeof *badj);
    memset(fo, 0, (n + 1) * sizeof *fo);
    memset(bo, 0, (n + 1) * sizeof *bo);
    for (uint32_t e = 0; e < ne; e++) {
        fo[from[e] + 1]++;
        bo[to[e] + 1]++;
    }
    for (uint32_t i = 0; i < n; i++) {
        fo[i + 1] += fo[i];
        bo[i + 1] += bo[i];
    }
    uint32_t *fpos = asl_alloc(a, (n + 1) * sizeof *fpos), *bpos = asl_alloc(a, (n + 1) * sizeof *bpos);
    memcpy(fpos, fo, (n + 1) * sizeof *fpos);
    memcpy(bpos, bo, (n + 1) * sizeof *bpos);
    for (uint32_t e = 0; e < ne; e++) {
        fadj[fpos[from[e]]++] = to[e];
        badj[bpos[to[e]]++] = from[e];
    }

    uint8_t *reach = asl_alloc(a, n), *ends = asl_alloc(a, n);
    memset(reach, 0, n);
    memset(ends, 0, n);
    uint32_t *work = asl_alloc(a, (n + 1) * sizeof *work), sp = 0;
    /* Forward from StartAt. */
    reach[start] = 1;
    work[sp++] = (uint32_t)start;
    while (sp) {
        uint32_t i = work[--sp];
        for (uint32_t e = fo[i]; e < fo[i + 1]; e++)
            if (!reach[fadj[e]]) {
                reach[fadj[e]] = 1;
                work[sp++] = fadj[e];
            }
    }
    /* Backward from the states that end an execution of the scope. */
    for (uint32_t i = 0; i < n; i++)
        if (is_terminal(m->states[i])) {
            ends[i] = 1;
            work[sp++] = i;
        }
    while (sp) {
        uint32_t i = work[--sp];
        for (uint32_t e = bo[i]; e < bo[i + 1]; e++)
            if (!ends[badj[e]]) {
                ends[badj[e]] = 1;
                work[sp++] = badj[e];
            }
    }

    for (uint32_t i = 0; i < n; i++) {
        const ir_state *s = m->states[i];
        if (reach[i]) continue;
        /* The ASL specification: every state must be reachable from StartAt
         * (AWS refuses others: UNREACHABLE_STATE).  A warning here, as such
         * a state does no harm to the ones that run. */
        aslc_diag_at(u, ASLC_WARNING, s->loc.line, s->loc.col, s->loc.ptr,
                     "state \"%s\" is unreachable: no transition leads to it from \"%s\"",
                     s->name, m->start->name);
    }
    /* A part of the graph with no way out is reported once, where executions
     * enter it: at StartAt, or at a state one step from a state that can
     * still end. */
    for (uint32_t i = 0; i < n; i++) {
        if (!reach[i] || ends[i]) continue;
        bool entry = (int64_t)i == start;
        for (uint32_t e = bo[i]; e < bo[i + 1] && !entry; e++)
            if (reach[badj[e]] && ends[badj[e]]) entry = true;
        if (!entry) continue;
        const ir_state *s = m->states[i];
        aslc_diag_at(u, ASLC_WARNING, s->loc.line, s->loc.col, s->loc.ptr,
                     "no path from state \"%s\" leads to an end (a Succeed or Fail state, or "
                     "\"End\": true): an execution that gets here never finishes", s->name);
    }
}

static void check_graphs(aslc_unit *u, const ir_program *p)
{
    check_graph(u, p->top);
    for (uint32_t i = 0; i < p->nall; i++) {
        const ir_state *s = p->all[i];
        for (uint32_t b = 0; b < s->nbranches; b++) check_graph(u, s->branches[b]);
        if (s->type == IR_MAP) check_graph(u, s->processor);
    }
}

/* ---- workflow variables ------------------------------------------------------------- */

/* AWS ("Passing data between states with variables", variable scope): a
 * Parallel branch or a Map processor reads the variables of the scopes
 * around it but assigns only its own, and may not assign a name that an
 * outer scope assigns.  That is an error here, as AWS refuses it (checked
 * on the whole definition, whatever the order the states run in).  A $name
 * read where no state of its scope or of an outer one assigns the name
 * fails when it runs (AWS accepts the definition: States.Runtime then), so
 * it is a warning.  The walk is over the JSON tree, for positions. */

typedef struct {
    const char **name;
    uint32_t *len;
    uint32_t n, cap;
} varset;

typedef struct {
    aslc_unit *u;
    asl_arena *a;
} varwalk;

static bool varset_has(const varset *s, const char *name, uint32_t len)
{
    for (uint32_t i = 0; s && i < s->n; i++)
        if (s->len[i] == len && !memcmp(s->name[i], name, len)) return true;
    return false;
}

static void varset_add(varwalk *w, varset *s, const char *name, uint32_t len)
{
    if (varset_has(s, name, len)) return;
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? 2 * s->cap : 16;
        const char **nn = asl_alloc(w->a, cap * sizeof *nn);
        uint32_t *nl = asl_alloc(w->a, cap * sizeof *nl);
        if (s->n) {
            memcpy(nn, s->name, s->n * sizeof *nn);
            memcpy(nl, s->len, s->n * sizeof *nl);
        }
        s->name = nn;
        s->len = nl;
        s->cap = cap;
    }
    s->name[s->n] = name;
    s->len[s->n++] = len;
}

static const char *vptr(varwalk *w, const char *ptr, const char *key)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, ptr[0] == '/' && ptr[1] == 0 ? "" : ptr);
    asl_buf_putc(&b, '/');
    for (const char *k = key ? key : ""; *k; k++) {
        if (*k == '~') asl_buf_puts(&b, "~0");
        else if (*k == '/') asl_buf_puts(&b, "~1");
        else asl_buf_putc(&b, *k);
    }
    char *r = asl_strndup(w->a, b.data, b.len);
    asl_buf_free(&b);
    return r;
}

static const char *vidx(varwalk *w, const char *ptr, int i)
{
    char n[16];
    snprintf(n, sizeof n, "%d", i);
    return vptr(w, ptr, n);
}

/* The name of an Assign member (its key without ".$"). */
static uint32_t assign_name_len(const char *k)
{
    size_t n = strlen(k);
    return (uint32_t)(n >= 2 && !strcmp(k + n - 2, ".$") ? n - 2 : n);
}

/* The names an Assign object assigns into own; an error for each that an
 * outer scope assigns. */
static void assign_names(varwalk *w, const cJSON *assign, const char *ptr, const varset *outer, varset *own)
{
    if (!cJSON_IsObject(assign)) return;
    for (const cJSON *k = assign->child; k; k = k->next) {
        uint32_t n = assign_name_len(k->string);
        if (varset_has(outer, k->string, n)) {
            int line = 0, col = 0;
            aslc_srcmap_pos(w->u->map, k, true, &line, &col);
            aslc_diag_at(w->u, ASLC_ERROR, line, col, vptr(w, ptr, k->string),
                         "the variable \"$%.*s\" belongs to an outer scope: a Parallel branch or a "
                         "Map iteration cannot assign it (give the inner variable another name)",
                         (int)n, k->string);
        }
        varset_add(w, own, k->string, n);
    }
}

/* Every $name read in the string n (a path or an intrinsic call; quoted
 * arguments skipped) that visible lacks: a warning. */
static void scan_refs(varwalk *w, const cJSON *n, const char *ptr, const varset *visible)
{
    if (!cJSON_IsString(n)) return;
    const char *t = n->valuestring;
    for (size_t i = 0; t[i]; i++) {
        if (t[i] == '\'') {
            for (i++; t[i] && t[i] != '\''; i++)
                if (t[i] == '\\' && t[i + 1]) i++;
            if (!t[i]) return;
            continue;
        }
        if (t[i] != '$') continue;
        if (t[i + 1] == '$') {
            i++;
            continue;
        }
        if (!aslc_var_char(t[i + 1], true)) continue;
        size_t e = i + 1;
        while (aslc_var_char(t[e], false)) e++;
        if (!varset_has(visible, t + i + 1, (uint32_t)(e - i - 1))) {
            int line = 0, col = 0;
            aslc_srcmap_pos(w->u->map, n, false, &line, &col);
            aslc_diag_at(w->u, ASLC_WARNING, line, col, ptr,
                         "no state of this scope or of an outer one assigns the variable \"%.*s\": "
                         "reading it fails when it runs",
                         (int)(e - i), t + i);
        }
        i = e - 1;
    }
}

/* The reads in a template (Parameters, ResultSelector, ItemSelector,
 * Assign, ...): its "key.$" strings, at any depth; with paths (ItemBatcher,
 * ItemReader and its ReaderConfig, ResultWriter), "...Path" strings too. */
static void scan_tmpl(varwalk *w, const cJSON *n, const char *ptr, const varset *visible, bool paths)
{
    int i = 0;
    for (const cJSON *k = n ? n->child : NULL; k; k = k->next, i++) {
        const char *kp = k->string ? vptr(w, ptr, k->string) : vidx(w, ptr, i);
        if (cJSON_IsString(k) && k->string) {
            size_t kl = strlen(k->string);
            if ((kl >= 2 && !strcmp(k->string + kl - 2, ".$")) ||
                (paths && kl >= 4 && !strcmp(k->string + kl - 4, "Path")))
                scan_refs(w, k, kp, visible);
        } else if (cJSON_IsObject(k) || cJSON_IsArray(k)) {
            scan_tmpl(w, k, kp, visible, paths && k->string && !strcmp(k->string, "ReaderConfig"));
        }
    }
}

/* A Choice rule's reads: Variable and the ...Path operands, nested rules. */
static void scan_rule(varwalk *w, const cJSON *r, const char *ptr, const varset *visible)
{
    int i = 0;
    for (const cJSON *k = r ? r->child : NULL; k; k = k->next, i++) {
        const char *kp = k->string ? vptr(w, ptr, k->string) : vidx(w, ptr, i);
        if (k->string && !strcmp(k->string, "Assign")) scan_tmpl(w, k, kp, visible, false);
        else if (cJSON_IsString(k) && k->string &&
                 (!strcmp(k->string, "Variable") ||
                  (strlen(k->string) > 4 && !strcmp(k->string + strlen(k->string) - 4, "Path"))))
            scan_refs(w, k, kp, visible);
        else if (cJSON_IsObject(k) || cJSON_IsArray(k))
            scan_rule(w, k, kp, visible);
    }
}

static void check_machine_vars(varwalk *w, const cJSON *m, const char *ptr, const varset *outer, int depth)
{
    const cJSON *states = cJSON_GetObjectItemCaseSensitive(m, "States");
    if (!cJSON_IsObject(states) || depth > 64) return;
    const char *sptr = vptr(w, ptr, "States");
    /* what this scope assigns: the states' Assign, their rules' and catchers' */
    varset own = {0};
    for (const cJSON *st = states->child; st; st = st->next) {
        if (!cJSON_IsObject(st)) continue;   /* (parse.c reports it) */
        const char *p = vptr(w, sptr, st->string);
        assign_names(w, cJSON_GetObjectItemCaseSensitive(st, "Assign"), vptr(w, p, "Assign"), outer, &own);
        const char *lists[2] = {"Choices", "Catch"};
        for (int l = 0; l < 2; l++) {
            const cJSON *arr = cJSON_GetObjectItemCaseSensitive(st, lists[l]);
            int i = 0;
            for (const cJSON *r = cJSON_IsArray(arr) ? arr->child : NULL; r; r = r->next, i++)
                assign_names(w, cJSON_GetObjectItemCaseSensitive(r, "Assign"),
                             vptr(w, vidx(w, vptr(w, p, lists[l]), i), "Assign"), outer, &own);
        }
    }
    varset visible = {0};
    for (uint32_t i = 0; outer && i < outer->n; i++) varset_add(w, &visible, outer->name[i], outer->len[i]);
    for (uint32_t i = 0; i < own.n; i++) varset_add(w, &visible, own.name[i], own.len[i]);
    /* what it reads, and the scopes inside it */
    for (const cJSON *st = states->child; st; st = st->next) {
        if (!cJSON_IsObject(st)) continue;
        const char *p = vptr(w, sptr, st->string);
        for (const cJSON *f = st->child; f; f = f->next) {
            const char *fp = vptr(w, p, f->string);
            size_t fl = strlen(f->string);
            if (!strcmp(f->string, "Choices")) {
                scan_rule(w, f, fp, &visible);
            } else if (!strcmp(f->string, "Branches") && cJSON_IsArray(f)) {
                int i = 0;
                for (const cJSON *b = f->child; b; b = b->next, i++)
                    check_machine_vars(w, b, vidx(w, fp, i), &visible, depth + 1);
            } else if (!strcmp(f->string, "ItemProcessor") || !strcmp(f->string, "Iterator")) {
                check_machine_vars(w, f, fp, &visible, depth + 1);
            } else if (cJSON_IsString(f) && fl > 4 && !strcmp(f->string + fl - 4, "Path") &&
                       strcmp(f->string, "ResultPath")) {
                scan_refs(w, f, fp, &visible);
            } else if ((cJSON_IsObject(f) || cJSON_IsArray(f)) && strcmp(f->string, "Result")) {
                /* Parameters, Assign, Catch, ItemSelector, ItemReader ...  (Result is
                 * never evaluated) */
                bool paths = !strcmp(f->string, "ItemBatcher") || !strcmp(f->string, "ItemReader") ||
                             !strcmp(f->string, "ResultWriter");
                scan_tmpl(w, f, fp, &visible, paths);
            }
        }
    }
}

/* ---- the front end -------------------------------------------------------------------- */

ir_program *aslc_front_end(aslc_unit *u, const char *name)
{
    cJSON *root = parse_json(u);
    if (!root) return NULL;
    u->map = aslc_srcmap_build(u->arena, u->text, u->len, root);
    dupwalk w = {u, u->arena, NULL, 0};
    w.stack = asl_xmalloc((NESTING_LIMIT + 8) * sizeof *w.stack);
    walk_dups(&w, root, true);
    free(w.stack);
    ir_program *p = aslc_parse(u, root, name);
    if (p && p->top) {
        /* The graph warnings come once the definition is free of errors: a
         * missing Next or a duplicate name would make them misleading. */
        if (!u->errors) check_graphs(u, p);
        varwalk vw = {u, u->arena};
        check_machine_vars(&vw, root, "/", NULL, 0);
    }
    cJSON_Delete(root);
    /* Nothing after the front end looks at cJSON nodes or the source map. */
    u->map = NULL;
    return p;
}
