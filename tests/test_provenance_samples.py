"""Acceptance on the built samples: every sample gets exactly the provenance its ground truth names.

For each layer of `samples/expected/<name>.yaml` `provenance`: a claim with that entity (a brand missing from the
knowledge base is reported as `unlisted:<slug>`), the chip in the soc detail; no claim on a layer whose
expectation is unknown or absent (`component` aside); a layer marked `level: hint` (the fixture carries one
evidence class only) is a hint for that entity and no claim; nothing in `must_not_claim` among claims or hints. The
control router gets no soc/sdk/odm/oem/cloud claim at all. Fails, never skips, when the samples are not built
(`make samples`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.knowledge import UNLISTED, load_knowledge
from audit.model import AuditConfig, Report
from audit.pipeline import run

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "samples" / "build"
EXPECTED = ROOT / "samples" / "expected"
SAMPLES = ("xm-camera", "hik-nvr", "ingenic-cam", "openwrt-router", "xm-camera-v2")
LAYERS = ("soc", "sdk", "toolchain", "odm", "oem", "cloud")
COVERED_LAYERS = ("soc", "sdk", "odm", "oem", "cloud")
KB = load_knowledge()


def _expected(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXPECTED / f"{name}.yaml").read_text(encoding="utf-8"))


def _image(name: str) -> Path:
    manifest = BUILD / f"{name}.manifest.json"
    if not manifest.exists():
        pytest.fail(f"sample {name} is not built: run `make samples` (python3 samples/build.py)")
    image = BUILD / json.loads(manifest.read_text(encoding="utf-8"))["image"]
    if not image.exists():
        pytest.fail(f"sample image {image} is missing: run `make samples`")
    return image


def _reported_entity(entity: str) -> str:
    """The entity the engine reports for an expected slug: itself, or `unlisted:<slug>` outside the KB."""
    return entity if entity in KB else f"{UNLISTED}{entity}"


class _Reports(dict[str, Report]):
    """Sample name -> report, each sample audited once, on first use."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        super().__init__()
        self.factory = factory

    def __missing__(self, name: str) -> Report:
        work = self.factory.mktemp(name)
        self[name] = run(AuditConfig(image=_image(name), workdir=work, output_dir=work / "out", jobs=2))
        return self[name]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """One pipeline run per sample, shared by every test of this module."""
    return _Reports(tmp_path_factory)


def _claims(report: Report, layer: str) -> list[str]:
    return sorted(c.entity for c in report.claims if c.layer == layer)


@pytest.mark.parametrize("name", SAMPLES)
def test_run_is_complete(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    assert report.status == "complete", [e.kind for e in report.errors]


@pytest.mark.parametrize(("name", "layer"), [(n, layer) for n in SAMPLES for layer in LAYERS])
def test_layer_matches_ground_truth(name: str, layer: str, reports: dict[str, Report]) -> None:
    want = (_expected(name).get("provenance") or {}).get(layer) or {}
    entity = want.get("entity")
    found = [c for c in reports[name].claims if c.layer == layer]
    if not entity:
        assert found == [], f"{name}: {layer} expected unknown, got {[(c.entity, c.confidence) for c in found]}"
        return
    reported = _reported_entity(str(entity))
    if want.get("level") == "hint":
        assert found == [], f"{name}: {layer} is one evidence class, a hint; got claims {_claims(reports[name], layer)}"
        hinted = [h for h in reports[name].hints if h.layer == layer and h.entity == reported]
        assert hinted, f"{name}: no {layer} hint for {reported}"
        return
    match = [c for c in found if c.entity == reported]
    assert match, f"{name}: no {layer} claim for {reported}; claims {_claims(reports[name], layer)}"
    if layer == "soc":
        chip = str(want["detail"]).lower()
        assert any(chip in (c.detail or "").lower() for c in match), f"{name}: soc detail {match[0].detail}"


@pytest.mark.parametrize("name", SAMPLES)
def test_must_not_claim_anywhere(name: str, reports: dict[str, Report]) -> None:
    banned = set(_expected(name).get("must_not_claim") or ())
    report = reports[name]
    said = {(c.layer, c.entity) for c in (*report.claims, *report.hints) if c.entity in banned}
    assert said == set(), f"{name}: claims/hints name forbidden entities {sorted(said)}"


def test_control_router_has_no_covered_provenance(reports: dict[str, Report]) -> None:
    report = reports["openwrt-router"]
    assert _expected("openwrt-router")["provenance"] == {}
    assert [(c.layer, c.entity) for c in report.claims if c.layer in COVERED_LAYERS] == []
    assert not [f for f in report.findings if f.rule == "attribute.relabel"]


@pytest.mark.parametrize("name", ["xm-camera", "xm-camera-v2"])
def test_relabel_cites_brand_and_platform(name: str, reports: dict[str, Report]) -> None:
    """The web-UI brand differs from the Xiongmai platform: one relabel finding with evidence of both sides."""
    report = reports[name]
    (finding,) = [f for f in report.findings if f.rule == "attribute.relabel"]
    oem = next(c for c in (*report.claims, *report.hints) if c.layer == "oem")
    odm = next(c for c in report.claims if c.layer == "odm")
    rules = {e.rule_id for e in finding.evidence}
    assert {e.rule_id for e in oem.evidence} & rules and {e.rule_id for e in odm.evidence} & rules
    assert "Northwind Security" in finding.title and "Xiongmai" in finding.title
    assert ("a hint, not established" in finding.title) == (oem in report.hints)


def test_hikvision_brand_on_its_own_platform_is_no_relabel(reports: dict[str, Report]) -> None:
    report = reports["hik-nvr"]
    assert [f.id for f in report.findings if f.rule == "attribute.relabel"] == []
