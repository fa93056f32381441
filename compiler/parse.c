/*
 * parse.c — the front end: the cJSON tree of a definition into the IR.
 *
 * One pass over the tree reads every field into typed IR, checking the
 * structure ASL demands as it goes (field names and JSON types per state
 * type, Next/End, paths, intrinsic calls, Choice rule shape, Retry/Catch,
 * ranges); a second pass per scope resolves state names (StartAt, Next,
 * Default, Choices, Catch) to states through a hash of the scope's names.
 * Names that do not resolve are reported at the very end, when every scope
 * is known, so that the message can say that the state is in another
 * scope (transitions cannot cross scopes) or suggest a close name.
 *
 * Every problem is reported with its position and JSON pointer and parsing
 * carries on, so one run reports them all.  Each check cites the rule of
 * the ASL specification or of the AWS documentation it enforces.  A field
 * or form that AWS accepts and aslc does not implement is refused with a
 * message saying "not implemented yet", never compiled into something that
 * behaves differently.  Unknown names get a "did you mean" when one is
 * close (Levenshtein distance, case-insensitive), a bounded number of times.
 * validate.c calls this and adds the checks across the whole graph;
 * nothing after the front end looks at cJSON.
 */
#include "aslc.h"
#include "intrinsic.h"
#include "jsonata_ast.h"
#include "jsonpath.h"
#include "lir.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    aslc_unit *u;
    ir_program *p;
    asl_arena *a;
    /* every state, for ir_program.all */
    ir_state **all;
    uint32_t nall, capall;
    /* C identifiers already used, open addressing */
    const char **cnames;
    uint32_t capnames;
    /* names that did not resolve, reported at the end (newest first) */
    struct unresolved *unresolved;
    /* error names of Retry/Catch that start "States." but are not
     * predefined, checked at the end (report_reserved) */
    struct reserved_name *reserved;
    /* every state name of every scope so far, with the first one's scope
     * and pointer (open addressing, at most half full) */
    struct global_name *gnames;
    uint32_t capg, ng;
    uint32_t suggestions;   /* "did you mean" searches so far */
    bool top_jsonata;       /* the machine's QueryLanguage is JSONata */
    const char **slots;     /* variable names read by ASL_JNT_FAST fields: a slot each */
    uint32_t nslots, capslots;
    ir_state *jn;           /* the JSONata state being read: its `{% %}` values are not numbers */
    bool nul;               /* the text holds a \u0000 escape: strings may have to be read whole */
} P;

typedef struct global_name {
    const char *name, *ptr;
    const struct ir_machine *scope;
} global_name;

const char *ir_state_type_name(ir_state_type t)
{
    static const char *const names[] = {
#define X(id, name) name,
#include "state_types.def"
#undef X
    };
    return (unsigned)t < IR__NTYPES ? names[t] : "?";
}

/* ---- helpers ------------------------------------------------------------------- */

#define ERR(c, node, ptr, ...) aslc_diag((c)->u, ASLC_ERROR, node, false, ptr, __VA_ARGS__)
#define ERR_KEY(c, node, ptr, ...) aslc_diag((c)->u, ASLC_ERROR, node, true, ptr, __VA_ARGS__)

/* JSON pointer of a member: base + "/" + key, with ~ and / escaped (RFC 6901). */
static const char *ptr_join(P *c, const char *base, const char *key)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, strcmp(base, "/") ? base : "");
    asl_buf_putc(&b, '/');
    for (const char *k = key; *k; k++) {
        if (*k == '~') asl_buf_puts(&b, "~0");
        else if (*k == '/') asl_buf_puts(&b, "~1");
        else asl_buf_putc(&b, *k);
    }
    char *s = asl_strndup(c->a, b.data, b.len);
    asl_buf_free(&b);
    return s;
}

static const char *ptr_index(P *c, const char *base, int i)
{
    return asl_sprintf(c->a, "%s/%d", strcmp(base, "/") ? base : "", i);
}

static const char *json_type_name(const cJSON *n)
{
    if (cJSON_IsString(n)) return "a string";
    if (cJSON_IsNumber(n)) return "a number";
    if (cJSON_IsBool(n)) return "a boolean";
    if (cJSON_IsNull(n)) return "null";
    if (cJSON_IsArray(n)) return "an array";
    if (cJSON_IsObject(n)) return "an object";
    return "an invalid value";
}

static const cJSON *field(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static ir_loc loc_of(P *c, const cJSON *node, const char *ptr)
{
    ir_loc l = {0, 0, ptr};
    aslc_srcmap_pos(c->u->map, node, false, &l.line, &l.col);
    return l;
}

static const char *get_string(P *c, const cJSON *obj, const char *name, const char *ptr, bool required)
{
    const cJSON *n = field(obj, name);
    if (!n) {
        if (required) ERR(c, obj, ptr, "missing required field \"%s\"", name);
        return NULL;
    }
    if (!cJSON_IsString(n)) {
        ERR(c, n, ptr_join(c, ptr, name), "expected a string, got %s", json_type_name(n));
        return NULL;
    }
    return asl_strndup(c->a, n->valuestring, strlen(n->valuestring));
}

/* The string n whole, a copy in the arena, its length in *len: cJSON's
 * copy stops at a \u0000, so such a string is read again from the source
 * (nulchars.c). */
static const char *whole(P *c, const cJSON *n, size_t *len)
{
    const char *s = n->valuestring;
    *len = strlen(s);
    if (c->nul && aslc_srcmap_has_nul(c->u->map, n, false))
        aslc_srcmap_string(c->u->map, c->a, n, false, &s, len);
    return asl_strndup(c->a, s, *len);   /* in the arena: the cJSON tree is freed first */
}

/* The key of member k whole, a copy in the arena, its length in *len. */
static const char *whole_key(P *c, const cJSON *k, size_t *len)
{
    const char *s = k->string;
    *len = strlen(s);
    if (c->nul && aslc_srcmap_has_nul(c->u->map, k, true))
        aslc_srcmap_string(c->u->map, c->a, k, true, &s, len);
    return asl_strndup(c->a, s, *len);
}

/* Text for messages (an expression as written): a U+0000 is written \u0000. */
static const char *message_text(P *c, const char *s, size_t n)
{
    if (!memchr(s, 0, n)) return asl_strndup(c->a, s, n);
    asl_buf b;
    asl_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i]) asl_buf_putc(&b, s[i]);
        else asl_buf_puts(&b, "\\u0000");
    }
    const char *t = asl_strndup(c->a, b.data, b.len);
    asl_buf_free(&b);
    return t;
}

/* get_string, whole (a U+0000 kept), its length in *len. */
static const char *get_string_n(P *c, const cJSON *obj, const char *name, const char *ptr,
                                uint32_t *len)
{
    *len = 0;
    const char *s = get_string(c, obj, name, ptr, false);
    if (!s) return NULL;
    size_t n;
    s = whole(c, field(obj, name), &n);
    *len = (uint32_t)n;
    return s;
}

/* A `{% expression %}` string: a JSONata state's computed value (whole:
 * "{% 'a\u0000' %}" is one, though cJSON's copy ends before its "%}"). */
static bool jn_text(P *c, const cJSON *n)
{
    if (!cJSON_IsString(n)) return false;
    const char *t = n->valuestring;
    size_t l = strlen(t);
    if (c->nul && aslc_srcmap_has_nul(c->u->map, n, false))
        aslc_srcmap_string(c->u->map, c->a, n, false, &t, &l);
    return l >= 4 && !memcmp(t, "{%", 2) && !memcmp(t + l - 2, "%}", 2);
}

static bool get_number(P *c, const cJSON *obj, const char *name, const char *ptr, double *out)
{
    const cJSON *n = field(obj, name);
    if (c->jn && jn_text(c, n)) return false;  /* read by read_jn_state */
    if (!n) return false;
    if (!cJSON_IsNumber(n)) {
        ERR(c, n, ptr_join(c, ptr, name), "expected a number, got %s", json_type_name(n));
        return false;
    }
    *out = n->valuedouble;
    return true;
}

static const char *number_text(P *c, const cJSON *n);

/* A number field that must also be finite: a double (what AWS reads numbers
 * into) cannot hold 1e999999. */
static bool get_finite(P *c, const cJSON *obj, const char *name, const char *ptr, double *out)
{
    if (!get_number(c, obj, name, ptr, out)) return false;
    if (isfinite(*out)) return true;
    const cJSON *n = field(obj, name);
    ERR(c, n, ptr_join(c, ptr, name), "number %s is out of range", number_text(c, n));
    return false;
}

/* A number as written in the source (at most 40 characters of it), for
 * messages: a double would print 1e999999 as inf. */
static const char *number_text(P *c, const cJSON *n)
{
    const char *src;
    size_t len;
    if (aslc_srcmap_span(c->u->map, n, &src, &len))
        return len > 40 ? asl_sprintf(c->a, "%.37s...", src) : asl_strndup(c->a, src, len);
    return asl_sprintf(c->a, "%g", n->valuedouble);
}

/* An integer field in [lo, hi]; false when absent or invalid (reported). */
static bool get_int(P *c, const cJSON *obj, const char *name, const char *ptr, double lo,
                    double hi, double *out)
{
    double d;
    if (!get_number(c, obj, name, ptr, &d)) return false;
    const cJSON *n = field(obj, name);
    if (d != floor(d) && isfinite(d)) {
        ERR(c, n, ptr_join(c, ptr, name), "expected an integer, got %s", number_text(c, n));
        return false;
    }
    if (!(d >= lo && d <= hi)) {
        ERR(c, n, ptr_join(c, ptr, name), "must be an integer from %.0f to %.0f, got %s", lo, hi,
            number_text(c, n));
        return false;
    }
    *out = d;
    return true;
}

static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = s[i];
        v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 0);
    }
    return v;
}

/* Line and column of byte errpos of a string value's decoded text: the
 * source literal is walked escape by escape (\n is two columns there, \u00e9
 * six, a multi-byte character one), so the caret lands on the character
 * whatever the string holds. */
static void string_pos(P *c, const cJSON *n, size_t errpos, int *line, int *col)
{
    *line = *col = 0;
    if (!aslc_srcmap_pos(c->u->map, n, false, line, col)) return;
    const char *s;
    size_t len;
    if (!aslc_srcmap_span(c->u->map, n, &s, &len) || len < 2 || s[0] != '"') return;
    size_t i = 1, d = 0;
    int cc = *col + 1;
    while (i + 1 < len && d < errpos) {
        if (s[i] == '\\' && i + 2 < len) {
            if (s[i + 1] == 'u' && i + 6 <= len) {
                unsigned cp = hex4(s + i + 2);
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= len && s[i + 6] == '\\' &&
                    s[i + 7] == 'u') {
                    d += 4;
                    i += 12;
                    cc += 12;
                } else {
                    d += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
                    i += 6;
                    cc += 6;
                }
            } else {
                d++;
                i += 2;
                cc += 2;
            }
        } else {
            size_t k = 1;
            while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80) k++;
            d += k;
            i += k;
            cc++;
        }
    }
    *col = cc;
}

/* Reports a malformed path or call at the exact character inside the string. */
static void path_error(P *c, const cJSON *n, const char *ptr, const char *what, const char *err,
                       size_t errpos)
{
    int line, col;
    string_pos(c, n, errpos, &line, &col);
    /* jsonpath.c says "not supported" of the parts of Jayway's grammar (which
     * AWS evaluates paths with) it does not parse: for the user, features
     * aslc does not implement yet, said as every such feature is. */
    const char *ns = strstr(err, "not supported");
    if (ns) {
        const char *rest = ns + strlen("not supported");
        while (*rest == ' ') rest++;
        aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr, "%.*snot implemented yet in aslc%s%s%s",
                     (int)(ns - err), err, *rest && *rest != ';' ? " (" : "", rest,
                     *rest && *rest != ';' ? ")" : "");
    } else
        aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr, "invalid %s: %s", what, err);
}

/* ---- "did you mean" ------------------------------------------------------------------- */

/* Levenshtein distance, case-insensitive, of two short words (longer words
 * are never close enough to be suggested). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The candidate closest to word, when close enough to be a typo of it. */
static const char *suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bd = 99, limit = strlen(word) / 4 + 1;
    if (limit > 3) limit = 3;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i]) continue;
        size_t d = edit_distance(word, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return bd <= limit ? best : NULL;
}

/* "; did you mean \"X\"?" or "", for appending to a message. */
static const char *did_you_mean(P *c, const char *word, const char *const *cands, size_t n)
{
    /* Suggestions cost a little each; a hostile definition with thousands of
     * unknown fields gets the first hundred. */
    if (c->suggestions++ >= 100) return "";
    const char *s = suggest(word, cands, n);
    return s ? asl_sprintf(c->a, "; did you mean \"%s\"?", s) : "";
}

static const asl_path *parse_path_node(P *c, const cJSON *n, const char *ptr, aslc_path_mode mode,
                                       bool allow_context)
{
    char err[256];
    size_t pos = 0;
    size_t len;
    const char *text = whole(c, n, &len);   /* member names may hold a U+0000 */
    const asl_path *p = aslc_path_parse_n(c->a, text, len, mode, err, sizeof err, &pos);
    if (!p) {
        path_error(c, n, ptr, "JSONPath", err, pos);
        return NULL;
    }
    if (!allow_context && p->root == ASL_ROOT_CONTEXT) {
        ERR(c, n, ptr, "the context object ($$) cannot be used here");
        return NULL;
    }
    if (!allow_context && p->root == ASL_ROOT_VAR) {
        ERR(c, n, ptr, "a variable ($%.*s) cannot be used here: ResultPath writes into the "
                       "state's input", (int)p->segs[0].klen, p->segs[0].key);
        return NULL;
    }
    return p;
}

/* A path field.  *is_null is set when the field is JSON null (allowed when
 * nullable); returns NULL when absent, null or invalid. */
static const asl_path *get_path(P *c, const cJSON *obj, const char *name, const char *ptr,
                                aslc_path_mode mode, bool nullable, bool *is_null)
{
    const cJSON *n = field(obj, name);
    if (is_null) *is_null = false;
    if (!n) return NULL;
    const char *fptr = ptr_join(c, ptr, name);
    if (cJSON_IsNull(n) && nullable) {
        *is_null = true;
        return NULL;
    }
    if (!cJSON_IsString(n)) {
        ERR(c, n, fptr, "expected a %sJSONPath string, got %s", nullable ? "null or " : "",
            json_type_name(n));
        return NULL;
    }
    /* Every path may read the context object but ResultPath, which writes. */
    return parse_path_node(c, n, fptr, mode, strcmp(name, "ResultPath") != 0);
}

/* QueryLanguage (AWS state machine structure): "JSONPath" (the default) or
 * "JSONata", at the top level and per state; a state may choose JSONata in
 * a JSONPath machine, not the reverse.  Whether obj's language is JSONata. */
static bool check_query_language(P *c, const cJSON *obj, const char *ptr, bool top)
{
    const char *q = get_string(c, obj, "QueryLanguage", ptr, false);
    if (!q) return c->top_jsonata;
    const cJSON *n = field(obj, "QueryLanguage");
    if (!strcmp(q, "JSONata")) return true;
    if (!strcmp(q, "JSONPath")) {
        if (!top && c->top_jsonata)
            ERR(c, n, ptr_join(c, ptr, "QueryLanguage"), "a state cannot be JSONPath in a state "
                "machine whose QueryLanguage is JSONata (only the reverse mixes)");
        return false;
    }
    ERR(c, n, ptr_join(c, ptr, "QueryLanguage"),
        "QueryLanguage must be \"JSONPath\" or \"JSONata\", got \"%s\"", q);
    return c->top_jsonata;
}

/* ---- field sets ---------------------------------------------------------------------- */

/* The fields each state type may have: the ASL specification's table of
 * common fields (Type, Comment, Next/End, InputPath/OutputPath, ResultPath,
 * Parameters, ResultSelector, Retry/Catch by type) and each state type's
 * section, with the fields AWS added since (ItemSelector, ItemProcessor,
 * the Map settings, JitterStrategy...). */

enum {
    F_NEXT_END = 1 << 0,
    F_IO = 1 << 1,         /* InputPath, OutputPath */
    F_RESULT_PATH = 1 << 2,
    F_PARAMETERS = 1 << 3,
    F_SELECTOR = 1 << 4,   /* ResultSelector */
    F_RETRY = 1 << 5       /* Retry, Catch */
};

static const unsigned type_fields[IR__NTYPES] = {
    [IR_PASS] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS,
    [IR_TASK] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS | F_SELECTOR | F_RETRY,
    [IR_CHOICE] = F_IO,
    [IR_WAIT] = F_NEXT_END | F_IO,
    [IR_SUCCEED] = F_IO,
    [IR_FAIL] = 0,
    [IR_PARALLEL] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS | F_SELECTOR | F_RETRY,
    [IR_MAP] = F_NEXT_END | F_IO | F_RESULT_PATH | F_PARAMETERS | F_SELECTOR | F_RETRY,
};

/* Fields particular to one type. */
static const char *const own_fields[IR__NTYPES][16] = {
    [IR_PASS] = {"Result"},
    [IR_TASK] = {"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
                 "HeartbeatSecondsPath", "Credentials"},
    [IR_CHOICE] = {"Choices", "Default"},
    [IR_WAIT] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
    [IR_FAIL] = {"Error", "ErrorPath", "Cause", "CausePath"},
    [IR_PARALLEL] = {"Branches"},
    [IR_MAP] = {"ItemsPath", "ItemSelector", "ItemProcessor", "Iterator", "MaxConcurrency",
                "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailurePercentage",
                "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "Label",
                "ItemBatcher", "ItemReader", "ResultWriter"},
};

/* Fields AWS accepts that aslc does not implement yet: refused by name, so a
 * definition never compiles into something that behaves differently. */
static const char *const unimplemented_fields[] = {
    NULL};

static bool field_allowed(ir_state_type t, const char *k)
{
    unsigned f = type_fields[t];
    if (!strcmp(k, "Type") || !strcmp(k, "Comment") || !strcmp(k, "QueryLanguage")) return true;
    /* Assign (AWS, workflow variables): every state type but Succeed and Fail */
    if (!strcmp(k, "Assign")) return t != IR_SUCCEED && t != IR_FAIL;
    if ((f & F_NEXT_END) && (!strcmp(k, "Next") || !strcmp(k, "End"))) return true;
    if ((f & F_IO) && (!strcmp(k, "InputPath") || !strcmp(k, "OutputPath"))) return true;
    if ((f & F_RESULT_PATH) && !strcmp(k, "ResultPath")) return true;
    if ((f & F_PARAMETERS) && !strcmp(k, "Parameters")) return true;
    if ((f & F_SELECTOR) && !strcmp(k, "ResultSelector")) return true;
    if ((f & F_RETRY) && (!strcmp(k, "Retry") || !strcmp(k, "Catch"))) return true;
    for (int i = 0; own_fields[t][i]; i++)
        if (!strcmp(own_fields[t][i], k)) return true;
    return false;
}

static bool field_unimplemented(const char *k)
{
    for (int i = 0; unimplemented_fields[i]; i++)
        if (!strcmp(unimplemented_fields[i], k)) return true;
    return false;
}

/* What an unimplemented field belongs to, for the message. */
static const char *unimplemented_feature(const char *k)
{
    if (!strcmp(k, "Assign")) return "variables";
    if (!strcmp(k, "Arguments") || !strcmp(k, "Output") || !strcmp(k, "Items")) return "JSONata";
    return "a feature";
}

/* Every field name a state may have in ASL, whatever its type: for telling
 * a misplaced field from an unknown one, and for suggestions. */
static size_t state_field_names(ir_state_type t, const char **out, bool only_type)
{
    static const char *const common[] = {"Type", "Comment", "QueryLanguage", "Next", "End",
                                         "InputPath", "OutputPath", "ResultPath", "Parameters",
                                         "ResultSelector", "Retry", "Catch", "Assign"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        if (!only_type || field_allowed(t, common[i])) out[n++] = common[i];
    for (int ty = 0; ty < IR__NTYPES; ty++) {
        if (only_type && ty != (int)t) continue;
        for (int i = 0; own_fields[ty][i]; i++) out[n++] = own_fields[ty][i];
    }
    return n;
}

/* Reports field k of a state of type t that field_allowed refused: a feature
 * aslc does not implement, a field of ASL that this type may not have (the
 * per-type field lists of the ASL specification and the AWS documentation
 * of each state type), or an unknown field, with a suggestion. */
static void bad_state_field(P *c, ir_state_type t, const cJSON *k, const char *kptr)
{
    const char *f = k->string, *tn = ir_state_type_name(t);
    if (field_unimplemented(f)) {
        ERR_KEY(c, k, kptr, "\"%s\" (%s) is not implemented yet in aslc", f,
                unimplemented_feature(f));
        return;
    }
    const char *names[128];
    size_t n = state_field_names(t, names, false);
    bool known = false;
    for (size_t i = 0; i < n; i++) known = known || !strcmp(names[i], f);
    if (!known) {
        n = state_field_names(t, names, true);
        ERR_KEY(c, k, kptr, "unknown field \"%s\" in a %s state%s", f, tn,
                did_you_mean(c, f, names, n));
        return;
    }
    bool flow = !strcmp(f, "Next") || !strcmp(f, "End");
    if (flow && t == IR_CHOICE)
        ERR_KEY(c, k, kptr, "\"%s\" is not allowed in a Choice state: each rule of \"Choices\" "
                            "names its \"Next\", and \"Default\" the state for no match", f);
    else if (flow)
        ERR_KEY(c, k, kptr, "\"%s\" is not allowed in a %s state: it ends the execution (or "
                            "its branch)", f, tn);
    else if (!strcmp(f, "Assign"))
        ERR_KEY(c, k, kptr, "\"Assign\" is not allowed in a %s state: variables are assigned by "
                            "Pass, Task, Choice, Wait, Parallel and Map states", tn);
    else if (!strcmp(f, "Retry") || !strcmp(f, "Catch"))
        ERR_KEY(c, k, kptr, "\"%s\" is not allowed in a %s state (only Task, Parallel and Map "
                            "states have it)", f, tn);
    else
        ERR_KEY(c, k, kptr, "\"%s\" is not allowed in a %s state", f, tn);
}

/* Reports an unknown member k of some other object of the definition
 * (where: "a retrier", "a catcher", ...), with a suggestion among known. */
static void bad_field(P *c, const cJSON *k, const char *kptr, const char *where,
                      const char *const *known, size_t nknown)
{
    if (field_unimplemented(k->string))
        ERR_KEY(c, k, kptr, "\"%s\" (%s) is not implemented yet in aslc", k->string,
                unimplemented_feature(k->string));
    else
        ERR_KEY(c, k, kptr, "unknown field \"%s\" in %s%s", k->string, where,
                did_you_mean(c, k->string, known, nknown));
}

/* ---- templates (Parameters, ResultSelector, ItemSelector) -------------------------- */

static asl_value *const_value(P *c, const cJSON *n, const char **text)
{
    const char *src;
    size_t len;
    asl_json_error jerr;
    asl_value *v = NULL;
    /* Re-read the exact source text: it keeps every digit of every number. */
    if (aslc_srcmap_span(c->u->map, n, &src, &len)) v = asl_json_parse(c->a, src, len, &jerr);
    if (!v) {
        char *s = cJSON_PrintUnformatted(n);
        v = asl_json_parse(c->a, s, strlen(s), &jerr);
        cJSON_free(s);
    }
    if (text) *text = asl_json_string(c->a, v, NULL);
    return v;
}

/* The intrinsic call string n into t (an IR_T_CALL node).  Constant
 * arguments of the wrong type or value are warnings: AWS accepts the
 * definition and fails the call when it runs, and so does the binary. */
static void parse_call(P *c, const cJSON *n, const char *ptr, ir_tmpl *t)
{
    char err[256], warn[256];
    size_t pos = 0, wpos = 0;
    t->kind = IR_T_CALL;
    t->src = asl_strndup(c->a, n->valuestring, strlen(n->valuestring));
    size_t len;
    const char *text = whole(c, n, &len);   /* string arguments may hold a U+0000 */
    t->call = aslc_intrinsic_parse_n(c->a, text, len, err, sizeof err, &pos, warn, sizeof warn, &wpos);
    if (!t->call) {
        path_error(c, n, ptr, "intrinsic function call", err, pos);
    } else if (warn[0]) {
        int line, col;
        string_pos(c, n, wpos, &line, &col);
        aslc_diag_at(c->u, ASLC_WARNING, line, col, ptr, "%s: this call fails every time it runs",
                     warn);
    }
}

/* Payload templates (ASL specification, Parameters): a member whose key
 * ends in ".$" has a string value, either a path or an intrinsic function
 * call; everything else is a constant. */
static ir_tmpl *parse_tmpl(P *c, const cJSON *n, const char *ptr)
{
    ir_tmpl *t = asl_alloc(c->a, sizeof *t);
    memset(t, 0, sizeof *t);
    if (cJSON_IsObject(n) || cJSON_IsArray(n)) {
        bool computed = false;
        uint32_t cnt = (uint32_t)cJSON_GetArraySize(n), i = 0;
        t->n = cnt;
        if (cJSON_IsObject(n)) {
            t->kind = IR_T_OBJECT;
            t->members = asl_alloc(c->a, (cnt + 1) * sizeof *t->members);
            for (const cJSON *k = n->child; k; k = k->next, i++) {
                const char *ks = k->string;
                size_t kl = strlen(ks);
                /* whole, \u0000 included (cJSON's copy stops at it: nulchars.c) */
                if (aslc_srcmap_has_nul(c->u->map, k, true))
                    aslc_srcmap_string(c->u->map, c->a, k, true, &ks, &kl);
                const char *kptr = ptr_join(c, ptr, k->string);
                ir_tmpl_member *m = &t->members[i];
                if (kl >= 2 && !memcmp(ks + kl - 2, ".$", 2)) {
                    computed = true;
                    m->key = asl_strndup(c->a, ks, kl - 2);
                    m->klen = (uint32_t)(kl - 2);
                    ir_tmpl *v = asl_alloc(c->a, sizeof *v);
                    memset(v, 0, sizeof *v);
                    m->val = v;
                    if (!cJSON_IsString(k)) {
                        ERR(c, k, kptr, "the value of \"%s\" must be a JSONPath or an intrinsic "
                                        "function call string, got %s", k->string, json_type_name(k));
                        continue;
                    }
                    v->src = asl_strndup(c->a, k->valuestring, strlen(k->valuestring));
                    if (aslc_is_intrinsic(k->valuestring)) {
                        parse_call(c, k, kptr, v);
                    } else {
                        v->kind = IR_T_PATH;
                        v->path = parse_path_node(c, k, kptr, ASLC_PATH_PAYLOAD, true);
                    }
                } else {
                    m->key = asl_strndup(c->a, ks, kl);
                    m->klen = (uint32_t)kl;
                    m->val = parse_tmpl(c, k, kptr);
                    if (m->val->kind != IR_T_CONST) computed = true;
                }
            }
        } else {
            t->kind = IR_T_ARRAY;
            t->items = asl_alloc(c->a, (cnt + 1) * sizeof *t->items);
            for (const cJSON *k = n->child; k; k = k->next, i++) {
                t->items[i] = parse_tmpl(c, k, ptr_index(c, ptr, (int)i));
                if (t->items[i]->kind != IR_T_CONST) computed = true;
            }
        }
        if (computed) return t;
    }
    memset(t, 0, sizeof *t);
    t->kind = IR_T_CONST;
    t->cval = const_value(c, n, &t->ctext);
    return t;
}

/* ResultSelector and ItemSelector are objects (AWS documentation);
 * Parameters may be any JSON value. */
static ir_tmpl *get_tmpl(P *c, const cJSON *obj, const char *name, const char *ptr)
{
    const cJSON *n = field(obj, name);
    if (!n) return NULL;
    const char *fptr = ptr_join(c, ptr, name);
    if (!cJSON_IsObject(n) && strcmp(name, "Parameters")) {
        ERR(c, n, fptr, "expected an object, got %s", json_type_name(n));
        return NULL;
    }
    return parse_tmpl(c, n, fptr);
}

/* ---- JSONata fields ------------------------------------------------------------------
 * A JSONata state's values are JSON in which a string "{% expression %}" is
 * computed (AWS, "Transforming data with JSONata").  Every expression is
 * parsed here, its syntax errors reported at their character inside the
 * string; each computing field becomes an ir_jn, an asl_path of root
 * ASL_ROOT_JSONATA put where the JSONPath field it replaces goes (asl.h). */

/* A path never walked: the emitters write a JSONata field's path like a
 * one-step path, which they never drop as "$". */
static const asl_seg jn_seg = {ASL_SEG_KEY, 0, 0, 7, "jsonata", 0, 0, 0, NULL, 0, NULL};

static ir_jn *jn_new(P *c, const ir_state *s, asl_jnf_kind kind, asl_jnt_type type, const char *where,
                     const char *ptr)
{
    ir_jn *j = asl_alloc(c->a, sizeof *j);
    memset(j, 0, sizeof *j);
    asl_path *p = asl_alloc(c->a, sizeof *p);
    memset(p, 0, sizeof *p);
    p->text = ptr;            /* unique: no two fields share a descriptor */
    p->root = ASL_ROOT_JSONATA;
    p->nseg = 1;
    p->segs = &jn_seg;
    p->jn = &j->field;
    j->path = p;
    j->field.kind = (uint8_t)kind;
    j->field.type = (uint8_t)type;
    j->field.where = where;
    j->state = s;
    j->index = c->p->njn++;
    if (!c->p->jn_tail) c->p->jn_tail = &c->p->jn;
    *c->p->jn_tail = j;
    c->p->jn_tail = &j->next;
    return j;
}

/* The expression of n ("{% e %}"), parsed; NULL after a diagnostic.  *src:
 * its text without the braces and the blanks around it (how AWS quotes it). */
static const aslc_jn_node *jn_expr(P *c, const cJSON *n, const char *ptr, const char **src)
{
    size_t l;
    const char *t = whole(c, n, &l);   /* a string literal may hold a U+0000 */
    size_t b = 2, e = l - 2;
    while (b < e && isspace((unsigned char)t[b])) b++;
    while (e > b && isspace((unsigned char)t[e - 1])) e--;
    *src = message_text(c, t + b, e - b);
    /* the tree may keep pointers into its text: a copy in the arena */
    const char *text = asl_strndup(c->a, t + 2, l - 4);
    aslc_jn_parse_error err;
    int line, col;
    const aslc_jn_node *tree = aslc_jn_parse(c->a, text, l - 4, &err);
    if (!tree) {
        string_pos(c, n, 2 + err.pos, &line, &col);
        aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr, "JSONata syntax error %s: %s", err.code,
                     err.msg[0] ? err.msg : aslc_jn_parse_message(err.code));
        return NULL;
    }
    uint32_t pos = 0;
    const char *why = aslc_jn_unsupported(tree, &pos);
    if (why) {
        string_pos(c, n, 2 + pos, &line, &col);
        aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr, "%s", why);
        return NULL;
    }
    return tree;
}

/* Whether expression text src reads the context object: $states.context, or
 * $states as a whole (the runtime builds it only then). */
static bool jn_reads_context(const char *src)
{
    for (const char *p = strstr(src, "$states"); p; p = strstr(p + 1, "$states")) {
        const char *q = p + 7;
        if (isalnum((unsigned char)*q) || *q == '_') continue;   /* $statesX: another variable */
        while (isspace((unsigned char)*q)) q++;
        if (*q != '.') return true;
        q++;
        while (isspace((unsigned char)*q)) q++;
        if (!strncmp(q, "context", 7) || *q == '*' || *q == '(' || *q == '`') return true;
    }
    return false;
}

/* The number of variable name in the program (lir_jn_fast_form's slot):
 * the scopes remember where they keep it by that number (vars.c). */
static uint32_t var_slot(void *ud, const char *name, uint32_t n)
{
    P *c = ud;
    for (uint32_t i = 0; i < c->nslots; i++)
        if (strlen(c->slots[i]) == n && !memcmp(c->slots[i], name, n)) return i;
    if (c->nslots == c->capslots) {
        uint32_t cap = c->capslots ? 2 * c->capslots : 8;
        const char **v = asl_alloc(c->a, cap * sizeof *v);
        if (c->nslots) memcpy(v, c->slots, c->nslots * sizeof *v);
        c->slots = v;
        c->capslots = cap;
    }
    c->slots[c->nslots] = asl_strndup(c->a, name, n);
    return c->nslots++;
}

/* A VALUE or INNER field read directly: its names (after the root, in
 * names, lir_jn_direct_path's ["input","a","b"]) as the steps of its path
 * too, after the marker.  The back ends write them as string literals,
 * which jnstate.c reads: a key written by a template of the same program
 * (the same literal) then compares by its address. */
static void jn_path_names(P *c, ir_jn *j, const char *names)
{
    uint32_t n = 0;
    for (const char *q = names; *q; q++) n += *q == ',';
    if (!strncmp(names, "[\"Map.Item.Value\"", 17) && n == 0) return;
    asl_seg *segs = asl_alloc(c->a, sizeof *segs * (n + 1));
    memset(segs, 0, sizeof *segs * (n + 1));
    segs[0] = jn_seg;
    const char *q = strchr(names, ',');
    for (uint32_t i = 1; q && i <= n; i++) {
        const char *k = q + 2, *e = strchr(k, '"');   /* ,"name" (names need no escape) */
        segs[i].kind = ASL_SEG_KEY;
        segs[i].klen = (uint32_t)(e - k);
        segs[i].key = asl_strndup(c->a, k, (size_t)(e - k));
        q = strchr(e, ',');
    }
    asl_path *p = (asl_path *)(void *)j->path;
    p->nseg = n + 1;
    p->segs = segs;
}

static void jn_set_src(P *c, ir_jn *j, const char *src)
{
    j->field.src = src;
    if (src && jn_reads_context(src)) j->field.type |= ASL_JNT_CONTEXT;
    /* `$states.input.a.b` alone: read directly (jnstate.c), its names a constant */
    const char *names = NULL;
    if (j->expr && !j->ktext &&
        (names = lir_jn_direct_path(c->a, j->expr)) != NULL) {
        j->ktext = names;
        j->field.type |= ASL_JNT_PATH;
        if (j->field.kind == ASL_JNF_VALUE || j->field.kind == ASL_JNF_INNER) jn_path_names(c, j, names);
    } else if (j->expr && !j->ktext && (names = lir_jn_fast_form(c->a, j->expr, var_slot, c)) != NULL) {
        /* `$n + 1`, `$n < 10`: computed directly while $n is a number (jnstate.c) */
        j->ktext = names;
        j->field.type |= ASL_JNT_FAST;
    }
}

/* One expression where a JSONPath state has a ...Path: $states.input is what
 * that path would have been applied to. */
static const asl_path *jn_value(P *c, ir_state *s, const cJSON *n, const char *ptr, const char *where,
                                asl_jnt_type type)
{
    const char *src;
    const aslc_jn_node *e = jn_expr(c, n, ptr, &src);
    if (!e) return NULL;
    ir_jn *j = jn_new(c, s, ASL_JNF_VALUE, type, where, ptr);
    j->expr = e;
    jn_set_src(c, j, src);
    return j->path;
}

/* A JSON value with expressions in it (Arguments, Output, Assign, ItemSelector):
 * an ir_tmpl whose computed leaves are JSONata fields of kind leaf. */
static ir_tmpl *jn_tmpl(P *c, ir_state *s, const cJSON *n, const char *ptr, const char *where,
                        asl_jnf_kind leaf)
{
    ir_tmpl *t = asl_alloc(c->a, sizeof *t);
    memset(t, 0, sizeof *t);
    if (jn_text(c, n)) {
        const char *src;
        const aslc_jn_node *e = jn_expr(c, n, ptr, &src);
        ir_jn *j = jn_new(c, s, leaf, ASL_JNT_ANY, where, ptr);
        j->expr = e;
        jn_set_src(c, j, src);
        t->kind = IR_T_PATH;
        t->path = j->path;
        t->src = src;
        return t;
    }
    if (cJSON_IsObject(n) || cJSON_IsArray(n)) {
        bool computed = false, obj = cJSON_IsObject(n);
        uint32_t cnt = (uint32_t)cJSON_GetArraySize(n), i = 0;
        t->n = cnt;
        t->kind = obj ? IR_T_OBJECT : IR_T_ARRAY;
        if (obj) t->members = asl_alloc(c->a, (cnt + 1) * sizeof *t->members);
        else t->items = asl_alloc(c->a, (cnt + 1) * sizeof *t->items);
        for (const cJSON *k = n->child; k; k = k->next, i++) {
            const char *kptr = obj ? ptr_join(c, ptr, k->string) : ptr_index(c, ptr, (int)i);
            const char *kw = obj ? asl_sprintf(c->a, "%s/%s", where, k->string)
                                 : asl_sprintf(c->a, "%s/%u", where, i);
            ir_tmpl *v = jn_tmpl(c, s, k, kptr, kw, leaf);
            if (v->kind != IR_T_CONST) computed = true;
            if (obj) {
                size_t kl;
                t->members[i].key = whole_key(c, k, &kl);
                t->members[i].klen = (uint32_t)kl;
                t->members[i].val = v;
            } else {
                t->items[i] = v;
            }
        }
        if (computed) return t;
    }
    memset(t, 0, sizeof *t);
    t->kind = IR_T_CONST;
    t->cval = const_value(c, n, &t->ctext);
    return t;
}

/* Arguments or Output into j: one expression, a template, or a constant. */
static void jn_payload(P *c, ir_state *s, const cJSON *n, const char *ptr, const char *where, ir_jn *j)
{
    if (jn_text(c, n)) {
        const char *src;
        j->expr = jn_expr(c, n, ptr, &src);
        jn_set_src(c, j, src);
        return;
    }
    ir_tmpl *t = jn_tmpl(c, s, n, ptr, where, ASL_JNF_INNER);
    if (t->kind == IR_T_CONST) j->ktext = t->ctext;
    else j->tmpl = t;
}

/* Assign (variables): an object of values. */
/* Notes the names the Assign object n sets (ir_program.vars). */
static void note_vars(P *c, const cJSON *n)
{
    for (const cJSON *k = n->child; k; k = k->next) {
        size_t kl = strlen(k->string);
        if (kl >= 2 && !memcmp(k->string + kl - 2, ".$", 2)) kl -= 2;
        if (c->p->nvars == c->p->capvars) {
            uint32_t cap = c->p->capvars ? 2 * c->p->capvars : 16;
            const char **v = asl_alloc(c->a, cap * sizeof *v);
            if (c->p->nvars) memcpy(v, c->p->vars, c->p->nvars * sizeof *v);
            c->p->vars = v;
            c->p->capvars = cap;
        }
        c->p->vars[c->p->nvars++] = asl_strndup(c->a, k->string, kl);
    }
}

static ir_tmpl *jn_assign(P *c, ir_state *s, const cJSON *n, const char *ptr)
{
    if (!cJSON_IsObject(n)) {
        ERR(c, n, ptr, "\"Assign\" must be an object, got %s", json_type_name(n));
        return NULL;
    }
    note_vars(c, n);
    for (const cJSON *k = n->child; k; k = k->next)
        if (!strcmp(k->string, "states"))
            ERR_KEY(c, k, ptr_join(c, ptr, k->string), "\"states\" is reserved: $states is Step "
                                                       "Functions' own variable");
    ir_tmpl *t = jn_tmpl(c, s, n, ptr, "Assign", ASL_JNF_INNER);
    return t;
}

/* Output and Assign of a state or a catcher: one field of kind LEAVE or
 * CATCH, or NULL when it has neither. */
static const asl_path *jn_leave(P *c, ir_state *s, const cJSON *obj, const char *ptr, asl_jnf_kind kind)
{
    const cJSON *out = field(obj, "Output"), *as = field(obj, "Assign");
    if (!out && !as) return NULL;
    ir_jn *j = jn_new(c, s, kind, ASL_JNT_ANY, "Output", ptr_join(c, ptr, out ? "Output" : "Assign"));
    if (out) jn_payload(c, s, out, ptr_join(c, ptr, "Output"), "Output", j);
    if (as) j->assign = jn_assign(c, s, as, ptr_join(c, ptr, "Assign"));
    /* no Output and one variable set to `$n + 1` (a loop's counter): the
     * value computed and set directly, no template (jnstate.c) */
    const ir_tmpl *t = j->assign;
    if (kind == ASL_JNF_LEAVE && !out && t && t->kind == IR_T_OBJECT && t->n == 1 &&
        t->members[0].val->kind == IR_T_PATH) {
        const ir_jn *v = (const ir_jn *)(const void *)t->members[0].val->path->jn;
        const char *key = t->members[0].key;
        bool plain = true;
        for (const char *q = key; *q; q++) plain &= *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20;
        if (plain && (v->field.type & ASL_JNT_FAST) && v->ktext) {
            j->ktext = asl_sprintf(c->a, "[\"%s\",%u,%s]", key, var_slot(c, key, (uint32_t)strlen(key)), v->ktext);
            j->field.type |= ASL_JNT_FAST;
        }
    }
    return j->path;
}

/* Fields only JSONPath states have (AWS: a JSONata state has Arguments and
 * Output in place of the five data-flow fields, and no ...Path field). */
static bool jsonpath_only(const char *k)
{
    static const char *const f[] = {"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
                                    "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath",
                                    "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
                                    "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", "Result",
                                    "Iterator", NULL};
    for (int i = 0; f[i]; i++)
        if (!strcmp(f[i], k)) return true;
    return false;
}

/* The fields a JSONata state has in place of them. */
static bool jsonata_field(ir_state_type t, const char *k)
{
    if (!strcmp(k, "Arguments")) return t == IR_TASK || t == IR_PARALLEL;
    if (!strcmp(k, "Output")) return t != IR_FAIL;
    if (!strcmp(k, "Assign")) return t != IR_FAIL && t != IR_SUCCEED;
    if (!strcmp(k, "Items")) return t == IR_MAP;
    return false;
}

/* What a JSONata state computes, after the fields it shares with JSONPath
 * states were read (those read numbers leave `{% %}` strings to this). */
static void read_jn_state(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n;
    bool work = s->type == IR_PASS || s->type == IR_TASK || s->type == IR_PARALLEL || s->type == IR_MAP;
    if ((n = field(obj, "Arguments"))) {
        ir_jn *j = jn_new(c, s, ASL_JNF_ENTER, ASL_JNT_ANY, "Arguments", ptr_join(c, ptr, "Arguments"));
        jn_payload(c, s, n, ptr_join(c, ptr, "Arguments"), "Arguments", j);
        s->input_path = j->path;
    }
    if (s->type != IR_FAIL) {
        const asl_path *p = jn_leave(c, s, obj, ptr, ASL_JNF_LEAVE);
        if (p && work) s->result_path = p;
        else if (p && s->type == IR_CHOICE) s->jn_default = p;  /* the rules have their own */
        else if (p) s->output_path = p;
    }
    /* the numbers and strings that may be computed */
    static const struct { ir_state_type t; const char *name; asl_jnt_type type; } scalars[] = {
        {IR_TASK, "TimeoutSeconds", ASL_JNT_NUMBER}, {IR_TASK, "HeartbeatSeconds", ASL_JNT_NUMBER},
        {IR_WAIT, "Seconds", ASL_JNT_NUMBER}, {IR_WAIT, "Timestamp", ASL_JNT_STRING},
        {IR_FAIL, "Error", ASL_JNT_STRING}, {IR_FAIL, "Cause", ASL_JNT_STRING},
        {IR_MAP, "Items", ASL_JNT_ARRAY}, {IR_MAP, "MaxConcurrency", ASL_JNT_NUMBER},
        {IR_MAP, "ToleratedFailureCount", ASL_JNT_NUMBER}, {IR_MAP, "ToleratedFailurePercentage", ASL_JNT_NUMBER},
    };
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
        if (scalars[i].t != s->type || !(n = field(obj, scalars[i].name))) continue;
        const char *fp = ptr_join(c, ptr, scalars[i].name);
        const asl_path *p;
        if (jn_text(c, n)) {
            p = jn_value(c, s, n, fp, scalars[i].name, scalars[i].type);
        } else if (!strcmp(scalars[i].name, "Items")) {
            /* an array, whose items may be computed */
            if (!cJSON_IsArray(n)) {
                ERR(c, n, fp, "\"Items\" must be an array or a JSONata expression, got %s", json_type_name(n));
                continue;
            }
            ir_jn *j = jn_new(c, s, ASL_JNF_VALUE, ASL_JNT_ARRAY, "Items", fp);
            ir_tmpl *t = jn_tmpl(c, s, n, fp, "Items", ASL_JNF_VALUE);
            if (t->kind == IR_T_CONST) j->ktext = t->ctext;
            else j->tmpl = t;
            p = j->path;
        } else {
            continue;   /* a constant: read with the JSONPath fields */
        }
        switch (i) {
        case 0: s->timeout_path = p; break;
        case 1: s->heartbeat_path = p; break;
        case 2: s->seconds_path = p; s->has_seconds = false; break;
        case 3: s->timestamp_path = p; s->timestamp = NULL; break;
        case 4: s->error_path = p; s->error = NULL; break;
        case 5: s->cause_path = p; s->cause = NULL; break;
        case 6: s->items_path = p; break;
        case 7: s->max_concurrency_path = p; break;
        case 8: s->tolerated_count_path = p; break;
        case 9: s->tolerated_percent_path = p; break;
        }
    }
    /* A JSONata Map without Items iterates over its input, which must be
     * an array (a States.QueryEvaluationError otherwise, as AWS fails it). */
    if (s->type == IR_MAP && !field(obj, "Items") && !s->item_reader)
        s->items_path = jn_new(c, s, ASL_JNF_VALUE, ASL_JNT_ARRAY, "Items", ptr_join(c, ptr, "Items"))->path;
    if (s->type == IR_MAP && (n = field(obj, "ItemSelector")))
        s->item_selector = jn_tmpl(c, s, n, ptr_join(c, ptr, "ItemSelector"), "ItemSelector", ASL_JNF_VALUE);
}

/* A JSONata Choice rule: a Condition, true or false, and Next; it runs as
 * the JSONPath rule BooleanEquals true of the Condition's value. */
static ir_rule *jn_rule(P *c, ir_state *s, const cJSON *n, const char *ptr)
{
    if (!cJSON_IsObject(n)) {
        ERR(c, n, ptr, "a Choice rule must be an object, got %s", json_type_name(n));
        return NULL;
    }
    static const char *const known[] = {"Condition", "Next", "Comment", "Assign", "Output"};
    for (const cJSON *k = n->child; k; k = k->next) {
        size_t j = 0;
        while (j < 5 && strcmp(known[j], k->string)) j++;
        if (j == 5) bad_field(c, k, ptr_join(c, ptr, k->string), "a JSONata Choice rule", known, 5);
    }
    ir_rule *r = asl_alloc(c->a, sizeof *r);
    memset(r, 0, sizeof *r);
    r->loc = loc_of(c, n, ptr);
    r->op = IR_OP_BOOLEAN_EQUALS;
    r->b = true;
    r->next = get_string(c, n, "Next", ptr, true);
    r->jn_leave = jn_leave(c, s, n, ptr, ASL_JNF_LEAVE);
    const cJSON *cond = field(n, "Condition");
    const char *cp = ptr_join(c, ptr, "Condition");
    if (!cond)
        ERR(c, n, ptr, "missing required field \"Condition\"");
    else if (jn_text(c, cond))
        r->var = jn_value(c, s, cond, cp, "Condition", ASL_JNT_BOOLEAN);
    else if (cJSON_IsBool(cond)) {
        ir_jn *j = jn_new(c, s, ASL_JNF_VALUE, ASL_JNT_BOOLEAN, "Condition", cp);
        j->ktext = cJSON_IsTrue(cond) ? "true" : "false";
        r->var = j->path;
    } else
        ERR(c, cond, cp, "\"Condition\" must be a JSONata expression or a boolean, got %s",
            json_type_name(cond));
    return r;
}

/* Assign (AWS, "Passing data between states with variables"): an object
 * whose members are variables, "name.$" computed as in Parameters (a path,
 * $name paths included, or an intrinsic call), other members constants.  A
 * name is a Unicode identifier of at most 80 characters (ID_Start, then
 * ID_Continue: here letters, '_', digits after the first, and any UTF-8
 * sequence), and "states" is reserved. */
static ir_tmpl *get_assign(P *c, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Assign");
    if (!n) return NULL;
    const char *fptr = ptr_join(c, ptr, "Assign");
    if (!cJSON_IsObject(n)) {
        ERR(c, n, fptr, "\"Assign\" must be an object of variables, got %s", json_type_name(n));
        return NULL;
    }
    note_vars(c, n);
    for (const cJSON *k = n->child; k; k = k->next) {
        const char *ks = k->string;
        size_t kl = strlen(ks);
        if (kl >= 2 && !memcmp(ks + kl - 2, ".$", 2)) kl -= 2;
        const char *kptr = ptr_join(c, fptr, ks);
        size_t chars = 0, i = 0;
        bool ok = kl > 0 && aslc_var_char(ks[0], true);
        for (; ok && i < kl; i++) {
            ok = aslc_var_char(ks[i], false);
            if (((unsigned char)ks[i] & 0xC0) != 0x80) chars++;
        }
        if (!ok)
            ERR_KEY(c, k, kptr, "\"%.*s\" is not a valid variable name: a name begins with a "
                                "letter or '_' and goes on with letters, digits and '_'",
                    (int)kl, ks);
        else if (chars > 80)
            ERR_KEY(c, k, kptr, "the variable name \"%.*s\" is longer than 80 characters", (int)kl, ks);
        else if (kl == 6 && !memcmp(ks, "states", 6))
            ERR_KEY(c, k, kptr, "\"states\" is a reserved variable name ($states)");
        for (const cJSON *j = n->child; j != k; j = j->next) {
            size_t jl = strlen(j->string);
            if (jl >= 2 && !memcmp(j->string + jl - 2, ".$", 2)) jl -= 2;
            if (jl == kl && !memcmp(j->string, ks, kl)) {
                ERR_KEY(c, k, kptr, "the variable \"%.*s\" is assigned twice in this Assign",
                        (int)kl, ks);
                break;
            }
        }
    }
    return parse_tmpl(c, n, fptr);
}

/* ---- Choice rules ----------------------------------------------------------------------- */

typedef struct {
    const char *name;
    char operand;
} op_info;

static const op_info ops[] = {
#define X(id, name, operand) {name, #operand[0]},
#include "choice_ops.def"
#undef X
};
#define NOPS ((int)(sizeof ops / sizeof ops[0]))

static ir_rule *parse_rule(P *c, const cJSON *n, const char *ptr, bool top);

static ir_rule *parse_rule(P *c, const cJSON *n, const char *ptr, bool top)
{
    if (!cJSON_IsObject(n)) {
        ERR(c, n, ptr, "a Choice rule must be an object, got %s", json_type_name(n));
        return NULL;
    }
    ir_rule *r = asl_alloc(c->a, sizeof *r);
    memset(r, 0, sizeof *r);
    r->loc = loc_of(c, n, ptr);
    int found = -1;
    const cJSON *opnode = NULL;
    bool ok = true;
    for (const cJSON *k = n->child; k; k = k->next) {
        const char *kptr = ptr_join(c, ptr, k->string);
        int op = -1;
        if (!strcmp(k->string, "And")) op = IR_OP_AND;
        else if (!strcmp(k->string, "Or")) op = IR_OP_OR;
        else if (!strcmp(k->string, "Not")) op = IR_OP_NOT;
        else
            for (int i = 0; i < NOPS; i++)
                if (!strcmp(ops[i].name, k->string)) op = i;
        if (op >= 0) {
            if (found >= 0) {
                ERR_KEY(c, k, kptr, "a Choice rule must have exactly one comparison, "
                                    "found \"%s\" after \"%s\"", k->string, opnode->string);
                ok = false;
                continue;
            }
            found = op;
            opnode = k;
        } else if (!strcmp(k->string, "Variable") || !strcmp(k->string, "Comment")) {
        } else if (!strcmp(k->string, "Next") || !strcmp(k->string, "Assign")) {
            if (!top) {
                ERR_KEY(c, k, kptr, "\"%s\" is only allowed in a top-level Choice rule", k->string);
                ok = false;
            }
        } else {
            const char *known[NOPS + 6];
            for (int i = 0; i < NOPS; i++) known[i] = ops[i].name;
            known[NOPS] = "And", known[NOPS + 1] = "Or", known[NOPS + 2] = "Not";
            known[NOPS + 3] = "Variable", known[NOPS + 4] = "Comment", known[NOPS + 5] = "Next";
            bad_field(c, k, kptr, "a Choice rule", known, NOPS + 6);
            ok = false;
        }
    }
    /* The ASL specification: a top-level rule must have "Next"; rules
     * nested in And, Or and Not must not. */
    if (top) {
        r->next = get_string(c, n, "Next", ptr, true);
        if (!r->next) ok = false;
        r->assign = get_assign(c, n, ptr);
    }
    get_string(c, n, "Comment", ptr, false);
    /* "A Choice Rule MUST have exactly one comparison operator" (or And, Or,
     * Not), and a comparison MUST have a "Variable". */
    if (found < 0) {
        ERR(c, n, ptr, "a Choice rule needs a comparison operator (such as \"StringEquals\") "
                       "or \"And\", \"Or\", \"Not\"");
        return NULL;
    }
    r->op = (ir_op)found;
    const char *optr = ptr_join(c, ptr, opnode->string);
    /* And, Or and Not compare nothing themselves: no "Variable" beside them. */
    if (found >= IR_OP_AND && field(n, "Variable")) {
        ERR_KEY(c, field(n, "Variable"), ptr_join(c, ptr, "Variable"),
                "\"Variable\" is not allowed beside \"%s\"", opnode->string);
        ok = false;
    }
    if (found == IR_OP_AND || found == IR_OP_OR) {
        if (!cJSON_IsArray(opnode) || cJSON_GetArraySize(opnode) == 0) {
            ERR(c, opnode, optr, "\"%s\" needs a non-empty array of rules", opnode->string);
            return NULL;
        }
        r->n = (uint32_t)cJSON_GetArraySize(opnode);
        r->kids = asl_alloc(c->a, r->n * sizeof *r->kids);
        int i = 0;
        for (const cJSON *k = opnode->child; k; k = k->next, i++) {
            r->kids[i] = parse_rule(c, k, ptr_index(c, optr, i), false);
            if (!r->kids[i]) ok = false;
        }
        return ok ? r : NULL;
    }
    if (found == IR_OP_NOT) {
        r->n = 1;
        r->kids = asl_alloc(c->a, sizeof *r->kids);
        r->kids[0] = parse_rule(c, opnode, optr, false);
        return ok && r->kids[0] ? r : NULL;
    }
    const cJSON *var = field(n, "Variable");
    if (!var) {
        ERR(c, n, ptr, "missing required field \"Variable\" for \"%s\"", opnode->string);
        return NULL;
    }
    if (!cJSON_IsString(var)) {
        ERR(c, var, ptr_join(c, ptr, "Variable"), "expected a string, got %s", json_type_name(var));
        return NULL;
    }
    r->var = parse_path_node(c, var, ptr_join(c, ptr, "Variable"), ASLC_PATH_PAYLOAD, true);
    if (!r->var) ok = false;
    /* The ASL specification's comparison operators: String* and
     * StringMatches take a string, Numeric* a number, BooleanEquals and the
     * Is* tests a boolean, Timestamp* an RFC 3339 timestamp string, and
     * every *Path operator a path. */
    switch (ops[found].operand) {
    case 'S':
    case 'T':
    case 'M':
        if (!cJSON_IsString(opnode)) {
            ERR(c, opnode, optr, "expected a string, got %s", json_type_name(opnode));
            return NULL;
        }
        r->str = opnode->valuestring;
        size_t sl = strlen(r->str);
        /* whole, \u0000 included (cJSON's copy stops at it: nulchars.c) */
        if (aslc_srcmap_has_nul(c->u->map, opnode, false))
            aslc_srcmap_string(c->u->map, c->a, opnode, false, &r->str, &sl);
        r->str = asl_strndup(c->a, r->str, sl);
        r->slen = (uint32_t)sl;
        if (ops[found].operand == 'T') {
            double t;
            if (!asl_timestamp_parse(r->str, r->slen, &t)) {
                ERR(c, opnode, optr, "\"%s\" is not an RFC 3339 timestamp (such as "
                                     "2016-03-14T01:59:00Z)", r->str);
                ok = false;
            }
        }
        break;
    case 'N':
        if (!cJSON_IsNumber(opnode)) {
            ERR(c, opnode, optr, "expected a number, got %s", json_type_name(opnode));
            return NULL;
        }
        r->num = opnode->valuedouble;
        if (!isfinite(r->num)) {
            /* a double cannot hold it, and the back ends have no literal for
             * it (docs/reliability.md) */
            ERR(c, opnode, optr, "number %s is out of range (beyond a double's, about 1.8e308)",
                number_text(c, opnode));
            ok = false;
        }
        break;
    case 'B':
    case 'U':
        if (!cJSON_IsBool(opnode)) {
            ERR(c, opnode, optr, "expected a boolean, got %s", json_type_name(opnode));
            return NULL;
        }
        r->b = cJSON_IsTrue(opnode);
        break;
    case 'P':
        if (!cJSON_IsString(opnode)) {
            ERR(c, opnode, optr, "expected a JSONPath string, got %s", json_type_name(opnode));
            return NULL;
        }
        r->opath = parse_path_node(c, opnode, optr, ASLC_PATH_PAYLOAD, true);
        if (!r->opath) ok = false;
        break;
    }
    return ok ? r : NULL;
}

/* ---- Retry / Catch ------------------------------------------------------------------------- */

/* An error name starting "States." that is not one of the predefined ones,
 * in a Retry or Catch of state s: reported at the end of the parse, when
 * it is known whether anything the state runs can raise that very name. */
typedef struct reserved_name {
    const char *name, *ptr;
    int line, col;
    const ir_state *s;
    const char *suggestion;
    struct reserved_name *next;
} reserved_name;

/* The ASL specification (Errors, Retrying after error, Fallback states):
 * "ErrorEquals" is a non-empty array of error-name strings, and
 * "States.ALL" MUST appear alone in its array, in the last retrier or
 * catcher. */
static bool parse_error_list(P *c, const ir_state *s, const cJSON *obj, const char *ptr,
                             const char ***out, uint32_t **lens, uint32_t *nout, bool *has_all)
{
    const cJSON *n = field(obj, "ErrorEquals");
    if (!n) {
        ERR(c, obj, ptr, "missing required field \"ErrorEquals\"");
        return false;
    }
    const char *eptr = ptr_join(c, ptr, "ErrorEquals");
    if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
        ERR(c, n, eptr, "\"ErrorEquals\" must be a non-empty array of error names");
        return false;
    }
    uint32_t cnt = (uint32_t)cJSON_GetArraySize(n), i = 0;
    *out = asl_alloc(c->a, cnt * sizeof **out);
    *nout = cnt;
    *has_all = false;
    bool ok = true;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        if (!cJSON_IsString(k)) {
            ERR(c, k, ptr_index(c, eptr, (int)i), "expected a string, got %s", json_type_name(k));
            ok = false;
            continue;
        }
        size_t klen;
        (*out)[i] = whole(c, k, &klen);
        if (klen != strlen(k->valuestring)) {
            /* a U+0000 inside: the runtime compares the names counted */
            if (!*lens) {
                *lens = asl_alloc(c->a, cnt * sizeof **lens);
                for (uint32_t j = 0; j < cnt; j++) (*lens)[j] = 0;
                uint32_t j = 0;
                for (const cJSON *e = n->child; e != k; e = e->next, j++)
                    (*lens)[j] = cJSON_IsString(e) ? (uint32_t)strlen(e->valuestring) : 0;
            }
            (*lens)[i] = (uint32_t)klen;
            continue;   /* none of AWS's names, reserved or not */
        }
        if (*lens) (*lens)[i] = (uint32_t)klen;
        if (!strncmp(k->valuestring, "States.", 7)) {
            /* The "States." prefix is reserved for the predefined error names
             * (ASL specification, Errors), but AWS does not enforce it: a
             * Fail state or a task can raise "States.MyDone", and a catcher
             * of that name matches it.  Such a name is recorded, and
             * reported only if nothing the state runs can raise it. */
            static const char *const predefined[] = {
#define X(id, name) name,
#include "asl_errors.def"
#undef X
            };
            size_t np = sizeof predefined / sizeof *predefined, j = 0;
            while (j < np && strcmp(predefined[j], k->valuestring)) j++;
            if (j == np && s) {
                reserved_name *r = asl_alloc(c->a, sizeof *r);
                memset(r, 0, sizeof *r);
                r->name = (*out)[i];
                r->ptr = ptr_index(c, eptr, (int)i);
                r->s = s;
                aslc_srcmap_pos(c->u->map, k, false, &r->line, &r->col);
                r->suggestion = did_you_mean(c, k->valuestring, predefined, np);
                r->next = c->reserved;
                c->reserved = r;
            }
        }
        if (!strcmp(k->valuestring, "States.ALL")) {
            *has_all = true;
            if (cnt > 1) {
                ERR(c, k, ptr_index(c, eptr, (int)i),
                    "\"States.ALL\" must be the only error name in its \"ErrorEquals\"");
                ok = false;
            }
        }
    }
    return ok;
}

static void parse_retry(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Retry");
    if (!n) return;
    const char *rptr = ptr_join(c, ptr, "Retry");
    if (!cJSON_IsArray(n)) {
        ERR(c, n, rptr, "expected an array of retriers, got %s", json_type_name(n));
        return;
    }
    s->nretry = (uint32_t)cJSON_GetArraySize(n);
    s->retry = asl_alloc(c->a, (s->nretry + 1) * sizeof *s->retry);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kptr = ptr_index(c, rptr, i);
        ir_retrier *r = &s->retry[i];
        memset(r, 0, sizeof *r);
        r->max_attempts = 3;
        r->interval = 1;
        r->backoff = 2.0;
        if (!cJSON_IsObject(k)) {
            ERR(c, k, kptr, "a retrier must be an object, got %s", json_type_name(k));
            continue;
        }
        /* The retrier fields of the AWS error-handling documentation. */
        static const char *const known[] = {"ErrorEquals", "IntervalSeconds", "MaxAttempts",
                                            "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
                                            "Comment"};
        for (const cJSON *f = k->child; f; f = f->next) {
            size_t j = 0;
            while (j < sizeof known / sizeof *known && strcmp(known[j], f->string)) j++;
            if (j == sizeof known / sizeof *known)
                bad_field(c, f, ptr_join(c, kptr, f->string), "a retrier", known,
                          sizeof known / sizeof *known);
        }
        get_string(c, k, "Comment", kptr, false);
        bool has_all = false;
        parse_error_list(c, s, k, kptr, &r->errors, &r->lens, &r->nerrors, &has_all);
        if (has_all && k->next)
            ERR(c, field(k, "ErrorEquals"), ptr_join(c, kptr, "ErrorEquals"),
                "a retrier with \"States.ALL\" must be the last one");
        /* Ranges of the AWS error-handling documentation: IntervalSeconds a
         * positive integer, MaxAttempts a non-negative one (0: never
         * retried), both at most 99999999; BackoffRate at least 1.0;
         * MaxDelaySeconds a positive integer below 31622401 (a year);
         * JitterStrategy FULL or NONE. */
        double d;
        if (get_int(c, k, "IntervalSeconds", kptr, 1, 99999999, &d)) r->interval = d;
        if (get_int(c, k, "MaxAttempts", kptr, 0, 99999999, &d)) r->max_attempts = (int32_t)d;
        if (get_finite(c, k, "BackoffRate", kptr, &d)) {
            if (d < 1.0) ERR(c, field(k, "BackoffRate"), ptr_join(c, kptr, "BackoffRate"),
                             "must be at least 1.0, got %g", d);
            else r->backoff = d;
        }
        if (get_int(c, k, "MaxDelaySeconds", kptr, 1, 31622400, &d)) r->max_delay = d;
        const char *js = get_string(c, k, "JitterStrategy", kptr, false);
        if (js) {
            if (!strcmp(js, "FULL")) r->jitter = ASL_JITTER_FULL;
            else if (strcmp(js, "NONE"))
                ERR(c, field(k, "JitterStrategy"), ptr_join(c, kptr, "JitterStrategy"),
                    "must be \"FULL\" or \"NONE\", got \"%s\"", js);
        }
    }
}

static void parse_catch(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Catch");
    if (!n) return;
    const char *cptr = ptr_join(c, ptr, "Catch");
    if (!cJSON_IsArray(n)) {
        ERR(c, n, cptr, "expected an array of catchers, got %s", json_type_name(n));
        return;
    }
    s->ncatch = (uint32_t)cJSON_GetArraySize(n);
    s->catch_ = asl_alloc(c->a, (s->ncatch + 1) * sizeof *s->catch_);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        const char *kptr = ptr_index(c, cptr, i);
        ir_catcher *r = &s->catch_[i];
        memset(r, 0, sizeof *r);
        if (!cJSON_IsObject(k)) {
            ERR(c, k, kptr, "a catcher must be an object, got %s", json_type_name(k));
            continue;
        }
        /* The catcher fields of the AWS error-handling documentation. */
        static const char *const known[] = {"ErrorEquals", "Next", "ResultPath", "Comment", "Assign"};
        static const char *const jknown[] = {"ErrorEquals", "Next", "Output", "Assign", "Comment"};
        const char *const *kn = s->jsonata ? jknown : known;
        size_t nk = s->jsonata ? sizeof jknown / sizeof *jknown : sizeof known / sizeof *known;
        for (const cJSON *f = k->child; f; f = f->next) {
            size_t j = 0;
            while (j < nk && strcmp(kn[j], f->string)) j++;
            if (j == nk) bad_field(c, f, ptr_join(c, kptr, f->string), "a catcher", kn, nk);
        }
        get_string(c, k, "Comment", kptr, false);
        bool has_all = false;
        parse_error_list(c, s, k, kptr, &r->errors, &r->lens, &r->nerrors, &has_all);
        if (has_all && k->next)
            ERR(c, field(k, "ErrorEquals"), ptr_join(c, kptr, "ErrorEquals"),
                "a catcher with \"States.ALL\" must be the last one");
        r->next = get_string(c, k, "Next", kptr, true);
        if (s->jsonata) {
            r->result_path = jn_leave(c, s, k, kptr, ASL_JNF_CATCH);
        } else {
            r->result_path = get_path(c, k, "ResultPath", kptr, ASLC_PATH_REFERENCE, true,
                                      &r->result_path_null);
            r->assign = get_assign(c, k, kptr);
        }
    }
}

/* ---- states ------------------------------------------------------------------------------- */

static ir_machine *parse_machine(P *c, const cJSON *obj, const char *ptr, ir_state *owner,
                                 bool top);

static const char *make_cname(P *c, const char *name)
{
    asl_buf b;
    asl_buf_init(&b);
    asl_buf_puts(&b, "st_");
    for (const unsigned char *s = (const unsigned char *)name; *s && b.len < 48; s++)
        asl_buf_putc(&b, isalnum(*s) ? (char)*s : '_');
    size_t base = b.len;
    for (int k = 2;; k++) {
        asl_buf_putc(&b, 0);
        b.len--;
        /* open addressing set of the names used so far */
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < b.len; i++) h = (h ^ (unsigned char)b.data[i]) * 16777619u;
        uint32_t i = h & (c->capnames - 1);
        while (c->cnames[i] && strcmp(c->cnames[i], b.data)) i = (i + 1) & (c->capnames - 1);
        if (!c->cnames[i]) {
            const char *s = asl_strndup(c->a, b.data, b.len);
            c->cnames[i] = s;
            asl_buf_free(&b);
            return s;
        }
        b.len = base;
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_%d", k);
        asl_buf_puts(&b, suffix);
    }
}

static void add_state(P *c, ir_state *s)
{
    if (c->nall == c->capall) {
        c->capall = c->capall ? c->capall * 2 : 64;
        ir_state **n = asl_alloc(c->a, c->capall * sizeof *n);
        if (c->nall) memcpy(n, c->all, c->nall * sizeof *n);
        c->all = n;
    }
    s->index = c->nall;
    c->all[c->nall++] = s;
    /* keep the identifier set at most half full */
    if (c->nall * 2 >= c->capnames) {
        uint32_t oldcap = c->capnames;
        const char **old = c->cnames;
        c->capnames *= 4;
        c->cnames = asl_alloc(c->a, c->capnames * sizeof *c->cnames);
        memset(c->cnames, 0, c->capnames * sizeof *c->cnames);
        for (uint32_t i = 0; i < oldcap; i++) {
            if (!old[i]) continue;
            uint32_t h = 2166136261u;
            for (const char *p = old[i]; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
            uint32_t j = h & (c->capnames - 1);
            while (c->cnames[j]) j = (j + 1) & (c->capnames - 1);
            c->cnames[j] = old[i];
        }
    }
}

/* Credentials (AWS Task state): an object with "RoleArn", an IAM role ARN,
 * or "RoleArn.$", a path or an intrinsic call giving one at run time.  The
 * role the task would assume is kept in the IR for the integrations; run
 * locally, a task has no AWS identity to change. */
static void parse_credentials(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Credentials");
    if (!n) return;
    const char *cptr = ptr_join(c, ptr, "Credentials");
    if (!cJSON_IsObject(n)) {
        ERR(c, n, cptr, "expected an object with \"RoleArn\" (or \"RoleArn.$\"), got %s",
            json_type_name(n));
        return;
    }
    static const char *const known[] = {"RoleArn", "RoleArn.$"};
    const cJSON *role = NULL;
    bool ok = true;
    for (const cJSON *k = n->child; k; k = k->next) {
        if (strcmp(k->string, "RoleArn") && strcmp(k->string, "RoleArn.$")) {
            bad_field(c, k, ptr_join(c, cptr, k->string), "Credentials", known, 2);
            ok = false;
        } else if (role) {
            ERR_KEY(c, k, ptr_join(c, cptr, k->string), "\"RoleArn\" and \"RoleArn.$\" cannot "
                    "both be set");
            ok = false;
        } else {
            role = k;
        }
    }
    if (!role) {
        if (ok) ERR(c, n, cptr, "missing required field \"RoleArn\" (or \"RoleArn.$\")");
        return;
    }
    const char *rptr = ptr_join(c, cptr, role->string);
    if (s->jsonata && !strcmp(role->string, "RoleArn") && jn_text(c, role)) {
        /* JSONata: "RoleArn": "{% ... %}", evaluated as the state's other
         * values are, on $states.input */
        s->credentials = jn_tmpl(c, s, n, cptr, "Credentials", ASL_JNF_VALUE);
        return;
    }
    if (!strcmp(role->string, "RoleArn")) {
        if (!cJSON_IsString(role)) {
            ERR(c, role, rptr, "expected an IAM role ARN string, got %s", json_type_name(role));
            return;
        }
        size_t at;
        const char *why = aslc_role_arn_check(c->a, role->valuestring, &at);
        if (why) {
            int line, col;
            aslc_srcmap_pos(c->u->map, role, false, &line, &col);
            if (at) string_pos(c, role, at, &line, &col);
            aslc_diag_at(c->u, ASLC_ERROR, line, col, rptr, "%s", why);
            return;
        }
    }
    /* "RoleArn.$" is checked as any template member: a path or a call. */
    s->credentials = parse_tmpl(c, n, cptr);
}

static void parse_task(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    s->resource = get_string(c, obj, "Resource", ptr, true);
    if (s->resource) s->resource_loc = loc_of(c, field(obj, "Resource"), ptr_join(c, ptr, "Resource"));
    if (s->resource) {
        /* The ASL specification makes Resource a URI, and AWS accepts only
         * the ARNs of a Lambda function, an activity or a service
         * integration (arn.c).  One it refuses still compiles, with a
         * warning, when the resources file of the compilation binds that
         * very name (the seeds' "Lambda:ReceiveOrder"): it runs locally as
         * written; `aslc check` keeps it an error. */
        size_t at;
        const char *why = aslc_arn_check(c->a, s->resource, &at);
        if (why) {
            const cJSON *rn = field(obj, "Resource");
            bool bound = c->u->bound && cJSON_GetObjectItemCaseSensitive(c->u->bound, s->resource);
            /* The caret: at the part the reason is about, or the whole value. */
            int line = s->resource_loc.line, col = s->resource_loc.col;
            if (at) string_pos(c, rn, at, &line, &col);
            if (bound)
                aslc_diag_at(c->u, ASLC_WARNING, line, col, ptr_join(c, ptr, "Resource"),
                             "AWS would reject this Resource: %s; compiled because the resources "
                             "file binds \"%s\"", why, s->resource);
            else
                aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr_join(c, ptr, "Resource"), "%s", why);
        }
    }
    parse_credentials(c, s, obj, ptr);
    /* TimeoutSeconds and HeartbeatSeconds: positive integers (at most
     * 99999999), each either constant or from a path, the heartbeat smaller
     * than the timeout (AWS Task state documentation). */
    double d;
    if (get_int(c, obj, "TimeoutSeconds", ptr, 1, 99999999, &d)) s->timeout = d;
    if (get_int(c, obj, "HeartbeatSeconds", ptr, 1, 99999999, &d)) s->heartbeat = d;
    s->timeout_path = get_path(c, obj, "TimeoutSecondsPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->heartbeat_path = get_path(c, obj, "HeartbeatSecondsPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    if (field(obj, "TimeoutSeconds") && field(obj, "TimeoutSecondsPath"))
        ERR_KEY(c, field(obj, "TimeoutSecondsPath"), ptr_join(c, ptr, "TimeoutSecondsPath"),
                "\"TimeoutSeconds\" and \"TimeoutSecondsPath\" cannot both be set");
    if (field(obj, "HeartbeatSeconds") && field(obj, "HeartbeatSecondsPath"))
        ERR_KEY(c, field(obj, "HeartbeatSecondsPath"), ptr_join(c, ptr, "HeartbeatSecondsPath"),
                "\"HeartbeatSeconds\" and \"HeartbeatSecondsPath\" cannot both be set");
    if (s->timeout > 0 && s->heartbeat > 0 && s->heartbeat >= s->timeout)
        ERR(c, field(obj, "HeartbeatSeconds"), ptr_join(c, ptr, "HeartbeatSeconds"),
            "\"HeartbeatSeconds\" must be smaller than \"TimeoutSeconds\"");
    s->site = c->p->ntasks++;
}

/* The ASL specification: a Choice state MUST have a non-empty "Choices"
 * array of rules, MAY have a "Default" state name. */
static void parse_choice(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Choices");
    s->default_ = get_string(c, obj, "Default", ptr, false);
    if (!n) {
        ERR(c, obj, ptr, "missing required field \"Choices\"");
        return;
    }
    const char *cptr = ptr_join(c, ptr, "Choices");
    if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
        ERR(c, n, cptr, "\"Choices\" must be a non-empty array of rules");
        return;
    }
    s->nchoices = (uint32_t)cJSON_GetArraySize(n);
    s->choices = asl_alloc(c->a, s->nchoices * sizeof *s->choices);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++)
        s->choices[i] = s->jsonata ? jn_rule(c, s, k, ptr_index(c, cptr, i))
                                   : parse_rule(c, k, ptr_index(c, cptr, i), true);
}

static void parse_wait(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    /* The ASL specification: a Wait state has exactly one of these. */
    int count = 0;
    const char *which[] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"};
    const cJSON *first = NULL, *second = NULL;
    for (const cJSON *k = obj->child; k; k = k->next)
        for (int i = 0; i < 4; i++)
            if (!strcmp(k->string, which[i])) {
                count++;
                if (!first) first = k;
                else if (!second) second = k;
            }
    if (!count) {
        ERR(c, obj, ptr, "a Wait state needs one of \"Seconds\", \"SecondsPath\", "
                         "\"Timestamp\" or \"TimestampPath\"");
        return;
    }
    if (second) {
        ERR_KEY(c, second, ptr_join(c, ptr, second->string), "a Wait state takes only one of "
                "\"Seconds\", \"SecondsPath\", \"Timestamp\" and \"TimestampPath\": \"%s\" "
                "is already set", first->string);
        return;
    }
    double d;
    if (get_int(c, obj, "Seconds", ptr, 0, 99999999, &d)) {
        s->has_seconds = true;
        s->seconds = d;
    }
    s->timestamp = get_string(c, obj, "Timestamp", ptr, false);
    if (s->timestamp && !(c->jn && jn_text(c, field(obj, "Timestamp")))) {
        double t;
        if (!asl_timestamp_parse(s->timestamp, strlen(s->timestamp), &t))
            ERR(c, field(obj, "Timestamp"), ptr_join(c, ptr, "Timestamp"),
                "\"%s\" is not an RFC 3339 timestamp (such as 2016-03-14T01:59:00Z)", s->timestamp);
    }
    s->seconds_path = get_path(c, obj, "SecondsPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->timestamp_path = get_path(c, obj, "TimestampPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
}

static void parse_fail(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    s->error = get_string_n(c, obj, "Error", ptr, &s->error_len);
    s->cause = get_string_n(c, obj, "Cause", ptr, &s->cause_len);
    /* AWS Fail state: ErrorPath and CausePath are a reference path or an
     * intrinsic function call (States.Format('{}', $.Error), ...). */
    static const char *const dyn[] = {"ErrorPath", "CausePath"};
    for (int i = 0; i < 2; i++) {
        const cJSON *n = field(obj, dyn[i]);
        if (cJSON_IsString(n) && aslc_is_intrinsic(n->valuestring)) {
            ir_tmpl *t = asl_alloc(c->a, sizeof *t);
            memset(t, 0, sizeof *t);
            parse_call(c, n, ptr_join(c, ptr, dyn[i]), t);
            *(i ? &s->cause_call : &s->error_call) = t;
        } else {
            *(i ? &s->cause_path : &s->error_path) =
                get_path(c, obj, dyn[i], ptr, ASLC_PATH_REFERENCE, false, NULL);
        }
    }
    if (field(obj, "Error") && field(obj, "ErrorPath"))
        ERR_KEY(c, field(obj, "ErrorPath"), ptr_join(c, ptr, "ErrorPath"),
                "\"Error\" and \"ErrorPath\" cannot both be set");
    if (field(obj, "Cause") && field(obj, "CausePath"))
        ERR_KEY(c, field(obj, "CausePath"), ptr_join(c, ptr, "CausePath"),
                "\"Cause\" and \"CausePath\" cannot both be set");
}

/* The ASL specification: "Branches" is a non-empty array of objects, each
 * a state machine with "States" and "StartAt" of its own. */
static void parse_parallel(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    const cJSON *n = field(obj, "Branches");
    if (!n) {
        ERR(c, obj, ptr, "missing required field \"Branches\"");
        return;
    }
    const char *bptr = ptr_join(c, ptr, "Branches");
    if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
        ERR(c, n, bptr, "\"Branches\" must be a non-empty array of state machines");
        return;
    }
    s->nbranches = (uint32_t)cJSON_GetArraySize(n);
    s->branches = asl_alloc(c->a, s->nbranches * sizeof *s->branches);
    int i = 0;
    for (const cJSON *k = n->child; k; k = k->next, i++) {
        s->branches[i] = parse_machine(c, k, ptr_index(c, bptr, i), s, false);
        if (s->jsonata) c->jn = s;
        if (s->branches[i]) s->branches[i]->index = (uint32_t)i;
    }
}

/* Map state rules across fields (AWS Map state documentation): each
 * setting is a constant or a path, never both; a Distributed Map's Label is
 * at most 40 characters, none of them blank, a bracket, a wildcard or one of
 * " # % \ ^ | ~ ` $ & , ; : /. */
static void check_map_fields(P *c, const cJSON *obj, const char *ptr)
{
    static const char *const pairs[3][2] = {
        {"MaxConcurrency", "MaxConcurrencyPath"},
        {"ToleratedFailureCount", "ToleratedFailureCountPath"},
        {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"}};
    for (int i = 0; i < 3; i++)
        if (field(obj, pairs[i][0]) && field(obj, pairs[i][1]))
            ERR_KEY(c, field(obj, pairs[i][1]), ptr_join(c, ptr, pairs[i][1]),
                    "\"%s\" and \"%s\" cannot both be set", pairs[i][0], pairs[i][1]);
    const cJSON *label = field(obj, "Label");
    if (cJSON_IsString(label)) {
        const char *l = label->valuestring;
        size_t n = asl_utf16_length(l, strlen(l));
        if (n > 40)
            ERR(c, label, ptr_join(c, ptr, "Label"), "a Map \"Label\" is at most 40 characters, "
                                                     "this one has %zu", n);
        for (size_t i = 0; l[i]; i++) {
            unsigned char ch = (unsigned char)l[i];
            if (ch < 0x20 || ch == 0x7F || strchr(" <>{}[]?*\"#%\\^|~`$&,;:/", ch)) {
                int line, col;
                string_pos(c, label, i, &line, &col);
                aslc_diag_at(c->u, ASLC_ERROR, line, col, ptr_join(c, ptr, "Label"),
                             "a Map \"Label\" cannot contain whitespace, brackets, wildcards, "
                             "control characters or any of \" # %% \\ ^ | ~ ` $ & , ; : /");
                break;
            }
        }
    }
}

/* ---- Distributed Map: ItemReader and ResultWriter ------------------------------------ */

/* A constant template node of string s. */
static ir_tmpl *tmpl_string(P *c, const char *s)
{
    ir_tmpl *t = asl_alloc(c->a, sizeof *t);
    memset(t, 0, sizeof *t);
    t->kind = IR_T_CONST;
    t->cval = asl_cstring(c->a, s);
    t->ctext = asl_json_string(c->a, t->cval, NULL);
    return t;
}

/* An object template of n members (NULL values skipped): a constant when
 * every member is one, as parse_tmpl makes them. */
static ir_tmpl *tmpl_object(P *c, const char *const *keys, ir_tmpl *const *vals, uint32_t n)
{
    ir_tmpl *t = asl_alloc(c->a, sizeof *t);
    memset(t, 0, sizeof *t);
    t->members = asl_alloc(c->a, (n + 1) * sizeof *t->members);
    bool computed = false;
    for (uint32_t i = 0; i < n; i++) {
        if (!vals[i]) continue;
        ir_tmpl_member *m = &t->members[t->n++];
        m->klen = (uint32_t)strlen(keys[i]);
        m->key = asl_strndup(c->a, keys[i], m->klen);   /* keys may be cJSON's, freed before emission */
        m->val = vals[i];
        computed = computed || vals[i]->kind != IR_T_CONST;
    }
    if (computed) {
        t->kind = IR_T_OBJECT;
        return t;
    }
    asl_value *o = asl_object(c->a, t->n);
    for (uint32_t i = 0; i < t->n; i++)
        asl_object_set(c->a, o, t->members[i].key, t->members[i].klen, t->members[i].val->cval);
    memset(t, 0, sizeof *t);
    t->kind = IR_T_CONST;
    t->cval = o;
    t->ctext = asl_json_string(c->a, o, NULL);
    return t;
}

/* A string field whose value is one of a closed set (NULL-terminated). */
static const char *get_enum(P *c, const cJSON *obj, const char *name, const char *ptr,
                            const char *const *allowed)
{
    const char *v = get_string(c, obj, name, ptr, false);
    if (!v) return NULL;
    asl_buf b;
    asl_buf_init(&b);
    for (int i = 0; allowed[i]; i++) {
        if (!strcmp(v, allowed[i])) {
            asl_buf_free(&b);
            return v;
        }
        asl_buf_puts(&b, i ? (allowed[i + 1] ? ", " : " or ") : "");
        asl_buf_putc(&b, '"');
        asl_buf_puts(&b, allowed[i]);
        asl_buf_putc(&b, '"');
    }
    asl_buf_putc(&b, 0);
    ERR(c, field(obj, name), ptr_join(c, ptr, name), "%s must be %s, got \"%s\"", name, b.data, v);
    asl_buf_free(&b);
    return NULL;
}

/* Reports every member of obj not in known, with a suggestion. */
static void only_fields(P *c, const cJSON *obj, const char *ptr, const char *where,
                        const char *const *known, size_t n)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++) ok = !strcmp(k->string, known[i]);
        if (!ok) bad_field(c, k, ptr_join(c, ptr, k->string), where, known, n);
    }
}

/* An S3 resource of a Map field: arn:PARTITION:states:::s3:ACTION for one of
 * the actions given; NULL (reported) otherwise. */
static const char *s3_resource(P *c, const cJSON *obj, const char *ptr, const char *what,
                               const char *const *actions)
{
    const char *r = get_string(c, obj, "Resource", ptr, true);
    if (!r) return NULL;
    static const char *const partitions[] = {"arn:aws:", "arn:aws-cn:", "arn:aws-us-gov:"};
    for (int p = 0; p < 3; p++) {
        size_t pl = strlen(partitions[p]);
        if (strncmp(r, partitions[p], pl) || strncmp(r + pl, "states:::s3:", 12)) continue;
        for (int i = 0; actions[i]; i++)
            if (!strcmp(r + pl + 12, actions[i])) return r;
    }
    ERR(c, field(obj, "Resource"), ptr_join(c, ptr, "Resource"),
        "%s Resource must be \"arn:aws:states:::s3:%s\"%s%s%s, got \"%s\"", what, actions[0],
        actions[1] ? " or \"arn:aws:states:::s3:" : "", actions[1] ? actions[1] : "",
        actions[1] ? "\"" : "", r);
    return NULL;
}

/* Parameters of an S3 call: an object with Bucket (or Bucket.$) and, when
 * key_required, Key (or Key.$); the template.  In a JSONata state (jn) the
 * field is "Arguments", as AWS names it there: an object whose values may
 * be `{% %}` expressions, or one expression giving the whole object. */
static ir_tmpl *s3_parameters(P *c, ir_state *jn, const cJSON *obj, const char *ptr, const char *what,
                              const char *const *required)
{
    const char *fname = jn ? "Arguments" : "Parameters";
    const cJSON *n = field(obj, fname);
    if (!n) {
        /* the other of the two is reported by s3_args_field */
        if (!field(obj, jn ? "Parameters" : "Arguments"))
            ERR(c, obj, ptr, "missing required field \"%s\" (the %s's Bucket)", fname, what);
        return NULL;
    }
    const char *pptr = ptr_join(c, ptr, fname);
    if (jn && jn_text(c, n)) return jn_tmpl(c, jn, n, pptr, asl_sprintf(c->a, "%s/%s", what, fname), ASL_JNF_VALUE);
    if (!cJSON_IsObject(n)) {
        ERR(c, n, pptr, "expected an object, got %s", json_type_name(n));
        return NULL;
    }
    for (int i = 0; required[i]; i++) {
        char dollar[32];
        snprintf(dollar, sizeof dollar, "%s.$", required[i]);
        if (!field(n, required[i]) && !field(n, dollar))
            ERR(c, n, pptr, "missing required field \"%s\" (or \"%s\") in the %s's Parameters",
                required[i], dollar, what);
        else if (field(n, required[i]) && !cJSON_IsString(field(n, required[i])))
            ERR(c, field(n, required[i]), ptr_join(c, pptr, required[i]), "expected a string, got %s",
                json_type_name(field(n, required[i])));
    }
    return jn ? jn_tmpl(c, jn, n, pptr, asl_sprintf(c->a, "%s/%s", what, fname), ASL_JNF_VALUE)
              : parse_tmpl(c, n, pptr);
}

/* A JSONata state's ItemReader or ResultWriter names its S3 call's
 * arguments "Arguments"; a JSONPath state's "Parameters".  The other is
 * reported, naming the one to use. */
static void s3_args_field(P *c, const cJSON *obj, const char *ptr, const ir_state *jn)
{
    const char *wrong = jn ? "Parameters" : "Arguments";
    const cJSON *k = field(obj, wrong);
    if (!k) return;
    if (jn)
        ERR_KEY(c, k, ptr_join(c, ptr, wrong), "\"Parameters\" is a JSONPath field: in a JSONata "
                "state the S3 call's Bucket (and Key or Prefix) are in \"Arguments\"");
    else
        ERR_KEY(c, k, ptr_join(c, ptr, wrong), "\"Arguments\" is a JSONata field: set "
                "\"QueryLanguage\": \"JSONata\" on the state (or the state machine), or use "
                "\"Parameters\"");
}

/* ItemReader (AWS "ItemReader (Map)"): where a Distributed Map reads its
 * items.  s3:getObject reads one object (ReaderConfig InputType JSON,
 * JSONL, CSV, PARQUET or MANIFEST; ManifestType S3_INVENTORY, or
 * ATHENA_DATA with the data files' InputType); s3:listObjectsV2 lists the objects under a
 * prefix.  The template evaluates to {"Resource", "ReaderConfig",
 * "Parameters"}; a MaxItemsPath becomes ReaderConfig's "MaxItems" (the
 * value it selects) next to "MaxItemsPath" (its text, for messages). */
static ir_tmpl *parse_item_reader(P *c, ir_state *s, const cJSON *ir, const char *ptr)
{
    ir_state *jn = s->jsonata ? s : NULL;
    const char *const fields[] = {"Resource", "ReaderConfig", jn ? "Arguments" : "Parameters",
                                  jn ? "Parameters" : "Arguments"};
    static const char *const get_list[] = {"getObject", "listObjectsV2", NULL};
    if (!cJSON_IsObject(ir)) {
        ERR(c, ir, ptr, "expected an object, got %s", json_type_name(ir));
        return NULL;
    }
    s3_args_field(c, ir, ptr, jn);   /* the other of Parameters and Arguments */
    only_fields(c, ir, ptr, "ItemReader", fields, 4);
    const char *res = s3_resource(c, ir, ptr, "an ItemReader", get_list);
    bool list = res && strstr(res, ":listObjectsV2");
    static const char *const bucket_key[] = {"Bucket", "Key", NULL}, *const bucket[] = {"Bucket", NULL};
    ir_tmpl *params = s3_parameters(c, jn, ir, ptr, "ItemReader", list ? bucket : bucket_key);
    const cJSON *cfg = field(ir, "ReaderConfig");
    const char *cptr = ptr_join(c, ptr, "ReaderConfig");
    ir_tmpl *config = NULL;
    if (cfg && !cJSON_IsObject(cfg)) {
        ERR(c, cfg, cptr, "expected an object, got %s", json_type_name(cfg));
        cfg = NULL;
    }
    const char *type = NULL, *manifest = NULL, *transform = NULL;
    if (cfg) {
        static const char *const cfields[] = {"InputType", "CSVHeaderLocation", "CSVHeaders",
                                              "CSVDelimiter", "MaxItems", "MaxItemsPath",
                                              "ManifestType", "ItemsPointer", "Transformation"};
        only_fields(c, cfg, cptr, "ReaderConfig", cfields, sizeof cfields / sizeof *cfields);
        static const char *const types[] = {"JSON", "JSONL", "CSV", "MANIFEST", "PARQUET", NULL};
        static const char *const where[] = {"FIRST_ROW", "GIVEN", NULL};
        static const char *const delims[] = {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB", NULL};
        static const char *const manifests[] = {"S3_INVENTORY", "ATHENA_DATA", NULL};
        type = get_enum(c, cfg, "InputType", cptr, types);
        const char *loc = get_enum(c, cfg, "CSVHeaderLocation", cptr, where);
        get_enum(c, cfg, "CSVDelimiter", cptr, delims);
        const char *mt = manifest = get_enum(c, cfg, "ManifestType", cptr, manifests);
        /* An Athena data manifest lists data files of one format, which
         * InputType names (AWS: CSV, JSONL or PARQUET). */
        if (mt && !strcmp(mt, "ATHENA_DATA") &&
            (!type || (strcmp(type, "CSV") && strcmp(type, "JSONL") && strcmp(type, "PARQUET"))))
            ERR(c, type ? field(cfg, "InputType") : field(cfg, "ManifestType"),
                ptr_join(c, cptr, type ? "InputType" : "ManifestType"),
                "\"ManifestType\": \"ATHENA_DATA\" needs \"InputType\" CSV, JSONL or PARQUET (the "
                "format of the data files the manifest lists)");
        get_string(c, cfg, "ItemsPointer", cptr, false);
        static const char *const transforms[] = {"NONE", "LOAD_AND_FLATTEN", NULL};
        transform = get_enum(c, cfg, "Transformation", cptr, transforms);
        const cJSON *hdr = field(cfg, "CSVHeaders");
        if (hdr) {
            bool ok = cJSON_IsArray(hdr) && cJSON_GetArraySize(hdr) > 0;
            for (const cJSON *h = ok ? hdr->child : NULL; h; h = h->next) ok = ok && cJSON_IsString(h);
            if (!ok)
                ERR(c, hdr, ptr_join(c, cptr, "CSVHeaders"), "CSVHeaders must be a non-empty array of "
                                                              "strings");
        }
        /* S3_INVENTORY manifests are CSV too, and take no InputType. */
        bool csv = (type && (!strcmp(type, "CSV") || !strcmp(type, "MANIFEST"))) ||
                   (mt && !strcmp(mt, "S3_INVENTORY"));
        if (mt && !strcmp(mt, "S3_INVENTORY") && type)
            ERR_KEY(c, field(cfg, "InputType"), ptr_join(c, cptr, "InputType"),
                    "with \"ManifestType\": \"S3_INVENTORY\" there is no \"InputType\" (the "
                    "inventory's files are CSV)");
        if (loc && !strcmp(loc, "GIVEN") && !hdr)
            ERR(c, field(cfg, "CSVHeaderLocation"), ptr_join(c, cptr, "CSVHeaderLocation"),
                "CSVHeaderLocation \"GIVEN\" needs \"CSVHeaders\"");
        /* Settings that have no effect where they are: warned about, not
         * refused, as it is not known that AWS refuses them. */
        if (hdr && (!loc || strcmp(loc, "GIVEN")))
            aslc_diag(c->u, ASLC_WARNING, hdr, true, ptr_join(c, cptr, "CSVHeaders"),
                      "\"CSVHeaders\" is ignored without \"CSVHeaderLocation\": \"GIVEN\" (the "
                      "headers are then the first row)");
        static const char *const csv_only[] = {"CSVHeaderLocation", "CSVHeaders", "CSVDelimiter"};
        for (int i = 0; i < 3; i++)
            if (type && !csv && field(cfg, csv_only[i]))
                aslc_diag(c->u, ASLC_WARNING, field(cfg, csv_only[i]), true,
                          ptr_join(c, cptr, csv_only[i]),
                          "\"%s\" is ignored: it is only for InputType \"CSV\" or \"MANIFEST\"",
                          csv_only[i]);
        double d;
        get_int(c, cfg, "MaxItems", cptr, 0, 100000000, &d);
        if (field(cfg, "MaxItems") && field(cfg, "MaxItemsPath"))
            ERR_KEY(c, field(cfg, "MaxItemsPath"), ptr_join(c, cptr, "MaxItemsPath"),
                    "\"MaxItems\" and \"MaxItemsPath\" cannot both be set");
        if (jn && field(cfg, "MaxItemsPath"))
            ERR_KEY(c, field(cfg, "MaxItemsPath"), ptr_join(c, cptr, "MaxItemsPath"),
                    "\"MaxItemsPath\" is a JSONPath field: in a JSONata state \"MaxItems\" takes a "
                    "`{%% %%}` expression");
        const asl_path *mp = jn ? NULL : get_path(c, cfg, "MaxItemsPath", cptr, ASLC_PATH_REFERENCE, false, NULL);
        /* JSONata: MaxItems (or any member) may be an expression on $states.input */
        config = jn ? jn_tmpl(c, jn, cfg, cptr, "ItemReader/ReaderConfig", ASL_JNF_VALUE)
                    : parse_tmpl(c, cfg, cptr);
        if (mp && config->kind == IR_T_CONST) {
            /* the constant members, then MaxItems from the path */
            uint32_t n = config->cval->len, i = 0;
            const char **keys = asl_alloc(c->a, (n + 1) * sizeof *keys);
            ir_tmpl **vals = asl_alloc(c->a, (n + 1) * sizeof *vals);
            for (const cJSON *k = cfg->child; k; k = k->next, i++) {
                keys[i] = k->string;
                vals[i] = strcmp(k->string, "MaxItemsPath") ? parse_tmpl(c, k, ptr_join(c, cptr, k->string))
                                                            : tmpl_string(c, mp->text);
            }
            ir_tmpl *pv = asl_alloc(c->a, sizeof *pv);
            memset(pv, 0, sizeof *pv);
            pv->kind = IR_T_PATH;
            pv->path = mp;
            pv->src = mp->text;
            keys[n] = "MaxItems";
            vals[n] = pv;
            config = tmpl_object(c, keys, vals, n + 1);
        }
    }
    bool flatten = transform && !strcmp(transform, "LOAD_AND_FLATTEN");
    if (res && !list && !type && !manifest)
        ERR(c, cfg ? cfg : ir, cfg ? cptr : ptr,
            "an s3:getObject ItemReader needs \"ReaderConfig\" with \"InputType\" (\"JSON\", "
            "\"JSONL\", \"CSV\", \"PARQUET\" or \"MANIFEST\") or \"ManifestType\"");
    /* listObjectsV2 lists objects; with Transformation LOAD_AND_FLATTEN it reads
     * each, of InputType. */
    if (list && type && !flatten)
        aslc_diag(c->u, ASLC_WARNING, field(cfg, "InputType"), true, ptr_join(c, cptr, "InputType"),
                  "\"InputType\" is ignored: an s3:listObjectsV2 ItemReader lists objects, and reads "
                  "them only with \"Transformation\": \"LOAD_AND_FLATTEN\"");
    if (flatten && (!list || !type || !strcmp(type, "MANIFEST")))
        ERR(c, field(cfg, "Transformation"), ptr_join(c, cptr, "Transformation"),
            "Transformation \"LOAD_AND_FLATTEN\" is for an s3:listObjectsV2 ItemReader with an "
            "\"InputType\" (\"JSON\", \"JSONL\", \"CSV\" or \"PARQUET\")");
    if (!res || !params) return NULL;
    /* Arguments too are "Parameters" to the runtime (itemreader.c) */
    const char *keys[3] = {"Resource", "ReaderConfig", "Parameters"};
    ir_tmpl *vals[3] = {tmpl_string(c, res), config, params};
    return tmpl_object(c, keys, vals, 3);
}

/* ResultWriter (AWS "ResultWriter (Map)"): s3:putObject with Parameters
 * Bucket and Prefix exports the child executions' results; WriterConfig
 * (Transformation, OutputType) shapes them, alone or with the export.  The
 * template evaluates to {"Resource", "Parameters", "WriterConfig", "Label"}
 * (only the members given). */
static ir_tmpl *parse_result_writer(P *c, ir_state *s, const cJSON *rw, const cJSON *map, const char *ptr)
{
    ir_state *jn = s->jsonata ? s : NULL;
    const char *const fields[] = {"Resource", jn ? "Arguments" : "Parameters", "WriterConfig",
                                  jn ? "Parameters" : "Arguments"};
    static const char *const put[] = {"putObject", NULL};
    if (!cJSON_IsObject(rw)) {
        ERR(c, rw, ptr, "expected an object, got %s", json_type_name(rw));
        return NULL;
    }
    s3_args_field(c, rw, ptr, jn);   /* the other of Parameters and Arguments */
    only_fields(c, rw, ptr, "ResultWriter", fields, 4);
    const cJSON *wc = field(rw, "WriterConfig");
    const char *wptr = ptr_join(c, ptr, "WriterConfig");
    if (wc && !cJSON_IsObject(wc)) {
        ERR(c, wc, wptr, "expected an object, got %s", json_type_name(wc));
        wc = NULL;
    } else if (wc) {
        static const char *const wfields[] = {"Transformation", "OutputType"};
        static const char *const transforms[] = {"NONE", "COMPACT", "FLATTEN", NULL};
        static const char *const outputs[] = {"JSON", "JSONL", NULL};
        only_fields(c, wc, wptr, "WriterConfig", wfields, 2);
        get_enum(c, wc, "Transformation", wptr, transforms);
        get_enum(c, wc, "OutputType", wptr, outputs);
    }
    /* Either WriterConfig alone or Resource and Parameters (and maybe WriterConfig). */
    const char *res = NULL;
    ir_tmpl *params = NULL;
    if (field(rw, "Resource") || field(rw, jn ? "Arguments" : "Parameters") || !wc) {
        static const char *const bucket[] = {"Bucket", NULL};
        res = s3_resource(c, rw, ptr, "a ResultWriter", put);
        params = s3_parameters(c, jn, rw, ptr, "ResultWriter", bucket);
        if (!res || !params) return NULL;
    }
    const cJSON *label = field(map, "Label");
    const char *keys[4] = {"Resource", "Parameters", "WriterConfig", "Label"};
    ir_tmpl *vals[4] = {res ? tmpl_string(c, res) : NULL, params,
                        wc ? parse_tmpl(c, wc, wptr) : NULL,
                        cJSON_IsString(label) ? tmpl_string(c, label->valuestring) : NULL};
    return tmpl_object(c, keys, vals, 4);
}

static void parse_map(P *c, ir_state *s, const cJSON *obj, const char *ptr)
{
    check_map_fields(c, obj, ptr);
    const cJSON *proc = field(obj, "ItemProcessor");
    const char *pname = "ItemProcessor";
    if (!proc) {
        proc = field(obj, "Iterator");
        pname = "Iterator";
    } else if (field(obj, "Iterator")) {
        ERR_KEY(c, field(obj, "Iterator"), ptr_join(c, ptr, "Iterator"),
                "\"ItemProcessor\" and \"Iterator\" cannot both be set");
    }
    /* A Map state MUST have ItemProcessor (or its former name, Iterator). */
    if (!proc) {
        ERR(c, obj, ptr, "missing required field \"ItemProcessor\"");
    } else {
        const char *pptr = ptr_join(c, ptr, pname);
        const cJSON *cfg = field(proc, "ProcessorConfig");
        if (cfg) {
            /* DISTRIBUTED iterations run as child executions on this machine, with
             * the same results as INLINE ones. */
            const char *cptr = ptr_join(c, pptr, "ProcessorConfig");
            const char *mode = get_string(c, cfg, "Mode", cptr, false);
            if (mode && strcmp(mode, "INLINE") && strcmp(mode, "DISTRIBUTED"))
                ERR(c, field(cfg, "Mode"), ptr_join(c, cptr, "Mode"),
                    "Mode must be \"INLINE\" or \"DISTRIBUTED\", got \"%s\"", mode);
            s->distributed = mode && !strcmp(mode, "DISTRIBUTED");
            const char *et = get_string(c, cfg, "ExecutionType", cptr, false);
            if (et && strcmp(et, "STANDARD") && strcmp(et, "EXPRESS"))
                ERR(c, field(cfg, "ExecutionType"), ptr_join(c, cptr, "ExecutionType"),
                    "ExecutionType must be \"STANDARD\" or \"EXPRESS\", got \"%s\"", et);
            for (const cJSON *k = cfg->child; k; k = k->next)
                if (strcmp(k->string, "Mode") && strcmp(k->string, "ExecutionType"))
                    ERR_KEY(c, k, ptr_join(c, cptr, k->string),
                            "unknown field \"%s\" in ProcessorConfig", k->string);
        }
        s->processor = parse_machine(c, proc, pptr, s, false);
        if (s->jsonata) c->jn = s;
    }
    s->items_path = get_path(c, obj, "ItemsPath", ptr, ASLC_PATH_PAYLOAD, false, NULL);
    if (field(obj, "ItemSelector") && field(obj, "Parameters"))
        ERR_KEY(c, field(obj, "Parameters"), ptr_join(c, ptr, "Parameters"),
                "\"ItemSelector\" and \"Parameters\" cannot both be set");
    s->item_selector = get_tmpl(c, obj, "ItemSelector", ptr);
    if (!s->item_selector) {
        s->item_selector = s->parameters;  /* the legacy name of ItemSelector in a Map */
        s->parameters = NULL;
    }
    double d;
    if (get_int(c, obj, "MaxConcurrency", ptr, 0, 2147483647, &d)) s->max_concurrency = (uint32_t)d;
    s->max_concurrency_path = get_path(c, obj, "MaxConcurrencyPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    const cJSON *label = field(obj, "Label");   /* checked by check_map_fields */
    if (cJSON_IsString(label)) s->label = get_string(c, obj, "Label", ptr, false);
    s->tolerated_count = -1;
    s->tolerated_percent = -1;
    s->tolerated_count_path = get_path(c, obj, "ToleratedFailureCountPath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    s->tolerated_percent_path = get_path(c, obj, "ToleratedFailurePercentagePath", ptr, ASLC_PATH_REFERENCE, false, NULL);
    if (get_int(c, obj, "ToleratedFailureCount", ptr, 0, 2147483647, &d)) s->tolerated_count = (int32_t)d;
    if (get_number(c, obj, "ToleratedFailurePercentage", ptr, &d)) {
        if (d < 0 || d > 100)
            ERR(c, field(obj, "ToleratedFailurePercentage"),
                ptr_join(c, ptr, "ToleratedFailurePercentage"), "must be between 0 and 100");
        else
            s->tolerated_percent = d;
    }
    get_string(c, obj, "Label", ptr, false);

    /* ItemReader and ResultWriter belong to a Distributed Map.  With an
     * ItemReader the items are what it reads: AWS then ignores ItemsPath
     * (recorded: a path that selects nothing in the state input does not
     * fail the state). */
    const cJSON *ir = field(obj, "ItemReader"), *rw = field(obj, "ResultWriter");
    static const char *const io[2] = {"ItemReader", "ResultWriter"};
    const cJSON *ion[2] = {ir, rw};
    for (int k = 0; k < 2; k++)
        if (ion[k] && proc && !s->distributed)
            ERR_KEY(c, ion[k], ptr_join(c, ptr, io[k]),
                    "\"%s\" is only for a Distributed Map: set \"Mode\": \"DISTRIBUTED\" in the "
                    "ItemProcessor's ProcessorConfig", io[k]);
    if (ir) {
        s->item_reader = parse_item_reader(c, s, ir, ptr_join(c, ptr, "ItemReader"));
        if (field(obj, "ItemsPath"))
            aslc_diag(c->u, ASLC_WARNING, field(obj, "ItemsPath"), true, ptr_join(c, ptr, "ItemsPath"),
                      "\"ItemsPath\" is ignored with an \"ItemReader\": the Map iterates over what "
                      "the reader reads, as on AWS");
        s->items_path = NULL;
    }
    if (rw) s->result_writer = parse_result_writer(c, s, rw, obj, ptr_join(c, ptr, "ResultWriter"));

    /* ItemBatcher: at least one limit, each as a value or a path, not both. */
    const cJSON *ib = field(obj, "ItemBatcher");
    if (ib) {
        const char *bptr = ptr_join(c, ptr, "ItemBatcher");
        if (!cJSON_IsObject(ib)) {
            ERR(c, ib, bptr, "expected an object, got %s", json_type_name(ib));
            return;
        }
        s->batched = true;
        for (const cJSON *k = ib->child; k; k = k->next)
            if (strcmp(k->string, "MaxItemsPerBatch") && strcmp(k->string, "MaxItemsPerBatchPath") &&
                strcmp(k->string, "MaxInputBytesPerBatch") &&
                strcmp(k->string, "MaxInputBytesPerBatchPath") && strcmp(k->string, "BatchInput"))
                ERR_KEY(c, k, ptr_join(c, bptr, k->string), "unknown field \"%s\" in ItemBatcher",
                        k->string);
        if (get_int(c, ib, "MaxItemsPerBatch", bptr, 1, 2147483647, &d))
            s->max_items_per_batch = (uint32_t)d;
        if (get_int(c, ib, "MaxInputBytesPerBatch", bptr, 1, 262144, &d))
            s->max_bytes_per_batch = (uint32_t)d;
        s->max_items_per_batch_path =
            get_path(c, ib, "MaxItemsPerBatchPath", bptr, ASLC_PATH_REFERENCE, false, NULL);
        s->max_bytes_per_batch_path =
            get_path(c, ib, "MaxInputBytesPerBatchPath", bptr, ASLC_PATH_REFERENCE, false, NULL);
        static const char *const pairs[2][2] = {{"MaxItemsPerBatch", "MaxItemsPerBatchPath"},
                                                {"MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"}};
        for (int k = 0; k < 2; k++)
            if (field(ib, pairs[k][0]) && field(ib, pairs[k][1]))
                ERR_KEY(c, field(ib, pairs[k][1]), ptr_join(c, bptr, pairs[k][1]),
                        "\"%s\" and \"%s\" cannot both be set", pairs[k][0], pairs[k][1]);
        if (!field(ib, "MaxItemsPerBatch") && !field(ib, "MaxItemsPerBatchPath") &&
            !field(ib, "MaxInputBytesPerBatch") && !field(ib, "MaxInputBytesPerBatchPath"))
            ERR(c, ib, bptr, "ItemBatcher needs one of \"MaxItemsPerBatch\", \"MaxItemsPerBatchPath\", "
                "\"MaxInputBytesPerBatch\" or \"MaxInputBytesPerBatchPath\"");
        if (s->jsonata) {
            /* JSONata (AWS "ItemBatcher (Map)"): MaxItemsPerBatch and
             * MaxInputBytesPerBatch may be `{% %}` expressions, read as the
             * ...Path fields are (asl_map_setting), which JSONata has not;
             * BatchInput may hold expressions. */
            static const char *const lim[2] = {"MaxItemsPerBatch", "MaxInputBytesPerBatch"};
            const asl_path **slot[2] = {&s->max_items_per_batch_path, &s->max_bytes_per_batch_path};
            for (int k = 0; k < 2; k++) {
                const cJSON *n = field(ib, lim[k]);
                char pf[40];
                snprintf(pf, sizeof pf, "%sPath", lim[k]);
                if (field(ib, pf))
                    ERR_KEY(c, field(ib, pf), ptr_join(c, bptr, pf), "\"%s\" is a JSONPath field: in a "
                            "JSONata state \"%s\" takes a `{%% %%}` expression", pf, lim[k]);
                if (jn_text(c, n))
                    *slot[k] = jn_value(c, s, n, ptr_join(c, bptr, lim[k]),
                                        asl_sprintf(c->a, "ItemBatcher/%s", lim[k]), ASL_JNT_NUMBER);
            }
            const cJSON *bi = field(ib, "BatchInput");
            s->batch_input = bi ? jn_tmpl(c, s, bi, ptr_join(c, bptr, "BatchInput"), "ItemBatcher/BatchInput",
                                          ASL_JNF_VALUE)
                                : NULL;
        } else {
            s->batch_input = get_tmpl(c, ib, "BatchInput", bptr);
        }
    }
}

static ir_state *parse_state(P *c, ir_machine *m, const cJSON *obj, const char *ptr)
{
    ir_state *s = asl_alloc(c->a, sizeof *s);
    memset(s, 0, sizeof *s);
    s->name = asl_strndup(c->a, obj->string, strlen(obj->string));
    /* A state is located by its name: where diagnostics about it point. */
    s->loc = loc_of(c, obj, ptr);
    aslc_srcmap_pos(c->u->map, obj, true, &s->loc.line, &s->loc.col);
    s->scope = m;
    if (!cJSON_IsObject(obj)) {
        ERR(c, obj, ptr, "a state must be an object, got %s", json_type_name(obj));
        return NULL;
    }
    /* AWS limits state names to 80 characters (counted as Java does, in
     * UTF-16 units); the ASL specification allows 128. */
    size_t nlen = asl_utf16_length(s->name, strlen(s->name));
    if (nlen > 80)
        ERR_KEY(c, obj, ptr, "state names are limited to 80 characters, this one has %zu", nlen);
    const char *type = get_string(c, obj, "Type", ptr, true);
    if (!type) return NULL;
    int t = -1;
    const char *types[IR__NTYPES];
    for (int i = 0; i < IR__NTYPES; i++) {
        types[i] = ir_state_type_name((ir_state_type)i);
        if (!strcmp(type, types[i])) t = i;
    }
    if (t < 0) {
        const char *dym = did_you_mean(c, type, types, IR__NTYPES);
        ERR(c, field(obj, "Type"), ptr_join(c, ptr, "Type"),
            "unknown state type \"%s\"%s", type, *dym ? dym : " (expected Pass, Task, Choice, "
            "Wait, Succeed, Fail, Parallel or Map)");
        return NULL;
    }
    s->type = (ir_state_type)t;
    s->cname = make_cname(c, s->name);
    add_state(c, s);

    s->jsonata = check_query_language(c, obj, ptr, false);
    for (const cJSON *k = obj->child; k; k = k->next) {
        const char *f = k->string, *kptr = ptr_join(c, ptr, f);
        if (s->jsonata && jsonpath_only(f) && field_allowed(s->type, f))
            ERR_KEY(c, k, kptr, "\"%s\" is a JSONPath field: a JSONata state has \"Arguments\" "
                                "and \"Output\" in place of the data-flow paths, and `{%% %%}` "
                                "expressions in place of the ...Path fields", f);
        else if (!s->jsonata && jsonata_field(s->type, f) && strcmp(f, "Assign"))
            ERR_KEY(c, k, kptr, "\"%s\" is a JSONata field: set \"QueryLanguage\": \"JSONata\" "
                                "on the state (or the state machine) to use it", f);
        else if (s->jsonata ? !jsonata_field(s->type, f) && !field_allowed(s->type, f)
                            : !field_allowed(s->type, f))
            bad_state_field(c, s->type, k, kptr);
    }

    s->comment = get_string(c, obj, "Comment", ptr, false);
    if (s->jsonata) c->jn = s;
    unsigned f = type_fields[s->type];
    /* The ASL specification: a state that is not terminal has "Next", or
     * "End": true, not both ("End" is a boolean, "Next" a state name). */
    if (f & F_NEXT_END) {
        const cJSON *end = field(obj, "End");
        s->next = get_string(c, obj, "Next", ptr, false);
        if (end && !cJSON_IsBool(end))
            ERR(c, end, ptr_join(c, ptr, "End"), "expected a boolean, got %s", json_type_name(end));
        s->end = cJSON_IsTrue(end);
        if (s->end && field(obj, "Next"))
            ERR_KEY(c, end, ptr_join(c, ptr, "End"), "\"End\" and \"Next\" cannot both be set");
        else if (!s->end && !field(obj, "Next"))
            ERR(c, obj, ptr, "a non-terminal state needs \"Next\" or \"End\": true");
    }
    if (f & F_IO) {
        s->input_path = get_path(c, obj, "InputPath", ptr, ASLC_PATH_PAYLOAD, true, &s->input_path_null);
        s->output_path = get_path(c, obj, "OutputPath", ptr, ASLC_PATH_PAYLOAD, true, &s->output_path_null);
    }
    if (f & F_RESULT_PATH)
        s->result_path = get_path(c, obj, "ResultPath", ptr, ASLC_PATH_REFERENCE, true, &s->result_path_null);
    if (f & F_PARAMETERS) s->parameters = get_tmpl(c, obj, "Parameters", ptr);
    if (f & F_SELECTOR) s->result_selector = get_tmpl(c, obj, "ResultSelector", ptr);
    if (f & F_RETRY) {
        parse_retry(c, s, obj, ptr);
        parse_catch(c, s, obj, ptr);
    }
    if (s->type != IR_SUCCEED && s->type != IR_FAIL && !s->jsonata) s->assign = get_assign(c, obj, ptr);
    switch (s->type) {
    case IR_PASS: {
        const cJSON *r = field(obj, "Result");
        if (r) s->result = const_value(c, r, &s->result_text);
        break;
    }
    case IR_TASK: parse_task(c, s, obj, ptr); break;
    case IR_CHOICE: parse_choice(c, s, obj, ptr); break;
    case IR_WAIT: parse_wait(c, s, obj, ptr); break;
    case IR_FAIL: parse_fail(c, s, obj, ptr); break;
    case IR_PARALLEL: parse_parallel(c, s, obj, ptr); break;
    case IR_MAP: parse_map(c, s, obj, ptr); break;
    default: break;
    }
    if (s->jsonata) read_jn_state(c, s, obj, ptr);
    c->jn = NULL;
    return s;
}

/* ---- machines and name resolution ------------------------------------------------------- */

/* The state names of one scope, hashed (open addressing) to their index in
 * the machine: resolution stays linear on definitions with many states. */
typedef struct {
    const char **names;
    uint32_t *idx;
    uint32_t cap;
} name_table;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Index of name, or -1. */
static int64_t table_find(const name_table *t, const char *name)
{
    uint32_t j = name_hash(name) & (t->cap - 1);
    while (t->names[j] && strcmp(t->names[j], name)) j = (j + 1) & (t->cap - 1);
    return t->names[j] ? (int64_t)t->idx[j] : -1;
}

/* Adds name at index i; false when the scope has the name already. */
static bool table_add(name_table *t, const char *name, uint32_t i)
{
    uint32_t j = name_hash(name) & (t->cap - 1);
    while (t->names[j] && strcmp(t->names[j], name)) j = (j + 1) & (t->cap - 1);
    if (t->names[j]) return false;
    t->names[j] = name;
    t->idx[j] = i;
    return true;
}

/* A name that did not resolve in its scope.  Reported at the end of the
 * parse, when every state of every scope is known, so that the message can
 * say where a state of that name is, or suggest a close one. */
typedef struct unresolved {
    const char *name, *ptr;
    int line, col;
    ir_machine *scope;
    const char *suggestion;
    struct unresolved *next;
} unresolved;

/* Resolves name in m for the state s (a Next, Default, Choice rule or Catch
 * target, at node).  NULL when it does not resolve; unknown names are
 * recorded for aslc_parse to report, names of states that are themselves
 * invalid are not (their own error said enough). */
static ir_state *resolve(P *c, ir_machine *m, const name_table *t, const ir_state *s,
                         const char *name, const cJSON *node, const char *field_ptr)
{
    int64_t i = table_find(t, name);
    if (i >= 0) return m->states[i];
    unresolved *r = asl_alloc(c->a, sizeof *r);
    memset(r, 0, sizeof *r);
    r->name = name;
    r->ptr = field_ptr;
    r->scope = m;
    r->line = s ? s->loc.line : 0;
    r->col = s ? s->loc.col : 0;
    aslc_srcmap_pos(c->u->map, node, false, &r->line, &r->col);
    if (m->nstates <= 1000 && c->suggestions++ < 100) {
        const char **names = asl_alloc(c->a, (m->nstates + 1) * sizeof *names);
        for (uint32_t k = 0; k < m->nstates; k++)
            names[k] = m->states[k] ? m->states[k]->name : NULL;
        r->suggestion = suggest(name, names, m->nstates);
    }
    r->next = c->unresolved;
    c->unresolved = r;
    return NULL;
}

/* Whether running m can end in error name: a Task can fail with any name
 * (a Lambda function's errorType, a handler's, a mock's), a Fail state
 * with its Error or with any name from ErrorPath, and a Parallel or Map
 * with what their branches or processor raise. */
static bool machine_raises(const ir_machine *m, const char *name);

static bool state_raises(const ir_state *s, const char *name)
{
    switch (s->type) {
    case IR_TASK: return true;
    case IR_FAIL:
        return s->error_path || s->error_call ||
               (s->error && s->error_len == strlen(name) && !memcmp(s->error, name, s->error_len));
    case IR_PARALLEL:
        for (uint32_t i = 0; i < s->nbranches; i++)
            if (machine_raises(s->branches[i], name)) return true;
        return false;
    case IR_MAP: return machine_raises(s->processor, name);
    default: return false;
    }
}

static bool machine_raises(const ir_machine *m, const char *name)
{
    if (!m) return true;    /* invalid, reported already: say nothing more */
    for (uint32_t i = 0; i < m->nstates; i++)
        if (!m->states[i] || state_raises(m->states[i], name)) return true;
    return false;
}

/* The recorded "States." names that nothing can raise: a warning each,
 * since such a retrier or catcher never matches (a typo, most likely). */
static void report_reserved(P *c)
{
    reserved_name *rev = NULL;
    while (c->reserved) {
        reserved_name *r = c->reserved;
        c->reserved = r->next;
        r->next = rev;
        rev = r;
    }
    for (reserved_name *r = rev; r; r = r->next)
        if (!state_raises(r->s, r->name))
            aslc_diag_at(c->u, ASLC_WARNING, r->line, r->col, r->ptr,
                         "\"%s\" is not a predefined error name, and nothing in state \"%s\" "
                         "can raise it (no Task, no Fail state with that Error or an ErrorPath): "
                         "it never matches%s", r->name, r->s->name, r->suggestion);
}

/* "the top level", "branch 2 of \"P\"", "the Map processor of \"M\"". */
static const char *scope_name(P *c, const ir_machine *m)
{
    if (!m || !m->owner) return "the top level";
    if (m->owner->type == IR_MAP)
        return asl_sprintf(c->a, "the processor of Map \"%s\"", m->owner->name);
    return asl_sprintf(c->a, "Branches[%u] of Parallel \"%s\"", m->index, m->owner->name);
}

static void report_unresolved(P *c)
{
    /* Recorded last first: put them back in the order they were found. */
    unresolved *rev = NULL;
    while (c->unresolved) {
        unresolved *r = c->unresolved;
        c->unresolved = r->next;
        r->next = rev;
        rev = r;
    }
    for (unresolved *r = rev; r; r = r->next) {
        /* The name is in no state of r's scope: anywhere it is, is elsewhere. */
        const global_name *elsewhere = NULL;
        if (c->capg) {
            uint32_t j = name_hash(r->name) & (c->capg - 1);
            while (c->gnames[j].name && strcmp(c->gnames[j].name, r->name))
                j = (j + 1) & (c->capg - 1);
            if (c->gnames[j].name && c->gnames[j].scope != r->scope) elsewhere = &c->gnames[j];
        }
        /* The ASL specification: transitions stay within a scope — a state
         * of a Parallel branch or a Map processor can only go to states of
         * the same branch or processor, and nothing can go into one. */
        if (elsewhere)
            aslc_diag_at(c->u, ASLC_ERROR, r->line, r->col, r->ptr,
                         "no state named \"%s\" in this scope: \"%s\" is in %s (%s), and "
                         "transitions cannot cross into or out of a Parallel branch or a Map "
                         "processor", r->name, r->name, scope_name(c, elsewhere->scope),
                         elsewhere->ptr);
        else if (r->scope->owner)
            aslc_diag_at(c->u, ASLC_ERROR, r->line, r->col, r->ptr,
                         "no state named \"%s\" in this scope (%s)%s%s%s", r->name,
                         scope_name(c, r->scope), r->suggestion ? "; did you mean \"" : "",
                         r->suggestion ? r->suggestion : "", r->suggestion ? "\"?" : "");
        else
            aslc_diag_at(c->u, ASLC_ERROR, r->line, r->col, r->ptr, "no state named \"%s\"%s%s%s",
                         r->name, r->suggestion ? "; did you mean \"" : "",
                         r->suggestion ? r->suggestion : "", r->suggestion ? "\"?" : "");
    }
}

/* The ASL specification: "state names MUST be unique within the scope of the
 * whole state machine" — a branch or a Map processor cannot reuse a name of
 * another scope (AWS: DUPLICATE_STATE_NAME).  Duplicates within one scope
 * are reported by parse_machine. */
static void check_global_name(P *c, const ir_machine *m, const cJSON *k, const char *ptr)
{
    if (c->ng * 2 >= c->capg) {
        uint32_t oldcap = c->capg;
        global_name *old = c->gnames;
        c->capg = c->capg ? c->capg * 4 : 64;
        c->gnames = asl_alloc(c->a, c->capg * sizeof *c->gnames);
        memset(c->gnames, 0, c->capg * sizeof *c->gnames);
        for (uint32_t i = 0; i < oldcap; i++) {
            if (!old[i].name) continue;
            uint32_t j = name_hash(old[i].name) & (c->capg - 1);
            while (c->gnames[j].name) j = (j + 1) & (c->capg - 1);
            c->gnames[j] = old[i];
        }
    }
    uint32_t j = name_hash(k->string) & (c->capg - 1);
    while (c->gnames[j].name && strcmp(c->gnames[j].name, k->string)) j = (j + 1) & (c->capg - 1);
    if (!c->gnames[j].name) {
        c->gnames[j] = (global_name){k->string, ptr, m};
        c->ng++;
    } else if (c->gnames[j].scope != m) {
        ERR_KEY(c, k, ptr, "duplicate state name \"%s\": %s already has it; state names must be "
                "unique in the whole state machine, branches and Map processors included",
                k->string, c->gnames[j].ptr);
    }
}

static void resolve_machine(P *c, ir_machine *m, const name_table *t, const cJSON *states,
                            const char *sptr)
{
    const cJSON *sn = states->child;
    for (uint32_t i = 0; i < m->nstates; i++, sn = sn->next) {
        ir_state *s = m->states[i];
        if (!s) continue;
        const char *ptr = ptr_join(c, sptr, s->name);
        if (s->next)
            s->target = resolve(c, m, t, s, s->next, field(sn, "Next"), ptr_join(c, ptr, "Next"));
        if (s->default_)
            s->default_target = resolve(c, m, t, s, s->default_, field(sn, "Default"),
                                        ptr_join(c, ptr, "Default"));
        const cJSON *ch = field(sn, "Choices");
        const cJSON *rn = ch ? ch->child : NULL;
        for (uint32_t k = 0; k < s->nchoices; k++, rn = rn ? rn->next : NULL) {
            if (s->choices[k] && s->choices[k]->next)
                s->choices[k]->target =
                    resolve(c, m, t, s, s->choices[k]->next, field(rn, "Next"),
                            ptr_join(c, ptr_index(c, ptr_join(c, ptr, "Choices"), (int)k), "Next"));
        }
        const cJSON *ca = field(sn, "Catch");
        const cJSON *cn = ca ? ca->child : NULL;
        for (uint32_t k = 0; k < s->ncatch; k++, cn = cn ? cn->next : NULL) {
            if (s->catch_[k].next)
                s->catch_[k].target =
                    resolve(c, m, t, s, s->catch_[k].next, field(cn, "Next"),
                            ptr_join(c, ptr_index(c, ptr_join(c, ptr, "Catch"), (int)k), "Next"));
        }
    }
}

static ir_machine *parse_machine(P *c, const cJSON *obj, const char *ptr, ir_state *owner, bool top)
{
    if (!cJSON_IsObject(obj)) {
        ERR(c, obj, ptr, "expected a state machine object, got %s", json_type_name(obj));
        return NULL;
    }
    ir_machine *m = asl_alloc(c->a, sizeof *m);
    memset(m, 0, sizeof *m);
    m->owner = owner;
    m->loc = loc_of(c, obj, ptr);
    for (const cJSON *k = obj->child; k; k = k->next) {
        const char *f = k->string;
        if (!strcmp(f, "StartAt") || !strcmp(f, "States") || !strcmp(f, "Comment")) continue;
        if (top && (!strcmp(f, "Version") || !strcmp(f, "TimeoutSeconds") ||
                    !strcmp(f, "QueryLanguage")))
            continue;
        if (!top && !strcmp(f, "ProcessorConfig") && owner && owner->type == IR_MAP) continue;
        static const char *const known[] = {"StartAt", "States", "Comment", "Version",
                                            "TimeoutSeconds", "QueryLanguage"};
        if (!top && (!strcmp(f, "Version") || !strcmp(f, "TimeoutSeconds") ||
                     !strcmp(f, "QueryLanguage")))
            /* The ASL specification gives these to the top-level machine only. */
            ERR_KEY(c, k, ptr_join(c, ptr, f), "\"%s\" is only allowed at the top level of the "
                                               "state machine", f);
        else
            bad_field(c, k, ptr_join(c, ptr, f), top ? "a state machine" : owner && owner->type ==
                      IR_MAP ? "a Map processor" : "a Parallel branch", known, top ? 6 : 3);
    }
    m->comment = get_string(c, obj, "Comment", ptr, false);
    if (top) {
        c->top_jsonata = check_query_language(c, obj, ptr, true);
        double d;
        if (get_int(c, obj, "TimeoutSeconds", ptr, 1, 99999999, &d)) m->timeout = d;
        const char *v = get_string(c, obj, "Version", ptr, false);
        if (v && strcmp(v, "1.0"))
            ERR(c, field(obj, "Version"), ptr_join(c, ptr, "Version"),
                "the only ASL version is \"1.0\", got \"%s\"", v);
    }
    m->start_at = get_string(c, obj, "StartAt", ptr, true);
    const cJSON *states = field(obj, "States");
    if (!states) {
        ERR(c, obj, ptr, "missing required field \"States\"");
        return m;
    }
    const char *sptr = ptr_join(c, ptr, "States");
    if (!cJSON_IsObject(states) || !states->child) {
        ERR(c, states, sptr, "\"States\" must be a non-empty object");
        return m;
    }
    m->nstates = (uint32_t)cJSON_GetArraySize(states);
    m->states = asl_alloc(c->a, m->nstates * sizeof *m->states);
    name_table t;
    t.cap = 16;
    while (t.cap < m->nstates * 2) t.cap *= 2;
    t.names = asl_alloc(c->a, t.cap * sizeof *t.names);
    t.idx = asl_alloc(c->a, t.cap * sizeof *t.idx);
    memset(t.names, 0, t.cap * sizeof *t.names);
    uint32_t i = 0;
    for (const cJSON *k = states->child; k; k = k->next, i++) {
        /* The ASL specification: state names are unique (validate.c checks
         * across scopes). */
        const char *kptr = ptr_join(c, sptr, k->string);
        if (!table_add(&t, k->string, i))
            ERR_KEY(c, k, kptr, "duplicate state name \"%s\"", k->string);
        else
            check_global_name(c, m, k, kptr);
        m->states[i] = parse_state(c, m, k, kptr);
    }
    /* StartAt "MUST exactly (case-sensitively) match the name of one of
     * the states" of this scope. */
    if (m->start_at)
        m->start = resolve(c, m, &t, NULL, m->start_at, field(obj, "StartAt"),
                           ptr_join(c, ptr, "StartAt"));
    resolve_machine(c, m, &t, states, sptr);
    return m;
}

ir_program *aslc_parse(aslc_unit *u, const cJSON *root, const char *name)
{
    P c;
    memset(&c, 0, sizeof c);
    c.u = u;
    c.a = u->arena;
    c.capnames = 256;
    c.cnames = asl_alloc(c.a, c.capnames * sizeof *c.cnames);
    memset(c.cnames, 0, c.capnames * sizeof *c.cnames);
    ir_program *p = asl_alloc(c.a, sizeof *p);
    memset(p, 0, sizeof *p);
    c.p = p;
    p->arena = u->arena;
    p->name = name;
    c.nul = aslc_nul_check(u, root);   /* \u0000: kept whole below, or refused */
    p->top = parse_machine(&c, root, "/", NULL, true);
    report_unresolved(&c);
    report_reserved(&c);
    p->all = c.all;
    p->nall = c.nall;
    p->tasks = asl_alloc(c.a, (p->ntasks + 1) * sizeof *p->tasks);
    for (uint32_t i = 0; i < c.nall; i++)
        if (c.all[i]->type == IR_TASK) p->tasks[c.all[i]->site] = c.all[i];
    return p;
}
