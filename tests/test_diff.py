"""`fwaudit diff`: added/removed/changed records between two firmware versions."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from audit.diff import diff_reports, has_changes, render_text
from audit.fingerprints import stable_path
from audit.load import load_report
from tests.conftest import REPO, sample_manifests
from tests.helpers import reports as rp


def test_stable_path_drops_image_name_and_carve_offsets() -> None:
    a = stable_path("xm-camera.bin_extract/romfs.img_extract/64-8256.squashfs_v4_le_extract/usr/bin/Sofia",
                    "xm-camera.bin")
    b = stable_path("xm-camera-v2.bin_extract/romfs.img_extract/64-9000.squashfs_v4_le_extract/usr/bin/Sofia",
                    "xm-camera-v2.bin")
    assert a == b == "<image>_extract/romfs.img_extract/squashfs_v4_le_extract/usr/bin/Sofia"
    assert stable_path("other/1-2.bin", "xm.bin") == "other/bin"


def test_identical_reports_have_no_changes() -> None:
    diff = diff_reports(rp.xiongmai_on_hisilicon(), rp.xiongmai_on_hisilicon())
    assert not has_changes(diff)
    assert render_text(diff).endswith("no changes\n")


def test_every_section_reports_its_changes() -> None:
    old, new = rp.xiongmai_on_hisilicon(), rp.xiongmai_on_hisilicon()
    new.claims = [replace(c, detail="Hi3516EV300") if c.layer == "soc" else c for c in new.claims
                  if c.layer != "toolchain"] + [rp.claim("oem", "hilook", 0.9)]
    new.findings = [f for f in new.findings if "telnetd" not in f.id]
    new.endpoints = [*new.endpoints[1:], {"value": "new.example.com", "owner": None}]
    new.components = [{**new.components[0], "version": "4.9.38"}]
    diff = diff_reports(old, new)
    assert [c["key"] for c in diff["claims"]["added"]] == ["oem/hilook"]
    assert [c["key"] for c in diff["claims"]["removed"]] == ["toolchain/hisilicon"]
    assert diff["claims"]["changed"] == [
        {"key": "soc/hisilicon", "detail": {"from": "Hi3516EV200", "to": "Hi3516EV300"}}]
    assert [f["id"] for f in diff["findings"]["removed"]] == ["service.telnetd-started-at-boot"]
    assert [e["key"] for e in diff["endpoints"]["added"]] == ["new.example.com"]
    assert [e["key"] for e in diff["endpoints"]["removed"]] == ["xmeye.net"]
    assert diff["components"]["changed"] == [{"key": "linux", "version": {"from": "4.9.37", "to": "4.9.38"}}]
    assert [c["key"] for c in diff["components"]["removed"]] == ["hisilicon-mpp"]
    text = render_text(diff)
    assert "+ oem/hilook" in text and "~ linux  (version 4.9.37 -> 4.9.38)" in text
    assert "- [high] telnetd started at boot by rcS" in text


def test_hint_becoming_claim_is_a_change() -> None:
    old = rp.report(hints=[rp.claim("cloud", "xmeye", 0.6)])
    new = rp.report(claims=[rp.claim("cloud", "xmeye", 0.9)])
    changed = diff_reports(old, new)["claims"]["changed"]
    assert changed == [{"key": "cloud/xmeye", "level": {"from": "hint", "to": "claim"}}]


@pytest.mark.integration
def test_xm_camera_v1_to_v2_shows_exactly_what_changed(tmp_path: Path) -> None:
    images = {m["name"]: m["image_path"] for m in sample_manifests()}
    if not {"xm-camera", "xm-camera-v2"} <= set(images):
        pytest.skip("samples not built (make samples)")
    old_path, new_path = rp.scan_sample(images["xm-camera"]), rp.scan_sample(images["xm-camera-v2"])
    expected = yaml.safe_load((REPO / "samples" / "expected" / "xm-camera-v2.yaml").read_text())
    assert expected["changes_from"] == "xm-camera"
    result = subprocess.run([sys.executable, "-m", "audit.cli", "diff", str(old_path), str(new_path), "--format",
                             "json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    changed_files = {f["fs_path"] for f in diff["files"]["changed"]}
    want_files = {c["where"] for c in expected["changes"] if c["kind"] == "file-changed"}
    assert changed_files == want_files | {"/InstallDesc"}  # + the upgrade script's version bump
    assert not diff["files"]["added"] and not diff["files"]["removed"]
    old, new = load_report(old_path), load_report(new_path)
    if old.components or new.components:  # the findings stage is integrated: components, endpoints, findings
        versions = {c["key"]: c["version"] for c in diff["components"]["changed"]}
        assert versions["hisilicon-mpp"] == {"from": "V1.0.1.2 B030", "to": "V1.0.1.2 B040"}
        assert [e["key"] for e in diff["endpoints"]["added"]] == ["upgrade.northwind-security.example"]
        assert not diff["endpoints"]["removed"]
        removed = " ".join(f["rule"] + " " + f["label"] for f in diff["findings"]["removed"])
        assert "telnet" in removed.lower() and "OpenTelnet" in removed
        assert not diff["findings"]["added"]
        assert not diff["claims"]["added"] and not diff["claims"]["removed"]
