/* Rockchip SoCs (RV11xx camera parts and others): the MPP media library. */

rule SOC_Rockchip_MPP_Library {
   meta:
      id = "5360bd43-6838-4b94-baef-ed3c02421ce1"
      description = "Rockchip Media Process Platform library (librockchip_mpp) with mpp_* API and RK_ types"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/rockchip-osdrv-rv11xx"
      layer = "soc"
      entity = "rockchip"
      weight = "strong"
   strings:
      $x1 = "librockchip_mpp.so"
      $s1 = "mpp_frame_get_"
      $s2 = "mpp_buffer_group_get"
      $s3 = "get_mpp_version"
      $s4 = "mpp_packet_"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*)
}
