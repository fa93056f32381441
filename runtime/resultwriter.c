/*
 * resultwriter.c — a Distributed Map's ResultWriter (AWS "ResultWriter
 * (Map)"): what becomes of the child executions' results.
 *
 * WriterConfig.Transformation shapes each result: COMPACT is the output
 * alone (the default without an export), FLATTEN the same with array
 * outputs spliced into the list, NONE the child execution's record as
 * DescribeExecution gives it (ExecutionArn, Input, Output, Status, dates,
 * ...; the default of an export).  A failed child (a tolerated failure) is
 * always such a record, with Error and Cause.  Without Resource the
 * shaped results are the state's result.  With Resource s3:putObject they
 * go to the bucket, under PREFIX/MAPRUNID/: SUCCEEDED_0.json and
 * FAILED_0.json (a JSON array each, or JSON Lines with OutputType JSONL;
 * written only when not empty), then manifest.json, which lists them:
 *
 *   {"DestinationBucket": B, "MapRunArn": ARN,
 *    "ResultFiles": {"FAILED": [...], "PENDING": [], "SUCCEEDED": [{"Key": K, "Size": N}]}}
 *
 * and the state's result is {"MapRunArn": ARN, "ResultWriterDetails":
 * {"Bucket": B, "Key": "PREFIX/MAPRUNID/manifest.json"}}.  The Map Run is
 * named as AWS names it: mapRun:MACHINE/LABEL:UUID (LABEL: the Map's Label,
 * else eight hex digits), its children execution:MACHINE/LABEL:UUID.
 * Every child reports the Map Run's start and end as its own: the
 * iterations' own times are not kept.
 */
#include "mapio.h"

#include <stdio.h>
#include <string.h>

#define ACCOUNT "arn:aws:states:us-east-1:123456789012:"

typedef struct {
    asl_exec *x;
    asl_arena *a;
    const char *machine;       /* MACHINE/LABEL */
    const char *started, *stopped;
} run_info;

static const char *str_member(const asl_value *o, const char *k)
{
    const asl_value *v = o && o->type == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

static void put_str(asl_arena *a, asl_value *o, const char *k, const char *v)
{
    asl_object_append(a, o, k, strlen(k), asl_cstring(a, v));
}

/* The record of child i (transformation NONE). */
static asl_value *child_record(const run_info *ri, const asl_map_trace *t, uint32_t i, asl_value *result)
{
    asl_arena *a = ri->a;
    char name[37];
    if (!asl_uuid4(name)) snprintf(name, sizeof name, "%08x-0000-4000-8000-000000000000", i);
    bool failed = t->failed[i];
    asl_value *o = asl_object(a, 16);
    put_str(a, o, "ExecutionArn", asl_sprintf(a, ACCOUNT "execution:%s:%s", ri->machine, name));
    if (failed) {
        put_str(a, o, "Error", str_member(result, "Error") ? str_member(result, "Error") : "");
        if (str_member(result, "Cause")) put_str(a, o, "Cause", str_member(result, "Cause"));
    }
    put_str(a, o, "Input", t->inputs[i] ? asl_json_string(a, t->inputs[i], NULL) : "null");
    asl_value *incl = asl_object(a, 1);
    asl_object_append(a, incl, "Included", 8, asl_bool(true));
    asl_object_append(a, o, "InputDetails", 12, incl);
    put_str(a, o, "Name", name);
    if (!failed) {
        put_str(a, o, "Output", asl_json_string(a, result, NULL));
        asl_object_append(a, o, "OutputDetails", 13, incl);
    }
    asl_object_append(a, o, "RedriveCount", 12, asl_number_int(a, 0));
    put_str(a, o, "RedriveStatus", failed ? "REDRIVABLE_BY_MAP_RUN" : "NOT_REDRIVABLE");
    if (!failed) put_str(a, o, "RedriveStatusReason", "Execution is SUCCEEDED and cannot be redriven.");
    put_str(a, o, "StartDate", ri->started);
    put_str(a, o, "StateMachineArn", asl_sprintf(a, ACCOUNT "stateMachine:%s", ri->machine));
    put_str(a, o, "Status", failed ? "FAILED" : "SUCCEEDED");
    put_str(a, o, "StopDate", ri->stopped);
    return o;
}

/* Appends the shaped result i to ok or bad (by its status). */
static void shape(const run_info *ri, const asl_map_trace *t, uint32_t i, asl_value *result,
                  const char *how, asl_value *ok, asl_value *bad)
{
    asl_arena *a = ri->a;
    if (t->failed[i]) {
        asl_array_push(a, bad, child_record(ri, t, i, result));
    } else if (!strcmp(how, "NONE")) {
        asl_array_push(a, ok, child_record(ri, t, i, result));
    } else if (!strcmp(how, "FLATTEN") && result->type == ASL_ARRAY) {
        for (uint32_t k = 0; k < result->len; k++) asl_array_push(a, ok, result->u.a.items[k]);
    } else {
        asl_array_push(a, ok, result);
    }
}

/* Writes list under key as JSON or JSON Lines; adds {"Key", "Size"} to files. */
static bool write_file(const run_info *ri, const asl_bucket *b, const char *key, const asl_value *list,
                       bool jsonl, asl_value *files)
{
    asl_buf out;
    asl_buf_init(&out);
    if (!jsonl) {
        asl_json_write(&out, list);
    } else {
        for (uint32_t i = 0; i < list->len; i++) {
            asl_json_write(&out, list->u.a.items[i]);
            asl_buf_putc(&out, '\n');
        }
    }
    char err[1024];
    bool ok = b->ops->put(b, key, out.data ? out.data : "", out.len, err, sizeof err);
    if (!ok) asl_fail(ri->x, "States.ResultWriterFailed", err);
    if (ok && files) {
        asl_value *f = asl_object(ri->a, 2);
        put_str(ri->a, f, "Key", key);
        asl_object_append(ri->a, f, "Size", 4, asl_number_int(ri->a, (double)out.len));
        asl_array_push(ri->a, files, f);
    }
    asl_buf_free(&out);
    return ok;
}

asl_value *asl_results_write(asl_exec *x, const asl_value *writer, asl_value *results,
                             const asl_map_trace *t, const char *started)
{
    asl_arena *a = asl_exec_arena(x);
    const asl_value *cfg = asl_object_get(writer, "WriterConfig", 12);
    const asl_value *params = asl_object_get(writer, "Parameters", 10);
    bool export = str_member(writer, "Resource") != NULL;
    const char *how = str_member(cfg, "Transformation");
    if (!how) how = export ? "NONE" : "COMPACT";
    const char *otype = str_member(cfg, "OutputType");
    bool jsonl = otype && !strcmp(otype, "JSONL");

    run_info ri = {x, a, NULL, started, NULL};
    char stopped[40], label[37];
    asl_now_iso(stopped);
    ri.stopped = stopped;
    const char *lab = str_member(writer, "Label");
    if (!lab) {
        if (!asl_uuid4(label)) snprintf(label, sizeof label, "00000000");
        label[8] = 0;
        lab = label;
    }
    ri.machine = asl_sprintf(a, "%s/%s", x->run->prog->name, lab);

    asl_value *ok = asl_array(a, results->len), *bad = asl_array(a, 0);
    for (uint32_t i = 0; i < results->len; i++) shape(&ri, t, i, results->u.a.items[i], how, ok, bad);
    if (!export) {
        for (uint32_t i = 0; i < bad->len; i++) asl_array_push(a, ok, bad->u.a.items[i]);
        return ok;
    }

    const char *bucket = str_member(params, "Bucket");
    const asl_value *pv = params && params->type == ASL_OBJECT ? asl_object_get(params, "Prefix", 6) : NULL;
    if (!bucket || (pv && pv->type != ASL_STRING))
        return asl_fail(x, "States.ResultWriterFailed",
                        "The ResultWriter's Parameters need a string \"Bucket\" (and \"Prefix\", when "
                        "given, a string).");
    const char *prefix = pv ? pv->u.str : "";
    asl_bucket b;
    char err[1024], run_id[37];
    if (!asl_bucket_open(x, bucket, &b, err, sizeof err))
        return asl_fail(x, "States.ResultWriterFailed", err);
    if (!asl_uuid4(run_id)) snprintf(run_id, sizeof run_id, "00000000-0000-4000-8000-000000000000");
    const char *arn = asl_sprintf(a, ACCOUNT "mapRun:%s:%s", ri.machine, run_id);
    const char *dir = asl_sprintf(a, "%s%s%s/", prefix, *prefix ? "/" : "", run_id);

    asl_value *files_ok = asl_array(a, 1), *files_bad = asl_array(a, 1);
    if (ok->len && !write_file(&ri, &b, asl_sprintf(a, "%sSUCCEEDED_0.json", dir), ok, jsonl, files_ok))
        return NULL;
    if (bad->len && !write_file(&ri, &b, asl_sprintf(a, "%sFAILED_0.json", dir), bad, jsonl, files_bad))
        return NULL;
    asl_value *rf = asl_object(a, 3);
    asl_object_append(a, rf, "FAILED", 6, files_bad);
    asl_object_append(a, rf, "PENDING", 7, asl_array(a, 0));
    asl_object_append(a, rf, "SUCCEEDED", 9, files_ok);
    asl_value *manifest = asl_object(a, 3);
    put_str(a, manifest, "DestinationBucket", bucket);
    put_str(a, manifest, "MapRunArn", arn);
    asl_object_append(a, manifest, "ResultFiles", 11, rf);
    const char *mkey = asl_sprintf(a, "%smanifest.json", dir);
    asl_buf out;
    asl_buf_init(&out);
    asl_json_write(&out, manifest);
    bool wrote = b.ops->put(&b, mkey, out.data, out.len, err, sizeof err);
    asl_buf_free(&out);
    if (!wrote) return asl_fail(x, "States.ResultWriterFailed", err);

    asl_value *details = asl_object(a, 2);
    put_str(a, details, "Bucket", bucket);
    put_str(a, details, "Key", mkey);
    asl_value *r = asl_object(a, 2);
    put_str(a, r, "MapRunArn", arn);
    asl_object_append(a, r, "ResultWriterDetails", 19, details);
    return r;
}
