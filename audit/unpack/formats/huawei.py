"""Huawei HWNP firmware (ONT/HG gateways): a 36-byte little-endian header, a product compatibility list, and
an item table (0x168-byte entries: index, CRC32, data offset, data size, item path like `flash:uboot` or
`file:/var/UpgradeCheck.xml`, section, version, policy); item data follows at absolute offsets. The total
size field is stored big-endian as `size - 0x4C` (HuaweiFirmwareTool).
"""

from __future__ import annotations

import functools
import struct
import zlib
from dataclasses import dataclass

from audit.unpack.formats.base import (
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
    count_check,
)

HEADER = 36
ITEM = 360
SIZE_BIAS = 0x4C
MAX_CRC = 64 * 1024 * 1024
REFERENCES = (
    "https://github.com/0xuserpag3/HuaweiFirmwareTool",
    "https://github.com/armijnhemel/binaryanalysis-ng/blob/master/src/bang/parsers/firmware/huawei_hwnp/hwnp.ksy",
)


@dataclass(frozen=True)
class HwnpItem:
    index: int
    path: str
    section: str
    version: str
    policy: int
    crc32: int


@dataclass(frozen=True, kw_only=True)
class HwnpHeader(ContainerHeader):
    """HWNP header fields, product compatibility list and item table."""

    declared_size: int
    file_crc32: int
    header_size: int
    header_crc32: int
    item_count: int
    item_size: int
    product_list: list[str]
    items: list[HwnpItem]


def parse_hwnp(data: Buffer, size: int) -> HwnpHeader:
    """Parse the HWNP header, product list and item table (pure, bounds-checked)."""
    r = TableReader(data)
    if r.raw(0, 4) != b"HWNP":
        raise FormatError("bad_magic", "no HWNP magic")
    raw_be = struct.unpack(">I", r.raw(4, 4))[0]
    file_crc, hdr_size, hdr_crc, count = r.words(8, 4)
    plist_size, item_size = r.u16(26), r.u32(28)
    if item_size != ITEM:
        raise FormatError("bad_field", f"item size {item_size}, expected {ITEM}")
    problems: list[Problem] = []
    plist = r.raw(HEADER, plist_size) if r.has(HEADER, plist_size) else b""
    if len(plist) != plist_size:
        problems.append(Problem("truncated", f"product list of {plist_size} bytes not readable"))
    table = HEADER + plist_size
    n, problem = count_check(count, min(len(data), size) - table, ITEM, "items")
    if problem:
        problems.append(problem)
    items, members, more = _items(r, table, n, size, data)
    walked = max([table + n * ITEM] + [m.offset + m.size for m in members])
    end = raw_be + SIZE_BIAS if table <= raw_be + SIZE_BIAS <= size else min(size, walked)
    products = [p for p in plist.split(b"\0", 1)[0].decode("latin-1").replace(";", "|").split("|") if p][:128]
    return HwnpHeader(format="huawei_hwnp", end=end, members=tuple(members), problems=(*problems, *more),
                      declared_size=raw_be + SIZE_BIAS, file_crc32=file_crc, header_size=hdr_size,
                      header_crc32=hdr_crc, item_count=count, item_size=item_size, product_list=products,
                      items=items)


def _items(r: TableReader, table: int, count: int, size: int, data: Buffer) -> tuple[list, list, list]:
    items: list[HwnpItem] = []
    members: list[Member] = []
    problems: list[Problem] = []
    floor = table + count * ITEM
    for i in range(count):
        at = table + i * ITEM
        index, crc, offset, length = r.words(at, 4)
        path = r.cstr(at + 16, 256)
        item = HwnpItem(index=index, path=path, section=r.cstr(at + 272, 16), version=r.cstr(at + 288, 64),
                        policy=r.u32(at + 352), crc32=crc)
        items.append(item)
        if offset < floor or offset + length > size:
            problems.append(Problem("out_of_bounds", f"item {path!r} at 0x{offset:x}+0x{length:x} outside "
                                    f"0x{floor:x}..0x{size:x}"))
            continue
        valid = None
        if offset + length <= len(data) and length <= MAX_CRC:
            valid = zlib.crc32(bytes(data[offset : offset + length])) == crc
        members.append(Member(path or f"item_{index}", offset, length, checksum_valid=valid))
    return items, members, problems


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("HwnpHandler", "huawei_hwnp", (b"HWNP",), parse_hwnp,
                           "Huawei HWNP", "Huawei", __doc__ or "", REFERENCES,
                           ("Signature blocks (when present) are carved, not verified.",))

SPEC = FormatSpec(name="huawei_hwnp", title="Huawei HWNP", magics=((0, b"HWNP"),), parse=parse_hwnp,
                  doc=__doc__ or "", handler=handler, status="unpacks", references=REFERENCES)
