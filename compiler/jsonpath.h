/*
 * jsonpath.h — the compile-time JSONPath parser.
 *
 * Turns the text of a path from the definition into the runtime's asl_path
 * descriptor (runtime/asl.h), allocated in the compilation arena.  Paths are
 * never parsed at run time.
 */
#ifndef ASLC_JSONPATH_H
#define ASLC_JSONPATH_H

#include "../runtime/asl.h"

typedef enum {
    ASLC_PATH_PAYLOAD,    /* InputPath, OutputPath, Parameters values, ItemsPath...:
                             wildcards, slices, filters, .. allowed; $ or $$ */
    ASLC_PATH_REFERENCE   /* ResultPath, Choice Variable, *Path fields: only
                             .name, ['name'] and [index]; a single node */
} aslc_path_mode;

/* Whether c may be in a workflow variable's name ($name): the first
 * character (first) a letter or '_', the others also digits; bytes of UTF-8
 * sequences are taken as letters (AWS's rule is Unicode's ID_Start and
 * ID_Continue). */
static inline bool aslc_var_char(char c, bool first)
{
    unsigned char u = (unsigned char)c;
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80 ||
           (!first && u >= '0' && u <= '9');
}

/* Returns NULL on a malformed path, with a one-line message in err and the
 * byte offset of the problem within text in *errpos. */
const asl_path *aslc_path_parse(asl_arena *a, const char *text, aslc_path_mode mode,
                                char *err, size_t errlen, size_t *errpos);
/* The same for the n bytes at text, which may hold a U+0000 (kept in member
 * names; the path's text, for messages, writes it \u0000). */
const asl_path *aslc_path_parse_n(asl_arena *a, const char *text, size_t n, aslc_path_mode mode,
                                  char *err, size_t errlen, size_t *errpos);

#endif
