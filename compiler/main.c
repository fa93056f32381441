/*
 * main.c — the aslc command line and the pass pipeline:
 *
 *   read file -> front end (validate.c: JSON, source map, IR with checks)
 *   -> bindings check -> [LIR (lower.c), --emit-lir]
 *   -> C source (emit_c.c) -> executable (build.c)
 *                     or LLVM module and object (emit_llvm.c, --backend=llvm)
 *
 * Every stage reports all the problems it finds before aslc gives up, and
 * no output file is written unless everything succeeded: the outputs are
 * checked first and written last (files.c), everything in between is made
 * in a temporary directory that no exit leaves behind (tmpdir.c).
 */
#define _GNU_SOURCE
#include "aslc.h"
#include "serve.h"
#include "lir.h"
#include "aslc_config.h"
#include "graph.h"
#ifdef ASLC_HAVE_LLVM
#include "emit_llvm.h"
#endif

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    bool check_only;
    const char *output;
    const char *emit_c;
    const char *emit_llvm;
    const char *emit_lir;
    const char *resources;
    const char *mocks;
    const char *handlers;
    const char *backend;
    const char *name;
    const char *target;     /* --target: "native" or "lambda" (target_lambda.c) */
    const char *emit_template;  /* --emit-template FILE.yaml (--target lambda) */
    bool json_diags;
    bool allow_unbound;
    bool no_report_graph;   /* --no-report-graph: the binary's --report draws no picture */
    bool served;            /* --served: for aslc serve, which answers callback Tasks */
    size_t max_chars;       /* --definition-limit; AWS's by default */
    const char **inputs;
    int ninputs;
    aslc_linked *links;     /* --link ARN=FILE, in the order given (linked.c) */
    int nlinks;
    int child;              /* the link being compiled (compile_one), or -1: the program */
    bool *edges;            /* nlinks by nlinks: link i starts link j by a constant ARN */
} options;

static void usage(FILE *f)
{
    fputs("usage: aslc FILE.json -o OUT [options]     compile a state machine\n"
          "       aslc check FILE.json...              validate only\n"
          "       aslc graph FILE.json -o OUT.svg|.png|.dot|.html   draw it (aslc graph --help)\n"
          "Options:\n"
          "  -o OUT               the executable to write\n"
          "  --emit-c FILE.c      keep the generated C source\n"
          "  --emit-llvm FILE.ll  write the LLVM module as text (implies --backend=llvm)\n"
          "  --emit-lir FILE.lir  write the lowered program (docs/lir.md) as text\n"
          "  --backend=c|llvm     code generator (default c)\n"
          "  --resources FILE     bind Task resources to implementations (see docs/tasks.md)\n"
          "  --mocks FILE         mock Task results by state name (conformance mocks.json format)\n"
          "  --handlers FILE.c    C source of native Task handlers, linked into OUT\n"
          "  --link ARN=FILE      compile state machine FILE into OUT as ARN: a startExecution\n"
          "                       Task naming ARN runs it directly (repeatable; docs/tasks.md)\n"
          "  --name NAME          the state machine's name (default: the file's stem)\n"
          "  --target lambda      OUT is an AWS Lambda deployment zip (bootstrap; docs/lambda.md)\n"
          "  --emit-template F    with --target lambda: an AWS SAM template deploying it\n"
          "  --target shared      OUT is a shared object exporting asl_embed (runtime/asl_embed.h),\n"
          "                       which aslc serve loads to run executions in process\n"
          "  --allow-unbound      compile Tasks that have no binding; they fail when called\n"
          "  --no-report-graph    leave the picture out of the binary's --report (docs/history.md)\n"
          "  --served             for aslc serve: activities and .waitForTaskToken Tasks\n"
          "                       need no binding (they wait for SendTaskSuccess), and the\n"
          "                       binary can resume at a top-level state (--resume)\n"
          "  --format=json        print diagnostics as a JSON array\n"
          "  --definition-limit N refuse definitions of more than N characters (default\n"
          "                       1048576, AWS's bound; 'off': 67108864)\n"
          "  --version, --help\n"
          "The C compiler is $CC (default cc).\n",
          f);
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
    char why[256];
    char *text = aslc_file_read(path, ASLC_MAX_CHARS, &len, why, sizeof why);
    if (!text) {
        fprintf(stderr, "aslc: --resources %s: %s\n", path, why);
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
        if (!py) py = cJSON_GetObjectItemCaseSensitive(e, "node");
        cJSON *cmd = cJSON_GetObjectItemCaseSensitive(e, "command");
        cJSON *nat = cJSON_GetObjectItemCaseSensitive(e, "native");
        cJSON *dirn = cJSON_GetObjectItemCaseSensitive(e, "directory");
        if (cJSON_IsString(dirn) && !strncmp(e->string, "s3://", 5)) {
            /* a bucket's objects: the files below this directory */
            if (dirn->valuestring[0] != '/')
                cJSON_SetValuestring(dirn, asl_sprintf(a, "%s/%s", dir, dirn->valuestring));
        } else if (cJSON_IsString(py)) {
            /* An absolute path stays as it is, as the binary's own loader
             * (runtime/task.c) takes it at run time. */
            if (py->valuestring[0] != '/')
                cJSON_SetValuestring(py, asl_sprintf(a, "%s/%s", dir, py->valuestring));
        } else if (cJSON_IsArray(cmd) && cJSON_IsString(cmd->child)) {
            const char *prog = cmd->child->valuestring;
            if (prog[0] != '/' && strchr(prog, '/'))
                cJSON_SetValuestring(cmd->child, asl_sprintf(a, "%s/%s", dir, prog));
        } else if (cJSON_IsString(nat)) {
            b->natives[b->nnatives++] = asl_strndup(a, nat->valuestring, strlen(nat->valuestring));
        } else {
            fprintf(stderr, "aslc: %s: binding \"%s\" must be {\"python\": FILE}, {\"node\": FILE}, "
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
    char why[256];
    char *text = aslc_file_read(path, ASLC_MAX_CHARS, &len, why, sizeof why);
    if (!text) {
        fprintf(stderr, "aslc: --mocks %s: %s\n", path, why);
        return NULL;
    }
    cJSON *m = cJSON_ParseWithLength(text, len);
    if (!m || !cJSON_IsObject(m)) {
        fprintf(stderr, "aslc: %s: a mocks file must be a JSON object of state name -> list of "
                        "results\n", path);
        cJSON_Delete(m);
        free(text);
        return NULL;
    }
    /* compacted by the runtime's parser: cJSON's copy of a string stops at
     * a \u0000, which a mocked result or error may hold (issue #18) */
    asl_arena *a = asl_arena_new();
    asl_json_error jerr;
    asl_value *v = asl_json_parse(a, text, len, &jerr);
    size_t n = 0;
    const char *compact = v ? asl_json_string(a, v, &n) : NULL;
    b->mocks_json = compact ? strndup(compact, n) : cJSON_PrintUnformatted(m);
    asl_arena_free(a);
    free(text);
    return m;
}

/* Whether the binary can call this resource's AWS service itself
 * (runtime/aws_*.c): Lambda, as a function ARN or lambda:invoke (whose
 * FunctionName the binary looks up in the resources file first). */
static bool aws_callable(asl_arena *a, const char *res)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    if (p && (!strcmp(p, ":states:::lambda:invoke") ||
              !strcmp(p, ":states:::lambda:invoke.waitForTaskToken")))
        return true;
    return lambda_name(a, res) != NULL;
}

/* An activity ARN (arn:PARTITION:states:REGION:ACCOUNT:activity:NAME). */
static bool is_activity(const char *res)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    if (!p || strncmp(p, ":states:", 8) != 0) return false;
    int colons = 0;
    for (p += 8; *p && colons < 2; p++) colons += *p == ':';
    return colons == 2 && !strncmp(p, "activity:", 9) && p[9];
}

/* Every Task must be bound at compile time (mocked by state name, or bound
 * by resource / Lambda function name), or be one the binary calls AWS for
 * (*aws set: the AWS client is linked in). */
/* What aslc serve answers itself (runtime/served.c): an activity, a
 * .waitForTaskToken resource. */
static bool served_resource(const char *r)
{
    size_t n = strlen(r);
    return (!strncmp(r, "arn:", 4) && strstr(r, ":states:") && strstr(r, ":activity:")) ||
           (n > 17 && !strcmp(r + n - 17, ".waitForTaskToken"));
}

static void check_bindings(aslc_unit *u, const ir_program *p, cJSON **resp, const cJSON *mocks,
                           bool *aws, bool report, bool served, const options *o)
{
    const cJSON *res = *resp;
    for (uint32_t i = 0; i < p->ntasks; i++) {
        const ir_state *s = p->tasks[i];
        if (!s->resource) continue;
        /* Under aslc serve an unbound callback Task waits for SendTaskSuccess
         * (served.c); a .waitForTaskToken integration aslc can call is called
         * first, as AWS calls it (the SQS message carrying the token is sent). */
        bool answered = served && served_resource(s->resource) &&
                        !(mocks && cJSON_GetObjectItemCaseSensitive(mocks, s->name)) &&
                        !(*resp && cJSON_GetObjectItemCaseSensitive(*resp, s->resource));
        if (answered && is_activity(s->resource)) continue;
        if (mocks && cJSON_GetObjectItemCaseSensitive(mocks, s->name)) continue;
        if (res && cJSON_GetObjectItemCaseSensitive(res, s->resource)) continue;
        const char *fn = lambda_name(u->arena, s->resource);
        if (res && fn && cJSON_GetObjectItemCaseSensitive(res, fn)) continue;
        /* --link: a startExecution of a linked ARN runs it, no AWS needed */
        const char *lit = o->nlinks ? aslc_linked_literal(u->arena, p, s) : NULL;
        if (lit && aslc_linked_find(o->links, o->nlinks, lit) >= 0) continue;
        if (aws_callable(u->arena, s->resource)) {
            *aws = true;
            continue;
        }
        cJSON *entry = NULL;
        int made = aslc_aws_binding(u, s, &entry, report && !answered);
        if (made > 0) {
            if (!*resp) res = *resp = cJSON_CreateObject();
            if (!cJSON_GetObjectItemCaseSensitive(*resp, s->resource))
                cJSON_AddItemToObject(*resp, s->resource, entry);
            else
                cJSON_Delete(entry);
            *aws = true;
            continue;
        }
        if (made < 0 || answered) continue;
        if (is_activity(s->resource)) {
            /* compiles: the binary fails the state when it is reached (task.c) */
            if (report)
                aslc_diag_at(u, ASLC_WARNING, s->resource_loc.line, s->resource_loc.col,
                             s->resource_loc.ptr,
                             "state \"%s\": an activity's workers take their tasks from Step "
                             "Functions (GetActivityTask), which a compiled workflow cannot serve: "
                             "unless a resources file binds \"%s\" or --mocks mocks the state, "
                             "the state fails with States.TaskFailed when it is reached",
                             s->name, s->resource);
            continue;
        }
        if (report) aslc_diag_at(u, ASLC_ERROR, s->resource_loc.line, s->resource_loc.col, s->resource_loc.ptr,
                     "state \"%s\": no binding for resource \"%s\"; bind it in a resources file "
                     "(--resources) or mock it (--mocks)", s->name, s->resource);
    }
}

/* The handlers file must be a readable file: said now, not as the C
 * compiler's complaint after the whole compilation. */
static bool check_handlers(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
        fprintf(stderr, "aslc: --handlers %s: %s\n", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "aslc: --handlers %s: not a regular file (give the C source of the "
                        "handlers)\n", path);
        return false;
    }
    return true;
}

/* Opens the targets of a compilation (files.c): each must be writable and
 * none may be one of the inputs or another target.  n: how many opened. */
static bool open_targets(const options *o, const char *file, aslc_target *t, int *n)
{
    const char *opt[3] = {"-o", "--emit-c", "--emit-llvm"};
    const char *path[3] = {o->output, o->emit_c, o->emit_llvm};
    const char *ins[4] = {file, o->resources, o->mocks, o->handlers};
    const char *inopt[4] = {"the definition", "--resources", "--mocks", "--handlers"};
    *n = 0;
    for (int k = 0; k < 3; k++) {
        if (!path[k]) continue;
        aslc_target *x = &t[*n];
        if (!aslc_target_open(x, opt[k], path[k], k == 0)) return false;
        (*n)++;
        for (int i = 0; i < 4; i++)
            if (aslc_target_is(x, ins[i])) {
                if (i) fprintf(stderr, "aslc: %s %s is the %s file %s: refusing to overwrite an "
                                       "input\n", opt[k], path[k], inopt[i], ins[i]);
                else fprintf(stderr, "aslc: %s %s is the definition: refusing to overwrite an "
                                     "input\n", opt[k], path[k]);
                return false;
            }
        for (int j = 0; j < *n - 1; j++)
            if (!x->through && !t[j].through && !strcmp(x->final, t[j].final)) {
                fprintf(stderr, "aslc: %s and %s name the same file %s\n", t[j].option, opt[k],
                        path[k]);
                return false;
            }
    }
    return true;
}

/* The picture of the binary's --report, laid out now (a binary cannot run
 * Graphviz): graph.c writes it as C, which build.c links in when the
 * temporary directory has ASLC_REPORT_GRAPH_C.  None is fine (no Graphviz, a
 * large machine): the report then has no picture.  False only when the
 * file cannot be written. */
static bool write_report_graph(const ir_program *p)
{
    asl_buf src;
    asl_buf_init(&src);
    bool ok = true;
    if (aslc_graph_report_source(&src, p)) {
        char path[PATH_MAX];
        aslc_tmp_path(path, ASLC_REPORT_GRAPH_C);
        if (!(ok = aslc_write_file(path, src.data, src.len)))
            fprintf(stderr, "aslc: cannot write %s: %s\n", path, strerror(errno));
    }
    asl_buf_free(&src);
    return ok;
}

/* Generates the code and writes every target; 0 on success. */
static int generate(const options *o, const ir_program *p, const aslc_emit_opts *eo,
                    aslc_target *t, int nt)
{
    aslc_target *out = NULL, *emit_c = NULL, *emit_llvm = NULL;
    for (int k = 0; k < nt; k++) {
        if (!strcmp(t[k].option, "-o")) out = &t[k];
        else if (!strcmp(t[k].option, "--emit-c")) emit_c = &t[k];
        else emit_llvm = &t[k];
    }
    if (!aslc_tmp_init()) return 1;
    /* Everything is made in the temporary directory, under names aslc
     * chose (the C compiler goes by a file's extension), and copied to the
     * targets at the end. */
    char cpath[PATH_MAX], llpath[PATH_MAX], exe[PATH_MAX];
    aslc_tmp_path(cpath, "workflow.c");
    aslc_tmp_path(llpath, "workflow.ll");
    aslc_tmp_path(exe, "workflow");
    bool lambda = eo->lambda;
    bool llvm = !strcmp(o->backend, "llvm");
    asl_buf c;
    asl_buf_init(&c);
    int status = 1;
    /* Lambda functions and serve's shared objects have no --report to draw for. */
    bool shared = !strcmp(o->target, "shared");
    if (out && !lambda && !shared && !o->no_report_graph && !write_report_graph(p)) goto out;
    if (o->child >= 0) {   /* a --link: its object, in the temporary directory */
        const aslc_linked *l = &o->links[o->child];
        if (llvm) {
#ifdef ASLC_HAVE_LLVM
            if (aslc_llvm_compile(p, eo, NULL, l->obj, NULL)) status = 0;
#endif
            goto out;
        }
        aslc_emit_c(&c, p, eo);
        char lc[PATH_MAX];
        snprintf(lc, sizeof lc, "%.*s.c", (int)strlen(l->obj) - 2, l->obj);
        if (!aslc_write_file(lc, c.data, c.len)) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", lc, strerror(errno));
            goto out;
        }
        aslc_build_opts bo = {lc, NULL, l->obj, NULL, NULL, aslc_layout_of(p), NULL, 0, eo->aws,
                              false, shared, l->sym};
        if (aslc_build(&bo)) status = 0;
        goto out;
    }
    if (!llvm || emit_c) aslc_emit_c(&c, p, eo);
    if (llvm) {
#ifdef ASLC_HAVE_LLVM
        if (!aslc_llvm_compile(p, eo, emit_llvm ? llpath : NULL, out ? exe : NULL, o->handlers)) goto out;
#endif
    } else if (out) {
        if (!aslc_write_file(cpath, c.data, c.len)) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", cpath, strerror(errno));
            goto out;
        }
        aslc_build_opts bo = {cpath, o->handlers, exe, NULL, NULL, aslc_layout_of(p), NULL, 0,
                              eo->aws, lambda, !strcmp(o->target, "shared"), NULL};
        if (!aslc_build(&bo)) goto out;
    }
    status = 0;
    if (emit_c && !aslc_target_write(emit_c, c.data, c.len)) status = 1;
    if (emit_llvm && !aslc_target_install(emit_llvm, llpath)) status = 1;
    if (out && lambda) {
        asl_buf zip;
        asl_buf_init(&zip);
        if (!aslc_lambda_package(exe, &zip) || !aslc_target_write(out, zip.data, zip.len)) status = 1;
        asl_buf_free(&zip);
    } else if (out && !aslc_target_install(out, exe)) {
        status = 1;
    }
out:
    asl_buf_free(&c);
    return status;
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

/* Whether a Map's ItemReader or ResultWriter template names a bucket at all
 * (has Parameters: a ResultWriter without one only shapes the result). */
static bool names_bucket(const ir_tmpl *t)
{
    if (!t) return false;
    if (t->kind == IR_T_CONST) return asl_object_get(t->cval, "Parameters", 10) != NULL;
    for (uint32_t i = 0; i < t->n; i++)
        if (!strcmp(t->members[i].key, "Parameters")) return true;
    return false;
}

/* A bucket that the resources file does not bind is S3's own when the Map
 * runs (runtime/bucket_s3.c): *aws is set, which links the AWS client in.
 * One named as a constant is warned about when warn (a run-time --resources
 * may still bind it); a bucket from a path is only known when the Map runs. */
static void check_buckets(aslc_unit *u, const ir_program *p, const cJSON *res, bool warn, bool *aws)
{
    for (uint32_t i = 0; i < p->nall; i++) {
        const ir_state *s = p->all[i];
        if (s->type != IR_MAP) continue;
        const ir_tmpl *io[2] = {s->item_reader, s->result_writer};
        for (int k = 0; k < 2; k++) {
            if (!names_bucket(io[k])) continue;
            const char *b = const_bucket(io[k]);
            if (!b) {
                *aws = true;
                continue;
            }
            char *key = asl_sprintf(u->arena, "s3://%s", b);
            if (res && cJSON_GetObjectItemCaseSensitive(res, key)) continue;
            *aws = true;
            if (warn)
                aslc_diag_at(u, ASLC_WARNING, s->loc.line, s->loc.col, s->loc.ptr,
                             "state \"%s\": bucket \"%s\" of its %s has no binding: the Map uses the "
                             "S3 bucket itself; bind \"%s\" to a directory in a resources file to use "
                             "local files (docs/tasks.md)",
                             s->name, b, k ? "ResultWriter" : "ItemReader", key);
        }
    }
}

static int compile_one(const options *o, const char *file);

/* --link (linked.c): records which links p starts by a constant ARN; for the
 * program itself (o->child < 0), compiles every link into its object, checks
 * that they start no cycle and adds them and their table to the build.  A
 * linked machine that calls AWS sets *aws: the binary links the client. */
static bool link_children(const options *o, aslc_unit *u, const ir_program *p, bool *aws)
{
    int n = o->nlinks;
    for (uint32_t i = 0; i < p->ntasks; i++) {
        const char *lit = aslc_linked_literal(u->arena, p, p->tasks[i]);
        int j = lit ? aslc_linked_find(o->links, n, lit) : -1;
        if (j >= 0 && o->child >= 0) o->edges[o->child * n + j] = true;
    }
    if (o->child >= 0) return true;
    if (!aslc_tmp_init()) return false;
    bool ok = true;
    for (int k = 0; k < n; k++) {
        aslc_linked *l = &o->links[k];
        snprintf(l->sym, sizeof l->sym, "asl_linked_%d", k);
        char name[32];
        snprintf(name, sizeof name, "linked_%d.o", k);
        aslc_tmp_path(l->obj, name);
        options c = *o;
        c.child = k;
        c.output = l->obj;
        c.emit_c = c.emit_llvm = c.emit_lir = c.emit_template = NULL;
        c.name = aslc_linked_name(l->arn);
        c.no_report_graph = true;
        if (!strcmp(c.target, "lambda")) c.target = "native";
        if (compile_one(&c, l->file)) ok = false;
    }
    if (!ok) return false;
    if (!aslc_linked_cycles(u, o->links, n, o->edges)) return false;
    char table[PATH_MAX];
    aslc_tmp_path(table, "linked.c");
    asl_buf tb;
    asl_buf_init(&tb);
    aslc_linked_table(&tb, o->links, n);
    bool wrote = aslc_write_file(table, tb.data, tb.len);
    asl_buf_free(&tb);
    if (!wrote) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", table, strerror(errno));
        return false;
    }
    for (int k = 0; k < n; k++) {
        aslc_build_add(o->links[k].obj);
        if (o->links[k].aws) *aws = true;
    }
    aslc_build_add(table);
    return true;
}

static int compile_one(const options *o, const char *file)
{
    aslc_unit u;
    memset(&u, 0, sizeof u);
    u.file = file;
    u.json_diags = o->json_diags;
    asl_buf_init(&u.json_out);
    char why[256];
    char *text = aslc_file_read(file, o->max_chars, &u.len, why, sizeof why);
    if (!text) {
        /* a diagnostic of the file (in the JSON array with --format=json) */
        if (!strncmp(why, "more than", 9))
            aslc_diag_at(&u, ASLC_ERROR, 0, 0, "", "the definition has %s; AWS accepts at most %d "
                         "(--definition-limit raises aslc's bound)", why, ASLC_DEFINITION_CHARS);
        else
            aslc_diag_at(&u, ASLC_ERROR, 0, 0, "", "%s", why);
        aslc_diag_flush(&u);
        asl_buf_free(&u.json_out);
        return 1;
    }
    u.text = text;
    u.arena = asl_arena_new();
    int status = 1, nt = 0;
    aslc_target t[3];
    cJSON *res = NULL, *mocks = NULL;
    bindings b;
    memset(&b, 0, sizeof b);
    bool aws = false;
    /* The bindings are read first: the front end lets a Resource that AWS
     * refuses compile, with a warning, when the resources file binds it. */
    bool ok = true;
    if (!o->check_only) {
        if (o->handlers && !check_handlers(o->handlers)) goto done;
        if (o->child < 0 && !open_targets(o, file, t, &nt)) goto done;
        if (o->resources) ok = load_resources(u.arena, o->resources, &res, &b) && ok;
        if (o->mocks) ok = (mocks = load_mocks(o->mocks, &b)) != NULL && ok;
        u.bound = res;
    }
    ir_program *p = aslc_front_end(&u, o->name ? o->name : stem(u.arena, file));
    if (p && !u.errors && !o->check_only) {
        if (!ok) u.errors++;
        else check_bindings(&u, p, &res, mocks, &aws, !o->allow_unbound, o->served, o);
        if (aws && res) {   /* with the AWS bindings made from the API models */
            free(b.resources_json);
            b.resources_json = cJSON_PrintUnformatted(res);
        }
        if (ok) check_buckets(&u, p, res, !o->allow_unbound, &aws);
    }
    if (p && !u.errors && !o->check_only && o->nlinks && !link_children(o, &u, p, &aws)) u.errors++;
    aslc_diag_flush(&u);
    if (u.errors || !p) goto done;
    if (o->check_only) {
        status = 0;
        goto done;
    }

    if (o->emit_lir) {
        asl_buf lb;
        asl_buf_init(&lb);
        lir_program *lp = aslc_lower(p);
        lir_dump(&lb, lp);
        lir_data_dump(&lb, lp);
        lir_data_free(lp);
        bool wrote = aslc_write_file(o->emit_lir, lb.data, lb.len);
        asl_buf_free(&lb);
        if (!wrote) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", o->emit_lir, strerror(errno));
            goto done;
        }
        if (!o->output && !o->emit_c && !o->emit_llvm) {
            status = 0;
            goto done;
        }
    }

    aslc_emit_opts eo = {b.resources_json, b.mocks_json, b.natives, b.nnatives, file,
                         o->allow_unbound, aws, !strcmp(o->target, "lambda"), o->served,
                         o->child >= 0 ? o->links[o->child].sym : NULL};
    char tpl_abs[PATH_MAX], in_abs[PATH_MAX];
    if (o->emit_template && realpath(o->emit_template, tpl_abs) && realpath(file, in_abs) &&
        !strcmp(tpl_abs, in_abs)) {
        fprintf(stderr, "aslc: --emit-template %s is the definition: refusing to overwrite an input\n",
                o->emit_template);
        goto done;
    }
    status = generate(o, p, &eo, t, nt);
    if (o->child >= 0) o->links[o->child].aws = aws;
    if (status == 0 && o->emit_template) {
        asl_buf tb;
        asl_buf_init(&tb);
        aslc_lambda_template(&tb, p, o->output ? o->output : "function.zip", o->emit_template);
        if (!aslc_write_file(o->emit_template, tb.data, tb.len)) {
            fprintf(stderr, "aslc: cannot write %s: %s\n", o->emit_template, strerror(errno));
            status = 1;
        }
        asl_buf_free(&tb);
    }
done:
    for (int k = 0; k < nt; k++) aslc_target_abort(&t[k]);
    if (o->child < 0) aslc_tmp_finish();   /* a link's object goes into the program's */
    cJSON_Delete(res);
    cJSON_Delete(mocks);
    free(b.resources_json);
    free(b.mocks_json);
    asl_buf_free(&u.json_out);
    asl_arena_free(u.arena);
    free(text);
    return status;
}

/* What main allocated in o, on every way out of it. */
static void options_free(options *o)
{
    for (int k = 0; k < o->nlinks; k++) free((char *)o->links[k].arn);
    free(o->links);
    free(o->edges);
    free(o->inputs);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "graph"))   /* its own options: graph.c */
        return aslc_graph_main(argc - 2, argv + 2);
    options o;
    memset(&o, 0, sizeof o);
    o.backend = "c";
    o.target = "native";
    o.max_chars = ASLC_DEFINITION_CHARS;
    o.child = -1;
    bool backend_given = false;
    o.inputs = calloc((size_t)argc, sizeof *o.inputs);
    int i = 1;
    if (argc > 1 && !strcmp(argv[1], "serve")) {
        options_free(&o);
        return aslc_serve_main(argc - 1, argv + 1);
    }
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
            options_free(&o);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("aslc %s\n", ASLC_VERSION);
            options_free(&o);
            return 0;
        } else if (!strcmp(a, "-o")) TAKE(output);
        else if (!strcmp(a, "--emit-c")) TAKE(emit_c);
        else if (!strcmp(a, "--emit-llvm")) TAKE(emit_llvm);
        else if (!strcmp(a, "--emit-lir")) TAKE(emit_lir);
        else if (!strcmp(a, "--resources")) TAKE(resources);
        else if (!strcmp(a, "--mocks")) TAKE(mocks);
        else if (!strcmp(a, "--handlers")) TAKE(handlers);
        else if (!strcmp(a, "--link")) {
            const char *eq = val ? strchr(val, '=') : NULL;
            char *arn = eq ? strndup(val, (size_t)(eq - val)) : NULL;
            if (!eq || !eq[1] || !aslc_linked_arn_ok(arn)) {
                fprintf(stderr, "aslc: --link takes ARN=FILE, ARN a state machine's "
                                "(arn:aws:states:REGION:ACCOUNT:stateMachine:NAME, no version or "
                                "alias): %s\n", val ? val : "(nothing)");
                free(arn);
                options_free(&o);
                return 2;
            }
            if (aslc_linked_find(o.links, o.nlinks, arn) >= 0) {
                fprintf(stderr, "aslc: --link %s: that ARN is already linked\n", arn);
                free(arn);
                options_free(&o);
                return 2;
            }
            o.links = realloc(o.links, (size_t)(o.nlinks + 1) * sizeof *o.links);
            memset(&o.links[o.nlinks], 0, sizeof *o.links);
            o.links[o.nlinks].arn = arn;
            o.links[o.nlinks++].file = eq + 1;
            i++;
        }
        else if (!strcmp(a, "--name")) TAKE(name);
        else if (!strcmp(a, "--target")) TAKE(target);
        else if (!strncmp(a, "--target=", 9)) o.target = a + 9;
        else if (!strcmp(a, "--emit-template")) TAKE(emit_template);
        else if (!strcmp(a, "--backend")) { TAKE(backend); backend_given = true; }
        else if (!strncmp(a, "--backend=", 10)) { o.backend = a + 10; backend_given = true; }
        else if (!strcmp(a, "--format=json")) o.json_diags = true;
        else if (!strcmp(a, "--allow-unbound")) o.allow_unbound = true;
        else if (!strcmp(a, "--no-report-graph")) o.no_report_graph = true;
        else if (!strcmp(a, "--served")) o.served = true;
        else if (!strcmp(a, "--definition-limit") || !strncmp(a, "--definition-limit=", 19)) {
            const char *v = a[18] == '=' ? a + 19 : (i++, val);
            char *end = NULL;
            unsigned long long lim = v && !strcmp(v, "off") ? ASLC_MAX_CHARS : v ? strtoull(v, &end, 10) : 0;
            if (!v || (end && (*end || end == v)) || lim < 1 || lim > ASLC_MAX_CHARS) {
                fprintf(stderr, "aslc: --definition-limit takes a number of characters from 1 to "
                                "%zu, or off\n", ASLC_MAX_CHARS);
                options_free(&o);
                return 2;
            }
            o.max_chars = (size_t)lim;
        }
        else if (!strcmp(a, "--format=text")) o.json_diags = false;
        else if (!strcmp(a, "--jn-exprs") && val) {   /* hidden: tests/jsonata_suite.c --aslc */
            if (!lir_jn_extra_load(val)) {
                options_free(&o);
                return 2;
            }
            i++;
        }
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "aslc: unknown option %s\n", a);
            usage(stderr);
            options_free(&o);
            return 2;
        } else {
            o.inputs[o.ninputs++] = a;
        }
#undef TAKE
    }
    if (!o.ninputs) {
        usage(stderr);
        options_free(&o);
        return 2;
    }
    if (o.emit_llvm && !backend_given) o.backend = "llvm";
    if (strcmp(o.backend, "c") && strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: unknown back end '%s' (backends: c, llvm)\n", o.backend);
        options_free(&o);
        return 2;
    }
    if (o.emit_llvm && strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: --emit-llvm writes the LLVM back end's module: it needs --backend=llvm\n");
        options_free(&o);
        return 2;
    }
#ifndef ASLC_HAVE_LLVM
    if (!strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: the llvm back end is not available in this build: %s; use --backend=c\n",
                ASLC_NO_LLVM_REASON);
        options_free(&o);
        return 2;
    }
#endif
    if (strcmp(o.target, "native") && strcmp(o.target, "lambda") && strcmp(o.target, "shared")) {
        fprintf(stderr, "aslc: unknown target '%s' (targets: native, lambda, shared)\n", o.target);
        options_free(&o);
        return 2;
    }
    if (!strcmp(o.target, "shared") && !strcmp(o.backend, "llvm")) {
        fprintf(stderr, "aslc: --target shared is built by the C back end: use --backend=c\n");
        options_free(&o);
        return 2;
    }
    if (o.emit_template && strcmp(o.target, "lambda")) {
        fprintf(stderr, "aslc: --emit-template describes a Lambda function: it needs --target lambda\n");
        options_free(&o);
        return 2;
    }
    if (!o.check_only && o.ninputs != 1) {
        fprintf(stderr, "aslc: give exactly one definition to compile (use 'aslc check' for several)\n");
        options_free(&o);
        return 2;
    }
    if (!o.check_only && !o.output && !o.emit_c && !o.emit_llvm && !o.emit_lir) {
        fprintf(stderr, "aslc: nothing to do: give -o OUT, --emit-c FILE.c, --emit-llvm FILE.ll or --emit-lir FILE.lir\n");
        options_free(&o);
        return 2;
    }
    int status = 0;
    if (o.nlinks) o.edges = calloc((size_t)o.nlinks * (size_t)o.nlinks, sizeof *o.edges);
    for (int k = 0; k < o.ninputs; k++)
        if (compile_one(&o, o.inputs[k])) status = 1;
    aslc_diag_finish();   /* --format=json: one array for all the files */
    options_free(&o);
    return status;
}
