"""ELF facts: architecture and ABI, dynamic linking, symbols, toolchain banners, build-id, hardening.

pyelftools reads the header and the section table (and counts dynamic symbols of section-less, sstripped
binaries through `DynamicSegment`); the hot tables are read by `elf_tables` with `struct`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_E_MACHINE, ENUM_E_TYPE, ENUM_EI_OSABI

from audit.inspect import elf_checks
from audit.inspect import elf_tables as t
from audit.inspect.base import InspectError, Inspector, make_fact, open_map, text
from audit.inspect.elf_abi import describe_flags, hardening
from audit.model import Fact, FileRecord

DT_NEEDED, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SONAME, DT_RPATH, DT_RUNPATH = 1, 5, 6, 10, 14, 15, 29
NT_GNU_BUILD_ID = 3
MAX_COMMENTS = 64
_MACHINES = {v: k for k, v in ENUM_E_MACHINE.items() if isinstance(v, int)}
_TYPES = {v: k for k, v in ENUM_E_TYPE.items() if isinstance(v, int)}
_OSABIS = {v: k for k, v in ENUM_EI_OSABI.items() if isinstance(v, int)}


@dataclass
class Parsed:
    """What one pass over an ELF file collected; `problems` are (what, message) pairs."""

    record: FileRecord
    data: Any
    header: t.Header
    sections: list[dict[str, Any]] = field(default_factory=list)
    segments: list[t.Segment] = field(default_factory=list)
    dynamic: list[tuple[int, int]] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def step(self, what: str, fn: Callable[[Parsed], None]) -> None:
        """Run one extraction step; a failure is recorded and the next step still runs."""
        try:
            fn(self)
        except Exception as exc:  # hostile input: any parser failure is a typed problem
            self.problems.append((what, f"{type(exc).__name__}: {text(str(exc).encode(), 200)}"))


class _HeaderOverlay(io.RawIOBase):
    """A read-only stream over the mapped file with a replaced ELF header (tables pyelftools must not see)."""

    def __init__(self, data: Any, head: bytes) -> None:
        self._data, self._head, self._pos = data, head, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else (self._pos + offset if whence == 1 else len(self._data) + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else min(len(self._data), self._pos + size)
        chunk = bytearray(self._data[self._pos : end])
        if self._pos < len(self._head):
            n = min(len(self._head) - self._pos, len(chunk))
            chunk[:n] = self._head[self._pos : self._pos + n]
        self._pos = max(self._pos, end)
        return bytes(chunk)


class ElfInspector(Inspector):
    NAME = "elf"
    DOC = "ELF class, machine, ABI, NEEDED/SONAME/RPATH, symbols, .comment banners, build-id, hardening."
    APPLIES_TO = "files starting with \\x7fELF"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        return head[:4] == b"\x7fELF"

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        with open_map(path) as data:
            try:
                header = t.read_header(data)
            except ValueError as exc:
                raise InspectError("header", str(exc)) from exc
            p = Parsed(record, data, header)
            for what, fn in STEPS:
                p.step(what, fn)
            facts = [f for f in p.facts if f.kind == "elf"] + [f for f in p.facts if f.kind != "elf"]
        if p.problems:  # one typed error per damaged table (`inspect.elf.<table>`), the facts kept
            by_table: dict[str, list[str]] = {}
            for what, message in p.problems:
                by_table.setdefault(what, []).append(message)
            (what, messages), *rest = by_table.items()
            raise InspectError(what, "; ".join(messages), facts, [(w, "; ".join(m)) for w, m in rest])
        return facts


def _open(p: Parsed) -> None:
    """Validate the header tables and read them (a bad table is a problem, not the end of the file)."""
    h, size = p.header, len(p.data)
    if not t.program_table_ok(h, size):
        p.problems.append(("segments", f"program header table invalid (phoff={h.phoff}, phnum={h.phnum})"))
    else:
        p.segments = t.read_segments(p.data, h)
    if t.section_table_ok(h, size):
        p.sections = t.read_sections(p.data, h)
    elif h.shoff or h.shnum:
        p.problems.append(("sections", f"section header table invalid (shoff={h.shoff}, shnum={h.shnum})"))


def _consistency(p: Parsed) -> None:
    """Damage below the header (tables past the end, strings without NUL, version-needs loops)."""
    p.problems.extend(elf_checks.check(p.data, p.header, p.sections, p.segments, p.dynamic))


def _pyelftools(p: Parsed) -> Any:
    """pyelftools over the mapped file, shown only the tables that passed validation."""
    h, size = p.header, len(p.data)
    head = t.patched_header(p.data, h, not t.section_table_ok(h, size), not t.program_table_ok(h, size))
    return ELFFile(_HeaderOverlay(p.data, head))


def _read_dynamic(p: Parsed) -> None:
    for seg in p.segments:
        if seg.p_type == t.PT_DYNAMIC and seg.filesz:
            p.dynamic = t.read_dynamic(p.data, p.header, seg)
            return


def _dyn_strings(p: Parsed) -> tuple[int, int] | None:
    """File offset and size of the dynamic string table (DT_STRTAB/DT_STRSZ)."""
    tags = dict(p.dynamic)
    if DT_STRTAB not in tags:
        return None
    off = t.vaddr_to_offset(p.segments, tags[DT_STRTAB])
    return None if off is None else (off, tags.get(DT_STRSZ, 1 << 20))


def _summary(p: Parsed) -> None:
    h, data = p.header, p.data
    strtab = _dyn_strings(p)

    def dstr(tag: int) -> list[str]:
        if strtab is None:
            return []
        return [t.cstring(data, strtab[0] + v, strtab[0] + strtab[1]) for k, v in p.dynamic if k == tag][:256]

    interp = next((s for s in p.segments if s.p_type == t.PT_INTERP), None)
    names = {s["name"] for s in p.sections}
    fact = {
        "class": h.bits, "endian": "le" if h.endian == "<" else "be",
        "machine": _MACHINES.get(h.e_machine, str(h.e_machine)), "e_machine": h.e_machine,
        "osabi": _OSABIS.get(data[7], str(data[7])), "abi_version": data[8],
        "type": _TYPES.get(h.e_type, str(h.e_type)), "flags": f"0x{h.e_flags:08x}",
        "abi": describe_flags(h.e_machine, h.e_flags, h.bits),
        "interpreter": t.cstring(data, interp.offset, interp.offset + interp.filesz) if interp else None,
        "needed": dstr(DT_NEEDED), "soname": next(iter(dstr(DT_SONAME)), None),
        "rpath": next(iter(dstr(DT_RPATH)), None), "runpath": next(iter(dstr(DT_RUNPATH)), None),
        "section_headers": bool(p.sections), "stripped": ".symtab" not in names,
        "debug_info": ".debug_info" in names,
        "static": h.e_type in (2, 3) and not p.dynamic,
    }
    p.facts.append(make_fact(p.record, "elf", fact, 0))


def _comments(p: Parsed) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for sec in p.sections:
        if sec["name"] != ".comment":
            continue
        raw = bytes(p.data[sec["offset"] : sec["offset"] + min(sec["size"], 64 * 1024)])
        pos = 0
        for chunk in raw.split(b"\0"):
            s = text(chunk.strip(), 256)
            if s and s not in seen and len(seen) < MAX_COMMENTS:
                seen[s] = {"offset": sec["offset"] + pos + (len(chunk) - len(chunk.lstrip())), "count": 0}
            if s in seen:
                seen[s]["count"] += 1
            pos += len(chunk) + 1
    for s, info in seen.items():
        p.facts.append(make_fact(p.record, "elf.comment", {"text": s, "count": info["count"]}, info["offset"]))


def _symbols(p: Parsed) -> None:
    by_index = {s["index"]: s for s in p.sections}
    dyn = next((s for s in p.sections if s["raw_type"] == t.SHT_DYNSYM), None)
    st = next((s for s in p.sections if s["raw_type"] == t.SHT_SYMTAB), None)
    out: dict[str, Any] = {}
    if dyn is not None and dyn["link"] in by_index:
        link = by_index[dyn["link"]]
        table = t.read_symbols(p.data, p.header, dyn["offset"], dyn["size"] // _symsize(p),
                               (link["offset"], link["size"]))
        out["dynamic_source"] = ".dynsym"
    else:
        table = _segment_symbols(p)
        out["dynamic_source"] = "PT_DYNAMIC" if table else None
    if table:
        out.update(exports=table.defined, exports_count=table.defined_count,
                   imports=table.undefined, imports_count=table.undefined_count)
    if st is not None and st["link"] in by_index:
        link = by_index[st["link"]]
        stab = t.read_symbols(p.data, p.header, st["offset"], st["size"] // _symsize(p),
                              (link["offset"], link["size"]))
        out.update(static_defined=stab.defined, static_defined_count=stab.defined_count,
                   source_files=stab.files[:500])
        if not table:  # relocatable objects and static binaries: what they use comes from .symtab
            out.update(imports=stab.undefined, imports_count=stab.undefined_count)
    if out.get("dynamic_source") or st is not None:
        p.facts.append(make_fact(p.record, "elf.symbols", out, None))


def _symsize(p: Parsed) -> int:
    return 16 if p.header.bits == 32 else 24


def _segment_symbols(p: Parsed) -> t.SymbolTable | None:
    """Dynamic symbols of a binary without section headers: DT_SYMTAB counted through DT_(GNU_)HASH."""
    tags, strtab = dict(p.dynamic), _dyn_strings(p)
    if DT_SYMTAB not in tags or strtab is None:
        return None
    symoff = t.vaddr_to_offset(p.segments, tags[DT_SYMTAB])
    seg = next((s for s in _pyelftools(p).iter_segments() if isinstance(s, DynamicSegment)), None)
    if symoff is None or seg is None:
        return None
    return t.read_symbols(p.data, p.header, symoff, seg.num_symbols(), strtab)


def _notes(p: Parsed) -> None:
    spans = [(s["offset"], s["size"]) for s in p.sections if s["raw_type"] == t.SHT_NOTE]
    if not spans:
        spans = [(s.offset, s.filesz) for s in p.segments if s.p_type == t.PT_NOTE]
    for off, size in spans:
        for at, owner, ntype, desc in t.read_notes(p.data, p.header, off, size):
            if owner == "GNU" and ntype == NT_GNU_BUILD_ID and desc:
                p.facts.append(make_fact(p.record, "elf.build_id", {"build_id": desc.hex()}, at))
                return


def _hardening(p: Parsed) -> None:
    if p.header.e_type not in (2, 3):
        return
    syms = next((f.data for f in p.facts if f.kind == "elf.symbols"), {})
    data = hardening(p.header.e_type, p.segments, p.dynamic, syms.get("imports", []) + syms.get("static_defined", []))
    p.facts.append(make_fact(p.record, "elf.hardening", data, None))


STEPS: tuple[tuple[str, Callable[[Parsed], None]], ...] = (
    ("parse", _open),
    ("dynamic", _read_dynamic),
    ("consistency", _consistency),
    ("summary", _summary),
    ("comment", _comments),
    ("symbols", _symbols),
    ("notes", _notes),
    ("hardening", _hardening),
)
