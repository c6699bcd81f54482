"""Bosch security-camera firmware (`.fw`): a 0x400-byte big-endian header (magic `10 12 20 03`, target,
variant, version bytes, payload length, base, checksum, type, a 256-byte signature at 0x4C and a 256-byte
key blob at 0x24C), optionally followed by nested sub-headers of the same layout, each with its payload.
Payloads are obfuscated (firmware <= 6.50) or encrypted (later): we carve them but do not decode them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from audit.unpack.formats.base import (
    MAX_MEMBERS,
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
)

MAGIC = bytes.fromhex("10122003")
HEADER = 0x400
REFERENCES = (
    "https://github.com/anvilsecure/BoschFirmwareTool",
    "https://github.com/fkie-cad/fact_extractor",
)


@dataclass(frozen=True, kw_only=True)
class BoschHeader(ContainerHeader):
    target: str
    variant: str
    version: str
    length: int
    type: int
    signed: bool  # the signature block is not all zero
    key_blob: bool  # the key blob is not all zero (encrypted payloads)
    sub_headers: list[dict[str, object]]


def _fields(r: TableReader, at: int) -> dict[str, object]:
    return {"target": r.raw(at + 4, 4).hex(), "variant": r.raw(at + 8, 4).hex(),
            "version": ".".join(str(b) for b in r.raw(at + 12, 4)), "length": r.u32(at + 16),
            "type": r.u32(at + 28)}


def parse_bosch(data: Buffer, size: int) -> BoschHeader:
    """Parse the top header and walk nested sub-headers (pure, bounds-checked)."""
    r = TableReader(data, ">")
    if r.raw(0, 4) != MAGIC:
        raise FormatError("bad_magic", "no Bosch firmware magic")
    top = _fields(r, 0)
    r.raw(0, HEADER)  # the whole header must be readable
    end = HEADER + int(top["length"])  # type: ignore[call-overload]
    problems: list[Problem] = []
    if end > size:
        problems.append(Problem("truncated", f"declares 0x{end:x} bytes, 0x{size:x} present"))
        end = size
    subs, members = [], []
    pos = HEADER
    while len(subs) < MAX_MEMBERS and r.has(pos, HEADER) and r.raw(pos, 4) == MAGIC:
        sub = _fields(r, pos)
        length = int(sub["length"])  # type: ignore[call-overload]
        if pos + HEADER + length > end:
            problems.append(Problem("out_of_bounds", f"sub-header at 0x{pos:x} payload past 0x{end:x}"))
            break
        subs.append(sub)
        members.append(Member(f"{len(members):02d}-{sub['target']}-{sub['variant']}.bin", pos + HEADER, length))
        pos += HEADER + length
    if not subs and end > HEADER:
        members.append(Member("payload.bin", HEADER, end - HEADER))
    return BoschHeader(format="bosch", end=end, members=tuple(members), problems=tuple(problems),
                       signed=any(r.raw(0x4C, 256)), key_blob=any(r.raw(0x24C, 256)), sub_headers=subs[:64],
                       encrypted=any(r.raw(0x24C, 256)), **top)  # type: ignore[arg-type]


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("BoschHandler", "bosch", (MAGIC,), parse_bosch,
                           "Bosch .fw", "Bosch", __doc__ or "", REFERENCES,
                           ("Payload obfuscation/encryption not decoded.",))

SPEC = FormatSpec(name="bosch", title="Bosch .fw", magics=((0, MAGIC),), parse=parse_bosch, doc=__doc__ or "",
                  handler=handler, status="facts + payload carve (payload obfuscated)", references=REFERENCES)
