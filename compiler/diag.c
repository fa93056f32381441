/*
 * diag.c — diagnostics about the definition.
 *
 * Diagnostics are collected, never fatal: a run reports every problem of a
 * file.  Each one reads
 *     file:line:col: /json/pointer: error: message
 * followed by the source line and a caret under the offending token (as
 * chibicc and jq do), or, with --format=json, becomes one object of a JSON
 * array that editors and CI can read.  Errors about the environment (files,
 * the C compiler) are not diagnostics: aslc_fatal reports and exits.
 */
#include "aslc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[] = {"error", "warning", "note"};

static void show_source_line(const aslc_unit *u, int line, int col)
{
    const char *p = u->text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!p) return;
    const char *end = strchr(p, '\n');
    int n = end ? (int)(end - p) : (int)strlen(p);
    if (n > 0 && p[n - 1] == '\r') n--;
    fprintf(stderr, "  %.*s\n  ", n, p);
    /* Tabs stay tabs so the caret lines up whatever the tab width. */
    int c = 1;
    for (int i = 0; i < n && c < col; i++) {
        if (((unsigned char)p[i] & 0xC0) == 0x80) continue;
        fputc(p[i] == '\t' ? '\t' : ' ', stderr);
        c++;
    }
    fputs("^\n", stderr);
}

static void vdiag(aslc_unit *u, aslc_severity sev, int line, int col, const char *ptr,
                  const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
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
    if (line > 0)
        fprintf(stderr, "%s:%d:%d: %s: %s: %s\n", u->file, line, col, ptr, sev_names[sev], msg);
    else
        fprintf(stderr, "%s: %s: %s: %s\n", u->file, ptr, sev_names[sev], msg);
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

void aslc_diag_flush(aslc_unit *u)
{
    if (!u->json_diags) return;
    if (!u->json_out.len) asl_buf_putc(&u->json_out, '[');
    asl_buf_puts(&u->json_out, "]\n");
    fwrite(u->json_out.data, 1, u->json_out.len, stdout);
    u->json_out.len = 0;
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
