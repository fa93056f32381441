/*
 * intrinsics.c — the 18 intrinsic functions of ASL (States.Format, ...), as
 * AWS Step Functions evaluates them.
 *
 * The compiler has already parsed the call and checked what it could
 * (names, arities, literal argument types); the generated code evaluates the
 * arguments (paths, literals, nested calls) and calls the function's own
 * entry point (asl_intrinsic_FORMAT, ...) with their values.  Hash and
 * Base64Encode, which need libcrypto, are digest.c's; asl_intrinsic, the
 * dispatch by number, is intrinsic_call.c's.  Everything here works on
 * immutable values: an argument is never modified, results are new values
 * in the exec's arena that may share unchanged children with the arguments.
 * There is no global mutable state, so any number of threads may call in at
 * once.
 *
 * Where AWS's behaviour is not what the documentation suggests, the code
 * follows what AWS was observed to do (the comments say where):
 *   - a bad argument fails the execution with States.Runtime and the cause
 *     "Invalid arguments in States.X" (not States.IntrinsicFailure);
 *   - MathAdd rounds its operands like Java's Math.round (halves up) and
 *     works in 32-bit integers; ArrayRange, ArrayGetItem, ArrayPartition and
 *     MathRandom truncate theirs toward zero;
 *   - States.Format and ArrayContains see values the way Java's toString
 *     prints them: strings bare, objects as {k=v, k2=v2}, arrays as [a, b];
 *   - Base64Decode is lenient (characters outside the alphabet are skipped,
 *     decoding stops at the first '='), as a MIME decoder is;
 *   - Hash of a non-string hashes its printed form; ArrayGetItem of an empty
 *     array is null;
 *   - StringSplit drops empty strings; StringToJson of a blank string is null.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ArrayRange builds at most this many items. */
#define MAX_RANGE 1000

static const char *const fn_names[ASL_FN__COUNT] = {
#define X(id, name, lo, hi) [ASL_FN_##id] = name,
#include "asl_intrinsics.def"
#undef X
};

/* Out of line: a switch over them (intrinsic_call.c's) would otherwise
 * inline every function into one frame (a 256-byte table of StringSplit's,
 * saved registers) that even a MathAdd in a tight loop pays for. */
#define NOINLINE __attribute__((noinline))

/* AWS fails every kind of bad argument the same way: States.Runtime with
 * "Invalid arguments in States.X" after the usual state prefix. */
static NOINLINE asl_value *invalid(asl_exec *x, int fn)
{
    return asl_fail_state(x, "States.Runtime", "Invalid arguments in %s", fn_names[fn]);
}

asl_value *asl_intrinsic_invalid(asl_exec *x, int fn)
{
    return invalid(x, fn);
}

/* ---- numbers ------------------------------------------------------------------ */

/* An integer argument as AWS reads it for ArrayRange/ArrayGetItem/ArrayPartition/
 * MathRandom: truncated toward zero, within 32 bits. */
static bool trunc_int(const asl_value *v, int64_t *out)
{
    if (v->type != ASL_NUMBER || !isfinite(v->u.n.num)) return false;
    double t = trunc(v->u.n.num);
    if (t < -2147483648.0 || t > 2147483647.0) return false;
    *out = (int64_t)t;
    return true;
}

/* Java's Math.round: nearest integer, halves toward +infinity (-1.5 -> -1). */
static double java_round(double d)
{
    double r = floor(d);
    if (d - r >= 0.5) r += 1;
    return r;
}

/* ---- States.Format --------------------------------------------------------------- */

/* A template from a path (a literal one was split by the compiler:
 * asl_format), split on each call. */
static NOINLINE asl_value *fn_format(asl_exec *x, uint32_t argc, asl_value **argv)
{
    asl_arena *a = x->arena;
    const asl_value *t = argv[0];
    if (t->type != ASL_STRING) return invalid(x, ASL_FN_FORMAT);
    asl_fmt f;
    if (!asl_fmt_parse(a, t->u.str, t->len, &f) || f.holes != argc - 1) return invalid(x, ASL_FN_FORMAT);
    return asl_format_render(a, &f, argv + 1);
}

asl_value *asl_format(asl_exec *x, const asl_fmt *f, asl_value **argv)
{
    return asl_format_render(x->arena, f, argv + 1);
}

/* ---- JSON ---------------------------------------------------------------------- */

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

static NOINLINE asl_value *fn_string_to_json(asl_exec *x, asl_value *v)
{
    if (v->type != ASL_STRING) return invalid(x, ASL_FN_STRING_TO_JSON);
    /* AWS's parser reads "" and "  " as null. */
    if (is_blank(v->u.str, v->len)) return asl_null();
    asl_json_error err;
    asl_value *r = asl_json_parse(x->arena, v->u.str, v->len, &err);
    return r ? r : invalid(x, ASL_FN_STRING_TO_JSON);
}

static NOINLINE asl_value *fn_json_to_string(asl_exec *x, asl_value *v)
{
    size_t n = 0;
    char *s = asl_json_string(x->arena, v, &n);
    return asl_string_static(x->arena, s, n);
}

static NOINLINE asl_value *fn_json_merge(asl_exec *x, asl_value **argv)
{
    const asl_value *l = argv[0], *r = argv[1];
    /* Only the shallow merge exists: the flag must be false. */
    if (l->type != ASL_OBJECT || r->type != ASL_OBJECT || argv[2]->type != ASL_FALSE)
        return invalid(x, ASL_FN_JSON_MERGE);
    if (r->len == 0) return (asl_value *)l;
    if (l->len == 0) return (asl_value *)r;
    asl_value *out = asl_value_shallow_copy(x->arena, l);
    for (uint32_t i = 0; i < r->len; i++) {
        const asl_member *m = &r->u.o.members[i];
        asl_object_set(x->arena, out, m->key, m->klen, m->val);
    }
    return out;
}

/* ---- arrays ---------------------------------------------------------------------- */

static NOINLINE asl_value *fn_array(asl_exec *x, uint32_t argc, asl_value **argv)
{
    asl_value *arr = asl_array(x->arena, argc);
    for (uint32_t i = 0; i < argc; i++) asl_array_push(x->arena, arr, argv[i]);
    return arr;
}

static NOINLINE asl_value *fn_array_partition(asl_exec *x, asl_value **argv)
{
    const asl_value *arr = argv[0];
    int64_t size;
    if (arr->type != ASL_ARRAY || !trunc_int(argv[1], &size) || size < 1)
        return invalid(x, ASL_FN_ARRAY_PARTITION);
    uint32_t n = arr->len, chunk = (uint32_t)size;
    asl_value *out = asl_array(x->arena, (uint32_t)((n + (uint64_t)chunk - 1) / chunk));
    for (uint32_t i = 0; i < n; i += chunk) {
        uint32_t m = n - i < chunk ? n - i : chunk;
        asl_value *c = asl_array(x->arena, m);
        for (uint32_t j = 0; j < m; j++) asl_array_push(x->arena, c, arr->u.a.items[i + j]);
        asl_array_push(x->arena, out, c);
    }
    return out;
}

static bool repr_equals(const asl_value *v, const char *s, size_t n)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_repr_write(&b, v);
    bool eq = b.len == n && (n == 0 || memcmp(b.data, s, n) == 0);
    asl_buf_free(&b);
    return eq;
}

/* Equality as States.ArrayContains sees it.  AWS compares the printed forms
 * of the values: "true" matches true, "9007199254740991" matches the number,
 * and objects match only with their keys in the same order. */
static bool aws_equal(const asl_value *p, const asl_value *q)
{
    if (p->type == q->type) {
        switch (p->type) {
        case ASL_STRING:
            return p->len == q->len && memcmp(p->u.str, q->u.str, p->len) == 0;
        case ASL_NUMBER:
            return asl_value_equal(p, q);
        case ASL_ARRAY:
            if (p->len != q->len) return false;
            for (uint32_t i = 0; i < p->len; i++)
                if (!aws_equal(p->u.a.items[i], q->u.a.items[i])) return false;
            return true;
        case ASL_OBJECT:
            if (p->len != q->len) return false;
            for (uint32_t i = 0; i < p->len; i++) {
                const asl_member *a = &p->u.o.members[i], *b = &q->u.o.members[i];
                if (a->klen != b->klen || memcmp(a->key, b->key, a->klen) != 0 ||
                    !aws_equal(a->val, b->val))
                    return false;
            }
            return true;
        default:
            return true;   /* null, true, false */
        }
    }
    if (p->type == ASL_STRING) return repr_equals(q, p->u.str, p->len);
    if (q->type == ASL_STRING) return repr_equals(p, q->u.str, q->len);
    return false;
}

static NOINLINE asl_value *fn_array_contains(asl_exec *x, asl_value **argv)
{
    const asl_value *arr = argv[0], *want = argv[1];
    if (arr->type != ASL_ARRAY) return invalid(x, ASL_FN_ARRAY_CONTAINS);
    asl_value *const *it = arr->u.a.items;
    uint32_t n = arr->len;
    /* The common case, a scalar looked up among scalars, without recursion. */
    if (want->type == ASL_STRING) {
        for (uint32_t i = 0; i < n; i++) {
            const asl_value *v = it[i];
            if (v->type == ASL_STRING ? (v->len == want->len &&
                                         memcmp(v->u.str, want->u.str, v->len) == 0)
                                      : aws_equal(v, want))
                return asl_bool(true);
        }
        return asl_bool(false);
    }
    for (uint32_t i = 0; i < n; i++)
        if (aws_equal(it[i], want)) return asl_bool(true);
    return asl_bool(false);
}

static NOINLINE asl_value *fn_array_range(asl_exec *x, asl_value **argv)
{
    int64_t start, end, step;
    if (!trunc_int(argv[0], &start) || !trunc_int(argv[1], &end) || !trunc_int(argv[2], &step) ||
        step == 0)
        return invalid(x, ASL_FN_ARRAY_RANGE);
    int64_t count = 0;
    if ((step > 0 && start <= end) || (step < 0 && start >= end)) count = (end - start) / step + 1;
    if (count > MAX_RANGE) return invalid(x, ASL_FN_ARRAY_RANGE);
    asl_value *out = asl_array(x->arena, (uint32_t)count);
    for (int64_t i = 0; i < count; i++)
        asl_array_push(x->arena, out, asl_number(x->arena, (double)(start + i * step)));
    return out;
}

static asl_value *fn_array_get_item(asl_exec *x, asl_value **argv)
{
    const asl_value *arr = argv[0];
    int64_t i;
    if (arr->type != ASL_ARRAY || !trunc_int(argv[1], &i) || i < 0)
        return invalid(x, ASL_FN_ARRAY_GET_ITEM);
    /* AWS answers null, not an error, for any index into an empty array. */
    if (arr->len == 0) return asl_null();
    if (i >= arr->len) return invalid(x, ASL_FN_ARRAY_GET_ITEM);
    return arr->u.a.items[i];
}

static asl_value *fn_array_length(asl_exec *x, asl_value *arr)
{
    if (arr->type != ASL_ARRAY) return invalid(x, ASL_FN_ARRAY_LENGTH);
    return asl_number_int(x->arena, (double)arr->len);
}

/* A hash consistent with asl_value_equal: numbers by value, objects
 * regardless of member order. */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t bytes_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t value_hash(const asl_value *v)
{
    switch (v->type) {
    case ASL_NUMBER: {
        double d = v->u.n.num;
        if (d == 0) d = 0;   /* -0 equals 0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(bits ^ 0x9e3779b97f4a7c15ULL);
    }
    case ASL_STRING:
        return bytes_hash(v->u.str, v->len);
    case ASL_ARRAY: {
        uint64_t h = 0x51ed27ULL + v->len;
        for (uint32_t i = 0; i < v->len; i++) h = mix(h * 31 + value_hash(v->u.a.items[i]));
        return h;
    }
    case ASL_OBJECT: {
        uint64_t h = 0x0b1ecULL + v->len;
        for (uint32_t i = 0; i < v->len; i++) {
            const asl_member *m = &v->u.o.members[i];
            h += mix(bytes_hash(m->key, m->klen) ^ (value_hash(m->val) * 0x9e3779b97f4a7c15ULL));
        }
        return h;
    }
    default:
        return v->type;
    }
}

static NOINLINE asl_value *fn_array_unique(asl_exec *x, asl_value *arr)
{
    if (arr->type != ASL_ARRAY) return invalid(x, ASL_FN_ARRAY_UNIQUE);
    uint32_t n = arr->len;
    asl_value *const *it = arr->u.a.items;
    asl_value *out = asl_array(x->arena, n);
    if (n <= 16) {
        for (uint32_t i = 0; i < n; i++) {
            bool dup = false;
            for (uint32_t j = 0; j < out->len && !dup; j++)
                dup = asl_value_equal(out->u.a.items[j], it[i]);
            if (!dup) asl_array_push(x->arena, out, it[i]);
        }
        return out;
    }
    /* Open addressing over indexes into out; first occurrences are kept. */
    size_t cap = 32;
    while (cap < (size_t)n * 2) cap *= 2;
    uint32_t *slot = asl_xmalloc(cap * sizeof *slot);
    uint64_t *hs = asl_xmalloc((size_t)n * sizeof *hs);
    memset(slot, 0xff, cap * sizeof *slot);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = value_hash(it[i]);
        size_t k = (size_t)h & (cap - 1);
        bool dup = false;
        while (slot[k] != UINT32_MAX) {
            uint32_t j = slot[k];
            if (hs[j] == h && asl_value_equal(out->u.a.items[j], it[i])) {
                dup = true;
                break;
            }
            k = (k + 1) & (cap - 1);
        }
        if (dup) continue;
        slot[k] = out->len;
        hs[out->len] = h;
        asl_array_push(x->arena, out, it[i]);
    }
    free(slot);
    free(hs);
    return out;
}

/* ---- Base64Decode (Base64Encode and Hash: digest.c) ---------------------------------- */

static signed char b64_digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return (signed char)(c - 'A');
    if (c >= 'a' && c <= 'z') return (signed char)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (signed char)(c - '0' + 52);
    if (c == '+' || c == '-') return 62;   /* the URL-safe digits decode too */
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Length of the valid UTF-8 sequence at s[i..n), or 0 when it is malformed;
 * *bad then says how many bytes one U+FFFD replaces (the maximal subpart). */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t n, size_t *bad)
{
    unsigned char c = s[i];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t k = 1; k <= need; k++) {
        unsigned char b = i + k < n ? s[i + k] : 0;
        unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (i + k >= n || b < l || b > h) {
            *bad = k;
            return 0;
        }
    }
    return need + 1;
}

static NOINLINE asl_value *fn_base64_decode(asl_exec *x, asl_value *v)
{
    if (v->type != ASL_STRING || asl_utf16_length(v->u.str, v->len) > ASL_INTRINSIC_MAX_CHARS)
        return invalid(x, ASL_FN_BASE64_DECODE);
    const unsigned char *s = (const unsigned char *)v->u.str;
    unsigned char *bytes = asl_alloc(x->arena, (size_t)v->len / 4 * 3 + 4);
    size_t nb = 0;
    uint32_t acc = 0;
    int have = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        if (s[i] == '=') break;   /* padding ends the data */
        signed char d = b64_digit(s[i]);
        if (d < 0) continue;      /* line breaks and other characters are skipped */
        acc = acc << 6 | (uint32_t)d;
        if (++have == 4) {
            bytes[nb++] = (unsigned char)(acc >> 16);
            bytes[nb++] = (unsigned char)(acc >> 8);
            bytes[nb++] = (unsigned char)acc;
            acc = 0;
            have = 0;
        }
    }
    /* A last group of 2 or 3 digits still yields its whole bytes; 1 digit is dropped. */
    if (have == 2) {
        bytes[nb++] = (unsigned char)(acc >> 4);
    } else if (have == 3) {
        bytes[nb++] = (unsigned char)(acc >> 10);
        bytes[nb++] = (unsigned char)(acc >> 2);
    }

    /* The bytes become a string as UTF-8; malformed sequences become U+FFFD. */
    size_t i = 0, bad = 0;
    while (i < nb) {
        size_t k = utf8_seq(bytes, i, nb, &bad);
        if (!k) break;
        i += k;
    }
    bytes[nb] = 0;
    if (i == nb) return asl_string_static(x->arena, (const char *)bytes, nb);
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_put(&b, (const char *)bytes, i);
    while (i < nb) {
        size_t k = utf8_seq(bytes, i, nb, &bad);
        if (k) {
            asl_buf_put(&b, (const char *)bytes + i, k);
            i += k;
        } else {
            asl_buf_put(&b, "\xEF\xBF\xBD", 3);
            i += bad;
        }
    }
    asl_value *r = asl_string(x->arena, b.data, b.len);
    asl_buf_free(&b);
    return r;
}

/* ---- math ---------------------------------------------------------------------- */

/* java.util.Random, which AWS uses for seeded draws: the same seed gives the
 * same number on every run. */
typedef struct {
    uint64_t seed;
} jrandom;

static void jrandom_init(jrandom *r, int64_t seed)
{
    r->seed = ((uint64_t)seed ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
}

static int32_t jrandom_next(jrandom *r, int bits)
{
    r->seed = (r->seed * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    return (int32_t)(r->seed >> (48 - bits));
}

static int64_t jrandom_below(jrandom *r, int64_t bound)
{
    if (bound <= 0x7fffffff) {
        int32_t b = (int32_t)bound, m = b - 1, v;
        if ((b & m) == 0) return (int32_t)(((int64_t)b * jrandom_next(r, 31)) >> 31);
        for (int32_t u = jrandom_next(r, 31);; u = jrandom_next(r, 31)) {
            v = u % b;
            if ((int64_t)u - v + m <= 0x7fffffff) return v;
        }
    }
    /* Wider than an int (start and end far apart): 62 random bits, modulo. */
    uint64_t hi = (uint32_t)jrandom_next(r, 31), lo = (uint32_t)jrandom_next(r, 31);
    return (int64_t)(((hi << 31) | lo) % (uint64_t)bound);
}

/* A uniform draw in [0, bound) from the kernel's generator. */
static bool os_below(uint64_t bound, uint64_t *out)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound, v;
    do {
        ssize_t got;
        do got = getrandom(&v, sizeof v, 0);
        while (got < 0 && errno == EINTR);
        if (got != (ssize_t)sizeof v) return false;
    } while (v >= limit);
    *out = v % bound;
    return true;
}

/* The same from an aslc serve execution's draws (asl_served_draw), which
 * a restart draws again; false when it has none. */
static bool served_below(asl_exec *x, uint64_t bound, uint64_t *out)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound, v;
    do
        if (!asl_served_draw(x, &v, sizeof v)) return false;
    while (v >= limit);
    *out = v % bound;
    return true;
}

static NOINLINE asl_value *fn_math_random(asl_exec *x, uint32_t argc, asl_value **argv)
{
    int64_t start, end;
    if (!trunc_int(argv[0], &start) || !trunc_int(argv[1], &end) || start >= end)
        return invalid(x, ASL_FN_MATH_RANDOM);
    int64_t range = end - start, r;
    if (argc == 3) {
        const asl_value *sv = argv[2];
        if (sv->type != ASL_NUMBER || !isfinite(sv->u.n.num) || fabs(sv->u.n.num) >= 9.2e18)
            return invalid(x, ASL_FN_MATH_RANDOM);
        jrandom jr;
        jrandom_init(&jr, (int64_t)trunc(sv->u.n.num));
        r = jrandom_below(&jr, range);
    } else {
        uint64_t u;
        if (!served_below(x, (uint64_t)range, &u) && !os_below((uint64_t)range, &u))
            return asl_fail_state(x, "States.Runtime", "getrandom failed: %s", strerror(errno));
        r = (int64_t)u;
    }
    return asl_number(x->arena, (double)(start + r));
}

static asl_value *fn_math_add(asl_exec *x, asl_value **argv)
{
    const asl_value *p = argv[0], *q = argv[1];
    if (p->type != ASL_NUMBER || q->type != ASL_NUMBER || !isfinite(p->u.n.num) ||
        !isfinite(q->u.n.num))
        return invalid(x, ASL_FN_MATH_ADD);
    /* Integral operands (the usual case) need no rounding. */
    double a = asl_num_int(p) ? p->u.n.num : java_round(p->u.n.num);
    double b = asl_num_int(q) ? q->u.n.num : java_round(q->u.n.num);
    double sum = a + b;
    if (a < -2147483648.0 || a > 2147483647.0 || b < -2147483648.0 || b > 2147483647.0 ||
        sum < -2147483648.0 || sum > 2147483647.0)
        return invalid(x, ASL_FN_MATH_ADD);
    return asl_number_int(x->arena, sum);
}

/* ---- strings ---------------------------------------------------------------------- */

static NOINLINE asl_value *fn_string_split(asl_exec *x, asl_value **argv)
{
    const asl_value *sv = argv[0], *dv = argv[1];
    if (sv->type != ASL_STRING || dv->type != ASL_STRING) return invalid(x, ASL_FN_STRING_SPLIT);
    asl_arena *a = x->arena;
    const char *s = sv->u.str, *d = dv->u.str;
    uint32_t n = sv->len, dn = dv->len;
    asl_value *out = asl_array(a, 4);

    /* Every character of the second argument is a delimiter.  ASCII ones are
     * a table lookup; others are matched as whole UTF-8 sequences, which can
     * only match at a character boundary of valid UTF-8. */
    bool table[256] = {false};
    bool wide = false;
    for (uint32_t i = 0; i < dn; i++) {
        if ((unsigned char)d[i] < 0x80) table[(unsigned char)d[i]] = true;
        else wide = true;
    }
    uint32_t run = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t mlen = 0;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (table[c]) mlen = 1;
        } else if (wide) {
            for (uint32_t j = 0; j < dn && !mlen;) {
                size_t bad = 1, k = utf8_seq((const unsigned char *)d, j, dn, &bad);
                if (!k) k = bad;
                if ((unsigned char)d[j] >= 0x80 && i + k <= n && memcmp(s + i, d + j, k) == 0)
                    mlen = (uint32_t)k;
                j += (uint32_t)k;
            }
        }
        if (!mlen) {
            i++;
            continue;
        }
        /* Empty strings between adjacent delimiters are dropped, as on AWS. */
        if (i > run) asl_array_push(a, out, asl_string(a, s + run, i - run));
        i += mlen;
        run = i;
    }
    if (n > run) asl_array_push(a, out, asl_string(a, s + run, n - run));
    return out;
}

/* ---- UUID (asl_uuid4: uuid.c) ------------------------------------------------------ */

static NOINLINE asl_value *fn_uuid(asl_exec *x)
{
    char u[37];
    unsigned char b[16];
    if (asl_served_draw(x, b, sizeof b)) asl_uuid4_of(b, u);
    else if (!asl_uuid4(u))
        return asl_fail_state(x, "States.Runtime", "getrandom failed: %s", strerror(errno));
    return asl_string(x->arena, u, 36);
}

/* ---- dispatch -------------------------------------------------------------------- */

/* The direct entry points (asl.h): one per function, in the table's order;
 * Base64Encode's and Hash's are digest.c's. */
#define DIRECT(id, call)                                                           \
    asl_value *asl_intrinsic_##id(asl_exec *x, uint32_t argc, asl_value **argv) \
    {                                                                              \
        (void)argc, (void)argv;                                                    \
        return call;                                                               \
    }
DIRECT(FORMAT, fn_format(x, argc, argv))
DIRECT(STRING_TO_JSON, fn_string_to_json(x, argv[0]))
DIRECT(JSON_TO_STRING, fn_json_to_string(x, argv[0]))
DIRECT(ARRAY, fn_array(x, argc, argv))
DIRECT(ARRAY_PARTITION, fn_array_partition(x, argv))
DIRECT(ARRAY_CONTAINS, fn_array_contains(x, argv))
DIRECT(ARRAY_RANGE, fn_array_range(x, argv))
DIRECT(ARRAY_GET_ITEM, fn_array_get_item(x, argv))
DIRECT(ARRAY_LENGTH, fn_array_length(x, argv[0]))
DIRECT(ARRAY_UNIQUE, fn_array_unique(x, argv[0]))
DIRECT(BASE64_DECODE, fn_base64_decode(x, argv[0]))
DIRECT(JSON_MERGE, fn_json_merge(x, argv))
DIRECT(MATH_RANDOM, fn_math_random(x, argc, argv))
DIRECT(MATH_ADD, fn_math_add(x, argv))
DIRECT(STRING_SPLIT, fn_string_split(x, argv))
DIRECT(UUID, fn_uuid(x))
#undef DIRECT

asl_value *asl_math_add2(asl_exec *x, asl_value *p, asl_value *q)
{
    asl_value *argv[2] = {p, q};
    return fn_math_add(x, argv);
}
