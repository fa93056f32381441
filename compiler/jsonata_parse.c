/*
 * jsonata_parse.c — the JSONata parser (jsonata-js 2.0.6's grammar).
 *
 * Two passes, as in the reference.  The first is a Pratt parser (top-down
 * operator precedence) over jsonata_lex.c's tokens, with the reference's
 * binding powers, building a raw tree in which `a.b[c]` is still binary
 * operators.  The second (process) gives the tree the shape the evaluator
 * wants: location paths become JN_PATH with a list of steps, predicates
 * become stages of their step, `@$v` and `#$i` mark their step, `^( )`
 * becomes a sort step, a `%` finds the step whose input it denotes (seek /
 * resolve_ancestry), and a lambda body's call in tail position is wrapped
 * as a thunk.  Errors carry the reference's codes (S0201 ...).
 * 2.1's `?:` and `??` are not JSONata 2.0.6 and fail as 2.0.6 fails.
 */
#include "jsonata_lex.h"

#include <stdio.h>
#include <stdlib.h>

#define JN_MAX_DEPTH 500   /* nesting; deeper is refused rather than overflowing the stack */

typedef struct {
    jn_lexer lx;
    jn_tok t;              /* the current token */
    int depth;
    int labels;            /* `%` slots made so far */
    aslc_jn_node **parents; /* every JN_PARENT, by slot index */
    uint32_t nparents;
} jn_parser;

static _Noreturn void fail(jn_parser *p, const char *code, uint32_t pos, const jn_tok *t)
{
    aslc_jn_lex_fail(&p->lx, code, pos, t ? t->s : NULL, t ? t->n : 0);
}

static aslc_jn_node *node(jn_parser *p, aslc_jn_node_type type, uint32_t pos)
{
    aslc_jn_node *n = asl_alloc(p->lx.a, sizeof *n);
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)type;
    n->pos = pos;
    return n;
}

/* Appends x to a list that grows by doubling (capacities are powers of two). */
static void push(asl_arena *a, aslc_jn_node ***list, uint32_t *n, void *x)
{
    if ((*n & (*n - 1)) == 0) {
        aslc_jn_node **grown = asl_alloc(a, sizeof **list * (*n ? *n * 2 : 1));
        if (*n) memcpy(grown, *list, sizeof **list * *n);
        *list = grown;
    }
    (*list)[(*n)++] = x;
}

static bool is_op(const jn_tok *t, const char *op)
{
    return t->type == JT_OPERATOR && t->n == strlen(op) && memcmp(t->s, op, t->n) == 0;
}

/* Left binding power of the current token. */
static int lbp(const jn_tok *t)
{
    if (t->type != JT_OPERATOR) return 0;
    static const struct { const char *op; int bp; } bps[] = {
        { ".", 75 }, { "[", 80 }, { "{", 70 }, { "(", 80 }, { "@", 80 }, { "#", 80 }, { "?", 20 },
        { "+", 50 }, { "-", 50 }, { "*", 60 }, { "/", 60 }, { "%", 60 }, { "=", 40 }, { "<", 40 },
        { ">", 40 }, { "^", 40 }, { "!=", 40 }, { "<=", 40 }, { ">=", 40 }, { "~>", 40 }, { "&", 50 },
        { "and", 30 }, { "or", 25 }, { "in", 40 }, { ":=", 10 },
    };
    for (size_t i = 0; i < sizeof bps / sizeof *bps; i++)
        if (is_op(t, bps[i].op)) return bps[i].bp;
    return 0;
}

static void advance(jn_parser *p, bool infix)
{
    p->t = aslc_jn_lex_next(&p->lx, infix);
    /* '!' and '~' only end names; alone they are no operator */
    if (p->t.type == JT_OPERATOR && p->t.n == 1 && (p->t.s[0] == '!' || p->t.s[0] == '~'))
        fail(p, "S0204", p->t.pos, &p->t);
}

/* Consumes the expected operator id, or fails as the reference does. */
static void expect(jn_parser *p, const char *id, bool infix)
{
    if (!is_op(&p->t, id)) {
        if (p->t.type == JT_END) fail(p, "S0203", p->t.pos, NULL);
        fail(p, "S0202", p->t.pos, &p->t);
    }
    advance(p, infix);
}

static aslc_jn_node *expression(jn_parser *p, int rbp);

static aslc_jn_node *literal(jn_parser *p, const jn_tok *t)
{
    static const aslc_jn_node_type types[] = {
        [JT_NAME] = JN_NAME, [JT_VARIABLE] = JN_VARIABLE, [JT_STRING] = JN_STRING,
        [JT_NUMBER] = JN_NUMBER, [JT_VALUE] = JN_VALUE, [JT_REGEX] = JN_REGEX,
    };
    aslc_jn_node *n = node(p, types[t->type], t->pos);
    n->str = t->s;
    n->slen = t->n;
    n->num = t->num;
    n->flags = t->flags;
    return n;
}

/* { key: value, ... } after the '{' (prefix: an object; infix: grouping). */
static void object_pairs(jn_parser *p, aslc_jn_node *n)
{
    if (!is_op(&p->t, "}")) {
        for (;;) {
            push(p->lx.a, &n->list, &n->n, expression(p, 0));
            expect(p, ":", false);
            push(p->lx.a, &n->list, &n->n, expression(p, 0));
            if (!is_op(&p->t, ",")) break;
            expect(p, ",", false);
        }
    }
    expect(p, "}", true);
}

static aslc_jn_node *nud(jn_parser *p, jn_tok t)
{
    /* the end is a terminal, as in the reference: an expression that needs
     * more fails where it expects its next token (S0203), or in the second
     * pass (S0207) */
    if (t.type == JT_END) return node(p, JN_R_END, t.pos);
    if (t.type != JT_OPERATOR) return literal(p, &t);
    aslc_jn_node *n;
    if (is_op(&t, "and") || is_op(&t, "or") || is_op(&t, "in")) {
        n = node(p, JN_R_OPERATOR, t.pos);   /* a field name, processed below */
        n->str = t.s;
        n->slen = t.n;
        return n;
    }
    if (is_op(&t, "-")) {
        n = node(p, JN_NEGATE, t.pos);
        n->lhs = expression(p, 70);
        return n;
    }
    if (is_op(&t, "*")) return node(p, JN_WILDCARD, t.pos);
    if (is_op(&t, "**")) return node(p, JN_DESCENDANT, t.pos);
    if (is_op(&t, "%")) return node(p, JN_PARENT, t.pos);
    if (is_op(&t, "(")) {
        n = node(p, JN_BLOCK, t.pos);
        while (!is_op(&p->t, ")")) {
            push(p->lx.a, &n->list, &n->n, expression(p, 0));
            if (!is_op(&p->t, ";")) break;
            expect(p, ";", false);
        }
        expect(p, ")", true);
        return n;
    }
    if (is_op(&t, "[")) {
        n = node(p, JN_ARRAY, t.pos);
        if (!is_op(&p->t, "]")) {
            for (;;) {
                aslc_jn_node *item = expression(p, 0);
                if (is_op(&p->t, "..")) {
                    aslc_jn_node *r = node(p, JN_BINARY, p->t.pos);
                    r->op = JN_OP_RANGE;
                    r->lhs = item;
                    expect(p, "..", false);
                    r->rhs = expression(p, 0);
                    item = r;
                }
                push(p->lx.a, &n->list, &n->n, item);
                if (!is_op(&p->t, ",")) break;
                expect(p, ",", false);
            }
        }
        expect(p, "]", true);
        return n;
    }
    if (is_op(&t, "{")) {
        n = node(p, JN_OBJECT, t.pos);
        object_pairs(p, n);
        return n;
    }
    if (is_op(&t, "|")) {
        n = node(p, JN_TRANSFORM, t.pos);
        n->lhs = expression(p, 0);
        expect(p, "|", false);
        n->rhs = expression(p, 0);
        if (is_op(&p->t, ",")) {
            expect(p, ",", false);
            n->third = expression(p, 0);
        }
        expect(p, "|", false);
        return n;
    }
    fail(p, "S0211", t.pos, &t);
}

static const struct { const char *op; asl_jn_op code; } binops[] = {
    { ".", JN_OP_MAP }, { "+", JN_OP_ADD }, { "-", JN_OP_SUB }, { "*", JN_OP_MUL }, { "/", JN_OP_DIV },
    { "%", JN_OP_MOD }, { "=", JN_OP_EQ }, { "!=", JN_OP_NE }, { "<", JN_OP_LT }, { "<=", JN_OP_LE },
    { ">", JN_OP_GT }, { ">=", JN_OP_GE }, { "&", JN_OP_CONCAT }, { "and", JN_OP_AND },
    { "or", JN_OP_OR }, { "in", JN_OP_IN },
};

/* The signature text of a lambda, `<` ... `>` as the tokens spell it. */
static const char *signature(jn_parser *p)
{
    /* in the arena, not an asl_buf: a lexer error longjmps out of the loop */
    size_t len = 1, cap = 32;
    char *sig = asl_alloc(p->lx.a, cap);
    sig[0] = '<';
    int depth = 1;
    uint32_t at = p->t.pos;
    while (depth > 0 && !is_op(&p->t, "{") && p->t.type != JT_END) {
        advance(p, false);
        if (is_op(&p->t, ">")) depth--;
        else if (is_op(&p->t, "<")) depth++;
        if (len + p->t.n + 1 > cap) {
            cap = 2 * (len + p->t.n + 1);
            char *grown = asl_alloc(p->lx.a, cap);
            memcpy(grown, sig, len);
            sig = grown;
        }
        memcpy(sig + len, p->t.s, p->t.n);
        len += p->t.n;
    }
    sig[len] = 0;
    expect(p, ">", false);
    int off = 0;
    const char *code = asl_jn_sig_check(sig, &off);
    if (code) fail(p, code, at + (uint32_t)off, NULL);
    return sig;
}

static aslc_jn_node *led(jn_parser *p, jn_tok t, aslc_jn_node *left)
{
    aslc_jn_node *n;
    int bp = lbp(&t);
    if (is_op(&t, "(")) {
        n = node(p, JN_FUNCTION, t.pos);
        n->lhs = left;
        if (!is_op(&p->t, ")")) {
            for (;;) {
                if (is_op(&p->t, "?")) {
                    n->type = JN_PARTIAL;
                    push(p->lx.a, &n->list, &n->n, node(p, JN_PLACEHOLDER, p->t.pos));
                    expect(p, "?", false);
                } else {
                    push(p->lx.a, &n->list, &n->n, expression(p, 0));
                }
                if (!is_op(&p->t, ",")) break;
                expect(p, ",", false);
            }
        }
        expect(p, ")", true);
        if (left->type == JN_NAME && ((left->slen == 8 && !memcmp(left->str, "function", 8)) ||
                                      (left->slen == 2 && !memcmp(left->str, "\xce\xbb", 2)))) {
            for (uint32_t i = 0; i < n->n; i++)
                if (n->list[i]->type != JN_VARIABLE) {
                    jn_tok bad = { .s = n->list[i]->str ? n->list[i]->str : "", .n = n->list[i]->slen };
                    fail(p, "S0208", n->list[i]->pos, &bad);
                }
            n->type = JN_LAMBDA;
            if (is_op(&p->t, "<")) n->str = signature(p);
            expect(p, "{", false);
            n->rhs = expression(p, 0);
            expect(p, "}", false);
        }
        return n;
    }
    if (is_op(&t, "[")) {
        if (is_op(&p->t, "]")) {
            aslc_jn_node *step = left;
            while (step->type == JN_R_PREDICATE) step = step->lhs;
            step->keep_array = true;
            expect(p, "]", false);
            return left;
        }
        n = node(p, JN_R_PREDICATE, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 0);
        expect(p, "]", true);
        return n;
    }
    if (is_op(&t, "^")) {
        n = node(p, JN_R_SORT, t.pos);
        n->lhs = left;
        expect(p, "(", false);
        for (;;) {
            aslc_jn_node *term = node(p, JN_SORTTERM, p->t.pos);
            if (is_op(&p->t, "<")) {
                expect(p, "<", false);
            } else if (is_op(&p->t, ">")) {
                term->descending = true;
                expect(p, ">", false);
            }
            term->lhs = expression(p, 0);
            push(p->lx.a, &n->list, &n->n, term);
            if (!is_op(&p->t, ",")) break;
            expect(p, ",", false);
        }
        expect(p, ")", false);
        return n;
    }
    if (is_op(&t, "{")) {
        n = node(p, JN_R_GROUP, t.pos);
        n->lhs = left;
        object_pairs(p, n);
        return n;
    }
    if (is_op(&t, ":=")) {
        if (left->type != JN_VARIABLE) {
            jn_tok bad = { .s = left->str ? left->str : "", .n = left->slen };
            fail(p, "S0212", left->pos, &bad);
        }
        n = node(p, JN_BIND, t.pos);
        n->lhs = left;
        n->rhs = expression(p, bp - 1);   /* right-associative */
        return n;
    }
    if (is_op(&t, "@") || is_op(&t, "#")) {
        n = node(p, t.s[0] == '@' ? JN_R_FOCUS : JN_R_POSITION, t.pos);
        n->lhs = left;
        n->rhs = expression(p, bp);
        if (n->rhs->type != JN_VARIABLE) {
            jn_tok tk = { .s = t.s, .n = 1 };
            fail(p, "S0214", n->rhs->pos, &tk);
        }
        return n;
    }
    if (is_op(&t, "?")) {
        n = node(p, JN_CONDITION, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 0);
        if (is_op(&p->t, ":")) {
            expect(p, ":", false);
            n->third = expression(p, 0);
        }
        return n;
    }
    if (is_op(&t, "~>")) {
        n = node(p, JN_APPLY, t.pos);
        n->lhs = left;
        n->rhs = expression(p, bp);
        return n;
    }
    for (size_t i = 0; i < sizeof binops / sizeof *binops; i++)
        if (is_op(&t, binops[i].op)) {
            n = node(p, JN_BINARY, t.pos);
            n->op = (uint8_t)binops[i].code;
            n->lhs = left;
            n->rhs = expression(p, bp);
            return n;
        }
    fail(p, "S0201", t.pos, &t);
}

static aslc_jn_node *expression(jn_parser *p, int rbp)
{
    if (++p->depth > JN_MAX_DEPTH) fail(p, "S0199", p->t.pos, NULL);
    jn_tok t = p->t;
    if (t.type != JT_END) advance(p, true);
    aslc_jn_node *left = nud(p, t);
    while (rbp < lbp(&p->t)) {
        t = p->t;
        advance(p, false);
        left = led(p, t, left);
    }
    p->depth--;
    return left;
}

/* ---- post-processing (the reference's processAST) ------------------------ */

static aslc_jn_node *process(jn_parser *p, aslc_jn_node *e);

static void add_slot(jn_parser *p, aslc_jn_node *n, aslc_jn_slot *s)
{
    push(p->lx.a, (aslc_jn_node ***)&n->seeking, &n->nseeking, s);
}

/* pushAncestry: what value still seeks becomes result's to resolve. */
static void inherit(jn_parser *p, aslc_jn_node *result, aslc_jn_node *value)
{
    for (uint32_t i = 0; i < value->nseeking; i++) add_slot(p, result, value->seeking[i]);
    if (value->type == JN_PARENT) add_slot(p, result, value->slot);
}

/* seekParent: walks back through node for the step slot names. */
static aslc_jn_slot *seek(jn_parser *p, aslc_jn_node *n, aslc_jn_slot *slot)
{
    switch (n->type) {
    case JN_NAME:
    case JN_WILDCARD:
        if (--slot->level == 0) {
            if (n->ancestor)   /* this step already binds a parent: share its label */
                memcpy(p->parents[slot->index]->slot->label, n->ancestor->label, sizeof slot->label);
            n->ancestor = slot;
            n->tuple = true;
        }
        break;
    case JN_PARENT:
        slot->level++;
        break;
    case JN_BLOCK:
        if (n->n > 0) {
            n->tuple = true;
            slot = seek(p, n->list[n->n - 1], slot);
        }
        break;
    case JN_PATH: {
        n->tuple = true;
        int i = (int)n->n - 1;
        slot = seek(p, n->list[i--], slot);
        while (slot->level > 0 && i >= 0) slot = seek(p, n->list[i--], slot);
        break;
    }
    default:
        fail(p, "S0217", n->pos, NULL);
    }
    return slot;
}

static void resolve_ancestry(jn_parser *p, aslc_jn_node *path)
{
    aslc_jn_node *last = path->list[path->n - 1];
    uint32_t nslots = last->nseeking + (last->type == JN_PARENT);
    aslc_jn_slot **slots = asl_alloc(p->lx.a, sizeof *slots * (nslots + 1));
    for (uint32_t i = 0; i < last->nseeking; i++) slots[i] = last->seeking[i];
    if (last->type == JN_PARENT) slots[last->nseeking] = last->slot;
    for (uint32_t s = 0; s < nslots; s++) {
        aslc_jn_slot *slot = slots[s];
        int i = (int)path->n - 2;
        while (slot->level > 0) {
            if (i < 0) {
                add_slot(p, path, slot);
                break;
            }
            aslc_jn_node *step = path->list[i--];
            while (i >= 0 && step->focus && path->list[i]->focus) step = path->list[i--];
            slot = seek(p, step, slot);
        }
    }
}

static aslc_jn_node *as_path(jn_parser *p, aslc_jn_node *n)
{
    if (n->type == JN_PATH) return n;
    aslc_jn_node *path = node(p, JN_PATH, n->pos);
    push(p->lx.a, &path->list, &path->n, n);
    return path;
}

static aslc_jn_node *process_map(jn_parser *p, aslc_jn_node *e)
{
    aslc_jn_node *lstep = process(p, e->lhs);
    aslc_jn_node *result = as_path(p, lstep);
    if (lstep->type == JN_PARENT) add_slot(p, result, lstep->slot);
    aslc_jn_node *rest = process(p, e->rhs);
    if (rest->type == JN_PATH) {
        for (uint32_t i = 0; i < rest->n; i++) push(p->lx.a, &result->list, &result->n, rest->list[i]);
    } else {
        rest->staged = true;   /* its predicates become its stages */
        push(p->lx.a, &result->list, &result->n, rest);
    }
    for (uint32_t i = 0; i < result->n; i++) {
        aslc_jn_node *s = result->list[i];
        if (s->type == JN_NUMBER || s->type == JN_VALUE) {
            jn_tok bad = { .s = s->str ? s->str : "", .n = s->slen };
            fail(p, "S0213", s->pos, &bad);
        }
        if (s->type == JN_STRING) s->type = JN_NAME;
        if (s->keep_array) result->keep_singleton = true;
    }
    if (result->list[0]->type == JN_ARRAY) result->list[0]->cons_array = true;
    if (result->list[result->n - 1]->type == JN_ARRAY) result->list[result->n - 1]->cons_array = true;
    resolve_ancestry(p, result);
    return result;
}

static aslc_jn_node *process_predicate(jn_parser *p, aslc_jn_node *e)
{
    aslc_jn_node *result = process(p, e->lhs), *step = result;
    if (result->type == JN_PATH) {
        step = result->list[result->n - 1];
        step->staged = true;
    }
    if (step->grouped) fail(p, "S0209", e->pos, NULL);
    aslc_jn_node *pred = process(p, e->rhs);
    for (uint32_t i = 0; i < pred->nseeking; i++) {
        aslc_jn_slot *s = pred->seeking[i];
        if (s->level == 1) seek(p, step, s);
        else s->level--;
    }
    inherit(p, step, pred);
    aslc_jn_node *f = node(p, JN_FILTER, e->pos);
    f->lhs = pred;
    push(p->lx.a, &step->stages, &step->nstages, f);
    return result;
}

/* tailCallOptimize: a call in tail position becomes a thunk the caller runs. */
static aslc_jn_node *tail_call(jn_parser *p, aslc_jn_node *e)
{
    if (e->type == JN_FUNCTION && e->nstages == 0) {
        aslc_jn_node *t = node(p, JN_LAMBDA, e->pos);
        t->thunk = true;
        t->rhs = e;
        return t;
    }
    if (e->type == JN_CONDITION) {
        e->rhs = tail_call(p, e->rhs);
        if (e->third) e->third = tail_call(p, e->third);
    } else if (e->type == JN_BLOCK && e->n > 0) {
        e->list[e->n - 1] = tail_call(p, e->list[e->n - 1]);
    }
    return e;
}

static aslc_jn_node *process(jn_parser *p, aslc_jn_node *e)
{
    if (++p->depth > JN_MAX_DEPTH) fail(p, "S0199", e->pos, NULL);
    aslc_jn_node *result = e, *step;
    switch ((aslc_jn_node_type)e->type) {
    case JN_BINARY:
        if (e->op == JN_OP_MAP) {
            result = process_map(p, e);
            break;
        }
        e->lhs = process(p, e->lhs);
        e->rhs = process(p, e->rhs);
        inherit(p, e, e->lhs);
        inherit(p, e, e->rhs);
        break;
    case JN_R_PREDICATE:
        result = process_predicate(p, e);
        break;
    case JN_R_GROUP:
        result = process(p, e->lhs);
        if (result->grouped) fail(p, "S0210", e->pos, NULL);
        for (uint32_t i = 0; i < e->n; i++) e->list[i] = process(p, e->list[i]);
        result->group = e->list;
        result->ngroup = e->n / 2;   /* pairs */
        result->grouped = true;
        result->group_pos = e->pos;
        break;
    case JN_R_SORT: {
        result = as_path(p, process(p, e->lhs));
        aslc_jn_node *sort = node(p, JN_SORT, e->pos);
        for (uint32_t i = 0; i < e->n; i++) {
            aslc_jn_node *term = e->list[i];
            term->lhs = process(p, term->lhs);
            inherit(p, sort, term->lhs);
            push(p->lx.a, &sort->list, &sort->n, term);
        }
        push(p->lx.a, &result->list, &result->n, sort);
        resolve_ancestry(p, result);
        break;
    }
    case JN_BIND:
        e->rhs = process(p, e->rhs);
        inherit(p, e, e->rhs);
        break;
    case JN_R_FOCUS:
        result = process(p, e->lhs);
        step = result->type == JN_PATH ? result->list[result->n - 1] : result;
        if (step->nstages) fail(p, "S0215", e->pos, NULL);
        if (step->type == JN_SORT) fail(p, "S0216", e->pos, NULL);
        if (e->keep_array) step->keep_array = true;
        step->focus = e->rhs->str;
        step->tuple = true;
        break;
    case JN_R_POSITION:
        result = process(p, e->lhs);
        if (result->type == JN_PATH) {
            step = result->list[result->n - 1];
        } else {
            step = result;
            step->staged = true;
            result = as_path(p, result);
        }
        if (step->nstages == 0) {
            step->index = e->rhs->str;
        } else {
            aslc_jn_node *ix = node(p, JN_INDEX, e->pos);
            ix->str = e->rhs->str;
            push(p->lx.a, &step->stages, &step->nstages, ix);
        }
        step->tuple = true;
        break;
    case JN_APPLY:
        e->lhs = process(p, e->lhs);
        e->rhs = process(p, e->rhs);
        e->keep_array = e->lhs->keep_array || e->rhs->keep_array;
        break;
    case JN_ARRAY:
        for (uint32_t i = 0; i < e->n; i++) {
            e->list[i] = process(p, e->list[i]);
            inherit(p, e, e->list[i]);
        }
        break;
    case JN_OBJECT:
        for (uint32_t i = 0; i < e->n; i++) {
            e->list[i] = process(p, e->list[i]);
            inherit(p, e, e->list[i]);
        }
        break;
    case JN_NEGATE:
        e->lhs = process(p, e->lhs);
        if (e->lhs->type == JN_NUMBER) {
            result = e->lhs;
            result->num = -result->num;
        } else {
            inherit(p, e, e->lhs);
        }
        break;
    case JN_FUNCTION:
    case JN_PARTIAL:
        for (uint32_t i = 0; i < e->n; i++) {
            e->list[i] = process(p, e->list[i]);
            inherit(p, e, e->list[i]);
        }
        e->lhs = process(p, e->lhs);
        break;
    case JN_LAMBDA:
        e->rhs = tail_call(p, process(p, e->rhs));
        break;
    case JN_CONDITION:
        e->lhs = process(p, e->lhs);
        inherit(p, e, e->lhs);
        e->rhs = process(p, e->rhs);
        inherit(p, e, e->rhs);
        if (e->third) {
            e->third = process(p, e->third);
            inherit(p, e, e->third);
        }
        break;
    case JN_TRANSFORM:
        e->lhs = process(p, e->lhs);
        e->rhs = process(p, e->rhs);
        if (e->third) e->third = process(p, e->third);
        break;
    case JN_BLOCK:
        for (uint32_t i = 0; i < e->n; i++) {
            aslc_jn_node *part = process(p, e->list[i]);
            e->list[i] = part;
            inherit(p, e, part);
            if (part->cons_array || (part->type == JN_PATH && part->list[0]->cons_array)) e->cons_array = true;
        }
        break;
    case JN_NAME:
        result = as_path(p, e);
        if (e->keep_array) result->keep_singleton = true;
        break;
    case JN_PARENT: {
        e->slot = asl_alloc(p->lx.a, sizeof *e->slot);
        snprintf(e->slot->label, sizeof e->slot->label, "!%d", p->labels++);
        e->slot->level = 1;
        e->slot->index = (int)p->nparents;
        push(p->lx.a, &p->parents, &p->nparents, e);
        break;
    }
    case JN_REGEX: {
        /* compiled now, as the reference's tokenizer does: a bad pattern is a
         * syntax error (S0303, aslc's code: JavaScript throws a SyntaxError) */
        asl_jn_ctx c;
        asl_jn_ctx_init(&c, p->lx.a);
        e->regex = asl_jn_regex(&c, e->str, e->slen, e->flags);
        if (!e->regex) fail(p, "S0303", e->pos, NULL);
        break;
    }
    case JN_R_END:
        fail(p, "S0207", e->pos, NULL);
    case JN_R_OPERATOR:
        e->type = JN_NAME;
        result = as_path(p, e);
        break;
    default:
        break;   /* literals, variables, regex, wildcard, descendant, placeholder */
    }
    if (e->keep_array) result->keep_array = true;
    p->depth--;
    return result;
}

aslc_jn_node *aslc_jn_parse(asl_arena *a, const char *text, size_t n, aslc_jn_parse_error *err)
{
    jn_parser p;
    memset(&p, 0, sizeof p);
    memset(err, 0, sizeof *err);
    p.lx.a = a;
    p.lx.src = text;
    p.lx.len = (uint32_t)n;
    p.lx.err = err;
    if (setjmp(p.lx.fail)) {
        snprintf(err->msg, sizeof err->msg, "%s", aslc_jn_parse_message(err->code));
        return NULL;
    }
    advance(&p, false);
    aslc_jn_node *e = expression(&p, 0);
    if (p.t.type != JT_END) fail(&p, "S0201", p.t.pos, &p.t);
    p.depth = 0;
    e = process(&p, e);
    if (e->type == JN_PARENT || e->nseeking) fail(&p, "S0217", e->pos, NULL);
    return e;
}

const char *aslc_jn_parse_message(const char *code)
{
    static const struct { const char *code, *msg; } msgs[] = {
        { "S0101", "String literal must be terminated by a matching quote" },
        { "S0102", "Number out of range" },
        { "S0103", "Unsupported escape sequence" },
        { "S0104", "The escape sequence \\u must be followed by 4 hex digits" },
        { "S0105", "Quoted property name must be terminated with a backquote (`)" },
        { "S0106", "Comment has no closing tag" },
        { "S0199", "Expression nested too deeply" },
        { "S0201", "Syntax error" },
        { "S0202", "Expected a different token" },
        { "S0203", "Expected a token before the end of the expression" },
        { "S0204", "Unknown operator" },
        { "S0207", "Unexpected end of expression" },
        { "S0208", "Parameter of a function definition must be a variable name (start with $)" },
        { "S0209", "A predicate cannot follow a grouping expression in a step" },
        { "S0210", "Each step can only have one grouping expression" },
        { "S0211", "The symbol cannot be used as a unary operator" },
        { "S0212", "The left side of := must be a variable name (start with $)" },
        { "S0213", "The literal value cannot be used as a step within a path expression" },
        { "S0214", "The right side of this operator must be a variable name (start with $)" },
        { "S0215", "A context variable binding must precede any predicates on a step" },
        { "S0216", "A context variable binding must precede the 'order-by' clause on a step" },
        { "S0217", "The object representing the 'parent' cannot be derived from this expression" },
        { "S0301", "Empty regular expressions are not allowed" },
        { "S0302", "No terminating / in regular expression" },
        { "S0303", "Invalid regular expression" },
        { "S0401", "Type parameters can only be applied to functions and arrays" },
        { "S0402", "Choice groups containing parameterized types are not supported" },
    };
    for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
        if (code && strcmp(code, msgs[i].code) == 0) return msgs[i].msg;
    return "Syntax error";
}

/* ---- what AWS refuses ------------------------------------------------------ */

static bool defines_eval(const aslc_jn_node *e, int depth)
{
    if (!e || depth > JN_MAX_DEPTH) return false;
    if (e->type == JN_BIND && e->lhs && e->lhs->str && strcmp(e->lhs->str, "eval") == 0) return true;
    if (e->type == JN_LAMBDA)
        for (uint32_t i = 0; i < e->n; i++)
            if (e->list[i]->str && strcmp(e->list[i]->str, "eval") == 0) return true;
    const aslc_jn_node *kids[] = { e->lhs, e->rhs, e->third };
    for (size_t i = 0; i < 3; i++)
        if (defines_eval(kids[i], depth + 1)) return true;
    for (uint32_t i = 0; i < e->n; i++)
        if (defines_eval(e->list[i], depth + 1)) return true;
    for (uint32_t i = 0; i < e->nstages; i++)
        if (defines_eval(e->stages[i], depth + 1)) return true;
    for (uint32_t i = 0; i < 2 * e->ngroup; i++)
        if (defines_eval(e->group[i], depth + 1)) return true;
    return false;
}

static const aslc_jn_node *calls_eval(const aslc_jn_node *e, int depth)
{
    if (!e || depth > JN_MAX_DEPTH) return NULL;
    if ((e->type == JN_FUNCTION || e->type == JN_PARTIAL) && e->lhs && e->lhs->type == JN_VARIABLE &&
        strcmp(e->lhs->str, "eval") == 0)
        return e;
    const aslc_jn_node *found = NULL, *kids[] = { e->lhs, e->rhs, e->third };
    for (size_t i = 0; i < 3 && !found; i++) found = calls_eval(kids[i], depth + 1);
    for (uint32_t i = 0; i < e->n && !found; i++) found = calls_eval(e->list[i], depth + 1);
    for (uint32_t i = 0; i < e->nstages && !found; i++) found = calls_eval(e->stages[i], depth + 1);
    for (uint32_t i = 0; i < 2 * e->ngroup && !found; i++) found = calls_eval(e->group[i], depth + 1);
    return found;
}

const char *aslc_jn_unsupported(const aslc_jn_node *e, uint32_t *pos)
{
    const aslc_jn_node *call = calls_eval(e, 0);
    if (!call || defines_eval(e, 0)) return NULL;
    *pos = call->lhs->pos;   /* at $eval itself */
    return "$eval is not available in Step Functions (use $parse to read JSON text)";
}

/* ---- offsets in the JSON source -------------------------------------------------- */

/* The decoded length of the \uXXXX escape at r (and of its low surrogate
 * after it): how many UTF-8 bytes, and *used how many source bytes. */
static uint32_t unicode_escape(const char *r, size_t left, size_t *used)
{
    unsigned v = 0;
    *used = 2;
    if (left < 6 || sscanf(r + 2, "%4x", &v) != 1) return 1;
    *used = 6;
    if (v >= 0xD800 && v < 0xDC00 && left >= 12 && r[6] == '\\' && r[7] == 'u') {
        *used = 12;
        return 4;
    }
    return v < 0x80 ? 1 : v < 0x800 ? 2 : 3;
}

uint32_t aslc_jn_raw_offset(const char *raw, size_t rawlen, uint32_t off)
{
    size_t r = 0;
    uint32_t decoded = 0;
    while (r < rawlen && raw[r] != '"') {
        size_t used = 1;
        uint32_t bytes = 1;
        if (raw[r] == '\\') {
            if (r + 1 < rawlen && raw[r + 1] == 'u') bytes = unicode_escape(raw + r, rawlen - r, &used);
            else used = 2;
        }
        if (decoded + bytes > off) break;
        decoded += bytes;
        r += used;
    }
    return (uint32_t)r;
}
