"""ZTE firmware/config container: a 16-byte magic `99 99 99 99 44 44 44 44 55 55 55 55 AA AA AA AA`.

The header after the magic is not publicly documented well enough to parse field by field. We identify the
container, report the printable header strings that follow the magic (product/version text where present)
and carve everything after the magic as `payload` so unblob can look for known formats inside it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from audit.unpack.formats.base import (
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    TableReader,
)

MAGIC = bytes.fromhex("99999999 44444444 55555555 AAAAAAAA")
STRINGS = re.compile(rb"[ -~]{4,64}")
REFERENCES = (
    "https://github.com/mkst/zte-config-utility",
)


@dataclass(frozen=True, kw_only=True)
class ZteHeader(ContainerHeader):
    header_strings: list[str]


def parse_zte(data: Buffer, size: int) -> ZteHeader:
    """Identify the ZTE magic and list the header strings in the next 0x100 bytes (pure, bounded)."""
    r = TableReader(data)
    if r.raw(0, 16) != MAGIC:
        raise FormatError("bad_magic", "no ZTE magic")
    head = bytes(data[16 : min(len(data), 16 + 0x100)])
    strings = [m.group(0).decode("ascii") for m in STRINGS.finditer(head)][:16]
    members = (Member("payload", 16, size - 16),) if size > 16 else ()
    return ZteHeader(format="zte", end=size, members=members, header_strings=strings)


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("ZteHandler", "zte", (MAGIC,), parse_zte,
                           "ZTE", "ZTE", __doc__ or "", REFERENCES, ("Header fields after the magic are not parsed.",))

SPEC = FormatSpec(name="zte", title="ZTE", magics=((0, MAGIC),), parse=parse_zte, doc=__doc__ or "",
                  handler=handler, status="detection + payload carve", references=REFERENCES)
