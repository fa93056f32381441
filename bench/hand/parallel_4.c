/*
 * parallel_4.c — hand-written equivalent of parallel_4: four branches, each
 * ten times {v: v + b, branch: b, step: k}, their results in an array put at
 * $.branches of a copy of the input; branches one after another, as the
 * compiled workflow runs them today (see hand.h).
 */
#include "hand.h"

static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions)
{
    (void)transitions; /* fixed: given to hand_main */
    asl_value *branches = asl_array(a, 4);
    for (int b = 1; b <= 4; b++) {
        asl_value *cur = input;
        for (int k = 1; k <= 10; k++) {
            asl_value *v = hand_get(cur, HAND_KEY("v"));
            if (!v || v->type != ASL_NUMBER) {
                fprintf(stderr, "B%d_P%d: $.v is not a number\n", b, k);
                return NULL;
            }
            asl_value *next = asl_object(a, 3);
            asl_object_append_lit(a, next, HAND_KEY("v"), asl_number(a, v->u.n.num + b));
            asl_object_append_lit(a, next, HAND_KEY("branch"), asl_number(a, b));
            asl_object_append_lit(a, next, HAND_KEY("step"), asl_number(a, k));
            cur = next;
        }
        asl_array_push(a, branches, cur);
    }
    return hand_with(a, input, HAND_KEY("branches"), branches);
}

int main(int argc, char **argv) { return hand_main(argc, argv, 41); }
