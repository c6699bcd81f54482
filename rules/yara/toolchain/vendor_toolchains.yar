/*
   SoC-vendor cross toolchains, recognised by their GCC banner (.comment) or target triple left in
   debug info / paths. The same facts are also read from parsed `.comment` sections (rules/data/fact_rules.yaml).
*/

rule TOOLCHAIN_HiSilicon_GCC {
   meta:
      id = "52516454-aa16-4d9e-84ca-1eb9a26ce304"
      description = "HiSilicon SDK GCC: 'GCC: (Hisilicon_vNNN...)' banner or arm-hisivNNN/arm-himixNNN target triple"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/hisilicon-osdrv-hi3516cv300"
      layer = "toolchain"
      entity = "hisilicon"
      weight = "strong"
      detail = "{1}"
      version_regex = "(Hisilicon_v[0-9]{3}|arm-hisiv[0-9]{3}|arm-himix[0-9]{3})"
   strings:
      $x1 = /GCC: \(Hisilicon_v[0-9]{3}[_0-9]*\)/
      $x2 = /arm-hisiv[0-9]{3}-linux/
      $x3 = /arm-himix[0-9]{3}-linux/
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*)
}

rule TOOLCHAIN_HiSilicon_HCC_GCC {
   meta:
      id = "e9169bcf-19f2-4dc5-a2a3-85a277344923"
      description = "Huawei HC&C compiler banner used by HiSilicon SDKs ('GCC: (HC&C V1R3C00SPC200B005_20190606) 6.3.0')"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/hisilicon-osdrv-hi3516ev200"
      layer = "toolchain"
      entity = "hisilicon"
      weight = "medium"
      detail = "HC&C {1}"
      version_regex = "HC&C (V[0-9]+R[0-9]+C[0-9A-Z]+)"
   strings:
      $x1 = /GCC: \(HC&C V[0-9]+R[0-9]+C[0-9A-Z]+/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule TOOLCHAIN_Ingenic_GCC {
   meta:
      id = "b9642a42-79f3-4bbd-a177-c210dd6144e2"
      description = "Ingenic MIPS GCC banner ('GCC: (Ingenic r3.3.0-gcc540 2018.04-11) 5.4.0')"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/ingenic-osdrv-t31"
      layer = "toolchain"
      entity = "ingenic"
      weight = "strong"
      detail = "Ingenic {1}"
      version_regex = "Ingenic (r[0-9.]+-gcc[0-9]+)"
   strings:
      $x1 = /GCC: \(Ingenic r[0-9.]{3,8}-gcc[0-9]{3}/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule TOOLCHAIN_Fullhan_GCC {
   meta:
      id = "426838c2-0642-4859-927a-b31aa033acf4"
      description = "Fullhan cross toolchain target triple (arm-fullhanv2/v3-linux-uclibcgnueabi) in paths or debug info"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/fullhan-osdrv-fh8852v100"
      layer = "toolchain"
      entity = "fullhan"
      weight = "strong"
      detail = "{1}"
      version_regex = "(arm-fullhanv[0-9]-linux-[a-z]+)"
   strings:
      $x1 = /arm-fullhanv[0-9]-linux-[a-z]{3,16}/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule TOOLCHAIN_Goke_GCC {
   meta:
      id = "2aed93f9-61e4-4e0a-b0a6-a7589e98c1f4"
      description = "Goke cross toolchain target triple (arm-goke-linux-*) in paths, banners or debug info"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/goke"
      layer = "toolchain"
      entity = "goke"
      weight = "strong"
   strings:
      $x1 = /arm-goke-linux-[a-z]{3,16}/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule TOOLCHAIN_Anyka_GCC {
   meta:
      id = "d68ec779-3522-4c40-8fe6-cded0abb21cb"
      description = "Anyka cross toolchain target triple (arm-anykav200-linux-uclibcgnueabi)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/anyka"
      layer = "toolchain"
      entity = "anyka"
      weight = "strong"
   strings:
      $x1 = /arm-anykav[0-9]{3}-linux-[a-z]{3,16}/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule TOOLCHAIN_SigmaStar_GCC {
   meta:
      id = "eb0886a2-73b8-47df-b987-5a4d5e3ebb92"
      description = "SigmaStar cross toolchain name (gcc-sigmastar-9.1.0 / arm-sigmastar-linux-*)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/sigmastar"
      layer = "toolchain"
      entity = "sigmastar"
      weight = "medium"
   strings:
      $x1 = /gcc-sigmastar-[0-9]\.[0-9]/
      $x2 = /arm-sigmastar-linux-[a-z]{3,16}/
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*)
}

rule TOOLCHAIN_Novatek_GCC {
   meta:
      id = "69248155-ab52-49df-92b7-6949cb3f45d0"
      description = "Novatek Cortex-A9 cross toolchain triple (arm-ca9-linux-uclibcgnueabihf / arm-ca9-linux-gnueabihf)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/OpenIPC/firmware/tree/master/general/package/novatek-osdrv-nt9856x"
      layer = "toolchain"
      entity = "novatek"
      weight = "medium"
      detail = "{1}"
      version_regex = "(arm-ca9-linux-(uclibc)?gnueabihf)"
   strings:
      $x1 = /arm-ca9-linux-(uclibc)?gnueabihf/
   condition:
      uint32(0) == 0x464c457f and $x1
}
