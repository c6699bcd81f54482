/*
   ODM / platform authors of camera and DVR firmware, recognised by their application, update and
   configuration layout. Most of these are scripts or configs as often as ELF files: no ELF check.
*/

rule ODM_Xiongmai_Sofia_Platform {
   meta:
      id = "85001757-0f69-41dc-b8db-a378d1810c4b"
      description = "Xiongmai (XMEye) platform: XM-only markers (/mnt/custom/ProductDefinition, dvrHelper, macGuarder, /proc/xm/, IsXMJingpin) or two XM helper names (xmuart, xmauto, XmEnv, Sofia); /mnt/mtd/Config/Account1 and telnetctrl are shared with other vendors and only confirm"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://sec-consult.com/vulnerability-lab/advisory/multiple-vulnerabilities-in-xiongmai-camera-firmware/"
      layer = "odm"
      entity = "xiongmai"
      weight = "strong"
   strings:
      $x1 = "/mnt/custom/ProductDefinition"
      $x2 = "dvrHelper"
      $x3 = "macGuarder"
      $x4 = "/proc/xm/"
      $x5 = "IsXMJingpin"
      $s1 = "Sofia" fullword
      $s2 = "XmEnv"
      $s3 = "xmuart"
      $s4 = "xmauto"
      $s5 = "/mnt/mtd/Config/Account1"
      $s6 = "telnetctrl"
   condition:
      filesize < 64MB and (2 of ($x*) or 1 of ($x*) and 1 of ($s*) or 2 of ($s1, $s2, $s3, $s4))
}

rule ODM_Hikvision_Davinci_Platform {
   meta:
      id = "52580aea-0ff3-4f4a-b928-6bdac891894a"
      description = "Hikvision platform: digicap.dav update, HKVS prompt or psh shell, with davinci/hicore, ISAPI/SDK endpoints or SADP (37020); ISAPI alone is a protocol other vendors speak; medium until a real file of ../shared/corpus confirms it (strong needs a real positive)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.hikvision.com/en/support/cybersecurity/security-advisory/"
      layer = "odm"
      entity = "hikvision"
      weight = "medium"
   strings:
      $x1 = "digicap.dav"
      $x2 = "HKVS #"
      $x3 = "/bin/psh"
      $s1 = "hicore" fullword
      $s2 = "davinci" fullword
      $s3 = "/ISAPI/System/"
      $s4 = "/SDK/" fullword
      $s5 = "SADP" fullword
      $s6 = "37020" fullword
   condition:
      filesize < 64MB and (2 of ($x*) or 1 of ($x*) and 2 of ($s*))
}

rule ODM_Dahua_Sonia_Platform {
   meta:
      id = "cfbe99d8-7c7b-4304-ab3f-7aa344d380b8"
      description = "Dahua platform: Dahua-only boot and kernel interfaces (dh_keyboard boot parameter, /proc/dahua/, jenkins-IPC_DHx build tags, DH_PAL_ API) or the sonia application with dhboot/Install.lua; never the shared /mnt/mtd/Config path, the DVRIP protocol name or a 'DAHUA' protocol entry"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/mcw0/PoC/blob/master/Dahua-3DES-IMOU-PoC.py"
      layer = "odm"
      entity = "dahua"
      weight = "strong"
   strings:
      $x1 = "dh_keyboard"
      $x2 = "/proc/dahua/"
      $x3 = /jenkins-IPC_DH[0-9]\.[0-9A-Z]{2,8}_/
      $x4 = "DH_PAL_"
      $s1 = "sonia" fullword
      $s2 = "dhboot"
      $s3 = "Install.lua"
   condition:
      filesize < 64MB and (1 of ($x*) or $s1 and 1 of ($s2, $s3))
}

rule ODM_Anyka_Reference_IPC_Application {
   meta:
      id = "f7a2291f-ad91-40df-b91f-d244eeceb827"
      description = "Anyka reference camera application (anyka_ipc) built on the Anyka platform libraries"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/anyka"
      layer = "odm"
      entity = "anyka"
      weight = "medium"
   strings:
      $x1 = "anyka_ipc"
      $s1 = /libplat_[a-z]{2,8}\.so/
      $s2 = /ak_(vi|venc|ai|ao)_[a-z_]{3,24}/
   condition:
      filesize < 64MB and $x1 and 1 of ($s*)
}

rule ODM_Reolink_Baichuan_Platform {
   meta:
      id = "8fb9aa63-4f13-4dda-a9ee-c772cdc73d52"
      description = "Reolink platform: Baichuan (BC) protocol stack with Reolink cloud/update endpoints"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/thirtythreeforty/neolink"
      layer = "odm"
      entity = "reolink"
      weight = "medium"
   strings:
      $x1 = "reolink.com" nocase
      $s1 = "baichuan" nocase
      $s2 = "BcUdp"
      $s3 = "/mnt/app/"
   condition:
      filesize < 64MB and $x1 and 1 of ($s*)
}

rule ODM_TP_Link_TDDP_Platform {
   meta:
      id = "60259970-5d43-4ae9-b66d-5878249f4850"
      description = "TP-Link platform: TDDP debug protocol daemon with TP-LINK copyright or tplinkcloud endpoints"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.coresecurity.com/core-labs/articles/story-about-tp-link-device-debug-protocol-tddp-research"
      layer = "odm"
      entity = "tp-link"
      weight = "medium"
   strings:
      $x1 = "tddp" fullword
      $s1 = "TP-LINK Technologies" nocase
      $s2 = "tplinkcloud.com"
      $s3 = "TP-LINK" fullword
   condition:
      filesize < 64MB and $x1 and 1 of ($s*)
}
