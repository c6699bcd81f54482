"""A minimal SquashFS writer for tests: v3 (either byte order, any magic) and v4 big-endian, which no Debian
tool makes. It follows the documented on-disk layout (squashfs-tools format headers, https://dr-emann.github.io/
squashfs/) and packs v3 bit-fields itself, independently of the reader's field tables.

One metadata block each for inodes and directories (small trees only); files are whole data blocks plus an
optional tail in a shared fragment; every block is compressed with the given function or stored.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

Compress = Callable[[bytes], bytes]
UNCOMPRESSED_META = 0x8000
UNCOMPRESSED_DATA = 1 << 24
NO_FRAG = 0xFFFFFFFF
DIR, REG, SYMLINK = 1, 2, 3


def bits(fields: list[tuple[int, int]], big: bool) -> bytes:
    """Pack (value, width) bit-fields as GCC lays out a packed struct on a big- or little-endian machine."""
    total = sum(w for _, w in fields)
    assert total % 8 == 0
    value, pos = 0, 0
    for field, width in fields:
        assert 0 <= field < 1 << width
        if big:
            value = (value << width) | field
        else:
            value |= field << pos
            pos += width
    return value.to_bytes(total // 8, "big" if big else "little")


@dataclass
class Node:
    name: bytes
    kind: int
    data: bytes = b""  # file content or link target
    children: list[Node] | None = None
    number: int = 0
    inode_offset: int = 0
    start: int = 0
    blocks: tuple[int, ...] = ()
    fragment: int = NO_FRAG
    frag_offset: int = 0
    listing: bytes = b""
    list_offset: int = 0


def tree(spec: dict[str, bytes | str | None]) -> Node:
    """Nodes from {"bin/sh": "busybox" (link), "bin/busybox": b"..." (file), "etc": None (dir)}."""
    root = Node(b"", DIR, children=[])
    for path in sorted(spec):
        parent = root
        parts = path.encode().split(b"/")
        for part in parts[:-1]:
            found = next((c for c in parent.children if c.name == part), None)
            if found is None:
                found = Node(part, DIR, children=[])
                parent.children.append(found)
            parent = found
        value = spec[path]
        if value is None:
            parent.children.append(Node(parts[-1], DIR, children=[]))
        elif isinstance(value, str):
            parent.children.append(Node(parts[-1], SYMLINK, value.encode()))
        else:
            parent.children.append(Node(parts[-1], REG, value))
    return root


class Writer:
    def __init__(self, version: int, big: bool, magic: bytes, compress: Compress | None, block_size: int = 4096,
                 comp_id: int = 1) -> None:
        self.v, self.big, self.magic, self.compress = version, big, magic, compress
        self.o = ">" if big else "<"
        self.block_size, self.comp_id = block_size, comp_id
        self.sb_size = 96 if version == 4 else 119

    def _block(self, raw: bytes) -> tuple[bytes, bool]:
        if self.compress is not None:
            packed = self.compress(raw)
            if len(packed) < len(raw):
                return packed, True
        return raw, False

    def _meta(self, raw: bytes) -> bytes:
        assert len(raw) <= 8192
        body, packed = self._block(raw)
        return struct.pack(self.o + "H", len(body) | (0 if packed else UNCOMPRESSED_META)) + body

    def build(self, root: Node, mkfs_time: int = 1_200_000_000) -> bytes:
        nodes: list[Node] = []

        def walk(node: Node) -> None:
            nodes.append(node)
            for child in sorted(node.children or [], key=lambda c: c.name):
                walk(child)

        walk(root)
        for number, node in enumerate(nodes, 1):
            node.number = number
        out = bytearray(self.sb_size)
        fragment = bytearray()
        for node in nodes:  # data blocks right after the superblock, tails into one fragment
            if node.kind != REG:
                continue
            whole = len(node.data) // self.block_size * self.block_size
            node.start, sizes = len(out), []
            for pos in range(0, whole, self.block_size):
                body, packed = self._block(node.data[pos:pos + self.block_size])
                out += body
                sizes.append(len(body) | (0 if packed else UNCOMPRESSED_DATA))
            node.blocks = tuple(sizes)
            if whole < len(node.data):
                node.fragment, node.frag_offset = 0, len(fragment)
                fragment += node.data[whole:]
        frag_start = len(out)
        frag_body, frag_packed = self._block(bytes(fragment)) if fragment else (b"", False)
        out += frag_body
        offset = 0  # inode offsets, from their sizes (dir inodes have a fixed size)
        for node in nodes:
            node.inode_offset = offset
            offset += len(self._inode(node, parent=0))
        listing_pos = 0
        for node in nodes:  # directory listings need the child inode offsets
            if node.kind == DIR:
                node.listing, node.list_offset = self._listing(node), listing_pos
                listing_pos += len(node.listing)
        parents = {id(c): n.number for n in nodes if n.kind == DIR for c in n.children}
        inodes = b"".join(self._inode(n, parents.get(id(n), len(nodes) + 1)) for n in nodes)
        itab = len(out)
        out += self._meta(inodes)
        dtab = len(out)
        out += self._meta(b"".join(n.listing for n in nodes if n.kind == DIR))
        ftab = len(out)
        nfrags = 1 if fragment else 0
        if fragment:
            entry = struct.pack(self.o + "QII", frag_start, len(frag_body) | (0 if frag_packed else UNCOMPRESSED_DATA),
                                0)
            meta_pos = len(out)
            out += self._meta(entry)
            ftab = len(out)
            out += struct.pack(self.o + "Q", meta_pos)
        ids = len(out)
        out += struct.pack(self.o + "I", 0)  # one uid/id: root
        out[:self.sb_size] = self._superblock(len(nodes), nfrags, root, len(out), itab, dtab, ftab, ids, mkfs_time)
        pad = -len(out) % 4096
        return bytes(out) + bytes(pad)

    def _superblock(self, count: int, nfrags: int, root: Node, used: int, itab: int, dtab: int, ftab: int,
                    ids: int, mkfs: int) -> bytes:
        o, log = self.o, self.block_size.bit_length() - 1
        root_ref = root.inode_offset  # block 0 of the inode table
        if self.v == 4:
            return self.magic + struct.pack(o + "IIIIHHHHHHQQQQQQQQ", count, mkfs, self.block_size, nfrags,
                                            self.comp_id, log, 0, 1, 4, 0, root_ref, used, ids, 2**64 - 1,
                                            itab, dtab, ftab, 2**64 - 1)
        head = self.magic + struct.pack(o + "IIIIIIHHHH", count, 0, 0, 0, 0, 0, 3, 0, 0, log)
        head += bytes([0, 1, 0]) + struct.pack(o + "iQIII", mkfs, root_ref, self.block_size, nfrags, 0)
        return head + struct.pack(o + "QQQQQQQ", used, ids, 0, itab, dtab, ftab, 2**64 - 1)

    def _inode(self, node: Node, parent: int) -> bytes:
        o, mode = self.o, 0o755 if node.kind != REG else 0o644
        if self.v == 4:
            base = struct.pack(o + "HHHHII", node.kind, mode, 0, 0, 0, node.number)
            if node.kind == DIR:
                return base + struct.pack(o + "IIHHI", 0, 2, len(node.listing) + 3, node.list_offset, parent)
            if node.kind == REG:
                return base + struct.pack(o + "IIII", node.start, node.fragment, node.frag_offset,
                                          len(node.data)) + struct.pack(o + f"{len(node.blocks)}I", *node.blocks)
            return base + struct.pack(o + "II", 1, len(node.data)) + node.data
        # gid index 255: "same as the uid"
        base = bits([(node.kind, 4), (mode, 12), (0, 8), (255, 8)], self.big) + struct.pack(o + "iI", 0, node.number)
        if node.kind == DIR:
            return base + bits([(2, 32), (len(node.listing) + 3, 19), (node.list_offset, 13), (0, 32),
                                (parent, 32)], self.big)
        if node.kind == REG:
            return base + struct.pack(o + "QIII", node.start, node.fragment, node.frag_offset,
                                      len(node.data)) + struct.pack(o + f"{len(node.blocks)}I", *node.blocks)
        return base + struct.pack(o + "IH", 1, len(node.data)) + node.data

    def _listing(self, node: Node) -> bytes:
        children = sorted(node.children or [], key=lambda c: c.name)
        if not children:
            return b""
        o, base = self.o, children[0].number
        if self.v == 4:
            out = struct.pack(o + "III", len(children) - 1, 0, base)
            for c in children:
                out += struct.pack(o + "HhHH", c.inode_offset, c.number - base, c.kind, len(c.name) - 1) + c.name
            return out
        out = bits([(len(children) - 1, 8), (0, 32), (base, 32)], self.big)
        for c in children:
            out += bits([(c.inode_offset, 13), (c.kind, 3), (len(c.name) - 1, 8), (c.number - base, 16)],
                        self.big) + c.name
        return out


def zlib_compress(data: bytes) -> bytes:
    return zlib.compress(data, 9)
