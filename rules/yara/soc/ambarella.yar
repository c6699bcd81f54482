/* Ambarella camera SoCs: the IAV (image/audio/video) driver. */

rule SOC_Ambarella_IAV_Driver {
   meta:
      id = "be943e62-f6c0-43b0-b27d-a061462b649e"
      description = "Ambarella IAV kernel driver or SDK naming its chip (AMBARELLA_CHIP=S3L, /proc/ambarella/)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/legacy/ambarella-osdrv-s3l"
      layer = "soc"
      entity = "ambarella"
      weight = "strong"
      detail = "{1}"
      version_regex = "AMBARELLA_CHIP=([A-Z]{1,2}[0-9][A-Za-z0-9]{0,6})"
   strings:
      $x1 = /AMBARELLA_CHIP=(S|H|CV|A)[0-9][A-Za-z0-9]{0,6}/
      $x2 = "/proc/ambarella/"
      $s1 = /iav_[a-z]{3,16}/
      $s2 = "ambarella_"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}
