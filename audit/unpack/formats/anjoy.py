"""ANJOY / ANJVision IP-camera firmware: ASCII magic `ANJOY888`, then little-endian header CRC, file size,
type bits (1 kernel, 2 file system, 4 u-boot, ...), header length and first-part length; the first part
(kernel in the vendor's struct, U-Boot in BANG's description) follows the header and the file system fills
the rest up to the declared file size.
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
)

TYPE_BITS = {1: "kernel", 2: "filesystem", 4: "uboot", 8: "tgz", 16: "oem", 32: "logo", 64: "factory"}
REFERENCES = (
    "https://github.com/armijnhemel/binaryanalysis-ng/blob/master/src/bang/parsers/firmware/anjvision/anjvision.ksy",
)


@dataclass(frozen=True, kw_only=True)
class AnjoyHeader(ContainerHeader):
    header_crc: int
    file_size: int
    type: int
    type_names: list[str]
    header_length: int
    first_part_length: int


def parse_anjoy(data: Buffer, size: int) -> AnjoyHeader:
    """Parse the ANJOY888 header (pure, bounds-checked)."""
    r = TableReader(data)
    if r.raw(0, 8) != b"ANJOY888":
        raise FormatError("bad_magic", "no ANJOY888 magic")
    crc, total, kind, hlen, plen = r.words(8, 5)
    if not 32 <= hlen <= min(total, size):
        raise FormatError("bad_field", f"header length {hlen} outside 32..{min(total, size)}")
    end = min(total, size)
    entries = [("kernel", hlen, plen), ("rootfs", hlen + plen, total - hlen - plen)]
    members, problems = checked_members([e for e in entries if e[2] > 0], size, hlen)
    if total > size:
        problems.insert(0, Problem("truncated", f"declares {total} bytes, {size} present"))
    return AnjoyHeader(format="anjoy", end=end, members=tuple(members), problems=tuple(problems),
                       header_crc=crc, file_size=total, type=kind,
                       type_names=[n for bit, n in TYPE_BITS.items() if kind & bit], header_length=hlen,
                       first_part_length=plen)


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("AnjoyHandler", "anjoy", (b"ANJOY888",), parse_anjoy,
                           "ANJOY888", "ANJVision", __doc__ or "", REFERENCES)

SPEC = FormatSpec(name="anjoy", title="ANJOY / ANJVision", magics=((0, b"ANJOY888"),), parse=parse_anjoy,
                  doc=__doc__ or "", handler=handler, status="unpacks", references=REFERENCES)
