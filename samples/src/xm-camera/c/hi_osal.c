/*
 * hi_osal.c - SYNTHETIC kernel-module object mimicking the shape of a
 * HiSilicon OSAL module (.modinfo + .gnu.linkonce.this_module).
 * Written from scratch for fwaudit fixtures; not kernel code.
 */
#include "kmod.h"

static int osal_refcount;

int osal_init(void)
{
    osal_refcount = 1;
    printk("hi_osal %s init ok!\n", "1.0");
    return 0;
}

void osal_exit(void)
{
    osal_refcount = 0;
    printk("hi_osal exit ok!\n");
}

int osal_get_refcount(void)
{
    return osal_refcount;
}

MODINFO(license, "Proprietary");
MODINFO(author, "Hisilicon");
MODINFO(description, "Hisilicon OSAL (synthetic fixture)");
MODINFO(depends, "");
MODINFO(name, "hi_osal");
MODINFO(vermagic, "4.9.37 SMP mod_unload ARMv7 p2v8 ");

THIS_MODULE_DEF("hi_osal", osal_init, osal_exit);
