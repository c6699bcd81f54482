/*
 * libhpr.c - SYNTHETIC stand-in for a vendor "platform runtime" helper
 * library (threads/sockets wrapper).  Written for fwaudit test fixtures.
 */
#include <string.h>

const char hpr_version[] = "HPR V1.2.0 build 231114";

static int g_hpr_refs;

int HPR_Init(void)
{
    return ++g_hpr_refs > 0 ? 0 : -1;
}

int HPR_Fini(void)
{
    if (g_hpr_refs > 0)
        g_hpr_refs--;
    return 0;
}

int HPR_Strncpy(char *dst, const char *src, unsigned int n)
{
    if (!dst || !src || !n)
        return -1;
    strncpy(dst, src, n - 1);
    dst[n - 1] = 0;
    return 0;
}
