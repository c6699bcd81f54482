/* Third-party open-source components with their versions (the component layer). */

rule COMPONENT_BusyBox_Version {
   meta:
      id = "2d9716dc-339f-4351-b787-a0c0e0c79d1c"
      description = "BusyBox multi-call binary with its version banner"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://busybox.net/"
      layer = "component"
      entity = "busybox"
      weight = "strong"
      detail = "{1}"
      version_regex = "BusyBox v([0-9]+[.][0-9]+[.][0-9]+)"
   strings:
      $x1 = /BusyBox v[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}/
      $s1 = "busybox --install"
      $s2 = "Usage: busybox"
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule COMPONENT_OpenSSL_Version {
   meta:
      id = "7d6ec610-593a-4e2c-aea2-965856d7d89f"
      description = "OpenSSL libcrypto/libssl version string"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.openssl.org/"
      layer = "component"
      entity = "openssl"
      weight = "strong"
      detail = "{1}"
      version_regex = "OpenSSL ([0-9]+[.][0-9]+[.][0-9]+[a-z]?)"
   strings:
      $x1 = /OpenSSL [0-9]\.[0-9]{1,2}\.[0-9]{1,2}[a-z]{0,2} {1,2}[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}/
   condition:
      uint32(0) == 0x464c457f and $x1
}

rule COMPONENT_Dropbear_SSH_Version {
   meta:
      id = "6d86eacd-6d8a-44a7-b5ed-34cfbc981f27"
      description = "Dropbear SSH server/client with its version (SSH-2.0-dropbear_YYYY.NN)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://matt.ucc.asn.au/dropbear/dropbear.html"
      layer = "component"
      entity = "dropbear"
      weight = "strong"
      detail = "{1}"
      version_regex = "dropbear_([0-9]{4}[.][0-9]{2,3})"
   strings:
      $x1 = /dropbear_20[0-9]{2}\.[0-9]{2,3}/
      $s1 = "dropbear" fullword
   condition:
      uint32(0) == 0x464c457f and $x1 and $s1
}

rule COMPONENT_uClibc_Runtime {
   meta:
      id = "552260e1-678d-4f50-99b8-828111e9f466"
      description = "Program or library linked against uClibc / uClibc-ng (ld-uClibc loader)"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://uclibc-ng.org/"
      layer = "component"
      entity = "uclibc"
      weight = "medium"
   strings:
      $x1 = /\x00(\/lib\/)?ld-uClibc(-[0-9.]+)?\.so\.[01]\x00/
      $s1 = "__uClibc_main"
      $s2 = /\x00lib(c|dl|m)\.so\.0\x00/
   condition:
      uint32(0) == 0x464c457f and $x1 and 1 of ($s*)
}

rule COMPONENT_Linux_Kernel_Banner {
   meta:
      id = "0d2902c3-0fde-4c3f-b951-404f84ea0121"
      description = "Linux kernel image banner (Linux version X.Y.Z (builder) (compiler))"
      author = "fwaudit"
      date = "2026-11-22"
      reference = "https://www.kernel.org/"
      layer = "component"
      entity = "linux"
      weight = "strong"
      detail = "{1}"
      version_regex = "Linux version ([0-9]+[.][0-9]+[.][0-9]+[^ ]*)"
   strings:
      $x1 = /Linux version [0-9]\.[0-9]{1,2}\.[0-9]{1,3}[^ ]{0,40} \([^)]{1,80}\) \(/
   condition:
      $x1
}
