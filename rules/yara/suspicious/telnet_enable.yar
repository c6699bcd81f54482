/* Vendor remote-shell enablers: commands that switch telnetd on over the network. Severity and CWE in `detail`
   (read by audit/findings/services.py). */

rule SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor {
   meta:
      id = "d57a6635-65d4-4eb1-99f3-b7e75708d159"
      description = "Xiongmai/HiSilicon telnet-enable backdoor: a TCP 9530 command (OpenTelnet:OpenOnce) that starts telnetd"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://habr.com/en/post/486856/"
      layer = "suspicious"
      entity = "xiongmai"
      weight = "strong"
      detail = "severity:critical cwe:CWE-912 port:9530"
   strings:
      $x1 = "OpenTelnet:OpenOnce"
      $x2 = "Telnet:OpenOnce"
      $x3 = "2wj9fsa2" fullword   // default pre-shared key of the challenge-response
      $x4 = "TelnetOEMPasswd"
      $s1 = "randNum:"
      $s2 = "verify:OK"
   condition:
      filesize < 64MB and (1 of ($x*) or all of ($s*))
}

rule SUSPICIOUS_Xiongmai_Debug_Console_9527 {
   meta:
      id = "8e9b339b-f702-4af8-bbd8-9999dd653cda"
      description = "Xiongmai Sofia debug console on TCP 9527 (shell reachable with the web credentials)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/tothi/pwn-hisilicon-dvr"
      layer = "suspicious"
      entity = "xiongmai"
      weight = "medium"
      detail = "severity:high cwe:CWE-489 port:9527"
   strings:
      $x1 = /(0\.0\.0\.0|INADDR_ANY|port|PORT)[:= ]{1,3}9527[^0-9]/
      $s1 = "Sofia"
      $s2 = "XmEnv"
      $s3 = "/mnt/mtd/Config"
   condition:
      filesize < 64MB and $x1 and 1 of ($s*)
}
