"""JFFS2 damage check: node CRCs that do not hold, which the extractor passes over without a word.

JFFS2 has no superblock to promise a file count, but every node carries CRCs (linux/include/uapi/linux/jffs2.h):
`hdr_crc` over the 8-byte common header; inode nodes (0xE002) `node_crc` over their first 60 bytes and
`data_crc` over the `csize` data bytes after the 68-byte header; dirent nodes (0xE001) `node_crc` over the first
32 bytes and `name_crc` over the name after the 40-byte header. JFFS2 computes them with the kernel's `crc32(0, ..)`
(no initial or final inversion), i.e. `~zlib.crc32(data, 0xFFFFFFFF)`. Nodes are 4-byte aligned; both byte orders.
Bad nodes become one `unpack.inconsistent` warning per chunk with the counts.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from audit.model import AuditError, Chunk
from audit.unpack.promises import chunk_bytes

MAGIC = 0x1985
INODE, DIRENT = 0xE002, 0xE001
MAX_SCAN = 64 * 1024 * 1024  # bytes of one chunk checked
MAX_NODES = 200_000


def jffs2_crc(data: bytes) -> int:
    """The kernel's crc32(0, data, len) as JFFS2 stores it."""
    return ~zlib.crc32(data, 0xFFFF_FFFF) & 0xFFFF_FFFF


def bad_nodes(image: bytes) -> tuple[int, int]:
    """(nodes seen, nodes whose CRCs do not hold) in a JFFS2 image."""
    if len(image) < 12:
        return 0, 0
    order = "<" if struct.unpack_from("<H", image, 0)[0] == MAGIC else ">"
    marker = struct.pack(order + "H", MAGIC)
    seen = bad = 0
    pos = 0
    while pos + 12 <= len(image) and seen < MAX_NODES:
        pos = image.find(marker, pos)  # jump over erase-block padding to the next node magic
        if pos < 0 or pos + 12 > len(image):
            break
        if pos % 4:
            pos += 4 - pos % 4
            continue
        _magic, ntype, totlen, hdr_crc = struct.unpack_from(order + "HHII", image, pos)
        seen += 1
        if jffs2_crc(image[pos : pos + 8]) != hdr_crc or totlen < 12 or pos + totlen > len(image):
            bad += 1
            pos += 4
            continue
        if not _node_ok(image, pos, ntype, totlen, order):
            bad += 1
        pos += (totlen + 3) & ~3
    return seen, bad


def _node_ok(image: bytes, pos: int, ntype: int, totlen: int, order: str) -> bool:
    if ntype == INODE and totlen >= 68:
        csize = struct.unpack_from(order + "I", image, pos + 48)[0]
        data_crc, node_crc = struct.unpack_from(order + "II", image, pos + 60)
        data = image[pos + 68 : pos + 68 + csize]
        return jffs2_crc(image[pos : pos + 60]) == node_crc and len(data) == csize and jffs2_crc(data) == data_crc
    if ntype == DIRENT and totlen >= 40:
        nsize = image[pos + 28]
        node_crc, name_crc = struct.unpack_from(order + "II", image, pos + 32)
        name = image[pos + 40 : pos + 40 + nsize]
        return jffs2_crc(image[pos : pos + 32]) == node_crc and jffs2_crc(name) == name_crc
    return True  # other node types: the header CRC is all we check


def damaged_jffs2(chunks: list[Chunk], locate: Callable[[str], Path | None]) -> list[AuditError]:
    """One `unpack.inconsistent` warning per JFFS2 chunk with nodes whose CRCs do not hold."""
    out = []
    for chunk in chunks:
        if not chunk.handler.startswith("jffs2"):
            continue
        image = chunk_bytes(chunk, locate, MAX_SCAN)
        if image is None:
            continue
        seen, bad = bad_nodes(image)
        if bad:
            out.append(AuditError(
                kind="unpack.inconsistent", stage="unpack", path=chunk.extract_dir or chunk.container,
                severity="warning",
                message=f"JFFS2 at offset {chunk.start} of {chunk.container}: {bad} of {seen} nodes fail their CRC "
                "(damaged image: files may be missing or hold wrong bytes)",
            ))
    return out
