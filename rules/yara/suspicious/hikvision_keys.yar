/* Publicly known Hikvision keys and magic strings shipped in firmware. Severity and CWE in `detail`. */

rule SUSPICIOUS_Hikvision_Config_AES_Key {
   meta:
      id = "b9ca01c5-29ae-43a9-949e-007b3347534b"
      description = "Public Hikvision configuration-file AES-128 key (279977f62f6cfd2d91cd75b889ce0c9a) as hex text or raw bytes"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://github.com/WormChickenWizard/hikvision-decrypter"
      layer = "suspicious"
      entity = "hikvision"
      weight = "strong"
      detail = "severity:high cwe:CWE-321"
   strings:
      $x1 = "279977f62f6cfd2d91cd75b889ce0c9a" nocase
      $x2 = { 27 99 77 F6 2F 6C FD 2D 91 CD 75 B8 89 CE 0C 9A }   // the same 16 bytes, raw
   condition:
      filesize < 64MB and 1 of ($x*)
}
