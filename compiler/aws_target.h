/*
 * aws_target.h — the integrations that aslc calls itself, as the resource
 * names them (compiler/aws_target.c has the tables): which service and
 * action, how Step Functions names their errors, the .sync job to follow,
 * and for renamed ones (EMR's addStep is AddJobFlowSteps) the templates of
 * the request and the answer.  compiler/aws_model.c checks them against the
 * API model and makes the binding.
 */
#ifndef ASLC_AWS_TARGET_H
#define ASLC_AWS_TARGET_H

#include "aslc.h"

/* A ".sync" integration: Step Functions starts the job, then calls poll
 * until the value at state is one of succeeded (the task's result is output)
 * or failed (States.TaskFailed, the Cause that same output as JSON).
 * request and output are templates whose strings "$params.X", "$start.X"
 * and "$poll.X" are read from the task's parameters, the start call's
 * response and the last poll's (runtime/aws_sdk.c). */
typedef struct {
    const char *arn;             /* after arn:aws:states::: */
    const char *service, *start, *poll;
    const char *error_prefix;    /* of the start call's errors */
    const char *request, *state, *succeeded, *failed, *output;
    bool parse_output;           /* .sync:2: the child execution's Output as JSON */
    bool gone;                   /* a deletion: done when poll answers ResourceNotFoundException */
} sync_spec;

/* An EMR "...ByName" integration: the Id of the named instance fleet or
 * group is found first (list, the cluster's ListInstanceFleets or
 * ListInstanceGroups: the item of items whose Name is the parameter name),
 * and set as id_key in the parameter into before the call is made. */
typedef struct {
    const char *list, *items, *name, *into, *id_key;
} by_name_spec;

typedef struct {
    const char *service, *action;   /* as the resource names them */
    bool optimised;                 /* an optimised integration (Error prefix differs) */
    const char *error_prefix;       /* optimised: the prefix Step Functions uses */
    const sync_spec *sync;          /* a .sync integration, or NULL */
    const char *params;             /* renamed: the parameters it takes (space-separated) */
    const char *request, *result;   /* renamed: templates of the call and its answer */
    const char *parse;              /* renamed: a result member sent as JSON text */
    const by_name_spec *by_name;    /* EMR's ...ByName: the Id found first, or NULL */
} aws_target;


/* The integration res names (arn:PARTITION:states:::...), or false when
 * aslc does not call it. */
bool aslc_aws_parse_target(const char *res, aws_target *t, asl_arena *a);

/* Whether word (n bytes) is one of the space-separated words of list. */
bool aslc_aws_word_in(const char *list, const char *word, size_t n);

/* A built-in API model of Bedrock Runtime's InvokeModel (JSON text). */
extern const char aslc_bedrock_runtime_model[];
/* A built-in API model of Bedrock's CreateModelCustomizationJob and
 * GetModelCustomizationJob (JSON text), for a botocore without "bedrock". */
extern const char aslc_bedrock_model[];

/* eks:call, eks:runJob and eks:runJob.sync: the Kubernetes API of a
 * cluster, not an AWS API (runtime/aws_eks.c).  The action ("call",
 * "runJob", "runJob.sync") and the parameters it takes, or NULL. */
const char *aslc_eks_k8s_action(const char *res, const char **params);

#endif
