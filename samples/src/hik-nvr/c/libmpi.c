/*
 * libmpi.c - SYNTHETIC stand-in for a HiSilicon Hi3536-class NVR MPP
 * "libmpi.so".  Written from scratch for fwaudit test fixtures; it only
 * carries publicly documented export names and the HI_VERSION string format.
 */
#include <stdio.h>
#include <string.h>

const char hi_mpp_version[] = "HI_VERSION=Hi3536_MPP_V2.0.4.0 B050 Release";

typedef struct { char aVersion[64]; } MPP_VERSION_S;

static int g_sys_inited;
static int g_vdec_chn[64];
static int g_vo_dev[4];

int HI_MPI_SYS_Init(void)
{
    g_sys_inited = 1;
    return 0;
}

int HI_MPI_SYS_Exit(void)
{
    g_sys_inited = 0;
    memset(g_vdec_chn, 0, sizeof(g_vdec_chn));
    return 0;
}

int HI_MPI_SYS_GetVersion(MPP_VERSION_S *pstVersion)
{
    if (!pstVersion)
        return -1;
    snprintf(pstVersion->aVersion, sizeof(pstVersion->aVersion), "%s",
             hi_mpp_version + 11);
    return 0;
}

int HI_MPI_VDEC_CreateChn(int VdChn, const void *pstAttr)
{
    if (VdChn < 0 || VdChn >= 64 || !pstAttr || !g_sys_inited)
        return -1;
    g_vdec_chn[VdChn] = 1;
    return 0;
}

int HI_MPI_VDEC_DestroyChn(int VdChn)
{
    if (VdChn < 0 || VdChn >= 64)
        return -1;
    g_vdec_chn[VdChn] = 0;
    return 0;
}

int HI_MPI_VO_Enable(int VoDev)
{
    if (VoDev < 0 || VoDev >= 4)
        return -1;
    g_vo_dev[VoDev] = 1;
    return 0;
}

int HI_MPI_HDMI_Init(void)
{
    return g_sys_inited ? 0 : -1;
}
