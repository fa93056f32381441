/*
 * serve_inproc.c — Express executions inside `aslc serve`: each EXPRESS
 * state machine is compiled a second time as a shared object (aslc
 * --target shared, runtime/embed.c), loaded once and kept in a table by
 * its ARN, and StartSyncExecution calls its entry on the connection's own
 * thread.  A process per execution costs a spawn, a dynamic load and a
 * wait (about a millisecond); this costs a table look-up.
 *
 * The price is isolation: a handler that crashes takes the server with it,
 * which is why Standard executions (durable, long, stoppable: serve_run.c)
 * stay in processes, and why --isolate puts Express ones back there too.
 * A loaded object is never unloaded: an execution may still run in it when
 * its machine is updated or deleted; the table forgets it, the memory stays
 * (one per definition the server has run).
 */
#define _GNU_SOURCE
#include "serve.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *sm_arn, *name;
    const asl_embed_api *api;
    struct entry *next;
} entry;

#define BUCKETS 256

static struct {
    pthread_rwlock_t lock;
    entry *bucket[BUCKETS];
} table = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;   /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h % BUCKETS;
}

bool aslc_inproc_get(const char *sm_arn, aslc_inproc_machine *out)
{
    bool found = false;
    pthread_rwlock_rdlock(&table.lock);
    for (entry *e = table.bucket[hash(sm_arn)]; e; e = e->next)
        if (!strcmp(e->sm_arn, sm_arn)) {
            /* the strings live until forget, which takes the write lock:
             * copied while the read lock holds */
            snprintf(out->name, sizeof out->name, "%s", e->name);
            out->api = e->api;
            found = true;
            break;
        }
    pthread_rwlock_unlock(&table.lock);
    return found;
}

const asl_embed_api *aslc_inproc_load(const char *so_path, asl_buf *why)
{
    /* RTLD_LOCAL: each object keeps its runtime to itself (it is linked
     * -Bsymbolic with everything but asl_embed hidden, build.c) */
    void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        asl_buf_puts(why, dlerror());
        return NULL;
    }
    const asl_embed_api *(*entry_fn)(const char **) =
        (const asl_embed_api *(*)(const char **))dlsym(h, "asl_embed");
    if (!entry_fn) {
        asl_buf_puts(why, "no asl_embed in ");
        asl_buf_puts(why, so_path);
        dlclose(h);
        return NULL;
    }
    const char *w = NULL;
    const asl_embed_api *api = entry_fn(&w);
    if (!api || api->version != ASL_EMBED_VERSION) {
        asl_buf_puts(why, api ? "a shared object of another aslc version"
                              : w ? w : "asl_embed failed");
        return NULL;   /* kept loaded: its init ran */
    }
    return api;
}

void aslc_inproc_put(const char *sm_arn, const char *name, const asl_embed_api *api)
{
    entry *n = calloc(1, sizeof *n);
    n->sm_arn = strdup(sm_arn);
    n->name = strdup(name);
    n->api = api;
    unsigned b = hash(sm_arn);
    pthread_rwlock_wrlock(&table.lock);
    for (entry **p = &table.bucket[b]; *p; p = &(*p)->next)
        if (!strcmp((*p)->sm_arn, sm_arn)) {   /* replaced (UpdateStateMachine) */
            entry *old = *p;
            *p = old->next;
            free(old->sm_arn);
            free(old->name);
            free(old);
            break;
        }
    n->next = table.bucket[b];
    table.bucket[b] = n;
    pthread_rwlock_unlock(&table.lock);
}

void aslc_inproc_forget(const char *sm_arn)
{
    pthread_rwlock_wrlock(&table.lock);
    for (entry **p = &table.bucket[hash(sm_arn)]; *p; p = &(*p)->next)
        if (!strcmp((*p)->sm_arn, sm_arn)) {
            entry *old = *p;
            *p = old->next;
            free(old->sm_arn);
            free(old->name);
            free(old);
            break;
        }
    pthread_rwlock_unlock(&table.lock);
}

void aslc_inproc_clear(void)
{
    pthread_rwlock_wrlock(&table.lock);
    for (int b = 0; b < BUCKETS; b++)
        while (table.bucket[b]) {
            entry *old = table.bucket[b];
            table.bucket[b] = old->next;
            free(old->sm_arn);
            free(old->name);
            free(old);
        }
    pthread_rwlock_unlock(&table.lock);
}
