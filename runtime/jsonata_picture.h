/* jsonata_picture.h — JSONata's picture-string functions (XPath F&O 3.1 rules, as jsonata-js 2.0.6).
 * Each returns NULL on success or a JSONata error code ("D3130", ...) on failure;
 * results are allocated in arena a. */
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
