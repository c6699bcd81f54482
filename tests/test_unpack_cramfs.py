"""cramfs with relative symlinks (normal in firmware), both byte orders, plain and inside a uImage.

Images are built here with util-linux `mkfs.cramfs` and `mkimage`; extraction runs through the real pipeline
(unblob's cramfs handler with our `fsck.cramfs` extractor).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from audit.model import AuditConfig, Report
from audit.pipeline import run
from audit.unpack.formats.cramfs import swapped_crc_fixed

pytestmark = pytest.mark.integration
MKFS = shutil.which("mkfs.cramfs") or shutil.which("mkfs.cramfs", path="/usr/sbin:/sbin")
FSCK = shutil.which("fsck.cramfs") or shutil.which("fsck.cramfs", path="/usr/sbin:/sbin")
CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus"
CORPUS_CRAMFS = CORPUS / "cameras/merkury_smartcam_720p_ak3918_tuya/2E0000.cramfs"
needs_tools = pytest.mark.skipif(MKFS is None or FSCK is None, reason="util-linux cramfs tools not installed")


def _tree(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "etc/init.d").mkdir(parents=True)
    (root / "bin/dvrbox").write_bytes(b"\x7fELF" + b"dvrbox multicall" * 64)
    (root / "etc/init.d/rcS").write_text("#!/bin/sh\n/bin/netinit\n")
    (root / "bin/netinit").symlink_to("../bin/dvrbox")  # relative, through the parent: 7z refuses this
    (root / "bin/sh").symlink_to("dvrbox")
    (root / "etc/rc").symlink_to("init.d/rcS")
    (root / "etc/escape").symlink_to("../../../../../etc/passwd")  # leaves the image: must be dropped
    return root


def _mkcramfs(tmp_path: Path, endian: str) -> Path:
    image = tmp_path / f"root-{endian}.cramfs"
    subprocess.run([MKFS, "-N", endian, str(_tree(tmp_path / f"src-{endian}")), str(image)],
                   check=True, capture_output=True)
    return image


def _audit(tmp_path: Path, image: Path) -> Report:
    return run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1))


def _fsck_listing(image: Path, scratch: Path) -> list[str]:
    """The entries fsck.cramfs lists (it lists only while extracting)."""
    out = subprocess.run([FSCK, "-v", f"--extract={scratch}", str(image)], check=True, capture_output=True,
                         text=True).stdout
    return [line for line in out.splitlines() if re.match(r"^[-fdlcbps] ", line)]


@needs_tools
@pytest.mark.parametrize("endian", ["little", "big"])
def test_cramfs_keeps_relative_symlinks(tmp_path: Path, endian: str) -> None:
    image = _mkcramfs(tmp_path, endian)
    report = _audit(tmp_path, image)
    by_fs = {f.fs_path: f for f in report.files if f.fs_path}
    assert by_fs["/bin/dvrbox"].kind == "file" and by_fs["/bin/dvrbox"].sha256
    assert by_fs["/etc/init.d/rcS"].kind == "file"
    links = {p: f.link_target for p, f in by_fs.items() if f.kind == "symlink"}
    assert set(links) == {"/bin/netinit", "/bin/sh", "/etc/rc"}
    assert links["/bin/sh"] == "dvrbox"
    assert links["/etc/rc"] == "init.d/rcS"
    assert links["/bin/netinit"] in ("../bin/dvrbox", "dvrbox")  # unblob normalises contained links
    kinds = {e.kind for e in report.errors}
    assert "unpack.extract_failed" not in kinds
    assert "unpack.unsafe_symlink_removed" in kinds  # the escaping link is reported, not kept
    assert "/etc/escape" not in by_fs


@needs_tools
def test_cramfs_inside_uimage(tmp_path: Path) -> None:
    mkimage = shutil.which("mkimage")
    if mkimage is None:
        pytest.skip("u-boot-tools not installed")
    payload = _mkcramfs(tmp_path, "little")
    image = tmp_path / "rootfs.uimage"
    subprocess.run([mkimage, "-A", "arm", "-O", "linux", "-T", "filesystem", "-C", "none", "-n", "cramfs root",
                    "-d", str(payload), str(image)], check=True, capture_output=True)
    report = _audit(tmp_path, image)
    links = {f.fs_path for f in report.files if f.kind == "symlink"}
    assert {"/bin/netinit", "/bin/sh", "/etc/rc"} <= links
    assert any(f.fs_path == "/bin/dvrbox" and f.sha256 for f in report.files)
    assert "unpack.extract_failed" not in {e.kind for e in report.errors}


def test_swapped_crc_is_put_in_standard_order(tmp_path: Path) -> None:
    if MKFS is None:
        pytest.skip("mkfs.cramfs not installed")
    image = _mkcramfs(tmp_path, "little").read_bytes()
    assert swapped_crc_fixed(image) is None  # standard CRC: nothing to fix
    swapped = bytearray(image)
    swapped[32:36] = image[32:36][::-1]
    fixed = swapped_crc_fixed(bytes(swapped))
    assert fixed == image


@needs_tools
@pytest.mark.skipif(not CORPUS_CRAMFS.is_file(), reason="shared corpus not present")
def test_corpus_cramfs_file_count_matches_fsck(tmp_path: Path) -> None:
    report = _audit(tmp_path, CORPUS_CRAMFS)
    listed = [line for line in _fsck_listing(CORPUS_CRAMFS, tmp_path / "fsck") if not line.startswith("d")]
    top = [f for f in report.files if f.path.count("_extract/") == 1 and f.kind in ("file", "symlink")]
    assert len(top) == len(listed)
    assert "unpack.extract_failed" not in {e.kind for e in report.errors}
