/*
   HiSilicon (Huawei) IP-camera SoCs: MPP SDK version strings and chip-named kernel modules.
   HI_MPI_* exports alone are NOT SoC evidence: Goke ships libhi_mpi.so with the same API (see sdk/).
*/

rule SOC_HiSilicon_MPP_Version_String {
   meta:
      id = "bbc6fa60-0f84-453f-80df-ba6927b0e7c3"
      description = "HiSilicon MPP SDK build string naming the chip (HI_VERSION=Hi3516EV200_MPP_V..., [SYS] Version: [Hi35xx_MPP_V...], OT_VERSION=HI3516CV610_MPP_...)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/hisilicon-osdrv-hi3516ev200"
      layer = "soc"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1}"
      version_regex = "(H[Ii]3[0-9]{3}[A-Z0-9]{0,8})_MPP_V([0-9.]+)"
   strings:
      $x1 = /HI_VERSION=Hi3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $x2 = /\] Version: \[Hi3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $x3 = /OT_VERSION=HI3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $fp1 = "GK_API_"
      $fp2 = /gk7[0-9]{3}v[0-9]{3}_/
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and not 1 of ($fp*)
}

rule SOC_HiSilicon_Chip_Named_Kernel_Module {
   meta:
      id = "3cb6aa76-1757-4511-b8f1-8bed0409ecef"
      description = "HiSilicon MPP kernel module: chip-named module (hi3516ev200_sys) with hi35xx_/hisilicon,hisi- driver tables or hi_osal"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/hisilicon-osdrv-hi3516ev200"
      layer = "soc"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1}"
      version_regex = "(hi3[0-9]{3}[a-z]{0,2}v[0-9]{3})_"
   strings:
      $x1 = /\x00hi3[0-9]{3}[a-z]{0,2}v[0-9]{3}_[a-z0-9_]{2,24}\x00/
      $s1 = "hisilicon,hisi-"
      $s2 = /hi35xx_[a-z0-9_]{2,24}/
      $s3 = "hi_osal"
      $fp1 = "goke,"
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*) and not 1 of ($fp*)
}

rule SOC_HiSilicon_OT_Kernel_Module {
   meta:
      id = "a356f8f6-c700-4de1-b952-a3ba02290bd9"
      description = "HiSilicon 'OT' (open-tech) generation SDK kernel module (ot_osal, ot_*.ko with OT_VERSION/ot_mpi)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/hisilicon"
      layer = "soc"
      entity = "hisilicon"
      weight = "medium"
   strings:
      $x1 = "ot_osal"
      $s1 = /\x00ot_[a-z0-9]{2,12}_(init|exit|mod_init)\x00/
      $s2 = "OT_VERSION="
      $s3 = "ot_mpi_"
      $fp1 = "GK_API_"
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*) and not 1 of ($fp*)
}
