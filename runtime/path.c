/*
 * path.c — evaluating JSONPath descriptors, as AWS Step Functions does.
 *
 * AWS evaluates paths with Jayway JsonPath, so this file reproduces Jayway's
 * results, not a JSONPath specification's:
 *   - definite paths ($.a[0].b) select one node or fail; everything else
 *     yields an array of matches, empty rather than failing (AWS answers
 *     $.item.items[1:5] on {} with []);
 *   - matches come in Jayway's order: document order, and for "..", each
 *     node's own match before its descendants' (pre-order);
 *   - slices follow Jayway's arithmetic ([-2:] counts from the end,
 *     [a:b] with a < 0 walks a..b-1 mapping negatives from the end, a step
 *     is ignored);
 *   - a trailing name list ($['a','b']) yields one object with those
 *     members;
 *   - a filter applied to an object tests the object itself, applied to an
 *     array tests each element; "==" and "!=" coerce between strings and
 *     numbers the way Jayway's ValueNode equality does, and "!=" is true for
 *     a missing left side.
 *
 * Values are immutable, so selection returns nodes of the input itself;
 * only ResultPath (asl_path_insert) builds, and it copies just the spine of
 * objects/arrays it writes through.
 *
 * Speed matters (executions take microseconds): a definite path is a loop
 * of asl_object_get / index lookups with no allocation and no recursion.
 * ".." walks with an explicit stack, so deep documents cannot overflow the
 * (possibly small) stack of a Map or Parallel worker thread.
 */
#include "rt.h"
#include "path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- definite paths ------------------------------------------------------ */

/* Jayway's index normalisation: negative counts from the end. */
static asl_value *index_get(const asl_value *arr, int64_t k)
{
    if (k < 0) k += arr->len;
    if (k < 0 || k >= (int64_t)arr->len) return NULL;
    return arr->u.a.items[k];
}

/* $['a','b'] on obj: the listed members that exist, in list order. */
static asl_value *merge_keys(asl_arena *a, const asl_value *obj, const asl_seg *u)
{
    asl_value *m = asl_object(a, u->nunion);
    for (uint32_t i = 0; i < u->nunion; i++) {
        const asl_seg *k = &u->members[i];
        asl_value *v = asl_object_get(obj, k->key, k->klen);
        if (v) asl_object_set(a, m, k->key, k->klen, v);
    }
    return m;
}

static asl_value *walk_definite(asl_arena *a, asl_value *v, const asl_path *p)
{
    for (uint32_t i = 0; i < p->nseg; i++) {
        const asl_seg *s = &p->segs[i];
        if (s->kind == ASL_SEG_KEY) {
            if (v->type != ASL_OBJECT) return NULL;
            v = asl_object_get(v, s->key, s->klen);
        } else if (s->kind == ASL_SEG_INDEX) {
            if (v->type != ASL_ARRAY) return NULL;
            v = index_get(v, s->start);
        } else { /* trailing name list (the only other definite step) */
            if (v->type != ASL_OBJECT) return NULL;
            v = merge_keys(a, v, s);
        }
        if (!v) return NULL;
    }
    return v;
}

/* ---- filters ------------------------------------------------------------- */

/* A string is a BigDecimal literal (what Jayway's StringNode.asNumberNode
 * accepts): sign, digits with an optional point, optional exponent. */
static bool decimal_text(const char *s, size_t n, double *out)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (!digits) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (!(i < n && s[i] >= '0' && s[i] <= '9')) return false;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i != n) return false;
    char buf[64];
    if (n >= sizeof buf) {
        char *t = asl_xmalloc(n + 1);
        memcpy(t, s, n);
        t[n] = '\0';
        *out = strtod(t, NULL);
        free(t);
    } else {
        memcpy(buf, s, n);
        buf[n] = '\0';
        *out = strtod(buf, NULL);
    }
    return true;
}

/* Jayway's `left == constant` (EqualsEvaluator / ValueNode.equals). */
static bool filter_equal(const asl_value *v, const asl_filter *f)
{
    switch (f->rtype) {
    case ASL_NUMBER:
        if (v->type == ASL_NUMBER) return v->u.n.num == f->rnum;
        /* StringNode.equals(NumberNode): the string against the number's
         * text. */
        if (v->type == ASL_STRING)
            return f->rstr && v->len == f->rlen && memcmp(v->u.str, f->rstr, f->rlen) == 0;
        return false;
    case ASL_STRING:
        if (v->type == ASL_STRING) return v->len == f->rlen && memcmp(v->u.str, f->rstr, f->rlen) == 0;
        /* NumberNode.equals(StringNode): the string read as a number. */
        if (v->type == ASL_NUMBER) {
            double d;
            return decimal_text(f->rstr, f->rlen, &d) && d == v->u.n.num;
        }
        return false;
    default: /* null, true, false */
        return v->type == f->rtype;
    }
}

static bool filter_accept(const asl_filter *f, const asl_value *item)
{
    /* Jayway's LogicalExpressionNode: && and || stop at the first
     * condition that decides. */
    switch (f->op) {
    case ASL_FOP_AND:
        for (uint32_t i = 0; i < f->nlhs; i++)
            if (!filter_accept(f->lhs[i].filter, item)) return false;
        return true;
    case ASL_FOP_OR:
        for (uint32_t i = 0; i < f->nlhs; i++)
            if (filter_accept(f->lhs[i].filter, item)) return true;
        return false;
    case ASL_FOP_NOT:
        return !filter_accept(f->lhs[0].filter, item);
    default: break;
    }
    const asl_value *v = item;
    for (uint32_t i = 0; i < f->nlhs && v; i++) {
        const asl_seg *s = &f->lhs[i];
        if (s->kind == ASL_SEG_KEY)
            v = v->type == ASL_OBJECT ? asl_object_get(v, s->key, s->klen) : NULL;
        else
            v = v->type == ASL_ARRAY ? index_get(v, s->start) : NULL;
    }
    switch (f->op) {
    case ASL_FOP_EXISTS: return v != NULL;
    case ASL_FOP_EQ: return v && filter_equal(v, f);
    case ASL_FOP_NE: return !v || !filter_equal(v, f);
    default: break;
    }
    if (!v) return false;
    int c;
    if (v->type == ASL_NUMBER && f->rtype == ASL_NUMBER) {
        double x = v->u.n.num, y = f->rnum;
        c = x < y ? -1 : x > y ? 1 : 0;
    } else if (v->type == ASL_STRING && f->rtype == ASL_STRING) {
        c = asl_utf16_compare(v->u.str, v->len, f->rstr, f->rlen);
    } else {
        return false; /* relational operators do not coerce */
    }
    switch (f->op) {
    case ASL_FOP_LT: return c < 0;
    case ASL_FOP_LE: return c <= 0;
    case ASL_FOP_GT: return c > 0;
    case ASL_FOP_GE: return c >= 0;
    default: return false;
    }
}

/* ---- indefinite paths ---------------------------------------------------- */

typedef struct {
    asl_arena *a;
    asl_value *out;
    const asl_seg *segs;
    uint32_t nseg;
} walk;

static void eval_from(walk *w, asl_value *node, uint32_t i);
static void scan(walk *w, asl_value *node, const asl_seg *s, uint32_t next);

/* Jayway's slice arithmetic (ArraySliceToken): [from:] and [:to] count a
 * negative bound from the end and clamp; [from:to] clamps only `to` and
 * maps each negative index from the end as it goes. */
static void apply_slice(walk *w, const asl_value *arr, const asl_seg *s, uint32_t next)
{
    int64_t len = arr->len;
    if (len == 0) return;
    int64_t from, to;
    if (s->has_start && !s->has_end) {
        from = s->start < 0 ? len + s->start : s->start;
        if (from < 0) from = 0;
        to = len;
    } else if (!s->has_start) {
        from = 0;
        to = s->end < 0 ? len + s->end : s->end;
        if (to > len) to = len;
    } else {
        from = s->start;
        to = s->end < len ? s->end : len;
        /* Indexes below -len select nothing: skip them rather than count
         * through them ([-1033333333:3] took seconds; found by fuzz/short). */
        if (from < -len) from = -len;
    }
    for (int64_t i = from; i < to; i++) {
        asl_value *v = index_get(arr, i);
        if (v) eval_from(w, v, next);
    }
}

/* Applies one step s to node and continues with step `next`. */
static void apply(walk *w, asl_value *node, const asl_seg *s, uint32_t next)
{
    switch (s->kind) {
    case ASL_SEG_KEY:
        if (node->type == ASL_OBJECT) {
            asl_value *v = asl_object_get(node, s->key, s->klen);
            if (v) eval_from(w, v, next);
        }
        break;
    case ASL_SEG_INDEX:
        if (node->type == ASL_ARRAY) {
            asl_value *v = index_get(node, s->start);
            if (v) eval_from(w, v, next);
        }
        break;
    case ASL_SEG_WILDCARD:
        if (node->type == ASL_OBJECT)
            for (uint32_t i = 0; i < node->len; i++) eval_from(w, node->u.o.members[i].val, next);
        else if (node->type == ASL_ARRAY)
            for (uint32_t i = 0; i < node->len; i++) eval_from(w, node->u.a.items[i], next);
        break;
    case ASL_SEG_SLICE:
        if (node->type == ASL_ARRAY) apply_slice(w, node, s, next);
        break;
    case ASL_SEG_UNION:
        if (s->nunion && s->members[0].kind == ASL_SEG_KEY) {
            if (node->type != ASL_OBJECT) break;
            if (next == w->nseg) {
                /* Last step: one merged object (Jayway's "merge" case). */
                asl_array_push(w->a, w->out, merge_keys(w->a, node, s));
            } else {
                for (uint32_t i = 0; i < s->nunion; i++) {
                    asl_value *v = asl_object_get(node, s->members[i].key, s->members[i].klen);
                    if (v) eval_from(w, v, next);
                }
            }
        } else if (node->type == ASL_ARRAY) {
            for (uint32_t i = 0; i < s->nunion; i++) {
                asl_value *v = index_get(node, s->members[i].start);
                if (v) eval_from(w, v, next);
            }
        }
        break;
    case ASL_SEG_FILTER:
        if (node->type == ASL_OBJECT) {
            if (filter_accept(s->filter, node)) eval_from(w, node, next);
        } else if (node->type == ASL_ARRAY) {
            for (uint32_t i = 0; i < node->len; i++)
                if (filter_accept(s->filter, node->u.a.items[i])) eval_from(w, node->u.a.items[i], next);
        }
        break;
    case ASL_SEG_DESCEND:
        scan(w, node, s, next);
        break;
    default:
        break;
    }
}

static void eval_from(walk *w, asl_value *node, uint32_t i)
{
    if (i == w->nseg)
        asl_array_push(w->a, w->out, node);
    else
        apply(w, node, &w->segs[i], i + 1);
}

/* What ".." applies at one node, and only where Jayway's scan predicate lets
 * it: names at objects, indexes/slices at arrays, '*' everywhere, a filter
 * where the node itself passes it. */
static void scan_at(walk *w, asl_value *node, const asl_seg *s, uint32_t next)
{
    if (s->key) {
        if (node->type == ASL_OBJECT) {
            asl_value *v = asl_object_get(node, s->key, s->klen);
            if (v) eval_from(w, v, next);
        }
        return;
    }
    if (!s->nunion) {
        static const asl_seg star = {.kind = ASL_SEG_WILDCARD};
        apply(w, node, &star, next);
        return;
    }
    const asl_seg *m = &s->members[0];
    switch (m->kind) {
    case ASL_SEG_KEY:
        if (node->type == ASL_OBJECT) apply(w, node, m, next);
        break;
    case ASL_SEG_UNION:
        if (node->type == (m->members[0].kind == ASL_SEG_KEY ? ASL_OBJECT : ASL_ARRAY)) apply(w, node, m, next);
        break;
    case ASL_SEG_INDEX:
    case ASL_SEG_SLICE:
        if (node->type == ASL_ARRAY) apply(w, node, m, next);
        break;
    case ASL_SEG_FILTER:
        if ((node->type == ASL_OBJECT || node->type == ASL_ARRAY) && filter_accept(m->filter, node))
            apply(w, node, m, next);
        break;
    default:
        apply(w, node, m, next);
        break;
    }
}

/* Pre-order over node and all its descendants, children in document order:
 * an explicit stack, pushed in reverse so that pops come out in order. */
static void scan(walk *w, asl_value *node, const asl_seg *s, uint32_t next)
{
    asl_value *local[64];
    asl_value **stk = local;
    size_t n = 0, cap = 64;
    stk[n++] = node;
    while (n) {
        asl_value *v = stk[--n];
        if (v->type != ASL_OBJECT && v->type != ASL_ARRAY) continue;
        scan_at(w, v, s, next);
        if (n + v->len > cap) {
            size_t ncap = cap * 2;
            while (ncap < n + v->len) ncap *= 2;
            if (stk == local) {
                stk = asl_xmalloc(ncap * sizeof *stk);
                memcpy(stk, local, n * sizeof *stk);
            } else {
                stk = asl_xrealloc(stk, ncap * sizeof *stk);
            }
            cap = ncap;
        }
        if (v->type == ASL_OBJECT)
            for (uint32_t i = v->len; i-- > 0;) stk[n++] = v->u.o.members[i].val;
        else
            for (uint32_t i = v->len; i-- > 0;) stk[n++] = v->u.a.items[i];
    }
    if (stk != local) free(stk);
}

asl_value *asl_path_walk(asl_arena *a, asl_value *root, const asl_path *p, bool *found)
{
    if (!root) {
        if (found) *found = false;
        return NULL;
    }
    if (p->definite) {
        asl_value *v = walk_definite(a, root, p);
        if (found) *found = v != NULL;
        return v;
    }
    walk w = {.a = a, .out = asl_array(a, 4), .segs = p->segs, .nseg = p->nseg};
    eval_from(&w, root, 0);
    if (found) *found = true;
    return w.out;
}

bool asl_path_select(asl_exec *x, asl_value *input, const asl_path *p, asl_value **out)
{
    asl_value *root = input;
    if (p->root == ASL_ROOT_VAR) {
        asl_path rest;
        if (!asl_vars_root(x, p, &root, &rest)) {
            *out = NULL;
            return false;
        }
        return asl_path_select(x, root, &rest, out);
    }
    if (p->root == ASL_ROOT_CONTEXT) {
        /* $$.Map.Item.Value.id and the like start from the value itself;
         * only other $$ paths pay for building the whole context object. */
        uint32_t k = 0;
        asl_value *start = asl_context_prefix(x, p, &k);
        if (start) {
            asl_path rest = {p->text, ASL_ROOT_INPUT, p->definite, ASL_ITEM_NONE, p->nseg - k, p->segs + k, NULL};
            return asl_path_select(x, start, &rest, out);
        }
        root = asl_context_object(x);
    }
    bool found = false;
    asl_value *v = asl_path_walk(asl_exec_arena(x), root, p, &found);
    *out = found ? v : NULL;
    return found;
}

/* ---- renderings ---------------------------------------------------------- */

static void put_int(asl_buf *b, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%lld", (long long)v);
    asl_buf_put(b, t, (size_t)n);
}

static void put_key(asl_buf *b, const asl_seg *s)
{
    asl_buf_putc(b, '\'');
    asl_buf_put(b, s->key, s->klen);
    asl_buf_putc(b, '\'');
}

/* Jayway's PathToken fragments: ['a'], [0], [*], [1:2], ['a','b'], [0,2],
 * ..['a'], [?]. */
static void render_seg(asl_buf *b, const asl_seg *s)
{
    switch (s->kind) {
    case ASL_SEG_KEY:
        asl_buf_putc(b, '[');
        put_key(b, s);
        asl_buf_putc(b, ']');
        break;
    case ASL_SEG_INDEX:
        asl_buf_putc(b, '[');
        put_int(b, s->start);
        asl_buf_putc(b, ']');
        break;
    case ASL_SEG_WILDCARD:
        asl_buf_puts(b, "[*]");
        break;
    case ASL_SEG_SLICE:
        asl_buf_putc(b, '[');
        if (s->has_start) put_int(b, s->start);
        asl_buf_putc(b, ':');
        if (s->has_end) put_int(b, s->end);
        asl_buf_putc(b, ']');
        break;
    case ASL_SEG_UNION:
        asl_buf_putc(b, '[');
        for (uint32_t i = 0; i < s->nunion; i++) {
            if (i) asl_buf_putc(b, ',');
            if (s->members[i].kind == ASL_SEG_KEY)
                put_key(b, &s->members[i]);
            else
                put_int(b, s->members[i].start);
        }
        asl_buf_putc(b, ']');
        break;
    case ASL_SEG_DESCEND:
        asl_buf_puts(b, "..");
        if (s->key) {
            asl_buf_putc(b, '[');
            put_key(b, s);
            asl_buf_putc(b, ']');
        } else if (s->nunion) {
            render_seg(b, &s->members[0]);
        } else {
            asl_buf_puts(b, "[*]");
        }
        break;
    case ASL_SEG_FILTER:
        asl_buf_puts(b, "[?]");
        break;
    default:
        break;
    }
}

char *asl_path_bracket_n(asl_arena *a, const asl_path *p, uint32_t nseg)
{
    asl_buf b;
    asl_buf_init(&b);
    /* $$ paths are evaluated as $ paths on the context object, which is how
     * AWS reports them too. */
    asl_buf_putc(&b, '$');
    if (nseg > p->nseg) nseg = p->nseg;
    for (uint32_t i = 0; i < nseg; i++) render_seg(&b, &p->segs[i]);
    char *s = asl_strndup(a, b.data, b.len);
    asl_buf_free(&b);
    return s;
}

char *asl_path_bracket(asl_exec *x, const asl_path *p)
{
    return asl_path_bracket_n(asl_exec_arena(x), p, p->nseg);
}

/* Java class names as Jayway's default provider (json-smart) holds JSON
 * values; AWS's messages name them ("... but found 'java.lang.String'"). */
static const char *java_class(const asl_value *v)
{
    switch (v->type) {
    case ASL_STRING: return "java.lang.String";
    case ASL_TRUE:
    case ASL_FALSE: return "java.lang.Boolean";
    case ASL_NUMBER:
        if (!asl_num_int(v)) return "java.lang.Double";
        return (v->u.n.num >= -2147483648.0 && v->u.n.num <= 2147483647.0) ? "java.lang.Integer"
                                                                           : "java.lang.Long";
    case ASL_ARRAY: return "net.minidev.json.JSONArray";
    case ASL_OBJECT: return "net.minidev.json.JSONObject";
    default: return "null";
    }
}

char *asl_path_miss_reason(asl_arena *a, asl_value *root, const asl_path *p)
{
    if (!p->definite || !root) return NULL;
    asl_value *v = root;
    for (uint32_t i = 0; i < p->nseg; i++) {
        const asl_seg *s = &p->segs[i];
        bool last = i + 1 == p->nseg;
        if (s->kind == ASL_SEG_KEY || s->kind == ASL_SEG_UNION) {
            if (v->type != ASL_OBJECT) {
                asl_buf b;
                asl_buf_init(&b);
                render_seg(&b, s);
                char *r = asl_sprintf(a,
                                      "Expected to find an object with property %.*s in path %s but found "
                                      "'%s'. This is not a json object according to the JsonProvider: "
                                      "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
                                      (int)b.len, b.data, asl_path_bracket_n(a, p, i), java_class(v));
                asl_buf_free(&b);
                return r;
            }
            if (s->kind == ASL_SEG_UNION) return NULL; /* a merged object is always found */
            asl_value *c = asl_object_get(v, s->key, s->klen);
            if (!c) {
                if (last) break;
                return asl_sprintf(a, "Missing property in path %s", asl_path_bracket_n(a, p, i + 1));
            }
            v = c;
        } else { /* INDEX */
            if (v->type == ASL_NULL)
                return asl_sprintf(a, "The path %s is null", asl_path_bracket_n(a, p, i));
            if (v->type != ASL_ARRAY) {
                /* Jayway names the token with the rest of the path after
                 * it, and prints the value as Java's toString would. */
                char *model = v->type == ASL_STRING ? asl_strndup(a, v->u.str, v->len)
                                                    : asl_json_string(a, v, NULL);
                asl_buf b;
                asl_buf_init(&b);
                for (uint32_t k = i; k < p->nseg; k++) render_seg(&b, &p->segs[k]);
                char *r = asl_sprintf(a, "Filter: %.*s can only be applied to arrays. Current context is: %s",
                                      (int)b.len, b.data, model);
                asl_buf_free(&b);
                return r;
            }
            asl_value *c = index_get(v, s->start);
            if (!c) break; /* Jayway skips a missing index silently */
            v = c;
            if (last) return NULL;
        }
        if (last) return NULL;
    }
    return asl_sprintf(a, "No results for path: %s", asl_path_bracket_n(a, p, p->nseg));
}

/* ---- ResultPath ---------------------------------------------------------- */

static const char *type_name(const asl_value *v)
{
    switch (v->type) {
    case ASL_NULL: return "null";
    case ASL_TRUE:
    case ASL_FALSE: return "a boolean";
    case ASL_NUMBER: return "a number";
    case ASL_STRING: return "a string";
    case ASL_ARRAY: return "an array";
    default: return "an object";
    }
}

/* The container the write continues in, owned by us: a shallow copy of the
 * existing one, or a new object where nothing exists yet.  `s` is the step
 * about to be applied to it; i is its index (for messages). */
static asl_value *own(asl_arena *a, const asl_value *old, const asl_path *p, uint32_t i, const char **why)
{
    const asl_seg *s = &p->segs[i];
    if (s->kind == ASL_SEG_KEY) {
        if (!old) return asl_object(a, 2);
        if (old->type == ASL_OBJECT) return asl_value_shallow_copy(a, old);
        *why = asl_sprintf(a, "%s is %s, not an object", asl_path_bracket_n(a, p, i), type_name(old));
        return NULL;
    }
    if (old && old->type == ASL_ARRAY) return asl_value_shallow_copy(a, old);
    *why = old ? asl_sprintf(a, "%s is %s, not an array", asl_path_bracket_n(a, p, i), type_name(old))
               : asl_sprintf(a, "%s does not exist, so it has no index %lld", asl_path_bracket_n(a, p, i),
                             (long long)s->start);
    return NULL;
}

asl_value *asl_path_insert(asl_arena *a, asl_value *root, const asl_path *p, asl_value *val,
                           const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    if (p->nseg == 0) return val;
    for (uint32_t i = 0; i < p->nseg; i++) {
        if (p->segs[i].kind != ASL_SEG_KEY && p->segs[i].kind != ASL_SEG_INDEX) {
            *why = asl_sprintf(a, "'%s' is not a reference path", p->text);
            return NULL;
        }
    }
    asl_value *top = own(a, root, p, 0, why);
    if (!top) return NULL;
    asl_value *c = top;
    for (uint32_t i = 0; i < p->nseg; i++) {
        const asl_seg *s = &p->segs[i];
        bool last = i + 1 == p->nseg;
        if (s->kind == ASL_SEG_KEY) {
            if (last) {
                asl_object_set(a, c, s->key, s->klen, val);
                break;
            }
            asl_value *next = own(a, asl_object_get(c, s->key, s->klen), p, i + 1, why);
            if (!next) return NULL;
            asl_object_set(a, c, s->key, s->klen, next);
            c = next;
        } else {
            int64_t k = s->start < 0 ? s->start + c->len : s->start;
            if (k < 0 || k >= (int64_t)c->len) {
                *why = asl_sprintf(a, "index [%lld] is out of bounds for %s, which has %u element%s",
                                   (long long)s->start, asl_path_bracket_n(a, p, i), c->len,
                                   c->len == 1 ? "" : "s");
                return NULL;
            }
            if (last) {
                asl_array_replace(c, (uint32_t)k, val);
                break;
            }
            asl_value *next = own(a, c->u.a.items[k], p, i + 1, why);
            if (!next) return NULL;
            asl_array_replace(c, (uint32_t)k, next);
            c = next;
        }
    }
    return top;
}
