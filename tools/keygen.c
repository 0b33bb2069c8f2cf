/* keygen.c -- `huizong keygen` (placeholder until its issue lands). */
#include <stdio.h>

#include "commands.h"

int cmd_keygen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "huizong keygen: not available in this build yet\n");
    return EXIT_ERROR;
}
