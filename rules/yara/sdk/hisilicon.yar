/*
   HiSilicon MPP SDK (userspace API). The HI_MPI_* API is also shipped by Goke (libhi_mpi.so shim). Camera SDKs
   export capture/encode families (SYS, VI, VENC, VPSS); NVR/decoder SDKs (Hi3520D/Hi3531/Hi3536) export
   decode/output families (VDEC, VO) instead of VI/VENC, so both sets count.
*/

rule SDK_HiSilicon_MPP_Library {
   meta:
      id = "b0d57688-0f1c-4c6c-a4fe-ce029b14ac03"
      description = "HiSilicon MPP SDK library: HI_MPI_* exports (camera or NVR families) with the HI_VERSION=<chip>_MPP_V<version> build string"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/hisilicon-osdrv-hi3516cv300"
      layer = "sdk"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1} MPP V{2}"
      version_regex = "HI_VERSION=(Hi[0-9A-Z]+)_MPP_V([0-9.]+)"
   strings:
      $x1 = /HI_VERSION=Hi3[0-9]{3}[A-Z0-9]{0,8}_MPP_V[0-9.]{3,16}/
      $s1 = "HI_MPI_SYS_"
      $s2 = "HI_MPI_VI_"
      $s3 = "HI_MPI_VENC_"
      $s4 = "HI_MPI_VPSS_"
      $s5 = "HI_MPI_VDEC_"
      $s6 = "HI_MPI_VO_"
      $fp1 = "GK_API_"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*) and not 1 of ($fp*)
}

rule SDK_HiSilicon_MPI_API {
   meta:
      id = "79e8f1d3-9a20-4cce-b25e-9488256c86c1"
      description = "HiSilicon-style MPP API names (HI_MPI_*, ss_mpi_*, ot_mpi_*; camera or NVR families) without a chip string: HiSilicon SDK or a Goke compatibility shim"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/goke-osdrv-gk7205v200"
      layer = "sdk"
      entity = "hisilicon"
      weight = "medium"
   strings:
      $s1 = "HI_MPI_SYS_"
      $s2 = "HI_MPI_VI_"
      $s3 = "HI_MPI_VENC_"
      $s4 = "HI_MPI_VPSS_"
      $s5 = "ss_mpi_sys_"
      $s6 = "ot_mpi_sys_"
      $s7 = "ss_mpi_venc_"
      $s8 = "ot_mpi_venc_"
      $s9 = "HI_MPI_VDEC_"
      $s10 = "HI_MPI_VO_"
      $fp1 = "arm-anykav200"
      $fp2 = /libak(media|streamenc|audiocodec)/
   condition:
      uint32(0) == 0x464c457f and 2 of ($s*) and not 1 of ($fp*)
}
