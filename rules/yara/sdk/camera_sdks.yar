/*
   IP-camera SoC vendors' media SDKs as they appear in real binaries: the SDK's own API families (exports and
   their error strings), library names, build/version banners and kernel-module version fields. An SDK claim
   says "built on vendor X's SDK"; the chip itself is the soc layer's business (rules/yara/soc/).
   HiSilicon-compatible names on Goke parts are excluded by `$fp` strings (Goke ships HI_* shims).
*/

rule SDK_Fullhan_ISP_Core_Library {
   meta:
      id = "3f0f7a52-6f0e-4c55-9d0f-0d7f3b0c2a11"
      description = "Fullhan SDK ISP core (libispcore.so): '[ispcore] version:' / 'ispcore version:' banner with FH_ types or the arm-fullhanvN toolchain"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/fullhan-osdrv-fh8852v100"
      layer = "sdk"
      entity = "fullhan"
      weight = "strong"
   strings:
      $x1 = "[ispcore] version:"
      $x2 = "ispcore version:"
      $x3 = "ispcore_version"
      $s1 = "FH_UINT32"
      $s2 = /arm-fullhanv[0-9]-linux/
      $s3 = /FH_(SYS|VPSS|VENC|ISP|VB|AC)_[A-Z][A-Za-z]{2,32}/
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}

rule SDK_Rockchip_MPP_Library {
   meta:
      id = "8d3c1c8e-2b7e-4d3f-a0a4-5d6a3e1c9b22"
      description = "Rockchip Media Process Platform SDK (librockchip_mpp) with its version API (get_mpp_version/show_mpp_version)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/rockchip-linux/mpp"
      layer = "sdk"
      entity = "rockchip"
      weight = "strong"
   strings:
      $x1 = "librockchip_mpp.so"
      $s1 = "get_mpp_version"
      $s2 = "show_mpp_version"
      $s3 = "mpp_buffer_group_get"
      $s4 = "MPP_OSAL_CMD_BASE"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*)
}

rule SDK_Allwinner_AW_MPI_Library {
   meta:
      id = "c1a7e0f4-3e5b-4b0e-9a3f-7e2d4c6b8a33"
      description = "Allwinner eyesee-mpp media SDK (libmedia_mpp.so): AW_MPI_SYS_* with at least two other AW_MPI_ families"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/allwinner-osdrv-v85x"
      layer = "sdk"
      entity = "allwinner"
      weight = "strong"
   strings:
      $x1 = "AW_MPI_SYS_Init"
      $s1 = "AW_MPI_VENC_"
      $s2 = "AW_MPI_VI_"
      $s3 = "AW_MPI_AI_"
      $s4 = "AW_MPI_VO_"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*)
}

rule SDK_Xiongmai_XM_MPI_Library {
   meta:
      id = "5b2e9d7a-1c4f-4e8b-b6a2-9f3e1d7c5a44"
      description = "Xiongmai XM5xx SoC SDK: libisp_XM5xx.so or two XM_MPI_* API families (ISP, SYS, VENC, VDA)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/xiongmai-osdrv-xm530"
      layer = "sdk"
      entity = "xiongmai"
      weight = "strong"
   strings:
      $x1 = /libisp_XM5[0-9]{2}/
      $s1 = "XM_MPI_ISP_"
      $s2 = "XM_MPI_VDA_"
      $s3 = "XM_MPI_SYS_"
      $s4 = "XM_MPI_VENC_"
   condition:
      uint32(0) == 0x464c457f and ($x1 and 1 of ($s*) or 2 of ($s*))
}

rule SDK_GrainMedia_GM_Library {
   meta:
      id = "e4d2b8c6-7a1f-4c3e-8d5b-2a9f6e3c1b55"
      description = "Grain Media gm_lib SDK (libgm.so): gmlib.cfg / 'gmlib not init' with the pif_* graph API"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/grainmedia-osdrv-gm8136"
      layer = "sdk"
      entity = "grain-media"
      weight = "strong"
   strings:
      $x1 = "gmlib.cfg"
      $x2 = "gmlib not init"
      $s1 = "pif_set_"
      $s2 = "pif_get_"
      $s3 = "gmlib_version"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 2 of ($s*)
}

rule SDK_GrainMedia_Videograph_Kernel_Module {
   meta:
      id = "a9c3e5f7-2b4d-4e6f-8a1c-3d5e7f9b2c66"
      description = "Grain Media videograph SDK kernel module: modinfo author 'Grain Media Corp.' with frammap/vg_ driver glue"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/grainmedia-osdrv-gm8136"
      layer = "sdk"
      entity = "grain-media"
      weight = "strong"
   strings:
      $x1 = "author=Grain Media"
      $s1 = "frammap"
      $s2 = "vg_info"
      $s3 = /_vg_(init|close)/
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*)
}

rule SDK_Ambarella_IAV_Driver {
   meta:
      id = "b7d1f3a5-4c6e-4a8b-9d2f-5e7a9c1d3b77"
      description = "Ambarella Linux SDK IAV driver: iav_* entry points with ambarella_vin_* and the SDK source tree or /proc/ambarella/"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/legacy/ambarella-osdrv-s3l"
      layer = "sdk"
      entity = "ambarella"
      weight = "strong"
   strings:
      $x1 = /[a-z0-9]{2,6}_linux_sdk\/ambarella\//
      $x2 = "/proc/ambarella/"
      $x3 = /AMBARELLA_CHIP=(S|H|CV|A)[0-9][A-Za-z0-9]{0,6}/
      $s1 = "iav_fetch_"
      $s2 = "ambarella_vin_"
      $s3 = "iav_dsp"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 2 of ($s*)
}

rule SDK_HiSilicon_MPP_Kernel_Module {
   meta:
      id = "c3e5a7b9-6d8f-4b1a-8c3e-7f9b1d3e5a88"
      description = "HiSilicon MPP SDK kernel module: modinfo version=Hi35xx_MPP_V... or '[MOD] Version: [Hi35xx_MPP_V...]' banner"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/hisilicon-osdrv-hi3516ev200"
      layer = "sdk"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1} MPP V{2}"
      version_regex = "(H[Ii]3[0-9]{3}[A-Z0-9]{0,8})_MPP_V([0-9.]+[0-9])"
   strings:
      $x1 = /version=Hi3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $x2 = /\] Version: \[Hi3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $x3 = /HI_VERSION=Hi3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $fp1 = "GK_API_"
      $fp2 = /gk7[0-9]{3}v[0-9]{3}_/
      $fp3 = "goke,"
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and 1 of ($x*) and not 1 of ($fp*)
}

rule SDK_Goke_MPP_Kernel_Module {
   meta:
      id = "d5f7b9c1-8e1a-4c3b-9d5f-9a1c3e5f7b99"
      description = "Goke MPP SDK kernel module: chip-named module depending on gk7xxxvNNN_base and bound to a goke, compatible"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/goke-osdrv-gk7205v200"
      layer = "sdk"
      entity = "goke"
      weight = "strong"
   strings:
      $x1 = /depends=gk7[0-9]{3}v[0-9]{3}_base/
      $s1 = /of:N\*T\*Cgoke,[a-z0-9_]{2,16}/
      $s2 = "license=Proprietary"
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*)
}

rule SDK_MStar_MI_Library {
   meta:
      id = "f9b1d3e5-3d5f-4a7b-9c9d-3e5a7b9d1f21"
      description = "MStar (pre-SigmaStar, Infinity) MI SDK library (libmi.so): MI_SYS/_MI_VI/_MI_VENC families with /proc/mstar/ nodes"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openipc.org/cameras/vendors/sigmastar"
      layer = "sdk"
      entity = "sigmastar"
      weight = "strong"
   strings:
      $x1 = "/proc/mstar/"
      $x2 = "/sys/class/mstar/"
      $s1 = "MI_SYS_"
      $s2 = "_MI_VI_"
      $s3 = "_MI_VENC_"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 2 of ($s*)
}

rule SDK_Sonix_SNX_Media_Library {
   meta:
      id = "c9fd80e4-4f36-4b9d-ae0c-d85d7b04523e"
      description = "Sonix SN986xx camera SDK middleware: libsnx_vc/libsnx_isp/libsnx_audio libraries or their snx_codec_/snx_isp_ API"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openipc.org/cameras/vendors/sonix"
      layer = "sdk"
      entity = "sonix"
      weight = "strong"
   strings:
      $x1 = /libsnx_(vc|isp|audio|rc)\.so/
      $x2 = "snx_vc_lib.c"
      $s1 = "snx_codec_init"
      $s2 = "snx_isp_init"
      $s3 = "snx_codec_set_"
      $s4 = "sonix audio ---"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}

rule SDK_Goke_GK710x_ADI_Application {
   meta:
      id = "ae807d05-d0ad-4ffb-b2cf-dab6728680fe"
      description = "Goke GK710x SDK (ADI layer) in an application: gadi_* API calls with the GOKE ADI banner or the goke SDK build tree"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openipc.org/cameras/vendors/goke"
      layer = "sdk"
      entity = "goke"
      weight = "strong"
   strings:
      $x1 = "GOKE ADI:"
      $x2 = /goke-[0-9]\.[0-9]\.[0-9]\/gk-ip0x\/sdk\//
      $s1 = /gadi_(vi|venc|sys|pda|isp|vout|audio)_[a-z_]{3,24}/
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and $s1
}

rule SDK_Novatek_Dashcam_Firmware_Build {
   meta:
      id = "8c62b424-b8f8-4035-9c56-860bb0af7d76"
      description = "Novatek NT966xx dashcam SDK (uITRON/eCos) firmware build configuration: -D_CHIP_NAME_=NT9xxxx with _BOARD_UITRON_ and _NVT_ build flags"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://openipc.org/cameras/vendors/novatek"
      layer = "sdk"
      entity = "novatek"
      weight = "strong"
      detail = "{1}"
      version_regex = "_CHIP_NAME_=(NT9[0-9]{4})"
   strings:
      $x1 = /-D_CHIP_NAME_=NT9[0-9]{4}/
      $s1 = "_BOARD_UITRON_"
      $s2 = /-D_NVT_[A-Z0-9_]{3,32}_/
   condition:
      $x1 and all of ($s*)
}
