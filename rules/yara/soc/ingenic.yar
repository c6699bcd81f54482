/*
   Ingenic XBurst IP-camera SoCs (T10..T41): the IMP SDK library. libimp.so carries a table of every
   T-series chip name, so it gives no chip detail: that comes from the kernel codename (fact_rules.yaml).
*/

rule SOC_Ingenic_IMP_Library {
   meta:
      id = "851d4a7d-6d59-4d13-be3d-3a0147dc1803"
      description = "Ingenic IMP media SDK (libimp.so) exporting IMP_System_*/IMP_ISP_*/IMP_Encoder_* families"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/ingenic-osdrv-t31"
      layer = "soc"
      entity = "ingenic"
      weight = "strong"
   strings:
      $x1 = "IMP_System_GetVersion"
      $s1 = "IMP_ISP_Tuning_"
      $s2 = "IMP_Encoder_"
      $s3 = "IMP_FrameSource_"
      $s4 = "IMP_System_Bind"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*)
}
