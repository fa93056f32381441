/*
 * jsonata_sfn.c — the functions Step Functions adds to JSONata: $partition,
 * $range, $hash, $random with its optional seed, $uuid and $parse, the
 * JSONata twins of States.ArrayPartition, States.ArrayRange, States.Hash,
 * States.MathRandom, States.UUID and States.StringToJson.
 *
 * They follow their intrinsic twins (runtime/intrinsics.c, digest.c):
 * integers truncated toward zero within 32 bits, at most 1,000 items from
 * $range, the same five hash algorithms, java.util.Random for a seeded
 * draw.  An argument AWS refuses fails with T0410 here, as a JSONata
 * argument of the wrong kind does (AWS's own code for these is not in the
 * recorded cases).  $range's result is a sequence: one item is the item
 * itself, as AWS returns it.
 */
#include "jsonata.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>

#define JN_MAX_RANGE 1000

static bool int32_of(const asl_value *v, int64_t *out)
{
    if (!v || v->type != ASL_NUMBER || !isfinite(v->u.n.num)) return false;
    double t = trunc(v->u.n.num);
    if (t < -2147483648.0 || t > 2147483647.0) return false;
    *out = (int64_t)t;
    return true;
}

static asl_value *refuse(asl_jn_ctx *c, asl_value *v, int index)
{
    asl_jn_error(c, "T0410", v);
    c->index = index;
    return NULL;
}

asl_value *asl_jn_sfn_partition(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus)
{
    (void)focus, (void)n;
    asl_value *arr = args[0];
    int64_t size;
    if (!arr) return NULL;
    if (!int32_of(args[1], &size) || size < 1) return refuse(c, args[1], 2);
    asl_value *r = asl_array(c->a, (uint32_t)((arr->len + size - 1) / size));
    for (uint32_t i = 0; i < arr->len; i += (uint32_t)size) {
        uint32_t end = i + (uint32_t)size < arr->len ? i + (uint32_t)size : arr->len;
        asl_value *chunk = asl_array(c->a, end - i);
        for (uint32_t k = i; k < end; k++) asl_array_push(c->a, chunk, arr->u.a.items[k]);
        asl_array_push(c->a, r, chunk);
    }
    return r;
}

asl_value *asl_jn_sfn_range(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus)
{
    (void)focus;
    int64_t start, end, step = 1;
    if (!int32_of(args[0], &start)) return refuse(c, args[0], 1);
    if (!int32_of(args[1], &end)) return refuse(c, args[1], 2);
    if (n > 2 && args[2] && (!int32_of(args[2], &step) || step == 0)) return refuse(c, args[2], 3);
    int64_t count = (end - start) / step + 1;
    if (count < 0) count = 0;
    if (count > JN_MAX_RANGE) return refuse(c, args[1], 2);
    asl_value *r = asl_jn_seq(c->a, (uint32_t)count);
    for (int64_t i = 0; i < count; i++) asl_array_push(c->a, r, asl_number_int(c->a, (double)(start + i * step)));
    return r;
}

asl_value *asl_jn_sfn_hash(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus)
{
    (void)focus, (void)n;
    asl_value *data = args[0], *alg = args[1];
    if (!data) return NULL;
    const EVP_MD *md = NULL;
    if (alg && alg->type == ASL_STRING && strlen(alg->u.str) == alg->len) {
        const char *a = alg->u.str;
        md = !strcmp(a, "MD5") ? EVP_md5() : !strcmp(a, "SHA-1") ? EVP_sha1() : !strcmp(a, "SHA-256") ? EVP_sha256()
           : !strcmp(a, "SHA-384") ? EVP_sha384() : !strcmp(a, "SHA-512") ? EVP_sha512() : NULL;
    }
    if (!md) return refuse(c, alg, 2);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    if (EVP_Digest(data->u.str, data->len, digest, &dn, md, NULL) != 1) return refuse(c, data, 1);
    char *bytes;
    asl_value *r = asl_string_room(c->a, 2 * (size_t)dn, true, &bytes);
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < dn; i++) {
        bytes[2 * i] = hex[digest[i] >> 4];
        bytes[2 * i + 1] = hex[digest[i] & 15];
    }
    return r;
}

/* The context's generator (xorshift), for $random() and $uuid(). */
static uint64_t next64(asl_jn_ctx *c)
{
    asl_jn_clock(c);
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

/* java.util.Random(seed).nextDouble(): a seed gives the same number every time. */
static double java_next_double(int64_t seed)
{
    uint64_t s = ((uint64_t)seed ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
    s = (s * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    uint64_t hi = s >> (48 - 26);
    s = (s * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    uint64_t lo = s >> (48 - 27);
    return (double)((hi << 27) + lo) * 0x1.0p-53;
}

asl_value *asl_jn_sfn_random(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus)
{
    (void)focus;
    if (n > 0 && args[0]) {
        int64_t seed;
        if (!int32_of(args[0], &seed)) return refuse(c, args[0], 1);
        return asl_number(c->a, java_next_double(seed));
    }
    return asl_number(c->a, (double)(next64(c) >> 11) * 0x1.0p-53);
}

asl_value *asl_jn_sfn_uuid(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus)
{
    (void)args, (void)n, (void)focus;
    unsigned char b[16];
    uint64_t x = next64(c), y = next64(c);
    memcpy(b, &x, 8);
    memcpy(b + 8, &y, 8);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);   /* RFC 4122 variant */
    char *s;
    asl_value *r = asl_string_room(c->a, 36, true, &s);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0, k = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s[k++] = '-';
        s[k++] = hex[b[i] >> 4];
        s[k++] = hex[b[i] & 15];
    }
    return r;
}

asl_value *asl_jn_sfn_parse(asl_jn_ctx *c, asl_value **args, int n, asl_value *focus)
{
    (void)focus, (void)n;
    asl_value *s = args[0];
    if (!s) return NULL;
    /* the same string again in this window (`$parse($s.j)` and `'b' in
     * $parse($s.j)` in one state): the value it gave, values being immutable */
    if (c->memo && c->memo[0] == s) return c->memo[1];
    asl_json_error err;
    asl_value *v = asl_json_parse(c->a, s->u.str, s->len, &err);
    if (!v) return refuse(c, s, 1);
    if (c->memo) c->memo[0] = s, c->memo[1] = v;
    return v;
}
