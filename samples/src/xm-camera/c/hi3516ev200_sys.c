/*
 * hi3516ev200_sys.c - SYNTHETIC kernel-module object mimicking the shape of
 * a HiSilicon MPP "sys" module.  Written from scratch for fwaudit fixtures.
 */
#include "kmod.h"

extern int osal_get_refcount(void);

static unsigned int sys_mem_base = 0x42000000u;

int sys_mod_init(void)
{
    if (!osal_get_refcount())
        return -1;
    printk("load sys.ko for Hi3516EV200...OK! mem_base=%x\n", sys_mem_base);
    return 0;
}

void sys_mod_exit(void)
{
    printk("unload sys.ko for Hi3516EV200...OK!\n");
}

MODINFO(license, "Proprietary");
MODINFO(author, "Hisilicon");
MODINFO(description, "Hi3516EV200 MPP sys driver (synthetic fixture)");
MODINFO(depends, "hi_osal");
MODINFO(name, "hi3516ev200_sys");
MODINFO(vermagic, "4.9.37 SMP mod_unload ARMv7 p2v8 ");

THIS_MODULE_DEF("hi3516ev200_sys", sys_mod_init, sys_mod_exit);
