/*
 * task_chain_10.c — hand-written equivalent of task_chain_10: ten times,
 * build the task's parameters {value} from $.task.value, do fnK's work
 * ({value: value + 1}), select {value, fn: "fnK"} from the result and put it
 * at $.task of a copy of the state's input (see hand.h).  Retry and Catch
 * never fire here, so they cost nothing in hand-written code.
 */
#include "hand.h"

static const char *const fn_names[10] = {"fn1", "fn2", "fn3", "fn4", "fn5",
                                         "fn6", "fn7", "fn8", "fn9", "fn10"};

static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions)
{
    (void)transitions; /* fixed: given to hand_main */
    asl_value *cur = input;
    for (int k = 0; k < 10; k++) {
        asl_value *v = hand_get(hand_get(cur, HAND_KEY("task")), HAND_KEY("value"));
        if (!v || v->type != ASL_NUMBER) {
            fprintf(stderr, "T%d: $.task.value is not a number\n", k + 1);
            return NULL;
        }
        asl_value *params = asl_object(a, 1);
        asl_object_append_lit(a, params, HAND_KEY("value"), v);
        asl_value *result = asl_object(a, 1);  /* the task: {value: input.value + 1} */
        asl_object_append_lit(a, result, HAND_KEY("value"),
                          asl_number(a, hand_num(asl_object_get(params, HAND_KEY("value"))) + 1));
        asl_value *sel = asl_object(a, 2);
        asl_object_append_lit(a, sel, HAND_KEY("value"), asl_object_get(result, HAND_KEY("value")));
        asl_object_append_lit(a, sel, HAND_KEY("fn"),
                          asl_string_static(a, fn_names[k], strlen(fn_names[k])));
        cur = hand_with(a, cur, HAND_KEY("task"), sel);
    }
    return cur;
}

int main(int argc, char **argv) { return hand_main(argc, argv, 10); }
