"""Acceptance on the built samples: every expected endpoint (with owner), credential, backdoor and component
is found through the real pipeline pieces (unpack + inventory, inspect, scan, findings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.findings import find_all
from audit.inspect import inspect_files
from audit.knowledge import load_knowledge
from audit.model import AuditConfig, Report
from audit.pipeline import run
from audit.scan import scan_files
from tests.conftest import REPO, SAMPLES_BUILD

EXPECTED = REPO / "samples" / "expected"
SAMPLES = sorted(p.stem for p in EXPECTED.glob("*.yaml"))
RISKY_RULES = {  # expected `risky` id -> finding rule (and, when it matters, the user in the title)
    "telnetd-started-at-boot": ("services.telnet-at-boot", None),
    "xiongmai-opentelnet-backdoor": ("yara.SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor", None),
    "hardcoded-root-password": ("credentials.known-default-password", "root"),
    "empty-admin-password": ("credentials.empty-password", "admin"),
    "hidden-default-account": ("credentials.known-default-password", "default"),
    "weak-hash-des-crypt": ("credentials.weak-password-hash", "root"),
    "p2p-cloud-library": ("services.p2p-relay-sdk", None),
    "vendor-restricted-shell": ("credentials.vendor-login-shell", "root"),
}
NOT_COVERED: set[str] = set()
KB = load_knowledge()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Report]]:
    out = {}
    for name in SAMPLES:
        expected = yaml.safe_load((EXPECTED / f"{name}.yaml").read_text(encoding="utf-8"))
        image = SAMPLES_BUILD / expected["image"]
        if not image.exists():
            pytest.skip(f"samples not built ({image}); run `python3 samples/build.py`")
        report = run(AuditConfig(image=image, workdir=tmp_path_factory.mktemp(name), jobs=1))
        out[name] = (expected, report)  # the pipeline ran inspect, scan and findings: read its results
    return out


def _owner_ok(found: dict[str, Any], expected: str) -> bool:
    if expected == "multicast":
        return found["ip_class"] == "multicast"
    owner = found["owner"]
    if owner == expected:
        return True
    if owner and owner in KB and expected in KB:
        return KB.same_group(owner, expected)
    known_owners = {row["owner"] for row in KB.endpoints}
    return owner is None and expected not in KB and expected not in known_owners  # fictitious brand


def _endpoint(result: Report, value: str) -> dict[str, Any] | None:
    for ep in result.endpoints:
        if value in (ep["value"], ep["host"]):
            return ep
    for ep in result.endpoints:  # a suffix the compiler tail-merged into a longer string (ys7.com)
        if ep["registered_domain"] == value and ep["host"].endswith("." + value):
            return ep
    return None


@pytest.mark.parametrize("name", SAMPLES)
def test_expected_endpoints_with_owner(name: str, results: dict) -> None:
    expected, result = results[name]
    for row in expected.get("endpoints", []):
        ep = _endpoint(result, str(row["value"]))
        assert ep is not None, f"{name}: endpoint {row['value']} not found"
        assert _owner_ok(ep, str(row["owner"])), f"{name}: {row['value']} owner {ep['owner']} != {row['owner']}"
        if ep["owner"]:
            assert ep["category"] in {"vendor-cloud", "p2p-relay", "update", "ntp", "dns", "telemetry"}
        assert ep["occurrences"] and ep["occurrences"][0]["sha256"]


@pytest.mark.parametrize("name", SAMPLES)
def test_expected_credentials(name: str, results: dict) -> None:
    expected, result = results[name]
    creds = [f for f in result.findings if f.category == "credentials"]
    for row in expected.get("credentials", []):
        where = str(row["where"]).rsplit("/", 1)[-1]
        mine = [f for f in creds if f.path.endswith(where) and f.title.startswith(f"{row['user']}:")]
        if row.get("plaintext") is None:
            assert not mine, f"{name}: locked account {row['user']} reported"
            continue
        assert mine, f"{name}: credential {row['user']} in {row['where']} not found"
        assert all(f.cwe and f.evidence and f.evidence[0].sha256 for f in mine)
        if row["plaintext"]:
            assert any(repr(row["plaintext"]) in f.title for f in mine)


@pytest.mark.parametrize("name", SAMPLES)
def test_expected_backdoors_and_risky(name: str, results: dict) -> None:
    expected, result = results[name]
    for row in expected.get("risky", []):
        if row["id"] in NOT_COVERED:
            continue
        rule, user = RISKY_RULES[row["id"]]
        where = str(row["where"]).rsplit("/", 1)[-1]
        hits = [f for f in result.findings if f.rule == rule and f.path.endswith(where)
                and (user is None or f.title.startswith(f"{user}:"))]
        assert hits, f"{name}: risky {row['id']} ({rule}) not found in {where}"
        assert all(e.path and e.sha256 and e.matched for f in hits for e in f.evidence)


@pytest.mark.parametrize("name", SAMPLES)
def test_expected_components(name: str, results: dict) -> None:
    expected, result = results[name]
    for row in expected.get("components", []):
        versions = {c["version"] for c in result.components if c["name"] == row["name"]}
        assert versions, f"{name}: component {row['name']} not found"
        if row.get("version") is not None:
            assert str(row["version"]) in versions, f"{name}: {row['name']} versions {versions}"
    for comp in result.components:
        assert comp["purl"].startswith("pkg:") and comp["occurrences"]


def test_control_router_has_no_vendor_cloud_or_credentials(results: dict) -> None:
    _, result = results["openwrt-router"]
    assert not [e for e in result.endpoints if e["category"] in ("vendor-cloud", "p2p-relay")]
    assert not [f for f in result.findings if f.category == "credentials"]
    assert not [f for f in result.findings if f.severity in ("high", "critical")]


def test_v2_lost_the_telnet_backdoor(results: dict) -> None:
    _, v1 = results["xm-camera"]
    _, v2 = results["xm-camera-v2"]
    backdoor = "yara.SUSPICIOUS_Xiongmai_Telnet_Enable_Backdoor"
    assert any(f.rule == backdoor for f in v1.findings)
    assert not any(f.rule in (backdoor, "services.telnet-at-boot") for f in v2.findings)


def _stages_of(image: Path, tmp_path: Path) -> tuple[Report, list, list, list]:
    """A kept audit of `image`: its report, (disk path, record) items, facts and YARA matches."""
    report = run(AuditConfig(image=image, workdir=tmp_path, keep=True, jobs=1))
    base = tmp_path / f"{image.name}.fwaudit" / "extract"
    items = [(base / r.path, r) for r in report.files if r.kind == "file"]
    facts, _ = inspect_files(items)
    matches, _ = scan_files(items)
    return report, items, facts, matches


def test_results_are_deterministic(results: dict, tmp_path: Path) -> None:
    expected, first = results["xm-camera"]
    image = SAMPLES_BUILD / expected["image"]
    report, items, facts, matches = _stages_of(image, tmp_path)
    again = find_all(list(reversed(items)), report.files, facts, matches, jobs=2)
    assert again.endpoints == first.endpoints
    assert again.components == first.components
    stage_findings = [f for f in first.findings if f.category != "provenance"]  # relabels come from attribution
    assert [f.id for f in again.findings] == [f.id for f in stage_findings]


def test_large_files_first_and_in_process_give_the_same_findings(results: dict, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import audit.findings as findings_pkg
    from audit import alone

    expected, _ = results["xm-camera"]
    image = SAMPLES_BUILD / expected["image"]
    report, items, facts, matches = _stages_of(image, tmp_path)
    monkeypatch.setattr(findings_pkg, "POOL_THRESHOLD", 2)
    pooled = find_all(items, report.files, facts, matches, jobs=2)
    monkeypatch.setattr(alone, "ALONE_BYTES", sorted(r.size for _, r in items)[-3])
    split = find_all(items, report.files, facts, matches, jobs=2)
    assert (split.findings, split.endpoints, split.components) == (pooled.findings, pooled.endpoints,
                                                                    pooled.components)
    assert pooled.findings and pooled.endpoints
