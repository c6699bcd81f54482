/*
   Router, modem and ONT SoCs in decompressed kernels, prebuilt driver objects and platform libraries: the SoC's
   own platform drivers (GPIO, PCIe host, NAT engine, switch/Ethernet, DSL PHY), never a Wi-Fi radio driver alone
   (a Wi-Fi card of one vendor sits on boards of every other; those are component evidence).
*/

rule SOC_MediaTek_Ralink_Kernel_Platform {
   meta:
      id = "7f9b1d3e-2c4a-4e6f-8a8b-5f7b9d1e3a27"
      description = "MediaTek/Ralink router SoC kernel: SoC PCIe host ('MT7628 PCIe RC mode'), ralink_gpio, Ralink SoC EEPROM paths"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/ramips"
      layer = "soc"
      entity = "mediatek"
      weight = "strong"
      detail = "{1}"
      version_regex = "(MT76[0-9]{2}[A-Z]?|RT[0-9]{4}|RT[0-9]{3}X)"
   strings:
      $x1 = /(MT76[0-9]{2}|RT[0-9]{4}) PCIe RC mode/
      $s1 = "ralink_gpio"
      $s2 = /\/etc_ro\/wlan\/MT76[0-9]{2}_EEPROM/
      $s3 = "MTK/Ralink EHCI"
      $s4 = "Linux version "
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_MediaTek_HNAT_Module {
   meta:
      id = "8a0c2e4f-3d5b-4f7a-9b9c-6a8c0e2f4b28"
      description = "MediaTek SoC hardware NAT engine driver (mtkhnat: mediatek,mtk-hnat compatibles, mediatek_soc_hnat)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/openwrt/openwrt/tree/main/target/linux/mediatek"
      layer = "soc"
      entity = "mediatek"
      weight = "strong"
   strings:
      $x1 = "mediatek,mtk-hnat"
      $s1 = "mediatek_soc_hnat"
      $s2 = "mtk_hnat_"
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule SOC_Broadcom_BCM47xx_Platform {
   meta:
      id = "9b1d3f5a-4e6c-4a8b-8c0d-7b9d1f3a5c29"
      description = "Broadcom BCM47xx/BCM53xx router platform: SoC Ethernet (et), ChipCommon, bcm947xx flash/GPIO drivers, libChipApi bcm47xxx_*"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/hardware/soc/soc.broadcom.bcm47xx"
      layer = "soc"
      entity = "broadcom"
      weight = "strong"
      detail = "{1}"
      version_regex = "(BCM47[0-9]{2}|BCM53[0-9]{2}|BCM5[0-9]{3})"
   strings:
      $x1 = "Broadcom BCM47XX 10/100/1000 Mbps Ethernet Controller"
      $x2 = /bcm47xxx_(reg_gpio|handle_sig)/
      $s1 = "Broadcom BCM947XX"
      $s2 = "bcm947xx_flash"
      $s3 = /BCM47[0-9]{2} ChipCommon/
      $s4 = "bgmac: Broadcom 47xx"
      $s5 = /BCM53[0-9]{2}[0-9A-Z]?\b/
      $s6 = "bcm_nvram_"
   condition:
      1 of ($x*) or 2 of ($s*)
}

rule SOC_Broadcom_DSL_Driver {
   meta:
      id = "0c2e4a6b-5f7d-4b9c-9d1e-8c0e2a4b6d30"
      description = "Broadcom BCM63xx DSL SoC prebuilt ADSL driver (BcmAdslCore*, Is63xxx AFE functions)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/bcm63xx"
      layer = "soc"
      entity = "broadcom"
      weight = "strong"
      detail = "BCM{1}"
      version_regex = "Is(6[0-9]{4})AFE"
   strings:
      $x1 = "BcmAdslCore"
      $s1 = /Is6[0-9]{4}AFE/
      $s2 = "BcmAdsl_"
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_TrendChip_SDK_Copyright {
   meta:
      id = "2e4a6c8d-7b9f-4d1e-9f3a-0e2a4c6d8f32"
      description = "TrendChip DSL SoC SDK (ZyNOS/TCLinux): 'TrendChip Technologies Corp.' copyright with Trendchip product strings"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://www.linux-mips.org/wiki/TrendChip"
      layer = "soc"
      entity = "trendchip"
      weight = "strong"
   strings:
      $x1 = "TrendChip Technologies Corp."
      $s1 = /Trendchip [0-9A-Za-z]+/
      $s2 = /TC3[0-9]{3}/
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_Realtek_Router_Kernel_Platform {
   meta:
      id = "3f5b7d9e-8c0a-4e2f-8a4b-1f3b5d7e9a33"
      description = "Realtek router/PON SoC kernel: luna SDK (RTL9607C/RTL9603C) or RTL819x board support ('RTL819xD: bsp_') with the SoC switch driver"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/realtek"
      layer = "soc"
      entity = "realtek"
      weight = "strong"
      detail = "{1}"
      version_regex = "(RTL96[0-9]{2}[A-Z]?|RTL819[0-9x][A-Z]?)"
   strings:
      $x1 = "[luna SDK"
      $x2 = "luna_mtd_nand"
      $x3 = /RTL819[0-9x][A-Z]?: bsp_/
      $s1 = /RTL96[0-9]{2}[A-Z]?\/RTL96[0-9]{2}/
      $s2 = "drivers/net/rtl819x/"
      $s3 = "Linux version "
   condition:
      1 of ($x*) and 1 of ($s*)
}

rule SOC_HiSilicon_xPON_SDK_Module {
   meta:
      id = "4a6c8e0f-9d1b-4f3a-9b5c-2a4c6e8f0b34"
      description = "HiSilicon ONT/xPON SDK kernel module (hi_kernel_dp_xpon_*/hi_drv_dp_xpon_* with 'Hisilicon Tech. Co.' license)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/Uaemextop/firmware-HG8245C-8145C-BLUE-R019-xpon_1"
      layer = "soc"
      entity = "hisilicon"
      weight = "medium"
   strings:
      $x1 = "license=Hisilicon Tech"
      $s1 = "hi_drv_dp_xpon_"
      $s2 = "hi_kernel_dp_xpon_"
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule SOC_Lantiq_UBoot_Platform {
   meta:
      id = "5b7d9f1a-0e2c-4a4b-8c6d-3b5d7f9a1c35"
      description = "Lantiq/Intel xDSL SoC U-Boot: hw_version=VR9/AR9, ifx_ drivers and the Lantiq GPHY firmware"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/lantiq"
      layer = "soc"
      entity = "lantiq"
      weight = "medium"
      detail = "{1}"
      version_regex = "hw_version=(VR9|AR9|AR10|GRX[0-9]{3})"
   strings:
      $x1 = /hw_version=(VR9|AR9|AR10|GRX[0-9]{3})/
      $s1 = "ifx_nand"
      $s2 = "GPHY Firmware"
      $s3 = "U-Boot 20"
   condition:
      $x1 and 1 of ($s*)
}
