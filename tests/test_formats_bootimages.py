"""Boot images: legacy uImage (every compression, multi-file) and ARM zImage / MIPS self-decompressing kernels.

Inputs are generated here (mkimage from u-boot-tools, Python and Debian compressors, a synthetic zImage = a
stub + a compressed payload); the pipeline runs for real and must put the decompressed kernel or boot loader
in front of the inspectors; damaged variants must give typed errors with the numbers.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import lz4.frame
import pytest
import pyzstd

from audit.model import AuditConfig, Report
from audit.pipeline import run
from audit.unpack.formats import streams, uimage, zimage
from audit.unpack.formats.base import Member
from samples.buildlib import filler, kernel_payload

MiB = 1024 * 1024
BANNER = "Linux version 4.9.129 (builder@buildhost) (gcc version 6.3.0 (crosstool-NG) ) #1 SMP Tue Dec 5 2023"
KERNEL = kernel_payload("boot", BANNER, ["4.9.129 SMP mod_unload ARMv7 "], size=400 * 1024)
UBOOT = filler("u", 0x4000) + b"\0U-Boot 2016.11 (Aug 04 2017 - 15:12:18 +0800)\0" + filler("b", 0x8000)
needs_mkimage = pytest.mark.skipif(shutil.which("mkimage") is None, reason="mkimage (u-boot-tools) not installed")


def _cli(*cmd: str) -> Callable[[bytes], bytes]:
    def compress(data: bytes) -> bytes:
        if shutil.which(cmd[0]) is None:
            pytest.skip(f"{cmd[0]} not installed")
        return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout

    return compress


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda d: gzip.compress(d, mtime=0),
    "bzip2": bz2.compress,
    "lzma": lambda d: lzma.compress(d, format=lzma.FORMAT_ALONE),
    "xz": lambda d: lzma.compress(d, check=lzma.CHECK_CRC32),
    "zstd": lambda d: pyzstd.compress(d, {pyzstd.CParameter.checksumFlag: 1}),  # as the zstd CLI writes it
    "lz4": lz4.frame.compress,
    "lz4-legacy": _cli("lz4", "-l", "-q", "-c"),
    "lzo": _cli("lzop", "-c"),
}


def mkimage(tmp: Path, payload: bytes, *, arch: str = "arm", kind: str = "kernel", comp: str = "none",
            name: str = "Linux-4.9.129") -> bytes:
    src, out = tmp / "mkimage.in", tmp / "mkimage.out"
    src.write_bytes(payload)
    subprocess.run(["mkimage", "-A", arch, "-O", "linux", "-T", kind, "-C", comp, "-a", "0x80008000",
                    "-e", "0x80008000", "-n", name, "-d", str(src), str(out)], capture_output=True, check=True)
    return out.read_bytes()


def fake_zimage(payload: bytes, method: str = "lzma") -> bytes:
    """An ARM zImage as the kernel build lays it out: a stub, the magic/start/end words, the compressed kernel."""
    stub = bytearray(filler("stub", 0x3000))
    stub[0:0x24] = b"\x00\x00\xa0\xe1" * 9  # `mov r0, r0` x 9, as head.S starts
    body = bytearray(bytes(stub) + COMPRESSORS[method](payload) + struct.pack("<I", len(payload)))
    body[0x24:0x30] = zimage.MAGIC_LE + struct.pack("<II", 0, len(body))
    return bytes(body)


def audit(tmp_path: Path, name: str, data: bytes) -> Report:
    image = tmp_path / name
    tmp_path.mkdir(parents=True, exist_ok=True)
    image.write_bytes(data)
    return run(AuditConfig(image=image, workdir=tmp_path / "work", jobs=1, max_bytes=64 * MiB))


def facts_on(report: Report, kind: str, suffix: str) -> list[dict]:
    return [f.data for f in report.facts if f.kind == kind and f.path.endswith(suffix)]


def kinds(report: Report) -> list[str]:
    return sorted(e.kind for e in report.errors)


# --- bounded stream decompression ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", sorted(COMPRESSORS))
def test_stream_complete_truncated_capped(method: str) -> None:
    packed = COMPRESSORS[method](KERNEL)
    name = method.split("-")[0]
    out = io.BytesIO()
    done = streams.decompress(io.BytesIO(packed + bytes(64)), 0, len(packed) + 64, name, out)
    assert done.complete and out.getvalue() == KERNEL
    out = io.BytesIO()
    capped = streams.decompress(io.BytesIO(packed), 0, len(packed), name, out, cap=10_000)
    assert capped.capped and len(out.getvalue()) == 10_000
    cut = packed[: len(packed) * 2 // 3]
    short = streams.decompress(io.BytesIO(cut), 0, len(cut), name, io.BytesIO())
    assert not short.complete and short.written < len(KERNEL)
    assert streams.stream_problem(short, "k", len(cut)) is not None


@pytest.mark.parametrize("method", ["gzip", "bzip2", "xz", "lzma", "zstd", "lz4", "lzo"])
def test_stream_damage_is_a_problem(method: str) -> None:
    packed = bytearray(COMPRESSORS[method](KERNEL))
    packed[len(packed) // 2 : len(packed) // 2 + 64] = bytes(64)
    out = io.BytesIO()
    result = streams.decompress(io.BytesIO(bytes(packed)), 0, len(packed), method, out)
    assert not result.complete or out.getvalue() != KERNEL
    if method in ("gzip", "bzip2", "xz", "zstd", "lzo"):  # formats with a checksum must notice
        problem = streams.stream_problem(result, "k", len(packed))
        assert problem is not None and problem.what in ("inconsistent", "truncated")


def test_stream_bomb_stops_at_cap() -> None:
    bomb = gzip.compress(bytes(64 * MiB), mtime=0)
    out = io.BytesIO()
    result = streams.decompress(io.BytesIO(bomb), 0, len(bomb), "gzip", out, cap=MiB)
    assert result.capped and len(out.getvalue()) == MiB


# --- header parsing ----------------------------------------------------------------------------------------

@needs_mkimage
def test_parse_header_and_lies(tmp_path: Path) -> None:
    good = mkimage(tmp_path, KERNEL, comp="none")
    header = uimage.parse_uimage(good, len(good))
    assert (header.image_type, header.compression, header.arch, header.header_crc_valid) == ("kernel", "none",
                                                                                          "arm", True)
    assert header.problems == () and header.end == len(good)
    lying = bytearray(good)
    lying[12:16] = struct.pack(">I", len(KERNEL) * 4)  # size lie, CRC not fixed
    header = uimage.parse_uimage(bytes(lying), len(lying))
    assert [p.what for p in header.problems] == ["inconsistent", "truncated"]
    assert str(len(KERNEL) * 4) in header.problems[1].message


@needs_mkimage
def test_multi_parts(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"A" * 1001)
    (tmp_path / "b").write_bytes(b"B" * 20)
    out = tmp_path / "multi"
    subprocess.run(["mkimage", "-A", "arm", "-O", "linux", "-T", "multi", "-C", "none", "-n", "m", "-d",
                    f"{tmp_path / 'a'}:{tmp_path / 'b'}", str(out)], capture_output=True, check=True)
    data = out.read_bytes()
    header = uimage.parse_uimage(data, len(data))
    assert [(m.name, m.size) for m in header.members] == [("part-0.kernel", 1001), ("part-1.ramdisk", 20)]
    assert data[header.members[1].offset : header.members[1].offset + 20] == b"B" * 20


def test_zimage_stream_found_and_fake_magic_refused() -> None:
    data = fake_zimage(KERNEL, "gzip")
    header = zimage.parse_zimage(data, len(data))
    assert header.compression == "gzip" and header.stream_offset == 0x3000 and header.end == len(data)
    literal = bytearray(filler("uboot-literal", 0x20000))  # a boot loader holding the magic as a constant
    literal[0x24:0x30] = zimage.MAGIC_LE + struct.pack("<II", 0x1000, 0x9000)
    assert zimage.parse_zimage(bytes(literal), len(literal)).stream_offset is None


def test_self_decompressing_raw_kernel_left_alone(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.write_bytes(KERNEL)
    assert zimage.write_self_decompressing(raw, Member("k", 0, len(KERNEL)), tmp_path / "o", "vmlinux") == (
        False, ())


# --- the real pipeline -------------------------------------------------------------------------------------

@pytest.mark.integration
@needs_mkimage
@pytest.mark.parametrize("method", ["lzma", "gzip", "xz"])
def test_uimage_zimage_kernel_is_decompressed_and_inspected(tmp_path: Path, method: str) -> None:
    report = audit(tmp_path, "kernel.img", mkimage(tmp_path, fake_zimage(KERNEL, method)))
    paths = {r.path for r in report.files}
    assert "kernel.img_extract/zImage" in paths
    assert "kernel.img_extract/zImage_extract/Image" in paths
    banners = facts_on(report, "kernel.banner", "zImage_extract/Image")
    assert banners and banners[0]["version"] == "4.9.129" and banners[0]["compression"] == "none"
    assert report.status == "complete", report.errors
    assert {c.handler for c in report.chunks} >= {"uimage", "zimage"}


@pytest.mark.integration
@needs_mkimage
def test_mips_self_decompressing_kernel(tmp_path: Path) -> None:
    vmlinuz = filler("mips-stub", 0x2400) + COMPRESSORS["lzma"](KERNEL)
    report = audit(tmp_path, "uImage", mkimage(tmp_path, vmlinuz, arch="mips"))
    assert "uImage_extract/vmlinux" in {r.path for r in report.files}
    assert facts_on(report, "kernel.banner", "uImage_extract/vmlinux")
    assert report.status == "complete", report.errors


@pytest.mark.integration
@needs_mkimage
@pytest.mark.parametrize("comp", ["gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"])
def test_compressed_boot_loader(tmp_path: Path, comp: str) -> None:
    packed = COMPRESSORS[comp](UBOOT)
    report = audit(tmp_path, "u-boot.bin.img", mkimage(tmp_path, packed, kind="firmware", comp=comp, name="boot"))
    versions = facts_on(report, "uboot.version", "u-boot.bin.img_extract/firmware.bin")
    assert versions, [(f.kind, f.path) for f in report.facts]
    assert report.status == "complete", report.errors


@pytest.mark.integration
@needs_mkimage
def test_multi_file_image_parts_reach_the_inspectors(tmp_path: Path) -> None:
    (tmp_path / "k.gz").write_bytes(COMPRESSORS["gzip"](KERNEL))
    (tmp_path / "rd").write_bytes(filler("ramdisk", 5000))
    out = tmp_path / "multi.img"
    subprocess.run(["mkimage", "-A", "arm", "-O", "linux", "-T", "multi", "-C", "gzip", "-n", "m", "-d",
                    f"{tmp_path / 'k.gz'}:{tmp_path / 'rd'}", str(out)], capture_output=True, check=True)
    report = audit(tmp_path, "multi.img", out.read_bytes())
    paths = {r.path for r in report.files}
    assert {"multi.img_extract/part-0.kernel", "multi.img_extract/part-1.ramdisk"} <= paths
    assert facts_on(report, "kernel.banner", "part-0.kernel")
    assert next(r for r in report.files if r.path.endswith("part-1.ramdisk")).size == 5000


@pytest.mark.integration
@needs_mkimage
def test_damaged_uimages_give_typed_warnings(tmp_path: Path) -> None:
    good = mkimage(tmp_path, COMPRESSORS["gzip"](UBOOT), kind="firmware", comp="gzip")
    crc = bytearray(good)
    crc[200] ^= 0xFF  # payload byte: data CRC (and the gzip stream) no longer hold
    report = audit(tmp_path / "crc", "crc.img", bytes(crc))
    inconsistent = [e for e in report.errors if e.kind == "unpack.inconsistent"]
    assert inconsistent and any("data CRC" in e.message and "computed 0x" in e.message for e in inconsistent)
    assert all(e.severity == "warning" for e in inconsistent)

    cut = good[: len(good) // 2]
    report = audit(tmp_path / "cut", "cut.img", cut)
    truncated = [e for e in report.errors if e.kind == "unpack.truncated"]
    assert truncated and any(str(len(good) - 64) in e.message for e in truncated), kinds(report)
    assert all(e.severity == "warning" for e in truncated)  # what was there is still read

    hdr = bytearray(good)
    hdr[8:12] = struct.pack(">I", 12345)  # timestamp changed, header CRC not updated
    report = audit(tmp_path / "hdr", "hdr.img", bytes(hdr))
    assert any(e.kind == "unpack.inconsistent" and "header CRC" in e.message for e in report.errors)
    assert facts_on(report, "uboot.version", "hdr.img_extract/firmware.bin")  # payload still read


@needs_mkimage
@pytest.mark.parametrize(("declared", "stored"), [("gzip", "raw"), ("lzma", "xz")])
def test_mislabelled_compression_is_reported_and_still_read(tmp_path: Path, declared: str, stored: str) -> None:
    payload = UBOOT if stored == "raw" else COMPRESSORS[stored](UBOOT)
    image = tmp_path / "u-boot.img"
    image.write_bytes(mkimage(tmp_path, payload, kind="firmware", comp=declared))
    result = uimage.handler().EXTRACTOR.extract(image, tmp_path / "out")  # the handler is built on first use
    assert result is not None
    assert (tmp_path / "out" / "firmware.bin").read_bytes() == UBOOT
    problems = [r.problem for r in result.reports]
    assert any(p.startswith("unpack.inconsistent:") and f"declares {declared}" in p for p in problems), problems


def test_header_crc_helper_matches_mkimage_convention() -> None:
    header = bytearray(64)
    header[0:4] = uimage.MAGIC
    header[28:32] = bytes([5, 2, 2, 0])
    header[12:16] = struct.pack(">I", 16)
    header[4:8] = struct.pack(">I", zlib.crc32(bytes(header)))
    parsed = uimage.parse_uimage(bytes(header) + bytes(16), 80)
    assert parsed.header_crc_valid and parsed.problems == ()
