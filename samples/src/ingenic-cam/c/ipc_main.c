/*
 * ipc_main.c - SYNTHETIC stand-in for a generic (unbranded) T31 camera
 * application using the IMP SDK and a Kalay-style P2P library.
 * Written from scratch for fwaudit test fixtures.
 */
#include <stdio.h>

int IMP_System_Init(void);
int IMP_System_Exit(void);
int IMP_ISP_Open(void);
int IMP_Encoder_CreateGroup(int encGroup);
int IOTC_Initialize2(unsigned short nUDPPort);
int IOTC_Connect_ByUID(const char *cszUID);
void IOTC_Session_Close(int nIOTCSessionID);

static const char k_uid_file[] = "/system/etc/p2p.conf";
static const char k_rtsp[] = "rtsp://0.0.0.0:554/ch0";

int main(int argc, char **argv)
{
    int sid;
    printf("ipc_main: uid from %s, rtsp %s\n", k_uid_file, k_rtsp);
    IMP_System_Init();
    IMP_ISP_Open();
    IMP_Encoder_CreateGroup(0);
    IOTC_Initialize2(0);
    sid = IOTC_Connect_ByUID(argc > 1 ? argv[1] : "AAAAAAAAAAAAAAAAAAA1");
    if (sid >= 0)
        IOTC_Session_Close(sid);
    return IMP_System_Exit();
}
