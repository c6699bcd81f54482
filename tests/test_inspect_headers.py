"""uImage headers, FDT/FIT, U-Boot banner/prompt/bootargs/mtdparts."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from audit.inspect import inspect_file
from audit.inspect.headers import parse_fdt
from audit.model import Fact, FileRecord


def record(path: Path, name: str) -> FileRecord:
    data = path.read_bytes()
    return FileRecord(path=name, fs_path="/" + name, kind="file", size=len(data), mode=0o644,
                      sha256=hashlib.sha256(data).hexdigest(), mime="application/octet-stream")


def facts_of(path: Path, name: str) -> tuple[dict[str, list[Fact]], list]:
    facts, errors = inspect_file(path, record(path, name))
    out: dict[str, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.kind, []).append(f)
    return out, errors


class FdtWriter:
    """A minimal flattened-device-tree writer for fixtures."""

    def __init__(self) -> None:
        self.struct = b""
        self.strings = b""

    def begin(self, name: str) -> FdtWriter:
        raw = name.encode() + b"\0"
        self.struct += struct.pack(">I", 1) + raw + b"\0" * (-len(raw) % 4)
        return self

    def prop(self, name: str, value: bytes) -> FdtWriter:
        if name.encode() + b"\0" not in self.strings:
            self.strings += name.encode() + b"\0"
        off = self.strings.index(name.encode() + b"\0")
        self.struct += struct.pack(">III", 3, len(value), off) + value + b"\0" * (-len(value) % 4)
        return self

    def end(self) -> FdtWriter:
        self.struct += struct.pack(">I", 2)
        return self

    def blob(self) -> bytes:
        body = self.struct + struct.pack(">I", 9)
        rsv = b"\0" * 16
        off_rsv, off_struct = 40, 40 + len(rsv)
        off_strings = off_struct + len(body)
        total = off_strings + len(self.strings)
        hdr = struct.pack(">10I", 0xD00DFEED, total, off_struct, off_strings, off_rsv, 17, 16, 0,
                          len(self.strings), len(body))
        return hdr + rsv + body + self.strings


def dtb() -> bytes:
    w = FdtWriter().begin("").prop("model", b"Hisilicon HI3516EV200 DEMO Board\0")
    w.prop("compatible", b"hisilicon,hi3516ev200-demo\0hisilicon,hi3516ev200\0")
    w.begin("cpus").prop("#address-cells", struct.pack(">I", 1)).end()
    return w.end().blob()


def fit() -> bytes:
    w = FdtWriter().begin("").prop("description", b"Kernel and FDT\0").begin("images")
    w.begin("kernel-1").prop("description", b"Linux kernel\0").prop("type", b"kernel\0").prop("arch", b"arm\0")
    w.prop("os", b"linux\0").prop("compression", b"gzip\0").prop("data", b"\x1f\x8b" + b"\0" * 30).end()
    w.begin("fdt-1").prop("type", b"flat_dt\0").prop("arch", b"arm\0").end().end()
    w.begin("configurations").prop("default", b"conf-1\0").begin("conf-1").prop("kernel", b"kernel-1\0").end()
    return w.end().end().blob()


def test_dtb_model_compatible(tmp_path: Path) -> None:
    p = tmp_path / "hi3516ev200.dtb"
    p.write_bytes(dtb())
    facts, errors = facts_of(p, "hi3516ev200.dtb")
    assert errors == []
    d = facts["fdt"][0]
    assert d.offset == 0 and d.data["kind"] == "dtb"
    assert d.data["model"] == "Hisilicon HI3516EV200 DEMO Board"
    assert d.data["compatible"] == ["hisilicon,hi3516ev200-demo", "hisilicon,hi3516ev200"]


def test_fit_images_and_embedded_offset(tmp_path: Path) -> None:
    p = tmp_path / "image.itb"
    p.write_bytes(b"\xff" * 1024 + fit())
    facts, _ = facts_of(p, "image.itb")
    f = facts["fdt"][0]
    assert f.offset == 1024 and f.data["kind"] == "fit" and f.data["default_config"] == "conf-1"
    kernel = next(i for i in f.data["images"] if i["name"] == "kernel-1")
    assert kernel == {"name": "kernel-1", "description": "Linux kernel", "type": "kernel", "arch": "arm",
                      "os": "linux", "compression": "gzip"}


def test_fdt_bounded_on_garbage() -> None:
    truncated = dtb()[:-12]  # totalsize larger than the blob
    assert parse_fdt(truncated) is None
    looping = struct.pack(">10I", 0xD00DFEED, 48, 40, 48, 40, 17, 16, 0, 0, 8) + struct.pack(">II", 4, 4)
    assert parse_fdt(looping)["nodes"] == 0
    assert parse_fdt(b"\xd0\x0d\xfe\xed" + b"\xff" * 36) is None


def uimage(payload: bytes, name: bytes, itype: int = 2, comp: int = 1) -> bytes:
    hdr = bytearray(struct.pack(">IIIIIIIBBBB32s", 0x27051956, 0, 1600000000, len(payload), 0x80008000,
                                0x80008000, zlib.crc32(payload), 5, 2, itype, comp, name))
    struct.pack_into(">I", hdr, 4, zlib.crc32(bytes(hdr)))
    return bytes(hdr) + payload


def test_uimage_header_fields(tmp_path: Path) -> None:
    p = tmp_path / "kernel.img"
    p.write_bytes(uimage(b"\x00" * 256, b"Linux-4.9.37-hi3516ev200"))
    u = facts_of(p, "kernel.img")[0]["uimage"][0]
    assert u.offset == 0
    assert (u.data["os"], u.data["arch"], u.data["type"], u.data["compression"]) == ("linux", "arm", "kernel", "gzip")
    assert u.data["name"] == "Linux-4.9.37-hi3516ev200" and u.data["load"] == "0x80008000"
    assert u.data["header_crc_valid"] and u.data["data_crc_valid"] and u.data["data_size"] == 256


def test_uimage_bad_crc_at_zero_is_flagged_and_ignored_elsewhere(tmp_path: Path) -> None:
    bad = bytearray(uimage(b"\x00" * 64, b"rootfs", itype=3, comp=0))
    bad[40] ^= 0xFF
    p = tmp_path / "blob.bin"
    p.write_bytes(bytes(bad) + b"\x00" * 64 + bytes(bad))
    us = facts_of(p, "blob.bin")[0]["uimage"]
    assert [u.offset for u in us] == [0] and us[0].data["header_crc_valid"] is False


def test_uboot_banner_prompt_bootargs_mtdparts(tmp_path: Path) -> None:
    blob = (b"\x00" * 100 + b"U-Boot 2013.07 (Apr 11 2019 - 15:36:18)\x00" + b"\x00HKVS # \x00" +
            b"bootargs=mem=64M console=ttyAMA0,115200 root=/dev/mtdblock2 rootfstype=squashfs "
            b"mtdparts=hi_sfc:256K(boot),64K(env),2560K(kernel),-(rootfs)\x00" + b"\x00" * 100)
    p = tmp_path / "u-boot.bin"
    p.write_bytes(blob)
    facts, errors = facts_of(p, "u-boot.bin")
    assert errors == []
    v = facts["uboot.version"][0]
    assert v.data["version"] == "2013.07" and v.data["build"] == "Apr 11 2019 - 15:36:18" and v.offset == 100
    assert [f.data["prompt"] for f in facts["uboot.prompt"]] == ["HKVS # "]
    assert "console=ttyAMA0" in facts["uboot.bootargs"][0].data["bootargs"]
    m = facts["mtdparts"][0].data
    assert m["device"] == "hi_sfc" and m["partitions"] == ["boot", "env", "kernel", "rootfs"]
