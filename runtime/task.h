/*
 * task.h — private interface between task.c (bindings, dispatch, mocks,
 * the lambda:invoke integration), task_proc.c ("command" handlers, a child
 * process per call) and warm.c ("python" and "node" handlers, in workers that
 * stay loaded).  Not installed, not seen by generated
 * code.  The user-facing contract is docs/tasks.md.
 */
#ifndef ASL_TASK_H
#define ASL_TASK_H

#include "rt.h"

#include <signal.h>
#include <spawn.h>
#include <sys/types.h>

/* What a process handler needs to know about one call besides its binding
 * and its event.  Strings are borrowed for the duration of the call. */
typedef struct {
    const char *function_name;  /* Lambda function name (python context), never NULL */
    const char *function_arn;   /* invoked_function_arn for the python context */
    const char *request_id;     /* aws_request_id, also in the lambda:invoke response */
    double deadline;            /* asl_now_monotonic() value to stop at; 0 = none */
    bool deadline_is_exec;      /* the deadline is the execution's, not the task's */
    bool deadline_is_heartbeat; /* the deadline is HeartbeatSeconds: no handler sends heartbeats */
    double timeout;             /* the task's timeout in seconds (for messages), 0 = none */
    const char *role_arn;       /* Credentials.RoleArn, evaluated; NULL = the caller's own */
} asl_task_call;

/* The failure of a call that passed its deadline: States.Timeout (the task's
 * or the execution's) or States.HeartbeatTimeout. */
asl_value *asl_task_timed_out(asl_exec *x, const asl_task_call *c);

/* Runs a COMMAND binding with event as its input.  Returns the
 * handler's result, parsed into asl_exec_arena(x), or NULL after asl_fail:
 * States.Timeout when the deadline passed, Error = errorType for a
 * Lambda-style error object, States.TaskFailed for everything else. */
asl_value *asl_task_process(asl_exec *x, const asl_binding *b, const asl_task_call *c,
                            asl_value *event);

/* Adds SdkHttpMetadata (AllHttpHeaders in the order given, HttpHeaders by
 * name regardless of case, HttpStatusCode) and SdkResponseMetadata to obj, as
 * the Java SDK v1 results of the optimised integrations carry them.  hdrs
 * holds n {name, value} pairs; it is sorted in place. */
void asl_task_sdk_metadata(asl_arena *a, asl_value *obj, const char *(*hdrs)[2], uint32_t n,
                           long status, const char *request_id);

/* The response of arn:aws:states:::lambda:invoke as Step Functions returns it
 * (the Invoke API's fields and the SDK's HTTP metadata), around payload. */
asl_value *asl_task_lambda_response(asl_exec *x, asl_value *payload, const char *version,
                                    const char *request_id);

/* warm.c: runs a PYTHON or NODE binding in a persistent worker process of
 * its function's pool (started when none is idle).  Returns the handler's
 * result in asl_exec_arena(x), or NULL after asl_fail: the errorType of the
 * error the handler raised, Runtime.ExitError when the worker died during
 * the call, States.Timeout (asl_task_timed_out) past the deadline. */
asl_value *asl_warm_call(asl_exec *x, const asl_binding *b, const asl_task_call *c,
                         asl_value *event);
/* The programs of the workers (warm_workers.c). */
extern const char asl_warm_python[];
extern const char asl_warm_node[];

/* Finds an executable: a name containing '/' is checked as is, any other
 * name is searched in $PATH.  Returns the path (malloc'd) or NULL. */
char *asl_find_executable(const char *name);

/* children.c: what concerns all handler processes at once (descriptors,
 * signals, the registry of running process groups).
 *
 * A call first takes a place among the calls in flight, which RLIMIT_NOFILE
 * bounds; false when the deadline (monotonic, 0 = none) passed meanwhile.
 * The first call also installs the signal handlers that forward SIGTERM,
 * SIGINT, SIGHUP and SIGQUIT to the running handlers' groups. */
bool asl_children_acquire(double deadline);
/* Installs the forwarding signal handlers without taking a place (warm.c's
 * workers hold no place: each has its own descriptor bound). */
void asl_children_init(void);
void asl_children_release(void);
/* After EMFILE/ENFILE: gives the call's place back and lowers the bound.
 * true: other calls hold descriptors, acquire again and retry; false: none
 * does, the shortage is not ours to wait out. */
bool asl_children_short_of_fds(void);
uint32_t asl_children_budget(void);   /* for tests: the bound, 0 before the first call */
/* The process group pid (led by the handler pid) is running: the signal
 * handler forwards to it until asl_children_remove.  Returns the slot. */
int asl_children_add(pid_t pid);
void asl_children_remove(int slot);
/* Blocks the forwarded signals in the calling thread (*old: the mask before). */
void asl_children_block_signals(sigset_t *old);
/* A handler's spawn attributes (destroy them after the spawn): it starts
 * with an empty signal mask and SIGPIPE at its default, whatever this
 * thread blocks or the process ignores, and leads a process group of its
 * own (pgid = its pid), which the call kills at its end and a signal to the
 * binary is forwarded to. */
void asl_children_spawnattr(posix_spawnattr_t *at);

#endif
