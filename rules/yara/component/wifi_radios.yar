/*
   Wi-Fi radio drivers and firmware: evidence of a component vendor (the radio), never of the main SoC, because
   one vendor's radio sits on boards of every other SoC vendor (issue 11, whole-image reasoning).
*/

rule COMPONENT_Broadcom_WL_WiFi_Driver {
   meta:
      id = "1d3f5b7c-6a8e-4c0d-8e2f-9d1f3b5c7e31"
      description = "Broadcom proprietary wl 802.11 driver banner ('Broadcom BCM%04x 802.11 Wireless Controller'): a Wi-Fi radio, a component, not the SoC"
      author = "fwaudit"
      date = "2026-11-23"
      reference = "https://wireless.wiki.kernel.org/en/users/drivers/b43"
      layer = "component"
      entity = "broadcom"
      weight = "medium"
      detail = "Wi-Fi driver"
   strings:
      $x1 = "Broadcom BCM%04x 802.11 Wireless Controller"
   condition:
      $x1
}
