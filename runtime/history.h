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
/* A history that records no events, only what runs now (asl_hist_live):
 * the progress line's (progress.c), when neither --history nor --report
 * asks for the events, whose payloads cost far more to write. */
asl_hist *asl_hist_new_live(void);

/* What the execution is doing now, for the progress line: the state entered
 * last (in any thread), and the inline Map started last, with its items'
 * count, those done and those failed (NULL once it has ended). */
typedef struct {
    const char *state;
    const char *map;
    uint32_t total, done, failed;
} asl_hist_live;
void asl_hist_live_get(asl_hist *h, asl_hist_live *out);
void asl_hist_free(asl_hist *h);
/* Writes the events so far to path (replacing it); false with errno set. */
bool asl_hist_save(const asl_hist *h, const char *path);

/* The events so far, as JSON Lines (report.c draws the page from them). */
const char *asl_hist_lines(const asl_hist *h, size_t *len);
/* aslc serve (served.c): every event is sent on fd as it is made, as a
 * line "E <event>"; durable: after each, the server's one-byte
 * acknowledgement is awaited, and each top-level StateEntered is preceded
 * by "C <checkpoint>" ({"state","input","vars","prev"}); each finished unit
 * of a top-level Parallel or Map is followed by "R {"started","index",
 * "last","result"}" (not acknowledged), and each failed run of a fan-out by
 * "F {"started","child"}" (acknowledged).  Losing the server
 * ends the process with ASL_SERVED_LOST. */
#define ASL_SERVED_LOST 75
void asl_hist_channel(asl_hist *h, int fd, bool durable);
/* --resume: the execution's seed as its checkpoints have it (32 hex
 * digits), for asl_hist_draw. */
void asl_hist_seed(asl_hist *h, const char *hex);
/* asl_served_draw's work: n bytes from the seed, x's unit, its state's
 * entry and the draw's rank in it; false without a durable channel. */
bool asl_hist_draw(asl_exec *x, void *out, size_t n);
/* A JSONata expression's $now() and $millis() in x (served.c,
 * asl_served_jn_clock), in ms since the epoch: the time of the next event
 * x's thread of control makes, which is then stamped with it (the
 * recorded one's when x replays it), so that a replay after a restart
 * evaluates with the time it evaluated with before. */
int64_t asl_hist_clock(asl_exec *x);
/* --resume: the events so far end at id last (child_last: a Distributed
 * Map's child executions'); the first top-level state entered is the one
 * whose StateEntered (id entered, previousEventId entered_prev, timestamp
 * entered_time: its $$.State.EnteredTime) is recorded. */
void asl_hist_resume(asl_hist *h, uint64_t last, uint64_t entered, uint64_t entered_prev,
                     uint64_t child_last, const char *entered_time);

/* --resume inside a top-level Parallel or Map (served.c): its
 * ...StateStarted is event started, its finished units' events end at
 * cursor; the fan-out's start then writes nothing. */
void asl_hist_resume_fan(asl_hist *h, uint64_t started, uint64_t cursor);

/* A request line "<tag><line>" to the server (served.c's "W " of a callback
 * Task), acknowledged when ack. */
void asl_hist_chan_request(asl_hist *h, const char *tag, const char *line, size_t n, bool ack);
/* Waits until the monotonic time until for a line about token: its kind
 * ('S', 'F', 'H') with its text in out, or 0 when the time has come. */
char asl_hist_chan_wait(asl_hist *h, const char *token, double until, asl_buf *out);
/* Whether h has aslc serve's channel. */
bool asl_hist_served(const asl_hist *h);

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
/* A .sync Task's start call answered (before its job ends): TaskSubmitted
 * with that answer, as Step Functions writes it (runtime/linked.c). */
void asl_hist_task_submitted(asl_exec *x, const asl_task_site *site, const asl_value *output);
/* An activity's task (Resource ...:activity:NAME) has Activity... events
 * instead: ActivityScheduled, ActivityStarted when a worker takes it
 * (aslc serve's GetActivityTask; at once otherwise), ActivitySucceeded/
 * Failed/TimedOut. */
void asl_hist_activity_started(asl_exec *x, const char *worker);
/* Parallel and Map: ...StateStarted (Map: of length items), each unit's
 * start and end (MapIteration... events), and the state's end: ...Succeeded,
 * or a failure whose ...StateFailed event waits until no Retry takes it. */
/* label: a Distributed Map's Label, which names its map run (NULL: the state's name) */
void asl_hist_fan_started(asl_exec *x, asl_hist_fan *fan, bool map, uint32_t length,
                          bool distributed, const char *label);
/* aslc serve resumed a top-level fan-out whose units were running (served.c):
 * live is the checkpoint's list of them, at any depth (a Parallel or Map
 * inside a unit, a Distributed Map's child executions), each {"key",
 * "events", "waited"}.  Such a unit runs again from its start while its
 * recorded events are numbered again, not written (asl_hist_replay in
 * history.c). */
void asl_hist_resume_units(asl_hist *h, const asl_value *live, double time_scale);
/* ... and a Retry ran that fan-out again before the restart: events are
 * the execution's own between its runs (a later run's ...StateStarted, a
 * Distributed Map's MapRunStarted and MapRunFailed), which the resumed
 * state replays as a unit does, so that each run's units find theirs. */
void asl_hist_replay_own(asl_exec *top, const asl_value *events);
/* A Task about to be called in a replaying unit: 0 if its attempt was not
 * recorded (call it), 1 with its recorded outcome event in *ev (its
 * scheduling events taken), 2 if it was running when the server stopped. */
int asl_hist_replay_task(asl_exec *x, const asl_value **ev);
/* Whether x is a replaying unit whose recorded events are done and whose
 * fan-out's run had failed before the restart ("closed"): it was stopped
 * there, and must stop there again rather than go further (enter a state,
 * call a Task) before the replayed failure stops it. */
bool asl_hist_replay_closed(asl_exec *x);
/* Workflow seconds a unit's Wait or Retry interval about to be slept had
 * already waited before the restart (all of it when the unit's recorded
 * events go on after it); 0 when x replays nothing. */
double asl_hist_replay_waited(asl_exec *x);
void asl_hist_unit_begin(asl_exec *x, asl_hist_fan *fan, asl_exec *u, uint32_t index);
void asl_hist_unit_end(asl_exec *x, asl_hist_fan *fan, asl_exec *u, uint32_t index,
                       const asl_value *result);
/* A Distributed Map's child execution u (kept by a durable aslc serve)
 * starts with input: its own ExecutionStarted, numbered with the child
 * events; asl_hist_unit_end writes its end (docs/serve.md, map runs). */
void asl_hist_child_started(asl_exec *x, asl_hist_fan *fan, asl_exec *u, const asl_value *input);
void asl_hist_fan_ended(asl_exec *x, asl_hist_fan *fan, bool ok);
/* A unit's failure fails x's fan-out: under a durable aslc serve the run's
 * failure is recorded (acknowledged) before its other units are stopped,
 * and again at its end (asl_hist_fan_ended). */
void asl_hist_fan_failed(asl_exec *x, const asl_hist_fan *fan);
/* asl_fail's hook for States.QueryEvaluationError in the state being run:
 * EvaluationFailed (then, for a Map or Parallel state, ...StateFailed). */
void asl_hist_evaluation_failed(asl_exec *x);
/* The variables a state assigns (vars.c): its StateExited event lists them
 * (assignedVariables, each value as JSON text). */
void asl_hist_assigned(asl_exec *x, uint32_t n, const char *const *names, asl_value *const *vals);
/* asl_retry is about to run the state again: a pending ...StateFailed goes. */
void asl_hist_retried(asl_exec *x);

#endif
