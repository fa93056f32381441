/*
 * graph.h — `aslc graph`: a state machine drawn as the Step Functions
 * console draws it (graph.c; docs/graph.md).
 */
#ifndef ASLC_GRAPH_H
#define ASLC_GRAPH_H

#include "ir.h"

/* Appends the DOT text of p's graph to out: no positions (Graphviz's dot
 * lays it out), the same bytes for the same definition. */
void aslc_graph_dot(asl_buf *out, const ir_program *p);

/* `aslc graph FILE.json -o OUT.svg|.png|.dot|.html`: argv holds what
 * follows the word graph.  Returns the exit status. */
int aslc_graph_main(int argc, char **argv);

#endif
