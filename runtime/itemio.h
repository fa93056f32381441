/*
 * itemio.h — the text formats a Distributed Map's ItemReader reads
 * (csv.c): CSV records and JSON Lines.  Private to the runtime; the unit
 * tests call them directly (tests/unit/test_itemio.c).
 */
#ifndef ASL_ITEMIO_H
#define ASL_ITEMIO_H

#include "asl_value.h"

/* A CSV reader over text (RFC 4180 with its usual leniencies): fields split
 * by delim, a field that starts with '"' is quoted ("" inside is one ",
 * delimiters and line breaks inside are data, whatever follows the closing
 * quote up to the delimiter is kept), a backslash makes the next character
 * data and is dropped, records end at LF, CRLF or CR.  A UTF-8 byte order
 * mark at the start is skipped, and so are empty lines. */
typedef struct {
    const char *p, *end;
    char delim;
} asl_csv;

void asl_csv_init(asl_csv *c, const char *text, size_t n, char delim);
/* The next record as an array of strings built in a; NULL at the end. */
asl_value *asl_csv_next(asl_csv *c, asl_arena *a);

/* The object of one CSV row: header i -> field i ("" for a missing field,
 * fields beyond the headers dropped), members in the order AWS gives them
 * (that of a java.util.HashMap of the headers). */
asl_value *asl_csv_row(asl_arena *a, const asl_value *headers, const asl_value *fields);

/* JSON Lines: every non-blank line of text one JSON value, into an array
 * built in a.  NULL on a line that is not JSON, with its number in *line
 * and the parser's message in err. */
asl_value *asl_jsonl_parse(asl_arena *a, const char *text, size_t n, uint32_t *line,
                           asl_json_error *err);

/* Parquet (parquet.c): the rows of the Parquet file of n bytes at data, each
 * an object of column name -> value built in a, appended to into until it
 * holds max items.  false with a message in err (naming the column, and
 * what aslc does not read) on a file it cannot read whole. */
bool asl_pq_read(asl_arena *a, const unsigned char *data, size_t n, uint32_t max, asl_value *into,
                 char *err, size_t errlen);

#endif
