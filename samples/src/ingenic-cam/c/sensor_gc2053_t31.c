/*
 * sensor_gc2053_t31.c - SYNTHETIC kernel-module object mimicking the shape of
 * an Ingenic T31 sensor driver module.  Written for fwaudit fixtures.
 */
#include "kmod.h"

static unsigned short sensor_chip_id = 0x2053;

int gc2053_init(void)
{
    printk("gc2053 chip found @ 0x37 (i2c0), id %x\n", sensor_chip_id);
    return 0;
}

void gc2053_exit(void)
{
    printk("gc2053 exit\n");
}

MODINFO(license, "GPL");
MODINFO(author, "Ingenic");
MODINFO(description, "GC2053 sensor driver for T31 (synthetic fixture)");
MODINFO(depends, "tx_isp_t31");
MODINFO(name, "sensor_gc2053_t31");
MODINFO(vermagic, "3.10.14__isvp_swan_1.0__ SMP preempt mod_unload MIPS32_R2 32BIT ");

THIS_MODULE_DEF("sensor_gc2053_t31", gc2053_init, gc2053_exit);
