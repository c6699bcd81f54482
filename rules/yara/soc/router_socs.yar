/* Router SoC vendors at vendor level (no chip detail): MediaTek/Ralink, Broadcom, Qualcomm Atheros. */

rule SOC_MediaTek_Ralink_Driver {
   meta:
      id = "f82b122b-136f-4d50-92ec-cbb8c3226aa2"
      description = "MediaTek/Ralink router SoC SDK: ralink,/mediatek, device-tree compatibles with the Ralink/MTK driver names"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openwrt.org/docs/techref/targets/ramips"
      layer = "soc"
      entity = "mediatek"
      weight = "medium"
   strings:
      $x1 = /ralink,(rt|mt)[0-9]{4}[a-z0-9-]*/
      $x2 = /mediatek,mt76[0-9]{2}[a-z0-9-]*/
      $s1 = "rt2880"
      $s2 = "raeth"
      $s3 = /mt76[0-9]{2}/
      $s4 = "RALINK_"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}

rule SOC_Broadcom_Router_SDK {
   meta:
      id = "2663a9ce-18bf-4434-bb6f-096854842cda"
      description = "Broadcom router SoC SDK: libnvram/bcm_* with et/wl driver markers (BCM47xx/BCM63xx)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openwrt.org/docs/techref/hardware/soc/soc.broadcom.bcm47xx"
      layer = "soc"
      entity = "broadcom"
      weight = "medium"
   strings:
      $x1 = /brcm,bcm(47|63|68)[0-9]{2,3}/
      $x2 = /BCM(47|63|68)[0-9]{2,3}[A-Z0-9]{0,3}/
      $s1 = "nvram_get"
      $s2 = "wl_ioctl"
      $s3 = "et_ioctl"
      $s4 = "bcm_"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 2 of ($s*)
}

rule SOC_Qualcomm_Atheros_Router_SDK {
   meta:
      id = "5a9ea034-fa5d-4f5f-b0be-1f2292c3de79"
      description = "Qualcomm Atheros router SoC SDK: qca,/atheros, compatibles, ath79/ipq board names"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openwrt.org/docs/techref/targets/ath79"
      layer = "soc"
      entity = "qualcomm"
      weight = "medium"
   strings:
      $x1 = /qca,(ar|qca)[0-9]{4}[a-z0-9-]*/
      $x2 = /qcom,ipq[0-9]{4}[a-z0-9-]*/
      $s1 = "ath79"
      $s2 = "ATHEROS"
      $s3 = /(AR|QCA)9[0-9]{3}/
      $s4 = "ipq40xx"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}
