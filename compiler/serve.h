/*
 * serve.h — `aslc serve`: the Step Functions API (AWS JSON 1.0) over
 * compiled workflows.  serve.c speaks HTTP (libmicrohttpd) and the API's
 * actions; serve_store.c keeps state machines and executions in SQLite;
 * serve_run.c compiles definitions and runs executions.  docs/serve.md is
 * the user's side.
 */
#ifndef ASLC_SERVE_H
#define ASLC_SERVE_H

#include "aslc.h"
#include "asl_embed.h"
#include <sqlite3.h>

/* What an action answers: doc, or the error code and message (AWS JSON 1.0:
 * {"__type": code, "message": ...} with the HTTP status). */
typedef struct {
    int status;                /* HTTP status */
    cJSON *doc;                /* the answer (success) */
    const char *code;          /* error code, or NULL */
    char *message;             /* malloc'd */
} aslc_reply;

/* AWS's bound of an execution's input and output: 256 KiB; an output over
 * it fails the execution with States.DataLimitExceeded and this cause. */
#define ASLC_MAX_PAYLOAD ((size_t)256 * 1024)
#define ASLC_DATA_LIMIT_CAUSE                                                          \
    "The state/task returned a result with a size exceeding the maximum number of " \
    "bytes service limit."

/* Makes r the error reply (serve.c). */
void aslc_fail(aslc_reply *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The string member k of in, or NULL. */
const char *aslc_str_field(const cJSON *in, const char *k);

/* ---- serve_store.c ----------------------------------------------------------- */

typedef struct {
    sqlite3 *db;
} aslc_store;

/* Column i of st's row as a malloc'd string, or NULL. */
char *aslc_store_col_text(sqlite3_stmt *st, int i);

typedef struct {          /* malloc'd strings */
    char *arn, *name, *definition, *role_arn, *type, *binary;
    double created;       /* seconds since the epoch */
} aslc_machine;

typedef struct {
    char *arn, *sm_arn, *name, *status, *input, *output, *error, *cause;
    double started, stopped;   /* stopped 0: still running */
} aslc_execution;

bool aslc_store_open(aslc_store *s, const char *path, asl_buf *err);
void aslc_store_close(aslc_store *s);
bool aslc_store_put_machine(aslc_store *s, const aslc_machine *m);
bool aslc_store_get_machine(aslc_store *s, const char *arn, aslc_machine *m);
bool aslc_store_delete_machine(aslc_store *s, const char *arn);
bool aslc_store_list_machines(aslc_store *s, void (*each)(void *, const aslc_machine *), void *ctx);
void aslc_machine_free(aslc_machine *m);
bool aslc_store_put_execution(aslc_store *s, const aslc_execution *e);
/* Records the end of a RUNNING execution; false if it was not running (a
 * StopExecution came first). */
bool aslc_store_finish_execution(aslc_store *s, const aslc_execution *e);
bool aslc_store_get_execution(aslc_store *s, const char *arn, aslc_execution *e);
/* Newest first; after_seq 0 starts at the newest, *last_seq is the token of
 * the next page (0: none). */
bool aslc_store_list_executions(aslc_store *s, const char *sm_arn, const char *status,
                                long after_seq, int limit, long *last_seq,
                                void (*each)(void *, const aslc_execution *), void *ctx);
void aslc_store_each_running(aslc_store *s, void (*each)(void *, const aslc_execution *),
                             void *ctx);
void aslc_execution_free(aslc_execution *e);
/* A Standard execution's history (runtime/served.c sends it): event id
 * with its JSON text, and the checkpoint sent with it (NULL: none). */
bool aslc_store_add_event(aslc_store *s, const char *exec_arn, long id, const char *body,
                          size_t len, const char *checkpoint, const char *unit);
/* limit events from id from (0: the first, or the last when reverse) in
 * id order (reverse: descending); *next: the id the next page starts at (0:
 * none). */
bool aslc_store_events(aslc_store *s, const char *exec_arn, long from, bool reverse, int limit,
                       long *next, void (*each)(void *, long, const char *), void *ctx);
/* The last event's id (0: none) and its text (malloc'd, if body). */
long aslc_store_last_event(aslc_store *s, const char *exec_arn, char **body);
/* The id of the last event that came with a checkpoint (0: none), the
 * checkpoint and the event (malloc'd). */
long aslc_store_checkpoint(aslc_store *s, const char *exec_arn, char **checkpoint, char **body);
/* Drops the events after id after. */
bool aslc_store_trim_events(aslc_store *s, const char *exec_arn, long after);
/* A top-level fan-out's finished unit (serve_hist.c): its index, the id of
 * its last event and its result, under its ...StateStarted event's id. */
bool aslc_store_add_unit(aslc_store *s, const char *exec_arn, long started, long idx, long last,
                         const char *result, size_t len);
void aslc_store_units(aslc_store *s, const char *exec_arn, long started,
                      void (*each)(void *, long idx, long last, const char *result), void *ctx);
/* The events from id from on, each with its unit's key (NULL: the
 * execution's own thread), for resuming inside a fan-out. */
void aslc_store_unit_events(aslc_store *s, const char *exec_arn, long from,
                            void (*each)(void *, long id, const char *unit, const char *body),
                            void *ctx);
/* An event of a Distributed Map's child execution (not in the history):
 * its own id, the map run's MapRunStarted id (started), its unit's key. */
bool aslc_store_add_child_event(aslc_store *s, const char *exec_arn, long id, long started,
                                const char *unit, const char *body, size_t len);
/* Drops the child events of map runs started after event after, then
 * hands each one left to each (NULL: none) in id order; the last id. */
long aslc_store_child_events(aslc_store *s, const char *exec_arn, long after,
                             void (*each)(void *, long id, const char *unit, const char *body),
                             void *ctx);

/* ---- serve_run.c ------------------------------------------------------------- */

/* Compiles definition (cached by its hash in cache_dir) with this aslc;
 * the binary's path (malloc'd), or NULL with aslc's diagnostics in err. */
char *aslc_serve_compile(const char *aslc, const char *cache_dir, const char *name,
                         const char *definition, const char *resources, const char *mocks,
                         asl_buf *err);
/* The same, with --handlers FILE.c (NULL: none) and, when shared, as the
 * shared object that serve_inproc.c loads (--target shared). */
char *aslc_serve_compile_as(const char *aslc, const char *cache_dir, const char *name,
                            const char *definition, const char *resources, const char *mocks,
                            const char *handlers, bool shared, asl_buf *err);
/* aslc check --format=json of definition: the diagnostics array (cJSON,
 * the caller deletes it), or NULL when aslc could not be run. */
cJSON *aslc_serve_check(const char *aslc, const char *cache_dir, const char *definition);

typedef struct {
    int status;            /* 0 succeeded, 1 failed, other: aslc's own exit status */
    char *output;          /* stdout: the output JSON (malloc'd) */
    char *error, *cause;   /* of a failed execution (malloc'd, cause may be NULL) */
} aslc_run_result;

/* Runs binary with input, as execution exec_arn of sm_arn; *pid_out is set
 * while it runs (StopExecution kills it), 0 after. */
void aslc_serve_run(const char *binary, const char *input, const char *sm_arn,
                    const char *exec_arn, volatile int *pid_out, aslc_run_result *r);

/* The channel of a Standard execution (runtime/served.c): on_event gets
 * each history event (its JSON text, len bytes, not NUL-terminated) with
 * the checkpoint sent before it (NULL: none) and the key of the Parallel
 * branch or Map iteration that made it (unit, NULL: the execution's own
 * thread; child: of a Distributed Map's child execution, not in the
 * history), and records it; the binary waits until it has returned.
 * resume: a checkpoint file to continue from
 * (--resume), or NULL to start. */
typedef struct {
    void (*on_event)(void *ctx, const char *event, size_t len, const char *checkpoint,
                     const char *unit, bool child);
    void *ctx;
    const char *resume;
    /* a top-level fan-out's unit finished ({"started", "index", "last",
     * "result"}): recorded before the events after it */
    void (*on_unit)(void *ctx, const char *line, size_t len);
} aslc_channel;
/* aslc_serve_run with the channel (ch NULL: none). */
void aslc_serve_run_ch(const char *binary, const char *input, const char *sm_arn,
                       const char *exec_arn, volatile int *pid_out, const aslc_channel *ch,
                       aslc_run_result *r);
void aslc_run_result_free(aslc_run_result *r);

/* ---- serve_hist.c ------------------------------------------------------------ */

/* "2026-12-07T03:08:59.628Z" as seconds since the epoch; 0 if not one. */
double aslc_iso_seconds(const char *s);

/* Where a Standard execution's events go as they come (aslc_channel's ctx). */
typedef struct {
    aslc_store *store;
    const char *arn;
    long last;             /* the last event's id */
    struct aslc_maprun_cache *maprun;   /* its children, as far as known (serve_maprun.c) */
} aslc_hist_sink;
/* aslc_channel's on_event: records the event (and its checkpoint). */
void aslc_hist_record(void *sink, const char *event, size_t len, const char *checkpoint,
                      const char *unit, bool child);
/* aslc_channel's on_unit: records the unit's result. */
void aslc_hist_unit(void *sink, const char *line, size_t len);
/* Adds the end event of e (its status, output, error, cause, stopped) when
 * its binary did not write one (killed, stopped, crashed). */
void aslc_hist_finish(aslc_store *s, const aslc_execution *e);
/* GetExecutionHistory of exec_arn from its recorded events (maxResults,
 * nextToken, reverseOrder, includeExecutionData in in; role: the machine's,
 * for ExecutionStarted): the answer, or NULL when there are none or with
 * *error set (a ValidationException's message). */
cJSON *aslc_hist_page(aslc_store *s, const char *exec_arn, const char *role, const cJSON *in,
                      const char **error);
/* How a running execution found by a restarted server goes on: 0 from its
 * start (its events dropped), 1 from its last checkpoint (*resume_path: the
 * file for --resume, in dir; the events after it dropped), 2 it had ended
 * (done: its status, output, error, cause, stopped; arn borrowed from e,
 * the rest malloc'd but status), -1 on failure. */
int aslc_hist_resume_plan(aslc_store *s, const aslc_execution *e, const char *dir,
                          char **resume_path, aslc_execution *done);

/* ---- serve_maprun.c ---------------------------------------------------------- */

/* A Distributed Map's map runs and child executions (their tables). */
bool aslc_maprun_open(aslc_store *s);
/* Every event the channel brings (serve_hist.c), before it is recorded:
 * keeps what map runs and child executions are (a child's event goes into
 * its own history too); a MapRunStarted's text with the map run's ARN
 * (malloc'd) to record instead, else NULL. */
typedef struct aslc_maprun_cache aslc_maprun_cache;   /* one execution's children */
char *aslc_maprun_note(aslc_store *s, aslc_maprun_cache **cache, const char *exec_arn,
                       const char *event, size_t len, const char *unit, bool child);
void aslc_maprun_cache_free(aslc_maprun_cache *c);
/* A restart drops the map runs (and children) of top-level fan-outs
 * started after event after, as it drops their events. */
void aslc_maprun_trim(aslc_store *s, const char *exec_arn, long after);
/* The child execution arn as DescribeExecution gives it, and its map run
 * (malloc'd); false when arn is none. */
bool aslc_maprun_child(aslc_store *s, const char *arn, aslc_execution *e, char **map_run);
/* What a child execution belongs to (malloc'd): false when arn is none. */
typedef struct {
    char *parent, *map_run, *label;
    bool express;          /* of an EXPRESS map run: no history */
} aslc_child_info;
bool aslc_maprun_child_info(aslc_store *s, const char *arn, aslc_child_info *ci);
void aslc_child_info_free(aslc_child_info *ci);
void aslc_act_list_map_runs(aslc_store *s, const cJSON *in, aslc_reply *r);
void aslc_act_describe_map_run(aslc_store *s, const cJSON *in, aslc_reply *r);
void aslc_act_update_map_run(aslc_store *s, const cJSON *in, aslc_reply *r);
/* ListExecutions with mapRunArn: the map run's children. */
void aslc_maprun_list_children(aslc_store *s, const cJSON *in, aslc_reply *r);

/* ---- serve_task.c ------------------------------------------------------------ */

/* The server's end of an execution's channel, shared (counted) by the
 * tasks that wait on it. */
typedef struct aslc_link aslc_link;
aslc_link *aslc_link_new(int fd);
/* Writes a then b, whole, under the link's lock; false once closed. */
bool aslc_link_send(aslc_link *l, const char *a, size_t an, const char *b, size_t bn);
/* The channel is done (the process ended): its tasks wait no more. */
void aslc_link_close(aslc_link *l);
/* A request line of the binary (runtime/served.c): 'W' registers a waiting
 * task ({"token", "activity", "input", ...}), 'X' its end (token). */
void aslc_tasks_line(aslc_link *l, char kind, const char *text, size_t n);

/* What serve_task.c's actions see, and answer. */
typedef struct {
    aslc_store *store;
    const char *region, *account;
    int poll_seconds;      /* GetActivityTask's long poll (60; 0: answers at once) */
} aslc_serve_ctx;
void aslc_send_task_success(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_send_task_failure(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_send_task_heartbeat(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_create_activity(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_describe_activity(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_delete_activity(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_list_activities(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
void aslc_get_activity_task(aslc_serve_ctx *c, const cJSON *in, aslc_reply *a);
/* ---- serve_inproc.c ---------------------------------------------------------- */

/* An EXPRESS machine loaded in process: its name (for execution ARNs) and
 * its entry (runtime/asl_embed.h). */
typedef struct {
    char name[81];
    const asl_embed_api *api;
} aslc_inproc_machine;

/* Loads a shared object made by --target shared, once per path (dlopen);
 * its interface, or NULL with why. */
const asl_embed_api *aslc_inproc_load(const char *so_path, asl_buf *why);
/* The table of loaded machines by ARN: any thread, any time. */
bool aslc_inproc_get(const char *sm_arn, aslc_inproc_machine *out);
void aslc_inproc_put(const char *sm_arn, const char *name, const asl_embed_api *api);
void aslc_inproc_forget(const char *sm_arn);
void aslc_inproc_clear(void);

/* ---- serve_auth.c ------------------------------------------------------------ */

/* --auth FILE: the credentials requests must be signed with (SigV4). */
typedef struct aslc_auth aslc_auth;
struct MHD_Connection;
aslc_auth *aslc_auth_load(const char *path, asl_buf *err);
void aslc_auth_free(aslc_auth *a);
/* NULL when the request is signed right with known credentials; else AWS's
 * error code, with its message and HTTP status. */
const char *aslc_auth_check(aslc_auth *a, struct MHD_Connection *con, const char *method,
                            const char *url, const char *body, size_t body_len,
                            const char **message, int *status);

/* ---- serve_tags.c ------------------------------------------------------------ */

/* Tags of state machines and activities, in their own table of the store. */
bool aslc_tags_open(aslc_store *s);
/* Checks a tags list ([{key, value}]) as AWS does; false with the reply. */
bool aslc_tags_valid(const cJSON *tags, const char *arn, size_t have, aslc_reply *r);
void aslc_tags_put(aslc_store *s, const char *arn, const cJSON *tags);
void aslc_tags_drop(aslc_store *s, const char *arn);
void aslc_act_tag_resource(aslc_store *s, const cJSON *in, aslc_reply *r);
void aslc_act_untag_resource(aslc_store *s, const cJSON *in, aslc_reply *r);
void aslc_act_list_tags(aslc_store *s, const cJSON *in, aslc_reply *r);

/* ---- serve_teststate.c ------------------------------------------------------- */

/* What compiling and running a definition needs (the server's options). */
typedef struct {
    const char *aslc, *cache, *resources, *mocks, *handlers, *region, *account;
} aslc_serve_env;

void aslc_act_test_state(const aslc_serve_env *env, const cJSON *in, aslc_reply *r);

/* ---- serve_mockcfg.c ---------------------------------------------------------- */

/* --mock-config FILE, Step Functions Local's MockConfigFile (cJSON), or NULL. */
cJSON *aslc_mockcfg_load(const char *path, asl_buf *err);
/* The test case as the text of aslc's mocks file (malloc'd), or NULL with why. */
char *aslc_mockcfg_text(const cJSON *cfg, const char *machine, const char *test_case,
                        asl_buf *err);
/* The test case as aslc's mocks file (docs/tasks.md), written into
 * cache_dir: its path (malloc'd), or NULL with why. */
char *aslc_mockcfg_mocks(const cJSON *cfg, const char *machine, const char *test_case,
                         const char *cache_dir, asl_buf *err);

/* ---- serve_limits.c ---------------------------------------------------------- */

/* AWS's limits on the fields of action's request; false with AWS's reply. */
bool aslc_limits_check(const char *action, const cJSON *in, aslc_reply *r);

/* ---- serve.c ------------------------------------------------------------------ */
int aslc_serve_main(int argc, char **argv);

#endif
