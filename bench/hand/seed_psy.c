/*
 * seed_psy.c — hand-written equivalent of the seed_psy workflow: the song
 * task's work on the input, then the lyrics task's work on its result, the
 * same code as bench/handlers.c but called directly (see hand.h).
 */
#include "hand.h"

static bool str_is(const asl_value *v, const char *s, size_t n)
{
    return v && v->type == ASL_STRING && v->len == n && !memcmp(v->u.str, s, n);
}

static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions)
{
    (void)transitions; /* fixed: given to hand_main */
    asl_value *song = asl_object(a, 1);
    asl_object_append_lit(a, song, HAND_KEY("song"),
                      asl_cstring(a, str_is(hand_get(input, HAND_KEY("name")), HAND_KEY("PSY"))
                                         ? "gangnam style" : "i dont know"));
    asl_value *lyrics = asl_object(a, 1);
    asl_object_append_lit(a, lyrics, HAND_KEY("lyrics"),
                      asl_cstring(a, str_is(hand_get(song, HAND_KEY("song")),
                                            HAND_KEY("gangnam style"))
                                         ? "oh oh oh oh oh pan gangnam style" : "i don't know"));
    return lyrics;
}

int main(int argc, char **argv) { return hand_main(argc, argv, 2); }
