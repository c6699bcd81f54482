"""Consistency checks below the ELF header: tables that point past the file, strings without an end, loops.

Each check names the table it found damaged (`sections`, `segments`, `strtab`, `dynamic`, `verneed`); the
ELF inspector turns each into a typed warning `inspect.elf.<table>` while the facts read from the intact
parts are kept. Layouts from the System V gABI and the LSB symbol-versioning spec (Elf_Verneed: vn_version,
vn_cnt, vn_file, vn_aux, vn_next; https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/
LSB-Core-generic/symversion.html).
"""

from __future__ import annotations

import struct
from typing import Any

from audit.inspect import elf_tables as t

SHT_NOBITS = 8
SHT_GNU_VERNEED = 0x6FFF_FFFE
DT_STRTAB, DT_STRSZ = 5, 10
MAX_REPORTED = 3  # damaged entries named per table; the count says how many more
VERNEED_SIZE = 16


def check(data: Any, header: t.Header, sections: list[dict[str, Any]], segments: list[t.Segment],
          dynamic: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(table, message) for each damaged table; [] for a consistent file."""
    size = len(data)
    problems: list[tuple[str, str]] = []
    for table, bad in (("sections", _sections_past_end(sections, size)),
                       ("segments", _segments_past_end(segments, size))):
        if bad:
            more = len(bad) - MAX_REPORTED
            shown = ", ".join(bad[:MAX_REPORTED]) + (f" and {more} more" if more > 0 else "")
            problems.append((table, f"{len(bad)} {table} run past the end of the file ({size} bytes): {shown}"))
    if sections and 0 <= header.shstrndx < len(sections):
        names = sections[header.shstrndx]
        if names["size"] and not _ends_with_nul(data, names["offset"], names["size"]):
            problems.append(("strtab", f"section name table (section {header.shstrndx}) has no closing NUL"))
    problems.extend(_dynamic_strings(data, segments, dynamic))
    for sec in sections:
        if sec["raw_type"] == SHT_GNU_VERNEED and sec["size"]:
            message = _verneed_chain(data, header, sec)
            if message:
                problems.append(("verneed", message))
            break
    return problems


def _sections_past_end(sections: list[dict[str, Any]], size: int) -> list[str]:
    return [f"{s['name'] or '#' + str(s['index'])} at {s['offset']}+{s['size']}" for s in sections
            if s["raw_type"] != SHT_NOBITS and s["size"] and s["offset"] + s["size"] > size]


def _segments_past_end(segments: list[t.Segment], size: int) -> list[str]:
    return [f"type 0x{s.p_type:x} at {s.offset}+{s.filesz}" for s in segments
            if s.filesz and s.offset + s.filesz > size]


def _ends_with_nul(data: Any, offset: int, length: int) -> bool:
    end = offset + length
    return 0 < end <= len(data) and data[end - 1] == 0


def _dynamic_strings(data: Any, segments: list[t.Segment], dynamic: list[tuple[int, int]]) -> list[tuple[str, str]]:
    tags = dict(dynamic)
    if DT_STRTAB not in tags:
        return []
    offset = t.vaddr_to_offset(segments, tags[DT_STRTAB])
    if offset is None:
        return [("dynamic", f"DT_STRTAB 0x{tags[DT_STRTAB]:x} lies in no loaded segment")]
    strsz = tags.get(DT_STRSZ)
    if strsz is None:
        return [("dynamic", "DT_STRTAB without DT_STRSZ")]
    if offset + strsz > len(data):
        return [("dynamic", f"DT_STRSZ {strsz} at offset {offset} runs past the end of the file ({len(data)} bytes)")]
    if strsz and not _ends_with_nul(data, offset, strsz):
        return [("dynamic", "dynamic string table has no closing NUL")]
    return []


def _verneed_chain(data: Any, header: t.Header, sec: dict[str, Any]) -> str | None:
    """Walk Elf_Verneed entries by vn_next inside the section; a loop or an entry outside it is damage."""
    start, end = sec["offset"], min(sec["offset"] + sec["size"], len(data))
    pos, seen = start, set()
    while True:
        if pos in seen:
            return f"version-needs chain loops back to offset {pos}"
        if pos + VERNEED_SIZE > end:
            return f"version-needs entry at offset {pos} lies outside its section ({start}..{end})"
        seen.add(pos)
        if len(seen) > sec["size"] // VERNEED_SIZE:
            return "version-needs chain longer than its section holds"
        vn_next = struct.unpack_from(header.endian + "I", data, pos + 12)[0]
        if vn_next == 0:
            return None
        pos += vn_next
