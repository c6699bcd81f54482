/*
   Vendor toolchains left in boot loaders and raw images ('GNU ld (<Vendor> ...)' linker banners, kernel
   'Linux version ... (gcc version ... (<Vendor> ...))' banners). ELF .comment banners are in vendor_toolchains.yar
   and the fact rules; these fire on non-ELF images too.
*/

rule TOOLCHAIN_Ingenic_GNU_LD_Banner {
   meta:
      id = "6c8e0a2b-1f3d-4b5c-9d7e-4c6e8a0b2d36"
      description = "Ingenic MIPS toolchain linker banner in a boot loader ('GNU ld (Ingenic r2.3.3 2016.12)')"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/u-boot-ingenic"
      layer = "toolchain"
      entity = "ingenic"
      weight = "strong"
      detail = "Ingenic {1}"
      version_regex = "Ingenic (r[0-9.]+-gcc[0-9]+|r[0-9.]+[0-9])"
   strings:
      $x1 = /GNU ld \(Ingenic r[0-9.]{3,8}(-gcc[0-9]{3})?/
      $x2 = /gcc version [0-9.]+ \(Ingenic r[0-9.]{3,8}/
   condition:
      1 of them
}

rule TOOLCHAIN_Realtek_RSDK_MSDK_Banner {
   meta:
      id = "7d9f1b3c-2a4e-4c6d-8e8f-5d7f9b1c3e37"
      description = "Realtek RSDK/MSDK toolchain banner in a boot loader or kernel ('GNU ld (Realtek MSDK-4.8.5p1 Build 2536)')"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/realtek"
      layer = "toolchain"
      entity = "realtek"
      weight = "strong"
      detail = "{1}"
      version_regex = "Realtek ([RM]SDK-[0-9.]+p?[0-9]*)"
   strings:
      $x1 = /(GNU ld|GCC:|gcc version [0-9.]+|gcc [0-9.]+) \(Realtek [RM]SDK-[0-9.]+(p[0-9]+)?/
   condition:
      $x1
}

rule TOOLCHAIN_Ambarella_Linaro_Banner {
   meta:
      id = "8e0a2c4d-3b5f-4d7e-9f9a-6e8a0c2d4f38"
      description = "Ambarella Linaro toolchain in a kernel banner or .comment ('crosstool-NG - Ambarella Linaro Multilib GCC ... 2014.06')"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/legacy/ambarella-osdrv-s3l"
      layer = "toolchain"
      entity = "ambarella"
      weight = "strong"
      detail = "Ambarella Linaro {1}"
      version_regex = "Ambarella Linaro[^)]*?([0-9]{4}[.][0-9]{2})"
   strings:
      $x1 = /Ambarella Linaro [A-Za-z ]*GCC[^)\x00]{0,40}[0-9]{4}\.[0-9]{2}/
   condition:
      $x1
}
