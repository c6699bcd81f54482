/*
   Xiongmai's own XM510/XM530/XM550 SoCs. Note: OpenIPC's xiongmai-osdrv-xm530 package also carries
   xm711.ko, a Montage Wi-Fi driver: no xm7xx pattern here.
*/

rule SOC_Xiongmai_XM_MPI_Library {
   meta:
      id = "da4afc54-5d98-42cc-be41-6c364b4c18de"
      description = "Xiongmai XM5xx SoC SDK: libisp_XM5xx.so / XM_MPI_ISP_* exports / xm5xx_*.ko"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/xiongmai-osdrv-xm530"
      layer = "soc"
      entity = "xiongmai"
      weight = "strong"
      detail = "{1}"
      version_regex = "(?i)(xm5[0-9]{2})"
   strings:
      $x1 = /libisp_XM5[0-9]{2}/
      $x2 = /\x00xm5[0-9]{2}_[a-z0-9_]{2,24}\x00/
      $s1 = "XM_MPI_ISP_"
      $s2 = "XM_MPI_VDA_"
      $s3 = "XM_MPI_SYS_"
      $s4 = "XM_MPI_VENC_"
   condition:
      uint32(0) == 0x464c457f and (1 of ($x*) or 2 of ($s*))
}
