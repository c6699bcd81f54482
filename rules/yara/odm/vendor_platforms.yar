/*
   Router, modem and ONT platform makers (ODM layer) by the code only they ship: vendor-private /proc nodes,
   source paths and handlers of their own daemons, copyright lines in their own binaries. Names another stack
   carries for compatibility (TR-069 or OMCI entries named after a vendor, HNAP's purenetworks.com schema,
   USB-modem quirk tables, DSLAM interop strings) are never used here.
*/

rule ODM_Huawei_Home_Gateway_Platform {
   meta:
      id = "adccca6d-1398-4082-8761-dd372a4acbd3"
      description = "Huawei home gateway / ONT platform: Huawei copyright banner or HW_OSGI_ feature flags with the HW_DM_/HW_CLI_ device-management API"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.huawei.com/en/psirt"
      layer = "odm"
      entity = "huawei"
      weight = "strong"
   strings:
      $x1 = "Copyright by Huawei Technologies Co., Ltd."
      $x2 = "HW_OSGI_FT_"
      $s1 = /HW_DM_[A-Z][A-Za-z]{2,32}/
      $s2 = /HW_CLI_[A-Z][A-Za-z]{2,32}/
   condition:
      filesize < 64MB and 1 of ($x*) and 1 of ($s*)
}

rule ODM_ZTE_Gateway_Platform {
   meta:
      id = "90b19630-7ecd-4039-b6d0-e0a1ccf90399"
      description = "ZTE home gateway platform: /proc/zte/ nodes, the 'ZTE corp' web server banner, or ZTE's TR-069 home-gateway model with its X_ZTE-COM_ parameters (an OMCI ME named after ZTE in another vendor's ONT is not this)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.zte.com.cn/global/about/psirt"
      layer = "odm"
      entity = "zte"
      weight = "strong"
   strings:
      $x1 = "/proc/zte/"
      $x2 = /Mini web server [0-9.]{1,6} ZTE corp/
      $s1 = "TR069_ZTE_HOMEGATEWAY"
      $s2 = /X_ZTE-COM_[A-Z][A-Za-z]{2,32}/
   condition:
      filesize < 64MB and (1 of ($x*) or all of ($s*))
}

rule ODM_TP_Link_Copyright {
   meta:
      id = "909bfbe6-ec17-4da5-83b4-f4ff7a7fb67b"
      description = "TP-Link platform: 'Copyright(C) ... by TP-LINK TECHNOLOGIES CO., LTD.' in the firmware's own code, or TP-Link board/driver names (TPLINK APxxx Ethernet)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.tp-link.com/"
      layer = "odm"
      entity = "tp-link"
      weight = "strong"
   strings:
      $x1 = /Copyright ?\(C\) ?[0-9]{4}(-[0-9]{4})? by TP-LINK TECHNOLOGIES CO\., ?LTD/ nocase
      $x2 = /TPLINK AP[0-9]{2,4} Ethernet/
   condition:
      filesize < 64MB and 1 of them
}

rule ODM_DLink_Platform {
   meta:
      id = "757fb710-a353-4b99-aefc-82cb7bac17db"
      description = "D-Link platform: mydlink agent and web-UI integration (/htdocs/mydlink, mydlinkbin, 'mydlink ID', dlink_pkt_ agent protocol)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.dlink.com/en/security-bulletin"
      layer = "odm"
      entity = "d-link"
      weight = "strong"
   strings:
      $x1 = "/htdocs/mydlink"
      $x2 = "type=mydlinkbin"
      $x3 = "mydlink ID mis-match"
      $x4 = "dlink_pkt_"
   condition:
      filesize < 64MB and 1 of them
}

rule ODM_Netcore_Platform {
   meta:
      id = "88fe1747-9766-4b8c-8cfc-f28a41bc8ccf"
      description = "Netcore (netis) platform: Netcore's own CGI handlers, kernel fastpath banner, company name or web site in firmware"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.netcoretec.com/"
      layer = "odm"
      entity = "netcore"
      weight = "strong"
   strings:
      $x1 = "www.netcoretec.com"
      $x2 = "NETCORE fastpath"
      $x3 = "netcore_set_cgi"
      $x4 = "Netcore Technology"
   condition:
      filesize < 64MB and 1 of them
}

rule ODM_Tenda_Platform {
   meta:
      id = "76c2d977-4b64-4de1-bcf2-ef24e65a2456"
      description = "Tenda router platform: two of Tenda's own web handlers and factory services (TendaTelnet, Tenda_mfg, webs_Tenda_CGI_BIN_Handler, formTenda*)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.tendacn.com/"
      layer = "odm"
      entity = "tenda"
      weight = "strong"
   strings:
      $x1 = "TendaTelnet"
      $x2 = "Tenda_mfg"
      $x3 = "webs_Tenda_CGI_BIN_Handler"
      $x4 = /formTenda[A-Z][A-Za-z]{2,32}/
   condition:
      filesize < 64MB and 2 of them
}

rule ODM_Xiaomi_MiWiFi_Platform {
   meta:
      id = "517c5358-3277-4421-97f4-db3a6c50d01e"
      description = "Xiaomi MiWiFi router platform: miwifi packages and config (package/miwifi/, /etc/config/miwifi) with the miwifi.com service hosts"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.mi.com/"
      layer = "odm"
      entity = "xiaomi"
      weight = "strong"
   strings:
      $x1 = "package/miwifi/"
      $x2 = "/etc/config/miwifi"
      $s1 = "api.miwifi.com"
      $s2 = "broker.miwifi.com"
   condition:
      filesize < 64MB and 1 of ($x*) and 1 of ($s*)
}

rule ODM_Delta_Networks_Driver {
   meta:
      id = "4c94242c-bfcf-4d15-ae06-1ec62a7d6198"
      description = "Delta Networks (DNI) platform code: kernel module licensed 'DNI' with dni_* driver entry points (NETGEAR's ODM)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://en.wikipedia.org/wiki/Delta_Electronics"
      layer = "odm"
      entity = "delta-networks"
      weight = "strong"
   strings:
      $x1 = "license=DNI"
      $s1 = /dni_[a-z]{2,12}_[a-z_]{3,24}/
   condition:
      uint32(0) == 0x464c457f and $x1 and $s1
}

rule ODM_ZyXEL_Platform {
   meta:
      id = "1801c334-1d7a-4311-aedf-bdcb8dcfe3ed"
      description = "ZyXEL platform code: ZyXEL-formatted identity strings of its own managers (ZyXEL%s, ZyXELAP); the ZyNOS copyright line inside a licensee's image is not this"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.zyxel.com/"
      layer = "odm"
      entity = "zyxel"
      weight = "strong"
   strings:
      $x1 = "ZyXEL%s"
      $x2 = "ZyXELAP"
   condition:
      uint32(0) == 0x464c457f and all of them
}

rule ODM_Linksys_Platform {
   meta:
      id = "f61fa294-958f-4ebf-856b-eed7f3c38517"
      description = "Linksys platform: JNAP action namespace (linksys.com/jnap/) or Linksys HNAP extensions and firmware-version handlers"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.linksys.com/"
      layer = "odm"
      entity = "linksys"
      weight = "strong"
   strings:
      $x1 = "linksys.com/jnap/"
      $x2 = "linksys.com/HNAPExt/"
      $x3 = "get_linksys_firmware_version"
   condition:
      filesize < 64MB and 1 of them
}

rule ODM_Arcadyan_Platform {
   meta:
      id = "d2c4cc57-fe67-4c4c-a111-64e15cf76636"
      description = "Arcadyan platform boot loader or image: 'Arcadyan image detected' / ARCADYAN identity"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://en.wikipedia.org/wiki/Arcadyan_Technology"
      layer = "odm"
      entity = "arcadyan"
      weight = "strong"
   strings:
      $x1 = "Arcadyan image detected"
      $s1 = "ARCADYAN" fullword
   condition:
      filesize < 64MB and $x1 and $s1
}

rule ODM_Foscam_Platform {
   meta:
      id = "0c8d49a6-8ca6-4aeb-91b9-87b6c7a603ff"
      description = "Foscam camera platform: Foscam's own paths, agents and boot banner (Foscam(R), /etc/foscam/, 'foscam pwd', software3@foscam.com) or two Foscam service names"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.foscam.com/"
      layer = "odm"
      entity = "foscam"
      weight = "strong"
   strings:
      $x1 = "Foscam(R)"
      $x2 = "/etc/foscam/"
      $x3 = "foscam pwd is"
      $x4 = "software3@foscam.com"
      $s1 = "myfoscam.com"
      $s2 = "myfoscam.org"
      $s3 = "Foscam ipcam"
   condition:
      filesize < 64MB and (1 of ($x*) or 2 of ($s*))
}

rule ODM_Yi_Camera_Platform {
   meta:
      id = "c2e97e89-30f5-4024-b54c-480ee556dd5b"
      description = "YI Technology camera platform: Xiaoyi build tags and accounts (@XIAOYI, xiaoyiuser, libYiHm) with xiaoyi.com services"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://en.wikipedia.org/wiki/YI_Technology"
      layer = "odm"
      entity = "yi"
      weight = "strong"
   strings:
      $x1 = "@XIAOYI"
      $x2 = "xiaoyiuser"
      $x3 = "libYiHm"
      $s1 = "xiaoyi.com"
   condition:
      filesize < 64MB and 1 of ($x*) and $s1
}

rule ODM_Hikvision_Access_Control_Firmware {
   meta:
      id = "96d9ec95-a6db-480a-b297-49062d92c965"
      description = "Hikvision access-control MCU firmware: Hikvision's own protocol source path (tcp_hik_protocol.c) with its HIKVISION identity or ACS ability document"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.hikvision.com/en/products/Access-Control-Products/"
      layer = "odm"
      entity = "hikvision"
      weight = "strong"
   strings:
      $x1 = "tcp_hik_protocol.c"
      $s1 = "HIKVISION" fullword
      $s2 = "<AcsAbility"
   condition:
      filesize < 64MB and $x1 and 1 of ($s*)
}
