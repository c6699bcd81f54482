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
