/* SigmaStar (ex-MStar) IP-camera SoCs: the MI SDK ("alkaid") libraries and kernel modules. */

rule SOC_SigmaStar_MI_Module {
   meta:
      id = "476669ac-8046-4d69-b6ed-3231f26011de"
      description = "SigmaStar MI SDK library or kernel module (sstar_mi_so_version_string, 'Sigmastar Module mi_* version:')"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/sigmastar-osdrv-infinity6e"
      layer = "soc"
      entity = "sigmastar"
      weight = "strong"
   strings:
      $x1 = "sstar_mi_so_version_string"
      $x2 = /Sigmastar Module mi_[a-z0-9_]{2,16} version: /
      $s1 = "MI_SYS_"
      $s2 = "SSTAR_"
      $s3 = "mhal_"
   condition:
      uint32(0) == 0x464c457f and (1 of ($x*) or $s1 and 2 of ($s*))
}

rule SOC_SigmaStar_MHAL_Kernel_Module {
   meta:
      id = "ed85b04f-cf51-40a3-8661-20b31e2dda1d"
      description = "SigmaStar/MStar mhal.ko hardware-abstraction kernel module"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/sigmastar"
      layer = "soc"
      entity = "sigmastar"
      weight = "medium"
   strings:
      $x1 = /\x00mhal\x00/
      $s1 = "MHal_"
      $s2 = /@(sigmastar|mstarsemi)\.com/
   condition:
      uint32(0) == 0x464c457f and uint16(16) == 1 and $x1 and 1 of ($s*)
}
