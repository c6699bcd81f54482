/*
   Brands on the box from identity fields of router and camera firmware: product names, model-number schemes
   and image names. Every entity here is in rules/data/brands.yaml.
*/

rule OEM_Netgear_Router_Brand {
   meta:
      id = "e431eeed-b8c8-4785-9b92-c3ab67e9b261"
      description = "NETGEAR router brand: product name or UPnP service namespace (NETGEAR RAX120, urn:NETGEAR-ROUTER:service, U12Hxxx_NETGEAR) with netgear.com"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.netgear.com/"
      layer = "oem"
      entity = "netgear"
      weight = "strong"
   strings:
      $x1 = /NETGEAR (Router )?[A-Z]{1,5}[0-9]{3,5}[a-z0-9]{0,4}/
      $x2 = "urn:NETGEAR-ROUTER:service"
      $x3 = /U12H[0-9]{3}T[0-9]{2}_NETGEAR/
      $s1 = "netgear.com"
   condition:
      filesize < 64MB and 1 of ($x*) and $s1
}

rule OEM_ZTE_ZXHN_Model {
   meta:
      id = "4da31729-4ab3-43a8-b7cc-0e06203c05fe"
      description = "ZTE ZXHN home-gateway model identity ('ZXHN H108NV4.0...', 'ZXHN H298N')"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.zte.com.cn/"
      layer = "oem"
      entity = "zte"
      weight = "strong"
   strings:
      $x1 = /ZXHN [A-Z][0-9]{3}[A-Z]{0,2}[ V]?[0-9]/
   condition:
      filesize < 64MB and $x1
}

rule OEM_FAST_Router_Brand {
   meta:
      id = "6313653b-d49e-431b-9aaf-660bcf4b0ff8"
      description = "FAST (TP-Link brand) router identity: 'FAST Wireless N Router FWxxx' or www.fastcom.com.cn"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.fastcom.com.cn/"
      layer = "oem"
      entity = "fast"
      weight = "strong"
   strings:
      $x1 = /FAST Wireless N Router FW[0-9]{3}/
      $s1 = "fastcom.com.cn"
   condition:
      filesize < 64MB and $x1 and $s1
}

rule OEM_Wavlink_Image_Name {
   meta:
      id = "555079d8-dd59-4489-b742-aa7e25b1c5a9"
      description = "Wavlink firmware image: uImage name field WAVLINK_<model>"
      author = "fwaudit"
      date = "2026-11-24"
      reference = "https://www.wavlink.com/"
      layer = "oem"
      entity = "wavlink"
      weight = "strong"
   strings:
      $x1 = /WAVLINK_[0-9A-Z]{3,16}/
   condition:
      uint32be(0) == 0x27051956 and $x1 at 32
}
