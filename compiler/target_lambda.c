/*
 * target_lambda.c — `aslc FILE --target lambda`: the compiled workflow as an
 * AWS Lambda function (docs/lambda.md).
 *
 * The executable build.c links for this target has runtime/lambda_rt.c's
 * Runtime API client as its main; here it becomes the deployment package, a
 * zip holding it as `bootstrap` (mode 0755, what the provided.al2023
 * runtime starts) and, under lib/, the shared libraries it needs that are
 * not the C library's (libcurl and what it pulls in): Lambda puts
 * /var/task/lib on LD_LIBRARY_PATH, after the system's own directories.
 * The zip is written with zlib's raw deflate (the format is small: a local
 * header before each file, a central directory, an end record; APPNOTE.TXT
 * 4.3), with fixed timestamps so that the same input gives the same bytes.
 *
 * `--emit-template FILE.yaml` writes an AWS SAM template deploying the zip
 * with a role that allows what the Tasks call: the IAM action of every
 * Task's Resource (lambda:InvokeFunction on a function ARN, dynamodb:PutItem
 * for dynamodb:putItem, s3:GetObject for aws-sdk:s3:getObject, ...), and
 * lambda:InvokeFunction on the function itself when a Distributed Map fans
 * out over it.
 */
#define _GNU_SOURCE
#include "aslc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>

/* ---- the zip ----------------------------------------------------------------------- */

typedef struct {
    asl_buf data;              /* local headers and file data */
    asl_buf central;           /* the central directory */
    uint32_t nfiles;
} zip;

static void le16(asl_buf *b, uint32_t v)
{
    char c[2] = {(char)(v & 0xff), (char)((v >> 8) & 0xff)};
    asl_buf_put(b, c, 2);
}

static void le32(asl_buf *b, uint32_t v)
{
    le16(b, v & 0xffff);
    le16(b, v >> 16);
}

#define ZIP_DOS_TIME 0           /* 00:00:00 */
#define ZIP_DOS_DATE ((0 << 9) | (1 << 5) | 1)   /* 1980-01-01: reproducible */

/* Adds one file, deflated (stored when that is not smaller); mode: its
 * Unix permissions.  false when zlib fails or the file passes 4 GiB. */
static bool zip_add(zip *z, const char *name, const unsigned char *p, size_t n, unsigned mode)
{
    if (n >= 0xffffffffu) return false;
    uLong crc = crc32(0L, p, (uInt)n);
    uLong bound = compressBound((uLong)n);
    unsigned char *def = asl_xmalloc(bound);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(def);
        return false;
    }
    zs.next_in = (Bytef *)p;
    zs.avail_in = (uInt)n;
    zs.next_out = def;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    size_t dn = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(def);
        return false;
    }
    bool stored = dn >= n;
    const unsigned char *body = stored ? p : def;
    size_t bn = stored ? n : dn;
    uint32_t offset = (uint32_t)z->data.len;
    size_t namelen = strlen(name);

    le32(&z->data, 0x04034b50);
    le16(&z->data, 20);                 /* version needed: 2.0 (deflate) */
    le16(&z->data, 0);                  /* flags */
    le16(&z->data, stored ? 0 : 8);
    le16(&z->data, ZIP_DOS_TIME);
    le16(&z->data, ZIP_DOS_DATE);
    le32(&z->data, (uint32_t)crc);
    le32(&z->data, (uint32_t)bn);
    le32(&z->data, (uint32_t)n);
    le16(&z->data, (uint32_t)namelen);
    le16(&z->data, 0);
    asl_buf_put(&z->data, name, namelen);
    asl_buf_put(&z->data, (const char *)body, bn);

    le32(&z->central, 0x02014b50);
    le16(&z->central, (3 << 8) | 20);   /* made by: Unix, 2.0 (keeps the permissions) */
    le16(&z->central, 20);
    le16(&z->central, 0);
    le16(&z->central, stored ? 0 : 8);
    le16(&z->central, ZIP_DOS_TIME);
    le16(&z->central, ZIP_DOS_DATE);
    le32(&z->central, (uint32_t)crc);
    le32(&z->central, (uint32_t)bn);
    le32(&z->central, (uint32_t)n);
    le16(&z->central, (uint32_t)namelen);
    le16(&z->central, 0);               /* extra */
    le16(&z->central, 0);               /* comment */
    le16(&z->central, 0);               /* disk */
    le16(&z->central, 0);               /* internal attributes */
    le32(&z->central, (uint32_t)(S_IFREG | mode) << 16);
    le32(&z->central, offset);
    asl_buf_put(&z->central, name, namelen);
    z->nfiles++;
    free(def);
    return z->data.len < 0xffffffffu;
}

static void zip_finish(zip *z, asl_buf *out)
{
    asl_buf_put(out, z->data.data, z->data.len);
    asl_buf_put(out, z->central.data, z->central.len);
    le32(out, 0x06054b50);
    le16(out, 0);
    le16(out, 0);
    le16(out, z->nfiles);
    le16(out, z->nfiles);
    le32(out, (uint32_t)z->central.len);
    le32(out, (uint32_t)z->data.len);
    le16(out, 0);
}

static bool add_file(zip *z, const char *name, const char *path, unsigned mode)
{
    size_t len;
    char why[256];
    char *text = aslc_file_read(path, (size_t)1 << 30, &len, why, sizeof why);
    if (!text) {
        fprintf(stderr, "aslc: --target lambda: cannot read %s: %s\n", path, why);
        return false;
    }
    bool ok = zip_add(z, name, (const unsigned char *)text, len, mode);
    free(text);
    if (!ok) fprintf(stderr, "aslc: --target lambda: cannot compress %s\n", path);
    return ok;
}

/* The C library's own, which every Lambda runtime has (provided.al2023: glibc). */
static bool in_libc(const char *soname)
{
    static const char *const libc[] = {"linux-vdso", "linux-gate", "ld-linux", "libc.so", "libm.so",
                                       "libpthread.so", "libdl.so", "librt.so", "libresolv.so",
                                       "libutil.so", "libanl.so", "libnss_", "libmvec.so"};
    for (size_t i = 0; i < sizeof libc / sizeof *libc; i++)
        if (!strncmp(soname, libc[i], strlen(libc[i]))) return true;
    return soname[0] == '/';
}

/* The shared libraries exe needs beyond the C library, as ldd lists them,
 * each added as lib/SONAME. */
static bool add_libraries(zip *z, const char *exe)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "ldd '%s' 2>/dev/null", exe) < 0) return false;
    FILE *f = popen(cmd, "r");
    free(cmd);
    if (!f) return true;    /* no ldd: the package holds bootstrap alone */
    char line[2048];
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        char soname[512], path[1024];
        if (sscanf(line, " %511s => %1023s", soname, path) != 2 || path[0] != '/') continue;
        if (in_libc(soname)) continue;
        char name[600];
        snprintf(name, sizeof name, "lib/%s", soname);
        ok = add_file(z, name, path, 0644);
    }
    pclose(f);
    return ok;
}

bool aslc_lambda_package(const char *exe, asl_buf *out)
{
    zip z;
    memset(&z, 0, sizeof z);
    asl_buf_init(&z.data);
    asl_buf_init(&z.central);
    bool ok = add_file(&z, "bootstrap", exe, 0755);
    const char *bundle = getenv("ASLC_LAMBDA_BUNDLE");   /* "0": bootstrap alone (tests) */
    if (ok && !(bundle && !strcmp(bundle, "0"))) ok = add_libraries(&z, exe);
    if (ok) zip_finish(&z, out);
    asl_buf_free(&z.data);
    asl_buf_free(&z.central);
    return ok;
}

/* ---- the SAM template ---------------------------------------------------------------- */

/* An IAM action from an integration's service and camelCase action:
 * s3 + getObject -> s3:GetObject. */
static char *iam_action(asl_arena *a, const char *service, size_t slen, const char *action, size_t alen)
{
    char *s = asl_sprintf(a, "%.*s:%.*s", (int)slen, service, (int)alen, action);
    char *c = s + slen + 1;
    *c = (char)toupper((unsigned char)*c);
    return s;
}

typedef struct {
    const char *action;
    const char *resource;      /* an ARN, or "*" */
} grant;

typedef struct {
    grant *g;
    uint32_t n, cap;
} grants;

static void grant_add(asl_arena *a, grants *gs, const char *action, const char *resource)
{
    for (uint32_t i = 0; i < gs->n; i++)
        if (!strcmp(gs->g[i].action, action) && !strcmp(gs->g[i].resource, resource)) return;
    if (gs->n == gs->cap) {
        uint32_t cap = gs->cap ? gs->cap * 2 : 16;
        grant *g = asl_alloc(a, cap * sizeof *g);
        if (gs->n) memcpy(g, gs->g, gs->n * sizeof *g);
        gs->g = g;
        gs->cap = cap;
    }
    gs->g[gs->n++] = (grant){action, resource};
}

/* The constant string member key of a Task's Parameters, or NULL. */
static const char *const_param(const ir_state *s, const char *key)
{
    const ir_tmpl *t = s->parameters;
    if (!t) return NULL;
    const asl_value *v = NULL;
    if (t->kind == IR_T_CONST && t->cval && t->cval->type == ASL_OBJECT)
        v = asl_object_get(t->cval, key, strlen(key));
    else
        for (uint32_t i = 0; i < t->n; i++)
            if (!strcmp(t->members[i].key, key) && t->members[i].val->kind == IR_T_CONST)
                v = t->members[i].val->cval;
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

/* What one Task's Resource needs. */
static void task_grants(asl_arena *a, grants *gs, const ir_state *s)
{
    const char *r = s->resource;
    if (!strncmp(r, "arn:", 4) && strstr(r, ":lambda:") && strstr(r, ":function:")) {
        /* the function, and its versions and aliases */
        grant_add(a, gs, "lambda:InvokeFunction", r);
        const char *f = strstr(r, ":function:") + 10;
        if (!strchr(f, ':')) grant_add(a, gs, "lambda:InvokeFunction", asl_sprintf(a, "%s:*", r));
        return;
    }
    const char *p = strstr(r, ":states:::");
    if (strncmp(r, "arn:", 4) || !p) return;
    p += 10;
    if (!strncmp(p, "lambda:invoke", 13)) {
        const char *fn = const_param(s, "FunctionName");
        grant_add(a, gs, "lambda:InvokeFunction", fn && !strncmp(fn, "arn:", 4) ? fn : "*");
        return;
    }
    if (!strncmp(p, "http:invoke", 11)) return;   /* its connections are bound locally */
    if (!strncmp(p, "aws-sdk:", 8)) p += 8;
    /* SERVICE:action[.sync[:2]|.waitForTaskToken] */
    const char *colon = strchr(p, ':');
    if (!colon) return;
    const char *act = colon + 1;
    size_t alen = strcspn(act, ".:");
    if (!alen) return;
    grant_add(a, gs, iam_action(a, p, (size_t)(colon - p), act, alen), "*");
    if (strstr(act, ".sync")) {
        /* the job's description, polled until it ends */
        static const char *const polls[][2] = {
            {"states:startExecution", "states:DescribeExecution"},
            {"glue:startJobRun", "glue:GetJobRun"},
            {"ecs:runTask", "ecs:DescribeTasks"},
            {"batch:submitJob", "batch:DescribeJobs"},
            {"athena:startQueryExecution", "athena:GetQueryExecution"},
            {"codebuild:startBuild", "codebuild:BatchGetBuilds"},
        };
        for (size_t i = 0; i < sizeof polls / sizeof *polls; i++)
            if (!strncmp(p, polls[i][0], strlen(polls[i][0]))) grant_add(a, gs, polls[i][1], "*");
    }
}

/* A YAML double-quoted scalar (JSON's escapes are YAML's). */
static void yq(asl_buf *b, asl_arena *a, const char *s)
{
    asl_json_write(b, asl_cstring(a, s));
}

/* The zip as the template names it (CodeUri, which SAM reads relative to
 * the template's folder): its name alone when both are in the same folder,
 * else its absolute path. */
static const char *code_uri(asl_arena *a, const char *zip_path, const char *template_path)
{
    char zabs[PATH_MAX], tabs[PATH_MAX];
    if (!realpath(zip_path, zabs)) return zip_path;
    const char *slash = strrchr(template_path, '/');
    char *tdir = slash ? asl_strndup(a, template_path, (size_t)(slash - template_path + (slash == template_path)))
                       : asl_strndup(a, ".", 1);
    if (!realpath(tdir, tabs)) return asl_strndup(a, zabs, strlen(zabs));
    const char *zslash = strrchr(zabs, '/');
    size_t zdir = (size_t)(zslash - zabs);
    if (zdir == strlen(tabs) && !strncmp(zabs, tabs, zdir)) return asl_strndup(a, zslash + 1, strlen(zslash + 1));
    if (zdir == 0 && !strcmp(tabs, "/")) return asl_strndup(a, zslash + 1, strlen(zslash + 1));
    return asl_strndup(a, zabs, strlen(zabs));
}

void aslc_lambda_template(asl_buf *b, const ir_program *p, const char *zip_path, const char *template_path)
{
    asl_arena *a = asl_arena_new();
    zip_path = code_uri(a, zip_path, template_path);
    grants gs;
    memset(&gs, 0, sizeof gs);
    for (uint32_t i = 0; i < p->ntasks; i++)
        if (p->tasks[i]->resource) task_grants(a, &gs, p->tasks[i]);
    bool fans_out = false;
    for (uint32_t i = 0; i < p->nall; i++)
        if (p->all[i]->type == IR_MAP && p->all[i]->distributed) fans_out = true;
    struct utsname un;
    const char *arch = uname(&un) == 0 && !strcmp(un.machine, "aarch64") ? "arm64" : "x86_64";
    /* Lambda's timeout: the state machine's, at most Lambda's 900 s. */
    double t = p->top->timeout > 0 ? p->top->timeout + 1 : 900;
    int timeout = t > 900 ? 900 : (int)t;
    /* A function name: letters, digits, - and _, at most 64. */
    char name[65];
    size_t k = 0;
    for (const char *c = p->name; *c && k < 64; c++)
        name[k++] = isalnum((unsigned char)*c) || *c == '-' || *c == '_' ? *c : '-';
    name[k] = 0;
    if (!k) snprintf(name, sizeof name, "workflow");

    asl_buf_puts(b, "# AWS SAM template written by aslc --emit-template (docs/lambda.md):\n"
                    "#   sam deploy --template-file THIS --stack-name NAME --capabilities CAPABILITY_IAM --resolve-s3\n"
                    "AWSTemplateFormatVersion: \"2010-09-09\"\n"
                    "Transform: AWS::Serverless-2016-10-31\n"
                    "Description: ");
    yq(b, a, asl_sprintf(a, "The state machine %s, compiled by aslc into one Lambda function", p->name));
    asl_buf_puts(b, "\nParameters:\n  FunctionName:\n    Type: String\n    Default: ");
    yq(b, a, name);
    asl_buf_puts(b, "\n  MemorySize:\n    Type: Number\n    Default: 1024\n"
                    "Resources:\n  Function:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                    "      FunctionName: !Ref FunctionName\n      CodeUri: ");
    yq(b, a, zip_path);
    asl_buf_printf(b, "\n      Handler: bootstrap\n      Runtime: provided.al2023\n"
                      "      Architectures:\n        - %s\n      MemorySize: !Ref MemorySize\n"
                      "      Timeout: %d\n", arch, timeout);
    if (gs.n || fans_out) {
        asl_buf_puts(b, "      Policies:\n        - Version: \"2012-10-17\"\n          Statement:\n");
        if (fans_out)
            asl_buf_puts(b, "            # Distributed Map: its items are invocations of this function\n"
                            "            - Effect: Allow\n              Action:\n"
                            "                - lambda:InvokeFunction\n              Resource:\n"
                            "                - !Sub \"arn:${AWS::Partition}:lambda:${AWS::Region}:"
                            "${AWS::AccountId}:function:${FunctionName}\"\n"
                            "                - !Sub \"arn:${AWS::Partition}:lambda:${AWS::Region}:"
                            "${AWS::AccountId}:function:${FunctionName}:*\"\n");
        /* One statement per action, its resources listed. */
        for (uint32_t i = 0; i < gs.n; i++) {
            bool first = true;
            for (uint32_t j = 0; j < i; j++)
                if (!strcmp(gs.g[j].action, gs.g[i].action)) first = false;
            if (!first) continue;
            asl_buf_puts(b, "            - Effect: Allow\n              Action:\n                - ");
            yq(b, a, gs.g[i].action);
            asl_buf_puts(b, "\n              Resource:\n");
            for (uint32_t j = i; j < gs.n; j++)
                if (!strcmp(gs.g[j].action, gs.g[i].action)) {
                    asl_buf_puts(b, "                - ");
                    yq(b, a, gs.g[j].resource);
                    asl_buf_putc(b, '\n');
                }
        }
    }
    asl_buf_puts(b, "Outputs:\n  FunctionArn:\n    Value: !GetAtt Function.Arn\n");
    asl_arena_free(a);
}
