"""Fast, bounded readers for the ELF tables pyelftools is slow on: header, program headers, dynamic, symbols.

pyelftools parses every symbol through `construct` (~30 us each; libstdc++ has 6,000); `struct.iter_unpack`
over the mapped table is two orders of magnitude faster. Every loop here is capped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAX_PHDRS = 256
MAX_SHDRS = 8192
MAX_DYN_TAGS = 1024
MAX_SYMBOLS_SCAN = 200_000  # symbols looked at per table
MAX_SYMBOLS_KEPT = 5000  # names stored per list
MAX_NAME = 256
MAX_STRTAB = 32 * 1024 * 1024

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552
PF_X = 1
STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE = 1, 2, 10
STT_SECTION, STT_FILE = 3, 4
SHT_SYMTAB, SHT_NOTE, SHT_DYNSYM = 2, 7, 11


@dataclass(frozen=True)
class Header:
    """The fields of the ELF header this stage uses, plus where the patchable fields live."""

    bits: int  # 32 or 64
    endian: str  # '<' or '>'
    e_type: int
    e_machine: int
    e_flags: int
    phoff: int
    phentsize: int
    phnum: int
    shoff: int
    shentsize: int
    shnum: int
    shstrndx: int


@dataclass(frozen=True)
class Segment:
    p_type: int
    offset: int
    vaddr: int
    filesz: int
    flags: int


@dataclass
class SymbolTable:
    """Names read from one symbol table, capped, with true counts."""

    defined: list[str] = field(default_factory=list)
    undefined: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    defined_count: int = 0
    undefined_count: int = 0
    scanned: int = 0


def read_header(data: bytes) -> Header:
    """Parse the ELF header; raises ValueError on anything that is not an ELF header."""
    if len(data) < 52 or data[:4] != b"\x7fELF":
        raise ValueError("not an ELF header (short or bad magic)")
    bits = {1: 32, 2: 64}.get(data[4])
    endian = {1: "<", 2: ">"}.get(data[5])
    if bits is None or endian is None:
        raise ValueError(f"bad EI_CLASS/EI_DATA {data[4]}/{data[5]}")
    fmt = endian + ("HHIIIIIHHHHHH" if bits == 32 else "HHIQQQIHHHHHH")
    if len(data) < 16 + struct.calcsize(fmt):
        raise ValueError("truncated ELF header")
    f = struct.unpack_from(fmt, data, 16)
    return Header(bits, endian, f[0], f[1], f[6], f[4], f[8], f[9], f[5], f[10], f[11], f[12])


def section_table_ok(h: Header, size: int) -> bool:
    """True when the section header table lies inside the file and is sane."""
    if h.shoff == 0 or h.shnum == 0:
        return False
    return (
        h.shentsize == (40 if h.bits == 32 else 64)
        and h.shnum <= MAX_SHDRS
        and h.shstrndx < h.shnum
        and h.shoff + h.shnum * h.shentsize <= size
    )


def program_table_ok(h: Header, size: int) -> bool:
    """True when the program header table lies inside the file (or is absent)."""
    if h.phnum == 0:
        return True
    return (
        h.phentsize == (32 if h.bits == 32 else 56)
        and h.phnum <= MAX_PHDRS
        and h.phoff + h.phnum * h.phentsize <= size
    )


def patched_header(data: bytes, h: Header, drop_sections: bool, drop_segments: bool) -> bytes:
    """The ELF header with the section and/or program header tables removed (for pyelftools)."""
    ehsize = 52 if h.bits == 32 else 64
    head = bytearray(data[:ehsize])
    if drop_sections:
        shoff_at, addr = (32, "I") if h.bits == 32 else (40, "Q")
        struct.pack_into(h.endian + addr, head, shoff_at, 0)
        struct.pack_into(h.endian + "HHH", head, ehsize - 6, 0, 0, 0)
    if drop_segments:
        struct.pack_into(h.endian + "H", head, ehsize - 8, 0)
    return bytes(head)


def read_segments(data: bytes, h: Header) -> list[Segment]:
    """Program headers (capped at MAX_PHDRS)."""
    fmt = h.endian + ("IIIIIIII" if h.bits == 32 else "IIQQQQQQ")
    out = []
    for i in range(min(h.phnum, MAX_PHDRS)):
        f = struct.unpack_from(fmt, data, h.phoff + i * h.phentsize)
        if h.bits == 32:
            out.append(Segment(f[0], f[1], f[2], f[4], f[6]))
        else:
            out.append(Segment(f[0], f[2], f[3], f[5], f[1]))
    return out


def vaddr_to_offset(segments: list[Segment], addr: int) -> int | None:
    """File offset of a virtual address, through the PT_LOAD segments."""
    for s in segments:
        if s.p_type == PT_LOAD and s.vaddr <= addr < s.vaddr + s.filesz:
            return s.offset + addr - s.vaddr
    return None


def read_dynamic(data: bytes, h: Header, seg: Segment) -> list[tuple[int, int]]:
    """(d_tag, d_val) pairs of the dynamic table up to DT_NULL (capped)."""
    fmt = h.endian + ("iI" if h.bits == 32 else "qQ")
    step = struct.calcsize(fmt)
    end = min(seg.offset + seg.filesz, len(data), seg.offset + MAX_DYN_TAGS * step)
    out = []
    for tag, val in struct.iter_unpack(fmt, data[seg.offset : end - (end - seg.offset) % step]):
        if tag == 0:
            break
        out.append((tag, val))
    return out


def cstring(data: bytes, start: int, end: int | None = None) -> str:
    """NUL-terminated string at `start` (bounded by `end` and MAX_NAME), latin-1 decoded."""
    end = min(len(data), end if end is not None else len(data), start + MAX_NAME)
    if start < 0 or start >= end:
        return ""
    stop = data.find(b"\0", start, end)
    return bytes(data[start : stop if stop >= 0 else end]).decode("latin-1")


def read_symbols(data: bytes, h: Header, offset: int, count: int, strtab: tuple[int, int]) -> SymbolTable:
    """Defined (global/weak, default or protected visibility) and undefined symbols of one table."""
    fmt = h.endian + ("IIIBBH" if h.bits == 32 else "IBBHQQ")
    size = struct.calcsize(fmt)
    count = max(0, min(count, MAX_SYMBOLS_SCAN, (len(data) - offset) // size))
    table = SymbolTable(scanned=count)
    strings = bytes(data[strtab[0] : strtab[0] + min(strtab[1], MAX_STRTAB)])
    lists = {0: table.defined, 1: table.undefined, 2: table.files}
    for entry in struct.iter_unpack(fmt, data[offset + size : offset + count * size]):
        if h.bits == 32:
            name_off, _value, _size, info, other, shndx = entry
        else:
            name_off, info, other, shndx, _value, _size = entry
        which = _which(info, other, shndx)
        if which is None or name_off == 0:
            continue
        if which == 0:
            table.defined_count += 1
        elif which == 1:
            table.undefined_count += 1
        kept = lists[which]
        if len(kept) < MAX_SYMBOLS_KEPT:
            end = strings.find(b"\0", name_off, name_off + MAX_NAME)
            kept.append(strings[name_off : end if end >= 0 else name_off + MAX_NAME].decode("latin-1"))
    return table


def _which(info: int, other: int, shndx: int) -> int | None:
    """0 defined (exported), 1 undefined (imported), 2 source file, None otherwise."""
    typ = info & 0xF
    if typ == STT_FILE:
        return 2
    if typ == STT_SECTION or info >> 4 not in (STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE):
        return None
    if shndx == 0:
        return 1
    return 0 if other & 3 in (0, 3) else None


def read_notes(data: bytes, h: Header, offset: int, size: int, cap: int = 64) -> list[tuple[int, str, int, bytes]]:
    """(offset, owner, type, desc) of the notes in one SHT_NOTE section / PT_NOTE segment."""
    out: list[tuple[int, str, int, bytes]] = []
    pos, end = offset, min(len(data), offset + size)
    while pos + 12 <= end and len(out) < cap:
        namesz, descsz, ntype = struct.unpack_from(h.endian + "III", data, pos)
        name_at = pos + 12
        desc_at = name_at + ((namesz + 3) & ~3)
        nxt = desc_at + ((descsz + 3) & ~3)
        if nxt > end or namesz > 256 or descsz > 4096:
            break
        owner = bytes(data[name_at : name_at + namesz]).rstrip(b"\0").decode("latin-1")
        out.append((pos, owner, ntype, bytes(data[desc_at : desc_at + descsz])))
        pos = nxt
    return out


SHT_NAMES = {2: "SHT_SYMTAB", 3: "SHT_STRTAB", 7: "SHT_NOTE", 8: "SHT_NOBITS", 11: "SHT_DYNSYM"}


def read_sections(data: bytes, h: Header) -> list[dict[str, object]]:
    """Section headers with names (from e_shstrndx); the table must have passed `section_table_ok`."""
    fmt = h.endian + ("IIIIIIIIII" if h.bits == 32 else "IIQQQQIIQQ")
    rows = [struct.unpack_from(fmt, data, h.shoff + i * h.shentsize) for i in range(h.shnum)]
    names_off = rows[h.shstrndx][4]
    names_end = names_off + rows[h.shstrndx][5]
    out: list[dict[str, object]] = []
    for i, r in enumerate(rows):
        out.append({"index": i, "name": cstring(data, names_off + r[0], names_end), "raw_type": r[1],
                    "type": SHT_NAMES.get(r[1], str(r[1])), "offset": r[4],
                    "size": 0 if r[1] == 8 else r[5], "link": r[6]})
    return out
