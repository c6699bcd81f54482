/* Allwinner SoCs (V85x camera parts): the AW MPP media library. */

rule SOC_Allwinner_AW_MPI_Library {
   meta:
      id = "6b38cfcd-ece4-4fe7-9377-99104d15c893"
      description = "Allwinner media MPP library (libmedia_mpp.so) exporting AW_MPI_* with sunxi device paths"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/allwinner-osdrv-v85x"
      layer = "soc"
      entity = "allwinner"
      weight = "strong"
   strings:
      $x1 = "AW_MPI_SYS_"
      $s1 = "AW_MPI_VENC_"
      $s2 = "AW_MPI_VI_"
      $s3 = "AW_MPI_AI_"
      $s4 = "sunxi"
      $s5 = "libmedia_mpp"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*)
}
