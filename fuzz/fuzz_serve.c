/*
 * fuzz_serve.c — libFuzzer harness for the request path of `aslc serve`:
 * what follows the HTTP layer (compiler/serve.c's dispatch: the action by
 * X-Amz-Target, the body's JSON, AWS's field limits of serve_limits.c, and
 * the actions themselves on an in-memory store), and the MockConfigFile
 * conversion (serve_mockcfg.c).
 *
 * The input's first line is the action ("StartExecution", or "MockConfig"
 * for the conversion), the rest the body.  The server has no aslc to run
 * (its compilations fail at once, as a broken installation's would) and
 * runs Express executions as processes (--isolate on), so nothing is
 * spawned or loaded: every action answers from the store or with an error.
 * The answer must be exactly one of a document or an error code with a
 * message, and must print as JSON that parses again.  Everything a request
 * allocates is freed (LeakSanitizer).
 */
#include "serve.c"

#include <stdint.h>

static server fz;

static void remove_cache(void)
{
    rmdir(fz.cache);   /* empty: each check's file goes when it is read */
}

static void setup(void)
{
    asl_buf err;
    asl_buf_init(&err);
    if (!aslc_store_open(&fz.store, ":memory:", &err) || !aslc_tags_open(&fz.store)) abort();
    asl_buf_free(&err);
    snprintf(fz.aslc, sizeof fz.aslc, "/nonexistent/aslc");
    snprintf(fz.cache, sizeof fz.cache, "/tmp/aslc-fuzz-serve-%ld", (long)getpid());
    mkdir(fz.cache, 0700);
    atexit(remove_cache);
    fz.region = "us-east-1";
    fz.account = "123456789012";
    fz.isolate = true;
    activity_poll_seconds = 0;   /* GetActivityTask answers at once */
    pthread_mutex_init(&fz.lock, NULL);
    pthread_mutex_init(&fz.load_lock, NULL);
    pthread_mutex_init(&fz.done_lock, NULL);
    pthread_cond_init(&fz.done_cond, NULL);
}

static void mock_config(const char *body, size_t len)
{
    cJSON *cfg = cJSON_ParseWithLength(body, len);
    asl_buf err;
    asl_buf_init(&err);
    char *text = cfg ? aslc_mockcfg_text(cfg, "m", "c", &err) : NULL;
    if (text) {
        cJSON *back = cJSON_Parse(text);   /* aslc's mocks file: an object of lists */
        if (!cJSON_IsObject(back)) abort();
        for (cJSON *e = back->child; e; e = e->next)
            if (!cJSON_IsArray(e)) abort();
        cJSON_Delete(back);
    } else if (cfg && !err.len) {
        abort();   /* a refusal says why */
    }
    free(text);
    asl_buf_free(&err);
    cJSON_Delete(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t alen = nl ? (size_t)(nl - text) : size;
    const char *body = nl ? nl + 1 : text + size;
    size_t blen = size - (size_t)(body - text);
    char target[128];
    snprintf(target, sizeof target, "AWSStepFunctions.%.*s", (int)(alen < 100 ? alen : 100), text);
    if (!strcmp(target + 17, "MockConfig")) {
        mock_config(body, blen);
        return 0;
    }
    reply r = {0};
    dispatch(&fz, target, body, blen, &r);
    if ((r.doc != NULL) == (r.code != NULL)) abort();   /* an answer or an error, not both */
    if (r.code && (r.status < 400 || r.status > 599)) abort();
    char *out = r.doc ? cJSON_PrintUnformatted(r.doc) : NULL;
    if (r.doc) {
        cJSON *back = out ? cJSON_Parse(out) : NULL;
        if (!back) abort();
        cJSON_Delete(back);
    }
    free(out);
    cJSON_Delete(r.doc);
    free(r.message);
    return 0;
}
