"""Policies as data: verdicts and reasons over hand-built reports (claims with evidence, hints, findings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.knowledge import load_knowledge
from audit.model import PolicyResult
from audit.policy import POLICIES_DIR, PolicyError, evaluate_policies, load_policies, load_policy_file, parse_policy
from tests.helpers import reports as rp

KB = load_knowledge()
BUNDLED = {"ndaa-889", "fcc-covered-list", "uk-gov-2022", "no-telnet", "no-default-credentials",
           "no-known-backdoor", "no-unknown-cloud"}


def verdicts(report: rp.Report, extra: tuple[Path, ...] = ()) -> dict[str, PolicyResult]:
    return {p.policy: p for p in evaluate_policies(report, extra, KB)}


def test_bundled_policies_load_and_cite_references() -> None:
    policies = {p.id: p for p in load_policies()}
    assert set(policies) == BUNDLED
    for policy in policies.values():
        assert policy.references and all(r.startswith("https://") for r in policy.references), policy.id
    assert any("FCC-22-84" in r for r in policies["fcc-covered-list"].references)
    assert any("fcc.gov/supplychain/coveredlist" in r for r in policies["fcc-covered-list"].references)
    assert any("hcws386" in r for r in policies["uk-gov-2022"].references)


def test_policy_yaml_names_no_list_member_that_the_knowledge_base_lacks() -> None:
    """List membership lives in rules/vendors; a policy only refers to entities the knowledge base knows."""
    for path in POLICIES_DIR.glob("*.yaml"):
        policy = load_policy_file(path)
        for rule in policy.rules:
            for key in ("entity", "group"):
                for entity in rule.match.get(key, []):
                    assert entity in KB, f"{path.name}: {entity}"
        assert all(e in KB for e in policy.entities), path.name


def test_hikvision_fails_ndaa_with_scope_and_cited_evidence() -> None:
    result = verdicts(rp.hikvision_nvr())
    ndaa = result["ndaa-889"]
    assert ndaa.verdict == "fail"
    fail = next(r for r in ndaa.reasons if r.startswith("fail [covered-video-surveillance-producer]"))
    assert "claim odm/hikvision (0.90): evidence yara:ODM_Hikvision_Davinci_Platform at " in fail
    assert "home/hik/hicore@0xba8" in fail
    assert "public safety" in fail and "critical infrastructure" in fail and "national security" in fail
    assert any(r.startswith("fail [covered-service]") and "hik-connect" in r for r in ndaa.reasons)
    assert result["fcc-covered-list"].verdict == "fail"
    assert any("2021-03-12" in r and "FCC 22-84" in r for r in result["fcc-covered-list"].reasons)
    assert result["uk-gov-2022"].verdict == "review"


def test_xiongmai_on_hisilicon_is_review_not_fail_and_says_why() -> None:
    ndaa = verdicts(rp.xiongmai_on_hisilicon())["ndaa-889"]
    assert ndaa.verdict == "review"
    soc = next(r for r in ndaa.reasons if "claim soc/hisilicon" in r)
    assert soc.startswith("review [covered-affiliate-component]")
    assert "Huawei Technologies-affiliate component" in soc
    assert "yara:SOC_HiSilicon_MPP_Version_String at " in soc and "usr/lib/libmpi.so@0x7f8" in soc
    assert any("does not support `fail`" in r for r in ndaa.reasons)
    assert not any("xiongmai" in r for r in ndaa.reasons if r.startswith(("fail", "review")))


def test_xiongmai_on_hisilicon_fails_when_a_covered_entity_is_also_claimed() -> None:
    report = rp.xiongmai_on_hisilicon()
    report.claims.append(rp.claim("oem", "hilook", 0.9))  # a Hikvision brand on the box
    ndaa = verdicts(report)["ndaa-889"]
    assert ndaa.verdict == "fail"
    assert ndaa.reasons[0].startswith("fail [covered-video-surveillance-producer]")
    assert "HiLook" in ndaa.reasons[0] and "Hangzhou Hikvision" in ndaa.reasons[0]


@pytest.mark.parametrize(("entity", "rule"), [("zte", "covered-telecom-producer"),
                                              ("sepura", "covered-video-surveillance-producer"),
                                              ("imou", "covered-video-surveillance-producer")])
def test_subsidiaries_and_brands_inherit_the_list(entity: str, rule: str) -> None:
    ndaa = verdicts(rp.report(claims=[rp.claim("oem", entity, 0.9)]))["ndaa-889"]
    assert ndaa.verdict == "fail"
    assert ndaa.reasons[0].startswith(f"fail [{rule}]")


def test_former_parent_does_not_count() -> None:
    """Lorex left Dahua in 2022: only current parents carry a list."""
    result = verdicts(rp.report(claims=[rp.claim("oem", "lorex", 0.95), rp.claim("soc", "novatek", 0.9)]))
    assert result["ndaa-889"].verdict == "pass"
    assert result["uk-gov-2022"].verdict == "pass"  # Canadian, owned from Taiwan


def test_goke_is_not_treated_as_hisilicon() -> None:
    result = verdicts(rp.goke_camera())
    for policy in ("ndaa-889", "fcc-covered-list"):  # no covered entity; the maker is unknown, so not a pass
        assert result[policy].verdict == "inconclusive"
        assert result[policy].undetermined == ("odm|oem",)
        assert not any(r.startswith(("fail", "review")) for r in result[policy].reasons)


def test_control_router_passes_every_policy() -> None:
    router = rp.openwrt_router()
    router.claims += [rp.claim("oem", "lorex", 0.9), rp.claim("soc", "qualcomm", 0.9)]
    result = verdicts(router)
    assert set(result) == BUNDLED
    assert {p: r.verdict for p, r in result.items()} == dict.fromkeys(BUNDLED, "pass")
    assert all(r.reasons for r in result.values())  # silence is explained too


def test_unknown_is_not_pass() -> None:
    """A device whose maker and SoC no claim establishes: the covered-vendor policies are inconclusive."""
    result = verdicts(rp.openwrt_router())
    assert result["ndaa-889"].verdict == "inconclusive"
    assert result["ndaa-889"].undetermined == ("odm|oem", "soc")
    assert result["uk-gov-2022"].undetermined == ("odm|oem",)
    assert any("could not be determined" in r for r in result["fcc-covered-list"].reasons)
    assert result["no-telnet"].verdict == "pass"  # policies over findings judge no layer
    hinted = verdicts(rp.hint_only())  # review outranks inconclusive: a hint of a covered vendor is shown
    assert hinted["ndaa-889"].verdict == "review" and hinted["ndaa-889"].undetermined == ("odm|oem", "soc")


def test_hints_give_review_at_most() -> None:
    result = verdicts(rp.hint_only())
    ndaa = result["ndaa-889"]
    assert ndaa.verdict == "review"
    assert all("hint below the claim threshold" in r for r in ndaa.reasons if r.startswith("review ["))
    assert any("hint odm/hikvision (0.50)" in r for r in ndaa.reasons)
    assert not any(r.startswith("fail") for r in ndaa.reasons)
    assert result["fcc-covered-list"].verdict == "review"


def test_security_policies_over_findings() -> None:
    result = verdicts(rp.xiongmai_on_hisilicon())
    assert result["no-telnet"].verdict == "fail"
    assert any("service.telnetd-started-at-boot" in r for r in result["no-telnet"].reasons)
    assert result["no-default-credentials"].verdict == "fail"
    assert "credentials.hardcoded-root-password" in result["no-default-credentials"].reasons[0]
    assert result["no-known-backdoor"].verdict == "fail"
    assert any("fact:SUSPICIOUS_Xiongmai_OpenTelnet at " in r for r in result["no-known-backdoor"].reasons)
    assert result["no-unknown-cloud"].verdict == "pass"


def test_unknown_endpoint_needs_review() -> None:
    endpoint = {"value": "upgrade.example.net", "kind": "domain", "owner": None, "category": "unknown",
                "headline": True, "occurrences": [{"path": "usr/bin/app", "offset": 16}]}
    result = verdicts(rp.report(endpoints=[endpoint]))["no-unknown-cloud"]
    assert result.verdict == "review"
    assert "endpoint upgrade.example.net (owner unknown) in usr/bin/app@0x10" in result.reasons[0]


CUSTOM = """
policy: no-chinese-soc
title: No SoC from a PRC vendor
references: [https://example.org/procurement-rule]
rules:
  - id: prc-soc
    verdict: fail
    message: "{entity_name} chip ({country})"
    claims: {layer: soc, country: CN, min_confidence: 0.9}
  - id: high-findings
    verdict: review
    message: a high or critical finding
    findings: {min_severity: high}
"""


def test_custom_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text(CUSTOM)
    custom = verdicts(rp.xiongmai_on_hisilicon(), (path,))["no-chinese-soc"]
    assert custom.verdict == "fail"
    assert custom.reasons[0].startswith("fail [prc-soc]: HiSilicon chip (CN) — claim soc/hisilicon")
    assert any(r.startswith("review [high-findings]") for r in custom.reasons)
    assert verdicts(rp.report(claims=[rp.claim("soc", "hisilicon", 0.85)]), (path,))["no-chinese-soc"].verdict == "pass"
    assert verdicts(rp.report(claims=[rp.claim("soc", "ambarella", 0.99)]), (path,))["no-chinese-soc"].verdict == "pass"


def test_custom_policy_replaces_a_bundled_one(tmp_path: Path) -> None:
    strict = (POLICIES_DIR / "uk-gov-2022.yaml").read_text().replace("verdict: review", "verdict: fail")
    path = tmp_path / "uk-strict.yaml"
    path.write_text(strict)
    assert verdicts(rp.hikvision_nvr())["uk-gov-2022"].verdict == "review"
    assert verdicts(rp.hikvision_nvr(), (path,))["uk-gov-2022"].verdict == "fail"
    assert verdicts(rp.report(hints=[rp.claim("odm", "hikvision", 0.5)]), (path,))["uk-gov-2022"].verdict == "review"


@pytest.mark.parametrize("doc", [
    {"rules": []},
    {"policy": "x", "rules": [{"verdict": "fail", "claims": {"colour": "red"}}]},
    {"policy": "x", "rules": [{"verdict": "maybe", "claims": {}}]},
    {"policy": "x", "rules": [{"verdict": "fail", "claims": {}, "findings": {}}]},
    {"policy": "x", "rules": [{"verdict": "fail", "findings": {"min_severity": "urgent"}}]},
    {"policy": "x", "rules": [], "python": "import os"},
])
def test_malformed_policies_are_rejected(doc: dict) -> None:
    with pytest.raises(PolicyError):
        parse_policy(doc, "test.yaml")


def test_hostile_strings_stay_data_in_reasons() -> None:
    reasons = " ".join(verdicts(rp.xiongmai_on_hisilicon())["uk-gov-2022"].reasons)
    assert rp.HOSTILE in reasons  # kept verbatim: escaping is the writers' job
    assert "{" not in reasons.replace(rp.HOSTILE, "")  # every template field was filled


def test_examples_in_docs_are_valid_policies() -> None:
    import re

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "policies.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    for block in blocks:
        policy = parse_policy(yaml.safe_load(block), "docs/policies.md")
        assert policy.rules
