/*
 * value.c — arenas, JSON values, and the byte buffer.
 *
 * Every execution (and every Map iteration or Parallel branch) allocates
 * its values from one arena and drops them all at once, so allocation is a
 * pointer bump and there is no per-value free and no reference counting.
 * Values are immutable once shared (see asl_value.h), which is what lets
 * threads read them without locks.
 *
 * Arena layout: a list of malloc'd chunks.  The first chunk (4 KiB) also
 * holds the arena header, so that a small execution costs one malloc.
 * Regular chunks double in size up to ARENA_CHUNK_MAX; a request larger
 * than a quarter of the next chunk gets a chunk of its own, so that a big
 * string does not waste the rest of a half-used chunk.  Under
 * AddressSanitizer, unused arena bytes stay poisoned and every allocation
 * is followed by a redzone, so overflows of arena values are still caught.
 *
 * Objects: members are kept in insertion order in a vector.  Objects with
 * room for more than OBJ_INDEX_MIN members also carry an open-addressing
 * hash index, stored in the same allocation just after the member vector,
 * so that lookups (and building objects key by key, and comparing them)
 * stay linear rather than quadratic on large objects.  An object value
 * marks the presence of that index with its ASL_F_INDEXED flag.
 *
 * Equality, deep copy and the like walk values with an explicit stack, not
 * recursion: values nested 10000 levels deep must not exhaust the (perhaps
 * small) stack of a worker thread.
 */
#include "asl_value.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define ASL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASL_ASAN 1
#endif
#endif

#ifdef ASL_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE 16
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_REDZONE 0
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)
#define TWO53 9007199254740992.0

/* ---- allocation hooks ---------------------------------------------------- */

__attribute__((noreturn)) static void out_of_memory(size_t n)
{
    fprintf(stderr, "aslc runtime: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *asl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *asl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

/* MADV_POPULATE_WRITE is Linux 5.14's; its number is the kernel's ABI, so
 * it is used even where the C library's headers predate it.  An older
 * kernel refuses it (EINVAL) and the pages fault in one by one, as before. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void asl_prefault(void *p, size_t n)
{
    uintptr_t mask = (uintptr_t)getpagesize() - 1;
    uintptr_t lo = ((uintptr_t)p + mask) & ~mask, hi = ((uintptr_t)p + n) & ~mask;
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

/* ---- arena --------------------------------------------------------------- */

#define ARENA_FIRST_CHUNK 4096
#define ARENA_CHUNK_MAX (1024 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t size;          /* whole malloc'd block, header included */
} chunk;

struct asl_arena {
    char *ptr, *end;      /* free space of the current chunk */
    chunk *chunks;        /* every chunk, newest first; the last holds us */
    size_t next_size;     /* size of the next regular chunk */
    size_t bytes;         /* sum of chunk sizes */
};

#define CHUNK_HDR ALIGN16(sizeof(chunk))

/* Bytes of big chunks (PREFAULT_MIN and up) that arenas hold now, and the
 * most they ever held: a big chunk that takes the total past that peak is
 * likely memory that the process has never touched (malloc had to grow the
 * heap or map more), which asl_prefault maps in one call instead of a page
 * fault per page.  Below the peak, malloc mostly hands back pages already
 * mapped (an execution after another, a Map iteration after another), and
 * the call would only cost. */
#define PREFAULT_MIN (64 * 1024)
static _Atomic size_t big_held, big_peak;

static void big_chunk_new(void *c, size_t size)
{
    size_t held = atomic_fetch_add_explicit(&big_held, size, memory_order_relaxed) + size;
    size_t peak = atomic_load_explicit(&big_peak, memory_order_relaxed);
    while (held > peak)
        if (atomic_compare_exchange_weak_explicit(&big_peak, &peak, held, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            asl_prefault(c, size);
            return;
        }
}

static void chunk_free(chunk *c)
{
    if (c->size >= PREFAULT_MIN)
        atomic_fetch_sub_explicit(&big_held, c->size, memory_order_relaxed);
    UNPOISON(c, c->size);
    free(c);
}

static chunk *chunk_new(asl_arena *a, size_t size)
{
    chunk *c = asl_xmalloc(size);
    if (size >= PREFAULT_MIN)
        big_chunk_new(c, size);
    c->size = size;
    c->next = a->chunks;
    a->chunks = c;
    a->bytes += size;
    POISON((char *)c + CHUNK_HDR, size - CHUNK_HDR);
    return c;
}

/* First chunks kept for reuse by the thread that freed them.  A thread that
 * runs execution after execution (--bench, a server) or Map iteration after
 * Map iteration would otherwise malloc and free a 4 KiB block each time,
 * which costs more than a small execution's whole work.  The list is
 * thread-local; a thread key, set once per thread, frees it when the thread
 * ends.  Not under AddressSanitizer, which should see every arena freed. */
#define ARENA_SPARES 4

#ifndef ASL_ASAN
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static __thread chunk *spares;
static __thread unsigned nspare;
static __thread bool spare_key_set;

static void spares_free(void *unused)
{
    (void)unused;
    for (chunk *c = spares, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    spares = NULL;
    nspare = 0;
}

static void spares_init(void)
{
    if (pthread_key_create(&spare_key, spares_free) != 0) {
        fprintf(stderr, "aslc runtime: pthread_key_create failed\n");
        abort();
    }
}

static chunk *spare_take(void)
{
    chunk *c = spares;
    if (c) {
        spares = c->next;
        nspare--;
    }
    return c;
}

static bool spare_keep(chunk *c)
{
    if (c->size != ARENA_FIRST_CHUNK || nspare >= ARENA_SPARES) return false;
    if (!spare_key_set) {
        /* The key's value only makes its destructor run at thread exit. */
        pthread_once(&spare_once, spares_init);
        if (pthread_setspecific(spare_key, &spare_key_set) != 0) return false;
        spare_key_set = true;
    }
    c->next = spares;
    spares = c;
    nspare++;
    return true;
}
#else
static chunk *spare_take(void) { return NULL; }
static bool spare_keep(chunk *c) { (void)c; return false; }
#endif

asl_arena *asl_arena_new(void)
{
    /* The header lives in the first chunk: one malloc per small execution. */
    chunk *c = spare_take();
    if (!c) c = asl_xmalloc(ARENA_FIRST_CHUNK);
    asl_arena *a = (asl_arena *)(void *)((char *)c + CHUNK_HDR);
    c->size = ARENA_FIRST_CHUNK;
    c->next = NULL;
    a->chunks = c;
    a->bytes = ARENA_FIRST_CHUNK;
    a->next_size = ARENA_FIRST_CHUNK * 2;
    a->ptr = (char *)a + ALIGN16(sizeof(asl_arena));
    a->end = (char *)c + ARENA_FIRST_CHUNK;
    POISON(a->ptr, (size_t)(a->end - a->ptr));
    return a;
}

void asl_arena_free(asl_arena *a)
{
    if (!a)
        return;
    asl_arena_reset(a);        /* all but the first chunk, which holds *a */
    chunk *c = a->chunks;
    UNPOISON(c, c->size);
    if (!spare_keep(c)) free(c);
}

void asl_arena_reset(asl_arena *a)
{
    chunk *c = a->chunks;
    while (c->next) {          /* the first chunk, which holds *a, is the last */
        chunk *next = c->next;
        a->bytes -= c->size;
        chunk_free(c);
        c = next;
    }
    a->chunks = c;
    a->next_size = ARENA_FIRST_CHUNK * 2;
    a->ptr = (char *)a + ALIGN16(sizeof(asl_arena));
    a->end = (char *)c + c->size;
    POISON(a->ptr, (size_t)(a->end - a->ptr));
}

static void *alloc_slow(asl_arena *a, size_t need)
{
    if (need > SIZE_MAX - CHUNK_HDR - 16)
        out_of_memory(need);
    if (need > a->next_size / 4) {
        /* Own chunk: keeps the current chunk's free space usable. */
        chunk *c = chunk_new(a, CHUNK_HDR + need);
        return (char *)c + CHUNK_HDR;
    }
    chunk *c = chunk_new(a, a->next_size);
    if (a->next_size < ARENA_CHUNK_MAX)
        a->next_size *= 2;
    char *p = (char *)c + CHUNK_HDR;
    a->ptr = p + need;
    a->end = (char *)c + c->size;
    return p;
}

/* Bump allocation; mask is the alignment - 1.  Values and strings only
 * need 8-byte alignment, and a 24-byte asl_value rounded to 16 would waste
 * a quarter of every scalar, so the library itself uses alloc8. */
static inline void *bump(asl_arena *a, size_t n, uintptr_t mask)
{
    size_t need = (n + ARENA_REDZONE + 7) & ~(size_t)7;
    if (need < n)            /* wrapped around */
        out_of_memory(n);
    if (need == 0)
        need = 8;            /* distinct pointers even for empty requests */
    char *p = (char *)(((uintptr_t)a->ptr + mask) & ~mask);
    if (p <= a->end && (size_t)(a->end - p) >= need)
        a->ptr = p + need;
    else
        p = alloc_slow(a, need);
    UNPOISON(p, n);
    return p;
}

void *asl_alloc(asl_arena *a, size_t n)
{
    return bump(a, n, 15);
}

static void *alloc8(asl_arena *a, size_t n)
{
    return bump(a, n, 7);
}

size_t asl_arena_bytes(const asl_arena *a)
{
    return a->bytes;
}

char *asl_strndup(asl_arena *a, const char *s, size_t n)
{
    char *d = alloc8(a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *asl_sprintf(asl_arena *a, const char *fmt, ...)
{
    char tmp[256];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {               /* an encoding error: yield "" rather than fail */
        n = 0;
        tmp[0] = '\0';
    }
    char *d;
    if ((size_t)n < sizeof tmp) {
        d = asl_strndup(a, tmp, (size_t)n);
    } else {
        d = alloc8(a, (size_t)n + 1);
        vsnprintf(d, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    return d;
}

/* ---- scalar values ------------------------------------------------------- */

/* Read-only singletons: a stray write faults instead of corrupting every
 * execution at once. */
static const asl_value null_value = { .type = ASL_NULL };
static const asl_value true_value = { .type = ASL_TRUE };
static const asl_value false_value = { .type = ASL_FALSE };

asl_value *asl_null(void) { return (asl_value *)&null_value; }
asl_value *asl_bool(bool b) { return (asl_value *)(b ? &true_value : &false_value); }

static uint8_t integral_53(double d)
{
    /* The range test comes first so that the cast is defined (NaN fails it). */
    return fabs(d) <= TWO53 && (double)(int64_t)d == d;
}

static uint32_t check_len(size_t n, const char *what)
{
    if (n > UINT32_MAX) {
        fprintf(stderr, "aslc runtime: %s too long (%zu; the limit is 4 GiB)\n", what, n);
        abort();
    }
    return (uint32_t)n;
}

static asl_value *number(asl_arena *a, double d, uint8_t flags)
{
    asl_value *v = alloc8(a, sizeof *v);
    v->type = ASL_NUMBER;
    v->flags = flags;
    v->jn_plain = 0;
    v->len = 0;
    v->u.n.num = d;
    v->u.n.text = NULL;
    return v;
}

asl_value *asl_number(asl_arena *a, double d) { return number(a, d, integral_53(d) ? ASL_F_INT : 0); }

asl_value *asl_number_int(asl_arena *a, double d) { return number(a, d, ASL_F_INT); }

asl_value *asl_number_text(asl_arena *a, double d, const char *text, size_t n)
{
    asl_value *v = asl_number(a, d);
    if (text && n) {
        v->u.n.text = asl_strndup(a, text, n);
        v->len = check_len(n, "number");   /* for numbers with text: its length */
    }
    return v;
}


asl_value *asl_string_room(asl_arena *a, size_t n, bool plain, char **bytes)
{
    /* Struct and bytes in one allocation: half the bump work, better locality. */
    uint32_t len = check_len(n, "string");
    asl_value *v = alloc8(a, sizeof *v + (size_t)len + 1);
    char *d = (char *)(v + 1);
    d[len] = '\0';
    v->type = ASL_STRING;
    v->flags = plain ? ASL_F_PLAIN : 0;    /* needs no JSON escape (asl_json_bound) */
    v->jn_plain = 0;
    v->len = len;
    v->u.str = d;
    *bytes = d;
    return v;
}

asl_value *asl_string_known(asl_arena *a, const char *s, size_t n, bool plain)
{
    char *d;
    asl_value *v = asl_string_room(a, n, plain, &d);
    if (n)
        memcpy(d, s, n);
    return v;
}

asl_value *asl_string(asl_arena *a, const char *s, size_t n)
{
    return asl_string_known(a, s, n, asl_json_plain(s, n));
}

asl_value *asl_cstring(asl_arena *a, const char *s)
{
    return asl_string(a, s, strlen(s));
}

asl_value *asl_string_static(asl_arena *a, const char *s, size_t n)
{
    asl_value *v = alloc8(a, sizeof *v);
    v->type = ASL_STRING;
    v->len = check_len(n, "string");
    v->flags = asl_json_plain(s, n) ? ASL_F_PLAIN : 0;
    v->jn_plain = 0;
    v->u.str = s;
    return v;
}

/* jlen arithmetic, saturated: past UINT32_MAX a bound stays there. */
static inline uint32_t jlen_add(uint32_t j, uint64_t more)
{
    uint64_t s = (uint64_t)j + more;
    return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static inline uint32_t jlen_swap(uint32_t j, uint32_t old, uint32_t now)
{
    if (j == UINT32_MAX || old > j) return UINT32_MAX;
    return jlen_add(j - old, now);
}

/* ---- arrays -------------------------------------------------------------- */

asl_value *asl_array(asl_arena *a, uint32_t cap_hint)
{
    /* Items after the value, in one allocation, when the array is small;
     * a big one keeps its own, which alloc_slow may give a chunk of its own. */
    bool inline_items = cap_hint <= 64;
    asl_value *v = alloc8(a, sizeof *v + (inline_items ? (size_t)cap_hint * sizeof(asl_value *) : 0));
    v->type = ASL_ARRAY;
    v->flags = 0;
    v->jn_plain = 0;
    v->len = 0;
    v->u.a.cap = cap_hint;
    v->u.a.jlen = 2;      /* [] */
    v->u.a.items = !cap_hint ? NULL
                   : inline_items ? (asl_value **)(void *)(v + 1)
                                  : alloc8(a, (size_t)cap_hint * sizeof(asl_value *));
    return v;
}

static uint32_t grown_cap(uint32_t cap, const char *what)
{
    if (cap >= UINT32_MAX / 2) {
        if (cap == UINT32_MAX)
            check_len((size_t)UINT32_MAX + 1, what);
        return UINT32_MAX;
    }
    return cap < 4 ? 4 : cap * 2;
}

void asl_array_push(asl_arena *a, asl_value *arr, asl_value *item)
{
    if (arr->len == arr->u.a.cap) {
        uint32_t cap = grown_cap(arr->u.a.cap, "array");
        asl_value **items = alloc8(a, (size_t)cap * sizeof *items);
        if (arr->len)
            memcpy(items, arr->u.a.items, (size_t)arr->len * sizeof *items);
        arr->u.a.items = items;
        arr->u.a.cap = cap;
    }
    arr->u.a.jlen = jlen_add(arr->u.a.jlen, (uint64_t)asl_json_bound(item) + (arr->len ? 1 : 0));
    arr->u.a.items[arr->len++] = item;
}

void asl_array_replace(asl_value *arr, uint32_t i, asl_value *item)
{
    arr->u.a.jlen = jlen_swap(arr->u.a.jlen, asl_json_bound(arr->u.a.items[i]), asl_json_bound(item));
    arr->u.a.items[i] = item;
}

/* ---- objects ------------------------------------------------------------- */

#define OBJ_INDEX_MIN 16

/* count: members the index covers; a mismatch with obj->len means someone
 * built the member vector by hand, and lookups fall back to a scan. */
typedef struct {
    uint32_t count;
    uint32_t mask;        /* slots - 1, slots a power of two >= 2 * cap */
    uint32_t slot[];      /* member index + 1; 0 = empty */
} obj_index;

static obj_index *index_of(const asl_value *obj)
{
    if (!asl_obj_indexed(obj))
        return NULL;
    return (obj_index *)(void *)(obj->u.o.members + obj->u.o.cap);
}

static uint32_t key_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;            /* FNV-1a: short keys, cheap */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static void index_add(obj_index *ix, const asl_member *members, uint32_t i)
{
    uint32_t h = key_hash(members[i].key, members[i].klen) & ix->mask;
    while (ix->slot[h])
        h = (h + 1) & ix->mask;
    ix->slot[h] = i + 1;
    ix->count++;
}

/* A member vector of cap entries, with an empty hash index when big enough. */
static asl_member *members_new(asl_arena *a, asl_value *obj, uint32_t cap)
{
    if (cap <= OBJ_INDEX_MIN) {
        obj->flags = 0;
        return cap ? alloc8(a, (size_t)cap * sizeof(asl_member)) : NULL;
    }
    size_t slots = 32;
    while (slots < (size_t)cap * 2)
        slots *= 2;
    size_t vec = (size_t)cap * sizeof(asl_member);
    asl_member *m = alloc8(a, vec + sizeof(obj_index) + slots * sizeof(uint32_t));
    obj_index *ix = (obj_index *)(void *)((char *)m + vec);
    ix->count = 0;
    ix->mask = (uint32_t)(slots - 1);
    memset(ix->slot, 0, slots * sizeof(uint32_t));
    obj->flags = ASL_F_INDEXED;
    return m;
}

/* Moves obj to a fresh vector of cap members (cap >= len), reindexing. */
static void members_resize(asl_arena *a, asl_value *obj, uint32_t cap)
{
    asl_member *old = obj->u.o.members;
    asl_member *m = members_new(a, obj, cap);
    if (obj->len)
        memcpy(m, old, (size_t)obj->len * sizeof *m);
    obj->u.o.members = m;
    obj->u.o.cap = cap;
    obj_index *ix = index_of(obj);
    if (ix)
        for (uint32_t i = 0; i < obj->len; i++)
            index_add(ix, m, i);
}

asl_value *asl_object(asl_arena *a, uint32_t cap_hint)
{
    asl_value *v;
    if (cap_hint <= OBJ_INDEX_MIN) {
        /* Small (the usual case): the members right after the value, in
         * one allocation, as asl_string does with its bytes. */
        v = alloc8(a, sizeof *v + (size_t)cap_hint * sizeof(asl_member));
        v->flags = 0;
        v->u.o.members = cap_hint ? (asl_member *)(void *)(v + 1) : NULL;
    } else {
        v = alloc8(a, sizeof *v);
        v->u.o.members = members_new(a, v, cap_hint);
    }
    v->type = ASL_OBJECT;
    v->jn_plain = 0;
    v->len = 0;
    v->u.o.cap = cap_hint;
    v->u.o.jlen = 2;      /* {} */
    return v;
}

asl_value *asl_object_sized(asl_arena *a, uint32_t n)
{
    asl_value *v = alloc8(a, sizeof *v + (size_t)n * sizeof(asl_member));
    v->type = ASL_OBJECT;
    v->flags = 0;
    v->jn_plain = 0;
    v->len = n;
    v->u.o.cap = n;
    v->u.o.members = n ? (asl_member *)(void *)(v + 1) : NULL;
    v->u.o.jlen = 2;           /* {} */
    return v;
}

asl_value *asl_object_shaped(asl_arena *a, const asl_shape *s)
{
    return asl_object_shaped_c(a, s);   /* the values' bounds come with them (asl_member_set) */
}

static int64_t find_member(const asl_value *obj, const char *key, size_t klen)
{
    const asl_member *m = obj->u.o.members;
    const obj_index *ix = index_of(obj);
    if (ix && ix->count == obj->len) {
        uint32_t h = key_hash(key, klen) & ix->mask;
        for (uint32_t s; (s = ix->slot[h]) != 0; h = (h + 1) & ix->mask)
            if (asl_key_eq(&m[s - 1], key, klen))
                return s - 1;
        return -1;
    }
    for (uint32_t i = 0; i < obj->len; i++)
        if (asl_key_eq(&m[i], key, klen))
            return i;
    return -1;
}

asl_value *asl_object_get(const asl_value *obj, const char *key, size_t klen)
{
    if (!obj || obj->type != ASL_OBJECT)
        return NULL;
    if (!index_of(obj))
        return asl_object_scan(obj, key, klen);   /* small objects, the usual case */
    int64_t i = find_member(obj, key, klen);
    return i < 0 ? NULL : obj->u.o.members[i].val;
}

/* obj's jlen with one more member ("key":val, and a comma after the first);
 * keyjson: the key's length as a JSON string. */
static inline uint32_t member_added(const asl_value *obj, uint64_t keyjson, const asl_value *val)
{
    return jlen_add(obj->u.o.jlen, keyjson + 1 + asl_json_bound(val) + (obj->len ? 1 : 0));
}

static inline void append(asl_arena *a, asl_value *obj, const char *key, size_t klen,
                          asl_value *val, bool copy)
{
    uint32_t kl = check_len(klen, "object key");
    if (obj->len == obj->u.o.cap)
        members_resize(a, obj, grown_cap(obj->u.o.cap, "object"));
    asl_member *m = &obj->u.o.members[obj->len];
    m->key = copy ? asl_strndup(a, key, kl) : key;
    m->klen = kl;
    m->val = val;
    obj->u.o.jlen = member_added(obj, copy ? asl_json_strlen(key, kl) : (uint64_t)kl + 2, val);
    obj_index *ix = index_of(obj);
    if (ix && ix->count == obj->len)
        index_add(ix, obj->u.o.members, obj->len);
    obj->len++;
}

void asl_object_append(asl_arena *a, asl_value *obj, const char *key, size_t klen, asl_value *val)
{
    append(a, obj, key, klen, val, true);
}

static __attribute__((noinline)) void append_lit_slow(asl_arena *a, asl_value *obj,
                                                      const char *key, size_t klen, asl_value *val)
{
    append(a, obj, key, klen, val, false);
}

void asl_object_append_lit(asl_arena *a, asl_value *obj, const char *key, size_t klen,
                           asl_value *val)
{
    if (klen > UINT32_MAX || !asl_object_put_lit(obj, key, (uint32_t)klen, val))
        append_lit_slow(a, obj, key, klen, val);
}

/* Replaces the value of obj's member key, if it has one. */
static bool replace_member(asl_value *obj, const char *key, size_t klen, asl_value *val)
{
    int64_t i = find_member(obj, key, klen);
    if (i < 0) return false;
    obj->u.o.jlen = jlen_swap(obj->u.o.jlen, asl_json_bound(obj->u.o.members[i].val), asl_json_bound(val));
    obj->u.o.members[i].val = val;
    return true;
}

void asl_object_set(asl_arena *a, asl_value *obj, const char *key, size_t klen, asl_value *val)
{
    if (!replace_member(obj, key, klen, val)) asl_object_append(a, obj, key, klen, val);
}

void asl_object_set_lit(asl_arena *a, asl_value *obj, const char *key, size_t klen, asl_value *val)
{
    if (!replace_member(obj, key, klen, val)) asl_object_append_lit(a, obj, key, klen, val);
}

/* ---- copies -------------------------------------------------------------- */

static bool is_container(const asl_value *v)
{
    return v->type == ASL_ARRAY || v->type == ASL_OBJECT;
}

asl_value *asl_value_shallow_copy(asl_arena *a, const asl_value *v)
{
    if (!v)
        return NULL;
    if (v->type <= ASL_TRUE)
        return (asl_value *)v;               /* immutable anyway */
    asl_value *c = alloc8(a, sizeof *c);
    *c = *v;
    c->jn_plain = 0;   /* the copy is built on next */
    if (v->type == ASL_ARRAY) {
        c->u.a.cap = v->len;
        c->u.a.items = v->len ? alloc8(a, (size_t)v->len * sizeof(asl_value *)) : NULL;
        if (v->len)
            memcpy(c->u.a.items, v->u.a.items, (size_t)v->len * sizeof(asl_value *));
    } else if (v->type == ASL_OBJECT) {
        /* A little slack: the usual next step is to set a key or two. */
        members_resize(a, c, v->len + 4);
    }
    return c;
}

/* Past this many chunks, looking up where a pointer lies costs more than
 * copying what it points to. */
#define COPY_UP_CHUNKS 8

/* What a copy copies: the bytes of the arena it copies from, given as its
 * chunks' address ranges; everything when all is set. */
typedef struct {
    bool all;
    uint32_t n;
    const char *lo[COPY_UP_CHUNKS], *hi[COPY_UP_CHUNKS];
} copy_span;

/* An empty span (or one of everything), its ranges left unset: a copy
 * up makes two, and zeroing their 16 pointers cost more than the copy of
 * a small Map iteration's scalars. */
static inline copy_span span_of(bool all)
{
    copy_span sp;
    sp.all = all;
    sp.n = 0;
    return sp;
}

static inline bool in_span(const copy_span *sp, const void *p)
{
    if (sp->all)
        return true;
    for (uint32_t i = 0; i < sp->n; i++)
        if ((const char *)p >= sp->lo[i] && (const char *)p < sp->hi[i])
            return true;
    return false;
}

/* A copy of the scalar v, sharing the bytes that sp does not cover. */
static asl_value *copy_scalar(asl_arena *a, const copy_span *sp, const asl_value *v)
{
    switch (v->type) {
    case ASL_NUMBER: {
        asl_value *c = alloc8(a, sizeof *c);
        *c = *v;
        if (v->u.n.text && in_span(sp, v->u.n.text))
            c->u.n.text = asl_strndup(a, v->u.n.text, strlen(v->u.n.text));
        return c;
    }
    case ASL_STRING: {
        if (in_span(sp, v->u.str))
            return asl_string_known(a, v->u.str, v->len, asl_str_plain(v));
        asl_value *c = alloc8(a, sizeof *c);   /* the same bytes, plainness and all */
        *c = *v;
        return c;
    }
    default:
        return (asl_value *)v;   /* null, true and false are static */
    }
}

/* A walk stack that starts on the C stack and moves to the heap if deep. */
#define WALK_LOCAL 64

void *asl_grow_stack(void *stk, void *local, size_t *cap, size_t need, size_t elem)
{
    size_t ncap = *cap * 2;
    while (ncap < need) ncap *= 2;
    void *n;
    if (stk == local) {
        n = asl_xmalloc(ncap * elem);
        memcpy(n, local, *cap * elem);
    } else {
        n = asl_xrealloc(stk, ncap * elem);
    }
    *cap = ncap;
    return n;
}

size_t asl_utf16_length(const char *s, size_t n)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80) u += (c >= 0xF0) ? 2 : 1;
    }
    return u;
}

/* A container like v, of the same length, whose children are still v's
 * (the caller replaces those it must copy) and whose keys are copied where
 * sp covers them. */
static asl_value *copy_shell(asl_arena *a, const copy_span *sp, const asl_value *v)
{
    uint32_t n = v->len;
    if (v->type == ASL_ARRAY) {
        asl_value *c = asl_array(a, n);
        if (n)
            memcpy(c->u.a.items, v->u.a.items, (size_t)n * sizeof *c->u.a.items);
        c->len = n;
        c->u.a.jlen = v->u.a.jlen;   /* the same text */
        c->jn_plain = v->jn_plain;   /* and the same values */
        return c;
    }
    asl_value *c = asl_object(a, n);
    asl_member *m = c->u.o.members;
    if (n)
        memcpy(m, v->u.o.members, (size_t)n * sizeof *m);
    c->len = n;
    c->u.o.jlen = v->u.o.jlen;
    c->jn_plain = v->jn_plain;   /* the same values (their copies) */
    obj_index *ix = index_of(c);
    for (uint32_t i = 0; i < n; i++) {
        if (in_span(sp, m[i].key))
            m[i].key = asl_strndup(a, m[i].key, m[i].klen);
        if (ix)
            index_add(ix, m, i);
    }
    return c;
}

/* A container of a's, built since the mark (fresh): copy_from keeps it and
 * copies up, in place, what of it sp covers (its keys here, its children as
 * it walks them). */
static void keep_fresh(asl_arena *a, const copy_span *sp, asl_value *c)
{
    if (c->type != ASL_OBJECT)
        return;
    for (uint32_t i = 0; i < c->len; i++)
        if (in_span(sp, c->u.o.members[i].key))
            c->u.o.members[i].key = asl_strndup(a, c->u.o.members[i].key, c->u.o.members[i].klen);
}

/* Deep copy of v into a, of the parts sp covers: a value outside the arena
 * copied from cannot point into it (see asl_value.h), so it is shared
 * whole, except for the containers that `fresh` covers, which are a's and
 * may: they are walked and updated in place.  Containers are copied as
 * shells first, then their children are replaced in place, depth first,
 * with an explicit stack. */
static asl_value *copy_from(asl_arena *a, const copy_span *sp, const copy_span *fresh, const asl_value *v)
{
    asl_value *root;
    if (!v)
        return NULL;
    if (in_span(sp, v)) {
        if (!is_container(v))
            return copy_scalar(a, sp, v);
        root = copy_shell(a, sp, v);
    } else if (fresh && is_container(v) && in_span(fresh, v)) {
        root = (asl_value *)v;
        keep_fresh(a, sp, root);
    } else {
        return (asl_value *)v;
    }
    asl_value *local[WALK_LOCAL], **stk = local;
    size_t cap = WALK_LOCAL, top = 0;
    stk[top++] = root;
    while (top) {
        asl_value *c = stk[--top];
        uint32_t n = c->len;
        bool arr = c->type == ASL_ARRAY;
        for (uint32_t i = 0; i < n; i++) {
            asl_value **slot = arr ? &c->u.a.items[i] : &c->u.o.members[i].val;
            asl_value *child = *slot;
            if (!in_span(sp, child)) {
                if (!fresh || !is_container(child) || !child->len || !in_span(fresh, child))
                    continue;
                keep_fresh(a, sp, child);
            } else if (!is_container(child)) {
                *slot = copy_scalar(a, sp, child);
                continue;
            } else {
                *slot = copy_shell(a, sp, child);
            }
            if ((*slot)->len) {
                if (top == cap)
                    stk = asl_grow_stack(stk, local, &cap, cap + 1, sizeof *stk);
                stk[top++] = *slot;
            }
        }
    }
    if (stk != local)
        free(stk);
    return root;
}

asl_value *asl_value_copy(asl_arena *a, const asl_value *v)
{
    copy_span all = span_of(true);
    return copy_from(a, &all, NULL, v);
}

/* Adds to sp the address ranges of chunks c, c->next, ... up to stop
 * (excluded); past COPY_UP_CHUNKS ranges, sp covers everything. */
static void span_add_chunks(copy_span *sp, const chunk *c, const chunk *stop)
{
    for (; c && c != stop; c = c->next) {
        if (sp->n == COPY_UP_CHUNKS) {
            sp->all = true;
            return;
        }
        sp->lo[sp->n] = (const char *)c;
        sp->hi[sp->n++] = (const char *)c + c->size;
    }
}

asl_value *asl_value_copy_up(asl_arena *a, const asl_arena *from, const asl_value *v)
{
    copy_span sp = span_of(false);
    span_add_chunks(&sp, from->chunks, NULL);
    return copy_from(a, &sp, NULL, v);
}

void asl_arena_mark_get(const asl_arena *a, asl_arena_mark *m)
{
    m->head = a->chunks;
    m->ptr = a->ptr;
    m->end = a->end;
}

asl_value *asl_value_copy_up_since(asl_arena *a, const asl_arena *from, const asl_value *v,
                                   const asl_arena_mark *m)
{
    copy_span sp = span_of(false), fresh = span_of(false);
    span_add_chunks(&sp, from->chunks, NULL);
    /* Since the mark: the rest of the chunk it was in, and the chunks made
     * after it (newest first, down to the newest at the mark).  Past
     * COPY_UP_CHUNKS ranges, every container outside sp counts as fresh:
     * walking the others too costs time, never correctness, as nothing of
     * a's from before the mark points into from. */
    fresh.lo[0] = m->ptr;
    fresh.hi[0] = m->end;
    fresh.n = 1;
    span_add_chunks(&fresh, a->chunks, m->head);
    return copy_from(a, &sp, &fresh, v);
}

/* ---- equality ------------------------------------------------------------ */

/* A JSON number lexeme seen as sign, significant digits and the position of
 * the decimal point, so that 1e2, 100 and 100.0 normalise to the same. */
typedef struct {
    bool neg, zero;
    const char *ip, *fp;    /* integer and fraction digits */
    size_t li, lf;
    size_t first, last;     /* first/last non-zero digit in ip++fp */
    int64_t point;          /* value = 0.DIGITS x 10^point */
} decimal;

static char dec_digit(const decimal *d, size_t k)
{
    return k < d->li ? d->ip[k] : d->fp[k - d->li];
}

static bool dec_parse(const char *s, decimal *d)
{
    d->neg = *s == '-';
    s += d->neg;
    d->ip = s;
    while (*s >= '0' && *s <= '9')
        s++;
    d->li = (size_t)(s - d->ip);
    d->fp = s;
    d->lf = 0;
    if (*s == '.') {
        d->fp = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        d->lf = (size_t)(s - d->fp);
    }
    int64_t e = 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = *s == '-';
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        for (; *s >= '0' && *s <= '9'; s++)
            if (e < 1000000000000000LL)          /* saturate: still "huge" */
                e = e * 10 + (*s - '0');
        if (eneg)
            e = -e;
    }
    if (*s || d->li + d->lf == 0)
        return false;
    size_t n = d->li + d->lf, k = 0;
    while (k < n && dec_digit(d, k) == '0')
        k++;
    d->zero = k == n;
    if (d->zero)
        return true;
    d->first = k;
    d->last = n - 1;
    while (dec_digit(d, d->last) == '0')
        d->last--;
    d->point = (int64_t)d->li - (int64_t)d->first + e;
    return true;
}

static bool dec_equal(const decimal *x, const decimal *y)
{
    if (x->zero || y->zero)
        return x->zero && y->zero;
    if (x->neg != y->neg || x->point != y->point || x->last - x->first != y->last - y->first)
        return false;
    for (size_t k = 0; k <= x->last - x->first; k++)
        if (dec_digit(x, x->first + k) != dec_digit(y, y->first + k))
            return false;
    return true;
}

/* The exact decimal text of a number: its lexeme, or for an integral double
 * its exact digits (%.0f is exact for integers). NULL when neither applies. */
static const char *number_digits(const asl_value *v, char *buf, size_t size)
{
    if (v->u.n.text)
        return v->u.n.text;
    double d = v->u.n.num;
    if (!isfinite(d) || d != trunc(d))
        return NULL;
    snprintf(buf, size, "%.0f", d);
    return buf;
}

static bool number_equal(const asl_value *x, const asl_value *y)
{
    double a = x->u.n.num, b = y->u.n.num;
    bool small = fabs(a) < TWO53 && fabs(b) < TWO53;
    if (small || (!x->u.n.text && !y->u.n.text))
        return a == b || (isnan(a) && isnan(b));
    /* Beyond 2^53 doubles collide; the texts say which integer was meant. */
    char bx[400], by[400];
    const char *tx = number_digits(x, bx, sizeof bx);
    const char *ty = number_digits(y, by, sizeof by);
    decimal dx, dy;
    if (tx && ty && dec_parse(tx, &dx) && dec_parse(ty, &dy))
        return dec_equal(&dx, &dy);
    return a == b;
}

/* Compares everything but the children of containers. */
static bool shallow_equal(const asl_value *x, const asl_value *y)
{
    if (x->type != y->type)
        return false;
    switch (x->type) {
    case ASL_NUMBER:
        return number_equal(x, y);
    case ASL_STRING:
        return x->len == y->len && (x->len == 0 || memcmp(x->u.str, y->u.str, x->len) == 0);
    case ASL_ARRAY:
    case ASL_OBJECT:
        return x->len == y->len;
    default:
        return true;
    }
}

typedef struct {
    const asl_value *x, *y;
    uint32_t i;
} eq_frame;

bool asl_value_equal(const asl_value *x, const asl_value *y)
{
    if (x == y)
        return true;
    if (!x || !y || !shallow_equal(x, y))
        return false;
    if (!is_container(x) || x->len == 0)
        return true;
    eq_frame local[WALK_LOCAL], *stk = local;
    size_t cap = WALK_LOCAL, sp = 0;
    bool eq = true;
    stk[sp++] = (eq_frame){ x, y, 0 };
    while (sp && eq) {
        eq_frame *f = &stk[sp - 1];
        if (f->i == f->x->len) {
            sp--;
            continue;
        }
        uint32_t i = f->i++;
        const asl_value *cx, *cy;
        if (f->x->type == ASL_ARRAY) {
            cx = f->x->u.a.items[i];
            cy = f->y->u.a.items[i];
        } else {
            const asl_member *m = &f->x->u.o.members[i];
            cx = m->val;
            cy = asl_object_get(f->y, m->key, m->klen);
        }
        if (cx == cy)
            continue;                 /* shared subtree */
        if (!cx || !cy || !shallow_equal(cx, cy)) {
            eq = false;
        } else if (is_container(cx) && cx->len) {
            if (sp == cap)
                stk = asl_grow_stack(stk, local, &cap, cap + 1, sizeof *stk);
            stk[sp++] = (eq_frame){ cx, cy, 0 };
        }
    }
    if (stk != local)
        free(stk);
    return eq;
}

/* ---- byte buffer --------------------------------------------------------- */

/* data is NULL until the first put; from then on it is always
 * NUL-terminated (cap > len), so it can be used as a C string. */

void asl_buf_init(asl_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->fixed = false;
}

void asl_buf_init_fixed(asl_buf *b, char *mem, size_t cap)
{
    b->data = mem;
    b->len = 0;
    b->cap = cap;
    b->fixed = true;
    mem[0] = '\0';
}

void asl_buf_free(asl_buf *b)
{
    if (!b->fixed)
        free(b->data);
    asl_buf_init(b);
}

static void buf_grow(asl_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < extra)
        out_of_memory(extra);
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->fixed) {
        char *d = asl_xmalloc(cap);
        memcpy(d, b->data, b->len);
        d[b->len] = '\0';
        b->data = d;
        b->fixed = false;
    } else {
        b->data = asl_xrealloc(b->data, cap);
    }
    b->cap = cap;
}

void asl_buf_put(asl_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n)
        buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void asl_buf_putc(asl_buf *b, char c)
{
    if (b->cap - b->len <= 1)
        buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void asl_buf_puts(asl_buf *b, const char *s)
{
    asl_buf_put(b, s, strlen(s));
}

void asl_buf_vprintf(asl_buf *b, const char *fmt, va_list ap)
{
    char small[1024];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        asl_buf_put(b, small, (size_t)n);
    } else if (n >= 0) {
        char *big = asl_xmalloc((size_t)n + 1);
        vsnprintf(big, (size_t)n + 1, fmt, again);
        asl_buf_put(b, big, (size_t)n);
        free(big);
    }
    va_end(again);
}

bool asl_buf_read_stream(asl_buf *b, FILE *f)
{
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) asl_buf_put(b, chunk, got);
    return !ferror(f);
}

void asl_buf_printf(asl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    asl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}
