/*
 * jsonata_suite.c — runs the reference JSONata test suite
 * (../shared/jsonata-suite: groups/<group>/caseNNN.json) through aslc's
 * parser and its compile-time evaluator over the runtime's semantics.
 *
 *   jsonata_suite --suite DIR [--known-failures FILE] [-v]
 *   jsonata_suite --suite DIR --aslc build/aslc --driver tests/jsonata_run.c [--backend c|llvm] ...
 *   jsonata_suite --eval-lines FILE
 *
 * Each case: parse `expr`, evaluate it on `data` (or datasets/<dataset>.json)
 * with `bindings`, and compare with `result` (as JSON values), with
 * `undefinedResult`, or with the error `code`.  Prints each failure, then
 * exactly "N passed, N failed, N skipped"; a skip says why (a JavaScript-only
 * feature).  With --known-failures, the exit status is 0 when every failure
 * is listed there (a case that now passes is reported, to be removed).
 *
 * With --aslc, the expressions that parse are not walked but compiled:
 * aslc's hidden --jn-exprs makes a binary of BATCH of them at a time (their
 * jn_ functions, and tests/jsonata_run.c as its main), which answers each
 * case on its input and bindings; a case whose binary dies is a failure and
 * the binary is run again from the next.
 *
 * --eval-lines evaluates a file of JSON lines {"expr", "data", "bindings"}
 * and prints one line each, {"result": ...}, {"undefined": true} or
 * {"code": "..."}: the format of tests/jsonata_differential.js, which gives
 * jsonata-js's answers to the same lines (tests/jsonata_differential.py
 * compares the two).
 */
#include "jsonata_ast.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    *n = fread(buf, 1, (size_t)len, f);
    buf[*n] = 0;
    fclose(f);
    return buf;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char **known;
static size_t nknown;

static bool is_known(const char *id)
{
    for (size_t i = 0; i < nknown; i++)
        if (strcmp(known[i], id) == 0) return true;
    return false;
}

static int npass, nfail, nskip, nunknown;
static bool verbose;

/* --aslc: the expressions compiled by aslc (its hidden --jn-exprs) in
 * batches, one binary a batch, each case run by tests/jsonata_run.c. */
static const char *aslc_bin, *backend = "c", *driver;
typedef struct {
    char *id, *expr, *data, *bindings, *want, *code, *depth, *timelimit;
} pending;
static pending *pend;
static size_t npend, cappend;

static char *json_of(asl_arena *a, const asl_value *v) { return v ? strdup(asl_json_string(a, v, NULL)) : NULL; }

/* Counts and prints the outcome of case id. */
static void judge(const char *id, const char *expr, asl_value *want, const char *code, const char *got_code,
                  asl_value *got, asl_arena *a)
{
    bool ok;
    if (code)
        ok = got_code && strcmp(got_code, code) == 0;
    else if (want)
        ok = !got_code && got && asl_jn_deep_equal(got, want);   /* numbers as doubles, as JSONata has them */
    else
        ok = !got_code && !got;
    bool k = is_known(id);
    if (ok) {
        npass++;
        if (k) printf("NOW PASSES (remove from known failures) %s\n", id);
    } else {
        nfail++;
        if (!k) nunknown++;
        if (!k || verbose) {
            char *g = got ? asl_json_string(a, got, NULL) : NULL;
            char *w = want ? asl_json_string(a, want, NULL) : NULL;
            printf("FAIL %s%s: %s\n    want: %s\n    got:  %s%s\n", k ? "(known) " : "", id, expr,
                   code ? code : w ? w : "undefined", got_code ? "error " : "", got_code ? got_code : g ? g : "undefined");
        }
    }
}

static void run_case(const char *suite, const char *dir, const char *id, asl_value *cs)
{
    asl_arena *a = asl_arena_new();
    asl_value *expr = asl_object_get(cs, "expr", 4);
    asl_value *efile = asl_object_get(cs, "expr-file", 9);
    if (!expr && efile && efile->type == ASL_STRING) {   /* the expression in a file beside the case */
        char path[1600];
        snprintf(path, sizeof path, "%s/%s", dir, efile->u.str);
        size_t n;
        char *text = slurp(path, &n);
        if (text) expr = asl_string(a, text, n);
        free(text);
    }
    const char *skip = NULL;
    if (!expr || expr->type != ASL_STRING) skip = "its expr-file is not in this copy of the suite";
    if (skip) {
        nskip++;
        printf("SKIP %s: %s\n", id, skip);
        asl_arena_free(a);
        return;
    }
    asl_value *data = asl_object_get(cs, "data", 4);
    asl_value *ds = asl_object_get(cs, "dataset", 7);
    if (!data && ds && ds->type == ASL_STRING) {
        char path[1024];
        snprintf(path, sizeof path, "%s/datasets/%s.json", suite, ds->u.str);
        size_t n;
        char *text = slurp(path, &n);
        asl_json_error err;
        data = text ? asl_json_parse(a, text, n, &err) : NULL;
        free(text);
    }
    asl_value *bindings = asl_object_get(cs, "bindings", 8);
    asl_value *want = asl_object_get(cs, "result", 6);
    asl_value *code = asl_object_get(cs, "code", 4);
    asl_value *error = asl_object_get(cs, "error", 5);
    if (!code && error) code = asl_object_get(error, "code", 4);
    aslc_jn_parse_error perr;
    aslc_jn_node *ast = aslc_jn_parse(a, expr->u.str, expr->len, &perr);
    const char *got_code = NULL;
    asl_value *got = NULL;
    if (ast && aslc_bin) {   /* compiled later, in a batch */
        if (npend == cappend) {
            cappend = cappend ? cappend * 2 : 256;
            pend = realloc(pend, sizeof *pend * cappend);
        }
        pending *q = &pend[npend++];
        q->id = strdup(id);
        q->expr = json_of(a, expr);
        q->data = json_of(a, data);
        q->bindings = json_of(a, bindings);
        q->want = json_of(a, want);
        q->code = code && code->type == ASL_STRING ? strdup(code->u.str) : NULL;
        q->depth = json_of(a, asl_object_get(cs, "depth", 5));
        q->timelimit = json_of(a, asl_object_get(cs, "timelimit", 9));
        asl_arena_free(a);
        return;
    }
    if (!ast) {
        got_code = perr.code;
    } else {
        asl_jn_ctx c;
        asl_jn_ctx_init(&c, a);
        asl_value *depth = asl_object_get(cs, "depth", 5);   /* the reference's evaluation depth limit */
        if (depth && depth->type == ASL_NUMBER) c.max_depth = (int)depth->u.n.num;
        /* the reference's time limit, and 10 s for every case so that a
         * runaway expression fails (U1001, as there) rather than hangs */
        asl_value *tl = asl_object_get(cs, "timelimit", 9);
        c.deadline_ms = asl_jn_clock_ms() + (tl && tl->type == ASL_NUMBER ? (int64_t)tl->u.n.num : 10000);
        got = aslc_jn_eval(&c, ast, data, bindings);
        got_code = c.code;
        if (!got_code) got = asl_jn_to_json(a, got);
    }
    judge(id, expr->u.str, want, code && code->type == ASL_STRING ? code->u.str : NULL, got_code, got, a);
    asl_arena_free(a);
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fputs(text, f);
    return fclose(f) == 0;
}

/* Judges pending cases [from, to) from the binary's answers. */
static void judge_batch(const char *dir, size_t from, size_t to)
{
    char path[1200], cmd[4000];
    snprintf(path, sizeof path, "%s/exprs.txt", dir);
    FILE *f = fopen(path, "w");
    for (size_t i = from; i < to; i++) fprintf(f, "%s\n", pend[i].expr);
    fclose(f);
    snprintf(path, sizeof path, "%s/def.json", dir);
    write_text(path, "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}\n");
    snprintf(cmd, sizeof cmd, "'%s' '%s/def.json' --jn-exprs '%s/exprs.txt' --handlers '%s' --backend %s -o '%s/bin'",
             aslc_bin, dir, dir, driver, backend, dir);
    bool built = system(cmd) == 0;
    size_t next = from;   /* the first case without an answer */
    while (next < to) {
        snprintf(path, sizeof path, "%s/cases.txt", dir);
        f = fopen(path, "w");
        for (size_t i = next; i < to; i++) {
            pending *q = &pend[i];
            fprintf(f, "{\"i\":%zu", i - from);
            if (q->data) fprintf(f, ",\"data\":%s", q->data);
            if (q->bindings) fprintf(f, ",\"bindings\":%s", q->bindings);
            if (q->depth) fprintf(f, ",\"depth\":%s", q->depth);
            if (q->timelimit) fprintf(f, ",\"timelimit\":%s", q->timelimit);
            fputs("}\n", f);
        }
        fclose(f);
        FILE *out = NULL;
        if (built) {
            snprintf(cmd, sizeof cmd, "'%s/bin' < '%s/cases.txt' 2>/dev/null", dir, dir);
            out = popen(cmd, "r");
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while (out && next < to && (n = getline(&line, &cap, out)) > 0) {
            pending *q = &pend[next++];
            asl_arena *a = asl_arena_new();
            asl_json_error je;
            asl_value *ans = asl_json_parse(a, line, (size_t)n, &je);
            asl_value *want = q->want ? asl_json_parse(a, q->want, strlen(q->want), &je) : NULL;
            asl_value *e = asl_json_parse(a, q->expr, strlen(q->expr), &je);
            asl_value *code = ans ? asl_object_get(ans, "code", 4) : NULL;
            asl_value *got = ans ? asl_object_get(ans, "result", 6) : NULL;
            judge(q->id, e ? e->u.str : "?", want, q->code, code ? code->u.str : ans ? NULL : "(no answer)", got, a);
            asl_arena_free(a);
        }
        free(line);
        if (out) pclose(out);
        if (next < to) {   /* the binary died on this case (or was not built) */
            pending *q = &pend[next++];
            asl_arena *a = asl_arena_new();
            asl_json_error je;
            asl_value *e = asl_json_parse(a, q->expr, strlen(q->expr), &je);
            judge(q->id, e ? e->u.str : "?", NULL, q->code ? q->code : "-", built ? "(crashed)" : "(did not compile)",
                  NULL, a);
            asl_arena_free(a);
        }
    }
}

/* The pending cases, compiled BATCH expressions at a time. */
#define BATCH 320
static void run_pending(void)
{
    char dir[] = "/tmp/jsonata-suite-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    for (size_t from = 0; from < npend; from += BATCH)
        judge_batch(dir, from, from + BATCH < npend ? from + BATCH : npend);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    for (size_t i = 0; i < npend; i++) {
        pending *q = &pend[i];
        free(q->id), free(q->expr), free(q->data), free(q->bindings), free(q->want), free(q->code);
        free(q->depth), free(q->timelimit);
    }
    free(pend);
}

/* One evaluation a line (--eval-lines): limits as the differential driver's. */
static int eval_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        asl_arena *a = asl_arena_new();
        asl_json_error je;
        asl_value *cs = asl_json_parse(a, line, (size_t)n, &je);
        asl_value *expr = cs ? asl_object_get(cs, "expr", 4) : NULL;
        if (!expr || expr->type != ASL_STRING) {
            printf("{\"skip\":true}\n");
            asl_arena_free(a);
            continue;
        }
        asl_value *data = asl_object_get(cs, "data", 4), *b = asl_object_get(cs, "bindings", 8);
        if (data && data->type == ASL_NULL) data = NULL;   /* null stands for no input */
        aslc_jn_parse_error pe;
        aslc_jn_node *e = aslc_jn_parse(a, expr->u.str, expr->len, &pe);
        asl_jn_ctx c;
        asl_jn_ctx_init(&c, a);
        c.max_depth = 500;
        c.deadline_ms = asl_jn_clock_ms() + 1000;
        asl_value *r = e ? aslc_jn_eval(&c, e, data, b) : NULL;
        const char *code = e ? c.code : pe.code;
        if (code) printf("{\"code\":\"%s\"}\n", code);
        else if (!r) printf("{\"undefined\":true}\n");
        else printf("{\"result\":%s}\n", asl_json_string(a, asl_jn_to_json(a, r), NULL));
        asl_arena_free(a);
    }
    free(line);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *suite = NULL, *known_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--eval-lines") && i + 1 < argc) return eval_lines(argv[i + 1]);
        if (!strcmp(argv[i], "--suite") && i + 1 < argc) suite = argv[++i];
        else if (!strcmp(argv[i], "--known-failures") && i + 1 < argc) known_path = argv[++i];
        else if (!strcmp(argv[i], "-v")) verbose = true;
        else if (!strcmp(argv[i], "--aslc") && i + 1 < argc) aslc_bin = argv[++i];
        else if (!strcmp(argv[i], "--backend") && i + 1 < argc) backend = argv[++i];
        else if (!strcmp(argv[i], "--driver") && i + 1 < argc) driver = argv[++i];
        else {
            fprintf(stderr, "usage: %s --suite DIR [--known-failures FILE] [-v] [--aslc ASLC --driver jsonata_run.c [--backend c|llvm]]\n", argv[0]);
            return 2;
        }
    }
    if (aslc_bin && !driver) {
        fprintf(stderr, "%s: --aslc needs --driver tests/jsonata_run.c\n", argv[0]);
        return 2;
    }
    if (!suite) {
        fprintf(stderr, "usage: %s --suite DIR [--known-failures FILE] [-v] [--aslc ASLC --driver jsonata_run.c [--backend c|llvm]]\n", argv[0]);
        return 2;
    }
    if (known_path) {
        size_t n;
        char *text = slurp(known_path, &n);
        for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
            if (line[0] == '#' || !line[0]) continue;
            known = realloc(known, sizeof *known * (nknown + 1));
            known[nknown++] = line;
        }
    }
    char gdir[1024];
    snprintf(gdir, sizeof gdir, "%s/groups", suite);
    DIR *d = opendir(gdir);
    if (!d) {
        printf("no suite at %s: skipped\n", suite);
        return 77;
    }
    char **groups = NULL;
    size_t ng = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        groups = realloc(groups, sizeof *groups * (ng + 1));
        groups[ng++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(groups, ng, sizeof *groups, cmp_str);
    for (size_t g = 0; g < ng; g++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/%s", gdir, groups[g]);
        DIR *cd = opendir(dir);
        if (!cd) continue;
        char **files = NULL;
        size_t nf = 0;
        for (struct dirent *e; (e = readdir(cd));) {
            if (!strstr(e->d_name, ".json")) continue;
            files = realloc(files, sizeof *files * (nf + 1));
            files[nf++] = strdup(e->d_name);
        }
        closedir(cd);
        qsort(files, nf, sizeof *files, cmp_str);
        for (size_t f = 0; f < nf; f++) {
            char path[1600], id[600];
            snprintf(path, sizeof path, "%s/%s", dir, files[f]);
            size_t n;
            char *text = slurp(path, &n);
            asl_arena *a = asl_arena_new();
            asl_json_error err;
            asl_value *v = text ? asl_json_parse(a, text, n, &err) : NULL;
            char *dot = strrchr(files[f], '.');
            *dot = 0;
            if (v && v->type == ASL_ARRAY) {
                for (uint32_t i = 0; i < v->len; i++) {
                    snprintf(id, sizeof id, "%s/%s[%u]", groups[g], files[f], i);
                    run_case(suite, dir, id, v->u.a.items[i]);
                }
            } else if (v) {
                snprintf(id, sizeof id, "%s/%s", groups[g], files[f]);
                run_case(suite, dir, id, v);
            }
            asl_arena_free(a);
            free(text);
            free(files[f]);
        }
        free(files);
        free(groups[g]);
    }
    free(groups);
    if (aslc_bin) run_pending();
    printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
    if (known_path) return nunknown ? 1 : 0;
    return nfail ? 1 : 0;
}
