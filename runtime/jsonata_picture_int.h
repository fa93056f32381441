/*
 * jsonata_picture_int.h — what jsonata_picture.c shares with jsonata_number.c,
 * jsonata_integer.c and jsonata_datetime.c: strings as code points, JavaScript's
 * number and string conversions the reference relies on, and the analysed
 * integer picture that date markers reuse.  Not part of the runtime's API.
 *
 * The reference is JavaScript: its pictures are walked with indexOf,
 * substring and charAt, its quirks included.  Doing the same on arrays of
 * code points keeps the C next to the rules it follows.
 */
#ifndef JSONATA_PICTURE_INT_H
#define JSONATA_PICTURE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "jsonata_picture.h"

typedef struct {
    uint32_t *c;   /* code points */
    size_t n;
} asl_jnp_str;

/* A string being built, in the arena (it grows by moving). */
typedef struct {
    asl_arena *a;
    uint32_t *c;
    size_t n, cap;
} asl_jnp_buf;

void asl_jnp_buf_init(asl_jnp_buf *b, asl_arena *a);
void asl_jnp_putc(asl_jnp_buf *b, uint32_t c);
void asl_jnp_puts(asl_jnp_buf *b, const char *ascii);
void asl_jnp_put(asl_jnp_buf *b, asl_jnp_str s);
asl_jnp_str asl_jnp_buf_str(const asl_jnp_buf *b);

asl_jnp_str asl_jnp_decode(asl_arena *a, const char *s);    /* UTF-8 to code points */
char *asl_jnp_encode(asl_arena *a, asl_jnp_str s);           /* and back, NUL-terminated */
asl_jnp_str asl_jnp_sub(asl_jnp_str s, long from, long to);   /* JS substring, sharing s */
long asl_jnp_index_of(asl_jnp_str h, asl_jnp_str needle, long from);      /* JS indexOf */
bool asl_jnp_is_space(uint32_t c);                           /* JS \s */

/* Number.prototype.toString (shortest text that reads back, JS layout). */
void asl_jnp_js_tostr(double v, char out[40]);
/* parseInt(s) (radix 10, or 16 after 0x), NaN when no digit. */
double asl_jnp_js_parseint(asl_jnp_str s);
/* Number.prototype.toFixed(dp) of x >= 0 (a tie rounds up), in a. */
char *asl_jnp_to_fixed(asl_arena *a, double x, int dp);
/* The reference's $round(x, precision): halves to even. */
double asl_jnp_round(double x, int precision);
/* The interval at which grouping positions repeat (all multiples of it,
 * every multiple present), 0 when they are not regular. */
uint32_t asl_jnp_regular_interval(const uint32_t *pos, size_t n);

/* fn:format-integer's analysed picture (the reference's analyseIntegerPicture). */
enum { ASL_JNP_DECIMAL, ASL_JNP_LETTERS, ASL_JNP_ROMAN, ASL_JNP_WORDS, ASL_JNP_SEQUENCE };
enum { ASL_JNP_LOWER, ASL_JNP_UPPER, ASL_JNP_TITLE };
typedef struct {
    uint32_t pos;      /* digits to the right of the separator */
    uint32_t ch;
} asl_jnp_group;
typedef struct {
    int primary, tcase;
    bool ordinal;
    uint32_t zero;             /* the decimal digit family's zero */
    double mandatory;          /* digits at least; NaN (the reference's undefined) when not decimal */
    double optional;           /* '#' signs, the same */
    bool regular;              /* groups[0] repeats every groups[0].pos digits */
    asl_jnp_group *groups;     /* irregular: in picture order from the right */
    size_t ngroups;
    double parse_width;        /* a date's adjacent numbers read exactly this many digits (0: any) */
} asl_jnp_intfmt;

const char *asl_jnp_analyse_integer(asl_arena *a, asl_jnp_str picture, asl_jnp_intfmt *f);
/* v is an integer (or NaN, of an invalid date); appends to out. */
const char *asl_jnp_format_integer(asl_jnp_buf *out, double v, const asl_jnp_intfmt *f);
/* The reverse, without validation of the text, as the reference: NaN when it does not parse. */
const char *asl_jnp_parse_integer(asl_arena *a, asl_jnp_str s, const asl_jnp_intfmt *f, double *out);

/* The number words the reference knows, in its order (its regular
 * expression for words tries them in this order). */
typedef struct {
    const char *word;
    double value;
} asl_jnp_word;
extern const asl_jnp_word asl_jnp_words[];
extern const size_t asl_jnp_nwords;

/* ---- dates (jsonata_datetime.c), shared with their parsing (jsonata_dateparse.c) ---- */

#define ASL_JNP_DAY_MS 86400000.0

int64_t asl_jnp_days_from_civil(int64_t y, int64_t m, int64_t d);   /* days since 1970-01-01 */
double asl_jnp_time_clip(double t);      /* NaN outside +-8.64e15 ms, else truncated */
/* Date.UTC(y, mon0, d, h, mi, s, ms): fields truncated, overflowing into the
 * next, years 0 to 99 meaning 1900 to 1999. */
double asl_jnp_date_utc(double y, double mon, double d, double h, double mi, double s, double ms);

/* A time value's UTC fields (the reference's Date), all NaN when invalid. */
typedef struct {
    bool valid;
    double t;                 /* the time value */
    double Y, M, D, H, mi, s, ms, dow;  /* month 1-12, dow 0 = Sunday */
} asl_jnp_date;

asl_jnp_date asl_jnp_date_of(double t);
/* The reference's getDateTimeFragment of component c ('P': 0 am, 1 pm). */
double asl_jnp_fragment(const asl_jnp_date *d, uint32_t c);
extern const char *const asl_jnp_day_names[];     /* [1] Monday .. [7] Sunday */
extern const char *const asl_jnp_month_names[];   /* [0] January .. */

enum { ASL_JNP_NAMES_NONE, ASL_JNP_NAMES_LOWER, ASL_JNP_NAMES_UPPER, ASL_JNP_NAMES_TITLE };

/* One part of an analysed date picture: literal text or a variable marker. */
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
} asl_jnp_dtpart;

typedef struct {
    asl_jnp_dtpart *p;
    size_t n;
} asl_jnp_dtspec;

const char *asl_jnp_analyse_datetime(asl_arena *a, asl_jnp_str pic, asl_jnp_dtspec *spec);

#endif
