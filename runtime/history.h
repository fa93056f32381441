/*
 * history.h — the execution history (./wf --history FILE): the events of one
 * execution, each a line of JSON as GetExecutionHistory returns it
 * (docs/history.md).  history.c writes them; the hooks in main.c, exec.c,
 * task.c, fanout.c and retry.c call it only when run->hist is set, so that a
 * run without --history pays one test of a pointer it already has.
 *
 * Ids are given in the order events are written, under the history's
 * mutex: Map iterations and Parallel branches on worker threads each chain
 * their own events (asl_exec.hist), as AWS's previousEventId does.
 */
#ifndef ASL_HISTORY_H
#define ASL_HISTORY_H

#include "rt.h"

typedef struct asl_hist asl_hist;

/* One Parallel or Map state's fan-out, as its events need it (fanout.c keeps
 * it; read and written under the history's mutex). */
typedef struct {
    uint64_t cursor;       /* the previousEventId of the next unit's first event */
    uint64_t last_end;     /* id of the last MapIterationSucceeded (or MapRunSucceeded) */
    uint64_t started;      /* id of ParallelStateStarted: what each branch's first event follows */
    bool map, distributed;
} asl_hist_fan;

asl_hist *asl_hist_new(void);
void asl_hist_free(asl_hist *h);
/* Writes the events so far to path (replacing it); false with errno set. */
bool asl_hist_save(const asl_hist *h, const char *path);

/* ExecutionStarted, on the execution's top-level exec. */
void asl_hist_started(asl_exec *top, const asl_value *input);
/* The end of the execution: the last state's StateExited and
 * ExecutionSucceeded (result non-NULL), or ExecutionFailed/TimedOut. */
void asl_hist_ended(asl_exec *top, const asl_value *result);
/* asl_enter's hook: the previous state's StateExited (its output is in,
 * this state's input), then this state's StateEntered, whose id becomes
 * x->entered_event. */
void asl_hist_entered(asl_exec *x, const asl_state_info *s, const asl_value *in);
/* A Task attempt: TaskScheduled and TaskStarted (LambdaFunction... for a
 * bare Lambda ARN), then TaskSucceeded/Failed/TimedOut with its result. */
void asl_hist_task_begin(asl_exec *x, const asl_task_site *site, const asl_value *input,
                         double timeout, double heartbeat);
void asl_hist_task_end(asl_exec *x, const asl_task_site *site, const asl_value *result);
/* Parallel and Map: ...StateStarted (Map: of length items), each unit's
 * start and end (MapIteration... events), and the state's end: ...Succeeded,
 * or a failure whose ...StateFailed event waits until no Retry takes it. */
void asl_hist_fan_started(asl_exec *x, asl_hist_fan *fan, bool map, uint32_t length,
                          bool distributed);
void asl_hist_unit_begin(asl_exec *x, asl_hist_fan *fan, asl_exec *u, uint32_t index);
void asl_hist_unit_end(asl_exec *x, asl_hist_fan *fan, asl_exec *u, uint32_t index,
                       const asl_value *result);
void asl_hist_fan_ended(asl_exec *x, asl_hist_fan *fan, bool ok);
/* asl_fail's hook for States.QueryEvaluationError in the state being run:
 * EvaluationFailed (then, for a Map or Parallel state, ...StateFailed). */
void asl_hist_evaluation_failed(asl_exec *x);
/* The variables a state assigns (vars.c): its StateExited event lists them
 * (assignedVariables, each value as JSON text). */
void asl_hist_assigned(asl_exec *x, uint32_t n, const char *const *names, asl_value *const *vals);
/* asl_retry is about to run the state again: a pending ...StateFailed goes. */
void asl_hist_retried(asl_exec *x);

#endif
