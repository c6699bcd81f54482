/*
   Router, modem and ONT SoC vendors' board-support SDKs as they appear in real builds: driver objects compiled
   from the vendor SDK (ELF only: a Wi-Fi firmware blob for a host driver is not the SDK), kernel banners with
   the SDK release in the version string, SDK version tags in decompressed kernels and RTOS images.
*/

rule SDK_Broadcom_Router_Driver_Object {
   meta:
      id = "0b6e2c4a-8d1f-4e3a-9c5b-7d2f4a6c8e01"
      description = "Broadcom router SDK driver object (wl/et/adsl): 'Broadcom BCMxxxx 802.11 Wireless Controller', 'Broadcom BCM47xx ... Ethernet Controller' or BcmAdslCore, in an ELF"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openwrt.org/docs/techref/hardware/soc/soc.broadcom.bcm47xx"
      layer = "sdk"
      entity = "broadcom"
      weight = "strong"
   strings:
      $x1 = /Broadcom BCM%04x 802\.11 Wireless Controller/
      $x2 = /Broadcom BCM47[0-9xX]{2} 10\/100(\/1000)? Mbps Ethernet Controller/
      $x3 = "BcmAdslCore"
      $s1 = "wlc_"
      $s2 = "etc_"
      $s3 = "BcmAdsl_"
      $s4 = "bcm_"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}

rule SDK_Qualcomm_Atheros_LSDK_Kernel {
   meta:
      id = "1c7f3d5b-9e2a-4f4b-8d6c-8e3a5b7d9f12"
      description = "Qualcomm Atheros LSDK release in a Linux kernel banner ('Linux version 2.6.31--LSDK-9.2.0.312')"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openwrt.org/docs/techref/targets/ath79"
      layer = "sdk"
      entity = "qualcomm"
      weight = "strong"
      detail = "LSDK-{1}"
      version_regex = "LSDK-([0-9]{1,2}(?:[.][0-9]{1,4}){1,4})"
   strings:
      $x1 = /Linux version [0-9]\.[0-9.]{1,8}[-+a-zA-Z0-9_]{0,16}LSDK-[0-9]{1,2}(\.[0-9]{1,4}){1,4}/
      $x2 = /U-Boot [0-9.]{3,12} \(Build from LSDK-/
   condition:
      1 of them
}

rule SDK_Realtek_Luna_ONT_SDK {
   meta:
      id = "2d8a4e6c-1f3b-4a5c-9e7d-9f4b6c8e1a23"
      description = "Realtek ONT/router SDK release tag in a kernel banner: '[luna SDK V3.1.0]' or the Realtek MSDK/RSDK compiler with Realtek switch/PON drivers"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/openwrt/openwrt/tree/main/target/linux/realtek"
      layer = "sdk"
      entity = "realtek"
      weight = "strong"
      detail = "luna SDK V{1}"
      version_regex = "luna SDK V([0-9]{1,2}(?:[.][0-9]{1,3}){1,3})"
   strings:
      $x1 = /\[luna SDK V[0-9]{1,2}(\.[0-9]{1,3}){1,3}\]/
   condition:
      $x1
}

rule SDK_Realtek_RTL819x_Router_SDK {
   meta:
      id = "3e9b5f7d-2a4c-4b6d-8f8e-1a5c7d9f2b34"
      description = "Realtek RTL819x router SDK kernel: drivers/net/rtl819x/ switch driver or 'RTL819xD: bsp_' board code, with the SDK's rtl865x/rtl8192cd drivers"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openwrt.org/docs/techref/hardware/soc/soc.realtek"
      layer = "sdk"
      entity = "realtek"
      weight = "strong"
   strings:
      $x1 = "drivers/net/rtl819x/"
      $x2 = /RTL819x[A-Z]?: bsp_/
      $s1 = "rtl865x"
      $s2 = "rtl8192cd"
      $s3 = /RTL8[0-9]{3}[A-Z]_MAC_PHY_Parameter/
   condition:
      1 of ($x*) and 1 of ($s*)
}

rule SDK_HiSilicon_ONT_SDK_Module {
   meta:
      id = "4fa16a8e-3b5d-4c7e-9a9f-2b6d8e1a3c45"
      description = "HiSilicon PON/ONT SDK kernel module: modinfo license 'Hisilicon Tech. Co.' with hi_kernel_* SDK API"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openwrt.org/toh/huawei/hg8245"
      layer = "sdk"
      entity = "hisilicon"
      weight = "strong"
   strings:
      $x1 = "license=Hisilicon Tech. Co."
      $s1 = "hi_kernel_"
      $s2 = "hi_serdes_"
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*)
}

rule SDK_TrendChip_DSL_SDK {
   meta:
      id = "5ab27b9f-4c6e-4d8f-8b1a-3c7e9f2b4d56"
      description = "TrendChip (later Ralink, now MediaTek) DSL CPE SDK: 'TrendChip Technologies Corp.' copyright with its Trendchip/Ralink driver names in an RTOS/ZyNOS image"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://en.wikipedia.org/wiki/Ralink"
      layer = "sdk"
      entity = "trendchip"
      weight = "strong"
   strings:
      $x1 = /Copyright \(c\) [0-9]{4} ?- ?[0-9]{4} TrendChip Technologies/ nocase
      $s1 = /Trendchip [0-9A-Za-z]{2,12} AP/
      $s2 = "Ralink Technology"
   condition:
      $x1 and 1 of ($s*)
}
