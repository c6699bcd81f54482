/*
 * libIOTCAPIs.c - SYNTHETIC stand-in for a ThroughTek-Kalay-style P2P client
 * library.  Written from scratch for fwaudit test fixtures; it only carries
 * the publicly documented export names and master-server domain names.
 */
#include <stdio.h>
#include <string.h>

const char iotc_version[] = "IOTCAPIs 4.3.1.0 (fixture)";

static const char *const k_masters[] = {
    "m1.iotcplatform.com",
    "m2.iotcplatform.com",
    "m4.iotcplatform.com",
    "iotcplatform.com",
    0,
};

static int g_inited;
static int g_next_sid;

int IOTC_Initialize2(unsigned short nUDPPort)
{
    (void)nUDPPort;
    g_inited = 1;
    return 0;
}

int IOTC_DeInitialize(void)
{
    g_inited = 0;
    return 0;
}

const char *IOTC_Get_Master(int idx)
{
    if (idx < 0 || idx > 3)
        return 0;
    return k_masters[idx];
}

int IOTC_Connect_ByUID(const char *cszUID)
{
    if (!g_inited || !cszUID || strlen(cszUID) != 20)
        return -1;
    return g_next_sid++;
}

void IOTC_Session_Close(int nIOTCSessionID)
{
    if (nIOTCSessionID == g_next_sid - 1)
        g_next_sid--;
}
