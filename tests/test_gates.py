"""`--fail-on` levels and exit codes (0 ok / 1 at or above / 2 usage / 3 audit failed), and `--baseline`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.gates import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FAIL_ON, apply_baseline, gate
from audit.model import PolicyResult
from audit.report import json_report
from tests.conftest import sample_manifests
from tests.helpers import reports as rp


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def medium_and_review() -> rp.Report:
    """Worst finding `medium`, worst policy verdict `review`."""
    rep = rp.report(findings=[rp.finding("a", "medium"), rp.finding("b", "low"), rp.finding("c", "info")])
    rep.policies = [PolicyResult("p1", "review", ("r",)), PolicyResult("p2", "pass")]
    return rep


def critical_and_fail() -> rp.Report:
    rep = rp.report(findings=[rp.finding("a", "critical")])
    rep.policies = [PolicyResult("p1", "fail", ("f",))]
    return rep


EXPECTED = {  # fail-on level -> (exit for medium_and_review, exit for critical_and_fail, exit for a clean report)
    "none": (0, 0, 0), "inconclusive": (1, 1, 0), "review": (1, 1, 0), "fail": (0, 1, 0),
    "low": (1, 1, 0), "medium": (1, 1, 0), "high": (0, 1, 0), "critical": (0, 1, 0),
}


def test_every_level_is_tested() -> None:
    assert set(EXPECTED) == set(FAIL_ON)
    assert (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED) == (0, 1, 2, 3)


@pytest.mark.parametrize("level", FAIL_ON)
def test_gate_levels(level: str) -> None:
    clean = rp.report(findings=[rp.finding("x", "info")])
    clean.policies = [PolicyResult("p", "pass")]
    got = tuple(gate(r, level).exit_code for r in (medium_and_review(), critical_and_fail(), clean))
    assert got == EXPECTED[level]


def test_gate_names_what_tripped() -> None:
    assert gate(medium_and_review(), "review").reasons == ("policy p1: review",)
    assert gate(medium_and_review(), "low").reasons == ("finding a: medium", "finding b: low")
    with pytest.raises(ValueError, match="unknown --fail-on"):
        gate(medium_and_review(), "severe")


@pytest.mark.parametrize("level", FAIL_ON)
def test_cli_exit_code_per_level(tmp_path: Path, level: str) -> None:
    """`fwaudit report SAVED.json --fail-on LEVEL`: same gate without rescanning."""
    for index, build in enumerate((medium_and_review, critical_and_fail)):
        saved = json_report.write(build(), tmp_path)
        result = _cli("report", str(saved), "-f", "markdown", "--fail-on", level, "-q", cwd=tmp_path)
        assert result.returncode == EXPECTED[level][index], (build.__name__, result.stdout, result.stderr)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    saved = json_report.write(medium_and_review(), tmp_path)
    assert _cli("report", str(saved), "--fail-on", "severe", cwd=tmp_path).returncode == EXIT_USAGE
    assert _cli("report", str(saved), "-f", "pdf", cwd=tmp_path).returncode == EXIT_USAGE
    bad_policy = tmp_path / "bad.yaml"
    bad_policy.write_text("policy: x\nrules: [{verdict: maybe, claims: {}}]\n")
    image = tmp_path / "x.bin"
    image.write_bytes(b"x" * 100)
    result = _cli("scan", str(image), "--policy", str(bad_policy), cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert "verdict must be one of" in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"), ("not json", "not JSON"), ('{"schema": "other/v9"}', "expected 'fwaudit/report/v1'"),
    ('{"schema": "fwaudit/report/v1", "tool": {}, "image": {}, "findings": [{"id": 1}]}', "missing field"),
])
def test_unusable_report_exits_3(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    for args in (("report", str(path)), ("diff", str(path), str(path))):
        result = _cli(*args, cwd=tmp_path)
        assert result.returncode == EXIT_FAILED
        assert message in result.stderr and "Traceback" not in result.stderr
    image = tmp_path / "x.bin"
    image.write_bytes(b"x" * 100)
    assert _cli("scan", str(image), "--baseline", str(path), cwd=tmp_path).returncode == EXIT_FAILED


def test_baseline_keeps_only_what_is_new() -> None:
    old = rp.xiongmai_on_hisilicon()
    old.policies = [PolicyResult("no-telnet", "fail"), PolicyResult("ndaa-889", "review")]
    new = rp.xiongmai_on_hisilicon()
    new.findings = [*new.findings, rp.finding("services.new-thing", "high", title="a new problem")]
    new.claims = [*new.claims, rp.claim("cloud", "hik-connect", 0.9)]
    new.policies = [PolicyResult("no-telnet", "fail"), PolicyResult("ndaa-889", "fail")]
    kept = apply_baseline(new, old)
    assert [f.id for f in kept.findings] == ["services.new-thing"]
    assert [(c.layer, c.entity) for c in kept.claims] == [("cloud", "hik-connect")]
    assert [(p.policy, p.verdict) for p in kept.policies] == [("ndaa-889", "fail")]
    assert kept.hints == [] and kept.endpoints == [] and kept.components == []
    assert kept.run["baseline"]["suppressed"]["findings"] == 4
    assert gate(kept, "medium").exit_code == 1 and gate(apply_baseline(old, old), "low").exit_code == 0
    assert len(new.findings) == 5  # the input report is not modified


@pytest.mark.integration
def test_scan_fail_on_and_baseline_on_samples(tmp_path: Path) -> None:
    by_name = {m["name"]: m for m in sample_manifests()}
    if not {"xm-camera", "openwrt-router"} <= set(by_name):
        pytest.skip("samples not built (make samples)")
    control = by_name["openwrt-router"]["image_path"]
    camera = by_name["xm-camera"]["image_path"]
    assert _cli("scan", str(control), "-o", str(tmp_path / "c"), "-q", "--fail-on", "review",
                cwd=tmp_path).returncode == EXIT_OK
    first = _cli("scan", str(camera), "-o", str(tmp_path / "a"), "-q", "--fail-on", "review", cwd=tmp_path)
    assert first.returncode == EXIT_FINDINGS, first.stderr
    again = _cli("scan", str(camera), "-o", str(tmp_path / "b"), "-q", "--fail-on", "review",
                 "--baseline", str(tmp_path / "a" / "report.json"), cwd=tmp_path)
    assert again.returncode == EXIT_OK, again.stderr  # nothing new since the baseline
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert report["run"]["baseline"]["image"] == "xm-camera.bin"
    assert report["provenance"]["claims"] == [] and report["findings"] == [] and report["policies"] == []
