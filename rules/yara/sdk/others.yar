/* SoC-vendor SDK versions for Ingenic, SigmaStar and Novatek. */

rule SDK_Ingenic_IMP_SDK {
   meta:
      id = "3e8f5518-f9ab-487f-9787-0726d814276c"
      description = "Ingenic IMP SDK: IMP_System_GetVersion with its version banner format ('%s SDK Version:%s-%s built:', 'IMP-%s') or a literal IMP-<version> string"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/ingenic-osdrv-t31"
      layer = "sdk"
      entity = "ingenic"
      weight = "strong"
      detail = "IMP-{1}"
      version_regex = "IMP-([0-9]{1,2}[.][0-9]{1,2}[.][0-9]{1,3})"
   strings:
      $x1 = "IMP_System_GetVersion"
      $s1 = "SDK Version:%s-%s built:"
      $s2 = "IMP-%s"
      $s3 = /IMP-[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}/
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule SDK_SigmaStar_MI_SDK {
   meta:
      id = "4bc2fa53-4892-4388-859d-2987064cb52d"
      description = "SigmaStar MI SDK library or kernel module version banner ('Sigmastar Module [mi_xxx ]version: project_commit.. sdk_commit..')"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/sigmastar-osdrv-infinity6e"
      layer = "sdk"
      entity = "sigmastar"
      weight = "strong"
      detail = "sdk_commit {1}"
      version_regex = "sdk_commit[.]([0-9a-f]{7,40})"
   strings:
      $x1 = /Sigmastar Module (mi_[a-z0-9_]{2,16} )?version: project_commit\.[0-9a-f]{7,40} sdk_commit\.[0-9a-f]{7,40}/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule SDK_Novatek_HDAL_SDK {
   meta:
      id = "4754d6b8-7b84-4e11-bf05-6fcd859f3f43"
      description = "Novatek HDAL SDK version banner ('HDAL_VERSION: %08X' / 'HDAL: Version: v%x.%x.%x')"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/novatek-osdrv-nt9856x"
      layer = "sdk"
      entity = "novatek"
      weight = "strong"
   strings:
      $x1 = "HDAL_VERSION: %08X"
      $x2 = "HDAL: Version: v%x"
      $s1 = "hd_common_"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and $s1
}
