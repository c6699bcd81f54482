"""Exit 1 means only "a gate tripped": an internal failure is exit 3, with the (partial) report written."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import audit.pipeline
from audit.cli import main
from audit.report.output import write_atomic

pytestmark = pytest.mark.integration


def _tar(path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("etc/motd")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    return path


def _scan(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", str(_tar(tmp_path / "t.tar")), "-o", str(out), "-j", "1", "-q",
                                       "--fail-on", "low", *extra])
    return result.exit_code, result.output, out


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("forced failure for the test")


def test_stage_crash_is_exit_3_with_the_partial_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit.pipeline, "build_inventory", _boom)  # forced: no real input crashes it any more
    code, output, out = _scan(tmp_path)
    assert code == 3
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["status"] == "partial"
    assert "inventory.crash" in {e["kind"] for e in data["errors"]}
    assert "inventory stage failed" in output


def test_failure_outside_any_stage_still_writes_a_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit.pipeline, "load_knowledge", _boom)
    code, output, out = _scan(tmp_path, "-f", "json,markdown")
    assert code == 3
    assert "Traceback" not in output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["status"] == "partial"
    assert [e["kind"] for e in data["errors"]] == ["audit.crash"]
    assert "forced failure" in data["errors"][0]["message"]
    assert (out / "summary.md").stat().st_size > 0


def test_a_writer_that_fails_costs_only_its_format(tmp_path: Path) -> None:
    (tmp_path / "out" / "report.html").mkdir(parents=True)  # a directory where the HTML file should go
    code, output, out = _scan(tmp_path, "-f", "json,html,sarif")
    assert code == 3
    assert "cannot write the html report" in output
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["schema"] == "fwaudit/report/v1"
    assert (out / "report.sarif").stat().st_size > 0


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "report.json", "old\n")

    def pieces():  # a renderer that fails half-way through the file (report.json is written piece by piece)
        yield "new, first half\n"
        raise MemoryError("forced")

    with pytest.raises(MemoryError):
        write_atomic(target, pieces())
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
