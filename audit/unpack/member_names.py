"""Member names an archive chunk declares (zip central directory, tar headers, cpio headers), read without
extracting, to catch members that try to leave the extraction folder (`../`, absolute names).

Extractors re-root such members silently (7z strips `../`, unblob redirects cpio members to
`.unblob-lost+found`); an archive that tries to escape is evidence in itself, so the names are kept as an
`archive.unsafe_members` fact for the findings stage. Reading is bounded by member count and header bytes.
"""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from audit.model import Chunk, Fact, FileRecord
from audit.names import escape_name

MAX_MEMBERS = 100_000  # names read per chunk at most
MAX_LISTED = 50  # unsafe names kept per fact
CPIO_HANDLERS = ("cpio_portable_ascii", "cpio_portable_ascii_crc", "cpio_portable_old_ascii", "cpio_binary")
LOST_FOUND = ".unblob-lost+found"


class _Slice(io.RawIOBase):
    """A read-only, seekable window [start, end) of an open file: an archive carved out of a bigger one."""

    def __init__(self, handle: io.BufferedReader, start: int, end: int) -> None:
        self._h, self._start, self._size, self._pos = handle, start, max(0, end - start), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._size - self._pos)
        if want <= 0:
            return 0
        self._h.seek(self._start + self._pos)
        data = self._h.read(want)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def is_unsafe(name: str) -> bool:
    """True for a member name that is absolute or climbs out of its folder with `..`."""
    name = name.replace("\\", "/")
    return name.startswith("/") or ".." in PurePosixPath(name).parts


def _zip_names(window: _Slice) -> Iterator[str]:
    with zipfile.ZipFile(window) as archive:
        for index, info in enumerate(archive.infolist()):
            if index >= MAX_MEMBERS:
                return
            yield info.filename


def _tar_names(window: _Slice) -> Iterator[str]:
    with tarfile.open(fileobj=window, mode="r:") as archive:
        for _ in range(MAX_MEMBERS):
            member = archive.next()
            if member is None:
                return
            yield member.name


def _cpio_names(window: _Slice) -> Iterator[str]:
    """Names of a cpio archive (new ASCII 070701/070702, old ASCII 070707, binary 0o070707)."""
    pos = 0
    for _ in range(MAX_MEMBERS):
        window.seek(pos)
        head = window.read(110)
        if head[:6] in (b"070701", b"070702") and len(head) >= 110:
            size, name_len = int(head[54:62], 16), int(head[94:102], 16)
            name_end = 110 + name_len
            data_start = (name_end + 3) & ~3
            raw = window.read(name_len)[: max(0, name_len - 1)]
            pos = pos + ((data_start + size + 3) & ~3)
        elif head[:6] == b"070707" and len(head) >= 76:
            name_len, size = int(head[59:65], 8), int(head[65:76], 8)
            window.seek(pos + 76)
            raw = window.read(name_len)[: max(0, name_len - 1)]
            pos = pos + 76 + name_len + size
        elif head[:2] in (b"\xc7\x71", b"\x71\xc7") and len(head) >= 26:
            order = "little" if head[:2] == b"\xc7\x71" else "big"
            name_len = int.from_bytes(head[20:22], order)
            size = (int.from_bytes(head[22:24], order) << 16) | int.from_bytes(head[24:26], order)
            window.seek(pos + 26)
            raw = window.read(name_len)[: max(0, name_len - 1)]
            pos = pos + 26 + name_len + (name_len & 1) + size + (size & 1)
        else:
            return
        name = os.fsdecode(raw.split(b"\0", 1)[0])
        if name == "TRAILER!!!":
            return
        yield name


READERS = {"zip": _zip_names, "tar": _tar_names, **dict.fromkeys(CPIO_HANDLERS, _cpio_names)}


def unsafe_names(path: Path, chunk: Chunk) -> list[str]:
    """Unsafe member names of one archive chunk of the file at `path` (empty when none, or unreadable)."""
    reader = READERS.get(chunk.handler)
    if reader is None:
        return []
    found: list[str] = []
    try:
        with path.open("rb") as handle:
            for name in reader(_Slice(handle, chunk.start, chunk.end)):
                if is_unsafe(name):
                    found.append(escape_name(name))
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, tarfile.TarError):
        pass  # a damaged archive is the extractor's error to report; what was read so far stands
    return found


def unsafe_member_facts(image: Path, extract_dir: Path, chunks: list[Chunk], files: list[FileRecord]) -> list[Fact]:
    """One `archive.unsafe_members` fact per archive chunk that declares members escaping its folder."""
    by_path = {f.path: f for f in files if f.kind == "file"}
    facts: list[Fact] = []
    for chunk in sorted(chunks, key=lambda c: (c.container, c.start)):
        record = by_path.get(chunk.container)
        if chunk.handler not in READERS or record is None:
            continue
        if record.parent is None and record.path == escape_name(image.name):
            disk = image
        else:
            disk = extract_dir / (os.fsdecode(bytes.fromhex(record.path_raw)) if record.path_raw else record.path)
        names = unsafe_names(disk, chunk)
        lost = sorted(f.path for f in files if f.path.startswith(_extract_dir_of(chunk) + f"/{LOST_FOUND}/"))
        if names or lost:
            facts.append(Fact(kind="archive.unsafe_members", sha256=record.sha256 or "", path=record.path,
                              offset=chunk.start, data={"handler": chunk.handler, "count": len(names),
                                                        "members": sorted(names)[:MAX_LISTED],
                                                        "redirected": lost[:MAX_LISTED]}))
    return facts


def _extract_dir_of(chunk: Chunk) -> str:
    return chunk.extract_dir or f"{chunk.container}_extract"
