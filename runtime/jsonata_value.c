/*
 * jsonata_value.c — JSONata's value model on top of the runtime's values:
 * sequences and their singleton rules, truthiness, deep equality, numbers
 * and strings as JavaScript prints them, the operators, and the path
 * primitives (field lookup, wildcard, descendants) — the reference's
 * jsonata.js evaluate* helpers and utils.js, as C.
 */
#include "jsonata.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void asl_jn_ctx_init(asl_jn_ctx *c, asl_arena *a)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->pos = -1;
    c->max_depth = ASL_JN_MAX_DEPTH;
    c->max_range = 1e7;
    c->apply_lambda = asl_jn_apply_lambda;   /* generated code's lambdas (jsonata_exec.c) */
}

/* aslc serve (runtime/served.c): a state's time and draws that a restart
 * makes again; weak, so absent (NULL) where served.c is not linked in. */
bool asl_served_jn_clock(void *x, int64_t *now_ms, uint64_t *rng) __attribute__((weak));

/* The clock is read when an expression first asks for the time or a
 * random number, not for every evaluation: a Step Functions state
 * evaluates many expressions that never do. */
void asl_jn_clock(asl_jn_ctx *c)
{
    if (c->now_ms) return;
    if (c->user && asl_served_jn_clock && asl_served_jn_clock(c->user, &c->now_ms, &c->rng)) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (!c->rng) c->rng = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL + (uint64_t)ts.tv_sec;
    if (!c->rng) c->rng = 0x9E3779B97F4A7C15ULL;
}

int64_t asl_jn_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool asl_jn_out_of_time(asl_jn_ctx *c)
{
    if (!c->deadline_ms || (++c->ticks & 1023) != 0) return false;
    return asl_jn_clock_ms() > c->deadline_ms;
}

asl_value *asl_jn_error(asl_jn_ctx *c, const char *code, asl_value *value)
{
    if (!c->code) {
        c->code = code;
        c->value = value;
    }
    return NULL;
}

/* ---- sequences ------------------------------------------------------------ */

asl_value *asl_jn_seq(asl_arena *a, uint32_t cap)
{
    asl_value *s = asl_array(a, cap);
    s->flags = ASL_JN_SEQ;
    return s;
}

asl_value *asl_jn_seq1(asl_arena *a, asl_value *v)
{
    asl_value *s = asl_jn_seq(a, 1);
    if (v) asl_array_push(a, s, v);
    return s;
}

void asl_jn_push(asl_arena *a, asl_value *arr, asl_value *v)
{
    asl_array_push(a, arr, v ? v : asl_null());
    if (!v) arr->u.a.items[arr->len - 1] = NULL;   /* an undefined item, inside a path only */
}

asl_value *asl_jn_array(asl_arena *a, uint32_t cap) { return asl_array(a, cap); }

asl_value *asl_jn_settle(asl_value *v, bool keep_array)
{
    if (!asl_jn_is_seq(v) || (v->flags & ASL_JN_TUPLES)) return v;
    if (keep_array) v->flags |= ASL_JN_KEEP;
    if (v->len == 0) return NULL;
    if (v->len == 1 && !(v->flags & ASL_JN_KEEP)) return v->u.a.items[0];
    return v;
}

asl_value *asl_jn_append(asl_arena *a, asl_value *x, asl_value *y)
{
    if (!x) return y;
    if (!y) return x;
    asl_value *r;
    if (x->type != ASL_ARRAY) {
        r = asl_array(a, 2);
        asl_array_push(a, r, x);
    } else {
        r = asl_array(a, x->len + (y->type == ASL_ARRAY ? y->len : 1));  /* concat(): a plain array */
        for (uint32_t i = 0; i < x->len; i++) asl_array_push(a, r, x->u.a.items[i]);
    }
    if (y->type == ASL_ARRAY)
        for (uint32_t i = 0; i < y->len; i++) asl_array_push(a, r, y->u.a.items[i]);
    else
        asl_array_push(a, r, y);
    return r;
}

static void flatten_into(asl_arena *a, asl_value *out, asl_value *v)
{
    if (v && v->type == ASL_ARRAY)
        for (uint32_t i = 0; i < v->len; i++) flatten_into(a, out, v->u.a.items[i]);
    else if (v)
        asl_array_push(a, out, v);
}

asl_value *asl_jn_flatten(asl_arena *a, asl_value *v)
{
    asl_value *out = asl_array(a, 4);
    flatten_into(a, out, v);
    return out;
}

asl_value *asl_jn_num(asl_jn_ctx *c, double d)
{
    return asl_number(c->a, d == 0 ? 0.0 : d);   /* -0 prints as 0 in JSON */
}

bool asl_jn_numeric(asl_jn_ctx *c, const asl_value *v)
{
    if (!asl_jn_is_num(v)) return false;
    if (!isfinite(v->u.n.num)) {
        asl_jn_error(c, "D1001", (asl_value *)v);
        return false;
    }
    return true;
}

asl_value *asl_jn_str(asl_arena *a, const char *s, size_t n) { return asl_string(a, s, n); }

int asl_jn_truthy(const asl_value *v)
{
    if (!v) return -1;
    switch (v->type) {
    case ASL_ARRAY:
        if (v->len == 1) return asl_jn_truthy(v->u.a.items[0]);
        for (uint32_t i = 0; i < v->len; i++)
            if (asl_jn_truthy(v->u.a.items[i]) == 1) return 1;
        return 0;
    case ASL_STRING: return v->len > 0;
    case ASL_NUMBER: return v->u.n.num != 0;
    case ASL_TRUE: return 1;
    case ASL_OBJECT: return v->len > 0;
    default: return 0;   /* null, false, functions */
    }
}

bool asl_jn_deep_equal(const asl_value *x, const asl_value *y)
{
    if (x == y) return true;
    if (!x || !y) return false;
    if (x->type != y->type) return false;
    switch (x->type) {
    case ASL_NUMBER: return x->u.n.num == y->u.n.num;
    case ASL_STRING: return x->len == y->len && memcmp(x->u.str, y->u.str, x->len) == 0;
    case ASL_ARRAY:
        if (x->len != y->len) return false;
        for (uint32_t i = 0; i < x->len; i++)
            if (!asl_jn_deep_equal(x->u.a.items[i], y->u.a.items[i])) return false;
        return true;
    case ASL_OBJECT:
        if (x->len != y->len) return false;
        for (uint32_t i = 0; i < x->len; i++) {
            const asl_member *m = &x->u.o.members[i];
            if (!asl_jn_deep_equal(m->val, asl_object_get(y, m->key, m->klen))) return false;
        }
        return true;
    case ASL_JN_FUNCTION: return false;
    default: return true;   /* null, true, false */
    }
}

/* Whether the text of a number is what JavaScript prints for it: an
 * integer of at most 15 digits, without a leading zero. */
static bool js_integer_text(const char *t, uint32_t n)
{
    uint32_t i = t[0] == '-';
    if (n <= i || n - i > 15 || (t[i] == '0' && n - i > 1)) return false;
    for (; i < n; i++)
        if (t[i] < '0' || t[i] > '9') return false;
    return true;
}

/* Whether v leaves JSONata as it is: no sequence, function, infinity, -0
 * or number whose source text JavaScript would print otherwise, anywhere
 * in it.  Most results are (a state's input passed on, a value built by
 * an object constructor), and then need no copy. */
static bool plain_json(const asl_value *v);

/* plain_json of an item or member: strings, null, booleans and numbers
 * without source text (most of them) without a call. */
static inline bool plain_item(const asl_value *v)
{
    return v && (v->type == ASL_STRING || v->type <= ASL_TRUE ||
                 (v->type == ASL_NUMBER && !v->u.n.text && v->u.n.num != 0 && isfinite(v->u.n.num)) ||
                 plain_json(v));
}

/* A container found plain is marked so (asl_value's jn_plain), and not
 * walked again; the mark is written and read atomically, as the threads of
 * a Map may check the same items at once. */
static inline bool known_plain(const asl_value *v) { return __atomic_load_n(&v->jn_plain, __ATOMIC_RELAXED); }
static inline bool mark_plain(const asl_value *v)
{
    __atomic_store_n(&((asl_value *)v)->jn_plain, 1, __ATOMIC_RELAXED);
    return true;
}

static bool plain_json(const asl_value *v)
{
    switch (v->type) {
    case ASL_JN_FUNCTION: return false;
    case ASL_ARRAY:
        if (v->flags) return false;   /* a sequence's flags */
        if (known_plain(v)) return true;
        for (uint32_t i = 0; i < v->len; i++)
            if (!plain_item(v->u.a.items[i])) return false;
        return mark_plain(v);
    case ASL_OBJECT:
        if (known_plain(v)) return true;
        for (uint32_t i = 0; i < v->len; i++)
            if (!plain_item(v->u.o.members[i].val)) return false;
        return mark_plain(v);
    case ASL_NUMBER:
        if (!isfinite(v->u.n.num) || (v->u.n.num == 0 && signbit(v->u.n.num))) return false;
        return !v->u.n.text || js_integer_text(v->u.n.text, v->len);
    default: return true;
    }
}

bool asl_jn_plain(const asl_value *v) { return plain_item(v); }

asl_value *asl_jn_to_json(asl_arena *a, asl_value *v)
{
    if (!v) return NULL;
    if (plain_json(v)) return v;
    if (v->type == ASL_JN_FUNCTION) return asl_string(a, "", 0);
    if (v->type == ASL_ARRAY) {
        asl_value *r = asl_array(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            asl_value *x = asl_jn_to_json(a, v->u.a.items[i]);
            asl_array_push(a, r, x ? x : asl_null());
        }
        return r;
    }
    if (v->type == ASL_OBJECT) {
        asl_value *r = asl_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            asl_value *x = asl_jn_to_json(a, v->u.o.members[i].val);
            if (x) asl_object_append(a, r, v->u.o.members[i].key, v->u.o.members[i].klen, x);
        }
        return r;
    }
    if (v->type == ASL_NUMBER && !isfinite(v->u.n.num)) return asl_null();   /* as JSON.stringify writes them */
    if (v->type == ASL_NUMBER && (v->u.n.text || (v->u.n.num == 0 && signbit(v->u.n.num))))
        return asl_number(a, v->u.n.num == 0 ? 0.0 : v->u.n.num);   /* a double, as JavaScript has it: no source text, no -0 */
    return v;
}

/* ---- numbers and strings as JavaScript prints them ------------------------ */

/* An integer below 10^15 in magnitude as its digits (what both JavaScript's
 * shortest form and $string's 15 significant digits print for it): false
 * for any other number. */
static bool small_integer(char out[32], double d)
{
    if (!(d > -1e15 && d < 1e15) || d != (double)(int64_t)d) return false;
    int64_t i = (int64_t)d;
    char t[24];
    int k = 0;
    uint64_t u = i < 0 ? (uint64_t)-i : (uint64_t)i;
    do t[k++] = (char)('0' + u % 10); while ((u /= 10) > 0);
    char *o = out;
    if (i < 0) *o++ = '-';
    while (k) *o++ = t[--k];
    *o = 0;
    return true;
}

void asl_jn_num_js(char out[32], double d)
{
    if (d == 0) { strcpy(out, "0"); return; }
    if (small_integer(out, d)) return;
    if (isnan(d)) { strcpy(out, "NaN"); return; }
    if (isinf(d)) { strcpy(out, d > 0 ? "Infinity" : "-Infinity"); return; }
    char e[40];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, d);
        if (strtod(e, NULL) == d) break;
    }
    /* e: [-]D.DDDe[+-]XX; the digits and the decimal exponent */
    char digits[24];
    int k = 0, neg = e[0] == '-';
    const char *q = e + neg;
    for (; *q && *q != 'e'; q++)
        if (*q != '.') digits[k++] = *q;
    while (k > 1 && digits[k - 1] == '0') k--;
    digits[k] = 0;
    int n = atoi(q + 1) + 1;   /* the decimal point after n digits */
    char *o = out;
    if (neg) *o++ = '-';
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = k; i < n; i++) *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++) *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = 0;
}

/* JSON.stringify's string form. */
static void put_json_string(asl_buf *b, const char *s, size_t n)
{
    asl_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': asl_buf_puts(b, "\\\""); break;
        case '\\': asl_buf_puts(b, "\\\\"); break;
        case '\b': asl_buf_puts(b, "\\b"); break;
        case '\f': asl_buf_puts(b, "\\f"); break;
        case '\n': asl_buf_puts(b, "\\n"); break;
        case '\r': asl_buf_puts(b, "\\r"); break;
        case '\t': asl_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20) {
                char u[8];
                snprintf(u, sizeof u, "\\u%04x", c);
                asl_buf_puts(b, u);
            } else {
                asl_buf_putc(b, (char)c);
            }
        }
    }
    asl_buf_putc(b, '"');
}

static void indent(asl_buf *b, int pretty, int level)
{
    if (!pretty) return;
    asl_buf_putc(b, '\n');
    for (int i = 0; i < level * 2; i++) asl_buf_putc(b, ' ');
}

/* JSON.stringify with $string's replacer: numbers to 15 significant digits,
 * functions as "", undefined members left out. */
static bool stringify(asl_jn_ctx *c, asl_buf *b, const asl_value *v, int pretty, int level)
{
    char num[32];
    if (!v) {
        asl_buf_puts(b, "null");
        return true;
    }
    switch (v->type) {
    case ASL_NULL: asl_buf_puts(b, "null"); break;
    case ASL_TRUE: asl_buf_puts(b, "true"); break;
    case ASL_FALSE: asl_buf_puts(b, "false"); break;
    case ASL_NUMBER: {
        double d = v->u.n.num;
        if (!isfinite(d)) {
            asl_jn_error(c, "D3001", (asl_value *)v);
            return false;
        }
        if (!small_integer(num, d)) {   /* 15 significant digits, as the reference's toPrecision(15) */
            char p[40];
            snprintf(p, sizeof p, "%.14e", d);
            asl_jn_num_js(num, strtod(p, NULL));
        }
        asl_buf_puts(b, num);
        break;
    }
    case ASL_STRING: put_json_string(b, v->u.str, v->len); break;
    case ASL_JN_FUNCTION: asl_buf_puts(b, "\"\""); break;
    case ASL_ARRAY:
        asl_buf_putc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) asl_buf_putc(b, ',');
            indent(b, pretty, level + 1);
            if (!stringify(c, b, v->u.a.items[i], pretty, level + 1)) return false;
        }
        if (v->len) indent(b, pretty, level);
        asl_buf_putc(b, ']');
        break;
    case ASL_OBJECT: {
        asl_buf_putc(b, '{');
        bool any = false;
        for (uint32_t i = 0; i < v->len; i++) {
            const asl_member *m = &v->u.o.members[i];
            if (!m->val) continue;
            if (any) asl_buf_putc(b, ',');
            any = true;
            indent(b, pretty, level + 1);
            put_json_string(b, m->key, m->klen);
            asl_buf_puts(b, pretty ? ": " : ":");
            if (!stringify(c, b, m->val, pretty, level + 1)) return false;
        }
        if (any) indent(b, pretty, level);
        asl_buf_putc(b, '}');
        break;
    }
    }
    return true;
}

asl_value *asl_jn_string(asl_jn_ctx *c, asl_value *v, bool pretty)
{
    if (!v) return NULL;
    if (v->type == ASL_STRING) return v;
    if (v->type == ASL_JN_FUNCTION) return asl_string(c->a, "", 0);
    char num[32];
    if (v->type == ASL_NUMBER && small_integer(num, v->u.n.num)) return asl_string(c->a, num, strlen(num));
    char mem[256];   /* most texts fit: no malloc and free for them */
    asl_buf b;
    asl_buf_init_fixed(&b, mem, sizeof mem);
    bool ok = stringify(c, &b, v, pretty, 0);
    asl_value *r = ok ? asl_string(c->a, b.data ? b.data : "", b.len) : NULL;
    asl_buf_free(&b);
    return r;
}

asl_value *asl_jn_concat(asl_jn_ctx *c, int n, ...)
{
    asl_value *v[ASL_JN_CONCAT_MAX];
    int pos[ASL_JN_CONCAT_MAX];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) v[i] = va_arg(ap, asl_value *);
    for (int i = 0; i + 1 < n; i++) pos[i] = va_arg(ap, int);
    va_end(ap);
    /* each part as `&` converts it, left to right: a string as it is, an
     * integer's digits here, anything else asl_jn_string's text */
    char num[ASL_JN_CONCAT_MAX][32];
    const char *bytes[ASL_JN_CONCAT_MAX];
    size_t len[ASL_JN_CONCAT_MAX], total = 0;
    bool plain = true;
    for (int i = 0; i < n; i++) {
        asl_value *s = v[i];
        len[i] = 0;
        if (!s) continue;   /* undefined: nothing */
        if (s->type == ASL_NUMBER && small_integer(num[i], s->u.n.num)) {
            bytes[i] = num[i];
            total += len[i] = strlen(num[i]);
            continue;
        }
        if (s->type != ASL_STRING && !(s = asl_jn_string(c, s, false))) {
            /* the `&` that converted it: the first takes two operands */
            if (c->pos < 0) c->pos = pos[i ? i - 1 : 0];
            if (!c->token) c->token = "&";
            return NULL;
        }
        bytes[i] = s->u.str;
        len[i] = s->len;
        plain = plain && asl_str_plain(s);
        total += len[i];
    }
    char *out;
    asl_value *r = asl_string_room(c->a, total, plain, &out);
    for (int i = 0; i < n; i++)
        if (len[i]) {
            memcpy(out, bytes[i], len[i]);
            out += len[i];
        }
    return r;
}

const char *asl_jn_type_name(const asl_value *v)
{
    if (!v) return NULL;
    switch (v->type) {
    case ASL_NULL: return "null";
    case ASL_TRUE: case ASL_FALSE: return "boolean";
    case ASL_NUMBER: return "number";
    case ASL_STRING: return "string";
    case ASL_ARRAY: return "array";
    case ASL_OBJECT: return "object";
    default: return "function";
    }
}

/* ---- operators --------------------------------------------------------------- */

static asl_value *arith(asl_jn_ctx *c, asl_jn_op op, asl_value *l, asl_value *r)
{
    if (l && !asl_jn_numeric(c, l)) return asl_jn_failed(c) ? NULL : asl_jn_error(c, "T2001", l);
    if (r && !asl_jn_numeric(c, r)) return asl_jn_failed(c) ? NULL : asl_jn_error(c, "T2002", r);
    if (!l || !r) return NULL;
    double x = l->u.n.num, y = r->u.n.num, z = 0;
    switch (op) {
    case JN_OP_ADD: z = x + y; break;
    case JN_OP_SUB: z = x - y; break;
    case JN_OP_MUL: z = x * y; break;
    case JN_OP_DIV: z = x / y; break;
    default: z = fmod(x, y); break;
    }
    return asl_jn_num(c, z);
}

static int strcmp_js(const asl_value *l, const asl_value *r)
{
    /* UTF-8 byte order is code point order; JavaScript compares UTF-16
     * units, which differs only above the BMP against U+E000..U+FFFF. */
    size_t n = l->len < r->len ? l->len : r->len;
    int k = memcmp(l->u.str, r->u.str, n);
    if (k) return k;
    return l->len < r->len ? -1 : l->len > r->len;
}

static bool comparable(const asl_value *v) { return !v || v->type == ASL_NUMBER || v->type == ASL_STRING; }

static asl_value *compare(asl_jn_ctx *c, asl_jn_op op, asl_value *l, asl_value *r)
{
    if (!comparable(l) || !comparable(r))
        return asl_jn_error(c, "T2010", !comparable(l) ? l : r);
    if (!l || !r) return NULL;
    if (l->type != r->type) {
        asl_jn_error(c, "T2009", l);
        c->value2 = r;
        return NULL;
    }
    int k;
    if (l->type == ASL_NUMBER) {
        double x = l->u.n.num, y = r->u.n.num;
        k = x < y ? -1 : x > y ? 1 : 0;
    } else {
        k = strcmp_js(l, r);
    }
    bool b = op == JN_OP_LT ? k < 0 : op == JN_OP_LE ? k <= 0 : op == JN_OP_GT ? k > 0 : k >= 0;
    return asl_bool(b);
}

static bool strict_eq(const asl_value *x, const asl_value *y)
{
    if (x->type != y->type) return false;
    if (x->type == ASL_NUMBER) return x->u.n.num == y->u.n.num;
    if (x->type == ASL_STRING) return x->len == y->len && !memcmp(x->u.str, y->u.str, x->len);
    if (x->type <= ASL_TRUE) return true;
    return x == y;
}

static asl_value *range(asl_jn_ctx *c, asl_value *l, asl_value *r)
{
    if (l && (!asl_jn_is_num(l) || l->u.n.num != floor(l->u.n.num))) return asl_jn_error(c, "T2003", l);
    if (r && (!asl_jn_is_num(r) || r->u.n.num != floor(r->u.n.num))) return asl_jn_error(c, "T2004", r);
    if (!l || !r) return NULL;
    double lo = l->u.n.num, hi = r->u.n.num;
    if (lo > hi) return NULL;
    double size = hi - lo + 1;
    if (size > c->max_range) return asl_jn_error(c, "D2014", asl_number(c->a, size));
    asl_value *s = asl_jn_seq(c->a, (uint32_t)size);
    for (double x = lo; x <= hi; x++) asl_array_push(c->a, s, asl_number(c->a, x));
    return s;
}

asl_value *asl_jn_binary(asl_jn_ctx *c, asl_jn_op op, asl_value *l, asl_value *r)
{
    switch (op) {
    case JN_OP_ADD: case JN_OP_SUB: case JN_OP_MUL: case JN_OP_DIV: case JN_OP_MOD:
        return arith(c, op, l, r);
    case JN_OP_EQ: case JN_OP_NE:
        if (!l || !r) return asl_bool(false);
        return asl_bool(asl_jn_deep_equal(l, r) == (op == JN_OP_EQ));
    case JN_OP_LT: case JN_OP_LE: case JN_OP_GT: case JN_OP_GE:
        return compare(c, op, l, r);
    case JN_OP_CONCAT: {
        asl_value *ls = l ? asl_jn_string(c, l, false) : NULL;
        if (asl_jn_failed(c)) return NULL;
        asl_value *rs = r ? asl_jn_string(c, r, false) : NULL;
        if (asl_jn_failed(c)) return NULL;
        size_t ln = ls ? ls->len : 0, rn = rs ? rs->len : 0;
        char *bytes;
        asl_value *s = asl_string_room(c->a, ln + rn, false, &bytes);
        if (ln) memcpy(bytes, ls->u.str, ln);
        if (rn) memcpy(bytes + ln, rs->u.str, rn);
        s->flags = asl_json_plain(bytes, ln + rn) ? ASL_F_PLAIN : 0;
        return s;
    }
    case JN_OP_AND:
        return asl_bool(asl_jn_truthy(l) == 1 && asl_jn_truthy(r) == 1);
    case JN_OP_OR:
        return asl_bool(asl_jn_truthy(l) == 1 || asl_jn_truthy(r) == 1);
    case JN_OP_IN:
        if (!l || !r) return asl_bool(false);
        if (r->type != ASL_ARRAY) return asl_bool(strict_eq(l, r));
        for (uint32_t i = 0; i < r->len; i++)
            if (r->u.a.items[i] && strict_eq(l, r->u.a.items[i])) return asl_bool(true);
        return asl_bool(false);
    case JN_OP_RANGE:
        return range(c, l, r);
    default:
        return NULL;
    }
}

asl_value *asl_jn_negate(asl_jn_ctx *c, asl_value *v)
{
    if (!v) return NULL;
    if (!asl_jn_numeric(c, v)) return asl_jn_failed(c) ? NULL : asl_jn_error(c, "D1002", v);
    return asl_jn_num(c, -v->u.n.num);
}

/* ---- path primitives ------------------------------------------------------- */

asl_value *asl_jn_lookup(asl_jn_ctx *c, asl_value *input, const char *key, size_t klen)
{
    if (!input) return NULL;
    if (input->type == ASL_ARRAY) {
        asl_value *r = asl_jn_seq(c->a, input->len);
        for (uint32_t i = 0; i < input->len; i++) {
            asl_value *x = asl_jn_lookup(c, input->u.a.items[i], key, klen);
            if (!x) continue;
            if (x->type == ASL_ARRAY)
                for (uint32_t j = 0; j < x->len; j++) asl_array_push(c->a, r, x->u.a.items[j]);
            else
                asl_array_push(c->a, r, x);
        }
        return r;
    }
    if (input->type == ASL_OBJECT) return asl_object_get(input, key, klen);
    return NULL;
}

asl_value *asl_jn_wildcard(asl_jn_ctx *c, asl_value *input)
{
    asl_value *r = asl_jn_seq(c->a, 4);
    if (input && input->type == ASL_ARRAY && (input->flags & ASL_JN_OUTER) && input->len > 0)
        input = input->u.a.items[0];
    if (!input) return r;
    uint32_t n = input->type == ASL_OBJECT || input->type == ASL_ARRAY ? input->len : 0;
    for (uint32_t i = 0; i < n; i++) {
        asl_value *v = input->type == ASL_OBJECT ? input->u.o.members[i].val : input->u.a.items[i];
        if (v && v->type == ASL_ARRAY)
            flatten_into(c->a, r, v);
        else if (v)   /* an undefined member (a filter's hole) is no match */
            asl_array_push(c->a, r, v);
    }
    return r;
}

static void descend(asl_arena *a, asl_value *out, asl_value *v)
{
    if (!v) return;
    if (v->type != ASL_ARRAY) asl_array_push(a, out, v);
    if (v->type == ASL_ARRAY)
        for (uint32_t i = 0; i < v->len; i++) descend(a, out, v->u.a.items[i]);
    else if (v->type == ASL_OBJECT)
        for (uint32_t i = 0; i < v->len; i++) descend(a, out, v->u.o.members[i].val);
}

asl_value *asl_jn_descendants(asl_jn_ctx *c, asl_value *input)
{
    if (!input) return NULL;
    asl_value *r = asl_jn_seq(c->a, 8);
    descend(c->a, r, input);
    return r->len == 1 ? r->u.a.items[0] : r;
}

asl_value *asl_jn_array_add(asl_jn_ctx *c, asl_value *arr, asl_value *item, bool item_is_cons)
{
    if (!item) return arr;
    if (item_is_cons || item->type != ASL_ARRAY) {
        asl_array_push(c->a, arr, item);
        return arr;
    }
    /* A sequence may hold undefined items (a path's first step over an
     * undefined input: `*[[$[]].$]` on a scalar, found by fuzz_jsonata);
     * they stay out of the array, as no undefined item leaves a path. */
    for (uint32_t i = 0; i < item->len; i++)
        if (item->u.a.items[i]) asl_array_push(c->a, arr, item->u.a.items[i]);
    return arr;
}

asl_value *asl_jn_clone(asl_arena *a, const asl_value *v)
{
    if (!v) return NULL;
    if (v->type == ASL_ARRAY) {
        asl_value *r = asl_array(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) asl_array_push(a, r, asl_jn_clone(a, v->u.a.items[i]));
        return r;
    }
    if (v->type == ASL_OBJECT) {
        asl_value *r = asl_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            asl_object_append(a, r, v->u.o.members[i].key, v->u.o.members[i].klen,
                              asl_jn_clone(a, v->u.o.members[i].val));
        return r;
    }
    return (asl_value *)v;
}
