"""On-disk layout of SquashFS v3 and v4 (both byte orders): superblock, inodes, directory records.

Facts from the squashfs-tools format headers and the kernel's documentation
(https://dr-emann.github.io/squashfs/ , https://www.kernel.org/doc/html/latest/filesystems/squashfs.html):

- v3 structures are packed C bit-fields. A little-endian image allocates fields from the least significant bit
  of the little-endian value, a big-endian image from the most significant bit of the big-endian value; so one
  field list read either way (`BitReader`) covers both orders.
- v4 structures are plain integers (big-endian v4 is the same layout with every integer swapped).
- Magic: `hsqs` (LE) / `sqsh` (BE) standard; vendors swap in `shsq`/`qshs` (Broadcom), `hsqt`/`tqsh` (DD-WRT),
  `zlqs`/`sqlz`. The byte order is the one that gives a sane major version.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGICS = {b"hsqs", b"sqsh", b"shsq", b"qshs", b"hsqt", b"tqsh", b"zlqs", b"sqlz"}
DIR, REG, SYMLINK, BLKDEV, CHRDEV, FIFO, SOCKET, LDIR, LREG = range(1, 10)
LSYMLINK, LBLKDEV, LCHRDEV, LFIFO, LSOCKET = range(10, 15)
NO_FRAGMENT = 0xFFFF_FFFF
V3_CHECK_FLAG = 0x04  # v3: an extra check byte follows each metadata block header


class LayoutError(Exception):
    """A structure that cannot be what it claims (typed, carries the reason)."""


@dataclass(frozen=True)
class Superblock:
    magic: bytes
    big: bool
    major: int
    minor: int
    inodes: int
    block_size: int
    fragments: int
    compression: int | None  # v4 compressor id; None for v1-v3 (zlib or vendor LZMA)
    flags: int
    root_inode: int
    bytes_used: int
    inode_table: int
    directory_table: int
    fragment_table: int

    @property
    def order(self) -> str:
        return ">" if self.big else "<"

    @property
    def check_byte(self) -> bool:
        return self.major == 3 and bool(self.flags & V3_CHECK_FLAG)


def read_superblock(data: bytes) -> Superblock:
    """Parse a v3 or v4 superblock at the start of `data` (either byte order, any known magic)."""
    if len(data) < 96:
        raise LayoutError("truncated superblock")
    magic = data[:4]
    if magic not in MAGICS:
        raise LayoutError(f"not a SquashFS magic: {magic.hex()}")
    le_major = struct.unpack_from("<H", data, 28)[0]
    be_major = struct.unpack_from(">H", data, 28)[0]
    if le_major in (1, 2, 3, 4):
        big, major = False, le_major
    elif be_major in (1, 2, 3, 4):
        big, major = True, be_major
    else:
        raise LayoutError(f"unknown version field {data[28:30].hex()}")
    if major == 4:
        sb = _v4(data, magic, big)
    elif major == 3:
        sb = _v3(data, magic, big)
    else:
        raise LayoutError(f"version {major} (v1/v2 layouts are not implemented)")
    _check(sb, len(data))
    return sb


def _v4(data: bytes, magic: bytes, big: bool) -> Superblock:
    o = ">" if big else "<"
    (inodes, _mkfs, block_size, fragments, comp, _log, flags, _ids, major, minor, root, used, _idt, _xat,
     itab, dtab, ftab, _lookup) = struct.unpack_from(o + "IIIIHHHHHHQQQQQQQQ", data, 4)
    return Superblock(magic, big, major, minor, inodes, block_size, fragments, comp, flags, root, used, itab, dtab,
                      ftab)


def _v3(data: bytes, magic: bytes, big: bool) -> Superblock:
    if len(data) < 119:
        raise LayoutError("truncated v3 superblock")
    o = ">" if big else "<"
    inodes = struct.unpack_from(o + "I", data, 4)[0]
    major, minor = struct.unpack_from(o + "HH", data, 28)
    flags = data[36]
    root = struct.unpack_from(o + "Q", data, 43)[0]
    block_size, fragments = struct.unpack_from(o + "II", data, 51)
    used, _uid, _gid, itab, dtab, ftab = struct.unpack_from(o + "QQQQQQ", data, 63)
    return Superblock(magic, big, major, minor, inodes, block_size, fragments, None, flags, root, used, itab, dtab,
                      ftab)


def _check(sb: Superblock, size: int) -> None:
    if sb.block_size < 4096 or sb.block_size > 1 << 20 or sb.block_size & (sb.block_size - 1):
        raise LayoutError(f"implausible block size {sb.block_size}")
    if not 0 < sb.inodes < 1 << 24:
        raise LayoutError(f"implausible inode count {sb.inodes}")
    end = min(sb.bytes_used, size) if sb.bytes_used else size
    if not 0 < sb.inode_table < sb.directory_table <= end:
        raise LayoutError(f"tables out of order or past the image end ({size} bytes)")


class BitReader:
    """Reads a packed C bit-field struct in the image's byte order (see the module docstring)."""

    def __init__(self, raw: bytes, big: bool) -> None:
        self.value = int.from_bytes(raw, "big" if big else "little")
        self.total = len(raw) * 8
        self.big = big
        self.pos = 0

    def take(self, bits: int) -> int:
        if self.pos + bits > self.total:
            raise LayoutError("bit-field struct read past its end")
        shift = self.total - self.pos - bits if self.big else self.pos
        self.pos += bits
        return (self.value >> shift) & ((1 << bits) - 1)


@dataclass
class Inode:
    kind: int  # DIR, REG, SYMLINK, ... (long forms folded onto the short ones)
    mode: int
    size: int = 0  # file size, or directory listing size in bytes
    start: int = 0  # data start (file), directory block (dir)
    offset: int = 0  # offset in the directory block (dir), in the fragment (file)
    fragment: int = NO_FRAGMENT
    blocks: tuple[int, ...] = ()
    target: bytes = b""
    rdev: int = 0  # device number as stored (v3: 16-bit major<<8|minor, v4: the kernel's old 32-bit encoding)
    header_len: int = 0  # bytes of the fixed part, before block list / symlink target


FOLD = {LDIR: DIR, LREG: REG, LSYMLINK: SYMLINK, LBLKDEV: BLKDEV, LCHRDEV: CHRDEV, LFIFO: FIFO, LSOCKET: SOCKET}
# v3 fixed inode sizes in bytes and their fields after the 12-byte base, in bits
V3_FIELDS: dict[int, tuple[tuple[str, int], ...]] = {
    DIR: (("nlink", 32), ("size", 19), ("offset", 13), ("start", 32), ("parent", 32)),
    LDIR: (("nlink", 32), ("size", 27), ("offset", 13), ("start", 32), ("i_count", 16), ("parent", 32)),
    REG: (("start", 64), ("fragment", 32), ("frag_offset", 32), ("size", 32)),
    LREG: (("nlink", 32), ("start", 64), ("fragment", 32), ("frag_offset", 32), ("size", 64)),
    SYMLINK: (("nlink", 32), ("size", 16)),
    BLKDEV: (("nlink", 32), ("rdev", 16)),
    CHRDEV: (("nlink", 32), ("rdev", 16)),
    FIFO: (("nlink", 32),),
    SOCKET: (("nlink", 32),),
}
V3_BASE = 12
# v4 fixed parts after the 16-byte base, as struct formats
V4_FIELDS: dict[int, tuple[str, tuple[str, ...]]] = {
    DIR: ("IIHHI", ("start", "nlink", "size", "offset", "parent")),
    LDIR: ("IIIIHHI", ("nlink", "size", "start", "parent", "i_count", "offset", "xattr")),
    REG: ("IIII", ("start", "fragment", "frag_offset", "size")),
    LREG: ("QQQIIII", ("start", "size", "sparse", "nlink", "fragment", "frag_offset", "xattr")),
    SYMLINK: ("II", ("nlink", "size")), LSYMLINK: ("II", ("nlink", "size")),
    BLKDEV: ("II", ("nlink", "rdev")), CHRDEV: ("II", ("nlink", "rdev")),
    LBLKDEV: ("III", ("nlink", "rdev", "xattr")), LCHRDEV: ("III", ("nlink", "rdev", "xattr")),
    FIFO: ("I", ("nlink",)), SOCKET: ("I", ("nlink",)), LFIFO: ("II", ("nlink", "xattr")),
    LSOCKET: ("II", ("nlink", "xattr")),
}
V4_BASE = 16


def inode_header(sb: Superblock, head: bytes) -> tuple[int, int, dict[str, int], int]:
    """(type, mode, fields, fixed length) of the inode starting at `head` (enough bytes for the fixed part)."""
    if sb.major == 4:
        if len(head) < V4_BASE:
            raise LayoutError("truncated inode")
        kind, mode = struct.unpack_from(sb.order + "HH", head, 0)
        if kind not in V4_FIELDS:
            raise LayoutError(f"unknown inode type {kind}")
        fmt, names = V4_FIELDS[kind]
        length = V4_BASE + struct.calcsize("<" + fmt)
        if len(head) < length:
            raise LayoutError("truncated inode")
        fields = dict(zip(names, struct.unpack_from(sb.order + fmt, head, V4_BASE), strict=True))
        return kind, mode, fields, length
    if len(head) < 1:
        raise LayoutError("truncated inode")
    first = BitReader(head[:2], sb.big)
    kind, mode = first.take(4), first.take(12)
    if kind not in V3_FIELDS:
        raise LayoutError(f"unknown inode type {kind}")
    bits = sum(b for _, b in V3_FIELDS[kind])
    length = V3_BASE + (bits + 7) // 8
    if len(head) < length:
        raise LayoutError("truncated inode")
    reader = BitReader(head[V3_BASE:length], sb.big)
    fields = {name: reader.take(width) for name, width in V3_FIELDS[kind]}
    return kind, mode, fields, length


def device_numbers(sb: Superblock, rdev: int) -> tuple[int, int]:
    """(major, minor) of a stored device number."""
    if sb.major == 4:
        return (rdev >> 8) & 0xFFF, (rdev & 0xFF) | ((rdev >> 12) & 0xFFF00)
    return (rdev >> 8) & 0xFF, rdev & 0xFF


def dir_header(sb: Superblock, raw: bytes) -> tuple[int, int, int]:
    """(entry count, inode block, base inode number) of a directory header (v3: 9 bytes, v4: 12)."""
    if sb.major == 4:
        count, block, number = struct.unpack_from(sb.order + "III", raw, 0)
        return count + 1, block, number
    r = BitReader(raw[:9], sb.big)
    return r.take(8) + 1, r.take(32), r.take(32)


def dir_entry(sb: Superblock, raw: bytes) -> tuple[int, int, int]:
    """(inode offset, type, name length) of a directory entry (v3: 5 bytes, v4: 8)."""
    if sb.major == 4:
        offset, _delta, kind, size = struct.unpack_from(sb.order + "HhHH", raw, 0)
        return offset, kind, size + 1
    r = BitReader(raw[:5], sb.big)
    offset, kind, size = r.take(13), r.take(3), r.take(8)
    return offset, kind, size + 1


def header_sizes(sb: Superblock) -> tuple[int, int]:
    """(directory header size, directory entry size)."""
    return (12, 8) if sb.major == 4 else (9, 5)


def fragment_entry(sb: Superblock, raw: bytes) -> tuple[int, int]:
    """(start, size word) of a fragment table entry (16 bytes in v3 and v4)."""
    start, size = struct.unpack_from(sb.order + "QI", raw, 0)
    return start, size
