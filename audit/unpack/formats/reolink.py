"""Reolink / Swann (Novatek) `.pak` firmware: magic `13 59 72 32`, CRC32 and board word, then a section table
(name[32], version[24], offset, length) and a partition table (name[32], offset, destination MTD name[32],
unknown, length), both with one entry per section. The section count is implied by the first section's
offset: `(offset - 12) / (64 + 76)`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from audit.unpack.formats.base import (
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Problem,
    TableReader,
    checked_members,
    count_check,
)

MAGIC = bytes.fromhex("13597232")
HEADER = 12
SECTION = 64
PARTITION = 76
REFERENCES = (
    "https://github.com/hn/reolink-camera/blob/master/unpack-novatek-firmware.pl",
    "https://github.com/armijnhemel/binaryanalysis-ng/blob/master/src/bang/parsers/firmware/reolink/reolink.ksy",
)


@dataclass(frozen=True, kw_only=True)
class PakHeader(ContainerHeader):
    crc32: int
    board: str
    section_count: int
    sections: list[dict[str, str]]  # name, version
    partitions: list[dict[str, str]]  # name, destination


def parse_pak(data: Buffer, size: int) -> PakHeader:
    """Parse the .pak section and partition tables (pure, bounds-checked)."""
    r = TableReader(data)
    if r.raw(0, 4) != MAGIC:
        raise FormatError("bad_magic", "no Reolink .pak magic")
    crc, board = r.u32(4), r.raw(8, 4).hex()
    first = r.u32(HEADER + 56)
    if first < HEADER + SECTION + PARTITION or (first - HEADER) % (SECTION + PARTITION):
        raise FormatError("bad_field", f"first section offset 0x{first:x} does not fit a table")
    declared = (first - HEADER) // (SECTION + PARTITION)
    n, problem = count_check(declared, len(data) - HEADER, SECTION + PARTITION, "sections")
    problems: list[Problem] = [problem] if problem else []
    entries, sections, parts = [], [], []
    for i in range(n):
        at, pt = HEADER + i * SECTION, HEADER + declared * SECTION + i * PARTITION
        name = r.cstr(at, 32)
        entries.append((name or f"section_{i}", r.u32(at + 56), r.u32(at + 60)))
        sections.append({"name": name, "version": r.cstr(at + 32, 24)})
        if r.has(pt, PARTITION):
            parts.append({"name": r.cstr(pt, 32), "destination": r.cstr(pt + 36, 32)})
    members, more = checked_members(entries, size, first)
    end = min(size, max([first] + [m.offset + m.size for m in members]))
    return PakHeader(format="reolink_pak", end=end, members=tuple(members), problems=(*problems, *more),
                     crc32=crc, board=board, section_count=declared, sections=sections[:64],
                     partitions=parts[:64])


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("PakHandler", "reolink_pak", (MAGIC,), parse_pak,
                           "Reolink/Swann .pak", "Reolink", __doc__ or "", REFERENCES)

SPEC = FormatSpec(name="reolink_pak", title="Reolink / Swann .pak", magics=((0, MAGIC),), parse=parse_pak,
                  doc=__doc__ or "", handler=handler, status="unpacks", references=REFERENCES)
