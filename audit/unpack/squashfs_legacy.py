"""Our own SquashFS reader for what Debian's unsquashfs cannot read: v3 and v4 in either byte order, vendor
magics (`shsq`, `qshs`, `hsqt`, ...) and the vendor LZMA framings (see `squashfs_codecs`).

Called by the `sasquatch` stand-in (`audit/unpack/bin/sasquatch`), inside unblob's sandbox. It writes
directories, regular files and symlinks below the destination only: names holding `/`, NUL, `.` or `..` are
refused, nothing is written through a link (files are opened with O_NOFOLLOW|O_EXCL and links are made last),
link targets are written as stored and contained afterwards by unblob's link pass. Damaged input gives a
`SquashfsError` with the reason; every loop is bounded by the image size, the inode count and a depth cap.
"""

from __future__ import annotations

import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path

from audit.unpack import squashfs_layout as lay
from audit.unpack.squashfs_codecs import CodecError, checked, decompressor

METADATA_SIZE = 8192
MAX_DEPTH = 256
DATA_UNCOMPRESSED = 1 << 24


class SquashfsError(Exception):
    """The image cannot be read (or only partly); the message says why."""


@dataclass
class Outcome:
    """What an extraction wrote, and the problems met on the way."""

    dirs: int = 0
    files: int = 0
    symlinks: int = 0
    specials: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return self.dirs + self.files + self.symlinks + self.specials


class Image:
    """Random access to one SquashFS image held in memory."""

    def __init__(self, data: bytes) -> None:
        try:
            self.sb = lay.read_superblock(data)
        except lay.LayoutError as exc:
            raise SquashfsError(str(exc)) from exc
        self.data = data
        self.end = min(len(data), self.sb.bytes_used) if self.sb.bytes_used else len(data)
        self.decompress = decompressor(self.sb.compression)
        self._blocks: dict[int, tuple[bytes, int]] = {}
        self._fragments: list[tuple[int, int]] | None = None

    def u16(self, pos: int) -> int:
        if pos + 2 > self.end:
            raise SquashfsError(f"read past the image end at {pos:#x}")
        return struct.unpack_from(self.sb.order + "H", self.data, pos)[0]

    def metadata_block(self, pos: int) -> tuple[bytes, int]:
        """(decompressed block, position of the next block) of the metadata block at `pos`."""
        if pos in self._blocks:
            return self._blocks[pos]
        word = self.u16(pos)
        size, stored = word & 0x7FFF, bool(word & 0x8000)
        start = pos + 2 + (1 if self.sb.check_byte else 0)
        if size == 0 or start + size > self.end:
            raise SquashfsError(f"metadata block at {pos:#x} ({size} bytes) is empty or past the image end")
        raw = self.data[start:start + size]
        try:
            out = raw if stored else checked(self.decompress, raw, METADATA_SIZE)
        except CodecError as exc:
            raise SquashfsError(f"metadata block at {pos:#x}: {exc}") from exc
        self._blocks[pos] = (out, start + size)
        if len(self._blocks) > 4096:
            self._blocks.pop(next(iter(self._blocks)))
        return out, start + size

    def metadata(self, table: int, block: int, offset: int, length: int, limit: int, partial: bool = False) -> bytes:
        """`length` bytes of a metadata stream starting at (table + block, offset); blocks stop at `limit`.

        With `partial`, fewer bytes are returned when the table ends first (an inode's fixed part is read
        before its size is known).
        """
        pos, out = table + block, b""
        while len(out) < offset + length:
            if pos >= limit:
                if partial and len(out) > offset:
                    break
                raise SquashfsError(f"metadata read runs past its table (ends at {limit:#x})")
            chunk, pos = self.metadata_block(pos)
            out += chunk
        return out[offset:offset + length]

    def inode(self, ref: int) -> lay.Inode:
        block, offset = ref >> 16, ref & 0xFFFF
        limit = self.sb.directory_table
        head = self.metadata(self.sb.inode_table, block, offset, 64, limit, partial=True)
        try:
            kind, mode, fields, length = lay.inode_header(self.sb, head)
        except lay.LayoutError as exc:
            raise SquashfsError(f"inode {ref:#x}: {exc}") from exc
        node = lay.Inode(kind=lay.FOLD.get(kind, kind), mode=mode, size=fields.get("size", 0),
                         start=fields.get("start", 0), offset=fields.get("offset", fields.get("frag_offset", 0)),
                         fragment=fields.get("fragment", lay.NO_FRAGMENT), rdev=fields.get("rdev", 0),
                         header_len=length)
        if node.kind == lay.REG:
            count = self._block_count(node)
            raw = self.metadata(self.sb.inode_table, block, offset + length, 4 * count, limit)
            node.blocks = struct.unpack(self.sb.order + f"{count}I", raw)
        elif node.kind == lay.SYMLINK:
            if node.size > 4096:
                raise SquashfsError(f"inode {ref:#x}: symlink target of {node.size} bytes")
            node.target = self.metadata(self.sb.inode_table, block, offset + length, node.size, limit)
        return node

    def _block_count(self, node: lay.Inode) -> int:
        bs = self.sb.block_size
        count = node.size // bs if node.fragment != lay.NO_FRAGMENT else -(-node.size // bs)
        if count * 4 > (self.sb.directory_table - self.sb.inode_table) * (METADATA_SIZE // 2):
            raise SquashfsError(f"file of {node.size} bytes has more blocks than the inode table can list")
        return count

    def fragment(self, index: int) -> bytes:
        if self._fragments is None:
            self._fragments = self._fragment_table()
        if index >= len(self._fragments):
            raise SquashfsError(f"fragment {index} of {len(self._fragments)}")
        start, word = self._fragments[index]
        return self.data_block(start, word, self.sb.block_size)

    def _fragment_table(self) -> list[tuple[int, int]]:
        count = self.sb.fragments
        if count == 0:
            return []
        if count > self.end // 4:
            raise SquashfsError(f"{count} fragments cannot fit the image")
        blocks = -(-count * 16 // METADATA_SIZE)
        if self.sb.fragment_table + 8 * blocks > self.end:
            raise SquashfsError("fragment index past the image end")
        index = struct.unpack_from(self.sb.order + f"{blocks}Q", self.data, self.sb.fragment_table)
        raw = b""
        for pos in index:
            chunk, _ = self.metadata_block(pos)
            raw += chunk
        if len(raw) < count * 16:
            raise SquashfsError("fragment table shorter than the fragment count")
        return [lay.fragment_entry(self.sb, raw[i * 16:i * 16 + 16]) for i in range(count)]

    def data_block(self, start: int, word: int, expect: int) -> bytes:
        size, stored = word & ~DATA_UNCOMPRESSED & 0xFFFFFFFF, bool(word & DATA_UNCOMPRESSED)
        if size == 0:
            return bytes(expect)  # a sparse block
        if size > self.sb.block_size + 4096 or start + size > self.end:
            raise SquashfsError(f"data block at {start:#x} ({size} bytes) past the image end or oversized")
        raw = self.data[start:start + size]
        try:
            return raw if stored else checked(self.decompress, raw, self.sb.block_size)
        except CodecError as exc:
            raise SquashfsError(f"data block at {start:#x}: {exc}") from exc

    def file_content(self, node: lay.Inode, out: int) -> None:
        """Write a regular file's content to the open descriptor `out`."""
        pos, left, bs = node.start, node.size, self.sb.block_size
        for word in node.blocks:
            want = min(bs, left)
            chunk = self.data_block(pos, word, want)[:want]
            os.write(out, chunk)
            left -= len(chunk)
            pos += word & ~DATA_UNCOMPRESSED & 0xFFFFFFFF
        if node.fragment != lay.NO_FRAGMENT and left > 0:
            frag = self.fragment(node.fragment)
            piece = frag[node.offset:node.offset + left]
            if len(piece) < left:
                raise SquashfsError("fragment shorter than the file's tail")
            os.write(out, piece)

    def entries(self, node: lay.Inode) -> list[tuple[bytes, int]]:
        """(name, inode reference) of each entry of a directory inode."""
        listing = node.size - 3  # v3 and v4 count "." and ".." as 3 bytes
        if listing <= 0:
            return []
        raw = self.metadata(self.sb.directory_table, node.start, node.offset, listing, self.end)
        head_len, entry_len = lay.header_sizes(self.sb)
        pos, found = 0, []
        while pos + head_len <= len(raw):
            count, block, _number = lay.dir_header(self.sb, raw[pos:pos + head_len])
            pos += head_len
            for _ in range(count):
                if pos + entry_len > len(raw):
                    raise SquashfsError("directory listing truncated")
                offset, _kind, name_len = lay.dir_entry(self.sb, raw[pos:pos + entry_len])
                name = raw[pos + entry_len:pos + entry_len + name_len]
                pos += entry_len + name_len
                found.append((name, (block << 16) | offset))
            if len(found) > self.sb.inodes * 4:
                raise SquashfsError("directory lists more entries than the image has inodes")
        return found


def extract(image_path: Path, dest: Path) -> Outcome:
    """Extract the SquashFS image at `image_path` into the directory `dest` (created if missing)."""
    image = Image(image_path.read_bytes())
    dest.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    links: list[tuple[bytes, bytes]] = []
    try:
        root = image.inode(image.sb.root_inode)
    except SquashfsError as exc:
        raise SquashfsError(f"root inode: {exc}") from exc
    if root.kind != lay.DIR:
        raise SquashfsError("root inode is not a directory")
    stack: list[tuple[lay.Inode, bytes, int]] = [(root, os.fsencode(dest), 0)]
    seen: set[tuple[int, int]] = set()  # directory listings already walked (empty ones all share one place)
    while stack:
        node, path, depth = stack.pop()
        where = (node.start, node.offset)
        if (node.size > 3 and where in seen) or depth > MAX_DEPTH:
            outcome.problems.append(f"directory loop or depth past {MAX_DEPTH} at {os.fsdecode(path)}")
            continue
        seen.add(where)
        try:
            listing = image.entries(node)
        except SquashfsError as exc:
            outcome.problems.append(f"{os.fsdecode(path)}: {exc}")
            continue
        for name, ref in listing:
            if not _safe_name(name):
                outcome.problems.append(f"unsafe entry name {name!r} skipped")
                continue
            _one(image, ref, path + b"/" + name, depth, stack, links, outcome)
        if outcome.entries > image.sb.inodes * 4 + 16:
            raise SquashfsError("more entries than the inode count allows: stopped")
    for where, target in links:
        try:
            os.symlink(target, where)  # noqa: PTH211 - bytes paths keep names that are not UTF-8
            outcome.symlinks += 1
        except OSError as exc:
            outcome.problems.append(f"symlink {os.fsdecode(where)}: {exc.strerror}")
    return outcome


def _one(image: Image, ref: int, path: bytes, depth: int, stack: list[tuple[lay.Inode, bytes, int]],
         links: list[tuple[bytes, bytes]], outcome: Outcome) -> None:
    try:
        node = image.inode(ref)
        if node.kind == lay.DIR:
            os.mkdir(path, 0o755)  # noqa: PTH102 - bytes paths keep names that are not UTF-8
            outcome.dirs += 1
            stack.append((node, path, depth + 1))
        elif node.kind == lay.REG:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            try:
                os.fchmod(fd, node.mode & 0o7777)
                image.file_content(node, fd)
            finally:
                os.close(fd)
            outcome.files += 1
        elif node.kind == lay.SYMLINK:
            links.append((path, node.target))
        else:
            _special(image, node, path, outcome)
    except SquashfsError as exc:
        outcome.problems.append(f"{os.fsdecode(path)}: {exc}")
    except OSError as exc:
        outcome.problems.append(f"{os.fsdecode(path)}: {exc.strerror}")


SPECIAL_TYPES = {lay.BLKDEV: stat.S_IFBLK, lay.CHRDEV: stat.S_IFCHR, lay.FIFO: stat.S_IFIFO,
                 lay.SOCKET: stat.S_IFSOCK}


def _special(image: Image, node: lay.Inode, path: bytes, outcome: Outcome) -> None:
    """Device nodes, FIFOs and sockets are made as unsquashfs makes them (the inventory never opens them)."""
    kind = SPECIAL_TYPES.get(node.kind)
    if kind is None:
        outcome.problems.append(f"{os.fsdecode(path)}: unknown inode type {node.kind}")
        return
    try:
        os.mknod(path, kind | (node.mode & 0o777), os.makedev(*lay.device_numbers(image.sb, node.rdev)))
    except OSError as exc:
        outcome.problems.append(f"{os.fsdecode(path)}: {exc.strerror} (special file not created)")
        return
    outcome.specials += 1


def _safe_name(name: bytes) -> bool:
    return bool(name) and name not in (b".", b"..") and b"/" not in name and b"\0" not in name


def count_inodes(image_path: Path) -> int:
    """The inode count the superblock declares (what a complete extraction should reach, root included)."""
    return Image(image_path.read_bytes()).sb.inodes
