/*
 * files.c — the files aslc reads and writes, checked before any work.
 *
 * Inputs (the definition, --resources, --mocks) are read with a bound: a
 * definition has at most ASLC_DEFINITION_CHARS characters, as AWS's
 * CreateStateMachine accepts, so `aslc check /dev/zero` is refused after a
 * few megabytes instead of filling memory; a directory or an unreadable
 * file is named as such.
 *
 * Outputs (-o, --emit-c, --emit-llvm) are "targets", opened before the
 * compilation so that a missing or unwritable directory is reported before
 * the C compiler runs, and written only at the end, when everything
 * succeeded:
 *   - a regular file (or a name that does not exist yet) is replaced
 *     atomically: the content goes to a placeholder made in the same
 *     directory now, renamed over the name at the end;
 *   - a symbolic link is followed: the file it leads to is replaced, the
 *     link stays;
 *   - a character device or a FIFO (/dev/null, /dev/stdout, a pipe) is
 *     written through, never replaced: `-o /dev/null` compiles and
 *     discards, as `cc -o /dev/null` does, and `--emit-c /dev/stdout`
 *     shows the code;
 *   - anything else (a directory, a block device, a socket) is refused;
 *   - so is a target that is one of the inputs (same device and inode:
 *     `aslc wf.json -o wf.json` would destroy the definition), or the same
 *     file as another target.
 */
#define _GNU_SOURCE
#include "aslc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *aslc_file_read(const char *path, size_t max_chars, size_t *len, char *why, size_t whysz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whysz, "cannot read it: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, whysz, "cannot read it: it is a directory");
        close(fd);
        return NULL;
    }
    /* A character is at most 4 bytes of UTF-8: read that much and one more
     * byte, count the characters, and refuse beyond max_chars. */
    size_t max_bytes = max_chars * 4 + 4, cap = 1 << 16, n = 0, chars = 0;
    char *buf = asl_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = asl_xrealloc(buf, cap + 1);
        }
        size_t want = cap - n;
        if (want > max_bytes + 1 - n) want = max_bytes + 1 - n;
        ssize_t got = read(fd, buf + n, want);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            snprintf(why, whysz, "cannot read it: %s", strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        for (ssize_t i = 0; i < got; i++) chars += ((unsigned char)buf[n + (size_t)i] & 0xC0) != 0x80;
        n += (size_t)got;
        if (chars > max_chars || n > max_bytes) {
            snprintf(why, whysz, "more than %zu characters", max_chars);
            free(buf);
            close(fd);
            return NULL;
        }
        if (got == 0) break;
    }
    close(fd);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- output targets ---------------------------------------------------------------- */

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket"
                                                                                   : "not a regular file";
}

bool aslc_target_open(aslc_target *t, const char *option, const char *path, bool executable)
{
    memset(t, 0, sizeof t[0]);
    t->option = option;
    t->path = path;
    t->fd = -1;
    t->mode = executable ? 0777 : 0666;
    snprintf(t->final, sizeof t->final, "%s", path);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* follow the link: its target is what gets replaced (or written
         * through: /dev/stdout is a link to a pipe, a terminal, a file) */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            /* kept as given: open() follows it */
        } else if (stat(path, &st) != 0 || !realpath(path, t->final)) {
            fprintf(stderr, "aslc: %s %s: the symbolic link leads nowhere (%s)\n", option, path,
                    strerror(errno));
            return false;
        }
    }
    if (stat(t->final, &st) == 0) {
        t->exists = true;
        t->dev = st.st_dev;
        t->ino = st.st_ino;
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
            /* written through at the end; opening a FIFO now would wait for its reader */
            if (access(t->final, W_OK) != 0) {
                fprintf(stderr, "aslc: %s %s: cannot write: %s\n", option, path, strerror(errno));
                return false;
            }
            t->through = true;
            return true;
        }
        if (!S_ISREG(st.st_mode)) {
            fprintf(stderr, "aslc: %s %s: it is %s; give the name of a file to write\n", option, path,
                    kind_of(st.st_mode));
            return false;
        }
    } else if (errno != ENOENT) {
        fprintf(stderr, "aslc: %s %s: %s\n", option, path, strerror(errno));
        return false;
    }
    /* The placeholder, in the target's directory: the final rename stays
     * within one file system, and a directory that is missing or not
     * writable is found now, before anything is compiled. */
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", t->final);
    const char *dn = dirname(d);
    struct stat ds;
    if (stat(dn, &ds) != 0) {
        fprintf(stderr, "aslc: %s %s: the directory %s %s\n", option, path, dn,
                errno == ENOENT ? "does not exist" : strerror(errno));
        return false;
    }
    if (!S_ISDIR(ds.st_mode)) {
        fprintf(stderr, "aslc: %s %s: %s is not a directory\n", option, path, dn);
        return false;
    }
    /* final: the directory's real path and the name, so that two targets
     * naming one file differently compare equal */
    char real[PATH_MAX], b[PATH_MAX];
    snprintf(b, sizeof b, "%s", t->final);
    if (realpath(dn, real) &&
        snprintf(t->final, sizeof t->final, "%s/%s", strcmp(real, "/") ? real : "", basename(b)) >=
            (int)sizeof t->final) {
        fprintf(stderr, "aslc: %s %s: the name is too long\n", option, path);
        return false;
    }
    if (snprintf(t->temp, sizeof t->temp, "%s/.aslc-out-XXXXXX", dn) >= (int)sizeof t->temp) {
        fprintf(stderr, "aslc: %s %s: the name is too long\n", option, path);
        return false;
    }
    t->fd = mkostemp(t->temp, O_CLOEXEC);
    if (t->fd < 0) {
        fprintf(stderr, "aslc: %s %s: cannot write in the directory %s: %s\n", option, path, dn,
                strerror(errno));
        t->temp[0] = 0;
        return false;
    }
    aslc_tmp_track(t->temp);
    return true;
}

bool aslc_target_is(const aslc_target *t, const char *path)
{
    struct stat st;
    return t->exists && path && stat(path, &st) == 0 && st.st_dev == t->dev && st.st_ino == t->ino;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        data += w;
        len -= (size_t)w;
    }
    return true;
}

bool aslc_target_write(aslc_target *t, const char *data, size_t len)
{
    if (t->through) {
        int fd = open(t->final, O_WRONLY | O_CLOEXEC);
        bool ok = fd >= 0 && write_all(fd, data, len);
        int e = errno;
        if (fd >= 0 && close(fd) != 0 && ok) ok = false, e = errno;
        if (!ok) fprintf(stderr, "aslc: cannot write %s: %s\n", t->path, strerror(e));
        return ok;
    }
    mode_t mask = umask(0);
    umask(mask);
    bool ok = write_all(t->fd, data, len) && fchmod(t->fd, t->mode & ~mask) == 0;
    int e = errno;
    if (close(t->fd) != 0 && ok) ok = false, e = errno;
    t->fd = -1;
    if (ok && rename(t->temp, t->final) != 0) ok = false, e = errno;
    if (!ok) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", t->path, strerror(e));
        unlink(t->temp);
    }
    aslc_tmp_untrack(t->temp);
    t->temp[0] = 0;
    return ok;
}

bool aslc_target_install(aslc_target *t, const char *from)
{
    size_t len = 0;
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *data = NULL;
    bool ok = fd >= 0 && fstat(fd, &st) == 0;
    if (ok) {
        len = (size_t)st.st_size;
        data = asl_xmalloc(len + 1);
        for (size_t n = 0; ok && n < len;) {
            ssize_t got = read(fd, data + n, len - n);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) ok = false;
            else n += (size_t)got;
        }
    }
    if (fd >= 0) close(fd);
    if (!ok) {
        fprintf(stderr, "aslc: cannot read back %s: %s\n", from, strerror(errno));
        free(data);
        aslc_target_abort(t);
        return false;
    }
    ok = aslc_target_write(t, data, len);
    free(data);
    return ok;
}

void aslc_target_abort(aslc_target *t)
{
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
    if (t->temp[0]) {
        unlink(t->temp);
        aslc_tmp_untrack(t->temp);
        t->temp[0] = 0;
    }
}
