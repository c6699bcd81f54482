/*
   OEM brand on the box: model-number schemes and brand strings in identity fields. Every entity here must
   appear in rules/data/brands.yaml, except `brand-lookup` rules: they extract the brand string itself (from
   a `$x` identity field, confirmed by a `$s` mention of the same brand) and the attribution stage resolves it
   through the brand table (unlisted brand: `unlisted:<slug>`). A brand that differs from the ODM yields a
   relabel finding.
*/

rule OEM_Hikvision_Model_Number {
   meta:
      id = "f6d14a29-2619-43dd-8d73-821bc601f484"
      description = "Hikvision camera/NVR model numbers (DS-2CDxxxx, DS-76xx/77xx NVR); weak: NVRs and clients of other makers list supported Hikvision models"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.hikvision.com/en/products/IP-Products/Network-Cameras/"
      layer = "oem"
      entity = "hikvision"
      weight = "weak"
   strings:
      $x1 = /DS-2CD[0-9]{4}[A-Z0-9-]{0,16}/
      $x2 = /DS-7[0-9]{3}N[A-Z0-9-]{1,16}/
   condition:
      filesize < 64MB and 1 of them
}

rule OEM_EZVIZ_Brand {
   meta:
      id = "06a70fc9-f6e2-41ba-851a-7bf94df51d98"
      description = "EZVIZ brand with EZVIZ model numbers (CS-C6N, CS-C3W, ...)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.ezviz.com/"
      layer = "oem"
      entity = "ezviz"
      weight = "medium"
   strings:
      $x1 = /CS-[CH][0-9][A-Z0-9]{0,6}-[A-Z0-9]{1,12}/
      $s1 = "EZVIZ" fullword
   condition:
      filesize < 64MB and $x1 and $s1
}

rule OEM_HiLook_Brand {
   meta:
      id = "01173d75-6732-4606-8464-1407bb3acf8c"
      description = "HiLook brand (Hikvision) with HiLook model numbers (IPC-B1xx, IPC-T2xx)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.hilookworld.com/"
      layer = "oem"
      entity = "hilook"
      weight = "medium"
   strings:
      $x1 = "HiLook" fullword
      $s1 = /IPC-[BDT][0-9]{3}[A-Z0-9-]{0,12}/
   condition:
      filesize < 64MB and $x1 and $s1
}

rule OEM_Dahua_Model_Number {
   meta:
      id = "c6af4e15-eb82-497f-b3ca-96be645c2b02"
      description = "Dahua camera model numbers (IPC-HDWxxxx, IPC-HFWxxxx, IPC-HDBWxxxx); weak: NVRs and clients of other makers list supported Dahua models"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.dahuasecurity.com/products/networkProducts/networkCameras"
      layer = "oem"
      entity = "dahua"
      weight = "weak"
   strings:
      $x1 = /IPC-H(DW|FW|DBW)[0-9]{4}[A-Z0-9-]{0,16}/
   condition:
      filesize < 64MB and $x1
}

rule OEM_Lorex_Brand {
   meta:
      id = "c6df758b-96af-4cd4-a27d-cb0a61fef73e"
      description = "Lorex brand with Lorex model numbers (LNB/LNE/LNZ cameras, N8xx NVRs)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.lorex.com/"
      layer = "oem"
      entity = "lorex"
      weight = "medium"
   strings:
      $x1 = "LOREX" nocase fullword
      $s1 = /LN[BEZ][0-9]{4}[A-Z0-9-]{0,12}/
      $s2 = /N8[0-9]{2}[A-Z]?[0-9]{0,2}-?[A-Z0-9]{0,8}/
   condition:
      filesize < 64MB and $x1 and 1 of ($s*)
}

rule OEM_Brand_Web_UI_Title {
   meta:
      id = "0d53db52-b7af-4e5a-9c4e-6cf6879fa8ff"
      description = "Brand of a device web UI: '<title>Brand - Network Camera|NVR|DVR</title>' confirmed by a copyright line naming the same brand (brand resolved through rules/data/brands.yaml; unlisted brands are reported as unlisted:<slug>); medium until a real file of ../shared/corpus confirms it (strong needs a real positive)"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://en.wikipedia.org/wiki/White-label_product"
      layer = "oem"
      entity = "brand-lookup"
      weight = "medium"
      detail = "{1}"
      version_regex = "(?:<[Tt][Ii][Tt][Ll][Ee]>[ ]*|(?:19|20)[0-9]{2}[ ,]+)([A-Z][A-Za-z0-9&' ]{0,38}[A-Za-z0-9])"
   strings:
      $x1 = /<[Tt][Ii][Tt][Ll][Ee]>[ ]{0,4}[A-Z][A-Za-z0-9&' ]{1,38}[A-Za-z0-9][ ]{1,4}[-|][ ]{1,4}(Network |IP |Web |WiFi |Wi-Fi |Smart |Security )?(Camera|IPC|NVR|DVR|Video Recorder|Network Video Recorder)[ ]{0,4}<\/[Tt][Ii][Tt][Ll][Ee]>/
      $s1 = /(&copy;|\xc2\xa9|Copyright)[ ]{0,2}(\([Cc]\)[ ]{0,2})?(19|20)[0-9]{2}([-,][ ]?(19|20)[0-9]{2})?[ ,]{1,4}[A-Z][A-Za-z0-9&' ]{1,38}/
   condition:
      filesize < 2MB and $x1 and $s1
}
