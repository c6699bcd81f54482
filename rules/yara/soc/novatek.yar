/* Novatek NT9xxxx IP-camera SoCs: HDAL SDK and kdrv kernel drivers. */

rule SOC_Novatek_HDAL_Library {
   meta:
      id = "36dd5133-55bc-468f-9c8d-e3fb906755c0"
      description = "Novatek HDAL SDK (libhdal.so): HDAL_VERSION, /dev/nvtmpp and hd_* API"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/novatek-osdrv-nt9856x"
      layer = "soc"
      entity = "novatek"
      weight = "strong"
   strings:
      $x1 = "HDAL_VERSION"
      $x2 = "/dev/nvtmpp"
      $s1 = "hd_videoproc_"
      $s2 = "hd_videoenc_"
      $s3 = "hd_common_mem_"
      $s4 = "/proc/hdal/"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 2 of ($s*)
}

rule SOC_Novatek_Kdrv_Kernel_Module {
   meta:
      id = "b9903c61-f4e4-43db-90f6-d0b21bcca6d3"
      description = "Novatek kdrv_* kernel driver (kdrv_videoenc, nvt_* device nodes)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/novatek"
      layer = "soc"
      entity = "novatek"
      weight = "medium"
   strings:
      $x1 = /\x00kdrv_[a-z0-9_]{3,24}\x00/
      $s1 = /nvt_[a-z0-9_]{3,24}/
      $s2 = "novatek," nocase
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*)
}
