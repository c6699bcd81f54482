/*
   Cloud operators of routers and consumer cameras (device agents, update and relay services). Same convention
   as endpoints.yar: one endpoint of an operator is medium; a client is strong only with a second, independent
   marker in the same ELF (a second registered domain of the operator, or the agent's own protocol strings).
*/

rule CLOUD_Tuya_Multiple_Endpoints {
   meta:
      id = "21307b98-1fd0-4d23-874d-760de622da8c"
      description = "Tuya cloud client: two distinct Tuya regional domains (tuyacn.com, tuyaus.com, tuyaeu.com, tuyain.com) or one with the tuya.device.* cloud API, in one ELF"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://developer.tuya.com/en/docs/iot/oem-app-data-center-distributed"
      layer = "cloud"
      entity = "tuya"
      weight = "strong"
   strings:
      $x1 = "tuyacn.com" nocase fullword
      $x2 = "tuyaus.com" nocase fullword
      $x3 = "tuyaeu.com" nocase fullword
      $x4 = "tuyain.com" nocase fullword
      $s1 = /tuya\.device\.[a-z]{3,16}/
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and (2 of ($x*) or 1 of ($x*) and $s1)
}

rule CLOUD_Xiaomi_MiWiFi_Client {
   meta:
      id = "d494198a-2fc0-499c-8c0c-1a10b8940ca7"
      description = "Xiaomi MiWiFi router cloud agent: miwifi.com API/broker hosts with the agent's own miwifi service config, in one ELF"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.mi.com/"
      layer = "cloud"
      entity = "xiaomi"
      weight = "strong"
   strings:
      $x1 = "api.miwifi.com" nocase fullword
      $x2 = "broker.miwifi.com" nocase fullword
      $s1 = "miwifi.server."
      $s2 = "miwifi_service"
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 1 of ($x*) and 1 of ($s*)
}

rule CLOUD_Xiaomi_MiWiFi_Endpoint {
   meta:
      id = "275035a8-23b2-4cbf-bd47-1f8f62e0d67d"
      description = "Xiaomi MiWiFi cloud endpoints (miwifi.com)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.mi.com/"
      layer = "cloud"
      entity = "xiaomi"
      weight = "medium"
   strings:
      $x1 = "miwifi.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_DLink_Mydlink_Agent {
   meta:
      id = "1005be56-bea2-419f-a97c-1228769139c7"
      description = "D-Link mydlink cloud agent: mydlink.com service host with the agent's own protocol and account strings, in one ELF"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.mydlink.com/"
      layer = "cloud"
      entity = "d-link"
      weight = "strong"
   strings:
      $x1 = "mydlink.com" nocase fullword
      $s1 = "mydlink ID"
      $s2 = "dlink_pkt_"
      $s3 = "mydlink_server"
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and $x1 and 1 of ($s*)
}

rule CLOUD_DLink_Mydlink_Endpoint {
   meta:
      id = "d45594ba-5814-470a-bb17-430febf41d12"
      description = "D-Link mydlink cloud endpoints (mydlink.com)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.mydlink.com/"
      layer = "cloud"
      entity = "d-link"
      weight = "medium"
   strings:
      $x1 = "mydlink.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Netgear_Cloud_Endpoints {
   meta:
      id = "02593340-42d7-4a0b-9719-49cbdf20d006"
      description = "NETGEAR cloud/update client: NETGEAR firmware-update host and its dynamic-DNS/cloud domain (mynetgear.com), two registered domains in one ELF"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.netgear.com/"
      layer = "cloud"
      entity = "netgear"
      weight = "strong"
   strings:
      $x1 = "updates1.netgear.com" nocase
      $x2 = "mynetgear.com" nocase
      $x3 = "update1.netgear.com" nocase
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and $x2 and 1 of ($x1, $x3)
}

rule CLOUD_Netgear_Endpoint {
   meta:
      id = "3965ba3b-2234-4d90-8f73-561d00705b7e"
      description = "NETGEAR cloud/update endpoints (updates1.netgear.com, mynetgear.com)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.netgear.com/"
      layer = "cloud"
      entity = "netgear"
      weight = "medium"
   strings:
      $x1 = "updates1.netgear.com" nocase
      $x2 = "mynetgear.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Yi_Endpoint {
   meta:
      id = "e6a69a67-9237-466a-bb4b-0a36b55cc0ff"
      description = "YI Technology cloud endpoints (xiaoyi.com, xiaoyi.com.tw: api, log, p2p master and upload hosts)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://en.wikipedia.org/wiki/YI_Technology"
      layer = "cloud"
      entity = "yi"
      weight = "medium"
   strings:
      $x1 = "xiaoyi.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Yi_Multiple_Endpoints {
   meta:
      id = "3c61e5ea-ebdc-4a06-b01b-9d0dc7417075"
      description = "YI Technology cloud client: both registered YI cloud domains (xiaoyi.com and xiaoyi.com.tw) in one ELF"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://en.wikipedia.org/wiki/YI_Technology"
      layer = "cloud"
      entity = "yi"
      weight = "strong"
   strings:
      $x1 = /[a-z0-9.-]{0,40}xiaoyi\.com\.tw/ nocase
      $s1 = /[a-z0-9.-]{0,40}xiaoyi\.com[^.a-z0-9]/ nocase
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and $x1 and $s1
}

rule CLOUD_Foscam_Endpoint {
   meta:
      id = "29526671-6738-475e-b8cc-c9aec25b0611"
      description = "Foscam cloud / P2P / DDNS endpoints (myfoscam.com, myfoscam.org)"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.foscam.com/"
      layer = "cloud"
      entity = "foscam"
      weight = "medium"
   strings:
      $x1 = "myfoscam.com" nocase fullword
      $x2 = "myfoscam.org" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

/*
   Camera cloud and P2P operators without a corpus positive yet (Danale, Meari, Macro-Video V380, Jovision,
   Zmodo, Ulucu, Ring, eufy, Blink, Arlo, Ubiquiti, ASUS). One registered domain of the operator (or its device
   SDK's API prefix) in a file: medium, a hint on its own. Domains are `fullword` so that a longer word ending
   in the same letters (`monitoring.com`, `arabulucu.com`, `montecarlo.com`) does not count.
*/

rule CLOUD_Danale_Endpoint {
   meta:
      id = "60269e25-9502-4e6e-be0c-b799ae90eb23"
      description = "Danale cloud / P2P: the danale.com domain or the danavideo device SDK's lib_danavideo_* API names"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/helloworld-spec/qiwen"
      layer = "cloud"
      entity = "danale"
      weight = "medium"
   strings:
      $x1 = "danale.com" nocase fullword
      $x2 = "lib_danavideo_"
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Meari_CloudEdge_Endpoint {
   meta:
      id = "8bddb4b5-bc62-4f9f-9bf7-ae5a3d423855"
      description = "Meari (CloudEdge) cloud endpoints (mearicloud.com platform/openapi/events hosts, cloudedge360.com)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/sephamorr/Ha-CloudEdge-Meari"
      layer = "cloud"
      entity = "meari"
      weight = "medium"
   strings:
      $x1 = "mearicloud.com" nocase fullword
      $x2 = "cloudedge360.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_MacroVideo_V380_Endpoint {
   meta:
      id = "c7177453-c485-469a-bd73-6c9a1134089b"
      description = "Macro-Video V380 P2P endpoints (av380.net registration/relay hosts, <device-id>.nvdvr.net device names)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/Romaxa55/v380_cams_hack"
      layer = "cloud"
      entity = "macro-video"
      weight = "medium"
   strings:
      $x1 = "av380.net" nocase fullword
      $x2 = "nvdvr.net" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Jovision_CloudSEE_Endpoint {
   meta:
      id = "47057544-46a9-4374-9d9d-dc34603b35ab"
      description = "Jovision CloudSEE cloud endpoints (cloudsee.net)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/heisall/Cloudsee-android"
      layer = "cloud"
      entity = "jovision"
      weight = "medium"
   strings:
      $x1 = "cloudsee.net" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Zmodo_MeShare_Endpoint {
   meta:
      id = "20353afa-af7b-466d-a3b1-bebb1fae4d70"
      description = "Zmodo MeShare cloud endpoints (meshare.com app, stream and NTP hosts)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/iamdoubz/ha-zmodo"
      layer = "cloud"
      entity = "zmodo"
      weight = "medium"
   strings:
      $x1 = "meshare.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Ulucu_Endpoint {
   meta:
      id = "741f47d0-4ca4-48cb-983b-c85eef1ba06f"
      description = "Ulucu video cloud endpoints (ulucu.com)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://www.ulucu.com/"
      layer = "cloud"
      entity = "ulucu"
      weight = "medium"
   strings:
      $x1 = "ulucu.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Ring_Endpoint {
   meta:
      id = "be8d186e-214e-401b-a2e3-a9398ba3042a"
      description = "Ring cloud endpoints (ring.com: api.ring.com clients/devices API, oauth.ring.com)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/dgreif/ring"
      layer = "cloud"
      entity = "ring"
      weight = "medium"
   strings:
      $x1 = "ring.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Eufy_Endpoint {
   meta:
      id = "8f1f3c9d-93d5-4c07-aeb1-cff59d38f864"
      description = "eufy Security cloud endpoints (eufylife.com: mysecurity and security-app API hosts)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/FuzzyMistborn/python-eufy-security"
      layer = "cloud"
      entity = "eufy"
      weight = "medium"
   strings:
      $x1 = "eufylife.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Blink_Endpoint {
   meta:
      id = "359be89e-d1e8-4081-80d1-732f7df5eae4"
      description = "Blink (Immedia Semiconductor) cloud endpoints (immedia-semi.com REST hosts)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/fronzbot/blinkpy"
      layer = "cloud"
      entity = "blink"
      weight = "medium"
   strings:
      $x1 = "immedia-semi.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Arlo_Endpoint {
   meta:
      id = "ae82afbc-eb6f-459b-bc09-25daf3ce77a9"
      description = "Arlo cloud endpoints (arlo.com: my.arlo.com / myapi.arlo.com hmsweb API, ocapi-app.arlo.com auth)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/jeffreydwalter/arlo"
      layer = "cloud"
      entity = "arlo"
      weight = "medium"
   strings:
      $x1 = "arlo.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Ubiquiti_UniFi_Endpoint {
   meta:
      id = "76019c1a-dbc9-4041-99a1-f5a861f2725b"
      description = "Ubiquiti UniFi cloud / update endpoints (unifi.ui.com and api.ui.com Site Manager hosts, ubnt.com firmware-update API); bare ui.com is not used, it ends longer names such as material-ui.com"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://help.ui.com/hc/en-us/articles/30076656117655-Getting-Started-with-the-Official-UniFi-API"
      layer = "cloud"
      entity = "ubiquiti"
      weight = "medium"
   strings:
      $x1 = "unifi.ui.com" nocase fullword
      $x2 = "api.ui.com" nocase fullword
      $x3 = "ubnt.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_ASUS_Router_Endpoint {
   meta:
      id = "4bc3a507-97a4-414b-b437-a42157f0332d"
      description = "ASUS router cloud endpoints (asuscomm.com vendor DDNS, dlcdnets.asus.com LiveUpdate firmware/signature downloads)"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/RMerl/asuswrt-merlin"
      layer = "cloud"
      entity = "asus"
      weight = "medium"
   strings:
      $x1 = "asuscomm.com" nocase fullword
      $x2 = "dlcdnets.asus.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}
