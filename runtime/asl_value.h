/*
 * asl_value.h — the runtime's JSON values and the arena they live in.
 *
 * Every generated workflow binary links this.  Values are compact, immutable
 * once built, and allocated from an arena that belongs to one execution (or one
 * Map iteration / Parallel branch).  There is no reference counting and no
 * free of a single value: an arena is released as a whole.
 *
 * Ownership rule (stated once, here):
 *   - A value is owned by the arena it was allocated in and lives until that
 *     arena is destroyed.  Any function taking an `asl_arena *` allocates its
 *     result there.
 *   - Values are never mutated after they have been handed to anyone else.
 *     The only mutating calls (asl_array_push, asl_object_set) are for the
 *     code that is still building a fresh value.  Because of this, values may
 *     be shared freely between threads and between arenas whose lifetimes
 *     nest (a child arena may point into its parent's values, never the
 *     reverse: copy results up with asl_value_copy_up).
 *   - null, true and false are static singletons (asl_null(), ...).
 *
 * Numbers keep the double value and, when they came from JSON text, the text
 * itself, so that 12345678901234567890123 or 1.10 print back exactly as given.
 */
#ifndef ASL_VALUE_H
#define ASL_VALUE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>

/* ---- arena -------------------------------------------------------------- */

typedef struct asl_arena asl_arena;

asl_arena *asl_arena_new(void);
void asl_arena_free(asl_arena *a);
/* Empties a for reuse: every value built in it goes; its first chunk stays. */
void asl_arena_reset(asl_arena *a);
void *asl_alloc(asl_arena *a, size_t n);               /* 16-byte aligned, never NULL */
char *asl_strndup(asl_arena *a, const char *s, size_t n); /* NUL-terminated copy */
char *asl_sprintf(asl_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t asl_arena_bytes(const asl_arena *a);            /* bytes reserved so far */

/* The one allocation hook: malloc/realloc that abort with a clear message on OOM. */
void *asl_xmalloc(size_t n);
void *asl_xrealloc(void *p, size_t n);
/* Maps in now the pages of fresh memory that is about to be written, in one
 * system call rather than a page fault per 4 KiB: a cold start's faults
 * cost more than its work on virtual machines.  Only a hint: never fails. */
void asl_prefault(void *p, size_t n);
/* Grows an explicit work stack that starts in a local array (local) and moves
 * to the heap when it outgrows it: returns the new stack, at least need
 * elements, *cap updated.  The iterative walks use it instead of recursion. */
void *asl_grow_stack(void *stk, void *local, size_t *cap, size_t need, size_t elem);
/* Writes code point cp as UTF-8 into u; returns its length (1 to 4). */
size_t asl_utf8_encode(uint32_t cp, unsigned char u[4]);
/* Length of UTF-8 text in UTF-16 code units: how AWS (Java) counts characters
 * for its limits. */
size_t asl_utf16_length(const char *s, size_t n);

/* ---- values ------------------------------------------------------------- */

typedef enum {
    ASL_NULL,
    ASL_FALSE,
    ASL_TRUE,
    ASL_NUMBER,
    ASL_STRING,
    ASL_ARRAY,
    ASL_OBJECT
} asl_type;

typedef struct asl_value asl_value;

typedef struct {
    const char *key;   /* NUL-terminated, may contain NUL (use klen) */
    uint32_t klen;
    asl_value *val;
} asl_member;

struct asl_value {
    uint8_t type;        /* asl_type */
    uint8_t flags;       /* ASL_F_* (below): what each type knows of itself */
    /* An array or object that JSONata's plain-JSON check (jsonata_value.c)
     * walked and found plain sets this, so that it is not walked again:
     * a Map's items are checked by Items, again by each ItemSelector and by
     * the Map's Output.  Set after the value is shared (values are
     * immutable, so it stays true), hence read and written atomically; the
     * builders below clear it.  In what was padding: the layout is as before. */
    uint8_t jn_plain;
    uint32_t len;        /* string bytes, array items, object members; a number's text */
    union {
        struct { double num; const char *text; } n;  /* text: source lexeme or NULL */
        const char *str;                             /* NUL-terminated, len bytes */
        /* jlen: a bound of the length of the container's JSON text, kept
         * by the builders below as members and items go in (see
         * asl_json_bound), so that checking a state's output against the
         * 256 KiB payload limit costs nothing until it comes near. */
        struct { asl_value **items; uint32_t cap; uint32_t jlen; } a;
        struct { asl_member *members; uint32_t cap; uint32_t jlen; } o;
    } u;
};

static inline asl_type asl_typeof(const asl_value *v) { return (asl_type)v->type; }
static inline bool asl_is_bool(const asl_value *v) { return v->type == ASL_TRUE || v->type == ASL_FALSE; }

/* The flags byte: facts a value's builder knew, kept so that nobody has to
 * find them out again.  Each type has its own (a bit means nothing on a
 * value of another type, and null and booleans have none); each type's
 * main fact is bit 0, so that a builder stores its bool as it is.
 *   ASL_NUMBER  ASL_F_INT      num is integral and |num| <= 2^53 (prints
 *                              without fraction; safe to convert to int64)
 *   ASL_STRING  ASL_F_PLAIN    the bytes need no JSON escape (no quote,
 *                              backslash or control byte: asl_json_plain),
 *                              so the JSON text is len + 2 bytes
 *   ASL_OBJECT  ASL_F_INDEXED  a hash index follows the member vector
 *                              (value.c): lookups take asl_object_get, and
 *                              whoever edits the members by hand must clear it
 *   ASL_ARRAY   ASL_JN_*       a JSONata sequence's flags (jsonata.h), 0 for
 *                              every JSON array */
enum {
    ASL_F_INT = 0x01,
    ASL_F_PLAIN = 0x01,
    ASL_F_INDEXED = 0x01
};
/* Each for a value known to be of its type.  A number, a string and an
 * object have that one flag and no other bit, which their builders keep
 * so: the byte is the flag, and the accessors test it whole, as the LLVM
 * back end does (testing the bit instead cost choice_loop 2.5% more
 * instructions: docs/benchmarks.md). */
static inline bool asl_num_int(const asl_value *v) { return v->flags != 0; }
static inline bool asl_str_plain(const asl_value *v) { return v->flags != 0; }
static inline bool asl_obj_indexed(const asl_value *v) { return v->flags != 0; }
/* v is an object without an index (its members are scanned): type and
 * flags compared in one expression, which GCC folds into one 16-bit
 * compare (a test of each, apart, cost a generated state an instruction). */
static inline bool asl_obj_small(const asl_value *v) { return v->type == ASL_OBJECT && v->flags == 0; }

asl_value *asl_null(void);
asl_value *asl_bool(bool b);
asl_value *asl_number(asl_arena *a, double d);
/* asl_number of a d the caller knows to be an integer of at most 53 bits
 * (a count, a 32-bit sum): no test of it, whose conversions to an integer
 * and back were a tenth of parallel_4's time. */
asl_value *asl_number_int(asl_arena *a, double d);
asl_value *asl_number_text(asl_arena *a, double d, const char *text, size_t n);
asl_value *asl_string(asl_arena *a, const char *s, size_t n);  /* copies s */
/* The same when the caller knows whether s needs JSON escapes (the parser). */
asl_value *asl_string_known(asl_arena *a, const char *s, size_t n, bool plain);
asl_value *asl_cstring(asl_arena *a, const char *s);           /* copies s */
asl_value *asl_string_static(asl_arena *a, const char *s, size_t n); /* s must outlive the arena */
/* A string of n bytes, which the caller writes at *bytes (NUL added), and
 * whether they need no JSON escape: value and bytes in one allocation. */
asl_value *asl_string_room(asl_arena *a, size_t n, bool plain, char **bytes);
asl_value *asl_array(asl_arena *a, uint32_t cap_hint);
asl_value *asl_object(asl_arena *a, uint32_t cap_hint);

/* Builders: only on a value you just created and nobody else has seen.
 * They keep jlen; code that writes items or members directly must too. */
void asl_array_push(asl_arena *a, asl_value *arr, asl_value *item);
/* Replaces item i (< len). */
void asl_array_replace(asl_value *arr, uint32_t i, asl_value *item);
/* Sets key (replacing an existing member with that key, keeping its position). key is copied. */
void asl_object_set(asl_arena *a, asl_value *obj, const char *key, size_t klen, asl_value *val);
/* The same with key not copied: it must live as long as obj (a literal, or
 * the key of another object whose value obj takes with it). */
void asl_object_set_lit(asl_arena *a, asl_value *obj, const char *key, size_t klen, asl_value *val);
/* Appends without checking for a duplicate key: for builders that know keys are distinct. */
void asl_object_append(asl_arena *a, asl_value *obj, const char *key, size_t klen, asl_value *val);
/* The same with a key that is not copied: it must outlive every value
 * built from obj (a string literal of generated code), and need no JSON
 * escape (no quote, backslash or control character: asl_json_plain), as
 * it counts as its length + 2 in the output's bound (asl_json_bound). */
void asl_object_append_lit(asl_arena *a, asl_value *obj, const char *key, size_t klen,
                           asl_value *val);

/* An object whose keys are known when the program is compiled: generated
 * code makes one with all its keys in place (asl_object_shaped), then sets
 * each member's value once (asl_member_set, below), adding up the values'
 * bounds while they are at hand, and adds the sum to the object's bound at
 * the end (asl_object_bound).
 * The keys follow asl_object_append_lit's rules; n <= ASL_SHAPE_MAX, so
 * that the members live inside the value's own allocation. */
#define ASL_SHAPE_MAX 16
typedef struct {
    const char *key;
    uint32_t klen;
} asl_lit_key;
typedef struct {
    uint32_t n;
    uint32_t jlen;             /* braces, keys, colons, quotes and commas: 1 + sum(klen + 4) */
    const asl_lit_key *keys;
} asl_shape;
asl_value *asl_object_shaped(asl_arena *a, const asl_shape *s);  /* values NULL until set */
/* The object of asl_object_shaped with no key set yet (and no bound). */
asl_value *asl_object_sized(asl_arena *a, uint32_t n);
/* asl_object_shaped for generated C: the keys are stored here, so that a
 * shape the compiler can see (a static const KS_n) becomes a few stores of
 * constants, with no loop. */
static inline __attribute__((always_inline)) asl_value *asl_object_shaped_c(asl_arena *a, const asl_shape *s)
{
    asl_value *v = asl_object_sized(a, s->n);
    asl_member *m = v->u.o.members;
    v->u.o.jlen = s->jlen;
    for (uint32_t i = 0; i < s->n; i++) {
        m[i].key = s->keys[i].key;
        m[i].klen = s->keys[i].klen;
    }
    return v;
}

/* Whether member m has this key.  Keys written by generated code and the
 * names its paths look up are often the very same literal; other keys are
 * short, and a byte loop beats a call to memcmp for them. */
static inline bool asl_key_eq(const asl_member *m, const char *key, size_t klen)
{
    if (m->klen != klen) return false;
    if (m->key == key) return true;
    if (klen > 16) return memcmp(m->key, key, klen) == 0;
    for (size_t i = 0; i < klen; i++)
        if (m->key[i] != key[i]) return false;
    return true;
}

/* Lookups (case-sensitive, exact bytes). NULL when absent. */
asl_value *asl_object_get(const asl_value *obj, const char *key, size_t klen);
/* The member vector of a small object (one without a hash index:
 * ASL_F_INDEXED clear) scanned for key: every lookup's common case.
 * Always inlined, as generated code relies on its key folding in. */
static inline __attribute__((always_inline)) asl_value *asl_object_scan(const asl_value *obj,
                                                                         const char *key, size_t klen)
{
    const asl_member *m = obj->u.o.members;
    for (uint32_t i = 0; i < obj->len; i++)
        if (asl_key_eq(&m[i], key, klen)) return m[i].val;
    return NULL;
}
/* asl_object_get, inline for the common case: a small object is scanned
 * here, without a call. */
static inline asl_value *asl_object_get_inline(const asl_value *obj, const char *key, size_t klen)
{
    if (obj->type != ASL_OBJECT) return NULL;
    return asl_obj_indexed(obj) ? asl_object_get(obj, key, klen) : asl_object_scan(obj, key, klen);
}
static inline asl_value *asl_array_get(const asl_value *arr, uint32_t i) {
    return i < arr->len ? arr->u.a.items[i] : NULL;
}

/* Eight bytes from p, in any alignment. */
static inline uint64_t asl_load8(const void *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Non-zero when one of the 8 bytes is '"', '\\' or below 0x20: the bytes a
 * JSON string cannot carry as they are.  (Exact as a yes/no answer.) */
static inline uint64_t asl_escape8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    uint64_t t = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs);
    return t & highs;
}

/* Whether s needs no escape in JSON (no quote, backslash or control byte):
 * eight bytes at a time, short strings (the most common) byte by byte. */
static inline bool asl_json_plain(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 16)
        for (; i + 8 <= n; i += 8)
            if (asl_escape8(asl_load8(s + i))) return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') return false;
    }
    return true;
}

/* The exact length of s as a JSON string, quotes and escapes included. */
static inline uint64_t asl_json_strlen(const char *s, size_t n)
{
    uint64_t len = n + 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        len += (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
                c == '\t') ? 1 : 5;
    }
    return len;
}

/* A bound of the length of v's JSON text (saturated at UINT32_MAX): exact
 * for null, booleans, containers of those and strings that need no escape
 * (a string's ASL_F_PLAIN marks that); the longest %.17g for numbers without
 * source text, six bytes a byte for strings with escapes.  Containers keep
 * theirs up to date as they are built. */
static inline uint32_t asl_json_bound(const asl_value *v)
{
    if (v->type >= ASL_ARRAY) return v->u.a.jlen;   /* u.o.jlen: the same place */
    if (v->type == ASL_STRING) {
        uint64_t b = (uint64_t)v->len * (asl_str_plain(v) ? 1 : 6) + 2;
        return b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
    }
    if (v->type == ASL_NUMBER) return v->u.n.text ? v->len : asl_num_int(v) ? 17 : 25;
    return v->type == ASL_FALSE ? 5 : 4;
}
_Static_assert(offsetof(asl_value, u.a.jlen) == offsetof(asl_value, u.o.jlen),
               "asl_json_bound reads both through u.a");

/* Member i of an object made by asl_object_shaped, set once; returns the
 * value's bound, for asl_object_bound. */
static inline uint32_t asl_member_set(asl_value *obj, uint32_t i, asl_value *val)
{
    obj->u.o.members[i].val = val;
    return asl_json_bound(val);
}

/* asl_member_set of a value whose bound the compiler knew (a constant of
 * the program, a MathAdd's integer): no look at the value, less code in
 * the state, and no reading back of a value just made (a load that the
 * stores making it may not forward to, on AMD's cores). */
static inline uint32_t asl_member_set_k(asl_value *obj, uint32_t i, asl_value *val, uint32_t bound)
{
    obj->u.o.members[i].val = val;
    return bound;
}

/* Adds to obj's bound the sum of its members' (asl_member_set's returns). */
static inline void asl_object_bound(asl_value *obj, uint64_t members)
{
    uint64_t j = (uint64_t)obj->u.o.jlen + members;
    obj->u.o.jlen = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
}

/* asl_object_append_lit's common case, inline: the member fits an object
 * built with room for it (generated code sizes its objects) and small
 * enough to have no index; bound, val's payload bound (asl_json_bound), is
 * added to the object's.  false, with nothing done, otherwise. */
static inline __attribute__((always_inline)) bool asl_object_put_lit_b(asl_value *obj, const char *key,
                                                                        uint32_t klen, asl_value *val,
                                                                        uint32_t bound)
{
    if (obj->len >= obj->u.o.cap || asl_obj_indexed(obj)) return false;
    uint64_t j = (uint64_t)obj->u.o.jlen + klen + 3 + bound + (obj->len ? 1 : 0);
    obj->u.o.jlen = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
    asl_member *m = &obj->u.o.members[obj->len++];
    m->key = key;
    m->klen = klen;
    m->val = val;
    return true;
}

/* The same, the bound taken from val. */
static inline __attribute__((always_inline)) bool asl_object_put_lit(asl_value *obj, const char *key,
                                                                      uint32_t klen, asl_value *val)
{
    return asl_object_put_lit_b(obj, key, klen, val, asl_json_bound(val));
}

/* Shallow copy of an array/object (new member/item vector, same children). */
asl_value *asl_value_shallow_copy(asl_arena *a, const asl_value *v);
/* Deep copy into another arena (strings and numbers copied too). */
asl_value *asl_value_copy(asl_arena *a, const asl_value *v);
/* The same for a result going up from a child arena into a (an arena that
 * outlives it): only what `from` holds is copied, values and bytes outside
 * it (the parent's, static ones) are shared.  Everything v reaches must
 * live as long as a, apart from what `from` holds. */
asl_value *asl_value_copy_up(asl_arena *a, const asl_arena *from, const asl_value *v);
/* Where an arena stood: what it allocates afterwards is "since" the mark. */
typedef struct {
    const void *head;
    const char *ptr, *end;
} asl_arena_mark;
void asl_arena_mark_get(const asl_arena *a, asl_arena_mark *m);
/* asl_value_copy_up of a v that a itself may hold in part: the containers
 * that a allocated since mark m (and only those of a) may point into `from`;
 * they are kept and their children copied up in place. */
asl_value *asl_value_copy_up_since(asl_arena *a, const asl_arena *from, const asl_value *v,
                                   const asl_arena_mark *m);
/* JSON equality: numbers by value, objects regardless of member order. */
bool asl_value_equal(const asl_value *x, const asl_value *y);

/* ---- JSON text ---------------------------------------------------------- */

typedef struct {
    size_t offset;     /* byte offset of the problem */
    int line, col;     /* 1-based */
    char msg[160];
} asl_json_error;

/* Parses RFC 8259 JSON (UTF-8 validated, whole text, surrounding whitespace allowed).
 * Returns NULL and fills *err on failure.  max_depth 0 means the default (10000). */
asl_value *asl_json_parse(asl_arena *a, const char *text, size_t n, asl_json_error *err);

/* A growable byte buffer, malloc-backed (not arena) so that it can be reused;
 * or started on memory of the caller's (asl_buf_init_fixed), which it leaves
 * for the heap only if it outgrows it. */
typedef struct {
    char *data;
    size_t len, cap;
    bool fixed;        /* data is the caller's: not to be realloc'd or freed */
} asl_buf;

void asl_buf_init(asl_buf *b);
void asl_buf_init_fixed(asl_buf *b, char *mem, size_t cap);   /* cap >= 1 */
void asl_buf_free(asl_buf *b);
void asl_buf_put(asl_buf *b, const char *s, size_t n);
void asl_buf_putc(asl_buf *b, char c);
void asl_buf_puts(asl_buf *b, const char *s);
void asl_buf_printf(asl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the rest of the stream f to b; false on a read error. */
bool asl_buf_read_stream(asl_buf *b, FILE *f);
void asl_buf_vprintf(asl_buf *b, const char *fmt, va_list ap);

/* Serialises compactly, as AWS does: no spaces, "/" not escaped, non-ASCII
 * UTF-8 kept as is, control characters as \uXXXX except \b \f \n \r \t. */
void asl_json_write(asl_buf *b, const asl_value *v);
/* Pretty form (2-space indent) for humans. */
void asl_json_write_pretty(asl_buf *b, const asl_value *v);
/* Serialised into the arena, NUL-terminated. */
char *asl_json_string(asl_arena *a, const asl_value *v, size_t *len_out);
/* Formats a number the way AWS prints it (integers without fraction,
 * others in the shortest form that reads back the same). */
void asl_number_write(asl_buf *b, const asl_value *num);

/* ---- values inside strings (format.c) ----------------------------------- */

/* v as AWS prints it inside a string (Java's toString): strings bare,
 * objects as {k=v, k2=v2}, arrays as [a, b]. */
void asl_repr_write(asl_buf *b, const asl_value *v);

/* A States.Format template split at its {} placeholders: holes + 1 pieces
 * of literal text, escapes resolved, with their length in all and whether
 * they need no JSON escape. */
typedef struct {
    uint32_t holes;
    uint32_t lit;
    bool plain;
    const asl_lit_key *pieces;
} asl_fmt;
/* Splits template t (n bytes) into *f, the pieces in a: false when a brace
 * is not part of {}. */
bool asl_fmt_parse(asl_arena *a, const char *t, size_t n, asl_fmt *f);
/* The string of f with vals[0 .. f->holes) printed into its holes. */
asl_value *asl_format_render(asl_arena *a, const asl_fmt *f, asl_value *const *vals);

#endif
