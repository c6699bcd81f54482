/* Anyka (AK37xx/AK39xx) IP-camera SoCs. */

rule SOC_Anyka_Platform_Library {
   meta:
      id = "29dae6ac-4dfc-467a-ab82-e9aafe7222a0"
      description = "Anyka platform SDK: libplat_*.so with ak_* API, or the arm-anykav200 toolchain"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/anyka"
      layer = "soc"
      entity = "anyka"
      weight = "strong"
   strings:
      $x1 = /libplat_(common|vi|venc|vpss|ai|ao|thread|log|osal)\.so/
      $x2 = /arm-anykav[0-9]{3}-linux/
      $s1 = "ak_vi_open"
      $s2 = "ak_venc_open"
      $s3 = "ak_thread_"
      $s4 = "anyka_ipc"
      $s5 = /ak_(vi|venc|ai|ao|vpss)_[a-z_]{3,24}/
   condition:
      uint32(0) == 0x464c457f and (1 of ($x*) and 1 of ($s*) or 3 of ($s*))
}
