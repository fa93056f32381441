/*
 * diag.c — diagnostics about the definition.
 *
 * Diagnostics are collected, never fatal: a run reports every problem of a
 * file.  Each one reads
 *     file:line:col: /json/pointer: error: message
 * followed by the source line and a caret under the offending token (as
 * chibicc and jq do), or, with --format=json, becomes one object of a JSON
 * array that editors and CI can read: one array for the whole run, printed
 * on stdout by aslc_diag_finish.  Messages never span lines: control
 * characters that come from the definition are escaped, and a long source
 * line (a minified definition) is shown as a window around the caret.  Errors about the environment (files,
 * the C compiler) are not diagnostics: aslc_fatal reports and exits.
 */
#include "aslc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[] = {"error", "warning", "note"};

/* Widest source excerpt shown: a minified definition is one long line, and
 * printing all of it under every diagnostic would bury the caret. */
#define MAX_SHOWN 120

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static void show_source_line(const aslc_unit *u, int line, int col)
{
    const char *p = u->text, *text_end = u->text + u->len;
    for (int l = 1; l < line && p; l++) {
        p = memchr(p, '\n', (size_t)(text_end - p));
        if (p) p++;
    }
    if (!p) return;
    const char *end = memchr(p, '\n', (size_t)(text_end - p));
    if (!end) end = text_end;
    if (end > p && end[-1] == '\r') end--;
    /* Byte offset of the caret's character (columns count characters). */
    const char *caret = p;
    for (int c = 1; caret < end && c < col; c++)
        do caret++;
        while (caret < end && is_cont((unsigned char)*caret));
    /* A window of the line around the caret when the line is long. */
    const char *from = p, *to = end;
    if (to - from > MAX_SHOWN) {
        from = caret - MAX_SHOWN / 2 > p ? caret - MAX_SHOWN / 2 : p;
        to = from + MAX_SHOWN < end ? from + MAX_SHOWN : end;
        while (from > p && is_cont((unsigned char)*from)) from--;
        while (to < end && is_cont((unsigned char)*to)) to++;
    }
    const char *lead = from > p ? "..." : "";
    fprintf(stderr, "  %s", lead);
    for (const char *q = from; q < to; q++)
        /* Control characters (other than tabs) would garble the excerpt. */
        fputc((unsigned char)*q < 0x20 && *q != '\t' ? ' ' : *q, stderr);
    fprintf(stderr, "%s\n  %s", to < end ? "..." : "", *lead ? "   " : "");
    /* Tabs stay tabs so the caret lines up whatever the tab width. */
    for (const char *q = from; q < caret && q < to; q++) {
        if (is_cont((unsigned char)*q)) continue;
        fputc(*q == '\t' ? '\t' : ' ', stderr);
    }
    fputs("^\n", stderr);
}

/* Cuts msg after its last whole UTF-8 character when vsnprintf truncated
 * it, so that the JSON output stays valid UTF-8. */
static void trim_partial_utf8(char *msg)
{
    size_t n = strlen(msg);
    size_t i = n;
    while (i > 0 && is_cont((unsigned char)msg[i - 1])) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)msg[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) msg[i - 1] = 0;
}

/* Text output keeps one diagnostic a line: a control character that came
 * from the definition (a state name with a line break) is written escaped. */
static void put_escaped(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n') fputs("\\n", stderr);
        else if (c == '\r') fputs("\\r", stderr);
        else if (c == '\t') fputs("\\t", stderr);
        else if (c < 0x20 || c == 0x7F) fprintf(stderr, "\\u%04X", c);
        else fputc(c, stderr);
    }
}

static void vdiag(aslc_unit *u, aslc_severity sev, int line, int col, const char *ptr,
                  const char *fmt, va_list ap)
{
    char msg[1024];
    if (vsnprintf(msg, sizeof msg, fmt, ap) >= (int)sizeof msg) trim_partial_utf8(msg);
    if (sev == ASLC_ERROR) u->errors++;
    else if (sev == ASLC_WARNING) u->warnings++;
    if (!ptr || !*ptr) ptr = "/";

    if (u->json_diags) {
        asl_arena *a = asl_arena_new();
        asl_value *o = asl_object(a, 6);
        asl_object_append(a, o, "file", 4, asl_cstring(a, u->file));
        asl_object_append(a, o, "line", 4, asl_number(a, line));
        asl_object_append(a, o, "column", 6, asl_number(a, col));
        asl_object_append(a, o, "path", 4, asl_cstring(a, ptr));
        asl_object_append(a, o, "severity", 8, asl_cstring(a, sev_names[sev]));
        asl_object_append(a, o, "message", 7, asl_cstring(a, msg));
        asl_buf_putc(&u->json_out, u->json_out.len ? ',' : '[');
        asl_json_write(&u->json_out, o);
        asl_arena_free(a);
        return;
    }
    if (line > 0) fprintf(stderr, "%s:%d:%d: ", u->file, line, col);
    else fprintf(stderr, "%s: ", u->file);
    put_escaped(ptr);
    fprintf(stderr, ": %s: ", sev_names[sev]);
    put_escaped(msg);
    fputc('\n', stderr);
    if (line > 0) show_source_line(u, line, col);
}

void aslc_diag_at(aslc_unit *u, aslc_severity sev, int line, int col, const char *ptr,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(u, sev, line, col, ptr, fmt, ap);
    va_end(ap);
}

void aslc_diag(aslc_unit *u, aslc_severity sev, const cJSON *node, bool at_key, const char *ptr,
               const char *fmt, ...)
{
    int line = 0, col = 0;
    aslc_srcmap_pos(u->map, node, at_key, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    vdiag(u, sev, line, col, ptr, fmt, ap);
    va_end(ap);
}

/* With --format=json, the diagnostics of every file of the run go into one
 * array (so that `aslc check --format=json a.json b.json` prints one JSON
 * document): each unit's are moved here, and aslc_diag_finish prints them. */
static asl_buf run_json;
static bool run_json_used;

void aslc_diag_flush(aslc_unit *u)
{
    if (!u->json_diags) return;
    run_json_used = true;
    if (u->json_out.len) {
        /* u->json_out is "[obj,obj..." (its '[' opens the first object) */
        asl_buf_putc(&run_json, run_json.len ? ',' : '[');
        asl_buf_put(&run_json, u->json_out.data + 1, u->json_out.len - 1);
    }
    u->json_out.len = 0;
}

void aslc_diag_finish(void)
{
    if (!run_json_used) return;
    if (!run_json.len) asl_buf_putc(&run_json, '[');
    asl_buf_puts(&run_json, "]\n");
    fwrite(run_json.data, 1, run_json.len, stdout);
    fflush(stdout);
    asl_buf_free(&run_json);
    run_json_used = false;
}

void aslc_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("aslc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}
