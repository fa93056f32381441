/*
 * format.c — values printed inside strings, as AWS prints them, and the
 * templates of States.Format.
 *
 * AWS prints a value inside a string the way Java's toString does: strings
 * bare, objects as {k=v, k2=v2}, arrays as [a, b] (asl_repr_write).
 *
 * A Format template is literal text around {} placeholders, with \{ \} \\
 * and \' standing for the character and any other brace an error.  It is
 * split once into its pieces of literal text, escapes resolved
 * (asl_fmt_parse): by the compiler when the template is a literal, so
 * that a call only prints its values between pieces known in advance
 * (asl_format_render); by the runtime, on each call, when it comes from a
 * path.  The compiler links this file too (the value library), so that both
 * split a template by the same rules.
 */
#include "asl_value.h"

#include <string.h>

void asl_repr_write(asl_buf *b, const asl_value *v)
{
    switch (v->type) {
    case ASL_NULL:
        asl_buf_put(b, "null", 4);
        break;
    case ASL_TRUE:
        asl_buf_put(b, "true", 4);
        break;
    case ASL_FALSE:
        asl_buf_put(b, "false", 5);
        break;
    case ASL_NUMBER:
        asl_number_write(b, v);
        break;
    case ASL_STRING:
        asl_buf_put(b, v->u.str, v->len);
        break;
    case ASL_ARRAY:
        asl_buf_putc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) asl_buf_put(b, ", ", 2);
            asl_repr_write(b, v->u.a.items[i]);
        }
        asl_buf_putc(b, ']');
        break;
    case ASL_OBJECT:
        asl_buf_putc(b, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            const asl_member *m = &v->u.o.members[i];
            if (i) asl_buf_put(b, ", ", 2);
            asl_buf_put(b, m->key, m->klen);
            asl_buf_putc(b, '=');
            asl_repr_write(b, m->val);
        }
        asl_buf_putc(b, '}');
        break;
    }
}

/* ---- templates -------------------------------------------------------------------- */

static bool is_escapable(char c)
{
    return c == '{' || c == '}' || c == '\\' || c == '\'';
}

/* The index of the next special byte of s[i..n), or n.  strcspn is
 * vectorised in libc; the string is NUL-terminated, and an embedded NUL just
 * stops it early. */
static size_t next_special(const char *s, size_t i, size_t n)
{
    while (i < n) {
        i += strcspn(s + i, "{}\\");
        if (i >= n || s[i]) return i;
        i++;   /* an embedded NUL: plain text */
    }
    return n;
}

/* Splits t into pieces whose bytes go to text (n bytes suffice) and whose
 * ends go to pieces (n / 2 + 1 entries suffice): the number of holes, or -1
 * when a brace is not part of {}. */
static int64_t split(const char *t, size_t n, char *text, asl_lit_key *pieces)
{
    size_t o = 0, run = 0;
    int64_t holes = 0;
    char *start = text;
    for (size_t i = 0;; i++) {
        i = next_special(t, i, n);
        if (i >= n) break;
        if (t[i] == '\\') {
            if (!(i + 1 < n && is_escapable(t[i + 1]))) continue;   /* a backslash as it is */
        } else if (t[i] == '}' || i + 1 >= n || t[i + 1] != '}') {
            return -1;   /* a brace that is not part of {} */
        }
        memcpy(text + o, t + run, i - run);
        o += i - run;
        if (t[i] == '\\') {
            text[o++] = t[i + 1];
        } else {
            pieces[holes].key = start;
            pieces[holes++].klen = (uint32_t)(text + o - start);
            start = text + o;
        }
        i++;
        run = i + 1;
    }
    memcpy(text + o, t + run, n - run);
    o += n - run;
    pieces[holes].key = start;
    pieces[holes].klen = (uint32_t)(text + o - start);
    return holes;
}

bool asl_fmt_parse(asl_arena *a, const char *t, size_t n, asl_fmt *f)
{
    char *text = asl_alloc(a, n + 1);
    asl_lit_key *pieces = asl_alloc(a, (n / 2 + 1) * sizeof *pieces);
    int64_t holes = split(t, n, text, pieces);
    if (holes < 0) return false;
    f->holes = (uint32_t)holes;
    f->lit = 0;
    for (int64_t k = 0; k <= holes; k++) f->lit += pieces[k].klen;
    f->plain = asl_json_plain(text, f->lit);   /* the pieces are consecutive in text */
    f->pieces = pieces;
    return true;
}

/* Decimal digits of i into buf (at least 21 bytes, not NUL-terminated). */
static size_t fmt_int(int64_t i, char *buf)
{
    char tmp[24];
    size_t k = sizeof tmp;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do {
        tmp[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0) tmp[--k] = '-';
    memcpy(buf, tmp + k, sizeof tmp - k);
    return sizeof tmp - k;
}

typedef struct {
    const char *s;
    size_t len;
} piece;

asl_value *asl_format_render(asl_arena *a, const asl_fmt *f, asl_value *const *vals)
{
    uint32_t n = f->holes;
    /* Values printed bare when they are strings, constants, numbers with
     * their source text or small integers (on the stack); anything else is
     * printed once into a scratch buffer (by offset, as it may move). */
    piece small[8];
    piece *pc = n <= 8 ? small : asl_alloc(a, (size_t)n * sizeof *pc);
    size_t *off = NULL;
    asl_buf scratch;
    asl_buf_init(&scratch);
    char ints[8][24];
    uint32_t nints = 0;
    size_t total = f->lit;
    bool plain = f->plain;   /* of the pieces; then of each value's text */
    for (uint32_t k = 0; k < n; k++) {
        const asl_value *v = vals[k];
        piece *q = &pc[k];
        switch (v->type) {
        case ASL_STRING: q->s = v->u.str; q->len = v->len; plain = plain && asl_str_plain(v); break;
        case ASL_NULL: q->s = "null"; q->len = 4; break;
        case ASL_TRUE: q->s = "true"; q->len = 4; break;
        case ASL_FALSE: q->s = "false"; q->len = 5; break;
        case ASL_NUMBER:
            if (v->u.n.text) {   /* asl_number_write prints the text as it is */
                q->s = v->u.n.text;
                q->len = strlen(v->u.n.text);
                break;
            }
            if (asl_num_int(v) && nints < 8) {
                q->len = fmt_int((int64_t)v->u.n.num, ints[nints]);
                q->s = ints[nints++];
                break;
            }
            /* fall through */
        default:
            if (!off) off = asl_alloc(a, (size_t)n * sizeof *off);
            off[k] = scratch.len;
            asl_repr_write(&scratch, v);
            q->s = NULL;
            q->len = scratch.len - off[k];
            break;
        }
        total += q->len;
    }
    for (uint32_t k = 0; k < n; k++)
        if (!pc[k].s) {
            pc[k].s = scratch.data + off[k];
            plain = plain && asl_json_plain(pc[k].s, pc[k].len);
        }
    char *out;
    asl_value *r = asl_string_room(a, total, plain, &out);
    size_t o = 0;
    for (uint32_t k = 0; k < n; k++) {
        memcpy(out + o, f->pieces[k].key, f->pieces[k].klen);
        o += f->pieces[k].klen;
        memcpy(out + o, pc[k].s, pc[k].len);
        o += pc[k].len;
    }
    memcpy(out + o, f->pieces[n].key, f->pieces[n].klen);
    if (off) asl_buf_free(&scratch);
    return r;
}
