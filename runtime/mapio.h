/*
 * mapio.h — the two halves of a Distributed Map's I/O behind asl_map_io
 * (mapio.c): reading its items (itemreader.c) and writing its results
 * (resultwriter.c).  Private to the runtime.
 */
#ifndef ASL_MAPIO_H
#define ASL_MAPIO_H

#include "bucket.h"

/* The items that reader (the ItemReader object, its paths resolved) names,
 * in x's arena; NULL with x failed (States.ItemReaderFailed, or
 * States.Runtime for a MaxItemsPath that is not an integer).  *sources:
 * where they came from, for $$.Map.Item.Source: "s3://BUCKET" for a
 * listing's, else an array of "s3://BUCKET/KEY", one per item. */
asl_value *asl_items_read(asl_exec *x, const asl_value *reader, asl_value **sources);

/* The Map state's result from its results (one per unit, tolerated
 * failures as {Error, Cause}) as writer (the ResultWriter object) says:
 * the transformed results, or, exported to S3, {"MapRunArn",
 * "ResultWriterDetails"}.  started: when the Map Run started (ISO 8601).
 * NULL with x failed (States.ResultWriterFailed). */
asl_value *asl_results_write(asl_exec *x, const asl_value *writer, asl_value *results,
                             const asl_map_trace *t, const char *started);

#endif
