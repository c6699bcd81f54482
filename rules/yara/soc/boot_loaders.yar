/*
   Boot loaders and first-stage loaders per SoC family: U-Boot board-support strings, vendor boot loaders
   (Ambarella amboot, HiSilicon Balong, EcoNet BL2), TF-A and U-Boot platform source paths. These strings are set
   by the SoC vendor's BSP; U-Boot's own image-type table (which names many vendors) is never used.
*/

rule SOC_HiSilicon_UBoot_BSP {
   meta:
      id = "4e0c2a61-9a57-4d1e-8d3f-0b2c6a1e7f01"
      description = "HiSilicon U-Boot BSP: hisfc350/hinfc flash-controller driver sources, 'Hisilicon ETH net controler', or the 'hisilicon # ' prompt"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/u-boot-hi3516ev200"
      layer = "soc"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1}"
      version_regex = "(Hi35[0-9]{2}(?:[A-Z]?V[0-9]{3}|[A-Z]{0,2}))"
   strings:
      $x1 = /hisfc[0-9]{3}(_spi)?[_a-z0-9]*\.c/
      $x2 = /hinfc[0-9]{3}[_a-z0-9]*\.c/
      $x3 = "Hisilicon ETH net controler"
      $s1 = { 00 68 69 73 69 6C 69 63 6F 6E 20 23 20 00 }  // "\0hisilicon # \0"
      $s2 = /\bHi35[0-9]{2}[A-Z]{0,2}(V[0-9]{3})?\b/
      $s3 = "U-Boot 20"
   condition:
      $s3 and (1 of ($x*) or ($s1 and $s2))
}

rule SOC_HiSilicon_Balong_Modem_Loader {
   meta:
      id = "2b9f6d3c-51a4-4c0e-9e0e-7d3a8c1f5b02"
      description = "HiSilicon Balong modem boot loader / BSP (BSP BALONGVxxxRxxx version format, HI65xx PMU drivers)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/forth32/balong-usbdload"
      layer = "soc"
      entity = "hisilicon"
      weight = "strong"
      detail = "Balong"
   strings:
      $x1 = "BSP BALONGV%03dR%03d"
      $x2 = /Balong ?V[0-9]R[0-9]/
      $s1 = /PMU_HI65[0-9]{2}_/
      $s2 = /pmu_hi65[0-9]{2}_/
   condition:
      1 of ($x*) and 1 of ($s*)
}

rule SOC_Ambarella_Amboot_Loader {
   meta:
      id = "7c1e4b2a-0d6f-4f3a-a1b8-3e5d9c2f6a03"
      description = "Ambarella first-stage boot loader (Amboot(R) Ambarella(R) banner, amboot> prompt)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/timawesomeness/foscam-r2-fw"
      layer = "soc"
      entity = "ambarella"
      weight = "strong"
      detail = "{1}"
      version_regex = "amba(s[0-9][a-z0-9]*|h[0-9][a-z0-9]*|cv[0-9]+[a-z0-9]*)"
   strings:
      $x1 = "Amboot(R) Ambarella(R)"
      $s1 = "amboot> "
      $s2 = /amba(s[0-9][a-z0-9]*|h[0-9][a-z0-9]*|cv[0-9]+[a-z0-9]*)\x00/
   condition:
      $x1 or ($s1 and $s2)
}

rule SOC_Ambarella_UBoot_BSP {
   meta:
      id = "a3d2f1e0-6b4c-4e7d-9a2f-5c8e1d3b7a04"
      description = "U-Boot built on the Ambarella BSP: ambarella_sd / 'ambarella mac' / 'Ambarella sd' driver strings"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/BotoX/DH_IPC-HX4XXX-Themis"
      layer = "soc"
      entity = "ambarella"
      weight = "strong"
   strings:
      $s1 = "ambarella_sd"
      $s2 = "ambarella mac"
      $s3 = "Ambarella sd "
      $s4 = "ambarella_eth"
      $x1 = "U-Boot 20"
   condition:
      $x1 and 2 of ($s*)
}

rule SOC_Ingenic_UBoot_Board {
   meta:
      id = "5f8a2c1d-3e9b-4a6f-b0c7-1d4e6f8a2b05"
      description = "Ingenic U-Boot board line naming the chip ('Board: ISVP (Ingenic XBurst T21 SoC)', 'Ingenic XBurst2 T41 SoC')"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/u-boot-ingenic"
      layer = "soc"
      entity = "ingenic"
      weight = "strong"
      detail = "{1}"
      version_regex = "Ingenic XBurst2? (T[0-9]{2}[A-Z]?) SoC"
   strings:
      $x1 = /Ingenic XBurst2? T[0-9]{2}[A-Z]? SoC/
   condition:
      $x1
}

rule SOC_Allwinner_Boot_BSP {
   meta:
      id = "0c6e9a3f-2d1b-4f8e-a7c5-9b3d2e1f4c06"
      description = "Allwinner boot chain: eGON.BT0/BT1 boot0 header, or U-Boot 'Allwinner Technology' banner with sunxi BSP chip names (sun8iw19p1)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://linux-sunxi.org/EGON"
      layer = "soc"
      entity = "allwinner"
      weight = "strong"
      detail = "{1}"
      version_regex = "(sun[0-9]{1,2}iw[0-9]{1,2}p[0-9])"
   strings:
      $x1 = "eGON.BT0"
      $x2 = "eGON.BT1"
      $s1 = /U-Boot 20[0-9]{2}\.[0-9]{2}[^\x00]{0,60}Allwinner Technology/
      $s2 = /\bsun[0-9]{1,2}iw[0-9]{1,2}p[0-9]/
      $s3 = "sunxi-package"
   condition:
      ($x1 at 4) or ($x2 at 4) or ($s1 and 1 of ($s2, $s3))
}

rule SOC_Fullhan_UBoot_Chip_Table {
   meta:
      id = "d9b1c3a5-7e2f-4d6a-8c0b-2f5e7a9d1c07"
      description = "Fullhan U-Boot or kernel naming Fullhan chips (FH8852V200, FH8856V200, FH8632, ...)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/firmware/tree/master/br-ext-chip-fullhan"
      layer = "soc"
      entity = "fullhan"
      weight = "strong"
      detail = "{1}"
      version_regex = "(FH8[0-9]{3}V[0-9]{3}|FH86[0-9]{2})"
   strings:
      $x1 = /\bFH8[0-9]{3}V[0-9]{3}\b/
      $x2 = /\bFH86[0-9]{2}\b/
      $s1 = "U-Boot 20"
      $s2 = "Linux version "
   condition:
      1 of ($x*) and 1 of ($s*)
}

rule SOC_SigmaStar_MStar_Boot_BSP {
   meta:
      id = "e2a4c6b8-1d3f-4a5e-9b7c-3d6f8a0c2e08"
      description = "MStar/SigmaStar boot chain: IPL DDR parameter names (Infinity2_DDR3_...), U-Boot drivers/mstar/ sources, SigmastarUpgrade"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/u-boot-sigmastar"
      layer = "soc"
      entity = "sigmastar"
      weight = "strong"
      detail = "{1}"
      version_regex = "[/_]?([Ii]nfinity[0-9]+[a-z0-9]*)"
   strings:
      $x1 = /drivers\/mstar\/[a-z0-9_]+\/[a-z0-9_]+\//
      $x2 = /Infinity[0-9]+[a-z0-9]*_DDR[234]_/
      $x3 = "SigmastarUpgrade"
      $s1 = "U-Boot 20"
      $s2 = "MStar # "
   condition:
      ($x1 or $x2 or $x3) and 1 of ($s*) or $x2
}

rule SOC_EcoNet_Boot_Loader {
   meta:
      id = "f4c6e8a0-3b5d-4e7f-a1c9-5e8a0c2d4f09"
      description = "EcoNet xPON/DSL SoC boot loader: 'vendor_name=ECONET Technologies' with soc=en75xx"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/econet"
      layer = "soc"
      entity = "econet"
      weight = "strong"
      detail = "{1}"
      version_regex = "soc=(en75[0-9]{2}|an75[0-9]{2})"
   strings:
      $x1 = "vendor_name=ECONET Technologies"
      $s1 = /soc=(en|an)75[0-9]{2}/
      $s2 = /board=(en|an)75[0-9]{2}/
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_Amlogic_TFA_Platform {
   meta:
      id = "0a2c4e6f-5d7b-4f9a-b3e1-7a0c2e4f6b10"
      description = "Trusted Firmware-A built for an Amlogic platform (plat/amlogic/<soc>/ sources, meson console)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://trustedfirmware-a.readthedocs.io/en/latest/plat/meson-g12a.html"
      layer = "soc"
      entity = "amlogic"
      weight = "strong"
      detail = "{1}"
      version_regex = "plat/amlogic/(g12a|gxbb|gxl|axg|a[0-9]+|s[0-9]+)/"
   strings:
      $x1 = /plat\/amlogic\/[a-z0-9]+\/[a-z0-9_]+\.c/
      $x2 = "drivers/amlogic/console"
   condition:
      1 of them
}

rule SOC_NXP_IMX_Boot_Platform {
   meta:
      id = "1b3d5f7a-6e8c-4a0b-8c2d-9b1d3f5a7c11"
      description = "Boot loader built for an NXP i.MX platform (TF-A imx_sip_svc, U-Boot i2c_imx driver with imx device-tree names)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://trustedfirmware-a.readthedocs.io/en/latest/plat/imx8m.html"
      layer = "soc"
      entity = "nxp"
      weight = "strong"
      detail = "{1}"
      version_regex = "(imx[0-9][a-z0-9]*)-"
   strings:
      $x1 = "imx_sip_svc"
      $x2 = /plat\/imx\/imx[0-9][a-z0-9]*\//
      $s1 = "i2c_imx_"
      $s2 = /\bimx[0-9][a-z0-9]*-[a-z0-9]+-?/
   condition:
      1 of ($x*) or all of ($s*)
}

rule SOC_TI_OMAP_Sitara_SPL {
   meta:
      id = "2c4e6a8b-7f9d-4b1c-9d3e-0c2e4a6b8d12"
      description = "U-Boot SPL/MLO for a TI OMAP/Sitara SoC ('AM335x U-Boot SPL', OMAP SD/MMC and gpio_omap drivers)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://docs.u-boot.org/en/latest/board/ti/am335x_evm.html"
      layer = "soc"
      entity = "ti"
      weight = "strong"
      detail = "{1}"
      version_regex = "(AM[0-9]{3}x|DRA[0-9]{3}|OMAP[0-9]{4})"
   strings:
      $x1 = /(AM[0-9]{3}x|DRA[0-9]{3}x?|OMAP[0-9]{4}) U-Boot SPL/
      $s1 = "OMAP SD/MMC"
      $s2 = "gpio_omap"
      $s3 = "i2c_omap"
   condition:
      $x1 or 2 of ($s*)
}

rule SOC_Broadcom_BCM283x_UBoot {
   meta:
      id = "3d5f7b9c-8a0e-4c2d-8e4f-1d3f5b7c9e13"
      description = "U-Boot built for a Broadcom BCM283x/BCM2711 SoC (arch/arm/mach-bcm283x sources, bcm2835 mailbox messages)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://docs.u-boot.org/en/latest/board/broadcom/raspberrypi.html"
      layer = "soc"
      entity = "broadcom"
      weight = "strong"
      detail = "BCM283x"
   strings:
      $x1 = "arch/arm/mach-bcm283x/"
      $s1 = "bcm2835: Could not"
   condition:
      $x1 or $s1
}

rule SOC_Qualcomm_Atheros_UBoot_LSDK {
   meta:
      id = "4e6a8c0d-9b1f-4d3e-9f5a-2e4a6c8d0f14"
      description = "Qualcomm Atheros LSDK U-Boot/VxWorks BSP: ath_gmac/athrs/ag7240 Ethernet drivers, AP1xx reference-board names"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/ath79"
      layer = "soc"
      entity = "qualcomm"
      weight = "strong"
      detail = "{1}"
      version_regex = "(AR9[0-9]{2}[0-9x]|AR7[0-9]{3}|QCA9[0-9]{3})"
   strings:
      $s1 = "ath_gmac_enet_initialize"
      $s2 = /athrs_ar[0-9]{4}_/
      $s3 = /ag7[0-9]{3}_enet_initialize/
      $s4 = /(AR9[0-9]{2}[0-9x]|QCA9[0-9]{3}): AP[0-9]{2,3}[a-z]? Board/
      $s5 = /AP[0-9]{2,3} \((ar|qca)9[0-9]{3}\) U-[Bb]oot/
      $s6 = "ath_ddr_initial_config"
      $s7 = /Atheros AR[0-9]{4} \([A-Z][a-z]+\)/
      $s8 = /AG7240: (Enet Unit|enet unit|cfg_[0-9])/
   condition:
      2 of them
}

rule SOC_Qualcomm_IPQ_UBoot_QSDK {
   meta:
      id = "5f7b9d1e-0c2a-4e4f-8a6b-3f5b7d9e1a15"
      description = "Qualcomm QSDK U-Boot for IPQ SoCs ('IPQ5018# ' prompt, IPQ MDIO/board names, qca,scm_restart_reason)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/qualcommax"
      layer = "soc"
      entity = "qualcomm"
      weight = "strong"
      detail = "{1}"
      version_regex = "(IPQ[0-9]{4}|ipq[0-9]{4})"
   strings:
      $x1 = /IPQ[0-9]{4}# /
      $s1 = /IPQ[0-9]{4} MDIO/
      $s2 = "qca,scm_restart_reason"
      $s3 = /ipq[0-9]{4}_[a-z_]+/
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_Realtek_Switch_UBoot {
   meta:
      id = "6a8c0e2f-1d3b-4f5a-9b7c-4a6c8e0f2b16"
      description = "Realtek switch/PON SoC U-Boot: RTL93xx/RTL83xx board and serdes names with the RTL9300# style prompt"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://svanheule.net/realtek/longan"
      layer = "soc"
      entity = "realtek"
      weight = "strong"
      detail = "{1}"
      version_regex = "(RTL9[0-9]{3}[A-Z]?|RTL83[0-9]{2}[A-Z]?)"
   strings:
      $x1 = /_rtl(93|83|96)[0-9]{2}_[a-z_]+/
      $x2 = /RTL(93|83|96)[0-9]{2}[A-Z]?# /
      $s1 = /RTL(93|83)0[0-9]_[0-9xX]+[A-Z0-9_]+/
      $s2 = "set RTL8231 MDC"
   condition:
      1 of ($x*) and 1 of ($s*)
}
