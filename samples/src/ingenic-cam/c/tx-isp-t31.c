/*
 * tx-isp-t31.c - SYNTHETIC kernel-module object mimicking the shape of an
 * Ingenic T31 ISP driver module.  Written from scratch for fwaudit fixtures.
 */
#include "kmod.h"

static int isp_clk = 100000000;

int tx_isp_init(void)
{
    printk("@@@@ tx-isp-probe ok(version H20231114a), compiler date=Nov 14 2023 @@@@@\n");
    return isp_clk > 0 ? 0 : -1;
}

void tx_isp_exit(void)
{
    printk("tx-isp exit\n");
}

MODINFO(license, "GPL");
MODINFO(author, "Ingenic");
MODINFO(description, "Ingenic T31 tx-isp driver (synthetic fixture)");
MODINFO(depends, "");
MODINFO(name, "tx_isp_t31");
MODINFO(vermagic, "3.10.14__isvp_swan_1.0__ SMP preempt mod_unload MIPS32_R2 32BIT ");

THIS_MODULE_DEF("tx_isp_t31", tx_isp_init, tx_isp_exit);
