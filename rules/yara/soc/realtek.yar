/* Realtek RTS39xx IP-camera SoCs. */

rule SOC_Realtek_RTS_Camera_SDK {
   meta:
      id = "5435b104-b9d2-4073-a93d-6213e9734dc4"
      description = "Realtek RTS39xx camera SDK (librtstream, rts_av_* API, rts3903 chip strings); medium until a real file of ../shared/corpus confirms it (strong needs a real positive)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://openipc.org/cameras/vendors/realtek"
      layer = "soc"
      entity = "realtek"
      weight = "medium"
      detail = "{1}"
      version_regex = "(?i)(rts39[0-9]{2}[a-z]?)"
   strings:
      $x1 = "librtstream"
      $x2 = /rts39[0-9]{2}/ nocase
      $s1 = "rts_av_"
      $s2 = "rts_isp_"
      $s3 = "librtsaec"
   condition:
      uint32(0) == 0x464c457f and 1 of ($x*) and 1 of ($s*)
}
