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

/* Appends to c the C source defining asl_report_svg, the SVG that a
 * workflow binary's --report shows (runtime/report.c), its states' node
 * groups marked data-state="NAME"; false (c untouched) when there is no
 * picture: no Graphviz, more than 100 states, or a layout that failed. */
bool aslc_graph_report_source(asl_buf *c, const ir_program *p);

/* `aslc graph FILE.json -o OUT.svg|.png|.dot|.html`: argv holds what
 * follows the word graph.  Returns the exit status. */
int aslc_graph_main(int argc, char **argv);

#endif
