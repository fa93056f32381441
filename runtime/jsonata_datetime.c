/*
 * jsonata_datetime.c — JSONata's $fromMillis and $now with a picture and a
 * timezone: the XPath F&O 3.1 fn:format-dateTime picture rules (section
 * 9.8) as the reference implementation, jsonata-js, applies them, its
 * quirks included (Step Functions runs it, so its answers are the ones a
 * workflow gets).
 *
 * A picture is analysed into literal text and variable markers ([Y0001],
 * [MNn,3-3], ...); a marker's number is written with the integer pictures
 * of jsonata_integer.c.  The analysis and the date arithmetic here are
 * shared with $toMillis (jsonata_dateparse.c).
 *
 * Times are JavaScript time values: milliseconds since 1970 in UTC, as
 * doubles, NaN for an invalid date (outside +-8.64e15 ms).
 */
#include "jsonata_picture_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- JavaScript's date arithmetic -------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t asl_jnp_days_from_civil(int64_t y, int64_t m, int64_t d)
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

double asl_jnp_time_clip(double t)
{
    if (!isfinite(t) || fabs(t) > 8.64e15) return NAN;
    return trunc(t) + 0.0;
}

/* Date.UTC(y, mon, d, h, mi, s, ms): fields truncated, months and days
 * overflowing into the next, years 0 to 99 meaning 1900 to 1999. */
double asl_jnp_date_utc(double y, double mon, double d, double h, double mi, double s, double ms)
{
    if (!isfinite(y) || !isfinite(mon) || !isfinite(d) || !isfinite(h) || !isfinite(mi) || !isfinite(s) ||
        !isfinite(ms))
        return NAN;
    y = trunc(y);
    if (y >= 0 && y <= 99) y += 1900;
    mon = trunc(mon);
    double ym = y + floor(mon / 12), mn = mon - floor(mon / 12) * 12;
    if (fabs(ym) > 400000) return NAN;
    double day = (double)asl_jnp_days_from_civil((int64_t)ym, (int64_t)mn + 1, 1) + trunc(d) - 1;
    double tm = trunc(h) * 3600000.0 + trunc(mi) * 60000.0 + trunc(s) * 1000.0 + trunc(ms);
    return asl_jnp_time_clip(day * ASL_JNP_DAY_MS + tm);
}

asl_jnp_date asl_jnp_date_of(double t)
{
    asl_jnp_date d;
    d.t = asl_jnp_time_clip(t);
    d.valid = !isnan(d.t);
    if (!d.valid) {
        d.Y = d.M = d.D = d.H = d.mi = d.s = d.ms = d.dow = NAN;
        return d;
    }
    double days = floor(d.t / ASL_JNP_DAY_MS), in_day = d.t - days * ASL_JNP_DAY_MS;
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
    double first = asl_jnp_date_utc(year, month0, 1, 0, 0, 0, 0);
    double dow = asl_jnp_date_of(first).dow;
    if (dow == 0) dow = 7;
    return dow > 4 ? first + (8 - dow) * ASL_JNP_DAY_MS : first - (dow - 1) * ASL_JNP_DAY_MS;
}

static double delta_weeks(double start, double end)
{
    return (end - start) / (ASL_JNP_DAY_MS * 7) + 1;
}

/* The reference's getDateTimeFragment; 'P' gives 0 for am, 1 for pm. */
double asl_jnp_fragment(const asl_jnp_date *d, uint32_t c)
{
    double Y = d->Y, M0 = d->M - 1;
    switch (c) {
    case 'Y': return Y;
    case 'M': return d->M;
    case 'D': return d->D;
    case 'd':
        return (asl_jnp_date_utc(Y, M0, d->D, 0, 0, 0, 0) - asl_jnp_date_utc(Y, 0, 1, 0, 0, 0, 0)) / ASL_JNP_DAY_MS + 1;
    case 'F': return d->dow == 0 ? 7 : d->dow;
    case 'W': {
        double start = start_of_first_week(Y, 0), today = asl_jnp_date_utc(Y, M0, d->D, 0, 0, 0, 0);
        double week = delta_weeks(start, today);
        if (week > 52) {
            if (today >= start_of_first_week(Y + 1, 0)) week = 1;
        } else if (week < 1) {
            week = delta_weeks(start_of_first_week(Y - 1, 0), today);
        }
        return floor(week);
    }
    case 'w': {
        double start = start_of_first_week(Y, M0), today = asl_jnp_date_utc(Y, M0, d->D, 0, 0, 0, 0);
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

static double width_value(asl_jnp_str w, bool *def)
{
    if (w.n == 1 && w.c[0] == '*') {
        *def = false;
        return 0;
    }
    *def = true;
    return asl_jnp_js_parseint(w);
}

static void add_literal(asl_arena *a, asl_jnp_dtspec *spec, asl_jnp_str pic, long start, long end)
{
    if (end <= start) return;
    asl_jnp_buf b;
    asl_jnp_buf_init(&b, a);
    for (long i = start; i < end; i++) {
        asl_jnp_putc(&b, pic.c[i]);
        if (pic.c[i] == ']' && i + 1 < end && pic.c[i + 1] == ']') i++;   /* ]] is ] */
    }
    asl_jnp_dtpart *d = &spec->p[spec->n++];
    memset(d, 0, sizeof *d);
    d->lit = asl_jnp_buf_str(&b);
}

const char *asl_jnp_analyse_datetime(asl_arena *a, asl_jnp_str pic, asl_jnp_dtspec *spec)
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
        asl_jnp_dtpart *d = &spec->p[spec->n];
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
            asl_jnp_str w = asl_jnp_sub(m, comma + 1, (long)m.n);
            long dash = -1;
            for (long i = 0; i < (long)w.n; i++)
                if (w.c[i] == '-') {
                    dash = i;
                    break;
                }
            d->has_width = true;
            if (dash == -1) {
                d->wmin = width_value(w, &d->min_def);
            } else {
                d->wmin = width_value(asl_jnp_sub(w, 0, dash), &d->min_def);
                d->wmax = width_value(asl_jnp_sub(w, dash + 1, (long)w.n), &d->max_def);
            }
            pres = asl_jnp_sub(m, 1, comma);
        } else {
            pres = asl_jnp_sub(m, 1, (long)m.n);
        }
        if (pres.n == 1) {
            d->pres1 = pres;
        } else if (pres.n > 1) {
            uint32_t last = pres.c[pres.n - 1];
            if (has_char("atco", last)) {
                d->pres2 = last;
                d->pres1 = asl_jnp_sub(pres, 0, (long)pres.n - 1);
            } else {
                d->pres1 = pres;
            }
        } else {
            const char *def = default_presentation(d->comp);
            if (!def) return "D3132";
            d->pres1 = asl_jnp_decode(a, def);
        }
        if (d->pres1.n && d->pres1.c[0] == 'n') {
            d->names = ASL_JNP_NAMES_LOWER;
        } else if (d->pres1.n && d->pres1.c[0] == 'N') {
            d->names = d->pres1.n > 1 && d->pres1.c[1] == 'n' ? ASL_JNP_NAMES_TITLE : ASL_JNP_NAMES_UPPER;
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

const char *const asl_jnp_day_names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                        "Saturday", "Sunday"};
const char *const asl_jnp_month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"};

static const char *format_component(asl_jnp_buf *out, const asl_jnp_date *d, const asl_jnp_dtpart *p, double offh,
                                    double offm)
{
    uint32_t c = p->comp;
    if (has_char("YMDdFWwXxHhms", c)) {
        double v = asl_jnp_fragment(d, c);
        if (c == 'Y' && p->n != -1) v = fmod(v, pow(10, p->n));
        if (p->names) {
            const char *name = NULL;
            if (c == 'M' || c == 'x')
                name = v >= 1 && v <= 12 ? asl_jnp_month_names[(int)v - 1] : "";
            else if (c == 'F')
                name = v >= 1 && v <= 7 ? asl_jnp_day_names[(int)v] : "";
            else
                return "D3133";
            size_t start = out->n;
            asl_jnp_puts(out, name);
            for (size_t i = start; i < out->n; i++) {
                uint32_t ch = out->c[i];
                if (p->names == ASL_JNP_NAMES_UPPER && ch >= 'a' && ch <= 'z') out->c[i] = ch - 32;
                if (p->names == ASL_JNP_NAMES_LOWER && ch >= 'A' && ch <= 'Z') out->c[i] = ch + 32;
            }
            if (p->has_width && p->max_def && (double)(out->n - start) > p->wmax)
                out->n = start + (size_t)(p->wmax < 0 ? 0 : p->wmax);
            return NULL;
        }
        return asl_jnp_format_integer(out, v, &p->ifmt);
    }
    if (c == 'f') return asl_jnp_format_integer(out, asl_jnp_fragment(d, 'f'), &p->ifmt);
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
        asl_jnp_puts(out, asl_jnp_fragment(d, 'P') == 1 ? (p->names == ASL_JNP_NAMES_UPPER ? "PM" : "pm")
                                               : (p->names == ASL_JNP_NAMES_UPPER ? "AM" : "am"));
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
    asl_jnp_dtspec spec;
    const char *err = asl_jnp_analyse_datetime(a, asl_jnp_decode(a, picture ? picture : iso_picture), &spec);
    if (err) return err;
    asl_jnp_date d = asl_jnp_date_of(millis + (60 * offh + offm) * 60 * 1000);
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
