/*
 * path.h — JSONPath evaluation inside the runtime (runtime/path.c).
 *
 * asl.h exposes what generated code calls (asl_path_select,
 * asl_path_bracket); these are the pieces the rest of the runtime builds on:
 * evaluation against an explicit root, the ResultPath write, the renderings
 * AWS uses in error causes, and the UTF-16 string order that both JSONPath
 * filters and Choice rules compare strings by.
 *
 * Descriptor conventions beyond asl.h's comments (the compiler's
 * jsonpath.c produces them):
 *   - ASL_SEG_DESCEND: key set = "..name"; key NULL and nunion 0 = "..*";
 *     key NULL and nunion 1 = ".." followed by a bracket step other than a
 *     single name or '*' ("..[0]", "..['a','b']", "..[?(...)]"), that step
 *     being members[0].
 *   - ASL_SEG_UNION: members all KEY or all INDEX.
 *   - ASL_SEG_SLICE: step is parsed but ignored, as Jayway (and so AWS)
 *     ignores it.
 *   - asl_path.definite also holds for a path whose last step is a list of
 *     names ($['a','b']): Jayway answers that with one object.
 *   - asl_filter with rtype ASL_NUMBER keeps the constant's text in rstr.
 *   - asl_filter with op AND, OR (n conditions) or NOT (one) has no
 *     operand of its own: lhs[i] are FILTER segments whose .filter are the
 *     conditions, so that a back end lays them out like any relative path.
 */
#ifndef ASL_PATH_H
#define ASL_PATH_H

#include "asl.h"

#include <string.h>

/* Evaluates p against root ($, or the context object for $$ paths).
 * Definite paths: the node, or NULL with *found = false.
 * Indefinite paths: a new array (in a) of every match in Jayway's order,
 * *found = true even when it is empty.  Definite paths allocate nothing
 * (except for a trailing name list, which builds its object). */
asl_value *asl_path_walk(asl_arena *a, asl_value *root, const asl_path *p, bool *found);

/* ResultPath: a new root with val placed at p inside root.  Only the objects
 * and arrays along p are copied (shallowly); everything else is shared.
 * Missing objects along the way are created; an [index] step replaces an
 * existing element.  "$" returns val.  NULL when p cannot be applied (an
 * intermediate value is not an object/array, an index is out of range, a
 * step is not a name or index), with *why (in a) saying which. */
asl_value *asl_path_insert(asl_arena *a, asl_value *root, const asl_path *p, asl_value *val,
                           const char **why);

/* AWS's (Jayway's) rendering of the first nseg steps of p: $['a'][0]['b'].
 * Names are written between single quotes as they are, without escaping. */
char *asl_path_bracket_n(asl_arena *a, const asl_path *p, uint32_t nseg);

/* Why the definite path p selected nothing in root, in Jayway's words (the
 * text AWS puts after "Invalid path '<p>' : "), e.g.
 *   "No results for path: $['a']['b']"   the last step found nothing
 *   "Missing property in path $['a']"    an earlier name is missing
 * NULL when p selects something or is indefinite. */
char *asl_path_miss_reason(asl_arena *a, asl_value *root, const asl_path *p);

/* Java String.compareTo order on UTF-8 text: UTF-16 code units, which for
 * BMP text is code point order, but puts U+10000.. (surrogates D800-DFFF)
 * before U+E000..U+FFFF.  <0, 0, >0. */
static inline int asl_utf16_compare(const char *x, size_t xn, const char *y, size_t yn)
{
    size_t n = xn < yn ? xn : yn, i = 0;
    while (i < n && x[i] == y[i]) i++;
    if (i == n) return xn < yn ? -1 : xn > yn ? 1 : 0;
    /* Back up to the start of the character that differs (the common
     * prefix is whole characters up to there in both strings). */
    while (i > 0 && ((unsigned char)x[i] & 0xC0) == 0x80) i--;
    unsigned char a = (unsigned char)x[i], b = (unsigned char)y[i];
    /* Only a 4-byte sequence (lead F0..F4) against a 3-byte one from
     * U+E000..U+FFFF (lead EE or EF) orders differently from bytes. */
    bool a4 = a >= 0xF0, b4 = b >= 0xF0;
    if (a4 && !b4 && b >= 0xEE && b <= 0xEF) return -1;
    if (b4 && !a4 && a >= 0xEE && a <= 0xEF) return 1;
    while (i < n && x[i] == y[i]) i++;
    if (i == n) return xn < yn ? -1 : xn > yn ? 1 : 0;
    return (unsigned char)x[i] < (unsigned char)y[i] ? -1 : 1;
}

#endif
