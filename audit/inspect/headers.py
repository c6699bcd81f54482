"""Boot headers: legacy uImage headers, flattened device trees and FIT images, U-Boot banners, prompts,
default `bootargs` and `mtdparts`.

Fixed headers are declared with dissect.cstruct; the FDT structure block is walked by a small bounded walker.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dissect.cstruct import cstruct

from audit.inspect.base import InspectError, Inspector, basename, find_all, make_fact, open_map, text
from audit.inspect.kernel import isvp_codename
from audit.model import Fact, FileRecord

UIMAGE_MAGIC = b"\x27\x05\x19\x56"
FDT_MAGIC = b"\xd0\x0d\xfe\xed"
MAX_HITS = 8
MAX_FDT_TOKENS = 100_000
MAX_FDT_DEPTH = 32
MAX_DATA_CRC = 64 * 1024 * 1024

_CS = cstruct(endian=">").load("""
struct uimage_header {
    uint32 ih_magic; uint32 ih_hcrc; uint32 ih_time; uint32 ih_size; uint32 ih_load; uint32 ih_ep;
    uint32 ih_dcrc; uint8 ih_os; uint8 ih_arch; uint8 ih_type; uint8 ih_comp; char ih_name[32];
};
struct fdt_header {
    uint32 magic; uint32 totalsize; uint32 off_dt_struct; uint32 off_dt_strings; uint32 off_mem_rsvmap;
    uint32 version; uint32 last_comp_version; uint32 boot_cpuid_phys; uint32 size_dt_strings;
    uint32 size_dt_struct;
};
""")
UIMAGE_OS = {0: "invalid", 1: "openbsd", 2: "netbsd", 3: "freebsd", 5: "linux", 14: "vxworks", 16: "qnx",
             17: "u-boot", 18: "rtems", 25: "arm-trusted-firmware", 26: "tee", 27: "opensbi", 28: "efi"}
UIMAGE_ARCH = {0: "invalid", 1: "alpha", 2: "arm", 3: "x86", 4: "ia64", 5: "mips", 6: "mips64", 7: "ppc",
               8: "s390", 9: "sh", 10: "sparc", 11: "sparc64", 12: "m68k", 14: "microblaze", 15: "nios2",
               16: "blackfin", 17: "avr32", 20: "nds32", 21: "openrisc", 22: "arm64", 23: "arc",
               24: "x86_64", 25: "xtensa", 26: "riscv"}
UIMAGE_TYPE = {0: "invalid", 1: "standalone", 2: "kernel", 3: "ramdisk", 4: "multi", 5: "firmware",
               6: "script", 7: "filesystem", 8: "flat_dt"}
UIMAGE_COMP = {0: "none", 1: "gzip", 2: "bzip2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zstd"}

UBOOT_BANNER = re.compile(rb"U-Boot (SPL )?(\d{4}\.\d{2}[\w.+~-]{0,40})(?: \(([^)\x00\n]{1,80})\))?")
PROMPT = re.compile(rb"\x00([A-Za-z][\w\-. ]{0,24}(?:#|=>|>) ?)\x00")
BOOTARGS = re.compile(rb"bootargs=([ -~]{1,1024}?)(?=\x00|\n)")
MTDPARTS = re.compile(rb"mtdparts=([\w.\-]{1,32}):([\w.@()\-,+]{1,512})")
NAME_HINT = re.compile(r"(?i)(u-?boot|\.dtb$|\.itb$|fit|uimage|kernel|env|mtd|boot|\.img$|\.bin$)")


class HeadersInspector(Inspector):
    NAME = "headers"
    DOC = "uImage headers, FDT/FIT (model, compatible, images), U-Boot version/prompt, bootargs, mtdparts."
    APPLIES_TO = "files with a uImage/FDT magic at 0, U-Boot text in the head, or boot-ish names/raw data"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        if head[:4] in (UIMAGE_MAGIC, FDT_MAGIC) or b"U-Boot" in head:
            return True
        if head[:4] == b"\x7fELF":
            return "u-boot" in basename(record).lower()
        return bool(NAME_HINT.search(basename(record))) or record.mime in ("application/octet-stream", "")

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        with open_map(path) as data:
            facts = (_uimages(record, data) + _fdts(record, data) + _uboot(record, data)
                     + _bootargs(record, data))
            whole = not CARVED_PIECE.match(basename(record))  # unblob's `<start>-<end>.unknown` pieces are cut
            problem = fdt_header_problem(data) if data[:4] == FDT_MAGIC and whole else None
        if problem:  # a file that is a device tree (or FIT image) whose own header does not hold
            raise InspectError("fdt", problem, facts)
        return facts


def _offsets(data: Any, magic: bytes) -> Iterator[int]:
    """Offsets of `magic` (at 0 first), at most MAX_HITS, 4-byte aligned."""
    pos, hits = 0, 0
    while hits < MAX_HITS:
        pos = data.find(magic, pos)
        if pos < 0:
            return
        if pos % 4 == 0:
            hits += 1
            yield pos
        pos += 4 - pos % 4 if pos % 4 else 4


def parse_uimage(blob: bytes, offset: int, data: Any) -> dict[str, Any] | None:
    """The fields of one legacy uImage header; None when too short."""
    if len(blob) < 64:
        return None
    h = _CS.uimage_header(blob[:64])
    hcrc = zlib.crc32(blob[:4] + b"\0\0\0\0" + blob[8:64])
    name = text(h.ih_name.split(b"\0", 1)[0], 32)
    start, end = offset + 64, offset + 64 + h.ih_size
    fact: dict[str, Any] = {
        "name": name, "os": UIMAGE_OS.get(h.ih_os, str(h.ih_os)), "arch": UIMAGE_ARCH.get(h.ih_arch, str(h.ih_arch)),
        "type": UIMAGE_TYPE.get(h.ih_type, str(h.ih_type)), "compression": UIMAGE_COMP.get(h.ih_comp, str(h.ih_comp)),
        "load": f"0x{h.ih_load:08x}", "entry": f"0x{h.ih_ep:08x}", "timestamp": h.ih_time,
        "data_size": h.ih_size, "header_crc_valid": hcrc == h.ih_hcrc, "data_complete": end <= len(data),
    }
    if end <= len(data) and h.ih_size <= MAX_DATA_CRC:
        fact["data_crc_valid"] = zlib.crc32(memoryview(data)[start:end]) == h.ih_dcrc
    fact.update(isvp_codename(name))
    return fact


def _uimages(record: FileRecord, data: Any) -> list[Fact]:
    facts = []
    for off in _offsets(data, UIMAGE_MAGIC):
        fact = parse_uimage(bytes(data[off : off + 64]), off, data)
        if fact is not None and (off == 0 or fact["header_crc_valid"]):
            facts.append(make_fact(record, "uimage", fact, off))
    return facts


def walk_fdt(blob: bytes, h: Any) -> Iterator[tuple[tuple[str, ...], str, bytes]]:
    """(node path, property name, value) of an FDT structure block; bounded in tokens and depth."""
    pos, end = h.off_dt_struct, min(len(blob), h.off_dt_struct + h.size_dt_struct)
    strings = blob[h.off_dt_strings : h.off_dt_strings + h.size_dt_strings]
    path: list[str] = []
    for _ in range(MAX_FDT_TOKENS):
        if pos + 4 > end:
            return
        token = int.from_bytes(blob[pos : pos + 4], "big")
        pos += 4
        if token == 1:  # FDT_BEGIN_NODE
            stop = blob.find(b"\0", pos, end)
            if stop < 0 or len(path) >= MAX_FDT_DEPTH:
                return
            path.append(text(blob[pos:stop], 64))
            pos = (stop + 4) & ~3
        elif token == 2 and path:  # FDT_END_NODE
            path.pop()
        elif token == 3:  # FDT_PROP
            size, nameoff = int.from_bytes(blob[pos : pos + 4], "big"), int.from_bytes(blob[pos + 4 : pos + 8], "big")
            name_end = strings.find(b"\0", nameoff)
            yield tuple(path[1:]), text(strings[nameoff:name_end], 64), blob[pos + 8 : pos + 8 + min(size, 4096)]
            pos = (pos + 8 + size + 3) & ~3
        elif token != 4:  # FDT_NOP; FDT_END or garbage stops the walk
            return


CARVED_PIECE = re.compile(r"^\d+-\d+\.unknown$")  # a gap between chunks that unblob carved out: a piece, not a file


def fdt_header_problem(data: Any) -> str | None:
    """Why the FDT header at the start of `data` cannot be right (sizes and blocks past its end), else None.

    Layout: the devicetree specification, section 5.2 (https://www.devicetree.org/specifications/).
    """
    if len(data) < 40:
        return f"device tree header truncated ({len(data)} of 40 bytes)"
    h = _CS.fdt_header(bytes(data[:40]))
    if h.totalsize > len(data):
        return f"device tree totalsize {h.totalsize} runs past the end of the file ({len(data)} bytes)"
    for name, off, size in (("structure block", h.off_dt_struct, h.size_dt_struct),
                            ("strings block", h.off_dt_strings, h.size_dt_strings)):
        if off + size > h.totalsize and (name == "strings block" or h.version >= 17):
            return f"device tree {name} at {off}+{size} lies past its totalsize {h.totalsize}"
    if not 1 <= h.version <= 64:
        return f"implausible device tree version {h.version}"
    return None


def _strings(value: bytes) -> list[str]:
    return [text(s, 256) for s in value.split(b"\0") if s][:32]


def parse_fdt(blob: bytes) -> dict[str, Any] | None:
    """Model, compatible and (for FIT images) images/configurations of one device tree blob."""
    if len(blob) < 40:
        return None
    h = _CS.fdt_header(blob[:40])
    if h.totalsize > len(blob) or h.totalsize < 40 or not 1 <= h.version <= 64:
        return None
    blob = blob[: h.totalsize]
    fact: dict[str, Any] = {"version": h.version, "totalsize": h.totalsize, "kind": "dtb"}
    images: dict[str, dict[str, str]] = {}
    nodes = set()
    for path, name, value in walk_fdt(blob, h):
        nodes.add(path)
        if not path and name in ("model", "compatible", "description"):
            fact[name] = _strings(value) if name == "compatible" else text(value.rstrip(b"\0"))
        elif len(path) == 2 and path[0] == "images" and name in ("description", "type", "arch", "os", "compression"):
            images.setdefault(path[1], {})[name] = text(value.rstrip(b"\0"), 128)
        elif path == ("configurations",) and name == "default":
            fact["default_config"] = text(value.rstrip(b"\0"), 64)
    if images or ("images",) in nodes:
        fact["kind"] = "fit"
        fact["images"] = [{"name": k, **v} for k, v in sorted(images.items())][:64]
    fact["nodes"] = len(nodes)
    return fact


def _fdts(record: FileRecord, data: Any) -> list[Fact]:
    facts = []
    for off in _offsets(data, FDT_MAGIC):
        size = int.from_bytes(data[off + 4 : off + 8], "big")
        if 40 <= size <= min(len(data) - off, 64 * 1024 * 1024):
            fact = parse_fdt(bytes(data[off : off + size]))
            if fact is not None:
                facts.append(make_fact(record, "fdt", fact, off))
    return facts


def _uboot(record: FileRecord, data: Any) -> list[Fact]:
    facts, seen = [], set()
    for m in find_all(data, UBOOT_BANNER, 16):
        key = m.group(0)
        if key in seen:
            continue
        seen.add(key)
        fact = {"banner": text(m.group(0)), "version": text(m.group(2)), "spl": bool(m.group(1)),
                "build": text(m.group(3) or b"")}
        facts.append(make_fact(record, "uboot.version", fact, m.start()))
    if facts:
        prompts = [m for m in find_all(data, PROMPT, 32) if b"%" not in m.group(1)]
        for m in prompts[:4]:
            facts.append(make_fact(record, "uboot.prompt", {"prompt": text(m.group(1))}, m.start(1)))
    return facts


def _bootargs(record: FileRecord, data: Any) -> list[Fact]:
    facts = []
    for m in find_all(data, BOOTARGS, 8):
        facts.append(make_fact(record, "uboot.bootargs", {"bootargs": text(m.group(1), 1024)}, m.start()))
    for m in find_all(data, MTDPARTS, 8):
        parts = re.findall(rb"\(([^()]{1,32})\)", m.group(2))
        fact = {"device": text(m.group(1)), "partitions": [text(p) for p in parts], "spec": text(m.group(2))}
        facts.append(make_fact(record, "mtdparts", fact, m.start()))
    return facts
