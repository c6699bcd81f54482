"""HTML report: self-contained, escaped, evidence on every claim and finding; rendered in headless Chromium.

The browser test writes screenshots to tests/.cache/artifacts/ (git-ignored) and prints their paths.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from audit.load import load_report
from audit.policy import evaluate_policies
from audit.report import html
from tests.conftest import REPO, sample_manifests
from tests.helpers import reports as rp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / ".cache" / "artifacts"


def hostile_report() -> rp.Report:
    report = rp.xiongmai_on_hisilicon()
    report.policies = evaluate_policies(report)
    return report


def test_hexdump_layout() -> None:
    dump = html.hexdump(b"HI_VERSION=Hi3516\x00\xff", 0x7F8)
    first, second = dump.splitlines()
    assert first == "000007f8  48 49 5f 56 45 52 53 49 4f 4e 3d 48 69 33 35 31  HI_VERSION=Hi351"
    assert second.startswith("00000808  36 00 ff") and second.endswith("6..")


def test_everything_hostile_is_escaped() -> None:
    page = html.render(hostile_report())
    assert rp.HOSTILE not in page
    assert page.count("<script") == 1  # ours only
    assert "&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt;" in page


def test_page_is_self_contained() -> None:
    page = html.render(hostile_report())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.replace('href="https://', 'href="X'))
    assert "<link" not in page and "@import" not in page and "url(" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1) and "'sha256-" in csp.group(1)
    assert "<svg" in page


def test_every_claim_and_finding_opens_its_evidence() -> None:
    report = hostile_report()
    page = html.render(report)
    evidence_blocks = page.count('<div class="ev">')
    assert evidence_blocks >= sum(len(c.evidence) for c in report.claims) + len(report.findings)
    assert "usr/lib/libmpi.so" in page and "0x7f8 (2040)" in page
    assert "000007f8  48 49 5f 56 45 52 53 49" in page  # the matched bytes as a hex dump
    assert 'href="https://github.com/OpenIPC/firmware' in page  # the rule's reference (from rules/yara meta)


def test_sections_in_reading_order() -> None:
    page = html.render(hostile_report())
    ids = ["verdict", "provenance", "graph", "findings", "endpoints", "components", "credentials", "errors"]
    positions = [page.index(f'<section id="{i}"') for i in ids]
    assert positions == sorted(positions)
    assert 'id="overall-verdict">FAIL<' in page


def _chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", *args, url],
        capture_output=True, text=True, timeout=120)


def _render_in_browser(report: rp.Report, name: str, tmp_path: Path) -> str:
    """Screenshot to tests/.cache/artifacts/<name>.png; return the DOM after scripts ran."""
    out = tmp_path / name
    out.mkdir()
    page = html.write(report, out)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    result = _chromium(page.as_uri(), tmp_path / f"profile-{name}", f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.is_file() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    print(f"screenshot: {shot}")
    dom = _chromium(page.as_uri(), tmp_path / f"profile-{name}", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed (apt-get install -y chromium)")
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    report = hostile_report()
    dom = _render_in_browser(report, "report-hostile", tmp_path)
    assert 'data-js="ready"' in dom  # our inline script ran under the CSP
    assert dom.count("<script") == 1  # the hostile string did not become an element
    assert re.search(r'id="overall-verdict">FAIL<', dom)
    assert dom.count('class="policy ') == len(report.policies)
    assert "<svg" in dom and dom.count("<rect") >= 10
    assert "&lt;script&gt;alert" in dom


@pytest.mark.integration
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed (apt-get install -y chromium)")
def test_sample_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    manifest = next((m for m in sample_manifests() if m["name"] == "hik-nvr"), None)
    if manifest is None:
        pytest.skip("samples not built (make samples)")
    report = load_report(rp.scan_sample(manifest["image_path"]))
    dom = _render_in_browser(report, "report-hik-nvr", tmp_path)
    assert 'data-js="ready"' in dom
    assert "hik-nvr.dav" in dom and 'id="overall-verdict"' in dom
    assert dom.count('class="policy ') == len(report.policies) > 0
