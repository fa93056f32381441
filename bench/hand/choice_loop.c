/*
 * choice_loop.c — hand-written equivalent of choice_loop: {counter: counter
 * + 1} (States.MathAdd in Parameters) until the counter reaches 1000 (the
 * Choice), a fresh object each round as the Pass state builds one; see hand.h.
 */
#include "hand.h"

static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions)
{
    (void)transitions; /* fixed: given to hand_main */
    asl_value *cur = input;
    for (;;) {
        asl_value *c = hand_get(cur, HAND_KEY("counter"));
        if (!c || c->type != ASL_NUMBER) {
            fprintf(stderr, "Increment: $.counter is not a number\n");
            return NULL;
        }
        asl_value *next = asl_object(a, 1);
        asl_object_append_lit(a, next, HAND_KEY("counter"), asl_number(a, c->u.n.num + 1));
        cur = next;
        if (!(c->u.n.num + 1 < 1000)) break;
    }
    return cur;
}

int main(int argc, char **argv) { return hand_main(argc, argv, 2001); }
