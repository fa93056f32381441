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
 *                    "StorageClass"}.
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

/* The first max items of arr (a new array when it has more). */
static asl_value *first(asl_exec *x, asl_value *arr, uint32_t max)
{
    if (arr->len <= max) return arr;
    asl_value *r = asl_array(asl_exec_arena(x), max);
    for (uint32_t i = 0; i < max; i++) asl_array_push(asl_exec_arena(x), r, arr->u.a.items[i]);
    return r;
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

static bool get_object(asl_exec *x, const char *bucket, const char *key, asl_buf *out)
{
    asl_bucket b;
    char err[1024];
    if (!asl_bucket_open(x, bucket, &b, err, sizeof err) || !b.ops->get(&b, key, out, err, sizeof err)) {
        reader_failed(x, err);
        return false;
    }
    return true;
}

/* An S3 inventory manifest: {"fileFormat": "CSV", "fileSchema": "Bucket, Key, ...",
 * "files": [{"key": ...}, ...]}, the data files in the manifest's bucket. */
static asl_value *manifest_items(asl_exec *x, const char *bucket, const char *text, size_t n,
                                 uint32_t max)
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
        size_t kl = strlen(key);
        if (kl > 3 && !strcmp(key + kl - 3, ".gz"))
            return reader_failed(x, "Gzip-compressed inventory files are not supported yet by aslc: "
                                    "store the data files uncompressed.");
        asl_buf data;
        asl_buf_init(&data);
        bool ok = get_object(x, bucket, key, &data);
        if (ok) ok = csv_items(x, data.data ? data.data : "", data.len, ',', headers, max, items) != NULL;
        asl_buf_free(&data);
        if (!ok) return NULL;
    }
    return items;
}

/* ListObjectsV2's items; Etag is the MD5 of the bytes, in quotes, as S3
 * gives it for an object uploaded in one part. */
static asl_value *list_items(asl_exec *x, const char *bucket, const char *prefix, uint32_t max)
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
        data.len = 0;
        if (!b.ops->get(&b, objs[i].key, &data, err, sizeof err)) {
            asl_buf_free(&data);
            return reader_failed(x, err);
        }
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        EVP_Digest(data.data ? data.data : "", data.len, md, &mdlen, EVP_md5(), NULL);
        char etag[2 * EVP_MAX_MD_SIZE + 3];
        size_t k = 0;
        etag[k++] = '"';
        for (unsigned j = 0; j < mdlen; j++) k += (size_t)snprintf(etag + k, 3, "%02x", md[j]);
        etag[k++] = '"';
        etag[k] = 0;
        asl_value *o = asl_object(a, 5);
        asl_object_append(a, o, "Etag", 4, asl_cstring(a, etag));
        asl_object_append(a, o, "Key", 3, asl_cstring(a, objs[i].key));
        asl_object_append(a, o, "LastModified", 12, asl_number_int(a, objs[i].mtime));
        asl_object_append(a, o, "Size", 4, asl_number_int(a, (double)objs[i].size));
        asl_object_append(a, o, "StorageClass", 12, asl_cstring(a, "STANDARD"));
        asl_array_push(a, items, o);
    }
    asl_buf_free(&data);
    return items;
}

asl_value *asl_items_read(asl_exec *x, const asl_value *reader)
{
    asl_arena *a = asl_exec_arena(x);
    const char *res = str_member(reader, "Resource");
    asl_value *cfg = asl_object_get(reader, "ReaderConfig", 12);
    asl_value *params = asl_object_get(reader, "Parameters", 10);
    const char *bucket = str_member(params, "Bucket"), *key = str_member(params, "Key");
    uint32_t max;
    if (!max_items(x, cfg, &max)) return NULL;
    if (!bucket) return reader_failed(x, "The ItemReader's Parameters need a string \"Bucket\".");
    if (res && strstr(res, ":s3:listObjectsV2")) {
        const asl_value *pv = asl_object_get(params, "Prefix", 6);
        if (pv && pv->type != ASL_STRING)
            return reader_failed(x, "The ItemReader's \"Prefix\" must be a string.");
        return list_items(x, bucket, pv ? pv->u.str : "", max);
    }
    if (!key) return reader_failed(x, "The ItemReader's Parameters need a string \"Key\".");
    const char *type = str_member(cfg, "InputType");
    asl_buf data;
    asl_buf_init(&data);
    if (!get_object(x, bucket, key, &data)) {
        asl_buf_free(&data);
        return NULL;
    }
    const char *text = data.data ? data.data : "";
    asl_value *items = NULL;
    if (type && !strcmp(type, "CSV")) {
        const char *loc = str_member(cfg, "CSVHeaderLocation");
        asl_value *given = loc && !strcmp(loc, "GIVEN") ? asl_object_get(cfg, "CSVHeaders", 10) : NULL;
        items = csv_items(x, text, data.len, delimiter(cfg), given, max, asl_array(a, 16));
    } else if (type && !strcmp(type, "JSONL")) {
        asl_json_error jerr;
        uint32_t line;
        if (!(items = asl_jsonl_parse(a, text, data.len, &line, &jerr))) {
            char cause[256];
            snprintf(cause, sizeof cause, "Line %u of s3://%s/%s is not valid JSON: %s", line, bucket,
                     key, jerr.msg);
            reader_failed(x, cause);
        } else {
            items = first(x, items, max);
        }
    } else if (type && !strcmp(type, "MANIFEST")) {
        items = manifest_items(x, bucket, text, data.len, max);
    } else {
        asl_json_error jerr;
        asl_value *v = asl_json_parse(a, text, data.len, &jerr);
        const char *ptr = str_member(cfg, "ItemsPointer");
        if (v && ptr) v = pointer(v, ptr);
        if (!v) {
            char cause[256];
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
            items = first(x, v, max);
        }
    }
    asl_buf_free(&data);
    return items;
}
