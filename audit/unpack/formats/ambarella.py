"""Ambarella firmware: the section magic `90 EB 24 A3` (binwalk reports it at 0xA4 of an Ambarella header;
BANG finds it at 0x818 of full images). The section table layout differs between SDK generations and is not
parsed here: detection only, with the magic offset as the fact. unblob's generic handlers still carve what
they recognise inside.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.unpack.formats.base import Buffer, ContainerHeader, FormatError, FormatSpec, Problem

MAGIC = bytes.fromhex("90EB24A3")
OFFSETS = (0xA4, 0x818)
REFERENCES = (
    "https://github.com/armijnhemel/binaryanalysis-ng/blob/master/src/bang/parsers/firmware/ambarella/UnpackParser.py",
    "https://github.com/ReFirmLabs/binwalk/blob/v2.3.4/src/binwalk/magic/firmware",
)


@dataclass(frozen=True, kw_only=True)
class AmbarellaHeader(ContainerHeader):
    magic_offset: int


def parse_ambarella(data: Buffer, size: int) -> AmbarellaHeader:
    """Where the Ambarella magic sits (pure, bounded)."""
    for off in OFFSETS:
        if bytes(data[off : off + 4]) == MAGIC:
            return AmbarellaHeader(format="ambarella", end=size, magic_offset=off,
                                   problems=(Problem("unsupported", "Ambarella section table not parsed"),))
    raise FormatError("bad_magic", "no Ambarella magic at 0xA4 or 0x818")


SPEC = FormatSpec(name="ambarella", title="Ambarella", magics=tuple((o, MAGIC) for o in OFFSETS),
                  parse=parse_ambarella, doc=__doc__ or "", handler=None, status="detection-only",
                  references=REFERENCES)
