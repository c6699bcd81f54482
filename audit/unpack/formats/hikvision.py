"""Hikvision / EZVIZ `digicap.dav` firmware container.

The first `header_length` bytes (fixed 0x40-byte header + file table) are XOR-obfuscated with a public
16-byte key, index `(i + (i >> 4)) & 0xF`; payloads follow in plain. Newer `HK20`/`HK30` images keep the
obfuscated magic but encrypt the table: reported as encrypted, never as an empty container.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from audit.unpack.formats.base import (
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
    count_check,
    cstring,
)

KEY = bytes.fromhex("BACDBCFED6CADDD3BAB9A3ABBFCBB5BE")
FIXED = 0x40
ENTRY = 0x2C
MAX_HEADER = 1024 * 1024
MAX_CHECKSUM = 64 * 1024 * 1024  # bytes of payload whose byte-sum checksum is verified
PLAIN_MAGICS = {b"SWKH": "SWKH", b"02KH": "HK20", b"03KH": "HK30"}
LANGUAGE = {1: "english", 2: "chinese"}
DEVICE_CLASS = {1: "dvr", 2: "ipc"}
REFERENCES = (
    "https://hiktools.readthedocs.io/en/stable/fmod.html",
    "https://github.com/MatrixEditor/hiktools/blob/master/hiktools/fmod/digicap.py",
    "https://ipcamtalk.com/threads/how-to-fix-your-15-beep-bootloop-hikvision-ds-76xxn-ex-nvr-or-convert-to-en-and-make-it-updatable.37324/page-3",
)


def xor_dav(data: bytes, start: int = 0) -> bytes:
    """De-obfuscate (or obfuscate) bytes that sit at container offset `start`."""
    return bytes(b ^ KEY[((start + i) + ((start + i) >> 4)) & 0xF] for i, b in enumerate(data))


OBFUSCATED_MAGICS = tuple(xor_dav(m) for m in PLAIN_MAGICS)  # E9 9A F7 B6, 8A FF F7 B6, 8A FE F7 B6


@dataclass(frozen=True, kw_only=True)
class DavHeader(ContainerHeader):
    """The de-obfuscated digicap.dav header words and file table."""

    magic: str
    header_checksum: int
    header_checksum_valid: bool | None
    header_length: int
    file_count: int
    language: int
    language_name: str | None
    device_class: int
    device_class_name: str | None
    oem_code: int
    signature: int
    features: int
    entry_order: str | None  # 'offset,length' or 'length,offset' as found in the table


def parse_dav(data: Buffer, size: int) -> DavHeader:
    """Parse the XOR-obfuscated header and file table (pure, bounds-checked)."""
    fixed = xor_dav(TableReader(data).raw(0, FIXED))
    magic = PLAIN_MAGICS.get(fixed[:4])
    if magic is None:
        raise FormatError("bad_magic", f"not a digicap.dav header ({fixed[:4].hex()})")
    words = TableReader(fixed).words(4, 8)
    checksum, length, count, lang, dev, oem, sig, feat = words
    base = {"magic": magic, "header_checksum": checksum, "header_length": length, "file_count": count,
            "language": lang, "language_name": LANGUAGE.get(lang), "device_class": dev,
            "device_class_name": DEVICE_CLASS.get(dev), "oem_code": oem, "signature": sig, "features": feat}
    if magic != "SWKH":
        problem = Problem("encrypted", f"{magic} image: the file table and payloads are encrypted; "
                          "container identified from its header only")
        return DavHeader(format="hikvision_dav", end=size, encrypted=True, problems=(problem,),
                         header_checksum_valid=None, entry_order=None, **base)
    if not FIXED <= length <= min(size, MAX_HEADER):
        raise FormatError("bad_field", f"header length 0x{length:x} outside 0x40..0x{min(size, MAX_HEADER):x}")
    problems: list[Problem] = []
    avail = min(length, len(data))
    if avail < length:
        problems.append(Problem("truncated", f"header+table of 0x{length:x} bytes, 0x{avail:x} readable"))
    plain = fixed + xor_dav(bytes(data[FIXED:avail]), FIXED)
    n, problem = count_check(count, avail - FIXED, ENTRY, "files")
    if problem:
        problems.append(problem)
    valid = sum(plain[8:length]) & 0xFFFFFFFF == checksum if avail == length else None
    members, order, more = _table(plain, n, length, size, data)
    return DavHeader(format="hikvision_dav", end=min(size, max([length] + [m.offset + m.size for m in members])),
                     members=tuple(members), problems=(*problems, *more), header_checksum_valid=valid,
                     entry_order=order, **base)


def _table(plain: bytes, count: int, floor: int, size: int, data: Buffer) -> tuple[list[Member], str | None, list]:
    """Members of the file table; the (offset, length) order is detected from where the payloads fit."""
    reader = TableReader(plain)
    rows = []
    for i in range(count):
        at = FIXED + i * ENTRY
        rows.append((cstring(reader.raw(at, 32), 32), *reader.words(at + 32, 3)))
    order = _entry_order(rows, floor, size)
    members: list[Member] = []
    problems: list[Problem] = []
    for name, a, b, checksum in rows:
        offset, length = (a, b) if order == "offset,length" else (b, a)
        if not name:
            problems.append(Problem("bad_name", f"empty file name in table entry at 0x{offset:x}"))
            continue
        if offset < floor or offset + length > size:
            problems.append(Problem("out_of_bounds", f"{name!r} at 0x{offset:x}+0x{length:x} outside "
                                    f"0x{floor:x}..0x{size:x}"))
            continue
        valid = None
        if offset + length <= len(data) and length <= MAX_CHECKSUM:
            valid = sum(bytes(data[offset : offset + length])) & 0xFFFFFFFF == checksum
        members.append(Member(name, offset, length, checksum_valid=valid))
    return members, (order if rows else None), problems


def _entry_order(rows: list[tuple[str, int, int, int]], floor: int, size: int) -> str:
    """'offset,length' unless only the swapped reading puts every payload inside the file."""
    def fits(swap: bool) -> int:
        return sum(1 for _, a, b, _ in rows if floor <= (b if swap else a) <= (b if swap else a)
                   + (a if swap else b) <= size)
    return "length,offset" if fits(True) > fits(False) else "offset,length"


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("DavHandler", "hikvision_dav", OBFUSCATED_MAGICS, parse_dav,
                           "Hikvision digicap.dav", "Hikvision", __doc__ or "", REFERENCES,
                           ("HK20/HK30 tables and payloads are encrypted: identified, not extracted.",))

SPEC = FormatSpec(
    name="hikvision_dav", title="Hikvision / EZVIZ digicap.dav", magics=tuple((0, m) for m in OBFUSCATED_MAGICS),
    parse=parse_dav, doc=__doc__ or "", handler=handler, status="unpacks (SWKH); encrypted-only (HK20/HK30)",
    references=REFERENCES,
)
