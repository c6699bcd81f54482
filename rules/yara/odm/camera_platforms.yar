/*
   ODM / platform authors of camera and DVR firmware, recognised by their application, update and
   configuration layout. Most of these are scripts or configs as often as ELF files: no ELF check.
*/

rule ODM_Xiongmai_Sofia_Platform {
   meta:
      id = "85001757-0f69-41dc-b8db-a378d1810c4b"
      description = "Xiongmai (XMEye) platform: Sofia application with its /mnt/mtd/Config and /mnt/custom layout and helpers (dvrHelper, macGuarder, xmuart, telnetctrl)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://sec-consult.com/vulnerability-lab/advisory/multiple-vulnerabilities-in-xiongmai-camera-firmware/"
      layer = "odm"
      entity = "xiongmai"
      weight = "strong"
   strings:
      $x1 = "/mnt/mtd/Config/Account1"
      $x2 = "/mnt/custom/ProductDefinition"
      $x3 = "dvrHelper"
      $x4 = "macGuarder"
      $s1 = "Sofia" fullword
      $s2 = "XmEnv"
      $s3 = "xmuart"
      $s4 = "telnetctrl"
   condition:
      filesize < 64MB and (2 of ($x*) or 1 of ($x*) and 1 of ($s*) or 3 of ($s*))
}

rule ODM_Hikvision_Davinci_Platform {
   meta:
      id = "52580aea-0ff3-4f4a-b928-6bdac891894a"
      description = "Hikvision platform: davinci/hicore application, psh shell, digicap.dav update, ISAPI/SDK endpoints and SADP (37020)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.hikvision.com/en/support/cybersecurity/security-advisory/"
      layer = "odm"
      entity = "hikvision"
      weight = "strong"
   strings:
      $x1 = "digicap.dav"
      $x2 = "/ISAPI/System/"
      $x3 = "HKVS #"
      $s1 = "hicore" fullword
      $s2 = "davinci" fullword
      $s3 = "/bin/psh"
      $s4 = "/SDK/" fullword
      $s5 = "SADP" fullword
      $s6 = "37020" fullword
   condition:
      filesize < 64MB and (2 of ($x*) or 1 of ($x*) and 2 of ($s*))
}

rule ODM_Dahua_Sonia_Platform {
   meta:
      id = "cfbe99d8-7c7b-4304-ab3f-7aa344d380b8"
      description = "Dahua platform: sonia application, dhboot, Install.lua upgrade script, DVRIP service on 37777"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/mcw0/PoC/blob/master/Dahua-3DES-IMOU-PoC.py"
      layer = "odm"
      entity = "dahua"
      weight = "strong"
   strings:
      $x1 = "Install.lua"
      $x2 = "dhboot"
      $x3 = "DVRIP" fullword
      $s1 = "sonia" fullword
      $s2 = "37777" fullword
      $s3 = "/mnt/mtd/Config"
      $s4 = "dahua" nocase fullword
   condition:
      filesize < 64MB and (2 of ($x*) or 1 of ($x*) and 2 of ($s*))
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
