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

/* Where the previous excerpt was: diagnostics mostly come in source order,
 * so finding the next line and column resumes from there instead of
 * scanning from the start of the text (a minified definition with
 * thousands of errors would otherwise take quadratic time). */
static struct {
    const char *text;
    int line, col;
    const char *line_start, *caret;
} last;

static void show_source_line(const aslc_unit *u, int line, int col)
{
    const char *p = u->text, *text_end = u->text + u->len;
    int l = 1;
    /* (The cache is dropped by aslc_diag_flush, at the end of each unit.) */
    if (last.text == u->text && last.line <= line) {
        p = last.line_start;
        l = last.line;
    }
    for (; l < line && p; l++) {
        p = memchr(p, '\n', (size_t)(text_end - p));
        if (p) p++;
    }
    if (!p) return;
    const char *end = memchr(p, '\n', (size_t)(text_end - p));
    if (!end) end = text_end;
    if (end > p && end[-1] == '\r') end--;
    /* Byte offset of the caret's character (columns count characters). */
    const char *caret = p;
    int c = 1;
    if (last.text == u->text && last.line == line && last.col <= col && last.caret <= end) {
        caret = last.caret;
        c = last.col;
    }
    for (; caret < end && c < col; c++)
        do caret++;
        while (caret < end && is_cont((unsigned char)*caret));
    last.text = u->text;
    last.line = line;
    last.line_start = p;
    last.col = c;
    last.caret = caret;
    /* A window of the line around the caret when the line is long. */
    const char *from = p, *to = end;
    if (to - from > MAX_SHOWN) {
        from = caret - MAX_SHOWN / 2 > p ? caret - MAX_SHOWN / 2 : p;
        to = from + MAX_SHOWN < end ? from + MAX_SHOWN : end;
        while (from > p && is_cont((unsigned char)*from)) from--;
        while (to < end && is_cont((unsigned char)*to)) to++;
    }
    /* Built in memory and written at once: stderr is unbuffered. */
    asl_buf b;
    asl_buf_init(&b);
    const char *lead = from > p ? "..." : "";
    asl_buf_puts(&b, "  ");
    asl_buf_puts(&b, lead);
    for (const char *q = from; q < to; q++)
        /* Control characters (other than tabs) would garble the excerpt. */
        asl_buf_putc(&b, (unsigned char)*q < 0x20 && *q != '\t' ? ' ' : *q);
    asl_buf_puts(&b, to < end ? "...\n  " : "\n  ");
    if (*lead) asl_buf_puts(&b, "   ");
    /* Tabs stay tabs so the caret lines up whatever the tab width. */
    for (const char *q = from; q < caret && q < to; q++) {
        if (is_cont((unsigned char)*q)) continue;
        asl_buf_putc(&b, *q == '\t' ? '\t' : ' ');
    }
    asl_buf_puts(&b, "^\n");
    fwrite(b.data, 1, b.len, stderr);
    asl_buf_free(&b);
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
static void put_escaped(asl_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '\n') asl_buf_puts(b, "\\n");
        else if (c == '\r') asl_buf_puts(b, "\\r");
        else if (c == '\t') asl_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof esc, "\\u%04X", c);
            asl_buf_puts(b, esc);
        } else {
            asl_buf_putc(b, (char)c);
        }
    }
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!n) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   /* overlong */
    if (c == 0xED && s[1] > 0x9F) return 0;   /* surrogate */
    if (c == 0xF0 && s[1] < 0x90) return 0;   /* overlong */
    if (c == 0xF4 && s[1] > 0x8F) return 0;   /* above U+10FFFF */
    return n;
}

/* Replaces every byte of msg that is not part of valid UTF-8 with U+FFFD:
 * messages quote the definition, and a quote can cut a character in two
 * (an intrinsic parser's "found 'X'" takes one byte), which would make the
 * JSON output invalid.  out must hold 3 * strlen(msg) + 1 bytes. */
static void valid_utf8(const char *msg, char *out)
{
    const unsigned char *s = (const unsigned char *)msg;
    size_t o = 0;
    while (*s) {
        size_t n = utf8_len(s);
        if (n) {
            memcpy(out + o, s, n);
            o += n;
            s += n;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            s++;
        }
    }
    out[o] = 0;
}

static void vdiag(aslc_unit *u, aslc_severity sev, int line, int col, const char *ptr,
                  const char *fmt, va_list ap)
{
    char raw[1024], msg[3 * sizeof raw];
    if (vsnprintf(raw, sizeof raw, fmt, ap) >= (int)sizeof raw) trim_partial_utf8(raw);
    valid_utf8(raw, msg);
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
    asl_buf b;
    asl_buf_init(&b);
    char pos[64];
    if (line > 0) snprintf(pos, sizeof pos, ":%d:%d: ", line, col);
    else snprintf(pos, sizeof pos, ": ");
    asl_buf_puts(&b, u->file);
    asl_buf_puts(&b, pos);
    put_escaped(&b, ptr);
    asl_buf_puts(&b, ": ");
    asl_buf_puts(&b, sev_names[sev]);
    asl_buf_puts(&b, ": ");
    put_escaped(&b, msg);
    asl_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr);
    asl_buf_free(&b);
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
    last.text = NULL;   /* the unit's text is about to go */
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
