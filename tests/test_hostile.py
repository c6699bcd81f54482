"""Hostile input through the real pipeline: traversal, links, bombs, truncation, bad paths.

Each must give a clear message or a `partial` report with a typed error, write nothing outside the
work dir, and stop within its caps. The wall-time bound here is a hang guard, not a benchmark.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from audit.model import AuditConfig, Report
from audit.pipeline import run

pytestmark = pytest.mark.integration
HANG_GUARD_S = 120.0  # a hang guard, not a speed goal (speed lives in bench/hostile.py): the wall-time cap is 600 s


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def _audit(tmp_path: Path, image: Path, **caps) -> tuple[Report, float]:
    work = tmp_path / "work"
    before = _files_under(tmp_path)
    start = time.monotonic()
    report = run(AuditConfig(image=image, workdir=work, jobs=2, **caps))
    elapsed = time.monotonic() - start
    created = _files_under(tmp_path) - before
    outside = [p for p in created if work not in p.parents]
    assert outside == [], f"files written outside the work dir: {outside}"
    return report, elapsed


def _kinds(report: Report) -> set[str]:
    return {e.kind for e in report.errors}


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tar.addfile(info, io.BytesIO(member[1]))
    return path


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


def test_tar_with_parent_traversal_members(tmp_path: Path) -> None:
    escape = "../" * 12 + "tmp/fwaudit-escaped-by-test.txt"
    image = _tar(tmp_path / "evil.tar", [("ok.txt", b"fine"), (escape, b"escaped")])
    report, _ = _audit(tmp_path, image)
    assert report.status == "partial"
    assert "unpack.unsafe_path" in _kinds(report)
    assert not Path("/tmp/fwaudit-escaped-by-test.txt").exists()
    assert any(f.fs_path == "/ok.txt" for f in report.files)


def test_absolute_symlink_is_recorded_not_followed(tmp_path: Path) -> None:
    image = _tar(tmp_path / "links.tar", [("a.txt", b"a"), _link("shadow", "/etc/shadow"),
                                          _link("up", "../../../../etc/passwd")])
    report, _ = _audit(tmp_path, image)
    links = [f for f in report.files if f.kind == "symlink"]
    assert links, "the absolute symlink should be kept as a symlink record"
    assert all(f.sha256 is None for f in links)
    passwd = Path("/etc/passwd").read_bytes()
    import hashlib

    assert hashlib.sha256(passwd).hexdigest() not in {f.sha256 for f in report.files}
    assert "unpack.unsafe_path" in _kinds(report)  # the traversing link was dropped


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 GiB of zeros, gzip'd (about 1 MiB), generated at test time."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    with path.open("wb") as out:
        for _ in range(1024):
            out.write(packer.compress(block))
        out.write(packer.flush())
    return path


def test_gzip_bomb_stops_at_caps(tmp_path: Path, gzip_bomb: Path) -> None:
    size = gzip_bomb.stat().st_size
    cap = max(AuditConfig(image=gzip_bomb).effective_max_file_size(size), 64 * size)  # one file: RLIMIT_FSIZE
    report, elapsed = _audit(tmp_path, gzip_bomb)
    assert report.status == "partial"
    assert _kinds(report) & {"unpack.cap.file_size", "unpack.cap.bytes"}
    extracted = sum(f.size for f in report.files if f.path != gzip_bomb.name)
    assert extracted <= cap
    assert elapsed < HANG_GUARD_S


def _zip_bomb(path: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for index in range(10):
            with archive.open(f"zero{index}.bin", "w", force_zip64=True) as member:
                for _ in range(100):
                    member.write(bytes(1 << 20))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as outer:
        for index in range(8):
            outer.writestr(f"layer{index}.zip", inner.getvalue())
    return path  # 8 GiB declared, about 8 MiB on disk


def test_nested_zip_bomb_stops_at_total_cap(tmp_path: Path) -> None:
    image = _zip_bomb(tmp_path / "bomb.zip")
    cap = 64 * 1024 * 1024
    report, elapsed = _audit(tmp_path, image, max_bytes=cap)
    assert report.status == "partial"
    assert _kinds(report) & {"unpack.cap.bytes", "unpack.cap.file_size"}
    extracted = sum(f.size for f in report.files if f.path != image.name)
    # The watcher polls (20 ms at most between looks on a small tree): overshoot is bounded by
    # throughput x poll interval, and RLIMIT_FSIZE bounds any single file to the cap.
    assert extracted <= 2 * cap
    assert elapsed < HANG_GUARD_S


def test_file_count_cap(tmp_path: Path) -> None:
    image = _tar(tmp_path / "many.tar", [(f"f{i:04d}", str(i).encode()) for i in range(3000)])
    report, _ = _audit(tmp_path, image, max_files=100)
    assert "unpack.cap.files" in _kinds(report)
    assert report.status == "partial"


def test_wall_time_cap(tmp_path: Path) -> None:
    image = _zip_bomb(tmp_path / "slow.zip")
    report, elapsed = _audit(tmp_path, image, timeout=1.0, max_bytes=64 * 1024**3)
    assert _kinds(report) & {"unpack.cap.timeout", "unpack.cap.file_size"}
    assert elapsed < HANG_GUARD_S


def test_truncated_squashfs_is_a_typed_error(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    import random

    noise = random.Random(7).randbytes(300_000)  # incompressible: a cut at 50% loses real data
    (root / "bin" / "tool").write_bytes(noise)
    full = tmp_path / "full.sqfs"
    subprocess.run(["mksquashfs", str(root), str(full), "-noappend", "-quiet", "-all-root"], check=True)
    data = full.read_bytes()
    image = tmp_path / "trunc.sqfs"
    image.write_bytes(data[: len(data) // 2])
    report, _ = _audit(tmp_path, image)
    assert report.status == "partial"
    assert _kinds(report) & {"unpack.not_extracted", "unpack.extract_failed", "unpack.unsupported.squashfs"}


def test_big_endian_squashfs_v3_header_is_reported_unsupported(tmp_path: Path) -> None:
    import struct

    head = b"sqsh" + struct.pack(">IIIIIIHHHHHHBB", 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0)
    image = tmp_path / "v3be.bin"
    image.write_bytes(head.ljust(4096, b"\0"))
    report, _ = _audit(tmp_path, image)
    assert report.status == "partial"
    assert _kinds(report) & {"unpack.unsupported.squashfs", "unpack.not_extracted"}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("case", ["empty", "directory", "missing"])
def test_unusable_input_gives_clear_message_and_exit_3(tmp_path: Path, case: str) -> None:
    target = tmp_path / case
    if case == "empty":
        target.write_bytes(b"")
    elif case == "directory":
        target.mkdir()
    result = _cli("scan", str(target), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    expected = {"empty": "is empty", "directory": "is an empty directory", "missing": "no such file"}[case]
    assert expected in result.stderr
