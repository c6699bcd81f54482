"""Dahua firmware: a ZIP archive whose first local file header reads `DH\\x03\\x04` instead of `PK\\x03\\x04`.

Members (`Install`/`Install.lua`, `hwid`, `dhboot*.img`, `kernel.img`, `romfs-x.*.img`, `web-x.*.img`,
`pd-x.*.img`, `custom-x.*.img`, `check.img`, `sign.img`) are mostly uImage-wrapped SquashFS/CramFS images.
Public tools (binwalk's `dahua_zip`, FACT's dahua unpacker) only rewrite the first signature; we accept
`DH` in place of `PK` in every ZIP signature (local, central directory, end record), rewrite them in a copy
inside the output directory and unzip it with Python's zipfile, refusing absolute and `..` member paths.
"""

from __future__ import annotations

import functools
import re
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from audit.unpack.formats.base import (
    COPY_BLOCK,
    MAX_MEMBERS,
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
    cstring,
    safe_member_path,
)

LOCAL = (b"PK\x03\x04", b"DH\x03\x04")
CENTRAL = (b"PK\x01\x02", b"DH\x01\x02")
EOCD = (b"PK\x05\x06", b"DH\x05\x06")
EOCD_SEARCH = 22 + 0xFFFF
KNOWN = re.compile(r"^(Install(\.lua)?|hwid|dhboot.*\.img|kernel\.img|(romfs|web|pd|custom|user|partition)-x\..*"
                   r"|check\.img|sign\.img|.*\.(img|bin))$")
REFERENCES = (
    "https://github.com/ReFirmLabs/binwalk/blob/master/src/signatures/dahua_zip.rs",
    "https://github.com/fkie-cad/FACT_core/blob/master/src/plugins/unpacking/dahua/code/dahua.py",
    "https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT",
)


@dataclass(frozen=True, kw_only=True)
class ZipLocals:
    """Members found by walking ZIP local file headers (any of `signatures`) from offset 0."""

    members: tuple[Member, ...]
    signatures: tuple[str, ...]
    complete: bool  # walked up to the central directory (not stopped by a data descriptor or the data end)
    problems: tuple[Problem, ...]
    end_of_walk: int


def walk_zip_locals(data: Buffer, size: int, signatures: tuple[bytes, ...] = LOCAL) -> ZipLocals:
    """Walk local file headers; member offsets are those of the (compressed) data. Bounds-checked."""
    reader = TableReader(data)
    pos, members, sigs, problems = 0, [], [], []
    complete = False
    while len(members) < MAX_MEMBERS:
        if not reader.has(pos, 30):
            break
        sig = reader.raw(pos, 4)
        if sig not in signatures:
            complete = True
            break
        flags, csize = reader.u16(pos + 6), reader.u32(pos + 18)
        nlen, xlen = reader.u16(pos + 26), reader.u16(pos + 28)
        if not reader.has(pos + 30, nlen):
            break
        name = cstring(reader.raw(pos + 30, nlen))
        start = pos + 30 + nlen + xlen
        if start + csize > size:
            message = f"zip member {name!r} data 0x{start:x}+0x{csize:x} past 0x{size:x}"
            problems.append(Problem("out_of_bounds", message))
            break
        members.append(Member(name, start, csize))
        sigs.append(sig[:2].decode("latin-1"))
        if flags & 0x8 and csize == 0:  # sizes follow the data in a descriptor: cannot walk on
            break
        pos = start + csize
    return ZipLocals(members=tuple(members), signatures=tuple(sigs), complete=complete,
                     problems=tuple(problems), end_of_walk=pos)


def find_eocd(data: Buffer, size: int) -> tuple[int, int, int, int] | None:
    """(eocd offset, end, cd offset, cd entries) of the last consistent end record in the data, or None."""
    if len(data) < size:
        return None
    base = max(0, size - EOCD_SEARCH)
    tail = bytes(data[base:size])
    pos = len(tail)
    while True:
        pos = max(tail.rfind(EOCD[0], 0, pos), tail.rfind(EOCD[1], 0, pos))
        if pos < 0:
            return None
        if pos + 22 > len(tail):
            continue
        entries, cd_size, cd_off, comment = struct.unpack_from("<HIIH", tail, pos + 10)
        at = base + pos
        if cd_off + cd_size == at and at + 22 + comment <= size:
            return at, at + 22 + comment, cd_off, entries


@dataclass(frozen=True, kw_only=True)
class DahuaHeader(ContainerHeader):
    """What the Dahua ZIP's structure says: member names, which ones follow Dahua's naming, signatures used."""

    first_signature: str
    local_signatures: list[str]
    known_members: list[str]
    has_install_script: bool
    has_sign_img: bool
    central_directory: bool


def parse_dahua(data: Buffer, size: int) -> DahuaHeader:
    """Parse a DH-zip: the first local header must carry `DH`; the end record sizes the container."""
    reader = TableReader(data)
    if reader.raw(0, 4) != LOCAL[1]:
        raise FormatError("bad_magic", "no DH\\x03\\x04 local header")
    walk = walk_zip_locals(data, size)
    if not walk.members:
        raise FormatError("truncated", "first local header unreadable")
    eocd = find_eocd(data, size)
    problems = list(walk.problems)
    if eocd is None and len(data) >= size:
        problems.append(Problem("truncated", "no ZIP end-of-central-directory record"))
    end = eocd[1] if eocd else max(m.offset + m.size for m in walk.members)
    names = [m.name for m in walk.members]
    return DahuaHeader(
        format="dahua_zip", end=end, members=walk.members, problems=tuple(problems),
        first_signature="DH", local_signatures=sorted(set(walk.signatures)),
        known_members=[n for n in names if KNOWN.match(n)][:64],
        has_install_script=any(n in ("Install", "Install.lua") for n in names),
        has_sign_img="sign.img" in names, central_directory=eocd is not None,
    )


def repair_signatures(path: Path) -> int:
    """Rewrite DH signatures to PK in place (first local header, end record, central and local headers)."""
    from unblob.file_utils import File  # runs in unblob's worker (the extractor), where unblob is loaded

    fixes = 0
    with path.open("r+b") as handle, File.from_path(path) as data:
        size = len(data)
        spots = [0]
        eocd = find_eocd(data, size)
        if eocd is not None:
            spots.append(eocd[0])
            pos = eocd[2]
            for _ in range(min(eocd[3], MAX_MEMBERS)):
                if pos + 46 > size or data[pos : pos + 4] not in CENTRAL:
                    break
                nlen, xlen, clen = struct.unpack_from("<HHH", data, pos + 28)
                spots += [pos, struct.unpack_from("<I", data, pos + 42)[0]]
                pos += 46 + nlen + xlen + clen
        for spot in spots:
            if spot + 2 <= size and data[spot : spot + 2] == b"DH":
                handle.seek(spot)
                handle.write(b"PK")
                fixes += 1
    return fixes


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, defined on first use: importing unblob costs about a second,
    and only unblob's own processes need it (through `unblob_plugin.py`)."""
    from unblob.file_utils import File, InvalidInputFormat
    from unblob.models import Extractor, ExtractResult, HexString, ValidChunk
    from unblob.report import ExtractionProblem

    from audit.unpack.formats.handler import ContainerHandler, handler_doc

    class DahuaExtractor(Extractor):
        """Copy, rewrite the signatures, unzip member by member with safe names and declared-size bounds."""

        def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
            work = outdir / ".dahua-repaired.zip"
            shutil.copyfile(inpath, work)
            reports: list[ExtractionProblem] = []
            try:
                repair_signatures(work)
                with zipfile.ZipFile(work) as archive:
                    for index, info in enumerate(archive.infolist()[:MAX_MEMBERS]):
                        if info.is_dir():
                            continue
                        rel = safe_member_path(info.filename, index)
                        if rel != info.filename.strip("/"):
                            reports.append(ExtractionProblem(problem=f"unsafe member name {info.filename!r}",
                                                             resolution=f"written as {rel}", path=info.filename))
                        try:
                            _unzip_member(archive, info, outdir / rel)
                        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError) as exc:
                            reports.append(ExtractionProblem(problem=f"dahua zip member {info.filename!r}: {exc}",
                                                             resolution="member skipped", path=info.filename))
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
                reports.append(ExtractionProblem(problem=f"dahua zip: {exc}", resolution="partial extraction"))
            finally:
                work.unlink(missing_ok=True)
            return ExtractResult(reports=reports)


    def _unzip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        left = info.file_size
        with archive.open(info) as src, dest.open("xb") as out:
            while left > 0 and (block := src.read(min(COPY_BLOCK, left))):
                out.write(block)
                left -= len(block)


    class DahuaHandler(ContainerHandler):
        NAME = "dahua_zip"
        PATTERNS = [HexString("44 48 03 04")]  # noqa: RUF012 - unblob declares PATTERNS as a list
        PARSE = staticmethod(parse_dahua)
        EXTRACTOR = DahuaExtractor()
        DOC = handler_doc("Dahua DH-zip", "Dahua", __doc__ or "", REFERENCES)

        def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
            size = len(file) - start_offset
            with memoryview(file) as view:
                try:
                    header = parse_dahua(view[start_offset:], size)
                except FormatError as exc:
                    raise InvalidInputFormat(f"dahua_zip: {exc.message}") from exc
            if not header.central_directory:
                raise InvalidInputFormat("dahua_zip: no end-of-central-directory record")
            return ValidChunk(start_offset=start_offset, end_offset=start_offset + header.end)

    return DahuaHandler

SPEC = FormatSpec(
    name="dahua_zip", title="Dahua DH-zip", magics=((0, LOCAL[1]),), parse=parse_dahua, doc=__doc__ or "",
    handler=handler, status="unpacks", references=REFERENCES,
)
