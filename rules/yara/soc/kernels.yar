/*
   Vendor BSP kernels and kernel modules (decompressed kernel images, .ko files): platform (mach-*) source paths,
   BSP-only chip names and SoC driver names per SoC family. Mainline multi-platform device-tree compatibles are
   not used here (a generic kernel holds every vendor's); a device tree's root compatible is a fact rule
   (rules/data/dt_vendor_prefixes.yaml).
*/

rule SOC_HiSilicon_Kernel_Mach_Platform {
   meta:
      id = "7b9d1f3a-2e4c-4a6b-8c8d-5b7d9f1a3c17"
      description = "HiSilicon BSP kernel: arch/arm/mach-hi35xx platform sources or hisilicon machine name"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/linux/tree/hisilicon-hi3516cv100"
      layer = "soc"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1}"
      version_regex = "mach-(hi35[0-9]{2}(?:[a-z]?v[0-9]{3}|[a-z]{0,2}))"
   strings:
      $x1 = /arch\/arm\/mach-hi35[0-9]{2}[a-z]{0,2}(v[0-9]{3})?\//
      $x2 = /mach-hi35[0-9]{2}[a-z]{0,2}(v[0-9]{3})?\/[a-z_0-9]+\.c/
   condition:
      1 of them
}

rule SOC_Ambarella_SDK_Build_Path {
   meta:
      id = "8c0e2a4b-3f5d-4b7c-9d9e-6c8e0a2b4d18"
      description = "Kernel or module built inside an Ambarella Linux SDK tree (/s2l_linux_sdk/ambarella/kernel/...)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenFoscam/FI-9900P_filesystem"
      layer = "soc"
      entity = "ambarella"
      weight = "strong"
      detail = "{1}"
      version_regex = "/(s[0-9][a-z0-9]*|h[0-9][a-z0-9]*|cv[0-9]+[a-z0-9]*)_linux_sdk/"
   strings:
      $x1 = /\/(s[0-9][a-z0-9]*|h[0-9][a-z0-9]*|cv[0-9]+[a-z0-9]*)_linux_sdk\/ambarella\//
      $x2 = /\/ambarella\/kernel\/linux-[0-9.]+\//
   condition:
      1 of them
}

rule SOC_Ambarella_Kernel_Drivers {
   meta:
      id = "9d1f3b5c-4a6e-4c8d-8e0f-7d9f1b3c5e19"
      description = "Ambarella BSP kernel: several Ambarella SoC driver names (Ambarella FB, ambarella-i2c, ambarella_sd, ...)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/BotoX/DH_IPC-HX4XXX-Themis"
      layer = "soc"
      entity = "ambarella"
      weight = "strong"
   strings:
      $x1 = "Linux version "
      $s1 = "Ambarella FB"
      $s2 = /ambarella[-_](i2c|sd|spi|eth|uart|gpio|adc|wdt|rtc|nand|udc|ir)\b/
      $s3 = /ambarella,[a-z0-9-]+/
      $s4 = "Ambarella Linaro"
   condition:
      $x1 and 2 of ($s*)
}

rule SOC_Allwinner_Kernel_BSP_Chip {
   meta:
      id = "0e2a4c6d-5b7f-4d9e-9f1a-8e0a2c4d6f20"
      description = "Allwinner BSP kernel: sunxi BSP chip codename drivers (sun8iw19p1-pinctrl, allwinner,sunxi-* compatibles)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://linux-sunxi.org/Allwinner_SoC_Family"
      layer = "soc"
      entity = "allwinner"
      weight = "strong"
      detail = "{1}"
      version_regex = "(sun[0-9]{1,2}iw[0-9]{1,2}p[0-9])"
   strings:
      $x1 = /sun[0-9]{1,2}iw[0-9]{1,2}p[0-9]-(pinctrl|r-pinctrl|ccu|clk)/
      $s1 = /allwinner,sunxi-[a-z0-9-]+/
      $s2 = "Linux version "
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_Fullhan_ISP_Kernel_Module {
   meta:
      id = "1f3b5d7e-6c8a-4e0f-8a2b-9f1b3d5e7a21"
      description = "Fullhan ISP kernel module (fh81_isp / fh81_* ISP driver symbols with fh_ioremap)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/pavliha/fh8852v201-dump"
      layer = "soc"
      entity = "fullhan"
      weight = "strong"
   strings:
      $x1 = /fh8[0-9]_isp[a-z_]*/
      $s1 = "fh_ioremap"
      $s2 = /fh_dma[0-9]?/
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule SOC_Goke_SDK_Build_Path {
   meta:
      id = "2a4c6e8f-7d9b-4f1a-9b3c-0a2c4e6f8b22"
      description = "Binary built inside a Goke GK710x SDK tree (/gk710x/ or /goke-x.y.z/gk-ip0x/sdk/ build paths)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openipc.org/cameras/vendors/goke"
      layer = "soc"
      entity = "goke"
      weight = "strong"
      detail = "GK710x"
   strings:
      $x1 = /\/gk710[0-9x]\/customer\//
      $x2 = /\/goke-[0-9.]+\/gk-[a-z0-9]+\/sdk\//
   condition:
      1 of them
}

rule SOC_MStar_Infinity_MI_Library {
   meta:
      id = "3b5d7f9a-8e0c-4a2b-8c4d-1b3d5f7a9c23"
      description = "MStar Infinity MI SDK library (/proc/mstar/MI/ and /sys/class/mstar/ device paths, OMX.mstar components)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/legacy/sigmastar-osdrv-msc313e"
      layer = "soc"
      entity = "sigmastar"
      weight = "strong"
   strings:
      $x1 = "/proc/mstar/MI/"
      $s1 = "/sys/class/mstar/"
      $s2 = "OMX.mstar."
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule SOC_GrainMedia_Chip_Platform {
   meta:
      id = "4c6e8a0b-9f1d-4b3c-9d5e-2c4e6a8b0d24"
      description = "Grain Media GM81xx platform: GM813X_* helper functions or 'Product Type : GM81xx' line in camera software"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/grainmedia-osdrv-gm8136"
      layer = "soc"
      entity = "grain-media"
      weight = "strong"
      detail = "{1}"
      version_regex = "(GM81[0-9]{2})"
   strings:
      $x1 = /GM81[0-9]X_[A-Z][A-Za-z]+/
      $x2 = /Product Type\s*:\s*GM81[0-9]{2}/
      $s1 = /GM81[0-9]{2}/
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and $s1
}

rule SOC_Sonix_SNX_Media_Library {
   meta:
      id = "5d7f9b1c-0a2e-4c4d-8e6f-3d5f7b9c1e25"
      description = "Sonix SN986xx media SDK (snx_* codec/ISP API: snx_bs_reader_*, snx_cds_*, libsnx_*)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/samtap/fang-hacks"
      layer = "soc"
      entity = "sonix"
      weight = "strong"
   strings:
      $s1 = "snx_bs_reader_"
      $s2 = "snx_cds_"
      $s3 = /libsnx_(vc|isp|rc|avcodec)\.so/
      $s4 = /snx_isp_[a-z_]+/
      $s5 = /SN986[0-9]{2}/
   condition:
      uint32(0) == 0x464c457f and 2 of them
}

rule SOC_Novatek_Packed_Firmware {
   meta:
      id = "6e8a0c2d-1b3f-4d5e-9f7a-4e6a8c0d2f26"
      description = "Novatek packed dashcam/camera firmware (nvtpack, -D_CHIP_NAME_=NT966xx build flags)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/nikitos1550/some_novatek_sdk"
      layer = "soc"
      entity = "novatek"
      weight = "strong"
      detail = "{1}"
      version_regex = "_CHIP_NAME_=(NT9[0-9]{4})"
   strings:
      $x1 = /_CHIP_NAME_=NT9[0-9]{4}/
      $s1 = "nvtpack"
      $s2 = "nvt_fw_update"
   condition:
      $x1 and 1 of ($s*)
}

rule SOC_HiSilicon_Kernel_BSP_Drivers {
   meta:
      id = "7a9c1e3f-4b6d-4e8f-9a0b-5c7e9a1b3d39"
      description = "HiSilicon BSP kernel drivers: 'Hisilicon Nand/Spi Flash Controller Vxxx Device Driver', hieth-sf/himci sources, hi35xx-cpufreq"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://github.com/OpenIPC/linux/tree/hisilicon-hi3516cv100"
      layer = "soc"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1}"
      version_regex = "(hi35[0-9]{2}(?:[a-z]?v[0-9]{3}|[a-z]{0,2}))-cpufreq"
   strings:
      $x1 = "Linux version "
      $s1 = /Hisilicon (Nand|Spi) Flash Controller V[0-9]{3} Device Driver/
      $s2 = "drivers/net/hieth-sf/"
      $s3 = /drivers\/mmc\/host\/himci(v[0-9]{3})?\//
      $s4 = /hi35[0-9]{2}[a-z]{0,2}(v[0-9]{3})?-cpufreq/
   condition:
      $x1 and 2 of ($s*)
}

rule SOC_Qualcomm_Atheros_Kernel_Platform {
   meta:
      id = "8b0d2f4a-5c7e-4f9a-8b1c-6d8f0b2c4e40"
      description = "Qualcomm Atheros ath79/ar71xx kernel platform: AG71xx SoC Ethernet, ath79 SoC drivers, AR7240/AR9330 built-in switch"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://openwrt.org/docs/techref/targets/ath79"
      layer = "soc"
      entity = "qualcomm"
      weight = "strong"
      detail = "{1}"
      version_regex = "(AR[79][0-9]{3}|QCA9[0-9]{3})"
   strings:
      $x1 = "Linux version "
      $s1 = "Atheros AG71xx"
      $s2 = /ath79[_:][a-z_]+/
      $s3 = /AR7240\/AR9330 built-in switch/
      $s4 = /Atheros AR[79][0-9]{3} \([A-Z][a-z]+\)/
      $s5 = "ar71xx: "
   condition:
      $x1 and 2 of ($s*)
}
