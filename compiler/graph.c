/*
 * graph.c — `aslc graph`: a state machine drawn as the Step Functions
 * console draws it.
 *
 * It works from the IR, after the whole front end, so that the picture is
 * of exactly what aslc compiles: a definition aslc refuses gets the
 * diagnostics of `aslc check` and no picture.  The IR becomes a DOT graph:
 *
 *   - a Start and an End pill per machine (the top level, each Parallel
 *     branch, each Map processor);
 *   - a rounded box per state, its name over its type, coloured by type
 *     (Fail red, Succeed green, Choice orange, ...), its Retry rules noted
 *     under the type;
 *   - an edge per transition: Next and End solid, a Choice rule's edge
 *     labelled with the rule in readable form ($.type == "Private",
 *     not(...), and/or), Default dashed grey, Catch dashed red and
 *     labelled with the error names;
 *   - a Parallel or Map state as a dashed box (a Graphviz cluster) holding
 *     its header box, one cluster per branch or processor with its own
 *     Start and End, and a join point that its outgoing edges leave from.
 *
 * The DOT text is written here rather than built through cgraph's API so
 * that it exists without Graphviz (a .dot is always written) and is the
 * same bytes for the same definition (tests/graph/ compares it with golden
 * files): node ids come from state indices, everything is written in
 * definition order, labels are HTML-like (no backslash escapes to mind).
 * With Graphviz (libgraphviz-dev), cgraph reads that text back and gvc lays
 * it out with dot and renders SVG or PNG, in a child process that may crash
 * or run too long without taking aslc with it (gv_draw); .html is one page
 * with the SVG inline.  docs/graph.md shows the result.
 *
 * The output is written under a temporary name in its directory and renamed
 * (graph_write); a target that exists and is not a regular file, or is the
 * definition itself, is refused.  main.c's -o handling may grow the same
 * rules: the two can then share one helper.
 */
#define _GNU_SOURCE
#include "graph.h"
#include "aslc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef ASLC_HAVE_GRAPHVIZ
#include <graphviz/gvc.h>
#endif

/* ---- text -------------------------------------------------------------------- */

/* Labels longer than this many characters are cut, with an ellipsis: a
 * long rule would otherwise stretch the whole picture. */
#define LABEL_MAX 72

/* Text s (n bytes of UTF-8) for an HTML-like label: markup escaped, control
 * characters shown as \uXXXX (they are not valid in SVG's XML), at most max
 * characters.  Graphviz reads \N as the node's id (and \G, \E, \H, \T, \L
 * as others) even in an HTML-like label, entity or not: an invisible word
 * joiner after the backslash keeps such a pair as written. */
static void put_html(asl_buf *b, const char *s, size_t n, size_t max)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xc0) != 0x80 && ++chars > max) {
            asl_buf_puts(b, "\xe2\x80\xa6");   /* … */
            return;
        }
        switch (c) {
        case '&': asl_buf_puts(b, "&amp;"); break;
        case '<': asl_buf_puts(b, "&lt;"); break;
        case '>': asl_buf_puts(b, "&gt;"); break;
        case '"': asl_buf_puts(b, "&quot;"); break;
        case '\\':
            asl_buf_putc(b, '\\');
            if (i + 1 < n && strchr("GNEHTL", s[i + 1]) && s[i + 1])
                asl_buf_puts(b, "\xe2\x81\xa0");   /* U+2060 WORD JOINER: not \N */
            break;
        default:
            if (c < 0x20 || c == 0x7f) asl_buf_printf(b, "\\u%04x", c);
            else asl_buf_putc(b, (char)c);
        }
    }
}

static void put_html_s(asl_buf *b, const char *s, size_t max)
{
    put_html(b, s, strlen(s), max);
}

/* A string literal of a rule as JSON writes it: "a \"b\"". */
static void put_quoted(asl_buf *b, const char *s, size_t n)
{
    asl_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            asl_buf_putc(b, '\\');
            asl_buf_putc(b, (char)c);
        } else if (c < 0x20) {
            asl_buf_printf(b, "\\u%04x", c);
        } else {
            asl_buf_putc(b, (char)c);
        }
    }
    asl_buf_putc(b, '"');
}

/* The shortest decimal that reads back as d. */
static void put_number(asl_buf *b, double d)
{
    char s[40];
    snprintf(s, sizeof s, "%.15g", d);
    if (strtod(s, NULL) != d) snprintf(s, sizeof s, "%.17g", d);
    asl_buf_puts(b, s);
}

/* ---- Choice rules in readable form ---------------------------------------------- */

static const struct {
    const char *name;        /* the ASL field */
    const char *operand;     /* choice_ops.def's operand kind, one letter */
} op_info[] = {
#define X(id, name, operand) [IR_OP_##id] = {name, #operand},
#include "choice_ops.def"
#undef X
};

/* The comparison an operator name says, from the table's names alone. */
static const char *op_symbol(const char *name)
{
    if (strstr(name, "LessThanEquals")) return "<=";
    if (strstr(name, "GreaterThanEquals")) return ">=";
    if (strstr(name, "LessThan")) return "<";
    if (strstr(name, "GreaterThan")) return ">";
    if (strstr(name, "Matches")) return "matches";
    return "==";
}

/* $.type == "Private", $.n >= 3, $.a < $.b, $.x is not null,
 * not(...), a and (b or c).  nested: an And/Or inside another rule, which
 * is bracketed. */
static void rule_text(asl_buf *b, const ir_rule *r, bool nested)
{
    if (r->op == IR_OP_NOT) {
        asl_buf_puts(b, "not(");
        if (r->n) rule_text(b, r->kids[0], false);
        asl_buf_putc(b, ')');
        return;
    }
    if (r->op == IR_OP_AND || r->op == IR_OP_OR) {
        if (nested) asl_buf_putc(b, '(');
        for (uint32_t i = 0; i < r->n; i++) {
            if (i) asl_buf_puts(b, r->op == IR_OP_AND ? " and " : " or ");
            rule_text(b, r->kids[i], true);
        }
        if (nested) asl_buf_putc(b, ')');
        return;
    }
    const char *name = op_info[r->op].name;
    asl_buf_puts(b, r->var ? r->var->text : "$");
    switch (op_info[r->op].operand[0]) {
    case 'U':   /* IsNull, IsPresent, ...: "is [not] null" */
        asl_buf_puts(b, r->b ? " is " : " is not ");
        for (const char *c = name + 2; *c; c++)
            asl_buf_putc(b, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
        return;
    default:
        break;
    }
    asl_buf_printf(b, " %s ", op_symbol(name));
    switch (op_info[r->op].operand[0]) {
    case 'P': asl_buf_puts(b, r->opath ? r->opath->text : "$"); break;
    case 'S':
    case 'M': put_quoted(b, r->str ? r->str : "", r->slen); break;
    case 'N': put_number(b, r->num); break;
    case 'B': asl_buf_puts(b, r->b ? "true" : "false"); break;
    case 'T': asl_buf_puts(b, r->str ? r->str : ""); break;   /* unquoted: not a string */
    }
}

/* ---- styles ---------------------------------------------------------------------- */

/* Per state type, as the console tells them apart. */
static const struct {
    const char *fill, *border;
} type_style[IR__NTYPES] = {
    [IR_PASS] = {"#f2f3f3", "#7d8998"},
    [IR_TASK] = {"#f0f6fd", "#0972d3"},
    [IR_CHOICE] = {"#fff6e9", "#e07941"},
    [IR_WAIT] = {"#f6f2fd", "#7c4fd6"},
    [IR_SUCCEED] = {"#effaf0", "#037f0c"},
    [IR_FAIL] = {"#fff1f1", "#d91515"},
    [IR_PARALLEL] = {"#eef4fb", "#0972d3"},
    [IR_MAP] = {"#edf8f6", "#067f68"},
};

#define PILL "shape=box, style=\"rounded,filled\", fillcolor=\"#232f3e\", color=\"#232f3e\", " \
             "fontcolor=\"#ffffff\", fontsize=10, width=0.7, height=0.3, margin=\"0.1,0.02\""
#define CATCH_COLOR "#d91515"
#define DEFAULT_COLOR "#7d8998"
#define NOTE_COLOR "#5f6b7a"

/* ---- the graph ------------------------------------------------------------------ */

typedef struct {
    asl_buf *out;            /* nodes and clusters, nested */
    asl_buf edges;           /* every edge, written after all nodes (an edge written inside
                                a cluster would pull its nodes into it) */
    const char *elabel;      /* "label", or "xlabel" for a big graph (BIG_GRAPH) */
} writer;

/* Past this many states, dot is given a budget and edge labels are placed
 * after the layout (xlabel) instead of as nodes of it.  Labels as nodes
 * make the nicest small pictures, but on a few hundred states dot takes
 * many minutes over them, and crashes on some (a long chain with Choice
 * edges back up it); the budget (nslimit) alone cuts the time tenfold. */
#define BIG_GRAPH 100

static bool composite(const ir_state *s)
{
    return s->type == IR_PARALLEL || s->type == IR_MAP;
}

/* The id prefix of a machine's own nodes: "" at top level, "s4_b1_" for
 * the second branch of state 4. */
static void scope_prefix(char *buf, size_t n, const ir_machine *m)
{
    if (m->owner) snprintf(buf, n, "s%u_b%u_", m->owner->index, m->index);
    else buf[0] = 0;
}

/* An edge from node id from into state t, with attrs (or none): into a
 * Parallel/Map it ends at its dashed box's border (lhead), except from
 * inside that box (a Catch back to itself), where dot would ignore it. */
static void edge(writer *w, const char *from, const ir_state *t, const ir_state *from_state,
                 const char *attrs)
{
    asl_buf_printf(&w->edges, "  %s -> s%u", from, t->index);
    bool lhead = composite(t) && t != from_state;
    if (lhead || (attrs && *attrs)) {
        asl_buf_puts(&w->edges, " [");
        if (lhead) asl_buf_printf(&w->edges, "lhead=cluster_s%u%s", t->index, attrs && *attrs ? ", " : "");
        if (attrs) asl_buf_puts(&w->edges, attrs);
        asl_buf_putc(&w->edges, ']');
    }
    asl_buf_puts(&w->edges, ";\n");
}

/* The short form of a Task's resource: a Lambda function's name, a service
 * integration's "service:action", or the ARN's last field. */
static void resource_short(asl_buf *b, const char *res)
{
    const char *f = strstr(res, ":function:");
    if (!strncmp(res, "arn:aws:lambda:", 15) && f) {
        f += 10;
        const char *colon = strchr(f, ':');
        asl_buf_puts(b, "Lambda ");
        put_html(b, f, colon ? (size_t)(colon - f) : strlen(f), 40);
    } else if (!strncmp(res, "arn:aws:states:::", 17)) {
        put_html_s(b, res + 17, 40);
    } else {
        const char *last = strrchr(res, ':');
        put_html_s(b, last && last[1] ? last + 1 : res, 40);
    }
}

/* The second line of a box: the type, and what the state does in brief. */
static void type_line(asl_buf *b, const ir_state *s)
{
    asl_buf_puts(b, ir_state_type_name(s->type));
    const char *sep = " \xc2\xb7 ";   /* · */
    switch (s->type) {
    case IR_TASK:
        if (s->resource) {
            asl_buf_puts(b, sep);
            resource_short(b, s->resource);
        }
        break;
    case IR_WAIT:
        asl_buf_puts(b, sep);
        if (s->has_seconds) {
            put_number(b, s->seconds);
            asl_buf_puts(b, " s");
        } else if (s->timestamp) {
            asl_buf_puts(b, "until ");
            put_html_s(b, s->timestamp, 40);
        } else if (s->seconds_path) {
            put_html_s(b, s->seconds_path->text, 40);
            asl_buf_puts(b, " s");
        } else if (s->timestamp_path) {
            asl_buf_puts(b, "until ");
            put_html_s(b, s->timestamp_path->text, 40);
        }
        break;
    case IR_FAIL:
        if (s->error || s->error_path) {
            asl_buf_puts(b, sep);
            put_html_s(b, s->error ? s->error : s->error_path->text, 40);
        }
        break;
    case IR_PARALLEL:
        asl_buf_printf(b, "%s%u branch%s", sep, s->nbranches, s->nbranches == 1 ? "" : "es");
        break;
    case IR_MAP:
        if (s->distributed) asl_buf_printf(b, "%sdistributed", sep);
        if (s->items_path) {
            asl_buf_puts(b, sep);
            put_html_s(b, s->items_path->text, 40);
        }
        break;
    default:
        break;
    }
}

/* The list of error names of a Retry or Catch rule. */
static void error_list(asl_buf *b, const char *const *errors, uint32_t n)
{
    asl_buf t;
    asl_buf_init(&t);
    for (uint32_t i = 0; i < n; i++) {
        if (i) asl_buf_puts(&t, ", ");
        asl_buf_puts(&t, errors[i]);
    }
    put_html(b, t.data, t.len, LABEL_MAX - 12);
    asl_buf_free(&t);
}

/* <b>Name</b>, the type line, then one line per Retry rule. */
static void state_label(asl_buf *b, const ir_state *s)
{
    asl_buf_puts(b, "label=<<b>");
    put_html_s(b, s->name, 80);
    asl_buf_printf(b, "</b><br/><font point-size=\"9\" color=\"%s\">", NOTE_COLOR);
    type_line(b, s);
    asl_buf_puts(b, "</font>");
    for (uint32_t i = 0; i < s->nretry; i++) {
        const ir_retrier *r = &s->retry[i];
        asl_buf_printf(b, "<br/><font point-size=\"9\" color=\"%s\">Retry ", NOTE_COLOR);
        error_list(b, r->errors, r->nerrors);
        asl_buf_printf(b, " (max %d)</font>", (int)r->max_attempts);
    }
    asl_buf_puts(b, ">");
}

static void indent(asl_buf *b, int depth)
{
    for (int i = 0; i < depth; i++) asl_buf_puts(b, "  ");
}

static void write_machine(writer *w, const ir_machine *m, int depth);

/* The node (or cluster) of one state, and the edges that leave it. */
static void write_state(writer *w, const ir_state *s, int depth, const char *end_id)
{
    asl_buf *b = w->out;
    char out[48];
    indent(b, depth);
    if (!composite(s)) {
        asl_buf_printf(b, "s%u [fillcolor=\"%s\", color=\"%s\", ", s->index, type_style[s->type].fill,
             type_style[s->type].border);
        state_label(b, s);
        asl_buf_puts(b, "];\n");
        snprintf(out, sizeof out, "s%u", s->index);
    } else {
        asl_buf_printf(b, "subgraph cluster_s%u {\n", s->index);
        indent(b, depth + 1);
        asl_buf_printf(b, "style=\"rounded,dashed\"; color=\"%s\"; bgcolor=\"%s\"; penwidth=1.5; label=\"\";\n",
             type_style[s->type].border, type_style[s->type].fill);
        indent(b, depth + 1);
        asl_buf_printf(b, "s%u [fillcolor=\"#ffffff\", color=\"%s\", ", s->index, type_style[s->type].border);
        state_label(b, s);
        asl_buf_puts(b, "];\n");
        uint32_t n = s->type == IR_PARALLEL ? s->nbranches : (s->processor ? 1 : 0);
        for (uint32_t k = 0; k < n; k++) {
            const ir_machine *m = s->type == IR_PARALLEL ? s->branches[k] : s->processor;
            char p[48];
            scope_prefix(p, sizeof p, m);
            indent(b, depth + 1);
            asl_buf_printf(b, "subgraph cluster_%s {\n", p);
            indent(b, depth + 2);
            asl_buf_printf(b, "style=\"rounded\"; color=\"#aab7b8\"; bgcolor=\"#ffffff\"; penwidth=1; "
                    "fontsize=9; fontcolor=\"%s\"; label=<", NOTE_COLOR);
            if (s->type == IR_PARALLEL) asl_buf_printf(b, "Branch %u", k + 1);
            else asl_buf_puts(b, "Item processor");
            asl_buf_puts(b, ">;\n");
            write_machine(w, m, depth + 2);
            indent(b, depth + 1);
            asl_buf_puts(b, "}\n");
            asl_buf_printf(&w->edges, "  s%u -> %sstart;\n", s->index, p);
            asl_buf_printf(&w->edges, "  %send -> s%u_join;\n", p, s->index);
        }
        indent(b, depth + 1);
        asl_buf_printf(b, "s%u_join [shape=point, width=0.08, color=\"%s\", label=\"\"];\n", s->index,
             type_style[s->type].border);
        indent(b, depth);
        asl_buf_puts(b, "}\n");
        snprintf(out, sizeof out, "s%u_join", s->index);
    }

    /* Transitions: Next, End (and Succeed/Fail) to the machine's End. */
    if (s->target) edge(w, out, s->target, s, NULL);
    else if (s->end || s->type == IR_SUCCEED || s->type == IR_FAIL)
        asl_buf_printf(&w->edges, "  %s -> %s;\n", out, end_id);
    asl_buf attrs;
    asl_buf_init(&attrs);
    for (uint32_t i = 0; i < s->nchoices; i++) {
        const ir_rule *r = s->choices[i];
        if (!r->target) continue;
        asl_buf t;
        asl_buf_init(&t);
        rule_text(&t, r, false);
        attrs.len = 0;
        asl_buf_printf(&attrs, "%s=<", w->elabel);
        put_html(&attrs, t.data, t.len, LABEL_MAX);
        asl_buf_puts(&attrs, ">");
        asl_buf_putc(&attrs, 0);
        edge(w, out, r->target, s, attrs.data);
        asl_buf_free(&t);
    }
    if (s->default_target) {
        attrs.len = 0;
        asl_buf_printf(&attrs, "style=dashed, color=\"%s\", fontcolor=\"%s\", %s=<Default>", DEFAULT_COLOR,
             DEFAULT_COLOR, w->elabel);
        asl_buf_putc(&attrs, 0);
        edge(w, out, s->default_target, s, attrs.data);
    }
    for (uint32_t i = 0; i < s->ncatch; i++) {
        const ir_catcher *c = &s->catch_[i];
        if (!c->target) continue;
        attrs.len = 0;
        asl_buf_printf(&attrs, "style=dashed, color=\"%s\", fontcolor=\"%s\", %s=<Catch ", CATCH_COLOR,
             CATCH_COLOR, w->elabel);
        error_list(&attrs, c->errors, c->nerrors);
        asl_buf_puts(&attrs, ">");
        asl_buf_putc(&attrs, 0);
        edge(w, out, c->target, s, attrs.data);
    }
    asl_buf_free(&attrs);
}

/* A machine's Start, its states, its End. */
static void write_machine(writer *w, const ir_machine *m, int depth)
{
    char p[48], end_id[64];
    scope_prefix(p, sizeof p, m);
    snprintf(end_id, sizeof end_id, "%send", p);
    indent(w->out, depth);
    asl_buf_printf(w->out, "%sstart [label=\"Start\", %s];\n", p, PILL);
    if (m->start) {
        char from[64];
        snprintf(from, sizeof from, "%sstart", p);
        edge(w, from, m->start, NULL, NULL);
    }
    for (uint32_t i = 0; i < m->nstates; i++) write_state(w, m->states[i], depth, end_id);
    indent(w->out, depth);
    asl_buf_printf(w->out, "%s [label=\"End\", %s];\n", end_id, PILL);
}

void aslc_graph_dot(asl_buf *out, const ir_program *p)
{
    bool big = p->nall > BIG_GRAPH;
    writer w = {out, {0}, big ? "xlabel" : "label"};
    asl_buf_init(&w.edges);
    /* The graph's name is an id of the machine's name's safe characters: it
     * is only the SVG's title. */
    asl_buf_puts(out, "digraph \"");
    for (const char *c = p->name ? p->name : "workflow"; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                  *c == '_' || *c == '-' || *c == '.';
        asl_buf_putc(out, ok ? *c : '_');
    }
    asl_buf_puts(out, "\" {\n"
                      "  graph [rankdir=TB, compound=true, newrank=true, nodesep=0.35, ranksep=0.45, "
                      "pad=0.3, bgcolor=\"#ffffff\", fontname=\"Helvetica\"];\n"
                      "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
                      "fontsize=11, fontcolor=\"#16191f\", penwidth=1.2, margin=\"0.2,0.06\"];\n"
                      "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#545b64\", "
                      "fontcolor=\"#545b64\", arrowsize=0.7];\n");
    if (big) asl_buf_puts(out, "  graph [nslimit=2, nslimit1=2, mclimit=0.5];\n");
    write_machine(&w, p->top, 1);
    asl_buf_put(out, w.edges.data, w.edges.len);
    asl_buf_puts(out, "}\n");
    asl_buf_free(&w.edges);
}

/* ---- rendering -------------------------------------------------------------------- */

typedef enum { OUT_DOT, OUT_SVG, OUT_PNG, OUT_HTML, OUT_UNKNOWN } out_kind;

static out_kind kind_of(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base + 1 : path, '.');
    if (!dot) return OUT_UNKNOWN;
    if (!strcasecmp(dot, ".dot") || !strcasecmp(dot, ".gv")) return OUT_DOT;
    if (!strcasecmp(dot, ".svg")) return OUT_SVG;
    if (!strcasecmp(dot, ".png")) return OUT_PNG;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm")) return OUT_HTML;
    return OUT_UNKNOWN;
}

#ifdef ASLC_HAVE_GRAPHVIZ
/* Graphviz reports through a callback that takes no context; it runs once
 * per process (the child of gv_draw), so its messages are kept here. */
static asl_buf gv_messages;

static int gv_message(char *msg)
{
    asl_buf_puts(&gv_messages, msg);
    return 0;
}

/* dot text -> laid out with dot -> rendered in format, appended to out;
 * false with gv_messages saying why.  A PNG is drawn at 144 dpi (Graphviz's
 * 96 looks blurred on today's screens), through cairo when Graphviz has it. */
static bool gv_render(const char *dot, const char *format, asl_buf *out)
{
    agseterr(AGERR);       /* warnings (an lhead dot ignores) are not the user's business */
    agseterrf(gv_message);
    GVC_t *gvc = gvContext();
    Agraph_t *g = agmemread(dot);
    bool ok = false;
    if (g && !strcmp(format, "png")) agattr(g, AGRAPH, "dpi", "144");
    if (g && gvLayout(gvc, g, "dot") == 0) {
        for (int pass = 0; pass < 2 && !ok; pass++) {
            const char *f = pass == 0 && !strcmp(format, "png") ? "png:cairo" : format;
            char *data = NULL;
            unsigned int n = 0;
            if (gvRenderData(gvc, g, f, &data, &n) == 0 && data && n) {
                asl_buf_put(out, data, n);
                ok = true;
            }
            if (data) gvFreeRenderData(data);
        }
        gvFreeLayout(gvc, g);
    }
    if (g) agclose(g);
    gvFreeContext(gvc);
    if (!ok && !gv_messages.len) asl_buf_puts(&gv_messages, "no message from Graphviz");
    return ok;
}

/* gv_render in a child process, its result read back through a pipe.
 * Graphviz's dot has long-standing crashes on some graphs (in its ranking
 * and cluster code; a long chain with many Choice edges back up it is
 * enough): there they end the child, and aslc reports them as an error of
 * its own instead of dying; and a layout that would take too long is
 * stopped (GV_CPU_SECONDS).  The child leaves with _exit: what Graphviz and
 * the font libraries never free dies with it. */
#define GV_CPU_SECONDS 120
static bool gv_draw(const char *dot, const char *format, asl_buf *out, const char *output)
{
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "aslc graph: cannot start Graphviz: %s\n", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "aslc graph: cannot start Graphviz: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {   /* the child: the picture, or why not, down the pipe */
        close(fds[0]);
        struct rlimit cpu = {GV_CPU_SECONDS, GV_CPU_SECONDS + 5};
        setrlimit(RLIMIT_CPU, &cpu);
        asl_buf_init(&gv_messages);
        asl_buf r;
        asl_buf_init(&r);
        bool ok = gv_render(dot, format, &r);
        const asl_buf *w = ok ? &r : &gv_messages;
        for (size_t off = 0; off < w->len;) {
            ssize_t n = write(fds[1], w->data + off, w->len - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) _exit(3);
            off += (size_t)n;
        }
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    asl_buf got;
    asl_buf_init(&got);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        asl_buf_put(&got, chunk, (size_t)n);
    }
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (ok) {
        asl_buf_put(out, got.data, got.len);
    } else if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU || WTERMSIG(st) == SIGKILL)) {
        fprintf(stderr, "aslc graph: Graphviz took more than %d s of CPU time laying out this state "
                        "machine and was stopped; %s is not written (the .dot can be: aslc graph ... "
                        "-o FILE.dot)\n", GV_CPU_SECONDS, output);
    } else if (WIFSIGNALED(st)) {
        fprintf(stderr, "aslc graph: Graphviz crashed laying out this state machine (%s); "
                        "%s is not written (the .dot can be: aslc graph ... -o FILE.dot)\n",
                strsignal(WTERMSIG(st)), output);
    } else {
        while (got.len && (got.data[got.len - 1] == '\n' || got.data[got.len - 1] == ' ')) got.len--;
        fprintf(stderr, "aslc graph: Graphviz could not draw %s: %.*s\n", output, (int)got.len,
                got.data ? got.data : "");
    }
    asl_buf_free(&got);
    return ok;
}

/* One self-contained page: a title, the SVG inline (its XML prologue and
 * DOCTYPE dropped), a legend; no script, nothing fetched. */
static void html_page(asl_buf *out, const ir_program *p, const char *svg, size_t n)
{
    const char *start = memmem(svg, n, "<svg", 4);
    if (!start) start = svg;
    asl_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    put_html_s(out, p->name, 200);
    asl_buf_puts(out,
                 " \xe2\x80\x94 state machine</title>\n<style>\n"
                 "body { font-family: Helvetica, Arial, sans-serif; color: #16191f; background: #ffffff; "
                 "margin: 24px; }\n"
                 "h1 { font-size: 20px; margin: 0 0 4px; }\n"
                 "p.comment { color: #5f6b7a; margin: 0 0 16px; max-width: 60em; }\n"
                 ".picture { border: 1px solid #e9ebed; border-radius: 8px; padding: 12px; "
                 "display: inline-block; }\n"
                 ".picture svg { max-width: 100%; height: auto; }\n"
                 ".legend { font-size: 12px; color: #5f6b7a; margin-top: 12px; }\n"
                 ".legend span { display: inline-block; margin-right: 14px; }\n"
                 ".legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; "
                 "border: 1.5px solid; vertical-align: -2px; margin-right: 4px; }\n"
                 "</style>\n</head>\n<body>\n<h1>");
    put_html_s(out, p->name, 200);
    asl_buf_puts(out, "</h1>\n");
    if (p->top->comment) {
        asl_buf_puts(out, "<p class=\"comment\">");
        put_html_s(out, p->top->comment, 2000);
        asl_buf_puts(out, "</p>\n");
    }
    asl_buf_puts(out, "<div class=\"picture\">\n");
    asl_buf_put(out, start, n - (size_t)(start - svg));
    asl_buf_puts(out, "</div>\n<div class=\"legend\">");
    for (int t = 0; t < IR__NTYPES; t++)
        asl_buf_printf(out, "<span><i style=\"background:%s;border-color:%s\"></i>%s</span>", type_style[t].fill,
             type_style[t].border, ir_state_type_name((ir_state_type)t));
    asl_buf_printf(out, "<span style=\"color:%s\">- - Catch</span><span style=\"color:%s\">- - Default</span>",
         CATCH_COLOR, DEFAULT_COLOR);
    asl_buf_puts(out, "</div>\n</body>\n</html>\n");
}

/* ---- the report's picture (./wf --report) ------------------------------------------ */

/* Escapes s for an XML attribute value (the SVG is inline HTML in the
 * report: a control character, not allowed in XML, becomes U+FFFD). */
static void put_attr(asl_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': asl_buf_puts(b, "&amp;"); break;
        case '<': asl_buf_puts(b, "&lt;"); break;
        case '>': asl_buf_puts(b, "&gt;"); break;
        case '"': asl_buf_puts(b, "&quot;"); break;
        default:
            if (c < 0x20 || c == 0x7f) asl_buf_puts(b, "\xef\xbf\xbd");
            else asl_buf_putc(b, (char)c);
        }
    }
}

/* Graphviz's SVG made fit to be inlined in the report and found by state
 * name: from <svg on (no prologue), without the <!-- id --> comments, and
 * each state's node group <g id="nodeN" class="node"> given
 * data-state="NAME" (its <title> is sK, K the state's index in p->all).
 * Names are unique in the whole machine (parse.c), so the name is a key. */
static void report_svg(asl_buf *out, const ir_program *p, const char *svg, size_t n)
{
    const char *s = memmem(svg, n, "<svg", 4);
    const char *end = svg + n;
    if (!s) s = svg;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *next = nl ? nl + 1 : end;
        size_t len = (size_t)(next - s);
        unsigned k;
        int used = 0;
        if (len > 4 && !memcmp(s, "<!--", 4) && len >= 4 && !memcmp(next - (nl ? 4 : 3), "-->", 3)) {
            s = next;   /* Graphviz's comment naming the element: the <title> says it too */
            continue;
        }
        if (len > 22 && !memcmp(s, "<g id=\"node", 11) && next < end &&
            sscanf(next, "<title>s%u</title>%n", &k, &used) == 1 && used > 0 && k < p->nall) {
            const char *close = memchr(s, '>', len);
            asl_buf_put(out, s, (size_t)(close - s));
            asl_buf_puts(out, " data-state=\"");
            put_attr(out, p->all[k]->name);
            asl_buf_puts(out, "\"");
            asl_buf_put(out, close, (size_t)(next - close));
        } else {
            asl_buf_put(out, s, len);
        }
        s = next;
    }
}
#endif

/* The C source of the picture a workflow binary's --report draws
 * (runtime/report.c reads asl_report_svg, a weak symbol there), or false
 * when there is none: aslc without Graphviz, a machine of more than
 * BIG_GRAPH states (its layout could take seconds to minutes, and the
 * picture would be an overview at best), or a layout that failed. */
bool aslc_graph_report_source(asl_buf *c, const ir_program *p)
{
#ifdef ASLC_HAVE_GRAPHVIZ
    if (p->nall > BIG_GRAPH) return false;
    asl_buf dot, svg, fit;
    asl_buf_init(&dot);
    asl_buf_init(&svg);
    asl_buf_init(&fit);
    aslc_graph_dot(&dot, p);
    asl_buf_putc(&dot, 0);
    bool ok = gv_draw(dot.data, "svg", &svg, "the picture of --report");
    if (ok) {
        report_svg(&fit, p, svg.data, svg.len);
        asl_buf_puts(c, "/* The picture of ./wf --report (aslc graph's SVG; runtime/report.c). */\n"
                        "const char asl_report_svg[] =\n\"");
        for (size_t i = 0; i < fit.len; i++) {
            unsigned char ch = (unsigned char)fit.data[i];
            if (ch == '"' || ch == '\\') asl_buf_printf(c, "\\%c", ch);
            else if (ch == '\n') asl_buf_puts(c, "\\n\"\n\"");
            else if (ch < 0x20 || ch >= 0x7f || ch == '?') asl_buf_printf(c, "\\%03o", ch);
            else asl_buf_putc(c, (char)ch);
        }
        asl_buf_puts(c, "\";\n");
    }
    asl_buf_free(&dot);
    asl_buf_free(&svg);
    asl_buf_free(&fit);
    return ok;
#else
    (void)c;
    (void)p;
    return false;
#endif
}

/* ---- files ----------------------------------------------------------------------- */

/* Writes data to path through a temporary file in path's directory, renamed
 * over path only once complete, with the mode a new file would get.  Refuses
 * a path that exists and is not a regular file (a directory, a device, a
 * symbolic link) or that is the definition itself (input). */
static bool graph_write(const char *path, const char *data, size_t len, const struct stat *input)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            fprintf(stderr, "aslc graph: %s exists and is not a regular file; not replacing it\n", path);
            return false;
        }
        if (input && st.st_dev == input->st_dev && st.st_ino == input->st_ino) {
            fprintf(stderr, "aslc graph: %s is the definition itself; not overwriting it\n", path);
            return false;
        }
    }
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    char *tmp = asl_xmalloc(dlen + strlen(path) + 32);
    memcpy(tmp, path, dlen);
    sprintf(tmp + dlen, ".%s.XXXXXX", slash ? slash + 1 : path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "aslc graph: cannot write %s: %s\n", path, strerror(errno));
        free(tmp);
        return false;
    }
    mode_t mask = umask(0);
    umask(mask);
    bool ok = fchmod(fd, 0666 & ~mask) == 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ok = false;
        else off += (size_t)n;
    }
    ok = close(fd) == 0 && ok;
    if (ok) ok = rename(tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, "aslc graph: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

static char *read_definition(const char *path, size_t *len, struct stat *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fstat(fileno(f), st) != 0 || S_ISDIR(st->st_mode)) {
        fclose(f);
        errno = EISDIR;
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = asl_xmalloc(cap + 1);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        cap *= 2;
        buf = asl_xrealloc(buf, cap + 1);
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- the command ------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: aslc graph FILE.json -o OUT.svg|.png|.dot|.html [options]\n"
          "Draws the state machine as the Step Functions console does (docs/graph.md).\n"
          "  -o OUT           the picture; its extension says the format:\n"
          "                   .svg, .png, .html (one page, the SVG inline), .dot (Graphviz source)\n"
          "  --name NAME      the state machine's name (default: the file's stem)\n"
          "  --format=json    print diagnostics as a JSON array\n",
          f);
}

static const char *stem(asl_arena *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return asl_strndup(a, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

int aslc_graph_main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *name = NULL;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--name")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "aslc graph: option %s needs a value\n", a);
                return 2;
            }
            *(a[1] == 'o' ? &output : &name) = argv[++i];
        } else if (!strcmp(a, "--format=json")) {
            json = true;
        } else if (!strcmp(a, "--format=text")) {
            json = false;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "aslc graph: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (input) {
            fprintf(stderr, "aslc graph: give exactly one definition\n");
            return 2;
        } else {
            input = a;
        }
    }
    if (!input || !output) {
        usage(stderr);
        return 2;
    }
    out_kind kind = kind_of(output);
    if (kind == OUT_UNKNOWN) {
        fprintf(stderr, "aslc graph: cannot tell the format of %s: its name must end in .svg, .png, "
                        ".html or .dot\n", output);
        return 2;
    }
#ifndef ASLC_HAVE_GRAPHVIZ
    if (kind != OUT_DOT) {
        fprintf(stderr, "aslc graph: this aslc was built without Graphviz, so it writes .dot only "
                        "(install libgraphviz-dev and configure aslc again, or render the .dot with "
                        "Graphviz's dot)\n");
        return 2;
    }
#endif

    aslc_unit u;
    memset(&u, 0, sizeof u);
    u.file = input;
    u.json_diags = json;
    asl_buf_init(&u.json_out);
    struct stat in_st;
    char *text = read_definition(input, &u.len, &in_st);
    if (!text) {
        fprintf(stderr, "aslc graph: cannot read %s: %s\n", input, strerror(errno));
        return 1;
    }
    u.text = text;
    u.arena = asl_arena_new();
    ir_program *p = aslc_front_end(&u, name ? name : stem(u.arena, input));
    aslc_diag_flush(&u);
    aslc_diag_finish();
    int status = 1;
    if (p && !u.errors) {
        asl_buf dot, out;
        asl_buf_init(&dot);
        asl_buf_init(&out);
        aslc_graph_dot(&dot, p);
        asl_buf_putc(&dot, 0);   /* agmemread reads a C string */
        bool ok = true;
        if (kind == OUT_DOT) {
            asl_buf_put(&out, dot.data, dot.len - 1);
        } else {
#ifdef ASLC_HAVE_GRAPHVIZ
            asl_buf svg;
            asl_buf_init(&svg);
            ok = gv_draw(dot.data, kind == OUT_PNG ? "png" : "svg", kind == OUT_HTML ? &svg : &out,
                         output);
            if (ok && kind == OUT_HTML) html_page(&out, p, svg.data, svg.len);
            asl_buf_free(&svg);
#endif
        }
        if (ok && graph_write(output, out.data, out.len, &in_st)) status = 0;
        asl_buf_free(&dot);
        asl_buf_free(&out);
    }
    asl_buf_free(&u.json_out);
    asl_arena_free(u.arena);
    free(text);
    return status;
}
