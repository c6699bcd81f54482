"""Linux kernel facts: the version banner and vermagic of kernel images (raw or inside a compressed payload),
and the `.modinfo` of kernel modules.

Mapping an Ingenic ISVP codename (`__isvp_swan_1.0__`) to a chip is attribution's job
(`rules/data/kernel_codenames.yaml`); here the codename is only read.
"""

from __future__ import annotations

import bz2
import lzma
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from audit.inspect import elf_tables as t
from audit.inspect.base import InspectError, Inspector, basename, find_all, make_fact, open_map, text
from audit.model import Fact, FileRecord

MAX_OUTPUT = 64 * 1024 * 1024  # bytes decompressed per payload
MAX_CANDIDATES = 8  # compressed payloads tried per image
PAYLOAD_WINDOW = 16 * 1024 * 1024  # where in an image compressed payloads are looked for
UIMAGE_MAGIC = b"\x27\x05\x19\x56"
UIMAGE_COMPRESSION = {0: "none", 1: "gzip", 2: "bzip2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zstd"}

BANNER = re.compile(
    rb"Linux version (\d[\w.+~-]{0,63}) \(([^()\x00\n]{0,128})\) \(([^\x00\n]{1,300}?)\)\s{1,4}(#[^\x00\n]{1,200})"
)
VERMAGIC = re.compile(
    rb"(?<![\w.])(\d+\.\d+[\w.+~-]{0,80} (?:SMP )?(?:preempt |PREEMPT_RT )?mod_unload[ \w]{0,80})\x00"
)
ISVP = re.compile(r"__isvp_([a-z0-9]+)_(\d[\d.]*)__")
MAGICS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("gzip", re.compile(rb"\x1f\x8b\x08[\x00-\x1f]")),
    ("xz", re.compile(rb"\xfd7zXZ\x00")),
    ("lzma", re.compile(rb"\x5d\x00\x00[\x00-\x80]\x00[\xff\x00]")),
    ("bzip2", re.compile(rb"BZh[1-9]1AY&SY")),
    ("lzo", re.compile(rb"\x89LZO\x00\r\n\x1a\n")),
    ("lz4", re.compile(rb"\x02\x21\x4c\x18")),
    ("zstd", re.compile(rb"\x28\xb5\x2f\xfd")),
)
NAME_HINT = re.compile(r"(?i)(vmlinu[xz]|zimage|uimage|bzimage|^image$|kernel)")


def isvp_codename(value: str) -> dict[str, str]:
    """`{'isvp_codename': 'swan', 'isvp_version': '1.0'}` for Ingenic ISVP LOCALVERSIONs, else {}."""
    m = ISVP.search(value)
    return {"isvp_codename": m.group(1), "isvp_version": m.group(2)} if m else {}


def parse_banner(match: re.Match[bytes]) -> dict[str, Any]:
    """Fields of one `Linux version ...` banner match."""
    version, builder = text(match.group(1)), text(match.group(2))
    user, _, host = builder.partition("@")
    data = {"banner": text(match.group(0)), "version": version, "builder": builder, "user": user,
            "host": host, "compiler": text(match.group(3)), "build": text(match.group(4)).strip()}
    data.update(isvp_codename(version))
    return data


def parse_vermagic(value: str) -> dict[str, Any]:
    """Kernel release, flags and ISVP codename of a vermagic string."""
    release, *flags = value.split()
    data: dict[str, Any] = {"vermagic": value.strip(), "kernel_release": release, "flags": flags}
    data.update(isvp_codename(release))
    return data


class ModinfoInspector(Inspector):
    NAME = "kmod"
    DOC = "Kernel module .modinfo: author, license, description, vermagic, depends, alias, name, version."
    APPLIES_TO = "relocatable ELF objects (ET_REL), i.e. .ko modules"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        if head[:4] != b"\x7fELF" or len(head) < 18 or head[5] not in (1, 2):
            return False
        return struct.unpack_from("<H" if head[5] == 1 else ">H", head, 16)[0] == 1

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        with open_map(path) as data:
            try:
                header = t.read_header(data)
            except ValueError as exc:
                raise InspectError("header", str(exc)) from exc
            if not t.section_table_ok(header, len(data)):
                return []
            sections = t.read_sections(data, header)
            sec = next((s for s in sections if s["name"] == ".modinfo"), None)
            if sec is None:
                return []
            off, size = int(sec["offset"]), min(int(sec["size"]), 256 * 1024)
            raw = bytes(data[off : off + size])
            fields = modinfo_fields(raw, off)
            if "name" not in fields:  # kernels before 5.x keep the name only in the module struct
                this = next((s for s in sections if s["name"] == THIS_MODULE), None)
                name = None if this is None else this_module_name(data, int(this["offset"]), int(this["size"]),
                                                                  header.bits)
                if name:
                    fields.update(name=name, name_source=THIS_MODULE)
        return [make_fact(record, "kmod.modinfo", fields, off)]


THIS_MODULE = ".gnu.linkonce.this_module"
MODULE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,55}$")


def this_module_name(data: Any, offset: int, size: int, bits: int) -> str | None:
    """`struct module.name` in `.gnu.linkonce.this_module`: after `enum module_state state` and
    `struct list_head list` (include/linux/module.h), so at 12 (32-bit) or 24 (64-bit); None if implausible."""
    at = offset + (12 if bits == 32 else 24)
    if size < (12 if bits == 32 else 24) + 2 or at + 56 > len(data):
        return None
    raw = bytes(data[at : at + 56]).split(b"\0", 1)[0]
    name = raw.decode("ascii", "replace")
    return name if MODULE_NAME.match(name) else None


def modinfo_fields(raw: bytes, base: int) -> dict[str, Any]:
    """`key=value` strings of a .modinfo section; repeatable keys become lists, first offsets kept."""
    listed = {"alias", "depends", "firmware", "parm", "parmtype", "softdep", "import_ns"}
    data: dict[str, Any] = {}
    offsets: dict[str, int] = {}
    pos = 0
    for chunk in raw.split(b"\0"):
        key, sep, value = text(chunk, 1024).partition("=")
        if sep and key and len(key) < 64:
            offsets.setdefault(key, base + pos)
            if key in listed:
                values = [v for v in value.split(",") if v] if key == "depends" else [value]
                data.setdefault(key, []).extend(values)
            else:
                data.setdefault(key, value)
        pos += len(chunk) + 1
    data["parm"] = sorted({p.partition(":")[0] for p in data.get("parm", [])})[:200]
    data.pop("parmtype", None)
    if "vermagic" in data:
        data.update({k: v for k, v in parse_vermagic(data["vermagic"]).items() if k != "vermagic"})
    data["offsets"] = offsets
    return data


# unblob handlers whose output is one decompressed stream (a raw kernel Image comes out of these)
DECOMPRESSORS = frozenset({"gzip", "xz", "lzma", "bzip2", "lz4", "lzo", "zstd", "zlib", "lzip", "compress"})


class KernelImageInspector(Inspector):
    NAME = "kernel"
    DOC = "Linux banner and vermagic of kernel images, searched raw and in gzip/xz/lzma/bzip2 payloads."
    APPLIES_TO = "uImage (kernel), ARM zImage, arm64 Image, bzImage, vmlinux and files named like kernels"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        return (
            (head[:4] == UIMAGE_MAGIC and len(head) > 30 and head[30] in (2, 4))
            or head[0x24:0x28] == b"\x18\x28\x6f\x01"
            or head[0x38:0x3C] == b"ARM\x64"
            or head[0x202:0x206] == b"HdrS"
            or b"Linux version " in head
            or bool(NAME_HINT.search(basename(record)))
            or (record.handler in DECOMPRESSORS and not record.is_elf)  # kernels hide in decompressed payloads
        )

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        with open_map(path) as data:
            facts = _raw_facts(record, data)
            if not any(f.kind == "kernel.banner" for f in facts):
                facts.extend(_payload_facts(record, data))
        return facts


def _raw_facts(record: FileRecord, data: Any) -> list[Fact]:
    facts = [make_fact(record, "kernel.banner", {**parse_banner(m), "compression": "none"}, m.start())
             for m in find_all(data, BANNER, 4)]
    facts += [make_fact(record, "kernel.vermagic", parse_vermagic(text(m.group(1))), m.start(1))
              for m in find_all(data, VERMAGIC, 4)]
    return facts


def _candidates(data: Any) -> list[tuple[int, str]]:
    """(offset, compression) of compressed payloads: the uImage's declared one first, then by magic."""
    declared: list[tuple[int, str]] = []
    if data[:4] == UIMAGE_MAGIC and len(data) > 64:
        declared.append((64, UIMAGE_COMPRESSION.get(data[31], "unknown")))
    window = min(len(data), PAYLOAD_WINDOW)
    found = {(m.start(), name) for name, pattern in MAGICS
             for m in find_all(data, pattern, MAX_CANDIDATES, window)}
    return (declared + sorted(found - set(declared)))[:MAX_CANDIDATES]


def _payload_facts(record: FileRecord, data: Any) -> list[Fact]:
    facts: list[Fact] = []
    for offset, compression in _candidates(data):
        opener = DECOMPRESSORS.get(compression)
        if opener is None:
            if compression not in ("none", "unknown"):
                facts.append(make_fact(record, "kernel.payload", {"compression": compression, "decoded": False},
                                       offset))
            continue
        out = _bounded(opener, data, offset)
        banners = find_all(out, BANNER, 2)
        if not banners:
            continue
        for m in banners:
            fact = {**parse_banner(m), "compression": compression, "decompressed_offset": m.start()}
            facts.append(make_fact(record, "kernel.banner", fact, offset))
        for m in find_all(out, VERMAGIC, 4):
            fact = {**parse_vermagic(text(m.group(1))), "compression": compression,
                    "decompressed_offset": m.start(1)}
            facts.append(make_fact(record, "kernel.vermagic", fact, offset))
        return [f for f in facts if f.kind != "kernel.payload"]
    return facts


def _chunks(decompress: Callable[[bytes, int], bytes], data: Any, start: int) -> Iterator[bytes]:
    """Feed 64 KiB pieces to `decompress(piece, max_length)`, stopping at MAX_OUTPUT or on an error."""
    total, pos = 0, start
    while pos < len(data) and total < MAX_OUTPUT:
        try:
            out = decompress(bytes(data[pos : pos + 65536]), MAX_OUTPUT - total)
        except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error):
            return
        pos += 65536
        total += len(out)
        yield out


def _bounded(opener: Callable[[], Callable[[bytes, int], bytes]], data: Any, start: int) -> bytes:
    return b"".join(_chunks(opener(), data, start))


def _gzip() -> Callable[[bytes, int], bytes]:
    dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
    return lambda piece, limit: dec.decompress(dec.unconsumed_tail + piece, limit) if not dec.eof else b""


def _lzma() -> Callable[[bytes, int], bytes]:
    dec = lzma.LZMADecompressor(lzma.FORMAT_AUTO)
    return lambda piece, limit: dec.decompress(piece, limit) if not dec.eof else b""


def _bzip2() -> Callable[[bytes, int], bytes]:
    dec = bz2.BZ2Decompressor()
    return lambda piece, limit: dec.decompress(piece, limit) if not dec.eof else b""


DECOMPRESSORS: dict[str, Callable[[], Callable[[bytes, int], bytes]]] = {
    "gzip": _gzip, "xz": _lzma, "lzma": _lzma, "bzip2": _bzip2,
}
