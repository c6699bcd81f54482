/* Shanghai Fullhan (FH8xxx) IP-camera SoCs. */

rule SOC_Fullhan_SDK_Binary {
   meta:
      id = "d07f436b-06cc-4134-b064-5aab22fdfebd"
      description = "Fullhan SDK binary: arm-fullhanvN toolchain paths with FH_ API types / ispcore, or modinfo author=FULLHAN"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/fullhan-osdrv-fh8852v100"
      layer = "soc"
      entity = "fullhan"
      weight = "strong"
   strings:
      $x1 = "author=FULLHAN" nocase
      $x2 = /arm-fullhanv[0-9]-linux/
      $s1 = "FH_UINT32"
      $s2 = "[ispcore] version:"
      $s3 = "libdsp.so"
      $s4 = /FH_(SYS|VPSS|VENC|ISP|VB|AC)_[A-Z][A-Za-z]{2,32}/
   condition:
      uint32(0) == 0x464c457f and ($x1 or $x2 and 1 of ($s*) or 3 of ($s*))
}
