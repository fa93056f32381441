/* TEMPORARY (until the JSONata code generator lands): lir_jn_expr makes a
 * function the C back end writes as a call of the runtime bridge. */
#include "lir.h"
#include "jsonata_ast.h"

#include <string.h>

lir_fn *lir_jn_expr(lir_program *lp, const struct aslc_jn_node *e, const char *what)
{
    static uint32_t n;
    (void)e;
    asl_arena *a = lp->p->arena;
    lir_fn *f = asl_alloc(a, sizeof *f);
    memset(f, 0, sizeof *f);
    f->kind = LIR_FN_JN;
    f->num = n++;
    f->name = asl_sprintf(a, "jn_%u", f->num);
    for (const ir_jn *j = lp->p->jn; j; j = j->next)
        if (j->path->text == what) f->state = (const ir_state *)(const void *)j;  /* the field */
    return f;
}
