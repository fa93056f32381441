/*
 * aws_config.c — where a workflow binary finds its AWS credentials, region
 * and endpoints: the way the AWS SDKs and CLI find them, so that a binary
 * runs wherever `aws` runs, and against LocalStack or another emulator with
 * nothing but AWS_ENDPOINT_URL set.
 *
 *   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *                else the profile in the shared credentials file, else in the
 *                config file, else the container's (ECS, Lambda:
 *                AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI), else
 *                the instance's (IMDSv2), asked only on an EC2 instance or
 *                where AWS_EC2_METADATA_SERVICE_ENDPOINT names the service;
 *   profile      AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default";
 *   region       AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else
 *                us-east-1 (where an ARN names a region, the call uses that);
 *   endpoints    AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's
 *                endpoint_url, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
 *
 * The files are INI as the CLI writes them: [name] in the credentials file,
 * [default] or [profile name] in the config file, key = value, # and ;
 * comments, indented lines belonging to the key above (nested settings,
 * which nothing here needs).
 */
#define _GNU_SOURCE
#include "aws.h"

#include <ctype.h>
#include <strings.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static char *home_path(const char *rel)
{
    const char *home = env("HOME");
    if (!home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/";
    }
    char *p;
    if (asprintf(&p, "%s/%s", home, rel) < 0) return NULL;
    return p;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) e--;
    *e = '\0';
    return s;
}

/* The settings of one profile that this runtime uses. */
typedef struct {
    char *access_key, *secret_key, *session_token, *region, *endpoint_url;
    bool found;    /* the profile's section exists */
} profile;

static void profile_free(profile *p)
{
    free(p->access_key);
    free(p->secret_key);
    free(p->session_token);
    free(p->region);
    free(p->endpoint_url);
}

/* Reads the section of path that holds profile name (config: "[profile
 * name]", or "[default]" for the default profile; credentials: "[name]").
 * A missing file reads as empty. */
static void read_profile(const char *path, const char *name, bool config, profile *p)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    char line[4096];
    bool in = false;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == ' ' || line[0] == '\t') continue;  /* nested setting */
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e) { in = false; continue; }
            *e = '\0';
            char *sec = trim(s + 1);
            if (config && strncmp(sec, "profile", 7) == 0 && (sec[7] == ' ' || sec[7] == '\t'))
                in = strcmp(trim(sec + 8), name) == 0;
            else
                in = strcmp(sec, name) == 0 && (!config || strcmp(name, "default") == 0);
            if (in) p->found = true;
            continue;
        }
        if (!in) continue;
        char *eq = strchr(s, '=');
        if (!eq) continue;
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        char **slot = NULL;
        if (!strcmp(key, "aws_access_key_id")) slot = &p->access_key;
        else if (!strcmp(key, "aws_secret_access_key")) slot = &p->secret_key;
        else if (!strcmp(key, "aws_session_token")) slot = &p->session_token;
        else if (!strcmp(key, "region")) slot = &p->region;
        else if (!strcmp(key, "endpoint_url")) slot = &p->endpoint_url;
        if (slot && *val) {
            free(*slot);
            *slot = strdup(val);
        }
    }
    fclose(f);
}

/* ---- credentials served over HTTP: containers and EC2 instances ---------------- */

/* Fills c's keys from a credentials document {"AccessKeyId",
 * "SecretAccessKey", "Token"} (the container and instance services'). */
static bool take_credentials(asl_aws_config *c, const asl_buf *body, const char *source)
{
    asl_arena *a = asl_arena_new();
    asl_json_error je;
    asl_value *v = body->len ? asl_json_parse(a, body->data, body->len, &je) : NULL;
    const asl_value *k = v && v->type == ASL_OBJECT ? asl_object_get(v, "AccessKeyId", 11) : NULL;
    const asl_value *s = v && v->type == ASL_OBJECT ? asl_object_get(v, "SecretAccessKey", 15) : NULL;
    const asl_value *t = v && v->type == ASL_OBJECT ? asl_object_get(v, "Token", 5) : NULL;
    bool ok = k && s && k->type == ASL_STRING && s->type == ASL_STRING;
    if (ok) {
        c->access_key = strdup(k->u.str);
        c->secret_key = strdup(s->u.str);
        c->session_token = t && t->type == ASL_STRING ? strdup(t->u.str) : NULL;
        c->cred_source = source;
    }
    asl_arena_free(a);
    return ok;
}

/* An unsigned GET or PUT to a credentials service; the body in *out. */
static bool fetch(const char *method, const char *url, const char *header, asl_buf *out)
{
    asl_aws_config none;
    memset(&none, 0, sizeof none);
    const char *headers[2] = {header, NULL};
    asl_aws_request rq = {method, url, "", "", headers, NULL, 0, 2.0};
    asl_aws_response r;
    asl_buf err;
    asl_buf_init(&err);
    bool ok = asl_aws_send(&none, &rq, &r, &err) && r.status == 200;
    if (ok) asl_buf_put(out, r.body.data ? r.body.data : "", r.body.len);
    asl_buf_free(&err);
    asl_aws_response_free(&r);
    return ok;
}

static void container_credentials(asl_aws_config *c)
{
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (!full && !rel) return;
    char *url = NULL, *auth = NULL;
    if (full) url = strdup(full);
    else if (asprintf(&url, "http://169.254.170.2%s", rel) < 0) return;
    const char *token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    char tbuf[4096] = "";
    const char *tfile = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (tfile) {
        FILE *f = fopen(tfile, "r");
        if (f) {
            size_t n = fread(tbuf, 1, sizeof tbuf - 1, f);
            tbuf[n] = '\0';
            fclose(f);
            trim(tbuf);
            token = tbuf;
        }
    }
    if (token && asprintf(&auth, "Authorization: %s", token) < 0) auth = NULL;
    asl_buf body;
    asl_buf_init(&body);
    if (fetch("GET", url, auth, &body)) take_credentials(c, &body, "container credentials");
    asl_buf_free(&body);
    free(url);
    free(auth);
}

/* Whether this machine is an EC2 instance, from what the hypervisor tells
 * the kernel: the instance service is asked only there, never elsewhere. */
static bool on_ec2(void)
{
    static const char *const files[] = {"/sys/devices/virtual/dmi/id/sys_vendor",
                                        "/sys/devices/virtual/dmi/id/board_asset_tag",
                                        "/sys/hypervisor/uuid"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        FILE *f = fopen(files[i], "r");
        char line[128] = "";
        if (!f) continue;
        if (!fgets(line, sizeof line, f)) line[0] = '\0';
        fclose(f);
        if (strstr(line, "Amazon EC2") || !strncmp(line, "i-", 2) || !strncmp(line, "ec2", 3))
            return true;
    }
    return false;
}

static void instance_credentials(asl_aws_config *c)
{
    const char *disabled = env("AWS_EC2_METADATA_DISABLED");
    if (disabled && !strcasecmp(disabled, "true")) return;
    const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base && !on_ec2()) return;
    if (!base) base = "http://169.254.169.254";
    asl_buf token, role, doc;
    asl_buf_init(&token);
    asl_buf_init(&role);
    asl_buf_init(&doc);
    char *url = NULL, *hdr = NULL;
    if (asprintf(&url, "%s/latest/api/token", base) > 0 &&
        fetch("PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600", &token) &&
        asprintf(&hdr, "X-aws-ec2-metadata-token: %.*s", (int)token.len, token.data) > 0) {
        free(url);
        url = NULL;
        if (asprintf(&url, "%s/latest/meta-data/iam/security-credentials/", base) > 0 &&
            fetch("GET", url, hdr, &role) && role.len) {
            size_t n = strcspn(role.data, "\r\n");
            free(url);
            url = NULL;
            if (asprintf(&url, "%s/latest/meta-data/iam/security-credentials/%.*s", base, (int)n,
                         role.data) > 0 &&
                fetch("GET", url, hdr, &doc))
                take_credentials(c, &doc, "instance credentials");
        }
    }
    free(url);
    free(hdr);
    asl_buf_free(&token);
    asl_buf_free(&role);
    asl_buf_free(&doc);
}

bool asl_aws_config_load(asl_aws_config *c, asl_buf *err)
{
    memset(c, 0, sizeof *c);
    const char *named = env("AWS_PROFILE");
    if (!named) named = env("AWS_DEFAULT_PROFILE");
    c->profile = strdup(named ? named : "default");

    char *cred_path = env("AWS_SHARED_CREDENTIALS_FILE") ? strdup(env("AWS_SHARED_CREDENTIALS_FILE"))
                                                         : home_path(".aws/credentials");
    char *conf_path = env("AWS_CONFIG_FILE") ? strdup(env("AWS_CONFIG_FILE"))
                                             : home_path(".aws/config");
    profile cred = {0}, conf = {0};
    read_profile(cred_path, c->profile, false, &cred);
    read_profile(conf_path, c->profile, true, &conf);

    bool ok = true;
    if (named && !cred.found && !conf.found) {
        asl_buf_puts(err, "the AWS profile \"");
        asl_buf_puts(err, c->profile);
        asl_buf_puts(err, "\" (AWS_PROFILE) is in neither ");
        asl_buf_puts(err, cred_path ? cred_path : "~/.aws/credentials");
        asl_buf_puts(err, " nor ");
        asl_buf_puts(err, conf_path ? conf_path : "~/.aws/config");
        ok = false;
    }

    if (env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
        c->access_key = strdup(env("AWS_ACCESS_KEY_ID"));
        c->secret_key = strdup(env("AWS_SECRET_ACCESS_KEY"));
        c->session_token = dup_or_null(env("AWS_SESSION_TOKEN"));
        c->cred_source = "environment";
    } else if (cred.access_key && cred.secret_key) {
        c->access_key = strdup(cred.access_key);
        c->secret_key = strdup(cred.secret_key);
        c->session_token = dup_or_null(cred.session_token);
        c->cred_source = "shared credentials file";
    } else if (conf.access_key && conf.secret_key) {
        c->access_key = strdup(conf.access_key);
        c->secret_key = strdup(conf.secret_key);
        c->session_token = dup_or_null(conf.session_token);
        c->cred_source = "config file";
    }

    if (!c->access_key) container_credentials(c);
    if (!c->access_key) instance_credentials(c);

    const char *region = env("AWS_REGION");
    if (!region) region = env("AWS_DEFAULT_REGION");
    if (!region) region = conf.region;
    c->region = strdup(region ? region : "us-east-1");

    c->ignore_endpoints = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") &&
                          strcasecmp(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") == 0;
    const char *ep = env("AWS_ENDPOINT_URL");
    if (!ep) ep = conf.endpoint_url;
    c->endpoint_url = dup_or_null(ep);

    profile_free(&cred);
    profile_free(&conf);
    free(cred_path);
    free(conf_path);
    return ok;
}

void asl_aws_config_free(asl_aws_config *c)
{
    free(c->access_key);
    free(c->secret_key);
    free(c->session_token);
    free(c->region);
    free(c->profile);
    free(c->endpoint_url);
    memset(c, 0, sizeof *c);
}

static char *strip_slash(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/') s[--n] = '\0';
    return s;
}

char *asl_aws_endpoint(const asl_aws_config *c, const char *service_id, const char *prefix,
                       const char *region)
{
    if (!c->ignore_endpoints) {
        char name[96] = "AWS_ENDPOINT_URL_";
        size_t n = strlen(name);
        for (const char *s = service_id; *s && n + 1 < sizeof name; s++)
            name[n++] = *s == ' ' || *s == '-' ? '_' : (char)toupper((unsigned char)*s);
        name[n] = '\0';
        if (env(name)) return strip_slash(strdup(env(name)));
        if (c->endpoint_url) return strip_slash(strdup(c->endpoint_url));
    }
    const char *domain = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    char *url;
    if (asprintf(&url, "https://%s.%s.%s", prefix, region, domain) < 0) return NULL;
    return url;
}

/* ---- the process's configuration, loaded at the first call ------------------ */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static asl_aws_config process_config;
static bool process_ok;
static char process_why[512];

static void load_once(void)
{
    asl_buf err;
    asl_buf_init(&err);
    process_ok = asl_aws_config_load(&process_config, &err);
    if (!process_ok)
        snprintf(process_why, sizeof process_why, "%.*s", (int)err.len, err.data);
    asl_buf_free(&err);
}

const asl_aws_config *asl_aws_config_get(const char **why)
{
    pthread_once(&once, load_once);
    if (!process_ok) {
        *why = process_why;
        return NULL;
    }
    return &process_config;
}
