/*
 * task.c — what a Task state's Resource does outside AWS.
 *
 * Before an execution starts, asl_tasks_bind() turns the resources file and
 * the mocks file (compiled in, or given at run time) into one binding per
 * task site of the program, so that every configuration mistake is reported
 * up front, naming the file, the key and the state.  During the execution,
 * asl_task() looks the site's binding up by index and runs it:
 *
 *   mock     the next result from the state's list (a lock-protected counter);
 *   native   a C function linked into the binary, called in-process;
 *   command  a child process, JSON in on stdin and out on stdout;
 *   python   lambda_handler(event, context) in a warm python3 worker;
 *   node     exports.handler(event, context) in a warm node worker;
 *
 * command lives in task_proc.c, python and node in warm.c.  The optimised Lambda integration
 * (arn:aws:states:::lambda:invoke) names its function in the task input, so
 * it is resolved per call: the function is looked up by its FunctionName in
 * the resources file, gets the Payload as its event, and its result is
 * wrapped in the integration's response ({"ExecutedVersion", "Payload",
 * "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}).  Mocks bypass the
 * wrapping: a mocked result is what the integration returned.
 *
 * Layout of run->bindings (allocated here, in run->arena):
 *   [0, nsites)             one per task site, indexed by site->id;
 *   [nsites]                the resources table: .mocks holds the resources
 *                           object (its member order indexes what follows),
 *                           .dir the directory relative paths resolve against;
 *   [nsites + 1 + k]        the binding of resources member k.
 * A site left at ASL_BIND_NONE after a successful bind is a lambda:invoke
 * whose function is looked up in that table at call time.  (asl_run has no
 * field for the table itself, hence the extra slots.)
 *
 * The user-facing contract is docs/tasks.md.
 */
#define _GNU_SOURCE
#include "task.h"
#include "history.h"
#include "aws.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* The AWS client (aws_*.c, with libcurl) is in a binary only when aslc
 * linked it in, for a Task it compiled without a binding: these weak
 * references are null otherwise, and such a Task then needs a binding. */
#pragma weak asl_aws_lambda_invoke
#pragma weak asl_aws_sdk_call
static bool aws_linked(void)
{
    return asl_aws_lambda_invoke != NULL;
}

/* The account and region of the ARNs this runtime makes up; main.c uses the
 * same for the execution ARN. */
#define FAKE_LAMBDA_ARN_PREFIX "arn:aws:lambda:us-east-1:123456789012:function:"

/* ---- names of things ---------------------------------------------------------- */

typedef struct {
    const char *name;     /* function name */
    size_t nlen;
    const char *qual;     /* qualifier (version or alias), or NULL */
    size_t qlen;
} lambda_ref;

/* Splits a reference to a Lambda function into its name and qualifier.
 * Accepted: arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER],
 * and, when plain is set (a FunctionName parameter), also
 * ACCOUNT:function:NAME[:QUALIFIER] and NAME[:QUALIFIER]. */
static bool parse_lambda_ref(const char *s, bool plain, lambda_ref *r)
{
    const char *part[9];
    size_t plen[9];
    int n = 0;
    for (const char *p = s;;) {
        const char *c = strchr(p, ':');
        if (n == 9) return false;
        part[n] = p;
        plen[n] = c ? (size_t)(c - p) : strlen(p);
        n++;
        if (!c) break;
        p = c + 1;
    }
#define IS(i, lit) (plen[i] == sizeof(lit) - 1 && !memcmp(part[i], lit, sizeof(lit) - 1))
    int at = -1;
    if (n >= 7 && n <= 8 && IS(0, "arn") && IS(2, "lambda") && IS(5, "function"))
        at = 6;
    else if (plain && n >= 3 && n <= 4 && IS(1, "function"))
        at = 2;
    else if (plain && n <= 2)
        at = 0;
#undef IS
    if (at < 0 || plen[at] == 0) return false;
    r->name = part[at];
    r->nlen = plen[at];
    r->qual = at + 1 < n ? part[at + 1] : NULL;
    r->qlen = at + 1 < n ? plen[at + 1] : 0;
    if (r->qual && r->qlen == 0) return false;
    return true;
}

/* arn:PARTITION:states:::lambda:invoke, optionally .waitForTaskToken. */
static bool is_lambda_invoke(const char *res, bool *wait_token)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    if (!p || strncmp(p, ":states:::lambda:invoke", 23) != 0) return false;
    p += 23;
    *wait_token = !strcmp(p, ".waitForTaskToken");
    return *wait_token || *p == '\0';
}

/* arn:PARTITION:states:REGION:ACCOUNT:activity:NAME: an activity, whose
 * workers poll Step Functions (GetActivityTask) for their work.  A compiled
 * binary is no such endpoint: unbound, the Task fails when it is reached. */
static bool is_activity(const char *res)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    if (!p || strncmp(p, ":states:", 8) != 0) return false;
    int colons = 0;
    for (p += 8; *p && colons < 2; p++) colons += *p == ':';
    return colons == 2 && !strncmp(p, "activity:", 9) && p[9];
}

static long find_key(const asl_value *obj, const char *key, size_t klen)
{
    if (!obj) return -1;
    for (uint32_t i = 0; i < obj->len; i++) {
        const asl_member *m = &obj->u.o.members[i];
        if (m->klen == klen && !memcmp(m->key, key, klen)) return (long)i;
    }
    return -1;
}

/* ---- binding: loading and validating the files ------------------------------- */

typedef struct {
    asl_run *run;
    asl_buf *err;
    int nerr;
    const char *res_label;    /* how messages name the resources file */
    const char *mock_label;
    asl_value *res;           /* resources object, or NULL */
    asl_value *mocks;         /* mocks object, or NULL */
    char *dir;                /* resources directory (run-time file), or NULL */
    asl_binding *entries;     /* resolved resources members (run->bindings + nsites + 1) */
    bool *entry_ok;           /* entry k parsed without error */
    bool *entry_checked;      /* entry k's program / file / function was looked for */
    char *python;             /* interpreter, found once; in run->arena */
    bool python_searched;
    char *node;               /* the same for node */
    bool node_searched;
} binder;

enum { MAX_ERRORS = 20 };

static void bind_error(binder *bd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bind_error(binder *bd, const char *fmt, ...)
{
    bd->nerr++;
    if (bd->nerr > MAX_ERRORS) return;
    if (bd->err->len) asl_buf_putc(bd->err, '\n');
    if (bd->nerr == MAX_ERRORS) {
        asl_buf_puts(bd->err, "(more errors not shown)");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    asl_buf_vprintf(bd->err, fmt, ap);
    va_end(ap);
}

static char *errno_text(char *buf, size_t n, int e)
{
    const char *s = strerror_r(e, buf, n);
    if (s != buf) snprintf(buf, n, "%s", s);
    return buf;
}

/* Reads and parses a JSON file (path) or the embedded text, into run->arena.
 * NULL with an error reported when it cannot. */
static asl_value *load_json(binder *bd, const char *path, const char *embedded,
                            const char *label)
{
    asl_arena *a = bd->run->arena;
    const char *text = embedded;
    size_t len = embedded ? strlen(embedded) : 0;
    char *owned = NULL;
    if (path) {
        FILE *f = fopen(path, "rb");
        char eb[128];
        if (!f) {
            bind_error(bd, "cannot open %s: %s", label, errno_text(eb, sizeof eb, errno));
            return NULL;
        }
        asl_buf b;
        asl_buf_init(&b);
        bool bad = !asl_buf_read_stream(&b, f);
        fclose(f);
        if (bad) {
            bind_error(bd, "cannot read %s", label);
            asl_buf_free(&b);
            return NULL;
        }
        owned = b.data;
        text = owned ? owned : "";
        len = b.len;
    }
    asl_json_error jerr;
    asl_value *v = asl_json_parse(a, text, len, &jerr);
    free(owned);
    if (!v) {
        bind_error(bd, "%s:%d:%d: invalid JSON: %s", label, jerr.line, jerr.col, jerr.msg);
        return NULL;
    }
    if (v->type != ASL_OBJECT) {
        bind_error(bd, "%s: expected a JSON object at the top level", label);
        return NULL;
    }
    return v;
}

/* The directory a run-time resources file's relative paths resolve against:
 * its own, made absolute so that it does not depend on the cwd later. */
static char *file_dir(asl_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash) dir = asl_strndup(a, ".", 1);
    else if (slash == path) dir = asl_strndup(a, "/", 1);
    else dir = asl_strndup(a, path, (size_t)(slash - path));
    char *real = realpath(dir, NULL);
    if (real) {
        dir = asl_strndup(a, real, strlen(real));
        free(real);
    }
    return dir;
}

static char *resolve_path(binder *bd, const char *p)
{
    if (p[0] == '/' || !bd->dir) return (char *)p;
    while (p[0] == '.' && p[1] == '/') p += 2;
    return asl_sprintf(bd->run->arena, "%s/%s", bd->dir, p);
}

/* Syntax of resources member k; fills bd->entries[k] (kind NONE on error). */
static void parse_entry(binder *bd, uint32_t k)
{
    asl_arena *a = bd->run->arena;
    const asl_member *m = &bd->res->u.o.members[k];
    const char *key = m->key;
    const asl_value *v = m->val;
    asl_binding *b = &bd->entries[k];
    memset(b, 0, sizeof *b);
    b->dir = bd->dir;
    if (v->type != ASL_OBJECT) {
        bind_error(bd,
                   "%s: \"%s\": expected an object: {\"python\": \"file.py\"}, "
                   "{\"command\": [\"program\", \"arg\", ...]} or {\"native\": \"c_function\"}",
                   bd->res_label, key);
        return;
    }
    const asl_member *kind = NULL;
    int nkinds = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const asl_member *f = &v->u.o.members[i];
        if (!strcmp(f->key, "command") || !strcmp(f->key, "python") ||
            !strcmp(f->key, "node") || !strcmp(f->key, "native") || !strcmp(f->key, "aws") ||
            !strcmp(f->key, "connection") || !strcmp(f->key, "directory")) {
            kind = f;
            nkinds++;
        } else if (strcmp(f->key, "comment") != 0 && strcmp(f->key, "Comment") != 0) {
            bind_error(bd,
                       "%s: \"%s\": unknown binding kind \"%s\" (expected \"command\", "
                       "\"python\", \"node\", \"native\" or, for an \"s3://bucket\", \"directory\")",
                       bd->res_label, key, f->key);
            return;
        }
    }
    if (nkinds != 1) {
        bind_error(bd, "%s: \"%s\": %s one of \"command\", \"python\", \"node\" or \"native\"",
                   bd->res_label, key, nkinds ? "give only" : "give");
        return;
    }
    const asl_value *kv = kind->val;
    bool bucket = !strncmp(key, "s3://", 5);
    if (bucket != !strcmp(kind->key, "directory")) {
        bind_error(bd, bucket ? "%s: \"%s\": a bucket is bound to {\"directory\": \"path\"}"
                              : "%s: \"%s\": only an \"s3://bucket\" key is bound to a directory",
                   bd->res_label, key);
        return;
    }
    if (bucket) {
        /* The objects of the bucket are the files below the directory (bucket.c). */
        if (kv->type != ASL_STRING || kv->len == 0 || strlen(kv->u.str) != kv->len) {
            bind_error(bd, "%s: \"%s\": \"directory\" must be the path of a directory",
                       bd->res_label, key);
            return;
        }
        b->directory = resolve_path(bd, kv->u.str);
        b->kind = ASL_BIND_DIRECTORY;
    } else if (!strcmp(kind->key, "command")) {
        bool ok = kv->type == ASL_ARRAY && kv->len > 0;
        for (uint32_t i = 0; ok && i < kv->len; i++) {
            const asl_value *s = kv->u.a.items[i];
            ok = s->type == ASL_STRING && strlen(s->u.str) == s->len && (i > 0 || s->len > 0);
        }
        if (!ok) {
            bind_error(bd,
                       "%s: \"%s\": \"command\" must be a non-empty array of strings "
                       "(the program and its arguments)",
                       bd->res_label, key);
            return;
        }
        b->argv = asl_alloc(a, (kv->len + 1) * sizeof *b->argv);
        for (uint32_t i = 0; i < kv->len; i++) b->argv[i] = (char *)kv->u.a.items[i]->u.str;
        b->argv[kv->len] = NULL;
        /* Only the program is a path we can recognise: it contains a '/'.  A
         * bare name is looked up in $PATH, arguments are passed as written. */
        if (strchr(b->argv[0], '/')) b->argv[0] = resolve_path(bd, b->argv[0]);
        b->kind = ASL_BIND_COMMAND;
    } else if (!strcmp(kind->key, "python") || !strcmp(kind->key, "node")) {
        bool node = !strcmp(kind->key, "node");
        if (kv->type != ASL_STRING || kv->len == 0 || strlen(kv->u.str) != kv->len) {
            bind_error(bd, node ? "%s: \"%s\": \"node\" must be the path of a .js or .mjs file"
                                : "%s: \"%s\": \"python\" must be the path of a .py file",
                       bd->res_label, key);
            return;
        }
        /* "file.py:handler" names the function, as Lambda's Handler setting
         * does (a ':' after the last '/', followed by a name). */
        const char *file = kv->u.str;
        const char *slash = strrchr(file, '/'), *colon = strrchr(file, ':');
        if (colon && (!slash || colon > slash) && colon[1] && colon > file) {
            b->handler = asl_strndup(a, colon + 1, strlen(colon + 1));
            file = asl_strndup(a, file, (size_t)(colon - file));
        }
        b->python_file = resolve_path(bd, file);
        b->kind = node ? ASL_BIND_NODE : ASL_BIND_PYTHON;
    } else if (!strcmp(kind->key, "connection")) {
        /* an EventBridge connection's authorisation, for the HTTP Task
         * (aws_http_task.c reads it there); binds no Task */
        if (kv->type != ASL_OBJECT) {
            bind_error(bd, "%s: \"%s\": \"connection\" must be an object of EventBridge "
                           "AuthParameters", bd->res_label, key);
            return;
        }
        b->kind = ASL_BIND_NONE;
    } else if (!strcmp(kind->key, "aws")) {
        /* made by aslc from the service's API model (compiler/aws_model.c) */
        const asl_value *t = kv->type == ASL_OBJECT ? asl_object_get(kv, "protocol", 8) : NULL;
        if (!t || t->type != ASL_STRING) {
            bind_error(bd, "%s: \"%s\": \"aws\" must be the call aslc made from the "
                           "service's API model", bd->res_label, key);
            return;
        }
        b->aws = kv;
        b->kind = ASL_BIND_AWS;
    } else {
        if (kv->type != ASL_STRING || kv->len == 0) {
            bind_error(bd, "%s: \"%s\": \"native\" must be the name of a C function",
                       bd->res_label, key);
            return;
        }
        b->kind = ASL_BIND_NATIVE; /* fn is looked up by check_entry */
    }
    bd->entry_ok[k] = true;
}

/* The part of an entry that depends on this machine and this binary: the
 * program, the python file and interpreter, the linked C function.  Done only
 * for entries a Task can reach, so one resources file can serve several
 * workflows. */
static void check_entry(binder *bd, uint32_t k)
{
    if (!bd->entry_ok[k] || bd->entry_checked[k]) return;
    bd->entry_checked[k] = true;
    const asl_program *prog = bd->run->prog;
    const asl_member *m = &bd->res->u.o.members[k];
    asl_binding *b = &bd->entries[k];
    char eb[128];
    switch (b->kind) {
    case ASL_BIND_COMMAND: {
        char *found = asl_find_executable(b->argv[0]);
        if (!found) {
            if (strchr(b->argv[0], '/'))
                bind_error(bd, "%s: \"%s\": command \"%s\": %s", bd->res_label, m->key,
                           b->argv[0],
                           access(b->argv[0], F_OK) == 0 ? "not an executable file"
                                                          : errno_text(eb, sizeof eb, ENOENT));
            else
                bind_error(bd, "%s: \"%s\": command \"%s\" not found in PATH", bd->res_label,
                           m->key, b->argv[0]);
        }
        free(found);
        break;
    }
    case ASL_BIND_NODE:
        if (access(b->python_file, R_OK) != 0) {
            bind_error(bd, "%s: \"%s\": node file \"%s\": %s", bd->res_label, m->key,
                       b->python_file, errno_text(eb, sizeof eb, errno));
            break;
        }
        if (!bd->node_searched) {
            bd->node_searched = true;
            const char *want = getenv("ASL_NODE");
            char *found = asl_find_executable(want && *want ? want : "node");
            if (!found && !(want && *want)) found = asl_find_executable("nodejs");
            if (found) {
                bd->node = asl_strndup(bd->run->arena, found, strlen(found));
                free(found);
            } else {
                bind_error(bd,
                           "%s: \"%s\": node handlers need \"%s\", which was not found "
                           "(install nodejs or set ASL_NODE to an interpreter)",
                           bd->res_label, m->key, want && *want ? want : "node");
            }
        }
        if (bd->node) {
            b->argv = asl_alloc(bd->run->arena, 2 * sizeof *b->argv);
            b->argv[0] = bd->node;
            b->argv[1] = NULL;
        }
        break;
    case ASL_BIND_PYTHON:
        if (access(b->python_file, R_OK) != 0) {
            bind_error(bd, "%s: \"%s\": python file \"%s\": %s", bd->res_label, m->key,
                       b->python_file, errno_text(eb, sizeof eb, errno));
            break;
        }
        if (!bd->python_searched) {
            bd->python_searched = true;
            const char *want = getenv("ASL_PYTHON");
            if (!want || !*want) want = "python3";
            char *found = asl_find_executable(want);
            if (found) {
                bd->python = asl_strndup(bd->run->arena, found, strlen(found));
                free(found);
            } else {
                bind_error(bd,
                           "%s: \"%s\": python handlers need \"%s\", which was not found "
                           "(install python3 or set ASL_PYTHON to an interpreter)",
                           bd->res_label, m->key, want);
            }
        }
        if (bd->python) {
            b->argv = asl_alloc(bd->run->arena, 2 * sizeof *b->argv);
            b->argv[0] = bd->python;
            b->argv[1] = NULL;
        }
        break;
    case ASL_BIND_NATIVE: {
        const char *want = asl_object_get(m->val, "native", 6)->u.str;
        for (uint32_t i = 0; i < prog->nnatives; i++)
            if (!strcmp(prog->natives[i].name, want)) b->fn = prog->natives[i].fn;
        if (!b->fn) {
            asl_buf have;
            asl_buf_init(&have);
            for (uint32_t i = 0; i < prog->nnatives; i++) {
                asl_buf_puts(&have, i ? ", " : "");
                asl_buf_puts(&have, prog->natives[i].name);
            }
            bind_error(bd,
                       "%s: \"%s\": native handler \"%s\" is not linked into this binary "
                       "(compile the workflow with aslc --handlers FILE.c, FILE.c defining it)%s%.*s",
                       bd->res_label, m->key, want, have.len ? "; linked: " : "",
                       (int)have.len, have.data ? have.data : "");
            asl_buf_free(&have);
        }
        break;
    }
    case ASL_BIND_AWS:
        if (!aws_linked())
            bind_error(bd,
                       "%s: \"%s\": this binary was compiled without the AWS client (every "
                       "Task had a mock or a binding); compile it again without them to call AWS",
                       bd->res_label, m->key);
        break;
    default:
        break;
    }
}

/* An entry {"Error": "...", "Cause": "..."} (Cause optional, may be null). */
static bool is_mock_error(const asl_value *v)
{
    if (v->type != ASL_OBJECT || v->len == 0 || v->len > 2) return false;
    if (!asl_object_get(v, "Error", 5)) return false;
    return v->len == 1 || asl_object_get(v, "Cause", 5);
}

/* Mocks are used verbatim (a mocked result is exactly what the integration
 * returned); only the shape of failures is checked. */
static void check_mocks(binder *bd)
{
    for (uint32_t i = 0; i < bd->mocks->len; i++) {
        const asl_member *m = &bd->mocks->u.o.members[i];
        if (m->val->type != ASL_ARRAY) {
            bind_error(bd, "%s: \"%s\": expected an array of results, one per call", bd->mock_label,
                       m->key);
            continue;
        }
        for (uint32_t j = 0; j < m->val->len; j++) {
            const asl_value *e = m->val->u.a.items[j];
            if (!is_mock_error(e)) continue;
            const asl_value *err = asl_object_get(e, "Error", 5);
            const asl_value *cause = asl_object_get(e, "Cause", 5);
            if (err->type != ASL_STRING ||
                (cause && cause->type != ASL_STRING && cause->type != ASL_NULL))
                bind_error(bd,
                           "%s: \"%s\"[%u]: a failure is {\"Error\": string, \"Cause\": string "
                           "or null}",
                           bd->mock_label, m->key, j);
        }
    }
}

/* res plus the {"aws": ...} entries of built that res does not have. */
static asl_value *keep_aws_entries(asl_arena *a, asl_value *res, const asl_value *built)
{
    if (!built || built->type != ASL_OBJECT || res->type != ASL_OBJECT) return res;
    asl_value *out = asl_object(a, res->len + built->len);
    for (uint32_t i = 0; i < res->len; i++) {
        const asl_member *m = &res->u.o.members[i];
        asl_object_set(a, out, m->key, m->klen, m->val);
    }
    for (uint32_t i = 0; i < built->len; i++) {
        const asl_member *m = &built->u.o.members[i];
        if (m->val->type == ASL_OBJECT && asl_object_get(m->val, "aws", 3) &&
            !asl_object_get(res, m->key, m->klen))
            asl_object_set(a, out, m->key, m->klen, m->val);
    }
    return out;
}

bool asl_tasks_bind(asl_run *run, const char *resources, const char *mocks, asl_buf *errmsg)
{
    const asl_program *prog = run->prog;
    asl_arena *a = run->arena;
    binder bd;
    memset(&bd, 0, sizeof bd);
    bd.run = run;
    bd.err = errmsg;

    if (resources) {
        bd.res_label = asl_sprintf(a, "resources file %s", resources);
        bd.res = load_json(&bd, resources, NULL, bd.res_label);
        bd.dir = file_dir(a, resources);
    } else if (prog->resources_json) {
        bd.res_label = "resources file (compiled in)";
        bd.res = load_json(&bd, NULL, prog->resources_json, bd.res_label);
    }
    if (resources && bd.res && prog->resources_json) {
        /* The calls aslc made from the API models stay, unless this file
         * binds the same resource otherwise. */
        asl_value *built = load_json(&bd, NULL, prog->resources_json, "resources (compiled in)");
        bd.res = keep_aws_entries(a, bd.res, built);
    }
    if (mocks) {
        bd.mock_label = asl_sprintf(a, "mocks file %s", mocks);
        bd.mocks = load_json(&bd, mocks, NULL, bd.mock_label);
    } else if (prog->mocks_json) {
        bd.mock_label = "mocks file (compiled in)";
        bd.mocks = load_json(&bd, NULL, prog->mocks_json, bd.mock_label);
    }
    if (bd.nerr) return false;

    uint32_t nres = bd.res ? bd.res->len : 0;
    run->bindings = asl_alloc(a, (prog->nsites + 1 + (size_t)nres) * sizeof *run->bindings);
    memset(run->bindings, 0, (prog->nsites + 1 + (size_t)nres) * sizeof *run->bindings);
    asl_binding *table = &run->bindings[prog->nsites];
    table->mocks = bd.res;
    table->dir = bd.dir;
    bd.entries = table + 1;
    bd.entry_ok = asl_alloc(a, nres + 1);
    bd.entry_checked = asl_alloc(a, nres + 1);
    memset(bd.entry_ok, 0, nres + 1);
    memset(bd.entry_checked, 0, nres + 1);

    for (uint32_t k = 0; k < nres; k++) parse_entry(&bd, k);
    if (bd.mocks) check_mocks(&bd);

    bool dynamic = false;
    for (uint32_t i = 0; i < prog->nsites; i++) {
        const asl_task_site *site = prog->sites[i];
        asl_binding *b = &run->bindings[site->id];
        asl_value *mocked = bd.mocks ? asl_object_get(bd.mocks, site->state, strlen(site->state))
                                     : NULL;
        if (mocked) {
            b->kind = ASL_BIND_MOCK;
            b->mocks = mocked;
            continue;
        }
        long k = find_key(bd.res, site->resource, strlen(site->resource));
        lambda_ref ref;
        bool is_fn = parse_lambda_ref(site->resource, false, &ref);
        if (k < 0 && is_fn) k = find_key(bd.res, ref.name, ref.nlen);
        if (k >= 0) {
            check_entry(&bd, (uint32_t)k);
            *b = bd.entries[k];
            continue;
        }
        bool wait_token;
        bool invoke = is_lambda_invoke(site->resource, &wait_token);
        if (aws_linked() && (invoke || is_fn)) {
            /* the real function; lambda:invoke looks its FunctionName up in
             * the resources file first, at each call */
            b->kind = invoke ? ASL_BIND_NONE : ASL_BIND_AWS;
            dynamic = dynamic || (invoke && nres > 0);
            continue;
        }
        if (asl_linked_mode(site->resource) >= 0 && asl_linked_any())
            continue; /* its StateMachineArn is linked (--link): linked.c */
        if (run->prog->allow_unbound) continue; /* aslc --allow-unbound: fails if called */
        if (asl_served_resource(site->resource)) continue; /* aslc serve answers it (served.c) */
        if (is_activity(site->resource)) continue; /* fails when reached (run_task) */
        if (is_lambda_invoke(site->resource, &wait_token) && nres > 0) {
            dynamic = true; /* ASL_BIND_NONE: FunctionName is looked up per call */
            continue;
        }
        if (is_lambda_invoke(site->resource, &wait_token))
            bind_error(&bd,
                       "state \"%s\": no binding for resource \"%s\"; bind the function its "
                       "FunctionName parameter names in a resources file (--resources), or mock "
                       "state \"%s\" (--mocks)",
                       site->state, site->resource, site->state);
        else if (is_fn)
            bind_error(&bd,
                       "state \"%s\": no binding for resource \"%s\" (looked up as \"%s\" and "
                       "\"%.*s\"); give one in a resources file (--resources) or mock state "
                       "\"%s\" (--mocks)",
                       site->state, site->resource, site->resource, (int)ref.nlen, ref.name,
                       site->state);
        else
            bind_error(&bd,
                       "state \"%s\": no binding for resource \"%s\"; give one in a resources "
                       "file (--resources) or mock state \"%s\" (--mocks)",
                       site->state, site->resource, site->state);
    }
    /* Any entry may be named by a FunctionName at run time. */
    if (dynamic)
        for (uint32_t k = 0; k < nres; k++) check_entry(&bd, k);
    return bd.nerr == 0;
}

/* ---- running a task ------------------------------------------------------------ */

static asl_value *next_mock(asl_exec *x, const asl_task_site *site, asl_binding *b)
{
    asl_run *run = x->run;
    pthread_mutex_lock(&run->lock);
    uint32_t i = b->mock_next++;
    pthread_mutex_unlock(&run->lock);
    if (i >= b->mocks->len)
        return asl_failf(x, "States.TaskFailed",
                         "the mock list for state \"%s\" is exhausted: it has %u result%s and "
                         "this is call %u",
                         site->state, b->mocks->len, b->mocks->len == 1 ? "" : "s", i + 1);
    asl_value *e = b->mocks->u.a.items[i];
    if (is_mock_error(e)) {
        const asl_value *cause = asl_object_get(e, "Cause", 5);
        const asl_value *err = asl_object_get(e, "Error", 5);   /* counted: may hold U+0000 */
        bool has = cause && cause->type == ASL_STRING;
        return asl_fail_n(x, err->u.str, err->len, has ? cause->u.str : NULL, has ? cause->len : 0);
    }
    return e;
}

/* Monotonic deadline of a call, from the task's timeout, its heartbeat and
 * the execution's deadline.  No handler kind can send heartbeats, so a call
 * that outlives HeartbeatSeconds missed its first one: States.HeartbeatTimeout. */
static void set_deadline(asl_exec *x, double timeout, double heartbeat, asl_task_call *c)
{
    /* The execution's deadline is in workflow time (asl_sleep); a handler
     * runs in real time. */
    double exec_deadline = 0;
    if (x->run->deadline > 0) {
        exec_deadline = x->run->deadline - x->skew;
        if (exec_deadline <= 0) exec_deadline = 1e-9; /* passed, but still a deadline */
    }
    if (timeout <= 0 && heartbeat <= 0 && exec_deadline <= 0) {
        c->timeout = c->deadline = 0; /* no clock to read: none of them is set */
        c->deadline_is_exec = c->deadline_is_heartbeat = false;
        return;
    }
    double now = asl_now_monotonic();
    c->timeout = timeout;
    c->deadline = timeout > 0 ? now + timeout : 0;
    c->deadline_is_exec = false;
    c->deadline_is_heartbeat = false;
    if (heartbeat > 0 && (timeout <= 0 || heartbeat < timeout)) {
        c->timeout = heartbeat;
        c->deadline = now + heartbeat;
        c->deadline_is_heartbeat = true;
    }
    if (exec_deadline > 0 && (c->deadline == 0 || exec_deadline < c->deadline)) {
        c->deadline = exec_deadline;
        c->deadline_is_exec = true;
    }
}

static asl_value *call_native(asl_exec *x, const asl_task_site *site, const asl_binding *b,
                              const asl_task_call *c, asl_value *event)
{
    asl_value *r = b->fn(x, event);
    if (x->failed) return NULL; /* asl_task_fail, even if a value came back too */
    if (!r)
        return asl_failf(x, "States.TaskFailed",
                         "the native handler of state \"%s\" returned NULL without calling "
                         "asl_task_fail",
                         site->state);
    /* An in-process call cannot be interrupted; a late result is still a
     * timeout, as it would be on AWS. */
    if (c->deadline > 0 && asl_now_monotonic() > c->deadline) return asl_task_timed_out(x, c);
    return r;
}

static asl_value *call_binding(asl_exec *x, const asl_task_site *site, const asl_binding *b,
                               asl_task_call *c, asl_value *event)
{
    switch (b->kind) {
    case ASL_BIND_NATIVE:
        return call_native(x, site, b, c, event);
    case ASL_BIND_COMMAND:
        return asl_task_process(x, b, c, event);
    case ASL_BIND_PYTHON:
    case ASL_BIND_NODE:
        return asl_warm_call(x, b, c, event);
    default:
        return asl_failf(x, "States.Runtime", "state \"%s\": resource \"%s\" has no binding",
                         site->state, site->resource);
    }
}

/* Function name and ARN of a call, for the python context. */
static void name_function(asl_exec *x, const char *ref_text, bool plain, asl_task_call *c)
{
    asl_arena *a = asl_exec_arena(x);
    lambda_ref r;
    if (parse_lambda_ref(ref_text, plain, &r)) {
        c->function_name = asl_strndup(a, r.name, r.nlen);
        c->function_arn = strncmp(ref_text, "arn:", 4) == 0
                              ? ref_text
                              : asl_sprintf(a, FAKE_LAMBDA_ARN_PREFIX "%s", c->function_name);
    } else {
        c->function_name = ref_text;
        c->function_arn = ref_text;
    }
}

static char *new_request_id(asl_exec *x)
{
    char id[37];
    if (!asl_uuid4(id)) snprintf(id, sizeof id, "00000000-0000-4000-8000-000000000000");
    return asl_strndup(asl_exec_arena(x), id, strlen(id));
}

/* An HTTP date, "Sun, 23 Nov 2025 15:09:44 GMT", independent of the locale. */
static void http_date(char out[40])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static asl_value *str_array(asl_arena *a, const char *s)
{
    asl_value *arr = asl_array(a, 1);
    asl_array_push(a, arr, asl_cstring(a, s));
    return arr;
}

/* The response of arn:aws:states:::lambda:invoke, as Step Functions returns
 * it: the Invoke API's fields plus the SDK's HTTP metadata. */
/* A header pair's name ordered without regard to case, as the Java SDK's
 * HttpHeaders map keeps them. */
static int header_cmp(const void *l, const void *r)
{
    return strcasecmp(((const char *const *)l)[0], ((const char *const *)r)[0]);
}

void asl_task_sdk_metadata(asl_arena *a, asl_value *obj, const char *(*hdrs)[2], uint32_t n,
                           long status, const char *request_id)
{
    asl_value *all = asl_object(a, n), *hh = asl_object(a, n);
    for (uint32_t i = 0; i < n; i++)
        asl_object_set(a, all, hdrs[i][0], strlen(hdrs[i][0]), str_array(a, hdrs[i][1]));
    qsort(hdrs, n, sizeof *hdrs, header_cmp);
    for (uint32_t i = 0; i < n; i++)
        asl_object_set(a, hh, hdrs[i][0], strlen(hdrs[i][0]), asl_cstring(a, hdrs[i][1]));
    asl_value *http = asl_object(a, 3);
    asl_object_append_lit(a, http, "AllHttpHeaders", 14, all);
    asl_object_append_lit(a, http, "HttpHeaders", 11, hh);
    asl_object_append_lit(a, http, "HttpStatusCode", 14, asl_number(a, (double)status));
    asl_value *sdk = asl_object(a, 1);
    asl_object_append_lit(a, sdk, "RequestId", 9, asl_cstring(a, request_id ? request_id : ""));
    asl_object_set(a, obj, "SdkHttpMetadata", 15, http);
    asl_object_set(a, obj, "SdkResponseMetadata", 19, sdk);
}

asl_value *asl_task_lambda_response(asl_exec *x, asl_value *payload, const char *version,
                                    const char *request_id)
{
    asl_arena *a = asl_exec_arena(x);
    asl_buf pb;
    asl_buf_init(&pb);
    asl_json_write(&pb, payload);
    char clen[24], date[40];
    snprintf(clen, sizeof clen, "%zu", pb.len);
    asl_buf_free(&pb);
    http_date(date);
    const char *hdrs[7][2] = {
        {"X-Amz-Executed-Version", version}, {"x-amzn-Remapped-Content-Length", "0"},
        {"Connection", "keep-alive"}, {"x-amzn-RequestId", request_id},
        {"Content-Length", clen}, {"Date", date}, {"Content-Type", "application/json"},
    };
    asl_value *r = asl_object(a, 5);
    asl_object_append_lit(a, r, "ExecutedVersion", 15, asl_cstring(a, version));
    asl_object_append_lit(a, r, "Payload", 7, payload);
    asl_task_sdk_metadata(a, r, hdrs, 7, 200, request_id);
    asl_object_append_lit(a, r, "StatusCode", 10, asl_number(a, 200));
    return r;
}

static bool all_digits(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* A string parameter of lambda:invoke, or NULL. */
static const char *str_param(const asl_value *input, const char *key)
{
    const asl_value *v = asl_object_get(input, key, strlen(key));
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

/* arn:aws:states:::lambda:invoke of the real function FunctionName. */
static asl_value *call_aws_invoke(asl_exec *x, asl_value *input, const char *fn,
                                  const asl_task_call *c, bool wait_token)
{
    asl_value *payload = asl_object_get(input, "Payload", 7);
    asl_aws_lambda_call call = {
        .function = fn,
        .qualifier = str_param(input, "Qualifier"),
        .invocation_type = str_param(input, "InvocationType"),
        .log_type = str_param(input, "LogType"),
        .client_context = str_param(input, "ClientContext"),
        .payload = payload ? payload : asl_object(asl_exec_arena(x), 0),
        .whole_response = !wait_token,
    };
    return asl_aws_lambda_invoke(x, &call, c);
}

/* arn:aws:states:::lambda:invoke whose function is found by FunctionName. */
static asl_value *lambda_invoke(asl_exec *x, const asl_task_site *site, asl_value *input,
                                asl_task_call *c, bool wait_token)
{
    asl_run *run = x->run;
    asl_arena *a = asl_exec_arena(x);
    const asl_binding *table = &run->bindings[run->prog->nsites];
    const asl_value *fnv = input->type == ASL_OBJECT ? asl_object_get(input, "FunctionName", 12)
                                                     : NULL;
    if (!fnv || fnv->type != ASL_STRING || fnv->len == 0)
        return asl_fail_state(x, "States.Runtime",
                              "The lambda:invoke task needs a FunctionName parameter "
                              "(a function name or ARN string).");
    const char *fn = fnv->u.str;
    lambda_ref ref;
    bool named = parse_lambda_ref(fn, true, &ref);
    long k = find_key(table->mocks, fn, fnv->len);
    if (k < 0 && named) k = find_key(table->mocks, ref.name, ref.nlen);
    if (k < 0 && aws_linked())
        return call_aws_invoke(x, input, fn, c, wait_token);
    if (k < 0)
    {
        bool alt = named && (ref.nlen != fnv->len || memcmp(ref.name, fn, ref.nlen) != 0);
        return asl_failf(x, "Lambda.ResourceNotFoundException",
                         "Function not found: %s (the resources file has no entry \"%s\"%s%.*s%s)",
                         fn, fn, alt ? " or \"" : "", alt ? (int)ref.nlen : 0,
                         alt ? ref.name : "", alt ? "\"" : "");
    }
    const asl_binding *b = &table[1 + k];

    asl_value *payload = asl_object_get(input, "Payload", 7);
    if (!payload) payload = asl_object(a, 0); /* Invoke without a Payload: the event is {} */

    name_function(x, fn, true, c);
    c->request_id = new_request_id(x);
    asl_value *result = call_binding(x, site, b, c, payload);
    if (!result || wait_token) return result;

    /* ExecutedVersion: a numeric qualifier is a version; $LATEST or an alias
     * (which we cannot resolve) reports $LATEST. */
    const char *version = "$LATEST";
    const asl_value *q = asl_object_get(input, "Qualifier", 9);
    if (q && q->type == ASL_STRING && all_digits(q->u.str, q->len)) version = q->u.str;
    else if (named && ref.qual && all_digits(ref.qual, ref.qlen))
        version = asl_strndup(a, ref.qual, ref.qlen);
    return asl_task_lambda_response(x, result, version, c->request_id);
}

static asl_value *run_task(asl_exec *x, const asl_task_site *site, asl_value *input,
                           double timeout, double heartbeat)
{
    asl_run *run = x->run;
    /* TaskScheduled, TaskStarted, TaskSucceeded/TaskFailed: history events
     * that number the states after this one (written by task_recorded). */
    asl_run_event(run, 3);
    if (!run->bindings)
        return asl_failf(x, "States.Runtime",
                         "state \"%s\": task bindings were not set up (asl_tasks_bind)",
                         site->state);
    asl_binding *b = &run->bindings[site->id];
    if (b->kind == ASL_BIND_MOCK) return next_mock(x, site, b);

    asl_task_call c;
    memset(&c, 0, sizeof c);
    set_deadline(x, timeout, heartbeat, &c);
    c.role_arn = x->task_role;
    x->task_role = NULL;
    bool wait_token;
    /* --link: a startExecution of a state machine compiled into the binary,
     * unless a mock or a binding took it (precedence: docs/tasks.md) */
    int linked = b->kind == ASL_BIND_NONE || b->kind == ASL_BIND_AWS ? asl_linked_mode(site->resource)
                                                                     : -1;
    if (linked >= 0 && asl_linked_any()) {
        bool taken;
        asl_value *r = asl_linked_start(x, site, input, linked, &taken);
        if (taken) return r;
        if (b->kind == ASL_BIND_NONE) {
            const asl_value *arn = input && input->type == ASL_OBJECT
                                       ? asl_object_get(input, "StateMachineArn", 15) : NULL;
            return asl_failf(x, "StepFunctions.StateMachineDoesNotExistException",
                             "State Machine Does Not Exist: '%s': not a state machine linked into "
                             "the binary (aslc --link), which has no AWS client (Service: "
                             "AWSStepFunctions; Status Code: 400; Error Code: "
                             "StateMachineDoesNotExist; Request ID: null; Proxy: null)",
                             arn && arn->type == ASL_STRING ? arn->u.str : "");
        }
    }
    if (b->kind == ASL_BIND_NONE && is_lambda_invoke(site->resource, &wait_token))
        return lambda_invoke(x, site, input, &c, wait_token);

    if (b->kind == ASL_BIND_NONE && is_activity(site->resource))
        return asl_failf(x, "States.TaskFailed",
                         "state \"%s\": %s is an activity: its workers take their tasks from Step "
                         "Functions (GetActivityTask, SendTaskSuccess), which a compiled workflow "
                         "cannot serve; bind the activity in a resources file (--resources) or "
                         "mock state \"%s\" (--mocks)",
                         site->state, site->resource, site->state);
    if (b->kind == ASL_BIND_NATIVE) return call_native(x, site, b, &c, input);
    if (b->kind == ASL_BIND_AWS && b->aws) return asl_aws_sdk_call(x, b->aws, input, &c);
    if (b->kind == ASL_BIND_AWS) {
        asl_aws_lambda_call call = {.function = site->resource, .payload = input};
        return asl_aws_lambda_invoke(x, &call, &c);
    }
    /* Only a python or node handler sees the function's name, ARN and
     * request id (its context argument). */
    name_function(x, site->resource, false, &c);
    c.request_id = b->kind == ASL_BIND_PYTHON || b->kind == ASL_BIND_NODE ? new_request_id(x) : "";
    return call_binding(x, site, b, &c, input);
}

/* A callback Task under aslc serve that calls AWS before it waits: one aslc
 * compiled a call for, or lambda:invoke.waitForTaskToken with the AWS client in. */
static bool calls_first(asl_exec *x, const asl_task_site *site)
{
    const asl_binding *b = x->run->bindings ? &x->run->bindings[site->id] : NULL;
    bool wait_token;
    if (b && b->kind == ASL_BIND_AWS) return true;
    return (!b || b->kind == ASL_BIND_NONE) && aws_linked() &&
           is_lambda_invoke(site->resource, &wait_token) && wait_token;
}

/* run_task with --history: the attempt's events around it (history.c). */
static __attribute__((noinline)) asl_value *task_recorded(asl_exec *x, const asl_task_site *site,
                                                          asl_value *input, double timeout,
                                                          double heartbeat)
{
    /* resumed by aslc serve in an attempt made before its restart */
    asl_value *replayed;
    if (asl_served_replay(x, site, input, timeout, heartbeat, &replayed)) return replayed;
    /* under aslc serve, an unbound callback Task waits for its callback */
    const char *token = asl_served_callback(x, site, input, timeout, heartbeat);
    asl_hist_task_begin(x, site, input, timeout, heartbeat);
    asl_value *r;
    if (token && calls_first(x, site)) {
        /* as AWS does: the call is made (the message carrying the token is
         * sent), its answer dropped, and the Task waits for the token; a call
         * that fails is the Task's failure */
        r = run_task(x, site, input, timeout, heartbeat);
        if (r) r = asl_served_await(x, token, timeout, heartbeat);
        else asl_served_forget(x, token);
    } else {
        r = token ? asl_served_await(x, token, timeout, heartbeat)
                  : run_task(x, site, input, timeout, heartbeat);
    }
    asl_hist_task_end(x, site, r);
    return r;
}

bool asl_task_credentials(asl_exec *x, const asl_value *creds)
{
    const asl_value *role = creds && creds->type == ASL_OBJECT ? asl_object_get(creds, "RoleArn", 7)
                                                               : NULL;
    if (!role || role->type != ASL_STRING || role->len == 0) {
        size_t n = 0;
        char *text = role ? asl_json_string(asl_exec_arena(x), role, &n) : NULL;
        asl_fail_state(x, "States.Runtime",
                       "The value of the field 'RoleArn' must be a non-empty string, but it is %.*s%s",
                       n > 100 ? 100 : (int)n, text ? text : "missing", n > 100 ? "..." : "");
        return false;
    }
    x->task_role = role->u.str;
    return true;
}

asl_value *asl_task(asl_exec *x, const asl_task_site *site, asl_value *input)
{
    if (__builtin_expect(x->run->hist != NULL, 0))
        return asl_task_result(x, task_recorded(x, site, input, site->timeout, site->heartbeat),
                               site->resource);
    return asl_task_result(x, run_task(x, site, input, site->timeout, site->heartbeat),
                           site->resource);
}

/* TimeoutSecondsPath / HeartbeatSecondsPath: a positive integer, at most
 * 99999999 (the largest TimeoutSeconds AWS accepts). */
static bool seconds_ok(const asl_value *v)
{
    return v->type == ASL_NUMBER && asl_num_int(v) && v->u.n.num >= 1 && v->u.n.num <= 99999999;
}

asl_value *asl_task_timed(asl_exec *x, const asl_task_site *site, asl_value *input,
                          const asl_value *timeout, const asl_value *heartbeat)
{
    double t = site->timeout;
    const struct { const asl_value *v; const char *field; } chk[2] = {
        {timeout, "TimeoutSecondsPath"}, {heartbeat, "HeartbeatSecondsPath"}};
    for (int i = 0; i < 2; i++) {
        if (!chk[i].v || seconds_ok(chk[i].v)) continue;
        size_t n;
        char *text = asl_json_string(asl_exec_arena(x), chk[i].v, &n);
        return asl_fail_state(x, "States.Runtime",
                              "The value of %s must be a positive integer of at most 99999999 "
                              "seconds, but it is %.*s%s",
                              chk[i].field, n > 100 ? 100 : (int)n, text, n > 100 ? "..." : "");
    }
    if (timeout) t = timeout->u.n.num;
    double h = heartbeat ? heartbeat->u.n.num : site->heartbeat;
    asl_value *r = x->run->hist ? task_recorded(x, site, input, t, h) : run_task(x, site, input, t, h);
    return asl_task_result(x, r, site->resource);
}
