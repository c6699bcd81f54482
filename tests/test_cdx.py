"""CycloneDX 1.6 SBOM: schema-valid, firmware metadata from claims only, components with purl/CPE/hashes/evidence,
DT_NEEDED dependency edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from audit.findings import find_all
from audit.inspect import inspect_files
from audit.model import AuditConfig, Claim, Evidence, Fact, Report
from audit.pipeline import run
from audit.report import cdx
from audit.scan import scan_files
from tests.conftest import SAMPLES_BUILD

SHA_A, SHA_B = "a" * 64, "b" * 64


def _validate(text: str) -> None:
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert errors is None, str(errors)


def _report(claims: list[Claim]) -> Report:
    facts = [Fact("elf", SHA_A, "rootfs/usr/bin/app", {"needed": ["libssl.so.3", "libc.so.6"], "soname": None}),
             Fact("elf", SHA_B, "rootfs/usr/lib/libssl.so.3", {"needed": ["libc.so.6"], "soname": "libssl.so.3"})]
    components = [
        {"name": "openssl", "version": "3.0.2", "purl": "pkg:generic/openssl@3.0.2",
         "cpe": "cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*", "source": "string",
         "occurrences": [{"path": "rootfs/usr/lib/libssl.so.3", "sha256": SHA_B, "offset": 10,
                          "matched": "OpenSSL 3.0.2 15 Mar 2022", "source": "string"}]},
        {"name": "myapp", "version": None, "purl": "pkg:generic/myapp", "cpe": None, "source": "file",
         "occurrences": [{"path": "rootfs/usr/bin/app", "sha256": SHA_A, "offset": None, "matched": "app",
                          "source": "file"}]},
    ]
    return Report(tool={"name": "fwaudit", "version": "0.1"}, run={"started": "2026-01-01T00:00:00+00:00"},
                  image={"name": "fw.bin", "sha256": "c" * 64, "size": 1, "format": "data"},
                  facts=facts, components=components, claims=claims)


def _claim(layer: str, entity: str, confidence: float) -> Claim:
    ev = Evidence("yara", "r", "p", SHA_A, 0, "m", "strong")
    return Claim(layer=layer, entity=entity, confidence=confidence, evidence=(ev,))


def test_sbom_validates_and_carries_provenance() -> None:
    text = cdx.render(_report([_claim("odm", "xiongmai", 0.9), _claim("oem", "hikvision", 0.7)]))
    _validate(text)
    doc = json.loads(text)
    meta = doc["metadata"]["component"]
    assert doc["specVersion"] == "1.6" and meta["type"] == "firmware"
    assert meta["manufacturer"]["name"] and meta["supplier"]["name"]
    props = {p["name"]: p["value"] for p in meta["properties"]}
    assert props["fwaudit:odm:entity"] == "xiongmai" and props["fwaudit:odm:confidence"] == "0.90"
    openssl = next(c for c in doc["components"] if c["name"] == "openssl")
    assert openssl["purl"] == "pkg:generic/openssl@3.0.2" and openssl["cpe"].startswith("cpe:2.3:a:openssl")
    assert openssl["hashes"][0]["content"] == SHA_B
    assert openssl["evidence"]["occurrences"][0]["location"] == "rootfs/usr/lib/libssl.so.3"
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert deps[f"file:{SHA_A}"] == [f"file:{SHA_B}"]
    assert deps["component:myapp@unknown"] == ["component:openssl@3.0.2"]
    assert set(deps["firmware"]) == {"component:myapp@unknown", "component:openssl@3.0.2"}


def test_no_claim_no_manufacturer_and_deterministic() -> None:
    report = _report([])
    text = cdx.render(report)
    _validate(text)
    meta = json.loads(text)["metadata"]["component"]
    assert "manufacturer" not in meta and "supplier" not in meta
    assert cdx.render(report) == text


def test_write(tmp_path: Path) -> None:
    target = cdx.write(_report([]), tmp_path)
    assert target.name == cdx.FILENAME and json.loads(target.read_text())["bomFormat"] == "CycloneDX"


def test_sbom_of_a_built_sample_validates(tmp_path: Path) -> None:
    image = SAMPLES_BUILD / "xm-camera.bin"
    if not image.exists():
        pytest.skip("samples not built; run `python3 samples/build.py`")
    report = run(AuditConfig(image=image, workdir=tmp_path, keep=True, jobs=1))
    base = tmp_path / f"{image.name}.fwaudit" / "extract"
    items = [(base / r.path, r) for r in report.files if r.kind == "file"]
    report.facts, _ = inspect_files(items)
    matches, _ = scan_files(items)
    result = find_all(items, report.files, report.facts, matches)
    report.components = result.components
    text = cdx.render(report)
    _validate(text)
    doc = json.loads(text)
    names = {c["name"] for c in doc["components"] if c["type"] != "file"}
    assert {"linux", "hisilicon-mpp", "xiongmai-sofia"} <= names
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    sofia = next(r for r in deps if r.startswith("component:xiongmai-sofia@"))
    assert any(r.startswith("component:hisilicon-mpp@") for r in deps[sofia])
