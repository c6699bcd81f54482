/*
 * sofia.c - SYNTHETIC stand-in for a Xiongmai-style "Sofia" camera app.
 * Written from scratch for fwaudit test fixtures.  It carries strings that
 * are publicly documented for this firmware family (config paths, cloud
 * domains, the DVRIP port 34567, the "OpenTelnet:OpenOnce" telnet-enable
 * command on port 9530) so that an auditor can be tested.  It does nothing.
 */
#include <stdio.h>
#include <string.h>

int HI_MPI_SYS_Init(void);
int HI_MPI_SYS_Exit(void);
int HI_MPI_VI_EnableDev(int ViDev);
int HI_MPI_VENC_CreateChn(int VeChn, const void *pstAttr);
int HI_MPI_ISP_Init(int ViPipe);

#define DVRIP_PORT 34567
#define TELNETCTRL_PORT 9530

static const char *const k_brand = "Northwind Security";
static const char *const k_fw_version =
#ifdef XM_FW_V2
    "V5.00.R02.20240301";
#else
    "V5.00.R02.20231114";
#endif

static const char *const k_paths[] = {
    "/mnt/mtd/Config/Account1",
    "/mnt/mtd/Config/Account2",
    "/mnt/mtd/Config/network",
    "/mnt/custom/ProductDefinition",
    "/mnt/custom/CustomConfig",
    "XmEnv",
    "/usr/bin/dvrHelper",
    "macGuarder",
    0,
};

static const char *const k_servers[] = {
    "secu100.net",
    "xmeye.net",
    "bcloud365.net",
#ifdef XM_FW_V2
    "upgrade.northwind-security.example",
#endif
    0,
};

static int handle_ctrl_command(const char *cmd)
{
#ifndef XM_FW_V2
    /* Legacy telnet-enable command accepted on TCP 9530. */
    if (strcmp(cmd, "OpenTelnet:OpenOnce") == 0) {
        puts("verify:OK");
        return 1;
    }
#endif
    (void)cmd;
    return 0;
}

int main(int argc, char **argv)
{
    int i;
    printf("%s IPC firmware %s starting\n", k_brand, k_fw_version);
    printf("DVRIP listening on %s (TCPPort=%d)\n", "0.0.0.0:34567", DVRIP_PORT);
#ifndef XM_FW_V2
    printf("telnet ctrl on %d\n", TELNETCTRL_PORT);
#endif
    for (i = 0; k_paths[i]; i++)
        printf("cfg: %s\n", k_paths[i]);
    for (i = 0; k_servers[i]; i++)
        printf("cloud: %s\n", k_servers[i]);
    if (argc > 1)
        handle_ctrl_command(argv[1]);
    HI_MPI_SYS_Init();
    HI_MPI_ISP_Init(0);
    HI_MPI_VI_EnableDev(0);
    HI_MPI_VENC_CreateChn(0, k_brand);
    return HI_MPI_SYS_Exit();
}
