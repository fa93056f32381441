/*
 * mapio.c — a Distributed Map that reads its items with an ItemReader or
 * writes its results with a ResultWriter: the one entry point generated
 * code calls for such a Map instead of asl_map.  The reader and writer
 * fields arrive as values (the compiler made templates of them, so their
 * paths are already resolved against the state's effective input); the
 * iterations themselves are asl_map's (fanout.c).
 *
 * This file, and the I/O behind it, is linked into a workflow only when it
 * has such a Map: the others do not pay for it.
 */
#include "mapio.h"

asl_value *asl_map_io(asl_exec *x, asl_value *state_input, asl_value *items, const asl_map_info *m)
{
    if (m->reader) {
        asl_value *r = m->reader(x, state_input), *sources = NULL;
        if (!r || !(items = asl_items_read(x, r, &sources))) return NULL;
        /* $$.Map.Item.Source: a string for every item, or one array item each */
        x->map_sources = sources;
    }
    if (!m->writer) return asl_map(x, state_input, items, m);
    char started[40];
    asl_now_iso(started);
    asl_map_trace t;
    asl_value *results = asl_map_traced(x, state_input, items, m, &t);
    if (!results) return NULL;
    asl_value *w = m->writer(x, state_input);
    return w ? asl_results_write(x, w, results, &t, started) : NULL;
}
