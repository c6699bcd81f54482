"""File names that are not UTF-8 (GBK, Latin-1 member names): kept losslessly, written in every format."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from audit.load import load_report
from audit.model import AuditError, FileRecord, Report
from audit.names import disk_name, escape_name, raw_hex
from audit.report import FORMATS, write_reports

GBK = "测试".encode("gbk")  # b'\xb2\xe2\xca\xd4': not UTF-8
RAW_NAME = os.fsdecode(b"dir/" + GBK + b".txt")


def test_escape_is_lossless_with_the_raw_field() -> None:
    assert escape_name(RAW_NAME) == "dir/\\xb2\\xe2\\xca\\xd4.txt"
    assert raw_hex(RAW_NAME) == (b"dir/" + GBK + b".txt").hex()
    assert disk_name(escape_name(RAW_NAME), raw_hex(RAW_NAME)) == RAW_NAME
    assert escape_name("bin/busybox") == "bin/busybox"
    assert raw_hex("bin/busybox") is None
    assert raw_hex("名字") is None  # valid UTF-8 stays as is
    assert escape_name("a\ud800b") == "a\\ud800b"  # a lone surrogate from JSON never crashes a writer


def _report_with_raw_names() -> Report:
    rec = FileRecord(path=RAW_NAME, fs_path="/" + RAW_NAME, kind="file", size=1, mode=0o644, sha256="0" * 64)
    err = AuditError(kind="unpack.problem", stage="unpack", message=f"cannot read {RAW_NAME}", path=RAW_NAME)
    return Report(tool={"name": "fwaudit", "version": "0", "rules_digest": "x"}, run={},
                  image={"name": os.fsdecode(GBK + b".bin"), "sha256": "0" * 64, "size": 1, "format": "data"},
                  files=[rec], errors=[err])


def test_every_format_writes_raw_surrogates_without_error(tmp_path: Path) -> None:
    written = write_reports(_report_with_raw_names(), tmp_path, FORMATS)
    assert len(written) == len(FORMATS)
    for path in written:
        text = path.read_text(encoding="utf-8")  # valid UTF-8, not empty
        assert text.strip()
        if path.name != "sbom.cdx.json":  # the SBOM lists components, not files
            assert "\\xb2" in text, path.name
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"


def _gbk_tar(path: Path) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as tar:
        for name, data in (("ok.txt", b"fine"), (os.fsdecode(b"etc/" + GBK + b".conf"), b"gbk named")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.integration
def test_gbk_member_name_scan_writes_all_formats_and_exits_0(tmp_path: Path) -> None:
    image = _gbk_tar(tmp_path / "gbk.tar")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "audit.cli", "scan", str(image), "-o", str(out), "-f", "all",
                             "-j", "1", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    gbk = [f for f in data["files"] if f["path"].endswith("\\xb2\\xe2\\xca\\xd4.conf")]
    assert len(gbk) == 1
    assert bytes.fromhex(gbk[0]["path_raw"]).endswith(b"etc/" + GBK + b".conf")
    assert gbk[0]["sha256"] is not None and gbk[0]["size"] == len(b"gbk named")  # its bytes were read
    assert all("path_raw" not in f for f in data["files"] if f is not gbk[0])  # only when it differs
    for name in ("report.sarif", "report.html", "summary.md", "sbom.cdx.json"):
        assert (out / name).stat().st_size > 0
    loaded = load_report(out / "report.json")
    assert {f.path_raw for f in loaded.files} >= {gbk[0]["path_raw"]}


@pytest.mark.integration
def test_an_input_whose_own_name_is_not_utf8_gives_valid_json_in_every_format(tmp_path: Path) -> None:
    """The image's own name reaches the writers unescaped (it is no member of the image): the JSON formats
    escape it with an escaped backslash, so they stay valid JSON and read back as `\\xNN`."""
    image = Path(os.fsdecode(bytes(tmp_path) + b"/raw\xff" + GBK + b".bin"))
    image.write_bytes(b"plain firmware text\n" * 100)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "audit.cli", "scan", str(image), "-o", str(out), "-f", "all", "-q"],
                          capture_output=True, env={**os.environ, "FWAUDIT_CACHE": "off"}, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-800:]
    parsed = {p.name: json.loads(p.read_bytes()) for p in out.iterdir() if p.suffix in (".json", ".sarif")}
    assert parsed["report.json"]["status"] == "complete", parsed["report.json"]["errors"]
    assert {"report.json", "report.sarif", "sbom.cdx.json"} <= set(parsed)
    assert parsed["report.json"]["image"]["name"] == "raw\\xff\\xb2\\xe2\\xca\\xd4.bin"
