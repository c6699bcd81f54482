"""TP-Link firmware headers.

Classic (v1) header: 512 bytes, big-endian: version `01 00 00 00`, vendor `TP-LINK Technologies` at 4,
image version string, product id and version, MD5 of image and kernel, kernel load/entry, image length,
kernel/rootfs/bootloader offsets and lengths, firmware version. Kernel and rootfs are carved by offset.
Newer signed images carry a text `fw-type:` line at 0x14 with an RSA signature block before it; their layout
is not public enough to carve: detection and the header text as facts only.
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
    cstring,
)

CLASSIC = b"\x01\x00\x00\x00TP-LINK Technologies"
FW_TYPE = b"fw-type:"
HEADER = 0x200
REFERENCES = (
    "https://github.com/rampageX/firmware-mod-kit/blob/master/src/tpl-tool/src/tpl-tool.c",
    "https://github.com/armijnhemel/binaryanalysis-ng/blob/master/src/bang/parsers/firmware/tplink/tplink.ksy",
    "https://github.com/openwrt/firmware-utils/blob/master/src/tplink-safeloader.c",
)


@dataclass(frozen=True, kw_only=True)
class TplinkHeader(ContainerHeader):
    variant: str  # classic | fw-type
    vendor: str
    image_version: str
    product_id: str | None
    product_version: int | None
    firmware_version: str | None
    fw_type: str | None


def parse_tplink(data: Buffer, size: int) -> TplinkHeader:
    """Parse a classic TP-Link header, or identify a signed `fw-type:` image (pure, bounds-checked)."""
    r = TableReader(data, ">")
    if r.has(0x14, 8) and r.raw(0x14, 8) == FW_TYPE:
        line = cstring(r.raw(0x14, min(64, len(data) - 0x14)).split(b"\n")[0])
        return TplinkHeader(format="tplink", end=size, variant="fw-type", vendor="", image_version="",
                            product_id=None, product_version=None, firmware_version=None,
                            fw_type=line.split(":", 1)[1].strip(),
                            problems=(Problem("unsupported", "signed fw-type image: identified, not carved"),))
    if r.raw(0, len(CLASSIC)) != CLASSIC:
        raise FormatError("bad_magic", "no TP-Link header")
    pid, pver = r.u32(0x40), r.u32(0x44)
    total, k_off, k_len, fs_off, fs_len = r.words(0x7C, 5)
    major, minor, point = r.u16(0x98), r.u16(0x9A), r.u16(0x9C)
    entries = [("kernel", k_off, k_len), ("rootfs", fs_off, fs_len)]
    members, problems = checked_members([e for e in entries if e[2] > 0], min(total, size) if total else size,
                                        HEADER)
    if total > size:
        problems.insert(0, Problem("truncated", f"declares {total} bytes, {size} present"))
    end = min(total, size) if total >= HEADER else max([HEADER] + [m.offset + m.size for m in members])
    return TplinkHeader(format="tplink", end=end, members=tuple(members), problems=tuple(problems),
                        variant="classic", vendor=r.cstr(4, 24), image_version=r.cstr(28, 36),
                        product_id=f"0x{pid:08x}", product_version=pver,
                        firmware_version=f"{major}.{minor}.{point}", fw_type=None)


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, built on first use (`members_handler`: unblob is imported then)."""
    from audit.unpack.formats.handler import members_handler

    return members_handler("TplinkHandler", "tplink", (CLASSIC,), parse_tplink,
                           "TP-Link v1 header", "TP-Link", __doc__ or "", REFERENCES,
                           ("Signed fw-type images: detection only.",))

SPEC = FormatSpec(name="tplink", title="TP-Link", magics=((0, CLASSIC), (0x14, FW_TYPE)), parse=parse_tplink,
                  doc=__doc__ or "", handler=handler, status="unpacks (classic); detection-only (fw-type)",
                  references=REFERENCES)
