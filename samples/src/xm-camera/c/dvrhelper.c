/*
 * dvrhelper.c - SYNTHETIC stand-in for a Xiongmai-style "dvrHelper"
 * watchdog that restarts the main application.  Written for fwaudit fixtures.
 */
#include <stdio.h>
#include <string.h>

static const char *const k_watched = "/usr/bin/Sofia";
static const char *const k_fifo = "/var/tmp/dvrHelper.fifo";

int main(int argc, char **argv)
{
    printf("dvrHelper: watching %s (fifo %s)\n", k_watched, k_fifo);
    if (argc > 1 && strcmp(argv[1], "-restart") == 0)
        printf("dvrHelper: restarting %s\n", k_watched);
    return 0;
}
