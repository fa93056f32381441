/* The stack_mark and stack_check handlers of choice_loop_million, which say why. */
#include "../choice_loop_million/handlers.c"
