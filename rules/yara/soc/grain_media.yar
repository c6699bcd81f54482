/* Grain Media GM81xx IP-camera SoCs: gm_lib and videograph drivers. */

rule SOC_GrainMedia_GM_Library {
   meta:
      id = "6811ccd8-c55c-4d94-bb16-88c14076dddb"
      description = "Grain Media gm_lib (libgm.so): gmlib.cfg, pif_* graph API and /dev/vpd videograph nodes"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/grainmedia-osdrv-gm8136"
      layer = "soc"
      entity = "grain-media"
      weight = "strong"
   strings:
      $x1 = "gmlib.cfg"
      $x2 = "gm_lib:"
      $x3 = "frammap"
      $s1 = "pif_version"
      $s2 = "/dev/vpd"
      $s3 = "/dev/log_vg"
      $s4 = "gmlib_version"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 2 of ($s*)
}
