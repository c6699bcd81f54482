"""`load_report` round trip and `fwaudit report` re-rendering from a saved report.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.load import ReportLoadError, load_report, report_from_dict
from audit.policy import evaluate_policies
from audit.report import FORMATS, REPORTERS, json_report, write_reports
from tests.conftest import sample_manifests
from tests.helpers import reports as rp


def test_round_trip_is_exact(tmp_path: Path) -> None:
    report = rp.xiongmai_on_hisilicon()
    report.policies = evaluate_policies(report)
    saved = json_report.write(report, tmp_path)
    loaded = load_report(saved)
    assert json_report.render(loaded) == saved.read_text()
    soc = next(c for c in loaded.claims if c.layer == "soc")
    assert soc == next(c for c in report.claims if c.layer == "soc")  # dataclasses, tuples and all
    assert isinstance(soc.evidence, tuple) and isinstance(soc.evidence[0].chain, tuple)


def test_schema_is_checked() -> None:
    with pytest.raises(ReportLoadError, match="schema"):
        report_from_dict({"schema": "fwaudit/report/v0", "tool": {}, "image": {}})
    with pytest.raises(ReportLoadError, match=r"provenance\.claims\[0\]: missing field 'layer'"):
        report_from_dict({"schema": "fwaudit/report/v1", "tool": {}, "image": {},
                          "provenance": {"claims": [{"entity": "x"}]}})


def test_all_formats_are_registered() -> None:
    assert {"json", "sarif", "html", "markdown"} <= set(FORMATS)
    assert len({m.FILENAME for m in REPORTERS}) == len(REPORTERS)


def test_report_command_re_renders_every_format(tmp_path: Path) -> None:
    report = rp.xiongmai_on_hisilicon()
    report.policies = evaluate_policies(report)
    direct = tmp_path / "direct"
    write_reports(report, direct, FORMATS)
    saved = direct / "report.json"
    out = tmp_path / "again"
    result = subprocess.run([sys.executable, "-m", "audit.cli", "report", str(saved), "-f", "all", "-o", str(out),
                             "-q"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for module in REPORTERS:
        assert (out / module.FILENAME).read_text() == (direct / module.FILENAME).read_text(), module.NAME
    in_place = subprocess.run([sys.executable, "-m", "audit.cli", "report", str(saved), "-f", "all", "-q"],
                              capture_output=True, text=True, timeout=120)
    assert in_place.returncode == 0 and saved.read_text() == (out / "report.json").read_text()


@pytest.mark.integration
def test_scan_writes_every_format(tmp_path: Path) -> None:
    manifest = next((m for m in sample_manifests() if m["name"] == "xm-camera"), None)
    if manifest is None:
        pytest.skip("samples not built (make samples)")
    result = subprocess.run([sys.executable, "-m", "audit.cli", "scan", str(manifest["image_path"]), "-o",
                             str(tmp_path), "-f", "all", "-q"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for module in REPORTERS:
        assert (tmp_path / module.FILENAME).stat().st_size > 100, module.NAME
    assert json.loads((tmp_path / "report.json").read_text())["policies"]


@pytest.mark.parametrize("golden", sorted((Path(__file__).parent / "golden").glob("*/report.json")),
                         ids=lambda p: p.parent.name)
def test_a_saved_report_loads_back_to_the_same_bytes(golden: Path) -> None:
    """Everything a report holds survives a load (vulnerabilities included): re-rendering is lossless."""
    text = golden.read_text(encoding="utf-8")
    assert json_report.render(report_from_dict(json.loads(text))) == text
