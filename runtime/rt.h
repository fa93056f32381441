/*
 * rt.h — the runtime's private view of an execution.  Not installed, not
 * seen by generated code (which only holds asl_exec pointers).
 *
 * An asl_run is one execution of a state machine: what every state, branch
 * and iteration of it shares (the execution input, ids, options, the task
 * bindings).  It is read-only once the execution starts, except the fields
 * marked atomic / locked.  An asl_exec is one thread of control in it: the
 * top-level flow, a Parallel branch or a Map iteration, each with its own
 * arena and its own error slot, so that no state is shared between threads.
 */
#ifndef ASL_RT_H
#define ASL_RT_H

#include "asl.h"
#include <pthread.h>
#include <time.h>

typedef enum {
    ASL_BIND_NONE,
    ASL_BIND_MOCK,      /* mocks.json: a list of results by state name */
    ASL_BIND_COMMAND,   /* {"command": [argv...]} */
    ASL_BIND_PYTHON,    /* {"python": "file.py[:handler]"} (warm.c) */
    ASL_BIND_NODE,      /* {"node": "file.mjs[:handler]"} (warm.c) */
    ASL_BIND_NATIVE,    /* {"native": "c_function"} */
    ASL_BIND_AWS,       /* no mock, no binding: the real service (aws_*.c) */
    ASL_BIND_DIRECTORY  /* "s3://bucket": {"directory": "path"} (bucket.c) */
} asl_bind_kind;

typedef struct {
    asl_bind_kind kind;
    char **argv;               /* COMMAND: NULL-terminated, absolute program path or PATH name;
                                * PYTHON, NODE: the interpreter in argv[0] */
    char *python_file;         /* PYTHON, NODE: absolute path of the handler's file */
    char *handler;             /* PYTHON, NODE: the function's name; NULL = the default
                                * (lambda_handler, handler) */
    char *dir;                 /* working directory for COMMAND/PYTHON (the resources file's) */
    asl_native_fn fn;          /* NATIVE */
    char *directory;           /* DIRECTORY: absolute path of the bucket's objects */
    asl_value *mocks;          /* MOCK: array of results */
    const asl_value *aws;      /* AWS: what aws_sdk.c sends ({"aws": {...}}, made by aslc from
                                * the service's API model); NULL: a Lambda function ARN */
    uint32_t mock_next;        /* MOCK: next result to hand out (locked by run->lock) */
} asl_binding;

struct asl_pool;   /* pool.h */
struct asl_group;

typedef struct asl_run {
    struct { ASL_RUN_HEAD };   /* events, transitions (asl.h: generated code counts them) */
    const asl_program *prog;
    asl_arena *arena;          /* lives as long as the execution: input, bindings; also the
                                * arena of its top-level exec */
    asl_value *input;          /* $$.Execution.Input */
    struct timespec started;   /* when the execution started (CLOCK_REALTIME) */
    bool ids_ready;            /* the four below are set (asl_run_ids, under lock) */
    char exec_name[96];        /* $$.Execution.Name (a UUID, or the name aslc serve gave) */
    /* malloc'd, not in the arena, which the execution's top-level states
     * use meanwhile; freed with the run (asl_run_free_ids). */
    char *exec_id;             /* $$.Execution.Id */
    char *sm_id;               /* $$.StateMachine.Id */
    char start_time[40];       /* $$.Execution.StartTime */
    double time_scale;         /* multiplies Wait and Retry delays; 0 skips them */
    double deadline;           /* monotonic seconds of workflow time (asl_exec.skew); 0 = none
                                * (TimeoutSeconds, not scaled) */
    asl_binding *bindings;     /* one per program task site */
    pthread_mutex_t lock;      /* mock counters */
    /* fanout.c: the worker threads of Parallel and Map; created by the first
     * fan-out that needs them, freed when the outermost fan-out ends (only
     * the execution's first thread sets or clears it, and only while it is
     * the only thread). */
    struct asl_pool *pool;
    /* lambda_rt.c, under --target lambda: runs a Distributed Map's unit as an
     * Invoke of the function itself (fanout.c); NULL: on this process's threads. */
    asl_value *(*map_remote)(asl_exec *it, const asl_map_info *m, asl_value *input);
    void *remote_ctx;          /* map_remote's context */
    struct asl_hist *hist;     /* history.c: the events written for --history, or NULL */
    double resume_waited;      /* served.c: workflow seconds the resumed Wait already waited */
    bool unit_replay;          /* served.c: units of a resumed fan-out replay (history.c) */
    /* embed.c: the ARNs aslc serve gave this execution in process, read by
     * asl_run_ids before the environment's (a process per execution); NULL: none. */
    const char *given_exec_arn, *given_sm_arn;
    int linked_depth;          /* linked.c: how many linked executions started this one (0: none) */
} asl_run;

struct asl_exec {
    /* arena, run, state, entered_event, retry_count, slow_enter,
     * map_index, map_value, entered (asl.h: generated code enters states
     * and reads $$.Map.Item): slow_enter is set for the
     * units of a fan-out and under an execution's TimeoutSeconds, when
     * entering a state has more to do (asl_enter). */
    struct { ASL_EXEC_HEAD };
    asl_exec *parent;
    struct asl_vars *vars;        /* vars.c: this scope's own variables, NULL until assigned */
    bool failed;
    const char *err;              /* Error (in arena) */
    const char *cause;            /* Cause (in arena) or NULL */
    size_t err_len, cause_len;    /* their lengths: a U+0000 may be inside (asl_fail_n) */
    struct asl_group *group;      /* fanout.c: the fan-out this exec is a branch/iteration of */
    bool stopped;                 /* failed because that fan-out (or an enclosing one) was stopped */
    double skew;                  /* workflow seconds the time scale skipped in this thread of
                                   * control (asl_sleep): its clock is real time + skew */
    /* jnstate.c: $states while a JSONata state's Arguments, Output or a
     * Catch's Output is built (what its expressions inside read) */
    asl_value *jn_input, *jn_result, *jn_error;
    /* jsonata_sfn.c: the string $parse parsed last and its value, kept from
     * the start of a state's field (jnstate.c clears it) to the next */
    asl_value *jn_memo[2];
    struct asl_hist_thread *hist; /* history.c: this thread of control's events, made at
                                   * its first one with --history (run->hist), else NULL */
    /* fanout.c: $$.Map.Item.Key (a Map over an object's members, else NULL) and
     * $$.Map.Item.Source ("STATE_DATA", or the s3:// URI an ItemReader read
     * the item from) of an iteration; map_sources, set by asl_map_io for the
     * asl_map it calls next on this exec: each item's source, or NULL */
    asl_value *map_key;
    const char *map_source;
    asl_value *map_sources;
    /* fanout.c: a ToleratedFailure*Path refused by asl_map_setting, raised by
     * the asl_map of the state entered at map_late_event, after MapStateStarted */
    const char *map_late_error;
    uint64_t map_late_event;
    const char *task_role;        /* task.c: the next Task's Credentials.RoleArn
                                   * (asl_task_credentials), taken by that Task */
};

/* error.c: the errors' less common forms (generated code has asl_fail,
 * asl_fail_state and asl_error_value). */
asl_value *asl_failf(asl_exec *x, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *asl_error_name(const asl_exec *x);
const char *asl_error_cause(const asl_exec *x);   /* NULL when there is none */
/* path.c: AWS's rendering of a path for causes: $['a']['b'][0] */
char *asl_path_bracket(asl_exec *x, const asl_path *p);
/* intrinsic_call.c: calls intrinsic fn on argv; NULL with
 * States.IntrinsicFailure / States.Runtime. */
asl_value *asl_intrinsic(asl_exec *x, int fn, uint32_t argc, asl_value **argv);
/* payload.c: whether ASL_PAYLOAD_LIMIT=off lifts the payload limit (for
 * measuring on data AWS would refuse); read once. */
bool asl_payload_unlimited(void);
/* main.c: runs one execution; used by main and the benchmark mode. */
int asl_program_main(const asl_program *p, int argc, char **argv);

/* bigstack.c: calls fn(arg) on a stack of size bytes.  An execution and
 * each worker thread get ASL_EXEC_STACK: compiled states call each other. */
#define ASL_EXEC_STACK ((size_t)512 << 20)
void asl_run_on_big_stack(void (*fn)(void *), void *arg, size_t size);
/* ASL_EXEC_STACK, or less under an address-space limit (RLIMIT_AS). */
size_t asl_exec_stack_size(void);
/* The stack of a pool worker: ASL_EXEC_STACK, or under RLIMIT_AS what lets a
 * few hundred threads fit, lowering *max_threads to the number that fits. */
size_t asl_worker_stacks(uint32_t *max_threads);

/* vars.c: a $name path's variable into *root and the path's steps after
 * the name into *rest; false when no scope has the variable. */
bool asl_vars_root(asl_exec *x, const asl_path *p, asl_value **root, asl_path *rest);
/* The failure of a $name path that selected nothing (field: a template
 * member's name, or NULL), with AWS's States.Runtime. */
asl_value *asl_vars_path_fail(asl_exec *x, const asl_path *p, const char *field);

/* exec.c */
asl_exec *asl_exec_child(asl_exec *parent);          /* own arena, same run */
void asl_exec_free(asl_exec *x);
void asl_exec_adopt_error(asl_exec *x, const asl_exec *child);   /* error.c */
uint64_t asl_run_event(asl_run *r, uint32_t n);      /* reserves n event ids, returns the first */
void asl_exec_top(asl_exec *top, asl_run *run);       /* the top exec of run */
void asl_run_ids(asl_run *r);                        /* fills exec_name, ids, start_time once */
void asl_run_free_ids(asl_run *r);
/* clock.c */
double asl_now_monotonic(void);
void asl_now_iso(char out[40]);                      /* 2026-11-23T15:09:44.123Z */
void asl_format_iso(const struct timespec *ts, char out[40]);
/* Sleeps seconds * run->time_scale; false (States.Timeout) if the deadline passes. */
bool asl_sleep(asl_exec *x, double seconds);
/* The longest sleep, in seconds (about 31,700 years): longer delays (a
 * Retry's IntervalSeconds * BackoffRate^60) are slept as this, never
 * converted to an integer out of its range. */
#define ASL_SLEEP_MAX 1e12
/* *ts = CLOCK_MONOTONIC now + seconds, saturated at ASL_SLEEP_MAX. */
void asl_timespec_after(struct timespec *ts, double seconds);
/* retry.c: the delay before retry number count+1 of r, in seconds (not yet
 * time-scaled): IntervalSeconds * BackoffRate^count, at most MaxDelaySeconds
 * and ASL_SLEEP_MAX; without jitter. */
double asl_retry_delay(const asl_retrier *r, uint32_t count);
/* context.c */
asl_value *asl_context_object(asl_exec *x);          /* the whole $$ */
/* $$.Task.Token of the callback Task x is running (a string in x's arena),
 * or NULL when x's state is no .waitForTaskToken Task. */
asl_value *asl_task_token_value(asl_exec *x);
asl_value *asl_task_token_of(asl_exec *x);
/* payload.c: a Task's result as the resource returned it: over 256 KiB of JSON it fails
 * with States.DataLimitExceeded naming the resource, as AWS does (before
 * ResultSelector could trim it).  NULL in, NULL out. */
asl_value *asl_task_result(asl_exec *x, asl_value *r, const char *resource);
/* $$.Map.Item.Value (or .Index): the nearest enclosing Map iteration's, or NULL. */
static inline asl_value *asl_map_item(const asl_exec *x, bool index)
{
    for (; x; x = x->parent)
        if (x->map_value) return index ? x->map_index : x->map_value;
    return NULL;
}
/* The nearest enclosing Map iteration's exec (its map_key, map_source), or NULL. */
static inline const asl_exec *asl_map_item_exec(const asl_exec *x)
{
    for (; x; x = x->parent)
        if (x->map_value) return x;
    return NULL;
}
/* context.c: the value at the first *used steps of the $$ path p, without building
 * the whole $$: $$.Map.Item.Value/Index, $$.State.Name/EnteredTime/
 * RetryCount, $$.Execution.Input/Id/Name/StartTime.  NULL when p starts
 * otherwise or the value is absent (asl_context_object then decides). */
asl_value *asl_context_prefix(asl_exec *x, const asl_path *p, uint32_t *used);

/* exec.c: entering a state with worker threads about or a deadline set
 * (asl.h's asl_enter_record when the thread is alone and there is none). */
bool asl_enter_shared(asl_exec *x, const asl_state_info *s);

/* fanout.c: the concurrency of Parallel and Map (docs/concurrency.md). */
/* asl_enter, for an exec with a group: false (x stopped) when its fan-out was
 * cancelled; calls in worker threads when the fan-out proves worth it. */
/* in: the state's input, for --history's events (asl_hist_entered). */
bool asl_flow_enter(asl_exec *x, const asl_state_info *s, asl_value *in);
/* Sleeps seconds (already scaled); false with x stopped when its fan-out is
 * cancelled meanwhile. */
bool asl_flow_sleep(asl_exec *x, double seconds);
/* true, with x stopped, when x's fan-out was cancelled. */
bool asl_flow_stopped(asl_exec *x);
/* x stopped as a failing sibling stops it (false); aslc serve's replay. */
bool asl_flow_stop(asl_exec *x);
/* Around a call that blocks for long (a task's child process): lets another
 * worker thread run meanwhile.  Always in pairs, on the same exec. */
void asl_blocking_begin(asl_exec *x);
void asl_blocking_end(asl_exec *x);

/* fanout.c: asl_map keeping, for a ResultWriter (mapio.c), what AWS reports of
 * each child execution: its input (after ItemSelector; a batch's input) and
 * whether it failed (a tolerated failure, whose result is {Error, Cause}),
 * for each of the n units, in x's arena. */
typedef struct {
    uint32_t n;
    asl_value **inputs;
    uint8_t *failed;
} asl_map_trace;
asl_value *asl_map_traced(asl_exec *x, asl_value *state_input, asl_value *items,
                          const asl_map_info *m, asl_map_trace *trace);

/* task.c: resolves every task site of run->prog to a binding.  resources and
 * mocks are run-time override file paths (NULL = use the embedded ones).
 * On failure returns false with a message in errmsg. */
bool asl_tasks_bind(asl_run *run, const char *resources, const char *mocks, asl_buf *errmsg);

/* served.c: a binary run by aslc serve (ASL_SERVE_FD).  begin: the events
 * go out on fd (durable: each acknowledged); with resume_path, *fn and
 * *input become the state to continue in and its input (false with a
 * message in err).  end: the last events.  waited: the seconds a resumed
 * Wait already waited (once, on the top-level exec; 0 otherwise). */
bool asl_served_begin(asl_run *run, asl_exec *top, int fd, bool durable, const char *resume_path,
                      asl_state_fn *fn, asl_value **input, asl_buf *err);
void asl_served_end(asl_run *run, asl_exec *top, const asl_value *result);
double asl_served_waited(asl_exec *x);
/* Callback Tasks under aslc serve: an activity's or a .waitForTaskToken
 * resource with no binding waits for SendTaskSuccess/Failure.  resource:
 * whether the binary is served and the resource is one (asl_tasks_bind lets
 * it be unbound); callback: registers the attempt's token with the server
 * (NULL: not such a Task); await: its outcome (NULL with the error, a
 * timeout's included). */
bool asl_served_resource(const char *resource);
const char *asl_served_callback(asl_exec *x, const asl_task_site *site, const asl_value *input,
                                double timeout, double heartbeat);
asl_value *asl_served_await(asl_exec *x, const char *token, double timeout, double heartbeat);
/* The server forgets token: its Task ended otherwise (a late SendTask* is TaskTimedOut). */
void asl_served_forget(asl_exec *x, const char *token);
/* A resumed execution's Task attempt whose TaskScheduled was recorded
 * before the restart (the checkpoint's "replay"): true with *out its
 * outcome, recorded or, for one still running then, States.TaskFailed;
 * false: call the Task as usual.  Once, on the top-level exec. */
bool asl_served_replay(asl_exec *x, const asl_task_site *site, const asl_value *input,
                       double timeout, double heartbeat, asl_value **out);
/* A resumed execution's top-level Parallel or Map (x), in its run started
 * at event started (a Retry's runs have their own): the result of its unit
 * index recorded before the restart (in u's arena), or NULL: run it. */
asl_value *asl_served_unit(asl_exec *x, asl_exec *u, uint64_t started, uint32_t index);
/* For asl_retry's first call in that resumed Task state (once, else NULL):
 * the errors of the attempts a Retry took before the restart, an array of
 * strings, which its attempt counts go on from. */
const asl_value *asl_served_retried(asl_exec *x);
/* n random bytes for States.UUID and States.MathRandom in a durable aslc
 * serve execution: drawn from the execution's secret seed (kept in its
 * checkpoints), the unit, the state's entry and the draw's rank in it, so
 * that a state run again by a restart draws what it drew before; false
 * elsewhere (draw from the system). */
bool asl_served_draw(asl_exec *x, void *out, size_t n);
/* The same for JSONata's $now()/$millis() and $random()/$uuid()/$shuffle()
 * (jsonata_value.c's asl_jn_clock, x the asl_exec evaluating): the time
 * and the seed a restart gives again; false elsewhere. */
bool asl_served_jn_clock(void *x, int64_t *now_ms, uint64_t *rng);

/* children.c: main.c is printing the execution's output; a signal from now
 * on no longer interrupts it (the output goes out whole). */
void asl_children_output_started(void);
/* In a host process (embed.c): handlers never take over the host's signals. */
void asl_children_embedded(void);

/* linked.c: state machines compiled into this binary (aslc --link).  mode:
 * what a Task resource is, ASL_LINKED_* or -1 (not a startExecution); start:
 * runs the program params' StateMachineArn names when it is linked (*taken
 * set), else NULL with *taken false; wait: joins the plain starts still
 * running, before the process exits. */
enum { ASL_LINKED_PLAIN, ASL_LINKED_SYNC, ASL_LINKED_SYNC2 };
bool asl_linked_any(void);
int asl_linked_mode(const char *resource);
asl_value *asl_linked_start(asl_exec *x, const asl_task_site *site, asl_value *params, int mode,
                            bool *taken);
void asl_linked_wait(void);

/* uuid.c: a random version 4 UUID into out (36 characters and a NUL); false
 * (out empty) when the system has no randomness to give */
bool asl_uuid4(char out[37]);
/* The same from 16 given random bytes (b: its version and variant bits set). */
void asl_uuid4_of(unsigned char b[16], char out[37]);
/* intrinsics.c helpers shared with other runtime files */
/* Base64Encode, Base64Decode and Hash take at most this many characters. */
#define ASL_INTRINSIC_MAX_CHARS 10000
/* States.Runtime "Invalid arguments in States.X", as AWS fails every kind
 * of bad argument (fn: ASL_FN_*). */
asl_value *asl_intrinsic_invalid(asl_exec *x, int fn);

#endif
