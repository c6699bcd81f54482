"""What every inspector shares: the declarative base class, the partial-result error, bounded file access."""

from __future__ import annotations

import mmap
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from audit.mapped_pages import track
from audit.model import Fact, FileRecord

HEAD_SIZE = 4096
MAX_TEXT = 512  # longest string copied into a fact
MAX_SCAN = 256 * 1024 * 1024  # bytes of one file any inspector searches


class InspectError(Exception):
    """An inspector's own, expected failure: becomes `inspect.<NAME>.<what>`, keeping the facts read so far."""

    def __init__(self, what: str, message: str, facts: Sequence[Fact] = (),
                 more: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.what = what
        self.message = message
        self.facts = list(facts)
        self.more = list(more)  # further (what, message) problems of the same file, one typed error each


class Inspector:
    """One kind of structured fact. Subclasses set `NAME`, `DOC`, `APPLIES_TO` and implement two methods."""

    NAME: ClassVar[str] = ""
    DOC: ClassVar[str] = ""
    APPLIES_TO: ClassVar[str] = ""

    def applies(self, record: FileRecord, head: bytes) -> bool:
        """Cheap test on the record and the first 4 KiB; no file access."""
        raise NotImplementedError

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        """Facts about the file at `path` (a regular file on disk) described by `record`."""
        raise NotImplementedError


def make_fact(record: FileRecord, kind: str, data: dict[str, Any], offset: int | None = None) -> Fact:
    """A fact about `record`'s bytes, its data reduced to plain Python values (see `plain`)."""
    return Fact(kind=kind, sha256=record.sha256 or "", path=record.path, data=plain(data),
                offset=None if offset is None else int(offset))


PLAIN_MAX_NODES = 100_000  # values copied into one fact at most; deeper or larger data is cut


def plain(value: Any) -> Any:
    """`value` as plain data (dict, list, str, int, float, bool, None), whatever parser types it holds.

    Parser libraries hand out their own int/str/bytes subclasses (dissect.cstruct's `uint32`, enum members,
    ...) that need not pickle across the process pool nor serialise to JSON. Iterative, bounded in size.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any] | dict[str, Any], Any]] = [(value, root, 0)]
    budget = PLAIN_MAX_NODES
    while stack:
        item, parent, key = stack.pop()
        budget -= 1
        if budget < 0:
            break
        parent[key] = _plain_scalar(item)
        if isinstance(item, dict):
            out: dict[str, Any] = {}
            parent[key] = out
            for k, v in item.items():
                out[str(_plain_scalar(k))] = None
                stack.append((v, out, str(_plain_scalar(k))))
        elif isinstance(item, list | tuple | set | frozenset):
            if isinstance(item, set | frozenset):
                item = sorted(item, key=str)  # deterministic order
            seq: list[Any] = [None] * len(item)
            parent[key] = seq
            stack.extend((v, seq, i) for i, v in enumerate(item))
    return root[0]


def _plain_scalar(item: Any) -> Any:
    if item is None or type(item) in (str, int, float, bool):
        return item
    if isinstance(item, bool):
        return bool(item)
    if isinstance(item, int):
        return int(item)
    if isinstance(item, float):
        return float(item)
    if isinstance(item, str):
        return str(item)
    if isinstance(item, bytes | bytearray | memoryview):
        return text(bytes(item))
    if isinstance(item, dict | list | tuple | set | frozenset):
        return None  # filled by the caller
    return str(item)


# CPython before 3.11.4 reads one byte past the end of the buffer in bytes/mmap `find` (python/cpython#105235):
# on a file whose size is a multiple of the page size that byte is unmapped and the process dies with SIGSEGV
# (Debian 12 ships 3.11.2). Such files are read into memory instead of mapped there.
TRACK_BYTES = 16 * 1024 * 1024  # mapped files at least this large do not stay resident in the process
FASTSEARCH_OVERREAD = (3, 11) <= sys.version_info[:3] < (3, 11, 4)


def _read_all(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left > 0 and (block := os.read(fd, min(left, 16 * 1024 * 1024))):
        chunks.append(block)
        left -= len(block)
    return b"".join(chunks)


@contextmanager
def open_map(path: Path) -> Iterator[bytes]:
    """Map a regular file read-only without following symlinks; empty files give b''."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InspectError("io", f"not a regular file: {path.name}")
        if st.st_size == 0:
            yield b""
            return
        if FASTSEARCH_OVERREAD and st.st_size % mmap.PAGESIZE == 0:
            yield _read_all(fd, st.st_size)  # a bytes copy: its trailing NUL absorbs the over-read
            return
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mm:
            if st.st_size >= TRACK_BYTES:
                track(mm)  # a large file's pages leave this process behind the search (audit/mapped_pages.py)
            yield mm  # type: ignore[misc]  # mmap supports the bytes-like API we use
    finally:
        os.close(fd)


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """First `size` bytes of a regular file (no symlink following)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InspectError("io", f"not a regular file: {path.name}")
        return os.read(fd, size)
    finally:
        os.close(fd)


def read_bounded(path: Path, limit: int) -> bytes:
    """Up to `limit` bytes of a regular file; raises InspectError('too_large') beyond it."""
    data = read_head(path, limit + 1)
    if len(data) > limit:
        raise InspectError("too_large", f"file larger than {limit} bytes")
    return data


def text(raw: bytes, limit: int = MAX_TEXT) -> str:
    """Bytes to a JSON-safe string: UTF-8 where valid, else latin-1; bounded."""
    raw = raw[:limit]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def basename(record: FileRecord) -> str:
    """Last component of the file's path inside its filesystem."""
    return (record.fs_path or record.path).rstrip("/").rsplit("/", 1)[-1]


def find_all(data: bytes, pattern: re.Pattern[bytes], cap: int, end: int | None = None) -> list[re.Match[bytes]]:
    """At most `cap` matches of `pattern` in `data[:end]` (end defaults to MAX_SCAN)."""
    out: list[re.Match[bytes]] = []
    for m in pattern.finditer(data, 0, min(len(data), end or MAX_SCAN)):
        out.append(m)
        if len(out) >= cap:
            break
    return out
