"""`fwaudit verify`: from a saved report and from an image (a real audit), the outputs (report.json block,
HTML, Markdown, SARIF), the gate, exit 2 with nothing written for a malformed declaration, hostile strings."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.load import load_report
from audit.report import json_report
from tests.conftest import REPO, SAMPLES_BUILD

DATA = REPO / "tests" / "data" / "verify"
GOLDEN = REPO / "tests" / "golden"
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
HOSTILE = '<script>alert("x")</script>'


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def saved_report(tmp_path: Path) -> Path:
    target = tmp_path / "in" / "report.json"
    target.parent.mkdir()
    shutil.copy(GOLDEN / "xm-camera" / "report.json", target)
    return target


def test_verify_report_json_writes_every_format(saved_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = run("verify", str(saved_report), "--declared", str(DATA / "xm-camera.cdx.json"), "-o", str(out),
                     "-f", "all")
    assert code == 0, text
    assert "3 confirmed, 2 contradicted, 2 unverifiable" in text
    report = load_report(out / "report.json")
    assert report.verification and report.verification["schema"] == "fwaudit/verification/v1"
    assert json_report.render(report) == (out / "report.json").read_text()  # loads back to the same bytes
    sarif = json.loads((out / "report.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    ids = {r["properties"]["id"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "verify.contradicted"}
    assert ids == {"component.xiongmai-sofia", "component.undeclared.gcc"}
    html = (out / "report.html").read_text()
    assert 'id="verification"' in html and 'class="v-contradicted"' in html and "badge fail" in html
    assert "### Declared vs found" in (out / "summary.md").read_text()


def test_gate(saved_report: Path, tmp_path: Path) -> None:
    declared = str(DATA / "xm-camera.cdx.json")
    assert run("verify", str(saved_report), "--declared", declared, "-o", str(tmp_path / "a"),
               "--fail-on", "contradicted")[0] == 1
    decl = tmp_path / "ok.yaml"
    decl.write_text("schema: fwaudit/declaration/v1\nodm: xiongmai\nsoc: {vendor: hisilicon}\n")
    assert run("verify", str(saved_report), "--declared", str(decl), "-o", str(tmp_path / "b"),
               "--fail-on", "contradicted")[0] == 0
    decl.write_text("schema: fwaudit/declaration/v1\nodm: xiongmai\ncloud: [xmeye]\n")  # xmeye: a hint
    assert run("verify", str(saved_report), "--declared", str(decl), "-o", str(tmp_path / "c"),
               "--fail-on", "unverifiable")[0] == 1


@pytest.mark.parametrize("name", ["unknown-key.yaml", "unknown-vendor.yaml", "bad-yaml.yaml", "bad-cdx.json",
                                  "bad-spdx.json", "old-cdx.json", "missing.yaml"])
def test_malformed_declaration_exits_2_and_writes_nothing(saved_report: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / "never"
    code, text = run("verify", str(saved_report), "--declared", str(DATA / name), "-o", str(out))
    assert code == 2, text
    assert f"error: {name}" in text or "missing.yaml: no such file" in text, text
    assert not out.exists()


def test_hostile_declared_brand_is_inert(saved_report: Path, tmp_path: Path) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(f"schema: fwaudit/declaration/v1\nbrand: '{HOSTILE}'\nmanufacturer: '{HOSTILE}'\n"
                    f"statements:\n  - {{id: s1, text: '{HOSTILE} [x](javascript:alert(1))'}}\n")
    out = tmp_path / "out"
    assert run("verify", str(saved_report), "--declared", str(decl), "-o", str(out), "-f", "html,markdown")[0] == 0
    html = (out / "report.html").read_text()
    section = html[html.index('id="verification"'):]
    assert "<script>alert" not in section and "&lt;script&gt;alert(&quot;x&quot;)" in section
    md = (out / "summary.md").read_text()
    assert "<script>" not in md
    assert "[x](javascript" not in md and "\\[x\\](javascript" in md  # brackets escaped: no link


@pytest.mark.integration
def test_verify_image_audits_then_verifies(tmp_path: Path) -> None:
    image = SAMPLES_BUILD / "xm-camera.bin"
    if not image.is_file():
        pytest.skip("samples not built (make samples)")
    decl = tmp_path / "d.yaml"
    decl.write_text("schema: fwaudit/declaration/v1\nsoc: {vendor: Ambarella, model: CV25}\n"
                    "excluded_vendors: [huawei]\n")
    out = tmp_path / "out"
    code, text = run("verify", str(image), "--declared", str(decl), "-o", str(out), "-j", "1", "--fail-on",
                     "contradicted", "--workdir", str(tmp_path / "work"))
    assert code == 1, text
    results = {r["id"]: r["status"] for r in json.loads((out / "report.json").read_text())["verification"]["results"]}
    assert results == {"soc.vendor": "contradicted", "soc.model": "contradicted", "excluded.huawei": "contradicted"}
    # the kept work dir lets the bundle carry the cited files; the statement carries the verification summary
    key = tmp_path / "k.pem"
    assert run("bundle", "keygen", "-o", str(key))[0] == 0
    code, text = run("bundle", str(out), "--key", str(key), "-o", str(tmp_path / "case.bundle"))
    assert code == 0 and "0 included" not in text, text
    assert run("bundle", "verify", str(tmp_path / "case.bundle"), "--pub", f"{key}.pub")[0] == 0
    from audit.bundle.check import read_members
    envelope = json.loads(read_members(tmp_path / "case.bundle")["attestation.dsse.json"])
    predicate = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    assert predicate["verification"]["summary"] == {"confirmed": 0, "contradicted": 3, "unverifiable": 0}
