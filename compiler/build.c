/*
 * build.c — turning generated C into the user's executable.
 *
 * Runs the C compiler ($CC, default cc) on the generated source (that of a
 * program of more than a few hundred states in parts, in parallel: see
 * aslc_layout_of in emit_c.c), or links
 * the LLVM back end's object files (and compiles the user's native
 * handlers), linking the runtime archive and libcrypto
 * statically so that the result needs nothing beyond the C library (an
 * archive gives only the members the code refers to: libcrypto's come in
 * with runtime/digest.c, for States.Hash and Base64Encode alone).  The
 * runtime is found next to aslc: in a build tree (build/aslc beside
 * build/libaslrt.a, headers in the source tree) or in an installed tree
 * (bin/aslc, lib/aslc/libaslrt.a, include/aslc/).  Everything is made in
 * the compilation's private temporary directory (tmpdir.c), the compilers
 * each in a process group of their own; main.c copies the executable to
 * its target (files.c) only on success.  What fails is said as the user's
 * doing where it is (a $CC that cannot run, the handlers file), and as a
 * bug in aslc only when the generated code does not compile or link.
 */
#define _GNU_SOURCE
#include "aslc.h"
#include "aslc_config.h"

#include <errno.h>
#include <fcntl.h>
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

/* Runs argv, in a process group of its own (tmpdir.c: killed with aslc);
 * its stderr goes to err_fd when that is not -1. */
static pid_t spawn_to(char **argv, int err_fd)
{
    if (getenv("ASLC_VERBOSE")) {
        for (int i = 0; argv[i]; i++) fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fputc('\n', stderr);
    }
    return aslc_tmp_spawn(argv, err_fd);
}

static pid_t spawn(char **argv) { return spawn_to(argv, -1); }

static int status_of(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

static int wait_for(pid_t pid)
{
    if (pid < 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    aslc_tmp_reaped(pid);
    return status_of(st);
}

static int run(char **argv) { return wait_for(spawn(argv)); }

/* The line after line (after its newline, or its end). */
static const char *after(const char *line)
{
    const char *eol = strchr(line, '\n');
    return eol ? eol + 1 : line + strlen(line);
}

static bool line_has(const char *line, const char *what)
{
    return memmem(line, (size_t)(after(line) - line), what, strlen(what)) != NULL;
}

/* GNU ld warns, in two lines, that a static libcrypto refers to dlopen,
 * getaddrinfo and gethostbyname ("...libcrypto.a(x.o): in function `f':",
 * then "(.text+0x11): warning: Using 'dlopen' in statically linked
 * applications requires at runtime the shared libraries ...").  They are
 * about libcrypto's loading of provider modules and its network BIOs, which
 * the runtime never uses (it hashes and encodes), and would be printed at
 * every compilation; the same warning about the user's own handlers is not
 * libcrypto's and is kept.  Whether line starts such a pair: */
static bool crypto_static_warning(const char *line)
{
    const char *next = after(line);
    return line_has(line, "libcrypto.a(") && line_has(line, ": in function") &&
           line_has(next, "in statically linked applications requires");
}

/* run, for the link of a static executable: its diagnostics are read
 * through a pipe and passed on without libcrypto's warnings above. */
static int run_link(char **argv)
{
    if (!ASLC_LINK_STATIC) return run(argv);
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) return run(argv);
    pid_t pid = spawn_to(argv, pfd[1]);
    close(pfd[1]);
    asl_buf err;
    asl_buf_init(&err);
    char chunk[4096];
    for (;;) {
        ssize_t got = read(pfd[0], chunk, sizeof chunk);
        if (got > 0) asl_buf_put(&err, chunk, (size_t)got);
        else if (got == 0 || errno != EINTR) break;
    }
    close(pfd[0]);
    int rc = wait_for(pid);
    asl_buf_putc(&err, 0);
    for (const char *line = err.data; *line;) {
        if (crypto_static_warning(line)) {
            line = after(after(line));
            continue;
        }
        fwrite(line, 1, (size_t)(after(line) - line), stderr);
        line = after(line);
    }
    asl_buf_free(&err);
    return rc;
}

static void free_argv(char **argv, int n)
{
    for (int i = 0; i < n; i++) free(argv[i]);
    free(argv);
}

/* $CC and the flags of every compilation: the language, the optimisation
 * level, the sanitizers, the runtime headers.  A program in parts (over 200
 * states: aslc_layout_of) is compiled at -O1 (with sibling calls, which keep
 * transitions jumps): its states call the runtime's entry points, not the
 * inline fast paths of asl.h (emit_c.c), and -O2 makes them no faster
 * (a 1,000-state chain ran at the same rate) while it costs the C compiler
 * 1.7 to 2 times the time. */
static void cc_argv(char ***v, int *n, int *cap, const char *inc, bool quick, bool pic)
{
    const char *cc = getenv("CC");
    push_words(v, n, cap, cc && *cc ? cc : "cc");
    push(v, n, cap, "-std=gnu11");
    if (quick) {
        push(v, n, cap, "-O1");
        push(v, n, cap, "-foptimize-sibling-calls");
    } else {
        push(v, n, cap, "-O2");
    }
    push_words(v, n, cap, ASLC_SAN_FLAGS);
    if (pic) push(v, n, cap, "-fPIC");   /* --target shared */
    push(v, n, cap, "-I");
    push(v, n, cap, inc);
}

/* Says why a run of the C compiler failed: what cannot be the generated
 * code's fault is said as such; why is the message for the rest. */
static void cc_failed(int rc, const char *why)
{
    const char *cc = getenv("CC");
    if (rc == 127 || rc < 0)
        fprintf(stderr, "aslc: the C compiler '%s' could not be run; set CC to a C compiler\n",
                cc && *cc ? cc : "cc");
    else if (rc > 128)
        fprintf(stderr, "aslc: the C compiler was killed by signal %d (out of memory?)\n", rc - 128);
    else
        fprintf(stderr, "aslc: the C compiler failed (exit status %d): %s\n", rc, why);
}

/* The user's handlers file, compiled alone (as C whatever its name) into
 * obj: its errors are then its own, not mistaken for aslc's. */
static bool compile_handlers(const char *handlers, const char *inc, const char *obj, bool pic)
{
    char **argv = NULL;
    int n = 0, cap = 0;
    cc_argv(&argv, &n, &cap, inc, false, pic);
    push(&argv, &n, &cap, "-c");
    push(&argv, &n, &cap, "-o");
    push(&argv, &n, &cap, obj);
    push(&argv, &n, &cap, "-x");
    push(&argv, &n, &cap, "c");
    push(&argv, &n, &cap, handlers);
    int rc = run(argv);
    free_argv(argv, n);
    if (rc == 0) return true;
    char why[PATH_MAX + 64];
    snprintf(why, sizeof why, "the handlers file %s does not compile (see the messages above)", handlers);
    cc_failed(rc, why);
    return false;
}

/* Parts one run of the C compiler takes at most: it holds a whole run in
 * memory (a 20,000-state workflow in two runs took 475 MB each); a run
 * also parses the whole source, about 0.2 s for those 20,000 states. */
#define RUN_PARTS 16

/* Compiles the parts of o->c_file into objs[0..*nobj): runs of consecutive
 * parts (-DASL_PART_FIRST=i -DASL_PART_LAST=j), at least one per processor
 * and at most RUN_PARTS parts each, as many at once as there are
 * processors.  false, when one fails. */
static bool compile_parts(const aslc_build_opts *o, const char *inc, char (*objs)[PATH_MAX],
                          uint32_t *nobj)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t parts = o->layout.parts, jobs = ncpu < 1 ? 1 : (uint32_t)ncpu;
    uint32_t runs = (parts + RUN_PARTS - 1) / RUN_PARTS;
    if (runs < jobs) runs = jobs;
    if (runs > parts) runs = parts;
    *nobj = runs;
    pid_t *pids = asl_xmalloc(runs * sizeof *pids);
    uint32_t started = 0, running = 0;
    int rc = 0;
    while (started < runs || running) {
        if (started < runs && running < jobs && rc == 0) {
            char **argv = NULL, first[48], last[48], name[32];
            int n = 0, cap = 0;
            snprintf(name, sizeof name, "part-%u.o", started);
            aslc_tmp_path(objs[started], name);   /* the directory is aslc's own */
            cc_argv(&argv, &n, &cap, inc, true, o->shared);
            snprintf(first, sizeof first, "-DASL_PART_FIRST=%u", (uint32_t)((uint64_t)parts * started / runs));
            snprintf(last, sizeof last, "-DASL_PART_LAST=%u",
                     (uint32_t)((uint64_t)parts * (started + 1) / runs) - 1);
            push(&argv, &n, &cap, first);
            push(&argv, &n, &cap, last);
            push(&argv, &n, &cap, "-c");
            push(&argv, &n, &cap, "-o");
            push(&argv, &n, &cap, objs[started]);
            push(&argv, &n, &cap, o->c_file);
            pid_t pid = spawn(argv);
            free_argv(argv, n);
            if (pid < 0) {
                rc = -1;
                continue;
            }
            pids[started++] = pid;
            running++;
            continue;
        }
        if (!running) break;   /* a failure: nothing more is started */
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            rc = -1;
            break;
        }
        aslc_tmp_reaped(pid);
        for (uint32_t k = 0; k < started; k++)
            if (pids[k] == pid) {
                running--;
                if (status_of(st) != 0 && rc == 0) rc = status_of(st);
            }
    }
    free(pids);
    if (rc == 0) return true;
    cc_failed(rc, "the generated C does not compile; this is a bug in aslc");
    return false;
}

/* --link's objects and table (linked.c): one compilation's, linked into
 * its executable. */
static char **added;
static int nadded;

void aslc_build_add(const char *path)
{
    added = realloc(added, (size_t)(nadded + 1) * sizeof *added);
    if (!added) aslc_fatal("out of memory");
    added[nadded++] = strdup(path);   /* until aslc_build has linked them */
}

/* A linked state machine's object (--link): the program's code as one
 * relocatable object whose symbols are all made local but its descriptor,
 * asl_main_program renamed o->linked_sym, so that it cannot clash with the
 * other programs of the binary (a program in parts shares hidden symbols
 * between its objects: local once they are one). */
static bool build_linked(const aslc_build_opts *o, const char *inc, char (*objs)[PATH_MAX],
                         uint32_t parts)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.r.o", o->output);
    char **argv = NULL;
    int n = 0, cap = 0;
    cc_argv(&argv, &n, &cap, inc, o->layout.big && !parts && !o->obj_file && !o->nobj_files, o->shared);
    push(&argv, &n, &cap, "-r");
    push(&argv, &n, &cap, "-nostdlib");
    push(&argv, &n, &cap, "-o");
    push(&argv, &n, &cap, tmp);
    if (parts)
        for (uint32_t k = 0; k < parts; k++) push(&argv, &n, &cap, objs[k]);
    else if (o->nobj_files)
        for (uint32_t k = 0; k < o->nobj_files; k++) push(&argv, &n, &cap, o->obj_files[k]);
    else
        push(&argv, &n, &cap, o->obj_file ? o->obj_file : o->c_file);
    int rc = run(argv);
    free_argv(argv, n);
    if (rc != 0) {
        cc_failed(rc, "the linked state machine's code does not compile; this is a bug in aslc");
        return false;
    }
    char redef[64];
    snprintf(redef, sizeof redef, "asl_main_program=%s", o->linked_sym);
    const char *oc = getenv("OBJCOPY");
    char *ocv[] = {(char *)(oc && *oc ? oc : "objcopy"), "--localize-hidden", "--redefine-sym", redef,
                   "--keep-global-symbol", (char *)o->linked_sym,
                   "--keep-global-symbol", "asl_main_program", tmp, (char *)o->output, NULL};
    rc = run(ocv);
    unlink(tmp);
    if (rc != 0) {
        cc_failed(rc, "objcopy (binutils) could not make the linked state machine's object");
        return false;
    }
    return true;
}

bool aslc_build(const aslc_build_opts *o)
{
    char lib[PATH_MAX], inc[PATH_MAX];
    if (!find_runtime(lib, inc)) {
        fprintf(stderr, "aslc: cannot find the runtime library libaslrt.a (looked next to aslc "
                        "and in %s)\n", ASLC_BUILD_LIB);
        return false;
    }
    char handlers_obj[PATH_MAX];
    if (o->handlers) {
        aslc_tmp_path(handlers_obj, "handlers.o");
        if (!compile_handlers(o->handlers, inc, handlers_obj, o->shared)) return false;
    }
    bool in_parts = o->c_file && !o->obj_file && o->layout.parts > 1;
    uint32_t parts = 0;  /* objects compiled from the parts */
    char (*objs)[PATH_MAX] = NULL;
    if (in_parts) {
        objs = asl_xmalloc(o->layout.parts * sizeof *objs);
        if (!compile_parts(o, inc, objs, &parts)) {
            free(objs);
            return false;
        }
    }
    if (o->linked_sym) {
        bool ok = build_linked(o, inc, objs, parts);
        free(objs);
        return ok;
    }
    char tmp_out[PATH_MAX + 32];
    snprintf(tmp_out, sizeof tmp_out, "%s.tmp%ld", o->output, (long)getpid());

    /* One command compiles what is left (the source, or only the handlers)
     * and links. */
    char **argv = NULL;
    int n = 0, cap = 0;
    cc_argv(&argv, &n, &cap, inc, o->layout.big && !in_parts && !o->obj_file && !o->nobj_files,
            o->shared);
    /* A position-dependent executable: the statically linked runtime and
     * libcrypto then need no load-time relocations (half a millisecond of
     * page faults at every start otherwise); and, where the C library can
     * be (ASLC_LINK_STATIC), no dynamic loader at all (a third of a short
     * workflow's cold start, docs/benchmarks.md). */
    char version_script[PATH_MAX];
    if (o->shared) {
        /* A shared object for aslc serve (runtime/embed.c): its own copy of
         * the position-independent runtime, bound to itself (-Bsymbolic)
         * and hidden but for asl_embed, so that many of them live in one
         * process; the C library's and libcrypto's shared copies are the
         * process's. */
        aslc_tmp_path(version_script, "embed.map");
        static const char map[] = "{ global: asl_embed; local: *; };\n";
        if (!aslc_write_file(version_script, map, sizeof map - 1)) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", version_script, strerror(errno));
            free_argv(argv, n);
            free(objs);
            return false;
        }
        char opt[PATH_MAX + 32];
        snprintf(opt, sizeof opt, "-Wl,--version-script=%s", version_script);
        push(&argv, &n, &cap, "-shared");
        push(&argv, &n, &cap, "-Wl,-Bsymbolic");
        push(&argv, &n, &cap, opt);
        /* the archive gives embed.c only when asked */
        push(&argv, &n, &cap, "-Wl,-u,asl_embed");
    } else {
        push(&argv, &n, &cap, "-no-pie");
    }
    if (ASLC_LINK_STATIC && !o->aws && !o->lambda && !o->shared) {
        push(&argv, &n, &cap, "-static");
        /* its diagnostics go through a pipe (run_link): keep their colours */
        if (isatty(2)) push(&argv, &n, &cap, "-fdiagnostics-color=always");
    }
    push(&argv, &n, &cap, "-o");
    push(&argv, &n, &cap, tmp_out);
    if (in_parts)
        for (uint32_t k = 0; k < parts; k++) push(&argv, &n, &cap, objs[k]);
    else if (o->nobj_files)
        for (uint32_t k = 0; k < o->nobj_files; k++) push(&argv, &n, &cap, o->obj_files[k]);
    else
        push(&argv, &n, &cap, o->obj_file ? o->obj_file : o->c_file);
    if (o->handlers) push(&argv, &n, &cap, handlers_obj);
    for (int k = 0; k < nadded; k++) push(&argv, &n, &cap, added[k]);
    char report_graph[PATH_MAX];   /* --report's picture, when main.c made one */
    aslc_tmp_path(report_graph, ASLC_REPORT_GRAPH_C);
    if (is_file(report_graph)) push(&argv, &n, &cap, report_graph);
    if (o->aws) {
        /* runtime/aws_*.c: task.c refers to them weakly, so the archive
         * gives them only when asked */
        push(&argv, &n, &cap, "-Wl,-u,asl_aws_lambda_invoke,-u,asl_aws_sdk_call,-u,asl_bucket_s3_open");
    }
    if (o->lambda) {
        /* runtime/lambda_rt.c's main, and the build id that tells its
         * instances' child events apart from another build's */
        push(&argv, &n, &cap, "-Wl,-u,asl_lambda_main,--build-id");
        push(&argv, &n, &cap, "-Wl,--as-needed");
    }
    if (o->shared) {
        /* libaslrt_pic.a, beside libaslrt.a (CMakeLists.txt) */
        char pic[PATH_MAX];
        size_t l = strlen(lib);
        snprintf(pic, sizeof pic, "%.*s_pic.a", (int)(l > 2 ? l - 2 : l), lib);
        push(&argv, &n, &cap, pic);
    } else {
        push(&argv, &n, &cap, lib);
    }
    if (o->aws || o->lambda) push(&argv, &n, &cap, "-lcurl");
    if (o->aws) push(&argv, &n, &cap, "-lxml2");
    if (o->shared) {
        /* the static archives are not position independent */
        push(&argv, &n, &cap, "-lcrypto");
        push(&argv, &n, &cap, "-lz");
        push(&argv, &n, &cap, "-lzstd");
        push(&argv, &n, &cap, "-lpcre2-8");
    } else {
        push(&argv, &n, &cap, ASLC_CRYPTO_STATIC);
        push(&argv, &n, &cap, ASLC_Z_STATIC);   /* only gzipped ItemReader objects pull it in */
        push(&argv, &n, &cap, ASLC_ZSTD_STATIC);   /* ZSTD objects and Parquet pages */
        push(&argv, &n, &cap, ASLC_PCRE2_STATIC);   /* only JSONata's regexes pull it in */
    }
    push(&argv, &n, &cap, "-lpthread");
    push(&argv, &n, &cap, "-lm");
    int rc = run_link(argv);
    free_argv(argv, n);
    free(objs);   /* (the objects go with the temporary directory) */
    for (int k = 0; k < nadded; k++) free(added[k]);   /* linked into this one */
    free(added);
    added = NULL;
    nadded = 0;
    if (rc != 0) {
        unlink(tmp_out);
        char why[PATH_MAX + 128];
        if (o->handlers)
            snprintf(why, sizeof why, "linking failed (see the messages above): does %s define "
                                      "every native function the resources file names?", o->handlers);
        else
            snprintf(why, sizeof why, "this is a bug in aslc");
        cc_failed(rc, why);
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
