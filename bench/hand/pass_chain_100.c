/*
 * pass_chain_100.c — hand-written equivalent of pass_chain_100: a hundred
 * times, build {i, name, step: k} from the current value and put it at
 * $.last of a copy of it (Parameters then ResultPath), see hand.h.
 */
#include "hand.h"

static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions)
{
    (void)transitions; /* fixed: given to hand_main */
    asl_value *cur = input;
    for (int k = 1; k <= 100; k++) {
        asl_value *p = asl_object(a, 3);
        asl_value *i = hand_get(cur, HAND_KEY("i")), *name = hand_get(cur, HAND_KEY("name"));
        if (!i || !name) {
            fprintf(stderr, "P%d: $.i or $.name is missing\n", k);
            return NULL;
        }
        asl_object_append_lit(a, p, HAND_KEY("i"), i);
        asl_object_append_lit(a, p, HAND_KEY("name"), name);
        asl_object_append_lit(a, p, HAND_KEY("step"), asl_number(a, k));
        cur = hand_with(a, cur, HAND_KEY("last"), p);
    }
    return cur;
}

int main(int argc, char **argv) { return hand_main(argc, argv, 100); }
