"""Caps under attack, with small generated inputs that still trip the cap logic (timings are in bench/hostile.py)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from audit.model import AuditConfig
from audit.pipeline import run

pytestmark = pytest.mark.integration


def _many_files_tar(path: Path, count: int) -> Path:
    with tarfile.open(path, "w") as tar:
        for index in range(count):
            info = tarfile.TarInfo(f"d{index // 500:02d}/f{index:05d}")
            data = str(index).encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_file_cap_is_exact(tmp_path: Path) -> None:
    cap = 100
    image = _many_files_tar(tmp_path / "many.tar", 4000)
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1, max_files=cap))
    extracted = [f for f in report.files if f.path != image.name]
    assert len(extracted) <= cap  # the watcher may overshoot on disk; the report never lists more
    kinds = {e.kind for e in report.errors}
    assert "unpack.cap.files" in kinds
    assert report.status == "partial"
    if len(extracted) == cap:  # the extractor wrote more than the cap before it was stopped
        assert "inventory.cap.files" in kinds
        error = next(e for e in report.errors if e.kind == "inventory.cap.files")
        assert f"the first {cap} are listed" in error.message


def test_bomb_at_the_per_file_cap_stops_the_run(tmp_path: Path) -> None:
    """When the per-file cap equals the total cap (the default for inputs over 1 MiB), a bomb truncated at it sits
    exactly at the total: unpacking must stop there (`unpack.cap.bytes`), not leave unblob scanning the bomb's
    output (an 8 GiB gzip bomb took 49 s to stop before)."""
    import zlib

    image = tmp_path / "bomb.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with image.open("wb") as out:
        for _ in range(128):  # 128 MiB of zeros, about 130 KiB on disk
            out.write(packer.compress(bytes(1 << 20)))
        out.write(packer.flush())
    cap = 16 * 1024 * 1024
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1, max_bytes=cap, max_file_size=cap))
    kinds = {e.kind for e in report.errors}
    assert "unpack.cap.bytes" in kinds, kinds
    assert sum(f.size for f in report.files if f.path != image.name) <= cap  # RLIMIT_FSIZE: exact per file
