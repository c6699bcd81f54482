"""ODM/OEM fact rules (rules/data/fact_rules/odm.yaml, oem.yaml): each fires on its fact, silent on near misses."""

from __future__ import annotations

from typing import Any

import pytest

from audit.attribute import evidence_from_facts
from audit.knowledge import load_knowledge
from audit.model import Fact

KB = load_knowledge()


def _claims(kind: str, data: dict[str, Any]) -> set[tuple[str, str, str, str | None]]:
    items = evidence_from_facts([Fact(kind=kind, sha256="0" * 64, path="img", data=data)], {}, KB)
    return {(i.layer, i.entity, i.evidence.weight, i.detail) for i in items if i.layer in ("odm", "oem")}


TPLINK = {"parsed": True, "vendor": "TP-LINK Technologies", "firmware_version": "3.17.2", "title": "TP-Link"}


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("container.tplink", TPLINK, {("odm", "tp-link", "medium", None)}),
        ("container.tplink", {**TPLINK, "parsed": False}, set()),
        ("container.tplink", {**TPLINK, "vendor": "OpenWrt"}, set()),
        (
            "uimage",
            {"name": "WAVLINK_529B3EN", "header_crc_valid": True},
            {("oem", "wavlink", "medium", "WAVLINK 529B3EN")},
        ),
        ("uimage", {"name": "WAVLINK_529B3EN", "header_crc_valid": False}, set()),
        ("uimage", {"name": "NVR4XXX-4KS2/L", "header_crc_valid": True}, {("odm", "dahua", "weak", "NVR4XXX-4KS2/L")}),
        ("uimage", {"name": "Linux-3.4.35", "header_crc_valid": True}, set()),
    ],
)
def test_vendor_fact_rules(kind: str, data: dict[str, Any], expected: set) -> None:
    assert _claims(kind, data) == expected
