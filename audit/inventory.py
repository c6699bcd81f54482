"""Inventory stage: one FileRecord per file found in the image, content-addressed by sha256.

Files are read only through `lstat` and regular-file opens: symlinks are recorded, never followed;
FIFOs and device nodes are recorded as `special` and never opened. Type detection (libmagic) is done
once per unique sha256, and with a per-file memo (audit/file_cache.py) once per sha256 and libmagic version
across audits: the next firmware version does not type again the files it shares with the last one.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import magic

from audit.file_cache import FileMemo, memoised
from audit.model import AuditError, Chunk, FileRecord
from audit.names import escape_name, raw_hex
from audit.prehash import Early, stat_key
from audit.treewalk import walk_entries
from audit.unpack import UnpackResult
from audit.unpack.search_memo import magic_version

HEAD_BYTES = 64 * 1024
READ_BLOCK = 1024 * 1024
BATCH = 512
UIMAGE_HEADER_SIZE = 64
Mapper = Callable[[Callable[[bytes], tuple[str, str]], Iterable[bytes]], Iterable[Any]]
MAGIC_STAGE = "inventory.magic"  # per-file memo entries: sha256 -> (description, MIME type)
_HANDLES: list[tuple[magic.Magic, magic.Magic]] = []  # idle libmagic handle pairs (`_describe`)
_LOCK = threading.Lock()

ELF_MACHINES = {
    2: "sparc", 3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 40: "arm", 42: "sh", 50: "ia64",
    62: "x86_64", 83: "avr", 92: "openrisc", 94: "xtensa", 164: "hexagon", 183: "aarch64",
    243: "riscv", 258: "loongarch",
}


def elf_arch(head: bytes) -> str | None:
    """'<machine>-<bits>-<le|be>' from an ELF header, or None if `head` is not an ELF header."""
    if len(head) < 20 or head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    order = "<" if head[5] == 1 else ">"
    machine = struct.unpack_from(order + "H", head, 18)[0]
    name = ELF_MACHINES.get(machine, f"em{machine}")
    return f"{name}-{32 if head[4] == 1 else 64}-{'le' if head[5] == 1 else 'be'}"


# libmagic descriptions of containers that unpacking should have opened
CONTAINER_MAGIC = re.compile(
    r"^(Squashfs filesystem|gzip compressed|Zip archive|POSIX tar archive|tar archive|ASCII cpio|cpio archive|"
    r"u-boot legacy uImage|Linux jffs2|UBI image|XZ compressed|LZMA compressed|bzip2 compressed|7-zip archive|"
    r"Linux Compressed ROM File System|romfs filesystem|Linux rev 1\.0 ext[234] filesystem|EROFS filesystem)"
)


def unextracted_containers(files: list[FileRecord], chunks: list[Chunk]) -> list[AuditError]:
    """Files that libmagic calls a container but no handler extracted (truncated, corrupt, unsupported)."""
    opened = {c.container for c in chunks if c.handler != "unknown"} | unpacked_files(files)
    return [
        AuditError(kind="unpack.not_extracted", stage="unpack", path=rec.path,
                   message=f"looks like '{rec.magic[:80]}' but no handler extracted it "
                   "(truncated, corrupt, unsupported variant, or past the depth cap)")
        for rec in files
        if rec.kind == "file" and rec.path not in opened and CONTAINER_MAGIC.match(rec.magic)
        and not _header_only(rec)
    ]


def unpacked_files(files: Sequence[FileRecord]) -> set[str]:
    """Containers whose `<path>_extract` folder holds files: what unblob extracted (a carved squashfs chunk, a
    `.gz`), or an extracted tree that came already unpacked."""
    out: set[str] = set()
    for rec in files:
        parts = rec.path.split("/")
        out.update("/".join(parts[:i])[: -len("_extract")]
                   for i in range(1, len(parts)) if parts[i - 1].endswith("_extract"))
    return out


def containers(files: Sequence[FileRecord]) -> set[str]:
    """Paths of the files something was extracted from: those others were carved from, and those whose
    `_extract` folder holds what they unpacked to."""
    return {r.parent for r in files if r.parent} | unpacked_files(files)


def _header_only(rec: FileRecord) -> bool:
    """A 64-byte legacy uImage header carved off its payload (the payload is extracted on its own)."""
    return rec.size == UIMAGE_HEADER_SIZE and rec.magic.startswith("u-boot legacy uImage")


def hash_file(path: Path) -> tuple[str, bytes]:
    """sha256 of a regular file and its first HEAD_BYTES bytes."""
    with path.open("rb") as handle:
        return hash_handle(handle)


def hash_handle(handle: BinaryIO) -> tuple[str, bytes]:
    """sha256 of what an open file holds from its current position, and its first HEAD_BYTES bytes."""
    digest = hashlib.sha256()
    head = handle.read(HEAD_BYTES)
    digest.update(head)
    while block := handle.read(READ_BLOCK):
        digest.update(block)
    return digest.hexdigest(), head


def _describe(head: bytes) -> tuple[str, str]:
    """libmagic's description and MIME type of a file's head. Safe from several threads at once: each call
    takes a pair of libmagic handles of its own (kept for reuse), and libmagic works without the GIL."""
    with _LOCK:
        pair = _HANDLES.pop() if _HANDLES else None
    try:
        if pair is None:
            pair = (magic.Magic(), magic.Magic(mime=True))
        return pair[0].from_buffer(head), pair[1].from_buffer(head)
    except magic.MagicException as exc:  # libmagic refuses some inputs; not fatal
        return f"unknown ({exc})", "application/octet-stream"
    finally:
        if pair is not None:
            with _LOCK:
                _HANDLES.append(pair)


def describe_heads(memo: FileMemo | None, heads: dict[str, bytes], mapper: Mapper = map) -> list[tuple[str, str]]:
    """`_describe` of each head (keyed by its file's sha256, which fixes the head), through `mapper` (a thread
    pool's map), types stored by an earlier audit reused: the key holds libmagic's version, so a new magic
    database types every file again."""
    version = magic_version()
    return memoised(memo, MAGIC_STAGE, list(heads), lambda sha: [sha, version], lambda _sha: [],
                    lambda todo: list(mapper(_describe, [heads[sha] for sha in todo])))


def walk_tree(root: Path) -> Iterator[Path]:
    """Every non-directory entry under root, in sorted order, symlinks not followed (no recursion on depth)."""
    if not root.is_dir():
        return
    yield from walk_entries(root)


def fs_path_of(path: str) -> str:
    """Path inside the innermost extracted container: the part after the last `*_extract` folder."""
    parts = path.split("/")
    for index in range(len(parts) - 1, -1, -1):
        if parts[index].endswith("_extract"):
            return "/" + "/".join(parts[index + 1 :])
    return "/" + path  # the image itself, or a file of an extracted tree (paths relative to its root)


def build_inventory(
    image: Path, unpacked: UnpackResult, jobs: int = 1, progress: Callable[[int], None] | None = None,
    max_files: int | None = None, memo: FileMemo | None = None, early: Mapping[str, Early] | None = None,
    image_read: Early | None = None,
) -> tuple[list[FileRecord], list[AuditError]]:
    """Records for the image itself and everything extracted from it, sorted by path; a file read while the
    extractor ran (`early`, audit/prehash.py), or the image read when the audit began (`image_read`), is not
    read again when its status is still the one it had then.

    `max_files` makes the file cap exact: the extraction watcher polls, so the extractor may have written a few
    more entries before it was stopped; only the first `max_files` extracted entries (walk order) are listed.
    """
    entries: list[tuple[Path, str]] = [] if image.is_dir() else [(image, image.name)]  # a tree has no top file
    root = unpacked.extract_dir
    errors: list[AuditError] = []
    walked = walk_tree(root)
    entries += [(p, p.relative_to(root).as_posix()) for p in islice(walked, max_files)]
    left_out = sum(1 for _ in walked) if max_files is not None else 0
    if left_out:
        errors.append(AuditError(
            kind="inventory.cap.files", stage="inventory", path=escape_name(image.name),
            message=f"{max_files + left_out} entries were extracted before the file cap stopped the extractor; "
            f"the first {max_files} are listed and audited, {left_out} are not (raise --max-files to see them)"))
    described: dict[str, tuple[str, str]] = {}
    records: list[FileRecord] = []
    known = dict(early or {})
    if image_read is not None:  # the image's own entry is its name; a read is used only for the file whose
        known[image.name] = image_read  # inode, device and times it recorded (a tree has no such entry)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for start in range(0, len(entries), BATCH):  # batches bound the heads held in memory
            batch = entries[start : start + BATCH]
            infos = list(pool.map(partial(_stat_and_hash, early=known), batch))
            for info, _ in infos:
                if info is not None and info[4] is not None:
                    described.setdefault(info[1] or "", info[4])
            heads = {i[1]: i[2] for i, _ in infos if i is not None and i[1] is not None and i[1] not in described}
            described.update(zip(heads, describe_heads(memo, heads, pool.map), strict=True))  # once per sha256
            for (_, rel), (info, error) in zip(batch, infos, strict=True):
                if error is not None:
                    errors.append(error)
                if info is not None:
                    records.append(_record(rel, info, unpacked, described))
            if progress is not None:
                progress(min(start + BATCH, len(entries)))
    for rel, st, target in unpacked.tree.recorded if unpacked.tree else ():  # a tree's entries kept off disk
        records.append(_record(rel, (st, None, b"", target, None), unpacked, described))
    records.sort(key=lambda r: r.path)
    return records, errors


def disk_path(extract_dir: Path, rec: FileRecord) -> Path:
    """Where an extracted record's bytes are on disk (its raw name when the name was escaped)."""
    return extract_dir / (os.fsdecode(bytes.fromhex(rec.path_raw)) if rec.path_raw else rec.path)


_Info = tuple[os.stat_result, str | None, bytes, str | None, tuple[str, str] | None]  # st, sha, head, link, type


def _stat_and_hash(entry: tuple[Path, str], early: Mapping[str, Early]) -> tuple[_Info | None, AuditError | None]:
    path, rel = entry
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return (st, None, b"", str(path.readlink()), None), None
        if not stat.S_ISREG(st.st_mode):
            return (st, None, b"", None, None), None
        known = early.get(rel)
        if known is not None and known.key == stat_key(st):  # read while unblob ran, unchanged since
            return (st, known.sha256, known.head, None, known.typed), None
        sha, head = hash_file(path)
        return (st, sha, head, None, None), None
    except OSError as exc:
        return None, AuditError(kind="inventory.unreadable", stage="inventory", path=escape_name(rel),
                                message=f"cannot read extracted file: {exc.strerror or exc}")


def _record(raw_rel: str, info: _Info, unpacked: UnpackResult, described: dict[str, tuple[str, str]]) -> FileRecord:
    st, sha, head, target, _ = info
    rel = escape_name(raw_rel)  # names that are not UTF-8 enter here: escaped, raw bytes kept (audit/names.py)
    origin = unpacked.origin(rel) if rel != "" else None
    common = {
        "path": rel, "path_raw": raw_hex(raw_rel), "fs_path": fs_path_of(rel), "mode": stat.S_IMODE(st.st_mode),
        "parent": origin.parent if origin else None, "handler": (origin.handler or None) if origin else None,
        "offset": origin.offset if origin else None,
    }
    if target is not None:
        return FileRecord(kind="symlink", size=0, link_target=escape_name(target), link_target_raw=raw_hex(target),
                          **common)
    if sha is None:
        return FileRecord(kind="special", size=0, **common)
    if sha not in described:
        described[sha] = _describe(head)
    desc, mime = described[sha]
    arch = elf_arch(head)
    return FileRecord(kind="file", size=st.st_size, sha256=sha, magic=desc, mime=mime,
                      is_elf=arch is not None, arch=arch, **common)
