/*
   Goke Microelectronics SoCs. The GK7205V200 family re-badges HiSilicon Hi3516EV200 parts; Goke SDKs
   rename HI_MPI_ to GK_API_ / MPI_ and ship a libhi_mpi.so compatibility shim.
*/

rule SOC_Goke_GK_API_Library {
   meta:
      id = "e9490fbc-860c-4c2e-bf60-029dac3c2e53"
      description = "Goke MPP userspace library (libgk_api.so) exporting the GK_API_* families"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/goke-osdrv-gk7205v200"
      layer = "soc"
      entity = "goke"
      weight = "strong"
   strings:
      $x1 = "GK_API_SYS_GetVersion"
      $s1 = "GK_API_VI_"
      $s2 = "GK_API_VENC_"
      $s3 = "GK_API_VPSS_"
      $s4 = "GK_API_SYS_"
      $s5 = "libgk_api.so"
   condition:
      uint32(0) == 0x464c457f and ($x1 or 3 of ($s*))
}

rule SOC_Goke_Chip_Named_Kernel_Module {
   meta:
      id = "68307751-fb4d-49c7-b589-0d212240b466"
      description = "Goke MPP kernel module named after its chip (gk7205v200_vi) with goke, device-tree compatibles"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/goke-osdrv-gk7205v200"
      layer = "soc"
      entity = "goke"
      weight = "strong"
      detail = "{1}"
      version_regex = "(gk7[0-9]{3}v[0-9]{3})_"
   strings:
      $x1 = /gk7[0-9]{3}v[0-9]{3}_[a-z0-9_]{2,24}/
      $s1 = "goke,"
      $s2 = /depends=gk7[0-9]{3}v[0-9]{3}_/
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*)
}

rule SOC_Goke_GK710x_ADI_Library {
   meta:
      id = "f47091e4-8a46-4abd-ac38-fb9b46dfe2fe"
      description = "Older Goke GK710x SDK: libadi.so with gadi_* API"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/goke"
      layer = "soc"
      entity = "goke"
      weight = "strong"
   strings:
      $x1 = "libadi.so"
      $s1 = "gadi_sys_init"
      $s2 = "gadi_vi_"
      $s3 = "gadi_venc_"
      $s4 = "gadi_isp_"
      $s5 = "gadi_sys_"
   condition:
      uint32(0) == 0x464c457f and ($x1 and 1 of ($s*) or 3 of ($s*))
}
