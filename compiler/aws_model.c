/*
 * aws_model.c — what a Task that calls an AWS service through the SDK
 * integrations (arn:aws:states:::aws-sdk:SERVICE:ACTION, and the optimised
 * integrations that are plain API calls, such as dynamodb:putItem) must send,
 * read when compiling from the service's API model (which resources those
 * are, and what each names: aws_target.c).
 *
 * The models are the JSON files of botocore (Debian: python3-botocore), read
 * as data: nothing of Python runs.  For each such Task the compiler checks
 * the service, the action and the names of the Parameters against the model
 * (a misspelt parameter is a diagnostic listing those that exist, as AWS
 * refuses the definition), and writes what the runtime needs into the
 * compiled-in resources as a binding {"aws": {...}} (runtime/aws_sdk.c):
 * the protocol, the endpoint prefix and signing name, the JSON target, the
 * name Step Functions gives the service's errors, and which top-level input
 * members are strings (a JSON value given for one is sent as its JSON text,
 * as Step Functions does).  The json, rest-json, rest-xml, query and ec2
 * protocols are called (runtime/aws_wire.c); a service on another protocol is
 * a diagnostic that says so.
 */
#define _GNU_SOURCE
#include "aws_target.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Where botocore's data may be: ASLC_BOTOCORE_DATA, then Debian's package. */
static const char *const data_dirs[] = {
    "/usr/lib/python3/dist-packages/botocore/data",
    "/usr/share/python3/botocore/data",
};

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *data_dir(void)
{
    const char *env = getenv("ASLC_BOTOCORE_DATA");
    if (env && *env) return is_dir(env) ? env : NULL;
    for (size_t i = 0; i < sizeof data_dirs / sizeof *data_dirs; i++)
        if (is_dir(data_dirs[i])) return data_dirs[i];
    return NULL;
}

/* Step Functions' service names (the Java SDK's) where botocore's differ. */
static const char *const aliases[][2] = {
    {"sfn", "stepfunctions"},        {"eventbridge", "events"},
    {"cloudwatchlogs", "logs"},      {"elasticloadbalancingv2", "elbv2"},
    {"elasticloadbalancing", "elb"}, {"cognitoidentityprovider", "cognito-idp"},
    {"costexplorer", "ce"},          {"databasemigration", "dms"},
    {"directory", "ds"},             {"elasticsearch", "es"},
    {"mediastoredata", "mediastore-data"},
};

/* The botocore folder of a service named as in an aws-sdk ARN, or NULL. */
static char *service_dir(asl_arena *a, const char *root, const char *svc)
{
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (!strcmp(svc, aliases[i][0])) svc = aliases[i][1];
    char *p = asl_sprintf(a, "%s/%s", root, svc);
    if (is_dir(p)) return p;
    /* botocore writes "bedrock-runtime" where Step Functions writes "bedrockruntime" */
    DIR *d = opendir(root);
    if (!d) return NULL;
    char *found = NULL;
    for (struct dirent *e; (e = readdir(d)) && !found;) {
        char flat[256];
        size_t n = 0;
        for (const char *s = e->d_name; *s && n + 1 < sizeof flat; s++)
            if (*s != '-') flat[n++] = *s;
        flat[n] = '\0';
        if (!strcmp(flat, svc)) found = asl_sprintf(a, "%s/%s", root, e->d_name);
    }
    closedir(d);
    return found;
}

/* Reads a model file, plain or gzip'd (newer botocore compresses them). */
static char *read_model(const char *dir, const char *version, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/service-2.json", dir, version);
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(path, sizeof path, "%s/%s/service-2.json.gz", dir, version);
        f = gzopen(path, "rb");
    }
    if (!f) return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = asl_xmalloc(cap);
    for (int k; (k = gzread(f, buf + n, (unsigned)(cap - n))) > 0;) {
        n += (size_t)k;
        if (n == cap) buf = asl_xrealloc(buf, cap *= 2);
    }
    gzclose(f);
    *len = n;
    return buf;
}

/* The newest API version of a service that has a model. */
static char *newest_version(asl_arena *a, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char *best = NULL;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char p[4096], q[4096];
        snprintf(p, sizeof p, "%s/%s/service-2.json", dir, e->d_name);
        snprintf(q, sizeof q, "%s/%s/service-2.json.gz", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0 && stat(q, &st) != 0) continue;
        if (!best || strcmp(e->d_name, best) > 0) best = asl_strndup(a, e->d_name, strlen(e->d_name));
    }
    closedir(d);
    return best;
}

/* The name Step Functions gives a service in its errors ("DynamoDb",
 * "SecretsManager", "Sfn"): the Java SDK's client name, made from the
 * service id by words, each capitalised (DynamoDB -> Dynamo Db). */
static char *error_prefix(asl_arena *a, const char *id)
{
    size_t n = strlen(id);
    char *out = asl_alloc(a, n + 1);
    size_t k = 0;
    bool start = true;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (c == ' ' || c == '-' || c == '_') { start = true; continue; }
        bool up = isupper((unsigned char)c);
        /* a new word: after a space, at a lower->upper step, or where an
         * upper-case run meets upper+lower ("DBInstance": DB | Instance) */
        if (i > 0 && up && (islower((unsigned char)id[i - 1]) ||
                            (isupper((unsigned char)id[i - 1]) && i + 1 < n &&
                             islower((unsigned char)id[i + 1]))))
            start = true;
        out[k++] = start ? (char)toupper((unsigned char)c) : (char)tolower((unsigned char)c);
        start = false;
    }
    out[k] = '\0';
    return out;
}

/* The operation an ARN action names: GetItem for getItem. */
static const cJSON *find_operation(const cJSON *ops, const char *action)
{
    for (const cJSON *op = ops ? ops->child : NULL; op; op = op->next)
        if (!strcasecmp(op->string, action)) return op;
    return NULL;
}

/* Names as a workflow writes them: Step Functions spells every member in
 * PascalCase, also where the service's model has camelCase (ECS). */
static void list_names(asl_buf *b, const cJSON *obj, size_t max)
{
    size_t i = 0;
    for (const cJSON *m = obj ? obj->child : NULL; m; m = m->next, i++) {
        if (i == max) {
            asl_buf_puts(b, ", ...");
            break;
        }
        if (i) asl_buf_puts(b, ", ");
        asl_buf_putc(b, (char)toupper((unsigned char)m->string[0]));
        asl_buf_puts(b, m->string + 1);
    }
}

/* The model's member that a Parameters key names ("Cluster" names ECS's
 * "cluster"), or NULL. */
static const cJSON *member_named(const cJSON *members, const char *key)
{
    for (const cJSON *m = members ? members->child : NULL; m; m = m->next)
        if (!strcmp(m->string, key) ||
            (toupper((unsigned char)m->string[0]) == key[0] && key[0] &&
             !strcmp(m->string + 1, key + 1)))
            return m;
    return NULL;
}

/* The static keys of a Parameters template ("Key.$" gives "Key"). */
static bool template_keys(const ir_tmpl *t, const char ***keys, uint32_t *n, asl_arena *a)
{
    if (!t) { *n = 0; return true; }
    if (t->kind == IR_T_OBJECT) {
        *keys = asl_alloc(a, (t->n + 1) * sizeof **keys);
        for (uint32_t i = 0; i < t->n; i++) (*keys)[i] = t->members[i].key;
        *n = t->n;
        return true;
    }
    if (t->kind == IR_T_CONST && t->cval && t->cval->type == ASL_OBJECT) {
        *keys = asl_alloc(a, (t->cval->len + 1) * sizeof **keys);
        for (uint32_t i = 0; i < t->cval->len; i++) (*keys)[i] = t->cval->u.o.members[i].key;
        *n = t->cval->len;
        return true;
    }
    return false;
}

/* Copies into out the named shape and every shape it reaches, without the
 * documentation: what the runtime needs to write a request and read a
 * response (types, member names, where each goes on the wire). */
static void copy_fields(cJSON *to, const cJSON *from, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, *k);
        if (v) cJSON_AddItemToObject(to, *k, cJSON_Duplicate(v, true));
    }
}

static void add_shape(cJSON *out, const cJSON *shapes, const char *name)
{
    static const char *const shape_keys[] = {"type", "payload", "locationName", "flattened",
                                             "timestampFormat", "exception", NULL};
    static const char *const ref_keys[] = {"shape", "location", "locationName", "queryName",
                                           "flattened",
                                           "jsonvalue", "timestampFormat", "xmlAttribute",
                                           "xmlNamespace", "hostLabel", "idempotencyToken",
                                           NULL};
    if (!name || cJSON_GetObjectItemCaseSensitive(out, name)) return;
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(shapes, name);
    if (!sh) return;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToObject(out, name, c);
    copy_fields(c, sh, shape_keys);
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(sh, "members");
    if (members) {
        cJSON *ms = cJSON_AddObjectToObject(c, "members");
        for (const cJSON *m = members->child; m; m = m->next) {
            cJSON *r = cJSON_CreateObject();
            copy_fields(r, m, ref_keys);
            cJSON_AddItemToObject(ms, m->string, r);
            add_shape(out, shapes, cJSON_GetStringValue(cJSON_GetObjectItem(m, "shape")));
        }
    }
    static const char *const parts[] = {"member", "key", "value"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(sh, parts[i]);
        if (!ref) continue;
        cJSON *r = cJSON_CreateObject();
        copy_fields(r, ref, ref_keys);
        cJSON_AddItemToObject(c, parts[i], r);
        add_shape(out, shapes, cJSON_GetStringValue(cJSON_GetObjectItem(ref, "shape")));
    }
}

/* What the runtime needs to call op (aws_wire.c): the protocol, the endpoint
 * and signing names, how Step Functions names the errors, the operation's
 * HTTP binding and the shapes its input and output reach.  NULL with *why
 * when aslc's binaries cannot call it. */
static cJSON *op_descriptor(asl_arena *a, const cJSON *meta, const cJSON *shapes, const cJSON *op,
                            const aws_target *t, const char **why)
{
    const char *protocol = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "protocol"));
    if (!protocol || (strcmp(protocol, "json") != 0 && strcmp(protocol, "rest-json") != 0 &&
                      strcmp(protocol, "rest-xml") != 0 && strcmp(protocol, "query") != 0 &&
                      strcmp(protocol, "ec2") != 0)) {
        *why = asl_sprintf(a, "\"%s\" speaks the %s protocol, which aslc's binaries do not call "
                              "yet (they call the json, rest-json, rest-xml, query and ec2 "
                              "protocols); "
                              "bind the resource (--resources) or mock the state (--mocks)",
                           t->service, protocol ? protocol : "unknown");
        return NULL;
    }
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "serviceId"));
    const char *prefix = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "endpointPrefix"));
    const char *signing = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "signingName"));
    const char *target = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "targetPrefix"));
    const char *jv = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "jsonVersion"));
    const char *opname = cJSON_GetStringValue(cJSON_GetObjectItem(op, "name"));
    if (!id || !prefix || !opname || (!target && !strcmp(protocol, "json"))) {
        *why = asl_sprintf(a, "the API model of \"%s\" lacks its endpoint data", t->service);
        return NULL;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "protocol", protocol);
    cJSON_AddStringToObject(d, "service_id", id);
    cJSON_AddStringToObject(d, "error_prefix", t->optimised ? t->error_prefix : error_prefix(a, id));
    cJSON_AddBoolToObject(d, "optimised", t->optimised && !t->sync);
    cJSON_AddStringToObject(d, "endpoint_prefix", prefix);
    cJSON_AddStringToObject(d, "signing_name", signing ? signing : prefix);
    if (target) cJSON_AddStringToObject(d, "target", asl_sprintf(a, "%s.%s", target, opname));
    cJSON_AddStringToObject(d, "operation", opname);
    cJSON_AddStringToObject(d, "json_version", jv ? jv : "1.0");
    const char *apiv = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "apiVersion"));
    if (apiv) cJSON_AddStringToObject(d, "api_version", apiv);
    const cJSON *http = cJSON_GetObjectItemCaseSensitive(op, "http");
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItem(http, "method"));
    const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(http, "requestUri"));
    cJSON_AddStringToObject(d, "method", method ? method : "POST");
    cJSON_AddStringToObject(d, "request_uri", uri ? uri : "/");
    const char *in_shape = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(op, "input"), "shape"));
    const cJSON *out_ref = cJSON_GetObjectItemCaseSensitive(op, "output");
    const char *out_shape = cJSON_GetStringValue(cJSON_GetObjectItem(out_ref, "shape"));
    const char *wrapper = cJSON_GetStringValue(cJSON_GetObjectItem(out_ref, "resultWrapper"));
    if (in_shape) cJSON_AddStringToObject(d, "input", in_shape);
    if (out_shape) cJSON_AddStringToObject(d, "output", out_shape);
    if (wrapper) cJSON_AddStringToObject(d, "result_wrapper", wrapper);
    const char *ns = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "xmlNamespace"));
    if (ns) cJSON_AddStringToObject(d, "xml_namespace", ns);
    cJSON *closure = cJSON_AddObjectToObject(d, "shapes");
    add_shape(closure, shapes, in_shape);
    add_shape(closure, shapes, out_shape);
    return d;
}

/* Reports only when asked (aslc --allow-unbound compiles such a Task into
 * one that fails when called). */
#define DIAG(...) (report ? aslc_diag_at(u, ASLC_ERROR, __VA_ARGS__) : (void)0)

/* arn:PARTITION:states:::http:invoke: the HTTP Task needs no model. */
static bool is_http_task(const char *res)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    return p && !strcmp(p, ":states:::http:invoke");
}

/* arn:PARTITION:states:::apigateway:invoke[.waitForTaskToken]: no model, the
 * API's own HTTP (runtime/aws_http_task.c) */
static bool is_apigw(const char *res)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    return p && (!strcmp(p, ":states:::apigateway:invoke") ||
                 !strcmp(p, ":states:::apigateway:invoke.waitForTaskToken"));
}

int aslc_aws_binding(aslc_unit *u, const ir_state *s, cJSON **entry, bool report)
{
    aws_target t;
    if (s->resource && (is_http_task(s->resource) || is_apigw(s->resource))) {
        static const char apigw_params[] =
            "ApiEndpoint Method Stage Path Headers QueryParameters RequestBody AuthType "
            "AllowNullValues";
        const char **keys = NULL;
        uint32_t nkeys = 0;
        bool apigw = is_apigw(s->resource), bad = false;
        if (apigw && template_keys(s->parameters, &keys, &nkeys, u->arena))
            for (uint32_t i = 0; i < nkeys; i++)
                if (!aslc_aws_word_in(apigw_params, keys[i], strlen(keys[i]))) {
                    DIAG(s->resource_loc.line, s->resource_loc.col, s->resource_loc.ptr,
                         "state \"%s\": apigateway:invoke has no parameter \"%s\"; it has: %s",
                         s->name, keys[i], apigw_params);
                    bad = true;
                }
        if (bad) return -1;
        *entry = cJSON_CreateObject();
        cJSON *d = cJSON_AddObjectToObject(*entry, "aws");
        cJSON_AddStringToObject(d, "protocol", apigw ? "apigateway" : "http-task");
        return 1;
    }
    const char *eks_params = NULL;
    const char *eks = s->resource ? aslc_eks_k8s_action(s->resource, &eks_params) : NULL;
    if (eks) {   /* the cluster's Kubernetes API: no model (runtime/aws_eks.c) */
        const char **keys = NULL;
        uint32_t nkeys = 0;
        bool bad = false;
        if (template_keys(s->parameters, &keys, &nkeys, u->arena))
            for (uint32_t i = 0; i < nkeys; i++)
                if (!aslc_aws_word_in(eks_params, keys[i], strlen(keys[i]))) {
                    DIAG(s->resource_loc.line, s->resource_loc.col, s->resource_loc.ptr,
                         "state \"%s\": eks:%s has no parameter \"%s\"; it has: %s", s->name,
                         eks, keys[i], eks_params);
                    bad = true;
                }
        if (bad) return -1;
        *entry = cJSON_CreateObject();
        cJSON *d = cJSON_AddObjectToObject(*entry, "aws");
        cJSON_AddStringToObject(d, "protocol", "eks");
        cJSON_AddStringToObject(d, "action", eks);
        return 1;
    }
    if (!s->resource || !aslc_aws_parse_target(s->resource, &t, u->arena)) return 0;
    const ir_loc *at = &s->resource_loc;
    const char *root = data_dir();
    if (!root) {
        DIAG(at->line, at->col, at->ptr,
             "state \"%s\": calling \"%s\" needs the AWS API models, which are not "
             "installed: apt-get install python3-botocore (or set ASLC_BOTOCORE_DATA to "
             "botocore's data folder), or bind the resource (--resources) or mock the "
             "state (--mocks)", s->name, s->resource);
        return -1;
    }
    char *dir = service_dir(u->arena, root, t.service);
    char *version = dir ? newest_version(u->arena, dir) : NULL;
    size_t len = 0;
    char *text = version ? read_model(dir, version, &len) : NULL;
    const char *builtin = !strcmp(t.service, "bedrock-runtime") ? aslc_bedrock_runtime_model
                          : !strcmp(t.service, "bedrock")       ? aslc_bedrock_model
                                                                : NULL;
    if (!text && builtin) {
        len = strlen(builtin);
        text = asl_xmalloc(len);
        memcpy(text, builtin, len);
    }
    if (!text) {
        DIAG(at->line, at->col, at->ptr,
             "state \"%s\": no AWS service \"%s\" in the API models (%s)", s->name,
             t.service, root);
        return -1;
    }
    cJSON *model = cJSON_ParseWithLength(text, len);
    free(text);
    int rc = -1;
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(model, "metadata");
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(model, "operations");
    const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(model, "shapes");
    const cJSON *op = find_operation(ops, t.action);
    if (!meta || !ops || !shapes) {
        DIAG(at->line, at->col, at->ptr,
             "state \"%s\": the API model of \"%s\" cannot be read", s->name, t.service);
        goto done;
    }
    if (!op) {
        asl_buf b;
        asl_buf_init(&b);
        list_names(&b, ops, 40);
        asl_buf_putc(&b, '\0');
        DIAG(at->line, at->col, at->ptr,
             "state \"%s\": the AWS service \"%s\" has no action \"%s\"; it has: %s",
             s->name, t.service, t.action, b.data);
        asl_buf_free(&b);
        goto done;
    }

    /* Parameters: every name must be a member of the action's input. */
    const cJSON *in_ref = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(op, "input"), "shape");
    const cJSON *in = in_ref ? cJSON_GetObjectItemCaseSensitive(shapes, in_ref->valuestring) : NULL;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(in, "members");
    const char **keys = NULL;
    uint32_t nkeys = 0;
    bool bad = false;
    if (template_keys(s->parameters, &keys, &nkeys, u->arena)) {
        for (uint32_t i = 0; i < nkeys; i++) {
            if (t.params ? aslc_aws_word_in(t.params, keys[i], strlen(keys[i]))
                         : member_named(members, keys[i]) != NULL)
                continue;
            asl_buf b;
            asl_buf_init(&b);
            if (t.params) asl_buf_puts(&b, t.params);
            else list_names(&b, members, 60);
            asl_buf_putc(&b, '\0');
            const char *opname = t.params ? strrchr(s->resource, ':') + 1
                                          : cJSON_GetStringValue(cJSON_GetObjectItem(op, "name"));
            DIAG(at->line, at->col, at->ptr,
             "state \"%s\": %s %s has no parameter \"%s\"; it has: %s", s->name,
                 t.service, opname, keys[i], b.len > 1 ? b.data : "(none)");
            asl_buf_free(&b);
            bad = true;
        }
    }
    if (bad) goto done;

    const char *why = NULL;
    cJSON *d = op_descriptor(u->arena, meta, shapes, op, &t, &why);
    if (!d) {
        DIAG(at->line, at->col, at->ptr, "state \"%s\": %s", s->name, why);
        goto done;
    }
    /* a renamed integration: what it sends and answers, filled at run time */
    if (t.request) cJSON_AddItemToObject(d, "request", cJSON_Parse(t.request));
    if (t.result) cJSON_AddItemToObject(d, "result", cJSON_Parse(t.result));
    if (t.parse) cJSON_AddStringToObject(d, "parse", t.parse);
    if (t.by_name) {   /* EMR's ...ByName: the list call that finds the Id */
        const cJSON *lop = find_operation(ops, t.by_name->list);
        aws_target lt = t;
        lt.request = lt.result = NULL;
        cJSON *ld = lop ? op_descriptor(u->arena, meta, shapes, lop, &lt, &why) : NULL;
        if (!ld) {
            DIAG(at->line, at->col, at->ptr, "state \"%s\": the API model of \"%s\" has no %s "
                 "to find the Id with", s->name, t.service, t.by_name->list);
            cJSON_Delete(d);
            goto done;
        }
        cJSON *find = cJSON_AddObjectToObject(d, "find");
        cJSON_AddItemToObject(find, "list", ld);
        cJSON_AddStringToObject(find, "items", t.by_name->items);
        cJSON_AddStringToObject(find, "name", t.by_name->name);
        cJSON_AddStringToObject(find, "into", t.by_name->into);
        cJSON_AddStringToObject(find, "id_key", t.by_name->id_key);
    }
    if (t.sync) {
        const cJSON *pop = find_operation(ops, t.sync->poll);
        cJSON *pd = pop ? op_descriptor(u->arena, meta, shapes, pop, &t, &why) : NULL;
        if (!pd) {
            DIAG(at->line, at->col, at->ptr, "state \"%s\": the API model of \"%s\" has no %s "
                 "to follow the job with", s->name, t.service, t.sync->poll);
            cJSON_Delete(d);
            goto done;
        }
        cJSON *sync = cJSON_AddObjectToObject(d, "sync");
        cJSON_AddItemToObject(sync, "poll", pd);
        cJSON_AddItemToObject(sync, "request", cJSON_Parse(t.sync->request));
        cJSON_AddStringToObject(sync, "state", t.sync->state);
        cJSON_AddItemToObject(sync, "succeeded", cJSON_Parse(t.sync->succeeded));
        cJSON_AddItemToObject(sync, "failed", cJSON_Parse(t.sync->failed));
        cJSON_AddItemToObject(sync, "output", cJSON_Parse(t.sync->output));
        if (t.sync->parse_output) cJSON_AddBoolToObject(sync, "parse_output", true);
        if (t.sync->gone) cJSON_AddBoolToObject(sync, "gone", true);
    }
    *entry = cJSON_CreateObject();
    cJSON_AddItemToObject(*entry, "aws", d);
    rc = 1;
done:
    cJSON_Delete(model);
    return rc;
}
