/*
 * itemreader.c — a Distributed Map's ItemReader (AWS "ItemReader (Map)"):
 * the items it names, read from a bucket (bucket.h).
 *
 *   s3:getObject     one object: InputType JSON (an array, or the array
 *                    at ItemsPointer), JSONL (one value a line), CSV (an
 *                    object a row, csv.c) or MANIFEST (an S3 inventory
 *                    manifest: the rows of its CSV data files, named by its
 *                    fileSchema);
 *   s3:listObjectsV2 the objects under Prefix, as ListObjectsV2 lists
 *                    them: {"Etag", "Key", "LastModified", "Size",
 *                    "StorageClass"}; with Transformation LOAD_AND_FLATTEN
 *                    the items of every object listed, read as InputType.
 *
 * An object whose key ends in ".gz" is gunzipped first, one ending in ".zst"
 * or ".zstd" decompressed with libzstd (AWS reads GZIP and ZSTD compressed
 * inputs alike; several gzip members or zstd frames are fine).
 *
 * MaxItems (or the value of MaxItemsPath) keeps the first n items; 0 means
 * all, and nothing past 100,000,000 is read.  What fails, fails as AWS
 * records it: States.ItemReaderFailed with "Attempting to map over
 * non-iterable node." for a JSON file that is not an array, "CSV headers
 * cannot contain duplicates.", "field MaxItems must be positive"; and
 * States.Runtime for a MaxItemsPath value that is not an integer.
 */
#include "mapio.h"
#include "itemio.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#define MAX_ITEMS 100000000u

static asl_value *reader_failed(asl_exec *x, const char *cause)
{
    return asl_fail(x, "States.ItemReaderFailed", cause);
}

static const char *str_member(const asl_value *o, const char *k)
{
    const asl_value *v = o && o->type == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

/* MaxItems, or MaxItemsPath's value: false with x failed. */
static bool max_items(asl_exec *x, const asl_value *cfg, uint32_t *out)
{
    *out = MAX_ITEMS;
    const asl_value *v = cfg ? asl_object_get(cfg, "MaxItems", 8) : NULL;
    if (!v) return true;
    const char *path = str_member(cfg, "MaxItemsPath");
    if (v->type != ASL_NUMBER || v->u.n.num != floor(v->u.n.num)) {
        const char *shown = v->type == ASL_STRING ? v->u.str : asl_json_string(asl_exec_arena(x), v, NULL);
        asl_fail_state(x, "States.Runtime",
                       "The MaxItemsPath field refers to value \"%s\" which is not a valid integer: %s",
                       shown, path ? path : "MaxItems");
        return false;
    }
    double d = v->u.n.num;
    if (d < 0) {
        reader_failed(x, "field MaxItems must be positive");
        return false;
    }
    if (d > 0 && d < MAX_ITEMS) *out = (uint32_t)d;
    return true;
}

/* RFC 6901 JSON pointer p into v; NULL when it selects nothing. */
static asl_value *pointer(asl_value *v, const char *p)
{
    asl_buf tok;
    asl_buf_init(&tok);
    while (v && *p == '/') {
        tok.len = 0;
        for (p++; *p && *p != '/'; p++) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                asl_buf_putc(&tok, p[1] == '0' ? '~' : '/');
                p++;
            } else {
                asl_buf_putc(&tok, *p);
            }
        }
        asl_buf_putc(&tok, 0);
        if (v->type == ASL_OBJECT) {
            v = asl_object_get(v, tok.data, tok.len - 1);
        } else if (v->type == ASL_ARRAY) {
            char *e;
            unsigned long i = strtoul(tok.data, &e, 10);
            v = *e || !tok.data[0] || i >= v->len ? NULL : v->u.a.items[i];
        } else {
            v = NULL;
        }
    }
    asl_buf_free(&tok);
    return *p ? NULL : v;
}

static char delimiter(const asl_value *cfg)
{
    const char *d = str_member(cfg, "CSVDelimiter");
    if (!d || !strcmp(d, "COMMA")) return ',';
    if (!strcmp(d, "PIPE")) return '|';
    if (!strcmp(d, "SEMICOLON")) return ';';
    if (!strcmp(d, "SPACE")) return ' ';
    return '\t';
}

/* The rows of a CSV text under headers (NULL: its first row). */
static asl_value *csv_items(asl_exec *x, const char *text, size_t n, char delim,
                            const asl_value *headers, uint32_t max, asl_value *into)
{
    asl_arena *a = asl_exec_arena(x);
    asl_csv c;
    asl_csv_init(&c, text, n, delim);
    if (!headers && !(headers = asl_csv_next(&c, a))) return into;
    for (uint32_t i = 0; i < headers->len; i++)
        for (uint32_t j = 0; j < i; j++)
            if (asl_value_equal(headers->u.a.items[i], headers->u.a.items[j]))
                return reader_failed(x, "CSV headers cannot contain duplicates.");
    asl_value *row;
    while (into->len < max && (row = asl_csv_next(&c, a)))
        asl_array_push(a, into, asl_csv_row(a, headers, row));
    return into;
}

/* Replaces the gzip data in b (one or more members) by what it holds;
 * false when it is not gzip. */
static bool gunzip(asl_buf *b)
{
    asl_buf out;
    asl_buf_init(&out);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
    z.next_in = (unsigned char *)b->data;
    z.avail_in = (uInt)b->len;
    unsigned char chunk[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END || z.avail_in > 0) {
        if (rc == Z_STREAM_END && inflateReset(&z) != Z_OK) break;   /* the next member */
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        asl_buf_put(&out, (const char *)chunk, sizeof chunk - z.avail_out);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out > 0) break;  /* truncated */
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        asl_buf_free(&out);
        return false;
    }
    asl_buf_free(b);
    *b = out;
    return true;
}

/* Replaces the ZSTD data in b (one or more frames) by what it holds; false
 * when it is not ZSTD or is cut short. */
static bool unzstd(asl_buf *b)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    if (!z) return false;
    asl_buf out;
    asl_buf_init(&out);
    ZSTD_inBuffer in = {b->data, b->len, 0};
    char chunk[65536];
    size_t rc = 1;   /* nonzero: a frame not finished */
    while (in.pos < in.size) {
        ZSTD_outBuffer o = {chunk, sizeof chunk, 0};
        rc = ZSTD_decompressStream(z, &o, &in);
        if (ZSTD_isError(rc)) break;
        asl_buf_put(&out, chunk, o.pos);
        if (rc != 0 && in.pos == in.size && o.pos < o.size) break;   /* truncated */
    }
    while (rc != 0 && !ZSTD_isError(rc)) {   /* what the decoder still holds */
        ZSTD_outBuffer o = {chunk, sizeof chunk, 0};
        rc = ZSTD_decompressStream(z, &o, &in);
        if (ZSTD_isError(rc) || o.pos == 0) break;
        asl_buf_put(&out, chunk, o.pos);
    }
    ZSTD_freeDStream(z);
    if (rc != 0 || b->len == 0) {
        asl_buf_free(&out);
        return false;
    }
    asl_buf_free(b);
    *b = out;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static bool get_object(asl_exec *x, const char *bucket, const char *key, asl_buf *out)
{
    asl_bucket b;
    char err[1024];
    if (!asl_bucket_open(x, bucket, &b, err, sizeof err) || !b.ops->get(&b, key, out, err, sizeof err)) {
        reader_failed(x, err);
        return false;
    }
    if (ends_with(key, ".gz") && !gunzip(out)) {
        snprintf(err, sizeof err, "s3://%s/%s is not valid GZIP data.", bucket, key);
        reader_failed(x, err);
        return false;
    }
    if ((ends_with(key, ".zst") || ends_with(key, ".zstd")) && !unzstd(out)) {
        snprintf(err, sizeof err, "s3://%s/%s is not valid ZSTD data.", bucket, key);
        reader_failed(x, err);
        return false;
    }
    return true;
}

/* An S3 inventory manifest: {"fileFormat": "CSV", "fileSchema": "Bucket, Key, ...",
 * "files": [{"key": ...}, ...]}, the data files in the manifest's bucket. */
static asl_value *manifest_items(asl_exec *x, const char *bucket, const char *text, size_t n,
                                 char delim, uint32_t max)
{
    asl_arena *a = asl_exec_arena(x);
    asl_json_error jerr;
    asl_value *m = asl_json_parse(a, text, n, &jerr);
    const char *schema = str_member(m, "fileSchema"), *format = str_member(m, "fileFormat");
    asl_value *files = m && m->type == ASL_OBJECT ? asl_object_get(m, "files", 5) : NULL;
    if (!schema || !files || files->type != ASL_ARRAY)
        return reader_failed(x, "The manifest is not an S3 inventory manifest (it needs \"fileSchema\" "
                                "and \"files\").");
    if (format && strcmp(format, "CSV"))
        return reader_failed(x, "Only S3 inventory manifests of fileFormat CSV are supported.");
    asl_value *headers = asl_array(a, 8);
    for (const char *p = schema; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && t[-1] == ' ') t--;
        if (t > p) asl_array_push(a, headers, asl_string(a, p, (size_t)(t - p)));
        p = e;
    }
    asl_value *items = asl_array(a, 16);
    for (uint32_t i = 0; i < files->len && items->len < max; i++) {
        const char *key = str_member(files->u.a.items[i], "key");
        if (!key) return reader_failed(x, "A manifest file entry has no \"key\".");
        asl_buf data;
        asl_buf_init(&data);
        bool ok = get_object(x, bucket, key, &data);
        if (ok) ok = csv_items(x, data.data ? data.data : "", data.len, delim, headers, max, items) != NULL;
        asl_buf_free(&data);
        if (!ok) return NULL;
    }
    return items;
}

/* ListObjectsV2's items; Etag is S3's when the bucket is S3 (bucket_s3.c),
 * else the MD5 of the bytes, in quotes, as S3 gives it for an object
 * uploaded in one part (computed only with etags: LOAD_AND_FLATTEN needs the
 * keys alone). */
static asl_value *list_items(asl_exec *x, const char *bucket, const char *prefix, uint32_t max,
                             bool etags)
{
    asl_arena *a = asl_exec_arena(x);
    asl_bucket b;
    char err[1024];
    asl_object_info *objs;
    uint32_t n;
    if (!asl_bucket_open(x, bucket, &b, err, sizeof err) ||
        !b.ops->list(&b, prefix, a, &objs, &n, err, sizeof err))
        return reader_failed(x, err);
    asl_value *items = asl_array(a, n < max ? n : max);
    asl_buf data;
    asl_buf_init(&data);
    for (uint32_t i = 0; i < n && i < max; i++) {
        char md5tag[2 * EVP_MAX_MD_SIZE + 3];
        const char *etag = objs[i].etag;   /* S3's own listing says it */
        if (!etag) {
            data.len = 0;
            if (etags && !b.ops->get(&b, objs[i].key, &data, err, sizeof err)) {
                asl_buf_free(&data);
                return reader_failed(x, err);
            }
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned mdlen = 0;
            EVP_Digest(data.data ? data.data : "", data.len, md, &mdlen, EVP_md5(), NULL);
            size_t k = 0;
            md5tag[k++] = '"';
            for (unsigned j = 0; j < mdlen; j++) k += (size_t)snprintf(md5tag + k, 3, "%02x", md[j]);
            md5tag[k++] = '"';
            md5tag[k] = 0;
            etag = md5tag;
        }
        asl_value *o = asl_object(a, 5);
        asl_object_append(a, o, "Etag", 4, asl_cstring(a, etag));
        asl_object_append(a, o, "Key", 3, asl_cstring(a, objs[i].key));
        asl_object_append(a, o, "LastModified", 12, asl_number_int(a, objs[i].mtime));
        asl_object_append(a, o, "Size", 4, asl_number_int(a, (double)objs[i].size));
        asl_object_append(a, o, "StorageClass", 12,
                          asl_cstring(a, objs[i].storage_class ? objs[i].storage_class : "STANDARD"));
        asl_array_push(a, items, o);
    }
    asl_buf_free(&data);
    return items;
}

static bool read_object(asl_exec *x, const char *bucket, const char *key, const asl_value *cfg,
                        bool data_file, uint32_t max, asl_value *into, asl_value *sources);

/* An Athena data manifest (what UNLOAD writes beside its data files): one
 * s3://bucket/key a line, each a data file read as InputType, in the
 * manifest's order. */
static bool athena_items(asl_exec *x, const char *bucket, const char *key, const char *text,
                         size_t n, const asl_value *cfg, uint32_t max, asl_value *into,
                         asl_value *sources)
{
    asl_arena *a = asl_exec_arena(x);
    const char *p = text, *end = text + n;
    for (uint32_t line = 1; p < end && into->len < max; line++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *le = e ? e : end, *q = p;
        p = e ? e + 1 : end;
        while (q < le && (*q == ' ' || *q == '\t')) q++;
        while (le > q && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t')) le--;
        if (q == le) continue;
        const char *slash = le - q > 5 && !memcmp(q, "s3://", 5) ? memchr(q + 5, '/', (size_t)(le - q - 5)) : NULL;
        if (!slash || slash == q + 5 || slash + 1 == le) {
            char cause[512];
            snprintf(cause, sizeof cause, "Line %u of the Athena manifest s3://%s/%s is not an "
                     "s3://bucket/key URI: %.*s", line, bucket, key, (int)(le - q > 200 ? 200 : le - q), q);
            reader_failed(x, cause);
            return false;
        }
        const char *b = asl_strndup(a, q + 5, (size_t)(slash - q - 5));
        const char *k = asl_strndup(a, slash + 1, (size_t)(le - slash - 1));
        if (!read_object(x, b, k, cfg, true, max, into, sources)) return false;
    }
    return true;
}

/* Appends to into, up to max items, the items of object key read as cfg's
 * InputType (or ManifestType; the data files an Athena manifest names are
 * read as InputType); false with x failed. */
static bool read_object(asl_exec *x, const char *bucket, const char *key, const asl_value *cfg,
                        bool data_file, uint32_t max, asl_value *into, asl_value *sources)
{
    asl_arena *a = asl_exec_arena(x);
    const char *type = str_member(cfg, "InputType"), *manifest = str_member(cfg, "ManifestType");
    if (data_file) manifest = NULL;
    asl_buf data;
    asl_buf_init(&data);
    if (!get_object(x, bucket, key, &data)) {
        asl_buf_free(&data);
        return false;
    }
    const char *text = data.data ? data.data : "";
    asl_value *items = NULL;
    char cause[512];
    if (manifest && !strcmp(manifest, "ATHENA_DATA")) {
        bool ok = athena_items(x, bucket, key, text, data.len, cfg, max, into, sources);
        asl_buf_free(&data);
        return ok;
    } else if (manifest || (type && !strcmp(type, "MANIFEST"))) {
        items = manifest_items(x, bucket, text, data.len, delimiter(cfg), max);
    } else if (type && !strcmp(type, "PARQUET")) {
        items = asl_array(a, 16);
        if (!asl_pq_read(a, (const unsigned char *)text, data.len,
                         max > into->len ? max - into->len : 0, items, cause,
                         sizeof cause)) {
            reader_failed(x, asl_sprintf(a, "s3://%s/%s: %s", bucket, key, cause));
            items = NULL;
        }
    } else if (type && !strcmp(type, "CSV")) {
        const char *loc = str_member(cfg, "CSVHeaderLocation");
        asl_value *given = loc && !strcmp(loc, "GIVEN") ? asl_object_get(cfg, "CSVHeaders", 10) : NULL;
        items = csv_items(x, text, data.len, delimiter(cfg), given, max, asl_array(a, 16));
    } else if (type && !strcmp(type, "JSONL")) {
        asl_json_error jerr;
        uint32_t line;
        if (!(items = asl_jsonl_parse(a, text, data.len, &line, &jerr))) {
            snprintf(cause, sizeof cause, "Line %u of s3://%s/%s is not valid JSON: %s", line, bucket,
                     key, jerr.msg);
            reader_failed(x, cause);
        }
    } else {
        asl_json_error jerr;
        asl_value *v = asl_json_parse(a, text, data.len, &jerr);
        const char *ptr = str_member(cfg, "ItemsPointer");
        if (v && ptr) v = pointer(v, ptr);
        if (!v) {
            if (ptr)
                snprintf(cause, sizeof cause, "ItemsPointer %s selects nothing in s3://%s/%s.", ptr,
                         bucket, key);
            else
                snprintf(cause, sizeof cause, "s3://%s/%s is not valid JSON: %d:%d: %s", bucket, key,
                         jerr.line, jerr.col, jerr.msg);
            reader_failed(x, cause);
        } else if (v->type != ASL_ARRAY) {
            reader_failed(x, "Attempting to map over non-iterable node.");
        } else {
            items = v;
        }
    }
    asl_buf_free(&data);
    asl_value *src = asl_cstring(a, asl_sprintf(a, "s3://%s/%s", bucket, key));
    for (uint32_t i = 0; items && i < items->len && into->len < max; i++) {
        asl_array_push(a, into, items->u.a.items[i]);
        asl_array_push(a, sources, src);
    }
    return items != NULL;
}

static bool object_items(asl_exec *x, const char *bucket, const char *key, const asl_value *cfg,
                         uint32_t max, asl_value *into, asl_value *sources)
{
    return read_object(x, bucket, key, cfg, false, max, into, sources);
}

asl_value *asl_items_read(asl_exec *x, const asl_value *reader, asl_value **sources)
{
    asl_arena *a = asl_exec_arena(x);
    const char *res = str_member(reader, "Resource");
    asl_value *cfg = asl_object_get(reader, "ReaderConfig", 12);
    asl_value *params = asl_object_get(reader, "Parameters", 10);
    const char *bucket = str_member(params, "Bucket"), *key = str_member(params, "Key");
    uint32_t max;
    if (!max_items(x, cfg, &max)) return NULL;
    if (!bucket) return reader_failed(x, "The ItemReader's Parameters need a string \"Bucket\".");
    asl_value *items = asl_array(a, 16);
    *sources = asl_array(a, 16);
    if (res && strstr(res, ":s3:listObjectsV2")) {
        const asl_value *pv = asl_object_get(params, "Prefix", 6);
        if (pv && pv->type != ASL_STRING)
            return reader_failed(x, "The ItemReader's \"Prefix\" must be a string.");
        const char *tr = str_member(cfg, "Transformation");
        if (!tr || strcmp(tr, "LOAD_AND_FLATTEN")) {
            /* a listing's items come from the bucket itself */
            *sources = asl_cstring(a, asl_sprintf(a, "s3://%s", bucket));
            return list_items(x, bucket, pv ? pv->u.str : "", max, true);
        }
        /* LOAD_AND_FLATTEN: the items of every object listed, in key order
         * (folder placeholders, keys ending in "/", hold none). */
        asl_value *objs = list_items(x, bucket, pv ? pv->u.str : "", MAX_ITEMS, false);
        for (uint32_t i = 0; objs && i < objs->len && items->len < max; i++) {
            const char *k = str_member(objs->u.a.items[i], "Key");
            if (ends_with(k, "/")) continue;
            if (!object_items(x, bucket, k, cfg, max, items, *sources)) return NULL;
        }
        return objs ? items : NULL;
    }
    if (!key) return reader_failed(x, "The ItemReader's Parameters need a string \"Key\".");
    return object_items(x, bucket, key, cfg, max, items, *sources) ? items : NULL;
}
