/*
 * jsonata_picture_stub.c — stand-in for runtime/jsonata_picture.c (written
 * separately): every picture function fails with D3137 until the real one
 * replaces this file.
 */
#include "jsonata_picture.h"

const char *asl_jn_format_number(asl_arena *a, double v, const char *picture,
                                 const asl_jn_decimal_format *fmt, char **out)
{
    (void)a, (void)v, (void)picture, (void)fmt, (void)out;
    return "D3137";
}
const char *asl_jn_format_integer(asl_arena *a, double v, const char *picture, char **out)
{
    (void)a, (void)v, (void)picture, (void)out;
    return "D3137";
}
const char *asl_jn_parse_integer(const char *s, const char *picture, double *out, int *undefined)
{
    (void)s, (void)picture, (void)out, (void)undefined;
    return "D3137";
}
const char *asl_jn_format_datetime(asl_arena *a, int64_t millis, const char *picture, const char *timezone,
                                   char **out)
{
    (void)a, (void)millis, (void)picture, (void)timezone, (void)out;
    return "D3137";
}
const char *asl_jn_parse_datetime(const char *s, const char *picture, int64_t *millis, int *undefined)
{
    (void)s, (void)picture, (void)millis, (void)undefined;
    return "D3137";
}
