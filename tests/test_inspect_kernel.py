"""Kernel banner (raw and compressed payloads), vermagic, ISVP codenames, module .modinfo."""

from __future__ import annotations

import gzip
import hashlib
import lzma
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from audit.inspect import inspect_file, kernel
from audit.model import Fact, FileRecord

BANNER = (b"Linux version 3.10.14__isvp_swan_1.0__ (builder@buildhost) (gcc version 4.7.2 "
          b"(Ingenic r2.3.3 2016.12) ) #3 PREEMPT Mon Jan 8 12:00:00 CST 2018\n")
VERMAGIC = b"\x003.10.14__isvp_swan_1.0__ preempt mod_unload MIPS32_R2 32BIT \x00"
MODULE_C = r"""
#define MI(tag, s) static const char __UNIQUE_##tag[] __attribute__((section(".modinfo"), used, aligned(1))) = s
MI(a, "author=Hisilicon");
MI(b, "license=Proprietary");
MI(c, "description=Test media driver");
MI(d, "alias=of:N*T*Chisilicon,hisi-sys");
MI(e, "depends=hi_osal,sys_config");
MI(f, "vermagic=3.10.14__isvp_swan_1.0__ SMP preempt mod_unload MIPS32_R2 32BIT ");
MI(g, "parm=debug:debug level");
int init_module(void) { return 0; }
"""


def record(path: Path, name: str) -> FileRecord:
    data = path.read_bytes()
    return FileRecord(path=name, fs_path="/" + name, kind="file", size=len(data), mode=0o644,
                      sha256=hashlib.sha256(data).hexdigest())


def facts_of(path: Path, name: str) -> tuple[dict[str, list[Fact]], list]:
    facts, errors = inspect_file(path, record(path, name))
    out: dict[str, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.kind, []).append(f)
    return out, errors


def kernel_body() -> bytes:
    return b"\x00" * 5000 + BANNER + b"\x00" * 3000 + VERMAGIC + bytes(range(256)) * 50


def test_isvp_codename() -> None:
    assert kernel.isvp_codename("Linux-3.10.14__isvp_pike_1.0__") == {"isvp_codename": "pike", "isvp_version": "1.0"}
    assert kernel.isvp_codename("4.9.37") == {}


def test_module_modinfo(tmp_path: Path) -> None:
    if shutil.which("mipsel-linux-gnu-gcc") is None:
        pytest.skip("mipsel-linux-gnu-gcc not installed")
    (tmp_path / "m.c").write_text(MODULE_C)
    out = tmp_path / "hi_osal.ko"
    subprocess.run(["mipsel-linux-gnu-gcc", "-c", "-O1", "-o", str(out), str(tmp_path / "m.c")], check=True)
    facts, errors = facts_of(out, "lib/modules/hi_osal.ko")
    assert errors == []
    info = facts["kmod.modinfo"][0]
    assert info.data["author"] == "Hisilicon" and info.data["license"] == "Proprietary"
    assert info.data["depends"] == ["hi_osal", "sys_config"]
    assert info.data["alias"] == ["of:N*T*Chisilicon,hisi-sys"] and info.data["parm"] == ["debug"]
    assert info.data["isvp_codename"] == "swan" and info.data["kernel_release"] == "3.10.14__isvp_swan_1.0__"
    raw = out.read_bytes()
    at = info.data["offsets"]["author"]
    assert raw[at : at + 16] == b"author=Hisilicon"
    assert facts["elf"][0].data["type"] == "ET_REL"


def test_raw_banner_in_vmlinux_blob(tmp_path: Path) -> None:
    p = tmp_path / "vmlinux.bin"
    p.write_bytes(kernel_body())
    facts, errors = facts_of(p, "vmlinux.bin")
    assert errors == []
    b = facts["kernel.banner"][0]
    assert b.offset == 5000 and b.data["version"] == "3.10.14__isvp_swan_1.0__"
    assert b.data["builder"] == "builder@buildhost" and b.data["compiler"].startswith("gcc version 4.7.2")
    assert b.data["build"].startswith("#3 PREEMPT") and b.data["isvp_codename"] == "swan"
    v = facts["kernel.vermagic"][0]
    assert v.data["isvp_codename"] == "swan" and "mod_unload" in v.data["flags"]


def zimage(payload: bytes) -> bytes:
    head = bytearray(0x800)
    struct.pack_into("<I", head, 0x24, 0x016F2818)
    return bytes(head) + payload + b"\x00" * 64


def test_gzip_zimage(tmp_path: Path) -> None:
    p = tmp_path / "zImage"
    p.write_bytes(zimage(gzip.compress(kernel_body())))
    facts, _ = facts_of(p, "boot/zImage")
    b = facts["kernel.banner"][0]
    assert b.data["compression"] == "gzip" and b.offset == 0x800 and b.data["decompressed_offset"] == 5000
    assert facts["kernel.vermagic"][0].data["compression"] == "gzip"


def uimage(payload: bytes, name: bytes, comp: int, itype: int = 2) -> bytes:
    hdr = struct.pack(">IIIIIIIBBBB32s", 0x27051956, 0, 1500000000, len(payload), 0x80010000, 0x80388340,
                      zlib.crc32(payload), 5, 5, itype, comp, name)
    hcrc = zlib.crc32(hdr)
    return hdr[:4] + struct.pack(">I", hcrc) + hdr[8:] + payload


def test_lzma_uimage(tmp_path: Path) -> None:
    payload = lzma.compress(kernel_body(), format=lzma.FORMAT_ALONE)
    p = tmp_path / "uImage"
    p.write_bytes(uimage(payload, b"Linux-3.10.14__isvp_pike_1.0__", 3))
    facts, errors = facts_of(p, "uImage")
    assert errors == []
    assert facts["kernel.banner"][0].data["compression"] == "lzma" and facts["kernel.banner"][0].offset == 64
    u = facts["uimage"][0].data
    assert u["name"] == "Linux-3.10.14__isvp_pike_1.0__" and u["isvp_codename"] == "pike"
    assert u["header_crc_valid"] and u["data_crc_valid"] and u["compression"] == "lzma" and u["arch"] == "mips"


def test_lzo_payload_is_reported_undecoded(tmp_path: Path) -> None:
    p = tmp_path / "uImage"
    p.write_bytes(uimage(b"\x89LZO\x00\r\n\x1a\n" + b"\x00" * 200, b"Linux-4.9.37", 4))
    facts, _ = facts_of(p, "uImage")
    assert facts["kernel.payload"][0].data == {"compression": "lzo", "decoded": False}
    assert "kernel.banner" not in facts


def test_decompression_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel, "MAX_OUTPUT", 1024 * 1024)
    bomb = gzip.compress(b"\x00" * (50 * 1024 * 1024) + BANNER)
    out = kernel._bounded(kernel.DECOMPRESSORS["gzip"], zimage(bomb), 0x800)
    assert len(out) <= 1024 * 1024
    p = tmp_path / "zImage"
    p.write_bytes(zimage(bomb))
    facts, _ = facts_of(p, "zImage")
    assert "kernel.banner" not in facts  # the banner lies beyond the cap


def test_kernel_inspector_ignores_plain_files(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_bytes(b"hello world\n")
    facts, _ = facts_of(p, "notes.txt")
    assert not any(k.startswith("kernel") for k in facts)


def test_banner_deep_inside_a_decompressed_payload(tmp_path: Path) -> None:
    """unblob hands us the decompressed kernel as `gzip.uncompressed`: the banner is far past the head."""
    path = tmp_path / "gzip.uncompressed"
    path.write_bytes(bytes(range(256)) * 64 + kernel_body())
    plain = record(path, "x.bin_extract/gzip.uncompressed")
    assert not [f for f in inspect_file(path, plain)[0] if f.kind == "kernel.banner"]
    from dataclasses import replace

    decompressed = replace(plain, handler="gzip")
    banners = [f for f in inspect_file(path, decompressed)[0] if f.kind == "kernel.banner"]
    assert len(banners) == 1
    assert banners[0].offset == 256 * 64 + kernel_body().index(b"Linux version")
