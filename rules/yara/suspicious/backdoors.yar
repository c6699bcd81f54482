/* Known vendor backdoors / hard-coded credentials (layer suspicious: findings for the policy stage, not claims). */

rule SUSPICIOUS_Xiongmai_Hardcoded_Telnet_Credentials {
   meta:
      id = "a422a24a-9f24-414b-ba24-8e7220c15582"
      description = "Xiongmai hard-coded root telnet passwords used by Mirai (xmhdipc, klv123) next to telnetd"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://krebsonsecurity.com/2016/10/who-makes-the-iot-things-under-attack/"
      layer = "suspicious"
      entity = "xiongmai"
      weight = "strong"
   strings:
      $x1 = "xmhdipc" fullword
      $x2 = "klv123" fullword
      $s1 = "telnetd"
      $s2 = "root:"
   condition:
      filesize < 64MB and 1 of ($x*) and 1 of ($s*)
}

rule SUSPICIOUS_Hikvision_Auth_Bypass_Magic {
   meta:
      id = "2f3d5530-20ee-4e15-a61b-5587aab63b6e"
      description = "Hikvision authentication-bypass magic string (auth=YWRtaW46MTEK, 'admin:11'; CVE-2017-7921)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://nvd.nist.gov/vuln/detail/CVE-2017-7921"
      layer = "suspicious"
      entity = "hikvision"
      weight = "strong"
   strings:
      $x1 = "YWRtaW46MTEK"
   condition:
      filesize < 64MB and $x1
}
