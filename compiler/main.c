/*
 * main.c — the aslc command line and the pass pipeline:
 *
 *   read file -> front end (validate.c: JSON, source map, IR with checks)
 *   -> bindings check -> C source (emit_c.c) -> executable (build.c)
 *                     or LLVM module and object (emit_llvm.c, --backend=llvm)
 *
 * Every stage reports all the problems it finds before aslc gives up, and
 * no output file is written unless everything succeeded.
 */
#define _GNU_SOURCE
#include "aslc.h"
#include "aslc_config.h"
#ifdef ASLC_HAVE_LLVM
#include "emit_llvm.h"
#endif

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    bool check_only;
    const char *output;
    const char *emit_c;
    const char *emit_llvm;
    const char *resources;
    const char *mocks;
    const char *handlers;
    const char *backend;
    const char *name;
    bool json_diags;
    bool allow_unbound;
    const char **inputs;
    int ninputs;
} options;

static void usage(FILE *f)
{
    fputs("usage: aslc FILE.json -o OUT [options]     compile a state machine\n"
          "       aslc check FILE.json...              validate only\n"
          "Options:\n"
          "  -o OUT               the executable to write\n"
          "  --emit-c FILE.c      keep the generated C source\n"
          "  --emit-llvm FILE.ll  write the LLVM module as text (implies --backend=llvm)\n"
          "  --backend=c|llvm     code generator (default c)\n"
          "  --resources FILE     bind Task resources to implementations (see docs/tasks.md)\n"
          "  --mocks FILE         mock Task results by state name (conformance mocks.json format)\n"
          "  --handlers FILE.c    C source of native Task handlers, linked into OUT\n"
          "  --name NAME          the state machine's name (default: the file's stem)\n"
          "  --allow-unbound      compile Tasks that have no binding; they fail when called\n"
          "  --format=json        print diagnostics as a JSON array\n"
          "  --version, --help\n"
          "The C compiler is $CC (default cc).\n",
          f);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = asl_xmalloc(cap + 1);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        cap *= 2;
        buf = asl_xrealloc(buf, cap + 1);
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}


static const char *stem(asl_arena *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return asl_strndup(a, base, n);
}

/* The Lambda function name of a Resource ARN, or NULL. */
static const char *lambda_name(asl_arena *a, const char *res)
{
    if (strncmp(res, "arn:aws:lambda:", 15)) return NULL;
    const char *f = strstr(res, ":function:");
    if (!f) return NULL;
    f += 10;
    const char *colon = strchr(f, ':');
    return asl_strndup(a, f, colon ? (size_t)(colon - f) : strlen(f));
}

typedef struct {
    char *resources_json;   /* malloc'd, paths made absolute */
    char *mocks_json;       /* malloc'd */
    const char **natives;
    uint32_t nnatives;
} bindings;

/* Reads the resources file: makes its paths absolute, collects native names. */
static bool load_resources(asl_arena *a, const char *path, cJSON **out, bindings *b)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "aslc: cannot read resources file %s: %s\n", path, strerror(errno));
        return false;
    }
    cJSON *r = cJSON_ParseWithLength(text, len);
    free(text);
    if (!r || !cJSON_IsObject(r)) {
        fprintf(stderr, "aslc: %s: a resources file must be a JSON object of bindings\n", path);
        cJSON_Delete(r);
        return false;
    }
    char abs[PATH_MAX];
    if (!realpath(path, abs)) snprintf(abs, sizeof abs, "%s", path);
    char *dir = dirname(abs);
    bool ok = true;
    b->natives = asl_alloc(a, ((size_t)cJSON_GetArraySize(r) + 1) * sizeof *b->natives);
    for (cJSON *e = r->child; e; e = e->next) {
        cJSON *py = cJSON_GetObjectItemCaseSensitive(e, "python");
        cJSON *cmd = cJSON_GetObjectItemCaseSensitive(e, "command");
        cJSON *nat = cJSON_GetObjectItemCaseSensitive(e, "native");
        cJSON *dirn = cJSON_GetObjectItemCaseSensitive(e, "directory");
        if (cJSON_IsString(dirn) && !strncmp(e->string, "s3://", 5)) {
            /* a bucket's objects: the files below this directory */
            if (dirn->valuestring[0] != '/')
                cJSON_SetValuestring(dirn, asl_sprintf(a, "%s/%s", dir, dirn->valuestring));
        } else if (cJSON_IsString(py) && py->valuestring[0] != '/') {
            char *full = asl_sprintf(a, "%s/%s", dir, py->valuestring);
            cJSON_SetValuestring(py, full);
        } else if (cJSON_IsArray(cmd) && cJSON_IsString(cmd->child)) {
            const char *prog = cmd->child->valuestring;
            if (prog[0] != '/' && strchr(prog, '/'))
                cJSON_SetValuestring(cmd->child, asl_sprintf(a, "%s/%s", dir, prog));
        } else if (cJSON_IsString(nat)) {
            b->natives[b->nnatives++] = asl_strndup(a, nat->valuestring, strlen(nat->valuestring));
        } else {
            fprintf(stderr, "aslc: %s: binding \"%s\" must be {\"python\": FILE}, "
                            "{\"command\": [PROGRAM, ARGS...]}, {\"native\": C_FUNCTION} or, "
                            "for an \"s3://BUCKET\" key, {\"directory\": PATH}\n",
                    path, e->string);
            ok = false;
        }
    }
    b->resources_json = cJSON_PrintUnformatted(r);
    *out = r;
    return ok;
}

static cJSON *load_mocks(const char *path, bindings *b)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "aslc: cannot read mocks file %s: %s\n", path, strerror(errno));
        return NULL;
    }
    cJSON *m = cJSON_ParseWithLength(text, len);
    free(text);
    if (!m || !cJSON_IsObject(m)) {
        fprintf(stderr, "aslc: %s: a mocks file must be a JSON object of state name -> list of "
                        "results\n", path);
        cJSON_Delete(m);
        return NULL;
    }
    b->mocks_json = cJSON_PrintUnformatted(m);
    return m;
}

/* Every Task must be bound at compile time (mocked by state name, or bound
 * by resource / Lambda function name); a lambda:invoke task names its
 * function in its input, so it is checked at run time. */
static void check_bindings(aslc_unit *u, const ir_program *p, const cJSON *res, const cJSON *mocks)
{
    for (uint32_t i = 0; i < p->ntasks; i++) {
        const ir_state *s = p->tasks[i];
        if (!s->resource) continue;
        if (mocks && cJSON_GetObjectItemCaseSensitive(mocks, s->name)) continue;
        if (!strncmp(s->resource, "arn:aws:states:::lambda:invoke", 30) && (res || mocks)) continue;
        if (res && cJSON_GetObjectItemCaseSensitive(res, s->resource)) continue;
        const char *fn = lambda_name(u->arena, s->resource);
        if (res && fn && cJSON_GetObjectItemCaseSensitive(res, fn)) continue;
        aslc_diag_at(u, ASLC_ERROR, s->resource_loc.line, s->resource_loc.col, s->resource_loc.ptr,
                     "state \"%s\": no binding for resource \"%s\"; bind it in a resources file "
                     "(--resources) or mock it (--mocks)", s->name, s->resource);
    }
}

/* The constant Bucket of a Map's ItemReader or ResultWriter template, or NULL. */
static const char *const_bucket(const ir_tmpl *t)
{
    if (!t) return NULL;
    const asl_value *params = NULL;
    if (t->kind == IR_T_CONST) {
        params = asl_object_get(t->cval, "Parameters", 10);
    } else {
        for (uint32_t i = 0; i < t->n; i++)
            if (!strcmp(t->members[i].key, "Parameters") && t->members[i].val->kind == IR_T_CONST)
                params = t->members[i].val->cval;
    }
    const asl_value *b = params && params->type == ASL_OBJECT ? asl_object_get(params, "Bucket", 6) : NULL;
    return b && b->type == ASL_STRING ? b->u.str : NULL;
}

/* A bucket a Distributed Map names as a constant and the resources file does
 * not bind: a warning, as a run-time --resources may bind it (the Map would
 * fail otherwise); a bucket from a path is only known when the Map runs. */
static void check_buckets(aslc_unit *u, const ir_program *p, const cJSON *res)
{
    for (uint32_t i = 0; i < p->nall; i++) {
        const ir_state *s = p->all[i];
        if (s->type != IR_MAP) continue;
        const ir_tmpl *io[2] = {s->item_reader, s->result_writer};
        for (int k = 0; k < 2; k++) {
            const char *b = const_bucket(io[k]);
            if (!b) continue;
            char *key = asl_sprintf(u->arena, "s3://%s", b);
            if (res && cJSON_GetObjectItemCaseSensitive(res, key)) continue;
            aslc_diag_at(u, ASLC_WARNING, s->loc.line, s->loc.col, s->loc.ptr,
                         "state \"%s\": bucket \"%s\" of its %s has no binding; bind \"%s\" to a "
                         "directory in a resources file (docs/tasks.md), or the Map fails when it runs",
                         s->name, b, k ? "ResultWriter" : "ItemReader", key);
        }
    }
}

static int compile_one(const options *o, const char *file)
{
    aslc_unit u;
    memset(&u, 0, sizeof u);
    u.file = file;
    u.json_diags = o->json_diags;
    asl_buf_init(&u.json_out);
    char *text = read_file(file, &u.len);
    if (!text) {
        fprintf(stderr, "aslc: cannot read %s: %s\n", file, strerror(errno));
        return 1;
    }
    u.text = text;
    u.arena = asl_arena_new();
    int status = 1;
    cJSON *res = NULL, *mocks = NULL;
    bindings b;
    memset(&b, 0, sizeof b);
    ir_program *p = aslc_front_end(&u, o->name ? o->name : stem(u.arena, file));
    if (p && !u.errors && !o->check_only) {
        bool ok = true;
        if (o->resources) ok = load_resources(u.arena, o->resources, &res, &b) && ok;
        if (o->mocks) ok = (mocks = load_mocks(o->mocks, &b)) != NULL && ok;
        if (!ok) u.errors++;
        else if (!o->allow_unbound) check_bindings(&u, p, res, mocks);
        if (ok && !o->allow_unbound) check_buckets(&u, p, res);
    }
    aslc_diag_flush(&u);
    if (u.errors || !p) goto done;
    if (o->check_only) {
        status = 0;
        goto done;
    }

    aslc_emit_opts eo = {b.resources_json, b.mocks_json, b.natives, b.nnatives, file,
                         o->allow_unbound};
    asl_buf c;
    asl_buf_init(&c);
    bool llvm = !strcmp(o->backend, "llvm");
    if (!llvm || o->emit_c) aslc_emit_c(&c, p, &eo);
    char cpath[PATH_MAX];
    bool temp = false;
    if (o->emit_c) {
        snprintf(cpath, sizeof cpath, "%s", o->emit_c);
        if (!aslc_write_file(cpath, c.data, c.len)) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", cpath, strerror(errno));
            asl_buf_free(&c);
            goto done;
        }
    }
    if (llvm) {
#ifdef ASLC_HAVE_LLVM
        status = aslc_llvm_compile(p, &eo, o->emit_llvm, o->output, o->handlers) ? 0 : 1;
#endif
    } else if (o->output) {
        if (!o->emit_c) {
            const char *tmpdir = getenv("TMPDIR");
            snprintf(cpath, sizeof cpath, "%s/aslc-XXXXXX.c", tmpdir && *tmpdir ? tmpdir : "/tmp");
            int fd = mkstemps(cpath, 2);
            if (fd < 0 || write(fd, c.data, c.len) != (ssize_t)c.len) {
                fprintf(stderr, "aslc: cannot write a temporary file: %s\n", strerror(errno));
                if (fd >= 0) close(fd);
                asl_buf_free(&c);
                goto done;
            }
            close(fd);
            temp = true;
        }
        aslc_build_opts bo = {cpath, o->handlers, o->output, NULL, NULL, aslc_layout_of(p), NULL, 0};
        status = aslc_build(&bo) ? 0 : 1;
        if (temp) unlink(cpath);
    } else {
        status = 0;
    }
    asl_buf_free(&c);
done:
    cJSON_Delete(res);
    cJSON_Delete(mocks);
    free(b.resources_json);
    free(b.mocks_json);
    asl_buf_free(&u.json_out);
    asl_arena_free(u.arena);
    free(text);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    o.backend = "c";
    bool backend_given = false;
    o.inputs = calloc((size_t)argc, sizeof *o.inputs);
    int i = 1;
    if (argc > 1 && !strcmp(argv[1], "check")) {
        o.check_only = true;
        i = 2;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(field)                                                                  \
    do {                                                                             \
        if (!val) aslc_fatal("option %s needs a value", a);                          \
        o.field = val;                                                               \
        i++;                                                                         \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(o.inputs);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("aslc %s\n", ASLC_VERSION);
            free(o.inputs);
            return 0;
        } else if (!strcmp(a, "-o")) TAKE(output);
        else if (!strcmp(a, "--emit-c")) TAKE(emit_c);
        else if (!strcmp(a, "--emit-llvm")) TAKE(emit_llvm);
        else if (!strcmp(a, "--resources")) TAKE(resources);
        else if (!strcmp(a, "--mocks")) TAKE(mocks);
        else if (!strcmp(a, "--handlers")) TAKE(handlers);
        else if (!strcmp(a, "--name")) TAKE(name);
        else if (!strcmp(a, "--backend")) { TAKE(backend); backend_given = true; }
        else if (!strncmp(a, "--backend=", 10)) { o.backend = a + 10; backend_given = true; }
        else if (!strcmp(a, "--format=json")) o.json_diags = true;
        else if (!strcmp(a, "--allow-unbound")) o.allow_unbound = true;
        else if (!strcmp(a, "--format=text")) o.json_diags = false;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "aslc: unknown option %s\n", a);
            usage(stderr);
            free(o.inputs);
            return 2;
        } else {
            o.inputs[o.ninputs++] = a;
        }
#undef TAKE
    }
    if (!o.ninputs) {
        usage(stderr);
        free(o.inputs);
        return 2;
    }
    if (o.emit_llvm && !backend_given) o.backend = "llvm";
    if (strcmp(o.backend, "c") && strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: unknown back end '%s' (backends: c, llvm)\n", o.backend);
        free(o.inputs);
        return 2;
    }
    if (o.emit_llvm && strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: --emit-llvm writes the LLVM back end's module: it needs --backend=llvm\n");
        free(o.inputs);
        return 2;
    }
#ifndef ASLC_HAVE_LLVM
    if (!strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: the llvm back end is not available in this build: %s; use --backend=c\n",
                ASLC_NO_LLVM_REASON);
        free(o.inputs);
        return 2;
    }
#endif
    if (!o.check_only && o.ninputs != 1) {
        fprintf(stderr, "aslc: give exactly one definition to compile (use 'aslc check' for several)\n");
        free(o.inputs);
        return 2;
    }
    if (!o.check_only && !o.output && !o.emit_c && !o.emit_llvm) {
        fprintf(stderr, "aslc: nothing to do: give -o OUT, --emit-c FILE.c or --emit-llvm FILE.ll\n");
        free(o.inputs);
        return 2;
    }
    int status = 0;
    for (int k = 0; k < o.ninputs; k++)
        if (compile_one(&o, o.inputs[k])) status = 1;
    aslc_diag_finish();   /* --format=json: one array for all the files */
    free(o.inputs);
    return status;
}
