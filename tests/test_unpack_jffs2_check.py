"""JFFS2 damage: nodes whose CRCs do not hold become a typed warning (jefferson passes over them silently)."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from audit.model import AuditConfig
from audit.pipeline import run
from audit.unpack.jffs2_check import bad_nodes

MKFS = shutil.which("mkfs.jffs2") or shutil.which("mkfs.jffs2", path="/usr/sbin:/sbin")
pytestmark = pytest.mark.skipif(MKFS is None, reason="mkfs.jffs2 (mtd-utils) not installed")


def _image(tmp_path: Path, big_endian: bool = False) -> Path:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    rng = random.Random(3)
    for index in range(20):
        (root / f"f{index}").write_bytes(rng.randbytes(3000))
    image = tmp_path / ("be.jffs2" if big_endian else "le.jffs2")
    subprocess.run([str(MKFS), *(["-b"] if big_endian else ["-l"]), "-r", str(root), "-o", str(image), "-e",
                    "64KiB", "-p"], check=True, capture_output=True)
    return image


@pytest.mark.parametrize("big_endian", [False, True])
def test_intact_images_have_no_bad_node(tmp_path: Path, big_endian: bool) -> None:
    seen, bad = bad_nodes(_image(tmp_path, big_endian).read_bytes())
    assert seen > 20 and bad == 0


def test_damaged_data_is_a_typed_warning(tmp_path: Path) -> None:
    image = _image(tmp_path)
    data = bytearray(image.read_bytes())
    inode = data.find(b"\x85\x19\x02\xe0", len(data) // 3)  # an inode node (LE magic, type 0xE002)
    assert inode > 0
    for index in range(inode + 68, inode + 68 + 40, 4):  # its compressed data only: headers stay valid
        data[index] ^= 0x5A
    damaged = tmp_path / "damaged.jffs2"
    damaged.write_bytes(bytes(data))
    assert bad_nodes(bytes(data))[1] >= 1
    intact = run(AuditConfig(image=image, workdir=tmp_path / "w1", jobs=1))
    report = run(AuditConfig(image=damaged, workdir=tmp_path / "w2", jobs=1))
    assert not [e for e in intact.errors if "JFFS2" in e.message]
    warning = [e for e in report.errors if e.kind == "unpack.inconsistent" and "JFFS2" in e.message]
    assert len(warning) == 1 and "fail their CRC" in warning[0].message
