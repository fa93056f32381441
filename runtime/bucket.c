/*
 * bucket.c — buckets bound to local directories (bucket.h): object KEY of
 * bucket "s3://NAME" bound to {"directory": D} is the file D/KEY.
 *
 * Keys map to paths as they are, so a key with an empty, "." or ".."
 * segment (which S3 allows) is refused rather than read or written outside
 * D.  A listing walks D recursively: directories are not objects, files
 * are, named by their path below D.  A put writes a temporary file beside
 * the target and renames it, creating the directories on the way, so a
 * reader never sees half an object.
 */
#define _GNU_SOURCE
#include "bucket.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether key names a file below the directory: no empty, "." or ".." segment. */
static bool key_ok(const char *key)
{
    if (!*key) return false;
    for (const char *s = key;;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return false;
        if (!e) return true;
        s = e + 1;
    }
}

static bool bad_key(const asl_bucket *b, const char *key, char *err, size_t errn)
{
    snprintf(err, errn, "s3://%s/%s: a key with an empty, \".\" or \"..\" segment cannot name a file "
                        "of the directory the bucket is bound to", b->name, key);
    return false;
}

static bool dir_get(const asl_bucket *b, const char *key, asl_buf *out, char *err, size_t errn)
{
    if (!key_ok(key)) return bad_key(b, key, err, errn);
    char *path = NULL;
    if (asprintf(&path, "%s/%s", b->directory, key) < 0) abort();
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            snprintf(err, errn, "The specified key does not exist. (s3://%s/%s: no file %s)", b->name,
                     key, path);
        else
            snprintf(err, errn, "s3://%s/%s: cannot open %s: %s", b->name, key, path, strerror(e));
        free(path);
        return false;
    }
    bool ok = asl_buf_read_stream(out, f);
    fclose(f);
    if (!ok) snprintf(err, errn, "s3://%s/%s: cannot read %s", b->name, key, path);
    free(path);
    return ok;
}

typedef struct {
    asl_object_info *v;
    uint32_t n, cap;
} listing;

static void walk(const char *root, const char *rel, const char *prefix, listing *l, asl_arena *a)
{
    char *path = NULL;
    if (asprintf(&path, "%s%s%s", root, *rel ? "/" : "", rel) < 0) abort();
    DIR *d = opendir(path);
    free(path);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char *sub = NULL, *full = NULL;
        if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0 ||
            asprintf(&full, "%s/%s", root, sub) < 0)
            abort();
        struct stat st;
        if (stat(full, &st) == 0) {
            size_t pl = strlen(prefix), sl = strlen(sub);
            /* A directory can hold a match when its path and the prefix agree so far. */
            if (S_ISDIR(st.st_mode)) {
                if (!strncmp(sub, prefix, sl < pl ? sl : pl)) walk(root, sub, prefix, l, a);
            } else if (S_ISREG(st.st_mode) && !strncmp(sub, prefix, pl)) {
                if (l->n == l->cap) {
                    l->cap = l->cap ? 2 * l->cap : 16;
                    asl_object_info *nv = asl_alloc(a, l->cap * sizeof *nv);
                    if (l->n) memcpy(nv, l->v, l->n * sizeof *nv);
                    l->v = nv;
                }
                asl_object_info *o = &l->v[l->n++];
                o->key = asl_strndup(a, sub, sl);
                o->size = (uint64_t)st.st_size;
                o->mtime = (double)st.st_mtim.tv_sec;
                o->etag = o->storage_class = NULL;
            }
        }
        free(sub);
        free(full);
    }
    closedir(d);
}

static int by_key(const void *p, const void *q)
{
    return strcmp(((const asl_object_info *)p)->key, ((const asl_object_info *)q)->key);
}

static bool dir_list(const asl_bucket *b, const char *prefix, asl_arena *a, asl_object_info **out,
                     uint32_t *n, char *err, size_t errn)
{
    struct stat st;
    if (stat(b->directory, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errn, "The specified bucket does not exist. (s3://%s: no directory %s)", b->name,
                 b->directory);
        return false;
    }
    listing l = {NULL, 0, 0};
    walk(b->directory, "", prefix ? prefix : "", &l, a);
    if (l.n) qsort(l.v, l.n, sizeof *l.v, by_key);
    *out = l.v;
    *n = l.n;
    return true;
}

/* mkdir -p of the directories of path (not path itself). */
static bool make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        bool ok = mkdir(path, 0777) == 0 || errno == EEXIST;
        *s = '/';
        if (!ok) return false;
    }
    return true;
}

static bool dir_put(const asl_bucket *b, const char *key, const char *data, size_t n, char *err,
                    size_t errn)
{
    if (!key_ok(key)) return bad_key(b, key, err, errn);
    char *path = NULL, *tmp = NULL;
    if (asprintf(&path, "%s/%s", b->directory, key) < 0 ||
        asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
        abort();
    bool ok = make_parents(path);
    int fd = ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : -1;
    ok = fd >= 0;
    for (size_t done = 0; ok && done < n;) {
        ssize_t w = write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        ok = w > 0;
        if (ok) done += (size_t)w;
    }
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        snprintf(err, errn, "s3://%s/%s: cannot write %s: %s", b->name, key, path, strerror(e));
    }
    free(path);
    free(tmp);
    return ok;
}

static const asl_bucket_ops dir_ops = {dir_get, dir_list, dir_put};

/* bucket_s3.c, present when aslc linked the AWS client in (compiler/build.c):
 * weak, so a binary without it stays free of libcurl. */
bool asl_bucket_s3_open(const char *name, asl_bucket *b, char *err, size_t errn);
#pragma weak asl_bucket_s3_open

bool asl_bucket_open(asl_exec *x, const char *name, asl_bucket *b, char *err, size_t errn)
{
    asl_run *r = x->run;
    const asl_binding *table = r->bindings ? &r->bindings[r->prog->nsites] : NULL;
    const asl_value *res = table ? table->mocks : NULL;   /* the resources object (task.c) */
    size_t nl = strlen(name);
    for (uint32_t k = 0; res && k < res->len; k++) {
        const asl_member *m = &res->u.o.members[k];
        if (m->klen != nl + 5 || strncmp(m->key, "s3://", 5) || memcmp(m->key + 5, name, nl)) continue;
        const asl_binding *e = &table[1 + k];
        if (e->kind != ASL_BIND_DIRECTORY) break;
        b->ops = &dir_ops;
        b->name = name;
        b->directory = e->directory;
        return true;
    }
    if (asl_bucket_s3_open) return asl_bucket_s3_open(name, b, err, errn);
    snprintf(err, errn, "no binding for bucket \"%s\": bind \"s3://%s\" to a directory in a "
                        "resources file ({\"s3://%s\": {\"directory\": \"path\"}}, docs/tasks.md)",
             name, name, name);
    return false;
}
