/*
 * parquet.c — a Distributed Map's ItemReader over Parquet files (ReaderConfig
 * InputType "PARQUET"): each row is an item, an object of column name ->
 * value.  Debian ships no Parquet library, so this is a small reader of the
 * format (parquet-format's parquet.thrift and Encodings.md), for the flat
 * tables that Athena UNLOAD, Spark, pandas and DuckDB write:
 *
 *   the footer      "PAR1", the FileMetaData in Thrift's compact protocol,
 *                   its length, "PAR1";
 *   row groups      one column chunk per column, each a run of pages:
 *                   a dictionary page, then data pages v1 and v2;
 *   encodings       PLAIN, RLE_DICTIONARY / PLAIN_DICTIONARY (indices in the
 *                   RLE/bit-packed hybrid), RLE booleans, DELTA_BINARY_PACKED,
 *                   DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
 *                   BYTE_STREAM_SPLIT; definition levels in RLE;
 *   compression     UNCOMPRESSED, SNAPPY (decoded here: libsnappy is C++),
 *                   GZIP (zlib), ZSTD (libzstd).
 *
 * Values, as a Java reader turning Parquet into JSON gives them (AWS does not
 * document its rendering; docs/tasks.md says what was chosen and why):
 * BOOLEAN true/false; integers numbers, exact to 64 bits (UINT_* unsigned);
 * FLOAT and DOUBLE numbers (NaN and the infinities the strings "NaN",
 * "Infinity", "-Infinity", as Jackson writes them); STRING, ENUM, JSON and
 * UUID strings; DECIMAL an exact number with its scale's digits (1.50);
 * DATE "YYYY-MM-DD"; TIME "HH:MM:SS.fff[fff[fff]]"; TIMESTAMP and INT96
 * "YYYY-MM-DDTHH:MM:SS.fff[fff[fff]]Z" ("Z" only when adjusted to UTC; INT96
 * is); other binary Base64; a null null.
 *
 * What it does not read fails with a message naming the column and what is
 * not supported, never a wrong item: nested columns (groups, repeated
 * fields: lists, maps, structs), the deprecated BIT_PACKED levels, the LZO,
 * BROTLI and LZ4 codecs, INTERVAL.  Every length and offset comes
 * from the file and is checked against it before use (fuzz/fuzz_parquet.c).
 */
#include "itemio.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#define PQ_MAX_PAGE (64u << 20)     /* an uncompressed page (writers make them of about 1 MiB) */
#define PQ_MAX_COLUMNS 10000u
#define PQ_MAX_DEPTH 32             /* Thrift structs within structs */

/* ---- errors ---------------------------------------------------------------- */

typedef struct {
    char *msg;   /* the first failure, or "" */
    size_t cap;
} pq_err;

static bool fail(pq_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(pq_err *e, const char *fmt, ...)
{
    if (e->msg[0]) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, e->cap, fmt, ap);
    va_end(ap);
    if (!e->msg[0] && e->cap > 1) snprintf(e->msg, e->cap, "?");
    return false;
}

/* ---- Thrift compact protocol ----------------------------------------------- */

enum { T_STOP, T_TRUE, T_FALSE, T_BYTE, T_I16, T_I32, T_I64, T_DOUBLE, T_BINARY, T_LIST, T_SET,
       T_MAP, T_STRUCT };

typedef struct {
    const uint8_t *p, *end;
    bool bad;
    int depth;
} rd;

static uint64_t varint(rd *r)
{
    uint64_t v = 0;
    for (int s = 0; s < 64; s += 7) {
        if (r->p >= r->end) break;
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) return v;
    }
    r->bad = true;
    return 0;
}

static int64_t zigzag(rd *r)
{
    uint64_t v = varint(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A binary's bytes (pointing into the input), *n its length. */
static const uint8_t *binary(rd *r, size_t *n)
{
    uint64_t len = varint(r);
    if (r->bad || len > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        *n = 0;
        return NULL;
    }
    const uint8_t *s = r->p;
    r->p += len;
    *n = (size_t)len;
    return s;
}

/* A list's header: the element type in *et, the count returned. */
static uint32_t list_head(rd *r, int *et)
{
    if (r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    uint8_t b = *r->p++;
    *et = b & 0x0f;
    uint64_t n = b >> 4;
    if (n == 15) n = varint(r);
    if (n > (uint64_t)(r->end - r->p)) {   /* each element takes a byte at least */
        r->bad = true;
        return 0;
    }
    return (uint32_t)n;
}

static void skip(rd *r, int type);

static void skip_struct(rd *r)
{
    if (++r->depth > PQ_MAX_DEPTH) {
        r->bad = true;
        return;
    }
    while (!r->bad) {
        if (r->p >= r->end) {
            r->bad = true;
            break;
        }
        uint8_t b = *r->p++;
        if (b == T_STOP) break;
        if ((b >> 4) == 0) zigzag(r);   /* a long-form field id */
        skip(r, b & 0x0f);
    }
    r->depth--;
}

static void skip(rd *r, int type)
{
    size_t n;
    int et;
    switch (type) {
    case T_TRUE: case T_FALSE: break;
    case T_BYTE:
        if (r->p < r->end) r->p++;
        else r->bad = true;
        break;
    case T_I16: case T_I32: case T_I64: varint(r); break;
    case T_DOUBLE:
        if (r->end - r->p >= 8) r->p += 8;
        else r->bad = true;
        break;
    case T_BINARY: binary(r, &n); break;
    case T_LIST: case T_SET: {
        uint32_t k = list_head(r, &et);
        if (++r->depth > PQ_MAX_DEPTH) r->bad = true;
        for (uint32_t i = 0; i < k && !r->bad; i++) {
            if (et == T_TRUE || et == T_FALSE) skip(r, T_BYTE);   /* a bool element is a byte */
            else skip(r, et);
        }
        r->depth--;
        break;
    }
    case T_MAP: {
        uint64_t k = varint(r);
        if (k == 0) break;
        if (r->p >= r->end || k > (uint64_t)(r->end - r->p)) {
            r->bad = true;
            break;
        }
        uint8_t kv = *r->p++;
        if (++r->depth > PQ_MAX_DEPTH) r->bad = true;
        for (uint64_t i = 0; i < k && !r->bad; i++) {
            skip(r, kv >> 4);
            skip(r, kv & 0x0f);
        }
        r->depth--;
        break;
    }
    case T_STRUCT: skip_struct(r); break;
    default: r->bad = true;
    }
}

/* The next field of a struct: its id in *id (from the previous id *last),
 * its type returned; T_STOP at the struct's end (or on broken input). */
static int field(rd *r, int *last, int *id)
{
    if (r->bad || r->p >= r->end) {
        r->bad = true;
        return T_STOP;
    }
    uint8_t b = *r->p++;
    if (b == T_STOP) return T_STOP;
    int d = b >> 4;
    *id = d ? *last + d : (int)zigzag(r);
    *last = *id;
    return b & 0x0f;
}

static int64_t int_field(rd *r, int type)
{
    if (type == T_I16 || type == T_I32 || type == T_I64) return zigzag(r);
    if (type == T_BYTE) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        return (int8_t)*r->p++;
    }
    skip(r, type);
    r->bad = true;   /* a field of another type than parquet.thrift's */
    return 0;
}

/* ---- the metadata ---------------------------------------------------------- */

enum { PT_BOOLEAN, PT_INT32, PT_INT64, PT_INT96, PT_FLOAT, PT_DOUBLE, PT_BYTE_ARRAY, PT_FLBA };
enum { CT_UTF8, CT_MAP, CT_MAP_KEY_VALUE, CT_LIST, CT_ENUM, CT_DECIMAL, CT_DATE, CT_TIME_MILLIS,
       CT_TIME_MICROS, CT_TIMESTAMP_MILLIS, CT_TIMESTAMP_MICROS, CT_UINT_8, CT_UINT_16, CT_UINT_32,
       CT_UINT_64, CT_INT_8, CT_INT_16, CT_INT_32, CT_INT_64, CT_JSON, CT_BSON, CT_INTERVAL };
/* What a column's values are, from its logical or converted type. */
typedef enum { K_PLAIN, K_STRING, K_DECIMAL, K_DATE, K_TIME, K_TIMESTAMP, K_UNSIGNED, K_UUID,
               K_FLOAT16, K_UNSUPPORTED } kind;

typedef struct {
    const char *name;
    int type, type_length, repetition, num_children, converted, scale;
    bool has_type, has_converted;
    int logical;          /* LogicalType's union field id, 0: none */
    int unit;             /* TIME/TIMESTAMP: 3 ms, 6 us, 9 ns digits */
    bool utc;             /* TIME/TIMESTAMP isAdjustedToUTC */
    bool int_signed;      /* INTEGER's isSigned */
    int lscale;           /* DECIMAL's scale, from the logical type */
    kind k;
} pq_col;

typedef struct {
    int64_t num_values, data_off, dict_off, size;
    int codec, type;
    bool has_meta;
} pq_chunk;

typedef struct {
    int64_t num_rows;
    pq_chunk *chunks;
    uint32_t nchunks;
} pq_group;

static void time_unit(rd *r, pq_col *c)
{
    int last = 0, id = 0, t;
    while ((t = field(r, &last, &id)) != T_STOP) {
        if (id == 1) c->unit = 3;
        else if (id == 2) c->unit = 6;
        else if (id == 3) c->unit = 9;
        skip(r, t);
    }
}

/* TimeType / TimestampType: {1: isAdjustedToUTC, 2: unit}. */
static void time_type(rd *r, pq_col *c)
{
    int last = 0, id = 0, t;
    while ((t = field(r, &last, &id)) != T_STOP) {
        if (id == 1 && (t == T_TRUE || t == T_FALSE)) c->utc = t == T_TRUE;
        else if (id == 2 && t == T_STRUCT) time_unit(r, c);
        else skip(r, t);
    }
}

static void logical_type(rd *r, pq_col *c)
{
    int last = 0, id = 0, t;
    while ((t = field(r, &last, &id)) != T_STOP) {
        if (t != T_STRUCT) {
            skip(r, t);
            continue;
        }
        c->logical = id;
        int l2 = 0, i2 = 0, t2;
        if (id == 7 || id == 8) {   /* TIME, TIMESTAMP */
            time_type(r, c);
            continue;
        }
        while ((t2 = field(r, &l2, &i2)) != T_STOP) {
            if (id == 5 && i2 == 1) c->lscale = (int)int_field(r, t2);        /* DecimalType.scale */
            else if (id == 10 && i2 == 2 && (t2 == T_TRUE || t2 == T_FALSE))  /* IntType.isSigned */
                c->int_signed = t2 == T_TRUE;
            else skip(r, t2);
        }
    }
}

static void schema_element(rd *r, asl_arena *a, pq_col *c)
{
    memset(c, 0, sizeof *c);
    c->name = "";
    c->int_signed = true;
    int last = 0, id = 0, t;
    size_t n;
    while ((t = field(r, &last, &id)) != T_STOP) {
        switch (id) {
        case 1: c->type = (int)int_field(r, t); c->has_type = true; break;
        case 2: c->type_length = (int)int_field(r, t); break;
        case 3: c->repetition = (int)int_field(r, t); break;
        case 4: {
            if (t != T_BINARY) {
                skip(r, t);
                r->bad = true;
                break;
            }
            const uint8_t *s = binary(r, &n);
            if (s) c->name = asl_strndup(a, (const char *)s, n);
            break;
        }
        case 5: c->num_children = (int)int_field(r, t); break;
        case 6: c->converted = (int)int_field(r, t); c->has_converted = true; break;
        case 7: c->scale = (int)int_field(r, t); break;
        case 10:
            if (t == T_STRUCT) logical_type(r, c);
            else skip(r, t);
            break;
        default: skip(r, t);
        }
    }
}

static void column_meta(rd *r, pq_chunk *k)
{
    int last = 0, id = 0, t;
    k->has_meta = true;
    while ((t = field(r, &last, &id)) != T_STOP) {
        switch (id) {
        case 1: k->type = (int)int_field(r, t); break;
        case 4: k->codec = (int)int_field(r, t); break;
        case 5: k->num_values = int_field(r, t); break;
        case 7: k->size = int_field(r, t); break;
        case 9: k->data_off = int_field(r, t); break;
        case 11: k->dict_off = int_field(r, t); break;
        default: skip(r, t);
        }
    }
}

static void column_chunk(rd *r, pq_chunk *k)
{
    memset(k, 0, sizeof *k);
    int last = 0, id = 0, t;
    while ((t = field(r, &last, &id)) != T_STOP) {
        if (id == 1) r->bad = true;   /* file_path: the chunk is in another file */
        if (id == 3 && t == T_STRUCT) column_meta(r, k);
        else skip(r, t);
    }
}

static void row_group(rd *r, asl_arena *a, pq_group *g)
{
    memset(g, 0, sizeof *g);
    int last = 0, id = 0, t, et;
    while ((t = field(r, &last, &id)) != T_STOP) {
        if (id == 1 && t == T_LIST) {
            uint32_t n = list_head(r, &et);
            if (et != T_STRUCT || n > PQ_MAX_COLUMNS) {
                r->bad = true;
                break;
            }
            g->chunks = asl_alloc(a, (n ? n : 1) * sizeof *g->chunks);
            g->nchunks = n;
            for (uint32_t i = 0; i < n && !r->bad; i++) column_chunk(r, &g->chunks[i]);
        } else if (id == 3) {
            g->num_rows = int_field(r, t);
        } else {
            skip(r, t);
        }
    }
}

/* ---- pages ----------------------------------------------------------------- */

typedef struct {
    int type, usize, csize;
    int num_values, encoding, def_enc;          /* v1 and v2 */
    int def_len, rep_len;                       /* v2 */
    bool compressed;                            /* v2 */
} pq_page;

enum { PG_DATA = 0, PG_INDEX = 1, PG_DICT = 2, PG_DATA_V2 = 3 };
enum { E_PLAIN = 0, E_PLAIN_DICT = 2, E_RLE = 3, E_BIT_PACKED = 4, E_RLE_DICT = 8 };

static void page_header(rd *r, pq_page *h)
{
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->compressed = true;
    int last = 0, id = 0, t;
    while ((t = field(r, &last, &id)) != T_STOP) {
        if (id == 1) h->type = (int)int_field(r, t);
        else if (id == 2) h->usize = (int)int_field(r, t);
        else if (id == 3) h->csize = (int)int_field(r, t);
        else if ((id == 5 || id == 7 || id == 8) && t == T_STRUCT) {
            int l2 = 0, i2 = 0, t2;
            while ((t2 = field(r, &l2, &i2)) != T_STOP) {
                if (i2 == 1) h->num_values = (int)int_field(r, t2);
                else if (id == 5 && i2 == 2) h->encoding = (int)int_field(r, t2);
                else if (id == 5 && i2 == 3) h->def_enc = (int)int_field(r, t2);
                else if (id == 7 && i2 == 2) h->encoding = (int)int_field(r, t2);
                else if (id == 8 && i2 == 4) h->encoding = (int)int_field(r, t2);
                else if (id == 8 && i2 == 5) h->def_len = (int)int_field(r, t2);
                else if (id == 8 && i2 == 6) h->rep_len = (int)int_field(r, t2);
                else if (id == 8 && i2 == 7 && (t2 == T_TRUE || t2 == T_FALSE)) h->compressed = t2 == T_TRUE;
                else skip(r, t2);
            }
        } else {
            skip(r, t);
        }
    }
}

/* Snappy's raw format (format_description.txt): a varint length, then
 * literals and back-references.  Into out, exactly n bytes. */
static bool unsnappy(const uint8_t *p, size_t len, uint8_t *out, size_t n)
{
    rd r = {p, p + len, false, 0};
    if (varint(&r) != n || r.bad) return false;
    p = r.p;
    const uint8_t *end = r.end;
    size_t o = 0;
    while (p < end) {
        uint8_t tag = *p++;
        size_t l, off;
        if ((tag & 3) == 0) {
            l = (size_t)(tag >> 2) + 1;
            if (l > 60) {
                size_t nb = l - 60;
                if ((size_t)(end - p) < nb) return false;
                l = 0;
                for (size_t i = 0; i < nb; i++) l |= (size_t)p[i] << (8 * i);
                l++;
                p += nb;
            }
            if ((size_t)(end - p) < l || n - o < l) return false;
            memcpy(out + o, p, l);
            p += l;
            o += l;
            continue;
        }
        if ((tag & 3) == 1) {
            if (end - p < 1) return false;
            l = (size_t)((tag >> 2) & 7) + 4;
            off = ((size_t)(tag >> 5) << 8) | p[0];
            p += 1;
        } else if ((tag & 3) == 2) {
            if (end - p < 2) return false;
            l = (size_t)(tag >> 2) + 1;
            off = (size_t)p[0] | (size_t)p[1] << 8;
            p += 2;
        } else {
            if (end - p < 4) return false;
            l = (size_t)(tag >> 2) + 1;
            off = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            p += 4;
        }
        if (off == 0 || off > o || n - o < l) return false;
        for (size_t i = 0; i < l; i++, o++) out[o] = out[o - off];   /* may overlap */
    }
    return o == n;
}

static bool gunzip_to(const uint8_t *p, size_t len, uint8_t *out, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) return false;   /* gzip or zlib header */
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)n;
    int rc = inflate(&z, Z_FINISH);
    bool ok = rc == Z_STREAM_END && z.avail_out == 0;
    inflateEnd(&z);
    return ok;
}

/* The n bytes that len bytes at p compress under codec, in a malloc'd buffer
 * (the caller frees it); NULL with e set. */
static uint8_t *decompress(pq_err *e, const pq_col *c, int codec, const uint8_t *p, size_t len,
                           size_t n)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4",
                                        "ZSTD", "LZ4_RAW"};
    if (codec < 0 || codec > 7 || codec == 3 || codec == 4 || codec == 5 || codec == 7) {
        fail(e, "column \"%s\" is compressed with %s, which aslc does not read (it reads "
             "UNCOMPRESSED, SNAPPY, GZIP and ZSTD)", c->name,
             codec >= 0 && codec <= 7 ? names[codec] : "an unknown codec");
        return NULL;
    }
    uint8_t *out = malloc(n ? n : 1);
    if (!out) {
        fail(e, "column \"%s\": out of memory for a page of %zu bytes", c->name, n);
        return NULL;
    }
    bool ok;
    if (codec == 0) ok = len == n && (memcpy(out, p, n), true);
    else if (codec == 1) ok = unsnappy(p, len, out, n);
    else if (codec == 2) ok = gunzip_to(p, len, out, n);
    else ok = n == 0 ? len == 0 || !ZSTD_isError(ZSTD_decompress(out, 0, p, len))
                     : ZSTD_decompress(out, n, p, len) == n;
    if (!ok) {
        free(out);
        fail(e, "a page of column \"%s\" is not valid %s data of the size its header says", c->name,
             names[codec]);
        return NULL;
    }
    return out;
}

/* The RLE / bit-packed hybrid (Encodings.md). */
typedef struct {
    const uint8_t *p, *end;
    int width;
    uint32_t run;          /* values left in this run */
    bool packed;
    uint32_t value;        /* an RLE run's value */
    const uint8_t *bits;   /* a bit-packed run's next group */
    uint32_t bit;          /* the bit offset in it */
} hybrid;

static bool hy_next(hybrid *h, uint32_t *v)
{
    if (h->run == 0) {
        rd r = {h->p, h->end, false, 0};
        uint64_t hd = varint(&r);
        if (r.bad) return false;
        h->p = r.p;
        if (hd & 1) {
            uint64_t groups = hd >> 1, bytes = groups * (uint64_t)h->width;
            if (groups == 0 || groups > (1u << 26) || bytes > (uint64_t)(h->end - h->p)) return false;
            h->packed = true;
            h->run = (uint32_t)(groups * 8);
            h->bits = h->p;
            h->bit = 0;
            h->p += bytes;
        } else {
            uint64_t n = hd >> 1;
            int nb = (h->width + 7) / 8;
            if (n == 0 || n > UINT32_MAX || nb > h->end - h->p) return false;
            h->packed = false;
            h->run = (uint32_t)n;
            h->value = 0;
            for (int i = 0; i < nb; i++) h->value |= (uint32_t)h->p[i] << (8 * i);
            h->p += nb;
        }
    }
    h->run--;
    if (!h->packed) {
        *v = h->value;
        return true;
    }
    uint64_t x = 0;
    for (int i = 0; i < h->width; i++, h->bit++)
        x |= (uint64_t)((h->bits[h->bit >> 3] >> (h->bit & 7)) & 1) << i;
    *v = (uint32_t)x;
    return true;
}

/* ---- values ---------------------------------------------------------------- */

static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;   /* Howard Hinnant's civil_from_days */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int date_text(char *b, size_t n, int64_t days)
{
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    return snprintf(b, n, "%04" PRId64 "-%02u-%02u", y, m, d);
}

/* HH:MM:SS and the fraction of `digits` digits, from units of 10^-digits s
 * within a day. */
static int time_text(char *b, size_t n, int64_t t, int digits)
{
    int64_t scale = digits == 3 ? 1000 : digits == 6 ? 1000000 : 1000000000;
    int64_t s = t / scale, f = t % scale;
    return snprintf(b, n, "%02d:%02d:%02d.%0*" PRId64, (int)(s / 3600), (int)(s / 60 % 60),
                    (int)(s % 60), digits, f);
}

static asl_value *timestamp(asl_arena *a, int64_t t, int digits, bool utc)
{
    int64_t scale = digits == 3 ? 1000 : digits == 6 ? 1000000 : 1000000000;
    int64_t days = t / (scale * 86400), rem = t % (scale * 86400);
    if (rem < 0) {
        rem += scale * 86400;
        days--;
    }
    char b[96];
    int k = date_text(b, sizeof b, days);
    b[k++] = 'T';
    k += time_text(b + k, sizeof b - (size_t)k, rem, digits);
    if (utc) b[k++] = 'Z';
    return asl_string(a, b, (size_t)k);
}

static asl_value *int_text(asl_arena *a, int64_t v, bool is_unsigned, int bits)
{
    char b[32];
    int k;
    if (is_unsigned) {
        uint64_t u = bits == 64 ? (uint64_t)v : (uint64_t)v & 0xffffffffu;
        k = snprintf(b, sizeof b, "%" PRIu64, u);
        return asl_number_text(a, (double)u, b, (size_t)k);
    }
    if (v >= -(INT64_C(1) << 53) && v <= (INT64_C(1) << 53)) return asl_number_int(a, (double)v);
    k = snprintf(b, sizeof b, "%" PRId64, v);
    return asl_number_text(a, (double)v, b, (size_t)k);
}

static asl_value *double_value(asl_arena *a, double d, bool is_float)
{
    if (isnan(d)) return asl_string(a, "NaN", 3);
    if (isinf(d)) return d > 0 ? asl_string(a, "Infinity", 8) : asl_string(a, "-Infinity", 9);
    if (d == floor(d) && fabs(d) < 1e15) return asl_number(a, d);
    /* The shortest text that reads back the same.  %g drops trailing zeros,
     * so when the shortest has at most 15 digits (6 for a float), %.15g
     * (%.6g) already gives it: the value lies within half an ulp of it, far
     * less than half a unit of the 15th (6th) digit. */
    char b[40];
    int k = 0;
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        k = snprintf(b, sizeof b, "%.*g", prec, d);
        double back = strtod(b, NULL);
        if (is_float ? (float)back == (float)d : back == d) break;
    }
    return asl_number_text(a, d, b, (size_t)k);
}

/* A big-endian two's complement integer of n bytes (n <= 16) with scale
 * digits after the point: an exact number. */
static asl_value *decimal(asl_arena *a, const uint8_t *p, size_t n, int scale)
{
    unsigned __int128 u = n && (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (size_t i = 0; i < n; i++) u = u << 8 | p[i];
    bool neg = n && (p[0] & 0x80);
    if (neg) u = ~u + 1;
    char digits[48];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (nd <= scale) digits[nd++] = '0';
    char b[96];
    int k = 0;
    if (neg) b[k++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        b[k++] = digits[i];
        if (i == scale && scale > 0) b[k++] = '.';
    }
    return asl_number_text(a, strtod(b, NULL), b, (size_t)k);
}

static asl_value *base64(asl_arena *a, const uint8_t *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s;
    asl_value *v = asl_string_room(a, (n + 2) / 3 * 4, true, &s);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t x = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        s[k++] = t[x >> 18];
        s[k++] = t[(x >> 12) & 63];
        s[k++] = i + 1 < n ? t[(x >> 6) & 63] : '=';
        s[k++] = i + 2 < n ? t[x & 63] : '=';
    }
    return v;
}

/* Well-formed UTF-8 (Unicode table 3-7: no overlong forms, surrogates or
 * code points past U+10FFFF). */
static bool utf8_ok(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (!len || n - i < len) return false;
        uint8_t lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80, hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        if (p[i + 1] < lo || p[i + 1] > hi) return false;
        for (size_t j = 2; j < len; j++)
            if ((p[i + j] & 0xc0) != 0x80) return false;
        i += len;
    }
    return true;
}

static int64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return (int64_t)v;
}

/* The bytes one value of c's fixed-width type takes; 0 for BOOLEAN and
 * BYTE_ARRAY. */
static size_t width(const pq_col *c)
{
    switch (c->type) {
    case PT_INT32: case PT_FLOAT: return 4;
    case PT_INT64: case PT_DOUBLE: return 8;
    case PT_INT96: return 12;
    case PT_FLBA: return (size_t)c->type_length;
    default: return 0;
    }
}

/* The value of c held in the n bytes at p (BYTE_ARRAY's bytes, or
 * FIXED_LEN_BYTE_ARRAY's); NULL with e set when it cannot be shown. */
static asl_value *bytes_value(asl_arena *a, pq_err *e, const pq_col *c, const uint8_t *p, size_t n)
{
    char b[96];
    if (c->k == K_STRING) {
        if (!utf8_ok(p, n)) return fail(e, "column \"%s\" holds a string that is not UTF-8", c->name), NULL;
        return asl_string(a, (const char *)p, n);
    }
    if (c->k == K_DECIMAL) {
        if (n > 16) return fail(e, "column \"%s\" holds a DECIMAL of more than 16 bytes, which aslc does not read", c->name), NULL;
        return decimal(a, p, n, c->logical == 5 ? c->lscale : c->scale);
    }
    if (c->k == K_UUID && n == 16) {
        int k = 0;
        for (size_t i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) b[k++] = '-';
            k += snprintf(b + k, sizeof b - (size_t)k, "%02x", p[i]);
        }
        return asl_string(a, b, (size_t)k);
    }
    if (c->k == K_FLOAT16 && n == 2) {
        unsigned h = p[0] | (unsigned)p[1] << 8, ex = (h >> 10) & 31, m = h & 1023;
        double d = ex == 0 ? ldexp(m, -24) : ex == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, (int)ex - 25);
        return double_value(a, h & 0x8000 ? -d : d, true);
    }
    return base64(a, p, n);
}

/* The value of c's fixed-width type held little-endian in width(c) bytes
 * at p. */
static asl_value *fixed_value(asl_arena *a, pq_err *e, const pq_col *c, const uint8_t *p)
{
    int scale = c->logical == 5 ? c->lscale : c->scale;
    char b[96];
    switch (c->type) {
    case PT_INT32: {
        int32_t v = (int32_t)le(p, 4);
        if (c->k == K_DATE) return asl_string(a, b, (size_t)date_text(b, sizeof b, v));
        if (c->k == K_TIME) return asl_string(a, b, (size_t)time_text(b, sizeof b, v, 3));
        if (c->k == K_DECIMAL) {
            uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
            return decimal(a, be, 4, scale);
        }
        return int_text(a, v, c->k == K_UNSIGNED, 32);
    }
    case PT_INT64: {
        int64_t v = le(p, 8);
        if (c->k == K_TIMESTAMP) return timestamp(a, v, c->unit, c->utc);
        if (c->k == K_TIME) return asl_string(a, b, (size_t)time_text(b, sizeof b, v, c->unit));
        if (c->k == K_DECIMAL) {
            uint8_t be[8];
            for (int i = 0; i < 8; i++) be[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
            return decimal(a, be, 8, scale);
        }
        return int_text(a, v, c->k == K_UNSIGNED, 64);
    }
    case PT_INT96: {
        int64_t nanos = le(p, 8), jday = (int32_t)le(p + 8, 4);
        if (nanos < 0 || nanos >= INT64_C(86400000000000)) return fail(e, "column \"%s\" holds an INT96 timestamp whose time of day is out of range", c->name), NULL;
        int64_t days = jday - 2440588;   /* the Julian day of 1970-01-01 */
        int k = date_text(b, sizeof b, days);
        b[k++] = 'T';
        k += time_text(b + k, sizeof b - (size_t)k, nanos, 9);
        b[k++] = 'Z';
        return asl_string(a, b, (size_t)k);
    }
    case PT_FLOAT: {
        uint32_t u = (uint32_t)le(p, 4);
        float f;
        memcpy(&f, &u, 4);
        return double_value(a, f, true);
    }
    case PT_DOUBLE: {
        uint64_t u = (uint64_t)le(p, 8);
        double d;
        memcpy(&d, &u, 8);
        return double_value(a, d, false);
    }
    default:
        return bytes_value(a, e, c, p, (size_t)c->type_length);
    }
}

/* One PLAIN value of c at *p (before end): the value, *p moved past it;
 * NULL with e set when the bytes run out or the value cannot be shown. */
static asl_value *plain_value(asl_arena *a, pq_err *e, const pq_col *c, const uint8_t **pp,
                              const uint8_t *end, uint32_t *bitpos)
{
    const uint8_t *p = *pp;
    size_t left = (size_t)(end - p), n;
    if (c->type == PT_BOOLEAN) {
        if (left > 0) {
            bool v = (p[0] >> *bitpos) & 1;
            if (++*bitpos == 8) {
                *bitpos = 0;
                *pp = p + 1;
            }
            return asl_bool(v);
        }
    } else if (c->type == PT_BYTE_ARRAY) {
        if (left >= 4 && (n = (uint32_t)le(p, 4)) <= left - 4) {
            *pp = p + 4 + n;
            return bytes_value(a, e, c, p + 4, n);
        }
    } else if ((n = width(c)) <= left) {
        *pp = p + n;
        return fixed_value(a, e, c, p);
    }
    fail(e, "column \"%s\": a page ends in the middle of a value", c->name);
    return NULL;
}

/* DELTA_BINARY_PACKED (Encodings.md): a header <block size> <miniblocks a
 * block> <count> <first value>, then blocks of <min delta> <one bit width a
 * miniblock> <the miniblocks, bit-packed>; each value is the previous plus
 * min delta plus its packed delta, in wrapping 64-bit arithmetic. */
typedef struct {
    const uint8_t *p, *end;
    uint64_t per_block, nmini, per_mini, left;
    uint64_t last, min_delta;
    const uint8_t *widths;     /* this block's */
    uint64_t mini;             /* the miniblock in use (nmini: a new block next) */
    uint64_t in_mini;          /* values read from it */
    const uint8_t *bits;       /* its bytes */
    unsigned bits_width;       /* and its bit width */
    bool started;
} delta;

static bool delta_init(delta *d, const uint8_t *p, const uint8_t *end)
{
    memset(d, 0, sizeof *d);
    rd r = {p, end, false, 0};
    d->per_block = varint(&r);
    d->nmini = varint(&r);
    d->left = varint(&r);
    d->last = (uint64_t)zigzag(&r);
    if (r.bad || d->per_block == 0 || d->per_block > (1u << 20) || d->nmini == 0 ||
        d->per_block % d->nmini || (d->per_block / d->nmini) % 8)
        return false;
    d->per_mini = d->per_block / d->nmini;
    d->p = r.p;
    d->end = end;
    d->mini = d->nmini;
    d->in_mini = d->per_mini;
    return true;
}

static bool delta_next(delta *d, uint64_t *v)
{
    if (d->left == 0) return false;
    d->left--;
    if (!d->started) {
        d->started = true;
        *v = d->last;
        return true;
    }
    if (d->in_mini == d->per_mini) {   /* the next miniblock, in this block or a new one */
        if (d->mini == d->nmini) {
            rd r = {d->p, d->end, false, 0};
            d->min_delta = (uint64_t)zigzag(&r);
            if (r.bad || (uint64_t)(d->end - r.p) < d->nmini) return false;
            d->widths = r.p;
            d->p = r.p + d->nmini;
            d->mini = 0;
        }
        unsigned w = d->widths[d->mini++];
        if (w > 64) return false;
        /* the last miniblock may stop at the last value (no padding bytes) */
        uint64_t vals = d->left + 1 < d->per_mini ? d->left + 1 : d->per_mini;
        uint64_t bytes = (vals * w + 7) / 8, full = d->per_mini * w / 8;
        if ((uint64_t)(d->end - d->p) < bytes) return false;
        d->bits = d->p;
        d->p += (uint64_t)(d->end - d->p) < full ? (uint64_t)(d->end - d->p) : full;
        d->in_mini = 0;
        d->bits_width = w;
    }
    uint64_t x = 0, bit = d->in_mini++ * d->bits_width;
    for (unsigned i = 0; i < d->bits_width; i++, bit++)
        x |= (uint64_t)((d->bits[bit >> 3] >> (bit & 7)) & 1) << i;
    d->last += d->min_delta + x;
    *v = d->last;
    return true;
}

/* Where the DELTA_BINARY_PACKED run of a fresh d ends: its blocks walked,
 * not decoded (each takes a byte or more, so the walk is as long as the
 * bytes, whatever count the header claims); NULL when it passes them. */
static const uint8_t *delta_end(const delta *d)
{
    const uint8_t *p = d->p;
    uint64_t left = d->left ? d->left - 1 : 0;   /* the first value is in the header */
    while (left > 0) {
        rd r = {p, d->end, false, 0};
        zigzag(&r);
        if (r.bad || (uint64_t)(d->end - r.p) < d->nmini) return NULL;
        const uint8_t *w = r.p;
        p = r.p + d->nmini;
        for (uint64_t m = 0; m < d->nmini && left > 0; m++) {
            if (w[m] > 64) return NULL;
            uint64_t vals = left < d->per_mini ? left : d->per_mini;
            uint64_t bytes = (vals * w[m] + 7) / 8, full = d->per_mini * w[m] / 8;
            if ((uint64_t)(d->end - p) < bytes) return NULL;
            p += (uint64_t)(d->end - p) < full ? (uint64_t)(d->end - p) : full;
            left -= vals;
        }
    }
    return p;
}

/* What c's values are: its logical type, else its converted type. */
static bool classify(pq_err *e, pq_col *c)
{
    static const char *const lnames[] = {"", "STRING", "MAP", "LIST", "ENUM", "DECIMAL", "DATE", "TIME",
                                         "TIMESTAMP", "", "INTEGER", "UNKNOWN", "JSON", "BSON",
                                         "UUID", "FLOAT16", "VARIANT", "GEOMETRY", "GEOGRAPHY"};
    c->k = K_PLAIN;
    int l = c->logical;
    if (l == 1 || l == 4 || l == 12) c->k = K_STRING;
    else if (l == 5) c->k = K_DECIMAL;
    else if (l == 6) c->k = K_DATE;
    else if (l == 7) c->k = K_TIME;
    else if (l == 8) c->k = K_TIMESTAMP;
    else if (l == 10) c->k = c->int_signed ? K_PLAIN : K_UNSIGNED;
    else if (l == 14) c->k = K_UUID;
    else if (l == 15) c->k = K_FLOAT16;
    else if (l == 11 || l == 13) c->k = K_PLAIN;
    else if (l != 0) c->k = K_UNSUPPORTED;
    else if (c->has_converted) {
        switch (c->converted) {
        case CT_UTF8: case CT_ENUM: case CT_JSON: c->k = K_STRING; break;
        case CT_DECIMAL: c->k = K_DECIMAL; break;
        case CT_DATE: c->k = K_DATE; break;
        case CT_TIME_MILLIS: c->k = K_TIME; c->unit = 3; break;
        case CT_TIME_MICROS: c->k = K_TIME; c->unit = 6; break;
        case CT_TIMESTAMP_MILLIS: c->k = K_TIMESTAMP; c->unit = 3; c->utc = true; break;
        case CT_TIMESTAMP_MICROS: c->k = K_TIMESTAMP; c->unit = 6; c->utc = true; break;
        case CT_UINT_8: case CT_UINT_16: case CT_UINT_32: case CT_UINT_64: c->k = K_UNSIGNED; break;
        case CT_INT_8: case CT_INT_16: case CT_INT_32: case CT_INT_64: case CT_BSON: break;
        default: c->k = K_UNSUPPORTED;
        }
    }
    if (c->k == K_UNSUPPORTED)
        return fail(e, "column \"%s\" is of the logical type %s, which aslc does not read", c->name,
                    l > 0 && l <= 18 && lnames[l][0] ? lnames[l] : c->has_converted && c->converted == CT_INTERVAL ? "INTERVAL" : "(unknown)");
    /* the type each kind is stored as (parquet-format LogicalTypes.md) */
    bool ok = true;
    switch (c->k) {
    case K_STRING: ok = c->type == PT_BYTE_ARRAY || c->type == PT_FLBA; break;
    case K_DECIMAL: ok = c->type == PT_INT32 || c->type == PT_INT64 || c->type == PT_BYTE_ARRAY || c->type == PT_FLBA; break;
    case K_DATE: ok = c->type == PT_INT32; break;
    case K_TIME: ok = (c->type == PT_INT32 && c->unit == 3) || (c->type == PT_INT64 && c->unit >= 6); break;
    case K_TIMESTAMP: ok = c->type == PT_INT64 && c->unit; break;
    case K_UNSIGNED: ok = c->type == PT_INT32 || c->type == PT_INT64; break;
    default: break;
    }
    if (c->k == K_DECIMAL && ((c->logical == 5 ? c->lscale : c->scale) < 0 || (c->logical == 5 ? c->lscale : c->scale) > 38))
        ok = false;
    if (c->type < PT_BOOLEAN || c->type > PT_FLBA || (c->type == PT_FLBA && (c->type_length <= 0 || c->type_length > (1 << 20))))
        ok = false;
    if (!ok) return fail(e, "column \"%s\": its logical type does not fit its physical type %d", c->name, c->type);
    return true;
}

/* ---- a page's values ------------------------------------------------------ */

enum { E_DELTA_BINARY = 5, E_DELTA_LENGTH = 6, E_DELTA_BYTES = 7, E_SPLIT = 9 };

/* Where the non-null values of a data page come from, by its encoding. */
typedef struct {
    int enc;
    const uint8_t *p, *end;    /* PLAIN: the next value; DELTA_*: the bytes */
    uint32_t bit;              /* PLAIN booleans: the bit in *p */
    hybrid idx;                /* dictionary indices; RLE booleans */
    delta lens, prefixes;      /* DELTA_LENGTH / DELTA_BYTE_ARRAY: (suffix) lengths, prefix lengths */
    uint8_t *prev;             /* DELTA_BYTE_ARRAY: the previous value (malloc'd) */
    size_t prev_len, prev_cap;
    size_t count, next;        /* BYTE_STREAM_SPLIT: values in the page, the next one */
    const uint8_t *streams;
} values;

/* Sets v up over the page's value bytes [p, end); NULL, or what is not
 * supported (completing "column X ..."). */
static const char *values_init(values *v, const pq_col *c, int enc, const uint8_t *p,
                               const uint8_t *end, bool have_dict)
{
    memset(v, 0, sizeof *v);
    v->enc = enc;
    v->p = p;
    v->end = end;
    switch (enc) {
    case E_PLAIN: return NULL;
    case E_PLAIN_DICT: case E_RLE_DICT:
        if (!have_dict) return "has a dictionary-encoded page without a dictionary page";
        if (p >= end || *p > 32) return "has a dictionary-encoded page with a bad index width";
        v->idx = (hybrid){p + 1, end, *p, 0, false, 0, NULL, 0};
        return NULL;
    case E_RLE:
        /* booleans in RLE (what v2 pages hold): a 4-byte length, then the hybrid of width 1 */
        if (c->type != PT_BOOLEAN) return "has RLE values that are not booleans";
        if (end - p < 4 || (uint64_t)(uint32_t)le(p, 4) > (uint64_t)(end - p - 4))
            return "has a page whose RLE booleans pass its end";
        v->idx = (hybrid){p + 4, p + 4 + (uint32_t)le(p, 4), 1, 0, false, 0, NULL, 0};
        return NULL;
    case E_DELTA_BINARY:
        if (c->type != PT_INT32 && c->type != PT_INT64) return "has DELTA_BINARY_PACKED values that are not integers";
        if (!delta_init(&v->lens, p, end)) return "has a broken DELTA_BINARY_PACKED header";
        return NULL;
    case E_DELTA_LENGTH: case E_DELTA_BYTES: {
        if (c->type != PT_BYTE_ARRAY && (enc == E_DELTA_LENGTH || c->type != PT_FLBA))
            return "has DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY values of a type that has no length";
        const uint8_t *q = p;
        if (enc == E_DELTA_BYTES) {
            if (!delta_init(&v->prefixes, q, end) || !(q = delta_end(&v->prefixes)))
                return "has broken DELTA_BYTE_ARRAY prefix lengths";
        }
        if (!delta_init(&v->lens, q, end) || !(v->p = delta_end(&v->lens)))
            return "has broken DELTA_* lengths";
        return NULL;
    }
    case E_SPLIT: {
        size_t w = width(c);
        if (w == 0 || w > 64) return "has BYTE_STREAM_SPLIT values of a type without a fixed width aslc reads";
        if ((size_t)(end - p) % w) return "has a BYTE_STREAM_SPLIT page whose size is not a multiple of its values'";
        v->count = (size_t)(end - p) / w;
        v->streams = p;
        return NULL;
    }
    }
    return enc == E_BIT_PACKED ? "is encoded as BIT_PACKED, which aslc does not read"
                               : "is in an unknown encoding, which aslc does not read";
}

/* The next non-null value; NULL with e set. */
static asl_value *next_value(asl_arena *a, pq_err *e, const pq_col *c, values *v, asl_value **dict,
                             uint32_t ndict)
{
    uint32_t x;
    uint64_t u, pre;
    uint8_t tmp[64];
    switch (v->enc) {
    case E_PLAIN: return plain_value(a, e, c, &v->p, v->end, &v->bit);
    case E_PLAIN_DICT: case E_RLE_DICT:
        if (!hy_next(&v->idx, &x) || x >= ndict)
            return fail(e, "column \"%s\": a dictionary index is missing or out of range", c->name), NULL;
        return dict[x];
    case E_RLE:
        if (!hy_next(&v->idx, &x)) return fail(e, "column \"%s\": a page's RLE booleans end early", c->name), NULL;
        return asl_bool(x != 0);
    case E_DELTA_BINARY:
        if (!delta_next(&v->lens, &u)) return fail(e, "column \"%s\": a page's DELTA_BINARY_PACKED values end early", c->name), NULL;
        for (int i = 0; i < 8; i++) tmp[i] = (uint8_t)(u >> (8 * i));
        return fixed_value(a, e, c, tmp);
    case E_DELTA_LENGTH: case E_DELTA_BYTES: {
        pre = 0;
        if (!delta_next(&v->lens, &u) || (v->enc == E_DELTA_BYTES && !delta_next(&v->prefixes, &pre)) ||
            u > (uint64_t)(v->end - v->p) || pre > v->prev_len)
            return fail(e, "column \"%s\": a page's DELTA_* lengths pass its values", c->name), NULL;
        const uint8_t *bytes = v->p;
        v->p += u;
        size_t n = (size_t)(pre + u);
        if (v->enc == E_DELTA_BYTES) {   /* the previous value's prefix (in place), then the suffix */
            if (n > v->prev_cap) {
                size_t cap = n > 2 * v->prev_cap ? n : 2 * v->prev_cap;
                uint8_t *nb = realloc(v->prev, cap);
                if (!nb) return fail(e, "column \"%s\": out of memory", c->name), NULL;
                v->prev = nb;
                v->prev_cap = cap;
            }
            if (u) memcpy(v->prev + pre, bytes, (size_t)u);
            v->prev_len = n;
            bytes = v->prev;
        }
        if (c->type == PT_FLBA && n != (size_t)c->type_length)
            return fail(e, "column \"%s\": a DELTA_BYTE_ARRAY value is not of the column's length", c->name), NULL;
        return bytes_value(a, e, c, bytes, n);
    }
    case E_SPLIT: {
        size_t w = width(c);
        if (v->next >= v->count) return fail(e, "column \"%s\": a page's BYTE_STREAM_SPLIT values end early", c->name), NULL;
        for (size_t k = 0; k < w; k++) tmp[k] = v->streams[k * v->count + v->next];
        v->next++;
        return fixed_value(a, e, c, tmp);
    }
    }
    return fail(e, "column \"%s\": an unknown encoding", c->name), NULL;
}

/* ---- a column chunk -------------------------------------------------------- */

/* Decodes up to need values of c's chunk k into vals (NULL: a null),
 * *got the count. */
static bool read_chunk(asl_arena *a, pq_err *e, const uint8_t *file, size_t data_end,
                       const pq_col *c, const pq_chunk *k, uint32_t need, asl_value **vals,
                       uint32_t *got)
{
    *got = 0;
    if (!k->has_meta) return fail(e, "column \"%s\" has no metadata in a row group", c->name);
    if (k->type != c->type) return fail(e, "column \"%s\": its chunk's type is not its schema's", c->name);
    int64_t start = k->dict_off > 0 && k->dict_off < k->data_off ? k->dict_off : k->data_off;
    if (start < 4 || k->size < 0 || (uint64_t)start > data_end || (uint64_t)k->size > data_end - (uint64_t)start)
        return fail(e, "column \"%s\": a column chunk lies outside the file", c->name);
    rd r = {file + start, file + start + k->size, false, 0};
    asl_value **dict = NULL;
    uint32_t ndict = 0;
    int64_t seen = 0;   /* values (nulls too) of the chunk's pages so far */
    bool optional = c->repetition == 1;
    while (*got < need && seen < k->num_values) {
        pq_page h;
        page_header(&r, &h);
        if (r.bad || h.usize < 0 || h.csize < 0 || h.csize > r.end - r.p || (uint32_t)h.usize > PQ_MAX_PAGE)
            return fail(e, "column \"%s\": a page header is broken or its page lies outside the chunk", c->name);
        const uint8_t *body = r.p;
        r.p += h.csize;
        if (h.type == PG_INDEX) continue;
        if (h.type == PG_DICT) {
            if (dict) return fail(e, "column \"%s\" has two dictionary pages in a chunk", c->name);
            if (h.encoding != E_PLAIN && h.encoding != E_PLAIN_DICT)
                return fail(e, "column \"%s\": a dictionary page's encoding %d is not PLAIN", c->name, h.encoding);
            uint8_t *buf = decompress(e, c, k->codec, body, (size_t)h.csize, (size_t)h.usize);
            if (!buf) return false;
            /* every PLAIN value takes a byte at least (a boolean a bit) */
            uint64_t most = c->type == PT_BOOLEAN ? (uint64_t)h.usize * 8 : (uint64_t)h.usize;
            if (h.num_values < 0 || (uint64_t)h.num_values > most) {
                free(buf);
                return fail(e, "column \"%s\": a dictionary page holds fewer values than it says", c->name);
            }
            dict = asl_alloc(a, ((size_t)h.num_values + 1) * sizeof *dict);
            const uint8_t *q = buf, *qe = buf + h.usize;
            uint32_t bit = 0;
            for (ndict = 0; ndict < (uint32_t)h.num_values; ndict++)
                if (!(dict[ndict] = plain_value(a, e, c, &q, qe, &bit))) break;
            free(buf);
            if (ndict < (uint32_t)h.num_values) return false;
            continue;
        }
        if (h.type != PG_DATA && h.type != PG_DATA_V2)
            return fail(e, "column \"%s\" has a page of unknown type %d", c->name, h.type);
        if (h.num_values < 0) return fail(e, "column \"%s\": a page has a negative value count", c->name);
        /* the page's bytes: v2 keeps its levels uncompressed before the values */
        uint8_t *buf = NULL;
        const uint8_t *levels = NULL, *vp, *ve;
        size_t levels_len = 0;
        if (h.type == PG_DATA_V2) {
            if (h.rep_len < 0 || h.def_len < 0 || (int64_t)h.rep_len + h.def_len > h.csize ||
                (int64_t)h.rep_len + h.def_len > h.usize)
                return fail(e, "column \"%s\": a v2 page's level lengths pass its size", c->name);
            if (h.rep_len) return fail(e, "column \"%s\" has repetition levels (a nested column), which aslc does not read", c->name);
            levels = body;
            levels_len = (size_t)h.def_len;
            size_t off = (size_t)h.def_len;
            size_t usz = (size_t)h.usize - off, csz = (size_t)h.csize - off;
            if (h.compressed && k->codec != 0) {
                if (!(buf = decompress(e, c, k->codec, body + off, csz, usz))) return false;
                vp = buf;
                ve = buf + usz;
            } else {
                vp = body + off;
                ve = body + h.csize;
            }
        } else {
            if (!(buf = decompress(e, c, k->codec, body, (size_t)h.csize, (size_t)h.usize))) return false;
            vp = buf;
            ve = buf + h.usize;
            if (optional) {   /* v1: the levels lead the page, RLE with a 4-byte length */
                if (h.def_enc != E_RLE) {
                    free(buf);
                    return fail(e, "column \"%s\": definition levels encoded as %d, not RLE, which aslc does not read", c->name, h.def_enc);
                }
                if (ve - vp < 4 || (uint64_t)(uint32_t)le(vp, 4) > (uint64_t)(ve - vp - 4)) {
                    free(buf);
                    return fail(e, "column \"%s\": a page's definition levels pass its end", c->name);
                }
                levels_len = (size_t)(uint32_t)le(vp, 4);
                levels = vp + 4;
                vp = levels + levels_len;
            }
        }
        hybrid defs = {levels, levels ? levels + levels_len : NULL, 1, 0, false, 0, NULL, 0};
        values src;
        const char *why = values_init(&src, c, h.encoding, vp, ve, dict != NULL);
        if (why) {
            free(buf);
            return fail(e, "column \"%s\" %s", c->name, why);
        }
        bool ok = true;
        for (int i = 0; i < h.num_values && *got < need; i++) {
            uint32_t d = 1;
            if (optional && !hy_next(&defs, &d)) {
                ok = fail(e, "column \"%s\": a page's definition levels end early", c->name);
                break;
            }
            if (d > 1) {
                ok = fail(e, "column \"%s\": a definition level passes the column's maximum", c->name);
                break;
            }
            asl_value *v = NULL;
            if (d == 1 && !(v = next_value(a, e, c, &src, dict, ndict))) {
                ok = false;
                break;
            }
            vals[(*got)++] = v;
        }
        free(src.prev);
        free(buf);
        if (!ok) return false;
        seen += h.num_values;
    }
    return true;
}

/* ---- the file -------------------------------------------------------------- */

bool asl_pq_read(asl_arena *a, const unsigned char *data, size_t n, uint32_t max, asl_value *into,
                 char *errbuf, size_t errlen)
{
    char dummy[1];
    pq_err err = {errlen ? errbuf : dummy, errlen ? errlen : 1}, *e = &err;
    e->msg[0] = 0;
    if (n < 12 || memcmp(data, "PAR1", 4) || memcmp(data + n - 4, "PAR1", 4))
        return fail(e, "not a Parquet file (no PAR1 at its start and end)");
    uint32_t flen = (uint32_t)le(data + n - 8, 4);
    if (flen > n - 12) return fail(e, "the Parquet footer's length passes the file");
    size_t data_end = n - 8 - flen;
    rd r = {data + data_end, data + n - 8, false, 0};
    pq_col *cols = NULL;   /* the schema: cols[0] is the root */
    uint32_t ncols = 0;
    pq_group *groups = NULL;
    uint32_t ngroups = 0;
    int last = 0, id = 0, t, et;
    while ((t = field(&r, &last, &id)) != T_STOP) {
        /* (a field given twice is read twice: count and array set together) */
        if (id == 2 && t == T_LIST) {
            uint32_t k = list_head(&r, &et);
            if (et != T_STRUCT || k > PQ_MAX_COLUMNS) {
                r.bad = true;
                break;
            }
            cols = asl_alloc(a, (k ? k : 1) * sizeof *cols);
            ncols = k;
            for (uint32_t i = 0; i < ncols && !r.bad; i++) schema_element(&r, a, &cols[i]);
        } else if (id == 4 && t == T_LIST) {
            uint32_t k = list_head(&r, &et);
            if (et != T_STRUCT) {
                r.bad = true;
                break;
            }
            groups = asl_alloc(a, (k ? k : 1) * sizeof *groups);
            ngroups = k;
            for (uint32_t i = 0; i < ngroups && !r.bad; i++) row_group(&r, a, &groups[i]);
        } else {
            skip(&r, t);
        }
    }
    if (r.bad || !cols || ncols == 0 || (!groups && ngroups))
        return fail(e, "the Parquet footer (FileMetaData) is not valid Thrift of the format");
    /* Names go into items and messages: UTF-8 only. */
    for (uint32_t i = 1; i < ncols; i++)
        if (!utf8_ok((const uint8_t *)cols[i].name, strlen(cols[i].name)))
            return fail(e, "the name of column %u is not UTF-8", i);
    /* The root's children must all be leaves: a group (struct, list, map)
     * or a repeated field is a nested column. */
    uint32_t nleaf = ncols - 1;
    if (cols[0].num_children < 0 || (uint32_t)cols[0].num_children != nleaf) {
        for (uint32_t i = 1; i < ncols; i++)
            if (cols[i].num_children > 0)
                return fail(e, "column \"%s\" is nested (a struct, list or map), which aslc does not read", cols[i].name);
        return fail(e, "the Parquet schema's root does not hold its columns");
    }
    pq_col *leaf = cols + 1;
    for (uint32_t i = 0; i < nleaf; i++) {
        if (leaf[i].num_children > 0 || !leaf[i].has_type)
            return fail(e, "column \"%s\" is nested (a struct, list or map), which aslc does not read", leaf[i].name);
        if (leaf[i].repetition == 2)
            return fail(e, "column \"%s\" is repeated (a list), which aslc does not read", leaf[i].name);
        if (leaf[i].repetition < 0 || leaf[i].repetition > 2)
            return fail(e, "column \"%s\" has an unknown repetition %d", leaf[i].name, leaf[i].repetition);
        if (!classify(e, &leaf[i])) return false;
    }
    asl_value ***vals = asl_alloc(a, (nleaf ? nleaf : 1) * sizeof *vals);
    for (uint32_t g = 0; g < ngroups && into->len < max; g++) {
        pq_group *rg = &groups[g];
        if (rg->nchunks != nleaf) return fail(e, "row group %u has %u column chunks for %u columns", g, rg->nchunks, nleaf);
        if (rg->num_rows < 0) return fail(e, "row group %u has a negative row count", g);
        uint32_t need = max - into->len;
        if ((uint64_t)rg->num_rows < need) need = (uint32_t)rg->num_rows;
        for (uint32_t i = 0; i < nleaf; i++) {
            vals[i] = malloc(((size_t)need + 1) * sizeof **vals);
            uint32_t got = 0;
            bool ok = vals[i] && read_chunk(a, e, data, data_end, &leaf[i], &rg->chunks[i], need, vals[i], &got);
            if (ok && got < need)
                ok = fail(e, "column \"%s\" has fewer values than row group %u has rows", leaf[i].name, g);
            if (!ok) {
                if (!vals[i]) fail(e, "out of memory for %u rows", need);
                for (uint32_t j = 0; j <= i; j++) free(vals[j]);
                return false;
            }
        }
        for (uint32_t row = 0; row < need; row++) {
            asl_value *o = asl_object(a, nleaf);
            for (uint32_t i = 0; i < nleaf; i++) {
                asl_value *v = vals[i][row];
                /* the name lives in a, as the row does: not copied into every row
                 * (when it needs no JSON escape, which a _lit key must not) */
                size_t kl = strlen(leaf[i].name);
                if (asl_json_plain(leaf[i].name, kl)) asl_object_set_lit(a, o, leaf[i].name, kl, v ? v : asl_null());
                else asl_object_set(a, o, leaf[i].name, kl, v ? v : asl_null());
            }
            asl_array_push(a, into, o);
        }
        for (uint32_t i = 0; i < nleaf; i++) free(vals[i]);
    }
    return true;
}
