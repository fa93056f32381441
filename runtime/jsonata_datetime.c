/*
 * jsonata_datetime.c — JSONata's $fromMillis / $now with a picture and a
 * timezone, and $toMillis with a picture or in its ISO 8601 default: the
 * XPath F&O 3.1 fn:format-dateTime picture rules (section 9.8) as the
 * reference implementation, jsonata-js, applies them, its quirks included
 * (Step Functions runs it, so its answers are the ones a workflow gets).
 *
 * A picture is analysed into literal text and variable markers ([Y0001],
 * [MNn,3-3], ...); a marker's number is written with the integer pictures
 * of jsonata_picture.c.  Parsing turns each marker into the small regular
 * expression the reference builds for it and matches the whole text with
 * a backtracking matcher that tries alternatives in the reference's order,
 * so that the same text gives the same fields; the fields then become a
 * time as the reference's rules say (fields left out default to now above
 * the given ones and to zero below).
 *
 * Times are JavaScript time values: milliseconds since 1970 in UTC, as
 * doubles, NaN for an invalid date (outside +-8.64e15 ms).
 */
#include "jsonata_picture_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000.0

/* ---- JavaScript's date arithmetic -------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static double time_clip(double t)
{
    if (!isfinite(t) || fabs(t) > 8.64e15) return NAN;
    return trunc(t) + 0.0;
}

/* Date.UTC(y, mon, d, h, mi, s, ms): fields truncated, months and days
 * overflowing into the next, years 0 to 99 meaning 1900 to 1999. */
static double date_utc(double y, double mon, double d, double h, double mi, double s, double ms)
{
    if (!isfinite(y) || !isfinite(mon) || !isfinite(d) || !isfinite(h) || !isfinite(mi) || !isfinite(s) ||
        !isfinite(ms))
        return NAN;
    y = trunc(y);
    if (y >= 0 && y <= 99) y += 1900;
    mon = trunc(mon);
    double ym = y + floor(mon / 12), mn = mon - floor(mon / 12) * 12;
    if (fabs(ym) > 400000) return NAN;
    double day = (double)days_from_civil((int64_t)ym, (int64_t)mn + 1, 1) + trunc(d) - 1;
    double tm = trunc(h) * 3600000.0 + trunc(mi) * 60000.0 + trunc(s) * 1000.0 + trunc(ms);
    return time_clip(day * DAY_MS + tm);
}

typedef struct {
    bool valid;
    double t;                 /* the time value */
    double Y, M, D, H, mi, s, ms, dow;  /* month 1-12, dow 0 = Sunday */
} jsdate;

static jsdate date_of(double t)
{
    jsdate d;
    d.t = time_clip(t);
    d.valid = !isnan(d.t);
    if (!d.valid) {
        d.Y = d.M = d.D = d.H = d.mi = d.s = d.ms = d.dow = NAN;
        return d;
    }
    double days = floor(d.t / DAY_MS), in_day = d.t - days * DAY_MS;
    int64_t y;
    int m, dd;
    civil_from_days((int64_t)days, &y, &m, &dd);
    d.Y = (double)y;
    d.M = m;
    d.D = dd;
    d.H = floor(in_day / 3600000);
    d.mi = floor(fmod(in_day, 3600000) / 60000);
    d.s = floor(fmod(in_day, 60000) / 1000);
    d.ms = fmod(in_day, 1000);
    d.dow = fmod(fmod(days + 4, 7) + 7, 7);
    return d;
}

/* The Monday that starts week 1 of a year or month: the week with its
 * first Thursday (ISO 8601, which F&O extends to months). */
static double start_of_first_week(double year, double month0)
{
    double first = date_utc(year, month0, 1, 0, 0, 0, 0);
    double dow = date_of(first).dow;
    if (dow == 0) dow = 7;
    return dow > 4 ? first + (8 - dow) * DAY_MS : first - (dow - 1) * DAY_MS;
}

static double delta_weeks(double start, double end)
{
    return (end - start) / (DAY_MS * 7) + 1;
}

/* The reference's getDateTimeFragment; 'P' gives 0 for am, 1 for pm. */
static double fragment(const jsdate *d, uint32_t c)
{
    double Y = d->Y, M0 = d->M - 1;
    switch (c) {
    case 'Y': return Y;
    case 'M': return d->M;
    case 'D': return d->D;
    case 'd':
        return (date_utc(Y, M0, d->D, 0, 0, 0, 0) - date_utc(Y, 0, 1, 0, 0, 0, 0)) / DAY_MS + 1;
    case 'F': return d->dow == 0 ? 7 : d->dow;
    case 'W': {
        double start = start_of_first_week(Y, 0), today = date_utc(Y, M0, d->D, 0, 0, 0, 0);
        double week = delta_weeks(start, today);
        if (week > 52) {
            if (today >= start_of_first_week(Y + 1, 0)) week = 1;
        } else if (week < 1) {
            week = delta_weeks(start_of_first_week(Y - 1, 0), today);
        }
        return floor(week);
    }
    case 'w': {
        double start = start_of_first_week(Y, M0), today = date_utc(Y, M0, d->D, 0, 0, 0, 0);
        double week = delta_weeks(start, today);
        if (week > 4) {
            double ny = M0 == 11 ? Y + 1 : Y, nm = M0 == 11 ? 0 : M0 + 1;
            if (today >= start_of_first_week(ny, nm)) week = 1;
        } else if (week < 1) {
            double py = M0 == 0 ? Y - 1 : Y, pm = M0 == 0 ? 11 : M0 - 1;
            week = delta_weeks(start_of_first_week(py, pm), today);
        }
        return floor(week);
    }
    case 'X': {
        if (d->t < start_of_first_week(Y, 0)) return Y - 1;
        if (d->t >= start_of_first_week(Y + 1, 0)) return Y + 1;
        return Y;
    }
    case 'x': {
        double ny = M0 == 11 ? Y + 1 : Y, nm = M0 == 11 ? 0 : M0 + 1;
        if (d->t < start_of_first_week(Y, M0)) return (M0 == 0 ? 11 : M0 - 1) + 1;
        if (d->t >= start_of_first_week(ny, nm)) return nm + 1;
        return M0 + 1;
    }
    case 'H': return d->H;
    case 'h': {
        double h = fmod(d->H, 12);
        return h == 0 ? 12 : h;
    }
    case 'P': return d->H >= 12 ? 1 : 0;
    case 'm': return d->mi;
    case 's': return d->s;
    case 'f': return d->ms;
    default: return NAN;
    }
}

/* ---- the analysed picture ------------------------------------------------------ */

enum { NAMES_NONE, NAMES_LOWER, NAMES_UPPER, NAMES_TITLE };

typedef struct {
    bool marker;
    asl_jnp_str lit;            /* literal text */
    uint32_t comp;              /* the component letter, 0 for an empty marker */
    bool has_width, min_def, max_def;
    double wmin, wmax;          /* parseInt of the width: may be NaN */
    asl_jnp_str pres1;
    uint32_t pres2;             /* a, t, c, o or 0 */
    int names;
    bool has_int;
    asl_jnp_intfmt ifmt;
    double n;                   /* Y: the digits kept, -1 for all */
} dtpart;

typedef struct {
    dtpart *p;
    size_t n;
} dtspec;

static bool has_char(const char *set, uint32_t c)
{
    return c && c < 128 && strchr(set, (int)c);
}

static const char *default_presentation(uint32_t c)
{
    switch (c) {
    case 'Y': case 'M': case 'D': case 'd': case 'W': case 'w': case 'X': case 'x': case 'H': case 'h':
    case 'f':
        return "1";
    case 'F': case 'P': case 'C': case 'E':
        return "n";
    case 'm': case 's':
        return "01";
    case 'Z': case 'z':
        return "01:01";
    default:
        return NULL;
    }
}

static double width_value(asl_arena *a, asl_jnp_str w, bool *def)
{
    if (w.n == 1 && w.c[0] == '*') {
        *def = false;
        return 0;
    }
    *def = true;
    (void)a;
    return asl_jnp_js_parseint(w);
}

static void add_literal(asl_arena *a, dtspec *spec, asl_jnp_str pic, long start, long end)
{
    if (end <= start) return;
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    for (long i = start; i < end; i++) {
        asl_jnp_putc(&b, pic.c[i]);
        if (pic.c[i] == ']' && i + 1 < end && pic.c[i + 1] == ']') i++;   /* ]] is ] */
    }
    dtpart *d = &spec->p[spec->n++];
    memset(d, 0, sizeof *d);
    d->lit = asl_jnp_buf_str(&b);
}

static const char *analyse_datetime(asl_arena *a, asl_jnp_str pic, dtspec *spec)
{
    spec->p = asl_alloc(a, (pic.n + 2) * sizeof *spec->p);
    spec->n = 0;
    long start = 0, pos = 0, n = (long)pic.n;
    while (pos < n) {
        if (pic.c[pos] != '[') {
            pos++;
            continue;
        }
        if (pos + 1 < n && pic.c[pos + 1] == '[') {     /* [[ is a literal [ */
            add_literal(a, spec, pic, start, pos);
            add_literal(a, spec, (asl_jnp_str){pic.c + pos, 1}, 0, 1);
            pos += 2;
            start = pos;
            continue;
        }
        add_literal(a, spec, pic, start, pos);
        start = pos;
        while (pos < n && pic.c[pos] != ']') pos++;
        if (pos == n) return "D3135";
        /* the marker without its whitespace */
        asl_jnp_buf mb;
        asl_jnp_buf_init(&mb, a);
        for (long i = start + 1; i < pos; i++)
            if (!asl_jnp_is_space(pic.c[i])) asl_jnp_putc(&mb, pic.c[i]);
        asl_jnp_str m = asl_jnp_buf_str(&mb);
        dtpart *d = &spec->p[spec->n];
        memset(d, 0, sizeof *d);
        d->marker = true;
        d->comp = m.n ? m.c[0] : 0;
        d->n = -1;
        long comma = -1;
        for (long i = (long)m.n - 1; i >= 0; i--)
            if (m.c[i] == ',') {
                comma = i;
                break;
            }
        asl_jnp_str pres;
        if (comma != -1) {
            /* F&O 9.8.4.2: the width modifier, min[-max] */
            asl_jnp_str w = asl_jnp_sub(a, m, comma + 1, (long)m.n);
            long dash = -1;
            for (long i = 0; i < (long)w.n; i++)
                if (w.c[i] == '-') {
                    dash = i;
                    break;
                }
            d->has_width = true;
            if (dash == -1) {
                d->wmin = width_value(a, w, &d->min_def);
            } else {
                d->wmin = width_value(a, asl_jnp_sub(a, w, 0, dash), &d->min_def);
                d->wmax = width_value(a, asl_jnp_sub(a, w, dash + 1, (long)w.n), &d->max_def);
            }
            pres = asl_jnp_sub(a, m, 1, comma);
        } else {
            pres = asl_jnp_sub(a, m, 1, (long)m.n);
        }
        if (pres.n == 1) {
            d->pres1 = pres;
        } else if (pres.n > 1) {
            uint32_t last = pres.c[pres.n - 1];
            if (has_char("atco", last)) {
                d->pres2 = last;
                d->pres1 = asl_jnp_sub(a, pres, 0, (long)pres.n - 1);
            } else {
                d->pres1 = pres;
            }
        } else {
            const char *def = default_presentation(d->comp);
            if (!def) return "D3132";
            d->pres1 = asl_jnp_decode(a, def);
        }
        if (d->pres1.n && d->pres1.c[0] == 'n') {
            d->names = NAMES_LOWER;
        } else if (d->pres1.n && d->pres1.c[0] == 'N') {
            d->names = d->pres1.n > 1 && d->pres1.c[1] == 'n' ? NAMES_TITLE : NAMES_UPPER;
        } else if (has_char("YMDdFWwXxHhmsf", d->comp)) {
            asl_jnp_buf ib;
            asl_jnp_buf_init(&ib, a);
            asl_jnp_put(&ib, d->pres1);
            if (d->pres2) {
                asl_jnp_putc(&ib, ';');
                asl_jnp_putc(&ib, d->pres2);
            }
            const char *err = asl_jnp_analyse_integer(a, asl_jnp_buf_str(&ib), &d->ifmt);
            if (err) return err;
            d->has_int = true;
            if (d->has_width && d->min_def && d->ifmt.mandatory < d->wmin) d->ifmt.mandatory = d->wmin;
            if (d->comp == 'Y') {
                /* F&O 9.8.4.4: the year keeps n digits */
                d->n = -1;
                if (d->has_width && d->max_def) {
                    d->n = d->wmax;
                    d->ifmt.mandatory = d->n;
                } else {
                    double w = d->ifmt.mandatory + d->ifmt.optional;
                    if (w >= 2) d->n = w;
                }
            }
            /* two numbers with no text between them are read at their exact widths */
            if (spec->n > 0 && spec->p[spec->n - 1].has_int)
                spec->p[spec->n - 1].ifmt.parse_width = spec->p[spec->n - 1].ifmt.mandatory;
        }
        if (d->comp == 'Z' || d->comp == 'z') {
            const char *err = asl_jnp_analyse_integer(a, d->pres1, &d->ifmt);
            if (err) return err;
            d->has_int = true;
        }
        spec->n++;
        start = pos + 1;
        pos++;
    }
    add_literal(a, spec, pic, start, pos);
    return NULL;
}

/* ---- formatting ------------------------------------------------------------------ */

static const char *const day_names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                        "Saturday", "Sunday"};
static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"};

static const char *format_component(asl_jnp_buf *out, const jsdate *d, const dtpart *p, double offh,
                                    double offm)
{
    uint32_t c = p->comp;
    if (has_char("YMDdFWwXxHhms", c)) {
        double v = fragment(d, c);
        if (c == 'Y' && p->n != -1) v = fmod(v, pow(10, p->n));
        if (p->names) {
            const char *name = NULL;
            if (c == 'M' || c == 'x')
                name = v >= 1 && v <= 12 ? month_names[(int)v - 1] : "";
            else if (c == 'F')
                name = v >= 1 && v <= 7 ? day_names[(int)v] : "";
            else
                return "D3133";
            size_t start = out->n;
            asl_jnp_puts(out, name);
            for (size_t i = start; i < out->n; i++) {
                uint32_t ch = out->c[i];
                if (p->names == NAMES_UPPER && ch >= 'a' && ch <= 'z') out->c[i] = ch - 32;
                if (p->names == NAMES_LOWER && ch >= 'A' && ch <= 'Z') out->c[i] = ch + 32;
            }
            if (p->has_width && p->max_def && (double)(out->n - start) > p->wmax)
                out->n = start + (size_t)(p->wmax < 0 ? 0 : p->wmax);
            return NULL;
        }
        return asl_jnp_format_integer(out, v, &p->ifmt);
    }
    if (c == 'f') return asl_jnp_format_integer(out, fragment(d, 'f'), &p->ifmt);
    if (c == 'Z' || c == 'z') {
        /* F&O 9.8.4.6: the offset as hours, hhmm or hh:mm, as the picture's digits say */
        double offset = offh * 100 + offm;
        asl_jnp_buf v;
        asl_jnp_buf_init(&v, out->a);
        const char *err = NULL;
        if (p->ifmt.regular) {
            err = asl_jnp_format_integer(&v, offset, &p->ifmt);
        } else {
            double digits = p->ifmt.mandatory;
            if (digits == 1 || digits == 2) {
                err = asl_jnp_format_integer(&v, offh, &p->ifmt);
                if (!err && offm != 0) {
                    asl_jnp_intfmt two;
                    asl_jnp_str zz = asl_jnp_decode(out->a, "00");
                    asl_jnp_analyse_integer(out->a, zz, &two);
                    asl_jnp_putc(&v, ':');
                    err = asl_jnp_format_integer(&v, floor(offm), &two);
                }
            } else if (digits == 3 || digits == 4) {
                err = asl_jnp_format_integer(&v, offset, &p->ifmt);
            } else {
                return "D3134";
            }
        }
        if (err) return err;
        if (offset == 0 && p->pres2 == 't') {
            asl_jnp_putc(out, 'Z');
            return NULL;
        }
        if (c == 'z') asl_jnp_puts(out, "GMT");
        if (offset >= 0) asl_jnp_putc(out, '+');
        asl_jnp_put(out, asl_jnp_buf_str(&v));
        return NULL;
    }
    if (c == 'P') {
        asl_jnp_puts(out, fragment(d, 'P') == 1 ? (p->names == NAMES_UPPER ? "PM" : "pm")
                                               : (p->names == NAMES_UPPER ? "AM" : "am"));
        return NULL;
    }
    if (c == 'C' || c == 'E') {
        asl_jnp_puts(out, "ISO");
        return NULL;
    }
    asl_jnp_puts(out, "undefined");    /* an unknown component with a presentation: the reference's text */
    return NULL;
}

static const char iso_picture[] = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

const char *asl_jn_format_datetime_d(asl_arena *a, double millis, const char *picture, const char *timezone,
                                     char **out)
{
    double offh = 0, offm = 0;
    if (timezone) {
        /* "+hhmm" read as the number hhmm, as the reference does (so -0530 is -6h + -30min) */
        double offset = asl_jnp_js_parseint(asl_jnp_decode(a, timezone));
        offh = floor(offset / 100);
        offm = fmod(offset, 100);
    }
    dtspec spec;
    const char *err = analyse_datetime(a, asl_jnp_decode(a, picture ? picture : iso_picture), &spec);
    if (err) return err;
    jsdate d = date_of(millis + (60 * offh + offm) * 60 * 1000);
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    for (size_t i = 0; i < spec.n; i++) {
        if (!spec.p[i].marker) {
            asl_jnp_put(&b, spec.p[i].lit);
            continue;
        }
        err = format_component(&b, &d, &spec.p[i], offh, offm);
        if (err) return err;
    }
    *out = asl_jnp_encode(a, asl_jnp_buf_str(&b));
    return NULL;
}

const char *asl_jn_format_datetime(asl_arena *a, int64_t millis, const char *picture, const char *timezone,
                                   char **out)
{
    return asl_jn_format_datetime_d(a, (double)millis, picture, timezone, out);
}

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
            if (!lit_at_ascii(m, pos, asl_jnp_words[w])) continue;
            len = strlen(asl_jnp_words[w]);
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

static double name_lookup(asl_jnp_str v, const dtpart *p)
{
    double found = NAN;    /* NaN: the reference's undefined */
    bool cut = p->has_width && p->max_def && p->wmax != 0 && !isnan(p->wmax);
    const char *const *names = NULL;
    int count = 0, first = 0;
    if (p->comp == 'M' || p->comp == 'x') {
        names = month_names;
        count = 12;
    } else if (p->comp == 'F') {
        names = day_names;
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
    dtspec spec;
    const char *err = analyse_datetime(a, pic, &spec);
    if (err) return err;
    nodes ns;
    ns.v = asl_alloc(a, (spec.n * 6 + 1) * sizeof *ns.v);
    ns.n = 0;
    asl_jnp_str none = {0};
    for (size_t i = 0; i < spec.n; i++) {
        const dtpart *p = &spec.p[i];
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
        const dtpart *p = &spec.p[i];
        if (!p->marker || p->comp >= 128) continue;
        size_t from = m.cap_start[i], to = i + 1 < spec.n ? m.cap_start[i + 1] : s.n;
        asl_jnp_str v = {s.c + from, to - from};
        double x;
        if (p->comp == 'Z' || p->comp == 'z') {
            if (p->comp == 'z') v = asl_jnp_sub(a, v, 3, (long)v.n);
            double h = 0, mi = 0;
            if (p->ifmt.primary == ASL_JNP_DECIMAL && p->ifmt.regular) {
                long at = -1;
                for (size_t k = 0; k < v.n; k++)
                    if (v.c[k] == p->ifmt.groups[0].ch) {
                        at = (long)k;
                        break;
                    }
                h = asl_jnp_js_parseint(asl_jnp_sub(a, v, 0, at));
                mi = asl_jnp_js_parseint(asl_jnp_sub(a, v, at + 1, (long)v.n));
            } else if (v.n - 1 <= 2) {
                h = asl_jnp_js_parseint(v);
            } else {
                h = asl_jnp_js_parseint(asl_jnp_sub(a, v, 0, 3));
                mi = asl_jnp_js_parseint(asl_jnp_sub(a, v, 3, (long)v.n));
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
    jsdate nowd = date_of(now);
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
                f->v = *q == 'P' ? -1 : fragment(&nowd, (uint32_t)*q);
            }
        } else {
            started = true;
            if (ended) return "D3136";
        }
    }
    double M = comp['M'].def && comp['M'].v > 0 ? comp['M'].v - 1 : 0;
    double D = comp['D'].v;
    if (dateB) {
        double t = date_utc(comp['Y'].v, 0, 1, 0, 0, 0, 0) + (comp['d'].v - 1) * DAY_MS;
        jsdate dd = date_of(t);
        M = dd.M - 1;
        D = dd.D;
    }
    if (dateC || dateD) return "D3136";    /* week dates: the reference does not parse them */
    double H = comp['H'].v;
    if (timeB) {
        H = comp['h'].v == 12 ? 0 : comp['h'].v;
        if (comp['P'].v == 1) H += 12;
    }
    double millis = date_utc(comp['Y'].v, M, D, H, comp['m'].v, comp['s'].v, comp['f'].v);
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
    double t = (double)days_from_civil(Y, M, 1) + D - 1;
    t = t * DAY_MS + h * 3600000.0 + mi * 60000.0 + sec * 1000.0 + ms - offset * 60000.0;
    *out = time_clip(t);
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
