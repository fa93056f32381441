/*
 * bucket.h — the byte source of a Distributed Map's ItemReader and the
 * sink of its ResultWriter: an S3 bucket, seen through three calls (get an
 * object's bytes, list the objects under a prefix, put an object).
 *
 * A bucket is found by name in the resources file, under the key
 * "s3://NAME" (docs/tasks.md), bound to a local directory ({"directory":
 * "path"}: object KEY is the file path/KEY, bucket.c); a bucket with no
 * binding is S3's own (bucket_s3.c), when the binary has the AWS client.
 * mapio.c and resultwriter.c see only these calls.  Private to the runtime.
 */
#ifndef ASL_BUCKET_H
#define ASL_BUCKET_H

#include "rt.h"

/* One object of a listing. */
typedef struct {
    const char *key;
    uint64_t size;
    double mtime;              /* LastModified, seconds since the epoch */
    const char *etag;          /* S3's ETag, quotes included, or NULL: the MD5 of the bytes */
    const char *storage_class; /* S3's StorageClass, or NULL: STANDARD */
} asl_object_info;

typedef struct asl_bucket asl_bucket;

/* Each call returns false with a message (of at most errn bytes) in err. */
typedef struct {
    bool (*get)(const asl_bucket *b, const char *key, asl_buf *out, char *err, size_t errn);
    /* Every object whose key starts with prefix, in key order (S3's: by the
     * bytes of the UTF-8 key), in a. */
    bool (*list)(const asl_bucket *b, const char *prefix, asl_arena *a, asl_object_info **out,
                 uint32_t *n, char *err, size_t errn);
    bool (*put)(const asl_bucket *b, const char *key, const char *data, size_t n, char *err,
                size_t errn);
} asl_bucket_ops;

struct asl_bucket {
    const asl_bucket_ops *ops;
    const char *name;
    const char *directory;     /* the local binding's */
};

/* Finds bucket name's binding: its directory, else S3 itself when the binary
 * has the AWS client (bucket_s3.c); false with a message when neither. */
bool asl_bucket_open(asl_exec *x, const char *name, asl_bucket *b, char *err, size_t errn);

#endif
