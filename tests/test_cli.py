"""The `fwaudit` command: exit codes, outputs, option validation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.cli import _size

from .conftest import sample_manifests

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_size_parser() -> None:
    assert _size("4G") == 4 * 1024**3
    assert _size("500M") == 500 * 1024**2
    assert _size("1048576") == 1048576
    assert _size("2GiB") == 2 * 1024**3


@pytest.mark.integration
def test_scan_writes_report_and_summary(tmp_path: Path) -> None:
    manifest = sample_manifests()[0]
    out = tmp_path / "out"
    result = _cli("scan", str(manifest["image_path"]), "-o", str(out), "-j", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["schema"] == "fwaudit/report/v1"
    assert report["image"]["sha256"] == manifest["sha256"]
    assert "status complete" in result.stdout
    assert "unpack:" in result.stderr  # plain progress lines when stderr is not a terminal
    assert "Traceback" not in result.stderr


@pytest.mark.integration
def test_quiet_prints_nothing(tmp_path: Path) -> None:
    manifest = sample_manifests()[0]
    result = _cli("scan", str(manifest["image_path"]), "-o", str(tmp_path / "o"), "-q", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == ""


@pytest.mark.parametrize("args", [["-f", "pdf"], ["--max-bytes", "lots"], ["--depth", "0"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    image = tmp_path / "x.bin"
    image.write_bytes(b"x" * 100)
    result = _cli("scan", str(image), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_the_console_script_ends_scan_with_its_gate_code_and_every_output(tmp_path: Path) -> None:
    """`fwaudit scan` (the console script, audit/entry.py) ends without tearing the interpreter down: the gate's
    exit code, the whole summary on a pipe and every report file must still be there."""
    fwaudit = Path(sys.executable).with_name("fwaudit")
    image = REPO / "samples" / "build" / "xm-camera.bin"
    if not image.is_file():
        pytest.fail("samples are not built: run `make samples`")
    out = tmp_path / "out"
    env = {**os.environ, "FWAUDIT_CACHE": str(tmp_path / "c.sqlite")}
    proc = subprocess.run([str(fwaudit), "scan", str(image), "-o", str(out), "-f", "json,sarif", "--fail-on", "low"],
                          capture_output=True, text=True, timeout=600, env=env)
    report = json.loads((out / "report.json").read_text())
    assert report["findings"]  # the sample has findings at or above low: the gate trips
    assert proc.returncode == 1, proc.stderr[-500:]
    assert "report.sarif" in proc.stdout  # the summary, then the gate's reasons, printed last, reached the pipe
    assert proc.stdout.rstrip().splitlines()[-1].startswith("  fail-on low: ")
    json.loads((out / "report.sarif").read_text())
    again = subprocess.run([str(fwaudit), "scan", str(image), "-o", str(out), "-q"], capture_output=True, text=True,
                           timeout=600, env=env)
    assert again.returncode == 0 and json.loads((out / "report.json").read_text())["run"]["cache"] == "hit"
