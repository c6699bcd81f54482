/*
 * libhi_isp.c - SYNTHETIC stand-in for a HiSilicon ISP library.
 * Written from scratch for fwaudit test fixtures.
 */
#include <string.h>

const char hi_isp_version[] = "ISP_VERSION=Hi3516EV200_ISP_V1.0.1.2 B030";

typedef struct { int ae_target; int awb_mode; int frame_rate; } ISP_PUB_ATTR_S;
static ISP_PUB_ATTR_S g_attr[2];

int HI_MPI_ISP_MemInit(int ViPipe)
{
    if (ViPipe < 0 || ViPipe > 1)
        return -1;
    memset(&g_attr[ViPipe], 0, sizeof(g_attr[ViPipe]));
    return 0;
}

int HI_MPI_ISP_SetPubAttr(int ViPipe, const ISP_PUB_ATTR_S *pstPubAttr)
{
    if (ViPipe < 0 || ViPipe > 1 || !pstPubAttr)
        return -1;
    g_attr[ViPipe] = *pstPubAttr;
    return 0;
}

int HI_MPI_ISP_Init(int ViPipe)
{
    return (ViPipe < 0 || ViPipe > 1) ? -1 : 0;
}

int HI_MPI_ISP_Run(int ViPipe)
{
    if (ViPipe < 0 || ViPipe > 1)
        return -1;
    return g_attr[ViPipe].frame_rate > 0 ? 0 : 1;
}
