/*
 * libimp.c - SYNTHETIC stand-in for an Ingenic T31 "libimp.so" (IMP media
 * platform).  Written from scratch for fwaudit test fixtures; it only
 * carries publicly documented export names and the SDK version string.
 */
#include <stdio.h>
#include <string.h>

const char imp_version[] = "IMP-1.1.6";
const char imp_build[] = "IMP-1.1.6 T31 build 20231114";

typedef struct { char chr[64]; } IMPVersion;

static int g_sys_inited;
static int g_isp_opened;
static int g_enc_groups[6];

int IMP_System_Init(void)
{
    g_sys_inited = 1;
    return 0;
}

int IMP_System_Exit(void)
{
    g_sys_inited = 0;
    memset(g_enc_groups, 0, sizeof(g_enc_groups));
    return 0;
}

int IMP_System_GetVersion(IMPVersion *pstVersion)
{
    if (!pstVersion)
        return -1;
    snprintf(pstVersion->chr, sizeof(pstVersion->chr), "%s", imp_version);
    return 0;
}

int IMP_ISP_Open(void)
{
    g_isp_opened = 1;
    return 0;
}

int IMP_ISP_Close(void)
{
    g_isp_opened = 0;
    return 0;
}

int IMP_ISP_AddSensor(const void *pinfo)
{
    return (pinfo && g_isp_opened) ? 0 : -1;
}

int IMP_Encoder_CreateGroup(int encGroup)
{
    if (encGroup < 0 || encGroup >= 6 || !g_sys_inited)
        return -1;
    g_enc_groups[encGroup] = 1;
    return 0;
}

int IMP_Encoder_DestroyGroup(int encGroup)
{
    if (encGroup < 0 || encGroup >= 6)
        return -1;
    g_enc_groups[encGroup] = 0;
    return 0;
}
