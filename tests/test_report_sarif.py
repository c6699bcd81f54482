"""SARIF 2.1.0 writer: schema-valid, rules with help, stable fingerprints, claims as notes, errors as notifications."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from audit.load import load_report
from audit.model import AuditError
from audit.policy import evaluate_policies
from audit.report import sarif
from tests.conftest import sample_manifests
from tests.helpers import reports as rp

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def validate(doc: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_schema_rejects_a_broken_log() -> None:
    """The validator bites: a result without a message is invalid."""
    doc = sarif.build(rp.xiongmai_on_hisilicon())
    del doc["runs"][0]["results"][0]["message"]
    assert list(VALIDATOR.iter_errors(doc))


def test_hand_built_report_is_valid_sarif() -> None:
    report = rp.xiongmai_on_hisilicon()
    report.policies = evaluate_policies(report)
    report.add_error(AuditError(kind="unpack.cap.bytes", stage="unpack", message="cap reached", path="fw.bin"))
    doc = json.loads(sarif.render(report))
    validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"provenance/soc", "provenance/odm", "findings.telnetd", "SUSPICIOUS_Xiongmai_OpenTelnet"} <= set(rules)
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["properties"]["tags"] and rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
    assert rules["findings.telnetd"]["properties"]["security-severity"] == "8.0"
    assert rules["provenance/soc"]["properties"]["precision"] == "very-high"
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert ("provenance/soc", "note") in levels and ("SUSPICIOUS_Xiongmai_OpenTelnet", "error") in levels
    assert ("findings.hardening", "note") in levels
    assert all(r["ruleId"] == run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] for r in run["results"])
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["descriptor"]["id"] for n in notes} == {"unpack.cap.bytes", "inspect.elf.parse"}
    assert {p["policy"] for p in run["properties"]["policies"]} >= {"ndaa-889", "no-telnet"}


def test_claim_result_cites_evidence_with_byte_region() -> None:
    doc = sarif.build(rp.xiongmai_on_hisilicon())
    soc = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "provenance/soc")
    assert "HiSilicon (Hi3516EV200), confidence 1.00" in soc["message"]["text"]
    assert "yara:SOC_HiSilicon_MPP_Version_String at " in soc["message"]["text"]
    region = soc["locations"][0]["physicalLocation"]["region"]
    assert region["byteOffset"] == 0x7F8
    assert region["byteLength"] == len("HI_VERSION=Hi3516EV200_MPP_V1.0.1.2 B030 Release")
    uri = soc["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("usr/lib/libmpi.so") and not uri.startswith("/")
    assert soc["relatedLocations"][0]["physicalLocation"]["region"]["byteOffset"] == 0x100


def test_fingerprints_are_stable_and_distinct() -> None:
    first = sarif.build(rp.xiongmai_on_hisilicon())["runs"][0]["results"]
    second = sarif.build(rp.xiongmai_on_hisilicon())["runs"][0]["results"]
    prints = [r["partialFingerprints"]["fwaudit/v1"] for r in first]
    assert prints == [r["partialFingerprints"]["fwaudit/v1"] for r in second]
    assert len(set(prints)) == len(prints)
    report = rp.xiongmai_on_hisilicon()
    report.claims = [c.__class__(**{**c.__dict__, "confidence": 0.5}) for c in report.claims]
    changed = {r["ruleId"]: r["partialFingerprints"]["fwaudit/v1"] for r in sarif.build(report)["runs"][0]["results"]}
    assert changed["provenance/soc"] in prints  # confidence is not identity


def test_hostile_paths_are_valid_uris() -> None:
    report = rp.report(findings=[rp.finding("x", path='we ird/<a href="x">#?.so')])
    doc = sarif.build(report)
    validate(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert " " not in uri and "<" not in uri and "#" not in uri


@pytest.mark.integration
@pytest.mark.parametrize("manifest", sample_manifests(), ids=lambda m: m["name"])
def test_samples_give_valid_sarif(manifest: dict) -> None:
    report = load_report(rp.scan_sample(manifest["image_path"]))
    doc = sarif.build(report)
    validate(doc)
    assert len(doc["runs"][0]["results"]) == len(report.findings) + len(report.claims)
