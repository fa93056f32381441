/*
 * serve_mockcfg.c — `aslc serve --mock-config FILE`: a MockConfigFile in
 * Step Functions Local's format, its test cases chosen as Local chooses
 * them, by starting "stateMachineArn#TestCaseName":
 *
 *   {"StateMachines": {"Name": {"TestCases": {"Case": {"State": "Response"}}}},
 *    "MockedResponses": {"Response": {"0": {"Return": {...}},
 *                                     "1-2": {"Throw": {"Error": "E", "Cause": "C"}}}}}
 *
 * A test case becomes aslc's own mocks file (docs/tasks.md: results by
 * state name, the nth call taking the nth entry, an {"Error", "Cause"}
 * entry a failure), written into the cache folder under the hash of its
 * text, and the machine is compiled with it (once: cached as every
 * compilation is).  A state the test case does not name is bound as
 * usual (--resources, or AWS).
 */
#define _GNU_SOURCE
#include "serve.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cJSON *aslc_mockcfg_load(const char *path, asl_buf *err)
{
    char why[256];
    size_t len;
    char *text = aslc_file_read(path, ASLC_MAX_CHARS, &len, why, sizeof why);
    if (!text) {
        asl_buf_printf(err, "%s: %s", path, why);
        return NULL;
    }
    cJSON *cfg = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cfg, "StateMachines")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cfg, "MockedResponses"))) {
        asl_buf_printf(err, "%s is not a MockConfigFile: it wants \"StateMachines\" and "
                            "\"MockedResponses\" objects", path);
        cJSON_Delete(cfg);
        return NULL;
    }
    return cfg;
}

/* One mocked response as aslc's list: entries "N" or "N-M" (calls counted
 * from 0), each {"Return": value} or {"Throw": {"Error", "Cause"}}. */
static cJSON *response_list(const cJSON *resp, const char *name, asl_buf *err)
{
    cJSON *slots[1000] = {0};
    long top = -1;
    for (const cJSON *e = resp ? resp->child : NULL; e; e = e->next) {
        char *end;
        long a = strtol(e->string, &end, 10), b = a;
        if (*end == '-') b = strtol(end + 1, &end, 10);
        if (*end || a < 0 || b < a || b >= 1000) {
            asl_buf_printf(err, "mocked response %s: \"%s\" is not a call number or range "
                                "(\"0\", \"1-2\")", name, e->string);
            goto bad;
        }
        const cJSON *ret = cJSON_GetObjectItemCaseSensitive(e, "Return");
        const cJSON *thr = cJSON_GetObjectItemCaseSensitive(e, "Throw");
        if (!ret && !cJSON_IsObject(thr)) {
            asl_buf_printf(err, "mocked response %s, \"%s\": wants \"Return\" or \"Throw\"", name,
                           e->string);
            goto bad;
        }
        for (long i = a; i <= b; i++) {
            cJSON_Delete(slots[i]);
            if (ret) {
                slots[i] = cJSON_Duplicate(ret, true);
            } else {
                slots[i] = cJSON_CreateObject();
                const char *er =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(thr, "Error"));
                const char *ca =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(thr, "Cause"));
                cJSON_AddStringToObject(slots[i], "Error", er ? er : "States.TaskFailed");
                if (ca) cJSON_AddStringToObject(slots[i], "Cause", ca);
                else cJSON_AddNullToObject(slots[i], "Cause");
            }
        }
        if (b > top) top = b;
    }
    cJSON *list = cJSON_CreateArray();
    for (long i = 0; i <= top; i++) {
        if (!slots[i]) {
            asl_buf_printf(err, "mocked response %s has no entry for call %ld", name, i);
            cJSON_Delete(list);
            for (long j = i + 1; j <= top; j++) cJSON_Delete(slots[j]);
            return NULL;
        }
        cJSON_AddItemToArray(list, slots[i]);
    }
    return list;
bad:
    for (int i = 0; i < 1000; i++) cJSON_Delete(slots[i]);
    return NULL;
}

char *aslc_mockcfg_text(const cJSON *cfg, const char *machine, const char *test_case,
                        asl_buf *err)
{
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "StateMachines"), machine);
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(sm, "TestCases"), test_case);
    if (!cJSON_IsObject(tc)) {
        asl_buf_printf(err, "the mock config has no test case %s for state machine %s", test_case,
                       machine);
        return NULL;
    }
    const cJSON *responses = cJSON_GetObjectItemCaseSensitive(cfg, "MockedResponses");
    cJSON *mocks = cJSON_CreateObject();
    for (const cJSON *s = tc->child; s; s = s->next) {
        const char *rname = cJSON_GetStringValue(s);
        const cJSON *resp = rname ? cJSON_GetObjectItemCaseSensitive(responses, rname) : NULL;
        if (!cJSON_IsObject(resp)) {
            asl_buf_printf(err, "test case %s: state %s names no mocked response (%s)", test_case,
                           s->string, rname ? rname : "not a string");
            cJSON_Delete(mocks);
            return NULL;
        }
        cJSON *list = response_list(resp, rname, err);
        if (!list) {
            cJSON_Delete(mocks);
            return NULL;
        }
        cJSON_AddItemToObject(mocks, s->string, list);
    }
    char *text = cJSON_PrintUnformatted(mocks);
    cJSON_Delete(mocks);
    return text;
}

char *aslc_mockcfg_mocks(const cJSON *cfg, const char *machine, const char *test_case,
                         const char *cache_dir, asl_buf *err)
{
    char *text = aslc_mockcfg_text(cfg, machine, test_case, err);
    if (!text) return NULL;
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
    char h[65];
    for (int i = 0; i < 32; i++) sprintf(h + 2 * i, "%02x", md[i]);
    char *path = NULL;
    if (asprintf(&path, "%s/mocks-%s.json", cache_dir, h) < 0) path = NULL;
    /* the name is the content's: an existing file is this one */
    if (path && access(path, R_OK) != 0) {
        char *tmp = NULL;
        FILE *f = asprintf(&tmp, "%s.tmp%ld", path, (long)getpid()) < 0 ? NULL : fopen(tmp, "w");
        bool ok = f && fputs(text, f) >= 0;
        if (f) ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) {
            if (tmp) unlink(tmp);
            asl_buf_printf(err, "cannot write %s", path);
            free(path);
            path = NULL;
        }
        free(tmp);
    }
    free(text);
    return path;
}
