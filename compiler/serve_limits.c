/*
 * serve_limits.c — AWS's limits on the fields of a request, checked before
 * an action runs, with AWS's answers: a string field that is not a string
 * is a SerializationException; a string too long or too short, or a number
 * out of its range, a ValidationException worded as AWS words it ("1
 * validation error detected: Value at 'input' failed to satisfy
 * constraint: Member must have length less than or equal to 262144").
 * One table: the action ("*" any), the field, its kind and bounds.
 * Lengths are counted in bytes of UTF-8, as AWS counts payloads.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <string.h>

typedef struct {
    const char *action, *field;
    bool number;        /* else a string */
    double min, max;    /* its length, or its value */
} limit;

#define DEF_MAX 1048576     /* a definition: 1 MiB */
#define PAYLOAD_MAX 262144  /* an execution's input: 256 KiB */

static const limit limits[] = {
    {"*", "stateMachineArn", false, 1, 256},
    {"*", "executionArn", false, 1, 256},
    {"*", "mapRunArn", false, 1, 2000},
    {"*", "resourceArn", false, 1, 256},
    {"*", "roleArn", false, 1, 256},
    {"*", "definition", false, 1, DEF_MAX},
    {"*", "nextToken", false, 1, 1024},
    {"*", "maxResults", true, 0, 1000},
    {"StartExecution", "input", false, 0, PAYLOAD_MAX},
    {"StartSyncExecution", "input", false, 0, PAYLOAD_MAX},
    {"TestState", "input", false, 0, PAYLOAD_MAX},
    {"StartExecution", "traceHeader", false, 0, 256},
    {"StartSyncExecution", "traceHeader", false, 0, 256},
    {"StopExecution", "error", false, 0, 256},
    {"StopExecution", "cause", false, 0, 32768},
    {"CreateStateMachine", "type", false, 1, 16},
    {"ListExecutions", "statusFilter", false, 1, 16},
    {"TestState", "inspectionLevel", false, 1, 16},
};

bool aslc_limits_check(const char *action, const cJSON *in, aslc_reply *r)
{
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
        const limit *l = &limits[i];
        if (strcmp(l->action, "*") != 0 && strcmp(l->action, action) != 0) continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, l->field);
        if (!v || cJSON_IsNull(v)) continue;
        if (l->number ? !cJSON_IsNumber(v) : !cJSON_IsString(v)) {
            aslc_fail(r, 400, "SerializationException", "'%s' must be a %s", l->field,
                      l->number ? "number" : "string");
            return false;
        }
        if (l->number) {
            if (v->valuedouble < l->min) {
                aslc_fail(r, 400, "ValidationException",
                          "1 validation error detected: Value '%g' at '%s' failed to satisfy "
                          "constraint: Member must have value greater than or equal to %.0f",
                          v->valuedouble, l->field, l->min);
                return false;
            }
            if (v->valuedouble > l->max) {
                aslc_fail(r, 400, "ValidationException",
                          "1 validation error detected: Value '%g' at '%s' failed to satisfy "
                          "constraint: Member must have value less than or equal to %.0f",
                          v->valuedouble, l->field, l->max);
                return false;
            }
            continue;
        }
        size_t n = strlen(v->valuestring);
        if ((double)n < l->min) {
            aslc_fail(r, 400, "ValidationException",
                      "1 validation error detected: Value at '%s' failed to satisfy constraint: "
                      "Member must have length greater than or equal to %.0f", l->field, l->min);
            return false;
        }
        if ((double)n > l->max) {
            aslc_fail(r, 400, "ValidationException",
                      "1 validation error detected: Value at '%s' failed to satisfy constraint: "
                      "Member must have length less than or equal to %.0f", l->field, l->max);
            return false;
        }
    }
    return true;
}
