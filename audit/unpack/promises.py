"""Missing-files check: what a file system's own superblock promises against what was extracted.

A superblock that lies about the image size, a truncated carve or a damaged directory make an extractor stop
early without failing: the tree it leaves looks complete. Each file system counts its inodes in the superblock,
so after extraction the count of entries in the chunk's extraction directory is compared with that promise.
Fewer entries than promised becomes `unpack.missing_files` (an error: the report is partial; both numbers given).

Promises read (facts from the formats' own headers):
- SquashFS v3/v4: `inodes` at offset 4 of the superblock, both byte orders, every vendor magic
  (https://dr-emann.github.io/squashfs/); it counts the root directory. Hard links share an inode, so an intact
  extraction has at least `inodes - 1` entries below the root.
- cramfs: `fsid.files` at offset 44 of `struct cramfs_super` (linux/include/uapi/linux/cramfs_fs.h); mkcramfs
  counts the root node too.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

from audit.model import AuditError, Chunk
from audit.unpack.squashfs_layout import MAGICS as SQUASHFS_MAGICS

CRAMFS_MAGICS = {b"\x45\x3d\xcd\x28": "<", b"\x28\xcd\x3d\x45": ">"}
NESTED_SUFFIX = "_extract"  # unblob's directories for containers found inside the file system
HEAD_SIZE = 64


def promised_entries(head: bytes) -> tuple[str, int] | None:
    """(file system, entries below the root it promises) from the first bytes of a chunk, or None."""
    if len(head) < 48:
        return None
    if head[:4] in SQUASHFS_MAGICS:
        for order in ("<", ">"):
            major = struct.unpack_from(order + "H", head, 28)[0]
            if major in (2, 3, 4):
                inodes = struct.unpack_from(order + "I", head, 4)[0]
                return ("SquashFS", inodes - 1) if 0 < inodes < 1 << 24 else None
        return None
    order = CRAMFS_MAGICS.get(head[:4])
    if order is not None:
        files = struct.unpack_from(order + "I", head, 44)[0]
        return ("cramfs", files - 1) if 0 < files < 1 << 24 else None
    return None


def chunk_bytes(chunk: Chunk, locate: Callable[[str], Path | None], limit: int) -> bytes | None:
    """Up to `limit` bytes of `chunk`, read from its container file on disk; None when that cannot be read."""
    container = locate(chunk.container)
    if container is None:
        return None
    try:
        with container.open("rb") as handle:
            handle.seek(chunk.start)
            return handle.read(max(0, min(chunk.end - chunk.start, limit)))
    except OSError:
        return None


def count_entries(root: Path) -> int:
    """Entries (files, directories, links, device nodes) below `root`, not descending into nested extractions."""
    total, stack = 0, [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    total += 1
                    if entry.is_dir(follow_symlinks=False) and not entry.name.endswith(NESTED_SUFFIX):
                        stack.append(Path(entry.path))
        except OSError:
            continue
    return total


def missing_files(chunks: list[Chunk], locate: Callable[[str], Path | None], extract_dir: Path,
                  errors: list[AuditError]) -> list[AuditError]:
    """One `unpack.missing_files` warning per file-system chunk that extracted fewer entries than it promises.

    `locate` maps a container's path in the image to the file on disk; `errors` are the run's errors so far
    (symlinks removed for leaving the image are not missing files).
    """
    found: list[AuditError] = []
    for chunk in chunks:
        if not chunk.extract_dir:
            continue
        out = extract_dir / chunk.extract_dir
        head = chunk_bytes(chunk, locate, HEAD_SIZE) if out.is_dir() else None
        promise = None if head is None else promised_entries(head)
        if promise is None:
            continue
        fs, promised = promise
        removed = sum(1 for e in errors if e.kind == "unpack.unsafe_symlink_removed"
                      and f"{chunk.extract_dir}/" in f"{e.path or ''} {e.message}")
        extracted = count_entries(out) + removed
        if extracted < promised:
            found.append(AuditError(
                kind="unpack.missing_files", stage="unpack", path=chunk.extract_dir, severity="error",
                message=f"{fs} at offset {chunk.start} of {chunk.container} promises {promised} entries below its "
                f"root; {extracted} were extracted ({promised - extracted} missing: damaged or lying image)",
            ))
    return found
