/* watch.c -- `huizong watch` (placeholder until its issue lands). */
#include <stdio.h>

#include "commands.h"

int cmd_watch(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "huizong watch: not available in this build yet\n");
    return EXIT_ERROR;
}
