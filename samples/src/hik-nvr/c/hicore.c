/*
 * hicore.c - SYNTHETIC stand-in for a Hikvision-style NVR main application.
 * Written from scratch for fwaudit test fixtures.  It carries publicly
 * documented interface strings (ISAPI paths, the SDK port magic "HKVS",
 * SADP discovery on UDP 37020, Hik-Connect / EZVIZ cloud domains).
 */
#include <stdio.h>
#include <string.h>

int HI_MPI_SYS_Init(void);
int HI_MPI_SYS_Exit(void);
int HI_MPI_VO_Enable(int VoDev);
int HI_MPI_HDMI_Init(void);
int HPR_Init(void);
int HPR_Fini(void);

#define SADP_PORT 37020
#define SDK_PORT 8000

static const char *const k_isapi[] = {
    "/ISAPI/System/deviceInfo",
    "/ISAPI/Security/userCheck",
    "/ISAPI/System/updateFirmware",
    "/ISAPI/ContentMgmt/InputProxy/channels",
    "/SDK/activateStatus",
    "/SDK/language",
    0,
};

static const char *const k_cloud[] = {
    "dev.hik-connect.com",
    "hik-connect.com",
    "litedev.ys7.com",
    "ys7.com",
    0,
};

static const char k_sdk_magic[] = "HKVS";
static const char k_shell[] = "/bin/psh";

int main(int argc, char **argv)
{
    int i;
    (void)argv;
    HPR_Init();
    printf("hicore: NVR application, SDK magic %s port %d\n", k_sdk_magic, SDK_PORT);
    printf("hicore: SADP discovery on %s (udp/%d)\n", "239.255.255.250:37020", SADP_PORT);
    for (i = 0; k_isapi[i]; i++)
        printf("isapi: %s\n", k_isapi[i]);
    for (i = 0; k_cloud[i]; i++)
        printf("ezviz/hik-connect: %s\n", k_cloud[i]);
    if (argc > 2)
        printf("debug shell: %s\n", k_shell);
    HI_MPI_SYS_Init();
    HI_MPI_HDMI_Init();
    HI_MPI_VO_Enable(0);
    HI_MPI_SYS_Exit();
    return HPR_Fini();
}
