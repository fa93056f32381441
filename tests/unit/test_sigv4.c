/*
 * test_sigv4.c — runtime/sigv4.c against AWS's published Signature Version
 * 4 examples: the signing key of the IAM guide's "derive a signing key"
 * example, and the get-vanilla and get-vanilla-query-order-key-case cases
 * of the SigV4 test suite (AKIDEXAMPLE, 20150830T123600Z, us-east-1,
 * service "service"): canonical request, string-to-sign hash and signature.
 * Beyond the suite, checked against botocore's SigV4Auth: a query whose
 * names are prefixes of each other (sorted by name, then value, not as
 * whole "name=value" strings), a POST body's hash, and the URI encoding of
 * paths and of parameters that come decoded (aslc serve gets them so).
 */
#include "check.h"
#include "sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define SCOPE "20150830/us-east-1/service/aws4_request"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The canonical request of the suite's GET and POST cases on / (the host
 * and x-amz-date headers signed), with query the raw query string. */
static void canonical(asl_buf *cr, const char *method, const char *query, const char *body)
{
    asl_buf_init(cr);
    asl_buf_puts(cr, method);
    asl_buf_putc(cr, '\n');
    asl_sigv4_uri_encode(cr, "/", 1, true);
    asl_buf_putc(cr, '\n');
    asl_sigv4_query q = {0};
    asl_sigv4_query_parse(&q, query);
    asl_sigv4_query_put(cr, &q);
    asl_buf_puts(cr, "\nhost:example.amazonaws.com\nx-amz-date:" DATE "\n");
    asl_sigv4_request_end(cr, "host;x-amz-date", 15, body, body ? strlen(body) : 0);
    asl_buf_putc(cr, '\0');
    cr->len--;   /* a C string for CHECK_STR, the length still the request's */
}

/* The signature of canonical request cr, and the hash the string to sign holds. */
static void sign(const asl_buf *cr, char sig[65], char cr_hash[65])
{
    unsigned char key[32];
    asl_sigv4_signing_key(key, SECRET, "20150830", "us-east-1", "service");
    asl_sigv4_signature(sig, key, DATE, SCOPE, cr->data, cr->len);
    asl_sigv4_sha256_hex(cr_hash, cr->data, cr->len);
}

static void test_signing_key(void)
{
    unsigned char key[32];
    char hex[65];
    asl_sigv4_signing_key(key, SECRET, "20120215", "us-east-1", "iam");
    asl_sigv4_hex(hex, key, sizeof key);
    CHECK_STR(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static void test_get_vanilla(void)
{
    asl_buf cr;
    char sig[65], hash[65];
    canonical(&cr, "GET", NULL, NULL);
    CHECK_STR(cr.data, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:" DATE
                       "\n\nhost;x-amz-date\n" EMPTY_SHA256);
    sign(&cr, sig, hash);
    CHECK_STR(hash, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK_STR(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    asl_buf_free(&cr);
}

static void test_query_order(void)
{
    asl_buf cr;
    char sig[65], hash[65];
    canonical(&cr, "GET", "Param2=value2&Param1=value1", NULL);
    CHECK(strstr(cr.data, "\n/\nParam1=value1&Param2=value2\n") != NULL);
    sign(&cr, sig, hash);
    CHECK_STR(hash, "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
    CHECK_STR(sig, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    asl_buf_free(&cr);

    /* "a" before "a-b" ('-' sorts before '='), a repeated name by value,
     * a name without '=' given an empty value, "&&" no parameter */
    canonical(&cr, "GET", "a-b=2&a=1&&a=0&b", NULL);
    CHECK(strstr(cr.data, "\n/\na=0&a=1&a-b=2&b=\n") != NULL);
    sign(&cr, sig, hash);
    CHECK_STR(sig, "95396f93a9a61a9a2cb8b0e7eab1705a23f8ca667d38ab5f461a01d92f4f31fe");
    asl_buf_free(&cr);
}

static void test_post_body(void)
{
    asl_buf cr;
    char sig[65], hash[65];
    canonical(&cr, "POST", NULL, "Param1=value1");
    CHECK(strstr(cr.data, "\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e") !=
          NULL);
    sign(&cr, sig, hash);
    CHECK_STR(sig, "35cd3548c03fab225ffc85a6c77a7fa81d3ced84499e0eef4597253c2eb5e28e");
    asl_buf_free(&cr);
}

static void test_uri_encode(void)
{
    const char *raw = "/dir/a b+c=\xc3\xbc~._-:";
    asl_buf b;
    asl_buf_init(&b);
    asl_sigv4_uri_encode(&b, raw, strlen(raw), true);
    asl_buf_putc(&b, '\0');
    CHECK_STR(b.data, "/dir/a%20b%2Bc%3D%C3%BC~._-%3A");
    b.len = 0;
    asl_sigv4_uri_encode(&b, raw, strlen(raw), false);
    asl_buf_putc(&b, '\0');
    CHECK_STR(b.data, "%2Fdir%2Fa%20b%2Bc%3D%C3%BC~._-%3A");

    /* decoded parameters (as libmicrohttpd gives aslc serve) encoded here */
    b.len = 0;
    asl_sigv4_query q = {0};
    asl_sigv4_query_add(&q, "tag", 3, "c", 1, true);
    asl_sigv4_query_add(&q, "tag", 3, "a b", 3, true);
    asl_sigv4_query_add(&q, "x/y", 3, "", 0, true);
    asl_sigv4_query_put(&b, &q);
    asl_buf_putc(&b, '\0');
    CHECK_STR(b.data, "tag=a%20b&tag=c&x%2Fy=");
    CHECK(q.n == 0 && q.p == NULL);
    asl_buf_free(&b);
}

int main(void)
{
    test_signing_key();
    test_get_vanilla();
    test_query_order();
    test_post_body();
    test_uri_encode();
    return check_summary();
}
