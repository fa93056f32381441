/*
 * report.c — ./wf --report FILE.html: one self-contained page about the
 * execution (docs/history.md).
 *
 * The page is built from the history events (history.c), the same ones
 * --history writes, so that anything holding those events (aslc serve's
 * store) can draw the same report: they go into the page as JSON, and the
 * page's script (report.js) groups them into state visits, colours the
 * states of the picture by what happened to them, shows a state's input,
 * output, error, retries and timings when it is clicked, summarises Map
 * runs and lists the events.  Style and script are inlined (report.css,
 * report.js, taken into this object with .incbin so that they stay files
 * one can read and edit); nothing is fetched.
 *
 * The picture is laid out by aslc at compile time (a binary cannot run
 * Graphviz): graph.c's SVG, each state's node marked data-state="NAME",
 * compiled into the binary as asl_report_svg.  That symbol is weak here:
 * a binary built without it (aslc without Graphviz, more than 100 states,
 * --no-report-graph) writes the report without a picture, with a button
 * per state instead.
 */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The page's style and script, NUL-terminated (CMake defines ASL_REPORT_DIR
 * and makes this object depend on both files). */
#ifndef ASL_REPORT_DIR
#error "ASL_REPORT_DIR: the directory of report.css and report.js (CMakeLists.txt defines it)"
#endif
#define ASL_INCBIN(sym, file)                                                   \
    __asm__(".pushsection .rodata\n"                                          \
            ".globl " #sym "\n"                                               \
            ".type " #sym ", @object\n"                                       \
            #sym ":\n"                                                        \
            ".incbin \"" ASL_REPORT_DIR "/" file "\"\n"                     \
            ".byte 0\n"                                                       \
            ".popsection\n")
ASL_INCBIN(asl_report_css, "report.css");
ASL_INCBIN(asl_report_js, "report.js");
extern const char asl_report_css[], asl_report_js[];

/* The picture, when aslc made one (compiler/graph.c). */
extern const char asl_report_svg[] __attribute__((weak));

#define PUT_LIT(b, lit) asl_buf_put((b), (lit), sizeof(lit) - 1)

static void put_html(asl_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': PUT_LIT(b, "&amp;"); break;
        case '<': PUT_LIT(b, "&lt;"); break;
        case '>': PUT_LIT(b, "&gt;"); break;
        case '"': PUT_LIT(b, "&quot;"); break;
        default: asl_buf_putc(b, *s);
        }
    }
}

/* The events (JSON Lines) as one JSON array inside <script>: a '<' can only
 * be in a string there, where \u003c is the same character and no
 * "</script>" or "<!--" in a payload can end or upset the element. */
static void put_events(asl_buf *b, const char *lines, size_t n)
{
    asl_buf_putc(b, '[');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = lines[i];
        if (c != '<' && c != '\n') continue;
        asl_buf_put(b, lines + start, i - start);
        start = i + 1;
        if (c == '<') {
            PUT_LIT(b, "\\u003c");
        } else if (i + 1 < n) {
            PUT_LIT(b, ",\n");
        }
    }
    asl_buf_put(b, lines + start, n - start);
    PUT_LIT(b, "]");
}

void asl_report_page(asl_buf *b, const char *name, const char *events, size_t n)
{
    PUT_LIT(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    put_html(b, name);
    PUT_LIT(b, " \xe2\x80\x94 execution report</title>\n<style>\n");
    asl_buf_puts(b, asl_report_css);
    PUT_LIT(b, "</style>\n</head>\n<body>\n<h1>");
    put_html(b, name);
    PUT_LIT(b, "</h1>\n<p id=\"summary\"></p>\n<div id=\"legend\">"
               "<span class=\"tag succeeded\">succeeded</span> <span class=\"tag retried\">retried</span> "
               "<span class=\"tag caught\">caught</span> <span class=\"tag failed\">failed</span> "
               "<span class=\"tag notreached\">not reached</span> \xe2\x80\x94 click a state for its "
               "input, output, error, retries and timings</div>\n<div id=\"main\">\n<div id=\"picture\">\n");
    if (asl_report_svg) asl_buf_puts(b, asl_report_svg);
    else PUT_LIT(b, "<p class=\"muted\">No picture: this binary was built without one (aslc without "
                    "Graphviz, a machine of more than 100 states, or --no-report-graph).</p>\n");
    PUT_LIT(b, "<div id=\"states\"></div>\n</div>\n<aside id=\"panel\"><p class=\"muted\">Click a "
               "state.</p></aside>\n</div>\n<h2 id=\"maps-title\">Map runs</h2>\n<div id=\"maps\"></div>\n"
               "<h2>Events</h2>\n<table id=\"events\"><tr><th>id</th><th>previous</th><th>type</th>"
               "<th>time (UTC)</th><th>details</th></tr></table>\n"
               "<script type=\"application/json\" id=\"history\">");
    put_events(b, events, n);
    PUT_LIT(b, "</script>\n<script>\n");
    asl_buf_puts(b, asl_report_js);
    PUT_LIT(b, "</script>\n</body>\n</html>\n");
}

bool asl_report_save(const char *path, const char *name, const char *events, size_t n)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_report_page(&b, name, events, n);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    for (size_t off = 0; ok && off < b.len;) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            ok = false;
            break;
        }
        off += (size_t)w;
    }
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        e = errno;
        ok = false;
    }
    asl_buf_free(&b);
    errno = e;
    return ok;
}
