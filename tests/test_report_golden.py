"""Golden files: every format for every bundled sample, volatile fields redacted (tests/golden/<sample>/<file>).

Compare by default; rewrite only with `pytest --update-golden tests/test_report_golden.py`. Reports are
rendered from the scanned report.json (which also exercises `load_report`), with the run block, tool version
and rules digest replaced by fixed markers.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from audit.load import load_report
from audit.report import REPORTERS
from tests.conftest import REPO, sample_manifests
from tests.helpers import reports as rp

GOLDEN = REPO / "tests" / "golden"


def _compare_or_update(path: Path, text: str, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"no golden file {path.relative_to(REPO)}; run pytest --update-golden {Path(__file__).name}")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "golden", "now", n=1))
        pytest.fail(f"{path.relative_to(REPO)} differs (pytest --update-golden to accept):\n{diff[:4000]}")


def test_redaction_removes_volatile_fields() -> None:
    report = rp.redacted(rp.report())
    assert report.run == {"redacted": "run block (time, duration, config, work dir)"}
    assert report.tool["version"] == "<version>" and report.tool["rules_digest"] == "<rules-digest>"


@pytest.mark.integration
@pytest.mark.parametrize("manifest", sample_manifests(), ids=lambda m: m["name"])
@pytest.mark.parametrize("writer", REPORTERS, ids=lambda w: w.NAME)
def test_golden(manifest: dict, writer, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    report = rp.redacted(load_report(rp.scan_sample(manifest["image_path"])))
    # CycloneDX stamps "now" when the (redacted) report has no start time: volatile, so redacted too
    text = re.sub(r'"timestamp": "[^"]*"', '"timestamp": "<timestamp>"', writer.render(report))
    assert "/tmp/" not in text and str(REPO) not in text  # no absolute machine paths
    _compare_or_update(GOLDEN / manifest["name"] / writer.FILENAME, text, request.config.getoption("--update-golden"))
