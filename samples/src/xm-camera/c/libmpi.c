/*
 * libmpi.c - SYNTHETIC stand-in for a HiSilicon MPP "libmpi.so".
 * Written from scratch for fwaudit test fixtures; it only carries the
 * publicly documented export names and the HI_VERSION string format.
 */
#include <stdio.h>
#include <string.h>

#ifndef HI_MPP_BUILD
#define HI_MPP_BUILD "B030"
#endif

const char hi_mpp_version[] =
    "HI_VERSION=Hi3516EV200_MPP_V1.0.1.2 " HI_MPP_BUILD " Release";

typedef struct { char aVersion[64]; } MPP_VERSION_S;

static int g_sys_inited;
static int g_vi_dev_enabled[2];
static int g_venc_chn[16];

int HI_MPI_SYS_Init(void)
{
    if (g_sys_inited)
        return 0xA0028010; /* HI_ERR_SYS_BUSY-like code */
    g_sys_inited = 1;
    return 0;
}

int HI_MPI_SYS_Exit(void)
{
    g_sys_inited = 0;
    memset(g_venc_chn, 0, sizeof(g_venc_chn));
    return 0;
}

int HI_MPI_SYS_GetVersion(MPP_VERSION_S *pstVersion)
{
    if (!pstVersion)
        return -1;
    snprintf(pstVersion->aVersion, sizeof(pstVersion->aVersion), "%s",
             hi_mpp_version + strlen("HI_VERSION="));
    return 0;
}

int HI_MPI_VI_EnableDev(int ViDev)
{
    if (ViDev < 0 || ViDev > 1 || !g_sys_inited)
        return -1;
    g_vi_dev_enabled[ViDev] = 1;
    return 0;
}

int HI_MPI_VI_DisableDev(int ViDev)
{
    if (ViDev < 0 || ViDev > 1)
        return -1;
    g_vi_dev_enabled[ViDev] = 0;
    return 0;
}

int HI_MPI_VENC_CreateChn(int VeChn, const void *pstAttr)
{
    if (VeChn < 0 || VeChn >= 16 || !pstAttr)
        return -1;
    g_venc_chn[VeChn] = 1;
    return 0;
}

int HI_MPI_VENC_DestroyChn(int VeChn)
{
    if (VeChn < 0 || VeChn >= 16)
        return -1;
    g_venc_chn[VeChn] = 0;
    return 0;
}

int HI_MPI_VENC_StartRecvFrame(int VeChn, const void *pstRecvParam)
{
    (void)pstRecvParam;
    return (VeChn >= 0 && VeChn < 16 && g_venc_chn[VeChn]) ? 0 : -1;
}
