"""Tenvis `PK2` firmware: a 28-byte header (magic `PK2\\0`, camera type, creation time, version, section
count) followed by sections (type `FILE` or `CMD`, 16-byte hash, payload size). A FILE payload is a
name-length, a name, a data-length and data XORed with a public 8-byte key; a CMD payload is a shell command
XORed with the same key. Layout from FACT's `tenvis_pk2` unpacker.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from audit.unpack.formats.base import (
    MAX_MEMBERS,
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
    xor_repeat,
)

KEY = bytes([0xA1, 0x83, 0x24, 0x78, 0xB3, 0x41, 0x43, 0x56])
HEADER = 28
SECTION = 24
MAX_CMD = 4096
REFERENCES = ("https://github.com/fkie-cad/fact_extractor",)


@dataclass(frozen=True, kw_only=True)
class Pk2Header(ContainerHeader):
    """Tenvis PK2 header fields, section types and the decoded commands."""

    camera_type: int
    created: str
    version: str
    section_count: int
    section_types: list[str]
    commands: list[str]


def parse_pk2(data: Buffer, size: int) -> Pk2Header:
    """Parse the PK2 header and walk its sections (pure, bounds-checked)."""
    r = TableReader(data)
    if r.raw(0, 4) != b"PK2\0":
        raise FormatError("bad_magic", "no PK2 magic")
    cam, created = r.words(4, 2)
    version, count = r.cstr(12, 4), r.u32(24)
    members: list[Member] = []
    problems: list[Problem] = []
    types: list[str] = []
    cmds: list[str] = []
    pos = HEADER
    for _ in range(min(count, MAX_MEMBERS)):
        if not r.has(pos, SECTION):
            problems.append(Problem("truncated", f"section header at 0x{pos:x} past the data"))
            break
        kind, length = r.cstr(pos, 4), r.u32(pos + 20)
        body = pos + SECTION
        if body + length > size:
            problems.append(Problem("out_of_bounds", f"section {kind!r} at 0x{body:x}+0x{length:x} past 0x{size:x}"))
            break
        types.append(kind)
        if kind == "FILE":
            member = _file_member(r, body, length)
            if member is None:
                problems.append(Problem("bad_field", f"FILE section at 0x{body:x} has an inconsistent name/data size"))
            else:
                members.append(member)
        elif kind == "CMD" and r.has(body, min(length, MAX_CMD)):
            cmds.append(xor_repeat(r.raw(body, min(length, MAX_CMD)), KEY).split(b"\0")[0].decode("latin-1"))
        pos = body + length
    if count > MAX_MEMBERS:
        problems.append(Problem("bad_count", f"declares {count} sections"))
    stamp = datetime.fromtimestamp(created, UTC).isoformat() if created < 2**32 else str(created)
    return Pk2Header(format="tenvis_pk2", end=pos, members=tuple(members), problems=tuple(problems),
                     camera_type=cam, created=stamp, version=version, section_count=count,
                     section_types=types[:64], commands=cmds[:16])


def _file_member(r: TableReader, body: int, length: int) -> Member | None:
    """The XORed file inside a FILE section, if its inner sizes fit the section."""
    if not r.has(body, 4):
        return None
    nlen = r.u32(body)
    if nlen > 1024 or 8 + nlen > length or not r.has(body + 4, nlen + 4):
        return None
    name = r.cstr(body + 4, nlen)
    dlen = r.u32(body + 4 + nlen)
    if 8 + nlen + dlen > length:
        return None
    return Member(name, body + 8 + nlen, dlen, xor_key=KEY)


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("Pk2Handler", "tenvis_pk2", (b"PK2\0",), parse_pk2,
                           "Tenvis PK2", "Tenvis", __doc__ or "", REFERENCES)

SPEC = FormatSpec(name="tenvis_pk2", title="Tenvis PK2", magics=((0, b"PK2\0"),), parse=parse_pk2,
                  doc=__doc__ or "", handler=handler, status="unpacks", references=REFERENCES)
