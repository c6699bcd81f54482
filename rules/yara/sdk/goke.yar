rule SDK_Goke_MPP_Library {
   meta:
      id = "bd16c7d5-603b-4c20-b188-9fabc475be6e"
      description = "Goke MPP SDK (HiSilicon-derived): GK_API_* exports with the VERSION=MPP_V<version> build string"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/goke-osdrv-gk7205v200"
      layer = "sdk"
      entity = "goke"
      weight = "strong"
      detail = "MPP V{1}"
      version_regex = "VERSION=MPP_V([0-9.]+)"
   strings:
      $x1 = /[^A-Za-z0-9_]VERSION=MPP_V[0-9.]{3,16}/
      $s1 = "GK_API_SYS_"
      $s2 = "GK_API_VI_"
      $s3 = "GK_API_VENC_"
   condition:
      uint32(0) == 0x464c457f and $x1 and 2 of ($s*)
}
