/*
 * psh.c - SYNTHETIC stand-in for a restricted vendor shell ("psh").
 * Written from scratch for fwaudit test fixtures.
 */
#include <stdio.h>
#include <string.h>

static const char *const k_cmds[] = {
    "help", "ifconfig", "ping", "getDevInfo", "showKey", "setDevMac", 0,
};

int main(int argc, char **argv)
{
    int i;
    printf("psh (restricted shell) - type 'help'\n");
    if (argc > 1 && strcmp(argv[1], "help") == 0)
        for (i = 0; k_cmds[i]; i++)
            printf("  %s\n", k_cmds[i]);
    return 0;
}
