"""What every container format shares: the parse result records, bounds-checked readers, safe member names,
and the generic unblob handler/extractor that carves a parsed member table into named files.

A format module provides one pure parser `parse(data, size) -> <Header>`: `data` holds at least the header
region (the first bytes of the container, or all of it), `size` is how many bytes the container may span.
Parsers never read past `len(data)` and validate every offset and length against `size`. A header that cannot
be read at all raises `FormatError`; anything less serious is a `Problem` kept in the header next to what
could be read. The same parser feeds the unblob handler (chunk + extraction) and the containers inspector
(facts in report.json): one parser, two users.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

MAX_HEAD = 4 * 1024 * 1024  # bytes of a container the handler reads to parse its header and table
MAX_MEMBERS = 4096  # members any table may declare
MAX_NAME = 256
COPY_BLOCK = 1024 * 1024


class FormatError(ValueError):
    """The header cannot be read at all (`what`: truncated, bad_magic, bad_field, ...)."""

    def __init__(self, what: str, message: str) -> None:
        super().__init__(message)
        self.what = what
        self.message = message


@dataclass(frozen=True)
class Problem:
    """A non-fatal defect found while parsing: becomes `inspect.containers.<what>` with partial facts."""

    what: str  # truncated, bad_count, out_of_bounds, overlap, encrypted, unsupported, bad_name, checksum
    message: str


@dataclass(frozen=True)
class Member:
    """One payload the container's table points to; `offset` is relative to the container start."""

    name: str
    offset: int
    size: int
    checksum_valid: bool | None = None
    xor_key: bytes = b""  # payload XOR key (repeating) when the format obfuscates payloads


@dataclass(frozen=True, kw_only=True)
class ContainerHeader:
    """Fields every parsed container has; format modules subclass it with their own typed fields."""

    format: str
    end: int  # bytes from the container start to its end (the chunk unblob carves)
    members: tuple[Member, ...] = ()
    problems: tuple[Problem, ...] = ()
    encrypted: bool = False


class Buffer(Protocol):
    def __len__(self) -> int: ...
    def __getitem__(self, key: slice, /) -> bytes: ...


@dataclass(frozen=True)
class FormatSpec:
    """One registry entry: how to detect a container, parse its header, and (optionally) unpack it in unblob."""

    name: str  # fact kind is `container.<name>`
    title: str
    magics: tuple[tuple[int, bytes], ...]  # (offset in the container, bytes) — any one identifies it
    parse: Callable[[Buffer, int], ContainerHeader] | None
    doc: str
    handler: Callable[[], type] | None = None  # returns our unblob Handler class (unblob is imported on first
    # use); None: unblob's own handler or detection only
    status: str = "unpacks"  # unpacks | encrypted-only | detection-only | facts-only
    references: tuple[str, ...] = ()

    def matches(self, head: bytes) -> bool:
        return any(head[off : off + len(magic)] == magic for off, magic in self.magics)


@dataclass
class TableReader:
    """Bounds-checked little/big-endian reads over a buffer; every failure is a FormatError('truncated')."""

    data: Buffer
    order: str = "<"
    limit: int = field(default=-1)

    def __post_init__(self) -> None:
        if self.limit < 0:
            self.limit = len(self.data)

    def has(self, offset: int, size: int) -> bool:
        return offset >= 0 and offset + size <= min(self.limit, len(self.data))

    def raw(self, offset: int, size: int) -> bytes:
        if not self.has(offset, size):
            raise FormatError("truncated", f"need {size} bytes at 0x{offset:x}, have {len(self.data)}")
        return bytes(self.data[offset : offset + size])

    def u32(self, offset: int) -> int:
        return int(struct.unpack(self.order + "I", self.raw(offset, 4))[0])

    def u16(self, offset: int) -> int:
        return int(struct.unpack(self.order + "H", self.raw(offset, 2))[0])

    def words(self, offset: int, count: int) -> tuple[int, ...]:
        return tuple(struct.unpack(f"{self.order}{count}I", self.raw(offset, 4 * count)))

    def cstr(self, offset: int, size: int) -> str:
        return cstring(self.raw(offset, size))


def cstring(raw: bytes, limit: int = MAX_NAME) -> str:
    """A NUL-terminated field as text: UTF-8 where valid, else latin-1; bounded."""
    raw = raw.split(b"\0", 1)[0][:limit]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def check_member(name: str, offset: int, size: int, bound: int, floor: int = 0) -> Problem | None:
    """None when [offset, offset+size) lies inside [floor, bound); else the problem to report."""
    if size < 0 or offset < floor or offset + size > bound:
        return Problem("out_of_bounds", f"member {name!r} at 0x{offset:x}+0x{size:x} outside 0x{floor:x}..0x{bound:x}")
    return None


def checked_members(
    entries: list[tuple[str, int, int]], bound: int, floor: int = 0,
) -> tuple[list[Member], list[Problem]]:
    """Members that fit inside the container and problems for those that do not."""
    members: list[Member] = []
    problems: list[Problem] = []
    for name, offset, size in entries:
        problem = check_member(name, offset, size, bound, floor)
        if problem is None:
            members.append(Member(name, offset, size))
        else:
            problems.append(problem)
    return members, problems


def count_check(count: int, room: int, entry_size: int, what: str = "entries") -> tuple[int, Problem | None]:
    """Clamp a declared table count to what fits in `room` bytes (and MAX_MEMBERS)."""
    fits = min(MAX_MEMBERS, max(0, room) // entry_size)
    if count <= fits:
        return count, None
    return fits, Problem("bad_count", f"declares {count} {what}, only {fits} fit")


_UNSAFE = re.compile(r"[^A-Za-z0-9._+\-]")


def safe_member_path(name: str, index: int) -> str:
    """A relative path for a member name: no absolute paths, no `..`, no odd characters; never empty."""
    parts = [p for p in re.split(r"[/\\:]", name) if p not in ("", ".", "..")]
    parts = [_UNSAFE.sub("_", p)[:100] for p in parts][:8]
    return "/".join(parts) if parts else f"member_{index}"


def unique_paths(members: tuple[Member, ...]) -> Iterator[tuple[Member, str]]:
    """(member, safe relative path), with collisions renamed `<path>.<index>`."""
    seen: set[str] = set()
    for index, member in enumerate(members):
        path = safe_member_path(member.name, index)
        if path in seen or any(s.startswith(path + "/") or path.startswith(s + "/") for s in seen):
            path = f"{path.replace('/', '_')}.{index}"
        seen.add(path)
        yield member, path


def xor_repeat(data: bytes, key: bytes, start: int = 0) -> bytes:
    """`data` XOR a repeating `key`, `start` being the key phase of data[0]."""
    if not key:
        return data
    n = len(key)
    rotated = key[start % n :] + key[: start % n]
    stream = (rotated * (len(data) // n + 1))[: len(data)]
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def header_facts(header: ContainerHeader, max_members: int = 256) -> dict[str, Any]:
    """A header as JSON-ready fact data (members listed, problems left to the error records)."""
    from audit.model import to_jsonable

    data = to_jsonable(header)
    data.pop("problems", None)
    data.pop("format", None)
    members = data.get("members", [])
    for member in members:
        if not member.get("xor_key"):
            member.pop("xor_key", None)
        if member.get("checksum_valid") is None:
            member.pop("checksum_valid", None)
    data["members"] = members[:max_members]
    data["member_count"] = len(members)
    return data


def copy_member(src: Path, member: Member, dest: Path) -> None:
    """Copy one member's bytes from the carved container `src` to `dest` (XOR-decoded when keyed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as fin, dest.open("xb") as fout:
        fin.seek(member.offset)
        left, phase = member.size, 0
        while left > 0:
            block = fin.read(min(COPY_BLOCK, left))
            if not block:
                break
            fout.write(xor_repeat(block, member.xor_key, phase) if member.xor_key else block)
            phase += len(block)
            left -= len(block)


