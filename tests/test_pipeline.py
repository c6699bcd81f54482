"""The pipeline's safety net and work-dir handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit import audit_image, pipeline
from audit.model import AuditConfig


def test_a_crashing_stage_becomes_a_typed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = tmp_path / "x.bin"
    image.write_bytes(b"plain data, not a container " * 20)

    def broken(*_args, **_kwargs):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(pipeline, "inspect_files", broken)
    report = pipeline.run(AuditConfig(image=image, workdir=tmp_path / "w"))
    crash = [e for e in report.errors if e.kind == "inspect.crash"]
    assert crash and "parser exploded" in crash[0].message
    assert report.status == "partial"
    assert [f.path for f in report.files] == ["x.bin"]  # the other stages' results are kept


def test_temporary_workdir_is_removed_unless_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    image = tmp_path / "x.bin"
    image.write_bytes(b"data" * 100)
    report = audit_image(image)
    assert report.run["workdir"] is None
    assert list((tmp_path / "tmp").iterdir()) == []
    kept = audit_image(image, AuditConfig(image=image, keep=True))
    assert kept.run["workdir"] and Path(kept.run["workdir"]).is_dir()


def test_workdir_paths_are_scrubbed_from_errors(tmp_path: Path) -> None:
    image = tmp_path / "t.tar"
    import io
    import tarfile

    with tarfile.open(image, "w") as tar:
        info = tarfile.TarInfo("../../x")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    report = pipeline.run(AuditConfig(image=image, workdir=tmp_path / "w"))
    text = repr(report.errors)
    assert report.errors
    assert str(tmp_path / "w") not in text


def test_tiny_input_keeps_unblob_report_readable(tmp_path: Path) -> None:
    """RLIMIT_FSIZE applies to unblob's own report too: tiny inputs must not truncate it."""
    import gzip

    image = tmp_path / "tiny.gz"
    image.write_bytes(gzip.compress(b"hello firmware\n" * 4))
    report = pipeline.run(AuditConfig(image=image, workdir=tmp_path / "w"))
    assert not [e for e in report.errors if e.kind == "unpack.report_unreadable"]
    assert report.status == "complete"
    assert any(f.handler == "gzip" for f in report.files)


def test_default_caps_have_floors() -> None:
    config = AuditConfig(image=Path("x"))
    assert config.effective_max_bytes(100) == 16 * 1024**2
    assert config.effective_max_bytes(10**6) == 32 * 10**6  # CAP_RATIO: the dev corpus peaks at ~12x
    assert config.effective_max_bytes(10**9) == 4 * 1024**3
    assert config.effective_max_file_size(100) == 64 * 1024**2
    assert AuditConfig(image=Path("x"), max_file_size=5).effective_max_file_size(100) == 5
