/*
 * build.c — turning generated C into the user's executable.
 *
 * Runs the C compiler ($CC, default cc) on the generated source, or links
 * the LLVM back end's object file (and compiles the user's native
 * handlers), linking the runtime archive and libcrypto
 * statically so that the result needs nothing beyond the C library.  The
 * runtime is found next to aslc: in a build tree (build/aslc beside
 * build/libaslrt.a, headers in the source tree) or in an installed tree
 * (bin/aslc, lib/aslc/libaslrt.a, include/aslc/).  The executable is
 * linked under a temporary name and renamed into place only on success.
 */
#define _GNU_SOURCE
#include "aslc.h"
#include "aslc_config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds libaslrt.a and the directory of asl.h. */
static bool find_runtime(char lib[PATH_MAX], char inc[PATH_MAX])
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *dir = dirname(exe);
        snprintf(lib, PATH_MAX, "%s/../%s/aslc/libaslrt.a", dir, ASLC_INSTALL_LIBDIR);
        snprintf(inc, PATH_MAX, "%s/../%s/aslc", dir, ASLC_INSTALL_INCLUDEDIR);
        if (is_file(lib)) {
            char tmp[PATH_MAX + 8];
            snprintf(tmp, sizeof tmp, "%s/asl.h", inc);
            if (is_file(tmp)) return true;
        }
        snprintf(lib, PATH_MAX, "%s/libaslrt.a", dir);
        if (is_file(lib)) {
            snprintf(inc, PATH_MAX, "%s", ASLC_SOURCE_RUNTIME);
            return true;
        }
    }
    snprintf(lib, PATH_MAX, "%s", ASLC_BUILD_LIB);
    snprintf(inc, PATH_MAX, "%s", ASLC_SOURCE_RUNTIME);
    return is_file(lib);
}

static void push(char ***v, int *n, int *cap, const char *s)
{
    if (*n + 2 > *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *v = asl_xrealloc(*v, (size_t)*cap * sizeof **v);
    }
    (*v)[(*n)++] = strdup(s);
    (*v)[*n] = NULL;
}

/* Splits on blanks: $CC and the sanitizer flags may be several words. */
static void push_words(char ***v, int *n, int *cap, const char *s)
{
    char *copy = strdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) push(v, n, cap, w);
    free(copy);
}

static int run(char **argv)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "aslc: cannot run the C compiler '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool aslc_build(const aslc_build_opts *o)
{
    char lib[PATH_MAX], inc[PATH_MAX];
    if (!find_runtime(lib, inc)) {
        fprintf(stderr, "aslc: cannot find the runtime library libaslrt.a (looked next to aslc "
                        "and in %s)\n", ASLC_BUILD_LIB);
        return false;
    }
    char tmp_out[PATH_MAX + 32];
    snprintf(tmp_out, sizeof tmp_out, "%s.tmp%ld", o->output, (long)getpid());

    char **argv = NULL;
    int n = 0, cap = 0;
    const char *cc = getenv("CC");
    push_words(&argv, &n, &cap, cc && *cc ? cc : "cc");
    push(&argv, &n, &cap, "-std=gnu11");
    push(&argv, &n, &cap, "-O2");
    /* A position-dependent executable: the statically linked runtime and
     * libcrypto then need no load-time relocations (half a millisecond of
     * page faults at every start otherwise). */
    push(&argv, &n, &cap, "-no-pie");
    push_words(&argv, &n, &cap, ASLC_SAN_FLAGS);
    push(&argv, &n, &cap, "-I");
    push(&argv, &n, &cap, inc);
    push(&argv, &n, &cap, "-o");
    push(&argv, &n, &cap, tmp_out);
    push(&argv, &n, &cap, o->obj_file ? o->obj_file : o->c_file);
    if (o->handlers) push(&argv, &n, &cap, o->handlers);
    push(&argv, &n, &cap, lib);
    push(&argv, &n, &cap, ASLC_CRYPTO_STATIC);
    push(&argv, &n, &cap, "-lpthread");
    push(&argv, &n, &cap, "-lm");
    if (getenv("ASLC_VERBOSE")) {
        for (int i = 0; i < n; i++) fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fputc('\n', stderr);
    }
    int rc = run(argv);
    for (int i = 0; i < n; i++) free(argv[i]);
    free(argv);
    if (rc != 0) {
        unlink(tmp_out);
        fprintf(stderr, "aslc: the C compiler failed (exit status %d)%s\n", rc,
                o->handlers ? "; check the handlers file" : "; this is a bug in aslc");
        return false;
    }
    if (rename(tmp_out, o->output) != 0) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", o->output, strerror(errno));
        unlink(tmp_out);
        return false;
    }
    return true;
}

bool aslc_write_file(const char *path, const char *data, size_t len)
{
    /* Written under a temporary name and renamed: never a half-written file. */
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (ok) ok = rename(tmp, path) == 0;
    if (!ok) unlink(tmp);
    return ok;
}
