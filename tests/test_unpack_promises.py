"""Missing-files check: a file system whose superblock promises more entries than were extracted is flagged."""

from __future__ import annotations

import binascii
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from audit.model import AuditConfig, Report
from audit.pipeline import run
from audit.unpack.promises import count_entries, promised_entries

MKCRAMFS = shutil.which("mkfs.cramfs") or shutil.which("mkfs.cramfs", path="/usr/sbin:/sbin")


def _tree(root: Path, files: int = 40) -> Path:
    (root / "d").mkdir(parents=True)
    for index in range(files):
        (root / "d" / f"f{index}").write_text(f"file {index}\n")
    (root / "link").symlink_to("d/f0")
    return root


def _audit(tmp_path: Path, image: Path) -> Report:
    return run(AuditConfig(image=image, workdir=tmp_path / f"work-{image.name}", jobs=1))


def _missing(report: Report) -> list[str]:
    return [e.message for e in report.errors if e.kind == "unpack.missing_files"]


def _lie(image: Path, offset: int, order: str, extra: int, out: Path) -> Path:
    data = bytearray(image.read_bytes())
    value = struct.unpack_from(order + "I", data, offset)[0]
    struct.pack_into(order + "I", data, offset, value + extra)
    out.write_bytes(bytes(data))
    return out


@pytest.mark.skipif(shutil.which("mksquashfs") is None, reason="mksquashfs not installed")
def test_squashfs_whose_superblock_promises_more_is_partial(tmp_path: Path) -> None:
    image = tmp_path / "ok.sqfs"
    subprocess.run(["mksquashfs", str(_tree(tmp_path / "root")), str(image), "-noappend", "-quiet", "-all-root"],
                   check=True, stdout=subprocess.DEVNULL)
    assert promised_entries(image.read_bytes()[:64]) == ("SquashFS", 42)  # d, 40 files, link
    intact = _audit(tmp_path, image)
    assert _missing(intact) == []
    lying = _audit(tmp_path, _lie(image, 4, "<", 30, tmp_path / "lie.sqfs"))
    assert lying.status == "partial"
    assert len(_missing(lying)) == 1
    assert "promises 72 entries" in _missing(lying)[0] and "42 were extracted" in _missing(lying)[0]


@pytest.mark.skipif(MKCRAMFS is None, reason="mkfs.cramfs (util-linux) not installed")
def test_cramfs_whose_superblock_promises_more_is_partial(tmp_path: Path) -> None:
    image = tmp_path / "ok.cramfs"
    subprocess.run([str(MKCRAMFS), str(_tree(tmp_path / "root")), str(image)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fs, promised = promised_entries(image.read_bytes()[:64]) or ("", 0)
    assert fs == "cramfs" and promised == 42
    assert _missing(_audit(tmp_path, image)) == []
    lie = _lie(image, 44, "<", 20, tmp_path / "lie.cramfs")  # fsid.files; then the superblock CRC made to hold
    data = bytearray(lie.read_bytes())
    size = struct.unpack_from("<I", data, 4)[0]
    data[32:36] = bytes(4)
    struct.pack_into("<I", data, 32, binascii.crc32(bytes(data[:size])))
    lie.write_bytes(bytes(data))
    lying = _audit(tmp_path, lie)
    assert any("promises 62 entries" in m for m in _missing(lying)), [e.kind for e in lying.errors]


def test_promise_parsing_both_byte_orders_and_garbage() -> None:
    le = b"hsqs" + struct.pack("<I", 10) + bytes(20) + struct.pack("<H", 4) + bytes(34)
    be = b"sqsh" + struct.pack(">I", 10) + bytes(20) + struct.pack(">H", 3) + bytes(34)
    cramfs_be = b"\x28\xcd\x3d\x45" + bytes(40) + struct.pack(">I", 7) + bytes(16)
    assert promised_entries(le) == ("SquashFS", 9)
    assert promised_entries(be) == ("SquashFS", 9)
    assert promised_entries(cramfs_be) == ("cramfs", 6)
    assert promised_entries(b"hsqs" + bytes(60)) is None  # no sane version field
    assert promised_entries(b"\x7fELF" + bytes(60)) is None
    assert promised_entries(b"hsqs") is None


def test_count_skips_nested_extractions(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c").write_text("x")
    (tmp_path / "x.gz_extract" / "inner").mkdir(parents=True)
    (tmp_path / "x.gz_extract" / "inner" / "y").write_text("y")
    assert count_entries(tmp_path) == 4  # a, a/b, a/b/c, x.gz_extract (its content is another container's)
