/*
 * jsonata_dateparse.c — JSONata's $toMillis: a text read with a date
 * picture (XPath F&O 3.1 section 9.8 in reverse, as the reference
 * implementation, jsonata-js, does it), or in its ISO 8601 default.
 *
 * Each marker of the analysed picture (jsonata_datetime.c) becomes the
 * small regular expression the reference builds for it, and the whole text
 * is matched by a backtracking matcher that tries alternatives in the
 * reference's order, so that the same text gives the same fields; the
 * fields then become a time by the reference's rules (fields left out
 * default to now above the given ones and to their lowest value below;
 * a gap between given fields is D3136).
 */
#include "jsonata_picture_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- parsing: the reference's regular expression, matched by backtracking ---------------- */

enum { N_LIT, N_CLASS, N_ORD, N_WORDS };
enum { CL_DIGIT, CL_ALPHA, CL_ROMAN, CL_SIGN, CL_ANY };

typedef struct {
    int kind;
    int part;            /* the capture group (the picture's part) it belongs to */
    asl_jnp_str lit;
    int cls;
    size_t min, max;     /* max 0: unbounded */
} mnode;

typedef struct {
    const mnode *nodes;
    size_t nnodes;
    asl_jnp_str s;
    size_t *cap_start;   /* per part */
    long budget;         /* steps left: a pathological text fails instead of taking forever */
} matcher;

static uint32_t fold(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* the text at pos starts with lit, case-insensitively (the reference's /i) */
static bool lit_at(const matcher *m, size_t pos, asl_jnp_str lit)
{
    if (pos + lit.n > m->s.n) return false;
    for (size_t i = 0; i < lit.n; i++)
        if (fold(m->s.c[pos + i]) != fold(lit.c[i])) return false;
    return true;
}

static bool lit_at_ascii(const matcher *m, size_t pos, const char *lit)
{
    size_t n = strlen(lit);
    if (pos + n > m->s.n) return false;
    for (size_t i = 0; i < n; i++)
        if (fold(m->s.c[pos + i]) != (unsigned char)lit[i]) return false;
    return true;
}

static bool in_class(int cls, uint32_t c)
{
    uint32_t f = fold(c);
    switch (cls) {
    case CL_DIGIT: return c >= '0' && c <= '9';
    case CL_ALPHA: return f >= 'a' && f <= 'z';
    case CL_ROMAN: return f && strchr("mdclxvi", (int)f) && f < 128;
    case CL_SIGN: return c == '-' || c == '+';
    default: return c != '\n' && c != '\r' && c != 0x2028 && c != 0x2029;
    }
}

static bool match_from(matcher *m, size_t i, size_t pos);

/* (?:word|...|and|[\-, ])+ : greedy, each turn trying the alternatives in order */
static bool match_words(matcher *m, size_t i, size_t pos, size_t turns)
{
    if (--m->budget < 0) return false;
    for (size_t w = 0; w <= asl_jnp_nwords + 1; w++) {
        size_t len;
        if (w < asl_jnp_nwords) {
            if (!lit_at_ascii(m, pos, asl_jnp_words[w].word)) continue;
            len = strlen(asl_jnp_words[w].word);
        } else if (w == asl_jnp_nwords) {
            if (!lit_at_ascii(m, pos, "and")) continue;
            len = 3;
        } else {
            if (pos >= m->s.n || !(m->s.c[pos] == '-' || m->s.c[pos] == ',' || m->s.c[pos] == ' ')) continue;
            len = 1;
        }
        if (match_words(m, i, pos + len, turns + 1)) return true;
        if (m->budget < 0) return false;
    }
    return turns > 0 && match_from(m, i + 1, pos);
}

static bool match_from(matcher *m, size_t i, size_t pos)
{
    if (--m->budget < 0) return false;
    if (i == m->nnodes) return pos == m->s.n;
    const mnode *nd = &m->nodes[i];
    if (i == 0 || m->nodes[i - 1].part != nd->part) m->cap_start[nd->part] = pos;
    switch (nd->kind) {
    case N_LIT:
        return lit_at(m, pos, nd->lit) && match_from(m, i + 1, pos + nd->lit.n);
    case N_ORD: {
        static const char *const sfx[] = {"th", "st", "nd", "rd"};
        for (int k = 0; k < 4; k++)
            if (lit_at_ascii(m, pos, sfx[k]) && match_from(m, i + 1, pos + 2)) return true;
        return false;
    }
    case N_WORDS:
        return match_words(m, i, pos, 0);
    default: {
        size_t run = 0;
        while (pos + run < m->s.n && (nd->max == 0 || run < nd->max) && in_class(nd->cls, m->s.c[pos + run]))
            run++;
        for (size_t k = run + 1; k-- > nd->min;) {
            if (match_from(m, i + 1, pos + k)) return true;
            if (m->budget < 0) return false;
        }
        return false;
    }
    }
}

typedef struct {
    mnode *v;
    size_t n;
} nodes;

static void push_node(nodes *ns, int part, int kind, int cls, size_t min, size_t max, asl_jnp_str lit)
{
    ns->v[ns->n++] = (mnode){kind, part, lit, cls, min, max};
}

/* The integer matcher of a picture (the reference's generateRegex for integers). */
static const char *int_nodes(nodes *ns, int part, const asl_jnp_intfmt *f)
{
    asl_jnp_str none = {0};
    switch (f->primary) {
    case ASL_JNP_LETTERS: push_node(ns, part, N_CLASS, CL_ALPHA, 1, 0, none); return NULL;
    case ASL_JNP_ROMAN: push_node(ns, part, N_CLASS, CL_ROMAN, 1, 0, none); return NULL;
    case ASL_JNP_WORDS: push_node(ns, part, N_WORDS, 0, 0, 0, none); return NULL;
    case ASL_JNP_SEQUENCE: return "D3130";
    default: break;
    }
    if (f->parse_width >= 1 && f->parse_width < 1e6) {
        size_t w = (size_t)f->parse_width;
        push_node(ns, part, N_CLASS, CL_DIGIT, w, w, none);
    } else {
        push_node(ns, part, N_CLASS, CL_DIGIT, 1, 0, none);
    }
    if (f->ordinal) push_node(ns, part, N_ORD, 0, 0, 0, none);
    return NULL;
}

static double name_lookup(asl_jnp_str v, const asl_jnp_dtpart *p)
{
    double found = NAN;    /* NaN: the reference's undefined */
    bool cut = p->has_width && p->max_def && p->wmax != 0 && !isnan(p->wmax);
    const char *const *names = NULL;
    int count = 0, first = 0;
    if (p->comp == 'M' || p->comp == 'x') {
        names = asl_jnp_month_names;
        count = 12;
    } else if (p->comp == 'F') {
        names = asl_jnp_day_names;
        count = 8;
        first = 1;
    } else {
        static const char *const ampm[] = {"am", "AM", "pm", "PM"};
        for (int i = 0; i < 4; i++) {
            size_t n = strlen(ampm[i]), j;
            if (v.n != n) continue;
            for (j = 0; j < n && v.c[j] == (unsigned char)ampm[i][j]; j++) {}
            if (j == n) found = i / 2;
        }
        return found;
    }
    for (int i = first; i < count; i++) {
        size_t n = strlen(names[i]);
        if (cut) n = (size_t)(p->wmax < 0 ? 0 : p->wmax < (double)n ? p->wmax : (double)n);
        if (v.n != n) continue;
        size_t j;
        for (j = 0; j < n && v.c[j] == (unsigned char)names[i][j]; j++) {}
        if (j == n) found = p->comp == 'F' ? i : i + 1;
    }
    return found;
}

/* A parsed field: a number, or the reference's undefined (a name it did not know). */
typedef struct {
    bool set, def;
    double v;
} field;

static bool truthy(const field *f)
{
    return f->def && f->v != 0 && !isnan(f->v);
}

static const char *parse_datetime(asl_arena *a, asl_jnp_str s, asl_jnp_str pic, double now, double *out)
{
    *out = NAN;
    asl_jnp_dtspec spec;
    const char *err = asl_jnp_analyse_datetime(a, pic, &spec);
    if (err) return err;
    nodes ns;
    ns.v = asl_alloc(a, (spec.n * 6 + 1) * sizeof *ns.v);
    ns.n = 0;
    asl_jnp_str none = {0};
    for (size_t i = 0; i < spec.n; i++) {
        const asl_jnp_dtpart *p = &spec.p[i];
        int part = (int)i;
        if (!p->marker) {
            push_node(&ns, part, N_LIT, 0, 0, 0, p->lit);
        } else if (p->comp == 'Z' || p->comp == 'z') {
            if (p->comp == 'z') push_node(&ns, part, N_LIT, 0, 0, 0, asl_jnp_decode(a, "GMT"));
            push_node(&ns, part, N_CLASS, CL_SIGN, 1, 1, none);
            push_node(&ns, part, N_CLASS, CL_DIGIT, 1, 0, none);
            if (p->ifmt.primary == ASL_JNP_DECIMAL && p->ifmt.regular) {
                /* the separator goes into the reference's expression unescaped */
                if (p->ifmt.groups[0].ch == '.')
                    push_node(&ns, part, N_CLASS, CL_ANY, 1, 1, none);
                else
                    push_node(&ns, part, N_LIT, 0, 0, 0, (asl_jnp_str){&spec.p[i].ifmt.groups[0].ch, 1});
                push_node(&ns, part, N_CLASS, CL_DIGIT, 1, 0, none);
            }
        } else if (p->comp == 'f') {
            push_node(&ns, part, N_CLASS, CL_DIGIT, 1, 0, none);
        } else if (p->has_int) {
            err = int_nodes(&ns, part, &p->ifmt);
            if (err) return err;
        } else {
            if (!(p->comp == 'M' || p->comp == 'x' || p->comp == 'F' || p->comp == 'P')) return "D3133";
            push_node(&ns, part, N_CLASS, CL_ALPHA, 1, 0, none);
        }
    }
    if (s.n > 2000) return NULL;    /* longer than any date: no match (and a bounded recursion) */
    matcher m = {ns.v, ns.n, s, asl_alloc(a, (spec.n + 1) * sizeof(size_t)), 2000000};
    if (!match_from(&m, 0, 0)) return NULL;

    field comp[128];
    memset(comp, 0, sizeof comp);
    bool any = false;
    for (size_t i = 0; i < spec.n; i++) {
        const asl_jnp_dtpart *p = &spec.p[i];
        if (!p->marker || p->comp >= 128) continue;
        size_t from = m.cap_start[i], to = i + 1 < spec.n ? m.cap_start[i + 1] : s.n;
        asl_jnp_str v = {s.c + from, to - from};
        double x;
        if (p->comp == 'Z' || p->comp == 'z') {
            if (p->comp == 'z') v = asl_jnp_sub(v, 3, (long)v.n);
            double h = 0, mi = 0;
            if (p->ifmt.primary == ASL_JNP_DECIMAL && p->ifmt.regular) {
                long at = -1;
                for (size_t k = 0; k < v.n; k++)
                    if (v.c[k] == p->ifmt.groups[0].ch) {
                        at = (long)k;
                        break;
                    }
                h = asl_jnp_js_parseint(asl_jnp_sub(v, 0, at));
                mi = asl_jnp_js_parseint(asl_jnp_sub(v, at + 1, (long)v.n));
            } else if (v.n - 1 <= 2) {
                h = asl_jnp_js_parseint(v);
            } else {
                h = asl_jnp_js_parseint(asl_jnp_sub(v, 0, 3));
                mi = asl_jnp_js_parseint(asl_jnp_sub(v, 3, (long)v.n));
            }
            x = h * 60 + mi;
        } else if (p->comp == 'f') {
            char buf[8] = "0.";
            size_t k;
            for (k = 0; k < 3 && k < v.n; k++) buf[2 + k] = (char)v.c[k];
            buf[2 + k] = 0;
            x = strtod(buf, NULL) * 1000;
        } else if (p->has_int) {
            err = asl_jnp_parse_integer(a, v, &p->ifmt, &x);
            if (err) return err;
        } else {
            x = name_lookup(v, p);
        }
        comp[p->comp].set = true;
        comp[p->comp].def = !(isnan(x) && !p->has_int && p->comp != 'f' && p->comp != 'Z' && p->comp != 'z');
        comp[p->comp].v = x;
        any = true;
    }
    if (!any) return NULL;

    /* Which fields make the date and the time:
     *   date A {Y M D}, B {Y d}, C {X x w F}, D {X W F};  time A {H m s f}, B {P h m s f}.
     * A field that is 0 does not count as given here, as in the reference. */
    unsigned mask = 0;
    for (const char *q = "YXMxWwdD"; *q; q++) mask = mask << 1 | truthy(&comp[(int)*q]);
#define IS_TYPE(t) (!(~(t) & mask) && ((t) & mask))
    bool dateA = IS_TYPE(161u), dateB = !dateA && IS_TYPE(130u);
    bool dateC = IS_TYPE(84u), dateD = !dateC && IS_TYPE(72u);
    mask = 0;
    for (const char *q = "PHhmsf"; *q; q++) mask = mask << 1 | truthy(&comp[(int)*q]);
    bool timeA = IS_TYPE(23u), timeB = !timeA && IS_TYPE(47u);
#undef IS_TYPE
    char comps[16];
    snprintf(comps, sizeof comps, "%s%s", dateB ? "YD" : dateC ? "XxwF" : dateD ? "XWF" : "YMD",
             timeB ? "Phmsf" : "Hmsf");
    /* Above the given fields, now's; below them, the lowest value; a gap is an error. */
    asl_jnp_date nowd = asl_jnp_date_of(now);
    bool started = false, ended = false;
    for (const char *q = comps; *q; q++) {
        field *f = &comp[(int)*q];
        if (!f->def) {
            f->def = true;
            if (started) {
                f->v = strchr("MDd", *q) ? 1 : 0;
                ended = true;
            } else {
                /* now's am/pm is a string in the reference: never the 1 of pm below */
                f->v = *q == 'P' ? -1 : asl_jnp_fragment(&nowd, (uint32_t)*q);
            }
        } else {
            started = true;
            if (ended) return "D3136";
        }
    }
    double M = comp['M'].def && comp['M'].v > 0 ? comp['M'].v - 1 : 0;
    double D = comp['D'].v;
    if (dateB) {
        double t = asl_jnp_date_utc(comp['Y'].v, 0, 1, 0, 0, 0, 0) + (comp['d'].v - 1) * ASL_JNP_DAY_MS;
        asl_jnp_date dd = asl_jnp_date_of(t);
        M = dd.M - 1;
        D = dd.D;
    }
    if (dateC || dateD) return "D3136";    /* week dates: the reference does not parse them */
    double H = comp['H'].v;
    if (timeB) {
        H = comp['h'].v == 12 ? 0 : comp['h'].v;
        if (comp['P'].v == 1) H += 12;
    }
    double millis = asl_jnp_date_utc(comp['Y'].v, M, D, H, comp['m'].v, comp['s'].v, comp['f'].v);
    field *z = truthy(&comp['Z']) ? &comp['Z'] : truthy(&comp['z']) ? &comp['z'] : NULL;
    if (z) millis -= z->v * 60 * 1000;
    *out = millis;
    return NULL;
}

/* ---- $toMillis without a picture: ISO 8601 as the reference accepts it ------------------ */

/* The reference first checks the text against
 *   ^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$
 * (D3110 when it does not match) and then hands it to JavaScript's
 * Date.parse, which gives NaN for fields out of range (a day past the 31st,
 * an offset past 23 hours, 24:00 with anything after it), rolls a day past
 * its month's end into the next (2018-02-30 is 2 March), reads a time
 * without an offset as UTC (local time, which is UTC where the reference
 * runs), and reads only three digits of a fraction.  What Date.parse reads
 * only with its legacy rules (an offset or a fraction without a time, a day
 * without a month: "2020-10:30", "2018.5") is left undefined here. */

typedef struct {
    const char *s;
    size_t n;
    size_t at[6];     /* where each optional group starts; its length in len[] (0: absent) */
    size_t len[6];
} isomatch;

static bool dig(const isomatch *m, size_t i, char lo, char hi)
{
    return i < m->n && m->s[i] >= lo && m->s[i] <= hi;
}

/* The length of group g of the expression at i, 0 when it does not match there. */
static size_t iso_group(const isomatch *m, int g, size_t i)
{
    switch (g) {
    case 0:
        return i < m->n && m->s[i] == '-' && dig(m, i + 1, '0', '1') && dig(m, i + 2, '0', '9') ? 3 : 0;
    case 1:
        return i < m->n && m->s[i] == '-' && dig(m, i + 1, '0', '3') && dig(m, i + 2, '0', '9') ? 3 : 0;
    case 2:
        return i < m->n && m->s[i] == 'T' && dig(m, i + 1, '0', '2') && dig(m, i + 2, '0', '9') &&
               i + 3 < m->n && m->s[i + 3] == ':' && dig(m, i + 4, '0', '5') && dig(m, i + 5, '0', '9') &&
               i + 6 < m->n && m->s[i + 6] == ':' && dig(m, i + 7, '0', '5') && dig(m, i + 8, '0', '9') ? 9 : 0;
    case 3: {
        if (!(i < m->n && m->s[i] == '.' && dig(m, i + 1, '0', '9'))) return 0;
        size_t k = i + 1;
        while (dig(m, k, '0', '9')) k++;
        return k - i;
    }
    default: {
        if (i < m->n && m->s[i] == 'Z') return 1;
        if (!(i < m->n && (m->s[i] == '+' || m->s[i] == '-') && dig(m, i + 1, '0', '2') && dig(m, i + 2, '0', '9')))
            return 0;
        size_t k = i + 3;
        if (k < m->n && m->s[k] == ':' && dig(m, k + 1, '0', '5') && dig(m, k + 2, '0', '9')) return k + 3 - i;
        if (dig(m, k, '0', '5') && dig(m, k + 1, '0', '9')) return k + 2 - i;
        return 0;
    }
    }
}

/* The groups from g on, each tried present first, as the regular expression does. */
static bool iso_match(isomatch *m, int g, size_t i)
{
    if (g == 5) return i == m->n;
    size_t len = iso_group(m, g, i);
    m->at[g] = i;
    if (len) {
        m->len[g] = len;
        if (iso_match(m, g + 1, i + len)) return true;
    }
    m->len[g] = 0;
    return iso_match(m, g + 1, i);
}

static int num2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static const char *parse_iso(const char *s, double *out)
{
    isomatch m = {.s = s, .n = strlen(s)};
    *out = NAN;
    if (!(dig(&m, 0, '0', '9') && dig(&m, 1, '0', '9') && dig(&m, 2, '0', '9') && dig(&m, 3, '0', '9')) ||
        !iso_match(&m, 0, 4))
        return "D3110";
    bool month = m.len[0], day = m.len[1], time = m.len[2], frac = m.len[3], tz = m.len[4];
    if ((day && !month) || (frac && !time)) return NULL;
    int Y = num2(s) * 100 + num2(s + 2), M = month ? num2(s + m.at[0] + 1) : 1, D = day ? num2(s + m.at[1] + 1) : 1;
    int h = 0, mi = 0, sec = 0, ms = 0, offset = 0;
    if (time) {
        h = num2(s + m.at[2] + 1);
        mi = num2(s + m.at[2] + 4);
        sec = num2(s + m.at[2] + 7);
    }
    if (frac) {
        const char *f = s + m.at[3] + 1;
        for (int k = 0; k < 3; k++) ms = ms * 10 + (k < (int)m.len[3] - 1 ? f[k] - '0' : 0);
    }
    if (tz && s[m.at[4]] != 'Z') {
        if (!time) return NULL;    /* Date.parse: an offset needs a time */
        const char *z = s + m.at[4];
        int oh = num2(z + 1), om = num2(z + (z[3] == ':' ? 4 : 3));
        if (oh > 23) return NULL;
        offset = (z[0] == '-' ? -1 : 1) * (oh * 60 + om);
    }
    if (M < 1 || M > 12 || D < 1 || D > 31) return NULL;
    if (h > 24 || (h == 24 && (mi || sec || ms))) return NULL;
    double t = (double)asl_jnp_days_from_civil(Y, M, 1) + D - 1;
    t = t * ASL_JNP_DAY_MS + h * 3600000.0 + mi * 60000.0 + sec * 1000.0 + ms - offset * 60000.0;
    *out = asl_jnp_time_clip(t);
    return NULL;
}

const char *asl_jn_parse_datetime_at(const char *s, const char *picture, int64_t now_millis, int64_t *millis,
                                     int *undefined)
{
    double t;
    const char *err;
    *undefined = 0;
    if (!s) {
        *undefined = 1;
        return NULL;
    }
    if (!picture) {
        err = parse_iso(s, &t);
    } else {
        asl_arena *a = asl_arena_new();
        err = parse_datetime(a, asl_jnp_decode(a, s), asl_jnp_decode(a, picture), (double)now_millis, &t);
        asl_arena_free(a);
    }
    if (err) return err;
    if (isnan(t)) {
        *undefined = 1;
        return NULL;
    }
    *millis = (int64_t)t;
    return NULL;
}

const char *asl_jn_parse_datetime(const char *s, const char *picture, int64_t *millis, int *undefined)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return asl_jn_parse_datetime_at(s, picture, now, millis, undefined);
}
