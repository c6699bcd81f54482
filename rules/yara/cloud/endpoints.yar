/*
   Cloud and P2P relay services, by endpoint domains and SDK symbols. Kept consistent with
   rules/data/endpoints.yaml (tests/test_rules_meta.py checks every vendor-cloud/p2p-relay row is covered).
   One endpoint of an operator in a file is medium evidence (a hint on its own: a URL list, a help text or a
   blocklist names domains too). Two or more DISTINCT registered domains of one operator compiled into one
   ELF binary are a client of that service: a separate `_Multiple_Endpoints` rule at weight strong. Both rules
   firing on one file count once (one evidence kind per file), never as two independent pieces.
*/

rule CLOUD_Hikvision_HikConnect_Endpoint {
   meta:
      id = "d430c7c7-62dc-47f9-9f39-c1c33e8f8a10"
      description = "Hik-Connect cloud endpoints (hik-connect.com, hik-connect.co)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.hik-connect.com/"
      layer = "cloud"
      entity = "hik-connect"
      weight = "medium"
   strings:
      $x1 = "hik-connect.com" nocase fullword
      $x2 = "hik-connect.co" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Hikvision_HikConnect_Multiple_Endpoints {
   meta:
      id = "5696b915-09df-4489-8c53-a0e7d3402c55"
      description = "Hik-Connect device-cloud client: a Hik-Connect domain and the EZVIZ device-access domain it runs on (ys7.com), both in one ELF; medium until a real file of ../shared/corpus confirms it (strong needs a real positive)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://www.hik-connect.com/"
      layer = "cloud"
      entity = "hik-connect"
      weight = "medium"
   strings:
      $x1 = "hik-connect.com" nocase fullword
      $x2 = "hik-connect.co" nocase fullword
      $s1 = "ys7.com" nocase fullword
      $s2 = "ezvizlife.com" nocase fullword
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 1 of ($x*) and 1 of ($s*)
}

rule CLOUD_EZVIZ_Endpoint {
   meta:
      id = "210ad6f6-48c3-4bd6-86d9-69a50dea49da"
      description = "EZVIZ cloud endpoints (ezvizlife.com, ys7.com)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.ezvizlife.com/"
      layer = "cloud"
      entity = "ezviz"
      weight = "medium"
   strings:
      $x1 = "ezvizlife.com" nocase fullword
      $x2 = "ys7.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Dahua_P2P_Endpoint {
   meta:
      id = "5d0170a6-d5c9-4fe1-9b4d-ddd90c896062"
      description = "Dahua Easy4ip / P2P cloud endpoints (easy4ipcloud.com, easy4ip.com, dahuap2pcloud.com)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.easy4ip.com/"
      layer = "cloud"
      entity = "dahua"
      weight = "medium"
   strings:
      $x1 = "easy4ipcloud.com" nocase fullword
      $x2 = "easy4ip.com" nocase fullword
      $x3 = "dahuap2pcloud.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Dahua_P2P_Multiple_Endpoints {
   meta:
      id = "4d7e7662-726b-478f-9a77-7bc82275c9cb"
      description = "Dahua Easy4ip / P2P client: two or more distinct Dahua cloud domains (easy4ipcloud.com, easy4ip.com, dahuap2pcloud.com) in one ELF; medium until a real file of ../shared/corpus confirms it (strong needs a real positive)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://www.easy4ip.com/"
      layer = "cloud"
      entity = "dahua"
      weight = "medium"
   strings:
      $x1 = "easy4ipcloud.com" nocase fullword
      $x2 = "easy4ip.com" nocase fullword
      $x3 = "dahuap2pcloud.com" nocase fullword
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 2 of them
}

rule CLOUD_Imou_Endpoint {
   meta:
      id = "bc1d4375-c0b8-4613-8b0d-e9df1cbe1d7f"
      description = "Imou / Lechange cloud endpoints (imoulife.com, lechange.cn)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.imoulife.com/"
      layer = "cloud"
      entity = "imou"
      weight = "medium"
   strings:
      $x1 = "imoulife.com" nocase fullword
      $x2 = "lechange.cn" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_XMEye_Endpoint {
   meta:
      id = "0f483ff6-b9a8-47c9-b216-836ba912fedc"
      description = "XMEye (Xiongmai) cloud and P2P endpoints (secu100.net, xmeye.net, bcloud365.net, umeye.cn)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://sec-consult.com/vulnerability-lab/advisory/multiple-vulnerabilities-in-xiongmai-camera-firmware/"
      layer = "cloud"
      entity = "xmeye"
      weight = "medium"
   strings:
      $x1 = "secu100.net" nocase fullword
      $x2 = "xmeye.net" nocase fullword
      $x3 = "bcloud365.net" nocase fullword
      $x4 = "umeye.cn" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_XMEye_Multiple_Endpoints {
   meta:
      id = "a9642c2c-4b27-43e5-99d1-5a48cd60cad0"
      description = "XMEye (Xiongmai) cloud / P2P client: two or more distinct XMEye domains (secu100.net, xmeye.net, bcloud365.net, umeye.cn) in one ELF; medium until a real file of ../shared/corpus confirms it (strong needs a real positive)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://sec-consult.com/vulnerability-lab/advisory/multiple-vulnerabilities-in-xiongmai-camera-firmware/"
      layer = "cloud"
      entity = "xmeye"
      weight = "medium"
   strings:
      $x1 = "secu100.net" nocase fullword
      $x2 = "xmeye.net" nocase fullword
      $x3 = "bcloud365.net" nocase fullword
      $x4 = "umeye.cn" nocase fullword
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 2 of them
}

rule CLOUD_ThroughTek_Kalay_SDK {
   meta:
      id = "4893e092-cc1c-4e88-80a2-4e95d3b5c84a"
      description = "ThroughTek Kalay P2P SDK (libIOTCAPIs, IOTC_* API, iotcplatform.com / kalay.net.cn relays)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.cisa.gov/news-events/ics-advisories/icsa-21-229-01"
      layer = "cloud"
      entity = "throughtek"
      weight = "strong"
   strings:
      $x1 = "libIOTCAPIs.so"
      $x2 = "IOTC_Initialize"
      $x3 = "iotcplatform.com" nocase fullword
      $x4 = "kalay.net.cn" nocase fullword
      $s1 = "IOTC_Connect"
      $s2 = "avClientStart"
      $s3 = "IOTC_Session_"
   condition:
      filesize < 64MB and (1 of ($x*) and 1 of ($s*) or 2 of ($x*))
}

rule CLOUD_CS2_Network_PPPP_SDK {
   meta:
      id = "beb2970f-40aa-4a7f-9a24-10c58835e765"
      description = "CS2 Network / iLnkP2P PPPP SDK (libPPPP_API, PPPP_* API)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://hacked.camera/"
      layer = "cloud"
      entity = "cs2-network"
      weight = "strong"
   strings:
      $x1 = "libPPPP_API.so"
      $x2 = "PPPP_Initialize"
      $s1 = "PPPP_Connect"
      $s2 = "PPPP_Listen"
      $s3 = "PPPP_Read"
   condition:
      filesize < 64MB and 1 of ($x*) and 1 of ($s*)
}

rule CLOUD_Gwell_Yoosee_Endpoint {
   meta:
      id = "d43a2963-f4ec-41d0-9e79-fd10498c706c"
      description = "Gwell / Yoosee CloudLinks P2P endpoints (cloudlinks.cn)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.yoosee.co/"
      layer = "cloud"
      entity = "gwell"
      weight = "medium"
   strings:
      $x1 = "cloudlinks.cn" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Closeli_Endpoint {
   meta:
      id = "fb583dd5-946b-46cf-a503-6178e002a39d"
      description = "Closeli (ArcSoft) cloud endpoints (icloseli.cn, icloseli.com)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.closeli.com/"
      layer = "cloud"
      entity = "closeli"
      weight = "medium"
   strings:
      $x1 = "icloseli.cn" nocase fullword
      $x2 = "icloseli.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_ArcSoft_Endpoint {
   meta:
      id = "ddb838b9-c611-4a0b-9fb1-7e19f3b70a6e"
      description = "ArcSoft cloud endpoints (arcsoftcloud.com)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://en.wikipedia.org/wiki/ArcSoft"
      layer = "cloud"
      entity = "arcsoft"
      weight = "medium"
   strings:
      $x1 = "arcsoftcloud.com" nocase fullword
   condition:
      filesize < 64MB and $x1
}

rule CLOUD_Xiaomi_MIIO_Client {
   meta:
      id = "001ccd13-93b3-4bad-bd81-06b5efa885cc"
      description = "Xiaomi miio cloud client (miio_client, io.mi.com)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/rytilahti/python-miio"
      layer = "cloud"
      entity = "xiaomi"
      weight = "medium"
   strings:
      $x1 = "miio_client" fullword
      $x2 = "io.mi.com" nocase fullword
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_Tuya_IoT_SDK {
   meta:
      id = "efd92b3b-781f-40d3-b311-d27491e4cd8e"
      description = "Tuya IoT cloud SDK (tuya_iot_* API, tuyacn/tuyaus/tuyaeu.com endpoints)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/tuya/tuya-iot-link-sdk-embedded-c"
      layer = "cloud"
      entity = "tuya"
      weight = "medium"
   strings:
      $x1 = "tuyacn.com" nocase fullword
      $x2 = "tuyaus.com" nocase fullword
      $x3 = "tuyaeu.com" nocase fullword
      $x4 = "tuya_iot_"
   condition:
      filesize < 64MB and 1 of them
}

rule CLOUD_TP_Link_Cloud_Endpoint {
   meta:
      id = "a11490c7-9765-4e3f-803a-b1fc2b3b7c35"
      description = "TP-Link cloud endpoints (tplinkcloud.com, tplinkcloud.com.cn)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.tp-link.com/"
      layer = "cloud"
      entity = "tp-link"
      weight = "medium"
   strings:
      $x1 = "tplinkcloud.com" nocase
   condition:
      filesize < 64MB and $x1
}

/*
   IoT-cloud device SDKs (Alibaba Link Kit, Tencent IoT Explorer/Hub, AWS IoT Device SDK, Huawei HiLink). An
   embedded client links the SDK's own API names and its hard-coded broker / registration hosts. Two or more of
   one SDK's distinctive names in one ELF are required; names several SDKs share (IOT_MQTT_Construct,
   IOT_Shadow_Construct: Alibaba, Tencent and UCloud all export them) are not used. Medium only: no real firmware
   positive in the corpus yet.
*/

rule CLOUD_Alibaba_LinkKit_SDK {
   meta:
      id = "c44085e1-d592-46f5-ab70-9a63bf80028c"
      description = "Alibaba Cloud IoT Link Kit / iotkit-embedded client: two or more of its IOT_Linkkit_* API names and iot-as-mqtt / iot-auth .aliyuncs.com hosts in one ELF"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/aliyun/iotkit-embedded"
      layer = "cloud"
      entity = "alibaba-iot"
      weight = "medium"
   strings:
      $x1 = "IOT_Linkkit_Open"
      $x2 = "IOT_Linkkit_Connect"
      $x3 = "IOT_Linkkit_Report"
      $x4 = "IOT_Linkkit_Yield"
      $x5 = "IOT_Linkkit_TriggerEvent"
      $x6 = /iot-as-mqtt\.(%s|[a-z]{2}-[a-z]{4,9}(-[0-9])?)\.aliyuncs\.com/ nocase
      $x7 = /iot-auth\.(%s|[a-z]{2}-[a-z]{4,9}(-[0-9])?)\.aliyuncs\.com/ nocase
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 2 of them
}

rule CLOUD_Tencent_IoT_SDK {
   meta:
      id = "cc480fad-6b2d-484d-b50a-2bc0ffd33b30"
      description = "Tencent Cloud IoT Explorer / IoT Hub embedded C SDK client: two or more of its tencentdevices.com broker / registration hosts, device-log host and IOT_Template_* data-template API names in one ELF"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/TencentCloud/tencentcloud-iot-explorer-sdk-embedded-c"
      layer = "cloud"
      entity = "tencent-iot"
      weight = "medium"
   strings:
      $x1 = "iotcloud.tencentdevices.com" nocase fullword
      $x2 = "gateway.tencentdevices.com" nocase fullword
      $x3 = "iothub.tencentdevices.com" nocase fullword
      $x4 = "devicelog.iot.cloud.tencent.com" nocase fullword
      $x5 = "IOT_Template_Construct"
      $x6 = "IOT_Template_Report"
      $x7 = "IOT_Template_Yield"
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 2 of them
}

rule CLOUD_AWS_IoT_Device_SDK {
   meta:
      id = "e0e6bd74-0a2d-4f5a-8917-2260f1804fd4"
      description = "AWS IoT Device SDK for Embedded C client: two or more of its aws_iot_mqtt_* / aws_iot_shadow_* API names, the $aws/things/ reserved topic prefix and an account iot.<region>.amazonaws.com data endpoint in one ELF"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/aws/aws-iot-device-sdk-embedded-C"
      layer = "cloud"
      entity = "aws-iot"
      weight = "medium"
   strings:
      $x1 = "aws_iot_mqtt_init"
      $x2 = "aws_iot_mqtt_connect"
      $x3 = "aws_iot_mqtt_yield"
      $x4 = "aws_iot_shadow_init"
      $x5 = "$aws/things/"
      $x6 = /[a-z0-9]{10,20}(-ats)?\.iot\.[a-z]{2}(-gov)?-[a-z]{4,9}-[0-9]\.amazonaws\.com/ nocase
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 2 of them
}

rule CLOUD_Huawei_HiLink_SDK {
   meta:
      id = "3723d711-e18d-476f-a754-d2ea5a15c2c1"
      description = "Huawei HiLink device SDK (weak: bundled with HiSilicon Wi-Fi SDKs, so presence is a hint to review, never a covered-service verdict): two or more of its HILINK_* / hilink_* device API names (SDK attributes, registration, net-config, characteristic-state report) in one ELF"
      author = "fwaudit"
      date = "2026-12-01"
      reference = "https://github.com/sanchuanhehe/fbb_ws63"
      layer = "cloud"
      entity = "huawei-hilink"
      weight = "weak"
   strings:
      $x1 = "HILINK_SetSdkAttr"
      $x2 = "HILINK_GetSdkAttr"
      $x3 = "HILINK_IsRegister"
      $x4 = "HILINK_GetSdkVersion"
      $x5 = "HILINK_ReportCharState"
      $x6 = "hilink_report_char_state"
      $x7 = "HILINK_SetNetConfigInfo"
   condition:
      uint32(0) == 0x464c457f and filesize < 64MB and 2 of them
}
