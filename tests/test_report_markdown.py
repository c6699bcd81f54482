"""Markdown summary: verdict first, fits a PR comment, hostile strings escaped."""

from __future__ import annotations

import pytest

from audit.load import load_report
from audit.policy import evaluate_policies
from audit.report import markdown
from tests.conftest import sample_manifests
from tests.helpers import reports as rp

GITHUB_COMMENT_LIMIT = 65536


def test_summary_leads_with_the_verdict_and_cites_evidence() -> None:
    report = rp.hikvision_nvr()
    report.policies = evaluate_policies(report)
    text = markdown.render(report)
    assert text.splitlines()[0] == "## fwaudit: fw.bin — ❌ fail"
    assert "| `ndaa-889` | ❌ fail |" in text
    assert "| `uk-gov-2022` | ⚠️ review |" in text
    assert "Hangzhou Hikvision Digital Technology" in text
    assert "home/hik/hicore@0xba8" in text  # evidence location
    assert text.index("Policy verdicts") < text.index("Provenance") < text.index("Findings")


def test_control_passes() -> None:
    report = rp.openwrt_router()
    report.claims += [rp.claim("oem", "lorex", 0.9), rp.claim("soc", "qualcomm", 0.9)]
    report.policies = evaluate_policies(report)
    text = markdown.render(report)
    assert "✅ pass" in text.splitlines()[0]
    assert "❌" not in text and "Policy reasons" not in text


def test_unknown_maker_is_inconclusive_not_pass() -> None:
    report = rp.openwrt_router()
    report.policies = evaluate_policies(report)
    text = markdown.render(report)
    assert "❔ inconclusive" in text.splitlines()[0]
    assert "could not be determined" in text


def test_hostile_strings_cannot_inject_html_or_break_tables() -> None:
    report = rp.xiongmai_on_hisilicon()
    report.findings.append(rp.finding("evil", title="x | y\n## injected [link](https://evil.example) `code`"))
    report.policies = evaluate_policies(report)
    text = markdown.render(report)
    assert "<script" not in text
    assert "&lt;script&gt;" in text
    assert "\n## injected" not in text
    assert "\\[link\\](https://evil.example)" in text
    for line in text.splitlines():
        if line.startswith("| ") and "x \\| y" in line:
            assert line.count(" | ") == 2  # the escaped pipe did not add a column


def test_size_stays_within_a_pr_comment() -> None:
    report = rp.xiongmai_on_hisilicon()
    report.findings = [rp.finding(f"f{i}", title="t" * 300) for i in range(500)]
    report.policies = evaluate_policies(report)
    text = markdown.render(report)
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert "… and 475 more in report.json" in text


@pytest.mark.integration
@pytest.mark.parametrize("manifest", sample_manifests(), ids=lambda m: m["name"])
def test_samples_render(manifest: dict) -> None:
    report = load_report(rp.scan_sample(manifest["image_path"]))
    text = markdown.render(report)
    assert text.startswith(f"## fwaudit: {markdown.md(manifest['image'])} — ")
    assert len(text) < GITHUB_COMMENT_LIMIT
