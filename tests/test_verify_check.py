"""Declared vs found on every bundled sample: a true declaration (derived from samples/expected/*.yaml) has no
contradiction; a wrong SoC, a hidden covered vendor and an omitted component are exactly the contradictions,
each citing evidence; the CycloneDX and SPDX SBOMs of tests/data/verify give the expected sets.

The reports are the samples' golden report.json files (tests/golden/, kept equal to a fresh audit by
tests/test_report_golden.py), so these checks need no rescan; tests/test_verify_cli.py audits an image for real.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.knowledge import KnowledgeBase, load_knowledge
from audit.load import load_report
from audit.model import Report
from audit.verify.check import verification_block
from audit.verify.declaration import parse_declaration
from audit.verify.read import load_declared
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "verify"
SAMPLES = ("hik-nvr", "ingenic-cam", "openwrt-router", "xm-camera", "xm-camera-v2")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def sample_report(name: str) -> Report:
    return load_report(REPO / "tests" / "golden" / name / "report.json")


def expected(name: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / "samples" / "expected" / f"{name}.yaml").read_text())


def true_declaration(name: str, kb: KnowledgeBase) -> dict[str, Any]:
    """What an honest vendor would declare, from the sample's ground truth."""
    exp = expected(name)
    prov = exp.get("provenance") or {}
    decl: dict[str, Any] = {"schema": "fwaudit/declaration/v1"}
    if (prov.get("soc") or {}).get("entity"):
        decl["soc"] = {"vendor": prov["soc"]["entity"], "model": prov["soc"]["detail"]}
    for key in ("odm", "sdk"):
        if (prov.get(key) or {}).get("entity"):
            decl[key] = prov[key]["entity"]
    if (prov.get("oem") or {}).get("entity"):
        decl["brand"] = prov["oem"]["entity"]
    cloud = prov.get("cloud") or {}
    if cloud.get("entity"):
        decl["cloud"] = [cloud["entity"], *cloud.get("also", [])]
    decl["excluded_vendors"] = [e for e in exp.get("must_not_claim", []) if e in kb]
    comps = [{"name": c["name"], **({"version": c["version"]} if c.get("version") else {})}
             for c in exp.get("components", [])]
    gcc = re.search(r"\(gcc ([0-9.]+)\)", str((prov.get("toolchain") or {}).get("detail", "")))
    if gcc and not any(c["name"] == "gcc" for c in comps):  # the toolchain's compiler is a component too
        comps.append({"name": "gcc", "version": gcc.group(1)})
    decl["components"] = comps
    return decl


def run_check(name: str, decl: dict[str, Any], kb: KnowledgeBase, tmp_path: Path) -> dict[str, dict[str, Any]]:
    path = tmp_path / "declared.yaml"
    path.write_text(yaml.safe_dump(decl, sort_keys=False))
    block = verification_block(sample_report(name), parse_declaration(path.read_text(), path.name, kb), kb, path)
    assert block["schema"] == "fwaudit/verification/v1" and len(block["declared"]["sha256"]) == 64
    assert [r["id"] for r in block["results"]] == sorted(r["id"] for r in block["results"])
    return {r["id"]: r for r in block["results"]}


def contradicted(results: dict[str, dict[str, Any]]) -> set[str]:
    return {rid for rid, r in results.items() if r["status"] == "contradicted"}


def assert_cites_evidence(result: dict[str, Any]) -> None:
    assert result["evidence"], result
    for cited in result["evidence"]:
        located = cited.get("evidence") or cited.get("occurrences")
        assert located and all(e["path"] and "matched" in e for e in located), cited


@pytest.mark.parametrize("name", SAMPLES)
def test_true_declaration_has_no_contradiction(name: str, kb: KnowledgeBase, tmp_path: Path) -> None:
    results = run_check(name, true_declaration(name, kb), kb, tmp_path)
    assert contradicted(results) == set(), {k: results[k]["found"] for k in contradicted(results)}
    assert all(r["status"] in ("confirmed", "unverifiable") for r in results.values())
    for rid in ("soc.vendor", "soc.model", "odm", "sdk"):
        if rid in results:
            assert results[rid]["status"] == "confirmed", results[rid]


@pytest.mark.parametrize("name", ["hik-nvr", "ingenic-cam", "xm-camera", "xm-camera-v2"])
def test_wrong_soc_hidden_vendor_and_omitted_component(name: str, kb: KnowledgeBase, tmp_path: Path) -> None:
    decl = true_declaration(name, kb)
    real_soc = decl["soc"]["vendor"]
    decl["soc"] = {"vendor": "ambarella", "model": "CV25"}
    hidden = "huawei" if real_soc == "hisilicon" else real_soc  # HiSilicon is Huawei's (the KB relation)
    decl["excluded_vendors"] = [*decl["excluded_vendors"], hidden]
    omitted = decl["components"].pop(0)["name"]
    results = run_check(name, decl, kb, tmp_path)
    assert contradicted(results) == {"soc.vendor", "soc.model", f"excluded.{hidden}",
                                     f"component.undeclared.{omitted}"}
    for rid in contradicted(results):
        assert_cites_evidence(results[rid])
    if hidden == "huawei":
        assert any("subsidiary_of" in (c.get("relation") or "") for c in results["excluded.huawei"]["evidence"])


def test_other_version_and_not_found(kb: KnowledgeBase, tmp_path: Path) -> None:
    decl = true_declaration("xm-camera", kb)
    decl["components"] = [*decl["components"], {"name": "openssl", "version": "1.1.1"}]
    decl["components"][0]["version"] = "9.9.9"
    results = run_check("xm-camera", decl, kb, tmp_path)
    assert results["component.linux"]["status"] == "contradicted"
    assert results["component.openssl"]["status"] == "unverifiable"  # silence never contradicts


def test_hint_never_contradicts(kb: KnowledgeBase, tmp_path: Path) -> None:
    """hik-nvr's EZVIZ cloud is a hint: excluding EZVIZ is unverifiable, not contradicted; a different brand
    than the hinted one is unverifiable too."""
    decl = {"schema": "fwaudit/declaration/v1", "excluded_vendors": ["ezviz"], "brand": "Northwind Security",
            "cloud": ["throughtek"]}
    results = run_check("hik-nvr", decl, kb, tmp_path)
    assert results["excluded.ezviz"]["status"] == "unverifiable"
    assert results["brand"]["status"] == "unverifiable"
    assert results["cloud.throughtek"]["status"] == "unverifiable"


def test_rebadge_relation_is_followed(kb: KnowledgeBase, tmp_path: Path) -> None:
    """A Goke SoC is a re-badged HiSilicon (per the KB): excluding HiSilicon is contradicted by a Goke claim."""
    from audit.model import Claim, Evidence
    report = sample_report("ingenic-cam")
    ev = Evidence(kind="yara", rule_id="SOC_X", path="a/b", sha256="0" * 64, offset=1, matched="gk7205v200",
                  weight="strong")
    report.claims = [Claim(layer="soc", entity="goke", confidence=0.99, evidence=(ev,), detail="GK7205V200")]
    path = tmp_path / "d.yaml"
    path.write_text("schema: fwaudit/declaration/v1\nexcluded_vendors: [huawei]\n")
    block = verification_block(report, parse_declaration(path.read_text(), "d.yaml", kb), kb, path)
    (result,) = block["results"]
    assert result["status"] == "contradicted"
    assert "rebadge_of" in result["evidence"][0]["relation"] and "subsidiary_of" in result["evidence"][0]["relation"]


def test_cyclonedx_sbom_sets(kb: KnowledgeBase) -> None:
    path = DATA / "xm-camera.cdx.json"
    block = verification_block(sample_report("xm-camera"), load_declared(path, kb), kb, path)
    by_status: dict[str, set[str]] = {}
    for r in block["results"]:
        by_status.setdefault(r["status"], set()).add(r["id"])
    assert {"component.linux", "component.hisilicon-mpp"} <= by_status["confirmed"]
    assert by_status["contradicted"] == {"component.xiongmai-sofia", "component.undeclared.gcc"}
    assert "component.busybox" in by_status["unverifiable"]


def test_spdx_sbom_sets(kb: KnowledgeBase) -> None:
    path = DATA / "hik-nvr.spdx.json"
    block = verification_block(sample_report("hik-nvr"), load_declared(path, kb), kb, path)
    status = {r["id"]: r["status"] for r in block["results"]}
    assert status["component.linux"] == status["component.hisilicon-mpp"] == "confirmed"
    assert status["component.openssl"] == "unverifiable"
    assert {k for k, v in status.items() if k.startswith("component.undeclared.")} == {
        "component.undeclared.gcc", "component.undeclared.hikvision-firmware"}
    assert block["summary"]["contradicted"] == 2 and block["declared"]["format"] == "spdx"


def test_declared_supplier_vs_origin(kb: KnowledgeBase, tmp_path: Path) -> None:
    """openwrt-router shows busybox; the KB knows BusyBox as an entity, so a supplier it cannot relate is
    contradicted; an unknown supplier, or a component not found, stays unverifiable."""
    def declare(busybox_supplier: str) -> dict[str, Any]:
        return {"schema": "fwaudit/declaration/v1", "components": [
            {"name": "busybox", "version": "1.36.1", "supplier": busybox_supplier},
            {"name": "linux", "version": "5.15.137", "supplier": "Acme Integrators"},
            {"name": "openssl", "supplier": "huawei"}]}

    results = run_check("openwrt-router", declare("huawei"), kb, tmp_path)
    assert results["component.busybox.supplier"]["status"] == "contradicted"
    assert results["component.linux.supplier"]["status"] == "unverifiable"  # supplier unknown to the KB
    assert results["component.openssl.supplier"]["status"] == "unverifiable"  # not found
    results = run_check("openwrt-router", declare("BusyBox"), kb, tmp_path)
    assert results["component.busybox.supplier"]["status"] == "confirmed"
