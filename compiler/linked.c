/*
 * linked.c — aslc --link ARN=FILE: state machines compiled into the same
 * binary as the one given, so that a Task
 * arn:aws:states:::states:startExecution[.sync[:2]] naming one of them runs
 * it directly (runtime/linked.c) instead of calling Step Functions.
 *
 * Each linked definition is compiled by main.c as a program of its own,
 * through the same back end, into a relocatable object whose every symbol
 * is local but its program descriptor, renamed asl_linked_N (build.c): two
 * machines' states, constants and helpers cannot clash, whatever their
 * names.  What is here: the option's ARN, the StateMachineArn a Task names
 * as a constant, the cycle check (a machine that starts itself through its
 * links would never end under .sync), and the generated table of links.
 */
#include "aslc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME, no qualifier. */
bool aslc_linked_arn_ok(const char *arn)
{
    const char *f[8];
    int n = 0;
    f[n++] = arn;
    for (const char *p = arn; *p; p++)
        if (*p == ':') {
            if (n == 8) return false;
            f[n++] = p + 1;
        }
    if (n != 7 || strncmp(f[0], "arn:", 4) || strncmp(f[2], "states:", 7) ||
        strncmp(f[5], "stateMachine:", 13) || !*f[6])
        return false;
    for (int i = 1; i < 6; i++)
        if (f[i + 1] - f[i] < 2 && i != 3 && i != 4) return false;   /* empty field */
    return f[4] - f[3] > 1 && f[5] - f[4] > 1;   /* region and account */
}

const char *aslc_linked_name(const char *arn)
{
    return strrchr(arn, ':') + 1;
}

bool aslc_linked_is_start(const char *res)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    if (!p || strncmp(p, ":states:::states:startExecution", 31) != 0) return false;
    p += 31;
    return !*p || !strcmp(p, ".sync") || !strcmp(p, ".sync:2");
}

/* The string constant of member key of an object template, or NULL. */
static const char *const_member(const ir_tmpl *t, const char *key)
{
    if (!t) return NULL;
    const asl_value *v = NULL;
    if (t->kind == IR_T_CONST) {
        v = t->cval && t->cval->type == ASL_OBJECT ? asl_object_get(t->cval, key, strlen(key)) : NULL;
    } else if (t->kind == IR_T_OBJECT) {
        for (uint32_t i = 0; i < t->n; i++)
            if (!strcmp(t->members[i].key, key) && t->members[i].val->kind == IR_T_CONST)
                v = t->members[i].val->cval;
    }
    return v && v->type == ASL_STRING ? v->u.str : NULL;
}

const char *aslc_linked_literal(asl_arena *a, const ir_program *p, const ir_state *s)
{
    if (!s->resource || !aslc_linked_is_start(s->resource)) return NULL;
    if (!s->jsonata) return const_member(s->parameters, "StateMachineArn");
    for (const ir_jn *j = p->jn; j; j = j->next) {
        if (j->state != s || j->field.kind != ASL_JNF_ENTER) continue;
        if (j->tmpl) return const_member(j->tmpl, "StateMachineArn");
        if (j->ktext) {
            cJSON *k = cJSON_Parse(j->ktext);
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(k, "StateMachineArn");
            const char *r = cJSON_IsString(m) ? asl_strndup(a, m->valuestring, strlen(m->valuestring))
                                              : NULL;
            cJSON_Delete(k);
            return r;
        }
    }
    return NULL;
}

int aslc_linked_find(const aslc_linked *l, int n, const char *arn)
{
    for (int k = 0; k < n; k++) {
        size_t ln = strlen(l[k].arn);
        if (!strncmp(arn, l[k].arn, ln) &&
            (!arn[ln] || (arn[ln] == ':' && arn[ln + 1] && !strchr(arn + ln + 1, ':'))))
            return k;
    }
    return -1;
}

/* Depth-first from k along edges (edges[i * n + j]: i starts j); the first
 * cycle's path into path (its length returned), else 0. */
static int cycle_from(const bool *edges, int n, int k, int *state, int *path, int depth)
{
    state[k] = 1;
    path[depth] = k;
    for (int j = 0; j < n; j++) {
        if (!edges[k * n + j]) continue;
        if (state[j] == 1) {
            path[depth + 1] = j;
            return depth + 2;
        }
        if (state[j] == 0) {
            int len = cycle_from(edges, n, j, state, path, depth + 1);
            if (len) return len;
        }
    }
    state[k] = 2;
    return 0;
}

bool aslc_linked_cycles(aslc_unit *u, const aslc_linked *l, int n, const bool *edges)
{
    int *state = calloc((size_t)n, sizeof *state), *path = calloc((size_t)n + 1, sizeof *path);
    int len = 0;
    for (int k = 0; k < n && !len; k++)
        if (!state[k]) len = cycle_from(edges, n, k, state, path, 0);
    if (len) {
        /* the cycle proper starts where its last node was first seen */
        int start = 0;
        while (path[start] != path[len - 1]) start++;
        asl_buf b;
        asl_buf_init(&b);
        for (int i = start; i < len; i++)
            asl_buf_printf(&b, "%s%s (%s)", i > start ? " -> " : "", l[path[i]].arn, l[path[i]].file);
        asl_buf_putc(&b, '\0');
        aslc_diag_at(u, ASLC_ERROR, 0, 0, "",
                     "--link: the linked state machines start each other in a cycle: %s; a "
                     "startExecution of one of them would never end", b.data);
        asl_buf_free(&b);
    }
    free(state);
    free(path);
    return len == 0;
}

/* s as a C string literal. */
static void c_string(asl_buf *out, const char *s)
{
    asl_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') asl_buf_printf(out, "\\%c", c);
        else if (c < 32 || c >= 127) asl_buf_printf(out, "\\%03o", c);
        else asl_buf_putc(out, (char)c);
    }
    asl_buf_putc(out, '"');
}

void aslc_linked_table(asl_buf *out, const aslc_linked *l, int n)
{
    asl_buf_puts(out, "/* aslc --link: the state machines compiled into this binary (runtime/linked.c) */\n"
                      "#include \"asl.h\"\n\n");
    for (int k = 0; k < n; k++) asl_buf_printf(out, "extern const asl_program %s;\n", l[k].sym);
    asl_buf_puts(out, "\nconst asl_linked asl_linked_programs[] = {\n");
    for (int k = 0; k < n; k++) {
        asl_buf_puts(out, "    {");
        c_string(out, l[k].arn);
        asl_buf_printf(out, ", &%s},\n", l[k].sym);
    }
    asl_buf_printf(out, "};\nconst uint32_t asl_linked_count = %d;\n", n);
}
