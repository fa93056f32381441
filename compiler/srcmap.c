/*
 * srcmap.c — where each JSON node of the definition is in the source text.
 *
 * cJSON records no positions, yet every diagnostic must name a line and
 * column.  Having cJSON parse the text, we walk the text a second time with
 * a small scanner in lock step with the tree (cJSON keeps members in
 * document order, duplicates included), recording for every node the offset
 * of its key and of its value, and where the value ends.  The value span
 * also lets constants keep their exact numbers (cJSON converts them to
 * doubles and would lose the digits of 123456789012345678901234567890).
 */
#include "aslc.h"

#include <string.h>

typedef struct {
    const cJSON *node;
    size_t key_off, val_off, val_end;
    bool has_key;
} entry;

/* Line and column at every CHECKPOINT-th byte of the text, so that turning
 * an offset into a position scans at most CHECKPOINT bytes: a definition
 * with thousands of states (often minified: one line) asks for thousands of
 * positions, and scanning from the start each time was quadratic. */
#define CHECKPOINT 1024

typedef struct {
    int line, col;
} linecol;

struct aslc_srcmap {
    const char *text;
    size_t len;
    entry *slots;
    size_t cap;     /* power of two */
    linecol *marks; /* marks[i]: position of byte i * CHECKPOINT */
};

static size_t slot_of(const aslc_srcmap *m, const cJSON *node)
{
    uintptr_t h = (uintptr_t)node;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (m->cap - 1);
}

static entry *lookup(const aslc_srcmap *m, const cJSON *node, bool insert)
{
    size_t i = slot_of(m, node);
    while (m->slots[i].node && m->slots[i].node != node) i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].node) {
        if (!insert) return NULL;
        m->slots[i].node = node;
    }
    return &m->slots[i];
}

static size_t count_nodes(const cJSON *n)
{
    size_t c = 1;
    for (const cJSON *k = n->child; k; k = k->next) c += count_nodes(k);
    return c;
}

static size_t skip_ws(const aslc_srcmap *m, size_t p)
{
    while (p < m->len && (m->text[p] == ' ' || m->text[p] == '\t' || m->text[p] == '\n' ||
                          m->text[p] == '\r'))
        p++;
    return p;
}

static size_t skip_string(const aslc_srcmap *m, size_t p)
{
    p++; /* opening quote */
    while (p < m->len && m->text[p] != '"') p += m->text[p] == '\\' ? 2 : 1;
    return p + 1;
}

static size_t scan(aslc_srcmap *m, size_t p, const cJSON *node)
{
    p = skip_ws(m, p);
    entry *e = lookup(m, node, true);
    e->val_off = p;
    if (p >= m->len) return p;
    char c = m->text[p];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        p++;
        for (const cJSON *k = node->child; k; k = k->next) {
            p = skip_ws(m, p);
            if (p < m->len && m->text[p] == ',') p = skip_ws(m, p + 1);
            if (c == '{') {
                entry *ke = lookup(m, k, true);
                ke->key_off = p;
                ke->has_key = true;
                p = skip_ws(m, skip_string(m, p));
                if (p < m->len && m->text[p] == ':') p++;
            }
            p = scan(m, p, k);
        }
        p = skip_ws(m, p);
        if (p < m->len && m->text[p] == close) p++;
    } else if (c == '"') {
        p = skip_string(m, p);
    } else {
        while (p < m->len && !strchr(" \t\r\n,]}", m->text[p])) p++;
    }
    e->val_end = p;  /* the table is sized up front and never moves */
    return p;
}

aslc_srcmap *aslc_srcmap_build(asl_arena *a, const char *text, size_t len, const cJSON *root)
{
    aslc_srcmap *m = asl_alloc(a, sizeof *m);
    m->text = text;
    m->len = len;
    size_t n = count_nodes(root) * 2 + 16, cap = 64;
    while (cap < n) cap *= 2;
    m->cap = cap;
    m->slots = asl_alloc(a, cap * sizeof(entry));
    memset(m->slots, 0, cap * sizeof(entry));
    size_t p = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) p = 3; /* UTF-8 byte order mark */
    scan(m, p, root);
    size_t nmarks = len / CHECKPOINT + 1;
    m->marks = asl_alloc(a, nmarks * sizeof *m->marks);
    int l = 1, c = 1;
    for (size_t i = 0; i < len; i++) {
        if (i % CHECKPOINT == 0) m->marks[i / CHECKPOINT] = (linecol){l, c};
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    if (len % CHECKPOINT == 0) m->marks[len / CHECKPOINT] = (linecol){l, c};
    return m;
}

/* aslc_offset_pos, starting from the checkpoint before off. */
static void map_offset_pos(const aslc_srcmap *m, size_t off, int *line, int *col)
{
    if (off > m->len) off = m->len;
    size_t k = off / CHECKPOINT;
    int l = m->marks[k].line, c = m->marks[k].col;
    for (size_t i = k * CHECKPOINT; i < off; i++) {
        if (m->text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)m->text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void aslc_offset_pos(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++; /* columns count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *col = c;
}

bool aslc_srcmap_pos(const aslc_srcmap *m, const cJSON *node, bool key, int *line, int *col)
{
    if (!m || !node) return false;
    const entry *e = lookup(m, node, false);
    if (!e) return false;
    if (key && !e->has_key) key = false;
    map_offset_pos(m, key ? e->key_off : e->val_off, line, col);
    return true;
}

bool aslc_srcmap_span(const aslc_srcmap *m, const cJSON *node, const char **start, size_t *len)
{
    if (!m || !node) return false;
    const entry *e = lookup(m, node, false);
    if (!e || e->val_end <= e->val_off) return false;
    *start = m->text + e->val_off;
    *len = e->val_end - e->val_off;
    return true;
}

/* The literal of a node's key or value: [*start, *start + *len), quotes included. */
static bool literal(const aslc_srcmap *m, const cJSON *node, bool key, size_t *start, size_t *end)
{
    if (!m || !node) return false;
    const entry *e = lookup(m, node, false);
    if (!e || (key && !e->has_key)) return false;
    size_t p = key ? e->key_off : e->val_off;
    if (p >= m->len || m->text[p] != '"') return false;
    *start = p;
    *end = skip_string(m, p);
    if (*end > m->len) *end = m->len;
    return true;
}

bool aslc_srcmap_has_nul(const aslc_srcmap *m, const cJSON *node, bool key)
{
    size_t p, end;
    if (!literal(m, node, key, &p, &end)) return false;
    /* cJSON stores strings NUL-terminated: a \u0000 escape cuts them short */
    for (p++; p + 6 <= end; p++) {
        if (m->text[p] != '\\') continue;
        if (!memcmp(m->text + p + 1, "u0000", 5)) return true;
        p++;   /* an escaped character, \\ among them */
    }
    return false;
}

bool aslc_srcmap_string(const aslc_srcmap *m, asl_arena *a, const cJSON *node, bool key,
                        const char **s, size_t *len)
{
    size_t p, end;
    if (!literal(m, node, key, &p, &end)) return false;
    asl_json_error err;
    asl_value *v = asl_json_parse(a, m->text + p, end - p, &err);
    if (!v || v->type != ASL_STRING) return false;
    *s = v->u.str;
    *len = v->len;
    return true;
}
