/* jsonata_picture.h — JSONata's picture-string functions (XPath F&O 3.1 rules, as jsonata-js 2.0.6).
 * Each returns NULL on success or a JSONata error code ("D3130", ...) on failure;
 * results are allocated in arena a. */
#ifndef JSONATA_PICTURE_H
#define JSONATA_PICTURE_H
#include "asl_value.h"
typedef struct { const char *decimal_separator, *grouping_separator, *exponent_separator,
    *minus_sign, *infinity, *nan, *percent, *per_mille, *zero_digit, *digit, *pattern_separator; }
    asl_jn_decimal_format;   /* NULL members mean the default */
const char *asl_jn_format_number(asl_arena *a, double v, const char *picture,
                                 const asl_jn_decimal_format *fmt, char **out);
const char *asl_jn_format_integer(asl_arena *a, double v, const char *picture, char **out);
const char *asl_jn_parse_integer(const char *s, const char *picture, double *out, int *undefined);
const char *asl_jn_format_datetime(asl_arena *a, int64_t millis, const char *picture /* NULL: ISO 8601 */,
                                   const char *timezone /* NULL: UTC; "+hhmm" */, char **out);
const char *asl_jn_parse_datetime(const char *s, const char *picture /* NULL: ISO 8601 */,
                                  int64_t *millis, int *undefined);

/* ---- notes and additions ---------------------------------------------------
 * Where jsonata-js 2.0.6 and the 2.2.2 of the shared test suite differ, these
 * follow 2.2.2's fixes (they are bug fixes: $formatNumber's exponent loop that
 * never ended on 0 and negative numbers, $toMillis pictures of adjacent
 * numbers such as [Y0001][M01][D01], and [f] read as a fraction).
 *
 * Results the reference gives as NaN (a number that does not parse, an
 * invalid date): asl_jn_parse_integer sets *out to NaN (its JSON is null),
 * asl_jn_parse_datetime sets *undefined, as an int64_t cannot hold NaN.
 * Strings are UTF-8; the reference counts UTF-16 code units, these count
 * code points, which differ only outside the Basic Multilingual Plane.
 * JSONata's undefined: a NULL text parses to *undefined set; a NULL
 * picture where the function's signature wants one is T0410.  Errors the
 * reference raises without a code (JavaScript running out of stack or of
 * string length) are U1001 and D1001 here. */

/* asl_jn_parse_datetime with the evaluation's $now (milliseconds since the
 * epoch): a picture that leaves out the date or the year takes it from now,
 * as the reference does.  asl_jn_parse_datetime reads the clock. */
const char *asl_jn_parse_datetime_at(const char *s, const char *picture, int64_t now_millis,
                                     int64_t *millis, int *undefined);

/* A double the reference formats as $fromMillis does: millis is truncated
 * towards zero, and outside +-8.64e15 the date is invalid (its fields print
 * as NaN, as the reference's do). */
const char *asl_jn_format_datetime_d(asl_arena *a, double millis, const char *picture,
                                     const char *timezone, char **out);
#endif
