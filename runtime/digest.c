/*
 * digest.c — the intrinsic functions that need libcrypto: States.Hash and
 * States.Base64Encode (OpenSSL's EVP digests and encoder).
 *
 * They live apart from intrinsics.c so that the static link pulls this file,
 * and libcrypto with it, only into a workflow that calls one of them: the
 * others' binaries are 4 MB smaller and start about 0.25 ms sooner (OpenSSL's
 * CPU probing and the pages of its code; bench/coldstart_why.sh).  Hash of a
 * non-string hashes its printed form, as AWS does (intrinsics.c says more
 * about where AWS differs from its documentation).
 */
#include "rt.h"

#include <string.h>

#include <openssl/evp.h>

/* A string argument's bytes, or the printed form of any other value (in
 * *tmp, format.c's asl_repr_write): what AWS hashes. */
static const char *text_of(const asl_value *v, asl_buf *tmp, size_t *len)
{
    if (v->type == ASL_STRING) {
        *len = v->len;
        return v->u.str;
    }
    asl_repr_write(tmp, v);
    *len = tmp->len;
    return tmp->data ? tmp->data : "";
}

asl_value *asl_intrinsic_BASE64_ENCODE(asl_exec *x, uint32_t argc, asl_value **argv)
{
    (void)argc;
    const asl_value *v = argv[0];
    if (v->type != ASL_STRING || asl_utf16_length(v->u.str, v->len) > ASL_INTRINSIC_MAX_CHARS)
        return asl_intrinsic_invalid(x, ASL_FN_BASE64_ENCODE);
    size_t outlen = 4 * (((size_t)v->len + 2) / 3);
    char *out = asl_alloc(x->arena, outlen + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)v->u.str, (int)v->len);
    out[n] = 0;
    return asl_string_static(x->arena, out, (size_t)n);
}

asl_value *asl_intrinsic_HASH(asl_exec *x, uint32_t argc, asl_value **argv)
{
    (void)argc;
    const asl_value *alg = argv[1];
    const EVP_MD *md = NULL;
    if (alg->type == ASL_STRING) {
        const char *a = alg->u.str;
        if (!strcmp(a, "MD5")) md = EVP_md5();
        else if (!strcmp(a, "SHA-1")) md = EVP_sha1();
        else if (!strcmp(a, "SHA-256")) md = EVP_sha256();
        else if (!strcmp(a, "SHA-384")) md = EVP_sha384();
        else if (!strcmp(a, "SHA-512")) md = EVP_sha512();
        if (md && strlen(a) != alg->len) md = NULL;   /* an embedded NUL */
    }
    if (!md) return asl_intrinsic_invalid(x, ASL_FN_HASH);

    /* AWS hashes a non-string argument's printed form. */
    asl_buf tmp;
    asl_buf_init(&tmp);
    size_t n;
    const char *data = text_of(argv[0], &tmp, &n);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    bool ok = asl_utf16_length(data, n) <= ASL_INTRINSIC_MAX_CHARS &&
              EVP_Digest(data, n, digest, &dn, md, NULL) == 1;
    asl_buf_free(&tmp);
    if (!ok) return asl_intrinsic_invalid(x, ASL_FN_HASH);

    static const char hex[] = "0123456789abcdef";
    char *out = asl_alloc(x->arena, 2 * (size_t)dn + 1);
    for (unsigned int i = 0; i < dn; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * dn] = 0;
    return asl_string_static(x->arena, out, 2 * (size_t)dn);
}
