/*
 * served.c — a workflow binary run by `aslc serve` (compiler/serve_run.c).
 *
 * The server passes an inherited socket as ASL_SERVE_FD: the execution's
 * history events go out on it one by one as history.c makes them, and for a
 * Standard execution (ASL_SERVE_DURABLE=1) each waits until the server has
 * recorded it, with the checkpoint of every top-level state before its
 * StateEntered.  After a restart the server runs the binary again with
 * --resume FILE, that checkpoint: the state's name, its recorded input, the
 * variables, the history's position and how long a Wait had waited; the
 * execution continues in that state without entering it again.
 *
 * Nothing of this runs unless ASL_SERVE_FD is set (main.c reads it once),
 * so a plain binary pays nothing.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "history.h"
#include "vars.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num_of(const asl_value *o, const char *k)
{
    const asl_value *v = asl_object_get(o, k, strlen(k));
    return v && v->type == ASL_NUMBER ? v->u.n.num : 0;
}

/* --resume FILE: the state's function and input, with the run set up as
 * the checkpoint says.  false with a message in err. */
static bool resume(asl_run *run, asl_exec *top, const char *path, asl_state_fn *fn,
                   asl_value **input, asl_buf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        asl_buf_printf(err, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    asl_buf text;
    asl_buf_init(&text);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) asl_buf_put(&text, chunk, n);
    fclose(f);
    asl_json_error jerr;
    asl_value *c = text.len ? asl_json_parse(run->arena, text.data, text.len, &jerr) : NULL;
    asl_buf_free(&text);
    const asl_value *name = c && c->type == ASL_OBJECT ? asl_object_get(c, "state", 5) : NULL;
    if (!name || name->type != ASL_STRING) {
        asl_buf_printf(err, "%s is no checkpoint", path);
        return false;
    }
    const asl_program *p = run->prog;
    *fn = NULL;
    for (uint32_t i = 0; i < p->nstates; i++)
        if (!strcmp(p->state_names[i], name->u.str)) *fn = p->state_fns[i];
    if (!*fn) {
        asl_buf_printf(err, "no top-level state %s to resume", name->u.str);
        return false;
    }
    *input = asl_object_get(c, "input", 5);
    if (!*input) *input = asl_const(run->arena, "null");
    const asl_value *vars = asl_object_get(c, "vars", 4);
    if (vars && vars->type == ASL_OBJECT && vars->len) {
        const char **names = asl_alloc(run->arena, vars->len * sizeof *names);
        asl_value **vals = asl_alloc(run->arena, vars->len * sizeof *vals);
        for (uint32_t i = 0; i < vars->len; i++) {
            names[i] = vars->u.o.members[i].key;
            vals[i] = vars->u.o.members[i].val;
        }
        if (!asl_vars_assign(top, vars->len, names, vals)) {
            asl_buf_printf(err, "cannot restore the variables: %s", top->cause ? top->cause : "");
            return false;
        }
    }
    double started = num_of(c, "started");
    if (started > 0) {
        run->started.tv_sec = (time_t)started;
        run->started.tv_nsec = (long)((started - (double)(time_t)started) * 1e9);
    }
    /* real seconds the Wait already waited, in workflow seconds */
    double waited = num_of(c, "waited");
    run->resume_waited = run->time_scale > 0 ? waited / run->time_scale : 0;
    uint64_t last = (uint64_t)num_of(c, "last");
    run->events = last;
    asl_hist_resume(run->hist, last, (uint64_t)num_of(c, "entered"), (uint64_t)num_of(c, "prev"));
    return true;
}

bool asl_served_begin(asl_run *run, asl_exec *top, int fd, bool durable, const char *resume_path,
                      asl_state_fn *fn, asl_value **input, asl_buf *err)
{
    run->hist = asl_hist_new();
    /* not for the processes of the Task handlers: the channel must close
     * when this process ends */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    asl_hist_channel(run->hist, fd, durable);
    top->slow_enter = true;
    if (resume_path) return resume(run, top, resume_path, fn, input, err);
    asl_hist_started(top, run->input);
    return true;
}

void asl_served_end(asl_run *run, asl_exec *top, const asl_value *result)
{
    asl_hist_ended(top, result);
    asl_hist_free(run->hist);
    run->hist = NULL;
}

double asl_served_waited(asl_exec *x)
{
    double w = x->run->resume_waited;
    if (w > 0 && !x->parent) {
        x->run->resume_waited = 0;
        return w;
    }
    return 0;
}
