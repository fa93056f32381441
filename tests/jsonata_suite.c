/*
 * jsonata_suite.c — runs the reference JSONata test suite
 * (../shared/jsonata-suite: groups/<group>/caseNNN.json) through aslc's
 * parser and its compile-time evaluator over the runtime's semantics.
 *
 *   jsonata_suite --suite DIR [--known-failures FILE] [-v]
 *   jsonata_suite --eval-lines FILE
 *
 * Each case: parse `expr`, evaluate it on `data` (or datasets/<dataset>.json)
 * with `bindings`, and compare with `result` (as JSON values), with
 * `undefinedResult`, or with the error `code`.  Prints each failure, then
 * exactly "N passed, N failed, N skipped"; a skip says why (a JavaScript-only
 * feature).  With --known-failures, the exit status is 0 when every failure
 * is listed there (a case that now passes is reported, to be removed).
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
    bool ok;
    if (code && code->type == ASL_STRING)
        ok = got_code && strcmp(got_code, code->u.str) == 0;
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
            printf("FAIL %s%s: %s\n    want: %s\n    got:  %s%s%s\n", k ? "(known) " : "", id, expr->u.str,
                   code ? code->u.str : w ? w : "undefined", got_code ? "error " : "", got_code ? got_code : g ? g : "undefined", "");
        }
    }
    asl_arena_free(a);
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
        else if (!strcmp(argv[i], "--aslc") && i + 1 < argc) i++;   /* accepted: the cases need no aslc binary */
        else {
            fprintf(stderr, "usage: %s --suite DIR [--known-failures FILE] [-v]\n", argv[0]);
            return 2;
        }
    }
    if (!suite) {
        fprintf(stderr, "usage: %s --suite DIR [--known-failures FILE] [-v]\n", argv[0]);
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
    printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
    if (known_path) return nunknown ? 1 : 0;
    return nfail ? 1 : 0;
}
