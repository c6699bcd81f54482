"""SquashFS beyond what Debian's unsquashfs reads: v3 both byte orders, v4 big-endian, vendor magics, vendor LZMA.

v4 little-endian images are made with the real `mksquashfs`; v3 and v4 big-endian ones with the test writer
(`tests/helpers/squashfs_writer.py`), which is itself checked against Debian's unsquashfs where that can read
the result (v3 with zlib, both byte orders). Real vendor images from ../shared/corpus are measured against
their superblock's inode count when the corpus is present.
"""

from __future__ import annotations

import lzma
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from audit.model import AuditConfig
from audit.pipeline import run
from audit.unpack import squashfs_legacy
from audit.unpack.squashfs_codecs import XZ
from audit.unpack.squashfs_legacy import SquashfsError
from tests.helpers.squashfs_writer import Writer, tree, zlib_compress

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus"
SASQUATCH = Path(__file__).resolve().parents[1] / "audit/unpack/bin/sasquatch"
BUSYBOX = b"\x7fELF" + bytes(range(256)) * 40 + b"BusyBox v1.01 multi-call binary"
SPEC: dict[str, bytes | str | None] = {
    "bin/busybox": BUSYBOX, "bin/sh": "busybox", "etc/rc": "../bin/busybox", "etc/motd": b"hello\n",
    "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n", "var": None, "etc/escape": "../../../../../etc/shadow",
}


def lzma_props_only(data: bytes) -> bytes:
    """Broadcom/TP-Link framing: 5 property bytes (lc=3 lp=0 pb=2, 64 KiB dictionary), then the raw stream."""
    raw = lzma.compress(data, lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 16}])
    return bytes([0x5D]) + (1 << 16).to_bytes(4, "little") + raw


def lzma_alone(data: bytes) -> bytes:
    return lzma.compress(data, lzma.FORMAT_ALONE)


def _expect_tree(root: Path) -> None:
    assert (root / "bin/busybox").read_bytes() == BUSYBOX
    assert (root / "etc/motd").read_bytes() == b"hello\n"
    assert os.readlink(root / "bin/sh") == "busybox"
    assert os.readlink(root / "etc/rc") == "../bin/busybox"
    assert (root / "var").is_dir() and not (root / "var").is_symlink()


VARIANTS = [
    pytest.param(3, False, b"hsqs", zlib_compress, 1, id="v3-le-zlib"),
    pytest.param(3, True, b"sqsh", zlib_compress, 1, id="v3-be-zlib"),
    pytest.param(3, False, b"shsq", lzma_props_only, 1, id="v3-le-shsq-lzma-props"),
    pytest.param(3, True, b"qshs", lzma_alone, 1, id="v3-be-qshs-lzma-alone"),
    pytest.param(3, False, b"hsqt", None, 1, id="v3-le-ddwrt-stored"),
    pytest.param(4, True, b"sqsh", zlib_compress, 1, id="v4-be-gzip"),
    pytest.param(4, True, b"sqsh", lambda d: lzma.compress(d, lzma.FORMAT_XZ), XZ, id="v4-be-xz"),
    pytest.param(4, False, b"hsqs", lzma_props_only, 2, id="v4-le-lzma-props-tplink"),
]


@pytest.mark.parametrize(("version", "big", "magic", "compress", "comp_id"), VARIANTS)
def test_reader_extracts_variant(tmp_path: Path, version: int, big: bool, magic: bytes, compress, comp_id: int) -> None:
    image = tmp_path / "fs.sqfs"
    image.write_bytes(Writer(version, big, magic, compress, comp_id=comp_id).build(tree(SPEC)))
    outcome = squashfs_legacy.extract(image, tmp_path / "out")
    _expect_tree(tmp_path / "out")
    assert outcome.problems == []
    assert outcome.entries + 1 == squashfs_legacy.count_inodes(image)  # + the root


@pytest.mark.skipif(shutil.which("unsquashfs") is None, reason="squashfs-tools not installed")
@pytest.mark.parametrize("big", [False, True])
def test_writer_v3_agrees_with_unsquashfs(tmp_path: Path, big: bool) -> None:
    """The test writer's v3 images are real: Debian's unsquashfs lists the same tree our reader writes."""
    image = tmp_path / "fs.sqfs"
    image.write_bytes(Writer(3, big, b"sqsh" if big else b"hsqs", zlib_compress).build(tree(SPEC)))
    subprocess.run(["unsquashfs", "-q", "-d", str(tmp_path / "ref"), str(image)], check=True, capture_output=True)
    _expect_tree(tmp_path / "ref")


@pytest.mark.skipif(shutil.which("mksquashfs") is None, reason="squashfs-tools not installed")
@pytest.mark.parametrize("comp", ["gzip", "xz", "zstd", "lzo"])
def test_reader_matches_mksquashfs_v4(tmp_path: Path, comp: str) -> None:
    if comp == "lzo":
        pytest.importorskip("lzo", reason="python-lzo not installed (unsquashfs reads standard LZO images)")
    src = tmp_path / "src"
    (src / "bin").mkdir(parents=True)
    (src / "bin/busybox").write_bytes(BUSYBOX * 30)  # several blocks and a fragment tail
    (src / "bin/sh").symlink_to("busybox")
    (src / "etc").mkdir()
    (src / "etc/motd").write_bytes(b"hello\n")
    image = tmp_path / "fs.sqfs"
    subprocess.run(["mksquashfs", str(src), str(image), "-comp", comp, "-noappend", "-no-progress", "-quiet"],
                   check=True, capture_output=True)
    outcome = squashfs_legacy.extract(image, tmp_path / "out")
    assert outcome.problems == []
    assert (tmp_path / "out/bin/busybox").read_bytes() == BUSYBOX * 30
    assert os.readlink(tmp_path / "out/bin/sh") == "busybox"
    assert outcome.entries + 1 == squashfs_legacy.count_inodes(image)



def test_damaged_images_give_typed_errors_fast(tmp_path: Path) -> None:
    good = Writer(3, True, b"qshs", lzma_props_only).build(tree(SPEC))
    rng = random.Random(1234)
    start, detected = time.monotonic(), 0
    for trial in range(150):
        bad = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            bad[rng.randrange(len(good) // 2)] = rng.randrange(256)  # the first half holds the tables' data
        cut = bytes(bad[:rng.randint(64, len(bad))]) if trial % 3 == 0 else bytes(bad)
        image = tmp_path / f"bad{trial}.sqfs"
        image.write_bytes(cut)
        try:  # any other exception fails the test: damage must surface as SquashfsError or a problem
            outcome = squashfs_legacy.extract(image, tmp_path / f"out{trial}")
            detected += bool(outcome.problems)
        except SquashfsError:
            detected += 1
    assert detected > 100  # most damage is noticed, not silently extracted
    assert time.monotonic() - start < 60


def test_stand_in_refuses_v2_with_reason(tmp_path: Path) -> None:
    image = tmp_path / "v2.sqfs"
    image.write_bytes(b"hsqs" + bytes(24) + b"\x02\x00\x00\x00" + bytes(100))
    res = subprocess.run([SASQUATCH, "-le", "-no-exit-code", "-f", "-d", str(tmp_path / "out"), str(image)],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 3
    assert "fwaudit-unsupported-squashfs:" in res.stderr and "version 2" in res.stderr


@pytest.mark.integration
def test_pipeline_reads_broadcom_lzma_squashfs(tmp_path: Path) -> None:
    image = tmp_path / "rootfs.shsq"
    image.write_bytes(Writer(3, False, b"shsq", lzma_props_only).build(tree(SPEC)))
    report = run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1))
    by_fs = {f.fs_path: f for f in report.files if f.fs_path}
    assert by_fs["/bin/busybox"].kind == "file" and by_fs["/etc/passwd"].kind == "file"
    assert by_fs["/bin/sh"].kind == "symlink" and by_fs["/bin/sh"].link_target == "busybox"
    assert by_fs["/etc/rc"].kind == "symlink"
    assert "/etc/escape" not in by_fs  # leaves the image: removed and reported
    kinds = {e.kind for e in report.errors}
    assert "unpack.unsupported.squashfs" not in kinds
    assert "unpack.unsafe_symlink_removed" in kinds


def _carve(path: Path, magic: bytes) -> bytes:
    data = path.read_bytes()
    return data[data.index(magic):]


CORPUS_ITEMS = [
    ("network/netcore/bcm47xx_trx_fw346/netcore_fw346.trx", b"shsq"),  # v3 LE Broadcom magic, LZMA props-only
    ("network/tplink/mr3020_v1/mr3020nv1_en_3_17_2_up_boot_150921.bin", b"hsqs"),  # v4 LE, TP-Link LZMA
]


@pytest.mark.parametrize(("item", "magic"), CORPUS_ITEMS)
def test_corpus_vendor_squashfs_fully_read(tmp_path: Path, item: str, magic: bytes) -> None:
    path = CORPUS / item
    if not path.is_file():
        pytest.skip("shared corpus not present")
    image = tmp_path / "fs.sqfs"
    image.write_bytes(_carve(path, magic))
    outcome = squashfs_legacy.extract(image, tmp_path / "out")
    assert outcome.problems == []
    assert outcome.entries + 1 == squashfs_legacy.count_inodes(image)
    assert outcome.files > 300 and outcome.symlinks > 50
